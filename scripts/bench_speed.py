"""Inference speed, memory and accuracy of `stance classify` per engine, beside the plain transformers pipeline.

    python scripts/bench_speed.py                          # NewsMTSC devtest_rw + devtest_mt, models/default
    python scripts/bench_speed.py --limit 500 --engines torch
    python scripts/bench_speed.py --scale 10000,30000,100000 --engines torch   # linearity on repeated seed items
    python scripts/bench_speed.py --ray 1,2                # throughput per Ray worker, --workers and --ray-data

Every row is a separate process, run end to end as a user runs it: `stance classify ITEMS --out OUT
--engine E` (reading the JSONL, the journal, the final write), and the plain pipeline as a newcomer writes it
(pipeline("text-classification", model=DIR) over the sentences with the actor as the first segment, batch
32, fp32, outputs written as JSONL). Start-up is the same command on one item (imports, model load, and for
ONNX the export into the cache, which starts empty, is the "first use" before it). Peak RSS is the process's own maximum
resident set. macro-F1 is on the labelled items (the plain pipeline sees no mention markers).

The hardware limit: the encoder's multiply-adds per item at the measured token counts (2 x encoder weights x
tokens + 4 x layers x hidden x tokens^2 for attention), divided by the fp32 matrix-multiply speed measured
here on the FFN's shapes with all threads (the faster of torch's and ONNX Runtime's GEMM): the items/s no fp32
engine can beat. A benchmark, not a test: it reads ../shared. Writes bench/results/speed.json (or
speed_scale.json for --scale).

--ray N,M: the same items with the default engine, each worker on one thread: in this process (the baseline
of one worker), with `--workers N` (a Ray pool fed by the driver, one journal) and with `--ray-data --workers N`
(the items cut into 2N Parquet parts, and for the largest N also into 64; Ray Data reads, scores and writes each
part). Seconds are end to end; start-up is the same command on one item (imports, Ray, the actors' model
loads); per worker is the items/s after start-up / N. Writes bench/results/speed_ray.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifier.cli.script import at_least, choose_names, int_list, run_script  # noqa: E402

PLAIN = "plain pipeline (fp32, no markers)"
MANY_PARTS = 64  # a folder of many small parts (--ray)

# Peak RSS (MB) of this process image: VmHWM belongs to the memory map that exec made, while ru_maxrss is kept
# across fork and exec and so never reads below the parent's RSS at the fork.
PEAK_RSS = """
def peak_rss_mb():
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""

# A process that runs one job and prints its peak RSS (MB) as the last line of stderr.
CLASSIFY = PEAK_RSS + """
import sys
from classifier.cli.main import main
sys.argv = ["stance", "classify", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    if exc.code:
        raise
finally:
    print(peak_rss_mb(), file=sys.stderr)
"""

PIPELINE = PEAK_RSS + """
import json, sys
import torch
from transformers import pipeline
model, items_path, out = sys.argv[1:4]
torch.set_num_threads(int(sys.argv[4]))
items = [json.loads(line) for line in open(items_path)]
classifier = pipeline("text-classification", model=model, dtype=torch.float32, device="cpu")
outputs = classifier([{"text": it["actor"], "text_pair": it["text"]} for it in items], batch_size=32, truncation=True)
with open(out, "w") as fh:
    for it, o in zip(items, outputs):
        fh.write(json.dumps({"id": it["id"], "stance": o["label"]}) + "\\n")
print(peak_rss_mb(), file=sys.stderr)
"""


def run_process(code: str, args: list[str], env: dict) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of one fresh Python process."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=ROOT)
    seconds = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"{' '.join(args[:3])}...: failed\n{done.stderr[-2000:]}")
    return seconds, float(done.stderr.strip().splitlines()[-1])


def write_items(items, path: Path) -> Path:
    with open(path, "w") as fh:
        for item in items:
            fh.write(json.dumps(item.model_dump(exclude_none=True)) + "\n")
    return path


def engine_args(engine: str, model: str, items: Path, out: Path, threads: int) -> list[str]:
    """A timed run scores every item: --overwrite, since the start-up run repeats the same command into the same
    file and --scale's engines share one, where a rerun would find them scored and do nothing."""
    return [str(items), "--out", str(out), "--model", model, "--engine", engine, "--threads", str(threads),
            "--no-summary", "-q", "--overwrite"]


def macro_f1(items, out: Path) -> float:
    from classifier.evaluate import classification_metrics

    predicted = {json.loads(line)["id"]: json.loads(line)["stance"] for line in out.read_text().splitlines()}
    return 100 * classification_metrics([it.label for it in items], [predicted[it.id] for it in items])["macro_f1"]


def measured_gflops(threads: int, tokens: int = 64, hidden: int = 384, inner: int = 1536) -> float:
    """fp32 matrix-multiply speed on an FFN's shapes (batch 32 x tokens rows): the best of torch's and ONNX
    Runtime's GEMM (5 runs of 20 each), so that no fp32 engine can beat the limit by having the faster kernel."""
    import numpy as np
    import torch

    torch.set_num_threads(threads)
    x, w = torch.randn(32 * tokens, hidden), torch.randn(hidden, inner)
    flop = 2 * x.shape[0] * hidden * inner
    runs = {"torch": lambda: x @ w}
    try:
        import onnxruntime as ort
        from onnx import TensorProto, helper, numpy_helper

        graph = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"])], "gemm",
                                  [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape))],
                                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, [x.shape[0], inner])],
                                  [numpy_helper.from_array(w.numpy(), "w")])
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        session = ort.InferenceSession(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
                                       .SerializeToString(), options, providers=["CPUExecutionProvider"])
        feed = {"x": np.ascontiguousarray(x.numpy())}
        runs["onnxruntime"] = lambda: session.run(None, feed)
    except ImportError:  # the [onnx] extra is not installed: torch's GEMM alone
        pass
    best = 0.0
    for run in runs.values():
        for _ in range(5):
            run()
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(20):
                run()
            best = max(best, 20 * flop / (time.perf_counter() - started) / 1e9)
    return best


def gflop_per_item(model_dir: str, items) -> tuple[float, float]:
    """(mean GFLOP per item, mean tokens) of the encoder at the tokens `stance classify` feeds it."""
    from classifier.models.stance_model import StanceModel

    stance = StanceModel.load(model_dir)
    encoder = stance.model.base_model
    weights = sum(p.numel() for name, p in encoder.named_parameters() if "embeddings" not in name)
    config = stance.model.config
    encoded, _ = stance.encode(list(items))
    lengths = [len(e.input_ids) for e in encoded]
    flops = [2 * weights * n + 4 * config.num_hidden_layers * config.hidden_size * n * n for n in lengths]
    return sum(flops) / len(flops) / 1e9, sum(lengths) / len(lengths)


def scaled_items(n: int):
    """The seed articles' items repeated to ``n``, each copy with its own id and article."""
    from classifier.items import read_items

    seed = list(read_items(ROOT / "data" / "seed_labels.jsonl"))
    copies = []
    for k in range(n):
        item = seed[k % len(seed)]
        copies.append(item.model_copy(update={"id": f"{item.id}~{k}", "article": f"{item.article}~{k // len(seed)}"}))
    return copies


def ray_rows(items, work: Path, model: str, env: dict, sizes: list[int]) -> dict:
    """End-to-end seconds of one-thread workers: in-process, `--workers N`, and `--ray-data` over 2N parts; each
    also on one item (its start-up: imports, Ray, the actors' model loads)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    def parts(subset, count: int, name: str) -> Path:
        folder = work / name
        folder.mkdir()
        size = -(-len(subset) // count)
        for k in range(0, len(subset), size):
            records = [item.model_dump(exclude_none=True) for item in subset[k:k + size]]
            pq.write_table(pa.Table.from_pylist(records), folder / f"part-{k // size:03d}.parquet")
        return folder

    common = ["--model", model, "--threads", "1", "--no-summary", "-q"]
    full, one = write_items(items, work / "items.jsonl"), write_items(items[:1], work / "one.jsonl")
    run_process(CLASSIFY, [str(one), "--out", str(work / "warm.jsonl"), *common], env)  # the ONNX export
    rows = {}
    for name, workers, extra in [("in-process, 1 thread", 1, []),
                                 *[(f"--workers {n}", n, ["--workers", str(n)]) for n in sizes],
                                 *[(f"--ray-data --workers {n} ({2 * n} parts)", n,
                                    ["--ray-data", "--workers", str(n)]) for n in sizes],
                                 (f"--ray-data --workers {max(sizes)} ({MANY_PARTS} parts)", max(sizes),
                                  ["--ray-data", "--workers", str(max(sizes))])]:
        key = f"{len(rows)}"
        if "--ray-data" in extra:
            count = MANY_PARTS if f"({MANY_PARTS} parts)" in name else 2 * workers
            full_in, one_in = parts(items, count, f"parts-{key}"), parts(items[:1], 1, f"one-{key}")
            full_out, one_out = work / f"out-{key}", work / f"one-out-{key}"
        else:
            full_in, one_in = full, one
            full_out, one_out = work / f"out-{key}.jsonl", work / f"one-out-{key}.jsonl"
        startup, _ = run_process(CLASSIFY, [str(one_in), "--out", str(one_out), *extra, *common], env)
        seconds, rss = run_process(CLASSIFY, [str(full_in), "--out", str(full_out), *extra, *common], env)
        steady = len(items) / max(seconds - startup, 1e-9)
        rows[name] = {"workers": workers, "seconds": seconds, "startup_seconds": startup,
                      "items_per_second": len(items) / seconds, "items_per_second_after_startup": steady,
                      "per_worker_after_startup": steady / workers, "driver_peak_rss_mb": rss}
        print(name, {k: round(v, 1) for k, v in rows[name].items()}, flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "newsmtsc"))
    parser.add_argument("--model", default=str(ROOT / "models" / "default"))
    parser.add_argument("--limit", type=at_least(1), default=None, help="first N items only")
    parser.add_argument("--engines", default="torch,onnx,onnx-int8,plain")
    parser.add_argument("--scale", type=int_list, default=None,
                        help="sizes (e.g. 10000,30000,100000) of repeated seed items")
    parser.add_argument("--ray", type=int_list, default=None, help="worker counts (e.g. 1,2): throughput per Ray worker")
    parser.add_argument("--threads", type=at_least(1), default=os.cpu_count() or 1)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    from classifier.predict.engines import ENGINES

    args.engines = choose_names(args.engines, [*ENGINES, "plain"], "--engines")
    with tempfile.TemporaryDirectory(prefix="bench-speed-") as work:  # the items, predictions and ONNX cache
        measure(args, Path(work))


def measure(args, work: Path) -> None:

    from rich.console import Console
    from rich.table import Table

    from classifier.io.files import write_json_atomic
    from classifier.items import read_items

    env = {**os.environ, "STANCE_CACHE": str(work / "cache"), "PYTHONPATH": str(ROOT)}
    engines = args.engines
    gflops = measured_gflops(args.threads)
    if args.scale:
        rows = {}
        for n in args.scale:
            items_path = write_items(scaled_items(n), work / f"items-{n}.jsonl")
            for engine in engines:
                seconds, rss = run_process(CLASSIFY, engine_args(engine, args.model, items_path, work / f"p-{n}.jsonl",
                                                                 args.threads), env)
                rows[f"{engine} {n}"] = {"engine": engine, "items": n, "seconds": seconds, "peak_rss_mb": rss}
                print(f"{engine} {n}: {seconds:.0f} s, {n / seconds:.0f} items/s, peak RSS {rss:.0f} MB", flush=True)
        table = Table(title=f"stance classify on repeated seed items, {args.threads} threads")
        for column in ("engine", "items", "seconds", "items / s", "peak RSS MB"):
            table.add_column(column, justify="left" if column == "engine" else "right")
        for row in rows.values():
            table.add_row(row["engine"], str(row["items"]), f"{row['seconds']:.0f}",
                          f"{row['items'] / row['seconds']:.0f}", f"{row['peak_rss_mb']:.0f}")
        Console(width=160).print(table)
        out = Path(args.out or ROOT / "bench" / "results" / "speed_scale.json")
        write_json_atomic(out, {"threads": args.threads, "model": args.model, "gflops": gflops, "rows": rows})
        print(f"wrote {out}")
        return

    items = [item for name in ("devtest_rw.jsonl", "devtest_mt.jsonl")
             for item in read_items(Path(args.data) / name)][:args.limit]
    if args.ray:
        rows = ray_rows(items, work, args.model, env, args.ray)
        table = Table(title=f"{len(items)} NewsMTSC items, {Path(args.model).name}, default engine, one thread per "
                            f"worker, {os.cpu_count()} cores, end to end (Ray start-up included)")
        for column in ("run", "workers", "seconds", "start-up s", "items / s", "after start-up", "per worker"):
            table.add_column(column, justify="left" if column == "run" else "right")
        for name, row in rows.items():
            table.add_row(name, str(row["workers"]), f"{row['seconds']:.0f}", f"{row['startup_seconds']:.1f}",
                          f"{row['items_per_second']:.0f}", f"{row['items_per_second_after_startup']:.0f}",
                          f"{row['per_worker_after_startup']:.0f}")
        Console(width=160).print(table)
        out = Path(args.out or ROOT / "bench" / "results" / "speed_ray.json")
        write_json_atomic(out, {"items": len(items), "cores": os.cpu_count(), "model": args.model, "rows": rows})
        print(f"wrote {out}")
        return
    items_path, one_path = write_items(items, work / "items.jsonl"), write_items(items[:1], work / "one.jsonl")
    per_item, tokens = gflop_per_item(args.model, items)
    limit = gflops / per_item
    rows = {}
    for engine in engines:
        out = work / f"{engine}.jsonl"
        if engine == "plain":
            code, one = PIPELINE, [args.model, str(one_path), str(work / "one-plain.jsonl"), str(args.threads)]
            full = [args.model, str(items_path), str(out), str(args.threads)]
        else:
            code, one = CLASSIFY, engine_args(engine, args.model, one_path, work / f"one-{engine}.jsonl", args.threads)
            full = engine_args(engine, args.model, items_path, out, args.threads)
        first_use, _ = run_process(code, one, env)  # for ONNX: the export into the (emptied) cache
        startup, _ = run_process(code, one, env)
        seconds, rss = run_process(code, full, env)
        rows[PLAIN if engine == "plain" else engine] = {
            "seconds": seconds, "startup_seconds": startup, "first_use_seconds": first_use, "peak_rss_mb": rss,
            "macro_f1": macro_f1(items, out),
            "share_of_fp32_limit": len(items) / max(seconds - startup, 1e-9) / limit}
        print(engine, {k: round(v, 3) for k, v in rows[PLAIN if engine == "plain" else engine].items()}, flush=True)

    base = rows.get(PLAIN, {}).get("seconds")
    table = Table(title=f"{len(items)} NewsMTSC items ({tokens:.0f} tokens, {per_item:.2f} GFLOP each), "
                        f"{Path(args.model).name}, {args.threads} threads; fp32 limit {limit:.0f} items/s "
                        f"at {gflops:.0f} GFLOP/s")
    for column in ("engine", "items / s", "ms / item", "x plain pipeline", "start-up s", "peak RSS MB",
                   "of fp32 limit", "macro-F1"):
        table.add_column(column, justify="left" if column == "engine" else "right")
    for name, row in rows.items():
        table.add_row(name, f"{len(items) / row['seconds']:.0f}", f"{1000 * row['seconds'] / len(items):.1f}",
                      f"{base / row['seconds']:.2f}" if base else "", f"{row['startup_seconds']:.1f}",
                      f"{row['peak_rss_mb']:.0f}", f"{100 * row['share_of_fp32_limit']:.0f}%", f"{row['macro_f1']:.1f}")
    Console(width=160).print(table)
    out = Path(args.out or ROOT / "bench" / "results" / "speed.json")
    write_json_atomic(out, {"items": len(items), "threads": args.threads, "model": args.model, "gflops": gflops,
                            "gflop_per_item": per_item, "mean_tokens": tokens, "fp32_limit_items_per_s": limit,
                            "end_to_end": True, "rows": rows})
    print(f"wrote {out}")


if __name__ == "__main__":
    run_script(main)
