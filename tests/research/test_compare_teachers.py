import numpy as np
import pytest

from classifier.items import Item
from research.compare_teachers import compare


def test_teachers_that_agree_are_near_and_a_flipped_one_is_far():
    items = [Item(id=str(i), text="Russia met China.", actor="Russia", spans=[(0, 6)], label=label)
             for i, label in enumerate(["favor", "against", "neutral", "favor"])]
    sure = np.array([[4.0, 0, 0], [0, 4.0, 0], [0, 0, 4.0], [4.0, 0, 0]])
    same = compare(items, sure, sure + 1.0, temperature=2.0)  # a shift changes no distribution
    assert same["argmax_agreement"] == 1.0 and same["total_variation"] == pytest.approx(0.0, abs=1e-9)
    assert same["first"]["macro_f1"] == 1.0 and same["first"]["gold_probability"] > 0.9
    flipped = compare(items, sure, sure[:, [1, 2, 0]], temperature=2.0)
    assert flipped["argmax_agreement"] == 0.0 and flipped["second"]["macro_f1"] == 0.0
    assert flipped["total_variation"] > 0.5
    assert compare(items, sure, sure[:, [1, 2, 0]], temperature=8.0)["total_variation"] < flipped["total_variation"]
