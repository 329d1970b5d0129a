"""Counts people read: one form, with a thousands separator from 1,000 up, wherever they are written."""

import numpy as np
from typer.testing import CliRunner

from classifier.cli.main import app  # every command registered

from classifier.cli.prepare import skipped_summary
from classifier.ingest import Skipped
from classifier.report import tables
from classifier.report.timeline import trend_count
from classifier.visible import counted, numeral


def test_a_count_of_a_thousand_or_more_has_a_thousands_separator():
    assert [numeral(n) for n in (0, 999, 1000, 151141, np.int64(151141))] == ["0", "999", "1,000", "151,141",
                                                                              "151,141"]
    assert counted(5000, "file skipped", "files skipped") == "5,000 files skipped"
    assert counted(1, "article") == "1 article"


def test_what_is_not_an_integer_is_written_as_it_is():
    assert [numeral(x) for x in (0.12, "week", True, None)] == ["0.12", "week", "True", "None"]


def test_prepare_summary_and_its_warning_write_a_count_alike():
    # the summary said "5000 files skipped" beside the warning's "skipped 4,997 more unreadable files"
    skipped = [Skipped(f"corpus/{i}.txt", "unreadable") for i in range(5000)]
    assert skipped_summary(skipped) == "5,000 files skipped"


def test_prepare_summary_and_mentions_line_of_a_large_corpus(tmp_path):
    # "1200 articles, 2400 sentences, 4800 items (2 actors)" and "mentions: Russia 2400, China 2400" before
    table = tmp_path / "articles.jsonl"
    table.write_text("".join(f'{{"id": "a{i}", "text": "Russia spoke on day {i}. China said no."}}\n'
                             for i in range(1000)))
    result = CliRunner().invoke(app, ["prepare", str(table), "--out", str(tmp_path / "items.jsonl")],
                                catch_exceptions=False)
    said = " ".join(result.output.split())
    assert result.exit_code == 0 and "1,000 articles, 2,000 sentences, 2,000 items (2 actors)" in said, said
    assert "mentions: Russia 1,000, China 1,000" in said, said
    assert (tmp_path / "items.jsonl").read_text().count("\n") == 2000  # the items file: no count written in it


def test_counts_written_by_hand_in_a_note_have_the_separator_too():
    assert trend_count(3, 1200, 4500) == ("3 of the 1,200 cells tested rose or fell; the other 3,300 of the 4,500 "
                                          "cells were too few to test.")


def test_a_page_table_writes_its_counts_for_people():
    # a Markdown or HTML table cell is read by people; framing.csv and report.json keep the numbers
    _, rows = tables.confusion_rows({"labels": ["favor", "against"], "confusion_matrix": [[1200, 3], [4, 98765]]})
    assert rows == [["gold favor", "1,200", "3"], ["gold against", "4", "98,765"]]
