"""``stance classify``: stance toward each actor in every item of a corpus, resumable."""

from __future__ import annotations

import contextlib
import functools
import tempfile
from collections import Counter
from pathlib import Path
from typing import Iterator, Optional

import typer
from rich.table import Table

from classifier import __version__
from classifier.actors import MentionFinder, actor_names, choose_catalogue, found_spans_note, term_hints
from classifier.cli.app import (ACTORS_HELP, ACTORS_ONLY_HELP, COLUMNS_HELP, DATE_ORDER_HELP, ENCODING_HELP,
                                MAX_ARTICLE_CHARS_HELP, ONLY_ACTORS_HELP, STDIN_HELP, STDOUT_HELP, WORKERS_HELP, app,
                                console, fail, handle_errors, out, progress_bar, show_progress, warn)
from classifier.cpus import usable_cpus
from classifier.errors import InputError, model_failures
from classifier.article_columns import check_columns, text_header
from classifier.ingest import MAX_ARTICLE_CHARS, check_date_order, check_not_read
from classifier.io.files import (check_not_labelled, check_regular_input, format_of, iter_table, output_format,
                                 given_name, in_place_of, output_lock, reads_once, remove_stale_temporaries,
                                 spooled_input, stdout_table, writes_stdout)
from classifier.io.hf_datasets import column_map, is_dataset_folder
from classifier.items import read_items
from classifier.labels import one_label_task
from classifier.predict.batch import (InputStamp, Items, RunSpec, StanceCounts, check_no_unfinished_run, classify,
                                      file_stamp, journal_path, predictions_model)
from classifier.predict.engines import check_engine, load_engine
from classifier.tasks import SENTIMENT, STANCE
from classifier.visible import counted, numeral, one_line

TASK_CHOICES = ("stance", "sentiment", "both")


def is_items_file(path: Path, encoding: Optional[str] = None) -> bool:
    """An items file (or a Hugging Face dataset folder) has an 'actor' field; an article table does not."""
    from classifier.ingest import refuse_article_file

    if is_dataset_folder(path):
        return True
    check_regular_input(path)  # a pipe: before its schema or first row is read (and the whole read again)
    refuse_article_file(path)
    if path.is_dir():
        return False
    if format_of(path) == "parquet":  # the schema alone; don't read the whole table twice
        import pyarrow.parquet as pq

        try:
            return "actor" in pq.read_schema(path).names
        except Exception:  # not Parquet after all: let the reader name the problem
            pass
    for _, row in iter_table(path, encoding=encoding):
        return "actor" in row
    return False


ROWS_CHOICES = ("auto", "sentences", "articles")


def has_text_rows(path: Path, encoding: Optional[str] = None) -> bool:
    """A table (not a folder) whose first row has an id and a text."""
    if path.is_dir():
        return False
    for _, row in iter_table(path, encoding=encoding):
        return "id" in row and "text" in row
    return False


def input_kind(input_path: Path, rows: str, task: str, columns: Optional[dict] = None,
               encoding: Optional[str] = None) -> str:
    """How INPUT is read: ``items`` (its rows name an actor, or a dataset folder), ``sentences`` (a table without
    actors scored row by row, for sentiment) or ``articles`` (prepared first). ``rows`` sentences or articles: as
    told. auto, under --task sentiment: by what the rows hold, not by their columns (a sentence table may carry a
    date, an article table only a source): articles when at least half of the first 200 rows hold a paragraph
    break or three sentences or more and none carries a gold label; else sentences. Either way a warning names
    the first such row. A Hugging Face dataset folder is read as items; under --task sentiment a warning says
    when most of its first rows are whole articles (``columns`` renames its columns)."""
    from classifier.segment import rows_of_several_sentences

    if is_items_file(input_path, encoding):
        if rows != "auto":
            raise InputError(f"--rows {rows}: {input_path} holds items (its rows name an actor), read as they are; "
                             "--rows is for a table without actors")
        if task == "sentiment" and is_dataset_folder(input_path):
            looked = rows_of_several_sentences(iter_table(input_path, columns))
            read, several = looked[:2]
            if mostly_articles(*looked):
                warn(f"{input_path}: {numeral(several)} of the first {numeral(read)} rows hold several sentences and "
                     "are scored whole; to score sentence by sentence, write it as a JSONL table with 'id' and "
                     "'text' fields (Dataset.to_json) and pass --rows articles")
        return "items"
    if rows == "sentences" and task != "sentiment":
        raise InputError("--rows sentences scores each row whole, which only --task sentiment does (stance needs "
                         "an actor per item)")
    if rows == "sentences" and input_path.is_dir() and not is_dataset_folder(input_path):
        raise InputError(f"--rows sentences: {input_path} is a folder of articles; name a table of sentences")
    if rows != "auto":
        return rows
    if task != "sentiment" or not has_text_rows(input_path, encoding):
        return "articles"
    looked = rows_of_several_sentences(iter_table(input_path, encoding=encoding))
    read, several, first, labelled = looked
    if mostly_articles(*looked):
        warn(f"{input_path}:{first}: {numeral(several)} of the first {numeral(read)} rows hold several sentences, so "
             "the table is read as articles: split into sentences, one item per actor named, and sentences naming no "
             "actor are not scored (--rows sentences scores each row whole instead)")
        return "articles"
    if several:  # a few long rows (or a segmenter's false split), or a labelled set: sentences
        verb = "holds several sentences and is" if several == 1 else "hold several sentences and are"
        warn(f"{input_path}:{first}: {numeral(several)} of the first {numeral(read)} rows {verb} scored "
             "whole like the others"
             + ("" if labelled else "; --rows articles splits the table into sentences instead"))
    return "sentences"


def mostly_articles(read: int, several: int, first, labelled: bool) -> bool:
    """Of ``rows_of_several_sentences``' look at a table: at least half of the rows read hold several sentences
    and none carries a gold label (a labelled set keeps every row)."""
    return bool(several) and not labelled and several * 2 >= read


def check_actors_named(wanted: set[str], given: str, catalogue, read) -> None:
    """Each --only-actors name is a catalogue actor or an actor of the items file (``read`` reads it once, only
    when some name is not catalogued): a misspelt name is an error, not a run that silently scores less."""
    unknown = wanted - {actor.name.casefold() for actor in catalogue}
    if unknown:
        unknown -= {(item.actor or "").strip().casefold() for item in read()}
    if unknown:
        names = [name.strip() for name in given.split(",") if name.strip().casefold() in unknown]
        raise InputError(f"--only-actors: {', '.join(names)} is neither in the catalogue nor an actor of the items"
                         + term_hints(catalogue, names))


def preparation_folder(out_path: Path) -> tempfile.TemporaryDirectory:
    """A hidden folder beside the output for the prepared items: on the output's disk, not in a
    $TMPDIR that may be small, and found again by ``--resume`` when a kill left it behind."""
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        return tempfile.TemporaryDirectory(prefix=f".{out_path.name}.", suffix=".prepare", dir=out_path.parent)
    except OSError as exc:
        raise InputError(f"{out_path}: cannot write ({exc.strerror or exc})") from None


def article_options_given(manifest, skip_unreadable: bool, date_order, max_chars: int,
                          prepare_workers: int = 1) -> list[str]:
    """The options for articles, which prepare reads, given away from their defaults: named where the input holds
    no articles (items, sentences, --ray-data's parts), which they would change nothing in."""
    return [name for name, value in (
        ("--manifest", manifest), ("--skip-unreadable", skip_unreadable or None), ("--date-order", date_order),
        ("--max-article-chars", None if max_chars == MAX_ARTICLE_CHARS else max_chars),
        ("--prepare-workers", None if prepare_workers == 1 else prepare_workers)) if value is not None]


def files_stamp(input_path: Path, reading: dict) -> InputStamp:
    """``InputStamp`` of an items file or a dataset folder (each file under it, by its path there) and of how it is
    read (``reading``: the options and catalogue that make items of its rows, and this package's version)."""
    def stamp() -> dict:
        files = sorted(p for p in input_path.rglob("*") if p.is_file()) if input_path.is_dir() else [input_path]
        return {"files": [[p.relative_to(input_path).as_posix() if input_path.is_dir() else p.name, file_stamp(p)]
                          for p in files], "reading": reading}
    return stamp


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of this package's own code: the version stays the same in a checkout while the code that reads items
    and finds their spans changes, and a stamp must not answer for items that code would now read otherwise."""
    import hashlib

    digest = hashlib.blake2b(digest_size=16)
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def catalogue_digest(catalogue) -> str:
    """A digest of the actors a run finds mentions with (a row without spans gets them from it)."""
    import hashlib
    import json

    text = json.dumps([actor.model_dump() for actor in catalogue], sort_keys=True, ensure_ascii=False)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


@contextlib.contextmanager
def input_items(input_path: Path, out_path: Path, resume: bool, catalogue, manifest: Optional[Path],
                quiet: bool, columns: Optional[dict] = None, task: str = "stance",
                skip_unreadable: bool = False, only_actors: Optional[str] = None, rows: str = "auto",
                encoding: Optional[str] = None, date_order: Optional[str] = None,
                max_chars: int = MAX_ARTICLE_CHARS, article_columns: Optional[str] = None,
                prepare_workers: int = 1) -> Iterator[tuple[Items, Optional[InputStamp]]]:
    """The items to classify, read afresh on each pass (never all in memory), and their ``InputStamp`` (None for
    articles, prepared afresh each run: the catalogue, options and every article would have to be stamped).
    Articles are prepared first into an items file in a hidden ``.NAME.*.prepare`` folder beside the output,
    removed when the run ends (``--resume`` removes what a kill left); one over ``max_chars`` characters is skipped
    with a warning, as prepare skips it; ``article_columns`` (``--columns``) names a table of articles' columns for
    their fields, as prepare's, in ``prepare_workers`` processes (prepare's ``--workers``). Sentiment alone needs
    no actor: ``{"id", "text"}`` rows are read as they are (``rows``: see ``input_kind``)."""
    if not input_path.exists():
        fail(f"{input_path}: no such file or folder")
    sentiment_only = task == "sentiment"
    kind = input_kind(input_path, rows, task, columns, encoding)
    if kind != "articles":
        if article_columns:  # items and sentences are read with their own names (a dataset's: --text-column)
            fail(f"{input_path}: --columns names a table of articles' columns, and this input is read as "
                 f"{'sentences' if rows == 'sentences' else 'items'}, not prepared; rename its columns (a dataset "
                 "folder's: --text-column, --actor-column, --label-column)")
        ignored = article_options_given(manifest, skip_unreadable, date_order, max_chars, prepare_workers)
        if ignored:  # said once, before a model loads: the run goes on, as they change nothing here
            warn(f"{', '.join(ignored)}: ignored, as {input_path} holds {kind} (read as they are); "
                 f"{'it is' if len(ignored) == 1 else 'they are'} for articles, which are prepared first")
        labels = None  # checked by labels.one_label_task
        # rows without spans get their mentions from the whole catalogue; --only-actors picks the rows
        full = catalogue(None)
        finder = None if sentiment_only else MentionFinder(full)
        wanted = None
        if only_actors is not None:
            wanted = {name.casefold() for name in actor_names(only_actors)}
            check_actors_named(wanted, only_actors, full,
                               lambda: read_items(input_path, need_actor=not sentiment_only, columns=columns,
                                                  allowed_labels=labels, encoding=encoding))
        passes: list[bool] = []  # none where a rerun answered from the input's stamp, without reading it
        reading = {"version": __version__, "code": code_digest(), "task": task,
                   "only_actors": None if wanted is None else sorted(wanted), "encoding": encoding, "columns": columns or None,
                   "catalogue": None if finder is None else catalogue_digest(full)}

        def items() -> Iterator:  # classify counts the items whose mentions were found, and warns (run_journaled)
            passes.append(True)
            for item in one_label_task(read_items(input_path, need_actor=not sentiment_only, columns=columns,
                                                  allowed_labels=labels, find_spans=finder, encoding=encoding),
                                       sentiment_only):
                if wanted is not None and (item.actor or "").strip().casefold() not in wanted:
                    continue
                passes[-1] = False  # an item of --only-actors was read
                yield item

        yield items, files_stamp(input_path, reading)
        if not passes:  # already scored, told by the stamps: nothing was read to warn of
            return
        if wanted is not None and passes[-1]:  # a catalogued actor this file does not hold
            warn(f"{input_path}: no item's actor is one of --only-actors {only_actors}")
        return
    if columns:  # the dataset options name an item's columns; they would be ignored here without a word
        fail(f"{input_path}: --text-column, --actor-column and --label-column name a Hugging Face dataset folder's "
             "columns, and this input holds articles to prepare; name a table of articles' columns with --columns "
             "text=COLUMN,...")
    check_no_unfinished_run(out_path, resume)  # before the corpus is prepared, not after
    # the prepared items of a run killed with -9: its journal is resumed now, or was deleted to start over
    remove_stale_temporaries(out_path, folders=(".prepare",))
    with preparation_folder(out_path) as folder:
        prepared = Path(folder) / "items.jsonl"
        try:
            from classifier.cli.prepare import prepare_to_file  # here: it loads classifier.prepare, clean, segment

            prepare_to_file(input_path, prepared, "jsonl", catalogue(only_actors), manifest, encoding, skip_unreadable,
                            quiet=quiet, date_order=date_order, max_chars=max_chars, columns=article_columns,
                            workers=prepare_workers)
        except OSError as exc:  # a full disk: the output's name, not that of our hidden folder, which goes now
            if in_place_of(exc.filename, folder, out_path) == exc.filename:
                raise
            raise InputError(f"{one_line(out_path)}: {exc.strerror or exc}, while the articles were prepared beside "
                             "it (in a hidden folder, removed); nothing was written") from None
        yield (lambda: read_items(prepared, need_actor=True)), None


SUMMARY_CELLS = 40  # outlet x actor rows printed at the end of a run


def stance_table(stances: StanceCounts, task=STANCE) -> Table:
    """Per outlet and actor: mentions that are favor / against / neutral (or, for sentiment alone,
    items that are positive / negative / neutral)."""
    labels = task.labels
    counts: dict[tuple[str, str], Counter] = {}
    for (source, actor, stance), n in stances.items():
        names = tuple("(none)" if value is None or str(value).strip() == "" else str(value) for value in (source, actor))
        counts.setdefault(names, Counter())[stance] += n
    title = "Predicted stance per outlet and actor (mentions)" if task is STANCE else \
        "Predicted sentence sentiment per outlet and actor (items)"
    unit = "mentions" if task is STANCE else "items"
    shown = counts
    if len(counts) > SUMMARY_CELLS:  # a corpus of many outlets: the busiest cells, not thousands of lines
        busiest = sorted(counts, key=lambda cell: (-sum(counts[cell].values()), cell))[:SUMMARY_CELLS]
        shown = {cell: counts[cell] for cell in busiest}
    caption = (f"the {numeral(len(shown))} of {numeral(len(counts))} outlet x actor cells with the most {unit}; every "
               "cell: stance report (framing.csv)" if len(shown) < len(counts) else None)
    table = Table(title=title, caption=caption)
    for column in ("outlet", "actor", *labels, "n"):
        table.add_column(column, justify="right" if column in labels or column == "n" else "left")
    for (source, actor), counter in sorted(shown.items(), key=lambda kv: (kv[0][0], -sum(kv[1].values()))):
        table.add_row(source, actor, *(str(counter[label]) for label in labels), str(sum(counter.values())))
    return table


def classify_with_progress(items: Items, model, out_path: Path, *, quiet: bool, workers: int = 0, **run):
    """Classify here, or with ``workers`` Ray actors, behind one progress bar with items/s."""
    with progress_bar(show_progress(quiet), with_rate=True) as progress:
        task = progress.add_task("reading items", total=None) if progress else None

        def start(total: int) -> None:  # the items resumed from the journal, counted before, are no part of the pace
            if progress:  # Ray's workers land their shards together: its pace runs from here; a local run's from
                done, now = progress.tasks[0].completed, progress.get_time()  # its first batch (the warm-up's)
                progress.reset(task, total=total, completed=done, description="classifying",
                               since=now if workers else None, base=done, at=now)

        def advance(n: int) -> None:
            if progress:
                now, bar = progress.get_time(), progress.tasks[0]
                first = "at" in bar.fields and bar.fields["since"] is None  # a local run's first batch: clock starts
                progress.update(task, advance=n, at=now, **({"since": now, "base": bar.completed + n} if first else {}))

        if workers:
            from classifier.predict.ray import classify_with_ray

            return classify_with_ray(items, out=out_path, spec=RunSpec.of(model), workers=workers,
                                     on_progress=advance, on_total=start, **run)
        return classify(items, model, out_path, on_progress=advance, on_total=start, **run)


def default_sentiment_dir() -> Path:
    from classifier.models.stance_model import default_sentiment_path

    return default_sentiment_path()


def load_zero_shot(task: str, name: str, templates, sentiment_dir, trust_remote_code: bool, device):
    """An NLI model for the task asked (with --task both: for both, unless --sentiment-model names one); on torch,
    the engine ``check_engine`` let --zero-shot run on before anything was read."""
    from classifier.models.train import check_device
    from classifier.models.zero_shot import ZeroShotModel

    torch_device = check_device(device)
    first = "sentiment" if task == "sentiment" else "stance"
    model = ZeroShotModel.load(name, task=first, templates=templates, trust_remote_code=trust_remote_code)
    model.to(torch_device)
    if task != "both":
        return model, None
    if sentiment_dir:
        sentiment = load_engine(sentiment_dir, "torch", trust_remote_code, None, device)
        if sentiment.task is not SENTIMENT:
            raise InputError(f"--sentiment-model {sentiment_dir}: a {sentiment.task.name} model, not a sentiment model")
        return model, sentiment
    return model, model.for_task("sentiment", templates)


def trained_item_lists(input_path: Path, models) -> list:
    """The models that list the items they trained on (``trained_items.txt``), as (model id, ``TrainedItems``), for
    ``count_trained`` to count the input's items among them as they are read. A model without that list is checked
    as before it: a warning here when the input is a label file its card lists by sha256."""
    from classifier.models.card import trained_items, trained_on

    listed = []
    for model in models:
        where = getattr(model, "path", None)
        known = trained_items(where)
        if known is not None:
            from classifier.models.stance_model import engine_of

            listed.append((engine_of(model.model_id)[0], known))  # the model, whatever engine scores it
        elif where is not None and input_path.is_file() and trained_on(where, input_path) == "label files":
            warn_label_file(input_path, model.model_id)
    return listed


def warn_label_file(path, model_id: str) -> None:
    """The line for an input file (or a --ray-data part) that the card of a model without ``trained_items.txt``
    lists among the label files it was trained on."""
    warn(f"{path} is a label file {model_id} was trained on (its card says so): scores on it are in-sample, and "
         "evaluate or report --gold would credit the model with items it learnt; score it on labels it never saw "
         "(items from other articles, as 'stance train --test' holds out)")


def warn_trained(input_path: Path, found: int, total: int, model_id: str) -> None:
    """The one line after a run whose items the model partly trained on (none: nothing said)."""
    from classifier.models.card import in_sample_words

    if found:
        warn(f"{input_path}: {in_sample_words(found, total, model_id)}: evaluate or report --gold on these "
             "predictions credits the model with items it learnt")


def tally_trained(rows, listed: list, counts: list, pair):
    """``rows`` as they come, counting how many of them each model of ``listed`` trained on (``pair``: a row's
    text and actor): ``counts`` receives (model id, found, rows) once they end."""
    found, total = [0] * len(listed), 0
    for row in rows:
        total += 1
        text, actor = pair(row)
        for k, (_, known) in enumerate(listed):
            found[k] += known.has(text, actor)
        yield row
    counts[:] = [(model, n, total) for (model, _), n in zip(listed, found)]


def count_trained(items, listed: list, counts: list):
    """``items`` (a function that reads them afresh) counting, on its first whole pass, how many items each model of
    ``listed`` trained on: ``counts`` receives (model id, found, items) once that pass ends; later passes are not
    counted (a set lookup of a 16-digit sha256 key per item, on one pass of the several a run makes)."""
    def source():
        if counts:
            yield from items()
            return
        yield from tally_trained(items(), listed, counts, lambda item: (item.text, item.actor))
    return source


def count_trained_in_output(out_path: Path, fmt: str, listed: list, counts: list) -> None:
    """For a run that found ``--out`` already scored without a pass over the input (its fingerprint's stamp
    answered): the items each model of ``listed`` trained on counted from the output's rows, which are the input's
    items (text and actor as they were read), into ``counts`` as the first run's pass counted them; a read of the
    output, where the input may be articles to prepare again."""
    from collections import deque

    from classifier.predict.batch import output_rows

    records = (record for _, record in output_rows(out_path, fmt))
    deque(tally_trained(records, listed, counts, lambda record: (record.get("text"), record.get("actor"))), maxlen=0)


def load_task_models(task: str, model_dir, sentiment_dir, engine: str, trust_remote_code: bool, threads, device,
                     zero_shot: str | None = None, templates=None):
    """(the model whose task leads the output, the sentiment model written beside it or None), each checked
    to be a model of the task it is used for. ``zero_shot``: an NLI model and hypotheses instead."""
    if zero_shot:
        return load_zero_shot(task, zero_shot, templates, sentiment_dir, trust_remote_code, device)
    def load(path, expected):
        model = load_engine(path, engine, trust_remote_code, threads, device)
        if model.task is not expected:
            option = "--model" if expected is STANCE else "--sentiment-model" if task == "both" else \
                "--model/--sentiment-model"
            raise InputError(f"{option} {path or model.path}: a {model.task.name} model, not a {expected.name} model"
                             + ("; for sentence sentiment pass --task sentiment" if expected is STANCE else ""))
        return model

    if task == "sentiment":
        return load(sentiment_dir or default_sentiment_dir(), SENTIMENT), None
    stance = load(model_dir, STANCE)
    return stance, load(sentiment_dir or default_sentiment_dir(), SENTIMENT) if task == "both" else None


def kept_for_resume(out_path: Path, then: str) -> str:
    """What a run that stopped part way (a kill, a model that failed) left: "what was scored is kept: rerun the same
    command with --resume to THEN" where its journal holds the batches scored, else that nothing was written."""
    journal = journal_path(out_path)
    if journal.exists():
        return f"what was scored is kept in {one_line(journal)}: rerun the same command with --resume to {then}"
    return f"nothing was written to {one_line(out_path)}"


def classify_on_ray_data(input_path: Path, out_dir: Path, task: str, model_dir, sentiment_dir, workers: int,
                         address, engine: str, threads, batch_size: int, quiet: bool, resume: bool = False) -> None:
    """``--ray-data``: parts in, a folder of Parquet parts out, resumable by part: every rerun skips the parts
    finished before (there is no journal), so ``--resume`` asks for nothing more; it warns when there is no
    finished part to skip, as a local run warns when there is no journal."""
    from classifier.predict.ray_data import RUN_FILE, classify_parts

    if task == "both":
        fail("--ray-data scores one task per run: run --task stance and --task sentiment separately")
    chosen = (sentiment_dir or default_sentiment_dir()) if task == "sentiment" else model_dir
    if chosen is not None:  # the workers load it by path: its task is checked here, as a local run checks it
        from classifier.models.stance_model import saved_task

        found = saved_task(Path(chosen))
        if found is not None and found != task:
            fail(f"{chosen}: a {found} model, not a {task} model")
    if out_dir.suffix.lower() in (".jsonl", ".ndjson", ".json", ".csv", ".parquet"):
        fail(f"--out {out_dir}: --ray-data writes a folder of Parquet parts; name a folder")
    if task == "stance":  # a part of articles: said here, not by a worker after Ray's start (35 s on 2 loaded cores)
        from classifier.predict.ray_data import input_parts

        for part in input_parts(input_path):
            try:
                articles = not is_items_file(part) and has_text_rows(part)
            except (InputError, OSError, ValueError):  # an unreadable part: named by the parts' own checks below
                articles = False
            if articles:
                fail(f"{part}: articles (id and text, no actor), and --ray-data scores prepared items: prepare each "
                     f"part first (stance prepare {part} --out ITEMS/{part.stem}.jsonl) and give it ITEMS/")

    if resume and not any(out_dir.glob(f"*/{RUN_FILE}")):
        warn(f"--resume: no finished part in {out_dir}; every part is scored")

    def done(name: str, n: int) -> None:
        if not quiet:
            console.print(f"{one_line(name)}: {counted(n, 'item')} scored", highlight=False)  # a part's file name: one line

    with progress_bar(show_progress(quiet), with_rate=True) as progress:  # as a local run's, from the rows written
        task = progress.add_task("classifying", total=None) if progress else None

        def advance(scored: int, total: int) -> None:  # this run's items, paced from the first rows written (Ray's
            now = progress.get_time()                  # start-up and the workers' model loads left out)
            first = {"since": now, "base": scored} if scored and "since" not in progress.tasks[0].fields else {}
            progress.update(task, completed=scored, total=total, at=now, **first)

        summary = classify_parts(input_path, out_dir, chosen, workers=workers, address=address, engine=engine,
                                 threads_per_worker=max(1, threads or 1), batch_size=batch_size, on_part=done,
                                 on_progress=advance if progress else None)
    note = found_spans_note(summary.spans_from, summary.items)  # as a local run warns (of this run's items)
    if note:
        warn(note)
    if summary.trained:  # over every part of INPUT: as the parts' ids were read, or from OUT's rows on a rerun
        from classifier.models.stance_model import engine_of

        warn_trained(input_path, *summary.trained, engine_of(summary.model_id)[0])
    for part in summary.label_files:  # a model without that list: its card's label files, by each part's sha256
        warn_label_file(part, summary.model_id)
    if summary.strays:  # read by evaluate and report with the rest: its ids were checked with the parts'
        more = f" and {len(summary.strays) - 3} more" if len(summary.strays) > 3 else ""
        warn(f"{summary.out} also holds {', '.join(summary.strays[:3])}{more}: predictions of no part of INPUT (a "
             "part removed since it was scored?), kept; evaluate and report read them with the rest (their ids "
             "were checked with the parts')")
    if quiet:
        return
    parts = (f"{summary.parts} part{'s' if summary.parts != 1 else ''} -> {one_line(summary.out)} with "
             f"{summary.model_id}")
    if not summary.done:  # Ray was not started
        console.print(f"{parts}: every part was scored before, nothing to do", highlight=False)
        return
    console.print(f"{parts}: {numeral(summary.done)} scored ({numeral(summary.items)} items), "
                  f"{numeral(summary.skipped)} already done; {numeral(summary.truncated)} truncated to "
                  f"{summary.max_length} tokens", highlight=False)


@app.command("classify")
@handle_errors
def classify_command(
    input_path: Path = typer.Argument(..., metavar="INPUT", help="Items file (.jsonl/.csv/.parquet with text, actor, spans; .jsonl/.csv may be .gz, .bz2, .xz or .zst compressed) or articles (folder or table) to prepare first." + STDIN_HELP),
    out_path: Path = typer.Option(..., "--out", "-o", help="Predictions file (.jsonl, .csv or .parquet)." + STDOUT_HELP),
    model_dir: Optional[Path] = typer.Option(None, "--model", "-m", help="Model directory: the stance model (default: models/default), or with --task sentiment the sentiment model."),
    task: str = typer.Option("stance", "--task", help="stance (toward each item's actor), sentiment (of each sentence, once per sentence; items need no actor) or both (stance per item, the sentence's sentiment beside it)."),
    sentiment_model_dir: Optional[Path] = typer.Option(None, "--sentiment-model", help="Sentence-sentiment model for --task sentiment or both (default: models/sentiment)."),
    zero_shot: Optional[str] = typer.Option(None, "--zero-shot", help="Score through an NLI model instead (a folder or a Hugging Face name, e.g. MoritzLaurer/deberta-v3-base-zeroshot-v2.0): one hypothesis per label, see --templates."),
    templates: Optional[Path] = typer.Option(None, "--templates", help="With --zero-shot: YAML of hypotheses per task and label (default: the package's zero_shot.yaml)."),
    batch_size: int = typer.Option(64, "--batch-size", min=1, help="Items per forward pass."),
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted run from its journal (--ray-data keeps none: it skips the parts already in --out, as any rerun does)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace finished predictions already in --out (they stay as they are until the new file is written). Without it, predictions of this model on these items are kept (nothing to do) and any others are refused before scoring."),
    threads: Optional[int] = typer.Option(None, "--threads", min=1, help="CPU threads for torch and ONNX Runtime (default: every core this process may use, within a container's CPU quota; ONNX Runtime without a quota: its own; with --workers or --ray-data: per worker, default 1)."),
    actors: Optional[Path] = typer.Option(None, "--actors", help="When INPUT holds articles, or items without spans: " + ACTORS_HELP),
    actors_only: Optional[Path] = typer.Option(None, "--actors-only", help="When INPUT holds articles, or items without spans: " + ACTORS_ONLY_HELP),
    only_actors: Optional[str] = typer.Option(None, "--only-actors", help=ONLY_ACTORS_HELP + " For an items file: score only its items of these actors."),
    manifest: Optional[Path] = typer.Option(None, "--manifest", help="Manifest, when INPUT is an article folder."),
    encoding: Optional[str] = typer.Option(None, "--encoding", help=ENCODING_HELP + " Also an items table's."),
    skip_unreadable: bool = typer.Option(False, "--skip-unreadable", help="When INPUT is an article folder: skip the files that cannot be read, with a warning each, instead of stopping at the first (as for prepare)."),
    date_order: Optional[str] = typer.Option(None, "--date-order", help="When INPUT holds articles: " + DATE_ORDER_HELP),
    max_article_chars: int = typer.Option(MAX_ARTICLE_CHARS, "--max-article-chars", min=1, help="When INPUT holds articles: " + MAX_ARTICLE_CHARS_HELP),
    article_columns: Optional[str] = typer.Option(None, "--columns", help=COLUMNS_HELP),
    prepare_workers: int = typer.Option(1, "--prepare-workers", min=0, help="When INPUT holds articles: " + WORKERS_HELP),
    rows: str = typer.Option("auto", "--rows", help="A table without actors: sentences (--task sentiment scores each row whole), articles (split into sentences, one item per actor named) or auto (for --task sentiment: articles when half of the first 200 rows hold several sentences and none has a gold label, else sentences, with a warning naming the first long row)."),
    fmt: Optional[str] = typer.Option(None, "--format", help="jsonl, csv or parquet (default: from --out)."),
    engine: str = typer.Option("auto", "--engine", help="auto (onnx when the \\[onnx] extra is installed and the run is on the CPU, else torch), torch, onnx (ONNX Runtime fp32: torch's scores to 1e-4) or onnx-int8 (int8 with one scale per token: fastest, scores independent of the batch, about 0.4 points lower on the benchmark suite)."),
    workers: int = typer.Option(0, "--workers", min=0, help="Scale out with Ray: this many model workers (0: run in this process)."),
    ray_data: bool = typer.Option(False, "--ray-data", help="INPUT is an items file or a folder of .parquet/.jsonl parts on shared storage: Ray Data workers score each part and write OUT/<part>/ as Parquet; a rerun skips finished parts (use with --workers and --ray-address)."),
    ray_address: Optional[str] = typer.Option(None, "--ray-address", help="Ray cluster to use with --workers ('auto' or ray://host:10001; default: start Ray locally)."),
    device: str = typer.Option("cpu", "--device", help="torch engine: cpu, cuda or auto (cuda when torch sees one)."),
    trust_remote_code: bool = typer.Option(False, "--trust-remote-code", help="Allow a model's own Python code to run (only for models you trust)."),
    text_column: Optional[str] = typer.Option(None, "--text-column", help="A Hugging Face dataset folder's column holding the text."),
    actor_column: Optional[str] = typer.Option(None, "--actor-column", help="A Hugging Face dataset folder's column holding the actor (target)."),
    label_column: Optional[str] = typer.Option(None, "--label-column", help="A Hugging Face dataset folder's column holding a gold label (favor/against/neutral)."),
    summary: bool = typer.Option(True, "--summary/--no-summary", help="Print counts per outlet and actor."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar, counts table or closing line: only warnings and errors."),
) -> None:
    """Score the stance (favor / against / neutral, with probabilities) of each item toward its actor.

    Example: stance classify seeds/ --out out/predictions.jsonl
    """
    if zero_shot is not None and not zero_shot.strip():  # an unset $VAR: not a silent run of the fine-tuned model
        fail("--zero-shot: empty; name an NLI model folder or a Hugging Face name")
    engine = "torch" if zero_shot and engine == "auto" else engine  # auto is resolved where a model loads
    if task == "sentiment" and model_dir:  # the model of the task asked: a sentiment model under either option
        if zero_shot:
            fail("--zero-shot and --model both name the model of --task sentiment; pass one")
        if sentiment_model_dir:
            fail("--model and --sentiment-model both name the model of --task sentiment; pass one")
        model_dir, sentiment_model_dir = None, model_dir  # (checked to be one below)
    if task == "sentiment" and zero_shot and sentiment_model_dir:  # the NLI model would score it, silently
        fail("--zero-shot and --sentiment-model both name the model of --task sentiment; pass one")
    if task == "stance" and sentiment_model_dir:  # it would be ignored
        fail("--sentiment-model is for --task sentiment or both; --task stance scores with --model only")
    if ray_data:
        if zero_shot:
            fail("--zero-shot runs in one process; run without --ray-data")
        if task not in TASK_CHOICES:
            fail(f"--task {task}: expected one of {', '.join(TASK_CHOICES)}")
        check_engine(engine)  # as a local run, before Ray is imported or a part read (--device is refused below)
        if rows != "auto":
            fail(f"--rows {rows}: Ray Data workers score items or parts as they are; prepare articles first "
                 "(stance prepare), or run without --ray-data")
        given = [name for name, value in (("--actors", actors), ("--actors-only", actors_only),
                                          ("--only-actors", only_actors), ("--encoding", encoding)) if value is not None]
        if given:
            fail(f"{', '.join(given)}: not passed to Ray Data workers, which read UTF-8 parts and find missing spans "
                 "with the bundled catalogue; prepare the items with them first, or run without --ray-data")
        ignored = [name for name, value in (
            ("--format", fmt), ("--device", None if device == "cpu" else device),
            ("--trust-remote-code", trust_remote_code or None), ("--templates", templates)) if value is not None]
        ignored += article_options_given(manifest, skip_unreadable, date_order, max_article_chars, prepare_workers)
        ignored += [name for name, value in (
            ("--columns", article_columns), ("--text-column", text_column), ("--actor-column", actor_column),
            ("--label-column", label_column)) if value is not None]
        if overwrite:
            fail("--overwrite: --ray-data never replaces a finished part (a rerun skips this model's parts and refuses "
                 "another's); move them out of --out or name a new --out")
        if ignored:
            fail(f"{', '.join(ignored)}: not for --ray-data, whose CPU workers read items parts (not articles or "
                 "dataset folders) and write Parquet parts; run without --ray-data")
        check_not_read(out_path, input_path, manifest, actors, actors_only)
        if reads_once(input_path):
            fail(f"{input_path}: --ray-data's workers read INPUT by its path, on any machine of the cluster, and "
                 "standard input or a pipe has none; save it to a file they can all read and give that")
        with output_lock(out_path, "stance classify"):
            return classify_on_ray_data(input_path, out_path, task, model_dir, sentiment_model_dir, workers or 2,
                                        ray_address, engine, threads, batch_size, quiet, resume)
    if ray_address and not workers:  # it would run here, on one machine, without a word
        fail(f"--ray-address {ray_address}: pass --workers N to run on that cluster (or --ray-data)")
    to_stdout = writes_stdout(out_path)
    with stdout_table(out_path, fmt, {"--resume": resume, "--overwrite": overwrite}) as (out_path, fmt):
        fmt = output_format(out_path, fmt)
        check_not_read(out_path, input_path, manifest, actors, actors_only)
        check_not_labelled(out_path)
        date_order = check_date_order(date_order)  # before a model loads or a corpus is read
        check_columns(article_columns, input_path)
        if workers and trust_remote_code:
            fail("--trust-remote-code is not passed to Ray workers; run without --workers")
        if workers and device != "cpu":
            fail(f"--device {device} is not passed to Ray workers; run without --workers")
        if task not in TASK_CHOICES:
            fail(f"--task {task}: expected one of {', '.join(TASK_CHOICES)}")
        if zero_shot and model_dir:
            fail("--zero-shot and --model both name the stance model; pass one")
        if templates and not zero_shot:
            fail("--templates is for --zero-shot MODEL")
        if zero_shot and workers:
            fail("--zero-shot runs in one process; run without --workers")
        if workers and task == "both":
            fail("--task both runs in one process (sentiment is shared between a sentence's items); run without "
                 "--workers, or run --task stance and --task sentiment separately")
        if rows not in ROWS_CHOICES:
            fail(f"--rows {rows}: expected one of {', '.join(ROWS_CHOICES)}")
        # its names and their pairing (--zero-shot's too); whether torch sees CUDA is told as a model loads
        check_engine(engine, device, zero_shot=bool(zero_shot))
        import torch  # after the options' checks above: a refusal of them does not wait for torch (seconds cold)

        torch.set_num_threads(threads or usable_cpus())  # ONNX Runtime: predict.onnx.session_threads
        if workers:
            from classifier.predict.ray import require_ray

            require_ray()
        # "-" or a pipe: saved, read as a file (every pass, --resume's too), told by its content
        input_path = spooled_input(input_path, *text_header(article_columns, input_path), encoding)
        # read for articles, and for rows without spans
        catalogue = lambda only: choose_catalogue(actors, actors_only, only)  # noqa: E731
        columns = column_map(text_column, actor_column, label_column)
        try:
            with output_lock(out_path, "stance classify"), \
                    input_items(input_path, out_path, resume, catalogue, manifest, quiet, columns, task,
                                skip_unreadable, only_actors, rows, encoding, date_order, max_article_chars,
                                article_columns, prepare_workers) as (items, stamp):
                finished = not overwrite and predictions_model(out_path, fmt) is not None  # kept, or refused: below
                if resume and not journal_path(out_path).exists() and not finished:
                    warn(f"--resume: no unfinished run beside {out_path} (no journal); every item is scored")
                model, sentiment = load_task_models(task, model_dir, sentiment_model_dir, engine, trust_remote_code,
                                                    threads, device, zero_shot, templates)
                listed, trained_counts = trained_item_lists(input_path, [model, sentiment]), []
                if listed:
                    items = count_trained(items, listed, trained_counts)
                run = dict(batch_size=batch_size, resume=resume, fmt=fmt, source=str(input_path),
                           overwrite=overwrite, input_stamp=stamp)
                if workers:
                    run |= dict(model_dir=(sentiment_model_dir or default_sentiment_dir() if task == "sentiment"
                                           else model_dir),
                                workers=workers, address=ray_address, engine=model.engine,
                                threads_per_worker=max(1, threads or 1))
                elif sentiment is not None:
                    run |= dict(sentiment_model=sentiment)
                # a model that raises mid-run (a CUDA error, out of memory): one line, the journal kept for --resume
                # (--out -: its journal goes with the temporary folder)
                with model_failures(None, lambda: "nothing was written to standard output" if to_stdout
                                    else kept_for_resume(out_path, "continue from there")):
                    result = classify_with_progress(items, model, out_path, quiet=quiet, **run)
                if result.already and listed and not trained_counts:  # the input not read: counted from --out
                    count_trained_in_output(out_path, fmt, listed, trained_counts)
        except KeyboardInterrupt:  # Ctrl-C or kill: handle_errors then says so and exits 130 or 143
            # not when stopped before the first batch (a model still loading), nor --out -: its journal goes too
            if journal_path(out_path).exists() and not to_stdout:
                console.print(kept_for_resume(out_path, f"finish {one_line(out_path)}"))
            raise
        for model_id, found, total in trained_counts:
            warn_trained(input_path, found, total, model_id)
        if result.already:
            if not quiet:  # as --ray-data's rerun of finished parts
                console.print(f"--out {one_line(result.out)}: already scored, nothing to do "
                              f"({counted(result.items, 'item')} with "
                              f"{model.model_id}"
                              f"{f' (sentiment: {sentiment.model_id})' if sentiment is not None else ''}; --overwrite "
                              "scores them again)", highlight=False)
            return
        if summary and not quiet:
            out.print(stance_table(result.counts, model.task))
        if not quiet:
            console.print(
                f"{counted(result.items, 'item')} -> {one_line(given_name(result.out))} with {model.model_id}"
                f"{f' (sentiment: {sentiment.model_id})' if sentiment is not None else ''}; "
                f"{numeral(result.predicted)} predicted"
                f"{f', {numeral(result.resumed)} resumed' if result.resumed else ''}; {numeral(result.truncated)} "
                f"truncated to {model.max_length} tokens"
                + (f" by the stance model, {counted(result.sentiment_truncated, 'sentence')} to "
                   f"{sentiment.max_length} by the sentiment model"
                   if sentiment is not None else "")
                + (f" (of the items scored since: the journal's lines of {numeral(result.unmarked)} resumed items, "
                   "written before 2026-12-07, do not say which were cut)" if result.unmarked else "")
                + f"; {result.seconds:.1f} s"
                + (f" ({result.items_per_second:.0f} items/s)" if result.predicted else ""), highlight=False)
