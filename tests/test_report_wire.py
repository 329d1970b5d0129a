"""stance report and shared wire copy: a sentence two articles share is quoted once among a cell's drivers, and
outlets that print the same sentences are named, with the share of their mentions those sentences are."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from classifier.report import make_report
from classifier.report.gather import gather
from classifier.report.wire import SHARED_SHARE, shared_copy, text_keys

sys.path.insert(0, str(Path(__file__).parent))
from test_evaluate import prediction_rows, write_jsonl  # noqa: E402

WIRE = "Russia rejected the proposal, the agency said."
SCORES = {"favor": 0.01, "against": 0.98, "neutral": 0.01}


def wire_rows(copies: int) -> list[dict]:
    """Three outlets; Herald B prints ``copies`` of Daily A's sentences (in upper case, with other spacing), and
    one agency sentence runs, most confidently against Russia, in two articles of Daily A and one of Herald B."""
    rows = prediction_rows(240)
    daily = [r for r in rows if r["source"] == "Daily A"]
    herald = [r for r in rows if r["source"] == "Herald B"]
    for a, b in list(zip(daily, herald))[:copies]:
        b.update(text="  " + a["text"].upper().replace(" ", "\t "), actor=a["actor"], spans=a["spans"])
    spare = daily[40:] + herald[40:]  # none of them copied
    last = next(r for r in reversed(spare) if r["actor"] == "Russia" and r["source"] == "Daily A")
    picked = [last, next(r for r in spare if r["actor"] == "Russia" and r["source"] == "Daily A"
                         and r["article"] != last["article"]),
              next(r for r in reversed(spare) if r["actor"] == "Russia" and r["source"] == "Herald B")]
    for row in picked:
        row.update(text=WIRE, spans=[[0, 6]], stance="against", stance_scores=SCORES)
    return rows


def test_normalised_text_keys_ignore_case_and_spacing_only():
    keys = text_keys(["Russia  said no.", " russia said\nno. ", "Russia said no!", None])
    assert keys[0] == keys[1] and keys[0] != keys[2] and keys[3] == text_keys([""])[0]


def test_a_driver_sentence_two_articles_share_is_quoted_once(tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", wire_rows(0))
    make_report(path, tmp_path / "out", n_boot=0, n_perm=10, examples=2)
    markdown = (tmp_path / "out" / "report.md").read_text()
    cell = markdown.split("### Daily A · Russia")[1].split("###")[0]
    assert cell.count("rejected the proposal") == 1, cell
    assert "(in 2 articles)" in cell
    assert len([line for line in cell.splitlines() if line.startswith("> **against")]) == 2  # another sentence
    herald = markdown.split("### Herald B · Russia")[1].split("###")[0]
    assert herald.count("rejected the proposal") == 1 and "(in " not in herald
    html = (tmp_path / "out" / "report.html").read_text()
    assert html.count("(in 2 articles)") == 1


def test_examples_kept_chunk_by_chunk_keep_each_sentence_once(tmp_path, monkeypatch):
    import classifier.evaluate as evaluate_module

    path = write_jsonl(tmp_path / "p.jsonl", wire_rows(0))
    whole = gather(path, examples=2)
    monkeypatch.setattr(evaluate_module, "FRAME_CHUNK_ROWS", 7)
    chunked = gather(path, examples=2)
    assert list(chunked.examples["id"]) == list(whole.examples["id"])
    daily = chunked.examples[(chunked.examples["source"] == "Daily A") & (chunked.examples["actor"] == "Russia")]
    assert (daily["text"] == WIRE).sum() == 1
    assert chunked.example_articles == whole.example_articles
    assert chunked.wire_copy == whole.wire_copy


def test_outlets_sharing_sentences_are_named_in_every_file(tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", wire_rows(30))
    result = make_report(path, tmp_path / "out", n_boot=0, n_perm=10)
    wire = json.loads((tmp_path / "out" / "report.json").read_text())["wire_copy"]
    outlets = {r["outlet"]: r for r in wire["outlets"]}
    # Daily A: its 30 copied sentences and its two agency ones; Herald B its 30 and one agency one, of 80 each
    assert outlets["Daily A"]["n_shared"] == 32 and outlets["Herald B"]["n_shared"] == 31
    assert outlets["Daily A"]["share"] == 32 / 80 and outlets["Times C"]["n_shared"] == 0
    assert outlets["Daily A"]["sentences_shared"] == 31 and outlets["Daily A"]["most_with"] == "Herald B"
    assert wire["pairs"] == [{"outlets": ["Daily A", "Herald B"], "sentences": 31,
                              "share_of_first": 31 / 79, "share_of_second": 31 / 80}]
    assert wire["flagged"] == ["Daily A", "Herald B"] and wire["threshold"] == SHARED_SHARE
    for name in ("report.md", "report.html"):
        text = (tmp_path / "out" / name).read_text()
        assert "Shared wire copy" in text and "Daily A 40%" in text and "Herald B (31)" in text, name
    assert result["wire_note"].startswith("2 outlets share more than 10% of their mentions")


def test_a_little_shared_copy_is_counted_but_not_flagged(tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", wire_rows(4))  # Daily A 6 of 80 (7.5%), Herald B 5 of 80
    make_report(path, tmp_path / "out", n_boot=0, n_perm=10)
    wire = json.loads((tmp_path / "out" / "report.json").read_text())["wire_copy"]
    assert wire["flagged"] == [] and wire["outlets"][0]["n_shared"] == 6
    assert "Shared wire copy" not in (tmp_path / "out" / "report.md").read_text()
    assert "Shared wire copy" not in (tmp_path / "out" / "report.html").read_text()


def test_shared_copy_counts_mentions_and_distinct_sentences():
    import pandas as pd

    texts = pd.DataFrame({"outlet": ["A", "A", "B", "B", "C"], "actor_name": ["x", "y", "x", "x", "x"],
                          "text_key": [1, 1, 1, 2, 2], "article_key": [10, 10, 20, 21, 30],
                          "n": [1, 1, 1, 1, 1]}).astype({"outlet": "category", "actor_name": "category"})
    found = shared_copy(texts)
    outlets = {r["outlet"]: r for r in found["outlets"]}
    assert (outlets["A"]["n"], outlets["A"]["n_shared"], outlets["A"]["sentences"]) == (2, 2, 1)
    assert (outlets["B"]["n_shared"], outlets["B"]["sentences_shared"]) == (2, 2)
    assert [p["outlets"] for p in found["pairs"]] == [["A", "B"], ["B", "C"]]


def test_outlet_pairs_count_the_sentences_two_outlets_share_as_a_join_would():
    import numpy as np
    import pandas as pd

    from classifier.report.wire import outlet_pairs

    rng = np.random.default_rng(0)
    shared = pd.DataFrame({"outlet": rng.choice(["A", "B", "C", "D"], 400), "text_key": rng.integers(0, 60, 400)})
    shared = shared.drop_duplicates().reset_index(drop=True)
    joined = shared.merge(shared, on="text_key", suffixes=("_a", "_b"))
    joined = joined[joined["outlet_a"] < joined["outlet_b"]].groupby(["outlet_a", "outlet_b"]).size()
    pairs = outlet_pairs(shared).set_index(["outlet_a", "outlet_b"])["sentences"]
    assert pairs.sort_index().to_dict() == joined.sort_index().to_dict() and len(pairs) == 6
    assert outlet_pairs(shared.iloc[:0]).empty
