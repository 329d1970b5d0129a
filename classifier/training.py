"""Fine-tune a stance model on label files and compare it with the model it starts from: what ``stance train`` does,
as one function (:func:`train_model`, exported as ``classifier.train_model``). Read the labels, check the options,
hold out the test articles, train (``models.train.retrain``), score the new and the old model on the same held-out
items, write the model card, save the model, and with ``promote`` replace the shipped default where the new model is
shown better. ``classifier/cli/train.py`` parses the options, draws the bar and prints the table."""

from __future__ import annotations

import contextlib
import os
import platform
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, ContextManager, Optional, Sequence

from classifier.errors import InputError, check_at_least, check_paths, model_failures, option, warn_caller
from classifier.items import LABELS, Item
from classifier.io.files import (check_given_once, file_sha256, given_name, has_label_column, shared_path,
                                 spooled_input)
from classifier.io.hf_datasets import column_map
from classifier.labels import check_one_item_per_id, read_records, resolve_labels
from classifier.models.base import resolve_base
from classifier.tasks import STANCE, Task, other_task, task_of_labels
from classifier.visible import counted, numeral

COMPARED = ("macro_f1", "accuracy", "f1_favor_against")


def load_labelled(paths: list[Path], annotator: Optional[str], allow_suggested: bool, what: str,
                  sources: Optional[dict] = None, columns: Optional[dict] = None) -> list[Item]:
    """The resolved labelled items of ``paths``; ``sources`` (a dict) is filled with item id -> index of the
    first file that holds it (the file it is sampled with in a mixture). "-" or a pipe is read from the file the
    command saved it to (``io.files.spooled_input``), which the model card hashes once training is done
    (``build_card``)."""
    per_file = [read_records([path], columns) for path in paths]
    check_one_item_per_id([r for records in per_file for r in records])  # across the files too
    if sources is not None:
        for index, records in enumerate(per_file):
            for record in records:
                sources.setdefault(str(record.get("id")), index)
    items, counts = resolve_labels([r for records in per_file for r in records], annotator=annotator,
                                   allow_suggested=allow_suggested)
    if counts["ties"]:
        warn_caller(f"{counted(counts['ties'], what + ' item')} left out: their annotators disagree with no majority")
    if counts["unlabelled"]:  # skipped, retracted, or rows of an item file no one labelled
        warn_caller(f"{counted(counts['unlabelled'], what + ' item')} left out: they have no label" + (
            f" by annotator {annotator!r}" if annotator else "") + " (skipped, retracted or never labelled)")
    if not items:
        raise InputError(f"{paths[0]}: no labelled items" + (f" by annotator {annotator!r}" if annotator else ""))
    if len({item.label for item in items}) == 1:
        message = f"every {what} item is labelled {items[0].label!r}"
        if what == "training":  # continuing on one class teaches the model to answer it always
            raise InputError(f"{paths[0]}: {message}: a model learns nothing but that label from them; "
                             "label items of at least two classes")
        warn_caller(f"{message}: macro-F1 on them says little")
    task = task_of_labels({item.label for item in items}, where=str(paths[0]))
    no_actor = next((item for item in items if not item.has_actor), None) if task.needs_actor else None
    if no_actor is not None:
        raise InputError(f"{paths[0]}: item {no_actor.id!r} has no 'actor' (the target whose stance is learnt)")
    return items


def parse_file_weights(specs: Optional[list[str]], paths: list[Path]) -> Optional[list[float]]:
    """``--file-weight PATH=W`` (repeatable) -> one weight per label file, in file order (others 1)."""
    if not specs:
        return None
    from classifier.models.train import check_file_weight, check_file_weights

    weights = [1.0] * len(paths)
    named = option("file_weights", flag="--file-weight")  # file_weights from Python
    for spec in specs:
        name, sep, value = spec.rpartition("=")
        if not sep:
            raise InputError(f"{named} {spec!r}: write PATH=WEIGHT, e.g. data/ours.jsonl=2")
        matches = [i for i, p in enumerate(paths) if str(p) == name or p.name == name
                   or p.resolve() == Path(name).resolve()]
        if not matches:
            raise InputError(f"{named} {spec!r}: {name} is not one of the label files given")
        try:
            weight = float(value)
        except ValueError:
            raise InputError(f"{named} {spec!r}: {value!r} is not a number") from None
        check_file_weight(weight, f"{named} {spec!r}")  # the check of a Python caller's config.file_weights
        for i in matches:
            weights[i] = weight
    check_file_weights(weights)  # and not every one 0
    return weights


def default_model_dir(task: Task = STANCE) -> Path:
    """The shipped model of a task: models/default (stance) or models/sentiment."""
    from classifier.models import stance_model

    return stance_model.DEFAULT_MODEL_DIR if task is STANCE else stance_model.SENTIMENT_MODEL_DIR


def shadowing_variable(task: Task, target: Path) -> str | None:
    """``NAME=VALUE`` of the environment variable that names another default model of ``task`` than ``target``."""
    from classifier.models import stance_model

    name = stance_model.MODEL_ENV if task is STANCE else stance_model.SENTIMENT_ENV
    value = os.environ.get(name, "").strip()
    if value and Path(value).resolve() != Path(target).resolve():
        return f"{name}={value}"
    return None


def check_base_option(base: Optional[str]) -> None:
    if base:
        resolve_base(base)  # a missing folder stops here, before the labels are read


def resolve_base_option(base: Optional[str], task: Task = STANCE) -> str:
    if base:
        return base
    default = default_model_dir(task)
    if not (default / "config.json").exists():
        raise InputError(f"{default}: no default model to start from (for {task.name} labels); pass "
                         f"{option('base', 'minilm')} (the bundled encoder), a Hugging Face name, or a model directory")
    return str(default)


def default_reference(task: Task = STANCE) -> Optional[str]:
    """With a fresh head on an encoder there is no starting model: compare with the task's default one."""
    default = default_model_dir(task)
    return str(default) if (default / "config.json").exists() else None


def reference_model(base: str, task: Task) -> Optional[str]:
    """The model the new one is compared with: the starting model when it is a model of this task, else
    the task's shipped model."""
    from classifier.models.stance_model import saved_task

    if base and saved_task(Path(base)) == task.name:
        return base
    return default_reference(task)


def check_out_dir(out_dir: Path, *inputs: str | Path | None, overwrite: bool = False) -> None:
    """Before any training: --out is not a shipped model, may hold a model (stance_model.check_model_target), and
    neither is nor holds one of ``inputs`` (label files, --base, --teacher), which replacing it would delete; a
    finished model there is replaced only with ``overwrite`` (--overwrite)."""
    from classifier.io.files import check_not_inside
    from classifier.models.stance_model import check_model_target, shipped_model
    from classifier.tasks import SENTIMENT

    named = option("out")  # and out, promote=True, overwrite=True from Python
    check_not_inside(out_dir, *(given for given in inputs if given is not None and Path(given).exists()),
                     option=named)

    for task in (STANCE, SENTIMENT):
        if out_dir.resolve() == default_model_dir(task).resolve():
            raise InputError(f"{named} {out_dir}: that is the shipped {task.name} model; write elsewhere and add "
                             f"{option('promote', True)} to replace it")
    resolved = out_dir.resolve()  # a link to models/newsmtsc-v16 is that folder
    if shipped_model(out_dir):
        raise InputError(f"{named} {out_dir}: a model the project ships (models/{shipped_model(out_dir)}); write "
                         "elsewhere")
    for folder in resolved.parents:
        if (folder / "stance.json").exists() and (folder / "model.safetensors").exists():
            raise InputError(f"{named} {out_dir}: inside the stance model folder {folder}, which could then no "
                             "longer be replaced or promoted (it would hold a subfolder); name a folder outside it "
                             "(nothing was changed)")
    check_model_target(out_dir, named)
    if not overwrite and out_dir.is_dir() and any(out_dir.iterdir()):  # an earlier model: check_model_target
        unfinished = train_checkpoint(out_dir)
        if unfinished.exists():  # a run with --overwrite was killed: the same command finishes it
            raise InputError(f"{named} {out_dir}: holds a finished model, and {unfinished.name} beside it is an "
                             f"unfinished run that replaces it; rerun with {option('overwrite', True)} to finish it, "
                             "or remove the checkpoint (nothing was changed)")
        raise InputError(f"{named} {out_dir}: holds a finished model; add {option('overwrite', True)} to replace it "
                         "(it stays as it is until the new one is saved) or name a new folder (nothing was changed)")


def train_checkpoint(out_dir: Path) -> Path:
    """Where a run into ``out_dir`` keeps its training state (beside it, hidden) until the model is saved:
    the same command rerun after a kill resumes from there."""
    return out_dir.parent / f".{out_dir.name}.train-checkpoint.pt"


def unsaved_words(out_dir: Path, checkpoint: Path) -> str:
    """What a run stopped by its model's error leaves: no model in ``out_dir``, and the checkpoint saved before the
    error, if any, for the same command to resume from. None is saved at the error itself: a step cut half way (an
    optimiser that ran out of memory part way through the weights) is no state to resume, and after a CUDA error
    the device's weights cannot be read."""
    from classifier.models.train import CHECKPOINT_SECONDS

    if checkpoint.exists():
        return (f"nothing was saved to {out_dir}; the checkpoint {checkpoint.name} beside it (saved before the error) "
                "is kept: rerun the same command to resume from it")
    return (f"nothing was saved to {out_dir}, and no checkpoint yet (one is saved every "
            f"{CHECKPOINT_SECONDS / 60:g} minutes of training and at its end): rerun the same command to start again")

def absent_note(comparison: dict, task: Task = STANCE) -> str | None:
    """What a class with no held-out gold item does to the figures ("no gold against: macro-F1 counts it as 0, as
    F1 favor+against does"; ``evaluate.absent_gold_words``), said under the held-out table and beside the card's
    held-out figures; None where every class has one."""
    from classifier.evaluate import absent_gold_words
    from classifier.report.tables import polar_name

    absent = absent_classes(comparison)
    if not absent:
        return None
    polar = [label for label in absent if label in task.labels[:2]]
    return absent_gold_words(absent) + (f", as {polar_name(task.labels)} does" if polar else "")


def absent_classes(comparison: dict) -> list[str]:
    """The classes no held-out gold item has (each model's metrics count the same gold items)."""
    metrics = next(iter(comparison["metrics"].values()), {})
    return [label for label, m in metrics.get("per_class", {}).items() if not m["support"]]


def compare_on_test(test: list[Item], predictions: dict[str, list[str]], n_boot: int, seed: int,
                    task: Task = STANCE) -> dict:
    """Both models' metrics on the same items, and a paired bootstrap by article of new - reference."""
    from classifier.evaluate import classification_metrics

    gold = [it.label for it in test]
    metrics = {key: classification_metrics(gold, predicted, task.labels) for key, predicted in predictions.items()}
    comparison = {"n": len(test), "n_articles": len({it.article or it.id for it in test}),
                  "models": list(predictions), "metrics": metrics, "paired": None}
    if "reference" in predictions and n_boot > 0:  # compare_frames counts the articles and says when too few
        from classifier.evaluate import compare_frames, prediction_frame

        paired = compare_frames(prediction_frame(test, predictions["reference"], "reference", task),
                                prediction_frame(test, predictions["new"], "new", task), n_boot=n_boot, seed=seed)
        comparison["paired_frames"] = paired  # for the verdict in words (not kept in the card)
        if paired["note"]:
            comparison["paired_note"] = paired["note"]
        else:
            comparison["paired"] = {m: {k: paired["metrics"][m][k] for k in ("difference", "ci", "p_value")}
                                    for m in COMPARED}
            comparison["ci"] = {key: {m: paired["metrics"][m][f"{side}_ci"] for m in COMPARED}
                                for key, side in (("new", "second"), ("reference", "first"))}
            comparison["paired_warning"] = paired["warning"]
    return comparison


# Where the table's caption has said why there is no paired interval (too few held-out articles), the sentences
# printed after it point to it: the run said "the gold items come from 1 article, too few for a bootstrap by article
# (it needs 5) ..." three times, in the caption, the verdict and the warning.
SEE_CAPTION = "see the note under the table"


def comparison_words(comparison: dict, names: dict[str, str], after_table: bool = False) -> str | None:
    """Which model scored higher on the held-out items, by how much, with n and intervals; None without a
    reference model or with --n-boot 0. ``after_table``: printed under the table, whose caption says why there is no
    interval (the card's sentence stands alone and says it)."""
    from classifier.evaluate import comparison_verdict

    paired = comparison.get("paired_frames")
    if paired and after_table and paired.get("note"):
        paired = {**paired, "note": SEE_CAPTION}
    return comparison_verdict(paired, names["reference"], names["new"]) if paired else None


def no_interval(comparison: dict, after_table: bool = True) -> str:
    """Why the difference has no interval. ``after_table``: said after the table, whose caption has given the reason
    at length; else (a Python caller, who is shown no table) the reason itself: it said "as the note under the table
    says" there too."""
    if not comparison.get("paired_note"):
        return f"no paired bootstrap ({option('n_boot', 0)})"
    if after_table:
        return "too few held-out articles, as the note under the table says"
    from classifier.evaluate import MIN_RESAMPLED_ARTICLES

    return (f"too few held-out articles, {numeral(comparison['n_articles'])} where a bootstrap by article needs "
            f"{MIN_RESAMPLED_ARTICLES}")


def worse_than_reference(comparison: dict) -> str:
    """How the new model falls behind the starting one on macro-F1 ("0.41 against 0.47"), or ''."""
    metrics = comparison["metrics"]
    if "reference" not in metrics:
        return ""
    new, old = metrics["new"]["macro_f1"], metrics["reference"]["macro_f1"]
    return against_words(new, old) if new < old else ""


def against_words(new: float, old: float) -> str:
    """"macro-F1 0.412 against 0.468", in as many decimals as tell the two apart ("0.4587 against 0.4591")."""
    from classifier.evaluate import apart

    digits = apart(new, old)
    return f"macro-F1 {new:.{digits}f} against {old:.{digits}f}"


def behind_words(comparison: dict, versus: str, after_table: bool = True) -> str:
    """The warning for a new model whose macro-F1 on the held-out items is below ``versus``'s: WORSE only where the
    paired 95% interval of the difference lies below 0; else LOWER, with why these items cannot tell it from a tie
    (the verdict sentence above it says "cannot tell the two apart", which "WORSE" contradicted). ``after_table``:
    as ``no_interval``'s."""
    metrics = comparison["metrics"]
    new, old = metrics["new"]["macro_f1"], metrics["reference"]["macro_f1"]
    ci = ((comparison.get("paired") or {}).get("macro_f1") or {}).get("ci")
    said = f"on the {counted(comparison['n'], 'held-out item')}: {against_words(new, old)}"
    if ci and ci[1] < 0:
        return (f"the new model is WORSE than {versus} {said}, the paired 95% interval of the difference "
                f"[{ci[0]:+.3f}, {ci[1]:+.3f}] below 0")
    why = (f"the paired 95% interval of the difference, [{ci[0]:+.3f}, {ci[1]:+.3f}], holds 0" if ci else
           f"no interval for the difference: {no_interval(comparison, after_table)}")
    return (f"the new model scored LOWER than {versus} {said} ({why}, so these items cannot tell it from a tie, "
            "and nothing shows it better)")


def promotion_doubt(comparison: dict, versus: str, after_table: bool = True) -> str:
    """Why --promote keeps ``versus`` though the new model scored no lower than it on the held-out items ('' when
    the paired 95% interval of the new model's macro-F1 minus that model's lies above 0, the difference
    above 0): a point lead inside an interval that holds 0 is one these items cannot tell from a tie or a loss.
    ``after_table``: as ``no_interval``'s."""
    paired = (comparison.get("paired") or {}).get("macro_f1") or {}
    ci, difference = paired.get("ci"), paired.get("difference")
    if not ci:
        return (f"no interval for the difference from {versus} ({no_interval(comparison, after_table)}), so nothing "
                "shows that the "
                "new model is not worse")
    if difference > 0 and ci[0] > 0:  # as evaluate's verdict: an interval from 0 holds 0
        return ""
    return (f"macro-F1 {difference:+.3f} over {versus}, 95% interval [{ci[0]:+.3f}, {ci[1]:+.3f}], which holds 0: "
            f"the {counted(comparison['n'], 'held-out item')} cannot tell the two apart")


def refused_promotion() -> str:
    """The start of a warning that the new model is not promoted: ``--promote refused: `` (``promote=True refused: ``
    from Python, which has no --promote)."""
    return f"{option('promote', True)} refused: "


def worse_than_incumbent(outcome, comparison: dict, reference: Optional[str], task: Task, n_boot: int = 0,
                         after_table: bool = True) -> str:
    """Whether the model --promote would replace (models/default or models/sentiment) beats the new one on the same
    held-out items, or is not shown to be behind it (:func:`promotion_doubt`), when it is not the model compared
    already (training from another --base): said as a warning, and a reason not to promote ('' when the new model
    is better beyond its interval). ``after_table``: as ``no_interval``'s."""
    from classifier.evaluate import BOOTSTRAP_SEED
    from classifier.models.stance_model import StanceModel
    from classifier.models.train import predicted_labels

    target = default_model_dir(task)
    if not (target / "config.json").exists() or (reference and Path(reference).resolve() == target.resolve()):
        return ""
    old_labels = predicted_labels(StanceModel.load(target), outcome.test)
    against = compare_on_test(outcome.test, {"reference": old_labels, "new": outcome.predictions["new"]}, n_boot,
                              BOOTSTRAP_SEED, task)
    new, old = against["metrics"]["new"]["macro_f1"], against["metrics"]["reference"]["macro_f1"]
    versus = f"{target} (the model {option('promote', True)} would replace)"
    if new < old:
        warn_caller(f"{refused_promotion()}{behind_words(against, versus, after_table)}; "
             f"{target} is left as it was")
        return against_words(new, old)
    doubt = promotion_doubt(against, versus, after_table)
    if doubt:
        warn_caller(f"{refused_promotion()}{doubt}; the new model is saved, and {target} is left as it was")
    return doubt


def warn_test_learnt_by_reference(test: list[Item], reference: Optional[str], started_from: bool) -> None:
    """A warning where some held-out items are among those the model compared with trained on (its folder's
    ``trained_items.txt``): its figures on them are in-sample, so the comparison credits it (and the new model, where
    it started from it and learnt them too) with items it learnt. evaluate and classify said so of such items; train
    compared on them in silence (a --test of BASIL sentences against models/default, which learnt 176 of 323)."""
    from classifier.models.card import in_sample_words, trained_items

    known = trained_items(reference) if reference else None
    if known is None:
        return
    found, total = known.count((item.text, item.actor) for item in test)
    if found:
        name = Path(reference).name
        warn_caller(f"held-out test: {in_sample_words(found, total, name)}: the comparison credits {name}"
             + (" (and the new model, which started from it)" if started_from else "")
             + " with items it learnt; test on labelled items no model here trained on")


def split_line(n_labels: int, split: dict, tested: bool, epochs: int) -> str:
    """The line before training: what trains, for how long, what is held out, and how many labels are set aside
    and why (``retrain``'s split). It counted the labels read as training ones: "54 labels: no dev split, every label
    trains", where the 33 whose article was in --test trained not at all."""
    from classifier.models.train import LEFT_OUT_FOR_DEV, left_out_reason

    def some(n: int, articles: int) -> str:
        return f"{numeral(n)} ({counted(articles, 'article')})"

    dropped, for_dev = split["left_out_for_test"], split.get("left_out_for_dev", 0)
    aside = f"{numeral(dropped)}{'' if tested else ' more'} set aside, as {left_out_reason(tested)}" if dropped else ""
    held = (f"tested on the {counted(split['test'], 'item')} of --test ({counted(split['test_articles'], 'article')})"
            if tested
            else f"{some(split['test'], split['test_articles'])} held out as the test")
    epochs_text = counted(epochs, "epoch")
    # the items set aside for the dev split are said beside it, with their own reason: they were counted with those
    # of --test, under its reason
    trains = f"{some(split['train'], split['train_articles'])} train" + (
        f" for up to {epochs_text}, the epoch picked by a dev split of {some(split['dev'], split['dev_articles'])}"
        + (f", {numeral(for_dev)} more set aside, as {LEFT_OUT_FOR_DEV}" if for_dev else "")
        if split["dev"] else f" for {epochs_text}, no dev split")
    parts = [aside, trains, held] if tested else [held + (f", {aside}" if aside else ""), trains]
    return f"{counted(n_labels, 'label')}: " + "; ".join(part for part in parts if part) + "; no article in two splits"


def label_summary(counts: dict, labels=LABELS) -> str:
    return ", ".join(f"{label} {numeral(counts.get(label, 0))}" for label in labels)  # "favor 1,204"


def card_name(model: str | None) -> str | None:
    """A model (--base, --teacher) as the card names it: a folder as a shared file names a path
    (``io.files.shared_path``: the default's /home/alice/stance/models/default was written whole), a Hugging Face
    name or a bundled encoder's as given."""
    from classifier.io.files import shared_path

    return shared_path(model) if model is not None and Path(model).exists() else model


def base_with_hash(base: str) -> str:
    """The base as the card names it (``card_name``), and where it is a model folder its name@hash, which stays
    true after --promote replaces the folder's contents."""
    from classifier.models.stance_model import STANCE_FILE, model_hash, read_settings

    path = Path(base)
    if not (path / "model.safetensors").is_file():
        return card_name(base)
    name = (read_settings(path).get("name") if (path / STANCE_FILE).exists() else None) or path.name
    return f"{card_name(base)} ({name}@{model_hash(path)})"


def build_card(out_dir: Path, outcome, base: str, paths: list[Path], test_paths: list[Path], items: list[Item],
               comparison: dict, reference: Optional[str], split_options: Optional[dict] = None,
               command: Optional[str] = None) -> dict:
    """The model card: what trained it, on what, how it was split, and the held-out comparison; ``command``: how the
    run was asked for (the CLI's ``stance ...`` as typed; else the command line of this process)."""
    import json

    import torch

    from classifier.models.card import HELD_OUT_FILE, provenance
    from classifier.models.train import set_aside

    config, result = outcome.config, outcome.result
    task = result.model.task
    evaluation = card_evaluation(comparison, reference, base, task)
    return {
        "name": out_dir.name,
        "summary": ("Target-aware stance toward an actor (favor / against / neutral), fine-tuned on our own labels."
                    if task is STANCE else
                    "Sentence sentiment (positive / negative / neutral), fine-tuned on our own labels."),
        "base": base_with_hash(base),
        "labels": result.model.labels,
        "input_format": result.model.input_format,
        "input_description": (f"Input format '{result.model.input_format}' (see classifier/models/inputs.py): "
                              + ("the actor's mentions wrapped in <t> ... </t>" if task.needs_actor else
                                 "the sentence alone, no actor") +
                              f"; at most {result.model.max_length} tokens. Pooling: {result.model.pooling}."),
        "data": {"label files": ", ".join(f"{shared_path(p)} (sha256 {file_sha256(p)[:12]})" for p in paths),
                 "test files": ", ".join(f"{shared_path(p)} (sha256 {file_sha256(p)[:12]})" for p in test_paths)
                               or f"held out from the label files ({HELD_OUT_FILE} in this folder)",
                 "labelled items read": len(items),
                 "labels of the training split": label_summary(outcome.split["train_labels"], task.labels),
                 **({"file weights": ", ".join(f"{Path(given_name(p)).name} {w:g}"
                                               for p, w in zip(paths, config.file_weights))}
                    if config.file_weights else {}),
                 "train / dev / test items": "{train} / {dev} / {test}".format(**outcome.split),
                 "train / dev / test articles": "{train_articles} / {dev_articles} / {test_articles}".format(
                     **outcome.split),
                 **({"split options": ", ".join(f"{k} {v}" for k, v in split_options.items())}
                    if split_options else {}),
                 "split": "by article (no article in two splits)" + "".join(
                     f"; {counted(n, 'labelled item')} left out of training: {reason}"
                     for n, reason in set_aside(outcome.split, bool(test_paths)))},
        "hyperparameters": {**config.as_dict(), "base": card_name(config.base), "teacher": card_name(config.teacher),
                            "best_epoch": result.best_epoch},
        "training": {"seconds": round(result.seconds), "machine": f"{os.cpu_count()} CPU cores, {platform.machine()}",
                     "torch": torch.__version__, "command": command or "stance " + " ".join(sys.argv[1:]),
                     **provenance(out_dir),  # version, git commit, the command's folder relative to the model's
                     "history": json.dumps(result.history),
                     **({"resumed after a stop at": "; ".join(result.resumed)} if result.resumed else {})},
        "evaluation": evaluation,
        "comparison": {key: value for key, value in comparison.items() if key not in ("paired_frames", "verdict")},
        **({"verdict": comparison["verdict"]} if comparison.get("verdict") else {}),
        "limitations": ("Trained and tested on a small set of labelled sentences; the test figures have wide "
                        "intervals. Check per-outlet figures with 'stance evaluate' before publishing shares."),
        "created": time.strftime("%Y-%m-%d"),
    }


def card_evaluation(comparison: dict, reference: Optional[str], base: str, task: Task = STANCE) -> dict:
    """The card's held-out figures ("evaluation"): each model's, with its n, articles, 95% intervals by article and,
    where a class has no gold item, the note that says what that does to them (``absent_note``), and the paired
    difference where there is one."""
    cis = comparison.get("ci") or {}

    def figures(key: str) -> dict:  # each figure with its n, articles and 95% interval by article (text: the card
        shown = {"n": comparison["metrics"][key]["n"], "articles": comparison["n_articles"]}  # renders no lists)
        for m in COMPARED:
            ci = cis.get(key, {}).get(m)
            shown[m] = round(comparison["metrics"][key][m], 4)
            if ci:
                shown[f"{m} 95% CI"] = f"[{ci[0]:.4f}, {ci[1]:.4f}]"
        if note := absent_note(comparison, task):  # accuracy 1.0 beside macro-F1 0.6667 had stood unexplained
            shown["note"] = note
        return shown

    evaluation = {"test (this model)": figures("new")}
    if "reference" in comparison["models"]:
        role = "starting model" if reference == base else "default model"
        evaluation[f"test ({role} {Path(reference).name})"] = figures("reference")
        paired = comparison.get("paired") or {}
        if paired:
            evaluation[f"this model - {role} (paired bootstrap by article)"] = {
                m: f"{paired[m]['difference']:+.4f} [{paired[m]['ci'][0]:+.4f}, {paired[m]['ci'][1]:+.4f}], "
                   f"p {paired[m]['p_value']:.4f}" for m in COMPARED if paired[m].get("ci")}
    return evaluation


def promoted_card(card: dict, target: Path) -> dict:
    """The card as saved in the folder --promote fills: its name, and the command's folder relative to it."""
    from classifier.models.card import working_directory

    training = {key: value for key, value in card.get("training", {}).items() if key != "working directory"}
    where = working_directory(target)
    return {**card, "name": target.name, "training": {**training, **({"working directory": where} if where else {})}}


def make_config(base: str, epochs, learning_rate, batch_size, patience, class_weighting, seed, pooling=None,
                teacher=None, distill_weight=None, device=None):
    from classifier.models.train import small_data_config

    return small_data_config(base, epochs=epochs, learning_rate=learning_rate, batch_size=batch_size,
                             patience=patience, class_weighting=class_weighting, seed=seed, pooling=pooling,
                             teacher=teacher, distill_weight=distill_weight, device=device)



@dataclass
class TrainingResult:
    """What :func:`train_model` did: the folder it saved the new model to (its ``model_card.json`` beside the
    weights), the held-out comparison (each model's metrics, the paired bootstrap, the ``verdict`` in words), and
    with ``promote`` the default it replaced, or why it did not (``behind``)."""
    model_dir: Path
    card_file: Path
    comparison: dict
    names: dict                  # "new", "reference": the models as the comparison names them
    task: str                    # stance | sentiment
    # why promote=True kept the default (the lower macro-F1, or why the paired interval does not show the new model
    # better); without promote only a lower macro-F1 than the model compared ("macro-F1 0.41 against 0.47"), so ''
    # is no sign of a better model there: read comparison["verdict"]
    behind: str = ""
    promoted: Optional[Path] = None  # the default model folder now holding it (promote=True and shown better)
    retrained: object = field(default=None, repr=False)  # models.train.RetrainResult: split, history, the model
    promote: bool = False        # whether promote=True was asked

    @property
    def promote_refused(self) -> bool:
        """A ``promote=True`` run whose model was saved but, not shown better, not promoted (the CLI's exit 3)."""
        return self.promote and self.promoted is None


def as_paths(given, name: str, what: str = "a label file (.jsonl, .csv or .parquet)") -> list[Path]:
    """A label file argument (one path, or a list of them) as a list of paths; anything else is an InputError."""
    if given is None:
        return []
    items = [given] if isinstance(given, (str, os.PathLike)) else list(given) if isinstance(given, (list, tuple)) \
        else [given]
    for value in items:
        check_paths(what, **{name: value})
    return [Path(value) for value in items]


def within_spooled_inputs(function: Callable) -> Callable:
    """``function`` run within a session of its own (``io.files.spooled_inputs``, "-" the caller's: a file called
    "-" in Python, standard input within the CLI's session), which keeps a pipe's saved bytes until it returns: the
    card hashes the label files once the model is trained."""
    import functools

    from classifier.io.files import spooled_inputs

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with spooled_inputs(stdin=False):
            return function(*args, **kwargs)

    return wrapper


@within_spooled_inputs
def train_model(labels, out, *, base: Optional[str] = None, test=None, test_fraction: float = 0.2,
                dev_fraction: Optional[float] = None, epochs: Optional[int] = None, lr: Optional[float] = None,
                batch_size: Optional[int] = None, patience: Optional[int] = None,
                class_weighting: Optional[str] = None, pooling: Optional[str] = None, teacher=None,
                distill_weight: Optional[float] = None, sampling_alpha: float = 1.0, file_weights=None,
                unmarked_share: Optional[float] = None, text_column: Optional[str] = None,
                actor_column: Optional[str] = None, label_column: Optional[str] = None, seed: int = 13,
                device: str = "cpu", annotator: Optional[str] = None, allow_suggested: bool = False,
                n_boot: int = 1000, promote: bool = False, overwrite: bool = False,
                log: Optional[Callable[[str], None]] = print, say: Callable[[str], None] = print,
                on_step: Optional[Callable[[int, int], None]] = None, on_scoring: Optional[Callable[[], None]] = None,
                around_training: Optional[Callable[[], ContextManager]] = None,
                on_compared: Optional[Callable[[dict, dict, Task], None]] = None,
                command: Optional[str] = None) -> TrainingResult:
    """Fine-tune a model on ``labels`` (a label file from ``stance label``, or a labelled item file: JSONL, CSV,
    Parquet; or a list of them), save it to ``out`` with its model card, and compare it with the model it started
    from on the same held-out items: what ``stance train LABELS --out OUT`` does, with its options as keywords
    (``lr`` is ``--lr``, ``file_weights`` ``--file-weight``: ``{path: weight}`` or ``["PATH=W", ...]``).

    Held out: ``test`` (label files), else ``test_fraction`` of the articles. ``base``: the model (or encoder) to
    start from, by default the shipped model of the labels' task. ``promote``: also replace that shipped model, only
    where the new one is better on the held-out items beyond the paired 95% interval (else the new model is saved,
    the default kept, and ``result.promote_refused`` is True). ``overwrite``: replace a finished model in ``out``.

    ``log`` is told the progress lines (None: quiet, and the training items set aside are warned of instead);
    ``say`` the closing lines ("saved ...", "promoted: ..."). ``on_step(step, total)``, ``on_scoring()`` and
    ``around_training()`` (a context entered while the model loads, trains and scores: a progress bar) and
    ``on_compared(comparison, names, task)`` (told before the model is saved: a table, whose note the warnings
    then point to for why there is no interval; without it they say why) serve a display.
    Problems that do not stop the run are ``InputWarning``s; bad input is an ``InputError``, before any training.
    """
    from classifier.models.card import HELD_OUT_FILE, held_out_text, trained_items, trained_items_text
    from classifier.models.stance_model import model_folder, model_name, read_settings
    from classifier.models.train import (check_config_numbers, check_device, check_held_out_share, is_stance_model,
                                         labels_left_to_train, retrain, set_aside, small_data_schedule)

    labels = as_paths(labels, "labels")
    if not labels:
        raise InputError("labels: no label file given")
    test = as_paths(test, "test") or None
    # one file twice trained as once (its items are one item each) and sampled as its first listing: said, not silent
    check_given_once(labels, "the label files", f" (to weigh one more: {option('file_weights', flag='--file-weight')})")
    # a file both trains and tests: every item of it held out, then "only 0 training items ...; label more articles"
    check_given_once(test or [], f"the files of {option('test')}", apart_from=labels, apart_what="the label files",
                     apart_hint="a file cannot both train the model and test it: give it to one of them (without "
                                f"{option('test')}, {option('test_fraction')} holds out articles of the label files)")
    check_paths("a model folder", out=out)
    out_dir = Path(out)
    # the numbers typer's ranges check in the CLI (--lr there too): models.train's one check of them
    check_config_numbers(learning_rate=lr, epochs=epochs, batch_size=batch_size, patience=patience,
                         distill_weight=distill_weight, sampling_alpha=sampling_alpha, unmarked_share=unmarked_share,
                         test_fraction=test_fraction, dev_fraction=dev_fraction, names={"learning_rate": "lr"})
    check_held_out_share(bool(test), test_fraction)  # as retrain would, after torch and the starting model loaded
    check_at_least(**{option("seed"): (seed, 0), option("n_boot"): (n_boot, 0)})
    if isinstance(file_weights, dict):
        file_weights = [f"{path}={weight}" for path, weight in file_weights.items()]
    base = model_name(base) if base else base  # models/NAME: the checkout's from any directory, as --model
    teacher = model_folder(teacher) if teacher is not None else None
    check_out_dir(out_dir, *labels, *(test or []), base, teacher, overwrite=overwrite)
    if class_weighting not in (None, "none", "balanced", "sqrt"):
        raise InputError(f"{option('class_weighting')} {class_weighting!r}: use none, balanced or sqrt")
    if pooling not in (None, "cls", "mention"):
        raise InputError(f"{option('pooling')} {pooling!r}: use cls or mention")
    check_base_option(base)
    check_device(device)
    if teacher is not None and not is_stance_model(str(teacher)):
        raise InputError(f"{option('teacher')} {teacher}: not a stance model directory (no stance.json)")
    weights = parse_file_weights(file_weights, labels)
    # "-" or a pipe: saved, read as a file (the card hashes it once trained), told by its content; "-" for both the
    # labels and --test is refused (one stream: it had been read once and used as both, every item held out)
    labels, test = ([spooled_input(p, has_label_column, "a 'label' column", what=what) for p in given] if given
                    else given for given, what in ((labels, "the labels"), (test, "--test")))
    source_of: dict[str, int] = {}
    columns = column_map(text_column, actor_column, label_column)
    items = load_labelled(labels, annotator, allow_suggested, "training", source_of, columns)
    test_items = load_labelled(test, None, allow_suggested, "test", columns=columns) if test else None
    task = task_of_labels({it.label for it in items}, where="the label files")
    tested = other_task((it.label for it in test_items or []), task, where="--test")
    if tested:  # a test set of the other task: said so, not "labels belong to no task"
        raise InputError(f"{option('test')} {', '.join(map(str, test))}: {tested.name} labels, and the training "
                         f"labels are {task.name} labels; test on labels of the task trained")
    base = resolve_base_option(base, task)
    reference = reference_model(base, task)
    # the labels that train decide on a dev split, not the labels read: --test (or --test-fraction) takes its own first
    dev_fraction, epochs = small_data_schedule(labels_left_to_train(items, test_items, test_fraction, seed),
                                               dev_fraction, epochs)
    config = make_config(base, epochs, lr, batch_size, patience, class_weighting, seed, pooling,
                         str(teacher) if teacher else None, distill_weight, device)
    config.sampling_alpha, config.file_weights, config.task = sampling_alpha, weights, task.name
    if unmarked_share is not None:
        config.unmarked_share = unmarked_share
    quiet = log is None
    log = log or (lambda s: None)

    def announce(split: dict) -> None:  # once the split is made: the labels that train, not the labels read
        for n, reason in set_aside(split, bool(test)) if quiet else ():  # else the line says it
            warn_caller(f"{counted(n, 'training item')} left out: {reason}")
        log(split_line(len(items), split, bool(test), epochs))

    checkpoint = train_checkpoint(out_dir)
    with around_training() if around_training else contextlib.nullcontext():
        # a model that raises (a CUDA error, out of memory) while it trains or scores: one line, no model written
        with model_failures(None, lambda: unsaved_words(out_dir, checkpoint)):
            outcome = retrain(items, config, test_items=test_items, test_fraction=test_fraction,
                              dev_fraction=dev_fraction, reference=reference, log=log, checkpoint=checkpoint,
                              source_of=source_of if len(labels) > 1 else None, warn=warn_caller,
                              on_step=on_step, announce=announce, on_scoring=on_scoring)
    # the bootstrap's seed is evaluate's, not seed: the card and 'stance evaluate --compare' on the same
    # predictions give one interval, not two (evaluate imported here: pandas and sklearn wait for the checks above)
    from classifier.evaluate import BOOTSTRAP_SEED

    comparison = compare_on_test(outcome.test, outcome.predictions, n_boot, BOOTSTRAP_SEED, task)
    options = {"test fraction": "--test" if test else test_fraction, "dev fraction": dev_fraction, "seed": seed,
               "bootstrap resamples": n_boot, "bootstrap seed": BOOTSTRAP_SEED,
               "annotator": annotator or "majority of people"}
    names = {"new": f"new ({out_dir.name})",
             "reference": f"{'start' if reference == base else 'default'} ({Path(reference or base).name})"}
    comparison["verdict"] = comparison_words(comparison, names)
    card = build_card(out_dir, outcome, base, labels, test or [], items, comparison, reference, options,
                      command or python_command(labels, out_dir))
    if on_compared is not None:
        on_compared(comparison, names, task)
    warn_test_learnt_by_reference(outcome.test, reference, reference == base)
    worse = worse_than_reference(comparison)
    table = on_compared is not None  # a display shows the table, whose note says why there is no interval
    if worse:  # said before the model is written, so nobody mistakes it for an improvement
        warn_caller((refused_promotion() if promote else "") + behind_words(comparison, names["reference"], table)
                    + "; it is saved for inspection"
                    + (f", and {default_model_dir(task)} is left as it was" if promote else ""))
    elif promote:  # not behind on the point figure: promoted only where the paired interval shows it ahead
        doubt = promotion_doubt(comparison, names["reference"], table) if "reference" in comparison["models"] else ""
        if doubt:
            warn_caller(f"{refused_promotion()}{doubt}; the new model is saved, and {default_model_dir(task)} is left "
                        "as it was")
        worse = doubt or worse_than_incumbent(outcome, comparison, reference, task, n_boot, table)
    # the keys of the train and dev items, and those of the starting model's list (it learnt them too), so that
    # evaluate, classify and calibrate can tell items it learnt
    trained_keys = trained_items_text(outcome.trained, with_actor=task.needs_actor,
                                      base=trained_items(base) if base and Path(base).is_dir() else None)
    # the items held out of the label files (not test's, which are a file already), with their labels, so that
    # they can be scored again: stance classify OUT/heldout.jsonl, then evaluate --compare
    held_out = None if test else held_out_text(outcome.test)
    outcome.result.model.save(out_dir, card, trained_items=trained_keys, held_out=held_out)
    checkpoint.unlink(missing_ok=True)
    trained = len(outcome.result.history)  # without a dev split nothing picks an epoch: the last one is kept
    kept = (f"best epoch by dev macro-F1: {numeral(outcome.result.best_epoch)} of {numeral(trained)}"
            if outcome.split["dev"] else
            f"the last of {numeral(trained)} epoch{'s' if trained != 1 else ''}, no dev split")
    say(f"saved {out_dir} ({kept}; {round(outcome.result.seconds)} s)"
        + (f"; its {counted(len(outcome.test), 'held-out item')} in {out_dir / HELD_OUT_FILE}"
           if held_out is not None else ""))
    result = TrainingResult(out_dir, out_dir / "model_card.json", comparison, names, task.name, worse or "",
                            retrained=outcome, promote=promote)
    if promote and not worse:
        target = default_model_dir(task)
        try:  # the temperature of the model about to be replaced, for the warning below
            replaced = float(read_settings(target).get("temperature", 1.0)) if (target / "stance.json").exists() \
                else 1.0
        except InputError:
            replaced = 1.0
        outcome.result.model.save(target, promoted_card(card, target), trained_items=trained_keys, held_out=held_out)
        result.promoted = target
        say(f"promoted: {target} now holds this model")
        if replaced != 1.0 and outcome.result.model.temperature == 1.0:
            warn_caller(f"{target} is not calibrated now (temperature 1.0; the model it replaced had {replaced:.2f}): "
                        f"run stance calibrate {target} DEV_LABELS on labelled items it never saw (not the test items)")
        shadow = shadowing_variable(task, target)
        if shadow:
            warn_caller(f"{shadow} is set, so commands and load_model() without a model named still use that model, "
                        f"not {target}; unset it (or point it at {target}) to use the promoted model")
    return result


def python_command(labels: Sequence[Path], out_dir: Path) -> str:
    """How the card names a run asked for in Python (the options are its hyperparameters)."""
    return f"classifier.train_model({[str(p) for p in labels]!r}, {str(out_dir)!r}, ...) in {sys.argv[0] or 'python'}"
