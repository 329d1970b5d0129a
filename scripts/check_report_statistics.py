"""Simulations that check the statistics `stance evaluate` and `stance report` publish (not a test: it takes
minutes and its figures are estimates).

    python scripts/check_report_statistics.py [--reps 1000] [--only coverage,tests,acc,evaluate,split,split-family]
    python scripts/check_report_statistics.py --only grid,power,timeline   # the 2026-12-07 audit, docs/statistics.md

split-family runs only when named (--only split-family): 200 reports of 20 cells took 8 minutes on 2 cores.

- coverage: the 95% interval of a cell's net stance (bootstrap by article, `framing.cell_row`) over simulated
  cells whose sentences are correlated within an article (each article draws its own stance shares from a
  Dirichlet around the cell's), for few to many articles; the share of intervals that hold the true net stance,
  and the same for the plain percentile interval of the same resamples (what the report gave before 2026-12-06).
  Figures of a run are in docs/reference.md ("Checked by simulation").
- tests: the outlet permutation test (`framing.outlet_tests`) under the null (every outlet's articles drawn
  alike): the share of single tests with p < 0.05, and of reports with any Holm-adjusted p < 0.05; with the
  studentized gap the report uses and the raw gap it used before.
- acc: ACC and PACC (`framing.correction_model`, `corrected_shares`) with a simulated classifier of known
  confusion: bias of the point estimate and coverage of the 95% interval of the true shares, with the gold set's
  uncertainty resampled (as the report does) and with the gold matrix held fixed (for comparison).
- evaluate: coverage of `stance evaluate`'s 95% interval of accuracy (bootstrap by article) and the level of
  its paired bootstrap p-value for two equally good models.
- split: the before-and-after view (`split.split_cells`, `--split-date`) where nothing changes at the day (the
  articles of both sides drawn alike, sentences correlated within an article): the share of cells with p < 0.05
  and of change intervals that exclude zero, at 5 and 20 articles a side and with short articles on one side and
  long ones on the other.
- split-family: the same view over reports of 20 cells (outlets) of 5, 10 or 20 articles a side, 20 sentences
  each (no interval drawn: `--n-boot` is not used). With no change at the day: the family-wise error rate, the
  share of reports with any cell 'changed' (Holm over the 20). With a true change in net stance of 0.2 or 0.4
  in every cell: the share of cells 'changed' (Holm over 20 changed cells), with p < 0.05 (a cell tested alone)
  and 'changed' had it been the one change among 19 unchanged cells (its p with those of a report of no change,
  Holm over the 20); and the mean 'detectable' change the view shows for such cells. `--reps 200 --n-perm 2000`
  took 8 minutes (459 s of CPU) on 2 shared cores; `--family-articles` and `--family-changes` run fewer designs.
- grid, power, timeline (run only when named; figures in docs/statistics.md): the net stance interval over
  heavy-tailed articles (1 to 30 mentions) and truths from moderate to near 0 or 1, 5 to 200 articles; the outlet
  tests' level and power for a difference of 0.2 (two outlets, and 5 outlets x 10 actors, Holm and BH); the time
  view's per-month coverage over 12 months of no change. ACC_CASES 6-9 are gold sets of 300 and 1000 items.
- trend (only when named; figures in docs/statistics.md): the time view's trend test (`timeline.trend_tests`) over
  months of flat net stance: the share of cells with p < 0.05 and of reports (1 or 10 cells) with any trend found.
  `--reps 500 --n-perm 999` took 2 min 39 s (100 s of CPU) on 2 shared cores.
- compare, split-change (only when named; figures in docs/statistics.md): the change intervals of `report --compare`
  (`compare.compare_cells`: the same articles in two files, the second relabelling 10% of the mentions at random
  and, for a true change, a share of them against: `relabelled`) and of `--split-date` (`split.split_cells`, one
  cell: before the day the truth's shares, after `changed_shares`), heavy-tailed articles, rare / moderate / near-1
  truths, 5 to 50 articles a side, correlation 0.17 and 0.5, net stance falling by 0, 0.2 or 0.4 (`--changes`):
  coverage of the true change, and where it is 0 the share of cells 'moved' / 'changed'. compare-candidates: the
  same cells of --compare also scored by bench/results/compare_change_rule.txt's P1 and P2 (`PAIRED_PSEUDO`): P1
  passed the screening (seed 61) and failed the confirmation (--change-seed 1061), so --compare is unchanged.
  split-candidates: the cells of split-change also scored by bench/results/split_change_rule.txt's SB (each side
  resampled with framing.net_interval's pseudo-articles, `pseudo_net_draws`): it failed the screening.
  compare-hybrid: the cells of --compare also scored by bench/results/compare_hybrid_rule.txt's H
  (`COMPARE_HYBRID`: P1 in cells of fewer than 10 articles, today's interval from 10). H passed the screening
  (--change-seed 2061) and the confirmation (3061), so since 2026-12-07 (6) --compare's own interval is H
  (`compare.PAIRED_PSEUDO`, `FEW_ARTICLES`): the figures compare, compare_candidates(_confirm) and
  compare_hybrid(_confirm) of report_statistics.json were made before, with the articles' own at 5 articles.
  split-hybrid: the cells of split-change also scored by bench/results/split_hybrid_rule.txt's SH (`SPLIT_HYBRID`:
  SB where a side has fewer than 10 articles, today's interval where both have 10 or more): it failed the
  screening (--change-seed 4061) on (iv), where it is today's interval, so --split-date is unchanged.
- trend-power (only when named): the trend test's power on one cell whose net stance moves by 0.2 or 0.4 over 3, 6
  or 12 months of 10, 20 or 50 articles (`trend_report`); trend-cost: the seconds of `timeline.trend_tests` on one
  report of `--trend-cells` cells (200) of the last `--trend-articles` (50), run under /usr/bin/time.
- trend-slope (only when named): coverage of a 95% interval of the trend's slope (`trend_interval`: articles
  resampled) on the trend-power cells with net stance a straight line in each article's date (`trend_report(...,
  by_day=True)`), correlation 0.17 and 0.5 (`--change-icc`); judged by bench/results/trend_slope_rule.txt, it
  failed (89.5% in one of 54 settings, 50 articles). `--trend-clusters effective` expands it for the slope's
  effective number of articles (`framing.trend_interval`): it passed bench/results/trend_slope_eff_rule.txt's
  screening (--trend-seed 7089) and confirmation (--trend-seed 8089, 94.7% to 100%) and is the report's since.
- net-candidates (only when named): grid's cells scored by the net stance interval before 2026-12-07 (5) and the
  candidates of bench/results/net_interval_rule.txt (a score interval with a design effect; two pseudo-articles):
  none passed that rule; B (two pseudo-articles) passed bench/results/net_interval_confirm_rule.txt on fresh seeds
  (--seed 1031) and is the report's interval since (`framing.net_interval`).
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import pandas as pd

from classifier.evaluate import bootstrap_metrics, paired_p_value, percentile_ci, resampled_sums
from classifier.items import LABELS
from classifier.report import framing, split

K = len(LABELS)
NO_CORRECTION = {"possible": False}


def article_shares(rng, mean, concentration, n_articles):
    """Each article's own stance shares: Dirichlet around ``mean`` (or, a row an article, around its own); a small
    concentration = strong correlation of the sentences within an article (intra-article correlation about
    1 / (1 + concentration))."""
    mean = np.asarray(mean)
    if mean.ndim == 2:
        return np.array([rng.dirichlet(row * concentration) for row in mean])
    return rng.dirichlet(mean * concentration, size=n_articles)


def cell_sums(rng, mean, concentration, sizes, outlet="o", actor="a"):
    """Article sums (the rows `framing.article_sums` makes) of one simulated outlet x actor cell."""
    shares = article_shares(rng, mean, concentration, len(sizes))
    counts = np.array([rng.multinomial(size, share) for size, share in zip(sizes, shares)])
    frame = pd.DataFrame({"outlet": outlet, "actor_name": actor, "article": [f"{outlet}{i}" for i in range(len(sizes))],
                          "lone": -1, "n": sizes})
    for k, label in enumerate(LABELS):
        frame[f"n_{label}"] = counts[:, k]
        frame[f"sum_p_{label}"] = counts[:, k].astype(float)  # one-hot probabilities: only counts matter here
    return frame


def coverage(reps: int, n_boot: int) -> list[dict]:
    mean = np.array([0.3, 0.2, 0.5])
    truth = mean[0] - mean[1]
    out = []
    for n_articles, per_article, concentration in [(5, 40, 5), (8, 40, 5), (10, 40, 5), (20, 40, 5), (40, 40, 5),
                                                   (10, 40, 50), (5, 5, 5), (10, "1-80", 5)]:
        rng = np.random.default_rng(1000 + n_articles)
        hits, widths, plain_hits, plain_widths = 0, [], 0, []
        for rep in range(reps):
            sizes = (rng.integers(1, 81, n_articles) if per_article == "1-80"
                     else np.full(n_articles, per_article))
            cell = cell_sums(rng, mean, concentration, sizes)
            row = framing.cell_row(cell, NO_CORRECTION, n_boot=n_boot, seed=rep, min_n=10)
            hits += row["net_lo"] <= truth <= row["net_hi"]
            widths.append(row["net_hi"] - row["net_lo"])
            # the plain percentile interval (before 2026-12-06) from the same resamples as cell_row's
            sums = resampled_sums(np.arange(n_articles), cell[list(framing.SUM_COLUMNS)].to_numpy(float), n_boot, rep)
            lo, hi = percentile_ci((sums[:, 1] - sums[:, 2]) / sums[:, 0])
            plain_hits += lo <= truth <= hi
            plain_widths.append(hi - lo)
        out.append({"articles": n_articles, "sentences_per_article": per_article,
                    "icc": round(1 / (1 + concentration), 3), "coverage": hits / reps,
                    "mean_width": float(np.mean(widths)), "coverage_plain_percentile": plain_hits / reps,
                    "mean_width_plain": float(np.mean(plain_widths))})
        print(json.dumps(out[-1]), flush=True)
    return out


def raw_gap(inside: np.ndarray, outside: np.ndarray) -> np.ndarray:
    """The statistic before 2026-12-06: |net stance of one group - that of the other|, not studentized."""
    return np.abs(inside[..., 0] / inside[..., 1] - outside[..., 0] / outside[..., 1])


def null_tests(reps: int, n_perm: int) -> list[dict]:
    """Every outlet's articles drawn from one distribution (the null the test is for), and designs where the
    outlets' articles differ in length but not in stance (a mean-only null); with the studentized gap the report
    uses and with the raw gap it used before."""
    out = []
    studentized = framing.studentized_gap
    for name, statistic in (("studentized", studentized), ("raw gap (before)", raw_gap)):
        framing.studentized_gap = statistic  # what permutation_test and shuffled_gaps call
        try:
            out += [dict(row, statistic=name) for row in null_designs(reps, n_perm)]
        finally:
            framing.studentized_gap = studentized
    return out


def null_designs(reps: int, n_perm: int) -> list[dict]:
    mean = np.array([0.3, 0.2, 0.5])
    designs = {
        "4 outlets x 12 articles of 20": [(12, 20)] * 4,
        "3 + 3 x 30 articles, 40 sentences": [(3, 40)] + [(30, 40)] * 3,
        "small outlet of short articles (6 x 3) vs 3 x 30 of 40": [(6, 3)] + [(30, 40)] * 3,
        "small outlet of long articles (6 x 60) vs 3 x 30 of 5": [(6, 60)] + [(30, 5)] * 3,
    }
    out = []
    for name, design in designs.items():
        rng = np.random.default_rng(7)
        single, any_holm, first_outlet, n_tests = 0, 0, 0, 0
        for rep in range(reps):
            sums = pd.concat([cell_sums(rng, mean, 5, np.full(n, size), outlet=f"o{j}", actor=actor)
                              for actor in ("a", "b", "c") for j, (n, size) in enumerate(design)],
                             ignore_index=True)
            tests = framing.outlet_tests(sums, n_perm=n_perm, seed=rep)
            p = np.array([t["p_value"] for t in tests])
            single += int((p < 0.05).sum())
            first_outlet += sum(t["p_value"] < 0.05 for t in tests if t["outlet"] == "o0")
            n_tests += len(p)
            any_holm += any(t["significant"] for t in tests)
        out.append({"design": name, "tests_per_report": n_tests // reps, "single_p_below_0.05": single / n_tests,
                    "first_outlet_p_below_0.05": first_outlet / (3 * reps),
                    "reports_with_a_holm_finding": any_holm / reps})
        print(json.dumps(dict(out[-1], statistic=framing.studentized_gap.__name__)), flush=True)
    return out


def classifier_scores(rng, true, separation):
    """Probabilities from logits whose mean favours the true class by ``separation``; the label is the argmax."""
    logits = rng.normal(0.0, 1.0, (len(true), K))
    logits[np.arange(len(true)), true] += separation
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return probs, probs.argmax(axis=1)


def labelled_frame(rng, shares, n_articles, per_article, separation, concentration, prefix):
    rows = []
    art_shares = article_shares(rng, shares, concentration, n_articles)
    for a, share in enumerate(art_shares):
        true = rng.choice(K, size=per_article, p=share)
        probs, pred = classifier_scores(rng, true, separation)
        for t, p, q in zip(true, pred, probs):
            rows.append({"article": f"{prefix}{a}", "source": prefix, "actor": "a", "label": LABELS[t],
                         "stance": LABELS[p], **{f"p_{label}": q[k] for k, label in enumerate(LABELS)}})
    return pd.DataFrame(rows)


ACC_CASES = [(10, 10, 2.0, 30), (40, 10, 2.0, 30), (10, 10, 1.0, 30), (40, 10, 0.4, 30), (40, 10, 2.0, 5),
             (4, 50, 2.0, 30), (30, 10, 2.0, 30), (100, 10, 2.0, 30), (30, 10, 1.0, 30), (100, 10, 1.0, 30)]
"""gold articles, gold items per article, separation of the classifier's logits, articles of the cell"""


def acc_check(reps: int, n_boot: int, cases=range(len(ACC_CASES))) -> list[dict]:
    gold_shares, cell_truth = np.array([0.25, 0.25, 0.5]), np.array([0.1, 0.4, 0.5])
    out = []
    for gold_articles, gold_size, separation, cell_articles in [ACC_CASES[i] for i in cases]:
        rng = np.random.default_rng(11)
        stats = {m: {"hits": 0, "hits_fixed": 0, "err": [], "raw_err": [], "flagged": 0, "refused": 0}
                 for m in ("acc", "pacc")}
        done = 0
        for rep in range(reps):
            gold = labelled_frame(rng, gold_shares, gold_articles, gold_size, separation, 20, "g")
            cell = labelled_frame(rng, cell_truth, cell_articles, 20, separation, 20, "c")
            sums = framing.article_sums(cell.drop(columns="label").assign(outlet=None))
            model = framing.correction_model(gold, n_boot=n_boot, seed=rep, name="gold")
            if not model["possible"]:
                for m in stats:
                    stats[m]["refused"] += 1
                continue
            done += 1
            row = framing.cell_row(sums, model, n_boot=n_boot, seed=rep + 5, min_n=10)
            fixed = dict(model, acc_boot=framing.SimplexSolver(np.repeat(model["acc_matrix"][None], n_boot, 0)),
                         pacc_boot=framing.SimplexSolver(np.repeat(model["pacc_matrix"][None], n_boot, 0)))
            row_fixed = framing.cell_row(sums, fixed, n_boot=n_boot, seed=rep + 5, min_n=10)
            net_truth = cell_truth[0] - cell_truth[1]
            for m in stats:
                stats[m]["hits"] += row[f"{m}_net_lo"] <= net_truth <= row[f"{m}_net_hi"]
                stats[m]["hits_fixed"] += row_fixed[f"{m}_net_lo"] <= net_truth <= row_fixed[f"{m}_net_hi"]
                stats[m]["err"].append(row[f"{m}_net"] - net_truth)
                stats[m]["raw_err"].append(row["net"] - net_truth)
                stats[m]["flagged"] += bool(model["unstable"])
        for m, s in stats.items():
            out.append({"method": m, "gold_articles": gold_articles, "gold_items": gold_articles * gold_size,
                        "separation": separation, "cell_articles": cell_articles, "runs": done, "refused": s["refused"],
                        "flagged_unstable": s["flagged"] / max(done, 1),
                        "raw_net_bias": float(np.mean(s["raw_err"])) if done else None,
                        "net_bias": float(np.mean(s["err"])) if done else None,
                        "net_rmse": float(np.sqrt(np.mean(np.square(s["err"])))) if done else None,
                        "coverage": s["hits"] / max(done, 1), "coverage_gold_fixed": s["hits_fixed"] / max(done, 1)})
            print(json.dumps(out[-1]), flush=True)
    return out


def evaluate_check(reps: int, n_boot: int) -> list[dict]:
    """Accuracy's interval by article, and the paired p-value of two models of equal accuracy (each right with
    an article-level probability, so their errors are correlated within an article)."""
    out = []
    for n_articles in (5, 10, 30):
        rng = np.random.default_rng(3)
        hits, rejections, plain_hits, plain_rejections = 0, 0, 0, 0
        for rep in range(reps):
            per_article = 20
            codes = np.repeat(np.arange(n_articles), per_article)
            gold = rng.integers(0, K, len(codes))
            skill = rng.beta(6, 4, n_articles)[codes]  # accuracy 0.6 on average, varying by article
            preds = []
            for _ in range(2):
                right = rng.random(len(codes)) < skill
                preds.append(np.where(right, gold, (gold + rng.integers(1, K, len(codes))) % K))
            a = bootstrap_metrics(gold, preds[0], codes, n_boot=n_boot, seed=rep)
            b = bootstrap_metrics(gold, preds[1], codes, n_boot=n_boot, seed=rep)
            lo, hi = percentile_ci(a["accuracy"], clusters=n_articles)
            hits += lo <= 0.6 <= hi
            lo, hi = percentile_ci(a["accuracy"])
            plain_hits += lo <= 0.6 <= hi
            observed = float(np.mean(preds[1] == gold) - np.mean(preds[0] == gold))
            diffs = b["accuracy"] - a["accuracy"]
            rejections += paired_p_value(diffs, observed, clusters=n_articles) < 0.05
            plain_rejections += paired_p_value(diffs, observed) < 0.05
        out.append({"articles": n_articles, "items_per_article": 20, "accuracy_ci_coverage": hits / reps,
                    "paired_p_below_0.05": rejections / reps, "accuracy_ci_coverage_plain": plain_hits / reps,
                    "paired_p_below_0.05_plain": plain_rejections / reps})
        print(json.dumps(out[-1]), flush=True)
    return out


SPLIT_DESIGNS = {"5 + 5 articles of 20 sentences": ((5, 20), (5, 20)),
                 "20 + 20 articles of 20 sentences": ((20, 20), (20, 20)),
                 "5 articles of 3 sentences before, 20 of 40 after": ((5, 3), (20, 40))}


def split_check(reps: int, n_boot: int, n_perm: int) -> list[dict]:
    """One outlet x actor cell whose articles before and after the day are drawn from one distribution."""
    mean = np.array([0.3, 0.2, 0.5])
    out = []
    for name, ((n_before, size_before), (n_after, size_after)) in SPLIT_DESIGNS.items():
        rng = np.random.default_rng(17)
        rejected, excluded = 0, 0
        for rep in range(reps):
            before = cell_sums(rng, mean, 5, np.full(n_before, size_before)).assign(date="2022-01-01")
            after = cell_sums(rng, mean, 5, np.full(n_after, size_after)).assign(date="2022-03-01")
            after["article"] = after["article"] + "-after"
            view = split.split_cells(pd.concat([before, after], ignore_index=True), "2022-02-24", n_boot=n_boot,
                                     n_perm=n_perm, seed=rep)
            row = view["table"].iloc[0]
            rejected += row["p_value"] < 0.05
            excluded += not (row["change_lo"] <= 0 <= row["change_hi"])
        out.append({"design": name, "reps": reps, "p_below_0.05": rejected / reps,
                    "interval_excludes_0": excluded / reps})
        print(json.dumps(out[-1]), flush=True)
    return out


SPLIT_FAMILY_CELLS = 20
SPLIT_FAMILY_ARTICLES = (5, 10, 20)  # a side, each of 20 sentences
SPLIT_FAMILY_CHANGES = (0.0, 0.2, 0.4)


def family_report(rng, n_articles: int, change: float) -> pd.DataFrame:
    """Article sums of a report of SPLIT_FAMILY_CELLS outlets x one actor whose net stance moves by ``change`` at
    the day: favor and against shares 0.25 -/+ change / 4 before and 0.25 +/- change / 4 after (neutral 0.5), so
    net stance -change / 2 before and +change / 2 after; concentration 5, intra-article correlation 0.17."""
    sizes, parts = np.full(n_articles, 20), []
    for cell in range(SPLIT_FAMILY_CELLS):
        for sign, date, suffix in ((-1, "2022-01-01", ""), (1, "2022-03-01", "-after")):
            mean = [0.25 + sign * change / 4, 0.25 - sign * change / 4, 0.5]
            part = cell_sums(rng, mean, 5, sizes, outlet=f"o{cell:02d}").assign(date=date)
            part["article"] = part["article"] + suffix
            parts.append(part)
    return pd.concat(parts, ignore_index=True)


def split_family_check(reps: int, n_perm: int, articles=SPLIT_FAMILY_ARTICLES,
                       changes=SPLIT_FAMILY_CHANGES) -> list[dict]:
    """Family-wise error and power of the before-and-after view over reports of 20 cells."""
    out = []
    for n_articles in articles:
        null_p = []  # per report of no change, its 20 p-values: the unchanged cells beside one changed cell
        for change in sorted(changes):  # no change first: the changed cells are placed among its p-values
            rng = np.random.default_rng(23)
            any_changed, changed, below, alone_among_null, cannot, mdd = 0, 0, 0, 0, 0, []
            for rep in range(reps):
                view = split.split_cells(family_report(rng, n_articles, change), "2022-02-24", n_boot=0,
                                         n_perm=n_perm, seed=rep)
                table = view["table"]
                yes = table["changed"] == "yes"
                any_changed += bool(yes.any())
                changed += int(yes.sum())
                below += int((table["p_value"] < 0.05).sum())
                cannot += int((table["changed"] == "cannot").sum())
                mdd += table["mdd"].tolist()
                if change == 0:
                    null_p.append(table["p_value"].to_numpy())
                elif null_p:  # each changed cell in the place of one unchanged cell of a report of no change
                    for k, p in enumerate(table["p_value"]):
                        family = np.r_[p, np.delete(null_p[rep], k)]
                        alone_among_null += framing.holm(list(family))[0] < 0.05  # 'changed', as split_cells
            cells = reps * SPLIT_FAMILY_CELLS
            row = {"articles_a_side": n_articles, "sentences_an_article": 20, "change": change, "reps": reps,
                   "cells_a_report": SPLIT_FAMILY_CELLS, "n_perm": n_perm, "cannot": cannot / cells,
                   "p_below_0.05": below / cells, "mean_detectable": float(np.nanmean(mdd))}
            if change == 0:
                row["reports_any_changed"] = any_changed / reps
            else:
                row["changed_all_20_changing"] = changed / cells
                if null_p:
                    row["changed_one_among_19_unchanged"] = alone_among_null / cells
            out.append(row)
            print(json.dumps(out[-1]), flush=True)
    return out



# -- the 2026-12-07 audit (docs/statistics.md): heavy-tailed articles, extreme shares, power, time view, gold sizes

def heavy_sizes(rng, n: int, top: int = 30) -> np.ndarray:
    """Mentions per article, heavy-tailed on 1..top: P(k) proportional to k^-1.5 (mean 4.3 for top 30; a quarter of
    the articles hold one mention, one in twenty 20 or more)."""
    k = np.arange(1, top + 1)
    weights = k ** -1.5
    return rng.choice(k, size=n, p=weights / weights.sum())


GRID_TRUTHS = {"moderate": (0.30, 0.20, 0.50), "one-sided": (0.85, 0.05, 0.10), "rare": (0.05, 0.02, 0.93),
               "near 1": (0.97, 0.01, 0.02)}
"""true favor, against, neutral shares of an outlet x actor cell (net stance +0.10, +0.80, +0.03, +0.96)"""
GRID_ARTICLES = (5, 10, 20, 50, 200)
GRID_DEFAULT = ",".join(map(str, GRID_ARTICLES))
GRID_CONCENTRATIONS = (5, 1)  # intra-article correlation 0.17 and 0.5
GRID_SEED = 31  # a setting's cells come from default_rng(GRID_SEED + articles)


def coverage_grid(reps: int, n_boot: int, truths=tuple(GRID_TRUTHS), articles=GRID_ARTICLES,
                  concentrations=GRID_CONCENTRATIONS) -> list[dict]:
    """The net stance interval (`framing.cell_row`) of cells of heavy-tailed articles (:func:`heavy_sizes`), for
    truths from moderate to near 0 or 1: coverage, misses below and above, zero-width intervals (every resample
    alike, ‡ in the report) and mean width."""
    out = []
    for truth_name, mean, truth, concentration, n_articles in grid_designs(truths, concentrations, articles):
        rng = np.random.default_rng(GRID_SEED + n_articles)
        hits, below, above, flat, widths, mentions = 0, 0, 0, 0, [], []
        for rep in range(reps):
            sizes = heavy_sizes(rng, n_articles)
            row = framing.cell_row(cell_sums(rng, mean, concentration, sizes), NO_CORRECTION, n_boot=n_boot,
                                   seed=rep, min_n=10)
            hits += row["net_lo"] <= truth <= row["net_hi"]
            below += truth < row["net_lo"]
            above += truth > row["net_hi"]
            flat += row["net_lo"] == row["net_hi"]
            widths.append(row["net_hi"] - row["net_lo"])
            mentions.append(row["n"])
        out.append({"truth": truth_name, "net": round(float(truth), 2), "articles": n_articles,
                    "icc": round(1 / (1 + concentration), 2), "reps": reps,
                    "mean_mentions": float(np.mean(mentions)), "coverage": hits / reps,
                    "interval_below_truth": above / reps, "interval_above_truth": below / reps,
                    "zero_width": flat / reps, "mean_width": float(np.mean(widths))})
        print(json.dumps(out[-1]), flush=True)
    return out


def grid_designs(truths, concentrations, articles):
    """The grid's settings in its order: (truth's name, its mean shares, its net stance, the Dirichlet concentration,
    the number of articles)."""
    for truth_name in truths:
        mean = np.array(GRID_TRUTHS[truth_name])
        for concentration in concentrations:
            for n_articles in articles:
                yield truth_name, mean, mean[0] - mean[1], concentration, n_articles


def wilson(count: float, n: float, z: float) -> tuple[float, float]:
    """Wilson's score interval of a proportion (counts may be fractional: effective counts)."""
    p, denom = count / n, 1 + z * z / n
    centre, half = (p + z * z / (2 * n)) / denom, z * np.sqrt(max(p * (1 - p) / n + z * z / (4 * n * n), 0)) / denom
    return centre - half, centre + half


def newcombe_net(favor: float, against: float, n: float, z: float) -> tuple[float, float]:
    """Newcombe's hybrid score interval for a paired difference (Newcombe 1998, Stat Med 17:2635, method 10) of
    favor share - against share: the 2 x 2 table a=0, b=favor, c=against, d=neutral, so that phi is the
    multinomial correlation of the two shares (0 where a share is 0 or 1)."""
    f, a = favor / n, against / n
    (lo_f, hi_f), (lo_a, hi_a) = wilson(favor, n, z), wilson(against, n, z)
    den = favor * (n - favor) * against * (n - against)
    phi = -favor * against / np.sqrt(den) if den > 0 else 0.0
    down = np.sqrt(max((f - lo_f) ** 2 - 2 * phi * (f - lo_f) * (hi_a - a) + (hi_a - a) ** 2, 0))
    up = np.sqrt(max((hi_f - f) ** 2 - 2 * phi * (hi_f - f) * (a - lo_a) + (a - lo_a) ** 2, 0))
    return max(f - a - down, -1.0), min(f - a + up, 1.0)


def score_net_interval(per_article: np.ndarray, t_quantile: bool) -> tuple[float, float]:
    """Candidate A (At with a t quantile on k - 1 degrees of freedom): :func:`newcombe_net` on the counts divided
    by the design effect, max(1, the articles' cluster-robust variance of the net stance x k / (k - 1) over the
    multinomial variance (f + a - net^2) / n)."""
    from scipy.stats import norm, t

    k, n, favor, against = len(per_article), *per_article[:, :3].sum(axis=0)
    multinomial = (favor / n + against / n - (favor / n - against / n) ** 2) / n
    clustered = framing.resampling_variance(per_article[:, 1] - per_article[:, 2], per_article[:, 0]) * k / (k - 1)
    deff = max(1.0, clustered / multinomial) if multinomial > 0 else 1.0
    z = t.ppf(0.975, k - 1) if t_quantile else norm.ppf(0.975)
    return newcombe_net(favor / deff, against / deff, n / deff, z)


def articles_only_interval(per_article: np.ndarray, n_boot: int, seed: int) -> list[float]:
    """The net stance interval of `framing.cell_row` before 2026-12-07 (5) ("today" in net_candidates): the expanded
    percentile interval of the resamples of the cell's own articles, as cell_row computed it."""
    sums = resampled_sums(np.arange(len(per_article)), per_article, n_boot, seed)
    shares = sums[:, 1:1 + K] / sums[:, :1]
    return percentile_ci(shares[:, framing.FAVOR] - shares[:, framing.AGAINST], clusters=len(per_article))


def net_candidates(reps: int, n_boot: int, truths=tuple(GRID_TRUTHS), articles=GRID_ARTICLES,
                   concentrations=GRID_CONCENTRATIONS, seed: int = GRID_SEED) -> list[dict]:
    """:func:`coverage_grid`'s cells (same designs; same seeds at the default `seed`), each scored by the interval
    before 2026-12-07 (5) ("today": :func:`articles_only_interval`) and the candidates of
    bench/results/net_interval_rule.txt (A, At, B: `framing.net_interval`, the report's since): coverage, zero-width
    share and mean width of each. Cells come from default_rng(seed + articles), bootstrap seeds are the cell's index plus
    seed - GRID_SEED: another `seed` (1031: bench/results/net_interval_confirm_rule.txt) draws fresh cells."""
    out = []
    for truth_name, mean, truth, concentration, n_articles in grid_designs(truths, concentrations, articles):
        rng = np.random.default_rng(seed + n_articles)
        scores = {name: [] for name in ("today", "A", "At", "B")}
        for rep in range(seed - GRID_SEED, seed - GRID_SEED + reps):
            cell = cell_sums(rng, mean, concentration, heavy_sizes(rng, n_articles))
            per_article = framing.cell_values(cell, framing.SUM_COLUMNS)
            intervals = {"today": articles_only_interval(per_article, n_boot, rep),
                         "A": score_net_interval(per_article, False),
                         "At": score_net_interval(per_article, True),
                         "B": framing.net_interval(per_article, n_boot, rep)}
            for name, (lo, hi) in intervals.items():
                scores[name].append((lo <= truth <= hi, lo == hi, hi - lo))
        row = {"truth": truth_name, "net": round(float(truth), 2), "articles": n_articles,
               "icc": round(1 / (1 + concentration), 2), "reps": reps, "seed": seed}
        for name, values in scores.items():
            hit, flat, width = np.array(values, dtype=float).mean(axis=0)
            row[name] = {"coverage": hit, "zero_width": flat, "mean_width": width}
        out.append(row)
        print(json.dumps(out[-1]), flush=True)
    return out


def outlet_report(rng, means: list[list], n_articles: int, concentration: float = 5) -> pd.DataFrame:
    """Article sums of a report: ``means[actor][outlet]`` the true shares of each cell, heavy-tailed articles."""
    return pd.concat([cell_sums(rng, mean, concentration, heavy_sizes(rng, n_articles), outlet=f"o{j}",
                                actor=f"a{i}")
                      for i, row in enumerate(means) for j, mean in enumerate(row)], ignore_index=True)


BASE, SHIFTED = (0.25, 0.25, 0.50), (0.35, 0.15, 0.50)  # net stance 0 and +0.2
POWER_DESIGNS = {"2 outlets x 1 actor": (2, 1), "5 outlets x 10 actors": (5, 10)}


def power_check(reps: int, n_perm: int, articles=(5, 10, 20, 50), designs=tuple(POWER_DESIGNS)) -> list[dict]:
    """`framing.outlet_tests` on reports of heavy-tailed articles: with every cell alike (the null), the share of
    tests with p < 0.05 and of reports with any Holm finding (the family-wise error; and with Benjamini-Hochberg,
    scipy's `false_discovery_control`, over the same p-values, for comparison); with the first outlet of the first
    actor +0.2 in net stance (0.35 / 0.15 against 0.25 / 0.25), how often that test has p < 0.05 and is found after
    Holm."""
    from scipy.stats import false_discovery_control

    out = []
    for design in designs:
        n_outlets, n_actors = POWER_DESIGNS[design]
        for n_articles in articles:
            for shift in (0.0, 0.2):
                rng = np.random.default_rng(41 + n_articles)
                single, tested, any_holm, any_bh, hit_raw, hit_holm, hit_bh, other_holm = 0, 0, 0, 0, 0, 0, 0, 0
                for rep in range(reps):
                    means = [[BASE] * n_outlets for _ in range(n_actors)]
                    if shift:
                        means[0][0] = SHIFTED
                    tests = framing.outlet_tests(outlet_report(rng, means, n_articles), n_perm=n_perm, seed=rep)
                    p = np.array([t["p_value"] for t in tests])
                    bh = false_discovery_control(p) < 0.05
                    first = next(k for k, t in enumerate(tests) if t["actor"] == "a0" and t["outlet"] == "o0")
                    if shift:
                        hit_raw += p[first] < 0.05
                        hit_holm += tests[first]["significant"]
                        hit_bh += bh[first]
                        # the other outlets of a0 are compared with pools holding o0: not null; other actors are
                        other_holm += any(t["significant"] for t in tests if t["actor"] != "a0")
                    else:
                        single += int((p < 0.05).sum())
                        tested += len(p)
                        any_holm += any(t["significant"] for t in tests)
                        any_bh += bool(bh.any())
                row = {"design": design, "articles_per_cell": n_articles, "difference": shift, "reps": reps,
                       "tests_per_report": len(tests), "n_perm": n_perm}
                if shift:
                    row.update(p_below_0_05=hit_raw / reps, found_holm=hit_holm / reps, found_bh=hit_bh / reps)
                    if n_actors > 1:
                        row["reports_false_finding_other_actors"] = other_holm / reps
                else:
                    row.update(p_below_0_05=single / tested, reports_any_holm=any_holm / reps,
                               reports_any_bh=any_bh / reps)
                out.append(row)
                print(json.dumps(out[-1]), flush=True)
    return out


TIMELINE_DESIGNS = {"12 months, 5 articles a month": 5, "12 months, 15 articles a month": 15,
                    "12 months, 50 articles a month": 50}


def timeline_check(reps: int, n_boot: int, designs=tuple(TIMELINE_DESIGNS)) -> list[dict]:
    """`timeline.timeline` of one outlet x actor whose true net stance is the same every month (moderate truth,
    heavy-tailed articles, intra-article correlation 0.17): per-period coverage, the share of lines of 12 periods
    where some period's interval misses the truth, and where two periods' intervals do not overlap (a change the
    chart seems to show where there is none)."""
    from classifier.report.timeline import timeline as time_view

    mean = np.array(GRID_TRUTHS["moderate"])
    truth = mean[0] - mean[1]
    out = []
    for design in designs:
        per_month = TIMELINE_DESIGNS[design]
        rng = np.random.default_rng(53 + per_month)
        periods, hits, lines_missed, lines_apart = 0, 0, 0, 0
        for rep in range(reps):
            parts = []
            for month in range(1, 13):
                part = cell_sums(rng, mean, 5, heavy_sizes(rng, per_month))
                part["article"] = part["article"] + f"-{month}"
                parts.append(part.assign(date=[f"2022-{month:02d}-{day:02d}"
                                               for day in rng.integers(1, 29, per_month)]))
            table = time_view(pd.concat(parts, ignore_index=True), period="month", n_boot=n_boot, seed=rep)["table"]
            table = table[np.isfinite(table["net_lo"])]
            inside = (table["net_lo"] <= truth) & (truth <= table["net_hi"])
            periods += len(table)
            hits += int(inside.sum())
            lines_missed += bool((~inside).any())
            lines_apart += bool(len(table)) and table["net_lo"].max() > table["net_hi"].min()
        out.append({"design": design, "reps": reps, "periods_with_interval": periods / reps,
                    "period_coverage": hits / max(periods, 1), "lines_some_period_missing_truth": lines_missed / reps,
                    "lines_two_periods_not_overlapping": lines_apart / reps})
        print(json.dumps(out[-1]), flush=True)
    return out


TREND_DESIGNS = {"6 months x 5 articles of 10 mentions, moderate": (6, 5, "10", "moderate", 1),
                 "6 months x 5 articles, heavy-tailed, moderate": (6, 5, "heavy", "moderate", 1),
                 "12 months x 15 articles, heavy-tailed, one-sided": (12, 15, "heavy", "one-sided", 1),
                 "6 months x 5 articles, 2 mentions early and 20 late, moderate": (6, 5, "growing", "moderate", 1),
                 "10 cells of 6 months x 5 articles, heavy-tailed, moderate": (6, 5, "heavy", "moderate", 10)}
"""months, articles a month, mentions an article, GRID_TRUTHS name, cells of a report"""


def trend_check(reps: int, n_perm: int, designs=tuple(TREND_DESIGNS)) -> list[dict]:
    """The time view's trend test (`timeline.trend_tests`) where net stance is flat over the months (every month's
    articles drawn alike, intra-article correlation 0.17, days at random in the month): the share of cells with
    p < 0.05 and, over the report's cells, of reports with any cell 'rising' or 'falling' (Holm)."""
    from classifier.report.timeline import timeline as time_view

    out = []
    for design in designs:
        months, per_month, mentions, truth, cells = TREND_DESIGNS[design]
        mean = np.array(GRID_TRUTHS[truth])
        rng = np.random.default_rng(71)
        tests, below, found = 0, 0, 0
        for rep in range(reps):
            parts = []
            for cell in range(cells):
                for month in range(1, months + 1):
                    sizes = (heavy_sizes(rng, per_month) if mentions == "heavy" else
                             np.full(per_month, 2 if month <= months // 2 else 20) if mentions == "growing" else
                             np.full(per_month, int(mentions)))
                    part = cell_sums(rng, mean, 5, sizes, outlet=f"o{cell:02d}")
                    part["article"] = part["article"] + f"-{month}"
                    parts.append(part.assign(date=[f"2022-{month:02d}-{day:02d}"
                                                   for day in rng.integers(1, 29, per_month)]))
            trends = time_view(pd.concat(parts, ignore_index=True), period="month", n_boot=0, n_perm=n_perm,
                               seed=rep)["trends"]
            trends = trends[trends["trend_tested"]]
            tests += len(trends)
            below += int((trends["trend_p"] < 0.05).sum())
            found += bool(trends["trend"].isin(["rising", "falling"]).any())
        out.append({"design": design, "reps": reps, "n_perm": n_perm, "cells_tested": tests,
                    "p_below_0.05": below / max(tests, 1), "reports_with_a_trend": found / reps})
        print(json.dumps(out[-1]), flush=True)
    return out


TREND_POWER_ARTICLES = (10, 20, 50)  # dated articles of a cell, spread evenly over its months
TREND_POWER_MONTHS = (3, 6, 12)
TREND_POWER_CHANGES = (0.0, 0.2, 0.4)  # how far net stance moves over the months


def trend_report(rng, cells: int, n_articles: int, months: int, change: float,
                 concentration: float = 5, by_day: bool = False) -> pd.DataFrame:
    """Dated article sums of ``cells`` outlets x one actor whose net stance moves by ``change`` over ``months``
    months: favor and against shares 0.25 -/+ change x (1/2 - u) / 2 and neutral 0.5 at u, the month's middle as a
    share of the span (net stance -change / 2 at its start, +change / 2 at its end, in steps of a month);
    ``n_articles`` heavy-tailed articles a cell, spread evenly over the months, days at random in the month. With
    ``by_day``, u is each article's own day as a share of the span from 2022-01-01 to the 28th of the last month
    (:func:`trend_span_days`): net stance a straight line in the date, whose slope is known
    (``change`` / the span's days)."""
    parts = []
    start = pd.Timestamp("2022-01-01")
    for cell in range(cells):
        for month, per_month in enumerate(np.diff(np.linspace(0, n_articles, months + 1).round().astype(int))):
            if not per_month:
                continue
            if by_day:  # the days first: each article's shares follow its own day
                days = rng.integers(1, 29, per_month)
                at = np.array([(pd.Timestamp(2022, month + 1, day) - start).days for day in days])
                net = change * (at / trend_span_days(months) - 0.5)
                mean = np.column_stack([0.25 + net / 2, 0.25 - net / 2, np.full(per_month, 0.5)])
            else:
                net = change * ((month + 0.5) / months - 0.5)
                mean = [0.25 + net / 2, 0.25 - net / 2, 0.5]
            part = cell_sums(rng, mean, concentration, heavy_sizes(rng, per_month), outlet=f"o{cell:03d}")
            part["article"] = part["article"] + f"-{month}"
            days = days if by_day else rng.integers(1, 29, per_month)
            parts.append(part.assign(date=[f"2022-{month + 1:02d}-{day:02d}" for day in days]))
    return pd.concat(parts, ignore_index=True)


def trend_span_days(months: int) -> int:
    """Days from 2022-01-01 to the 28th of the ``months``-th month: the span of :func:`trend_report`'s ``by_day``."""
    return (pd.Timestamp(2022, months, 28) - pd.Timestamp("2022-01-01")).days


def trend_power(reps: int, n_perm: int, articles=TREND_POWER_ARTICLES, months=TREND_POWER_MONTHS,
                changes=TREND_POWER_CHANGES) -> list[dict]:
    """The time view's trend test (`timeline.trend_tests`, through `timeline.timeline` by month) on one cell whose
    net stance moves linearly (:func:`trend_report`; intra-article correlation 0.17): the share of cells with
    p < 0.05 and found 'rising' (a one-cell family: Holm leaves p as it is), and the mean slope per 30 days."""
    from classifier.report.timeline import timeline as time_view

    out = []
    for n_articles in articles:
        for n_months in months:
            for change in changes:
                rng = np.random.default_rng(83 + n_articles + n_months)
                tested, below, rising, falling, slopes = 0, 0, 0, 0, []
                for rep in range(reps):
                    trends = time_view(trend_report(rng, 1, n_articles, n_months, change), period="month",
                                       n_boot=0, n_perm=n_perm, seed=rep)["trends"]
                    row = trends.iloc[0]
                    tested += bool(row["trend_tested"])
                    below += bool(row["trend_p"] < 0.05)
                    rising += row["trend"] == "rising"
                    falling += row["trend"] == "falling"
                    slopes.append(row["trend_30d"])
                out.append({"articles": n_articles, "months": n_months, "change_over_span": change, "reps": reps,
                            "n_perm": n_perm, "tested": tested / reps, "p_below_0.05": below / reps,
                            "found_rising": rising / reps, "found_falling": falling / reps,
                            "mean_slope_30d": float(np.nanmean(slopes)) if tested else None})
                print(json.dumps(out[-1]), flush=True)
    return out


TREND_SLOPE_SEED = 89  # a setting's cells come from default_rng(seed + articles + months + 100 x correlation's index)


TREND_CLUSTERS = ("articles", "effective")  # what trend_interval expands for: the cell's articles, or Kish's number


def trend_interval(days: np.ndarray, net_sum: np.ndarray, size: np.ndarray, n_boot: int,
                   seed: int, clusters: str = "articles") -> list[float] | None:
    """`framing.trend_interval`, the 95% interval of the trend's slope (per day), expanded for the cell's articles
    (``clusters`` "articles": bench/results/trend_slope_rule.txt's, failed: 50 articles, 3 months, correlation 0.17,
    a move of 0.8: 89.5%) or for the slope's effective number of them ("effective": the report's since it passed
    bench/results/trend_slope_eff_rule.txt, `framing.slope_effective_articles`)."""
    return framing.trend_interval(days, net_sum, size, n_boot, seed,
                                  clusters=len(days) if clusters == "articles" else None)


def trend_slope_check(reps: int, n_boot: int, articles=TREND_POWER_ARTICLES, months=TREND_POWER_MONTHS,
                      changes=TREND_POWER_CHANGES, concentrations=(5, 1), seed: int = TREND_SLOPE_SEED,
                      clusters: str = "articles") -> list[dict]:
    """The 95% interval of the time view's trend slope (:func:`trend_interval`, on `framing.trend_slope`'s per 30
    days) on one cell whose net stance is a straight line in the date (:func:`trend_report` ``by_day``: the
    trend-power cells, heavy-tailed articles spread evenly over the months, but each article's shares from its own
    day): the share of cells whose interval holds the true slope per 30 days, missing it below and above, and the
    mean width, and the mean of the effective number the interval expands for (``clusters``). The i-th cell of a
    setting resamples with the seed i + ``seed`` - TREND_SLOPE_SEED (another ``seed``: fresh cells and resamples)."""
    from classifier.report.timeline import article_dates

    out = []
    for c_index, concentration in enumerate(concentrations):
        for n_articles in articles:
            for n_months in months:
                for change in changes:
                    rng = np.random.default_rng(seed + n_articles + n_months + 100 * c_index)
                    truth = 30 * change / trend_span_days(n_months)
                    held, below, above, widths, slopes, none, counts = 0, 0, 0, [], [], 0, []
                    for rep in range(seed - TREND_SLOPE_SEED, seed - TREND_SLOPE_SEED + reps):
                        sums = trend_report(rng, 1, n_articles, n_months, change, concentration, by_day=True)
                        days = ((article_dates(sums) - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1)).to_numpy()
                        data = (days, (sums["n_favor"] - sums["n_against"]).to_numpy(float), sums["n"].to_numpy(float))
                        interval = trend_interval(*data, n_boot, rep, clusters)
                        counts.append(len(days) if clusters == "articles" else
                                      framing.slope_effective_articles(data[0], data[2]))
                        if not interval:
                            none += 1
                            continue
                        lo, hi = 30 * interval[0], 30 * interval[1]
                        held += lo <= truth <= hi
                        below += hi < truth
                        above += lo > truth
                        widths.append(hi - lo)
                        slopes.append(30 * float(framing.trend_slope(*data)[0]))
                    scored = max(reps - none, 1)
                    out.append({"articles": n_articles, "months": n_months, "change_over_span": change,
                                "correlation": {5: 0.17, 1: 0.5}.get(concentration, 1 / (1 + concentration)),
                                "reps": reps, "n_boot": n_boot, "seed": seed, "clusters": clusters,
                                "mean_clusters": float(np.mean(counts)), "true_slope_30d": truth, "no_interval": none,
                                "coverage": held / scored, "interval_below_truth": below / scored,
                                "interval_above_truth": above / scored,
                                "mean_width": float(np.mean(widths)) if widths else None,
                                "mean_slope_30d": float(np.mean(slopes)) if slopes else None})
                    print(json.dumps(out[-1]), flush=True)
    return out


def trend_cost(cells: int, n_articles: int, n_perm: int, change: float) -> list[dict]:
    """One report of ``cells`` outlets x one actor, ``n_articles`` articles a cell over 12 months, its net stance
    moving by ``change``: the seconds `timeline.trend_tests` took on it (alone, the data made before), for
    /usr/bin/time to give the whole run's."""
    import time

    from classifier.report.timeline import article_dates, period_labels, trend_tests

    sums = trend_report(np.random.default_rng(97), cells, n_articles, 12, change)
    dates = article_dates(sums)
    labelled = sums.assign(period=period_labels(dates, "month"))
    start = time.perf_counter()
    trends = trend_tests(labelled, dates, n_perm=n_perm, seed=0)
    seconds = time.perf_counter() - start
    out = [{"cells": cells, "articles_a_cell": n_articles, "months": 12, "change_over_span": change,
            "n_perm": n_perm, "tested": int(trends["trend_tested"].sum()),
            "found": int(trends["trend"].isin(["rising", "falling"]).sum()),
            "n_perm_after_redraw": int(trends["trend_n_perm"].max()), "trend_tests_seconds": round(seconds, 1)}]
    print(json.dumps(out[-1]), flush=True)
    return out


# -- the change intervals of --compare (two files of the same articles) and --split-date (two sides of a day)

CHANGE_TRUTHS = ("rare", "moderate", "near 1")
CHANGE_SIZES = (0.0, 0.1, 0.2, 0.4)  # the true change in net stance, toward against (net stance falls by it)
CHANGE_ARTICLES = (5, 10, 20, 50)  # a side (--split-date) or of both files (--compare)
CHANGE_NOISE = 0.1  # the share of mentions --compare's second file labels afresh, the cell's shares on average
CHANGE_SEED = 61  # a setting's cells come from default_rng(seed + articles)


def changed_shares(mean: np.ndarray, change: float) -> np.ndarray:
    """The true shares after a fall of ``change`` in net stance: a share r = change / (1 + net) of the mentions
    turned against ((1 - r) x mean + r x (0, 1, 0)), the others as they were."""
    r = change / (1 + mean[framing.FAVOR] - mean[framing.AGAINST])
    return (1 - r) * np.asarray(mean) + r * np.eye(K)[framing.AGAINST]


def relabelled(rng, cell: pd.DataFrame, mean: np.ndarray, change: float) -> pd.DataFrame:
    """--compare's second file of the articles of ``cell`` (:func:`cell_sums`): each mention labelled afresh with
    probability CHANGE_NOISE + r (r of :func:`changed_shares`), from shares whose mix with the rest gives
    :func:`changed_shares` on average; the other mentions keep their label (two models that mostly agree)."""
    r = change / (1 + mean[framing.FAVOR] - mean[framing.AGAINST])
    again = CHANGE_NOISE + r
    target = (CHANGE_NOISE * np.asarray(mean) + r * np.eye(K)[framing.AGAINST]) / again
    counts = cell[[f"n_{label}" for label in LABELS]].to_numpy(int)
    taken = rng.binomial(counts, again)
    counts = counts - taken + rng.multinomial(taken.sum(axis=1), target)
    new = cell.copy()
    for k, label in enumerate(LABELS):
        new[f"n_{label}"] = counts[:, k]
        new[f"sum_p_{label}"] = counts[:, k].astype(float)
    return new


PAIRED_PSEUDO = {"P1": [[1, 1, 1, 0], [1, -1, 1, 0]], "P2": [[1, 1, 1, -1], [1, -1, 1, 1]]}
"""bench/results/compare_change_rule.txt's candidates: rows (mentions and favor - against in the new file, the same in
the old) of two pseudo-articles of one mention, resampled with the cell's articles"""


COMPARE_HYBRID = {"H": ("P1", 10)}
"""bench/results/compare_hybrid_rule.txt's candidate, name: (the :data:`PAIRED_PSEUDO` it takes, K): that candidate in
a cell of fewer than K articles, `compare.compare_cell_rows`' own interval from K on"""


SPLIT_HYBRID = {"SH": 10}
"""bench/results/split_hybrid_rule.txt's candidate, name: K: split_change_rule.txt's SB (:func:`pseudo_net_draws`)
where a side has fewer than K articles, `split.split_cells`' own interval where both sides have K or more"""


def paired_articles(new: pd.DataFrame, old: pd.DataFrame) -> np.ndarray:
    """The rows `compare.compare_cell_rows` resamples, of one cell whose two files hold the same articles in the
    same order: mentions and favor - against in the new file, the same in the old."""
    return np.column_stack([new["n"], new["n_favor"] - new["n_against"], old["n"],
                            old["n_favor"] - old["n_against"]]).astype(float)


def pseudo_change_interval(per_article: np.ndarray, pseudo, n_boot: int, seed: int) -> list[float]:
    """A candidate's interval of the change: the articles resampled with the pseudo-articles, expanded percentile for
    the cell's own articles."""
    sums = resampled_sums(np.arange(len(per_article) + len(pseudo)), np.vstack([per_article, pseudo]), n_boot, seed)
    return percentile_ci(sums[:, 1] / sums[:, 0] - sums[:, 3] / sums[:, 2], clusters=len(per_article))


def pseudo_net_draws(per_article: np.ndarray, n_boot: int, seed: int) -> np.ndarray:
    """bench/results/split_change_rule.txt's SB, one side: the resampled net stance of `framing.net_interval` (the
    side's articles, rows of SUM_COLUMNS, with its two pseudo-articles, one favor and one against mention)."""
    pseudo = np.zeros((2, 1 + K))
    pseudo[:, 0], pseudo[0, 1 + framing.FAVOR], pseudo[1, 1 + framing.AGAINST] = 1, 1, 1
    counts = np.vstack([per_article[:, :1 + K], pseudo])
    sums = resampled_sums(np.arange(len(counts)), counts, n_boot, seed)
    return (sums[:, 1 + framing.FAVOR] - sums[:, 1 + framing.AGAINST]) / sums[:, 0]


def change_check(view: str, reps: int, n_boot: int, n_perm: int, truths=CHANGE_TRUTHS, articles=CHANGE_ARTICLES,
                 changes=CHANGE_SIZES, concentrations=GRID_CONCENTRATIONS, seed: int = CHANGE_SEED,
                 candidates: bool = False, hybrid: bool = False) -> list[dict]:
    """The 95% interval of a cell's change in net stance, ``view`` "compare" (`compare.compare_cells`: the same
    articles in two files, the second :func:`relabelled`) or "split" (`split.split_cells` on one cell: the articles
    before the day drawn around the truth's shares, those after around :func:`changed_shares`), heavy-tailed
    articles: coverage of the true change, the interval's misses below and above it, its mean width, and the share
    of cells called changed ('moved' of --compare: the interval excludes zero; --split-date's 'changed': the
    permutation test, Holm over the one cell, and its interval excluding zero), the false 'changed' rate where the
    true change is 0. ``candidates``: each cell also scored by the intervals of bench/results/compare_change_rule.txt
    (compare: :data:`PAIRED_PSEUDO`) or split_change_rule.txt (split: SB, :func:`pseudo_net_draws`), by name;
    ``hybrid``: by compare_hybrid_rule.txt's :data:`COMPARE_HYBRID` (compare) or split_hybrid_rule.txt's
    :data:`SPLIT_HYBRID` (split) instead."""
    from classifier.report.compare import compare_cells

    out = []
    for truth_name in truths:
        mean = np.array(GRID_TRUTHS[truth_name])
        for concentration in concentrations:
            for n_articles in articles:
                for change in changes:
                    rng = np.random.default_rng(seed + n_articles)
                    hits, below, above, widths, excluded, changed, flat = 0, 0, 0, [], 0, 0, 0
                    scores = {name: [] for name in ((COMPARE_HYBRID if view == "compare" else SPLIT_HYBRID)
                                                    if hybrid else
                                                    (PAIRED_PSEUDO if view == "compare" else ("SB",))
                                                    if candidates else ())}
                    for rep in range(seed - CHANGE_SEED, seed - CHANGE_SEED + reps):
                        first = cell_sums(rng, mean, concentration, heavy_sizes(rng, n_articles))
                        if view == "compare":
                            second = relabelled(rng, first, mean, change)
                            row = compare_cells(second, first, n_boot=n_boot, seed=rep).iloc[0]
                            for name in scores:
                                pseudo, below_k = COMPARE_HYBRID[name] if hybrid else (name, np.inf)
                                lo, hi = (pseudo_change_interval(paired_articles(second, first), PAIRED_PSEUDO[pseudo],
                                                                 n_boot, rep) if n_articles < below_k
                                          else (row["change_lo"], row["change_hi"]))
                                scores[name].append((lo <= -change <= hi, lo == hi, hi - lo, not lo <= 0 <= hi))
                        else:
                            after = cell_sums(rng, changed_shares(mean, change), concentration,
                                              heavy_sizes(rng, n_articles))
                            after["article"] = after["article"] + "-after"
                            both = pd.concat([first.assign(date="2022-01-01"), after.assign(date="2022-03-01")],
                                             ignore_index=True)
                            row = split.split_cells(both, "2022-02-24", n_boot=n_boot, n_perm=n_perm,
                                                    seed=rep)["table"].iloc[0]
                            changed += row["changed"] == "yes"
                            for name in scores:  # split_cells' seeds of its first cell: rep before, rep + 1 after
                                if n_articles < (SPLIT_HYBRID[name] if hybrid else np.inf):
                                    draws = [pseudo_net_draws(framing.cell_values(side, framing.SUM_COLUMNS), n_boot,
                                                              s) for side, s in ((after, rep + 1), (first, rep))]
                                    lo, hi = percentile_ci(draws[0] - draws[1], clusters=n_articles)
                                else:
                                    lo, hi = row["change_lo"], row["change_hi"]
                                scores[name].append((lo <= -change <= hi, lo == hi, hi - lo, not lo <= 0 <= hi))
                        lo, hi = row["change_lo"], row["change_hi"]
                        hits += lo <= -change <= hi
                        below += hi < -change
                        above += lo > -change
                        flat += lo == hi
                        excluded += not (lo <= 0 <= hi)
                        widths.append(hi - lo)
                    result = {"view": view, "truth": truth_name, "net": round(float(mean[0] - mean[1]), 2),
                              "change": -change if change else 0.0, "articles": n_articles,
                              "icc": round(1 / (1 + concentration), 2),
                              "reps": reps, "seed": seed, "coverage": hits / reps,
                              "interval_below_truth": below / reps, "interval_above_truth": above / reps,
                              "zero_width": flat / reps, "mean_width": float(np.mean(widths)),
                              "interval_excludes_0": excluded / reps}
                    if view == "split":
                        result["changed"] = changed / reps
                    for name, values in scores.items():
                        hit, zero, width, moved = np.array(values, dtype=float).mean(axis=0)
                        result[name] = {"coverage": hit, "zero_width": zero, "mean_width": width,
                                        "interval_excludes_0": moved}
                    out.append(result)
                    print(json.dumps(out[-1]), flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--n-boot", type=int, default=1000)
    parser.add_argument("--n-perm", type=int, default=999)
    parser.add_argument("--only", default="coverage,tests,acc,evaluate,split",
                        help="checks to run; split-family (8 minutes for --reps 200 on 2 cores) only when named")
    parser.add_argument("--out", help="write the figures as JSON here")
    parser.add_argument("--acc-cases", help="comma-separated indexes into ACC_CASES (default: all)")
    parser.add_argument("--family-articles", default=",".join(map(str, SPLIT_FAMILY_ARTICLES)),
                        help="split-family: articles a side, comma-separated")
    parser.add_argument("--family-changes", default=",".join(map(str, SPLIT_FAMILY_CHANGES)),
                        help="split-family: true changes in net stance, comma-separated (0: the family-wise error)")
    parser.add_argument("--grid-truths", default=",".join(GRID_TRUTHS),
                        help="grid: true shares, comma-separated names of GRID_TRUTHS")
    parser.add_argument("--grid-articles", default=GRID_DEFAULT,
                        help="grid and power: articles of a cell, comma-separated (power's default 5,10,20,50)")
    parser.add_argument("--seed", type=int, default=GRID_SEED,
                        help="net-candidates: cells from default_rng(seed + articles), bootstrap seeds from seed - "
                             f"{GRID_SEED} (default {GRID_SEED}: the grid's cells)")
    parser.add_argument("--power-designs", default=",".join(POWER_DESIGNS), help="power: designs of POWER_DESIGNS")
    parser.add_argument("--change-truths", default=",".join(CHANGE_TRUTHS),
                        help="compare and split-change: true shares, names of GRID_TRUTHS")
    parser.add_argument("--change-articles", default=",".join(map(str, CHANGE_ARTICLES)),
                        help="compare and split-change: articles a side, comma-separated")
    parser.add_argument("--changes", default=",".join(map(str, CHANGE_SIZES)),
                        help="compare and split-change: true falls in net stance, comma-separated")
    parser.add_argument("--change-icc", default="0.17,0.5",
                        help="compare, split-change and trend-slope: 0.17 and/or 0.5")
    parser.add_argument("--change-seed", type=int, default=CHANGE_SEED,
                        help=f"compare and split-change: cells from default_rng(seed + articles), bootstrap seeds from "
                             f"seed - {CHANGE_SEED} (default {CHANGE_SEED})")
    parser.add_argument("--trend-articles", default=",".join(map(str, TREND_POWER_ARTICLES)),
                        help="trend-power and trend-slope: dated articles of a cell (trend-cost: the last), "
                        "comma-separated")
    parser.add_argument("--trend-months", default=",".join(map(str, TREND_POWER_MONTHS)),
                        help="trend-power and trend-slope: months, comma-separated")
    parser.add_argument("--trend-changes", default=",".join(map(str, TREND_POWER_CHANGES)),
                        help="trend-power and trend-slope: how far net stance moves over the months (trend-cost: the "
                        "last)")
    parser.add_argument("--trend-cells", type=int, default=200, help="trend-cost: cells of the report")
    parser.add_argument("--trend-seed", type=int, default=TREND_SLOPE_SEED,
                        help="trend-slope: cells from default_rng(seed + articles + months + 100 x correlation's "
                             f"index), bootstrap seeds from seed - {TREND_SLOPE_SEED} (default {TREND_SLOPE_SEED})")
    parser.add_argument("--trend-clusters", choices=TREND_CLUSTERS, default="articles",
                        help="trend-slope: expand the interval for the cell's articles or their effective number "
                             "(bench/results/trend_slope_eff_rule.txt)")
    args = parser.parse_args()
    trend_articles, trend_changes = ([int(n) for n in args.trend_articles.split(",")],
                                     [float(d) for d in args.trend_changes.split(",")])
    change_args = {"truths": args.change_truths.split(","),
                   "articles": [int(n) for n in args.change_articles.split(",")],
                   "changes": [float(d) for d in args.changes.split(",")],
                   "concentrations": [{"0.17": 5, "0.5": 1}[c] for c in args.change_icc.split(",")],
                   "seed": args.change_seed}
    checks = {"coverage": lambda: coverage(args.reps, args.n_boot),
              "tests": lambda: null_tests(args.reps, args.n_perm),
              "acc": lambda: acc_check(args.reps, args.n_boot, [int(i) for i in args.acc_cases.split(",")]
                                       if args.acc_cases else range(len(ACC_CASES))),
              "evaluate": lambda: evaluate_check(args.reps, args.n_boot),
              "split": lambda: split_check(args.reps, args.n_boot, args.n_perm),
              "split-family": lambda: split_family_check(
                  args.reps, args.n_perm, [int(n) for n in args.family_articles.split(",")],
                  [float(d) for d in args.family_changes.split(",")]),
              "grid": lambda: coverage_grid(args.reps, args.n_boot, args.grid_truths.split(","),
                                            [int(n) for n in args.grid_articles.split(",")]),
              "power": lambda: power_check(args.reps, args.n_perm, [int(n) for n in args.grid_articles.split(",")]
                                           if args.grid_articles != GRID_DEFAULT else (5, 10, 20, 50),
                                           args.power_designs.split(",")),
              "net-candidates": lambda: net_candidates(args.reps, args.n_boot, args.grid_truths.split(","),
                                                       [int(n) for n in args.grid_articles.split(",")],
                                                       seed=args.seed),
              "timeline": lambda: timeline_check(args.reps, args.n_boot),
              "trend": lambda: trend_check(args.reps, args.n_perm),
              "trend-power": lambda: trend_power(args.reps, args.n_perm, trend_articles,
                                                 [int(n) for n in args.trend_months.split(",")], trend_changes),
              "trend-slope": lambda: trend_slope_check(args.reps, args.n_boot, trend_articles,
                                                       [int(n) for n in args.trend_months.split(",")], trend_changes,
                                                       change_args["concentrations"], args.trend_seed,
                                                       args.trend_clusters),
              "trend-cost": lambda: trend_cost(args.trend_cells, trend_articles[-1], args.n_perm, trend_changes[-1]),
              "compare": lambda: change_check("compare", args.reps, args.n_boot, args.n_perm, **change_args),
              "compare-candidates": lambda: change_check("compare", args.reps, args.n_boot, args.n_perm,
                                                         candidates=True, **change_args),
              "compare-hybrid": lambda: change_check("compare", args.reps, args.n_boot, args.n_perm, hybrid=True,
                                                     **change_args),
              "split-candidates": lambda: change_check("split", args.reps, args.n_boot, args.n_perm,
                                                       candidates=True, **change_args),
              "split-hybrid": lambda: change_check("split", args.reps, args.n_boot, args.n_perm, hybrid=True,
                                                   **change_args),
              "split-change": lambda: change_check("split", args.reps, args.n_boot, args.n_perm, **change_args)}
    unknown = [name for name in args.only.split(",") if name not in checks]
    if unknown:  # before any check runs: a misspelt last name had stopped a long run with a KeyError, --out unwritten
        parser.error(f"--only: no check named {', '.join(unknown)}; one of {', '.join(checks)}")
    results = {}
    for name in args.only.split(","):
        print(f"-- {name}", flush=True)
        results[name] = checks[name]()
    if args.out:
        with open(args.out, "w") as handle:
            json.dump(results, handle, indent=1)


if __name__ == "__main__":
    main()
