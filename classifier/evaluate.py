"""Metrics: scikit-learn only, fixed label order, stable when a class is absent."""

from __future__ import annotations

from typing import Sequence

from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from classifier.items import LABELS


def classification_metrics(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str] = LABELS) -> dict:
    """Macro-F1 over the three classes, accuracy, mean F1 of favor and against, per-class P/R/F1."""
    labels = list(labels)
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=labels, zero_division=0)
    return {
        "n": len(gold),
        "macro_f1": float(f1_score(gold, predicted, labels=labels, average="macro", zero_division=0)),
        "accuracy": float(accuracy_score(gold, predicted)) if len(gold) else 0.0,
        "f1_favor_against": float(f1_score(gold, predicted, labels=["favor", "against"], average="macro",
                                           zero_division=0)),
        "per_class": {label: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
                      for label, p, r, f, s in zip(labels, precision, recall, f1, support)},
        "labels": labels,
        "confusion_matrix": confusion_matrix(gold, predicted, labels=labels).tolist(),
    }
