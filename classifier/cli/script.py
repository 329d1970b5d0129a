"""What the benchmark and training scripts (``scripts/*.py``) share with the CLI: one-line errors, Ctrl-C and
``kill`` that unwind (a child process is stopped with its parent, atomic outputs are left whole or absent), and
argparse types that refuse a bad number before any work starts."""

from __future__ import annotations

import argparse
import subprocess
import sys
from typing import Any, Callable

from classifier.errors import InputError
from classifier.signals import STOPPED, catch_stop_signals, stopped_by


def run_script(main: Callable[[], Any]) -> None:
    """Run a script's ``main`` as the CLI runs a command: an InputError is one line and exit 1, a failed child
    command one line and exit 1, Ctrl-C exit 130, SIGTERM 143 and SIGHUP 129 (``classifier.signals``), without a
    traceback. ``subprocess.run`` kills its child when the interrupt reaches it, so no child is left running."""
    catch_stop_signals()
    try:
        main()
    except InputError as exc:
        sys.exit(f"error: {exc}")
    except subprocess.CalledProcessError as exc:
        command = " ".join(map(str, exc.cmd[:4])) if isinstance(exc.cmd, (list, tuple)) else str(exc.cmd)
        tail = (exc.stderr or "").strip().splitlines()[-1:] if isinstance(exc.stderr, str) else []
        sys.exit(f"error: {command} ... exited with {exc.returncode}" + (f": {tail[0]}" if tail else ""))
    except KeyboardInterrupt as exc:
        signum = stopped_by(exc)
        print(STOPPED[signum], file=sys.stderr)
        sys.exit(128 + signum)


def at_least(minimum: int) -> Callable[[str], int]:
    """An argparse ``type``: an integer of at least ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} is below {minimum}")
        return value

    return parse


def non_negative_float(text: str) -> float:
    """An argparse ``type``: a number of 0 or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value >= 0:  # NaN too
        raise argparse.ArgumentTypeError(f"{text} is below 0")
    return value


def int_list(text: str) -> list[int]:
    """An argparse ``type``: comma-separated whole numbers of 0 or more ("0,25,50")."""
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected whole numbers separated by commas") from None
    if not values or min(values) < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: expected whole numbers of 0 or more, separated by commas")
    return values


def choose_names(given: str | None, known: list[str], option: str) -> list[str] | None:
    """The names of a comma-separated option (``--sets a,b``), each one known; None when not given."""
    if given is None:
        return None
    names = [name.strip() for name in given.split(",") if name.strip()]
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise InputError(f"{option}: {', '.join(unknown) or 'no names given'}; choose from {', '.join(known)}")
    return names
