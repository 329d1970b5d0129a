"""Metrics: scikit-learn only, fixed label order, stable when a class is absent.

Beside :func:`classification_metrics` this module reads prediction files (what ``stance classify``
writes), evaluates them overall and per group with 95% bootstrap intervals resampled by article (the
sentences of one article are not independent), measures calibration from ``stance_scores``, and puts
two models side by side on the same gold items with a paired bootstrap.
"""

from __future__ import annotations

import collections
import contextlib
import contextvars
import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np
import pandas as pd
from sklearn.metrics import (accuracy_score, confusion_matrix, f1_score, log_loss,
                             precision_recall_fscore_support)

from classifier.errors import InputError, check_at_least, check_paths, option, warn_caller
from classifier.items import LABELS, parse_item
from classifier.tasks import SENTIMENT, STANCE, Task
from classifier.visible import numeral

GROUP_KEYS = ("source", "actor", "article")


def score_columns(task: Task = STANCE) -> tuple[str, ...]:
    """The frame's probability columns, ``p_<label>`` in the task's label order."""
    return tuple(f"p_{label}" for label in task.labels)


SCORE_COLUMNS = score_columns(STANCE)
TONE = "tone"  # a stance row's sentence sentiment, P(positive) - P(negative); NaN where none was written
NONE_GROUP = "(none)"
CI_METRICS = ("macro_f1", "accuracy", "f1_favor_against")
PER_CLASS = ("precision", "recall", "f1")  # each class's, with an interval from the same resamples
BOOTSTRAP_SEED = 0  # evaluate's --seed default, and the seed of train's held-out comparison: one figure in both


def distinct_models(models) -> list[str]:
    """The models named, each once whatever engine scored it (``name@digest:onnx`` is ``name@digest``)."""
    from classifier.models.stance_model import engine_of

    return sorted({engine_of(model)[0] for model in models or []})


def mixed_models_warning(models, pooled: str = "the figures") -> str | None:
    """A sentence for predictions that two or more models scored, whose calls ``pooled`` mixes."""
    models = distinct_models(models)
    if len(models) < 2:
        return None
    return (f"the predictions mix {len(models)} models ({', '.join(models)}): {pooled} pool their calls, which "
            "need not agree; classify every item with one model")


def classification_metrics(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str] = LABELS) -> dict:
    """Macro-F1 over the three classes, accuracy, mean F1 of the two polar labels (favor and against; for
    sentiment, positive and negative: ``f1_favor_against`` either way), per-class P/R/F1."""
    labels = list(labels)
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=labels, zero_division=0)
    return {
        "n": len(gold),
        "macro_f1": float(f1_score(gold, predicted, labels=labels, average="macro", zero_division=0)),
        "accuracy": float(accuracy_score(gold, predicted)) if len(gold) else 0.0,
        "f1_favor_against": float(f1_score(gold, predicted, labels=labels[:2], average="macro",
                                           zero_division=0)),
        "per_class": {label: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
                      for label, p, r, f, s in zip(labels, precision, recall, f1, support)},
        "labels": labels,
        "confusion_matrix": confusion_matrix(gold, predicted, labels=labels).tolist(),
    }


# -- reading prediction files -------------------------------------------------------------------

def _scores(value, where: str, task: Task = STANCE, field: str | None = None) -> list[float]:
    """The task's probabilities, in label order, from ``value`` (a dict, or its JSON text); ``field`` names where
    they came from in errors (default: the task's scores field)."""
    field, labels = field or task.scores_field, list(task.labels)
    if isinstance(value, str):  # CSV stores the dict as JSON text
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            raise InputError(f"{where}: {field} is not JSON like {{\"{labels[0]}\": 0.2, ...}}") from None
    if not isinstance(value, dict):
        raise InputError(f"{where}: {field} must map each label to a probability, found {value!r}")
    unknown = sorted(set(value) - set(labels))
    if unknown:
        raise InputError(f"{where}: {field} has unknown label(s) {unknown}; expected {labels}")
    missing = [label for label in labels if value.get(label) is None]
    if missing:
        raise InputError(f"{where}: {field} lacks {missing}; expected a probability for each of {labels}")
    try:
        scores = [float(value[label]) for label in labels]
    except (TypeError, ValueError):
        raise InputError(f"{where}: {field} values must be numbers, found {value!r}") from None
    if not all(math.isfinite(p) and p >= 0 for p in scores) or abs(sum(scores) - 1.0) > 0.01:
        raise InputError(f"{where}: {field} must be probabilities summing to 1, found {value!r}")
    total = sum(scores)
    return [p / total for p in scores]


FRAME_CHUNK_ROWS = 50_000
TEXT_COLUMNS = ("text", "spans", "title")  # only the report's quoted examples read them (and their headline)
TEXT_HASH = "text_hash"  # what evaluation keeps of the text: enough to see that two files' items differ
TRAINED = "trained_on"  # a gold row whose sentence and actor the model trained on (read_labelled's ``trained``)
GIVEN_TRAINED = "trained_on_given"  # ... that --model's list holds, whatever the row's model (``TrainedLists``)


def text_or_none(value) -> str | None:
    """An optional text field (``date``, ``kind``) as text: a Parquet timestamp or a number as its string."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def record_task(record: dict, where: str) -> Task:
    """Stance where the row has ``stance`` (a ``--task both`` file too), else sentiment where it has ``sentiment``.
    A row with neither is told from predictions by the rule the output guards use (``io.files.is_predictions``):
    labelled and no predictions, it is a label file ('stance label', 'label gold') that wants scoring first."""
    from classifier.io.files import has_value, is_predictions

    for task in (STANCE, SENTIMENT):
        if record.get(task.field) is not None:
            return task
    if has_value(record.get("label")) and not is_predictions(record):
        raise InputError(f"{where}: a gold label but no prediction (no 'stance' or 'sentiment'): this is a label "
                         "file; score it first ('stance classify LABELS --out gold_predictions.jsonl') and pass "
                         "that file")
    raise InputError(f"{where}: missing field 'stance' (or 'sentiment'); is this a predictions file from "
                     "'stance classify'?")


def frame_task(frame: pd.DataFrame) -> Task:
    """The task a frame of predictions holds: its predicted column is ``stance`` or ``sentiment``."""
    return SENTIMENT if SENTIMENT.field in frame.columns and STANCE.field not in frame.columns else STANCE


def parse_prediction(record: dict, where: str, task: Task | None = None) -> dict:
    """One prediction row as a flat dict (item fields, ``stance`` or ``sentiment``, ``p_<label>``, ``model``).
    ``task``: the task of the file's first row, which every row must share."""
    item = parse_item(record, where)
    found = record_task(record, where)
    task = task or found
    if found is not task:
        if record.get(task.field) is None and task.field in record:  # '"stance": null' beside a sentiment
            raise InputError(f"{where}: '{task.field}' is null, unlike in the rows before it")
        raise InputError(f"{where}: a {found.name} prediction in a file of {task.name} predictions; "
                         "keep one task per file")
    labels = task.labels
    if item.label is not None and item.label not in labels:
        raise InputError(f"{where}: unknown gold label {item.label!r}; expected one of {', '.join(labels)}")
    predicted = record[task.field]
    if predicted not in labels:
        raise InputError(f"{where}: unknown {task.field} {predicted!r}; expected one of {', '.join(labels)}")
    scores, source = record.get(task.scores_field), None
    columns = score_columns(task)
    if scores is None and all(record.get(column) is not None for column in columns):  # the API's scored frame
        scores, source = dict(zip(labels, (record[column] for column in columns))), "/".join(columns)
    if scores is None:
        raise InputError(f"{where}: missing field '{task.scores_field}' (or {', '.join(columns)}); is this a "
                         "predictions file from 'stance classify'?")
    if task.needs_actor and not item.actor:  # else every stance pools into one actor, "(none)"
        raise InputError(f"{where}: a stance prediction without an 'actor' (the target the stance is toward); is "
                         "this a predictions file from 'stance classify'?")
    row = {"id": item.id, "text": item.text, "actor": item.actor,
           "spans": json.dumps([list(s) for s in item.spans], separators=(",", ":")),  # compact: 15 bytes, not 100
           "label": item.label, "source": item.source, "article": item.article, task.field: predicted,
           "model": str(record.get("model") or "unknown"),
           "date": text_or_none(record.get("date")), "kind": text_or_none(record.get("kind")),
           "title": text_or_none(record.get("title"))}
    row.update(zip(columns, _scores(scores, where, task, source)))
    if task is STANCE:  # a --task both file: the sentence's tone beside the stance
        tone = record.get(SENTIMENT.scores_field)
        positive, negative, _ = _scores(tone, where, SENTIMENT) if tone is not None else (math.nan, 0.0, 0.0)
        row[TONE] = positive - negative
        row["sentiment_model"] = text_or_none(record.get("sentiment_model")) if tone is not None else None
    return row


def prediction_frame(items: Sequence, predicted: Sequence[str], model: str, task: Task = STANCE) -> pd.DataFrame:
    """Gold items and one model's predicted labels (same order) as the frame the metrics read."""
    return pd.DataFrame({"id": [it.id for it in items], "label": [it.label for it in items], task.field: list(predicted),
                         "source": [it.source for it in items], "article": [it.article for it in items],
                         "model": model})


def check_option_files(**paths) -> None:
    """``name=path``: each predictions file an option names (``--gold``, ``--compare``), or None; one that is not
    there is an error naming the option (``--gold nosuch.jsonl: no such file``), before any file is read."""
    for name, path in paths.items():
        if path is not None and not Path(path).exists():
            raise InputError(f"{option(name, path)}: no such file; write predictions with 'stance classify'")


def compared_with_itself(path: str | Path, compare: str | Path | None, shown: Callable = str) -> str | None:
    """The words of ``warn_compared_with_itself`` where ``compare`` is the very file it is compared with, naming it
    as ``shown`` does (the report's page and report.json, and evaluate --out's ``compare.same_file_warning``: as a
    shared file names it); else None."""
    from classifier.io.files import same_file

    if compare is not None and same_file(compare, path):
        return f"{option('compare', shown(compare))}: the same file as the first; every difference is 0"
    return None


def warn_compared_with_itself(path: str | Path, compare: str | Path | None) -> None:
    """Warn where ``compare`` is the very file it is compared with (its path, ``./P``, a symbolic or a hard link:
    ``io.files.same_file``), for ``evaluate --compare`` and ``report --compare`` alike: every difference is 0, which
    says nothing of two models. Warned, not refused: the figures are right, and a script that compares a run with
    the last one meets it where nothing was run again. The report's page and report.json say it too
    (``compared_with_itself``)."""
    words = compared_with_itself(path, compare)
    if words:
        warn_caller(words)


def prediction_chunks(path: str | Path, hashes: list | None = None) -> Iterator:
    """The validated rows of a predictions file as Arrow tables of ``FRAME_CHUNK_ROWS`` rows (no dict per row for
    the whole file). A bad row stops with file:line; a repeated id once every row has been read: ids are kept
    as 64-bit hashes, and only a repeated hash is looked up again in the file.

    Columns: the item fields (``spans`` as JSON text), ``stance``, ``model`` and ``p_favor``/``p_against``/
    ``p_neutral`` (a file of sentence sentiment: ``sentiment`` and ``p_positive``/``p_negative``/``p_neutral``);
    each as ``pa.Table.from_pylist`` types the rows :func:`parse_prediction` gives (a column of nulls alone has the
    null type). ``hashes``: a list that receives each chunk's id hashes as the chunk is yielded.

    A JSONL, CSV or Parquet file (JSONL and CSV compressed too) is read a block of rows at a time
    (``io.files.table_blocks``) and each block checked column by column (:func:`prediction_block`); from the first
    block in any doubt, the rest of the file is read and checked a row at a time (``iter_table``,
    :func:`parse_prediction`), which names the file and line of what is wrong."""
    import pyarrow as pa

    from classifier.io.files import check_predictions_exist, iter_table, table_blocks

    path = Path(path)
    check_predictions_exist(path)
    hashes = [] if hashes is None else hashes
    chunks, task = ChunkRows(hashes), None
    for part in prediction_parts(path):
        for start, block in table_blocks(part, PREDICTION_TEXT_FIELDS):
            try:
                made = prediction_block(block, task) if block is not None else None
            except (pa.ArrowException, OverflowError):  # a type Arrow cannot compare or cast as asked: in doubt
                made = None
            if made is not None:
                table, task = made
                yield from chunks.add_table(table)
                continue
            for lineno, record in iter_table(part, start=start):
                where = f"{part}:{lineno}"
                task = task or record_task(record, where)
                yield from chunks.add_row(parse_prediction(record, where, task))
            break
    yield from chunks.rest()
    if not hashes:
        raise InputError(f"{path}: no predictions in the file (it is empty); run 'stance classify' on some items first")
    check_unique_ids(path, np.concatenate(hashes))


class ChunkRows:
    """Prediction rows, as checked blocks (Arrow tables) or as :func:`parse_prediction`'s dicts, given out in file
    order as tables of ``FRAME_CHUNK_ROWS`` rows, each the table ``pa.Table.from_pylist`` makes of its rows' dicts;
    each chunk's id hashes go to ``hashes`` as it is given."""

    def __init__(self, hashes: list):
        self.hashes, self.tables, self.rows, self.held = hashes, [], [], 0

    def add_row(self, row: dict) -> Iterator:
        self.rows.append(row)
        if self.held + len(self.rows) >= FRAME_CHUNK_ROWS:
            yield from self.add_table(None)

    def add_table(self, table) -> Iterator:
        import pyarrow as pa

        if self.rows:  # the rows read one by one before this block, as the block's types have them
            rows = pa.Table.from_pylist(self.rows)
            self.tables.append(rows.cast(prediction_schema(rows.column_names)))
            self.held, self.rows = self.held + rows.num_rows, []
        if table is not None:
            self.tables.append(table)
            self.held += table.num_rows
        while self.held >= FRAME_CHUNK_ROWS:
            yield self.chunk(FRAME_CHUNK_ROWS)

    def rest(self) -> Iterator:
        yield from self.add_table(None)
        if self.held:
            yield self.chunk(self.held)

    def chunk(self, rows: int):
        import pyarrow as pa

        held = pa.concat_tables(self.tables)
        table, rest = held.slice(0, rows), held.slice(rows)
        self.tables, self.held = ([rest] if rest.num_rows else []), rest.num_rows
        for index, column in enumerate(table.columns):  # from_pylist's type of a column of nulls alone
            if column.null_count == table.num_rows and column.type != pa.null():
                table = table.set_column(index, table.field(index).name, pa.nulls(table.num_rows))
        self.hashes.append(id_hashes(table["id"].to_numpy()))
        return table


# parse_prediction's rules as prediction_block was written for them (io.files.source_digest)
PREDICTION_SOURCE = "10ff5fed9a017995"


def prediction_source() -> str | None:
    from classifier.io.files import source_digest

    return source_digest(parse_prediction, _scores, record_task, text_or_none)


# the fields a predictions file holds as text (``table_blocks``)
PREDICTION_TEXT_FIELDS = ("id", "text", "actor", "label", "source", "article", "stance", "sentiment", "model", "date",
                          "kind", "title", "sentiment_model")


def prediction_schema(names: Sequence[str]):
    """The Arrow types of :func:`parse_prediction`'s columns: the probabilities and tone as floats, the rest text."""
    import pyarrow as pa

    floats = {*SCORE_COLUMNS, *score_columns(SENTIMENT), TONE}
    return pa.schema([(name, pa.float64() if name in floats else pa.string()) for name in names])


def prediction_block(block, task: Task | None):
    """(the rows :func:`parse_prediction` gives for every row of an Arrow block, ``prediction_schema``'s types; the
    task) checked a column at a time: ``items.sure_items`` and each rule of parse_prediction's, on the one type each
    is sure of; spans and scores as JSON text (a CSV file's cells) as JSON gives them (``items.spans_of_text``,
    :func:`scores_of_text`). None where any row might be refused or read otherwise (an id as a number, scores as
    JSON text in another form than json.dumps', a label or a probability out of place...): parse_prediction then
    takes the rows one by one and says why. ``task``:
    the file's, from its first row (None: this block's first row tells it, as :func:`record_task` does)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from classifier.items import is_text_type, spans_of_text, sure_items

    names, n = block.column_names, block.num_rows
    for index, name in enumerate(names):  # large text (a Parquet file pandas wrote) as text
        if name in PREDICTION_TEXT_FIELDS and pa.types.is_large_string(block.schema.field(index).type):
            block = block.set_column(index, name, pc.cast(block[name], pa.string()))
    scored = {t.scores_field: t for t in (STANCE, SENTIMENT)}
    for index, name in enumerate(names):  # spans and scores as JSON text (a CSV file's), as json.loads reads them
        if is_text_type(block.schema.field(index).type) and (name == "spans" or name in scored):
            given = spans_of_text(block[name]) if name == "spans" else scores_of_text(block[name], scored[name])
            if given is None:
                return None
            block = block.set_column(index, name, given)

    def column(name: str):
        return block[name] if name in names else None

    def given(name: str) -> bool:  # a value in every row, as text
        found = column(name)
        return found is not None and is_text_type(found.type) and not found.null_count

    if not n or prediction_source() != PREDICTION_SOURCE or not sure_items(block):  # a rule edited since: row by row
        return None
    if task is None:
        first = next((t for t in (STANCE, SENTIMENT) if column(t.field) is not None and column(t.field)[0].is_valid),
                     None)
        if first is None or not given(first.field):
            return None
        task = first
    field, labels = task.field, pa.array(task.labels)
    other = column(STANCE.field) if task is SENTIMENT else None
    if not given(field) or (other is not None and other.null_count < n):  # every row of the file's task
        return None
    label = column("label")
    if not pc.all(pc.is_in(column(field), value_set=labels)).as_py() or (
            label is not None and label.null_count < n and not pc.all(pc.is_in(label.drop_null(), value_set=labels))
            .as_py()):
        return None
    if task.needs_actor and not (given("actor") and pc.all(pc.greater(pc.utf8_length(block["actor"]), 0)).as_py()):
        return None
    scores = block_scores(block, task, required=True)
    if scores is None:
        return None
    text = {name: text_column(column(name), n) for name in ("date", "kind", "title")}
    model = column("model")  # str(model or "unknown")
    if model is None or pa.types.is_null(model.type):
        model = pa.array(["unknown"] * n, pa.string())
    elif is_text_type(model.type):
        model = pc.if_else(pc.fill_null(pc.greater(pc.utf8_length(model), 0), False), pc.cast(model, pa.string()),
                           pa.scalar("unknown"))
    else:
        return None
    if any(value is None for value in text.values()):
        return None
    rows = {name: pc.cast(column(name), pa.string()) if column(name) is not None else pa.nulls(n, pa.string())
            for name in ("id", "text", "actor")}
    rows["spans"] = spans_text(block)
    rows.update({name: pc.cast(column(name), pa.string()) if column(name) is not None else pa.nulls(n, pa.string())
                 for name in ("label", "source", "article", field)})
    rows.update(model=model, date=text["date"], kind=text["kind"], title=text["title"])
    rows.update({name: scores[:, k] for k, name in enumerate(score_columns(task))})
    if task is STANCE:  # the sentence's tone beside the stance (--task both)
        tone = block_scores(block, SENTIMENT, required=False)
        models = text_column(column("sentiment_model"), n)
        if tone is None or models is None:
            return None
        rows[TONE] = tone[:, 0] - tone[:, 1]  # NaN where the row has none
        rows["sentiment_model"] = pc.if_else(pa.array(np.isnan(tone[:, 0])), pa.nulls(n, pa.string()), models)
    return pa.table(rows, schema=prediction_schema(list(rows))), task


def spans_text(block):
    """The ``spans`` of an Arrow block's rows (``items.span_arrays``, which ``sure_items`` has checked) as
    :func:`parse_prediction` writes them: compact JSON, "[[0,6],[51,57]]", "[]" for none."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from classifier.items import span_arrays

    if "spans" not in block.column_names:
        return pa.array(["[]"] * block.num_rows, pa.string())
    per_row, starts, ends = span_arrays(block)
    pairs = pc.binary_join_element_wise("[", pa.array(starts).cast(pa.string()), ",", pa.array(ends).cast(pa.string()),
                                        "]", "")
    offsets = np.concatenate([[0], np.cumsum(per_row)]).astype(np.int64)
    lists = pa.LargeListArray.from_arrays(pa.array(offsets, pa.int64()), pairs)
    return pc.binary_join_element_wise("[", pc.binary_join(lists, ","), "]", "")


def text_column(values, n: int):
    """:func:`text_or_none` of a column of text (absent: all None) as text; None where the column is no text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from classifier.items import is_text_type, whitespace

    if values is None or pa.types.is_null(values.type):
        return pa.nulls(n, pa.string())
    if not is_text_type(values.type):
        return None
    trimmed = pc.cast(pc.utf8_trim(values, whitespace()), pa.string())
    return pc.if_else(pc.equal(pc.utf8_length(trimmed), 0), pa.nulls(n, pa.string()), trimmed)


SCORE_NUMBER = r"(?:0|[1-9][0-9]{0,15})(?:\.[0-9]{1,20})?(?:[eE][-+]?[0-9]{1,2})?"  # a JSON number, not negative


def scores_of_text(values, task: Task):
    """A text column of the task's scores (a CSV cell: :func:`_scores`' ``json.loads``) as the struct of floats
    that JSON gives, null where the value is; None where any value is not its labels' probabilities in label order
    as ``json.dumps`` writes them ('{"favor": 0.2, "against": 0.1, "neutral": 0.7}'): its row is left to _scores.
    Arrow's text-to-float cast gave Python's float() on 2,000,000 numbers of this form."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    labels = list(task.labels)
    pattern = r"^\{" + ", ".join(f'"{label}": (?P<{label}>{SCORE_NUMBER})' for label in labels) + r"\}$"
    found = pc.extract_regex(values, pattern)
    if found.null_count != values.null_count:
        return None
    valid = pc.is_valid(values)
    numbers = [pc.cast(pc.if_else(valid, pc.struct_field(found, label), pa.scalar(None, pa.string())), pa.float64())
               for label in labels]
    return pa.StructArray.from_arrays(numbers, names=labels, mask=pc.invert(valid))


def block_scores(block, task: Task, required: bool) -> np.ndarray | None:
    """The task's probabilities of each row of an Arrow block, rows x labels, as :func:`_scores` gives them, from its
    scores field (or, where there is none, its ``p_<label>`` columns): None where any row might be refused or read
    otherwise (a label missing or unknown, a value that is no number, not probabilities summing to 1). ``required``:
    every row has them, else a row without is NaN (and the file's scores field may be absent or all null)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n, labels = block.num_rows, list(task.labels)
    if task.scores_field in block.column_names:
        scores = block[task.scores_field]
        kind = scores.type
        if not required and pa.types.is_null(kind):
            return np.full((n, len(labels)), np.nan)
        if not pa.types.is_struct(kind) or sorted(kind.field(i).name for i in range(kind.num_fields)) != sorted(labels):
            return None
        valid = pc.is_valid(scores).to_numpy(zero_copy_only=False)
        if required and not valid.all():
            return None
        values = [pc.struct_field(scores, label) for label in labels]
    elif required and all(column in block.column_names for column in score_columns(task)):  # the API's frame
        valid, values = np.ones(n, dtype=bool), [block[column] for column in score_columns(task)]
    elif required:
        return None
    else:
        return np.full((n, len(labels)), np.nan)
    table = np.empty((n, len(labels)))
    for k, value in enumerate(values):
        if not (pa.types.is_integer(value.type) or pa.types.is_float32(value.type)
                or pa.types.is_float64(value.type)):
            return None
        try:
            value = pc.cast(value, pa.float64())  # float(): an integer beyond 2**53 is not exact, and refused
        except pa.ArrowInvalid:
            return None
        if (pc.is_null(value).to_numpy(zero_copy_only=False) & valid).any():
            return None
        table[:, k] = pc.fill_null(value, np.nan).to_numpy()
    table[~valid] = np.nan
    total = table[:, 0].copy()
    for k in range(1, len(labels)):  # summed in label order, as sum() does
        total += table[:, k]
    with np.errstate(invalid="ignore"):
        fine = np.isfinite(table).all(axis=1) & (table >= 0).all(axis=1) & ~(np.abs(total - 1.0) > 0.01)
    if not fine[valid].all():
        return None
    return table / total[:, None]


def prediction_parts(path: Path) -> list[Path]:
    """The files of a predictions path: the file itself, or the .parquet / .jsonl files of a folder at any depth
    in path order (``stance classify --ray-data``'s ``OUT/<part>/predictions.parquet``; hidden ones left out)."""
    from classifier.io.files import folder_parts
    from classifier.io.hf_datasets import is_dataset_folder

    parts = [path] if not path.is_dir() or is_dataset_folder(path) else folder_parts(path)
    if not parts:
        raise InputError(f"{path}: a folder without .parquet or .jsonl predictions in it")
    unfinished = [p for p in parts if p.name.endswith(".partial.jsonl")]  # stance classify's journal
    if unfinished:
        raise InputError(f"{unfinished[0]}: the journal of an unfinished 'stance classify' run, not finished "
                         "predictions; finish it with 'stance classify ... --resume' (or delete it) first")
    return parts


def prediction_rows(path: Path) -> Iterator[tuple[str, dict]]:
    """("file:line", row) of every row of a predictions file, or of each file of a folder of parts in turn."""
    from classifier.io.files import iter_table

    for part in prediction_parts(path):
        for lineno, record in iter_table(part):
            yield f"{part}:{lineno}", record


def id_hashes(ids: Sequence[str]) -> np.ndarray:
    return pd.util.hash_array(np.asarray(ids, dtype=object))


def row_hashes(table, columns: Sequence[str]) -> np.ndarray:
    """A 64-bit hash per row of an Arrow table's ``columns`` (as text, joined by U+001F; a missing column or value
    as ""), to tell whether two files hold the same item under one id without keeping its text: evaluate's
    ``text_hash`` (the text alone) and the report's comparison (id, text and actor). One column gives
    :func:`id_hashes` of its values. Held in memory only, never written."""
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = [pc.fill_null(pc.cast(table[name], pa.string()), "") if name in table.column_names
             else pa.array([""] * table.num_rows, pa.string()) for name in columns]
    joined = pc.binary_join_element_wise(*parts, "\x1f") if len(parts) > 1 else parts[0]
    return id_hashes(joined.to_numpy(zero_copy_only=False))


def check_unique_ids(path: Path, hashes: np.ndarray) -> None:
    """The first repeated id, named with its line and the line where it first appeared. Only rows whose hash
    repeats are read again; two ids that merely share a hash pass."""
    ordered = np.sort(hashes)
    suspects = set(ordered[1:][ordered[1:] == ordered[:-1]].tolist())
    if not suspects:
        return
    first: dict[str, str] = {}
    for where, record in prediction_rows(path):
        item_id = parse_prediction(record, where)["id"]
        if int(id_hashes([item_id])[0]) not in suspects:
            continue
        if item_id in first:
            file, _, line = first[item_id].rpartition(":")
            earlier = f"line {line}" if where.rpartition(":")[0] == file else first[item_id]
            raise InputError(f"{where}: duplicate id {item_id!r} (first on {earlier})")
        first[item_id] = where


def read_predictions(path: str | Path, *, drop: Sequence[str] = ()) -> pd.DataFrame:
    """The rows of :func:`prediction_chunks` as one frame, plus ``cluster`` (the article, as an integer, that the
    bootstrap resamples). ``drop`` leaves columns out as each chunk is read (``TEXT_COLUMNS``, the sentence and
    its spans, are most of a row's memory and no statistic reads them)."""
    return frame_of([without(table, drop) for table in prediction_chunks(path)])


def without(table, columns: Sequence[str]):
    """An Arrow table less those of ``columns`` it has."""
    return table.drop_columns([c for c in columns if c in table.column_names])


def frame_of(chunks: list) -> pd.DataFrame:
    """Arrow chunks of prediction rows as one frame with its bootstrap ``cluster`` column."""
    import pyarrow as pa

    # one table without copying the chunks; pandas 3 keeps its strings in Arrow, so the frame is no second copy
    # (pandas 2 turns them into Python strings: the same frame, more memory)
    frame = pa.concat_tables(chunks, promote_options="default").to_pandas()
    chunks.clear()
    return frame.assign(cluster=cluster_keys(frame))


@dataclass
class LabelledRows:
    """What evaluation reads of a predictions file: its gold-labelled rows (with ``cluster``), how many
    predictions it holds, which models made them and the 64-bit hashes of all its ids (file order)."""
    frame: pd.DataFrame
    n_predictions: int
    models: list[str]
    id_hashes: np.ndarray


def read_labelled(path: str | Path, *, drop: Sequence[str] = (), also: np.ndarray | None = None,
                  trained=None) -> LabelledRows:
    """The gold-labelled rows of a predictions file, kept chunk by chunk as they are read: memory grows with
    the labelled rows, not with the file. Validated as :func:`read_predictions` validates; the same rows as
    ``labelled(read_predictions(path))``, and the same bootstrap clusters. ``also``: id hashes of unlabelled
    rows to keep as well (a comparison's items whose gold label is in the other file). ``trained``: a
    ``card.TrainedItems``: each kept row gets ``TRAINED`` (whether the model trained on its sentence and actor),
    read before the text is dropped; or a function of a row's model that gives one or None (``TrainedLists``: each
    row checked against its own model's list as the file is read, False where there is none), called once per
    model a chunk holds, and, with a ``--model``, ``GIVEN_TRAINED`` against its list (``trained_flags``)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kept, n_predictions, models, hashes = [], 0, set(), []
    for table in prediction_chunks(path, hashes):
        n_predictions += table.num_rows
        models.update(pc.unique(table["model"]).to_pylist())
        keep = pc.is_valid(table["label"])
        if also is not None and len(also):
            keep = pc.or_(keep, pa.array(np.isin(hashes[-1], also)))
        rows = table.filter(keep)
        if trained is not None:
            for column, flags in trained_flags(rows, trained).items():
                rows = rows.append_column(column, flags)
        if "text" in drop:  # a comparison still tells two items under one id apart
            rows = rows.append_column(TEXT_HASH, pa.array(row_hashes(rows, ["text"]), pa.uint64()))
        kept.append(without(rows, drop))
    return LabelledRows(frame_of(kept), n_predictions, sorted(models), np.concatenate(hashes))


def trained_flags(rows, trained) -> dict:
    """{column: flags} of ``rows`` (an Arrow table of predictions) for ``read_labelled``'s ``trained``: ``TRAINED``,
    whether each row is a sentence and actor that its list holds (the one list given, or its model's, ``trained``
    called once per model the rows hold); with a ``TrainedLists`` of a ``--model``, ``GIVEN_TRAINED`` too, whether
    ``--model``'s list holds it (what a file of one model is counted against, whatever its digest: ``entries``),
    looked up only for the rows whose own list is another."""
    import pyarrow.compute as pc

    if not callable(trained):
        return {TRAINED: flags_against(rows, [trained] * rows.num_rows)}
    lists = {model: trained(model) for model in pc.unique(rows["model"]).to_pylist()}
    own = [lists[model] for model in rows["model"].to_pylist()]
    columns = {TRAINED: flags_against(rows, own)}
    given = trained.given_list()
    if given is not None:
        import pyarrow as pa

        its_own = pa.array([listed is given for listed in own], pa.bool_())
        other = flags_against(rows, [None if listed is given else given for listed in own])
        columns[GIVEN_TRAINED] = pc.if_else(its_own, columns[TRAINED], other)
    return columns


def flags_against(rows, lists: list):
    """Whether each of ``rows`` is a sentence and actor that its list of ``lists`` (one per row, None: no list)
    holds, as an Arrow array; the text is not read where no row has a list."""
    import pyarrow as pa

    if all(listed is None for listed in lists):
        return pa.array(np.zeros(rows.num_rows, dtype=bool))
    actors = rows["actor"].to_pylist() if "actor" in rows.column_names else [None] * rows.num_rows
    return pa.array([listed is not None and listed.has(text, actor)
                     for listed, text, actor in zip(lists, rows["text"].to_pylist(), actors)], pa.bool_())


def read_pair(first: str | Path, second: str | Path, *, drop: Sequence[str] = (),
              trained=None, second_trained=None) -> tuple[LabelledRows, LabelledRows]:
    """Two predictions files as a comparison needs them: each file's gold-labelled rows plus its rows whose
    gold label is only in the other file, so memory grows with the labelled items, not with the files. The
    first file is read a second time only when the second labels items that the first holds unlabelled.
    ``trained``, ``second_trained``: as ``read_labelled``'s, for the first and the second file's rows."""
    a = read_labelled(first, drop=drop, trained=trained)
    gold_a = id_hashes(a.frame.loc[a.frame["label"].notna(), "id"].to_numpy())
    b = read_labelled(second, drop=drop, also=gold_a, trained=second_trained)
    gold_b = id_hashes(b.frame.loc[b.frame["label"].notna(), "id"].to_numpy())
    missing = np.setdiff1d(np.intersect1d(gold_b, a.id_hashes), gold_a)
    if len(missing):
        a = read_labelled(first, drop=drop, also=missing, trained=trained)
    return a, b


# -- helpers shared with the report ------------------------------------------------------------

def group_values(frame: pd.DataFrame, key: str) -> pd.Series:
    """The grouping column with missing and blank values shown as ``(none)``."""
    values = frame[key]
    blank = values.isna()
    blank |= values.where(~blank, "").astype(str).str.strip().eq("")  # vectorised: no Python string per row
    return values.where(~blank, NONE_GROUP).astype(str)


def group_labels(frame: pd.DataFrame, key: str) -> pd.Series:
    """The group of each row for ``--by key``: ``group_values``, except that an article id two outlets share is two
    articles, named "outlet / id" (as the bootstrap counts them: one cluster per outlet and article)."""
    values = group_values(frame, key)
    if key != "article" or values.empty:
        return values
    sources = group_values(frame, "source")
    shared = pd.DataFrame({"a": values, "s": sources}).groupby("a")["s"].nunique()
    twice = values.isin(shared.index[shared > 1]) & values.ne(NONE_GROUP)
    return values.where(~twice, sources + " / " + values)


def cluster_keys(frame: pd.DataFrame) -> np.ndarray:
    """Bootstrap clusters as integers: one per (outlet, article); an item without an article is its own cluster."""
    if frame.empty:
        return np.zeros(0, dtype=np.int64)
    outlet = pd.factorize(group_values(frame, "source"))[0].astype(np.int64)
    article = pd.factorize(frame["article"])[0].astype(np.int64)  # a missing article is -1
    alone = article < 0
    article[alone] = article.max() + 1 + np.arange(int(alone.sum()))
    return pd.factorize(outlet * (int(article.max()) + 1) + article)[0]


def cluster_codes(frame: pd.DataFrame) -> np.ndarray:
    """Cluster codes 0..C-1 for these rows (from the ``cluster`` column that ``read_predictions`` adds)."""
    keys = frame["cluster"].to_numpy() if "cluster" in frame else cluster_keys(frame)
    return pd.factorize(keys)[0]


def label_codes(values: Sequence[str], labels: Sequence[str] = LABELS) -> np.ndarray:
    """Each value's position in ``labels`` (a KeyError names one that is none), looked up in one pass, not a row at
    a time in Python (a million rows: 0.2 s, not 2.3 s)."""
    codes = pd.Index(list(labels)).get_indexer(values).astype(np.int64)
    if (codes < 0).any():
        raise KeyError(list(values)[int(np.argmax(codes < 0))])
    return codes


BLOCK_CELLS = 1 << 22  # resamples or permutations are made this many numbers (32 MB) at a time


def block_sizes(n_rows: int, row_length: int) -> list[int]:
    """``n_rows`` split into blocks of at most ``BLOCK_CELLS // row_length`` rows (at least one)."""
    step = max(1, BLOCK_CELLS // max(1, row_length))
    return [min(step, n_rows - start) for start in range(0, n_rows, step)]


def resample_blocks(codes: np.ndarray, n_boot: int, seed: int) -> Iterator[np.ndarray]:
    """:func:`cluster_resamples` a block of rows at a time: the same draws in the same order, bounded memory."""
    n_clusters = int(codes.max()) + 1 if len(codes) else 0
    rng = np.random.default_rng(seed)
    if n_clusters == 0:
        yield np.zeros((n_boot, 0), dtype=np.int64)
        return
    for rows in block_sizes(n_boot, n_clusters):
        yield rng.multinomial(n_clusters, np.full(n_clusters, 1.0 / n_clusters), size=rows)


def cluster_resamples(codes: np.ndarray, n_boot: int, seed: int) -> np.ndarray:
    """``n_boot`` x clusters: how often each cluster is drawn in each resample (clusters drawn with replacement)."""
    blocks = list(resample_blocks(codes, n_boot, seed))
    return np.concatenate(blocks) if blocks else np.zeros((0, int(codes.max()) + 1), dtype=np.int64)


def resampled_sums(codes: np.ndarray, per_cluster: np.ndarray, n_boot: int, seed: int) -> np.ndarray:
    """``draws @ per_cluster`` for the draws of :func:`cluster_resamples`, one block of resamples at a time (within
    :func:`shared_draws`, draws already made for as many clusters, resamples and the same seed are taken again)."""
    blocks = [block.astype(float) @ per_cluster for block in drawn_blocks(codes, n_boot, seed)]
    return np.concatenate(blocks, axis=0) if blocks else np.zeros((0,) + per_cluster.shape[1:])


SHARED_DRAW_BYTES = 8 * BLOCK_CELLS  # what shared_draws keeps (32 MB: as much as one block of draws as floats)
_kept_draws: contextvars.ContextVar[collections.OrderedDict | None] = contextvars.ContextVar("kept_draws",
                                                                                            default=None)


@contextlib.contextmanager
def shared_draws() -> Iterator[None]:
    """Within it, :func:`resampled_sums` keeps the draws it made last (up to ``SHARED_DRAW_BYTES``, each count in
    the smallest integer type that holds it: a byte) and gives them again to a call for as many clusters and
    resamples with the same seed, without drawing them anew. They are the same numbers:
    :func:`resample_blocks` draws them from a generator of that seed alone. The report's cells ask for the same
    draws where a cell's tone resamples its articles as its stance does, and where the cell of the body-only table
    (``kind_table``), or the ``--compare`` cell, has the seed and the articles of the framing table's cell
    (``framing.in_step``); the multinomial draws took 39 s of a 97 s profiled report of 1,001,000 predictions.
    Nested, the outermost one keeps them."""
    token = _kept_draws.set(collections.OrderedDict()) if _kept_draws.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _kept_draws.reset(token)


def drawn_blocks(codes: np.ndarray, n_boot: int, seed: int) -> Iterator[np.ndarray]:
    """:func:`resample_blocks`, or within :func:`shared_draws` the blocks kept from the same draws (read-only)."""
    kept = _kept_draws.get()
    if kept is None:
        yield from resample_blocks(codes, n_boot, seed)
        return
    key = (int(codes.max()) + 1 if len(codes) else 0, n_boot, seed, BLOCK_CELLS)
    if key in kept:
        kept.move_to_end(key)
        yield from kept[key]
        return
    keep = key[0] * n_boot <= SHARED_DRAW_BYTES  # at a byte a count, they may fit
    made = []
    for block in resample_blocks(codes, n_boot, seed):
        if keep:
            small = block.astype(np.min_scalar_type(int(block.max()) if block.size else 0))
            small.setflags(write=False)
            made.append(small)
        yield block
    size = sum(block.nbytes for block in made)
    if keep and size <= SHARED_DRAW_BYTES:
        kept[key] = made
        while sum(block.nbytes for blocks in kept.values() for block in blocks) > SHARED_DRAW_BYTES:
            kept.popitem(last=False)


@functools.lru_cache(maxsize=4096)  # asked again for each cell of the same articles: scipy's t.ppf takes 0.5 ms
def expanded_tail(clusters: int, level: float = 0.95) -> float:
    """The tail probability of each side of an "expanded percentile" interval from ``clusters`` resampled
    clusters (Hesterberg 2015, "What teachers should know about the bootstrap", The American Statistician 69):
    Phi(-sqrt(n / (n - 1)) x t(1 - tail, n - 1)) in place of tail = (1 - level) / 2. A plain percentile interval
    is too narrow from few clusters: the bootstrap's spread is that of n, not n - 1, clusters, and it takes a
    normal quantile where a t is due. On cells of 5 articles of 40 correlated sentences its 95% interval held the
    true net stance 83% of the time, 91% at 10 articles (``scripts/check_report_statistics.py``). Written here as
    no library gives it (scipy's ``bootstrap`` has percentile, basic and BCa, and BCa is as narrow from few)."""
    from scipy.stats import norm, t

    tail = (1 - level) / 2
    if clusters < 2:
        return tail
    return float(norm.cdf(-math.sqrt(clusters / (clusters - 1)) * t.ppf(1 - tail, clusters - 1)))


def percentile_ci(values: np.ndarray, level: float = 0.95, *, clusters: int | None = None) -> list[float] | None:
    """The percentile interval of bootstrap ``values``; expanded for the number of resampled ``clusters``
    (:func:`expanded_tail`) where it is given."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return None
    tail = (expanded_tail(clusters, level) if clusters else (1 - level) / 2) * 100
    return [float(np.percentile(values, tail)), float(np.percentile(values, 100 - tail))]


@contextlib.contextmanager
def progress_bar(description: str, total: int, enabled: bool) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr, or a no-op when ``enabled`` is false."""
    if not enabled:
        yield lambda n=1: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True, markup=False), transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)


# -- calibration --------------------------------------------------------------------------------

def reliability_bins(probs: np.ndarray, gold: np.ndarray, n_bins: int = 10) -> list[dict]:
    """Top-label reliability: per equal-width confidence bin, items, mean confidence and accuracy.

    Bins follow ``sklearn.calibration.calibration_curve(strategy="uniform")``.
    """
    probs = np.asarray(probs, dtype=float)
    confidence = probs.max(axis=1) if len(probs) else np.zeros(0)
    correct = (probs.argmax(axis=1) == gold).astype(float) if len(probs) else np.zeros(0)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    ids = np.searchsorted(edges[1:-1], confidence)
    counts = np.bincount(ids, minlength=n_bins)
    conf_sum = np.bincount(ids, weights=confidence, minlength=n_bins)
    hit_sum = np.bincount(ids, weights=correct, minlength=n_bins)
    return [{"lower": float(edges[b]), "upper": float(edges[b + 1]), "n": int(counts[b]),
             "confidence": float(conf_sum[b] / counts[b]) if counts[b] else None,
             "accuracy": float(hit_sum[b] / counts[b]) if counts[b] else None} for b in range(n_bins)]


def expected_calibration_error(probs: np.ndarray, gold: np.ndarray, n_bins: int = 10) -> float:
    """Sum over bins of (share of items) x |accuracy - mean confidence|, top-label."""
    bins = reliability_bins(probs, gold, n_bins)
    total = sum(b["n"] for b in bins)
    if not total:
        return float("nan")
    return float(sum(b["n"] / total * abs(b["accuracy"] - b["confidence"]) for b in bins if b["n"]))


def calibration_metrics(probs: np.ndarray, gold: np.ndarray, n_bins: int = 10) -> dict:
    """ECE, negative log-likelihood (scikit-learn ``log_loss``) and the reliability curve."""
    probs = np.asarray(probs, dtype=float)
    nll = float(log_loss(gold, probs, labels=list(range(len(LABELS))))) if len(gold) else None
    return {"ece": expected_calibration_error(probs, gold, n_bins), "nll": nll, "n_bins": n_bins,
            "reliability": reliability_bins(probs, gold, n_bins)}


# -- bootstrap ------------------------------------------------------------------------------------

def cluster_confusions(gold: np.ndarray, pred: np.ndarray, codes: np.ndarray,
                       n_labels: int = len(LABELS)) -> np.ndarray:
    """clusters x (gold x predicted) counts, flattened: one confusion matrix per cluster (article)."""
    n_clusters = int(codes.max()) + 1 if len(codes) else 0
    cells = n_labels * n_labels
    flat = np.bincount(codes * cells + gold * n_labels + pred, minlength=n_clusters * cells)
    return flat.reshape(n_clusters, cells).astype(float)


def confusion_scores(confusions: np.ndarray) -> dict[str, np.ndarray]:
    """Macro-F1, accuracy and favor/against F1 of each of a stack of (possibly weighted) confusion matrices
    (... x gold x predicted), as scikit-learn computes them with ``zero_division=0``: a class that is neither
    gold nor predicted has F1 0. The two polar labels come first in every task (favor, against; positive,
    negative). Also each class's ``precision``, ``recall`` and ``f1`` (... x labels), NaN where undefined (no
    item predicted, no gold item, neither)."""
    hits = np.diagonal(confusions, axis1=-2, axis2=-1)
    gold, predicted = confusions.sum(axis=-1), confusions.sum(axis=-2)
    denominator = gold + predicted  # 2 tp + fp + fn
    f1 = np.divide(2 * hits, denominator, out=np.zeros_like(hits), where=denominator > 0)
    total = confusions.sum(axis=(-2, -1))
    accuracy = np.divide(hits.sum(axis=-1), total, out=np.zeros_like(total), where=total > 0)
    undefined = np.full_like(hits, np.nan)  # per class: NaN where the figure has no denominator, so that an
    # interval leaves out the resamples without that class instead of counting them as 0
    return {"macro_f1": f1.mean(axis=-1), "accuracy": accuracy, "f1_favor_against": f1[..., :2].mean(axis=-1),
            "precision": np.divide(hits, predicted, out=undefined.copy(), where=predicted > 0),
            "recall": np.divide(hits, gold, out=undefined.copy(), where=gold > 0),
            "f1": np.where(denominator > 0, f1, np.nan)}


def bootstrap_metrics(gold: np.ndarray, pred: np.ndarray, codes: np.ndarray, *, n_boot: int, seed: int,
                      advance: Callable[[int], None] = lambda n=1: None) -> dict[str, np.ndarray]:
    """The metric in each of ``n_boot`` resamples of whole clusters (articles): each resample's confusion
    matrix is the drawn clusters' matrices summed (one matrix product), so no item-level loop is needed."""
    n_labels = len(LABELS)
    confusions = resampled_sums(codes, cluster_confusions(gold, pred, codes, n_labels), n_boot, seed)
    advance(n_boot)
    return confusion_scores(confusions.reshape(n_boot, n_labels, n_labels))


# -- evaluation ------------------------------------------------------------------------------------

def labelled(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["label"].notna()]


LARGE_ARTICLE_SHARE, LARGE_ARTICLE_ITEMS = 0.2, 50  # one "article" this big is likely many documents
FEW_GOLD = 5  # fewer gold items of a class: its F1 is a handful of items


def large_article_note(sub: pd.DataFrame, codes: np.ndarray) -> str | None:
    """A sentence when one article holds a large share of the items (the bootstrap resamples them as one)."""
    if not len(codes):
        return None
    largest = int(np.bincount(codes).argmax())
    size = int((codes == largest).sum())
    if size < LARGE_ARTICLE_ITEMS or size < LARGE_ARTICLE_SHARE * len(sub):
        return None
    article = sub["article"].iloc[int(np.flatnonzero(codes == largest)[0])]
    return (f"article {article!r} holds {numeral(size)} of {numeral(len(sub))} items: the interval resamples them as "
            "one document; if they are several, give each its own 'article'")


def absent_gold_words(absent: Sequence[str]) -> str:
    """What a class with no gold item does to the figures (``absent``: those classes): its F1 counts as 0
    (``confusion_scores``), so that a model right on every item scores a macro-F1 below 1. Said beside a group's
    figures (``group_notes``) and under train's held-out table."""
    return f"no gold {', '.join(absent)}: macro-F1 counts {'it' if len(absent) == 1 else 'them'} as 0"


def group_notes(sub: pd.DataFrame, codes: np.ndarray, min_n: int,
                labels: Sequence[str] = LABELS) -> list[tuple[str, str]]:
    """(short flag, full sentence) for each reason to distrust a group's figures."""
    notes = []
    n_clusters = int(codes.max()) + 1 if len(codes) else 0
    if len(sub) < min_n:
        notes.append((f"n<{min_n}", f"only {numeral(len(sub))} item{'s' if len(sub) != 1 else ''} (< {min_n}): "
                                    "too few to say much"))
    if n_clusters < 2:
        notes.append(("1 art.", "one article: no confidence interval"))
    elif n_clusters < MIN_RESAMPLED_ARTICLES:
        notes.append((f"{n_clusters} art.", f"{numeral(n_clusters)} articles: too few for an interval by article (it "
                                            f"needs {MIN_RESAMPLED_ARTICLES})"))
    elif note := large_article_note(sub, codes):
        notes.append(("big art.", note))
    support = sub["label"].value_counts()
    short = {"favor": "fav", "against": "ag", "neutral": "neu", "positive": "pos", "negative": "neg"}
    absent = [label for label in labels if label not in support.index]
    if absent:
        notes.append((f"no gold {'/'.join(short.get(label, label) for label in absent)}", absent_gold_words(absent)))
    few = [label for label in labels if 0 < support.get(label, 0) < FEW_GOLD]
    if few:
        notes.append((f"few gold {'/'.join(short.get(label, label) for label in few)}",
                      f"{', '.join(f'{support[label]} gold {label}' for label in few)}: one item more or less moves "
                      "that class's F1, and macro-F1 with it, by a large step"))
    return notes


def evaluate_subset(sub: pd.DataFrame, *, n_boot: int, seed: int, min_n: int, n_bins: int,
                    advance: Callable[[int], None] = lambda n=1: None) -> dict:
    """All metrics for labelled rows: point values, 95% CIs by article, calibration, flags."""
    task = frame_task(sub)
    metrics = classification_metrics(list(sub["label"]), list(sub[task.field]), task.labels)
    codes = cluster_codes(sub)
    n_clusters = int(codes.max()) + 1 if len(codes) else 0
    gold, probs = label_codes(sub["label"], task.labels), sub[list(score_columns(task))].to_numpy(float)
    ci = {name: None for name in CI_METRICS}
    per_class_ci = {label: {name: None for name in PER_CLASS} for label in task.labels}
    if n_clusters >= MIN_RESAMPLED_ARTICLES and n_boot > 0:  # fewer: a handful of distinct resamples
        samples = bootstrap_metrics(gold, label_codes(sub[task.field], task.labels), codes, n_boot=n_boot,
                                    seed=seed, advance=advance)
        ci = {name: percentile_ci(samples[name], clusters=n_clusters) for name in CI_METRICS}
        per_class_ci = {label: {name: percentile_ci(samples[name][:, k], clusters=n_clusters) for name in PER_CLASS}
                        for k, label in enumerate(task.labels)}  # the same resamples as macro-F1's
    else:
        advance(n_boot)
    notes = group_notes(sub, codes, min_n, task.labels)
    return {**metrics, "n_articles": n_clusters, "ci": ci, "per_class_ci": per_class_ci,
            "calibration": calibration_metrics(probs, gold, n_bins),
            "small": len(sub) < min_n, "flags": [flag for flag, _ in notes], "notes": [note for _, note in notes]}


def evaluate_frame(frame: pd.DataFrame, *, by: Sequence[str] = (), n_boot: int = 1000, seed: int = BOOTSTRAP_SEED,
                   min_n: int = 10, n_bins: int = 10, progress: bool = False, n_predictions: int | None = None,
                   models: Sequence[str] | None = None) -> dict:
    """Overall and per-group evaluation of labelled rows; groups below ``min_n`` are flagged, not hidden.
    ``n_predictions`` and ``models`` describe the whole file where ``frame`` holds only its labelled rows."""
    for key in by:
        if key not in GROUP_KEYS:
            raise InputError(f"cannot group by {key!r}; use one of {', '.join(GROUP_KEYS)}")
    gold = labelled(frame)
    if gold.empty:
        raise InputError("no gold labels: none of the predictions has a 'label' field, so there is nothing to "
                         "compare with; evaluate predictions made on labelled items")
    labels = {key: group_labels(gold, key) for key in by}
    groups = {key: sorted(values.unique(), key=str) for key, values in labels.items()}
    total = n_boot * (1 + sum(len(g) for g in groups.values()))
    options = dict(n_boot=n_boot, seed=seed, min_n=min_n, n_bins=n_bins)
    with progress_bar("bootstrap by article", total, progress) as advance:
        overall = evaluate_subset(gold, advance=advance, **options)
        by_group = {}
        for key, names in groups.items():
            values = labels[key]
            rows = [{"group": name, **evaluate_subset(gold[values == name], advance=advance, **options)}
                    for name in names]
            by_group[key] = sorted(rows, key=lambda row: (-row["n"], row["group"]))
    n_predictions = len(frame) if n_predictions is None else n_predictions
    models = sorted(frame["model"].unique()) if models is None else list(models)
    return {"n_predictions": n_predictions, "n_labelled": len(gold), "n_unlabelled": int(n_predictions - len(gold)),
            "models": models, "task": frame_task(frame).name, "labels": list(frame_task(frame).labels), "n_boot": n_boot, "seed": seed,
            "ci_level": 0.95, "resampled_by": "article", "min_n": min_n, "overall": overall, "groups": by_group}


# -- two models side by side -----------------------------------------------------------------------

def align_gold(first: pd.DataFrame, second: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The items both files predicted, with a gold label from either file (they must agree)."""
    a, b = first.set_index("id"), second.set_index("id")
    common = a.index.intersection(b.index, sort=False)
    # items first: an id that names another sentence (another prepare run) is why its gold labels differ too
    for column in ("actor", TEXT_HASH):
        if column in a.columns and column in b.columns:
            left_values, right_values = a.loc[common, column], b.loc[common, column]
            differ = ~(left_values.eq(right_values) | (left_values.isna() & right_values.isna()))
            if differ.any():
                first_id = differ[differ].index[0]
                what = "actor" if column == "actor" else "text"
                raise InputError(f"the two files give {int(differ.sum())} id(s) different items (the {what} differs), "
                                 f"e.g. id {first_id!r}; compare predictions made on the same items (two prepare runs "
                                 "number sentences differently: classify one items file with both models)")
    gold = a.loc[common, "label"].where(a.loc[common, "label"].notna(), b.loc[common, "label"])
    clash = a.loc[common, "label"].notna() & b.loc[common, "label"].notna() & (
        a.loc[common, "label"] != b.loc[common, "label"])
    if clash.any():
        first_id = clash[clash].index[0]
        raise InputError(f"the two files disagree on the gold label of {clash.sum()} item(s), e.g. id {first_id!r}; "
                         "compare predictions made on the same gold set")
    keep = common[gold.notna().to_numpy()]
    if len(keep) == 0:
        raise InputError("the two prediction files share no gold-labelled item ids; nothing to compare")
    left = a.loc[keep].assign(label=gold.loc[keep]).reset_index()
    right = b.loc[keep].assign(label=gold.loc[keep]).reset_index()
    info = {"n_common": int(len(keep)), "n_only_first": int(len(a.index.difference(b.index))),
            "n_only_second": int(len(b.index.difference(a.index)))}
    return left, right, info


MIN_RESAMPLED_ARTICLES = 5  # fewer articles give a handful of distinct resamples: no interval or p-value by article


def articleless_note(n_missing: int, n: int, what: str = "predictions") -> str | None:
    """A warning for items without an article: each is resampled as its own, so where several share one article
    the intervals are too narrow."""
    if not n_missing:
        return None
    return (f"{numeral(n_missing)} of {numeral(n)} {what} have no 'article'; each is resampled as an article of its "
            "own, so the intervals are too narrow where several come from one article (give each item its article id)")


def too_few_articles(n_articles: int) -> str:
    return (f"the gold items come from {numeral(n_articles)} article{'s' if n_articles != 1 else ''}, too few for a "
            f"bootstrap by article (it needs {MIN_RESAMPLED_ARTICLES}): no interval or p-value for the difference")


def paired_p_value(diffs: np.ndarray, observed: float, *, clusters: int | None = None) -> float:
    """Two-sided paired bootstrap p-value: how often a resampled difference, centred on the observed one,
    is at least as far from zero as the observed difference (Efron & Tibshirani; Berg-Kirkpatrick et al. 2012).

    With ``clusters`` (the articles resampled) it is expanded as :func:`percentile_ci` is: the tail p / 2 is read
    as an expanded tail and turned back into the t(n - 1) tail it stands for. (It is centred and the interval is a
    percentile one, so near 0.05 the two can disagree; the verdict goes by the interval.) Unexpanded, two models
    of equal accuracy on 5, 10 and 30 articles of 20 items
    differed at p < 0.05 in 15.1%, 8.6% and 5.8% of simulated comparisons (``scripts/check_report_statistics.py``)."""
    extreme = np.sum(np.abs(diffs - observed) >= abs(observed) - 1e-12)
    p = float((1 + extreme) / (1 + len(diffs)))
    if not clusters or clusters < 2 or p >= 1:
        return p
    from scipy.stats import norm, t

    return float(min(1.0, 2 * t.sf(norm.isf(p / 2) / math.sqrt(clusters / (clusters - 1)), clusters - 1)))


def compare_frames(first: pd.DataFrame, second: pd.DataFrame, *, n_boot: int = 1000, seed: int = BOOTSTRAP_SEED,
                   progress: bool = False) -> dict:
    """Both models on the same gold items: metrics, differences (second - first), paired bootstrap by article."""
    task = frame_task(first)
    if frame_task(second) is not task:
        raise InputError(f"the first file holds {task.name} predictions and the second "
                         f"{frame_task(second).name} predictions; compare predictions of one task")
    left, right, info = align_gold(first, second)
    field, labels = task.field, task.labels
    gold = label_codes(left["label"], labels)
    pred_a, pred_b = label_codes(left[field], labels), label_codes(right[field], labels)
    codes = cluster_codes(left)
    n_articles = int(codes.max()) + 1
    if n_articles < MIN_RESAMPLED_ARTICLES:
        n_boot = 0
    with progress_bar("paired bootstrap", 2 * n_boot, progress) as advance:  # the same draws for both models
        scores_a = bootstrap_metrics(gold, pred_a, codes, n_boot=n_boot, seed=seed, advance=advance)
        scores_b = bootstrap_metrics(gold, pred_b, codes, n_boot=n_boot, seed=seed, advance=advance)
    diffs = {name: scores_b[name] - scores_a[name] for name in CI_METRICS}
    metrics_a = classification_metrics(list(left["label"]), list(left[field]), labels)
    metrics_b = classification_metrics(list(right["label"]), list(right[field]), labels)
    rows = {}
    for name in CI_METRICS:
        observed = metrics_b[name] - metrics_a[name]
        rows[name] = {"first": metrics_a[name], "second": metrics_b[name], "difference": observed,
                      "first_ci": percentile_ci(scores_a[name], clusters=n_articles) if n_boot else None,
                      "second_ci": percentile_ci(scores_b[name], clusters=n_articles) if n_boot else None,
                      "ci": percentile_ci(diffs[name], clusters=n_articles) if n_boot else None,
                      "p_value": paired_p_value(diffs[name], observed, clusters=n_articles) if n_boot else None}
    return {**info, "models": [sorted(first["model"].unique()), sorted(second["model"].unique())],
            "n_articles": n_articles, "metrics": rows, "metrics_first": metrics_a,
            "metrics_second": metrics_b,
            "note": too_few_articles(n_articles) if n_articles < MIN_RESAMPLED_ARTICLES else None,
            "warning": large_article_note(left, codes) if n_boot else None,
            "test": "paired bootstrap by article, two-sided, difference = second - first"}


METRIC_NAMES = {"macro_f1": "macro-F1", "accuracy": "accuracy", "f1_favor_against": "F1 of favor and against"}


def p_text(value) -> str:
    """A p-value in three decimals, or "<0.001" (not "0.000": no bootstrap or permutation p is zero)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return "<0.001" if value < 0.0005 else f"{value:.3f}"


def p_shown(p: float) -> str:
    """"p = 0.012", or "p < 0.001" in a sentence (:func:`p_text`)."""
    text = p_text(p)
    return f"p < {text[1:]}" if text.startswith("<") else f"p = {text}"


def apart(*values: float, digits: int = 3) -> int:
    """Decimals that print unequal figures unequal: ``digits``, more (up to 6) where those print them alike (macro-F1
    0.4587 and 0.4591 were "0.459 and 0.459: ... higher by 0.000", and train's warning "LOWER ... 0.459 against
    0.459")."""
    while digits < 6 and len({f"{value:.{digits}f}" for value in values}) < len(set(values)):
        digits += 1
    return digits


def comparison_verdict(compare: dict, first: str, second: str, metric: str = "macro_f1") -> str:
    """In words, which of two models scored higher on the same gold items and by how much, each figure with its n
    and interval: ``compare`` is :func:`compare_frames`'s result, ``first`` and ``second`` name its two models."""
    row, n, articles = compare["metrics"][metric], compare["n_common"], compare["n_articles"]
    digits = apart(row["first"], row["second"])

    def with_ci(value: float, ci, sign: bool = False) -> str:
        shown = f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"
        return shown + (f" [{ci[0]:+.3f}, {ci[1]:+.3f}]" if sign else f" [{ci[0]:.3f}, {ci[1]:.3f}]") if ci else shown

    name = METRIC_NAMES.get(metric, metric)
    text = (f"On the same {numeral(n)} gold item{'s' if n != 1 else ''} ({numeral(articles)} "
            f"article{'s' if articles != 1 else ''}), {second} scores {name} "
            f"{with_ci(row['second'], row.get('second_ci'))} and {first} "
            f"{with_ci(row['first'], row.get('first_ci'))}: ")
    difference, ci = row["difference"], row.get("ci")
    if difference == 0:  # the same score here is no evidence that they are alike: the interval says how far apart
        if not ci:
            return text + f"the same score, with no interval ({compare.get('note') or 'no bootstrap'})."
        if ci[0] == ci[1] == 0:
            return text + "the same score in every resample."
        return (text + f"the same score on these items (95% interval of {second} minus {first}: [{ci[0]:+.3f}, "
                f"{ci[1]:+.3f}]; paired bootstrap {p_shown(row['p_value'])}): these items cannot tell the two apart.")
    higher, lower = (second, first) if difference > 0 else (first, second)
    text += f"{higher} is higher by {abs(difference):.{apart(0.0, abs(difference))}f}"
    if not ci:
        return text + f", with no interval ({compare.get('note') or 'no bootstrap'})."
    interval = f"[{abs(ci[0]):.3f}, {abs(ci[1]):.3f}]" if difference > 0 else f"[{abs(ci[1]):.3f}, {abs(ci[0]):.3f}]"
    if ci[0] <= 0 <= ci[1]:
        return (text + f" (95% interval of {second} minus {first}: [{ci[0]:+.3f}, {ci[1]:+.3f}], which holds 0; "
                f"paired bootstrap {p_shown(row['p_value'])}): these items cannot tell the two apart.")
    return text + f" (95% interval {interval}; paired bootstrap by article, {p_shown(row['p_value'])})."


def checkout_model(model: str) -> Path | None:
    """The folder of a model named in a predictions file (``name@digest``, any engine) that is the checkout's (or
    the working directory's) ``models/NAME`` with that very digest (``model_hash``: a retrained or recalibrated
    folder of the same name is another model) and lists its trained items, so that evaluate checks its rows for
    them unasked; None where there is none."""
    from classifier.models.card import TRAINED_ITEMS_FILE
    from classifier.models.stance_model import model_folder, model_hash

    name, _, digest = model.rpartition("@")
    if not name or not digest or "/" in name or name in (".", ".."):
        return None
    folder = model_folder(Path("models") / name)
    try:
        return folder if (folder / TRAINED_ITEMS_FILE).is_file() and model_hash(folder) == digest else None
    except OSError:  # a folder it cannot read: nothing it can tell
        return None


class TrainedLists:
    """The items each model of a predictions file trained on (its folder's ``trained_items.txt``), each model
    looked up once (a folder's weights hashed once) however often the file is read: ``--model``'s
    (``model_dir``) where its digest is the model's, else the checkout's ``models/NAME`` with that digest
    (``checkout_model``). Called with a row's model as the file is read (``read_labelled``'s ``trained``): the list
    its row is checked against; every row is checked against ``--model``'s too (``given_list``), which a file that
    holds one model alone is counted against whatever its digest (the folder named as the one that made the
    predictions: recalibrated since, or a copy under another name; ``entries``)."""

    def __init__(self, model_dir: str | Path | None = None):
        from classifier.models.card import trained_items
        from classifier.models.stance_model import model_folder

        self.given, self.found, self._digest, self._entries = None, {}, None, {}
        self.listless = False  # --model without a list (``no_list_words``)
        if model_dir is None:
            return
        model_dir = model_folder(model_dir)
        if not Path(model_dir).is_dir():
            raise InputError(f"{option('model_dir', model_dir, flag='--model')}: no such model folder (the model "
                             "whose training items the gold items are checked against)")
        known = trained_items(model_dir)
        if known is None:
            self.listless = True
            warn_caller(no_list_words(model_dir))
            return
        self.given, self.model_dir = (str(model_dir), known), Path(model_dir)

    def own(self, model: str):
        """(folder, ``card.TrainedItems``) of the model a row names, found by its digest; None where not found."""
        from classifier.models.card import trained_items
        from classifier.models.stance_model import engine_of, model_hash

        model = engine_of(model)[0]
        if model not in self.found:
            if self.given is not None and self._digest is None:
                self._digest = model_hash(self.model_dir)
            if self.given is not None and model.rpartition("@")[2] == self._digest:
                self.found[model] = self.given
            else:
                folder = checkout_model(model)
                known = trained_items(folder) if folder is not None else None
                self.found[model] = (str(folder), known) if known is not None else None
        return self.found[model]

    def __call__(self, model: str):
        entry = self.own(model)
        return entry and entry[1]

    def given_list(self):
        """``--model``'s ``card.TrainedItems``; None without one."""
        return self.given and self.given[1]

    def entries(self, models: Sequence[str]) -> dict:
        """The lists a file's gold rows are counted against, by model (``distinct_models``), as (folder, the flags'
        column): ``--model``'s (``GIVEN_TRAINED``) for the one model of a file that holds no other, whatever its
        digest; else each model's own (``TRAINED``). Found once per set of models (a warning said once)."""
        models = distinct_models(models)
        if tuple(models) not in self._entries:
            self._entries[tuple(models)] = self.find_entries(models)
        return self._entries[tuple(models)]

    def find_entries(self, models: list[str]) -> dict:
        if len(models) == 1 and self.given is not None:
            return {models[0]: (self.given[0], GIVEN_TRAINED)}
        found = {model: self.own(model) for model in models}
        if len(models) > 1 and self.given is not None and self.given not in found.values():
            warn_caller(f"{option('model_dir', self.given[0], flag='--model')}: its digest ({self._digest}) is "
                        f"none of the predictions' models' ({', '.join(models)}), so no row was checked against "
                        "its training data")
        return {model: (entry[0], TRAINED) for model, entry in found.items() if entry is not None}


def no_list_words(model_dir: str | Path) -> str:
    """``TrainedLists``' warning that ``--model`` (named as ``model_dir``) has no ``trained_items.txt``."""
    from classifier.models.card import TRAINED_ITEMS_FILE

    return (f"{option('model_dir', model_dir, flag='--model')}: no {TRAINED_ITEMS_FILE} (a model 'stance train' "
            "saved before 2026-12-07, or not trained here), so the gold items were not checked against its training "
            "data")


def unknown_training_words(models: Sequence[str]) -> str | None:
    """The words of ``unknown_training_data``'s warning, without the file's name; None where every model is
    zero-shot (no training data to check)."""
    from classifier.models.stance_model import engine_of

    trained = [engine_of(model)[0] for model in distinct_models(models) if not str(model).startswith("zero-shot:")]
    if not trained:
        return None
    return (f"the training data of {', '.join(trained)} is not known here (no --model, and not the checkout's "
            f"models/ folder of that name), so the gold items were not checked against it; pass "
            f"{option('model_dir', 'FOLDER', flag='--model')} (the folder 'stance train' saved) where it "
            "may have learnt some of them")


def unknown_training_data(models: Sequence[str], path: str | Path) -> None:
    """Warn that the gold items of ``path`` were checked against no model's training data: none of its (trained)
    models is the checkout's ``models/NAME`` and no ``--model`` was given. A model trained elsewhere (``stance train
    labels.jsonl --out ../ours-v1``) scored on the labels it learnt had been evaluated in silence, its in-sample
    figures read as a gain; ``classify`` warns of it, but evaluate is run on the file later, perhaps by another."""
    words = unknown_training_words(models)
    if words:
        warn_caller(f"{path}: {words}")


def not_checked(models: Sequence[str], lists: TrainedLists, model_dir: str | Path | None, entries: dict,
                shown: Callable | None = None) -> str | None:
    """Why a gold set's items were checked against no model's training data, in the words the terminal warned
    with (``unknown_training_words``, or ``no_list_words``, naming ``--model`` as ``shown`` names it: a report's
    files do not name the author's folders), for the page to say it too (``report.in_sample_note``); None where some
    model's list was found (``entries``), or nothing could be."""
    from classifier.io.files import shared_path

    if entries:
        return None
    if model_dir is None:
        return unknown_training_words(models)
    return no_list_words((shown or shared_path)(model_dir)) if lists.listless else None


UNSAID = object()  # check_training_data's and trained_counts' ``said``: nothing said yet of the file's items


def check_training_data(rows: LabelledRows, lists: TrainedLists, model_dir: str | Path | None,
                        path: str | Path, said=UNSAID, shown: Callable | None = None) -> tuple[dict | None, str | None]:
    """What a gold set's rows (read with ``trained=lists``) say of the model's training data, as ``evaluate`` and
    ``report --gold`` say it (``path``: how the warnings name the file): a warning where no model's list was found
    and no ``--model`` given (``unknown_training_data``), else the count of gold items trained on, warned of where
    some were (``trained_counts``'s dict, returned first). Returned second: why they were not checked, in the
    terminal's words (``not_checked``, naming ``--model`` as ``shown`` does; None where checked). ``said``: as
    ``trained_counts``'; where it is None (the same file's items were not checked either, and that was said), that
    is not said again. ``shown``: how the returned count and words name a model folder (None: ``io.files.shared_path``,
    as evaluate --out's JSON names it; a report's: its files')."""
    entries = lists.entries(rows.models)
    if not entries and model_dir is None and said is UNSAID:
        unknown_training_data(rows.models, path)
    return (trained_counts(rows.frame, entries, path, said, shown),
            not_checked(rows.models, lists, model_dir, entries, shown))


def trained_counts(frame: pd.DataFrame, entries: dict, path: str | Path, said=UNSAID,
                   shown: Callable | None = None) -> dict | None:
    """How many gold rows of each model of ``entries`` (``TrainedLists.entries``) it trained on (its column), with
    a warning per model where some did: ``{"model", "items", "of"}`` for one model; for several, their sums with
    ``models``, one such dict each; None where no model's list was found. ``said``: the count already said of the
    same file given twice (``--compare`` or ``--gold`` the predictions themselves): where this one is the same,
    it is not warned of again (evaluate P --compare P had said the same line twice). The warning names the model's
    folder as given; ``model`` as ``shown`` does (None: ``io.files.shared_path``): a JSON that is shared named
    ``--model /home/alice/models/x``, or the checkout's models/NAME from elsewhere, by its absolute path."""
    from classifier.io.files import shared_path
    from classifier.models.card import in_sample_words
    from classifier.models.stance_model import engine_of

    gold = frame.loc[frame["label"].notna()]
    models = gold["model"].map({model: engine_of(model)[0] for model in gold["model"].unique()})
    counts, names = [], []
    for model, (name, column) in entries.items():
        flags = gold.loc[models == model, column]
        counts.append({"model": (shown or shared_path)(name), "items": int(flags.sum()), "of": int(len(flags))})
        names.append(name)
    found = (counts[0] if counts else None) if len(counts) < 2 else {
        "items": sum(c["items"] for c in counts), "of": sum(c["of"] for c in counts), "models": counts}
    for count, name in zip(counts, names) if found != said else []:
        if count["items"]:
            warn_caller(f"{path}: " + in_sample_words(count["items"], count["of"], name))
    return found


def in_sample_ids(frame: pd.DataFrame, entries: dict) -> set:
    """The ids of ``frame``'s gold rows that their model trained on (``entries``: ``TrainedLists.entries``, whose
    flag columns the frame still holds)."""
    from classifier.models.stance_model import engine_of

    gold = frame.loc[frame["label"].notna()]
    models = gold["model"].map({model: engine_of(model)[0] for model in gold["model"].unique()})
    found: set = set()
    for model, (_, column) in entries.items():
        if column in gold.columns:
            flags = gold.loc[models == model, column].fillna(False).astype(bool)
            found.update(gold.loc[flags[flags].index, "id"])
    return found


def unseen_comparison(first: pd.DataFrame, second: pd.DataFrame, learnt: set, n_common: int, names: tuple[str, str],
                      *, n_boot: int, seed: int) -> dict | None:
    """The comparison again on the gold items that neither model trained on, where ``learnt`` (the ids of those one
    of them did) holds some of the ``n_common`` compared: its verdict, said after the whole set's, which such items
    flatter (129 gold items, 93 of which the new model learnt, read as "higher by 0.167, p = 0.042", a warning
    apart); None where none was learnt."""
    learnt = learnt & set(first["id"]) & set(second["id"])
    if not learnt:
        return None
    lead = (f"But {numeral(len(learnt))} of these {numeral(n_common)} items were in a compared model's training data "
            "(in-sample figures, which flatter it)")
    try:
        unseen = compare_frames(first.loc[~first["id"].isin(learnt)], second.loc[~second["id"].isin(learnt)],
                                n_boot=n_boot, seed=seed)
    except InputError:  # no gold item left that both files predicted
        return {"n_in_sample": len(learnt), "n_common": 0,
                "verdict": lead + ": none is left that neither learnt, so this comparison says nothing of new text."}
    return {"n_in_sample": len(learnt), "n_common": unseen["n_common"], "n_articles": unseen["n_articles"],
            "metrics": unseen["metrics"], "note": unseen["note"],
            "verdict": f"{lead}. Without them, o{comparison_verdict(unseen, *names)[1:]}"}


def evaluate_predictions(path: str | Path, *, by: Sequence[str] = (), compare: str | Path | None = None,
                         n_boot: int = 1000, seed: int = BOOTSTRAP_SEED, min_n: int = 10, n_bins: int = 10,
                         progress: bool = False, model_dir: str | Path | None = None) -> dict:
    """Read a predictions file and evaluate it (optionally beside ``compare``, an earlier model's predictions: the
    comparison's first model, so that its differences are this file's model minus that one). Only the
    rows with a gold label (in either file) are kept; the whole files are counted by their ids' hashes.
    ``by``: one grouping key ("source") or several (None: no grouping, as ``()``). ``model_dir``: the model that
    made the predictions, whose ``trained_items.txt`` the gold items are counted against (``trained_on`` in the
    result, with a warning where some are); without it, a model of the predictions that is the checkout's
    ``models/NAME`` with the same digest is checked; where none could be, why (``not_checked``, the terminal's
    words; None where checked). Predictions of several models: each row against its own model's list, where found
    (``TrainedLists``), counted per model. The files and folders the result names are named as a shared file names
    them (``io.files.shared_path``: no /home/alice/...), the warnings' as given."""
    check_paths(path=path, compare=compare)
    check_option_files(compare=compare)
    check_paths("a model folder", model_dir=model_dir)
    keys = [by] if isinstance(by, str) else [] if by is None else list(by) if isinstance(by, Iterable) else None
    if keys is None or not all(isinstance(key, str) for key in keys):  # by=5 was a TypeError from the loop
        raise InputError(f"{option('by', by)}: expected a column name, e.g. 'source', or a list of them")
    by = list(dict.fromkeys("source" if key == "outlet" else key for key in keys))
    check_at_least(n_boot=(n_boot, 0), seed=(seed, 0), min_n=(min_n, 1), n_bins=(n_bins, 2))
    warn_compared_with_itself(path, compare)
    drop = [column for column in TEXT_COLUMNS if column not in by]
    lists = TrainedLists(model_dir)  # each row checked against its own model's list, as the file is read
    if compare is None:
        rows, other = read_labelled(path, drop=drop, trained=lists), None
    else:
        compared_lists = TrainedLists()  # --model is the predictions' model: the compared file's own lists only,
        compared_lists.found = lists.found  # each model looked up (its weights hashed) once, whichever file names it
        rows, other = read_pair(path, compare, drop=drop, trained=lists, second_trained=compared_lists)
    if labelled(rows.frame).empty:
        raise InputError(f"{path}: no gold labels: none of its predictions has a 'label', so there is nothing to "
                         "compare with; evaluate predictions made on labelled items")
    trained_on, unchecked = check_training_data(rows, lists, model_dir, path)
    learnt = in_sample_ids(rows.frame, lists.entries(rows.models))
    rows.frame = rows.frame.drop(columns=[TRAINED, GIVEN_TRAINED], errors="ignore")
    gold_rows = labelled(rows.frame)
    note = articleless_note(int(gold_rows["article"].isna().sum()), len(gold_rows), "gold items")
    if note:
        warn_caller(note)
    from classifier.io.files import given_name, same_file, shared_path

    result = {"predictions": shared_path(path),
              **evaluate_frame(rows.frame, by=by, n_boot=n_boot, seed=seed, min_n=min_n, n_bins=n_bins,
                               progress=progress, n_predictions=rows.n_predictions, models=rows.models),
              "models_warning": mixed_models_warning(rows.models), "trained_on": trained_on,
              "not_checked": unchecked}  # the terminal's words, as report.json's evaluation.not_checked
    if other is not None:  # as in 'stance report NEW --compare OLD': first = --compare, difference = NEW - OLD
        # the compared model's gold items that it trained on, warned of as this file's are: a model compared on
        # items it learnt is flattered by the comparison (new - old), and that went unsaid
        # named by its option, as report --compare names it ("--compare old.jsonl: 9 of 60 items ..."; was "old.jsonl:")
        compared_on = trained_counts(other.frame, compared_lists.entries(other.models),
                                     option("compare", given_name(compare)),
                                     trained_on if same_file(compare, path) else UNSAID)  # the file given twice
        learnt |= in_sample_ids(other.frame, compared_lists.entries(other.models))
        other.frame = other.frame.drop(columns=[TRAINED, GIVEN_TRAINED], errors="ignore")
        only = {"n_only_first": int(len(np.setdiff1d(other.id_hashes, rows.id_hashes))),
                "n_only_second": int(len(np.setdiff1d(rows.id_hashes, other.id_hashes)))}
        paired = compare_frames(other.frame, rows.frame, n_boot=n_boot, seed=seed, progress=progress)
        result["compare"] = {"first": shared_path(compare), "second": shared_path(path),
                             **paired, **only, "models": [other.models, rows.models], "trained_on": compared_on,
                             # --compare the predictions themselves: the terminal's warning, kept (report.json's
                             # compare.warning; here "warning" is compare_frames' note of one large article)
                             "same_file_warning": compared_with_itself(path, compare, shared_path)}
        names = (f"{Path(given_name(compare)).name} ({', '.join(other.models)})",
                 f"{Path(given_name(path)).name} ({', '.join(rows.models)})")
        result["compare"]["verdict"] = comparison_verdict(result["compare"], *names)
        unseen = unseen_comparison(other.frame, rows.frame, learnt, result["compare"]["n_common"], names,
                                   n_boot=n_boot, seed=seed)
        if unseen:  # kept in --out's JSON, said after the verdict, which the in-sample items flatter
            result["compare"]["unseen"] = unseen
            result["compare"]["verdict"] += " " + unseen["verdict"]
    return result
