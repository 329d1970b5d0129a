"""What a chart's marker and a table's mark say: the split chart's sides apart from a missing interval, ‡ on every
interval of no width, and why intervals are missing under --n-boot 0."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from test_report_polish import filled  # noqa: E402
from test_report_split import DAY  # noqa: E402

NAN = float("nan")


def test_the_split_chart_tells_a_side_from_a_side_without_an_interval():
    """"before" was drawn hollow, and so was a side without an interval: a hollow marker could be either. The side
    is now the marker's shape (square before, circle after), hollow only where there is no interval."""
    from classifier.report.split import SIDE_MARKERS, split_chart

    row = {"actor": "NATO", "n_before": 20, "n_after": 20, "change": -0.5, "changed": "cannot", "small": False}
    table = pd.DataFrame([row | {"outlet": "A", "net_before": 0.5, "net_before_lo": 0.3, "net_before_hi": 0.7,
                                 "net_after": -0.5, "net_after_lo": NAN, "net_after_hi": NAN},
                          row | {"outlet": "B", "net_before": 0.2, "net_before_lo": NAN, "net_before_hi": NAN,
                                 "net_after": 0.1, "net_after_lo": -0.1, "net_after_hi": 0.3}])
    axes = split_chart(table, "NATO", DAY).axes[0]
    points = {(line.get_marker(), float(line.get_xdata()[0])): filled(line) for line in axes.get_lines()
              if len(line.get_xdata()) == 1}
    before, after = SIDE_MARKERS["before"], SIDE_MARKERS["after"]
    assert before != after
    assert points == {(before, 0.5): True, (after, -0.5): False, (before, 0.2): False, (after, 0.1): True}
    legend = [text.get_text() for text in axes.get_legend().get_texts()]
    assert legend == [f"before {DAY}", "on or after", "hollow: no interval"]
    assert "hollow: fewer than 5 articles, no interval" in axes.get_xlabel()
    assert "square: before" in axes.get_xlabel() and "open: before" not in axes.get_xlabel()


def test_a_change_or_tone_interval_of_no_width_is_marked_as_a_net_stance_one_is(tmp_path):
    """‡ was on the framing, time and headline tables' net stance only: the --compare change of two files that agree
    read "[+0.00, +0.00]", as certain, and so would a tone every resample agreed on."""
    from classifier.report import make_report, tables
    from classifier.report.compare import moved_rows
    from test_evaluate import write_jsonl
    from test_report_split import corpus

    cells = pd.DataFrame([{"outlet": "A", "actor": "X", "n": 20, "n_articles": 6, "net_old": 0.1, "net_new": 0.1,
                           "change": 0.0, "change_lo": 0.0, "change_hi": 0.0, "moved": False, "small": False}])
    assert moved_rows(cells, 10)[1][0][7] == "[+0.00, +0.00]‡"
    tone = pd.DataFrame([{"outlet": "A", "actor": "X", "n": 20, "n_articles": 6, "net": 0.1, "net_lo": 0.0,
                          "net_hi": 0.2, "n_tone": 20, "tone": 0.3, "tone_lo": 0.3, "tone_hi": 0.3}
                         | {f"share_{k}": 0.3 for k in ("favor", "against", "neutral")}
                         | {f"mean_p_{k}": 0.3 for k in ("favor", "against", "neutral")}])
    assert tables.framing_rows(tone, 10)[1][0][-1] == "[+0.30, +0.30]‡"
    rows = corpus()
    result = make_report(write_jsonl(tmp_path / "p.jsonl", rows), tmp_path / "out", n_boot=50, n_perm=50,
                         compare=write_jsonl(tmp_path / "old.jsonl", rows))
    assert not tables.has_no_spread(tables.framing_rows(result["table"], 10))  # the ‡ below is the change's
    page = (tmp_path / "out" / "report.md").read_text()
    assert page.count("‡ marks an interval of zero width") == 1 and r"\[+0.00, +0.00\]‡" in page


def test_without_resampling_the_charts_and_notes_say_so_not_that_articles_are_few(tmp_path):
    """--n-boot 0: every point hollow, and the footer said "fewer than 5 articles"; the compare table called a cell
    of many articles "no", not moved, though no interval was drawn."""
    from classifier.report import make_report
    from classifier.report.plots import actor_intervals
    from classifier.report.split import split_chart
    from classifier.report.timeline import timeline_chart
    from test_evaluate import write_jsonl
    from test_report_polish import cells
    from test_report_split import corpus

    table = cells([("A", "2021-01", 40, 12, 0.1, NAN, NAN), ("A", "2021-02", 40, 12, -0.5, NAN, NAN)])
    row = {"actor": "X", "outlet": "A", "n_before": 20, "n_after": 20, "net_before": 0.5, "net_after": -0.5,
           "change": -1.0, "changed": "no", "small": False, "net_before_lo": NAN, "net_before_hi": NAN,
           "net_after_lo": NAN, "net_after_hi": NAN}
    footers = [timeline_chart(table, "X", "month", n_boot=0).axes[0].get_xlabel(),
               actor_intervals(table.assign(outlet=["A", "B"]), "X", n_boot=0).axes[0].get_xlabel(),
               split_chart(pd.DataFrame([row]), "X", DAY, n_boot=0).axes[0].get_xlabel()]
    for footer in footers:
        assert "hollow: no interval, --n-boot 0 asked for no resampling" in footer and "fewer than 5" not in footer
    rows = corpus()
    for row in rows:
        row["kind"] = "headline" if row["id"].endswith("-0") else "body"
    result = make_report(write_jsonl(tmp_path / "p.jsonl", rows), tmp_path / "out", n_boot=0, n_perm=50,
                         compare=write_jsonl(tmp_path / "old.jsonl", rows), split_date=DAY, period="month")
    page = " ".join((tmp_path / "out" / "report.md").read_text().split())
    assert "cell from fewer than 5 articles has none" not in page and "Intervals are 95%" not in page
    assert "No intervals (--n-boot 0 asked for no resampling, seed 0)" in page
    for said in ("No cell has a 95% interval (–): --n-boot 0 asked for no resampling.",
                 "No period has an interval: --n-boot 0",
                 "interval by article (none here: --n-boot 0 asked for no resampling)",
                 "No side and no change has an interval here: --n-boot 0",
                 "No change has an interval: --n-boot 0 asked for no resampling"):
        assert said in page, said
    assert "| no interval |" in page  # the compare table's 'moved'
    from classifier.report.compare import moved_rows

    many = result["compare"]["cells"].query("n_articles >= 5")
    assert len(many) and {r[-1] for r in moved_rows(many, 10, 0)[1]} == {"no interval"}


def test_the_compare_evaluation_says_too_few_articles_once(tmp_path):
    """The "Before and after" note gave the too-few-articles reason, then the verdict gave it again."""
    from classifier.report import make_report
    from test_evaluate import prediction_rows, write_jsonl

    rows = prediction_rows(40, per_article=20)
    old = [{**row, "label": new["label"]} for row, new in zip(prediction_rows(40, per_article=20, seed=1,
                                                                              model="old@1"), rows)]
    make_report(write_jsonl(tmp_path / "p.jsonl", rows), tmp_path / "out", n_boot=50, n_perm=50,
                compare=write_jsonl(tmp_path / "o.jsonl", old))
    page = (tmp_path / "out" / "report.md").read_text()
    assert "Both models on the 40 gold-labelled items" in page and page.count("too few for a bootstrap") == 1


def test_the_terminal_framing_table_keys_each_mark_it_shows_and_no_other(tmp_path):
    """The console's framing table showed † and – (no interval: fewer than 5 articles) with no key, and ‡ with the
    page's paragraph, which speaks of an articles column the console has not. One line now keys each mark a shown
    cell holds, and a table without marks gets none."""
    import importlib

    from typer.testing import CliRunner

    from classifier.cli.app import app

    importlib.import_module("classifier.cli.report")  # registers the command
    from test_evaluate import prediction_rows, write_jsonl

    rows = prediction_rows(200, labelled=False, outlets={"Daily A": 0.5, "Paper B": -0.3})
    plain = write_jsonl(tmp_path / "plain.jsonl", rows)
    rows += [{**rows[0], "id": f"w{i}", "source": "Wire C", "actor": "Russia", "text": f"Russia was noted {i}.",
              "spans": [[0, 6]], "article": f"W-{i // 2}", "stance": "neutral"} for i in range(12)]  # all neutral
    rows += [{**rows[0], "id": f"d{i}", "source": "Post D", "actor": "NATO", "text": f"NATO acts {i}.",
              "spans": [[0, 4]], "article": f"D-{i // 2}"} for i in range(4)]  # † and –: 4 mentions, 2 articles
    marked = write_jsonl(tmp_path / "marked.jsonl", rows)

    def console(path, *options):
        result = CliRunner().invoke(app, ["report", str(path), "--out", str(tmp_path / "out"), "--n-perm", "10",
                                          "--period", "none", *options])
        assert result.exit_code == 0, result.output
        return " ".join(result.output.split())

    said = console(marked, "--n-boot", "50")
    assert "† fewer than 10 mentions; – no interval (fewer than 5 articles)" in said, said
    assert "‡" not in said  # the all-neutral cell's interval has width (framing.net_interval's pseudo-articles)
    assert "the articles column" not in said  # the page's ‡ paragraph, of a column the console does not show
    from classifier.report.tables import terminal_key

    flat = (["outlet", "actor", "n", "net", "95% CI"], [["Wire C", "Russia", "12", "+0.00", "[+0.00, +0.00]‡"]])
    assert terminal_key(flat, 10, 50) == "‡ zero width: every resample gave the same value, which is no certainty"
    said = console(plain, "--n-boot", "50")
    assert "† fewer" not in said and "– no interval" not in said and "‡" not in said
    assert "– no interval (--n-boot 0 asked for no resampling)" in console(plain, "--n-boot", "0")
