"""Benchmark a stance model on NewsMTSC devtest_rw and devtest_mt, beside the published figures.

    python scripts/bench_newsmtsc.py [--model models/default] [--data ../shared/data/newsmtsc]

Prints macro-F1 (F1m), accuracy, F1 of favor+against with 95% bootstrap intervals resampled by
document (POLUSA items regrouped by the document id in their item id, as the dev split is), per-class
P/R/F1 and confusion matrices; writes bench/results/newsmtsc_<model>.json. A benchmark, not a test:
it reads ../shared.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from classifier.evaluate import (CI_METRICS, bootstrap_metrics, classification_metrics, cluster_codes,  # noqa: E402
                                 label_codes, percentile_ci, prediction_frame)
from classifier.io.files import write_json_atomic  # noqa: E402
from classifier.items import read_items  # noqa: E402
from classifier.models.stance_model import StanceModel  # noqa: E402

from classifier.cli.script import run_script  # noqa: E402
from research.crossfit_distill import documents  # noqa: E402

# Table 2 of Hamborg and Donnay (EACL 2021), macro-F1 x 100, as listed in ../shared/README.md.
PUBLISHED = {
    "GRU-TSC RoBERTa-base (authors' best)": {"devtest_rw": 83.1, "devtest_mt": 82.5},
    "LCF RoBERTa-base": {"devtest_rw": 81.4, "devtest_mt": 81.2},
    "SPC RoBERTa-base": {"devtest_rw": 81.1, "devtest_mt": 79.4},
    "SPC BERT-base (target to beat)": {"devtest_rw": 80.1, "devtest_mt": 73.7},
}
SPLITS = ("devtest_rw", "devtest_mt")


def document_intervals(items, predicted, model_id: str, n_boot: int) -> dict:
    """95% (expanded) percentile intervals of the CI metrics over ``n_boot`` resamples of whole documents."""
    frame = prediction_frame(items, predicted, model_id)
    groups = cluster_codes(frame)
    samples = bootstrap_metrics(label_codes(frame["label"]), label_codes(frame["stance"]), groups,
                                n_boot=n_boot, seed=0)
    return {name: percentile_ci(samples[name], clusters=int(groups.max()) + 1) for name in CI_METRICS}


def with_interval(value: float, interval) -> str:
    return f"{100 * value:.1f} [{100 * interval[0]:.1f}, {100 * interval[1]:.1f}]" if interval else f"{100 * value:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(ROOT / "models" / "default"))
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "newsmtsc"))
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples of documents (0: no intervals)")
    parser.add_argument("--out", default=None, help="JSON results path (default: bench/results/newsmtsc_<model>.json)")
    args = parser.parse_args()

    import torch

    from classifier.cli.app import quiet_libraries

    quiet_libraries()
    torch.set_num_threads(os.cpu_count() or 1)
    console = Console()
    model = StanceModel.load(args.model)
    results = {"model": model.model_id, "model_dir": str(args.model), "splits": {}}
    for split in SPLITS:
        items = documents(read_items(Path(args.data) / f"{split}.jsonl"))
        started = time.perf_counter()
        probs = model.predict_proba(items, batch_size=args.batch_size)
        seconds = time.perf_counter() - started
        predicted = [model.labels[i] for i in probs.argmax(axis=1)]
        metrics = classification_metrics([it.label for it in items], predicted)
        metrics["ci"] = document_intervals(items, predicted, model.model_id, args.n_boot) if args.n_boot else {}
        metrics["n_documents"] = len({it.article for it in items})
        metrics["seconds"] = round(seconds, 2)
        metrics["items_per_second"] = round(len(items) / seconds, 1)
        results["splits"][split] = metrics

    summary = Table(title=f"NewsMTSC, macro-F1 x 100 — ours: {model.model_id}",
                    caption="[ours: 95% interval over resamples of whole documents]" if args.n_boot else None)
    summary.add_column("model")
    for split in SPLITS:
        summary.add_column(f"{split} F1m", justify="right")
    ours = [results["splits"][s] for s in SPLITS]
    summary.add_row(f"[bold]ours ({Path(args.model).name})[/]",
                    *(f"[bold]{with_interval(m['macro_f1'], m['ci'].get('macro_f1'))}[/]" for m in ours))
    for name, figures in PUBLISHED.items():
        summary.add_row(name, *(f"{figures[s]:.1f}" for s in SPLITS))
    console.print(summary)

    for split in SPLITS:
        m = results["splits"][split]
        console.print(f"\n[bold]{split}[/]: n={m['n']} ({m['n_documents']} documents)  "
                      f"F1m={with_interval(m['macro_f1'], m['ci'].get('macro_f1'))}  "
                      f"acc={with_interval(m['accuracy'], m['ci'].get('accuracy'))}  "
                      f"F1(favor,against)={with_interval(m['f1_favor_against'], m['ci'].get('f1_favor_against'))}  "
                      f"{m['items_per_second']:.0f} items/s")
        per_class = Table(show_header=True)
        for column in ("class", "precision", "recall", "F1", "support"):
            per_class.add_column(column, justify="right")
        for label, row in m["per_class"].items():
            per_class.add_row(label, f"{100 * row['precision']:.1f}", f"{100 * row['recall']:.1f}",
                              f"{100 * row['f1']:.1f}", str(row["support"]))
        console.print(per_class)
        matrix = Table(title="confusion (rows gold, columns predicted)")
        matrix.add_column("")
        for label in m["labels"]:
            matrix.add_column(label, justify="right")
        for label, row in zip(m["labels"], m["confusion_matrix"]):
            matrix.add_row(label, *map(str, row))
        console.print(matrix)

    results["published"] = PUBLISHED
    out = Path(args.out) if args.out else ROOT / "bench" / "results" / f"newsmtsc_{Path(args.model).name}.json"
    write_json_atomic(out, results)
    console.print(f"\nwrote {out}")


if __name__ == "__main__":
    run_script(main)
