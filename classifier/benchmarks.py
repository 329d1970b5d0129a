"""The benchmark suite: every labelled stance set a model ships on, with a fixed held-out part of each.

A model ships on the suite's held-out mean over the sets that are not NewsMTSC (its first training
domain), never on one benchmark. Each set names the file (under the shared data folder, or the
project's own seed labels), the field that groups dependent items (an event, a document, a comment),
and how it is split:

- ``own``: the file is a test split that no training reads (NewsMTSC devtest_*, TweetEval test, the
  seed labels); the whole file is scored.
- ``folds``: a labelled file that training may also use (BASIL train, PerSenT dev, VAST dev): every group
  falls in one of five folds by a hash of its key, fold 0 is the held-out ``test`` part the suite scores,
  fold 1 the ``dev`` part recipes are chosen on, folds 2-4 the ``train`` part. No group is in two parts.

Scores: macro-F1 over favor / against / neutral with a 95% bootstrap interval that resamples whole groups
(``classifier.evaluate``), F1 of favor and of against, and SemEval's official figure (mean F1 of favor and
against). :func:`paired_differences` puts two models' figures on the same resamples, so that a gap between
them gets its own interval. The outlet-level check (``outlet_validity``) compares net stance per (outlet,
target) cell from predictions with the same figure from the human labels.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from classifier.items import LABELS, Item, read_items

N_FOLDS = 5
PARTS = {"test": (0,), "dev": (1,), "train": (2, 3, 4)}


@dataclass(frozen=True)
class BenchSet:
    name: str
    path: str                    # under the data root, or ``seeds:`` + a path under the project
    group: str                   # field whose value groups dependent items (``text``: the comment itself)
    split: str                   # own | folds
    domain: str                  # what kind of text and which notion of stance (data/GUIDELINES.md)
    dev_path: str | None = None  # an ``own`` set's dev split, where it has one
    anchors: dict = field(default_factory=dict)  # published figure (x 100) -> note
    in_mean: bool = True         # counted in the out-of-domain mean (NewsMTSC is not)
    metric: str = "macro_f1"     # the figure the anchors are in: macro_f1 | f1_favor_against

    @property
    def is_seed(self) -> bool:
        return self.path.startswith("seeds:")


SETS: tuple[BenchSet, ...] = (
    BenchSet("newsmtsc_rw", "newsmtsc/devtest_rw.jsonl", "article", "own", "US political news, target sentiment",
             anchors={"SPC BERT-base": 80.1, "GRU-TSC RoBERTa-base": 83.1}, in_mean=False),
    BenchSet("newsmtsc_mt", "newsmtsc/devtest_mt.jsonl", "article", "own", "US news, two or more targets",
             anchors={"SPC BERT-base": 73.7, "GRU-TSC RoBERTa-base": 82.5}, in_mean=False),
    BenchSet("semeval", "tweeteval-stance/test.jsonl", "id", "own", "tweets, pro/con on a topic (SemEval-2016)",
             dev_path="tweeteval-stance/val.jsonl", metric="f1_favor_against",
             anchors={"RoBERTa-base F1avg": 68.0, "TimeLMs-2021 F1avg": 72.9}),
    BenchSet("vast", "vast/dev.jsonl", "text", "folds", "comments, topics the text does not name",
             anchors={"TGA-Net (VAST test, trained on VAST train)": 66.6}),
    BenchSet("basil", "basil/train.jsonl", "event", "folds", "Fox / NYT / HuffPost sentences, bias toward people"),
    BenchSet("persent", "persent/dev.jsonl", "article", "folds", "news paragraphs, author sentiment to the main person"),
    BenchSet("seeds", "seeds:data/seed_labels.jsonl", "article", "own", "the seed articles (international news)"),
    # the same 130 items read a second time by another annotator (data/GUIDELINES.md); shown, not in the mean,
    # which would then count the seeds twice
    BenchSet("seeds_b", "seeds:data/seed_labels_b.jsonl", "article", "own", "the seed articles, a second reading",
             in_mean=False),
)


def find_set(name: str) -> BenchSet:
    for bench in SETS:
        if bench.name == name:
            return bench
    raise KeyError(f"no benchmark set {name!r}; the suite has {', '.join(s.name for s in SETS)}")


def group_key(item: Item, bench: BenchSet) -> str:
    """The value that groups dependent items. NewsMTSC's POLUSA items all carry article ``polusa_v1``; the
    document is in the item id (``polusa_v1_<doc>_...``)."""
    if bench.group == "article" and item.article == "polusa_v1" and item.id.startswith("polusa_v1_"):
        return "polusa_v1_" + item.id.split("_")[2]
    if bench.group == "text":  # a comment scored toward several topics is one group
        return "text:" + hashlib.sha256(item.text.encode()).hexdigest()[:12]
    value = getattr(item, bench.group, None)
    return str(value) if value not in (None, "") else item.id


def fold_of(key: str) -> int:
    return int(hashlib.sha256(f"suite:{key}".encode()).hexdigest()[:8], 16) % N_FOLDS


def part_of(items: Sequence[Item], bench: BenchSet, part: str) -> list[Item]:
    """The ``test``, ``dev`` or ``train`` part of a ``folds`` set (whole groups), with each item's
    ``article`` set to its group so intervals resample groups."""
    if part not in PARTS:
        raise ValueError(f"unknown part {part!r}; expected one of {', '.join(PARTS)}")
    folds = PARTS[part]
    out = []
    for item in items:
        key = group_key(item, bench)
        if bench.split == "own" or fold_of(key) in folds:
            out.append(item.model_copy(update={"article": key}))
    return out


def set_path(bench: BenchSet, data_root: Path, project_root: Path, *, dev: bool = False) -> Path:
    relative = bench.dev_path if dev else bench.path
    if relative is None:
        raise ValueError(f"{bench.name} has no dev split")
    if relative.startswith("seeds:"):
        return project_root / relative.removeprefix("seeds:")
    return data_root / relative


def load_part(bench: BenchSet, data_root: Path, project_root: Path, part: str = "test") -> list[Item]:
    """The items of one set the suite scores (``test``) or chooses recipes on (``dev``)."""
    if bench.split == "own":
        if part == "test":
            return part_of(list(read_items(set_path(bench, data_root, project_root))), bench, "test")
        if part == "dev" and bench.dev_path:
            return part_of(list(read_items(set_path(bench, data_root, project_root, dev=True))), bench, "test")
        return []
    return part_of(list(read_items(set_path(bench, data_root, project_root))), bench, part)


def part_description(bench: BenchSet, part: str = "test") -> str:
    if bench.split == "own":
        return "whole file (a test split)" if part == "test" else f"{bench.dev_path}"
    return f"fold {PARTS[part][0]} of {N_FOLDS} by {bench.group} (about {100 // N_FOLDS}%)"


# -- scoring -----------------------------------------------------------------------------------------

def score_predictions(items: Sequence[Item], predicted: Sequence[str], *, n_boot: int = 1000, seed: int = 0) -> dict:
    """Macro-F1, per-class F1 and SemEval's favor/against F1, with 95% intervals over resampled groups
    (the items' ``article``)."""
    from classifier.evaluate import (CI_METRICS, bootstrap_metrics, classification_metrics, cluster_codes,
                                     label_codes, percentile_ci, prediction_frame)

    gold = [item.label for item in items]
    metrics = classification_metrics(gold, predicted)
    result = {"n": len(items), "n_groups": len({item.article for item in items}),
              "macro_f1": metrics["macro_f1"], "accuracy": metrics["accuracy"],
              "f1_favor_against": metrics["f1_favor_against"],
              "f1": {label: metrics["per_class"][label]["f1"] for label in LABELS},
              "support": {label: metrics["per_class"][label]["support"] for label in LABELS},
              "confusion_matrix": metrics["confusion_matrix"], "ci": {}}
    if n_boot and len(items):
        frame = prediction_frame(items, predicted, "suite")
        groups = cluster_codes(frame)
        samples = bootstrap_metrics(label_codes(frame["label"]), label_codes(frame["stance"]), groups,
                                    n_boot=n_boot, seed=seed)
        clusters = int(groups.max()) + 1  # expanded for few groups, as evaluate's intervals are
        result["ci"] = {name: percentile_ci(samples[name], clusters=clusters) for name in CI_METRICS}
    return result


def suite_mean(scores: dict[str, dict]) -> float | None:
    """Unweighted mean macro-F1 over the scored sets counted in the mean (every set but NewsMTSC)."""
    values = [scores[bench.name]["macro_f1"] for bench in SETS if bench.in_mean and bench.name in scores]
    return float(np.mean(values)) if values else None


def paired_differences(items_by_set: dict[str, Sequence[Item]], first: dict[str, Sequence[str]],
                       second: dict[str, Sequence[str]], *, n_boot: int = 1000, seed: int = 0) -> dict:
    """Macro-F1 of ``second`` minus ``first`` on the same items, per set and for the suite mean, with 95%
    intervals and two-sided p-values from one paired bootstrap: each resample draws whole groups (the items'
    ``article``) and scores both models on the same draw, so the interval is that of the difference itself,
    far narrower than two independent intervals. The mean's resample ``b`` averages every set's resample
    ``b`` (the sets are independent samples), over the sets counted in :func:`suite_mean`."""
    from classifier.evaluate import (bootstrap_metrics, classification_metrics, label_codes, paired_p_value,
                                     percentile_ci)

    rows, draws, clusters = {}, {}, {}
    for index, (name, items) in enumerate(items_by_set.items()):
        if name not in first or name not in second or not items:
            continue
        gold_labels = [item.label for item in items]
        gold, a, b = label_codes(gold_labels), label_codes(first[name]), label_codes(second[name])
        codes = np.unique([item.article or item.id for item in items], return_inverse=True)[1]
        diffs = (bootstrap_metrics(gold, b, codes, n_boot=n_boot, seed=seed + index)["macro_f1"]
                 - bootstrap_metrics(gold, a, codes, n_boot=n_boot, seed=seed + index)["macro_f1"])
        observed = (classification_metrics(gold_labels, list(second[name]))["macro_f1"]
                    - classification_metrics(gold_labels, list(first[name]))["macro_f1"])
        clusters[name] = int(codes.max()) + 1  # expanded for few groups, as evaluate's intervals are
        rows[name] = {"difference": float(observed),
                      "ci": percentile_ci(diffs, clusters=clusters[name]) if n_boot else None,
                      "p_value": paired_p_value(diffs, observed, clusters=clusters[name]) if n_boot else None}
        draws[name] = diffs
    in_mean = [bench.name for bench in SETS if bench.in_mean and bench.name in rows]
    mean = None
    if in_mean:
        observed = float(np.mean([rows[name]["difference"] for name in in_mean]))
        resampled = np.mean([draws[name] for name in in_mean], axis=0) if n_boot else np.zeros(0)
        groups = sum(clusters[name] for name in in_mean)  # the groups of all the sets, resampled set by set
        mean = {"difference": observed, "sets": in_mean,
                "ci": percentile_ci(resampled, clusters=groups) if n_boot else None,
                "p_value": paired_p_value(resampled, observed, clusters=groups) if n_boot else None}
    return {"sets": rows, "mean_out_of_domain": mean, "n_boot": n_boot,
            "test": "paired bootstrap by group, two-sided, difference = second - first"}


# -- outlet-level validity ------------------------------------------------------------------------

def net_stance(labels: Sequence[str]) -> float:
    labels = list(labels)
    return (labels.count("favor") - labels.count("against")) / len(labels) if labels else float("nan")


def outlet_validity(items: Sequence[Item], predicted: Sequence[str], probs: np.ndarray | None = None, *,
                    min_items: int = 15, group_folds: int = 5) -> dict:
    """Per (outlet, target) cell with at least ``min_items`` items: net stance (favor share minus against
    share) from the predictions against the same figure from the human labels.

    Raw, and corrected for classifier error (ACC on predicted labels; PACC on probabilities when given)
    with ``P(pred | true)`` fitted on other groups (events): the groups are cut into ``group_folds`` folds
    and each fold's items are corrected with the matrix from the other folds, then summed per cell.
    Returns mean absolute error and Spearman rank correlation per method, and the cells."""
    from scipy.stats import spearmanr
    from sklearn.metrics import confusion_matrix

    from classifier.report.framing import column_normalise, solve_prevalence

    k = len(LABELS)
    gold = np.array([LABELS.index(item.label) for item in items])
    pred = np.array([LABELS.index(label) for label in predicted])
    cells = np.array([f"{item.source}|{item.actor}" for item in items])
    folds = np.array([int(hashlib.sha256(f"cell-fold:{item.article}".encode()).hexdigest()[:8], 16) % group_folds
                      for item in items])
    corrected = {"acc": np.zeros((len(items), k))}
    if probs is not None:
        corrected["pacc"] = np.zeros((len(items), k))
    for fold in range(group_folds):
        inside, other = folds == fold, folds != fold
        if not inside.any():
            continue
        if len(set(gold[other])) < k:  # a class unseen in the other folds: no matrix; keep raw
            corrected["acc"][inside] = np.eye(k)[pred[inside]]
            if probs is not None:
                corrected["pacc"][inside] = probs[inside]
            continue
        acc_matrix = confusion_matrix(gold[other], pred[other], labels=list(range(k)), normalize="true").T
        pacc_matrix = None
        if probs is not None:
            table = np.zeros((k, k))
            np.add.at(table, gold[other], probs[other])
            pacc_matrix = column_normalise(table, np.eye(k))
        for cell in set(cells[inside]):
            rows = inside & (cells == cell)
            observed = np.bincount(pred[rows], minlength=k) / rows.sum()
            corrected["acc"][rows] = solve_prevalence(acc_matrix, observed)
            if pacc_matrix is not None:
                corrected["pacc"][rows] = solve_prevalence(pacc_matrix, probs[rows].mean(axis=0))
    favor, against = LABELS.index("favor"), LABELS.index("against")
    table = []
    for cell in sorted(set(cells)):
        rows = cells == cell
        if rows.sum() < min_items:
            continue
        outlet, actor = cell.split("|", 1)
        row = {"outlet": outlet, "actor": actor, "n": int(rows.sum()),
               "n_groups": len({items[i].article for i in np.flatnonzero(rows)}),
               "gold": net_stance([LABELS[g] for g in gold[rows]]),
               "raw": net_stance([LABELS[p] for p in pred[rows]])}
        for method, shares in corrected.items():
            mean = shares[rows].mean(axis=0)
            row[method] = float(mean[favor] - mean[against])
        table.append(row)
    result = {"min_items": min_items, "n_cells": len(table), "cells": table, "methods": {}}
    for method in ("raw", *corrected):
        if len(table) < 2:
            break
        errors = [abs(row[method] - row["gold"]) for row in table]
        rho = spearmanr([row[method] for row in table], [row["gold"] for row in table]).statistic
        result["methods"][method] = {"mae": float(np.mean(errors)), "max_error": float(np.max(errors)),
                                     "spearman": None if np.isnan(rho) else float(rho)}
    return result
