"""The append-only label store: one JSON line per answer, fsync'd, never rewritten.

A label record is an item in the shared schema (``id, text, actor, spans, label, source, article``)
plus ``annotator``, ``timestamp``, ``record`` (its own id) and ``suggestion`` (what the model showed,
or null). Two other kinds of line share the file:

- a skip:        ``label: null, "skipped": true`` (the item was seen and passed over);
- a retraction:  ``label: null, "retracts": "<record id>"`` (undo; the earlier line stays).

The *current* answer of an annotator for an item is the last line of theirs for that item that is
neither a retraction nor retracted. Model pre-labels carry ``annotator: "model:<name>"`` and
``"suggested": true`` and are never taken for human labels.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional, Sequence, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError

from classifier.errors import InputError, warn_caller
from classifier.io.files import SCORE_FIELDS, cut_off_hint, json_array_hint, lock_exclusively, model_output
from classifier.items import (LABELS, NO_ACTOR, Item, article_of, article_order, expected_labels, item_record,
                              item_fingerprint, items_fingerprint, parse_item)
from classifier.tasks import SENTIMENT, STANCE, TASKS, Task
from classifier.visible import numeral

MODEL_PREFIX = "model:"
# a tied item's sentences of its article, {"before": [...], "after": [...]}, as 'label gold --ties' writes them from
# every label file it reads: the ties file alone, wherever it goes, gives 'label run' the context (article_context)
NEIGHBOURS = "neighbours"
CONTEXT = 1  # sentences before and after an item that 'label run' shows, and a ties file carries, by default
NO_ANNOTATOR = "(gold)"  # plain labelled items (benchmark files) have no annotator
META_FIELDS = ("annotator", "timestamp", "record", "suggestion", "suggested", "skipped", "retracts",
               "imported_from", "import_key", "label_studio_annotation", "votes", "decided_by", NEIGHBOURS, "where",
               "task")
MODEL_FIELDS = (*SCORE_FIELDS, "model")  # what 'stance classify' adds to an item, and who
ORDERS = ("uncertain", "random", "source-balanced", "file")
LABEL_STUDIO_HEADERS = {"stance": ("Stance toward: $actor", "$marked"), "sentiment": ("The sentence's own tone", "$text")}


def label_studio_config(task: Task = STANCE) -> str:
    """The labelling config for ``task``: its question, the text (mentions marked for stance) and one Choices
    control named after the task, which ``from_label_studio`` reads."""
    header, text = LABEL_STUDIO_HEADERS[task.name]
    choices = "\n".join(f'    <Choice value="{label}"/>' for label in task.labels)
    return (f'<View>\n  <Header value="{header}"/>\n  <Text name="text" value="{text}"/>\n'
            f'  <Choices name="{task.name}" toName="text" choice="single" showInline="true">\n{choices}\n'
            "  </Choices>\n</View>\n")


# -- records ------------------------------------------------------------------------------------
def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def new_record_id() -> str:
    return uuid.uuid4().hex[:16]


def is_retraction(record: dict) -> bool:
    return record.get("retracts") is not None


def annotator_of(record: dict) -> str:
    return record.get("annotator") or NO_ANNOTATOR


def is_suggested(record: dict) -> bool:
    return bool(record.get("suggested")) or str(record.get("annotator") or "").startswith(MODEL_PREFIX)


def label_record(item: Item, label: str | None, annotator: str, *, suggestion: dict | None = None,
                 task: str | None = None, **extra) -> dict:
    """A new line for ``item``: the item's fields, then who answered what, when, having seen what, and for
    which task (``task``: stance or sentiment, which a ``neutral`` alone cannot tell). An item read from
    predictions leaves its model's outputs behind (``MODEL_FIELDS``): an answer holding them would read as predictions,
    and its label file as none."""
    record = {k: v for k, v in item_record(item).items() if k not in META_FIELDS and k not in MODEL_FIELDS}
    record.update(label=label, annotator=annotator, timestamp=now(), record=new_record_id(),
                  suggestion=suggestion, **extra)
    if task is not None:
        record["task"] = task
    return record


def retraction_record(target: dict, annotator: str) -> dict:
    """Undo ``target``: same item fields, no label, ``retracts`` naming the record undone."""
    item = Item.model_validate({k: v for k, v in target.items() if k not in META_FIELDS})
    return label_record(item, None, annotator, retracts=target["record"], task=target.get("task"))


def check_record(record: dict, where: str) -> dict:
    """Validate one line of a label file; give it a record id if it has none (``where``)."""
    item = parse_item(record, where)  # a label that is no string: "label: expected one of ..., got 3" (items.py)
    if isinstance(record.get("spans"), str):  # a CSV cell's JSON text, as a list from here on
        record = {**record, "spans": [list(span) for span in item.spans]}
    label = record.get("label")
    if label is not None and label not in LABELS and label not in SENTIMENT.labels:
        raise InputError(f"{where}: unknown label {label!r}; expected {expected_labels()}")
    if is_retraction(record) and not record.get("annotator"):
        raise InputError(f"{where}: a retraction needs the field 'annotator'")
    if record.get("annotator") is not None and not isinstance(record["annotator"], str):
        raise InputError(f"{where}: annotator must be text, found {record['annotator']!r}")
    return {**record, "id": str(record["id"]), "record": str(record.get("record") or where), "where": where}


# -- the file -----------------------------------------------------------------------------------
class LabelStore:
    """One label file: read with file:line errors, append one fsync'd line at a time."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def records(self) -> list[dict]:
        """Every valid line in order; a torn last line (a write cut off by a kill) is ignored."""
        if not self.path.exists():
            return []
        return [check_record(obj, f"{self.path}:{n}") for n, obj in read_lines(self.path)]

    def check_appendable(self, option: str = "--labels") -> None:
        """Refuse, before anything is asked or appended, an existing file that holds no answers: every line
        'stance label' writes names its annotator and holds no model scores, so a first line without an annotator
        is items, predictions or a gold file, and one with scores (a field that holds a value: ``"stance": null`` is
        none) is predictions (made from a label file, they keep its annotator), which an answer appended to would
        spoil (a duplicate id, a row without scores)."""
        if not self.path.is_file():
            return
        first = next(iter(read_lines(self.path)), None)  # a malformed line is named by its number
        if first is None:
            return
        record = first[1]
        scores = model_output(record)  # as io.files tells people's answers from predictions: a null field is none
        if "annotator" in record and not scores:
            return
        kind = ("predictions (from 'stance classify')" if scores else
                "labelled items without annotators (a gold file, from 'stance label gold')"
                if record.get("label") is not None else "items (from 'stance prepare')")
        why = (f"its first line has a model's scores ({', '.join(scores)}), which answers 'stance label' saves never "
               "have" if scores else "its first line names no annotator, as every answer 'stance label' saves does")
        raise InputError(f"{option} {self.path}: not a label file: {why}; it holds {kind}, which an answer appended "
                         "to would spoil: name a new .jsonl file or an earlier label file (nothing was changed)")

    def append(self, record: dict) -> dict:
        """Write one line and fsync it before returning: once this returns, the answer is on disk."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        created = not self.path.exists()
        data = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            lock_exclusively(fd)  # two annotators at once: one's repair never cuts the line the other is writing
            repair_tail(fd, self.path)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        except OSError as exc:  # a full disk: a torn line is cut off by the next append's repair_tail
            raise InputError(f"{self.path}: {exc.strerror or exc}; this answer was not saved, every answer "
                             "before it is on disk: make room and go on") from None
        finally:
            os.close(fd)
        if created:
            fsync_dir(self.path.parent)
        return record

    def extend(self, records: Iterable[dict]) -> int:
        count = 0
        for record in records:
            self.append(record)
            count += 1
        return count


def fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def last_line_start(fd: int, size: int, block: int = 1 << 20) -> int:
    """Offset just after the file's last newline (0 when it has none), read backwards a block at a time."""
    end = size
    while end > 0:
        start = max(0, end - block)
        found = os.pread(fd, end - start, start).rfind(b"\n")
        if found >= 0:
            return start + found + 1
        end = start
    return 0


def repair_tail(fd: int, path: Path) -> None:
    """Before appending: end a complete last line with a newline; move a torn one (never acknowledged, or a
    hand edit gone wrong) out of the file into ``PATH.cut-off-<time>`` beside it, so no byte is lost.
    Only the bytes after the last newline are ever looked at or moved, whatever their length."""
    size = os.fstat(fd).st_size
    if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
        return
    cut = last_line_start(fd, size)
    tail = os.pread(fd, size - cut, cut)
    try:
        json.loads(tail.decode("utf-8-sig" if cut == 0 else "utf-8"))
        os.write(fd, b"\n")
    except ValueError:  # not UTF-8 (a character cut in two) or not whole JSON
        kept = path.with_name(f"{path.name}.cut-off-{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}")
        kept.write_bytes(tail)
        warn_caller(f"{path}: its cut-off last line was moved to {kept} before this answer was saved")
        os.truncate(fd, cut)


def refuse_compressed(path: str | Path, data: bytes | None = None) -> None:
    """A label file is read and appended to as plain JSON lines, never compressed: one told so by its bytes (a gzip'd
    file under a .jsonl name had been "not UTF-8 text") or by its name (``labels.jsonl.gz``) is one line saying to
    decompress it (or, where it is not there yet, to give a plain name). ``data``: its bytes, read once (a pipe,
    ``<(cat a.jsonl b.jsonl)``, whose bytes cannot be looked at before the read: ``io.files.read_once``)."""
    from classifier.io.files import COMPRESSED_SUFFIXES, UNPACK, magic_compression, packed_as

    path = Path(path)
    found = magic_compression(data[:10]) if data is not None else packed_as(path)
    suffix = path.suffix.lower()
    if found:
        raise InputError(f"{path}: {found}-compressed; label files are not read compressed (they are appended to "
                         f"as plain text): decompress it ('{UNPACK[found]}') and give the file it holds")
    if suffix in COMPRESSED_SUFFIXES:
        fix = "decompress it and give the file it holds" if path.exists() else "give a .jsonl name"
        raise InputError(f"{path}: named {suffix}; label files are not read compressed (they are appended to as "
                         f"plain text): {fix}")


def read_lines(path: Path, raw: bytes | None = None) -> Iterable[tuple[int, dict]]:
    """(line number, object) per non-blank line; errors name file and line, except a torn last line. ``raw``: the
    file's bytes where they were read and told already (``read_by_content``)."""
    from classifier.io.files import read_once, refuse_spreadsheet

    if raw is None:
        raw = read_once(path, "the label file")  # a pipe is read once, whole (<(cat a.jsonl b.jsonl)); /dev/zero is not
        refuse_spreadsheet(path, raw)  # a workbook saved as "labels.jsonl": one line saying so, not "not UTF-8 text"
        refuse_compressed(path, raw)  # a gzip'd labels.jsonl: one line saying so, not "not UTF-8 text"
    lines = raw.removeprefix(b"\xef\xbb\xbf").split(b"\n")  # a UTF-8 byte-order mark, as Windows editors save
    first = next((n for n, line in enumerate(lines, start=1) if line.strip()), 0)  # where an array is the file's
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            if lineno == len(lines):  # no newline after it: a write cut off mid-line (mid-character too)
                warn_caller(f"{path}:{lineno}: last line ignored: it is cut off (no newline, not whole JSON), as a "
                            "write stopped by a kill leaves it; the next answer saved moves it to a file beside "
                            "this one")
                continue
            if isinstance(exc, UnicodeDecodeError):
                raise InputError(f"{path}:{lineno}: not UTF-8 text") from None
            text = line.decode("utf-8", "replace")
            hint = json_array_hint(text, first=lineno == first) or cut_off_hint(exc, text)  # a line cut inside a
            # string: one torn by an editor, or a raw line break in a text (the last line's tear is warned of above)
            raise InputError(f"{path}:{lineno}: malformed JSON ({exc.msg}){hint}") from None
        except RecursionError:
            raise InputError(f"{path}:{lineno}: JSON nested too deeply to read") from None
        if not isinstance(obj, dict):
            raise InputError(f"{path}:{lineno}: expected a JSON object, found {type(obj).__name__}"
                             f"{json_array_hint(line.decode('utf-8'), first=lineno == first)}")
        yield lineno, obj


def read_records(paths: str | Path | Sequence[str | Path], columns: dict[str, str] | None = None) -> list[dict]:
    """All lines of one or more label files (JSONL as ``stance label`` writes them, labelled CSV or Parquet
    items, or labelled Hugging Face dataset folders, whose columns ``columns`` maps), in order."""
    from classifier.io.hf_datasets import is_dataset_folder, iter_dataset

    from classifier.io.files import given_name, names_no_format, reads_once, table_suffix

    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    per_file: list[tuple[Path, list[dict]]] = []
    for path in paths:
        if not reads_once(path) and not Path(path).exists():
            raise InputError(f"{path}: no such label file")
        if is_dataset_folder(path):
            found = [check_record(r, f"{path}:{n}") for n, r in iter_dataset(path, columns)]
        elif reads_once(path) or names_no_format(path) or given_name(path) != str(path):  # -, <(cat a.csv), /dev/stdin
            found = [check_record(r, f"{path}:{n}") for n, r in read_by_content(path)]     # < a.csv, or one so saved
        elif table_suffix(path) in (".csv", ".parquet"):  # labelled items from a spreadsheet or a table (a CSV
            from classifier.io.files import iter_table       # table compressed too, read only: items.csv.gz)

            found = [check_record(r, f"{path}:{n}") for n, r in iter_table(path)]
        elif Path(path).suffix.lower() not in ("", ".jsonl", ".ndjson", ".json"):
            from classifier.io.files import refuse_spreadsheet, refuse_tsv

            refuse_spreadsheet(path)
            refuse_tsv(path)  # labels.tsv: rename it labels.csv
            refuse_compressed(path)  # labels.jsonl.gz: not "unknown label file extension '.gz'"
            raise InputError(f"{path}: unknown label file extension {Path(path).suffix!r}; use .jsonl, .csv or "
                             ".parquet (a tab-separated file reads as .csv)")
        else:
            found = LabelStore(path).records()
        check_plain_rows(found)
        check_holds_answers(found, path)
        per_file.append((Path(path), found))
    records = [record for _, found in per_file for record in found]
    check_one_item_per_id(records)
    check_annotators_across_files(per_file)
    warn_namesake_annotators(records)
    return records


def read_by_content(path: str | Path) -> list[tuple[int, dict]]:
    """(line or row number, row) of a label file whose name says no format, told by its content: "-" (standard
    input), a pipe (``label gold <(cat a.csv)``, /dev/fd/63, had been read as JSON lines: 'malformed JSON' of a CSV
    table) or a name without a suffix (``/dev/stdin < a.csv``), saved to a temporary file named by its content as
    every table read so is (``io.files.spooled_input``; here one whose name says a format too, saved so by the
    command). JSON lines are read as ``read_lines`` reads a label file, and refused compressed
    (``refuse_compressed``, as a file's are); a CSV table with a label column (compressed too, as ``items.csv.gz``
    is read) or Parquet as ``io.files.iter_table`` reads such a file."""
    from classifier.io.files import (compression_of, has_label_column, iter_table, spooled_input, spooled_inputs,
                                     table_suffix)

    # a message names the saved file by the name given (io.files.named_as_given); "-" is standard input only within
    # the caller's session (the CLI's): in Python it is a file called "-" (io.files.names_stdin)
    with spooled_inputs(stdin=False):
        saved = spooled_input(path, has_label_column, "a 'label' column")
        if table_suffix(saved) in (".csv", ".parquet"):
            return list(iter_table(saved))
        if compression_of(saved):
            with open(saved, "rb") as fh:
                refuse_compressed(path, fh.read(10))
        return list(read_lines(Path(path), raw=saved.read_bytes()))


def check_holds_answers(records: Sequence[dict], path: str | Path) -> None:
    """Refuse a file none of whose rows is a label or an annotator's line (every line 'stance label' writes names
    one): items or predictions of unlabelled items given among label files were read as nothing at all, so that
    'gold labels_ana.jsonl items.jsonl' wrote ana's labels as the gold set and said nothing of the other file. An
    empty file is left alone (a session that has not saved its first answer)."""
    if records and not any(r.get("label") is not None or r.get("annotator") for r in records):
        raise InputError(f"{path}: none of its {numeral(len(records))} rows has a label or an annotator: items or "
                         "predictions, not a label file (give the file 'stance label --labels' wrote, or labelled "
                         "items)")


def check_plain_rows(records: Sequence[dict]) -> None:
    """Refuse an id that two rows without an annotator (a spreadsheet of labelled sentences, a gold file) label
    differently: the later row would silently overrule the earlier. An annotator's later line in a label file
    is a changed answer, and stays allowed."""
    first: dict[str, dict] = {}
    for record in records:
        if annotator_of(record) != NO_ANNOTATOR or is_suggested(record) or record.get("label") is None:
            continue
        before = first.setdefault(record["id"], record)
        if before["label"] != record["label"]:
            raise InputError(f"{record.get('where', 'labels')}: id {record['id']!r} is labelled {record['label']!r} "
                             f"here and {before['label']!r} on {before.get('where', 'an earlier line')}; rows without "
                             "an annotator give each item one label (name the annotator of each row to keep both)")


def check_annotators_across_files(per_file: Sequence[tuple[Path, list[dict]]]) -> None:
    """Refuse one annotator name that answers an item differently in two files: most likely two people under one
    name (it defaults to the login), whose answers would be merged as one person's, the later file's winning. Refuse
    one Label Studio answer imported under two annotator names (into two files): it would count as two people's."""
    seen: dict[tuple[str, str], tuple[str, Path]] = {}
    imported: dict[str, tuple[str, dict]] = {}  # a Label Studio answer -> its annotator name and line
    for path, found in per_file:
        for record in found:
            answer = record.get("label_studio_annotation")
            before = imported.setdefault(answer, (annotator_of(record), record)) if answer else None
            if before and before[0] != annotator_of(record):
                task, annotation = answer.split("/", 1)
                raise InputError(f"{record.get('where', path)}: Label Studio task {task}'s annotation {annotation} is "
                                 f"also imported as {before[0]!r} ({before[1].get('where', 'another file')}); one "
                                 "answer under two names would count as two annotators'")
        for key, record in current_labels(found, include_suggested=True).items():
            label, before = record["label"], seen.setdefault(key, (record["label"], path))
            if before[0] != label and before[1].resolve() != path.resolve():
                who = "no annotator" if key[1] == NO_ANNOTATOR else f"annotator {key[1]!r}"
                raise InputError(f"{record.get('where', path)}: {who} labels item {key[0]!r} {label!r} here and "
                                 f"{before[0]!r} in {before[1]}; if two people labelled under one name, name each "
                                 "(--annotator when labelling, or the files' 'annotator' field)")


def check_one_item_per_id(records: Sequence[dict]) -> None:
    """Refuse an id that names two different items (text or actor differ) across the records: their
    labels would be merged as votes on one item."""
    first: dict[str, tuple[tuple, str]] = {}
    for record in records:
        what = item_identity(record)
        seen = first.setdefault(record["id"], (what, record.get("where", "labels")))
        if seen[0] != what:
            raise InputError(f"{record.get('where', 'labels')}: id {record['id']!r} names another item than on "
                             f"{seen[1]} (text or actor differ); give each item its own id")


STANCE_ONLY = frozenset(LABELS) - frozenset(SENTIMENT.labels)
SENTIMENT_ONLY = frozenset(SENTIMENT.labels) - frozenset(LABELS)


TASK_WORDS = {"stance": "stance", "sentiment": "sentence sentiment"}  # how messages name each task's labels


def record_task(record: dict) -> str | None:
    """The task a label line answers: its ``task`` field (written since 2026-12-06), else what its label
    tells (``neutral`` alone tells nothing)."""
    if record.get("task") in TASKS:
        return record["task"]
    label = record.get("label")
    return "stance" if label in STANCE_ONLY else "sentiment" if label in SENTIMENT_ONLY else None


def one_label_task(items: Iterable[Item], sentiment_only: bool) -> Iterator[Item]:
    """The items, their gold labels checked to be of one task (``labels.record_task``: ``neutral`` is either's):
    stance labels for --task stance or both (whose output's ``label`` is read as stance gold), either task's but
    not both in one file for --task sentiment. Where an item has no ``_where`` (one made in Python), its position:
    ``item 3``. ``stance classify`` reads its input through it, ``load_model(...).predict`` its inputs."""
    known = {*STANCE.labels, *SENTIMENT.labels} if sentiment_only else set(STANCE.labels)
    first = None
    for number, item in enumerate(items, start=1):
        where = item._where or f"item {number}"
        label = item.label
        if label is not None and label not in {*known, *SENTIMENT.labels}:
            raise InputError(f"{where}: unknown label {label!r}; expected one of {', '.join(sorted(known))}")
        task = record_task({"label": label})
        if task == "sentiment" and not sentiment_only:
            raise InputError(f"{where}: a sentiment label ({label!r}) where stance predictions keep the "
                             "gold label as stance gold; pass --task sentiment to score the sentences' sentiment")
        if task is not None:
            first = first or (task, label, where)
            if task != first[0]:
                raise InputError(f"{where}: a {task} label ({label!r}), but {first[2]} holds a {first[0]} "
                                 f"label ({first[1]!r}); keep one task's labels per file")
        yield item


def name_key(name: str) -> str:
    """An annotator's name as people read it: case and runs of spacing aside ("Ana", "ana", "ana  b" as "ana b"), its
    Unicode form (NFKC: "José" typed as e and a combining accent is "José", a full-width "Ａｎａ" is "Ana"), and its
    format characters, which show as nothing ("ana" and a zero-width space, a ZWNJ kept or left out of a Persian
    name: ``hidden_characters``)."""
    import unicodedata

    shown = "".join(ch for ch in name if unicodedata.category(ch) != "Cf")
    return " ".join(unicodedata.normalize("NFKC", shown).casefold().split())


def hidden_characters(name: str) -> list[int]:
    """The positions in an annotator's ``name`` of the Unicode format characters (category Cf) it may not hold: they
    show as nothing or move the text around it (a zero-width space U+200B, a soft hyphen U+00AD, a word joiner
    U+2060, a byte-order mark U+FEFF, bidi marks), so a name holding one is another name than the one people read.
    A zero-width non-joiner or joiner (U+200C, U+200D) between two letters is kept: Persian and Indic names are
    spelt with one (``name_key`` leaves it out, so the name spelt without it is its namesake)."""
    import unicodedata

    def letter(at: int) -> bool:
        return 0 <= at < len(name) and unicodedata.category(name[at])[0] in "LM"

    return [at for at, ch in enumerate(name) if unicodedata.category(ch) == "Cf"
            and not (ch in "\u200c\u200d" and letter(at - 1) and letter(at + 1))]


def check_name(name: str, where: str, advice: str) -> None:
    """Refuse an annotator's ``name`` that holds a control, bidi or line-breaking character (a pasted escape, a tab,
    a line break) or a hidden format character (``hidden_characters``): stored, it broke the summary line and
    agreement's tables in two, or showed as an escape there, another name than the one typed. The InputError names
    ``where`` ("--annotator"; a Label Studio export's task) and the name with each of them escaped, then ``advice``."""
    from classifier.visible import one_line, quoted

    hidden = set(hidden_characters(name))
    escaped = one_line("".join(f"\\u{ord(ch):04x}" if at in hidden else ch
                               for at, ch in enumerate(name))).replace("\t", "\\t")
    if escaped != name:
        raise InputError(f"{where} {quoted(escaped)}: holds a control or line-breaking character (shown escaped); "
                         f"{advice}")


def warn_namesakes(records: Sequence[dict], annotator: str, path: str | Path) -> None:
    """Warn where the file holds answers under a name that is ``annotator``'s but for case, spacing or Unicode form
    (``name_key``: "ana" to one labelling as "Ana"), naming the one to go on with (not one that holds a character
    --annotator refuses, ``hidden_characters``): each name is a person of its own to 'label gold' and 'label
    agreement', so one person typing their name two ways votes twice and agrees with themself, without a word."""
    counts = Counter(annotator_of(r) for r in records if not is_retraction(r))
    namesakes = sorted((name for name in counts if name != annotator and name_key(name) == name_key(annotator)),
                       key=lambda name: (-counts[name], name))  # the most answers first: the name to go on with
    if namesakes:
        held = ", ".join(f"{counts[name]} by {name!r}" for name in namesakes)
        typed = next((name for name in namesakes if not hidden_characters(name)), None)  # one --annotator takes
        warn_caller(f"{path} holds answers under a name that differs from {annotator!r} only in case, spacing or "
                    f"Unicode form ({held}); each name counts as another person in 'label gold' and 'label "
                    "agreement'" + (f": if it is yours, quit (q) and go on with --annotator {typed!r}"
                                    if typed is not None else ""))


def check_file_task(records: Sequence[dict], task: Task, path: str | Path) -> None:
    """Refuse to add ``task``'s labels to a label file that holds the other task's: the file must stay one task."""
    found = next((r for r in records if record_task(r) not in (None, task.name)), None)
    if found is not None:
        raise InputError(f"{found.get('where', path)}: this label file holds {TASK_WORDS[record_task(found)]} labels "
                         f"({found.get('label') or 'a skip'!s}), and this adds {task.name} labels; keep one task per "
                         "label file (name another --labels/--out)")


def check_one_task(records: Sequence[dict]) -> None:
    """Refuse labels of stance and of sentence sentiment mixed in one set (a sentiment label on a stance item
    would reach training or classify as an unknown stance)."""
    first = None
    for record in records:
        task = record_task(record)  # its task field, else what its label tells (neutral alone: nothing)
        if task is None:
            continue
        first = first or record
        if task != record_task(first):
            raise InputError(f"{record.get('where', 'labels')}: label {record.get('label')!r} is "
                             f"{TASK_WORDS[task]}, but {first.get('where', 'an earlier line')} labels "
                             f"{TASK_WORDS[record_task(first)]} ({first.get('label')!r}); keep one task per set of labels")


def check_stance_actors(records: Sequence[dict]) -> None:
    """Refuse a stance label on a line without an actor: there is no target whose stance it gives."""
    if not any(record_task(r) == "stance" for r in records):
        return
    bad = next((r for r in records if not isinstance(r.get("actor"), str) or not r["actor"].strip()), None)
    if bad is not None:
        raise InputError(f"{bad.get('where', 'labels')}: a stance label ({bad.get('label')!r}) with {NO_ACTOR}")


# -- current answers ----------------------------------------------------------------------------
def current_records(records: Sequence[dict]) -> dict[tuple[str, str], dict]:
    """(item id, annotator) -> the last line that is neither a retraction nor retracted."""
    retracted = {r["retracts"] for r in records if is_retraction(r)}
    current: dict[tuple[str, str], dict] = {}
    for record in records:
        if is_retraction(record) or record["record"] in retracted:
            continue
        current[(record["id"], annotator_of(record))] = record
    return current


def current_labels(records: Sequence[dict], *, include_suggested: bool = False) -> dict[tuple[str, str], dict]:
    """Like ``current_records`` but labels only (no skips), human annotators unless asked otherwise."""
    return {key: r for key, r in current_records(records).items()
            if r.get("label") is not None and (include_suggested or not is_suggested(r))}


def undo_target(records: Sequence[dict], annotator: str) -> dict | None:
    """The answer an undo takes back: this annotator's latest line still in effect."""
    retracted = {r["retracts"] for r in records if is_retraction(r)}
    for record in reversed(records):
        if annotator_of(record) == annotator and not is_retraction(record) \
                and record["record"] not in retracted:
            return record
    return None


def resolve_labels(records: Sequence[dict], *, annotator: str | None = None, allow_suggested: bool = False,
                   context: int = CONTEXT, judge: str | None = None) -> tuple[list[Item], dict]:
    """One labelled item per id: the annotator's label, or the majority of human annotators.

    Returns the items and counts (``ties`` dropped, with the tied items, their votes and their ``NEIGHBOURS`` (at
    most ``context`` sentences before and after, of their article as ``records`` hold it, answered, tied or skipped:
    what 'label run' shows of them at the same ``--context``, the context of a third look) in ``tied``;
    ``suggested`` used; ``unlabelled``: ids no one, or not ``annotator``, labelled, skipped or retracted ones
    included; ``alone``: where two or more people's labels are merged, the items in gold on one person's label alone,
    by that person). Model suggestions stop
    with an error unless ``allow_suggested``, and then label only the items no person labelled;
    ``annotator`` picks one person's labels. An item that came without ``spans`` (a spreadsheet of labelled
    sentences) gets its actor's mentions found as ``stance classify`` finds them, with ``spans_from`` saying how;
    a stance label without an actor stops with its file and line. ``judge`` names the person who adjudicates: that
    person's label decides an item the others tie on (any tie, three ways included) and counts nowhere else
    (``judge_unused``: that person's labels on items not tied, or no one else labelled); every item then records
    the ``votes`` that counted and ``decided_by`` ("majority" or "judge"), fields that train and evaluate ignore.
    """
    position = {id(record): index for index, record in enumerate(records)}
    chosen = sorted((r for r in current_labels(records, include_suggested=True).values()
                     if annotator is None or r.get("annotator") == annotator), key=lambda r: position[id(r)])
    check_one_task(chosen)  # in file order: the line that mixes the tasks is the later one
    check_stance_actors(chosen)
    suggested = [r for r in chosen if is_suggested(r)]
    if suggested and not allow_suggested:
        first = suggested[0]
        raise InputError(f"{first.get('where', 'labels')}: {numeral(len(suggested))} labels are model suggestions "
                         f"(annotator {first['annotator']!r}); pass --allow-suggested to use them, "
                         "or --annotator NAME for one person's labels")
    judged = {r["id"]: r for r in chosen if judge is not None and annotator_of(r) == judge and not is_suggested(r)}
    chosen = [r for r in chosen if judge is None or annotator_of(r) != judge]
    by_id: dict[str, list[dict]] = defaultdict(list)
    for record in chosen:
        by_id[record["id"]].append(record)
    from classifier.actors import default_finder

    items, tied, from_model, alone = [], [], 0, Counter()
    people = {annotator_of(r) for r in chosen if not is_suggested(r)}
    for item_id, group in by_id.items():
        group = [r for r in group if not is_suggested(r)] or group  # a person's answer outranks a model's
        if len(people) > 1 and len(group) == 1 and not is_suggested(group[0]):
            alone[annotator_of(group[0])] += 1  # no second reading: a majority of one, beside items of two or more
        votes = Counter(r["label"] for r in group).most_common()
        cast = {annotator_of(r): r["label"] for r in group}
        label, decided_by = votes[0][0], "majority"
        if len(votes) > 1 and votes[0][1] == votes[1][1]:
            if item_id not in judged:
                tied.append({**{k: v for k, v in group[-1].items() if k not in META_FIELDS and k != "label"},
                             "votes": cast})
                continue
            label, decided_by = judged[item_id]["label"], "judge"
            cast[judge] = label
        record = {k: v for k, v in group[-1].items() if k not in META_FIELDS}
        if record.get("spans") is None and isinstance(record.get("actor"), str):
            record = default_finder().complete(record)  # as classify finds them: trained, scored and written alike
        if judge is not None:
            record = {**record, "votes": cast, "decided_by": decided_by}
        item = Item.model_validate(record)
        item.label = label
        items.append(item)
        from_model += all(is_suggested(r) for r in group)
    if tied:
        around = article_context(recorded_items(records), width=context)
        tied = [{**t, NEIGHBOURS: {"before": around[t["id"]][0], "after": around[t["id"]][1]}}
                if t["id"] in around else t for t in tied]
    labelled = {r["id"] for r in chosen} | set(judged)  # with --annotator: labelled by that person
    unlabelled = len({r["id"] for r in records if not is_retraction(r) and "id" in r} - labelled)
    decided = sum((item.model_extra or {}).get("decided_by") == "judge" for item in items)
    return items, {"items": len(items), "ties": len(tied), "tied": tied, "suggested": from_model,
                   "unlabelled": unlabelled, "alone": dict(sorted(alone.items())), "judged": decided,
                   "judge_unused": len(judged) - decided}


def recorded_items(records: Sequence[dict]) -> list[Item]:
    """The items label lines are about, one per id (its latest line's; undos left out, skips in), in file order."""
    latest: dict[str, dict] = {}
    for record in records:
        if not is_retraction(record) and "id" in record:
            latest[str(record["id"])] = record
    return [Item.model_validate({k: v for k, v in record.items() if k not in META_FIELDS})
            for record in latest.values()]


def read_labelled_items(paths, *, annotator: str | None = None, allow_suggested: bool = False) -> list[Item]:
    """Labelled items from label files (or plain item files with labels), one per id."""
    items, _ = resolve_labels(read_records(paths), annotator=annotator, allow_suggested=allow_suggested)
    return items


# -- order and context --------------------------------------------------------------------------
def one_per_sentence(items: Sequence[Item]) -> list[Item]:
    """Items for labelling a sentence's own sentiment: the items of one sentence (one per actor, as ``stance
    prepare`` writes them) become one, without actor or highlighted mention, whose id is the sentence's
    (``ARTICLE:INDEX``, where the items carry an article and a sentence_index; else the first item's id, one per
    text within an article and outlet). Items without an actor (a table of sentences) stay as they are."""
    out: list[Item] = []
    seen: set = set()
    plain: set[str] = set()
    made: set[str] = set()
    for item in items:
        if item.actor is None:
            out.append(item)
            plain.add(item.id)
            continue
        index = whole_number((item.model_extra or {}).get("sentence_index"))  # a CSV gives it as text
        whole = item.article is not None and index is not None
        key = ("sentence", item.article, index) if whole else ("text", item.article, item.source, item.text)
        if key in seen:
            continue
        seen.add(key)
        sentence_id = f"{item.article}:{index:04d}" if whole else item.id
        made.add(sentence_id)
        fields = {k: v for k, v in item_record(item).items() if k not in ("actor", "spans", "actor_kind", "label")}
        out.append(Item.model_validate({**fields, "id": sentence_id, **({"sentence_index": index} if whole else {})}))
    twice = next(iter(sorted(made & plain)), None)
    if twice is not None:
        raise InputError(f"id {twice!r}: the id given to the items of one sentence (ARTICLE:INDEX, for sentiment) "
                         "is also the id of a row without actor in the same file; label the two kinds apart")
    return out


def whole_number(value) -> int | None:
    """An int, or text or a float that holds one (``"3"``, ``3.0``); else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def margin(probs: np.ndarray) -> np.ndarray:
    """Top-1 minus top-2 probability per row: small = uncertain."""
    top = np.sort(np.asarray(probs, dtype=float), axis=1)
    return top[:, -1] - top[:, -2]


def order_items(items: Sequence[Item], order: str, *, probs: np.ndarray | None = None, seed: int = 0) -> list[int]:
    """Indices of ``items`` in labelling order (deterministic, so a restart resumes in place)."""
    if order not in ORDERS:
        raise InputError(f"unknown order {order!r}; expected one of {', '.join(ORDERS)}")
    indices = list(range(len(items)))
    if order == "file":
        return indices
    if order == "random":
        random.Random(seed).shuffle(indices)
        return indices
    if order == "uncertain":
        if probs is None:
            raise InputError("--order uncertain needs a model: pass --model DIR")
        margins = margin(probs)  # once: computed per item inside the sort, it made ordering quadratic
        return sorted(indices, key=lambda i: (float(margins[i]), i))
    return balanced_order(items, seed)


def round_robin(groups: Sequence[list]) -> list:
    out, depth = [], max((len(g) for g in groups), default=0)
    for level in range(depth):
        out += [g[level] for g in groups if level < len(g)]
    return out


def balanced_order(items: Sequence[Item], seed: int) -> list[int]:
    """Alternate outlets, and within each outlet alternate actors: every prefix is balanced."""
    rng = random.Random(seed)
    by_source: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for index, item in enumerate(items):
        by_source[item.source or ""][item.actor or ""].append(index)
    per_source = []
    for source in sorted(by_source):
        actor_groups = [by_source[source][actor] for actor in sorted(by_source[source])]
        for group in actor_groups:
            rng.shuffle(group)
        per_source.append(round_robin(actor_groups))
    return round_robin(per_source)


# -- drawing the items to label -------------------------------------------------------------------
SAMPLE_BY = ("source", "actor")


def sample_by(values: Iterable[str]) -> tuple[str, ...]:
    """``--by`` values ("source" or "outlet", "source,actor", repeated) -> the item fields that make a stratum."""
    fields = [part.strip() for value in values for part in value.split(",") if part.strip()] or ["source"]
    fields = ["source" if name == "outlet" else name for name in fields]  # the report's word for it, as evaluate's
    for name in fields:
        if name not in SAMPLE_BY:
            raise InputError(f"--by {name}: expected {' or '.join(SAMPLE_BY)} (e.g. --by source,actor)")
    return tuple(dict.fromkeys(fields))


def equal_shares(sizes: dict, n: int) -> dict:
    """Each stratum's share of ``n`` items: equal, a stratum with fewer items than its share giving all it has and
    the rest shared among the others (so the shares add up to min(n, all items))."""
    shares, left, open_ = {}, float(n), sorted(sizes, key=lambda s: (sizes[s], s))
    while open_:
        each = left / len(open_)
        if sizes[open_[0]] > each:
            shares.update({s: each for s in open_})
            break
        stratum = open_.pop(0)
        shares[stratum] = sizes[stratum]
        left -= sizes[stratum]
    return shares


def whole_shares(shares: dict) -> dict:
    """``equal_shares`` in whole items, adding up to their sum rounded: each share rounded down, and the items left
    one each to the largest remainders (a tie to the stratum first in sorted order)."""
    whole = {s: int(share) for s, share in shares.items()}
    left = round(sum(shares.values())) - sum(whole.values())
    for s in sorted(shares, key=lambda s: (-(shares[s] - whole[s]), s))[:max(0, left)]:
        whole[s] += 1
    return whole


@dataclass
class Sample:
    """``sample_articles``' draw: indices of the sample's items and of the rest's (each in file order), and per
    stratum (a tuple of ``by``'s values, "" for none) the items there are, its share of ``n``, and the articles and
    items drawn; ``forced``: the strata whose one article passes their share by more than its own share (taken as
    every stratum gets one)."""
    sample: list[int]
    rest: list[int]
    by: tuple[str, ...]
    strata: dict[tuple, dict[str, int]]
    articles: int
    articleless: int
    n: int = 0
    forced: list[tuple] = field(default_factory=list)

    def why(self) -> str:
        """One line: how many items were drawn for ``n``, and why that is not ``n`` ("" where it is)."""
        drawn = len(self.sample)
        if drawn == self.n:
            return ""
        if drawn < self.n and not self.rest:
            return f"{numeral(drawn)} items for --n {self.n}: all there are"
        head = f"{numeral(drawn)} items for --n {self.n} ({drawn - self.n:+d}): whole articles"
        if len(self.strata) > self.n:  # shares under one item each: no draw of n keeps every stratum
            return (f"{head}, and every stratum gets one: {len(self.strata)} strata of {', '.join(self.by)}, more "
                    f"than --n {self.n}; a larger --n or fewer strata (--by source) keeps the sample near N")
        if self.forced:
            names = ", ".join("/".join(v or "(none)" for v in s) for s in self.forced[:3]) \
                + (f" and {len(self.forced) - 3} more" if len(self.forced) > 3 else "")
            one = len(self.forced) == 1
            return (f"{head}, and every stratum gets one: {names} {'has no article' if one else 'have none'} "
                    f"under twice {'its' if one else 'their'} share")
        return f"{head}, each stratum's items as near its share as its articles' sizes allow"


def sample_articles(items: Sequence[Item], n: int, by: Sequence[str] = ("source",), seed: int = 0) -> Sample:
    """Draw whole articles, in ``items.article_order`` (the order ``train`` holds its test articles out in), so that
    each stratum of ``by`` comes as near its equal share of ``n`` items (``equal_shares``, in whole items:
    ``whole_shares``) as whole articles allow: an article is taken where that brings the sum over strata of
    |items taken - share| down (an article that would pass a share by more than the stratum is short of is passed
    over, and a later, smaller one can fill the gap), and every stratum gets an article, its first, whatever its
    size. Equal shares, not shares in proportion to the corpus: an outlet's accuracy is as sure as its own number of
    items makes it, so a small outlet gets as many as a large one where it has them. An item without an article is
    an article of its own (``items.article_of``)."""
    if n < 1:
        raise InputError(f"--n {n}: draw at least one item")
    by = tuple(by)

    def stratum(item: Item) -> tuple:
        return tuple(getattr(item, name) or "" for name in by)

    sizes = Counter(stratum(item) for item in items)
    shares = whole_shares(equal_shares(sizes, n))
    members: dict[str, list[int]] = defaultdict(list)
    for index, item in enumerate(items):
        members[article_of(item)].append(index)
    order = article_order(items, seed)
    counts = {article: Counter(stratum(items[i]) for i in members[article]) for article in order}
    taken: Counter = Counter()
    drawn: dict[tuple, set] = defaultdict(set)
    chosen, forced = set(), set()

    def take(article: str) -> None:
        chosen.add(article)
        taken.update(counts[article])
        for s in counts[article]:
            drawn[s].add(article)

    for article in order:  # whole articles while they fit every share
        if all(taken[s] + k <= shares[s] for s, k in counts[article].items()):
            take(article)
    for article in order:  # then one that passes a share where it leaves the strata nearer their shares (the sum of
        strata = counts[article]  # squares: one article can pass one stratum's share to bring another's up)
        if article not in chosen and sum((taken[s] + k - shares[s]) ** 2 - (taken[s] - shares[s]) ** 2
                                         for s, k in strata.items()) < 0:
            take(article)
    for s in sorted(shares):  # a stratum whose every article is twice its share or more: its smallest
        if not taken[s]:
            forced.add(s)
            take(min((a for a in order if s in counts[a]), key=lambda a: len(members[a])))
    sample = [i for i, item in enumerate(items) if article_of(item) in chosen]
    rest = [i for i, item in enumerate(items) if article_of(item) not in chosen]
    table = {s: {"items": sizes[s], "share": shares[s], "sample_articles": len(drawn[s]), "sample_items": taken[s]}
             for s in sorted(sizes)}
    return Sample(sample, rest, by, table, len(members), sum(item.article is None for item in items), n,
                  sorted(forced))


def sentence_key(item: Item, position: int) -> tuple:
    extra = item.model_extra or {}
    for name in ("sentence_index", "start", "sentence_start"):
        position_in_article = whole_number(extra.get(name))  # a CSV gives it as text
        if position_in_article is not None:
            return (0, position_in_article)
    return (1, position)


def carried_neighbours(item: Item) -> tuple[list[str], list[str]] | None:
    """The sentences before and after an item that it carries itself (``NEIGHBOURS``, a ties file's); None if none."""
    carried = (item.model_extra or {}).get(NEIGHBOURS)
    if carried is None:
        return None
    if isinstance(carried, str):  # a CSV cell's JSON text
        try:
            carried = json.loads(carried)
        except (ValueError, RecursionError):
            pass
    sides = [carried.get(side) if isinstance(carried, dict) else None for side in ("before", "after")]
    if not all(isinstance(side, list) and all(isinstance(s, str) for s in side) for side in sides):
        where = f"{item._where}: item {item.id!r}" if item._where else f"item {item.id!r}"
        raise InputError(f"{where}: {NEIGHBOURS} must be "
                         '{"before": [sentences], "after": [sentences]}, as label gold --ties writes it')
    return sides[0], sides[1]


def article_context(items: Sequence[Item], width: int = CONTEXT) -> dict[str, tuple[list[str], list[str]]]:
    """item id -> (sentences before, sentences after), at most ``width`` each: those the item carries
    (``NEIGHBOURS``), else from the other items of the same article."""
    sentences: dict[str, dict[tuple, str]] = defaultdict(dict)
    keys: dict[str, tuple] = {}
    for position, item in enumerate(items):
        if item.article is None:
            continue
        key = sentence_key(item, position)
        sentences[item.article].setdefault(key, item.text)
        keys[item.id] = key
    context = {}
    ordered_of: dict[str, list[tuple]] = {}
    position_of: dict[str, dict[tuple, int]] = {}
    for item in items:
        carried = carried_neighbours(item)
        if carried is not None:  # from all the label files a tied item was read from, not only the other ties
            before, after = carried
            context[item.id] = (before[max(0, len(before) - width):], after[:width])
            continue
        if item.id not in keys:
            continue
        if item.article not in ordered_of:  # once per article: per item, a long article made this quadratic
            ordered_of[item.article] = sorted(sentences[item.article])
            position_of[item.article] = {k: i for i, k in enumerate(ordered_of[item.article])}
        ordered = ordered_of[item.article]
        at = position_of[item.article][keys[item.id]]
        text_of = sentences[item.article]
        context[item.id] = ([text_of[k] for k in ordered[max(0, at - width):at]],
                            [text_of[k] for k in ordered[at + 1:at + 1 + width]])
    return context


# -- a labelling session ------------------------------------------------------------------------
def item_identity(record: dict | Item) -> tuple:
    """What makes two lines the same item: its text and actor. Spans may differ (a file labelled before the
    labeller found the mentions of items that came without them has ``spans: []``); the latest line's count."""
    if isinstance(record, Item):
        return record.text, record.actor
    return record.get("text"), record.get("actor")


def check_same_items(records: Sequence[dict], by_id: dict[str, Item]) -> None:
    """Refuse to go on labelling into a file whose answers (any annotator's) are for other versions of these items
    (the items file was edited since): a new answer would give one id two different items, which no later command
    reads."""
    for record in records:
        item = by_id.get(record["id"])
        if item is not None and item_identity(record) != item_identity(item):
            raise InputError(f"{record.get('where', 'labels')}: item {record['id']!r} was labelled with another text "
                             "or actor than the items file now gives it; label the changed items into a new label "
                             "file (or give them new ids)")



@dataclass
class Progress:
    done: int
    total: int
    per_source: dict[str, tuple[int, int]] = field(default_factory=dict)
    skipped: int = 0  # of those done, the items skipped (not answered)
    skipped_per_source: dict[str, int] = field(default_factory=dict)  # outlets with a skip among their done

    def done_text(self) -> str:
        """"8/131 done", or "8/131: 6 answered, 2 skipped" where skips count among the done."""
        if not self.skipped:
            return f"{self.done}/{self.total} done"
        return f"{self.done}/{self.total}: {self.done - self.skipped} answered, {numeral(self.skipped)} skipped"

    def outlets_text(self) -> str:
        """"RT 0/3 · TDI 2/3", an outlet with skips as the header counts them: "TDI 2/3 (1 answered, 1 skipped)"
        (it said "TDI 2/3" under a header of "2/6: 1 answered, 1 skipped")."""
        def one(source: str, done: int, total: int) -> str:
            skipped = self.skipped_per_source.get(source, 0)
            return f"{source} {done}/{total}" + (f" ({numeral(done - skipped)} answered, {numeral(skipped)} skipped)"
                                                 if skipped else "")

        return " · ".join(one(source, done, total) for source, (done, total) in self.per_source.items())


def warn_namesake_annotators(records: Sequence[dict]) -> None:
    """Warn where label files hold answers under names that are one but for case, spacing or Unicode form
    (``name_key``): 'label run' warns once, as a session starts under the other name, but 'label gold', 'label
    agreement' and 'train' counted 'B' and 'b' as two people without a word (a majority of one person's two votes,
    and alpha over "3 annotators", in a walk-through where B resumed as 'b')."""
    counts = Counter(annotator_of(r) for r in records if not is_retraction(r) and r.get("annotator") is not None)
    groups: dict[str, list[str]] = defaultdict(list)
    for name in sorted(counts, key=lambda name: (-counts[name], name)):
        groups[name_key(name)].append(name)
    for names in (names for names in groups.values() if len(names) > 1):
        held = ", ".join(f"{counts[name]} by {name!r}" for name in names)
        warn_caller(f"answers under names that differ only in case, spacing or Unicode form ({held}) count as "
                    f"{len(names)} people's, one person's twice where both answered an item; if they are one person, "
                    "give one name in the files' 'annotator' field")


class LabelSession:
    """The state behind the labelling screen: which item is next, answers, skips and undo."""

    def __init__(self, items: Sequence[Item], order: Sequence[int], store: LabelStore, annotator: str,
                 suggestions: dict[str, dict] | None = None, revisit_skipped: bool = False, task: Task = STANCE):
        self.items = list(items)
        self.task = task
        self.by_id = {item.id: item for item in self.items}
        self.set_order(order)
        self.store = store
        self.annotator = annotator
        self.suggestions = suggestions or {}
        self.revisit_skipped = revisit_skipped
        every = store.records()
        check_file_task(every, task, store.path)
        self.records = [r for r in every if annotator_of(r) == annotator]
        check_same_items(every, self.by_id)  # anyone's: a second annotator's answer would make the file unreadable too
        warn_namesakes(every, annotator, store.path)
        self.answered: dict[str, dict] = {}
        self.pending: str | None = None
        self.skipped_here: set[str] = set()  # skipped in this session: --revisit-skipped shows only earlier skips
        self._refresh()

    def set_order(self, order: Iterable[int]) -> None:
        """Ask the items in ``order`` (indices of ``items``): set once a model has scored them, which a session
        does only after its label file was read and checked."""
        self.order = [self.items[i].id for i in order]

    def _refresh(self) -> None:
        current = current_records(self.records)
        self.answered = {item_id: r for (item_id, _), r in current.items() if item_id in self.by_id
                         and not (self.revisit_skipped and r.get("skipped") and item_id not in self.skipped_here)}

    def next_item(self) -> Item | None:
        """The item an undo took back, else the first unanswered one in order. An undone answer may uncover an
        earlier skip of its item (skipped, then answered in a --revisit-skipped session): the item comes up all
        the same, as undo promises."""
        undone = self.answered.get(self.pending) if self.pending else None
        if self.pending and (undone is None or undone.get("skipped")):
            return self.by_id[self.pending]
        return next((self.by_id[i] for i in self.order if i not in self.answered), None)

    def upcoming(self, item: Item, n: int) -> list[Item]:
        """``item`` and the unanswered items after it in order, ``n`` in all: what a model scores ahead of the
        annotator."""
        after = self.order[self.order.index(item.id) + 1:] if item.id in self.order else self.order
        return [item, *(self.by_id[i] for i in after if i not in self.answered and i != item.id)][:n]

    def _write(self, record: dict) -> dict:
        self.store.append(record)
        self.records.append(record)
        self._refresh()
        return record

    def answer(self, item: Item, label: str) -> dict:
        if label not in self.task.labels:
            raise InputError(f"unknown label {label!r}; expected one of {', '.join(self.task.labels)}")
        self.pending = None
        return self._write(label_record(item, label, self.annotator, suggestion=self.suggestions.get(item.id),
                                        task=self.task.name))

    def skip(self, item: Item) -> dict:
        self.pending = None
        self.skipped_here.add(item.id)
        return self._write(label_record(item, None, self.annotator, suggestion=self.suggestions.get(item.id),
                                        skipped=True, task=self.task.name))

    def undo(self) -> dict | None:
        """Retract the latest answer still in effect; that item comes up next. None: nothing to undo."""
        target = undo_target([r for r in self.records if r["id"] in self.by_id], self.annotator)  # this file's items
        if target is None:
            return None
        self._write(retraction_record(target, self.annotator))
        self.pending = target["id"]
        return target

    def progress(self) -> Progress:
        per_source: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for item in self.items:
            counts = per_source[item.source or "-"]
            counts[1] += 1
            counts[0] += item.id in self.answered
        done = sum(c[0] for c in per_source.values())
        skipped = Counter(self.by_id[item_id].source or "-" for item_id, r in self.answered.items() if r.get("skipped"))
        return Progress(done, len(self.items), {s: (c[0], c[1]) for s, c in sorted(per_source.items())},
                        sum(skipped.values()), dict(skipped))

    def tally(self) -> Counter:
        return Counter("skipped" if r.get("skipped") else r.get("label") for r in self.answered.values())


def suggestion_of(probs_row: np.ndarray, labels: Sequence[str], model_id: str) -> dict:
    row = np.asarray(probs_row, dtype=float)
    return {"label": labels[int(row.argmax())], "model": model_id,
            "scores": {label: round(float(p), 4) for label, p in zip(labels, row)}}


# -- a model's scores kept beside a label file --------------------------------------------------
# How many models' scores one label file keeps, the most recently used first: annotators of one file who use other
# models (--model A, then --model B) each find theirs, where one model's replaced the other's at every start.
KEPT_MODELS = 3
# a model's kept rows of items not at hand are kept as many as the items at hand, and this many at least: two
# annotators scoring different items files beside one label file keep each other's rows (about 40 bytes a row)
KEPT_OTHER_ROWS = 10_000


@dataclass
class KeptEntry:
    """One model's scores of items, as kept: the model's id, each row's item (``keys``: its ``item_fingerprint``),
    the labels of the columns, and the scores (one row per key). An entry kept before 2026-12-07 (6) has no keys: its
    rows are those of one list of items in order, whose ``items_fingerprint`` is ``items``."""
    model: str
    keys: list[str] | None
    labels: list[str]
    scores: np.ndarray
    items: str = ""

    def rows(self, items: Sequence[Item]) -> dict[str, np.ndarray]:
        """{item fingerprint: its row} of the items this entry holds scores of; none where its scores are no model's
        (``kept_values``), or it was kept before 2026-12-07 (6) of another list of items than ``items`` (another
        order, a subset: only the hash of the whole list was kept, so its rows cannot be told apart)."""
        keys = self.keys
        if keys is None:
            keys = [item_fingerprint(item) for item in items] if self.items == items_fingerprint(items) else []
        if not keys or not kept_values(self.scores, self.labels, len(keys)):
            return {}
        scored = ~np.isnan(self.scores).all(axis=1)  # a row of NaN, kept before: an item not scored yet
        return {key: row for key, row, done in zip(keys, self.scores, scored) if done}


def kept_scores_path(labels_path: str | Path) -> Path:
    """Where a labelling session keeps its model's scores: beside its label file, hidden, ``.LABELS.jsonl.scores.npz``
    (seen, ``labels/*`` given to ``gold`` or ``agreement`` took it for a label file and stopped on it). Beside the
    file itself, where the label file is reached through a link: two links to one file share its scores, and a link
    in another folder leaves none there (kept under the link's name, each link's start scored the items again)."""
    path = Path(os.path.realpath(labels_path))
    return path.with_name(f".{path.name}.scores.npz")


def kept_entries(path: str | Path) -> list[KeptEntry]:
    """What :func:`keep_scores` kept in ``path``, the most recently kept first; none where there is no such file, or
    it is unreadable (an entry is checked when it is read for a model: :func:`kept_scores`). An entry kept before
    2026-12-07 (6) (``items_N``, the hash of a whole list of items, where ``keys_N`` now names each row's item) is read
    with no keys; a file kept before it held several models' (``scores``, ``labels``, ``model``, ``items``,
    unnumbered) as one such entry: their scores are not made again where the items are that list, and the next write
    keeps them by item."""
    import zipfile

    if not Path(path).is_file():  # none yet, or a folder, a pipe (np.load would wait on it forever) or a device
        return []
    entries = []
    try:
        with np.load(path, allow_pickle=False) as kept:
            while f"model_{len(entries)}" in kept.files:
                n = len(entries)
                keyed = f"keys_{n}" in kept.files
                entries.append(KeptEntry(str(kept[f"model_{n}"]),
                                         [key.decode() if isinstance(key, bytes) else str(key)  # S16
                                          for key in kept[f"keys_{n}"].tolist()] if keyed else None,
                                         [str(label) for label in kept[f"labels_{n}"]],
                                         np.asarray(kept[f"scores_{n}"], dtype=float),
                                         "" if keyed else str(kept[f"items_{n}"])))
            if not entries and {"model", "items", "labels", "scores"} <= set(kept.files):  # one model's, unnumbered:
                entries.append(KeptEntry(str(kept["model"]), None,  # kept before KEPT_MODELS
                                         [str(label) for label in kept["labels"]],
                                         np.asarray(kept["scores"], dtype=float), str(kept["items"])))
    except (OSError, ValueError, KeyError, TypeError, AttributeError, EOFError, zipfile.BadZipFile):
        return []  # not a file of kept scores (an .npy has no keys; a pickle is never loaded)
    return entries


def kept_scores(path: str | Path, model_id: str, items: Sequence[Item], entries: list[KeptEntry] | None = None,
                keys: Sequence[str] | None = None) -> tuple[np.ndarray, list[str]] | None:
    """(scores, one row per item, NaN where the item has none kept; the labels of their columns) that
    :func:`keep_scores` kept in ``path`` of ``model_id``, row by item (``item_fingerprint``: text, actor and spans,
    so that any order or subset of the items scored finds them); None where none of these items has a row, or the
    scores are no model's, or the file is unreadable: the items are then scored again (and kept).
    ``entries``: the file's, read already (``kept_entries``); ``keys``: the items' ``item_fingerprint``, made
    already."""
    for entry in kept_entries(path) if entries is None else entries:
        if entry.model == model_id:
            rows = entry.rows(items)
            keys = fingerprints(items, keys)
            if not any(key in rows for key in keys):
                return None
            unscored = np.full(len(entry.labels), np.nan)
            return np.array([rows.get(key, unscored) for key in keys], dtype=float), entry.labels
    return None


def kept_values(scores: np.ndarray, labels: Sequence[str], n_rows: int) -> bool:
    """Whether kept ``scores`` can be shown as a model's of ``n_rows`` items: labels of one task, each once (labels
    of none stopped the session with "labels [...] belong to no task", where other scores are scored again), and a
    row per item, either a probability per label summing to 1 or all NaN (not scored yet)."""
    one_task = len(set(labels)) == len(labels) and any(set(labels) <= set(task.labels) for task in TASKS.values())
    if not one_task or scores.shape != (n_rows, len(labels)):
        return False
    scored = scores[~np.isnan(scores).all(axis=1)]
    return (bool(np.isfinite(scored).all()) and bool((scored >= 0).all())
            and bool(np.allclose(scored.sum(axis=1), 1.0, atol=1e-3)))


def fingerprints(items: Sequence[Item], keys: Sequence[str] | None = None) -> list[str]:
    """The ``item_fingerprint`` of each of ``items``; ``keys`` where given, made of these very items already
    (a session hashes its items once: every 32 items scored had hashed them all again, half of each write's time)."""
    if keys is None:
        return [item_fingerprint(item) for item in items]
    if len(keys) != len(items):
        raise ValueError(f"{len(keys)} fingerprints of {len(items)} items")
    return list(keys)


def keep_scores(path: str | Path, scores: np.ndarray, labels: Sequence[str], model_id: str,
                items: Sequence[Item], keys: Sequence[str] | None = None) -> None:
    """Keep ``model_id``'s ``scores`` of ``items`` in ``path`` for the next start, first, with the scores it kept of
    other models (``KEPT_MODELS`` in all: the least recently kept go), a row per item scored (a row of NaN is an item
    not scored yet, and not kept), named by its ``item_fingerprint`` (``keys``: made already, else made here), beside
    the rows it kept of this model: those of ``items`` (a row scored here replaces its item's; one a second session
    scored of these items meanwhile is kept), then those of other items (a second session scoring other items of the
    same file, a session of another sample, an item since edited or gone), the most recently kept first, as many as
    there are ``items`` at most (:func:`bounded_rows`: the file had grown with every item ever scored beside it).
    Written atomically, the rows of other items left out in the same write (a write cut off leaves the earlier file,
    or none; the temporary file a kill left is removed by the next write; a link in ``path`` is replaced by the file,
    what it points to left as it was) under a lock, held from reading the other models'
    scores to writing: a second session's write (two annotators) waits for it, and keeps its scores. A file that cannot
    be written is an ``InputError``: the caller goes on without it."""
    from classifier.io.files import atomic_path, output_lock, remove_stale_temporaries

    keys = fingerprints(items, keys)
    try:
        with output_lock(path, wait=True):  # a second session's write (two annotators) waits for this one's
            remove_stale_temporaries(path)  # what a write killed half way (-9) left: .NAME.*.tmp beside it
            entries, scores = kept_entries(path), np.asarray(scores, dtype=float)
            kept = next((entry.rows(items) for entry in entries
                         if entry.model == model_id and entry.labels == list(labels)), {})
            scored = ~np.isnan(scores).all(axis=1)
            rows = bounded_rows(kept, {key: row for key, row, done in zip(keys, scores, scored) if done}, keys)
            entries = [KeptEntry(model_id, list(rows), list(labels),
                                 np.array(list(rows.values()), dtype=float).reshape(len(rows), len(labels))),
                       *(by_item(entry, items) for entry in entries if entry.model != model_id)][:KEPT_MODELS]
            arrays = {}
            for n, entry in enumerate(entries):
                arrays.update({f"model_{n}": np.array(entry.model), f"labels_{n}": np.array(entry.labels),
                               f"scores_{n}": entry.scores})
                arrays.update({f"keys_{n}": np.array(entry.keys, dtype="S16")} if entry.keys is not None
                              else {f"items_{n}": np.array(entry.items)})  # kept before, of other items: as it was
            with atomic_path(path, replace_link=True) as tmp:  # a link there is replaced, never written through
                with open(tmp, "wb") as fh:
                    np.savez(fh, **arrays)
    except OSError as exc:  # a full disk: the session goes on, its next start scores the items again
        raise InputError(f"{path}: cannot write ({exc.strerror or exc})") from None


def bounded_rows(kept: dict[str, np.ndarray], scored: dict[str, np.ndarray],
                 keys: Sequence[str]) -> dict[str, np.ndarray]:
    """One model's rows to keep, {item fingerprint: row}: first those of the items at hand (``keys``), scored now
    (``scored``) or kept before (``kept``), none lost; then the ``kept`` rows of other items, in the order they
    were kept (each write puts the rows of its items first, so the first are those of the items used last), as
    many as there are items at hand or ``KEPT_OTHER_ROWS``, whichever is more: the rows of items no longer used
    (another sample, an item edited or gone) go, the least recently used first, and the file holds at most twice
    the rows of the largest items file used on it (or that floor), where it had grown by every item ever scored
    beside it; a second annotator's session of a few items keeps the rows of a first one's larger file."""
    live = dict.fromkeys(keys)
    rows = {key: scored[key] if key in scored else kept[key] for key in live if key in scored or key in kept}
    others = (key for key in kept if key not in live)
    rows.update((key, kept[key]) for key, _ in zip(others, range(max(len(live), KEPT_OTHER_ROWS))))
    return rows


def by_item(entry: KeptEntry, items: Sequence[Item]) -> KeptEntry:
    """``entry``, its rows named by item where it was kept before 2026-12-07 (6) of ``items`` (the list whose hash it
    kept); as it was where it was of another list (read again when that list comes back)."""
    if entry.keys is not None or entry.items != items_fingerprint(items):
        return entry
    rows = entry.rows(items)
    return KeptEntry(entry.model, list(rows), entry.labels,
                     np.array(list(rows.values()), dtype=float).reshape(len(rows), len(entry.labels)))


class SessionScores:
    """A model's scores of a labelling's items, kept beside its label file (``path``: :func:`kept_scores_path`) for
    the next start: what an earlier start kept of these items is read (by item: in any order), the rest scored when
    :meth:`need` asks for it, by ``score`` (items and an ``on_batch`` or None -> their probabilities and the labels
    of the columns: the model, loaded on its first call), and kept. ``probs``: one row per item, None before any is
    scored. ``read_only``: what is kept there is read, and nothing is written (``label export``, which reads a label
    file's kept scores and writes none beside its input)."""

    def __init__(self, path: str | Path, model_id: str, items: Sequence[Item],
                 score: Callable[[list[Item], Callable[[int], None] | None], tuple[np.ndarray, Sequence[str]]],
                 read_only: bool = False):
        self.path, self.model_id, self.items, self.score = Path(path), model_id, list(items), score
        self.read_only = read_only
        self.keys = fingerprints(self.items)  # hashed once: not again at every write (keep_scores)
        entries = kept_entries(self.path)  # read once
        found = kept_scores(self.path, model_id, self.items, entries, self.keys)
        self.probs, self.labels = found if found is not None else (None, [])
        self.found = found is not None  # some kept by an earlier start
        kept = next((entry for entry in entries if entry.model == model_id), None)
        # kept before 2026-12-07 (6), by list, of another list of items (another order, a subset): unread, every item
        # scored again, which a caller may say (``label export``, which cannot rewrite them by item)
        self.kept_by_list = (found is None and kept is not None and kept.keys is None
                             and kept_values(kept.scores, kept.labels, len(kept.scores)))
        self.written = False  # kept by this one
        self.unkept = ""  # why they could not be kept: said once, and not tried again
        if found is not None and not read_only and (entries[0].model != model_id or entries[0].keys is None):
            self.keep()  # used again: the last model to go; kept before by list (2026-12-07 (6)): now by item

    def missing(self, indices: Iterable[int]) -> list[int]:
        """Those of ``indices`` not scored yet."""
        return list(indices) if self.probs is None else [i for i in indices if np.isnan(self.probs[i]).all()]

    def need(self, indices: Iterable[int], on_batch: Callable[[int], None] | None = None) -> str:
        """Score those of the items at ``indices`` not scored yet, and keep them; "" or a warning that they could
        not be kept (the labelling goes on without). ``on_batch(n)`` as each batch of n items is scored (a bar)."""
        todo = self.missing(indices)
        if not todo:
            return ""
        probs, labels = self.score([self.items[i] for i in todo], on_batch)
        if self.probs is None or list(labels) != self.labels:
            self.probs, self.labels = np.full((len(self.items), len(labels)), np.nan), list(labels)
        self.probs[todo] = probs
        if self.unkept or self.read_only:
            return ""
        self.keep()
        self.written = not self.unkept
        return self.unkept

    def keep(self) -> None:
        try:
            keep_scores(self.path, self.probs, self.labels, self.model_id, self.items, self.keys)
        except InputError as exc:
            self.unkept = f"{exc}; the model's scores were not kept: the next start scores the items again"

    def suggestion(self, index: int) -> dict:
        return suggestion_of(self.probs[index], self.labels, self.model_id)


# -- model pre-labels ---------------------------------------------------------------------------
def suggestion_records(items: Sequence[Item], probs: np.ndarray, labels: Sequence[str], model_id: str,
                       model_name: str, task: str | None = None) -> list[dict]:
    """Model pre-labels, marked as such: annotator ``model:<name>``, ``suggested: true``."""
    records = []
    for item, row in zip(items, probs):
        shown = suggestion_of(row, labels, model_id)
        records.append(label_record(item, shown["label"], f"{MODEL_PREFIX}{model_name}", suggestion=shown,
                                    suggested=True, task=task))
    return records


# -- agreement ----------------------------------------------------------------------------------
ALL_LABELS = (*LABELS, *(label for label in SENTIMENT.labels if label not in LABELS))  # stance, then sentiment
# Fewer items shared than this and a kappa or alpha is flagged as too few to say much: one item more or less moves
# it by a large step (on 1 item it is 0 or undefined, on 2 to 9 a handful of values). The same bar as evaluate's
# --min-n.
MIN_AGREEMENT_ITEMS = 10


def _kappa(a: Sequence[str], b: Sequence[str]) -> float:
    """Cohen's kappa; NaN where it is undefined: both annotators gave every item one and the same label (the
    agreement expected by chance is then 1)."""
    import warnings

    from sklearn.metrics import cohen_kappa_score

    if len({*a, *b}) < 2:
        return float("nan")
    if list(a) == list(b):
        return 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(cohen_kappa_score(a, b, labels=[label for label in ALL_LABELS if label in {*a, *b}]))


def _alpha(matrix: np.ndarray) -> float:
    import krippendorff

    values = matrix[~np.isnan(matrix)]
    if np.unique(values).size < 2:  # no labels, or one label only: alpha is undefined (expected disagreement 0)
        return float("nan")
    return float(krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")) + 0.0  # no -0.0


def _coded(labels: Sequence[str]) -> np.ndarray:
    return np.array([ALL_LABELS.index(label) for label in labels], dtype=np.int64)


def _pair_cells(a: Sequence[str], b: Sequence[str]) -> np.ndarray:
    """items x (label of a x label of b), one-hot: summed over items, the two annotators' confusion matrix."""
    k = len(ALL_LABELS)
    cells = np.zeros((len(a), k * k))
    cells[np.arange(len(a)), _coded(a) * k + _coded(b)] = 1.0
    return cells


def _kappas(confusions: np.ndarray) -> np.ndarray:
    """Cohen's kappa of each of a stack of (weighted) confusion matrices, as ``cohen_kappa_score`` computes it:
    (observed - chance agreement) / (1 - chance); NaN where chance agreement is 1 (one label only)."""
    n = confusions.sum(axis=(-2, -1))
    observed = np.trace(confusions, axis1=-2, axis2=-1) / n
    chance = (confusions.sum(axis=-1) * confusions.sum(axis=-2)).sum(axis=-1) / n ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(1 - chance > 1e-12, (observed - chance) / (1 - chance), np.nan)


def _one_against_rest(code: int) -> Callable[[np.ndarray], np.ndarray]:
    """Cohen's kappa of one class against the others: each (stack of) k x k confusion matrices folded into 2 x 2
    (this class or not, for each annotator), so a pair's kappa can be read per class, as agreement studies report
    it (which class the two disagree on), from the same matrices and resamples as the overall kappa."""
    def kappa(confusions: np.ndarray) -> np.ndarray:
        k = confusions.shape[-1]
        rest = np.ones(k, dtype=bool)
        rest[code] = False
        both = confusions[..., code, code]
        first_only = confusions[..., code, :][..., rest].sum(axis=-1)
        second_only = confusions[..., :, code][..., rest].sum(axis=-1)
        neither = confusions[..., rest, :][..., :, rest].sum(axis=(-2, -1))
        folded = np.stack([np.stack([both, first_only], -1), np.stack([second_only, neither], -1)], -2)
        return _kappas(folded)

    return kappa


def _unit_coincidences(matrix: np.ndarray) -> np.ndarray:
    """items x (label x label): each item's share of Krippendorff's coincidence matrix (nominal). An item
    labelled ``m`` times adds ``n_c n_k / (m - 1)`` to cell (c, k), less ``n_c / (m - 1)`` on the diagonal."""
    k = len(ALL_LABELS)
    counts = np.stack([(matrix == code).sum(axis=0) for code in range(k)], axis=1).astype(float)  # items x k
    m = counts.sum(axis=1)
    pairs = counts[:, :, None] * counts[:, None, :] - counts[:, :, None] * np.eye(k)
    return (pairs / np.maximum(m - 1, 1)[:, None, None]).reshape(len(m), k * k)


def _alphas(coincidences: np.ndarray) -> np.ndarray:
    """Krippendorff's alpha (nominal) of each of a stack of coincidence matrices: 1 - (n - 1) x observed
    disagreement / expected disagreement; NaN where only one label occurs."""
    off = 1 - np.eye(coincidences.shape[-1])
    totals = coincidences.sum(axis=-1)
    n = totals.sum(axis=-1)
    observed = (coincidences * off).sum(axis=(-2, -1))
    expected = (totals[..., :, None] * totals[..., None, :] * off).sum(axis=(-2, -1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected > 0, 1 - (n - 1) * observed / expected, np.nan)


def _resampled(per_item: np.ndarray, statistic: Callable[[np.ndarray], np.ndarray], articles: Sequence,
               n_boot: int, seed: int) -> list | None:
    """95% interval of a figure over resamples of the items' articles (items of one article go together, as
    evaluate's intervals do); None with fewer articles than evaluate needs for an interval. The figure must be
    a function of a sum over items: ``statistic`` turns each resample's sum of ``per_item`` rows (a k x k
    matrix) into it, so a resample is a matrix product and not a loop over items."""
    import pandas as pd

    from classifier.evaluate import MIN_RESAMPLED_ARTICLES, percentile_ci, resampled_sums

    codes = pd.factorize(pd.Series(list(articles), dtype=object))[0]
    if n_boot <= 0 or not len(codes) or codes.max() + 1 < MIN_RESAMPLED_ARTICLES:
        return None
    per_article = np.zeros((int(codes.max()) + 1, per_item.shape[1]))
    np.add.at(per_article, codes, per_item)
    k = len(ALL_LABELS)
    return percentile_ci(statistic(resampled_sums(codes, per_article, n_boot, seed).reshape(n_boot, k, k)),
                         clusters=len(per_article))  # expanded for few articles, as evaluate's intervals are


def judges(current: dict[tuple[str, str], dict]) -> list[str]:
    """The annotators who look like a judge (``current_labels``'s answers): each labelled only items that two or more
    others labelled and disagree on, and fewer items than those others labelled together, as a third person does
    who labels 'label gold --ties' (counted as an annotator, such a person moves agreement and
    casts a third vote in gold)."""
    by_item: dict[str, dict[str, str]] = defaultdict(dict)
    for (item_id, name), record in current.items():
        by_item[item_id][name] = record["label"]
    found = []
    for name in sorted({name for _, name in current}):
        mine = [item_id for item_id, votes in by_item.items() if name in votes]
        others = {item_id for item_id, votes in by_item.items() if set(votes) - {name}}
        if mine and len(mine) < len(others) and all(
                len(votes) > 2 and len({label for who, label in votes.items() if who != name}) > 1
                for votes in (by_item[item_id] for item_id in mine)):
            found.append(name)
    return found


def agreement(records: Sequence[dict], *, include_suggested: bool = False, n_boot: int = 1000,
              seed: int = 0, judge: str | None = None) -> dict:
    """Cohen's kappa per pair of annotators and Krippendorff's alpha (nominal) over all, each with a 95% interval
    by article (``n_boot`` resamples), and the disagreements. A figure that is undefined (every item given one
    label) is NaN; one over fewer than ``MIN_AGREEMENT_ITEMS`` items is flagged (``few_items``). ``judge``'s labels
    are left out (a third person who decided the others' ties); ``judge_like``: the others who look like one
    (``judges``)."""
    current = {key: r for key, r in current_labels(records, include_suggested=include_suggested).items()
               if key[1] != judge}
    check_one_task(list(current.values()))
    annotators = sorted({ann for _, ann in current})
    item_ids = sorted({item_id for item_id, _ in current})

    def article_of(item_id: str):
        record = next(current[(item_id, ann)] for ann in annotators if (item_id, ann) in current)
        if not record.get("article"):
            return f"item:{item_id}"  # an item without an article is its own cluster
        return f"{record.get('source')}\0{record['article']}"  # one cluster per outlet and article, as evaluate's

    pairs = []
    for i, first in enumerate(annotators):
        for second in annotators[i + 1:]:
            shared = [x for x in item_ids if (x, first) in current and (x, second) in current]
            a = np.array([current[(x, first)]["label"] for x in shared], dtype=object)
            b = np.array([current[(x, second)]["label"] for x in shared], dtype=object)
            per_class = {}
            for label in [label for label in ALL_LABELS if shared and label in {*a, *b}]:
                statistic, cells = _one_against_rest(ALL_LABELS.index(label)), _pair_cells(a, b)
                k = len(ALL_LABELS)
                per_class[label] = {"kappa": float(statistic(cells.sum(axis=0).reshape(k, k))),
                                    "kappa_ci": _resampled(cells, statistic, [article_of(x) for x in shared], n_boot,
                                                           seed)}
            pairs.append({"annotators": [first, second], "n": len(shared), "per_class": per_class,
                          "kappa": _kappa(a, b) if shared else float("nan"),
                          "kappa_ci": _resampled(_pair_cells(a, b), _kappas, [article_of(x) for x in shared],
                                                 n_boot, seed) if shared else None,
                          "agreement": float(np.mean(a == b)) if shared else float("nan"),
                          "few_items": 0 < len(shared) < MIN_AGREEMENT_ITEMS})
    multi = [x for x in item_ids if sum((x, ann) in current for ann in annotators) >= 2]
    matrix = np.array([[ALL_LABELS.index(current[(x, ann)]["label"]) if (x, ann) in current else np.nan
                        for x in multi] for ann in annotators], dtype=float).reshape(len(annotators), len(multi))
    disagreements = []
    for x in multi:
        votes = {ann: current[(x, ann)]["label"] for ann in annotators if (x, ann) in current}
        if len(set(votes.values())) > 1:
            record = next(current[(x, ann)] for ann in annotators if (x, ann) in current)
            disagreements.append({"id": x, "actor": record.get("actor"), "source": record.get("source"),
                                  "text": record.get("text"), "labels": votes})
    return {"annotators": annotators, "items": len(item_ids), "items_multiply_labelled": len(multi),
            "articles": len({article_of(x) for x in multi}),  # alpha's clusters: from 5 on it has an interval
            "min_items": MIN_AGREEMENT_ITEMS, "few_items": 0 < len(multi) < MIN_AGREEMENT_ITEMS, "pairs": pairs,
            "krippendorff_alpha": _alpha(matrix) if multi else float("nan"),
            "krippendorff_alpha_ci": _resampled(_unit_coincidences(matrix), _alphas, [article_of(x) for x in multi],
                                                n_boot, seed) if multi else None,
            "judge": judge, "judge_like": judges(current),
            "interval": (f"95% bootstrap by article, {numeral(n_boot)} resamples (those where the figure is defined)"
                         if n_boot else "no intervals (--n-boot 0)"), "disagreements": disagreements}


# -- Label Studio -------------------------------------------------------------------------------
def marked_text(item: Item, open_mark: str = "[[", close_mark: str = "]]") -> str:
    from classifier.models.inputs import merge_spans

    pieces, cursor = [], 0
    for start, end in merge_spans(item.spans):
        pieces += [item.text[cursor:start], open_mark, item.text[start:end], close_mark]
        cursor = end
    return "".join(pieces + [item.text[cursor:]])


def to_label_studio(items: Sequence[Item], suggestions: dict[str, dict] | None = None,
                    kind: Task = STANCE) -> list[dict]:
    """Label Studio tasks; a model's suggestion becomes a pre-annotation (``predictions``) in the Choices control
    named after the task (``kind``), as ``label_studio_config`` names it."""
    tasks = []
    for item in items:
        data = {**item_record(item), "item_id": item.id, "marked": marked_text(item)}
        data.pop("label", None)
        task: dict = {"data": data}
        shown = (suggestions or {}).get(item.id)
        if shown:
            task["predictions"] = [{
                "model_version": shown["model"], "score": max(shown["scores"].values()),
                "result": [{"from_name": kind.name, "to_name": "text", "type": "choices",
                            "value": {"choices": [shown["label"]]}}]}]
        tasks.append(task)
    return tasks


class _LSValue(BaseModel):
    model_config = ConfigDict(extra="allow")
    choices: Optional[list[str]] = None


class _LSResult(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: Optional[str] = None
    from_name: Optional[str] = None
    value: Optional[_LSValue] = None

    def choice(self) -> str | None:
        """The one choice made, lower-cased (a hand-made config may say "Favor"); None for none or several."""
        choices = (self.value.choices if self.value else None) or []
        return choices[0].strip().lower() if len(choices) == 1 and isinstance(choices[0], str) else None


def _ls_choice_results(results: Optional[list[_LSResult]], control: str = "stance") -> list[_LSResult]:
    """The task's answers among an annotation's or prediction's results: choices from the control named after the
    task ("stance", "sentiment", as ``stance label export`` names it) or from an unnamed one. A config may hold
    other Choices (a confidence, the other task), in any order; their answers are never taken for this task's."""
    found = [r for r in results or [] if r.type == "choices" or (r.value is not None and r.value.choices is not None)]
    return [r for r in found if r.from_name in (None, control)]


def _ls_other_controls(annotation: _LSAnnotation, control: str = "stance") -> set[str]:
    return {str(r.from_name) for r in annotation.result or [] if r.from_name not in (None, control)}


class _LSPrediction(BaseModel):
    model_config = ConfigDict(extra="allow")
    result: Optional[list[_LSResult]] = None
    model_version: Optional[Union[str, int]] = None
    score: Optional[float] = None


class _LSAnnotation(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: Optional[Union[int, str]] = None
    result: Optional[list[_LSResult]] = None
    was_cancelled: Optional[bool] = None
    completed_by: Optional[Union[int, str, dict]] = None
    created_at: Optional[str] = None
    updated_at: Optional[str] = None
    prediction: Optional[_LSPrediction] = None  # the pre-annotation it started from, as Label Studio copies it


class _LSTask(BaseModel):
    """The parts of a Label Studio export task that import reads, checked before use."""
    model_config = ConfigDict(extra="allow")
    id: Optional[Union[int, str]] = None
    data: dict
    annotations: Optional[list[_LSAnnotation]] = None
    # objects as 'stance label export' writes them; Label Studio's own JSON export lists them by id
    predictions: Optional[list[Union[_LSPrediction, int, str]]] = None


def _ls_annotator(annotation: _LSAnnotation) -> str:
    who = annotation.completed_by
    if isinstance(who, dict):
        who = who.get("email") or who.get("username") or who.get("id")
    return f"label-studio:{who}" if who is not None else "label-studio"


def _ls_choice(annotation: _LSAnnotation, where: str, kind: Task = STANCE) -> str | None:
    results = _ls_choice_results(annotation.result, kind.name)
    for result in results:
        if result.choice() in kind.labels:
            return result.choice()
    if results:
        choices = results[0].value.choices if results[0].value else None
        if isinstance(choices, list) and len(choices) > 1:  # a Choices control that allowed several answers
            raise InputError(f"{where}: {len(choices)} choices ({', '.join(map(str, choices))}) where an item takes "
                             "one label; set choice=\"single\" on the Choices control (stance label export --config "
                             "writes it so) and answer again")
        raise InputError(f"{where}: choice {choices!r} is not one of {', '.join(kind.labels)}")
    return None


def _ls_suggestion(task: _LSTask, annotation: _LSAnnotation, kind: Task = STANCE) -> dict | None:
    """The pre-annotation shown with the task: the annotation's own copy (Label Studio's export, which lists the
    task's predictions by id only), else the task's predictions (a file from 'stance label export')."""
    shown = [annotation.prediction] if annotation.prediction and annotation.prediction.result else []
    for prediction in shown + [p for p in task.predictions or [] if isinstance(p, _LSPrediction)]:
        for result in _ls_choice_results(prediction.result, kind.name):
            if result.choice() in kind.labels:
                return {"label": result.choice(), "model": prediction.model_version,
                        "score": prediction.score, "via": "label-studio"}
    return None


def _ls_task(raw, where: str) -> _LSTask:
    if isinstance(raw, dict) and "data" not in raw and ("item_id" in raw or "text" in raw):
        raise InputError(f"{where}: no 'data' object: this looks like Label Studio's JSON-MIN export; export the "
                         "project as 'JSON', the format import reads")
    if not isinstance(raw, dict) or not isinstance(raw.get("data"), dict):
        raise InputError(f"{where}: no 'data' object; is this a Label Studio JSON export?")
    try:
        return _LSTask.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise InputError(f"{where}: {field}: {first['msg']}") from None


def from_label_studio(tasks: list, where: str, annotator: str | None = None, kind: Task = STANCE) -> list[dict]:
    """Completed annotations of a Label Studio JSON export as label records of ``kind``'s task, read from the
    Choices control named after it (cancelled annotations skipped)."""
    if not isinstance(tasks, list):
        raise InputError(f"{where}: expected a Label Studio JSON export (a list of tasks)")
    records, unanswered, controls = [], 0, set()
    shared = 0  # tasks that two or more users answered, when --annotator names them all one
    for number, raw in enumerate(tasks, start=1):
        known = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), (int, str)) else None
        here = f"{where}: task {number}" + (f" (Label Studio id {known})" if known is not None else "")
        task = _ls_task(raw, here)
        data = task.data
        fields = {k: v for k, v in data.items() if k not in ("marked", "item_id")}
        fields["id"] = data.get("item_id", data.get("id"))
        if fields["id"] is None:  # Label Studio's own task number is no item id: it would name another item
            raise InputError(f"{here}: no item id in its data ('item_id', as 'stance label export' writes it)")
        try:
            item = parse_item(fields, here, need_actor=kind.needs_actor)
        except InputError as exc:
            if "is outside the text" in str(exc):
                raise InputError(f"{exc}; was the text edited in Label Studio? Import reads spans against the text "
                                 "as exported") from None
            answered = {r.from_name for a in task.annotations or [] for r in a.result or []}
            if kind is STANCE and "'actor'" in str(exc) and "sentiment" in answered:
                raise InputError(f"{exc}; this export answers a 'sentiment' control: import it with --task "
                                 "sentiment") from None
            raise
        if annotator is not None:
            shared += len({_ls_annotator(a) for a in task.annotations or [] if not a.was_cancelled}) > 1
        for index, annotation in enumerate(task.annotations or []):
            if annotation.was_cancelled:
                continue
            label = _ls_choice(annotation, here, kind)
            if label is None:
                unanswered += bool(annotation.result)  # answered other controls only (or nothing at all)
                controls |= _ls_other_controls(annotation, kind.name)
                continue
            if annotator is None:  # as --annotator's: one of these names would be stored with its answers
                check_name(_ls_annotator(annotation), f"{here}: annotator", "rename the user in Label Studio, or "
                           "import with --annotator NAME (every annotation under that name)")
            record = label_record(item, label, annotator or _ls_annotator(annotation),
                                  suggestion=_ls_suggestion(task, annotation, kind), imported_from="label-studio",
                                  task=kind.name)
            stamp = annotation.updated_at or annotation.created_at
            record["timestamp"] = stamp or record["timestamp"]
            # the same annotation imported again (twice, or after a kill) is recognised by this, with or
            # without timestamps in the export
            identity = [task.id, item.id, annotation.id if annotation.id is not None else index, label,
                        record["annotator"], stamp]
            record["import_key"] = hashlib.sha256(json.dumps(identity, default=str).encode()).hexdigest()[:16]
            if task.id is not None and annotation.id is not None:  # one answer, whatever name it is imported under
                record["label_studio_annotation"] = f"{task.id}/{annotation.id}"
            records.append(record)
    if shared:
        warn_caller(f"{where}: {numeral(shared)} task{'s' if shared != 1 else ''} answered by two or more Label "
                    f"Studio users, all imported as {annotator!r}: only the last answer of each counts as theirs "
                    "(import without --annotator to keep the users apart for agreement)")
    if unanswered:
        found = f" (it has {', '.join(sorted(controls))})" if controls else ""
        warn_caller(f"{where}: {unanswered} annotation{'s' if unanswered != 1 else ''} gave no answer in a "
                    f"Choices control named '{kind.name}'{found}; left out")
    return records


def check_same_item_versions(existing: Sequence[dict], incoming: Sequence[dict], where: str) -> None:
    """Refuse imported answers for another version of an item (other text or actor under the same id: prepared
    again, or edited in Label Studio) than the label file, or the export itself, already holds: once appended,
    the file would name two items by one id, and gold, agreement and train would refuse all of it."""
    first: dict[str, dict] = {}
    for record in existing:
        first.setdefault(record["id"], record)
    for record in incoming:
        known = first.setdefault(record["id"], record)
        if item_identity(known) != item_identity(record):
            task = str(record.get("label_studio_annotation") or "").split("/")[0]
            place = known.get("where") or "an earlier task of this export"
            raise InputError(f"{where}: {f'Label Studio task {task}: ' if task else ''}item {record['id']!r} has "
                             f"another text or actor than on {place}; was it prepared again or edited since? "
                             "Import it into a new label file (nothing was imported)")


def instant(stamp) -> datetime | None:
    """A record's timestamp as an aware datetime (UTC where it names no zone); None where it is not ISO 8601."""
    try:
        moment = datetime.fromisoformat(str(stamp))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def latest_versions(records: Sequence[dict]) -> dict[str, datetime]:
    """Label Studio answer (task/annotation) -> the time of its latest version among ``records``."""
    newest: dict[str, datetime] = {}
    for record in records:
        answer, stamp = record.get("label_studio_annotation"), instant(record.get("timestamp"))
        if answer and stamp is not None and (answer not in newest or stamp > newest[answer]):
            newest[answer] = stamp
    return newest


def new_records(existing: Sequence[dict], incoming: Sequence[dict], where: str = "export") -> list[dict]:
    """Incoming records not already in the file nor earlier in ``incoming``: the same imported annotation
    (``import_key``), else the same item, annotator, label and timestamp; nor older versions of a Label Studio
    answer whose later version the file holds (the last line counts). A Label Studio answer imported before
    under another annotator name stops with an error: it would count as a second annotator's."""
    def key(r: dict) -> tuple:
        if r.get("import_key"):
            return ("import", r["import_key"])
        return (r["id"], r.get("annotator"), r.get("label"), r.get("timestamp"))

    named = {r["label_studio_annotation"]: r for r in existing if r.get("label_studio_annotation")}
    newest = latest_versions(existing)
    seen, fresh = {key(r) for r in existing}, []

    def outdated(record: dict) -> bool:  # an older version of an answer edited since: an earlier export imported late
        stamp, answer = instant(record.get("timestamp")), record.get("label_studio_annotation")
        return answer in newest and stamp is not None and stamp < newest[answer]

    incoming = [record for record in incoming if not outdated(record)]
    check_same_item_versions(existing, incoming, where)  # of what is left: an outdated answer's old text is no clash
    for record in incoming:
        before = named.get(record.get("label_studio_annotation"))
        if before is not None and annotator_of(before) != annotator_of(record):
            task, annotation = record["label_studio_annotation"].split("/", 1)
            raise InputError(f"{where}: Label Studio task {task}'s annotation {annotation} was imported before as "
                             f"{annotator_of(before)!r} ({before.get('where', 'the label file')}); importing it as "
                             f"{annotator_of(record)!r} would count one answer as two annotators'. Import with the "
                             "same --annotator as before (or none)")
        if key(record) not in seen:
            seen.add(key(record))
            fresh.append(record)
    return fresh
