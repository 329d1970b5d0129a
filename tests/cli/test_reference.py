"""Every command and option says what it does, and docs/cli.md is what --help says."""

from pathlib import Path

from classifier.cli.reference import missing_help, reference_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_every_command_and_option_has_help_text():
    assert missing_help() == []


def test_the_cli_reference_is_up_to_date():
    assert (ROOT / "docs" / "cli.md").read_text() == reference_markdown(), \
        "docs/cli.md is stale: run python -m classifier.cli.reference > docs/cli.md"
