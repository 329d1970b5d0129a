"""Train a stance model on every public labelled stance set at once (the multi-domain default).

    python scripts/train_multidomain.py --out runs/md-a                       # the shipped recipe
    python scripts/train_multidomain.py --out runs/md-b --alpha 1.0 --unmarked-share 0
    python scripts/train_multidomain.py --out runs/md-g --extra data/guideline_examples.jsonl   # one more file
    python scripts/train_multidomain.py --base models/default --out runs/ex-r --epochs 1 \
        --extra data/guideline_examples.jsonl --file-weight guideline_examples=4.5   # a quarter of each epoch
    python scripts/train_multidomain.py --base models/default --out runs/kd-r --epochs 1 \
        --extra data/guideline_examples.jsonl --file-weight guideline_examples=4.5 \
        --teacher newsmtsc=models/newsmtsc-v16 --teacher semeval,vast,basil,persent=models/default
    python scripts/train_multidomain.py --out runs/smoke --limit 64 --epochs 1   # a smoke run

Training files: NewsMTSC train, TweetEval stance train, and the ``train`` parts (folds 2-4 of 5, by comment,
event or document; classifier/benchmarks.py) of VAST dev, BASIL train and PerSenT dev, drawn each epoch by
temperature sampling (``--alpha``; classifier/models/sampling.py) with unmarked views (``--unmarked-share``).
Early stopping and the recipe choice use the ``dev`` parts (fold 1; TweetEval val), at most ``--dev-cap``
items of each set so that no set dominates the pooled dev figure. The held-out ``test`` parts (fold 0), the
test files and the seed labels are never read here: ``scripts/bench_suite.py`` scores them. The card records
which part of each suite set the model saw (``benchmark_training``), so the suite marks those rows.
A checkpoint beside ``--out`` lets a killed run resume.

``--teacher NAMES=MODEL`` distils a stance model into the items of the named files (Hinton et al., 2015):
each of those items learns from ``(1 - w) * gold + w * teacher`` (``--distill-weight``), the items of files
without a teacher from their gold label alone (classifier/models/distill.py, ``mixed_loss``). A model named
for the files it was trained on keeps what it knew of them while the new model learns something else
("learning without forgetting", Li and Hoiem, 2017); the teachers' logits are cached beside ``--out``.
MODEL may also be a file of logits kept without the teacher (``classifier.models.distill.save_teacher_logits``):
``research/crossfit_distill.py teachers`` writes ``item_scores.npz``, eight all-mpnet-base-v2 teachers' scores of
NewsMTSC train, each item scored by a teacher that never learned it (``--teacher newsmtsc=runs/xfit-v16/item_scores.npz``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifier.benchmarks import find_set, load_part  # noqa: E402
from classifier.errors import InputError  # noqa: E402
from classifier.cli.script import at_least, non_negative_float, run_script  # noqa: E402
from classifier.items import read_items  # noqa: E402
from classifier.models.train import TrainConfig, evaluate_f1, train  # noqa: E402

# (name, how to read it, what the card says)
TRAINING = (
    ("newsmtsc", "newsmtsc/train.jsonl", "all of train.jsonl (NewsMTSC, MIT)"),
    ("semeval", "tweeteval-stance/train.jsonl", "all of train.jsonl (TweetEval stance; val is the dev part)"),
    ("vast", "suite:vast", "train part of dev.jsonl: folds 2-4 of 5 by comment"),
    ("basil", "suite:basil", "train part of train.jsonl: folds 2-4 of 5 by event"),
    ("persent", "suite:persent", "train part of dev.jsonl: folds 2-4 of 5 by document"),
)
DEV_SETS = ("semeval", "vast", "basil", "persent")


def cap_neutral(items: list, share: float) -> list:
    """Keep every favor/against item and only as many neutral ones as make up ``share`` of the file.

    Which neutral items stay is fixed by a hash of the item id, so two runs keep the same ones. BASIL's
    neutral means "no bias annotated" and PerSenT's is read in the document's context (data/GUIDELINES.md),
    so capping their neutral share at NewsMTSC's (0.35) tests whether their wider neutral is what the model
    carries into other news.
    """
    neutral = [item for item in items if item.label == "neutral"]
    rest = len(items) - len(neutral)
    keep = min(len(neutral), int(round(share / (1 - share) * rest))) if share < 1 else len(neutral)
    kept = {
        item.id for item in sorted(neutral, key=lambda i: hashlib.sha256(f"neutral-cap:{i.id}".encode()).digest())[:keep]}
    return [item for item in items if item.label != "neutral" or item.id in kept]


def training_files(data_root: Path, limit: int, max_neutral_share: float = 1.0,
                   extra: tuple[tuple[str, Path], ...] = ()) -> list[tuple[str, list]]:
    """The training part of every set in TRAINING, then each ``extra`` (name, labelled file) as one more file."""
    files = []
    for name, where, _ in TRAINING:
        if where.startswith("suite:"):
            items = load_part(find_set(where.removeprefix("suite:")), data_root, ROOT, "train")
        else:
            items = list(read_items(data_root / where))
        files.append((name, cap_neutral(items[: limit or None], max_neutral_share)))
    for name, path in extra:
        files.append((name, list(read_items(path))[: limit or None]))
    return files


def extra_file(spec: str) -> tuple[str, Path]:
    """``NAME=PATH`` or ``PATH`` (named by its stem) for --extra."""
    name, _, path = spec.rpartition("=")
    path = Path(path)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{path}: no such file")
    return name or path.stem, path


def file_weight(spec: str) -> tuple[str, float]:
    """``NAME=W`` for --file-weight."""
    name, sep, value = spec.partition("=")
    try:
        weight = float(value)
    except ValueError:
        weight = -1.0
    if not sep or not name or not weight >= 0 or weight == float("inf"):
        raise argparse.ArgumentTypeError(f"expected NAME=W with W a number >= 0; got {spec!r}")
    return name, weight


def file_weights(names: list[str], specs: list[tuple[str, float]]) -> list[float] | None:
    """The sampling weight of each training file in order (1 unless named in ``specs``); None when all are 1."""
    unknown = sorted({name for name, _ in specs} - set(names))
    if unknown:
        raise InputError(f"--file-weight: no training file named {', '.join(unknown)} (the files: {', '.join(names)})")
    given = dict(specs)
    return [given.get(name, 1.0) for name in names] if specs else None


def teacher_spec(spec: str) -> tuple[tuple[str, ...], Path]:
    """``NAME[,NAME...]=MODEL`` for --teacher: the training files a stance model (or its saved logits) teaches."""
    names, sep, model = spec.partition("=")
    files = tuple(name.strip() for name in names.split(",") if name.strip())
    if not sep or not files or not model:
        raise argparse.ArgumentTypeError(f"expected NAME[,NAME...]=MODEL; got {spec!r}")
    if not (Path(model, "stance.json").is_file() or (Path(model).is_file() and model.endswith(".npz"))):
        raise argparse.ArgumentTypeError(f"{model}: not a stance model folder (no stance.json) "
                                         "nor a file of saved teacher logits (.npz)")
    return files, Path(model)


def file_teachers(names: list[str], specs: list[tuple[tuple[str, ...], Path]]) -> list[Path | None]:
    """The teacher of each training file in order (None: its gold labels alone)."""
    given: dict[str, Path] = {}
    for files, model in specs:
        for name in files:
            if name in given:
                raise InputError(f"--teacher: file {name} has two teachers ({given[name]} and {model})")
            given[name] = model
    unknown = sorted(set(given) - set(names))
    if unknown:
        raise InputError(f"--teacher: no training file named {', '.join(unknown)} (the files: {', '.join(names)})")
    return [given.get(name) for name in names]


def soft_targets(files: list[tuple[str, list]], teachers: list[Path | None], labels: list[str],
                 cache_dir: Path, log=print):
    """One row of teacher logits per training item, in file order; NaN rows for files without a teacher
    (None when no file has one)."""
    import numpy as np

    from classifier.models.distill import teacher_logits

    if not any(teachers):
        return None
    starts = np.cumsum([0, *(len(items) for _, items in files)])
    soft = np.full((starts[-1], len(labels)), np.nan, dtype=np.float32)
    for teacher in dict.fromkeys(t for t in teachers if t is not None):  # each teacher loads and scores once
        taught = [f for f, t in enumerate(teachers) if t == teacher]
        started = time.time()
        logits = teacher_logits(teacher, [item for f in taught for item in files[f][1]], labels=labels,
                                cache_dir=cache_dir)
        at = 0
        for f in taught:
            soft[starts[f]:starts[f + 1]] = logits[at:at + len(files[f][1])]
            at += len(files[f][1])
        log(f"teacher {teacher} scored {', '.join(files[f][0] for f in taught)} ({at} items) "
            f"in {time.time() - started:.0f} s")
    return soft


def student_labels(base: str) -> list[str]:
    """The label order of the model training starts from (a stance model's own, else the task's)."""
    from classifier.tasks import get_task

    config = Path(base, "config.json")
    if Path(base, "stance.json").exists() and config.exists():
        id2label = json.loads(config.read_text())["id2label"]
        return [id2label[str(i)] for i in range(len(id2label))]
    return list(get_task("stance").labels)


def dev_items(data_root: Path, cap: int, limit: int) -> list:
    out = []
    for name in DEV_SETS:
        items = load_part(find_set(name), data_root, ROOT, "dev")
        random.Random(0).shuffle(items)
        out += items[: min(cap, limit or cap)]
    return out


def base_description(base: str) -> str:
    """The starting model as a reader can find it: the path under the project, with its weights hash."""
    from classifier.models.stance_model import weights_hash

    path = Path(base).resolve()
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    if path.is_file():  # a teacher's saved logits
        from classifier.io.files import file_sha256

        return f"{shown} (saved teacher logits, sha256 {file_sha256(path)[:16]}...)"
    return f"{shown} (weights sha256 {weights_hash(path)}...)" if (path / "model.safetensors").exists() else base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--out", required=True)
    parser.add_argument("--base", default=str(ROOT / "models" / "newsmtsc-v16"),
                        help="a stance model to continue (default models/newsmtsc-v16) or an encoder ('minilm')")
    parser.add_argument("--alpha", type=non_negative_float, default=0.5,
                        help="temperature sampling exponent (1: by size, 0: every file alike)")
    parser.add_argument("--unmarked-share", type=float, default=0.25)
    parser.add_argument("--lr", type=float, default=3e-5)
    parser.add_argument("--epochs", type=at_least(1), default=3)
    parser.add_argument("--batch-size", type=at_least(1), default=32)
    parser.add_argument("--class-weighting", default="none")
    parser.add_argument("--seed", type=at_least(0), default=13)
    parser.add_argument("--dev-cap", type=int, default=400)
    parser.add_argument("--max-neutral-share", type=float, default=1.0,
                        help="drop neutral items of each training file beyond this share (1: keep all)")
    parser.add_argument("--extra", type=extra_file, action="append", default=[], metavar="[NAME=]FILE",
                        help="one more labelled file to train on, sampled like the others (repeatable); "
                             "e.g. data/guideline_examples.jsonl")
    parser.add_argument("--file-weight", type=file_weight, action="append", default=[], metavar="NAME=W",
                        help="multiply a training file's sampling weight (repeatable); NAME as in TRAINING "
                             "or an --extra name, e.g. guideline_examples=4.5")
    parser.add_argument("--teacher", type=teacher_spec, action="append", default=[], metavar="NAMES=MODEL",
                        help="distil a stance model (or a .npz of its saved logits) into the named training files "
                             "(repeatable; comma-separated names), e.g. newsmtsc=models/newsmtsc-v16; other files "
                             "learn from gold labels alone")
    parser.add_argument("--distill-weight", type=float, default=0.5,
                        help="share of the teacher in the loss of a taught item (default 0.5)")
    parser.add_argument("--distill-temperature", type=float, default=2.0)
    parser.add_argument("--limit", type=at_least(1), default=None, help="first N items of each file (smoke runs)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dev-parts-out", default=None,
                        help="also write every dev-part item (uncapped) here, e.g. for stance calibrate")
    args = parser.parse_args()

    import torch

    from classifier.cli.app import check_device, quiet_libraries
    from classifier.models.train import small_data_config

    quiet_libraries()
    torch.set_num_threads(os.cpu_count() or 1)
    data_root = Path(args.data)
    try:
        check_device(args.device)
        files = training_files(data_root, args.limit, args.max_neutral_share, tuple(args.extra))
        weights = file_weights([name for name, _ in files], args.file_weight)
        teachers = file_teachers([name for name, _ in files], args.teacher)
        if any(teachers) and not 0 <= args.distill_weight <= 1:
            raise InputError(f"--distill-weight {args.distill_weight}: expected a share between 0 and 1")
        if any(teachers) and not all(teachers) and args.class_weighting != "none":
            raise InputError("--class-weighting with teachers for only some files is not supported: "
                             "leave it at none")
        soft = soft_targets(files, teachers, student_labels(args.base), Path(args.out).parent / "teacher-cache")
    except InputError as exc:
        sys.exit(f"error: {exc}")  # before the long run: one line
    train_items = [item for _, items in files for item in items]
    sources = [index for index, (_, items) in enumerate(files) for _ in items]
    dev = dev_items(data_root, args.dev_cap, args.limit)
    if args.dev_parts_out:
        from classifier.io.files import write_records
        from classifier.items import item_record

        write_records(args.dev_parts_out, [item_record(item) for name in DEV_SETS
                                           for item in load_part(find_set(name), data_root, ROOT, "dev")])
    continuing = Path(args.base, "stance.json").exists()
    config = small_data_config(args.base) if continuing else TrainConfig(base=None if args.base == "minilm" else args.base)
    for name, value in dict(learning_rate=args.lr, epochs=args.epochs, batch_size=args.batch_size, patience=0,
                            class_weighting=args.class_weighting, seed=args.seed, sampling_alpha=args.alpha,
                            unmarked_share=args.unmarked_share, device=args.device, warmup_ratio=0.1,
                            file_weights=weights, distill_weight=args.distill_weight,
                            distill_temperature=args.distill_temperature).items():
        setattr(config, name, value)
    print(f"{len(train_items)} training items from {len(files)} files "
          f"({', '.join(f'{n} {len(i)}' for n, i in files)}); dev {len(dev)}", flush=True)
    out = Path(args.out)
    checkpoint = out.parent / f".{out.name}.train-checkpoint.pt"
    result = train(train_items, dev, config, log=lambda s: print(s, flush=True), sources=sources,
                   checkpoint=checkpoint, soft_targets=soft)
    model = result.model
    model.temperature = 1.0
    described = [(name, what) for name, _, what in TRAINING] + [
        (name, f"all of {path.resolve().relative_to(ROOT) if path.resolve().is_relative_to(ROOT) else path}")
        for name, path in args.extra]
    card = {
        "name": out.name,
        "summary": "Target-aware stance toward an actor (favor / against / neutral) in news and comment text, "
                   "trained on five public stance sets at once"
                   + (f" and {', '.join(name for name, _ in args.extra)}." if args.extra else "."),
        "base": base_description(args.base),
        "labels": model.labels,
        "input_format": model.input_format,
        "input_description": ("Sentence pair: the actor's name, then the text with every mention wrapped in "
                              "<t> ... </t>; no mention (spans = []): the actor's name beside the unmarked text. "
                              f"At most {model.max_length} tokens."),
        "data": {name: f"{what}: {len(items)} items" for (name, what), (_, items) in zip(described, files)},
        "benchmark_training": {name: what for name, _, what in TRAINING},
        "teachers": {name: base_description(str(teacher)) for (name, _), teacher in zip(files, teachers) if teacher},
        "hyperparameters": {**config.as_dict(), "base": base_description(args.base), "best_epoch": result.best_epoch},
        "training": {"seconds": round(result.seconds), "machine": f"{os.cpu_count()} CPU cores, {platform.machine()}",
                     "torch": torch.__version__, "command": "python scripts/train_multidomain.py " + " ".join(sys.argv[1:]),
                     "history": json.dumps(result.history),
                     "data_sha256": hashlib.sha256("".join(i.id for i in train_items).encode()).hexdigest()[:16]},
        "evaluation": {"dev parts (pooled)": {k: round(v, 4) for k, v in evaluate_f1(model, dev).items()}},
        "limitations": ("Scored on the benchmark suite (scripts/bench_suite.py): check stance toward your own actors "
                        "on a few labelled sentences (stance evaluate) before publishing shares."),
        "created": time.strftime("%Y-%m-%d"),
    }
    model.save(out, card)
    checkpoint.unlink(missing_ok=True)
    print(f"saved {out} (best epoch {result.best_epoch}, {result.seconds:.0f} s)", flush=True)


if __name__ == "__main__":
    run_script(main)
