"""An article table's columns: which column holds each of an article's fields (``--columns``), read from a row,
and the error that names the ``--columns`` to pass where a row has no id or text."""

from __future__ import annotations

import re
from pathlib import Path

from classifier.errors import InputError, option

ARTICLE_FIELDS = ("id", "text", "source", "title", "date", "url", "language")
OPTIONAL_FIELDS = ARTICLE_FIELDS[2:]
# What exports name an article's fields (CC-News and news-please: maintext, date_publish, source_domain; newspaper3k:
# content, publish_date; Media Cloud: stories_id, media_name, publish_date), in the order offered, matched in any case
# and with spaces or hyphens for the underscores (a news database's "Publication Date", "Document ID"): named in the
# error for a missing id or text as a ``--columns`` to pass, and in a warning for a known name not read
# (``unread_columns``), never read without it (a column is not guessed).
COLUMN_ALIASES = {
    "id": ("stories_id", "article_id", "doc_id", "document_id", "uuid", "guid", "url", "link"),
    "text": ("maintext", "content", "body", "article", "story", "full_text", "fulltext", "article_text"),
    "source": ("source_domain", "media_name", "media", "outlet", "domain", "publisher", "sitename", "site_name"),
    "title": ("headline",),
    "date": ("date_publish", "publish_date", "published", "published_at", "pub_date", "publication_date",
             "date_published"),
    "url": ("link", "source_url"),
    "language": ("lang", "language_code"),
}


def _alias_key(name: str) -> str:
    """A column's name as ``COLUMN_ALIASES`` spells its names: case-folded, spaces and hyphens as underscores."""
    return re.sub(r"[\s-]+", "_", name.strip().casefold())


def _used_twice(uses: dict[str, str]) -> tuple[str, list[str]] | None:
    """A column that ``uses`` (field -> column) gives more than one field where that makes no sense, with its
    fields: the text's column serves no other field (it would be the article's id, or its headline as well), and
    two of source, title, date, url and language read from one column are a slip; the id may share its column with
    one other field (news-please's url is both)."""
    by_column: dict[str, list[str]] = {}
    for field, column in uses.items():
        by_column.setdefault(column, []).append(field)
    for column, fields in by_column.items():
        if len(fields) > 1 and ("text" in fields or len([f for f in fields if f != "id"]) > 1):
            return column, fields
    return None


def check_columns(value, path: str | Path = "") -> dict[str, str]:
    """``--columns`` (``columns=``) as article field -> the table's column: "text=maintext,date=date_publish" (a
    field, ``=``, the column; pairs joined by commas) or a dict of the same; {} where not given. A field that is
    not an article's, one named twice, a pair without its column, or two fields on one column where that makes no
    sense (``_used_twice``) is an InputError naming ``path`` and the option. The direction and the dict are those
    of ``read_items(columns=)`` and the dataset options (``hf_datasets.column_map``); one option rather than one
    per field (seven more flags on prepare and classify)."""
    if value is None or value == "" or value == {}:
        return {}
    prefix = f"{path}: " if str(path) else ""
    shown = option("columns", value)
    if isinstance(value, str):
        pairs = []
        for written, piece in _pieces(value):
            field, equals, column = piece.partition("=")
            if written == piece and column.lstrip(" \t").startswith('"'):  # columns_text quotes every '"' it writes
                raise InputError(f"{prefix}{shown}: the double quote that opens the column of {field.strip()!r} is "
                                 f"not closed where the pair ends (got {written.strip()!r}); a column in double quotes "
                                 'ends at its closing quote, before the next comma, e.g. title="Head, line"')
            if equals and field.strip() and written != piece and not column.strip():
                raise InputError(f"{prefix}{shown}: the column of {field.strip()!r} is empty (got "
                                 f"{written.strip()!r}); name a column of the table")
            if not equals or not field.strip() or not column.strip():
                raise InputError(f"{prefix}{shown}: expected FIELD=COLUMN pairs joined by commas, e.g. "
                                 f"text=maintext,date=date_publish (got {written.strip()!r})")
            pairs.append((field.strip().casefold(), column if written != piece else column.strip()))
    elif isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) and v.strip()
                                         for k, v in value.items()):
        pairs = [(field.strip().casefold(), column.strip()) for field, column in value.items()]
    else:
        raise InputError(f"{prefix}{shown}: expected FIELD=COLUMN pairs (\"text=maintext,date=date_publish\") or a "
                         "dict of field to column name")
    columns: dict[str, str] = {}
    for field, column in pairs:
        if field not in ARTICLE_FIELDS:
            raise InputError(f"{prefix}{shown}: unknown field {field!r}; an article's fields are "
                             f"{', '.join(ARTICLE_FIELDS)} (FIELD=COLUMN: the field first, then the table's column)")
        if field in columns:
            raise InputError(f"{prefix}{shown}: field {field!r} is mapped twice ({columns[field]!r} and {column!r})")
        columns[field] = column
    if shared := _used_twice(columns):
        raise InputError(f"{prefix}{shown}: {' and '.join(map(repr, shared[1]))} both read column {shared[0]!r}; "
                         "map each field to a column of its own (only the id may share one, e.g. id=url)")
    return columns


_QUOTED_COLUMN = re.compile(r'[ \t]*"((?:[^"]|"")*)"[ \t]*(?:,|$)')


def text_header(columns, input_path: str | Path) -> tuple:
    """What the header of a CSV table of articles told by its content (``io.files.spooled_input``) must hold: its
    text column (``--columns``' text=COLUMN, else "text"), and its words for the error."""
    text = check_columns(columns, input_path).get("text", "text")  # a wrong --columns names INPUT
    return (lambda names: text in names), f"a '{text}' column"


def _pieces(value: str) -> list[tuple[str, str]]:
    """The pairs of a ``--columns`` string as (the pair as written, the pair with its column unquoted), split at its
    commas: a column in double quotes keeps its commas (``title="Head, line"``), two double quotes inside it one (as
    a CSV cell's); a quote inside a name is part of it, as before (``columns_text`` writes what this reads; a column
    that opens with a quote never closed is refused by ``check_columns``)."""
    pieces, at = [], 0
    while True:
        comma = value.find(",", at)
        comma = len(value) if comma < 0 else comma
        equals = value.find("=", at, comma)
        quoted = _QUOTED_COLUMN.match(value, equals + 1) if equals >= 0 else None
        if quoted:
            written = value[at:quoted.end()].rstrip(" \t,")
            pieces.append((written, value[at:equals + 1] + quoted.group(1).replace('""', '"')))
            at, more = quoted.end(), value[quoted.end() - 1:quoted.end()] == ","
        else:
            pieces.append((value[at:comma], value[at:comma]))
            at, more = comma + 1, comma < len(value)
        if not more:
            return pieces


def columns_text(columns: dict[str, str]) -> str:
    """A ``--columns`` value for ``columns`` (field -> column) that ``check_columns`` reads back to the same pairs:
    FIELD=COLUMN joined by commas, a column that holds a comma or a double quote, or starts or ends with a space, in
    double quotes with its quotes doubled (``text=Body,title="Head, line"``); ``=`` needs none (a pair is cut at its
    first, and a field holds none)."""
    def shown(column: str) -> str:
        if "," in column or '"' in column or column != column.strip():
            return '"' + column.replace('"', '""') + '"'
        return column

    return ",".join(f"{field}={shown(column)}" for field, column in columns.items())


def resolve_columns(columns: dict[str, str], row: dict, where: str, records: bool = False) -> dict[str, str]:
    """``columns`` (``check_columns``) with each column as the table's first row names it (the CSV header, the
    Parquet schema, the first JSONL record): the name as written, else the one name that differs only in case. A
    column the table lacks, or a mapped column that is also read under its own name as another field (text=title,
    where the table has a title column and title is not mapped), stops, naming ``where`` and the columns there
    are. ``records``: JSON lines, whose records each hold their own keys, so that an optional field's column absent
    from the first (a record that leaves out its empty date) is kept as written; the id's and text's must be there."""
    names = [name for name in row if isinstance(name, str)]
    folded: dict[str, list[str]] = {}
    for name in names:
        folded.setdefault(name.casefold(), []).append(name)
    resolved = {}
    for field, column in columns.items():
        found = column if column in row else (folded.get(column.casefold()) or [None, None])
        if isinstance(found, list):
            found = found[0] if len(found) == 1 else None
        if found is None and records and field not in ("id", "text"):
            found = column  # read from the records that hold it
        if found is None:
            import difflib

            listed = ", ".join(map(repr, names[:12])) + (f" and {len(names) - 12} more" if len(names) > 12 else "")
            close = difflib.get_close_matches(column, names, n=1)
            raise InputError(f"{where}: no column {column!r} ({option('columns', columns_text({field: column}))}); the "
                             f"table has {listed}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        resolved[field] = found
    own = {field: folded[field][0] for field in ARTICLE_FIELDS if field not in resolved and field in folded}
    if shared := _used_twice({**own, **resolved}):
        column, fields = shared
        raise InputError(f"{where}: column {column!r} would be read as both {' and '.join(map(repr, fields))} "
                         f"({option('columns', columns_text(columns))}); map each field "
                         "to a column of its own (only the id may share one, e.g. id=url)")
    return resolved


def suggested_columns(row: dict, absent: list[str], columns: dict[str, str] | None = None) -> str:
    """A ``--columns`` value for a row without an id or text (``absent``), from the columns the row has, after the
    pairs already given (``columns``): for each absent field, the first of its known names (``COLUMN_ALIASES``) the
    row holds in any case, else the closest column name (difflib), else COLUMN; then each optional field not read
    whose known name the row holds. Offered in the error, not read: a guessed column would turn a wrong table into
    a silent run."""
    import difflib

    columns = dict(columns or {})
    for field in sorted(absent, key=("text", "id").index):  # the text first, as a user names it
        names = _free_columns(row, field, set(columns.values()))
        found = _known_column(row, field, set(columns.values()))
        if found is None:
            close = difflib.get_close_matches(field, [name.casefold() for name in names], n=1)
            found = next((name for name in names if name.casefold() == close[0]), None) if close else None
        columns[field] = found or "COLUMN"
    columns.update(unread_columns(row, columns))
    return option("columns", columns_text(columns))


def _free_columns(row: dict, field: str, taken: set[str]) -> list[str]:
    """The row's columns that no field reads yet (``taken``) and that are not named as another article field (the
    url may be an id)."""
    return [name for name in row if isinstance(name, str) and name not in taken
            and (name.casefold() not in ARTICLE_FIELDS or (field == "id" and name.casefold() == "url"))]


def _known_column(row: dict, field: str, taken: set[str]) -> str | None:
    """The first of ``field``'s known names (``COLUMN_ALIASES``, matched by ``_alias_key``) among the free columns."""
    names: dict[str, str] = {}
    for name in _free_columns(row, field, taken):
        names.setdefault(_alias_key(name), name)
    return next((names[alias] for alias in COLUMN_ALIASES[field] if alias in names), None)


def unread_columns(row: dict, columns: dict[str, str]) -> dict[str, str]:
    """Optional field -> the column of ``row`` that holds it under a known name (``COLUMN_ALIASES``: "headline",
    "Publication Date", "outlet"), for each optional field that neither ``columns`` (field -> column) maps nor a
    column of its own name holds: what a table's ``--columns`` leaves unread, so its articles lose their headline or
    date, or each becomes an outlet of its own, where the table has them."""
    present = {name.casefold() for name in row if isinstance(name, str)}
    taken = set(columns.values())
    found: dict[str, str] = {}
    for field in ARTICLE_FIELDS:
        if field not in columns and field not in present and (column := _known_column(row, field, taken)):
            taken.add(column)
            found[field] = column
    return found


def unread_columns_note(row: dict, columns: dict[str, str], where: str) -> str | None:
    """A warning's line for the columns ``unread_columns`` finds (None where none), with the ``--columns`` that reads
    them after those given."""
    unread = unread_columns(row, columns)
    if not unread:
        return None
    named = ", ".join(f"{column!r} ({field})" for field, column in unread.items())
    given = {**columns, **unread}
    return (f"{where}: {'columns' if len(unread) > 1 else 'column'} {named} not read, so the articles go without "
            f"{'them' if len(unread) > 1 else 'it'}" + (" (each article its own outlet, named by its id)"
                                                        if "source" in unread else "")
            + f"; {option('columns', columns_text(given))} reads "
            f"{'them' if len(unread) > 1 else 'it'}")


def article_row(row: dict, where: str, columns: dict[str, str] | None = None) -> dict:
    """A table row with its columns named as an article's fields: each field of ``columns`` (field -> the
    column as the table names it: ``resolve_columns``) read from its column, whatever column bears the field's own
    name; "Text" or "TEXT" is ``text`` where no column is named ``text`` and ``columns`` maps none; a row without
    an id or a text stops, naming the fields it has and a ``--columns`` that would name them
    (``suggested_columns``)."""
    columns = columns or {}
    original = row
    folded = {name.casefold(): name for name in row if isinstance(name, str)}
    renamed = {field: folded[field] for field in ARTICLE_FIELDS
               if field not in columns and field not in row and field in folded}
    if renamed or columns:
        row = {**row, **{field: row[name] for field, name in renamed.items()}}
        for field, column in columns.items():  # a JSONL record without the column: the field is missing
            if column in original:
                row[field] = original[column]
            else:
                row.pop(field, None)
    absent = [field for field in ("id", "text") if field not in row]
    if absent:
        field = absent[0]
        if field in columns:
            raise InputError(f"{where}: missing field {field!r} (no column {columns[field]!r} in this row, which has "
                             f"{', '.join(map(repr, list(original)[:12]))}; an article row needs id and text)")
        missing = "fields 'id' and 'text'" if len(absent) == 2 else f"field {field!r}"
        raise InputError(f"{where}: missing {missing} (the row has "
                         f"{', '.join(map(repr, list(original)[:12]))}; an article row needs id and text); name the "
                         f"columns with {suggested_columns(original, absent, columns)}")
    return row
