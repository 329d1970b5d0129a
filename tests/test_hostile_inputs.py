"""Hostile and broken inputs through the CLI: one line of error, a non-zero exit, no traceback, nothing written."""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from classifier.cli.app import app

sys.path.insert(0, str(Path(__file__).parent))
from stance_runs import Run, stance_runs  # noqa: E402  (many command lines in one process, each its own streams)

runner = CliRunner()


def items_file(tmp_path):
    path = tmp_path / "items.jsonl"
    path.write_text(json.dumps({"id": "1", "text": "Russia won.", "actor": "Russia", "spans": [[0, 6]]}) + "\n")
    return path


def one_line_failure(result, message: str) -> None:
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    assert message in result.output, result.output
    assert len([line for line in result.output.splitlines() if line.strip()]) <= 3, result.output


@pytest.mark.parametrize("change, message", [
    ({"max_length": "abc"}, "max_length"),
    ({"max_length": 0}, "max_length"),
    ({"temperature": 0}, "temperature: must be a number from 0.01 to 100"),
    ({"temperature": -1.5}, "temperature: must be a number from 0.01 to 100"),
    ({"temperature": 1e-300}, "temperature: must be a number from 0.01 to 100"),  # every score NaN
    ({"max_length": 8192}, "max_length 8192 is more than the"),  # the tiny model's positions
    ({"temperature": float("nan")}, "temperature"),
    ({"input_format": "poem"}, "input_format: must be one of"),
    ({"pooling": "max"}, "pooling: must be cls or mention"),
])
def test_a_model_folder_with_bad_settings_is_refused(tmp_path, tiny_model_dir, change, message):
    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model)
    settings = json.loads((model / "stance.json").read_text())
    (model / "stance.json").write_text(json.dumps({**settings, **change}))
    out = tmp_path / "p.jsonl"
    result = runner.invoke(app, ["classify", str(items_file(tmp_path)), "--out", str(out), "--model", str(model), "-q"])
    one_line_failure(result, message)
    assert not out.exists()


@pytest.mark.parametrize("name", ["config.json", "stance.json"])
def test_a_model_file_nested_too_deeply_is_one_line(tmp_path, tiny_model_dir, name):
    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model)
    (model / name).write_text("[" * 100_000 + "]" * 100_000)
    result = runner.invoke(app, ["classify", str(items_file(tmp_path)), "--out", str(tmp_path / "p.jsonl"),
                                 "--model", str(model), "-q"])
    one_line_failure(result, str(model))


def test_a_model_folder_without_a_tokenizer_is_refused(tmp_path, tiny_model_dir):
    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model)
    for name in ("tokenizer.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json"):
        (model / name).unlink(missing_ok=True)
    out = tmp_path / "p.jsonl"
    result = runner.invoke(app, ["classify", str(items_file(tmp_path)), "--out", str(out), "--model", str(model), "-q"])
    one_line_failure(result, "no tokenizer files")
    assert not out.exists()


def test_training_never_loads_a_pickle(tmp_path, tiny_model_dir):
    """A base folder with pytorch_model.bin only, or a file as --base, is refused before any torch.load."""
    import torch

    base = tmp_path / "base"
    shutil.copytree(tiny_model_dir, base)
    (base / "stance.json").unlink()
    (base / "model_card.json").unlink()
    state = {k: v.float() for k, v in torch.nn.Module().state_dict().items()}
    torch.save(state, base / "pytorch_model.bin")
    (base / "model.safetensors").unlink()
    labels = tmp_path / "labels.jsonl"
    rows = [{"id": f"{i}", "text": f"Russia won round {i}.", "actor": "Russia", "spans": [[0, 6]], "article": f"a{i % 4}",
             "label": ["favor", "against", "neutral"][i % 3]} for i in range(12)]
    labels.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = runner.invoke(app, ["train", str(labels), "--out", str(tmp_path / "m"), "--base", str(base), "-q"])
    one_line_failure(result, "cannot load the model")
    assert not (tmp_path / "m").exists()
    result = runner.invoke(app, ["train", str(labels), "--out", str(tmp_path / "m"), "--base",
                                 str(base / "pytorch_model.bin"), "-q"])
    one_line_failure(result, "a file; pass a model folder")


def test_two_non_latin_actors_in_one_sentence_get_two_ids(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Россия и 中国 подписали договор.\n", encoding="utf-8")
    actors = tmp_path / "actors.yaml"
    actors.write_text("actors:\n  - name: Россия\n  - name: 中国\n", encoding="utf-8")
    out = tmp_path / "items.jsonl"
    result = runner.invoke(app, ["prepare", str(corpus), "--out", str(out), "--actors-only", str(actors), "-q"])
    assert result.exit_code == 0, result.output
    ids = [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(ids) == 2 and len(set(ids)) == 2


HOSTILE = "[/][bold]x[link=mailto:evil]y[/link]\x1b]0;pwned\x07\x1b[2J\u202eZ"
SHOWN = "[/][bold]x[link=mailto:evil]y[/link]\\x1b]0;pwned\\x07\\x1b[2J\\u202eZ"


def no_raw_controls(output: str) -> None:
    assert "\x1b" not in output and "\u202e" not in output and "\x07" not in output


def test_markup_and_control_characters_in_table_cells_are_shown_literally(tmp_path, tiny_model_dir):
    path = tmp_path / "items.jsonl"
    path.write_text(json.dumps({"id": "1", "text": "Russia won.", "actor": "[/]\x1b[2J", "spans": [[0, 6]],
                                "source": "[b]\u202eZ"}) + "\n")
    result = runner.invoke(app, ["classify", str(path), "--out", str(tmp_path / "p.jsonl"), "--model",
                                 str(tiny_model_dir)])  # the summary table shows outlet and actor
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    assert "[/]\\x1b[2J" in result.output and "[b]\\u202eZ" in result.output
    no_raw_controls(result.output)


def test_an_error_naming_hostile_text_is_one_literal_line(tmp_path):
    missing = tmp_path / f"a{HOSTILE}.jsonl"
    result = runner.invoke(app, ["classify", str(missing), "--out", str(tmp_path / "p.jsonl")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"a{SHOWN}.jsonl: no such file or folder" in result.output
    no_raw_controls(result.output)


def test_a_line_break_in_a_file_name_cannot_forge_a_line_of_the_tool_s_own(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ok.txt").write_text("Russia won the vote.\n")
    (corpus / "x\nerror: forged.txt").write_bytes(b"\0\0\0")
    for extra, word in ([], "error:"), (["--skip-unreadable"], "warning:"):
        result = runner.invoke(app, ["prepare", str(corpus), "--out", str(tmp_path / "items.jsonl"), "-q", *extra])
        assert "x\\nerror: forged.txt: binary file" in result.output, result.output
        assert [line.split()[0] for line in result.output.splitlines() if line.strip()] == [word], result.output


def no_forged_line(output: str) -> None:
    """No line of ``output`` (a table's row less its border) starts with the name's second line."""
    assert not any(line.lstrip("│┃ ").startswith("forged:") for line in output.splitlines()), output


def test_a_line_break_in_a_file_name_stays_in_its_status_line(tmp_path):
    """Errors showed a line break in a name as \\n, but prepare's summary and --explain rows printed it as is."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "x\nforged: a.txt").write_text("Россия и Китай подписали соглашение в Москве.\n", encoding="utf-8")
    out = tmp_path / "i\nforged: b.jsonl"
    result = runner.invoke(app, ["prepare", str(corpus), "--out", str(out), "--explain"])
    assert result.exit_code == 0, result.output
    no_forged_line(result.output)
    assert "  x\\nforged: a  [not English]" in result.output and "│ x\\nforged: a " in result.output
    assert f"-> {tmp_path}/i\\nforged: b.jsonl; " in result.output


def test_a_line_break_in_a_part_s_or_an_output_s_name_stays_in_classify_s_status_line(tmp_path, tiny_model_dir,
                                                                                     monkeypatch):
    from classifier.predict import ray_data

    items = tmp_path / "items.jsonl"
    items.write_text(json.dumps({"id": "1", "text": "Russia won.", "actor": "Russia"}) + "\n")
    out = tmp_path / "p\nforged: c.jsonl"
    result = runner.invoke(app, ["classify", str(items), "--out", str(out), "--model", str(tiny_model_dir),
                                 "--no-summary"])
    assert result.exit_code == 0, result.output
    no_forged_line(result.output)
    assert f"1 item -> {tmp_path}/p\\nforged: c.jsonl with " in result.output

    def scored(input_path, out_dir, *args, on_part=None, **kwargs):
        on_part("x\nforged: a.jsonl", 1)
        return ray_data.PartsSummary(1, 1, 0, 1, Path(out_dir))

    monkeypatch.setattr(ray_data, "classify_parts", scored)
    result = runner.invoke(app, ["classify", str(items), "--out", str(tmp_path / "o\nforged: d"), "--ray-data"])
    assert result.exit_code == 0, result.output
    no_forged_line(result.output)
    assert "x\\nforged: a.jsonl: 1 item scored" in result.output
    assert f"1 part -> {tmp_path}/o\\nforged: d with " in result.output


def test_shown_keeps_printable_text_and_newlines():
    from classifier.cli.display import shown

    assert shown("Россия 中国 [x] naïve\ttab\nline") == "Россия 中国 [x] naïve\ttab\nline"
    assert shown("a\x00b\x7fc\x9bd\u2066e") == "a\\x00b\\x7fc\\x9bd\\u2066e"
    assert shown("Outlet\u2028B\u2029") == "Outlet\\u2028B\\u2029"  # line breaks to some terminals


def test_long_names_are_cut_in_the_middle_so_their_ends_stay_apart():
    from classifier.visible import shortened

    names = [f"The Extremely Long Name of a Regional Newspaper Group Edition {n}" for n in range(15)]
    assert len({shortened(name, 40) for name in names}) == 15 and all(len(shortened(n, 40)) == 40 for n in names)
    assert shortened("Reuters", 40) == "Reuters"


def labelled_file(tmp_path):
    path = tmp_path / "L.jsonl"
    rows = [{"id": f"{i}", "text": "Russia won.", "actor": "Russia", "spans": [[0, 6]], "label": "favor",
             "annotator": "ana", "article": "a", "stance": "favor", "stance_scores": {"favor": 0.8, "against": 0.1,
                                                                                         "neutral": 0.1}}
            for i in range(3)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.mark.parametrize("how", ["same", "symlink", "hardlink"])
@pytest.mark.parametrize("command, input_name, out_suffix", [
    (["label", "gold", "{in}", "--out", "{out}"], "L.jsonl", ".jsonl"),
    (["label", "suggest", "{in}", "--out", "{out}"], "L.jsonl", ".jsonl"),
    (["label", "run", "{in}", "--labels", "{out}"], "L.jsonl", ".jsonl"),
    (["label", "export", "{in}", "--out", "{out}"], "L.json", ".json"),
    (["label", "import", "{in}", "--labels", "{out}"], "L.json", ".jsonl"),
    (["evaluate", "{in}", "--out", "{out}"], "L.json", ".json"),
    (["prepare", "{in}", "--out", "{out}"], "L.jsonl", ".jsonl"),
    (["classify", "{in}", "--out", "{out}"], "L.jsonl", ".jsonl"),
])
def test_an_output_that_is_an_input_is_refused_before_any_work(tmp_path, command, input_name, out_suffix, how):
    source = labelled_file(tmp_path).rename(tmp_path / input_name)
    if how == "same":
        if source.suffix != out_suffix:
            pytest.skip("the output's extension already tells it apart")
        out = source
    else:
        out = tmp_path / f"{how}{out_suffix}"
        out.symlink_to(source) if how == "symlink" else out.hardlink_to(source)
    before = source.read_bytes()
    result = runner.invoke(app, [a.replace("{in}", str(source)).replace("{out}", str(out)) for a in command])
    one_line_failure(result, "that is the input file")
    assert source.read_bytes() == before


def test_resume_refuses_a_journal_written_before_the_model_was_recalibrated(tmp_path, tiny_model_dir):
    from classifier.models.stance_model import model_hash

    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model)
    items = tmp_path / "items.jsonl"
    items.write_text("".join(json.dumps({"id": f"{i}", "text": "Russia won.", "actor": "Russia",
                                         "spans": [[0, 6]]}) + "\n" for i in range(4)))
    done = tmp_path / "done.jsonl"
    assert runner.invoke(app, ["classify", str(items), "--out", str(done), "--model", str(model), "-q"]).exit_code == 0
    out = tmp_path / "p.jsonl"
    journal = tmp_path / "p.jsonl.partial.jsonl"
    journal.write_text("".join(done.read_text().splitlines(keepends=True)[:2]))  # a run killed half way
    before = model_hash(model)
    settings = json.loads((model / "stance.json").read_text())
    (model / "stance.json").write_text(json.dumps({**settings, "temperature": 3.0}))  # what calibrate changes
    assert model_hash(model) != before
    result = runner.invoke(app, ["classify", str(items), "--out", str(out), "--model", str(model), "--resume", "-q"])
    one_line_failure(result, "p.jsonl.partial.jsonl:1")
    assert not out.exists()


@pytest.mark.parametrize("task, message", [
    ({"data": {"id": "1", "text": "t", "actor": "Russia"}, "annotations": "yes"}, "annotations"),
    ({"data": {"id": "1", "text": "t", "actor": "Russia"}, "annotations": [{"result": {"a": 1}}]}, "result"),
    ({"data": {"id": "1", "text": "t", "actor": "Russia"},
      "annotations": [{"result": [{"type": "choices", "value": "favor"}]}]}, "value"),
    ({"data": {"id": "1", "text": "t", "actor": "Russia"},
      "annotations": [{"result": [{"value": {"choices": [{"x": 1}]}}]}]}, "choices"),
    ({"data": {"id": "1", "text": "t", "actor": "Russia"}, "predictions": [{"result": 3}]}, "predictions"),
    ({"data": {"id": "1", "text": "t", "actor": "Russia"},
      "annotations": [{"created_at": 5, "result": []}]}, "created_at"),
    ({"data": "text"}, "no 'data' object"),
])
def test_a_label_studio_export_of_another_shape_is_one_line(tmp_path, task, message):
    export = tmp_path / "export.json"
    export.write_text(json.dumps([task]))
    labels = tmp_path / "labels.jsonl"
    result = runner.invoke(app, ["label", "import", str(export), "--labels", str(labels)])
    one_line_failure(result, "export.json: task 1: ")
    assert message in result.output and not labels.exists()


def test_a_deeply_nested_export_is_one_line(tmp_path):
    export = tmp_path / "export.json"
    export.write_text("[" * 100_000 + "]" * 100_000)
    result = runner.invoke(app, ["label", "import", str(export), "--labels", str(tmp_path / "l.jsonl")])
    one_line_failure(result, "nested too deeply")


@pytest.mark.parametrize("errno_code, words", [(28, "No space left on device"), (30, "Read-only file system")])
def test_a_full_disk_or_read_only_folder_is_one_line_and_leaves_nothing(tmp_path, monkeypatch, errno_code, words):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Russia and China met.\n")
    out = tmp_path / "items.jsonl"
    monkeypatch.setattr("builtins.open", _failing_open(tmp_path, errno_code))  # every file opened to write fails
    result = runner.invoke(app, ["prepare", str(corpus), "--out", str(out), "-q"])
    monkeypatch.undo()
    one_line_failure(result, words)
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".items")]


def test_a_disk_that_fills_while_writing_items_names_the_output(tmp_path, monkeypatch):
    """A write that fills the disk carries no file name of its own: the error names the output it was for."""
    import errno
    import os

    from classifier.io.files import TableWriter

    def full(self, records):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Russia and China met.\n")
    out = tmp_path / "items.jsonl"
    monkeypatch.setattr(TableWriter, "_write", full)
    result = runner.invoke(app, ["prepare", str(corpus), "--out", str(out), "-q"])
    one_line_failure(result, f"{out}: No space left on device (outputs are atomic")
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".items")]


def test_a_disk_that_fills_while_classify_prepares_articles_names_the_output(tmp_path, monkeypatch, tiny_model_dir):
    """classify prepares articles into a hidden folder beside --out, removed as the run ends: a full disk there is
    said of --out, not of that folder's items file, which no longer exists when the line is read."""
    import errno
    import os

    from classifier.io.files import TableWriter

    def full(self, records):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Russia and China met.\n")
    out = tmp_path / "predictions.jsonl"
    monkeypatch.setattr(TableWriter, "_write", full)
    result = runner.invoke(app, ["classify", str(corpus), "--out", str(out), "--model", str(tiny_model_dir), "-q"])
    one_line_failure(result, f"{out}: No space left on device, while the articles were prepared beside it")
    assert ".prepare" not in result.output
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".predictions")]


def limited_stance(limit: int, *args):
    """``stance ARGS`` in a process whose files may not grow past ``limit`` bytes (``ulimit -f``): a write that
    crosses it writes what fits, then fails with EFBIG, "File too large" (Python ignores SIGXFSZ)."""
    import os
    import resource
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, PYTHONPATH=str(root), PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([sys.executable, "-m", "classifier", *map(str, args)], cwd=root, env=env, text=True,
                          capture_output=True, timeout=600, stdin=subprocess.DEVNULL,
                          preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)))


def test_a_file_size_limit_during_classify_names_the_journal_and_resume_finishes(tmp_path, tiny_model_dir):
    """A journal write cut short by ``ulimit -f`` left the rest of its batch in the file's buffer, and closing the
    journal wrote it again: the second failure hid the line naming the journal behind "a file this command writes
    or reads: File too large". Now the line names the journal, and --resume finishes as an unbroken run."""
    rows = [{"id": f"i{n}", "text": f"Russia said {n} things.", "actor": "Russia", "spans": [[0, 6]]}
            for n in range(60)]
    items = tmp_path / "items.jsonl"
    items.write_text("".join(json.dumps(r) + "\n" for r in rows))
    args = ["classify", items, "--model", tiny_model_dir, "--engine", "torch", "--batch-size", "4", "-q"]
    assert runner.invoke(app, [*map(str, args), "--out", str(tmp_path / "clean.jsonl")]).exit_code == 0
    out, journal = tmp_path / "p.jsonl", tmp_path / "p.jsonl.partial.jsonl"
    # then --resume under the same limit: the newline that ends the torn line fails; it named no file ("a file this
    # command writes or reads: File too large"), now the journal, which is kept as it was
    for result in stance_runs(tmp_path / "runs", *(Run((*args, "--out", out, *resume), limit=3000, sizes=(out, journal))
                                                   for resume in ([], ["--resume"]))):
        said = result.stderr.decode()
        assert result.returncode == 1 and "Traceback" not in said, said
        assert f"error: {journal}: File too large; the earlier batches' predictions are kept" in said, said
        assert result.sizes == {out: None, journal: 3000}  # as each run left them
    resumed = runner.invoke(app, [*map(str, args), "--out", str(out), "--resume"])
    assert resumed.exit_code == 0, resumed.output
    assert out.read_bytes() == (tmp_path / "clean.jsonl").read_bytes()


def test_a_file_size_limit_during_train_names_the_checkpoint_and_the_model_folder(tmp_path, tiny_model_dir,
                                                                                   monkeypatch):
    """train's checkpoint is written by torch.save, whose zip writer hides a failed write (``ulimit -f``, a full
    disk) behind a RuntimeError ("unexpected pos ..."), and the model's weights by safetensors, whose SafetensorError
    says "(os error 28)": both were tracebacks. Now each is one line naming the file (the checkpoint) or the model
    folder asked for, and nothing is left in --out."""
    from test_train_cli import label_rows, write

    labels = write(tmp_path / "labels.jsonl", label_rows(n_articles=6, per_article=3))
    out = tmp_path / "ours"
    args = ["train", labels, "--out", out, "--base", tiny_model_dir, "--epochs", "1", "--n-boot", "0", "-q"]
    limited = limited_stance(20_000, *args)
    assert limited.returncode == 1 and "Traceback" not in limited.stderr, limited.stderr
    assert f"error: {tmp_path / '.ours.train-checkpoint.pt'}: File too large" in limited.stderr, limited.stderr
    assert not out.exists()

    from safetensors import SafetensorError
    from transformers import PreTrainedModel

    def full(self, *args, **kwargs):  # what safetensors raises on a full disk, as it words it
        raise SafetensorError("Error while serializing: I/O error: No space left on device (os error 28)")

    monkeypatch.setattr(PreTrainedModel, "save_pretrained", full)
    result = runner.invoke(app, [*map(str, args), "--overwrite"])  # the table, then the line
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert f"error: {out}: No space left on device (outputs are atomic" in result.output, result.output
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".ours.") and
                                     p.name.endswith(".stage")]


def _failing_open(root, errno_code):
    import builtins
    import os

    real_open = builtins.open

    def fake_open(file, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wax") and str(file).startswith(str(root)):
            raise OSError(errno_code, os.strerror(errno_code), str(file))
        return real_open(file, mode, *args, **kwargs)

    return fake_open


@pytest.mark.parametrize("hidden, args, extra", [
    ("onnxruntime", ["--engine", "onnx"], ".[onnx]"),
    ("onnxruntime", ["--engine", "onnx-int8"], ".[onnx]"),
    ("onnx", ["--engine", "onnx-int8"], ".[onnx]"),
    ("ray", ["--workers", "2"], ".[ray]"),
    ("ray", ["--ray-data"], ".[ray]"),
])
def test_a_missing_optional_extra_names_its_pip_install_line(tmp_path, tiny_model_dir, monkeypatch, hidden, args,
                                                             extra):
    """Each optional extra, made unimportable: one line naming the install command, no output written."""
    import sys

    for name in [m for m in sys.modules if m == hidden or m.startswith(hidden + ".")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, hidden, None)  # import raises ImportError
    out = tmp_path / ("parts" if "--ray-data" in args else "p.jsonl")
    source = items_file(tmp_path)
    if "--ray-data" in args:
        source = tmp_path / "part-0.jsonl"
        shutil.copy(items_file(tmp_path), source)
    monkeypatch.setenv("STANCE_CACHE", str(tmp_path / "cache"))
    result = runner.invoke(app, ["classify", str(source), "--model", str(tiny_model_dir), "--out", str(out), *args])
    one_line_failure(result, f"pip install '{extra}' in the checkout")
    assert not out.exists() and not (tmp_path / "cache").exists()


def filling_write(real, room: int):
    """``os.write`` that writes what fits in ``room`` bytes (a torn line), then fails with ENOSPC."""
    import errno
    import os

    left = [room]

    def write(fd, data):
        if left[0] <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written = real(fd, bytes(data[: left[0]]))
        left[0] -= written
        return written

    return write


def test_a_disk_that_fills_during_classify_keeps_the_journal_and_resume_finishes(tmp_path, tiny_model_dir,
                                                                                  monkeypatch):
    rows = [{"id": f"i{n}", "text": f"Russia said {n} things.", "actor": "Russia", "spans": [[0, 6]]}
            for n in range(40)]
    items = tmp_path / "items.jsonl"
    items.write_text("".join(json.dumps(r) + "\n" for r in rows))
    args = ["classify", str(items), "--model", str(tiny_model_dir), "--batch-size", "4", "-q"]
    assert runner.invoke(app, [*args, "--out", str(tmp_path / "clean.jsonl")]).exit_code == 0

    out, journal = tmp_path / "p.jsonl", tmp_path / "p.jsonl.partial.jsonl"
    import classifier.predict.batch as batch

    class FillingFile:  # the journal's file: what fits in 3,000 bytes, then ENOSPC
        room = 3000

        def __init__(self, fh):
            self.fh = fh

        def write(self, data):
            import errno
            if len(data) > self.room:
                self.fh.write(data[: self.room])
                self.fh.flush()
                FillingFile.room = 0
                raise OSError(errno.ENOSPC, "No space left on device")
            FillingFile.room -= len(data)
            return self.fh.write(data)

        def __getattr__(self, name):
            return getattr(self.fh, name)

    def opening(file, mode="r", *rest, **kwargs):
        fh = open(file, mode, *rest, **kwargs)
        return FillingFile(fh) if str(file) == str(journal) and "a" in mode else fh

    monkeypatch.setattr(batch, "open", opening, raising=False)
    full = runner.invoke(app, [*args, "--out", str(out)])
    monkeypatch.undo()
    one_line_failure(full, f"{journal}: No space left on device")
    assert "--resume" in full.output and not out.exists() and 0 < journal.stat().st_size <= 3000
    resumed = runner.invoke(app, [*args, "--out", str(out), "--resume"])
    assert resumed.exit_code == 0, resumed.output
    lines = out.read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [r["id"] for r in rows]  # each once, in order
    clean = [json.loads(line) for line in (tmp_path / "clean.jsonl").read_text().splitlines()]
    assert [json.loads(line)["stance"] for line in lines] == [r["stance"] for r in clean]


def test_a_disk_that_fills_while_labelling_loses_no_saved_answer(tmp_path, monkeypatch):
    import os

    from classifier.errors import InputError, InputWarning
    from classifier.labels import LabelStore

    store = LabelStore(tmp_path / "labels.jsonl")
    answers = [{"id": f"i{n}", "text": "Russia won.", "actor": "Russia", "spans": [[0, 6]], "label": "favor",
                "annotator": "ana", "time": f"2026-12-0{n + 1}"} for n in range(3)]
    store.append(answers[0])
    monkeypatch.setattr(os, "write", filling_write(os.write, room=10))  # the second answer is torn after 10 bytes
    with pytest.raises(InputError) as failure:
        store.append(answers[1])
    monkeypatch.undo()
    assert "labels.jsonl: No space left on device; this answer was not saved" in str(failure.value)
    with pytest.warns(InputWarning, match="last line ignored"):
        assert [r["id"] for r in store.records()] == ["i0"]  # the torn line is not an answer
    with pytest.warns(InputWarning, match="moved to"):
        store.append(answers[2])  # room again: the torn bytes are moved aside, nothing is glued on
    assert [r["id"] for r in store.records()] == ["i0", "i2"]
    assert (tmp_path / "labels.jsonl").read_text().count("\n") == 2


@pytest.mark.parametrize("name, code, said", [("SIGTERM", 143, "terminated"), ("SIGHUP", 129, "hung up")])
def test_a_kill_or_a_hangup_unwinds_like_ctrl_c_and_leaves_no_partial_output(tmp_path, monkeypatch, capsys,
                                                                              name, code, said):
    """SIGTERM (kill, a scheduler's time limit) and SIGHUP (the terminal or ssh session closed) of a command
    running under a script's ``&`` or a scheduler, where SIGINT is ignored: one line, exit 128 + the signal."""
    import os
    import signal

    import typer

    from classifier.cli import main as entry
    from classifier.cli.app import handle_errors
    from classifier.io.files import TableWriter
    from classifier.signals import on_stop

    number = getattr(signal, name)
    seen = []
    monkeypatch.setattr(entry, "app", lambda **run: seen.append(signal.getsignal(number)))
    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        for s in previous:
            signal.signal(s, signal.SIG_DFL)
        with pytest.raises(SystemExit) as ended:
            entry.main()  # the stance command installs the handler before any command runs
        assert ended.value.code == 0
        assert seen == [on_stop]
        out = tmp_path / "items.parquet"

        @handle_errors
        def killed_midway():
            with TableWriter(out, "parquet", ["id"]) as writer:
                writer.write([{"id": "1"}])
                os.kill(os.getpid(), number)
                pytest.fail("the signal did not stop the command")

        capsys.readouterr()
        with pytest.raises(typer.Exit) as stopped:
            killed_midway()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    assert stopped.value.exit_code == code and capsys.readouterr().err.strip() == said
    assert list(tmp_path.iterdir()) == []  # neither the output nor its .tmp file and .parts folder


def test_a_hangup_ignored_by_nohup_stays_ignored(monkeypatch):
    """``nohup stance classify ...`` asks for a run that outlives the terminal: the command keeps SIGHUP ignored."""
    import signal

    from classifier.cli import main as entry

    seen = []
    monkeypatch.setattr(entry, "app", lambda **run: seen.append(signal.getsignal(signal.SIGHUP)))
    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        with pytest.raises(SystemExit):
            entry.main()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    assert seen == [signal.SIG_IGN]


def test_a_model_folder_that_asks_for_its_own_code_is_refused_unless_trusted(tmp_path, tiny_model_dir):
    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model)
    config = json.loads((model / "config.json").read_text())
    config["auto_map"] = {"AutoModelForSequenceClassification": "modeling_evil.EvilModel"}
    (model / "config.json").write_text(json.dumps(config))
    out = tmp_path / "p.jsonl"
    result = runner.invoke(app, ["classify", str(items_file(tmp_path)), "--out", str(out), "--model", str(model), "-q"])
    one_line_failure(result, "config.json asks to run the folder's own code (auto_map); pass --trust-remote-code")
    assert not out.exists()
    from classifier.errors import InputError
    from classifier.models.base import check_own_code

    with pytest.raises(InputError, match="pass trust_remote_code=True only"):  # a Python caller's argument
        check_own_code(model, trust_remote_code=False)
    check_own_code(model, trust_remote_code=True)  # the user's call
    check_own_code(tiny_model_dir, trust_remote_code=False)  # a plain folder passes


def test_json_nested_too_deeply_is_one_line_wherever_it_is_read(tmp_path):
    from classifier.errors import InputError
    from classifier.evaluate import _scores
    from classifier.items import parse_item

    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(InputError, match="f.csv:2: spans is not a JSON list"):
        parse_item({"id": "1", "text": "Russia", "actor": "Russia", "spans": deep}, "f.csv:2")
    with pytest.raises(InputError, match="p.csv:3: stance_scores is not JSON"):
        _scores(deep, "p.csv:3")


def test_a_hub_name_on_a_machine_without_network_fails_at_once(monkeypatch):
    import socket

    from huggingface_hub import constants

    from classifier.errors import InputError
    from classifier.models.base import check_hub_reachable

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)

    def no_dns(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    with pytest.raises(InputError, match="someone/model: not a local folder nor in the Hugging Face cache, and "
                                         "huggingface.co cannot be reached"):
        check_hub_reachable("someone/model")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    check_hub_reachable("someone/model")  # offline mode: transformers' own error names the cache


@pytest.mark.parametrize("args, expected", [
    (["classify", "in.jsonl", "--out", "o.jsonl", "--batch-size", "0"],
     "error: stance classify: Invalid value for '--batch-size'"),
    (["classifyy"], "error: stance: No such command 'classifyy'"),
    (["label", "agreement"], "error: stance label agreement: Missing argument"),
    (["classify", "in.jsonl", "--out"], "error: stance classify: Option '--out' requires an argument"),
    (["label", "run", "in.jsonl", "-l"], "error: stance label run: Option '-l' requires an argument"),
    (["label", "in.jsonl", "--labels"], "error: stance label run: Option '--labels' requires an argument"),
    # a misspelt subcommand of label, named as one (it read as `label run smaple`: "No such option: --out")
    (["label", "smaple", "items.jsonl", "--out", "s.jsonl"],
     "error: stance label: No such command 'smaple'. Did you mean 'sample'?"),
    (["label", "agrement", "a.jsonl", "b.jsonl"], "error: stance label: No such command 'agrement'. Did you mean"),
])
def test_a_usage_error_is_one_line_naming_the_command(args, expected, capsys):
    from classifier.cli import main as entry

    with pytest.raises(SystemExit) as ended:
        entry.main(args)
    assert ended.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(expected) and "\n" not in err and "╭" not in err
    assert err.endswith("--help)")


@pytest.mark.parametrize("first", ["smaple.jsonl", "data/smaple", "golt"])
def test_a_file_like_first_argument_of_label_still_goes_to_run(first, tmp_path, monkeypatch, capsys):
    """Only a bare word close to a subcommand's name is called a misspelt one: a file name with a suffix or a
    folder, or a path that exists (a file called "golt" here), is run's ITEMS."""
    from classifier.cli import main as entry

    monkeypatch.chdir(tmp_path)
    (tmp_path / "golt").write_text("")
    with pytest.raises(SystemExit) as ended:
        entry.main(["label", first, "--labels", "l.jsonl"])
    assert ended.value.code == 1
    assert "No such command" not in capsys.readouterr().err


def test_help_exits_zero_through_the_entry_point(capsys):
    from classifier.cli import main as entry

    with pytest.raises(SystemExit) as ended:
        entry.main(["classify", "--help"])
    assert ended.value.code == 0
    assert "--out" in capsys.readouterr().out


@pytest.mark.parametrize("group", [[], ["label"], ["actors"]])
def test_a_group_run_bare_shows_its_help_and_no_error_line(group, capsys):
    from classifier.cli import main as entry

    with pytest.raises(SystemExit) as ended:
        entry.main(group)
    assert ended.value.code == 2
    shown = capsys.readouterr()
    assert "Usage" in shown.out + shown.err and "error:" not in shown.out + shown.err


@pytest.mark.parametrize("value", [None, float("nan"), "   "])
def test_an_empty_text_cell_is_called_empty(value):
    from classifier.errors import InputError
    from classifier.items import parse_item

    with pytest.raises(InputError, match=r"^t.csv:3: text: empty text"):
        parse_item({"id": "s2", "text": value}, "t.csv:3")


def test_a_nul_byte_in_an_item_s_text_is_refused_as_prepare_refuses_it(tmp_path, tiny_model_dir):
    """prepare refuses an article's NUL bytes, but classify scored an item holding them."""
    path = tmp_path / "items.jsonl"
    path.write_text("\n".join(json.dumps({"id": str(n), "text": text, "actor": "Russia"})
                              for n, text in enumerate(["Russia won.", "Russia\x00 won."])) + "\n")
    out = tmp_path / "p.jsonl"
    result = runner.invoke(app, ["classify", str(path), "--out", str(out), "--model", str(tiny_model_dir)])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert result.output.strip() == f"error: {path}:2: text: holds NUL bytes (binary data, not a sentence to score)"
    assert not out.exists()


def test_an_output_at_a_pipe_is_refused_and_one_at_a_link_writes_the_link_s_file(tmp_path):
    import os

    items = items_file(tmp_path)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    one_line_failure(runner.invoke(app, ["prepare", str(items), "--out", str(fifo), "--format", "jsonl"]),
                     "not a regular file (a device, a pipe or a socket)")
    assert fifo.exists() and not fifo.is_file()  # the pipe is still a pipe
    (tmp_path / "real").mkdir()
    link = tmp_path / "link.jsonl"
    link.symlink_to(tmp_path / "real" / "target.jsonl")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Russia warned NATO.\n")
    result = runner.invoke(app, ["prepare", str(corpus), "--out", str(link), "-q"])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and (tmp_path / "real" / "target.jsonl").read_text().count("\n") == 2


@contextlib.contextmanager
def unwritten_pipe(path: Path):
    """A named pipe at ``path`` that nothing writes to. A thread opens and closes its writing end whenever a reader
    waits to open it, so code that opens it (where it should refuse it unopened) reads it empty instead of waiting
    for a writer forever: the test fails rather than hangs."""
    import os
    import threading

    os.mkfifo(path)
    done = threading.Event()

    def release():
        while not done.wait(0.05):
            try:
                os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:  # ENXIO: no reader waiting
                pass

    thread = threading.Thread(target=release, daemon=True)
    thread.start()
    try:
        yield path
    finally:
        done.set()
        thread.join()


@pytest.mark.parametrize("name, args", [
    ("manifest.csv", ["prepare", "{corpus}", "--manifest", "{pipe}", "--out", "{out}.jsonl"]),
])
def test_an_input_given_as_a_pipe_is_refused_unopened(tmp_path, name, args):
    """A named pipe (mkfifo, or a shell's <(cat FILE)) given as a table hung, or lost its first bytes: its readers
    open it more than once (to tell its compression, a workbook, its encoding, then to read it), so prepare said
    'unsupported input' of <(cat articles.jsonl), evaluate 'malformed JSON (Extra data)' and calibrate 'no item
    has a gold label' of files that hold them, and a named pipe waited forever. A manifest still is one line, before
    any opening; the tables a command reads are saved and read as files (tests/test_stdin_inputs.py)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Russia warned NATO.\n")
    with unwritten_pipe(tmp_path / name) as pipe:
        given = [arg.format(pipe=pipe, out=tmp_path / "out", corpus=corpus) for arg in args]
        result = runner.invoke(app, given)
    one_line_failure(result, f"{pipe}: not a regular file (a pipe); save it to a file first")
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(("out", ".out"))]  # nothing written


@contextlib.contextmanager
def written_pipe(data: bytes):
    """A pipe holding ``data`` (under the 64 KB a pipe holds unread), its writing end closed, as ``/dev/fd/N``: what a
    shell's ``<(cat FILE)`` gives a command."""
    import os

    read_end, write_end = os.pipe()
    os.write(write_end, data)
    os.close(write_end)
    try:
        yield f"/dev/fd/{read_end}"
    finally:
        os.close(read_end)


def test_a_label_file_given_as_a_pipe_is_told_by_its_content(tmp_path):
    """'label gold <(cat a.csv)' read the CSV table as JSON lines ('/dev/fd/63:1: malformed JSON'), /dev/fd/63 having
    no suffix to say CSV, and a named pipe called labels.csv was refused. A pipe, and a name without a suffix
    (/dev/stdin < a.csv), is read once and told by its bytes: JSON lines, a CSV table with a label column, Parquet;
    each gives the gold set the file gives."""
    import os
    import threading

    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [{"id": "a1", "text": "Russia attacked.", "actor": "Russia", "label": "against", "annotator": "ana"},
            {"id": "a2", "text": "Russia helped.", "actor": "Russia", "label": "favor", "annotator": "ana"}]
    table = tmp_path / "labels.csv"
    table.write_text("id,text,actor,label,annotator\n" + "".join(
        f"{r['id']},{r['text']},{r['actor']},{r['label']},{r['annotator']}\n" for r in rows))
    parquet = tmp_path / "labels.parquet"
    pq.write_table(pa.Table.from_pylist(rows), parquet)
    jsonl = b"".join(json.dumps(r).encode() + b"\n" for r in rows)
    expected = runner.invoke(app, ["label", "gold", str(table), "--out", str(tmp_path / "expected.jsonl")])
    assert expected.exit_code == 0, expected.output
    for name, data in (("csv", table.read_bytes()), ("semicolons", table.read_bytes().replace(b",", b";")),
                       ("parquet", parquet.read_bytes()), ("jsonl", jsonl)):
        out = tmp_path / f"gold-{name}.jsonl"
        with written_pipe(data) as pipe:
            result = runner.invoke(app, ["label", "gold", pipe, "--out", str(out)])
        assert result.exit_code == 0, (name, result.output)
        assert out.read_bytes() == (tmp_path / "expected.jsonl").read_bytes(), name
    fifo = tmp_path / "named.csv"  # a named pipe: read once too, told by its bytes
    os.mkfifo(fifo)
    writer = threading.Thread(target=fifo.write_bytes, args=(jsonl,), daemon=True)
    writer.start()
    try:
        result = runner.invoke(app, ["label", "gold", str(fifo), "--out", str(tmp_path / "gold-fifo.jsonl")])
    finally:
        release = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # the writer's opening, where nothing read it
        writer.join()
        os.close(release)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "gold-fifo.jsonl").read_bytes() == (tmp_path / "expected.jsonl").read_bytes()
    unnamed = tmp_path / "stdin"  # /dev/stdin < labels.csv: a regular file whose name says no format
    unnamed.write_bytes(table.read_bytes())
    result = runner.invoke(app, ["label", "gold", str(unnamed), "--out", str(tmp_path / "gold-stdin.jsonl")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "gold-stdin.jsonl").read_bytes() == (tmp_path / "expected.jsonl").read_bytes()
    with written_pipe(b"a,b\n1,2\n") as pipe:  # neither: one line saying what it is not
        one_line_failure(runner.invoke(app, ["label", "agreement", pipe]),
                         f"{pipe}: read by its content (its name says no format): not JSON lines (its first character "
                         "is not '{'), nor a CSV table with a 'label' column (its header: a, b)")
    with written_pipe(b"id,text,actor,label\na1,R\xe9sum\xe9,Russia,favor\n") as pipe:  # cp1252
        one_line_failure(runner.invoke(app, ["label", "agreement", pipe]), f"{pipe}:2: not UTF-8 text")


def test_a_label_file_told_by_its_content_that_opens_with_a_bracket_or_brace(tmp_path):
    """Told by its content, a label file whose first character is "[" (one JSON array, as a Label Studio export is)
    was read as a CSV table ("column '"actor": "Russia"' appears twice in the header"), where the same file named
    .jsonl is named as a JSON array; a CSV table whose first cell starts with "{" was read as JSON lines ("malformed
    JSON"). The array is named as the .jsonl file's is, and the table is read as a CSV table."""
    rows = [{"id": "a1", "text": "Russia attacked.", "actor": "Russia", "label": "against", "annotator": "ana"},
            {"id": "a2", "text": "Russia helped.", "actor": "Russia", "label": "favor", "annotator": "ana"}]
    array = json.dumps(rows).encode()
    named = tmp_path / "labels.jsonl"
    named.write_bytes(array)
    said = runner.invoke(app, ["label", "agreement", str(named)]).output.strip().split(": ", 2)[-1]
    assert "looks like one JSON array" in said, said
    unnamed = tmp_path / "stdin"  # /dev/stdin < labels.jsonl: a name without a suffix
    unnamed.write_bytes(array)
    one_line_failure(runner.invoke(app, ["label", "agreement", str(unnamed)]), f"{unnamed}:1: {said}")
    with written_pipe(array) as pipe:
        one_line_failure(runner.invoke(app, ["label", "agreement", pipe]), f"{pipe}:1: {said}")
    table = "{note},id,text,actor,label,annotator\n" + "".join(
        f"x,{r['id']},{r['text']},{r['actor']},{r['label']},{r['annotator']}\n" for r in rows)
    (tmp_path / "labels.csv").write_text(table)
    expected = runner.invoke(app, ["label", "gold", str(tmp_path / "labels.csv"), "--out", str(tmp_path / "e.jsonl")])
    assert expected.exit_code == 0, expected.output
    with written_pipe(table.encode()) as pipe:
        result = runner.invoke(app, ["label", "gold", pipe, "--out", str(tmp_path / "gold.jsonl")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "gold.jsonl").read_bytes() == (tmp_path / "e.jsonl").read_bytes()
    with written_pipe(json.dumps(rows[0]).encode() + b"\n" + json.dumps(rows[1]).encode()[:20]) as pipe:
        result = runner.invoke(app, ["label", "gold", pipe, "--out", str(tmp_path / "torn.jsonl")])  # JSON lines
    assert result.exit_code == 0 and "last line ignored" in result.output, result.output


def test_compressed_bytes_through_a_pipe_are_named_as_a_file_s_are(tmp_path):
    """A pipe's bytes were not looked at for a compression (looked at, they would be gone for the read): a gzip'd
    catalogue through a pipe (--actors <(gzip -c leader.yaml)) said 'not UTF-8 text', a gzip'd label table
    'malformed JSON' or 'not UTF-8 text', a gzip'd Label Studio export 'not a JSON file (... can't decode byte
    0x8b ...)'. The bytes read once are told as a file's are: compressed, and the command that undoes it."""
    import gzip

    packed = gzip.compress(b"actors:\n  - name: Vladimir Putin\n")
    with written_pipe(packed) as pipe:
        one_line_failure(runner.invoke(app, ["actors", "list", "--actors", pipe]),
                         f"{pipe}: gzip-compressed; the actor catalogue is read as plain text: decompress it "
                         "('gunzip') and give the file it holds")
    with written_pipe(b"\x28\xb5\x2f\xfd" + b"\0" * 12) as pipe:  # zstd's magic bytes
        one_line_failure(runner.invoke(app, ["actors", "list", "--actors", pipe]), "zstd-compressed; the actor "
                         "catalogue is read as plain text: decompress it ('zstd -d')")
    with written_pipe(gzip.compress(b'{"id": "a1", "text": "Russia won.", "actor": "Russia", "label": "favor"}\n')) \
            as pipe:  # a gzip'd CSV label table is read, as labels.csv.gz is (tests/test_stdin_inputs.py)
        one_line_failure(runner.invoke(app, ["label", "gold", pipe, "--out", str(tmp_path / "gold.jsonl")]),
                         f"{pipe}: gzip-compressed; label files are not read compressed")
    with written_pipe(gzip.compress(b"[]")) as pipe:
        one_line_failure(runner.invoke(app, ["label", "import", pipe, "--labels", str(tmp_path / "labels.jsonl")]),
                         f"{pipe}: gzip-compressed; a Label Studio export is read as plain text: decompress it "
                         "('gunzip')")
    assert not (tmp_path / "gold.jsonl").exists() and not (tmp_path / "labels.jsonl").exists()


def test_an_actor_catalogue_given_as_a_pipe_is_read_once_and_a_device_refused(tmp_path):
    """--actors <(cat leader.yaml) is read as the file (once: the terms it takes name their lines from the same
    text); it had been refused since pipes were, and before that worked. /dev/null is refused as a device."""
    import os

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Vladimir Putin met Xi Jinping in Moscow.\n")
    read_end, write_end = os.pipe()
    os.write(write_end, b"actors:\n  - name: Vladimir Putin\n")
    os.close(write_end)
    try:
        result = runner.invoke(app, ["prepare", str(corpus), "--out", str(tmp_path / "items.jsonl"), "-q",
                                     "--actors", f"/dev/fd/{read_end}"])
    finally:
        os.close(read_end)
    assert result.exit_code == 0, result.output
    assert f"/dev/fd/{read_end}:2" in result.output  # the taken term names the pipe's line
    actors = [json.loads(line)["actor"] for line in (tmp_path / "items.jsonl").read_text().splitlines()]
    assert "Vladimir Putin" in actors and "China" in actors
    refused = runner.invoke(app, ["actors", "list", "--actors", os.devnull])
    one_line_failure(refused, f"{os.devnull}: not a regular file (a device)")


def test_a_device_is_refused_where_a_pipe_is_read_and_ray_data_names_a_pipe(tmp_path):
    """/dev/zero is read forever (out of memory) by the readers that read a pipe once, whole (a JSON lines label
    file, a Label Studio export); /dev/null was read as an empty file ('no labels to write'). Both are refused
    (shown with /dev/null, which cannot fill memory). --ray-data's input had said 'no such file or folder' of a
    pipe."""
    import os

    from classifier.errors import InputError
    from classifier.models.zero_shot import read_templates
    from classifier.predict.ray_data import input_parts
    from classifier.tasks import STANCE

    device = os.devnull
    for args in (["label", "gold", device, "--out", str(tmp_path / "gold.jsonl")],
                 ["label", "agreement", device],
                 ["label", "import", device, "--labels", str(tmp_path / "labels.jsonl")]):
        one_line_failure(runner.invoke(app, args), f"{device}: not a regular file (a device)")
    with pytest.raises(InputError, match="not a regular file \\(a device\\)"):
        read_templates(device, STANCE)
    with unwritten_pipe(tmp_path / "items.jsonl") as pipe, pytest.raises(InputError, match="\\(a pipe\\)"):
        input_parts(pipe)
    assert not (tmp_path / "gold.jsonl").exists() and not (tmp_path / "labels.jsonl").exists()


@contextlib.contextmanager
def pseudo_terminal():
    """The path of a pseudo-terminal's follower side (/dev/pts/N), open while the block runs."""
    import os
    import pty

    leader, follower = pty.openpty()
    try:
        yield os.ttyname(follower)
    finally:
        os.close(follower)
        os.close(leader)


def test_a_terminal_given_as_an_input_is_named_as_one(tmp_path):
    """/dev/stdin typed at a terminal (nothing redirected) was refused as 'not a regular file (a device)', which left
    the user to guess which device and what to do; a terminal is named as one, with what to give instead (shown with
    a pseudo-terminal's /dev/pts/N, which /dev/stdin is at a terminal). /dev/null is still 'a device'."""
    import os

    from classifier.errors import InputError
    from classifier.io.files import check_regular_input

    with pseudo_terminal() as terminal:
        said = f"{terminal}: a terminal, not a file; redirect a file into it (< FILE) or give the file's path"
        for args in (["label", "gold", terminal, "--out", str(tmp_path / "gold.jsonl")],
                     ["label", "import", terminal, "--labels", str(tmp_path / "labels.jsonl")],
                     ["actors", "list", "--actors", terminal],
                     ["prepare", terminal, "--out", str(tmp_path / "items.jsonl")]):
            one_line_failure(runner.invoke(app, args), said)
        with pytest.raises(InputError, match="a terminal, not a file"):
            check_regular_input(terminal, pipe=True)
    with pytest.raises(InputError, match=r"not a regular file \(a device\)"):
        check_regular_input(os.devnull, pipe=True)
    assert not list(tmp_path.iterdir())


def test_a_device_is_told_a_terminal_or_not_without_being_opened(tmp_path, monkeypatch):
    """is_terminal opened every character device given as an input to ask it isatty: opening a device can act (a
    watchdog is armed and reboots the machine unless fed, a serial line's DTR resets the board on it), where the
    check before it only looked (stat). A device is told by the standard stream it is, or by the name it resolves
    to, and never opened."""
    import os

    from classifier.errors import InputError
    from classifier.io.files import check_regular_input

    opened = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda path, *args, **kwargs: opened.append(str(path)) or real_open(path, *args,
                                                                                                          **kwargs))
    with pseudo_terminal() as terminal:
        with pytest.raises(InputError, match="a terminal, not a file"):
            check_regular_input(terminal, pipe=True)
    with pytest.raises(InputError, match=r"not a regular file \(a device\)"):
        check_regular_input(os.devnull)
    assert terminal not in opened and os.devnull not in opened, opened


def people_labels(path, annotators=("ana", "ben"), suggested=True):
    """A label file as 'stance label' writes it: a model's pre-label first (``suggested``), then people's answers."""
    rows = [{"id": "0", "text": "Russia won.", "actor": "Russia", "spans": [[0, 6]], "article": "a", "label": "favor",
             "annotator": "model:tiny", "suggested": True}] if suggested else []
    rows += [{"id": f"{i}", "text": f"Russia won round {i}.", "actor": "Russia", "spans": [[0, 6]], "article": f"a{i}",
              "label": "favor", "annotator": who, "timestamp": "2026-12-06T10:00:00+00:00"}
             for i in range(1, 4) for who in annotators]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.mark.parametrize("command", [
    ["prepare", "{corpus}", "--out", "{out}"],
    ["classify", "{items}", "--out", "{out}", "--model", "{model}", "--engine", "torch"],
    ["label", "gold", "{other}", "--out", "{out}"],
    ["label", "gold", "{other}", "--out", "{dir}/gold.jsonl", "--ties", "{out}"],
])
def test_an_output_over_a_label_file_of_peoples_answers_is_refused_and_over_a_made_one_is_not(
        tmp_path, tiny_model_dir, command):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Russia won.\n")
    items = tmp_path / "items.jsonl"
    items.write_text(json.dumps({"id": "1", "text": "Russia won.", "actor": "Russia", "spans": [[0, 6]]}) + "\n")
    other = people_labels(tmp_path / "other.jsonl", ("cy",), suggested=False)
    mine = people_labels(tmp_path / "mine.jsonl")  # hours of someone's answers, named by a mistyped --out
    before = mine.read_bytes()

    def run(out, *extra):
        return runner.invoke(app, [a.format(corpus=corpus, items=items, model=tiny_model_dir, other=other, out=out,
                                            dir=tmp_path) for a in command] + list(extra))

    result = run(mine)
    option = "--ties" if "--ties" in command else "--out"
    one_line_failure(result, f"{option} {mine}: a label file holding 6 answers by people (ana, ben), which writing "
                             "it would replace")
    assert mine.read_bytes() == before
    # a gold file is made again by label gold (its --out only when asked), never replaced by prepare or classify
    # (it cannot be told from labelled items, which no command makes again); predictions: a check of their own
    made = tmp_path / "made.jsonl"
    made.write_text(json.dumps({"id": "1", "text": "Russia won.", "actor": "Russia", "label": "favor"}) + "\n")
    result = run(made, *(["--overwrite"] if command[:3] == ["label", "gold", "{other}"] and "--ties" not in command
                         else []))  # label gold --out replaces another file only when asked
    if command[0] == "label":
        assert result.exit_code == 0, result.output
    else:
        one_line_failure(result, f"--out {made}: a file of people's labels (rows with a label and no model's output")
        made_items = tmp_path / "made_items.jsonl"  # items, made again by prepare: replaced
        made_items.write_text(json.dumps({"id": "1", "text": "Russia won.", "actor": "Russia"}) + "\n")
        assert run(made_items, *(["--overwrite"] if command[0] == "classify" else [])).exit_code == 0


def label_table(path, rows, kind):
    """``rows`` as a spreadsheet of labels: CSV (``sep`` a comma or a tab, as Excel saves it) or Parquet."""
    import pandas as pd

    frame = pd.DataFrame(rows)
    if kind == "parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False, sep="\t" if kind == "tsv" else ",")
    return path


@pytest.mark.parametrize("kind", ["csv", "tsv", "parquet"])
@pytest.mark.parametrize("command", [
    ["prepare", "{corpus}", "--out", "{out}", "--format", "{fmt}", "-q"],
    ["classify", "{items}", "--out", "{out}", "--format", "{fmt}", "--model", "{model}", "--engine", "torch", "-q"],
])
def test_an_output_over_a_spreadsheet_of_peoples_labels_is_refused_and_over_a_predictions_table_is_not(
        tmp_path, tiny_model_dir, command, kind):
    """A CSV, tab-separated or Parquet label table (what 'label gold', 'train' and 'calibrate' read) had been
    replaced silently: only JSON lines were told apart."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Russia won.\n")
    items = tmp_path / "items.jsonl"
    items.write_text(json.dumps({"id": "1", "text": "Russia won.", "actor": "Russia", "spans": [[0, 6]]}) + "\n")
    fmt = "parquet" if kind == "parquet" else "csv"
    suffix = {"csv": "csv", "tsv": "tsv", "parquet": "parquet"}[kind]
    rows = [{"id": str(i), "text": f"Russia won round {i}.", "actor": "Russia", "label": "favor", "annotator": who,
             "suggested": False} for i in range(3) for who in ("ana", "ben")]
    rows.append({"id": "9", "text": "Russia won.", "actor": "Russia", "label": "neutral", "annotator": "model:tiny",
                 "suggested": True})
    mine = label_table(tmp_path / f"mine.{suffix}", rows, kind)
    before = mine.read_bytes()

    def run(out):
        return runner.invoke(app, [a.format(corpus=corpus, items=items, model=tiny_model_dir, out=out, fmt=fmt)
                                   for a in command])

    one_line_failure(run(mine), f"--out {mine}: a label file holding 6 answers by people (ana, ben), which writing "
                                "it would replace")
    assert mine.read_bytes() == before
    # predictions on that table (they keep its annotator) are no people's answers (their own check may refuse them),
    # and an items table is made again by its command
    scores = '{"favor": 0.8, "against": 0.1, "neutral": 0.1}'
    for name, extra in (("preds", {"stance": "favor", "stance_scores": scores}), ("items", {})):
        made = label_table(tmp_path / f"{name}.{suffix}",
                           [{k: v for k, v in r.items() if k not in ("label", "annotator") or extra} | extra
                            for r in rows], kind)
        was = made.read_bytes()
        result = run(made)
        assert "answers by people" not in " ".join(result.output.split()), result.output
        if name == "items":
            assert result.exit_code == 0, result.output
            assert made.read_bytes() != was  # replaced by the command's own output
    # a spreadsheet with a model's labels beside people's, no scores: someone's work, kept as people's answers
    beside = label_table(tmp_path / f"beside.{suffix}", [r | {"stance": "against"} for r in rows], kind)
    one_line_failure(run(beside), f"--out {beside}: a label file holding 6 answers by people (ana, ben)")


@pytest.mark.parametrize("middle, message", [
    ("<div>" * 300 + "<p>China spoke at length.</p>" + "</div>" * 300, "elements nested more than 255 deep"),
    ("<p>" + "word " * 2_200_000 + "</p>", "a single text or tag over 10 MB"),
])
def test_an_html_page_past_the_parser_s_limits_is_refused_not_cut_short(tmp_path, middle, message):
    """libxml2 stops reading there without an exception: the page had kept its first paragraph only, exit 0."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    paragraph = "<p>{} signed a long treaty in Moscow today, officials said after months of talks.</p>"
    (corpus / "deep.html").write_text("<html><body><article>" + paragraph.format("Russia") + middle
                                      + paragraph.format("NATO") + "</article></body></html>")
    (corpus / "plain.txt").write_text("Russia won the vote.\n")
    out = tmp_path / "items.jsonl"
    result = runner.invoke(app, ["prepare", str(corpus), "--out", str(out), "-q"])
    one_line_failure(result, f"deep.html: {message}")
    assert not out.exists()
    result = runner.invoke(app, ["prepare", str(corpus), "--out", str(out), "-q", "--skip-unreadable"])
    assert result.exit_code == 0 and "skipped" in result.output and message in result.output, result.output
    assert [json.loads(line)["article"] for line in out.read_text().splitlines()] == ["plain"]


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods"])
def test_a_spreadsheet_workbook_is_one_line_saying_to_save_it_as_csv(tmp_path, suffix):
    # before: "unsupported input", "unknown input extension" or "unknown label file extension", no way out named;
    # a manifest workbook was read as CSV: "not UTF-8", or, where its first bytes held no line break, no rows at all
    # and the run went on without its outlets
    book = tmp_path / f"labels{suffix}"
    book.write_bytes(b"PK\x03\x04" + bytes(range(256)))  # a workbook's first bytes: a ZIP (or OLE) file
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Russia warned NATO.\n")
    out = tmp_path / "out.jsonl"
    for args in (["prepare", book, "--out", out], ["classify", book, "--out", out], ["label", "gold", book, "--out", out],
                 ["label", "agreement", book, book], ["train", book, "--out", tmp_path / "model"],
                 ["evaluate", book], ["prepare", corpus, "--manifest", book, "--out", out]):
        result = runner.invoke(app, [str(arg) for arg in args])
        one_line_failure(result, f"{book}: a spreadsheet workbook ({suffix}) is not read; save the sheet as CSV")
        assert "or as Parquet" in " ".join(result.output.split())
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["corpus", book.name])  # nothing written


@pytest.mark.parametrize("packer, named", [("gzip", "gzip"), ("bz2", "bz2"), ("lzma", "xz")])
def test_a_compressed_catalogue_templates_or_export_is_named_as_compressed(tmp_path, packer, named):
    import importlib

    from classifier.errors import InputError
    from classifier.models.zero_shot import read_templates
    from classifier.tasks import STANCE

    pack = importlib.import_module(packer).compress
    catalogue, templates, export = tmp_path / "actors.yaml", tmp_path / "t.yaml", tmp_path / "export.json"
    catalogue.write_bytes(pack(b"actors:\n  - name: Gazprom\n"))
    templates.write_bytes(pack(b"stance:\n  favor: good {actor}\n"))
    export.write_bytes(pack(b"[]"))
    listed = runner.invoke(app, ["actors", "list", "--actors", str(catalogue)])
    one_line_failure(listed, f"{catalogue}: {named}-compressed; the actor catalogue is read as plain text: decompress")
    labels = tmp_path / "labels.jsonl"
    imported = runner.invoke(app, ["label", "import", str(export), "--labels", str(labels), "--annotator", "ana"])
    one_line_failure(imported, f"{export}: {named}-compressed; a Label Studio export is read as plain text")
    assert not labels.exists()
    with pytest.raises(InputError, match=f"{named}-compressed; a file of templates is read as plain text"):
        read_templates(templates, STANCE)
