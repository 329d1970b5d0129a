"""Corpora on shared disk or object storage: Ray Data reads each part, a pool of model actors scores it,
and each part's predictions are written as Parquet by the workers; nothing passes through the driver.

``classify_parts(INPUT, OUT_DIR, ...)``: INPUT is one items file or a folder of them (``.parquet`` or
``.jsonl``, each a *part*); OUT_DIR gets one folder of Parquet files per part (``OUT_DIR/<part>/``), built in a
hidden stage and renamed into place when the part is done. A rerun skips the parts already there, so a run
stopped anywhere resumes at the granularity of parts. The predictions are those of ``stance classify``
(same fields, same model id); ``pyarrow.dataset.dataset(OUT_DIR)`` or pandas reads them back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from classifier.errors import InputError

PART_SUFFIXES = (".parquet", ".jsonl")


def input_parts(path: Path) -> list[Path]:
    """The parts of INPUT: the file itself, or the .parquet / .jsonl files of a folder, in name order."""
    path = Path(path)
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


def plain(value):
    """A Ray Data cell as the item schema wants it: NaN as None, numpy arrays as lists."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "tolist"):
        return plain(value.tolist())
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


class PartScorer:
    """One model per Ray actor; scores a pandas batch of items into prediction rows."""

    def __init__(self, model_dir: str | None, engine: str, threads: int, batch_size: int, part: str):
        import torch

        from classifier.predict.engines import load_engine

        torch.set_num_threads(threads)
        self.model = load_engine(Path(model_dir) if model_dir else None, engine, False, threads)
        self.batch_size, self.part = batch_size, part

    def __call__(self, batch):
        import pandas as pd

        from classifier.items import parse_item
        from classifier.predict.batch import predict_records

        items = []
        for record in batch.to_dict("records"):
            record = {key: plain(value) for key, value in record.items()}
            items.append(parse_item(record, f"{self.part}: item {record.get('id')!r}",
                                    need_actor=self.model.task.needs_actor))
        out: list[dict] = []
        predict_records(self.model, items, self.batch_size, out.extend)  # length-sorted batches
        position = {item.id: i for i, item in enumerate(items)}
        return pd.DataFrame.from_records(sorted(out, key=lambda record: position[record["id"]]))


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


@dataclass
class PartsSummary:
    parts: int
    done: int      # parts scored in this run
    skipped: int   # parts already in OUT_DIR
    items: int     # items scored in this run
    out: Path


def classify_parts(input_path: str | Path, out_dir: str | Path, model_dir: str | Path | None = None, *,
                   workers: int = 2, address: str | None = None, engine: str = "torch", threads_per_worker: int = 1,
                   batch_size: int = 64, on_part: Callable[[str, int], None] | None = None) -> PartsSummary:
    """Score every part of ``input_path`` on Ray Data into ``out_dir/<part>/``; parts already done are skipped."""
    from classifier.io.files import staged_folder
    from classifier.predict.ray import require_ray

    ray = require_ray("--ray-data")
    from classifier.predict.engines import load_engine

    parts = input_parts(Path(input_path))
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"--out {out_dir}: a file; --ray-data writes a folder of Parquet parts")
    load_engine(model_dir, engine, False, threads_per_worker)  # a bad model stops here, not in every worker
    todo = [p for p in parts if not (out_dir / p.stem).is_dir()]
    if not ray.is_initialized():
        # one CPU beyond the model actors for the read and write tasks, which would otherwise wait for ever
        kwargs = {"address": address} if address else {"num_cpus": workers * threads_per_worker + 1}
        ray.init(include_dashboard=False, log_to_driver=False, configure_logging=False, **kwargs)
    import logging

    logging.getLogger("ray.data").setLevel(logging.CRITICAL)  # its failure notes would bury our one-line error
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.execution_options.preserve_order = True  # a part's predictions in its input order
    scored = 0
    for part in todo:
        reader = ray.data.read_parquet if part.suffix == ".parquet" else ray.data.read_json
        dataset = reader(str(part.absolute())).map_batches(
            PartScorer, batch_format="pandas", batch_size=1024, compute=ray.data.ActorPoolStrategy(size=workers),
            num_cpus=threads_per_worker,
            fn_constructor_kwargs=dict(model_dir=str(model_dir) if model_dir else None, engine=engine,
                                       threads=threads_per_worker, batch_size=batch_size, part=str(part)))
        try:
            with staged_folder(out_dir / part.stem) as stage:
                dataset.write_parquet(str(stage))
                count = sum(1 for _ in stage.glob("*.parquet"))
                if not count:
                    raise InputError(f"{part}: no items")
        except InputError:
            raise
        except Exception as exc:  # a worker's InputError comes back wrapped by Ray: name it in one line
            found = user_error(exc)
            if found is None:
                raise
            raise InputError(found) from None
        import pyarrow.dataset as pds

        n = pds.dataset(str(out_dir / part.stem)).count_rows()
        scored += n
        if on_part:
            on_part(part.name, n)
    return PartsSummary(len(parts), len(todo), len(parts) - len(todo), scored, out_dir)
