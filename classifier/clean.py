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
    scope: str = "line"  # line: drop the line; rest: drop it and everything after; end: drop it at the text's end


SCOPES = ("line", "rest", "end")


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
        if rules[-1].scope not in SCOPES:
            raise InputError(f"{path}: rule {index} ({rules[-1].name}) has scope {rules[-1].scope!r}; expected one of "
                             f"{', '.join(SCOPES)}")
    return rules


def clean_text(text: str, rules: list[Rule]) -> Cleaned:
    """Keep the article's own lines; drop lines that a rule matches (and, for scope 'rest', the rest). Each
    line kept is a paragraph, except in a hard-wrapped text, where the lines of a paragraph are joined again
    (``unwrap``). A rule of scope 'end' drops paragraphs only at the end of what is kept (an author's bio or
    "X reported from Kyiv" closes an article; the same words inside it are the article's), never the first."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    kept: list[Line] = []
    dropped: list[tuple[str, str]] = []
    raw = text.split("\n")
    lines = [line.strip() for line in raw]
    for position, line in enumerate(lines):
        if not line:
            continue
        rule = next((r for r in rules if r.scope != "end" and r.pattern.fullmatch(line)), None)
        if rule is None:
            follows = bool(kept) and kept[-1].position == position - 1
            kept.append(Line(line, position, len(raw[position]) - len(raw[position].lstrip()), follows))
            continue
        dropped.append((rule.name, line))
        if rule.scope == "rest":
            dropped += [(rule.name, rest) for rest in lines[position + 1:] if rest]
            break
    paragraphs = unwrap(kept)
    closing: list[tuple[str, str]] = []
    while len(paragraphs) > 1:
        rule = next((r for r in rules if r.scope == "end" and r.pattern.fullmatch(paragraphs[-1])), None)
        if rule is None:
            break
        closing.append((rule.name, paragraphs.pop()))  # last first (inserting each at the front grew as a square)
    return Cleaned(dedupe_title(paragraphs), dropped + closing[::-1])


@dataclass(frozen=True)
class Line:
    text: str       # stripped
    position: int   # its line number in the text, from 0
    indent: int
    follows: bool   # the line before it was kept too (no blank or dropped line between)


WRAP_WIDTHS = (40, 150)  # the widths at which texts are hard-wrapped (72, 80, 100 ...); paragraphs are longer
_BULLET = re.compile(r"(?:[*•·]|\d{1,3}[.)])\s")
_DASH = re.compile(r"[-–—]\s")  # a list item after a sentence's end, a colon or an item; else a wrapped dash
_CLOSES = re.compile(r"[.!?:;…][\"'”’)\]]*$")


def wrap_width(lines: list[Line]) -> int | None:
    """The width a hard-wrapped text was wrapped at, or None where its lines read as paragraphs. Wrapped: of the
    lines that another line follows, two in five or more are followed by one that goes on in lower case (a
    break inside a sentence), and three in four of those end near one width between ``WRAP_WIDTHS`` (a tenth
    may run past it), as wrapping makes them, not at any length, as verse does."""
    pairs = [(a, b) for a, b in zip(lines, lines[1:]) if b.follows]
    if len(pairs) < 3 or sum(b.text[0].islower() for _, b in pairs) < 0.4 * len(pairs):
        return None  # lines that run on in lower case: breaks inside sentences
    inside = sorted(len(a.text) for a, b in pairs if b.text[0].islower())
    width = inside[int(0.9 * (len(inside) - 1))]
    if not WRAP_WIDTHS[0] <= width <= WRAP_WIDTHS[1]:
        return None
    return width if sum(length >= 0.75 * width for length in inside) >= 0.75 * len(inside) else None


def unwrap(lines: list[Line]) -> list[str]:
    """Paragraphs of the kept lines. In a hard-wrapped text (``wrap_width``) a line joins the one before it when
    nothing came between them, its first word would not have fitted on that line, give or take a tenth of the
    width for proportional fonts (else the break was the writer's: a heading, a short last line), it is not
    indented further (a new paragraph; under a list item it is the item's next line) and it does not start a list
    item (a bullet or number, or a dash after a sentence's end). A word broken at a hyphen is joined without a
    space ("Russia-" "Ukraine")."""
    width = wrap_width(lines)
    # each paragraph as its pieces, joined at the end: adding a line to a paragraph of one string copied it whole
    # and searched it for a broken word, time growing with the square of a long wrapped paragraph's length
    paragraphs: list[list[str]] = []
    in_item = False  # the paragraph being built is a list item (its wrapped lines may be indented under it)
    for before, line in zip([None, *lines], lines):
        item = bool(_BULLET.match(line.text)) or (bool(_DASH.match(line.text)) and (
            before is None or in_item or not line.follows or bool(_CLOSES.search(before.text))))
        would_fit = before is not None and len(before.text) + 1 + len(line.text.split()[0]) <= 0.9 * (width or 0)
        if width and line.follows and not would_fit and not item and (line.indent <= before.indent or in_item):
            paragraphs[-1] += ["" if _BROKEN_WORD.search(_tail(paragraphs[-1])) else " ", line.text]
        else:
            paragraphs.append([line.text])
            in_item = item
    return ["".join(pieces) for pieces in paragraphs]


_BROKEN_WORD = re.compile(r"\w-$")  # a word broken at a hyphen ends the paragraph so far ("Russia-")


def _tail(pieces: list[str]) -> str:
    """The last three characters of ``"".join(pieces)`` (all ``_BROKEN_WORD`` looks at), without joining them all."""
    tail = ""
    for piece in reversed(pieces):
        tail = piece[-3:] + tail
        if len(tail) >= 3:
            return tail[-3:]
    return tail


def dedupe_title(paragraphs: list[str]) -> list[str]:
    """Pages often repeat the headline; keep its first occurrence only when it repeats at once."""
    out: list[str] = []
    for paragraph in paragraphs:
        if out and paragraph == out[-1]:
            continue
        out.append(paragraph)
    return out
