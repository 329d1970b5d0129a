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
