"""Classify a corpus in memory that does not grow with it; journal each finished batch so a killed run
resumes.

The items are read three times (an items file is read again each time; a corpus of millions of items
never sits in memory, only 16-byte keys of the item ids and an offset per journal line):

1. *survey*: every item is validated, ids are checked unique, and on ``--resume`` each journal line
   whose item is still asked for is checked against it (same model, same item fields);
2. *predict*: the items without a journal line, in chunks of ``CHUNK_ITEMS`` sorted by length within;
   each batch is appended to the journal (``OUT.partial.jsonl``), flushed and fsync'd;
3. *finish*: the output is written in input order, each record read back from the journal by its
   offset, into a temporary file moved into place at the end; the items' digest, taken as they stream, and
   the input files' stamps are kept beside it (``.OUT.fingerprint.json``) so that a rerun tells a finished
   output without reading it back (nor the input, where its files are as they were); then the journal is
   removed.

A journal line cut off by a kill (it starts like a prediction but does not parse) is skipped wherever
it lies: its item is predicted again.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence, Union

import numpy as np

from classifier.actors import default_finder, found_spans_note
from classifier.errors import InputError, model_calls, warn_caller
from classifier.io.files import TableWriter, format_of, remove_stale_temporaries, umask
from classifier.items import (TRUNCATED_FIELD, UNIQUE_IDS, Item, item_record,  # TRUNCATED_FIELD: in a journal line
                              parse_item, stance_items)
from classifier.models.stance_model import StanceModel, engine_of, scores_record
from classifier.tasks import TASKS, Task

CHUNK_ITEMS = 2048
SENTENCE_MEMORY = 65536  # distinct sentences whose sentiment is kept (a sentence's items lie together)
PREDICTION_FIELDS = ("stance", "stance_scores", "sentiment", "sentiment_scores", "model", "sentiment_model",
                     TRUNCATED_FIELD)
TORN_LINE_START = b'{"id": '  # every journal line starts so; a kill can cut one off anywhere after

ItemSource = Callable[[], Iterable[Item]]  # each call starts a fresh pass over the items
# what the items are read from, as it stands now (files' ``file_stamp``s and the options that read them), as JSON:
# equal only where the items are; None where that cannot be told (articles prepared afresh, a sequence in memory)
InputStamp = Callable[[], object]
Items = Union[Sequence[Item], ItemSource]
StanceCounts = Counter  # (source, actor, stance) -> mentions


@dataclass
class ClassifySummary:
    items: int
    predicted: int
    resumed: int
    truncated: int  # items of the whole output (resumed ones too) cut to the model's max length
    seconds: float
    out: Path
    counts: StanceCounts
    sentiment_truncated: int = 0  # --task both: the sentiment model's sentences cut to its max length, as truncated
    already: bool = False  # ``out`` held this run's predictions of these items already: nothing was scored
    unmarked: int = 0  # resumed items whose journal line has no TRUNCATED_FIELD (written before it): not counted in
    # truncated or sentiment_truncated, which then cover only the items scored since

    @property
    def items_per_second(self) -> float:
        return self.predicted / self.seconds if self.seconds > 0 else 0.0


def journal_path(out: Path) -> Path:
    return out.with_name(out.name + ".partial.jsonl")


def check_no_unfinished_run(out: Path, resume: bool) -> None:
    """A journal beside ``out`` is an interrupted run: continue it only when asked to."""
    journal = journal_path(Path(out))
    if journal.is_symlink():  # appending would write through it, into whatever file it names
        raise InputError(f"{journal}: a link, where this run keeps its journal; remove it (nothing was written)")
    if journal.exists() and not resume:
        replacing = predictions_model(Path(out)) is not None  # a run with --overwrite, stopped
        raise InputError(f"{journal}: an unfinished run is here; pass --resume to continue it"
                         + (f" (with --overwrite: it replaces the finished {Path(out).name})" if replacing else "")
                         + ", or delete the file to start over")


def output_rows(out: Path, fmt: str | None = None) -> Iterator[tuple[int, dict]]:
    """(line or row number, record) of a table written in ``fmt`` (default: by its name), as --format wrote it."""
    from classifier.io.files import iter_csv, iter_jsonl, iter_parquet

    return {"csv": iter_csv, "parquet": iter_parquet}.get(fmt or format_of(out), iter_jsonl)(out)


def predictions_model(out: Path, fmt: str | None = None) -> str | None:
    """The model id of the first row of ``out`` where it is a predictions file (its first row carries a model id
    and a task's label), else None: no file, an empty one, or another kind (items, a table, not readable)."""
    out = Path(out)
    if not out.is_file() or out.stat().st_size == 0:
        return None
    try:
        first = next(output_rows(out, fmt), None)
    except InputError:
        return None
    record = first[1] if first else None
    if isinstance(record, dict) and record.get("model") and any(task.field in record for task in TASKS.values()):
        return str(record["model"])
    return None


def written_key(record: dict) -> bytes:
    """A 16-byte digest of a record's item fields as a predictions file of any format reads them back: each value
    as its CSV cell (``csv_cell``: lists and objects as JSON, numbers and text as Python writes them), an empty or
    missing one left out, a whole number alike as int or float, so that an item and its row in a JSONL, CSV or
    Parquet output give the same digest."""
    from classifier.io.files import csv_cell

    def cell(value) -> str:  # a whole number as an int: Parquet writes a column of 2 and 1.5 as 2.0 and 1.5, a CSV
        text = csv_cell(value)  # row holds "2.0" where the item had 2.0 or "2" where it had 2
        try:
            number = float(text)
        except ValueError:
            return text
        return str(int(number)) if number.is_integer() and abs(number) < 2 ** 53 else text

    cells = {key: cell(value) for key, value in record.items() if key not in PREDICTION_FIELDS}
    text = canonical({key: cell for key, cell in cells.items() if cell != ""})
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def models_text(models: Sequence[tuple[str, object]]) -> str:
    """'model M' or 'model M with sentiment model S'."""
    named = {field: found for field, found in models}
    return f"model {named.get('model')!r}" + (f" with sentiment model {named['sentiment_model']!r}"
                                              if "sentiment_model" in named else "")


def check_finished_output(out: Path, spec: RunSpec, source: ItemSource, fmt: str | None,
                          where: str, stamp: object = None,
                          input_stamp: InputStamp | None = None) -> ClassifySummary | None:
    """Before a run that may not replace ``out`` (no --overwrite), when ``out`` holds finished predictions: a
    summary of nothing done where they are this run's (the same models and tasks) of these very items (the same
    item fields, ids, texts, actors, spans and gold labels included, in any order); an InputError naming the model
    found and --overwrite where they are another model's or of other items, or where a journal beside them is an
    unfinished run that replaces them. None where there is nothing to keep: no file, an empty one, or one that
    holds no predictions (items, a table: replaced as before). The fingerprint beside ``out``, where it still
    describes it, answers "this run's, of these items" from the input's ``stamp`` (``taken``) or from the items
    alone (``matching_fingerprint``); else ``out`` is read back in full."""
    out = Path(out)
    found = predictions_model(out, fmt)
    if found is None:
        return None
    keep = "add --overwrite to replace them, or name another file (nothing was changed)"
    journal = journal_path(out)
    if journal.exists():  # only a run with --overwrite starts a journal beside finished predictions
        raise InputError(f"--out {out}: holds finished predictions by model {found!r}, and {journal.name} beside it "
                         "is an unfinished run that replaces them; rerun with --resume --overwrite to finish it, or "
                         "delete the journal (nothing was changed)")
    kept = matching_fingerprint(out, spec, source, fmt, stamp, input_stamp)
    if kept is not None:
        return ClassifySummary(kept.items, 0, 0, 0, 0.0, out, kept.counts, already=True)
    wanted = sorted(task.name for task in spec.tasks)
    keys, counts = Columns(key="S16"), Counter()
    rows = output_rows(out, fmt)
    while True:
        try:
            row = next(rows, None)
        except InputError as exc:  # edited since it was written
            raise InputError(f"{exc}; --out {out} is not a whole predictions file: {keep}") from None
        if row is None:
            break
        record = row[1]
        written = sorted(task.name for task in TASKS.values() if record.get(task.field) is not None)
        got = [(field, record.get(field)) for field in ("model", "sentiment_model") if record.get(field) is not None]
        if written != wanted:
            raise InputError(f"--out {out}: holds predictions of {task_option(written or ['?'])} by "
                             f"{models_text(got)}, not of {task_option(wanted)}; " + keep)
        if got != list(spec.models):
            raise InputError(f"--out {out}: holds predictions by {models_text(got)}, not {models_text(spec.models)}; "
                             + keep)
        keys.add(key=written_key(record))
        counts[(record.get("source"), record.get("actor"), record.get(spec.counted))] += 1
    theirs = np.sort(keys.arrays()["key"])
    ours = Columns(key="S16")
    for chunk in chunked(source()):  # validated as the survey validates them
        # each record as the journal holds it (JSON), from which every format of output is written
        ours.extend(key=[written_key(json.loads(json.dumps(item_record(item), ensure_ascii=False))) for item in chunk])
    ours = np.sort(ours.arrays()["key"])
    if len(ours) != len(theirs) or (ours != theirs).any():
        alike = len(np.intersect1d(ours, theirs))
        raise InputError(f"--out {out}: holds predictions by {models_text(got)} of other items ({len(theirs)} there, "
                         f"{len(ours)} in {where}, {alike} of them alike); " + keep)
    return ClassifySummary(len(ours), 0, 0, 0, 0.0, out, counts, already=True)


FINGERPRINT_VERSION = 1


def fingerprint_path(out: Path) -> Path:
    """The hidden file beside a finished output that says what it was written from (``write_fingerprint``)."""
    return out.with_name(f".{out.name}.fingerprint.json")


def item_key(item: Item) -> bytes:
    """A 16-byte digest of an item's fields (its record as JSON, keys sorted)."""
    return hashlib.blake2b(canonical(item_record(item)).encode("utf-8", "surrogatepass"), digest_size=16).digest()


class ItemsDigest:
    """One digest of a stream of items, in any order: the sorted 16-byte ``item_key``s hashed together (16 bytes
    an item in memory, as the survey's id keys)."""

    def __init__(self):
        self.keys = Columns(key="S16")

    def add(self, items: Sequence[Item]) -> None:
        self.keys.extend(key=[item_key(item) for item in items])

    def result(self) -> tuple[int, str]:
        keys = np.sort(self.keys.arrays()["key"])
        return len(keys), hashlib.blake2b(keys.tobytes(), digest_size=32).hexdigest()


def file_stamp(path: Path) -> list[int]:
    """What changes when a file is replaced or edited in any way: its inode, size, modification and change
    times (a change time cannot be set back, as ``touch`` sets a modification time)."""
    found = os.stat(path)
    return [found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns]


def taken(input_stamp: InputStamp | None) -> object:
    """The input's stamp now, as its JSON reads back (lists, not tuples), or None: none given, or not to be taken
    (the input gone or unreadable: the digest answers, or the run names the problem)."""
    if input_stamp is None:
        return None
    try:
        return json.loads(json.dumps(input_stamp()))
    except (OSError, TypeError, ValueError):
        return None


@dataclass
class Fingerprint:
    items: int
    counts: StanceCounts


def write_fingerprint(out: Path, fmt: str, spec: RunSpec, digest: ItemsDigest, counts: StanceCounts,
                      stamp: object = None) -> None:
    """Beside a finished output, just moved into place: the models and tasks that wrote it, the digest of the items
    it was written from (computed as they streamed into it), its summary's counts, the output's ``file_stamp`` and
    the input's ``stamp`` (``InputStamp``, taken as the run began and found the same after the output was written;
    else None). A rerun compares the input's stamp, or else the items' digest, instead of reading the whole output
    back (``matching_fingerprint``); an output changed since no longer matches its stamp and is read in full. Best
    effort: where it cannot be written a rerun reads the output, as before."""
    items, items_digest = digest.result()
    state = {"version": FINGERPRINT_VERSION, "format": fmt, "stamp": file_stamp(out), "models": list(spec.models),
             "tasks": sorted(task.name for task in spec.tasks), "items": items, "digest": items_digest,
             "counts": [[*cell, n] for cell, n in counts.items()]}
    if stamp is not None:  # an optional key: a fingerprint without it (written before) is told by the digest
        state["input"] = stamp
    save_fingerprint(out, state)


def save_fingerprint(out: Path, state: dict) -> None:
    """Write ``state`` as the fingerprint beside ``out``, atomically; best effort (see ``write_fingerprint``)."""
    import tempfile

    try:
        text = json.dumps(state, ensure_ascii=False)
    except (TypeError, ValueError):  # counts of cells JSON cannot hold
        return
    tmp = None
    try:  # a .NAME.*.tmp left by a kill is removed by remove_stale_temporaries, as the output's own
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o666 & ~umask())  # mkstemp makes 0600; the output's own mode
        os.replace(tmp, fingerprint_path(out))
    except OSError:  # a full disk: the output is whole; a rerun reads it in full
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def matching_fingerprint(out: Path, spec: RunSpec, source: ItemSource, fmt: str | None,
                         stamp: object = None, input_stamp: InputStamp | None = None) -> Fingerprint | None:
    """The fingerprint beside ``out`` where it still describes ``out`` (same ``file_stamp``), was written by this
    run's models, tasks and format, and either the input's ``stamp`` now is the one it kept (the input not read at
    all) or the items now (read once, as they stream) have its digest: ``out`` then holds this run's predictions of
    these very items. None otherwise (no fingerprint, an older output, an output edited since, other items or
    models): the caller reads ``out`` in full, as it did before there was one. Where the digest answers and the
    input's stamp has changed (a file touched or copied, same items; a fingerprint written before stamps were kept)
    but not while it was read (``input_stamp`` gives ``stamp`` again), the fingerprint keeps the new stamp, so the
    next rerun reads nothing."""
    path = fingerprint_path(out)
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        fresh = (isinstance(state, dict) and state.get("version") == FINGERPRINT_VERSION
                 and state.get("stamp") == file_stamp(out) and state.get("format") == (fmt or format_of(out))
                 and state.get("models") == [list(pair) for pair in spec.models]
                 and state.get("tasks") == sorted(task.name for task in spec.tasks))
        counts = Counter({tuple(cell[:-1]): cell[-1] for cell in state["counts"]}) if fresh else None
    except (OSError, ValueError, TypeError, KeyError, IndexError):
        return None
    if not fresh:
        return None
    if stamp is not None and state.get("input") == stamp and isinstance(state.get("items"), int):
        return Fingerprint(state["items"], counts)  # the same files, read the same way: the same items
    digest = ItemsDigest()
    for chunk in chunked(source()):  # validated as the survey validates them
        digest.add(chunk)
    if list(digest.result()) != [state.get("items"), state.get("digest")]:
        return None
    if stamp is not None and taken(input_stamp) == stamp:
        save_fingerprint(out, state | {"input": stamp})
    return Fingerprint(state["items"], counts)


def item_source(items: Items) -> ItemSource:
    """A sequence of items, or a function that reads them afresh (an items file), as passes."""
    return items if callable(items) else (lambda: iter(items))


def with_mentions(source: ItemSource, finder, found: Counter) -> ItemSource:
    """The items of each pass, an item without ``spans`` (an ``Item`` made without them) with its actor's mentions
    found by ``finder`` (an ``actors.MentionFinder``; None: as they are) and ``spans_from`` saying how, as
    ``read_items(find_spans=)`` completes a file's rows; ``found`` counts the pass's items by ``spans_from`` (None:
    spans given), afresh each pass, for ``found_spans_note``."""

    def items() -> Iterator[Item]:
        found.clear()
        for number, item in enumerate(source(), start=1):
            if finder is not None and "spans" not in item.model_fields_set and item.has_actor:
                where = item._where
                item = parse_item(finder.complete_item(item), where or f"item {number}", need_actor=True)
                item._where = where
            found[getattr(item, "spans_from", None)] += 1
            yield item

    return items


def chunked(items: Iterable[Item], size: int = CHUNK_ITEMS) -> Iterator[list[Item]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def canonical(record: dict) -> str:
    return json.dumps(record, sort_keys=True, ensure_ascii=False, default=str)


def id_key(item_id: str) -> bytes:
    """A 16-byte digest of an id (no two ids of a corpus share one in practice: 2^-128 a pair)."""
    return hashlib.blake2b(item_id.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def id_keys(items: Sequence[Item]) -> np.ndarray:
    return np.array([id_key(item.id) for item in items], dtype="S16")


def content_key(record: dict) -> bytes:
    """A digest of a record's item fields: compared as JSON text, so NaN equals NaN, as in the journal."""
    fields = {key: value for key, value in record.items() if key not in PREDICTION_FIELDS}
    return hashlib.blake2b(canonical(fields).encode("utf-8", "surrogatepass"), digest_size=8).digest()


class Columns:
    """Fixed-width columns appended row by row and kept as numpy arrays (no Python object per row)."""

    PIECE = 65536

    def __init__(self, **dtypes):
        self.dtypes = dtypes
        self.pieces: dict[str, list[np.ndarray]] = {name: [] for name in dtypes}
        self.rows: dict[str, list] = {name: [] for name in dtypes}

    def add(self, **values) -> None:
        for name, value in values.items():
            self.rows[name].append(value)
        if len(self.rows[next(iter(self.dtypes))]) >= self.PIECE:
            self._flush()

    def extend(self, **arrays) -> None:
        self._flush()
        for name, array in arrays.items():
            self.pieces[name].append(np.asarray(array, dtype=self.dtypes[name]))

    def _flush(self) -> None:
        for name, rows in self.rows.items():
            if rows:
                self.pieces[name].append(np.array(rows, dtype=self.dtypes[name]))
                self.rows[name] = []

    def arrays(self) -> dict[str, np.ndarray]:
        self._flush()
        return {name: np.concatenate(pieces) if pieces else np.empty(0, dtype=self.dtypes[name])
                for name, pieces in self.pieces.items()}


@dataclass
class JournalIndex:
    """Journal lines by item key: sorted keys, with each line's item-field digest, number and offset."""

    keys: np.ndarray
    contents: np.ndarray
    lines: np.ndarray
    offsets: np.ndarray

    @classmethod
    def build(cls, columns: dict[str, np.ndarray]) -> "JournalIndex":
        """Sorted by key; of lines with the same item, the last written stands."""
        keys = columns["key"]
        order = np.argsort(keys, kind="stable")
        keep = order[np.append(keys[order][1:] != keys[order][:-1], True)] if len(order) else order
        return cls(keys[keep], columns["content"][keep], columns["line"][keep], columns["offset"][keep])

    def find(self, keys: np.ndarray) -> np.ndarray:
        """Each key's position in the index, or -1."""
        if not len(self.keys):
            return np.full(len(keys), -1)
        where = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        return np.where(self.keys[where] == keys, where, -1)


def journal_columns() -> Columns:
    return Columns(key="S16", content="S8", line=np.int64, offset=np.int64)


@dataclass(frozen=True)
class RunSpec:
    """What a run writes: the tasks scored (their label and scores fields) and the models by output field
    (``model``; ``sentiment_model`` when sentence sentiment is written beside stance)."""

    tasks: tuple[Task, ...]
    models: tuple[tuple[str, str], ...]  # (field, model id)

    @classmethod
    def of(cls, model: StanceModel, sentiment: StanceModel | None = None) -> "RunSpec":
        tasks = (model.task,) + ((sentiment.task,) if sentiment is not None else ())
        models = (("model", model.model_id),) + ((("sentiment_model", sentiment.model_id),) if sentiment else ())
        return cls(tasks, models)

    @property
    def fields(self) -> list[str]:
        return [name for task in self.tasks for name in (task.field, task.scores_field)] + [f for f, _ in self.models]

    @property
    def counted(self) -> str:
        """The field the summary counts: the first task's label."""
        return self.tasks[0].field


def task_option(names: list[str]) -> str:
    """The ``--task`` that writes the fields of these tasks."""
    return "--task both" if len(names) > 1 else f"--task {names[0]}"


def journal_problem(record, spec: RunSpec) -> str | None:
    """Why a journal line cannot stand for a prediction of this run (None: it can)."""
    if not isinstance(record, dict) or "id" not in record:
        return "not a prediction (no id)"
    written = [task.name for task in TASKS.values() if task.field in record]
    wanted = [task.name for task in spec.tasks]
    if written and sorted(written) != sorted(wanted):
        was, now = task_option(written), task_option(wanted)
        return f"written by a run of {was}, not {now}; rerun with {was}"
    for task in spec.tasks:
        scores = record.get(task.scores_field)
        if record.get(task.field) not in task.labels or not isinstance(scores, dict) or set(scores) != set(task.labels):
            return (f"not a prediction ({task.field} and {task.scores_field} over "
                    f"{', '.join(task.labels)})")
    for field, model_id in spec.models:
        found = record.get(field)
        if found != model_id:
            (was, was_engine), (now, now_engine) = engine_of(found), engine_of(model_id)
            if was == now:
                return f"written with --engine {was_engine}, not {now_engine}; rerun with --engine {was_engine}"
            return f"written by model {found!r}, not {model_id!r}; rerun with that model"
    return None


def read_journal(path: Path, spec: RunSpec) -> JournalIndex:
    """Index the predictions of an earlier run, each line checked (item fields later, in the survey)."""
    columns = journal_columns()
    with open(path, "rb") as fh:
        offset = 0
        for lineno, raw in enumerate(fh, start=1):
            start, offset = offset, offset + len(raw)
            try:
                record = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                if raw.startswith(TORN_LINE_START):
                    continue  # cut off inside a character
                raise InputError(f"{path}:{lineno}: not a prediction journal (not UTF-8 text); "
                                 "delete it to start over") from None
            except json.JSONDecodeError:
                continue  # a write cut off by a kill: the item is predicted again
            problem = journal_problem(record, spec)
            if problem:
                raise InputError(f"{path}:{lineno}: cannot resume, {problem}; delete the file to start over")
            columns.add(key=id_key(str(record["id"])), content=content_key(record), line=lineno, offset=start)
    return JournalIndex.build(columns.arrays())


@dataclass
class Survey:
    items: int
    done: int  # items with a journal line
    columns: list[str]  # output columns, in first-seen order


def survey(source: ItemSource, index: JournalIndex, journal: Path, where: str,
           fields: Sequence[str] = ("stance", "stance_scores", "model")) -> Survey:
    """One pass: validate (the source raises on a bad item), collect columns, check ids unique and
    that each resumed journal line stands for its item as it is now."""
    keys, columns, total, done = Columns(key="S16"), dict.fromkeys(Item.model_fields), 0, 0
    for chunk in chunked(source()):
        chunk_keys = id_keys(chunk)
        for item in chunk:
            if item.model_extra:
                columns.update(dict.fromkeys(item.model_extra))
        found = index.find(chunk_keys)
        hits = np.flatnonzero(found >= 0)
        if len(hits):
            now = np.array([content_key(item_record(chunk[i])) for i in hits], dtype="S8")
            changed = np.flatnonzero(now != index.contents[found[hits]])
            if len(changed):
                first = hits[changed[0]]
                raise InputError(f"{journal}:{index.lines[found[first]]}: cannot resume, item {chunk[first].id!r} "
                                 "differs from the input now (the input changed since the run stopped); "
                                 "delete the file to start over")
        keys.extend(key=chunk_keys)
        total, done = total + len(chunk), done + len(hits)
    check_unique_keys(keys.arrays()["key"], source, where)
    if len(index.keys) > done:  # finishing would delete the journal, and their predictions with it
        raise InputError(f"{journal}: cannot resume, it holds {len(index.keys) - done} predictions of items this "
                         "input does not have (another input, or other --only-actors, --rows or --task than the run "
                         "that stopped); rerun with that input, or delete the file to start over")
    return Survey(total, done, list(dict.fromkeys([*(c for c in columns if c not in fields), *fields])))


def check_unique_keys(keys: np.ndarray, source: ItemSource, where: str) -> None:
    ordered = np.sort(keys)
    repeated = set(ordered[1:][ordered[1:] == ordered[:-1]].tolist())
    if not repeated:
        return
    first: dict[str, str] = {}  # a second pass names the first id repeated, in input order
    for number, (item, key) in enumerate(((item, key) for chunk in chunked(source())
                                          for item, key in zip(chunk, id_keys(chunk).tolist())), start=1):
        if key in repeated:
            here = getattr(item, "_where", None) or f"item {number}"  # file:line where the item was read
            if item.id in first:
                raise InputError(f"{where}: duplicate item id '{item.id}' ({first[item.id]} and {here}; {UNIQUE_IDS})")
            first[item.id] = here


def pending(source: ItemSource, index: JournalIndex) -> Iterator[list[Item]]:
    """The items the journal does not hold yet, a chunk at a time, in input order."""
    for chunk in chunked(source()):
        todo = [item for item, position in zip(chunk, index.find(id_keys(chunk))) if position < 0]
        if todo:
            yield todo


def prediction_record(item: Item, row: np.ndarray, model: StanceModel) -> dict:
    return {**item_record(item), **scores_record(row, model.labels, model.task.field), "model": model.model_id}


def text_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class SentenceSentiment:
    """Sentence sentiment scored once per distinct text: the items of one sentence (one per actor) share
    one forward pass. The last ``memory`` sentences are kept, which covers a sentence's items, since
    prepare writes them together. ``scored`` counts the texts the model was run on, ``truncated`` those cut."""

    def __init__(self, model: StanceModel, batch_size: int = 64, memory: int = SENTENCE_MEMORY):
        self.model, self.batch_size, self.memory = model, batch_size, memory
        self.cache: dict[bytes, dict] = {}
        self.scored = 0
        self.truncated = 0

    def records(self, items: Sequence[Item]) -> tuple[list[dict], list[bool]]:
        """``{"sentiment": label, "sentiment_scores": {...}}`` for each item, in order, and whether each is the first
        item of a sentence scored here and cut to the model's max length."""
        keys = [text_key(item.text) for item in items]
        todo, cut = {}, set()
        for key, item in zip(keys, items):
            if key not in self.cache and key not in todo:
                todo[key] = Item(id=str(len(todo)), text=item.text)
        if todo:
            with model_calls(model_shown(self.model)):
                encoded, truncated = self.model.encode(list(todo.values()))
            self.truncated += truncated
            cut = {key for key, e in zip(todo, encoded) if e.truncated}
            order = np.argsort([-len(e.input_ids) for e in encoded], kind="stable")
            rows = np.zeros((len(encoded), len(self.model.labels)))
            for start in range(0, len(order), self.batch_size):
                chosen = order[start:start + self.batch_size]
                with model_calls(model_shown(self.model)):
                    rows[chosen] = self.model.probabilities([encoded[i] for i in chosen])
            for key, row in zip(todo, rows):
                self.cache[key] = scores_record(row, self.model.labels, "sentiment")
            self.scored += len(todo)
        found = [self.cache[key] for key in keys]
        first_cut = [False] * len(keys)
        for i, key in enumerate(keys):
            if key in cut:
                first_cut[i] = True
                cut.discard(key)
        for key in list(itertools.islice(self.cache, max(0, len(self.cache) - self.memory))):
            del self.cache[key]  # dicts keep insertion order: the oldest go first
        return found, first_cut


class Journal:
    """Durable record of finished predictions for one output file."""

    def __init__(self, out: Path, resume: bool, spec: RunSpec):
        self.out = Path(out)
        self.path = journal_path(self.out)
        self.spec = spec
        check_no_unfinished_run(self.out, resume)
        self.index = read_journal(self.path, spec) if resume and self.path.exists() else \
            JournalIndex.build(journal_columns().arrays())
        if resume:
            remove_stale_temporaries(self.out)  # what a kill during finish left
        self.written = Columns(key="S16", offset=np.int64)  # this run's lines
        self._fh = None

    def open(self) -> None:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._repair_tail()
        except OSError as exc:  # --resume still on a full disk or under ulimit -f: said of the journal, as append says
            raise self.write_failed(exc) from None
        self._fh = open(self.path, "ab")

    def write_failed(self, exc: OSError) -> InputError:
        """A write to the journal that failed (a full disk, a file-size limit) as one line naming it; the line had
        named no file where it was the newline that ends a torn line on --resume."""
        return InputError(f"{self.path}: {exc.strerror or exc}; the earlier batches' predictions are kept: "
                          "make room and rerun with --resume")

    def _repair_tail(self) -> None:
        """End the journal with a newline, so appended lines never join a torn one."""
        if self.path.exists() and self.path.stat().st_size:
            with open(self.path, "rb+") as fh:
                fh.seek(-1, os.SEEK_END)
                if fh.read(1) != b"\n":
                    fh.write(b"\n")

    def append(self, records: Sequence[dict]) -> None:
        lines = [(json.dumps(r, ensure_ascii=False) + "\n").encode("utf-8") for r in records]
        start = self._fh.seek(0, os.SEEK_END)
        offsets = start + np.cumsum([0] + [len(line) for line in lines[:-1]])
        try:
            self._fh.write(b"".join(lines))
            self._fh.flush()
            os.fsync(self._fh.fileno())
        except OSError as exc:  # a full disk: the batches before this one are on disk, a torn line is skipped
            raise self.write_failed(exc) from None
        self.written.extend(key=[id_key(r["id"]) for r in records], offset=offsets)

    def abandon(self) -> None:
        """A run that stops before its first batch leaves no empty journal to trip the next run."""
        if self._fh:
            # a write that failed part way (a file-size limit, a full disk) leaves the rest of its batch in the
            # buffer: closing writes it again and fails again, which would hide the line naming the journal
            with contextlib.suppress(OSError):
                self._fh.close()
        if self.path.exists() and self.path.stat().st_size == 0:
            self.path.unlink()

    def merged_index(self) -> JournalIndex:
        """The resumed lines and this run's, by key."""
        new = self.written.arrays()
        if not len(new["key"]):
            return self.index
        blank = len(new["key"])  # item digests and line numbers only matter for resumed lines
        new |= {"content": np.zeros(blank, dtype="S8"), "line": np.zeros(blank, dtype=np.int64)}
        old = {"key": self.index.keys, "content": self.index.contents, "line": self.index.lines,
               "offset": self.index.offsets}
        return JournalIndex.build({name: np.concatenate([old[name], new[name]]) for name in old})

    def finish(self, source: ItemSource, fmt: str | None, columns: list[str],
               input_stamp: InputStamp | None = None, stamp: object = None) -> tuple[StanceCounts, Counter, int]:
        """Write the output in input order, atomically, from the journal; remove the journal. Returns the summary's
        counts, the items cut to a model's max length by task name (``TRUNCATED_FIELD``; a sentence-level task's,
        sentiment, once per distinct sentence), and the lines without that mark (``ClassifySummary.unmarked``).
        ``stamp``: the input's,
        taken before its first pass; kept in the fingerprint where ``input_stamp`` still gives it once the output is
        written (the input was not changed while the run read it)."""
        self._fh.close()
        index = self.merged_index()
        counts: StanceCounts = Counter()
        cut: Counter = Counter()
        digest = ItemsDigest()
        with contextlib.suppress(OSError):  # it describes the output about to be replaced (its stamp would tell)
            fingerprint_path(self.out).unlink(missing_ok=True)
        try:
            unmarked = self._write_output(source, fmt, columns, index, counts, cut, digest)
        except OSError as exc:
            if exc.filename:
                raise
            raise InputError(f"{self.out}: {exc.strerror or exc}; nothing half-written was kept and the journal "
                             f"{self.path.name} holds every prediction: make room and rerun with --resume") from None
        unchanged = stamp if stamp is not None and taken(input_stamp) == stamp else None
        write_fingerprint(self.out, fmt or format_of(self.out), self.spec, digest, counts, unchanged)
        self.path.unlink()
        return counts, cut, unmarked

    def _write_output(self, source: ItemSource, fmt: str | None, columns: list[str], index: JournalIndex,
                      counts: StanceCounts, cut: Counter, digest: ItemsDigest) -> int:
        """Write the output; count the cut items into ``cut``. Returns the lines without a mark. A sentence-level
        task's cut is marked on the first item of the sentence that a run scored; a sentence whose items were
        scored on both sides of a kill is marked twice, so it counts once per distinct text here (16 bytes kept for
        each sentence cut, a few of them)."""
        by_sentence = {task.name: set() for task in self.spec.tasks if not task.needs_actor}
        unmarked = 0
        with TableWriter(self.out, fmt or format_of(self.out), columns) as writer, open(self.path, "rb") as fh:
            for chunk in chunked(source()):
                positions = index.find(id_keys(chunk))
                if (positions < 0).any():  # the input grew while the run read it
                    raise InputError(f"item {chunk[int(np.argmin(positions))].id!r} has no prediction: the input "
                                     "changed during the run; rerun with --resume")
                offsets = index.offsets[positions]
                records: list[dict] = [{}] * len(chunk)
                for i in np.argsort(offsets, kind="stable"):  # forward through the file
                    fh.seek(offsets[i])
                    records[i] = json.loads(fh.readline())
                    marks = records[i].pop(TRUNCATED_FIELD, None)
                    unmarked += marks is None
                    for name in marks or ():
                        seen = by_sentence.get(name)
                        if seen is not None:
                            key = text_key(str(records[i].get("text")))
                            if key in seen:
                                continue
                            seen.add(key)
                        cut[name] += 1
                writer.write(records)
                digest.add(chunk)
                counts.update((r.get("source"), r.get("actor"), r[self.spec.counted]) for r in records)
        return unmarked


def model_shown(model: StanceModel) -> str:
    """A model as a message names it: its folder, else (a Hugging Face name) its id."""
    return str(getattr(model, "path", None) or model.model_id)


def predict_records(model: StanceModel, items: Sequence[Item], batch_size: int,
                    on_batch: Callable[[list[dict]], None], sentiment: SentenceSentiment | None = None) -> int:
    """Length-sorted batches over chunks of items; ``on_batch`` gets each batch's records, an item cut to a model's
    max length with ``TRUNCATED_FIELD`` (every record carries it: ``cut_mark``). Returns truncations. An error the
    model raises (torch's RuntimeError of a CUDA error or of memory) goes on as it is, marked as this model's
    (``errors.model_calls``): the records of the batches before it have been handed to ``on_batch``. A sentiment
    ``model`` scores each distinct sentence once; ``sentiment`` adds the sentence's sentiment (once per sentence) to
    each stance record."""
    truncated = 0
    if model.task.name == "sentiment":
        sentences = SentenceSentiment(model, batch_size)
        for chunk in chunked(items):
            scored, cut = sentences.records(chunk)
            on_batch([{**item_record(item), **tone, "model": model.model_id, **cut_mark([was_cut], [model.task])}
                      for item, tone, was_cut in zip(chunk, scored, cut)])
        return sentences.truncated
    for chunk in chunked(items):
        tone, tone_cut = sentiment.records(chunk) if sentiment is not None else (None, None)
        extra = {"sentiment_model": sentiment.model.model_id} if sentiment is not None else {}
        with model_calls(model_shown(model)):
            encoded, chunk_truncated = model.encode(chunk)
        truncated += chunk_truncated
        order = np.argsort([-len(e.input_ids) for e in encoded], kind="stable")
        tasks = [model.task] + ([sentiment.model.task] if sentiment is not None else [])
        for start in range(0, len(order), batch_size):
            chosen = order[start:start + batch_size]
            with model_calls(model_shown(model)):
                probs = model.probabilities([encoded[i] for i in chosen])
            on_batch([{**prediction_record(chunk[i], row, model), **(tone[i] if tone else {}), **extra,
                       **cut_mark([encoded[i].truncated] + ([tone_cut[i]] if tone else []), tasks)}
                      for i, row in zip(chosen, probs)])
    return truncated


def cut_mark(cut: Sequence[bool], tasks: Sequence[Task]) -> dict:
    """``{TRUNCATED_FIELD: [task names]}`` for the tasks whose model cut an item, ``[]`` where none did: on every
    journal line, so that a line without it is told apart as one written before the mark (2026-12-07), whose cuts
    are not known (``ClassifySummary.unmarked``)."""
    return {TRUNCATED_FIELD: [task.name for task, was_cut in zip(tasks, cut) if was_cut]}


Predictor = Callable[[Iterator[list[Item]], Journal], None]  # pending chunks in, journaled


def run_journaled(items: Items, out: Path, spec: RunSpec, predict: Predictor, *, resume: bool, fmt: str | None,
                  on_progress: Callable[[int], None] | None, on_total: Callable[[int], None] | None,
                  source: str, overwrite: bool = False, input_stamp: InputStamp | None = None,
                  finder=None) -> ClassifySummary:
    """Survey, predict what the journal lacks, finish: the frame shared by local and Ray runs. Without
    ``overwrite``, finished predictions in ``out`` are kept (``check_finished_output``). ``input_stamp``: see
    ``InputStamp`` (a rerun of an unchanged input then answers without reading it). ``finder``: finds the mentions
    of items without spans (``with_mentions``); one warning after the run counts the items that came without them
    and how their mentions were found (``found_spans_note``), where the items were read."""
    found: Counter = Counter()
    items = with_mentions(item_source(items), finder, found)
    summary = journaled(items, out, spec, predict, resume=resume, fmt=fmt, on_progress=on_progress,
                        on_total=on_total, source=source, overwrite=overwrite, input_stamp=input_stamp)
    note = found_spans_note(found, found.total())  # none where a rerun answered without reading the items
    if note:
        warn_caller(note)
    return summary


def journaled(items: ItemSource, out: Path, spec: RunSpec, predict: Predictor, *, resume: bool, fmt: str | None,
              on_progress: Callable[[int], None] | None, on_total: Callable[[int], None] | None,
              source: str, overwrite: bool, input_stamp: InputStamp | None) -> ClassifySummary:
    check_no_unfinished_run(out, resume)
    stamp = taken(input_stamp)  # before the items' first pass
    if not overwrite:
        finished = check_finished_output(out, spec, items, fmt, source, stamp, input_stamp)
        if finished is not None:
            return finished
    journal = Journal(out, resume, spec)
    plan = survey(items, journal.index, journal.path, source, spec.fields)
    if on_progress and plan.done:  # before the total: a bar that starts its clock then leaves them out of its pace
        on_progress(plan.done)
    if on_total:
        on_total(plan.items)
    started = time.perf_counter()
    journal.open()
    try:
        if plan.done < plan.items:
            predict(pending(items, journal.index), journal)
    except BaseException:
        journal.abandon()
        raise
    seconds = time.perf_counter() - started
    counts, cut, unmarked = journal.finish(items, fmt, plan.columns, input_stamp, stamp)
    first, *others = spec.tasks  # the whole output's truncations, the resumed items' with this run's
    return ClassifySummary(plan.items, plan.items - plan.done, plan.done, cut[first.name], seconds, Path(out), counts,
                           sentiment_truncated=cut[others[0].name] if others else 0, unmarked=unmarked)


def scoring_model(model):
    """The ``StanceModel`` of what ``load_model`` returns (a ``StanceClassifier``, which holds it as ``model``); a
    model that scores itself (a ``StanceModel``, an ONNX or zero-shot model: each has a ``task``) as it is."""
    return model if model is None or hasattr(model, "task") else getattr(model, "model", model)


def classify(items: Items | Iterator[Item], model: StanceModel, out: Path | str, *, batch_size: int = 64,
             resume: bool = False, fmt: str | None = None, on_progress: Callable[[int], None] | None = None,
             on_total: Callable[[int], None] | None = None, source: str = "input",
             sentiment_model: StanceModel | None = None, overwrite: bool = False,
             input_stamp: InputStamp | None = None, finder=None) -> ClassifySummary:
    """Predict every item, journaling as it goes; write ``out`` atomically at the end. ``items``: a
    sequence, or a function returning a fresh iterator over them (read three times, never held). An item without
    ``spans`` (a dict without them, an ``Item`` made without them) has its actor's mentions found by ``finder`` (an
    ``actors.MentionFinder``; default: the catalogue ``load_model`` was given, else the bundled one), by the
    catalogue, else by the actor's name, as ``stance classify`` finds them; its record says how (``spans_from``),
    and one warning counts them (``run_journaled``).
    ``model`` is a stance model (``stance``, ``stance_scores``) or a sentiment model (``sentiment``,
    ``sentiment_scores``, once per sentence); ``sentiment_model`` beside a stance model adds the sentence's
    sentiment to every item of that sentence, computed once. ``input_stamp`` (``InputStamp``): what the items are
    read from, kept in the fingerprint so that a rerun of an unchanged input answers without reading it.
    ``classifier.classify_items`` in Python: ``model`` (and ``sentiment_model``) may be what ``load_model`` returns,
    ``out`` a str, ``items`` dicts in the item schema (``prepare_items``' records); a one-pass iterator of items
    (``read_items(path)``, a generator) is read into a list first, as the three passes each need the items (it gave
    the first pass alone its items: an empty output)."""
    if isinstance(items, (str, bytes, os.PathLike)):
        raise InputError(f"items: expected Items (a list, or a function returning a fresh iterator over them), not "
                         f"the path {os.fsdecode(items)!r}: pass lambda: classifier.items.read_items(path, "
                         "need_actor=True)")
    if isinstance(items, Iterator):
        items = list(items)
    if finder is None and scoring_model(model).task.needs_actor:
        finder = getattr(model, "mention_finder", default_finder)()  # load_model's catalogue, else the bundled one
    model, sentiment_model, out = scoring_model(model), scoring_model(sentiment_model), Path(out)
    if not callable(items) and not all(isinstance(item, Item) for item in items):  # prepare_items' dicts
        if finder is not None:  # a null spans is none given, as in a file (read_items' find_spans)
            items = [finder.complete(item) if isinstance(item, dict) else item for item in items]
        items = stance_items(items, need_actor=model.task.needs_actor)
    if sentiment_model is not None and (model.task.name != "stance" or sentiment_model.task.name != "sentiment"):
        raise InputError(f"stance and sentiment together need a stance model ({model.model_id} is a "
                         f"{model.task.name} model) and a sentiment model ({sentiment_model.model_id} is a "
                         f"{sentiment_model.task.name} model)")
    sentences = SentenceSentiment(sentiment_model, batch_size) if sentiment_model is not None else None

    def predict(chunks: Iterator[list[Item]], journal: Journal) -> None:
        def on_batch(records: list[dict]) -> None:
            journal.append(records)
            if on_progress:
                on_progress(len(records))

        for chunk in chunks:
            predict_records(model, chunk, batch_size, on_batch, sentences)

    return run_journaled(items, out, RunSpec.of(model, sentiment_model), predict, resume=resume, fmt=fmt,
                         on_progress=on_progress, on_total=on_total, source=source, overwrite=overwrite,
                         input_stamp=input_stamp, finder=finder)
