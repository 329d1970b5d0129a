"""Unlabelled variants of training items for distillation: the teacher labels them, the student
learns the teacher's scores on them (TinyBERT-style augmentation, Jiao et al. 2020; "function
matching" on many views of each example, Beyer et al. 2022).

- ``cross_target_items``: a training sentence paired with another actor it names.
- ``augmented_views``: a training item with its words edited around the (kept) mentions:
  the target swapped for another actor's name, words dropped, the sentence cropped to a window
  round the mention, words replaced by other training words.

Every variant keeps its source's ``article``, so a cross-fitted teacher that never saw the source
article labels it (research/crossfit.py). Variants carry no gold label.
"""

from __future__ import annotations

import calendar
import random
import re
from collections import defaultdict
from typing import Sequence

from classifier.items import Item

WORD = re.compile(r"\S+")
EDITS = ("substitute", "drop", "crop", "replace")


def candidate_names(items: Sequence[Item]) -> dict[str, str]:
    """Mention string -> actor it was labelled under: capitalised, 4+ characters, never a lower-case word."""
    common = {word for item in items for word in re.findall(r"\b[a-z]+\b", item.text)}  # "this", "senate"
    common |= {calendar.day_name[i].lower() for i in range(7)} | {calendar.month_name[i].lower() for i in range(1, 13)}
    names: dict[str, str] = {}
    for item in items:
        for start, end in item.spans:
            mention = item.text[start:end]
            if len(mention) >= 4 and mention[0].isupper() and mention.lower() not in common:
                names.setdefault(mention, item.actor)
    return names


def cross_target_items(items: Sequence[Item], limit: int, seed: int = 0) -> list[Item]:
    """Unlabelled items: a training sentence paired with another actor it names.

    Every mention string of every training actor (``candidate_names``) is looked for in the other
    training sentences; a hit that overlaps no labelled mention of that sentence makes a new
    (sentence, actor) pair. ``limit`` of them are drawn with a fixed seed, at most two per sentence.
    """
    names = candidate_names(items)
    if not names:
        return []
    pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")\b")
    labelled: dict[str, list] = defaultdict(list)  # sentence -> spans already labelled (any actor)
    article: dict[str, str | None] = {}
    for item in items:
        labelled[item.text] += list(item.spans)
        article.setdefault(item.text, item.article)
    candidates = []
    for text, spans in labelled.items():
        found = defaultdict(list)
        for match in pattern.finditer(text):
            if not any(match.start() < end and start < match.end() for start, end in spans):
                found[names[match.group(0)]].append((match.start(), match.end()))
        candidates += [(text, actor, hits) for actor, hits in found.items()]
    rng = random.Random(seed)
    rng.shuffle(candidates)
    per_sentence: dict[str, int] = defaultdict(int)
    chosen = []
    for text, actor, hits in candidates:
        if len(chosen) >= limit:
            break
        if per_sentence[text] < 2:
            per_sentence[text] += 1
            chosen.append(Item(id=f"transfer-{len(chosen)}", text=text, actor=actor, spans=hits,
                               article=article[text]))
    return chosen


def words_with_mentions(item: Item) -> list[tuple[str, bool]]:
    """The text as (word, is_mention) pieces: each mention span whole, other text split on white space."""
    from classifier.models.inputs import merge_spans

    pieces, cursor = [], 0
    for start, end in merge_spans(item.spans):
        pieces += [(w, False) for w in WORD.findall(item.text[cursor:start])]
        pieces.append((item.text[start:end], True))
        cursor = end
    pieces += [(w, False) for w in WORD.findall(item.text[cursor:])]
    return pieces


def joined(pieces: Sequence[tuple[str, bool]]) -> tuple[str, list[tuple[int, int]]]:
    """Text from pieces joined by single spaces, and the spans of the mention pieces in it."""
    text, spans = "", []
    for word, mention in pieces:
        if text:
            text += " "
        if mention:
            spans.append((len(text), len(text) + len(word)))
        text += word
    return text, spans


def edited(item: Item, edit: str, rng: random.Random, names: Sequence[str], vocabulary: Sequence[str]) -> Item | None:
    """One variant of ``item`` (None where the edit does not apply)."""
    pieces = words_with_mentions(item)
    actor = item.actor
    if edit == "substitute":
        named = {w for w, m in pieces if m and w[:1].isupper()}  # "she" stays; a capitalised "She" is swapped too
        others = [n for n in names if n not in named]
        if not named or not others:
            return None
        actor = rng.choice(others)
        pieces = [(actor if w in named else w, m) for w, m in pieces]
    elif edit == "drop":
        pieces = [(w, m) for w, m in pieces if m or rng.random() >= 0.15]
    elif edit == "replace":
        pieces = [(rng.choice(vocabulary) if not m and rng.random() < 0.1 else w, m) for w, m in pieces]
    elif edit == "crop":
        marked = [i for i, (_, m) in enumerate(pieces) if m]
        if not marked or len(pieces) < 12:
            return None
        left = rng.randint(0, marked[0])
        right = rng.randint(marked[-1] + 1, len(pieces))
        if right - left < 6:
            return None
        pieces = pieces[left:right]
    else:
        raise ValueError(f"unknown edit {edit!r}; expected one of {EDITS}")
    text, spans = joined(pieces)
    if not text or text == item.text:
        return None
    return Item(id=f"{item.id}~{edit}", text=text, actor=actor, spans=spans, article=item.article)


def augmented_views(items: Sequence[Item], per_item: int, seed: int = 0,
                    edits: Sequence[str] = EDITS) -> list[Item]:
    """Up to ``per_item`` edited variants of each item (one or two of ``edits`` each, one where only
    one is given), drawn with a fixed seed per item; ids are ``<source id>~<edits>~<n>``."""
    unknown = set(edits) - set(EDITS)
    if not edits or unknown:
        raise ValueError(f"unknown edits {sorted(unknown)}; expected some of {EDITS}")
    names = sorted(candidate_names(items))
    vocabulary = sorted({w for item in items for w, m in words_with_mentions(item) if not m and w.isalpha()})
    views = []
    for item in items:
        rng = random.Random(f"{seed}:{item.id}")
        for n in range(per_item):
            view: Item | None = item
            chosen = rng.sample(list(edits), k=min(rng.choice((1, 2)), len(edits)))
            for edit in chosen:
                view = edited(view, edit, rng, names, vocabulary) if view is not None else None
            if view is not None:
                views.append(view.model_copy(update={"id": f"{item.id}~{'+'.join(chosen)}~{n}"}))
    return views
