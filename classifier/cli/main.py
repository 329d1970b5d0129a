"""The ``stance`` command: the typer app run, each command's module imported when that command is named.

Kept apart from ``classifier.cli.app`` (the app object and its helpers, which each command module imports),
so that no module imports one that imports it back.
"""

from __future__ import annotations

import sys
from typing import Sequence

import typer
import typer.main
from rich.text import Text

from classifier.cli.app import DefaultRunGroup, app, console, quiet_libraries
from classifier.io.files import command_line_path
from classifier.signals import catch_stop_signals
from classifier.visible import one_line

# click's base of usage errors: typer's own copy of click in typer 0.2x, click itself before
ClickException = next(cls for cls in typer.BadParameter.__mro__ if cls.__name__ == "ClickException")


def command_path(args: Sequence[str]) -> str:
    """``stance`` and the sub-commands named at the start of ``args`` (``stance label run``): where an error
    that click raises without a context (an option missing its value) happened."""
    command, path = typer.main.get_command(app), ["stance"]
    for arg in args:
        commands = getattr(command, "commands", None)
        if isinstance(command, DefaultRunGroup) and arg not in commands and not arg.startswith("-") \
                and command.runs(arg):
            # `stance label ITEMS ...` runs `label run`
            path.append("run")
            break
        if not commands or arg not in commands:
            break
        command = commands[arg]
        path.append(arg)
    return " ".join(path)


def usage_error_line(exc: ClickException, args: Sequence[str] = ()) -> Text:
    """A usage error (a missing argument, an option out of range, an unknown command) as one line that names
    the command and where its help is, instead of click's usage lines and a framed box."""
    where = exc.ctx.command_path if getattr(exc, "ctx", None) is not None else command_path(args)
    return Text.assemble(("error:", "bold red"), " ", one_line(f"{where}: {exc.format_message()} (see {where} --help)"))


def command_line_arg(arg: str) -> str:
    """An argument with a file called "-" in it (``./-``, ``--out=./-``, ``-o./-``) named so that pathlib does not
    read it as "-" (``io.files.command_line_path``)."""
    flag, equals, value = arg.partition("=")
    if equals and flag.startswith("--"):
        return f"{flag}={command_line_path(value)}"
    if arg[:1] == "-" and arg[1:2].isalpha() and len(arg) > 2 and command_line_path(arg[2:]) != arg[2:]:
        return arg[:2] + command_line_path(arg[2:])  # a short option's value joined to it: -o./-
    return command_line_path(arg)


def main(args: Sequence[str] | None = None) -> None:
    quiet_libraries()
    catch_stop_signals()  # a kill or a hangup unwinds like Ctrl-C: no partial temporaries left
    # a file called "-" given as ./- stays that file (pathlib reads ./- as "-": standard input or output)
    given = [command_line_arg(arg) for arg in (sys.argv[1:] if args is None else args)]
    try:
        code = app(args=given, prog_name="stance", standalone_mode=False)
    except ClickException as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # a group run bare: its help, as click shows it
            if exc.format_message().strip():
                print(exc.format_message())
            sys.exit(exc.exit_code)
        console.print(usage_error_line(exc, given))
        sys.exit(exc.exit_code)
    except typer.Abort:  # end of input at a prompt
        console.print(Text.assemble(("error:", "bold red"), " aborted"))
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
