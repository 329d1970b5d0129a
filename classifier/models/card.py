"""Model cards: ``model_card.json`` for machines and ``README.md`` for people."""

from __future__ import annotations

import json
from pathlib import Path


def write_card(directory: Path, card: dict) -> None:
    (directory / "model_card.json").write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n")
    (directory / "README.md").write_text(render_card(card))


def read_card(directory: str | Path) -> dict:
    path = Path(directory) / "model_card.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _table(rows: dict) -> str:
    return "\n".join(f"| {k} | {v} |" for k, v in rows.items())


def render_card(card: dict) -> str:
    lines = [f"# {card.get('name', 'stance model')}", "", card.get("summary", ""), ""]
    lines += ["## Input format", "", card.get("input_description", ""), ""]
    lines += ["## Labels", "", ", ".join(card.get("labels", [])), ""]
    if card.get("base"):
        lines += ["## Base encoder", "", str(card["base"]), ""]
    if card.get("data"):
        lines += ["## Training data", "", "| field | value |", "|---|---|", _table(card["data"]), ""]
    if card.get("hyperparameters"):
        lines += ["## Hyper-parameters", "", "| name | value |", "|---|---|", _table(card["hyperparameters"]), ""]
    if card.get("training"):
        lines += ["## Training run", "", "| field | value |", "|---|---|", _table(card["training"]), ""]
    if card.get("calibration"):
        lines += ["## Calibration", "", "| field | value |", "|---|---|", _table(card["calibration"]), ""]
    if card.get("evaluation"):
        lines += ["## Test figures", "", "| set | metric | value |", "|---|---|---|"]
        for split, metrics in card["evaluation"].items():
            lines += [f"| {split} | {k} | {v} |" for k, v in metrics.items() if not isinstance(v, (dict, list))]
        lines.append("")
    if card.get("limitations"):
        lines += ["## Limitations", "", card["limitations"], ""]
    return "\n".join(lines) + "\n"
