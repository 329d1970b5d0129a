"""The ``stance`` command: every command module registered on the typer app, then the app run.

Kept apart from ``classifier.cli.app`` (the app object and its helpers, which each command module imports),
so that no module imports one that imports it back.
"""

from __future__ import annotations

from classifier.cli import commands  # noqa: F401  (registers every command on ``app``)
from classifier.cli.app import app, quiet_libraries


def main() -> None:
    quiet_libraries()
    app()
