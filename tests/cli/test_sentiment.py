"""Sentence sentiment: ``stance classify --task sentiment|both``, once per sentence, resumable."""

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from classifier.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def read_jsonl(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


@pytest.fixture
def count_passes(monkeypatch):
    """Rows each model is run on, by model task (wraps StanceModel.probabilities)."""
    from classifier.models.stance_model import StanceModel

    rows = {"stance": 0, "sentiment": 0}
    original = StanceModel.probabilities

    def counted(self, batch):
        rows[self.task.name] += len(batch)
        return original(self, batch)

    monkeypatch.setattr(StanceModel, "probabilities", counted)
    return rows


def test_both_on_the_seeds_writes_stance_and_sentiment_once_per_sentence(tmp_path, tiny_model_dir,
                                                                           tiny_sentiment_dir, count_passes):
    out = tmp_path / "pred.jsonl"
    result = run("classify", ROOT / "seeds", "--out", out, "--model", tiny_model_dir, "--task", "both",
                 "--sentiment-model", tiny_sentiment_dir, "--quiet")
    assert result.exit_code == 0, result.output
    rows = read_jsonl(out)
    sentences = {row["text"] for row in rows}
    assert len(rows) == 129 and len(sentences) < len(rows)  # several actors share a sentence
    assert count_passes == {"stance": len(rows), "sentiment": len(sentences)}
    by_text = {}
    for row in rows:
        assert set(row["stance_scores"]) == {"favor", "against", "neutral"}
        assert set(row["sentiment_scores"]) == {"positive", "negative", "neutral"}
        assert abs(sum(row["sentiment_scores"].values()) - 1) < 1e-4
        assert row["sentiment"] == max(row["sentiment_scores"], key=row["sentiment_scores"].get)
        assert row["model"].startswith("tiny@") and row["sentiment_model"].startswith("tiny-sentiment@")
        assert by_text.setdefault(row["text"], row["sentiment_scores"]) == row["sentiment_scores"]


def test_sentiment_alone_takes_sentences_without_actor(tmp_path, tiny_sentiment_dir, count_passes):
    items = tmp_path / "sentences.jsonl"
    texts = ["Profits rose sharply.", "The plant was closed and 300 jobs were lost.", "Profits rose sharply."]
    items.write_text("".join(json.dumps({"id": f"s{i}", "text": t}) + "\n" for i, t in enumerate(texts)))
    out = tmp_path / "pred.csv"
    result = run("classify", items, "--out", out, "--task", "sentiment", "--sentiment-model", tiny_sentiment_dir)
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out)
    assert list(frame["id"]) == ["s0", "s1", "s2"] and "stance" not in frame.columns
    assert set(frame["sentiment"]) <= {"positive", "negative", "neutral"}
    assert count_passes["sentiment"] == 2 and count_passes["stance"] == 0  # the repeated sentence once
    assert "(none)" in result.output and "None" not in result.output  # no outlet, no actor: said so in the summary


def test_sentiment_resume_gives_the_same_rows(tmp_path, tiny_model_dir, tiny_sentiment_dir):
    clean = tmp_path / "clean.jsonl"
    assert run("classify", ROOT / "seeds", "--out", clean, "--task", "both", "--model", tiny_model_dir,
               "--sentiment-model", tiny_sentiment_dir, "-q").exit_code == 0
    rows = read_jsonl(clean)
    resumed = tmp_path / "resumed.jsonl"
    journal = tmp_path / "resumed.jsonl.partial.jsonl"
    journal.write_text("".join(json.dumps(r) + "\n" for r in rows[:40]))  # as a kill after 40 would leave
    result = run("classify", ROOT / "seeds", "--out", resumed, "--task", "both", "--model", tiny_model_dir,
                 "--sentiment-model", tiny_sentiment_dir, "--resume", "-q")
    assert result.exit_code == 0, result.output
    assert read_jsonl(resumed) == rows


def test_resume_under_another_sentiment_model_is_refused(tmp_path, tiny_model_dir, tiny_sentiment_dir):
    first = tmp_path / "pred.jsonl"
    assert run("classify", ROOT / "seeds", "--out", first, "--task", "both", "--model", tiny_model_dir,
               "--sentiment-model", tiny_sentiment_dir, "-q").exit_code == 0
    rows = read_jsonl(first)
    rows[0]["sentiment_model"] = "other@123"
    out = tmp_path / "again.jsonl"
    (tmp_path / "again.jsonl.partial.jsonl").write_text(json.dumps(rows[0]) + "\n")
    result = run("classify", ROOT / "seeds", "--out", out, "--task", "both", "--model", tiny_model_dir,
                 "--sentiment-model", tiny_sentiment_dir, "--resume")
    assert result.exit_code == 1 and "written by model 'other@123'" in result.output


def test_a_model_of_the_wrong_task_is_one_line(tmp_path, tiny_model_dir, tiny_sentiment_dir):
    out = tmp_path / "pred.jsonl"
    result = run("classify", ROOT / "seeds", "--out", out, "--model", tiny_sentiment_dir)
    assert result.exit_code == 1 and "a sentiment model, not a stance model" in result.output
    result = run("classify", ROOT / "seeds", "--out", out, "--task", "sentiment", "--sentiment-model", tiny_model_dir)
    assert result.exit_code == 1 and "a stance model, not a sentiment model" in result.output
    result = run("classify", ROOT / "seeds", "--out", out, "--task", "tone")
    assert result.exit_code == 1 and "--task tone" in result.output
    result = run("classify", ROOT / "seeds", "--out", out, "--task", "sentiment", "--model", tiny_model_dir)
    assert result.exit_code == 1 and "a stance model, not a sentiment model" in result.output
    result = run("classify", ROOT / "seeds", "--out", out, "--task", "sentiment", "--model", tiny_sentiment_dir,
                 "--sentiment-model", tiny_sentiment_dir)
    assert result.exit_code == 1 and "pass one" in result.output
    result = run("classify", ROOT / "seeds", "--out", out, "--sentiment-model", tiny_sentiment_dir)
    assert result.exit_code == 1 and "--sentiment-model is for --task sentiment or both" in result.output
    assert not out.exists()
    parts = tmp_path / "parts"
    parts.mkdir()
    (parts / "p1.jsonl").write_text(json.dumps({"id": "s1", "text": "Profits rose."}) + "\n")
    result = run("classify", parts, "--ray-data", "--out", tmp_path / "rd", "--task", "sentiment", "--model",
                 tiny_model_dir)  # the workers load it by path: checked before they start
    assert result.exit_code == 1 and "a stance model, not a sentiment model" in result.output
    result = run("classify", ROOT / "seeds", "--out", out, "--task", "sentiment", "--model", tiny_sentiment_dir,
                 "--zero-shot", "some/nli-model")
    assert result.exit_code == 1 and "--zero-shot and --model both name" in result.output
    assert not out.exists() and not (tmp_path / "rd").exists()
    # the model of --task sentiment may be named by --model too (a model just trained, as the README's loop does)
    result = run("classify", ROOT / "seeds", "--out", out, "--task", "sentiment", "--model", tiny_sentiment_dir, "-q")
    assert result.exit_code == 0 and read_jsonl(out)[0]["model"].startswith("tiny-sentiment@")


def test_python_api_predicts_sentiment_without_actor(tiny_sentiment_dir):
    import classifier

    model = classifier.load_model(tiny_sentiment_dir)
    rows = model.predict(["Profits rose sharply.", {"id": "x", "text": "Jobs were lost."}])
    assert all(set(r["sentiment_scores"]) == {"positive", "negative", "neutral"} for r in rows)
    assert list(model.classes_) == ["positive", "negative", "neutral"]


TONES = {"positive": ["Profits rose sharply in {q}.", "The firm reported record sales in {q}."],
         "negative": ["The plant closed in {q} and jobs were lost.", "Shares fell hard in {q}."],
         "neutral": ["The board met in {q}.", "The report was published in {q}."]}


def sentiment_labels(path, n_articles=8, per_article=4, seed=2):
    import random

    rng = random.Random(seed)
    rows = []
    for art in range(n_articles):
        for j in range(per_article):
            label = rng.choice(list(TONES))
            rows.append({"id": f"s{art}-{j}", "text": rng.choice(TONES[label]).format(q=f"Q{j + 1}"),
                         "label": label, "article": f"doc{art}", "source": "wire"})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture
def shipped_dirs(tmp_path, monkeypatch):
    """models/default and models/sentiment redirected, so no test can touch the real ones."""
    from classifier.models import stance_model

    monkeypatch.setattr(stance_model, "DEFAULT_MODEL_DIR", tmp_path / "models" / "default")
    monkeypatch.setattr(stance_model, "SENTIMENT_MODEL_DIR", tmp_path / "models" / "sentiment")
    return tmp_path / "models"


def test_train_on_sentiment_labels_makes_a_sentiment_model(tmp_path, tiny_sentiment_dir, shipped_dirs):
    labels = sentiment_labels(tmp_path / "tone.jsonl")
    out = tmp_path / "ours-tone"
    result = run("train", labels, "--out", out, "--base", tiny_sentiment_dir, "--epochs", "1", "--n-boot", "20", "-q")
    assert result.exit_code == 0, result.output
    assert "positive+negat" in result.output and "f1_favor_against" not in result.output  # the table may cut it
    from classifier.models.stance_model import StanceModel

    model = StanceModel.load(out)
    assert model.task.name == "sentiment" and model.input_format == "sentence"
    card = json.loads((out / "model_card.json").read_text())
    assert card["summary"].startswith("Sentence sentiment") and "positive" in card["data"]["labels of the training split"]
    assert "- sentiment" in (out / "README.md").read_text() and "- stance" not in (out / "README.md").read_text()
    assert set(card["evaluation"]) == {"test (this model)", "test (starting model tiny-sentiment)"}
    # a stance model cannot be continued on sentiment labels
    result = run("train", labels, "--out", tmp_path / "other", "--base", tiny_sentiment_dir.parent / "tiny")
    assert result.exit_code == 1


def test_train_refuses_a_file_that_mixes_stance_and_sentiment(tmp_path, tiny_sentiment_dir, shipped_dirs):
    labels = sentiment_labels(tmp_path / "tone.jsonl")
    with open(labels, "a") as fh:
        fh.write(json.dumps({"id": "x", "text": "Russia won.", "actor": "Russia", "label": "favor"}) + "\n")
    result = run("train", labels, "--out", tmp_path / "m", "--base", tiny_sentiment_dir)
    assert result.exit_code == 1 and "tone.jsonl:33: label 'favor' is stance, but " in " ".join(result.output.split())
    test = tmp_path / "stance_test.jsonl"
    test.write_text(json.dumps({"id": "t", "text": "Russia won.", "actor": "Russia", "label": "favor"}) + "\n")
    result = run("train", sentiment_labels(tmp_path / "tone2.jsonl"), "--test", test, "--out", tmp_path / "m",
                 "--base", tiny_sentiment_dir)
    assert result.exit_code == 1 and "stance labels, and the training labels are sentiment labels" in result.output


def test_evaluate_reads_sentiment_predictions(tmp_path, tiny_sentiment_dir):
    labels = sentiment_labels(tmp_path / "tone.jsonl")
    preds = tmp_path / "pred.jsonl"
    assert run("classify", labels, "--out", preds, "--task", "sentiment", "--sentiment-model", tiny_sentiment_dir,
               "-q").exit_code == 0
    metrics = tmp_path / "metrics.json"
    result = run("evaluate", preds, "--out", metrics, "--n-boot", "50", "--compare", preds, "-q")
    assert result.exit_code == 0, result.output
    assert "F1 positive+negative" in result.output
    found = json.loads(metrics.read_text())
    assert found["task"] == "sentiment" and found["labels"] == ["positive", "negative", "neutral"]
    assert set(found["overall"]["per_class"]) == {"positive", "negative", "neutral"}
    assert found["overall"]["n"] == 32 and found["compare"]["metrics"]["macro_f1"]["difference"] == 0
    stance_rows = tmp_path / "stance.jsonl"  # a stance report cannot take sentiment figures for its gold set
    stance_rows.write_text("".join(json.dumps({"id": f"s{i}", "text": "Russia won.", "actor": "Russia",
                                               "spans": [[0, 6]], "source": "A", "article": f"a{i}",
                                               "stance": "favor", "model": "m@1",
                                               "stance_scores": {"favor": 0.8, "against": 0.1, "neutral": 0.1}})
                                   + "\n" for i in range(4)))
    result = run("report", stance_rows, "--gold", preds, "--out", tmp_path / "r", "--n-boot", "10", "--n-perm", "10")
    assert result.exit_code == 1 and "sentence-sentiment predictions; --gold needs stance predictions" in \
        " ".join(result.output.split()) and not (tmp_path / "r").exists()


def test_evaluate_refuses_a_file_of_two_tasks(tmp_path):
    rows = [{"id": "a", "text": "x", "actor": "A", "label": "favor", "stance": "favor",
             "stance_scores": {"favor": 1, "against": 0, "neutral": 0}},
            {"id": "b", "text": "y", "label": "positive", "sentiment": "positive",
             "sentiment_scores": {"positive": 1, "negative": 0, "neutral": 0}}]
    preds = tmp_path / "mixed.jsonl"
    preds.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = run("evaluate", preds)
    assert result.exit_code == 1 and f"{preds}:2: a sentiment prediction in a file of stance predictions" in result.output
    rows[1] |= {"stance": None, "actor": "A"}  # a --task both row whose stance is null
    preds.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = run("evaluate", preds)
    assert result.exit_code == 1 and f"{preds}:2: 'stance' is null, unlike in the rows before it" in result.output


def test_agreement_on_sentiment_labels():
    from sklearn.metrics import cohen_kappa_score

    from classifier.labels import agreement

    pairs = [("positive", "positive"), ("negative", "neutral"), ("positive", "negative"), ("neutral", "neutral")]
    records = [{"id": f"s{i}", "text": "t", "label": label, "annotator": who, "record": f"{i}{who}"}
               for i, pair in enumerate(pairs) for who, label in zip("xy", pair)]
    found = agreement(records)
    assert found["pairs"][0]["kappa"] == pytest.approx(cohen_kappa_score(*zip(*pairs)))
    assert found["pairs"][0]["agreement"] == 0.5 and len(found["disagreements"]) == 2


@pytest.fixture
def article_table(tmp_path):
    """Two seed articles as a table with only id, text and source: rows that could be sentences or articles."""
    path = tmp_path / "articles.csv"
    frame = pd.DataFrame({"id": ["a0", "a1"], "source": ["X", "Y"],
                          "text": [(ROOT / "seeds" / name).read_text() for name in
                                   ("000_0d29080c6ce635fb.txt", "001_409110388c7394ba.txt")]})
    frame.to_csv(path, index=False)
    return path


def test_sentiment_on_a_table_of_whole_articles_reads_articles_and_says_why(tmp_path, tiny_sentiment_dir,
                                                                         article_table):
    out = tmp_path / "pred.jsonl"
    result = run("classify", article_table, "--out", out, "--task", "sentiment", "--sentiment-model",
                 tiny_sentiment_dir, "--quiet")
    assert result.exit_code == 0, result.output
    rows = read_jsonl(out)
    assert len(rows) > 20 and {row["article"] for row in rows} == {"a0", "a1"} and all(row["actor"] for row in rows)
    said = " ".join(result.output.split())
    assert f"{article_table}:2: 2 of the first 2 rows hold several sentences, so the table is read as articles" in said
    assert "sentences naming no actor are not scored" in said and "--rows sentences" in said


@pytest.mark.parametrize("labelled", [False, True])
def test_a_few_long_rows_leave_a_sentence_table_sentences(tmp_path, tiny_sentiment_dir, labelled):
    """A segmenter's false split ("approx. 10 a.m. E.T."), or a few long rows, do not make a sentence set articles;
    nor do any number of them when the rows carry gold labels (an evaluation set keeps every row and label)."""
    texts = ["Shares of Apple Inc. rose 3% vs. the S&P 500 at approx. 10 a.m. E.T. on Monday.",
             "Profits fell.", "Sales rose.", "The plant closed."]
    if labelled:
        texts = texts[:1] * 3 + texts[1:2]  # most rows look like articles, but the set is labelled
    path = tmp_path / "sentences.jsonl"
    path.write_text("".join(json.dumps({"id": f"s{i}", "text": t, **({"label": "neutral"} if labelled else {})}) + "\n"
                            for i, t in enumerate(texts)))
    out = tmp_path / "pred.jsonl"
    result = run("classify", path, "--out", out, "--task", "sentiment", "--sentiment-model", tiny_sentiment_dir, "-q")
    assert result.exit_code == 0, result.output
    rows = read_jsonl(out)
    assert [row["id"] for row in rows] == [f"s{i}" for i in range(4)]
    assert [row["label"] for row in rows] == (["neutral"] * 4 if labelled else [None] * 4)
    said = " ".join(result.output.split())
    assert f"{path}:1:" in said and "scored whole like the others" in said


def test_a_sentence_table_with_a_date_stays_sentences(tmp_path, tiny_sentiment_dir):
    """What the rows hold decides, not their columns: sentences with a date (or title, url) are not articles."""
    path = tmp_path / "sentences.csv"
    pd.DataFrame({"id": ["s1", "s2", "s3"], "source": "X", "date": "2024-03-01",
                  "text": ["Profits rose sharply.", "The plant was closed.", "Russia signed the deal."]}).to_csv(path, index=False)
    out = tmp_path / "pred.jsonl"
    result = run("classify", path, "--out", out, "--task", "sentiment", "--sentiment-model", tiny_sentiment_dir, "--quiet")
    assert result.exit_code == 0, result.output
    assert [row["id"] for row in read_jsonl(out)] == ["s1", "s2", "s3"] and "several sentences" not in result.output


def test_rows_articles_splits_the_table_into_sentences(tmp_path, tiny_sentiment_dir, article_table, count_passes):
    out = tmp_path / "pred.jsonl"
    result = run("classify", article_table, "--out", out, "--task", "sentiment", "--sentiment-model",
                 tiny_sentiment_dir, "--rows", "articles", "--quiet")
    assert result.exit_code == 0, result.output
    rows = read_jsonl(out)
    assert len(rows) > 20 and {row["article"] for row in rows} == {"a0", "a1"}
    assert all(row["actor"] and row["sentiment"] in {"positive", "negative", "neutral"} for row in rows)
    assert count_passes["sentiment"] == len({row["text"] for row in rows})  # once per sentence
    assert "several sentences" not in result.output


def test_rows_sentences_keeps_quiet_and_is_refused_where_it_cannot_apply(tmp_path, tiny_sentiment_dir,
                                                                         article_table):
    out = tmp_path / "pred.jsonl"
    result = run("classify", article_table, "--out", out, "--task", "sentiment", "--sentiment-model",
                 tiny_sentiment_dir, "--rows", "sentences", "--quiet")
    assert result.exit_code == 0 and "several sentences" not in result.output
    for args, expected in ((("--task", "stance", "--rows", "sentences"), "only --task sentiment"),
                           (("--task", "sentiment", "--rows", "articles", "--sentiment-model", tiny_sentiment_dir),
                            "holds items")):
        source = article_table if "stance" in args else ROOT / "data" / "seed_labels.jsonl"
        result = run("classify", source, "--out", tmp_path / "other.jsonl", *args, "--quiet")
        assert result.exit_code == 1 and expected in result.output
        assert len(result.output.strip().splitlines()) == 1
        assert not (tmp_path / "other.jsonl").exists()


def test_rows_errors_are_one_line(tmp_path, article_table):
    cases = ((article_table, ("--rows", "paragraphs", "--out", tmp_path / "p.jsonl"),
              "--rows paragraphs: expected one of auto, sentences, articles"),
             (article_table, ("--rows", "sentences", "--ray-data", "--out", tmp_path / "parts"),
              "Ray Data workers score items or parts as they are"),
             (ROOT / "seeds", ("--rows", "sentences", "--task", "sentiment", "--out", tmp_path / "p.jsonl"),
              "is a folder of articles"))
    for source, args, expected in cases:
        result = run("classify", source, *args, "--quiet")
        assert result.exit_code == 1 and expected in result.output, result.output
        assert result.output.strip().startswith("error:") and len(result.output.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["articles.csv"]


def test_a_dataset_folder_of_whole_articles_is_scored_whole_with_a_warning(tmp_path, tiny_sentiment_dir,
                                                                          article_table):
    datasets = pytest.importorskip("datasets")
    folder = tmp_path / "ds"
    frame = pd.read_csv(article_table).rename(columns={"text": "body"})
    datasets.Dataset.from_pandas(frame, preserve_index=False).save_to_disk(str(folder))
    out = tmp_path / "pred.jsonl"
    result = run("classify", folder, "--out", out, "--task", "sentiment", "--sentiment-model", tiny_sentiment_dir,
                 "--text-column", "body", "-q")
    assert result.exit_code == 0, result.output
    assert [row["id"] for row in read_jsonl(out)] == ["a0", "a1"]
    said = " ".join(result.output.split())
    assert f"{folder}: 2 of the first 2 rows hold several sentences and are scored whole" in said
    assert "--rows articles" in said
