"""The signals that stop a run as Ctrl-C does: SIGTERM (``kill``, a scheduler's time limit) and SIGHUP (the terminal
or the ssh session closed), each raised as an interrupt so that outputs unwind (atomic files removed, a journal or a
checkpoint kept for a rerun). The one place that names them: the CLI and the scripts install ``on_stop`` for them,
and training holds them, with SIGINT, while a step changes the weights (``models.train.signals_held``).

A job started with ``cmd &`` from a script (a non-interactive shell) ignores SIGINT, as POSIX asks, so ``kill -INT``
does nothing there: ``kill -TERM`` (plain ``kill``) stops it. A signal the caller ignored stays ignored (``nohup``
ignores SIGHUP, so that a closed terminal does not stop the run)."""

from __future__ import annotations

import signal

STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)  # besides SIGINT, which Python raises as KeyboardInterrupt itself
# the line each prints when it stopped a command (SIGINT: "interrupted"), and the exit is 128 + its number
STOPPED = {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated", signal.SIGHUP: "hung up"}


class Terminated(KeyboardInterrupt):
    """A stop signal (SIGTERM, SIGHUP) as an interrupt: outputs unwind as they do on Ctrl-C."""

    def __init__(self, signum: int = signal.SIGTERM):
        super().__init__(signum)
        self.signum = signum


_STOPPED: list[int] = []  # set by on_stop: a library may turn the Terminated into a plain KeyboardInterrupt


def on_stop(signum, frame) -> None:
    _STOPPED.append(signum)  # (Ray's ray.get raises its own KeyboardInterrupt for any signal it sees)
    raise Terminated(signum)


def catch_stop_signals() -> None:
    """``on_stop`` for each of ``STOP_SIGNALS`` not ignored by the caller (``nohup``: SIGHUP ignored stays so)."""
    for number in STOP_SIGNALS:
        if signal.getsignal(number) != signal.SIG_IGN:
            signal.signal(number, on_stop)


def stopped_by(interrupt: KeyboardInterrupt) -> int:
    """The signal that raised an interrupt: SIGTERM or SIGHUP (``on_stop``), else SIGINT (Ctrl-C); the mark is
    cleared. The command exits with 128 plus it (130, 143, 129) after printing ``STOPPED[it]``."""
    signum = interrupt.signum if isinstance(interrupt, Terminated) else _STOPPED[0] if _STOPPED else signal.SIGINT
    _STOPPED.clear()
    return int(signum)


def was_terminated(interrupt: KeyboardInterrupt) -> bool:
    """Whether an interrupt came from a stop signal rather than Ctrl-C; the mark is cleared."""
    return stopped_by(interrupt) != signal.SIGINT
