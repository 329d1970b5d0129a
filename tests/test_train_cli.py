"""``stance train`` on tiny label files with the tiny model as base: splits, early stopping, comparison, promote."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

import classifier.cli.label  # noqa: F401  (registers 'stance label'; two commands make a group)
import classifier.cli.train  # noqa: F401  (registers 'stance train')
from classifier.cli.app import app
from classifier.errors import InputError
from classifier.items import LABELS, Item
from classifier.models.train import (TrainConfig, holdout_split, parameter_groups, split_articles,
                                     split_by_article, train)

runner = CliRunner()


def umask() -> int:
    from classifier.io.files import umask as current

    return current()
TEMPLATES = {"favor": ["{a} praised the successful agreement.", "{a} won wide support for the peace plan."],
             "against": ["{a} was blamed for the attack.", "Critics condemned {a} for aggression."],
             "neutral": ["{a} held a meeting on Tuesday.", "Officials from {a} travelled to Geneva."]}


def label_rows(n_articles: int = 8, per_article: int = 5, seed: int = 1, prefix: str = "a") -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for art in range(n_articles):
        for j in range(per_article):
            label, actor = rng.choice(list(TEMPLATES)), rng.choice(["Russia", "China", "NATO"])
            text = rng.choice(TEMPLATES[label]).format(a=actor) + f" ({prefix}{art}.{j})"  # no two rows alike
            start = text.index(actor)
            rows.append({"id": f"{prefix}{art}-{j}", "text": text, "actor": actor, "spans": [[start, start + len(actor)]],
                         "label": label, "source": "TDI" if art % 2 else "RT", "article": f"{prefix}{art}",
                         "annotator": "ana", "timestamp": "2024-01-01T00:00:00+00:00", "suggestion": None})
    return rows


def write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture
def default_dir(tmp_path, monkeypatch):
    """models/default redirected to a temp dir so no test can touch the real one."""
    from classifier.models import stance_model

    target = tmp_path / "models" / "default"
    monkeypatch.setattr(stance_model, "DEFAULT_MODEL_DIR", target)
    return target


def promote_run(labels: Path, out: Path, base: Path):
    """``stance train LABELS --out OUT --base BASE --promote`` for one quick epoch, without a bootstrap."""
    return runner.invoke(app, ["train", str(labels), "--out", str(out), "--base", str(base), "--epochs", "1",
                               "--n-boot", "0", "--promote", "-q"])


def ahead(comparison: dict, by: float = 0.1, ci: tuple = (0.02, 0.2)) -> dict:
    """A comparison made to show the new model ahead by ``by`` with that paired interval on every metric."""
    from classifier.cli.train import COMPARED

    comparison["paired"] = {m: {"difference": by, "ci": list(ci), "p_value": 0.01} for m in COMPARED}
    comparison.pop("paired_note", None)
    return comparison


def test_train_compares_new_and_starting_model_and_writes_a_card(tmp_path, tiny_model_dir, default_dir, monkeypatch):
    monkeypatch.chdir(tmp_path)
    labels = write(tmp_path / "labels.jsonl", label_rows(n_articles=25, per_article=2))  # 5 held-out articles
    out = tmp_path / "models" / "ours"
    result = runner.invoke(app, ["train", str(labels), "--out", str(out), "--base", str(tiny_model_dir),
                                 "--epochs", "2", "--lr", "1e-3", "--n-boot", "50", "-q"])
    assert result.exit_code == 0, result.output
    assert "new (ours)" in result.output and "start (tiny)" in result.output
    for metric in ("macro-F1", "accuracy", "F1 favor+against"):
        assert metric in result.output
    card = json.loads((out / "model_card.json").read_text())
    assert set(card["evaluation"]) == {"test (this model)", "test (starting model tiny)",
                                       "this model - starting model (paired bootstrap by article)"}
    assert card["comparison"]["paired"]["macro_f1"]["p_value"] is not None
    # every figure with its n, articles and interval, in the card people read and in the summary
    new, start = card["evaluation"]["test (this model)"], card["evaluation"]["test (starting model tiny)"]
    assert new["n"] == start["n"] == 10 and new["articles"] == 5
    assert new["macro_f1 95% CI"].startswith("[") and start["accuracy 95% CI"].startswith("[")
    said = " ".join(result.output.split())
    assert card["verdict"].startswith("On the same 10 gold items (5 articles), new (ours) scores macro-F1 ")
    assert card["verdict"] in said and "new (ours) [95% CI]" in said
    readme = (out / "README.md").read_text()
    assert "| test (this model) | macro_f1 95% CI | [" in readme and card["verdict"] in readme
    assert card["hyperparameters"]["max_length"] == 64  # kept from the base model
    from classifier.models.card import toolkit_commit, toolkit_version

    assert card["training"]["working directory"] == "../.."  # the command's paths are relative to it
    assert card["training"]["stance version"] == toolkit_version()
    assert card["training"].get("git commit") == toolkit_commit()  # where the tests run from a checkout, its HEAD
    assert (out / "README.md").exists() and not default_dir.exists()
    assert oct(out.stat().st_mode & 0o777) == oct(0o777 & ~umask())  # not mkdtemp's 0700
    assert oct((out / "model.safetensors").stat().st_mode & 0o777) == oct(0o666 & ~umask())
    from classifier.models.stance_model import StanceModel

    assert StanceModel.load(out).labels == ["favor", "against", "neutral"]
    assert not list(out.parent.glob(".ours.*"))  # the training checkpoint goes once the model is saved


def test_the_items_held_out_of_the_label_files_are_saved_with_the_model(tmp_path, tiny_model_dir, default_dir):
    """Without --test, train holds a fifth of the articles out and scores both models on them, but wrote only its
    figures: the items themselves were nowhere, so nobody could score them again with another model. They are in
    OUT/heldout.jsonl now (the item schema, gold labels kept), named by the card and the closing line."""
    from classifier.items import item_key, read_items

    labels = write(tmp_path / "labels.jsonl", label_rows(n_articles=10, per_article=2))
    out = tmp_path / "ours"
    args = ["train", str(labels), "--out", str(out), "--base", str(tiny_model_dir), "--epochs", "1", "--n-boot", "0",
            "-q"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    held = list(read_items(out / "heldout.jsonl"))
    card = json.loads((out / "model_card.json").read_text())
    assert len(held) == int(card["data"]["train / dev / test items"].split(" / ")[2]) == 4  # 2 of 10 articles
    given = {row["id"]: row for row in label_rows(n_articles=10, per_article=2)}
    for item in held:  # as labelled, in the item schema
        row = given[item.id]
        assert (item.text, item.actor, item.label, item.article, item.source) == \
            (row["text"], row["actor"], row["label"], row["article"], row["source"])
        assert [list(span) for span in item.spans] == row["spans"]
    trained = set((out / "trained_items.txt").read_text().splitlines()[1:])
    assert not {item_key(item.text, item.actor) for item in held} & trained  # none of them trained on
    assert card["data"]["test files"] == "held out from the label files (heldout.jsonl in this folder)"
    said = " ".join(result.output.split())
    assert f"its 4 held-out items in {out / 'heldout.jsonl'}" in said
    again = runner.invoke(app, [*args, "--overwrite"])  # a model folder holding it is still a model folder
    assert again.exit_code == 0, again.output


def test_training_on_a_terminal_shows_a_bar_over_every_step(tmp_path, tiny_model_dir, default_dir, monkeypatch):
    """An epoch of 400 labels took 164 s on 2 cores with not a line between its start and its end: on a terminal a
    bar now counts the steps of every epoch (none with -q, or with stderr not a terminal)."""
    import contextlib

    import classifier.cli.train as train_cli

    seen = []

    class Bar:
        def add_task(self, description, total=None):
            seen.append(("add", description, total))
            return 0

        def update(self, task, **fields):
            seen.append(("update", fields))

    monkeypatch.setattr(train_cli, "show_progress", lambda quiet: not quiet)
    monkeypatch.setattr(train_cli, "progress_bar", lambda enabled: contextlib.nullcontext(Bar() if enabled else None))
    labels = write(tmp_path / "labels.jsonl", label_rows(n_articles=10, per_article=4))  # 32 train items: 2 steps
    result = runner.invoke(app, ["train", str(labels), "--out", str(tmp_path / "m"), "--base", str(tiny_model_dir),
                                 "--epochs", "2", "--n-boot", "0"])
    assert result.exit_code == 0, result.output
    steps = [fields for kind, *rest in seen if kind == "update" for fields in rest if "completed" in fields]
    assert [s["completed"] for s in steps] == [1, 2, 3, 4] and {s["total"] for s in steps} == {4}
    # each phase says what it is: it said "training steps 0/?" while the model loaded
    assert seen[0] == ("add", "loading the starting model", None)
    assert {s["description"] for s in steps} == {"training steps"}
    assert seen[-2:] == [("update", {"visible": False}), ("add", "scoring the held-out items", None)]
    # no dev split picks an epoch: it said "best epoch 2", as if one had been chosen
    assert "(the last of 2 epochs, no dev split; " in result.output
    seen.clear()
    result = runner.invoke(app, ["train", str(labels), "--out", str(tmp_path / "m2"), "--base", str(tiny_model_dir),
                                 "--epochs", "1", "--n-boot", "0", "--dev-fraction", "0.3", "-q"])
    assert result.exit_code == 0 and seen == []
    assert "(best epoch by dev macro-F1: 1 of 1; " in result.output
    # early stopping ends training before the last step: the scoring of the held-out items is named all the same
    result = runner.invoke(app, ["train", str(labels), "--out", str(tmp_path / "m3"), "--base", str(tiny_model_dir),
                                 "--epochs", "4", "--n-boot", "0", "--dev-fraction", "0.3", "--patience", "1",
                                 "--lr", "1e-9"])
    assert result.exit_code == 0 and "early stop" in result.output, result.output
    steps = [fields for kind, *rest in seen if kind == "update" for fields in rest if "completed" in fields]
    assert steps[-1]["completed"] < steps[-1]["total"]
    assert seen[-2:] == [("update", {"visible": False}), ("add", "scoring the held-out items", None)]


def test_the_bar_shows_no_count_while_its_total_is_unknown():
    """rich's column wrote "0/?" beside "training steps" while the model loaded."""
    from classifier.cli.app import progress_bar

    with progress_bar(True) as progress:
        loading = progress.add_task("loading", total=None)
        steps = progress.add_task("steps", total=4, completed=1)
        count = progress.columns[2]
        assert str(count.render(progress.tasks[loading])) == ""
        assert str(count.render(progress.tasks[steps])) == "1/4"


def test_out_never_replaces_what_is_not_a_model(tmp_path, tiny_model_dir, default_dir, monkeypatch):
    labels = write(tmp_path / "labels.jsonl", label_rows(n_articles=3, per_article=2))
    thesis = tmp_path / "thesis"
    thesis.mkdir()
    (thesis / "chapter1.txt").write_text("weeks of work")
    (tmp_path / "notes.txt").write_text("notes")
    monkeypatch.chdir(thesis)
    cases = {thesis: "is a folder that is not a stance model", Path("."): "is a folder that is not a stance model",
             tmp_path / "notes.txt": "exists and is a file", tmp_path / "notes.txt" / "m": "notes.txt is a file"}
    for out, message in cases.items():
        result = runner.invoke(app, ["train", str(labels), "--out", str(out), "--base", str(tiny_model_dir)])
        assert result.exit_code == 1 and message in " ".join(result.output.split()), result.output
        assert "epoch" not in result.output  # refused before training
        if "notes.txt is a file" not in message:  # named by its flag, as every other --out error of train names it
            assert f"error: --out {out}: " in " ".join(result.output.split()) and "(nothing was changed)" in result.output
    assert [p.name for p in thesis.iterdir()] == ["chapter1.txt"] and (tmp_path / "notes.txt").read_text() == "notes"


def test_promote_replaces_the_default_model(tmp_path, tiny_model_dir, default_dir, monkeypatch):
    import classifier.training as training

    monkeypatch.setenv("STANCE_MODEL", str(tiny_model_dir))  # another default: the promoted one would not be used
    monkeypatch.chdir(tmp_path)
    real = training.compare_on_test
    monkeypatch.setattr(training, "compare_on_test", lambda *args: ahead(real(*args)))  # better beyond its interval
    labels = write(tmp_path / "labels.jsonl", label_rows(n_articles=4, per_article=4))
    test = write(tmp_path / "test.jsonl", label_rows(n_articles=2, per_article=4, seed=2, prefix="t"))
    result = runner.invoke(app, ["train", str(labels), "--out", str(tmp_path / "m"), "--base", str(tiny_model_dir),
                                 "--test", str(test), "--epochs", "1", "--dev-fraction", "0", "--n-boot", "0",
                                 "--promote", "-q"])
    assert result.exit_code == 0, result.output
    assert json.loads((default_dir / "stance.json").read_text())["name"] == "default"
    card = json.loads((default_dir / "model_card.json").read_text())
    assert card["data"]["train / dev / test items"] == "16 / 0 / 8"
    assert not (default_dir / "heldout.jsonl").exists()  # --test's items are a file of their own already
    assert not (tmp_path / "m" / "heldout.jsonl").exists()
    keys = (default_dir / "trained_items.txt").read_text()  # the items it trained on go with it
    assert keys == (tmp_path / "m" / "trained_items.txt").read_text() and len(keys.splitlines()) == 1 + 16
    assert card["training"]["working directory"] == "../.."  # from models/default, not from m/
    assert json.loads((tmp_path / "m" / "model_card.json").read_text())["training"]["working directory"] == ".."
    assert f"STANCE_MODEL={tiny_model_dir} is set, so commands" in " ".join(result.output.split())
    from classifier.models.stance_model import model_hash

    from classifier.io.files import shared_path

    # true after the folder changes; named as a shared file names a path (not /tmp/... whole: someone's home)
    assert card["base"] == f"{shared_path(tiny_model_dir)} (tiny@{model_hash(tiny_model_dir)})"
    counts = Counter(r["label"] for r in label_rows(n_articles=4, per_article=4))
    assert card["data"]["labels of the training split"] == ", ".join(f"{k} {counts[k]}" for k in LABELS)


def test_pooling_mention_adds_a_head_to_the_starting_model(tmp_path, tiny_model_dir, default_dir):
    from classifier.models.pooling import MENTION_HEAD_FILE
    from classifier.models.stance_model import StanceModel

    labels = write(tmp_path / "labels.jsonl", label_rows(n_articles=4, per_article=4))
    out = tmp_path / "pooled"
    result = runner.invoke(app, ["train", str(labels), "--out", str(out), "--base", str(tiny_model_dir),
                                 "--pooling", "mention", "--epochs", "1", "--n-boot", "0", "-q"])
    assert result.exit_code == 0, result.output
    assert (out / MENTION_HEAD_FILE).exists() and StanceModel.load(out).pooling == "mention"
    assert "Pooling: mention" in json.loads((out / "model_card.json").read_text())["input_description"]


def test_teacher_is_distilled_and_named_in_the_card(tmp_path, tiny_model_dir, default_dir):
    from classifier.io.files import shared_path

    labels = write(tmp_path / "labels.jsonl", label_rows(n_articles=4, per_article=4))
    out = tmp_path / "student"
    result = runner.invoke(app, ["train", str(labels), "--out", str(out), "--base", str(tiny_model_dir),
                                 "--teacher", str(tiny_model_dir), "--distill-weight", "0.7", "--epochs", "1",
                                 "--n-boot", "0", "-q"])
    assert result.exit_code == 0, result.output
    hyper = json.loads((out / "model_card.json").read_text())["hyperparameters"]
    assert hyper["teacher"] == hyper["base"] == shared_path(tiny_model_dir) and hyper["distill_weight"] == 0.7


def with_notes(tmp_path: Path, model_dir: Path) -> Path:
    """An earlier model folder where someone also keeps notes."""
    import shutil

    folder = tmp_path / "earlier"
    shutil.copytree(model_dir, folder)
    (folder / "notes.txt").write_text("why this model")
    return folder


def test_user_errors_are_one_line(tmp_path, tiny_model_dir, default_dir):
    rows = label_rows(n_articles=3, per_article=2)
    rows[0] |= {"annotator": "model:tiny", "suggested": True}
    labels = write(tmp_path / "labels.jsonl", rows)
    cases = [
        (["train", str(labels), "--out", str(tmp_path / "m"), "--base", str(tiny_model_dir)],
         "labels.jsonl:1: 1 labels are model suggestions"),
        (["train", str(write(tmp_path / "clean.jsonl", label_rows(n_articles=3, per_article=2))), "--out",
          str(tmp_path / "m")], "no default model to start from"),
        (["train", str(labels), "--out", str(default_dir), "--base", str(tiny_model_dir)], "add --promote"),
        (["train", str(labels), "--out", str(tmp_path / "m"), "--base", str(tiny_model_dir), "--pooling", "max"],
         "--pooling 'max': use cls or mention"),
        (["train", str(labels), "--out", str(tmp_path / "m"), "--base", str(tiny_model_dir), "--teacher", str(tmp_path)],
         "not a stance model directory"),
        (["train", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "m"), "--base", str(tiny_model_dir)],
         "missing.jsonl: no such label file"),
        (["train", str(labels), "--out", str(tmp_path / "m"), "--base", str(tmp_path / "no-model")],
         "no-model: no such model folder"),
        (["train", str(labels), "--out", str(tmp_path), "--base", str(tiny_model_dir)],
         f"--out {tmp_path}: it holds the input {labels}"),
        (["train", str(labels), "--out", str(tiny_model_dir), "--base", str(tiny_model_dir)],
         f"--out {tiny_model_dir}: it holds the input {tiny_model_dir}"),
        (["train", str(labels), "--out", str(with_notes(tmp_path, tiny_model_dir)), "--base", str(tiny_model_dir)],
         "an earlier model that also holds notes.txt"),
        (["train", str(write(tmp_path / "one.jsonl", [r | {"label": "against"} for r in label_rows(3, 2)])), "--out",
          str(tmp_path / "m"), "--base", str(tiny_model_dir)],
         "one.jsonl: every training item is labelled 'against': a model learns nothing but that label"),
    ]
    for args, message in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 1, result.output
        assert message in " ".join(result.output.split()) and "Traceback" not in result.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(label_rows(1, 1)[0]) + "\n" + json.dumps({**label_rows(1, 1)[0], "label": "pro"}) + "\n")
    result = runner.invoke(app, ["train", str(bad), "--out", str(tmp_path / "m"), "--base", str(tiny_model_dir)])
    assert result.exit_code == 1 and "bad.jsonl:2: unknown label 'pro'" in result.output


def test_a_split_that_leaves_one_class_to_train_on_is_refused(tmp_path, tiny_model_dir, default_dir):
    rows = [r | {"label": "favor"} for r in label_rows(n_articles=4, per_article=2)]
    rows += [r | {"label": "against"} for r in label_rows(n_articles=1, per_article=2, prefix="z")]
    labels = write(tmp_path / "labels.jsonl", rows)
    test = write(tmp_path / "test.jsonl", [r | {"id": f"t{i}"} for i, r in enumerate(rows[-2:])])
    result = runner.invoke(app, ["train", str(labels), "--out", str(tmp_path / "m"), "--base", str(tiny_model_dir),
                                 "--test", str(test), "--n-boot", "0"])  # its articles leave training
    assert result.exit_code == 1 and "every training item is labelled 'favor'" in " ".join(result.output.split())
    assert not (tmp_path / "m").exists()


def test_allow_suggested_and_one_article_is_too_few(tmp_path, tiny_model_dir, default_dir):
    rows = label_rows(n_articles=1, per_article=4)
    rows[0] |= {"annotator": "model:tiny", "suggested": True}
    labels = write(tmp_path / "labels.jsonl", rows)
    result = runner.invoke(app, ["train", str(labels), "--out", str(tmp_path / "m"), "--base", str(tiny_model_dir),
                                 "--allow-suggested"])
    assert result.exit_code == 1 and "two or more articles" in result.output  # past the suggestion check


def items_from(rows: list[dict]) -> list[Item]:
    return [Item.model_validate(r) for r in rows]


def test_splits_keep_articles_whole():
    items = items_from(label_rows(n_articles=5, per_article=3))
    rest, held = split_articles(items, 0.2, seed=0)
    assert len({it.article for it in held}) == 1 and not {it.article for it in held} & {it.article for it in rest}
    train_part, dev, test, dropped, for_dev = holdout_split(items, items[:3], 0.2, 0.25, seed=0)
    assert dropped == 3 and for_dev == 0 and items[0].article not in {it.article for it in train_part + dev}
    assert split_by_article(items, 0.5, 0)  # the old signature still works


def test_a_sentence_two_articles_share_is_never_on_both_sides_of_the_split():
    """A wire story two outlets ran: the same sentence and actor under two articles. Held out in one, it is left out
    of training in the other, so the held-out figures never score a sentence the model was trained on."""
    from classifier.models.train import sentence_key

    items = items_from(label_rows(n_articles=10, per_article=3))
    copies = [it.model_copy(update={"id": f"copy-{it.id}", "article": f"copy-{it.article}"}) for it in items]
    for seed in range(5):
        train_part, dev, test, for_test, for_dev = holdout_split(items + copies, None, 0.2, 0.2, seed=seed)
        trained = {sentence_key(it) for it in train_part}
        assert not trained & {sentence_key(it) for it in test + dev}
        assert for_test + for_dev == len(items + copies) - len(train_part + dev + test) > 0


def test_early_stopping_stops_when_dev_does_not_improve(tiny_model_dir):
    items = items_from(label_rows(n_articles=4, per_article=4))
    config = TrainConfig(base=str(tiny_model_dir), epochs=6, learning_rate=1e-9, batch_size=8, patience=1,
                         max_length=64)
    lines = []
    result = train(items[:12], items[12:], config, log=lines.append)
    assert len(result.history) == 2 and result.best_epoch == 1
    assert any("early stop" in line for line in lines)


@pytest.mark.parametrize("overrides, words", [
    ({"learning_rate": 0}, "learning_rate=0: must be a number above 0 and at most 1"),
    ({"learning_rate": -1e-4}, "learning_rate=-0.0001: must be a number above 0 and at most 1"),
    ({"epochs": 0}, "epochs=0: expected a whole number of at least 1"),
    ({"batch_size": 0}, "batch_size=0: expected a whole number of at least 1"),
    ({"file_weights": [1.0, -1.0]}, "file_weights[1]=-1.0: the weight must be a finite number >= 0"),
])
def test_train_from_python_refuses_the_numbers_the_cli_refuses(tiny_model_dir, overrides, words):
    """A learning rate of 0 or below from Python met torch's ValueError once the model had loaded (or, at 0, trained
    a model that stayed as it was): train and retrain refuse it, and the CLI's other numbers, in the CLI's words."""
    from classifier.models.train import retrain

    items = items_from(label_rows(n_articles=4, per_article=4))
    config = TrainConfig(base=str(tiny_model_dir), max_length=64, **overrides)
    with pytest.raises(InputError) as raised:
        train(items[:12], None, config, log=lambda line: None)
    assert str(raised.value).startswith(words)
    with pytest.raises(InputError) as raised:
        retrain(items, config, log=lambda line: None)
    assert str(raised.value).startswith(words)


def test_the_cli_refuses_a_learning_rate_in_the_same_words(tmp_path, tiny_model_dir, default_dir):
    labels = write(tmp_path / "labels.jsonl", label_rows(n_articles=4, per_article=2))
    result = runner.invoke(app, ["train", str(labels), "--out", str(tmp_path / "m"), "--base", str(tiny_model_dir),
                                 "--lr", "0"])
    assert result.exit_code == 1 and "--lr 0.0: must be a number above 0 and at most 1" in result.output


def test_layer_lr_decay_scales_each_layer_and_keeps_the_head_at_full_rate(tiny_model):
    model = tiny_model.model
    n_layers = model.config.num_hidden_layers
    rate_of = {}
    for group in parameter_groups(model, TrainConfig(learning_rate=1e-4, layer_lr_decay=0.5)):
        ids = {id(p) for p in group["params"]}
        rate_of.update({name: group["lr"] for name, p in model.named_parameters() if id(p) in ids})
    assert len(rate_of) == len(list(model.parameters()))
    assert rate_of["classifier.weight"] == pytest.approx(1e-4)
    top, bottom = f"encoder.layer.{n_layers - 1}.", "encoder.layer.0."

    def rates(part):
        return sorted({round(r / 1e-4, 6) for n, r in rate_of.items() if part in n})

    assert rates(top) == [0.5] and rates(bottom) == [round(0.5 ** n_layers, 6)]
    assert rates("embeddings") == [round(0.5 ** (n_layers + 1), 6)]
    plain = parameter_groups(model, TrainConfig(learning_rate=1e-4))
    assert sorted(g["weight_decay"] for g in plain) == [0.0, 0.01] and {g["lr"] for g in plain} == {1e-4}
    with pytest.raises(ValueError, match="layer_lr_decay"):
        parameter_groups(model, TrainConfig(layer_lr_decay=0.0))


def test_seed_cv_script_runs_on_the_tiny_model(tmp_path, tiny_model_dir, capsys, load_script):
    seed_cv = load_script("seed_cv")
    labels = write(tmp_path / "labels.jsonl", label_rows(n_articles=3, per_article=4))
    out = tmp_path / "seed_cv.json"
    report = seed_cv.main(["--labels", str(labels), "--base", str(tiny_model_dir), "--encoder", str(tiny_model_dir),
                           "--strategies", "zero-shot,continue-1e-3,setfit", "--epochs", "1", "--n-boot", "20",
                           "--out", str(out)])
    printed = capsys.readouterr().out
    assert "leave-one-article-out" in printed and "continue-1e-3" in printed and "macro-F1 by outlet" in printed
    saved = json.loads(out.read_text())
    assert saved["items"] == 12 and len(saved["folds"]) == 3
    assert set(saved["results"]) == {"zero-shot", "continue-1e-3", "setfit"}
    assert len(report["predictions"]["continue-1e-3"]) == 12  # every item predicted once, held out
    assert "macro_f1" in saved["paired_vs_zero_shot"]["setfit"]


def test_learning_curve_script_trains_each_size_on_unseen_articles(tmp_path, tiny_model_dir, capsys, load_script):
    curve = load_script("bench_learning_curve")
    labels = write(tmp_path / "labels.jsonl", label_rows(n_articles=4, per_article=4))
    out = tmp_path / "curve.json"
    result = curve.main(["--labels", str(labels), "--base", str(tiny_model_dir), "--sets", "seeds",
                         "--sizes", "0,2,10,50", "--seeds", "1,2", "--recipes", "dev-split,no-dev", "--epochs", "1",
                         "--out", str(out)])
    saved = json.loads(out.read_text())
    seeds = saved["sets"]["seeds"]
    assert [fold[1:] for fold in seeds["folds"]] == [[12, 4]] * 4  # each article held out once
    assert seeds["sizes"] == [0, 2, 10] and seeds["left_out_sizes"] == [50]  # a fold has only 12 to draw from
    assert set(seeds["rows"]) == {"start", "dev-split", "no-dev"}
    assert len(seeds["rows"]["start"]["0"]["macro_f1"]) == 1 and len(seeds["rows"]["no-dev"]["10"]["macro_f1"]) == 2
    assert "dev" in seeds["rows"]["dev-split"]["2"]["refused"]  # 2 labels leave stance train no dev split
    assert all(0 <= f <= 1 for row in seeds["rows"].values() for cell in row.values() for f in cell.get("macro_f1", []))
    assert "N=10" in capsys.readouterr().out and result["base"].startswith(tiny_model_dir.name)


def test_learning_curve_with_examples_trains_on_them_at_every_size(tmp_path, tiny_model_dir, load_script,
                                                                   monkeypatch):
    from classifier.models import train as train_module

    curve = load_script("bench_learning_curve")
    labels = write(tmp_path / "labels.jsonl", label_rows(n_articles=3, per_article=4))
    examples = write(tmp_path / "examples.jsonl", label_rows(n_articles=2, per_article=3, seed=2, prefix="x"))
    monkeypatch.setitem(curve.RECIPES, "no-dev+examples", {**curve.RECIPES["no-dev+examples"], "extra": str(examples)})
    seen = []
    real_retrain = train_module.retrain

    def recording_retrain(items, config, **kwargs):
        seen.append((sorted(it.id for it in items), kwargs["source_of"], config.sampling_alpha))
        return real_retrain(items, config, **kwargs)

    monkeypatch.setattr(train_module, "retrain", recording_retrain)
    result = curve.main(["--labels", str(labels), "--base", str(tiny_model_dir), "--sets", "seeds", "--sizes", "0,2",
                         "--seeds", "1", "--recipes", "no-dev,no-dev+examples", "--epochs", "1",
                         "--out", str(tmp_path / "curve.json")])
    rows = result["sets"]["seeds"]["rows"]
    assert set(rows) == {"start", "no-dev", "no-dev+examples"} and set(rows["no-dev+examples"]) == {"0", "2"}
    extra_ids = [f"x{a}-{j}" for a in range(2) for j in range(3)]
    with_examples = [call for call in seen if any(i.startswith("x") for i in call[0])]
    # N = 0: one run on the examples alone (every fold would train on the same items), scored on all folds
    assert with_examples[0][0] == extra_ids and set(with_examples[0][1].values()) == {0}
    # N = 2: each of the 3 folds trains on its 2 drawn labels (file 0) and the examples (file 1), mixed at alpha 0.5
    assert len(with_examples) == 4
    for ids, source_of, alpha in with_examples[1:]:
        drawn = [i for i in ids if not i.startswith("x")]
        assert len(drawn) == 2 and {source_of[i] for i in drawn} == {0}
        assert {source_of[i] for i in extra_ids} == {1} and alpha == 0.5
    assert len(seen) == 3 + 4  # no-dev: 3 folds at N = 2; the start model is not trained


def test_init_seed_starts_every_seed_from_the_same_head_and_seed_still_changes_the_run(tmp_path, tiny_model):
    from classifier.models.train import seeded_start

    base = tmp_path / "encoder"  # an encoder without a classification head: start_model draws a new one
    tiny_model.model.bert.save_pretrained(base)
    tiny_model.tokenizer.save_pretrained(base)

    def head(**seeds):
        config = TrainConfig(base=str(base), max_length=64, **seeds)
        return seeded_start(config).model.classifier.weight.detach().clone()

    assert torch_equal(head(seed=1, init_seed=7), head(seed=2, init_seed=7))
    assert not torch_equal(head(seed=1), head(seed=2))
    assert torch_equal(head(seed=1), head(seed=1, init_seed=1))
    items = items_from(label_rows(n_articles=2, per_article=4))
    trained = [train(items, None, TrainConfig(base=str(base), max_length=64, epochs=1, batch_size=4,
                                              learning_rate=1e-3, seed=seed, init_seed=7), log=lambda s: None)
               for seed in (1, 2)]
    assert not torch_equal(*(t.model.model.classifier.weight for t in trained))  # other data order and dropout


def torch_equal(a, b) -> bool:
    import torch

    return bool(torch.equal(a, b))


def test_keep_last_hands_back_the_last_epoch_where_the_best_epoch_rule_keeps_the_first(tiny_model_dir):
    items = items_from(label_rows(n_articles=4, per_article=4))
    config = TrainConfig(base=str(tiny_model_dir), epochs=3, learning_rate=1e-9, batch_size=8, patience=1,
                         max_length=64)
    best = train(items[:12], items[12:], config, log=lambda s: None)
    last = train(items[:12], items[12:], config, log=lambda s: None, keep_last=True)
    assert best.best_epoch == 1 and len(best.history) == 2  # no dev gain: epoch 1 kept, patience stops
    assert last.best_epoch == 3 and len(last.history) == 3


@pytest.fixture(scope="module")
def uninterrupted(tiny_model_dir):
    """``uninterrupted(epochs=E)``: (items, config, result) of one run of E epochs that nothing stops, trained once
    for the module: the reference the checkpoint tests resume to (read-only; each test trains its own resumed run)."""
    runs = {}

    def run(epochs: int):
        if epochs not in runs:
            items = items_from(label_rows(n_articles=4, per_article=5))
            config = TrainConfig(base=str(tiny_model_dir), epochs=epochs, learning_rate=1e-3, batch_size=6,
                                 max_length=64)
            runs[epochs] = items, config, train(items[:16], items[16:], config, log=lambda s: None)
        return runs[epochs]

    return run


class Killed(Exception):
    pass


@pytest.mark.parametrize("kill_at", [3, 4])  # mid-epoch (3 batches an epoch here) and just after an epoch
def test_a_killed_run_resumes_from_its_checkpoint_to_the_same_weights(tmp_path, uninterrupted, kill_at):
    items, config, whole = uninterrupted(epochs=3)

    def kill(step, total):
        if step == kill_at:
            raise Killed

    checkpoint = tmp_path / "run.ckpt"
    with pytest.raises(Killed):
        train(items[:16], items[16:], config, log=lambda s: None, on_step=kill, checkpoint=checkpoint,
              checkpoint_every=0)
    lines = []
    resumed = train(items[:16], items[16:], config, log=lines.append, checkpoint=checkpoint)
    assert any("resumed from" in line for line in lines)
    assert len(resumed.resumed) == 1 and resumed.resumed[0].startswith("epoch ") and whole.resumed == []  # the card's
    assert [r["train_loss"] for r in resumed.history] == pytest.approx([r["train_loss"] for r in whole.history])
    assert resumed.best_epoch == whole.best_epoch
    for (name, a), b in zip(whole.model.model.state_dict().items(), resumed.model.model.state_dict().values()):
        assert torch_equal(a, b), name
    finished = train(items[:16], items[16:], config, log=lambda s: None, checkpoint=checkpoint)  # rerun after the end
    assert len(finished.history) == 3 and torch_equal(finished.model.model.classifier.weight,
                                                      whole.model.model.classifier.weight)


def test_a_checkpoint_of_another_run_is_refused(tmp_path, tiny_model_dir):
    items = items_from(label_rows(n_articles=2, per_article=4))
    config = TrainConfig(base=str(tiny_model_dir), epochs=1, batch_size=4, max_length=64)
    checkpoint = tmp_path / "run.ckpt"
    train(items, None, config, log=lambda s: None, checkpoint=checkpoint)
    with pytest.raises(InputError, match="checkpoint of another training run"):
        train(items, None, TrainConfig(**{**config.as_dict(), "learning_rate": 1e-3}), log=lambda s: None,
              checkpoint=checkpoint)
    train(items, None, TrainConfig(**{**config.as_dict(), "device": "cpu", "cpu_bf16": True}), log=lambda s: None,
          checkpoint=checkpoint)  # device and precision are not part of what was learnt from


def test_train_refuses_a_checkpoint_left_by_another_run(tmp_path, tiny_model_dir, default_dir):
    from classifier.training import train_checkpoint

    out = tmp_path / "models" / "ours"
    other = items_from(label_rows(n_articles=2, per_article=4, seed=5, prefix="o"))
    train(other, None, TrainConfig(base=str(tiny_model_dir), epochs=1, batch_size=4, max_length=64),
          log=lambda s: None, checkpoint=train_checkpoint(out))
    labels = write(tmp_path / "labels.jsonl", label_rows())
    result = runner.invoke(app, ["train", str(labels), "--out", str(out), "--base", str(tiny_model_dir),
                                 "--epochs", "1", "-q"])
    assert result.exit_code == 1 and "checkpoint of another training run" in result.output, result.output
    assert "Traceback" not in result.output and not out.exists()


def test_a_worse_model_is_said_plainly_before_saving_and_never_promoted(tmp_path, tiny_model_dir, default_dir,
                                                                        monkeypatch):
    import classifier.training as training

    real = training.compare_on_test

    def worse(test, predictions, n_boot, seed, task):  # the starting model wins on the held-out items
        comparison = real(test, predictions, n_boot, seed, task)
        comparison["metrics"]["new"]["macro_f1"] = comparison["metrics"]["reference"]["macro_f1"] - 0.1
        return comparison

    monkeypatch.setattr(training, "compare_on_test", worse)
    labels = write(tmp_path / "labels.jsonl", label_rows(n_articles=4, per_article=4))
    out = tmp_path / "m"
    result = promote_run(labels, out, tiny_model_dir)
    assert result.exit_code == 3, result.output  # saved, not promoted: a script can tell
    said = " ".join(result.output.split())
    assert ("--promote refused: the new model scored LOWER than start (tiny) on the 4 held-out items" in said
            and "(no interval for the difference: no paired bootstrap (--n-boot 0), so these items cannot tell it "
                "from a tie, and nothing shows it better)" in said), said
    assert "models/default is left as it was" in said
    assert result.output.index("LOWER") < result.output.index("saved ")
    assert out.exists() and not default_dir.exists()


def test_worse_is_said_only_where_the_interval_lies_below_0():
    """"WORSE" came after the verdict "these items cannot tell the two apart" on any lower macro-F1: 0.397 against
    0.551 with an interval of [-0.346, +0.135]. It is said where the interval is below 0; else "scored LOWER", and
    why these items cannot tell it from a tie."""
    from classifier.training import behind_words

    def comparison(ci):
        return {"n": 33, "metrics": {"new": {"macro_f1": 0.397}, "reference": {"macro_f1": 0.551}},
                "paired": {"macro_f1": {"difference": -0.154, "ci": ci, "p_value": 0.275}}}

    assert behind_words(comparison([-0.346, 0.135]), "start (default)") == (
        "the new model scored LOWER than start (default) on the 33 held-out items: macro-F1 0.397 against 0.551 (the "
        "paired 95% interval of the difference, [-0.346, +0.135], holds 0, so these items cannot tell it from a tie, "
        "and nothing shows it better)")
    assert "scored LOWER" in behind_words(comparison([-0.3, 0.0]), "start")  # an interval to 0 holds 0
    assert behind_words(comparison([-0.3, -0.05]), "start") == (
        "the new model is WORSE than start on the 33 held-out items: macro-F1 0.397 against 0.551, the paired 95% "
        "interval of the difference [-0.300, -0.050] below 0")
    few = {**comparison(None), "paired": None, "paired_note": "the gold items come from 2 articles, too few"}
    assert "(no interval for the difference: too few held-out articles, as the note under the table says, so" in \
        behind_words(few, "s")
    # 0.0004 apart read "LOWER ... macro-F1 0.459 against 0.459": as many decimals as tell them apart
    close = {**few, "metrics": {"new": {"macro_f1": 0.4586999}, "reference": {"macro_f1": 0.4591178}}}
    assert "macro-F1 0.4587 against 0.4591 (no interval" in behind_words(close, "s")


def test_below_500_labels_every_label_trains_and_from_500_a_dev_split_stops_early():
    from classifier.models.train import SMALL_LABEL_SET, small_data_schedule

    assert small_data_schedule(120) == (0.0, 5)
    assert small_data_schedule(SMALL_LABEL_SET) == (0.2, 8)
    assert small_data_schedule(120, dev_fraction=0.3) == (0.3, 8)  # what the user asks for wins
    assert small_data_schedule(5000, epochs=3) == (0.2, 3)


@pytest.mark.parametrize("content", [b"garbage", b""])
def test_a_checkpoint_that_cannot_be_read_is_one_line_naming_it(tmp_path, content):
    from classifier.errors import InputError
    from classifier.models.checkpoint import load_checkpoint

    path = tmp_path / ".model.train-checkpoint.pt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=r"train-checkpoint.pt: not a training checkpoint this run can read"):
        load_checkpoint(path, "key", {})


def test_a_label_file_given_twice_is_refused_before_training(tmp_path, tiny_model_dir, monkeypatch):
    """`stance train a.jsonl a.jsonl` trained on a.jsonl once, without a word (its items are one item each, and the
    mixture sampled them as the first file's): refused in one line, by another path or a link to it too."""
    (tmp_path / "ours").mkdir()
    labels = write(tmp_path / "ours" / "labels.jsonl", label_rows(n_articles=4, per_article=2))
    (tmp_path / "ours" / "link.jsonl").symlink_to(labels)
    monkeypatch.chdir(tmp_path / "ours")
    for given, said in [(["labels.jsonl", "labels.jsonl"], "error: labels.jsonl: given twice among the label files; "
                                                           "give each file once (to weigh one more: --file-weight)"),
                        (["labels.jsonl", "link.jsonl"], "error: link.jsonl: given twice (as labels.jsonl too) among "
                                                         "the label files"),
                        (["labels.jsonl", "--test", "link.jsonl", "--test", "../ours/link.jsonl"],
                         "error: ../ours/link.jsonl: given twice (as link.jsonl too) among the files of --test; give "
                         "each file once\n")]:
        result = runner.invoke(app, ["train", *given, "--out", "m", "--base", str(tiny_model_dir), "-q"])
        assert result.exit_code == 1 and said in result.output + "\n", result.output
        assert "Traceback" not in result.output and not (tmp_path / "ours" / "m").exists()


def test_a_label_file_given_as_test_too_is_refused_before_training(tmp_path, tiny_model_dir, monkeypatch):
    """`stance train a.jsonl --test a.jsonl` held out every item of a.jsonl and then said 'only 0 training items
    after holding out the test articles (24 more left out, ...); label more articles', once torch and the model had
    loaded: refused in one line naming the file, by another path or a link to it too, among other label files."""
    (tmp_path / "ours").mkdir()
    labels = write(tmp_path / "ours" / "labels.jsonl", label_rows(n_articles=4, per_article=2))
    write(tmp_path / "ours" / "more.jsonl", label_rows(n_articles=4, per_article=2, prefix="b"))
    (tmp_path / "ours" / "link.jsonl").symlink_to(labels)
    monkeypatch.chdir(tmp_path / "ours")
    why = ("a file cannot both train the model and test it: give it to one of them (without --test, --test-fraction "
           "holds out articles of the label files)\n")
    for given, said in [(["labels.jsonl", "--test", "labels.jsonl"],
                         "error: labels.jsonl: given among the files of --test and among the label files too; " + why),
                        (["more.jsonl", "labels.jsonl", "--test", "../ours/link.jsonl"],
                         "error: ../ours/link.jsonl: given among the files of --test and among the label files too "
                         "(as labels.jsonl); " + why)]:
        result = runner.invoke(app, ["train", *given, "--out", "m", "--base", str(tiny_model_dir), "-q"])
        assert result.exit_code == 1 and result.output == said, result.output
        assert not (tmp_path / "ours" / "m").exists()


def test_retrain_counts_one_training_item_in_the_singular():
    """retrain said 'only 1 training items after holding out ...', '1 training items left out' and '1 of 2 labelled
    items have no article': each count of one is said in the singular (visible.counted)."""
    from classifier.models.train import retrain

    def item(id_: str, article: str | None, label: str) -> Item:
        return Item(id=id_, text=f"Russia warned NATO ({id_}).", actor="Russia", spans=[(0, 6)], article=article,
                    label=label)

    warned = []
    with pytest.raises(InputError) as refused:
        retrain([item("x0", None, "favor"), item("a1-0", "a1", "against")], TrainConfig(),
                test_items=[item("t0", "a1", "neutral")], warn=warned.append, log=warned.append)
    assert str(refused.value) == ("only 1 training item after holding out the test articles (1 more left out, as "
                                  "their articles, ids or sentences (with the same actor) are in --test); label more "
                                  "articles")
    assert warned[0] == "1 training item left out: their articles, ids or sentences (with the same actor) are in --test"
    assert warned[1].startswith("1 of 2 labelled items has no 'article': each is held out on its own"), warned


def test_train_says_one_held_out_or_left_out_item_in_the_singular(tmp_path, tiny_model_dir):
    """train's words on one held-out item or one left-out label said 'the 1 held-out items', 'tested on the 1
    items of --test', '1 labelled items left out of training', '1 training items left out: they have no label' and
    'held-out test: 1 items': said in the singular (visible.counted); counts of 2 are said as before."""
    from classifier.cli.train import compare_table
    from classifier.training import behind_words, load_labelled, promotion_doubt, split_line

    for n, items in ((1, "1 held-out item"), (2, "2 held-out items")):
        comparison = {"n": n, "n_articles": 1, "metrics": {"new": {"macro_f1": 0.4}, "reference": {"macro_f1": 0.5}},
                      "paired": {"macro_f1": {"difference": 0.001, "ci": [-0.2, 0.2]}}}
        assert promotion_doubt(comparison, "the default").endswith(f"the {items} cannot tell the two apart")
        assert f"than the default on the {items}: macro-F1" in behind_words(comparison, "the default")
        assert compare_table(comparison | {"models": []}, {}).title == f"held-out test: {items[:1]} item" + (
            "s" if n > 1 else "") + ", 1 article"
    split = {"train": 4, "dev": 0, "test": 1, "train_articles": 2, "dev_articles": 0, "test_articles": 1,
             "left_out_for_test": 1}
    assert split_line(5, split, True, 1) == ("5 labels: 1 set aside, as their articles, ids or sentences (with the "
                                             "same actor) are in --test; 4 (2 articles) train for 1 epoch, no dev "
                                             "split; tested on the 1 item of --test (1 article); no article in two "
                                             "splits")
    rows = label_rows(n_articles=2, per_article=2)
    rows[0]["label"] = None
    with pytest.warns(UserWarning, match="^1 training item left out: they have no label"):
        load_labelled([write(tmp_path / "labels.jsonl", rows)], None, False, "training")
    rows = label_rows(n_articles=12, per_article=1)  # one item an article: --test holds one of them
    test = write(tmp_path / "test.jsonl", rows[:1] + label_rows(n_articles=2, per_article=2, seed=2, prefix="t"))
    result = runner.invoke(app, ["train", str(write(tmp_path / "labels.jsonl", rows)), "--out", str(tmp_path / "m"),
                                 "--base", str(tiny_model_dir), "--test", str(test), "--epochs", "1", "--n-boot", "0",
                                 "-q"])
    assert result.exit_code == 0, result.output
    assert "warning: 1 training item left out: their articles" in " ".join(result.output.split()), result.output
    card = json.loads((tmp_path / "m" / "model_card.json").read_text())
    assert card["data"]["split"].startswith("by article (no article in two splits); 1 labelled item left out of "
                                            "training: their articles"), card["data"]["split"]


def test_a_missing_label_file_given_twice_is_named_missing(tmp_path):
    """`stance train x.jsonl x.jsonl` of a file that does not exist said "given twice" rather than "no such file"."""
    result = runner.invoke(app, ["train", str(tmp_path / "x.jsonl"), str(tmp_path / "x.jsonl"),
                                 "--out", str(tmp_path / "m"), "-q"])
    assert result.exit_code == 1 and "x.jsonl: no such label file" in result.output, result.output
    assert "given twice" not in result.output and not (tmp_path / "m").exists()


def test_the_split_line_and_the_label_summary_separate_thousands():
    """"12000 set aside" and "favor 1204": the counts now read as every other count does ("12,000", "1,204")."""
    from classifier.training import label_summary, split_line

    split = {"left_out_for_test": 12000, "test": 3000, "test_articles": 1500, "train": 40000, "dev": 0,
             "train_articles": 9000, "dev_articles": 0}
    try:
        line = split_line(55000, split, True, 3)
    except KeyError as missing:  # the line's other fields, as retrain's split gives them
        pytest.fail(f"split field {missing}")
    assert "12,000 set aside" in line, line
    assert label_summary({"favor": 1204, "against": 7, "neutral": 0}) == "favor 1,204, against 7, neutral 0"


def test_an_id_naming_two_items_across_label_files_is_refused(tmp_path):
    from classifier.training import load_labelled
    from classifier.errors import InputError

    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text(json.dumps({"id": "x", "text": "Russia won.", "actor": "Russia", "label": "favor"}) + "\n")
    second.write_text(json.dumps({"id": "x", "text": "Russia lost.", "actor": "Russia", "label": "against"}) + "\n")
    with pytest.raises(InputError, match="b.jsonl:1: id 'x' names another item than on .*a.jsonl:1"):
        load_labelled([first, second], None, False, "training")


def test_the_comparison_says_why_it_has_no_paired_bootstrap():
    from rich.console import Console

    from classifier.cli.train import compare_table
    from classifier.training import compare_on_test
    from classifier.items import Item

    test = [Item(id=str(i), text="Russia won.", actor="Russia", spans=[(0, 6)], label=label, article="one")
            for i, label in enumerate(["favor", "against", "neutral"] * 4)]
    predictions = {"new": [it.label for it in test], "reference": ["neutral"] * len(test)}

    def shown(comparison):
        console = Console(width=200, record=True)
        console.print(compare_table(comparison, {"new": "new", "reference": "start"}))
        return " ".join(console.export_text().split())

    assert "the gold items come from 1 article, too few" in shown(compare_on_test(test, predictions, 50, 0))
    two = [it.model_copy(update={"article": f"a{i % 2}"}) for i, it in enumerate(test)]
    comparison = compare_on_test(two, predictions, 50, 0)  # 3 distinct resamples: no p-value to quote
    assert comparison["paired"] is None and "come from 2 articles, too few" in shown(comparison)
    five = [it.model_copy(update={"article": f"a{i % 5}"}) for i, it in enumerate(test)]
    assert "(--n-boot 0)" in shown(compare_on_test(five, predictions, 0, 0))
    with_ci = shown(compare_on_test(five, predictions, 50, 0))
    assert "new - start [95% CI]" in with_ci and "no paired bootstrap" not in with_ci and "paired bootstrap by article" in with_ci
    assert "too narrow" not in with_ci
    assert "macro-F1 " in with_ci and "F1 favor+against" in with_ci and "macro_f1" not in with_ci  # as evaluate names them
    lumped = [it.model_copy(update={"id": f"{i}", "article": "big" if i < 60 else f"a{i % 5}"})
              for i, it in enumerate(test * 10)]  # 60 of 120 items from one article
    lumped_predictions = {"new": [it.label for it in lumped], "reference": ["neutral"] * len(lumped)}
    assert "too narrow: article 'big' holds 60 of 120 items" in shown(compare_on_test(lumped, lumped_predictions, 50, 0))


def test_the_held_out_table_says_a_class_with_no_gold_item_counts_as_0():
    """Held-out items with no gold 'against' (8 items of one article, as 40 labels held out a fifth) showed the new
    model at accuracy 1.000 beside macro-F1 0.667 and F1 favor+against 0.500, with no word why: the absent class's
    F1 counts as 0, as evaluate's flag says. The table now says so under it."""
    from rich.console import Console

    from classifier.cli.train import compare_table
    from classifier.training import compare_on_test
    from classifier.items import Item

    def shown(labels, n_boot=0):
        test = [Item(id=str(i), text="Russia won.", actor="Russia", spans=[(0, 6)], label=label, article=f"a{i}")
                for i, label in enumerate(labels)]
        predictions = {"new": [it.label for it in test], "reference": ["neutral"] * len(test)}
        console = Console(width=300, record=True)
        compared = compare_on_test(test, predictions, n_boot, 0)
        console.print(compare_table(compared, {"new": "new", "reference": "start"}))
        return " ".join(console.export_text().split())

    said = shown(["favor", "favor", "neutral", "neutral", "neutral"])
    assert "macro-F1 │ 0.667" in said and "accuracy │ 1.000" in said
    assert "no gold against: macro-F1 counts it as 0, as F1 favor+against does; no paired bootstrap" in said
    assert "no gold" not in shown(["favor", "against", "neutral"] * 2)
    assert "no gold favor, against: macro-F1 counts them as 0, as F1 favor+against does" in shown(["neutral"] * 5)


def test_the_card_says_beside_its_held_out_figures_that_a_class_with_no_gold_item_counts_as_0():
    """The walk's card (40 labels, 8 held-out items, none against) listed macro-F1 0.6667 beside accuracy 1.0 with no
    word why, where train's terminal said it under its table: the card's figures now carry the same note."""
    from classifier.training import card_evaluation, compare_on_test
    from classifier.items import Item
    from classifier.models.card import render_card

    def evaluation(labels):
        test = [Item(id=str(i), text="Russia won.", actor="Russia", spans=[(0, 6)], label=label, article=f"a{i}")
                for i, label in enumerate(labels)]
        predictions = {"new": [it.label for it in test], "reference": ["neutral"] * len(test)}
        return card_evaluation(compare_on_test(test, predictions, 0, 0), "models/default", "models/default")

    card = evaluation(["favor", "favor", "neutral", "neutral", "neutral"])
    new = card["test (this model)"]
    assert new["macro_f1"] == 0.6667 and new["accuracy"] == 1.0
    assert new["note"] == "no gold against: macro-F1 counts it as 0, as F1 favor+against does"
    assert card["test (starting model default)"]["note"] == new["note"]
    readme = render_card({"name": "ours", "evaluation": card})
    assert "| test (this model) | note | no gold against: macro-F1 counts it as 0, as F1 favor+against does |" in readme
    assert "note" not in evaluation(["favor", "against", "neutral"] * 2)["test (this model)"]


def test_an_earlier_model_with_a_mention_head_is_replaced_but_not_one_with_notes(tmp_path, tiny_model_dir):
    from classifier.models.stance_model import check_model_target

    folder = with_notes(tmp_path, tiny_model_dir)
    with pytest.raises(InputError, match="also holds notes.txt"):
        check_model_target(folder)
    (folder / "notes.txt").unlink()
    (folder / "mention_head.safetensors").write_bytes(b"")  # what --pooling mention saves beside the weights
    assert check_model_target(folder) == folder.absolute()


def test_promote_never_replaces_a_default_that_beats_the_new_model(tmp_path, tiny_model_dir, default_dir,
                                                                   monkeypatch):
    """Trained from another --base, the model is also scored against the default it would replace."""
    import shutil

    import classifier.training as training

    shutil.copytree(tiny_model_dir, default_dir)
    before = (default_dir / "model.safetensors").read_bytes()
    real = training.compare_on_test

    calls = []

    def better_than_its_base_only(test, predictions, n_boot, seed, task):  # then scored against the default as it is
        comparison = real(test, predictions, n_boot, seed, task)
        calls.append(comparison)
        comparison["metrics"]["new"]["macro_f1"] = -1.0
        if len(calls) == 1:
            comparison["metrics"]["reference"]["macro_f1"] = -2.0
            ahead(comparison)
        return comparison

    monkeypatch.setattr(training, "compare_on_test", better_than_its_base_only)
    labels = write(tmp_path / "labels.jsonl", label_rows(n_articles=4, per_article=4))
    result = promote_run(labels, tmp_path / "m", tiny_model_dir)
    assert result.exit_code == 3, result.output
    said = " ".join(result.output.split())
    assert f"LOWER than {default_dir} (the model --promote would replace)" in said and "promoted" not in said
    assert (default_dir / "model.safetensors").read_bytes() == before

    def better_than_both(test, predictions, n_boot, seed, task):  # above any figure the default can reach
        comparison = real(test, predictions, n_boot, seed, task)
        comparison["metrics"]["new"]["macro_f1"], comparison["metrics"]["reference"]["macro_f1"] = 2.0, 1.0
        return ahead(comparison)

    monkeypatch.setattr(training, "compare_on_test", better_than_both)
    result = promote_run(labels, tmp_path / "m2", tiny_model_dir)
    assert result.exit_code == 0 and "promoted" in result.output and "LOWER" not in result.output
    assert (default_dir / "model.safetensors").read_bytes() != before


def test_a_test_file_repeating_training_sentences_under_other_ids_leaves_them_out_before_training(tmp_path,
                                                                                                tiny_model_dir):
    rows = label_rows(n_articles=4, per_article=4)
    labels = write(tmp_path / "labels.jsonl", rows)
    again = [{**row, "id": f"copy-{row['id']}", "article": "elsewhere", "text": "  " + row["text"]} for row in rows[:3]]
    test = write(tmp_path / "test.jsonl", again + label_rows(n_articles=1, per_article=4, seed=2, prefix="t"))
    result = runner.invoke(app, ["train", str(labels), "--out", str(tmp_path / "m"), "--base", str(tiny_model_dir),
                                 "--test", str(test), "--epochs", "1", "--n-boot", "0"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "16 labels: 3 set aside, as their articles, ids or sentences (with the same actor) are in --test; " \
           "13 (4 articles) train for 1 epoch" in said
    assert said.index("set aside") < said.index("epoch=1")  # said before training, not after
    result = runner.invoke(app, ["train", str(labels), "--out", str(tmp_path / "m2"), "--base", str(tiny_model_dir),
                                 "--test", str(test), "--epochs", "1", "--n-boot", "0", "-q"])
    assert result.exit_code == 0, result.output  # -q: no line, so a warning says it
    assert "warning: 3 training items left out: their articles, ids or sentences (with the same actor) are in " \
           "--test" in " ".join(result.output.split())


def test_the_line_before_training_and_the_card_count_what_trains_not_what_was_read(tmp_path, tiny_model_dir):
    """With --test holding whole articles of the label file it said "50 labels: no dev split, every label trains",
    and 25 trained; the card said the 25 left out were "items ... whose sentence and actor are held out"."""
    rows = label_rows(n_articles=10, per_article=5)
    labels = write(tmp_path / "labels.jsonl", rows)
    test = write(tmp_path / "test.jsonl", rows[:25] + label_rows(n_articles=1, per_article=4, seed=2, prefix="t"))
    out = tmp_path / "m"
    result = runner.invoke(app, ["train", str(labels), "--out", str(out), "--base", str(tiny_model_dir),
                                 "--test", str(test), "--epochs", "1", "--n-boot", "0"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "50 labels: 25 set aside, as their articles, ids or sentences (with the same actor) are in --test; 25 " \
           "(5 articles) train for 1 epoch, no dev split; tested on the 29 items of --test (6 articles)" in said
    assert "every label trains" not in said and "warning: 25" not in said  # said once, in the line
    card = json.loads((out / "model_card.json").read_text())
    assert card["data"]["split"] == ("by article (no article in two splits); 25 labelled items left out of training: "
                                     "their articles, ids or sentences (with the same actor) are in --test")
    assert card["data"]["train / dev / test items"] == "25 / 0 / 29"
    result = runner.invoke(app, ["train", str(labels), "--out", str(tmp_path / "m2"), "--base", str(tiny_model_dir),
                                 "--epochs", "1", "--n-boot", "0", "--dev-fraction", "0.3"])
    assert result.exit_code == 0, result.output  # without --test: the test articles are not trained on either
    assert "50 labels: 10 (2 articles) held out as the test; 30 (6 articles) train for up to 1 epoch, the epoch " \
           "picked by a dev split of 10 (2 articles); no article in two splits" in " ".join(result.output.split())


def test_the_held_out_figures_are_those_of_the_saved_half_precision_weights(tmp_path, tiny_model_dir, monkeypatch):
    import torch

    import classifier.models.train as train_module

    scored = []
    real = train_module.retrain

    def recording(items, config, **kwargs):
        outcome = real(items, config, **kwargs)
        scored.extend(p.detach().clone() for p in outcome.result.model.model.parameters())
        return outcome

    monkeypatch.setattr(train_module, "retrain", recording)
    labels = write(tmp_path / "labels.jsonl", label_rows(n_articles=4, per_article=4))
    out = tmp_path / "m"
    result = runner.invoke(app, ["train", str(labels), "--out", str(out), "--base", str(tiny_model_dir),
                                 "--epochs", "1", "--n-boot", "0", "-q"])
    assert result.exit_code == 0, result.output
    from classifier.models.stance_model import StanceModel

    saved = [p.detach().float() for p in StanceModel.load(out).model.parameters()]
    assert len(saved) == len(scored) and all(torch.equal(a, b) for a, b in zip(scored, saved))


def test_calibrating_on_the_training_file_is_a_warning_and_the_card_hashes_the_test_files(tmp_path, tiny_model_dir):
    import classifier.cli.calibrate  # noqa: F401  (registers 'stance calibrate')

    labels = write(tmp_path / "labels.jsonl", label_rows(n_articles=4, per_article=4))
    test = write(tmp_path / "test.jsonl", label_rows(n_articles=2, per_article=4, seed=2, prefix="t"))
    out = tmp_path / "m"
    assert runner.invoke(app, ["train", str(labels), "--out", str(out), "--base", str(tiny_model_dir), "--test",
                               str(test), "--epochs", "1", "--n-boot", "0", "-q"]).exit_code == 0
    data = json.loads((out / "model_card.json").read_text())["data"]
    assert "(sha256 " in data["test files"]
    assert data["split options"].startswith("test fraction --test, dev fraction ") and "bootstrap resamples 0" in \
        data["split options"]
    on_training = runner.invoke(app, ["calibrate", str(out), str(labels), "--dry-run"])
    said = " ".join(on_training.output.split())  # counted item by item (trained_items.txt), not by the file's bytes
    assert on_training.exit_code == 0 and "16 of 16 items (100%) were in m@" in said and "training data" in said
    on_test = runner.invoke(app, ["calibrate", str(out), str(test), "--dry-run"])
    assert on_test.exit_code == 0 and "training data" not in on_test.output
    assert "is the file" in on_test.output and "was tested on" in " ".join(on_test.output.split())


def test_an_interrupt_saves_a_checkpoint_at_once_and_the_rerun_ends_with_the_same_weights(tmp_path, uninterrupted):
    items, config, whole = uninterrupted(epochs=2)

    def ctrl_c(step, total):
        if step == 2:
            raise KeyboardInterrupt

    checkpoint, said = tmp_path / "run.ckpt", []
    with pytest.raises(KeyboardInterrupt):  # the periodic checkpoint (every 15 minutes) has not come yet
        train(items[:16], items[16:], config, log=said.append, on_step=ctrl_c, checkpoint=checkpoint)
    assert checkpoint.exists() and any("resumes at epoch 1, batch 2" in line for line in said)
    resumed = train(items[:16], items[16:], config, log=lambda s: None, checkpoint=checkpoint)
    for (name, a), b in zip(whole.model.model.state_dict().items(), resumed.model.model.state_dict().values()):
        assert torch_equal(a, b), name


@pytest.mark.parametrize("name", ["SIGINT", "SIGHUP"])
def test_a_signal_in_the_middle_of_a_step_lands_after_it(tmp_path, uninterrupted, monkeypatch, name):
    """Ctrl-C (or a hangup, which the CLI raises as one) while the weights are being updated: the step finishes,
    then the checkpoint is saved and the rerun ends with the weights of an uninterrupted run (were the step cut, its
    forward pass would have moved the random state, and the redone step would draw other dropout masks)."""
    import os
    import signal

    import torch

    items, config, whole = uninterrupted(epochs=2)
    real, calls = torch.nn.utils.clip_grad_norm_, []

    def clip_then_signal(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            os.kill(os.getpid(), getattr(signal, name))
        return real(*args, **kwargs)

    monkeypatch.setattr(torch.nn.utils, "clip_grad_norm_", clip_then_signal)
    # Ctrl-C as a terminal delivers it: a shell without job control starts background commands with SIGINT ignored
    # (POSIX), so this test run as `cmd &` would never see the signal
    previous = signal.signal(getattr(signal, name), signal.default_int_handler)
    checkpoint, said = tmp_path / "run.ckpt", []
    try:
        with pytest.raises(KeyboardInterrupt):
            train(items[:16], items[16:], config, log=said.append, checkpoint=checkpoint)
    finally:
        signal.signal(getattr(signal, name), previous)
    monkeypatch.setattr(torch.nn.utils, "clip_grad_norm_", real)
    assert any("resumes at epoch 1, batch 2" in line for line in said)
    resumed = train(items[:16], items[16:], config, log=lambda s: None, checkpoint=checkpoint)
    for (name, a), b in zip(whole.model.model.state_dict().items(), resumed.model.model.state_dict().values()):
        assert torch_equal(a, b), name


@pytest.mark.parametrize("lr", ["-1", "nan", "inf", "0"])
def test_a_learning_rate_that_cannot_train_is_refused_before_training(tmp_path, tiny_model_dir, lr):
    labels = write(tmp_path / "labels.jsonl", label_rows())
    result = runner.invoke(app, ["train", str(labels), "--out", str(tmp_path / "m"), "--base", str(tiny_model_dir),
                                 "--lr", lr])
    assert result.exit_code == 1 and "must be a number above 0 and at most 1" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "m").exists()


def test_an_out_inside_a_model_folder_or_a_shipped_model_is_refused_before_training(tmp_path, tiny_model_dir):
    from classifier.training import default_model_dir

    labels = write(tmp_path / "labels.jsonl", label_rows())
    inside = runner.invoke(app, ["train", str(labels), "--out", str(tiny_model_dir / "sub"), "--base",
                                 str(tiny_model_dir)])
    assert inside.exit_code == 1 and f"inside the stance model folder {tiny_model_dir.resolve()}" in \
        " ".join(inside.output.split())
    shipped = default_model_dir().parent / "newsmtsc-v16"
    refused = runner.invoke(app, ["train", str(labels), "--out", str(shipped), "--base", str(tiny_model_dir)])
    assert refused.exit_code == 1 and "a model the project ships (models/newsmtsc-v16)" in refused.output
    link = tmp_path / "mine"
    link.symlink_to(shipped)
    linked = runner.invoke(app, ["train", str(labels), "--out", str(link), "--base", str(tiny_model_dir)])
    assert linked.exit_code == 1 and "a model the project ships (models/newsmtsc-v16)" in linked.output
    assert not (tiny_model_dir / "sub").exists()


def test_train_and_calibrate_name_what_is_wrong_with_their_labels(tmp_path, tiny_model_dir):
    import classifier.cli.calibrate  # noqa: F401  (registers 'stance calibrate')

    labels = write(tmp_path / "labels.jsonl", label_rows())
    base = ["--base", str(tiny_model_dir), "--epochs", "1", "--n-boot", "0"]
    none_held = runner.invoke(app, ["train", str(labels), "--out", str(tmp_path / "m"), "--test-fraction", "0", *base])
    assert none_held.exit_code == 1 and "--test-fraction 0 holds out no article" in none_held.output
    renamed = tmp_path / "labels.txt"
    renamed.write_text(labels.read_text())
    named = runner.invoke(app, ["train", str(renamed), "--out", str(tmp_path / "m"), *base])
    assert named.exit_code == 1 and "unknown label file extension '.txt'" in named.output
    rows = label_rows()
    rows[3]["label"] = "pro"
    odd = write(tmp_path / "odd.jsonl", rows)
    calibrated = runner.invoke(app, ["calibrate", str(tiny_model_dir), str(odd), "--dry-run"])
    assert calibrated.exit_code == 1 and "odd.jsonl:4: unknown label 'pro'" in calibrated.output
    loose = write(tmp_path / "loose.jsonl", [{k: v for k, v in row.items() if k != "article"} for row in label_rows()])
    trained = runner.invoke(app, ["train", str(loose), "--out", str(tmp_path / "m2"), *base, "-q"])
    assert trained.exit_code == 0 and "labelled items have no 'article': each is held out on its own" in \
        " ".join(trained.output.split())


def test_items_without_a_label_are_counted_when_left_out(tmp_path):
    # an InputWarning since train_model (classifier.training) reads the labels: caught as a warning, not read from
    # stderr, where Python shows a warning met before at the same line once only (the whole suite met this one)
    from classifier.errors import InputWarning
    from classifier.training import load_labelled

    rows = label_rows(n_articles=2, per_article=3)
    rows[0] = {**rows[0], "label": None, "skipped": True}  # seen and passed over
    rows[1] = {**rows[1], "label": None, "annotator": None, "suggestion": None}  # an item no one labelled
    with pytest.warns(InputWarning) as said:
        items = load_labelled([write(tmp_path / "labels.jsonl", rows)], None, False, "training")
    assert len(items) == 4
    assert "2 training items left out: they have no label (skipped, retracted or never labelled)" in \
        [str(warning.message) for warning in said]
    rows[2:4] = [{**row, "annotator": "bob"} for row in rows[2:4]]  # labelled, but by someone else
    with pytest.warns(InputWarning) as said:
        items = load_labelled([write(tmp_path / "labels.jsonl", rows)], "ana", False, "training")
    assert len(items) == 2
    assert any(str(warning.message).startswith("4 training items left out: they have no label by annotator 'ana'")
               for warning in said), [str(warning.message) for warning in said]


def test_a_loss_that_stops_being_a_number_ends_training_with_one_line(tmp_path, tiny_model_dir, monkeypatch):
    import classifier.models.train as training

    # a learning rate above 1 is refused before training now (check_config_numbers): let 1e30 through, to diverge
    monkeypatch.setattr(training, "check_config", lambda config: None)
    items = items_from(label_rows(n_articles=4, per_article=5))
    config = TrainConfig(base=str(tiny_model_dir), epochs=2, learning_rate=1e30, batch_size=4, max_length=64)
    checkpoint = tmp_path / "run.ckpt"
    with pytest.raises(InputError, match=r"training diverged: the loss is nan at step \d+ \(epoch 1\); lower lr "
                                         r"\(it is 1e\+30\)"):  # train_model's lr (--lr in the CLI)
        train(items, None, config, log=lambda s: None, checkpoint=checkpoint)
    assert not checkpoint.exists()  # a rerun must not resume into the NaN weights


def test_a_base_written_as_a_relative_path_that_does_not_exist_is_no_hub_lookup(tmp_path, monkeypatch):
    """``--base ./m`` is a folder that is not there: one line, before any label is read and without asking the
    Hugging Face hub for a repository named 'm' (Path('./m') prints as 'm', which looked like a Hub name)."""
    import classifier.models.base as base

    def no_lookup(name):
        raise AssertionError(f"looked up {name!r} on the hub")

    monkeypatch.setattr(base, "check_hub_reachable", no_lookup)
    monkeypatch.chdir(tmp_path)
    labels = write(tmp_path / "labels.jsonl", label_rows(n_articles=3, per_article=2))
    result = runner.invoke(app, ["train", str(labels), "--out", str(tmp_path / "m"), "--base", "./m"])
    assert result.exit_code == 1, result.output
    assert "./m: no such model folder" in " ".join(result.output.split()) and "Traceback" not in result.output


def test_the_cards_held_out_comparison_is_evaluate_compares_on_the_same_predictions(tmp_path, tiny_model_dir,
                                                                                 default_dir, monkeypatch):
    """train's paired bootstrap uses evaluate's seed, not --seed: the card and 'stance evaluate --compare' on the
    same held-out predictions give the same intervals and p-values (--seed 13 gave another interval)."""
    import classifier.training as training
    from classifier.evaluate import evaluate_predictions

    real, seen = training.compare_on_test, {}

    def keep(test, predictions, n_boot, seed, task):
        seen.update(test=test, predictions=predictions)
        return real(test, predictions, n_boot, seed, task)

    monkeypatch.setattr(training, "compare_on_test", keep)
    labels = write(tmp_path / "labels.jsonl", label_rows(n_articles=25, per_article=2))  # 5 held-out articles
    out = tmp_path / "models" / "ours"
    result = runner.invoke(app, ["train", str(labels), "--out", str(out), "--base", str(tiny_model_dir),
                                 "--epochs", "1", "--n-boot", "200", "--seed", "13", "-q"])
    assert result.exit_code == 0, result.output
    files = {}
    for key in ("reference", "new"):
        rows = [{**item.model_dump(), "stance": label, "model": key,
                 "stance_scores": {name: 0.8 if name == label else 0.1 for name in LABELS}}
                for item, label in zip(seen["test"], seen["predictions"][key])]
        files[key] = write(tmp_path / f"{key}.jsonl", rows)
    evaluated = evaluate_predictions(files["new"], compare=files["reference"], n_boot=200)["compare"]["metrics"]
    card = json.loads((out / "model_card.json").read_text())
    for metric in ("macro_f1", "accuracy", "f1_favor_against"):
        paired = card["comparison"]["paired"][metric]
        assert paired["ci"] == pytest.approx(evaluated[metric]["ci"]), metric
        assert paired["p_value"] == pytest.approx(evaluated[metric]["p_value"]), metric
        assert card["comparison"]["ci"]["new"][metric] == pytest.approx(evaluated[metric]["second_ci"])
    assert card["data"]["split options"].endswith("bootstrap seed 0, annotator majority of people")


def test_promote_needs_the_new_model_ahead_beyond_its_interval(tmp_path, tiny_model_dir, default_dir, monkeypatch):
    """A new model ahead by +0.001 with an interval far across 0 is not promoted: the held-out items cannot tell
    it from the starting model; nor is one with no interval (--n-boot 0); one ahead beyond its interval is."""
    import classifier.training as training
    from classifier.errors import cli_flags
    from classifier.training import promotion_doubt

    real = training.compare_on_test

    def by_a_hair(test, predictions, n_boot, seed, task):
        comparison = real(test, predictions, n_boot, seed, task)
        comparison["metrics"]["new"]["macro_f1"] = comparison["metrics"]["reference"]["macro_f1"] + 0.001
        return ahead(comparison, 0.001, (-0.15, 0.16))

    monkeypatch.setattr(training, "compare_on_test", by_a_hair)
    labels = write(tmp_path / "labels.jsonl", label_rows(n_articles=4, per_article=4))
    result = promote_run(labels, tmp_path / "m", tiny_model_dir)
    assert result.exit_code == 3, result.output
    said = " ".join(result.output.split())
    assert ("--promote refused: macro-F1 +0.001 over start (tiny), 95% interval [-0.150, +0.160], which holds 0: the "
            "4 held-out items cannot tell the two apart; the new model is saved") in said, said
    assert "WORSE" not in said and "LOWER" not in said and (tmp_path / "m").exists() and not default_dir.exists()

    none = {"n": 8, "paired": None, "paired_note": "the gold items come from 2 articles, too few"}
    assert promotion_doubt(none, "start").startswith("no interval for the difference from start (too few held-out "
                                                      "articles, as the note under the table says)")
    with cli_flags():
        assert promotion_doubt({"n": 8, "paired": None}, "start").startswith(
            "no interval for the difference from start (no paired bootstrap (--n-boot 0))")
    assert "(no paired bootstrap (n_boot=0))" in promotion_doubt({"n": 8, "paired": None}, "start")  # from Python
    assert promotion_doubt(ahead({"n": 8}, 0.1, (0.001, 0.2)), "start") == ""
    # an interval from 0 holds 0, as evaluate's sentence says of it: no better beyond these items' noise
    assert "holds 0" in promotion_doubt(ahead({"n": 8}, 0.1, (0.0, 0.2)), "start")
    assert promotion_doubt(ahead({"n": 8}, 0.0, (0.0, 0.0)), "start")  # the same calls: nothing gained


def test_a_finished_model_in_out_is_replaced_only_with_overwrite_and_stays_whole_until_the_new_one_is(
        tmp_path, tiny_model_dir, default_dir, monkeypatch):
    from classifier.training import train_checkpoint
    from classifier.errors import InputError as Refused
    import classifier.models.card as card_module

    labels = write(tmp_path / "labels.jsonl", label_rows(n_articles=4, per_article=4))
    out = tmp_path / "models" / "ours-v1"

    def run(*extra):
        return runner.invoke(app, ["train", str(labels), "--out", str(out), "--base", str(tiny_model_dir),
                                   "--epochs", "1", "--n-boot", "0", "-q", *extra])

    def files():
        return {p.name: p.read_bytes() for p in out.iterdir()}

    out.mkdir(parents=True)  # an empty folder (made with mkdir first) holds nothing to lose
    assert run().exit_code == 0
    first = files()
    again = run("--seed", "14")  # the newcomer's second run into the same folder
    assert again.exit_code == 1 and "Traceback" not in again.output
    said = " ".join(again.output.split())
    assert f"--out {out}: holds a finished model; add --overwrite to replace it" in said, said
    assert files() == first and not train_checkpoint(out).exists()  # refused before training

    def full_disk(*args, **kwargs):
        raise Refused("disk full")

    monkeypatch.setattr(card_module, "write_card", full_disk)  # the new model's save fails half way
    failed = run("--seed", "14", "--overwrite")
    assert failed.exit_code == 1 and "disk full" in failed.output
    assert files() == first and train_checkpoint(out).exists()  # the old model whole; the run's state kept
    monkeypatch.undo()
    unfinished = " ".join(run("--seed", "14").output.split())
    assert "unfinished run that replaces it; rerun with --overwrite to finish it" in unfinished, unfinished
    assert files() == first
    finished = run("--seed", "14", "--overwrite")  # the same command resumes and replaces the model
    assert finished.exit_code == 0, finished.output
    card = json.loads((out / "model_card.json").read_text())
    assert card["hyperparameters"]["seed"] == 14 and "resumed after a stop at" in card["training"]
    assert files() != first and not train_checkpoint(out).exists()
    assert not [p.name for p in out.parent.iterdir() if p.name != "ours-v1"]  # no stage or backup left beside it


def test_the_500_labels_rule_counts_the_labels_left_once_test_holds_its_items_out(tmp_path, tiny_model_dir,
                                                                                  monkeypatch):
    """It compared the labels read with SMALL_LABEL_SET: 50 labels of which --test took 25 got the dev split that
    25 labels would not (the rule lowered to 30 here, so a tiny file crosses it)."""
    from classifier.models import train as training

    monkeypatch.setattr(training, "SMALL_LABEL_SET", 30)
    rows = label_rows(n_articles=10, per_article=5)
    labels = write(tmp_path / "labels.jsonl", rows)
    test = write(tmp_path / "test.jsonl", rows[:25] + label_rows(n_articles=1, per_article=4, seed=2, prefix="t"))
    result = runner.invoke(app, ["train", str(labels), "--out", str(tmp_path / "m"), "--base", str(tiny_model_dir),
                                 "--test", str(test), "--epochs", "1", "--n-boot", "0"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "25 (5 articles) train for 1 epoch, no dev split" in said
    assert training.labels_left_to_train(items_from(rows), items_from(rows[:25]), 0.2, 13) == 25
    assert training.labels_left_to_train(items_from(rows), None, 0.2, 13) == 40  # 2 of 10 articles are the test


def test_items_set_aside_for_the_dev_split_are_counted_apart_with_their_own_reason(tmp_path, tiny_model_dir):
    """With --test and a dev split, a training item whose sentence sat in a dev article was counted with those --test
    set aside, under --test's reason: "5 set aside, as ... are in --test" where --test had taken 2."""
    rows = label_rows(n_articles=10, per_article=3)
    copies = [{**row, "id": f"copy-{row['id']}", "article": f"copy-{row['article']}"} for row in rows]
    labels = write(tmp_path / "labels.jsonl", rows + copies)
    test = write(tmp_path / "test.jsonl", label_rows(n_articles=2, per_article=3, seed=2, prefix="t"))
    out = tmp_path / "m"
    result = runner.invoke(app, ["train", str(labels), "--out", str(out), "--base", str(tiny_model_dir), "--test",
                                 str(test), "--epochs", "1", "--n-boot", "0", "--dev-fraction", "0.3"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    from classifier.models.train import LEFT_OUT_FOR_DEV

    items = items_from(rows + copies)
    train_part, dev, _, for_test, for_dev = holdout_split(items, items_from(json.loads(line) for line in
                                                                             test.read_text().splitlines()),
                                                          0.2, 0.3, seed=13)
    assert for_test == 0 and for_dev > 0
    assert "set aside, as their articles, ids or sentences (with the same actor) are in --test" not in said
    assert f"dev split of {len(dev)} ({len({it.article for it in dev})} articles), {for_dev} more set aside, as " \
           f"{LEFT_OUT_FOR_DEV}" in said
    card = json.loads((out / "model_card.json").read_text())
    assert card["data"]["split"] == (f"by article (no article in two splits); {for_dev} labelled items left out of "
                                     f"training: {LEFT_OUT_FOR_DEV}")
    result = runner.invoke(app, ["train", str(labels), "--out", str(tmp_path / "m2"), "--base", str(tiny_model_dir),
                                 "--test", str(test), "--epochs", "1", "--n-boot", "0", "--dev-fraction", "0.3",
                                 "-q"])
    assert result.exit_code == 0, result.output
    assert f"warning: {for_dev} training items left out: {LEFT_OUT_FOR_DEV}" in " ".join(result.output.split())


def test_too_few_articles_for_a_bootstrap_is_said_once(tmp_path, tiny_model_dir, default_dir):
    """Trained on two articles (one held out), the run said "the gold items come from 1 article, too few for a
    bootstrap by article ..." three times: under the table, in the verdict and in the LOWER warning. The table's note
    says it; the sentences after it point there, and the card's verdict, read without the table, still says it."""
    labels = write(tmp_path / "labels.jsonl", label_rows(n_articles=2, per_article=6))
    out = tmp_path / "m"
    result = runner.invoke(app, ["train", str(labels), "--out", str(out), "--base", str(tiny_model_dir), "--epochs",
                                 "1", "--lr", "1e-2", "--seed", "1", "-q"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert said.count("too few for a bootstrap") == 1, said
    assert "no paired bootstrap: the gold items come from 1 article, too few for a bootstrap by article" in said
    assert "with no interval (see the note under the table)." in said  # the verdict on the held-out items
    assert "scored LOWER" in said and "too few held-out articles, as the note under the table says" in said
    card = json.loads((out / "model_card.json").read_text())
    assert "with no interval (the gold items come from 1 article, too few for a bootstrap" in card["verdict"]


@pytest.mark.parametrize("when", ["training", "scoring"])
def test_a_model_that_fails_mid_run_is_one_line_and_leaves_no_model(tmp_path, tiny_model_dir, default_dir,
                                                                    monkeypatch, when):
    """A model that raised while it trained or scored the held-out items (a CUDA error, out of memory) ended 'stance
    train' on a traceback. It is one line naming the model, what it was doing and its error, exit 1, no model folder;
    the checkpoint saved before the error is kept, and the line says the same command resumes from it (here the one
    saved at the end of training, before the held-out items are scored), or, with none, that it starts again."""
    from transformers import BertForSequenceClassification

    from classifier.training import train_checkpoint

    labels = write(tmp_path / "labels.jsonl", label_rows())
    out = tmp_path / "models" / "ours"
    args = ["train", str(labels), "--out", str(out), "--base", str(tiny_model_dir), "--epochs", "2", "--n-boot", "0",
            "-q"]
    real, calls = BertForSequenceClassification.forward, []

    def failing(self, *a, **k):  # the third training step, or the first forward pass out of training
        calls.append(1)
        if (self.training and len(calls) == 3) if when == "training" else not self.training:
            raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB\n(GPU 0)")
        return real(self, *a, **k)

    with monkeypatch.context() as patched:
        patched.setattr(BertForSequenceClassification, "forward", failing)
        result = runner.invoke(app, args)
    said = " ".join(result.output.split())
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), said
    doing = "train" if when == "training" else "score the held-out items once trained"
    checkpoint = train_checkpoint(out)
    kept = (f"nothing was saved to {out}, and no checkpoint yet (one is saved every 15 minutes of training and at its "
            "end): rerun the same command to start again" if when == "training" else
            f"nothing was saved to {out}; the checkpoint {checkpoint.name} beside it (saved before the error) is "
            "kept: rerun the same command to resume from it")
    assert said == (f"error: {tiny_model_dir}: the model failed to {doing} (RuntimeError: CUDA out of memory. Tried to "
                    f"allocate 2.00 GiB\\n(GPU 0)); {kept}"), said
    assert not out.exists() and checkpoint.exists() == (when == "scoring")
    left = sorted(p.name for p in out.parent.iterdir()) if out.parent.exists() else []
    assert left == ([checkpoint.name] if when == "scoring" else [])  # no stage of a half-written model
    again = runner.invoke(app, args)  # the same command: resumed from the checkpoint, or afresh
    assert again.exit_code == 0, again.output
    assert (out / "model.safetensors").exists() and not checkpoint.exists()


def test_held_out_items_the_starting_model_learnt_are_warned_of(tmp_path, tiny_model_dir):
    """A --test whose items the starting model trained on (its trained_items.txt) was compared on in silence, where
    evaluate and classify warn of such items: the comparison credits that model with what it learnt."""
    first = write(tmp_path / "first.jsonl", label_rows(n_articles=4, per_article=4))
    test = write(tmp_path / "test.jsonl", label_rows(n_articles=2, per_article=4, seed=2, prefix="t"))
    m1 = tmp_path / "m1"
    assert runner.invoke(app, ["train", str(first), "--out", str(m1), "--base", str(tiny_model_dir), "--test",
                               str(test), "--epochs", "1", "--n-boot", "0", "-q"]).exit_code == 0
    again = runner.invoke(app, ["train", str(write(tmp_path / "more.jsonl", label_rows(n_articles=4, per_article=4,
                                                                                       seed=3, prefix="b"))),
                                "--out", str(tmp_path / "m2"), "--base", str(m1), "--test", str(first),
                                "--epochs", "1", "--n-boot", "0", "-q"])
    said = " ".join(again.output.split())
    assert again.exit_code == 0, again.output
    assert ("warning: held-out test: 16 of 16 items (100%) were in m1's training data; figures on them are in-sample: "
            "the comparison credits m1 (and the new model, which started from it) with items it learnt") in said
    unseen = runner.invoke(app, ["train", str(tmp_path / "more.jsonl"), "--out", str(tmp_path / "m3"), "--base",
                                 str(m1), "--test", str(write(tmp_path / "new.jsonl", label_rows(
                                     n_articles=2, per_article=4, seed=4, prefix="n"))),
                                 "--epochs", "1", "--n-boot", "0", "-q"])
    assert unseen.exit_code == 0 and "training data" not in unseen.output
