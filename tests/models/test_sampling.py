"""Several label files in one training run: temperature sampling, file weights, unmarked views."""

from __future__ import annotations

import json
import random
from collections import Counter

import numpy as np
import pytest
from typer.testing import CliRunner

import classifier.cli.label  # noqa: F401  (two commands make a group)
import classifier.cli.train  # noqa: F401  (registers 'stance train')
from classifier.cli.app import app
from classifier.items import Item
from classifier.models.sampling import EpochSampler, mixture_counts, mixture_shares
from classifier.models.train import TrainConfig, train

runner = CliRunner()


def test_shares_follow_size_to_the_power_alpha_times_the_weight():
    assert mixture_shares([900, 100], 1.0) == pytest.approx([0.9, 0.1])
    assert mixture_shares([900, 100], 0.0) == pytest.approx([0.5, 0.5])
    assert mixture_shares([900, 100], 0.5) == pytest.approx([0.75, 0.25])  # 30 : 10
    assert mixture_shares([900, 100], 1.0, [1, 9]) == pytest.approx([0.5, 0.5])
    assert mixture_shares([900, 0], 0.0) == pytest.approx([1.0, 0.0])  # an empty file gets nothing
    with pytest.raises(ValueError):
        mixture_shares([10, 10], 1.0, [0, 0])
    with pytest.raises(ValueError):
        mixture_shares([10, 10], -1.0)


def test_counts_sum_to_the_epoch_and_round_by_largest_remainder():
    counts = mixture_counts([900, 100, 1], 1001, 0.5)
    assert sum(counts) == 1001
    shares = mixture_shares([900, 100, 1], 0.5) * 1001
    assert all(abs(c - s) < 1 for c, s in zip(counts, shares))


def test_one_file_or_proportional_sampling_shows_every_item_once_in_order():
    rng = random.Random(0)
    assert EpochSampler([0, 0, 1, 1], alpha=1.0).draw(rng) == [0, 1, 2, 3]
    assert EpochSampler([0, 0, 0], alpha=0.5).draw(rng) == [0, 1, 2]
    assert rng.random() == random.Random(0).random()  # and draws no random numbers


def test_a_small_file_goes_round_again_and_a_large_one_is_drawn_without_replacement():
    sources = [0] * 90 + [1] * 10
    sampler = EpochSampler(sources, alpha=0.0)
    drawn = sampler.draw(random.Random(3))
    by_file = Counter(sources[i] for i in drawn)
    assert len(drawn) == 100 and by_file == {0: 50, 1: 50}
    large = [i for i in drawn if sources[i] == 0]
    assert len(set(large)) == 50  # no repeats within a file's pass
    small = Counter(i for i in drawn if sources[i] == 1)
    assert set(small.values()) == {5}  # ten items, five full passes
    assert sampler.draw(random.Random(3)) == drawn  # the rng decides everything


def test_unmarked_views_replace_marked_items_at_the_asked_share():
    views = {i: 100 + i for i in range(0, 100, 2)}  # even items have marked mentions
    always = EpochSampler([0] * 100, views=views, unmarked_share=1.0).draw(random.Random(0))
    assert always == [views.get(i, i) for i in range(100)]
    never = EpochSampler([0] * 100, views=views, unmarked_share=0.0).draw(random.Random(0))
    assert never == list(range(100))
    some = EpochSampler([0] * 100, views=views, unmarked_share=0.5).draw(random.Random(0))
    assert 10 < sum(i >= 100 for i in some) < 40
    with pytest.raises(ValueError):
        EpochSampler([0], unmarked_share=1.5)


def items(prefix: str, n: int, marked: bool = True) -> list[Item]:
    words = {"favor": "praised", "against": "condemned", "neutral": "visited"}
    labels = list(words)
    return [Item(id=f"{prefix}{i}", text=f"Russia {words[labels[i % 3]]} the plan {i}.", actor="Russia",
                 spans=[(0, 6)] if marked else [], label=labels[i % 3], article=f"{prefix}{i % 4}")
            for i in range(n)]


def seen_input_ids(monkeypatch) -> list:
    """Every training batch's input ids, recorded as the loop pads them."""
    import classifier.models.train as train_module

    seen = []
    original = train_module.pad_batch

    def recording(batch, pad_id):
        padded = original(batch, pad_id)
        seen.append(padded["input_ids"])
        return padded

    monkeypatch.setattr(train_module, "pad_batch", recording)
    return seen


@pytest.mark.parametrize("share", [0.0, 1.0])
def test_training_shows_marked_items_unmarked_when_asked(tiny_model, tiny_model_dir, monkeypatch, share):
    seen = seen_input_ids(monkeypatch)
    config = TrainConfig(base=str(tiny_model_dir), epochs=1, batch_size=8, max_length=64, unmarked_share=share)
    train(items("a", 24), None, config, log=lambda s: None)
    marker = tiny_model.tokenizer.convert_tokens_to_ids("<t>")
    with_marker = sum(int((ids == marker).any(dim=1).sum()) for ids in seen)
    assert with_marker == (24 if share == 0.0 else 0)


def test_items_without_spans_train_and_a_mixture_resumes_to_the_same_weights(tmp_path, tiny_model_dir):
    import torch

    train_items = items("a", 30) + items("b", 6, marked=False)
    sources = [0] * 30 + [1] * 6
    config = TrainConfig(base=str(tiny_model_dir), epochs=2, batch_size=6, max_length=64, learning_rate=1e-3,
                         sampling_alpha=0.0, unmarked_share=0.3)
    lines = []
    whole = train(train_items, None, config, log=lines.append, sources=sources)
    assert any("each epoch draws 36 examples (file 1: 18 of 30, file 2: 18 of 6)" in line for line in lines)

    class Killed(Exception):
        pass

    def kill(step, total):
        if step == 4:
            raise Killed

    checkpoint = tmp_path / "run.ckpt"
    with pytest.raises(Killed):
        train(train_items, None, config, log=lambda s: None, on_step=kill, checkpoint=checkpoint,
              checkpoint_every=0, sources=sources)
    resumed = train(train_items, None, config, log=lambda s: None, checkpoint=checkpoint, sources=sources)
    for a, b in zip(whole.model.model.state_dict().values(), resumed.model.model.state_dict().values()):
        assert torch.equal(a, b)
    other = train(train_items, None, config, log=lambda s: None, sources=[1] * 30 + [0] * 6)
    assert not torch.equal(other.model.model.classifier.weight, whole.model.model.classifier.weight)


def write(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_stance_train_mixes_files_with_weights_and_says_so(tmp_path, tiny_model_dir, monkeypatch):
    from classifier.models import stance_model

    monkeypatch.setattr(stance_model, "DEFAULT_MODEL_DIR", tmp_path / "models" / "default")
    big = write(tmp_path / "big.jsonl", [it.model_dump() for it in items("a", 40)])
    small = write(tmp_path / "small.jsonl", [{**it.model_dump(), "article": f"s{i}"}
                                             for i, it in enumerate(items("s", 8, marked=False))])
    out = tmp_path / "models" / "mixed"
    result = runner.invoke(app, ["train", str(big), str(small), "--out", str(out), "--base", str(tiny_model_dir),
                                 "--epochs", "1", "--sampling-alpha", "0.5", "--file-weight", "small.jsonl=2",
                                 "--unmarked-share", "0.25", "--n-boot", "0"])
    assert result.exit_code == 0, result.output
    assert "each epoch draws" in result.output
    hyper = json.loads((out / "model_card.json").read_text())["hyperparameters"]
    assert hyper["sampling_alpha"] == 0.5 and hyper["file_weights"] == [1.0, 2.0] and hyper["unmarked_share"] == 0.25


@pytest.mark.parametrize("spec, message", [("small.jsonl", "write PATH=WEIGHT"),
                                           ("other.jsonl=2", "is not one of the label files"),
                                           ("small.jsonl=x", "is not a number"),
                                           ("small.jsonl=nan", "finite number")])
def test_a_bad_file_weight_is_one_line_before_any_training(tmp_path, tiny_model_dir, spec, message):
    small = write(tmp_path / "small.jsonl", [it.model_dump() for it in items("s", 8)])
    out = tmp_path / "m"
    result = runner.invoke(app, ["train", str(small), "--out", str(out), "--base", str(tiny_model_dir),
                                 "--file-weight", spec])
    assert result.exit_code != 0 and message in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_an_item_without_spans_is_scored_with_the_actor_beside_the_unmarked_text(tiny_model):
    marked = Item(id="m", text="Russia praised the plan.", actor="Russia", spans=[(0, 6)])
    unmarked = marked.model_copy(update={"spans": []})
    (enc_m, enc_u), _ = tiny_model.encode([marked, unmarked])
    marker = tiny_model.tokenizer.convert_tokens_to_ids("<t>")
    assert marker in enc_m.input_ids and marker not in enc_u.input_ids
    actor_ids = tiny_model.tokenizer("Russia", add_special_tokens=False)["input_ids"]
    assert enc_u.input_ids[1:1 + len(actor_ids)] == actor_ids  # the target as text, first segment
    probs = tiny_model.predict_proba([marked, unmarked])
    assert np.allclose(probs.sum(axis=1), 1.0)
