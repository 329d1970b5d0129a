"""Model cards: ``model_card.json`` for machines and ``README.md`` for people (and for the Hugging Face Hub).

The README is a ``huggingface_hub.ModelCard``: a YAML header the Hub reads (library, task, tags)
above the sections below, rendered from one Jinja template.
"""

from __future__ import annotations

import json
from pathlib import Path

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


def render_card(card: dict, task: str = "stance") -> str:
    from huggingface_hub import ModelCard, ModelCardData

    data = ModelCardData(library_name="transformers", pipeline_tag="text-classification",
                         tags=[task, "news"])  # "stance" or "sentiment"
    return str(ModelCard.from_template(data, template_str=TEMPLATE, card=card, sections=SECTIONS))
