"""The actor catalogue (classifier/resources/actors.yaml) and the matcher that finds every mention of every actor."""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections import Counter
from functools import cached_property, lru_cache
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator, model_validator

from classifier.errors import InputError, check_paths, option, warn_caller
from classifier.io.files import check_not_packed, read_once
from classifier.items import Item
from classifier.resources import resource_path
from classifier.visible import numeral

DEFAULT_CATALOGUE = resource_path("actors.yaml")
TERM_FIELDS = ("names", "demonyms", "places", "people")
_ACRONYM = re.compile(r"^[A-Z0-9.\-]{2,6}$")
_WORD = r"[\w]"
_FIRST_WORD = re.compile(r"\w+")
_TITLES = {"President", "Prime", "Minister", "Foreign", "Chancellor", "Secretary", "General", "King", "Queen",
           "Premier", "Chairman", "Mr", "Mrs", "Ms", "Dr", "Sir"}  # letters and digits; a hyphen or apostrophe ends a word


class Actor(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt field ("nmaes") is an error, not an actor without terms

    name: str
    # not given: "person" where the name is one of its people, else "actor" (unstated_kind); it was "country", so
    # "- name: Donald Trump" was listed, and its items' actor_kind written, as a country
    kind: str | None = None
    names: list[str] = []
    demonyms: list[str] = []
    places: list[str] = []
    people: list[str] = []
    prefixes: list[str] = []
    excludes: list[str] = []     # longer phrases that contain a term but are not this actor
    case_sensitive: bool = False
    surname_first: bool = False  # Chinese names: "Wang Yi" is later "Wang"
    # a person of ``people`` -> the days they spoke for the actor ("2017-01-20..2021-01-20", "2025-01-20.."); their
    # other forms follow (``person_forms``), and ``prepare`` drops them in an article dated outside every range
    in_office: dict[str, list[str]] = {}

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("an actor needs a name")
        return value

    @field_validator("prefixes", mode="before")
    @classmethod
    def _prefix_without_its_hyphen(cls, values):  # "Anglo-" as written in text is the prefix "Anglo"
        return [v.strip().rstrip("-\u2010\u2011").strip() if isinstance(v, str) else v for v in values] \
            if isinstance(values, list) else values

    @field_validator(*TERM_FIELDS, "prefixes", "excludes")
    @classmethod
    def _terms_not_blank(cls, values: list[str]) -> list[str]:
        if any(not term.strip() for term in values):
            raise ValueError("an empty term would match everywhere")
        return values

    @field_validator("in_office", mode="before")
    @classmethod
    def _ranges_of_listed_people(cls, value, info: ValidationInfo):
        if not isinstance(value, dict):
            raise ValueError("expected each person, as written in people, with the days they held office, e.g. "
                             "'Donald Trump: [2017-01-20..2021-01-20, 2025-01-20..]'")
        people = info.data.get("people")
        persons = person_names(people, info.data.get("surname_first", False)) if people is not None else None
        seen: dict[tuple[str, ...], str] = {}
        checked = {}
        for person, ranges in value.items():
            if not isinstance(person, str):
                raise _At(f"expected a person's name, got {shown_value(person)}", (person,))
            words = name_words(person)
            if persons is not None and words not in persons:
                whole = [p for w, p in persons.items() if is_part_of(words, w, info.data.get("surname_first"))]
                raise _At(f"{person!r} is a form of {' and '.join(whole)}: give the full name its ranges (its other "
                          "forms follow it)" if whole else f"{person!r} is not among this actor's people", (person,))
            if words in seen:
                raise _At(f"{seen[words]!r} and {person!r} are one person: give their ranges once", (person,))
            seen[words] = person
            listed = ranges if isinstance(ranges, list) else [ranges]
            if not listed:
                raise _At(f"{person}: an empty list of ranges (a person without ranges always counts: leave them "
                          "out of in_office)", (person,))
            for index, written in enumerate(listed):
                try:
                    office_range(written)
                except ValueError as exc:
                    raise _At(f"{person}: {exc}", (person, index) if isinstance(ranges, list) else (person,)) from None
            checked[persons[words] if persons is not None else person] = listed  # as written in people
        return checked

    @model_validator(mode="after")
    def _kind_when_not_given(self):
        if self.kind is None:
            self.__dict__["kind"] = unstated_kind(self.name, self.people)  # still unset: take_terms may infer again
        return self

    def terms(self) -> list[str]:
        return [self.name] + [t for f in TERM_FIELDS for t in getattr(self, f)]


def unstated_kind(name: str, people: list[str]) -> str:
    """The kind of an entry that gives none: "person" where its name is one of its ``people`` (the same
    ``name_words``; "- name: Donald Trump", which takes him from the bundled United States), else "actor"."""
    return "person" if name_words(name) in {name_words(person) for person in people} else "actor"


class _At(ValueError):
    """A field's error with the place inside the field it is about (``loc``: a person, a range's index), for
    ``load_catalogue`` to name that line rather than the field's first."""

    def __init__(self, message: str, loc: tuple):
        super().__init__(message)
        self.loc = loc


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def office_range(written) -> tuple[datetime.date | None, datetime.date | None]:
    """A range of ``in_office`` ("2017-01-20..2021-01-20", "2025-01-20..", "..2023-07-25") as its first and last
    day, both held (an open end: None); ValueError saying what is wrong with it."""
    if not isinstance(written, str) or ".." not in written:
        raise ValueError(f"expected START..END with days as YYYY-MM-DD (either may be left out: 2025-01-20..), got "
                         f"{shown_value(written if isinstance(written, str) else str(written))}")
    days = []
    for part in (p.strip() for p in written.split("..", 1)):
        try:
            days.append(datetime.date.fromisoformat(part) if part else None)
            if part and not _DAY.fullmatch(part):
                raise ValueError
        except ValueError:
            raise ValueError(f"{part!r} in {written!r} is no day written YYYY-MM-DD") from None
    start, end = days
    if start is None and end is None:
        raise ValueError(f"{written!r} has neither start nor end (a person without ranges always counts)")
    if start and end and end < start:
        raise ValueError(f"{written!r} ends before it starts")
    return start, end


def name_words(name: str) -> tuple[str, ...]:
    """A name as the words that tell a person, folded: titles left out, case, accents, apostrophes and dots aside,
    a hyphen parting words ("Kim Jong-un" and "Kim Jong Un", "Recep Tayyip Erdoğan" and "Erdogan" as written
    otherwise, "Gideon Sa'ar" and "Gideon Saar", "al-Assad": al assad)."""
    words = (w for w in re.split(r"[\s\-\u2010\u2011\u2013]+", without_accents(name)) if w.rstrip(".") not in _TITLES)
    return tuple(folded for w in words if (folded := re.sub(r"\W", "", w).casefold()))


def is_part_of(words: tuple[str, ...], name: tuple[str, ...], surname_first: bool = False) -> bool:
    """Whether ``words`` are the last words of the longer ``name`` ("Putin" of Vladimir Putin, "von der Leyen",
    "Assad" of Bashar al-Assad), or its first where names put the family name first ("Xi" of Xi Jinping)."""
    n = len(words)
    return 0 < n < len(name) and (name[:n] if surname_first else name[-n:]) == words


def person_names(people: list[str], surname_first: bool = False) -> dict[tuple[str, ...], str]:
    """The persons of an actor's ``people`` (``name_words`` -> the name as first written): each entry that is not
    another's last words (first, ``surname_first``), spellings that differ in case, accents and signs alone as
    one; "Putin", "von der Leyen" and "Xi" are forms of Vladimir Putin, Ursula von der Leyen and Xi Jinping."""
    entries: dict[tuple[str, ...], str] = {}
    for person in people:
        if words := name_words(person):
            entries.setdefault(words, person)
    return {words: person for words, person in entries.items()
            if not any(is_part_of(words, other, surname_first) for other in entries)}


@dataclass(frozen=True)
class Tenure:
    """A person of the catalogue with the days they spoke for their actor (``Actor.in_office``; none: always)."""
    actor: str
    person: str
    ranges: tuple[tuple[datetime.date | None, datetime.date | None], ...] = ()

    def holds(self, day: datetime.date, last: datetime.date | None = None) -> bool:
        """Whether the person held office on ``day`` (on some day from ``day`` to ``last``: a date written to the
        month or year alone)."""
        last = day if last is None else last
        return not self.ranges or any((start is None or start <= last) and (end is None or day <= end)
                                      for start, end in self.ranges)

    def held_throughout(self, first: datetime.date, last: datetime.date) -> bool:
        """Whether the person held office on every day from ``first`` to ``last`` (one range holds them all)."""
        return not self.ranges or any((start is None or start <= first) and (end is None or last <= end)
                                      for start, end in self.ranges)

    def takes_office_soon(self, last: datetime.date, within: int) -> bool:
        """Whether one of the person's ranges starts after ``last`` (an article's last possible day) by at most
        ``within`` days: they are about to take office ("President-elect Trump" in 2016-11)."""
        return any(start is not None and last < start <= last + datetime.timedelta(days=within)
                   for start, _ in self.ranges)

    def shown(self) -> str:
        """"Olaf Scholz (Germany: 2021-12-08..2025-05-06)"."""
        days = ", ".join(f"{start or ''}..{end or ''}" for start, end in self.ranges)
        return f"{self.person} ({self.actor}: {days})"


# A person's name directly before a word for the government they lead names that government, which is the actor,
# whatever the article's date, as "the Trump administration" is read on any day: "a Trump presidency" (2016),
# "President-elect Donald Trump’s incoming administration", "the Johnson government", "the Merkel cabinet", "the Obama
# White House", "Sunak's premiership"; "administration" and "presidency" were BASIL's dropped mentions (the audit in
# docs/reference.md), the other words are the same thing said of a prime minister's or chancellor's government. A
# ticket of two names before the word names it for both ("the Biden-Harris administration", "Biden–Harris": Harris
# was kept by the word after her, and Biden, out of office, had been dropped). "White House" before a word of a
# campaign ("Rubio's White House bid", "the Trump White House's race", "run", "hopes") is the candidate's, and "era"
# (the Trump era) a time, not a government: neither is read so, nor a ticket whose other name is a country's, a
# bloc's or a place's ("the Putin-Russia government" is Russia's, not a ticket's: ``place_terms``). A pattern by
# hand: the phrase after a name is what tells it, and no library we ship parses noun phrases (a parser would be a
# new dependency for a few words).
_CAMPAIGN = r"bids?|run|race|campaigns?|hopes?|hopefuls?|ambitions?|aspirations?|dreams?|quest|candidacy"
_GOVERNMENT = (r"administration|presidency|premiership|chancellorship|government|cabinet"
               rf"|White\s+House(?!(?:['’]s)?\s+(?:{_CAMPAIGN})\b)")
GOVERNMENT_AFTER = re.compile(r"(?:[-\u2010\u2011\u2013](?P<ticket>(?-i:[A-Z])[\w’'.]*))?"  # "-Harris": a ticket
                              rf"(?:['’]s)?\s+(?:incoming\s+)?(?:{_GOVERNMENT})\b", re.IGNORECASE)


def place_terms(actors: Iterable[Actor]) -> frozenset[str]:
    """The catalogue's terms that name no person (actors' names, ``names``, ``demonyms``, ``places``), casefolded:
    the words a ticket's second name is not (``names_government``)."""
    return frozenset(term.casefold() for actor in actors
                     for term in (actor.name, *actor.names, *actor.demonyms, *actor.places))


def names_government(text: str, end: int, places: frozenset[str] = frozenset()) -> bool:
    """Whether the words of ``text`` right after a person's mention, which ends at ``end``, make it the name of their
    government ("’s incoming administration", " presidency would", " government", "-Harris administration"): such a
    mention is kept on any day. ``places``: ``place_terms`` of the catalogue, which a ticket's second name must not
    be ("-Russia government")."""
    match = GOVERNMENT_AFTER.match(text, end)
    if match is None or not (ticket := match["ticket"]):
        return match is not None
    name = re.sub(r"['’]s$", "", ticket)
    return name.casefold() not in places and ticket.casefold() not in places


# A person out of office on an article's day whose name comes right after the title of an office they are about to
# take ("President-elect Donald Trump", "Prime Minister-designate Netanyahu", "incoming President Trump") speaks for
# the government they are to lead, as news frames the country through them between election and inauguration: kept
# where the article's day is at most INCOMING_DAYS before one of their ranges starts. 140 days is the longest wait
# from election to office among the bundled ranges, rounded up (the US's early November to 20 January is 73-78 days;
# Germany 2025 and South Korea 2022 about 70 and 60; a UK or French handover days; Taiwan 2016, 16 January to 20 May,
# 125; von der Leyen, voted in on 2019-07-16, took office on 2019-12-01, 138); a nomination made longer ahead (Kallas,
# 2024-06-27, 157 days) loses its first weeks. A title next to the name is the test, so "Trump, the president-elect,"
# is not read so, and a retrospective "President-elect Trump" dated within the window (an article of 2024-10 recalling
# 2016) is kept unless written "then-President-elect" (or "then-U.S. President-elect": one capitalised word between;
# or "former President-elect").
# By hand, as the government words above: the title right before a name is all it reads.
INCOMING_DAYS = 140
_OFFICE = (r"(?:vice[-\s]+)?president|prime\s+minister|premier|chancellor|minister|high\s+representative"
           r"|secretary(?:[-\s]+general|\s+of\s+(?:state|defen[cs]e|the\s+treasury))?")
# "then-President-elect", "then-U.S. President-elect", "former President-elect": looking back
INCOMING_BEFORE = re.compile(rf"(?P<then>\b(?:then|former)[-\u2010\u2011\u2013\s]+(?:(?-i:[A-Z])[\w.]*\s+)?)?"
                             rf"(?:\b(?:{_OFFICE})(?:[-\u2010\u2011\u2013]|\s+)(?:elect|designate)"
                             rf"|\bincoming\s+(?:[\w.]+\s+)?(?:{_OFFICE}))\s+\Z", re.IGNORECASE)


def named_as_incoming(text: str, start: int) -> bool:
    """Whether the words of ``text`` right before a person's mention, which starts at ``start``, are the title of an
    office they are about to take ("President-elect ", "Prime Minister-designate ", "incoming U.S. President "), not
    written as looking back ("then-President-elect ")."""
    found = INCOMING_BEFORE.search(text[max(0, start - 80):start])
    return found is not None and found["then"] is None


# A capital or seat (an actor's ``places``) right after a preposition of place, "the" between or not, is where
# something happens, not the actor it stands for elsewhere ("NATO defence ministers will meet in Brussels", "speaking
# at the White House", "landed in Moscow", "a plant near Moscow"; "Brussels wants", "Moscow's view", "in Moscow's
# eyes" stay the actor's). "to" and "from" are not among the prepositions: over the shared data sets half of them
# name the actor ("ties to the Kremlin", "records from the State Department"; docs/reference.md). Nor is a place
# that opens a hyphenated compound, whose noun the preposition governs, read so: "in Moscow-backed regions", "in
# Kremlin-controlled media", "a thaw in Washington-Beijing ties" name the actors (and were read as places in
# 2026-12-07 (7)), but a compound that says where ("at the Washington-based institute", "-born", "-bound") is a place.
# Since 2026-12-07 (8), two more readings (tests/test_places.py holds the sentences they were measured on):
# - each place of a list after such a preposition is one ("in Moscow and Beijing", "in Paris, Berlin and Rome"),
#   though not a name that opens a clause of its own ("In Paris, Berlin pushed ...", "the war in Ukraine and Moscow
#   has ...": a verb right after it).
# - people in or at a capital who speak, believe or decide stand for its government (rule 2: a speaker is the actor):
#   "Officials at the White House said", "Many in Washington believe", "his allies in Moscow" name the actor, as
#   "The White House said" does, unless the people are marked as others' ("Western diplomats in Beijing", "U.S.
#   officials in Kyiv": a foreign or visiting word, or an acronym, before them). Residents, reporters and diplomats
#   are not among them: where they are is a place.
# Where someone goes is not read as a place ("a visit to Moscow", "flew to Beijing for talks", "returned from
# Moscow empty-handed"): a trip to a capital is mostly diplomacy with its government, which GUIDELINES.md labels
# `neutral` when plain, an item, not none; the seeds' one such sentence ("during his visit to Moscow, ... their
# partnership") was labelled favor by both readings.
_NAME = r"(?-i:[A-Z])[\w.]*(?:\s+(?-i:[A-Z])[\w.]*){0,2}"  # a place of a list: "Paris", "New Delhi"
LOCATIVE_BEFORE = re.compile(
    r"\b(?P<prep>in|at|into|near|outside)\s+(?:the\s+)?"
    rf"(?P<list>(?:{_NAME}\s*,\s*(?:the\s+)?)*(?P<last>{_NAME}\s*,?\s+(?:and|or)\s+(?:the\s+)?)?)\Z", re.IGNORECASE)
_THE_ACTOR_AFTER = re.compile(r"['’]s\b|[-‐‑](?!(?:based|born|bound|area|headquartered)\b)\w", re.IGNORECASE)
# what follows a place within a list ("Paris, [Berlin] and Rome"), and a verb that opens a clause after a name
_LIST_GOES_ON = re.compile(rf"\s*,\s*(?:(?:and|or)\s+)?(?:the\s+)?{_NAME}|\s+(?:and|or)\s+(?:the\s+)?{_NAME}")
_VERB_AFTER = re.compile(r"\s+(?:has|have|had|is|was|are|were|will|would|can|could|should|must|may|might|did|does"
                         r"|said|says|wants?|warned|pushed|urged)\b", re.IGNORECASE)
# people who speak for the place they are in or at, and a word before them that makes them others'
_PHRASE_WORD = r"[\w.]+(?:[-‐‑'’][\w.]+)*"  # "U.S.", "pro-Kremlin", "party's"
_SPEAKING = (r"officials|leaders|lawmakers|legislators|politicians|policy-?makers|decision-?makers|aides|advis[eo]rs"
             r"|allies|counterparts|hawks|doves|insiders|strategists|planners")
_SOME = r"many|some|few|most|those|others|everyone|everybody|anyone|nobody|no\s+one"
# (after a sentence's start, a quote, words before them, or a clause's punctuation, "Meanwhile, officials in
# Washington"; "many", "most" ... after a comma, semicolon, bracket or dash only past a sentence's adverb, "Meanwhile,
# many in Washington": "Police detained 1,200 protesters, most in Moscow" and "Residents, many in Kyiv," say where)
_SPEAKERS = re.compile(rf"(?:(?:^|[\"“]\s*|(?<![\w.'’‐‑-])(?:meanwhile|however|still|yet|now|indeed|instead|but|and"
                       rf"|so|today),\s*|(?<![\w.'’‐‑-])(?P<before>{_PHRASE_WORD}(?:\s+{_PHRASE_WORD}){{0,4}})\s+)"
                       rf"(?:{_SPEAKING}|{_SOME})|[,;:(—–]\s*(?:{_SPEAKING}))\s+\Z", re.IGNORECASE)
_OTHERS = re.compile(r"foreign|visiting|overseas|international|western|(?-i:[A-Z][\w.]*[.A-Z])", re.IGNORECASE)
# words of the noun phrase between an owner and the speakers ("Chinese government officials", "South Korean defence
# ministry officials", "U.S. senior officials"); "foreign" only before another ("foreign ministry"), as "foreign
# officials" are others'
_ROLES = re.compile(r"government|military|army|navy|defen[cs]e|security|intelligence|foreign|ministry|department"
                    r"|office|affairs|policy|trade|state|embassy|administration|party|senior|top", re.IGNORECASE)


_RELATIONS = re.compile(r"(?:allies|counterparts)\s+\Z", re.IGNORECASE)  # "Ukraine's allies in Washington": US


def _marked_as_others(before: str, foreign: Callable[[str], bool | None], related: bool = False) -> bool:
    """Whether the words ``before`` the speakers (``_SPEAKERS``, up to five) make them others': past the words of
    ``_ROLES`` at their end, the longest of their last three, two or one words that ``foreign`` knows (True:
    another actor's, False: the place's own: "South Korean" before "Korean"; "China's" is China), else an
    ``_OTHERS`` word. A possessive before speakers ``related`` to it (``_RELATIONS``: "Ukraine's allies in
    Washington", "Israel's counterparts in Washington") names the other side of the tie, not theirs."""
    words = [word if related else word.removesuffix("'s").removesuffix("’s")  # "China's officials": China
             for word in before.split()]
    end = len(words)
    while end and _ROLES.fullmatch(words[end - 1]) and (end < len(words) or words[end - 1].lower() != "foreign"):
        end -= 1
    for size in (3, 2, 1):
        if size <= end:
            owned = foreign(" ".join(words[end - size:end]))
            if owned is not None:
                return owned
    return end > 0 and _OTHERS.fullmatch(words[end - 1]) is not None


def named_as_location(text: str, start: int, end: int,
                      foreign: Callable[[str], bool | None] = lambda words: None) -> bool:
    """Whether the place mentioned at ``text[start:end]`` is read as a location (``LOCATIVE_BEFORE``): a preposition
    of place right before it, or before the list it ends or goes on ("in Moscow and Beijing";
    not a name a verb follows, which opens a clause), and no possessive ("in Moscow's eyes" is Russia's) nor a
    compound of the actor ("in Moscow-backed regions") after it; nor people who speak for it before "in" or "at"
    ("officials in Washington", "many in Washington": ``_SPEAKERS``), unless a word before them makes them others'
    (``_marked_as_others``: ``foreign`` says True of a demonym or name of another of the catalogue's actors among
    the words before them, "Chinese government officials in Washington", whose words are China's, False of the
    place's own, "Ukrainian officials in Kyiv" speak for Kyiv, None of others; else an ``_OTHERS`` word)."""
    before = LOCATIVE_BEFORE.search(text, max(0, start - 120), start)
    if before is None or _THE_ACTOR_AFTER.match(text, end) is not None:
        return False
    if before["list"] and _VERB_AFTER.match(text, end) is not None:  # "In Paris, Berlin pushed": a clause
        return False
    if before["list"] and not before["last"] and _LIST_GOES_ON.match(text, end) is None:
        return False  # "In Paris, Berlin ..." with no list after it: not a list
    if before["prep"].lower() in ("in", "at"):
        speakers = _SPEAKERS.search(text, max(0, before.start() - 60), before.start())
        if speakers is not None and not (speakers["before"] and _marked_as_others(
                speakers["before"], foreign, _RELATIONS.search(speakers[0]) is not None)):
            return False
    return True


class Tenures:
    """The catalogue's terms of office: which mentions name a person out of office on a day. A mention's term that
    is one of an actor's ``people`` or a surname the article derives (``Matcher.for_article``) names the persons it
    is a form of (``person_forms``), narrowed to those the article names in full where it names any ("Kim" beside
    "Kim Jong Un" alone is he, beside both him and "Kim Yo Jong" either): it is out of office on a day when each of
    them has ranges and none holds the day (one without ranges always counts). An actor's names, places and
    demonyms are never dropped so. Per term and per day, worked out once."""

    def __init__(self, actors: list[Actor]):
        self._actors = {a.name: a for a in actors if a.in_office}
        self.places = place_terms(actors)  # what a ticket's second name is not (``names_government``)
        self._persons: dict[str, dict[tuple[str, ...], Tenure]] = {}
        for actor in self._actors.values():
            ranges = {name_words(p): tuple(map(office_range, days)) for p, days in actor.in_office.items()}
            self._persons[actor.name] = {words: Tenure(actor.name, person, ranges.get(words, ()))
                                         for words, person in person_names(actor.people, actor.surname_first).items()}
        self._forms: dict[tuple[str, str], tuple[tuple[Tenure, ...], Tenure | None]] = {}
        self._out = lru_cache(maxsize=4096)(self._out_on)

    def __bool__(self) -> bool:
        return bool(self._actors)

    def _lookup(self, actor: str, term: str) -> tuple[tuple[Tenure, ...], Tenure | None]:
        """The persons ``term`` is a form of, and the one it is the full name of (or None)."""
        key = (actor, term)
        if key not in self._forms:
            found, whole = (), None
            owner = self._actors.get(actor)
            if owner is not None and (term in owner.people or term not in owner.terms()):
                words = name_words(term)
                found = tuple(t for w, t in self._persons[actor].items()
                              if w == words or is_part_of(words, w, owner.surname_first))
                whole = self._persons[actor].get(words)
            self._forms[key] = found, whole
        return self._forms[key]

    def named(self, mentions: Iterable["Mention"]) -> frozenset[Tenure]:
        """The persons an article's mentions name in full (their full name, or it spelt otherwise)."""
        return frozenset(whole for m in mentions if (whole := self._lookup(m.actor, m.term)[1]) is not None)

    def person_forms(self, actor: str, term: str, named: frozenset[Tenure] = frozenset()) -> tuple[Tenure, ...]:
        """The persons ``term`` names (those of ``named`` where it names any of them) when every one of them has
        ranges; else none (the term always counts)."""
        persons = self._lookup(actor, term)[0]
        persons = tuple(p for p in persons if p in named) or persons
        return persons if all(p.ranges for p in persons) else ()

    def _out_on(self, days: tuple[datetime.date, datetime.date]) -> frozenset[Tenure]:
        return frozenset(t for persons in self._persons.values() for t in persons.values() if not t.holds(*days))

    def out_of_office(self, mention: "Mention", days: tuple[datetime.date, datetime.date] | None,
                      named: frozenset[Tenure] = frozenset()) -> tuple[Tenure, ...]:
        """The persons ``mention`` names (``person_forms``), where all of them are out of office on every one of
        ``days`` (the first and last day the article's date can be: ``dates.days_of``); else none (None, an undated
        article: none; "2025-01", where Trump took office on the 20th: none)."""
        persons = self.person_forms(mention.actor, mention.term, named) if days is not None and self else ()
        return persons if persons and self._out(days).issuperset(persons) else ()

    def in_doubt(self, mention: "Mention", days: tuple[datetime.date, datetime.date] | None,
                 named: frozenset[Tenure] = frozenset()) -> bool:
        """Whether ``mention`` names persons with terms of office and is kept though their office on the article's
        day is not known: an undated article, or one dated to a month or year in which one of them held office on
        some days only (kept: ``out_of_office`` drops only those out of office throughout)."""
        persons = self.person_forms(mention.actor, mention.term, named) if self else ()
        if not persons or days is None:
            return bool(persons)
        return not self.out_of_office(mention, days, named) and not all(p.held_throughout(*days) for p in persons)



Catalogue = str | Path | list  # a catalogue YAML's path, or its actors as a list of dicts in its schema or Actors


def choose_catalogue(extend: Catalogue | None = None, replace: Catalogue | None = None,
                     only: str | Iterable[str] | None = None, *, options: tuple[str, str, str] | None = None
                     ) -> list[Actor]:
    """The catalogue a run uses: the bundled one, with ``extend``'s actors added (an actor of the same name
    replaced), or ``replace``'s alone; then, with ``only`` ("Russia,China"), just those actors. ``extend`` and
    ``replace``: a catalogue YAML, or (from Python) a list of its actors as dicts or ``Actor``s
    (``read_catalogue``). Errors name the three as the caller passed them (``actors``, ``actors_only``,
    ``only_actors``; the CLI's ``--actors`` ...:
    ``classifier.errors.option``) unless ``options`` names them."""
    options = options or (option("actors"), option("actors_only"), option("only_actors"))
    check_catalogues(**{options[0]: extend, options[1]: replace})
    if given(extend) and given(replace):
        raise InputError(f"{options[0]} adds to the bundled catalogue and {options[1]} replaces it: pass one of them")
    actors = read_catalogue(replace, options[1])[0] if given(replace) else load_catalogue()
    if given(extend):
        added, at = read_catalogue(extend, options[0])
        names = {a.name.strip().casefold() for a in added}  # as names are matched: "russia" replaces Russia
        warn_of_dropped_terms(actors, added, at.name)
        actors, added = take_terms([a for a in actors if a.name.strip().casefold() not in names], added, at)
        actors = actors + added
        check_terms(actors, f"{at.name} with the bundled catalogue")
    if only is not None:
        wanted = actor_names(only, options[2])
        by_name = {a.name.casefold(): a for a in actors}
        unknown = [n for n in wanted if n.casefold() not in by_name]
        if unknown:
            raise InputError(f"{options[2]}: {', '.join(unknown)} not in the catalogue "
                             f"(it has {', '.join(a.name for a in actors)}){term_hints(actors, unknown, options)}")
        kept = list({by_name[n.casefold()].name: by_name[n.casefold()] for n in wanted}.values())
        dropped = [a for a in actors if a.name not in {k.name for k in kept}]
        actors = [shadowed(actor, dropped) for actor in kept]
    return actors


def given(catalogue: Catalogue | None) -> bool:
    """Whether a catalogue is given: a path that is not empty, or a list (an empty one too: no actors)."""
    return isinstance(catalogue, (list, tuple)) or bool(catalogue)


def check_catalogues(**catalogues) -> None:
    """``name=value``: each None, a catalogue YAML's path or a list of actors (``read_catalogue``); anything else (a
    number, a DataFrame) is an InputError naming the argument (``errors.check_paths``)."""
    check_paths("an actor catalogue (YAML), or a list of its actors as dicts",
                **{name: value for name, value in catalogues.items() if not isinstance(value, (list, tuple))})


@dataclass(frozen=True)
class CatalogueAt:
    """Where a catalogue's actors are written, for its messages to name: a YAML file (``name``: its path; ``text``:
    its text, whose lines name an actor's fields, ``a.yaml:7``) or a list of dicts given in Python (``name``: the
    argument; an actor by its place in the list, ``actors[0]``)."""
    name: str
    text: str | None = None

    def at(self, number: int, loc: tuple = ()) -> str:
        """Where actor ``number`` (from 1) writes its field ``loc`` (as pydantic names it: ("names", 2))."""
        return f"{self.name}[{number - 1}]" if self.text is None else f"{self.name}:{_line_of(self.text, number, loc)}"

    def actor(self, number: int, loc: tuple = ()) -> str:
        """``at`` with the actor's number, where the place (a line) does not say it: "a.yaml:7: actor 2"."""
        return self.at(number, loc) + (f": actor {number}" if self.text is not None else "")

    def entry(self, number: int) -> str:
        """Actor ``number`` as a message names another: "actor 2", "actors[1]"."""
        return f"actor {number}" if self.text is not None else self.at(number)


def read_catalogue(catalogue: Catalogue, name: str) -> tuple[list[Actor], CatalogueAt]:
    """The actors of ``catalogue`` (the argument ``name``) and where they are written: a YAML file's, read once (a
    pipe, ``--actors <(cat a.yaml)``, has its bytes once), or a list's (``catalogue_entries``)."""
    if isinstance(catalogue, (list, tuple)):
        return catalogue_entries(catalogue, name), CatalogueAt(name)
    text = catalogue_text(catalogue)
    return load_catalogue(catalogue, text), CatalogueAt(str(catalogue), text)


def term_hints(actors: list[Actor], unknown: Iterable[str],
               options: tuple[str, str, str] = ("--actors", "--actors-only", "--only-actors")) -> str:
    """``term_hint`` of each name of ``unknown`` (wanted as actors' names, not found) that is a term of an actor of
    ``actors``, for the end of the error that refuses them; "" where none is."""
    return "".join(term_hint(n, actor, options) for n in unknown if (actor := term_holder(actors, n)))


def term_holder(actors: list[Actor], written: str) -> Actor | None:
    """The actor that lists ``written`` among its terms ("Putin": Russia), matched as terms are, case and spacing
    aside; None when none does. For an error that meets an actor's term where an actor's name was wanted."""
    return next((a for a in actors if term_key(written) in {term_key(t) for t in a.terms()}), None)


def term_key(term: str) -> str:
    """A term as ``term_holder`` and ``term_hint`` compare it: case and runs of spacing aside."""
    return " ".join(term.split()).casefold()


def term_hint(written: str, actor: Actor, options: tuple[str, str, str]) -> str:
    """The words for ``written`` given as an actor's name (``options[2]``, --only-actors), where it is a term of
    ``actor``: one of its own names or demonyms ("EU", "Russians") stands for the actor, whose name is wanted; a
    place or a person ("Kremlin", "Putin") can be an actor of its own, an ``options[0]`` (--actors) entry."""
    own = next((what for field, what in (("names", "a name"), ("demonyms", "a demonym"))
                if term_key(written) in {term_key(t) for t in getattr(actor, field)}), None)
    if own:
        return f"; {written} is {own} of {actor.name}: {options[2]} takes the actor's name, '{actor.name}'"
    return (f"; {written} is a term of {actor.name}: an actor of its own is an {options[0]} entry "
            f"'- name: {whole_person(actor, written)}'")


def whole_person(actor: Actor, written: str) -> str:
    """The person of ``actor`` whose form ``written`` is ("Putin": Vladimir Putin), or ``written`` itself."""
    words = name_words(written)
    persons = person_names(actor.people, actor.surname_first)
    whole = [p for w, p in persons.items() if w == words or is_part_of(words, w, actor.surname_first)]
    return whole[0] if len(whole) == 1 else written


def warn_of_dropped_terms(bundled: list[Actor], added: list[Actor], where) -> None:
    """Warn where an actor of ``added`` replaces a bundled one of the same name without all of its terms: a user
    who writes "- name: Russia / names: [Russia, RF]" to add an alias loses Moscow, the Kremlin and Putin."""

    by_name = {a.name.strip().casefold(): a for a in bundled}
    for actor in added:
        old = by_name.get(actor.name.strip().casefold())
        if old is None:
            continue
        kept = {" ".join(t.split()).casefold() for t in actor.terms()}
        telling = [*old.places, *old.people, *old.demonyms, *old.terms()]  # "Moscow, Kremlin, Putin" first
        lost = [t for t in dict.fromkeys(telling) if " ".join(t.split()).casefold() not in kept]
        if lost:
            shown = ", ".join(lost[:5]) + (", …" if len(lost) > 5 else "")
            warn_caller(f"{where}: {actor.name} replaces the bundled actor of that name, whose {numeral(len(lost))} "
                        f"other term{'s' if len(lost) != 1 else ''} ({shown}) no longer count; to add names to it, "
                        "copy its whole entry from the bundled catalogue (stance actors list) into your file")


def _folded(term: str) -> str:
    """A term as terms are compared across actors (``check_terms``): spaces squeezed, case folded."""
    return " ".join(term.split()).casefold()


def _term_loc(actor: Actor, term: str) -> tuple:
    """The field where ``actor`` writes ``term`` (folded: ``_folded``), as pydantic names it (("names", 2)), else
    () (the actor itself); a term that is also its name, in its field ("people: [Donald Trump]")."""
    for name in TERM_FIELDS:
        for index, written in enumerate(getattr(actor, name)):
            if _folded(written) == term:
                return name, index
    return ("name",) if _folded(actor.name) == term else ()


def take_terms(bundled: list[Actor], added: list[Actor], at: CatalogueAt) -> tuple[list[Actor], list[Actor]]:
    """The bundled actors less what the actors of the user's file or list (``added``, written ``at``) take, and those
    actors: a term one of them holds (name, alias, demonym, place or person, as ``check_terms`` compares them) leaves
    the bundled actor that held it; a person of the bundled actor whose full name one of them holds (the same
    ``name_words``: "Recep Tayyip Erdoğan" is Erdogan) leaves it whole, with their forms (``person_names``: "Trump",
    "Kim Jong-un"; a form another of its people shares, "Kim", stays), which join the taker's ``people`` where the
    file does not hold them, and with their ``in_office`` days, which the taker does not get: its person counts on
    every day unless it gives its own (the bundled days say when they spoke for the bundled actor). Each taken term is
    warned of on one line naming the file's line (the list's entry). A bundled actor's own name cannot be taken (it
    is always its term): that is an error naming the line."""
    holder: dict[str, tuple[int, Actor]] = {}
    people_of: dict[tuple[str, ...], tuple[int, Actor, str]] = {}  # a full name's words -> who holds it, as written
    for number, actor in enumerate(added, start=1):
        for term in actor.terms():
            holder.setdefault(_folded(term), (number, actor))
            people_of.setdefault(name_words(term), (number, actor, term))
    gained: dict[str, list[str]] = {}  # a taker's name -> the forms of its taken persons it gains
    persons_taken: dict[str, set[tuple[str, ...]]] = {}  # a taker's name -> the full names of the persons it takes
    kept, notes = [], []
    for old in bundled:
        if (hit := holder.get(_folded(old.name))) is not None:
            number, actor = hit
            raise InputError(f"{at.at(number, _term_loc(actor, _folded(old.name)))}: {actor.name}: "
                             f"{old.name!r} is the bundled actor {old.name}'s own name, which it keeps (an entry "
                             f"named {old.name} replaces that actor)")
        persons = person_names(old.people, old.surname_first)
        taken = {words: people_of[words] for words in persons if words in people_of}
        for words, (_, actor, _) in taken.items():
            persons_taken.setdefault(actor.name, set()).add(words)
        forms: dict[str, tuple[tuple[str, ...], tuple[int, Actor, str]]] = {}  # a form -> its taken person
        for entry in old.people:
            words = name_words(entry)
            whole = [w for w in persons if w == words or is_part_of(words, w, old.surname_first)]
            if whole and all(w in taken for w in whole):
                forms[entry] = (whole[0], taken[whole[0]])
        lost = []
        for name in TERM_FIELDS:
            for term in getattr(old, name):
                if (hit := holder.get(_folded(term))) is not None:
                    number, actor = hit
                    where = at.at(number, _term_loc(actor, _folded(term)))
                    note = ""
                elif name == "people" and term in forms:
                    person, (number, actor, written) = forms[term]
                    where = at.at(number, _term_loc(actor, _folded(written)))
                    note = f" (a form of {persons[person]}, which {actor.name} now has under people)"
                    gained.setdefault(actor.name, []).append(term)
                else:
                    continue
                if name == "people" and name_words(term) in taken:
                    days = [ranges for person, ranges in old.in_office.items()
                            if name_words(person) == name_words(term)]
                    if days:
                        note += (f" (the days in office {old.name} gives them, {', '.join(days[0])}, are not "
                                 f"carried over: {actor.name} counts them on any date unless your entry gives "
                                 "in_office)")
                lost.append((name, term))
                notes.append(f"{term}: taken from {old.name} by {where}{note}")
        if lost:
            update = {name: [t for t in getattr(old, name) if (name, t) not in lost] for name in TERM_FIELDS}
            update["in_office"] = {p: r for p, r in old.in_office.items() if name_words(p) not in taken}
            old = old.model_copy(update=update)
        kept.append(old)
    for note in notes:
        warn_caller(note)
    added = [a.model_copy(update={"people": [*a.people, *dict.fromkeys(gained[a.name])]}) if a.name in gained else a
             for a in added]
    # an entry without kind named as the bundled person it takes ("- name: Donald Trump") is that person
    added = [a.model_copy(update={"kind": "person"}) if "kind" not in a.model_fields_set
             and name_words(a.name) in persons_taken.get(a.name, ()) else a for a in added]
    return kept, added


# the particles a family name starts with ("Ursula von der Leyen", "Charles de Gaulle", "Herman Van Rompuy",
# "Marine Le Pen", "Bashar al Assad"), in any case; never a name's first word ("Al Gore", "Van Morrison")
_PARTICLES = frozenset("""von van der den de du des del della di da dos das le la al el bin ibn ter ten zu""".split())


def surname_of(person: str, surname_first: bool = False) -> str | None:
    """The family name of a full name ("Boris Johnson" -> "Johnson"; "Wang Yi" -> "Wang" where names put it
    first), titles left out, with the particles before it ("Ursula von der Leyen" -> "von der Leyen", not "Leyen":
    "von der Leyen said" was found as "Leyen"); None for a one-word name."""
    parts = [p for p in person.split() if p.rstrip(".") not in _TITLES]
    if len(parts) < 2:
        return None
    if surname_first:
        return parts[0]
    start = len(parts) - 1
    while start > 1 and parts[start - 1].casefold() in _PARTICLES:
        start -= 1
    return " ".join(parts[start:])


def shadowed(actor: Actor, others: list[Actor]) -> Actor:
    """``actor`` with the longer terms and excludes of ``others`` that hold one of its terms, or one of its people's
    surnames, added to its excludes: narrowed to some actors (--only-actors), a catalogue finds the same mentions as
    whole ("People's Republic of China" stays China's, not Taiwan's "Republic of China"; "North Korea" is not South
    Korea's "Korea"; "Chinese-Americans" is no one's; "Johnson" in "Lyndon Johnson" is not Boris Johnson's)."""
    own = [" ".join(t.split()).casefold() for t in actor.terms()]
    surnames = [s.casefold() for s in (surname_of(p, actor.surname_first) for p in actor.people) if s]
    inside = [re.compile(rf"(?<!\w){re.escape(term)}(?!\w)") for term in [*own, *surnames]]
    longer = [t for other in others for t in [*other.terms(), *other.excludes]
              if " ".join(t.split()).casefold() not in own
              and any(pattern.search(" ".join(t.split()).casefold()) for pattern in inside)]
    extra = [t for t in dict.fromkeys(longer) if t not in actor.excludes]
    return actor.model_copy(update={"excludes": [*actor.excludes, *extra]}) if extra else actor


def actor_names(only: str | Iterable[str], name: str | None = None) -> list[str]:
    """The names in ``--only-actors`` ("Russia, China" or a list), blanks dropped; none at all, or something else
    than names, is an error naming ``name`` (default: ``only_actors`` as ``classifier.errors.option`` gives it)."""
    if not isinstance(only, str):
        names = list(only) if isinstance(only, Iterable) else [only]
        if not all(isinstance(n, str) for n in names):
            raise InputError(f"{name or option('only_actors')}: expected names, as 'Russia,China' or a list of "
                             f"them; got {only!r}")
        only = names  # a generator is read once
    wanted = [n.strip() for n in (only.split(",") if isinstance(only, str) else only) if n.strip()]
    if not wanted:
        example = option("only_actors", "Russia,China") if name is None else \
            f"{name} Russia,China" if name.startswith("--") else f"{name}='Russia,China'"
        raise InputError(f"{name or option('only_actors')}: no actor names given (e.g. {example})")
    return wanted


@dataclass
class Mention:
    actor: str
    start: int
    end: int
    term: str


class _StrictLoader(yaml.SafeLoader):
    """YAML's safe loader that refuses a key written twice in one mapping (the plain loader keeps the last one,
    so "names: [Xa]" above "names: [Xb]" would vanish)."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key, _ in node.value:  # the keys written here ("<<: *common" may bring one they override)
                if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                    if key.value in seen:
                        raise yaml.constructor.ConstructorError(None, None, f"the key {key.value!r} is written twice "
                                                                "here", key.start_mark)
                    seen.add(key.value)
        return super().construct_mapping(node, deep)


def catalogue_text(path: str | Path) -> str:
    """The text of a catalogue YAML, read once (a pipe, ``--actors <(cat a.yaml)``, is read as a file; a device is
    refused: ``io.files.read_once``), compressed bytes refused by those bytes (a pipe of gzip's had been "not UTF-8
    text"); a problem is one line naming the file (and line)."""
    path = Path(path)
    data = read_once(path, "the actor catalogue")
    check_not_packed(path, "the actor catalogue", data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{path}:{line}: the actor catalogue is not UTF-8 text; save it as UTF-8") from None


def load_catalogue(path: str | Path | None = None, text: str | None = None) -> list[Actor]:
    """The actors of a catalogue YAML (default: the bundled one), from ``text`` where the caller read it
    (``catalogue_text``), else read here; a problem is one line naming the file and line."""
    path = Path(path) if path else DEFAULT_CATALOGUE
    text = catalogue_text(path) if text is None else text
    try:
        spec = yaml.load(text, Loader=_StrictLoader)  # noqa: S506  (a safe loader)
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", -1) + 1
        problem = getattr(exc, "problem", None)
        raise InputError(f"{path}:{line}: malformed YAML in the actor catalogue"
                         + (f" ({problem})" if problem else "")) from None
    if not isinstance(spec, dict) or not isinstance(spec.get("actors"), list):
        raise InputError(f"{path}: expected a top-level 'actors:' list")
    if stray := stray_top_level_key(text):
        key, line = stray
        raise InputError(f"{path}:{line}: {key!r} at the top level, beside 'actors:', is read by nothing (an actor's "
                         "field indented too little?); only a block for merging ('common: &c') may stand there")
    return checked_actors(spec["actors"], CatalogueAt(str(path), text))


def catalogue_entries(entries: list | tuple, name: str = "actors") -> list[Actor]:
    """The actors of a catalogue given in Python as a list of dicts, each an entry of a catalogue YAML's
    ``actors:`` list (``{"name": "Gazprom", "kind": "company", "names": ["Gazprom"]}``) or an ``Actor``, checked as
    the YAML's are;
    a problem is one line naming the entry as ``name`` (the argument) and its place (``actors[0]: names.0: ...``)."""
    return checked_actors(list(entries), CatalogueAt(name))


def checked_actors(entries: list, at: CatalogueAt) -> list[Actor]:
    """A catalogue's entries as actors, each validated (``Actor``), no name twice and no term of two actors
    (``check_terms``), a problem named ``at`` its line or entry."""
    actors = []
    for number, raw in enumerate(entries, start=1):
        if isinstance(raw, Actor):  # one made in Python: its fields checked again, as a dict's (changed since, say)
            raw = raw.model_dump(exclude={"kind"} if "kind" not in raw.model_fields_set else set())
        if not isinstance(raw, dict):
            raise InputError(f"{at.actor(number)}: expected fields (name:, names:, …), got {type(raw).__name__} "
                             f"{shown_value(raw)}")
        try:
            actors.append(Actor.model_validate(raw))
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = (*first["loc"], *getattr(first.get("ctx", {}).get("error"), "loc", ()))
            raise InputError(f"{at.actor(number, loc)}: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    first_of: dict[str, int] = {}
    for number, actor in enumerate(actors, start=1):
        earlier = first_of.setdefault(actor.name.strip().casefold(), number)
        if earlier != number:
            raise InputError(f"{at.at(number, ('name',))}: actor {actor.name!r} listed twice (also "
                             f"{at.entry(earlier)}; names are matched ignoring case)")
    check_terms(actors, at.name, place_of=lambda number, term: at.at(number, _term_loc(actors[number - 1], term)))
    warn_of_common_words(actors, at)
    return actors


def matches_lower_case(term: str, actor: Actor) -> bool:
    """Whether ``actor``'s ``term`` matches a word of a text written in lower case: any term matched in any case,
    and one written in lower case however it is matched (``_is_exact_case``; a person's as written or in capitals)."""
    exact = "name" if term in actor.people else _is_exact_case(term, actor)
    return not exact or (exact is not True and term == term.lower())


def common_word_term(term: str, actor: Actor) -> bool:
    """Whether ``term`` would make the English word it spells a mention of ``actor`` (``matches_lower_case``): a
    function word however written ("us", "Us", "the", "May": ``_STOP``, ``_TITLE_LOWER``), or one word written in
    lower case that is an English word ("turkey", "chad": ``common_words``). That list holds names too, so a
    capitalised "Iran" or "Jordan" is not judged, nor a name the bundled catalogue matches in any case written in
    lower case ("iran", "moscow": ``any_case_names``), nor a phrase of several words ("united states", "white
    house"): a catalogue written in lower case had a warning for nearly every term."""
    if not matches_lower_case(term, actor):
        return False
    folded = " ".join(term.split()).casefold()
    if folded in _FUNCTION_WORDS:
        return True
    return term == term.lower() and folded in common_words() and folded not in any_case_names()


@lru_cache(maxsize=1)
def any_case_names() -> frozenset[str]:
    """The bundled catalogue's names, demonyms and places that it matches in any case (of an actor not
    ``case_sensitive``, no acronym), folded: "iran", "moscow", "chinese"; read from its YAML unchecked, as checking
    it warns of common words in turn."""
    spec = yaml.load(catalogue_text(DEFAULT_CATALOGUE), Loader=_StrictLoader)  # noqa: S506  (a safe loader)
    return frozenset(" ".join(term.split()).casefold() for entry in spec["actors"]
                     if not entry.get("case_sensitive") for kind in ("names", "demonyms", "places")
                     for term in entry.get(kind) or [] if not _ACRONYM.match(term))


def warn_of_common_words(actors: list[Actor], at: CatalogueAt) -> None:
    """A warning naming the line of each term that is an English word matched in lower case (``common_word_term``):
    "names: [us]" made every "tell us" a mention of the United States without a word."""
    for number, actor in enumerate(actors, start=1):
        for term in dict.fromkeys(actor.terms()):
            if common_word_term(term, actor):
                word = " ".join(term.split()).lower()
                warn_caller(f"{at.at(number, _term_loc(actor, _folded(term)))}: {actor.name}'s term {term!r} is "
                            f"matched in lower case, so every '{word}' of a text is a mention of {actor.name}; "
                            "an acronym in capitals ('US') is matched as written, and a capitalised term of an actor "
                            "with case_sensitive: true as written or in capitals")


def stray_top_level_key(text: str) -> tuple[str, int] | None:
    """The first top-level key other than ``actors`` that is no anchored block for merging ("common: &c"), and its
    line: one nothing reads, such as an actor's ``people:`` indented too little, which was dropped without a word.
    Read from YAML's events because the loaded mapping no longer says which values carried an anchor."""
    depth, key = 0, None
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if depth == 1 and key is None and isinstance(event, yaml.ScalarEvent):
            key = event
            continue
        if depth == 1 and key is not None:  # the key's value begins
            if key.value not in ("actors", "<<") and getattr(event, "anchor", None) is None:
                return key.value, key.start_mark.line + 1
            key = None
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return None


def shown_value(value, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _line_of(text: str, number: int, loc: tuple) -> int:
    """The line of the catalogue where actor ``number``'s field ``loc`` (as pydantic names it: ("names", 2)) is
    written, else where the actor or the catalogue begins."""
    node = yaml.compose(text)
    actors = next((value for key, value in node.value if key.value == "actors"), None)
    node = actors.value[number - 1]
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((value if isinstance(part, str) and value is not None else key
                         for key, value in node.value if key.value == part), node)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
    return node.start_mark.line + 1


def id_part(name: str) -> str:
    """The actor's part of an item id: lower-case ASCII words joined by '-'; a name with other letters
    ("Россия", "中国", "Côte d'Ivoire") or none also gets a short hash of itself, so two such names never share
    an id."""
    import hashlib

    plain = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not plain or any(ch.isalnum() and not ch.isascii() for ch in name):
        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
        return f"{plain}-{digest}" if plain else digest
    return plain


def check_terms(actors: list[Actor], where: str,
                place_of: Callable[[int, str], str] | None = None) -> None:
    """Refuse a term (name, alias, place, person) that two actors share: the matcher would give every mention
    of it to one of them, silently (``place_of``: actor number and folded term -> where the second actor writes the
    term, named in the error). Refuse two names that make one item id ("AC/DC", "AC-DC"): the two actors'
    items of a sentence would share it."""
    parts: dict[str, str] = {}
    for actor in actors:
        part = id_part(actor.name)
        if parts.setdefault(part, actor.name) != actor.name:
            raise InputError(f"{where}: actors {parts[part]!r} and {actor.name!r} would give their items one id "
                             f"(…:{part}); rename one")
    owner: dict[str, str] = {}
    for number, actor in enumerate(actors, start=1):
        for term in dict.fromkeys(map(_folded, actor.terms())):
            if owner.setdefault(term, actor.name) != actor.name:
                place = place_of(number, term) if place_of else where
                raise InputError(f"{place}: the term {term!r} belongs to both {owner[term]} and {actor.name}; "
                                 "keep it under one actor")


def _is_exact_case(term: str, actor: Actor) -> bool | str:
    """True for an acronym (as written); "capitals" for a case-sensitive actor's other terms (as written or in
    capitals: "TURKEY" in a headline, never "turkey"); False for any case."""
    return True if _ACRONYM.match(term) else "capitals" if actor.case_sensitive else False


_APOSTROPHE = re.compile("['’]")
# after an excluded "X-Y" term: the words that make it a relation between two actors, not an origin ("Chinese-American
# relations", "Japanese-American trade talks"; not "a Japanese-American war hero" nor "Chinese-American trade unionists")
_BETWEEN_TWO = re.compile(r"\s+(?:(?:trade|economic|military|diplomatic|security|strategic|nuclear)\s+)?"
                          r"(?:relations?|ties|talks|negotiations|summits?|rivalry|alliance|partnership|dialogue|"
                          r"agreements?|deals?|cooperation|tensions|conflict|relationship|détente|detente|accord|treaty|"
                          r"friendship|border|war)\b(?!\s+(?:heroe?s?|veterans?|unions?|unionists?|groups?|brides?|"
                          r"memorials?|museums?|leaders?))", re.IGNORECASE)
_PERSON_LIKE = re.compile(r"[A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+)+")  # two or more capitalised words
_CALENDAR = {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
_TITLED = ("Mr", "Mrs", "Ms", "Dr", "President", "Prime Minister", "Premier", "Chancellor", "Minister",
           "Secretary", "General", "Senator")


_NEXT_CAPITALISED = re.compile(r"[ \t]+([A-Z][\w'’-]*)")
# Korean and Chinese given-name syllables, as the English-language press romanises them, that the encoder's
# vocabulary also holds (as words: "hong", via "Hong Kong"; or as other names: "jong", "min"), so that "Kim Hong
# Kyun" is another person than Kim Jong Un. Written by hand: no library at hand lists romanised given-name
# syllables, and the vocabulary is in lower case, so it cannot tell a name from a word. Those that are also
# common words of a title-case headline are left out ("In", "An", "Man", "Won", "Son", "Sun", "Long", "Do", "Go",
# "Gun", "OK")
_GIVEN_SYLLABLES = frozenset("""
bo chan chang chun dong doo eun gil han hee ho hong hua hui hyun il jae ji jian jin jing jong joo jun jung kang
ki lin ling mei min ming nam peng ping qing sang shin shu soo su sung tae wei wen woo xiao ya yan yang yi yo yong
yoon young yu yun
""".split())


def another_given_name(word: str, own: set[str]) -> bool:
    """Whether ``word``, after a family name alone ("Kim", "Li"), is a given name other than the catalogue
    person's (``own``, folded): "Kim Sung-han", "Li Keqiang", "Lee Hsien Loong", "Kim Hong Kyun" are other people.
    A word with a hyphen is a given name ("Jong-il"), as is a romanised given-name syllable (``_GIVEN_SYLLABLES``:
    "Hong"); another English word or a day or month is not ("Kim Vows to …", "Trump and Kim Meet", "meet Kim
    Tuesday": a headline's words, a date)."""
    folded = word.casefold()
    if folded in own:  # the catalogue person's own given name, in another spelling ("Lee Jae-Myung")
        return False
    return "-" in word or folded in _GIVEN_SYLLABLES or not (folded in common_words() or word.capitalize() in _CALENDAR)


def _titled(surname: str) -> list[str]:
    """A surname after each title, with and without the title's dot ("Mrs May", "Mrs. May")."""
    return [f"{title}{dot} {surname}" for title in _TITLED for dot in ("", ".") if not (dot and " " in title)]


def _term_pattern(term: str, exact: bool | str, prefix: bool = False) -> str:
    """``exact``: False (any case), True (as written), "capitals" (as written or in capitals) or "name" (a person's
    name: as written, or in capitals, so that "trump" and "may" the words are not Trump and May the people, and with
    a middle initial; a word of it in lower case, a particle, also capitalised, as a sentence or a title-case
    headline starts it: "Von der Leyen added", "Von Der Leyen Warns")."""
    def word_of(part: str) -> str:  # an apostrophe matches ' and ’ alike ("People’s Republic")
        if exact == "name" and part[:1].islower():  # "von", "al-Assad": "[vV]on", "[aA]l-Assad"
            return f"[{re.escape(part[0])}{re.escape(part[0].upper())}]{word_of(part[1:])}"
        return _APOSTROPHE.sub("['’]", re.escape(part))

    def body_of(text: str) -> str:
        return r"\s+".join(word_of(part) for part in text.split())

    def with_initial(name: str) -> str:  # "Roger Stone" also as "Roger J. Stone", "Paul D. Ryan"
        first, rest = name.split(maxsplit=1)
        return rf"{body_of(first)}(?:\s+[A-Z]\.)?\s+{body_of(rest)}"

    body = body_of(term)
    if exact == "name" and len(term.split()) > 1:
        body = with_initial(term) if term.upper() == term else f"(?:{with_initial(term)}|{with_initial(term.upper())})"
    elif exact in ("name", "capitals") and term.upper() != term:
        body = f"(?:{body}|{body_of(term.upper())})"
    elif not exact:
        body = f"(?i:{body})"
    before = rf"(?<!{_WORD})"
    after = r"(?=[-‐‑–])" if prefix else rf"(?!{_WORD})"  # a prefix before a hyphen or an en dash
    # "U.S." ends with a dot; don't require a non-word after it. Acronyms must not continue with
    # an apostrophe-less lowercase ("USb"), which the word check already forbids.
    return f"{before}{body}{after}"


_FOLDS_TO_ASCII = str.maketrans({"\u0131": "i", "\u017f": "s", "\u212a": "k"})  # ı, ſ, Kelvin sign


def ascii_fold(word: str) -> str:
    """Lower case, with the four non-ASCII letters that re's IGNORECASE matches to ASCII letters (İ, ı,
    ſ, K) folded to them: a term's first word as an ASCII text word can match it."""
    return word.lower().replace("i\u0307", "i").translate(_FOLDS_TO_ASCII)


def term_keys(term: str) -> list[str]:
    """Where a term can start, as ``Matcher`` looks a text's word up: its first word, folded (``ascii_fold``), or,
    for a term that opens with a sign, the sign with the word after it ("#russia", "'ndrangheta"; an apostrophe as
    either, so two keys)."""
    text = term.lstrip()
    word = _FIRST_WORD.match(text)
    if word:
        return [ascii_fold(word.group())]
    after = _FIRST_WORD.match(text, 1)
    return [sign + (ascii_fold(after.group()) if after else "")
            for sign in (("'", "’") if text[:1] in "'’" else (text[:1],))]


def term_starts(terms: list[str]) -> tuple[set[str], set[str], re.Pattern]:
    """Where the terms can start: the first words of those that open with a word, folded (``ascii_fold``), and for
    the others the sign that opens them with the word after it ("#russia", "'ndrangheta"; an apostrophe as either),
    the signs, and the pattern that finds words and signs in a text (``term_keys``). A term that opens with a sign
    once made every position of every text a start, about a hundred times slower over the whole catalogue; a sign
    alone, every apostrophe of a text."""
    starts, signs = set(), set()
    for term in terms:
        keys = term_keys(term)
        starts.update(keys)
        if not _FIRST_WORD.match(term.lstrip()):
            signs.update(key[:1] for key in keys)
    return starts, signs, _places(frozenset(signs))


@lru_cache(maxsize=16)
def _places(signs: frozenset[str]) -> re.Pattern:
    """The pattern that finds the words of a text, and the signs that open terms (``term_starts``)."""
    pattern = _FIRST_WORD.pattern + (f"|[{''.join(re.escape(s) for s in sorted(signs))}]" if signs else "")
    return re.compile(pattern, re.IGNORECASE)


@dataclass
class Matcher:
    """One regex over every term of every actor; longest term wins where terms overlap. The surnames an article
    adds (``extra_terms``) have a small regex of their own beside the catalogue's (``base``: a matcher of the same
    actors without them, whose compiled regex is reused), and the two are tried at the same places, the longer
    term winning as in one regex of both (``_match``)."""

    actors: list[Actor]
    extra_terms: dict[str, str] = field(default_factory=dict)  # term -> actor (surnames seen in article)
    base: "Matcher | None" = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        base = self.base
        if base is None or base.actors is not self.actors or base.extra_terms:
            base = self._compile_catalogue()
        # the catalogue's terms, compiled once (``base``); an article's surnames, compiled here: compiling the
        # whole catalogue again for each new set of surnames took about 50 ms
        self._regex, self._starts, self._signs, self._places = base._regex, base._starts, base._signs, base._places
        self._groups, self._keyed, self._by_start = base._groups, base._keyed, base._by_start  # shared, filled as met
        self._namesakes, self._surnames, self.acronyms = base._namesakes, base._surnames, base.acronyms
        entries = sorted(self.extra_terms.items(), key=lambda e: -len(e[0]))  # surnames, longest first
        self._terms = [*base._terms[:base._size], *(t for t, _ in entries)]
        self._actors = [*base._actors[:base._size], *(a for _, a in entries)]
        self._size = base._size
        groups = [f"(?P<t{self._size + i}>{_term_pattern(t, 'name')})" for i, (t, _) in enumerate(entries)]
        self._extra = re.compile("|".join(groups)) if groups else None
        if entries and self._starts is not None:
            starts, signs, _ = term_starts([t for t, _ in entries])
            self._starts, self._signs = self._starts | starts, self._signs | signs
            self._places = _places(frozenset(self._signs))
        # a family name written first, seen alone -> the given names of the catalogue's people it belongs to
        family_first = {actor.name: actor for actor in self.actors if actor.surname_first}
        self._given = {t: {p.split()[1].casefold() for p in family_first[a].people
                           if len(p.split()) > 1 and p.split()[0] == t}
                       for t, a in self.extra_terms.items() if a in family_first}
        # the matchers ``for_article`` derives, kept: the same few surnames ("Harris", "al-Assad") come back article
        # after article
        self._derived = lru_cache(maxsize=64)(self._derive)
        self._without = lru_cache(maxsize=8)(self._without_namesakes)

    def _compile_catalogue(self) -> "Matcher":
        """This matcher's catalogue part (its actors' terms, excludes and prefixes, as one regex), set on it and
        returned; an article's matcher (``for_article``) takes it from the matcher it derives from."""
        entries: list[tuple[str, str | None, bool | str, bool]] = []  # term, actor (None: excluded), case, prefix
        for actor in self.actors:
            people = set(actor.people)
            entries += [(t, actor.name, "name" if t in people else _is_exact_case(t, actor), False)
                        for t in actor.terms()]
            # an exclude in any case ("Turkish Delight" in a headline, of an actor matched as written), but "LET
            # US" only as written
            entries += [(t, None, bool(_ACRONYM.match(t)) or t.upper() == t, False) for t in actor.excludes]
            entries += [(variant, actor.name, True, True) for p in actor.prefixes  # "SINO-RUSSIAN" in a headline
                        for variant in dict.fromkeys((p, p.lower(), p.upper()))]
        entries.sort(key=lambda e: -len(e[0]))  # longest first: "Latin America" before "America"
        self._actors = [e[1] for e in entries]
        self._terms = [e[0] for e in entries]
        self._size = len(entries)
        groups = [f"(?P<t{i}>{_term_pattern(t, exact, prefix)})" for i, (t, _, exact, prefix) in enumerate(entries)]
        self._regex = re.compile("|".join(groups)) if groups else None
        # where a term can start: the first word of some term, or the sign that opens one ("#Russia", "@NATO")
        self._starts, self._signs, self._places = term_starts(self._terms)
        # the same alternatives, in the same order and with the same group names, for each such start alone
        # (``_catalogue_at``): at a word, re tries the one regex's alternatives each in turn, hundreds of them, where a
        # few can match. Written by hand: re offers no dispatch of alternatives on their first word
        self._groups = groups
        self._keyed: dict[str, list[int]] = {}
        for index, term in enumerate(self._terms):
            for key in term_keys(term):
                self._keyed.setdefault(key, []).append(index)
        self._by_start: dict[str, re.Pattern | None] = {}
        self._namesakes = {exclude: (actor.name, term) for actor in self.actors
                           for exclude, term in namesake_places(actor).items()}
        # (actor, person, surname) of the catalogue's people with a surname of their own, worked out once, not per
        # article
        self._surnames = [(actor.name, person, surname) for actor in self.actors for person in actor.people
                          if (surname := surname_of(person, actor.surname_first)) and surname not in actor.people]
        # the names written without a lower-case letter ("NATO", "U.S."), folded: acronyms, which no dateline's
        # place is (prepare's dateline rule asks it of every article)
        self.acronyms = frozenset(name.casefold() for actor in self.actors for name in actor.names
                                  if not any(map(str.islower, name)))
        return self

    def find(self, text: str) -> list[Mention]:
        """Every mention, left to right, the longest term where terms overlap. The one regex (its
        alternatives each tried in turn) runs only where a word begins that begins some term: the
        same matches as scanning every position (every term begins a word), at a fraction of the time; and at a word
        of ASCII letters only its alternatives whose terms begin with that word (``_catalogue_at``), in its order, the
        others being unable to match there."""
        return self._scan(text)[0]

    def _scan(self, text: str) -> tuple[list[Mention], set[str], set[str]]:
        """The mentions (``find``) and, from the same pass, the excludes of several capitalised words that the
        text holds ("Lyndon Johnson", "Melania Trump"; ``for_article`` keeps their surnames from an actor), and the
        namesake places it names ("Moscow, Idaho"; ``namesake_places``)."""
        if self._regex is None and self._extra is None:
            return [], set(), set()
        mentions, excluded, namesakes = [], set(), set()
        for match in self._matches(text):
            index = int(match.lastgroup[1:])
            if self._actors[index] is None:
                if self._terms[index] in self._namesakes:
                    namesakes.add(self._terms[index])
                if "-" in self._terms[index] and _BETWEEN_TWO.match(text, match.end()):
                    mentions += self._hyphen_parts(text, match.start(), match.end())
                elif _PERSON_LIKE.fullmatch(self._terms[index]):
                    excluded.add(self._terms[index])
                continue
            term = self._terms[index]
            if term in self._given:  # "Kim" alone: not before another given name ("Kim Sung-han said")
                following = _NEXT_CAPITALISED.match(text, match.end())
                if following and another_given_name(following.group(1), self._given[term]):
                    continue
            mentions.append(Mention(self._actors[index], match.start(), match.end(), term))
        return mentions, excluded, namesakes

    def _hyphen_parts(self, text: str, start: int, end: int) -> list[Mention]:
        """The mentions in each hyphen-joined part of an excluded term that names a relation between two
        ("Chinese-American relations": China and the United States, where "a Chinese-American voter" is no one)."""
        found, cursor = [], start
        for part in text[start:end].split("-"):
            stop = cursor + len(part)
            match = self._match(text, cursor, stop)
            if match and match.end() == stop and self._actors[int(match.lastgroup[1:])] is not None:
                index = int(match.lastgroup[1:])
                found.append(Mention(self._actors[index], match.start(), match.end(), self._terms[index]))
            cursor = stop + 1
        return found if len({m.actor for m in found}) >= 2 else []  # "African-American trade groups": no one

    def _match(self, text: str, pos: int, endpos: int | None = None) -> re.Match | None:
        """What one regex of the catalogue's terms and the surnames would match at ``pos``: the first of its
        alternatives, longest term first, a catalogue term before a surname as long."""
        return self._match_with(self._regex, text, pos, endpos)

    def _match_with(self, regex: re.Pattern | None, text: str, pos: int, endpos: int | None = None) -> re.Match | None:
        """``_match`` with ``regex`` for the catalogue's terms: its own, or those of one start (``_catalogue_at``)."""
        endpos = len(text) if endpos is None else endpos
        match = regex.match(text, pos, endpos) if regex is not None else None
        if self._extra is not None:
            surname = self._extra.match(text, pos, endpos)
            if surname and (match is None or len(self._terms[int(surname.lastgroup[1:])])
                            > len(self._terms[int(match.lastgroup[1:])])):
                return surname
        return match

    def _search(self, text: str, pos: int) -> re.Match | None:
        """The first match from ``pos`` on, as ``re.search`` with one regex of the catalogue's terms and the
        surnames finds it: the earliest, and there the one ``_match`` gives."""
        found = [m for m in (r.search(text, pos) for r in (self._regex, self._extra) if r is not None) if m]
        if not found:
            return None
        start = min(m.start() for m in found)
        return self._match(text, start)

    def _matches(self, text: str) -> Iterator[re.Match]:
        if self._starts is None:  # every position, as re.finditer scans (the tests' reference for the scan below)
            position = 0
            while (match := self._search(text, position)) is not None:
                yield match
                position = match.end()  # every term is at least a character long: no empty match
            return
        end = 0
        for word in self._places.finditer(text):  # each word, and each sign that opens a term
            token = word.group()
            if token in self._signs:  # a sign: with the word after it ("'s" is no start where "'Ndrangheta" is)
                after = _FIRST_WORD.match(text, word.end())
                token += after.group() if after else ""
            if word.start() < end:
                continue
            if token.isascii():
                key = token.lower()
                if key not in self._starts:
                    continue
                regex = self._by_start[key] if key in self._by_start else self._catalogue_at(key)
            else:  # a word with other letters is always tried, whole: re's case folding is not str.lower's
                regex = self._regex
            if self._extra is not None:
                match = self._match_with(regex, text, word.start())
            else:
                match = regex.match(text, word.start()) if regex is not None else None
            if match:
                end = match.end()
                yield match

    def _catalogue_at(self, key: str) -> re.Pattern | None:
        """The catalogue's alternatives whose terms start with ``key`` (``term_keys``), in the one regex's order and
        with its group names, so that at a word that folds to ``key`` it matches what the one regex matches there: a
        term matching at a word starts with that word, as re's case folding reads it; None where no term starts so
        (a surname's start). Compiled the first time a text holds the word, and kept."""
        indices = self._keyed.get(key)
        regex = re.compile("|".join(self._groups[i] for i in indices)) if indices else None
        self._by_start[key] = regex
        return regex

    @cached_property
    def places_of(self) -> dict[str, set[str]]:
        """Each actor's capitals and seats (``Actor.places``), case-folded: built once per matcher, not per article."""
        return {actor.name: {place.casefold() for place in actor.places} for actor in self.actors}

    @cached_property
    def owners(self) -> dict[str, str]:
        """Each demonym and name of the actors, case-folded, and its actor (``named_as_location``'s ``foreign``:
        "Chinese officials in Washington" are China's): built once per matcher, not per article."""
        return {term.casefold(): actor.name for actor in self.actors for term in (*actor.demonyms, *actor.names)}

    def for_article(self, text: str) -> "Matcher":
        """A matcher that also knows the surnames of people whose full name appears in ``text``. A surname two
        actors' people share there is left out (it could be either), as is one that ends an excluded name found there
        ("Johnson" beside "Lyndon Johnson", an exclude); a surname that is a month or a day ("Theresa May", "in May")
        counts only after a title ("Mrs May", "Prime Minister May"). Where ``text`` names a namesake place
        ("Moscow, Idaho", an exclude: ``namesake_places``), its bare name there is that place too ("Moscow police")."""
        mentions, excluded, namesakes = self._scan(text)
        found = {m.term for m in mentions}
        owners: dict[str, set[str]] = {}
        for name, person, surname in self._surnames:
            if person in found:
                owners.setdefault(surname, set()).add(name)
        for name in excluded:  # "Lyndon Johnson" is no actor's: "Johnson" could be his (as "Le Pen" a Le Pen's)
            owners.setdefault(surname_of(name) or name.split()[-1], set()).add("")
        extra = {}
        for surname, actors in owners.items():
            if len(actors) == 1 and "" not in actors:
                # also without its accents, as wire copy and headlines in capitals write it: "Recep Tayyip Erdoğan"
                # ... "ERDOGAN", "Erdogan"
                forms = dict.fromkeys((surname, without_accents(surname)))
                terms = [t for form in forms for t in _titled(form)] if surname in _CALENDAR else list(forms)
                extra.update(dict.fromkeys(terms, next(iter(actors))))
        if not (extra or namesakes):
            return self
        return self._derived(frozenset(namesakes), tuple(extra.items()))  # the order of ``extra`` orders ties

    def _derive(self, namesakes: frozenset[str], extra: tuple[tuple[str, str], ...]) -> "Matcher":
        base = self._without(namesakes) if namesakes else self
        return Matcher(base.actors, dict(extra), base=base)  # the catalogue's regex reused, the surnames' compiled

    def _without_namesakes(self, namesakes: frozenset[str]) -> "Matcher":
        return Matcher(without_namesakes(self.actors, [self._namesakes[name] for name in namesakes]))


def without_accents(word: str) -> str:
    """``word`` with the accents of its letters taken off ("Erdoğan" -> "Erdogan", "Sánchez" -> "Sanchez")."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))


def namesake_places(actor: Actor) -> dict[str, str]:
    """The actor's excludes that name a namesake of one of its places or names, the term, a comma and a region
    ("Moscow, Idaho", "Paris, Texas"), each with that term (not the actor's own name, which always counts)."""
    own = " ".join(actor.name.split()).casefold()
    terms = {" ".join(term.split()).casefold(): term for term in [*actor.names, *actor.places]}
    terms.pop(own, None)
    found = {}
    for exclude in actor.excludes:
        head, comma, region = exclude.partition(",")
        if comma and region.strip()[:1].isupper() and " ".join(head.split()).casefold() in terms:
            found[exclude] = terms[" ".join(head.split()).casefold()]
    return found


def without_namesakes(actors: list[Actor], namesakes: list[tuple[str, str]]) -> list[Actor]:
    """The actors, each (actor, term) of ``namesakes`` moved from the actor's terms to its excludes: in an article
    that names "Moscow, Idaho", "Moscow" alone is no one's."""
    dropped: dict[str, set[str]] = {}
    for name, term in namesakes:
        dropped.setdefault(name, set()).add(term)
    changed = []
    for actor in actors:
        terms = dropped.get(actor.name)
        if terms:
            actor = actor.model_copy(update={"names": [t for t in actor.names if t not in terms],
                                             "places": [t for t in actor.places if t not in terms],
                                             "excludes": [*actor.excludes, *sorted(terms)]})
        changed.append(actor)
    return changed


def spans_by_actor(mentions: Iterable[Mention]) -> dict[str, list[list[int]]]:
    """Actor name -> sorted [start, end] spans, in order of first mention."""
    grouped: dict[str, list[list[int]]] = {}
    for mention in sorted(mentions, key=lambda m: m.start):
        grouped.setdefault(mention.actor, []).append([mention.start, mention.end])
    return grouped


# a member of Congress's party and state, after the name: "Sen. Dianne Feinstein, D-Calif.", "(R-Texas)", "D-N.Y."
_PARTY_TAG = re.compile(r"[DRI]-[A-Z][A-Za-z]*")
_CONNECTORS = {"of", "the", "de", "von", "der", "al", "bin", "and"}
# words that are no name nor a name's first word (``uncovered_names`` drops them); its last two lines: determiners,
# quantifiers, pronouns, conjunctions and adverbs, a closed class that starts sentences ("Some people ...", "Because
# it ...") and that a stray capital leaves inside one ("2:02 Some people"): "Some Republicans" is Republicans
_STOP = set("""The A An In On At For But And Or This That These Those He She It They We I You His Her Their Our
As While If When After Before During Despite However Meanwhile Moreover Also Both Only One Two There Which What
Read Following Speaking Regarding Importantly Amidst Everywhere Experts Mutual Countries Trade Treaty Cooperation
Partnership Collaboration Friendship Strengthening Renewed In Monday Tuesday Wednesday Thursday Friday Saturday
Sunday January February March April May June July August September October November December No Our
Some Many Most Several Few All Each Every Any Another Other Others Such Much More Neither Either Its My Your Us Them
Because Although Though Since Unless Until Whether Why How Where Who Here Then
Everyone Everybody Everything Someone Somebody Something Anyone Anybody Anything Nobody Nothing None""".split())
# adverbs of time and sequence that start a sentence with no comma ("Later Miller left" was the name "Later Miller"):
# no name's first word (``uncovered_names``) and no catalogue term (``_FUNCTION_WORDS``). Apart from ``_STOP``, as
# they are surnames too, which a middle initial may precede ("Roger J. Still"; ``_CAPITALISED``). Not a common word
# that is also a given name ("Mark Day"), nor "Now", "Today", "Next"
_SENTENCE_ADVERBS = set("""Later Earlier Still Soon Afterwards Afterward Eventually Finally Recently Previously Lately
Instead Thus Hence Therefore Nevertheless Nonetheless Otherwise Again Likewise Similarly Additionally Separately
Elsewhere Initially Currently""".split())
_NO_FIRST_NAME_WORD = _STOP | _SENTENCE_ADVERBS  # a word a suggested name does not start with
# a run of capitalised words, with the particles and middle initials inside it ("George W. Bush", "Roger J. Stone":
# a sentence does not end at an initial, ``starts_sentence``), or a dotted acronym ("U.S."); not across a capital's
# full stop that a word starting sentences follows ("World War I. Then", "Proposition A. Many"): that ends one
_CAPITALISED = re.compile(r"(?<![\w'’.-])(?:(?:[A-Z]\.){2,}|"
                          r"[A-Z][\w'’-]*(?:(?: (?:of|the|de|von|der|al|bin))* "
                          rf"(?:[A-Z]\. (?!(?:{'|'.join(sorted(_STOP))})(?![\w'’-])))?[A-Z][\w'’-]*)*)")


# the last word of a name that is no actor, the head of a noun phrase that names a text or law ("the Constitution",
# "Affordable Care Act", "Second Amendment", "Paris Agreement", "the Bible") or an event ("Super Bowl", "World Cup",
# "Olympic Games", "G20 Summit", "Nobel Prize", "Academy Awards"); a numeral after it is no head ("Super Bowl LII").
# A text speaks ("the Constitution says"); an event never does, so a name of an event's form that speaks is a
# company's or a person's ("Epic Games said", ``NameCounts.occasion_or_text``)
_TEXT_HEADS = frozenset("""Act Amendment Amendments Constitution Treaty Accord Accords Agreement Declaration Charter
Doctrine Protocol Bible Koran Quran Torah""".split())
_EVENT_HEADS = frozenset("""Bowl Cup Games Olympics Paralympics Championship Championships Awards Festival Summit
Marathon Prize""".split())
# the head words of a newspaper's or magazine's name: a text's head right after one ends a publication's name ("the
# Atlanta Journal Constitution", its hyphen lost), an outlet that a sentence names as it names any organisation
_PUBLICATION_HEADS = frozenset("""Journal Times Post News Herald Tribune Gazette Chronicle Telegraph Observer Courier
Inquirer Examiner Dispatch Bulletin Globe Guardian Mirror Express Star Sun Magazine""".split())
# the head nouns of kinds of thing that no actor is: currencies, drugs, weapons, vehicles, devices and works, a class
# list. A name right after one ("the cryptocurrency Bitcoin", "the drug OxyContin", 'the film "Frozen"') or after its
# plural and "like" or "such as" ("a currency like Bitcoin", "drugs such as Xanax") is named as such a thing
# (``NameCounts.thing``); "company", "platform", "app", "brand" are left out: a company shares its product's name. A
# name right after the plural is a relative clause's subject ("the drones Wagner used"), unless quoted as a title
# ('the songs "Ask" and "Panic"')
_THING_HEADS = """currency cryptocurrency coin token drug medicine medication vaccine pill painkiller weapon missile
rifle gun car vehicle truck aircraft jet plane drone device smartphone phone console film movie book novel album song
painting""".split()
_THING_HEAD = "(?:" + "|".join(w[:-1] + "(?:y|ies)" if w.endswith("y") else w + "s?" for w in _THING_HEADS) + ")"
_THING_ONE = "(?:" + "|".join(_THING_HEADS) + ")"
_NAMED_THING = re.compile(rf"(?:\b(?:the|a|an)[ \t]+(?:[a-z][\w-]*[ \t]+){{0,2}}"
                          rf"(?:{_THING_ONE}[ \t]+[\"“‘']?|{_THING_HEAD}[ \t]+[\"“‘'])"
                          rf"|\b{_THING_HEAD}[ \t]+(?:like|such[ \t]+as)[ \t]+[\"“‘']?)$")
# holidays and feasts, and the words of faith for a god, which no rule tells from names: they are capitalised
# wherever they stand and never written in lower case. A name ending in one ("Merry Christmas") is none either, and
# nor is one ending in "Day", "Eve" or "Night" after one, a possessive or a word the corpus writes in lower case
# ("Christmas Eve", "Valentine's Day", "Election Night"; "Doris Day" stays)
_OCCASIONS = frozenset("""Christmas Xmas Easter Thanksgiving Halloween Hanukkah Chanukah Passover Ramadan Eid Diwali
Kwanzaa Lent Advent Pentecost Epiphany Purim Sukkot Navratri Holi Vesak Nowruz God Allah""".split()) | {
    "Yom Kippur", "Rosh Hashanah", "Mardi Gras", "New Year", "Lunar New Year", "Chinese New Year"}
_FAITH = frozenset({"God", "Allah"})  # "God said" (scripture quoted) is no person's name
_OCCASION_ENDS = ("Day", "Eve", "Night")
_ROMAN = re.compile(r"[IVXLC]+|\d+")
# verbs that report speech: "Long said." after a quotation that the splitter cut off, or opening a sentence ("Long
# told reporters"), has a name for its subject, where an ordinary word needs a determiner ("the long said" is none)
_SPEECH = r"(?:said|says|told|tells|added|adds|asked|wrote|writes|explained|recalled|replied|noted|argued|insisted)"
_SPEAKS = re.compile(rf"[ \t]+{_SPEECH}(?![\w'’-])(?![ \t]+[A-Z])")  # not "Today says Kloss": Kloss speaks
_LOWER_SPEAKS = re.compile(rf"(?<![\w'’-])([a-z]+)[ \t]+{_SPEECH}(?![\w'’-])")


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Lower-case English words: the whole-word entries of the bundled encoder's WordPiece vocabulary
    (about 20,000; "twenty", "arriving", "following"; names such as "Gazprom" are not among them)."""
    from classifier.models.base import bundled_minilm_dir

    vocab = bundled_minilm_dir() / "vocab.txt"
    words = vocab.read_text(encoding="utf-8").split("\n") if vocab.exists() else []
    return frozenset(w for w in words if w.isalpha() and w.islower())


_LOWER_WORD = re.compile(r"(?<![\w'’-])[a-z]+(?![\w'’-])")
# news agencies, as datelines and credits name them ("(Reuters)", "/TASS/", "TASS reported"): ``prepare`` finds
# datelines by them, and ``stance actors suggest`` lists them apart from the names it suggests
NEWS_AGENCIES = ("AP", "Reuters", "AFP", "dpa", "DPA", "CNN", "Xinhua", "TASS", "Tass", "Interfax", "UPI", "Bloomberg",
                 "ANI", "PTI", "IANS", "Yonhap", "Kyodo", "EFE", "ANSA", "RIA Novosti", "Sputnik", "BBC", "NPR",
                 "Anadolu", "Ukrinform", "Al Jazeera", "CBS", "NBC", "ABC", "VOA", "RFE/RL", "Bernama", "Antara", "KUNA",
                 "WAFA", "IRNA", "Jiji", "Interfax-Ukraine", "RIA", "UNIAN", "CGTN", "Nikkei", "Kyiv Independent",
                 "Associated Press")  # AP spelt out
_AGENCIES = frozenset(a.casefold() for a in NEWS_AGENCIES)


# the words a title-case line leaves in lower case (articles, conjunctions, prepositions, name particles)
_TITLE_LOWER = frozenset("""a an the and but or nor for so yet as at by in of off on per to up via vs v with from into
onto upon over than about above across after against along among around before behind below between beyond
despite during except inside near outside since through toward towards under until within without de von der van al
bin""".split())
# function words, however written: a catalogue term that is one is a mistake (``common_word_term``)
_FUNCTION_WORDS = frozenset(w.casefold() for w in _NO_FIRST_NAME_WORD) | _TITLE_LOWER
_TITLE_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
_NUMBER_WORDS = frozenset("""three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen
seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million billion
dozen""".split())  # "One", "Two" are in _STOP
_SUFFIXES = (("ies", ("y",)), ("ied", ("y",)), ("ily", ("y",)), ("es", ("",)), ("s", ("",)), ("ed", ("", "e")),
             ("ing", ("", "e")), ("ly", ("",)))


def title_case(text: str, lower: set[str]) -> bool:
    """Whether a line is written in title case or in capitals ("Talks Resume After Long Pause", "Strengthening
    Economic Ties", "RUSSIA SIGNS DEAL"): no word after its first but capitalised ones and those title case leaves in
    lower case (``_TITLE_LOWER``: "Talks in Vienna", two words and "in", is one), and two or more of the capitalised
    ones such words or words its article writes in lower case too (``lower``: "talks", "resume", "deal"), so that a
    line of names alone ("Sen. Dianne Feinstein, D-Calif.") is not. Its capitals say nothing of names."""
    words = _TITLE_WORD.findall(text)[1:]
    common = sum(1 for w in words if w[0].isupper() and (w.lower() in lower or w.lower() in _TITLE_LOWER))
    return common >= 2 and all(w[0].isupper() or w in _TITLE_LOWER for w in words)


def inflected(word: str, vocabulary: frozenset[str]) -> bool:
    """Whether a lower-case ``word`` is a number word or a regular inflection of a shorter word ``vocabulary``
    holds ("diplomats": diplomat, "arriving": arrive, "additionally": additional, "citing": cite, "beginning":
    begin): a common word, where the vocabulary, in lower case, holds names too ("norway", "sergei"). Written by
    hand: the suffixes of English's regular inflections, which no library at hand strips to a word."""
    if word in _NUMBER_WORDS:
        return True
    for suffix, endings in _SUFFIXES:
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 3:
            stems = [stem + ending for ending in endings] + ([stem[:-1]] if stem[-1] == stem[-2] else [])
            if any(s in vocabulary for s in stems):
                return True
    return False


@lru_cache(maxsize=1)
def abbreviations() -> frozenset[str]:
    """The English abbreviations pysbd's sentence splitter knows ("mr", "sen", "gov", "oct"), in lower case."""
    from pysbd.lang.english import English

    return frozenset(a.lower() for a in English.Abbreviation.ABBREVIATIONS)


_OPENING = " \t\r\n'\"‘’“”([{—–-"  # quotes, brackets and dashes that may open a sentence or close one


def starts_sentence(text: str, start: int) -> bool:
    """Whether the word at ``start`` of one segment starts a sentence: nothing but quotes, brackets or dashes before it
    ('"That’s what he said."'), an opening quote ('he said "With ...'), a colon, a full stop, question or
    exclamation mark ("... start today. With these ...", in a quotation the splitter keeps whole) or an ellipsis
    ("… Officials cautioned", "... This"), less a dot after an abbreviation (``is_abbreviation``: "Mr. Trump"), an
    initial ("J. Smith") or a dotted acronym ("U.S. Senate")."""
    before = text[:start].rstrip(_OPENING)
    # an opening quote ('said "With ...'), not one after a word: a closing quote ('called it "evil" Russia') or a
    # plural's apostrophe ("the allies' Kyiv summit")
    if not before or before[-1] in "!?:…" or before.endswith("...") \
            or re.search("(?<!\\w)[\"“‘']\\s*$", text[:start]):
        return True
    if before[-1] != ".":
        return False
    token = re.search(r"[\w.'’-]*$", before[:-1]).group()
    return not (len(token) == 1 or "." in token or is_abbreviation(token))


def is_abbreviation(word: str) -> bool:
    """Whether a capitalised word is an abbreviation that a dot ends ("Sen", "Gov", "Mrs", "Calif", "Oct";
    ``abbreviations``); in lower case ("me", "is", "no") the dot after it ends a sentence."""
    return word[:1].isupper() and word.lower() in abbreviations()


@dataclass
class NameCounts:
    """Capitalised names no actor covers, counted over a corpus: in how many articles, how often, and
    whether ever away from the start of a sentence or outside a title-case line."""

    articles: Counter = field(default_factory=Counter)
    mentions: Counter = field(default_factory=Counter)
    inside: Counter = field(default_factory=Counter)   # mentions after a sentence's first word (not title case)
    opening: Counter = field(default_factory=Counter)  # mentions that start a sentence (not title case)
    lower: Counter = field(default_factory=Counter)    # words written in lower case, how often
    cased: set = field(default_factory=set)   # names seen in a sentence that is not in title case (``title_case``)
    speaking: Counter = field(default_factory=Counter)  # opening mentions a verb of speech follows ("Long said.")
    lower_speaking: Counter = field(default_factory=Counter)  # lower-case words a verb of speech follows
    speakers: Counter = field(default_factory=Counter)  # mentions a verb of speech follows, wherever they stand
    # names of several words whose last word speaks alone in an article that names them ("Tariq Ramadan ... Ramadan
    # said"), in how many articles
    surnamed: Counter = field(default_factory=Counter)
    # the words of names met inside a sentence (not title case), in how many articles: "Conservative" of
    # "Conservative Party", "the Conservative leaders"
    inner_words: Counter = field(default_factory=Counter)
    # names named as a currency, a drug, a work ... ("the cryptocurrency Bitcoin": ``_NAMED_THING``), in how many
    # articles
    things: Counter = field(default_factory=Counter)

    def add_article(self, sentences: Iterable[str], matcher: Matcher) -> None:
        seen, spoke, inner, things, sentences = set(), set(), set(), set(), list(sentences)
        written = [word for text in sentences for word in _LOWER_WORD.findall(text)]
        self.lower.update(written)
        self.lower_speaking.update(word for text in sentences for word in _LOWER_SPEAKS.findall(text))
        here = set(written)
        for text in sentences:
            titled = title_case(text, here)
            for name, start in uncovered_names(text, matcher):
                self.mentions[name] += 1
                seen.add(name)
                if _NAMED_THING.search(text, max(0, start - 60), start):
                    things.add(name)
                if not titled:
                    self.cased.add(name)
                    opens = starts_sentence(text, start)
                    (self.opening if opens else self.inside)[name] += 1
                    inner.update(() if opens else name.split(" "))
                    if _SPEAKS.match(text, start + len(name)):
                        self.speakers[name] += 1
                        self.speaking[name] += opens
                        spoke.add(name)
        self.articles.update(seen)
        self.inner_words.update(inner)
        self.things.update(things)
        self.surnamed.update(name for name in seen if " " in name and name.rsplit(" ", 1)[1] in spoke)

    def ranked(self, top: int = 30, common: frozenset[str] | None = None) -> list[tuple[str, int, int]]:
        """(name, articles, mentions), most articles first, news agencies (``NEWS_AGENCIES``, see ``agencies``) left
        out, whatever their case ("REUTERS"). A name met only in title-case lines (``title_case``: headlines, section
        headings) is left out ("Talks Resume After Long Pause"), as their capitals say nothing. So is a word whose
        capital something else explains, which ``ordinary`` tells."""
        common = common_words() if common is None else common
        agencies = {a.casefold() for a in NEWS_AGENCIES}
        keep = [n for n in self.mentions if n.casefold() not in agencies and n in self.cased
                and not self.ordinary(n, common) and not self.occasion_or_text(n) and not self.thing(n)]
        return self._rows(keep)[:top]

    def thing(self, name: str) -> bool:
        """Whether the corpus names a name as a product, a currency, a drug, a weapon or a work (``_NAMED_THING``:
        "the cryptocurrency Bitcoin", "a currency like Bitcoin"), in two articles or more and in a quarter or more of
        those that name it, and never has it speak: "Bitcoin" (PerSenT: in 3 of 8 articles), where a person or a
        company that such words precede now and then ("the film Weinstein produced") speaks ("Weinstein said")."""
        named, speaks = self.things[name], self.speakers[name] > 0 or self.surnamed[name] > 0
        return named >= 2 and 4 * named >= self.articles[name] and not speaks

    def occasion_or_text(self, name: str) -> bool:
        """Whether a name is no actor by its form: a text's, by its last word (``_TEXT_HEADS``: "Constitution",
        "Affordable Care Act"; not after a publication's head word, ``_PUBLICATION_HEADS``: "Atlanta Journal
        Constitution" is a newspaper), an event's (``_EVENT_HEADS``: "Super Bowl", "Super Bowl LII"), a holiday or a
        word of faith (``_OCCASIONS``: "Christmas", "Merry Christmas", "God"), or a day, eve or night named after one
        of them, a possessive or a word the corpus writes in lower case ("Christmas Eve", "Valentine's Day", "Election
        Night"; "Doris Day" is a name). An event, a holiday or a day that the corpus has speak, by its name or its
        last word alone in an article that names it, is a company's or a person's name ("Epic Games said", "Mark Day
        ... Day said", "Tariq Ramadan ... Ramadan said"; "God said" aside): no event speaks, where a text does ("the
        Constitution says")."""
        words = name.split(" ")
        while len(words) > 1 and _ROMAN.fullmatch(words[-1]):
            words = words[:-1]
        if words[-1] in _TEXT_HEADS:
            return len(words) == 1 or words[-2] not in _PUBLICATION_HEADS
        occasion = words[-1] in _EVENT_HEADS or any(" ".join(words[-n:]) in _OCCASIONS for n in (1, 2, 3))
        if not occasion and len(words) > 1 and words[-1] in _OCCASION_ENDS:
            before = words[:-1]
            occasion = (" ".join(before) in _OCCASIONS or before[-1] in _OCCASIONS
                        or bool(_APOSTROPHE.search(before[-1])) or self.lower[before[-1].lower()] > 0)
        speaks = self.speakers[name] > 0 or self.surnamed[name] > 0
        return occasion and (words[-1] in _FAITH or not speaks)

    def ordinary(self, name: str, common: frozenset[str]) -> bool:
        """Whether a name is an ordinary word whose capital something else explains, in however many articles. A
        one-word name that mostly starts a sentence (``starts_sentence``): where it never stands inside one, when the
        corpus also writes it in lower case ("Arriving") or it is a common word by its form (``inflected``:
        "Diplomats", "Officials", "Twenty"; the encoder's vocabulary, ``common``, is lower case and holds "norway"
        too, so one it holds with no shorter word it inflects, "Norway", is kept); where it does, when the corpus
        writes it in lower case more often than with a capital ("Today", "Well", "Time", the "Photo" of "(Photo:
        ..."), unless it names a group's members (``members``: "Conservatives"). "Shaw" stays, seldom if ever in
        lower case, and so does "Brown", which starts a sentence less often than not. A title alone ("President",
        "Prime Minister": ``_TITLES``), wherever it stands, when the corpus writes its words in lower case more often
        than it writes it ("the President said", "the president said"; "King", of Martin Luther King or Stephen
        King, stays where "king" is rare)."""
        words, inside, opening = name.split(" "), self.inside[name], self.opening[name]
        capitalised = inside + opening
        if all(word in _TITLES for word in words):
            return all(self.lower[word.lower()] > capitalised for word in words)
        speaking = self.speaking[name]
        if len(words) == 1 and speaking > self.lower_speaking[name.lower()] and not inflected(name.lower(), common):
            inside, opening = inside + speaking, opening - speaking  # "Long said.", not "Police said", "Officials"
        if len(words) > 1 or opening <= inside:
            return False
        if not inside:
            return self.lower[name.lower()] > 0 or inflected(name.lower(), common)
        return self.lower[name.lower()] > capitalised and not self.members(name)

    def members(self, name: str) -> bool:
        """Whether a plural names the members of a party or a group whose word the corpus capitalises inside
        sentences, in two articles or more ("Conservatives": "the Conservative Party", "Conservative leaders"), as
        it does no ordinary plural's ("Officials", "Voters"): the plural is a name, however often the corpus
        writes it in lower case too ("conservatives")."""
        if not name.endswith("s") or name.endswith("ss"):
            return False
        singular = name[:-3] + "y" if name.endswith("ies") else name[:-1]
        return self.inner_words[singular] >= 2

    def agencies(self) -> list[tuple[str, int, int]]:
        """(name, articles, mentions) of the news agencies met (``NEWS_AGENCIES``, whatever their case), most
        articles first."""
        agencies = {a.casefold() for a in NEWS_AGENCIES}
        return self._rows([n for n in self.mentions if n.casefold() in agencies])

    def _rows(self, names: list[str]) -> list[tuple[str, int, int]]:
        names = sorted(names, key=lambda n: (-self.articles[n], -self.mentions[n], n))
        return [(n, self.articles[n], self.mentions[n]) for n in names]


def uncovered_names(text: str, matcher: Matcher) -> Iterator[tuple[str, int]]:
    """(name, start) of the capitalised names in one sentence that no actor's mention covers."""
    covered = [(m.start, m.end) for m in matcher.find(text)]
    for match in _CAPITALISED.finditer(text):
        for words, start in possessive_parts(match.group(0).split(" "), match.start()):
            while words and (_APOSTROPHE.split(words[0])[0] in _NO_FIRST_NAME_WORD  # "I’m"
                             or words[0].lower() in _CONNECTORS):
                start += len(words[0]) + 1
                words = words[1:]
            titles = next((i for i, word in enumerate(words) if word not in _TITLES), len(words))
            if 0 < titles < len(words) and words[titles].lower() not in _CONNECTORS:  # "Prime Minister Irakli
                start += len(" ".join(words[:titles])) + 1                            # Kobakhidze", not "Secretary
                words = words[titles:]                                                # of State"
            name = re.sub(r"['’]s?$", "", " ".join(words))  # "Gazprom's" is Gazprom
            end = start + len(name)
            if len(name) < 3 or any(s < end and start < e for s, e in covered) \
                    or (text[end:end + 1] == "." and is_abbreviation(name)) or _PARTY_TAG.fullmatch(name) \
                    or credit_or_label(text, start, end):  # "Sen." before a name, "(AP Photo/Evan Vucci)"
                continue
            yield name, start


def credit_or_label(text: str, start: int, end: int) -> bool:
    """Whether the name at ``text[start:end]`` is a credit's or a label's rather than a sentence's: joined by a slash
    to another word, as a picture's credit joins a photographer, an agency and a picture desk ("(AP Photo/Evan
    Vucci)", "(Keith Srakocic/Associated Press)", "Pool/Getty Images", capitalised words between: "/For The
    Washington Post"), a poll its sponsors ("NBC/WSJ") and a link its path ("t.co/X1y2Z3"); or in capitals before a
    colon at a sentence's start, as a caption's, an update's or a transcript's label ("FILE PHOTO: ...", "UPDATE:",
    "SHAPIRO: Well, ..."); or after a credit's words that open a segment, a bracket or a part after a dash or bar
    ("(Photo by Jane Doe)", "Photograph: Jane Doe", "Credit: ...": ``_CREDITED``), a news agency's there aside (it
    is named below the table). A name in a credit or label is no mention in a sentence, whatever else it is."""
    if re.match(r"[ \t]*/", text[end:]) or re.search(r"/[ \t]*(?:[A-Z][\w'’.-]*[ \t]+)*$", text[:start]) \
            or (credited(text, start, end) and text[start:end].casefold() not in _AGENCIES):
        return True
    return text[end:end + 1] == ":" and text[start:end].isupper() and starts_sentence(text, start)


def credited(text: str, start: int, end: int) -> bool:
    """Whether the name at ``text[start:end]`` follows a credit's words (``_CREDITED``): right after them where they
    open a segment or a part after a dash or bar ("Photograph: Jane Doe"), anywhere in a bracket they open, which
    credits every name to its end ("(Photo: Jane Doe, Pool)"). Not where a word in lower case that a credit has no
    use for follows the name there or stands in the bracket: it is then a link's teaser or a caption, its names
    mentions ("PHOTOS: Tom Brady through the years", "(PHOTOS: Huma Abedin in the public eye)"). A credit's words
    in lower case are a title's small words ("via", "for", "the": ``_TITLE_LOWER``) and its own (``_CREDIT_LOWER``:
    "staff", "file", "courtesy"); a capitalised word after the name ends a segment's credit ("Courtesy of John Doe
    The email went viral", a page's next sentence run into it)."""
    match = _CREDITED.search(text[:start])
    if not match:
        return False
    if match.group("bracket") is None:
        words = re.match(r"[^\w(\[]*(?:[a-z0-9][\w'’-]*[^\w(\[]*)*", text[end:]).group()
    else:
        words = text[match.end("bracket"):start] + re.match(r"[^()\[\]]*", text[start:]).group()
    return all(word in _TITLE_LOWER or word in _CREDIT_LOWER for word in _LOWER_WORD.findall(words))


# a credit's words before the name it credits, opening a segment or a part after a dash or bar ("Photograph: Jane
# Doe", "| Image by ..."), or a bracket, where they credit every name up to its end ("(Photo by Jane Doe)", "(Photo:
# Jane Doe, Pool)", "(Video courtesy of ...)", "[Credit: ...]")
_CREDIT_WORDS = (r"(?:(?:photo(?:graph)?|picture|image|video|illustration|graphic|footage)s?(?:[ \t]+credit)?"
                 r"(?:[ \t]*:|[ \t]+(?:by|courtesy(?:[ \t]+of)?))|credit[ \t]*:|courtesy[ \t]+of)")
_CREDITED = re.compile(rf"(?:^|[|—–])[ \t]*{_CREDIT_WORDS}[ \t]*$"
                       rf"|[(\[][ \t]*(?P<bracket>{_CREDIT_WORDS})[^()\[\]]*$", re.IGNORECASE)
# the words in lower case of a credit's own, besides a title's small words ("via Getty Images", "for The Washington
# Post"): a bracket after a credit's words that holds any other is a teaser or a caption ("(PHOTOS: Huma Abedin in
# the public eye)"), not a credit
_CREDIT_LOWER = frozenset("""photo photos photograph photographs photographer photographers picture pictures image
images video videos illustration graphic footage credit courtesy staff file handout pool provided contributed
submitted special""".split())


def possessive_parts(words: list[str], start: int) -> Iterator[tuple[list[str], int]]:
    """A run of capitalised words cut after a possessive that a title follows: "Georgia's Prime Minister Irakli
    Kobakhidze" is "Georgia's" and "Prime Minister Irakli Kobakhidze" (with where each starts); "People's Liberation
    Army" and "Lloyd's of London" stay whole."""
    part: list[str] = []
    for index, word in enumerate(words):
        part.append(word)
        if re.search(r"['’]s$", word) and index + 1 < len(words) and words[index + 1] in _TITLES:
            yield part, start
            start += len(" ".join(part)) + 1
            part = []
    if part:
        yield part, start


def suggest_actors(sentences: Iterable[str], matcher: Matcher, top: int = 30) -> list[tuple[str, int]]:
    """Frequent capitalised names inside the sentences of one text that no actor covers (name, mentions)."""
    counts = NameCounts()
    counts.add_article(sentences, matcher)
    return [(name, mentions) for name, _, mentions in counts.ranked(top)]


def found_spans_note(found: Counter, total: int, what: str = "items") -> str | None:
    """One line on the items that came without spans and how their mentions were found (``found``: counts of
    ``spans_from``), or None when every item had its spans."""
    missing = found["catalogue"] + found["name"] + found["none"]
    if not missing:
        return None
    unmarked = (" (those are scored with the actor beside the unmarked text)" if found["none"] else "")
    return (f"{numeral(missing)} of {numeral(total)} {what} had no spans: the actor's mentions were found by the "
            f"catalogue in {found['catalogue']}, by name in {found['name']}, and not at all in "
            f"{found['none']}{unmarked}; each record's spans_from says which")


class MentionFinder:
    """Spans of one actor's mentions in a text that came without them: the catalogue's matcher, else the name as a
    whole word (``find`` says which, or "none": then the actor is scored as text beside the unmarked sentence)."""

    def __init__(self, catalogue: list[Actor] | str | Path | None = None):
        actors = catalogue if isinstance(catalogue, list) else load_catalogue(catalogue)
        self.matcher = Matcher(actors)
        self.known = {a.name.casefold(): a.name for a in actors}

    def complete(self, record: dict) -> dict:
        """``record`` with ``spans`` found and ``spans_from`` saying how, when it has text and actor but no spans
        (missing or null); otherwise as it is (``spans: []`` stays: a target the text does not name)."""
        if record.get("spans") is not None or not isinstance(record.get("text"), str) \
                or not isinstance(record.get("actor"), str):
            return record
        spans, origin = self.find(record["text"], record["actor"])
        return {**record, "spans": spans, "spans_from": origin}

    def complete_item(self, item: Item) -> Item | dict:
        """An ``Item`` made without ``spans`` as a record with them found; one given spans (or without an actor,
        which its own check names), as it is."""
        if "spans" in item.model_fields_set or not item.has_actor:
            return item
        return self.complete(item.model_dump(exclude={"spans"}))

    def find(self, text: str, actor: str) -> tuple[list[list[int]], str]:
        name = self.known.get(actor.strip().casefold())
        if name is not None:
            spans = [[m.start, m.end] for m in self.matcher.for_article(text).find(text) if m.actor == name]
            if spans:
                return spans, "catalogue"
        pattern = re.compile(rf"(?<!\w){re.escape(actor.strip())}(?!\w)", re.IGNORECASE)
        spans = [[m.start(), m.end()] for m in pattern.finditer(text)] if actor.strip() else []
        return (spans, "name") if spans else ([], "none")


@lru_cache(maxsize=1)
def default_finder() -> MentionFinder:
    """The bundled catalogue's finder, built once per process (its YAML read and regex compiled once, not per call)."""
    return MentionFinder()


def complete_spans(records: Iterable[Item | dict], finder: MentionFinder | None = None) -> list:
    """Items or dicts as given, those without ``spans`` with their actor's mentions found by ``finder`` (default: the
    bundled catalogue's), each saying how in ``spans_from``, and a warning counting them, as ``stance classify``
    gives (naming the caller's line, ``errors.warn_caller``)."""
    found, out = Counter(), []
    for record in records:
        given = record.model_fields_set if isinstance(record, Item) else record if isinstance(record, dict) else None
        if given is None or ("spans" in given and (isinstance(record, Item) or record.get("spans") is not None)):
            out.append(record)
            continue
        finder = finder or default_finder()
        completed = finder.complete_item(record) if isinstance(record, Item) else finder.complete(record)
        if isinstance(completed, dict) and "spans_from" in completed:
            found[completed["spans_from"]] += 1
        out.append(completed)
    note = found_spans_note(found, len(out), "inputs")
    if note:
        warn_caller(note)
    return out
