"""The command line starts light: building the app and showing any command's help imports none of the heavy
libraries (each command imports what it uses when it runs), and transformers is still quieted once it is imported."""

from __future__ import annotations

import os
import subprocess
import sys

# what the command modules, and the library modules they import at the top, must not import (about 1.5 s of CPU
# on every command before they were moved into the functions that use them)
HEAVY = ("torch", "transformers", "pandas", "pyarrow", "matplotlib", "sklearn", "scipy", "ray", "datasets")


def test_the_help_of_every_command_imports_no_heavy_library():
    code = f"""
import sys
import typer.main
from classifier.cli.main import main
from classifier.cli.app import app

def helps(command, path):
    yield [*path, "--help"]
    for name, sub in getattr(command, "commands", {{}}).items():
        yield from helps(sub, [*path, name])

for args in helps(typer.main.get_command(app), []):
    try:
        main(args)
    except SystemExit as stopped:
        assert stopped.code == 0, (args, stopped.code)
print(" ".join(sorted(name for name in {HEAVY!r} if name in sys.modules)))
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Usage" in run.stdout
    assert run.stdout.splitlines()[-1] == ""


def test_a_command_imports_the_modules_of_no_other_command(tmp_path):
    """Every command's module was imported on every start (cli.commands imported them all, about half a second):
    `stance report` loaded prepare, ingest, actors, labels and predict.batch, which only other commands use. Each
    is imported now when its command is named; `stance --help` lists them all from cli.commands' lines. classify
    loaded cli.prepare and with it classifier.prepare, clean and segment for the help of options it shares with
    prepare (cli.app holds them now): they load when articles are prepared, not for its help or a refusal."""
    others = ("classifier.cli.prepare", "classifier.cli.classify", "classifier.cli.label", "classifier.cli.train",
              "classifier.prepare", "classifier.ingest", "classifier.actors", "classifier.labels",
              "classifier.predict.batch")
    of_classify = ("classifier.cli.prepare", "classifier.cli.label", "classifier.cli.train", "classifier.cli.report",
                   "classifier.prepare", "classifier.clean", "classifier.segment")
    cases = [("--help", 0, others), ("report --help", 0, others), ("report x.jsonl --out r", 1, others),
             ("evaluate --help", 0, others), ("calibrate --help", 0, others)]
    classify = [("classify --help", 0, of_classify), ("classify x.jsonl --out o.jsonl --task bogus", 1, of_classify)]
    code = """
import sys
from classifier.cli.main import main

for args, code, others in {!r}:
    try:
        main(args.split())
    except SystemExit as stopped:
        assert stopped.code == code, (args, stopped.code)
    print("loaded:", args, "|", " ".join(name for name in others if name in sys.modules))
"""
    stdout, stderr = "", ""
    for lines in (cases, classify):  # each in a process of its own: classify loads what report must not
        run = subprocess.run([sys.executable, "-c", code.format(lines)], capture_output=True, text=True,
                             cwd=tmp_path, env={**os.environ, "COLUMNS": "200"})
        stdout, stderr = stdout + run.stdout, stderr + run.stderr
    assert [line for line in stdout.splitlines() if line.startswith("loaded:")] == [
        f"loaded: {args} | " for args, _, _ in cases + classify], stdout + stderr
    assert "x.jsonl: no such file" in stderr and "--task bogus: expected one of" in stderr
    assert "report     Write the framing report" in stdout and "label      Label items" in stdout


def test_the_list_of_commands_says_what_each_command_says_of_itself():
    """`stance --help` reads each command's line from cli.commands, not from its module: each must be the first
    paragraph of the command's own help, as the list showed it when every module was imported."""
    from classifier.cli.app import app
    from classifier.cli.commands import COMMANDS
    from classifier.cli.reference import root_command

    root = root_command()
    ctx = root.context_class(root)
    assert root.list_commands(ctx) == list(COMMANDS)
    said = {name: (root.get_command(ctx, name).help or "").split("\n\n")[0] for name in COMMANDS}
    assert said == {name: listed.help for name, listed in COMMANDS.items()}
    assert {name for command in app.registered_commands for name in [command.name or command.callback.__name__]} \
        | {group.name for group in app.registered_groups} == set(COMMANDS)


def test_transformers_imported_after_the_cli_starts_is_quiet():
    code = """
import sys
from classifier.cli.app import quiet_libraries
quiet_libraries()
assert "transformers" not in sys.modules
from transformers.utils import logging
print(logging.get_verbosity() == logging.ERROR, logging.is_progress_bar_enabled())
"""
    env = {**os.environ, "TRANSFORMERS_VERBOSITY": "info"}  # the CLI overrides it, as it always did
    env.pop("HF_HUB_DISABLE_PROGRESS_BARS", None)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert run.stdout.split() == ["True", "False"]


def test_transformers_imported_before_the_cli_starts_is_quieted_too():
    code = """
from transformers.utils import logging
from classifier.cli.app import quiet_libraries
quiet_libraries()
print(logging.get_verbosity() == logging.ERROR, logging.is_progress_bar_enabled())
"""
    env = {**os.environ, "TRANSFORMERS_VERBOSITY": "info"}
    env.pop("HF_HUB_DISABLE_PROGRESS_BARS", None)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert run.stdout.split() == ["True", "False"]


def test_refusals_of_options_alone_come_before_the_heavy_libraries(tmp_path):
    """An option refused on its own words (--out - where no output can go there, an unknown --task or --device, a
    --lr out of range, options that exclude each other) was refused after torch, or sklearn and pandas, had loaded:
    two seconds for a one-line error. Each is refused now before them, with the same message."""
    (tmp_path / "x.jsonl").write_text('{"id": "a", "text": "Russia met China.", "actor": "Russia", "label": "favor"}\n')
    cases = [  # the command line, the heavy modules it must not import, words of its refusal
        ("evaluate x.jsonl --out -", ("sklearn", "pandas", "scipy"), "--out -: this output cannot go to standard"),
        ("report x.jsonl --out -", ("sklearn", "pandas", "matplotlib"), "--out -: this output cannot go to standard"),
        ("classify x.jsonl --out o.jsonl --task bogus", ("torch",), "--task bogus: expected one of"),
        ("classify x.jsonl --out o.jsonl --sentiment-model m", ("torch",), "--sentiment-model is for --task"),
        ("classify x.jsonl --out - --resume", ("torch",), "--resume: not with --out -"),
        ("classify x.jsonl --out o.jsonl --workers 2 --trust-remote-code", ("torch",),
         "--trust-remote-code is not passed to Ray workers"),
        ("train x.jsonl --out m1 --device tpu", ("torch",), "--device: unknown device 'tpu'"),
        ("train x.jsonl --out m1 --lr 5", ("torch",), "--lr 5.0: must be a number above 0"),
        ("train x.jsonl --out m1 --test-fraction 0", ("torch",), "--test-fraction 0 holds out no article"),  # was
        # refused by retrain, after torch had loaded
        # (9): classify's --engine, --device and --rows, report's --period and --split-date
        ("classify x.jsonl --out o.jsonl --engine bogus", ("torch",), "--engine bogus: expected one of auto, torch"),
        # --ray-data's: before Ray is imported and the parts are read (it was refused as the driver's model loaded)
        ("classify x.jsonl --out o --ray-data --engine bogus", ("torch", "ray"),
         "--engine bogus: expected one of auto, torch"),
        ("classify x.jsonl --out o.jsonl --device tpu", ("torch",), "--device: unknown device 'tpu'"),
        ("classify x.jsonl --out o.jsonl --device cuda --engine onnx", ("torch",),
         "--device cuda: only the torch engine runs on a GPU"),
        ("classify x.jsonl --out o.jsonl --rows -3", ("torch",), "--rows -3: expected one of auto, sentences"),
        ("report x.jsonl --out r --period fortnight", ("sklearn", "pandas", "matplotlib"),
         "--period fortnight: expected auto, none, day"),
        ("report x.jsonl --out r --split-date 2022-13-45", ("sklearn", "pandas", "matplotlib"),
         "--split-date 2022-13-45: no such day in the calendar"),
        ("classify x.jsonl --out o.jsonl --zero-shot m --engine onnx", ("torch",),
         "--zero-shot runs on the torch engine, not --engine onnx"),  # was refused as the NLI model loaded
        # a missing PREDICTIONS: before make_report and pandas (it was named by the reader, a second later)
        ("report missing.jsonl --out r", ("pandas", "sklearn", "matplotlib"),
         "missing.jsonl: no such file; write predictions with 'stance classify'"),
    ]
    code = f"""
import sys
from classifier.cli.main import main

for args, heavy, _ in {cases!r}:
    try:
        main(args.split())
    except SystemExit as stopped:
        print("|".join([args, str(stopped.code), " ".join(m for m in heavy if m in sys.modules)]))
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                         env={**os.environ, "COLUMNS": "400"})
    said = " ".join(run.stderr.split())
    assert run.stdout.splitlines() == [f"{args}|1|" for args, _, _ in cases], run.stdout + run.stderr
    for _, _, words in cases:
        assert words in said, said
    assert not list(tmp_path.glob("o.jsonl*")) and not (tmp_path / "m1").exists() and not (tmp_path / "r").exists()


def test_starting_the_cli_compiles_no_boilerplate_pattern():
    # ingest.BOILERPLATE's 70 patterns and their union are compiled when a page is first read (ingest._boilerplate),
    # not as ingest loads: every command imports it, and compiling them took 17 ms of each start
    code = """
import re
compiled = []
compile_ = re._compile
re._compile = lambda pattern, flags: compiled.append(pattern) or compile_(pattern, flags)
import classifier.cli.main
from classifier.ingest import BOILERPLATE, no_article
patterns = {pattern for patterns in BOILERPLATE.values() for pattern in patterns}
print(sum(pattern in patterns or "(?:access denied)" in str(pattern) for pattern in compiled))
assert no_article("Access denied") is not None
print(sum(pattern in patterns for pattern in compiled))
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.split() == ["0", "70"]
