"""Model soups: average the weights of stance models fine-tuned from the same starting point.

Averaging fine-tuned weights (Wortsman et al., ICML 2022) often generalises better than any
ingredient and costs nothing at inference: the result is one ordinary model.
"""

from __future__ import annotations

from typing import Sequence

from classifier.errors import InputError
from classifier.models.stance_model import StanceModel


def average_models(models: Sequence[StanceModel], weights: Sequence[float] | None = None) -> StanceModel:
    """The first model, its weights replaced by the (weighted) mean of all models' weights. Two models with
    weights (1 - a, a) interpolate between them in weight space (WiSE-FT, Wortsman et al., CVPR 2022)."""
    import torch

    first = models[0]
    for other in models[1:]:
        if (other.input_format, other.labels, other.pooling) != (first.input_format, first.labels, first.pooling):
            raise InputError("models differ in input format, labels or pooling; they cannot be averaged")
        if other.tokenizer.get_vocab() != first.tokenizer.get_vocab():
            raise InputError("models use different vocabularies; they cannot be averaged")
    weights = [1.0 / len(models)] * len(models) if weights is None else [float(w) for w in weights]
    if len(weights) != len(models) or any(w < 0 for w in weights) or abs(sum(weights) - 1) > 1e-9:
        raise InputError("soup weights: one per model, at least 0, summing to 1")
    states = [m.model.state_dict() for m in models]
    averaged = {name: sum(w * s[name].float() for w, s in zip(weights, states)).to(states[0][name].dtype)
                if states[0][name].is_floating_point() else states[0][name] for name in states[0]}
    with torch.no_grad():
        first.model.load_state_dict(averaged)
    first.digest = ""
    return first
