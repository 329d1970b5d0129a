"""Multi-target context: does a model err more where the sentence has other targets, labelled differently?

Scores the 20% document dev split of NewsMTSC train (crossfit_distill.py's split) with models trained
without it and splits the items by their sentence: one labelled target only; several targets, all with
the same label; several targets with different labels (where only the marking of *this* target can
tell the model which label to give). Prints items, accuracy (with a normal-approximation 95% interval)
and macro-F1 for each group; writes JSON. If the last group were much worse, marking the other
targets too (multi-target context) would have room to pay.

    python research/experiments/target_context.py --model runs/device-v8e5/model runs/xfit-ema/model \\
        --out research/results/dev20_target_context.json
"""

from __future__ import annotations

import math
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "research"))

from crossfit_distill import experiment_parser, train_and_dev  # noqa: E402

from classifier.evaluate import classification_metrics  # noqa: E402
from classifier.io.files import write_json_atomic  # noqa: E402
from classifier.models.stance_model import StanceModel  # noqa: E402


def context_group(items) -> list[str]:
    """Each item's group by the other labelled targets of its sentence."""
    actors, labels = defaultdict(set), defaultdict(set)
    for item in items:
        actors[item.text].add(item.actor)
        labels[item.text].add(item.label)
    return ["single target" if len(actors[it.text]) == 1 else
            "several targets, one label" if len(labels[it.text]) == 1 else
            "several targets, different labels" for it in items]


def group_metrics(dev, predicted, groups) -> dict:
    """Items, accuracy (normal-approximation 95% interval) and macro-F1 per group and for all; printed too."""
    rows = {}
    for name in ("single target", "several targets, one label", "several targets, different labels", "all"):
        chosen = [n for n, group in enumerate(groups) if name in (group, "all")]
        metrics = classification_metrics([dev[n].label for n in chosen], [predicted[n] for n in chosen])
        accuracy = metrics["accuracy"]
        half = 1.96 * math.sqrt(accuracy * (1 - accuracy) / len(chosen))
        rows[name] = {"items": len(chosen), "accuracy": round(accuracy, 4),
                      "accuracy_ci95": [round(accuracy - half, 4), round(accuracy + half, 4)],
                      "macro_f1": round(metrics["macro_f1"], 4)}
        print(f"  {name:34s} {len(chosen):5d} items  accuracy {accuracy:.3f} [{accuracy - half:.3f}, "
              f"{accuracy + half:.3f}]  macro-F1 {metrics['macro_f1']:.3f}", flush=True)
    return rows


def main() -> None:
    parser = experiment_parser(__doc__)
    parser.add_argument("--model", required=True, nargs="+", help="models trained without the dev split")
    args = parser.parse_args()
    _, dev = train_and_dev(args.data, args.dev_fraction)
    groups = context_group(dev)
    results = {}
    for path in args.model:
        print(path, flush=True)
        model = StanceModel.load(path)
        results[path] = group_metrics(dev, [model.labels[i] for i in model.predict_proba(dev).argmax(axis=1)], groups)
    write_json_atomic(Path(args.out), {"dev_items": len(dev), "models": results})


if __name__ == "__main__":
    main()
