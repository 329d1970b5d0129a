"""stance: measure how news outlets frame actors, sentence by sentence.

    import classifier
    model = classifier.load_model()                      # $STANCE_MODEL, else the checkout's models/default
    model.predict([("NATO warned Moscow.", "NATO")])     # [{"stance": ..., "stance_scores": {...}, ...}]
    items = list(classifier.prepare_items("seeds/"))     # what `stance prepare` writes
    classifier.classify_items(items, model, "out/mine.jsonl")         # what `stance classify` writes, resumable
    result = classifier.train_model("labels.jsonl", "models/ours-v1", test="heldout.jsonl")   # `stance train`
    # the paths make demo writes (README, Python):
    metrics = classifier.evaluate_predictions("out/seeds/gold_predictions.jsonl", by=["source"])
    classifier.make_report("out/seeds/predictions.jsonl", "out/seeds/report/", gold="out/seeds/gold_predictions.jsonl")

The names are the functions the CLI calls. ``prepare``, ``evaluate`` and ``report`` stay the package's
modules (``classifier.evaluate.classification_metrics`` ...), so the functions carry longer names.
"""

__version__ = "0.1.0"

__all__ = ["load_model", "StanceClassifier", "prepare_items", "classify_items", "train_model", "evaluate_predictions",
           "make_report", "Item", "InputError", "InputWarning"]


def __dir__():  # the lazy names too, for tab completion
    return sorted({*globals(), *__all__})


def __getattr__(name):  # imported on first use: `import classifier` stays fast and torch-free
    if name in ("load_model", "StanceClassifier"):
        from classifier import api

        return getattr(api, name)
    if name == "prepare_items":
        from classifier.prepare import prepare_items

        return prepare_items
    if name == "classify_items":  # `stance classify`'s journaled run: an output file written atomically, resumable
        from classifier.predict.batch import classify

        return classify
    if name == "train_model":  # `stance train`: a model folder and its card, the held-out comparison, --promote
        from classifier.training import train_model

        return train_model
    if name == "evaluate_predictions":
        from classifier.evaluate import evaluate_predictions

        return evaluate_predictions
    if name == "make_report":
        from classifier.report import make_report

        return make_report
    if name == "Item":
        from classifier.items import Item

        return Item
    if name in ("InputError", "InputWarning"):  # what bad input raises, and warns of (a filterable UserWarning)
        from classifier import errors

        return getattr(errors, name)
    raise AttributeError(f"module 'classifier' has no attribute {name!r}")
