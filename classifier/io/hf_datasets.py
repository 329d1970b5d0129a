"""Hugging Face datasets as inputs: a ``save_to_disk`` folder, read row by row, with a column mapping.

``stance classify`` and ``stance train`` (and the Python API, which takes a ``datasets.Dataset`` object)
read a dataset folder like an items table. Columns named otherwise than the item schema are mapped with
``--text-column``, ``--actor-column`` and ``--label-column``; a row without ``id`` gets its row number.
A hub name is not fetched here: ``datasets.load_dataset(NAME).save_to_disk(DIR)`` where the network
allows, then pass DIR.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from classifier.errors import InputError

MARKERS = ("dataset_info.json", "state.json", "dataset_dict.json")


def is_dataset_folder(path: str | Path) -> bool:
    path = Path(path)
    return path.is_dir() and any((path / name).exists() for name in MARKERS)


def column_map(text: str | None = None, actor: str | None = None, label: str | None = None) -> dict[str, str]:
    """Item field -> the dataset's column, for the columns named otherwise."""
    return {field: column for field, column in (("text", text), ("actor", actor), ("label", label)) if column}


def check_data_files(path: Path) -> None:
    """Refuse a dataset folder whose state.json names data files outside it (``../elsewhere.arrow``): like a corpus
    folder, a dataset folder is read from inside it only."""
    for state in (path / "state.json", *path.glob("*/state.json")):
        if not state.is_file():
            continue
        try:
            spec = json.loads(state.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            raise InputError(f"{state}: not readable JSON") from None
        entries = spec.get("_data_files") if isinstance(spec, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            name = entry.get("filename") if isinstance(entry, dict) else None
            inside = isinstance(name, str) and state.parent.resolve() in (state.parent / name).resolve().parents
            if not inside:
                raise InputError(f"{state}: data file {name!r} is outside the dataset folder; refused")


def iter_dataset(path: str | Path, columns: dict[str, str] | None = None) -> Iterator[tuple[int, dict]]:
    """(row number, record) for each row, the mapped columns renamed to the item schema's names."""
    try:
        import datasets
    except ImportError:
        raise InputError("reading a Hugging Face dataset needs datasets: pip install datasets") from None
    path = Path(path)
    check_data_files(path)
    try:
        loaded = datasets.load_from_disk(str(path))
    except (OSError, ValueError, FileNotFoundError) as exc:
        raise InputError(f"{path}: not a readable dataset folder ({type(exc).__name__})") from None
    if isinstance(loaded, datasets.DatasetDict):
        raise InputError(f"{path}: a dataset with splits ({', '.join(loaded)}); pass one split's folder, "
                         f"e.g. {path / next(iter(loaded))}")
    columns = columns or {}
    missing = [column for column in columns.values() if column not in loaded.column_names]
    if missing:
        raise InputError(f"{path}: no column {', '.join(map(repr, missing))}; it has "
                         f"{', '.join(loaded.column_names)}")
    if "text" not in columns and "text" not in loaded.column_names:
        raise InputError(f"{path}: no 'text' column; it has {', '.join(loaded.column_names)} (name the sentences' "
                         "column with --text-column, the target's with --actor-column)")
    for number, record in enumerate(dataset_records(loaded), start=1):
        for field, column in columns.items():
            record[field] = record.pop(column)
        record.setdefault("id", str(number))
        yield number, record


def dataset_records(dataset) -> Iterator[dict]:
    """A Dataset's rows as dicts (a saved folder's, ``iter_dataset``, or one given in Python: ``prepare_items``, the
    API's ``predict``), a ``ClassLabel`` column's class numbers as their names ("against", an outlet's name; -1, the
    library's "no label", or a number out of range, as None), as the dataset shows them, not as 0, 1, 2."""
    import datasets

    features = getattr(dataset, "features", None) or {}  # an IterableDataset's may be unknown
    named = {column: feature for column, feature in features.items() if isinstance(feature, datasets.ClassLabel)}
    for row in dataset:
        record = dict(row)
        for column, feature in named.items():
            code = record.get(column)
            if isinstance(code, int) and not isinstance(code, bool):
                record[column] = feature.int2str(code) if 0 <= code < feature.num_classes else None
        yield record
