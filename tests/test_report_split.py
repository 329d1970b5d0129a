"""The report's before-and-after view (``--split-date``): net stance before a day and on or after it, per cell."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from classifier.cli import report  # noqa: F401  (registers the command)
from classifier.cli.app import app
from classifier.errors import InputError
from classifier.evaluate import read_predictions
from classifier.items import LABELS
from classifier.report import make_report
from classifier.report.framing import article_sums
from classifier.report.split import split_cells, split_note, split_rows

sys.path.insert(0, str(Path(__file__).parent))
from test_evaluate import write_jsonl  # noqa: E402

runner = CliRunner()
DAY = "2022-02-24"


def article(outlet: str, actor: str, name: str, date, counts: tuple[int, int, int]) -> list[dict]:
    """One article's prediction rows: ``counts`` sentences predicted favor, against and neutral."""
    rows = []
    for label, count in zip(LABELS, counts):
        for k in range(count):
            scores = dict.fromkeys(LABELS, 0.1) | {label: 0.8}
            rows.append({"id": f"{outlet}-{actor}-{name}-{label}-{k}", "text": f"{actor} said {k}.", "actor": actor,
                         "spans": [[0, len(actor)]], "source": outlet, "article": f"{outlet}-{name}", "date": date,
                         "stance": label, "stance_scores": scores, "model": "tiny@abc"})
    return rows


def day(offset: int) -> str:
    return (pd.Timestamp(DAY) + pd.Timedelta(days=offset)).strftime("%Y-%m-%d")


# favor, against, neutral of an article: a mix whose net stance varies from article to article
MIXES = [(3, 1, 2), (2, 2, 2), (4, 1, 1), (2, 1, 3), (3, 2, 1), (1, 1, 4), (3, 0, 3), (2, 2, 2), (4, 2, 0),
         (2, 1, 3), (3, 1, 2), (1, 2, 3)]


def corpus() -> list[dict]:
    """RT turns against NATO on the day (each article's favor and against swapped); BBC's NATO articles after the
    day are those before it again (no change at all); RT's EU has 3 articles before the day."""
    rows = []
    for i, (favor, against, neutral) in enumerate(MIXES):
        rows += article("RT", "NATO", f"b{i}", day(-40 + i), (favor, against, neutral))
        rows += article("RT", "NATO", f"a{i}", day(i), (against, favor, neutral))  # the day itself is after
        rows += article("BBC", "NATO", f"b{i}", day(-40 + i), (favor, against, neutral))
        rows += article("BBC", "NATO", f"a{i}", day(1 + i), (favor, against, neutral))
        rows += article("RT", "EU", f"e{i}", day(-3 + i), (favor, against, neutral))  # 3 before, 9 after
    return rows


def view_of(rows: list[dict], tmp_path: Path, **options) -> dict:
    sums = article_sums(read_predictions(write_jsonl(tmp_path / "p.jsonl", rows)))
    return split_cells(sums, DAY, **{"n_boot": 300, "n_perm": 500, **options})


def cell(view: dict, outlet: str, actor: str) -> dict:
    table = view["table"]
    return table[(table["outlet"] == outlet) & (table["actor"] == actor)].iloc[0].to_dict()


def test_a_real_change_is_found_and_no_change_is_not(tmp_path):
    view = view_of(corpus(), tmp_path)
    rt, bbc = cell(view, "RT", "NATO"), cell(view, "BBC", "NATO")
    assert rt["n_articles_before"] == rt["n_articles_after"] == 12
    assert rt["net_before"] > 0 > rt["net_after"] and rt["change"] == pytest.approx(-2 * rt["net_before"])
    assert rt["change_hi"] < 0 and rt["p_value"] < 0.01 and rt["p_holm"] < 0.05 and rt["changed"] == "yes"
    assert bbc["change"] == pytest.approx(0) and bbc["change_lo"] < 0 < bbc["change_hi"]
    assert bbc["p_value"] > 0.5 and bbc["changed"] == "no"
    assert view["n_tests"] == 2  # Holm over the two cells tested here, apart from the outlet tests
    assert rt["p_holm"] == pytest.approx(min(1.0, 2 * rt["p_value"]))
    assert "Holm-corrected over the 2 cells tested here: a family of its own" in split_note(view, 60)


def test_a_side_of_fewer_than_5_articles_gets_no_interval_nor_test(tmp_path):
    view = view_of(corpus(), tmp_path, min_n=30)
    eu = cell(view, "RT", "EU")
    assert (eu["n_articles_before"], eu["n_articles_after"]) == (3, 9)
    # 'too few', the trend's word for a cell not tested: before 2026-12-07 (7) 'cannot', which also named a tested
    # cell whose p could never reach 0.05 after Holm
    assert np.isnan(eu["change_lo"]) and np.isnan(eu["p_value"]) and eu["changed"] == "too few"
    assert np.isnan(eu["net_before_lo"]) and np.isfinite(eu["net_after_lo"])  # each side as a framing cell
    headers, rows = split_rows(view["table"], min_n=30)
    shown = dict(zip(headers[:4], next(r for r in rows if r[1] == "EU")))
    assert shown["n before"] == "18†" and eu["small"]  # a side under --min-n mentions is marked
    assert next(r for r in rows if r[1] == "EU")[-4:] == ["–", "–", "too few", "–"]  # nor a detectable change


def test_the_count_of_changed_cells_says_how_many_could_not_be_tested(tmp_path):
    """"0 of the 3 cells with articles on both sides changed" read as three cells found unchanged where none could
    be tested (a side of fewer than 5 articles): the count now says how many are 'too few' (before 2026-12-07 (7)
    'cannot', the word for a cell tested that could never reach significance, which it counts apart)."""
    note = split_note(view_of(corpus(), tmp_path), 60)
    assert "1 of the 3 cells with articles on both sides changed (1 of them could not be tested: 'too few')." in note
    only_eu = [row for row in corpus() if row["actor"] == "EU"]  # 3 articles before the day, 9 after
    note = split_note(view_of(only_eu, tmp_path), 12)
    assert "0 of the 1 cell with articles on both sides changed (none could be tested: 'too few')." in note


def test_a_cell_tested_that_cannot_reach_significance_is_cannot_and_one_not_tested_too_few(tmp_path):
    """--split-date's 'cannot' named two states: a cell not tested (a side of fewer than 5 articles) and one tested
    whose smallest p stays above 0.05 after Holm. Now each word means one thing, as in the trend's column: the
    first is 'too few', the second 'cannot'; the note counts them apart and the legend under the table keys both."""
    from classifier.report.tables import VERDICT_MEANINGS, verdict_legend

    rows = [row for row in corpus() if row["actor"] == "EU"]  # RT: 3 articles before the day, 9 after
    for k in range(7):  # 7 cells of 5 articles a side: each tested, but its smallest p (2 / C(10, 5)) x 7 > 0.05
        rows += [r for i in range(10) for r in article(f"O{k}", "EU", f"a{i}", day(i - 5), MIXES[i])]
    view = view_of(rows, tmp_path)
    assert view["n_tests"] == 7 and cell(view, "RT", "EU")["changed"] == "too few"
    o0 = cell(view, "O0", "EU")
    assert np.isfinite(o0["p_value"]) and o0["changed"] == "cannot"
    note = split_note(view, 73)
    assert "(1 of them could not be tested: 'too few'; 7 of them could not reach significance: 'cannot')" in note
    legend = verdict_legend(split_rows(view["table"], 10), "changed", too_few="a side of fewer than 5 articles")
    assert legend == (f"changed: 'too few': {VERDICT_MEANINGS['too few']} (a side of fewer than 5 articles); "
                      f"'cannot': {VERDICT_MEANINGS['cannot']}.")



def test_undated_and_straddling_articles_are_counted_and_named(tmp_path):
    rows = corpus()
    rows += article("RT", "NATO", "nodate", None, (1, 0, 0)) + article("RT", "NATO", "slash", "24/02/2022", (1, 0, 0))
    rows += article("RT", "NATO", "year2022", "2022", (1, 0, 0))  # holds the day: on neither side
    rows += article("RT", "NATO", "year2021", "2021", (1, 0, 0))  # wholly before it
    rows += article("RT", "NATO", "march", "2022-03", (1, 0, 0))  # wholly after it
    view = view_of(rows, tmp_path)
    assert sorted(view["undated"]) == ["RT/RT-nodate", "RT/RT-slash"] and view["straddling"] == ["RT/RT-year2022"]
    rt = cell(view, "RT", "NATO")
    assert (rt["n_articles_before"], rt["n_articles_after"]) == (13, 13)
    note = split_note(view, 77)
    assert "2 of 77 article entries have no readable date" in note and "RT/RT-nodate" in note
    assert "1 of 77 article entries is dated only to a year or month that holds 2022-02-24 and is on neither" in note


def test_cells_of_one_side_only_are_named_with_their_side(tmp_path):
    """A cell with articles on one side only is left out of the table; the note named how many, not which, so a
    reader could not tell which outlet and actor had gone missing."""
    rows = corpus() + article("BBC", "EU", "late", day(5), (1, 0, 0)) + article("BBC", "China", "early", day(-5),
                                                                                (0, 1, 0))
    view = view_of(rows, tmp_path)
    assert view["n_one_sided"] == 2 and view["one_sided"] == ["BBC · China (before only)", "BBC · EU (after only)"]
    assert ("2 more have dated articles on one side only and are not shown: BBC · China (before only), BBC · EU "
            "(after only).") in split_note(view, 62)


def test_a_bad_split_date_is_one_line_naming_the_option(tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", corpus())
    for bad, said in (("2022-13-45", "no such day in the calendar"), ("2022-02-30", "no such day in the calendar"),
                      ("24/02/2022", "expected a day as YYYY-MM-DD"), ("2022-02", "expected a day as YYYY-MM-DD"),
                      ("soon", "expected a day as YYYY-MM-DD")):
        result = runner.invoke(app, ["report", str(path), "--out", str(tmp_path / "out"), "--split-date", bad])
        assert result.exit_code == 1 and f"--split-date {bad}: {said}" in result.output
        assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
        assert not (tmp_path / "out").exists()
    with pytest.raises(InputError, match=r"split_date=20220224: expected a day"):
        make_report(path, tmp_path / "out", split_date=20220224)


def test_the_report_carries_the_section_and_nothing_changes_without_it(tmp_path):
    rows = corpus()
    for row in rows:
        row["actor"] = row["actor"].replace("EU", "<b>EU</b>")
    path = write_jsonl(tmp_path / "p.jsonl", rows)
    options = dict(n_boot=100, n_perm=200, period="none")
    without = make_report(path, tmp_path / "plain", **options)
    result = make_report(path, tmp_path / "out", split_date=DAY, **options)
    out = tmp_path / "out"
    written, plain = (json.loads((folder / "report.json").read_text()) for folder in (out, tmp_path / "plain"))
    assert set(written) - set(plain) == {"split_date"} and "split_date" not in without
    assert written["split_date"]["date"] == DAY and len(written["split_date"]["cells"]) == 3
    assert isinstance(result["split_date"]["cells"], pd.DataFrame)
    assert (out / "split_date.csv").read_text().startswith("outlet,actor,n_before")
    assert result["files"]["split_date_csv"] == str(out / "split_date.csv") and "split_date_csv" not in without["files"]
    assert not (tmp_path / "plain" / "split_date.csv").exists()
    assert sorted(p.name for p in (out / "plots").glob("split_*.png")) == ["split_00_nato.png", "split_01_b-eu-b.png"]
    html, md = (out / "report.html").read_text(), (out / "report.md").read_text()
    assert f'<h2 id="change-at-{DAY}">Change at {DAY}</h2>' in html and f"## Change at {DAY}" in md
    assert "&lt;b&gt;EU&lt;/b&gt;" in html and "<b>EU</b>" not in html  # escaped, as every name
    assert "--split-date 2022-02-24" in md  # the options in "How this report was made"
    plain_html = (tmp_path / "plain" / "report.html").read_text()
    assert "Change at 2" not in plain_html and "--split-date" not in plain_html
    assert written["timeline"] == plain["timeline"] and written["tests"] == plain["tests"]


def test_a_cell_of_ample_articles_is_no_change_not_cannot_in_a_large_family(tmp_path):
    # 6 cells of 10 + 10 articles, no change, n_perm 100: 6 / 101 > 0.05, but a p below 0.05 would be drawn again
    # with 40 x 6 = 240 permutations (6 / 241 < 0.05), so each cell can reach Holm's 0.05: 'no', as the outlet tests
    rows = []
    for c in range(6):
        for i in range(10):
            rows += article("O", f"A{c}", f"b{i}", day(-20 + i), MIXES[i])
            rows += article("O", f"A{c}", f"a{i}", day(i), MIXES[(i + 3) % 12])
    view = view_of(rows, tmp_path, n_boot=0, n_perm=100)
    assert view["n_tests"] == 6 and (view["table"]["p_value"] > 0.05).all()
    assert (view["table"]["p_min"] * 6 <= 0.05).all() and (view["table"]["changed"] == "no").all()


def test_the_split_chart_footer_names_intervals_only_where_it_draws_some():
    """The thin line joins an outlet's before and after; the footer named "lines: 95% CI by article" as well, so that
    line read as an interval, and it said so on a chart of sides too small for any interval."""
    from classifier.report.split import split_chart

    nan = float("nan")
    row = {"actor": "NATO", "outlet": "A", "n_before": 20, "n_after": 20, "net_before": 0.5, "net_after": -0.5,
           "change": -1.0, "changed": "yes", "small": False}
    table = pd.DataFrame([row | {"net_before_lo": 0.3, "net_before_hi": 0.7, "net_after_lo": -0.7,
                                 "net_after_hi": -0.3}])
    footer = split_chart(table, "NATO", DAY).axes[0].get_xlabel()
    assert "joined by a line\npale bars: 95% CI by article" in footer and "lines: 95% CI" not in footer
    none = pd.DataFrame([row | {"net_before_lo": nan, "net_before_hi": nan, "net_after_lo": nan, "net_after_hi": nan,
                                "changed": "cannot"}])
    footer = split_chart(none, "NATO", DAY).axes[0].get_xlabel()
    assert "joined by a line" in footer and "95% CI" not in footer


def test_the_split_chart_and_its_caption_say_what_cannot_means_in_the_notes_words(tmp_path):
    """The chart's rows read "A (cannot)" while its title explained only 'changed': a chart shared alone left
    'cannot' unexplained. Its footer, where a drawn row is 'cannot' (or 'too few'), and the page's caption now say
    it in the split note's words (tables.VERDICT_MEANINGS, one meaning a word since 2026-12-07 (7))."""
    from classifier.report import make_report
    from classifier.report.split import changed_legend, split_chart
    from classifier.report.tables import VERDICT_MEANINGS
    from test_evaluate import write_jsonl

    nan = float("nan")
    row = {"actor": "NATO", "outlet": "A", "n_before": 20, "n_after": 20, "net_before": 0.5, "net_after": -0.5,
           "change": -1.0, "small": False} | {f"net_{side}_{end}": nan for side in ("before", "after")
                                             for end in ("lo", "hi")}
    footer = " ".join(split_chart(pd.DataFrame([row | {"changed": "cannot"}]), "NATO", DAY).axes[0]
                      .get_xlabel().split())
    assert changed_legend(["cannot"]) == f"'cannot': {VERDICT_MEANINGS['cannot']}" and changed_legend(["cannot"]) \
        in footer and "too few" not in footer
    footer = " ".join(split_chart(pd.DataFrame([row | {"changed": "too few"}]), "NATO", DAY).axes[0]
                      .get_xlabel().split())
    assert f"'too few': {VERDICT_MEANINGS['too few']} (a side of fewer than 5 articles)" in footer
    assert "cannot" not in split_chart(pd.DataFrame([row | {"changed": "no"}]), "NATO", DAY).axes[0].get_xlabel()
    result = make_report(write_jsonl(tmp_path / "p.jsonl", corpus()), tmp_path / "out", n_boot=20, n_perm=20,
                         split_date=DAY)
    assert changed_legend(["too few", "cannot"]) in result["split_date"]["note"]
    page = (tmp_path / "out" / "report.html").read_text()
    eu = changed_legend(["too few"]).replace("'", "&#39;")  # RT · EU: 3 articles before the day
    assert "whether it changed (Holm-adjusted p &lt; 0.05; " + eu + "). (also" in page
    assert '<p class="note">changed: ' + eu + ".</p>" in page  # the legend under the table


def test_the_before_and_after_table_does_not_name_its_columns_as_the_split_does():
    """A report with --compare and --split-date held two tables with "net before" and "net after": the old and
    new files' net stance in one, the sides of the day in the other."""
    from classifier.report.compare import moved_rows

    cells = pd.DataFrame([{"outlet": "A", "actor": "NATO", "n": 12, "n_articles": 6, "net_old": 0.5, "net_new": 0.1,
                           "change": -0.4, "change_lo": -0.6, "change_hi": -0.2, "moved": True}])
    headers, rows = moved_rows(cells, 10)
    assert headers[4:6] == ["net old", "net new"] and rows[0][4:6] == ["+0.50", "+0.10"]
    assert not {"net before", "net after"} & set(headers)


def test_the_terminal_names_the_cells_that_changed(tmp_path):
    """The terminal printed the section's note ("1 of the 2 cells with articles on both sides changed") but not which
    cell; each changed cell is now a line, as the outlet tests' findings are."""
    path = write_jsonl(tmp_path / "p.jsonl", corpus())
    result = runner.invoke(app, ["report", str(path), "--out", str(tmp_path / "out"), "--split-date", DAY,
                                 "--n-boot", "100", "--n-perm", "200", "--period", "none"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("- ") and " on or after " in line]
    assert len(lines) == 1 and lines[0].startswith("- NATO: RT +") and " before, -" in lines[0], lines
    assert "Holm-adjusted p = " in lines[0] and "BBC" not in lines[0]
    written = " ".join(result.output.split())  # the closing line names every file written, split_date.csv too
    assert "split_date.csv" in written[written.index("report written to"):], result.output


def test_the_terminal_names_the_cells_that_rose_or_fell_after_those_that_changed(tmp_path):
    """The time view's trend was on the page only; each cell that rose or fell is now a line after --split-date's
    (RT's NATO, which turns against NATO on the day, also falls over its three months), and none with -q."""
    path = write_jsonl(tmp_path / "p.jsonl", corpus())
    options = ["--split-date", DAY, "--n-boot", "100", "--n-perm", "200", "--period", "month"]
    result = runner.invoke(app, ["report", str(path), "--out", str(tmp_path / "out"), *options])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("- NATO: RT ") and " outlets " not in line]
    assert len(lines) == 2 and " on or after " in lines[0], lines
    assert lines[1].startswith("- NATO: RT falling over time (-") and " per 30 days over 24 dated articles" in lines[1]
    assert "Holm-adjusted p = " in lines[1] and "BBC" not in " ".join(lines)
    quiet = runner.invoke(app, ["report", str(path), "--out", str(tmp_path / "quiet"), *options, "-q"])
    assert quiet.exit_code == 0 and "over time" not in quiet.output, quiet.output


def test_a_cell_of_many_articles_can_detect_a_smaller_change_than_one_of_few(tmp_path):
    # the same articles a side, once (6 + 6) and four times over (24 + 24): the error of the change halves, and
    # so does the smallest change detectable at 80% power, so that a 'no' reads with what it could have found
    rows = []
    for copy in range(4):
        for i in range(6):
            for actor in ("Many", "Few") if copy == 0 else ("Many",):
                rows += article("O", actor, f"b{copy}-{i}", day(-20 + i), MIXES[i])
                rows += article("O", actor, f"a{copy}-{i}", day(i), MIXES[6 + i])
    view = view_of(rows, tmp_path, n_boot=0, n_perm=100)
    many, few = cell(view, "O", "Many"), cell(view, "O", "Few")
    assert (many["n_articles_before"], few["n_articles_before"]) == (24, 6)
    assert many["change"] == pytest.approx(few["change"]) and many["changed"] == few["changed"] == "no"
    assert 0 < many["mdd"] < few["mdd"] and many["mdd"] == pytest.approx(few["mdd"] / 2)
    net = [f - a for f, a, _ in MIXES]  # each article's favor - against, of its 6 sentences
    before, after = np.array(net[:6], float), np.array(net[6:], float)
    variance = sum(np.sum((side - side.mean()) ** 2) / (6 * 6) ** 2 for side in (before, after))
    assert few["mdd"] == pytest.approx((1.959964 + 0.841621) * np.sqrt(variance))  # z(0.975) + z(0.80), as tests
    headers, table = split_rows(view["table"], min_n=10)
    shown = {r[1]: dict(zip(headers, r)) for r in table}
    assert headers[-1] == "detectable" and shown["Few"]["detectable"] == f"{few['mdd']:.2f}"


def test_every_outlet_by_actor_table_begins_with_outlet_then_actor(tmp_path):
    # the split view and the outlet tests put the actor first, the framing table the outlet
    import re

    rows = corpus()
    for row in rows:
        row["kind"] = "headline" if row["id"].endswith("-0") else "body"
    path = write_jsonl(tmp_path / "p.jsonl", rows)
    old = write_jsonl(tmp_path / "old.jsonl", rows)
    out = tmp_path / "out"
    result = make_report(path, out, n_boot=50, n_perm=100, split_date=DAY, compare=old, period="week")
    frames = {"framing": result["table"], "tests": result["tests"], "timeline": result["timeline"]["rows"],
              "headlines": result["headlines"], "compare": result["compare"]["cells"],
              "split_date": result["split_date"]["cells"]}
    for name, frame in frames.items():
        assert len(frame) and list(frame.columns[:2]) == ["outlet", "actor"], name
    assert list(result["timeline"]["rows"].columns[:3]) == ["outlet", "actor", "period"]
    for name in ("framing", "outlet_tests", "timeline", "headlines", "compare", "split_date"):
        assert (out / f"{name}.csv").read_text().startswith("outlet,actor,"), name
    written = json.loads((out / "report.json").read_text())
    assert list(written["tests"][0])[:2] == list(written["split_date"]["cells"][0])[:2] == ["outlet", "actor"]
    markdown = [line for line in (out / "report.md").read_text().splitlines() if line.startswith("| ")]
    page = re.findall(r"<thead><tr>(.*?)</tr></thead>", (out / "report.html").read_text())
    for headers in ([h.strip() for h in line.strip("| ").split(" | ")] for line in markdown):
        assert "actor" not in headers or headers[:2] == ["outlet", "actor"], headers
    for headers in (re.findall(r"<th>(.*?)</th>", cells) for cells in page):
        assert "actor" not in headers or headers[:2] == ["outlet", "actor"], headers
    titled = sum("actor" in re.findall(r"<th>(.*?)</th>", cells) for cells in page)
    assert titled == 7  # framing, headlines, time view, its trend, change at the day, before and after, outlet tests
