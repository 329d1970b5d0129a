"""Peak memory and time of `stance report` as the predictions grow (a benchmark, not a test).

Predictions are made from an items file (what `stance prepare` writes) with random stance scores
(Dirichlet(1, 1, 2), seeded), so the measurement needs no model; a size beyond the file repeats it as new
articles. The report's work depends on the rows, outlets, actors and articles, not on where the scores came
from. By default each row keeps its item's source as its outlet and its date (as many outlets as the file
has sources); ``--outlets N`` gives each new article one of N made-up outlets (``Outlet 01`` ...) and ``--dates FROM
TO`` a day between the two, both drawn per article (seeded). Each size is reported by a fresh `stance report`
process whose peak resident memory is read from the kernel (``ru_maxrss`` of the child).

    python scripts/bench_report.py ITEMS.jsonl --sizes 200000 520000
    python scripts/bench_report.py ITEMS.jsonl --sizes 1000000 --outlets 50 --dates 2023-01-01 2024-12-31 \
        --keep /tmp/p1m.jsonl     # the predictions written, not measured

prints n, peak MB, seconds and the memory per extra prediction between sizes, and writes
bench/results/report_memory.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Iterator

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifier.cli.script import at_least, run_script  # noqa: E402
from classifier.io.files import write_json_atomic  # noqa: E402

LABELS = ("favor", "against", "neutral")


def item_rows(items: Path) -> Iterator[dict]:
    """The items over and over: pass k > 0 gives each id and article the suffix ``~k`` (new articles, same text)."""
    for copy in itertools.count():
        with items.open(encoding="utf-8") as source:
            for line in source:
                row = json.loads(line)
                if copy:
                    row["id"] = f"{row['id']}~{copy}"
                    row["article"] = f"{row['article']}~{copy}" if row.get("article") else row.get("article")
                yield row


def write_predictions(items: Path, n: int, out: Path, seed: int = 0, outlets: int = 0,
                      dates: tuple[date, date] | None = None) -> int:
    """``n`` items (the file repeated as :func:`item_rows` does if it is shorter) with random scores as a
    predictions file; returns how many were written. ``outlets`` > 0: each article's rows get one of that many
    outlets as their source; ``dates``: a day between the two (inclusive) as their date. Both are drawn per
    article from a generator of their own, so the scores are those drawn without them."""
    rng = np.random.default_rng(seed)
    places = np.random.default_rng([seed, 1])
    span = (dates[1] - dates[0]).days + 1 if dates else 0
    article, outlet, day = object(), None, None
    written = 0
    with out.open("w", encoding="utf-8") as sink:
        for row in itertools.islice(item_rows(items), n):
            if outlets or dates:
                key = (row.get("source"), row.get("article"))
                if key != article:  # a new article (an items file holds an article's rows together)
                    article = key
                    outlet = f"Outlet {int(places.integers(outlets)) + 1:02d}" if outlets else None
                    day = date.fromordinal(dates[0].toordinal() + int(places.integers(span))).isoformat() \
                        if dates else None
                if outlet:
                    row["source"] = outlet
                if day:
                    row["date"] = day
            scores = rng.dirichlet([1.0, 1.0, 2.0])
            row.update(stance=LABELS[int(scores.argmax())], model="synthetic@0",
                       stance_scores={label: round(float(p), 6) for label, p in zip(LABELS, scores)})
            sink.write(json.dumps(row) + "\n")
            written += 1
    return written


def measure(predictions: Path, out_dir: Path) -> tuple[float, float]:
    """Peak MB and seconds of one `stance report` run in its own process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "classifier", "report", str(predictions), "--out", str(out_dir), "-q"],
                   check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak <= before:  # ru_maxrss of children is the largest child so far: measure sizes in rising order
        print("warning: this run did not raise the children's peak; its figure is the earlier one", file=sys.stderr)
    return peak / 1024, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("items", type=Path, help="an items file from 'stance prepare' (JSONL)")
    parser.add_argument("--sizes", type=at_least(1), nargs="+", default=[100_000, 200_000])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "report_memory.json")
    parser.add_argument("--outlets", type=at_least(1), default=0,
                        help="give each article one of this many made-up outlets (default: its item's source)")
    parser.add_argument("--dates", type=date.fromisoformat, nargs=2, metavar=("FROM", "TO"),
                        help="give each article a day between these two (default: its item's date)")
    parser.add_argument("--keep", type=Path, metavar="FILE",
                        help="write the predictions of the first size to FILE and stop (no report is run)")
    args = parser.parse_args()
    from classifier.errors import InputError

    if not args.items.is_file():
        raise InputError(f"{args.items}: no such items file")
    if args.dates and args.dates[1] < args.dates[0]:
        raise InputError(f"--dates {args.dates[0]} {args.dates[1]}: the second is before the first")
    made = {"outlets": args.outlets, "dates": tuple(args.dates) if args.dates else None}
    if args.keep:
        n = write_predictions(args.items, args.sizes[0], args.keep, **made)
        print(f"{n:,} predictions written to {args.keep}")
        return
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-report-") as scratch:
        for size in sorted(args.sizes):
            predictions = Path(scratch) / f"p{size}.jsonl"
            n = write_predictions(args.items, size, predictions, **made)
            peak, seconds = measure(predictions, Path(scratch) / f"r{size}")
            rows.append({"n": n, "peak_mb": round(peak, 1), "seconds": round(seconds, 1)})
            os.remove(predictions)
    print(f"{'predictions':>12} {'peak MB':>9} {'seconds':>8} {'KB per extra prediction':>24}")
    for previous, row in zip([None] + rows, rows):
        slope = ("" if previous is None or row["n"] == previous["n"] else
                 f"{(row['peak_mb'] - previous['peak_mb']) * 1024 / (row['n'] - previous['n']):.2f}")
        row["kb_per_extra_prediction"] = float(slope) if slope else None
        print(f"{row['n']:>12,} {row['peak_mb']:>9,.0f} {row['seconds']:>8.1f} {slope:>24}")
    write_json_atomic(args.out, {"items": str(args.items), "runs": rows})
    print(f"written to {args.out}")


if __name__ == "__main__":
    run_script(main)
