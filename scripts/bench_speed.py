"""Inference speed and accuracy of each engine on the same items, beside the plain transformers pipeline.

    python scripts/bench_speed.py                      # NewsMTSC devtest_rw + devtest_mt, models/default
    python scripts/bench_speed.py --limit 500 --model models/newsmtsc-v16

Each engine (torch, ONNX Runtime fp32, ONNX Runtime int8 scored item by item) predicts every item after a
warm-up batch; the first ONNX use exports into the cache ($STANCE_CACHE, outside the model folder) and is
timed apart as start-up. The plain pipeline is what a newcomer writes: pipeline("text-classification",
model=DIR) over the sentences with the actor prepended as the first segment, batch 32, fp32. macro-F1 is
on the labelled items. Seconds are wall time on this machine's cores (torch and ONNX Runtime both get all of
them). A benchmark, not a test: it reads ../shared. Writes bench/results/speed.json.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "newsmtsc"))
    parser.add_argument("--model", default=str(ROOT / "models" / "default"))
    parser.add_argument("--limit", type=int, default=None, help="first N items only")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "speed.json"))
    args = parser.parse_args()

    import torch
    from rich.console import Console
    from rich.table import Table
    from transformers import pipeline

    from classifier.cli.app import quiet_libraries
    from classifier.evaluate import classification_metrics
    from classifier.io.files import write_json_atomic
    from classifier.items import read_items
    from classifier.predict.engines import load_engine

    quiet_libraries()
    threads = os.cpu_count() or 1
    torch.set_num_threads(threads)
    items = [item for name in ("devtest_rw.jsonl", "devtest_mt.jsonl")
             for item in read_items(Path(args.data) / name)][:args.limit]
    gold = [item.label for item in items]
    rows = {}
    for engine in ("torch", "onnx", "onnx-int8"):
        started = time.perf_counter()
        model = load_engine(args.model, engine, threads=threads)
        model.predict_proba(items[:64], batch_size=64)  # warm-up (and, for ONNX, the export on first use)
        startup = time.perf_counter() - started
        started = time.perf_counter()
        probs = model.predict_proba(items, batch_size=64)
        seconds = time.perf_counter() - started
        predicted = [model.labels[k] for k in probs.argmax(axis=1)]
        rows[engine] = {"seconds": seconds, "startup_seconds": startup,
                        "macro_f1": 100 * classification_metrics(gold, predicted)["macro_f1"]}
    started = time.perf_counter()
    classifier = pipeline("text-classification", model=args.model, dtype=torch.float32, device="cpu")
    startup = time.perf_counter() - started
    started = time.perf_counter()
    outputs = classifier([{"text": item.actor, "text_pair": item.text} for item in items], batch_size=32,
                         truncation=True)
    seconds = time.perf_counter() - started
    rows["plain pipeline (fp32, no markers)"] = {
        "seconds": seconds, "startup_seconds": startup,
        "macro_f1": 100 * classification_metrics(gold, [o["label"] for o in outputs])["macro_f1"]}

    base = rows["plain pipeline (fp32, no markers)"]["seconds"]
    table = Table(title=f"{len(items)} NewsMTSC items, {Path(args.model).name}, {threads} CPU threads")
    for column in ("engine", "items / s", "ms / item", "x plain pipeline", "start-up s", "macro-F1"):
        table.add_column(column, justify="left" if column == "engine" else "right")
    for name, row in rows.items():
        table.add_row(name, f"{len(items) / row['seconds']:.0f}", f"{1000 * row['seconds'] / len(items):.1f}",
                      f"{base / row['seconds']:.2f}", f"{row['startup_seconds']:.1f}", f"{row['macro_f1']:.1f}")
    Console().print(table)
    write_json_atomic(Path(args.out), {"items": len(items), "threads": threads, "model": args.model, "rows": rows})
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
