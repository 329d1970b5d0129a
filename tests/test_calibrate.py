"""stance calibrate: temperature scaling fitted by NLL, stored in stance.json, applied when loaded."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from scipy.special import softmax
from sklearn.metrics import log_loss
from typer.testing import CliRunner

from classifier.cli import calibrate, evaluate, report  # noqa: F401  (register the commands)
from classifier.cli.app import app
from classifier.models.calibrate import fit_temperature, model_logits, nll_at

runner = CliRunner()
ACTORS = ("Russia", "NATO", "China", "the EU")


def test_fit_temperature_recovers_a_known_temperature():
    rng = np.random.default_rng(0)
    true_logits = rng.normal(0, 2, size=(4000, 3))
    gold = np.array([rng.choice(3, p=p) for p in softmax(true_logits, axis=1)])
    assert fit_temperature(true_logits * 3.0, gold) == pytest.approx(3.0, rel=0.1)
    assert fit_temperature(true_logits / 2.0, gold) == pytest.approx(0.5, rel=0.1)


def test_fit_temperature_is_the_nll_minimum():
    rng = np.random.default_rng(1)
    logits, gold = rng.normal(0, 1, size=(300, 3)), rng.integers(0, 3, 300)
    logits[np.arange(300), gold] += 1.0
    found = fit_temperature(logits, gold)
    grid = np.exp(np.linspace(np.log(0.05), np.log(20), 400))
    losses = [log_loss(gold, softmax(logits / t, axis=1), labels=[0, 1, 2]) for t in grid]  # independent: sklearn
    assert nll_at(logits, gold, found) <= min(losses) + 1e-6
    assert found == pytest.approx(grid[int(np.argmin(losses))], rel=0.02)


def dev_items(path, model, n: int = 48, seed: int = 0):
    """Items labelled mostly with the tiny model's own argmax, so a temperature below 1 fits them better."""
    from classifier.items import LABELS, Item

    rng = np.random.default_rng(seed)
    items = []
    for i in range(n):
        actor = ACTORS[i % len(ACTORS)]
        text = f"{actor} signed the agreement number {i} after long talks."
        items.append(Item(id=f"d{i}", text=text, actor=actor, spans=[(0, len(actor))]))
    logits = model_logits(model, items)
    rows = []
    for item, row in zip(items, logits):
        label = model.labels[int(row.argmax())] if rng.random() < 0.8 else LABELS[rng.integers(3)]
        rows.append({**item.model_dump(), "spans": [list(s) for s in item.spans], "label": label})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_calibrate_writes_the_temperature_the_model_then_uses(tmp_path, tiny_model_dir, tiny_model):
    from classifier.models.stance_model import StanceModel

    model_dir = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model_dir)
    dev = dev_items(tmp_path / "dev.jsonl", tiny_model)
    dry = runner.invoke(app, ["calibrate", str(model_dir), str(dev), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert json.loads((model_dir / "stance.json").read_text())["temperature"] == 1.0
    result = runner.invoke(app, ["calibrate", str(model_dir), str(dev), "--force"])
    assert result.exit_code == 0, result.output
    assert "before" in result.output and "after" in result.output and "ECE" in result.output
    assert "fitted on 48 labelled items, fewer than 100, the temperature" in " ".join(result.output.split())
    assert "written with --force" in " ".join(result.output.split())  # the tiny model's fits are refused without
    settings = json.loads((model_dir / "stance.json").read_text())
    assert settings["temperature"] < 1.0 and settings["input_format"] == "pair"  # other keys kept
    card = json.loads((model_dir / "model_card.json").read_text())  # it says which temperature the model now uses
    assert card["calibration"]["temperature"] == settings["temperature"]
    assert f"{dev} (48 items) by stance calibrate; ECE" in card["calibration"]["fitted_on"]
    assert "## Calibration" in (model_dir / "README.md").read_text()
    loaded = StanceModel.load(model_dir)
    assert loaded.temperature == pytest.approx(settings["temperature"])
    from classifier.items import read_items

    items = list(read_items(dev))
    gold = np.array([loaded.labels.index(item.label) for item in items])
    logits = model_logits(loaded, items)
    nll_before = log_loss(gold, softmax(logits, axis=1), labels=[0, 1, 2])
    probs = loaded.predict_proba(items)
    nll_after = log_loss(gold, probs / probs.sum(axis=1, keepdims=True), labels=[0, 1, 2])
    assert nll_after < nll_before


def test_a_temperature_from_few_items_or_out_of_range_is_not_written_without_force(tmp_path, tiny_model_dir,
                                                                                     tiny_model):
    """A fit on a few dozen items had been written with a warning alone, whatever temperature it gave."""
    model_dir = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model_dir)
    files = {p.name: p.read_bytes() for p in model_dir.iterdir()}
    few = dev_items(tmp_path / "few.jsonl", tiny_model, n=30)
    result = runner.invoke(app, ["calibrate", str(model_dir), str(few)])
    said = " ".join(result.output.split())
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert "95% interval" in said and "over 200 resamples of the dev items' articles" in said  # the spread, shown
    assert f"error: {model_dir}: temperature not written: fitted on 30 labelled items, fewer than 100, the " \
           "temperature" in said and "--force writes it anyway" in said
    # 120 items the tiny model's near-zero logits get mostly right: the fit runs to the search's bound, 0.05
    many = dev_items(tmp_path / "many.jsonl", tiny_model, n=120)
    result = runner.invoke(app, ["calibrate", str(model_dir), str(many)])
    said = " ".join(result.output.split())
    assert result.exit_code == 1 and "the temperature 0.05 is outside 0.2 to 10: it would make nearly every " \
        "probability near-certain" in said, said
    assert {p.name: p.read_bytes() for p in model_dir.iterdir()} == files  # nothing written
    for extra, would in (([], "a run without --dry-run would refuse to write it unless --force"),
                         (["--force"], "a run without --dry-run would write it, as --force is given")):
        dry = runner.invoke(app, ["calibrate", str(model_dir), str(many), "--dry-run", *extra])
        said = " ".join(dry.output.split())  # the warning and the last line agree: --dry-run wrote nothing
        assert dry.exit_code == 0 and "near-certain" in said and f"; {would} accuracy" in said, said
        assert said.endswith("; not written (--dry-run)")
        assert "not written without --force" not in said
        assert {p.name: p.read_bytes() for p in model_dir.iterdir()} == files
    forced = runner.invoke(app, ["calibrate", str(model_dir), str(many), "--force"])
    assert forced.exit_code == 0 and "written with --force" in " ".join(forced.output.split()), forced.output
    assert json.loads((model_dir / "stance.json").read_text())["temperature"] == pytest.approx(0.05, abs=1e-3)


def test_quiet_keeps_the_warnings_errors_and_closing_line(tmp_path, tiny_model_dir, tiny_model):
    """'calibrate -q' was a usage error (No such option), where every other command that prints a table takes it;
    with it the fit's table and interval line are left out, and the warning, the error or the closing line stay."""
    model_dir = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model_dir)
    few = dev_items(tmp_path / "few.jsonl", tiny_model, n=30)
    dry = runner.invoke(app, ["calibrate", str(model_dir), str(few), "--dry-run", "-q"])
    lines = [" ".join(line.split()) for line in " ".join(dry.output.split("\n")).split("warning: ") if line.strip()]
    assert dry.exit_code == 0, dry.output
    assert "temperature scaling on" not in dry.output and "resamples of the dev items' articles" not in dry.output
    assert len(lines) == 1 and lines[0].startswith("fitted on 30 labelled items, fewer than 100")
    assert lines[0].endswith("; not written (--dry-run)")
    refused = runner.invoke(app, ["calibrate", str(model_dir), str(few), "--quiet"])
    assert refused.exit_code == 1 and " ".join(refused.output.split()).startswith(
        f"error: {model_dir}: temperature not written: fitted on 30 labelled items"), refused.output
    forced = runner.invoke(app, ["calibrate", str(model_dir), str(few), "--force", "-q"])
    said = " ".join(forced.output.split())
    assert forced.exit_code == 0 and "temperature scaling on" not in said and "written with --force" in said, said
    assert said.endswith(f"temperature written to {model_dir}/stance.json")


def test_a_doubtful_fit_is_an_error_in_python_too_and_nothing_is_written(tmp_path, tiny_model_dir, tiny_model):
    """calibrate_model returned written False and refused "..." without a word below 100 items: a script that did
    not read 'refused' went on as if the model were calibrated. It raises, with the fit on the error."""
    from classifier.errors import InputError
    from classifier.models.calibrate import RefusedFit, calibrate_model

    model_dir = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model_dir)
    files = {p.name: p.read_bytes() for p in model_dir.iterdir()}
    few = dev_items(tmp_path / "few.jsonl", tiny_model, n=30)
    with pytest.raises(InputError, match=r"temperature not written: fitted on 30 labelled items, fewer than 100.* "
                                         r"force=True writes it anyway") as refused:
        calibrate_model(model_dir, few)
    assert isinstance(refused.value, RefusedFit) and refused.value.result["items"] == 30
    assert not refused.value.result["written"] and refused.value.result["temperature_ci"] is not None
    assert {p.name: p.read_bytes() for p in model_dir.iterdir()} == files
    looked = calibrate_model(model_dir, few, write=False)  # only looking: the doubt is said, nothing raised
    assert "fewer than 100" in looked["doubt"] and not looked["written"]
    assert calibrate_model(model_dir, few, force=True)["written"]
    assert {p.name: p.read_bytes() for p in model_dir.iterdir()} != files


def test_the_temperature_interval_resamples_whole_articles():
    from classifier.models.calibrate import doubtful_fit, temperature_interval

    rng = np.random.default_rng(3)
    logits = rng.normal(0, 2, size=(120, 3))
    gold = np.array([rng.choice(3, p=p) for p in softmax(logits / 2, axis=1)])
    twice = np.repeat(np.arange(120), 2)  # weights are items drawn twice
    assert fit_temperature(logits, gold, weights=np.full(120, 2.0)) == pytest.approx(
        fit_temperature(logits[twice], gold[twice]), rel=1e-4)
    low, high = temperature_interval(logits, gold, [f"a{i // 6}" for i in range(120)])
    assert low < fit_temperature(logits, gold) < high
    assert temperature_interval(logits, gold, ["one"] * 120) is None  # one article: nothing to resample
    assert doubtful_fit(120, 2.0, [low, high]) is None
    assert "fewer than 100" in doubtful_fit(99, 2.0, None) and "near-uniform" in doubtful_fit(100, 12.0, None)


def test_calibrate_needs_gold_labels(tmp_path, tiny_model_dir):
    dev = tmp_path / "dev.jsonl"
    dev.write_text(json.dumps({"id": "1", "text": "NATO met.", "actor": "NATO", "spans": [[0, 4]]}) + "\n")
    model_dir = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model_dir)
    result = runner.invoke(app, ["calibrate", str(model_dir), str(dev)])
    assert result.exit_code == 1 and "no item has a gold 'label'" in result.output
    missing = runner.invoke(app, ["calibrate", str(tmp_path / "nowhere"), str(dev)])
    assert missing.exit_code == 1 and "nowhere: no such model folder" in missing.output


def test_calibrate_refuses_labels_of_the_other_task_in_one_line(tmp_path, tiny_model_dir, tiny_sentiment_dir):
    stance_dev = tmp_path / "stance.jsonl"
    stance_dev.write_text(json.dumps({"id": "1", "text": "NATO met.", "actor": "NATO", "label": "favor"}) + "\n")
    sentiment_dev = tmp_path / "sentiment.jsonl"
    sentiment_dev.write_text(json.dumps({"id": "1", "text": "Markets rallied.", "label": "positive"}) + "\n")
    for model, dev, said in ((tiny_sentiment_dir, stance_dev, "stance labels, and"),
                             (tiny_model_dir, sentiment_dev, "sentiment labels, and")):
        result = runner.invoke(app, ["calibrate", str(model), str(dev), "--dry-run"])
        assert result.exit_code == 1 and said in result.output and "Traceback" not in result.output
    no_actor = tmp_path / "no_actor.jsonl"
    no_actor.write_text(json.dumps({"id": "1", "text": "NATO met.", "label": "neutral"}) + "\n")
    result = runner.invoke(app, ["calibrate", str(tiny_model_dir), str(no_actor), "--dry-run"])
    assert result.exit_code == 1 and f"{no_actor}:1: no 'actor'" in " ".join(result.output.split())


def test_calibrate_refuses_repeated_ids_and_writes_nothing(tmp_path, tiny_model_dir, tiny_model):
    dev = dev_items(tmp_path / "dev.jsonl", tiny_model, n=6)
    dev.write_text(dev.read_text() + dev.read_text().splitlines()[0] + "\n")
    model_dir = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model_dir)
    before = (model_dir / "stance.json").read_text()
    result = runner.invoke(app, ["calibrate", str(model_dir), str(dev)])
    assert result.exit_code == 1 and f"duplicate item id 'd0' ({dev}:1 and {dev}:7;" in " ".join(result.output.split())
    assert (model_dir / "stance.json").read_text() == before


def test_dev_rows_without_spans_are_marked_as_classify_marks_them(tmp_path, tiny_model_dir, monkeypatch):
    from classifier.models import calibrate

    dev = tmp_path / "dev.csv"
    dev.write_text("id,text,actor,label\n1,The Kremlin agreed.,Russia,favor\n2,Beijing objected.,China,against\n")
    seen = []

    def logits_of(model, items, batch_size=64):
        seen.extend(items)
        return np.zeros((len(items), 3))

    monkeypatch.setattr(calibrate, "model_logits", logits_of)
    calibrate.calibrate_model(tiny_model_dir, dev, write=False)
    assert [item.spans for item in seen] == [[(4, 11)], [(0, 7)]]


def test_calibrating_again_keeps_the_temperature_it_replaces_in_the_card(tmp_path, tiny_model_dir, tiny_model):
    model_dir = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model_dir)
    first, second = dev_items(tmp_path / "a.jsonl", tiny_model), dev_items(tmp_path / "b.jsonl", tiny_model, seed=1)
    assert runner.invoke(app, ["calibrate", str(model_dir), str(first), "--force"]).exit_code == 0
    fitted = json.loads((model_dir / "model_card.json").read_text())["calibration"]
    assert "earlier" not in fitted  # it replaced the uncalibrated 1.0: nothing to keep
    again = runner.invoke(app, ["calibrate", str(model_dir), str(second), "--force"])
    assert again.exit_code == 0, again.output
    said = " ".join(again.output.split())
    assert f"(it was {fitted['temperature']}: its model card keeps it under calibration, earlier)" in said, said
    now = json.loads((model_dir / "model_card.json").read_text())["calibration"]
    assert now["temperature"] == json.loads((model_dir / "stance.json").read_text())["temperature"]
    assert now["earlier"] == f"temperature {fitted['temperature']}, fitted on {fitted['fitted_on']}"
    assert f"| earlier | temperature {fitted['temperature']}, fitted on {first}" in (model_dir / "README.md").read_text()


def labels_by_turn(dev, path):
    """``dev``'s items labelled by turn, whatever the model says: a temperature far from the one ``dev`` fits."""
    from classifier.items import LABELS

    rows = [json.loads(line) for line in dev.read_text().splitlines()]
    path.write_text("".join(json.dumps({**row, "label": LABELS[i % 3]}) + "\n" for i, row in enumerate(rows)))
    return path


def test_a_failure_between_stance_json_and_the_card_leaves_both_as_they_were(tmp_path, tiny_model_dir, tiny_model,
                                                                             monkeypatch):
    import classifier.models.card as card_module
    from classifier.errors import InputError

    model_dir = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model_dir)
    dev = dev_items(tmp_path / "dev.jsonl", tiny_model)
    assert runner.invoke(app, ["calibrate", str(model_dir), str(dev), "--force"]).exit_code == 0  # a card, calibrated
    files = {p.name: p.read_bytes() for p in model_dir.iterdir()}

    def full_disk(*args, **kwargs):  # the card's write fails after stance.json was written
        raise InputError("disk full")

    monkeypatch.setattr(card_module, "write_card", full_disk)
    failed = runner.invoke(app, ["calibrate", str(model_dir), str(labels_by_turn(dev, tmp_path / "b.jsonl")),
                                 "--force"])
    assert failed.exit_code == 1 and "disk full" in failed.output and "Traceback" not in failed.output
    assert {p.name: p.read_bytes() for p in model_dir.iterdir()} == files  # stance.json unchanged with its card
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.jsonl", "dev.jsonl", "model"]  # no stage left
    monkeypatch.undo()
    linked = tmp_path / "linked"
    linked.symlink_to(model_dir)  # a link to the model stays one, and the folder it names is calibrated
    assert runner.invoke(app, ["calibrate", str(linked), str(tmp_path / "b.jsonl"), "--force"]).exit_code == 0
    calibration = json.loads((model_dir / "model_card.json").read_text())["calibration"]
    assert linked.is_symlink() and calibration["fitted_on"].startswith(f"{tmp_path / 'b.jsonl'} (48 items)")
    assert calibration["temperature"] == json.loads((model_dir / "stance.json").read_text())["temperature"] \
        != json.loads(files["stance.json"])["temperature"]
    assert (model_dir / "model.safetensors").read_bytes() == files["model.safetensors"]


def test_calibrating_from_inside_the_model_writes_the_card_first_and_mends_it_after_a_kill(
        tmp_path, tiny_model_dir, tiny_model, monkeypatch):
    import classifier.models.calibrate as calibrate_module
    from classifier.errors import InputError

    model_dir = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model_dir)
    first = dev_items(tmp_path / "a.jsonl", tiny_model)
    second = labels_by_turn(first, tmp_path / "b.jsonl")
    monkeypatch.chdir(model_dir)  # not swapped: the shell would be left in a removed folder
    assert runner.invoke(app, ["calibrate", ".", str(first), "--force"]).exit_code == 0
    fitted = json.loads((model_dir / "model_card.json").read_text())["calibration"]

    def killed(*args, **kwargs):  # stance.json's write fails after the card was written
        raise InputError("killed")

    with monkeypatch.context() as patch:
        patch.setattr(calibrate_module, "write_temperature", killed)
        assert runner.invoke(app, ["calibrate", ".", str(second), "--force"]).exit_code == 1
    assert json.loads((model_dir / "stance.json").read_text())["temperature"] == fitted["temperature"]  # as before
    ahead = json.loads((model_dir / "model_card.json").read_text())["calibration"]
    assert ahead["temperature"] != fitted["temperature"]
    assert ahead["earlier"] == f"temperature {fitted['temperature']}, fitted on {fitted['fitted_on']}"
    assert runner.invoke(app, ["calibrate", ".", str(second), "--force"]).exit_code == 0
    now = json.loads((model_dir / "model_card.json").read_text())["calibration"]
    assert now["temperature"] == json.loads((model_dir / "stance.json").read_text())["temperature"]
    assert now["earlier"] == ahead["earlier"]  # the temperature the model used, once, with what it was fitted on


def test_a_model_that_fails_while_it_scores_is_one_line_and_nothing_is_written(tmp_path, tiny_model_dir, tiny_model,
                                                                                monkeypatch):
    """A model that raised while it scored the dev items (a CUDA error, out of memory) ended 'stance calibrate' on a
    traceback: one line naming the model and its error, exit 1, the model folder as it was."""
    from transformers import BertForSequenceClassification

    model_dir = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model_dir)
    dev = dev_items(tmp_path / "dev.jsonl", tiny_model)
    before = {p.name: p.read_bytes() for p in model_dir.iterdir()}

    def failing(self, *args, **kwargs):
        raise RuntimeError("CUDA error: device-side assert triggered\nCUDA kernel errors might be reported later")

    monkeypatch.setattr(BertForSequenceClassification, "forward", failing)
    result = runner.invoke(app, ["calibrate", str(model_dir), str(dev), "--force"])
    said = " ".join(result.output.split())
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), said
    assert said == (f"error: {model_dir}: the model failed to score the items (RuntimeError: CUDA error: device-side "
                    "assert triggered\\nCUDA kernel errors might be reported later); nothing was written"), said
    assert {p.name: p.read_bytes() for p in model_dir.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dev.jsonl", "model"]
