"""How far apart two teachers are on a labelled file, before spending a training run on the other one.

    python research/compare_teachers.py ../shared/data/newsmtsc/train.jsonl models/newsmtsc-v16 \
        runs/xfit-v16/item_scores.npz

Each teacher is a stance model's folder or a file of saved logits (``classifier.models.distill.
save_teacher_logits``). Prints each one's macro-F1 and mean probability of the gold label, then how often
their decisions agree and the mean total-variation distance between their distributions at the
distillation temperature: what a student taught by one instead of the other could learn differently.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy.special import softmax
from sklearn.metrics import f1_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifier.errors import InputError  # noqa: E402
from classifier.items import LABELS, read_items  # noqa: E402
from classifier.models.distill import teacher_logits  # noqa: E402


def compare(items, first: np.ndarray, second: np.ndarray, temperature: float) -> dict:
    gold = np.array([LABELS.index(item.label) for item in items])
    out = {}
    for name, logits in (("first", first), ("second", second)):
        out[name] = {"macro_f1": float(f1_score(gold, logits.argmax(axis=1), average="macro")),
                     "gold_probability": float(softmax(logits, axis=1)[np.arange(len(gold)), gold].mean())}
    out["argmax_agreement"] = float((first.argmax(axis=1) == second.argmax(axis=1)).mean())
    out["total_variation"] = float(0.5 * np.abs(softmax(first / temperature, axis=1)
                                                - softmax(second / temperature, axis=1)).sum(axis=1).mean())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("labelled", help="a labelled items file")
    parser.add_argument("first", help="a stance model folder or a .npz of saved teacher logits")
    parser.add_argument("second")
    parser.add_argument("--temperature", type=float, default=2.0, help="the distillation temperature (default 2)")
    args = parser.parse_args()
    try:
        items = list(read_items(args.labelled))
        first, second = (teacher_logits(t, items, labels=list(LABELS)) for t in (args.first, args.second))
    except InputError as exc:
        sys.exit(f"error: {exc}")
    result = compare(items, first, second, args.temperature)
    for key in ("first", "second"):
        print(f"{getattr(args, key)}: macro-F1 {100 * result[key]['macro_f1']:.1f}, "
              f"mean gold probability {result[key]['gold_probability']:.3f}")
    print(f"decisions agree on {100 * result['argmax_agreement']:.1f}% of {len(items)} items; mean total-variation "
          f"distance at T {args.temperature:g}: {result['total_variation']:.3f}")


if __name__ == "__main__":
    main()
