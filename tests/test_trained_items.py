"""``stance train`` records a key of each item it trained on (``trained_items.txt``), and evaluate, classify,
calibrate and report --gold warn when items given to them are among those: by sentence and actor, so a gold set
made from the label files, a label file with more appended, or a re-export is still recognised."""

from __future__ import annotations

import json
import shutil
import sys
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

import classifier.cli.calibrate  # noqa: F401  (registers the commands used here)
import classifier.cli.classify  # noqa: F401
import classifier.cli.evaluate  # noqa: F401
import classifier.cli.label  # noqa: F401
import classifier.cli.train  # noqa: F401
from classifier.cli.app import app
from classifier.items import item_key
from classifier.models.card import TRAINED_ITEMS_FILE, in_sample_words, trained_items

sys.path.insert(0, str(Path(__file__).parent))
from test_train_cli import label_rows, write  # noqa: E402

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def said(result) -> str:
    return " ".join(result.output.split())


@pytest.fixture(scope="module")
def trained(tmp_path_factory, tiny_model_dir):
    """(folder, label file, its rows): a model trained for one epoch on 12 articles of 3 items each."""
    folder = tmp_path_factory.mktemp("trained")
    rows = label_rows(n_articles=12, per_article=3)
    labels = write(folder / "labels.jsonl", rows)
    model = folder / "ours"
    result = run("train", labels, "--out", model, "--base", tiny_model_dir, "--epochs", "1", "--n-boot", "0", "-q")
    assert result.exit_code == 0, result.output
    return model, labels, rows


def test_train_records_the_keys_of_the_train_and_dev_items_not_the_test_items(trained):
    model, _, rows = trained
    lines = (model / TRAINED_ITEMS_FILE).read_text().splitlines()
    assert lines[0].startswith("# stance trained items v1") and lines[1:] == sorted(lines[1:])
    card = json.loads((model / "model_card.json").read_text())
    train, dev, test = (int(n) for n in card["data"]["train / dev / test items"].split(" / "))
    keys = {item_key(r["text"], r["actor"]) for r in rows}
    assert set(lines[1:]) <= keys and len(lines) - 1 == train + dev and test == len(rows) - train - dev > 0
    # the key ignores case, spacing, id and spans: it survives a gold set, a re-prepare and a re-export
    assert item_key(" RUSSIA  was  blamed. ", "russia ") == item_key("Russia was blamed.", "Russia")
    assert item_key("Russia was blamed.", "Russia") != item_key("Russia was blamed.", "China")


def test_a_gold_set_made_from_the_trained_label_file_is_warned_of_with_its_count(trained, tmp_path, monkeypatch):
    model, labels, rows = trained
    known = trained_items(model)
    n = len(known.keys)
    gold = tmp_path / "gold.csv"  # other bytes, other format, other row order than the file trained on
    made = run("label", "gold", labels, "--out", gold)
    assert made.exit_code == 0, made.output
    preds = tmp_path / "preds.jsonl"
    result = run("classify", gold, "--out", preds, "--model", model, "-q")
    assert result.exit_code == 0, result.output
    assert f"{n} of {len(rows)} items ({100 * n / len(rows):.1f}%) were in ours@" in said(result), result.output
    assert "figures on them are in-sample" in said(result)
    # evaluate: told, and the count kept in its JSON; found in the predictions' models/NAME unasked, or by --model
    metrics = tmp_path / "metrics.json"
    evaluated = run("evaluate", preds, "--model", model, "--n-boot", "0", "--out", metrics, "-q")
    assert evaluated.exit_code == 0, evaluated.output
    assert f"{n} of {len(rows)} items" in said(evaluated)
    from classifier.io.files import shared_path  # the folder named as a shared file names it, not /tmp/... whole

    assert json.loads(metrics.read_text())["trained_on"] == {"model": shared_path(model), "items": n, "of": len(rows)}
    # without --model: the predictions' model found as models/NAME (here, or in the checkout) with that digest
    shutil.copytree(model, tmp_path / "models" / "ours")
    monkeypatch.chdir(tmp_path)
    assert run("classify", gold, "--out", "p2.jsonl", "--model", "models/ours", "-q").exit_code == 0
    unasked = run("evaluate", "p2.jsonl", "--n-boot", "0", "-q")
    assert unasked.exit_code == 0 and f"{n} of {len(rows)} items" in said(unasked), unasked.output
    # a label file with more items appended: the trained ones still counted
    more = write(tmp_path / "more.jsonl", [*rows, *label_rows(n_articles=2, per_article=3, prefix="z", seed=7)])
    calibrated = run("calibrate", model, more, "--dry-run")
    assert f"{n} of {len(rows) + 6} items" in said(calibrated), calibrated.output


def test_a_rerun_over_predictions_already_scored_warns_as_the_first_run_did(trained, tmp_path):
    """A rerun of the same classify over its finished output ("already scored") said nothing of the trained items
    the first run had warned of: the output's fingerprint answered without the input being read, and with it the
    count. They are counted from the output's rows, the same items, in each output format."""
    model, labels, _ = trained
    for name in ("preds.jsonl", "preds.csv", "preds.parquet"):
        command = ("classify", labels, "--out", tmp_path / name, "--model", model, "-q")
        first = run(*command)
        assert first.exit_code == 0 and "figures on them are in-sample" in said(first), first.output
        again = run(*command)
        assert again.exit_code == 0 and said(again) == said(first), (name, first.output, again.output)


def test_evaluate_says_when_it_cannot_check_the_gold_items_against_the_model_s_training_data(trained, tmp_path):
    """A model trained outside the checkout (``stance train labels.jsonl --out ../ours-v1``) scored on a gold set of
    the labels it learnt was evaluated in silence without --model: in a new user's walk, 0.937 against the
    default's 0.467 on 44 gold items of which it had trained on 36. evaluate now says the check was not made and
    names --model; with --model, the count is said instead; a model it finds says nothing of it."""
    model, labels, _ = trained
    gold = tmp_path / "gold.jsonl"
    assert run("label", "gold", labels, "--out", gold).exit_code == 0
    preds = tmp_path / "preds.jsonl"
    assert run("classify", gold, "--out", preds, "--model", model, "-q").exit_code == 0
    unasked = run("evaluate", preds, "--n-boot", "0", "-q")
    assert unasked.exit_code == 0, unasked.output
    assert "the training data of ours@" in said(unasked) and "were not checked against it; pass --model FOLDER" \
        in said(unasked), unasked.output
    asked = run("evaluate", preds, "--model", model, "--n-boot", "0", "-q")
    assert "figures on them are in-sample" in said(asked) and "not known here" not in said(asked), asked.output


def test_items_the_model_never_saw_are_not_warned_of(trained, tmp_path):
    model, _, _ = trained
    other = write(tmp_path / "other.jsonl", label_rows(n_articles=3, per_article=3, prefix="z", seed=5))
    preds = tmp_path / "preds.jsonl"
    result = run("classify", other, "--out", preds, "--model", model, "-q")
    assert result.exit_code == 0 and "warning" not in result.output, result.output
    metrics = tmp_path / "metrics.json"
    evaluated = run("evaluate", preds, "--model", model, "--n-boot", "0", "--out", metrics, "-q")
    assert "training data" not in evaluated.output, evaluated.output
    assert json.loads(metrics.read_text())["trained_on"]["items"] == 0


def test_a_model_without_the_list_falls_back_on_the_card_s_bytes_check(trained, tmp_path):
    model, labels, _ = trained
    older = tmp_path / "older"
    shutil.copytree(model, older)
    (older / TRAINED_ITEMS_FILE).unlink()
    assert trained_items(older) is None
    on_labels = run("classify", labels, "--out", tmp_path / "p1.jsonl", "--model", older, "-q")
    assert on_labels.exit_code == 0 and "was trained on (its card says so)" in said(on_labels), on_labels.output
    gold = write(tmp_path / "gold.jsonl", [json.loads(line) for line in labels.read_text().splitlines()][::-1])
    on_gold = run("classify", gold, "--out", tmp_path / "p2.jsonl", "--model", older, "-q")
    assert on_gold.exit_code == 0 and "warning" not in on_gold.output  # other bytes: not told, as before the list
    evaluated = run("evaluate", tmp_path / "p2.jsonl", "--model", older, "--n-boot", "0")
    assert evaluated.exit_code == 0 and f"no {TRAINED_ITEMS_FILE}" in said(evaluated)


def test_an_unknown_or_unreadable_list_is_no_list(tmp_path):
    assert trained_items(tmp_path) is None
    (tmp_path / TRAINED_ITEMS_FILE).write_text("# some other format\nabc\n")
    assert trained_items(tmp_path) is None
    assert in_sample_words(1, 200_000, "m").startswith("1 of 200,000 items (<0.1%) were in m's training data")
    assert in_sample_words(199_999, 200_000, "m").startswith("199,999 of 200,000 items (>99.9%)")
    assert in_sample_words(5, 5, "m").startswith("5 of 5 items (100%)")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert in_sample_words(3, 4, "m").startswith("3 of 4 items (75%)")


def test_report_gold_items_the_model_trained_on_are_warned_of(trained, tmp_path):
    from classifier.errors import InputWarning
    from classifier.report import warn_trained_gold

    model, labels, rows = trained
    preds = tmp_path / "preds.jsonl"
    assert run("classify", labels, "--out", preds, "--model", model, "-q").exit_code == 0
    n = len(trained_items(model).keys)
    with pytest.warns(InputWarning, match=f"preds.jsonl.*: {n} of {len(rows)} items .* training data"):
        warn_trained_gold(preds, model)
    older = tmp_path / "older"
    shutil.copytree(model, older)
    (older / TRAINED_ITEMS_FILE).unlink()
    with pytest.warns(InputWarning, match="no trained_items.txt .* not checked against its training data"):
        warn_trained_gold(preds, older)  # no list: said, as evaluate says it


def test_report_gold_without_model_says_the_items_were_not_checked_as_evaluate_does(trained, tmp_path):
    """report --gold without --model said nothing where the gold predictions' model is not the checkout's (its
    training data unknown), where evaluate on the same file says the check was not made and names --model; with
    --model it counts the items trained on, as before."""
    import importlib

    importlib.import_module("classifier.cli.report")  # registers the command
    model, labels, rows = trained
    preds = tmp_path / "preds.jsonl"
    assert run("classify", labels, "--out", preds, "--model", model, "-q").exit_code == 0
    common = ["--n-boot", "0", "--n-perm", "10", "--period", "none", "-q"]
    gold = shutil.copy(preds, tmp_path / "gold.jsonl")  # another file: the predictions themselves are said of once
    unasked = run("report", preds, "--out", tmp_path / "r1", "--gold", gold, *common)
    assert unasked.exit_code == 0, unasked.output
    assert (f"--gold {gold}: the training data of ours@" in said(unasked)
            and "were not checked against it; pass --model FOLDER" in said(unasked)), unasked.output
    evaluated = run("evaluate", preds, "--n-boot", "0", "-q")
    assert said(unasked).split("the training data of ")[1].split(";")[0] in said(evaluated)  # evaluate's words
    asked = run("report", preds, "--out", tmp_path / "r2", "--gold", gold, "--model", model, *common)
    n = len(trained_items(model).keys)
    assert f"{n} of {len(rows)} items" in said(asked) and "not known here" not in said(asked), asked.output


def test_a_model_trained_from_a_listed_model_lists_the_starting_models_items_too(trained, tmp_path):
    model, _, _ = trained
    rows = label_rows(n_articles=6, per_article=3, seed=7, prefix="b")
    labels = write(tmp_path / "more.jsonl", rows)
    again = tmp_path / "again"
    result = run("train", labels, "--out", again, "--base", model, "--epochs", "1", "--n-boot", "0", "-q")
    assert result.exit_code == 0, result.output
    before, after = trained_items(model), trained_items(again)
    new = {item_key(r["text"], r["actor"]) for r in rows}
    assert before.keys <= after.keys and after.keys & new and after.keys <= before.keys | new


def test_the_api_s_save_pretrained_keeps_the_list_also_over_its_own_folder(trained, tmp_path):
    import classifier

    model, _, _ = trained
    copy = tmp_path / "copy"
    shutil.copytree(model, copy)
    listed = (model / TRAINED_ITEMS_FILE).read_text()
    loaded = classifier.load_model(copy)
    assert (loaded.save_pretrained(tmp_path / "elsewhere") / TRAINED_ITEMS_FILE).read_text() == listed
    loaded.save_pretrained(copy)  # saved over the folder it was loaded from: the list had been deleted with it
    assert (copy / TRAINED_ITEMS_FILE).read_text() == listed


def test_evaluate_finds_the_checkout_s_model_as_it_reads_the_predictions_once(tmp_path, monkeypatch):
    from test_evaluate import prediction_rows, write_jsonl

    from classifier import evaluate
    from classifier.models.card import trained_items_text
    from classifier.models.stance_model import model_hash

    folder = tmp_path / "models" / "ours"
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    rows = prediction_rows(60)
    items = [type("I", (), {"text": r["text"], "actor": r["actor"]}) for r in rows[:9]]
    (folder / TRAINED_ITEMS_FILE).write_text(trained_items_text(items))
    ours = f"ours@{model_hash(folder)}:onnx"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(evaluate, "FRAME_CHUNK_ROWS", 20)
    reads = []
    chunks = evaluate.prediction_chunks
    monkeypatch.setattr(evaluate, "prediction_chunks", lambda path, *a, **k: reads.append(path) or chunks(path, *a, **k))
    write_jsonl(tmp_path / "p.jsonl", [{**r, "model": ours} for r in rows])
    with pytest.warns(UserWarning, match="9 of 60 items"):
        result = evaluate.evaluate_predictions(tmp_path / "p.jsonl", n_boot=0)
    assert result["trained_on"] == {"model": str(Path("models/ours")), "items": 9, "of": 60}
    assert len(reads) == 1  # the file had been read a second time for its texts
    # with --compare and --model: each file once
    reads.clear()
    with pytest.warns(UserWarning, match="9 of 60 items"):
        evaluate.evaluate_predictions("p.jsonl", compare="p.jsonl", n_boot=0, model_dir=folder)
    assert len(reads) == 2
    # the first chunk's model is not the checkout's, a later one is: its rows checked as they are read, once; the
    # other model's rows (the 9 trained items among them) are not checked against it
    reads.clear()
    write_jsonl(tmp_path / "q.jsonl", [{**r, "model": "org/hub@1" if i < 20 else ours} for i, r in enumerate(rows)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = evaluate.evaluate_predictions("q.jsonl", n_boot=0)["trained_on"]
    assert found == {"model": str(Path("models/ours")), "items": 0, "of": 40} and len(reads) == 1
    # a comparison whose second file labels items the first holds unlabelled reads the first file twice: the
    # checkout's model is looked up (its weights hashed) once, not at each reading
    looked = []
    checkout = evaluate.checkout_model
    monkeypatch.setattr(evaluate, "checkout_model", lambda model: looked.append(model) or checkout(model))
    write_jsonl(tmp_path / "f.jsonl", [{**r, "model": ours, **({"label": None} if i >= 50 else {})}
                                       for i, r in enumerate(rows)])
    reads.clear()
    with pytest.warns(UserWarning, match="9 of 50 items"):
        assert evaluate.evaluate_predictions("f.jsonl", compare="p.jsonl", n_boot=0)["trained_on"]["items"] == 9
    assert len(reads) == 3 and len(looked) == 1  # f.jsonl twice (its items p.jsonl labels), p.jsonl once


def test_evaluate_checks_each_row_against_its_own_model_and_says_per_model(tmp_path, monkeypatch):
    """A predictions file that mixes models (--model changed between resumed runs, files put together) had every
    row checked against one model's list: the only model found in the checkout, or --model, or, where two were
    found, none. Each row is checked against its own model's list where its folder is found (--model by its digest,
    else the checkout's models/NAME), each model looked up once, and the count is said per model."""
    from test_evaluate import prediction_rows, write_jsonl

    from classifier import evaluate
    from classifier.models.card import trained_items_text
    from classifier.models.stance_model import model_hash

    rows = prediction_rows(60)
    pick = lambda *spans: [type("I", (), {"text": r["text"], "actor": r["actor"]})  # noqa: E731
                           for a, b in spans for r in rows[a:b]]
    ids = {}
    for name, learnt in (("ours", pick((0, 9), (25, 27), (40, 43))), ("theirs", pick((20, 25), (0, 2)))):
        folder = tmp_path / "models" / name
        folder.mkdir(parents=True)
        (folder / "config.json").write_text(json.dumps({"name": name}))  # another digest
        (folder / TRAINED_ITEMS_FILE).write_text(trained_items_text(learnt))
        ids[name] = f"{name}@{model_hash(folder)}"
    monkeypatch.chdir(tmp_path)
    looked = []
    checkout = evaluate.checkout_model
    monkeypatch.setattr(evaluate, "checkout_model", lambda model: looked.append(model) or checkout(model))
    # rows 0-19 ours (one of them scored on ONNX Runtime), 20-39 theirs, 40-59 a model found nowhere
    models = [f"{ids['ours']}:onnx" if i == 5 else ids["ours"] if i < 20 else ids["theirs"] if i < 40 else "org/hub@1"
              for i in range(60)]
    write_jsonl(tmp_path / "mixed.jsonl", [{**r, "model": m} for r, m in zip(rows, models)])
    ours, theirs = str(Path("models/ours")), str(Path("models/theirs"))
    with pytest.warns(UserWarning) as said:
        found = evaluate.evaluate_predictions("mixed.jsonl", n_boot=0)["trained_on"]
    assert found == {"items": 14, "of": 40, "models": [{"model": ours, "items": 9, "of": 20},
                                                      {"model": theirs, "items": 5, "of": 20}]}
    words = [str(w.message) for w in said if "training data" in str(w.message)]
    assert words == [f"mixed.jsonl: 9 of 20 items (45%) were in {ours}'s training data; figures on them are in-sample",
                     f"mixed.jsonl: 5 of 20 items (25%) were in {theirs}'s training data; figures on them are "
                     "in-sample"]
    assert sorted(looked) == sorted([ids["ours"], ids["theirs"], "org/hub@1"])  # once each, engines as one
    # --model (a copy elsewhere: the same digest) takes the rows of its own model; the others', the checkout's
    copy = tmp_path / "elsewhere" / "ours-copy"
    shutil.copytree(tmp_path / "models" / "ours", copy)
    with pytest.warns(UserWarning, match="9 of 20 items"):
        found = evaluate.evaluate_predictions("mixed.jsonl", n_boot=0, model_dir=copy)["trained_on"]
    # named from the working directory (io.files.shared_path), not /tmp/... whole
    assert [c["model"] for c in found["models"]] == ["elsewhere/ours-copy", theirs] and found["items"] == 14
    # --model of none of a mixed file's models: said, and no row checked against it
    other = tmp_path / "elsewhere" / "other"
    shutil.copytree(tmp_path / "models" / "ours", other)
    (other / "config.json").write_text("{}")
    with pytest.warns(UserWarning) as said:
        found = evaluate.evaluate_predictions("mixed.jsonl", n_boot=0, model_dir=other)["trained_on"]
    assert found["items"] == 14 and [c["model"] for c in found["models"]] == [ours, theirs]
    assert any(f"model_dir='{other}': its digest ({model_hash(other)}) is none of the predictions' models'" in
               str(w.message) for w in said), [str(w.message) for w in said]
    # --model for a file of one model whose digest is not its own (recalibrated since): every row, as before
    write_jsonl(tmp_path / "one.jsonl", [{**r, "model": "ours@000000000000"} for r in rows])
    with pytest.warns(UserWarning, match="7 of 60 items .* in .*theirs's training data"):
        found = evaluate.evaluate_predictions("one.jsonl", n_boot=0, model_dir="models/theirs")["trained_on"]
    assert found == {"model": theirs, "items": 7, "of": 60}
    # ... and where the checkout holds a folder of that very digest: --model still, as named (the checkout's list
    # had been taken in its place, where --model's digest was not the file's model's)
    write_jsonl(tmp_path / "ours.jsonl", [{**r, "model": ids["ours"]} for r in rows])
    with pytest.warns(UserWarning, match="7 of 60 items .* in .*theirs's training data"):
        found = evaluate.evaluate_predictions("ours.jsonl", n_boot=0, model_dir="models/theirs")["trained_on"]
    assert found == {"model": theirs, "items": 7, "of": 60}


def test_evaluate_compare_warns_of_the_compared_model_s_training_items_too(tmp_path, monkeypatch):
    """evaluate NEW --compare OLD counted NEW's gold items against NEW's training data alone: OLD (models/default on
    BASIL sentences it learnt, 176 of 323) was compared on items it learnt, and nothing said so."""
    from test_evaluate import prediction_rows, write_jsonl

    from classifier import evaluate
    from classifier.models.card import trained_items_text
    from classifier.models.stance_model import model_hash

    folder = tmp_path / "models" / "old"
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    rows = prediction_rows(60)
    (folder / TRAINED_ITEMS_FILE).write_text(trained_items_text(
        [type("I", (), {"text": r["text"], "actor": r["actor"]}) for r in rows[:9]]))
    monkeypatch.chdir(tmp_path)
    write_jsonl(tmp_path / "old.jsonl", [{**r, "model": f"old@{model_hash(folder)}:onnx"} for r in rows])
    write_jsonl(tmp_path / "new.jsonl", [{**r, "model": "org/hub@1"} for r in rows])
    with pytest.warns(UserWarning) as said:
        result = evaluate.evaluate_predictions("new.jsonl", compare="old.jsonl", n_boot=0)
    words = [str(w.message) for w in said]
    # named by its option, as report --compare names it (before 2026-12-07 (7) "old.jsonl: 9 of 60 items")
    assert (f"compare='old.jsonl': 9 of 60 items (15%) were in {Path('models/old')}'s training data; figures on "
            "them are in-sample") in words, words
    assert result["compare"]["trained_on"] == {"model": str(Path("models/old")), "items": 9, "of": 60}
    assert result["trained_on"] is None  # new.jsonl's model is not known here: said as before
    # --model names the predictions' model: the compared file is still checked against its own list, not --model's
    other = tmp_path / "elsewhere" / "new"
    shutil.copytree(folder, other)
    (other / "config.json").write_text('{"name": "new"}')
    with pytest.warns(UserWarning, match="compare='old.jsonl': 9 of 60 items"):
        result = evaluate.evaluate_predictions("new.jsonl", compare="old.jsonl", n_boot=0, model_dir=other)
    assert result["compare"]["trained_on"]["model"] == str(Path("models/old"))


def old_and_new(tmp_path: Path, monkeypatch) -> tuple[Path, Path]:
    """models/old and models/new under ``tmp_path`` (the working directory), each with a ``trained_items.txt`` (9
    and 4 of the 60 gold rows), and old.jsonl and new.jsonl, those rows predicted by each."""
    from test_evaluate import prediction_rows, write_jsonl

    from classifier.models.card import trained_items_text
    from classifier.models.stance_model import model_hash

    def model(name: str, learnt: list[dict]) -> Path:
        folder = tmp_path / "models" / name
        folder.mkdir(parents=True)
        (folder / "config.json").write_text(json.dumps({"name": name}))
        (folder / TRAINED_ITEMS_FILE).write_text(trained_items_text(
            [type("I", (), {"text": r["text"], "actor": r["actor"]}) for r in learnt]))
        return folder

    rows = prediction_rows(60)
    old, new = model("old", rows[:9]), model("new", rows[50:54])
    monkeypatch.chdir(tmp_path)
    write_jsonl(tmp_path / "old.jsonl", [{**r, "model": f"old@{model_hash(old)}:onnx"} for r in rows])
    write_jsonl(tmp_path / "new.jsonl", [{**r, "model": f"new@{model_hash(new)}:onnx"} for r in rows])
    return old, new


def test_report_compare_and_own_gold_rows_are_checked_against_each_model_s_training_data(tmp_path, monkeypatch):
    """report NEW --compare OLD scored both models on the gold labels the files share (and NEW on its own gold rows,
    the evaluation and the correction) and checked neither against its training data: OLD (models/old, 9 of its 60
    gold items learnt) was credited in silence. Now each file is warned of in evaluate's words and report.json keeps
    evaluation.trained_on, correction.trained_on and compare.trained_on where evaluate keeps trained_on."""
    from classifier.report import make_report

    old, new = old_and_new(tmp_path, monkeypatch)
    options = dict(n_boot=0, n_perm=10, period="none", examples=0)
    with pytest.warns(UserWarning) as warned:
        result = make_report("new.jsonl", "r", compare="old.jsonl", **options)
    words = [str(w.message) for w in warned]
    evaluate_words = in_sample_words(9, 60, str(Path("models/old")))
    assert f"compare='old.jsonl': {evaluate_words}" in words, words
    assert f"new.jsonl: {in_sample_words(4, 60, str(Path('models/new')))}" in words, words
    saved = json.loads((tmp_path / "r" / "report.json").read_text())
    assert saved["compare"]["trained_on"] == {"model": str(Path("models/old")), "items": 9, "of": 60}
    assert saved["evaluation"]["trained_on"] == saved["correction"]["trained_on"] == {
        "model": str(Path("models/new")), "items": 4, "of": 60}
    assert result["compare"]["trained_on"] == saved["compare"]["trained_on"]
    # --model names the predictions' model (the card's): OLD is still counted against its own list, not --model's
    with pytest.warns(UserWarning) as warned:
        make_report("new.jsonl", "r2", compare="old.jsonl", model_dir=new, **options)
    words = [str(w.message) for w in warned]
    assert f"compare='old.jsonl': {evaluate_words}" in words, words
    assert json.loads((tmp_path / "r2" / "report.json").read_text())["compare"]["trained_on"]["items"] == 9
    # --gold: the correction's gold set, counted against its own model's list as before, now kept too
    with pytest.warns(UserWarning, match=r"gold='old.jsonl': 9 of 60 items"):
        make_report("new.jsonl", "r3", gold="old.jsonl", **options)
    saved = json.loads((tmp_path / "r3" / "report.json").read_text())
    assert saved["correction"]["trained_on"]["items"] == 9 and saved["evaluation"]["trained_on"]["items"] == 4


def test_report_page_says_in_its_notes_which_gold_items_were_in_sample(tmp_path, monkeypatch):
    """report warned at the terminal and kept in report.json (evaluation, correction and compare.trained_on) that a
    model was scored on gold items it trained on, but report.html and report.md, the page that is shared, said
    nothing of it. The evaluation, correction and compare notes now end with the terminal's words."""
    import html

    from classifier.report import in_sample_note, make_report
    from classifier.report.html import md

    old_and_new(tmp_path, monkeypatch)
    with pytest.warns(UserWarning):
        make_report("new.jsonl", "r", compare="old.jsonl", n_boot=0, n_perm=10, period="none", examples=0)
    learnt = {name: f"Warning: {in_sample_words(n, 60, str(Path('models') / name))}."
              for name, n in (("new", 4), ("old", 9))}
    markdown = (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    sections = {part.split("\n", 1)[0]: part for part in markdown.split("\n## ")}
    page = html.unescape((tmp_path / "r" / "report.html").read_text(encoding="utf-8"))
    for heading, name in (("Shares corrected for classifier error", "new"), ("Evaluation on gold labels", "new"),
                          ("Before and after", "old")):
        assert md(learnt[name]) in sections[heading], (heading, sections[heading])
        other = learnt["old" if name == "new" else "new"]
        assert md(other) not in sections[heading], heading  # each note names its own gold set's model
        assert page.count(learnt[name]) == markdown.count(md(learnt[name])), name  # the page's words as the md's
    assert page.count(learnt["new"]) == 2 and page.count(learnt["old"]) == 1
    # predictions of several models: a sentence for each model that trained on some; none where none did
    several = {"items": 5, "of": 20,
               "models": [{"model": "a", "items": 5, "of": 10}, {"model": "b", "items": 0, "of": 10}]}
    assert in_sample_note(several) == f" Warning: {in_sample_words(5, 10, 'a')}."
    assert in_sample_note(None) == in_sample_note({"model": "a", "items": 0, "of": 10}) == ""
def test_a_file_given_twice_is_warned_of_once_for_one_count(tmp_path, monkeypatch):
    """evaluate P --compare P said P's in-sample count twice in the same words, and report P --compare P --gold P
    three times (P, --compare P, --gold P): the file given twice is warned of once where its count is the same,
    and the counts are kept as before. A --gold P of another --kind counts other rows: said, as it differs."""
    from test_evaluate import prediction_rows, write_jsonl

    from classifier import evaluate
    from classifier.models.card import trained_items_text
    from classifier.models.stance_model import model_hash
    from classifier.report import make_report

    rows = [{**row, "kind": "headline" if n % 5 == 0 else "body"} for n, row in enumerate(prediction_rows(60))]
    folder = tmp_path / "models" / "new"
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    (folder / TRAINED_ITEMS_FILE).write_text(trained_items_text(
        [type("I", (), {"text": r["text"], "actor": r["actor"]}) for r in rows[1:5]]))
    monkeypatch.chdir(tmp_path)
    write_jsonl(tmp_path / "new.jsonl", [{**r, "model": f"new@{model_hash(folder)}:onnx"} for r in rows])
    count = {"model": str(Path("models/new")), "items": 4, "of": 60}
    in_sample = in_sample_words(4, 60, str(Path("models/new")))
    with pytest.warns(UserWarning) as warned:
        result = evaluate.evaluate_predictions("new.jsonl", compare="./new.jsonl", n_boot=0)
    words = [str(w.message) for w in warned if in_sample in str(w.message)]
    assert words == [f"new.jsonl: {in_sample}"], words
    assert result["trained_on"] == result["compare"]["trained_on"] == count
    options = dict(n_boot=0, n_perm=10, period="none", examples=0)
    with pytest.warns(UserWarning) as warned:
        make_report("new.jsonl", "r", compare="new.jsonl", gold="./new.jsonl", **options)
    words = [str(w.message) for w in warned if "training data" in str(w.message)]
    assert words == [f"new.jsonl: {in_sample}"], words
    saved = json.loads((tmp_path / "r" / "report.json").read_text())
    assert saved["evaluation"]["trained_on"] == saved["correction"]["trained_on"] == saved["compare"]["trained_on"] \
        == count
    with pytest.warns(UserWarning) as warned:  # the headline rows hold none of the 4: --gold's count differs
        make_report("new.jsonl", "r2", gold="new.jsonl", kind="headline", **options)
    words = [str(w.message) for w in warned if "training data" in str(w.message)]
    assert words == [f"gold='new.jsonl': {in_sample}"], words


def test_report_json_keeps_correction_trained_on_null_without_gold(tmp_path):
    """Predictions without a gold label (no 'label' column at all): report.json's correction had no trained_on key,
    where evaluation and compare are null; a script reading correction.trained_on met a KeyError. Now it is null."""
    from test_evaluate import prediction_rows, write_jsonl

    from classifier.report import make_report

    rows = [{k: v for k, v in row.items() if k != "label"} for row in prediction_rows(60)]
    write_jsonl(tmp_path / "p.jsonl", rows)
    make_report(tmp_path / "p.jsonl", tmp_path / "r", n_boot=0, n_perm=10, period="none", examples=0)
    saved = json.loads((tmp_path / "r" / "report.json").read_text())
    assert saved["evaluation"] is None and saved["compare"] is None
    assert "trained_on" in saved["correction"] and saved["correction"]["trained_on"] is None, saved["correction"]


def test_report_page_says_when_the_gold_items_could_not_be_checked(tmp_path, monkeypatch):
    """Where the gold items could not be checked against the model's training data (its folder unknown here, or
    --model without trained_items.txt) only the terminal said so: the page's evaluation and correction notes were
    silent, so a reader could not tell the accuracy might be in-sample. Now they end with the terminal's words and
    report.json keeps them as not_checked beside trained_on (null where checked), naming --model as the report's
    files do."""
    import html

    from test_evaluate import prediction_rows, write_jsonl

    from classifier.report import make_report
    from classifier.report.html import md

    monkeypatch.chdir(tmp_path)
    write_jsonl(tmp_path / "p.jsonl", [{**r, "model": "elsewhere@abc123:onnx"} for r in prediction_rows(60)])
    folder = tmp_path / "listless"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    options = dict(n_boot=0, n_perm=10, period="none", examples=0)
    for out, model_dir in (("r1", None), ("r2", folder)):
        with pytest.warns(UserWarning) as warned:
            make_report("p.jsonl", out, model_dir=model_dir, **options)
        told = [str(w.message) for w in warned if "not checked" in str(w.message)]
        assert len(told) == 1, told
        # the file's name is the terminal's alone; --model is named as the report's files name it, not the author's
        # folders
        words = told[0].removeprefix("p.jsonl: ").replace(str(folder), "listless")
        assert model_dir is None or str(folder) in told[0]
        saved = json.loads((tmp_path / out / "report.json").read_text())
        assert saved["evaluation"]["not_checked"] == saved["correction"]["not_checked"] == words, saved
        assert saved["evaluation"]["trained_on"] is None
        markdown = (tmp_path / out / "report.md").read_text(encoding="utf-8")
        sections = {part.split("\n", 1)[0]: part for part in markdown.split("\n## ")}
        for heading in ("Shares corrected for classifier error", "Evaluation on gold labels"):
            assert md(f"Warning: {words}.") in sections[heading], (heading, sections[heading])
        page = html.unescape((tmp_path / out / "report.html").read_text(encoding="utf-8"))
        assert page.count(f"Warning: {words}.") == 2
    assert "the training data of elsewhere@abc123 is not known here" in json.loads(
        (tmp_path / "r1" / "report.json").read_text())["evaluation"]["not_checked"]
    old_and_new(tmp_path, monkeypatch)  # checked: null, and the notes say nothing of it
    with pytest.warns(UserWarning):
        make_report("new.jsonl", "r3", **options)
    saved = json.loads((tmp_path / "r3" / "report.json").read_text())
    assert saved["evaluation"]["not_checked"] is None and saved["correction"]["not_checked"] is None
    assert "not checked" not in (tmp_path / "r3" / "report.md").read_text(encoding="utf-8")


def test_evaluate_json_says_why_the_gold_items_were_not_checked_and_names_no_one_s_folders(tmp_path, monkeypatch):
    """evaluate --out kept trained_on but not why the gold items could not be checked (report.json keeps it as
    evaluation.not_checked): now not_checked, the terminal's words, null where checked. And --model /home/alice/x
    was written whole into trained_on.model (as the predictions' path into predictions): a shared metrics.json
    showed its author's folders. Now each is named relative to the working directory where it is inside it, else
    by its name alone (io.files.shared_path, as the report's files name inputs); the terminal names them as given."""
    from test_evaluate import prediction_rows, write_jsonl

    from classifier.evaluate import no_list_words

    old, new = old_and_new(tmp_path, monkeypatch)
    write_jsonl(tmp_path / "else.jsonl", [{**r, "model": "elsewhere@abc123:onnx"} for r in prediction_rows(60)])
    listless = tmp_path / "listless"
    listless.mkdir()
    (listless / "config.json").write_text("{}")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # every path below is outside the working directory, and absolute

    def evaluate(*args) -> tuple[str, dict, str]:
        result = run("evaluate", *args, "--n-boot", "0", "--out", work / "m.json", "-q")
        assert result.exit_code == 0, result.output
        text = (work / "m.json").read_text()
        return said(result), json.loads(text), text

    told, saved, text = evaluate(tmp_path / "else.jsonl")
    assert saved["trained_on"] is None and "the training data of elsewhere@abc123 is not known here" in \
        saved["not_checked"] and saved["not_checked"] in told, (saved["not_checked"], told)
    told, saved, text = evaluate(tmp_path / "else.jsonl", "--model", listless)
    assert saved["not_checked"].startswith("--model '…/listless': no trained_items.txt") and str(listless) in told
    assert saved["not_checked"].split(": ", 1)[1] == no_list_words("X").split(": ", 1)[1]  # the terminal's words
    assert str(tmp_path) not in text
    told, saved, text = evaluate(tmp_path / "new.jsonl", "--model", new, "--compare", tmp_path / "old.jsonl")
    assert saved["not_checked"] is None
    assert saved["trained_on"] == {"model": "…/new", "items": 4, "of": 60}
    assert saved["predictions"] == "…/new.jsonl" and saved["compare"]["first"] == "…/old.jsonl"
    assert str(tmp_path) not in text
    assert in_sample_words(4, 60, str(new)) in told  # the terminal names the folder as given
    monkeypatch.chdir(tmp_path)  # inside the working directory: relative to it
    told, saved, text = evaluate(tmp_path / "new.jsonl", "--model", new, "--compare", tmp_path / "old.jsonl")
    assert saved["trained_on"]["model"] == "models/new" and saved["predictions"] == "new.jsonl"
    assert saved["compare"]["trained_on"]["model"] == "models/old" and str(tmp_path) not in text


def test_report_terminal_says_the_in_sample_and_not_checked_sentences_once(tmp_path, monkeypatch):
    """report warned that a file's gold items were in the model's training data (or could not be checked), then
    said it again at the end of the correction note it prints: twice for one file. --compare O --gold O said O's
    count twice too (once for each option). Now once per file; the page's notes keep the sentence."""
    import importlib

    importlib.import_module("classifier.cli.report")  # registers the command
    from test_evaluate import prediction_rows, write_jsonl

    old_and_new(tmp_path, monkeypatch)
    write_jsonl(tmp_path / "else.jsonl", [{**r, "model": "elsewhere@abc123:onnx"} for r in prediction_rows(60)])
    options = ("--n-boot", "0", "--n-perm", "10", "--period", "none", "--examples", "0")
    new_words, old_words = (in_sample_words(n, 60, str(Path("models") / name)) for name, n in (("new", 4), ("old", 9)))
    result = run("report", "new.jsonl", "--out", "r1", *options)
    assert result.exit_code == 0 and said(result).count(new_words) == 1, result.output
    assert new_words in (tmp_path / "r1" / "report.md").read_text(encoding="utf-8")  # the page still says it
    result = run("report", "new.jsonl", "--out", "r2", "--compare", "old.jsonl", "--gold", "old.jsonl", *options)
    assert result.exit_code == 0, result.output
    assert said(result).count(new_words) == 1 and said(result).count(old_words) == 1, result.output
    result = run("report", "else.jsonl", "--out", "r3", *options)
    assert result.exit_code == 0 and said(result).count("were not checked against it") == 1, result.output


def test_report_compared_with_itself_says_so_on_the_page_and_in_report_json(tmp_path, monkeypatch):
    """report P --compare P warned at the terminal only that every difference is 0; the page and report.json, which
    are shared, showed a comparison of two models that was none. Now the Before and after section opens with the
    warning (escaped) and report.json keeps it as compare.warning (null where the files differ)."""
    import html

    from classifier.report import make_report
    from classifier.report.html import md

    old_and_new(tmp_path, monkeypatch)
    odd = tmp_path / "a<b>&.jsonl"  # a name the page must escape
    shutil.copy(tmp_path / "new.jsonl", odd)
    options = dict(n_boot=0, n_perm=10, period="none", examples=0)
    with pytest.warns(UserWarning, match="the same file as the first") as warned:
        make_report(odd.name, "r", compare=f"./{odd.name}", **options)
    told = next(str(w.message) for w in warned if "the same file" in str(w.message))
    saved = json.loads((tmp_path / "r" / "report.json").read_text())
    words = told.replace("./", "")  # --compare named as the report's files name it
    assert saved["compare"]["warning"] == words and odd.name in words, (saved["compare"]["warning"], told)
    markdown = (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    section = markdown.split("\n## Before and after\n", 1)[1].split("\n## ", 1)[0]
    assert section.lstrip().startswith(md(f"Warning: {words}.")), section[:300]
    page = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert f"Warning: {words}." in html.unescape(page) and "a<b>" not in page
    with pytest.warns(UserWarning):
        make_report("new.jsonl", "r2", compare="old.jsonl", **options)
    assert json.loads((tmp_path / "r2" / "report.json").read_text())["compare"]["warning"] is None
    assert "the same file" not in (tmp_path / "r2" / "report.md").read_text(encoding="utf-8")


def test_evaluate_compare_says_the_verdict_again_on_the_items_neither_model_learnt(tmp_path, monkeypatch):
    """evaluate NEW --compare OLD on a gold set most of which NEW trained on (train's own split of 5 seed articles:
    93 of 129) said "NEW is higher by 0.167 (95% interval [0.021, 0.290]; p = 0.042)", a warning apart; the
    verdict now goes on with the same comparison on the gold items neither model trained on."""
    from classifier import evaluate

    old_and_new(tmp_path, monkeypatch)  # old learnt 9 of the 60 gold rows, new 4 others
    with pytest.warns(UserWarning, match="training data"):
        result = evaluate.evaluate_predictions("new.jsonl", compare="old.jsonl", n_boot=50)
    compare = result["compare"]
    assert compare["unseen"]["n_in_sample"] == 13 and compare["unseen"]["n_common"] == 47
    assert ("But 13 of these 60 items were in a compared model's training data (in-sample figures, which flatter "
            "it). Without them, on the same 47 gold items") in compare["verdict"], compare["verdict"]
    # none left that neither learnt: said so, not an error
    for name in ("old.jsonl", "new.jsonl"):
        rows = [json.loads(line) for line in (tmp_path / name).read_text().splitlines()]
        (tmp_path / name).write_text("".join(json.dumps(r) + "\n" for r in rows[:9]))
    with pytest.warns(UserWarning, match="training data"):
        compare = evaluate.evaluate_predictions("new.jsonl", compare="old.jsonl", n_boot=0)["compare"]
    assert "none is left that neither learnt" in compare["verdict"] and compare["unseen"]["n_common"] == 0


def test_evaluate_compare_of_models_that_learnt_none_of_the_gold_items_says_no_more(tmp_path, monkeypatch):
    from test_evaluate import prediction_rows, write_jsonl

    from classifier import evaluate

    rows = prediction_rows(60)
    write_jsonl(tmp_path / "old.jsonl", [{**r, "model": "org/old@1"} for r in rows])
    write_jsonl(tmp_path / "new.jsonl", [{**r, "model": "org/new@2"} for r in rows])
    monkeypatch.chdir(tmp_path)
    with pytest.warns(UserWarning, match="not known here"):
        compare = evaluate.evaluate_predictions("new.jsonl", compare="old.jsonl", n_boot=0)["compare"]
    assert "unseen" not in compare and "Without them" not in compare["verdict"]
