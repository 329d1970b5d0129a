"""The console script's entry point: imports the command line (typer, rich and every command module, about a
third of a second) inside a guard, so that Ctrl-C or a kill while they load ends as a run stopped later does (exit
130, 143 or 129, one line), not with a traceback of the import nor a silent death."""

from __future__ import annotations

import sys


def main() -> None:
    from classifier.signals import STOPPED, catch_stop_signals, stopped_by

    catch_stop_signals()
    try:
        from classifier.cli.main import main as run
    except KeyboardInterrupt as exc:
        signum = stopped_by(exc)
        sys.stderr.write(f"{STOPPED[signum]}\n")
        sys.exit(128 + signum)
    run()


if __name__ == "__main__":  # python -m classifier.cli.entry runs the command line too, as python -m classifier does
    main()
