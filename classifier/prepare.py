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
# "NEW YORK (CNN)The". The place in it says where the report was filed, not what it is about: its mentions are not
# the sentence's. A dash, or a hyphen (or two) after a space, ends it; an agency's name in brackets may end it alone
# where a capital follows.
_DASH = r"(?:\s*[—–―‒]\s*|\s+--?\s*)"
DATELINE = re.compile(r"[A-Z][A-Z'’.\-]{2,}(?: [A-Z][A-Z'’.\-]+)*(?:,[^—–―\n()]{1,40}?)?"
                      rf"(?:(?:\s*\([^()\n]{{1,40}}\))?{_DASH}|\s*\([A-Z][^()\n]{{0,19}}\)\s*(?=[A-Z]))")


def opening_dateline(sentences: list) -> tuple[int, int] | None:
    """(sentence index, where its dateline ends) for the dateline that opens the first or, after a byline, the
    second body paragraph; None when neither opens with one."""
    openers = []
    for sentence in sentences:
        if sentence.kind == "body" and (not openers or sentence.paragraph != openers[-1].paragraph):
            openers.append(sentence)
    for sentence in openers[:2]:
        match = DATELINE.match(sentence.text)
        if match:
            return sentence.index, match.end()
    return None


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
    items = []
    for sentence in sentences:
        mentions = local.find(sentence.text)
        if dateline and sentence.index == dateline[0]:
            mentions = [m for m in mentions if m.start >= dateline[1]]
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

    from classifier.actors import choose_catalogue
    from classifier.clean import load_rules
    from classifier.errors import InputError
    from classifier.ingest import stream_corpus

    if not isinstance(corpus, (str, os.PathLike)):
        raise InputError(f"corpus: expected the path of a folder of articles or of a .jsonl/.csv/.parquet table; got "
                         f"{type(corpus).__name__} (write a DataFrame of articles to a file first, e.g. to_parquet)")
    stream = stream_corpus(corpus, manifest, encoding)
    catalogue, rules = choose_catalogue(actors, actors_only, only_actors), load_rules()
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
