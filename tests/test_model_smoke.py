from classifier.items import Item


def test_tiny_model_scores_sum_to_one(tiny_model):
    items = [Item(id="1", text="Putin praised China.", actor="Russia", spans=[(0, 5)]),
             Item(id="2", text="The talks went on.", actor="NATO", spans=[])]
    probs = tiny_model.predict_proba(items)
    assert probs.shape == (2, 3)
    assert abs(probs.sum(axis=1) - 1).max() < 1e-6
