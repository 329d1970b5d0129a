"""Write ``trained_items.txt`` for the shipped stance models, which were trained by scripts, not ``stance train``.

    python scripts/list_trained_items.py                 # reads ../shared/data, writes both models' lists
    python scripts/list_trained_items.py --check         # exit 1 where a written list differs from the data's

``scripts/install.sh`` (``make demo``, ``make test``) runs it where ``../shared/data`` is beside the checkout. The
lists are keys of public benchmark items, so they are built from that data on each machine, never committed
(``.gitignore``); a clone without ``../shared`` has none, and the shipped models are then checked as before, by
their cards' file digests.

``stance train`` records the items a model trained on (train and dev, never the test split) so that ``classify``,
``evaluate``, ``calibrate`` and ``report --gold`` warn when figures are in-sample. The two shipped models were made
by scripts and had no list, so an evaluation of ``models/default`` on BASIL's train file (whose folds 2-4 it
trained on) said nothing and read 0.675 macro-F1 against 0.542 held out. This script rebuilds their training items
as the scripts built them and checks them against what each card recorded:

- ``models/newsmtsc-v16``: all of NewsMTSC's ``train.jsonl`` (its card's sha256 of the file).
- ``models/default``: ``scripts/train_multidomain.py``'s training files and dev parts with its defaults (the
  card's ``data_sha256`` of the training items' ids); its base's list (NewsMTSC train) is inside them.

The lists hold 16-hex keys of each item's sentence and actor (``items.item_key``), no text. The model ids do not
change: ``model_hash`` does not read the list.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifier.cli.script import run_script  # noqa: E402
from classifier.errors import InputError  # noqa: E402
from classifier.io.files import file_sha256, write_text_atomic  # noqa: E402
from classifier.items import read_items  # noqa: E402
from classifier.models.card import TRAINED_ITEMS_FILE, trained_items_text  # noqa: E402


def multidomain():
    """scripts/train_multidomain.py as a module (its training files and dev parts, as it builds them)."""
    spec = importlib.util.spec_from_file_location("train_multidomain", ROOT / "scripts" / "train_multidomain.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def card(model: Path) -> dict:
    return json.loads((model / "model_card.json").read_text(encoding="utf-8"))


def newsmtsc_list(data_root: Path, model: Path) -> str:
    path = data_root / "newsmtsc" / "train.jsonl"
    if file_sha256(path) != card(model)["data"]["sha256"]:
        raise InputError(f"{path}: not the file {model.name}'s card records (sha256 differs)")
    return trained_items_text(read_items(path))


def default_list(data_root: Path, model: Path) -> str:
    script = multidomain()
    train_items = [item for _, items in script.training_files(data_root, 0) for item in items]
    recorded = card(model)["training"]["data_sha256"]
    digest = hashlib.sha256("".join(item.id for item in train_items).encode()).hexdigest()[:16]
    if digest != recorded:
        raise InputError(f"{data_root}: the training items rebuilt have ids sha256 {digest}, and {model.name}'s card "
                         f"records {recorded}: not the data it trained on")
    return trained_items_text(train_items + script.dev_items(data_root, 400, 0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--check", action="store_true", help="compare with the lists written; write nothing")
    parser.add_argument("-q", "--quiet", action="store_true", help="say nothing unless something is wrong")
    args = parser.parse_args()
    differ = []
    for name, build in (("newsmtsc-v16", newsmtsc_list), ("default", default_list)):
        model = ROOT / "models" / name
        text, path = build(args.data, model), model / TRAINED_ITEMS_FILE
        keys = text.count("\n") - 1
        if args.check:
            same = path.is_file() and path.read_text(encoding="utf-8") == text
            differ += [] if same else [name]
            print(f"models/{name}: {keys} keys, {'the same' if same else 'DIFFERENT'}")
        else:
            write_text_atomic(path, text)
            if not args.quiet:
                print(f"models/{name}: {keys} keys written to {path.relative_to(ROOT)} ({len(text.encode())} "
                      "bytes)")
    if differ:
        sys.exit(1)


if __name__ == "__main__":
    run_script(main)
