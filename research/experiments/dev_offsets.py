"""Class offsets: does adding a fitted constant to each class's logit (a decision threshold per class,
chosen for macro-F1) help a model on items it was not fitted on?

Scores the 20% document dev split of NewsMTSC train (crossfit_distill.py's split) with models trained
without it. For each model, ``--repeats`` random halvings of the dev split by document: offsets for
favor and against (neutral fixed at 0, a grid of -1.5 to 1.5 by 0.05) are fitted on one half to
maximise macro-F1 and scored on the other against the plain argmax there. Prints and writes the
held-out gain (mean and sd over the 2 x repeats halves) and the offsets fitted on all of dev.

    python research/experiments/dev_offsets.py --model runs/device-v8e5/model runs/xfit-ema/model \\
        --out research/results/dev20_class_offsets.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "research"))

from crossfit_distill import experiment_parser, train_and_dev  # noqa: E402

from classifier.io.files import write_json_atomic  # noqa: E402
from classifier.models.calibrate import model_logits  # noqa: E402
from classifier.models.stance_model import StanceModel  # noqa: E402

GRID = np.round(np.arange(-1.5, 1.5001, 0.05), 2)


def macro_f1(gold: np.ndarray, predicted: np.ndarray, classes: int = 3) -> float:
    """Macro-F1 over ``classes`` label indices from a confusion count (fast enough for a grid search)."""
    counts = np.bincount(gold * classes + predicted, minlength=classes * classes).reshape(classes, classes)
    both = counts.sum(axis=0) + counts.sum(axis=1)
    return float(np.mean(np.where(both > 0, 2 * np.diag(counts) / np.maximum(both, 1), 0.0)))


def fitted_offsets(logits: np.ndarray, gold: np.ndarray, neutral: int) -> np.ndarray:
    """The offsets (0 for neutral) that maximise macro-F1 on these items; the first best on the grid."""
    others = [k for k in range(logits.shape[1]) if k != neutral]
    best, chosen = -1.0, np.zeros(logits.shape[1])
    for a in GRID:
        for b in GRID:
            offsets = np.zeros(logits.shape[1])
            offsets[others] = a, b
            score = macro_f1(gold, (logits + offsets).argmax(axis=1))
            if score > best:
                best, chosen = score, offsets
    return chosen


def heldout_gains(logits, gold, documents_of, repeats: int, neutral: int) -> list[float]:
    rng = np.random.default_rng(0)
    names = np.unique(documents_of)
    gains = []
    for _ in range(repeats):
        first = np.isin(documents_of, rng.permutation(names)[: len(names) // 2])
        for fit_on, score_on in ((first, ~first), (~first, first)):
            offsets = fitted_offsets(logits[fit_on], gold[fit_on], neutral)
            gains.append(macro_f1(gold[score_on], (logits[score_on] + offsets).argmax(axis=1))
                         - macro_f1(gold[score_on], logits[score_on].argmax(axis=1)))
    return gains


def main() -> None:
    parser = experiment_parser(__doc__)
    parser.add_argument("--model", required=True, nargs="+", help="models trained without the dev split")
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    _, dev = train_and_dev(args.data, args.dev_fraction)
    documents_of = np.array([item.article for item in dev])
    results = {}
    for path in args.model:
        model = StanceModel.load(path)
        logits = model_logits(model, dev, batch_size=256)
        gold = np.array([model.labels.index(item.label) for item in dev])
        neutral = model.labels.index("neutral")
        gains = heldout_gains(logits, gold, documents_of, args.repeats, neutral)
        offsets = fitted_offsets(logits, gold, neutral)
        results[path] = {"labels": list(model.labels), "dev_macro_f1": macro_f1(gold, logits.argmax(axis=1)),
                         "heldout_gain_mean": float(np.mean(gains)), "heldout_gain_sd": float(np.std(gains)),
                         "heldout_halves": len(gains), "offsets_fitted_on_all_dev": offsets.tolist(),
                         "dev_macro_f1_with_those_offsets (in sample)": macro_f1(gold, (logits + offsets).argmax(axis=1))}
        print(path, json.dumps(results[path]), flush=True)
    write_json_atomic(Path(args.out), {"dev_items": len(dev), "grid": [float(GRID[0]), float(GRID[-1]), 0.05],
                                       "models": results})


if __name__ == "__main__":
    main()
