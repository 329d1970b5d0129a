"""The neutral offset of research/experiments/neutral_offset.py moves only the boundaries with neutral."""

import numpy as np

from research.experiments.neutral_offset import decide

SCORES = np.array([[0.5, 0.1, 0.4],    # favor, narrowly over neutral
                   [0.1, 0.3, 0.6],    # neutral
                   [0.2, 0.7, 0.1]])   # against, far from neutral


def test_zero_offset_is_the_argmax():
    assert decide(SCORES, 0.0) == ["favor", "neutral", "against"]


def test_positive_offset_turns_close_calls_neutral_only():
    assert decide(SCORES, np.log(0.5 / 0.4) + 0.01) == ["neutral", "neutral", "against"]


def test_negative_offset_takes_items_out_of_neutral():
    assert decide(SCORES, np.log(0.3 / 0.6) - 0.01) == ["favor", "against", "against"]
