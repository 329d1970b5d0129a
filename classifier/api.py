"""The public Python API: ``classifier.load_model(...).predict(...)`` over whatever a user has at hand.

Shaped like scikit-learn and the Hugging Face pipelines: ``predict`` / ``predict_proba`` / ``classes_`` /
``save_pretrained``. Inputs: items (``Item`` or dicts in the item schema), ``(text, actor)`` pairs, a pandas
DataFrame with ``text`` and ``actor`` columns, or a ``datasets.Dataset`` with them; ``predict`` gives the
same type back (a list of ``{"stance", "stance_scores", "model"}`` records, or the frame or dataset with
``stance``, ``p_favor`` / ``p_against`` / ``p_neutral`` and ``model`` columns added: ``model`` is the model's id,
as ``stance classify`` writes it, by which ``evaluate_predictions`` and ``make_report`` know the model).

An input without ``spans`` (a pair, a dict or a row without the field) has its actor's mentions found
before scoring: by the actor catalogue when it knows the actor, else by the actor's name as a whole word;
where neither finds one the actor stands beside the unmarked text. A warning says how many were found
which way, and each record says where its spans came from (``spans_from``). ``spans: []`` given
explicitly means the target is not named in the text and is kept.
"""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from classifier.actors import MentionFinder, complete_spans, default_finder
from classifier.errors import InputError, check_at_least
from classifier.io.files import frame_rows, memory_table
from classifier.items import Item, parse_item
from classifier.labels import one_label_task
from classifier.models.base import quiet_loading
from classifier.models.stance_model import StanceModel

SCORE_PREFIX = "p_"


def _records(data) -> tuple[list[dict], str]:
    """Input rows as dicts, and the kind of input (list, frame, dataset)."""
    kind = memory_table(data)  # a DatasetDict: an error naming its splits
    if kind == "DataFrame":  # an empty cell (NaN, NA, NaT) is a missing value, as in a table file
        return list(frame_rows(data)), "frame"
    if kind == "Dataset":  # a ClassLabel column (a label) by its names, as a saved dataset folder is read
        from classifier.io.hf_datasets import dataset_records

        return list(dataset_records(data)), "dataset"
    if data is None or not hasattr(data, "__iter__"):
        raise InputError(f"expected a list of items, (text, actor) pairs, a DataFrame or a Dataset; got {data!r}")
    if isinstance(data, (str, bytes, dict)):
        raise InputError("expected a list of items, (text, actor) pairs, a DataFrame or a Dataset; "
                         f"got one {type(data).__name__} (wrap it in a list)")
    rows = []
    for number, row in enumerate(data, start=1):
        if isinstance(row, Item):
            rows.append(row)
        elif isinstance(row, dict):
            rows.append(dict(row))
        elif isinstance(row, str):
            rows.append({"text": row})  # a sentence alone: for sentiment (stance then asks for its actor)
        elif isinstance(row, (tuple, list)) and len(row) in (2, 3):
            if not all(isinstance(v, str) for v in row[:2]):
                found = ", ".join(type(v).__name__ for v in row[:2])
                raise InputError(f"item {number}: a (text, actor) pair holds two strings; found ({found})")
            rows.append({"text": row[0], "actor": row[1], **({"spans": row[2]} if len(row) == 3 else {})})
        else:
            raise InputError(f"item {number}: expected an Item, a dict with text and actor, or a (text, actor) "
                             f"pair; found {type(row).__name__}")
    return rows, "list"


def check_no_other_predictions(names, task, kind: str) -> None:
    """Refuse to add ``task``'s columns to a frame or Dataset (its column ``names``) that holds another task's
    predictions (its label and ``p_<label>`` columns, ``io.files.probability_columns``): its ``model`` column, and a
    ``p_<label>`` the two tasks share (stance's and sentiment's ``p_neutral``), would be replaced by this model's,
    leaving the other task's label beside scores and a model name not its own (which ``evaluate_predictions`` and
    ``make_report`` read). Predictions of the same task are replaced whole (the frame scored again)."""
    from classifier.io.files import probability_columns

    names = set(names)
    for other, columns in probability_columns():
        if other is task or other.field not in names or not set(columns) <= names:
            continue
        replaced = ["model"] * ("model" in names) + [SCORE_PREFIX + label for label in task.labels
                                                     if SCORE_PREFIX + label in columns]
        if replaced:
            table = "DataFrame" if kind == "frame" else "Dataset"
            raise InputError(f"the {table} holds {other.name} predictions ({other.field}, {', '.join(columns)}); the "
                             f"{task.name} model's columns {', '.join(replaced)} would replace theirs: predict on it "
                             f"without them, or with them renamed (e.g. {other.field}_model, "
                             f"{other.field}_p_neutral), and keep each task's predictions in a file of its own for "
                             "evaluate and report")


class StanceClassifier:
    """A stance model with the scikit-learn and pipeline conventions (see the module docstring). A
    sentence-sentiment model (``models/sentiment``) is used the same way: inputs need no actor (plain
    strings do), and the records say ``sentiment`` / ``sentiment_scores``."""

    def __init__(self, model: StanceModel, *, catalogue: list | str | Path | None = None):
        self.model = model
        self._catalogue = catalogue
        self._finder: MentionFinder | None = None

    @property
    def classes_(self) -> np.ndarray:
        """The labels, in the order of ``predict_proba``'s columns (scikit-learn's convention)."""
        return np.array(self.model.labels)

    @property
    def name(self) -> str:
        """The model's id as predictions record it (``default@8968bafe3233``)."""
        return self.model.model_id

    def __repr__(self) -> str:
        return f"StanceClassifier({self.model.model_id!r}, classes={list(self.model.labels)})"

    def mention_finder(self) -> MentionFinder:
        """What finds the mentions of inputs given without spans: the catalogue ``load_model`` was given, else the
        bundled one (built once)."""
        if self._finder is None:
            self._finder = MentionFinder(self._catalogue) if self._catalogue is not None else default_finder()
        return self._finder

    def _items(self, data) -> tuple[list[Item], list[str | None], list[dict], str]:
        need_actor = self.model.task.needs_actor
        if need_actor and isinstance(data, tuple) and len(data) in (2, 3) and all(isinstance(v, str) for v in data[:2]):
            raise InputError("got one (text, actor) pair; pass a list of them: predict([(text, actor)])")
        rows, kind = _records(data)
        labels = list(data.index) if kind == "frame" else None  # errors name a frame's row by its index label
        items, origins = [], []
        for number, row in enumerate(rows, start=1):
            if isinstance(row, Item):  # checked like a dict; an Item made without spans has them found
                row = row.model_dump(exclude=None if "spans" in row.model_fields_set else {"spans"})
            # an empty cell (None) is a field not given: the position is the id, spans are found
            record = {"id": str(number), **{k: v for k, v in row.items() if v is not None}}
            origins.append(record.pop("spans_from", None))
            where = f"item {number}" + (f" (index {labels[number - 1]!r})" if labels is not None else "")
            items.append(parse_item(record, where, need_actor=need_actor))  # checked before mentions are looked for
            items[-1]._where = where
        items = list(one_label_task(items, sentiment_only=not need_actor))  # gold labels, as stance classify's
        if need_actor:  # the warning names the caller's line (warn_caller)
            for number, found in enumerate(complete_spans(items, self.mention_finder())):
                if isinstance(found, dict):  # an item without spans, with them found
                    where = items[number]._where
                    origins[number] = found.pop("spans_from")
                    items[number] = parse_item(found, where, need_actor=need_actor)
                    items[number]._where = where
        return items, origins, rows, kind

    def _scores(self, items: list[Item], batch_size: int, progress: bool) -> np.ndarray:
        from classifier.evaluate import progress_bar  # the bar evaluate_predictions and make_report show

        with progress_bar("scoring", len(items), progress) as advance:
            return self.model.predict_proba(items, batch_size=batch_size, on_batch=advance)

    def predict_proba(self, data, *, batch_size: int = 64, progress: bool = False) -> np.ndarray:
        """Probabilities, an array of one row per input (in input order) and one column per class, in
        ``classes_`` order. ``data``, ``progress``: as for :meth:`predict`."""
        check_at_least(batch_size=(batch_size, 1))
        items, _, _, _ = self._items(data)
        return self._scores(items, batch_size, progress)

    def predict(self, data, *, batch_size: int = 64, progress: bool = False) -> Any:
        """Labels and scores, in the type given, in input order.

        ``data``: a list of ``(text, actor)`` pairs (or ``(text, actor, spans)``), dicts or ``Item``s in the item
        schema, plain strings (sentiment models), a pandas DataFrame or a ``datasets.Dataset`` with ``text`` and
        ``actor`` columns. A list gives a list of records ``{"stance", "stance_scores"}`` (``sentiment`` ... for a
        sentiment model) and ``model`` (the model's id, :attr:`name`), plus ``spans`` and ``spans_from`` where the
        mentions were found here; a DataFrame or Dataset comes back with ``stance``, ``p_favor`` / ``p_against`` /
        ``p_neutral`` and ``model`` columns added (and ``spans`` / ``spans_from`` where mentions were found), so that
        written to a file with ``id`` and ``label`` it is what ``evaluate_predictions`` and ``make_report`` read, as
        ``stance classify``'s output. Bad input raises ``InputError`` naming the item. ``progress``: a progress bar
        over the items as they are scored (rich, on stderr; none by default, as ``evaluate_predictions(progress=)``)."""
        from classifier.models.stance_model import scores_record

        check_at_least(batch_size=(batch_size, 1))
        items, origins, rows, kind = self._items(data)
        if kind != "list":  # before scoring: a frame or Dataset the columns added would garble
            check_no_other_predictions(data.columns if kind == "frame" else data.column_names, self.model.task, kind)
        probs = self._scores(items, batch_size, progress)
        labels, field = list(self.model.labels), self.model.task.field
        if kind == "list":
            out = []
            for item, origin, row in zip(items, origins, probs):
                record = {**scores_record(row, labels, field), "model": self.name}  # as `stance classify` writes
                if origin is not None:
                    record.update(spans=[list(s) for s in item.spans], spans_from=origin)
                out.append(record)
            return out
        columns = {field: [labels[i] for i in probs.argmax(axis=1)],
                   **{SCORE_PREFIX + label: probs[:, j].tolist() for j, label in enumerate(labels)},
                   "model": [self.name] * len(items)}  # evaluate and report find the model (its trained items) by it
        if any(origin is not None for origin in origins):  # where the warning sends the user
            columns |= {"spans": [[list(s) for s in item.spans] for item in items], "spans_from": origins}
        if kind == "frame":
            frame = data.copy()
            for column, values in columns.items():
                frame[column] = values
            return frame
        dataset = data
        for column, values in columns.items():
            if column in dataset.column_names:
                dataset = dataset.remove_columns(column)
            dataset = dataset.add_column(column, values)
        return dataset

    def save_pretrained(self, path: str | Path, *, replace_shipped: bool = False) -> Path:
        """Write the model folder (safetensors, tokenizer, stance.json, card) atomically, as ``stance train`` saves
        one: the weights rounded to half precision (float16), the model named after the folder.
        ``path`` must be a new folder or an earlier stance model, which it replaces, but not a model the project
        ships (``models/default``, ``models/sentiment``, ``models/newsmtsc-v16``) unless ``replace_shipped``; a
        model loaded with an ONNX engine cannot be saved (load it with ``engine="torch"``)."""
        from classifier.models.card import HELD_OUT_FILE, read_card, trained_items_file
        from classifier.models.stance_model import shipped_model

        if shipped_model(path) and not replace_shipped:
            raise InputError(f"{path}: a model the project ships (models/{shipped_model(path)}); save elsewhere, or "
                             "pass replace_shipped=True to replace it")

        card = read_card(self.model.path) if self.model.path else None
        # the list of the items it trained on, and those train held out, go with its card (which names them): read
        # before a save over its own folder replaces it
        listed, held_out = trained_items_file(self.model.path), trained_items_file(self.model.path, HELD_OUT_FILE)
        with quiet_loading():
            return self.model.save(path, card, trained_items=listed, held_out=held_out)


def load_model(path_or_name: str | Path | None = None, *, engine: str = "torch", device: str = "cpu",
               actors: str | Path | list | None = None, actors_only: str | Path | list | None = None,
               threads: int | None = None, trust_remote_code: bool = False,
               catalogue: str | Path | list | None = None) -> StanceClassifier:
    """A model to score with: a folder (``models/default``, ``models/sentiment``, one ``stance train`` wrote), a
    Hugging Face hub name (downloaded where the network allows, safetensors only), or ``None`` for
    ``$STANCE_MODEL`` and then the checkout's ``models/default``.

    ``engine``: torch (the default, the only one that can be saved), onnx (ONNX Runtime, torch's scores to 1e-4),
    onnx-int8 (``classifier.predict.engines``) or auto (the CLI's default: onnx on the CPU where installed).
    ``device``: cpu, cuda or auto (torch engine). ``threads``: CPU threads, as ``--threads`` (ONNX Runtime's; for
    torch, ``torch.set_num_threads``, which holds for the whole process). ``actors``: a catalogue YAML whose actors
    are added to the bundled catalogue, ``actors_only``: one used instead of it, as ``--actors`` and
    ``--actors-only``, or either as a list of its actors as dicts (``[{"name": "Gazprom", "names": ["Gazprom"]}]``)
    or ``classifier.actors.Actor``s, checked as the YAML's entries are; they find the mentions of inputs given
    without spans (``catalogue``, the earlier name of ``actors_only``, still works). ``trust_remote_code``: let a
    model folder run its own Python code (never by default)."""
    from classifier.actors import check_catalogues, choose_catalogue, given
    from classifier.predict.engines import load_engine

    if path_or_name is not None and not isinstance(path_or_name, (str, os.PathLike)):  # a TypeError deep in pathlib
        raise InputError(f"path_or_name: expected a model folder or a Hugging Face name (a str or a path); got "
                         f"{type(path_or_name).__name__}")
    if threads is not None:
        check_at_least(threads=(threads, 1))
    check_catalogues(actors=actors, actors_only=actors_only, catalogue=catalogue)
    if catalogue is not None:
        if actors_only is not None:
            raise InputError("catalogue is the earlier name of actors_only: pass one of them")
        warnings.warn("load_model(catalogue=...) is now actors_only=... (actors=... adds to the bundled catalogue)",
                      DeprecationWarning, stacklevel=2)
        actors_only = catalogue
    chosen = choose_catalogue(actors, actors_only) if given(actors) or given(actors_only) else None
    path = resolve_model(path_or_name)
    with quiet_loading():  # the ONNX engines load a torch model too
        engine_model = load_engine(path, engine, trust_remote_code, threads, device)
    if threads is not None and engine_model.engine == "torch":
        import torch

        torch.set_num_threads(threads)
    return StanceClassifier(engine_model, catalogue=chosen)


quiet_transformers = quiet_loading  # its earlier name here


HUB_NAME = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


def resolve_model(path_or_name: str | Path | None) -> Path | None:
    """A local model folder for ``load_model``: as given, or a hub name fetched into the local cache."""
    from classifier.models.stance_model import model_folder

    if path_or_name is None:
        return None
    from classifier.models.base import looks_like_path

    path = model_folder(path_or_name)  # "models/default" is the checkout's from any directory, not a hub name
    if path.exists():
        return path
    if looks_like_path(str(path_or_name)):  # "models/defualt", "./m": a missing folder, named as typed, not a hub name
        raise InputError(f"{path_or_name}: no such model folder (a Hugging Face name is 'owner/model')")
    if not HUB_NAME.match(str(path_or_name)):
        return path
    from classifier.models.base import check_hub_reachable

    check_hub_reachable(str(path_or_name))
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(str(path_or_name), allow_patterns=["*.json", "*.safetensors", "*.txt",
                                                                           "*.model", "README.md"]))
    except Exception as error:  # offline, unknown repository, no permission: one line
        raise InputError(f"{path_or_name}: no such model folder, and the Hugging Face hub could not provide "
                         f"it ({type(error).__name__})") from None

