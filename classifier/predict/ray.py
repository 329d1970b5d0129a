"""Scale-out with Ray: a pool of model actors over shards of items, journaled like a local run.

Each actor loads the model once and classifies shards (groups of whole articles); the driver
appends each finished shard to the same journal as ``classify``, so ``--resume`` works the same.
Connect to a cluster with ``address`` ("auto" or "ray://host:10001"); without one, Ray starts
locally with ``workers`` processes.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Sequence

from classifier.errors import InputError
from classifier.items import Item, item_record
from classifier.predict.batch import ClassifySummary, Journal

SHARD_ITEMS = 1024


def shard_by_article(items: Sequence[Item], size: int = SHARD_ITEMS) -> list[list[Item]]:
    """Shards of about ``size`` items that never split an article."""
    by_article: dict[str, list[Item]] = {}
    for item in items:
        by_article.setdefault(item.article or item.id, []).append(item)
    shards, current = [], []
    for group in by_article.values():
        if current and len(current) + len(group) > size:
            shards.append(current)
            current = []
        current += group
    if current:
        shards.append(current)
    return shards


def _predictor_class(ray):
    @ray.remote
    class Predictor:
        def __init__(self, model_dir: str | None, engine: str, threads: int, batch_size: int):
            import torch

            from classifier.cli.classify import load_engine

            torch.set_num_threads(threads)
            self.model = load_engine(Path(model_dir) if model_dir else None, engine, False, threads)
            self.batch_size = batch_size

        def predict(self, records: list[dict]) -> tuple[list[dict], int]:
            from classifier.predict.batch import predict_records

            items = [Item.model_validate(r) for r in records]
            out: list[dict] = []
            truncated = predict_records(self.model, items, self.batch_size, out.extend)
            return out, truncated

    return Predictor


def predict_on_ray(todo: Sequence[Item], journal: Journal, model_dir: Path | None, *, workers: int,
                   address: str | None, engine: str, threads_per_worker: int, batch_size: int,
                   on_progress: Callable[[int], None] | None) -> int:
    """Shards of whole articles to ``workers`` model actors; each finished shard goes to the journal.
    Returns the truncation count."""
    import ray
    from ray.util import ActorPool

    if not ray.is_initialized():
        kwargs = {"address": address} if address else {"num_cpus": workers * threads_per_worker}
        ray.init(include_dashboard=False, log_to_driver=False, configure_logging=False, **kwargs)
    predictor = _predictor_class(ray).options(num_cpus=threads_per_worker)
    actors = [predictor.remote(str(model_dir) if model_dir else None, engine, threads_per_worker, batch_size)
              for _ in range(workers)]
    pool, truncated = ActorPool(actors), 0
    shards = [[item_record(i) for i in shard] for shard in shard_by_article(todo)]
    for records, shard_truncated in pool.map_unordered(lambda actor, shard: actor.predict.remote(shard), shards):
        journal.append(records)
        truncated += shard_truncated
        if on_progress:
            on_progress(len(records))
    for actor in actors:
        ray.kill(actor)
    return truncated


def classify_with_ray(items: Sequence[Item], model_dir: Path | None, out: Path, *, model_id: str, workers: int = 2,
                      address: str | None = None, engine: str = "torch", threads_per_worker: int = 1,
                      batch_size: int = 64, resume: bool = False, fmt: str | None = None,
                      on_progress: Callable[[int], None] | None = None, source: str = "input") -> ClassifySummary:
    try:
        import ray  # noqa: F401
    except ImportError:
        raise InputError("--workers needs Ray: pip install 'stance-classifier[ray]'") from None
    journal = Journal(out, items, resume, model_id, source)
    todo = journal.todo(items)
    if on_progress and journal.resumed:
        on_progress(journal.resumed)
    started = time.perf_counter()
    try:
        truncated = predict_on_ray(todo, journal, model_dir, workers=workers, address=address,
                                   engine=engine, threads_per_worker=threads_per_worker, batch_size=batch_size,
                                   on_progress=on_progress) if todo else 0
    except BaseException:
        journal.abandon()
        raise
    seconds = time.perf_counter() - started
    records = journal.finish(items, fmt)
    return ClassifySummary(len(items), len(todo), journal.resumed, truncated, seconds, Path(out), records)
