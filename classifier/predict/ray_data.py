"""Corpora kept as many part files on a shared disk: Ray Data reads the parts, a pool of model actors scores
them, and the workers write each part's predictions as Parquet; nothing passes through the driver.

``classify_parts(INPUT, OUT_DIR, ...)``: INPUT is one items file or a folder of them (``.parquet`` or
``.jsonl``, each a *part*); OUT_DIR gets one folder per part (``OUT_DIR/<part>/predictions.parquet``), built in
a hidden stage and renamed into place when the part is done. A rerun skips the parts already there, so a run
stopped anywhere resumes at the granularity of parts. Consecutive parts of one format run as one Ray Data job
(one actor pool, each model loaded once per job) of up to ``GROUP_BYTES`` of input per worker: a pool's
start-up, 10.7 s a group on a shared 2-core host (2 workers; docs/changes.md, 2026-12-07 (9)), is paid per group,
not per part, and a stopped run loses at most the group in flight.
Before Ray starts, the ids of all the parts are checked unique (OUT is read as one file by evaluate and report),
with those of any predictions already in OUT_DIR outside the parts' folders (a part removed from INPUT since). A
rerun of a finished run whose parts are those it checked, unchanged, skips that read (``RUNS_FILE``).
The predictions are those of ``stance classify`` (same fields, same model id); pandas reads a part back, and
``pyarrow.dataset.dataset(OUT_DIR)`` the whole run where the parts' columns agree.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, NamedTuple

from classifier.errors import InputError, model_failures
from classifier.io.files import PART_SUFFIXES, check_regular_input

GROUP_BYTES = 8 * 2**20  # input per worker in one Ray Data job (a few minutes of one worker's scoring)
PART_COLUMN = "_part"    # a prediction row's part in its group (the partition column of the job's write)
TRUNCATED_COLUMN = "_truncated"  # a batch's items cut to the model's window, on its part's first row (0 on the
# others): the count follows the rows written, not a task's tries; the part's join sums and drops it. The name of
# predict_records' own per-item mark (batch.TRUNCATED_FIELD), which this column replaces in each row
RECORD_COLUMN = "text"   # an item as one JSON string (the column ray.data.read_text makes of each JSONL line)
BLOCK_BYTES = 256 * 2**10  # input per block (about 600 JSONL items): the unit that one actor scores at a time
FOOTER_ACTORS = "RAY_DATA_PARQUET_FOOTER_NUM_ACTORS"  # Ray Data's actors reading a Parquet read's footers
ID_BATCH = 65536         # ids read and digested at a time by the check that ids are unique across parts


def input_parts(path: Path) -> list[Path]:
    """The parts of INPUT: the file itself, or the .parquet / .jsonl files of a folder, in name order."""
    path = Path(path)
    check_regular_input(path)
    if path.is_file():
        if path.suffix not in PART_SUFFIXES:
            raise InputError(f"{path}: --ray-data reads .parquet or .jsonl items files")
        return [path]
    if not path.is_dir():
        raise InputError(f"{path}: no such file or folder")
    parts = sorted(p for p in path.iterdir() if p.is_file() and p.suffix in PART_SUFFIXES)
    if not parts:
        raise InputError(f"{path}: no .parquet or .jsonl items files in the folder")
    stems = [p.stem for p in parts]
    if len(set(stems)) < len(stems):
        raise InputError(f"{path}: two parts share a name ({next(s for s in stems if stems.count(s) > 1)}); "
                         "their predictions would share a folder")
    return parts


def parquet_file(part: Path):
    """A Parquet part opened for its footer; a file that is not Parquet is one line, as a local run says it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(part)
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"{part}: not a readable Parquet file ({exc})") from None


def holds_rows(part: Path, block: int = 1 << 16) -> bool:
    """Whether a part has a row: a Parquet footer's count, or a JSONL file's first byte that is not white space
    (read a block at a time until found, so a large part costs one block)."""
    if part.suffix == ".parquet":
        return parquet_file(part).metadata.num_rows > 0
    with open(part, "rb") as handle:
        while chunk := handle.read(block):
            if chunk.strip():
                return True
    return False


def has_path_column(part: Path) -> bool:
    """A Parquet part with its own ``path`` column, which Ray's ``include_paths`` would overwrite."""
    return part.suffix == ".parquet" and "path" in parquet_file(part).schema_arrow.names


def part_groups(parts: list[Path], workers: int, group_bytes: int | None = None) -> list[list[Path]]:
    """Consecutive parts of one format, up to ``group_bytes`` x ``workers`` of input each (a bigger part alone,
    and a Parquet part with a ``path`` column alone: it is read without Ray's path column)."""
    group_bytes = group_bytes or GROUP_BYTES
    groups: list[list[Path]] = []
    size, shared = 0, False
    for part in parts:
        part_bytes, alone = part.stat().st_size, has_path_column(part)
        if (groups and shared and not alone and groups[-1][0].suffix == part.suffix
                and size + part_bytes <= group_bytes * workers):
            groups[-1].append(part)
            size += part_bytes
        else:
            groups.append([part])
            size, shared = part_bytes, not alone
    return groups


def plain(value):
    """A Ray Data cell as the item schema wants it: NaN as None, numpy arrays as lists."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "tolist"):
        return plain(value.tolist())
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def records_as_json(batch, path: str | None = None):
    """A batch of a Parquet part's rows as (item as one JSON string, path): parts whose tables type a column
    differently (a column all null in one part) can then share blocks. ``path``: the part read alone (its rows
    keep their own ``path`` column); else each row's path from Ray's ``include_paths``."""
    import json

    import pandas as pd

    paths = [path] * len(batch) if path else batch.pop("path")
    records = [json.dumps({key: plain(value) for key, value in record.items()}, default=str)
               for record in batch.to_dict("records")]
    return pd.DataFrame({RECORD_COLUMN: records, "path": paths})


def read_group(ray, group: list[Path]):
    """One dataset of the group's items, each row (item as JSON, its part's path). JSONL lines stay text until
    the worker parses them, so that no column type is guessed per file."""
    paths = [str(part.absolute()) for part in group]
    if group[0].suffix == ".jsonl":
        return ray.data.read_text(paths, include_paths=True)
    if len(group) == 1 and has_path_column(group[0]):
        return ray.data.read_parquet(paths[0]).map_batches(records_as_json, batch_format="pandas",
                                                           fn_kwargs={"path": paths[0]})
    return ray.data.read_parquet(paths, include_paths=True).map_batches(records_as_json, batch_format="pandas")


def part_ids(part: Path, items: bool = False) -> Iterator:
    """A part's item ids in input order, as ``Item`` keeps them, one per item; nothing else is held: a Parquet
    part's id column a batch at a time, a JSONL part's non-blank lines parsed one by one (a malformed line stops
    here, named by file and line). An item without an id gives None (its own check names it when it is scored).
    ``items``: (id, text, actor) each instead, to count the items a model trained on as the ids are read (a
    Parquet part's text and actor columns are read then too; a JSONL line is parsed whole either way)."""
    from classifier.items import id_text

    if part.suffix == ".parquet":
        import pyarrow as pa

        table = parquet_file(part)
        names = table.schema_arrow.names
        columns = [name for name in (("id", "text", "actor") if items else ("id",)) if name in names]
        if not columns:
            yield from itertools.repeat((None, None, None) if items else None, table.metadata.num_rows)
            return
        batches = table.iter_batches(columns=columns, batch_size=ID_BATCH)
        while True:
            try:
                batch = next(batches)
            except StopIteration:
                return
            except (OSError, pa.ArrowException) as exc:  # a damaged page
                raise InputError(f"{part}: not a readable Parquet file ({exc})") from None
            values = {name: batch.column(name).to_pylist() for name in columns}
            ids = map(id_text, values["id"]) if "id" in values else itertools.repeat(None, batch.num_rows)
            if not items:
                yield from ids
                continue
            yield from zip(ids, *(values.get(name, itertools.repeat(None, batch.num_rows))
                                  for name in ("text", "actor")))
        return
    for _, record in jsonl_records(part):
        item_id = id_text(record.get("id"))
        yield (item_id, record.get("text"), record.get("actor")) if items else item_id


# Characters at which str.splitlines, and so Ray Data's read_text, cuts a line, though JSON allows them unescaped
# in a string (the other ones it cuts at besides \n and \r are control characters, which JSON refuses anyway)
SPLIT_IN_STRINGS = re.compile("[\x85\u2028\u2029]")


def jsonl_records(part: Path) -> Iterator[tuple[int, dict]]:
    """(line number, object) for each non-blank line of a JSONL part, read as the workers will get it: Ray Data's
    read_text decodes UTF-8 and cuts lines with str.splitlines, where io.files.iter_jsonl would read a UTF-16 part
    (its byte-order mark) and keep a line whole at U+2028; each is one line here, before Ray starts, naming the
    part and the line, without the --encoding that --ray-data refuses (iter_jsonl reads in Python's text mode,
    whose decoding and lines are not Ray's)."""
    from classifier.io.files import bom_encoding, json_object, magic_compression

    number, first = 0, True
    with open(part, "rb") as handle:
        for raw in handle:  # cut at b"\n"; splitlines below cuts at \r as Ray does (text mode does too)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                compressed = magic_compression(raw[:10]) if number == 0 else None
                if compressed:  # a local run reads it decompressed (io.files.compression_of); Ray's read_text does not
                    raise InputError(f"{part}: {compressed}-compressed; --ray-data reads plain UTF-8 parts: "
                                     "decompress it, or score it without --ray-data") from None
                if number == 0 and bom_encoding(raw[:4]) == "utf-16":
                    raise InputError(f"{part}: UTF-16 text; --ray-data reads UTF-8 parts: convert it (iconv -f "
                                     "UTF-16 -t UTF-8), or score it without --ray-data") from None
                raise InputError(f"{part}:{number + 1}: not UTF-8 text; --ray-data reads UTF-8 parts: convert it "
                                 "(iconv -f CP1252 -t UTF-8, naming its encoding), or score it without --ray-data, "
                                 "with --encoding") from None
            lines = text.splitlines()
            found = SPLIT_IN_STRINGS.search(text) if len(lines) > 1 else None  # cut at \r, or at one of these
            if found:
                code = f"{ord(found.group()):04x}"
                raise InputError(f"{part}:{number + 1}: an unescaped U+{code.upper()} (a line break to Ray Data's "
                                 f"reader, which would cut the line there): write it escaped (\\u{code}), or "
                                 "score the part without --ray-data")
            for line in lines:
                number += 1
                if number == 1:
                    line = line.removeprefix("\ufeff")  # a UTF-8 byte-order mark (the workers drop it too)
                if line.strip():
                    yield number, json_object(line, f"{part}:{number}", first=first)
                    first = False


def stray_predictions(out_dir: Path, parts: list[Path]) -> list[Path]:
    """The files in OUT that evaluate and report would read (:func:`classifier.io.files.folder_parts`) outside the
    folders of INPUT's parts: the predictions of a part removed from INPUT since it was scored, or anything else
    put there."""
    from classifier.io.files import folder_parts

    if not out_dir.is_dir():
        return []
    own = {part.stem for part in parts}
    return [file for file in folder_parts(out_dir) if file.relative_to(out_dir).parts[0] not in own]


def check_ids_unique(parts: list[Path], strays: list[Path] = (), known=None, trained: list | None = None
                     ) -> dict[Path, int]:
    """No id repeats within a part or across the parts of one run (``evaluate`` and ``report`` read OUT as one
    file and refuse a repeated id), checked before anything is scored; ``strays``: the prediction files already in
    OUT of no part of INPUT (:func:`stray_predictions`), which evaluate and report read too. One pass holds a
    16-byte digest per item (16 MB a million items, in numpy arrays rather than a set of Python objects); only when
    two digests agree does a second pass name the parts and items. Returns the items of each part (the total that
    the progress of a run counts to). ``known``: the ``TrainedItems`` of the model (its ``trained_items.txt``), whose
    items among the parts' (not the strays') are counted on that pass into ``trained`` as [found, items]."""
    import numpy as np

    from classifier.items import UNIQUE_IDS
    from classifier.predict.batch import Columns, id_key

    strays = list(strays)
    parts = [*strays, *parts]  # a stray first: an error then names the part that repeats its id
    keys, counts = Columns(key="S16"), Counter()
    found = 0
    for part in parts:
        counting = known is not None and part not in strays
        ids = part_ids(part, items=counting)
        for chunk in iter(lambda: list(itertools.islice(ids, ID_BATCH)), []):  # itertools.batched is Python 3.12's
            if counting:
                found += sum(known.has(text, actor if isinstance(actor, str) else None)
                             for _, text, actor in chunk if isinstance(text, str))
                chunk = [item_id for item_id, _, _ in chunk]
            keys.extend(key=[id_key(item_id) for item_id in chunk if isinstance(item_id, str)])
            counts[part] += len(chunk)
    if known is not None and trained is not None:
        trained[:] = [found, sum(n for part, n in counts.items() if part not in strays)]
    ordered = np.sort(keys.arrays()["key"])
    repeated = set(ordered[1:][ordered[1:] == ordered[:-1]].tolist())
    if not repeated:
        return dict(counts)
    first: dict[str, tuple[Path, int]] = {}
    for part in parts:
        for number, item_id in enumerate(part_ids(part), start=1):
            if not isinstance(item_id, str) or id_key(item_id) not in repeated:
                continue
            if item_id in first:
                before, at = first[item_id]
                if before == part:
                    raise InputError(f"{part}: duplicate item id {item_id!r} (items {at} and {number}; {UNIQUE_IDS})")
                if before in strays:
                    raise InputError(f"{part}: item {number}'s id {item_id!r} is also item {at}'s in {before}, "
                                     "predictions in --out of no part of INPUT (a part removed since it was scored?) "
                                     "that evaluate and report would read with these; move them out of --out")
                raise InputError(f"{part}: item {number}'s id {item_id!r} is also item {at}'s in {before}; ids must be "
                                 "unique across the parts of one run (evaluate and report read --out as one file)")
            first[item_id] = (part, number)
    return dict(counts)  # digests agreed, the ids did not


def check_part_ids(ids: list, part: str) -> None:
    """A part's ids are unique, as in an items file that ``stance classify`` reads (evaluate and report refuse a
    repeated id, and a repeated id in one block would put its rows out of input order)."""
    from classifier.items import UNIQUE_IDS, first_repeated_id

    repeated = first_repeated_id((item_id, str(number)) for number, item_id in enumerate(ids, start=1))
    if repeated is not None:
        item_id, first, again = repeated
        raise InputError(f"{part}: duplicate item id {item_id!r} (items {first} and {again}; {UNIQUE_IDS})")


PROGRESS_SECONDS = 1.0  # how often the driver counts the rows the workers have written while a group is scored


def written_rows(stage: Path, seen: dict[Path, int]) -> int:
    """The prediction rows in the Parquet files the workers have finished in ``stage`` (each file's footer, read once
    and kept in ``seen``; a file still being written has no footer yet and is counted later). Ray Data has no public
    hook for a job's progress (its ExecutionCallback is in ray.data._internal; its progress bars name its operators
    and are off, see classify_parts), and the files a job writes are its output, so they are counted by hand."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    for file in stage.rglob("*.parquet"):
        if file not in seen:
            try:
                seen[file] = pq.ParquetFile(file).metadata.num_rows
            except (OSError, pa.ArrowException):  # not finished yet (or gone with the stage)
                pass
    return sum(seen.values())


@contextlib.contextmanager
def watching(stage: Path, report: Callable[[int], None] | None, every: float = PROGRESS_SECONDS) -> Iterator[None]:
    """While the block runs, a thread calls ``report(rows written in stage)`` every ``every`` seconds."""
    if report is None:
        yield
        return
    import threading

    stop, seen = threading.Event(), {}

    def poll():
        while not stop.wait(every):
            try:
                report(written_rows(stage, seen))
            except Exception:  # the bar stops where it was; the run goes on, and the group's end updates it
                return

    thread = threading.Thread(target=poll, name="ray-data-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


class Joined(NamedTuple):
    rows: int
    truncated: int         # summed from TRUNCATED_COLUMN
    spans_from: dict       # rows per spans_from value (how the mentions of an item without spans were found)


def join_part_files(folder: str, part: str = "part") -> Joined:
    """A part's Parquet files (one per block, in block order) as one file under one schema (a column all null
    in one block and text in another would stop a reader of the folder), its ids checked unique, without
    TRUNCATED_COLUMN; returns its counts. Runs as a Ray task, beside the data."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from classifier.io.files import join_parquet

    files = sorted(Path(folder).glob("*.parquet"))
    joined = Path(folder) / "predictions.parquet"
    staged = Path(folder) / ".predictions.joining"
    truncated = sum(pc.sum(pq.read_table(file, columns=[TRUNCATED_COLUMN]).column(0)).as_py() or 0 for file in files)
    join_parquet(files, staged, drop=[TRUNCATED_COLUMN])
    check_part_ids(pq.read_table(staged, columns=["id"]).column("id").to_pylist(), part)
    for file in files:
        file.unlink(missing_ok=True)
    staged.rename(joined)
    table = pq.ParquetFile(joined)
    found = {}
    if "spans_from" in table.schema_arrow.names:
        try:
            found = {entry["values"]: entry["counts"] for entry in
                     pc.value_counts(pq.read_table(joined, columns=["spans_from"]).column(0)).to_pylist()}
        except pa.ArrowException:  # an input part's own spans_from of a type Arrow cannot count (never ours)
            pass
    return Joined(table.metadata.num_rows, truncated, found)


class PartScorer:
    """One model per Ray actor; scores a pandas batch of items (JSON text with its file's path) into prediction
    rows, each with the index of its part in the group."""

    def __init__(self, model_dir: str | None, engine: str, threads: int, batch_size: int, parts: list[str]):
        import torch

        from classifier.predict.engines import load_engine

        torch.set_num_threads(threads)
        self.model = load_engine(Path(model_dir) if model_dir else None, engine, False, threads)
        self.batch_size, self.parts = batch_size, parts
        if self.model.task.needs_actor:  # a row without spans gets its actor's mentions, as in one process
            from classifier.actors import MentionFinder

            self.finder = MentionFinder()
        else:
            self.finder = None
        self.index = {Path(part).name: i for i, part in enumerate(parts)}

    @staticmethod
    def record(text: str, part: str) -> dict:
        """A JSONL line (or a Parquet row as JSON) as an item record, checked as ``stance classify`` checks a line;
        Ray gives no line numbers, so an error shows the line's start."""
        from classifier.io.files import json_object

        text = text.lstrip("\ufeff")  # a byte-order mark (Windows tools write one)
        try:
            return json_object(text, part)
        except InputError as exc:
            raise InputError(f"{exc} in the line starting {text[:40]!r}") from None

    def __call__(self, batch):
        import pandas as pd

        from classifier.items import parse_item
        from classifier.predict.batch import predict_records

        by_part: dict[int, list] = {}  # a batch may hold the end of one part and the start of the next
        for text, path in zip(batch[RECORD_COLUMN], batch["path"]):
            if not text.strip():
                continue
            index = self.index[Path(path).name]
            record = self.record(text, self.parts[index])
            if self.finder is not None:
                record = self.finder.complete(record)
            by_part.setdefault(index, []).append(parse_item(record, f"{self.parts[index]}: item {record.get('id')!r}",
                                                            need_actor=self.model.task.needs_actor))
        rows: list[dict] = []
        for index, items in by_part.items():
            out: list[dict] = []
            # a model that raises (a CUDA error, out of memory) is its line here, as an InputError: Ray Data hands
            # the driver a UserCodeException that keeps the worker's error as text only (user_error reads it)
            with model_failures(None, "the parts finished before are kept and nothing half-written is: rerun the "
                                      "same command to score the others"):
                truncated = predict_records(self.model, items, self.batch_size, out.extend)  # length-sorted batches
            position = {item.id: i for i, item in enumerate(items)}
            rows += [{**record, PART_COLUMN: index, TRUNCATED_COLUMN: truncated if i == 0 else 0}
                     for i, record in enumerate(sorted(out, key=lambda r: position[r["id"]]))]
        return pd.DataFrame.from_records(rows)


def user_error(exc: BaseException) -> str | None:
    """The message of the first InputError in an exception's chain (Ray wraps a worker's error, sometimes in a
    class that is both a RayTaskError and an InputError), or None."""
    seen, todo = set(), [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, InputError):
            text = str(current).strip().splitlines()
            return next((line for line in reversed(text) if ": " in line and "Traceback" not in line), str(current))
        todo += [getattr(current, "cause", None), current.__cause__, current.__context__]
    marker = f"{InputError.__module__}.{InputError.__qualname__}: "  # Ray keeps only the worker's traceback text
    for line in str(exc).splitlines():
        if line.strip().startswith(marker):
            return line.strip()[len(marker):]
    return None


def worker_error(exc: BaseException, out_dir: Path) -> str | None:
    """One line for a worker's failure: its InputError, or a disk error (a full disk writing OUT) said plainly
    rather than as Ray's traceback of the task; None for anything else."""
    found = user_error(exc)
    cause = getattr(exc, "cause", None)
    if found is None and isinstance(cause, OSError):
        reason = cause.strerror or (str(cause).strip().splitlines() or [type(cause).__name__])[-1]
        found = (f"{out_dir}: {reason}; the parts finished before are kept and nothing half-written is: make room "
                 "and rerun the same command")
    return found


RUN_FILE = "_run.json"  # beside a part's predictions: its model and input part ("_": Parquet readers pass it by)


def run_record(part: Path, model_id: str) -> dict:
    """What a finished part was scored from: the model (name@hash[:engine]) and its input part's size and hash."""
    from classifier.io.files import file_sha256

    return {"model": model_id, "input": part.name, "input_bytes": part.stat().st_size, "input_sha256": file_sha256(part)}


RUNS_FILE = "_parts.json"  # in OUT_DIR: each part's input SHA-256 as a run that scored them all checked its ids


def checked_digests(parts: list[Path], out_dir: Path) -> dict[str, str] | None:
    """Each part's input SHA-256 as its finished folder's ``RUN_FILE`` records it (which :func:`done_before` has
    just matched against the part's bytes), by part name; None where one cannot be read."""
    import json

    try:
        return {part.name: json.loads((out_dir / part.stem / RUN_FILE).read_text(encoding="utf-8"))["input_sha256"]
                for part in parts}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def ids_checked_before(parts: list[Path], out_dir: Path, strays: list[Path]) -> bool:
    """Whether a run that ended with every part scored checked the ids of these very parts, unchanged since: the
    same part names, each with the SHA-256 it had then (``RUNS_FILE``) and has now (its ``RUN_FILE``, which
    :func:`done_before` matched against its bytes), and no predictions in OUT of no part (``strays``, read from
    OUT, not recorded). The ids are the parts' bytes', so they are as unique as they were; reading them again took
    4 s per 200,000 JSONL items. Anything else, or a record that cannot be read, is checked again."""
    import json

    if strays:
        return False
    try:
        record = json.loads((out_dir / RUNS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    now = checked_digests(parts, out_dir)
    return isinstance(record, dict) and now is not None and record.get("parts") == now


def done_before(part: Path, folder: Path, model_id: str) -> bool:
    """Whether ``folder`` holds ``part``'s predictions from this model, which a rerun skips. Another model's, or
    those of an input part that changed since, stop the run: one output folder holds one run."""
    if not folder.is_dir():
        return False
    import json

    from classifier.io.files import file_sha256

    try:
        run = json.loads((folder / RUN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InputError(f"{folder}: predictions without {RUN_FILE} (written before 2026-12-06, or not by "
                         "--ray-data); move it out of --out or name a new --out") from None
    if run.get("model") != model_id:
        raise InputError(f"{folder}: scored by {run.get('model')!r}, not {model_id!r}; rerun with that model and "
                         "engine, or name a new --out")
    if run.get("input_bytes") != part.stat().st_size or run.get("input_sha256") != file_sha256(part):
        raise InputError(f"{folder}: scored from another version of {part} (it has changed since); move the folder "
                         "out of --out to score the part again")
    return True


def trained_in_output(parts: list[Path], out_dir: Path, known) -> tuple[int, int]:
    """(items the model trained on, items) of the parts' predictions in ``out_dir``, for a rerun that reads no part
    (``ids_checked_before``): counted from the output's text and actor columns, which are the parts' items, as a
    local rerun over a finished --out counts them from its rows; ``known``: the model's ``TrainedItems``."""
    from classifier.io.files import folder_parts

    rows = (row for part in parts for file in folder_parts(out_dir / part.stem) for row in part_ids(file, items=True))
    return known.count((text if isinstance(text, str) else "", actor if isinstance(actor, str) else None)
                       for _, text, actor in rows)


def card_label_files(listed: dict, parts: list[Path], digests: dict) -> list[str]:
    """The parts that a model's card lists among the label files it was trained on (``listed``: ``card.card_files``;
    ``card.listed_as``, the check a local run makes of its input file for a model without ``trained_items.txt``),
    each by the sha256 this run hashed it with or its run record keeps (``digests``, by part name): no part is read
    again (one whose digest is not known is hashed)."""
    from classifier.models.card import listed_as

    return [str(part) for part in parts if listed and listed_as(listed, part, digests.get(part.name)) == "label files"]


@dataclass
class PartsSummary:
    parts: int
    done: int      # parts scored in this run
    skipped: int   # parts already in OUT_DIR
    items: int     # items scored in this run
    out: Path
    truncated: int = 0       # items of this run cut to the model's window (for sentiment: sentences, per block)
    model_id: str = ""
    max_length: int = 0      # the model's window, in tokens
    spans_from: Counter = field(default_factory=Counter)  # items of this run by spans_from (None: had spans)
    strays: list[str] = field(default_factory=list)  # entries of OUT_DIR holding predictions of no part of INPUT
    trained: tuple[int, int] | None = None  # (items of INPUT's parts the model trained on, items): counted where the
    # model lists them (trained_items.txt), as the ids are read, or from OUT's rows where no part is read again
    label_files: list[str] = field(default_factory=list)  # parts of INPUT that the card of a model without that list
    # lists as label files it was trained on (``card_label_files``)


def classify_parts(input_path: str | Path, out_dir: str | Path, model_dir: str | Path | None = None, *,
                   workers: int = 2, address: str | None = None, engine: str = "torch", threads_per_worker: int = 1,
                   batch_size: int = 64, on_part: Callable[[str, int], None] | None = None,
                   on_progress: Callable[[int, int], None] | None = None) -> PartsSummary:
    """Score every part of ``input_path`` on Ray Data into ``out_dir/<part>/``; parts already done are skipped.
    ``on_part(name, items)`` as each part is done; ``on_progress(items scored, items to score)`` in this run, while a
    group is scored (every ``PROGRESS_SECONDS``, from another thread) and as each group ends. Where the model lists
    the items it trained on, the parts' items among them are counted as their ids are read, or from the output's rows
    on a rerun that reads no part (``PartsSummary.trained``)."""
    import importlib.util
    import os
    import shutil
    import tempfile

    from classifier.io.files import file_sha256, usual_modes, write_json_atomic
    from classifier.predict.engines import check_engine, load_engine
    from classifier.predict.ray import require_ray, start_ray

    check_engine(engine)  # before Ray is imported or a part read (load_engine checks it again below)
    ray = require_ray("--ray-data")
    if importlib.util.find_spec("aiohttp") is None:  # without it Ray Data's path listing fails now and then
        raise InputError("--ray-data needs aiohttp beside Ray: pip install '.[ray]' in the checkout")
    parts = input_parts(Path(input_path))
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"--out {out_dir}: a file; --ray-data writes a folder of Parquet parts")
    # a bad model stops here, not in every worker; the workers load the engine this resolved (auto, its fallback)
    loaded = load_engine(model_dir, engine, False, threads_per_worker)
    engine, model_id = loaded.engine, loaded.model_id
    todo = [p for p in parts if not done_before(p, out_dir / p.stem, model_id)]
    empty = next((part for part in todo if not holds_rows(part)), None)
    if empty is not None:  # before any scoring: found after it, it cost its whole group's work
        raise InputError(f"{empty}: no items")
    strays = stray_predictions(out_dir, parts)
    kept = sorted({file.relative_to(out_dir).parts[0] for file in strays})
    from classifier.models.card import card_files, trained_items

    known = trained_items(getattr(loaded, "path", None))
    listed = card_files(getattr(loaded, "path", None)) if known is None else {}  # a model without that list
    if not todo and ids_checked_before(parts, out_dir, strays):
        checked = checked_digests(parts, out_dir) if listed else {}  # each part's, as its run record keeps it
        return PartsSummary(len(parts), 0, len(parts), 0, out_dir, 0, model_id, loaded.max_length, strays=kept,
                            trained=trained_in_output(parts, out_dir, known) if known is not None else None,
                            label_files=card_label_files(listed, parts, checked or {}))
    # the parts' bytes as their ids are read: hashed before, so that a part changed while the run scores it is
    # recorded with the hash the check read, not the one its RUN_FILE gets, and is checked again on a rerun
    digests = {**dict.fromkeys(part.name for part in parts), **(checked_digests(
        [p for p in parts if p not in todo], out_dir) or {}), **{part.name: file_sha256(part) for part in todo}}
    on_card, trained = card_label_files(listed, parts, digests), []
    # the finished parts too: their predictions share OUT with these (and the run's items are all the parts')
    counts = check_ids_unique(parts, strays, known, trained)
    trained = tuple(trained) or None
    if not todo:  # a rerun after the last part: nothing for Ray to do, and its start costs seconds
        write_json_atomic(out_dir / RUNS_FILE, {"parts": digests})
        return PartsSummary(len(parts), 0, len(parts), 0, out_dir, 0, model_id, loaded.max_length, strays=kept,
                            trained=trained, label_files=on_card)
    # Ray Data's own log (progress, and failure notes that would bury our one-line error) unless the user asks for
    # it; its loggers are configured again at each run from this variable, so a logger's level would not hold
    os.environ.setdefault("RAY_DATA_LOG_LEVEL", "CRITICAL")
    # Ray Data (2.60) reads the footers of a Parquet group on a pool of 32 actors started for each group: 32 worker
    # processes for a few footers, seconds of each group's start on a small machine. One reads them; the variable is
    # read as the driver plans the read, so a user's own value still holds
    os.environ.setdefault(FOOTER_ACTORS, "1")
    if not ray.is_initialized():
        # one CPU beyond the model actors for the read and write tasks, which would otherwise wait for ever
        start_ray(ray, address, workers * threads_per_worker + 1)
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.execution_options.preserve_order = True  # a part's predictions in its input order
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob(".group.*.stage"):  # left by a run that was killed
        shutil.rmtree(stale, ignore_errors=True)
    scored = truncated = 0
    total = sum(counts.get(part, 0) for part in todo)
    spans_from: Counter = Counter()
    for group in part_groups(todo, workers):
        # Ray reads small files as one block, and one block goes to one actor: a group within the budget is cut into
        # blocks of BLOCK_BYTES, one block in flight per actor, so that every worker has work and none holds a queue
        # the others wait for. A bigger part (alone) streams as Ray reads it, in batches of 1,024 rows, since
        # repartitioning would first hold all of it in the object store.
        size = sum(part.stat().st_size for part in group)
        cut = size <= GROUP_BYTES * workers
        dataset = read_group(ray, group)
        if cut:
            dataset = dataset.repartition(max(4 * workers, math.ceil(size / BLOCK_BYTES)))
        dataset = dataset.map_batches(
            PartScorer, batch_format="pandas", batch_size=None if cut else 1024,
            compute=ray.data.ActorPoolStrategy(size=workers, max_tasks_in_flight_per_actor=1),
            num_cpus=threads_per_worker,
            fn_constructor_kwargs=dict(model_dir=str(model_dir) if model_dir else None, engine=engine,
                                       threads=threads_per_worker, batch_size=batch_size,
                                       parts=[str(part) for part in group]))
        stage = Path(tempfile.mkdtemp(prefix=".group.", suffix=".stage", dir=out_dir))
        try:
            try:
                with watching(stage, on_progress and (lambda rows, before=scored: on_progress(before + rows, total))):
                    dataset.write_parquet(str(stage), partition_cols=[PART_COLUMN])
            except Exception as exc:  # a worker's InputError or OSError comes back wrapped by Ray: one line
                found = worker_error(exc, out_dir)
                if found is None:
                    raise
                raise InputError(found) from None
            written = [stage / f"{PART_COLUMN}={i}" for i in range(len(group))]
            empty = next((part for part, folder in zip(group, written) if not folder.is_dir()), None)
            if empty is not None:
                raise InputError(f"{empty}: no items")
            join = ray.remote(join_part_files)
            joins = [join.remote(str(folder), str(part)) for part, folder in zip(group, written)]
            ray.wait(joins, num_returns=len(joins))  # every join ends before the stage goes, even when one fails
            try:
                counts = ray.get(joins)
            except Exception as exc:
                found = worker_error(exc, out_dir)
                if found is None:
                    raise
                raise InputError(found) from None
            for part, folder, (n, cut, found) in zip(group, written, counts):
                write_json_atomic(folder / RUN_FILE, run_record(part, model_id))
                usual_modes(folder)
                folder.rename(out_dir / part.stem)
                scored += n
                truncated += cut
                spans_from.update(found)
                if on_part:
                    on_part(part.name, n)
            if on_progress:
                on_progress(scored, total)
        finally:
            shutil.rmtree(stage, ignore_errors=True)
    write_json_atomic(out_dir / RUNS_FILE, {"parts": digests})  # every part scored, their ids checked together
    return PartsSummary(len(parts), len(todo), len(parts) - len(todo), scored, out_dir, truncated, model_id,
                        loaded.max_length, spans_from, kept, trained, on_card)
