"""The benchmark suite: several stance models side by side on every labelled stance set.

    python scripts/bench_suite.py models/default models/newsmtsc-v16
    python scripts/bench_suite.py models/default --part dev          # choose recipes on the dev parts
    python scripts/bench_suite.py models/default --sets basil,seeds --n-boot 200
    python scripts/bench_suite.py models/default models/default@onnx-int8   # what the int8 engine costs
    python scripts/bench_suite.py models/default zero-shot:MoritzLaurer/deberta-v3-base-zeroshot-v2.0

Sets, parts and groups are defined once in classifier/benchmarks.py: NewsMTSC devtest_rw and devtest_mt,
TweetEval stance test (SemEval-2016), VAST dev, BASIL train and PerSenT dev from ../shared/data, and the
project's seed labels (and their second reading, seeds_b, shown beside and not counted in the mean). Sets that training may read (VAST, BASIL, PerSenT) are scored only on their held-out
fold (fold 0 of 5 by comment, event or document); the table says which part each row is. Per set: macro-F1
x 100 with a 95% interval resampling whole groups, F1 of favor and against, SemEval's official F1avg, the
published anchors; then the unweighted mean macro-F1 over the sets that are not NewsMTSC (the figure a
model ships on); with several models, each one minus the first per set and on the mean, with a paired
bootstrap interval and p-value (the same resampled groups for both, so the interval is the gap's own); and
the outlet-level check on BASIL: net stance per (outlet, target) cell from predictions
against the human labels, raw and ACC/PACC-corrected with the confusion fitted on other events.
A benchmark, not a test: it reads ../shared. Writes bench/results/suite_<part>_<models>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from classifier.benchmarks import (SETS, load_part, outlet_validity, paired_differences,  # noqa: E402
                                   part_description, score_predictions, suite_mean)
from classifier.cli.script import at_least, choose_names, run_script  # noqa: E402
from classifier.errors import InputError  # noqa: E402
from classifier.io.files import write_json_atomic  # noqa: E402
from classifier.models.stance_model import StanceModel  # noqa: E402
from classifier.predict.engines import ENGINES, load_engine  # noqa: E402

ZERO_SHOT = "zero-shot:"
BARS = {"basil": 48, "persent": 45, "vast": 50, "seeds": 70, "seeds_b": 70, "semeval": 65, "newsmtsc_rw": 79}  # issue 27, x 100


def trained_on(model_dir: Path) -> dict:
    """The suite sets a model's card says it was trained on, with the part (``benchmark_training``)."""
    card = model_dir / "model_card.json"
    if not card.exists():
        return {}
    return json.loads(card.read_text()).get("benchmark_training", {})


def pct(value) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def with_ci(value, ci) -> str:
    return pct(value) + (f" [{pct(ci[0])}, {pct(ci[1])}]" if ci else "")


def score_model(model: StanceModel, sets, data_root: Path, part: str, n_boot: int, batch_size: int,
                console: Console, predictions_dir: Path | None = None, name: str | None = None
                ) -> tuple[dict, dict, dict]:
    """One model's scores on every set; also the items and predicted labels per set, for the paired check."""
    out = {"model": model.model_id, "sets": {}, "outlet_validity": None}
    items_by_set, predicted_by_set = {}, {}
    for bench in sets:
        items = load_part(bench, data_root, ROOT, part)
        if not items:
            continue
        started = time.perf_counter()
        probs = model.predict_proba(items, batch_size=batch_size)
        seconds = time.perf_counter() - started
        predicted = [model.labels[i] for i in probs.argmax(axis=1)]
        if predictions_dir is not None:
            from classifier.io.files import write_records
            from classifier.models.stance_model import scores_record

            write_records(predictions_dir / f"{name or model.name}_{bench.name}_{part}.jsonl",
                          [{**item.model_dump(), "model": model.model_id, **scores_record(row, model.labels)}
                           for item, row in zip(items, probs)])
        scores = score_predictions(items, predicted, n_boot=n_boot)
        scores.update(part=part_description(bench, part), seconds=round(seconds, 1))
        out["sets"][bench.name] = scores
        items_by_set[bench.name], predicted_by_set[bench.name] = items, predicted
        console.print(f"  {bench.name}: {len(items)} items, F1m {pct(scores['macro_f1'])} ({seconds:.0f} s)",
                      markup=False, highlight=False)
        if bench.name == "basil":
            order = [model.labels.index(label) for label in ("favor", "against", "neutral")]
            out["outlet_validity"] = outlet_validity(items, predicted, probs[:, order])
    out["mean_out_of_domain"] = suite_mean(out["sets"])
    return out, items_by_set, predicted_by_set


def print_paired(console: Console, results: list[dict], names: list[str], sets) -> None:
    """Each model after the first, minus the first, on the same resamples (``paired_vs_first``)."""
    table = Table(title=f"Paired differences against {names[0]}: macro-F1 x 100, [95% CI] and p from one "
                        "bootstrap that resamples the same groups for both models",
                  caption="a gap whose interval holds 0 is within the noise of these items")
    table.add_column("set")
    for name in names[1:]:
        table.add_column(f"{name} - {names[0]}", justify="right")

    def cell(row):
        if not row:
            return "-"
        ci = row["ci"]
        text = f"{100 * row['difference']:+.1f}" + (f" [{100 * ci[0]:+.1f}, {100 * ci[1]:+.1f}]" if ci else "")
        return text + (f"\np {row['p_value']:.3f}" if row.get("p_value") is not None else "")

    for bench in sets:
        if bench.name in results[0]["sets"]:
            table.add_row(bench.name, *(cell(r["paired_vs_first"]["sets"].get(bench.name)) for r in results[1:]))
    table.add_row("[bold]mean (not NewsMTSC)[/]",
                  *(cell(r["paired_vs_first"]["mean_out_of_domain"]) for r in results[1:]))
    console.print(table)


def print_table(console: Console, results: list[dict], names: list[str], sets, part: str) -> None:
    table = Table(title=f"Benchmark suite ({part} parts): macro-F1 x 100 [95% CI by group]; F1 favor / against",
                  caption="* trained on other folds of this set (the held-out fold is scored); "
                          "semeval: the official F1avg is the mean of F1 favor and F1 against; "
                          "seeds_b: the seeds' second reading, not in the mean")
    table.add_column("set (part)")
    for name in names:
        table.add_column(name, justify="right")
    table.add_column("anchors (published)")
    table.add_column("bar", justify="right")
    for bench in sets:
        if not any(bench.name in r["sets"] for r in results):
            continue
        row = [f"{bench.name}\n[dim]{part_description(bench, part)}[/]"]
        for result in results:
            s = result["sets"].get(bench.name)
            if s is None:
                row.append("-")
                continue
            mark = "*" if bench.name in result["trained_on"] else ""
            cell = f"{with_ci(s['macro_f1'], s['ci'].get('macro_f1'))}{mark}\n" \
                   f"{pct(s['f1']['favor'])} / {pct(s['f1']['against'])}"
            if bench.metric == "f1_favor_against":
                cell += f"\nF1avg {pct(s['f1_favor_against'])}"
            row.append(cell)
        row.append(", ".join(f"{k} {v}" for k, v in bench.anchors.items()) or "-")
        row.append(str(BARS.get(bench.name, "-")))
        table.add_row(*row, end_section=True)
    table.add_row("[bold]mean (not NewsMTSC)[/]",
                  *(f"[bold]{pct(r['mean_out_of_domain'])}[/]" for r in results), "", "")
    console.print(table)
    if not any(result.get("outlet_validity") for result in results):
        return  # BASIL not among the sets: no outlet-level check to show

    validity = Table(title="Outlet level (BASIL held-out events): net stance per (outlet, target) cell with "
                           ">= 15 items, predictions against human labels",
                     caption="ACC / PACC: corrected with P(predicted | true) fitted on other events; bar: MAE <= 0.15")
    validity.add_column("model")
    validity.add_column("cells", justify="right")
    for method in ("raw", "acc", "pacc"):
        validity.add_column(f"{method} MAE", justify="right")
        validity.add_column(f"{method} Spearman", justify="right")
    for name, result in zip(names, results):
        check = result.get("outlet_validity")
        if not check:
            continue
        cells = [str(check["n_cells"])]
        for method in ("raw", "acc", "pacc"):
            m = check["methods"].get(method)
            cells += [f"{m['mae']:.3f}", "-" if m["spearman"] is None else f"{m['spearman']:.2f}"] if m else ["-", "-"]
        validity.add_row(name, *cells)
    console.print(validity)


def model_label(spec: str) -> str:
    """The name a model spec gets in the table and the files: the folder's name, @ENGINE, or zero-shot-NAME."""
    if spec.startswith(ZERO_SHOT):
        return f"zero-shot-{Path(spec.removeprefix(ZERO_SHOT)).name}"
    folder, _, engine = spec.rpartition("@")
    if folder and engine in ENGINES:
        return f"{Path(folder).name}@{engine}"
    return Path(spec).name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("models", nargs="+", help="model directories, side by side; DIR@ENGINE scores through "
                        "another stance classify engine (e.g. models/default@onnx-int8); zero-shot:NLI_MODEL scores "
                        "an NLI model (folder or Hugging Face name) through the default hypotheses")
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--part", choices=("test", "dev"), default="test",
                        help="test: the held-out parts (report these); dev: the parts recipes are chosen on")
    parser.add_argument("--sets", default=None, help="comma-separated subset of " + ",".join(s.name for s in SETS))
    parser.add_argument("--n-boot", type=at_least(0), default=1000)
    parser.add_argument("--batch-size", type=at_least(1), default=64)
    parser.add_argument("--out", default=None, help="JSON path (default bench/results/suite_<part>_<models>.json, "
                        "with _<sets> added when --sets picks some)")
    parser.add_argument("--predictions-dir", default=None,
                        help="also write each model's predictions per set here (stance classify's format)")
    args = parser.parse_args()

    import torch

    from classifier.cli.app import quiet_libraries

    quiet_libraries()
    torch.set_num_threads(os.cpu_count() or 1)
    console = Console()
    wanted = choose_names(args.sets, [s.name for s in SETS], "--sets")
    sets = [s for s in SETS if wanted is None or s.name in wanted]
    named: dict[str, str] = {}
    for spec in args.models:  # two models under one name: their columns and predictions would be mixed up
        first = named.setdefault(model_label(spec), spec)
        if Path(first).resolve() != Path(spec).resolve():
            raise InputError(f"{first} and {spec} would both be named {model_label(spec)!r} (the folder's name): "
                             "copy or link one under another name")
    data_root = Path(args.data)
    missing = [s.name for s in sets if not s.is_seed and not (data_root / s.path).exists()]
    if missing:
        sys.exit(f"{data_root}: missing benchmark files for {', '.join(missing)} (see ../shared/README.md)")
    results, names, first_predicted = [], [], {}
    for spec in args.models:
        model_dir = Path(spec)
        folder, _, engine = spec.rpartition("@")
        engine = engine if folder and engine in ENGINES else ""  # a folder may have "@" in its name
        console.print(f"[bold]{spec}[/]")
        if spec.startswith(ZERO_SHOT):  # an NLI model with the default hypotheses, as stance classify --zero-shot
            from classifier.models.zero_shot import ZeroShotModel

            model = ZeroShotModel.load(spec.removeprefix(ZERO_SHOT))
            model_dir = Path(f"zero-shot-{Path(model.name).name}")
        elif engine:  # the same model through another engine, as stance classify --engine runs it
            model, model_dir = load_engine(folder, engine), Path(folder)
        else:
            model = StanceModel.load(model_dir)
        name = model_dir.name + (f"@{engine}" if engine else "")
        result, items_by_set, predicted = score_model(model, sets, data_root, args.part, args.n_boot,
                                                      args.batch_size, console,
                                                      Path(args.predictions_dir) if args.predictions_dir else None,
                                                      name)
        result.update(model_dir=str(model_dir), trained_on=trained_on(model_dir))
        if results:  # every model after the first is also compared with the first on the same resamples
            result["paired_vs_first"] = paired_differences(items_by_set, first_predicted, predicted,
                                                           n_boot=args.n_boot)
        else:
            first_predicted = predicted
        results.append(result)
        names.append(name)
    print_table(console, results, names, sets, args.part)
    if len(results) > 1:
        print_paired(console, results, names, sets)
    picked = f"_{'-'.join(s.name for s in sets)}" if wanted is not None else ""  # a subset never replaces a full run
    out = Path(args.out) if args.out else \
        ROOT / "bench" / "results" / f"suite_{args.part}_{'_'.join(names)}{picked}.json"
    write_json_atomic(out, {"part": args.part, "bars_x100": BARS, "models": results,
                            "sets": {s.name: {"file": s.path, "group": s.group, "split": s.split,
                                              "domain": s.domain, "anchors": s.anchors, "in_mean": s.in_mean}
                                     for s in sets}})
    console.print(f"wrote {out}")


if __name__ == "__main__":
    run_script(main)
