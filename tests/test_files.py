"""Tables written a chunk at a time, and Parquet read a batch at a time."""

import json
import re

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from classifier.errors import InputError
from classifier.io import files
from classifier.io.files import TableWriter, iter_parquet, write_records

CHUNKS = [
    [{"id": "a", "n": None, "meta": {}}, {"id": "b", "n": None, "meta": {}}],  # n is untyped (null) here
    [{"id": "c", "n": 2, "meta": {"k": 1}, "late": "x"}],  # a column only later chunks have
    [{"id": "d", "n": 3.5, "meta": {"k": 2}}],
]


def test_chunked_tables_equal_the_whole_table(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "PARQUET_PART_ROWS", 1)  # a Parquet part per chunk
    rows = [row for chunk in CHUNKS for row in chunk]
    columns = list(dict.fromkeys(key for row in rows for key in row))
    for fmt in ("jsonl", "csv", "parquet"):
        path = tmp_path / f"t.{fmt}"
        with TableWriter(path, columns=columns) as writer:
            for chunk in CHUNKS:
                writer.write(chunk)
        assert writer.rows == 4 and sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
        frame = {"jsonl": lambda p: pd.read_json(p, lines=True), "csv": pd.read_csv, "parquet": pd.read_parquet}[fmt](path)
        assert list(frame["id"]) == ["a", "b", "c", "d"] and list(frame.columns) == columns
    parquet = pq.read_table(tmp_path / "t.parquet")
    assert parquet.schema.field("n").type == pa.float64() and parquet.column("n").to_pylist() == [None, None, 2.0, 3.5]
    # {} has no Arrow type, {"k": 1} does: the column is JSON text throughout
    assert parquet.column("meta").to_pylist() == ["{}", "{}", '{"k": 1}', '{"k": 2}']
    assert parquet.column("late").to_pylist() == [None, None, "x", None]


def test_a_failed_write_leaves_nothing(tmp_path):
    for fmt in ("jsonl", "csv", "parquet"):
        path = tmp_path / f"t.{fmt}"
        with pytest.raises(RuntimeError), TableWriter(path, columns=["id"]) as writer:
            writer.write([{"id": "a"}])
            writer.write([{"id": "b"}])
            raise RuntimeError("killed between chunks")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="columns"):
        TableWriter(tmp_path / "t.csv")


def test_write_records_still_writes_one_table(tmp_path):
    write_records(tmp_path / "one.parquet", [])
    assert pq.read_table(tmp_path / "one.parquet").num_rows == 0
    assert write_records(tmp_path / "one.jsonl", iter([{"id": 1}, {"id": 2}])) == 2
    assert [json.loads(line)["id"] for line in (tmp_path / "one.jsonl").read_text().splitlines()] == [1, 2]


def test_parquet_is_read_in_batches_with_row_numbers(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "PARQUET_BATCH_ROWS", 3)
    frame = pd.DataFrame({"id": [str(i) for i in range(10)], "when": pd.to_datetime(["2024-01-01"] * 10)})
    frame.to_parquet(tmp_path / "t.parquet", row_group_size=4)
    rows = list(iter_parquet(tmp_path / "t.parquet"))
    assert [index for index, _ in rows] == list(range(1, 11))
    assert [row["id"] for _, row in rows] == frame["id"].tolist() and rows[9][1]["when"] == "2024-01-01T00:00:00"
    (tmp_path / "bad.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(files.InputError, match="bad.parquet: not a readable Parquet file"):
        list(iter_parquet(tmp_path / "bad.parquet"))


def test_a_parquet_decompression_bomb_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "PARQUET_BOMB_BYTES", 1 << 20)  # the same ratio as a 10 KB file of 300 MB
    bomb = pa.table({"id": ["a"], "text": ["Putin. " + "A" * (4 << 20)], "source": ["x"]})
    pq.write_table(bomb, tmp_path / "bomb.parquet", compression="zstd")
    assert (tmp_path / "bomb.parquet").stat().st_size < 20_000
    with pytest.raises(InputError, match=r"bomb.parquet: column 'text' of row group 1 unpacks to 4 MB .*decompression"):
        next(iter_parquet(tmp_path / "bomb.parquet"))
    words = " ".join(f"Putin said {i} things about Russia." for i in range(200_000))  # 7 MB of text that repeats
    pq.write_table(pa.table({"id": ["b"], "text": [words]}), tmp_path / "long.parquet", compression="zstd")
    assert [row["id"] for _, row in iter_parquet(tmp_path / "long.parquet")] == ["b"]


def test_a_csv_record_is_named_by_the_line_it_starts_on(tmp_path):
    from classifier.io.files import iter_csv

    path = tmp_path / "articles.csv"
    path.write_text('id,text\na1,"first line\nsecond line\nthird"\na2,one line\n\n\n,"no id\nhere"\na3\n')
    assert [(line, row["id"]) for line, row in iter_csv(path)] == [(2, "a1"), (5, "a2"), (8, None), (10, "a3")]
    assert list(iter_csv(path))[-1][1] == {"id": "a3", "text": None}


# text that a CSV writer must quote, or keep as it is: line breaks of every kind, quotes, delimiters, spaces, NUL,
# Unicode line separators, a byte-order mark, formulas (kept as written in data files: spreadsheet_safe is the report's)
HOSTILE_TEXT = ["a\rb", "a\r\nb", "a\nb", "ab\r", "\r", "\rab", "\n", 'say "hi"', '"', "a,b", "a;b", "a\tb", "  a  ",
                " ", "a\x00b", "a\u2028b", "a\u2029b", "a\x85b", "a\x0bb\x0cc", "\ufeffa", "=1+2", "+cmd", "-2+3", "@SUM(A1)"]


def test_csv_cells_read_back_as_written_whatever_their_text(tmp_path):
    """A lone carriage return was written bare (Python's csv quotes only for its "\\n" line terminator): the row read
    back as two broken ones, by iter_csv and by pandas. Every cell now reads back as written, by both, whether the
    table is written whole or in chunks; rows without a carriage return are written as before."""
    records = [{"id": f"r{i}", "text": text, "n": i} for i, text in enumerate(HOSTILE_TEXT)]
    write_records(tmp_path / "whole.csv", records)
    with TableWriter(tmp_path / "chunks.csv", columns=["id", "text", "n"]) as writer:
        writer.write(records[:5])
        writer.write(records[5:])
    for path in (tmp_path / "whole.csv", tmp_path / "chunks.csv"):
        assert [(row["id"], row["text"], row["n"]) for _, row in files.iter_table(path)] == \
            [(f"r{i}", text, str(i)) for i, text in enumerate(HOSTILE_TEXT)]
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert list(frame["text"]) == HOSTILE_TEXT and list(frame["id"]) == [r["id"] for r in records]
    written = (tmp_path / "whole.csv").read_bytes().decode()
    assert written == (tmp_path / "chunks.csv").read_bytes().decode()
    assert '\nr2,"a\nb",2\n' in written and "\nr20,=1+2,20\n" in written  # as before: quoted only where needed
    assert '\n"r0","a\rb","0"\n' in written


def test_parts_that_disagree_are_joined_as_one_encoding(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "PARQUET_PART_ROWS", 2)
    chunks = [[{"id": "a", "big": 2**60 + 1, "m": 1, "n": 1}, {"id": "b", "big": 2**60 + 2, "m": "one", "n": None}],
              [{"id": "c", "big": 1.5, "m": "two", "n": 3}, {"id": "d", "big": None, "m": "three", "n": 4}],
              [{"id": "e", "big": 2, "m": "four", "n": 5, "odd": {"a": {}}, "huge": 2**64}]]
    columns = ["id", "big", "m", "n", "odd", "huge"]
    for fmt in ("parquet", "csv"):
        with TableWriter(tmp_path / f"t.{fmt}", columns=columns) as writer:
            for chunk in chunks:
                writer.write(chunk)
    table = pq.read_table(tmp_path / "t.parquet")
    # 2**60 + 1 does not fit a float: JSON text throughout; "m" is JSON text in its first part: JSON in all
    assert table.column("big").to_pylist() == [str(2**60 + 1), str(2**60 + 2), "1.5", None, "2"]
    assert table.column("m").to_pylist() == ["1", '"one"', '"two"', '"three"', '"four"']
    assert table.column("n").to_pylist() == [1, None, 3, 4, 5] and table.schema.field("n").type == pa.int64()
    assert table.column("odd").to_pylist()[4] == '{"a": {}}' and table.column("huge").to_pylist()[4] == str(2**64)
    rows = (tmp_path / "t.csv").read_text().splitlines()
    assert rows[0] == ",".join(columns) and rows[2] == "b,1152921504606846978,one,,," and rows[3] == "c,1.5,two,3,,"


def test_parquet_text_that_is_not_utf8_is_one_line(tmp_path):
    bad = pa.array([b"Russia \xff"], type=pa.binary()).view(pa.string())
    pq.write_table(pa.table({"id": ["a"], "text": bad}), tmp_path / "bad.parquet")
    with pytest.raises(files.InputError, match="bad.parquet: rows 1 to 1: a text column is not UTF-8"):
        list(iter_parquet(tmp_path / "bad.parquet"))


def test_a_folder_that_cannot_be_made_is_one_line_naming_it_not_the_stage():
    from classifier.errors import InputError
    from classifier.io.files import staged_folder

    with pytest.raises(InputError, match=r"^/proc/nope: cannot write a folder there"):
        with staged_folder("/proc/nope"):
            pass


def test_a_dataset_column_of_class_labels_reads_as_their_names(tmp_path):
    import datasets

    from classifier.io.hf_datasets import iter_dataset

    features = datasets.Features({"text": datasets.Value("string"), "actor": datasets.Value("string"),
                                  "label": datasets.ClassLabel(names=["favor", "against", "neutral"])})
    datasets.Dataset.from_dict({"text": ["Russia won.", "NATO lost."], "actor": ["Russia", "NATO"], "label": [0, 1]},
                               features=features).save_to_disk(tmp_path / "ds")
    assert [row["label"] for _, row in iter_dataset(tmp_path / "ds")] == ["favor", "against"]
    assert [(number, row["id"]) for number, row in iter_dataset(tmp_path / "ds")] == [(1, "1"), (2, "2")]  # rows
    datasets.Dataset.from_dict({"text": ["Russia won."], "actor": ["Russia"], "label": [-1]},  # the library's "none"
                               features=features).save_to_disk(tmp_path / "unlabelled")
    assert [row["label"] for _, row in iter_dataset(tmp_path / "unlabelled")] == [None]
    datasets.Dataset.from_dict({"sentence": ["Russia won."], "target": ["Russia"]}).save_to_disk(tmp_path / "named")
    with pytest.raises(InputError, match=r"named: no 'text' column; it has sentence, target \(name the sentences' "
                                         r"column with --text-column"):
        next(iter_dataset(tmp_path / "named"))
    assert next(iter_dataset(tmp_path / "named", {"text": "sentence", "actor": "target"}))[1]["text"] == "Russia won."


def test_a_swap_killed_between_its_renames_gets_the_earlier_folder_back(tmp_path):
    from classifier.io.files import staged_folder

    final = tmp_path / "default"
    backup = tmp_path / ".default.old.stage"  # what a kill after the first rename leaves: no 'default' at all
    backup.mkdir()
    (backup / "model.safetensors").write_text("the promoted model")
    with pytest.raises(RuntimeError):
        with staged_folder(final):
            raise RuntimeError("this write fails too")
    assert (final / "model.safetensors").read_text() == "the promoted model" and not backup.exists()


def test_a_model_left_half_swapped_is_named_where_it_is(tmp_path):
    from classifier.errors import InputError
    from classifier.models.stance_model import StanceModel

    backup = tmp_path / ".default.old.stage"
    backup.mkdir()
    (backup / "config.json").write_text("{}")
    with pytest.raises(InputError, match=r"default: not there; .* left the earlier model in .*\.default\.old\.stage"):
        StanceModel.load(tmp_path / "default")


def test_columns_written_as_json_text_read_back_as_the_values_they_were(tmp_path):
    """A column Parquet cannot type (5 and "five", an empty object) is stored as JSON text; reading the file back
    gives the values, not their JSON."""
    rows = [{"id": "1", "meta": 5, "extra": {}}, {"id": "2", "meta": "five", "extra": {}}]
    path = tmp_path / "mixed.parquet"
    write_records(path, iter(rows))
    assert [row for _, row in iter_parquet(path)] == rows


def test_a_second_writer_of_one_output_stops_at_once_and_the_lock_goes_with_the_first(tmp_path):
    from classifier.errors import InputError
    from classifier.io.files import output_lock

    out = tmp_path / "predictions.jsonl"
    with output_lock(out, "stance classify"):
        with pytest.raises(InputError, match=r"another stance classify is writing it \(process \d+\)"):
            with output_lock(out, "stance classify"):
                pass
    assert not (tmp_path / ".predictions.jsonl.lock").exists()
    with output_lock(out):  # free again
        pass


def test_a_format_that_the_output_s_name_contradicts_is_warned_of(tmp_path):
    from classifier.errors import InputWarning
    from classifier.io.files import output_format

    with pytest.warns(InputWarning, match="--format csv writes CSV into x.jsonl, whose name says jsonl"):
        assert output_format(tmp_path / "x.jsonl", "csv") == "csv"
    assert output_format(tmp_path / "x.out", "csv") == "csv"  # a name that says nothing: no warning


def test_a_staged_update_keeps_the_modes_of_the_files_it_links(tmp_path):
    """staged_update hard-links the folder's files into its stage; giving the stage the usual modes chmod-ed those
    very files, so a read-only weights file of the folder became writable."""
    import os
    import stat

    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "stance.json").write_text("{}")
    weights = folder / "model.safetensors"
    weights.write_bytes(b"weights")
    weights.chmod(0o444)
    with files.staged_update(folder) as stage:
        files.write_text_atomic(stage / "stance.json", '{"temperature": 2.0}')
    assert json.loads((folder / "stance.json").read_text()) == {"temperature": 2.0}
    assert stat.S_IMODE(os.stat(folder / "model.safetensors").st_mode) == 0o444


def test_a_staged_update_leaves_what_a_link_in_the_folder_points_to(tmp_path):
    """A link in the folder is staged as a link; the usual modes followed it and chmod-ed the file it names, outside
    the folder (0444 -> 0644), and a link to nothing stopped the update (FileNotFoundError)."""
    import os
    import stat

    shared = tmp_path / "shared.safetensors"
    shared.write_bytes(b"weights")
    shared.chmod(0o444)
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "stance.json").write_text("{}")
    (folder / "model.safetensors").symlink_to(shared)
    (folder / "gone.bin").symlink_to(tmp_path / "nothing")
    with files.staged_update(folder) as stage:
        files.write_text_atomic(stage / "stance.json", '{"temperature": 2.0}')
    assert json.loads((folder / "stance.json").read_text()) == {"temperature": 2.0}
    assert stat.S_IMODE(os.stat(shared).st_mode) == 0o444
    assert (folder / "model.safetensors").is_symlink() and (folder / "gone.bin").is_symlink()


@pytest.mark.parametrize("kind", ["jsonl", "csv", "parquet"])
def test_predictions_whose_first_row_has_null_scores_are_still_predictions(tmp_path, kind):
    """Told by a first row's scores with a value, a predictions file whose first row had null scores passed as items:
    'prepare --out' replaced it. The scores' fields beside a named model make predictions; an items file whose
    optional fields are null (no date, no source) is still none."""
    scores = {"favor": 0.8, "against": 0.1, "neutral": 0.1}
    rows = [{"id": str(i), "text": "Russia won.", "actor": "Russia", "stance": None if i == 0 else "favor",
             "stance_scores": None if i == 0 else scores, "model": "tiny@0123abcd"} for i in range(2)]
    items = [{"id": str(i), "text": "Russia won.", "actor": "Russia", "source": None, "date": None, "title": None,
              "url": None, "article": None} for i in range(2)]
    path = tmp_path / f"predictions.{kind}"

    def write(rows):
        if kind == "jsonl":
            path.write_text("".join(json.dumps(r) + "\n" for r in rows))
        elif kind == "csv":
            pd.DataFrame([{**r, **({"stance_scores": r["stance_scores"] and json.dumps(r["stance_scores"])}
                                   if "stance_scores" in r else {})} for r in rows]).to_csv(path, index=False)
        else:
            pd.DataFrame([{**r, **({"stance_scores": r["stance_scores"] and json.dumps(r["stance_scores"])}
                                   if "stance_scores" in r else {})} for r in rows]).to_parquet(path, index=False)

    write(rows)
    assert files.is_predictions(files.first_row(path))
    with pytest.raises(InputError, match="a file of predictions by tiny@0123abcd"):
        files.check_not_predictions(path)
    write(items)
    assert not files.is_predictions(files.first_row(path))
    files.check_not_predictions(path)  # items: replaced as any output
    assert not files.is_predictions({"id": "0", "text": "x", "model": "tiny@0123abcd"})  # a model named, no scores


@pytest.mark.parametrize("compress", ["gzip", "bz2", "xz", "zstd"])
def test_a_compressed_file_under_a_plain_name_is_read_as_its_readers_read_it(tmp_path, compress):
    """Every table reader reads a gzip, bz2 or xz file by its bytes, whatever its name (``compression_of``), but the
    checks that guard an --out (predictions, people's answers, labels) read its compressed bytes as text: gzip'd
    predictions under predictions.jsonl, which evaluate reads, or a label table under labels.csv, which 'label gold'
    reads, were no predictions and no answers to them, and 'prepare --out' replaced them. Now each is read unpacked."""
    import bz2
    import gzip
    import lzma

    pack = {"gzip": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress, "zstd": zstd_compress}[compress]
    scored = {"id": "1", "text": "Russia won.", "actor": "Russia", "stance": "favor", "model": "tiny@0123abcd",
              "stance_scores": {"favor": 0.8, "against": 0.1, "neutral": 0.1}}
    predictions = tmp_path / "predictions.jsonl"
    predictions.write_bytes(pack((json.dumps(scored) + "\n").encode()))
    assert [row for _, row in files.iter_table(predictions)] == [scored]  # what evaluate reads
    assert files.first_row(predictions) == scored
    with pytest.raises(InputError, match="a file of predictions by tiny@0123abcd"):
        files.check_not_predictions(predictions)
    answers = tmp_path / "labels.jsonl"  # 'label' refuses a label file compressed; its answers are kept all the same
    answers.write_bytes(pack(b"".join(json.dumps({"id": str(i), "text": "Russia won.", "actor": "Russia",
                                                  "label": "favor", "annotator": who}).encode() + b"\n"
                                      for i, who in enumerate(("ana", "ben")))))
    assert files.people_answers(answers) == (2, ["ana", "ben"])
    table = tmp_path / "labels.csv"
    table.write_bytes(pack(b"id,text,actor,label,annotator\na1,Russia won.,Russia,favor,ana\n"))
    assert [row["annotator"] for _, row in files.iter_table(table)] == ["ana"]  # what 'label gold' reads
    with pytest.raises(InputError, match="a label file holding 1 answer by people .ana."):
        files.check_not_labels(table)
    gold = tmp_path / "gold.csv"
    gold.write_bytes(pack(b"id,text,actor,label\na1,Russia won.,Russia,favor\n"))
    with pytest.raises(InputError, match="a file of people's labels"):
        files.check_not_labelled(gold)


def test_a_compressed_line_too_long_is_no_row_to_the_output_checks(tmp_path, monkeypatch):
    """The checks read a compressed file's lines bounded, as its readers do (``COMPRESSED_LINE_CHARS``): a line over
    it is no row (None), and the rows before it still count; a header over it is no table."""
    import gzip

    monkeypatch.setattr(files, "COMPRESSED_LINE_CHARS", 200)
    answer = json.dumps({"id": "1", "text": "Russia won.", "actor": "Russia", "label": "favor", "annotator": "ana"})
    path = tmp_path / "labels.jsonl"
    path.write_bytes(gzip.compress(f"{answer}\n{{\"text\": \"{'x' * 5000}\"}}\n{answer}\n".encode()))
    assert list(files.text_answer_rows(path))[1] is None
    assert files.people_answers(path) == (2, ["ana"])
    table = tmp_path / "labels.csv"
    table.write_bytes(gzip.compress(b"id,text,actor,label,annotator\na1,Russia,Russia,favor,ana\n"
                                    + b"a2," + b"x" * 5000 + b",Russia,favor,ben\n"))
    assert files.people_answers(table) == (1, ["ana"])  # the rows up to the long one
    table.write_bytes(gzip.compress(b"id," + b"x" * 5000 + b",label,annotator\n"))
    assert files.people_answers(table) == (0, []) and files.first_row(table) is None


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_the_python_apis_scored_frame_is_predictions(tmp_path, kind):
    """StanceModel.predict on a DataFrame adds stance and p_favor / p_against / p_neutral, no stance_scores and no
    model: saved with to_parquet (as the README shows, for evaluate and report), it was replaced by prepare --out."""
    frame = pd.DataFrame([{"id": "1", "text": "Russia won.", "actor": "Russia", "stance": "favor", "p_favor": 0.8,
                           "p_against": 0.1, "p_neutral": 0.1}])
    path = tmp_path / f"scored.{kind}"
    frame.to_csv(path, index=False) if kind == "csv" else frame.to_parquet(path, index=False)
    with pytest.raises(InputError, match="a file of predictions .from 'stance classify' or the Python API's predict"):
        files.check_not_predictions(path)
    tone = frame.drop(columns=["stance", "actor", "p_favor", "p_against"]).assign(
        sentiment="positive", p_positive=0.7, p_negative=0.2)  # a sentiment model's frame
    assert files.is_predictions(tone.iloc[0].to_dict())
    assert not files.is_predictions(frame.drop(columns=["p_against"]).iloc[0].to_dict())  # not every column


@pytest.mark.parametrize("kind", ["jsonl", "csv", "parquet"])
def test_a_null_model_field_is_no_prediction_to_every_check(tmp_path, kind):
    """A label file whose rows carry ``"stance": null`` (an empty stance column) was neither: its answers were not
    counted (the key alone made it predictions) so any --out replaced them, yet it was no predictions file to
    check_not_predictions (which needed a score with a value). A null field is no model output to every check:
    the answers are counted and kept; the same rows with scores are predictions."""
    rows = [{"id": str(i), "text": "Russia won.", "actor": "Russia", "label": "favor", "annotator": who,
             "stance": None, "stance_scores": None} for i, who in enumerate(("ana", "ben"))]
    path = tmp_path / f"labels.{kind}"

    def write(rows):
        if kind == "jsonl":
            path.write_text("".join(json.dumps(r) + "\n" for r in rows))
        elif kind == "csv":
            pd.DataFrame([{**r, "stance_scores": r["stance_scores"] and json.dumps(r["stance_scores"])}
                          for r in rows]).to_csv(path, index=False)
        else:
            pd.DataFrame(rows).to_parquet(path, index=False)

    write(rows)
    first = files.first_row(path)
    assert not files.is_predictions(first) and files.is_label_file_row(first) and files.is_answer(first)
    assert files.people_answers(path) == (2, ["ana", "ben"])
    with pytest.raises(InputError, match="a label file holding 2 answers by people"):
        files.check_not_labels(path)
    files.check_not_predictions(path)  # not predictions
    write([{**r, "stance": "favor", "stance_scores": {"favor": 0.8, "against": 0.1, "neutral": 0.1}} for r in rows])
    assert files.is_predictions(files.first_row(path)) and files.people_answers(path) == (0, [])
    files.check_not_labels(path)
    with pytest.raises(InputError, match="a file of predictions"):
        files.check_not_predictions(path)


@pytest.mark.parametrize("opening", ["\n", "id,text,label\n", '{"id": "c", "text": "Russia w\n', "# ana's labels\n",
                                     "[1, 2]\n"])
def test_a_label_file_whose_first_line_is_broken_is_still_refused(tmp_path, opening):
    """A JSON lines file of people's labels whose first line is no JSON object (a stray header, a line cut off, a
    note) was told by that line alone: not a label file, so 'prepare --out' or 'classify --out' replaced it. The
    checks look past such lines to the first JSON object; items and predictions are still told as they are."""
    rows = [{"id": "a", "text": "Russia won.", "actor": "Russia", "label": "favor"},
            {"id": "b", "text": "NATO lost.", "actor": "NATO", "label": "against"}]
    gold = tmp_path / "gold.jsonl"
    gold.write_text(opening + "".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(InputError, match="a file of people's labels"):
        files.check_not_labelled(gold)
    answers = tmp_path / "answers.jsonl"
    answers.write_text(opening + "".join(json.dumps({**r, "annotator": "ana"}) + "\n" for r in rows))
    with pytest.raises(InputError, match="a label file holding 2 answers by people"):
        files.check_not_labels(answers)
    predictions = tmp_path / "p.jsonl"
    predictions.write_text(opening + "".join(json.dumps({**r, "label": None, "stance": "favor", "model": "m@1",
                                                         "stance_scores": {"favor": 1.0}}) + "\n" for r in rows))
    with pytest.raises(InputError, match="a file of predictions by m@1"):
        files.check_not_predictions(predictions)
    files.check_not_labelled(predictions)
    items = tmp_path / "items.jsonl"
    items.write_text(opening + "".join(json.dumps({**r, "label": None}) + "\n" for r in rows))
    for check in (files.check_not_labelled, files.check_not_labels, files.check_not_predictions):
        check(items)  # items are made again by 'prepare': replaced as any output


def test_the_label_check_looks_past_broken_lines_only_so_far(tmp_path, monkeypatch):
    """The look past lines that are no JSON object stops after ANSWER_SCAN_LINES lines (or ANSWER_SCAN_CHARS
    characters): a CSV table is not read to its end, and labels past that are not looked for."""
    monkeypatch.setattr(files, "ANSWER_SCAN_LINES", 3)
    gold = tmp_path / "gold.jsonl"
    gold.write_text("x\n" * 2 + json.dumps({"id": "a", "text": "t", "label": "favor"}) + "\n")
    with pytest.raises(InputError, match="a file of people's labels"):
        files.check_not_labelled(gold)
    gold.write_text("x\n" * 3 + json.dumps({"id": "a", "text": "t", "label": "favor"}) + "\n")
    files.check_not_labelled(gold)
    monkeypatch.setattr(files, "ANSWER_SCAN_LINES", 100)
    monkeypatch.setattr(files, "ANSWER_SCAN_CHARS", 50)
    gold.write_text("x" * 60 + "\n" + json.dumps({"id": "a", "text": "t", "label": "favor"}) + "\n")
    files.check_not_labelled(gold)
    labelled = tmp_path / "sheet.csv"  # a CSV table of labels is still read as one
    pd.DataFrame([{"id": "a", "text": "t", "label": "favor"}]).to_csv(labelled, index=False)
    with pytest.raises(InputError, match="a file of people's labels"):
        files.check_not_labelled(labelled)


def test_a_label_file_whose_first_line_is_longer_than_the_look_is_still_refused(tmp_path, monkeypatch):
    """The look's ANSWER_SCAN_CHARS bounds the lines skipped, not the first object's own line: a label file whose
    first line held more characters (a label of a long text) had been taken for no label file and replaced."""
    monkeypatch.setattr(files, "ANSWER_SCAN_CHARS", 50)
    row = {"id": "a", "text": "Russia " * 20, "actor": "Russia", "label": "favor", "annotator": "ana"}
    answers = tmp_path / "answers.jsonl"
    answers.write_text(json.dumps(row) + "\n" + json.dumps({**row, "id": "b"}) + "\n")
    with pytest.raises(InputError, match="a label file holding 2 answers by people"):
        files.check_not_labels(answers)
    with pytest.raises(InputError, match="a file of people's labels"):
        files.check_not_labelled(answers)
    assert files.first_row(answers)["id"] == "a"


def test_a_compressed_table_without_a_format_before_its_compression_is_refused(tmp_path):
    """'items.gz' names no format before .gz: refused as 'unknown input extension', as before compressed tables
    were read; it had been read as JSON lines (a gzip'd CSV: 'malformed JSON' at line 1)."""
    import gzip

    path = tmp_path / "items.gz"
    path.write_bytes(gzip.compress(json.dumps({"id": "a", "text": "Russia won.", "actor": "Russia"}).encode() + b"\n"))
    with pytest.raises(InputError, match="unknown input extension '.gz'"):
        list(files.iter_table(path))
    (tmp_path / "items.jsonl.gz").write_bytes(path.read_bytes())
    assert [row["id"] for _, row in files.iter_table(tmp_path / "items.jsonl.gz")] == ["a"]


def workbooks(folder):
    """Files whose bytes are a workbook or an archive, each under a text file's name: an .xlsx, an .xlsm, an .ods
    (ZIP archives, told by their entries), a legacy .xls (an OLE2 compound file), and a ZIP archive of a CSV."""
    import zipfile

    made = {}
    for kind, entries in {".xlsx": {"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"},
                          ".xlsm": {"[Content_Types].xml": "<Types/>", "xl/vbaProject.bin": "\x00"},
                          ".ods": {"mimetype": "application/vnd.oasis.opendocument.spreadsheet",
                                   "content.xml": "<office:document-content/>"},
                          "zip": {"items.csv": "id,text\na,Russia won.\n"}}.items():
        path = folder / f"{kind.strip('.')}.csv"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in entries.items():
                archive.writestr(name, text)
        made[kind] = path
    made[".xls"] = folder / "xls.csv"
    made[".xls"].write_bytes(files.OLE2_MAGIC + bytes(range(256)) * 4)
    return made


def test_a_workbook_under_a_text_name_is_told_by_its_bytes(tmp_path):
    """An Excel or LibreOffice workbook renamed to .csv, .tsv, .jsonl or .txt was read as text: "not UTF-8 text
    (re-save it as UTF-8, or pass --encoding)", which sends the user to the wrong fix. Told by its bytes wherever a
    table, a label file, a manifest or an article is read, it gets the one line saying to save the sheet as CSV; a
    ZIP archive that is no workbook says so."""
    from classifier import ingest
    from classifier.labels import LabelStore, read_records

    for kind, made in workbooks(tmp_path).items():
        said = ("a ZIP archive, not text or a table" if kind == "zip"
                else f"a spreadsheet workbook ({kind}, by its bytes)")
        for suffix in (".csv", ".tsv", ".jsonl", ".txt", ".parquet"):
            path = made.rename(made.with_suffix(suffix))
            for read in (lambda p: list(files.iter_table(p)), lambda p: read_records([p]),
                         lambda p: LabelStore(p).check_appendable("--labels"),
                         lambda p: ingest.read_manifest(p, tmp_path)):
                with pytest.raises(InputError) as error:
                    read(path)
                assert str(error.value).startswith(f"{path}: {said}"), str(error.value)
                assert "\n" not in str(error.value) and "UTF-8 text" not in str(error.value)
            made = path
        with pytest.raises(ValueError, match=said.replace("(", r"\(").replace(")", r"\)")):
            ingest.decode(made.read_bytes())  # an article file of a folder
    plain = tmp_path / "plain.csv"  # text that starts as ZIP's magic does not is read as ever
    plain.write_text("id,text\nPK,Russia won.\n")
    assert [row for _, row in files.iter_table(plain)] == [{"id": "PK", "text": "Russia won."}]


def test_an_output_over_a_workbook_is_refused_whatever_its_name(tmp_path):
    """A workbook saved as "labels.csv" was replaced by 'prepare --out' or 'classify --out': no check could read it
    as labels. No command writes a workbook, so one there is someone's sheet: refused before any work; a ZIP
    archive that is no workbook is replaced as any output."""
    for kind, made in workbooks(tmp_path).items():
        if kind == "zip":
            assert files.output_format(made) == "csv"
            continue
        before = made.read_bytes()
        with pytest.raises(InputError, match=rf"^--out {made}: a spreadsheet workbook \({kind}, by its bytes\), which"):
            files.output_format(made)
        assert made.read_bytes() == before


def compress(kind: str, data: bytes) -> bytes:
    import bz2
    import gzip
    import lzma

    return {"gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress, "zst": zstd_compress}[kind](data)


def zstd_compress(data: bytes) -> bytes:
    """One zstd frame, as ``zstd -c`` writes (pyarrow's codec: no zstd tool or package needed)."""
    import pyarrow as pa

    return pa.compress(data, codec="zstd", asbytes=True)


@pytest.mark.parametrize("kind", ["gz", "bz2", "xz", "zst"])
def test_a_compressed_table_reads_as_the_plain_one(tmp_path, kind):
    """articles.jsonl.gz (news dumps ship so) was "unknown input extension '.gz'"; under a plain name it was "not
    UTF-8 text". Its rows and line numbers are the plain file's, its errors name the line, and an --encoding or a
    byte-order mark applies to the text inside. A .zst file (big news dumps ship so) had been refused as one no
    reader was installed for; it is read as the others are (``io.files.ZstdReader``)."""
    jsonl = b'{"id": "a", "text": "Russia won."}\n\n{"id": "b", "text": "NATO met."}\n'
    tables = {"t.jsonl": jsonl, "t.csv": "\ufeffid;text\na;Le président\n".encode("utf-8"),
              "legacy.csv": "id,text\na,Le président\n".encode("cp1252")}
    for name, data in tables.items():
        plain, packed = tmp_path / name, tmp_path / f"{name}.{kind}"
        plain.write_bytes(data)
        packed.write_bytes(compress(kind, data))
        encoding = "cp1252" if name.startswith("legacy") else None
        assert list(files.iter_table(packed, encoding=encoding)) == list(files.iter_table(plain, encoding=encoding))
    assert [n for n, _ in files.iter_table(tmp_path / f"t.jsonl.{kind}")] == [1, 3]
    assert list(files.iter_table(tmp_path / f"t.csv.{kind}")) == [(2, {"id": "a", "text": "Le président"})]
    unnamed = tmp_path / "unnamed.jsonl"  # told by its bytes: read, not "not UTF-8 text"
    unnamed.write_bytes(compress(kind, jsonl))
    assert len(list(files.iter_table(unnamed))) == 2
    broken = tmp_path / f"broken.jsonl.{kind}"
    broken.write_bytes(compress(kind, jsonl + b'{"id": "c", "text": \n'))
    with pytest.raises(InputError, match=rf"^{broken}:4: malformed JSON"):
        list(files.iter_table(broken))
    with pytest.raises(InputError, match=rf"^{tmp_path / 'legacy.csv'}.{kind}:2: not UTF-8 text"):
        list(files.iter_table(tmp_path / f"legacy.csv.{kind}"))


def test_a_line_cut_off_is_said_to_look_cut_off(tmp_path):
    """A JSON lines file cut off mid-line (a truncated download, a copy that stopped) was "malformed JSON (Invalid
    control character, column 36)" or "(Unterminated string starting, ...)", read as a bad character: a line that ends
    inside a string, or a last line whose object is left open, is now said to look cut off. A line left open before
    another is not (a pretty-printed object, not a cut)."""
    whole = '{"id": "a", "text": "Russia was blamed.", "actor": "Russia"}\n'
    cases = {  # the file's text: the line named and what is said of it
        whole + '{"id": "b", "text": "Russia was bla\n' + whole:
            (2, r"malformed JSON \(Invalid control character, column 36\); the line ends inside a string: it looks "
                r"cut off \(truncated: .*\), or a line break was written raw inside a string"),
        whole + '{"id": "b", "text": "Russia was bla':
            (2, r"malformed JSON \(Unterminated string starting, column 21\); the line ends inside a string: it looks "
                r"cut off \(truncated: a download or a copy that stopped part-way\?\)$"),
        whole + '{"id": "b", "text": "Russia was blamed.", "actor": "Russia"':
            (2, r"malformed JSON \(Expecting ',' delimiter, column 60\); the file's last line ends before its "
                r"object closes: it looks cut off \(truncated"),
    }
    for n, (text, (line, said)) in enumerate(cases.items()):
        for name, data in ((f"t{n}.jsonl", text.encode()), (f"t{n}.jsonl.gz", compress("gz", text.encode()))):
            path = tmp_path / name
            path.write_bytes(data)
            with pytest.raises(InputError, match=rf"^{re.escape(str(path))}:{line}: {said}") as caught:
                list(files.iter_table(path))
            assert "\n" not in str(caught.value)
    opened = tmp_path / "opened.jsonl"  # an object left open with a line after it: not a cut
    opened.write_text('{"id": "a", "text": "x"\n' + whole)
    with pytest.raises(InputError, match=r":1: malformed JSON \(Expecting ',' delimiter, column \d+\)$"):
        list(files.iter_table(opened))


def test_a_zstd_file_opening_with_a_skippable_frame_is_read(tmp_path):
    """pzstd (zstd's parallel tool) opens a file with a skippable frame (magic 0x184D2A50, then its size, then the
    next frame's length) before each zstd frame; zstd -d reads it, but its first bytes were not zstd's magic: "named
    .zst, but it is not compressed", and under a plain name "not UTF-8 text". It is read as the zstd file it is."""
    jsonl = b'{"id": "a", "text": "Russia won."}\n{"id": "b", "text": "NATO met."}\n'
    frame = zstd_compress(jsonl)
    packed = b"".join(b"\x50\x2a\x4d\x18" + (4).to_bytes(4, "little") + len(part).to_bytes(4, "little") + part
                      for part in (frame, zstd_compress(jsonl.replace(b'"a"', b'"c"').replace(b'"b"', b'"d"'))))
    plain = tmp_path / "t.jsonl"
    plain.write_bytes(jsonl + jsonl.replace(b'"a"', b'"c"').replace(b'"b"', b'"d"'))
    for name in ("t.jsonl.zst", "unnamed.jsonl"):
        (tmp_path / name).write_bytes(packed)
        assert list(files.iter_table(tmp_path / name)) == list(files.iter_table(plain)), name
    assert files.magic_compression(packed[:10]) == "zstd"
    assert files.magic_compression(b"P*M is a header\n") is None  # text: no 0x18 byte


def test_a_cut_off_or_damaged_compressed_file_is_one_line_naming_it(tmp_path):
    """A truncated download or a damaged archive is one line naming the file and the line it got to, not a
    traceback from gzip, bz2 or lzma."""
    import gzip

    lines = b"".join(b'{"id": "%d", "text": "%s"}\n' % (i, b"Russia won. " * (i % 7)) for i in range(2000))
    for kind in ("gz", "bz2", "xz", "zst"):
        packed = compress(kind, lines)
        cut = tmp_path / f"cut.jsonl.{kind}"
        cut.write_bytes(packed[:len(packed) // 2])
        with pytest.raises(InputError) as error:
            list(files.iter_table(cut))
        said = str(error.value)
        kind_name = {"gz": "gzip", "bz2": "bz2", "xz": "xz", "zst": "zstd"}[kind]
        assert re.match(rf"^{cut}:\d+: {kind_name} data cut off or damaged \(", said) and "\n" not in said, said
        assert 1 <= int(said.split(":")[1]) <= 2001  # bzip2's one 900 KB block gives no row before its end
    crc = tmp_path / "crc.csv.gz"  # the CRC at the end: every row decompresses, the check fails after the last
    crc.write_bytes(gzip.compress(b"id,text\n" + b"a,b\n" * 3)[:-6] + b"\0\0\0\0\0\0")
    with pytest.raises(InputError, match=rf"^{crc}:5: gzip data cut off or damaged \("):
        list(files.iter_table(crc))
    header = tmp_path / "header.jsonl.gz"
    header.write_bytes(b"\x1f\x8b\x08")  # cut inside gzip's header
    with pytest.raises(InputError, match=rf"^{header}:1: gzip data cut off or damaged"):
        list(files.iter_table(header))


def test_a_compressed_name_that_its_bytes_deny_and_what_is_not_read(tmp_path):
    plain = tmp_path / "plain.jsonl.gz"
    plain.write_bytes(b'{"id": "a", "text": "b"}\n')
    with pytest.raises(InputError, match=rf"^{plain}: named .gz, but it is not compressed \(not gzip data"):
        list(files.iter_table(plain))
    other = tmp_path / "other.jsonl.gz"
    other.write_bytes(compress("xz", b'{"id": "a"}\n'))
    with pytest.raises(InputError, match=rf"^{other}: named .gz, but it is xz data"):
        list(files.iter_table(other))
    zst = tmp_path / "t.jsonl.zst"
    zst.write_bytes(b'{"id": "a"}\n')
    with pytest.raises(InputError, match=rf"^{zst}: named .zst, but it is not compressed \(not zstd data"):
        list(files.iter_table(zst))
    zst.write_bytes(files.ZSTD_MAGIC + b"\0" * 20)  # zstd's magic, then no frame
    with pytest.raises(InputError, match=rf"^{zst}:1: zstd data cut off or damaged"):
        list(files.iter_table(zst))
    parquet = tmp_path / "t.parquet.gz"
    parquet.write_bytes(compress("gz", b"PAR1"))
    with pytest.raises(InputError, match=rf"^{parquet}: a compressed Parquet file"):
        list(files.iter_table(parquet))
    tsv = tmp_path / "t.tsv.gz"
    tsv.write_bytes(compress("gz", b"id\ttext\n"))
    with pytest.raises(InputError, match=rf"^{tsv}: a tab-separated table is read as CSV .*: rename it t.csv.gz$"):
        list(files.iter_table(tsv))
    for name in ("out.jsonl.gz", "out.csv.bz2", "out.parquet.zst"):  # nothing is written compressed
        with pytest.raises(InputError, match=r"outputs are not written compressed"):
            files.output_format(tmp_path / name)
    header = tmp_path / "bz.csv"  # a header that starts as bzip2's magic is text
    header.write_text("BZh,text\n1,b\n")
    assert list(files.iter_table(header)) == [(2, {"BZh": "1", "text": "b"})]


def test_a_read_error_part_way_through_a_jsonl_file_is_one_line_naming_file_and_line(tmp_path, monkeypatch):
    import errno
    import io

    from classifier.io import files

    path = tmp_path / "items.jsonl"
    path.write_text('{"id": "a"}\n{"id": "b"}\n')

    class FailingDisk(io.StringIO):
        def __iter__(self):
            yield '{"id": "a"}\n'
            raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(files, "open_text", lambda *args, **kwargs: FailingDisk())
    rows = files.iter_jsonl(path)
    assert next(rows) == (1, {"id": "a"})
    with pytest.raises(files.InputError, match=r"items\.jsonl:2: cannot read \(Input/output error\)"):
        next(rows)


def test_a_compressed_line_over_its_bound_is_not_read_whole(tmp_path, monkeypatch):
    """200 KB of gzip held one 200 MB line, read whole (600 MB of memory) before --max-article-chars skipped its
    article: a compressed table's line (a CSV row: its quoted line breaks too) over COMPRESSED_LINE_CHARS is one
    line naming the file and line, or skipped where the reader says so; the lines around it read as before, and a
    plain file's lines are not bounded."""
    monkeypatch.setattr(files, "COMPRESSED_LINE_CHARS", 100)
    big = '{"id": "big", "text": "%s"}\n' % ("a" * 500)
    jsonl = ('{"id": "a", "text": "Russia won."}\n' + big + '{"id": "b", "text": "NATO met."}\n').encode()
    for kind in ("gz", "bz2", "xz"):
        packed = tmp_path / f"t.jsonl.{kind}"
        packed.write_bytes(compress(kind, jsonl))
        with pytest.raises(InputError, match=rf"^{packed}:2: line of more than 100 characters unpacked from "):
            list(files.iter_table(packed))
    skipped = []
    rows = list(files.iter_table(tmp_path / "t.jsonl.gz", on_long_line=lambda n, why: skipped.append(n)))
    assert [n for n, _ in rows] == [1, 3] and skipped == [2]
    plain = tmp_path / "plain.jsonl"
    plain.write_bytes(jsonl)
    assert [n for n, _ in files.iter_table(plain)] == [1, 2, 3]
    for n, body in ((3, "id,text\na,b\nbig," + "c" * 200 + "\nd,e\n"),
                    (3, 'id,text\na,b\nbig,"' + "c\n" * 100 + '"\nd,e\n'),  # one row of many short lines
                    (1, "id," + "x" * 200 + "\na,b\n")):
        table = tmp_path / "t.csv.gz"
        table.write_bytes(compress("gz", body.encode()))
        with pytest.raises(InputError, match=rf"^{table}:{n}: (row|line) of more than 100 characters"):
            list(files.iter_table(table))
    table.write_bytes(compress("gz", b'id,text\na,"b\nc"\nd,e\n'))
    assert list(files.iter_table(table)) == [(2, {"id": "a", "text": "b\nc"}), (4, {"id": "d", "text": "e"})]


def test_a_compressed_workbook_is_told_by_its_unpacked_bytes(tmp_path):
    """An .xlsx gzip'd (book.jsonl.gz, or gzip bytes under book.csv) said "not UTF-8 text (... pass --encoding)": the
    workbook check reads the unpacked bytes too, and a compressed ZIP archive that is no workbook says so."""
    for kind, made in workbooks(tmp_path).items():
        said = ("a ZIP archive, not text or a table" if kind == "zip"
                else f"a spreadsheet workbook ({kind}, by its bytes)")
        for packing in ("gz", "bz2", "xz", "zst"):
            name = {"gz": "gzip", "bz2": "bz2", "xz": "xz", "zst": "zstd"}[packing]
            for path in (tmp_path / f"book.jsonl.{packing}", tmp_path / "book.csv"):
                path.write_bytes(compress(packing, made.read_bytes()))
                with pytest.raises(InputError) as error:
                    list(files.iter_table(path))
                assert str(error.value).startswith(f"{path}: {name}-compressed, and inside it {said}"), error.value
    text = tmp_path / "t.jsonl.gz"  # a compressed table is read as before
    text.write_bytes(compress("gz", b'{"id": "PK", "text": "Russia won."}\n'))
    assert [row for _, row in files.iter_table(text)] == [{"id": "PK", "text": "Russia won."}]


def test_an_output_over_a_compressed_workbook_is_refused_as_its_readers_refuse_it(tmp_path):
    """Gzip bytes of an .xlsx under labels.csv were a workbook to every reader (by the unpacked bytes) but not to the
    --out check, which read the bytes on disk only: 'prepare --out labels.csv' replaced the sheet. Both read the
    unpacked bytes; a compressed ZIP archive that is no workbook is replaced as any output."""
    for kind, made in workbooks(tmp_path).items():
        for packing, name in (("gz", "gzip"), ("bz2", "bz2"), ("xz", "xz"), ("zst", "zstd")):
            path = tmp_path / f"labels-{kind.strip('.')}-{packing}.csv"
            path.write_bytes(compress(packing, made.read_bytes()))
            before = path.read_bytes()
            if kind == "zip":
                assert files.output_format(path) == "csv"
                continue
            with pytest.raises(InputError, match=rf"^--out {path}: a spreadsheet workbook \({name}-compressed, "
                                                  rf"{kind}, by its bytes\), which writing it would replace"):
                files.output_format(path)
            assert path.read_bytes() == before


def test_the_first_undecodable_line_of_a_compressed_file_is_found_without_reading_a_line_whole(tmp_path):
    """first_undecodable_line read each unpacked line whole: a 39 KB gzip of a 9 MB line with a byte that is not UTF-8
    peaked at 27 MB of Python's allocations (tracemalloc); read a piece at a time, 3.2 MB, the same line named."""
    import gzip
    import tracemalloc

    path = tmp_path / "bomb.jsonl.gz"
    path.write_bytes(gzip.compress(b"ok\n" + b"a" * 9_000_000 + b"\xff\n", compresslevel=1))
    tracemalloc.start()
    try:
        line = files.first_undecodable_line(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert line == 2 and peak < 4_000_000


@pytest.mark.parametrize("data, line", [
    ("é€\n😀é\n".encode() * 3 + b"ok\n\xff\n", 8),
    ("é€\n😀é\n".encode() * 3, 1),  # none: as before, line 1
    (b"a\r\nb\rc\n\xe2\x82\n", 3),  # a character cut by the line break; lines end at \n alone, as before
    ("x€".encode()[:-1], 1),  # cut off at the end
    ("a\nb€".encode()[:-1], 2),
], ids=["line 8", "none", "cut by a line break", "cut off at the end", "cut off on line 2"])
def test_the_first_undecodable_line_counts_lines_across_pieces(tmp_path, monkeypatch, data, line):
    """Read 3 bytes at a time, a character cut between two pieces is no error, and the line is the byte's."""
    import gzip

    monkeypatch.setattr(files, "UNDECODABLE_PIECE_BYTES", 3, raising=False)
    for path in (tmp_path / "t.jsonl", tmp_path / "t.jsonl.gz"):
        path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
        assert files.first_undecodable_line(path) == line


def test_a_compressed_tables_header_does_not_count_toward_its_first_rows_bound(tmp_path, monkeypatch):
    """A compressed CSV table's rows are each bounded by COMPRESSED_LINE_CHARS; the header's characters had been
    counted with the first row's, so a first row under the bound was refused where the header and it were over."""
    monkeypatch.setattr(files, "COMPRESSED_LINE_CHARS", 100)
    table = tmp_path / "t.csv.gz"
    row = "a," + "y" * 93 + "\n"  # 96 characters; the header's 8 with it are 104
    table.write_bytes(compress("gz", ("id,text\n" + row + row.replace("a,", "b,")).encode()))
    assert [n for n, _ in files.iter_table(table)] == [2, 3]


def test_a_csv_header_is_its_first_record_as_csv_reads_it_bounded(tmp_path, monkeypatch):
    """csv_header read the header's first physical line: a quoted name holding a line break cut the header there,
    and every table reader (predictions, articles, labels) said 'more fields than the header has'. The header is
    now the first record as the csv module reads it, compressed too, read a bounded piece at a time: a quote never
    closed is an error at line 1, not the whole file read as the header."""
    import gzip

    text = '"note\nby desk",id,text\nx,a1,"Russia won,\nsaid A."\n'
    (tmp_path / "t.csv").write_text(text)
    (tmp_path / "t.csv.gz").write_bytes(gzip.compress(text.encode()))
    for name in ("t.csv", "t.csv.gz"):
        assert list(files.iter_table(tmp_path / name)) == [
            (3, {"note\nby desk": "x", "id": "a1", "text": "Russia won,\nsaid A."})], name
    monkeypatch.setattr(files, "COMPRESSED_LINE_CHARS", 1000)
    (tmp_path / "open.csv").write_text('id,"text\n' + "Russia won.\n" * 500)
    with pytest.raises(InputError, match=r":1: the header does not end within 1,000 characters of its first line"):
        list(files.iter_table(tmp_path / "open.csv"))


def test_a_compressed_csv_whose_header_quote_never_closes_says_so_not_a_decompression_bomb(tmp_path, monkeypatch):
    """A .gz CSV table whose header opens a quote it never closes was 'row of more than ... characters unpacked
    from gzip data, not read (a decompression bomb, ...)'; it says, as the plain file does, that the header does not
    end (a quote never closed), and a first line over the bound is still a row too long."""
    monkeypatch.setattr(files, "COMPRESSED_LINE_CHARS", 1000)
    (tmp_path / "open.csv.gz").write_bytes(compress("gz", ('id,"text\n' + "a1,Russia won.\n" * 500).encode()))
    with pytest.raises(InputError) as said:
        list(files.iter_table(tmp_path / "open.csv.gz"))
    assert str(said.value) == (f"{tmp_path / 'open.csv.gz'}:1: the header does not end within 1,000 characters (a "
                               "quote opened and never closed?)")
    (tmp_path / "long.csv.gz").write_bytes(compress("gz", ("id,text" + "x" * 1200 + "\na1,b\n").encode()))
    with pytest.raises(InputError, match=r"long.csv.gz:1: row of more than 1,000 characters unpacked"):
        list(files.iter_table(tmp_path / "long.csv.gz"))


def test_a_one_column_csv_named_with_a_semicolon_is_one_column_and_a_spreadsheet_s_semicolons_still_split(tmp_path):
    """The delimiter was the first of ',', ';' and tab in the header's line, inside quotes too: a one-column table
    named 'text;body' (Python's csv writer quotes no ';') was the two columns 'text' and 'body', and '"a,b";c' one
    column. A delimiter must now split the header as csv reads it, and a ';' or a tab one of the first rows too
    (a European spreadsheet's rows each hold one, an empty cell's too)."""
    cases = {"text;body\nRussia won.\nChina lost.\n": [{"text;body": "Russia won."}, {"text;body": "China lost."}],
             "id;text\na1;Russia won, said A.\na2;\n": [{"id": "a1", "text": "Russia won, said A."},
                                                       {"id": "a2", "text": None}],
             '"a,b";c\n1;2\n': [{"a,b": "1", "c": "2"}],
             "id\ttext\na1\tRussia won; China lost.\n": [{"id": "a1", "text": "Russia won; China lost."}],
             '"text;body"\n"Russia won; China lost."\n': [{"text;body": "Russia won; China lost."}]}
    for i, (text, rows) in enumerate(cases.items()):
        (tmp_path / f"{i}.csv").write_text(text)
        assert [row for _, row in files.iter_table(tmp_path / f"{i}.csv")] == rows, text
    (tmp_path / "header.csv").write_text("id;text\n")  # no rows to tell by: a spreadsheet's header
    with (tmp_path / "header.csv").open(newline="") as fh:
        assert files.csv_header(tmp_path / "header.csv", fh) == (["id", "text"], ";", 0)


def test_a_one_column_csv_whose_text_holds_a_semicolon_in_some_rows_is_not_split(tmp_path):
    """A one-column table named 'text;body' whose text held a ';' in one of its rows was read as a ';' table: that
    row split in two, the others' 'body' empty, with no word. A ';' must split each row (blank lines aside), as a
    spreadsheet's rows each hold one; a spreadsheet's table with a blank line and an empty cell still splits."""
    text = "text;body\nRussia warned NATO; the talks ended.\nChina said nothing.\n"
    (tmp_path / "one.csv").write_text(text)
    assert [row for _, row in files.iter_table(tmp_path / "one.csv")] == [
        {"text;body": "Russia warned NATO; the talks ended."}, {"text;body": "China said nothing."}]
    (tmp_path / "sheet.csv").write_text("id;text\na1;Russia won; said A.\n\na2;\n")
    with pytest.raises(InputError, match=r"sheet.csv:2: more fields"):
        list(files.iter_table(tmp_path / "sheet.csv"))  # a ';' left unquoted in a ';' table: named, as before
    (tmp_path / "sheet.csv").write_text("id;text\na1;Russia won.\n\na2;\n")
    assert [row for _, row in files.iter_table(tmp_path / "sheet.csv")] == [{"id": "a1", "text": "Russia won."},
                                                                           {"id": "a2", "text": None}]


def test_a_spreadsheet_s_delimiter_hint_line_is_read_as_the_hint_by_every_csv_reader(tmp_path):
    """A CSV exported by European Excel may open with 'sep=;' (its delimiter hint): it was read as a header of one
    column 'sep=', and prepare refused the table ("more fields than the header has"). The hint names the delimiter,
    the header is the line after it, and each reader reads the rows so: row by row (line numbers those of the file),
    Arrow's blocks, the first row's and the answer cells' sniffing, a table told by its content; one for a delimiter
    not read is refused in one line."""
    import gzip

    rows = [{"id": "a1", "text": "Russia won, said A.", "label": "favor", "annotator": "ana"},
            {"id": "a2", "text": None, "label": "against", "annotator": "ana"}]
    text = "sep=;\r\nid;text;label;annotator\r\na1;Russia won, said A.;favor;ana\r\na2;;against;ana\r\n"
    (tmp_path / "sheet.csv").write_text(text, newline="")
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbf" + text.encode())
    (tmp_path / "sheet.csv.gz").write_bytes(gzip.compress(text.encode()))
    for name in ("sheet.csv", "bom.csv", "sheet.csv.gz"):
        path = tmp_path / name
        assert list(files.iter_table(path)) == [(3, rows[0]), (4, rows[1])], name
        blocks = list(files.table_blocks(path))
        assert [(line, block is not None) for line, block in blocks] == [(3, True)], name
        assert blocks[0][1].to_pylist() == rows, name
        assert files.first_row(path) == {**rows[0]}, name
        assert [cells["label"] for cells in files.text_answer_rows(path)] == ["favor", "against"], name
    assert files.format_by_content("-", text, lambda names: "text" in names) == "csv"  # standard input, as told
    (tmp_path / "tab.csv").write_text("sep=\t\nid\ttext\na1\tRussia won; China lost.\n")
    assert list(files.iter_table(tmp_path / "tab.csv")) == [(3, {"id": "a1", "text": "Russia won; China lost."})]
    (tmp_path / "pipe.csv").write_text("sep=|\nid|text\na1|Russia won.\n")
    with pytest.raises(InputError, match=r"pipe.csv:1: 'sep=\|' is a spreadsheet's delimiter hint for '\|', which "
                                         r"is not read \(a comma, a semicolon or a tab is\); save the table as CSV"):
        list(files.iter_table(tmp_path / "pipe.csv"))


def test_a_csv_tables_last_row_read_to_its_end_tells_its_delimiter(tmp_path):
    """The rows after a CSV header tell a ';' or tab delimiter; the last one read was dropped as cut off by the
    lookahead even where the read reached the table's end: a ';' table with a blank line after its header and one
    row was a one-column table 'id;text' (prepare: "missing fields 'id' and 'text'"), which it was not before the
    rows were asked, and a tab table with a ';' in a name was split at the ';'."""
    cases = {"id;text\n\na1;Russia won.\n": [{"id": "a1", "text": "Russia won."}],
             "id\tnote;by desk\na1\tRussia won.\n": [{"id": "a1", "note;by desk": "Russia won."}],
             "text;body\nRussia won.\n": [{"text;body": "Russia won."}]}
    for i, (text, rows) in enumerate(cases.items()):
        (tmp_path / f"{i}.csv").write_text(text)
        assert [row for _, row in files.iter_table(tmp_path / f"{i}.csv")] == rows, text


def test_objects_whose_keys_differ_read_back_with_their_own_keys(tmp_path, monkeypatch):
    """Arrow joins objects into a struct of every key: {"ana": 1} beside {"ana": 2, "cy": 3} read back as {"ana": 1,
    "cy": None}, within one part or across parts. Such a column is now JSON text; objects of one shape stay a struct."""
    rows = [{"id": "a", "votes": {"ana": "favor"}, "probs": {"favor": 0.5}},
            {"id": "b", "votes": {"ana": "against", "cy": "favor"}, "probs": {"favor": 0.25}},
            {"id": "c", "votes": None, "probs": {"favor": 1.0}}]
    for part_rows in (20_000, 1):
        monkeypatch.setattr(files, "PARQUET_PART_ROWS", part_rows)
        path = tmp_path / f"t{part_rows}.parquet"
        write_records(path, rows)
        assert [row for _, row in iter_parquet(path)] == rows
        schema = pq.read_schema(path)
        assert schema.field("votes").type == pa.string() and pa.types.is_struct(schema.field("probs").type)


def test_parts_whose_objects_have_one_shape_join_as_one_struct(tmp_path):
    """Parts whose objects have the same keys join as a struct, a key's values promoted (1 beside 1.5, null in one
    part, keys in another order); only other keys make the column JSON text. The whole types had been compared."""
    cases = [([{"p": {"x": 1, "y": 2.0}}], [{"p": {"x": 1.5, "y": 2.0}}]),
             ([{"p": {"x": 1.0, "y": 2.0}}], [{"p": {"x": None, "y": 2.0}}]),
             ([{"p": {"x": 1.0, "y": 2.0}}], [{"p": {"y": 1.0, "x": 2.0}}]),
             ([{"p": [{"x": 1}]}], [{"p": [{"x": 2.5}]}])]
    for i, (first, second) in enumerate(cases):
        parts = [tmp_path / f"{i}a.parquet", tmp_path / f"{i}b.parquet"]
        for part, rows in zip(parts, (first, second)):
            pq.write_table(files.arrow_table(rows), part)
        files.join_parquet(parts, tmp_path / f"{i}.parquet")
        assert not files.is_json_text(pq.read_schema(tmp_path / f"{i}.parquet").field("p")), (first, second)
        assert [row for _, row in iter_parquet(tmp_path / f"{i}.parquet")] == first + second
    parts = [tmp_path / "ka.parquet", tmp_path / "kb.parquet"]
    pq.write_table(files.arrow_table([{"p": {"x": 1.0}}]), parts[0])
    pq.write_table(files.arrow_table([{"p": {"x": 1.0, "z": 2.0}}]), parts[1])
    assert files.is_json_text(files.joint_schema(parts).field("p"))


def test_objects_deep_in_lists_and_objects_are_checked_for_their_keys(tmp_path):
    """same_keys looks at each place a struct stands (in a list, in an object, in a list in an object), by key."""
    cases = {"list": ([{"x": 1}], [{"x": 1, "y": 2}]), "object in object": ({"a": {"x": 1}}, {"a": {"y": 1}}),
             "list in object": ({"a": [{"x": 1}, {"x": 2}]}, {"a": [{"x": 1, "y": 2}]}),
             "list in list": ([[{"x": 1}]], [[{"y": 1}], None])}
    for name, (first, second) in cases.items():
        table = files.arrow_table([{"v": first}, {"v": None}, {"v": second}])
        assert files.is_json_text(table.schema.field("v")), name
    same = files.arrow_table([{"v": {"a": [{"x": 1}], "b": 1}}, {"v": {"b": 2.5, "a": [{"x": None}, None]}}])
    assert pa.types.is_struct(same.schema.field("v").type)


def test_a_spreadsheet_table_with_one_short_row_keeps_its_delimiter(tmp_path):
    """A ';' or tab table with one row of no delimiter among its first rows (a footer "Total", a line of a space, a
    short row) was read as one column named 'id;text;actor': each row had to split. More than half must."""
    cases = {"total.csv": "id;text;actor\n1;a b;Russia\n2;c;China\nTotal\n",
             "space.csv": "id;text;actor\n1;a b;Russia\n \n2;c;China\n",
             "short.csv": "id\ttext\tactor\n1\ta b\tRussia\n2\n3\tc\tChina\n"}
    for name, text in cases.items():
        (tmp_path / name).write_text(text)
        rows = [row for _, row in files.iter_table(tmp_path / name)]
        assert list(rows[0]) == ["id", "text", "actor"] and rows[0]["actor"] == "Russia", name
    (tmp_path / "one.csv").write_text("text;body\nRussia warned NATO; the talks ended.\nChina said nothing.\nNo.\n")
    assert list(next(files.iter_table(tmp_path / "one.csv"))[1]) == ["text;body"]
