"""The framing table (outlet x actor), prevalence corrected for classifier error, and outlet differences.

- Net stance of a cell = (favor - against) / n over the predicted stance of its mentions, with a 95%
  bootstrap interval that resamples whole articles.
- Corrected shares (quantification): adjusted classify-and-count (ACC) solves
  ``P(pred | true) @ prevalence = observed predicted shares`` on the simplex; its probabilistic variant
  (PACC) uses mean probabilities in both the confusion matrix and the observed shares (Forman 2008;
  Bella et al. 2010). ``P(pred | true)`` comes from a gold-labelled set; both sets are resampled by
  article for the interval.
- Outlet differences: per actor, each outlet against the pooled others, a permutation test of the studentized
  gap in net stance that shuffles whole articles between outlets, Holm-corrected over every test in the report.
"""

from __future__ import annotations

import itertools
from math import comb
from typing import Callable, Iterator, Mapping, Sequence, TypeVar

import numpy as np
import pandas as pd
from sklearn.metrics import confusion_matrix

from classifier.evaluate import (BLOCK_CELLS, MIN_RESAMPLED_ARTICLES, SCORE_COLUMNS, TONE, cluster_codes,
                                 cluster_resamples, group_values, label_codes, percentile_ci, progress_bar,
                                 resampled_sums, shared_draws)
from classifier.items import LABELS
from classifier.visible import numeral

Key = TypeVar("Key")  # what names a test of a family (draw_again)

K = len(LABELS)
FAVOR, AGAINST = LABELS.index("favor"), LABELS.index("against")
MAX_CONDITION = 50.0  # above this P(pred | true) barely separates the classes and the correction is unstable
MIN_CLASS_GOLD = 30  # fewer gold items of a class than this: its column of P(pred | true) is a guess
MAX_AMPLIFICATION = 3.0  # a class whose corrected share moves more than this per unit of error in the shares
SINGULAR = 1e8  # above this it does not separate them at all


# -- prevalence on the simplex ---------------------------------------------------------------------

class SimplexSolver:
    """Least squares on the probability simplex: ``argmin ||M p - q||`` with ``p >= 0``, ``sum(p) = 1``.

    ``matrices`` is a stack (B, K, K) with ``M[i, j] = P(pred i | true j)``. Exact for small K: the optimum
    lies on one face of the simplex, so every face (support) is tried with its equality-constrained solution
    (KKT system, pseudo-inverse precomputed per face and matrix) and the best feasible one is kept.
    """

    def __init__(self, matrices: np.ndarray):
        self.matrices = np.asarray(matrices, dtype=float)
        k = self.matrices.shape[-1]
        self.supports = [np.flatnonzero([(mask >> j) & 1 for j in range(k)]) for mask in range(1, 2 ** k)]
        self.inverses = [np.linalg.pinv(self._kkt(support)) for support in self.supports]

    def _kkt(self, support: np.ndarray) -> np.ndarray:
        sub = self.matrices[:, :, support]
        size = len(support)
        kkt = np.zeros((len(sub), size + 1, size + 1))
        kkt[:, :size, :size] = 2 * np.einsum("bis,bit->bst", sub, sub)
        kkt[:, :size, size] = kkt[:, size, :size] = 1.0
        return kkt

    def solve(self, observed: np.ndarray) -> np.ndarray:
        """Prevalences (B, K) for observed shares (B, K), one per matrix."""
        observed = np.asarray(observed, dtype=float)
        batch, k = observed.shape
        best, best_loss = np.full((batch, k), 1.0 / k), np.full(batch, np.inf)
        for support, inverse in zip(self.supports, self.inverses):
            sub = self.matrices[:, :, support]
            rhs = np.concatenate([2 * np.einsum("bis,bi->bs", sub, observed), np.ones((batch, 1))], axis=1)
            x = np.einsum("bij,bj->bi", inverse, rhs)[:, :len(support)]
            candidate = np.zeros((batch, k))
            candidate[:, support] = x
            loss = np.sum((np.einsum("bij,bj->bi", self.matrices, candidate) - observed) ** 2, axis=1)
            better = (x.min(axis=1) >= -1e-10) & (np.abs(x.sum(axis=1) - 1) < 1e-8) & (loss < best_loss - 1e-15)
            best[better], best_loss[better] = candidate[better], loss[better]
        best = np.clip(best, 0.0, None)
        return best / best.sum(axis=1, keepdims=True)


def solve_prevalence(matrix: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Prevalence ``p`` on the simplex that best solves ``matrix @ p = observed``.

    ``matrix[i, j] = P(pred i | true j)``."""
    return SimplexSolver(np.asarray(matrix, dtype=float)[None]).solve(np.asarray(observed, dtype=float)[None])[0]


def cluster_sums(codes: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Per-cluster sums of a per-item (n x ...) array."""
    n_clusters = int(codes.max()) + 1 if len(codes) else 0
    out = np.zeros((n_clusters,) + values.shape[1:])
    np.add.at(out, codes, values)
    return out


def gold_tables(gold: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per gold cluster: counts [true, pred], probability sums [true, class] and the cluster codes."""
    codes = cluster_codes(gold)
    true, pred = label_codes(gold["label"]), label_codes(gold["stance"])
    counts = np.zeros((len(gold), K, K))
    counts[np.arange(len(gold)), true, pred] = 1.0
    probs = np.zeros((len(gold), K, K))
    probs[np.arange(len(gold)), true, :] = gold[list(SCORE_COLUMNS)].to_numpy(float)
    return cluster_sums(codes, counts), cluster_sums(codes, probs), codes


def column_normalise(table: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """[true, pred] sums -> ``P(pred | true)`` as [pred, true]; a true class with no items keeps ``fallback``."""
    support = table.sum(axis=1)
    matrix = fallback.copy()
    for j in range(K):
        if support[j] > 0:
            matrix[:, j] = table[j] / support[j]
    return matrix


def class_instability(matrix: np.ndarray, support: dict) -> dict[str, str | None]:
    """Per class, why its corrected share is not to be trusted (None: no reason found): too few gold items of
    that class, or a confusion that amplifies errors (the row of P(pred | true)^-1 for that class: how far
    its corrected share moves per unit of error in the observed shares)."""
    inverse = np.linalg.pinv(matrix)
    flags = {}
    for k, label in enumerate(LABELS):
        amplification = float(np.abs(inverse[k]).sum())
        if support[label] < MIN_CLASS_GOLD:
            flags[label] = (f"only {support[label]} gold {label} item{'s' if support[label] != 1 else ''} (fewer "
                            f"than {MIN_CLASS_GOLD})")
        elif amplification > MAX_AMPLIFICATION:
            flags[label] = (f"the classifier confuses {label} with the other classes: an error in the observed "
                            f"shares is multiplied by up to {amplification:.1f} in its corrected share")
        else:
            flags[label] = None
    return flags


def correction_model(gold: pd.DataFrame | None, *, n_boot: int, seed: int, name: str) -> dict:
    """Confusion matrices of the gold set (point and per resample) for ACC and PACC, or why there are none."""
    if gold is None or gold.empty:
        return {"possible": False, "gold": name,
                "reason": "no gold labels: the correction for classifier error was not possible "
                          "(pass --gold with predictions on a labelled set)"}
    support = {label: int((gold["label"] == label).sum()) for label in LABELS}
    absent = [label for label, n in support.items() if n == 0]
    if absent:
        return {"possible": False, "gold": name, "support": support,
                "reason": f"the gold set has no {', '.join(absent)} items, so P(predicted | true) cannot be "
                          "estimated for every class; the correction was not possible"}
    acc_point = confusion_matrix(gold["label"], gold["stance"], labels=list(LABELS), normalize="true").T
    counts, probs, codes = gold_tables(gold)
    pacc_point = column_normalise(probs.sum(axis=0), np.eye(K))
    condition = float(np.linalg.cond(acc_point))
    if not np.isfinite(condition) or condition > SINGULAR:
        return {"possible": False, "gold": name, "support": support,
                "reason": "on the gold set the classifier does not separate the classes (P(predicted | true) is "
                          "singular), so corrected shares cannot be identified; the correction was not possible"}
    class_flags = class_instability(acc_point, support)
    draws = cluster_resamples(codes, n_boot, seed + 1)
    acc_boot = np.einsum("bc,cij->bij", draws, counts)
    pacc_boot = np.einsum("bc,cij->bij", draws, probs)
    return {"possible": True, "gold": name, "n_gold": int(len(gold)), "n_gold_articles": int(codes.max()) + 1,
            "support": support, "acc_matrix": acc_point, "pacc_matrix": pacc_point,
            "condition_number": condition, "unstable": condition > MAX_CONDITION or any(class_flags.values()),
            "class_flags": class_flags,
            "acc_solver": SimplexSolver(acc_point[None]), "pacc_solver": SimplexSolver(pacc_point[None]),
            "acc_boot": SimplexSolver(np.array([column_normalise(t, acc_point) for t in acc_boot])),
            "pacc_boot": SimplexSolver(np.array([column_normalise(t, pacc_point) for t in pacc_boot]))}


# -- the framing table --------------------------------------------------------------------------------

SUM_KEYS = ("outlet", "actor_name", "article", "lone")
SUM_COLUMNS = ("n", *(f"n_{label}" for label in LABELS), *(f"sum_p_{label}" for label in LABELS))
TONE_COLUMNS = ("n_tone", "sum_tone")  # sentences with a sentiment (--task both) and their P(pos) - P(neg)


def cell_frame(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """``outlet`` and ``actor_name`` keys (missing ones as ``(none)``) and only the given columns: a groupby
    copies what it splits, and the texts need not be copied for the statistics."""
    keys = {"outlet": group_values(frame, "source"), "actor_name": group_values(frame, "actor")}
    return frame[[c for c in columns if c in frame]].assign(**keys)


def article_sums(frame: pd.DataFrame) -> pd.DataFrame:
    """Prediction rows -> one row per outlet x actor x article, in order of first appearance: the mentions,
    the predicted-label counts and the probability sums. Every statistic of the framing table and the outlet
    tests reads only these (the bootstrap and the permutations resample whole articles), so a large file is
    reduced chunk by chunk (:func:`chunk_sums`, :func:`combine_sums`) and never held whole."""
    return combine_sums([chunk_sums(frame)])


def chunk_sums(frame: pd.DataFrame, first_row: int | None = 0) -> pd.DataFrame:
    """:func:`article_sums` of some consecutive rows. An item without an article is its own article (``lone`` = its
    row number in the file, counted from ``first_row``, or the frame's index where ``first_row`` is None: some of
    a chunk's rows; -1 for the others)."""
    missing = frame["article"].isna().to_numpy()
    rows = first_row + np.arange(len(frame)) if first_row is not None else frame.index.to_numpy()
    pred = label_codes(frame["stance"])
    values = {"outlet": group_values(frame, "source"), "actor_name": group_values(frame, "actor"),
              "article": frame["article"].where(~missing, ""),
              "lone": np.where(missing, rows, -1), "n": 1}
    values.update({f"n_{label}": (pred == k).astype(np.int64) for k, label in enumerate(LABELS)})
    values.update({f"sum_p_{label}": frame[f"p_{label}"].to_numpy(float) for label in LABELS})
    tone = frame[TONE].to_numpy(float) if TONE in frame else np.full(len(frame), np.nan)
    values.update(n_tone=np.isfinite(tone).astype(np.int64), sum_tone=np.nan_to_num(tone, nan=0.0))
    values["date"] = frame["date"].to_numpy(object) if "date" in frame else None
    return sum_by_article(pd.DataFrame(values))


def sum_by_article(table: pd.DataFrame) -> pd.DataFrame:
    """One row per outlet x actor x article: counts summed, the article's date its first one given."""
    grouped = table.groupby(list(SUM_KEYS), sort=False)
    numeric = [column for column in table.columns if column not in SUM_KEYS and column != "date"]
    out = grouped[numeric].sum()
    out["date"] = grouped["date"].first() if "date" in table else None
    return out.reset_index()


def combine_sums(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Sums of consecutive chunks as one table (an article split between chunks summed once more)."""
    sums = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    if sums.duplicated(list(SUM_KEYS)).any():
        sums = sum_by_article(sums)
    return sums


def cell_values(cell: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """The cell's ``columns`` as one float array, a column at a time: selecting a list of columns builds a pandas
    index each time (about 0.9 ms a cell against 0.2 ms, with string column names), and the time view asks it of
    thousands of cells. Column-major, as pandas gives it, so that sums over the articles add in the same order."""
    return np.array([cell[column].to_numpy(float) for column in columns]).T


def cell_columns(frame: pd.DataFrame) -> list[str]:
    """The article-sum columns :func:`cell_row` reads, of those ``frame`` has: what a grouping of cells need carry."""
    return [column for column in (*SUM_COLUMNS, *TONE_COLUMNS) if column in frame]


def cell_row(cell: pd.DataFrame, correction: dict, *, n_boot: int, seed: int, min_n: int,
             draws: bool = False) -> dict:
    """One outlet x actor cell from its article sums: n, raw shares, net stance with CI, mean probabilities,
    corrected shares; with ``draws``, also ``net_draws``, the net stance of each bootstrap resample of the cell's
    articles (what ``--split-date`` takes the change's interval from). The net stance's interval is
    :func:`net_interval`'s."""
    per_article = cell_values(cell, SUM_COLUMNS)  # one row per article: n, label counts, p sums
    n = int(per_article[:, 0].sum())
    shares, mean_p = per_article[:, 1:1 + K].sum(axis=0) / n, per_article[:, 1 + K:].sum(axis=0) / n
    n_articles = len(cell)  # each row is one article, the unit the bootstrap resamples
    codes = np.arange(n_articles)
    row = {"n": n, "n_articles": n_articles, "small": n < min_n}
    row.update({f"share_{label}": float(shares[k]) for k, label in enumerate(LABELS)})
    row["net"] = float(shares[FAVOR] - shares[AGAINST])
    with_ci = n_articles >= MIN_RESAMPLED_ARTICLES and n_boot > 0  # 2-4 articles: a few resamples, falsely narrow
    # the articles' own resamples only where something takes them (--split-date's draws, the ACC / PACC
    # correction): the net stance's interval resamples them with two pseudo-articles (net_interval), and the tone
    # (cell_tone) draws the same resamples itself where it has sentences to score, the same numbers
    # (resample_blocks); drawn for every cell, they had made a report of 1,001,000 rows 43% slower
    own = draws or correction["possible"]
    with shared_draws():  # the tone resamples the same articles with the same seed: drawn once
        sums = resampled_sums(codes, per_article, n_boot, seed) if own else None
        tone = cell_tone(cell, codes, n_boot, seed, with_ci)
    net_ci = net_interval(per_article, n_boot, seed) if with_ci else None
    row["net_lo"], row["net_hi"] = net_ci if net_ci else (np.nan, np.nan)
    if own:
        sizes = sums[:, :1]
        boot_shares, boot_probs = sums[:, 1:1 + K] / sizes, sums[:, 1 + K:] / sizes
    if draws:
        row["net_draws"] = boot_shares[:, FAVOR] - boot_shares[:, AGAINST]
    row.update({f"mean_p_{label}": float(mean_p[k]) for k, label in enumerate(LABELS)})
    row.update(tone)
    if correction["possible"]:
        row.update(corrected_shares(shares, mean_p, boot_shares, boot_probs, correction, with_ci,
                                    clusters=min(n_articles, correction["n_gold_articles"])))
    return row


def net_interval(per_article: np.ndarray, n_boot: int, seed: int) -> list[float] | None:
    """The 95% interval of a cell's net stance: its articles (rows of :data:`SUM_COLUMNS`) resampled together with
    two pseudo-articles, one of a single favor mention and one of a single against mention, the expanded percentile
    interval for the cell's own articles. Resampling only what the articles hold, the interval missed the truth in
    up to 77% of simulated cells where favor or against is rare or nearly every mention (often an interval of one
    value); with the pseudo-articles, 88% to 100% coverage in 40 designs where the articles' own gave 23% to 96%,
    as wide for moderate shares from 10 articles (docs/statistics.md, section 1). The point estimate is the cell's
    own; the resamples of ACC / PACC and of ``--split-date``'s change are the articles' own."""
    pseudo = np.zeros((2, 1 + K))
    pseudo[:, 0], pseudo[0, 1 + FAVOR], pseudo[1, 1 + AGAINST] = 1, 1, 1
    counts = np.vstack([per_article[:, :1 + K], pseudo])
    sums = resampled_sums(np.arange(len(counts)), counts, n_boot, seed)
    return percentile_ci((sums[:, 1 + FAVOR] - sums[:, 1 + AGAINST]) / sums[:, 0], clusters=len(per_article))


def cell_tone(cell: pd.DataFrame, codes: np.ndarray, n_boot: int, seed: int, with_ci: bool) -> dict:
    """Mean sentence sentiment, P(positive) - P(negative), of the cell's sentences that have one, with a
    95% interval by article (NaN where no sentiment was written, or where fewer of the cell's articles have one
    than an interval by article needs)."""
    per_article = cell_values(cell, TONE_COLUMNS) if "n_tone" in cell else np.zeros((len(cell), 2))
    n_tone = int(per_article[:, 0].sum())
    if not n_tone:
        return {"n_tone": 0, "tone": np.nan, "tone_lo": np.nan, "tone_hi": np.nan}
    ci = None
    with_tone = np.unique(np.asarray(codes)[per_article[:, 0] > 0]).size
    if with_ci and with_tone >= MIN_RESAMPLED_ARTICLES:
        sums = resampled_sums(codes, per_article, n_boot, seed)
        with np.errstate(invalid="ignore", divide="ignore"):
            ci = percentile_ci(sums[:, 1] / sums[:, 0], clusters=with_tone)
    lo, hi = ci if ci else (np.nan, np.nan)
    return {"n_tone": n_tone, "tone": float(per_article[:, 1].sum() / n_tone), "tone_lo": lo, "tone_hi": hi}


def corrected_shares(shares, mean_p, boot_shares, boot_probs, correction: dict, with_ci: bool, *,
                     clusters: int | None = None) -> dict:
    """ACC and PACC prevalence for one cell, with percentile intervals over both resampled sets, expanded for
    ``clusters``: the fewer articles of the cell and of the gold set (plain, they held the true net stance in 83%
    of simulated cells of 5 articles and 89% with a gold set of 4 articles, ``scripts/check_report_statistics.py``)."""
    out = {}
    for method, observed, boot_observed in (("acc", shares, boot_shares), ("pacc", mean_p, boot_probs)):
        point = correction[f"{method}_solver"].solve(np.asarray(observed, dtype=float)[None])[0]
        boot = correction[f"{method}_boot"].solve(boot_observed) if with_ci else np.empty((0, K))
        for k, label in enumerate(LABELS):
            ci = percentile_ci(boot[:, k], clusters=clusters) if with_ci else None
            out[f"{method}_{label}"] = float(point[k])
            out[f"{method}_{label}_lo"], out[f"{method}_{label}_hi"] = ci if ci else (np.nan, np.nan)
        net_ci = percentile_ci(boot[:, FAVOR] - boot[:, AGAINST], clusters=clusters) if with_ci else None
        out[f"{method}_net"] = float(point[FAVOR] - point[AGAINST])
        out[f"{method}_net_lo"], out[f"{method}_net_hi"] = net_ci if net_ci else (np.nan, np.nan)
    return out


def framing_table(sums: pd.DataFrame, correction: dict, *, n_boot: int = 1000, seed: int = 0, min_n: int = 10,
                  advance: Callable[[int], None] = lambda n=1: None) -> pd.DataFrame:
    """One row per outlet x actor (from :func:`article_sums`), sorted by actor (most mentions first) then net
    stance."""
    return framing_tables([(sums, correction)], n_boot=n_boot, seed=seed, min_n=min_n, advance=advance)[0]


def framing_tables(jobs: Sequence[tuple[pd.DataFrame, dict]], *, n_boot: int = 1000, seed: int = 0, min_n: int = 10,
                   advance: Callable[[int], None] = lambda n=1: None) -> list[pd.DataFrame]:
    """:func:`framing_table` of each (sums, correction), their cells made in step: the first cell of each table,
    then the second of each... The i-th cell of every table resamples with the seed ``seed + i``; where it also has
    as many articles (the body-only table's cell and the framing table's, where each article of the cell names
    the actor outside its headline) it resamples them alike, and :func:`evaluate.shared_draws` then draws once
    what they share. ``advance``: once per cell of the first table."""
    streams = [cell_rows(framing_cells(sums), correction, n_boot=n_boot, seed=seed, min_n=min_n)
               for sums, correction in jobs]
    return [in_table_order(rows) for rows in in_step(streams, advance)]


def in_step(streams: Sequence[Iterator[dict]], advance: Callable[[int], None] = lambda n=1: None) -> list[list[dict]]:
    """The rows of each stream, taken a row of each in turn within :func:`evaluate.shared_draws`: streams of cells
    whose i-th cell resamples with the seed ``seed + i`` (:func:`cell_rows`, ``compare.compare_cell_rows``) then
    draw what their i-th cells share once. ``advance``: once per row of the first."""
    made: list[list[dict]] = [[] for _ in streams]
    with shared_draws():
        for step in itertools.zip_longest(*streams):
            for rows, row in zip(made, step):
                if row is not None:
                    rows.append(row)
            if step[0] is not None:
                advance(1)
    return made


class CellGroups:
    """``frame.groupby(keys, sort=True)[columns]`` iterated: each group's key and its rows of ``columns`` in their
    order, each group taken from ``frame`` as it comes. A pandas groupby that is iterated first copies all of
    ``columns`` sorted by group, held until the last group: at 1,000,000 predictions the framing table's three
    streams of cells (all sentences, bodies, headlines) held 49, 45 and 10 MB of such copies at once, and the
    time view's cells and trends two more. ``len`` is the number of groups, from the same grouping: the framing
    table and the time view grouped their rows a second time to count their cells for the progress bar."""

    def __init__(self, frame: pd.DataFrame, keys: list[str], columns: Sequence[str]):
        self.frame, self.columns = frame, list(columns)
        self.grouped = frame.groupby(keys, sort=True)

    def __len__(self) -> int:
        return self.grouped.ngroups

    def __iter__(self) -> Iterator[tuple[tuple, pd.DataFrame]]:
        grouped = self.grouped
        ids = grouped.ngroup().to_numpy()  # each row's group, numbered in the order the groups are iterated
        order = np.argsort(ids, kind="stable")  # within a group, the rows' own order, as pandas gives them
        bounds = np.searchsorted(ids[order], np.arange(grouped.ngroups + 1))
        part = self.frame[self.columns]
        for index, key in enumerate(grouped.size().index):
            yield key if isinstance(key, tuple) else (key,), part.take(order[bounds[index]:bounds[index + 1]])


def framing_cells(sums: pd.DataFrame) -> CellGroups:
    """The framing table's cells of ``sums``: by outlet, then actor, with the columns :func:`cell_row` reads."""
    return CellGroups(sums, ["outlet", "actor_name"], cell_columns(sums))  # not the texts, per cell


def cell_rows(cells: CellGroups, correction: dict, *, n_boot: int, seed: int, min_n: int) -> Iterator[dict]:
    """The framing table's rows (``cells``: :func:`framing_cells`), a cell at a time, in the order of their seeds
    (outlet, then actor)."""
    for index, ((outlet, actor), cell) in enumerate(cells):
        yield {"outlet": outlet, "actor": actor,
               **cell_row(cell, correction, n_boot=n_boot, seed=seed + index, min_n=min_n)}


def in_table_order(rows: list[dict]) -> pd.DataFrame:
    """The framing table's rows sorted by actor (most mentions first) then net stance."""
    table = pd.DataFrame.from_records(rows)
    order = table.groupby("actor")["n"].transform("sum")
    return (table.assign(_order=-order).sort_values(["_order", "actor", "net"], ascending=[True, True, False])
            .drop(columns="_order").reset_index(drop=True))


# -- outlet differences ------------------------------------------------------------------------------

def holm(p_values: list[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values, in the input order."""
    m = len(p_values)
    order = np.argsort(p_values, kind="stable")
    adjusted, running = np.empty(m), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted.tolist()


def permutation_test(outlet_of_cluster: np.ndarray, net_sum: np.ndarray, size: np.ndarray, target: int, *,
                     n_perm: int, rng: np.random.Generator) -> tuple[float, float, float]:
    """Net stance of one outlet minus that of the other outlets, and its permutation p-value: whole articles
    reassigned between the outlet and the others (``scipy.stats.permutation_test``, which counts every
    assignment exactly when there are at most ``n_perm`` of them, else draws ``n_perm`` and gives
    (1 + extreme) / (1 + n_perm)). Two-sided: the statistic is the absolute difference over its standard error
    (:func:`studentized_gap`)."""
    from scipy.stats import permutation_test as scipy_permutation_test

    moments = article_moments(net_sum, size)

    def net(rows: np.ndarray) -> float:
        return float(net_sum[rows].sum() / size[rows].sum())

    def gap(rows_in: np.ndarray, rows_out: np.ndarray, axis: int = -1) -> np.ndarray:  # scipy passes axis=-1
        # An infinite gap (both groups without spread) is capped at the largest float: scipy compares each
        # assignment with the observed statistic less a tolerance, inf - inf is NaN, and the observed assignment
        # (with its mirror) stopped counting as extreme: p 0 where the design allows no less than 2 / C(12, 6).
        return np.minimum(studentized_gap(moments[rows_in.astype(int)].sum(axis=-2),
                                          moments[rows_out.astype(int)].sum(axis=-2)), np.finfo(float).max)

    rows = np.arange(len(outlet_of_cluster))
    rows_in, rows_out = rows[outlet_of_cluster == target], rows[outlet_of_cluster != target]
    net_in, net_out = net(rows_in), net(rows_out)
    if n_perm < 1:  # no permutations asked for: no evidence either way
        return net_in, net_out, 1.0
    if min(len(rows_in), len(rows_out)) == 1:  # scipy needs two per group; one article has len(rows) places
        placed = studentized_gap(moments, moments.sum(axis=0) - moments)  # every place at once, O(articles)
        lone = rows_in if len(rows_in) == 1 else rows_out
        return net_in, net_out, float(np.mean(placed >= placed[lone[0]] * (1 - 1e-9)))
    batch = max(1, BLOCK_CELLS // len(rows))
    if comb(len(rows), len(rows_in)) > n_perm:  # drawn: scipy's draws, without its Python loop over them
        return net_in, net_out, drawn_p_value(gap, rows_in, rows_out, n_perm, batch, rng)
    result = scipy_permutation_test((rows_in, rows_out), gap, permutation_type="independent", vectorized=True,
                                    n_resamples=n_perm, alternative="greater", batch=batch, rng=rng)
    return net_in, net_out, float(result.pvalue)


def drawn_p_value(statistic, rows_in: np.ndarray, rows_out: np.ndarray, n_perm: int, batch: int,
                  rng: np.random.Generator) -> float:
    """``scipy.stats.permutation_test``'s p-value for two independent samples drawn (not counted), alternative
    'greater', to the last bit: the same ``n_perm`` permutations taken from ``rng`` in the same order, the statistic
    on the same batches, the same tolerance and (1 + extreme) / (1 + n_perm). Written out because scipy draws them
    one ``rng.permutation`` call at a time in Python, half of a --split-date report's time; ``Generator.permuted``
    along the rows of a batch draws the very same permutations in one call (a row is shuffled as ``permutation``
    shuffles, one row after another: checked against scipy in tests/test_report_views.py)."""
    data = np.concatenate([rows_in, rows_out])
    observed = statistic(rows_in, rows_out)
    extreme = 0
    for order in shuffled_orders(len(data), n_perm, batch, rng):
        shuffled = data[order]
        null = statistic(shuffled[:, :len(rows_in)], shuffled[:, len(rows_in):])
        extreme += int(np.count_nonzero(null >= observed - np.abs(np.finfo(float).eps * 100 * observed)))
    return float(np.clip((extreme + 1) / (n_perm + 1), 0.0, 1.0))


Z_POWER = 1.959964 + 0.841621  # two-sided alpha 0.05 and 80% power: z(0.975) + z(0.80)
TARGET_DIFFERENCE = 0.2  # the size of difference in net stance the "articles needed" column is for


def design_p(n_inside: int, n_total: int) -> float:
    """The smallest p-value the articles allow: one assignment of the outlet's articles among all
    C(n_total, n_inside) (two when the two groups are the same size and swap)."""
    from math import exp, lgamma, log

    log_assignments = lgamma(n_total + 1) - lgamma(n_inside + 1) - lgamma(n_total - n_inside + 1)  # no huge ints
    return min(1.0, exp(-log_assignments + (log(2) if 2 * n_inside == n_total else 0.0)))


def smallest_p(n_inside: int, n_total: int, n_perm: int) -> float:
    """The smallest p-value the article permutation test can give: that of the design, and never below
    1 / (n_perm + 1), the floor of ``n_perm`` random permutations."""
    return max(design_p(n_inside, n_total), 1.0 / (n_perm + 1))


def resampling_variance(net_sum: np.ndarray, size: np.ndarray) -> float:
    """The variance of a group's net stance (a ratio of sums over its articles) under resampling its articles, in
    closed form (the delta method): sum over articles of (net sum - net x size)^2 / (total size)^2, what a
    bootstrap by article estimates, without its thousand resamples of every group."""
    ratio = net_sum.sum() / size.sum()
    return float(np.sum((net_sum - ratio * size) ** 2) / size.sum() ** 2)


def detectable_difference(net_sum: np.ndarray, size: np.ndarray, inside: np.ndarray) -> float:
    """The minimal detectable difference in net stance (outlet minus the others) at 80% power and two-sided
    alpha 0.05: (z 0.975 + z 0.80) x the standard error of the difference, the error from resampling each
    group's articles (NaN when a group has one article: no error can be estimated)."""
    if inside.sum() < 2 or (~inside).sum() < 2:
        return float("nan")
    spread = np.sqrt(resampling_variance(net_sum[inside], size[inside])
                     + resampling_variance(net_sum[~inside], size[~inside]))
    return Z_POWER * float(spread) if spread > 0 else float("nan")  # no variation: nothing to estimate it from


def articles_needed(mdd: float, n_articles: int, target: float = TARGET_DIFFERENCE) -> int | None:
    """Articles of the outlet for a difference of ``target`` to be detectable, if the standard error falls
    with the square root of the articles (the others' articles growing in proportion)."""
    if not np.isfinite(mdd):
        return None
    return int(np.ceil(n_articles * (mdd / target) ** 2))


MAX_PERM = 100_000  # the most permutations a test is redrawn with so that Holm's correction can reach 0.05
PERM_PER_TEST = 40  # redrawn with 40 x tests: the smallest p times the tests is then 0.025, clear of 0.05


def holm_perm(m: int, n_perm: int) -> int:
    """The permutations a p below 0.05 ends with in a family of ``m`` tests (:func:`draw_again`): ``PERM_PER_TEST``
    x m (at most ``MAX_PERM``) where that is more than ``n_perm``, else ``n_perm``; 0 where no permutations were
    asked for. The floor of the smallest p any test of the family can give (:func:`smallest_p`)."""
    return max(n_perm, min(MAX_PERM, PERM_PER_TEST * m)) if n_perm > 0 else 0


def draw_again(p_values: Mapping[Key, float], m: int, n_perm: int,
               draw: Callable[[list[Key], int], Mapping[Key, float]],
               p_design: Mapping[Key, float] | None = None) -> dict[Key, float]:
    """The p-values of a family of ``m`` tests (Holm's correction multiplies the smallest by m) that are below 0.05
    but that ``n_perm`` permutations cannot take below 0.05 / m, drawn again with :func:`holm_perm` permutations so
    that Holm can reach 0.05; not a test whose design cannot (``p_design`` x m > 0.05), nor one counted exactly
    (``p_design`` x ``n_perm`` >= 1). ``draw(keys, permutations)`` gives the new p-values of ``keys`` (in the order
    of ``p_values``), called once; returns them, {} where none is drawn again. One rule for the outlet tests,
    ``--split-date`` and the time view's trend."""
    more, p_design = holm_perm(m, n_perm), p_design or {}
    if more <= n_perm:
        return {}
    again = [k for k, p in p_values.items() if p < 0.05 < p * m
             and p_design.get(k, 0.0) * m <= 0.05 and p_design.get(k, 0.0) * n_perm < 1]
    return dict(draw(again, more)) if again else {}


def article_moments(net_sum: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Per article the five sums a group's net stance and its resampling variance are made of: net, size, net^2,
    net x size, size^2 (a group's moments are its articles' summed, so a permutation needs only sums)."""
    return np.stack([net_sum, size, net_sum ** 2, net_sum * size, size ** 2], axis=-1).astype(float)


def studentized_gap(inside: np.ndarray, outside: np.ndarray) -> np.ndarray:
    """|net stance of one group - that of the other| / its standard error, from the groups' summed
    :func:`article_moments` (last axis). The error is :func:`resampling_variance` of each group, expanded in sums.

    Studentized, not the raw gap: with the raw gap an outlet of a few short articles (a noisy net stance) against
    others of long ones was called different in 21% of simulated reports where no outlet differed
    (``scripts/check_report_statistics.py``), as a permutation moves long articles into it and shrinks the gap's
    spread. The studentized gap keeps the test exact when articles are exchangeable and near its level when they
    are not (Janssen 1997; Chung and Romano 2013). A group whose articles all share one net stance has no spread:
    a gap there is infinitely far (0 where there is no gap either)."""
    ratios, spreads = [], []
    for net, size, net2, cross, size2 in (np.moveaxis(inside, -1, 0), np.moveaxis(outside, -1, 0)):
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = net / size
            terms = net2 + 2 * np.abs(ratio * cross) + ratio ** 2 * size2
            spread = net2 - 2 * ratio * cross + ratio ** 2 * size2  # sum of (net - ratio x size)^2, expanded
            spread = np.where(spread > 1e-12 * terms, spread, 0.0) / size ** 2  # cancellation: no spread
        ratios.append(ratio)
        spreads.append(spread)
    gap = np.abs(ratios[0] - ratios[1])
    gap = np.where(gap > 1e-12, gap, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(gap > 0, gap / np.sqrt(spreads[0] + spreads[1]), 0.0)


def shuffled_gaps(outlet_of_cluster: np.ndarray, net_sum: np.ndarray, size: np.ndarray, n_outlets: int,
                  n_perm: int, rng: np.random.Generator) -> np.ndarray:
    """``n_perm`` x outlets: :func:`studentized_gap` of the outlet against the others with the articles' outlets
    shuffled. One shuffle of all articles places each outlet's articles at random among all, which is each
    outlet's permutation test at once: the work of one test for all outlets of an actor."""
    moments = article_moments(net_sum, size)
    total = moments.sum(axis=0)
    block = max(1, BLOCK_CELLS // max(1, len(outlet_of_cluster)))
    gaps = np.empty((n_perm, n_outlets))
    start = 0
    for order in shuffled_orders(len(outlet_of_cluster), n_perm, block, rng):
        rows = len(order)
        index = outlet_of_cluster[order].astype(np.int64, copy=False)  # the labels rng.permuted gives the labels
        del order  # 32 MB a block, as the index (the labels, made in place) and each column's weights
        index += n_outlets * np.arange(rows)[:, None]
        index = index.ravel()
        sums = np.stack([np.bincount(index, weights=np.tile(column, rows), minlength=rows * n_outlets)
                         for column in moments.T], axis=-1).reshape(rows, n_outlets, -1)
        gaps[start:start + rows] = studentized_gap(sums, total - sums)
        start += rows
    return gaps


def shuffled_orders(n_articles: int, n_perm: int, block: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """``n_perm`` random orders of ``n_articles`` articles, in blocks of at most ``block`` rows: the draws of every
    permutation test here (the outlet tests, ``--split-date``, the time view's trend). One draw after another, as
    ``rng.permutation`` row by row, in one call (:func:`drawn_p_value`); a row shuffles positions whatever they
    hold, so taking values in that order is what ``rng.permuted`` of the values would give."""
    for start in range(0, n_perm, block):
        yield rng.permuted(np.tile(np.arange(n_articles), (min(block, n_perm - start), 1)), axis=1)


def trend_slope(days: np.ndarray, net_sum: np.ndarray, size: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The slope of net stance on the date (per day) and its standard error, over the articles (last axis; ``days``
    may hold many orders of them, one a row): weighted least squares of each article's net stance on its day,
    weighted by its mentions, so that it is the net stance of the pooled mentions that moves, as a cell's net stance
    pools them; the error resamples articles (a sandwich with the article as cluster, as
    :func:`resampling_variance` is the error of a group's net stance). NaN slope where every article has one day."""
    weight = size.sum()
    centred = days - (days * size).sum(axis=-1, keepdims=True) / weight
    spread = (size * centred ** 2).sum(axis=-1)
    moved = centred * net_sum
    rise = moved.sum(axis=-1)
    rise = np.where(np.abs(rise) > 1e-9 * np.abs(moved).sum(axis=-1), rise, 0.0)  # cancellation: no slope
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = rise / spread
        residual = net_sum - size * (net_sum.sum() / weight + slope[..., None] * centred)
        squares = ((centred * residual) ** 2).sum(axis=-1)
        squares = np.where(squares > 1e-18 * (moved ** 2).sum(axis=-1), squares, 0.0)  # on the line: no error
        error = np.sqrt(squares) / spread
    return slope, error


def slope_effective_articles(days: np.ndarray, size: np.ndarray) -> float:
    """Kish's effective number of a cell's articles for :func:`trend_slope`: (sum v)^2 / sum v^2 of the weights
    v = mentions x (day - the mention-weighted mean day)^2 that the weighted least-squares slope gives its articles
    (the slope is their v-weighted mean of (net share - mean net share) / (day - mean day)); at least 2. Many
    articles of equal mentions spread evenly over the span count as about 5/9 of their number; in the simulated
    cells of 10, 20, 50 heavy-tailed articles (docs/statistics.md section 6) 4.4, 7.0, 13.3 on average."""
    centred = days - np.average(days, weights=size)
    weight = size * centred ** 2
    total = float((weight ** 2).sum())
    return max(float(weight.sum()) ** 2 / total, 2.0) if total > 0 else 2.0


def trend_interval(days: np.ndarray, net_sum: np.ndarray, size: np.ndarray, n_boot: int, seed: int,
                   clusters: float | None = None) -> list[float] | None:
    """The 95% interval of :func:`trend_slope`'s slope (per day): the cell's articles resampled whole
    (``evaluate.resampled_sums``, as a cell's net stance), each resample's weighted least-squares slope from its
    sums of the articles' moments, the expanded percentile interval (``evaluate.percentile_ci``) for the slope's
    effective number of articles (:func:`slope_effective_articles`; ``clusters``: another number, as
    scripts/check_report_statistics.py scores the one for the articles' own number, which failed). It held the true
    slope in at least 90% of simulated cells of 10 to 50 articles in every setting (bench/results/
    trend_slope_eff_rule.txt; docs/statistics.md section 6). A resample whose articles share one day has no slope
    and is left out. None without resamples."""
    if n_boot <= 0 or not len(days):
        return None
    centred = days - np.average(days, weights=size)  # the slope is the same; the squares stay small
    moments = np.column_stack([size, net_sum, size * centred, net_sum * centred, size * centred ** 2])
    weight, rise, at, moved, spread = resampled_sums(np.arange(len(days)), moments, n_boot, seed).T
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = (moved - at * rise / weight) / (spread - at ** 2 / weight)
    slope[~(spread - at ** 2 / weight > 1e-9 * spread)] = np.nan  # one day in the resample: no slope
    return percentile_ci(slope, clusters=slope_effective_articles(days, size) if clusters is None else clusters)


def studentized_slope(days: np.ndarray, net_sum: np.ndarray, size: np.ndarray) -> np.ndarray:
    """|:func:`trend_slope`| over its standard error: studentized as the outlet tests' gap is
    (:func:`studentized_gap`), so that articles of unequal length keep the permutation test near its level. A slope
    whose articles all lie on its line has no error: infinitely far (0 where there is no slope either)."""
    slope, error = trend_slope(days, net_sum, size)
    slope = np.nan_to_num(np.abs(slope), nan=0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.minimum(np.where(slope > 0, slope / error, 0.0), np.finfo(float).max)


def trend_p_value(days: np.ndarray, net_sum: np.ndarray, size: np.ndarray, *, n_perm: int,
                  rng: np.random.Generator) -> float:
    """Permutation p-value of a trend in net stance over time (two-sided): :func:`studentized_slope` with the
    articles' days shuffled among the articles (each article's mentions kept together, so the correlation within an
    article is respected), ``n_perm`` random orders (:func:`shuffled_orders`): (1 + extreme) / (1 + n_perm)."""
    if n_perm < 1:
        return 1.0  # no permutations asked for: no evidence either way
    observed = studentized_slope(days, net_sum, size)
    block = max(1, BLOCK_CELLS // max(1, len(days)))
    extreme = sum(int(np.count_nonzero(studentized_slope(days[order], net_sum, size) >= observed * (1 - 1e-9)))
                  for order in shuffled_orders(len(days), n_perm, block, rng))
    return (1 + extreme) / (1 + n_perm)


def actor_p_values(outlet_of_cluster: np.ndarray, net_sum: np.ndarray, size: np.ndarray, *, n_perm: int,
                   rng: np.random.Generator, only: Sequence[int] | None = None) -> dict[int, float]:
    """Outlet -> permutation p-value of its net stance against the others' (two-sided), for ``only`` these outlets
    (default all). A design of at most ``n_perm`` assignments, or an outlet (or its others) of one article, is
    counted exactly (:func:`permutation_test`); the rest share ``n_perm`` random shuffles: (1 + extreme) /
    (1 + n_perm)."""
    n_outlets = int(outlet_of_cluster.max()) + 1
    wanted = range(n_outlets) if only is None else only
    exact, drawn = {}, []
    for target in wanted:
        inside = int((outlet_of_cluster == target).sum())
        if min(inside, len(outlet_of_cluster) - inside) == 1 or design_p(inside, len(outlet_of_cluster)) * n_perm >= 1:
            exact[target] = permutation_test(outlet_of_cluster, net_sum, size, target, n_perm=n_perm, rng=rng)[2]
        else:
            drawn.append(target)
    if drawn and n_perm > 0:
        gaps = shuffled_gaps(outlet_of_cluster, net_sum, size, n_outlets, n_perm, rng)
        moments = article_moments(net_sum, size)
        for target in drawn:
            inside = outlet_of_cluster == target
            observed = studentized_gap(moments[inside].sum(axis=0), moments[~inside].sum(axis=0))
            extreme = int(np.sum(gaps[:, target] >= observed * (1 - 1e-9)))
            exact[target] = (1 + extreme) / (1 + n_perm)
    elif drawn:
        exact.update(dict.fromkeys(drawn, 1.0))  # no permutations asked for: no evidence either way
    return exact


def outlet_tests(sums: pd.DataFrame, *, n_perm: int = 1000, seed: int = 0, min_n: int = 10,
                 advance: Callable[[int], None] = lambda n=1: None) -> list[dict]:
    """For every actor covered by two or more outlets (from :func:`article_sums`): each outlet against the
    others, Holm-corrected; with the smallest p the design allows and the difference it can detect.

    With many tests, Holm needs a p below 0.05 / tests, which ``n_perm`` random permutations cannot show: a test
    whose p is below 0.05 is drawn again with ``PERM_PER_TEST`` x tests permutations (at most ``MAX_PERM``), so
    that a real difference can be found in a corpus of many outlets and actors. The detectable difference has a closed
    form (:func:`resampling_variance`), so no bootstrap is drawn.

    An actor of two outlets is one comparison shown from each outlet's side (the same two groups swapped, the same
    statistic): both rows carry its one p-value, and Holm counts it once (:func:`holm_family`). Counted twice, as
    before 2026-12-07 (5), two outlets of 50 articles each, alike, were called different in 2.0% of simulated
    reports, not 5%, and a difference of 0.2 between them was found in 31%, not 42% (``check_report_statistics.py
    --only power``)."""
    rng = np.random.default_rng(seed)
    tests, actors = [], {}
    # only the columns the tests read, an actor at a time (:class:`CellGroups`): a groupby that is iterated held a
    # sorted copy of all 15 columns of the article sums through the tests (114 MB at 1,000,000 predictions)
    for (actor,), sub in CellGroups(sums, ["actor_name"], ["outlet", "n", "n_favor", "n_against"]):
        outlets = sorted(sub["outlet"].unique())
        if len(outlets) < 2:
            continue
        net_sum = (sub["n_favor"] - sub["n_against"]).to_numpy(float)  # one row per article of this actor
        size = sub["n"].to_numpy(float)
        outlet_of_cluster = pd.Categorical(sub["outlet"], categories=outlets).codes.astype(int)
        actors[actor] = (outlet_of_cluster, net_sum, size, len(tests))
        p_values = actor_p_values(outlet_of_cluster, net_sum, size, n_perm=n_perm, rng=rng,
                                  only=[0] if len(outlets) == 2 else None)
        if len(outlets) == 2:  # one comparison: the second outlet's side of it
            p_values[1] = p_values[0]
        advance(1)
        for target, outlet in enumerate(outlets):
            inside = outlet_of_cluster == target
            net_in, net_out = net_sum[inside].sum() / size[inside].sum(), net_sum[~inside].sum() / size[~inside].sum()
            mdd = detectable_difference(net_sum, size, inside)
            tests.append({"outlet": outlet, "actor": actor, "n": int(size[inside].sum()),
                          "n_others": int(size[~inside].sum()), "n_articles": int(inside.sum()),
                          "n_articles_others": int((~inside).sum()),
                          "net": float(net_in), "net_others": float(net_out), "difference": float(net_in - net_out),
                          "p_value": p_values[target], "n_perm": n_perm,
                          "p_design": design_p(int(inside.sum()), len(inside)), "mdd": mdd,
                          "articles_for_0.2": articles_needed(mdd, int(inside.sum()))})
    m = holm_family(tests)

    def draw(keys: list[int], more: int) -> dict[int, float]:  # an actor's outlets share their permutations
        drawn = {}
        for outlet_of_cluster, net_sum, size, first in actors.values():
            mine = [k - first for k in keys if first <= k <= first + outlet_of_cluster.max()]
            if mine:
                drawn.update({first + k: p for k, p in actor_p_values(outlet_of_cluster, net_sum, size, n_perm=more,
                                                                     rng=rng, only=mine).items()})
        return drawn

    sides = mirrored(tests)  # an actor's tests are consecutive here: a second side follows its first
    first = [k for k in range(len(tests)) if not sides[k]]  # one test per comparison
    again = draw_again({k: tests[k]["p_value"] for k in first}, m, n_perm, draw,
                       p_design={k: tests[k]["p_design"] for k in first})
    perms = holm_perm(m, n_perm)
    for k, test in enumerate(tests):
        comparison = k - 1 if sides[k] else k  # the second side of an actor of two outlets: its first side's p
        if comparison in again:
            test.update(p_value=again[comparison], n_perm=perms)
        counted = n_perm > 0 and min(test["n_articles"], test["n_articles_others"]) == 1  # every place, exactly
        test["p_min"] = test["p_design"] if counted else smallest_p(
            test["n_articles"], test["n_articles"] + test["n_articles_others"], perms)
    adjusted = dict(zip(first, holm([tests[k]["p_value"] for k in first])))
    for k, test in enumerate(tests):
        test["p_holm"] = adjusted[k - 1 if sides[k] else k]
        test["significant"] = test["p_holm"] < 0.05
        test["small"] = test["n"] < min_n
        test["reachable"] = test["p_min"] * m <= 0.05  # Holm multiplies the smallest p by the comparisons
    return tests


def mirrored(tests: list[dict]) -> list[bool]:
    """Per test, whether it is the second side of an actor of two outlets: the comparison its actor's other test
    made (the same two groups, swapped), not one of its own."""
    from collections import Counter

    outlets, seen = Counter(t["actor"] for t in tests), set()
    sides = []
    for t in tests:
        sides.append(outlets[t["actor"]] == 2 and t["actor"] in seen)
        seen.add(t["actor"])
    return sides


def holm_family(tests: list[dict]) -> int:
    """The comparisons Holm corrects over: one per test, but one per actor of two outlets (shown as two tests)."""
    return len(tests) - sum(mirrored(tests))


def holm_over(tests: list[dict]) -> str:
    """What Holm's correction is over, in words: "12 tests", or "7 comparisons (...)" where an actor of two outlets
    makes one comparison of two tests."""
    from classifier.visible import counted

    m = holm_family(tests)
    if m == len(tests):
        return counted(m, "test")
    return f"{counted(m, 'comparison')} (an actor of two outlets is one, shown from each outlet's side)"


def power_sentences(tests: list[dict]) -> list[str]:
    """What the design can and cannot show, in plain words."""
    if not tests:
        return []
    m, n_tests = holm_family(tests), len(tests)
    unreachable = [t for t in tests if not t["reachable"]]
    lines = []
    design_ok = [t for t in unreachable if t["p_design"] * m <= 0.05]  # held back by the permutations only
    if design_ok:
        needed = int(np.ceil(20 * m))
        lines.append(f"{numeral(len(design_ok))} of {numeral(n_tests)} tests {'is' if len(design_ok) == 1 else 'are'} "
                     "held back by the number of permutations, not by the articles: with Holm over "
                     f"{holm_over(tests)} it needs p below {0.05 / m:.2g}, which random permutations can only show "
                     f"with {needed} or more (a test is drawn again with at most {MAX_PERM}).")
    if len(unreachable) == n_tests and not design_ok:
        floor = min(t["p_min"] for t in tests)
        lines.append(f"No outlet difference can reach significance with these articles: the smallest p-value the "
                     f"permutation test allows is {floor:.3g} (one outlet's articles can be placed among all "
                     f"articles in only so many ways), and Holm's correction over {holm_over(tests)} multiplies it to "
                     f"{min(1.0, floor * m):.2f}. A p of 1.00 here means 'cannot tell', not 'no difference'.")
    elif len(unreachable) > len(design_ok):
        family = (f"the {numeral(m)} tests" if m == n_tests else f"the {numeral(m)} comparisons Holm corrects over "
                                                                 "(an actor of two "
                  "outlets is one, shown as two tests)")
        lines.append(f"{numeral(len(unreachable) - len(design_ok))} of {numeral(n_tests)} tests cannot reach "
                     f"significance at any effect size (their smallest possible p times {family} exceeds 0.05); "
                     "they are marked 'cannot' in the outlet tests.")
    detectable = [t["mdd"] for t in tests if np.isfinite(t["mdd"])]
    if detectable:
        beyond = sum(d > 2 for d in detectable)
        top = (f"{max(detectable):.2f}" if not beyond else f"more than 2, the widest gap net stance allows, for "
               f"{numeral(beyond)} test{'s' if beyond != 1 else ''} (those can detect no difference: 'none' in the "
               "outlet tests)")
        lines.append(f"The smallest difference in net stance the tests could detect (80% power, alpha 0.05 before "
                     f"Holm, errors from resampling articles) runs from {min(detectable):.2f} to {top}; 'articles "
                     "for 0.2' is how many articles an outlet would need for a difference of 0.2 to be detectable.")
    return lines


def name_list(names: list[str], limit: int = 12, width: int = 60) -> str:
    """Names for a sentence: at most ``limit`` of them, each cut to ``width`` characters (the tables hold them whole)."""
    from classifier.visible import shortened

    shown = ", ".join(shortened(name, width) for name in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def difference_sentences(sums: pd.DataFrame, tests: list[dict]) -> list[str]:
    """Plain-words findings: one line per outlet that differs, then the actors where none does."""
    return [line for line, _ in difference_findings(sums, tests)]


def difference_findings(sums: pd.DataFrame, tests: list[dict]) -> list[tuple[str, str]]:
    """:func:`difference_sentences`' lines, each with the table it speaks of, which the page links it to: "tests"
    (the outlet tests) or "framing" (the framing table: actors of one outlet, which have no test). An outlet's line
    counts its mentions and the articles they come from, the unit its test shuffles (before 2026-12-07 (7), "n =
    46" alone: 46 mentions from 12 articles read as 46 observations)."""
    from classifier.report.tables import p_text
    from classifier.visible import counted

    mentions = sums.groupby("actor_name")["n"].sum()
    actors = sums.groupby("actor_name")["outlet"].nunique()
    actors = actors.loc[sorted(actors.index, key=lambda a: (-mentions[a], a))]
    lines, quiet, smallest, untestable = [], [], [], []
    for actor in actors[actors >= 2].index:
        mine = [t for t in tests if t["actor"] == actor]
        found = sorted((t for t in mine if t["significant"]), key=lambda t: t["p_holm"])
        for t in found:
            direction = "more favorable toward" if t["difference"] > 0 else "more critical of"
            p = p_text(t["p_holm"])
            lines.append((f"{actor}: {t['outlet']} is {direction} {actor} than the other outlets (net stance "
                          f"{t['net']:+.2f} vs {t['net_others']:+.2f}, {counted(t['n'], 'mention')} in "
                          f"{counted(t['n_articles'], 'article')}; Holm-adjusted p "
                          f"{'< 0.001' if p.startswith('<') else '= ' + p}).", "tests"))
        if found:
            continue
        if any(t.get("reachable", True) for t in mine):
            quiet.append(actor)
            smallest.append(min(t["p_holm"] for t in mine))
        else:
            untestable.append(actor)
    if quiet:  # not found is not shown absent
        alike = "it" if len(quiet) == 1 else "them"
        lines.append((f"{quiet[0] + ': no' if len(quiet) == 1 else 'No'} difference between outlets detected"
                      f"{'' if len(quiet) == 1 else f' for {numeral(len(quiet))} actors: ' + name_list(quiet)} "
                      f"(smallest Holm-adjusted p = {min(smallest):.2f}); this is not evidence that the outlets frame "
                      f"{alike} alike.", "tests"))
    if untestable:
        lines.append((f"{name_list(untestable)}: no test can reach significance with these articles ('cannot' in "
                      "the outlet tests), so nothing can be said either way.", "tests"))
    single = list(actors[actors < 2].index)
    if single:
        lines.append((f"{numeral(len(single))} actor{'s are' if len(single) > 1 else ' is'} covered by one outlet "
                      f"only, so there is nothing to compare: {name_list(single)}.", "framing"))
    return lines


def framing_analysis(sums: pd.DataFrame, gold: pd.DataFrame | None, *, gold_name: str, n_boot: int = 1000,
                     n_perm: int = 2000, seed: int = 0, min_n: int = 10, progress: bool = False,
                     kinds: tuple[pd.DataFrame, pd.DataFrame] | None = None,
                     beside: Sequence[Iterator[dict]] = ()) -> dict:
    """Framing table, correction info and outlet differences from the article sums of a predictions file
    (:func:`article_sums` of its rows, or what ``stance report`` gathers chunk by chunk). ``kinds``: the article
    sums of the headlines and of the other sentences, whose :func:`kind_table` is then ``kinds`` of the result;
    ``beside``: other streams of cells (``compare.compare_cell_rows``), whose rows are then ``beside``. Both are
    made in step with the framing table (:func:`in_step`), whose draws they mostly share."""
    correction = correction_model(gold, n_boot=n_boot, seed=seed, name=gold_name)
    parts = kind_parts(*kinds) if kinds is not None else {}
    cells = [framing_cells(part) for part in [sums, *parts.values()]]
    streams = [cell_rows(part, correction if index == 0 else NO_CORRECTION, n_boot=n_boot, seed=seed, min_n=min_n)
               for index, part in enumerate(cells)]
    with progress_bar("framing table (bootstrap by article)", len(cells[0]), progress) as advance:
        rows, *made = in_step([*streams, *beside], advance)
    table, tables = in_table_order(rows), [in_table_order(part) for part in made[:len(parts)]]
    n_compared = int((sums.groupby("actor_name")["outlet"].nunique() > 1).sum())  # actors of two outlets or more
    with progress_bar("outlet tests (permutations by article)", n_compared, progress) as advance:
        tests = outlet_tests(sums, n_perm=n_perm, seed=seed, min_n=min_n, advance=advance)
    summary = {key: value for key, value in correction.items() if not key.endswith(("_boot", "_solver"))}
    for key in ("acc_matrix", "pacc_matrix"):
        if key in summary:
            summary[key] = np.round(summary[key], 6).tolist()
    findings = difference_findings(sums, tests)
    found = {"table": table, "correction": summary, "tests": tests, "findings": [line for line, _ in findings],
             "findings_tables": [name for _, name in findings], "power": power_sentences(tests)}
    if kinds is not None:
        found["kinds"] = kind_merged(dict(zip(parts, tables)))
    if beside:
        found["beside"] = made[len(parts):]
    return found


NO_CORRECTION = {"possible": False}


def kind_table(headline: pd.DataFrame, body: pd.DataFrame, *, n_boot: int = 1000, seed: int = 0,
               min_n: int = 10) -> pd.DataFrame:
    """Per outlet x actor: net stance in headlines and in the rest (body and sub-headings), each with its
    interval by article, and headline minus body. Empty when no row is a headline."""
    parts = kind_parts(headline, body)
    return kind_merged(dict(zip(parts, framing_tables([(sums, NO_CORRECTION) for sums in parts.values()],
                                                      n_boot=n_boot, seed=seed, min_n=min_n))))


def kind_parts(headline: pd.DataFrame, body: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The article sums :func:`kind_table` makes a framing table of, by name: none without a headline; the body's
    first, as its cells are most often those of the framing table (:func:`framing_tables`)."""
    if headline.empty:
        return {}
    return {name: sums for name, sums in (("body", body), ("headline", headline)) if not sums.empty}


def kind_merged(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """:func:`kind_table` from the framing tables of :func:`kind_parts`."""
    if "headline" not in tables:
        return pd.DataFrame()
    parts = {}
    for name in ("headline", "body"):
        if name not in tables:
            continue
        parts[name] = tables[name][["outlet", "actor", "n", "n_articles", "share_favor", "share_against", "net",
                                    "net_lo", "net_hi"]].rename(
            columns=lambda c, name=name: c if c in ("outlet", "actor") else f"{name}_{c}")
    merged = parts["headline"]
    if "body" in parts:
        merged = merged.merge(parts["body"], on=["outlet", "actor"], how="left")
        merged["difference"] = merged["headline_net"] - merged["body_net"]
    return merged
