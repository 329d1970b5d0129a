"""SemEval-2016 stance in tweets (TweetEval split): zero-shot, few-shot from 16 / 64 / 256 labels per target,
and full training, each through `stance train` and scored on the test split with the official metric.

    python scripts/bench_semeval_stance.py                      # everything (about 40 min on 2 cores)
    python scripts/bench_semeval_stance.py --shots 16,64 --seeds 2 --no-full

Official metric (SemEval-2016 Task 6, TweetEval): the mean of F1(favor) and F1(against) over the five
targets' test items pooled, x 100, with a 95% interval resampling tweets. Few-shot runs draw k labelled tweets
per target from train.jsonl (seeded), start from --base (default models/newsmtsc-v16, a stance model that never
saw a tweet) and train with `stance train ... --test val.jsonl` (early stopping on a dev part of the k x 5
tweets; val is the comparison `stance train` prints). Each finished run's model stays under --runs, so a
rerun after a kill goes on from the next run. `models/default` is listed too, but it was trained on all of
TweetEval train, so it is not a zero-shot figure. A benchmark, not a test: it reads ../shared.
Writes bench/results/semeval_stance.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifier.cli.script import at_least, int_list, run_script  # noqa: E402

ANCHORS = {"TimeLMs-2021": 72.9, "BERTweet": 71.2, "RoBERTa-base": 68.0}  # TweetEval leaderboard, test


def few_shot_file(train: Path, k: int, seed: int, out: Path) -> Path:
    """k tweets per target drawn from train (seeded), written as a label file."""
    by_target = defaultdict(list)
    for line in train.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        by_target[record["actor"]].append(record)
    rng = random.Random(seed)
    chosen = [r for target in sorted(by_target) for r in rng.sample(by_target[target], min(k, len(by_target[target])))]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(r) + "\n" for r in chosen), encoding="utf-8")
    return out


def stance(*args: str) -> None:
    """The command a user runs, in a fresh process (``stance`` from this checkout's environment)."""
    command = [str(Path(sys.executable).with_name("stance")), *map(str, args)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"failed: stance {' '.join(map(str, args))}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")


def settings_folder(runs: Path, base: str, epochs: int | None) -> Path:
    """Where this script's runs from ``base`` with ``epochs`` are kept: another base or epoch count gets another
    folder, so a finished run is reused only for the settings it was trained with."""
    key = hashlib.sha256(f"{Path(base).resolve()}|{epochs}".encode()).hexdigest()[:10]
    return runs / f"{Path(base).name}-{key}"


def train_run(labels: Path, out: Path, base: str, val: Path, seed: int, epochs: int | None) -> Path:
    if (out / "config.json").exists():  # finished in an earlier run of this script, with these settings
        return out
    options = ["--epochs", str(epochs)] if epochs else []
    stance("train", labels, "--out", out, "--base", base, "--test", val, "--seed", str(seed), "--n-boot", "0",
           "-q", *options)
    return out


def score(model_dir: Path, test_items, n_boot: int) -> dict:
    from classifier.benchmarks import score_predictions
    from classifier.models.stance_model import StanceModel

    model = StanceModel.load(model_dir)
    probs = model.predict_proba(test_items, batch_size=64)
    predicted = [model.labels[i] for i in probs.argmax(axis=1)]
    result = score_predictions(test_items, predicted, n_boot=n_boot)
    return {"model": model.model_id, "f1avg": 100 * result["f1_favor_against"],
            "ci": [100 * v for v in result["ci"].get("f1_favor_against") or []],
            "macro_f1": 100 * result["macro_f1"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "tweeteval-stance"))
    parser.add_argument("--base", default=str(ROOT / "models" / "newsmtsc-v16"))
    parser.add_argument("--shots", type=int_list, default="16,64,256", help="labels per target")
    parser.add_argument("--seeds", type=at_least(1), default=3)
    parser.add_argument("--full", action=argparse.BooleanOptionalAction, default=True,
                        help="also train on all of train.jsonl")
    parser.add_argument("--epochs", type=at_least(1), default=None, help="most epochs per run (default: stance train's)")
    parser.add_argument("--n-boot", type=at_least(0), default=1000)
    parser.add_argument("--runs", default=str(ROOT / "runs" / "semeval"),
                        help="where each run's model is kept (in a folder per base and --epochs)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "semeval_stance.json"))
    args = parser.parse_args()

    import numpy as np
    import torch
    from rich.console import Console
    from rich.table import Table

    from classifier.cli.app import quiet_libraries
    from classifier.io.files import write_json_atomic
    from classifier.items import read_items

    quiet_libraries()
    torch.set_num_threads(os.cpu_count() or 1)
    console = Console()
    data, runs = Path(args.data), settings_folder(Path(args.runs), args.base, args.epochs)
    train, val, test = data / "train.jsonl", data / "val.jsonl", data / "test.jsonl"
    missing = [str(p) for p in (train, val, test) if not p.exists()]
    if missing:
        sys.exit(f"missing {', '.join(missing)} (see ../shared/README.md)")
    test_items = list(read_items(test))
    for item in test_items:  # every tweet is its own unit of the bootstrap
        item.article = item.id
    rows: dict[str, dict] = {}
    base_name = Path(args.base).name
    default = ROOT / "models" / "default"
    if Path(args.base).resolve() != default.resolve():  # models/default has its own row: it has seen tweets
        console.print(f"zero-shot: {base_name}")
        rows[f"{base_name}, zero-shot (never saw a tweet)"] = {"runs": [score(Path(args.base), test_items,
                                                                             args.n_boot)]}
    if (default / "config.json").exists():
        console.print("models/default")
        rows["models/default (trained on all TweetEval train and four other sets)"] = {
            "runs": [score(default, test_items, args.n_boot)]}
    for k in args.shots:
        results = []
        for seed in range(args.seeds):
            console.print(f"few-shot: {k} per target, seed {seed}")
            labels = few_shot_file(train, k, seed, runs / f"k{k}-s{seed}.jsonl")
            model = train_run(labels, runs / f"k{k}-s{seed}", args.base, val, 13 + seed, args.epochs)
            results.append(score(model, test_items, args.n_boot))
        rows[f"{base_name} + {k} labels per target ({5 * k} tweets), {args.seeds} seeds"] = {"runs": results, "k": k}
    if args.full:
        console.print("full training")
        model = train_run(train, runs / "full", args.base, val, 13, args.epochs)
        rows[f"{base_name} + all of train (2,620 tweets)"] = {"runs": [score(model, test_items, args.n_boot)]}

    table = Table(title=f"SemEval-2016 stance (TweetEval test, {len(test_items)} tweets): F1avg x 100")
    for column in ("model", "F1avg", "95% CI / spread", "macro-F1"):
        table.add_column(column, justify="left" if column == "model" else "right")
    for name, row in rows.items():
        values = [r["f1avg"] for r in row["runs"]]
        row["mean"], row["sd"] = float(np.mean(values)), float(np.std(values, ddof=1)) if len(values) > 1 else None
        spread = (f"± {row['sd']:.1f} (sd of {len(values)})" if row["sd"] is not None else
                  f"[{row['runs'][0]['ci'][0]:.1f}, {row['runs'][0]['ci'][1]:.1f}]" if row["runs"][0]["ci"] else "")
        table.add_row(name, f"{row['mean']:.1f}", spread, f"{np.mean([r['macro_f1'] for r in row['runs']]):.1f}")
    for name, value in ANCHORS.items():
        table.add_row(f"{name} (published, TweetEval leaderboard)", f"{value:.1f}", "", "")
    console.print(table)
    write_json_atomic(Path(args.out), {"metric": "mean of F1 favor and F1 against, pooled test, x 100",
                                       "base": args.base, "anchors": ANCHORS, "rows": rows})
    console.print(f"wrote {args.out}")


if __name__ == "__main__":
    run_script(main)
