"""Every command and option says what it does, and docs/cli.md is what --help says."""

import subprocess
import sys
from pathlib import Path

from classifier.cli.reference import missing_help

ROOT = Path(__file__).resolve().parents[2]


def test_every_command_and_option_has_help_text():
    assert missing_help() == []


def test_the_cli_reference_is_up_to_date():
    # a fresh interpreter: commands register in the order the CLI itself imports them
    made = subprocess.run([sys.executable, "-m", "classifier.cli.reference"], capture_output=True, text=True,
                          check=True, cwd=ROOT).stdout
    assert (ROOT / "docs" / "cli.md").read_text() == made, \
        "docs/cli.md is stale: run python -m classifier.cli.reference > docs/cli.md"
