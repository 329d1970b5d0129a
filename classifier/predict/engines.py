"""Load a stance model for inference with one of the engines: torch, ONNX Runtime, ONNX Runtime int8."""

from __future__ import annotations

from pathlib import Path

from classifier.errors import InputError

ENGINES = ("torch", "onnx", "onnx-int8")


def load_engine(model_dir: str | Path | None, engine: str = "torch", trust_remote_code: bool = False,
                threads: int | None = None, device: str = "cpu"):
    """A model with ``predict_proba`` for ``engine``; a bad engine or device is a one-line ``InputError``."""
    from classifier.models.stance_model import StanceModel
    from classifier.models.train import resolve_device

    if engine not in ENGINES:
        raise InputError(f"--engine {engine}: expected one of {', '.join(ENGINES)}")
    if device not in ("cpu", "auto") and engine != "torch":  # auto: ONNX Runtime runs on the CPU
        raise InputError(f"--device {device}: only the torch engine runs on a GPU; use --engine torch")
    try:
        torch_device = resolve_device(device)
    except ValueError as error:
        raise InputError(f"--device: {error}") from None
    model_dir = Path(model_dir) if model_dir else None
    if engine == "torch":
        return StanceModel.load(model_dir, trust_remote_code=trust_remote_code).to(torch_device)
    from classifier.predict.onnx import OnnxStanceModel

    return OnnxStanceModel.load(model_dir, trust_remote_code=trust_remote_code, engine=engine, threads=threads)
