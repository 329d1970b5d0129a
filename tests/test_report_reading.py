"""What a researcher reading a report's time charts misread, found on a synthetic corpus of 5 outlets x 6 actors x 18
months with a --split-date (2026-12-07 (9))."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import classifier.report
from classifier.report import make_report
from classifier.report.timeline import split_position, timeline_chart

sys.path.insert(0, str(Path(__file__).parent))
from test_evaluate import write_jsonl  # noqa: E402
from test_report_split import DAY, corpus  # noqa: E402


def cells(rows: list[tuple]) -> pd.DataFrame:
    """A time view's rows: (outlet, period, n, n_articles, net, net_lo, net_hi), of the actor "X"."""
    frame = pd.DataFrame(rows, columns=["outlet", "period", "n", "n_articles", "net", "net_lo", "net_hi"])
    return frame.assign(actor="X", small=frame["n"] < 10)


def test_a_last_period_of_one_article_is_joined_by_a_dotted_line_not_the_outlets_own():
    """The corpus's last month held one article per outlet (net +1 or -1, no interval): the outlet's solid line ran
    from -0.25 to -1 in its longest and steepest stroke, read as a collapse."""
    table = cells([("A", "2021-01", 40, 12, -0.2, -0.4, 0.0), ("A", "2021-02", 40, 12, -0.25, -0.45, -0.05),
                   ("A", "2021-03", 2, 1, -1.0, np.nan, np.nan)])
    axes = timeline_chart(table, "X", "month").axes[0]
    own = [line for line in axes.get_lines() if line.get_label() == "A"]
    assert len(own) == 1
    ys = np.asarray(own[0].get_ydata(), float)
    assert np.allclose(ys[:2], [-0.2, -0.25]) and np.isnan(ys[2])  # the solid line stops before the weak period
    joins = [line for line in axes.get_lines() if line.get_label().startswith("_") and len(line.get_ydata()) == 3]
    assert any(np.isclose(np.asarray(line.get_ydata(), float)[2], -1.0) for line in joins)  # still on its path
    keys = [text.get_text().replace("\n", " ") for text in axes.get_legend().get_texts()]
    assert "faint dots: to a period of fewer than 5 articles or 10 mentions" in keys
    steady = cells([("A", "2021-01", 40, 12, -0.2, -0.4, 0.0), ("A", "2021-02", 40, 12, -0.25, -0.45, -0.05)])
    keys = [text.get_text() for text in timeline_chart(steady, "X", "month").axes[0].get_legend().get_texts()]
    assert not any(key.startswith("faint dots") for key in keys)  # the key says only what the chart draws


def test_the_line_to_a_thin_period_is_not_an_outlets_dotted_line():
    """The line joining a thin period was ':' (1.0 wide, alpha 0.7), the style the outlets 17 to 24 of a report
    have for their own lines (plots.OUTLET_LINES): such an outlet's weak stretch read as more of its line. Now it is
    sparse dots, thinner and fainter than any outlet's line, in the outlet's colour; the legend keys it so."""
    from matplotlib.colors import to_hex

    from classifier.report.plots import OUTLET_LINES, report_styles

    table = cells([("A", "2021-01", 40, 12, -0.2, -0.4, 0.0), ("A", "2021-02", 40, 12, -0.25, -0.45, -0.05),
                   ("A", "2021-03", 2, 1, -1.0, np.nan, np.nan)])
    for rank, (line, _) in enumerate(OUTLET_LINES):  # an outlet of each line style: a report's 1st, 9th, 17th, 25th
        styles = report_styles([f"other {i}" for i in range(8 * rank)] + ["A"])
        assert styles["A"].line == line
        axes = timeline_chart(table, "X", "month", styles=styles).axes[0]
        own = next(drawn for drawn in axes.get_lines() if drawn.get_label() == "A")
        join = [drawn for drawn in axes.get_lines() if drawn.get_label().startswith("_")
                and np.isclose(np.asarray(drawn.get_ydata(), float)[-1], -1.0) and drawn.get_linestyle() != "None"]
        assert len(join) == 1, line
        join = join[0]
        assert to_hex(join.get_color()) == to_hex(own.get_color()) == to_hex(styles["A"].colour)  # the outlet's
        assert join.get_linewidth() < own.get_linewidth() and join.get_alpha() <= 0.5 and own.get_alpha() in (None, 1)
        # another dash pattern than the outlet's (get_linestyle says "--" of any pattern not named)
        assert join._unscaled_dash_pattern != own._unscaled_dash_pattern, line
        key = dict(zip((" ".join(text.get_text().split()) for text in axes.get_legend().get_texts()),
                       axes.get_legend().legend_handles))
        drawn = key["faint dots: to a period of fewer than 5 articles or 10 mentions"]
        assert (drawn.get_linewidth(), drawn.get_alpha()) == (join.get_linewidth(), join.get_alpha())


def test_the_split_date_is_marked_on_every_time_chart_where_it_falls(tmp_path, monkeypatch):
    """With --split-date the time charts drew no mark of the day, so a reader could not see which points the change
    section compares."""
    assert split_position(["2021-01", "2021-02", "2021-03"], "month", "2021-02-15") == 1.0  # 14 of 28 days
    assert split_position(["2021-01", "2021-02"], "month", "2021-01-01") == -0.5
    assert split_position(["2021-01", "2021-02"], "month", "2022-06-01") is None
    table = cells([("A", "2021-01", 40, 12, 0.1, -0.1, 0.3), ("A", "2021-02", 40, 12, 0.2, 0.0, 0.4),
                   ("A", "2021-03", 40, 12, 0.3, 0.1, 0.5)])
    axes = timeline_chart(table, "X", "month", split_date="2021-02-15").axes[0]
    marks = [line for line in axes.get_lines() if "2021-02-15" in line.get_label()]
    assert len(marks) == 1 and np.allclose(marks[0].get_xdata(), 1.0)
    assert any("2021-02-15 (--split-date)" == text.get_text() for text in axes.get_legend().get_texts())
    assert not [line for line in timeline_chart(table, "X", "month").axes[0].get_lines()
                if "split-date" in line.get_label()]
    asked = []

    def recorded(*args, **kwargs):
        asked.append(kwargs.get("split_date"))
        return timeline_chart(*args, **kwargs)

    monkeypatch.setattr(classifier.report, "timeline_chart", recorded)
    make_report(write_jsonl(tmp_path / "p.jsonl", corpus()), tmp_path / "out", n_boot=20, n_perm=20,
                period="month", split_date=DAY)
    assert asked and set(asked) == {DAY}


def test_the_page_opens_with_a_link_to_each_of_its_sections(tmp_path):
    """The page had no contents: "Change at DAY" lay below the time view's table (570 rows on the synthetic corpus)
    and a reader asking whether an outlet changed at the day scrolled to find it."""
    make_report(write_jsonl(tmp_path / "p.jsonl", corpus()), tmp_path / "out", n_boot=20, n_perm=20,
                period="month", split_date=DAY)
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    headings = re.findall(r'<h2 id="([^"]*)">', page)
    nav = re.search(r'<nav class="contents">(.*?)</nav>', page)
    assert nav and page.index("<nav") < page.index("<h2")
    assert re.findall(r'<a href="#([^"]*)">', nav.group(1)) == headings
    assert f'<a href="#change-at-{DAY}">Change at {DAY}</a>' in nav.group(1)
