"""The learning curve a researcher faces: macro-F1 on unseen articles after `stance train` on N of their labels.

    python scripts/bench_learning_curve.py                          # models/default, seeds and BASIL, 3 seeds
    python scripts/bench_learning_curve.py --sets seeds --sizes 0,25,50 --seeds 13   # one quick row
    python scripts/bench_learning_curve.py --recipes dev-split,no-dev                # compare the schedules

Two settings, each with held-out articles the labels never come from:

  seeds   data/seed_labels.jsonl, leave one article out (5 folds): N labels drawn from the other articles.
  basil   ../shared/data/basil/train.jsonl, the two parts models/default never trained on (the suite's
          test and dev folds, by event): N labels drawn from one part, scored on the other, then swapped.

For each N (0 is the starting model as it is) and seed, N items are drawn at random from the training
side, as a researcher labels a random sample, and trained the way `stance train LABELS --test HELDOUT`
trains them (``classifier.models.train.retrain``): ``default`` is its defaults (continue at 1e-4, up to 8
epochs, early stopping on 20% of the training articles), ``no-dev`` trains on every label for 5 epochs
without a dev split. Held-out predictions are pooled over folds; the table shows the mean and sd of
macro-F1 over seeds. Sizes a fold cannot supply are left out. Writes bench/results/learning_curve.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifier.benchmarks import find_set, load_part  # noqa: E402
from classifier.errors import InputError  # noqa: E402
from classifier.cli.script import at_least, choose_names, int_list, run_script  # noqa: E402
from classifier.evaluate import classification_metrics  # noqa: E402
from classifier.items import Item  # noqa: E402
from classifier.labels import read_labelled_items  # noqa: E402

RECIPES = {
    "dev-split": {},  # small_data_config with 20% of the articles for early stopping, up to 8 epochs
    "no-dev": {"dev_fraction": 0.0, "epochs": 5, "patience": 0},  # stance train's default below 500 labels
    # no-dev with the sentences written to the guideline as a second file, as `stance train YOURS.jsonl
    # data/guideline_examples.jsonl --sampling-alpha 0.5` mixes them; at N = 0 the examples alone
    "no-dev+examples": {"dev_fraction": 0.0, "epochs": 5, "patience": 0, "sampling_alpha": 0.5,
                        "extra": "data/guideline_examples.jsonl"},
}


def recipe_extra(recipe: str) -> list[Item]:
    """The labelled items a recipe adds to every training sample (none for most recipes)."""
    from classifier.items import read_items

    extra = RECIPES[recipe].get("extra")
    return list(read_items(ROOT / extra)) if extra else []


def seed_folds(path: Path) -> list[tuple[str, list[Item], list[Item]]]:
    items = read_labelled_items(path)
    articles = sorted({it.article or it.id for it in items})
    return [(a, [it for it in items if (it.article or it.id) != a], [it for it in items if (it.article or it.id) == a])
            for a in articles]


def basil_folds(data_root: Path) -> list[tuple[str, list[Item], list[Item]]]:
    bench = find_set("basil")
    test, dev = load_part(bench, data_root, ROOT, "test"), load_part(bench, data_root, ROOT, "dev")
    return [("dev->test", dev, test), ("test->dev", test, dev)]


def adapted_predictions(train_items: list[Item], test_items: list[Item], base: str, recipe: str,
                        seed: int, epochs: int | None = None) -> list[str]:
    from classifier.models.train import predicted_labels, retrain, small_data_config
    from classifier.models.stance_model import StanceModel

    extra = recipe_extra(recipe)
    if not train_items and not extra:
        return predicted_labels(StanceModel.load(base), test_items)
    settings = dict(RECIPES[recipe])
    settings.pop("extra", None)
    dev_fraction = settings.pop("dev_fraction", 0.2)
    if epochs:
        settings["epochs"] = epochs
    config = small_data_config(base, seed=seed, **settings)
    # the drawn labels are file 0 and the recipe's extra items file 1 (file 0 when no labels are drawn)
    source_of = {it.id: 0 for it in train_items} | {it.id: int(bool(train_items)) for it in extra}
    outcome = retrain(list(train_items) + extra, config, test_items=test_items, dev_fraction=dev_fraction,
                      log=lambda s: None, source_of=source_of)
    return outcome.predictions["new"]


def macro_f1(items: list[Item], labels: list[str]) -> float:
    return float(classification_metrics([it.label for it in items], labels)["macro_f1"])


def run_set(name: str, folds, sizes: list[int], seeds: list[int], recipes: list[str], base: str, log,
            epochs: int | None = None) -> dict:
    smallest = min(len(train) for _, train, _ in folds)
    usable = [n for n in sizes if n <= smallest]
    rows = {}
    for recipe in recipes:
        for n in usable:
            trains_at_zero = bool(RECIPES[recipe].get("extra"))
            if n == 0 and recipe != recipes[0] and not trains_at_zero:
                continue  # the starting model is the same for every recipe
            scores, refused = [], None
            for seed in (seeds if n or trains_at_zero else seeds[:1]):
                started, held_out, predicted = time.time(), [], []
                try:
                    # with no labels drawn every fold trains on the same items: train once, score every fold
                    runs = folds if n else [("all", [], [it for _, _, test in folds for it in test])]
                    for fold, train_items, test_items in runs:
                        sample = random.Random(f"{seed}:{fold}").sample(train_items, n)
                        predicted += adapted_predictions(sample, test_items, base, recipe, seed, epochs)
                        held_out += test_items
                except InputError as exc:  # what stance train itself would refuse (e.g. no room for a dev split)
                    refused = str(exc)
                    log(f"{name} {recipe} n={n} seed={seed}: refused: {refused}")
                    break
                scores.append(macro_f1(held_out, predicted))
                log(f"{name} {recipe} n={n} seed={seed}: macro-F1 {scores[-1]:.3f} ({time.time() - started:.0f} s)")
            key = "start" if n == 0 and not trains_at_zero else recipe
            rows.setdefault(key, {})[str(n)] = {"refused": refused} if refused else {
                "macro_f1": scores, "mean": sum(scores) / len(scores),
                "sd": statistics.stdev(scores) if len(scores) > 1 else 0.0}
    return {"folds": [(fold, len(train), len(test)) for fold, train, test in folds], "sizes": usable,
            "left_out_sizes": [n for n in sizes if n > smallest], "rows": rows}


def cell_text(cell: dict | None) -> str:
    if cell is None:
        return ""
    if cell.get("refused"):
        return "refused"
    return f"{cell['mean']:.3f}" + (f" ± {cell['sd']:.3f}" if len(cell["macro_f1"]) > 1 else "")  # one seed: no spread


def table(results: dict) -> str:
    lines = []
    for name, result in results["sets"].items():
        lines.append(f"\n{name} (held out: {', '.join(f'{f} {tr}->{te}' for f, tr, te in result['folds'])})")
        header = ["recipe"] + [f"N={n}" for n in result["sizes"]]
        lines.append(" | ".join(header))
        for recipe, cells in result["rows"].items():
            lines.append(" | ".join([recipe] + [cell_text(cells.get(str(n))) for n in result["sizes"]]))
        if result["left_out_sizes"]:
            lines.append(f"(N={', '.join(map(str, result['left_out_sizes']))}: more than a fold's training side)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default=str(ROOT / "models" / "default"))
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--labels", default=str(ROOT / "data" / "seed_labels.jsonl"))
    parser.add_argument("--sets", default="seeds,basil")
    parser.add_argument("--sizes", type=int_list, default="0,25,50,100,200,500")
    parser.add_argument("--seeds", type=int_list, default="13,14,15")
    parser.add_argument("--recipes", default="no-dev")
    parser.add_argument("--epochs", type=at_least(1), default=None, help="override every recipe's epochs (smoke runs)")
    parser.add_argument("--threads", type=at_least(1), default=os.cpu_count() or 1)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "learning_curve.json"))
    args = parser.parse_args(argv)

    import torch

    from classifier.cli.app import quiet_libraries
    from classifier.io.files import write_json_atomic
    from classifier.models.stance_model import model_hash

    quiet_libraries()
    torch.set_num_threads(args.threads)
    sizes, seeds = args.sizes, args.seeds
    recipes = choose_names(args.recipes, list(RECIPES), "--recipes")
    set_names = choose_names(args.sets, ["seeds", "basil"], "--sets")
    if not (Path(args.base) / "config.json").exists():
        raise InputError(f"{args.base}: not a model folder (no config.json)")
    started = time.time()
    results = {"base": f"{Path(args.base).name}@{model_hash(Path(args.base))}", "seeds": seeds, "recipes": recipes,
               "recipe_settings": RECIPES, "sets": {}}
    for name in set_names:
        folds = seed_folds(Path(args.labels)) if name == "seeds" else basil_folds(Path(args.data))
        results["sets"][name] = run_set(name, folds, sizes, seeds, recipes, args.base,
                                        log=lambda s: print(s, flush=True), epochs=args.epochs)
    results["seconds"] = round(time.time() - started)
    results["machine"] = f"{os.cpu_count()} CPU cores, {platform.machine()}"
    results["command"] = "python scripts/bench_learning_curve.py " + " ".join(argv if argv is not None else sys.argv[1:])
    print(table(results))
    write_json_atomic(args.out, results)
    print(f"\nwrote {args.out}")
    return results


if __name__ == "__main__":
    run_script(main)
