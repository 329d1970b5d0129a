"""Model soups: average the weights of stance models fine-tuned from the same starting point.

Averaging fine-tuned weights (Wortsman et al., ICML 2022) often generalises better than any
ingredient and costs nothing at inference: the result is one ordinary model.
"""

from __future__ import annotations

from typing import Sequence

from classifier.errors import InputError
from classifier.models.stance_model import StanceModel


def average_models(models: Sequence[StanceModel]) -> StanceModel:
    """The first model, its weights replaced by the mean of all models' weights."""
    import torch

    first = models[0]
    for other in models[1:]:
        if (other.input_format, other.labels, other.pooling) != (first.input_format, first.labels, first.pooling):
            raise InputError("models differ in input format, labels or pooling; they cannot be averaged")
        if other.tokenizer.get_vocab() != first.tokenizer.get_vocab():
            raise InputError("models use different vocabularies; they cannot be averaged")
    states = [m.model.state_dict() for m in models]
    averaged = {name: (sum(s[name].float() for s in states) / len(states)).to(states[0][name].dtype)
                if states[0][name].is_floating_point() else states[0][name] for name in states[0]}
    with torch.no_grad():
        first.model.load_state_dict(averaged)
    first.digest = ""
    return first
