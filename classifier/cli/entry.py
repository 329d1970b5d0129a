"""The console script's entry point: imports the command line (typer, rich and every command module, about a
third of a second) inside a guard, so that Ctrl-C while they load ends as a run interrupted later does (exit 130,
one line), not with a traceback of the import."""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from classifier.cli.main import main as run
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    run()


if __name__ == "__main__":  # python -m classifier.cli.entry runs the command line too, as python -m classifier does
    main()
