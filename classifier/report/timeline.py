"""Net stance over time: per outlet x actor x period (day, week, month or year), with intervals by article.

Each article keeps its date (the first one its rows give, from the manifest or the article table); the
period is chosen from the span of the dates unless asked for. A cell of the time view is computed exactly
as a cell of the framing table (``framing.cell_row``: shares, net stance, bootstrap by article), from the
articles of that period. Articles without a readable date are counted and named, never guessed; so are
articles dated less precisely than the period ("2024" or "2024-06" in a daily or weekly view), which would otherwise sit
at the period's start.

Per outlet x actor, the trend (``trend_tests``): the slope of net stance on the date over the cell's dated articles,
per 30 days, with a permutation test that shuffles whole articles' dates, Holm-corrected over the cells tested (a
family of its own); a cell of too few dated articles or periods is not tested. The page's trend table lists the
tested cells first (at most ``PAGE_ROWS``), the terminal a line per cell that rose or fell (``trend_lines``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from classifier.dates import PRECISION, YEARS, read_dates
from classifier.evaluate import MIN_RESAMPLED_ARTICLES
from classifier.periods import PERIODS, check_period
from classifier.visible import numeral

PERIOD_CODES = {"day": "D", "week": "W-SUN", "month": "M", "year": "Y"}
MAX_PERIODS = 60  # the automatic choice keeps a chart readable: at most this many periods
GAP = pd.Timedelta(days=365)  # more than this between two dated articles: a gap in the dates, said on the page
# the line that joins a thin period to its neighbours, in the outlet's colour: sparse dots (a pattern no outlet's line
# has, plots.OUTLET_LINES), thinner and fainter than the outlets' lines (1.6 wide, opaque); it was ':' 1.0 wide at
# alpha 0.7, the dots of the outlets 17 to 24 of a report drawn for their own lines
WEAK_LINE = {"linestyle": (0, (1, 3)), "linewidth": 0.9, "alpha": 0.5}


def article_dates(sums: pd.DataFrame) -> pd.Series:
    """Each article row's date as a timestamp (NaT where missing or no date: ``classifier.dates``). One such
    placeholder as 1970-01-01 would stretch the time view over decades."""
    if "date" not in sums:
        return pd.Series(pd.NaT, index=sums.index, dtype="datetime64[ns]")
    return read_dates(sums["date"])


# a date of a year ("2024") or a month ("2024-06", "2024-6"): it says nothing finer, whatever day it parses to
def date_precision(sums: pd.DataFrame) -> pd.Series:
    """Each row's date precision, as the finest period it can place an article in: day (a day or finer; "week"
    before 2026-12-07 (7), when there was no daily view), month or year."""
    precision = pd.Series("day", index=sums.index, dtype=object)
    if "date" in sums and not pd.api.types.is_datetime64_any_dtype(sums["date"]):
        text = sums["date"].map(lambda v: v.strip() if isinstance(v, str) else "")
        for period, pattern in reversed(PRECISION):  # one rule with prepare's days_of
            precision = precision.mask(text.str.match(pattern), period)
    return precision


def date_gaps(dates: pd.Series) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """The stretches of more than a year (``GAP``) between two consecutive dated articles, each as (the last day
    before it, the first after): news of 2019 and of 2023 apart, whose empty years no period could fill."""
    days = pd.Series(np.sort(dates.dropna().dt.normalize().unique()))
    after = np.flatnonzero(days.diff() > GAP)
    return [(days.iloc[i - 1], days.iloc[i]) for i in after]


def outside_gaps(span: pd.PeriodIndex, gaps: list) -> pd.PeriodIndex:
    """The periods of ``span`` not wholly within one of the ``gaps`` (:func:`date_gaps`): those that can hold an
    article."""
    inside = np.zeros(len(span), dtype=bool)
    for before, after in gaps:
        inside |= (span.start_time > before) & (span.end_time < after)
    return span[~inside]


def fits(precision: pd.Series, period: str) -> pd.Series:
    """Which dates are precise enough for ``period`` (a month's date fits a monthly or yearly view, a day's any)."""
    return precision.map(PERIODS.index) <= PERIODS.index(period)


def choose_period(dates: pd.Series, precision: pd.Series | None = None, outlets: pd.Series | None = None) -> str:
    """The period ``--period auto`` takes (:func:`period_choice`)."""
    return period_choice(dates, precision, outlets)[0]


def period_choice(dates: pd.Series, precision: pd.Series | None = None,
                  outlets: pd.Series | None = None) -> tuple[str, str]:
    """The period of ``--period auto`` and why, in words for the time view's note ("auto: ...").

    ``dates``: one per article; ``outlets``: each article's outlet (None: one outlet). A period can be taken where
    more than half of the dates are precise enough for it and it gives at most ``MAX_PERIODS`` periods over the span
    of those dates. Of those, the finest where the median outlet x period cell (every outlet's every period over
    the span but those wholly within a gap of more than a year, :func:`date_gaps`, an empty one 0; of the outlets
    of ``MIN_RESAMPLED_ARTICLES`` such dates or more, where there is one:
    one of fewer has no period with an interval whatever the period, and ten of one article each had made one
    outlet's 1,000 articles over 30 months yearly) holds at least ``MIN_RESAMPLED_ARTICLES`` articles (so that a
    period has an interval) and the span, gaps apart, gives at least ``MIN_TREND_PERIODS`` periods (so that a line has a
    trend); where none does, of those that give ``MIN_TREND_PERIODS`` periods the one of the most articles in the
    median cell, the coarser on a tie (where one alone does, the note says "only days give 3 or more", not that it
    has "the most"); where none gives that many (a span of under three days), the finest that
    can be taken (before 2026-12-07 (7) there was no daily view: two weeks of thousands of articles took weeks).
    Before 2026-12-07 (7) only the span counted: 60 articles of 4 outlets over 11 months took weeks, about 1
    article per outlet-week, no interval anywhere and lines broken by empty weeks; and the empty years between news
    of 2019 and 2023 made every period's median 0, and the view yearly on the tie."""
    from classifier.evaluate import MIN_RESAMPLED_ARTICLES

    dates = dates.dropna()
    if dates.empty:
        return "month", "auto: no dated article"
    precision = precision.loc[dates.index] if precision is not None else pd.Series("day", index=dates.index)
    outlets = outlets.loc[dates.index] if outlets is not None else pd.Series("", index=dates.index)
    fitting = {}  # period -> (periods over the span, median articles per outlet x period)
    for period in PERIODS:
        precise = fits(precision, period)
        if precise.mean() <= 0.5:
            continue
        kept = dates[precise]
        span = pd.period_range(kept.min(), kept.max(), freq=PERIOD_CODES[period])
        if len(span) > MAX_PERIODS:
            continue
        gaps = date_gaps(kept)  # 2019 and 2023 apart: the empty years between count for no period
        counts = (pd.crosstab(outlets[precise], kept.dt.to_period(PERIOD_CODES[period]))
                  .reindex(columns=outside_gaps(span, gaps), fill_value=0))
        filling = counts.sum(axis=1) >= MIN_RESAMPLED_ARTICLES  # an outlet that can fill a period at all
        counts = counts[filling] if filling.any() else counts  # ten outlets of one article made 1,000 articles yearly
        fitting[period] = (counts.shape[1], float(np.median(counts.to_numpy())), bool(gaps),
                           float(counts.to_numpy().mean()) if counts.size else 0.0)
    if not fitting:
        return "year", f"auto: no finer period gives at most {MAX_PERIODS} over the span of the dates"

    def each(period):  # a median under one with what it means and the mean: "0 articles per outlet and month" alone
        median, mean = fitting[period][1], fitting[period][3]  # read as no article at all
        if median < 1:  # no parentheses: the other periods' figures go in some ("(... (...; 0.12 on average))")
            return (f"a median of {median:g} articles per outlet and {period}, {'most' if median == 0 else 'half the'} "
                    f"outlet-{period}s having none, and {mean:.2g} on average")
        return f"{median:g} article{'' if median == 1 else 's'} per outlet and {period}"

    enough = [p for p in fitting if fitting[p][0] >= MIN_TREND_PERIODS]
    full = [p for p in enough if fitting[p][1] >= MIN_RESAMPLED_ARTICLES]
    if full:
        return full[0], (f"auto: the finest period with a median of at least {MIN_RESAMPLED_ARTICLES} articles per "
                         f"outlet and period, here {each(full[0])}")
    lack = f"auto: no period of at least {MIN_TREND_PERIODS} over the span has a median of {MIN_RESAMPLED_ARTICLES} " \
        "articles per outlet and period"
    if len(enough) == 1:  # the one candidate: it has "the most" of none ("a year has the most" of one)
        fewer = ", ".join(f"{p}s: {fitting[p][0]}" for p in fitting if p not in enough)
        return enough[0], (f"{lack}; only {enough[0]}s give {MIN_TREND_PERIODS} or more"
                           + (f" ({fewer})" if fewer else "") + f", with {each(enough[0])}")
    if enough:
        best = max(reversed(enough), key=lambda p: fitting[p][1])  # max keeps the first: the coarser on a tie
        others = "; ".join(each(p) for p in enough if p != best)
        tied = [p for p in enough if p != best and fitting[p][1] == fitting[best][1]]
        # medians tied (at 0, say): the coarser has more articles on average, as a month has more than a week
        mean_apart = all(fitting[p][3] < fitting[best][3] for p in tied)
        has = "the most" if not tied else "the most on average" if mean_apart else "as many as any, and is the coarser"
        return best, f"{lack}; a {best} has {has}, {each(best)}" + (f" ({others})" if others else "")
    finest = next(iter(fitting))
    return finest, (f"auto: the dates span fewer than {MIN_TREND_PERIODS} {finest}s"
                    + (" outside their gaps of more than a year" if fitting[finest][2] else ""))


def stray_dates(dates: pd.Series, precision: pd.Series, chosen: str, outlets: pd.Series | None = None) -> pd.Series:
    """The dates far from the rest (Tukey's far out: beyond three interquartile ranges, at least a week, from the
    middle half) where without them the view would take a finer period than ``chosen`` (one article dated 2002
    among two years of 2022-23 news makes the view yearly); else none."""
    known = dates.dropna()
    if len(known) < 20:
        return known.iloc[:0]
    low, high = known.quantile(0.25), known.quantile(0.75)
    reach = 3 * max(high - low, pd.Timedelta(days=7))
    far = (known < low - reach) | (known > high + reach)
    rest = known[~far]
    finer = choose_period(rest, precision.loc[rest.index], None if outlets is None else outlets.loc[rest.index])
    if not far.any() or PERIODS.index(finer) >= PERIODS.index(chosen):
        return known.iloc[:0]
    return known[far]


def period_labels(dates: pd.Series, period: str) -> pd.Series:
    """'2019-03-04' (day), '2019-03' (month), '2019' (year) or the Monday of the week ('2019-03-04'); None without
    a date."""
    periods = dates.dt.to_period(PERIOD_CODES[period])
    if period == "week":
        labels = periods.dt.start_time.dt.strftime("%Y-%m-%d")
    else:
        labels = periods.astype(str)
    return labels.astype(object).where(dates.notna(), None)


def articles_where(sums: pd.DataFrame, rows: pd.Series) -> list[str]:
    """The articles (by outlet and id) of the article rows where ``rows`` is true (say, those without a date)."""
    rows = sums.loc[rows, ["outlet", "article", "lone"]].drop_duplicates()
    return [article_name(*row) for row in rows.itertuples(index=False)]


def article_name(outlet, article, lone) -> str:
    return f"{outlet}/{article}" if article else f"{outlet}/row {int(lone) + 1}"


def timeline(sums: pd.DataFrame, *, period: str | None = "auto", n_boot: int = 1000, seed: int = 0,
             min_n: int = 10, progress: bool = False, n_perm: int = 2000) -> dict:
    """The time view from the article sums: ``table`` (outlet, actor, period, n, n_articles, net, net_lo,
    net_hi, shares, and its cell's trend: :data:`TREND_COLUMNS`), ``trends`` (a row per outlet x actor,
    :func:`trend_tests` with ``n_perm`` permutations), the period used, and the undated articles. ``period`` None
    or "none": no time view."""
    from classifier.evaluate import progress_bar
    from classifier.report.framing import CellGroups, cell_columns, cell_row

    if period in (None, "none"):
        return {"period": None, "table": pd.DataFrame(), "undated": [], "vague": [], "n_dated_articles": 0}
    check_period(period)
    dates = article_dates(sums)
    undated = articles_where(sums, dates.isna())
    written = sums["date"].map(lambda v: bool(pd.notna(v)) and str(v).strip() != "") if "date" in sums else \
        pd.Series(False, index=sums.index)
    unreadable = articles_where(sums, dates.isna() & written.astype(bool))  # a date, in a form not read
    if dates.isna().all():
        return {"period": None, "table": pd.DataFrame(), "undated": undated, "vague": [], "n_dated_articles": 0,
                "unreadable": unreadable}
    precision = date_precision(sums)
    one_per_article = ~sums[["outlet", "article", "lone"]].duplicated().to_numpy()  # not one per actor named
    outlets = sums["outlet"][one_per_article]
    chosen, why = (period_choice(dates[one_per_article], precision[one_per_article], outlets) if period == "auto"
                   else (period, ""))
    stray = stray_dates(dates[one_per_article], precision[one_per_article], chosen, outlets) if period == "auto" \
        else dates.iloc[:0]
    stray_note = [f"{article_name(*sums.loc[index, ['outlet', 'article', 'lone']])} ({stamp:%Y-%m-%d})"
                  for index, stamp in stray.sort_values().items()]
    precise = fits(precision, chosen)
    vague = articles_where(sums, dates.notna() & ~precise)  # "2024" in a weekly view: no week to put it in
    dates = dates.where(precise)
    gaps = [(f"{before:%Y-%m-%d}", f"{after:%Y-%m-%d}") for before, after in date_gaps(dates[one_per_article])]
    if dates.isna().all():
        return {"period": None, "table": pd.DataFrame(), "undated": undated, "vague": vague, "n_dated_articles": 0,
                "unreadable": unreadable}
    # the dated rows, copied once (with their period), not twice
    labelled = sums[dates.notna()].assign(period=period_labels(dates[dates.notna()], chosen))
    rows = []
    no_correction = {"possible": False}
    keys = ["actor_name", "outlet", "period"]
    cells = CellGroups(labelled, keys, cell_columns(labelled))  # grouped once, counted for the bar and iterated
    with progress_bar(f"time view (cells by {chosen})", len(cells), progress) as advance:
        for index, ((actor, outlet, label), cell) in enumerate(cells):
            row = cell_row(cell, no_correction, n_boot=n_boot, seed=seed + index, min_n=min_n)
            rows.append({"outlet": outlet, "actor": actor, "period": label,
                         **{key: row[key] for key in ("n", "n_articles", "small", "share_favor", "share_against",
                                                      "share_neutral", "net", "net_lo", "net_hi")}})
            advance(1)
    n_dated = int(labelled[["outlet", "article", "lone"]].drop_duplicates().shape[0])
    trends = trend_tests(labelled, dates[dates.notna()], n_perm=n_perm, seed=seed, n_boot=n_boot)
    table = pd.DataFrame.from_records(rows).merge(trends[["outlet", "actor", *TREND_COLUMNS]], on=["outlet", "actor"],
                                                  how="left")
    return {"period": chosen, "table": table, "trends": trends, "n_trend_tests": int(trends["trend_tested"].sum()),
            "n_perm": n_perm, "undated": undated, "vague": vague, "n_dated_articles": n_dated,
            "unreadable": unreadable, "stray": stray_note, "n_stray": len(stray), "chosen": why, "gaps": gaps}


MIN_TREND_ARTICLES, MIN_TREND_PERIODS = 10, 3  # fewer dated articles or periods in a cell: its trend is not tested
# a cell's trend, on each of its periods' rows of timeline.csv
TREND_COLUMNS = ("trend_articles", "trend_periods", "trend_tested", "trend_30d", "trend_30d_lo", "trend_30d_hi",
                 "trend_p", "trend_p_holm", "trend_n_perm", "trend")


def trend_tests(labelled: pd.DataFrame, dates: pd.Series, *, n_perm: int, seed: int,
                n_boot: int = 1000) -> pd.DataFrame:
    """Per outlet x actor of the time view (``labelled``: its dated article sums with their ``period``; ``dates``:
    their dates), whether net stance rose or fell over the dated articles: the slope of net stance on the date
    (``framing.trend_slope``, per 30 days) and the permutation test that shuffles whole articles' dates
    (``framing.trend_p_value``), Holm-corrected over the cells tested, a family of their own (as ``--split-date``'s);
    the slope's 95% interval resamples the cell's articles, expanded for the slope's effective number of them
    (``framing.trend_interval``, ``n_boot`` resamples with the seed ``seed`` + the cell's place; none with 0).
    A cell of fewer than ``MIN_TREND_ARTICLES`` dated articles or ``MIN_TREND_PERIODS`` periods is not tested
    ('too few'). As the outlet tests, a p below 0.05 that Holm cannot take below 0.05 is drawn again with
    ``PERM_PER_TEST`` x tests permutations (at most ``MAX_PERM``); where even those cannot give a p small enough
    for Holm, the cell reads 'cannot'."""
    from classifier.report.framing import (CellGroups, draw_again, holm, holm_perm, trend_interval, trend_p_value,
                                           trend_slope)
    from classifier.report.tables import CANNOT, TOO_FEW

    rng = np.random.default_rng(seed)
    days = ((dates - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1)).astype(float)
    rows, tested = [], {}
    # the columns read, a cell at a time: iterating the groupby held a sorted copy of every column
    cells = CellGroups(labelled, ["actor_name", "outlet"], ["period", "n", "n_favor", "n_against"])
    for (actor, outlet), cell in cells:
        row = {"outlet": outlet, "actor": actor, "trend_articles": len(cell), "trend_periods": cell["period"].nunique(),
               "trend_tested": False, "trend_30d": np.nan, "trend_30d_lo": np.nan, "trend_30d_hi": np.nan,
               "trend_p": np.nan, "trend_p_holm": np.nan, "trend_n_perm": 0, "trend": TOO_FEW}
        if row["trend_articles"] >= MIN_TREND_ARTICLES and row["trend_periods"] >= MIN_TREND_PERIODS:
            data = (days.loc[cell.index].to_numpy(float), (cell["n_favor"] - cell["n_against"]).to_numpy(float),
                    cell["n"].to_numpy(float))
            row.update(trend_tested=True, trend_30d=30 * float(trend_slope(*data)[0]),
                       trend_p=trend_p_value(*data, n_perm=n_perm, rng=rng), trend_n_perm=n_perm)
            interval = trend_interval(*data, n_boot, seed + len(rows))
            if interval:
                row["trend_30d_lo"], row["trend_30d_hi"] = 30 * interval[0], 30 * interval[1]
            tested[len(rows)] = data
        rows.append(row)
    m, perms = len(tested), holm_perm(len(tested), n_perm)
    redrawn = draw_again({k: rows[k]["trend_p"] for k in tested}, m, n_perm,
                         lambda keys, more: {k: trend_p_value(*tested[k], n_perm=more, rng=rng) for k in keys})
    for k, p in redrawn.items():
        rows[k].update(trend_p=p, trend_n_perm=perms)
    for k, adjusted in zip(tested, holm([rows[k]["trend_p"] for k in tested])):
        rows[k]["trend_p_holm"] = adjusted
        floor = 1.0 / (perms + 1)  # the smallest p the permutations can give (1 with none)
        rows[k]["trend"] = (CANNOT if floor * m > 0.05 else "no" if adjusted >= 0.05
                            else "rising" if rows[k]["trend_30d"] > 0 else "falling")
    return pd.DataFrame.from_records(rows, columns=["outlet", "actor", *TREND_COLUMNS])


def in_framing_order(cells: pd.DataFrame, framing: pd.DataFrame) -> pd.DataFrame:
    """The time view's rows in the framing table's order of outlet x actor cells (actors by mentions, most first, then
    each actor's outlets by net stance) and each cell's periods in time order, as its charts go by mentions: sorted by
    actor name, the table read in another order than every other part of the report."""
    if cells.empty:
        return cells
    rank = {key: index for index, key in enumerate(zip(framing["outlet"], framing["actor"]))}
    # every dated cell is a framing cell (the same rows); one that were not would go last
    order = [rank.get(key, len(rank)) for key in zip(cells["outlet"], cells["actor"])]
    return (cells.assign(_rank=order).sort_values(["_rank", "period"], kind="stable").drop(columns="_rank")
            .reset_index(drop=True))


def timeline_note(view: dict, n_articles: int, min_n: int = 10, n_boot: int = 1000) -> str:
    """What the time view is and which articles it leaves out; ``n_boot`` 0: no period has an interval, and the
    note says why (not for want of articles)."""
    from classifier.report.tables import NO_RESAMPLING

    undated, vague, unreadable = view["undated"], view.get("vague", []), view.get("unreadable", [])
    written = (f" ({numeral(len(unreadable))} of them {'carries' if len(unreadable) == 1 else 'carry'} a date it "
               f"cannot read, e.g. {some(unreadable)}: write ISO 8601, 2019-03-04)" if unreadable
               else " (none carries a date)")
    if view["period"] is None:
        if vague:
            return (f"No time view: the {numeral(len(vague))} dated "
                    f"article{' gives' if len(vague) == 1 else 's give'} only a year or month, too coarse for the "
                    "period asked (--period)"
                    + (f"; {numeral(len(undated))} more {'has' if len(undated) == 1 else 'have'} no readable "
                       f"date{written}."
                       if undated else "."))
        if not undated:
            return "No time view: it was not asked for."
        which = "the 1 article has no" if len(undated) == 1 else f"none of the {numeral(len(undated))} articles has a"
        return (f"No time view: {which} readable date{written} (give ISO 8601 dates in the manifest's or the article "
                "table's 'date' column, e.g. 2019-03-04).")
    named = f" (each named by its Monday: {week_example(view['table'])})" if view["period"] == "week" else ""
    chosen = f" ({view['chosen']})" if view.get("chosen") else ""
    note = (f"Net stance per {view['period']}{chosen}{named} for each outlet and actor, from the "
            f"{numeral(view['n_dated_articles'])} dated articles; each point is computed like a framing-table cell "
            "(95% interval by article, † fewer than "
            "the minimum mentions). "
            + ("A period of fewer than 5 articles has no interval. Each interval is its period's own (95% each, not "
               "for the line): over many periods of no change some miss the truth and two may not overlap by chance, "
               "so they do not test a change over time (the trend below does)."
               if n_boot > 0 else f"No period has an interval: {NO_RESAMPLING}.")
            + trend_note(view))
    if len(view["table"]) > PAGE_ROWS:
        note += (f" The table below shows {numeral(len(page_cells(view['table'], min_n)))} of its "
                 f"{numeral(len(view['table']))} rows (those of the most mentions); timeline.csv holds them all.")
    if len(view["table"]) and view["table"].groupby("actor")["period"].nunique().max() < 2:
        note += f" Every actor falls in one {view['period']} here, so no chart is drawn (a line needs two)."
    if view.get("gaps"):
        stretches = " nor ".join(f"between {before} and {after}" for before, after in view["gaps"])
        note += (f" No article is dated {stretches} (more than a year{' each' if len(view['gaps']) > 1 else ''}): the "
                 f"chart leaves {'them' if len(view['gaps']) > 1 else 'it'} empty"
                 + (f" and --period auto weighed no {view['period']} within "
                    f"{'them' if len(view['gaps']) > 1 else 'it'}." if view.get("chosen") else "."))
    if view.get("n_stray"):
        several = view["n_stray"] > 1
        note += (f" The period is a {view['period']} because {numeral(view['n_stray'])} "
                 f"article{'s' if several else ''} dated far from the rest stretch{'' if several else 'es'} the span ("
                 f"{some(view['stray'])}): check {'their dates' if view['n_stray'] > 1 else 'its date'}, or ask for "
                 "a finer --period.")
    if undated:
        one = len(undated) == 1
        note += (f" {numeral(len(undated))} of {numeral(n_articles)} article entries {'has' if one else 'have'} no "
                 f"readable date (ISO 8601, years {YEARS[0]} to {YEARS[1]}, not the placeholder 1970-01-01 or "
                 f"1900-01-01) and {'is' if one else 'are'} left out: {some(undated)}"
                 + (f"; {numeral(len(unreadable))} of them {'carries' if len(unreadable) == 1 else 'carry'} a date it "
                    f"cannot read (another form, or a placeholder), e.g. {some(unreadable)}." if unreadable
                    else "; none of them carries a date."))
    if vague:
        one = len(vague) == 1
        note += (f" {numeral(len(vague))} of {numeral(n_articles)} article entries {'is' if one else 'are'} dated "
                 f"only to the {'year or month' if view['period'] in ('day', 'week') else 'year'}, too coarse for a "
                 f"{view['period']}, and "
                 f"{'is' if one else 'are'} left out: {some(vague)}.")
    return note


def trend_count(found: int, tested: int, cells: int) -> str:
    """How many cells rose or fell, out of those tested: "0 of 70 cells rose or fell" where 2 were tested read as 70
    cells found flat; the untested ones are 'too few' and counted apart."""
    if tested == cells:
        return f"{numeral(found)} of {numeral(cells)} cell{'s' if cells != 1 else ''} rose or fell."
    if not tested:
        return (f"None of the {numeral(cells)} cell{'s' if cells != 1 else ''} had enough dated articles and periods "
                "to be tested.")
    rest = cells - tested
    return (f"{numeral(found)} of the {numeral(tested)} cell{'s' if tested != 1 else ''} tested rose or fell; the "
            f"other {numeral(rest)} of the {numeral(cells)} cells {'was' if rest == 1 else 'were'} too few to test.")


def trend_note(view: dict) -> str:
    """What the trend per 30 days is and which family its Holm correction covers."""
    trends = view.get("trends")
    if trends is None or not len(trends):
        return ""
    m, found = view["n_trend_tests"], int(trends["trend"].isin(["rising", "falling"]).sum())
    tested = f"the {numeral(m)} cell{'s' if m != 1 else ''} tested" if m else "the cells tested (none here)"
    return (f" Trend per 30 days: per outlet and actor with at least {MIN_TREND_ARTICLES} dated articles over at "
            f"least {MIN_TREND_PERIODS} {view['period']}s, the slope of net stance on the date (mentions pooled, "
            "each article at its date); p: a permutation test of the slope over its standard error that shuffles "
            f"whole articles' dates ({numeral(view['n_perm'])} permutations, drawn again where Holm needs more), "
            f"Holm-corrected over {tested}, a family of its own. 'rising' or 'falling': Holm-adjusted p < 0.05; "
            f"a cell of fewer articles or periods is 'too few', not tested. {trend_count(found, m, len(trends))} "
            + ("95% interval of the trend: the cell's articles resampled, the expanded percentile interval for the "
               "slope's effective number of articles (Kish's, of mentions x squared distance from the mean date), "
               "so wide from few; in simulation it held the true slope in 94.7-100% of cells of 10 to 50 articles "
               "(98-100% at 10). " if trends.get("trend_30d_lo", pd.Series(dtype=float)).notna().any() else "")
            + "A straight line: a rise and a fall within the span may show none; --split-date tests a change "
            "at a day chosen beforehand. A cell not found rising or falling is no evidence of a flat one: in "
            "simulation (docs/statistics.md) a net stance moving by 0.4 over the span was found in 13-17% of cells "
            "of 20 articles and 22-27% of 50."
            + (f" The trend table lists the cells tested first and shows {PAGE_ROWS} of its {numeral(len(trends))} "
               "rows; timeline.csv holds them all." if len(trends) > PAGE_ROWS else ""))


def trend_cells(trends: pd.DataFrame) -> pd.DataFrame:
    """The trend table's cells: those tested first, then the 'too few', each in the time view's order; at most
    ``PAGE_ROWS``, as the time view's table (before, every cell, a 'too few' one before a tested one)."""
    tested = trends["trend_tested"].astype(bool)
    return pd.concat([trends[tested], trends[~tested]]).head(PAGE_ROWS)


def trend_rows(trends: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """The trend table of the time view: a row per outlet x actor, :func:`trend_cells`."""
    from classifier.report.tables import interval, p_text, signed

    headers = ["outlet", "actor", "dated articles", "periods", "trend per 30 days", "95% interval", "p", "p (Holm)",
               "trend"]
    rows = [[r["outlet"], r["actor"], str(r["trend_articles"]), str(r["trend_periods"]), signed(r["trend_30d"], 3),
             interval([r["trend_30d_lo"], r["trend_30d_hi"]], 3, sign=True),
             p_text(r["trend_p"]) if np.isfinite(r["trend_p"]) else "–",
             p_text(r["trend_p_holm"]) if np.isfinite(r["trend_p_holm"]) else "–", r["trend"]]
            for r in trend_cells(trends).to_dict("records")]
    return headers, rows


def trend_lines(trends: list[dict]) -> list[str]:
    """One line per cell that rose or fell, for the terminal after --split-date's changed cells (report.json's
    ``timeline.trends``): the time view's table and note are on the page only."""
    from classifier.evaluate import p_text
    from classifier.report.tables import signed

    return [f"{r['actor']}: {r['outlet']} {r['trend']} over time ({signed(r['trend_30d'], 3)} net stance per 30 days "
            f"over {numeral(r['trend_articles'])} dated articles; Holm-adjusted p = {p_text(r['trend_p_holm'])})"
            for r in trends if r["trend"] in ("rising", "falling")]


def week_example(table: pd.DataFrame) -> str:
    """One week of the view spelt out, "2021-12-27 is the week of 27 December 2021 to 2 January 2022": one that
    spans a new year where the data hold one (the week a reader is likeliest to misplace), else the first."""
    labels = sorted(table["period"].dropna().unique()) if len(table) and "period" in table else []
    mondays = [pd.Timestamp(label) for label in labels] or [pd.Timestamp("2024-03-04")]
    monday = next((m for m in mondays if (m + pd.Timedelta(days=6)).year != m.year), mondays[0])
    sunday = monday + pd.Timedelta(days=6)
    # Timestamp.month_name: English whatever the process's locale (strftime's %B follows LC_TIME)
    start = (f"{monday.day}" if monday.month == sunday.month else f"{monday.day} {monday.month_name()}"
             if monday.year == sunday.year else f"{monday.day} {monday.month_name()} {monday.year}")
    return f"{monday:%Y-%m-%d} is the week of {start} to {sunday.day} {sunday.month_name()} {sunday.year}"


def some(names: list[str], shown: int = 8) -> str:
    return ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown else "")


PAGE_ROWS = 600  # the most time-view (and trend) rows the page and report.md show; timeline.csv holds them all


def page_cells(table: pd.DataFrame, min_n: int) -> pd.DataFrame:
    """The time-view rows the page shows: all, or where they are more than ``PAGE_ROWS`` (a 200,000-row file of 30
    outlets made a 20 MB page), the ``PAGE_ROWS`` of the most mentions, in the table's order."""
    if len(table) <= PAGE_ROWS:
        return table
    return table.nlargest(PAGE_ROWS, "n", keep="first").sort_index()


def timeline_rows(table: pd.DataFrame, min_n: int) -> tuple[list[str], list[list[str]]]:
    from classifier.report.tables import net_interval, pct, signed

    table = page_cells(table, min_n)
    headers = ["outlet", "actor", "period", "n", "articles", "favor", "against", "net", "95% CI"]
    rows = [[r["outlet"], r["actor"], r["period"], f"{r['n']}{'†' if r['n'] < min_n else ''}", str(r["n_articles"]),
             pct(r["share_favor"]), pct(r["share_against"]), signed(r["net"]),
             net_interval(r["net_lo"], r["net_hi"])] for r in table.to_dict("records")]
    return headers, rows


def all_periods(labels: pd.Series, period: str) -> list[str]:
    """Every period label from the first to the last of ``labels``, in order."""
    found = pd.PeriodIndex([pd.Period(label, freq=PERIOD_CODES[period]) for label in labels.unique()])
    span = pd.period_range(found.min(), found.max(), freq=PERIOD_CODES[period])
    return period_labels(pd.Series(span.start_time), period).tolist()


def lone_intervals(finite: np.ndarray) -> np.ndarray:
    """The periods whose interval has no interval beside it: ``fill_between`` draws a band only between two
    neighbouring periods, so the interval of a period alone (its neighbours empty, or of fewer than 5 articles) would
    not be drawn at all."""
    before = np.r_[False, finite[:-1]]
    after = np.r_[finite[1:], False]
    return finite & ~before & ~after


def split_position(periods: list[str], period: str, day) -> float | None:
    """Where ``day`` (``--split-date``) falls on a time chart whose i-th point is ``periods[i]``: period i spans
    i - 0.5 to i + 0.5, so 2022-02-24 in a monthly chart sits 23/28 of the way through February's span; None
    outside the chart's periods."""
    day = pd.Timestamp(day)
    span = pd.Period(day, freq=PERIOD_CODES[period])
    label = period_labels(pd.Series([span.start_time]), period).iloc[0]
    if label not in periods:
        return None
    start, end = span.start_time.normalize(), span.end_time.normalize() + pd.Timedelta(days=1)
    return periods.index(label) - 0.5 + (day - start) / (end - start)


def trend_mark(rows: pd.DataFrame, outlet: str) -> str:
    """What an outlet's legend entry in a time chart adds of its cell's trend: " (rising)" or " (falling)" where the
    trend table says so (the time view's rows carry their cell's ``trend``), nothing for one tested and not found,
    "too few", or rows without a trend."""
    if "trend" not in rows:
        return ""
    found = set(rows.loc[rows["outlet"] == outlet, "trend"].dropna()) & {"rising", "falling"}
    return f" ({found.pop()})" if len(found) == 1 else ""


def timeline_chart(table: pd.DataFrame, actor: str, period: str, *, min_n: int = 10,
                   styles: dict | None = None, kind: str | None = None, n_boot: int = 1000,
                   split_date: str | None = None):
    """One actor: a line per outlet of net stance per period, its 95% interval as a band (a bar for a period
    alone), where a period has one. ``styles``: the
    report's look of each outlet (:func:`~classifier.report.plots.report_styles`); the outlets with the most
    mentions of the actor are drawn, one per colour (:func:`~classifier.report.plots.chart_outlets`). A marker's
    fill says whether its period has an interval: filled where it has, hollow where it has none (fewer than 5
    articles: 14 mentions of one article are no better supported than one); its shape, whether its mentions are
    enough: the outlet's own marker, a diamond where fewer than ``min_n``. The legend keys each that the chart
    draws, in grey beside the outlets, and the footer says why a period has no interval (before 2026-12-07 (5) the
    footer said "open diamonds" and "hollow" of two marks both hollow, and a diamond was hollow whether or not it
    had an interval). One whose resamples all agree is marked ‡ (no bar of zero length,
    :func:`~classifier.report.plots.no_spread`). ``kind``: the --kind the title names; ``n_boot``: 0 says in the
    footer why no period has an interval (none was asked for). A period of fewer than 5 articles or ``min_n`` mentions
    is joined to its neighbours by faint sparse dots (:data:`WEAK_LINE`), not the outlet's own line: before
    2026-12-07 (9) the last month of a corpus, one article of +1 or -1, drew the line's longest and steepest
    stroke. ``split_date``: the day of ``--split-date``, drawn as a vertical line where it falls (none before
    2026-12-07 (9))."""
    import textwrap

    from matplotlib.lines import Line2D

    from classifier.report.plots import (NET_LABEL, NO_SPREAD, chart_outlets, label_text, label_texts, new_figure,
                                         no_interval, no_spread, of_kind, plain, with_styles)

    rows = table[table["actor"] == actor]
    periods = all_periods(rows["period"], period)  # gaps stay gaps: a period without articles keeps its place
    outlets = rows.groupby("outlet")["n"].sum().sort_values(ascending=False, kind="stable").index
    styles = with_styles(outlets, styles)
    drawn = sorted(chart_outlets(outlets, styles))  # the legend in name order
    labels = {outlet: plain(label) + trend_mark(rows, outlet) for outlet, label in label_texts(drawn).items()}
    figure = new_figure(min(max(6.5, 3.0 + 0.3 * len(periods)), 16), 4.4)
    axes = figure.add_subplot()
    axes.axhline(0, color="#555555", linewidth=0.8, linestyle="--")
    x = np.arange(len(periods))
    marks = set()  # what the footer and the legend's key explain: only what some outlet's line shows
    for outlet in drawn:
        look = styles[outlet]
        colour = look.colour
        line = rows[rows["outlet"] == outlet].set_index("period").reindex(periods)  # NaN where no articles
        net = line["net"].to_numpy(float)
        lo, hi = line["net_lo"].to_numpy(float), line["net_hi"].to_numpy(float)
        finite = np.isfinite(lo) & np.isfinite(hi)
        shown = np.isfinite(net)
        small = (line["n"] < min_n).to_numpy() & shown  # a diamond, not the outlet's marker
        few = (line["n_articles"] < MIN_RESAMPLED_ARTICLES).to_numpy() if "n_articles" in line else False
        weak = small | (shown & few)  # by its articles, not its interval: the same lines whatever --n-boot
        axes.plot(x, np.where(weak, np.nan, net), marker=look.marker, linestyle=look.line, color=colour,
                  label=labels[outlet], linewidth=1.6,
                  markevery=list(np.flatnonzero(shown & finite & ~small)))  # NaN breaks it
        if weak.any():  # the weak periods joined thinly: on the outlet's path, not drawn as firmly as the rest
            axes.plot(x, net, color=colour, zorder=1.5, **WEAK_LINE)
            marks.add("weak")
        for points, marker, mark in ((shown & ~finite & ~small, look.marker, "hollow"),
                                     (small & ~finite, "D", "hollow"), (small & finite, "D", "filled")):
            if points.any():
                axes.plot(x[points], net[points], marker=marker, linestyle="none", color=colour,
                          markerfacecolor="white" if mark == "hollow" else colour, markeredgecolor=colour)
                marks.add(mark)
        marks |= {"diamonds"} if small.any() else set()
        marks |= {"filled"} if (shown & finite & ~small).any() else set()
        flat = no_spread(lo, hi)
        if flat.any():
            for at in np.flatnonzero(flat):
                axes.annotate("‡", (x[at], net[at]), xytext=(5, 5), textcoords="offset points", fontsize=9,
                              color=colour)
            marks.add("flat")
        alone = lone_intervals(finite) & ~flat  # a band needs two neighbours: a period alone gets a bar
        if (finite & ~alone).any():
            axes.fill_between(x, lo, hi, where=finite, color=colour, alpha=0.15, linewidth=0)
            marks.add("bands")
        if alone.any():
            axes.vlines(x[alone], lo[alone], hi[alone], color=colour, alpha=0.35, linewidth=5)
            marks.add("bars")
    step = max(1, len(periods) // 14)
    axes.set_xticks(range(0, len(periods), step), [periods[i] for i in range(0, len(periods), step)],
                    rotation=35, ha="right")
    axes.set_ylim(-1.05, 1.05)
    axes.set_ylabel(NET_LABEL)
    at = split_position(periods, period, split_date) if split_date is not None else None
    if at is not None:
        axes.axvline(at, color="#555555", linewidth=1.2, linestyle=(0, (6, 3)), label=f"{split_date} (--split-date)")
    said = [no_interval(n_boot)] if "hollow" in marks else []  # why: the legend's key says which marker
    if marks & {"bands", "bars"}:
        said.append(f"{' or '.join(m for m in ('bands', 'bars') if m in marks)}: 95% CI by article")
    said += [NO_SPREAD] if "flat" in marks else []
    found = [f"({trend})" for trend in ("rising", "falling") if any(label.endswith(f"({trend})")
                                                                   for label in labels.values())]
    said += [f"{' or '.join(found)} in the legend: the trend table's verdict"] if found else []
    footer = [period] + ["; ".join(said[i:i + 2]) for i in range(0, len(said), 2)]  # two to a line: it fits
    axes.set_xlabel("\n".join(footer), fontsize=9)
    some = (f"\n({numeral(len(drawn))} of {numeral(len(outlets))} outlets: the most mentioned, one per colour; all in "
            "timeline.csv)" if len(drawn) < len(outlets) else "")
    axes.set_title(f"{plain(label_text(actor))}: net stance per {period}{of_kind(kind)}{some}", fontsize=10)
    key = [("filled", "o", True, "filled: 95% interval"), ("hollow", "o", False, "hollow: no interval"),
           ("diamonds", "D", False, f"diamond: fewer than {min_n} mentions")]  # as the split chart's key
    grey = "#555555"
    handles, labels = axes.get_legend_handles_labels()
    for mark, marker, filled, meaning in key:
        if mark in marks:  # the marker as drawn, in grey: the outlets' entries show their colour and shape
            handles.append(Line2D([], [], marker=marker, linestyle="none", color=grey, markeredgecolor=grey,
                                  markerfacecolor=grey if filled else "white"))
            labels.append(textwrap.fill(meaning, 26))
    if "weak" in marks:
        handles.append(Line2D([], [], color=grey, **WEAK_LINE))
        labels.append(textwrap.fill(f"faint dots: to a period of fewer than {MIN_RESAMPLED_ARTICLES} articles or "
                                    f"{min_n} mentions", 26))
    axes.legend(handles, labels, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # beside the lines
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    return figure
