"""The ``stance`` command: every command module registered on the typer app, then the app run.

Kept apart from ``classifier.cli.app`` (the app object and its helpers, which each command module imports),
so that no module imports one that imports it back.
"""

from __future__ import annotations

import signal

from classifier.cli import commands  # noqa: F401  (registers every command on ``app``)
from classifier.cli.app import app, on_sigterm, quiet_libraries


def main() -> None:
    quiet_libraries()
    signal.signal(signal.SIGTERM, on_sigterm)  # a kill unwinds like Ctrl-C: no partial temporaries left
    app()
