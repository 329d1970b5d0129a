"""Every command and option says what it does, and docs/cli.md is what --help says."""

import subprocess
import sys
from pathlib import Path

from classifier.cli.reference import missing_help

ROOT = Path(__file__).resolve().parents[2]


def test_every_command_and_option_has_help_text():
    assert missing_help() == []


def test_help_paragraphs_are_one_line_each_so_the_terminal_alone_wraps_them():
    # typer's rich --help keeps a paragraph's line breaks: at 80 columns a docstring wrapped at 110 showed as
    # "confusion matrix and" / "calibration (ECE, ...)", lines cut twice (evaluate, report, calibrate, label ...)
    from classifier.cli.reference import root_command, walk

    cut = [" ".join(path) for path, command in walk(root_command())
           if any("\n" in part for part in (command.help or "").split("\n\n") if not part.startswith("\b"))]
    assert cut == []


def test_the_cli_reference_is_up_to_date():
    # a fresh interpreter: commands register in the order the CLI itself imports them
    made = subprocess.run([sys.executable, "-m", "classifier.cli.reference"], capture_output=True, text=True,
                          check=True, cwd=ROOT).stdout
    assert (ROOT / "docs" / "cli.md").read_text() == made, \
        "docs/cli.md is stale: run python -m classifier.cli.reference > docs/cli.md"


def test_every_test_the_readme_names_exists():
    """The README's guarantees cite tests by file (and name): each must be there, so a rename breaks this."""
    import re

    cited = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", (ROOT / "README.md").read_text())
    assert len(cited) >= 6
    for file, name in cited:
        assert (ROOT / file).exists(), file
        assert not name or re.search(rf"^def {name}\(", (ROOT / file).read_text(), re.M), f"{file}::{name}"


def quiet_helps() -> dict[str, str]:
    """Each command's -q help, by command ("label export")."""
    from classifier.cli.reference import root_command, walk

    return {" ".join(path): param.help for path, command in walk(root_command())
            for param in getattr(command, "params", []) if param.name == "quiet"}


def test_each_quiet_help_says_what_it_keeps():
    """'label export -q' and 'label suggest -q' said "No progress bar or summary lines." and printed their closing
    line all the same; 'train -q' said "only the comparison table" and printed its verdict and 'saved' line too."""
    helps = quiet_helps()
    assert {"label export", "label suggest", "train", "classify", "prepare"} <= set(helps)
    vague = {name: text for name, text in helps.items()
             if "summary lines" in text or not ("stay" in text or "only warnings and errors" in text
                                                or name == "label")}  # 'label' (run) says it at length
    assert vague == {}


def test_each_usage_line_names_its_arguments_in_capitals():
    """'stance evaluate [OPTIONS] {predictions}' and 'stance calibrate [OPTIONS] {model_dir} {dev_items}' beside
    '{INPUT}', '{ITEMS}', '{LABELS...}', and calibrate's own help calling them MODEL_DIR: a name is in capitals."""
    from classifier.cli.reference import is_group, root_command, walk

    lower = {}
    for path, command in walk(root_command()):
        if path and not is_group(command):
            pieces = command.collect_usage_pieces(command.context_class(command, info_name=path[-1]))
            lower.update({" ".join(path): piece for piece in pieces if piece != piece.upper()})
    assert lower == {}
