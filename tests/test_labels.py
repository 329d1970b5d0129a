"""The label store, ordering, agreement, Label Studio round trip and the non-interactive label commands."""

from __future__ import annotations

import contextlib
import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from classifier.cli.app import app
import classifier.cli.label  # noqa: F401  (registers 'stance label')
from classifier.errors import InputError, InputWarning
from classifier.items import Item
from classifier.labels import (label_record, LabelSession, LabelStore, agreement, article_context, current_labels,
                               from_label_studio, order_items, read_labelled_items, read_records, resolve_labels,
                               to_label_studio)

runner = CliRunner()


def make_items() -> list[Item]:
    rows = [("a1", 0, "Russia praised the deal with China.", "Russia", (0, 6), "TDI"),
            ("a1", 0, "Russia praised the deal with China.", "China", (29, 34), "TDI"),
            ("a1", 1, "NATO criticised the move.", "NATO", (0, 4), "TDI"),
            ("a2", 0, "The USA held talks on Monday.", "USA", (4, 7), "RT"),
            ("a2", 1, "Washington failed to convince its allies.", "USA", (0, 10), "RT"),
            ("a2", 2, "China welcomed the talks.", "China", (0, 5), "RT")]
    return [Item(id=f"{art}-{idx}-{actor}", text=text, actor=actor, spans=[span], source=src, article=art,
                 sentence_index=idx, kind="country") for art, idx, text, actor, span, src in rows]


def write_items(path: Path, items: list[Item]) -> Path:
    from classifier.items import item_record

    path.write_text("".join(json.dumps(item_record(it)) + "\n" for it in items))
    return path


def session(tmp_path: Path, annotator: str = "ana") -> LabelSession:
    items = make_items()
    return LabelSession(items, order_items(items, "file"), LabelStore(tmp_path / "labels.jsonl"), annotator)


# -- store --------------------------------------------------------------------------------------
def test_answers_are_items_and_resume_after_restart(tmp_path):
    s = session(tmp_path)
    first = s.next_item()
    s.answer(first, "favor")
    s.answer(s.next_item(), "against")
    again = session(tmp_path)  # a restart reads the file
    assert again.next_item().id == make_items()[2].id
    records = LabelStore(tmp_path / "labels.jsonl").records()
    assert [r["label"] for r in records] == ["favor", "against"]
    assert {"id", "text", "actor", "spans", "source", "article", "annotator", "timestamp", "suggestion"} <= set(records[0])
    assert Item.model_validate(json.loads((tmp_path / "labels.jsonl").read_text().splitlines()[0])).label == "favor"


def test_undo_appends_a_retraction_and_shows_the_item_again(tmp_path):
    s = session(tmp_path)
    first = s.next_item()
    s.answer(first, "favor")
    second = s.next_item()
    s.answer(second, "against")
    undone = s.undo()
    assert undone["id"] == second.id and s.next_item().id == second.id
    s.undo()  # a second undo walks further back
    assert s.next_item().id == first.id
    s.answer(first, "neutral")
    lines = (tmp_path / "labels.jsonl").read_text().splitlines()
    assert len(lines) == 5  # never rewritten: 2 answers, 2 retractions, 1 answer
    current = current_labels(LabelStore(tmp_path / "labels.jsonl").records())
    assert {k[0]: r["label"] for k, r in current.items()} == {first.id: "neutral"}


def test_skip_is_recorded_but_is_not_a_label(tmp_path):
    s = session(tmp_path)
    item = s.next_item()
    s.skip(item)
    assert s.next_item().id != item.id
    assert current_labels(s.records) == {}
    assert session(tmp_path).next_item().id != item.id
    revisit = LabelSession(make_items(), list(range(6)), LabelStore(tmp_path / "labels.jsonl"), "ana",
                           revisit_skipped=True)
    assert revisit.next_item().id == item.id
    revisit.skip(item)  # skipped again now: the next item comes, not the same one over and over
    assert revisit.next_item().id not in (item.id, None)


def test_a_torn_last_line_is_ignored_and_repaired(tmp_path):
    s = session(tmp_path)
    s.answer(s.next_item(), "favor")
    path = tmp_path / "labels.jsonl"
    with open(path, "a") as fh:
        fh.write('{"id": "a1-0-China", "text": "Rus')  # killed mid-write
    with pytest.warns(InputWarning, match=r"labels.jsonl:2: last line ignored: it is cut off"):
        assert len(LabelStore(path).records()) == 1
    with pytest.warns(InputWarning):
        s2 = session(tmp_path)
    with pytest.warns(InputWarning, match="cut-off last line was moved to"):
        s2.answer(s2.next_item(), "against")
    assert [r["label"] for r in LabelStore(path).records()] == ["favor", "against"]
    [kept] = tmp_path.glob("labels.jsonl.cut-off-*")  # nothing a user typed is deleted
    assert kept.read_text() == '{"id": "a1-0-China", "text": "Rus'


@pytest.mark.parametrize("tail", [b'{"id": "x", "label": "against", }', "{\"id\": \"Москва".encode()[:-1]])
def test_a_cut_off_line_is_never_an_error_and_never_lost(tmp_path, tail):
    """A hand edit gone wrong, or a character cut in two by a kill or a full disk."""
    path = tmp_path / "labels.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"id": "a", "text": "t", "label": "favor"}).encode() + b"\n" + tail)
    with pytest.warns(InputWarning, match="labels.jsonl:2: last line ignored"):
        assert [r["id"] for r in LabelStore(path).records()] == ["a"]  # the byte-order mark is read past
    with pytest.warns(InputWarning, match="moved to"):
        LabelStore(path).append({"id": "b", "text": "u", "label": "neutral", "annotator": "ana"})
    assert [r["id"] for r in LabelStore(path).records()] == ["a", "b"]
    assert next(tmp_path.glob("labels.jsonl.cut-off-*")).read_bytes() == tail


def test_a_one_line_file_with_a_byte_order_mark_and_no_newline_is_kept(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"id": "a", "text": "t", "label": "favor"}).encode())
    LabelStore(path).append({"id": "b", "text": "u", "label": "neutral", "annotator": "ana"})
    assert [r["id"] for r in LabelStore(path).records()] == ["a", "b"]


def test_a_complete_last_line_without_newline_is_kept(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps({"id": "x", "text": "t", "label": "favor", "annotator": "ana"}))
    LabelStore(path).append({"id": "y", "text": "u", "label": "neutral", "annotator": "ana"})
    assert [r["id"] for r in LabelStore(path).records()] == ["x", "y"]


@pytest.mark.parametrize("torn", [False, True])
def test_a_last_record_of_megabytes_is_never_cut(tmp_path, monkeypatch, torn):
    """The tail repair reads back to the last newline however far it is (blocks of 64 bytes here)."""
    import classifier.labels as labels

    original = labels.last_line_start
    monkeypatch.setattr(labels, "last_line_start", lambda fd, size: original(fd, size, block=64))
    path = tmp_path / "labels.jsonl"
    first = {"id": "x", "text": "t", "label": "favor", "annotator": "ana"}
    big = {"id": "big", "text": "word " * 300_000, "label": "against", "annotator": "ana"}  # 1.5 MB
    path.write_text(json.dumps(first) + "\n" + json.dumps(big)[: -5 if torn else None])
    with pytest.warns(InputWarning, match="moved to") if torn else contextlib.nullcontext():
        LabelStore(path).append({"id": "y", "text": "u", "label": "neutral", "annotator": "ana"})
    records = LabelStore(path).records()
    assert [r["id"] for r in records] == (["x", "y"] if torn else ["x", "big", "y"])
    if not torn:
        assert {k: records[1][k] for k in big} == big


@pytest.mark.parametrize("line, message", [
    ('{"id": "1", "text": "t", "label": "pro"}', "labels.jsonl:2: unknown label 'pro'"),
    ('{"id": "1", "text": "t", "label": 3}', r"labels.jsonl:2: label: expected one of favor, against, neutral "
                                            r"\(a string, or null; sentence sentiment: positive, negative, neutral\), "
                                            r"got 3$"),
    ('{"id": "1", "text": "t", "label": ["favor"]}', r'labels.jsonl:2: label: expected one of .*, got \["favor"\]$'),
    ('{"id": "1", "label": "favor"}', "labels.jsonl:2: missing field 'text'"),
    ('{"id": "1", "text": "t"', "labels.jsonl:2: malformed JSON"),
    ('{"id": "1", "text": "Russia was bla', r"labels.jsonl:2: malformed JSON \(Unterminated string starting at\); "
                                         r"the line ends inside a string: it looks cut off \(truncated"),  # not last
    ('{"id": "1", "text": "t", "x": ' + "[" * 100_000 + "]" * 100_000 + "}", "labels.jsonl:2: JSON nested too deeply"),
])
def test_bad_lines_name_file_and_line(tmp_path, line, message):
    path = tmp_path / "labels.jsonl"
    path.write_text('{"id": "0", "text": "fine", "label": "favor", "annotator": "a"}\n' + line + "\n\n")
    with pytest.raises(InputError, match=message):
        LabelStore(path).records()


# -- resolving, ordering, context ------------------------------------------------------------------
def test_resolve_majority_ties_and_suggestions(tmp_path):
    items = make_items()
    store = LabelStore(tmp_path / "l.jsonl")
    for annotator, labels in {"ana": ["favor", "against"], "ben": ["favor", "neutral"], "cy": ["neutral", "favor"]}.items():
        s = LabelSession(items, range(6), store, annotator)
        for label in labels:
            s.answer(s.next_item(), label)
    resolved, counts = resolve_labels(store.records())
    assert {it.id: it.label for it in resolved} == {items[0].id: "favor"} and counts["ties"] == 1
    assert [it.label for it in read_labelled_items(store.path, annotator="ana")] == ["favor", "against"]
    from classifier.labels import suggestion_records

    store.extend(suggestion_records(items[:1], np.array([[0.7, 0.2, 0.1]]), ["favor", "against", "neutral"],
                                    "tiny@abc", "tiny"))
    with pytest.raises(InputError, match="l.jsonl:7: 1 labels are model suggestions.*--allow-suggested"):
        resolve_labels(store.records())
    assert len(resolve_labels(store.records(), annotator="ana")[0]) == 2
    store.extend(suggestion_records(items[2:3], np.array([[0.7, 0.2, 0.1]]), ["favor", "against", "neutral"],
                                    "tiny@abc", "tiny"))
    resolved, counts = resolve_labels([r for r in store.records() if r["annotator"] in ("ana", "model:tiny")],
                                      allow_suggested=True)  # a person's answer beats the model's, no tie
    assert {it.id: it.label for it in resolved} == {items[0].id: "favor", items[1].id: "against",
                                                    items[2].id: "favor"} and counts["ties"] == 0


def test_undoing_an_answer_given_after_a_skip_shows_its_item_again(tmp_path):
    """Skipped in one session, answered in a --revisit-skipped one: undo uncovers the skip, and the item must still
    come up next (it did not: the skip counted it as done, and the undone item vanished from the session)."""
    item = session(tmp_path).next_item()
    session(tmp_path).skip(item)
    revisit = LabelSession(make_items(), list(range(6)), LabelStore(tmp_path / "labels.jsonl"), "ana",
                           revisit_skipped=True)
    revisit.answer(revisit.next_item(), "favor")
    again = session(tmp_path)
    assert again.undo()["label"] == "favor"
    assert again.next_item().id == item.id
    again.answer(item, "against")
    assert {k[0]: r["label"] for k, r in current_labels(again.records).items()} == {item.id: "against"}


def test_undo_takes_back_only_answers_to_this_sessions_items(tmp_path):
    s = session(tmp_path)
    s.answer(s.next_item(), "favor")
    items = make_items()[1:]  # the answered item is not in this batch
    other = LabelSession(items, order_items(items, "file"), LabelStore(tmp_path / "labels.jsonl"), "ana")
    assert other.undo() is None
    other.answer(other.next_item(), "against")
    assert other.undo()["id"] == items[0].id and other.next_item().id == items[0].id


def test_a_session_labelled_before_spans_were_found_resumes(tmp_path):
    s = session(tmp_path)
    first = s.next_item()
    s.store.append(label_record(first.model_copy(update={"spans": []}), "favor", "ana"))  # as an older version wrote
    again = session(tmp_path)
    assert again.next_item().id != first.id  # answered: the same text and actor


def test_an_items_file_edited_since_its_items_were_labelled_is_refused(tmp_path):
    s = session(tmp_path)
    s.answer(s.next_item(), "favor")
    items = make_items()
    items[0] = items[0].model_copy(update={"text": "Russia praised the deal with China on Monday."})
    with pytest.raises(InputError, match=r"labels.jsonl:1: item 'a1-0-Russia' was labelled with another text"):
        LabelSession(items, order_items(items, "file"), LabelStore(tmp_path / "labels.jsonl"), "ana")
    # a second annotator on the same file: her first answer would have made the file unreadable to gold and agreement
    with pytest.raises(InputError, match=r"labels.jsonl:1: item 'a1-0-Russia' was labelled with another text"):
        LabelSession(items, order_items(items, "file"), LabelStore(tmp_path / "labels.jsonl"), "ben")


def test_orders_are_deterministic_and_balanced():
    items = make_items()
    probs = np.array([[0.9, 0.05, 0.05], [0.4, 0.35, 0.25], [0.5, 0.3, 0.2],
                      [0.34, 0.33, 0.33], [0.6, 0.2, 0.2], [0.8, 0.1, 0.1]])
    assert order_items(items, "uncertain", probs=probs) == [3, 1, 2, 4, 5, 0]
    assert order_items(items, "random", seed=3) == order_items(items, "random", seed=3)
    balanced = order_items(items, "source-balanced", seed=0)
    assert sorted(balanced) == list(range(6))
    assert {items[i].source for i in balanced[:2]} == {"RT", "TDI"}
    with pytest.raises(InputError, match="needs a model"):
        order_items(items, "uncertain")


def test_uncertain_order_computes_the_margins_once(monkeypatch):
    """Ordering 100,000 items by the model's margin must not score the whole matrix once per item (quadratic:
    20,000 items took 18 s before the first screen)."""
    import classifier.labels as labels

    calls = []
    monkeypatch.setattr(labels, "margin", lambda probs: calls.append(1) or np.sort(probs, axis=1)[:, -1])
    probs = np.random.default_rng(0).dirichlet([1, 1, 1], 500)
    order = order_items([None] * 500, "uncertain", probs=probs)
    assert sorted(order) == list(range(500)) and len(calls) == 1


def test_context_comes_from_neighbouring_sentences_of_the_article():
    context = article_context(make_items())
    before, after = context["a2-1-USA"]
    assert before == ["The USA held talks on Monday."] and after == ["China welcomed the talks."]
    assert context["a1-0-China"] == ([], ["NATO criticised the move."])


# -- agreement --------------------------------------------------------------------------------------
def records_for(labels_by_annotator: dict[str, list[str]]) -> list[dict]:
    from classifier.labels import label_record

    items = make_items()
    return [label_record(items[i], label, ann) | {"record": f"{ann}{i}"}
            for ann, labels in labels_by_annotator.items() for i, label in enumerate(labels)]


def test_agreement_kappa_alpha_and_disagreements():
    report = agreement(records_for({"ana": ["favor", "against", "neutral", "neutral", "against", "favor"],
                                    "ben": ["favor", "against", "neutral", "favor", "against", "favor"],
                                    "cy": ["favor", "against", "neutral", "neutral", "against", "favor"]}))
    pairs = {tuple(p["annotators"]): p for p in report["pairs"]}
    assert pairs[("ana", "cy")]["kappa"] == 1.0
    assert pairs[("ana", "ben")]["kappa"] == pytest.approx(0.75, abs=0.01)
    import krippendorff

    expected = krippendorff.alpha(reliability_data=[[0, 1, 2, 2, 1, 0], [0, 1, 2, 0, 1, 0], [0, 1, 2, 2, 1, 0]],
                                  level_of_measurement="nominal")
    assert report["krippendorff_alpha"] == pytest.approx(expected)
    assert [d["id"] for d in report["disagreements"]] == ["a2-0-USA"]


def test_agreement_command(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records_for(
        {"ana": ["favor", "against", "neutral"], "ben": ["favor", "neutral", "neutral"]})))
    result = runner.invoke(app, ["label", "agreement", str(path), "--json", str(tmp_path / "a.json")])
    assert result.exit_code == 0, result.output
    assert "Cohen's kappa" in result.output and "Krippendorff" in result.output
    assert json.loads((tmp_path / "a.json").read_text())["disagreements"][0]["labels"] == {"ana": "against",
                                                                                           "ben": "neutral"}
    assert "Disagreements (1)" in result.output
    quiet = runner.invoke(app, ["label", "agreement", str(path), "--show", "0"])
    assert quiet.exit_code == 0 and "Cohen's kappa" in quiet.output and "Disagreements" not in quiet.output
    one = tmp_path / "one.jsonl"
    one.write_text(json.dumps(records_for({"ana": ["favor"]})[0]) + "\n")
    result = runner.invoke(app, ["label", "agreement", str(one)])
    assert result.exit_code == 1 and "two or more annotators" in result.output
    with open(path, "a") as fh:
        fh.write('{"id": "a9-0-USA", "label": "fav')  # a line cut off, by a kill or a hand edit
    result = runner.invoke(app, ["label", "agreement", str(path)])
    assert result.exit_code == 0, result.output
    assert "warning: " + str(path) + ":7: last line ignored" in " ".join(result.output.split())


def test_agreement_quiet_prints_its_closing_line_and_warnings_alone(tmp_path):
    """agreement had no -q where suggest, export and sample have one: its tables are dropped, the alpha line (its
    closing line) and the warnings stay, as the others keep theirs."""
    path = tmp_path / "labels.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records_for(
        {"ana": ["favor", "against", "neutral"], "ben": ["favor", "neutral", "neutral"]})))
    result = runner.invoke(app, ["label", "agreement", str(path), "-q", "--json", str(tmp_path / "a.json")])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("Krippendorff's alpha (nominal, 2 annotators):")
    assert "Cohen's kappa" not in result.output and "Disagreements" not in result.output
    assert "warning:" in lines[-1] and "too few to say much" in result.output  # 3 shared items: warned all the same
    assert json.loads((tmp_path / "a.json").read_text())["disagreements"]  # the --json is written in full


def test_agreement_says_on_its_alpha_line_why_it_has_no_interval(tmp_path):
    """Over items of fewer than 5 articles alpha has no interval; only the tables' caption said why, so 'agreement
    -q' printed a bare 'alpha: 0.673' (50 items of 3 seed articles) that read as a figure without uncertainty."""
    items = [Item(id=f"x{i}", text=f"Russia acted, day {i}.", actor="Russia", spans=[(0, 6)], article=f"art{i % 3}")
             for i in range(30)]
    ana = [["favor", "against", "neutral"][i % 3] for i in range(30)]
    ben = [label if i % 4 else "neutral" for i, label in enumerate(ana)]
    path = tmp_path / "labels.jsonl"
    path.write_text("".join(json.dumps(label_record(it, lab, who)) + "\n" for who, labels in (("ana", ana),
                                                                                             ("ben", ben))
                            for it, lab in zip(items, labels)))
    for quiet in ([], ["-q"]):
        result = runner.invoke(app, ["label", "agreement", str(path), *quiet, "--json", str(tmp_path / "a.json")])
        assert result.exit_code == 0, result.output
        assert "annotators): 0.698 (no interval: 3 articles, fewer than 5)" in result.output
    assert json.loads((tmp_path / "a.json").read_text())["articles"] == 3
    result = runner.invoke(app, ["label", "agreement", str(path), "-q", "--n-boot", "0"])  # none asked: none said
    assert result.exit_code == 0 and "no interval" not in result.output, result.output


def test_import_and_gold_take_quiet_as_the_other_label_commands_do(tmp_path):
    """'label import' and 'label gold' had no -q where sample, suggest, export and agreement have one: a script
    passing -q to each label command was stopped with a usage error. They take it now and print what they printed
    without it, which is what -q keeps: the closing line, and a warning (gold's tied items)."""
    export = tmp_path / "export.json"
    export.write_text(json.dumps(label_studio_export(to_label_studio(make_items()))))
    said = {}
    for quiet in ([], ["-q"]):
        labels = tmp_path / f"labels{len(quiet)}.jsonl"
        imported = runner.invoke(app, ["label", "import", str(export), "--labels", str(labels), *quiet])
        assert imported.exit_code == 0, imported.output
        tied = tmp_path / f"tied{len(quiet)}.jsonl"
        tied.write_text("".join(json.dumps(r) + "\n" for r in records_for({"ana": ["favor"]})))  # LS said against
        gold = runner.invoke(app, ["label", "gold", str(labels), str(tied), "--out", str(tmp_path / "gold.jsonl"),
                                   "--overwrite", *quiet])
        assert gold.exit_code == 0, gold.output
        said[bool(quiet)] = [" ".join(r.output.split()).replace(f"labels{len(quiet)}", "labels").replace(
            f"tied{len(quiet)}", "tied") for r in (imported, gold)]
    assert said[True] == said[False]
    imported, gold = said[True]
    assert imported == f"6 labels imported into {tmp_path / 'labels.jsonl'} (0 already there)"
    assert gold.startswith(f"5 labelled items -> {tmp_path / 'gold.jsonl'} warning: 1 tied item left out"), gold


def test_an_id_naming_two_items_or_labels_of_two_tasks_are_refused_with_their_lines(tmp_path):
    records = records_for({"ana": ["favor", "against"], "ben": ["favor"]})
    records[2] |= {"text": "A different sentence about NATO.", "actor": "NATO"}  # ben's id names another item
    collision = tmp_path / "collision.jsonl"
    collision.write_text("".join(json.dumps(r) + "\n" for r in records))
    for command in (["gold", str(collision), "--out", str(tmp_path / "g.jsonl")], ["agreement", str(collision)]):
        result = runner.invoke(app, ["label", *command])
        assert result.exit_code == 1 and "collision.jsonl:3: id 'a1-0-Russia' names another item than on " \
            "" + f"{collision}:1" in result.output.replace("\n", ""), result.output
    records = records_for({"ana": ["favor", "against", "neutral"]})
    records[1]["label"] = "positive"  # a sentence-sentiment label among stance labels
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text("".join(json.dumps(r) + "\n" for r in records))
    result = runner.invoke(app, ["label", "gold", str(mixed), "--out", str(tmp_path / "g.jsonl")])
    assert result.exit_code == 1 and "mixed.jsonl:2: label 'positive' is sentence sentiment, but " in result.output
    assert not (tmp_path / "g.jsonl").exists()


def test_a_spreadsheet_row_repeated_with_another_label_is_refused_with_both_lines(tmp_path):
    """Rows without an annotator (a sheet of labelled sentences): a repeated id with another label silently overruled
    the earlier row in gold and train; the same label twice is harmless."""
    item = make_items()[0]
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("id,text,actor,label\n" + "".join(f"{item.id},{item.text},{item.actor},{label}\n"
                                                       for label in ("favor", "favor", "against")))
    result = runner.invoke(app, ["label", "gold", str(sheet), "--out", str(tmp_path / "g.jsonl")])
    assert result.exit_code == 1 and f"sheet.csv:4: id {item.id!r} is labelled 'against' here and 'favor' on " \
        f"{sheet}:2" in result.output.replace("\n", ""), result.output
    assert not (tmp_path / "g.jsonl").exists()
    sheet.write_text("id,text,actor,label\n" + f"{item.id},{item.text},{item.actor},favor\n" * 2)
    assert len(read_labelled_items(sheet)) == 1


def test_gold_with_no_current_label_writes_nothing_and_says_so(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    skipped = tmp_path / "skipped.jsonl"
    skipped.write_text("".join(json.dumps(r) + "\n" for r in records_for({"ana": [None, None]})))
    for path, lines in ((empty, 0), (skipped, 2)):
        out = tmp_path / "g.jsonl"
        result = runner.invoke(app, ["label", "gold", str(path), "--out", str(out)])
        assert result.exit_code == 1 and f"no labels to write ({lines} lines" in result.output, result.output
        assert not out.exists()


# -- Label Studio ------------------------------------------------------------------------------------
def label_studio_export(tasks: list[dict]) -> list[dict]:
    """What Label Studio gives back after two people annotated the exported tasks."""
    out = []
    for number, task in enumerate(tasks, start=1):
        choice = ["favor", "against", "neutral"][number % 3]
        annotations = [{"id": number, "completed_by": {"id": 1, "email": "ana@example.org"},
                        "result": [{"from_name": "stance", "to_name": "text", "type": "choices",
                                    "value": {"choices": [choice]}}],
                        "was_cancelled": False, "created_at": "2024-05-01T10:00:00Z"}]
        if number == 2:
            annotations.append({"id": 99, "completed_by": 7, "was_cancelled": True, "result": []})
        out.append({"id": number, **task, "annotations": annotations})
    return out


@pytest.mark.parametrize("command", [["label", "export", "{items}", "--out", "{out}.json"],
                                     ["label", "suggest", "{items}", "--out", "{out}.jsonl"]])
def test_suggestions_from_a_sentiment_model_are_refused(tmp_path, tiny_sentiment_dir, command):
    items_path = write_items(tmp_path / "items.jsonl", make_items())
    args = [part.format(items=items_path, out=tmp_path / "out") for part in command]
    result = runner.invoke(app, [*args, "--model", str(tiny_sentiment_dir), "-q"])
    assert result.exit_code == 1
    last = result.output.strip().splitlines()[-1]  # (before it, in the test runner only: transformers' loading bar)
    assert last.startswith("error:") and "a sentiment model" in last
    assert sorted(p.name for p in tmp_path.iterdir()) == ["items.jsonl"]


@pytest.mark.parametrize("command, closing", [(["label", "export", "{items}", "--out", "{out}.json"], "6 tasks written to"),
                                              (["label", "suggest", "{items}", "--out", "{out}.jsonl"], "6 pre-labels by")])
def test_quiet_keeps_the_closing_line_and_its_help_says_so(tmp_path, tiny_model_dir, command, closing):
    """-q's help said "No progress bar or summary lines." and the closing line was printed all the same: it is the
    command's result, so it stays, and the help says what -q keeps."""
    from classifier.cli.reference import root_command

    items_path = write_items(tmp_path / "items.jsonl", make_items())
    args = [part.format(items=items_path, out=tmp_path / "out") for part in command]
    result = runner.invoke(app, [*args, "--model", str(tiny_model_dir), "-q"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].startswith(closing)  # (in the test runner: a loading bar before)
    group = root_command().commands["label"]
    quiet = next(p for p in group.commands[command[1]].params if p.name == "quiet")
    assert "closing line" in quiet.help and "stay" in quiet.help and "summary" not in quiet.help


def test_export_of_a_label_file_reads_the_scores_kept_beside_it_and_writes_none(tmp_path, tiny_model_dir,
                                                                                 monkeypatch):
    """export --model scored every item, though the label file it exported (suggest's --out, one line per item) kept
    that model's scores of those very items beside it: they are read, and the model is not loaded. Exporting the items
    file, which has none beside it, scores them and writes none beside it (nor beside the label file: read only)."""
    from classifier.labels import kept_scores_path
    from classifier.models.stance_model import StanceModel

    items = make_items()
    items_path = write_items(tmp_path / "items.jsonl", items)
    suggested = tmp_path / "suggested.jsonl"
    assert runner.invoke(app, ["label", "suggest", str(items_path), "--out", str(suggested), "--model",
                               str(tiny_model_dir), "-q"]).exit_code == 0
    kept = kept_scores_path(suggested).read_bytes()
    loaded = []
    real_load = StanceModel.load.__func__
    monkeypatch.setattr(StanceModel, "load", classmethod(
        lambda cls, path, *args, **kwargs: loaded.append(1) or real_load(cls, path, *args, **kwargs)))
    tasks = {}
    for source in (suggested, items_path):
        out = tmp_path / f"{source.stem}.json"
        result = runner.invoke(app, ["label", "export", str(source), "--out", str(out), "--model",
                                     str(tiny_model_dir), "-q"])
        assert result.exit_code == 0, result.output
        tasks[source] = [task["predictions"] for task in json.loads(out.read_text())]
        assert len(loaded) == (source == items_path)  # the label file's were kept: no model loaded for it
    assert tasks[suggested] == tasks[items_path] and len(tasks[suggested]) == 6
    assert kept_scores_path(suggested).read_bytes() == kept and not kept_scores_path(items_path).exists()


def test_label_studio_round_trip(tmp_path, tiny_model_dir):
    items_path = write_items(tmp_path / "items.jsonl", make_items())
    tasks_path = tmp_path / "tasks.json"
    result = runner.invoke(app, ["label", "export", str(items_path), "--out", str(tasks_path), "--model",
                                 str(tiny_model_dir), "--config", str(tmp_path / "stance.xml"), "-q"])
    assert result.exit_code == 0, result.output
    tasks = json.loads(tasks_path.read_text())
    assert len(tasks) == 6 and tasks[0]["predictions"][0]["result"][0]["value"]["choices"][0] in ("favor", "against", "neutral")
    assert tasks[1]["data"]["marked"] == "Russia praised the deal with [[China]]."
    assert "<Choices name=\"stance\"" in (tmp_path / "stance.xml").read_text()
    export = tmp_path / "export.json"
    export.write_text(json.dumps(label_studio_export(tasks)))
    labels = tmp_path / "labels.jsonl"
    for _ in range(2):  # importing twice adds nothing
        result = runner.invoke(app, ["label", "import", str(export), "--labels", str(labels)])
        assert result.exit_code == 0, result.output
    records = LabelStore(labels).records()
    assert len(records) == 6 and records[0]["annotator"] == "label-studio:ana@example.org"
    assert records[0]["suggestion"]["label"] == tasks[0]["predictions"][0]["result"][0]["value"]["choices"][0]
    resolved = {it.id: it for it in read_labelled_items(labels)}
    assert resolved["a1-0-China"].label == "neutral" and resolved["a1-0-China"].spans == [(29, 34)]
    assert resolved["a1-0-China"].article == "a1" and resolved["a1-0-China"].source == "TDI"


def test_an_export_without_timestamps_imported_twice_adds_nothing(tmp_path, monkeypatch):
    import itertools

    import classifier.labels as labels_module

    clock = itertools.count()  # every import runs at another time, as reruns do
    monkeypatch.setattr(labels_module, "now", lambda: f"2026-01-01T00:00:{next(clock) % 60:02d}+00:00")
    tasks = label_studio_export(to_label_studio(make_items()))
    for task in tasks:
        for annotation in task["annotations"]:
            annotation.pop("created_at", None)
    export = tmp_path / "export.json"
    export.write_text(json.dumps(tasks))
    labels = tmp_path / "labels.jsonl"
    for _ in range(3):
        result = runner.invoke(app, ["label", "import", str(export), "--labels", str(labels)])
        assert result.exit_code == 0, result.output
    assert len(LabelStore(labels).records()) == 6


def test_label_studio_errors_name_the_task(tmp_path):
    tasks = to_label_studio(make_items()[:2])
    tasks[1]["annotations"] = [{"result": [{"type": "choices", "value": {"choices": ["positive"]}}]}]
    with pytest.raises(InputError, match=r"export.json: task 2: choice \['positive'\]"):
        from_label_studio(tasks, "export.json")
    tasks[1]["annotations"] = [{"result": [{"type": "choices", "value": {"choices": ["Favor"]}}]}]
    assert [r["label"] for r in from_label_studio(tasks, "export.json")] == ["favor"]  # a hand-made config's case
    confidence = {"from_name": "confidence", "type": "choices", "value": {"choices": ["high"]}}
    tasks[1]["annotations"] = [{"result": [confidence, {"from_name": "stance", "type": "choices",
                                                        "value": {"choices": ["against"]}}]}]
    tasks[1]["predictions"] = [{"result": [confidence, {"from_name": "stance", "value": {"choices": ["favor"]}}]}]
    [record] = from_label_studio(tasks, "export.json")  # another Choices control first: the stance one is read
    assert record["label"] == "against" and record["suggestion"]["label"] == "favor"
    tasks[1]["annotations"] = [{"result": [{"from_name": "sentiment", "value": {"choices": ["Neutral"]}}]},
                               {"result": [confidence]}]  # stance left unanswered: nothing is taken for it
    with pytest.warns(InputWarning, match="2 annotations gave no answer in a Choices control named 'stance' "
                                          r"\(it has confidence, sentiment\); left out"):
        assert from_label_studio(tasks, "export.json") == []
    for dropped, message in (("item_id", r"task 1 \(Label Studio id 7\): no item id in its data"),
                             ("actor", r"task 1 \(Label Studio id 7\): no 'actor'")):
        tasks = to_label_studio(make_items()[:1])
        del tasks[0]["data"][dropped]
        tasks[0]["data"].pop("id", None)
        tasks[0]["id"] = 7  # Label Studio's own task number names no item
        tasks[0]["annotations"] = [{"result": [{"type": "choices", "value": {"choices": ["favor"]}}]}]
        with pytest.raises(InputError, match=message):
            from_label_studio(tasks, "export.json")
    tasks = to_label_studio(make_items()[:1])
    tasks[0]["annotations"] = [{"result": [{"type": "choices", "value": {"choices": ["favor", "against"]}}]}]
    with pytest.raises(InputError, match=r"2 choices \(favor, against\) where an item takes one label"):
        from_label_studio(tasks, "export.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = runner.invoke(app, ["label", "import", str(bad), "--labels", str(tmp_path / "l.jsonl")])
    assert result.exit_code == 1 and "bad.json: not a JSON file" in result.output
    assert "Traceback" not in result.output
    items = write_items(tmp_path / "items.jsonl", make_items())  # the items file given in place of the export
    result = runner.invoke(app, ["label", "import", str(items), "--labels", str(tmp_path / "l.jsonl")])
    assert result.exit_code == 1 and "it holds JSON lines: an items or label file?" in " ".join(result.output.split())


# -- suggest and the line-input fallback ---------------------------------------------------------------
def test_suggest_writes_marked_pre_labels(tmp_path, tiny_model_dir):
    items_path = write_items(tmp_path / "items.jsonl", make_items())
    refused = runner.invoke(app, ["label", "suggest", str(items_path), "--out", str(tmp_path / "s.csv"),
                                  "--model", str(tiny_model_dir), "-q"])
    assert refused.exit_code == 1 and "s.csv: label files are JSON lines" in refused.output
    assert not (tmp_path / "s.csv").exists()
    out = tmp_path / "suggested.jsonl"
    for _ in range(2):
        result = runner.invoke(app, ["label", "suggest", str(items_path), "--out", str(out), "--model",
                                     str(tiny_model_dir), "-q"])
        assert result.exit_code == 0, result.output
    records = LabelStore(out).records()
    assert len(records) == 6
    assert all(r["suggested"] is True and r["annotator"] == "model:tiny" for r in records)
    with pytest.raises(InputError, match="model suggestions"):
        read_labelled_items(out)
    assert len(read_labelled_items(out, allow_suggested=True)) == 6
    edited = make_items()
    edited[0] = edited[0].model_copy(update={"text": edited[0].text.replace("Russia", "Russia ", 1)})
    changed = write_items(tmp_path / "edited.jsonl", edited)  # prepared again: one id, another text
    result = runner.invoke(app, ["label", "suggest", str(changed), "--out", str(out), "--model", str(tiny_model_dir),
                                 "-q"])
    assert result.exit_code == 1 and "was labelled with another text or actor" in result.output
    assert len(LabelStore(out).records()) == 6  # nothing appended


def test_scoring_the_items_for_suggestions_shows_a_bar_over_them_unless_quiet(tmp_path, tiny_model_dir, monkeypatch):
    """Every item is scored before a session's first one is shown (and before suggest and export write): a session on
    794 items of a corpus of web pages showed its first item 27.6 s after its start, under one still line ("scoring
    794 items with ...", 2 busy cores); a bar now counts them to their total on a terminal, and none with -q."""
    import classifier.cli.label as label_cli

    seen = []

    class Bar:
        def add_task(self, description, total=None):
            seen.append(("add", description, total))
            return 0

        def advance(self, task, step=1):
            seen.append(("advance", step))

    monkeypatch.setattr(label_cli, "show_progress", lambda quiet: not quiet)
    monkeypatch.setattr(label_cli, "progress_bar", lambda enabled: contextlib.nullcontext(Bar() if enabled else None))
    items_path = write_items(tmp_path / "items.jsonl", make_items())
    for command in (["label", str(items_path), "--labels", str(tmp_path / "labels.jsonl"), "-a", "ana"],
                    ["label", "suggest", str(items_path), "--out", str(tmp_path / "suggested.jsonl")]):
        seen.clear()
        result = runner.invoke(app, [*command, "--model", str(tiny_model_dir)], input="q\n")
        assert result.exit_code == 0, result.output
        assert seen[0] == ("add", "scoring", 6), seen
        assert sum(step for kind, step, *_ in seen if kind == "advance") == 6, seen
    seen.clear()
    result = runner.invoke(app, ["label", "suggest", str(items_path), "--out", str(tmp_path / "quiet.jsonl"),
                                 "--model", str(tiny_model_dir), "-q"])
    assert result.exit_code == 0 and seen == [], (result.output, seen)
def test_suggest_reads_and_keeps_the_scores_kept_beside_its_label_file(tmp_path, tiny_model_dir, monkeypatch):
    """suggest scored every item, though a labelling of its --out label file with the same model had kept that
    model's scores of the same items beside it, and kept none for the labelling that followed."""
    from classifier.models.stance_model import StanceModel

    items = make_items()
    items_path = write_items(tmp_path / "items.jsonl", items)
    probs = StanceModel.load(tiny_model_dir).predict_proba(items)
    loaded = []
    real_load = StanceModel.load.__func__
    monkeypatch.setattr(StanceModel, "load",
                        classmethod(lambda cls, *args, **kwargs: loaded.append(1) or real_load(cls, *args, **kwargs)))
    labels = tmp_path / "labels.jsonl"
    assert start_with_model(items_path, labels, tiny_model_dir, "f\nq\n").exit_code == 0 and loaded == [1]
    suggest = ["label", "suggest", str(items_path), "--model", str(tiny_model_dir), "--out"]
    result = runner.invoke(app, [*suggest, str(labels)])
    assert result.exit_code == 0 and loaded == [1], result.output
    suggested = [r for r in LabelStore(labels).records() if r.get("suggested")]  # not the one answered with it
    assert len(suggested) == 5 and np.allclose([list(r["suggestion"]["scores"].values()) for r in suggested],
                                               [probs[[it.id for it in items].index(r["id"])] for r in suggested],
                                               atol=1e-4)
    assert all(r["annotator"] == "model:tiny" and r["suggestion"]["model"].startswith("tiny@") for r in suggested)

    other = tmp_path / "suggested.jsonl"
    assert runner.invoke(app, [*suggest, str(other), "-q"]).exit_code == 0 and loaded == [1, 1]  # none kept there
    assert start_with_model(items_path, other, tiny_model_dir, "f\nq\n").exit_code == 0 and loaded == [1, 1]


def test_suggest_whose_scores_cannot_be_kept_warns_and_writes_its_pre_labels(tmp_path, tiny_model_dir):
    from classifier.labels import kept_scores_path

    items_path = write_items(tmp_path / "items.jsonl", make_items())
    out = tmp_path / "suggested.jsonl"
    kept_scores_path(out).mkdir()  # a folder where the file would go
    result = runner.invoke(app, ["label", "suggest", str(items_path), "--out", str(out), "--model",
                                 str(tiny_model_dir), "-q"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "6 pre-labels by model:tiny appended" in said and ".suggested.jsonl.scores.npz: is a folder" in said
    assert len(LabelStore(out).records()) == 6


def test_line_input_fallback_and_resume(tmp_path):
    items_path = write_items(tmp_path / "items.jsonl", make_items())
    labels = tmp_path / "labels.jsonl"
    args = ["label", str(items_path), "--labels", str(labels), "--annotator", "ana"]
    result = runner.invoke(app, args, input="f\nx\na\nu\nn\nq\n")
    assert result.exit_code == 0, result.output
    assert "unknown key 'x'" in result.output and "stopped: 2/6" in result.output
    result = runner.invoke(app, args, input="?\ns\nn\nf\na\nn\n")
    assert result.exit_code == 0, result.output
    assert "resuming: 2 of 6" in result.output  # one item skipped: all done, not all answered
    assert f"all items done: 6/6: 5 answered (1 against, 2 favor, 2 neutral), 1 skipped, by ana in {labels}" \
        in result.output, result.output
    current = {k[0]: r["label"] for k, r in current_labels(LabelStore(labels).records()).items()}
    assert current == {"a1-0-Russia": "favor", "a1-0-China": "neutral", "a2-0-USA": "neutral",
                       "a2-1-USA": "favor", "a2-2-China": "against"}
    gold = tmp_path / "gold.jsonl"
    result = runner.invoke(app, ["label", "gold", str(labels), "--out", str(gold)])
    assert result.exit_code == 0, result.output
    from classifier.items import read_items

    assert {it.id: it.label for it in read_items(gold)} == current  # one item per id, undo applied


@pytest.mark.parametrize("answers", ["f\nq\n", "f\n"])  # quit, or the end of the input
@pytest.mark.parametrize("quiet", [[], ["-q"]])
def test_a_piped_session_ends_on_one_line(tmp_path, answers, quiet):
    """Piped answers ended "answer: stopped: 1/6 ..." after q, and "answer: quit" then "stopped: ..." where the
    input ended: the prompt of a piped line is written with what it did, so the session ends on the summary alone."""
    items_path = write_items(tmp_path / "items.jsonl", make_items())
    labels = tmp_path / "labels.jsonl"
    result = runner.invoke(app, ["label", str(items_path), "--labels", str(labels), "-a", "ana", *quiet], input=answers)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-1] == f"stopped: 1/6 by ana (1 favor) in {labels}"
    if quiet:  # each item on one line, nothing said of the answer
        assert lines[:-1] == ["a1-0-Russia · Russia: **Russia** praised the deal with China.",
                              "a1-0-China · China: Russia praised the deal with **China**."]
        return
    assert lines[-2].startswith("[f] favor") and "answer: favor (saved)" in lines
    assert not [line for line in lines if line.startswith("answer: ") and "(saved)" not in line]


def test_quiet_shows_each_item_once_on_one_line_and_what_went_wrong(tmp_path):
    """-q promises no progress or summary lines, yet a piped -q session printed every item's whole screen (rule,
    progress, outlets, neighbours, suggestion, keys) and "answer: favor (saved)" after each answer: a script driving
    it had to dig the sentence out. With -q an item is one line, once, whatever is typed at it; an unknown key, the
    help asked for, an undo with nothing to undo and the closing line are still said."""
    items_path = write_items(tmp_path / "items.jsonl", make_items())
    labels = tmp_path / "labels.jsonl"
    args = ["label", str(items_path), "--labels", str(labels), "-a", "ana", "-q"]
    result = runner.invoke(app, args, input="u\nx\n?\nf\ns\n")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:3] == ["a1-0-Russia · Russia: **Russia** praised the deal with China.", "nothing to undo",
                         "a1-0-Russia · Russia: **Russia** praised the deal with China."]  # shown again after u
    assert lines[3] == "unknown key 'x'; press ? for help" and "keys" in lines[4]  # the help table's title
    assert lines[-3:] == ["a1-0-China · China: Russia praised the deal with **China**.",
                          "a1-1-NATO · NATO: **NATO** criticised the move.",
                          f"stopped: 2/6: 1 answered (1 favor), 1 skipped, by ana in {labels}"]
    for noise in ("answer:", "(saved)", "done", "per outlet", "[f] favor", "model:", "resuming"):
        assert noise not in result.output, noise
    again = runner.invoke(app, args, input="a\n")  # resumed: no "resuming" line either
    assert again.output.splitlines() == ["a1-1-NATO · NATO: **NATO** criticised the move.",
                                         "a2-0-USA · USA: The **USA** held talks on Monday.",
                                         f"stopped: 3/6: 2 answered (1 against, 1 favor), 1 skipped, by ana in {labels}"]
    sentiment = runner.invoke(app, ["label", str(items_path), "--labels", str(tmp_path / "s.jsonl"), "-a", "ana",
                                    "--task", "sentiment", "-q"], input="q\n")
    assert sentiment.output.splitlines()[0] == "a1:0000: Russia praised the deal with China."  # no actor to name


def test_quiet_keeps_a_long_sentence_on_its_one_line(tmp_path):
    """A piped -q session broke an item's line at 140 columns (the walk of 2026-12-07, a BASIL sentence of 160
    characters came out on two lines), so a script reading one item per line read half a sentence as an item."""
    long = "Russia praised the deal with China, " + "which both sides said would last for decades, " * 4 + "end."
    item = Item(id="a9-0-Russia", text=long, actor="Russia", spans=[(0, 6)], source="TDI", article="a9",
                sentence_index=0, kind="country")
    items_path = write_items(tmp_path / "items.jsonl", [item])
    result = runner.invoke(app, ["label", str(items_path), "--labels", str(tmp_path / "labels.jsonl"), "-a", "ana",
                                 "-q"], input="q\n")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "a9-0-Russia · Russia: **Russia**" + long[6:], lines
    assert lines[1].startswith("stopped: "), lines


def test_progress_counts_skipped_items_apart_from_answered_ones(tmp_path):
    """The header said "2/6 done" after an answer and a skip, and a restart "resuming: 2 of 6 items already
    answered": the skipped item was counted as answered."""
    items_path = write_items(tmp_path / "items.jsonl", make_items())
    labels = tmp_path / "labels.jsonl"
    args = ["label", str(items_path), "--labels", str(labels), "-a", "ana"]
    result = runner.invoke(app, args, input="f\ns\nq\n")
    assert "1/6 done" in result.output and "2/6: 1 answered, 1 skipped" in result.output, result.output
    result = runner.invoke(app, args, input="q\n")
    assert "resuming: 2 of 6 items already done by ana (1 answered, 1 skipped)" in result.output, result.output
    assert "2/6: 1 answered, 1 skipped" in result.output and "2/6 done" not in result.output


def test_outlets_and_the_summary_count_skipped_items_as_the_header_does(tmp_path):
    """Under a header of "2/6: 1 answered, 1 skipped" the outlets said "TDI 2/3" and the closing line "stopped: 2/6
    by ana (1 favor, 1 skipped)", the skip counted among the done; "all items answered" closed a session with skips.
    A session without skips says what it said."""
    items_path = write_items(tmp_path / "items.jsonl", make_items())
    labels = tmp_path / "labels.jsonl"
    args = ["label", str(items_path), "--labels", str(labels), "-a", "ana"]
    result = runner.invoke(app, args, input="f\nq\n")
    assert "per outlet: RT 0/3 · TDI 1/3\n" in result.output, result.output
    assert result.output.splitlines()[-1] == f"stopped: 1/6 by ana (1 favor) in {labels}"
    result = runner.invoke(app, args, input="s\nq\n")
    assert "per outlet: RT 0/3 · TDI 2/3 (1 answered, 1 skipped)" in result.output, result.output
    assert result.output.splitlines()[-1] == f"stopped: 2/6: 1 answered (1 favor), 1 skipped, by ana in {labels}"
    result = runner.invoke(app, args, input="a\ns\nn\nf\n")
    assert result.output.splitlines()[-1] == (f"all items done: 6/6: 4 answered (1 against, 2 favor, 1 neutral), "
                                              f"2 skipped, by ana in {labels}")
    assert "per outlet: RT 2/3 (1 answered, 1 skipped) · TDI 3/3 (2 answered, 1 skipped)" in result.output


def test_answers_are_never_appended_to_items_predictions_or_a_gold_file(tmp_path):
    """--labels items.jsonl (another items file than the one labelled), a predictions file or a gold file took the
    answer as its last line: the items then had a duplicate id, the predictions a row without scores. A file whose
    first line names no annotator (every answer 'stance label' saves names one) is refused, untouched, and so is one
    whose first line has model scores though it names an annotator (predictions made from a label file keep it)."""
    items = make_items()
    items_path = write_items(tmp_path / "items.jsonl", items)
    other_items = write_items(tmp_path / "all_items.jsonl", items)
    predictions = tmp_path / "predictions.jsonl"
    predictions.write_text("".join(json.dumps({**json.loads(line), "stance": "neutral", "stance_scores": {
        "favor": 0.1, "against": 0.1, "neutral": 0.8}}) + "\n" for line in other_items.read_text().splitlines()))
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps({**json.loads(line), "label": "neutral"}) + "\n"
                            for line in other_items.read_text().splitlines()))
    scored_labels = tmp_path / "scored_labels.jsonl"  # predictions made from a label file keep its annotator
    scored_labels.write_text("".join(json.dumps({**json.loads(line), "label": "favor", "annotator": "ana",
                                                 "stance": "neutral", "stance_scores": {"favor": 0.1, "against": 0.1,
                                                                                        "neutral": 0.8}}) + "\n"
                                     for line in other_items.read_text().splitlines()[:2]))
    for path, kind in ((other_items, "holds items"), (predictions, "holds predictions"), (gold, "a gold file"),
                       (scored_labels, "has a model's scores (stance, stance_scores)")):
        before = path.read_bytes()
        for command in (["label", str(items_path), "--labels", str(path), "-a", "ana"],
                        ["label", "suggest", str(items_path), "--out", str(path)]):
            result = runner.invoke(app, command, input="f\nq\n")
            said = " ".join(result.output.split())
            assert result.exit_code == 1 and "not a label file" in said and kind in said, result.output
            assert said.count("error:") == 1 and "Traceback" not in said
        assert path.read_bytes() == before
    labels = tmp_path / "labels.jsonl"  # a label file, and one whose first line is a retraction, still take answers
    for answers in ("f\nq\n", "u\nq\n", "a\nq\n"):
        result = runner.invoke(app, ["label", str(items_path), "--labels", str(labels), "-a", "ana"], input=answers)
        assert result.exit_code == 0, result.output
    assert [r["label"] for r in LabelStore(labels).records()] == ["favor", None, "against"]



def test_labelling_predictions_saves_answers_without_the_model_s_outputs(tmp_path):
    """Labelling a predictions file (to check the model) saved each answer with the item's stance, stance_scores and
    model: the next session refused the label file as predictions, and its answers were no people's answers."""
    from classifier.io.files import people_answers

    items = write_items(tmp_path / "items.jsonl", make_items())
    predictions = tmp_path / "predictions.jsonl"
    predictions.write_text("".join(json.dumps({**json.loads(line), "stance": "neutral", "model": "m@1",
                                               "stance_scores": {"favor": 0.1, "against": 0.1, "neutral": 0.8}}) + "\n"
                                   for line in items.read_text().splitlines()))
    labels = tmp_path / "labels.jsonl"
    for answers in ("f\nq\n", "a\nq\n"):
        result = runner.invoke(app, ["label", str(predictions), "--labels", str(labels), "-a", "ana", "--order", "file"],
                               input=answers)
        assert result.exit_code == 0, result.output
    saved = [json.loads(line) for line in labels.read_text().splitlines()]
    assert [r["label"] for r in saved] == ["favor", "against"]
    assert not any(key in r for r in saved for key in ("stance", "stance_scores", "model"))
    assert people_answers(labels) == (2, ["ana"])


def test_a_label_file_whose_model_fields_are_null_still_takes_answers(tmp_path):
    """A label file whose lines carry ``"stance": null`` (no model scored them) was refused as predictions: the key
    alone counted, while the check of an output over predictions needed a value. Both read a null field as none."""
    items_path = write_items(tmp_path / "items.jsonl", make_items())
    first = json.loads(items_path.read_text().splitlines()[0])
    labels = tmp_path / "labels.jsonl"
    labels.write_text(json.dumps({**first, "label": "favor", "annotator": "ana", "stance": None,
                                  "stance_scores": None}) + "\n")
    LabelStore(labels).check_appendable()
    result = runner.invoke(app, ["label", str(items_path), "--labels", str(labels), "-a", "ana"], input="a\nq\n")
    assert result.exit_code == 0, result.output
    assert [r["label"] for r in LabelStore(labels).records()] == ["favor", "against"]
    labels.write_text(json.dumps({**first, "label": "favor", "annotator": "ana", "stance": "favor"}) + "\n")
    with pytest.raises(InputError, match=r"has a model's scores \(stance\)"):
        LabelStore(labels).check_appendable()


def test_piped_answers_see_the_mention_marked_as_report_md_marks_it(tmp_path):
    """Piped in and out, the screen shows no highlight: it said "actor: Russia" beside a sentence that names Russia
    twice and China once, without saying which words were meant. The mentions are marked **…**, and a * of the
    sentence's own is escaped, so every ** marks a mention."""
    text = "Russia's *new* deal: Moscow and China agreed."
    items_path = tmp_path / "items.jsonl"
    items_path.write_text(json.dumps({"id": "1", "text": text, "actor": "Russia", "spans": [[0, 6], [21, 27]],
                                      "article": "a"}) + "\n")
    result = runner.invoke(app, ["label", str(items_path), "--labels", str(tmp_path / "l.jsonl"), "-a", "ana"],
                           input="q\n")
    assert result.exit_code == 0, result.output
    assert "▶ **Russia**'s \\*new\\* deal: **Moscow** and China agreed." in result.output, result.output


def test_piped_answers_see_a_control_character_escaped_once(tmp_path):
    """The sentence's * and \\ were escaped after its control characters were made visible, so an ESC of its own
    showed as \\\\x1b, as a written backslash followed by "x1b" shows: the two read the same."""
    items_path = tmp_path / "items.jsonl"
    items_path.write_text(json.dumps({"id": "1", "text": "Russia \x1b[2J and a\\x1b.", "actor": "Russia",
                                      "spans": [[0, 6]], "article": "a"}) + "\n")
    result = runner.invoke(app, ["label", str(items_path), "--labels", str(tmp_path / "l.jsonl"), "-a", "ana"],
                           input="q\n")
    assert result.exit_code == 0, result.output
    assert "▶ **Russia** \\x1b[2J and a\\\\x1b." in result.output, result.output


def test_items_without_spans_are_labelled_with_the_mentions_classify_finds(tmp_path):
    items_path = tmp_path / "items.jsonl"
    items_path.write_text(json.dumps({"id": "1", "text": "Talks with Moscow stalled.", "actor": "Russia",
                                      "article": "a"}) + "\n")
    labels = tmp_path / "labels.jsonl"
    result = runner.invoke(app, ["label", str(items_path), "--labels", str(labels), "-a", "ana"], input="a\n")
    assert result.exit_code == 0, result.output
    assert "1 of 1 items had no spans: the actor's mentions were found by the catalogue in 1" in \
        " ".join(result.output.split())
    [record] = LabelStore(labels).records()
    assert record["spans"] == [[11, 17]] and record["spans_from"] == "catalogue" and record["label"] == "against"


def test_the_labeller_says_where_a_cut_off_line_went(tmp_path):
    items_path = write_items(tmp_path / "items.jsonl", make_items())
    labels = tmp_path / "labels.jsonl"
    labels.write_text('{"id": "a1-0-Russia", "lab')  # a hand edit left unfinished
    result = runner.invoke(app, ["label", str(items_path), "--labels", str(labels), "-a", "ana"], input="f\nq\n")
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "last line ignored" in said and "favor (saved); warning:" in said and "cut-off last line was moved" in said


def test_label_errors_are_one_line(tmp_path):
    items_path = tmp_path / "items.jsonl"
    items_path.write_text('{"id": "1", "text": "x", "actor": "A"}\n{"id": "2"}\n')
    result = runner.invoke(app, ["label", str(items_path), "--labels", str(tmp_path / "l.jsonl"), "-a", "ana"])
    assert result.exit_code == 1 and "items.jsonl:2: missing field 'text'" in result.output
    items_path.write_text('{"id": "1", "text": "x"}\n')  # stance is toward an actor; sentiment needs none
    result = runner.invoke(app, ["label", str(items_path), "--labels", str(tmp_path / "l.jsonl"), "-a", "ana"])
    assert result.exit_code == 1 and "items.jsonl:1: no 'actor'" in result.output
    result = runner.invoke(app, ["label", str(tmp_path / "none.jsonl"), "--labels", "l.jsonl", "-a", "ana"])
    assert result.exit_code == 1 and "none.jsonl: no such file" in result.output
    result = runner.invoke(app, ["label", str(items_path), "--labels", "l.jsonl", "-a", "model:x"])
    assert result.exit_code == 1 and "reserved" in result.output
    result = runner.invoke(app, ["label", "--help"])
    assert result.exit_code == 0 and "agreement" in result.output and "import" in result.output


def test_answers_piped_in_the_model_s_order_are_warned_of(tmp_path, tiny_model_dir):
    """The README's labelling line names --model, which orders the items by it: answers written beforehand in the
    file's order and piped in (the README's "Piped answers: one a line") went to other items in silence."""
    items_path = write_items(tmp_path / "items.jsonl", make_items())
    args = ["label", str(items_path), "-a", "ana", "--model", str(tiny_model_dir), "-q"]
    said = " ".join(runner.invoke(app, [*args, "--labels", str(tmp_path / "a.jsonl")], input="f\n").output.split())
    assert ("answers piped in go to the items in the model's order (--order uncertain), not ITEMS' order: give "
            "--order file where they were written in the file's order") in said, said
    for more in (["--order", "file"], ["--order", "uncertain"]):  # an order asked for is not warned of
        result = runner.invoke(app, [*args, "--labels", str(tmp_path / f"{more[1]}.jsonl"), *more], input="f\n")
        assert result.exit_code == 0 and "answers piped in" not in result.output, result.output


def test_model_suggestion_is_shown_ordered_by_uncertainty_and_stored(tmp_path, tiny_model_dir):
    items_path = write_items(tmp_path / "items.jsonl", make_items())
    labels = tmp_path / "labels.jsonl"
    result = runner.invoke(app, ["label", str(items_path), "--labels", str(labels), "-a", "ana", "--model",
                                 str(tiny_model_dir)], input="f\nq\n")  # not -q: it shows no suggestion
    assert result.exit_code == 0, result.output
    assert "model suggests" in result.output
    record = LabelStore(labels).records()[0]
    assert record["suggestion"]["model"].startswith("tiny@") and set(record["suggestion"]["scores"]) == {
        "favor", "against", "neutral"}
    from classifier.models.stance_model import StanceModel

    items = make_items()
    probs = StanceModel.load(tiny_model_dir).predict_proba(items)
    assert record["id"] == items[order_items(items, "uncertain", probs=probs)[0]].id
    hidden = runner.invoke(app, ["label", str(items_path), "--labels", str(labels), "-a", "ben", "--model",
                                 str(tiny_model_dir), "--hide-suggestion"], input="n\nq\n")
    assert hidden.exit_code == 0 and "model suggests" not in hidden.output
    assert record["suggestion"]["shown"] is True and LabelStore(labels).records()[1]["suggestion"]["shown"] is False


def start_with_model(items_path: Path, labels: Path, model_dir: Path, answers: str = "q\n"):
    return runner.invoke(app, ["label", str(items_path), "--labels", str(labels), "-a", "ana", "--model",
                               str(model_dir)], input=answers)


def test_a_restart_reads_the_model_s_kept_scores_and_never_loads_the_model(tmp_path, tiny_model_dir, monkeypatch):
    """Every start with --model scored the whole items file before its first item (minutes on a big file, at each
    resume): the scores are kept beside the label file, and a restart with the same model and items reads them."""
    from classifier.models.stance_model import StanceModel

    items = make_items()
    items_path = write_items(tmp_path / "items.jsonl", items)
    labels = tmp_path / "labels.jsonl"
    first = start_with_model(items_path, labels, tiny_model_dir, "f\nq\n")
    assert first.exit_code == 0, first.output

    def no_loading(*args, **kwargs):
        raise AssertionError("the model was loaded")

    monkeypatch.setattr(StanceModel, "load", no_loading)
    again = start_with_model(items_path, labels, tiny_model_dir, "a\nq\n")
    assert again.exit_code == 0, again.output
    assert "resuming: 1 of 6" in again.output and "model suggests" in again.output
    assert (tmp_path / ".labels.jsonl.scores.npz").is_file()
    monkeypatch.undo()
    probs = StanceModel.load(tiny_model_dir).predict_proba(items)
    order = [items[i].id for i in order_items(items, "uncertain", probs=probs)]
    first_answer, second_answer = LabelStore(labels).records()
    assert [first_answer["id"], second_answer["id"]] == order[:2]  # the same order as scored afresh
    assert second_answer["suggestion"]["model"] == first_answer["suggestion"]["model"]
    assert np.allclose(list(second_answer["suggestion"]["scores"].values()), probs[items.index(
        next(it for it in items if it.id == order[1]))], atol=1e-4)


def test_a_restart_with_kept_scores_imports_neither_torch_nor_transformers(tmp_path, tiny_model_dir):
    """Importing torch and transformers to hash the model folder took more than the rest of a restart (it imported
    torch for the mention head's file name)."""
    import subprocess
    import sys

    items_path = write_items(tmp_path / "items.jsonl", make_items())
    labels = tmp_path / "labels.jsonl"
    assert start_with_model(items_path, labels, tiny_model_dir, "f\nq\n").exit_code == 0
    code = f"""
import sys
from classifier.cli.main import main
try:
    main(["label", {str(items_path)!r}, "--labels", {str(labels)!r}, "-a", "ana", "--model", {str(tiny_model_dir)!r}])
except SystemExit as stopped:
    assert not stopped.code, stopped.code
print("loaded:", *sorted(name for name in ("torch", "transformers") if name in sys.modules))
"""
    run = subprocess.run([sys.executable, "-c", code], input="q\n", capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert "model suggests" in run.stdout and run.stdout.splitlines()[-1] == "loaded:", run.stdout + run.stderr


def test_kept_scores_of_another_model_or_other_items_or_a_broken_file_are_scored_again(tmp_path, tiny_model_dir,
                                                                                        monkeypatch):
    import shutil

    from classifier.labels import kept_scores, kept_scores_path
    from classifier.models.stance_model import StanceModel, saved_model_id

    items = make_items()
    items_path = write_items(tmp_path / "items.jsonl", items)
    labels = tmp_path / "labels.jsonl"
    kept = kept_scores_path(labels)
    assert start_with_model(items_path, labels, tiny_model_dir).exit_code == 0
    model = tmp_path / "tiny"
    shutil.copytree(tiny_model_dir, model)
    settings = json.loads((model / "stance.json").read_text())
    (model / "stance.json").write_text(json.dumps({**settings, "temperature": 2.0}))  # other scores, same weights
    loaded = []
    real_load = StanceModel.load.__func__
    monkeypatch.setattr(StanceModel, "load",
                        classmethod(lambda cls, *args, **kwargs: loaded.append(1) or real_load(cls, *args, **kwargs)))

    assert start_with_model(items_path, labels, model).exit_code == 0 and loaded == [1]  # another model
    assert kept_scores(kept, saved_model_id(model), items) is not None  # kept for it
    assert kept_scores(kept, saved_model_id(tiny_model_dir), items) is not None  # and the first model's still
    assert start_with_model(items_path, labels, model).exit_code == 0 and loaded == [1]  # now read

    edited = [items[0].model_copy(update={"text": items[0].text + " Again."}), *items[1:]]
    write_items(items_path, edited)
    assert start_with_model(items_path, labels, model).exit_code == 0 and loaded == [1, 1]  # other items
    assert not np.isnan(kept_scores(kept, saved_model_id(model), edited)[0]).any()
    assert not np.isnan(kept_scores(kept, saved_model_id(model), items)[0]).any()  # the first text's row kept too

    for broken in (b"not a zip", b"PK\x03\x04 cut off"):
        kept.write_bytes(broken)
        result = start_with_model(items_path, labels, model, "n\nq\n")
        assert result.exit_code == 0, result.output
        assert kept_scores(kept, saved_model_id(model), edited) is not None
    assert len(loaded) == 4 and [r["label"] for r in LabelStore(labels).records()] == ["neutral", "neutral"]


def test_each_model_s_scores_are_kept_so_that_switching_back_scores_nothing(tmp_path, tiny_model_dir, monkeypatch):
    """Two annotators of one label file with other models (--model A, then --model B) replaced each other's kept
    scores, so that every start scored all the items again: the file keeps the most recently used KEPT_MODELS."""
    import shutil

    from classifier.labels import KEPT_MODELS, kept_entries, kept_scores_path
    from classifier.models.stance_model import StanceModel, saved_model_id

    items_path = write_items(tmp_path / "items.jsonl", make_items())
    labels = tmp_path / "labels.jsonl"
    models = {"a": tiny_model_dir}
    for name, temperature in (("b", 2.0), ("c", 3.0), ("d", 4.0)):  # the same weights, other scores and ids
        models[name] = shutil.copytree(tiny_model_dir, tmp_path / name)
        settings = json.loads((models[name] / "stance.json").read_text())
        (models[name] / "stance.json").write_text(json.dumps({**settings, "temperature": temperature}))
    loaded = []
    real_load = StanceModel.load.__func__
    monkeypatch.setattr(StanceModel, "load", classmethod(
        lambda cls, path, *args, **kwargs: loaded.append(Path(path).name) or real_load(cls, path, *args, **kwargs)))

    def start(name: str) -> None:
        result = start_with_model(items_path, labels, models[name])
        assert result.exit_code == 0, result.output

    for name in ("a", "b", "a", "b", "c", "a"):  # a used again last: c, then b, are the next to go
        start(name)
    assert loaded == [tiny_model_dir.name, "b", "c"]
    assert KEPT_MODELS == 3 and [entry.model for entry in kept_entries(kept_scores_path(labels))] == [
        saved_model_id(models[name]) for name in ("a", "c", "b")]
    start("d")  # b goes
    assert [entry.model for entry in kept_entries(kept_scores_path(labels))] == [
        saved_model_id(models[name]) for name in ("d", "a", "c")]
    start("a")
    start("b")
    assert loaded == [tiny_model_dir.name, "b", "c", "d", "b"]


def test_scores_kept_before_several_models_were_are_read_and_kept_beside_the_next(tmp_path, tiny_model_dir,
                                                                                  monkeypatch):
    """A file kept before it held several models' scores (scores, labels, model, items, unnumbered) was read as
    none: its items were scored again and the file replaced. It is read as one model's entry (a restart loads no
    model) and kept, in the numbered form, beside the next model's."""
    import shutil

    from classifier.items import LABELS, items_fingerprint
    from classifier.labels import kept_entries, kept_scores_path
    from classifier.models.stance_model import StanceModel, saved_model_id

    items = make_items()
    items_path = write_items(tmp_path / "items.jsonl", items)
    labels = tmp_path / "labels.jsonl"
    kept = kept_scores_path(labels)
    probs = StanceModel.load(tiny_model_dir).predict_proba(items)
    with open(kept, "wb") as fh:  # as keep_scores wrote it before ee19a2d
        np.savez(fh, scores=probs, labels=np.array(list(LABELS)), model=np.array(saved_model_id(tiny_model_dir)),
                 items=np.array(items_fingerprint(items)))
    other = shutil.copytree(tiny_model_dir, tmp_path / "other")
    settings = json.loads((other / "stance.json").read_text())
    (other / "stance.json").write_text(json.dumps({**settings, "temperature": 2.0}))
    loaded = []
    real_load = StanceModel.load.__func__
    monkeypatch.setattr(StanceModel, "load", classmethod(
        lambda cls, path, *args, **kwargs: loaded.append(Path(path).name) or real_load(cls, path, *args, **kwargs)))
    first = start_with_model(items_path, labels, tiny_model_dir, "f\nq\n")
    assert first.exit_code == 0 and "model suggests" in first.output and loaded == [], first.output
    assert np.allclose(list(LabelStore(labels).records()[0]["suggestion"]["scores"].values()),
                       probs[[it.id for it in items].index(LabelStore(labels).records()[0]["id"])], atol=1e-4)
    assert start_with_model(items_path, labels, other).exit_code == 0 and loaded == ["other"]
    entries = kept_entries(kept)
    assert [entry.model for entry in entries] == [saved_model_id(other), saved_model_id(tiny_model_dir)]
    assert np.allclose(entries[1].scores, probs) and "model_1" in np.load(kept).files
    assert start_with_model(items_path, labels, tiny_model_dir).exit_code == 0 and loaded == ["other"]


def test_a_label_file_reached_through_links_keeps_its_scores_beside_itself(tmp_path, tiny_model_dir, monkeypatch):
    """Kept under the link's name, a label file reached through two links was scored at each link's first start,
    and a link in another folder left a hidden file there."""
    from classifier.models.stance_model import StanceModel

    items_path = write_items(tmp_path / "items.jsonl", make_items())
    (tmp_path / "shared").mkdir()
    (tmp_path / "mine").mkdir()
    labels = tmp_path / "shared" / "labels.jsonl"
    labels.write_text("")
    (tmp_path / "shared" / "ana.jsonl").symlink_to("labels.jsonl")
    (tmp_path / "mine" / "labels.jsonl").symlink_to(labels)
    first = start_with_model(items_path, tmp_path / "mine" / "labels.jsonl", tiny_model_dir, "f\nq\n")
    assert first.exit_code == 0, first.output
    kept = labels.resolve().with_name(".labels.jsonl.scores.npz")
    assert f"the model's scores are kept in {kept} for the next start" in " ".join(first.output.split())
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == ["labels.jsonl"]

    def no_loading(*args, **kwargs):
        raise AssertionError("the model was loaded")

    monkeypatch.setattr(StanceModel, "load", no_loading)
    for link in (tmp_path / "shared" / "ana.jsonl", labels):
        again = start_with_model(items_path, link, tiny_model_dir, "a\nq\n")
        assert again.exit_code == 0, again.output
    assert sorted(p.name for p in (tmp_path / "shared").iterdir()) == [kept.name, "ana.jsonl", "labels.jsonl"]
    assert [r["label"] for r in LabelStore(labels).records()] == ["favor", "against", "against"]


def test_an_order_that_needs_no_scores_scores_the_items_as_they_come_up_and_keeps_them(tmp_path, tiny_model_dir,
                                                                                      monkeypatch):
    """With --model every item was scored before the first screen, even in an order that needs no scores (--order
    file): the annotator waited for all of them. They are scored a few at a time ahead of the annotator (the first
    screen waits for the first few), and kept as they are, so that a restart scores none of them again."""
    import classifier.cli.label as label_cli
    from classifier.labels import kept_scores, kept_scores_path
    from classifier.models.stance_model import StanceModel, saved_model_id

    items = make_items()
    items_path = write_items(tmp_path / "items.jsonl", items)
    labels = tmp_path / "labels.jsonl"
    probs = StanceModel.load(tiny_model_dir).predict_proba(items)
    scored = []
    real_predict = StanceModel.predict_proba
    monkeypatch.setattr(StanceModel, "predict_proba",
                        lambda self, chosen, **kwargs: scored.append([it.id for it in chosen])
                        or real_predict(self, chosen, **kwargs))
    monkeypatch.setattr(label_cli, "SCORED_AHEAD", 2)
    args = ["label", str(items_path), "--labels", str(labels), "-a", "ana", "--model", str(tiny_model_dir)]
    first = runner.invoke(app, [*args, "--order", "file"], input="f\nq\n")
    assert first.exit_code == 0, first.output
    ids = [item.id for item in items]
    # the first two before the first screen; the next two once the second is on the screen (the item after it not
    # scored yet), while it is read: not once the annotator reaches the third
    assert scored == [ids[0:2], ids[2:4]] and first.output.count("model suggests") == 2
    kept, labels_kept = kept_scores(kept_scores_path(labels), saved_model_id(tiny_model_dir), items)
    assert np.allclose(kept[:4], probs[:4], atol=1e-4) and np.isnan(kept[4:]).all()
    records = LabelStore(labels).records()
    assert np.allclose([list(r["suggestion"]["scores"].values()) for r in records], probs[:1], atol=1e-4)

    def no_loading(*args, **kwargs):
        raise AssertionError("the model was loaded")

    with monkeypatch.context() as inner:
        inner.setattr(StanceModel, "load", no_loading)
        again = runner.invoke(app, [*args, "--order", "file"], input="f\nq\n")  # the second and third: kept
        assert again.exit_code == 0, again.output
        assert "model suggests" in again.output
    uncertain = runner.invoke(app, args, input="q\n")  # sorted by the model: the two others scored first
    assert uncertain.exit_code == 0, uncertain.output
    assert scored == [ids[0:2], ids[2:4], ids[4:6]]
    assert np.allclose(kept_scores(kept_scores_path(labels), saved_model_id(tiny_model_dir), items)[0], probs,
                       atol=1e-4)


def test_a_model_that_fails_mid_session_is_a_warning_and_the_session_goes_on(tmp_path, tiny_model_dir, monkeypatch):
    """Scored as the annotator comes to the items, a model that raised mid-session (a CUDA error, memory) ended the
    session on a traceback; with -q, which shows no status line, a warning of the scoring ahead was not said at all.
    It is a warning line, the session goes on without suggestions for the items not scored, and ends as usual."""
    import classifier.cli.label as label_cli
    from classifier.models.stance_model import StanceModel

    items_path = write_items(tmp_path / "items.jsonl", make_items())
    real_predict = StanceModel.predict_proba
    calls = []

    def failing(self, chosen, **kwargs):
        calls.append(1)
        if len(calls) > 1:
            raise RuntimeError("CUDA error: device-side assert triggered")
        return real_predict(self, chosen, **kwargs)

    monkeypatch.setattr(StanceModel, "predict_proba", failing)
    monkeypatch.setattr(label_cli, "SCORED_AHEAD", 2)
    for quiet in ([], ["-q"]):
        calls.clear()
        labels = tmp_path / f"labels{len(quiet)}.jsonl"
        result = runner.invoke(app, ["label", str(items_path), "--labels", str(labels), "-a", "ana", "--model",
                                     str(tiny_model_dir), "--order", "file", *quiet], input="f\nf\nf\nq\n")
        said = " ".join(result.output.split())
        assert result.exit_code == 0 and result.exception is None, (quiet, result.output)
        assert "the model failed to score the next items (RuntimeError: CUDA error" in said, (quiet, said)
        assert "stopped: 3/6 by ana (3 favor)" in said and len(calls) == 2
        records = LabelStore(labels).records()
        assert [r["label"] for r in records] == ["favor"] * 3
        assert [bool(r.get("suggestion")) for r in records] == [True, True, False]


@pytest.mark.parametrize("command", ["run-uncertain", "run-file", "suggest", "export"])
def test_a_model_that_fails_before_anything_is_written_is_one_line_naming_it(tmp_path, tiny_model_dir, monkeypatch,
                                                                             command):
    """A model that raised before a session's first screen (every item scored for --order uncertain, the first ones
    for --order file), in 'label suggest' or in 'label export --model' (a CUDA error, out of memory) ended on a
    traceback. It is one line naming the model and the error, exit 1, and nothing written: no label file, no
    pre-label, no kept scores, no tasks file."""
    from classifier.labels import kept_scores_path
    from classifier.models.stance_model import StanceModel

    def failing(self, chosen, **kwargs):
        raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB\n(GPU 0; 7.79 GiB total capacity)")

    monkeypatch.setattr(StanceModel, "predict_proba", failing)
    items_path = write_items(tmp_path / "items.jsonl", make_items())
    out = tmp_path / ("tasks.json" if command == "export" else "labels.jsonl")
    args = {"run-uncertain": ["label", str(items_path), "--labels", str(out), "-a", "ana"],
            "run-file": ["label", str(items_path), "--labels", str(out), "-a", "ana", "--order", "file"],
            "suggest": ["label", "suggest", str(items_path), "--out", str(out)],
            "export": ["label", "export", str(items_path), "--out", str(out)]}[command]
    result = runner.invoke(app, [*args, "--model", str(tiny_model_dir)], input="f\nq\n")
    said = " ".join(result.output.split())
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), (result.exception, said)
    assert (f"{tiny_model_dir}: the model failed to score the items (RuntimeError: CUDA out of memory. Tried to "
            "allocate 2.00 GiB\\n(GPU 0; 7.79 GiB total capacity))") in said, said
    assert not out.exists() and not kept_scores_path(out).exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["items.jsonl"]


def test_an_error_of_the_code_around_the_model_in_label_is_no_model_failure(tmp_path, tiny_model_dir, monkeypatch):
    """Only what the model raised is said to be the model's: a bug in ordering the items (code of label's own, run in
    the same block as the scoring) stays itself, where it had read 'the model failed to score the items'."""
    from classifier.cli import label

    def broken(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(label, "order_items", broken)
    items_path = write_items(tmp_path / "items.jsonl", make_items())
    result = runner.invoke(app, ["label", str(items_path), "--labels", str(tmp_path / "labels.jsonl"), "-a", "ana",
                                 "--model", str(tiny_model_dir)], input="f\nq\n")
    assert isinstance(result.exception, KeyError), (result.exception, result.output)
    assert "the model failed" not in result.output


def test_kept_scores_are_hidden_from_a_folder_of_label_files_given_by_a_glob(tmp_path, tiny_model_dir):
    """Kept as labels.jsonl.scores.npz, a shell's 'stance label gold labels/*' (agreement too) passed it as a label
    file and stopped on it ("a ZIP archive, not text or a table"): it is hidden, and the session says where it is."""
    items_path = write_items(tmp_path / "items.jsonl", make_items())
    folder = tmp_path / "labels"
    folder.mkdir()
    for annotator, answers in (("ana", "f\nq\n"), ("bob", "f\nq\n")):
        result = runner.invoke(app, ["label", str(items_path), "--labels", str(folder / f"{annotator}.jsonl"), "-a",
                                     annotator, "--model", str(tiny_model_dir)], input=answers)
        assert result.exit_code == 0, result.output
        kept = f"the model's scores are kept in {folder / f'.{annotator}.jsonl.scores.npz'} for the next start"
        assert kept in " ".join(result.output.split())  # on the first screen: a line before it is wiped there
    import glob

    globbed = sorted(glob.glob(str(folder / "*")))  # as the shell expands labels/*: no hidden files
    assert [Path(path).name for path in globbed] == ["ana.jsonl", "bob.jsonl"]
    gold = runner.invoke(app, ["label", "gold", *globbed, "--out", str(tmp_path / "gold.jsonl")])
    assert gold.exit_code == 0, gold.output
    assert runner.invoke(app, ["label", "agreement", *globbed]).exit_code == 0


def test_a_start_its_label_file_refuses_scores_nothing_and_keeps_the_kept_scores(tmp_path, tiny_model_dir,
                                                                                tiny_sentiment_dir, monkeypatch):
    """The label file was checked (one task per file, the items its answers are of) only after the model had scored
    every item and replaced the scores kept beside it: a start refused for its label file cost a scoring pass and
    the next good start another."""
    from classifier.labels import kept_scores_path
    from classifier.models.stance_model import StanceModel

    items = make_items()
    items_path = write_items(tmp_path / "items.jsonl", items)
    labels = tmp_path / "labels.jsonl"
    assert start_with_model(items_path, labels, tiny_model_dir, "f\nq\n").exit_code == 0
    kept = kept_scores_path(labels)
    before = kept.read_bytes()

    def no_loading(*args, **kwargs):
        raise AssertionError("the model was loaded")

    monkeypatch.setattr(StanceModel, "load", no_loading)
    other_task = runner.invoke(app, ["label", str(items_path), "--labels", str(labels), "-a", "ana", "--task",
                                     "sentiment", "--model", str(tiny_sentiment_dir)], input="q\n")
    assert other_task.exit_code == 1 and "holds stance labels" in other_task.output, other_task.output
    answered = LabelStore(labels).records()[0]["id"]
    edited = [item.model_copy(update={"text": item.text + " Again."}) if item.id == answered else item
              for item in items]
    write_items(items_path, edited)
    other_items = start_with_model(items_path, labels, tiny_model_dir)
    assert other_items.exit_code == 1 and "was labelled with another text" in other_items.output, other_items.output
    assert kept.read_bytes() == before


def test_a_temporary_file_a_killed_write_left_is_removed_by_the_next_and_writes_wait_on_each_other(tmp_path):
    """A kill (-9) while the scores were written left .LABELS.jsonl.scores.npz.*.tmp beside the label file for good;
    the next write removes it, under a lock that a second session's write waits on (never removing a temporary
    another session is writing)."""
    import threading

    from classifier.io.files import output_lock
    from classifier.items import LABELS
    from classifier.labels import keep_scores, kept_scores, kept_scores_path

    items = make_items()
    kept = kept_scores_path(tmp_path / "labels.jsonl")
    left = tmp_path / f".{kept.name}.k1ll3d.tmp"
    left.write_bytes(b"PK\x03\x04 cut off by a kill")
    scores = np.full((len(items), 3), 1 / 3)
    keep_scores(kept, scores, LABELS, "m@1", items)
    assert not left.exists() and kept_scores(kept, "m@1", items) is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == [kept.name]

    with output_lock(kept):  # another session writing the scores now
        waiting = threading.Thread(target=keep_scores, args=(kept, scores, LABELS, "m@2", items), daemon=True)
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive() and kept_scores(kept, "m@1", items) is not None
    waiting.join(30)
    assert not waiting.is_alive() and kept_scores(kept, "m@2", items) is not None


def test_a_link_where_the_scores_are_kept_is_replaced_never_written_through(tmp_path, tiny_model_dir):
    """A link in place of .LABELS.jsonl.scores.npz was followed: the scores were written over whatever it pointed to
    (another file of the user's, another label file's scores). The link itself is replaced by the file of scores,
    atomically, and what it pointed to is left as it was; a link to a folder or to nothing alike. A link in place of
    the write's lock file was emptied through and given the process id: it is removed."""
    import os

    from classifier.labels import kept_scores, kept_scores_path
    from classifier.models.stance_model import saved_model_id

    items = make_items()
    items_path = write_items(tmp_path / "items.jsonl", items)
    precious = tmp_path / "precious.txt"
    precious.write_text("not yours to write\n")
    folder = tmp_path / "folder"
    folder.mkdir()
    for n, target in enumerate((precious, folder, tmp_path / "nothing")):
        labels = tmp_path / f"labels{n}.jsonl"
        kept = kept_scores_path(labels)
        os.symlink(target, kept)
        result = start_with_model(items_path, labels, tiny_model_dir, "f\nq\n")
        warned = [line for line in result.output.splitlines() if "warning" in line and "answers piped in" not in line]
        assert result.exit_code == 0 and not warned, result.output
        assert not kept.is_symlink() and kept.is_file()
        assert kept_scores(kept, saved_model_id(tiny_model_dir), items) is not None
    assert precious.read_text() == "not yours to write\n" and not any(folder.iterdir())
    assert not (tmp_path / "nothing").exists()
    labels = tmp_path / "labels3.jsonl"  # the write's lock file (..LABELS.jsonl.scores.npz.lock), truncated and written
    lock = kept_scores_path(labels).with_name(f".{kept_scores_path(labels).name}.lock")
    os.symlink(precious, lock)
    assert start_with_model(items_path, labels, tiny_model_dir, "f\nq\n").exit_code == 0
    assert precious.read_text() == "not yours to write\n" and not lock.exists() and not lock.is_symlink()


def test_two_sessions_keeping_other_items_scores_of_one_model_keep_both(tmp_path):
    """Scored as the annotators come to them, two sessions of one label file and model score other items: the
    second write keeps the rows the first kept (it had replaced them with NaN, to be scored again)."""
    from classifier.items import LABELS
    from classifier.labels import keep_scores, kept_scores, kept_scores_path

    items = make_items()
    kept = kept_scores_path(tmp_path / "labels.jsonl")
    first, second = np.full((6, 3), np.nan), np.full((6, 3), np.nan)
    first[:2], second[2:4] = [0.2, 0.3, 0.5], [0.6, 0.3, 0.1]
    keep_scores(kept, first, LABELS, "m@1", items)
    keep_scores(kept, second, LABELS, "m@1", items)
    scores, _ = kept_scores(kept, "m@1", items)
    assert np.allclose(scores[:4], [[0.2, 0.3, 0.5]] * 2 + [[0.6, 0.3, 0.1]] * 2) and np.isnan(scores[4:]).all()
    subset, _ = kept_scores(kept, "m@1", items[4::-1])  # kept by item: any order or subset of them finds its rows
    assert np.isnan(subset[0]).all() and np.allclose(subset[1:], scores[3::-1])
    other = [item.model_copy(update={"text": item.text + " Again."}) for item in items]
    assert kept_scores(kept, "m@1", other) is None  # of other items


def test_kept_rows_of_items_no_longer_used_go_once_they_outnumber_the_items_at_hand(tmp_path, monkeypatch):
    """A model's kept rows of items no longer used (another sample, an item edited) stayed for good: the file grew with
    every item ever scored beside the label file. Those of other items are kept as many as the items at hand at most,
    the most recently used first, in the same write; the rows of the items at hand are never dropped, nor another
    model's."""
    from classifier.items import LABELS, item_fingerprint
    from classifier.labels import keep_scores, kept_entries, kept_scores, kept_scores_path

    def sample(n: int) -> list[Item]:  # the same items, edited: other rows
        return [item.model_copy(update={"text": f"{item.text} ({n})"}) for item in make_items()]

    monkeypatch.setattr("classifier.labels.KEPT_OTHER_ROWS", 0)  # the floor, which keeps a second annotator's rows
    a, b, c = sample(1), sample(2), sample(3)
    kept, probs = kept_scores_path(tmp_path / "labels.jsonl"), np.full((6, 3), 1 / 3)
    keep_scores(kept, probs, LABELS, "other@1", a)
    for items in (a, b, c):
        keep_scores(kept, probs, LABELS, "m@1", items)
    assert [len(entry.keys) for entry in kept_entries(kept)] == [12, 6]  # 18 and 6 before
    assert kept_scores(kept, "m@1", a) is None and kept_scores(kept, "other@1", a) is not None
    assert not np.isnan(kept_scores(kept, "m@1", b)[0]).any() and not np.isnan(kept_scores(kept, "m@1", c)[0]).any()
    keep_scores(kept, probs[:2], LABELS, "m@1", a[:2])  # two items: two rows of others, those used last
    assert kept_entries(kept)[0].keys == [item_fingerprint(item) for item in [*a[:2], *c[:2]]]
    unscored = np.full((6, 3), np.nan)
    unscored[5] = 1 / 3
    keep_scores(kept, unscored, LABELS, "m@1", c)  # the rows kept of the items at hand stay, scored now or not
    assert kept_entries(kept)[0].keys == [item_fingerprint(item) for item in [*c[:2], c[5], *a[:2]]]


def test_a_session_hashes_its_items_once_however_often_it_keeps_their_scores(tmp_path, monkeypatch):
    """Each write of a session's scores (one per 32 items scored as the annotator comes to them) hashed every item
    scored again, half of its time on 2,000 items: the session hashes them once."""
    import classifier.labels as labels_module
    from classifier.items import LABELS
    from classifier.labels import SessionScores, kept_scores, kept_scores_path

    hashed = []
    real = labels_module.item_fingerprint
    monkeypatch.setattr(labels_module, "item_fingerprint", lambda item: hashed.append(item.id) or real(item))
    items, kept = make_items(), kept_scores_path(tmp_path / "labels.jsonl")
    scores = SessionScores(kept, "m@1", items, lambda chosen, on_batch: (np.full((len(chosen), 3), 1 / 3), LABELS))
    for start in range(0, 6, 2):
        assert scores.need(range(start, start + 2)) == ""
    assert sorted(hashed) == sorted(item.id for item in items)  # 2 + 4 + 6 more before
    monkeypatch.undo()
    assert not np.isnan(kept_scores(kept, "m@1", items[::-1])[0]).any()


def counting_scores(monkeypatch) -> list[list[str]]:
    """The ids of the items each call of the model scores, as they are scored."""
    from classifier.models.stance_model import StanceModel

    scored = []
    real_predict = StanceModel.predict_proba
    monkeypatch.setattr(StanceModel, "predict_proba", lambda self, chosen, **kwargs: scored.append(
        [it.id for it in chosen]) or real_predict(self, chosen, **kwargs))
    return scored


def test_kept_scores_are_read_by_item_so_another_order_or_subset_scores_only_new_items(tmp_path, tiny_model_dir,
                                                                                     monkeypatch):
    """The scores kept beside a label file were those of one list of items in its order (a hash of the whole list):
    a session of the items in another order or of a subset, or 'label export --model' of a label file answered in
    --order uncertain (its lines in the session's order), scored every item again. They are kept by item: only
    items with no row kept are scored, and what is shown is what a fresh scoring shows."""
    import contextlib

    import classifier.cli.label as label_cli
    from classifier.labels import kept_scores_path

    items = make_items()
    items_path = write_items(tmp_path / "items.jsonl", items)
    labels = tmp_path / "labels.jsonl"
    scored = counting_scores(monkeypatch)
    answered = runner.invoke(app, ["label", str(items_path), "--labels", str(labels), "-a", "ana", "--model",
                                   str(tiny_model_dir), "-q"], input="f\n" * 6)  # --order uncertain
    assert answered.exit_code == 0, answered.output
    assert scored == [[item.id for item in items]]
    assert [r["id"] for r in LabelStore(labels).records()] != [item.id for item in items]  # the model's order
    exported = {}
    for name, source in (("afresh", items_path), ("kept", labels)):
        out = tmp_path / f"{name}.json"
        result = runner.invoke(app, ["label", "export", str(source), "--out", str(out), "--model",
                                     str(tiny_model_dir), "-q"])
        assert result.exit_code == 0, result.output
        exported[name] = {task["data"]["id"]: task["predictions"] for task in json.loads(out.read_text())}
    assert len(scored) == 2 and exported["kept"] == exported["afresh"] and len(exported["kept"]) == 6
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [kept_scores_path(labels).name]

    scored.clear()
    fresh = tmp_path / "fresh.jsonl"  # a session that answers nothing: its label file holds no answer to edit
    assert start_with_model(items_path, fresh, tiny_model_dir).exit_code == 0 and len(scored) == 1
    scored.clear()
    extra = items[0].model_copy(update={"id": "a3-0-Russia", "text": "Russia signed the treaty.", "article": "a3"})
    edited = items[2].model_copy(update={"text": "NATO praised the move."})  # an item whose text changed
    other = write_items(tmp_path / "other.jsonl", [items[5], items[3], extra, edited, items[1]])
    with monkeypatch.context() as shown:  # the 'scoring N items' line, said on a terminal
        shown.setattr(label_cli, "show_progress", lambda quiet: not quiet)
        shown.setattr(label_cli, "progress_bar", lambda enabled: contextlib.nullcontext(None))
        resumed = runner.invoke(app, ["label", "suggest", str(other), "--out", str(fresh), "--model",
                                      str(tiny_model_dir)])  # reordered, a subset, a new and a changed item
    assert resumed.exit_code == 0, resumed.output
    assert scored == [[extra.id, edited.id]]  # only the new and the changed item scored
    said = " ".join(resumed.output.split())
    assert "scoring 2 items with tiny@" in said and "(3 kept by an earlier start)" in said, said
    assert runner.invoke(app, ["label", "export", str(fresh), "--out", str(tmp_path / "fresh.json"), "--model",
                               str(tiny_model_dir)]).exit_code == 0 and scored == [[extra.id, edited.id]]  # all kept


def test_scores_kept_of_a_whole_list_before_they_were_kept_by_item_are_read_where_the_list_is_the_same(
        tmp_path, tiny_model_dir, monkeypatch):
    """A file kept before the scores were kept by item (model_0, items_0 the hash of the whole list, labels_0,
    scores_0) is read where the items are that list in that order, and then kept by item (any order finds them); of
    another order its rows cannot be told apart (the hash is of the whole list): they are scored again."""
    from classifier.items import LABELS, items_fingerprint
    from classifier.labels import kept_entries, kept_scores_path
    from classifier.models.stance_model import StanceModel, saved_model_id

    items = make_items()
    probs = StanceModel.load(tiny_model_dir).predict_proba(items)
    model_id = saved_model_id(tiny_model_dir)

    def kept_before(labels: Path) -> Path:
        kept = kept_scores_path(labels)
        with open(kept, "wb") as fh:  # as keep_scores wrote it from ee19a2d to 2026-12-07 (6)
            np.savez(fh, model_0=np.array(model_id), items_0=np.array(items_fingerprint(items)),
                     labels_0=np.array(list(LABELS)), scores_0=probs, model_1=np.array("other@1"),
                     items_1=np.array("0123456789abcdef"), labels_1=np.array(list(LABELS)), scores_1=probs)
        return kept

    scored = counting_scores(monkeypatch)
    labels = tmp_path / "labels.jsonl"
    kept = kept_before(labels)
    items_path = write_items(tmp_path / "items.jsonl", items)
    assert start_with_model(items_path, labels, tiny_model_dir, "f\nq\n").exit_code == 0 and scored == []
    assert LabelStore(labels).records()[0]["suggestion"]["scores"] == {
        label: round(float(p), 4) for label, p in zip(LABELS, probs[[it.id for it in items].index(
            LabelStore(labels).records()[0]["id"])])}
    assert start_with_model(items_path, labels, tiny_model_dir).exit_code == 0  # moved first: kept by item
    entries = kept_entries(kept)
    assert [entry.model for entry in entries] == [model_id, "other@1"] and entries[1].keys is None
    assert {"keys_0", "items_1"} <= set(np.load(kept).files) and "items_0" not in np.load(kept).files
    reordered = write_items(tmp_path / "reordered.jsonl", items[::-1])
    assert start_with_model(reordered, labels, tiny_model_dir).exit_code == 0 and scored == []

    other = tmp_path / "other.jsonl"
    kept_before(other)
    assert start_with_model(reordered, other, tiny_model_dir).exit_code == 0
    assert scored == [[item.id for item in items[::-1]]]  # a whole list's rows, in another order: scored again


def test_export_says_why_scores_kept_by_list_of_another_order_are_not_read(tmp_path, tiny_model_dir, monkeypatch):
    """'label export --model' of a label file whose scores were kept before they were kept by item, of the items in
    another order (a session in --order uncertain), scored every item again without a word. One line says why and
    how to rewrite them by item (not with -q); export writes nothing beside its input."""
    from classifier.items import LABELS, items_fingerprint
    from classifier.labels import kept_scores_path
    from classifier.models.stance_model import StanceModel, saved_model_id

    items = make_items()
    labels = write_items(tmp_path / "labels.jsonl", items[::-1])  # the session's order, not the items file's
    kept = kept_scores_path(labels)
    with open(kept, "wb") as fh:  # as keep_scores wrote it before 2026-12-07 (6): of the items file's order
        np.savez(fh, model_0=np.array(saved_model_id(tiny_model_dir)), items_0=np.array(items_fingerprint(items)),
                 labels_0=np.array(list(LABELS)), scores_0=StanceModel.load(tiny_model_dir).predict_proba(items))
    before = kept.read_bytes()
    scored = counting_scores(monkeypatch)
    for quiet in ([], ["-q"]):
        result = runner.invoke(app, ["label", "export", str(labels), "--out", str(tmp_path / "tasks.json"),
                                     "--model", str(tiny_model_dir), *quiet])
        assert result.exit_code == 0, result.output
        said = " ".join(result.output.split())
        why = (f"{kept}: the scores of {saved_model_id(tiny_model_dir)} kept there are of the items in another "
               "order, kept before scores were kept by item (2026-12-07 (6)), so every item is scored again; to "
               f"rewrite them by item, start 'stance label ITEMS --labels {labels} --model {tiny_model_dir}' once")
        assert (why in said) != bool(quiet), said
        assert said.endswith(f"6 tasks written to {tmp_path / 'tasks.json'}")
    assert scored == [[item.id for item in items[::-1]]] * 2 and kept.read_bytes() == before
    same = write_items(tmp_path / "same.jsonl", items)  # the list they were kept of, in its order: read, no word
    kept_scores_path(same).write_bytes(before)
    result = runner.invoke(app, ["label", "export", str(same), "--out", str(tmp_path / "tasks.json"), "--model",
                                 str(tiny_model_dir)])
    assert result.exit_code == 0 and "scored again" not in result.output and len(scored) == 2, result.output


def test_run_and_suggest_say_once_why_scores_kept_by_list_of_another_order_are_scored_again(tmp_path,
                                                                                           tiny_model_dir,
                                                                                           monkeypatch):
    """'label run' and 'label suggest' with scores kept by list before 2026-12-07 (6) of the items in another order
    scored every item again without a word, where export says why. They say it once, in export's words (the first
    screen's note; suggest's line before scoring; not with -q), and what this start does: its scores by item replace
    them."""
    import classifier.cli.label as label_cli
    from classifier.items import LABELS, items_fingerprint
    from classifier.labels import kept_entries, kept_scores_path
    from classifier.models.stance_model import StanceModel, saved_model_id

    items, model_id = make_items(), saved_model_id(tiny_model_dir)
    probs = StanceModel.load(tiny_model_dir).predict_proba(items)
    reordered = write_items(tmp_path / "reordered.jsonl", items[::-1])
    why = (f"the scores of {model_id} kept there are of the items in another order, kept before scores were kept by "
           "item (2026-12-07 (6)), so every item is scored again; this start keeps its scores by item in their place "
           "(docs/changes.md, 2026-12-07 (6))")
    monkeypatch.setattr(label_cli, "show_progress", lambda quiet: not quiet)
    run = ["label", str(reordered), "-a", "ana", "--order", "file", "--labels"]  # the items scored as they come up
    for command in (run, ["label", "suggest", str(reordered), "--out"]):
        for quiet in ([], ["-q"]):
            labels = tmp_path / f"{command[1]}{''.join(quiet)}.jsonl"
            kept = kept_scores_path(labels)
            with open(kept, "wb") as fh:  # as keep_scores wrote it before 2026-12-07 (6), of the items file's order
                np.savez(fh, model_0=np.array(model_id), items_0=np.array(items_fingerprint(items)),
                         labels_0=np.array(list(LABELS)), scores_0=probs)
            result = runner.invoke(app, [*command, str(labels), "--model", str(tiny_model_dir), *quiet],
                                   input="f\nf\nq\n")
            assert result.exit_code == 0, result.output
            said = " ".join(result.output.split())
            assert said.count(why) == (0 if quiet else 1) and said.count(f"{kept}: the scores") == (not quiet), said
            assert kept_entries(kept)[0].keys is not None  # kept by item now: said once, not at the next start
            again = runner.invoke(app, [*command, str(labels), "--model", str(tiny_model_dir)], input="q\n")
            assert again.exit_code == 0 and "scored again" not in again.output, again.output


def test_kept_scores_that_are_no_model_s_are_scored_again_and_a_pipe_is_not_read(tmp_path, tiny_model_dir):
    """Kept scores whose labels are of no task stopped the session ("labels [...] belong to no task"); a pipe where
    the file would be was waited on for ever."""
    import os
    import threading

    from classifier.items import LABELS
    from classifier.labels import keep_scores, kept_scores, kept_scores_path
    from classifier.models.stance_model import saved_model_id

    items = make_items()
    items_path = write_items(tmp_path / "items.jsonl", items)
    labels = tmp_path / "labels.jsonl"
    kept = kept_scores_path(labels)
    model_id = saved_model_id(tiny_model_dir)
    for scores, names in ((np.full((6, 3), 1 / 3), ["x", "y", "z"]), (np.full((6, 3), 1 / 3), ["favor"] * 3),
                          (np.full((6, 3), 0.9), list(LABELS)), (np.full((6, 3), [1.5, -0.5, 0.0]), list(LABELS)),
                          (np.vstack([np.full((5, 3), 1 / 3), [[np.nan, 0.5, 0.5]]]), list(LABELS))):
        keep_scores(kept, scores, names, model_id, items)
        assert kept_scores(kept, model_id, items) is None
    result = start_with_model(items_path, labels, tiny_model_dir, "f\nq\n")
    assert result.exit_code == 0, result.output
    assert kept_scores(kept, model_id, items)[1] == list(LABELS)
    kept.unlink()
    os.mkfifo(kept)
    found = []
    reading = threading.Thread(target=lambda: found.append(kept_scores(kept, model_id, items)), daemon=True)
    reading.start()
    reading.join(30)
    waited = reading.is_alive()
    if waited:  # let the reader go: it waits on a writer
        os.close(os.open(kept, os.O_WRONLY | os.O_NONBLOCK))
        reading.join(30)
    assert not waited and found == [None]


def test_scores_that_cannot_be_kept_are_warned_of_and_labelling_goes_on(tmp_path, tiny_model_dir):
    from classifier.labels import kept_scores_path

    items_path = write_items(tmp_path / "items.jsonl", make_items())
    labels = tmp_path / "labels.jsonl"
    kept_scores_path(labels).mkdir()  # a folder where the file would go
    result = start_with_model(items_path, labels, tiny_model_dir, "f\nq\n")
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert ".labels.jsonl.scores.npz: is a folder" in said and "the next start scores the items again" in said
    assert [r["label"] for r in LabelStore(labels).records()] == ["favor"]


def test_labelled_items_in_csv_or_parquet_read_like_a_label_file(tmp_path):
    import pandas as pd

    from classifier.items import item_record
    from classifier.labels import read_labelled_items

    rows = [item_record(item) | {"label": label} for item, label in zip(make_items(), ["favor", "against", None] * 2)]
    frame = pd.DataFrame(rows).assign(spans=[json.dumps(r["spans"]) for r in rows])
    frame.to_csv(tmp_path / "labels.csv", index=False)
    frame.to_parquet(tmp_path / "labels.parquet")
    jsonl = write_items(tmp_path / "labels.jsonl", [Item(**r) for r in rows])
    expected = read_labelled_items([jsonl])
    assert len(expected) == 4
    def core(items):  # a CSV gives extra fields (sentence_index) as text
        return [(it.id, it.text, it.actor, it.spans, it.label, it.source, it.article) for it in items]

    for name in ("labels.csv", "labels.parquet"):
        assert core(read_labelled_items([tmp_path / name])) == core(expected)
    frame.assign(label=["favor", "pro"] * 3).to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(InputError, match="bad.csv:3: unknown label 'pro'"):
        read_labelled_items([tmp_path / "bad.csv"])


@pytest.mark.parametrize("label, shown", [(3, "3"), (True, "true"), (["favor"], '["favor"]')])
def test_a_label_that_is_no_string_is_said_alike_by_items_and_label_files(tmp_path, label, shown):
    """Items and gold files read through read_items (classify, evaluate --gold, train) said pydantic's "label: Input
    should be a valid string" where a label file said what a label is: one message, from items.py, for both."""
    import pandas as pd

    from classifier.cli.main import app as every_command
    from classifier.items import read_items, stance_items

    expected = ("label: expected one of favor, against, neutral (a string, or null; sentence sentiment: positive, "
                f"negative, neutral), got {shown}")
    record = {"id": "1", "text": "Russia won.", "actor": "Russia", "label": label}
    jsonl = tmp_path / "items.jsonl"
    jsonl.write_text(json.dumps(record) + "\n")
    parquet = tmp_path / "items.parquet"
    pd.DataFrame([record]).to_parquet(parquet)
    for path in (jsonl, parquet) if not isinstance(label, list) else (jsonl,):
        with pytest.raises(InputError) as caught:
            list(read_items(path))
        assert str(caught.value) == f"{path}:1: {expected}"
    with pytest.raises(InputError) as caught:
        LabelStore(jsonl).records()
    assert str(caught.value) == f"{jsonl}:1: {expected}"
    with pytest.raises(InputError) as caught:
        stance_items([record])
    assert str(caught.value) == f"item 1: {expected}"
    result = runner.invoke(every_command, ["classify", str(jsonl), "--out", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 1 and f"{jsonl}:1: {expected}" in " ".join(result.output.split())


# -- sentence sentiment --------------------------------------------------------------------------
def write_sentences(path: Path) -> Path:
    texts = ["Profits rose sharply.", "The plant was closed and 300 jobs were lost.", "The meeting is on Monday."]
    path.write_text("".join(json.dumps({"id": f"s{i}", "text": t, "source": "X"}) + "\n" for i, t in enumerate(texts)))
    return path


def test_labelling_sentiment_with_its_own_keys_and_suggestions(tmp_path, tiny_sentiment_dir, tiny_model_dir):
    items_path = write_sentences(tmp_path / "sentences.jsonl")  # no actor: the sentence's own tone
    labels = tmp_path / "labels.jsonl"
    result = runner.invoke(app, ["label", str(items_path), "--labels", str(labels), "-a", "ana", "--task", "sentiment",
                                 "--model", str(tiny_sentiment_dir), "--order", "file"], input="p\nm\nf\nn\n")
    assert result.exit_code == 0, result.output
    assert "own tone" in result.output and "[p] positive" in result.output and "model suggests" in result.output
    assert "unknown key 'f'" in result.output  # f is stance's favor, not a sentiment key
    records = LabelStore(labels).records()
    assert [r["label"] for r in records] == ["positive", "negative", "neutral"]
    assert set(records[0]["suggestion"]["scores"]) == {"positive", "negative", "neutral"}
    stance = runner.invoke(app, ["label", str(items_path), "--labels", str(labels), "-a", "ben", "-q"], input="q\n")
    assert stance.exit_code == 1 and "no 'actor'" in stance.output  # stance needs an actor per item
    wrong = runner.invoke(app, ["label", str(items_path), "--labels", str(tmp_path / "other.jsonl"), "-a", "ana",
                                "--task", "sentiment", "--model", str(tiny_model_dir)])
    assert wrong.exit_code == 1 and "a stance model" in wrong.output and "asks for sentiment" in wrong.output
    assert not (tmp_path / "other.jsonl").exists()


def test_a_label_file_keeps_one_task(tmp_path):
    items_path = write_items(tmp_path / "items.jsonl", make_items())
    labels = tmp_path / "labels.jsonl"
    result = runner.invoke(app, ["label", str(items_path), "--labels", str(labels), "-a", "ana", "-q"], input="f\nq\n")
    assert result.exit_code == 0 and LabelStore(labels).records()[0]["label"] == "favor"
    before = labels.read_text()
    result = runner.invoke(app, ["label", str(items_path), "--labels", str(labels), "-a", "ana", "--task",
                                 "sentiment", "-q"], input="p\nq\n")
    assert result.exit_code == 1 and "holds stance labels" in result.output
    assert len(result.output.strip().splitlines()) == 1 and labels.read_text() == before


def test_label_studio_round_trip_of_sentiment(tmp_path, tiny_sentiment_dir):
    items_path = write_sentences(tmp_path / "sentences.jsonl")
    tasks_path, config = tmp_path / "tasks.json", tmp_path / "sentiment.xml"
    result = runner.invoke(app, ["label", "export", str(items_path), "--out", str(tasks_path), "--task", "sentiment",
                                 "--model", str(tiny_sentiment_dir), "--config", str(config), "-q"])
    assert result.exit_code == 0, result.output
    tasks = json.loads(tasks_path.read_text())
    prediction = tasks[0]["predictions"][0]["result"][0]
    assert prediction["from_name"] == "sentiment" and prediction["value"]["choices"][0] in ("positive", "negative", "neutral")
    assert '<Choices name="sentiment"' in config.read_text() and '<Choice value="positive"/>' in config.read_text()
    export = [{"id": n, **task, "annotations": [{"id": n, "completed_by": 1, "result": [
        {"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": [choice]}}]}]}
        for n, (task, choice) in enumerate(zip(tasks, ["positive", "negative", "neutral"]), start=1)]
    export_path = tmp_path / "export.json"
    export_path.write_text(json.dumps(export))
    labels = tmp_path / "labels.jsonl"
    as_stance = runner.invoke(app, ["label", "import", str(export_path), "--labels", str(labels)])
    assert as_stance.exit_code == 1 and "no 'actor'" in as_stance.output and not labels.exists()
    result = runner.invoke(app, ["label", "import", str(export_path), "--labels", str(labels), "--task", "sentiment"])
    assert result.exit_code == 0, result.output
    records = LabelStore(labels).records()
    assert [r["label"] for r in records] == ["positive", "negative", "neutral"]
    assert records[0]["suggestion"]["label"] == prediction["value"]["choices"][0]


def test_import_reads_only_the_task_s_control(tmp_path):
    items = make_items()[:1]
    task = to_label_studio(items)[0]
    task["annotations"] = [{"id": 1, "completed_by": 1, "result": [
        {"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["negative"]}},
        {"from_name": "stance", "to_name": "text", "type": "choices", "value": {"choices": ["favor"]}}]}]
    from classifier.tasks import SENTIMENT

    assert [r["label"] for r in from_label_studio([task], "export.json")] == ["favor"]
    assert [r["label"] for r in from_label_studio([task], "export.json", kind=SENTIMENT)] == ["negative"]


def test_sentiment_suggestions_go_to_a_sentiment_label_file(tmp_path, tiny_sentiment_dir):
    items_path = write_sentences(tmp_path / "sentences.jsonl")
    out = tmp_path / "suggested.jsonl"
    command = ["label", "suggest", str(items_path), "--out", str(out), "--task", "sentiment", "--model",
               str(tiny_sentiment_dir), "-q"]
    result = runner.invoke(app, command)
    assert result.exit_code == 0, result.output
    records = LabelStore(out).records()
    assert len(records) == 3 and all(r["suggested"] and r["label"] in ("positive", "negative", "neutral")
                                     for r in records)
    stance_file = tmp_path / "stance.jsonl"
    stance_file.write_text(json.dumps(label_record(make_items()[0], "favor", "ana")) + "\n")
    result = runner.invoke(app, [*command[:4], str(stance_file), *command[5:]])
    assert result.exit_code == 1 and "holds stance labels" in result.output
    assert len(stance_file.read_text().splitlines()) == 1


def test_a_file_of_neutral_answers_still_keeps_its_task(tmp_path):
    """neutral is a label of both tasks: each line names its task, so a file of neutral stance answers is not
    taken for a sentiment file (nor its answers counted as sentiment ones)."""
    items_path = write_items(tmp_path / "items.jsonl", make_items())
    labels = tmp_path / "labels.jsonl"
    result = runner.invoke(app, ["label", str(items_path), "--labels", str(labels), "-a", "ana", "-q"], input="n\nn\nq\n")
    assert result.exit_code == 0 and [r["task"] for r in LabelStore(labels).records()] == ["stance", "stance"]
    before = labels.read_text()
    result = runner.invoke(app, ["label", str(items_path), "--labels", str(labels), "-a", "ana", "--task",
                                 "sentiment", "-q"], input="p\nq\n")
    assert result.exit_code == 1 and "holds stance labels" in result.output and labels.read_text() == before
    assert "task" not in read_labelled_items(labels)[0].model_extra  # the record's task is not an item field


def test_sentiment_asks_once_per_sentence_of_prepared_items(tmp_path):
    """prepare writes one item per (sentence, actor); the sentence's own tone is asked once, with no actor
    highlighted, under the sentence's id; the items' own stance labels do not stop it."""
    items = [item.model_copy(update={"label": "favor"}) for item in make_items()]
    items_path = write_items(tmp_path / "items.jsonl", items)
    labels = tmp_path / "labels.jsonl"
    result = runner.invoke(app, ["label", str(items_path), "--labels", str(labels), "-a", "ana", "--task",
                                 "sentiment", "-q"], input="p\np\nm\nn\nn\nq\n")
    assert result.exit_code == 0, result.output
    assert "all items answered: 5/5" in result.output
    records = LabelStore(labels).records()
    assert [r["id"] for r in records] == ["a1:0000", "a1:0001", "a2:0000", "a2:0001", "a2:0002"]
    assert all(r["actor"] is None and r["spans"] == [] and r["task"] == "sentiment" for r in records)
    assert records[0]["text"] == "Russia praised the deal with China." and records[0]["label"] == "positive"


def test_label_task_errors_name_the_option_and_imports_say_which_task(tmp_path):
    items_path = write_items(tmp_path / "items.jsonl", make_items())
    result = runner.invoke(app, ["label", str(items_path), "--labels", str(tmp_path / "l.jsonl"), "--task", "tone"])
    assert result.exit_code == 1 and "--task tone: expected one of stance, sentiment" in result.output
    export = [{"id": 1, "data": {"item_id": "s1", "text": "Profits rose."}, "annotations": [{"id": 1, "result": [
        {"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["positive"]}}]}]}]
    (tmp_path / "export.json").write_text(json.dumps(export))
    result = runner.invoke(app, ["label", "import", str(tmp_path / "export.json"), "--labels", str(tmp_path / "x.jsonl")])
    assert result.exit_code == 1 and "import it with --task sentiment" in result.output


def test_label_sets_that_mix_tasks_are_refused_by_each_line_s_task(tmp_path):
    """A stance `neutral` (its line says task stance) beside sentiment labels: training and gold refuse the set,
    naming the line, though neutral is a label of both tasks."""
    stance = tmp_path / "stance.jsonl"
    stance.write_text(json.dumps(label_record(make_items()[0], "neutral", "ana", task="stance")) + "\n")
    sentiment = tmp_path / "sentiment.jsonl"
    sentence = Item(id="s1", text="Profits rose.")
    sentiment.write_text(json.dumps(label_record(sentence, "positive", "ana", task="sentiment")) + "\n")
    with pytest.raises(InputError, match="sentiment.jsonl:1: label 'positive' is sentence sentiment, but .*stance.jsonl:1"):
        resolve_labels(read_records([stance, sentiment]))
    result = runner.invoke(app, ["label", "gold", str(stance), str(sentiment), "--out", str(tmp_path / "g.jsonl")])
    assert result.exit_code == 1 and "keep one task" in result.output and not (tmp_path / "g.jsonl").exists()


def test_one_per_sentence_reads_csv_indexes_and_keeps_articles_apart(tmp_path):
    from classifier.labels import one_per_sentence

    items = make_items()
    as_text = [item.model_copy(update={"sentence_index": str(item.model_extra["sentence_index"])}) for item in items]
    assert [it.id for it in one_per_sentence(as_text)] == [it.id for it in one_per_sentence(items)] == [
        "a1:0000", "a1:0001", "a2:0000", "a2:0001", "a2:0002"]
    same_text = [Item(id=f"{art}-x", text="Russia won.", actor="Russia", source=src, article=art)
                 for art, src in (("a1", "TDI"), ("a2", "RT"))]
    assert [it.id for it in one_per_sentence(same_text)] == ["a1-x", "a2-x"]  # two outlets' sentences stay two
    with pytest.raises(InputError, match="'a1:0000'.*also the id of a row without actor"):
        one_per_sentence([*items, Item(id="a1:0000", text="Another sentence.")])


def test_sentiment_labelling_of_whole_articles_says_so(tmp_path):
    path = tmp_path / "articles.jsonl"
    text = "Russia signed a deal. China welcomed it. Markets rose.\n\nThe talks go on."
    path.write_text(json.dumps({"id": "a1", "text": text, "source": "X"}) + "\n")
    result = runner.invoke(app, ["label", str(path), "--labels", str(tmp_path / "l.jsonl"), "-a", "ana", "--task",
                                 "sentiment", "-q"], input="q\n")
    assert result.exit_code == 0
    assert "item 'a1' holds several sentences and is asked about whole" in " ".join(result.output.split())


def test_label_studio_user_names_are_checked_as_annotator_is_naming_the_file_and_task(tmp_path):
    """--annotator refuses a name with a control, line-breaking or hidden format character, but import stored a
    Label Studio user's name holding one (a zero-width space, a line break) with every answer of theirs. The same rule
    (labels.check_name), one line naming the export and the task; --annotator NAME imports them under that name."""
    tasks = to_label_studio(make_items()[:2])
    choice = [{"from_name": "stance", "type": "choices", "value": {"choices": ["favor"]}}]
    labels = tmp_path / "labels.jsonl"
    for user, shown in (("ana\u200b@x.org", "label-studio:ana\\u200b@x.org"), ("ana\nerror: x", "label-studio:ana\\nerror: x")):
        tasks[1]["annotations"] = [{"result": choice, "completed_by": {"email": user}}]
        export = tmp_path / "export.json"
        export.write_text(json.dumps(tasks))
        result = runner.invoke(app, ["label", "import", str(export), "--labels", str(labels)])
        said = result.output.strip()
        assert result.exit_code == 1 and len(said.splitlines()) == 1 and not labels.exists(), said
        assert said.startswith(f"error: {export}: task 2: annotator '{shown}': holds a control"), said
        assert "rename the user in Label Studio, or import with --annotator NAME" in said, said
    named = runner.invoke(app, ["label", "import", str(export), "--labels", str(labels), "-a", "ana"])
    assert named.exit_code == 0 and [r["annotator"] for r in LabelStore(labels).records()] == ["ana"], named.output
    bad = runner.invoke(app, ["label", str(write_items(tmp_path / "items.jsonl", make_items())), "--labels",
                              str(tmp_path / "l.jsonl"), "-a", "ana\u200b"], input="q\n")
    assert bad.exit_code == 1 and "--annotator 'ana\\u200b': holds a control" in bad.output, bad.output


def test_label_studio_import_under_one_name_warns_when_users_overlap():
    tasks = to_label_studio(make_items()[:2])
    choice = lambda label: [{"from_name": "stance", "type": "choices", "value": {"choices": [label]}}]  # noqa: E731
    tasks[0]["annotations"] = [{"result": choice("favor"), "completed_by": 1},
                               {"result": choice("against"), "completed_by": {"email": "b@x.org"}}]
    tasks[1]["annotations"] = [{"result": choice("neutral"), "completed_by": 1}]
    records = from_label_studio(tasks, "export.json")  # users kept apart: nothing to warn about
    assert {r["annotator"] for r in records} == {"label-studio:1", "label-studio:b@x.org"}
    with pytest.warns(InputWarning, match=r"export.json: 1 task answered by two or more Label Studio users, all "
                                          r"imported as 'ana'"):
        records = from_label_studio(tasks, "export.json", annotator="ana")
    assert [r["annotator"] for r in records] == ["ana"] * 3
    tasks[0]["annotations"][1]["was_cancelled"] = True  # a cancelled answer is not taken
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from_label_studio(tasks, "export.json", annotator="ana")


def test_gold_finds_the_spans_a_spreadsheet_left_out_and_refuses_a_stance_label_without_actor(tmp_path):
    sheet = tmp_path / "sheet.csv"
    sheet.write_text('id,text,actor,label\n1,"Moscow and the Kremlin welcomed it.",Russia,favor\n'
                     '2,"Nobody welcomed it.",China,against\n', encoding="utf-8")
    resolved, _ = resolve_labels(read_records([sheet]))
    # marked as `stance classify` marks the same row, not scored as a target the text does not name
    assert [(it.spans, it.model_extra["spans_from"]) for it in resolved] == [
        ([(0, 6), (15, 22)], "catalogue"), ([], "none")]
    out = tmp_path / "g.jsonl"
    assert runner.invoke(app, ["label", "gold", str(sheet), "--out", str(out)]).exit_code == 0
    assert json.loads(out.read_text().splitlines()[0])["spans"] == [[0, 6], [15, 22]]
    sheet.write_text('id,text,actor,label\n1,"Moscow and the Kremlin welcomed it.",Russia,favor\n'
                     '2,"Nobody welcomed it.",,against\n', encoding="utf-8")
    result = runner.invoke(app, ["label", "gold", str(sheet), "--out", str(tmp_path / "h.jsonl")])
    assert result.exit_code == 1 and "sheet.csv:3: a stance label ('against') with no 'actor'" in result.output
    assert not (tmp_path / "h.jsonl").exists()


# -- label workflow: what a second QA pass found --------------------------------------------------------------
def label_studio_native_export(items: list[Item]) -> list[dict]:
    """A task as Label Studio's own JSON export writes it: predictions by id, the annotation's copy of the
    pre-annotation it started from, and Label Studio's other fields."""
    shown = {"result": [{"from_name": "stance", "to_name": "text", "type": "choices", "value": {"choices": ["favor"]}}]}
    tasks = []
    for number, task in enumerate(to_label_studio(items), start=101):
        tasks.append({"id": number, "data": task["data"], "predictions": [500 + number], "drafts": [], "meta": {},
                      "inner_id": number - 100, "total_annotations": 1, "project": 3, "file_upload": "tasks.json",
                      "annotations": [{"id": number, "completed_by": 1, "was_cancelled": False, "ground_truth": False,
                                       "created_at": "2026-12-01T10:01:00Z", "lead_time": 4.2, "task": number,
                                       "parent_prediction": 500 + number, "project": 3,
                                       "prediction": {"result": shown["result"], "score": 0.7},
                                       "result": [{"id": "r1", "from_name": "stance", "to_name": "text",
                                                   "type": "choices", "origin": "manual",
                                                   "value": {"choices": ["against"]}}]}]})
    return tasks


def test_label_studio_s_own_export_with_predictions_by_id_is_imported(tmp_path):
    tasks = label_studio_native_export(make_items())
    tasks[0]["annotations"][0]["prediction"] = {}  # an annotation made without a pre-annotation
    export = tmp_path / "export.json"
    export.write_text(json.dumps(tasks))
    labels = tmp_path / "labels.jsonl"
    result = runner.invoke(app, ["label", "import", str(export), "--labels", str(labels)])
    assert result.exit_code == 0, result.output
    records = LabelStore(labels).records()
    assert [r["label"] for r in records] == ["against"] * 6 and records[0]["annotator"] == "label-studio:1"
    assert records[0]["suggestion"] is None and records[1]["suggestion"]["label"] == "favor"


def test_import_of_another_version_of_a_labelled_item_is_refused_and_appends_nothing(tmp_path):
    """Items prepared again (same ids, other text) and annotated in Label Studio: appended, they made the label file
    name two items by one id, after which gold, agreement and train refused the whole file."""
    labels = tmp_path / "labels.jsonl"
    s = LabelSession(make_items(), list(range(6)), LabelStore(labels), "ana")
    s.answer(s.next_item(), "favor")
    before = labels.read_bytes()
    tasks = label_studio_native_export(make_items())
    tasks[0]["data"]["text"] = tasks[0]["data"]["text"].replace("deal", "pact")  # same length: spans still fit
    export = tmp_path / "export.json"
    export.write_text(json.dumps(tasks))
    result = runner.invoke(app, ["label", "import", str(export), "--labels", str(labels)])
    assert result.exit_code == 1 and "export.json: Label Studio task 101: item 'a1-0-Russia' has another text or " \
        f"actor than on {labels}:1" in result.output.replace("\n", ""), result.output
    assert labels.read_bytes() == before
    tasks[0]["data"]["text"] = make_items()[0].text
    export.write_text(json.dumps(tasks))
    assert runner.invoke(app, ["label", "import", str(export), "--labels", str(labels)]).exit_code == 0
    assert runner.invoke(app, ["label", "gold", str(labels), "--out", str(tmp_path / "g.jsonl")]).exit_code == 0


def test_an_older_export_imported_after_a_newer_one_does_not_undo_an_edited_answer(tmp_path):
    """An answer changed in Label Studio on Tuesday: importing Monday's export after Tuesday's appended Monday's
    version last, which then counted as the answer."""
    monday = label_studio_native_export(make_items()[:1])
    tuesday = json.loads(json.dumps(monday))
    tuesday[0]["annotations"][0] |= {"updated_at": "2026-12-02T09:00:00Z"}
    tuesday[0]["annotations"][0]["result"][0]["value"]["choices"] = ["neutral"]
    labels = tmp_path / "labels.jsonl"
    for name, tasks in (("tuesday.json", tuesday), ("monday.json", monday)):
        (tmp_path / name).write_text(json.dumps(tasks))
        result = runner.invoke(app, ["label", "import", str(tmp_path / name), "--labels", str(labels)])
        assert result.exit_code == 0, result.output
    assert [r["label"] for r in current_labels(LabelStore(labels).records()).values()] == ["neutral"]
    assert len(LabelStore(labels).records()) == 1
    edited = json.loads(json.dumps(tuesday))  # Wednesday: the text was edited too, and the answer again
    edited[0]["data"]["text"] = edited[0]["data"]["text"] + " (corrected)"
    edited[0]["annotations"][0] |= {"updated_at": "2026-12-03T09:00:00Z"}
    again = tmp_path / "again.jsonl"
    for name, tasks in (("wednesday.json", edited), ("monday.json", monday)):  # Monday's old text: outdated, no clash
        (tmp_path / name).write_text(json.dumps(tasks))
        result = runner.invoke(app, ["label", "import", str(tmp_path / name), "--labels", str(again)])
        assert result.exit_code == 0, result.output
    assert len(LabelStore(again).records()) == 1


def test_an_export_with_no_answer_stops_and_repeats_inside_one_export_count_once(tmp_path):
    tasks = label_studio_native_export(make_items())
    for task in tasks:
        task["annotations"][0]["result"][0]["from_name"] = "label"  # the Choices control renamed in Label Studio
    export, labels = tmp_path / "renamed.json", tmp_path / "labels.jsonl"
    export.write_text(json.dumps(tasks))
    result = runner.invoke(app, ["label", "import", str(export), "--labels", str(labels)])
    assert result.exit_code == 1 and "no completed annotation answers the 'stance' Choices control" in result.output
    assert not labels.exists()
    tasks = label_studio_native_export(make_items())
    export.write_text(json.dumps(tasks + tasks[:2]))  # two tasks twice in one export
    result = runner.invoke(app, ["label", "import", str(export), "--labels", str(labels)])
    assert result.exit_code == 0 and len(LabelStore(labels).records()) == 6, result.output
    again = runner.invoke(app, ["label", "import", str(export), "--labels", str(labels), "--annotator", "ana"])
    assert again.exit_code == 1 and "task 101's annotation 101 was imported before as 'label-studio:1'" in \
        " ".join(again.output.split())
    assert len(LabelStore(labels).records()) == 6
    assert "import_key" not in read_labelled_items(labels)[0].model_extra  # bookkeeping stays out of the items
    other = tmp_path / "other.jsonl"  # the same answers into another file under another name
    assert runner.invoke(app, ["label", "import", str(export), "--labels", str(other), "-a", "ana"]).exit_code == 0
    result = runner.invoke(app, ["label", "agreement", str(labels), str(other)])
    assert result.exit_code == 1 and "is also imported as 'label-studio:1'" in " ".join(result.output.split())


def test_label_studio_messages_name_the_export_kind_and_an_edited_text():
    with pytest.raises(InputError, match=r"task 1 \(Label Studio id 1\): no 'data' object: .*JSON-MIN"):
        from_label_studio([{"id": 1, "item_id": "a1-0-Russia", "text": "Russia won.", "stance": "favor"}], "min.json")
    [task] = label_studio_native_export(make_items()[:1])
    task["data"]["text"] = "Russia"
    task["data"]["spans"] = [[29, 34]]
    with pytest.raises(InputError, match=r"task 1 \(Label Studio id 101\): .*outside the text.*was the text edited"):
        from_label_studio([task], "export.json")


def test_a_json_array_given_as_json_lines_says_so(tmp_path):
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps([{"id": "a", "text": "Russia won.", "actor": "Russia"}]))
    for command in (["label", str(path), "--labels", str(tmp_path / "l.jsonl"), "-a", "ana", "-q"],
                    ["label", "gold", str(path), "--out", str(tmp_path / "g.jsonl")]):
        result = runner.invoke(app, command, input="q\n")
        assert result.exit_code == 1 and "one JSON array, not JSON lines" in " ".join(result.output.split())


@pytest.mark.parametrize("edited", ['[{"id": "b", "text": "China won.", "label": "favor", "annotator": "ana"}]',
                                    '["id": "b", "text": "China won.", "label": "favor", "annotator": "ana"}'])
def test_a_later_line_opening_an_array_is_not_a_json_object_not_a_json_array_file(tmp_path, edited):
    """A hand-edited line starting with '[' on line 3 got "the file looks like one JSON array", which fits line 1."""
    from classifier.io.files import iter_jsonl

    first = '{"id": "a", "text": "Russia won.", "actor": "Russia", "label": "favor", "annotator": "ana"}'
    path = tmp_path / "labels.jsonl"
    path.write_text(f"\n{first}\n{edited}\n{first}\n")
    for read in (lambda: LabelStore(path).records(), lambda: list(iter_jsonl(path))):
        with pytest.raises(InputError) as caught:
            read()
        said = str(caught.value)
        assert said.startswith(f"{path}:3: ") and "it is not a JSON object" in said and "JSON array" not in said, said
    path.write_text(f"\n{edited}\n{first}\n")  # the first line that is not blank: the file's own array
    for read in (lambda: LabelStore(path).records(), lambda: list(iter_jsonl(path))):
        with pytest.raises(InputError, match="labels.jsonl:2: .*the file looks like one JSON array"):
            read()


def test_one_annotator_name_that_answers_differently_in_two_files_is_refused(tmp_path):
    first, second = tmp_path / "m1.jsonl", tmp_path / "m2.jsonl"
    first.write_text("".join(json.dumps(r) + "\n" for r in records_for({"root": ["favor", "favor"]})))
    second.write_text("".join(json.dumps(r) + "\n" for r in records_for({"root": ["favor", "against"]})))
    for command in (["gold", str(first), str(second), "--out", str(tmp_path / "g.jsonl")],
                    ["agreement", str(first), str(second)]):
        result = runner.invoke(app, ["label", *command])
        assert result.exit_code == 1 and "annotator 'root' labels item 'a1-0-China' 'against' here and 'favor' in" \
            in " ".join(result.output.split()), result.output
    assert not (tmp_path / "g.jsonl").exists()
    second.write_text("".join(json.dumps(r) + "\n" for r in records_for({"root": ["favor", "favor", "against"]})))
    result = runner.invoke(app, ["label", "gold", str(first), str(second), "--out", str(tmp_path / "g.jsonl")])
    assert result.exit_code == 0 and "3 labelled items" in result.output  # one person's batches, no conflict


def test_gold_names_its_ties_and_writes_them_to_label_again(tmp_path):
    ana, ben, judge = tmp_path / "ana.jsonl", tmp_path / "ben.jsonl", tmp_path / "judge.jsonl"
    ana.write_text("".join(json.dumps(r) + "\n" for r in records_for({"ana": ["favor", "against", "neutral"]})))
    ben.write_text("".join(json.dumps(r) + "\n" for r in records_for({"ben": ["favor", "favor", "favor"]})))
    gold, ties = tmp_path / "gold.jsonl", tmp_path / "ties.jsonl"
    result = runner.invoke(app, ["label", "gold", str(ana), str(ben), "--out", str(gold)])
    shown = " ".join(result.output.split())
    assert result.exit_code == 0 and "2 tied items left out of the gold set (a1-0-China, a1-1-NATO)" in shown
    assert "--ties FILE writes them" in shown
    result = runner.invoke(app, ["label", "gold", str(ana), str(ben), "--out", str(gold), "--ties", str(ties)])
    assert result.exit_code == 0, result.output
    tied = [json.loads(line) for line in ties.read_text().splitlines()]
    assert [t["votes"] for t in tied] == [{"ana": "against", "ben": "favor"}, {"ana": "neutral", "ben": "favor"}]
    assert all("label" not in t and t["text"] for t in tied)
    result = runner.invoke(app, ["label", str(ties), "--labels", str(judge), "-a", "cy", "-q"], input="f\nn\n")
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["label", "gold", str(ana), str(ben), str(judge), "--out", str(gold), "--overwrite"])
    assert result.exit_code == 0 and "3 labelled items" in result.output and "tied" not in result.output
    result = runner.invoke(app, ["label", "gold", str(ana), str(ben), str(judge), "--out", str(gold),
                                 "--ties", str(ties)])
    assert f"; no ties, so {ties} is empty" in " ".join(result.output.split())  # not an empty file said nothing of
    assert result.exit_code == 0 and ties.read_text() == ""
    assert [json.loads(line)["label"] for line in gold.read_text().splitlines()] == ["favor", "favor", "neutral"]
    assert not any("votes" in line for line in gold.read_text().splitlines())  # the ties' votes stay out of gold
    bad = runner.invoke(app, ["label", "gold", str(ana), "--out", str(tmp_path / "g.txt")])
    assert bad.exit_code == 1 and "--format" not in bad.output


def judge_files(tmp_path: Path) -> tuple[Path, Path, Path]:
    """ana and ben tie on a1-0-China (neutral / against), a1-1-NATO and a2-2-China; cy, the judge, labels the first
    two (favor: neither tied label; against), and not the third."""
    ana, ben, cy = tmp_path / "ana.jsonl", tmp_path / "ben.jsonl", tmp_path / "cy.jsonl"
    ana.write_text("".join(json.dumps(r) + "\n" for r in records_for(
        {"ana": ["favor", "neutral", "against", "favor", "neutral", "favor"]})))
    ben.write_text("".join(json.dumps(r) + "\n" for r in records_for(
        {"ben": ["favor", "against", "favor", "favor", "neutral", "against"]})))
    items = make_items()
    cy.write_text("".join(json.dumps(label_record(items[i], label, "cy")) + "\n"
                          for i, label in ((1, "favor"), (2, "against"))))
    return ana, ben, cy


def test_a_judge_decides_the_ties_and_counts_nowhere_else(tmp_path):
    """The judge's label was a third vote: ana neutral, ben against, judge favor stayed tied for good (and the judge
    could not label again). --judge NAME lets that label decide a tie, any tie; each gold row says how it was
    decided; a tie the judge has not labelled stays in --ties; without --judge, gold says who looks like a judge."""
    from classifier.items import read_items

    ana, ben, cy = judge_files(tmp_path)
    gold, ties = tmp_path / "gold.jsonl", tmp_path / "ties.jsonl"
    plain = runner.invoke(app, ["label", "gold", str(ana), str(ben), str(cy), "--out", str(gold)])
    shown = " ".join(plain.output.split())
    assert plain.exit_code == 0 and "2 tied items left out" in shown and "'cy' labelled only items the others" \
        in shown and "--judge NAME" in shown, shown
    result = runner.invoke(app, ["label", "gold", str(ana), str(ben), str(cy), "--out", str(gold), "--ties",
                                 str(ties), "--judge", "cy", "--overwrite"])
    shown = " ".join(result.output.split())
    assert result.exit_code == 0 and "5 labelled items" in shown and "2 of them ties decided by 'cy'" in shown, shown
    assert "1 tied item left out" in shown and "labelled only items" not in shown, shown
    rows = {r["id"]: r for r in map(json.loads, gold.read_text().splitlines())}
    assert rows["a1-0-China"]["label"] == "favor" and rows["a1-0-China"]["decided_by"] == "judge"
    assert rows["a1-0-China"]["votes"] == {"ana": "neutral", "ben": "against", "cy": "favor"}
    assert rows["a1-1-NATO"]["label"] == "against" and rows["a1-1-NATO"]["decided_by"] == "judge"
    assert rows["a1-0-Russia"]["decided_by"] == "majority" and rows["a1-0-Russia"]["votes"] == {"ana": "favor",
                                                                                                 "ben": "favor"}
    [tied] = [json.loads(line) for line in ties.read_text().splitlines()]
    assert tied["id"] == "a2-2-China" and tied["votes"] == {"ana": "favor", "ben": "against"}
    assert {it.id: it.label for it in read_items(gold)} == {k: r["label"] for k, r in rows.items()}
    # a gold file read again as labels: the record of the decision is no label line's field
    again = runner.invoke(app, ["label", "gold", str(gold), "--out", str(tmp_path / "again.jsonl")])
    assert again.exit_code == 0 and "decided_by" not in (tmp_path / "again.jsonl").read_text(), again.output
    bad = runner.invoke(app, ["label", "gold", str(ana), str(ben), str(cy), "--out", str(tmp_path / "b.jsonl"),
                              "--judge", "cy", "-a", "ana"])
    assert bad.exit_code == 1 and "give one" in bad.output and not (tmp_path / "b.jsonl").exists(), bad.output
    typo = runner.invoke(app, ["label", "gold", str(ana), str(ben), str(cy), "--out", str(tmp_path / "t.jsonl"),
                               "--judge", "cyy"])  # or a judge who has not labelled yet: a warning, the ties stay
    shown = " ".join(typo.output.split())
    assert typo.exit_code == 0 and "every tie stays tied" in shown and "did you mean 'cy'" in shown, shown


def test_a_judge_breaks_a_three_way_tie_and_is_not_used_where_the_others_agree():
    from classifier.labels import resolve_labels

    items = make_items()
    records = [label_record(items[0], label, name) for name, label in (("ana", "favor"), ("ben", "against"),
                                                                       ("cy", "neutral"), ("dee", "against"))]
    records += [label_record(items[1], label, name) for name, label in (("ana", "favor"), ("ben", "favor"),
                                                                       ("dee", "against"))]
    records += [label_record(items[2], "neutral", "dee")]  # the judge alone: no tie to decide
    out, counts = resolve_labels(records, judge="dee")
    assert [(it.id, it.label, it.model_extra["decided_by"]) for it in out] == [
        ("a1-0-Russia", "against", "judge"), ("a1-0-China", "favor", "majority")]
    assert counts["judged"] == 1 and counts["judge_unused"] == 2 and counts["ties"] == 0


def test_agreement_names_a_judge_and_leaves_one_out_when_asked(tmp_path):
    """A judge's file passed to 'label agreement' (a *_heldout.jsonl glob) counted the judge as an annotator of the
    disputed items alone, which moved alpha; agreement now says so, and --judge NAME leaves that person out."""
    ana, ben, cy = judge_files(tmp_path)
    two = agreement(read_records([ana, ben]), n_boot=0)
    three = agreement(read_records([ana, ben, cy]), n_boot=0)
    assert three["judge_like"] == ["cy"] and two["judge_like"] == []
    assert three["krippendorff_alpha"] != two["krippendorff_alpha"]
    left_out = agreement(read_records([ana, ben, cy]), n_boot=0, judge="cy")
    assert left_out["krippendorff_alpha"] == two["krippendorff_alpha"] and left_out["annotators"] == ["ana", "ben"]
    result = runner.invoke(app, ["label", "agreement", str(ana), str(ben), str(cy), "-q", "--n-boot", "0"])
    shown = " ".join(result.output.split())
    assert result.exit_code == 0 and "'cy' labelled only items the others disagree on" in shown, shown
    result = runner.invoke(app, ["label", "agreement", str(ana), str(ben), str(cy), "-q", "--n-boot", "0",
                                 "--judge", "cy"])
    assert result.exit_code == 0 and "labelled only" not in result.output and "2 annotators" in result.output
    typo = runner.invoke(app, ["label", "agreement", str(ana), str(ben), "--judge", "cy", "-q"])
    assert typo.exit_code == 0 and "--judge 'cy' labelled none" in " ".join(typo.output.split()), typo.output


def test_a_second_judge_beside_judge_name_is_warned_of(tmp_path):
    """Two judges, each of some ties: with --judge cy, dee's labels on the ties were counted as a third vote without
    a word, a tie dee sided with written decided_by 'majority'. gold now names dee as it names a judge without
    --judge."""
    from classifier.labels import label_record

    ana, ben, cy = judge_files(tmp_path)
    dee = tmp_path / "dee.jsonl"
    dee.write_text(json.dumps(label_record(make_items()[5], "favor", "dee")) + "\n")  # a2-2-China: ana favor
    gold = tmp_path / "gold.jsonl"
    result = runner.invoke(app, ["label", "gold", str(ana), str(ben), str(cy), str(dee), "--out", str(gold),
                                 "--judge", "cy"])
    shown = " ".join(result.output.split())
    assert result.exit_code == 0 and "'dee' labelled only items the others disagree on" in shown, shown
    assert "beside the judge 'cy'" in shown and "'cy' labelled only" not in shown, shown
    rows = {r["id"]: r for r in map(json.loads, gold.read_text().splitlines())}
    assert rows["a2-2-China"]["decided_by"] == "majority" and rows["a2-2-China"]["votes"]["dee"] == "favor"


def test_a_judge_named_in_another_case_is_pointed_to_the_annotator(tmp_path):
    """'--judge CY' beside an annotator 'cy' said the files' annotators and no close name (difflib takes case as a
    difference); a name that differs in case alone is now the one suggested, for gold and agreement alike."""
    ana, ben, cy = judge_files(tmp_path)
    for command in (["gold", "--out", str(tmp_path / "gold.jsonl")], ["agreement", "-q", "--n-boot", "0"]):
        result = runner.invoke(app, ["label", command[0], str(ana), str(ben), str(cy), *command[1:], "--judge", "CY"])
        shown = " ".join(result.output.split())
        assert result.exit_code == 0 and "--judge 'CY' labelled none" in shown and "did you mean 'cy'?" in shown, shown


def test_ties_carry_their_neighbours_so_the_judge_sees_them_wherever_the_file_goes(tmp_path):
    """A ties file held only the tied items, so 'label run TIES' showed each sentence without its neighbours (none of
    them tied): the judge decided without the context the two annotators had seen, where they disagreed. Each tied
    item now carries the sentences of its article that the label files hold (``neighbours``); the judge's screen
    shows them (--context wide), from the ties file alone, moved elsewhere; the judge's answers and gold leave them
    out."""
    ana, ben = tmp_path / "ana.jsonl", tmp_path / "ben.jsonl"
    ana.write_text("".join(json.dumps(r) + "\n" for r in records_for({"ana": ["favor"] * 6})))
    ben.write_text("".join(json.dumps(r) + "\n" for r in records_for({"ben": ["favor"] * 4 + ["against", "favor"]})))
    ties = tmp_path / "made" / "ties.jsonl"
    ties.parent.mkdir()
    result = runner.invoke(app, ["label", "gold", str(ana), str(ben), "--out", str(tmp_path / "gold.jsonl"),
                                 "--ties", str(ties)])
    assert result.exit_code == 0, result.output
    [tied] = [json.loads(line) for line in ties.read_text().splitlines()]
    assert tied["id"] == "a2-1-USA" and tied["votes"] == {"ana": "favor", "ben": "against"}
    assert tied["neighbours"] == {"before": ["The USA held talks on Monday."], "after": ["China welcomed the talks."]}
    moved = tmp_path / "judge" / "ties.jsonl"  # the judge gets the ties file alone
    moved.parent.mkdir()
    ties.rename(moved)
    ana.unlink(), ben.unlink()
    judge = moved.parent / "cy.jsonl"
    shown = runner.invoke(app, ["label", str(moved), "--labels", str(judge), "-a", "cy"], input="a\n")
    assert shown.exit_code == 0, shown.output
    screen = shown.output.split("Washington failed")[0]
    assert "The USA held talks on Monday." in screen and "China welcomed the talks." in shown.output, shown.output
    narrow = runner.invoke(app, ["label", str(moved), "--labels", str(tmp_path / "x.jsonl"), "-a", "cy",
                                 "--context", "0"], input="q\n")
    assert "held talks" not in narrow.output and "welcomed" not in narrow.output, narrow.output
    [answer] = [json.loads(line) for line in judge.read_text().splitlines()]
    assert answer["label"] == "against" and "neighbours" not in answer and "votes" not in answer


def test_context_carried_by_an_item_is_cut_to_the_width_asked_and_checked(tmp_path):
    from classifier.items import item_record

    items = make_items()
    carried = Item(**item_record(items[2]), neighbours={"before": ["one.", "two.", "three."], "after": ["four."]})
    assert article_context([carried], 2)[carried.id] == (["two.", "three."], ["four."])
    assert article_context([carried], 0)[carried.id] == ([], [])
    assert article_context([carried], 9)[carried.id] == (["one.", "two.", "three."], ["four."])
    with pytest.raises(InputError, match="a1-1-NATO.*neighbours"):
        article_context([Item(**item_record(items[2]), neighbours=["one."])], 1)


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_gold_replaces_another_gold_set_only_with_overwrite(tmp_path, fmt):
    """A gold file (made from other label files, or mended by hand) was replaced by any later --out naming it."""
    ana, ben = tmp_path / "ana.jsonl", tmp_path / "ben.jsonl"
    ana.write_text("".join(json.dumps(r) + "\n" for r in records_for({"ana": ["favor", "against"]})))
    ben.write_text("".join(json.dumps(r) + "\n" for r in records_for({"ben": ["neutral", "against", "favor"]})))
    gold, ties = tmp_path / f"gold.{fmt}", tmp_path / "ties.jsonl"
    first = runner.invoke(app, ["label", "gold", str(ana), "--out", str(gold)])
    assert first.exit_code == 0, first.output
    made = gold.read_bytes()
    again = runner.invoke(app, ["label", "gold", str(ana), "--out", str(gold)])  # the same gold set: fine
    assert again.exit_code == 0 and gold.read_bytes() == made, again.output
    refused = runner.invoke(app, ["label", "gold", str(ben), "--out", str(gold), "--ties", str(ties)])
    shown = " ".join(refused.output.split())
    assert refused.exit_code == 1 and "Traceback" not in refused.output, refused.output
    assert f"--out {gold}: already exists and differs from the 3 labelled items made now; add --overwrite" in shown
    assert gold.read_bytes() == made and not ties.exists()  # nothing written, no temporary left beside it
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["ana.jsonl", "ben.jsonl", gold.name])
    replaced = runner.invoke(app, ["label", "gold", str(ben), "--out", str(gold), "--overwrite"])
    assert replaced.exit_code == 0 and "3 labelled items" in replaced.output, replaced.output
    assert gold.read_bytes() != made


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_gold_made_again_with_the_same_labels_in_another_order_needs_no_overwrite(tmp_path, fmt):
    """The same gold rows in another order (label files given the other way round) were refused as differing."""
    records = records_for({"ana": ["favor", "against", "neutral"]})
    first, last = tmp_path / "first.jsonl", tmp_path / "last.jsonl"
    first.write_text("".join(json.dumps(r) + "\n" for r in records[:1]))
    last.write_text("".join(json.dumps(r) + "\n" for r in records[1:]))
    gold = tmp_path / f"gold.{fmt}"
    made = runner.invoke(app, ["label", "gold", str(first), str(last), "--out", str(gold)])
    assert made.exit_code == 0, made.output
    from classifier.io.files import iter_table

    before, rows = gold.read_bytes(), [row for _, row in iter_table(gold)]
    again = runner.invoke(app, ["label", "gold", str(last), str(first), "--out", str(gold)])
    assert again.exit_code == 0 and "3 labelled items" in again.output, again.output
    assert gold.read_bytes() != before  # written in the new order: the same rows, not the same bytes
    assert [row for _, row in iter_table(gold)] == rows[1:] + rows[:1]
    last.write_text("".join(json.dumps(r) + "\n" for r in records_for({"ana": ["favor", "against", "favor"]})[1:]))
    refused = runner.invoke(app, ["label", "gold", str(first), str(last), "--out", str(gold)])  # a label changed
    assert refused.exit_code == 1 and "already exists and differs" in refused.output, refused.output
    refused = runner.invoke(app, ["label", "gold", str(last), "--out", str(gold)])  # a row fewer: still refused
    assert refused.exit_code == 1 and "already exists and differs" in refused.output, refused.output


def test_gold_names_the_items_that_rest_on_one_person_s_label_where_others_have_two(tmp_path):
    """A second annotator who stopped part-way (killed, never resumed) left gold made of the items both labelled,
    their disagreements set apart, and of the first annotator's other items on that one label, without a word: a
    gold set taken for two people's majority rested mostly on one person (80 of 120 items in a walk-through)."""
    ana, ben = tmp_path / "ana.jsonl", tmp_path / "ben.jsonl"
    ana.write_text("".join(json.dumps(r) + "\n" for r in records_for({"ana": ["favor", "against", "neutral"]})))
    ben.write_text("".join(json.dumps(r) + "\n" for r in records_for({"ben": ["favor"]})))
    gold = tmp_path / "gold.jsonl"
    result = runner.invoke(app, ["label", "gold", str(ana), str(ben), "--out", str(gold)])
    shown = " ".join(result.output.split())
    assert result.exit_code == 0 and "3 labelled items" in shown, result.output
    assert "gold items on one person's label alone: 2 of 3 (2 by 'ana'); no one else labelled them" in shown
    for alone in (["--annotator", "ana"], []):  # one person's gold set, or one person's files: nothing to say
        result = runner.invoke(app, ["label", "gold", str(ana), *alone, "--out", str(tmp_path / "one.jsonl"),
                                     "--overwrite"])
        assert result.exit_code == 0 and "alone" not in result.output, result.output
    ben.write_text("".join(json.dumps(r) + "\n" for r in records_for({"ben": ["favor", "against", "neutral"]})))
    result = runner.invoke(app, ["label", "gold", str(ana), str(ben), "--out", str(gold)])
    assert result.exit_code == 0 and "alone" not in result.output, result.output


def test_gold_says_how_many_labels_are_model_suggestions(tmp_path):
    path = tmp_path / "labels.jsonl"
    records = records_for({"ana": ["favor", "against"]}) + records_for({"model:default": ["neutral"] * 4})
    for record in records[2:]:
        record["suggested"] = True
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    result = runner.invoke(app, ["label", "gold", str(path), "--out", str(tmp_path / "g.jsonl"), "--allow-suggested"])
    assert result.exit_code == 0 and "4 labelled items -> " in result.output, result.output
    assert "(2 of them model suggestions)" in " ".join(result.output.split())


def test_resampled_kappa_and_alpha_equal_the_libraries_on_each_resample():
    """The intervals' figures come from summed per-item matrices; on weighted (resampled) items they equal
    scikit-learn's kappa and the krippendorff package's alpha, items that only some annotators labelled
    included."""
    import krippendorff
    from sklearn.metrics import cohen_kappa_score

    from classifier.labels import ALL_LABELS, _alphas, _kappas, _pair_cells, _unit_coincidences

    rng = np.random.default_rng(5)
    k = len(ALL_LABELS)
    a, b = rng.choice(["favor", "against", "neutral"], 40), rng.choice(["favor", "against", "positive"], 40)
    matrix = rng.choice(4, (3, 40)).astype(float)
    matrix[rng.random((3, 40)) < 0.3] = np.nan
    matrix = matrix[:, (~np.isnan(matrix)).sum(axis=0) >= 2]  # items labelled at least twice, as agreement keeps
    for _ in range(5):
        weights = rng.integers(0, 3, 40)
        kappa = _kappas((weights @ _pair_cells(a, b)).reshape(k, k))
        assert kappa == pytest.approx(cohen_kappa_score(np.repeat(a, weights), np.repeat(b, weights)))
        drawn = np.repeat(np.arange(matrix.shape[1]), weights[:matrix.shape[1]])
        alpha = _alphas((weights[:matrix.shape[1]] @ _unit_coincidences(matrix)).reshape(k, k))
        assert alpha == pytest.approx(krippendorff.alpha(reliability_data=matrix[:, drawn],
                                                         level_of_measurement="nominal"))
    assert np.isnan(_kappas(np.diag([4.0, 0, 0]))) and np.isnan(_alphas(np.diag([4.0, 0, 0])))


def test_agreement_intervals_undefined_kappa_and_no_overlap(tmp_path):
    items = [Item(id=f"x{i}", text=f"Russia acted, day {i}.", actor="Russia", spans=[(0, 6)], article=f"art{i % 6}")
             for i in range(30)]
    rng = np.random.default_rng(0)
    ana = [["favor", "against", "neutral"][i % 3] for i in range(30)]
    ben = [label if rng.random() < 0.7 else "neutral" for label in ana]
    records = [label_record(it, lab, who) for who, labels in (("ana", ana), ("ben", ben))
               for it, lab in zip(items, labels)]
    report = agreement(records, n_boot=200)
    [pair] = report["pairs"]
    low, high = pair["kappa_ci"]
    assert low < pair["kappa"] < high and 0 < low and high <= 1
    assert report["krippendorff_alpha_ci"][0] < report["krippendorff_alpha"] < report["krippendorff_alpha_ci"][1]
    assert agreement(records, n_boot=0)["pairs"][0]["kappa_ci"] is None
    same = [label_record(it, "neutral", who) for who in ("ana", "ben") for it in items]
    one_label = agreement(same, n_boot=50)
    assert np.isnan(one_label["pairs"][0]["kappa"]) and np.isnan(one_label["krippendorff_alpha"])
    path = tmp_path / "same.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in same))
    result = runner.invoke(app, ["label", "agreement", str(path), "--n-boot", "50"])
    assert result.exit_code == 0 and "undefined (one label only)" in result.output, result.output
    apart = [label_record(it, "favor", "ana" if i < 15 else "ben") for i, it in enumerate(items)]
    path.write_text("".join(json.dumps(r) + "\n" for r in apart))
    result = runner.invoke(app, ["label", "agreement", str(path)])
    assert result.exit_code == 1 and "no item has labels from two annotators yet ('ana', 'ben'" in \
        " ".join(result.output.split())


def test_piped_answers_may_name_the_answer_in_full(tmp_path):
    items_path = write_sentences(tmp_path / "sentences.jsonl")
    labels = tmp_path / "labels.jsonl"
    result = runner.invoke(app, ["label", str(items_path), "--labels", str(labels), "-a", "ana", "--task", "sentiment",
                                 "-q"], input="negative\nPositive\nyes\nn\n")
    assert result.exit_code == 0, result.output
    assert [r["label"] for r in LabelStore(labels).records()] == ["negative", "positive", "neutral"]
    assert "unknown key 'yes'" in result.output


def test_a_disk_that_refuses_locks_still_takes_answers(tmp_path, monkeypatch):
    import errno
    import fcntl

    def no_locks(fd, operation):  # an SMB or sshfs mount
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    store = LabelStore(tmp_path / "labels.jsonl")
    store.append({"id": "a", "text": "Russia won.", "actor": "Russia", "label": "favor", "annotator": "ana"})
    assert [r["id"] for r in store.records()] == ["a"]


def test_agreement_on_too_few_shared_items_is_flagged_and_warned_of(tmp_path):
    """A kappa over 1 shared item (0.000 where the two differ) was shown as any other figure; one over fewer
    than 10 items moves by a large step with one item more or less: each is flagged, and a warning says so."""
    from classifier.labels import MIN_AGREEMENT_ITEMS

    items = make_items() + [Item(id=f"b{i}-0-USA", text=f"The USA met them on day {i}.", actor="USA", spans=[(4, 7)],
                                 source="RT", article=f"b{i}", sentence_index=0) for i in range(8)]
    labels = ["favor", "against", "neutral"]
    records = [label_record(it, labels[i % 3], ann) | {"record": f"{ann}{i}"}
               for ann in ("ana", "ben") for i, it in enumerate(items) if i % 7 or ann == "ana"]
    records += [label_record(items[0], "neutral", "cy") | {"record": "cy0"}]  # cy shares one item, with ana
    report = agreement(records, n_boot=0)
    pairs = {tuple(p["annotators"]): p for p in report["pairs"]}
    assert pairs[("ana", "ben")]["n"] >= MIN_AGREEMENT_ITEMS and not pairs[("ana", "ben")]["few_items"]
    assert pairs[("ana", "cy")]["n"] == 1 and pairs[("ana", "cy")]["few_items"]
    assert not report["few_items"]
    path = tmp_path / "labels.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    result = runner.invoke(app, ["label", "agreement", str(path), "--show", "0", "--json", str(tmp_path / "a.json")])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "1 n<10" in text and "n<10: fewer than 10 shared items" in text
    assert "cy n<10" in text and "n<10: as above" in text  # the per-class table flags the pair too
    assert "warning: agreement on fewer than 10 items is too few to say much" in text
    assert "ana and cy share 1; label more" in text and "alpha is over" not in text
    saved = json.loads((tmp_path / "a.json").read_text())
    assert [p["few_items"] for p in saved["pairs"]] == [False, True, False] and saved["min_items"] == 10
    few = tmp_path / "few.jsonl"
    few.write_text("".join(json.dumps(r) + "\n" for r in records_for({"ana": ["favor", "against", "neutral"],
                                                                       "ben": ["favor", "neutral", "neutral"]})))
    result = runner.invoke(app, ["label", "agreement", str(few), "--show", "0"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "over 3 items (n<10)" in text and "alpha is over 3" in text


def test_a_file_of_unlabelled_items_among_label_files_is_refused_naming_it(tmp_path):
    """'gold labels_ana.jsonl items.jsonl' wrote ana's labels as the gold set and said nothing of items.jsonl,
    whose rows, none labelled, were read as no answer at all; agreement named both files and 'found ana'."""
    items_path = write_items(tmp_path / "items.jsonl", make_items())
    ana = tmp_path / "labels_ana.jsonl"
    ana.write_text("".join(json.dumps(r) + "\n" for r in records_for({"ana": ["favor", "against", "neutral"]})))
    for command in (["gold", str(ana), str(items_path), "--out", str(tmp_path / "gold.jsonl")],
                    ["agreement", str(ana), str(items_path)]):
        result = runner.invoke(app, ["label", *command])
        assert result.exit_code == 1, result.output
        assert result.output.startswith(f"error: {items_path}: none of its 6 rows has a label or an annotator")
        assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "gold.jsonl").exists()
    skips = tmp_path / "labels_ben.jsonl"  # every item skipped: answers all the same, and read as such
    skips.write_text("".join(json.dumps(label_record(it, None, "ben", skipped=True)) + "\n" for it in make_items()))
    empty = tmp_path / "labels_cy.jsonl"
    empty.write_text("")
    result = runner.invoke(app, ["label", "gold", str(ana), str(skips), str(empty), "--out", str(tmp_path / "g.jsonl")])
    assert result.exit_code == 0, result.output


def test_agreement_per_class_is_kappa_of_that_class_against_the_others(tmp_path):
    """Which class two annotators disagree on: each class's kappa (that class or not, for each), as scikit-learn
    computes it on the folded labels, with an interval from the same article resamples as the overall kappa."""
    from sklearn.metrics import cohen_kappa_score

    items = [Item(id=f"b{i}-0-USA", text=f"The USA met them on day {i}.", actor="USA", spans=[(4, 7)],
                  source="RT", article=f"b{i % 6}", sentence_index=i) for i in range(24)]
    ana = ["favor", "against", "neutral", "neutral"] * 6
    ben = ["favor", "neutral", "neutral", "against", "favor", "against"] * 4
    records = [label_record(it, label, ann) | {"record": f"{ann}{i}"} for ann, labels in (("ana", ana), ("ben", ben))
               for i, (it, label) in enumerate(zip(items, labels))]
    pair = agreement(records, n_boot=200)["pairs"][0]
    assert set(pair["per_class"]) == {"favor", "against", "neutral"}
    for label, figures in pair["per_class"].items():
        expected = cohen_kappa_score([x == label for x in ana], [x == label for x in ben])
        assert figures["kappa"] == pytest.approx(expected)
        low, high = figures["kappa_ci"]
        assert low <= figures["kappa"] <= high
    path = tmp_path / "labels.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    result = runner.invoke(app, ["label", "agreement", str(path), "--show", "0", "--n-boot", "200"])
    assert result.exit_code == 0, result.output
    assert "Kappa per class (that class against the others)" in result.output
    assert f"{pair['per_class']['against']['kappa']:.3f} [" in result.output


def test_an_unknown_action_in_keys_is_named_with_the_valid_ones():
    """--keys favour=1 said "'favour=1' is not ACTION=KEY with one character", though its key was one character:
    the action was the mistake, and it went unnamed."""
    from classifier.cli.label import parse_keys
    from classifier.tasks import get_task

    with pytest.raises(InputError) as caught:
        parse_keys("favour=1")
    said = str(caught.value)
    assert "unknown action 'favour'" in said and "did you mean 'favor'?" in said and "one character" not in said
    assert "favor, against, neutral, skip, undo, help, quit" in said
    with pytest.raises(InputError, match="unknown action 'favor'.*positive, negative, neutral"):
        parse_keys("favor=1", get_task("sentiment"))
    with pytest.raises(InputError, match="'favor=12': a key is one character") as caught:
        parse_keys("favor=12")
    assert "unknown action" not in str(caught.value)
    assert parse_keys("favor=1")["1"] == "favor"


def test_gold_for_an_annotator_without_labels_lists_those_with_labels(tmp_path):
    """'label gold --annotator bem' said "none by annotator 'bem'" and not which annotators the files hold."""
    item = make_items()[0]
    names = ["ana", "ben", "dan", "eda", "fay", "gus", "hal"]
    path = tmp_path / "labels.jsonl"
    path.write_text("".join(json.dumps(label_record(item, "favor", name)) + "\n" for name in names))
    result = runner.invoke(app, ["label", "gold", str(path), "--out", str(tmp_path / "g.jsonl"), "-a", "bem"])
    said = " ".join(result.output.split())
    assert result.exit_code == 1 and said.count("error:") == 1, result.output
    assert ("none by annotator 'bem'; the files' annotators: 'ana', 'ben', 'dan', 'eda', 'fay' and 2 more "
            "(did you mean 'ben'?)") in said
    assert not (tmp_path / "g.jsonl").exists()
    result = runner.invoke(app, ["label", "gold", str(path), "--out", str(tmp_path / "g.jsonl"), "-a", "zoltan"])
    assert "'fay' and 2 more;" in " ".join(result.output.split()) and "did you mean" not in result.output


def test_a_compressed_label_file_is_one_line_saying_to_decompress_it(tmp_path):
    """A gzip'd label file under a .jsonl name was "labels.jsonl:1: not UTF-8 text" to label gold, agreement and run;
    labels.jsonl.gz was "unknown label file extension '.gz'" to gold and agreement and "give it a .jsonl name" to
    run. Label files are not read compressed: each says it is compressed and to decompress it."""
    import gzip

    items = tmp_path / "items.jsonl"
    items.write_text(json.dumps({"id": "a1", "text": "Russia attacked.", "actor": "Russia"}) + "\n")
    answer = {"id": "a1", "text": "Russia attacked.", "actor": "Russia", "label": "against", "annotator": "ana"}
    packed = gzip.compress((json.dumps(answer) + "\n").encode())
    for name in ("labels.jsonl", "labels.jsonl.gz"):
        path = tmp_path / name
        path.write_bytes(packed)
        for args in (["label", "gold", str(path), "--out", str(tmp_path / "gold.jsonl")],
                     ["label", "agreement", str(path)],
                     ["label", "run", str(items), "--labels", str(path), "--annotator", "ana"]):
            result = runner.invoke(app, args, input="")
            said = " ".join(result.output.split())
            assert result.exit_code == 1 and "Traceback" not in said, said
            assert f"{path}: gzip-compressed; label files are not read compressed" in said, said
            assert "decompress it ('gunzip')" in said and "UTF-8" not in said, said
        assert path.read_bytes() == packed and not (tmp_path / "gold.jsonl").exists()
    result = runner.invoke(app, ["label", "run", str(items), "--labels", str(tmp_path / "new.jsonl.gz"),
                                 "--annotator", "ana"], input="")
    said = " ".join(result.output.split())
    assert result.exit_code == 1 and "new.jsonl.gz: named .gz; label files are not read compressed" in said, said
    assert "give a .jsonl name" in said and not (tmp_path / "new.jsonl.gz").exists(), said
    table = tmp_path / "labelled.csv.gz"  # a labelled CSV table is read as any table, compressed too (read only)
    table.write_bytes(gzip.compress(b"id,text,actor,label,annotator\na1,Russia attacked.,Russia,against,ana\n"))
    from classifier.labels import read_records

    assert [r["label"] for r in read_records([table])] == ["against"]


def test_a_label_file_given_as_a_pipe_is_read_whole(tmp_path):
    """The compressed-label check read a label file's first 10 bytes to tell its compression: a pipe
    (``label gold <(cat a.jsonl b.jsonl)``) lost them, and gold said 'no labels to write (0 lines)'. A pipe is
    read once, and told by the bytes read (``io.files.read_once``); its records are read as a file's."""
    import os
    import threading

    from classifier.labels import read_records

    answer = {"id": "a1", "text": "Russia attacked.", "actor": "Russia", "label": "against", "annotator": "ana"}
    fifo = tmp_path / "labels"
    os.mkfifo(fifo)

    def write():  # the line, then an empty writing for a second opening (the one that had read the rest)
        for text in (json.dumps(answer) + "\n", ""):
            with open(fifo, "w", encoding="utf-8") as fh:
                fh.write(text)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        assert [r["label"] for r in read_records([fifo])] == ["against"]
    finally:
        release = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # the writer's second opening, where none read it
        writer.join()
        os.close(release)


@pytest.mark.parametrize("name, said", [("ana\x1b[31m", "ana\\x1b[31m"), ("two\nlines", "two\\nlines"),
                                        ("ana\tb", "ana\\tb"), ("ab\u202ec", "ab\\u202ec")])
def test_an_annotator_name_with_a_control_character_is_refused(tmp_path, name, said):
    """The walk of 2026-12-07 (3): --annotator $'two\\nlines' (or one holding an escape, a tab, a bidi override) was
    stored with every answer; the summary line and agreement's tables broke it in two or showed it escaped, a name
    other than the one typed. It is refused before anything is asked or written, in one line; names of any script
    (a ZWNJ inside a Persian name included) are kept."""
    items_path = write_items(tmp_path / "items.jsonl", make_items())
    labels = tmp_path / "labels.jsonl"
    result = runner.invoke(app, ["label", str(items_path), "--labels", str(labels), "-a", name], input="f\n")
    assert result.exit_code == 1 and f"--annotator '{said}': holds a control" in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1 and not labels.exists()
    for fine in ("José Ñ", "فاطمه\u200cزاده", "a/b"):
        result = runner.invoke(app, ["label", str(items_path), "--labels", str(labels), "-a", fine, "-q"], input="f\n")
        assert result.exit_code == 0 and f"by {fine} (1 favor)" in result.output, result.output


@pytest.mark.parametrize("name, said", [("ana\u200b", "ana\\u200b"), ("an\u00ada", "an\\u00ada"),
                                        ("\ufeffana", "\\ufeffana"), ("a\u2060na", "a\\u2060na"),
                                        ("ana\u200c", "ana\\u200c"), ("\u200dana", "\\u200dana")])
def test_an_annotator_name_with_a_zero_width_character_is_refused(tmp_path, name, said):
    """Zero-width characters (a zero-width space, a soft hyphen, a byte-order mark, a word joiner: Unicode's format
    characters, category Cf) were kept in --annotator, unseen: 'ana' and 'ana' with a U+200B were two people to gold
    and agreement. They are refused as control characters are; a ZWNJ or ZWJ between two letters (Persian, Indic
    names) is kept, one at either end of a name is refused."""
    items_path = write_items(tmp_path / "items.jsonl", make_items())
    labels = tmp_path / "labels.jsonl"
    result = runner.invoke(app, ["label", str(items_path), "--labels", str(labels), "-a", name], input="f\n")
    assert result.exit_code == 1 and f"--annotator '{said}': holds a control" in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1 and not labels.exists()


def test_a_name_differing_from_one_in_the_file_only_by_a_zero_width_character_is_its_namesake():
    """The namesake key ('ana' and 'Ana' are one person's names) kept format characters: a name written with a
    zero-width character (in a label file from elsewhere) or a Persian name with and without its ZWNJ were two."""
    from classifier.labels import name_key

    assert name_key("ana\u200b") == name_key("An\u00ada") == name_key("\ufeffana") == name_key("ana")
    assert name_key("فاطمه\u200cزاده") == name_key("فاطمهزاده")


def test_a_name_held_with_a_zero_width_character_is_warned_of_and_not_offered(tmp_path):
    """A label file that holds 'ana' and a zero-width space (written before such names were refused): a session as
    'ana' started afresh without the namesake warning. It is warned of now, without the advice to go on under that
    name, which --annotator refuses."""
    items_path = write_items(tmp_path / "items.jsonl", make_items())
    labels = tmp_path / "labels.jsonl"
    args = ["label", str(items_path), "--labels", str(labels)]
    assert runner.invoke(app, [*args, "-a", "anax", "-q"], input="f\n").exit_code == 0
    labels.write_text(labels.read_text().replace('"anax"', '"ana\\u200b"'))
    result = runner.invoke(app, [*args, "-a", "ana"], input="q\n")
    said = " ".join(result.output.split())
    assert result.exit_code == 0 and "only in case, spacing or Unicode form (1 by 'ana\\u200b')" in said, said
    assert "go on with" not in said, said


def test_a_name_differing_from_one_in_the_file_only_in_case_is_warned_of(tmp_path):
    """The walk of 2026-12-07 (3): ana went on as --annotator Ana and started afresh without a word (at a terminal
    the "resuming" line was wiped too); gold then counted Ana and ana as two people, a majority of one person. The
    session says which name the file holds, on the first screen and as a warning, and goes on as asked."""
    items_path = write_items(tmp_path / "items.jsonl", make_items())
    labels = tmp_path / "labels.jsonl"
    args = ["label", str(items_path), "--labels", str(labels)]
    assert runner.invoke(app, [*args, "-a", "ana", "-q"], input="f\na\n").exit_code == 0
    result = runner.invoke(app, [*args, "-a", "bo"], input="q\n")
    assert "warning" not in result.output, result.output  # another person's name
    for name, held in (("Ana", "(2 by 'ana')"), (" ANA ", "(2 by 'ana', 1 by 'Ana')")):
        result = runner.invoke(app, [*args, "-a", name], input="n\nq\n")
        said = " ".join(result.output.split())
        assert result.exit_code == 0 and said.count(f"holds answers under a name that differs from '{name.strip()}' "
                                                    f"only in case, spacing or Unicode form {held}") == 2, said
        assert "go on with --annotator 'ana'" in said, said
    assert [r["annotator"] for r in LabelStore(labels).records()] == ["ana", "ana", "Ana", "ANA"]


def test_gold_and_agreement_warn_of_annotators_whose_names_differ_only_in_case(tmp_path):
    """B, killed part-way, resumed as 'b': 'label run' warned as the session started, but gold and agreement then
    counted B and b as two people, without a word (B's 50 answers a second vote beside b's 130, alpha over "3
    annotators"). They warn now, naming both names; names that differ otherwise are not warned of."""
    ana, ben = tmp_path / "ana.jsonl", tmp_path / "ben.jsonl"
    ana.write_text("".join(json.dumps(r) + "\n" for r in records_for({"ana": ["favor", "against", "neutral"]})))
    ben.write_text("".join(json.dumps(r) + "\n" for r in records_for({"B": ["against", "against"],
                                                                       "b": ["against", "favor", "neutral"]})))
    said = "answers under names that differ only in case, spacing or Unicode form (3 by 'b', 2 by 'B') count as 2 " \
           "people's"
    other = tmp_path / "bo.jsonl"
    other.write_text("".join(json.dumps(r) + "\n" for r in records_for({"bo": ["against", "favor"],
                                                                         "Bob": ["favor"]})))
    for command in (["gold", "--out", str(tmp_path / "g.jsonl"), "--overwrite"], ["agreement", "-q"]):
        result = runner.invoke(app, ["label", *command, str(ana), str(ben)])
        assert result.exit_code == 0 and said in " ".join(result.output.split()), result.output
        result = runner.invoke(app, ["label", *command, str(ana), str(other)])
        assert result.exit_code == 0 and "differ only in case" not in result.output, result.output


def test_a_name_differing_from_one_in_the_file_only_in_its_unicode_form_is_warned_of(tmp_path):
    """"José" typed as e and a combining accent (NFD, as some keyboards and macOS paths give it) and as one é (NFC)
    look the same everywhere they are shown, yet were two people to gold and agreement (`José | José`, agreement
    1.000), and the session started afresh without the namesake warning that case or spacing gets."""
    items_path = write_items(tmp_path / "items.jsonl", make_items())
    labels = tmp_path / "labels.jsonl"
    args = ["label", str(items_path), "--labels", str(labels)]
    assert runner.invoke(app, [*args, "-a", "Jose\u0301", "-q"], input="f\n").exit_code == 0
    result = runner.invoke(app, [*args, "-a", "Jos\u00e9", "-q"], input="q\n")
    said = " ".join(result.output.split())
    assert result.exit_code == 0 and "(1 by 'Jose\u0301')" in said and "Unicode form" in said, said


def test_a_session_of_a_few_items_keeps_the_rows_another_annotator_kept_of_more(tmp_path, monkeypatch):
    """Two annotators score different items files beside one label file: a write of 2 items kept 2 of the other's
    30 rows (as many as its own items), so the other's next start scored 28 items again. Rows of items not at hand
    are kept up to ``KEPT_OTHER_ROWS`` whatever the items at hand."""
    from classifier.items import LABELS
    from classifier.labels import keep_scores, kept_entries, kept_scores_path

    monkeypatch.setattr("classifier.labels.KEPT_OTHER_ROWS", 31)
    many = [item.model_copy(update={"text": f"{item.text} ({n})"}) for n in range(5) for item in make_items()]
    few = [item.model_copy(update={"text": f"{item.text} (few)"}) for item in make_items()[:2]]
    kept = kept_scores_path(tmp_path / "labels.jsonl")
    keep_scores(kept, np.full((30, 3), 1 / 3), LABELS, "m@1", many)
    keep_scores(kept, np.full((2, 3), 1 / 3), LABELS, "m@1", few)
    assert len(kept_entries(kept)[0].keys) == 32  # 4 before: 2 and 2 of the other's
    keep_scores(kept, np.full((2, 3), 1 / 3), LABELS, "m@1",
                [item.model_copy(update={"text": f"{item.text} (more)"}) for item in few])
    assert len(kept_entries(kept)[0].keys) == 33  # the floor bounds them: 2 at hand and 31 of the 32 others


def test_a_ties_file_carries_the_neighbours_the_judges_screen_shows(tmp_path):
    """A tied item carried every sentence of its article the label files held (10 after it here), while 'label run
    TIES' showed one each side (its --context): the file held what the judge never saw. It now carries --context
    sentences each side (1, label run's default): the screen shows all it carries; a wider --context widens both."""
    from classifier.labels import label_record

    sentences = [f"Sentence {i} about Chile." for i in range(12)]
    items = [Item(id=f"a1-{i}", text=text, actor="Chile", spans=[(17, 22)], source="RT", article="a1",
                  sentence_index=i) for i, text in enumerate(sentences)]
    ana, ben = tmp_path / "ana.jsonl", tmp_path / "ben.jsonl"
    for path, name, tie in ((ana, "ana", "favor"), (ben, "ben", "against")):
        path.write_text("".join(json.dumps(label_record(it, tie if it.id == "a1-1" else "neutral", name)) + "\n"
                                for it in items))
    ties = tmp_path / "ties.jsonl"
    result = runner.invoke(app, ["label", "gold", str(ana), str(ben), "--out", str(tmp_path / "g.jsonl"),
                                 "--ties", str(ties)])
    assert result.exit_code == 0, result.output
    [tied] = [json.loads(line) for line in ties.read_text().splitlines()]
    assert tied["neighbours"] == {"before": [sentences[0]], "after": [sentences[2]]}
    shown = runner.invoke(app, ["label", str(ties), "--labels", str(tmp_path / "cy.jsonl"), "-a", "cy"], input="q\n")
    assert shown.exit_code == 0, shown.output
    assert [i for i in range(12) if f"Sentence {i} " in shown.output] == [0, 1, 2], shown.output  # and the tie
    wide = tmp_path / "wide.jsonl"
    runner.invoke(app, ["label", "gold", str(ana), str(ben), "--out", str(tmp_path / "g.jsonl"), "--ties", str(wide),
                        "--context", "3"])
    [tied] = [json.loads(line) for line in wide.read_text().splitlines()]
    assert tied["neighbours"] == {"before": [sentences[0]], "after": sentences[2:5]}
    shown = runner.invoke(app, ["label", str(wide), "--labels", str(tmp_path / "cy2.jsonl"), "-a", "cy",
                                "--context", "3"], input="q\n")
    assert [i for i in range(12) if f"Sentence {i} " in shown.output] == [0, 1, 2, 3, 4], shown.output


def test_gold_votes_are_the_voters_alone_in_every_format(tmp_path):
    """Parquet stored votes as a struct of every annotator's key: a row ana and ben decided read back as {'ana':
    'favor', 'ben': 'favor', 'cy': None}, as if cy had voted nothing, while JSONL and CSV hold the voters alone. The
    votes are now the same in all three: JSON text in CSV and Parquet, read back as the JSONL's objects."""
    import pyarrow.parquet as pq

    from classifier.io.files import iter_parquet

    ana, ben, cy = judge_files(tmp_path)
    written = {}
    for fmt in ("jsonl", "csv", "parquet"):
        out = tmp_path / f"gold.{fmt}"
        result = runner.invoke(app, ["label", "gold", str(ana), str(ben), str(cy), "--out", str(out), "--judge", "cy"])
        assert result.exit_code == 0, result.output
        written[fmt] = out
    jsonl = {r["id"]: r["votes"] for r in map(json.loads, written["jsonl"].read_text().splitlines())}
    assert jsonl["a1-0-Russia"] == {"ana": "favor", "ben": "favor"}
    assert {row["id"]: row["votes"] for _, row in iter_parquet(written["parquet"])} == jsonl
    stored = pq.read_table(written["parquet"]).column("votes").to_pylist()  # what pandas and others read
    csv_cells = [row["votes"] for row in __import__("csv").DictReader(written["csv"].open(encoding="utf-8"))]
    assert stored == csv_cells and json.loads(stored[0]) == jsonl["a1-0-Russia"]


def test_a_refused_name_with_an_apostrophe_is_quoted_so_that_it_reads_whole(tmp_path):
    """--annotator $'O\\'Neil\\tb' was said as --annotator 'O'Neil\\tb': in single quotes, the name seemed to end at its
    apostrophe. It is quoted as the other messages quote names (repr's choice, its escapes shown once): "O'Neil\\tb"."""
    items_path = write_items(tmp_path / "items.jsonl", make_items())
    labels = tmp_path / "labels.jsonl"
    result = runner.invoke(app, ["label", str(items_path), "--labels", str(labels), "-a", "O'Neil\tb"], input="f\n")
    assert result.exit_code == 1 and "--annotator \"O'Neil\\tb\": holds a control" in result.output, result.output


def test_a_second_judge_is_refused_in_one_line(tmp_path):
    """--judge cy --judge dee took dee alone, as an option given twice does, without a word: cy's decisions were
    counted as a third vote. A second judge is now refused, saying why, before anything is written."""
    ana, ben, cy = judge_files(tmp_path)
    gold = tmp_path / "gold.jsonl"
    for command in (["gold", "--out", str(gold)], ["agreement", "-q", "--n-boot", "0"]):
        result = runner.invoke(app, ["label", command[0], str(ana), str(ben), str(cy), *command[1:],
                                     "--judge", "cy", "--judge", "dee"])
        assert result.exit_code == 1 and "--judge 'cy' --judge 'dee': give one judge" in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1 and not gold.exists()
    again = runner.invoke(app, ["label", "gold", str(ana), str(ben), str(cy), "--out", str(gold), "--judge", "cy",
                                "--judge", "cy"])  # the same name twice is one judge
    assert again.exit_code == 0 and "2 of them ties decided by 'cy'" in " ".join(again.output.split()), again.output


def test_a_mistyped_label_subcommand_is_named_not_run_as_items(tmp_path, monkeypatch, capsys):
    """`stance label sampel FILE` ran `label run` on it, which failed with "Missing option '--labels'": a word close
    to a subcommand that names no file is answered as typer answers a mistyped command at the top. A file of that
    name is still labelled; a subcommand's own name stays the subcommand, ./NAME the file."""
    from classifier.cli.main import main

    def said(*args: str) -> tuple[int, str]:
        with pytest.raises(SystemExit) as ended:
            main(["label", *args])
        return ended.value.code, " ".join(capsys.readouterr().err.split())

    monkeypatch.chdir(tmp_path)
    assert said("sampel", "items.jsonl") == (2, "error: stance label: No such command 'sampel'. Did you mean "
                                                "'sample'? (see stance label --help)")
    assert said("agreemnt")[1].startswith("error: stance label: No such command 'agreemnt'. Did you mean 'agreement'?")
    assert said("items.jsonl", "-q")[1].startswith("error: stance label run: Missing option '--labels'")  # a path
    assert said("export.jsonl", "-q")[1].startswith("error: stance label run: Missing option '--labels'")
    write_items(tmp_path / "sampel", make_items())  # a file called so is labelled
    assert said("sampel", "-q")[1].startswith("error: stance label run: Missing option '--labels'")
    write_items(tmp_path / "sample", make_items())
    assert said("sample", "-q")[1].startswith("error: stance label sample: Missing argument")  # the command
    assert said("./sample", "-q")[1].startswith("error: stance label run: Missing option '--labels'")  # the file
