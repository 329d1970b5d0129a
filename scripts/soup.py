"""Average the weights of stance models fine-tuned from the same start (a "model soup").

    python scripts/soup.py runs/A runs/B --out runs/soup_AB [--dev]

With --dev, prints the macro-F1 on the dev split that train_default.py holds out, for each
ingredient and for the soup.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifier.items import read_items  # noqa: E402
from classifier.models.soup import average_models  # noqa: E402
from classifier.models.stance_model import StanceModel  # noqa: E402
from classifier.models.train import evaluate_f1, split_by_article  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("models", nargs="+")
    parser.add_argument("--out", required=True)
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "newsmtsc"))
    parser.add_argument("--dev", action="store_true")
    args = parser.parse_args()
    models = [StanceModel.load(p) for p in args.models]
    dev = []
    if args.dev:
        _, dev = split_by_article(list(read_items(Path(args.data) / "train.jsonl")), dev_fraction=0.1, seed=0)
        for path, model in zip(args.models, models):
            print(f"{path}: dev {evaluate_f1(model, dev)}")
    souped = average_models(models)
    if args.dev:
        print(f"soup: dev {evaluate_f1(souped, dev)}")
    souped.save(args.out)
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
