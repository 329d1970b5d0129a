"""The ``stance`` command: every command module registered on the typer app, then the app run.

Kept apart from ``classifier.cli.app`` (the app object and its helpers, which each command module imports),
so that no module imports one that imports it back.
"""

from __future__ import annotations

import signal
import sys
from typing import Sequence

import typer
from rich.text import Text

from classifier.cli import commands  # noqa: F401  (registers every command on ``app``)
from classifier.cli.app import app, console, on_sigterm, quiet_libraries
from classifier.visible import shown

# click's base of usage errors: typer's own copy of click in typer 0.2x, click itself before
ClickException = next(cls for cls in typer.BadParameter.__mro__ if cls.__name__ == "ClickException")


def usage_error_line(exc: ClickException) -> Text:
    """A usage error (a missing argument, an option out of range, an unknown command) as one line that names
    the command and where its help is, instead of click's usage lines and a framed box."""
    where = exc.ctx.command_path if getattr(exc, "ctx", None) is not None else "stance"
    return Text.assemble(("error:", "bold red"), " ", shown(f"{where}: {exc.format_message()} (see {where} --help)"))


def main(args: Sequence[str] | None = None) -> None:
    quiet_libraries()
    signal.signal(signal.SIGTERM, on_sigterm)  # a kill unwinds like Ctrl-C: no partial temporaries left
    try:
        code = app(args=args, prog_name="stance", standalone_mode=False)
    except ClickException as exc:
        console.print(usage_error_line(exc))
        sys.exit(exc.exit_code)
    except typer.Abort:  # end of input at a prompt
        console.print(Text.assemble(("error:", "bold red"), " aborted"))
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
