"""Leave-one-article-out cross-validation of retraining on the seed labels.

    python scripts/seed_cv.py                                   # models/default, all strategies
    python scripts/seed_cv.py --strategies zero-shot,continue-2e-5 --seeds 13,14,15
    python scripts/seed_cv.py --base path/to/model --epochs 1   # a smoke run

Each article of the label file is held out in turn; every strategy trains on the other articles and
predicts the held-out one, so every item is predicted once, by a model that never saw its article.
Strategies (what "retraining on 50-500 labels" can mean):

  zero-shot      the starting stance model as it is (no retraining)
  continue-LR    continue the starting stance model on the labels at learning rate LR
  fresh-LR       a new classification head on the bundled MiniLM encoder (no public data), at LR
  embed-lr       frozen MiniLM sentence embeddings ("actor: sentence with <mention>") + logistic regression
  setfit         SetFit: one epoch of contrastive fine-tuning of MiniLM on same/different-label pairs
                 (cosine-similarity loss), then the same logistic regression

With a handful of articles there is no room for a dev split: each fine-tune runs --epochs epochs.
Pooled figures are over all held-out predictions; paired bootstrap (by article) against zero-shot
uses classifier.evaluate.compare_frames. Writes bench/results/seed_cv.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifier.evaluate import classification_metrics, compare_frames, prediction_frame  # noqa: E402
from classifier.items import Item  # noqa: E402
from classifier.labels import read_labelled_items  # noqa: E402

DEFAULT_STRATEGIES = "zero-shot,continue-2e-5,continue-5e-5,fresh-5e-5,embed-lr,setfit"
SHOWN = ("macro_f1", "accuracy", "f1_favor_against")


def folds(items: list[Item]) -> list[tuple[str, list[Item], list[Item]]]:
    """(held-out article, training items, test items) for each article."""
    articles = sorted({it.article or it.id for it in items})
    return [(a, [it for it in items if (it.article or it.id) != a], [it for it in items if (it.article or it.id) == a])
            for a in articles]


def finetune_predict(train_items, test_items, base: str, lr: float, epochs: int, seed: int, batch_size: int) -> list[str]:
    from classifier.models.train import predicted_labels, small_data_config, train

    config = small_data_config(base, learning_rate=lr, epochs=epochs, batch_size=batch_size, seed=seed, patience=0)
    result = train(train_items, None, config, log=lambda s: None)
    return predicted_labels(result.model, test_items)


def load_encoder(encoder_dir: str):
    from transformers import AutoModel, AutoTokenizer

    return AutoTokenizer.from_pretrained(encoder_dir), AutoModel.from_pretrained(encoder_dir)


def pooled(tokenizer, model, texts: list[str]):
    """Mean-pooled, L2-normalised sentence embeddings (as sentence-transformers' MiniLM), with gradients."""
    import torch

    batch = tokenizer(texts, padding=True, truncation=True, max_length=160, return_tensors="pt")
    hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    return torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)


def embed(texts: list[str], encoder):
    import numpy as np
    import torch

    tokenizer, model = encoder
    model.eval()
    with torch.inference_mode():
        return np.concatenate([pooled(tokenizer, model, texts[i:i + 32]).numpy() for i in range(0, len(texts), 32)])


def item_text(it: Item) -> str:
    from classifier.labels import marked_text

    return f"{it.actor}: {marked_text(it, '<', '>')}"


def contrastive_pairs(train_items, per_item: int, seed: int) -> list[tuple[int, int, float]]:
    """SetFit's pairs: for each item, ``per_item`` same-label partners (1.0) and as many others (0.0)."""
    import random

    rng = random.Random(seed)
    by_label: dict[str, list[int]] = {}
    for index, it in enumerate(train_items):
        by_label.setdefault(it.label, []).append(index)
    pairs = []
    for index, it in enumerate(train_items):
        same = [j for j in by_label[it.label] if j != index]
        other = [j for label, js in by_label.items() if label != it.label for j in js]
        pairs += [(index, rng.choice(same), 1.0) for _ in range(per_item) if same]
        pairs += [(index, rng.choice(other), 0.0) for _ in range(per_item) if other]
    rng.shuffle(pairs)
    return pairs


def contrastive_step(encoder, train_items, seed: int, per_item: int = 8, lr: float = 2e-5, batch: int = 16) -> None:
    """One epoch of SetFit's contrastive fine-tuning (cosine-similarity loss on pairs) of the encoder."""
    import torch

    tokenizer, model = encoder
    torch.manual_seed(seed)
    texts = [item_text(it) for it in train_items]
    pairs = contrastive_pairs(train_items, per_item, seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    model.train()
    for start in range(0, len(pairs), batch):
        chunk = pairs[start:start + batch]
        left = pooled(tokenizer, model, [texts[a] for a, _, _ in chunk])
        right = pooled(tokenizer, model, [texts[b] for _, b, _ in chunk])
        target = torch.tensor([t for _, _, t in chunk])
        loss = torch.nn.functional.mse_loss((left * right).sum(-1), target)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)


def embed_lr_predict(train_items, test_items, encoder_dir: str, seed: int, contrastive: bool = False) -> list[str]:
    from sklearn.linear_model import LogisticRegression

    encoder = load_encoder(encoder_dir)
    if contrastive:
        contrastive_step(encoder, train_items, seed)
    x_train = embed([item_text(it) for it in train_items], encoder)
    x_test = embed([item_text(it) for it in test_items], encoder)
    labels = [it.label for it in train_items]
    if len(set(labels)) < 2:
        return [labels[0]] * len(test_items)
    clf = LogisticRegression(max_iter=2000, class_weight="balanced", C=1.0, random_state=seed)
    clf.fit(x_train, labels)
    return list(clf.predict(x_test))


def predict_strategy(name: str, cv, base: str, encoder: str, args, seed: int) -> dict[str, str]:
    """item id -> held-out prediction for one strategy and seed."""
    predictions: dict[str, str] = {}
    for _, train_items, test_items in cv:
        if name == "zero-shot":
            from classifier.models.stance_model import StanceModel
            from classifier.models.train import predicted_labels

            predicted = predicted_labels(StanceModel.load(base), test_items)
        elif name.startswith("continue-"):
            predicted = finetune_predict(train_items, test_items, base, float(name.split("-", 1)[1]), args.epochs,
                                         seed, args.batch_size)
        elif name.startswith("fresh-"):
            predicted = finetune_predict(train_items, test_items, encoder, float(name.split("-", 1)[1]),
                                         args.epochs, seed, args.batch_size)
        elif name in ("embed-lr", "setfit"):
            predicted = embed_lr_predict(train_items, test_items, encoder, seed, contrastive=name == "setfit")
        else:
            raise SystemExit(f"unknown strategy {name!r}; use zero-shot, continue-LR, fresh-LR, embed-lr or setfit")
        predictions.update({it.id: label for it, label in zip(test_items, predicted)})
    return predictions


def frame(items: list[Item], predictions: dict[str, str], model: str):
    return prediction_frame(items, [predictions[it.id] for it in items], model)


def summarise(items: list[Item], predictions: dict[str, str]) -> dict:
    gold = [it.label for it in items]
    pooled = classification_metrics(gold, [predictions[it.id] for it in items])
    per_source = {}
    for source in sorted({it.source or "-" for it in items}):
        part = [it for it in items if (it.source or "-") == source]
        metrics = classification_metrics([it.label for it in part], [predictions[it.id] for it in part])
        per_source[source] = {k: round(metrics[k], 4) for k in ("n", *SHOWN)}
    return {"pooled": {k: pooled[k] for k in ("n", *SHOWN, "per_class", "confusion_matrix")},
            "per_source": per_source}


def mean_sd(values: list[float]) -> tuple[float, float]:
    import statistics

    return statistics.fmean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


def quiet_transformers() -> None:
    from transformers.utils import logging

    logging.set_verbosity_error()
    logging.disable_progress_bar()


def run(args) -> dict:
    import torch

    from classifier.models.base import resolve_base

    torch.set_num_threads(args.threads)
    quiet_transformers()
    items = read_labelled_items(args.labels)
    cv = folds(items)
    encoder = resolve_base(args.encoder)
    results: dict = {}
    for name in [s.strip() for s in args.strategies.split(",") if s.strip()]:
        seeds = [args.seeds[0]] if name == "zero-shot" else args.seeds
        runs = []
        for seed in seeds:
            started = time.time()
            predictions = predict_strategy(name, cv, args.base, encoder, args, seed)
            runs.append({"seed": seed, "seconds": round(time.time() - started, 1), "predictions": predictions,
                         **summarise(items, predictions)})
            print(f"{name:>14} seed {seed}: macro-F1 {runs[-1]['pooled']['macro_f1']:.3f} "
                  f"({runs[-1]['seconds']:.0f} s)", flush=True)
        results[name] = runs
    return {"items": items, "folds": [(a, len(tr), len(te)) for a, tr, te in cv], "results": results}


def paired_vs_zero_shot(items, results, n_boot: int) -> dict:
    if "zero-shot" not in results:
        return {}
    reference = frame(items, results["zero-shot"][0]["predictions"], "zero-shot")
    out = {}
    for name, runs in results.items():
        if name == "zero-shot":
            continue
        paired = compare_frames(reference, frame(items, runs[0]["predictions"], name), n_boot=n_boot, seed=0)
        out[name] = {m: {k: paired["metrics"][m][k] for k in ("difference", "ci", "p_value")} for m in SHOWN}
    return out


def table(results: dict, paired: dict) -> str:
    lines = [f"{'strategy':>14} | {'macro-F1':>15} | {'accuracy':>15} | {'F1 fav+ag':>15} | vs zero-shot (macro-F1, 95% CI)",
             "-" * 110]
    for name, runs in results.items():
        cells = []
        for metric in SHOWN:
            mean, sd = mean_sd([r["pooled"][metric] for r in runs])
            cells.append(f"{mean:.3f} ± {sd:.3f}" if len(runs) > 1 else f"{mean:.3f}")
        diff = paired.get(name, {}).get("macro_f1")
        note = (f"{diff['difference']:+.3f} [{diff['ci'][0]:+.3f}, {diff['ci'][1]:+.3f}] p={diff['p_value']:.2f}"
                if diff and diff.get("ci") else "")
        lines.append(f"{name:>14} | " + " | ".join(f"{c:>15}" for c in cells) + f" | {note}")
    return "\n".join(lines)


def per_source_table(results: dict) -> str:
    sources = sorted(next(iter(results.values()))[0]["per_source"])
    lines = [f"{'macro-F1 by outlet':>18} | " + " | ".join(f"{s[:12]:>12}" for s in sources)]
    for name, runs in results.items():
        row = [mean_sd([r["per_source"][s]["macro_f1"] for r in runs])[0] for s in sources]
        lines.append(f"{name:>18} | " + " | ".join(f"{v:>12.3f}" for v in row))
    ns = next(iter(results.values()))[0]["per_source"]
    lines.append(f"{'items':>18} | " + " | ".join(f"{ns[s]['n']:>12}" for s in sources))
    return "\n".join(lines)


def base_model_id(base: str) -> str | None:
    """name@digest of the starting model, so the figures name the exact weights."""
    from classifier.models.stance_model import STANCE_FILE, model_hash

    if not Path(base, "model.safetensors").exists():
        return None
    settings = json.loads(Path(base, STANCE_FILE).read_text()) if Path(base, STANCE_FILE).exists() else {}
    return f"{settings.get('name', Path(base).name)}@{model_hash(Path(base))}"


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--labels", default=str(ROOT / "data" / "seed_labels.jsonl"))
    parser.add_argument("--base", default=str(ROOT / "models" / "default"), help="starting stance model")
    parser.add_argument("--encoder", default=None, help="encoder for fresh-* and embed-lr (default: bundled MiniLM)")
    parser.add_argument("--strategies", default=DEFAULT_STRATEGIES)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--seeds", type=lambda s: [int(x) for x in s.split(",")], default=[13])
    parser.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", "1")))
    parser.add_argument("--n-boot", type=int, default=1000)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "seed_cv.json"))
    args = parser.parse_args(argv)
    needs_base = any(s.startswith(("zero-shot", "continue-")) for s in args.strategies.split(","))
    if needs_base and not Path(args.base, "config.json").exists():
        raise SystemExit(f"{args.base}: no stance model there; train models/default first, pass --base, "
                         "or run only fresh-LR and embed-lr strategies")
    started = time.time()
    outcome = run(args)
    items, results = outcome["items"], outcome["results"]
    paired = paired_vs_zero_shot(items, results, args.n_boot)
    print()
    print(f"leave-one-article-out on {args.labels}: {len(items)} items, {len(outcome['folds'])} articles")
    print(table(results, paired))
    print()
    print(per_source_table(results))
    report = {
        "labels": args.labels, "base": args.base, "base_model_id": base_model_id(args.base),
        "encoder": args.encoder or "bundled all-MiniLM-L6-v2",
        "items": len(items), "folds": [{"held_out": a, "train": tr, "test": te} for a, tr, te in outcome["folds"]],
        "epochs": args.epochs, "batch_size": args.batch_size, "seeds": args.seeds,
        "results": {name: [{k: v for k, v in r.items() if k != "predictions"} for r in runs]
                    for name, runs in results.items()},
        "paired_vs_zero_shot": paired,
        "predictions": {name: runs[0]["predictions"] for name, runs in results.items()},
        "seconds": round(time.time() - started), "machine": f"{os.cpu_count()} CPU cores, {platform.machine()}",
        "threads": args.threads, "created": time.strftime("%Y-%m-%d %H:%M"),
    }
    from classifier.io.files import write_json_atomic

    write_json_atomic(args.out, report)
    print(f"\nwrote {args.out}")
    return report


if __name__ == "__main__":
    main()
