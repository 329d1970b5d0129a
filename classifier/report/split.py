"""Change at a date (``--split-date``): did an outlet's net stance toward an actor change at a day?

Per outlet x actor with dated articles on both sides: the net stance of the articles dated before the day and of
those dated on or after it (each side computed exactly as a framing-table cell, ``framing.cell_row``), and the
change, after minus before. The two sides hold different articles, so they are independent samples: the change's
95% interval resamples the articles of each side apart (the same draws as each side's own interval), expanded for
the fewer articles of the two sides (``evaluate.percentile_ci``); its p-value is the outlet tests' permutation test
(``framing.permutation_test``: the studentized gap, whole articles shuffled between the two sides of the cell),
Holm-corrected over the cells tested here, a family of their own; with the smallest change the cell's articles
could detect (80% power, alpha 0.05 before Holm: the outlet tests' ``framing.detectable_difference``, whose two
groups are independent samples as these two sides are), so that a 'no' reads with what it could have found. Dates
are read as the time view reads them (the day the outlet gave); an article without a readable date, or dated only
to a year or month that holds the day, is on neither side and is counted and named.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from classifier.evaluate import MIN_RESAMPLED_ARTICLES as MIN_ARTICLES  # fewer: no interval, no test
from classifier.evaluate import percentile_ci, progress_bar
from classifier.periods import day_of
from classifier.report.framing import (cell_row, design_p, detectable_difference, draw_again, holm, holm_perm,
                                       permutation_test, smallest_p)
from classifier.report.tables import CANNOT, TOO_FEW, verdict_words
from classifier.report.timeline import article_dates, articles_where, date_precision, some
from classifier.visible import counted, numeral

SPLIT_COLUMNS = ("outlet", "actor", "n_before", "n_articles_before", "net_before", "net_before_lo", "net_before_hi",
                 "n_after", "n_articles_after", "net_after", "net_after_lo", "net_after_hi", "change", "change_lo",
                 "change_hi", "p_value", "p_holm", "n_perm", "p_min", "changed", "mdd", "small")


def split_day(value) -> pd.Timestamp:
    """The day of ``--split-date`` (``periods.day_of``: an ISO 8601 day or a ``datetime.date``; anything else is an
    ``InputError`` naming the option) as a timestamp."""
    return pd.Timestamp(day_of(value))


def article_sides(sums: pd.DataFrame, day: pd.Timestamp) -> tuple[pd.Series, list[str], list[str]]:
    """Each article row's side ("before", "after" or None), the undated articles and those dated only to a year or
    month that holds ``day`` (a year-only "2022" against 2022-02-24: no side to put it on). A year or month wholly
    before or after the day is on that side."""
    dates = article_dates(sums).dt.normalize()  # the day the outlet gave
    precision = date_precision(sums)
    last = dates.copy()
    for period, offset in (("month", pd.offsets.MonthEnd(0)), ("year", pd.offsets.YearEnd(0))):
        coarse = (precision == period) & dates.notna()
        last[coarse] = dates[coarse] + offset  # the last day of that month or year
    side = pd.Series(None, index=sums.index, dtype=object)
    side[last < day] = "before"
    side[dates >= day] = "after"
    undated = articles_where(sums, dates.isna())
    straddling = articles_where(sums, dates.notna() & side.isna())
    return side, undated, straddling


def split_cells(sums: pd.DataFrame, split_date, *, n_boot: int = 1000, n_perm: int = 2000, seed: int = 0,
                min_n: int = 10, progress: bool = False) -> dict:
    """The before-and-after view from the article sums: ``table`` (one row per outlet x actor with articles on both
    sides, :data:`SPLIT_COLUMNS`), the day, the undated and straddling articles and how many cells have articles on
    one side only."""
    day = split_day(split_date)
    side, undated, straddling = article_sides(sums, day)
    dated = sums.assign(side=side)[side.notna()]
    rng = np.random.default_rng(seed)
    no_correction = {"possible": False}
    rows, groups, one_sided = [], {}, []
    cells = dated.groupby(["actor_name", "outlet"], sort=True)
    with progress_bar("before and after (permutations by article)", cells.ngroups, progress) as advance:
        for index, ((actor, outlet), cell) in enumerate(cells):
            advance(1)
            before, after = cell[cell["side"] == "before"], cell[cell["side"] == "after"]
            if before.empty or after.empty:  # named in the note, so that a reader can find the missing cell
                one_sided.append(f"{outlet} · {actor} ({'after' if before.empty else 'before'} only)")
                continue
            seeds = (seed + 2 * index, seed + 2 * index + 1)
            b, a = (cell_row(part, no_correction, n_boot=n_boot, seed=s, min_n=min_n, draws=True)
                    for part, s in ((before, seeds[0]), (after, seeds[1])))
            row = {"outlet": outlet, "actor": actor}
            for name, side_row in (("before", b), ("after", a)):
                row.update({f"n_{name}": side_row["n"], f"n_articles_{name}": side_row["n_articles"],
                            f"net_{name}": side_row["net"], f"net_{name}_lo": side_row["net_lo"],
                            f"net_{name}_hi": side_row["net_hi"]})
            row["change"] = a["net"] - b["net"]
            row.update(change_lo=np.nan, change_hi=np.nan, p_value=np.nan, p_holm=np.nan, n_perm=0, p_min=np.nan,
                       mdd=np.nan)
            tested = min(len(before), len(after)) >= MIN_ARTICLES
            if tested and n_boot > 0:
                draws = a["net_draws"] - b["net_draws"]  # each side's own resamples, as its interval
                ci = percentile_ci(draws, clusters=min(len(before), len(after)))
                row["change_lo"], row["change_hi"] = ci if ci else (np.nan, np.nan)
            if tested:
                both = pd.concat([before, after])
                group = np.r_[np.zeros(len(before), int), np.ones(len(after), int)]
                net_sum = (both["n_favor"] - both["n_against"]).to_numpy(float)
                size = both["n"].to_numpy(float)
                groups[len(rows)] = (group, net_sum, size)
                row["mdd"] = detectable_difference(net_sum, size, group == 1)  # NaN where no side varies
                row["p_value"] = permutation_test(group, net_sum, size, 1, n_perm=n_perm, rng=rng)[2]
                row["n_perm"] = n_perm
            row["small"] = min(b["n"], a["n"]) < min_n
            rows.append(row)
    m = len(groups)

    def draw(keys: list[int], more: int) -> dict[int, float]:
        return {k: permutation_test(*groups[k], 1, n_perm=more, rng=rng)[2] for k in keys}

    designs = {k: design_p(int(group.sum()), len(group)) for k, (group, _, _) in groups.items()}
    perms = holm_perm(m, n_perm)
    for k, p in draw_again({k: rows[k]["p_value"] for k in groups}, m, n_perm, draw, designs).items():
        rows[k].update(p_value=p, n_perm=perms)
    for k, (group, _, _) in groups.items():
        # as outlet_tests: the floor of the permutations any p below 0.05 would get (``perms``), not of those this
        # one got, else a cell of ample articles and a large p reads 'cannot' in a family of over 0.05 x n_perm cells
        rows[k]["p_min"] = smallest_p(int(group.sum()), len(group), perms)
    for k, adjusted in zip(groups, holm([rows[k]["p_value"] for k in groups])):
        rows[k]["p_holm"] = adjusted
    for k, row in enumerate(rows):  # 'too few': not tested; 'cannot': tested, Holm can never reach 0.05
        # (before 2026-12-07 (7) both read 'cannot'; the trend and --compare called an untested cell 'too few')
        row["changed"] = (TOO_FEW if k not in groups else "yes" if row["p_holm"] < 0.05
                          else "no" if row["p_min"] * m <= 0.05 else CANNOT)
    table = pd.DataFrame.from_records(rows, columns=list(SPLIT_COLUMNS))
    return {"date": day.strftime("%Y-%m-%d"), "table": table, "undated": undated, "straddling": straddling,
            "n_one_sided": len(one_sided), "one_sided": one_sided, "n_tests": m, "n_perm": n_perm,
            "redrawn": perms if perms > n_perm else 0}


def split_note(view: dict, n_articles: int, n_boot: int = 1000) -> str:
    """What the before-and-after view is, which family its Holm correction covers and which articles it leaves
    out; ``n_boot`` 0: no side and no change has an interval, and the note says why (the tests still run)."""
    from classifier.report.tables import NO_RESAMPLING

    table, day, m = view["table"], view["date"], view["n_tests"]
    changed = int((table["changed"] == "yes").sum()) if len(table) else 0
    redrawn = (f"; a p below 0.05 is drawn again with {view['redrawn']}, so that Holm's correction can reach 0.05"
               if view["redrawn"] and any(table["n_perm"] > view["n_perm"]) else "")
    tested = (f"{numeral(m)} cell{'s' if m != 1 else ''} tested here" if m
              else "cells tested here (none had 5 articles a side)")
    note = (f"Net stance per outlet and actor of the articles dated before {day} and of those dated on or after it "
            "(the day the outlet gave, as in the time view), each side computed like a framing-table cell (95% "
            "interval by article, † fewer than the minimum mentions on a side), and the change, after − before. Its "
            "95% interval resamples each side's articles apart (two independent samples), expanded for the fewer "
            "articles of the two sides. p: a permutation test of the change over its standard error that shuffles "
            f"whole articles between the two sides of the cell, as the outlet tests do ({view['n_perm']} "
            f"permutations{redrawn}), Holm-corrected over the {tested}: a family of its own, apart from "
            "the outlet tests, as it answers another question, about one day chosen beforehand (a day picked after "
            "looking at the time view would make these p-values too small). 'changed' means Holm-adjusted p < 0.05; "
            f"the interval stands alone, uncorrected. A side of fewer than {MIN_ARTICLES} articles gives no interval; "
            f"{verdict_words([TOO_FEW, CANNOT], too_few=TOO_FEW_WHY)}. "
            "'detectable' is the "
            "smallest change the cell's articles could detect (80% power, alpha 0.05 before Holm, errors from "
            "resampling each side's articles), as for the outlet tests: a 'no' does not show that nothing changed, "
            "least of all by less than that. A change at a day is "
            "not caused by it: what the outlet covered may have changed too. ")
    if n_boot <= 0:
        note += (f"No side and no change has an interval here: {NO_RESAMPLING} (the tests above still ran, and "
                 "'detectable' is in closed form). ")
    few = int((table["changed"] == TOO_FEW).sum()) if len(table) else 0
    cannot = int((table["changed"] == CANNOT).sum()) if len(table) else 0
    parts = ([f"none could be tested: '{TOO_FEW}'" if few == len(table) else
              f"{numeral(few)} of them could not be tested: '{TOO_FEW}'"] if few else []) + \
        ([f"none could reach significance: '{CANNOT}'" if cannot == len(table) else
          f"{numeral(cannot)} of them could not reach significance: '{CANNOT}'"] if cannot else [])
    untested = f" ({'; '.join(parts)})" if parts else ""
    note += (f"{numeral(changed)} of the {numeral(len(table))} cell{'s' if len(table) != 1 else ''} with articles on "
             f"both sides changed{untested}." if len(table) else
             "No outlet and actor has dated articles on both sides.")
    if view["n_one_sided"]:
        one = view["n_one_sided"] == 1
        note += (f" {numeral(view['n_one_sided'])} more {'has' if one else 'have'} dated articles on one side only and "
                 f"{'is' if one else 'are'} not shown" + (f": {some(view['one_sided'])}." if view.get("one_sided")
                                                          else "."))
    if view["undated"]:
        one = len(view["undated"]) == 1
        note += (f" {numeral(len(view['undated']))} of {numeral(n_articles)} article entries "
                 f"{'has' if one else 'have'} no readable date (ISO 8601) and {'is' if one else 'are'} on neither "
                 f"side: {some(view['undated'])}.")
    if view["straddling"]:
        one = len(view["straddling"]) == 1
        note += (f" {numeral(len(view['straddling']))} of {numeral(n_articles)} article entries "
                 f"{'is' if one else 'are'} dated only to a year or month that holds {day} and "
                 f"{'is' if one else 'are'} on neither side: {some(view['straddling'])}.")
    return note


def split_rows(table: pd.DataFrame, min_n: int):
    from classifier.report.tables import detectable_text, net_interval, p_text, signed

    def n(value) -> str:
        return f"{value}{'†' if value < min_n else ''}"

    headers = ["outlet", "actor", "n before", "articles", "net before", "95% CI", "n after", "articles", "net after",
               "95% CI", "change", "95% CI", "p", "p (Holm)", "changed", "detectable"]
    rows = [[r["outlet"], r["actor"], n(r["n_before"]), str(r["n_articles_before"]), signed(r["net_before"]),
             net_interval(r["net_before_lo"], r["net_before_hi"]), n(r["n_after"]),
             str(r["n_articles_after"]), signed(r["net_after"]),
             net_interval(r["net_after_lo"], r["net_after_hi"]), signed(r["change"]),
             net_interval(r["change_lo"], r["change_hi"]),
             p_text(r["p_value"]) if np.isfinite(r["p_value"]) else "–",
             p_text(r["p_holm"]) if np.isfinite(r["p_holm"]) else "–", r["changed"], detectable_text(r["mdd"])]
            for r in table.to_dict("records")]
    return headers, rows


def change_line(r: dict) -> str:
    """One cell's change at the day in words, as the terminal lists a cell that changed (:func:`changed_lines`) and
    the page's findings name the largest change (:func:`split_finding`)."""
    from classifier.evaluate import p_text
    from classifier.report.tables import interval, signed

    ci = interval((r["change_lo"], r["change_hi"]), 2, sign=True)
    p = p_text(r["p_holm"])
    return (f"{r['actor']}: {r['outlet']} {signed(r['net_before'])} before, {signed(r['net_after'])} on or after "
            f"(change {signed(r['change'])}" + (f", 95% CI {ci}" if ci != "–" else "")
            + (f"; Holm-adjusted p = {p}" if p != "–" else "") + ")")


def changed_lines(table: pd.DataFrame) -> list[str]:
    """One line per cell that changed at the day, for the terminal, as the outlet tests' findings are listed there:
    the note alone said "1 of the 21 cells ... changed" without naming it."""
    return [change_line(r) for r in table[table["changed"] == "yes"].to_dict("records")]


def split_finding(view: dict) -> str:
    """The page's finding for --split-date, listed first among its findings: how many cells changed at the day and
    the largest change (of those that changed, else of those tested), or that none could be tested. Before
    2026-12-07 (9) the findings named outlet differences only, and which cells changed was said at the end of the
    section's long note."""
    table, day, m = view["table"], view["date"], view["n_tests"]
    if not len(table):
        return f"Change at {day}: no outlet and actor has dated articles on both sides."
    if not m:
        return (f"Change at {day}: no outlet and actor has {MIN_ARTICLES} articles on each side, so no change "
                "was tested.")
    changed = table[table["changed"] == "yes"]
    pool = changed if len(changed) else table[table["changed"] != TOO_FEW]
    largest = pool.loc[pool["change"].abs().idxmax()].to_dict()
    # of one cell tested, "1 of the 1 cell tested changed ...; the largest change" (before 2026-12-07 (9)): its own
    which = "its change" if m == 1 else "the largest change"
    if len(changed):
        many = "the one cell tested" if m == 1 else f"{numeral(len(changed))} of the {counted(m, 'cell')} tested"
        return f"Change at {day}: {many} changed (Holm-adjusted p < 0.05); {which}: {change_line(largest)}."
    tested = "the one cell tested" if m == 1 else f"all {counted(m, 'cell')} tested"
    return (f"Change at {day}: no cell changed beyond chance (Holm-adjusted p ≥ 0.05 in {tested}; this is not "
            f"evidence that none changed); {which}: {change_line(largest)}.")


def change_words(row) -> str:
    """What the split chart says beside an outlet: the change and its Holm-adjusted p, in the table's figures
    ("-0.13, p=0.450"), then "changed" where it did, or the 'cannot' or 'too few' the legend explains (a cell of
    'too few' has no p). Before 2026-12-07 (9) the row said "(yes)" or "(no)" alone, with neither figure."""
    from classifier.report.tables import p_text, signed

    words = [signed(row["change"])]
    p = row.get("p_holm", np.nan)
    if p is not None and np.isfinite(p):
        text = p_text(p)
        words.append(f"p{text}" if text.startswith("<") else f"p={text}")
    verdict = row["changed"]
    if verdict == "yes":
        words.append("changed")
    elif verdict != "no":
        words.append(str(verdict))
    return ", ".join(words)


# Why a cell of the changed column is 'too few' (tables.VERDICT_MEANINGS): the note, the chart's footer, the page's
# caption and the legend under the table say it alike
TOO_FEW_WHY = f"a side of fewer than {MIN_ARTICLES} articles"


def changed_legend(words) -> str | None:
    """What the 'too few' and 'cannot' among ``words`` (the changed column's) mean, in one line; None where none."""
    return verdict_words(words, too_few=TOO_FEW_WHY)
SIDE_MARKERS = {"before": "s", "after": "o"}  # the side by its shape; hollow is kept for a side without an interval


def split_chart(table: pd.DataFrame, actor: str, day: str, *, min_n: int = 10, styles: dict | None = None,
                kind: str | None = None, n_boot: int = 1000):
    """One actor: a row per outlet, its net stance before the day (a square) and on or after it (a circle), each
    with its 95% interval (a pale bar), joined by a thin line; a side without an interval is hollow, as in the
    other charts (before 2026-12-07 "before" was the hollow one, which a side without an interval could not be told
    from). In the report's look of each outlet (``styles``, :func:`~classifier.report.plots.report_styles`; its
    colour and line, the marker being the side's), at most one outlet per colour
    (:func:`~classifier.report.plots.chart_outlets`), the most mentioned. ``n_boot``: 0 says in the footer that no
    side has an interval because none was asked for."""
    from matplotlib.lines import Line2D

    from classifier.report.plots import (NET_LABEL, NO_SPREAD, chart_outlets, label_text, label_texts, longest_line,
                                         new_figure, no_interval, no_spread, of_kind, plain, row_inches, with_styles)

    rows = table[table["actor"] == actor].assign(_n=lambda t: t["n_before"] + t["n_after"])
    outlets = rows.sort_values("_n", ascending=False, kind="stable")["outlet"]
    styles = with_styles(outlets, styles)
    drawn = sorted(chart_outlets(outlets, styles), reverse=True)  # top to bottom in name order
    rows = rows.set_index("outlet")
    small = [o for o in drawn if rows.loc[o, "small"]]
    labels = {o: f"{label}{'†' if o in small else ''}  {change_words(rows.loc[o])}"
              for o, label in label_texts(drawn).items()}  # beside each outlet its change and p, not "(yes)" alone
    longest = longest_line(labels.values())
    figure = new_figure(max(7.0, 4.5 + 0.075 * longest), 2.0 + row_inches(labels.values(), 0.5) * len(drawn))
    axes = figure.add_subplot()
    axes.axvline(0, color="#555555", linewidth=0.8, linestyle="--")
    offset = 0.12  # before just above the row, after just below, so the intervals do not hide each other
    intervals = flat = hollow = False
    for y, outlet in enumerate(drawn):
        look, row = styles[outlet], rows.loc[outlet]
        axes.plot([row["net_before"], row["net_after"]], [y + offset, y - offset], color=look.colour,
                  linestyle=look.line, linewidth=1.2)
        for name, dy in (("before", offset), ("after", -offset)):
            lo, hi = row[f"net_{name}_lo"], row[f"net_{name}_hi"]
            bare = not (np.isfinite(lo) and np.isfinite(hi))
            if no_spread(lo, hi):  # no bar of zero length: marked ‡, as the tables mark it
                axes.annotate("‡", (row[f"net_{name}"], y + dy), xytext=(6, 2), textcoords="offset points",
                              fontsize=9, color=look.colour)
                flat = True
            elif not bare:
                axes.hlines(y + dy, lo, hi, color=look.colour, linewidth=4, alpha=0.35)
                intervals = True
            hollow |= bare
            axes.plot([row[f"net_{name}"]], [y + dy], marker=SIDE_MARKERS[name], markersize=8, color=look.colour,
                      markerfacecolor="white" if bare else look.colour, linestyle="none")
    axes.set_yticks(range(len(drawn)), [plain(labels[o]) for o in drawn])
    axes.set_xlim(-1.05, 1.05)
    axes.set_ylim(-0.6, len(drawn) - 0.4)
    # the sides' shapes in a legend of their own, in black: the outlets' colours are the tick labels' rows
    keys = [Line2D([], [], marker=SIDE_MARKERS["before"], color="black", linestyle="none", label=f"before {day}"),
            Line2D([], [], marker=SIDE_MARKERS["after"], color="black", linestyle="none", label="on or after")]
    if hollow:
        keys.append(Line2D([], [], marker=SIDE_MARKERS["after"], color="black", markerfacecolor="white",
                           linestyle="none", label="hollow: no interval"))
    axes.legend(handles=keys, fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=len(keys),
                frameon=False)
    dagger = f"\n† fewer than {min_n} mentions on a side" if small else ""
    # the rows' "(cannot)" or "(too few)" was explained nowhere on the chart, which is shared alone; wrapped, as one
    # line ran off it
    legend = changed_legend(rows.loc[drawn, "changed"])
    dagger += "\n" + textwrap.fill(legend, 80) if legend else ""
    # The thin line joins an outlet's two sides; the footer names the intervals' bars only where some are drawn
    # (a side of fewer than 5 articles has none), as the time chart's footer does.
    bars = "\npale bars: 95% CI by article" if intervals else ""  # a line of its own: one line ran off a 7-inch chart
    bars += f"\n{no_interval(n_boot)}" if hollow else ""
    bars += f"\n{NO_SPREAD}" if flat else ""
    axes.set_xlabel(f"{NET_LABEL}\nsquare: before {day}; circle: on or after, joined by a line{bars}{dagger}",
                    fontsize=9)
    more = (f";\n{numeral(len(drawn))} of {numeral(len(outlets))} outlets, the most mentioned"
            if len(drawn) < len(outlets) else "")
    figure.suptitle(f"{plain(label_text(actor))}: net stance{of_kind(kind)} before and after {day}\n"
                    f"(beside each outlet: the change, after − before, and its Holm-adjusted p; "
                    f"changed: p < 0.05{more})",
                    fontsize=10)
    axes.grid(axis="x", color="#dddddd", linewidth=0.6)
    return figure
