"""``stance`` command lines run as a shell runs them, many in ONE new Python process: each run gets its own standard
input (bytes through a real pipe, a file redirected, or nothing), standard output and error (files, read back as a
``subprocess.CompletedProcess`` gives them), working folder, TMPDIR and ``ulimit -f``, and goes through the console
script's entry point (``classifier.cli.entry.main``: its argument rules, its exit statuses, an uncaught error's
traceback). A new process per run cost 2-3 s of importing torch each; tests whose point is one process per run
(signals, a terminal, the installed wheel) start their own.

Run here: ``python tests/stance_runs.py PLAN.json`` (``stance_runs`` writes the plan and reads what came back).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Run:
    """``stance ARGS`` with ``stdin`` (bytes: a pipe holding them; a Path: that file redirected, ``< FILE``; None:
    /dev/null), in ``cwd``, its temporary files in ``tmp`` (TMPDIR) and its files no larger than ``limit`` bytes
    (``ulimit -f``: a write that crosses it writes what fits, then fails with EFBIG; Python ignores SIGXFSZ).
    ``sizes``: files whose size the result keeps as the run left them (``result.sizes``: path -> bytes, None for no
    file), where a later run of the batch changes them."""

    args: tuple
    stdin: bytes | Path | None = None
    cwd: Path = ROOT
    tmp: Path | None = None
    limit: int | None = None
    sizes: tuple = ()


def stance_runs(folder: Path, *runs: Run, env: dict | None = None) -> list[subprocess.CompletedProcess]:
    """Each of ``runs``, in order, in one new process (its files in ``folder``); what each wrote and its exit
    status, as ``subprocess.run(..., capture_output=True)`` gives them (bytes). ``env``: the process's environment
    (its PYTHONPATH says where classifier is imported from); this checkout's by default."""
    folder.mkdir(parents=True, exist_ok=True)
    plan = []
    for n, run in enumerate(runs):
        stdin = None
        if isinstance(run.stdin, bytes):
            (folder / f"{n}.in").write_bytes(run.stdin)
            stdin = {"pipe": str(folder / f"{n}.in")}
        elif run.stdin is not None:
            stdin = {"file": str(run.stdin)}
        plan.append({"args": [str(arg) for arg in run.args], "stdin": stdin, "cwd": str(run.cwd),
                     "tmp": None if run.tmp is None else str(run.tmp), "limit": run.limit,
                     "sizes": [str(path) for path in run.sizes],
                     "stdout": str(folder / f"{n}.out"), "stderr": str(folder / f"{n}.err")})
    (folder / "plan.json").write_text(json.dumps(plan))
    env = dict(env or dict(os.environ, PYTHONPATH=str(ROOT)), PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run([sys.executable, __file__, str(folder / "plan.json")], cwd=ROOT, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    results = []
    for step, (code, sizes) in zip(plan, json.loads(done.stdout)):
        result = subprocess.CompletedProcess(["stance", *step["args"]], code, Path(step["stdout"]).read_bytes(),
                                             Path(step["stderr"]).read_bytes())
        result.sizes = {Path(path): size for path, size in zip(step["sizes"], sizes)}
        results.append(result)
    return results


def run_one(step: dict) -> tuple[int, list[int | None]]:
    """One planned run in this process, its standard streams and limit set and put back; its exit status and the
    sizes of the files it names (``Run.sizes``)."""
    import resource
    import tempfile
    import threading
    import traceback
    import warnings

    from classifier.cli.entry import main

    saved = [os.dup(fd) for fd in (0, 1, 2)]
    writer = None
    if step["stdin"] and "pipe" in step["stdin"]:  # bytes through a pipe, written as the command reads them
        data = Path(step["stdin"]["pipe"]).read_bytes()
        read_end, write_end = os.pipe()

        def write() -> None:
            try:
                with open(write_end, "wb") as pipe:
                    pipe.write(data)
            except BrokenPipeError:  # the command stopped reading: as a shell's cat is told
                pass

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        source = read_end
    else:
        source = os.open(step["stdin"]["file"] if step["stdin"] else os.devnull, os.O_RDONLY)
    os.dup2(source, 0)
    os.close(source)
    for fd, name in ((1, "stdout"), (2, "stderr")):
        target = os.open(step[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(target, fd)
        os.close(target)
    streams = sys.stdin, sys.stdout, sys.stderr
    sys.stdin = open(0, "r", closefd=False)
    sys.stdout = open(1, "w", closefd=False)
    sys.stderr = open(2, "w", closefd=False, buffering=1, errors="backslashreplace")
    environ, cwd = dict(os.environ), os.getcwd()
    if step["tmp"]:
        os.environ["TMPDIR"] = step["tmp"]
    tempfile.tempdir = None  # TMPDIR read again
    os.chdir(step["cwd"])
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    if step["limit"] is not None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (step["limit"], hard))
    sys.argv = [str(Path(sys.modules["classifier"].__file__).with_name("__main__.py")), *step["args"]]
    try:
        with warnings.catch_warnings():  # a warning shown in an earlier run is shown again
            main()
        code = 0
    except SystemExit as exc:  # as the interpreter turns it into an exit status
        code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
        if not isinstance(exc.code, (int, type(None))):
            print(exc.code, file=sys.stderr)
    except BaseException:  # an uncaught error: its traceback, status 1
        traceback.print_exc()
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except OSError:
                pass
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(environ)
        tempfile.tempdir = None
        for fd, old in zip((0, 1, 2), saved):
            os.dup2(old, fd)
            os.close(old)
        sys.stdin, sys.stdout, sys.stderr = streams
        if writer is not None:
            writer.join(timeout=60)
    return code, [os.path.getsize(path) if os.path.exists(path) else None for path in step["sizes"]]


if __name__ == "__main__":
    sys.dont_write_bytecode = True  # an import under a run's ulimit -f writes no .pyc
    print(json.dumps([run_one(step) for step in json.loads(Path(sys.argv[1]).read_text())]))
