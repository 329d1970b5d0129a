"""Predictions read a block at a time (io.files.table_blocks, evaluate.prediction_block) are the rows read one by one
(iter_table, parse_prediction): the same chunks, the same errors at the same file and line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from pydantic import ValidationError

import classifier.evaluate as evaluate
import classifier.io.files as files
from classifier.errors import InputError
from classifier.evaluate import prediction_chunks
from classifier.io.files import write_records
from classifier.items import Item, sure_items, whitespace

sys.path.insert(0, str(Path(__file__).parent))
from test_evaluate import prediction_rows  # noqa: E402


@pytest.fixture()
def small(monkeypatch):
    """Blocks, batches and chunks of a few rows, so a file of a hundred rows has many of each, cut anywhere."""
    monkeypatch.setattr(files, "BLOCK_BYTES", 2000)
    monkeypatch.setattr(files, "BLOCK_ROWS", 7)
    monkeypatch.setattr(files, "PARQUET_BATCH_ROWS", 3)
    monkeypatch.setattr(evaluate, "FRAME_CHUNK_ROWS", 25)


def read(path: Path, monkeypatch, *, by_row: bool = False) -> tuple[list, list, int]:
    """(chunks, their id hashes, how many rows were read one by one); ``by_row``: with no blocks."""
    calls = []
    rows = files.iter_table

    def counted(*args, **options):
        for row in rows(*args, **options):
            calls.append(1)
            yield row

    with monkeypatch.context() as patch:
        patch.setattr(files, "iter_table", counted)
        if by_row:
            patch.setattr(files, "table_blocks", lambda path, strings=(): iter([(1, None)]))
        hashes: list = []
        chunks = list(prediction_chunks(path, hashes))
    return chunks, hashes, len(calls)


def same_tables(a: list, b: list) -> bool:
    """Equal chunks, types too, NaN equal to NaN (a row without a tone)."""
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if not x.schema.equals(y.schema):
            return False
        for one, other in zip(x.columns, y.columns):
            if pa.types.is_floating(one.type):
                if not np.array_equal(one.to_numpy(), other.to_numpy(), equal_nan=True):
                    return False
            elif not one.equals(other):
                return False
    return True


def error_of(path: Path, monkeypatch, **options) -> str:
    with pytest.raises(InputError) as caught:
        read(path, monkeypatch, **options)
    return str(caught.value)


def varied_rows(n: int = 120) -> list[dict]:
    """Stance predictions with what a corpus holds: spans none, one or several (after an emoji: code points),
    unicode and odd spaces, nulls, dates and kinds with spaces about them, models missing or empty, whole-number
    scores, a tone on some rows (--task both), extra fields of every kind."""
    rows = prediction_rows(n, seed=3)
    texts = ["😀 {a} said so.", "Ünïcødé\u00a0{a}\u2028next", "\t {a} and {a} again ", "{a}", "«{a}» — מדינה {a}"]
    for i, row in enumerate(rows):
        actor = row["actor"]
        text = texts[i % len(texts)].format(a=actor)
        starts = [k for k in range(len(text)) if text.startswith(actor, k)]
        row.update(text=text, spans=[[k, k + len(actor)] for k in starts][: i % 3])
        row["label"] = row["label"] if i % 4 == 0 else None
        row["source"] = None if i % 17 == 5 else row["source"]
        row["article"] = None if i % 13 == 4 else row["article"]
        row["date"] = [None, "2024-03-0%d" % (1 + i % 9), "  2024-01-02 ", "", "\u20032024-02"][i % 5]
        row["kind"] = ["headline", "body", None, " body\u00a0", "\x1c"][i % 5]
        row["title"] = [None, " A headline ", "", "\u00a0T\u2028"][i % 4]
        row["model"] = ["m@1", None, "", " m@2 "][i % 4] if i % 3 else "m@1"
        if i % 11 == 1:
            row["stance_scores"] = {"favor": 0, "against": 1, "neutral": 0}
            row["stance"] = "against"
        if i % 3 == 0:
            row["sentiment_scores"] = {"positive": 0.2, "negative": 0.3, "neutral": 0.5005}
            row["sentiment"], row["sentiment_model"] = "neutral", [" s@1", None, ""][i % 9 // 3]
        row.update(nested={"a": [1, 2], "b": None} if i % 2 else None, floats=[1.5, None][: i % 3], flag=i % 5 == 0)
    return rows


def sentiment_rows(n: int = 60) -> list[dict]:
    rows = []
    for i, row in enumerate(prediction_rows(n, seed=4)):
        del row["stance"], row["stance_scores"]
        rows.append({**row, "actor": None if i % 2 else row["actor"], "label": ["positive", None][i % 2],
                     "sentiment": "negative", "sentiment_scores": {"positive": 0.1, "negative": 0.7, "neutral": 0.2}})
    return rows


def frame_rows(n: int = 60) -> list[dict]:  # the Python API's scored frame: p_<label> columns, no stance_scores
    rows = []
    for row in prediction_rows(n, seed=5):
        rows.append({**row, **{f"p_{label}": value for label, value in row.pop("stance_scores").items()}})
    return rows


def jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=i % 2 == 0) + "\n" + "\n" * (i % 7 == 3)
                            for i, row in enumerate(rows)), encoding="utf-8")
    return path


def packed(path: Path, suffix: str) -> Path:
    """``path`` compressed (".gz", ".bz2", ".xz", ".zst") beside it, as a user compresses classify's output."""
    import bz2
    import gzip
    import lzma

    out = path.with_name(path.name + suffix)
    data = path.read_bytes()
    if suffix == ".zst":
        with pa.output_stream(str(out), compression="zstd") as stream:
            stream.write(data)
    else:
        out.write_bytes({".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}[suffix](data))
    return out


def csv_file(path: Path, rows: list[dict], *, spreadsheet: bool = False) -> Path:
    """Rows as 'stance classify --out P.csv' writes them; ``spreadsheet``: as a spreadsheet saves that file again
    ("CSV UTF-8": a byte-order mark, ';' between cells in much of Europe, every cell quoted, CRLF line ends)."""
    import csv
    import io

    write_records(path, rows)
    if spreadsheet:
        cells = list(csv.reader(io.StringIO(path.read_bytes().decode(), newline="")))
        out = io.StringIO()
        csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(cells)
        path.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode())
    return path


def csv_rows(n: int = 120) -> list[dict]:
    """varied_rows with texts a CSV cell must quote: quotes, delimiters, line breaks (LF and CRLF), a quote first,
    a formula, spaces about it."""
    rows = varied_rows(n)
    texts = ['He said "{a}", then left.', "{a};{a},\t{a}", "line one\nline two {a}", "line one\r\nline two {a}",
             '"{a}" first', "=SUM({a}) ", " {a} "]
    for i, row in enumerate(rows[::2]):
        actor = row["actor"]
        text = texts[i % len(texts)].format(a=actor)
        starts = [k for k in range(len(text)) if text.startswith(actor, k)]
        row.update(text=text, spans=[[k, k + len(actor)] for k in starts][: 1 + i % 2])
    return rows


CSV_FORMS = ("csv", "csv.gz", "spreadsheet")


@pytest.mark.parametrize("rows", [varied_rows, csv_rows, sentiment_rows, frame_rows])
@pytest.mark.parametrize("form", ["jsonl", "jsonl.gz", "jsonl.zst", "jsonl.bz2", *CSV_FORMS, "parquet", "large",
                                  "parts"])
def test_blocks_give_the_chunks_that_rows_read_one_by_one_give(tmp_path, monkeypatch, small, rows, form):
    rows = rows()
    if form.startswith("jsonl"):
        path = jsonl(tmp_path / "p.jsonl", rows)
        path = packed(path, form[len("jsonl"):]) if form != "jsonl" else path
    elif form in CSV_FORMS:
        path = csv_file(tmp_path / "p.csv", rows, spreadsheet=form == "spreadsheet")
        path = packed(path, ".gz") if form == "csv.gz" else path
    elif form == "parquet":
        path = tmp_path / "p.parquet"
        write_records(path, rows)
    elif form == "large":  # text as Arrow's large strings, as pandas writes its own
        import pyarrow.parquet as pq

        table = pa.Table.from_pylist(rows)
        path = tmp_path / "p.parquet"
        pq.write_table(table.cast(pa.schema([pa.field(f.name, pa.large_string()) if f.type == pa.string() else f
                                             for f in table.schema])), path)
    else:  # a folder of parts, as classify --ray-data writes them, and a JSONL part beside them
        path = tmp_path / "out"
        for k, start in enumerate(range(0, len(rows), 40)):
            (path / f"part{k}").mkdir(parents=True)
            write_records(path / f"part{k}" / "predictions.parquet", rows[start:start + 40])
        jsonl(path / "zz.jsonl", [{**row, "id": row["id"] + "-again"} for row in rows[:3]])
    fast, fast_hashes, one_by_one = read(path, monkeypatch)
    slow, slow_hashes, _ = read(path, monkeypatch, by_row=True)
    assert one_by_one == 0  # every block was sure
    assert same_tables(fast, slow) and len(fast) > 2
    assert all((a == b).all() for a, b in zip(fast_hashes, slow_hashes))


def test_a_block_in_doubt_is_read_row_by_row_to_the_same_chunks(tmp_path, monkeypatch, small):
    """An id as a number, spans as floats, scores as JSON text: Item and parse_prediction take them (as text, as
    integers, parsed), a block does not; from that block on the file is read row by row, to the same rows."""
    rows = varied_rows(90)
    rows[40]["id"], rows[41]["spans"] = 40, [[0.0, 2.0]]
    rows[42]["stance_scores"], rows[43]["big"] = json.dumps(rows[42]["stance_scores"]), 12345678901234567890
    path = jsonl(tmp_path / "p.jsonl", rows)
    fast, _, one_by_one = read(path, monkeypatch)
    slow, _, _ = read(path, monkeypatch, by_row=True)
    assert same_tables(fast, slow) and 0 < one_by_one < 60


def lines_of(rows: list[dict]) -> list[bytes]:
    return [json.dumps(row, ensure_ascii=False).encode() for row in rows]


BAD_LINES = {  # the 40th line of a JSONL file of 60 predictions
    "unknown stance": lambda line: line.replace(b'"stance": "', b'"stance": "x'),
    "scores over 1": lambda line: line.replace(b'"favor": ', b'"favor": 1'),
    "a NaN score": lambda line: line.replace(b'"favor": ', b'"favor": NaN, "x": '),
    "a score of 1e400": lambda line: line.replace(b'"favor": ', b'"favor": 1e400, "x": '),
    "an unknown gold label": lambda line: line.replace(b'"label": null', b'"label": "pro"'),
    "a null actor": lambda line: line.replace(b'"actor": "', b'"actor": null, "a": "'),
    "an empty actor": lambda line: line.replace(b'"actor": "', b'"actor": "", "a": "'),
    "a span outside the text": lambda line: line.replace(b'"spans": [[0, ', b'"spans": [[0, 1000'),
    "blank text": lambda line: line.replace(b'"text": "', b'"text": "\\u3000", "t": "'),
    "text with a NUL": lambda line: line.replace(b'"text": "', b'"text": "a\\u0000'),
    "a lone surrogate": lambda line: line.replace(b'"text": "', b'"text": "\\ud800'),
    "a repeated id": lambda line: line.replace(b'"text": "', b'"id": "x", "text": "'),
    "the reserved field": lambda line: line.replace(b'"text": "', b'"_truncated": 1, "text": "'),
    "malformed JSON": lambda line: line[:-1],
    "two objects": lambda line: line + line,
    "a null line": lambda line: b"null",
    "an array line": lambda line: b"[" + line + b"]",
    "a byte-order mark": lambda line: "\ufeff".encode() + line,
    "not UTF-8": lambda line: line.replace(b'"text": "', b'"text": "\xff'),
    "a lone carriage return": lambda line: line.replace(b'"actor": ', b'\r"actor": '),
    "deep nesting": lambda line: line.replace(b'"text": ', b'"deep": ' + b"[" * 5000 + b"]" * 5000 + b', "text": '),
    "a sentiment row": lambda line: line.replace(b'"stance": "', b'"sentiment": "neutral", "stance": null, "s": "'),
    "a repeated id of an earlier line": lambda line: line.replace(b'"id": "i39"', b'"id": "i3"'),
}


@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("bad", list(BAD_LINES))
def test_a_bad_line_in_a_later_block_is_named_as_row_by_row(tmp_path, monkeypatch, small, bad, suffix):
    rows = prediction_rows(60)
    for row in rows:
        row["label"] = None
    lines = lines_of(rows)
    lines[39] = BAD_LINES[bad](lines[39])
    path = tmp_path / "p.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    path = packed(path, suffix) if suffix else path
    said = error_of(path, monkeypatch, by_row=True)
    assert error_of(path, monkeypatch) == said
    assert f"{path}:40" in said or f"{path}:41" in said


CSV_CELLS = {  # the 40th row of a CSV file of 60 predictions, as csv.writer quotes it
    "a lone carriage return in the text": {"text": "Russia\rwas discussed."},  # written unquoted: two lines
    "a CRLF in the text": {"text": "Russia\r\nwas discussed."},
    "quotes and delimiters in the text": {"text": 'Russia "was", ; discussed.'},
    "compact spans": {"spans": "[[0,6]]"},
    "spans with spaces inside": {"spans": "[ [0, 6] ]"},
    "spans as floats": {"spans": "[[0.0, 6.0]]"},
    "spans with a leading zero": {"spans": "[[00, 6]]"},
    "spans of no pair": {"spans": "[]"},
    "spans cut off": {"spans": "[[0, 6]"},
    "a span outside the text": {"spans": "[[0, 600]]"},
    "no spans": {"spans": None},
    "scores in another order": {"stance_scores": '{"neutral": 0.2, "favor": 0.7, "against": 0.1}'},
    "scores as integers": {"stance": "against", "stance_scores": '{"favor": 0, "against": 1, "neutral": 0}'},
    "scores with exponents": {"stance_scores": '{"favor": 0.999998, "against": 1e-06, "neutral": 1E-6}'},
    "scores of NaN": {"stance_scores": '{"favor": NaN, "against": 0.5, "neutral": 0.5}'},
    "scores of 1e400": {"stance_scores": '{"favor": 1e400, "against": 0.5, "neutral": 0.5}'},
    "scores as Python writes a dict": {"stance_scores": "{'favor': 0.2, 'against': 0.3, 'neutral': 0.5}"},
    "scores not summing to 1": {"stance_scores": '{"favor": 0.2, "against": 0.3, "neutral": 0.3}'},
    "no scores": {"stance_scores": None},
    "a tone": {"sentiment_scores": '{"positive": 0.2, "negative": 0.3, "neutral": 0.5}'},
    "a tone in another order": {"sentiment_scores": '{"negative": 0.3, "positive": 0.2, "neutral": 0.5}'},
    "no id": {"id": None},
    "a blank text": {"text": " \u3000 "},
    "a text with a NUL": {"text": "Russia\x00"},
    "no actor": {"actor": None},
    "an unknown stance": {"stance": " favor"},
    "a repeated id": {"id": "i3"},
    "no model": {"model": None},
    "a date with spaces about it": {"date": " 2024-01-02\u00a0"},
}
CSV_LINES = {  # ... as its bytes are edited
    "a quote inside a cell": lambda line: line.replace(b"was discussed", b'was "discussed"'),
    "a quoted line break inside a cell": lambda line: line.replace(b"was discussed", b'was "dis\ncussed"'),
    "text after a closing quote": lambda line: b'"i39"x' + line[3:],
    "an unclosed quote": lambda line: b'"' + line,
    "fewer fields": lambda line: line[:line.rindex(b",")],
    "more fields": lambda line: line + b",x",
    "a blank line": lambda line: b"",
    "a line of spaces": lambda line: b"   ",
    "a lone carriage return ending it": lambda line: line + b"\r" + line.replace(b"i39", b"i39b"),
    "not UTF-8": lambda line: line.replace(b"was", b"w\xffs"),
    "a byte-order mark first": lambda line: "\ufeff".encode() + line,
    "a NUL byte": lambda line: line.replace(b"tiny@abc", b"tiny\x00abc"),
}

CSV_BLOCKS_TAKE = {"a CRLF in the text", "quotes and delimiters in the text", "compact spans", "spans of no pair",
                   "scores as integers", "scores with exponents", "a tone", "no model", "a date with spaces about it",
                   "a blank line", "a byte-order mark first", "a NUL byte"}


@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("bad", [*CSV_CELLS, *CSV_LINES])
def test_a_csv_row_in_a_later_block_reads_as_row_by_row(tmp_path, monkeypatch, small, bad, suffix):
    """The same chunks, or the same error at the same file and line, as the rows read one by one."""
    rows = prediction_rows(60)
    for row in rows:
        row.update(label=None, date="2024-01-02", sentiment_scores=None)
    if bad in CSV_CELLS:
        rows[39].update(CSV_CELLS[bad])
    path = csv_file(tmp_path / "p.csv", rows)
    if bad in CSV_LINES:
        lines = path.read_bytes().split(b"\n")
        assert lines[40].startswith(b"i39,")
        lines[40] = CSV_LINES[bad](lines[40])
        path.write_bytes(b"\n".join(lines))
    path = packed(path, suffix) if suffix else path
    try:
        slow = read(path, monkeypatch, by_row=True)[0]
    except InputError as exc:
        assert error_of(path, monkeypatch) == str(exc) and f"{path}:4" in str(exc)
        return
    fast, _, one_by_one = read(path, monkeypatch)
    assert same_tables(fast, slow)
    assert one_by_one == 0 if bad in CSV_BLOCKS_TAKE else 0 < one_by_one < 60


def test_csv_blocks_are_the_rows_of_iter_csv_on_random_files(tmp_path, monkeypatch):
    """Random small tables of cells quoted or not, with quotes, delimiters, line breaks (LF, CRLF, a lone CR), NUL,
    letters of 2 and 4 bytes, rows of too few or too many cells, blank lines, a byte-order mark, a byte that is not
    UTF-8: the rows of the blocks, then of iter_csv from where they stop, are iter_csv's rows, or its error."""
    import random

    monkeypatch.setattr(files, "BLOCK_BYTES", 64)
    rng = random.Random(5)
    pieces = ["a", " ", ",", ";", "\t", '"', '""', "\n", "\r\n", "\r", "\x00", "\u00e9", "\U0001f600", 'x"y']

    def cell(hostile: float) -> str:
        text = "".join(rng.choice(pieces if rng.random() < hostile else pieces[:9] + pieces[10:])
                       for _ in range(rng.randint(0, 4)))
        if rng.random() < 0.5:
            return '"' + text.replace('"', '""') + '"'
        return text if rng.random() < hostile / 3 else "".join(c for c in text if c not in ',;\t"\r\n')

    path, blocks = tmp_path / "t.csv", 0
    for number in range(600):
        hostile = [0, 0.05, 0.3, 1][number % 4]
        delimiter, n = rng.choice([",", ";", "\t"]), rng.randint(2, 4)
        lines = [delimiter.join(f"c{i}" for i in range(n))]
        for _ in range(rng.randint(0, 30)):
            size = n if rng.random() > hostile / 10 else rng.randint(0, n + 1)
            lines.append(delimiter.join(cell(hostile) for _ in range(size)))
        data = "".join(line + rng.choice(["\n", "\r\n", "\n\n"]) for line in lines).encode()
        data = (b"\xef\xbb\xbf" if rng.random() < 0.1 else b"") + data
        if rng.random() < 0.05 * hostile:
            cut = rng.randrange(len(data))
            data = data[:cut] + b"\xff" + data[cut:]
        path.write_bytes(data)
        try:
            expected, said = [row for _, row in files.iter_csv(path)], None
        except InputError as exc:
            expected, said = None, str(exc)
        got = []
        try:
            for line, table in files.table_blocks(path):
                if table is None:
                    got += [row for _, row in files.iter_table(path, start=line)]
                    break
                got += table.to_pylist()
                blocks += 1
        except InputError as exc:
            assert str(exc) == said
            continue
        assert said is None and got == expected, data
    assert blocks > 500  # most files are read a block at a time, in part at least


def test_compressed_data_cut_off_is_named_as_row_by_row(tmp_path, monkeypatch, small):
    path = packed(jsonl(tmp_path / "p.jsonl", varied_rows(90)), ".gz")
    path.write_bytes(path.read_bytes()[: path.stat().st_size * 2 // 3])
    said = error_of(path, monkeypatch, by_row=True)
    assert error_of(path, monkeypatch) == said and "gzip data cut off or damaged" in said
    path = packed(csv_file(tmp_path / "p.csv", csv_rows(90)), ".gz")
    path.write_bytes(path.read_bytes()[: path.stat().st_size * 2 // 3])
    said = error_of(path, monkeypatch, by_row=True)
    assert error_of(path, monkeypatch) == said and "gzip data cut off or damaged" in said


@pytest.mark.parametrize("form", ["jsonl", "csv"])
@pytest.mark.parametrize("text", ["x" * 1600, "\u00e9" * 700])
def test_a_compressed_line_near_the_line_limit_is_read_as_row_by_row(tmp_path, monkeypatch, small, text, form):
    """A compressed file's line over COMPRESSED_LINE_CHARS is iter_jsonl's error; one of as many bytes but fewer
    characters (a line of 700 letters of 2 bytes each and 500 others, under a limit of 1500) is read; the block
    reader, which counts bytes, leaves both to the row reader. A CSV table's row likewise."""
    monkeypatch.setattr(files, "COMPRESSED_LINE_CHARS", 1500)
    rows = varied_rows(60)
    rows[45]["note"] = text
    path = packed(jsonl(tmp_path / "p.jsonl", rows) if form == "jsonl" else csv_file(tmp_path / "p.csv", rows), ".gz")
    if len(text) > 1000:
        said = error_of(path, monkeypatch, by_row=True)
        assert error_of(path, monkeypatch) == said and "of more than 1,500 characters" in said
        return
    fast, _, one_by_one = read(path, monkeypatch)
    assert same_tables(fast, read(path, monkeypatch, by_row=True)[0]) and 0 < one_by_one < 30


@pytest.mark.parametrize("bad", ["text", "id", "stance"])
def test_a_bad_row_in_a_later_parquet_block_is_named_as_row_by_row(tmp_path, monkeypatch, small, bad):
    rows = prediction_rows(60)
    rows[39][bad] = {"text": "  ", "id": None, "stance": "up"}[bad]
    path = tmp_path / "p.parquet"
    write_records(path, rows)
    said = error_of(path, monkeypatch, by_row=True)
    assert error_of(path, monkeypatch) == said and f"{path}:40:" in said


def test_a_parquet_text_column_that_is_not_utf8_is_named_as_row_by_row(tmp_path, monkeypatch, small):
    import pyarrow.parquet as pq

    rows = prediction_rows(60)
    table = pa.Table.from_pylist(rows)
    notes = pa.array([b"ok"] * 45 + [b"\xff"] * 15, pa.binary()).view(pa.string())  # not UTF-8 from row 46
    path = tmp_path / "p.parquet"
    pq.write_table(table.append_column("note", notes), path)
    said = error_of(path, monkeypatch, by_row=True)
    assert error_of(path, monkeypatch) == said and "not UTF-8" in said


def test_a_file_of_classify_output_is_read_without_a_row_by_row_check(tmp_path, monkeypatch):
    """The point of the blocks: a predictions file as 'stance classify' writes it (JSONL or CSV, gzip-compressed too,
    or Parquet, and the --task both tone) is checked a block at a time, never a row at a time."""
    rows = csv_rows(200)
    packed(jsonl(tmp_path / "p.jsonl", rows), ".gz")
    packed(csv_file(tmp_path / "p.csv", rows), ".gz")
    write_records(tmp_path / "p.parquet", rows)
    monkeypatch.setattr(files, "iter_table", lambda *a, **k: pytest.fail("rows read one by one"))
    for name in ("p.jsonl", "p.jsonl.gz", "p.csv", "p.csv.gz", "p.parquet"):
        frame = evaluate.read_predictions(tmp_path / name)
        assert len(frame) == 200 and frame["tone"].notna().sum() == 67


# -- the item rules a column at a time ------------------------------------------------------------------

GOOD = {"id": "1", "text": "Russia won.", "actor": "Russia", "spans": [[0, 6]]}
RECORDS = [
    GOOD, {**GOOD, "spans": []}, {**GOOD, "actor": None, "label": None, "source": None, "article": None},
    {**GOOD, "spans": [[0, 6], [0, 11]]}, {**GOOD, "extra": {"nested": [1]}}, {"id": "1", "text": "x"},
    {**GOOD, "id": 5}, {**GOOD, "id": 5.0}, {**GOOD, "id": None}, {**GOOD, "id": True}, {"text": "x"},
    {**GOOD, "text": None}, {**GOOD, "text": ""}, {**GOOD, "text": 5}, {**GOOD, "text": "a\x00b"}, {"id": "1"},
    {**GOOD, "actor": 5}, {**GOOD, "label": 3}, {**GOOD, "label": ["favor"]}, {**GOOD, "source": 1.5},
    {**GOOD, "article": False}, {**GOOD, "spans": None}, {**GOOD, "spans": [[0, 12]]}, {**GOOD, "spans": [[3, 3]]},
    {**GOOD, "spans": [[-1, 2]]}, {**GOOD, "spans": [[0, 6, 7]]}, {**GOOD, "spans": [[0]]}, {**GOOD, "spans": [None]},
    {**GOOD, "spans": [[0, None]]}, {**GOOD, "spans": [[0.0, 6.0]]}, {**GOOD, "spans": [[0.5, 6]]},
    {**GOOD, "spans": "[[0, 6]]"}, {**GOOD, "spans": [[True, 6]]}, {**GOOD, "spans": [[2**63, 2**63 + 1]]},
    {**GOOD, "_truncated": True}, {**GOOD, "text": "😀 Russia", "spans": [[2, 8]]},
    *({**GOOD, "text": space * 2, "spans": []} for space in whitespace()), {**GOOD, "text": "\u200b", "spans": []},
]


@pytest.mark.parametrize("record", RECORDS, ids=range(len(RECORDS)))
def test_items_sure_a_column_at_a_time_are_items_row_by_row(record):
    """Whatever sure_items takes, Item takes; each of Item's rules refuses its rows in both."""
    try:
        table = pa.Table.from_pylist([record])
    except (pa.ArrowException, OverflowError):
        return  # Arrow holds no such column: never a block
    try:
        Item.model_validate(record)
        valid = True
    except ValidationError:
        valid = False
    sure = sure_items(table)
    assert not sure or valid
    plain = all(type(record.get(k)) in (str, type(None)) for k in ("id", "text", "actor", "label", "source",
                                                                   "article"))
    plain_spans = "spans" not in record or (isinstance(record["spans"], list) and all(
        isinstance(p, list) and all(type(v) is int and abs(v) < 2**63 for v in p) for p in record["spans"]))
    if valid and plain and plain_spans and "id" in record and record.get("text") is not None:
        assert sure  # a row of the plain types Item takes is sure


def test_whitespace_is_what_strip_takes_off():
    assert whitespace() == "".join(c for c in map(chr, range(0x110000)) if not c.strip())
    assert " " in whitespace() and "\x1c" in whitespace() and "\u200b" not in whitespace()


def test_iter_table_from_a_start_gives_the_rows_from_there(tmp_path):
    rows = [{"id": str(i), "n": i} for i in range(10)]
    path = tmp_path / "p.jsonl"
    path.write_text("\n" + "".join(json.dumps(r) + "\n" for r in rows))
    assert [line for line, _ in files.iter_table(path, start=5)] == [5, 6, 7, 8, 9, 10, 11]
    path.write_text("\n[1]\n")  # not the file's first line where lines before the start hold rows
    assert "looks like one JSON array" in str(pytest.raises(InputError, files.iter_table(path, start=2).__next__).value)
    path.write_text('{"id": "0"}\n[1]\n')
    said = str(pytest.raises(InputError, files.iter_table(path, start=2).__next__).value)
    assert "looks like one JSON array" not in said and ":2:" in said
    write_records(tmp_path / "p.parquet", rows)
    for start in (1, 4, 65, 11):
        assert [r["n"] for _, r in files.iter_table(tmp_path / "p.parquet", start=start)] == list(range(start - 1, 10))


def test_the_block_checks_are_those_of_the_rules_they_stand_in_for():
    """Each column-at-a-time copy names the source of the rules it holds (io.files.source_digest). A rule edited in
    Item, parse_item, parse_prediction (_scores, record_task, text_or_none) or the JSONL, CSV and Parquet row readers
    fails this test: review items.sure_items, evaluate.prediction_block, io.files.jsonl_table or csv_table for it,
    then write the new digest into ITEM_SOURCE, PREDICTION_SOURCE or READERS_SOURCE. Until then every row is read
    by the rules themselves (the next test)."""
    from classifier.evaluate import PREDICTION_SOURCE, prediction_source
    from classifier.io.files import READERS_SOURCE, readers_source
    from classifier.items import ITEM_SOURCE, item_source

    assert item_source() == ITEM_SOURCE, "Item or parse_item changed: review items.sure_items"
    assert prediction_source() == PREDICTION_SOURCE, "parse_prediction's rules changed: review prediction_block"
    assert readers_source() == READERS_SOURCE, "a row reader changed: review io.files.table_blocks"


@pytest.mark.parametrize("where", ["classifier.items.ITEM_SOURCE", "classifier.evaluate.PREDICTION_SOURCE",
                                   "classifier.io.files.READERS_SOURCE"])
def test_rules_edited_since_the_block_checks_were_written_read_every_row_by_row(tmp_path, monkeypatch, where):
    path = jsonl(tmp_path / "p.jsonl", varied_rows(40))
    blocks = read(path, monkeypatch)[0]
    monkeypatch.setattr(where, "edited")
    rows, _, one_by_one = read(path, monkeypatch)
    assert one_by_one == 40 and same_tables(rows, blocks)


def test_a_read_error_part_way_leaves_the_rest_to_the_row_reader(tmp_path, monkeypatch, small):
    """A disk's read error in a block (EIO) was a traceback; the row reader reads the rest, and names one it meets."""
    import builtins
    import errno

    path = jsonl(tmp_path / "p.jsonl", varied_rows(60))
    expected = read(path, monkeypatch, by_row=True)[0]

    class Failing:
        def __init__(self, handle):
            self.handle, self.reads = handle, 0

        def read(self, *size):
            self.reads += 1
            if self.reads == 4:  # three blocks, then the disk fails
                raise OSError(errno.EIO, "Input/output error")
            return self.handle.read(*size)

        def __getattr__(self, name):
            return getattr(self.handle, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

    def failing_open(file, mode="r", *args, **options):
        handle = builtins.open(file, mode, *args, **options)
        return Failing(handle) if mode == "rb" and str(file) == str(path) else handle

    monkeypatch.setattr(files, "open", failing_open, raising=False)
    chunks, _, one_by_one = read(path, monkeypatch)
    assert same_tables(chunks, expected) and 0 < one_by_one < 60
