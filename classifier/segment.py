"""Split cleaned article text into sentences with character offsets; flag headlines and sub-headings."""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel

MAX_HEADING_WORDS = 20
_ENDS_LIKE_SENTENCE = re.compile(r"[.!?…][\"'”’)\]]*$")
_ENDS_IN_ACRONYM = re.compile(r"(?<![\w.])(?:[A-Z]\.){2,}$")  # "… sanctions on U.S.": no sentence end in a headline
# a sentence end inside the paragraph: a word ending in two lower-case letters ("no.", "Müller."), not an abbreviation
# ("Gen.", "Sen.", "Mrs.", "vs.", "Jan."), its stop, and a capital after it
_ABBREVIATIONS = ("Gen", "Gens", "Sen", "Sens", "Mrs", "Rep", "Reps", "Gov", "Govt", "Col", "Sgt", "Capt", "Cmdr", "Adm",
                  "Inc", "Ltd", "Corp", "Bros", "Assn", "Dept", "Univ", "Prof", "Pres", "Supt", "Msgr", "Rev", "Hon",
                  "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "Ave", "Blvd",
                  "vs", "etc", "al", "approx", "Messrs")
_LOWER = "a-zß-öø-ÿ"  # ASCII and Latin-1 lower-case letters
_SENTENCE_END_INSIDE = re.compile(rf"(?<![\w'’.-])(?!(?:{'|'.join(_ABBREVIATIONS)})\.)[^\W\d_]*[{_LOWER}]{{2}}[.!?]"
                                  r"[\"'”’)\]]*\s+[\"“‘'(]?[A-Z]")


class Sentence(BaseModel):
    index: int
    start: int
    end: int
    text: str
    kind: str  # headline | subheading | body
    paragraph: int


_TRAILING_SPACE = re.compile(r"\s*")


def _occurrences(sentence: str, text: str):
    r"""(start, end) of what ``re.finditer(re.escape(sentence) + r"\s*", text)`` finds, in order: the sentence's
    non-overlapping occurrences, each with the spaces after it."""
    if not sentence:  # an empty sentence's pattern is the spaces alone, with its empty matches
        yield from (match.span() for match in _TRAILING_SPACE.finditer(text))
        return
    position = 0
    while (start := text.find(sentence, position)) >= 0:
        position = _TRAILING_SPACE.match(text, start + len(sentence)).end()
        yield start, position


class _CompiledOnce:
    r"""Python's ``re`` as pysbd's abbreviation rules use it (``sub``, ``findall``; the rest as ``re`` has it), each
    pattern compiled once and kept, up to ``PATTERNS``.

    pysbd (0.3.4) writes patterns for each abbreviation its text holds (``r"(?:^|\s|\r|\n){}".format("gen")``,
    and with the abbreviation as met: " Gen", "\ngen"), about a thousand over 2,000 news articles: more than
    Python's ``re`` cache keeps (512, oldest dropped first), so they and pysbd's constant rule patterns were
    compiled again and again (4,747 compilations of 1,071 patterns; 1,106 with this, 2026-12-07). No setting of
    pysbd or ``re`` sizes that cache (``re._MAXCACHE`` is private and would grow it for every caller), so pysbd's
    two modules that write such patterns are handed this instead: the same patterns, compiled by ``re`` itself,
    so the same matches."""

    PATTERNS = 4096

    def __init__(self) -> None:
        self._compiled = lru_cache(maxsize=self.PATTERNS)(re.compile)

    def sub(self, pattern, repl, string, count=0, flags=0):
        return self._compiled(pattern, flags).sub(repl, string, count)

    def findall(self, pattern, string, flags=0):
        return self._compiled(pattern, flags).findall(string)

    def __getattr__(self, name):  # re.escape, re.IGNORECASE, ...: re's own
        return getattr(re, name)


@lru_cache(maxsize=1)
def _compile_pysbd_patterns_once() -> None:
    """pysbd 0.3.4's modules that write a pattern per abbreviation compile each once (``_CompiledOnce``)."""
    from pysbd import abbreviation_replacer, utils

    compiled = _CompiledOnce()
    for module in (abbreviation_replacer, utils):
        if module.re is re:
            module.re = compiled


@lru_cache(maxsize=4)
def _segmenter(language: str):
    import pysbd
    from pysbd.utils import TextSpan

    class Segmenter(pysbd.Segmenter):
        r"""pysbd's segmenter, finding its sentences in the text without a regular expression each.

        pysbd (0.3.4) finds each sentence by compiling ``re.escape(sentence) + r"\s*"``: a pattern per
        sentence, never reused, which filled Python's ``re`` cache (512 patterns, oldest dropped first) and
        so pushed out pysbd's own rule patterns, compiled again and again (39,319 compilations for 2,000 news
        articles; 4,931 with this). No setting avoids it, so this does the same search with ``str.find``: the
        first of the sentence's non-overlapping occurrences, with the spaces after it, that ends past the
        sentence before."""

        def sentences_with_char_spans(self, sentences):
            text, spans, prior_end = self.original_text, [], 0
            for sentence in sentences:
                for start, end in _occurrences(sentence, text):
                    if end > prior_end:
                        spans.append(TextSpan(text[start:end], start, end))
                        prior_end = end
                        break
            return spans

    if pysbd.__version__ != "0.3.4":  # another version's search may differ: its own, unchanged
        return pysbd.Segmenter(language=language, clean=False)
    _compile_pysbd_patterns_once()
    return Segmenter(language=language, clean=False)


def segmenter_language(declared: str | None) -> str | None:
    """The code of the language pysbd splits by for a declared language ("de", "ru", "en-GB", "pt_BR", "English
    (UK)": the letters before any other sign, in lower case), or None where none is declared or pysbd has no rules
    for it."""
    from pysbd.languages import LANGUAGE_CODES

    code = re.split(r"[^a-z]", (declared or "").strip().casefold())[0]
    code = {"english": "en", "eng": "en"}.get(code, code)  # English written out, the one name an English corpus gives
    return code if code in LANGUAGE_CODES else None


_BULLET = re.compile(r"\s*(?:[-*•▪◦‣–—]|\d{1,2}[.)])\s+\S")  # "- Sanctions on banks", "• …", "1. …"
_NUMBERED = re.compile(r"\s*\d{1,2}[.)]\s+\S")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
_BYLINE_SUFFIX = re.compile(r"\s+[-|–—]\s+[^-|–—]{1,40}$")  # "… - Reuters", "… | The Guardian"


def title_key(text: str) -> str:
    """A title as compared with a text's first line: case, curly quotes, dashes, punctuation and spacing aside,
    and an outlet's name after a dash or bar dropped."""
    text = _BYLINE_SUFFIX.sub("", " ".join(text.split()))
    return re.sub(r"[\W_]+", "", text.translate(_QUOTES).casefold())


def same_title(title: str | None, line: str) -> bool:
    """Whether ``line`` is the title ``title`` in another spelling ("Russia’s threat" and "Russia's threat.",
    "… - Reuters")."""
    return bool(title) and title_key(title) == title_key(line) != ""


def looks_like_heading(paragraph: str, opens_text: bool = False, alone: bool = False) -> bool:
    """Short, without a sentence end inside, and without one at its end (but for the paragraph that opens a text
    with no title given, a headline, which may end in an acronym: "Sanctions hit the U.S."); not a list's point nor
    words ending in a colon. A numbered line ``alone`` (between paragraphs that are no list's points) is a numbered
    section's heading ("1. Sanctions"), not a list's point."""
    if len(paragraph.split()) > MAX_HEADING_WORDS or _SENTENCE_END_INSIDE.search(paragraph):
        return False
    if (_BULLET.match(paragraph) and not (alone and _NUMBERED.match(paragraph))) or paragraph.rstrip().endswith(":"):
        return False  # a list's point, or the words that open a quote ("Putin said:"), are the body's
    return not _ENDS_LIKE_SENTENCE.search(paragraph) or (opens_text and bool(_ENDS_IN_ACRONYM.search(paragraph)))


LONG_PARAGRAPH = 4000  # pysbd's time grows with the square of a paragraph's length: longer ones go in pieces
# where a piece may end: a line break, or a sentence end after a word of three or more lower-case letters
# (not after "U.S.", "Mr.", "Gov.") followed by a capital
_PIECE_END = re.compile(r"\n|[a-z]{3}[.!?][\"'”’)\]]*\s+(?=[A-Z“\"])")


def pieces(paragraph: str) -> list[tuple[int, int]]:
    """(start, end) of pieces of about ``LONG_PARAGRAPH`` characters that together make the paragraph,
    cut at a sentence end where one comes within twice that length, else at a space, else (a run of
    punctuation or one endless word) at twice that length: no piece is ever longer, so the segmenter's
    work grows linearly with the paragraph whatever it holds."""
    cuts, start = [], 0
    while len(paragraph) - start > LONG_PARAGRAPH:
        limit = start + 2 * LONG_PARAGRAPH
        found = _PIECE_END.search(paragraph, start + LONG_PARAGRAPH // 2, limit)
        if found:
            end = found.end()
        else:
            space = paragraph.find(" ", start + LONG_PARAGRAPH, limit)
            end = space + 1 if space >= 0 else min(limit, len(paragraph))
        cuts.append((start, end))
        start = end
    cuts.append((start, len(paragraph)))
    return cuts


def split_paragraph(paragraph: str, language: str = "en") -> list[tuple[int, int]]:
    """(start, end) of each sentence inside the paragraph, found by a real segmenter (pysbd), a long
    paragraph a piece at a time (``pieces``) so that time grows with its length, not with its square."""
    spans = []
    for piece_start, piece_end in pieces(paragraph):
        spans += [(piece_start + start, piece_start + end)
                  for start, end in split_piece(paragraph[piece_start:piece_end], language)]
    return spans


def split_piece(text: str, language: str) -> list[tuple[int, int]]:
    spans, cursor = [], 0
    for piece in _segmenter(language).segment(text):
        piece = piece.strip()
        if not piece:
            continue
        start = text.find(piece, cursor)
        if start < 0:  # the segmenter changed the text: fall back to what is left
            start = cursor
            piece = text[cursor:].strip()
        spans.append((start, start + len(piece)))
        cursor = start + len(piece)
    return spans


def segment(paragraphs: list[str], title: str | None = None, language: str = "en") -> list[Sentence]:
    """Sentences of the text ``"\\n\\n".join(paragraphs)`` with offsets into that text."""
    sentences: list[Sentence] = []
    offset = 0
    title = " ".join(title.split()) if title else None  # spaces compared as cleaning leaves them (no-break too)
    listed = [bool(_BULLET.match(paragraph)) for paragraph in [""] + paragraphs + [""]]
    for number, paragraph in enumerate(paragraphs):
        is_title = title is not None and same_title(title, paragraph)
        alone = not (listed[number] or listed[number + 2])  # neighbours that are no list's points
        if (is_title and number == 0) or looks_like_heading(paragraph, opens_text=number == 0 and not title,
                                                            alone=alone):  # a title opening the text, in any form
            kind = "headline" if is_title or (number == 0 and not title) else "subheading"
            sentences.append(Sentence(index=len(sentences), start=offset, end=offset + len(paragraph),
                                      text=paragraph, kind=kind, paragraph=number))
        else:
            for start, end in split_paragraph(paragraph, language):
                sentences.append(Sentence(index=len(sentences), start=offset + start, end=offset + end,
                                          text=paragraph[start:end], kind="body", paragraph=number))
        offset += len(paragraph) + 2
    return sentences


def holds_several_sentences(text: str) -> bool:
    """A paragraph break, or three sentences or more: a text that reads as an article (or a long paragraph)
    rather than as one sentence."""
    text = text.strip()
    return "\n\n" in text or len(split_paragraph(text)) >= 3


ROWS_LOOKED_AT = 200  # rows of a table without actors looked at to tell sentences from whole articles


def rows_of_several_sentences(rows, limit: int = ROWS_LOOKED_AT) -> tuple[int, int, int | None, bool]:
    """Of the first ``limit`` (line, row) pairs: how many were read, how many have a ``text`` of several
    sentences, the line of the first of those (or None), and whether any row has a gold ``label``."""
    read = several = 0
    first, labelled = None, False
    for line, row in rows:
        if read >= limit:
            break
        read += 1
        labelled = labelled or row.get("label") not in (None, "")
        if holds_several_sentences(str(row.get("text") or "")):
            several += 1
            first = line if first is None else first
    return read, several, first, labelled
