"""Which training examples an epoch shows: a mixture of labelled files, and unmarked views of items.

Several label files train one model. Shown in proportion to their size, a set of 2,000 items beside one of
9,000 is mostly drowned; temperature sampling (Arivazhagan et al. 2019; used for multilingual and multi-task
mixes) draws file ``f`` with probability proportional to ``weight_f * n_f ** alpha``: ``alpha = 1`` is
proportional (every item once an epoch), ``alpha = 0`` gives every file the same share, ``0.5`` lies between.
An epoch has as many examples as there are items; within a file, items are drawn without replacement
(a file asked for more than its size goes round again in a new order).

Unmarked views: an item whose actor's mentions are marked (``spans``) can also be shown with the target as
text only (``spans: []``), so the model learns stance toward the named target and not the marker tokens,
and items without marked mentions (topics never named, pronouns) are seen in training as at inference.
Each drawn item with spans is replaced by its unmarked view with probability ``unmarked_share``.
"""

from __future__ import annotations

import random
from typing import Sequence

import numpy as np


def mixture_shares(sizes: Sequence[int], alpha: float = 1.0, weights: Sequence[float] | None = None) -> np.ndarray:
    """Each file's share of an epoch: ``weight * size ** alpha``, normalised (empty files get none)."""
    sizes = np.asarray(sizes, dtype=float)
    if alpha < 0:
        raise ValueError(f"sampling alpha must be at least 0; got {alpha}")
    weights = np.ones(len(sizes)) if weights is None else np.asarray(weights, dtype=float)
    if len(weights) != len(sizes):
        raise ValueError(f"{len(weights)} file weights for {len(sizes)} files")
    if (weights < 0).any() or not np.isfinite(weights).all():
        raise ValueError("file weights must be finite and at least 0")
    raw = np.where(sizes > 0, weights * np.power(sizes, alpha, where=sizes > 0, out=np.zeros_like(sizes)), 0.0)
    if raw.sum() <= 0:
        raise ValueError("every file has weight 0 or no items: nothing to train on")
    return raw / raw.sum()


def mixture_counts(sizes: Sequence[int], total: int, alpha: float = 1.0,
                   weights: Sequence[float] | None = None) -> list[int]:
    """How many examples of each file one epoch of ``total`` shows (largest remainders, summing to ``total``)."""
    shares = mixture_shares(sizes, alpha, weights) * total
    counts = np.floor(shares).astype(int)
    for i in np.argsort(-(shares - counts), kind="stable")[: total - counts.sum()]:
        counts[i] += 1
    return counts.tolist()


def is_plain_mix(sources: Sequence[int] | None, alpha: float, weights: Sequence[float] | None) -> bool:
    """True when the mixture is every item once per epoch (one file, or proportional with equal weights)."""
    if sources is None or len(set(sources)) <= 1:
        return weights is None or len(set(weights)) <= 1
    return alpha == 1.0 and (weights is None or len(set(weights)) <= 1)


class EpochSampler:
    """Draws each epoch's example indices; the state lives in the caller's ``random.Random``, so a
    checkpointed rng resumes the same draws."""

    def __init__(self, sources: Sequence[int], *, alpha: float = 1.0, weights: Sequence[float] | None = None,
                 views: dict[int, int] | None = None, unmarked_share: float = 0.0):
        if not 0.0 <= unmarked_share <= 1.0:
            raise ValueError(f"unmarked share must be between 0 and 1; got {unmarked_share}")
        self.sources = list(sources)
        n_files = max(self.sources) + 1 if self.sources else 0
        self.members = [[i for i, s in enumerate(self.sources) if s == f] for f in range(n_files)]
        self.weights = None if weights is None else list(weights)
        if self.weights is not None and len(self.weights) < n_files:
            raise ValueError(f"{len(self.weights)} file weights for {n_files} files")
        self.alpha = alpha
        self.plain = is_plain_mix(self.sources, alpha, self.weights)
        self.counts = mixture_counts([len(m) for m in self.members], len(self.sources), alpha,
                                     self.weights[:n_files] if self.weights is not None else None)
        self.views = views or {}
        self.unmarked_share = unmarked_share

    def draw(self, rng: random.Random) -> list[int]:
        """Indices of one epoch's examples (originals, or their unmarked views)."""
        if self.plain:
            chosen = list(range(len(self.sources)))
        else:
            chosen = []
            for members, count in zip(self.members, self.counts):
                while count > 0 and members:
                    order = members[:]
                    rng.shuffle(order)
                    chosen += order[:count]
                    count -= len(order[:count])
        if self.views and self.unmarked_share > 0:
            chosen = [self.views[i] if i in self.views and rng.random() < self.unmarked_share else i for i in chosen]
        return chosen
