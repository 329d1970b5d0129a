"""Train the sentence-sentiment model (positive / negative / neutral) shipped as ``models/sentiment``.

    python scripts/train_sentiment.py --out runs/sentiment            # the shipped recipe
    python scripts/train_sentiment.py --out runs/smoke --limit 200 --epochs 1

A fresh classification head on the bundled all-MiniLM-L6-v2, trained with the project's one training loop
(classifier/models/train.py) on Financial PhraseBank ``train.jsonl`` (../shared/data/financial-phrasebank),
the best epoch chosen and the temperature fitted on ``val.jsonl``. ``test.jsonl`` is never read here:
``scripts/bench_sentiment.py`` scores it. A checkpoint beside ``--out`` lets a killed run resume.
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
from classifier.models.train import TrainConfig, evaluate_f1, train  # noqa: E402
from classifier.tasks import SENTIMENT  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "financial-phrasebank"))
    parser.add_argument("--out", required=True)
    parser.add_argument("--base", default="minilm", help="an encoder: 'minilm' (bundled), a path or a HF name")
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--class-weighting", default="none")
    parser.add_argument("--label-smoothing", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--limit", type=int, default=0, help="first N training items (smoke runs)")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()

    import torch

    from classifier.cli.app import quiet_libraries
    from classifier.models.calibrate import calibration_summary, fit_temperature, model_logits

    quiet_libraries()
    torch.set_num_threads(os.cpu_count() or 1)
    data = Path(args.data)
    train_items = list(read_items(data / "train.jsonl", allowed_labels=SENTIMENT.labels))[: args.limit or None]
    dev = list(read_items(data / "val.jsonl", allowed_labels=SENTIMENT.labels))
    config = TrainConfig(base=None if args.base == "minilm" else args.base, task="sentiment",
                         input_format=SENTIMENT.input_format, max_length=args.max_length, learning_rate=args.lr,
                         epochs=args.epochs, batch_size=args.batch_size, class_weighting=args.class_weighting,
                         label_smoothing=args.label_smoothing, seed=args.seed, device=args.device)
    print(f"{len(train_items)} training items, {len(dev)} dev items", flush=True)
    out = Path(args.out)
    checkpoint = out.parent / f".{out.name}.train-checkpoint.pt"
    result = train(train_items, dev, config, log=lambda s: print(s, flush=True), checkpoint=checkpoint)
    model = result.model
    gold = [model.labels.index(item.label) for item in dev]
    logits = model_logits(model, dev)
    model.temperature = fit_temperature(logits, gold)
    card = {
        "name": out.name,
        "summary": "Sentence sentiment (positive / negative / neutral): the tone of the sentence itself, toward "
                   "no particular actor. Trained on English financial news sentences.",
        "base": args.base,
        "labels": model.labels,
        "input_format": model.input_format,
        "input_description": f"The sentence alone (no actor, no markers); at most {model.max_length} tokens.",
        "data": {"train": f"Financial PhraseBank train.jsonl (50% agreement, CC BY-NC-SA 3.0): {len(train_items)} "
                          "sentences", "dev": f"val.jsonl: {len(dev)} sentences (best epoch, temperature)",
                 "split": "70/10/20 by a hash of the sentence (../shared/README.md)"},
        "hyperparameters": {**config.as_dict(), "best_epoch": result.best_epoch},
        "training": {"seconds": round(result.seconds), "machine": f"{os.cpu_count()} CPU cores, {platform.machine()}",
                     "torch": torch.__version__, "command": "python scripts/train_sentiment.py " + " ".join(sys.argv[1:]),
                     "history": json.dumps(result.history),
                     "data_sha256": hashlib.sha256("".join(i.id for i in train_items).encode()).hexdigest()[:16]},
        "calibration": {"temperature": round(model.temperature, 4), "fitted on": f"val.jsonl ({len(dev)} items)",
                        "ECE before / after": "{:.3f} / {:.3f}".format(
                            calibration_summary(logits, gold, 1.0, 10)["ece"],
                            calibration_summary(logits, gold, model.temperature, 10)["ece"])},
        "evaluation": {"val (dev)": {k: round(v, 4) for k, v in evaluate_f1(model, dev).items()}},
        "limitations": ("Financial news only: tone in political news differs (irony, quoted speech). Sentiment is "
                        "not stance: a sentence can be negative in tone and favourable to an actor."),
        "created": time.strftime("%Y-%m-%d"),
    }
    model.save(out, card)
    checkpoint.unlink(missing_ok=True)
    print(f"saved {out} (best epoch {result.best_epoch}, {result.seconds:.0f} s, T={model.temperature:.3f})",
          flush=True)


if __name__ == "__main__":
    main()
