"""Every command of ``stance``: its name, the module that registers it on the typer app, and the one line that
``stance --help`` shows of it. A command's module is imported only when that command is named (``app.CommandsGroup``),
so ``stance report`` loads no module of prepare, classify or label; this table is what lists them all without
importing any (a test checks each line against the first paragraph of the command's own help)."""

from __future__ import annotations

from typing import NamedTuple


class Listed(NamedTuple):
    module: str
    help: str  # the first paragraph of the command's --help, as its group lists it


# in the order ``stance --help`` lists them: the commands, then the groups of commands, as typer put them
COMMANDS = {
    "prepare": Listed("classifier.cli.prepare", "Clean articles, split sentences, find actor mentions; write one item "
                      "per (sentence, actor)."),
    "classify": Listed("classifier.cli.classify", "Score the stance (favor / against / neutral, with probabilities) "
                       "of each item toward its actor."),
    "train": Listed("classifier.cli.train", "Fine-tune on your labels (split by article; early stopping from 500 "
                    "labels); compare with the starting model on held-out items."),
    "evaluate": Listed("classifier.cli.evaluate", "Compare gold labels with predicted stance: F1, accuracy, "
                       "calibration, overall and per group."),
    "report": Listed("classifier.cli.report", "Write the framing report: outlet x actor table, corrected shares, "
                     "outlet differences, plots, HTML."),
    "calibrate": Listed("classifier.cli.calibrate", "Fit temperature scaling on gold-labelled dev items and store it "
                        "with the model."),
    "actors": Listed("classifier.cli.prepare", "Inspect and grow the actor catalogue."),
    "label": Listed("classifier.cli.label", "Label items in the terminal (single keys; every answer fsync'd to "
                    "LABELS.jsonl; restart resumes), and manage label files."),
}

