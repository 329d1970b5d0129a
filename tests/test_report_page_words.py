"""The report page says one thing one way: each verdict word one meaning, keyed under its table; one interval
format; findings that link to the tables they speak of; a reliability diagram that shows each point's items."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from classifier.report import make_report
from classifier.report.tables import VERDICT_MEANINGS

sys.path.insert(0, str(Path(__file__).parent))
from test_evaluate import prediction_rows, write_jsonl  # noqa: E402


@pytest.fixture(scope="module")
def small_report(tmp_path_factory) -> Path:
    """A report of a few articles an outlet, dated: every outlet test is 'cannot', every trend 'too few'."""
    folder = tmp_path_factory.mktemp("report")
    rows = [dict(row, date=f"2024-0{1 + index % 3}-15")
            for index, row in enumerate(prediction_rows(72, per_article=12))]
    make_report(write_jsonl(folder / "p.jsonl", rows), folder / "out", n_boot=50, n_perm=50)
    return folder / "out"


def test_each_verdict_word_is_keyed_in_one_legend_line_under_its_table(small_report):
    """'cannot' (a test that ran but can never reach p < 0.05 after Holm) and 'too few' (nothing tested) each
    mean one thing in every table; the outlet tests' and the trend's tables key the words they show in one line
    under the table (before 2026-12-07 (7) the outlet tests' table had none, the trend's words were explained only
    inside the time view's paragraph)."""
    markdown = (small_report / "report.md").read_text()
    page = (small_report / "report.html").read_text()
    tests_legend = f"differs: 'cannot': {VERDICT_MEANINGS['cannot']}."
    trend_legend = f"trend: 'too few': {VERDICT_MEANINGS['too few']} (fewer than 10 dated articles or 3 periods)."
    for legend in (tests_legend, trend_legend):
        assert legend in markdown.replace("\\_", "_")
        assert f'<p class="note">{legend.replace(chr(39), "&#39;")}</p>' in page
    assert markdown.index("| cannot |") < markdown.index(tests_legend)
    assert "too few articles for any test" not in markdown and "('cannot' in the outlet tests)" in markdown


def test_every_interval_on_the_page_is_written_one_way(tmp_path):
    """The page wrote intervals as "[0.394, 0.551]" (overall, per class), "0.39–0.58" (per source) and
    "100% [40%–70%]" (corrected shares): every one is now "[low, high]"."""
    from classifier.report.tables import corrected_rows, group_rows, short_interval

    assert short_interval((0.391, 0.582)) == "[0.39, 0.58]" and short_interval(None) == "–"
    result = make_report(write_jsonl(tmp_path / "p.jsonl", prediction_rows(240)), tmp_path / "out", n_boot=50,
                         n_perm=50)
    markdown = (tmp_path / "out" / "report.md").read_text()
    cells = [cell.strip() for line in markdown.splitlines() if line.startswith("|") for cell in line.split("|")]
    dashed = [cell for cell in cells if re.search(r"\d%?\s*–\s*[-+]?\d", cell)]
    assert not dashed, dashed[:5]
    per_source = group_rows("source", result["evaluation"]["groups"]["source"])[1]
    assert all(re.fullmatch(r"\[\d\.\d\d, \d\.\d\d\]", row[4]) for row in per_source), per_source
    corrected = corrected_rows(result["table"], 10)[1]
    assert any(re.search(r"\d+% \\?\[\d+%, \d+%\\?\]", cell) for cell in cells)  # markdown escapes the brackets
    assert all(re.fullmatch(r"\d+% \[\d+%, \d+%\]", cell) for row in corrected for cell in row[4:6])


def test_a_corrected_share_with_no_interval_is_a_bare_dash_where_unstable_and_the_figure_alone_elsewhere(tmp_path):
    """The corrected shares of an unstable class read "100% [–]" (their interval withheld), as did a share from
    fewer than 5 articles, where every other table writes no interval as a bare "–" and a figure with its
    interval in one cell as the figure alone. An unstable class's corrected share, whose interval cannot be
    trusted, is no finding: "–" now; a share with no interval, the figure alone; one line under the table keys
    both, each only where shown."""
    import math

    from classifier.report.tables import corrected_rows

    result = make_report(write_jsonl(tmp_path / "p.jsonl", prediction_rows(240)), tmp_path / "out", n_boot=50,
                         n_perm=50)
    table = result["table"].copy()
    table.loc[0, ["acc_favor_lo", "acc_favor_hi"]] = math.nan  # as from fewer than 5 articles
    headers, rows = corrected_rows(table, 10, {"against": "only 16 gold against items (fewer than 30)"})
    assert headers[7:9] == ["against ACC (unstable) [95% CI]", "against PACC (unstable) [95% CI]"]
    assert all(row[7] == row[8] == "–" for row in rows) and not any("[–]" in cell for row in rows for cell in row)
    assert rows[0][4] == f"{100 * table.loc[0, 'acc_favor']:.0f}%"  # the figure alone
    assert all(re.fullmatch(r"\d+% \[\d+%, \d+%\]", row[4]) for row in rows[1:])
    from classifier.report.tables import corrected_legend

    assert corrected_legend(corrected_rows(result["table"], 10)) is None  # every share with its interval
    legend = corrected_legend((headers, rows))
    assert legend.startswith("– in an (unstable) column: the class is unstable") and "without [low, high]" in legend
    assert "without [low, high]" not in corrected_legend((headers, rows[1:]))
    # on the page: a gold set of 60 items, under 30 of a class: flagged unstable, keyed under the table
    gold = write_jsonl(tmp_path / "g.jsonl", prediction_rows(60, seed=3))
    make_report(write_jsonl(tmp_path / "u.jsonl", prediction_rows(240, labelled=False)), tmp_path / "u", gold=gold,
                n_boot=50, n_perm=20)
    markdown = (tmp_path / "u" / "report.md").read_text()
    section = markdown.split("## Shares corrected for classifier error", 1)[1].split("\n## ", 1)[0]
    assert "(unstable)" in section and "\\[–\\]" not in section and "| – |" in section, section[-2000:]
    assert "– in an (unstable) column" in section and "– in an (unstable) column" in (
        tmp_path / "u" / "report.html").read_text()


def github_slug(heading: str) -> str:
    """GitHub's id of a Markdown heading, written out here apart from html.anchor: lower case, punctuation
    dropped, spaces to hyphens."""
    return "".join(c for c in heading.strip().lower() if c.isalnum() or c in "-_ ").replace(" ", "-")


def test_the_findings_at_the_top_link_to_the_tables_they_speak_of(small_report):
    """The findings said "('cannot' in the table)" of a table far down the page and linked to none: each now links
    to the heading of its table, in report.html by id and in report.md by the id GitHub gives a heading."""
    page = (small_report / "report.html").read_text()
    top = page[page.index('<ul class="findings">'):page.index('<h2 id="framing-table">')]
    items = re.findall(r"<li>(.*?)</li>", top)
    assert items and all(re.search(r'\(<a href="#[\w-]+">[^<]+</a>\)$', item) for item in items), items
    targets = set(re.findall(r'href="#([^"]+)"', page))
    assert targets >= {"outlet-tests"} and targets <= set(re.findall(r'id="([^"]+)"', page))
    markdown = (small_report / "report.md").read_text()
    headings = {github_slug(line.lstrip("#")) for line in markdown.splitlines() if line.startswith("#")}
    bullets = [line for line in markdown[:markdown.index("## Framing table")].splitlines() if line.startswith("- ")]
    assert bullets and all(re.search(r"\(\[[^\]]+\]\(#[\w-]+\)\)$", line) for line in bullets), bullets
    links = set(re.findall(r"\]\(#([^)]+)\)", markdown))
    assert "outlet-tests" in links and links <= headings, links - headings


def bins(counts):
    """A reliability curve's bins, one a tenth of confidence wide, holding ``counts`` items each."""
    return [{"lower": i / 10, "upper": (i + 1) / 10, "n": n, "confidence": i / 10 + 0.05, "accuracy": 0.5}
            for i, n in enumerate(counts)]


def test_each_reliability_point_shows_how_many_items_its_bin_holds():
    """Every point of the reliability diagram was drawn alike, so a bin of one item read as much as one of 38: each
    point's marker area is now in proportion to its bin's items, with a key of sizes."""
    from classifier.report.plots import RELIABILITY_MIN_AREA, reliability_diagram

    figure = reliability_diagram({"all items": bins([0, 0, 0, 1, 6, 21, 28, 36, 38, 0]),
                                  "RT": bins([0, 0, 0, 1, 0, 2, 4, 8, 0, 0])})
    axes = figure.axes[0]
    sizes = [list(c.get_sizes()) for c in axes.collections]

    def scaled(counts):  # in proportion, above the smallest marker (the next test)
        return [max(n * sizes[0][-1] / 38, RELIABILITY_MIN_AREA) for n in counts]

    assert len(sizes) == 2 and sizes[0] == pytest.approx(scaled((1, 6, 21, 28, 36, 38)))
    assert sizes[1] == pytest.approx(scaled((1, 2, 4, 8)))  # one scale for every curve
    keys = [legend for legend in axes.findobj(lambda o: type(o).__name__ == "Legend")]
    titles = [legend.get_title().get_text() for legend in keys]
    assert "items in the bin" in titles
    key = keys[titles.index("items in the bin")]
    assert [t.get_text() for t in key.get_texts()] == ["1 item", "10 items", "38 items"]


def test_a_reliability_point_of_one_item_among_many_is_still_visible():
    """A marker's area was in proportion to its bin's items alone: beside a bin of 1,000 items, one of 1 item was
    0.32 square points (half a point across), hidden under its curve's line, and so was the key's "1 item". A marker
    is now no smaller than plots.RELIABILITY_MIN_AREA, in the diagram and in its key, and in proportion above it."""
    import numpy as np

    from classifier.report.plots import RELIABILITY_AREA, RELIABILITY_MIN_AREA, reliability_diagram

    assert RELIABILITY_MIN_AREA >= 16  # a dot at least 4 points across, as the rendered PNG was checked
    axes = reliability_diagram({"all items": bins([0, 0, 0, 1, 3, 12, 40, 150, 400, 1000])}).axes[0]
    (points,) = axes.collections
    proportional = [RELIABILITY_AREA * n / 1000 for n in (1, 3, 12, 40, 150, 400, 1000)]
    assert list(points.get_sizes()) == pytest.approx([max(area, RELIABILITY_MIN_AREA) for area in proportional])
    assert min(points.get_sizes()) == RELIABILITY_MIN_AREA and max(points.get_sizes()) == RELIABILITY_AREA
    key = next(legend for legend in axes.findobj(lambda o: type(o).__name__ == "Legend")
               if legend.get_title().get_text() == "items in the bin")
    marks = {text.get_text(): handle.get_markersize() for text, handle in zip(key.get_texts(), key.legend_handles)}
    assert marks == pytest.approx({"1 item": np.sqrt(RELIABILITY_MIN_AREA), "200 items": np.sqrt(64.0),
                                   "1,000 items": np.sqrt(RELIABILITY_AREA)})
