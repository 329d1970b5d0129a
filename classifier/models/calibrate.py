"""Temperature scaling (Guo et al. 2017): one scalar T that divides the logits, fitted by minimising the
negative log-likelihood on gold-labelled dev items, stored as ``temperature`` in ``MODEL_DIR/stance.json``."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax

from classifier.errors import InputError, model_calls, option, warn_caller

T_BOUNDS = (0.05, 20.0)
# A temperature is written only when fitted on MIN_DEV_ITEMS labelled items or more and inside SANE_TEMPERATURE, unless
# --force. On ten random subsets each of data/seed_labels.jsonl (models/default), the 95% interval by article reached
# 9.2 at 20 items and 9.9 at 50, at most 4.3 at 100 (docs/reference.md, stance calibrate). Outside 0.2-10 the fit
# makes nearly every probability near-certain, or near-uniform (at 10, models/default's most confident seed item says
# 0.44 of three classes).
MIN_DEV_ITEMS = 100
SANE_TEMPERATURE = (0.2, 10.0)
TEMPERATURE_RESAMPLES = 200


class RefusedFit(InputError):
    """A temperature that ``calibrate_model`` will not write without ``force`` (``doubtful_fit``): the message says
    why, ``result`` holds the fit (as ``calibrate_model`` returns it, ``written`` False) for a caller to show."""

    def __init__(self, message: str, result: dict):
        super().__init__(message)
        self.result = result


def nll_at(logits: np.ndarray, gold: np.ndarray, temperature: float, weights: np.ndarray | None = None) -> float:
    """Mean negative log-likelihood of the gold classes with logits divided by ``temperature`` (weighted by
    ``weights``, how often each item was drawn, where given)."""
    losses = -log_softmax(logits / temperature, axis=1)[np.arange(len(gold)), gold]
    return float(np.average(losses, weights=weights))


def fit_temperature(logits: np.ndarray, gold: np.ndarray, weights: np.ndarray | None = None) -> float:
    """The temperature in [0.05, 20] that minimises the NLL (bounded search on log T)."""
    logits, gold = np.asarray(logits, dtype=np.float64), np.asarray(gold, dtype=np.int64)
    if len(gold) == 0:
        raise InputError("no gold-labelled items to fit a temperature on")
    found = minimize_scalar(lambda log_t: nll_at(logits, gold, math.exp(log_t), weights),
                            bounds=tuple(math.log(b) for b in T_BOUNDS), method="bounded",
                            options={"xatol": 1e-5})
    return float(math.exp(found.x))


def temperature_interval(logits: np.ndarray, gold: np.ndarray, articles: list, n_boot: int = TEMPERATURE_RESAMPLES,
                         seed: int = 0) -> list[float] | None:
    """The 95% percentile interval of the fitted temperature over ``n_boot`` resamples of whole articles (the
    items of one article drawn together, as the report's intervals draw them; an item without an article alone),
    or None from a single article. ``articles``: one key per item, None where it has none."""
    from classifier.evaluate import cluster_resamples

    keys = [key if key is not None else ("alone", i) for i, key in enumerate(articles)]
    codes = np.unique([repr(key) for key in keys], return_inverse=True)[1].reshape(-1)
    if codes.max(initial=0) < 1:
        return None
    fits = [fit_temperature(logits, gold, weights=draw[codes]) for draw in cluster_resamples(codes, n_boot, seed)]
    low, high = np.percentile(fits, [2.5, 97.5])
    return [float(low), float(high)]


def doubtful_fit(items: int, temperature: float, interval: list[float] | None) -> str | None:
    """Why a fitted temperature should not be written without --force: too few items, or a temperature outside
    ``SANE_TEMPERATURE``; None where neither."""
    spread = f" (95% interval by article {interval[0]:.2f} to {interval[1]:.2f})" if interval else ""
    if items < MIN_DEV_ITEMS:
        return (f"fitted on {items} labelled item{'s' if items != 1 else ''}, fewer than {MIN_DEV_ITEMS}, the "
                f"temperature {temperature:.2f} is too uncertain{spread}")
    low, high = SANE_TEMPERATURE
    if not low <= temperature <= high:
        return (f"the temperature {temperature:.3g} is outside {low:g} to {high:g}: it would make nearly every "
                f"probability {'near-certain' if temperature < low else 'near-uniform'}{spread}")
    return None


def model_logits(model, items, *, batch_size: int = 64) -> np.ndarray:
    """Raw logits (before any temperature), one row per item in input order, columns in ``model.labels`` order."""
    encoded, _ = model.encode(items)
    order = np.argsort([-len(x.input_ids) for x in encoded], kind="stable")
    out = np.zeros((len(items), len(model.labels)))
    for start in range(0, len(order), batch_size):
        chosen = order[start:start + batch_size]
        out[chosen] = model.logits([encoded[i] for i in chosen]).double().numpy()
    return out


def calibration_summary(logits: np.ndarray, gold: np.ndarray, temperature: float, n_bins: int) -> dict:
    from classifier.evaluate import calibration_metrics

    probs = softmax(logits / temperature, axis=1)
    metrics = calibration_metrics(probs, gold, n_bins)
    return {"ece": metrics["ece"], "nll": metrics["nll"]}


def write_temperature(model_dir: Path, temperature: float) -> None:
    from classifier.io.files import write_json_atomic
    from classifier.models.stance_model import STANCE_FILE

    path = model_dir / STANCE_FILE
    settings = json.loads(path.read_text()) if path.exists() else {}
    settings["temperature"] = round(temperature, 6)
    write_json_atomic(path, settings)


def calibrate_model(model_dir: str | Path, dev_items: str | Path, *, batch_size: int = 64, n_bins: int = 10,
                    write: bool = True, force: bool = False) -> dict:
    """Fit the temperature on gold-labelled ``dev_items``, store it in the model directory (unless ``write`` is
    False), report ECE before/after and the temperature's 95% interval by article (``temperature_ci``). A fit on
    fewer than ``MIN_DEV_ITEMS`` items or outside ``SANE_TEMPERATURE`` (``doubt`` says why) is written only with
    ``force``: with ``write`` and without ``force`` it raises ``RefusedFit``, whose ``result`` is the fit, and
    nothing is written."""
    from classifier.items import check_unique_ids, read_items
    from classifier.models.stance_model import StanceModel, model_folder
    from classifier.tasks import SENTIMENT, STANCE, other_task

    model_dir = model_folder(model_dir)  # models/default from any directory, and its temperature written there
    model = StanceModel.load(model_dir)
    task = model.task
    finder = None
    if task.needs_actor:  # rows without spans get the mentions classify would find, and are scored as classify scores
        from classifier.actors import MentionFinder

        finder = MentionFinder()
    known = dict.fromkeys((*STANCE.labels, *SENTIMENT.labels))  # a label of no task: its file and line
    items = [item for item in read_items(dev_items, need_actor=False, allowed_labels=known, find_spans=finder)
             if item.label is not None]
    check_unique_ids(items, str(dev_items))
    if not items:
        raise InputError(f"{dev_items}: no item has a gold 'label'; calibration needs labelled dev items")
    found = other_task((item.label for item in items), task, str(dev_items))
    if found:
        raise InputError(f"{dev_items}: {found.name} labels, and {model_dir} is a {task.name} model; calibrate it "
                         f"on {task.name} labels")
    if task.needs_actor:
        missing = next((item for item in items if not item.has_actor), None)
        if missing is not None:
            raise InputError(f"{missing._where or dev_items}: no 'actor' (a {task.name} model scores the stance toward "
                             "one)")
    warn_if_trained_on(model_dir, dev_items, items, model.model_id)
    labels = list(model.labels)
    gold = np.array([labels.index(item.label) for item in items])
    with model_calls(model_dir):  # what the model raises (a CUDA error, out of memory): marked, for the CLI's line
        logits = model_logits(model, items, batch_size=batch_size)
    before, temperature = model.temperature, fit_temperature(logits, gold)
    interval = temperature_interval(logits, gold, [(item.source, item.article) if item.article else None
                                                   for item in items])
    doubt = doubtful_fit(len(items), temperature, interval)
    refused = write and doubt and not force
    result = {"model": str(model_dir), "items": len(items), "temperature_before": before, "temperature": temperature,
              "temperature_ci": interval, "doubt": doubt,
              "accuracy": float((logits.argmax(axis=1) == gold).mean()), "written": write and not refused,
              "before": calibration_summary(logits, gold, before, n_bins),
              "after": calibration_summary(logits, gold, temperature, n_bins),
              "uncalibrated": calibration_summary(logits, gold, 1.0, n_bins)}
    if refused:
        raise RefusedFit(f"{model_dir}: temperature not written: {doubt}; label more dev items, or "
                         f"{option('force', True)} writes it anyway", result)
    if write:
        write_calibration(model_dir, result, dev_items, task.name)
    return result


def write_calibration(model_dir: Path, result: dict, dev_items: str | Path, task: str) -> None:
    """The temperature into stance.json and the card's calibration section (model_card.json, README.md) as one
    step, so that a kill or a full disk never leaves the model using one temperature and its card naming another:
    the folder is staged with the changed files and swapped into place (``io.files.staged_update``, as a saved
    model is), where a kill leaves either the earlier folder or the new one (or, between the swap's two renames,
    the earlier one beside it, which the next write or load names). A folder without a card (a hub download) has
    only stance.json to change, written atomically in place. A folder the command runs inside is not swapped (the
    shell would be left in a removed folder): there the card is written first and stance.json last, so that a kill
    between them leaves the model scoring as before with a card a step ahead, which the next calibrate mends
    (``note_on_card``)."""
    from classifier.io.files import staged_update
    from classifier.models.card import read_card

    temperature = result["temperature"]
    if not read_card(model_dir):
        write_temperature(model_dir, temperature)
        return
    try:
        inside = Path.cwd().resolve().is_relative_to(Path(model_dir).resolve())
    except OSError:  # the working folder was removed under the process
        inside = False
    if inside:
        note_on_card(model_dir, result, dev_items, task)
        write_temperature(model_dir, temperature)
        return
    with staged_update(model_dir) as stage:
        write_temperature(stage, temperature)
        note_on_card(stage, result, dev_items, task)


def warn_if_trained_on(model_dir: Path, dev_items: str | Path, items, model_id: str) -> None:
    """A warning when some dev items are among those the model trained on (its ``trained_items.txt``, by each item's
    sentence and actor: a gold set built from its label files, a label file with more appended), or, for a model
    without that file, when the dev items are a file its card lists by sha256 (trained on, or tested on): a
    temperature fitted on items the model learnt is fitted to its confidence there, not on new text; one fitted on
    the test items leaves no held-out figure."""
    from classifier.models.card import in_sample_words, trained_items, trained_on

    known, found = trained_items(model_dir), trained_on(model_dir, dev_items)
    if known is not None:  # item by item; the card's bytes check still tells the test file (its items are not listed)
        learnt, total = known.count((item.text, item.actor) for item in items)
        if learnt:
            warn_caller(f"{dev_items}: {in_sample_words(learnt, total, model_id)}; calibrate on "
                        "labelled items it never saw, or the temperature fits its confidence on what it learnt")
        found = None if found == "label files" else found
    if found == "label files":
        warn_caller(f"{dev_items} is a file {model_dir} was trained on (its card says so): calibrate on labelled "
                    "items it never saw, or the temperature fits its confidence on what it learnt")
    elif found == "test files":
        warn_caller(f"{dev_items} is the file {model_dir} was tested on (its card says so): a temperature fitted on "
                    "the test items makes the test figures no longer held out; calibrate on other labelled items")


def note_on_card(model_dir: Path, result: dict, dev_items: str | Path, task: str) -> None:
    """The card's calibration section says which temperature the model now uses and what it was fitted on, and
    keeps the one it replaces (``earlier``, with what that was fitted on), so that it can be written back by hand:
    a shipped model's was fitted on data a user may not have."""
    import re

    from classifier.io.files import given_name
    from classifier.models.card import read_card, write_card

    card = read_card(model_dir)
    if not card:  # a folder without a card (a hub download): nothing to keep in step
        return
    before, after = result["before"], result["after"]
    prior, replaced = card.get("calibration") or {}, round(result["temperature_before"], 6)
    earlier = None
    if prior.get("temperature") != replaced and re.match(rf"temperature {re.escape(str(replaced))}(?:[,;]|$)",
                                                        str(prior.get("earlier", ""))):
        earlier = prior["earlier"]  # a run killed between its card and stance.json left the card a step ahead
    elif replaced != 1.0 or prior:
        earlier = f"temperature {replaced}"
        if prior.get("temperature") == replaced and prior.get("fitted_on"):  # the card still described it
            earlier += f", fitted on {prior['fitted_on']}"
        if prior.get("earlier"):
            earlier += f"; before it, {prior['earlier']}"
    card["calibration"] = {"temperature": round(result["temperature"], 6),
                           "fitted_on": f"{given_name(dev_items)} ({result['items']} items) by stance calibrate; ECE "
                                        f"{before['ece']:.3f} -> {after['ece']:.3f}, NLL {before['nll']:.3f} -> "
                                        f"{after['nll']:.3f}",
                           **({"earlier": earlier} if earlier else {})}
    write_card(model_dir, card, task)
