"""Int8 with per-row activation scales, batched: accuracy, batch independence and speed against fp32.

    python research/experiments/int8_per_row.py --block-size 32,128

Candidates: the per-token rewrite the onnx-int8 engine uses (classifier/predict/int8.py; 7- and 8-bit weights),
ONNX Runtime's per-tensor dynamic int8 run in batches (what the engine avoided by scoring items alone), and
``MatMulNBitsQuantizer(bits=8, accuracy_level=4)``, which stores each MatMul weight in 8 bits per block of K and
computes in int8, quantising the activations per row and block; a row's scales never see another row, so an
item's scores do not depend on its batch. Compared with the fp32 export and the dynamic int8 engine (one
activation scale per tensor) on NewsMTSC devtest_rw + devtest_mt, padded batches of 64 sorted by length.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(ROOT / "models" / "default"))
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--block-size", default="32,128")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--out", default=str(ROOT / "research" / "results" / "int8_per_row.json"))
    args = parser.parse_args()

    import numpy as np
    import onnx
    import onnxruntime as ort
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

    from classifier.benchmarks import find_set, load_part
    from classifier.cli.app import quiet_libraries
    from classifier.evaluate import classification_metrics
    from classifier.models.stance_model import model_hash
    from classifier.predict.onnx import OnnxStanceModel, onnx_paths

    quiet_libraries()
    threads = os.cpu_count() or 1
    model = OnnxStanceModel.load(args.model, engine="onnx", threads=threads)  # exports into the cache
    folder = onnx_paths(model_hash(Path(args.model)))["folder"]
    items = [item for name in ("newsmtsc_rw", "newsmtsc_mt")
             for item in load_part(find_set(name), Path(args.data), ROOT, "test")]
    items = items[: args.limit] if args.limit else items
    gold = [item.label for item in items]
    encoded, _ = model.encode(items)
    order = sorted(range(len(items)), key=lambda i: len(encoded[i].input_ids))

    def run(batch_size=64):  # the engine's own padding and feed, through whichever session it holds
        logits = np.zeros((len(items), 3), dtype=np.float32)
        started = time.perf_counter()
        for start in range(0, len(order), batch_size):
            rows = order[start:start + batch_size]
            logits[rows] = model.logits([encoded[i] for i in rows]).numpy()
        return logits, time.perf_counter() - started

    results = {}
    reference = None
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from classifier.predict.int8 import per_token_int8

    dynamic = Path("/tmp") / "model.dynamic.onnx"
    quantize_dynamic(str(folder / "model.onnx"), str(dynamic), weight_type=QuantType.QInt8)
    candidates = [("fp32", folder / "model.onnx"), ("dynamic int8, per tensor, batched", dynamic)]
    for bits in (7, 8):
        path = Path("/tmp") / f"model.per-token.w{bits}.onnx"
        onnx.save(per_token_int8(onnx.load(folder / "model.onnx"), bits=bits), str(path))
        candidates.append((f"per-token int8, {bits}-bit weights", path))
    for block in (int(b) for b in args.block_size.split(",")):
        path = Path("/tmp") / f"model.nbits8.b{block}.onnx"
        quantizer = MatMulNBitsQuantizer(onnx.load(folder / "model.onnx"), bits=8, block_size=block,
                                         is_symmetric=True, accuracy_level=4)
        quantizer.process()
        quantizer.model.save_model_to_file(str(path), use_external_data_format=False)
        candidates.append((f"MatMulNBits 8-bit, block {block}", path))
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    for name, path in candidates:
        model.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        logits, seconds = run()
        predicted = logits.argmax(axis=1)
        reference = predicted if reference is None else reference
        f1 = classification_metrics(gold, [model.labels[i] for i in predicted])["macro_f1"]
        alone = np.concatenate([model.logits([encoded[i]]).numpy() for i in order[:64]])
        batch = model.logits([encoded[i] for i in order[:64]]).numpy()
        results[name] = {"macro_f1": round(100 * f1, 2), "agreement_with_fp32": round(float((predicted == reference).mean()), 4),
                         "seconds": round(seconds, 2), "items_per_s": round(len(items) / seconds, 1),
                         "max_abs_logit_diff_alone_vs_batch": float(np.abs(alone - batch).max()),
                         "file_mb": round(path.stat().st_size / 1e6, 1)}
        print(name, results[name], flush=True)
    Path(args.out).write_text(json.dumps({"items": len(items), "threads": threads, "results": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
