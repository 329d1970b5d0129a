"""The one item schema every stage reads and writes.

An item is one (sentence, actor) pair: ``{"id", "text", "actor", "spans", "label", "source",
"article", ...}``, the format of the shared benchmark data. Extra fields pass through untouched.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Iterable, Iterator, Optional

from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError, field_validator, model_validator

from classifier.errors import InputError
from classifier.io.files import iter_table
from classifier.tasks import SENTIMENT, STANCE

LABELS: tuple[str, ...] = STANCE.labels
# the field classify's journal marks an item cut to a model's window with (``predict.batch``), counted and dropped as
# the output is written: an item's own field of that name would be lost or break the count, so none may have one
TRUNCATED_FIELD = "_truncated"
NO_ACTOR = "no 'actor' (the target whose stance is scored)"


def id_text(value):
    """An item's id as ``Item`` keeps it: numeric ids (a Parquet or CSV column) as text, a whole float without its
    ``.0``; anything else as it is."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


class Item(BaseModel):
    """One sentence and one actor, with the character spans of the actor's mentions in the text."""

    model_config = ConfigDict(extra="allow")

    id: str
    text: str
    actor: Optional[str] = None
    spans: list[tuple[int, int]] = []
    label: Optional[str] = None
    source: Optional[str] = None
    article: Optional[str] = None
    _where: Optional[str] = PrivateAttr(default=None)  # "file:line" of an item read from a file, for errors

    def __eq__(self, other) -> bool:  # two items are equal by their fields, wherever they were read
        if not isinstance(other, Item):
            return NotImplemented
        return self.__dict__ == other.__dict__ and self.__pydantic_extra__ == other.__pydantic_extra__

    @model_validator(mode="before")
    @classmethod
    def _no_reserved_field(cls, data):
        if isinstance(data, dict) and TRUNCATED_FIELD in data:
            raise ValueError(f"a field named {TRUNCATED_FIELD!r} is reserved (classify marks the items a model cut "
                             "with it); rename it")
        return data

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value):
        return id_text(value)

    @field_validator("label", mode="before")
    @classmethod
    def _label_is_text(cls, value):
        """A label that is no string (3, true, ["favor"]) says what a label is, not pydantic's "Input should be a
        valid string"."""
        if value is not None and not isinstance(value, str):
            raise ValueError(not_a_label(value))
        return value

    @field_validator("text", mode="before")
    @classmethod
    def _text_given(cls, value):
        """An empty CSV or Parquet cell comes as None (or NaN): say it is empty, not that it is not text."""
        if value is None or (isinstance(value, float) and value != value):
            raise ValueError("empty text: there is no sentence to score")
        return value

    @field_validator("text")
    @classmethod
    def _text_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("empty text: there is no sentence to score")
        if "\x00" in value:  # as prepare refuses an article's (ingest): binary data, not a sentence
            raise ValueError("holds NUL bytes (binary data, not a sentence to score)")
        return value

    @model_validator(mode="after")
    def _spans_inside_text(self) -> "Item":
        for start, end in self.spans:
            if not (0 <= start < end <= len(self.text)):
                raise ValueError(f"span [{start}, {end}] is outside the text (length {len(self.text)})")
        return self

    @property
    def has_actor(self) -> bool:
        """Names a target whose stance can be scored or learnt (not missing, not blank)."""
        return bool((self.actor or "").strip())

    def mentions(self) -> list[str]:
        """The text of each span: the actor as the sentence names it."""
        return [self.text[start:end] for start, end in self.spans]


# -- the rules above, a column at a time ---------------------------------------------------------------------
# A reader of a whole block of rows (``io.files.table_blocks``, ``evaluate.prediction_block``) asks ``sure_items``
# whether ``Item`` takes every row as it is, instead of a model per row: each check below is one of Item's rules
# (named beside it), on the one Arrow type the rule is sure of; any other type, or any row that breaks a rule, is
# left to ``parse_item`` row by row, which says what is wrong where. A rule changed above is changed here too
# (tests/test_prediction_blocks.py holds each rule's rows both ways).

ITEM_TEXT_FIELDS = ("id", "text", "actor", "label", "source", "article")  # str, or Optional[str]
ITEM_SOURCE = "98d60d6146dd68a1"  # Item and parse_item as sure_items was written for them (io.files.source_digest)


def item_source() -> str | None:
    from classifier.io.files import source_digest

    return source_digest(Item, parse_item)


@functools.cache
def whitespace() -> str:
    """What ``str.strip()`` takes off (``str.isspace``, every code point): the blank text of ``_text_not_blank``."""
    return "".join(chr(code) for code in range(0x110000) if chr(code).isspace())


def is_text_type(kind) -> bool:
    import pyarrow as pa

    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def sure_items(table) -> bool:
    """Whether ``Item`` takes every row of an Arrow table as it is (see above); extra fields pass, as Item lets
    them."""
    import pyarrow as pa
    import pyarrow.compute as pc

    names = table.column_names
    if item_source() != ITEM_SOURCE:  # a rule edited since: every row to Item itself
        return False
    if TRUNCATED_FIELD in names or "id" not in names or "text" not in names:  # _no_reserved_field; required
        return False
    for name in ITEM_TEXT_FIELDS:  # id, text: str (_id_as_text turns numbers into text); the others Optional[str]
        kind = table[name].type if name in names else None  # (_label_is_text: a label that is text)
        if kind is not None and not is_text_type(kind) and not (name not in ("id", "text") and pa.types.is_null(kind)):
            return False
    text = table["text"]
    if table["id"].null_count or text.null_count:  # _text_given: no text
        return False
    blank = "[^" + "".join(f"\\x{{{ord(c):x}}}" for c in whitespace()) + "]"  # _text_not_blank
    if not pc.all(pc.match_substring_regex(text, blank)).as_py() or pc.any(pc.match_substring(text, "\x00")).as_py():
        return False
    return "spans" not in names or span_arrays(table) is not None  # _spans_inside_text


SPAN_NUMBER = "(?:0|[1-9][0-9]{0,17})"  # a JSON integer below 2**63
SPAN_PAIR = rf"\[{SPAN_NUMBER}, ?{SPAN_NUMBER}\]"
SPANS_JSON = rf"^\[(?:{SPAN_PAIR}(?:, ?{SPAN_PAIR})*)?\]$"  # "[]", "[[0, 6], [51, 57]]" as json.dumps writes them


def spans_of_text(values):
    """A text column of spans (a CSV cell: parse_item's ``json.loads``) as the list of [start, end] integer lists
    that JSON gives, for ``span_arrays``; None where any value is not a list of pairs of integers as ``json.dumps``
    writes it ("[[0, 6], [51, 57]]"; compact too), or is null: its row is left to parse_item."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    if values.null_count or not pc.all(pc.match_substring_regex(values, SPANS_JSON)).as_py():
        return None
    digits = pc.replace_substring_regex(values, r"[\[\] ]", "")  # "0,6,51,57"; "" for none
    lists = pc.split_pattern(pc.if_else(pc.equal(digits, ""), pa.scalar(None, pa.string()), digits), ",")
    numbers = pc.cast(pc.list_flatten(lists), pa.int64())
    per_row = pc.fill_null(pc.list_value_length(lists), 0).to_numpy() // 2
    pairs = pa.ListArray.from_arrays(pa.array(np.arange(0, len(numbers) + 1, 2), pa.int32()), numbers)
    return pa.ListArray.from_arrays(pa.array(np.concatenate([[0], np.cumsum(per_row)]), pa.int32()), pairs)


def span_arrays(table):
    """The ``spans`` of an Arrow table's rows as (spans per row, starts, ends), numpy arrays, where each row's
    are a list of [start, end] integer pairs inside its text (``Item.spans``, ``_spans_inside_text``); None where
    any is not (a null, a pair of three, floats, text) or any row's text is missing."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    spans = table["spans"]
    kind = spans.type
    if not (pa.types.is_list(kind) or pa.types.is_large_list(kind)) or spans.null_count or table["text"].null_count:
        return None
    per_row = pc.list_value_length(spans).to_numpy()
    pair = kind.value_type
    if pa.types.is_null(pair):  # only empty lists (or lists of nulls)
        empty = np.zeros(0, dtype=np.int64)
        return (per_row, empty, empty) if not per_row.any() else None
    if not (pa.types.is_list(pair) or pa.types.is_large_list(pair) or pa.types.is_fixed_size_list(pair)) \
            or not pa.types.is_integer(pair.value_type):
        return None
    pairs = pc.list_flatten(spans)
    if pairs.null_count or pc.any(pc.not_equal(pc.list_value_length(pairs), 2)).as_py():
        return None
    ends = pc.list_flatten(pairs)
    if ends.null_count:
        return None
    try:
        ends = pc.cast(ends, pa.int64()).to_numpy()
    except pa.ArrowInvalid:  # beyond 64 bits
        return None
    starts, ends = ends[0::2], ends[1::2]
    lengths = np.repeat(pc.utf8_length(table["text"]).to_numpy(), per_row)  # len(): code points
    if not ((0 <= starts) & (starts < ends) & (ends <= lengths)).all():
        return None
    return per_row, starts, ends


def expected_labels(string: bool = False) -> str:
    """What a label is, as every reader of items and label files says it: "one of favor, against, neutral (or null;
    sentence sentiment: positive, negative, neutral)"; ``string``: "(a string, or null; ...)", for one that is not."""
    null = "a string, or null" if string else "or null"
    return f"one of {', '.join(LABELS)} ({null}; sentence sentiment: {', '.join(SENTIMENT.labels)})"


def not_a_label(value) -> str:
    """What is said of a label that is no string: "expected one of favor, against, neutral (a string, or null; ...),
    got 3" (the value as JSON, shortened)."""
    import json

    from classifier.visible import shortened

    shown = shortened(json.dumps(value, ensure_ascii=False, default=str), 60)
    return f"expected {expected_labels(string=True)}, got {shown}"


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    if first["type"] == "missing":
        return f"missing field '{where}'"
    message = first["msg"].removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def parse_item(record: dict, where: str, *, need_actor: bool = False) -> Item:
    """Validate one record; ``where`` ("file:line") starts the error message. ``need_actor``: an item
    to score or learn stance from must name its actor (label files and sentence data may not)."""
    if isinstance(record.get("spans"), str):  # CSV stores the list as JSON text
        import json

        try:
            record = {**record, "spans": json.loads(record["spans"])}
        except (ValueError, RecursionError):
            raise InputError(f"{where}: spans is not a JSON list of [start, end] pairs") from None
    try:
        item = Item.model_validate(record)
    except ValidationError as exc:
        raise InputError(f"{where}: {_describe(exc)}") from None
    if need_actor and not item.has_actor:
        raise InputError(f"{where}: {NO_ACTOR}")
    return item


def read_items(path: str | Path, *, allowed_labels: Iterable[str] | None = LABELS,
               need_actor: bool = False, columns: dict[str, str] | None = None, find_spans=None,
               encoding: str | None = None) -> Iterator[Item]:
    """Read and validate items from JSONL, CSV, Parquet or a Hugging Face dataset folder (``columns``: its
    column names for text, actor, label); the first bad row stops with file:line. ``find_spans`` (an
    ``actors.MentionFinder``): a row without ``spans`` gets its actor's mentions found, and ``spans_from`` saying
    how (catalogue, name, or none); ``spans: []`` stays as given (a target the text does not name). ``encoding``:
    of a JSONL or CSV file (default UTF-8)."""
    allowed = set(allowed_labels) if allowed_labels is not None else None
    for lineno, record in iter_table(path, columns, encoding):
        if find_spans is not None:
            record = find_spans.complete(record)
        item = parse_item(record, f"{path}:{lineno}", need_actor=need_actor)
        if allowed is not None and item.label is not None and item.label not in allowed:
            raise InputError(
                f"{path}:{lineno}: unknown label {item.label!r}; expected one of {', '.join(sorted(allowed))}"
            )
        item._where = f"{path}:{lineno}"
        yield item


def stance_items(records: Iterable[Item | dict], *, need_actor: bool = True) -> list[Item]:
    """Items to score from ``Item``s or plain dicts in the schema, each needing its actor (unless
    ``need_actor`` is False: sentence sentiment); errors name the position (``item 3: ...``)."""
    items = []
    for number, record in enumerate(records, start=1):
        where = f"item {number}"
        if isinstance(record, Item):
            if need_actor and not record.has_actor:
                raise InputError(f"{where} (id {record.id!r}): {NO_ACTOR}")
            items.append(record)
        elif isinstance(record, dict):
            items.append(parse_item(record, where, need_actor=need_actor))
        else:
            raise InputError(f"{where}: expected an Item or a dict with id, text and actor; "
                             f"found {type(record).__name__}")
    return items


UNIQUE_IDS = "ids must be unique; for a label file with several annotators or undos, run 'stance label gold' first"


def first_repeated_id(ids: Iterable[tuple[str, str | None]]) -> tuple[str, str | None, str | None] | None:
    """Of (id, where) pairs: the first id met twice, with where it was first and where again; None if none is."""
    seen: dict[str, str | None] = {}
    for item_id, where in ids:
        if item_id in seen:
            return item_id, seen[item_id], where
        seen[item_id] = where
    return None


def check_unique_ids(items: Iterable[Item], source: str) -> None:
    """Every stage keys items by id: a repeated id stops with the file that holds it."""
    repeated = first_repeated_id((item.id, item._where) for item in items)
    if repeated is not None:
        item_id, first, again = repeated
        lines = f"{first} and {again}; " if first and again else ""
        raise InputError(f"{source}: duplicate item id '{item_id}' ({lines}{UNIQUE_IDS})")


def item_key(text: str, actor: str | None = None) -> str:
    """A short content key of a sentence and its actor: 16 hex digits of the sha256 of the text with case and
    spacing ignored and the actor trimmed and casefolded (``None`` or "": the sentence alone, as a sentiment model
    reads it). Neither the id, the spans, the row's order nor the file's bytes enter it, so an item keeps its key
    through 'stance label gold', a re-prepare (new ids) and a re-export to CSV or Parquet: what a model's
    ``trained_items.txt`` lists. 64 bits: between 10k trained keys and 1M items looked up, a chance collision
    is about 1 in 2 billion."""
    sentence = " ".join(text.split()).casefold()
    target = (actor or "").strip().casefold()
    return hashlib.sha256(f"{sentence}\x1f{target}".encode()).hexdigest()[:16]


def model_input(item: Item) -> bytes:
    """What a model reads from an item (text, actor, spans), as the bytes the fingerprints below hash."""
    import json

    return json.dumps([item.text, item.actor, item.spans]).encode()


def items_fingerprint(items: Iterable[Item]) -> str:
    """A hash of what a model reads from each item, in order (text, actor, spans): scores computed for one list
    of items are another list's only where the two fingerprints are equal (a teacher's cached logits)."""
    digest = hashlib.sha256()
    for item in items:
        digest.update(model_input(item))
    return digest.hexdigest()[:16]


def item_fingerprint(item: Item) -> str:
    """A hash of what a model reads from one item (text, actor, spans; neither its id nor its place in a list):
    a model's score of one item is another's where the two are equal (the scores a labelling session keeps beside
    its label file, row by row). 16 hex digits, 64 bits: a chance collision among a million items is about 1 in
    37 million."""
    return hashlib.sha256(model_input(item)).hexdigest()[:16]


def article_of(item: Item) -> str:
    """The article an item belongs to: its ``article``, else its id (an item without one is an article of its own)."""
    return item.article or item.id


def article_order(items: Iterable[Item], seed: int) -> list[str]:
    """The items' articles (``article_of``) in a random order fixed by ``seed``: ``train``'s held-out articles are
    the first of them (``models.train.split_articles``), ``label sample``'s are drawn in it
    (``labels.sample_articles``)."""
    return sorted({article_of(it) for it in items}, key=lambda a: hashlib.sha256(f"{seed}:{a}".encode()).hexdigest())


def item_record(item: Item) -> dict:
    """The item as a plain dict for writing (spans as lists)."""
    record = item.model_dump()
    record["spans"] = [list(span) for span in item.spans]
    return record
