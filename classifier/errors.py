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


class DateWarning(InputWarning):
    """Dates the report cannot read (``ingest.DateCheck``): a warning of the commands whose output keeps the dates,
    not of one that only looks at the text (``stance actors suggest``)."""


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


# -- a model that fails while it runs -------------------------------------------------------------
# torch raises a RuntimeError for a CUDA error, memory it cannot have or weights that do not fit the input (a
# MemoryError, ONNX Runtime its own types): the library lets it go on as it is, marked with the model that raised
# it (``model_calls``), and a command says it as one line (``model_failures``), in the words of ``model_failed``.
_FAILED_MODEL = "stance_failed_model"  # the mark: (the model's name, what it was doing)
_OUTCOME = "stance_outcome"  # an OSError's mark: what the run that it stopped kept or left undone


def failure(exc: BaseException) -> str:
    """A model's error as a message shows it: its type and its text on one line, cut to 200 characters (a CUDA
    error's text runs to a dozen lines); the type alone where it has no text (a bare MemoryError)."""
    from classifier.visible import one_line, shortened

    text = str(exc).strip()
    return f"{type(exc).__name__}: {shortened(one_line(text), 200)}" if text else type(exc).__name__


def model_failed(model, exc: BaseException, outcome: str, doing: str = "score the items") -> InputError:
    """The one line of a model that raised ``exc``: "MODEL: the model failed to score the items (RuntimeError: CUDA
    out of memory. ...); OUTCOME" (``outcome``: what was kept or left undone, and how to go on)."""
    return InputError(f"{model}: the model failed to {doing} ({failure(exc)}); {outcome}")


@contextlib.contextmanager
def model_calls(model, doing: str = "score the items"):
    """Around a model's own work (its forward passes, its training steps): an exception raised there goes on as
    it is (a Python caller catches torch's RuntimeError as ever), marked as ``model``'s (its folder or name) while
    ``doing`` it, for ``model_failures`` to tell it from an error of the code around the model, and with a note
    that its traceback shows. The first mark stays: the innermost call knows best which model raised."""
    try:
        yield
    except (InputError, OSError):  # bad input and files say their own line
        raise
    except Exception as exc:  # noqa: BLE001  (RuntimeError, MemoryError, ONNX Runtime's Fail, ...)
        if getattr(exc, _FAILED_MODEL, None) is None:
            try:
                setattr(exc, _FAILED_MODEL, (str(model), doing))
                exc.add_note(f"(raised by the model {model} as it tried to {doing})")  # under a Python traceback
            except AttributeError:  # an exception type without attributes: not marked, so a traceback
                pass
        raise


def outcome_of(exc: BaseException) -> str | None:
    """What a run stopped by ``exc`` (an OSError) kept or left undone, as ``model_failures`` marked it; or None."""
    outcome = getattr(exc, _OUTCOME, None)
    return outcome if isinstance(outcome, str) else None


def failed_model(exc: BaseException) -> tuple[str, str] | None:
    """(the model, what it was doing) of an exception ``model_calls`` marked (one that crossed a process
    boundary pickled keeps its mark), or None."""
    mark = getattr(exc, _FAILED_MODEL, None)
    return tuple(mark) if isinstance(mark, (tuple, list)) and len(mark) == 2 else None


@contextlib.contextmanager
def model_failures(model, outcome, doing: str = "score the items"):
    """A model that raises while a command runs it, as one line naming it (``model_failed``). ``model``: the model
    the block runs (its folder or name), where the block does little else: any exception but an ``InputError``
    (a folder that is no model) or an ``OSError`` (a file that cannot be read: the CLI names it) is the model's;
    None for a block that also reads and writes: only an exception ``model_calls`` marked is the model's, and the
    mark names it and what it was doing; any other goes on (a bug's traceback). ``outcome``: what was kept or left
    undone, or a function that says it once the model has failed (a journal kept or not). An ``OSError`` goes on
    as it is, marked with the outcome (``outcome_of``), for the CLI's line of the file to say it: a file the model
    reads gone mid-run was said with "nothing half-written was kept", where the journal was kept for --resume."""
    try:
        yield
    except InputError:
        raise
    except OSError as exc:
        if outcome_of(exc) is None:  # the innermost block knows best what was kept
            setattr(exc, _OUTCOME, outcome() if callable(outcome) else outcome)
        raise
    except Exception as exc:  # noqa: BLE001
        mark = failed_model(exc)
        if mark is None and model is None:
            raise
        name, done = mark or (model, doing)
        raise model_failed(name, exc, outcome() if callable(outcome) else outcome, done) from None
