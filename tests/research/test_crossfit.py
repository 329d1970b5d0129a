"""Cross-fitted distillation: unlabelled variants, precomputed teacher logits, fold-wise teachers, devices."""

import numpy as np
import pytest

from classifier.items import LABELS, Item
from research import crossfit as distill
from research.augment import EDITS, augmented_views, cross_target_items, edited
from classifier.models.train import TrainConfig, resolve_device, train


def news_items():
    texts = [
        ("Senator Warren praised the plan, and Governor Cuomo stayed silent on it for days.", "Elizabeth Warren", "Warren", "favor"),
        ("Critics said Cuomo mishandled the crisis while Warren called for an inquiry into it.", "Andrew Cuomo", "Cuomo", "against"),
        ("Warren visited Boston on Monday to meet local business owners and voters.", "Elizabeth Warren", "Warren", "neutral"),
        ("She said Cuomo had failed the state, and her aides repeated the charge.", "Andrew Cuomo", "Cuomo", "against"),
    ]
    items = []
    for n, (text, actor, mention, label) in enumerate(texts):
        start = text.index(mention)
        items.append(Item(id=f"i{n}", text=text, actor=actor, spans=[(start, start + len(mention))], label=label,
                          article=f"doc{n}"))
    return items


def test_views_keep_the_mention_and_the_source_article_and_drop_the_label():
    items = news_items()
    views = augmented_views(items, per_item=6, seed=0)
    assert views and views == augmented_views(items, per_item=6, seed=0)  # fixed seed: same variants
    sources = {item.id: item for item in items}
    for view in views:
        source = sources[view.id.split("~")[0]]
        assert view.label is None and view.article == source.article
        assert view.spans and all(view.text[s:e] in {"Warren", "Cuomo"} for s, e in view.spans)
        assert view.text != source.text


def test_views_can_be_limited_to_some_edits():
    items = news_items()
    cropped = augmented_views(items, per_item=3, seed=0, edits=("crop",))
    assert cropped and {view.id.split("~")[1] for view in cropped} == {"crop"}
    two = augmented_views(items, per_item=6, seed=0, edits=("drop", "replace"))
    assert {view.id.split("~")[1] for view in two} <= {"drop", "replace", "drop+replace", "replace+drop"}
    with pytest.raises(ValueError, match="unknown edits"):
        augmented_views(items, per_item=1, edits=("shuffle",))


def test_substitution_swaps_the_named_mention_for_another_actor_and_keeps_pronouns():
    import random

    item = news_items()[3]  # "She said Cuomo had failed the state, and her aides ..."
    her = item.text.index(" her ") + 1
    item = item.model_copy(update={"spans": [(9, 14), (her, her + 3)]})
    view = edited(item, "substitute", random.Random(0), ["Warren", "Cuomo"], ["word"])
    assert view.actor == "Warren" and [view.text[s:e] for s, e in view.spans] == ["Warren", "her"]
    with pytest.raises(ValueError, match="unknown edit"):
        edited(item, "shuffle", random.Random(0), [], [])
    assert set(EDITS) == {"substitute", "drop", "crop", "replace"}


def test_cross_target_pairs_carry_their_sentence_article():
    pairs = cross_target_items(news_items(), limit=10)
    assert pairs and all(p.label is None for p in pairs)
    by_text = {item.text: item.article for item in news_items()}
    assert all(p.article == by_text[p.text] for p in pairs)
    assert {(p.text[p.spans[0][0]:p.spans[0][1]], p.actor) for p in pairs} <= {("Cuomo", "Andrew Cuomo"),
                                                                               ("Warren", "Elizabeth Warren")}


def test_soft_targets_train_the_student_and_must_match_the_items(tiny_model_dir):
    gold = [item.model_copy(update={"label": "neutral"}) for item in news_items()]
    unlabelled = augmented_views(news_items(), per_item=4, seed=1)
    favor = np.tile([6.0, -3.0, -3.0], (len(gold) + len(unlabelled), 1))  # a teacher sure of favor everywhere
    config = TrainConfig(base=str(tiny_model_dir), epochs=4, batch_size=8, learning_rate=3e-3, seed=2,
                         distill_weight=1.0)
    model = train(gold, None, config, log=lambda s: None, transfer_items=unlabelled, soft_targets=favor).model
    assert {model.labels[i] for i in model.predict_proba(gold).argmax(axis=1)} == {"favor"}
    with pytest.raises(ValueError, match="rows of soft targets"):
        train(gold, None, config, transfer_items=unlabelled, soft_targets=favor[:3])


def test_crossfit_teachers_never_score_an_article_they_learned(tiny_model_dir, monkeypatch):
    items = news_items()
    views = augmented_views(items, per_item=2, seed=0)
    seen = []
    real_train = train

    def recording_train(train_items, dev_items, config, **kwargs):
        seen.append({item.article for item in train_items})
        return real_train(train_items, dev_items, config, **kwargs)

    monkeypatch.setattr("classifier.models.train.train", recording_train)
    config = TrainConfig(base=str(tiny_model_dir), epochs=1, batch_size=4, learning_rate=1e-3)
    logits, dev = distill.crossfit_logits(items, views, config, folds=2, eval_items=items[:1], log=lambda s: None)
    assert logits.shape == (len(items) + len(views), len(LABELS)) and dev.shape == (1, len(LABELS))
    assert not np.any(np.all(logits == 0, axis=1))  # every row scored by some teacher
    folds = {item.article: distill.article_fold(item, 2) for item in items}
    assert len(seen) == 2
    for k, learned in enumerate(seen):
        assert all(folds[article] != k for article in learned)


def test_devices_are_checked_before_training():
    assert resolve_device("cpu").type == "cpu"
    with pytest.raises(ValueError, match="unknown device"):
        resolve_device("tpu")
    import torch

    if not torch.cuda.is_available():
        assert resolve_device("auto").type == "cpu"
        with pytest.raises(ValueError, match="no CUDA device"):
            resolve_device("cuda")


def test_crossfit_teachers_are_saved_per_fold_and_a_rerun_trains_only_the_missing_ones(tiny_model_dir, tmp_path,
                                                                                       monkeypatch):
    items = news_items()
    views = augmented_views(items, per_item=2, seed=0)
    trained = []
    real_train = train

    def recording_train(train_items, dev_items, config, **kwargs):
        trained.append(len(train_items))
        return real_train(train_items, dev_items, config, **kwargs)

    monkeypatch.setattr("classifier.models.train.train", recording_train)
    config = TrainConfig(base=str(tiny_model_dir), epochs=1, batch_size=4, learning_rate=1e-3)
    run = dict(folds=2, eval_items=items[:1], log=lambda s: None, fold_dir=tmp_path / "teachers")
    assert distill.crossfit_logits(items, views, config, only_folds=[0], **run) == (None, None)
    assert [p.name for p in (tmp_path / "teachers").iterdir()] == ["fold-1-of-2.npz"] and len(trained) == 1
    logits, dev = distill.crossfit_logits(items, views, config, only_folds=[1], **run)
    assert len(trained) == 2 and not np.any(np.all(logits == 0, axis=1)) and dev.shape == (1, len(LABELS))
    again, dev_again = distill.crossfit_logits(items, views, config, **run)  # everything saved: nothing trains
    assert len(trained) == 2 and np.allclose(again, logits) and np.allclose(dev_again, dev)
    with pytest.raises(ValueError, match="fold-1-of-2.npz: scores made for other items"):
        distill.crossfit_logits(items[1:], views, config, **run)


def test_a_saved_fold_is_reused_across_devices_but_not_across_recipes():
    from dataclasses import replace

    items = news_items()
    config = TrainConfig(base="minilm", epochs=1)
    key = distill.crossfit_key(items, items[:1], config, 2, 0)
    assert distill.crossfit_key(items, items[:1], replace(config, device="cuda", cpu_bf16=True), 2, 0) == key
    assert distill.crossfit_key(items, items[:1], replace(config, learning_rate=1e-4), 2, 0) != key
    assert distill.crossfit_key(items, items[:1], config, 3, 0) != key


def test_a_share_of_the_variants_keeps_each_with_its_own_teacher_logits(load_script):
    script = load_script("crossfit_distill")
    variants = [f"v{n}" for n in range(10)]
    logits = np.arange(30, dtype=np.float32).reshape(10, 3)
    kept, kept_logits = script.chosen_variants(variants, logits, 0.5)
    assert len(kept) == 5 and kept == sorted(kept, key=lambda v: int(v[1:]))
    assert [int(v[1:]) for v in kept] == [int(row[0]) // 3 for row in kept_logits]
    assert script.chosen_variants(variants, logits, 0.5)[0] == kept  # seeded
    every, every_logits = script.chosen_variants(variants, logits, 1.0)
    assert every == variants and np.array_equal(every_logits, logits)
    none, none_logits = script.chosen_variants(variants, None, 0.0)
    assert none == [] and none_logits is None


def test_a_new_training_option_at_its_default_keeps_saved_folds_valid():
    """Pinned: the key of saved folds made before layer_lr_decay and init_seed joined TrainConfig
    (data/teachers/newsmtsc-mpnet-8 holds such folds); either option, once set, is a new recipe."""
    from dataclasses import replace

    items = news_items()
    config = TrainConfig(base="minilm", epochs=1)
    assert distill.crossfit_key(items, items[:1], config, 2, 0) == "44c6f705789e5f22"
    assert distill.crossfit_key(items, items[:1], replace(config, init_seed=3), 2, 0) != "44c6f705789e5f22"
    assert distill.crossfit_key(items, items[:1], replace(config, layer_lr_decay=0.9), 2, 0) != "44c6f705789e5f22"


def test_seeds_trained_in_worker_processes_come_back_as_the_same_models(tiny_model_dir, load_script):
    import torch

    script = load_script("crossfit_distill")
    items = news_items()
    tasks = [{"name": "plain", "train": items, "dev": items[:2], "transfer": [], "soft": None,
              "config": TrainConfig(base=str(tiny_model_dir), epochs=1, batch_size=2, learning_rate=1e-3,
                                    max_length=64, seed=seed)} for seed in (1, 2)]
    torch.set_num_threads(1)  # as in each worker, so the arithmetic is the same
    inline = script.train_seeds(tasks, jobs=1)
    workers = script.train_seeds(tasks, jobs=2)
    assert [record["seed"] for record, _ in workers] == [1, 2] and "dev_macro_f1" in workers[0][0]
    for (_, a), (_, b) in zip(inline, workers):
        assert torch.allclose(a.model.classifier.weight, b.model.classifier.weight, atol=1e-6)
    assert not torch.allclose(inline[0][1].model.classifier.weight, inline[1][1].model.classifier.weight)


def fake_newsmtsc(folder):
    """train.jsonl and the two test files: the news items again, one article per copy."""
    import json

    folder.mkdir()
    rows = [{**item.model_dump(mode="json"), "id": f"{item.id}-{n}", "article": f"doc{n}-{k}"}
            for n in range(5) for k, item in enumerate(news_items())]
    for name in ("train", "devtest_rw", "devtest_mt"):
        (folder / f"{name}.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    return folder


def test_students_souped_from_one_head_and_their_refit_soup(tiny_model_dir, tmp_path, monkeypatch, load_script):
    import json
    import sys
    from types import SimpleNamespace

    script = load_script("crossfit_distill")
    monkeypatch.setattr(script, "STUDENT", dict(script.STUDENT))  # --epochs edits these; keep the originals
    monkeypatch.setattr(script, "RECIPES", {k: (dict(v[0]), *v[1:]) for k, v in script.RECIPES.items()})
    data = fake_newsmtsc(tmp_path / "newsmtsc")
    common = ["--data", str(data), "--views", "1", "--cross-target", "0", "--epochs", "1", "--device", "cpu",
              "--student-base", str(tiny_model_dir)]
    train_part, dev_part, transfer = script.load_split(SimpleNamespace(data=str(data), limit=0, dev_fraction=0.2,
                                                                       views=1, cross_target=0))
    logits = tmp_path / "xfit" / "teacher_logits.npz"
    logits.parent.mkdir()
    rng = np.random.default_rng(0)
    np.savez(logits, items_digest=script.ids_digest([*train_part, *transfer]),
             logits=rng.normal(size=(len(train_part) + len(transfer), 3)).astype(np.float32),
             dev_items_digest=script.ids_digest(dev_part), dev_logits=rng.normal(size=(len(dev_part), 3)))
    (logits.parent / "teachers.json").write_text(json.dumps({"folds": 2, "teacher": {"base": "tiny"}}))

    def run(*args):
        monkeypatch.setattr(sys, "argv", ["crossfit_distill.py", *args, *common, "--logits", str(logits)])
        script.main()

    run("students", "--recipes", "kd-aug", "--seeds", "1", "2", "--init-seed", "1", "--out", str(tmp_path / "st"))
    card = json.loads((tmp_path / "st" / "model" / "model_card.json").read_text())
    assert card["seeds"] == [1, 2] and card["init_seed"] == 1 and card["best_epoch"] == 1
    run("refit", "--calibrate-with", str(tmp_path / "st" / "model"), "--out", str(tmp_path / "refit"))
    refit = json.loads((tmp_path / "refit" / "model_card.json").read_text())
    assert refit["hyperparameters"]["seed"] == [1, 2] and refit["hyperparameters"]["init_seed"] == 1
    assert "averaged over seeds [1, 2]" in refit["hyperparameters"]["recipe"]
    assert set(refit["evaluation"]) == {"devtest_rw", "devtest_mt"}

    run("students", "--recipes", "kd-aug", "--seeds", "1", "2", "--out", str(tmp_path / "apart"))  # no --init-seed
    with pytest.raises(SystemExit, match="one --init-seed"):
        run("refit", "--calibrate-with", str(tmp_path / "apart" / "model"), "--out", str(tmp_path / "refit2"))


def test_teachers_trained_in_worker_processes_save_the_same_folds(tiny_model_dir, tmp_path, monkeypatch, load_script):
    import sys

    import torch

    script = load_script("crossfit_distill")
    data = fake_newsmtsc(tmp_path / "newsmtsc")
    torch.set_num_threads(1)  # as in each worker on a 2-core machine; elsewhere within rounding

    def teachers(jobs):
        out = tmp_path / f"jobs{jobs}"
        monkeypatch.setattr(sys, "argv", ["crossfit_distill.py", "teachers", "--data", str(data), "--views", "1",
                                          "--cross-target", "0", "--device", "cpu", "--folds", "2",
                                          "--teacher-base", str(tiny_model_dir), "--teacher-epochs", "1",
                                          "--jobs", str(jobs), "--out", str(out)])
        monkeypatch.setattr(torch, "set_num_threads", lambda n: None)  # main() would take every core
        script.main()
        return out

    inline = np.load(teachers(1) / "teacher_logits.npz")

    def no_training_here(*args, **kwargs):
        raise AssertionError("with --jobs the workers train the teachers, not the main process")

    monkeypatch.setattr("classifier.models.train.train", no_training_here)  # spawned workers import their own
    workers = np.load(teachers(2) / "teacher_logits.npz")
    assert sorted(p.name for p in (tmp_path / "jobs2" / "teachers").iterdir()) == ["fold-1-of-2.npz", "fold-2-of-2.npz"]
    assert np.allclose(inline["logits"], workers["logits"], atol=1e-5)
    assert np.allclose(inline["dev_logits"], workers["dev_logits"], atol=1e-5)
    assert not np.any(np.all(workers["logits"] == 0, axis=1))  # every item scored by its fold's teacher
    # every labelled item of train.jsonl, by id: its out-of-fold row, or the teachers' mean on the dev part
    from classifier.items import read_items
    from classifier.models.distill import teacher_logits

    labelled = list(read_items(data / "train.jsonl"))
    by_id = teacher_logits(tmp_path / "jobs1" / "item_scores.npz", labelled, labels=list(LABELS))
    train_part, dev_part = script.train_and_dev(str(data), 0.2)
    row = {item.id: i for i, item in enumerate(labelled)}
    assert np.allclose(by_id[[row[it.id] for it in train_part]], inline["logits"][:len(train_part)])
    assert np.allclose(by_id[[row[it.id] for it in dev_part]], inline["dev_logits"])
