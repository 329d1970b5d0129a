"""Cross-fitted teachers: each fold's teacher scores only the articles it never saw (how models/newsmtsc-v16
was distilled; research/crossfit_distill.py). Saved folds let a slow machine train a few teachers per sitting.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Sequence

import numpy as np

from classifier.items import LABELS, Item, items_fingerprint


def article_fold(item: Item, folds: int, seed: int = 0) -> int:
    """The cross-fitting fold of an item: whole articles (or the item alone without one) per fold."""
    key = f"{seed}:{item.article or item.id}".encode()
    return int(hashlib.sha256(key).hexdigest()[:8], 16) % folds


def crossfit_logits(items: Sequence[Item], transfer_items: Sequence[Item], config, *, folds: int,
                    eval_items: Sequence[Item] = (), seed: int = 0, log=print, on_teacher=None,
                    fold_dir: str | Path | None = None,
                    only_folds: Sequence[int] | None = None) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Teacher logits that no teacher learned: ``folds`` teachers (``config``, a TrainConfig), each
    trained on the other folds' articles, score their own fold's items and the transfer items made
    from those articles (a transfer item carries its source's ``article``).

    A teacher scoring its own training items mostly repeats the gold label (the mpnet teacher gave
    its gold label a mean probability of 0.89 there); cross-fitting keeps its uncertainty.
    Returns (logits for ``[*items, *transfer_items]``, mean teacher logits on ``eval_items`` or None);
    ``on_teacher(k, logits on eval_items)`` hears of each teacher as it finishes (or is reloaded).
    Columns follow ``config``'s model labels (``classifier.items.LABELS`` for a fresh head).

    With ``fold_dir`` each teacher's scores are saved there as it finishes (``fold-K-of-N.npz``,
    keyed by the items, the config and the seed) and reused by a later call, so an interrupted run
    resumes and a slow machine can train a few teachers per sitting (``only_folds``: train only
    these, 0-based). While a fold has no scores the result is ``(None, None)``.
    """
    everything = [*items, *transfer_items]
    fold_of = np.array([article_fold(item, folds, seed) for item in everything])
    if len(set(fold_of[:len(items)])) < 2:
        raise ValueError(f"the items' articles all fall in one of {folds} folds: cross-fitting needs more articles")
    key = crossfit_key(everything, eval_items, config, folds, seed) if fold_dir is not None else None
    logits = np.zeros((len(everything), len(LABELS)))
    eval_sum, missing = None, []
    for k in range(folds):
        scored = np.flatnonzero(fold_of == k)
        path = None if fold_dir is None else Path(fold_dir) / f"fold-{k + 1}-of-{folds}.npz"
        saved = load_fold(path, key) if path is not None else None
        if saved is None and only_folds is not None and k not in only_folds:
            missing.append(k)
            continue
        if saved is None:
            own = [items[i] for i in np.flatnonzero(fold_of[:len(items)] != k)]
            saved = fold_teacher_logits(own, [everything[i] for i in scored], eval_items, config,
                                        log=lambda s, k=k: log(f"teacher {k + 1}/{folds}: {s}"))
            if path is not None:
                save_fold(path, key, *saved)
        fold_logits, fold_eval = saved
        logits[scored] = fold_logits
        if fold_eval is not None:
            eval_sum = fold_eval if eval_sum is None else eval_sum + fold_eval
        if on_teacher:
            on_teacher(k, fold_eval)
    if missing:
        log(f"teachers {', '.join(str(k + 1) for k in missing)} of {folds} not trained yet")
        return None, None
    return logits, (None if eval_sum is None else eval_sum / folds)


def fold_teacher_logits(train_items: Sequence[Item], scored_items: Sequence[Item], eval_items: Sequence[Item],
                        config, log) -> tuple[np.ndarray, np.ndarray | None]:
    """One cross-fitted teacher: trained on ``train_items``, its logits on the items it never saw."""
    from classifier.models.calibrate import model_logits
    from classifier.models.train import train

    model = train(train_items, None, config, log=log).model
    return (model_logits(model, scored_items, batch_size=256),
            model_logits(model, eval_items, batch_size=256) if eval_items else None)


# TrainConfig fields added after teachers were saved: at these defaults they stay out of the key, so a
# new option never invalidates saved folds that were trained without it.
LATER_FIELDS = {"layer_lr_decay": 1.0, "init_seed": None, "sampling_alpha": 1.0, "file_weights": None,
                "unmarked_share": 0.0, "task": "stance"}


def crossfit_key(everything: Sequence[Item], eval_items: Sequence[Item], config, folds: int, seed: int) -> str:
    """What a saved fold was made from: the scored and evaluated items, the teacher's recipe (its base
    by weights hash when local, not by path or device: cuda and ``cpu_bf16`` both train in bf16
    autocast) and the fold assignment."""
    from classifier.models.stance_model import weights_hash

    recipe = {k: v for k, v in config.as_dict().items()
              if k not in ("base", "device", "cpu_bf16") and not (k in LATER_FIELDS and v == LATER_FIELDS[k])}
    base = Path(str(config.base)) if config.base else None
    recipe["base"] = weights_hash(base) if base is not None and (base / "model.safetensors").exists() else config.base
    payload = json.dumps([items_fingerprint(everything), items_fingerprint(eval_items), recipe, folds, seed],
                         sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def load_fold(path: Path, key: str) -> tuple[np.ndarray, np.ndarray | None] | None:
    """A saved teacher's (fold logits, eval logits), None when absent; refused when made for other inputs."""
    if not path.exists():
        return None
    with np.load(path) as saved:
        if str(saved["key"]) != key:
            raise ValueError(f"{path}: scores made for other items, teacher recipe or folds; move it away to retrain")
        return saved["logits"], (saved["eval_logits"] if saved["eval_logits"].size else None)


def save_fold(path: Path, key: str, logits: np.ndarray, eval_logits: np.ndarray | None) -> None:
    from classifier.io.files import atomic_path

    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            np.savez(fh, key=key, logits=logits.astype(np.float32),
                     eval_logits=np.zeros((0, len(LABELS)), np.float32) if eval_logits is None
                     else eval_logits.astype(np.float32))
