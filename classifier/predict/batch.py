"""Classify items in chunks; append each finished batch to a journal so a killed run can resume.

The journal (``OUT.partial.jsonl``) receives one JSON line per prediction, flushed and fsync'd
after every batch. ``--resume`` reads it (ignoring a torn last line), skips the ids already done,
and the final output is written atomically in input order once every item has a prediction.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

from classifier.errors import InputError
from classifier.io.files import format_of, write_records
from classifier.items import LABELS, Item, check_unique_ids, item_record
from classifier.models.stance_model import StanceModel, scores_record

CHUNK_ITEMS = 2048


@dataclass
class ClassifySummary:
    items: int
    predicted: int
    resumed: int
    truncated: int
    seconds: float
    out: Path
    records: list[dict]

    @property
    def items_per_second(self) -> float:
        return self.predicted / self.seconds if self.seconds > 0 else 0.0


def journal_path(out: Path) -> Path:
    return out.with_name(out.name + ".partial.jsonl")


def read_journal(path: Path) -> Iterator[tuple[int, dict]]:
    """(line, record) for the predictions already written, read as a stream. A line that is not JSON
    is a write cut off by a kill (the next run starts a new line after it) and is skipped: its item
    is predicted again."""
    if not path.exists():
        return
    with open(path, "r", encoding="utf-8") as fh:
        try:
            for lineno, line in enumerate(fh, start=1):
                try:
                    yield lineno, json.loads(line)
                except json.JSONDecodeError:
                    continue
        except UnicodeDecodeError:
            raise InputError(f"{path}: not a prediction journal (not UTF-8 text); delete it to start over") from None


def canonical(record: dict) -> str:
    return json.dumps(record, sort_keys=True, ensure_ascii=False, default=str)


def journal_problem(record, item: Item | None, model_id: str) -> str | None:
    """Why a journal line cannot stand for this item's prediction by this model (None: it can)."""
    if not isinstance(record, dict) or "id" not in record:
        return "not a prediction (no id)"
    if item is None:
        return None  # an item no longer asked for: ignored
    scores = record.get("stance_scores")
    if record.get("stance") not in LABELS or not isinstance(scores, dict) or set(scores) != set(LABELS):
        return "not a prediction (stance and stance_scores over favor, against, neutral)"
    if record.get("model") != model_id:
        return f"written by model {record.get('model')!r}, not {model_id!r}; rerun with that --model"
    expected = item_record(item)  # compared as JSON text: NaN equals NaN there, as it does in the journal
    if canonical({k: record.get(k) for k in expected}) != canonical(expected):
        return f"item {item.id!r} differs from the input now (the input changed since the run stopped)"
    return None


def prediction_record(item: Item, row: np.ndarray, model: StanceModel) -> dict:
    return {**item_record(item), **scores_record(row, model.labels), "model": model.model_id}


class Journal:
    """Durable record of finished predictions for one output file."""

    def __init__(self, out: Path, items: Sequence[Item], resume: bool, model_id: str, source: str = "input"):
        self.out = Path(out)
        self.path = journal_path(self.out)
        check_unique_ids(items, source)
        if self.path.exists() and not resume:
            raise InputError(f"{self.path}: an unfinished run is here; pass --resume to continue it, "
                             "or delete the file to start over")
        self.done = self._resumable(items, model_id) if resume else {}
        self.resumed = len(self.done)
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self._repair_tail()
        self._fh = open(self.path, "a", encoding="utf-8")

    def _resumable(self, items: Sequence[Item], model_id: str) -> dict[str, dict]:
        """The journal's predictions for these items, each checked against the item and the model."""
        wanted = {item.id: item for item in items}
        done = {}
        for lineno, record in read_journal(self.path):
            item = wanted.get(str(record.get("id"))) if isinstance(record, dict) else None
            problem = journal_problem(record, item, model_id)
            if problem:
                raise InputError(f"{self.path}:{lineno}: cannot resume, {problem}; delete the file to start over")
            if item is not None:
                done[item.id] = record
        return done

    def _repair_tail(self) -> None:
        """End the journal with a newline, so appended lines never join a torn one."""
        if self.path.exists() and self.path.stat().st_size:
            with open(self.path, "rb+") as fh:
                fh.seek(-1, os.SEEK_END)
                if fh.read(1) != b"\n":
                    fh.write(b"\n")

    def todo(self, items: Sequence[Item]) -> list[Item]:
        return [item for item in items if item.id not in self.done]

    def append(self, records: Sequence[dict]) -> None:
        self._fh.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self.done.update((r["id"], r) for r in records)

    def abandon(self) -> None:
        """A run that stops before its first batch leaves no empty journal to trip the next run."""
        self._fh.close()
        if self.path.exists() and self.path.stat().st_size == 0:
            self.path.unlink()

    def finish(self, items: Sequence[Item], fmt: str | None) -> list[dict]:
        """Write the output atomically, in input order, and remove the journal."""
        self._fh.close()
        records = [self.done[item.id] for item in items]
        write_records(self.out, records, fmt or format_of(self.out))
        self.path.unlink()
        return records


def predict_records(model: StanceModel, items: Sequence[Item], batch_size: int,
                    on_batch: Callable[[list[dict]], None]) -> int:
    """Length-sorted batches over chunks of items; ``on_batch`` gets each batch's records. Returns truncations."""
    truncated = 0
    for chunk_start in range(0, len(items), CHUNK_ITEMS):
        chunk = items[chunk_start:chunk_start + CHUNK_ITEMS]
        encoded, chunk_truncated = model.encode(chunk)
        truncated += chunk_truncated
        order = np.argsort([-len(e.input_ids) for e in encoded], kind="stable")
        for start in range(0, len(order), batch_size):
            chosen = order[start:start + batch_size]
            probs = model.probabilities([encoded[i] for i in chosen])
            on_batch([prediction_record(chunk[i], row, model) for i, row in zip(chosen, probs)])
    return truncated


def classify(items: Sequence[Item], model: StanceModel, out: Path, *, batch_size: int = 64, resume: bool = False,
             fmt: str | None = None, on_progress: Callable[[int], None] | None = None,
             source: str = "input") -> ClassifySummary:
    """Predict every item, journaling as it goes; write ``out`` atomically at the end."""
    journal = Journal(out, items, resume, model.model_id, source)
    todo = journal.todo(items)
    if on_progress and journal.resumed:
        on_progress(journal.resumed)

    def on_batch(records: list[dict]) -> None:
        journal.append(records)
        if on_progress:
            on_progress(len(records))

    started = time.perf_counter()
    try:
        truncated = predict_records(model, todo, batch_size, on_batch)
    except BaseException:
        journal.abandon()
        raise
    seconds = time.perf_counter() - started
    records = journal.finish(items, fmt)
    return ClassifySummary(len(items), len(todo), journal.resumed, truncated, seconds, Path(out), records)
