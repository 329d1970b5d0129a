"""Knowledge distillation: a large fine-tuned stance model (the teacher) teaches a small one.

The teacher scores every training item once; the student then learns from a mix of the gold
label and the teacher's softened distribution (Hinton et al., 2015):

    loss = (1 - w) * CE(student, gold) + w * T^2 * KL(softmax(teacher / T) || softmax(student / T))

Teacher and student may have different tokenisers and input formats: each encodes the items itself.
Several files may have several teachers, or none: a row of NaN teacher logits marks an item that learns from
its gold label alone (``mixed_loss``), as ``scripts/train_multidomain.py --teacher`` builds them.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Sequence

import numpy as np

from classifier.items import Item, items_fingerprint


def teacher_logits(teacher: str | Path, items: Sequence[Item], *, labels: Sequence[str],
                   cache_dir: str | Path | None = None, trust_remote_code: bool = False) -> np.ndarray:
    """The teacher's raw logits on ``items`` (columns in ``labels`` order), cached when ``cache_dir`` is given.
    ``teacher`` is a stance model's folder, or a file of logits kept by ``save_teacher_logits``.

    The cache file is named by the teacher's weights hash, the label order and the items, so a hit
    needs no model load.
    """
    from classifier.errors import InputError
    from classifier.io.files import atomic_path
    from classifier.models.calibrate import model_logits
    from classifier.models.stance_model import StanceModel, model_hash

    if Path(teacher).is_file():
        return saved_teacher_logits(teacher, items, labels=labels)
    cache = None
    if cache_dir is not None and (Path(teacher) / "model.safetensors").exists():
        key = hashlib.sha256(json.dumps(list(labels)).encode()).hexdigest()[:6]
        cache = Path(cache_dir) / f"teacher-{model_hash(Path(teacher))}-{key}-{items_fingerprint(items)}.npy"
        if cache.exists():
            return np.load(cache)
    model = StanceModel.load(teacher, trust_remote_code=trust_remote_code)
    if sorted(model.labels) != sorted(labels):
        raise InputError(f"teacher {teacher} predicts {model.labels}; the student needs {list(labels)}")
    logits = model_logits(model, items, batch_size=64)[:, [model.labels.index(label) for label in labels]]
    if cache is not None:
        with atomic_path(cache) as tmp:
            with open(tmp, "wb") as fh:
                np.save(fh, logits)
    return logits


def item_key(item: Item) -> str:
    """A hash of what a model reads from one item (text, actor, spans)."""
    return hashlib.sha256(json.dumps([item.text, item.actor, item.spans]).encode()).hexdigest()[:16]


def save_teacher_logits(path: str | Path, items: Sequence[Item], logits: np.ndarray, labels: Sequence[str]) -> None:
    """Teacher logits kept without the teacher: one row per item, found again by the item's id and checked
    against what the teacher read (``item_key``). ``--teacher NAMES=FILE.npz`` of scripts/train_multidomain.py
    reads such a file, e.g. the cross-fitted mpnet teachers' scores of NewsMTSC train that
    ``research/crossfit_distill.py teachers`` writes (``item_scores.npz``)."""
    from classifier.io.files import atomic_path

    logits = np.asarray(logits, dtype=np.float32)
    if logits.shape != (len(items), len(labels)):
        raise ValueError(f"logits of shape {logits.shape} for {len(items)} items and {len(labels)} labels")
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            np.savez(fh, ids=np.array([item.id for item in items]), keys=np.array([item_key(it) for it in items]),
                     logits=logits, labels=np.array(list(labels)))


def saved_teacher_logits(path: str | Path, items: Sequence[Item], *, labels: Sequence[str]) -> np.ndarray:
    """The rows of a ``save_teacher_logits`` file for ``items`` (by id), columns in ``labels`` order. An item
    the file lacks, or one whose text, actor or spans differ from what the teacher read, is an InputError."""
    from classifier.errors import InputError

    try:
        with np.load(path) as saved:
            ids, keys, logits, saved_labels = (saved["ids"], saved["keys"], saved["logits"],
                                               [str(label) for label in saved["labels"]])
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(f"{path}: not a file of saved teacher logits (ids, keys, logits, labels): {exc}") from None
    if sorted(saved_labels) != sorted(labels):
        raise InputError(f"{path}: teacher logits for {saved_labels}; the student needs {list(labels)}")
    row = {str(item_id): i for i, item_id in enumerate(ids)}
    rows = []
    for item in items:
        at = row.get(item.id)
        if at is None:
            raise InputError(f"{path}: no teacher logits for item {item.id}")
        if str(keys[at]) != item_key(item):
            raise InputError(f"{path}: item {item.id} is not the one the teacher scored (text, actor or spans differ)")
        rows.append(at)
    return logits[np.array(rows, dtype=int).reshape(-1)][:, [saved_labels.index(label) for label in labels]]


def distillation_set(teacher: str | Path, items: Sequence[Item], transfer_items: Sequence[Item], *,
                     labels: Sequence[str], cache_dir: str | Path | None = None,
                     trust_remote_code: bool = False) -> tuple[list[Item], np.ndarray]:
    """The training items followed by the transfer items (labelled with the teacher's argmax), and
    the teacher's logits on all of them, from one pass of the teacher."""
    logits = teacher_logits(teacher, [*items, *transfer_items], labels=labels, cache_dir=cache_dir,
                            trust_remote_code=trust_remote_code)
    return [*items, *teacher_labelled(transfer_items, logits[len(items):], labels)], logits


def teacher_labelled(items: Sequence[Item], logits: np.ndarray, labels: Sequence[str]) -> list[Item]:
    """Unlabelled items (a transfer set) with the teacher's argmax as their label."""
    return [item.model_copy(update={"label": labels[int(i)]}) for item, i in zip(items, logits.argmax(axis=1))]


def distillation_rows(student_logits, teacher_logits, temperature: float):
    """Each item's T^2-scaled KL divergence from the teacher's softened distribution to the student's."""
    import torch.nn.functional as F

    t = float(temperature)
    return F.kl_div(F.log_softmax(student_logits / t, dim=-1), F.log_softmax(teacher_logits / t, dim=-1),
                    reduction="none", log_target=True).sum(dim=-1) * t * t


def distillation_loss(student_logits, teacher_logits, temperature: float):
    """``distillation_rows`` averaged over the batch. Computed by ``kl_div``'s own batch mean, not as the mean
    of the rows: the two differ in the last bit, and the recorded distilled models rebuild bit for bit."""
    import torch.nn.functional as F

    t = float(temperature)
    return F.kl_div(F.log_softmax(student_logits / t, dim=-1), F.log_softmax(teacher_logits / t, dim=-1),
                    reduction="batchmean", log_target=True) * t * t


def mixed_loss(gold_rows, student_logits, teacher_logits, weight: float, temperature: float):
    """The mean over a batch of each item's loss: ``(1 - w) * gold + w * distillation`` where the item has
    teacher logits, its gold-label loss alone where its row is NaN (no teacher for its file).

    ``gold_rows`` is the gold-label loss per item (``reduction="none"``). On a batch where every item has a
    teacher this equals ``(1 - w) * mean(gold) + w * distillation_loss`` (the per-item terms average alike).
    """
    import torch

    taught = ~torch.isnan(teacher_logits).any(dim=1)
    kl_rows = distillation_rows(student_logits, torch.nan_to_num(teacher_logits), temperature)
    share = weight * taught.to(student_logits.dtype)
    return ((1 - share) * gold_rows + share * torch.where(taught, kl_rows, torch.zeros_like(kl_rows))).mean()
