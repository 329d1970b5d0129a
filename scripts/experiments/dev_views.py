"""Test-time views: does averaging a model's scores over edited copies of each item help?

Scores the 20% document dev split of NewsMTSC train (crossfit_distill.py's split) with a model trained
without it, alone and averaged with up to N edited views of each item (classifier/models/augment.py,
the same edits the distilled student learns from), per edit type and for all of them. Prints
macro-F1 for each and a paired bootstrap interval (by document) against the plain scores; writes
JSON. Decide on dev only: the test files are for reporting.

    python scripts/experiments/dev_views.py --model runs/xfit/ema/model --out bench/results/dev20_views.json
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from crossfit_distill import documents  # noqa: E402

from classifier.io.files import write_json_atomic  # noqa: E402
from classifier.items import LABELS, read_items  # noqa: E402
from classifier.models import augment  # noqa: E402
from classifier.models.stance_model import StanceModel  # noqa: E402
from classifier.models.train import split_by_article  # noqa: E402


def macro_f1(gold, probs) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(gold, [LABELS[i] for i in probs.argmax(axis=1)], labels=list(LABELS), average="macro"))


def edited_views(items, per_item: int, edit: str | None) -> list:
    """Up to ``per_item`` views of each item: augment.augmented_views (edit None: one or two edits
    of any kind), or ``edit`` alone, drawn with a fixed seed per item."""
    if edit is None:
        return augment.augmented_views(items, per_item, seed=0)
    names = sorted(augment.candidate_names(items))
    vocabulary = sorted({w for item in items for w, m in augment.words_with_mentions(item) if not m and w.isalpha()})
    views = []
    for item in items:
        rng = random.Random(f"0:{item.id}")
        for n in range(per_item):
            view = augment.edited(item, edit, rng, names, vocabulary)
            if view is not None:
                views.append(view.model_copy(update={"id": f"{item.id}~{edit}~{n}"}))
    return views


def view_probs(model, items, per_item: int, edit: str | None) -> dict[str, list[np.ndarray]]:
    """Source id -> the model's probabilities on each of its views."""
    views = edited_views(items, per_item, edit)
    probs = model.predict_proba(views) if views else np.zeros((0, len(LABELS)))
    out = defaultdict(list)
    for view, row in zip(views, probs):
        out[view.id.split("~")[0]].append(row)
    return out


def averaged(items, plain, views, own_weight: float) -> np.ndarray:
    rows = []
    for item, row in zip(items, plain):
        extra = views.get(item.id, [])
        rows.append((own_weight * row + sum(extra)) / (own_weight + len(extra)))
    return np.array(rows)


def bootstrap_difference(items, gold, a, b, rounds: int = 1000) -> list[float]:
    """95% interval of macro-F1(b) - macro-F1(a), resampling documents."""
    by_doc = defaultdict(list)
    for i, item in enumerate(items):
        by_doc[item.article].append(i)
    docs = list(by_doc)
    rng = np.random.default_rng(0)
    gold = np.array(gold)
    diffs = []
    for _ in range(rounds):
        idx = np.concatenate([by_doc[docs[j]] for j in rng.integers(0, len(docs), len(docs))])
        diffs.append(macro_f1(gold[idx], b[idx]) - macro_f1(gold[idx], a[idx]))
    return [float(np.percentile(diffs, 2.5)), float(np.percentile(diffs, 97.5))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="a model trained without the dev split")
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "newsmtsc"))
    parser.add_argument("--dev-fraction", type=float, default=0.2)
    parser.add_argument("--views", type=int, default=8)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    items = documents(read_items(Path(args.data) / "train.jsonl"))
    _, dev = split_by_article(items, dev_fraction=args.dev_fraction, seed=0)
    model = StanceModel.load(args.model)
    gold = [item.label for item in dev]
    plain = model.predict_proba(dev)
    rows = {"none": {"dev_macro_f1": macro_f1(gold, plain)}}
    print(f"dev {len(dev)} items; no views: macro-F1 {rows['none']['dev_macro_f1']:.4f}", flush=True)
    for edit in [*augment.EDITS, None]:
        views = view_probs(model, dev, args.views, edit)
        for own in (1.0, float(args.views)):
            probs = averaged(dev, plain, views, own)
            name = f"{edit or 'any'} own-weight {own:g}"
            rows[name] = {"dev_macro_f1": macro_f1(gold, probs), "views": sum(map(len, views.values())),
                          "difference_95": bootstrap_difference(dev, gold, plain, probs)}
            print(f"{name}: {json.dumps(rows[name])}", flush=True)
    write_json_atomic(Path(args.out), {"model": args.model, "dev_items": len(dev), "views_per_item": args.views,
                                       "results": rows})


if __name__ == "__main__":
    main()
