"""What the report page says about change (--compare, --split-date), as a researcher reading a report of a synthetic
corpus of 5 outlets x 6 actors x 18 months misread it (2026-12-07 (9))."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd

from classifier.report import make_report
from classifier.report.compare import moved_rows
from classifier.report.split import split_chart

sys.path.insert(0, str(Path(__file__).parent))
from test_evaluate import write_jsonl  # noqa: E402
from test_report_split import DAY, corpus  # noqa: E402

NAN = float("nan")


def test_an_interval_bound_near_zero_says_which_side_of_zero_it_is_on():
    """Rounded to 2 decimals, the moved cell's interval read [-0.15, -0.00] and the unmoved one's [-0.13, +0.00]:
    0 at the edge with opposite verdicts. A bound that is not zero now keeps decimals enough to show its side."""
    from classifier.report.split import change_line
    from classifier.report.tables import net_interval

    cells = pd.DataFrame([{"outlet": "RT", "actor": "NATO", "n": 915, "n_articles": 524, "net_old": -0.17,
                           "net_new": -0.24, "change": -0.074, "change_lo": -0.148, "change_hi": -0.0020,
                           "moved": True, "small": False},
                          {"outlet": "H", "actor": "Russia", "n": 899, "n_articles": 500, "net_old": -0.16,
                           "net_new": -0.23, "change": -0.067, "change_lo": -0.132, "change_hi": 0.0044,
                           "moved": False, "small": False}])
    rows = moved_rows(cells, 10)[1]
    assert [(row[7], row[8]) for row in rows] == [("[-0.15, -0.002]", "yes"), ("[-0.13, +0.004]", "no")]
    assert net_interval(-0.00004, 0.3) == "[-0.00004, +0.30]" and net_interval(-0.1, 0.2) == "[-0.10, +0.20]"
    assert net_interval(0.0, 0.0) == "[+0.00, +0.00]‡" and net_interval(-0.0, 0.2) == "[+0.00, +0.20]"
    split = {"actor": "NATO", "outlet": "RT", "net_before": 0.1, "net_after": -0.1, "change": -0.2,
             "change_lo": -0.4, "change_hi": -0.003, "p_holm": 0.04}
    assert "95% CI [-0.40, -0.003]; Holm-adjusted p = 0.040)" in change_line(split)  # the terminal's and findings'


def test_the_split_chart_gives_each_outlet_its_change_and_adjusted_p():
    """The rows read "The Guardian (no)": neither the change nor its p. Each now reads as the table does."""
    base = {"actor": "NATO", "n_before": 20, "n_after": 20, "small": False} | {
        f"net_{side}_{end}": NAN for side in ("before", "after") for end in ("lo", "hi")}
    table = pd.DataFrame([base | {"outlet": "A", "net_before": 0.3, "net_after": -0.1, "change": -0.4, "p_holm": 0.0002,
                                  "changed": "yes"},
                          base | {"outlet": "B", "net_before": 0.1, "net_after": -0.03, "change": -0.13,
                                  "p_holm": 0.45, "changed": "no"},
                          base | {"outlet": "C", "net_before": 0.0, "net_after": 0.2, "change": 0.2, "p_holm": NAN,
                                  "changed": "too few"}])
    figure = split_chart(table, "NATO", DAY)
    labels = [" ".join(label.get_text().split()) for label in figure.axes[0].get_yticklabels()]
    assert labels == ["C +0.20, too few", "B -0.13, p=0.450", "A -0.40, p<0.001, changed"]
    assert "the change, after − before, and its Holm-adjusted p" in figure._suptitle.get_text()


def test_the_page_findings_open_with_what_changed_at_the_split_date(tmp_path):
    """With --split-date the findings named outlet differences alone; which cells changed at the day was said at the
    end of the section's long note. The first finding now says it, linked to the section."""
    from classifier.report.split import split_finding

    make_report(write_jsonl(tmp_path / "p.jsonl", corpus()), tmp_path / "out", n_boot=20, n_perm=20, period="none",
                split_date=DAY)
    findings = [line for line in (tmp_path / "out" / "report.md").read_text().splitlines() if line.startswith("- ")]
    assert findings[0].startswith(f"- Change at {DAY}: 1 of the 2 cells tested changed (Holm-adjusted p &lt; 0.05); "
                                  "the largest change: NATO: RT +0.19 before, -0.19 on or after (change -0.39")
    assert findings[0].endswith(f"([Change at {DAY}](#change-at-{DAY}))")
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert 'the largest change: NATO: RT' in page and f'(<a href="#change-at-{DAY}">Change at {DAY}</a>)</li>' in page
    row = {"actor": "NATO", "outlet": "BBC", "net_before": 0.1, "net_after": 0.05, "change": -0.05, "change_lo": -0.2,
           "change_hi": 0.1, "p_holm": 0.8, "changed": "no"}
    view = {"date": DAY, "n_tests": 2, "table": pd.DataFrame([row, row | {"outlet": "RT", "change": 0.3,
                                                                          "changed": "too few"}])}
    assert split_finding(view).startswith(f"Change at {DAY}: no cell changed beyond chance (Holm-adjusted p ≥ 0.05 "
                                          "in all 2 cells tested; this is not evidence that none changed); the "
                                          "largest change: NATO: BBC")  # not RT's untested +0.30
    one = view | {"n_tests": 1, "table": view["table"].iloc[:1]}  # read "1 of the 1 cell tested changed"
    assert split_finding(one).startswith(f"Change at {DAY}: no cell changed beyond chance (Holm-adjusted p ≥ 0.05 in "
                                         "the one cell tested; this is not evidence that none changed); its change: "
                                         "NATO: BBC")
    assert split_finding(one | {"table": one["table"].assign(changed="yes", p_holm=0.01)}).startswith(
        f"Change at {DAY}: the one cell tested changed (Holm-adjusted p < 0.05); its change: NATO: BBC +0.10 before")
    assert "no change was tested" in split_finding(view | {"n_tests": 0})
    assert "no outlet and actor has dated articles" in split_finding(view | {"table": pd.DataFrame()})


def test_the_section_links_say_which_sections_are_empty_for_want_of_an_option(tmp_path):
    """Without --gold and --model, "Evaluation on gold labels" and "Model card" hold one note each (as every
    optional section does, the same in report.md), and the line of links led a reader to them as to the others."""
    make_report(write_jsonl(tmp_path / "p.jsonl", corpus()), tmp_path / "out", n_boot=20, n_perm=20, period="none")
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    nav = re.search(r'<nav class="contents">(.*?)</nav>', page).group(1)
    said = re.findall(r'>([^<]*)</a> \(empty: no (--\w+)\)', nav)
    assert said == [("Shares corrected for classifier error", "--gold"), ("Evaluation on gold labels", "--gold"),
                    ("Model card", "--model")]
    assert re.findall(r'<a href="#([^"]*)">', nav) == re.findall(r'<h2 id="([^"]*)">', page)
    assert "No model card: pass --model DIR" in page
