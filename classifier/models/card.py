"""Model cards: ``model_card.json`` for machines and ``README.md`` for people (and for the Hugging Face Hub).

The README is a ``huggingface_hub.ModelCard``: a YAML header the Hub reads (library, task, tags)
above the sections below, rendered from one Jinja template.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from classifier.visible import numeral

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


def card_files(model_dir: str | Path | None) -> dict[str, list[str]]:
    """The files the model's card lists by their bytes (the first 12 hex digits of their sha256, as ``stance train``
    records each), under "label files" (trained on) and "test files" (tested on); {} where there is no card, or a
    card that names no file."""
    import re

    try:
        card = read_card(model_dir) if model_dir is not None and Path(model_dir).is_dir() else {}
    except (OSError, ValueError):  # a card cut off or unreadable: nothing it can tell (loading never needed it)
        return {}
    data = card.get("data") if isinstance(card, dict) else None
    if not isinstance(data, dict):
        return {}
    listed = {key: re.findall(r"\(sha256 ([0-9a-f]{12})", str(data.get(key, "")))
              for key in ("label files", "test files")}
    return listed if any(listed.values()) else {}


def listed_as(listed: dict[str, list[str]], path: str | Path, digest: str | None = None) -> str | None:
    """Where ``listed`` (``card_files``) names ``path``'s bytes: "label files", "test files", or None. ``digest``:
    their sha256 where the caller has it (the file is not read again); with nothing listed the file is not read."""
    from classifier.io.files import file_sha256

    if not listed:
        return None  # nothing to compare with
    digest = (digest or file_sha256(path))[:12]
    return next((key for key, digests in listed.items() if digest in digests), None)


def trained_on(model_dir: str | Path, path: str | Path) -> str | None:
    """Where the model's card lists ``path``'s bytes: "label files" among the files it was trained on, "test files"
    among those it was tested on; else None (no card, or a card that names no file, or not this one)."""
    return listed_as(card_files(model_dir), path)


TRAINED_ITEMS_FILE = "trained_items.txt"
# the first line of the file: which version of ``items.item_key`` its keys are, and whether the actor is in them
TRAINED_ITEMS_HEADER = "# stance trained items v1: item_key({}) of each train and dev item, sorted"
WITH_ACTOR, SENTENCE_ONLY = "text, actor", "text"


HELD_OUT_FILE = "heldout.jsonl"


def held_out_text(items) -> str:
    """What ``heldout.jsonl`` holds: the items ``stance train`` held out of the label files (its test split, the
    items of the card's figures; never trained on), one a line in the item schema (``items.item_record``) with its
    gold label, in the order they were scored, so that ``stance classify`` and ``evaluate --compare`` can score them
    again with another model."""
    import json

    from classifier.items import item_record

    return "".join(json.dumps(item_record(item), ensure_ascii=False) + "\n" for item in items)


def trained_items_text(items, with_actor: bool = True, base: "TrainedItems | None" = None) -> str:
    """What ``trained_items.txt`` holds for the items a model trained on (train and dev, never the test split):
    the header, then each item's ``item_key`` once, sorted (a file that diffs and compresses, whatever the rows'
    order). ``with_actor``: False for a sentiment model, which reads the sentence alone. ``base``: the list of the
    model it started from, whose items it learnt too (kept where its keys are of the same kind). About 17 bytes an
    item (NewsMTSC's train file: measured in docs/reference.md), too many for the card, which people read."""
    from classifier.items import item_key

    keys = {item_key(item.text, item.actor if with_actor else None) for item in items}
    if base is not None and base.with_actor == with_actor:
        keys |= base.keys
    keys = sorted(keys)
    return TRAINED_ITEMS_HEADER.format(WITH_ACTOR if with_actor else SENTENCE_ONLY) + "\n" + \
        "".join(f"{key}\n" for key in keys)


class TrainedItems:
    """The keys of the items a model trained on (its folder's ``trained_items.txt``), to count how many of some
    items are among them: a set lookup of a 16-digit key per item."""

    def __init__(self, keys: frozenset[str], with_actor: bool):
        from classifier.items import item_key

        self.keys, self.with_actor, self._key = keys, with_actor, item_key

    def has(self, text: str, actor: str | None) -> bool:
        """Whether the model trained on this sentence with this actor (a sentiment model: this sentence)."""
        return self._key(text, actor if self.with_actor else None) in self.keys

    def count(self, pairs) -> tuple[int, int]:
        """(how many of ``pairs``, (text, actor) each, the model trained on; how many pairs)."""
        found = total = 0
        for text, actor in pairs:
            total += 1
            found += self.has(text, actor)
        return found, total


def trained_items(model_dir: str | Path | None) -> TrainedItems | None:
    """The items ``stance train`` recorded the model trained on; None where its folder has no such file (a model
    saved before the file, models/default, a Hub download) or one this version cannot read, so callers fall back on
    the card's bytes check (``trained_on``)."""
    text = trained_items_file(model_dir)
    if text is None:
        return None
    lines = text.splitlines()
    kinds = {TRAINED_ITEMS_HEADER.format(kind): kind == WITH_ACTOR for kind in (WITH_ACTOR, SENTENCE_ONLY)}
    if not lines or lines[0] not in kinds:
        return None
    return TrainedItems(frozenset(line for line in lines[1:] if line), kinds[lines[0]])


def trained_items_file(model_dir: str | Path | None, name: str = TRAINED_ITEMS_FILE) -> str | None:
    """The text of a model folder's ``trained_items.txt`` (or its file ``name``: ``heldout.jsonl``) as it is, for a
    copy of the model to keep and for ``trained_items`` to parse (None: none, or unreadable)."""
    if model_dir is None:
        return None
    try:
        return (Path(model_dir) / name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):  # absent or unreadable: nothing it can tell (loading never needed it)
        return None


def in_sample_words(found: int, total: int, model: str) -> str:
    """The one line that says some items were trained on: "N of M items (x%) were in MODEL's training data; ..."."""
    share = 100 * found / total if total else 0.0
    shown = ("<0.1" if 0 < share < 0.1 else ">99.9" if found < total and share >= 99.95  # never "100%" unless all
             else f"{share:.1f}".removesuffix(".0"))
    return (f"{numeral(found)} of {numeral(total)} items ({shown}%) were in {model}'s training data; figures on them "
            "are in-sample")


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
