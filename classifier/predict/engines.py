"""Load a stance model for inference with one of the engines: torch, ONNX Runtime, ONNX Runtime int8."""

from __future__ import annotations

from pathlib import Path

from classifier.errors import InputError, option, warn_caller

ENGINES = ("auto", "torch", "onnx", "onnx-int8")


def resolve_engine(engine: str, device: str = "cpu") -> str:
    """``auto`` (the CLI's default): onnx, ONNX Runtime in fp32 with torch's scores to 1e-4 and faster on the
    CPU, when the ``[onnx]`` extra is installed and the model runs on the CPU; else torch. Others as given."""
    if engine != "auto":
        return engine
    import importlib.util

    def installed(name: str) -> bool:
        try:
            return importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            return False

    if device != "cpu":
        import torch

        if device != "auto" or torch.cuda.is_available():
            return "torch"
    return "onnx" if installed("onnxruntime") and installed("onnx") else "torch"


def check_engine(engine: str, device: str = "cpu", zero_shot: bool = False) -> None:
    """``engine`` and ``device`` as asked, checked on their words alone, before torch is imported (the CLI's
    refusal of them is at once): an unknown engine or device name, a GPU device for an ONNX engine (ONNX Runtime
    runs on the CPU), or with ``zero_shot`` (an NLI model, which runs on torch) an engine other than torch, is a
    one-line ``InputError``. Whether torch sees a CUDA device is ``load_engine``'s to say."""
    from classifier.models.train import check_device

    if engine not in ENGINES:
        raise InputError(f"{option('engine', engine)}: expected one of {', '.join(ENGINES)}")
    check_device(device, resolve=False)
    if device not in ("cpu", "auto") and engine not in ("auto", "torch"):  # auto: torch on a GPU
        raise InputError(f"{option('device', device)}: only the torch engine runs on a GPU; use "
                         f"{option('engine', 'torch')}")
    if zero_shot and engine != "torch":  # the CLI's --zero-shot turns auto into torch
        raise InputError(f"{option('zero_shot')} runs on the torch engine, not {option('engine', engine)}")


def load_engine(model_dir: str | Path | None, engine: str = "torch", trust_remote_code: bool = False,
                threads: int | None = None, device: str = "cpu"):
    """A model with ``predict_proba`` for ``engine``; a bad engine or device is a one-line ``InputError``."""
    from classifier.models.stance_model import StanceModel
    from classifier.models.train import check_device

    check_engine(engine, device)
    asked, engine = engine, resolve_engine(engine, device)
    torch_device = check_device(device)
    model_dir = Path(model_dir) if model_dir else None
    if engine == "torch":
        return StanceModel.load(model_dir, trust_remote_code=trust_remote_code).to(torch_device)
    from classifier.predict.onnx import ExportUnwritable, OnnxStanceModel

    try:
        return OnnxStanceModel.load(model_dir, trust_remote_code=trust_remote_code, engine=engine, threads=threads)
    except ExportUnwritable as problem:
        if asked != "auto":
            raise
        warn_caller(f"{problem}; {option('engine', 'auto')} scores with torch instead (slower; a --resume must use "
                    "it too)")
        return StanceModel.load(model_dir, trust_remote_code=trust_remote_code)  # auto: torch needs no cache
