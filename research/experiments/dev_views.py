"""Test-time views: does averaging a model's scores over edited copies of each item help?

Scores the 20% document dev split of NewsMTSC train (crossfit_distill.py's split) with a model trained
without it, alone and averaged with up to N edited views of each item (research/augment.py,
the same edits the distilled student learns from), per edit type and for all of them. Prints
macro-F1 for each and a paired bootstrap interval by document (evaluate.compare_frames) against
the plain scores; writes JSON. Decide on dev only: the test files are for reporting.

    python research/experiments/dev_views.py --model runs/xfit/ema/model --out research/results/dev20_views.json
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "research"))

from crossfit_distill import experiment_parser, train_and_dev  # noqa: E402

from classifier.evaluate import classification_metrics, compare_frames, prediction_frame  # noqa: E402
from classifier.io.files import write_json_atomic  # noqa: E402
from research import augment  # noqa: E402
from classifier.models.stance_model import StanceModel  # noqa: E402


def view_probs(model, items, per_item: int, edits) -> dict[str, list[np.ndarray]]:
    """Source id -> the model's probabilities on each of its views (augment.augmented_views)."""
    views = augment.augmented_views(items, per_item, seed=0, edits=edits)
    out = defaultdict(list)
    for view, row in zip(views, model.predict_proba(views)):
        out[view.id.split("~")[0]].append(row)
    return out


def averaged(items, plain, views, own_weight: float) -> np.ndarray:
    """Each item's probabilities: its own (weighted ``own_weight``) and its views', averaged."""
    rows = []
    for item, row in zip(items, plain):
        extra = views.get(item.id, [])
        rows.append((own_weight * row + sum(extra)) / (own_weight + len(extra)))
    return np.array(rows)


def main() -> None:
    parser = experiment_parser(__doc__)
    parser.add_argument("--model", required=True, help="a model trained without the dev split")
    parser.add_argument("--views", type=int, default=8)
    parser.add_argument("--n-boot", type=int, default=1000)
    args = parser.parse_args()
    _, dev = train_and_dev(args.data, args.dev_fraction)
    model = StanceModel.load(args.model)
    plain = model.predict_proba(dev)

    def frame(probs, name):
        return prediction_frame(dev, [model.labels[i] for i in probs.argmax(axis=1)], name)

    reference = frame(plain, "no views")
    rows = {"none": {"dev_macro_f1": classification_metrics(list(reference["label"]),
                                                            list(reference["stance"]))["macro_f1"]}}
    print(f"dev {len(dev)} items; difference against no views, 95% paired bootstrap CI by document", flush=True)
    for edits in [*[(e,) for e in augment.EDITS], augment.EDITS]:
        views = view_probs(model, dev, args.views, edits)
        for own in (1.0, float(args.views)):
            name = f"{edits[0] if len(edits) == 1 else 'any'} own-weight {own:g}"
            macro = compare_frames(reference, frame(averaged(dev, plain, views, own), name), n_boot=args.n_boot,
                                   seed=0)["metrics"]["macro_f1"]
            rows[name] = {"dev_macro_f1": macro["second"], "views": sum(map(len, views.values())),
                          "difference": macro["difference"], "difference_ci95": macro["ci"]}
            print(f"{name}: {json.dumps(rows[name])}", flush=True)
    write_json_atomic(Path(args.out), {"model": args.model, "dev_items": len(dev), "views_per_item": args.views,
                                       "results": rows})


if __name__ == "__main__":
    main()
