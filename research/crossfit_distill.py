"""Cross-fitted distillation: base-size teachers that never saw the items they label teach MiniLM.

Three stages (``make default-model`` runs them); the first two each fit one call of a GPU machine:

  teachers  K teachers (default all-mpnet-base-v2) each trained on K-1 folds of the training part's
            documents score their own fold's items and the unlabelled variants made from them
            (research/augment.py); writes OUT/teacher_logits.npz and teachers.json, and
            OUT/item_scores.npz: every labelled item's teacher logits by item id (out of fold on the
            training part, the teachers' mean on the dev part), which scripts/train_multidomain.py
            --teacher newsmtsc=OUT/item_scores.npz distils into a multi-domain model.
            Each teacher's scores are kept in --fold-dir (default OUT/teachers/) as it finishes: a
            rerun resumes, and --only-folds trains a few per sitting on a slow machine. On 2 CPU
            cores (AMD EPYC, AVX512-BF16) with --cpu-bf16 a teacher took 1,855 to 1,971 s (epochs of
            518 to 576 s, against 856 s in fp32). --jobs J trains J teachers at once (a GPU: on an
            H200, four at a time, eight teachers in 116 s).
  students  MiniLM students trained on the training part with those logits (--logits; not needed
            when every recipe asked for is undistilled: plain, plain-ema), each recipe scored on
            the dev part; the best recipe's seeds are souped; writes students.json and the chosen
            model (OUT/model/, or a tar split into 15 MB parts with --split). Seeds average
            badly when their heads start apart: --init-seed N starts them all from one head and
            keeps each seed's last epoch (one point of the schedule); --jobs J trains J seeds at
            once (a GPU). --transfer-share F
            learns from a seeded share of the variants (kd-aug on half of them: 78.05 dev F1m, on all 78.38).
  refit     the students stage's recipe (its one seed, or each of its seeds from one --init-seed, then
            souped) again on all of train: the dev items join with the teachers' mean logits; epochs
            and temperature come from the students stage's model.

On 2 CPU cores the whole pipeline took about 5.4 hours: teachers 4.3 h (--cpu-bf16), the kd-aug
student 1,518 s (--cpu-bf16), its refit 2,377 s (fp32).

The dev part is ``--dev-fraction`` of NewsMTSC train's documents, never the test files. NewsMTSC
gives every POLUSA item the one article id ``polusa_v1`` (53% of train); its document id is in
the item id, so ``documents()`` regroups those items by document before any split.

    python research/crossfit_distill.py teachers --teacher-base runs/bases/all-mpnet-base-v2 --folds 8 \
        --fold-dir data/teachers/newsmtsc-mpnet-8 --out runs/xfit     # add --cpu-bf16 on a CPU
    python research/crossfit_distill.py students --logits runs/xfit/teacher_logits.npz --out runs/xfit
    python research/crossfit_distill.py refit --logits runs/xfit/teacher_logits.npz --calibrate-with runs/xfit/model \
        --out models/default
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np
from scipy.special import softmax

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifier.io.files import write_json_atomic  # noqa: E402
from classifier.items import LABELS, read_items  # noqa: E402
from classifier.models.distill import save_teacher_logits  # noqa: E402
from research.augment import augmented_views, cross_target_items  # noqa: E402
from research.crossfit import crossfit_logits  # noqa: E402
from classifier.models.train import TrainConfig, split_by_article, train  # noqa: E402

STUDENT = dict(input_format="pair", max_length=160, batch_size=32, warmup_ratio=0.1, learning_rate=5e-5, epochs=3)
RECIPES = {  # name -> (TrainConfig overrides, uses teacher logits, uses the unlabelled variants)
    "plain": (dict(), False, False),
    "plain-ema": (dict(ema_decay=0.995), False, False),
    "kd": (dict(distill_weight=0.5, distill_temperature=2.0), True, False),
    "kd-aug": (dict(distill_weight=0.5, distill_temperature=2.0), True, True),
    "kd-aug-ema": (dict(distill_weight=0.5, distill_temperature=2.0, ema_decay=0.999), True, True),
    "kd-aug-llrd": (dict(distill_weight=0.5, distill_temperature=2.0, learning_rate=8e-5, layer_lr_decay=0.85),
                    True, True),
    "kd-aug-w09": (dict(distill_weight=0.9, distill_temperature=1.0), True, True),
    "kd-aug-1e4-e5": (dict(distill_weight=0.5, distill_temperature=2.0, learning_rate=1e-4, epochs=5), True, True),
    "kd-aug-w09-1e4-e5": (dict(distill_weight=0.9, distill_temperature=1.0, learning_rate=1e-4, epochs=5), True, True),
}


def documents(items):
    """NewsMTSC's POLUSA items all carry article ``polusa_v1``: use ``polusa_v1_<doc id>`` from the item id."""
    out = []
    for item in items:
        if item.article == "polusa_v1" and item.id.startswith("polusa_v1_"):
            item = item.model_copy(update={"article": "polusa_v1_" + item.id.split("_")[2]})
        out.append(item)
    return out


def train_and_dev(data: str, dev_fraction: float, limit: int = 0):
    """NewsMTSC train (its first ``limit`` items where given) as the training part and the dev part,
    by document: the split every stage and every dev experiment uses."""
    items = documents(read_items(Path(data) / "train.jsonl"))
    return split_by_article(items[: limit or None], dev_fraction=dev_fraction, seed=0)


def experiment_parser(doc: str) -> argparse.ArgumentParser:
    """The options every dev-split experiment (research/experiments) shares: --data, --dev-fraction, --out."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "newsmtsc"))
    parser.add_argument("--dev-fraction", type=float, default=0.2)
    parser.add_argument("--out", required=True)
    return parser


def load_split(args):
    train_part, dev_part = train_and_dev(args.data, args.dev_fraction, args.limit)
    transfer = augmented_views(train_part, args.views, seed=0) if args.views else []
    if args.cross_target:
        transfer += cross_target_items(train_part, args.cross_target, seed=0)
    return train_part, dev_part, transfer


def macro_f1(gold, logits) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(gold, [LABELS[i] for i in np.asarray(logits).argmax(axis=1)], labels=list(LABELS),
                          average="macro", zero_division=0))


def run_teachers(args) -> None:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    train_part, dev_part, transfer = load_split(args)
    print(f"train {len(train_part)} dev {len(dev_part)} transfer {len(transfer)} "
          f"(views {args.views}/item, cross-target {args.cross_target})", flush=True)
    config = TrainConfig(base=args.teacher_base, learning_rate=args.teacher_lr, epochs=args.teacher_epochs,
                         batch_size=32, device=args.device, cpu_bf16=args.cpu_bf16, seed=13)
    fold_scores = []
    fold_dir = Path(args.fold_dir) if args.fold_dir else out / "teachers"

    def on_teacher(k, dev_logits):
        fold_scores.append(macro_f1([it.label for it in dev_part], dev_logits))
        print(f"teacher {k + 1}: dev macro-F1 {fold_scores[-1]:.4f} ({time.time() - started:.0f} s)", flush=True)

    only = None if args.only_folds is None else [k - 1 for k in args.only_folds]
    if only is not None and not all(0 <= k < args.folds for k in only):
        sys.exit(f"teachers: --only-folds {args.only_folds}: folds are numbered 1 to {args.folds}")
    try:
        if args.jobs > 1:
            teachers_at_once(dict(items=train_part, transfer_items=transfer, config=config, folds=args.folds,
                                  eval_items=dev_part, fold_dir=fold_dir),
                             range(args.folds) if only is None else only, args.jobs)
        logits, dev_logits = crossfit_logits(train_part, transfer, config, folds=args.folds, eval_items=dev_part,
                                             on_teacher=on_teacher, fold_dir=fold_dir, only_folds=only)
    except ValueError as error:  # a saved fold made for other items or another recipe
        sys.exit(f"teachers: {error}")
    if logits is None:
        print(f"saved in {fold_dir}; run again (other --only-folds) to train the rest", flush=True)
        return
    gold = [it.label for it in train_part]
    summary = {"teacher": config.as_dict(), "folds": args.folds, "train": len(train_part), "dev": len(dev_part),
               "transfer": len(transfer), "views": args.views, "cross_target": args.cross_target,
               "teacher_dev_macro_f1": fold_scores,
               "ensemble_dev_macro_f1": macro_f1([it.label for it in dev_part], dev_logits),
               "oof_train_macro_f1": macro_f1(gold, logits[:len(train_part)]),
               "oof_gold_probability": float(np.mean(softmax(logits[:len(train_part)], axis=1)[
                   np.arange(len(gold)), [LABELS.index(g) for g in gold]])),
               "seconds (this run; reused folds cost none)": round(time.time() - started)}
    np.savez(out / "teacher_logits.npz", items_digest=ids_digest([*train_part, *transfer]),
             logits=logits.astype(np.float32), dev_items_digest=ids_digest(dev_part), dev_logits=dev_logits)
    save_teacher_logits(out / "item_scores.npz", [*train_part, *dev_part],
                        np.concatenate([logits[:len(train_part)], dev_logits]), LABELS)
    write_json_atomic(out / "teachers.json", summary)
    print(json.dumps(summary), flush=True)


def teacher_task(task: dict) -> int:
    """One fold's teacher: trained, its scores saved in the fold folder (a saved fold is only reloaded)."""
    fold = task.pop("fold")
    crossfit_logits(**task, only_folds=[fold], log=lambda s: print(s, flush=True))
    return fold


def teachers_at_once(run: dict, folds, jobs: int) -> None:
    """Train ``folds`` (0-based) in ``jobs`` worker processes at once on the one device, each saving
    its scores in ``run["fold_dir"]`` as it finishes; the caller then assembles them from there. On an
    H200 four at a time trained eight mpnet teachers in 116 s."""
    in_workers(teacher_task, [{**run, "fold": k} for k in folds], jobs)


def in_workers(function, tasks: list[dict], jobs: int) -> list:
    """``function(task)`` for every task, in order, in ``jobs`` spawned worker processes on the one
    device, each on its share of the usable cores (models small enough leave most of a GPU idle)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    threads = max(1, usable_cpus() // jobs)
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(in_worker, [(function, task, threads) for task in tasks]))


def in_worker(call):
    """In a worker process: its share of the cores, the libraries quiet, then the task."""
    import torch

    from classifier.cli.app import quiet_libraries

    function, task, threads = call
    torch.set_num_threads(threads)
    quiet_libraries()
    return function(task)


def ids_digest(items) -> str:
    """What the teachers scored, in order: ids, text, actor and spans of every item."""
    import hashlib

    from classifier.items import items_fingerprint

    ids = hashlib.sha256("\n".join(it.id for it in items).encode()).hexdigest()[:16]
    return f"{ids}-{items_fingerprint(items)}"


def load_teacher_logits(path: str, train_part, transfer, dev_part):
    """The teachers stage's logits, refused unless they were made for exactly these items."""
    saved = np.load(path)
    if str(saved["items_digest"]) != ids_digest([*train_part, *transfer]) or \
            str(saved["dev_items_digest"]) != ids_digest(dev_part):
        sys.exit(f"{path}: teacher logits are for other items (different data, --views or --cross-target)")
    return saved["logits"], saved["dev_logits"]


def chosen_variants(transfer, variant_logits, share: float):
    """A seeded random ``share`` of the unlabelled variants, in order, and their teacher logits
    (all of them at 1, none at 0)."""
    keep = np.sort(np.random.default_rng(0).choice(len(transfer), round(share * len(transfer)), replace=False))
    return [transfer[i] for i in keep], None if variant_logits is None else variant_logits[keep]


def usable_cpus() -> int:
    """The cores this process may run on (``taskset`` narrows them), not all the machine has."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def train_task(task: dict):
    """One recipe and seed: its dev record and model (in memory, or saved to ``task["save_to"]`` and
    that path returned, when it runs in a worker process)."""
    config, name = task["config"], task["name"]
    started = time.time()
    result = train(task["train"], task["dev"], config, log=lambda s: print(f"[{name}/{config.seed}] {s}", flush=True),
                   transfer_items=task["transfer"], soft_targets=task["soft"], keep_last=config.init_seed is not None,
                   checkpoint=task.get("checkpoint"))
    record = {"recipe": name, "seed": config.seed, "best_epoch": result.best_epoch,
              "seconds": round(time.time() - started), "history": result.history}
    if task["dev"]:
        dev = result.history[result.best_epoch - 1]
        record.update(dev_macro_f1=dev["dev_macro_f1"], dev_accuracy=dev["dev_accuracy"])
    model = result.model.to("cpu")
    if not task.get("save_to"):
        return record, model
    model.save(task["save_to"], {"name": f"{name}-seed-{config.seed}"}, half=False)
    return record, task["save_to"]


def train_seeds(tasks: list[dict], jobs: int):
    """(record, model) of every task, in order; with ``jobs`` > 1 that many worker processes train at
    once on the one device (a small student leaves most of a GPU idle), each saving its model (fp32)
    to a scratch folder that is removed once the models are loaded back."""
    if jobs <= 1 or len(tasks) == 1:
        return [train_task(task) for task in tasks]
    import tempfile

    from classifier.models.stance_model import StanceModel

    with tempfile.TemporaryDirectory(prefix="seeds-") as scratch:
        done = in_workers(train_task, [{**task, "save_to": f"{scratch}/{n}"} for n, task in enumerate(tasks)], jobs)
        return [(record, StanceModel.load(path)) for record, path in done]


def run_students(args) -> None:
    from research.soup import average_models
    from classifier.models.train import evaluate_f1

    if not 0 < args.transfer_share <= 1:
        sys.exit(f"students: --transfer-share must be in (0, 1]; got {args.transfer_share}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    train_part, dev_part, transfer = load_split(args)
    if args.logits:
        logits, _ = load_teacher_logits(args.logits, train_part, transfer, dev_part)
    elif any(RECIPES[name][1] for name in args.recipes):
        sys.exit("students: --logits (the teachers stage's teacher_logits.npz) is needed for a distilled recipe")
    results, models = [], {}
    for name in args.recipes:
        overrides, distil, augment = RECIPES[name]
        extra, extra_logits = chosen_variants(transfer, logits[len(train_part):] if distil else None,
                                              args.transfer_share if augment else 0.0)
        tasks = [{"name": name, "train": train_part, "dev": dev_part, "transfer": extra,
                  "soft": np.concatenate([logits[:len(train_part)], extra_logits]) if distil else None,
                  "config": TrainConfig(**{**STUDENT, **overrides}, base=args.student_base, device=args.device,
                                        cpu_bf16=args.cpu_bf16, seed=seed, init_seed=args.init_seed),
                  "checkpoint": out / "checkpoints" / f"{name}-seed-{seed}.pt"}
                 for seed in args.seeds]
        for record, model in train_seeds(tasks, args.jobs):
            results.append(record)
            models[(name, record["seed"])] = model
            print(f"== {name} seed {record['seed']}: dev macro-F1 {record['dev_macro_f1']:.4f}", flush=True)
            write_json_atomic(out / "students.json", {"results": results})
    by_recipe = {}
    for r in results:
        by_recipe.setdefault(r["recipe"], []).append(r["dev_macro_f1"])
    best = max(by_recipe, key=lambda name: np.mean(by_recipe[name]))
    chosen = [models[(best, seed)] for seed in args.seeds]
    model = average_models(chosen) if len(chosen) > 1 else chosen[0]
    model.model.half().float()
    soup = evaluate_f1(model, dev_part)
    summary = {"results": results, "mean_by_recipe": {k: float(np.mean(v)) for k, v in by_recipe.items()},
               "chosen": best, "soup_of_seeds": args.seeds, "init_seed": args.init_seed, "soup_dev": soup,
               "transfer_share": args.transfer_share}
    write_json_atomic(out / "students.json", summary)
    print(json.dumps({k: v for k, v in summary.items() if k != "results"}), flush=True)
    share = args.transfer_share if RECIPES[best][2] else 0.0
    card = {"name": "crossfit-distilled", "recipe": best, "config": {**STUDENT, **RECIPES[best][0]},
            "seeds": args.seeds, "init_seed": args.init_seed,
            "best_epoch": max(r["best_epoch"] for r in results if r["recipe"] == best),
            "dev": soup, "train": len(train_part), "dev_items": len(dev_part),
            "transfer": round(share * len(transfer)), "transfer_share": share}
    target = out / "model"
    model.save(target, card)
    shutil.rmtree(out / "checkpoints", ignore_errors=True)
    if args.split:
        split_dir(target, out, args.split)


def run_refit(args) -> None:
    """The chosen recipe again on all of train: the dev items join with the teachers' mean logits
    (no teacher saw them), the epochs and the temperature come from the students stage (``refit_stage``)."""
    sys.path.insert(0, str(ROOT / "research"))
    from train_default import LIMITATIONS, SUMMARY, base_description, file_sha256, input_description, test_figures

    from research.soup import average_models

    started = time.time()
    train_part, dev_part, transfer = load_split(args)
    logits, dev_logits = load_teacher_logits(args.logits, train_part, transfer, dev_part)
    stage_card, stage_name, calibration = refit_stage(args, dev_part)
    recipe = stage_card["recipe"]
    overrides, distil, augment = RECIPES[recipe]
    seeds, init_seed = stage_card["seeds"], stage_card.get("init_seed")
    if not distil or (len(seeds) > 1 and init_seed is None):
        sys.exit(f"{stage_name}: refit takes a distilled recipe and one seed, or seeds from one --init-seed; "
                 f"its card says {recipe} seeds {seeds} init seed {init_seed}")
    everything = [*train_part, *dev_part]
    extra, extra_logits = chosen_variants(transfer, logits[len(train_part):],
                                          stage_card.get("transfer_share", 1.0) if augment else 0.0)
    soft = np.concatenate([logits[:len(train_part)], dev_logits, extra_logits])
    epochs = int(stage_card["best_epoch"])
    tasks = [{"name": "refit", "train": everything, "dev": None, "transfer": extra, "soft": soft,
              "config": TrainConfig(**{**STUDENT, **overrides}, base=args.student_base, device=args.device,
                                    cpu_bf16=args.cpu_bf16, seed=seed, init_seed=init_seed, stop_after=epochs),
              "checkpoint": Path(f"{args.out}.checkpoints") / f"seed-{seed}.pt"}
             for seed in seeds]
    trained = [model for _, model in train_seeds(tasks, args.jobs)]
    model = average_models(trained) if len(trained) > 1 else trained[0]
    config = tasks[0]["config"]
    model.model.half().float()
    model.temperature = calibration["temperature"]
    evaluation = {} if args.no_test else test_figures(model, Path(args.data))
    teachers = json.loads((Path(args.logits).parent / "teachers.json").read_text())
    card = {
        "name": Path(args.out).name,
        "summary": SUMMARY,
        "base": base_description(args.student_base),
        "labels": list(LABELS),
        "input_format": "pair",
        "input_description": input_description(STUDENT["max_length"], "cls"),
        "data": {"file": "newsmtsc/train.jsonl (NewsMTSC, Hamborg and Donnay, EACL 2021; MIT)",
                 "sha256": file_sha256(Path(args.data) / "train.jsonl"), "items": len(everything),
                 "dev_split": (f"{args.dev_fraction:.0%} of documents (POLUSA items regrouped by the document id "
                               "in their item id) by sha256(seed 0 + document): it chose the recipe and epochs, "
                               "fitted the temperature, then joined the refit; never the test files"),
                 "unlabelled_variants": len(extra),
                 "label_mapping": "positive -> favor, negative -> against, neutral -> neutral"},
        "hyperparameters": {
            "recipe": (f"{recipe}: knowledge distillation from {teachers['folds']} cross-fitted "
                       f"{base_description(teachers['teacher']['base'])} teachers (each trained on the other folds' "
                       "documents, so none scored an item it learned), on the labelled items and "
                       f"{len(extra)} unlabelled variants of them (research/augment.py), "
                       "then refit on all of train"
                       + (f"; the weights averaged over seeds {seeds}, each started from the head of init seed "
                          f"{init_seed}" if len(seeds) > 1 else "")),
            **{k: v for k, v in config.as_dict().items() if k not in ("base", "trust_remote_code", "teacher")},
            "seed": seeds if len(seeds) > 1 else seeds[0],
            "dev macro-F1 of the recipe (students stage, trained without the dev split)": stage_card["dev"]["macro_f1"],
        },
        "teachers": teachers,
        "training": {"seconds": round(time.time() - started), "device": args.device,
                     "command": "make default-model (research/crossfit_distill.py teachers, "
                                "students, refit)"},
        "evaluation": evaluation,
        "calibration": calibration,
        "limitations": LIMITATIONS,
        "created": time.strftime("%Y-%m-%d"),
    }
    model.save(args.out, card)
    shutil.rmtree(f"{args.out}.checkpoints", ignore_errors=True)
    print(f"saved {args.out}: {json.dumps(evaluation)}", flush=True)


def refit_stage(args, dev_part) -> tuple[dict, str, dict]:
    """What the refit repeats (recipe, seeds, epochs, dev figure) and its calibration: from the students
    stage's model (``--calibrate-with``: its temperature is fitted on dev), or, where that model is gone,
    from one seed of a students record (``--stage-record FILE --stage-seed N``) with the temperature of
    another model borrowed (``--temperature-from``) and said so in the card."""
    if args.calibrate_with:
        from train_default import calibrate_on_dev

        from classifier.models.stance_model import StanceModel

        stage = Path(args.calibrate_with)
        calibration = calibrate_on_dev(StanceModel.load(stage), dev_part)
        calibration["fitted_on"] = f"{stage.name} (same recipe without the dev split): {calibration['fitted_on']}"
        return json.loads((stage / "model_card.json").read_text()), stage.name, calibration
    if not (args.stage_record and args.stage_seed is not None and args.temperature_from):
        sys.exit("refit: give --calibrate-with DIR, or --stage-record FILE --stage-seed N --temperature-from DIR")
    record = json.loads(Path(args.stage_record).read_text())
    result = record.get("students", {}).get(str(args.stage_seed))
    if result is None:
        sys.exit(f"{args.stage_record}: no students result for seed {args.stage_seed}")
    stage_card = {"recipe": result["recipe"], "seeds": [result["seed"]], "init_seed": None,
                  "best_epoch": result["best_epoch"], "transfer_share": 1.0,
                  "dev": {"macro_f1": result["dev_macro_f1"]}}
    lender = Path(args.temperature_from)
    lender_card = json.loads((lender / "model_card.json").read_text())
    borrowed = lender_card["calibration"]
    calibration = {"temperature": borrowed["temperature"],
                   "fitted_on": (f"borrowed from {lender} as it stood then (created {lender_card.get('created')}, "
                                 f"{borrowed['fitted_on']}; ECE on that dev split "
                                 f"{borrowed['ece_before']} -> {borrowed['ece_after']}): this refit's own "
                                 f"students-stage model was not kept, so no temperature was fitted for it")}
    return stage_card, f"{args.stage_record} seed {args.stage_seed}", calibration


def split_dir(directory: Path, out: Path, megabytes: int) -> None:
    """Tar ``directory`` and cut it into parts of ``megabytes`` (a GPU machine returns files of at most 16 MB)."""
    import tarfile

    archive = out / "model.tar"
    with tarfile.open(archive, "w") as tar:
        tar.add(directory, arcname=directory.name)
    shutil.rmtree(directory)
    size = megabytes << 20
    with open(archive, "rb") as fh:
        for n, block in enumerate(iter(lambda: fh.read(size), b"")):
            (out / f"model.tar.{n}").write_bytes(block)
    archive.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stage", choices=("teachers", "students", "refit"))
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "newsmtsc"))
    parser.add_argument("--out", required=True)
    parser.add_argument("--dev-fraction", type=float, default=0.2)
    parser.add_argument("--views", type=int, default=4, help="edited variants per training item")
    parser.add_argument("--cross-target", type=int, default=100000, help="at most this many cross-target pairs")
    parser.add_argument("--limit", type=int, default=0, help="first N items only (smoke runs)")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--teacher-base", default=None)
    parser.add_argument("--teacher-lr", type=float, default=3e-5)
    parser.add_argument("--teacher-epochs", type=int, default=3)
    parser.add_argument("--only-folds", nargs="+", type=int, default=None, metavar="K",
                        help="teachers: train only these folds (1-based) this time; saved folds are always reused")
    parser.add_argument("--fold-dir", default=None, metavar="DIR",
                        help="teachers: where each teacher's scores are kept and reused (default OUT/teachers)")
    parser.add_argument("--cpu-bf16", action="store_true",
                        help="train in bf16 autocast on the CPU too, as on cuda (pays where the CPU has AVX512-BF16 or AMX)")
    parser.add_argument("--logits", default=None, help="students: the teachers stage's teacher_logits.npz")
    parser.add_argument("--student-base", default=None, help="default: the bundled all-MiniLM-L6-v2")
    parser.add_argument("--recipes", nargs="+", default=list(RECIPES), choices=list(RECIPES))
    parser.add_argument("--seeds", nargs="+", type=int, default=[13])
    parser.add_argument("--init-seed", type=int, default=None, metavar="N",
                        help="students: every seed starts from the head drawn with seed N and keeps its last "
                             "epoch, so the seeds' weights can be averaged (the soup the refit repeats)")
    parser.add_argument("--jobs", type=int, default=1,
                        help="teachers: train this many folds at once; students and refit: this many seeds "
                             "(worker processes on one device: a GPU)")
    parser.add_argument("--epochs", type=int, default=0, help="override every recipe's epochs (smoke runs)")
    parser.add_argument("--transfer-share", type=float, default=1.0, metavar="F",
                        help="students: learn from a seeded random share F of the unlabelled variants "
                             "(how the student scales with teacher-labelled text); refit follows its card")
    parser.add_argument("--calibrate-with", default=None, metavar="DIR",
                        help="refit: the students stage's model (recipe, epochs; its temperature is fitted on dev)")
    parser.add_argument("--stage-record", default=None, metavar="FILE",
                        help="refit without the students stage's model: a record of students results "
                             "(cpu_views.sh rule writes one) whose --stage-seed gives recipe and epochs")
    parser.add_argument("--stage-seed", type=int, default=None, metavar="N")
    parser.add_argument("--temperature-from", default=None, metavar="DIR",
                        help="refit with --stage-record: borrow this model's fitted temperature (said in the card)")
    parser.add_argument("--no-test", action="store_true", help="refit: skip the test figures")
    parser.add_argument("--split", type=int, default=0, metavar="MB", help="tar the model and cut it into MB parts")
    args = parser.parse_args()
    if args.epochs:
        STUDENT["epochs"] = args.epochs
        for overrides, _, _ in RECIPES.values():
            overrides.pop("epochs", None)
    import torch

    torch.set_num_threads(usable_cpus())
    from classifier.cli.app import quiet_libraries

    quiet_libraries()
    {"teachers": run_teachers, "students": run_students, "refit": run_refit}[args.stage](args)


if __name__ == "__main__":
    main()
