"""Classify items in chunks; append each finished batch to a journal so a killed run can resume.

The journal (``OUT.partial.jsonl``) receives one JSON line per prediction, flushed after every
batch. ``--resume`` reads it (ignoring a torn last line), skips the ids already done, and the
final output is written atomically in input order once every item has a prediction.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from classifier.errors import InputError
from classifier.io.files import format_of, write_records
from classifier.items import Item, item_record
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


def read_journal(path: Path) -> dict[str, dict]:
    """Predictions already written; a torn last line (killed mid-write) is dropped."""
    done: dict[str, dict] = {}
    if not path.exists():
        return done
    with open(path, "r", encoding="utf-8") as fh:
        for line in fh:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict) and "id" in record and "stance" in record:
                done[str(record["id"])] = record
    return done


def check_unique_ids(items: Sequence[Item], source: str) -> None:
    seen = set()
    for item in items:
        if item.id in seen:
            raise InputError(f"{source}: duplicate item id '{item.id}' (ids must be unique to resume safely)")
        seen.add(item.id)


def prediction_record(item: Item, row: np.ndarray, model: StanceModel) -> dict:
    return {**item_record(item), **scores_record(row, model.labels), "model": model.model_id}


def _repair_tail(path: Path) -> None:
    """Make sure the journal ends with a newline, so appended lines never join a torn one."""
    if path.exists() and path.stat().st_size:
        with open(path, "rb+") as fh:
            fh.seek(-1, os.SEEK_END)
            if fh.read(1) != b"\n":
                fh.write(b"\n")


def classify(items: Sequence[Item], model: StanceModel, out: Path, *, batch_size: int = 64, resume: bool = False,
             fmt: str | None = None, on_progress: Callable[[int], None] | None = None,
             source: str = "input") -> ClassifySummary:
    """Predict every item, journaling as it goes; write ``out`` atomically at the end."""
    out = Path(out)
    check_unique_ids(items, source)
    journal = journal_path(out)
    if journal.exists() and not resume:
        raise InputError(f"{journal}: an unfinished run is here; pass --resume to continue it, "
                         "or delete the file to start over")
    done = read_journal(journal) if resume else {}
    wanted = {item.id for item in items}
    done = {k: v for k, v in done.items() if k in wanted}
    todo = [item for item in items if item.id not in done]
    if on_progress and done:
        on_progress(len(done))
    started, truncated = time.perf_counter(), 0
    out.parent.mkdir(parents=True, exist_ok=True)
    _repair_tail(journal)
    with open(journal, "a", encoding="utf-8") as fh:
        for chunk_start in range(0, len(todo), CHUNK_ITEMS):
            chunk = todo[chunk_start:chunk_start + CHUNK_ITEMS]
            encoded, chunk_truncated = model.encode(chunk)
            truncated += chunk_truncated
            order = np.argsort([-len(e.input_ids) for e in encoded], kind="stable")
            for start in range(0, len(order), batch_size):
                chosen = order[start:start + batch_size]
                probs = model.probabilities([encoded[i] for i in chosen])
                records = [prediction_record(chunk[i], row, model) for i, row in zip(chosen, probs)]
                fh.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
                fh.flush()
                os.fsync(fh.fileno())
                done.update((r["id"], r) for r in records)
                if on_progress:
                    on_progress(len(chosen))
    seconds = time.perf_counter() - started
    records = [done[item.id] for item in items]
    write_records(out, records, fmt or format_of(out))
    journal.unlink()
    return ClassifySummary(len(items), len(todo), len(items) - len(todo), truncated, seconds, out, records)
