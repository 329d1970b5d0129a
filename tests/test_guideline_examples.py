"""data/guideline_examples: the text the sentences are written in, and the items built from it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifier.errors import InputError
from classifier.items import read_items

ROOT = Path(__file__).parents[1]


def test_the_committed_items_are_what_the_text_gives(load_script):
    build = load_script("build_guideline_examples")
    committed = [json.loads(line) for line in build.TARGET.read_text(encoding="utf-8").splitlines()]
    assert committed == build.build()
    items = list(read_items(build.TARGET))  # the one item schema, every label known
    assert len({item.id for item in items}) == len(items)
    assert all(item.spans and item.text[item.spans[0][0]:item.spans[0][1]] for item in items)


@pytest.mark.parametrize("line, message", [
    ("# a comment\n\nRussia=favor | Moscow and Beijing signed the deal.",
     r"examples.txt:3: mentioned but not labelled: \['China'\]"),
    ("Russia=favor, NATO=neutral | Moscow praised the deal.", r":1: .*labelled but not found: \['NATO'\]"),
    ("Russia=positive | Moscow praised the deal.", r":1: 'Russia=positive' is not Actor=label"),
    ("Moscow praised the deal.", r":1: expected 'Actor=label, \.\.\. \| sentence'"),
])
def test_every_mentioned_actor_must_be_labelled_and_found(load_script, tmp_path, line, message):
    build = load_script("build_guideline_examples")
    source = tmp_path / "examples.txt"
    source.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=message):
        build.build(source)


def test_one_item_per_labelled_actor_with_the_matchers_spans(load_script, tmp_path):
    build = load_script("build_guideline_examples")
    source = tmp_path / "examples.txt"
    text = "Sergei Lavrov met Wang Yi; Lavrov praised China."
    source.write_text(f"Russia=neutral, China=favor | {text}\n", encoding="utf-8")
    records = {r["actor"]: r for r in build.build(source)}
    assert {a: r["label"] for a, r in records.items()} == {"Russia": "neutral", "China": "favor"}
    assert [text[s:e] for s, e in records["Russia"]["spans"]] == ["Sergei Lavrov", "Lavrov"]
    assert [text[s:e] for s, e in records["China"]["spans"]] == ["Wang Yi", "China"]
    assert records["Russia"]["article"] == records["China"]["article"]


def test_an_extra_file_is_one_more_training_file(load_script, tmp_path):
    train = load_script("train_multidomain")
    path = ROOT / "data" / "guideline_examples.jsonl"
    assert train.extra_file(str(path)) == ("guideline_examples", path)
    assert train.extra_file(f"mine={path}") == ("mine", path)
    with pytest.raises(Exception, match="no such file"):
        train.extra_file(str(tmp_path / "missing.jsonl"))


def test_file_weights_name_the_training_files(load_script):
    train = load_script("train_multidomain")
    names = ["newsmtsc", "semeval", "guideline_examples"]
    assert train.file_weight("guideline_examples=4.5") == ("guideline_examples", 4.5)
    assert train.file_weights(names, [("guideline_examples", 4.5)]) == [1.0, 1.0, 4.5]
    assert train.file_weights(names, []) is None
    with pytest.raises(InputError, match="no training file named vast"):
        train.file_weights(names, [("vast", 2.0)])
    for bad in ("guideline_examples", "x=-1", "x=abc", "=2", "x=inf", "x=nan"):
        with pytest.raises(Exception, match="expected NAME=W"):
            train.file_weight(bad)


def test_teachers_name_training_files_and_give_nan_rows_to_the_rest(load_script, tmp_path, tiny_model_dir):
    import numpy as np

    from classifier.items import Item

    train = load_script("train_multidomain")
    assert train.teacher_spec(f"semeval, vast={tiny_model_dir}") == (("semeval", "vast"), tiny_model_dir)
    for bad in ("semeval", f"={tiny_model_dir}", "semeval="):
        with pytest.raises(Exception, match="expected NAME"):
            train.teacher_spec(bad)
    with pytest.raises(Exception, match="not a stance model folder"):
        train.teacher_spec(f"semeval={tmp_path}")
    saved = tmp_path / "scores.npz"
    saved.write_bytes(b"")
    assert train.teacher_spec(f"newsmtsc={saved}") == (("newsmtsc",), saved)  # saved logits teach too
    assert "saved teacher logits" in train.base_description(str(saved))
    names = ["newsmtsc", "semeval", "vast"]
    assert train.file_teachers(names, [(("vast", "newsmtsc"), tiny_model_dir)]) == [tiny_model_dir, None, tiny_model_dir]
    with pytest.raises(InputError, match="no training file named basil"):
        train.file_teachers(names, [(("basil",), tiny_model_dir)])
    with pytest.raises(InputError, match="two teachers"):
        train.file_teachers(names, [(("vast",), tiny_model_dir), (("vast",), tmp_path)])
    item = Item(id="1", text="Russia met China.", actor="Russia", spans=[(0, 6)], label="favor")
    files = [("newsmtsc", [item, item]), ("semeval", [item])]
    labels = train.student_labels(str(tiny_model_dir))
    assert labels == ["favor", "against", "neutral"]
    soft = train.soft_targets(files, [None, tiny_model_dir], labels, tmp_path / "cache", log=lambda s: None)
    assert soft.shape == (3, 3) and np.isnan(soft[:2]).all() and not np.isnan(soft[2]).any()
    assert train.soft_targets(files, [None, None], labels, tmp_path / "cache") is None
    # one teacher for two files apart: scored in one pass, each row back in its own file's place
    other = Item(id="2", text="NATO warned Russia.", actor="NATO", spans=[(0, 4)], label="against")
    three = [("newsmtsc", [item]), ("semeval", [other, other]), ("vast", [other, item])]
    mixed = train.soft_targets(three, [tiny_model_dir, None, tiny_model_dir], labels, tmp_path / "cache",
                               log=lambda s: None)
    alone = train.soft_targets([("x", [item]), ("y", [other])], [tiny_model_dir, tiny_model_dir], labels,
                               tmp_path / "cache", log=lambda s: None)
    assert np.isnan(mixed[1:3]).all()
    np.testing.assert_allclose(mixed[[0, 3, 4]], alone[[0, 1, 0]], rtol=1e-5, atol=1e-6)
