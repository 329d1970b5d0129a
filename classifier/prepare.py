"""Articles → cleaned text → sentences → one item per (sentence, actor mentioned)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from itertools import islice
from typing import Iterable, Iterator

from classifier.actors import (INCOMING_DAYS, NEWS_AGENCIES, Actor, Matcher, NameCounts, Tenures, common_words,
                               id_part, named_as_incoming, named_as_location, names_government, spans_by_actor)
from classifier.clean import Cleaned, Rule, clean_text
from classifier.ingest import Article, thin_page_chars
from classifier.segment import segment, segmenter_language
from classifier.visible import numeral


ITEM_FIELDS = ("id", "text", "actor", "spans", "source", "article", "sentence_index", "kind", "start", "end",
               "actor_kind", "title", "date", "url")


# A wire dateline that opens an article's body: "WASHINGTON —", "MOSCOW (Reuters) -", "KYIV, Ukraine, March 3 (AP) --",
# "NEW YORK (CNN)The", "BRUSSELS/MOSCOW, March 3 (Reuters) -", "Kharkiv, Ukraine (AP) —": a place in capitals, then
# capitalised words or numbers after commas, an agency in brackets, and a dash (or a hyphen or two after a space; the
# agency alone where a capital follows). A place in lower case ("Moscow") is one only with a news agency's name or a
# date before the dash: "Beijing — not Washington — holds the key" and "The United Nations (UN) General Assembly"
# open sentences. The place says where the report was filed, not what it is about. A dateline with an agency, a
# date or a region after a comma, or two places ("KHARKIV, Ukraine (AP) —", "UNITED NATIONS (AP) —") holds nothing
# else: none of its mentions is the sentence's. A bare one ("WASHINGTON —") loses only a capital or seat. An actor's
# acronym (a name the catalogue writes without a lower-case letter: NATO, U.S., EU, PRC) is no place, so "NATO, EU
# — the allies met" and "U.S. — officials said" open no dateline (``Matcher.acronyms``): "NATO, EU —" had read as a place and
# a region, and its mentions as none of the sentence's. TASS writes its agency between slashes after the date, and a stop before and after
# ("MOSCOW, March 3. /TASS/.", "МОСКВА, 3 марта. /ТАСС/."; the date's month may be a lower-case word there), which
# the sentence splitter cuts into sentences of their own: the dateline is looked for in the paragraph, and its pieces
# are then no sentences (``past_cut_dateline``). Capitals are Latin (accented too: "ZÜRICH"), Greek or Cyrillic
# ones; re has no class of all upper-case letters. The day may be followed by a Spanish, Russian, French or
# Ukrainian month in lower case, or a German one after a stop (``MONTHS``: "PARIS, 3 mars (AFP) -", "BERLIN, 3. März
# (Reuters) -"): EFE's "Madrid, 3 mar (EFE).-" (its dash a stop and a hyphen after the agency's bracket) and RIA's
# "МОСКВА, 3 мар — РИА Новости."; Interfax puts a stop after the place and the date and its site's name before the
# dash: "Москва. 3 марта. INTERFAX.RU -", "MOSCOW. March 3 (Interfax) -".
_UPPER = "A-ZÀ-ÖØ-ÞΑ-ΩЀ-Я"
_LOWER = "a-zß-öø-ÿα-ωа-яѐ-џ"
_DASH = r"(?:\s*[—–―‒]\s*|\s+--?\s*)"
_CAPS_PLACE = rf"[{_UPPER}][{_UPPER}'’.\-]{{2,}}(?: [{_UPPER}][{_UPPER}'’.\-]+)*"
_PLACE = rf"(?:{_CAPS_PLACE}|[{_UPPER}][{_LOWER}'’.\-]+(?: [{_UPPER}][{_LOWER}'’.\-]+){{0,2}})"
# "(Reuters)", "(Reuters/Ukrinform)", not "(the alliance)"; after a place in lower case, one of NEWS_AGENCIES
_AGENCY = rf"\((?:[{_UPPER}][^()\n]{{0,29}}|dpa|afp)\)"
_AGENCY_ACRONYM = re.compile(rf"[{_UPPER}]{{2,6}}(?:-[{_UPPER}][{_LOWER}]+)?")  # "(UNIAN)", "(CGTN)", "/ТАСС/"
# the months a day may precede, as each language writes them after it (German's with a capital, after "3."); English
# ones follow the day ("March 3") and need no list
MONTHS = ("enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre "  # es
          "ene feb mar abr may jun jul ago sept sep set oct nov dic "
          "января февраля марта апреля мая июня июля августа сентября октября ноября декабря "  # ru
          "янв фев мар апр май июн июл авг сент сен окт нояб ноя дек "
          "Januar Jänner Februar März April Mai Juni Juli August September Oktober November Dezember "  # de
          "Jan Feb Mär Apr Jun Jul Aug Sep Sept Okt Nov Dez "
          "janvier février mars avril mai juin juillet août septembre octobre novembre décembre "  # fr
          "janv févr avr juil sept oct nov déc "
          "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня").split()  # uk
_MONTH = rf"(?:{'|'.join(dict.fromkeys(MONTHS))})\.?(?![{_LOWER}])"
_DATE = rf"(?:\d{{1,2}}\.?\s+{_MONTH}|[{_UPPER}][{_LOWER}]{{2,8}}\.?\s+\d{{1,2}})"  # "3 марта", "March 3" after a stop
DATELINE = re.compile(rf"(?P<place>{_PLACE}(?:/{_PLACE})*)"
                      rf"(?P<where>(?:,(?:\s+(?:[{_UPPER}][\w.'’-]*|\d{{1,4}}(?:\.?\s+{_MONTH})?),?)+"
                      rf"|\.\s+{_DATE}\.?)?)"
                      rf"(?:(?P<agency>\s*(?:{_AGENCY}|INTERFAX\.RU))?(?:{_DASH}|(?<=\))\.-\s*)"
                      rf"|\s*(?P<joined>\([{_UPPER}][^()\n]{{0,19}}\))\s*(?=[{_UPPER}])"
                      rf"|(?:(?<=\d)\s+[{_LOWER}]{{3,9}})?\.?\s*(?P<slashed>/[{_UPPER}][^/\n]{{0,29}}/)\.?\s*)")
BYLINE = re.compile(r"(?i:by)\s+[A-Z]")


@dataclass(frozen=True)
class Dateline:
    start: int  # where it starts and ends in the article's cleaned text (it may hold sentences the splitter cut off:
    end: int    # "MOSCOW, March 3." and "/TASS/.")
    whole: bool  # an agency, date, region or second place: none of its mentions is the sentence's


# A dek in a text without markup: the one paragraph between the headline and a dateline, of at most two sentences
# and DEK_WORDS words (the standfirst reader takes boxes of up to 120 words, key points among them; a dek line is
# one or two sentences)
DEK_SENTENCES = 2
DEK_WORDS = 60


def opening_dateline(sentences: list, text: str, standfirst: int | None = None,
                     not_places: frozenset[str] = frozenset()) -> Dateline | None:
    """The dateline that opens the first body paragraph, or the second after a byline ("By Jane Doe"); None when
    neither opens with one. ``text``: the cleaned text the sentences' offsets point into; ``standfirst``: how many
    paragraphs after the headline an HTML page's standfirst holds (``ingest.standfirst_lines``), which the body's
    first paragraph follows; None for a text without markup (a text file, a table's row), where a dek line between
    the headline and the body ("Talks stall" "Diplomats say the gap remains wide." "KYIV, Ukraine (AP) — ...") is
    read as one (``dek_then_dateline``). ``not_places``: the catalogue's ``Matcher.acronyms``, which no dateline
    opens with."""
    found = _dateline_after(sentences, text, standfirst or 0, not_places)
    return found if found or standfirst is not None else dek_then_dateline(sentences, text, not_places)


def dek_then_dateline(sentences: list, text: str, not_places: frozenset[str] = frozenset()) -> Dateline | None:
    """The dateline of a text without markup whose headline a dek follows: the paragraph right after the
    headline, of at most ``DEK_SENTENCES`` sentences and ``DEK_WORDS`` words, no byline, and the paragraph after it
    (or after a byline) opening with a dateline that holds no mention (an agency, a date, a region or two places:
    "KYIV, Ukraine (AP) —"). A bare one ("WASHINGTON — the US agreed.") after a line of the body opens a sentence."""
    if len(sentences) < 2 or sentences[0].kind != "headline" or sentences[1].kind != "body":
        return None
    dek = [s for s in sentences if s.paragraph == sentences[1].paragraph]
    if sentences[1].paragraph != sentences[0].paragraph + 1 or len(dek) > DEK_SENTENCES \
            or sum(len(s.text.split()) for s in dek) > DEK_WORDS or BYLINE.match(dek[0].text):
        return None
    found = _dateline_after(sentences, text, 1, not_places)
    return found if found and found.whole else None


def _dateline_after(sentences: list, text: str, standfirst: int,
                    not_places: frozenset[str] = frozenset()) -> Dateline | None:
    openers, skipped = [], set()
    for sentence in sentences:
        if sentence.paragraph in skipped:
            continue
        if sentence.kind != "headline" and len(skipped) < standfirst:
            skipped.add(sentence.paragraph)
        elif sentence.kind == "body" and (not openers or sentence.paragraph != openers[-1].paragraph):
            openers.append(sentence)
    if len(openers) > 1 and BYLINE.match(openers[0].text):
        openers = openers[1:]
    if not openers:
        return None
    start = openers[0].start
    paragraph_end = text.find("\n\n", start)
    match = DATELINE.match(text, start, len(text) if paragraph_end < 0 else paragraph_end)
    if not match or any(place.casefold() in not_places for place in match["place"].split("/")):
        return None  # no dateline, or an actor's acronym where a place would be: "NATO, EU — the allies met"
    agency = match["agency"] or match["joined"] or match["slashed"]
    if not match["place"].isupper():  # "Moscow": a dateline only with a news agency, or a date
        parts = [part.strip() for part in re.split(r"[/,]", agency.strip().strip("()/"))] if agency else []
        # an agency's acronym only before a dash: "The United Nations (UN) General Assembly" is no dateline
        named = any(part in NEWS_AGENCIES or ((match["agency"] or match["slashed"]) and _AGENCY_ACRONYM.fullmatch(part))
                    for part in parts)
        if not (named or re.search(r"\d", match["where"] or "")):
            return None  # "Russia, China — and India", "Beijing — not Washington —", "The United Nations (UN) General"
    whole = bool(agency or match["where"] or "/" in match["place"])
    return Dateline(start, match.end(), whole)


def outside_dateline(mentions: list, end: int, whole: bool, places: dict[str, set[str]]) -> list:
    """The mentions of a sentence less those the dateline that ends at ``end`` (in the sentence: past its end where the
    dateline holds all of it) holds: all of them where it is ``whole``, else those of an actor's capital or seat."""
    if whole:
        return [m for m in mentions if m.end > end]
    filed = {m.actor for m in mentions if m.end <= end and m.term.casefold() in places.get(m.actor, ())}
    return [m for m in mentions if m.end > end or m.actor not in filed]


# An article that does not read as English: most of its letters in another script (Cyrillic, CJK, Arabic ...), or, in
# Latin script, fewer than ENGLISH_SHARE of its lower-case words among the common English words (``common_words``;
# capitalised words are left out, as names are English or not alike). No language-identification library is among the
# dependencies, and this needs none: of the 25,164 distinct texts of the shared data sets and the seeds, the 4,990 of
# MIN_WORDS lower-case words or more scored 0.78 or more (none was judged not English; docs/reference.md), while
# German, French, Spanish, Italian, Dutch and Portuguese news paragraphs scored 0.33 to 0.57. A shorter text is not
# judged.
MIN_LETTERS = 20
MIN_WORDS = 30
ENGLISH_SHARE = 0.7
_LETTERS = re.compile(r"[^\W\d_]+")
_LATIN = re.compile(r"[A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u1E00-\u1EFF]+")


def not_english(text: str) -> str | None:
    """Why ``text`` does not read as English ("Cyrillic script", "few common English words (38%)"), or None where
    it does or is too short to say."""
    runs = _LETTERS.findall(text)
    letters = sum(map(len, runs))
    if letters < MIN_LETTERS:
        return None
    if 2 * sum(map(len, _LATIN.findall(text))) < letters:
        others = (ch for run in runs for ch in run if not _LATIN.match(ch))  # the first 5,000 of another script,
        scripts = Counter(unicodedata.name(ch, "?").split()[0] for ch in islice(others, 5000))  # wherever they are
        return f"{scripts.most_common(1)[0][0].capitalize().replace('Cjk', 'CJK')} script"
    lower = [word for word in runs if word.islower() and _LATIN.fullmatch(word)]
    if len(lower) < MIN_WORDS:
        return None
    common = common_words()
    if not common:  # no bundled vocabulary to judge by: no verdict, rather than every article "not English"
        return None
    share = sum(word in common for word in lower) / len(lower)
    return f"few common English words ({share:.0%})" if share < ENGLISH_SHARE else None


def declared_not_english(declared: str | None, language: str | None) -> str | None:
    """Why an article whose ``language`` column names ``declared`` (``language``: the code pysbd splits it by, or
    None) is not English ("language de", "language sv (split by English rules)"), or None where it is English or
    undeclared."""
    if not declared or not declared.strip() or language == "en":
        return None
    return f"language {declared.strip()}" + ("" if language else " (split by English rules)")


@dataclass
class NotEnglish:
    """The articles of a run that do not read as English: how many, by kind of reason, and the first few ids."""
    count: int = 0
    kinds: Counter = field(default_factory=Counter)  # "Cyrillic script", "few common English words"
    examples: list[str] = field(default_factory=list)
    own_rules: int = 0  # of them, those a language column declared in a language pysbd splits ("language de")
    left_out: bool = False  # their items were left out (``--english-only``), not written

    def add(self, report: "ArticleReport") -> None:
        if report.not_english:
            self.count += 1
            self.own_rules += report.not_english.startswith("language ") and not report.not_english.endswith(
                "(split by English rules)")
            self.kinds[report.not_english.split(" (")[0]] += 1
            if len(self.examples) < 3:
                self.examples.append(report.article)

    def note(self) -> str | None:
        """The warning, or None where every article read as English."""
        if not self.count:
            return None
        why = ", ".join(f"{kind} {n}" for kind, n in self.kinds.most_common())
        more = ", …" if self.count > len(self.examples) else ""
        if self.own_rules == self.count:
            split = f"by {'their' if self.count != 1 else 'its'} language's sentence rules"
        elif self.own_rules:
            own = "their" if self.own_rules != 1 else "its"
            split = f"by English sentence rules ({self.own_rules} by {own} language's, as the language column names it)"
        else:
            split = "by English sentence rules"
        return (f"{numeral(self.count)} article{'s do' if self.count != 1 else ' does'} not read as English ({why}; "
                f"e.g. {', '.join(self.examples)}{more}): {'they were' if self.count != 1 else 'it was'} split {split} "
                "but matched by the English catalogue, and the bundled models read English only; "
                + (f"{'their' if self.count != 1 else 'its'} items are left out (--english-only; --explain names "
                   "each)" if self.left_out else
                   f"{'their' if self.count != 1 else 'its'} items are written all the same (--explain names each): "
                   "leave them out with prepare --english-only, or score them with a model for their language"))


@dataclass
class ThinPages:
    """The HTML pages of a run that gave fewer characters of article text than ``ingest.thin_page_chars`` (a page of
    navigation or a cookie notice, a page that loads its text by script): how many, and the first one's file."""
    count: int = 0
    first: str | None = None

    def add(self, report: "ArticleReport") -> None:
        if report.thin_page:
            self.count += 1
            self.first = self.first or report.path or report.article

    def note(self) -> str | None:
        """The warning, or None where every page gave article text enough."""
        if not self.count:
            return None
        return (f"{self.count} page{'s' if self.count != 1 else ''} gave fewer than {thin_page_chars()} characters of "
                f"article text (first: {self.first}): the extractor found little but the page's furniture or "
                f"headline there; {'their' if self.count != 1 else 'its'} items are written all the same "
                "(--explain names each): check the page, or leave it out")


@dataclass
class ArticleReport:
    article: str
    sentences: int
    items: int
    dropped: Counter = field(default_factory=Counter)  # rule name -> lines dropped
    dropped_lines: list[tuple[str, str]] = field(default_factory=list)
    words: int = 0                      # words of the article's text (an HTML page's: what the extractor kept)
    page_words: int | None = None       # an HTML page's visible words, the extractor's choice aside
    not_english: str | None = None      # why the article does not read as English (``not_english``), or None
    path: str | None = None             # the article's file, where it came from one
    thin_page: bool = False             # an HTML page that gave fewer characters of text than ``thin_page_chars``
    undated_page: bool = False          # an HTML page that neither its markup nor the manifest gave a date
    undated: bool = False               # another article without a date the report reads (none, or unreadable)
    out_of_office: list[tuple[str, str]] = field(default_factory=list)  # (mention as written, why) of those dropped
    kept_undated: int = 0               # mentions of people with terms of office kept, the article's day unknown


@dataclass
class CutArticle:
    """An article cleaned and cut into sentences, with its opening dateline: what both the items and the names
    ``stance actors suggest`` counts are read from."""
    cleaned: Cleaned
    language: str | None  # pysbd's code for the article's declared language, None where English rules split it
    sentences: list
    dateline: Dateline | None


def cut_article(article: Article, rules: list[Rule], not_places: frozenset[str] = frozenset()) -> CutArticle:
    """``not_places``: the catalogue's ``Matcher.acronyms``, which open no dateline."""
    cleaned = clean_text(article.text, rules)
    language = segmenter_language(article.language)
    sentences = segment(cleaned.paragraphs, title=article.title, language=language or "en")
    dateline = opening_dateline(sentences, cleaned.text, article.standfirst, not_places)
    return CutArticle(cleaned, language, past_cut_dateline(sentences, dateline, cleaned.text), dateline)


def past_cut_dateline(sentences: list, dateline: Dateline | None, text: str) -> list:
    """The sentences with a dateline that the splitter cut into pieces ("MOSCOW, March 3." "/TASS/." "Russia's
    foreign ministry said ...", "Moscú, 3 mar (EFE)." "- Rusia ...") read as one: its pieces are no sentences, and
    the sentence that runs past its end starts where it ends (after its spaces), its offsets into ``text`` as
    every sentence's are; the sentences are numbered again. A dateline the splitter left whole ("MOSCOW (Reuters)
    - Oil rose.") stays in its sentence, where ``outside_dateline`` reads past it."""
    if dateline is None:
        return sentences
    end = dateline.start + len(text[dateline.start:dateline.end].rstrip())  # its last sign: a stop, a dash
    inside = [s for s in sentences if dateline.start <= s.start < end]
    pieces = [s for s in inside if s.end <= end]
    paragraph = [s for s in sentences if s.paragraph == inside[0].paragraph]
    if not pieces or pieces == paragraph == inside[:1]:
        return sentences  # not cut: "MOSCOW (Reuters) - Oil rose.", or a paragraph "WASHINGTON —" alone
    kept = []
    for sentence in sentences:
        if sentence in pieces:
            continue
        if sentence in inside:  # the first sentence, less the dateline
            sentence = sentence.model_copy(update={"start": dateline.end, "text": text[dateline.end:sentence.end]})
        kept.append(sentence.model_copy(update={"index": len(kept)}))
    return kept


def _owned(owners: dict[str, str], words: str, actor: str) -> bool | None:
    """``actors.named_as_location``'s ``foreign``: whether ``words`` (a demonym or name of ``owners``, any case)
    are another actor's than ``actor``; None where they are no actor's."""
    owner = owners.get(words.casefold())
    return None if owner is None else owner != actor


def article_items(article: Article, matcher: Matcher, rules: list[Rule],
                  kinds: dict[str, str], tenures: Tenures | None = None) -> tuple[list[dict], ArticleReport]:
    """An article's items and report. A mention of a person out of office on the article's day (``tenures``,
    default: of ``matcher``'s actors) is dropped, and the report says why; an undated article keeps them all, and
    every article keeps one that names the person's government ("a Trump presidency": ``actors.names_government``),
    and one titled as about to take an office they take within ``actors.INCOMING_DAYS`` of the article's day
    ("President-elect Trump" in 2016-11: ``actors.named_as_incoming``). A capital or seat after a preposition of
    place is no mention ("meet in Brussels": ``actors.named_as_location``)."""
    from classifier.dates import days_of  # here, not at the top: it imports pandas (a third of a second)

    cut = cut_article(article, rules, matcher.acronyms)
    cleaned, language, sentences, dateline = cut.cleaned, cut.language, cut.sentences, cut.dateline
    local = matcher.for_article(cleaned.text)
    places = matcher.places_of
    # "Chinese officials in Washington": China's words, Washington a place (actors.named_as_location's ``foreign``)
    owners = matcher.owners
    tenures = Tenures(matcher.actors) if tenures is None else tenures
    days = days_of(article.date) if article.date else None  # a date to the month or year alone: its first and last
    found = []
    for sentence in sentences:
        mentions = [m for m in local.find(sentence.text)  # "meet in Brussels": a place, not the EU
                    if not (m.term.casefold() in places.get(m.actor, ()) and
                            named_as_location(sentence.text, m.start, m.end,
                                              lambda words, actor=m.actor: _owned(owners, words, actor)))]
        if dateline and dateline.start <= sentence.start < dateline.end:
            mentions = outside_dateline(mentions, dateline.end - sentence.start, dateline.whole, places)
        found.append(mentions)
    items, dropped, kept_undated = [], [], 0
    named = tenures.named(m for mentions in found for m in mentions) if tenures else frozenset()
    for sentence, mentions in zip(sentences, found):
        if tenures:
            kept = []
            for mention in mentions:
                # "a Trump presidency": the actor on any day
                if names_government(sentence.text, mention.end, tenures.places):
                    kept.append(mention)
                elif (persons := tenures.out_of_office(mention, days, named)) and not (
                        named_as_incoming(sentence.text, mention.start)  # "President-elect Trump" in 2016-11
                        and all(p.takes_office_soon(days[1], INCOMING_DAYS) for p in persons)):
                    when = f"on {days[0]}" if days[0] == days[1] else f"from {days[0]} to {days[1]}"
                    dropped.append((sentence.text[mention.start:mention.end],
                                    f"{' or '.join(p.shown() for p in persons)}, not {when}: {sentence.text}"))
                else:
                    kept_undated += tenures.in_doubt(mention, days, named)
                    kept.append(mention)
            mentions = kept
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
                           Counter(name for name, _ in cleaned.dropped), cleaned.dropped,
                           len(article.text.split()), article.page_words,
                           declared_not_english(article.language, language) or not_english(cleaned.text),
                           article.path, article.page_words is not None
                           and len(" ".join(article.text.split())) < thin_page_chars(),
                           article.page_words is not None and not article.date)
    report.undated = not report.undated_page and days is None
    report.out_of_office, report.kept_undated = dropped, kept_undated
    return items, report


def count_names(counts: NameCounts, article: Article, matcher: Matcher, rules: list[Rule]) -> None:
    """Add to ``counts`` the names no actor covers in an article's sentences, cut as ``article_items`` cuts them, less
    the opening dateline ("MOSCOW, March 3 (Reuters) -"): its place and agency are no actors to add, and the word
    after it starts the sentence ("Diplomats met ...")."""
    cut = cut_article(article, rules, matcher.acronyms)
    dateline = cut.dateline
    texts = [s.text[dateline.end - s.start:] if dateline and dateline.start <= s.start < dateline.end else s.text
             for s in cut.sentences]
    counts.add_article(texts, matcher.for_article(cut.cleaned.text))


def iter_prepared(articles: Iterable[Article], actors: list[Actor], rules: list[Rule], workers: int = 1
                  ) -> Iterator[tuple[list[dict], ArticleReport]]:
    """Each article's items and report, an article at a time, in article then sentence order. ``workers`` above 1
    (``prepare_workers``: 0 for every core) prepares them in that many processes (``_prepared_in_workers``), the same
    results in the same order; whatever counts across articles is left to the caller, which takes them here."""
    processes = prepare_workers(workers)
    if processes > 1:
        yield from _prepared_in_workers(articles, actors, rules, processes)
        return
    context = article_context(actors)
    for article in articles:
        yield article_items(article, rules=rules, **context)


def article_context(actors: list[Actor]) -> dict:
    """What ``article_items`` takes beside an article and the rules, built once a run (or once a worker): the
    catalogue's matcher, the actors' kinds and their terms of office."""
    return {"matcher": Matcher(actors), "kinds": {a.name: a.kind for a in actors}, "tenures": Tenures(actors)}


def prepare_workers(workers: int) -> int:
    """The processes ``--workers`` asks for: ``workers``, or with 0 every core this process may use, within its
    container's CPU quota (``cpus.usable_cpus``)."""
    from classifier.cpus import usable_cpus

    return workers or usable_cpus()


# Articles sent to a worker at a time, and chunks out per worker: 32 news articles are about a tenth of a second of
# work (3 ms an article in docs/reference.md's 2,000), so passing them costs little beside it; the articles read ahead
# stay at most WORKER_CHUNK * IN_FLIGHT per worker, so memory does not grow with the corpus.
WORKER_CHUNK = 32
IN_FLIGHT = 2
_worker: dict = {}  # in a worker process: what ``article_items`` takes beside the article, built once


def refuse_in_a_workers_import(workers: int) -> None:
    """Stop a worker process that is running the caller's script as it starts: the spawn start method (Python's only
    one on macOS and Windows, and the one ``_prepared_in_workers`` uses) imports the parent's main module in each
    worker, so a script that calls ``prepare_items(workers=N)`` outside ``if __name__ == "__main__":`` calls it again
    there. Python would refuse the workers' own pool with a long traceback in each; the worker leaves here at once,
    in one line, before reading the corpus, and its parent names the guard (``_prepared_in_workers``)."""
    import multiprocessing.process

    # what multiprocessing's own check reads (spawn._check_not_importing_main): set while a spawned process
    # prepares itself, its parent's main module imported; there is no public API for it
    if getattr(multiprocessing.process.current_process(), "_inheriting", False):
        raise SystemExit(f"prepare_items(workers={workers}) was called again by a worker process as it imported the "
                         'script: call it under if __name__ == "__main__":')


def refuse_a_main_without_its_file(workers: int) -> None:
    """Refuse, before a worker starts, a script whose file the spawned workers cannot import: one read from standard
    input (``python - <<EOF``: its ``__file__`` is "<stdin>"), each of whose workers would end in a traceback of
    FileNotFoundError; ``if __name__ == "__main__":`` would not help it. A notebook's or ``python -c``'s main module,
    which has no ``__file__``, is not imported by the workers: they start."""
    import os
    import sys

    from classifier.errors import InputError

    path = getattr(sys.modules.get("__main__"), "__file__", None)
    if path is not None and not os.path.isfile(path):
        raise InputError(f"prepare_items(workers={workers}): each worker process imports the main script from its "
                         f"file, and this one has none ({path}, as a script read from standard input); run it from a "
                         ".py file, or pass workers=1")


def _start_worker(actors: list[Actor], rules: list[Rule], started=None) -> None:
    """A worker's initializer: the catalogue's matcher built once; Ctrl-C (sent to the whole process group) left to
    the parent, which stops the pool; and the worker ends as soon as the parent does (``kill -9``), which the
    standard library's pools do not see while a worker waits for work."""
    import multiprocessing
    import os
    import signal
    import threading
    from multiprocessing.connection import wait

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=lambda: (wait([parent.sentinel]), os._exit(1)), daemon=True).start()
    _worker.update(article_context(actors), rules=rules)
    if started is not None:
        started.set()


def _prepare_chunk(articles: list[Article]) -> list[tuple[list[dict], ArticleReport]]:
    return [article_items(article, **_worker) for article in articles]


def _prepared_in_workers(articles: Iterable[Article], actors: list[Actor], rules: list[Rule], workers: int
                         ) -> Iterator[tuple[list[dict], ArticleReport]]:
    """``iter_prepared`` in ``workers`` processes: chunks of ``WORKER_CHUNK`` articles, read here, prepared there,
    their results taken in the articles' order. Not ``Pool.imap``, whose thread reads the whole input ahead (memory
    without bound, and the reading's errors and progress in another thread): at most ``IN_FLIGHT`` chunks a worker
    are out at a time. Processes are spawned (not forked beside the progress bar's thread), with SIGINT ignored
    from their start; an error, Ctrl-C or the caller's stopping early cancels the chunks not begun and waits for
    those begun (a chunk's time) so that no worker outlives the run. A worker that dies (killed for lack of memory)
    is an error naming the first and last article of those out; workers that all end before they are ready (a
    script without ``if __name__ == "__main__":``, see ``refuse_in_a_workers_import``) are one saying so."""
    import multiprocessing
    import signal
    import threading
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from classifier.errors import _CLI_FLAGS, InputError

    refuse_in_a_workers_import(workers)
    refuse_a_main_without_its_file(workers)
    context = multiprocessing.get_context("spawn")
    started = context.Event()  # set by the first worker ready to prepare: a pool broken before is no lack of memory
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                               initargs=(actors, rules, started))
    pending: deque = deque()  # (chunk, its future), in the articles' order
    stream = iter(articles)

    def submit() -> bool:
        chunk = list(islice(stream, WORKER_CHUNK))
        if chunk:
            pending.append((chunk, pool.submit(_prepare_chunk, chunk)))
        return bool(chunk)

    try:
        # a spawned worker inherits an ignored SIGINT (and Python then installs no KeyboardInterrupt of its own), so
        # it ignores Ctrl-C from its start: one pressed while it imports would print its traceback. The pool spawns a
        # worker at each of the first chunks.
        main = threading.current_thread() is threading.main_thread()
        handler = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
        try:
            for _ in range(workers):
                if not submit():
                    break
        finally:
            if main and handler is not None:  # None: a handler not set from Python, which cannot be set back
                signal.signal(signal.SIGINT, handler)
        while pending:
            while len(pending) < workers * IN_FLIGHT and submit():
                pass
            chunk, future = pending.popleft()
            try:
                results = future.result()
            except BrokenProcessPool:
                if not started.is_set():
                    script = "" if _CLI_FLAGS.get() else (
                        '; a script that calls prepare_items with workers must call it under if __name__ == '
                        '"__main__": (each worker process imports the script), or pass workers=1')
                    raise InputError(f"the prepare worker processes ended as they started, before preparing any "
                                     f"article (their error is above){script}") from None
                last = pending[-1][0][-1] if pending else chunk[-1]
                raise InputError(f"a prepare worker process died (killed for lack of memory?) while articles "
                                 f"{chunk[0].id} to {last.id} were prepared; run again with fewer workers "
                                 "(prepare's --workers, classify's --prepare-workers)") from None
            yield from results
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def prepare_items(corpus, *, manifest=None, actors=None, actors_only=None, only_actors=None,
                  encoding: str | None = None, skip_unreadable: bool = False,
                  max_article_chars: int | None = None, date_order: str | None = None,
                  columns: dict[str, str] | str | None = None, workers: int = 1,
                  english_only: bool = False) -> Iterator[dict]:
    """Items of a corpus (a folder of articles, or a .jsonl/.csv/.parquet table of them, by its path; or a table of
    articles in memory: a pandas DataFrame, a ``datasets.Dataset`` or a list of dicts, read row by row as that table
    saved to a file is, errors naming "row 3 (index 'b')" where a file's name file:line), an article at a time: what
    ``stance prepare`` writes. As its options: ``actors``, a catalogue YAML whose actors are added to the bundled
    catalogue; ``actors_only``, one used instead of it (either may be a list of its actors as dicts, ``[{"name":
    "Gazprom", "kind": "company", "names": ["Gazprom"]}]``, or ``classifier.actors.Actor``s, checked as the YAML's
    entries are, a problem named by its entry: ``actors[0]: names: ...``); ``only_actors``, the actors kept
    ("Russia,China" or a list). A file that cannot be read is an ``InputError`` (``skip_unreadable``: skipped with a
    warning); an article longer than ``max_article_chars`` characters (default ``ingest.MAX_ARTICLE_CHARS``) is skipped
    with a warning. ``date_order`` ("DMY", "MDY" or "YMD"; default None: not read, warned of) reads a manifest's or
    table's date written in numbers alone with its year last ("03.04.2022", "3/4/2022 14:05") day or month first; one
    with its four-digit year first ("2022/4/3 14:05") is read year, month, day whatever the order. ``columns`` names a
    table's columns for the article's fields, field to column, as ``read_items(columns=)`` does: ``{"text": "maintext",
    "date": "date_publish"}`` or "text=maintext,date=date_publish" (``--columns``). ``workers`` (``--workers``; default
    1, 0: one per core) cleans, splits and matches the articles in that many processes, the same items, warnings and
    order as one. The processes are spawned, and each imports the caller's main module: a script must then call this
    under ``if __name__ == "__main__":`` (without it each worker ends at once in one line and the call is an
    ``InputError`` saying so; no process starts more). ``english_only`` (``--english-only``) leaves out the items of
    an article that does not read as English (``not_english``, or a ``language`` column's other language), which are
    otherwise given and warned of. The corpus and the catalogue are checked at the call; the articles are read as
    the items are taken."""
    import os

    from classifier.actors import choose_catalogue
    from classifier.clean import load_rules
    from classifier.errors import InputError, check_at_least, check_paths, warn_caller
    from classifier.ingest import ALWAYS_SKIPPED, MAX_ARTICLE_CHARS, SkipNames, stream_corpus
    from classifier.io.files import memory_table

    if not isinstance(corpus, (str, os.PathLike)) and memory_table(corpus) is None:
        # a generator (or other iterable) of article dicts: told to pass it as a list, which is read
        hint = " (pass list(corpus))" if hasattr(corpus, "__iter__") and not isinstance(corpus, (bytes, dict)) else ""
        raise InputError(f"corpus: expected the path of a folder of articles or of a .jsonl/.csv/.parquet table, or "
                         f"a DataFrame, Dataset or list of dicts of articles; got {type(corpus).__name__}{hint}")
    check_paths("a manifest (CSV)", manifest=manifest)
    check_at_least(workers=(workers, 0))
    if prepare_workers(workers) > 1:
        refuse_in_a_workers_import(workers)  # at the call: before the script's worker reads anything
    stream = stream_corpus(corpus, manifest, encoding,
                           max_chars=MAX_ARTICLE_CHARS if max_article_chars is None else max_article_chars,
                           date_order=date_order, columns=columns)
    catalogue, rules = choose_catalogue(actors, actors_only, only_actors), load_rules()
    reported, names = 0, SkipNames()

    def report() -> None:
        nonlocal reported
        for problem in stream.skipped[reported:]:
            if not skip_unreadable and problem.kind not in ALWAYS_SKIPPED:
                raise InputError(problem.refusal("skip_unreadable=True"))
            if names.named(problem):
                warn_caller(problem.warning())
        reported = len(stream.skipped)

    def articles():
        for article in stream.articles:
            report()
            yield article
        report()
        for rest in names.rest():
            warn_caller(rest)

    def items():
        foreign, thin = NotEnglish(left_out=english_only), ThinPages()
        for article_items_, article_report in iter_prepared(articles(), catalogue, rules, workers):
            foreign.add(article_report)
            thin.add(article_report)
            if not (english_only and article_report.not_english):
                yield from article_items_
        for note in (foreign.note(), thin.note()):
            if note:
                warn_caller(note)

    return items()
