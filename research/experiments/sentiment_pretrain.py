"""Experiment: fine-tune MiniLM on sentence sentiment (Financial PhraseBank train) first, then on NewsMTSC.

Stage 0 trains the stance head on PhraseBank sentences with no target (positive -> favor, negative ->
against, empty actor, no spans) for 2 epochs at 5e-5; stage 1 continues on NewsMTSC train with run
A's settings (5e-5, 3 epochs, no class weights) and keeps the best epoch on the dev split carved by
article (``--dev-fraction``, seed 0, as in research/train_default.py). Dev only; no test file is read.

    python research/experiments/sentiment_pretrain.py --out runs/d30_PB_A
    python research/experiments/dev_soups.py --models runs/d30_A_5e5_none runs/d30_PB_A
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
SENTIMENT_TO_STANCE = {"positive": "favor", "negative": "against", "neutral": "neutral"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--dev-fraction", type=float, default=0.3)
    parser.add_argument("--out", default=str(ROOT / "runs" / "d30_PB_A"))
    args = parser.parse_args()

    from classifier.cli.app import quiet_libraries
    from classifier.items import Item, read_items
    from classifier.models.train import TrainConfig, split_by_article, train

    quiet_libraries()
    data = Path(args.data)
    sentences = [Item(**{**it.model_dump(), "label": SENTIMENT_TO_STANCE[it.label], "actor": "", "spans": []})
                 for it in read_items(data / "financial-phrasebank" / "train.jsonl", allowed_labels=None)]
    stage0 = train(sentences, None, TrainConfig(learning_rate=5e-5, epochs=2, seed=13))
    stage0_dir = Path(args.out).with_name(Path(args.out).name + "-stage0")
    stage0.model.save(stage0_dir, {"name": stage0_dir.name}, half=False)
    train_part, dev = split_by_article(list(read_items(data / "newsmtsc" / "train.jsonl")), args.dev_fraction, 0)
    result = train(train_part, dev, TrainConfig(base=str(stage0_dir), learning_rate=5e-5, epochs=3, seed=13))
    best = result.history[result.best_epoch - 1]
    result.model.save(args.out, {"name": Path(args.out).name, "stage0": str(stage0_dir), "dev": best})
    print(f"best epoch {result.best_epoch}: dev macro-F1 {best['dev_macro_f1']:.4f}", flush=True)


if __name__ == "__main__":
    main()
