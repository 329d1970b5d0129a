"""The typer app, shared options, and the rule that user errors are one line and exit 1."""

from __future__ import annotations

import errno
import functools
import importlib
import inspect
import sys
import warnings
from typing import Callable, Iterator, MutableMapping

import typer
import typer.main
from rich.text import Text
from typer.core import TyperCommand, TyperGroup

from classifier.cli.commands import COMMANDS
from classifier.cli.display import SafeConsole
from classifier.errors import InputError, InputWarning, cli_flags, outcome_of
from classifier.io.files import named_as_given, spooled_inputs
from classifier.signals import STOPPED, stopped_by
from classifier.visible import one_line


class Commands(MutableMapping):
    """The commands of ``stance`` by name, each module imported when its command is first looked up: its names
    (``in``, iterating, typer's "did you mean") come from ``commands.COMMANDS`` alone, a command from its module,
    which registers it on ``app`` as it is imported, then built by typer as it built them all before."""

    def __init__(self, built: dict):
        self.built = dict(built)  # those registered when the group was built, and those loaded since

    def __getitem__(self, name: str):
        if name not in self.built and name in COMMANDS:
            importlib.import_module(COMMANDS[name].module)
            registered = typer.main.get_group(app).commands.built  # a new group's, of what is registered now
            self.built.update({key: command for key, command in registered.items() if key not in self.built})
        return self.built[name]

    def __iter__(self) -> Iterator[str]:
        yield from COMMANDS
        yield from (name for name in self.built if name not in COMMANDS)

    def __len__(self) -> int:
        return len(set(COMMANDS) | set(self.built))

    def __contains__(self, name) -> bool:
        return name in COMMANDS or name in self.built

    def __setitem__(self, name: str, command) -> None:
        self.built[name] = command

    def __delitem__(self, name: str) -> None:
        del self.built[name]


class CommandsGroup(TyperGroup):
    """``stance``: a command's module (prepare, classify with its predict.batch, label ...) is imported only when
    that command runs or its own help is asked, not on every start (half a second of imports before this). Its
    own --help lists every command from ``commands.COMMANDS``' lines, loading none."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.commands = Commands(self.commands)
        self.listing = False

    def list_commands(self, ctx) -> list[str]:
        return list(self.commands)  # names only: typer's own reads every command

    def get_command(self, ctx, name: str):
        if self.listing and name in COMMANDS and name not in self.commands.built:
            return TyperCommand(name=name, help=COMMANDS[name].help)  # what a list of commands reads of one
        return self.commands.get(name)

    def format_help(self, ctx, formatter) -> None:
        self.listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.listing = False


app = typer.Typer(
    name="stance",
    cls=CommandsGroup,
    help="Measure how news outlets frame actors: stance toward countries, leaders and blocs, per sentence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def stance() -> None:
    """Nothing to do before a command: typer builds ``app`` as a group only where it has a callback or registered
    commands, and none is registered until its command is named (``CommandsGroup``)."""


class DefaultRunGroup(TyperGroup):
    """A group whose first argument, when it is not a subcommand name, goes to the ``run`` command: ``stance label
    ITEMS`` is ``stance label run ITEMS``. A subcommand's name is the subcommand, even where a file has that name
    (``./sample`` is the file); a word close to one (``sampel``) that names no file is a typo, which typer answers
    as at the top ("No such command 'sampel'. Did you mean 'sample'?"): it ran ``run`` on it, which failed with
    "Missing option '--labels'"."""

    def runs(self, arg: str) -> bool:
        """Whether ``arg``, the group's first argument, goes to ``run``."""
        import difflib
        import os

        if arg in self.commands:
            return False
        if arg.startswith("-"):  # an option of run's, or "-" (standard input)
            return True
        word = not any(mark in arg for mark in (".", "/", os.sep))  # a path says itself: items.jsonl, data/x
        return not (word and difflib.get_close_matches(arg, list(self.commands)) and not os.path.exists(arg))

    def parse_args(self, ctx, args):
        if args and args[0] not in ctx.help_option_names and self.runs(args[0]):
            args = ["run", *args]
        return super().parse_args(ctx, args)


console = SafeConsole(stderr=True, soft_wrap=True)
# the end of an input's help where "-" reads standard input (io.files.spooled_input), and of an output's where
# "-" writes standard output (io.files.stdout_table)
STDIN_HELP = " Give - to read standard input."
STDOUT_HELP = " Give - to write JSON lines (or --format csv) to standard output, once the run ends without an error."
out = SafeConsole(soft_wrap=True)
# the help of options that prepare (and actors) and classify share: here, not in cli.prepare, which classify would
# import (with classifier.prepare, clean and segment) for its help alone
ACTORS_HELP = "Actor catalogue YAML whose actors are added to the bundled catalogue (same name: yours replaces it)."
ACTORS_ONLY_HELP = "Actor catalogue YAML used instead of the bundled catalogue."
ONLY_ACTORS_HELP = "Keep only these actors, comma-separated (e.g. Russia,China)."
ENCODING_HELP = ("The encoding of the articles (text files, or a .jsonl/.csv table) and manifest that are not UTF-8, "
                 "e.g. cp1252 (a byte-order mark, valid UTF-8, or an HTML page's meta charset, still decides; "
                 "default: UTF-8 only).")
MAX_ARTICLE_CHARS_HELP = ("Skip, with a warning each, an article whose text (an HTML page's: the text extracted) is "
                          "longer than this many characters: scraped junk such as a site dump or a base64 blob. An "
                          "HTML page of more than ten bytes for each (20,000,000 at least) is skipped before it is "
                          "parsed.")
DATE_ORDER_HELP = ("How a manifest's or table's date written in numbers alone, its year last (03.04.2022, "
                   "3/4/2022 14:05, 3/4/22: 20YY up to next year, else 19YY), is read: DMY (day first: 3 April) or "
                   "MDY (month first: 4 March) (default: not read; warned of, and the report counts it undated). "
                   "One with a four-digit year first "
                   "(2022/4/3 14:05) is read year, month, day without it; YMD reads only those.")
COLUMNS_HELP = ("The columns of a table of articles that are named otherwise, as FIELD=COLUMN pairs joined by "
                "commas, e.g. text=maintext,date=date_publish,source=source_domain,id=url (fields: id, text, "
                "source, title, date, url, language); a column whose name holds a comma in double quotes, "
                "e.g. 'title=\"Head, line\"'.")
WORKERS_HELP = ("Processes that clean, split and match the articles (0: one per core); the items and report are "
                "the same, in the same order, as with 1.")


def fail(message: str, code: int = 1) -> None:
    console.print(Text.assemble(("error:", "bold red"), " ", one_line(named_as_given(message))))
    raise typer.Exit(code)


def warn(message: str) -> None:
    console.print(Text.assemble(("warning:", "yellow"), " ", one_line(named_as_given(message))))


def show_input_warning(show: Callable) -> Callable:
    """``warnings.showwarning`` that prints an InputWarning as one warning line and leaves others to ``show``."""

    def showwarning(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, InputWarning):
            warn(str(message))
        else:
            show(message, category, filename, lineno, file, line)

    return showwarning


def unwrapped(doc: str | None) -> str | None:
    """A command's docstring with each paragraph on one line, as ``--help`` shows it: typer's rich help keeps a
    paragraph's line breaks (after its first), so at 80 columns the source's breaks and the terminal's both cut
    lines ("confusion matrix and" / "calibration ..."); click's plain help (docs/cli.md) already joins them. A
    paragraph that opens with click's no-rewrap mark (\b) is kept as written."""
    if not doc:
        return doc
    paragraphs = inspect.cleandoc(doc).split("\n\n")
    return "\n\n".join(part if part.startswith("\b") else " ".join(line.strip() for line in part.splitlines())
                       for part in paragraphs)


def handle_errors(fn: Callable) -> Callable:
    """Turn InputError (and a few OS errors) into one red line and exit 1; Ctrl-C into exit 130, SIGTERM into 143
    and SIGHUP into 129 (``classifier.signals``), after every atomic output has removed its temporary files. Inputs read
    from "-" or a pipe are saved for the command's run (``io.files.spooled_inputs``), and named as given in its
    error and warning lines: the error line is written within it, as it names them until it ends (an OSError's file
    too). The command's help is its docstring, ``unwrapped``."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with spooled_inputs():
            return handled(fn, *args, **kwargs)

    wrapper.__doc__ = unwrapped(fn.__doc__)
    return wrapper


def handled(fn: Callable, *args, **kwargs):
    """``fn``'s result, its errors and interrupts each one line and an exit code (``handle_errors``)."""
    try:
        with warnings.catch_warnings(), cli_flags():  # messages name --flags, not parameters
            warnings.showwarning = show_input_warning(warnings.showwarning)
            return fn(*args, **kwargs)
    except InputError as exc:
        fail(str(exc))
    except InputWarning as exc:  # one made an error by the caller (python -W error, PYTHONWARNINGS=error)
        fail(str(exc))
    except OSError as exc:  # a missing or unreadable path, a full disk, a read-only folder: one line
        where = exc.filename or "a file this command writes or reads"
        disk = exc.errno in (errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EIO, errno.EFBIG)  # EFBIG: ulimit -f
        outcome = outcome_of(exc)  # raised while a model ran: what was kept (a journal for --resume) or not
        fail(f"{where}: {exc.strerror or exc}" + (f"; {outcome}" if outcome else
                                                   " (outputs are atomic: nothing half-written was kept)"
                                                   if disk else ""))
    except MemoryError:  # a row or file that expands past memory (a compressed Parquet column, say)
        fail("out of memory; outputs are atomic, nothing half-written was kept (a single huge row or "
             "cell in the input is the usual cause)")
    except KeyboardInterrupt as exc:
        signum = stopped_by(exc)
        console.print(STOPPED[signum])
        raise typer.Exit(128 + signum)


def show_progress(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty()


def throughput(task) -> tuple[float | None, float | None]:
    """Items a second and seconds left of a task whose fields hold ``since`` (when its items began, on the bar's
    clock), ``base`` (the items it began with, such as those resumed) and ``at`` (when it last moved): the items done
    from ``since`` to ``at``, over that time, and the time left at that pace less the time since ``at``. rich's own
    estimate takes the moves of the last 30 seconds, the first left out: a bar moved a shard or a file at a time (Ray)
    then read two workers' shards landing together as "1077 items/s 0:00:03", where 35 s were left."""
    since, at = task.fields.get("since"), task.fields.get("at")
    done = task.completed - task.fields.get("base", 0)
    if since is None or at is None or at <= since or done <= 0:
        return None, None
    rate = done / (at - since)
    if task.total is None:
        return rate, None
    return rate, max(0.0, (task.total - task.completed) / rate - (task.get_time() - at))


def progress_bar(enabled: bool, with_rate: bool = False):
    """A rich progress bar on stderr (or a no-op context); ``with_rate``: items/s and the time left from the items
    done since the task's ``since`` field (``throughput``; its fields ``since``, ``base`` and ``at`` are kept by the
    caller, on ``Progress.get_time``'s clock), not rich's estimate from the last moves."""
    from contextlib import nullcontext

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn

    if not enabled:
        return nullcontext(None)
    class CountColumn(MofNCompleteColumn):  # rich writes "0/?" while the total is unknown (a model loading)
        def render(self, task):
            return super().render(task) if task.total is not None else Text("")

    class RateColumn(ProgressColumn):
        def render(self, task):
            rate = throughput(task)[0]
            return Text(f"{rate:.0f} items/s" if rate else "")

    class LeftColumn(TimeRemainingColumn):
        def render(self, task):
            left = throughput(task)[1]
            if task.total is None or left is None:
                return super().render(task) if task.total is None else Text("-:--:--", style="progress.remaining")
            minutes, seconds = divmod(int(left), 60)
            hours, minutes = divmod(minutes, 60)
            return Text(f"{hours:d}:{minutes:02d}:{seconds:02d}", style="progress.remaining")

    columns = [TextColumn("{task.description}"), BarColumn(), CountColumn()]
    columns += [RateColumn(), LeftColumn()] if with_rate else [TimeRemainingColumn()]
    return Progress(*columns, console=console, transient=True)


def quiet_libraries() -> None:
    """Keep library chatter (weight-loading bars, init notes) out of the user's terminal. transformers is not
    imported here (half a second, and most commands never use it): it reads its verbosity, and whether to show its
    progress bars, from these variables when it is first imported (set before huggingface_hub is, whose setting of
    the bars transformers follows), and is quieted directly where it is already imported."""
    import os

    os.environ["TRANSFORMERS_VERBOSITY"] = "error"  # as set_verbosity_error did, whatever the user's setting
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "true")
    if "transformers" in sys.modules:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
    try:  # the Hub's client logs each retry of an unreachable host; the error that ends them is one line
        from huggingface_hub.utils import logging as hub_logging

        hub_logging.set_verbosity_error()
    except ImportError:
        pass
