"""ONNX Runtime engine: the same StanceModel interface, logits from an exported graph.

``export_onnx(model_dir)`` writes ``model_dir/onnx/model.onnx`` (fp32) and, with ``quantize``,
``model.int8.onnx`` (dynamic int8 quantisation of the linear layers). ``OnnxStanceModel.load``
exports on first use when the files are missing and the directory is writable.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Sequence

import numpy as np

from classifier.errors import InputError
from classifier.models.inputs import Encoded
from classifier.models.stance_model import StanceModel, pad_batch

INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def _require_onnx():
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        raise InputError("the onnx engine needs onnxruntime: pip install 'stance-classifier[onnx]'") from None


def onnx_paths(model_dir: Path) -> dict[str, Path]:
    folder = Path(model_dir) / "onnx"
    return {"onnx": folder / "model.onnx", "onnx-int8": folder / "model.int8.onnx", "source": folder / "source.txt"}


def exported_from(paths: dict[str, Path]) -> str:
    """The weights hash the ONNX files were exported from ('' when unknown)."""
    return paths["source"].read_text().strip() if paths["source"].exists() else ""


def export_onnx(model_dir: str | Path, quantize: bool = True) -> dict[str, Path]:
    """Export the model's graph (dynamic batch and length) and optionally an int8 copy."""
    import torch

    from classifier.io.files import atomic_path

    _require_onnx()
    model_dir = Path(model_dir)
    paths = onnx_paths(model_dir)
    stance = StanceModel.load(model_dir, attn_implementation="eager")  # [CLS] head, plus mention head if any
    model = stance.model.eval()

    class LogitsOnly(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).logits

    example = torch.ones((2, 8), dtype=torch.long)
    axes = {name: {0: "batch", 1: "sequence"} for name in INPUTS} | {"logits": {0: "batch"}}
    paths["onnx"].parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(paths["onnx"]) as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes about branches that are constant for an encoder
        torch.onnx.export(LogitsOnly(model), (example, example, torch.zeros_like(example)), str(tmp),
                          input_names=list(INPUTS), output_names=["logits"], dynamic_axes=axes,
                          opset_version=17, dynamo=False)
    if quantize:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        logging.getLogger().setLevel(logging.ERROR)  # a pre-processing hint, irrelevant for transformers
        with atomic_path(paths["onnx-int8"]) as tmp:
            quantize_dynamic(str(paths["onnx"]), str(tmp), weight_type=QuantType.QInt8)
    else:
        paths["onnx-int8"].unlink(missing_ok=True)  # it would be from older weights
    with atomic_path(paths["source"]) as tmp:
        tmp.write_text(stance.digest + "\n")
    return paths


class OnnxStanceModel(StanceModel):
    """StanceModel whose logits come from ONNX Runtime (fp32 or int8)."""

    session = None

    @classmethod
    def load(cls, path: str | Path | None = None, *, trust_remote_code: bool = False,
             engine: str = "onnx", threads: int | None = None) -> "OnnxStanceModel":
        import onnxruntime as ort

        _require_onnx()
        stance = StanceModel.load(path, trust_remote_code=trust_remote_code)
        paths = onnx_paths(stance.path)
        file = paths[engine]
        if not file.exists() or exported_from(paths) != stance.digest:  # missing, or from older weights
            export_onnx(stance.path, quantize=engine == "onnx-int8")
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        stance.__class__ = cls
        stance.session = ort.InferenceSession(str(file), options, providers=["CPUExecutionProvider"])
        stance.digest = f"{stance.digest}:{engine}"
        return stance

    def logits(self, batch: Sequence[Encoded]):
        import torch

        inputs = pad_batch(batch, self.tokenizer.pad_token_id)
        inputs.setdefault("token_type_ids", torch.zeros_like(inputs["input_ids"]))
        feed = {name: inputs[name].numpy().astype(np.int64) for name in INPUTS}
        return torch.from_numpy(self.session.run(["logits"], feed)[0]).float()
