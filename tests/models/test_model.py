import json
import re
import shutil
from dataclasses import replace

import numpy as np
import pytest

from classifier.errors import InputError
from classifier.items import LABELS, Item
from classifier.models.inputs import InputEncoder, mark_mentions, merge_spans
from classifier.models.stance_model import StanceModel, pad_batch, scores_record
from classifier.models.train import TrainConfig, class_weights, split_by_article, train


def test_mark_mentions_wraps_every_mention_and_merges_overlaps():
    text = "Putin met Xi; Putin smiled."
    assert mark_mentions(text, [(0, 5), (14, 19)]) == "<t> Putin </t> met Xi; <t> Putin </t> smiled."
    assert merge_spans([(5, 9), (0, 3), (2, 4)]) == [(0, 4), (5, 9)]
    assert mark_mentions(text, []) == text


def test_encoder_pairs_actor_with_marked_sentence(tiny_model):
    encoder = tiny_model.encoder
    encoded = encoder.encode("Putin met Xi.", "Russia", [(0, 5)])
    tokens = tiny_model.tokenizer.convert_ids_to_tokens(encoded.input_ids)
    assert tokens[:3] == ["[CLS]", "russia", "[SEP]"]
    assert tokens[3] == "<t>" and "</t>" in tokens
    assert encoded.token_type_ids[:3] == [0, 0, 0] and encoded.token_type_ids[-1] == 1


def test_long_text_keeps_a_window_around_the_first_mention(tiny_model):
    encoder = InputEncoder(tiny_model.tokenizer, "pair", max_length=32)
    text = "filler " * 300 + "NATO expanded. " + "filler " * 300
    start = text.index("NATO")
    encoded = encoder.encode(text, "NATO", [(start, start + 4)])
    assert encoded.truncated and len(encoded.input_ids) <= 32
    assert "<t>" in tiny_model.tokenizer.convert_ids_to_tokens(encoded.input_ids)
    batch = encoder.encode_many([text, "NATO met."], ["NATO", "NATO"], [[(start, start + 4)], [(0, 4)]])
    assert batch[0].input_ids == encoded.input_ids and not batch[1].truncated
    assert encoder.encode_many([], [], []) == []


def test_a_huge_text_is_cropped_round_its_first_mention_before_tokenising(tiny_model, monkeypatch):
    from classifier.models import inputs

    encoder = InputEncoder(tiny_model.tokenizer, "pair", max_length=32)
    text = "filler words, " * 2000 + "NATO expanded. " + "more filler " * 2000
    start = text.index("NATO")
    assert len(encoder._crop(mark_mentions(text, [(start, start + 4)]))) == 2 * 32 * inputs.CHARS_PER_TOKEN
    cropped = encoder.encode_many([text], ["NATO"], [[(start, start + 4)]])[0]
    monkeypatch.setattr(inputs, "CHARS_PER_TOKEN", 10**9)  # no crop: the same window, found the slow way
    assert encoder.encode(text, "NATO", [(start, start + 4)]) == cropped and cropped.truncated


def test_scores_are_normalised_in_label_order():
    record = scores_record(np.array([2.0, 1.0, 1.0]), list(LABELS))
    assert record["stance"] == "favor"
    assert abs(sum(record["stance_scores"].values()) - 1) < 1e-9
    assert record["stance_scores"]["favor"] == 0.5


def test_temperature_softens_but_keeps_the_argmax(tiny_model_dir, tmp_path):
    copy = tmp_path / "m"
    shutil.copytree(tiny_model_dir, copy)
    items = [Item(id="a", text="Putin praised Xi warmly.", actor="Russia", spans=[(0, 5)])]
    sharp = StanceModel.load(copy).predict_proba(items)
    settings = json.loads((copy / "stance.json").read_text())
    (copy / "stance.json").write_text(json.dumps({**settings, "temperature": 5.0}))
    soft = StanceModel.load(copy).predict_proba(items)
    assert soft.argmax() == sharp.argmax() and soft.max() < sharp.max()


def toy_items(n=48):
    words = {"favor": "praised", "against": "condemned", "neutral": "visited"}
    items = []
    for i in range(n):
        label = LABELS[i % 3]
        text = f"Russia {words[label]} the plan."
        items.append(Item(id=str(i), text=text, actor="Russia", spans=[(0, 6)], label=label, article=f"a{i % 8}"))
    return items


def test_training_a_few_steps_learns_and_round_trips(tiny_model_dir, tmp_path):
    items = toy_items()
    config = TrainConfig(base=str(tiny_model_dir), epochs=6, batch_size=8, learning_rate=3e-3, seed=1)
    result = train(items, items[:12], config, log=lambda s: None)
    assert len(result.history) == 6
    assert result.history[-1]["train_loss"] < result.history[0]["train_loss"]
    saved = result.model.save(tmp_path / "trained", {"name": "trained", "labels": list(LABELS)})
    loaded = StanceModel.load(saved)
    assert loaded.labels == list(LABELS) and loaded.input_format == "pair"
    before = result.model.predict_proba(items[:6])
    after = loaded.predict_proba(items[:6])
    assert np.allclose(before, after, atol=2e-3)  # fp16 weights on disk
    assert (saved / "model_card.json").exists() and (saved / "README.md").exists()


def test_any_hf_directory_works_as_a_base(tmp_path):
    import torch
    from transformers import AutoTokenizer, BertConfig, BertModel

    from classifier.models.base import bundled_minilm_dir

    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(bundled_minilm_dir())
    BertModel(BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=16, num_hidden_layers=1,
                         num_attention_heads=2, intermediate_size=32)).save_pretrained(tmp_path / "base")
    tokenizer.save_pretrained(tmp_path / "base")
    result = train(toy_items(12), None, TrainConfig(base=str(tmp_path / "base"), epochs=1, batch_size=4),
                   log=lambda s: None)
    assert result.model.labels == list(LABELS)
    assert "<t>" in result.model.tokenizer.get_vocab()


def test_class_weights_and_article_split():
    weights = class_weights([0, 0, 0, 1], 3, "balanced")
    assert weights[1] > weights[0]
    assert class_weights([0, 1], 3, "none") is None
    train_part, dev_part = split_by_article(toy_items(), 0.3, seed=0)
    assert {i.article for i in train_part}.isdisjoint({i.article for i in dev_part})
    assert len(train_part) + len(dev_part) == 48


def test_loading_a_non_model_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="not a model directory"):
        StanceModel.load(tmp_path)


def test_predict_takes_dicts_and_checks_them_as_classify_does(tiny_model):
    record = {"id": "1", "text": "NATO warned Moscow.", "actor": "NATO", "spans": [[0, 4]]}
    assert tiny_model.predict([record]) == tiny_model.predict([Item(**record)])
    cases = [([record, {"id": "2", "text": "t"}], "item 2: no 'actor'"),
             ([{"id": "3", "actor": "NATO"}], "item 1: missing field 'text'"),
             ([{**record, "spans": [[0, 99]]}], r"item 1: span \[0, 99\] is outside the text"),
             ([Item(id="4", text="It rained.")], "item 1 \\(id '4'\\): no 'actor'"),
             (["NATO warned Moscow."], "item 1: expected an Item or a dict")]
    for items, message in cases:
        with pytest.raises(InputError, match=message):
            tiny_model.predict(items)
    for size in (0, 2.5, None):  # 2.5 and None were range()'s and a comparison's TypeError
        with pytest.raises(InputError, match=f"batch_size {size}: expected a whole number of at least 1"):
            tiny_model.predict([record], batch_size=size)
    import pandas as pd

    for data, kind in ((pd.DataFrame([record]), "DataFrame"), ("NATO won.", "str"), (record, "dict")):
        with pytest.raises(InputError, match=f"got one {kind} \\(classifier.load_model\\(...\\).predict takes"):
            tiny_model.predict(data)  # a frame was read as its column names: "item 1: ... found str"
    assert [Item(**{**record, "id": v}).id for v in (3, 3.0, 2.5)] == ["3", "3", "2.5"]  # numeric id columns


# -- mention pooling ----------------------------------------------------------------------------
def tiny_encoder_base(directory):
    """A 1-layer random BERT encoder (no stance head) with the real MiniLM vocabulary."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertModel

    from classifier.models.base import bundled_minilm_dir

    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(bundled_minilm_dir())
    BertModel(BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=16, num_hidden_layers=1,
                         num_attention_heads=2, intermediate_size=32)).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def test_mention_mask_covers_the_markers_and_every_token_between():
    import torch

    from classifier.models.pooling import mention_mask

    ids = torch.tensor([[1, 7, 5, 8, 2, 7, 5, 5, 8, 0], [1, 2, 3, 4, 0, 0, 0, 0, 0, 0]])
    mask = mention_mask(ids, open_id=7, close_id=8)
    assert mask[0].tolist() == [0, 1, 1, 1, 0, 1, 1, 1, 1, 0]
    assert mask[1].sum() == 0


def test_mention_pooling_trains_saves_and_loads(tmp_path):
    import torch
    from transformers import AutoModelForSequenceClassification

    from classifier.models.pooling import MENTION_HEAD_FILE

    base = tiny_encoder_base(tmp_path / "base")
    items = toy_items(24)
    config = TrainConfig(base=str(base), pooling="mention", epochs=3, batch_size=8, learning_rate=3e-3, seed=1)
    result = train(items, None, config, log=lambda s: None)
    assert result.model.pooling == "mention"
    assert float(result.model.model.mention_head.weight.detach().abs().sum()) > 0  # the head learned something
    saved = result.model.save(tmp_path / "pooled", {"name": "pooled"})
    assert (saved / MENTION_HEAD_FILE).exists()
    loaded = StanceModel.load(saved)
    assert loaded.pooling == "mention"
    unmarked = Item(id="u", text="The plan was praised.", actor="Russia", spans=[])
    probe = items[:6] + [unmarked]
    assert np.allclose(result.model.predict_proba(probe), loaded.predict_proba(probe), atol=2e-3)
    # the directory stays a standard classifier: the [CLS] head alone, from the same weights
    plain = AutoModelForSequenceClassification.from_pretrained(saved)
    with torch.inference_mode():
        assert plain(**loaded.tokenizer("Russia", "x", return_tensors="pt")).logits.shape == (1, 3)
    (saved / MENTION_HEAD_FILE).unlink()
    with pytest.raises(InputError, match=MENTION_HEAD_FILE):
        StanceModel.load(saved)


def test_mention_pooling_differs_from_cls_only_when_a_mention_is_marked(tmp_path):
    import torch

    base = tiny_encoder_base(tmp_path / "base")
    stance = train(toy_items(12), None, TrainConfig(base=str(base), pooling="mention", epochs=1, batch_size=4),
                   log=lambda s: None).model
    with torch.no_grad():
        stance.model.mention_head.weight.fill_(0.5)
    marked = Item(id="m", text="Russia praised the plan.", actor="Russia", spans=[(0, 6)])
    unmarked = Item(id="u", text="Russia praised the plan.", actor="Russia", spans=[])
    encoded, _ = stance.encode([marked, unmarked])
    full = [stance.logits([e]) for e in encoded]
    with torch.inference_mode():
        cls_only = [stance.model.sequence_classifier(**pad_batch([e], stance.tokenizer.pad_token_id)).logits
                    for e in encoded]
    assert not torch.allclose(full[0], cls_only[0])
    assert torch.allclose(full[1], cls_only[1])


def test_stop_after_ends_early_on_the_longer_schedule(tmp_path):
    base = tiny_encoder_base(tmp_path / "base")
    config = TrainConfig(base=str(base), epochs=4, stop_after=2, batch_size=8, learning_rate=3e-3, seed=1)
    said = []
    result = train(toy_items(16), None, config, log=said.append)
    assert [h["epoch"] for h in result.history] == [1, 2] and result.best_epoch == 2
    epochs = [line for line in said if line.startswith("epoch=")]
    assert len(epochs) == 2 and all(re.search(r"  seconds=\d+\.\d(  |$)", line) for line in epochs), epochs  # not 19.2000


def test_the_count_of_texts_longer_than_the_window_is_said_in_its_number(tmp_path):
    """It said "1 training texts were longer than 160 tokens"."""
    base = tiny_encoder_base(tmp_path / "base")
    items = toy_items(8)
    long_text = "Russia praised the plan. " + "It was a long day in the capital. " * 20
    config = TrainConfig(base=str(base), epochs=1, batch_size=4, max_length=32, seed=1)
    for n_long, said in ((1, "1 training text was longer than 32 tokens"), (2, "2 training texts were longer than 32")):
        lines = []
        train([it.model_copy(update={"text": long_text}) if i < n_long else it for i, it in enumerate(items)], None,
              config, log=lines.append)
        assert any(line.startswith(said) for line in lines), lines


def test_distillation_loss_is_zero_only_when_the_student_matches_the_teacher():
    import torch

    from classifier.models.distill import distillation_loss

    teacher = torch.tensor([[2.0, -1.0, 0.0], [0.0, 0.5, 3.0]])
    assert float(distillation_loss(teacher.clone(), teacher, 2.0)) == pytest.approx(0.0, abs=1e-6)
    assert float(distillation_loss(teacher + 5.0, teacher, 2.0)) == pytest.approx(0.0, abs=1e-6)  # shift-free
    assert float(distillation_loss(teacher.flip(1), teacher, 2.0)) > 0.1


def test_teacher_logits_follow_the_student_label_order_and_are_cached(tiny_model_dir, tmp_path, monkeypatch):
    from classifier.models.distill import teacher_logits

    items = toy_items(9)
    direct = teacher_logits(tiny_model_dir, items, labels=list(LABELS))
    reordered = teacher_logits(tiny_model_dir, items, labels=["neutral", "favor", "against"], cache_dir=tmp_path)
    assert np.allclose(reordered, direct[:, [2, 0, 1]])
    assert len(list(tmp_path.glob("teacher-*.npy"))) == 1
    with monkeypatch.context() as patch:  # a cache hit loads no model
        patch.setattr(StanceModel, "load", classmethod(lambda *a, **k: pytest.fail("model loaded on a cache hit")))
        cached = teacher_logits(tiny_model_dir, items, labels=["neutral", "favor", "against"], cache_dir=tmp_path)
    assert np.array_equal(cached, reordered)
    teacher_logits(tiny_model_dir, items[:5], labels=list(LABELS), cache_dir=tmp_path)
    assert len(list(tmp_path.glob("teacher-*.npy"))) == 2  # other items, other cache file
    with pytest.raises(InputError, match="predicts"):
        teacher_logits(tiny_model_dir, items, labels=["pro", "con", "none"])


def test_saved_teacher_logits_are_found_by_item_id_and_refused_for_changed_items(tmp_path):
    from classifier.models.distill import save_teacher_logits, teacher_logits

    items = toy_items(6)
    logits = np.arange(18, dtype=np.float32).reshape(6, 3)
    path = tmp_path / "scores.npz"
    save_teacher_logits(path, items, logits, list(LABELS))
    asked = [items[4], items[1], items[1]]  # another order, a repeat, a subset
    got = teacher_logits(path, asked, labels=["neutral", "favor", "against"])
    assert np.array_equal(got, logits[[4, 1, 1]][:, [2, 0, 1]])
    with pytest.raises(InputError, match="no teacher logits for item x9"):
        teacher_logits(path, [items[0].model_copy(update={"id": "x9"})], labels=list(LABELS))
    with pytest.raises(InputError, match="not the one the teacher scored"):
        teacher_logits(path, [items[0].model_copy(update={"text": items[0].text + " Later."})], labels=list(LABELS))
    with pytest.raises(InputError, match="the student needs"):
        teacher_logits(path, items, labels=["pro", "con", "none"])
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(InputError, match="junk.npz: not a file of saved teacher logits"):
        teacher_logits(tmp_path / "junk.npz", items, labels=list(LABELS))
    with pytest.raises(ValueError, match="for 6 items"):
        save_teacher_logits(tmp_path / "bad.npz", items, logits[:5], list(LABELS))
    assert not (tmp_path / "bad.npz").exists()


def favor_teacher(tiny_model, directory):
    """A saved teacher that says "favor" to everything, confidently."""
    import copy

    import torch

    teacher = copy.deepcopy(tiny_model)
    with torch.no_grad():
        teacher.model.classifier.weight.zero_()
        teacher.model.classifier.bias.copy_(torch.tensor([4.0, 0.0, 0.0]))
    teacher.save(directory, {"name": "teacher", "labels": list(LABELS)}, half=False)
    return str(directory)


def test_a_student_learns_the_teachers_decisions_not_only_the_gold_labels(tiny_model, tiny_model_dir, tmp_path):
    teacher = favor_teacher(tiny_model, tmp_path / "teacher")
    all_neutral = [Item(**{**item.model_dump(), "label": "neutral"}) for item in toy_items(24)]
    predicted = {}
    for weight in (0.0, 1.0):
        config = TrainConfig(base=str(tiny_model_dir), epochs=3, batch_size=8, learning_rate=3e-3, seed=2,
                             teacher=teacher, distill_weight=weight)
        result = train(all_neutral, None, config, log=lambda s: None).model
        predicted[weight] = {result.labels[i] for i in result.predict_proba(all_neutral).argmax(axis=1)}
    assert predicted == {0.0: {"neutral"}, 1.0: {"favor"}}


def test_mixed_loss_is_the_gold_loss_on_untaught_rows_and_the_usual_mix_on_taught_ones():
    import torch

    from classifier.models.distill import distillation_loss, mixed_loss

    torch.manual_seed(0)
    student, teacher = torch.randn(4, 3), torch.randn(4, 3)
    gold = torch.nn.functional.cross_entropy(student, torch.tensor([0, 1, 2, 0]), reduction="none")
    everyone = mixed_loss(gold, student, teacher, 0.3, 2.0)
    assert float(everyone) == pytest.approx(float(0.7 * gold.mean() + 0.3 * distillation_loss(student, teacher, 2.0)),
                                            rel=1e-5)
    nobody = mixed_loss(gold, student, torch.full_like(teacher, float("nan")), 0.3, 2.0)
    assert float(nobody) == pytest.approx(float(gold.mean()), rel=1e-6)
    half = teacher.clone()
    half[2:] = float("nan")
    expected = (0.7 * gold[:2].sum() + 0.3 * 2 * distillation_loss(student[:2], teacher[:2], 2.0) + gold[2:].sum()) / 4
    assert float(mixed_loss(gold, student, half, 0.3, 2.0)) == pytest.approx(float(expected), rel=1e-5)


def test_a_teacher_for_some_items_moves_the_model_part_way_and_nan_rows_learn_their_gold_label(
        tiny_model, tiny_model_dir, tmp_path):
    from classifier.models.distill import teacher_logits

    teacher = favor_teacher(tiny_model, tmp_path / "teacher")
    items = [Item(**{**item.model_dump(), "label": "neutral"}) for item in toy_items(48)]
    everyone = teacher_logits(teacher, items, labels=tiny_model.labels)
    half = everyone.copy()
    half[24:] = np.nan  # the second file has no teacher
    config = TrainConfig(base=str(tiny_model_dir), epochs=3, batch_size=8, learning_rate=3e-3, seed=2,
                         distill_weight=1.0)
    favor = {}
    for name, soft in (("none", None), ("half", half), ("all", everyone)):
        model = train(items, None, config, log=lambda s: None, soft_targets=soft).model
        scores = model.predict_proba(items)
        assert not np.isnan(scores).any()
        favor[name] = float(scores[:, model.labels.index("favor")].mean())
    # gold says neutral everywhere, the teacher favor: half the items taught lands between none and all
    assert favor["none"] + 0.1 < favor["half"] < favor["all"] - 0.1, favor
    with pytest.raises(ValueError, match="class weighting"):
        train(items, None, replace(config, class_weighting="sqrt"), log=lambda s: None, soft_targets=half)
    with pytest.raises(ValueError, match="every transfer item needs teacher logits"):
        train(items[:24], None, config, log=lambda s: None, transfer_items=items[24:26], soft_targets=half[:26])


def test_unlabelled_transfer_items_train_on_the_teachers_labels(tiny_model, tiny_model_dir, tmp_path):
    teacher = favor_teacher(tiny_model, tmp_path / "teacher")
    gold = [Item(**{**item.model_dump(), "label": "neutral"}) for item in toy_items(6)]
    unlabelled = [Item(**{**item.model_dump(), "id": f"u{item.id}", "label": None}) for item in toy_items(30)]
    config = TrainConfig(base=str(tiny_model_dir), epochs=3, batch_size=8, learning_rate=3e-3, seed=2,
                         teacher=teacher, distill_weight=0.0)  # gold-label loss only: the teacher acts through labels
    messages = []
    result = train(gold, None, config, log=messages.append, transfer_items=unlabelled)
    assert any("scored 36 training items (30 of them unlabelled)" in m for m in messages)
    assert {result.model.labels[i] for i in result.model.predict_proba(gold).argmax(axis=1)} == {"favor"}
    with pytest.raises(ValueError, match="need a teacher"):
        train(gold, None, TrainConfig(base=str(tiny_model_dir), epochs=1), transfer_items=unlabelled)


def test_weight_average_is_kept_and_scored_beside_the_raw_weights(tmp_path):
    import torch

    base = tiny_encoder_base(tmp_path / "base")
    items = toy_items(24)
    plain = train(items, items[:9], TrainConfig(base=str(base), epochs=2, batch_size=8, learning_rate=3e-3, seed=1),
                  log=lambda s: None)
    config = TrainConfig(base=str(base), epochs=2, batch_size=8, learning_rate=3e-3, seed=1, ema_decay=0.5)
    averaged = train(items, items[:9], config, log=lambda s: None)
    assert all("dev_macro_f1_raw_weights" in h for h in averaged.history)
    assert "dev_macro_f1_raw_weights" not in plain.history[0]
    # same seed, same steps: the raw trajectories match, so the kept weights differ only by the average
    assert averaged.history[0]["dev_macro_f1_raw_weights"] == plain.history[0]["dev_macro_f1"]
    kept = dict(averaged.model.model.named_parameters())
    assert any(not torch.allclose(p, kept[n]) for n, p in plain.model.model.named_parameters())
    # no dev split: the last average is handed back (as a one-epoch dev run keeps it), not the raw weights
    one_epoch = replace(config, epochs=1)
    with_dev = dict(train(items, items[:9], one_epoch, log=lambda s: None).model.model.named_parameters())
    raw = dict(train(items, None, replace(one_epoch, ema_decay=0.0), log=lambda s: None).model.model.named_parameters())
    no_dev = list(train(items, None, one_epoch, log=lambda s: None).model.model.named_parameters())
    assert all(torch.allclose(p, with_dev[n]) for n, p in no_dev)
    assert any(not torch.allclose(p, raw[n]) for n, p in no_dev)
    with pytest.raises(ValueError, match="ema_decay"):
        train(items, None, TrainConfig(base=str(base), epochs=1, ema_decay=1.5), log=lambda s: None)


def test_cpu_bf16_trains_in_autocast_and_keeps_fp32_weights(tmp_path, monkeypatch):
    import torch

    import classifier.models.train as training

    monkeypatch.setattr(training, "native_bf16_kernels", lambda: True)  # emulated on a CPU without them
    base = tiny_encoder_base(tmp_path / "base")
    items = toy_items(24)
    config = TrainConfig(base=str(base), epochs=3, batch_size=8, learning_rate=3e-3, seed=1)
    fp32 = train(items, None, config, log=lambda s: None)
    bf16 = train(items, None, replace(config, cpu_bf16=True), log=lambda s: None)
    assert bf16.history[-1]["train_loss"] < bf16.history[0]["train_loss"]
    assert all(p.dtype == torch.float32 for p in bf16.model.model.parameters())
    # bf16 matmuls round differently: the same seed and steps end on other weights
    assert bf16.history[0]["train_loss"] != fp32.history[0]["train_loss"]
    assert bf16.model.predict_proba(items[:3]).sum(axis=1) == pytest.approx(1.0, abs=1e-5)


def test_cpu_bf16_falls_back_to_fp32_where_the_cpu_has_no_bf16_kernels(tmp_path, monkeypatch):
    import classifier.models.train as training

    monkeypatch.setattr(training, "native_bf16_kernels", lambda: False)
    base = tiny_encoder_base(tmp_path / "base")
    items = toy_items(16)
    config = TrainConfig(base=str(base), epochs=1, batch_size=8, learning_rate=3e-3, seed=1)
    lines = []
    asked = train(items, None, replace(config, cpu_bf16=True), log=lines.append)
    fp32 = train(items, None, config, log=lambda s: None)
    assert any("no native bf16" in line and "training in fp32" in line for line in lines)
    assert asked.history[0]["train_loss"] == fp32.history[0]["train_loss"]


def test_the_card_readme_is_a_hub_model_card_with_every_section(tmp_path):
    from huggingface_hub import ModelCard

    from classifier.models.card import write_card

    card = {"name": "m", "summary": "Stance toward an actor.", "labels": list(LABELS), "base": "minilm",
            "data": {"newsmtsc": "train.jsonl: 10 items"}, "hyperparameters": {"learning_rate": 3e-5},
            "evaluation": {"dev": {"macro_f1": 0.61, "per_class": {"favor": 0.5}}}, "limitations": "Check <t> first."}
    write_card(tmp_path, card)
    loaded = ModelCard.load(tmp_path / "README.md")
    assert loaded.data.pipeline_tag == "text-classification" and "stance" in loaded.data.tags
    for line in ("# m", "## Base encoder", "| newsmtsc | train.jsonl: 10 items |", "| learning_rate | 3e-05 |",
                 "| dev | macro_f1 | 0.61 |", "Check <t> first."):
        assert line in loaded.text
    assert "per_class" not in loaded.text and "## Calibration" not in loaded.text  # nested values, absent sections


def test_the_card_records_the_checkouts_commit_and_where_the_command_ran(tmp_path, monkeypatch):
    """The git commit (and whether a tracked file had changed) of the toolkit's checkout, nothing where git is
    absent or the folder is no checkout's top; the working directory relative to the model folder, never a path
    that names folders outside it."""
    import subprocess

    from classifier.models import card

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    checkout = tmp_path / "checkout"
    (checkout / "classifier").mkdir(parents=True)
    (checkout / "classifier" / "code.py").write_text("x = 1\n")

    def git(*args):
        return subprocess.run(["git", "-C", str(checkout), "-c", "user.name=t", "-c", "user.email=t@t", *args],
                              capture_output=True, text=True, check=True).stdout.strip()

    assert card.toolkit_commit(checkout) is None  # not a checkout
    git("init", "-q")
    assert card.toolkit_commit(checkout) is None  # a checkout without a commit
    git("add", "-A")
    git("commit", "-q", "-m", "first")
    head = git("rev-parse", "HEAD")
    assert card.toolkit_commit(checkout) == head
    (checkout / "notes.txt").write_text("untracked: not the code that ran")
    assert card.toolkit_commit(checkout) == head
    (checkout / "classifier" / "code.py").write_text("x = 2\n")
    assert card.toolkit_commit(checkout) == f"{head} (uncommitted changes)"
    assert card.toolkit_commit(checkout / "classifier") is None  # inside another project's repository
    monkeypatch.setenv("PATH", str(tmp_path / "no-git-here"))
    assert card.toolkit_commit(checkout) is None  # git absent

    project = tmp_path / "home" / "alice" / "project"
    assert card.working_directory(project / "models" / "ours-v1", here=project) == "../.."
    assert card.working_directory(tmp_path / "scratch" / "m", here=project) is None  # would name alice's folders
    assert card.working_directory(project, here=project) is None
    assert card.working_directory("/m", here="/") is None
    project.mkdir(parents=True)
    monkeypatch.chdir(project)
    monkeypatch.setattr(card, "toolkit_commit", lambda: None)
    assert card.provenance(project / "models" / "ours-v1") == {"stance version": card.toolkit_version(),
                                                                "working directory": "../.."}
    assert set(card.provenance(tmp_path / "scratch" / "m")) == {"stance version"}


def test_the_model_id_covers_merges_txt_only_where_no_tokenizer_json_holds_the_merges(tmp_path):
    """A BPE tokenizer without tokenizer.json (vocab.json and merges.txt, a slow tokenizer's files) tokenises by
    merges.txt, which the id did not hash: two such folders with other merges scored differently under one id, and a
    resumed run could mix them. Where tokenizer.json is there (it holds the merges, and the fast tokenizer reads it)
    merges.txt is left out, so those folders' ids, the shipped models' among them, are unchanged."""
    from classifier.models.stance_model import model_hash

    slow = tmp_path / "slow"
    slow.mkdir()
    (slow / "model.safetensors").write_bytes(b"weights")
    (slow / "vocab.json").write_text('{"a": 0, "b": 1, "ab": 2}')
    (slow / "merges.txt").write_text("#version: 0.2\na b\n")
    before = model_hash(slow)
    (slow / "merges.txt").write_text("#version: 0.2\n")
    assert model_hash(slow) != before
    fast = tmp_path / "fast"
    shutil.copytree(slow, fast)
    (fast / "tokenizer.json").write_text("{}")
    before = model_hash(fast)
    (fast / "merges.txt").write_text("#version: 0.2\na b\n")
    assert model_hash(fast) == before
    (fast / "merges.txt").unlink()
    assert model_hash(fast) == before  # as a folder without merges.txt hashes
