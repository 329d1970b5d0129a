"""Before / after: two prediction files of the same items (say, before and after retraining), per outlet x
actor, and whether each change in net stance is beyond the bootstrap noise.

The two files' article sums are matched by outlet, actor and article; the change in net stance of a cell is
resampled by article, both files at once (the same articles in each resample), so the interval is that of
the change itself, not of two independent figures. A cell of fewer than ``FEW_ARTICLES`` articles resamples them
with two paired pseudo-articles (:data:`PAIRED_PSEUDO`), as a framing cell's net stance does with its own.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from classifier.evaluate import MIN_RESAMPLED_ARTICLES as MIN_ARTICLES  # fewer: no claim that a cell moved
from classifier.evaluate import percentile_ci, resampled_sums
from classifier.report.framing import SUM_KEYS
from classifier.visible import counted, numeral

FEW_ARTICLES = 10  # a cell of fewer articles resamples them with PAIRED_PSEUDO (bench/results/compare_hybrid_rule.txt)
PAIRED_PSEUDO = np.array([[1, 1, 1, 0], [1, -1, 1, 0]], dtype=float)
"""Two pseudo-articles of one mention, rows as :func:`compare_cell_rows` resamples them (mentions and favor - against
in the new file, the same in the old): neutral in the old file and favor in the new, neutral and against. With the
articles' own resamples alone, the change's interval held a known fall in 71% to 94% of simulated cells of 5
articles (often an interval of one value, every resample changing alike), worst where nearly every mention is
favor; with these, in 98.7% to 100% (docs/statistics.md, section 5). From 10 articles the articles' own resamples
held it in 88% to 100%. The price: at 5 articles the interval is 0.9 to 1.4 wide, so a cell of so few articles is
seldom called moved."""


def compare_cells(new: pd.DataFrame, old: pd.DataFrame, *, n_boot: int = 1000, seed: int = 0,
                  min_n: int = 10) -> pd.DataFrame:
    """One row per outlet x actor that both files hold: n, net stance before and after, the change with its
    paired 95% interval by article (none from fewer than ``MIN_ARTICLES`` articles, as for a framing cell; with
    :data:`PAIRED_PSEUDO` from fewer than ``FEW_ARTICLES``), and
    ``moved``: True where the interval excludes zero, False where it holds zero, None where there is no interval
    (too few articles, or ``n_boot`` 0): compare.csv's empty cell and report.json's null, not a "did not move".
    The rows are :func:`in_compare_order`."""
    return in_compare_order(pd.DataFrame.from_records(list(compare_cell_rows(new, old, n_boot=n_boot, seed=seed,
                                                                             min_n=min_n))))


def in_compare_order(cells: pd.DataFrame) -> pd.DataFrame:
    """The before-and-after table's order, for its page table, compare.csv and report.json alike: the cells that
    moved beyond the bootstrap noise first, then those whose interval holds zero, then those with no interval
    (too few articles, ``--n-boot 0``); within each, the biggest change in net stance first (either way), then
    the most mentions, then outlet and actor. Made in outlet x actor order (their seeds), a table that a reader
    scans for what moved put a big move of a late outlet name at the bottom."""
    if cells.empty:
        return cells
    group = cells["moved"].map(lambda moved: 0 if moved is True else 1 if moved is False else 2)
    return (cells.assign(_group=group, _size=-cells["change"].abs(), _n=-cells["n"])
            .sort_values(["_group", "_size", "_n", "outlet", "actor"], kind="stable")
            .drop(columns=["_group", "_size", "_n"]).reset_index(drop=True))


def compare_cell_rows(new: pd.DataFrame, old: pd.DataFrame, *, n_boot: int = 1000, seed: int = 0,
                      min_n: int = 10) -> Iterator[dict]:
    """:func:`compare_cells`' rows a cell at a time, in the order of their seeds (outlet, then actor; the table is
    then put :func:`in_compare_order`): the i-th cell resamples with the
    seed ``seed + i``, as the framing table's i-th cell does (``framing.in_step`` makes them in step: where the
    files hold the same cells and articles, they share their draws)."""
    columns = ["n", "n_favor", "n_against"]
    joined = new[list(SUM_KEYS) + columns].merge(old[list(SUM_KEYS) + columns], on=list(SUM_KEYS),
                                                suffixes=("_new", "_old"))
    for index, ((outlet, actor), cell) in enumerate(joined.groupby(["outlet", "actor_name"], sort=True)):
        per_article = np.column_stack([cell["n_new"], cell["n_favor_new"] - cell["n_against_new"],
                                       cell["n_old"], cell["n_favor_old"] - cell["n_against_old"]]).astype(float)
        totals = per_article.sum(axis=0)
        net_new, net_old = totals[1] / totals[0], totals[3] / totals[2]
        ci = None
        if len(cell) >= MIN_ARTICLES and n_boot > 0:  # 2-4 articles: a few resamples, falsely narrow, as in framing
            rows = np.vstack([per_article, PAIRED_PSEUDO]) if len(cell) < FEW_ARTICLES else per_article
            sums = resampled_sums(np.arange(len(rows)), rows, n_boot, seed + index)
            ci = percentile_ci(sums[:, 1] / sums[:, 0] - sums[:, 3] / sums[:, 2], clusters=len(cell))
        lo, hi = ci if ci else (np.nan, np.nan)
        yield {"outlet": outlet, "actor": actor, "n": int(totals[0]), "n_articles": len(cell),
               "small": totals[0] < min_n, "net_old": float(net_old), "net_new": float(net_new),
               "change": float(net_new - net_old), "change_lo": lo, "change_hi": hi,
               "moved": None if ci is None else bool(lo > 0 or hi < 0)}


def unmatched_cells(sums: pd.DataFrame, other: pd.DataFrame) -> pd.Series:
    """The mentions (``n``) of each outlet x actor cell of ``sums`` that ``other`` holds no article of: the
    cells "Before and after" leaves out (an actor classified in one run only, with another --only-actors)."""
    cells = sums.groupby(["outlet", "actor_name"], sort=True)["n"].sum()
    there = pd.MultiIndex.from_frame(other[["outlet", "actor_name"]].drop_duplicates())
    return cells[~cells.index.isin(there)]


def unmatched_names(cells: pd.Series, other: pd.DataFrame) -> str:
    """The cells of ``unmatched_cells``, by actor where the other file names that actor in no outlet
    ("United States: 4 outlets"), else as "outlet · actor"."""
    from classifier.report.timeline import some

    absent = set(cells.index.get_level_values(1)) - set(other["actor_name"])
    names = [f"{actor}: {counted(int((cells.index.get_level_values(1) == actor).sum()), 'outlet')}"
             for actor in dict.fromkeys(cells.index.get_level_values(1)) if actor in absent]
    names += [f"{outlet} · {actor}" for outlet, actor in cells.index if actor not in absent]
    return some(names)


def outside_sentence(n_only: int, cells: pd.Series, other: pd.DataFrame, here: str, there: str) -> str:
    """Where the predictions only in one file (``here``) lie: in cells the other file (``there``) lacks, which the
    table leaves out, or in cells both hold, whose change is then partly a change of items."""
    outside = int(cells.sum()) if len(cells) else 0
    if not len(cells):
        return ""
    inside = max(n_only - outside, 0)
    return (f" The table leaves out the {counted(len(cells), 'cell')} only {here} holds "
            f"({unmatched_names(cells, other)}; {counted(outside, 'prediction')})"
            + (f"; {counted(inside, 'other prediction')} only in {here} {'is' if inside == 1 else 'are'} in cells "
               "both hold." if inside else
               f": {'it is' if len(cells) == 1 else 'they are'} not compared with {there}."))


def no_shared_cell(new_sums: pd.DataFrame | None, old_sums: pd.DataFrame | None) -> str:
    """The sentence for two files that share no outlet x actor cell (ids in common, but each scored other outlets
    or other actors), with what differs where the sums are given: it said "None of the 0 cells has 5 articles"."""
    from classifier.report.timeline import some

    said = "The two files share no outlet x actor cell, so no cell is compared"
    if new_sums is None or old_sums is None:
        return said + "."
    differ = []
    for column, what in (("outlet", "outlet"), ("actor_name", "actor")):
        here, there = list(dict.fromkeys(new_sums[column])), list(dict.fromkeys(old_sums[column]))
        if not set(here) & set(there):
            differ.append(f"no {what} in common (this file: {some(here, 4)}; the other: {some(there, 4)})")
    return said + (": " + "; ".join(differ) if differ else
                   ": their outlets and actors overlap, but no outlet holds an actor in both") + "."


def compare_note(cells: pd.DataFrame, old_path, old_models, n_only_new: int, n_only_old: int,
                 n_changed: int = 0, *, new_sums: pd.DataFrame | None = None,
                 old_sums: pd.DataFrame | None = None, n_boot: int = 1000) -> str:
    from classifier.report.tables import NO_RESAMPLING

    moved = int(cells["moved"].eq(True).sum()) if len(cells) else 0  # None (no interval) is not moved
    assessed = int((cells["n_articles"] >= MIN_ARTICLES).sum()) if len(cells) else 0
    note = (f"Against {old_path} (model {', '.join(old_models)}): net stance per outlet x actor in that file ('net old') and "
            "in this one ('net new'), "
            "the change with a 95% interval resampling articles of both files together (in a cell of fewer than "
            f"{FEW_ARTICLES} articles with two pseudo-articles, one mention turning favor and one turning against); "
            "'moved' means the "
            f"interval excludes zero, claimed only for cells of {MIN_ARTICLES} or more articles. "
            + (no_shared_cell(new_sums, old_sums) if not len(cells) else
               f"No change has an interval: {NO_RESAMPLING}, so no cell can be said to have moved." if n_boot <= 0
               else f"{numeral(moved)} of the "
               + (f"{counted(assessed, 'such cell')} (of {numeral(len(cells))})" if assessed != len(cells)
                  else f"{counted(assessed, 'cell')} (all of {MIN_ARTICLES} or more articles)")
               + " moved beyond the bootstrap noise. Each "
               f"interval stands alone, with no correction for the {counted(assessed, 'cell')}: about 1 in 20 "
               "unchanged cells would be called moved by chance." if assessed
               else f"None of the {counted(len(cells), 'cell')} has {MIN_ARTICLES} articles, so none can be "
               "said to have moved.")
            + (" Rows: the cells that moved first, then those that did not, then those with no interval, each by the "
               "size of the change." if assessed and n_boot > 0 else " Rows: the biggest changes first."
               if len(cells) else ""))
    return note + items_caveat(n_only_new, n_only_old, n_changed, new_sums=new_sums, old_sums=old_sums)


def items_caveat(n_only_new: int, n_only_old: int, n_changed: int = 0, *, new_sums: pd.DataFrame | None = None,
                 old_sums: pd.DataFrame | None = None) -> str:
    """The sentences of :func:`compare_note` on items one file holds and the other does not, or holds as another
    sentence ("" where the files hold the same items): ``report -q``, which prints no note, warns of them."""
    note = ""
    if n_only_new or n_only_old:
        # predictions of an actor (or outlet) the other file has none of are in no cell of the table: they change
        # nothing shown, so the note says where they lie rather than that the cells' changes hold them
        unmatched_new = unmatched_cells(new_sums, old_sums) if new_sums is not None and old_sums is not None \
            else pd.Series(dtype=float)
        unmatched_old = unmatched_cells(old_sums, new_sums) if new_sums is not None and old_sums is not None \
            else pd.Series(dtype=float)
        inside = (max(n_only_new - int(unmatched_new.sum()), 0) if len(unmatched_new) else n_only_new) + \
            (max(n_only_old - int(unmatched_old.sum()), 0) if len(unmatched_old) else n_only_old)
        note += (f" {numeral(n_only_new)} prediction{' is' if n_only_new == 1 else 's are'} only in this file and "
                 f"{n_only_old} only in the other"
                 + (": the files are not of the same items, so some of the change is a change of items." if inside
                    else ", all of them in cells the other file does not hold: every cell shown compares the same "
                    "items.")
                 + outside_sentence(n_only_new, unmatched_new, old_sums, "this file", "the other")
                 + outside_sentence(n_only_old, unmatched_old, new_sums, "the other file", "this one"))
    if n_changed:
        note += (f" {n_changed} id{'s' if n_changed != 1 else ''} that both files hold name a different sentence or "
                 "actor in each (two prepare runs number sentences differently): some of the change is a change of "
                 "items; classify one items file with both models to compare the models alone.")
    return note


def moved_rows(cells: pd.DataFrame, min_n: int, n_boot: int = 1000):
    """The before-and-after table; 'moved' (``compare_cells``) is "yes" or "no" where the cell has an interval,
    else "too few" where its articles are too few for one (the trend's and --split-date's word for a cell not
    tested; before 2026-12-07 (7) "too few articles"), "no interval" where ``n_boot`` is 0 (no resampling asked,
    so not a "no")."""
    from classifier.report.tables import TOO_FEW, net_interval, signed

    # "net old" / "net new", as compare.csv's net_old and net_new: "net before" and "net after" are --split-date's
    # sides of a day, and a report may hold both sections
    headers = ["outlet", "actor", "n", "articles", "net old", "net new", "change", "95% CI", "moved"]
    rows = [[r["outlet"], r["actor"], f"{r['n']}{'†' if r['n'] < min_n else ''}", str(r["n_articles"]),
             signed(r["net_old"]), signed(r["net_new"]), signed(r["change"]),
             net_interval(r["change_lo"], r["change_hi"]),
             "yes" if r["moved"] is True else "no" if r["moved"] is False
             else TOO_FEW if r["n_articles"] < MIN_ARTICLES else "no interval"]
            for r in cells.to_dict("records")]
    return headers, rows
