"""Sentence sentiment on Financial PhraseBank test, through ``stance classify --task sentiment``.

    python scripts/bench_sentiment.py                       # models/sentiment on test.jsonl
    python scripts/bench_sentiment.py --model runs/sent/x --split val

Prints macro-F1 and accuracy (with 95% bootstrap intervals over sentences) beside FinBERT's published
figures (Araci 2019: accuracy 86, macro-F1 84, on its own random 20% of the same 4,846 sentences: a different
split, so the comparison is indicative), and writes JSON under bench/results/.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifier.cli.script import at_least, run_script  # noqa: E402

ANCHORS = {"FinBERT (Araci 2019, own 20% split)": {"macro_f1": 0.84, "accuracy": 0.86}}
BAR = 0.80


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "financial-phrasebank"))
    parser.add_argument("--model", default=str(ROOT / "models" / "sentiment"))
    parser.add_argument("--split", default="test", choices=("train", "val", "test"))
    parser.add_argument("--n-boot", type=at_least(1), default=2000)
    parser.add_argument("--out", default=None,
                        help="JSON path (default bench/results/sentiment_<split>_<model folder>.json)")
    args = parser.parse_args()
    from classifier.errors import InputError
    from classifier.io.files import write_json_atomic

    from sklearn.metrics import accuracy_score, f1_score

    items = Path(args.data) / f"{args.split}.jsonl"
    if not items.exists():
        raise InputError(f"{items}: no such file (see ../shared/README.md)")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "pred.jsonl"
        done = subprocess.run([sys.executable, "-m", "classifier", "classify", str(items), "--out", str(out), "--task",
                               "sentiment", "--sentiment-model", args.model, "--quiet"], cwd=ROOT,
                              stderr=subprocess.PIPE, text=True)
        if done.returncode:  # stance classify's own one-line error
            raise InputError(" ".join(done.stderr.split()).removeprefix("error: ") or "stance classify failed")
        rows = [json.loads(line) for line in out.read_text().splitlines()]
    gold = np.array([r["label"] for r in rows])
    predicted = np.array([r["sentiment"] for r in rows])
    labels = ["positive", "negative", "neutral"]

    def metrics(index) -> tuple[float, float]:
        return (f1_score(gold[index], predicted[index], labels=labels, average="macro", zero_division=0),
                accuracy_score(gold[index], predicted[index]))

    f1m, acc = metrics(np.arange(len(rows)))
    rng = np.random.default_rng(0)
    boots = np.array([metrics(rng.integers(0, len(rows), len(rows))) for _ in range(args.n_boot)])
    ci = np.percentile(boots, [2.5, 97.5], axis=0)
    per_class = f1_score(gold, predicted, labels=labels, average=None, zero_division=0)
    print(f"Financial PhraseBank {args.split} ({len(rows)} sentences), model {rows[0]['model']}")
    print(f"{'':40} {'macro-F1':>22} {'accuracy':>22}")
    print(f"{'ours':40} {f1m * 100:6.1f} [{ci[0, 0] * 100:.1f}, {ci[1, 0] * 100:.1f}]"
          f"{acc * 100:12.1f} [{ci[0, 1] * 100:.1f}, {ci[1, 1] * 100:.1f}]")
    for name, anchor in ANCHORS.items():
        print(f"{name:40} {anchor['macro_f1'] * 100:6.1f}{'':16}{anchor['accuracy'] * 100:6.1f}")
    print(f"bar: macro-F1 >= {BAR * 100:.0f} ({'met' if f1m >= BAR else 'missed'}); F1 per class "
          + ", ".join(f"{label} {f * 100:.1f}" for label, f in zip(labels, per_class)))
    result = {"split": args.split, "n": len(rows), "model": rows[0]["model"], "macro_f1": f1m, "accuracy": acc,
              "macro_f1_ci": ci[:, 0].tolist(), "accuracy_ci": ci[:, 1].tolist(),
              "f1_per_class": dict(zip(labels, per_class.tolist())), "anchors": ANCHORS, "bar": BAR,
              "command": "python scripts/bench_sentiment.py " + " ".join(sys.argv[1:])}
    target = Path(args.out) if args.out else ROOT / "bench" / "results" / f"sentiment_{args.split}_{Path(args.model).name}.json"
    write_json_atomic(target, result)
    print(f"wrote {target}")


if __name__ == "__main__":
    run_script(main)
