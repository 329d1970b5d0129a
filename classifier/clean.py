"""Strip page furniture from article text with editable rules (classifier/resources/cleaning.yaml)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from classifier.errors import InputError
from classifier.resources import resource_path

DEFAULT_RULES = resource_path("cleaning.yaml")


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern
    scope: str = "line"  # line: drop the line; rest: drop it and everything after


@dataclass
class Cleaned:
    paragraphs: list[str]
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (rule name, line)

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


def load_rules(path: str | Path | None = None) -> list[Rule]:
    path = Path(path) if path else DEFAULT_RULES
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"{path}: cannot read cleaning rules ({exc})") from None
    rules = []
    for index, raw in enumerate(spec.get("rules", []), start=1):
        try:
            flags = 0 if raw.get("case_sensitive") else re.IGNORECASE
            rules.append(Rule(raw["name"], re.compile(raw["pattern"], flags), raw.get("scope", "line")))
        except (KeyError, TypeError, re.error) as exc:
            raise InputError(f"{path}: rule {index} is invalid ({exc})") from None
    return rules


def clean_text(text: str, rules: list[Rule]) -> Cleaned:
    """Keep the article's own lines; drop lines that a rule matches (and, for scope 'rest', the rest)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    kept: list[str] = []
    dropped: list[tuple[str, str]] = []
    lines = [line.strip() for line in text.split("\n")]
    for position, line in enumerate(lines):
        if not line:
            continue
        rule = next((r for r in rules if r.pattern.fullmatch(line)), None)
        if rule is None:
            kept.append(line)
            continue
        dropped.append((rule.name, line))
        if rule.scope == "rest":
            dropped += [(rule.name, rest) for rest in lines[position + 1:] if rest]
            break
    return Cleaned(dedupe_title(kept), dropped)


def dedupe_title(paragraphs: list[str]) -> list[str]:
    """Pages often repeat the headline; keep its first occurrence only when it repeats at once."""
    out: list[str] = []
    for paragraph in paragraphs:
        if out and paragraph == out[-1]:
            continue
        out.append(paragraph)
    return out
