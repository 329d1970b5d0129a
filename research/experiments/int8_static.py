"""Static int8 (activation scales calibrated once) against dynamic int8 and fp32 ONNX: accuracy and speed.

    python research/experiments/int8_static.py --calibration 300 --method minmax

Dynamic int8 (the onnx-int8 engine) measures activation ranges per batch, so it scores each item alone to
stay batch-independent. Static int8 fixes the ranges on calibration items (NewsMTSC train, never the test
items), so a padded batch gives each item the same scores as alone. Scored on devtest_rw + devtest_mt.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(ROOT / "models" / "default"))
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "newsmtsc"))
    parser.add_argument("--calibration", type=int, default=300)
    parser.add_argument("--method", default="minmax", choices=["minmax", "percentile", "entropy"])
    parser.add_argument("--per-channel", action="store_true")
    parser.add_argument("--ops", default="MatMul", help="op types to quantise (comma-separated)")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--out", default=str(ROOT / "research" / "results" / "int8_static.json"))
    args = parser.parse_args()

    import numpy as np
    import onnxruntime as ort
    from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType,
                                          quantize_static)
    from onnxruntime.quantization.shape_inference import quant_pre_process

    from classifier.cli.app import quiet_libraries
    from classifier.evaluate import classification_metrics
    from classifier.items import read_items
    from classifier.models.stance_model import StanceModel, pad_batch
    from classifier.predict.onnx import INPUTS, OnnxStanceModel

    quiet_libraries()
    threads = os.cpu_count() or 1
    fp32 = OnnxStanceModel.load(args.model, engine="onnx", threads=threads)
    folder = Path(fp32.session._model_path).parent
    calibration = random.Random(0).sample(list(read_items(Path(args.data) / "train.jsonl")), args.calibration)

    def feed(encoded, length=None):
        inputs = pad_batch(encoded, fp32.tokenizer.pad_token_id)
        if length:  # histogram calibrators stack every batch: one fixed length
            import torch
            inputs = {k: torch.nn.functional.pad(v, (0, length - v.shape[1]),
                                                 value=fp32.tokenizer.pad_token_id if k == "input_ids" else 0)
                      for k, v in inputs.items()}
        inputs.setdefault("token_type_ids", np.zeros_like(inputs["input_ids"]))
        return {name: np.asarray(inputs[name]).astype(np.int64) for name in INPUTS}

    class Reader(CalibrationDataReader):
        def __init__(self):
            encoded, _ = fp32.encode(calibration)
            length = None if args.method == "minmax" else fp32.max_length
            self.batches = iter([feed([e], length) for e in encoded])

        def get_next(self):
            return next(self.batches, None)

    tag = f"{args.method}-{'pc' if args.per_channel else 'pt'}-{args.ops.replace(',', '+')}-{args.calibration}"
    prepared, static = folder / "model.pre.onnx", folder / f"model.static-{tag}.onnx"
    if not prepared.exists():
        quant_pre_process(str(folder / "model.onnx"), str(prepared), skip_symbolic_shape=True)
    started = time.perf_counter()
    quantize_static(str(prepared), str(static), Reader(), quant_format=QuantFormat.QDQ, per_channel=args.per_channel,
                    activation_type=QuantType.QInt8, weight_type=QuantType.QInt8,
                    op_types_to_quantize=args.ops.split(","),
                    calibrate_method={"minmax": CalibrationMethod.MinMax, "percentile": CalibrationMethod.Percentile,
                                      "entropy": CalibrationMethod.Entropy}[args.method])
    calibrate_seconds = time.perf_counter() - started

    items = [it for name in ("devtest_rw.jsonl", "devtest_mt.jsonl") for it in read_items(Path(args.data) / name)]
    items = items[:args.limit]
    gold = [it.label for it in items]
    rows = {}
    for name, path, per_item in (("onnx fp32", folder / "model.onnx", False),
                                 ("onnx-int8 dynamic (per item)", folder / "model.int8.onnx", True),
                                 (f"int8 static {tag}", static, False)):
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        model = OnnxStanceModel.load(args.model, engine="onnx", threads=threads)
        model.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        model.per_item = per_item
        model.predict_proba(items[:64], batch_size=64)
        started = time.perf_counter()
        probs = model.predict_proba(items, batch_size=64)
        seconds = time.perf_counter() - started
        alone = model.predict_proba(items[:32], batch_size=1)
        rows[name] = {"items_per_s": len(items) / seconds,
                      "macro_f1": 100 * classification_metrics(gold, [model.labels[k] for k in probs.argmax(1)])["macro_f1"],
                      "max_batch_vs_alone": float(np.abs(alone - probs[:32]).max())}
        print(name, {k: round(v, 4) for k, v in rows[name].items()}, flush=True)
    result = {"tag": tag, "calibration_items": args.calibration, "calibrate_seconds": calibrate_seconds,
              "items": len(items), "threads": threads, "rows": rows}
    out = Path(args.out)
    previous = json.loads(out.read_text()) if out.exists() else []
    out.write_text(json.dumps([*previous, result], indent=1) + "\n")


if __name__ == "__main__":
    main()
