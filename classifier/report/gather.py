"""What ``stance report`` keeps of a predictions file, gathered in one pass a chunk at a time.

The report never holds every prediction: each chunk of rows is reduced to its article sums (what the
framing table and the outlet tests read), its gold-labelled rows (for the correction and the
evaluation, without their text) and the candidates for each cell's example sentences, and then let go.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from pathlib import Path

import pandas as pd

from classifier.errors import InputError
from classifier.evaluate import (SCORE_COLUMNS, TEXT_COLUMNS, TONE, cluster_keys, group_values, labelled,
                                 prediction_chunks, row_hashes, trained_flags)
from classifier.report.framing import cell_frame, chunk_sums, combine_sums
from classifier.report.wire import cell_articles, chunk_texts, combine_texts, shared_copy, text_keys
from classifier.visible import numeral

EXAMPLE_COLUMNS = ("id", "text", "spans", "stance", "source", "actor", "article", "title", "date", TONE,
                   *SCORE_COLUMNS)


@dataclass
class ReportInput:
    sums: pd.DataFrame  # one row per outlet x actor x article (framing.article_sums)
    headline_sums: pd.DataFrame  # the same of the headline rows alone (kind "headline")
    body_sums: pd.DataFrame  # and of the others (body and sub-headings)
    labelled: pd.DataFrame  # the gold-labelled rows without text and spans, with their cluster
    examples: pd.DataFrame  # the k most confident favor and against rows of each cell
    models: list[str]
    n: int
    id_hashes: "np.ndarray | None" = None  # 64-bit hashes of the ids of the rows kept (a comparison matches on them)
    sentiment_models: list[str] = field(default_factory=list)  # the models behind the tone (--task both)
    item_hashes: "np.ndarray | None" = None  # 64-bit hashes of each kept row's id, text and actor, in the same order
    wire_copy: dict | None = None  # sentences outlets share word for word (wire.shared_copy)
    example_articles: dict = field(default_factory=dict)  # (outlet, actor, text key) -> articles, of the examples


class ExampleRows:
    """The ``k`` most confident favor and the ``k`` most confident against rows of every outlet x actor cell,
    kept chunk by chunk, so the report holds a few sentences per cell instead of every sentence. Ties keep
    the earlier row, as one stable sort of the whole file would; a sentence two rows of a cell share (the same
    agency text in two articles) is kept once, in its best row."""

    def __init__(self, k: int):
        self.k, self.seen, self.rows = k, 0, pd.DataFrame(columns=[*EXAMPLE_COLUMNS, "text_key"])
        self.headlines: dict[tuple, str] = {}  # (source, article) -> its headline sentence, where it has no title

    def note_headlines(self, chunk) -> None:
        """Keep the headline sentence (kind "headline", as ``prepare`` tags an article's first line) of each article
        of the chunk that has no title, for ``titled``: one short text an article, read before ``--kind`` drops it."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if "kind" not in chunk.column_names:
            return
        keep = pc.fill_null(pc.equal(chunk["kind"], "headline"), False)
        if "title" in chunk.column_names and pa.types.is_string(chunk["title"].type):  # blank or none, as
            # ``example_from`` reads it (a column of nulls alone has no text type)
            keep = pc.and_(keep, pc.fill_null(pc.equal(pc.utf8_trim_whitespace(chunk["title"]), ""), True))
        heads = chunk.filter(keep)
        for source, article, text in zip(*(heads[c].to_pylist() for c in ("source", "article", "text"))):
            if article is not None and text and text.strip():
                self.headlines.setdefault((source, article), text)

    def titled(self) -> pd.DataFrame:
        """The rows kept, each without a title given its article's headline sentence where there is one (the report
        names an example's article by it, not by its id)."""
        rows = self.rows
        if not self.headlines or not len(rows):
            return rows
        found = [self.headlines.get((s if isinstance(s, str) else None, a))
                 for s, a in zip(rows["source"], rows["article"])]
        missing = rows["title"].isna() & pd.Series([f is not None for f in found], index=rows.index)
        return rows.assign(title=rows["title"].astype(object).where(~missing, pd.Series(found, index=rows.index)))

    def __call__(self, chunk, keys: np.ndarray | None = None) -> None:
        chunk = chunk.select(list(EXAMPLE_COLUMNS)).to_pandas()
        chunk["text_key"] = text_keys(chunk["text"]) if keys is None else keys
        chunk.index = pd.RangeIndex(self.seen, self.seen + len(chunk))  # file order, for the ties
        self.seen += len(chunk)
        sides = chunk[chunk["stance"].isin(["favor", "against"])]
        pool = pd.concat([self.rows, sides]) if len(self.rows) else sides
        self.rows = pool.loc[most_confident(pool, self.k).sort_values()]


def most_confident(rows: pd.DataFrame, k: int) -> pd.Index:
    """Index of the ``k`` highest-scoring rows per cell and side (favor, against) of distinct sentences (by
    ``text_key``, :func:`wire.text_keys`, computed here where the rows lack it); earlier rows win ties."""
    cells = cell_frame(rows, ("stance", *SCORE_COLUMNS))
    cells["text_key"] = rows["text_key"] if "text_key" in rows else text_keys(rows["text"])
    chosen = []
    for side in ("favor", "against"):
        ranked = cells[cells["stance"] == side].sort_values(f"p_{side}", ascending=False, kind="stable")
        ranked = ranked.drop_duplicates(["outlet", "actor_name", "text_key"])  # its best row: the first
        chosen.append(ranked.groupby(["outlet", "actor_name"], sort=False).head(k).index)
    return chosen[0].append(chosen[1])


NAME_COLUMNS = ("source", "actor", "model", "sentiment_model")


def visible_names(table):
    """The outlet, actor and model names with control characters as visible escapes (``\\x1b``): every page,
    plot and table of the report shows these names, and an escape in them would reach a terminal or break an
    SVG. Article text keeps its characters (the spans index it); the pages escape it where they show it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from classifier.visible import shown

    for name in NAME_COLUMNS:
        column = table[name] if name in table.column_names else None
        if column is None or not pa.types.is_string(column.type) \
                or pc.all(pc.utf8_is_printable(column)).as_py() is not False:  # None: all null
            continue
        values = [None if v is None else shown(v) for v in column.to_pylist()]
        table = table.set_column(table.column_names.index(name), name, pa.array(values, pa.string()))
    return table


def gather(path: str | Path, examples: int, kind: str | None = None, wire: bool = True,
           trained: Callable | None = None) -> ReportInput:
    """Read a predictions file once (validated as ``read_predictions`` does) into what the report needs.
    ``kind``: keep only the rows of that kind (``headline``, ``subheading``, ``body``); ``wire``: count the
    sentences outlets share (:mod:`classifier.report.wire`). ``trained``: a function giving ``read_labelled``'s
    ``trained`` (an ``evaluate.TrainedLists``), called only where a gold-labelled row is read: those rows get its
    flag columns (``evaluate.trained_flags``), read before the text is dropped."""
    import pyarrow.compute as pc

    kept = ExampleRows(examples)
    tone_models: set[str] = set()
    sums, headline, body, gold, models, n, seen, hashes, kept_hashes = [], [], [], [], set(), 0, 0, [], []
    item_hashes, texts = [], []
    for table in prediction_chunks(path, hashes):
        if "stance" not in table.column_names:
            raise InputError(f"{path}: predictions of sentence sentiment alone; the report reads stance "
                             "predictions (stance classify --task stance, or --task both for tone beside stance)")
        seen += table.num_rows
        chunk_hashes = hashes[-1]
        kept.note_headlines(table)
        if kind is not None:
            keep = pc.fill_null(pc.equal(table["kind"], kind), False)
            table, chunk_hashes = table.filter(keep), chunk_hashes[np.asarray(keep)]
            if not table.num_rows:
                continue
        kept_hashes.append(chunk_hashes)
        gold_table = table.filter(pc.is_valid(table["label"])) if trained is not None else None
        flags = trained_flags(gold_table, trained()) if gold_table is not None and gold_table.num_rows else {}
        item_hashes.append(row_hashes(table, ("id", "text", "actor")))  # same id, other item?
        table = visible_names(table)
        keys = text_keys(table["text"])
        kept(table, keys)
        rows = table.drop_columns(list(TEXT_COLUMNS)).to_pandas()
        rows.index = pd.RangeIndex(n, n + len(rows))
        if wire:
            texts.append(chunk_texts(group_values(rows, "source"), group_values(rows, "actor"), rows["article"],
                                     rows.index.to_numpy(), keys))
        sums.append(chunk_sums(rows, first_row=n))
        is_headline = (rows["kind"] == "headline").to_numpy()
        headline.append(chunk_sums(rows[is_headline], first_row=None))  # row numbers from the index
        body.append(chunk_sums(rows[~is_headline], first_row=None))
        gold.append(labelled(rows).assign(**{column: values.to_numpy(zero_copy_only=False)
                                             for column, values in flags.items()}))
        models.update(str(m) for m in rows["model"].unique())
        if "sentiment_model" in rows:
            tone_models.update(str(m) for m in rows["sentiment_model"].dropna().unique())
        n += len(rows)
    if not sums:
        raise InputError(f"{path}: none of its {numeral(seen)} predictions has kind {kind!r} (prepare writes headline, "
                         "subheading and body)")
    gold = pd.concat([g for g in gold if len(g)]) if any(len(g) for g in gold) else gold[0]
    wire_copy, example_articles = None, {}
    if wire:
        texts = combine_texts(texts)
        wire_copy = shared_copy(texts)
        example_articles = cell_articles(texts, cell_frame(kept.rows, ("text_key",)))
        del texts
    # each list of chunk sums let go as soon as it is combined: the three lists and their combined tables had all
    # been held together at the end
    sums, headline, body = (combined(parts) for parts in (sums, headline, body))
    found = ReportInput(sums, headline, body, gold.assign(cluster=cluster_keys(gold)), kept.titled(), sorted(models), n,
                        np.concatenate(kept_hashes), sorted(tone_models), np.concatenate(item_hashes),
                        wire_copy, example_articles)
    release_memory(n)
    return found


def combined(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """:func:`framing.combine_sums` of ``parts``, which it empties (the caller's list no longer holds them)."""
    table = combine_sums(parts)
    parts.clear()
    return table


RELEASE_ROWS = 100_000  # predictions below which a report gives no memory back (``release_memory``)


def release_memory(rows: int) -> None:
    """Give the memory freed after reading a large file (``rows`` predictions, ``RELEASE_ROWS`` or more; below them
    there is little to give back, and the garbage collection alone cost 0.09 s a call, 0.36 s a report of 130
    predictions, as the test suite runs hundreds) back to the system: Arrow's pool (mimalloc) and the C
    heap (glibc's ``malloc_trim``; nothing where there is no glibc) keep freed pages for reuse, and the statistics
    that follow allocate through numpy, which could not reuse Arrow's. After gathering 1,000,000 predictions the
    process held 916 MB where what it kept was 215 MB; Arrow's pool gave back 252 MB and the C heap 207 MB.
    ``make_report`` calls it again after the framing table, the time view and the figures: each stage's freed
    memory, kept, had added up to a peak at the end of the report (1,194 MB at 1,000,000 predictions, 968 MB now).
    A Python built without ctypes (no libffi when it was compiled) gives back Arrow's pool alone."""
    if rows < RELEASE_ROWS:
        return
    import gc

    import pyarrow as pa

    gc.collect()
    pa.default_memory_pool().release_unused()
    try:
        import ctypes
        import ctypes.util
    except ImportError:  # "No module named '_ctypes'": the report is written all the same
        return
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        trim = getattr(libc, "malloc_trim", None)
    except OSError:
        trim = None
    if trim is not None:
        trim(0)
