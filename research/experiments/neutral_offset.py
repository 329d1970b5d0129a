"""Sweep one offset on the neutral log-probability over saved suite predictions (no model is run).

    python scripts/bench_suite.py models/default runs/md-c --part dev --predictions-dir runs/preds
    python research/experiments/neutral_offset.py runs/preds --part dev --models default,md-c

Adding b to the temperature-scaled neutral logit moves every decision boundary with neutral by b and leaves
favor vs against alone; the argmax needs only the saved probabilities (log p + b). Prints macro-F1 x 100 per
set and the suite mean (the sets bench_suite averages) for each model and offset, and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from classifier.benchmarks import SETS  # noqa: E402
from classifier.evaluate import classification_metrics  # noqa: E402
from classifier.io.files import iter_jsonl, write_json_atomic  # noqa: E402

LABELS = ("favor", "against", "neutral")


def decide(scores: np.ndarray, offset: float) -> list[str]:
    logp = np.log(np.clip(scores, 1e-12, None))
    logp[:, LABELS.index("neutral")] += offset
    return [LABELS[i] for i in logp.argmax(axis=1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("predictions_dir")
    parser.add_argument("--part", default="dev")
    parser.add_argument("--models", required=True, help="comma-separated model names (the files' prefixes)")
    parser.add_argument("--offsets", default="-1.0,-0.75,-0.5,-0.25,0,0.25")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    offsets = [float(x) for x in args.offsets.split(",")]
    results = []
    for name in args.models.split(","):
        for offset in offsets:
            row = {"model": name, "offset": offset, "sets": {}}
            for bench in SETS:
                path = Path(args.predictions_dir, f"{name}_{bench.name}_{args.part}.jsonl")
                if not path.exists():
                    continue
                records = [record for _, record in iter_jsonl(path)]
                scores = np.array([[r["stance_scores"][label] for label in LABELS] for r in records])
                metrics = classification_metrics([r["label"] for r in records], decide(scores, offset))
                row["sets"][bench.name] = round(100 * metrics["macro_f1"], 2)
            in_mean = [row["sets"][b.name] for b in SETS if b.in_mean and b.name in row["sets"]]
            row["mean"] = round(float(np.mean(in_mean)), 2)
            results.append(row)
            print(f"{name:14s} b={offset:+.2f}  " + "  ".join(f"{k} {v:5.1f}" for k, v in row["sets"].items())
                  + f"  mean {row['mean']:5.2f}")
    if args.out:
        write_json_atomic(Path(args.out), {"part": args.part, "results": results})


if __name__ == "__main__":
    main()
