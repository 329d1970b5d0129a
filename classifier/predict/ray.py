"""Scale-out with Ray: a pool of model actors over shards of items, journaled like a local run.

Each actor loads the model once and classifies shards (groups of whole articles); the driver
appends each finished shard to the same journal as ``classify``, so ``--resume`` works the same.
Connect to a cluster with ``address`` ("auto" or "ray://host:10001"); without one, Ray starts
locally with ``workers`` processes.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Callable, Iterable, Iterator

from classifier.errors import InputError
from classifier.items import Item, item_record
from classifier.predict.batch import ClassifySummary, InputStamp, Items, Journal, RunSpec, run_journaled

SHARD_ITEMS = 1024


def shard_by_article(items: Iterable[Item], size: int = SHARD_ITEMS) -> Iterator[list[Item]]:
    """Shards of about ``size`` items, read as a stream, cut only where the article changes (the items
    of an article, which prepare writes together, stay in one shard)."""
    current: list[Item] = []
    for _, group in itertools.groupby(items, key=lambda item: item.article or item.id):
        if current and len(current) >= size:
            yield current
            current = []
        current += group
    if current:
        yield current


def _predictor_class(ray):
    @ray.remote
    class Predictor:
        def __init__(self, model_dir: str | None, engine: str, threads: int, batch_size: int):
            import torch

            from classifier.predict.engines import load_engine

            torch.set_num_threads(threads)
            self.model = load_engine(Path(model_dir) if model_dir else None, engine, False, threads)
            self.batch_size = batch_size

        def predict(self, records: list[dict]) -> list[dict]:
            from classifier.predict.batch import predict_records

            items = [Item.model_validate(r) for r in records]
            out: list[dict] = []
            predict_records(self.model, items, self.batch_size, out.extend)
            return out

    return Predictor


def predict_on_ray(chunks: Iterator[list[Item]], journal: Journal, model_dir: Path | None, *, workers: int,
                   address: str | None, engine: str, threads_per_worker: int, batch_size: int,
                   on_progress: Callable[[int], None] | None) -> None:
    """Shards of whole articles to ``workers`` model actors, one shard in flight per actor (the input
    streams); each finished shard goes to the journal (its truncations marked, counted as the output is written)."""
    import ray
    from ray.util import ActorPool

    if not ray.is_initialized():
        start_ray(ray, address, workers * threads_per_worker)
    predictor = _predictor_class(ray).options(num_cpus=threads_per_worker)
    actors = [predictor.remote(str(model_dir) if model_dir else None, engine, threads_per_worker, batch_size)
              for _ in range(workers)]
    pool = ActorPool(actors)

    def collect() -> None:
        try:
            records = pool.get_next_unordered()
        except ray.exceptions.RayError as exc:  # a worker killed (kill -9, out of memory) or failed
            kept = "the shards scored before it are kept: rerun the same command with --resume to finish"
            raise worker_stopped(exc, kept) from None
        journal.append(records)
        if on_progress:
            on_progress(len(records))

    try:
        for shard in shard_by_article(itertools.chain.from_iterable(chunks)):
            if not pool.has_free():
                collect()
            pool.submit(lambda actor, records: actor.predict.remote(records), [item_record(i) for i in shard])
        while pool.has_next():
            collect()
    finally:
        for actor in actors:
            ray.kill(actor)


def worker_stopped(exc: BaseException, kept: str) -> InputError:
    """The line of a Ray worker's error: where its model raised (a CUDA error, out of memory: ``model_calls``
    marked it, and the mark crossed the process boundary with it), the model's line (``model_failed``); else
    that a worker stopped. ``kept``: what was kept and how to go on."""
    from classifier.errors import failed_model, model_failed

    cause = getattr(exc, "cause", None)
    mark = failed_model(cause) if isinstance(cause, BaseException) else None
    if mark is not None:
        return model_failed(mark[0], cause, kept, mark[1])
    return InputError(f"a Ray worker stopped ({worker_failure(exc)}); {kept}")


def worker_failure(exc: BaseException) -> str:
    """One line for a Ray error: the worker's own exception, or the first line of Ray's account (a dead actor)."""
    cause = getattr(exc, "cause", None)
    if isinstance(cause, BaseException):
        return f"{type(cause).__name__}: {str(cause).strip().splitlines()[-1] if str(cause).strip() else ''}"
    return next((line.strip() for line in str(exc).splitlines() if line.strip()), type(exc).__name__)


def start_ray(ray, address: str | None, cpus: int) -> None:
    """Join the cluster at ``address`` (``--ray-address``), or start a local one with ``cpus`` CPUs; a cluster
    that is not there is one line saying so, not Ray's advice about its own ``--address`` flag."""
    import logging
    import signal
    import threading

    from classifier.errors import InputError

    kwargs = {"address": address} if address else {"num_cpus": cpus}
    # Ray tells every local start that it enabled token authentication (its secure default, kept): a line of
    # stderr on each run that says nothing about this run
    logging.getLogger("ray._private.authentication").setLevel(logging.ERROR)
    from classifier.signals import STOP_SIGNALS

    held = {number: signal.getsignal(number) for number in (signal.SIGINT, *STOP_SIGNALS)}
    ours = held[signal.SIGTERM]
    try:
        ray.init(include_dashboard=False, log_to_driver=False, configure_logging=False, **kwargs)
    except SystemExit as exc:  # a kill while Ray starts meets Ray's own handler, sys.exit(15): hand it to ours
        if exc.code == signal.SIGTERM and callable(ours):
            signal.signal(signal.SIGTERM, ours)
            signal.raise_signal(signal.SIGTERM)
        raise
    except ConnectionError as exc:
        first = str(exc).split(". ")[0].rstrip(".")  # Ray goes on about its own --address flag
        raise InputError(f"--ray-address {address}: no Ray cluster there ({first}); start one "
                         "with 'ray start --head', or leave --ray-address out to start a local one") from None
    if threading.current_thread() is threading.main_thread():
        # ray.init puts sys.exit(15) on SIGTERM, and its core worker then a crash handler (a kill aborted with exit
        # 134 and a stack dump): ours again, so that a kill unwinds like Ctrl-C, keeps the journal and exits 143.
        # Ray 2.60 leaves SIGINT and SIGHUP as they were (a SIGHUP ignored by nohup stays ignored); any that a Ray
        # changes gets ours back alike
        for number, handler in held.items():
            if handler is not None and (number == signal.SIGTERM or signal.getsignal(number) is not handler):
                signal.signal(number, handler)


def require_ray(option: str = "--workers"):
    """The ray module, or one line naming the extra (checked before any model is loaded or exported)."""
    try:
        import ray
    except ImportError:
        raise InputError(f"{option} needs Ray: pip install '.[ray]' in the checkout") from None
    return ray


def classify_with_ray(items: Items, model_dir: Path | None, out: Path, *, spec: RunSpec, workers: int = 2,
                      address: str | None = None, engine: str = "torch", threads_per_worker: int = 1,
                      batch_size: int = 64, resume: bool = False, fmt: str | None = None,
                      on_progress: Callable[[int], None] | None = None,
                      on_total: Callable[[int], None] | None = None, source: str = "input",
                      overwrite: bool = False, input_stamp: InputStamp | None = None) -> ClassifySummary:
    require_ray()

    def predict(chunks: Iterator[list[Item]], journal: Journal) -> None:
        predict_on_ray(chunks, journal, model_dir, workers=workers, address=address, engine=engine,
                       threads_per_worker=threads_per_worker, batch_size=batch_size, on_progress=on_progress)

    return run_journaled(items, out, spec, predict, resume=resume, fmt=fmt, on_progress=on_progress,
                         on_total=on_total, source=source, overwrite=overwrite, input_stamp=input_stamp)
