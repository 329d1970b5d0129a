"""The report's time view, headlines against body, and what the design can show (power)."""

from __future__ import annotations

import json
import re
import sys
from math import comb
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from classifier.cli import report  # noqa: F401  (registers the command)
from classifier.cli import evaluate  # noqa: F401  (registers the command)
from classifier.cli.app import app
from classifier.evaluate import read_predictions
from classifier.report import correction_note, make_report
from classifier.report.framing import (Z_POWER, article_sums, detectable_difference, outlet_tests, power_sentences,
                                       smallest_p)
from classifier.report.timeline import choose_period, period_labels, timeline, timeline_note

sys.path.insert(0, str(Path(__file__).parent))
from test_evaluate import prediction_rows, write_jsonl  # noqa: E402

runner = CliRunner()


def dated_rows(n: int = 240, start: str = "2019-01-01", days_apart: int = 9):
    rows = prediction_rows(n, labelled=False)
    articles = sorted({r["article"] for r in rows})
    day = {a: pd.Timestamp(start) + pd.Timedelta(days=days_apart * i) for i, a in enumerate(articles)}
    for i, row in enumerate(rows):
        row["date"] = day[row["article"]].strftime("%Y-%m-%d")
        row["kind"] = "headline" if i % 4 == 0 else "body"
    return rows


# -- periods ----------------------------------------------------------------------------------------

def daily(start: str, end: str) -> pd.Series:
    """An article a day from ``start`` to ``end``: 7 a week, enough for an interval in every period."""
    return pd.Series(pd.date_range(start, end, freq="D"))


def test_the_period_follows_the_span_of_the_dates():
    assert choose_period(daily("2020-01-01", "2020-03-01")) == "week"
    assert choose_period(daily("2018-01-01", "2020-06-01")) == "month"  # 127 weeks: more than 60 periods
    assert choose_period(daily("2010-01-01", "2019-12-31")) == "year"
    dates = pd.Series(pd.to_datetime(["2019-03-06", "2019-12-31", None]))
    assert period_labels(dates, "month").tolist() == ["2019-03", "2019-12", None]
    assert period_labels(dates, "week").tolist()[0] == "2019-03-04"  # the Monday of that week
    assert period_labels(dates, "year").tolist()[:2] == ["2019", "2019"]


def test_auto_counts_no_outlet_too_small_to_fill_a_period():
    """One outlet's 912 articles over 30 months (an article a day) took years beside ten outlets of one article
    each: the median outlet x period cell was theirs, 0 whatever the period. An outlet of fewer than 5 dated
    articles has no period with an interval at any period, so it has no say where another outlet has 5 or more."""
    from classifier.report.timeline import period_choice

    big = daily("2022-01-01", "2024-06-30")
    tiny = pd.Series(pd.date_range("2022-03-01", "2024-05-01", periods=10))
    dates = pd.concat([big, tiny], ignore_index=True)
    outlets = pd.Series(["big"] * len(big) + [f"tiny {i}" for i in range(10)])
    period, why = period_choice(dates, outlets=outlets)
    assert period == "month" and "here 31 articles per outlet and month" in why, why
    few = pd.Series(pd.to_datetime(["2024-01-01", "2024-02-01", "2024-05-01"]))  # no outlet of 5: all of them count
    assert period_choice(few, outlets=pd.Series(["a", "b", "c"]))[0] == "month"


def test_auto_takes_the_finest_period_whose_median_outlet_cell_has_articles_enough(tmp_path):
    """60 articles of 4 outlets over 11 months took weeks before 2026-12-07 (7): about 1 article per outlet-week, no
    interval, lines broken by empty weeks. The same days in one outlet are 7 a week; spread over ten outlets, 0 or 1
    an outlet-week and 3 an outlet-month."""
    from classifier.report.timeline import period_choice

    days = daily("2020-01-06", "2020-03-29")  # 84 articles over 12 weeks
    assert choose_period(days) == "week"
    ten = pd.Series([f"outlet {i % 10}" for i in range(len(days))])
    period, why = period_choice(days, outlets=ten)
    assert period == "month" and "a month has the most, 3 articles per outlet and month" in why
    walk = pd.Series(pd.date_range("2024-01-08", "2024-11-20", periods=60))  # the walk's corpus, in its shape
    period, why = period_choice(walk, outlets=pd.Series([f"outlet {i % 4}" for i in range(60)]))
    assert period == "month" and "(a median of 0 articles per outlet and week, most outlet-weeks having none, and " \
        "0.33 on average)" in why, why
    # a researcher's walk: 18 articles of 3 outlets, 2024-01 to 2025-01, read "0 articles per outlet and month", as
    # if there were none; the median of the outlet-months, most of them empty, now says so, with the mean (18 / 39)
    walk = pd.Series(pd.to_datetime(["2024-04-16", "2024-03-05", "2024-03-22", "2024-01-28", "2024-12-16",
                                     "2024-05-08", "2024-11-14", "2024-06-01", "2024-10-02", "2024-02-09",
                                     "2024-10-14", "2024-06-12", "2024-07-27", "2025-01-13", "2024-09-20",
                                     "2024-10-17", "2024-11-11", "2024-12-02"]))
    period, why = period_choice(walk, outlets=pd.Series(list("GELGELGLEGELGELLGE")))
    assert period == "month" and ", a median of 0 articles per outlet and month, most outlet-months having none, " \
        "and 0.46 on average (a median of 0 articles per outlet and week, most outlet-weeks having none, and 0.12 on " \
        "average)" in why, why
    # the medians tie at 0, the month has more articles on average: it said "a month has as many as any"
    assert "; a month has the most on average, a median" in why and "as many as any" not in why, why
    dense = pd.concat([days] * 4, ignore_index=True)  # daily news of four outlets stays weekly
    assert choose_period(dense, outlets=pd.Series(["a", "b", "c", "d"]).repeat(len(days)).reset_index(drop=True)) \
        == "week"
    rows = dated_rows(days_apart=3)  # 60 articles of 3 outlets over six months
    view = timeline(article_sums(read_predictions(write_jsonl(tmp_path / "p.jsonl", rows))), period="auto", n_boot=20)
    note = " ".join(timeline_note(view, 60).split())
    assert view["period"] == "month" and "Net stance per month (auto: no period of at least 3 over the span" in note
    explicit = timeline(article_sums(read_predictions(tmp_path / "p.jsonl")), period="week", n_boot=20)
    assert explicit["period"] == "week" and "(auto:" not in timeline_note(explicit, 60)  # --period week is kept


def test_dense_news_of_two_weeks_is_seen_by_day(tmp_path):
    """Before 2026-12-07 (7) there was no daily view: 2,800 articles of 4 outlets over two weeks (50 an outlet-day)
    took weeks, two points a line and no trend. Auto takes days by the same rule as the other periods; --period day
    is asked for as the others, and a date to the month alone is too coarse for it."""
    from classifier.report.timeline import period_choice

    days = pd.Series(pd.date_range("2024-03-04", periods=14, freq="D")).repeat(200).reset_index(drop=True)
    outlets = pd.Series(np.tile(np.repeat(["a", "b", "c", "d"], 50), 14))
    period, why = period_choice(days, outlets=outlets)
    assert period == "day" and why.endswith("here 50 articles per outlet and day"), why
    sparse = pd.Series(pd.date_range("2024-03-04", periods=21, freq="D"))  # one article a day: weeks of 7
    assert choose_period(sparse) == "week"
    period, why = period_choice(sparse[:14])  # days, the one period of 3 or more: "the most" of one was no news
    assert period == "day" and why.endswith("; only days give 3 or more (weeks: 2, months: 1, years: 1), with 1 "
                                            "article per outlet and day"), why
    rows = dated_rows(days_apart=1)  # 60 articles, a day apart
    rows[0]["date"] = "2019-01"
    view = timeline(article_sums(read_predictions(write_jsonl(tmp_path / "p.jsonl", rows))), period="day", n_boot=20)
    assert view["period"] == "day" and "2019-01-02" in set(view["table"]["period"])
    assert "dated only to the year or month, too coarse for a day" in timeline_note(view, 60)
    assert period_labels(pd.Series(pd.to_datetime(["2019-03-06T23:30"])), "day").tolist() == ["2019-03-06"]


def test_news_of_two_years_far_apart_is_weighed_without_the_gap_and_the_gap_is_said(tmp_path):
    """News of 2019 and of 2023: the empty years between made every period's median outlet cell 0, and auto took
    years on the tie (2 points a line, 3 empty years between). The periods wholly within a stretch of more than a
    year without an article now count for none, and the note says where that stretch is."""
    from classifier.report.timeline import date_gaps, period_choice

    first, second = pd.date_range("2019-03-01", "2019-11-30"), pd.date_range("2023-01-02", "2023-09-30")
    dates = pd.Series(np.tile(first.append(second), 3))
    outlets = pd.Series(np.repeat(["x", "y", "z"], len(first) + len(second)))
    period, why = period_choice(dates, outlets=outlets)
    assert period == "month" and why.endswith("here 30.5 articles per outlet and month"), why
    assert date_gaps(dates) == [(pd.Timestamp("2019-11-30"), pd.Timestamp("2023-01-02"))]
    assert date_gaps(pd.Series(pd.to_datetime(["2019-01-01", "2020-01-01", "2021-01-02"]))) == [
        (pd.Timestamp("2020-01-01"), pd.Timestamp("2021-01-02"))]  # 366 days apart is more than a year; 365 is not
    rows = dated_rows(days_apart=4)  # 60 articles from 2019-01-01, the later 30 moved on four years
    articles = sorted({r["article"] for r in rows})
    late = set(articles[len(articles) // 2:])
    for row in rows:
        if row["article"] in late:
            row["date"] = (pd.Timestamp(row["date"]) + pd.DateOffset(years=4)).strftime("%Y-%m-%d")
    view = timeline(article_sums(read_predictions(write_jsonl(tmp_path / "p.jsonl", rows))), period="auto", n_boot=20)
    note = " ".join(timeline_note(view, 60).split())
    assert view["period"] == "month" and view["gaps"] == [("2019-04-27", "2023-05-01")], view["gaps"]
    assert "; only months give 3 or more (years: 2), with a median of 0 articles per outlet and month, most " \
        "outlet-months having none, and 2.5 on average)" in note, note
    assert ("No article is dated between 2019-04-27 and 2023-05-01 (more than a year): the chart leaves it empty and "
            "--period auto weighed no month within it.") in note
    explicit = timeline(article_sums(read_predictions(tmp_path / "p.jsonl")), period="year", n_boot=20)
    assert "the chart leaves it empty." in " ".join(timeline_note(explicit, 60).split())


def test_an_article_dated_far_from_the_rest_is_named_when_it_sets_the_period(tmp_path):
    rows = dated_rows(days_apart=3)  # 60 articles of 3 outlets over six months: about 3 per outlet-month, months
    sums = article_sums(read_predictions(write_jsonl(tmp_path / "p.jsonl", rows)))
    view = timeline(sums, period="auto", n_boot=20)
    assert view["period"] == "month" and not view["n_stray"]
    assert "dated far from the rest" not in timeline_note(view, 60)
    weekly = timeline(sums, period="week", n_boot=20)
    assert "Net stance per week (each named by its Monday: " in timeline_note(weekly, 60)  # '2019-03-04' is no day's
    stray = rows[0]["article"]
    for row in rows:
        if row["article"] == stray:
            row["date"] = "2002-11-26"  # a typo, or an archive page
    sums = article_sums(read_predictions(write_jsonl(tmp_path / "p.jsonl", rows)))
    view = timeline(sums, period="auto", n_boot=20)
    note = " ".join(timeline_note(view, 60).split())
    assert view["period"] == "year" and view["n_stray"] == 1
    assert "The period is a year because 1 article dated far from the rest stretches the span" in note
    assert f"/{stray} (2002-11-26)): check its date, or ask for a finer --period" in note


def test_dates_are_iso_days_where_the_outlet_was_and_anything_else_is_undated():
    from classifier.report.timeline import article_dates

    dates = ["2024-03-31T22:00:00-05:00", "2024-04-01T01:00:00+03:00", "2024-03-31 22:00Z", "2024-03-31",
             "04/03/2024", "13/03/2024", "2024-13-45", "0001-01-01", "9999-12-31", None,
             "1970-01-01T00:00:00Z", "1900-01-01", "1970-01-01T09:30:00"]  # software's placeholders at midnight
    parsed = article_dates(pd.DataFrame({"date": dates}))
    assert period_labels(parsed, "month").tolist() == ["2024-03", "2024-04", "2024-03", "2024-03"] + [None] * 8 + [
        "1970-01"]
    basic = article_dates(pd.DataFrame({"date": ["20240331T220000Z", "2024-03-31T22Z", "2024-04-01"]}))
    assert period_labels(basic, "month").tolist() == ["2024-03", "2024-03", "2024-04"]  # no mixed-zone failure
    zoned = pd.DataFrame({"date": pd.to_datetime(["2024-03-31T23:00"]).tz_localize("US/Eastern")})  # Parquet
    assert article_dates(zoned).dt.day.tolist() == [31]


def test_each_period_cell_is_computed_from_its_own_articles(tmp_path):
    rows = dated_rows()
    rows[0]["date"] = "not a date"  # an article with an unreadable date is left out and named
    frame = read_predictions(write_jsonl(tmp_path / "p.jsonl", rows))
    view = timeline(article_sums(frame), period="month", n_boot=200)
    assert view["period"] == "month"
    table = view["table"]
    data = pd.DataFrame(rows)
    data["month"] = pd.to_datetime(data["date"], errors="coerce", format="mixed").dt.strftime("%Y-%m")
    first_article = rows[0]["article"]
    expected_articles = data[data["article"] != first_article]  # its first date is unreadable
    for row in table.sample(8, random_state=0).to_dict("records"):
        cell = expected_articles[(expected_articles["source"] == row["outlet"]) & (expected_articles["actor"] == row["actor"])
                                 & (expected_articles["month"] == row["period"])]
        net = ((cell["stance"] == "favor").sum() - (cell["stance"] == "against").sum()) / len(cell)
        assert row["n"] == len(cell) and row["net"] == pytest.approx(net)
        assert row["n_articles"] == cell["article"].nunique()
        if row["n_articles"] >= 5:  # fewer: no interval (a few resamples give a falsely narrow one)
            assert row["net_lo"] <= row["net"] <= row["net_hi"]
        else:
            assert np.isnan(row["net_lo"]) and np.isnan(row["net_hi"])
    assert any(first_article in name for name in view["undated"])
    assert any(first_article in name for name in view["unreadable"])  # it has a date, in a form not read
    note = timeline_note(view, 100)
    assert "1 of them carries a date it cannot read (another form, or a placeholder), e.g." in note


def test_the_time_view_and_the_framing_table_group_their_cells_once(tmp_path, monkeypatch):
    # they grouped their rows a second time (DataFrame.groupby) only to count the cells for the progress bar
    from classifier.report.framing import framing_analysis

    sums = article_sums(read_predictions(write_jsonl(tmp_path / "p.jsonl", dated_rows())))
    grouped, groupby = [], pd.DataFrame.groupby
    monkeypatch.setattr(pd.DataFrame, "groupby", lambda self, by=None, *a, **k: grouped.append(
        tuple(by) if isinstance(by, list) else by) or groupby(self, by, *a, **k))
    view = timeline(sums, period="month", n_boot=20, n_perm=20)
    assert grouped.count(("actor_name", "outlet", "period")) == 1 and len(view["table"]) > 1
    grouped.clear()
    table = framing_analysis(sums, None, gold_name="none", n_boot=20, n_perm=20)["table"]
    assert grouped.count(("outlet", "actor_name")) == 1 and len(table) > 1


def test_dates_of_a_year_or_a_month_are_left_out_of_finer_periods_and_named(tmp_path):
    """"2024" parses to 1 January and "2024-06" to 1 June: in a weekly view they would sit in weeks they do not
    name, so they are left out and named; a monthly view keeps the month's date."""
    from classifier.report.timeline import date_precision, timeline_note

    assert date_precision(pd.DataFrame({"date": ["2024", "2024-06", "2024-6", "2024-06-12", None, " 2024 "]})
                          ).tolist() == ["year", "month", "month", "day", "day", "year"]
    rows = dated_rows()
    for row in rows:
        if row["article"].endswith("-0"):
            row["date"] = "2019"
        elif row["article"].endswith("-1"):
            row["date"] = "2019-06"
    sums = article_sums(read_predictions(write_jsonl(tmp_path / "p.jsonl", rows)))
    n_year = len({(r["source"], r["article"]) for r in rows if r["date"] == "2019"})
    n_month = len({(r["source"], r["article"]) for r in rows if r["date"] == "2019-06"})
    weekly = timeline(sums, period="week", n_boot=20)
    assert len(weekly["vague"]) == n_year + n_month and not weekly["undated"]
    assert weekly["table"]["n"].sum() == sum(r["date"] not in ("2019", "2019-06") for r in rows)
    note = timeline_note(weekly, 60)
    assert f"{n_year + n_month} of 60 article entries are dated only to the year or month, too coarse for a week" in note
    monthly = timeline(sums, period="month", n_boot=20)
    assert len(monthly["vague"]) == n_year and "2019-06" in set(monthly["table"]["period"])
    assert len(timeline(sums, period="year", n_boot=20)["vague"]) == 0
    only_years = sums.assign(date="2019")
    assert timeline(only_years, period="auto", n_boot=20)["period"] == "year"  # auto follows the dates' precision
    day = pd.concat([daily("2020-01-06", "2020-03-01"), pd.Series(pd.to_datetime(["2015-01-01"]))],
                    ignore_index=True)
    assert choose_period(day, pd.Series(["day"] * 56 + ["year"])) == "week"  # one year-only date sets no span
    # half precise to the day is not enough
    assert choose_period(day[:56], pd.Series(["day"] * 28 + ["month"] * 28)) == "month"


def test_report_shows_the_time_view_and_headlines(tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", dated_rows())
    result = make_report(path, tmp_path / "out", n_boot=100, n_perm=100)
    periods = set(result["timeline"]["rows"]["period"])
    assert periods and periods <= {f"{y}-{m:02d}" for y in (2019, 2020) for m in range(1, 13)}
    out = tmp_path / "out"
    written = json.loads((out / "report.json").read_text())  # the result is report.json with DataFrames for tables
    assert set(written) <= set(result) and result["timeline"]["period"] == written["timeline"]["period"] == "month"
    assert all(isinstance(frame, pd.DataFrame) for frame in (result["table"], result["tests"], result["headlines"]))
    assert len(result["tests"]) == len(written["tests"]) and len(result["headlines"]) == len(written["headlines"])
    assert list((out / "plots").glob("time_*.png")) and (out / "timeline.csv").read_text().startswith("outlet,actor,period")
    kinds = result["headlines"]
    assert {"headline_net", "body_net", "difference"} <= set(kinds.columns)
    data = pd.DataFrame(dated_rows())
    row = kinds.iloc[0]
    heads = data[(data["source"] == row["outlet"]) & (data["actor"] == row["actor"]) & (data["kind"] == "headline")]
    assert row["headline_n"] == len(heads)
    html = (out / "report.html").read_text()
    assert "Over time" in html and "Headlines and body" in html and "per month" in html


def test_kind_filter_keeps_only_that_kind(tmp_path):
    rows = dated_rows()
    path = write_jsonl(tmp_path / "p.jsonl", rows)
    result = make_report(path, tmp_path / "out", n_boot=20, n_perm=20, kind="headline", period="none")
    assert result["n"] == sum(r["kind"] == "headline" for r in rows)
    md = (tmp_path / "out" / "report.md").read_text()
    assert "Only sentences of kind headline" in md
    assert "so there is no headline and body comparison" in md and "| body n |" not in md
    bad = runner.invoke(app, ["report", str(path), "--out", str(tmp_path / "r2"), "--kind", "caption"])
    assert bad.exit_code == 1 and "none of its 240 predictions has kind 'caption'" in bad.output
    bad = runner.invoke(app, ["report", str(path), "--out", str(tmp_path / "r3"), "--period", "decade"])
    assert bad.exit_code == 1 and "--period decade" in bad.output
    assert not (tmp_path / "r2").exists() and not (tmp_path / "r3").exists()


def test_without_dates_the_time_view_says_so(tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", prediction_rows(60, labelled=False))
    make_report(path, tmp_path / "out", n_boot=20, n_perm=20)
    md = (tmp_path / "out" / "report.md").read_text()
    assert "none of the" in md and "has a readable date" in md


# -- power ------------------------------------------------------------------------------------------

def test_the_permutation_test_is_exact_when_the_assignments_are_few():
    """3 of 7 articles at the extreme: every assignment is counted, so p is 1 / C(7, 3) whatever the seed;
    with more assignments than permutations it is (1 + extreme) / (1 + n_perm)."""
    from classifier.report.framing import permutation_test

    outlet = np.array([1, 1, 1, 0, 0, 0, 0])
    net_sum, size = np.array([3.0, 3, 3, 0, 0, 0, 1]), np.full(7, 3.0)
    for seed in (0, 1):
        net_in, net_out, p = permutation_test(outlet, net_sum, size, 1, n_perm=2000, rng=np.random.default_rng(seed))
        assert net_in == 1.0 and net_out == pytest.approx(1 / 12)
        assert p == pytest.approx(1 / comb(7, 3)) == smallest_p(3, 7, 2000)
    outlet = np.repeat([1, 0], [20, 40])
    net_sum, size = np.where(outlet == 1, 3.0, 0.0), np.full(60, 3.0)
    p = permutation_test(outlet, net_sum, size, 1, n_perm=99, rng=np.random.default_rng(0))[2]
    assert p == pytest.approx(1 / 100) == smallest_p(20, 60, 99)


def test_the_drawn_permutation_test_gives_scipys_p_values_from_the_same_draws():
    """permutation_test draws its permutations itself (scipy drew them one Python call at a time, half of a
    --split-date report's time): the p-value of every design, and the generator's state after it, are scipy's to
    the last bit, ties, groups without spread and batches that do not divide n_perm included; and the shared
    shuffles of the outlet tests are ``rng.permutation`` row after row."""
    from scipy.stats import permutation_test as scipy_permutation_test

    from classifier.evaluate import BLOCK_CELLS
    from classifier.report.framing import article_moments, permutation_test, studentized_gap

    gen = np.random.default_rng(3)
    for case in range(40):
        n = int(gen.integers(8, 90))
        outlet = np.zeros(n, int)
        outlet[gen.choice(n, int(gen.integers(2, n - 1)), replace=False)] = 1
        size = gen.integers(1, 30, n).astype(float)
        net_sum = np.round(gen.uniform(-1, 1, n) * size) if case % 4 else np.where(outlet == 1, size, -size)
        moments = article_moments(net_sum, size)

        def gap(rows_in, rows_out, axis=-1):
            return np.minimum(studentized_gap(moments[rows_in.astype(int)].sum(axis=-2),
                                              moments[rows_out.astype(int)].sum(axis=-2)), np.finfo(float).max)

        n_perm = int(gen.choice([99, 1000, 2001]))
        ours, theirs = np.random.default_rng(case), np.random.default_rng(case)
        rows = np.arange(n)
        expected = scipy_permutation_test((rows[outlet == 1], rows[outlet == 0]), gap, permutation_type="independent",
                                          vectorized=True, n_resamples=n_perm, alternative="greater",
                                          batch=max(1, BLOCK_CELLS // n), rng=theirs).pvalue
        assert permutation_test(outlet, net_sum, size, 1, n_perm=n_perm, rng=ours)[2] == float(expected)
        assert ours.random() == theirs.random()
    labels = np.repeat([0, 1, 2], [5, 7, 9])
    ours, theirs = np.random.default_rng(1), np.random.default_rng(1)
    assert (ours.permuted(np.tile(labels, (300, 1)), axis=1) == [theirs.permutation(labels) for _ in range(300)]).all()


def test_a_gap_between_two_groups_without_spread_is_never_below_the_smallest_p():
    """Six articles at +1 against six at -1, each side without spread: the studentized gap is infinite, and scipy's
    tolerance (inf - inf) made the observed assignment not extreme, p 0; it is the design's 2 / C(12, 6)."""
    from classifier.report.framing import permutation_test

    outlet = np.repeat([1, 0], 6)
    net_sum, size = np.where(outlet == 1, 4.0, -4.0), np.full(12, 4.0)
    p = permutation_test(outlet, net_sum, size, 1, n_perm=2000, rng=np.random.default_rng(0))[2]
    assert p == pytest.approx(2 / comb(12, 6)) == smallest_p(6, 12, 2000)
    p = permutation_test(outlet, net_sum, size, 1, n_perm=99, rng=np.random.default_rng(0))[2]  # drawn, not exact
    assert p >= 1 / 100


def test_an_outlet_of_a_few_short_articles_is_not_different_for_its_own_noise():
    """Three one-sentence articles (+1, +1, -1) against eight of 40 sentences near 0: the raw gap 1/3 was the
    largest of all 165 assignments (p = 1/165), as any assignment that moves long articles in shrinks it. Divided
    by its standard error the gap is ordinary: three sentences say little. Both the exact count and the shared
    shuffles (fewer permutations than assignments) say so."""
    from classifier.report.framing import actor_p_values, permutation_test

    outlet = np.array([1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0])
    net_sum, size = np.array([1.0, 1, -1, 0, 2, -2, 1, -1, 0, 1, -1]), np.array([1.0, 1, 1] + [40] * 8)
    p = permutation_test(outlet, net_sum, size, 1, n_perm=2000, rng=np.random.default_rng(0))[2]
    assert p > 0.5
    drawn = actor_p_values(outlet, net_sum, size, n_perm=150, rng=np.random.default_rng(0))
    assert drawn[1] > 0.4 and drawn[0] > 0.4


def test_the_net_stance_interval_of_few_articles_is_expanded():
    """A cell of 5 articles: its interval is the expanded percentile interval of its resamples (tails of
    0.095%, not 2.5%), which the plain one (83% coverage in scripts/check_report_statistics.py) is inside. The
    resamples are of its articles and the two pseudo-articles of framing.net_interval (one favor, one against)."""
    from classifier.evaluate import expanded_tail, resampled_sums
    from classifier.report.framing import SUM_COLUMNS, cell_row

    counts = np.array([[10, 6, 2, 2], [10, 1, 5, 4], [10, 3, 3, 4], [10, 8, 0, 2], [10, 2, 6, 2]], float)
    cell = pd.DataFrame(np.hstack([counts, counts[:, 1:]]), columns=list(SUM_COLUMNS))
    row = cell_row(cell, {"possible": False}, n_boot=400, seed=3, min_n=10)
    with_pseudo = np.vstack([counts, [[1, 1, 0, 0], [1, 0, 1, 0]]])
    sums = resampled_sums(np.arange(7), with_pseudo, 400, 3)
    nets = (sums[:, 1] - sums[:, 2]) / sums[:, 0]
    tail = 100 * expanded_tail(5)
    assert [row["net_lo"], row["net_hi"]] == pytest.approx(list(np.percentile(nets, [tail, 100 - tail])))
    plain = np.percentile(nets, [2.5, 97.5])
    assert row["net_lo"] < plain[0] and row["net_hi"] > plain[1]


def test_a_cell_without_against_mentions_gets_an_interval_of_some_width_around_its_net_stance():
    """Ten articles of favor and neutral mentions only: every resample of the articles alone has no against mention
    and, with favor in every article at the same share, the same net stance, so the interval was one value,
    [+0.50, +0.50]‡, that claimed certainty (near 0 or ±1 the intervals held the truth in as few as 23% of simulated
    cells, docs/statistics.md section 1). Resampled with a favor and an against pseudo-article (framing.net_interval), the
    interval has width, holds the cell's own net stance, and the point estimate is unchanged."""
    from classifier.report.framing import SUM_COLUMNS, cell_row

    counts = np.array([[4, 2, 0, 2]] * 10, float)
    cell = pd.DataFrame(np.hstack([counts, counts[:, 1:]]), columns=list(SUM_COLUMNS))
    row = cell_row(cell, {"possible": False}, n_boot=200, seed=1, min_n=10)
    assert row["net"] == 0.5 and row["share_against"] == 0
    assert row["net_lo"] < row["net"] < row["net_hi"] and row["net_hi"] - row["net_lo"] > 0.05


def test_corrected_shares_of_few_articles_are_expanded_too():
    """ACC's interval from a cell of 5 articles (gold set of 8): the expanded percentile interval of its
    resamples for the fewer articles (plain, 83% coverage in scripts/check_report_statistics.py)."""
    from classifier.evaluate import expanded_tail, resampled_sums
    from classifier.items import LABELS
    from classifier.report.framing import SUM_COLUMNS, cell_row, correction_model

    rng = np.random.default_rng(0)
    true = rng.integers(0, 3, 240)
    pred = np.where(rng.random(240) < 0.8, true, (true + 1) % 3)
    gold = pd.DataFrame({"label": [LABELS[t] for t in true], "stance": [LABELS[p] for p in pred],
                         "article": [f"g{i // 30}" for i in range(240)], "source": "s", "actor": "x",
                         **{f"p_{label}": np.where(pred == k, 0.8, 0.1) for k, label in enumerate(LABELS)}})
    model = correction_model(gold, n_boot=300, seed=0, name="gold")
    counts = np.array([[10, 6, 2, 2], [10, 1, 5, 4], [10, 3, 3, 4], [10, 8, 0, 2], [10, 2, 6, 2]], float)
    cell = pd.DataFrame(np.hstack([counts, counts[:, 1:]]), columns=list(SUM_COLUMNS))
    row = cell_row(cell, model, n_boot=300, seed=3, min_n=10)
    sums = resampled_sums(np.arange(5), cell.to_numpy(float), 300, 3)
    boot = model["acc_boot"].solve(sums[:, 1:4] / sums[:, :1])
    tail = 100 * expanded_tail(5)
    nets = boot[:, 0] - boot[:, 1]
    assert [row["acc_net_lo"], row["acc_net_hi"]] == pytest.approx(list(np.percentile(nets, [tail, 100 - tail])))
    assert row["acc_net_lo"] < np.percentile(nets, 2.5) and row["acc_net_hi"] > np.percentile(nets, 97.5)


def test_smallest_p_is_one_over_the_assignments():
    assert smallest_p(1, 5, 2000) == pytest.approx(1 / 5)  # one article per outlet, five outlets
    assert smallest_p(3, 10, 10_000) == pytest.approx(1 / comb(10, 3))
    assert smallest_p(2, 4, 10_000) == pytest.approx(2 / comb(4, 2))  # equal groups: swapping gives the same |d|
    assert smallest_p(20, 60, 999) == pytest.approx(1 / 1000)  # the permutations bound it
    assert smallest_p(5000, 10_000, 999) == pytest.approx(1 / 1000)  # C(10000, 5000) is no float: still fine


def test_detectable_difference_matches_the_standard_error_of_two_means():
    """Articles of one mention each: net stance is a mean of +-1 values, whose bootstrap standard error is
    sd / sqrt(n) (population sd); the detectable difference is (z 0.975 + z 0.8) x sqrt(se1^2 + se2^2)."""
    rng = np.random.default_rng(0)
    inside = np.r_[np.ones(40, bool), np.zeros(60, bool)]
    values = np.where(rng.random(100) < np.where(inside, 0.7, 0.4), 1.0, -1.0)
    mdd = detectable_difference(values, np.ones(100), inside)
    se = np.sqrt(values[inside].var() / 40 + values[~inside].var() / 60)
    assert mdd == pytest.approx(Z_POWER * se, rel=1e-9)
    assert np.isnan(detectable_difference(values[:3], np.ones(3), np.array([True, False, False])))
    # articles of several mentions: the closed form is what a bootstrap by article estimates
    sizes = rng.integers(1, 9, 100).astype(float)
    net_sums = np.round(values * sizes * rng.random(100))
    boot = []
    for _ in range(3000):
        draw = [rng.choice(np.flatnonzero(group), group.sum()) for group in (inside, ~inside)]
        boot.append(np.subtract(*[net_sums[d].sum() / sizes[d].sum() for d in draw]))
    assert detectable_difference(net_sums, sizes, inside) == pytest.approx(Z_POWER * np.std(boot), rel=0.05)


def test_single_article_outlets_cannot_reach_significance(tmp_path):
    rows = prediction_rows(100, labelled=False, per_article=1000)  # one article per outlet, three outlets
    frame = read_predictions(write_jsonl(tmp_path / "p.jsonl", rows))
    tests = outlet_tests(article_sums(frame), n_perm=500)
    assert tests and all(t["n_articles"] == 1 and t["n_articles_others"] == 2 for t in tests)
    assert all(not t["reachable"] and t["p_min"] == pytest.approx(1 / 3) and np.isnan(t["mdd"]) for t in tests)
    lines = power_sentences(tests)
    assert lines[0].startswith("No outlet difference can reach significance")
    assert "'cannot tell', not 'no difference'" in lines[0]


def test_many_articles_can_reach_and_say_what_they_detect(tmp_path):
    rows = prediction_rows(600, labelled=False, per_article=2)
    frame = read_predictions(write_jsonl(tmp_path / "p.jsonl", rows))
    tests = outlet_tests(article_sums(frame), n_perm=300)
    assert all(t["reachable"] for t in tests)
    assert all(0 < t["mdd"] < 2 and t["articles_for_0.2"] >= 1 for t in tests)
    assert any("smallest difference in net stance the tests could detect" in line for line in power_sentences(tests))
    tests[0]["mdd"] = 2.07  # two articles against four: the error alone exceeds the widest possible gap
    assert any("to more than 2, the widest gap net stance allows, for 1 test" in line for line in power_sentences(tests))
    from classifier.report.tables import test_rows

    assert test_rows(tests)[1][0][-2] == "none (> 2)"


# -- before / after ---------------------------------------------------------------------------------

AGAINST, FAVOR = ({"favor": 0.1, "against": 0.8, "neutral": 0.1}, {"favor": 0.8, "against": 0.1, "neutral": 0.1})


def compared_report(tmp_path, called) -> tuple[list[dict], pd.DataFrame]:
    """Old predictions of 600 rows and new ones where ``called(index, row)`` gives the new stance (None: as old),
    through `report NEW --compare OLD` into tmp_path/r: the old rows and compare.csv."""
    old_rows = prediction_rows(600, per_article=2, model="old@1")
    new_rows = []
    for index, row in enumerate(old_rows):
        row, stance = dict(row, model="new@2"), called(index, row)
        if stance is not None:
            row["stance"], row["stance_scores"] = stance, {"against": AGAINST, "favor": FAVOR}[stance]
        new_rows.append(row)
    old, new = write_jsonl(tmp_path / "old.jsonl", old_rows), write_jsonl(tmp_path / "new.jsonl", new_rows)
    result = runner.invoke(app, ["report", str(new), "--out", str(tmp_path / "r"), "--compare", str(old),
                                 "--n-boot", "200", "--n-perm", "50", "-q"])
    assert result.exit_code == 0, result.output
    return old_rows, pd.read_csv(tmp_path / "r" / "compare.csv")


def test_compare_finds_the_cell_that_moved_and_only_that_one(tmp_path):
    """The new model calls every Daily A sentence about Russia 'against'; nothing else changes."""
    old_rows, cells = compared_report(
        tmp_path, lambda index, row: "against" if (row["source"], row["actor"]) == ("Daily A", "Russia") else None)
    moved = cells[cells["moved"]]
    assert list(zip(moved["outlet"], moved["actor"])) == [("Daily A", "Russia")]
    row = moved.iloc[0]
    expected_old = pd.DataFrame(old_rows).query("source == 'Daily A' and actor == 'Russia'")
    net_old = ((expected_old["stance"] == "favor").sum() - (expected_old["stance"] == "against").sum()) / len(expected_old)
    assert row["net_old"] == pytest.approx(net_old) and row["net_new"] == pytest.approx(-1.0)
    assert row["change_hi"] < 0
    assert (cells.loc[~cells["moved"], "change"] == 0).all()
    md = (tmp_path / "r" / "report.md").read_text()
    assert "## Before and after" in md and "1 of the 9 cells (all of 5 or more articles) moved" in md
    assert "paired bootstrap by article" in md  # both files hold gold labels: both models on them
    # which model scored higher on the gold items, in words, each figure with its interval
    assert "On the same " in md and "this file (new@2) scores macro-F1 " in md  # not "these predictions (…) scores"
    assert "second = this file)" in md and "these predictions (new@2)" not in md
    assert "first \\[95% CI\\]" in md or "first [95% CI]" in md


def test_compare_puts_what_moved_and_the_biggest_moves_first_in_the_page_the_csv_and_the_json(tmp_path):
    """The before-and-after table was in outlet x actor order (its seeds' order): the one cell that moved, Times C's
    Ukraine, came last of nine. Now moved cells first, then the biggest changes, the same in every output."""
    def called(index, row):
        if (row["source"], row["actor"]) == ("Times C", "Ukraine"):
            return "against"
        return "favor" if (row["source"], row["actor"]) == ("Daily A", "NATO") and index // 9 % 4 == 0 else None

    _, cells = compared_report(tmp_path, called)  # Daily A's NATO: a smaller change
    order = list(zip(cells["outlet"], cells["actor"]))
    assert order[0] == ("Times C", "Ukraine") and cells["moved"].iloc[0]
    group = cells["moved"].map({True: 0, False: 1}).fillna(2)
    keys = list(zip(group, -cells["change"].abs()))
    assert keys == sorted(keys) and cells["change"].abs().iloc[1] > 0  # Daily A's NATO: the next biggest change
    saved = json.loads((tmp_path / "r" / "report.json").read_text())
    assert [(c["outlet"], c["actor"]) for c in saved["compare"]["cells"]] == order
    md = (tmp_path / "r" / "report.md").read_text().split("## Before and after")[1]
    page = re.findall(r"^\| ([^|]+?) \| ([^|]+?) \| \d+", md, flags=re.M)
    assert page[:len(order)] == order
    assert "Rows: the cells that moved first, then those that did not" in md  # the note says the order


def test_compare_gives_no_interval_to_a_cell_of_fewer_than_5_articles():
    """A cell of 3 articles showed an interval ([+0.00, +1.00]) in "Before and after", though the framing table gives
    such a cell none: a handful of articles give a handful of resamples and a falsely narrow interval."""
    from classifier.report.compare import MIN_ARTICLES, compare_cells, moved_rows

    def sums(articles, favor):
        return pd.DataFrame({"outlet": "A", "actor_name": "Russia", "article": [f"a{i}" for i in range(articles)],
                             "lone": -1, "n": 2, "n_favor": favor, "n_against": 0})

    for articles, with_ci in ((MIN_ARTICLES - 2, False), (MIN_ARTICLES, True)):
        new = sums(articles, [2] + [0] * (articles - 1))
        old = sums(articles, [0] * articles)
        row = compare_cells(new, old, n_boot=200).iloc[0]
        assert row["n_articles"] == articles and row["change"] > 0
        assert (not np.isnan(row["change_lo"])) == with_ci
        _, rows = moved_rows(compare_cells(new, old, n_boot=200), 10)
        # 'too few', the trend's and --split-date's word for a cell of too few articles (before 2026-12-07 (7)
        # 'too few articles' here alone)
        assert (rows[0][-2] != "–") == with_ci and rows[0][-1] == ("no" if with_ci else "too few")


def test_compare_resamples_a_cell_of_fewer_than_10_articles_with_two_paired_pseudo_articles():
    """--compare's change interval of a cell of 5-9 articles resamples them with two pseudo-articles of one mention
    (neutral before, favor after; neutral before, against after): every mention favor in both files gave [+0.00,
    +0.00], every resample changing alike, which reads as certain; the simulated cells of 5 articles held a known
    fall in 71% to 94% (bench/results/compare_hybrid_rule.txt). From 10 articles the articles' own resamples."""
    from classifier.evaluate import percentile_ci, resampled_sums
    from classifier.report.compare import FEW_ARTICLES, PAIRED_PSEUDO, compare_cells

    def sums(articles):
        return pd.DataFrame({"outlet": "A", "actor_name": "Russia", "article": [f"a{i}" for i in range(articles)],
                             "lone": -1, "n": [1 + i % 3 for i in range(articles)], "n_favor": 0, "n_against": 0}
                            ).assign(n_favor=lambda f: f["n"])

    for articles in (5, FEW_ARTICLES - 1, FEW_ARTICLES):
        cell = sums(articles)
        row = compare_cells(cell, cell, n_boot=200, seed=4).iloc[0]
        assert row["change"] == 0 and row["moved"] is not None and not row["moved"]
        per_article = np.column_stack([cell["n"], cell["n_favor"], cell["n"], cell["n_favor"]]).astype(float)
        if articles < FEW_ARTICLES:
            per_article = np.vstack([per_article, PAIRED_PSEUDO])
            assert row["change_lo"] < 0 < row["change_hi"]
        else:
            assert row["change_lo"] == row["change_hi"] == 0
        drawn = resampled_sums(np.arange(len(per_article)), per_article, 200, 4)
        expected = percentile_ci(drawn[:, 1] / drawn[:, 0] - drawn[:, 3] / drawn[:, 2], clusters=articles)
        assert [row["change_lo"], row["change_hi"]] == pytest.approx(expected, abs=0)


def test_compare_names_ids_that_hold_another_sentence_in_the_other_file(tmp_path):
    """Predictions of another prepare run: the same ids, but some name the next sentence; the id sets alone match,
    so only the items themselves show that part of the change is a change of items."""
    old_rows = [dict(row, label=None, model="old@1") for row in prediction_rows(60, per_article=2)]
    new_rows = [dict(row, model="new@2") for row in old_rows]
    for row in new_rows[:3]:
        row["text"] = "Another sentence under the same id."
    old, new = write_jsonl(tmp_path / "old.jsonl", old_rows), write_jsonl(tmp_path / "new.jsonl", new_rows)
    result = runner.invoke(app, ["report", str(new), "--out", str(tmp_path / "r"), "--compare", str(old),
                                 "--n-boot", "20", "--n-perm", "20"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "3 ids that both files hold name a different sentence or actor in each" in said, said
    assert "only in this file" not in said  # the id sets are the same
    same = runner.invoke(app, ["report", str(new), "--out", str(tmp_path / "r2"), "--compare", str(new),
                               "--n-boot", "20", "--n-perm", "20"])
    assert same.exit_code == 0 and "a different sentence" not in same.output
    quiet = runner.invoke(app, ["report", str(new), "--out", str(tmp_path / "r3"), "--compare", str(old),
                                "--n-boot", "20", "--n-perm", "20", "-q"])  # no note printed: a warning says it
    said = " ".join(quiet.output.split())
    assert quiet.exit_code == 0 and "warning" in said.lower(), said
    assert "3 ids that both files hold name a different sentence or actor in each" in said, said
    assert "Against " not in said  # the rest of the note stays in the report


def test_compare_says_where_the_predictions_only_in_one_file_lie(tmp_path):
    """NEW scored one actor more than OLD (another --only-actors): its predictions are in no cell of the table, so
    the note names those cells as left out and does not say that the cells shown changed items; predictions only
    in one file inside a cell both hold still make it say so."""
    old_rows = [dict(row, label=None, model="old@1") for row in prediction_rows(120, per_article=2)]
    extra = [dict(row, id=f"us{row['id']}", actor="United States", text=row["text"].replace(row["actor"], "America"),
                  spans=[[0, 7]], model="new@2") for row in old_rows if row["actor"] == "Russia"]
    new_rows = [dict(row, model="new@2") for row in old_rows] + extra
    old, new = write_jsonl(tmp_path / "old.jsonl", old_rows), write_jsonl(tmp_path / "new.jsonl", new_rows)
    args = ["--n-boot", "20", "--n-perm", "20", "-q"]
    result = runner.invoke(app, ["report", str(new), "--out", str(tmp_path / "r"), "--compare", str(old), *args])
    assert result.exit_code == 0, result.output
    md = " ".join((tmp_path / "r" / "report.md").read_text().split())
    outlets = len({row["source"] for row in extra})
    assert (f"{len(extra)} predictions are only in this file and 0 only in the other, all of them in cells the other "
            "file does not hold: every cell shown compares the same items." in md), md
    assert (f"The table leaves out the {outlets} cells only this file holds (United States: {outlets} outlets; "
            f"{len(extra)} predictions): they are not compared with the other." in md)
    assert "change of items" not in md
    assert "United States" not in set(pd.read_csv(tmp_path / "r" / "compare.csv")["actor"])
    fewer = write_jsonl(tmp_path / "fewer.jsonl", old_rows[1:])  # one item of a compared cell only in NEW
    result = runner.invoke(app, ["report", str(new), "--out", str(tmp_path / "r2"), "--compare", str(fewer), *args])
    md = " ".join((tmp_path / "r2" / "report.md").read_text().split())
    assert result.exit_code == 0 and "so some of the change is a change of items" in md
    assert "; 1 other prediction only in this file is in cells both hold." in md


def test_compare_of_files_sharing_no_cell_says_so_and_what_differs(tmp_path):
    """The same ids, but every outlet renamed in NEW: the note said "None of the 0 cells has 5 articles"; it says
    that the files share no cell and which outlets each holds, and -q (no note) warns of it."""
    old_rows = [dict(row, model="old@1") for row in prediction_rows(120, per_article=2)]
    new_rows = [dict(row, model="new@2", source="Other " + row["source"]) for row in old_rows]
    old, new = write_jsonl(tmp_path / "old.jsonl", old_rows), write_jsonl(tmp_path / "new.jsonl", new_rows)
    result = runner.invoke(app, ["report", str(new), "--out", str(tmp_path / "r"), "--compare", str(old),
                                 "--n-boot", "20", "--n-perm", "20"])
    said = " ".join(result.output.split())
    assert result.exit_code == 0 and "None of the 0 cells" not in said, said
    assert ("The two files share no outlet x actor cell, so no cell is compared: no outlet in common (this file: "
            "Other Daily A, Other Herald B, Other Times C; the other: Daily A, Herald B, Times C)." in said), said
    assert "Rows: the biggest changes first" not in said
    quiet = runner.invoke(app, ["report", str(new), "--out", str(tmp_path / "r2"), "--compare", str(old),
                                "--n-boot", "20", "--n-perm", "20", "-q"])
    assert quiet.exit_code == 0 and "share no outlet x actor cell" in " ".join(quiet.output.split())


def test_compare_moved_is_empty_where_a_cell_has_no_interval(tmp_path):
    """compare.csv's 'moved' read False under --n-boot 0 (no interval at all), and for a cell of too few articles,
    which a reader takes for "did not move"; it is empty there (null in report.json), True or False only where the
    cell has an interval, and the page's table still says why ("no interval", "too few")."""
    from classifier.report.compare import MIN_ARTICLES, compare_cells

    old_rows = prediction_rows(600, per_article=2, model="old@1")
    new_rows = [dict(row, model="new@2") for row in old_rows]
    old, new = write_jsonl(tmp_path / "old.jsonl", old_rows), write_jsonl(tmp_path / "new.jsonl", new_rows)
    result = runner.invoke(app, ["report", str(new), "--out", str(tmp_path / "r"), "--compare", str(old),
                                 "--n-boot", "0", "--n-perm", "50", "-q"])
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "r" / "compare.csv").read_text().splitlines()
    assert lines[0].endswith(",moved") and len(lines) > 1 and all(line.endswith(",") for line in lines[1:]), lines
    cells = json.loads((tmp_path / "r" / "report.json").read_text())["compare"]["cells"]
    assert cells and all(cell["moved"] is None for cell in cells)
    page = (tmp_path / "r" / "report.md").read_text()
    assert "| no interval |" in page and "moved: 'no interval': --n-boot 0 asked for no resampling" in page
    sums = article_sums(read_predictions(new))
    few = sums[sums["article"].isin(sums["article"].unique()[:MIN_ARTICLES - 1])]  # too few articles in any cell
    frame = compare_cells(few, few, n_boot=50)
    assert len(frame) and frame["moved"].isna().all()
    assert compare_cells(sums, sums, n_boot=50)["moved"].eq(False).all()  # an interval holding zero: no


def test_compare_says_when_no_cell_has_enough_articles_to_have_moved():
    from classifier.report.compare import MIN_ARTICLES, compare_note

    few = pd.DataFrame({"moved": [False, False], "n_articles": [1, MIN_ARTICLES - 1]})
    assert f"None of the 2 cells has {MIN_ARTICLES} articles" in compare_note(few, "old.jsonl", ["old@1"], 0, 0)
    some = few.assign(n_articles=[MIN_ARTICLES, 1], moved=[True, False])
    said = compare_note(some, "old.jsonl", ["old@1"], 1, 2)
    assert "1 of the 1 such cell (of 2) moved" in said and "no correction for the 1 cell: about" in said  # not "cells"
    assert "1 prediction is only in this file and 2 only in the other" in said
    assert f"None of the 1 cell has {MIN_ARTICLES} articles" in compare_note(few[:1], "old.jsonl", ["old@1"], 0, 0)
    every = few.assign(n_articles=[MIN_ARTICLES, MIN_ARTICLES + 1], moved=[True, False])  # no "(of 2)" then
    assert (f"1 of the 2 cells (all of {MIN_ARTICLES} or more articles) moved beyond"
            in compare_note(every, "old.jsonl", ["old@1"], 0, 0))


def test_the_week_note_spells_out_a_week_of_the_data_one_across_a_new_year_first():
    """The note explained weeks with 2024-03-04 whatever the data's years; a week holding 1 January, the one a reader
    is likeliest to misplace (2022-01-01 is in the week named 2021-12-27), is the example where the data hold one."""
    view = {"period": "week", "undated": [], "n_dated_articles": 3,
            "table": pd.DataFrame({"actor": "Russia", "period": ["2021-08-30", "2021-12-27", "2022-01-03"]})}
    assert "each named by its Monday: 2021-12-27 is the week of 27 December 2021 to 2 January 2022)" in \
        timeline_note(view, 3)
    view["table"] = view["table"].iloc[:1]
    assert "each named by its Monday: 2021-08-30 is the week of 30 August to 5 September 2021)" in \
        timeline_note(view, 3)


def test_a_time_view_of_one_period_says_why_it_draws_no_chart():
    from classifier.report.timeline import timeline_note

    table = pd.DataFrame({"actor": ["Russia", "China"], "period": ["2024", "2024"]})
    view = {"period": "year", "undated": [], "n_dated_articles": 3, "table": table}
    assert "Every actor falls in one year here, so no chart is drawn" in timeline_note(view, 3)
    two = {**view, "table": pd.DataFrame({"actor": ["Russia", "Russia"], "period": ["2023", "2024"]})}
    assert "no chart is drawn" not in timeline_note(two, 3)


def test_compare_with_other_items_is_refused(tmp_path, monkeypatch):
    """... before any bootstrap: the --compare file is read before the framing table, whose draws its cells share
    (it was refused after the framing table's)."""
    import classifier.evaluate as evaluate_module

    def no_draws(*args):
        raise AssertionError("drawn before the refusal")

    monkeypatch.setattr(evaluate_module, "resample_blocks", no_draws)
    first = write_jsonl(tmp_path / "a.jsonl", prediction_rows(30))
    other = write_jsonl(tmp_path / "b.jsonl", [dict(r, id="x" + r["id"]) for r in prediction_rows(30)])
    result = runner.invoke(app, ["report", str(first), "--out", str(tmp_path / "r"), "--compare", str(other)])
    assert result.exit_code == 1 and "shares no item ids" in result.output
    assert not (tmp_path / "r").exists()


# -- corrections a user can trust -------------------------------------------------------------------

def test_instability_flags_name_the_class_and_the_reason():
    from classifier.report.framing import class_instability

    clear = np.array([[0.9, 0.05, 0.05], [0.05, 0.9, 0.05], [0.05, 0.05, 0.9]])  # [pred, true]
    assert class_instability(clear, {"favor": 100, "against": 100, "neutral": 100}) == {
        "favor": None, "against": None, "neutral": None}
    flags = class_instability(clear, {"favor": 100, "against": 12, "neutral": 100})
    assert flags["against"].startswith("only 12 gold against items") and flags["favor"] is None
    # 'against' mostly predicted neutral: its corrected share amplifies errors
    muddled = np.array([[0.8, 0.1, 0.1], [0.1, 0.3, 0.25], [0.1, 0.6, 0.65]])
    flags = class_instability(muddled, {"favor": 100, "against": 100, "neutral": 100})
    assert flags["favor"] is None and "confuses against" in flags["against"]
    expected = np.abs(np.linalg.inv(muddled)[1]).sum()
    assert f"{expected:.1f}" in flags["against"]


def test_report_says_which_figure_to_quote(tmp_path):
    gold = write_jsonl(tmp_path / "gold.jsonl", prediction_rows(60, per_article=2))  # about 20 items a class
    path = write_jsonl(tmp_path / "p.jsonl", prediction_rows(240, labelled=False, seed=5))
    result = make_report(path, tmp_path / "out", gold=gold, n_boot=50, n_perm=50)
    note = result["correction_note"]
    assert "Which figure to quote: the raw share with its interval, here for every class" in note and "BASIL" in note
    flags = result["correction"]["class_flags"]
    assert all(reason.startswith("only ") for reason in flags.values()) and result["correction"]["unstable"]
    # small classes, not a confusion matrix that barely separates them
    assert result["correction"]["condition_number"] < 50 and "barely separates" not in note
    md = (tmp_path / "out" / "report.md").read_text()
    assert "favor ACC (unstable)" in md and "Unstable: favor: only" in md
    corrected = md.split("## Shares corrected for classifier error")[1].split("##")[0]
    # an unstable class: no interval and no figure, "–" (before 2026-12-07 (7) "55% [–]")
    assert "| – |" in corrected and "[–]" not in corrected.replace("\\", "")
    assert not re.search(r"\d% \\\[\d", corrected)


def test_the_unreachable_count_names_the_family_holm_corrects_over():
    """An actor of two outlets is one comparison shown as two tests: the note said "68 of 71 tests ... times the
    number of tests" beside "Holm correction over all 66 comparisons"; it now names the 66 comparisons."""
    def test(actor, reachable):
        p = 0.001 if reachable else 0.5
        return {"actor": actor, "reachable": reachable, "p_design": p, "p_min": p, "mdd": 0.3 if reachable else np.nan}

    tests = [test("A", False), test("A", False), test("B", True), test("B", True), test("B", True)]
    lines = power_sentences(tests)
    assert any(line.startswith("2 of 5 tests cannot reach significance at any effect size (their "
                               "smallest possible p times the 4 comparisons Holm corrects over (an actor of two "
                               "outlets is one, shown as two tests) exceeds 0.05)") for line in lines)
    tests = [test("B", False), test("B", True), test("B", True)]
    assert any(line.startswith("1 of 3 tests") and "times the 3 tests exceeds 0.05" in line
               for line in power_sentences(tests))


def test_too_few_permutations_are_named_as_the_limit(tmp_path, monkeypatch):
    from classifier.report import framing

    rows = prediction_rows(600, labelled=False, per_article=2)
    frame = read_predictions(write_jsonl(tmp_path / "p.jsonl", rows))
    assert all(t["reachable"] for t in outlet_tests(article_sums(frame), n_perm=50))  # redrawn with 360 where needed
    monkeypatch.setattr(framing, "MAX_PERM", 100)  # as if the tests were too many for any redraw
    tests = outlet_tests(article_sums(frame), n_perm=50)
    assert len(tests) == 9 and not any(t["reachable"] for t in tests)
    lines = power_sentences(tests)
    assert lines[0].startswith("9 of 9 tests are held back by the number of permutations") and "180" in lines[0]
    assert not any(line.startswith("No outlet difference can reach") for line in lines)


def test_one_rule_draws_again_the_p_values_holm_needs_more_permutations_for():
    """framing.draw_again, used by the outlet tests, --split-date and the trend: a p below 0.05 that Holm over m
    tests cannot take below 0.05 is drawn again with 40 x m permutations, once, in order; not a p Holm takes below
    0.05 already, nor one whose design cannot reach 0.05 / m, nor one counted exactly."""
    from classifier.report.framing import draw_again, holm_perm

    asked = []

    def draw(keys, more):
        asked.append((keys, more))
        return {k: 0.0001 for k in keys}

    p = {"a": 0.01, "b": 0.2, "c": 0.0004, "d": 0.03, "e": 0.02, "f": 0.04}
    design = {"d": 0.003, "e": 0.01, "f": 0.004}  # e: its design cannot reach 0.05 / 10; f: counted exactly
    assert draw_again(p, 10, 300, draw, design) == {"a": 0.0001, "d": 0.0001} and asked == [(["a", "d"], 400)]
    assert holm_perm(10, 300) == 400 and holm_perm(3, 300) == 300 and holm_perm(10, 0) == 0
    assert draw_again(p, 3, 300, draw) == {} == draw_again(p, 10, 0, draw)  # 120 permutations are fewer: none
    assert len(asked) == 1


def test_a_real_difference_among_many_tests_is_found_with_few_permutations_asked():
    """30 outlets x 4 actors make 120 tests: Holm needs p below 0.05 / 120, which 200 permutations cannot give;
    the tests whose p is below 0.05 are drawn again with 4,800."""
    rng = np.random.default_rng(3)
    rows = []
    for actor in ("Russia", "China", "NATO", "Iran"):
        for outlet in range(30):
            lean = 0.8 if (actor, outlet) == ("Russia", 7) else 0.0
            for article in range(12):
                favor, against = rng.binomial(10, 0.3 + 0.3 * lean), rng.binomial(10, 0.3 - 0.25 * lean)
                rows.append({"outlet": f"O{outlet:02d}", "actor_name": actor, "article": f"{outlet}-{article}",
                             "n": 10, "n_favor": favor, "n_against": against})
    tests = outlet_tests(pd.DataFrame(rows), n_perm=200, seed=0)
    found = [(t["actor"], t["outlet"]) for t in tests if t["significant"]]
    assert found == [("Russia", "O07")]
    strong = next(t for t in tests if t["significant"])
    assert strong["n_perm"] == 4800 and strong["p_value"] <= 1 / 4801 + 1e-12 and strong["reachable"]
    assert sum(t["n_perm"] == 4800 for t in tests) < 20  # only the tests that could gain were drawn again


def test_the_note_says_barely_separates_only_above_the_condition_limit():
    correction = {"possible": True, "support": {"favor": 40, "against": 40, "neutral": 40}, "gold": "g.jsonl",
                  "n_gold": 120, "n_gold_articles": 30, "class_flags": {}, "unstable": False, "condition_number": 3.0}
    assert "barely separates" not in correction_note(correction)
    assert "or the corrected share beside it" in correction_note(correction)
    correction.update(condition_number=80.0, unstable=True)
    note = correction_note(correction)
    assert "barely separates the classes (condition number of P(predicted | true) 80)" in note
    assert "here for every class" in note


def test_mixed_stance_models_are_named_and_one_model_on_two_engines_is_one(tmp_path):
    rows = prediction_rows(240, labelled=False, model="tiny@abc")
    onnx = [{**row, "model": "tiny@abc:onnx"} if i % 2 else row for i, row in enumerate(rows)]
    gold = write_jsonl(tmp_path / "gold.jsonl", prediction_rows(90, seed=3, model="tiny@abc"))
    result = make_report(write_jsonl(tmp_path / "p.jsonl", onnx), tmp_path / "one", gold=gold, n_boot=20, n_perm=20)
    assert result["models_warning"] is None and "warning" not in result["correction"]
    mixed = [{**row, "model": "other@def"} if row["source"] == "Daily A" else row for row in rows]
    result = make_report(write_jsonl(tmp_path / "m.jsonl", mixed), tmp_path / "two", gold=gold, n_boot=20,
                         n_perm=20)
    assert result["models_warning"].startswith("the predictions mix 2 models (other@def, tiny@abc): the cells")
    assert "gold predictions come from tiny@abc" in result["correction"]["warning"]
    assert "Warning: the predictions mix 2 models" in (tmp_path / "two" / "report.md").read_text()
    cli = CliRunner().invoke(app, ["report", str(tmp_path / "m.jsonl"), "--out", str(tmp_path / "cli"), "-q",
                                   "--n-boot", "20", "--n-perm", "20"])
    assert cli.exit_code == 0 and "the predictions mix 2 models" in " ".join(cli.output.split())
    gold_mixed = write_jsonl(tmp_path / "gm.jsonl", [{**row, "model": "other@def"} if i % 2 else row
                                                     for i, row in enumerate(prediction_rows(90, seed=3))])
    cli = CliRunner().invoke(app, ["evaluate", str(gold_mixed), "-q", "--n-boot", "20"])
    assert cli.exit_code == 0 and "the figures pool their calls" in " ".join(cli.output.split())


def test_the_page_shows_the_largest_time_cells_and_the_csv_all(monkeypatch):
    import importlib

    timeline_module = importlib.import_module("classifier.report.timeline")  # the package's 'timeline' is a function
    monkeypatch.setattr(timeline_module, "PAGE_ROWS", 3)
    table = pd.DataFrame({"actor": ["A"] * 5, "outlet": list("abcde"), "period": ["2024-01"] * 5,
                          "n": [50, 2, 40, 30, 20], "n_articles": [5] * 5, "share_favor": 0.5, "share_against": 0.1,
                          "net": 0.4, "net_lo": 0.1, "net_hi": 0.6})
    _, rows = timeline_module.timeline_rows(table, 10)
    assert [r[0] for r in rows] == ["a", "c", "d"]  # the largest three, in the table's order
    _, rows = timeline_module.timeline_rows(table.assign(n=[5, 2, 4, 3, 1]), 10)  # none of min_n: still the largest
    assert [r[0] for r in rows] == ["a", "c", "d"]
    note = timeline_module.timeline_note({"period": "month", "table": table, "undated": [], "n_dated_articles": 25}, 25)
    assert "shows 3 of its 5 rows" in note and "timeline.csv holds them all" in note


def test_the_time_view_note_says_its_intervals_are_each_periods_own():
    """Twelve months of no change, 5 articles a month: each month's interval held the truth in 88% of simulated lines,
    79% of lines had a month whose interval missed it and 38% two months whose intervals do not overlap
    (scripts/check_report_statistics.py --only timeline); the note said nothing of it."""
    table = pd.DataFrame({"actor": ["A"] * 2, "outlet": ["a"] * 2, "period": ["2024-01", "2024-02"], "n": [50, 40],
                          "n_articles": [5, 5], "share_favor": 0.5, "share_against": 0.1, "net": 0.4, "net_lo": 0.1,
                          "net_hi": 0.6})
    view = {"period": "month", "table": table, "undated": [], "n_dated_articles": 10}
    note = timeline_note(view, 10)
    assert "Each interval is its period's own (95% each, not for the line)" in note
    assert "so they do not test a change over time (the trend below does)" in note
    assert "its period's own" not in timeline_note(view, 10, n_boot=0)


def test_p_values_read_below_a_thousandth_not_zero():
    from classifier.report.tables import p_text

    assert [p_text(p) for p in (0.00003, 0.0005, 0.0123, None, float("nan"))] == ["<0.001", "0.001", "0.012", "–", "–"]


def test_cells_read_their_sums_column_by_column_to_the_same_last_bit(tmp_path):
    """framing_table and the time view group only the sum columns and read them a column at a time
    (``framing.cell_values``, 4x quicker a cell than a list of columns); each figure is the one pandas' own
    selection gives, bit for bit: the array is column-major as pandas', so the article sums add in one order."""
    from classifier.report.framing import SUM_COLUMNS, cell_row, cell_values, framing_table

    rng = np.random.default_rng(5)
    rows = dated_rows(600, days_apart=2)
    for row in rows:  # scores of many digits: sums of floats in another order would differ in the last bits
        p = rng.dirichlet([1.0, 1.0, 2.0])
        row["stance_scores"] = {"favor": float(p[0]), "against": float(p[1]), "neutral": float(1 - p[0] - p[1])}
    sums = article_sums(read_predictions(write_jsonl(tmp_path / "p.jsonl", rows)))
    cell = sums.iloc[:40]
    assert cell_values(cell, SUM_COLUMNS).flags.f_contiguous
    expected = cell[list(SUM_COLUMNS)].to_numpy(float)
    assert np.array_equal(cell_values(cell, SUM_COLUMNS), expected)
    assert cell_values(cell, SUM_COLUMNS).sum(axis=0).tobytes() == expected.sum(axis=0).tobytes()
    table = framing_table(sums, {"possible": False}, n_boot=50)
    whole = {key: cell for key, cell in sums.groupby(["outlet", "actor_name"], sort=True)}  # every column
    for index, key in enumerate(sorted(whole)):
        row = cell_row(whole[key], {"possible": False}, n_boot=50, seed=index, min_n=10)
        got = table[(table["outlet"] == key[0]) & (table["actor"] == key[1])].iloc[0]
        for name in ("mean_p_favor", "mean_p_against", "net", "net_lo", "net_hi"):
            assert np.array_equal(got[name], row[name], equal_nan=True), (key, name)
    view = timeline(sums, period="month", n_boot=50)["table"]
    assert len(view) and view["n"].sum() == len(rows)


# -- the time view's trend ----------------------------------------------------------------------------

def trend_sums(slope: float, seed: int, months: int = 6, per_month: int = 5, outlet: str = "o") -> pd.DataFrame:
    """Article sums of one outlet x actor over ``months`` months whose net stance moves by ``slope`` from the first
    month to the last (10 mentions an article, each article's stance drawn around its month's, so mentions of an
    article are correlated)."""
    rng = np.random.default_rng(seed)
    rows = []
    for month in range(months):
        net = -slope / 2 + slope * month / max(months - 1, 1)
        for k in range(per_month):
            favor, against, neutral = rng.multinomial(10, rng.dirichlet(np.array([0.25 + net / 2, 0.25 - net / 2,
                                                                                  0.5]) * 5))
            rows.append({"outlet": outlet, "actor_name": "A", "article": f"{outlet}{month}-{k}", "lone": -1,
                         "n": 10, "n_favor": favor, "n_against": against, "n_neutral": neutral,
                         "sum_p_favor": float(favor), "sum_p_against": float(against),
                         "sum_p_neutral": float(neutral), "n_tone": 0, "sum_tone": 0.0,
                         "date": f"2022-{month + 1:02d}-{int(rng.integers(1, 29)):02d}"})
    return pd.DataFrame(rows)


def test_the_trend_count_is_of_the_cells_tested():
    """"0 of 70 cells rose or fell" where 2 were tested (68 'too few') read as 70 cells found flat: the count is now
    of the cells tested, the others counted apart."""
    few = trend_sums(0.0, seed=3, outlet="few")
    sums = pd.concat([trend_sums(0.8, seed=1, outlet="up"), few[few["article"].str.endswith("-0")]],
                     ignore_index=True)  # "few": one article a month, too few to test
    view = timeline(sums, period="month", n_boot=0, n_perm=999, seed=0)
    assert view["n_trend_tests"] == 1 and len(view["trends"]) == 2
    note = timeline_note(view, 36, n_boot=0)
    assert "1 of the 1 cell tested rose or fell; the other 1 of the 2 cells was too few to test." in note
    assert "of 2 cells rose or fell" not in note
    view = timeline(few[few["article"].str.endswith("-0")], period="month", n_boot=0, n_perm=999, seed=0)
    assert "None of the 1 cell had enough dated articles and periods to be tested." in timeline_note(view, 6, n_boot=0)


def test_the_time_view_finds_a_strong_trend_and_not_a_flat_one():
    """Six months of five articles each: net stance from -0.4 to +0.4 is found rising (Holm over the two cells
    tested); a flat line is not. Before, the time view tested no change over time at all."""
    sums = pd.concat([trend_sums(0.8, seed=1, outlet="up"), trend_sums(0.0, seed=2, outlet="flat")],
                     ignore_index=True)
    view = timeline(sums, period="month", n_boot=0, n_perm=999, seed=0)
    trends = view["trends"].set_index("outlet")
    assert view["n_trend_tests"] == 2 and trends["trend_tested"].all()
    assert trends.loc["up", "trend"] == "rising" and trends.loc["up", "trend_30d"] > 0.05
    assert trends.loc["up", "trend_p_holm"] < 0.05 <= trends.loc["flat", "trend_p_holm"]
    assert trends.loc["flat", "trend"] == "no"
    falling = timeline(trend_sums(-0.8, seed=1), period="month", n_boot=0, n_perm=999)["trends"].iloc[0]
    assert falling["trend"] == "falling" and falling["trend_30d"] < 0
    # each period's row of timeline.csv carries its cell's trend
    assert set(view["table"].loc[view["table"]["outlet"] == "up", "trend"]) == {"rising"}
    note = timeline_note(view, 60, n_boot=0)
    assert "Trend per 30 days" in note and "1 of 2 cells rose or fell" in note and "shuffles whole articles" in note
    # a flat result is said to be no evidence of a flat line, with the simulated power (docs/statistics.md)
    assert "no evidence of a flat one" in note and "13-17% of cells of 20 articles" in note


def test_the_trend_has_a_95_percent_interval_expanded_for_the_slopes_effective_articles():
    """bench/results/trend_slope_eff_rule.txt passed (screening and confirmation): a tested cell's slope per 30 days
    has its 95% interval (timeline.csv and report.json's trend_30d_lo / _hi, the trend table's column, a line of the
    note); a 'too few' cell and a view without resampling have none. Before, the trend had no interval."""
    from classifier.report.framing import slope_effective_articles, trend_interval
    from classifier.report.timeline import trend_rows

    few = trend_sums(0.8, seed=3, months=6, per_month=1, outlet="few")
    sums = pd.concat([trend_sums(0.8, seed=1, outlet="up"), few], ignore_index=True)
    view = timeline(sums, period="month", n_boot=200, n_perm=99, seed=0)
    trends = view["trends"].set_index("outlet")
    up = trends.loc["up"]
    assert up["trend_30d_lo"] < up["trend_30d"] < up["trend_30d_hi"] and up["trend_30d_lo"] > 0
    assert np.isnan(trends.loc["few", "trend_30d_lo"]) and np.isnan(trends.loc["few", "trend_30d_hi"])
    rows = view["table"][view["table"]["outlet"] == "up"]
    assert set(rows["trend_30d_lo"]) == {up["trend_30d_lo"]}  # on each of its periods' rows of timeline.csv
    headers, cells = trend_rows(view["trends"])
    shown = dict(zip([row[0] for row in cells], [row[headers.index("95% interval")] for row in cells]))
    assert shown == {"up": f"[{up['trend_30d_lo']:+.3f}, {up['trend_30d_hi']:+.3f}]", "few": "–"}
    note = timeline_note(view, 36)
    assert "95% interval of the trend" in note and "effective number of articles" in note
    # expanded for the effective articles, not the 30 articles: wider than the same resamples' for 30
    cell = sums[sums["outlet"] == "up"]
    days = ((pd.to_datetime(cell["date"]) - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1)).to_numpy(float)
    data = (days, (cell["n_favor"] - cell["n_against"]).to_numpy(float), cell["n"].to_numpy(float))
    assert 2 <= slope_effective_articles(days, data[2]) < 30
    wide, plain = trend_interval(*data, 200, 0), trend_interval(*data, 200, 0, clusters=30)
    assert wide[0] < plain[0] < plain[1] < wide[1]
    none = timeline(sums, period="month", n_boot=0, n_perm=99, seed=0)
    assert none["trends"]["trend_30d_lo"].isna().all() and "95% interval of the trend" not in timeline_note(none, 36)


def test_a_cell_of_too_few_dated_articles_or_periods_is_marked_not_tested():
    few = trend_sums(0.8, seed=3, months=6, per_month=1, outlet="few")  # 6 articles
    short = trend_sums(0.8, seed=4, months=2, per_month=10, outlet="short")  # 20 articles in 2 months
    view = timeline(pd.concat([few, short], ignore_index=True), period="month", n_boot=0, n_perm=999)
    trends = view["trends"].set_index("outlet")
    assert view["n_trend_tests"] == 0 and not trends["trend_tested"].any()
    assert set(trends["trend"]) == {"too few"} and trends["trend_p"].isna().all()
    assert (trends.loc["few", "trend_articles"], trends.loc["short", "trend_periods"]) == (6, 2)
    assert "the cells tested (none here)" in timeline_note(view, 26)


def test_the_trend_table_lists_the_tested_cells_first_and_is_capped_as_the_time_view(monkeypatch):
    """Before, the trend table listed every cell in the time view's order, a 'too few' one before a tested one, with
    no cap: a corpus of many cells made a page of thousands of rows, most of them 'too few'."""
    from classifier.report.timeline import trend_note, trend_rows

    timeline_module = sys.modules["classifier.report.timeline"]  # the package's name 'timeline' is the function

    sums = pd.concat([trend_sums(0.8, seed=3, per_month=1, outlet="a few"), trend_sums(0.8, seed=1, outlet="b up"),
                      trend_sums(0.0, seed=2, outlet="c flat")], ignore_index=True)
    view = timeline(sums, period="month", n_boot=0, n_perm=999, seed=0)
    assert view["trends"]["outlet"].tolist() == ["a few", "b up", "c flat"]  # the time view's order
    assert [row[0] for row in trend_rows(view["trends"])[1]] == ["b up", "c flat", "a few"]
    assert "The trend table" not in trend_note(view)
    monkeypatch.setattr(timeline_module, "PAGE_ROWS", 2)
    assert [row[0] for row in trend_rows(view["trends"])[1]] == ["b up", "c flat"]
    assert "The trend table lists the cells tested first and shows 2 of its 3 rows; timeline.csv holds them all." \
        in trend_note(view)
    assert len(view["table"]) > 2  # timeline.csv's rows: every period of every cell, uncapped


def test_the_trend_shuffles_whole_articles_dates():
    """The permutation keeps each article's mentions together: a slope made by two long articles, one at each end, of
    12 has a p its articles allow (2 of the 132 places of the two put them at the ends, one way round or the other;
    0.049 with this seed), not the 0.001 of 401 mentions."""
    from classifier.report.framing import trend_p_value

    rng = np.random.default_rng(0)
    days = np.arange(12.0) * 15
    size = np.r_[200.0, np.full(10, 1.0), 200.0]
    net_sum = np.r_[-200.0, rng.choice([-1.0, 1.0], 10), 200.0]  # the two long articles make the slope
    p = trend_p_value(days, net_sum, size, n_perm=999, rng=rng)
    assert p > 0.01  # two articles of 12 at the ends: 2 / 132 of the orders put them there, either way round
