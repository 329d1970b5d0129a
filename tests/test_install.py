"""A built wheel works outside the checkout: package data found by importlib.resources, the model named."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from stance_runs import Run, stance_runs  # noqa: E402  (many command lines in one process, each its own streams)


def test_the_wheel_carries_its_data_and_classifies_outside_the_checkout(tmp_path, tiny_model_dir):
    wheels = tmp_path / "wheels"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
                            "-q", "-w", str(wheels)], capture_output=True, text=True, cwd=tmp_path)
    assert build.returncode == 0, build.stderr
    wheel = next(wheels.glob("*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "classifier/resources/actors.yaml" in names and "classifier/resources/cleaning.yaml" in names
    assert not any(n.startswith(("tests/", "scripts/", "models/")) for n in names)
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True, capture_output=True)
    corpus = tmp_path / "work" / "seeds"
    shutil.copytree(ROOT / "seeds", corpus)
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("STANCE_MODEL", None)
    where = subprocess.run([sys.executable, "-c", "import classifier, classifier.actors as a; "
                            "print(classifier.__file__); print(a.DEFAULT_CATALOGUE.exists())"],
                           capture_output=True, text=True, env=env, cwd=corpus.parent, check=True).stdout.split()
    assert where[0].startswith(str(site)) and where[1] == "True"
    run, missing = stance_runs(  # the installed package's command line, twice in one process
        tmp_path / "runs", Run(("classify", corpus, "--out", "p.jsonl", "--model", tiny_model_dir, "-q"),
                               cwd=corpus.parent),
        Run(("classify", corpus, "--out", "q.jsonl", "-q"), cwd=corpus.parent), env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert len((corpus.parent / "p.jsonl").read_text().splitlines()) == 129
    said = (missing.stdout + missing.stderr).decode()
    assert missing.returncode == 1 and "pass --model DIR" in said  # no models/ here
    assert "Traceback" not in said


def test_every_module_path_to_the_command_line_runs_it():
    """``python -m classifier`` and ``python -m classifier.cli.entry`` (the console script's module) both run the
    command line; the second used to import it, do nothing and exit 0."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for module in ("classifier", "classifier.cli.entry"):
        run = subprocess.run([sys.executable, "-m", module, "--help"], capture_output=True, text=True, cwd=ROOT,
                             env=env, timeout=120)
        assert run.returncode == 0 and "Usage: stance" in run.stdout and "classify" in run.stdout, (module, run)
        bad = subprocess.run([sys.executable, "-m", module, "frobnicate"], capture_output=True, text=True, cwd=ROOT,
                             env=env, timeout=120)
        assert bad.returncode == 2 and "No such command" in bad.stderr, (module, bad)
