"""Inputs given as "-" (standard input), as a pipe (a shell's <(cat FILE) is /dev/fd/63) or under a name without a
suffix (/dev/stdin < a.csv): saved once to a temporary file named by its content (io.files.spooled_input) and read
as a file of that format is, compressed too; messages name the input as it was given."""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from classifier.cli import commands
from classifier.cli.app import app

REGISTERED = commands  # importing it registers every command (a name used, so that pyflakes says nothing)

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()
ARTICLES = [{"id": "a1", "text": "Russia warned NATO on Monday. China stayed silent.", "source": "RT"},
            {"id": "a2", "text": "Ukraine thanked the European Union for its help.", "source": "BBC"}]


def stance(*args, stdin: bytes | int | None = None, tmp: Path | None = None) -> subprocess.CompletedProcess:
    """``stance ARGS`` run as a user runs it, its standard input ``stdin`` (bytes, or a file descriptor), its
    temporary files in ``tmp``."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), **({"TMPDIR": str(tmp)} if tmp else {}))
    given = {"input": stdin} if isinstance(stdin, bytes) else {"stdin": stdin if stdin is not None else subprocess.DEVNULL}
    return subprocess.run([sys.executable, "-m", "classifier", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, timeout=600, **given)


@contextlib.contextmanager
def written_pipe(data: bytes):
    """A pipe holding ``data`` (under the 64 KB a pipe holds unread), its writing end closed, as ``/dev/fd/N``: what a
    shell's ``<(cat FILE)`` gives a command."""
    read_end, write_end = os.pipe()
    os.write(write_end, data)
    os.close(write_end)
    try:
        yield f"/dev/fd/{read_end}"
    finally:
        os.close(read_end)


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
    for name, data in (("jsonl", jsonl(ARTICLES)), ("gzip", gzip.compress(jsonl(ARTICLES))),
                       ("csv", csv_text.encode()), ("csv.gz", gzip.compress(csv_text.encode())),
                       ("parquet", (tmp_path / "articles.parquet").read_bytes())):
        out = tmp_path / f"items-{name}.jsonl"
        result = stance("prepare", "-", "--out", out, "-q", stdin=data, tmp=spool)
        assert result.returncode == 0, (name, result.stderr)
        assert out.read_bytes() == (tmp_path / "expected.jsonl").read_bytes(), name
    with written_pipe(gzip.compress(csv_text.encode())) as pipe:  # <(cat articles.csv.gz)
        result = runner.invoke(app, ["prepare", pipe, "--out", str(tmp_path / "piped.jsonl"), "-q"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "piped.jsonl").read_bytes() == (tmp_path / "expected.jsonl").read_bytes()
    with open(table, "rb") as redirected:  # /dev/stdin < articles.jsonl: a regular file, its name says no format
        result = stance("prepare", "/dev/stdin", "--out", tmp_path / "stdin.jsonl", "-q", stdin=redirected.fileno(),
                        tmp=spool)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "stdin.jsonl").read_bytes() == (tmp_path / "expected.jsonl").read_bytes()
    broken = stance("prepare", "-", "--out", tmp_path / "broken.jsonl", stdin=jsonl(ARTICLES[:1]) + b"{bad\n",
                    tmp=spool)
    assert broken.returncode == 1 and b"Traceback" not in broken.stderr
    assert broken.stderr.decode().startswith("error: -:2: malformed JSON"), broken.stderr  # named as given
    assert not (tmp_path / "broken.jsonl").exists()
    prose = stance("prepare", "-", "--out", tmp_path / "prose.jsonl", stdin=b"Russia warned NATO.\n", tmp=spool)
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
    result = stance("classify", "-", "--out", piped, "--model", tiny_model_dir, "-q", stdin=gzip.compress(items.read_bytes()),
                    tmp=tmp_path)
    assert result.returncode == 0, result.stderr
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
