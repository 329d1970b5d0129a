"""Articles → cleaned text → sentences → one item per (sentence, actor mentioned)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from classifier.actors import Actor, Matcher, id_part, spans_by_actor
from classifier.clean import Rule, clean_text
from classifier.ingest import Article
from classifier.segment import segment


ITEM_FIELDS = ("id", "text", "actor", "spans", "source", "article", "sentence_index", "kind", "start", "end",
               "actor_kind", "title", "date", "url")


# A wire dateline that opens an article's body: "WASHINGTON —", "MOSCOW (Reuters) -", "KYIV, Ukraine, March 3 (AP) --",
# "NEW YORK (CNN)The": a place in capitals, then capitalised words or numbers after commas, an agency in brackets,
# and a dash (or a hyphen or two after a space; the agency alone where a capital follows). The place says where the
# report was filed, not what it is about: a mention of a capital or seat in it is not the sentence's (nor its
# country's name beside it, "KYIV, Ukraine"); "NATO —" and "U.S. —" keep theirs.
_DASH = r"(?:\s*[—–―‒]\s*|\s+--?\s*)"
DATELINE = re.compile(r"[A-Z][A-Z'’.\-]{2,}(?: [A-Z][A-Z'’.\-]+)*(?:,(?:\s+(?:[A-Z][\w.'’-]*|\d{1,4}),?)+)?"
                      rf"(?:(?:\s*\([^()\n]{{1,40}}\))?{_DASH}|\s*\([A-Z][^()\n]{{0,19}}\)\s*(?=[A-Z]))")
BYLINE = re.compile(r"(?i:by)\s+[A-Z]")


def opening_dateline(sentences: list) -> tuple[int, int] | None:
    """(sentence index, where its dateline ends) for the dateline that opens the first body paragraph, or the second
    after a byline ("By Jane Doe"); None when neither opens with one."""
    openers = []
    for sentence in sentences:
        if sentence.kind == "body" and (not openers or sentence.paragraph != openers[-1].paragraph):
            openers.append(sentence)
    if len(openers) > 1 and BYLINE.match(openers[0].text):
        openers = openers[1:]
    match = DATELINE.match(openers[0].text) if openers else None
    return (openers[0].index, match.end()) if match else None


def outside_dateline(mentions: list, end: int, places: dict[str, set[str]]) -> list:
    """The mentions less those the dateline (text before ``end``) holds that are an actor's capital or seat, or that
    actor's other names beside it ("KYIV, Ukraine")."""
    filed = {m.actor for m in mentions if m.end <= end and m.term.casefold() in places.get(m.actor, ())}
    return [m for m in mentions if m.end > end or m.actor not in filed]


@dataclass
class ArticleReport:
    article: str
    sentences: int
    items: int
    dropped: Counter = field(default_factory=Counter)  # rule name -> lines dropped
    dropped_lines: list[tuple[str, str]] = field(default_factory=list)


def article_items(article: Article, matcher: Matcher, rules: list[Rule],
                  kinds: dict[str, str]) -> tuple[list[dict], ArticleReport]:
    cleaned = clean_text(article.text, rules)
    sentences = segment(cleaned.paragraphs, title=article.title)
    local = matcher.for_article(cleaned.text)
    dateline = opening_dateline(sentences)
    places = {actor.name: {place.casefold() for place in actor.places} for actor in matcher.actors}
    items = []
    for sentence in sentences:
        mentions = local.find(sentence.text)
        if dateline and sentence.index == dateline[0]:
            mentions = outside_dateline(mentions, dateline[1], places)
        for actor, spans in spans_by_actor(mentions).items():
            items.append({  # the fields of ITEM_FIELDS, in its order
                "id": f"{article.id}:{sentence.index:04d}:{id_part(actor)}",
                "text": sentence.text, "actor": actor, "spans": spans,
                "source": article.source, "article": article.id,
                "sentence_index": sentence.index, "kind": sentence.kind,
                "start": sentence.start, "end": sentence.end, "actor_kind": kinds.get(actor),
                "title": article.title, "date": article.date, "url": article.url,
            })
    report = ArticleReport(article.id, len(sentences), len(items),
                           Counter(name for name, _ in cleaned.dropped), cleaned.dropped)
    return items, report


def iter_prepared(articles: Iterable[Article], actors: list[Actor], rules: list[Rule]
                  ) -> Iterator[tuple[list[dict], ArticleReport]]:
    """Each article's items and report, an article at a time, in article then sentence order."""
    matcher = Matcher(actors)
    kinds = {a.name: a.kind for a in actors}
    for article in articles:
        yield article_items(article, matcher, rules, kinds)


def prepare_items(corpus, *, manifest=None, actors=None, actors_only=None, only_actors=None,
                  encoding: str | None = None, skip_unreadable: bool = False) -> Iterator[dict]:
    """Items of a corpus (a folder of articles, or a .jsonl/.csv/.parquet table of them, by its path), an article
    at a time: what ``stance prepare`` writes. As its options: ``actors``, a catalogue YAML whose actors are added to
    the bundled catalogue; ``actors_only``, one used instead of it; ``only_actors``, the actors kept ("Russia,China"
    or a list). A file that cannot be read is an ``InputError`` (``skip_unreadable``: skipped with a warning). The
    corpus and the catalogue are checked at the call; the articles are read as the items are taken."""
    import os
    import warnings

    from classifier.actors import API_OPTIONS, choose_catalogue
    from classifier.clean import load_rules
    from classifier.errors import InputError
    from classifier.ingest import stream_corpus

    if not isinstance(corpus, (str, os.PathLike)):
        raise InputError(f"corpus: expected the path of a folder of articles or of a .jsonl/.csv/.parquet table; got "
                         f"{type(corpus).__name__} (write a DataFrame of articles to a file first, e.g. to_parquet)")
    stream = stream_corpus(corpus, manifest, encoding)
    catalogue, rules = choose_catalogue(actors, actors_only, only_actors, options=API_OPTIONS), load_rules()
    reported = 0

    def report() -> None:
        nonlocal reported
        for problem in stream.skipped[reported:]:
            if not skip_unreadable:
                raise InputError(f"{problem.path}: {problem.reason} (skip_unreadable=True skips such files)")
            warnings.warn(f"skipped {problem.path}: {problem.reason}", stacklevel=4)
        reported = len(stream.skipped)

    def articles():
        for article in stream.articles:
            report()
            yield article
        report()

    return (item for items, _ in iter_prepared(articles(), catalogue, rules) for item in items)
