"""What the report marks, orders and warns of, found missing on a researcher's walk through it."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection

from classifier.errors import InputWarning
from classifier.report import make_report, tables
from classifier.report.plots import actor_intervals, net_heatmap
from classifier.report.timeline import timeline_chart

sys.path.insert(0, str(Path(__file__).parent))
from test_evaluate import prediction_rows, write_jsonl  # noqa: E402
from test_report_split import DAY, article, corpus, day  # noqa: E402


def cells(rows: list[tuple]) -> pd.DataFrame:
    """A time view's rows: (outlet, period, n, n_articles, net, net_lo, net_hi), of the actor "X"."""
    frame = pd.DataFrame(rows, columns=["outlet", "period", "n", "n_articles", "net", "net_lo", "net_hi"])
    return frame.assign(actor="X", small=frame["n"] < 10)


def filled(line) -> bool:
    return line.get_markerfacecolor() not in ("white", "none", "#ffffff")


def marked_at(axes, x: float, y: float) -> list:
    """The lines of ``axes`` that draw a marker at (x, y)."""
    found = []
    for line in axes.get_lines():
        if line.get_marker() in (None, "None", "", " "):
            continue
        xs, ys = (np.asarray(v, float) for v in line.get_data())
        every = line.get_markevery()
        shown = np.zeros(len(xs), bool)
        shown[list(every) if every is not None else slice(None)] = True
        if np.any(shown & np.isclose(xs, x) & np.isclose(ys, y)):
            found.append(line)
    return found


def test_a_period_without_an_interval_is_drawn_hollow_and_the_footer_says_so():
    """14 mentions from one article had no interval yet the same solid point as a period of many articles."""
    table = cells([("A", "2021-01", 40, 12, 0.1, -0.1, 0.3), ("A", "2021-02", 14, 1, -0.5, np.nan, np.nan),
                   ("A", "2021-03", 40, 12, 0.2, 0.0, 0.4)])
    axes = timeline_chart(table, "X", "month").axes[0]
    at_lone = marked_at(axes, 1, -0.5)
    assert at_lone and not any(filled(line) for line in at_lone)
    assert any(filled(line) for line in marked_at(axes, 0, 0.1))  # a period with an interval stays solid
    assert "hollow: fewer than 5 articles, no interval" in axes.get_xlabel()
    framing = table.drop(columns="period").assign(outlet=["A", "B", "C"])
    chart = actor_intervals(framing, "X")
    points = [line for line in chart.axes[0].get_lines() if line.get_marker() == "o"]
    assert [filled(line) for line in sorted(points, key=lambda line: line.get_ydata()[0])] == [False, True, True]
    assert "hollow: fewer than 5 articles, no interval" in chart.axes[0].get_xlabel()


def test_an_interval_without_spread_is_marked_not_drawn_as_a_bar_of_no_length():
    """All neutral: every resample gives net 0, [+0.00, +0.00], which read as certainty and drew a bar of no length
    that the footer called a 95% CI."""
    table = cells([("A", "2021-01", 20, 6, 0.0, 0.0, 0.0), ("A", "2021-03", 20, 6, 0.3, 0.1, 0.5)])
    axes = timeline_chart(table, "X", "month").axes[0]
    bars = [c for c in axes.collections if isinstance(c, LineCollection)]
    assert all(np.ptp(segment[:, 1]) > 0 for c in bars for segment in c.get_segments())
    assert any(text.get_text() == "‡" and np.allclose(text.xy, (0, 0.0)) for text in axes.texts)
    assert "every resample gave the same value" in axes.get_xlabel()
    assert tables.net_interval(0.0, 0.0) == "[+0.00, +0.00]‡" and tables.net_interval(-0.1, 0.2) == "[-0.10, +0.20]"
    assert tables.net_interval(np.nan, np.nan) == "–"


def test_an_all_neutral_cell_gets_a_net_stance_interval_of_some_width_not_one_value(tmp_path):
    """Six articles of neutral mentions only: every resample of the articles gave net 0, [+0.00, +0.00]‡, explained
    at the top of the page as no certainty. With framing.net_interval's favor and against pseudo-articles the
    interval has width around 0, and no ‡ note is needed (the change and tone ‡: test_report_marks)."""
    rows = corpus() + [r for i in range(6) for r in article("BBC", "EU", f"n{i}", day(-30 + i), (0, 0, 3))]
    result = make_report(write_jsonl(tmp_path / "p.jsonl", rows), tmp_path / "out", n_boot=50, n_perm=50,
                         period="month")
    cell = result["table"].set_index(["outlet", "actor"]).loc[("BBC", "EU")]
    assert cell["net"] == 0 and cell["net_lo"] < 0 < cell["net_hi"]
    for name in ("report.md", "report.html"):
        page = (tmp_path / "out" / name).read_text()
        assert "[+0.00, +0.00]‡" not in page.replace("\\", "") and "‡ marks an interval" not in page


def test_every_chart_title_names_the_kind(tmp_path):
    """With --kind headline a chart shared alone read as if of all sentences."""
    table = cells([("A", "2021-01", 40, 12, 0.1, -0.1, 0.3), ("A", "2021-02", 40, 12, 0.2, 0.0, 0.4)])
    assert "in headline sentences" in timeline_chart(table, "X", "month", kind="headline").axes[0].get_title()
    framing = table.drop(columns="period").assign(outlet=["A", "B"])
    assert "in headline sentences" in actor_intervals(framing, "X", kind="headline").get_suptitle()
    assert "in headline sentences" in net_heatmap(framing, kind="headline").axes[0].get_title()
    assert "headline" not in timeline_chart(table, "X", "month").axes[0].get_title()
    rows = [r | {"kind": "headline"} for r in corpus()]
    make_report(write_jsonl(tmp_path / "p.jsonl", rows), tmp_path / "out", n_boot=20, n_perm=20, kind="headline",
                period="month", split_date=DAY)
    drawn = json.loads((tmp_path / "out" / "report.json").read_text())["plots"]
    kinds = {name.split("/")[1].split("_")[0] for name in drawn}
    assert {"net", "actor", "time", "split"} <= kinds
    for name in drawn:  # matplotlib's SVG keeps each text as a comment beside its outline
        if name.endswith(".svg"):
            assert "in headline sentences" in (tmp_path / "out" / name).read_text(), name
    assert "![NATO over time in headline sentences]" in (tmp_path / "out" / "report.md").read_text()


def test_the_time_view_goes_in_the_framing_tables_order(tmp_path):
    """It went by actor name while the charts and the framing table go by mentions."""
    rows = corpus()  # NATO (RT, BBC) has more mentions than EU (RT): by name EU came first
    make_report(write_jsonl(tmp_path / "p.jsonl", rows), tmp_path / "out", n_boot=20, n_perm=20, period="month")
    out = tmp_path / "out"
    framing = [(r["outlet"], r["actor"]) for r in csv.DictReader((out / "framing.csv").open())]
    assert framing[-1] == ("RT", "EU")
    timeline = [(r["outlet"], r["actor"], r["period"]) for r in csv.DictReader((out / "timeline.csv").open())]
    assert [cell for cell in dict.fromkeys((o, a) for o, a, _ in timeline)] == framing
    for cell in framing:
        periods = [p for o, a, p in timeline if (o, a) == cell]
        assert periods == sorted(periods)
    md_rows = [line.split(" | ")[:3] for line in (out / "report.md").read_text().split("## Over time")[1]
               .split("\n## ")[0].split("| outlet | actor | dated articles")[0].splitlines()  # not the trend table
               if line.startswith("| ") and not line.startswith("| outlet")]
    assert [(o.lstrip("| "), a, p) for o, a, p in md_rows] == timeline
    html = (out / "report.html").read_text().split("Over time")[1]
    assert html.index(f"<td>{timeline[0][0]}</td><td>{timeline[0][1]}</td>") < html.index("<td>EU</td>")


def test_the_outlet_tests_mark_small_cells_as_the_framing_table_does(tmp_path):
    make_report(write_jsonl(tmp_path / "p.jsonl", prediction_rows(240, labelled=False)), tmp_path / "out",
                n_boot=20, n_perm=20, min_n=30)
    md = (tmp_path / "out" / "report.md").read_text()
    tests = md.split("## Outlet tests")[1].split("\n## ")[0]
    ns = [line.split(" | ")[2] for line in tests.splitlines() if line.startswith("| ") and "outlet" not in line]
    assert ns and all(n.endswith("†") == (int(n.rstrip("†")) < 30) for n in ns) and any(n.endswith("†") for n in ns)
    assert tables.test_rows([{"outlet": "A", "actor": "X", "n": 3, "small": True, "net": 0.1, "net_others": 0.0,
                              "difference": 0.1, "p_value": 0.5, "p_holm": 1.0, "significant": False}])[1][0][2] == "3†"


def test_report_json_names_the_cells_of_one_side(tmp_path):
    rows = corpus() + article("BBC", "EU", "late", day(5), (1, 0, 0))
    make_report(write_jsonl(tmp_path / "p.jsonl", rows), tmp_path / "out", n_boot=20, n_perm=20, split_date=DAY)
    split = json.loads((tmp_path / "out" / "report.json").read_text())["split_date"]
    assert split["cells_one_sided"] == 1 and split["one_sided_cells"] == ["BBC · EU (after only)"]


def test_the_in_sample_gold_warning_names_the_file_as_given(tmp_path, monkeypatch):
    """The warning, said at the terminal, named --gold as the report's files do, relative to the report folder:
    run from elsewhere it read "--gold ../gold.jsonl" (the walk of 2026-12-07), a path that is not there from
    where the user stands."""
    data = tmp_path / "data"
    data.mkdir()
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    gold = write_jsonl(data / "gold.jsonl", prediction_rows(240))
    preds = write_jsonl(data / "p.jsonl", prediction_rows(240, labelled=False))
    with pytest.warns(InputWarning) as said:
        make_report(preds, data / "out", gold=gold, n_boot=20, n_perm=20, period="none")
    lines = [str(w.message) for w in said if "gold items are among" in str(w.message)]
    assert len(lines) == 1 and str(gold) in lines[0] and "../gold.jsonl" not in lines[0], lines


def test_a_gold_set_of_the_very_items_predicted_is_in_sample_and_says_so(tmp_path):
    """--gold holding the predictions' own items fitted the correction on the items it corrects, without a word."""
    gold = write_jsonl(tmp_path / "gold.jsonl", prediction_rows(240))
    preds = write_jsonl(tmp_path / "p.jsonl", prediction_rows(240, labelled=False))
    with pytest.warns(InputWarning, match=r"gold.jsonl'?: 240 of its 240 gold items are among the 240 "):
        result = make_report(preds, tmp_path / "out", gold=gold, n_boot=20, n_perm=20, period="none")
    assert result["correction"]["gold_overlap"] == 240
    page = " ".join((tmp_path / "out" / "report.md").read_text().split())
    assert ("It is fitted on the same items it corrects (240 of its 240 gold items are among the 240 items in the "
            "table, the same ids)") in page
    assert "fitted on the same items it corrects" not in result["correction_note"]  # the warning says it, once
    apart = write_jsonl(tmp_path / "apart.jsonl", [r | {"id": f"g{r['id']}"} for r in prediction_rows(240)])
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InputWarning)
        other = make_report(preds, tmp_path / "out2", gold=apart, n_boot=20, n_perm=20, period="none")
    # tiny@abc is no checkout model: its training data unknown is said, as evaluate says it; no overlap
    assert [str(w.message).split(": ", 1)[1][:29] for w in caught] == ["the training data of tiny@abc"]
    assert "fitted on the same" not in other["correction_note"] and "gold_overlap" not in other["correction"]
