"""Training checkpoints: a killed training run resumes where it stopped and ends with the same weights.

``train(..., checkpoint=PATH)`` saves the loop's whole state (weights, optimiser, schedule, moving
average, the epoch's batches and position, the random-number generators, the history and the best
epoch so far) every ``checkpoint_every`` seconds and when training ends, atomically (for MiniLM
about 270 MB: fp32 weights and AdamW's two moments). A rerun with
the same path, configuration and training data continues from there; a checkpoint made for anything
else is refused rather than silently mixed in. Loaded with ``weights_only=True``: plain tensors,
numbers and lists, no pickled code.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Sequence

import numpy as np

# where a run trains and in which precision does not change what it learns from, so a run moved to
# another machine (or from bf16 to fp32) may resume
_NOT_IN_KEY = ("device", "cpu_bf16")


def checkpoint_key(config, encodings: Sequence, label_ids: Sequence[int], soft) -> str:
    """What a checkpoint was made from: the recipe, every token of the training texts, the labels and
    the teacher scores, in order."""
    digest = hashlib.sha256()
    recipe = {k: v for k, v in config.as_dict().items() if k not in _NOT_IN_KEY}
    digest.update(json.dumps(recipe, sort_keys=True, default=str).encode())
    for encoding in encodings:
        digest.update(np.asarray(encoding.input_ids, dtype=np.int64).tobytes())
        digest.update(b"|")
    digest.update(np.asarray(label_ids, dtype=np.int64).tobytes())
    if soft is not None:
        digest.update(soft.detach().cpu().numpy().astype(np.float32).tobytes())
    return digest.hexdigest()[:32]


def save_checkpoint(path: str | Path, key: str, parts: dict, loop: dict) -> None:
    """``parts``: objects with ``state_dict`` (model, optimiser, scheduler, moving average);
    ``loop``: the loop's own state (numbers, lists, tensors)."""
    import torch

    from classifier.io.files import atomic_path, named_as, os_error_in

    state = {"key": key, "parts": {name: part.state_dict() for name, part in parts.items() if part is not None},
             "loop": loop, "rng": random_states()}
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(Path(path)) as tmp, named_as(path, tmp):
        try:
            with open(tmp, "wb") as handle:  # a Python file: a failed write is an OSError torch keeps as context
                torch.save(state, handle)
        except RuntimeError as exc:  # a full disk or ulimit -f: torch's "unexpected pos" hid it (a traceback)
            found = os_error_in(exc)
            if found is None:
                raise
            raise found from None


def load_checkpoint(path: str | Path, key: str, parts: dict) -> dict | None:
    """Restore ``parts`` and the random-number generators from ``path`` and return the loop state;
    None when there is no checkpoint. Raises InputError when it was made for another run."""
    import torch

    from classifier.errors import InputError

    path = Path(path)
    if not path.exists():
        return None
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001  (torch raises UnpicklingError, EOFError, RuntimeError... for a bad file)
        raise InputError(f"{path}: not a training checkpoint this run can read ({type(exc).__name__}); "
                         "remove it to start afresh") from None
    if not isinstance(state, dict) or state.get("key") != key:
        raise InputError(f"{path}: checkpoint of another training run (other data or settings); "
                         "remove it to start afresh")
    for name, part in parts.items():
        if part is not None:
            part.load_state_dict(state["parts"][name])
    restore_random_states(state["rng"])
    return state["loop"]


def random_states() -> dict:
    import torch

    states = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        states["cuda"] = torch.cuda.get_rng_state_all()
    return states


def restore_random_states(states: dict) -> None:
    import torch

    torch.set_rng_state(states["torch"])
    if "cuda" in states and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(states["cuda"])
