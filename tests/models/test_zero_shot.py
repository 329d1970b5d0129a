"""Zero-shot stance through an NLI model: templates, the entailment label, batching, the CLI and --resume.

No NLI weights can be installed here: a tiny random BERT with NLI labels stands in (its scores mean
nothing; the plumbing is what is checked).
"""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from classifier.cli.app import app
from classifier.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
NLI_LABELS = {0: "contradiction", 1: "neutral", 2: "entailment"}  # entailment last: found by name, not place


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def read_jsonl(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


def build_tiny_nli(directory: Path, id2label=None) -> Path:
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from classifier.models.base import bundled_minilm_dir

    id2label = id2label or NLI_LABELS
    torch.manual_seed(1)
    tokenizer = AutoTokenizer.from_pretrained(bundled_minilm_dir())
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=512, num_labels=len(id2label), initializer_range=0.5,
                        id2label=id2label, label2id={v: k for k, v in id2label.items()})
    model = BertForSequenceClassification(config).eval()
    model.save_pretrained(directory, safe_serialization=True)
    tokenizer.save_pretrained(directory)
    return directory


@pytest.fixture(scope="module")
def tiny_nli(tmp_path_factory) -> Path:
    return build_tiny_nli(tmp_path_factory.mktemp("nli") / "tiny-nli")


def items_file(path: Path) -> Path:
    rows = [
        {"id": "a", "text": "Moscow praised the new trade deal with Beijing.", "actor": "Russia", "spans": [[0, 6]]},
        {"id": "b", "text": "Moscow praised the new trade deal with Beijing.", "actor": "China", "spans": [[39, 46]]},
        {"id": "c", "text": "NATO ministers met on Tuesday " + "and talked at length " * 60, "actor": "NATO",
         "spans": [[0, 4]]},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_default_templates_name_the_actor_and_cover_each_label():
    from classifier.models.zero_shot import read_templates
    from classifier.tasks import SENTIMENT, STANCE

    stance = read_templates(None, STANCE)
    assert list(stance) == list(STANCE.labels) and all("{actor}" in t for t in stance.values())
    assert list(read_templates(None, SENTIMENT)) == list(SENTIMENT.labels)


@pytest.mark.parametrize("text, message", [
    ("stance:\n  favor: 'Good for {actor}.'\n  against: 'Bad for {actor}.'\n", "no hypothesis for neutral"),
    ("stance:\n  favor: 'Good.'\n  against: 'Bad for {actor}.'\n  neutral: 'About {actor}.'\n", "must name {actor}"),
    ("stance:\n  favor: 'Good for {country}.'\n  against: 'Bad for {actor}.'\n  neutral: 'About {actor}.'\n",
     "unknown placeholder {country}"),
    ("stance:\n  favor: 'A {actor}'\n  against: 'B {actor}'\n  neutral: 'C {actor}'\n  mixed: 'D {actor}'\n",
     "unknown label mixed"),
    ("stance:\n  favor: 'A {actor:>999999999}'\n  against: 'B {actor}'\n  neutral: 'C {actor!r}'\n",
     "write a placeholder as {actor} alone"),  # a padding width that would fill memory
    ("stance:\n  favor: 'Good {actor:d}'\n  against: 'B {actor}'\n  neutral: 'C {actor}'\n", "stance.favor: write a"),
    ("stance:\n  favor: 'A {actor}'\n  against: 'B {actor:{w}}'\n  neutral: 'C {actor}'\n", "stance.against: write a"),
    ("sentiment: {}\n", "no 'stance:' section"),
    ("stance: [unclosed\n", "not a YAML file"),
])
def test_bad_templates_are_one_line_naming_the_file(tmp_path, text, message):
    from classifier.models.zero_shot import read_templates
    from classifier.tasks import STANCE

    path = tmp_path / "templates.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as error:
        read_templates(path, STANCE)
    assert str(path) in str(error.value) and message in str(error.value)


def test_the_entailment_label_is_found_by_name():
    from classifier.models.zero_shot import entailment_index

    assert entailment_index(NLI_LABELS, "m") == 2
    assert entailment_index({0: "not_entailment", 1: "ENTAILMENT"}, "m") == 1
    with pytest.raises(InputError, match="not an NLI model: its labels \\(LABEL_0, LABEL_1\\)"):
        entailment_index({0: "LABEL_0", 1: "LABEL_1"}, "m")


def test_batched_scores_equal_each_hypothesis_scored_alone(tiny_nli):
    """Items x labels in one padded pass give what one (premise, hypothesis) at a time gives."""
    import torch

    from classifier.items import Item
    from classifier.models.zero_shot import ZeroShotModel

    model = ZeroShotModel.load(tiny_nli)
    items = [Item(id="a", text="Moscow praised the deal.", actor="Russia"),
             Item(id="b", text="A far longer sentence about the alliance and its many meetings.", actor="NATO")]
    batched = model.predict_proba(items, batch_size=2)
    for item, row in zip(items, batched):
        hypotheses = model.hypotheses(item)
        assert item.actor in hypotheses[0]
        logits = []
        for hypothesis in hypotheses:
            inputs = model.tokenizer(item.text, hypothesis, return_tensors="pt")
            with torch.inference_mode():
                logits.append(model.model(**inputs).logits[0, 2].item())  # entailment is output 2
        expected = torch.softmax(torch.tensor(logits), dim=0).numpy()
        assert row == pytest.approx(expected, abs=1e-5)
        assert row.sum() == pytest.approx(1.0)


def test_changed_templates_change_the_model_id(tiny_nli, tmp_path):
    from classifier.models.zero_shot import ZeroShotModel, default_templates_path

    edited = tmp_path / "t.yaml"
    edited.write_text(default_templates_path().read_text().replace("favourably", "kindly"))
    first, second = ZeroShotModel.load(tiny_nli), ZeroShotModel.load(tiny_nli, templates=edited)
    assert first.model_id.startswith("zero-shot:tiny-nli@") and first.model_id != second.model_id


def test_classify_zero_shot_writes_the_stance_schema_and_resumes(tmp_path, tiny_nli):
    items = items_file(tmp_path / "items.jsonl")
    out = tmp_path / "pred.jsonl"
    result = run("classify", items, "--out", out, "--zero-shot", tiny_nli, "--batch-size", "2", "-q")
    assert result.exit_code == 0, result.output
    rows = read_jsonl(out)
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    for row in rows:
        assert row["model"].startswith("zero-shot:tiny-nli@")
        assert set(row["stance_scores"]) == {"favor", "against", "neutral"}
        assert sum(row["stance_scores"].values()) == pytest.approx(1.0, abs=1e-4)
    assert rows[0]["stance_scores"] != rows[1]["stance_scores"]  # the actor is in the hypothesis
    resumed = tmp_path / "resumed.jsonl"
    (tmp_path / "resumed.jsonl.partial.jsonl").write_text(json.dumps(rows[0]) + "\n")
    result = run("classify", items, "--out", resumed, "--zero-shot", tiny_nli, "--batch-size", "2", "--resume", "-q")
    assert result.exit_code == 0, result.output
    again = read_jsonl(resumed)
    assert [r["id"] for r in again] == ["a", "b", "c"] and again[0] == rows[0]  # the journaled line as it was
    for new, old in zip(again, rows):  # the others predicted again (other batches: float noise only)
        assert new["model"] == old["model"]
        assert new["stance_scores"] == pytest.approx(old["stance_scores"], abs=1e-5)


def test_resume_with_other_templates_is_refused(tmp_path, tiny_nli):
    from classifier.models.zero_shot import default_templates_path

    items = items_file(tmp_path / "items.jsonl")
    out = tmp_path / "pred.jsonl"
    assert run("classify", items, "--out", out, "--zero-shot", tiny_nli, "-q").exit_code == 0
    edited = tmp_path / "t.yaml"
    edited.write_text(default_templates_path().read_text().replace("favourably", "kindly"))
    again = tmp_path / "again.jsonl"
    (tmp_path / "again.jsonl.partial.jsonl").write_text(json.dumps(read_jsonl(out)[0]) + "\n")
    result = run("classify", items, "--out", again, "--zero-shot", tiny_nli, "--templates", edited, "--resume")
    assert result.exit_code == 1 and "rerun with that model" in result.output


def test_zero_shot_both_tasks_share_one_model(tmp_path, tiny_nli):
    out = tmp_path / "pred.jsonl"
    result = run("classify", ROOT / "seeds", "--out", out, "--zero-shot", tiny_nli, "--task", "both", "-q")
    assert result.exit_code == 0, result.output
    rows = read_jsonl(out)
    assert len(rows) == 129
    assert all(set(r["sentiment_scores"]) == {"positive", "negative", "neutral"} for r in rows)
    assert rows[0]["sentiment_model"].startswith("zero-shot:tiny-nli@") and rows[0]["sentiment_model"] != rows[0]["model"]


def test_a_model_that_is_not_nli_is_refused(tmp_path, tiny_model_dir):
    out = tmp_path / "pred.jsonl"
    result = run("classify", items_file(tmp_path / "items.jsonl"), "--out", out, "--zero-shot", tiny_model_dir)
    assert result.exit_code == 1 and "not an NLI model" in result.output and "favor, against, neutral" in result.output
    assert not out.exists()



def test_zero_shot_finds_a_checkout_model_from_any_directory(tmp_path, monkeypatch):
    """models/NAME names the checkout's folder, as --model does, not a Hugging Face repository."""
    items = items_file(tmp_path / "items.jsonl")
    monkeypatch.chdir(tmp_path)
    result = run("classify", items, "--out", tmp_path / "p.jsonl", "--zero-shot", "models/default")
    assert result.exit_code == 1 and "default: not an NLI model" in " ".join(result.output.split())


def test_bad_zero_shot_options_are_one_line(tmp_path, tiny_nli, tiny_model_dir):
    items, out = items_file(tmp_path / "items.jsonl"), tmp_path / "pred.jsonl"
    cases = [(("--zero-shot", tiny_nli, "--model", tiny_model_dir), "pass one"),
             (("--zero-shot", tiny_nli, "--task", "sentiment", "--sentiment-model", tiny_model_dir), "pass one"),
             (("--zero-shot", tiny_nli, "--engine", "onnx"), "torch engine"),
             (("--templates", tmp_path / "t.yaml"), "--templates is for --zero-shot"),
             (("--zero-shot", tmp_path / "missing"), "no config.json"),
             (("--zero-shot", ""), "--zero-shot: empty")]
    for options, message in cases:
        result = run("classify", items, "--out", out, *options)
        assert result.exit_code == 1 and message in result.output, (options, result.output)
    assert not out.exists()


def test_truncation_cuts_the_premise_and_is_counted(tiny_nli):
    from classifier.items import Item
    from classifier.models.zero_shot import ZeroShotModel

    model = ZeroShotModel.load(tiny_nli, max_length=32)
    encoded, truncated = model.encode([Item(id="x", text="word " * 100, actor="Russia"),
                                       Item(id="y", text="Short.", actor="Russia")])
    assert truncated == 1 and all(len(pair.input_ids) == 32 for pair in encoded[0].pairs)
    hypothesis = model.tokenizer(model.hypotheses(Item(id="x", text="x", actor="Russia"))[0],
                                 add_special_tokens=False)["input_ids"]
    assert encoded[0].pairs[0].input_ids[-len(hypothesis) - 1:-1] == hypothesis  # the hypothesis survives whole
