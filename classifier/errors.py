"""The one error type users see: a one-line message, no traceback."""

from __future__ import annotations

import contextlib
import contextvars

# Whether messages name the CLI's flags (``--period day``) or the Python parameters (``period='day'``): the CLI
# turns it on around each command (``classifier.cli.app.handle_errors``); a Python caller passed keyword arguments.
_CLI_FLAGS = contextvars.ContextVar("cli_flags", default=False)
_UNSET = object()


class InputError(Exception):
    """Bad input or arguments. The CLI prints the message and exits with status 1."""


class InputWarning(UserWarning):
    """A problem in the input that does not stop the work (a line that is skipped, say). The CLI prints it as
    one warning line; in Python it is an ordinary warning."""


def warn_caller(message: str, category: type[Warning] = InputWarning) -> None:
    """``warnings.warn`` naming the caller's line: the first frame outside this package, however deep in it the
    warning is made (``prepare_items``' articles are read in generators within generators, through a pool of
    worker processes or not, so no fixed ``stacklevel`` names the line that called it or took its next item).
    Python 3.12's ``skip_file_prefixes`` does the same; the package supports 3.11."""
    import os
    import sys
    import warnings

    package = os.path.dirname(os.path.abspath(__file__)) + os.sep
    frame, level = sys._getframe(1), 2  # the frame that warns is stacklevel 2 from here
    # code with no file ("<string>" of python -c, "<stdin>") is the caller's, wherever the working directory is
    while frame is not None and not frame.f_code.co_filename.startswith("<") \
            and os.path.abspath(frame.f_code.co_filename).startswith(package):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


def check_at_least(**limits: tuple) -> None:
    """``name=(value, least)``: each a whole number of at least ``least``, as the CLI's options are (the Python
    functions take the same arguments without the CLI's checks)."""
    from numbers import Integral

    for name, (value, least) in limits.items():
        if isinstance(value, bool) or not isinstance(value, Integral) or value < least:
            raise InputError(f"{name} {value!r}: expected a whole number of at least {least}")


PREDICTIONS = "a predictions file (.jsonl, .csv or .parquet)"


def check_paths(what: str = PREDICTIONS, /, **paths) -> None:
    """``name=value``: each a path (str or ``os.PathLike``) or None, as the Python functions that read or write
    files take them; anything else (a DataFrame, a list, a number) is an ``InputError`` naming the argument, not a
    ``TypeError`` from deep in ``pathlib``. ``what``: what the path is of (a predictions file unless given; a
    DataFrame given for one is told to be written to a file first)."""
    import os

    for name, value in paths.items():
        if value is not None and not isinstance(value, (str, os.PathLike)):
            hint = " (write it to a file first, e.g. frame.to_parquet(path))" if what == PREDICTIONS else ""
            raise InputError(f"{name}: expected the path of {what}; got {type(value).__name__}{hint}")


@contextlib.contextmanager
def cli_flags():
    """While it lasts, ``option`` names the CLI's flags: the CLI runs each command inside it."""
    token = _CLI_FLAGS.set(True)
    try:
        yield
    finally:
        _CLI_FLAGS.reset(token)


def option(name: str, value=_UNSET, *, flag: str | None = None) -> str:
    """An option as a message names it, with its value where given: the Python parameter for a Python caller
    (``period='day'``), the CLI's flag inside ``cli_flags`` (``--period day``; a switch, ``value=True``, as the flag
    alone). ``flag``: the CLI's name where it
    is not ``--`` and the parameter with dashes (``model_dir`` is ``--model``). One message serves both callers. A
    value is shown as a shell would take it back (``shlex.quote``): an empty one as ``--date-order ''``, not lost in
    ``--date-order :``, and one with spaces quoted whole, as the Python form's ``repr`` shows them."""
    import os
    import shlex

    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if _CLI_FLAGS.get():
        shown = flag or "--" + name.replace("_", "-")
        if value is _UNSET or value is True:
            return shown
        return f"{shown} {shlex.quote(value) if isinstance(value, str) else value}"
    return name if value is _UNSET else f"{name}={value!r}"
