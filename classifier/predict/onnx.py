"""ONNX Runtime engine: the same StanceModel interface, logits from an exported graph.

``export_onnx(model_dir)`` builds, in a cache folder keyed by the model's content hash (never inside the
model folder: ``$STANCE_CACHE``, else ``$XDG_CACHE_HOME/stance``, else ``~/.cache/stance``), ``model.onnx``
(fp32) and ``model.int8-per-token.onnx`` (the encoder's linear layers in int8 with one activation scale per
token: classifier/predict/int8.py). ``OnnxStanceModel.load`` exports on first use; a model whose weights,
head, settings or tokenizer change has another hash, so a stale export is never used. Both graphs give an
item the same scores in any batch, so a resumed run equals a clean one.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Sequence

import numpy as np

from classifier.errors import InputError
from classifier.models.inputs import Encoded
from classifier.models.stance_model import StanceModel, pad_batch

INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def _require_onnx(export: bool = False):
    """onnxruntime (to run) and, to build an export, onnx; else one line naming the extra to install.
    A run from an existing export does not import onnx (half a second of start-up)."""
    try:
        import onnxruntime

        if export:
            import onnx  # noqa: F401
    except ImportError as exc:
        raise InputError(f"the onnx engines need {exc.name or 'onnxruntime'}: "
                         "pip install '.[onnx]' in the checkout") from None
    return onnxruntime


CACHE_ENV = "STANCE_CACHE"


class ExportUnwritable(InputError):
    """The cache folder cannot take the export (``--engine auto`` then runs on torch)."""


def cache_root() -> Path:
    """Where exported graphs are kept: ``$STANCE_CACHE``, else ``$XDG_CACHE_HOME/stance``, else ``~/.cache/stance``."""
    import os

    named = os.environ.get(CACHE_ENV, "").strip()
    if named:
        return Path(named).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg) if xdg else Path.home() / ".cache") / "stance"


def onnx_paths(digest: str) -> dict[str, Path]:
    """The exported files of the model with content hash ``digest`` (``StanceModel.digest``)."""
    folder = cache_root() / "onnx" / digest
    return {"folder": folder, "onnx": folder / "model.onnx", "onnx-int8": folder / "model.int8-per-token.onnx"}


def export_onnx(model_dir: str | Path) -> dict[str, Path]:
    """Export the model's graph (dynamic batch and length) and its per-token int8 rewrite into its cache
    folder, built whole and swapped in (a kill leaves no half export)."""
    _require_onnx(export=True)
    import onnx
    import torch

    from classifier.io.files import staged_folder

    model_dir = Path(model_dir)
    stance = StanceModel.load(model_dir, attn_implementation="eager")  # [CLS] head, plus mention head if any
    paths = onnx_paths(stance.digest)
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
    from classifier.predict.int8 import per_token_int8

    try:
        with staged_folder(paths["folder"]) as stage, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer notes about branches that are constant for an encoder
            torch.onnx.export(LogitsOnly(model), (example, example, torch.zeros_like(example)),
                              str(stage / "model.onnx"), input_names=list(INPUTS), output_names=["logits"],
                              dynamic_axes=axes, opset_version=17, dynamo=False)
            onnx.save(per_token_int8(onnx.load(stage / "model.onnx")), stage / paths["onnx-int8"].name)
            (stage / "source.txt").write_text(f"{model_dir}\n{stance.digest}\n")
    except OSError as exc:
        raise ExportUnwritable(f"{paths['folder']}: cannot write the ONNX export ({exc.strerror or exc}); set "
                               f"{CACHE_ENV} to a writable folder") from None
    return paths


def session_threads(threads: int | None) -> int | None:
    """ONNX Runtime's threads: ``threads`` (``--threads``) where given; else, in a container whose CPU quota allows
    fewer CPUs than the host has, that many (``cpus.usable_cpus``; ONNX Runtime's own default counts the host's
    cores, and a 2-CPU container on a 64-core host would run 64 threads on 2 CPUs); else None, its own default (the
    speeds measured without a quota stay as they were)."""
    from classifier.cpus import cpu_quota, usable_cpus

    if threads:
        return threads
    return usable_cpus() if cpu_quota() is not None else None


class OnnxStanceModel(StanceModel):
    """StanceModel whose logits come from ONNX Runtime (fp32 or int8). It holds the tokenizer, the settings and
    the graph, not the torch weights: once the export is in the cache, loading it never builds the torch model
    (1.7 of the 3.5 s that a one-item run took)."""

    session = None
    _pooling = "cls"

    @classmethod
    def load(cls, path: str | Path | None = None, *, trust_remote_code: bool = False,
             engine: str = "onnx", threads: int | None = None) -> "OnnxStanceModel":
        from types import SimpleNamespace

        from transformers import AutoConfig

        from classifier.models.base import model_load_errors
        from classifier.models.stance_model import check_labels, model_hash

        ort = _require_onnx()
        path, settings, tokenizer = StanceModel.load_front(path, trust_remote_code=trust_remote_code)
        digest = model_hash(path)
        paths = onnx_paths(digest)
        if not (paths["onnx"].exists() and paths["onnx-int8"].exists()):  # first use of these exact weights
            export_onnx(path)
        with model_load_errors(path):
            config = AutoConfig.from_pretrained(path, trust_remote_code=trust_remote_code)
        check_labels(config.id2label, path)
        stance = cls.from_settings(SimpleNamespace(config=config), tokenizer, settings, path, f"{digest}:{engine}")
        stance._pooling, stance.engine = settings.get("pooling", "cls"), engine
        options = ort.SessionOptions()
        if (count := session_threads(threads)) is not None:
            options.intra_op_num_threads = count
        stance.session = ort.InferenceSession(str(paths[engine]), options, providers=["CPUExecutionProvider"])
        return stance

    @property
    def pooling(self) -> str:
        return self._pooling

    @property
    def device(self):
        import torch

        return torch.device("cpu")

    def to(self, device) -> "OnnxStanceModel":
        """ONNX Runtime runs on the CPU here; the graph does not move."""
        return self

    def save(self, path, card=None, *, half=True, trained_items=None, held_out=None):  # StanceModel.save's, refused
        raise InputError(f"{path}: an ONNX engine model holds no torch weights to save; load it with the torch "
                         "engine to save it")

    def logits(self, batch: Sequence[Encoded]):
        """Logits of a padded batch; an item's logits do not depend on its neighbours or the padding."""
        import torch

        inputs = pad_batch(batch, self.tokenizer.pad_token_id)
        inputs.setdefault("token_type_ids", torch.zeros_like(inputs["input_ids"]))
        feed = {name: inputs[name].numpy().astype(np.int64) for name in INPUTS}
        return torch.from_numpy(self.session.run(["logits"], feed)[0]).float()
