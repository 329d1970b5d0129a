"""Model cards: ``model_card.json`` for machines and ``README.md`` for people (and for the Hugging Face Hub).

The README is a ``huggingface_hub.ModelCard``: a YAML header the Hub reads (library, task, tags)
above the sections below, rendered from one Jinja template.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

TOOLKIT_ROOT = Path(__file__).resolve().parents[2]  # the checkout holding classifier/, when it is one

TEMPLATE = """---
{{ card_data }}
---
# {{ card.get("name", "stance model") }}

{{ card.get("summary", "") }}

## Input format

{{ card.get("input_description", "") }}

## Labels

{{ card.get("labels", []) | join(", ") }}
{% if card.get("base") %}
## Base encoder

{{ card["base"] }}
{% endif %}{% for key, title, column in sections %}{% if card.get(key) %}
## {{ title }}

| {{ column }} | value |
|---|---|
{% for name, value in card[key].items() %}| {{ name }} | {{ value }} |
{% endfor %}{% endif %}{% endfor %}{% if card.get("evaluation") %}
## Test figures

| set | metric | value |
|---|---|---|
{% for split, metrics in card["evaluation"].items() %}{% for name, value in metrics.items() %}{% if value is not mapping and (value is string or value is not iterable) %}| {{ split }} | {{ name }} | {{ value }} |
{% endif %}{% endfor %}{% endfor %}{% if card.get("verdict") %}
{{ card["verdict"] }}
{% endif %}{% endif %}{% if card.get("limitations") %}
## Limitations

{{ card["limitations"] }}
{% endif %}"""

SECTIONS = (("data", "Training data", "field"), ("teachers", "Teachers (distilled into these files)", "file"),
            ("hyperparameters", "Hyper-parameters", "name"),
            ("training", "Training run", "field"), ("calibration", "Calibration", "field"))


def write_card(directory: Path, card: dict, task: str = "stance") -> None:
    from classifier.io.files import write_text_atomic

    write_text_atomic(Path(directory) / "model_card.json", json.dumps(card, indent=2, ensure_ascii=False) + "\n")
    write_text_atomic(Path(directory) / "README.md", render_card(card, task))


def read_card(directory: str | Path) -> dict:
    path = Path(directory) / "model_card.json"
    return json.loads(path.read_text()) if path.exists() else {}


def trained_on(model_dir: str | Path, path: str | Path) -> str | None:
    """Where the model's card lists ``path``'s bytes (their sha256, as ``stance train`` records each file): "label
    files" among the files it was trained on, "test files" among those it was tested on; else None (no card, or a
    card that names no file, or not this one)."""
    import re

    from classifier.io.files import file_sha256

    try:
        card = read_card(model_dir) if Path(model_dir).is_dir() else {}
    except (OSError, ValueError):  # a card cut off or unreadable: nothing it can tell (loading never needed it)
        return None
    data = card.get("data") if isinstance(card, dict) else None
    if not isinstance(data, dict):
        return None
    listed = {key: re.findall(r"\(sha256 ([0-9a-f]{12})", str(data.get(key, "")))
              for key in ("label files", "test files")}
    if not any(listed.values()):
        return None  # nothing to compare with: the file is not read
    digest = file_sha256(path)[:12]
    return next((key for key, digests in listed.items() if digest in digests), None)


def render_card(card: dict, task: str = "stance") -> str:
    from huggingface_hub import ModelCard, ModelCardData

    data = ModelCardData(library_name="transformers", pipeline_tag="text-classification",
                         tags=[task, "news"])  # "stance" or "sentiment"
    return str(ModelCard.from_template(data, template_str=TEMPLATE, card=card, sections=SECTIONS))


def toolkit_version() -> str:
    """The installed version of the toolkit (pyproject's), or "not installed" for a checkout never installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("stance-classifier")
    except PackageNotFoundError:
        return "not installed"


def toolkit_commit(root: Path = TOOLKIT_ROOT) -> str | None:
    """``git rev-parse HEAD`` of the checkout the toolkit runs from, with "(uncommitted changes)" where a tracked
    file differs from it; None where git is absent, fails, or ``root`` is no checkout's top (an installed package
    inside another project's repository is not that project's commit)."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True,
                              timeout=20).stdout.strip()

    try:
        if Path(git("rev-parse", "--show-toplevel")).resolve() != Path(root).resolve():
            return None
        commit, changed = git("rev-parse", "HEAD"), git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):  # no git, not a checkout, no commit yet, a hung git
        return None
    return commit + (" (uncommitted changes)" if changed else "")


def working_directory(model_dir: str | Path, here: str | Path | None = None) -> str | None:
    """Where the command ran, relative to the model folder ("../.." for models/ours-v1 written from the project's
    folder), so the card's command, whose paths are relative, can be rerun from the folder, and a shared card shows
    no one's home (as the report's ``shared_path``): None where the model folder is not inside that directory
    (the path up and back down would name it) or that directory is the filesystem's root."""
    here = Path(os.path.abspath(here if here is not None else Path.cwd()))
    folder = Path(os.path.abspath(model_dir))
    if here.parent == here or folder == here or not folder.is_relative_to(here):
        return None
    return Path(*[".."] * len(folder.relative_to(here).parts)).as_posix()


def provenance(model_dir: str | Path) -> dict:
    """The card's record of what made the model: toolkit version, git commit of its checkout and the working
    directory of the command (the last two left out where unknown)."""
    commit, where = toolkit_commit(), working_directory(model_dir)
    return {"stance version": toolkit_version(), **({"git commit": commit} if commit else {}),
            **({"working directory": where} if where else {})}
