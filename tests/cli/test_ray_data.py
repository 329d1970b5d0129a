"""``stance classify PARTS --ray-data``: Ray Data workers score each part into Parquet, resumable by part."""

import json
import os
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from classifier.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


RAY_CPUS = 3  # what a run with --workers 2 starts (a CPU per worker, one for the read and write tasks)
pytestmark = pytest.mark.usefixtures("ray_stops_after_the_module")  # the tests that run Ray share one


@pytest.fixture
def shared_ray():
    """The module's Ray, left up by an earlier test (the first one's CLI run starts it, as a user's does), or
    started here where none is up yet, with room for --workers 2."""
    ray = pytest.importorskip("ray")
    if ray.is_initialized() and ray.cluster_resources().get("CPU", 0) < RAY_CPUS:
        ray.shutdown()  # a smaller one, started by a test run alone: --workers 2 would wait for ever
    if not ray.is_initialized():
        from classifier.predict.ray import start_ray

        start_ray(ray, None, RAY_CPUS)
    return ray


def no_ray_start(monkeypatch, why: str) -> None:
    """Ray made to fail if the run starts it, whether or not an earlier test of the module left it up."""
    import ray

    from classifier.predict import ray as ray_path

    monkeypatch.setattr(ray, "is_initialized", lambda: False)  # as if down: a run that goes on calls start_ray
    monkeypatch.setattr(ray_path, "start_ray", lambda *a, **k: pytest.fail(f"Ray started for a run {why}"))


def test_ray_data_parts_equal_the_local_run_and_resume_by_part(tmp_path, tiny_model_dir):
    ray = pytest.importorskip("ray")
    ray.shutdown()  # this run starts Ray, as a user's does (its start prints no line); the module's tests share it
    rows = [json.loads(line) for line in (ROOT / "data" / "seed_labels.jsonl").read_text().splitlines()]
    for row in rows[::10]:  # rows without spans: their mentions are found on the workers as in one process
        del row["spans"]
    rows[100]["text"] += " More words." * 30  # over the tiny model's 64 tokens, as is one seed item of part a
    parts = tmp_path / "parts"
    parts.mkdir()
    (parts / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[:70]))
    pd.DataFrame(rows[70:]).to_parquet(parts / "b.parquet")
    local = tmp_path / "local.jsonl"
    (tmp_path / "all.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    alone = run("classify", tmp_path / "all.jsonl", "--out", local, "--model", tiny_model_dir, "--no-summary")
    assert alone.exit_code == 0 and "; 2 truncated to 64 tokens;" in alone.output, alone.output
    out = tmp_path / "out"
    result = run("classify", parts, "--out", out, "--model", tiny_model_dir, "--ray-data", "--workers", "2")
    assert result.exit_code == 0, result.output
    assert "2 parts" in result.output and "2 scored (130 items)" in result.output
    lines = [line for line in result.output.splitlines() if not line.startswith("Loading weights")]
    model_id = alone.output.split(" with ")[1].split(";")[0]
    found = next(line for line in alone.output.splitlines() if line.startswith("warning: 13 of 130 items had"))
    assert lines == ["a.jsonl: 70 items scored", "b.parquet: 60 items scored",  # no Ray or Ray Data log line
                     found,  # the mentions found on the workers, counted as the local run counts them
                     f"2 parts -> {out} with {model_id}: 2 scored (130 items), 0 already done; 2 truncated to "
                     "64 tokens"], result.output  # the workers' counts summed, as the local run's
    (out / "b").rename(tmp_path / "b-done")  # as if the run had stopped after part a
    again = run("classify", parts, "--out", out, "--model", tiny_model_dir, "--ray-data", "--workers", "2",
                "--resume")  # what any rerun does; no warning, since a part is done
    assert again.exit_code == 0 and "1 scored (60 items), 1 already done" in again.output
    assert "--resume" not in again.output
    (parts / "c.jsonl").write_text(json.dumps(rows[3]) + "\n")  # a new part repeating an id of finished a
    repeat = runner.invoke(app, ["classify", str(parts), "--out", str(out), "--model", str(tiny_model_dir),
                                 "--ray-data"])
    assert repeat.exit_code == 1 and f"c.jsonl: item 1's id {rows[3]['id']!r} is also item 4's in" in repeat.output
    assert not (out / "c").exists()
    (parts / "c.jsonl").unlink()
    pd.read_parquet(out / "a")  # the part's run record is not read as a Parquet file
    other = tmp_path / "other-model"  # the same weights under another name: another model id
    import shutil

    shutil.copytree(tiny_model_dir, other)
    settings = json.loads((other / "stance.json").read_text())
    (other / "stance.json").write_text(json.dumps({**settings, "name": "other"}))
    mixed = runner.invoke(app, ["classify", str(parts), "--out", str(out), "--model", str(other), "--ray-data"])
    assert mixed.exit_code == 1 and "a: scored by 'tiny" in mixed.output and "not 'other@" in mixed.output
    (parts / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[:69]))
    changed = runner.invoke(app, ["classify", str(parts), "--out", str(out), "--model", str(tiny_model_dir),
                                  "--ray-data"])
    assert changed.exit_code == 1 and "scored from another version of" in changed.output
    expected = {r["id"]: r for r in map(json.loads, local.read_text().splitlines())}
    found = pd.concat([pd.read_parquet(out / "a"), pd.read_parquet(out / "b")])
    assert list(pd.read_parquet(out / "a")["id"]) == [r["id"] for r in rows[:70]]  # input order kept
    assert len(found) == 130 and set(found["id"]) == set(expected)
    for row in found.to_dict("records"):
        want = expected[row["id"]]
        assert row["stance"] == want["stance"] and row["model"] == want["model"]
        assert [[int(v) for v in span] for span in row["spans"]] == want["spans"]
        assert (row["spans_from"] if isinstance(row.get("spans_from"), str) else None) == want.get("spans_from")
        assert all(abs(row["stance_scores"][k] - want["stance_scores"][k]) < 1e-5 for k in want["stance_scores"])


def test_ray_data_refuses_bad_parts_and_outputs(tmp_path, tiny_model_dir):
    pytest.importorskip("ray")
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("classify", empty, "--out", tmp_path / "out", "--model", tiny_model_dir, "--ray-data")
    assert result.exit_code == 1 and "no .parquet or .jsonl items files" in result.output
    result = run("classify", empty, "--out", tmp_path / "o.parquet", "--model", tiny_model_dir, "--ray-data")
    assert result.exit_code == 1 and "name a folder" in result.output
    result = run("classify", empty, "--out", tmp_path / "out", "--ray-data", "--task", "both")
    assert result.exit_code == 1 and "one task per run" in result.output
    result = run("classify", empty, "--out", tmp_path / "out", "--ray-data", "--zero-shot", tiny_model_dir)
    assert result.exit_code == 1 and "without --ray-data" in result.output



def test_an_empty_part_stops_the_run_before_any_scoring(tmp_path, tiny_model_dir, monkeypatch):
    pytest.importorskip("ray")
    from classifier.predict import ray_data

    parts = tmp_path / "parts"
    parts.mkdir()
    (parts / "a.jsonl").write_text(json.dumps({"id": "1", "text": "Russia won.", "actor": "Russia"}) + "\n")
    (parts / "b.jsonl").write_text("\n  \n")
    no_ray_start(monkeypatch, "bound to fail")
    assert ray_data.holds_rows(parts / "a.jsonl") and not ray_data.holds_rows(parts / "b.jsonl")
    result = run("classify", parts, "--out", tmp_path / "out", "--model", tiny_model_dir, "--ray-data")
    assert result.exit_code == 1 and "b.jsonl: no items" in result.output
    assert not list(tmp_path.glob("out/*/predictions.parquet"))  # a.jsonl was not scored either


def test_a_bad_item_in_a_part_is_one_line_and_leaves_no_part(tmp_path, tiny_model_dir, shared_ray):
    parts = tmp_path / "parts"
    parts.mkdir()
    (parts / "a.jsonl").write_text(json.dumps({"id": "x1", "text": "NATO met.", "actor": "NATO"}) + "\n"
                                   + json.dumps({"id": "x2", "text": "No actor here."}) + "\n")
    result = run("classify", parts, "--out", tmp_path / "out", "--model", tiny_model_dir, "--ray-data")
    assert result.exit_code == 1 and "a.jsonl: item 'x2': no 'actor'" in result.output, result.output
    assert result.output.strip().splitlines()[-1].startswith("error: ")  # (Ray's own logging may print above)
    assert not (tmp_path / "out" / "a").exists()


@pytest.mark.parametrize("group_bytes", [None, 1], ids=["small-parts-share-a-job", "each-part-alone-streamed"])
def test_many_small_parts_run_as_one_job_and_keep_their_own_items(tmp_path, tiny_model_dir, monkeypatch, group_bytes,
                                                                 shared_ray):
    """Consecutive parts share one Ray Data job (one actor pool); each prediction still lands in its own part,
    in its input order, even when two parts hold the same sentences or one part's table lacks a column. With a
    budget smaller than every part, each part runs alone and streams as read (no repartition): two parts show it
    (each job costs seconds; a part with a path column of its own runs alone either way, as e does above)."""
    if group_bytes:
        monkeypatch.setattr("classifier.predict.ray_data.GROUP_BYTES", group_bytes)
    rows = [json.loads(line) for line in (ROOT / "data" / "seed_labels.jsonl").read_text().splitlines()]
    parts = tmp_path / "parts"
    parts.mkdir()
    chunks = {"a": rows[:30], "b": rows[30:80], "c": [dict(r, id=f"c-{r['id']}") for r in rows[:12]],
              "d": [dict(r, spans=[]) for r in rows[80:]],
              "e": [dict(r, id=f"e-{r['id']}", path=f"user/{r['id']}") for r in rows[:5]]}  # a column Ray's own
    # path column shadows
    if group_bytes:
        chunks = {name: chunks[name] for name in ("a", "b")}
    for name, chunk in chunks.items():
        table = pd.DataFrame(chunk)  # c: a's first 12 items under other ids; d: targets as text only
        (table.drop(columns=["title", "url"]) if name == "b" else table).to_parquet(parts / f"{name}.parquet")
    items = sum(map(len, chunks.values()))
    out = tmp_path / "out"
    from classifier.predict import ray_data

    progress, classify_parts = [], ray_data.classify_parts  # what the CLI's bar is given (it draws on a terminal)
    monkeypatch.setattr(ray_data, "classify_parts", lambda *a, **k: classify_parts(
        *a, **{**k, "on_progress": lambda *counts: progress.append(counts)}))
    groups, part_groups = [], ray_data.part_groups  # the parts of each job
    monkeypatch.setattr(ray_data, "part_groups", lambda *a, **k: groups.extend(part_groups(*a, **k)) or groups)
    monkeypatch.setenv(ray_data.FOOTER_ACTORS, "32")
    monkeypatch.delenv(ray_data.FOOTER_ACTORS)  # unset for the run (and after the test)
    result = run("classify", parts, "--out", out, "--model", tiny_model_dir, "--ray-data", "--workers", "2")
    assert os.environ[ray_data.FOOTER_ACTORS] == "1"  # the footers read by one actor, not 32 started per group
    assert result.exit_code == 0 and f"{len(chunks)} scored ({items} items)" in result.output, result.output
    assert [[p.stem for p in group] for group in groups] == ([["a"], ["b"]] if group_bytes else
                                                             [["a", "b", "c", "d"], ["e"]])
    assert progress[-1] == (items, items) and {total for _, total in progress} == {items}
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)
    assert len(progress) >= len(groups)  # at least as each group ends
    assert not list(out.glob(".*")), "the job's stage is gone"
    local = tmp_path / "local.jsonl"  # every part's items in one local run (their ids differ)
    (tmp_path / "all.jsonl").write_text("".join(json.dumps(r) + "\n" for chunk in chunks.values() for r in chunk))
    assert run("classify", tmp_path / "all.jsonl", "--out", local, "--model", tiny_model_dir, "-q").exit_code == 0
    expected = {r["id"]: r for r in map(json.loads, local.read_text().splitlines())}
    for name, chunk in chunks.items():
        found = pd.read_parquet(out / name).to_dict("records")
        assert [r["id"] for r in found] == [r["id"] for r in chunk]
        assert "_part" not in found[0] and [r.get("path") for r in found] == [r.get("path") for r in chunk]
        for row in found:
            want = expected[row["id"]]
            assert row["stance"] == want["stance"]
            assert all(abs(row["stance_scores"][k] - want["stance_scores"][k]) < 1e-5 for k in want["stance_scores"])


def test_parts_are_grouped_by_format_and_size(tmp_path):
    from classifier.predict.ray_data import part_groups

    names = ["a.parquet", "b.parquet", "c.jsonl", "d.jsonl", "e.parquet", "f.parquet", "g.parquet", "h.parquet",
             "i.parquet"]
    for name in names:
        if name.endswith(".jsonl"):
            (tmp_path / name).write_text('{"id": "1", "text": "x"}\n')
        else:
            extra = {"path": ["p"]} if name == "g.parquet" else {}  # a column of its own named path
            n = 40 if name == "e.parquet" else 1  # a bigger part
            body = {"id": [str(i) for i in range(n)], "text": [os.urandom(32).hex() for _ in range(n)]}
            pd.DataFrame({**body, **extra}).to_parquet(tmp_path / name)
    # room for two one-row parts; random text compresses to a byte or so more or less from file to file
    small = max((tmp_path / n).stat().st_size for n in ("a.parquet", "b.parquet", "f.parquet", "h.parquet", "i.parquet"))
    groups = part_groups([tmp_path / n for n in names], workers=1, group_bytes=2 * small + 1)
    assert [[p.name for p in g] for g in groups] == [["a.parquet", "b.parquet"], ["c.jsonl", "d.jsonl"],
                                                    ["e.parquet"], ["f.parquet"], ["g.parquet"],
                                                    ["h.parquet", "i.parquet"]]


def test_ray_data_without_aiohttp_names_the_install_line(tmp_path, tiny_model_dir, monkeypatch):
    pytest.importorskip("ray")
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "aiohttp" else real(name, *a))
    (tmp_path / "a.jsonl").write_text(json.dumps({"id": "x1", "text": "NATO met.", "actor": "NATO"}) + "\n")
    result = run("classify", tmp_path / "a.jsonl", "--out", tmp_path / "out", "--model", tiny_model_dir, "--ray-data")
    assert result.exit_code == 1 and "needs aiohttp" in result.output and "[ray]" in result.output
    assert not (tmp_path / "out").exists()


def test_an_unknown_engine_is_refused_before_ray_is_imported_or_a_part_read(tmp_path, monkeypatch):
    """From Python as from the CLI (test_startup, as --engine): load_engine's line, before Ray's import and the
    parts' reads; it was refused as the driver's model loaded, after both."""
    from classifier.errors import InputError
    from classifier.predict import ray as ray_path
    from classifier.predict import ray_data

    monkeypatch.setattr(ray_path, "require_ray", lambda *a: pytest.fail("Ray imported for a run bound to fail"))
    monkeypatch.setattr(ray_data, "input_parts", lambda *a: pytest.fail("a part read for a run bound to fail"))
    with pytest.raises(InputError, match=r"^engine='bogus': expected one of auto, torch"):
        ray_data.classify_parts(tmp_path / "parts", tmp_path / "out", engine="bogus")
    assert not (tmp_path / "out").exists()


def test_a_malformed_line_in_a_jsonl_part_is_one_line_naming_the_part(tmp_path, tiny_model_dir, monkeypatch):
    """Found by the id check, before Ray starts, with its line number."""
    pytest.importorskip("ray")

    parts = tmp_path / "parts"
    parts.mkdir()
    (parts / "a.jsonl").write_text(json.dumps({"id": "x1", "text": "NATO met.", "actor": "NATO"}) + "\n"
                                   + '{"id": "x2", "text": \n')
    no_ray_start(monkeypatch, "bound to fail")
    result = run("classify", parts, "--out", tmp_path / "out", "--model", tiny_model_dir, "--ray-data")
    last = result.output.strip().splitlines()[-1]
    assert result.exit_code == 1 and last.startswith("error: ") and "a.jsonl:2: malformed JSON" in last, result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("option", [("--format", "csv"), ("--device", "cuda"), ("--trust-remote-code",),
                                    ("--manifest", "m.csv"), ("--skip-unreadable",), ("--date-order", "DMY"),
                                    ("--max-article-chars", "100"),
                                    ("--text-column", "body")])
def test_ray_data_refuses_options_its_workers_would_ignore(tmp_path, tiny_model_dir, option):
    """A CSV asked for, a GPU or a dataset's columns: refused in one line, not a silent run without them."""
    parts = tmp_path / "parts"
    parts.mkdir()
    (parts / "a.jsonl").write_text(json.dumps({"id": "x1", "text": "NATO met.", "actor": "NATO"}) + "\n")
    result = run("classify", parts, "--out", tmp_path / "out", "--model", tiny_model_dir, "--ray-data", *option)
    assert result.exit_code == 1 and f"{option[0]}: not for --ray-data" in result.output, result.output
    assert not (tmp_path / "out").exists()


def test_an_id_repeated_far_apart_in_a_part_is_refused_as_in_a_local_run(tmp_path, tiny_model_dir, monkeypatch):
    """Ids repeated far apart in one part: one line naming the part and both items before Ray starts, nothing
    written (evaluate and report would refuse the folder; a local run refuses the file). A part's join checks its
    ids again (the part may change on a shared disk while it is scored), with the same line."""
    pytest.importorskip("ray")
    from classifier.errors import InputError
    from classifier.predict import ray_data

    rows = [{"id": f"x{i}", "text": f"NATO met {i} times.", "actor": "NATO"} for i in range(40)]
    parts = tmp_path / "parts"
    parts.mkdir()
    (parts / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows + [rows[1]]))
    no_ray_start(monkeypatch, "bound to fail")
    result = run("classify", parts, "--out", tmp_path / "out", "--model", tiny_model_dir, "--ray-data")
    assert result.exit_code == 1 and "a.jsonl: duplicate item id 'x1' (items 2 and 41" in result.output, result.output
    assert not (tmp_path / "out").exists()
    with pytest.raises(InputError, match=r"^a.jsonl: duplicate item id 'x1' \(items 2 and 41"):
        ray_data.check_part_ids([r["id"] for r in rows + [rows[1]]], "a.jsonl")


def test_an_id_repeated_across_parts_stops_the_run_before_ray(tmp_path, tiny_model_dir, monkeypatch):
    """Two parts sharing an id (7 in a JSONL part, "7" in a Parquet part: both are the id '7') would give an
    output folder that evaluate and report refuse: one line names both parts and the id before Ray starts, exit 1,
    nothing written."""
    pytest.importorskip("ray")

    parts = tmp_path / "parts"
    parts.mkdir()
    (parts / "a.jsonl").write_text("\n".join(json.dumps({"id": i, "text": "NATO met.", "actor": "NATO"})
                                             for i in ("x1", 7)) + "\n")
    pd.DataFrame([{"id": i, "text": "NATO met.", "actor": "NATO"} for i in ("y1", "y2", "7")]).to_parquet(
        parts / "b.parquet")
    no_ray_start(monkeypatch, "bound to fail")
    result = run("classify", parts, "--out", tmp_path / "out", "--model", tiny_model_dir, "--ray-data")
    assert result.exit_code == 1, result.output
    last = result.output.strip().splitlines()[-1]  # (under CliRunner a weight-loading bar may print above)
    assert last == (f"error: {parts / 'b.parquet'}: item 3's id '7' is also item 2's in {parts / 'a.jsonl'}; ids must "
                    "be unique across the parts of one run (evaluate and report read --out as one file)")
    assert not (tmp_path / "out").exists()


def test_a_full_disk_in_a_ray_task_is_one_plain_line():
    """Ray hands back a task's OSError as RayTaskError(OSError), whose text is Ray's header and traceback
    (colour codes included): the user gets the disk's reason and what to do, in one line."""
    ray = pytest.importorskip("ray")
    from classifier.predict.ray_data import worker_error

    cause = OSError("[Errno 28] Error writing bytes to file. Detail: [errno 28] No space left on device")
    wrapped = ray.exceptions.RayTaskError("\x1b[36mray::Write()\x1b[39m", "Traceback ...", cause).as_instanceof_cause()
    line = worker_error(wrapped, Path("out"))
    assert line.startswith("out: ") and "No space left on device" in line
    assert "\x1b" not in line and "\n" not in line and "rerun" in line
    assert worker_error(RuntimeError("other"), Path("out")) is None


def test_resume_with_ray_data_is_a_rerun_and_warns_when_no_part_is_done(tmp_path, monkeypatch):
    """--ray-data has no journal: every rerun skips the finished parts, and --resume asks for that; with no
    finished part in --out it says so (as a local run says there is no journal) and scores every part."""
    from classifier.predict import ray_data

    calls = []
    monkeypatch.setattr(ray_data, "classify_parts", lambda *a, **k: calls.append(a) or ray_data.PartsSummary(
        1, 1, 0, 1, Path(a[1])))
    (tmp_path / "a.jsonl").write_text(json.dumps({"id": "x1", "text": "NATO met.", "actor": "NATO"}) + "\n")
    out = tmp_path / "out"
    result = run("classify", tmp_path / "a.jsonl", "--out", out, "--ray-data", "--resume")
    assert result.exit_code == 0 and f"--resume: no finished part in {out}; every part is scored" in result.output
    (out / "a").mkdir(parents=True)
    (out / "a" / ray_data.RUN_FILE).write_text("{}")
    result = run("classify", tmp_path / "a.jsonl", "--out", out, "--ray-data", "--resume")
    assert result.exit_code == 0 and "--resume" not in result.output and len(calls) == 2


def test_a_part_that_is_not_parquet_is_one_line_before_ray(tmp_path, tiny_model_dir, monkeypatch):
    pytest.importorskip("ray")

    parts = tmp_path / "parts"
    parts.mkdir()
    (parts / "a.parquet").write_text("not Parquet")
    no_ray_start(monkeypatch, "bound to fail")
    result = run("classify", parts, "--out", tmp_path / "out", "--model", tiny_model_dir, "--ray-data")
    last = result.output.strip().splitlines()[-1]
    assert result.exit_code == 1 and last.startswith(f"error: {parts / 'a.parquet'}: not a readable Parquet file")
    assert not (tmp_path / "out").exists()


def test_a_part_of_articles_is_one_line_saying_to_prepare_it_before_ray(tmp_path, tiny_model_dir, monkeypatch):
    """A folder of article parts (id, text, source; the README's "a corpus of parts") started Ray, and a worker then
    stopped the run with "item 'a1': no 'actor'", 35 s later on 2 loaded cores: the run now stops before Ray,
    naming the part and the prepare step."""
    pytest.importorskip("ray")

    parts = tmp_path / "parts"
    parts.mkdir()
    (parts / "a.jsonl").write_text(json.dumps({"id": "a1", "source": "RT", "text": "Russia praised China."}) + "\n")
    no_ray_start(monkeypatch, "of articles")
    result = run("classify", parts, "--out", tmp_path / "out", "--model", tiny_model_dir, "--ray-data")
    said = " ".join(result.output.split())
    assert result.exit_code == 1, said
    assert f"error: {parts / 'a.jsonl'}: articles (id and text, no actor)" in said and "prepare each part" in said
    assert not (tmp_path / "out").exists()


def test_a_rerun_with_every_part_done_says_so_without_starting_ray(tmp_path, tiny_model_dir, monkeypatch):
    """Every part finished before (its predictions and _run.json there): one line, exit 0, Ray not started. The
    ids of the finished parts are still checked across parts, as when a part is left to score."""
    pytest.importorskip("ray")
    from classifier.predict import ray_data
    from classifier.predict.engines import load_engine

    parts = tmp_path / "parts"
    parts.mkdir()
    for name in ("a", "b"):
        (parts / f"{name}.jsonl").write_text(json.dumps({"id": f"{name}1", "text": "NATO met.", "actor": "NATO"}) + "\n")
    out = tmp_path / "out"
    model_id = load_engine(tiny_model_dir, "torch").model_id

    def finish(name):
        (out / name).mkdir(parents=True, exist_ok=True)
        pd.DataFrame([{"id": f"{name}1"}]).to_parquet(out / name / "predictions.parquet")
        (out / name / ray_data.RUN_FILE).write_text(json.dumps(ray_data.run_record(parts / f"{name}.jsonl", model_id)))

    finish("a"), finish("b")
    no_ray_start(monkeypatch, "with nothing to do")
    result = run("classify", parts, "--out", out, "--model", tiny_model_dir, "--engine", "torch", "--ray-data")
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == (f"2 parts -> {out} with {model_id}: every part was scored "
                                                      "before, nothing to do")
    (parts / "b.jsonl").write_text(json.dumps({"id": "a1", "text": "NATO met.", "actor": "NATO"}) + "\n")
    finish("b")  # scored alone, by another run: its id is also a's
    again = run("classify", parts, "--out", out, "--model", tiny_model_dir, "--engine", "torch", "--ray-data")
    assert again.exit_code == 1 and "b.jsonl: item 1's id 'a1' is also item 1's in" in again.output, again.output


def test_a_compressed_jsonl_part_is_one_line_saying_to_decompress_it(tmp_path):
    """A gzip'd part under a .jsonl name, which a local run reads decompressed, was 'not UTF-8 text ... convert it
    (iconv -f CP1252 ...)' to --ray-data, whose workers read parts as plain text: it says to decompress it."""
    import bz2
    import gzip
    import lzma

    from classifier.errors import InputError
    from classifier.predict.ray_data import jsonl_records

    data = (json.dumps({"id": "x1", "text": "NATO met.", "actor": "NATO"}) + "\n").encode()
    for name, packed in (("gzip", gzip.compress(data)), ("bz2", bz2.compress(data)), ("xz", lzma.compress(data))):
        part = tmp_path / f"{name}.jsonl"
        part.write_bytes(packed)
        with pytest.raises(InputError, match=f"{name}-compressed; --ray-data reads plain UTF-8 parts: decompress it"):
            list(jsonl_records(part))


def test_the_join_sums_and_drops_the_truncation_column(tmp_path):
    """A part's blocks carry their truncation counts in a column of their own, which the joined predictions lose;
    the join also counts how the mentions of items without spans were found (spans_from), for the warning."""
    import pyarrow.parquet as pq

    from classifier.predict.ray_data import TRUNCATED_COLUMN, join_part_files

    for blocks in ([[2, 0], [1]], [[0, 3, 0]]):  # several blocks, and one (rewritten too, without the column)
        folder = tmp_path / str(len(blocks))
        folder.mkdir()
        ids = iter(range(100))
        for i, counts in enumerate(blocks):
            pd.DataFrame({"id": [str(next(ids)) for _ in counts], "stance": "favor",
                          TRUNCATED_COLUMN: counts}).to_parquet(folder / f"{i}.parquet")
        assert join_part_files(str(folder)) == (3, 3, {})
        assert [p.name for p in folder.iterdir()] == ["predictions.parquet"]
        assert pq.read_schema(folder / "predictions.parquet").names == ["id", "stance"]
    folder = tmp_path / "found"
    folder.mkdir()
    pd.DataFrame({"id": ["1", "2"], "spans_from": [None, "catalogue"], TRUNCATED_COLUMN: [0, 0]}).to_parquet(
        folder / "0.parquet")
    pd.DataFrame({"id": ["3"], "spans_from": ["catalogue"], TRUNCATED_COLUMN: [1]}).to_parquet(folder / "1.parquet")
    assert join_part_files(str(folder)) == (3, 1, {None: 1, "catalogue": 2})


@pytest.mark.parametrize("kind", ["utf-16", "latin-1", "u2028"])
def test_a_jsonl_part_the_workers_cannot_read_as_its_lines_is_one_line_before_ray(tmp_path, tiny_model_dir,
                                                                                  monkeypatch, kind):
    """Ray Data's reader decodes UTF-8 and cuts lines with str.splitlines: a UTF-16 part (which a local run reads
    by its byte-order mark), a latin-1 part, or an unescaped U+2028 inside a text (one line to a local run) is one
    line naming the part before Ray starts, pointing to a conversion or a local run, not to the --encoding that
    --ray-data refuses."""
    pytest.importorskip("ray")

    parts = tmp_path / "parts"
    parts.mkdir()
    first = json.dumps({"id": "x1", "text": "NATO met.", "actor": "NATO"}) + "\n"
    second = json.dumps({"id": "x2", "text": "L'OTAN s'est réunie.\u2028Encore.", "actor": "NATO"},
                        ensure_ascii=False) + "\n"
    encoding = {"utf-16": "utf-16", "latin-1": "latin-1"}.get(kind, "utf-8")
    if kind == "latin-1":
        second = second.replace("\u2028", " ")
    (parts / "a.jsonl").write_text(first + second, encoding=encoding)
    local = run("classify", parts / "a.jsonl", "--out", tmp_path / "local.jsonl", "--model", tiny_model_dir, "-q",
                *(["--encoding", "latin-1"] if kind == "latin-1" else []))
    assert local.exit_code == 0, local.output  # a local run reads it
    no_ray_start(monkeypatch, "bound to fail")
    result = run("classify", parts, "--out", tmp_path / "out", "--model", tiny_model_dir, "--ray-data")
    last = result.output.strip().splitlines()[-1]
    assert result.exit_code == 1 and last.startswith(f"error: {parts / 'a.jsonl'}"), result.output
    assert {"utf-16": ": UTF-16 text; --ray-data reads UTF-8 parts: convert it (iconv -f UTF-16 -t UTF-8)",
            "latin-1": ":2: not UTF-8 text; --ray-data reads UTF-8 parts: convert it (iconv",
            "u2028": ":2: an unescaped U+2028"}[kind] in last, last
    assert "without --ray-data" in last and ("--encoding" not in last or "without --ray-data, with --encoding" in last)
    assert not (tmp_path / "out").exists()


def test_predictions_in_out_of_a_part_removed_from_input_are_kept_and_their_ids_checked(tmp_path, tiny_model_dir,
                                                                                     monkeypatch):
    """OUT/b of a part b since removed from INPUT: evaluate and report still read it with the rest, so a rerun
    keeps it, says so, and checks its ids with the parts': a new part repeating one of them stops the run in one
    line naming both files, before Ray starts."""
    pytest.importorskip("ray")
    from classifier.predict import ray_data
    from classifier.predict.engines import load_engine

    parts, out = tmp_path / "parts", tmp_path / "out"
    parts.mkdir()
    model_id = load_engine(tiny_model_dir, "torch").model_id
    for name in ("a", "b"):
        item = {"id": f"{name}1", "text": "NATO met.", "actor": "NATO"}
        (parts / f"{name}.jsonl").write_text(json.dumps(item) + "\n")
        (out / name).mkdir(parents=True)
        pd.DataFrame([{"id": f"{name}1"}]).to_parquet(out / name / "predictions.parquet")
        (out / name / ray_data.RUN_FILE).write_text(json.dumps(ray_data.run_record(parts / f"{name}.jsonl", model_id)))
    (parts / "b.jsonl").unlink()
    no_ray_start(monkeypatch, "with nothing to do")
    kept = run("classify", parts, "--out", out, "--model", tiny_model_dir, "--engine", "torch", "--ray-data")
    said = " ".join(kept.output.split())
    assert kept.exit_code == 0 and f"{out} also holds b: predictions of no part of INPUT" in said, kept.output
    assert "1 part -> " in said and "every part was scored before" in said
    (parts / "c.jsonl").write_text(json.dumps({"id": "b1", "text": "NATO met.", "actor": "NATO"}) + "\n")
    repeat = run("classify", parts, "--out", out, "--model", tiny_model_dir, "--engine", "torch", "--ray-data")
    last = " ".join(repeat.output.split()).split("error: ")[-1]
    assert repeat.exit_code == 1 and last.startswith(
        f"{parts / 'c.jsonl'}: item 1's id 'b1' is also item 1's in {out / 'b' / 'predictions.parquet'}, predictions "
        "in --out of no part of INPUT"), repeat.output
    assert sorted(p.name for p in out.iterdir()) == ["_parts.json", "a", "b"]  # the record of the kept run's check


def test_the_progress_of_a_group_counts_the_rows_its_workers_have_written(tmp_path):
    """While Ray Data scores a group, the driver counts the rows of the Parquet files finished in the stage (a
    file still being written, without its footer, is counted once it is done), from a thread of its own."""
    import threading

    from classifier.predict.ray_data import watching, written_rows

    stage = tmp_path / ".group.x.stage"
    (stage / "_part=0").mkdir(parents=True)
    pd.DataFrame({"id": ["a", "b", "c"]}).to_parquet(stage / "_part=0" / "0.parquet")
    (stage / "_part=0" / "1.parquet").write_bytes(b"PAR1 half written")
    seen: dict = {}
    assert written_rows(stage, seen) == 3
    pd.DataFrame({"id": ["d", "e"]}).to_parquet(stage / "_part=0" / "1.parquet")
    assert written_rows(stage, seen) == 5 and written_rows(stage, seen) == 5
    counts, called = [], threading.Event()
    with watching(stage, lambda rows: counts.append(rows) or called.set(), every=0.001):
        assert called.wait(30)
    assert counts and set(counts) == {5}
    before = len(counts)
    with watching(stage, None):  # no one to tell: no thread
        pass
    assert len(counts) == before and not any(t.name == "ray-data-progress" for t in threading.enumerate())


def test_a_progress_report_that_fails_stops_the_bar_not_the_run(tmp_path):
    """An error in the progress thread (a closed console, a bug in the callback) printed "Exception in thread" with
    a traceback over the run's output; the bar now stops where it was and the block runs on."""
    import threading

    from classifier.predict.ray_data import watching

    stage = tmp_path / ".group.x.stage"
    stage.mkdir()
    called, errors = threading.Event(), []
    threading.excepthook, hook = (lambda args: errors.append(args)), threading.excepthook
    try:
        def fail(rows):
            called.set()
            raise RuntimeError("the console is gone")

        with watching(stage, fail, every=0.001):
            assert called.wait(30)
    finally:
        threading.excepthook = hook
    assert not errors


def test_a_rerun_of_a_finished_run_skips_reading_ids_only_while_its_parts_are_those_it_checked(tmp_path,
                                                                                             tiny_model_dir,
                                                                                             monkeypatch):
    """The check that ids are unique read every part's ids again on each rerun of a finished run (4 s per 200,000
    JSONL items). A run that checked them all records the parts' names and SHA-256 (_parts.json); a rerun whose
    parts are those, unchanged, reads no id; a changed part, a new one, predictions of no part, or no record: read
    as before."""
    pytest.importorskip("ray")
    from classifier.predict import ray_data
    from classifier.predict.engines import load_engine

    parts, out = tmp_path / "parts", tmp_path / "out"
    parts.mkdir()
    model_id = load_engine(tiny_model_dir, "torch").model_id

    def finish(name, item_id=None):
        item = {"id": item_id or f"{name}1", "text": "NATO met.", "actor": "NATO"}
        (parts / f"{name}.jsonl").write_text(json.dumps(item) + "\n")
        (out / name).mkdir(parents=True, exist_ok=True)
        pd.DataFrame([{"id": item["id"]}]).to_parquet(out / name / "predictions.parquet")
        (out / name / ray_data.RUN_FILE).write_text(json.dumps(ray_data.run_record(parts / f"{name}.jsonl", model_id)))

    def classify():
        return runner.invoke(app, ["classify", str(parts), "--out", str(out), "--model", str(tiny_model_dir),
                                   "--engine", "torch", "--ray-data"])

    finish("a"), finish("b")
    no_ray_start(monkeypatch, "with nothing to do")
    first = classify()  # no record yet: the ids are read, then recorded
    assert first.exit_code == 0 and "every part was scored before" in first.output, first.output
    record = json.loads((out / ray_data.RUNS_FILE).read_text())
    assert sorted(record["parts"]) == ["a.jsonl", "b.jsonl"]

    class Read(Exception):
        pass

    def read(part, items=False):
        raise Read(part)

    monkeypatch.setattr(ray_data, "part_ids", read)
    again = classify()
    assert again.exit_code == 0 and "every part was scored before" in again.output, again.exception
    assert not list(out.glob("*.tmp*"))
    finish("b", "a1")  # scored alone, by another run, from another b: its id is also a's
    assert isinstance(classify().exception, Read)
    finish("b")  # b as it was: the set checked before
    assert classify().exit_code == 0
    finish("c")  # a part more
    assert isinstance(classify().exception, Read)
    (parts / "c.jsonl").unlink()  # its predictions stay in OUT, of no part of INPUT
    assert isinstance(classify().exception, Read)
    import shutil

    shutil.rmtree(out / "c")
    assert classify().exit_code == 0
    (out / ray_data.RUNS_FILE).write_text("{")  # a record that cannot be read
    assert isinstance(classify().exception, Read)


def test_items_the_model_trained_on_are_counted_as_the_ids_are_read_or_on_a_rerun_from_out(tmp_path, tiny_model_dir,
                                                                                         monkeypatch):
    """--ray-data said nothing of items in the model's trained_items.txt, which a local run warns of. The driver
    counts them as it reads the parts' ids (a JSONL part's lines, a Parquet part's text and actor columns) and warns
    in the local run's line. A rerun whose parts were checked before (_parts.json) reads no part: it said nothing,
    where a local rerun over a finished --out counts from the output; it counts from OUT's rows now, and says the
    same line."""
    pytest.importorskip("ray")
    import shutil

    from classifier.items import Item
    from classifier.models.card import TRAINED_ITEMS_FILE, trained_items_text
    from classifier.predict.engines import load_engine

    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model)
    learnt = [Item(id="t1", text="NATO  warned Moscow.", actor="NATO"), Item(id="t2", text="Paris met.", actor="France")]
    (model / TRAINED_ITEMS_FILE).write_text(trained_items_text(learnt))
    parts, out = tmp_path / "parts", tmp_path / "out"
    parts.mkdir()
    (parts / "a.jsonl").write_text(json.dumps({"id": "a1", "text": "NATO warned Moscow.", "actor": "NATO"}) + "\n"
                                   + json.dumps({"id": "a2", "text": "NATO warned Moscow.", "actor": "Russia"}) + "\n")
    pd.DataFrame([{"id": "b1", "text": "Paris met.", "actor": "France"}]).to_parquet(parts / "b.parquet")
    model_id = load_engine(model, "torch").model_id
    scored_before(parts, out, model_id, monkeypatch)  # the run reads the ids and starts no Ray
    for part in parts.iterdir():  # the predictions hold the part's items, as a run writes them
        rows = pd.read_json(part, lines=True) if part.suffix == ".jsonl" else pd.read_parquet(part)
        rows.assign(stance="neutral", model=model_id).to_parquet(out / part.stem / "predictions.parquet")

    def classify():
        return runner.invoke(app, ["classify", str(parts), "--out", str(out), "--model", str(model), "--engine",
                                   "torch", "--ray-data"])

    first = classify()
    assert first.exit_code == 0, first.output
    said = " ".join(first.output.split())
    assert (f"warning: {parts}: 2 of 3 items (66.7%) were in {model_id}'s training data; figures on them are "
            "in-sample: evaluate or report --gold on these predictions credits the model with items it learnt") in said
    again = classify()  # the parts as checked: no part read, the items counted from OUT's rows
    assert again.exit_code == 0 and " ".join(again.output.split()) == said, (first.output, again.output)
    (model / TRAINED_ITEMS_FILE).unlink()  # a model without the list: nothing to count, nothing said
    assert "training data" not in classify().output


def scored_before(parts, out, model_id: str, monkeypatch) -> None:
    """Each part of ``parts`` recorded as scored by ``model_id`` in ``out``, and Ray made to fail if it starts: a
    rerun reads the parts' ids and has nothing to score."""
    from classifier.predict import ray_data

    for part in parts.iterdir():
        (out / part.stem).mkdir(parents=True)
        pd.DataFrame([{"id": "x"}]).to_parquet(out / part.stem / "predictions.parquet")
        (out / part.stem / ray_data.RUN_FILE).write_text(json.dumps(ray_data.run_record(part, model_id)))
    no_ray_start(monkeypatch, "with nothing to do")


def test_a_part_the_card_lists_as_a_label_file_is_warned_of_for_a_model_without_the_list(tmp_path, tiny_model_dir,
                                                                                        monkeypatch):
    """A model without trained_items.txt is checked by its card's bytes in a local run (a label file it lists by
    sha256 is warned of); --ray-data had not checked it at all. Each part is checked by the sha256 the run hashed
    it with (a finished part's as its run record keeps it), so a rerun that reads no part says it again."""
    pytest.importorskip("ray")
    import shutil

    from classifier.io.files import file_sha256
    from classifier.models.card import TRAINED_ITEMS_FILE
    from classifier.predict import ray_data
    from classifier.predict.engines import load_engine

    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model)
    (model / TRAINED_ITEMS_FILE).unlink(missing_ok=True)
    parts, out = tmp_path / "parts", tmp_path / "out"
    parts.mkdir()
    (parts / "a.jsonl").write_text(json.dumps({"id": "a1", "text": "NATO warned Moscow.", "actor": "NATO"}) + "\n")
    (parts / "b.jsonl").write_text(json.dumps({"id": "b1", "text": "Paris met.", "actor": "France"}) + "\n")
    card = json.loads((model / "model_card.json").read_text()) if (model / "model_card.json").exists() else {}
    card["data"] = {"label files": f"a.jsonl (sha256 {file_sha256(parts / 'a.jsonl')[:12]})",
                    "test files": f"b.jsonl (sha256 {file_sha256(parts / 'b.jsonl')[:12]})"}
    (model / "model_card.json").write_text(json.dumps(card))
    model_id = load_engine(model, "torch").model_id
    scored_before(parts, out, model_id, monkeypatch)  # the run reads the ids and starts no Ray
    for part in parts.iterdir():  # the predictions hold the part's items, as a run writes them
        rows = pd.read_json(part, lines=True) if part.suffix == ".jsonl" else pd.read_parquet(part)
        rows.assign(stance="neutral", model=model_id).to_parquet(out / part.stem / "predictions.parquet")
    words = (f"warning: {parts / 'a.jsonl'} is a label file {model_id} was trained on (its card says so): scores on "
             "it are in-sample")
    for _ in range(2):  # the first run reads the parts' ids; the second, with them checked (_parts.json), none
        result = runner.invoke(app, ["classify", str(parts), "--out", str(out), "--model", str(model), "--engine",
                                     "torch", "--ray-data"])
        said = " ".join(result.output.split())
        assert result.exit_code == 0 and words in said and "b.jsonl is" not in said, result.output
    assert (out / ray_data.RUNS_FILE).exists()



@pytest.fixture(scope="module")
def misfit(tmp_path_factory) -> Path:
    """The model of :func:`misfit_model`, built once for the module (read-only)."""
    return misfit_model(tmp_path_factory.mktemp("misfit") / "misfit")


def misfit_model(folder: Path) -> Path:
    """A sentiment model whose weights do not fit its tokenizer (100 embeddings for MiniLM's 30,522 ids): it loads,
    and its forward pass raises torch's IndexError, in whichever process it runs."""
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from classifier.models.base import bundled_minilm_dir
    from classifier.models.stance_model import StanceModel
    from classifier.tasks import SENTIMENT

    labels = SENTIMENT.labels
    config = BertConfig(vocab_size=100, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, num_labels=3, id2label=dict(enumerate(labels)),
                        label2id={label: i for i, label in enumerate(labels)})
    tokenizer = AutoTokenizer.from_pretrained(bundled_minilm_dir())
    return StanceModel(BertForSequenceClassification(config).eval(), tokenizer, input_format="sentence",
                       max_length=64).save(folder, {"name": "misfit", "labels": list(labels)}, half=False)


@pytest.mark.parametrize("how", [["--ray-data"], []], ids=["ray-data", "workers"])
def test_a_model_that_fails_in_a_ray_worker_is_the_models_line(tmp_path, how, misfit, shared_ray):
    """A worker's model that raised (a CUDA error, out of memory; here weights that do not fit the input) ended
    --ray-data on Ray's traceback of its UserCodeException, and said "a Ray worker stopped" with --workers: it is
    the line of a local run, naming the model, and what was kept (--ray-data: the parts finished before; --workers:
    the journal)."""
    model = misfit
    items = tmp_path / "a.jsonl"
    items.write_text("".join(json.dumps({"id": f"i{i}", "text": f"Sentence {i} here."}) + "\n" for i in range(4)))
    out = tmp_path / ("out" if how == ["--ray-data"] else "p.jsonl")
    result = run("classify", items, "--out", out, "--task", "sentiment", "--model", model, "--engine", "torch",
                 "--workers", "1", "-q", *how)
    kept = ("the parts finished before are kept and nothing half-written is: rerun the same command to score the "
            "others" if how == ["--ray-data"] else "the shards scored before it are kept: rerun the same command "
            "with --resume to finish")
    assert result.exit_code == 1 and result.output.strip().splitlines()[-1] == (
        f"error: {model}: the model failed to score the items (IndexError: index out of range in self); {kept}"), \
        result.output  # (Ray's own logging may print above)
    assert not (out / "a").exists() if how == ["--ray-data"] else not out.exists()
