"""Inputs given as "-" (standard input), as a pipe (a shell's <(cat FILE) is /dev/fd/63) or under a name without a
suffix (/dev/stdin < a.csv): saved once to a temporary file named by its content (io.files.spooled_input) and read
as a file of that format is, compressed too; messages name the input as it was given."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from classifier.cli.app import app

sys.path.insert(0, str(Path(__file__).parent))
from stance_runs import Run, stance_runs  # noqa: E402  (many command lines in one process, each its own streams)
from test_hostile_inputs import written_pipe  # noqa: E402  (a pipe, as <(cat FILE) gives one)

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()
ARTICLES = [{"id": "a1", "text": "Russia warned NATO on Monday. China stayed silent.", "source": "RT"},
            {"id": "a2", "text": "Ukraine thanked the European Union for its help.", "source": "BBC"}]


def stance(*args, stdin: bytes | int | None = None, tmp: Path | None = None,
           cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """``stance ARGS`` run as a user runs it in ``cwd``, its standard input ``stdin`` (bytes, or a file descriptor),
    its standard output and error captured (``stdout=PIPE``), its temporary files in ``tmp``."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), **({"TMPDIR": str(tmp)} if tmp else {}))
    given = {"input": stdin} if isinstance(stdin, bytes) else {"stdin": stdin if stdin is not None else subprocess.DEVNULL}
    return subprocess.run([sys.executable, "-m", "classifier", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, timeout=600, **given)


def jsonl(rows: list[dict]) -> bytes:
    return b"".join(json.dumps(row).encode() + b"\n" for row in rows)


def test_prepare_reads_standard_input_a_pipe_and_a_name_without_a_suffix_as_the_file(tmp_path):
    """'zcat a.jsonl.gz | stance prepare - --out items.jsonl' said '-: no such file or folder', <(cat a.csv) 'not a
    regular file (a pipe)' and /dev/stdin < a.jsonl 'unsupported input'. Each now gives the items the file gives,
    compressed bytes and Parquet told by their content; the temporary file is gone after the run, an error too."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = tmp_path / "articles.jsonl"
    table.write_bytes(jsonl(ARTICLES))
    expected = runner.invoke(app, ["prepare", str(table), "--out", str(tmp_path / "expected.jsonl"), "-q"])
    assert expected.exit_code == 0, expected.output
    pq.write_table(pa.Table.from_pylist(ARTICLES), tmp_path / "articles.parquet")
    csv_text = "id,text,source\n" + "".join(f'{a["id"]},"{a["text"]}",{a["source"]}\n' for a in ARTICLES)
    spool = tmp_path / "tmp"
    spool.mkdir()
    given = (("jsonl", jsonl(ARTICLES)), ("gzip", gzip.compress(jsonl(ARTICLES))), ("csv", csv_text.encode()),
             ("csv.gz", gzip.compress(csv_text.encode())), ("parquet", (tmp_path / "articles.parquet").read_bytes()))
    *formats, redirected, broken, prose = stance_runs(
        tmp_path / "runs", *(Run(("prepare", "-", "--out", tmp_path / f"items-{name}.jsonl", "-q"), stdin=data,
                                 tmp=spool) for name, data in given),
        # /dev/stdin < articles.jsonl: a regular file, its name says no format
        Run(("prepare", "/dev/stdin", "--out", tmp_path / "stdin.jsonl", "-q"), stdin=table, tmp=spool),
        Run(("prepare", "-", "--out", tmp_path / "broken.jsonl"), stdin=jsonl(ARTICLES[:1]) + b"{bad\n", tmp=spool),
        Run(("prepare", "-", "--out", tmp_path / "prose.jsonl"), stdin=b"Russia warned NATO.\n", tmp=spool))
    for (name, _), result in zip(given, formats):
        assert result.returncode == 0, (name, result.stderr)
        assert (tmp_path / f"items-{name}.jsonl").read_bytes() == (tmp_path / "expected.jsonl").read_bytes(), name
    with written_pipe(gzip.compress(csv_text.encode())) as pipe:  # <(cat articles.csv.gz)
        result = runner.invoke(app, ["prepare", pipe, "--out", str(tmp_path / "piped.jsonl"), "-q"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "piped.jsonl").read_bytes() == (tmp_path / "expected.jsonl").read_bytes()
    assert redirected.returncode == 0, redirected.stderr
    assert (tmp_path / "stdin.jsonl").read_bytes() == (tmp_path / "expected.jsonl").read_bytes()
    assert broken.returncode == 1 and b"Traceback" not in broken.stderr
    assert broken.stderr.decode().startswith("error: -:2: malformed JSON"), broken.stderr  # named as given
    assert not (tmp_path / "broken.jsonl").exists()
    assert b"-: read by its content (its name says no format): not JSON lines" in prose.stderr, prose.stderr
    assert b"nor a CSV table with a 'text' column" in prose.stderr
    assert not list(spool.iterdir())  # every saved input removed, after an error too


def test_standard_input_at_a_terminal_is_named_as_one():
    """'stance prepare -' with nothing piped in would wait for typing; one line says what to do instead."""
    import pty

    leader, follower = pty.openpty()
    try:
        result = stance("prepare", "-", "--out", "never.jsonl", stdin=follower)
    finally:
        os.close(follower)
        os.close(leader)
    assert result.returncode == 1, result.stderr
    assert result.stderr.decode().strip() == ("error: -: standard input is a terminal, not a file; redirect a file "
                                              "into it (< FILE), pipe one in, or give the file's path")
    assert not (ROOT / "never.jsonl").exists()


def test_classify_evaluate_and_report_read_standard_input(tmp_path, tiny_model_dir):
    """classify, evaluate and report read "-" and a pipe as the file (classify's second pass, and a rerun told by
    its items, too); what they record names the input as given, not the temporary file."""
    items = tmp_path / "items.jsonl"
    rows = [{"id": f"i{n}", "text": f"Russia warned NATO ({n}).", "actor": "Russia", "spans": [[0, 6]],
             "article": f"a{n % 6}", "source": "RT" if n % 2 else "BBC",
             "label": ("favor", "against", "neutral")[n % 3]} for n in range(30)]
    items.write_bytes(jsonl(rows))
    expected = tmp_path / "expected.jsonl"
    assert runner.invoke(app, ["classify", str(items), "--out", str(expected), "--model", str(tiny_model_dir),
                               "-q"]).exit_code == 0
    piped = tmp_path / "piped.jsonl"
    result = runner.invoke(app, ["classify", "-", "--out", str(piped), "--model", str(tiny_model_dir), "-q"],
                           input=gzip.compress(items.read_bytes()))  # a real pipe into classify: the test below
    assert result.exit_code == 0, result.output
    assert piped.read_bytes() == expected.read_bytes()
    again = runner.invoke(app, ["classify", "-", "--out", str(piped), "--model", str(tiny_model_dir)],
                          input=items.read_bytes())
    assert again.exit_code == 0 and "already scored, nothing to do" in again.output, again.output
    with written_pipe(items.read_bytes()) as pipe:
        refused = runner.invoke(app, ["classify", pipe, "--out", str(tmp_path / "ray"), "--ray-data"])
    assert refused.exit_code == 1 and "--ray-data's workers read INPUT by its path" in refused.output, refused.output
    metrics = tmp_path / "metrics.json"
    result = runner.invoke(app, ["evaluate", "-", "--n-boot", "0", "--out", str(metrics)], input=piped.read_bytes())
    assert result.exit_code == 0, result.output
    assert json.loads(metrics.read_text())["predictions"] == "-"
    with written_pipe(gzip.compress(piped.read_bytes())) as pipe:
        result = runner.invoke(app, ["report", pipe, "--out", str(tmp_path / "report"), "--n-boot", "0",
                                     "--n-perm", "1", "-q"])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "report" / "report.json").read_text())["predictions"] == pipe
    assert f"- predictions: {pipe} (sha256 " in (tmp_path / "report" / "report.md").read_text()


def test_label_commands_read_standard_input_and_compressed_tables_through_a_pipe(tmp_path):
    """label gold reads "-"; a gzip'd CSV label table through a pipe is read as labels.csv.gz is (it was refused as
    compressed), a gzip'd JSON lines label file stays refused, as such a file is; label run refuses "-", which
    carries its answers."""
    rows = [{"id": "a1", "text": "Russia attacked.", "actor": "Russia", "label": "against", "annotator": "ana"},
            {"id": "a2", "text": "Russia helped.", "actor": "Russia", "label": "favor", "annotator": "ana"}]
    labels = tmp_path / "labels.jsonl"
    labels.write_bytes(jsonl(rows))
    expected = runner.invoke(app, ["label", "gold", str(labels), "--out", str(tmp_path / "expected.jsonl")])
    assert expected.exit_code == 0, expected.output
    result = runner.invoke(app, ["label", "gold", "-", "--out", str(tmp_path / "stdin.jsonl")], input=jsonl(rows))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "stdin.jsonl").read_bytes() == (tmp_path / "expected.jsonl").read_bytes()
    table = "id,text,actor,label,annotator\n" + "".join(
        f"{r['id']},{r['text']},{r['actor']},{r['label']},{r['annotator']}\n" for r in rows)
    with written_pipe(gzip.compress(table.encode())) as pipe:
        result = runner.invoke(app, ["label", "gold", pipe, "--out", str(tmp_path / "table.jsonl")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "table.jsonl").read_bytes() == (tmp_path / "expected.jsonl").read_bytes()
    result = runner.invoke(app, ["label", "gold", "-", "--out", str(tmp_path / "packed.jsonl")],
                           input=gzip.compress(jsonl(rows)))
    assert result.exit_code == 1 and "-: gzip-compressed; label files are not read compressed" in result.output
    result = runner.invoke(app, ["label", "run", "-", "--labels", str(tmp_path / "answers.jsonl"), "-q"],
                           input=jsonl(rows))
    assert result.exit_code == 1 and "-: standard input carries the answers" in result.output, result.output
    assert not (tmp_path / "packed.jsonl").exists() and not (tmp_path / "answers.jsonl").exists()


def test_train_reads_a_pipe_and_its_card_names_it_with_its_hash(tmp_path, tiny_model_dir, monkeypatch):
    """train refused a pipe ('not a regular file (a pipe)'): the card hashes each label file once trained. The bytes
    saved are hashed, and the card names the input as given."""
    import hashlib

    from classifier.models import stance_model
    from tests.test_train_cli import label_rows

    monkeypatch.setattr(stance_model, "DEFAULT_MODEL_DIR", tmp_path / "models" / "default")
    data = jsonl(label_rows())
    with written_pipe(data) as pipe:
        result = runner.invoke(app, ["train", pipe, "--out", str(tmp_path / "m"), "--base", str(tiny_model_dir),
                                     "--epochs", "1", "--n-boot", "0", "-q"])
    assert result.exit_code == 0, result.output
    card = json.loads((tmp_path / "m" / "model_card.json").read_text())
    assert card["data"]["label files"] == f"{pipe} (sha256 {hashlib.sha256(data).hexdigest()[:12]})"


def test_prepare_and_classify_write_standard_output_whole_with_their_notes_on_standard_error(tmp_path, tiny_model_dir):
    """'--out -' made a file called "-". prepare and classify now write their table to standard output, the same
    bytes a file gets, once it is written whole (nothing where the run fails); the closing line, the counts table and
    --explain's lines go to standard error, and no file "-" or temporary file is left."""
    articles = tmp_path / "articles.jsonl"
    articles.write_bytes(jsonl(ARTICLES))
    spool = tmp_path / "tmp"
    spool.mkdir()
    expected = runner.invoke(app, ["prepare", str(articles), "--out", str(tmp_path / "items.jsonl"), "-q"])
    assert expected.exit_code == 0, expected.output
    items = (tmp_path / "items.jsonl").read_bytes()
    scored = runner.invoke(app, ["classify", str(tmp_path / "items.jsonl"), "--out", str(tmp_path / "p.jsonl"),
                                 "--model", str(tiny_model_dir), "-q"])
    assert scored.exit_code == 0, scored.output
    piped, csv_out, streamed, broken = stance_runs(
        tmp_path / "runs", Run(("prepare", "-", "--out", "-", "--explain"), stdin=jsonl(ARTICLES), tmp=spool,
                               cwd=tmp_path),
        Run(("prepare", articles, "--out", "-", "--format", "csv", "-q"), tmp=spool),
        # stance prepare - --out - | stance classify - --out -, counts table and all (piped.stdout is these bytes)
        Run(("classify", "-", "--out", "-", "--model", tiny_model_dir), stdin=items, tmp=spool, cwd=tmp_path),
        Run(("prepare", "-", "--out", "-", "-q"), stdin=jsonl(ARTICLES) + b"{bad\n", tmp=spool))
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout == items  # the records alone: the summary and --explain's table are on standard error
    assert b"-> -;" in piped.stderr and b"Lines dropped per article" in piped.stderr, piped.stderr
    assert csv_out.returncode == 0 and csv_out.stdout.startswith(b"id,text,actor,spans,"), csv_out.stderr
    assert streamed.returncode == 0, streamed.stderr
    assert streamed.stdout == (tmp_path / "p.jsonl").read_bytes()
    assert b"-> - with" in streamed.stderr and b"against" in streamed.stderr, streamed.stderr
    assert broken.returncode == 1 and broken.stdout == b"", broken.stdout
    assert broken.stderr.decode().startswith("error: -:3: malformed JSON"), broken.stderr
    assert not (tmp_path / "-").exists()
    assert not [left for left in spool.iterdir() if left.name.startswith("stance-")]  # (a library leaves a .ses)


def test_out_dash_is_refused_in_one_line_where_it_makes_no_sense(tmp_path, tiny_model_dir):
    """--resume, --overwrite and Parquet with '--out -', and '-' for every output that is no table of prepare or
    classify (a report or model folder, metrics, a label file, a gold set, --ray-data's folder), are one line each,
    before anything is read; each made a file (or folder) called "-"."""
    items = tmp_path / "items.jsonl"
    items.write_bytes(jsonl([{"id": "i1", "text": "Russia warned NATO.", "actor": "Russia", "spans": [[0, 6]],
                              "label": "against", "annotator": "ana"}]))
    cases = [
        (("classify", items, "--out", "-", "--resume"), "error: --resume: not with --out - (standard output"),
        (("classify", items, "--out", "-", "--overwrite"), "error: --overwrite: not with --out -"),
        (("prepare", items, "--out", "-", "--format", "parquet"), "error: --format parquet: not with --out -"),
        (("classify", items, "--out", "-", "--ray-data"), "error: --out -: this output cannot go to standard output"),
        (("report", "-", "--out", "-"), "error: --out -: this output cannot go to standard output"),
        (("train", items, "--out", "-"), "error: --out -: this output cannot go to standard output"),
        (("evaluate", items, "--out", "-"), "error: --out -: this output cannot go to standard output"),
        (("label", "gold", items, "--out", "-"), "error: --out -: this output cannot go to standard output"),
        (("label", "gold", items, "--out", "g.jsonl", "--ties", "-"), "error: --ties -: this output cannot go"),
        (("label", "run", items, "--labels", "-"), "error: --labels -: this output cannot go to standard output"),
        (("label", "export", items, "--out", "t.json", "--config", "-"), "error: --config -: this output cannot go"),
    ]
    results = stance_runs(tmp_path / "runs", *(Run((*args, *(["--model", tiny_model_dir] if args[0] == "classify"
                                                               else [])), stdin=items.read_bytes(), cwd=tmp_path)
                                              for args, _ in cases))
    for (args, message), result in zip(cases, results):
        assert result.returncode == 1 and result.stdout == b"", (args, result.stdout)
        assert result.stderr.decode().startswith(message) and result.stderr.count(b"\n") == 1, (args, result.stderr)
    assert not (tmp_path / "-").exists() and not (tmp_path / ".-.lock").exists()


def test_a_file_called_dash_is_reached_as_dot_slash_dash(tmp_path):
    """pathlib reads ./- as "-", so ./- read standard input (it said '-: empty (no rows)') and, with '--out -' now
    standard output, would have written there: ./- (and --out=./-) name the file called "-"."""
    (tmp_path / "articles.jsonl").write_bytes(jsonl(ARTICLES))
    (tmp_path / "-").write_bytes(jsonl(ARTICLES))
    for name in "ab":  # where each --out writes its file called "-"
        (tmp_path / name).mkdir()
        (tmp_path / name / "articles.jsonl").write_bytes(jsonl(ARTICLES))
    result, *written = stance_runs(
        tmp_path / "runs", Run(("prepare", "./-", "--out", "items.jsonl", "-q"), stdin=b"", cwd=tmp_path),
        *(Run(("prepare", "articles.jsonl", *given, "--format", "jsonl", "-q"), cwd=tmp_path / name)
          for name, given in (("a", ["--out", "./-"]), ("b", ["--out=./-"]))))
    assert result.returncode == 0, result.stderr
    expected = (tmp_path / "items.jsonl").read_bytes()
    assert b'"article": "a2"' in expected
    for name, result in zip("ab", written):
        assert result.returncode == 0 and result.stdout == b"", result.stderr
        assert (tmp_path / name / "-").read_bytes() == expected


PROBE = """import os, sys
from classifier.io.files import spooled_input, spooled_inputs
with spooled_inputs():
    saved = spooled_input(sys.argv[1])
    print(saved.name, saved.is_symlink(), os.path.samefile(saved, sys.argv[2]), len(saved.read_bytes()))
"""


def test_standard_input_redirected_from_a_file_is_read_in_place_not_copied(tmp_path):
    """'stance classify - < big.jsonl' copied the file to a temporary one first. A regular file on standard input,
    not yet read, is now linked (/proc/PID/fd/0) under the name its content tells, and read in place; a pipe, or a
    file read part-way (read on from its offset), is still copied."""
    articles = tmp_path / "articles.jsonl.gz"
    articles.write_bytes(gzip.compress(jsonl(ARTICLES)))
    env = dict(os.environ, PYTHONPATH=str(ROOT), TMPDIR=str(tmp_path))

    def probe(given: str, **stdin) -> str:
        result = subprocess.run([sys.executable, "-c", PROBE, given, str(articles)], env=env, capture_output=True,
                                timeout=120, **stdin)
        assert result.returncode == 0, result.stderr
        return result.stdout.decode().strip()

    size = articles.stat().st_size
    for given in ("-", "/dev/stdin"):
        with open(articles, "rb") as redirected:
            assert probe(given, stdin=redirected) == f"input.jsonl.gz True True {size}"
    assert probe("-", input=articles.read_bytes()) == f"input.jsonl.gz False False {size}"
    plain = tmp_path / "articles.jsonl"  # read part-way: text still (a gzip stream's middle is binary data)
    plain.write_bytes(jsonl(ARTICLES))
    with open(plain, "rb") as redirected:
        redirected.seek(10)
        assert probe("-", stdin=redirected).endswith(f"False False {plain.stat().st_size - 10}")
    expected, result = stance_runs(tmp_path / "runs", Run(("prepare", articles, "--out", "-", "-q")),
                                   Run(("prepare", "-", "--out", "-", "-q"), stdin=articles, tmp=tmp_path))
    assert result.returncode == 0 and result.stdout == expected.stdout and b'"a2"' in result.stdout, result.stderr


class ShortWrites:
    """A standard output as an unbuffered Python has it (PYTHONUNBUFFERED=1: a raw file), whose write takes at most
    ``most`` bytes of a block, as a pipe or a filling disk's may; ``error``: what the second write raises."""

    def __init__(self, most: int, error: OSError | None = None):
        self.most, self.error, self.data, self.writes = most, error, bytearray(), 0
        self.buffer = self

    def write(self, block) -> int:
        self.writes += 1
        if self.error is not None and self.writes > 1:
            raise self.error
        self.data += bytes(block[: self.most])
        return min(len(block), self.most)

    def flush(self) -> None:
        pass

    def fileno(self) -> int:
        raise OSError("no descriptor")


def test_standard_output_takes_every_byte_of_a_short_write_and_a_failed_write_is_one_line(tmp_path):
    """Under PYTHONUNBUFFERED=1 standard output is a raw file, whose write may take part of a block: '--out -'
    lost the rest and exited 0 (2,355,200 of 2,378,340 bytes on a filling disk). Every byte is now written on; a
    full disk was 'a file this command writes or reads: No space left on device (... nothing half-written was
    kept)', and is now one line naming standard output."""
    import errno

    import pytest

    from classifier.errors import InputError
    from classifier.io.files import copy_to_stdout

    table = tmp_path / "items.jsonl"
    table.write_bytes(b"".join(b'{"id": "i%d"}\n' % n for n in range(200_000)))
    stream = ShortWrites(65_536)
    copy_to_stdout(table, stream)
    assert bytes(stream.data) == table.read_bytes()
    with pytest.raises(InputError, match=r"^-: cannot write the table to standard output \(No space left on device\)"):
        copy_to_stdout(table, ShortWrites(8_192, OSError(errno.ENOSPC, "No space left on device")))


def test_standard_streams_closed_are_named_as_closed(tmp_path):
    """'stance prepare - --out - >&-' ran, then ended in a traceback (AttributeError: 'NoneType' object has no
    attribute 'flush'); '<&-' was called 'a terminal'. Each is now one line naming the closed stream, before any
    work."""
    (tmp_path / "articles.jsonl").write_bytes(jsonl(ARTICLES))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for closed, args, message in (
            (1, ["articles.jsonl", "--out", "-"], "error: --out -: standard output is closed (>&-)"),
            (0, ["-", "--out", "items.jsonl"], "error: -: standard input is closed (<&-)")):
        result = subprocess.run([sys.executable, "-m", "classifier", "prepare", *args, "-q"], cwd=tmp_path, env=env,
                                stderr=subprocess.PIPE, stdout=None if closed == 1 else subprocess.DEVNULL,
                                stdin=subprocess.DEVNULL, pass_fds=(), preexec_fn=lambda fd=closed: os.close(fd),
                                timeout=600)
        assert result.returncode == 1, result.stderr
        assert result.stderr.decode().startswith(message) and result.stderr.count(b"\n") == 1, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["articles.jsonl"]


def test_label_with_standard_input_closed_is_one_line_before_any_work(tmp_path):
    """'stance label ITEMS ... <&-' (python started with standard input closed: sys.stdin is None) ended in a
    traceback (AttributeError: 'NoneType' object has no attribute 'isatty'), from the key reader, or with --model
    from the check that piped answers go in the model's order. It is one line, before a model is loaded or the
    label file written."""
    items = tmp_path / "items.jsonl"
    items.write_text(json.dumps({"id": "s1", "text": "Russia warned NATO.", "actor": "Russia"}) + "\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for extra in ([], ["--model", ROOT / "models" / "default"]):
        result = subprocess.run([sys.executable, "-m", "classifier", "label", items, "--labels", "labels.jsonl",
                                 "--annotator", "ana", *map(str, extra)], cwd=tmp_path, env=env,
                                capture_output=True, stdin=subprocess.DEVNULL, preexec_fn=lambda: os.close(0),
                                timeout=600)
        assert result.returncode == 1, result.stderr
        said = result.stderr.decode()
        assert said.startswith("error: standard input is closed (<&-); label reads the answers from it") \
            and said.count("\n") == 1, said
    assert sorted(p.name for p in tmp_path.iterdir()) == ["items.jsonl"]


def test_a_first_line_past_the_csv_field_limit_is_told_not_a_traceback(tmp_path):
    """A pipe whose first line is one field over the csv module's 128 KB (a JSON line of a long article cut at the
    look's limit, a line of binary bytes with no comma) was a traceback (_csv.Error: field larger than field limit);
    the cut JSON line is now JSON lines, the other one line whose header is shown cut short."""
    import pytest

    from classifier.errors import InputError
    from classifier.io.files import format_by_content

    accepts = lambda names: "text" in names  # noqa: E731
    cut = '{"id": "a1", "text": "' + "Russia warned NATO. " * 10_000  # no closing quote: the look stopped there
    assert format_by_content(tmp_path / "input", cut, accepts, "a 'text' column") == "jsonl"
    with pytest.raises(InputError, match=r"nor a CSV table with a 'text' column \(its header: a{40}\.\.\.\)$"):
        format_by_content(tmp_path / "input", "a" * 200_000, accepts, "a 'text' column")
    result = stance("prepare", "-", "--out", tmp_path / "items.jsonl", stdin=b"a" * 200_000)
    assert result.returncode == 1 and b"Traceback" not in result.stderr, result.stderr


def test_encoding_tells_the_header_of_a_table_read_by_content(tmp_path):
    """'stance prepare - --encoding cp1252 < articles.csv' looked for the text column in a header decoded as UTF-8
    and refused the table (nor a CSV table with a 'téxt' column, its header: id, t\\ufffdxt), which the same file by
    its path reads; UTF-16 without a byte-order mark likewise. --encoding now decodes the header as the reader does."""
    rows = "".join(f'{a["id"]},"{a["text"]}",{a["source"]}\n' for a in ARTICLES)
    named = tmp_path / "articles.csv"
    named.write_bytes(("id,téxt,source\n" + rows).encode("cp1252"))
    options = ("--out", "-", "-q", "--columns", "text=téxt", "--encoding")
    expected, piped, wide = stance_runs(
        tmp_path / "runs", Run(("prepare", named, *options, "cp1252")),
        Run(("prepare", "-", *options, "cp1252"), stdin=named.read_bytes()),
        Run(("prepare", "-", *options, "utf-16-le"), stdin=("id,téxt,source\n" + rows).encode("utf-16-le")))
    assert expected.returncode == 0 and b'"a2"' in expected.stdout, expected.stderr
    assert piped.returncode == 0 and piped.stdout == expected.stdout, piped.stderr
    assert wide.returncode == 0 and wide.stdout == expected.stdout, wide.stderr


def test_standard_input_given_to_two_readers_is_refused_in_one_line(tmp_path):
    """'prepare - --actors - < a.jsonl' read the table again as the catalogue (malformed YAML) or, from a pipe,
    nothing; '--manifest -' said '-: cannot open (No such file or directory)', and with a table 'not to
    input.jsonl', the temporary file's name. Each is now one line saying what to give."""
    (tmp_path / "articles.jsonl").write_bytes(jsonl(ARTICLES))
    both = ("prepare", "-", "--actors", "-", "--out", tmp_path / "items.jsonl")
    *catalogue, manifest, table = stance_runs(
        tmp_path / "runs", Run(both, stdin=jsonl(ARTICLES)),
        Run(both, stdin=tmp_path / "articles.jsonl"),  # redirected, read in place: the link reads it anew
        Run(("prepare", ROOT / "seeds", "--manifest", "-", "--out", tmp_path / "items.jsonl"),
            stdin=(ROOT / "seeds" / "manifest.csv").read_bytes()),
        Run(("prepare", "-", "--manifest", "m.csv", "--out", tmp_path / "items.jsonl"), stdin=jsonl(ARTICLES)))
    for result in catalogue:
        assert result.returncode == 1, result.stderr
        assert result.stderr.decode() == ("error: -: standard input is given for both a table and the actor "
                                          "catalogue, and it holds one file; give the actor catalogue by its path\n")
    assert manifest.stderr.decode().startswith("error: --manifest -: a manifest is not read from standard input")
    assert table.stderr.decode().startswith("error: m.csv: a manifest applies to a folder of articles, not to -\n")
    assert not (tmp_path / "items.jsonl").exists()


def test_standard_input_for_both_predictions_and_gold_or_compare_is_refused_in_one_line(tmp_path):
    """'report - --gold -' and 'evaluate - --compare -' read standard input once and used it as both files (a
    correction fitted on the items it corrects, a model compared with itself). One stream cannot be two files: each
    is refused in one line naming the option to give by its path, and nothing is written."""
    rows = [{"id": f"i{n}", "text": f"Russia warned NATO ({n}).", "actor": "Russia", "spans": [[0, 6]],
             "article": f"a{n % 6}", "source": "RT" if n % 2 else "BBC", "label": ("favor", "against", "neutral")[n % 3],
             "stance": ("favor", "against", "neutral")[n // 2 % 3], "model": "m@x",
             "stance_scores": {"favor": 0.5, "against": 0.3, "neutral": 0.2}} for n in range(30)]
    predictions = tmp_path / "p.jsonl"
    predictions.write_bytes(jsonl(rows))
    for args, option in ((["report", "-", "--gold", "-", "--out", str(tmp_path / "report")], "--gold"),
                         (["report", "-", "--compare", "-", "--out", str(tmp_path / "report")], "--compare"),
                         (["evaluate", "-", "--compare", "-", "--out", str(tmp_path / "m.json")], "--compare")):
        result = runner.invoke(app, [*args, "--n-boot", "0"], input=jsonl(rows))
        assert result.exit_code == 1, result.output
        assert " ".join(result.output.split()) == (f"error: -: standard input is given for both the predictions and "
                                                   f"{option}, and it holds one file; give {option} by its path")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.jsonl"]
    # "-" for one of them, the other by its path: read as before
    result = runner.invoke(app, ["evaluate", "-", "--compare", str(predictions), "--n-boot", "0"], input=jsonl(rows))
    assert result.exit_code == 0, result.output


def test_standard_input_for_both_the_labels_and_test_of_train_is_refused_in_one_line(tmp_path):
    """'train - --test -' read standard input once and used it as both the labels and the held-out set: every item
    was held out ('only 0 training items ... label more articles'), a message about the labels, not the stream. It
    is now refused as 'report - --gold -' is, before any label is read; "-" given twice as labels stays one file."""
    rows = [{"id": f"i{n}", "text": f"Russia warned NATO ({n}).", "actor": "Russia", "spans": [[0, 6]],
             "article": f"a{n % 6}", "label": ("favor", "against", "neutral")[n % 3]} for n in range(30)]
    result = runner.invoke(app, ["train", "-", "--test", "-", "--out", str(tmp_path / "model")], input=jsonl(rows))
    assert result.exit_code == 1, result.output
    assert " ".join(result.output.split()) == ("error: -: standard input is given for both the labels and --test, "
                                               "and it holds one file; give --test by its path")
    assert list(tmp_path.iterdir()) == []


def test_standard_input_by_any_name_or_one_pipe_for_two_roles_is_refused_in_one_line(tmp_path):
    """'report - --gold -' was refused, but 'report /dev/stdin --gold /dev/stdin', 'report - --gold /dev/stdin',
    'train /dev/stdin --test /dev/fd/0' and a pipe given twice got past the rule: the one stream was read for both
    roles, --gold silently (a correction fitted on the items it corrects), --test holding out every item, or
    the second read nothing. Standard input by any of its names (a link to one too) and a pipe by any of its names
    are one stream (io.files.claim_input); one role given it twice reads it once."""
    stances = ("favor", "against", "neutral")
    rows = [{"id": f"i{n}", "text": f"Russia warned NATO ({n}).", "actor": "Russia", "spans": [[0, 6]],
             "article": f"a{n % 6}", "source": "RT" if n % 2 else "BBC", "label": stances[n % 3],
             "stance": stances[n // 2 % 3], "model": "m@x",
             "stance_scores": {"favor": 0.5, "against": 0.3, "neutral": 0.2}} for n in range(30)]
    predictions = tmp_path / "p.jsonl"
    predictions.write_bytes(jsonl(rows))
    (tmp_path / "stdin").symlink_to("/dev/stdin")
    out = tmp_path / "out"
    cases = [(args, second, role, stdin)
             for args, second, role in ((["report", "/dev/stdin", "--gold", "/dev/stdin"], "/dev/stdin", "--gold"),
                                        (["report", "-", "--gold", "/dev/stdin"], "/dev/stdin", "--gold"),
                                        (["evaluate", "-", "--compare", "/proc/self/fd/0"], "/proc/self/fd/0",
                                         "--compare"),
                                        (["evaluate", "/dev/fd/0", "--compare", tmp_path / "stdin"], tmp_path / "stdin",
                                         "--compare"),
                                        (["train", "/dev/stdin", "--test", "/dev/fd/0"], "/dev/fd/0", "--test"))
             for stdin in (predictions.read_bytes(), predictions)]  # a pipe, and a regular file redirected (in place)
    results = stance_runs(tmp_path / "runs", *(
        Run((*args, "--out", out.with_suffix(".json") if args[0] == "evaluate" else out), stdin=stdin)
        for args, _, _, stdin in cases))
    for (args, second, role, _), result in zip(cases, results):
        first = "the labels" if args[0] == "train" else "the predictions"
        assert result.returncode == 1, (args, result.stderr)
        assert result.stderr.decode() == (f"error: {second}: standard input is given for both {first} and {role}, "
                                          f"and it holds one file; give {role} by its path\n"), args
    assert not out.exists() and not out.with_suffix(".json").exists()
    with written_pipe(jsonl(rows)) as pipe:  # <(cat p.jsonl) given twice: /dev/fd/63 for both
        result = runner.invoke(app, ["evaluate", pipe, "--compare", pipe, "--n-boot", "0"])
    assert result.exit_code == 1, result.output
    assert " ".join(result.output.split()) == (f"error: {pipe}: one pipe is given for both the predictions and "
                                               "--compare, and it can be read once; give --compare by its path")
    # one role given standard input by two names: one file, read once, as "-" twice is
    script = ("from classifier.io.files import spooled_input, spooled_inputs\n"
              "with spooled_inputs():\n"
              "    a, b = spooled_input('-'), spooled_input('/dev/stdin')\n"
              "    print(a == b, len(b.read_bytes()))\n")
    read = subprocess.run([sys.executable, "-c", script], input=jsonl(rows), capture_output=True, cwd=ROOT,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=600)
    assert read.stdout.decode() == f"True {len(jsonl(rows))}\n", read.stderr


def test_binary_bytes_given_as_a_table_are_named_binary_data_not_a_garbled_header(tmp_path):
    """Random bytes through a pipe, or in a file with no suffix, were "not JSON lines ..., nor a CSV table with a
    'text' column (its header: <garbage>)": NUL bytes, or control bytes where the bytes are not UTF-8, now say
    binary data in one line. Text in a legacy encoding stays "not UTF-8 text" (pass --encoding)."""
    import random

    noise = random.Random(0).randbytes(3000)
    unnamed = tmp_path / "noise"
    unnamed.write_bytes(noise)
    for args, stdin, name, why in ((["-"], noise, "-", "NUL bytes"), ([str(unnamed)], b"", str(unnamed), "NUL bytes"),
                                   (["-"], noise.replace(b"\x00", b""), "-", "control bytes")):
        result = runner.invoke(app, ["prepare", *args, "--out", str(tmp_path / "items.jsonl")], input=stdin)
        assert result.exit_code == 1, result.output
        assert " ".join(result.output.split()) == (f"error: {name}: binary data, not a table ({why} in its first "
                                                   "bytes); give a JSON lines, CSV or Parquet table")
    legacy = runner.invoke(app, ["prepare", "-", "--out", str(tmp_path / "items.jsonl")],
                           input="id,text\na1,Привет мир.\n".encode("cp1251"))
    assert legacy.exit_code == 1 and "not UTF-8 text" in legacy.output, legacy.output
    assert not (tmp_path / "items.jsonl").exists()


def test_an_article_file_of_binary_bytes_is_binary_by_the_rule_a_table_has(tmp_path):
    """prepare's article files were binary for NUL bytes only: random bytes without one, renamed .txt or .html, were
    'not UTF-8 text ... pass --encoding', and with --encoding latin-1 an article of 44 garbled sentences. The bytes
    a table read by its content calls binary data (io.files.binary_bytes) are now a binary file there too, skipped
    whatever --encoding says; a legacy encoding's text and a UTF-16 file with its encoding stay articles."""
    import random

    noise = bytes(b for b in random.Random(1).randbytes(6000) if b)  # no NUL byte: control bytes tell it
    piped = runner.invoke(app, ["prepare", "-", "--out", str(tmp_path / "items.jsonl")], input=noise)
    assert "binary data, not a table (control bytes in its first bytes)" in " ".join(piped.output.split())
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text("Russia warned NATO on Monday.\n")
    (corpus / "legacy.txt").write_bytes("Russia warned NATO on Monday, says Zürich.\n".encode("latin-1"))
    (corpus / "wide.txt").write_bytes("China praised NATO.\n".encode("utf-16-le"))
    for name in ("noise.txt", "noise.html"):
        (corpus / name).write_bytes(noise)
    for encoding, read in ((None, {"good"}), ("latin-1", {"good", "legacy"}), ("utf-16-le", {"wide"})):
        out = tmp_path / f"items-{encoding}.jsonl"
        result = runner.invoke(app, ["prepare", str(corpus), "--out", str(out), "--skip-unreadable", "-q",
                                     *(["--encoding", encoding] if encoding else [])])
        assert result.exit_code == 0, result.output
        said = " ".join(result.output.split())
        if encoding != "utf-16-le":  # a wide encoding decides before the rule, as for a table: its bytes hold NULs
            for name in ("noise.txt", "noise.html"):
                assert f"{corpus / name}: binary file (control bytes in its first bytes)" in said, (encoding, said)
        assert {json.loads(line)["article"] for line in out.read_text().splitlines()} == read, (encoding, said)


def test_a_short_legacy_text_ending_in_a_dos_end_of_file_mark_is_text_not_binary(tmp_path):
    """A DOS editor's text file ends in Ctrl-Z (\\x1a): in an article of one sentence in cp1252 (under 100 bytes) that
    one control byte was 1 in 100 of its bytes, and the file was refused as binary whatever --encoding said, where
    before the binary rule was shared it was read. The end-of-file mark is not counted; the same byte inside the
    text is, with the others (io.files.BINARY_CONTROLS)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    sentence = "Russia warned NATO on Monday, said the café’s owner.\r\n".encode("cp1252")
    (corpus / "dos.txt").write_bytes(sentence + b"\x1a")
    (corpus / "inside.txt").write_bytes(sentence[:20] + b"\x1a\x1a\x1a" + sentence[20:])
    out = tmp_path / "items.jsonl"
    result = runner.invoke(app, ["prepare", str(corpus), "--out", str(out), "--encoding", "cp1252",
                                 "--skip-unreadable", "-q"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert f"{corpus / 'inside.txt'}: binary file (control bytes in its first bytes)" in said, said
    assert "dos.txt" not in said, said
    assert {json.loads(line)["article"] for line in out.read_text().splitlines()} == {"dos"}


def test_a_short_legacy_text_with_a_stray_control_byte_or_two_is_text_and_binaries_are_still_binary(tmp_path):
    """An article in cp1252 of 200 bytes or fewer with one stray control byte (a pasted character) was 1 in 100 of
    its bytes, refused as binary whatever --encoding said. Bytes that are not UTF-8 are binary for control bytes
    only where they hold io.files.BINARY_CONTROLS (3) or more, and 1 in 100: text written out from the public data
    in cp1252 with two stray ones holds fewer; random bytes without NUL hold 1 in 10, formats' bytes NUL bytes."""
    import gzip
    import random
    import zipfile

    from classifier.io.files import binary_bytes

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    article = ("Russia warned NATO on Monday, said the café’s owner in Zürich. " * 3).encode("cp1252")
    assert len(article) < 200
    (corpus / "one.txt").write_bytes(article[:40] + b"\x02" + article[40:])
    (corpus / "two.txt").write_bytes(article[:40] + b"\x02" + article[40:90] + b"\x7f\x1f" + article[90:])
    out = tmp_path / "items.jsonl"
    result = runner.invoke(app, ["prepare", str(corpus), "--out", str(out), "--encoding", "cp1252", "-q"])
    assert result.exit_code == 0, result.output
    assert {json.loads(line)["article"] for line in out.read_text().splitlines()} == {"one", "two"}
    packed = tmp_path / "a.zip"
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("a.txt", article)
    binaries = [gzip.compress(article), packed.read_bytes(), bytes(b for b in random.Random(2).randbytes(100) if b)]
    assert [binary_bytes(data, lambda: False) for data in binaries] == ["NUL bytes", "NUL bytes", "control bytes"]
    assert binary_bytes(article[:60] + b"\x02\x03\x04" + article[60:], lambda: False) == "control bytes"


def test_names_as_given_last_as_long_as_their_session(tmp_path):
    """Every spool added its temporary path to a module-global map of names, never removed: a long Python session
    (read_records("-") in a loop) grew it by one a call. A session's names now go when it ends."""
    from classifier.io import files

    before = dict(files._GIVEN)
    for _ in range(3):
        with written_pipe(jsonl(ARTICLES)) as pipe, files.spooled_inputs():
            saved = files.spooled_input(pipe)
            assert files.given_name(saved) == pipe
        assert files.given_name(saved) == str(saved)
    assert files._GIVEN == before


def test_a_short_option_joined_to_dot_slash_dash_names_the_file(tmp_path):
    """'-o./-' (a short option with its value joined) wrote standard output, as pathlib reads ./- as "-"; it now
    writes the file called "-", as '--out ./-' does."""
    (tmp_path / "articles.jsonl").write_bytes(jsonl(ARTICLES))
    result = stance("prepare", "articles.jsonl", "-o./-", "--format", "jsonl", "-q", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout == b"", result.stderr
    assert b'"a2"' in (tmp_path / "-").read_bytes()


def test_a_malformed_first_json_line_through_a_pipe_is_named_as_one(tmp_path):
    """evaluate, report and the label commands ask no column of a header: a first line opening with '{' that is no
    JSON was read as a CSV table's header ('{"bad'), so 'printf "{\\"bad\\n" | stance evaluate -' said the file was
    empty, where the same file by its path is 'malformed JSON'. It is now JSON lines, malformed at its line."""
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"bad\n')
    named, piped = stance_runs(tmp_path / "runs", Run(("evaluate", bad)),
                               Run(("evaluate", "-"), stdin=bad.read_bytes()))
    assert named.stderr.decode().startswith(f"error: {bad}:1: malformed JSON"), named.stderr
    assert piped.stderr.decode() == named.stderr.decode().replace(str(bad), "-"), piped.stderr


def test_in_python_dash_is_a_file_called_dash_to_every_reader(tmp_path, monkeypatch):
    """read_records("-") read standard input where prepare_items("-") read a file called "-", and a second
    read_records("-") in one process found standard input empty and returned [] without a word. "-" is standard input
    on the command line only (within the CLI's session): in Python it is the file called "-", read as often as asked."""
    import io

    import pytest

    from classifier.errors import InputError
    from classifier.labels import read_records

    label = {"id": "a1", "text": "Russia said.", "actor": "Russia", "label": "favor"}
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(jsonl([{**label, "id": "from-stdin"}]))))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match="^-: no such label file"):
        read_records("-")
    (tmp_path / "-").write_bytes(jsonl([label]))
    assert [r["id"] for r in read_records("-")] == [r["id"] for r in read_records("-")] == ["a1"]
    assert sys.stdin.read() != ""  # standard input left unread


def test_utf16_without_a_byte_order_mark_is_named_with_its_byte_order_for_tables_stdin_and_articles(tmp_path):
    """UTF-16 text without a byte-order mark was a CSV table of "missing fields (the row has 'i\\x00d\\x00'...)", on
    standard input "binary data" with no hint, and an article file's hint was --encoding utf-16-le even for a
    big-endian file. One rule (io.files.unmarked_utf16: where its NULs fall) names LE or BE for each; it is refused,
    not read as guessed, and read with the --encoding it names."""
    table = "id,text\na1,Russia warned NATO on Monday.\n"
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for order in ("le", "be"):
        codec = f"utf-16-{order}"
        said = f"looks like UTF-16-{order.upper()} text without a byte-order mark: pass --encoding {codec}"
        (tmp_path / f"{order}.csv").write_bytes(table.encode(codec))
        (tmp_path / f"{order}.jsonl.gz").write_bytes(gzip.compress(jsonl(ARTICLES).decode().encode(codec)))
        (corpus / f"{order}.txt").write_bytes("Russia warned NATO on Monday.\n".encode(codec))
        for args, stdin in (([tmp_path / f"{order}.csv"], None), ([tmp_path / f"{order}.jsonl.gz"], None),
                            (["-"], table.encode(codec)), ([corpus], None)):
            out = tmp_path / "items.jsonl"
            result = runner.invoke(app, ["prepare", *map(str, args), "--out", str(out), "-q"], input=stdin)
            assert result.exit_code == 1 and said in " ".join(result.output.split()), (args, result.output)
            assert not out.exists()
            read = runner.invoke(app, ["prepare", *map(str, args), "--out", str(out), "-q", "--encoding", codec],
                                 input=stdin)
            assert read.exit_code == 0 and out.read_text().count("Russia") >= 1, (args, read.output)
            out.unlink()
        (corpus / f"{order}.txt").unlink()
    from classifier.io.files import unmarked_utf16

    for text in ("a", table, "Zürich, façade\n" * 50):
        assert [unmarked_utf16(text.encode(codec)) for codec in ("utf-16-le", "utf-16-be")] == ["utf-16-le",
                                                                                               "utf-16-be"]
        assert unmarked_utf16(text.encode("utf-32-le")) is None and unmarked_utf16(text.encode("utf-8")) is None
    assert unmarked_utf16(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00") is None


def test_binary_of_small_16_bit_numbers_is_binary_not_utf16_text(tmp_path):
    """A NumPy int16 array or quiet 16-bit audio has its NULs at every other byte, as UTF-16 text of ASCII letters
    has: piped in as a table it was named "UTF-16-LE text without a byte-order mark: pass --encoding utf-16-le", a
    hint that only garbled it further, and a lone NUL byte was UTF-16-BE text. Read in that byte order they are
    NULs and control characters: binary data; UTF-16 text with or without a byte-order mark is read as before."""
    import io

    import numpy as np

    from classifier.io.files import unmarked_utf16

    buffer = io.BytesIO()
    np.save(buffer, np.random.default_rng(0).integers(0, 200, 5000).astype(np.int16))
    audio = b"RIFF" + np.random.default_rng(1).integers(-100, 100, 5000).astype("<i2").tobytes()
    for data in (buffer.getvalue(), audio, b"\x00"):
        assert unmarked_utf16(data) is None
    result = runner.invoke(app, ["prepare", "-", "--out", str(tmp_path / "items.jsonl"), "-q"],
                           input=buffer.getvalue())
    shown = " ".join(result.output.split())
    assert result.exit_code == 1 and "binary data" in shown and "UTF-16" not in shown, shown
    table = "id,text\na1,Russia warned NATO on Monday.\n"
    for codec in ("utf-16-le", "utf-16-be"):
        assert unmarked_utf16(table.encode(codec)) == codec
    (tmp_path / "bom.csv").write_bytes(table.encode("utf-16"))  # a byte-order mark: read as it says
    read = runner.invoke(app, ["prepare", str(tmp_path / "bom.csv"), "--out", str(tmp_path / "bom.jsonl"), "-q"])
    assert read.exit_code == 0 and "Russia" in (tmp_path / "bom.jsonl").read_text(), read.output


def test_utf16_of_one_alphabet_without_a_byte_order_mark_is_told(tmp_path):
    """Russian UTF-16 without a byte-order mark holds NULs only in its spaces and punctuation (15 in 100 characters
    here, under the 1 in 4 of Latin letters): an article file of it was "binary file (NUL bytes ...)" with no word of
    UTF-16 (the hint that used to follow had gone), and a table of it was read as UTF-8. Its high bytes take a few
    values (0x00, 0x04): it is told, LE or BE, as Latin text is (CJK: the test below)."""
    from classifier.io.files import unmarked_utf16

    russian = "Президент России заявил в понедельник — что переговоры с Китаем «продолжатся».\n"
    for codec in ("utf-16-le", "utf-16-be"):
        assert unmarked_utf16((russian * 3).encode(codec)) == codec
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ru.txt").write_bytes((russian * 3).encode("utf-16-be"))
    result = runner.invoke(app, ["prepare", str(corpus), "--out", str(tmp_path / "items.jsonl"), "-q"])
    shown = " ".join(result.output.split())
    assert result.exit_code == 1 and "looks like UTF-16-BE text without a byte-order mark" in shown, shown
    table = "id,text\na1,Россия предупредила НАТО в понедельник.\n"
    result = runner.invoke(app, ["prepare", "-", "--out", str(tmp_path / "items.jsonl"), "-q"],
                           input=table.encode("utf-16-le"))
    assert result.exit_code == 1 and "pass --encoding utf-16-le" in " ".join(result.output.split()), result.output


def test_utf16_of_cjk_without_a_byte_order_mark_is_told(tmp_path):
    """Chinese or Japanese UTF-16 without a byte-order mark holds NULs only in its line breaks and ASCII: an article
    file of it was "binary file (NUL bytes in its first bytes)" with no word of UTF-16. It is told, LE or BE, by what
    it reads as (io.files.cjk_utf16_text), refused as Latin or Russian UTF-16 is, and read with the --encoding named;
    the same text in Shift_JIS or GBK (no NULs) and binary files are not taken for UTF-16."""
    from classifier.io.files import unmarked_utf16

    chinese = "中国外交部发言人表示反对制裁。俄罗斯总统普京周一表示将举行会谈。\n"
    japanese = "ロシアのプーチン大統領は月曜日、会談すると述べた。日本政府は懸念を表明した。\n"
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for text, codec, legacy in ((chinese, "utf-16-le", "gbk"), (japanese, "utf-16-be", "shift_jis")):
        assert [unmarked_utf16((text * 5).encode(c)) for c in ("utf-16-le", "utf-16-be")] == ["utf-16-le",
                                                                                               "utf-16-be"]
        assert unmarked_utf16((text * 5).encode(legacy)) is None
        (corpus / "a.txt").write_bytes((text * 5).encode(codec))
        out = tmp_path / "items.jsonl"
        result = runner.invoke(app, ["prepare", str(corpus), "--out", str(out), "-q"])
        shown = " ".join(result.output.split())
        said = f"a.txt: looks like {codec.upper()} text without a byte-order mark: pass --encoding {codec}"
        assert result.exit_code == 1 and said in shown and "binary" not in shown, shown
        assert not out.exists()
        read = runner.invoke(app, ["prepare", str(corpus), "--out", str(out), "-q", "--encoding", codec])
        assert read.exit_code == 0, read.output
        out.unlink()
    assert unmarked_utf16(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8) is None
