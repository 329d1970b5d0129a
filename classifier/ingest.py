"""Read articles: a folder of .txt/.md/.html files (with a manifest) or a JSONL/CSV/Parquet table."""

from __future__ import annotations

import collections
import csv
import datetime
import functools
import io
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from pydantic import BaseModel

from classifier.errors import DateWarning, InputError, option, warn_caller
from classifier.article_columns import (OPTIONAL_FIELDS, article_row, check_columns, resolve_columns, unread_columns,
                                       unread_columns_note)
from classifier.io.files import (BINARY_SAMPLE, DECOMPRESSION_ERRORS, LIKELY_ENCODING, archive_problem, binary_bytes,
                                 bom_encoding, check_encoding, check_not_input, check_regular_input, compression_of,
                                 csv_header, format_of, given_name, iter_csv, iter_memory_rows, iter_table,
                                 likely_encoding, memory_table, open_binary, refuse_spreadsheet, refuse_tsv, table_rows,
                                 table_suffix, unmarked_utf16_problem, wide_encoding, STDIN)
from classifier.visible import numeral

TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
# A Markdown heading's marks ("# Title", "## Background ##"; CommonMark's ATX headings: up to three spaces, one to six
# #s, a space): without them the line is a paragraph like any other, the headline or a sub-heading. By hand, as the
# one Markdown rule prepare needs: a Markdown parser (none is among the dependencies) would also rewrite emphasis,
# links and lists, which are read as written, as in a .txt file.
MARKDOWN_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
TABLE_SUFFIXES = (".jsonl", ".ndjson", ".csv", ".parquet")
# A table row's text that is an HTML page (a scraped export's raw page or a CMS body): one that opens, after blanks
# and comments, with a doctype or a page or block element's tag. It goes through the extractor as an .html file does;
# a text that merely mentions a tag further in ("use <p> for ...") is text. Group 1: the tag, which tells a whole
# page (``WHOLE_PAGE_TAGS``) from a fragment of one (``with_blank_line_breaks``).
HTML_TEXT = re.compile(r"\ufeff?\s*(?:<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|article|main|section|div|p|"
                       r"h[1-6])[\s/>]", re.IGNORECASE | re.DOTALL)
WHOLE_PAGE_TAGS = ("!doctype", "html", "head", "body")
# A blank line or more in a text, with the blanks around them; where a fragment's text holds one, the row (a CMS's
# export that mixes tags with paragraphs written as plain text) meant a new paragraph there
BLANK_LINES = re.compile(r"[ \t\r]*\n(?:[ \t\r]*\n)+[ \t\r]*")
RAW_TEXT_TAGS = ("pre", "textarea", "script", "style")  # where a blank line is the text's own, no paragraph break
# Elements that hold a block of their own (HTML's flow content less its phrasing content); the text and inline elements
# between two of them are a run of loose text (``with_blank_line_breaks``)
BLOCK_TAGS = frozenset(("address", "article", "aside", "blockquote", "body", "dd", "details", "dialog", "div", "dl",
                        "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
                        "header", "hgroup", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody",
                        "td", "tfoot", "th", "thead", "tr", "ul"))
MANIFEST_NAME = "manifest.csv"
MANIFEST_FIELDS = ("file", "source", "title", "date", "url", "language")
# The most characters one article's text may hold (a text file's, a table row's, the text extracted from an HTML
# page; ``--max-article-chars`` raises it): a longer one is scraped junk (a site dumped into one file, a base64
# blob), skipped with a warning. Measured on 2026-12-06: the longest articles of the shared data sets (basil,
# persent) hold 5,600 to 8,300 characters; a generated article of news paragraphs took 8 s and peaked at 268 MB
# through prepare at 1,000,000 characters, 24 s and 318 MB at 2,000,000 (cost grows faster than its length), and
# one of 50,000,000 had not finished after 240 s.
MAX_ARTICLE_CHARS = 2_000_000
# The most bytes a file may hold for each character its article may: a text file's characters take at most four
# bytes in UTF-8; an HTML page carries its markup too. A page over ten bytes a character is skipped before it is
# parsed, as lxml and trafilatura would spend on it what its text could never be kept for: measured on 2026-12-06,
# a generated 20 MB page of news paragraphs took 20 s and peaked at 898 MB through prepare before its 19,609,107
# characters were skipped, and a 100 MB one was not done after 300 s (1,593 MB). The bound is ten bytes for each
# character of the cap or of MAX_ARTICLE_CHARS, whichever is higher (20,000,000 bytes at least): a lowered cap is
# measured on the extracted text, as real pages' markup can be most of them. Ten is above every page measured:
# the 24 pages of bench/html_pages hold 2.25 to 8.01 bytes for each character extracted (4.18 over all; the
# Russian page's two-byte letters the fewest, the WordPress page's embeds the most); the shared seeds' texts, 1.00
# to 1.02.
TEXT_BYTES_PER_CHAR = 4
HTML_BYTES_PER_CHAR = 10


class Article(BaseModel):
    id: str
    text: str
    source: str
    title: Optional[str] = None
    date: Optional[str] = None
    url: Optional[str] = None
    path: Optional[str] = None
    page_words: Optional[int] = None  # an HTML page: the words of all its visible text, before the extractor chose
    language: Optional[str] = None  # as a manifest's or table's ``language`` column gives it ("de", "ru", "en-GB")
    # an HTML page: its lines after the headline that a standfirst holds (``standfirst_lines``); None for a text
    # without markup, whose dek line ``prepare.dek_then_dateline`` reads from the text
    standfirst: Optional[int] = None


@dataclass
class Skipped:
    path: str
    reason: str
    # "file", "manifest row" (naming no article read), "table row" (an article without text, ``EMPTY_TEXT``, or
    # whose HTML page is past the parser's limits, ``past_parser_limits``: a row unreadable), "long line" (a
    # compressed table's line over ``io.files.COMPRESSED_LINE_CHARS``, not read) or "too long" (an article over
    # ``MAX_ARTICLE_CHARS``) or "no article" (a page, text file or table row of a site's notice alone, ``no_article``);
    # the last two (``ALWAYS_SKIPPED``) are always skipped with a warning, never an error for the run
    kind: str = "file"

    def warning(self) -> str:
        """Its one-line warning where it is passed over, the CLI's and ``prepare_items``' alike: 'ignored
        manifest.csv:3: lists ...' for a manifest row (no article is lost: the row is unused), 'skipped FILE: ...'
        for the rest."""
        return f"{'ignored' if self.kind == 'manifest row' else 'skipped'} {self.path}: {self.reason}"

    def refusal(self, option: str = "--skip-unreadable") -> str:
        """Its one-line error where it stops the run: 'FILE: reason (--skip-unreadable skips such files)'; ``option``
        as the caller spells it (``skip_unreadable=True`` in ``prepare_items``)."""
        return f"{self.path}: {self.reason} {skip_hint(self.kind, option)}"


ALWAYS_SKIPPED = ("too long", "no article")
EMPTY_TEXT = "empty 'text'"  # the reason of a table's row without text; its other rows skipped are unreadable
NAMED_NO_ARTICLES = 3  # the articles skipped as a site's notice alone named one by one; the rest told in one line
# the kinds of skip a table may hold by the thousand, each told so: its first ``NAMED_NO_ARTICLES`` named one by one,
# the rest in one line of these words ("skipped 2 more <plural>, as the 3 above ...")
COUNTED_SKIPS = {"no article": ("article that is only a site's notice", "articles that are only a site's notice"),
                 "table row": ("row without text", "rows without text"),
                 "file": ("unreadable file", "unreadable files")}
ROW_SKIPS = ("table row", "long line")  # the kinds of skip that are a table's rows; the others are files
# an unreadable file's reason in a few words, for the line that counts those not named ("skipped 4,997 more
# unreadable files (4,990 binary, 7 empty), ..."), counted without a plural: the first pattern that matches the
# reason's start, else its words up to the first "(", ";", ":" or "," (an "a"/"an" before them dropped)
REASON_GISTS = ((re.compile(r"empty file"), "empty"), (re.compile(r"binary file"), "binary"),
                (re.compile(r"not UTF-8"), "not UTF-8"),
                (re.compile(r"looks like (UTF-(?:16|32))"), r"\1 without a byte-order mark"),
                (re.compile(r"cannot decode as (\S+)"), r"not \1"),
                (re.compile(r"a link to a file outside"), "linking out of the folder"),
                (re.compile(r"a link to a file that does not exist"), "linking to nothing"),
                (re.compile(r"cannot read \((.+)\)"), r"\1"),  # an OSError's strerror: "Permission denied"
                (re.compile(r"no article text found"), "HTML without article text"),
                (re.compile(r"an? (ZIP|PDF|word-processor|spreadsheet) "), r"\1"))  # io.files.kind_problem's
GIST_END = re.compile(r" \(|[;:,]")


def reason_gist(reason: str) -> str:
    """``reason`` (``Skipped.reason``) in a few words (``REASON_GISTS``): 'binary file (NUL bytes in its first
    bytes)' is 'binary'."""
    gist = next((found.expand(words) for pattern, words in REASON_GISTS if (found := pattern.match(reason))),
                None) or re.sub(r"^an? ", "", GIST_END.split(reason, 1)[0].strip()) or reason
    return gist[:1].lower() + gist[1:] if gist[1:2].islower() else gist  # "permission denied"; "UTF-16", "ZIP" kept


def skip_hint(kind: str, option: str = "--skip-unreadable") -> str:
    """What a refusal of an unreadable input of ``kind`` (``Skipped.kind``) says after its reason: '(--skip-unreadable
    skips such rows)' for a table's row, '(... ignores such rows)' for a manifest's (as its warning says), '(... skips
    such files)' else; ``option`` as the caller spells it (``skip_unreadable=True`` in ``prepare_items``)."""
    if kind == "manifest row":
        return f"({option} ignores such rows)"
    return f"({option} skips such {'rows' if kind in ROW_SKIPS else 'files'})"


@dataclass
class SkipNames:
    """Which skipped articles a run names one by one, each in a warning: every one, but of those that a table or a
    folder may hold by the thousand (``COUNTED_SKIPS``: a site's notice alone, kind "no article"; a row without
    text, kind "table row", and an unreadable file, kind "file", both skipped with --skip-unreadable) the first
    ``NAMED_NO_ARTICLES`` of each kind; the others are counted and told in one line a kind at the end (``rest``), as
    the summary counts them all."""
    counts: dict = field(default_factory=dict)  # kind -> how many met
    first_unnamed: dict = field(default_factory=dict)  # kind -> where the first not named is
    gists: dict = field(default_factory=dict)  # "file" -> the unnamed files' reasons in a few words -> how many

    def named(self, problem: Skipped) -> bool:
        if problem.kind not in COUNTED_SKIPS or problem.kind == "table row" and problem.reason != EMPTY_TEXT:
            return True  # a row unreadable for its HTML: rare, each named, not told as a row without text
        self.counts[problem.kind] = self.counts.get(problem.kind, 0) + 1
        if self.counts[problem.kind] <= NAMED_NO_ARTICLES:
            return True
        self.first_unnamed.setdefault(problem.kind, problem.path)
        if problem.kind == "file":  # a row's or a notice's reason is of one nature; a file's are many
            gists = self.gists.setdefault(problem.kind, {})
            gist = reason_gist(problem.reason)
            gists[gist] = gists.get(gist, 0) + 1
        return False

    def rest(self) -> list[str]:
        """'skipped 12,345 more articles that are only a site's notice ...', a line for each kind of which some
        were not named, in the order their first unnamed came (none where each was named); unreadable files with
        their reasons counted, the most first ('skipped 4,997 more unreadable files (4,990 binary, 7 empty), ...')."""
        lines = []
        for kind, first in self.first_unnamed.items():
            more, (one, many) = self.counts[kind] - NAMED_NO_ARTICLES, COUNTED_SKIPS[kind]
            gists = sorted(self.gists.get(kind, {}).items(), key=lambda gist: -gist[1])  # stable: first met first
            why = f" ({', '.join(f'{count:,} {gist}' for gist, count in gists)})" if gists else ""
            lines.append(f"skipped {more:,} more {one if more == 1 else many}{why}, as the {NAMED_NO_ARTICLES} above "
                         f"(from {first} on; not named one by one)")
        return lines


def too_long(chars: int, max_chars: int, unit: str = "characters") -> str:
    """Why an article over ``max_chars`` is skipped, as its one-line warning says it."""
    return (f"{chars:,} {unit}, more than {option('max_article_chars', max_chars)} allows for one article (scraped "
            "junk such as a site dump or a base64 blob?); raise it to read the article")


def skip_too_long(skipped: list[Skipped], where: str, size: int, max_chars: int, unit: str = "characters",
                  on_file=None, what: str = "") -> None:
    """Skip an article over ``max_chars``: ``size`` in ``unit`` (the bytes of a file or page, told before it is
    read, or the characters of its text; ``what`` names a table's field), then ``on_file`` (a file is done)."""
    skipped.append(Skipped(where, what + too_long(size, max_chars, unit), kind="too long"))
    if on_file:
        on_file()


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def decode(data: bytes, encoding: str | None = None, html: bool = False) -> str:
    """Text of a file, or ValueError saying why it is not text. A byte-order mark decides (or a UTF-16/32
    ``encoding``); then UTF-16 text without one and binary data are refused, as a table read by its content is
    (``io.files.unmarked_utf16``: NULs at every other byte; ``io.files.binary_bytes``: NUL bytes, or control bytes in
    bytes that are not UTF-8); then UTF-8 where the bytes are UTF-8; then, for an HTML
    page, the charset its ``<meta>`` declares; then ``encoding`` (``--encoding``: the encoding of the files that are
    not UTF-8)."""
    if not data.strip():
        raise ValueError("empty file")
    problem = archive_problem(io.BytesIO(data))  # a workbook or a ZIP archive named as an article
    if problem:
        raise ValueError(problem)
    marked = bom_encoding(data[:4])
    if marked:
        return data.decode(marked)
    if encoding and wide_encoding(check_encoding(encoding)):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ValueError(f"cannot decode as {encoding} ({exc.__class__.__name__})") from None
    try:
        text, first_bad = data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        text, first_bad = None, exc.start
    wide = unmarked_utf16_problem(data[:BINARY_SAMPLE])  # as a table's: LE or BE by its NULs' offsets
    if wide:
        raise ValueError(wide)
    binary = binary_bytes(data[:BINARY_SAMPLE], lambda: text is not None)  # the rule a table read by content has
    if binary:
        raise ValueError(f"binary file ({binary} in its first bytes)")
    if text is not None:
        return text
    declared = page_charset(data) if html else None
    if declared:  # a page's own charset first; where it is wrong, --encoding
        try:
            return data.decode(declared)
        except (UnicodeDecodeError, LookupError):
            pass
    if not encoding:
        nor = f", nor {declared} as the page declares" if declared else ""
        hint = likely_encoding([data])  # the value to pass, where the bytes are cp1252's
        if not hint:
            nor += f", nor {LIKELY_ENCODING}"
        named = option("encoding", hint) if hint else f"{option('encoding')} with its encoding"
        raise ValueError(f"not UTF-8 text (byte {first_bad}){nor}; re-save as UTF-8 or pass {named}")
    try:
        return data.decode(check_encoding(encoding))
    except UnicodeDecodeError as exc:
        raise ValueError(f"cannot decode as {encoding} ({exc.__class__.__name__})") from None


# what browsers read a page declaring these as (WHATWG Encoding): Windows-1252, whose curly quotes such pages hold
_AS_BROWSERS_READ = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252",
                     "us-ascii": "cp1252", "iso8859-1": "cp1252", "l1": "cp1252"}


def page_charset(data: bytes) -> str | None:
    """The charset an HTML page's ``<meta>`` declares (as a browser reads it), unless it is UTF-8, which the bytes
    have just failed to be."""
    declared = _META_CHARSET.search(data[:4096])
    if not declared:
        return None
    name = declared.group(1).decode("ascii").lower()
    name = _AS_BROWSERS_READ.get(name, name)
    return None if name.replace("_", "-") in ("utf-8", "utf8") else name


# What each platform's embed code writes around a post (its text, author line and date): a post quoted this way is
# not the outlet's sentence, yet trafilatura keeps a bare tweet, a TikTok, a Facebook, Telegram, Bluesky, Threads or
# Reddit post as body text (docs/html_extraction.md). Matched as whole class tokens or the embed's own data-
# attribute, never by the tag: an ordinary <blockquote> of quoted speech is the article's and stays. Pruned through
# trafilatura's own ``prune_xpath`` before it extracts.
EMBED_CLASSES = ("twitter-tweet", "twitter-video", "instagram-media", "tiktok-embed", "fb-post", "fb-video",
                 "fb-xfbml-parse-ignore", "telegram-post", "bluesky-embed", "text-post-media", "reddit-embed-bq",
                 "mastodon-embed")
EMBED_ATTRIBUTES = ("data-instgrm-permalink", "data-telegram-post", "data-bluesky-uri", "data-text-post-permalink")
EMBEDS_XPATH = "//*[" + " or ".join([f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"
                                     for name in EMBED_CLASSES] + [f"@{name}" for name in EMBED_ATTRIBUTES]) + "]"


def thin_page_chars() -> int:
    """How few characters of article text an HTML page may give before prepare warns that the extractor found no
    article there (its navigation, a cookie line and the headline are all that is left): trafilatura's own
    ``MIN_EXTRACTED_SIZE`` (250), below which it judges an extraction too short to trust and tries its fallback."""
    from trafilatura.settings import DEFAULT_CONFIG

    return DEFAULT_CONFIG.getint("DEFAULT", "MIN_EXTRACTED_SIZE")


# What a page holds where the site served no article: a cookie or consent wall, an error page, a block, a paywall
# or sign-in wall, a browser check. Each pattern is a whole sentence, lower-cased, its closing stop left off
# (``no_article``); written by hand for the 22 made-up pages of bench/html_boilerplate (none copied from a site), kept
# narrow so that an article that uses such words ("Russia denied UN inspectors access", "a 404 Not Found error", a
# teaser paragraph before "Subscribe to continue reading") stays: the 5 real pages there keep all their sentences.
# a place is no attribution tail: "This service is not available in Russia, Netflix said." is a sentence of a brief,
# its ", Netflix said" (", according to Reuters", ", Netflix told Reuters") no second place of a notice; nor does a
# place end in a word of "-ed", a verb of any attribution (", Netflix disclosed", ", the company confirmed"). A place
# is up to five words ("the United Arab Emirates", "the Democratic Republic of Congo"), none of them a word of a
# clause ("Russia, where the government blocked it", "since the company left", "until Friday", "under US
# sanctions", "during the blackout") nor a verb of attribution in the present (", Netflix spokeswoman Jane Doe
# explains")
_ATTRIBUTION = r"(?:according|said|says|say|told|tells|reported|reports|announced|announces|stated|added|" \
               r"adds|wrote|writes|confirmed|confirms|claimed|claims|explained|explains|noted|notes|insisted|" \
               r"insists|warned|warns|reveals|admits|argues|reportedly)"
_CLAUSE = r"(?:a|an|as|at|by|for|from|in|on|to|with|where|which|who|that|because|since|after|before|while|when|" \
          r"it|its|they|their|this|is|was|are|were|has|have|had|will|would|can|could|may|might|until|till|during|" \
          r"under|amid|over|due|following|without|through|throughout|despite|against|pending|next|last|now|" \
          r"today|tomorrow|yet|anymore)"
_PLACE_WORD = rf"(?!(?:{_ATTRIBUTION}|{_CLAUSE})(?![\w'.-]))[\w'.-]+"
_ONE_PLACE = rf"{_PLACE_WORD}(?: {_PLACE_WORD}){{0,4}}(?<!ed)"  # "Russia", "the United Arab Emirates"
_PLACE = rf"(?:your (?:country|region|location|area)|{_ONE_PLACE}(?:(?:,|,? or|,? and) {_ONE_PLACE}){{0,5}})"
BOILERPLATE = {
    "a cookie or consent notice": [
        r"we (?:and our (?:\d+ )?partners )?use cookies\b.*", r"we value your privacy", r"your privacy choices",
        r"we and our (?:\d+ )?partners (?:store|use|process)\b.*", r"by continuing to (?:browse|use)\b.*cookies",
        r"you can change your (?:choices|settings|preferences) at any time\b.*", r"before you continue(?: to \S+)?",
        r"if you choose to accept all, we\b.*", r"with your (?:permission|consent),? we and our partners\b.*",
        r"you (?:may|can) click to consent\b.*", r"(?:accept|reject|allow) all(?: cookies)?",
        r"manage (?:settings|cookies)",
    ],
    "an error page": [
        r"(?:error )?(?:400|401|403|404|410|500|502|503|504)(?: error)?(?: (?:not found|forbidden|gone|unauthori[sz]ed|"
        r"bad request|service unavailable|bad gateway|internal server error|gateway time-?out))?",
        r"(?:page|file) not found",
        r"not found", r"forbidden", r"service (?:temporarily )?unavailable", r"bad gateway", r"internal server error",
        r"(?:sorry, )?(?:the|this) page (?:you (?:are|were) looking for|you requested) (?:does not|doesn't|could not|"
        r"cannot|can't) (?:exist|be found)\b.*",
        r"(?:sorry, )?we (?:could not|couldn't|can't|cannot) find (?:that|this|the) page\b.*",
        r"it may have been (?:moved|deleted|removed)\b.*", r"the requested url was not found on this server",
        r"the server is temporarily unable to service your request", r"please try again later",
        r"this (?:article|page|story|content) (?:is no longer available|has been removed|has been deleted)",
        r"(?:nginx|apache)(?:/[\d.]+)?(?: server at .*)?", r"seite nicht gefunden", r"die angeforderte seite wurde "
        r"(?:leider )?nicht gefunden", r"page (?:introuvable|non trouvée)", r"страница не найдена",
    ],
    "an access block": [
        r"access denied", r"access to this (?:page|site|website|content|resource) (?:has been|is) denied",
        r"you (?:don't|do not) have permission to access (?:this|the requested) (?:resource|page|server|url)\b.*",
        r"this (?:content|page|video|article|site|website|service|material) is "
        rf"(?:not|no longer|currently not|currently un)(?: ?available| accessible) (?:in|from) {_PLACE}",
        r"we apologi[sz]e for (?:any|the) inconvenience",
        r"unfortunately, our (?:site|website) is currently unavailable in (?:most )?(?:european countries|your country|"
        r"the eu|the european union)", r"we are engaged on the issue\b.*", r"доступ запрещ[её]н",
        r"этот материал недоступен в вашей стране", r"zugriff verweigert", r"accès refusé",
    ],
    "a browser check": [
        r"(?:please )?enable javascript\b.*", r"(?:you need to|please) enable javascript to (?:run|view|use)\b.*",
        r"this (?:site|website|page) requires javascript\b.*", r"loading(?:\.\.\.|…)?",
        r"checking (?:your|if the site connection is secure|the site connection)\b.*", r"this process is automatic",
        r"your browser will redirect to your requested content shortly", r"please allow up to \d+ seconds",
        r"ddos protection by cloudflare", r"(?:cloudflare )?ray id: ?[0-9a-f]+", r"just a moment(?:\.\.\.)?",
        r"sorry, you have been blocked", r"this website is using a security service to protect itself\b.*",
        r"are you a robot", r"(?:please )?(?:confirm|verify) (?:that )?you are (?:a )?human\b.*",
        r"your browser is not supported", r"please upgrade to a (?:modern|newer|supported) browser\b.*",
        r"we noticed (?:that )?you(?:'re| are) using an ad ?blocker", r"please disable your ad ?blocker\b.*",
    ],
    "a paywall or sign-in wall": [
        r"subscribe (?:now )?to (?:continue|keep) reading(?: this article)?", r"already a subscriber",
        r"(?:sign|log) in(?: here| now)?", r"register (?:now )?(?:for free|here)",
        r"you have reached your (?:limit|maximum) of free articles\b.*", r"subscribe (?:now )?for unlimited access\b.*",
        r"(?:please )?(?:sign|log) in to (?:continue|read) (?:reading|this article|this story)\b.*",
        r"(?:don't|do not) have an account", r"this (?:article|content) is for subscribers only",
    ],
}


@functools.cache
def _boilerplate() -> tuple[re.Pattern, list[tuple[str, re.Pattern]]]:
    """:data:`BOILERPLATE` compiled, all in one pattern and each with its kind, on the first call: compiled as
    ``ingest`` loaded, its 71 patterns cost every command (``stance report``, ``label``, which read no page)."""
    each = [(why, re.compile(pattern)) for why, patterns in BOILERPLATE.items() for pattern in patterns]
    return re.compile("|".join(f"(?:{pattern.pattern})" for _, pattern in each)), each


_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # where ``str.splitlines`` ends a line
_LINE = re.compile(f"[^{_BREAKS}]+")
# where a sentence ends (a stop and a space) or a line does: the text is read up to the next one at a time, so a
# table's text of 50,000 characters on one line is neither split nor scanned whole
_PIECE_END = re.compile(f"[.!?…]\\s+|[{_BREAKS}]\\s*")  # a stop is its sentence's: no look-behind, which is slower
_NOT_SPACE = re.compile(r"\S")
_NOTICE_WORDS = 2  # a sentence of two words or fewer is a page's furniture ("Daily News", "nginx", "Oops!")
_HEADLINE_CHARS = 1000  # a first line longer than this is no headline (``no_article``: neither compared nor split)


def _sentences(text: str, start: int, end: int | None = None) -> Iterator[str]:
    """The sentences of ``text[start:end]`` (split after a stop and a space, and at each line's end), one at a
    time, their spaces collapsed."""
    end = len(text) if end is None else end
    for stop in _PIECE_END.finditer(text, start, end):
        yield " ".join(text[start:stop.start() + (text[stop.start()] not in _BREAKS)].split())
        start = stop.end()
    yield " ".join(text[start:end].split())


# scripts written without spaces between words (Chinese, Japanese kana and kanji, Thai, Lao, Khmer, Myanmar): a
# sentence of them is one "word" to str.split, so its words are counted as two characters each (``words``)
_UNSPACED = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
                       "\uf900-\ufaff]")


def words(sentence: str) -> int:
    """The words of ``sentence``: its space-separated ones, a run of a script written without spaces counted as a
    word in two characters ("登录", sign in, one; a Chinese sentence of 30 characters 15). Counted by spaces alone, each
    Chinese, Japanese or Thai sentence was one word, a page's furniture, and such an article with an English "Sign in"
    or "Loading..." line on its page was skipped as no article."""
    return sum(max(1, len(_UNSPACED.findall(token)) // 2) for token in sentence.split())


def no_article(text: str, title: str | None = None) -> str | None:
    """Why an article's ``text`` is no article, or None: where each of its sentences after the headline is a whole
    sentence of ``BOILERPLATE`` ("Access denied.", "This content is not available in Russia or Belarus.", "We use
    cookies ...", "404 Not Found") or of two words or fewer ("Daily News", "Manage settings", "Oops!"), and one
    sentence at least is of ``BOILERPLATE``, the text is a site's notice and not an article: its place names became
    items. Of every article whatever its format: an HTML page's text (``html_to_text``'s), a text file's, a table
    row's, the last two with their title column's or manifest's headline before it as prepare reads it
    (``with_title``). The headline is its first line where that is ``title`` in any spelling
    (``segment.same_title``), or, with no title, where it reads as one (``segment.looks_like_heading``: short, no
    stop at its end) and more lines follow it; it is set aside (a site's name as ``<title>``, or the article's own: a
    headline alone over a wall is no article either), but a headline that is a notice itself ("Access denied") is
    one. One sentence of any other words keeps the article: the text is read a sentence at a time up to it, so a long
    article costs a look at its first sentences. Written here because trafilatura keeps such text (it prunes a
    cookie banner by its class, not its words), and its ``is_probably_readerable`` asks for a paragraph of 140
    characters: it judged all 17 real short pages of bench/html_short and bench/html_boilerplate not readerable."""
    from classifier.segment import looks_like_heading, same_title

    first = _NOT_SPACE.search(text)
    if not first:
        return None
    start = first.start()
    line = _LINE.match(text, start, start + _HEADLINE_CHARS + 1)  # the first line, looked at where short
    whole = line.end() == len(text) or text[line.end()] in _BREAKS
    headline = whole and len(line.group()) <= _HEADLINE_CHARS and (
        (" ".join(line.group().split()) == " ".join(title.split()) or same_title(title, line.group())) if title
        else looks_like_heading(line.group().strip(), opens_text=True) and _NOT_SPACE.search(text, line.end())
        is not None)  # with no title, a text of one line is no headline over a wall: its sentences are read
    found = []
    any_boilerplate, each_boilerplate = _boilerplate()
    parts = ((True, _sentences(text, start, line.end())), (False, _sentences(text, line.end()))) if headline else \
        ((False, _sentences(text, start)),)
    for in_headline, sentences in parts:
        for sentence in sentences:
            plain = sentence.lower().replace("\u2019", "'").rstrip(".!?…").strip()
            if any_boilerplate.fullmatch(plain):
                found.append((next(why for why, pattern in each_boilerplate if pattern.fullmatch(plain)), sentence))
            elif not in_headline and words(plain) > _NOTICE_WORDS:  # a sentence of the article's
                return None
    if not found:
        return None
    kinds, quote = list(dict.fromkeys(why for why, _ in found)), max((s for _, s in found), key=len)
    return f"no article, only {' and '.join(kinds)} ('{quote if len(quote) <= 80 else quote[:79].rstrip() + '…'}')"


def past_parser_limits(html: str) -> str | None:
    """Why libxml2, the HTML parser under lxml and trafilatura, would stop reading ``html`` part way, or None: past
    its limits (elements nested more than 255 deep, as 300 unclosed ``<div>`` tags make them; one text of more
    than 10 MB) it drops the rest of the page without an exception, and trafilatura extracts what came before, so
    such a page lost its later paragraphs, or all of them, without a word. Written here because trafilatura keeps
    the parser's error log to itself; the limits are kept (lxml's ``huge_tree`` would lift them), as they guard
    against runaway input."""
    from lxml import etree

    parser = etree.HTMLParser(encoding="utf-8")
    try:
        etree.fromstring(html.encode("utf-8", "surrogatepass"), parser)
    except (ValueError, etree.LxmlError):  # not a page lxml reads at all: trafilatura says so its own way
        return None
    limits = [e.message for e in parser.error_log if e.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT]
    if not limits:
        return None
    return ("elements nested more than 255 deep (unclosed tags pile up so)" if "depth" in limits[0] else
            "a single text or tag over 10 MB")


def as_document(html: str) -> str | None:
    """The page as lxml reads it, written out whole (``<html><body>…``), for a page that trafilatura's loader
    refuses: where "html" is not in its first 50 characters and lxml's tree of it has fewer than two elements
    under the root, trafilatura takes it for "not valid HTML" and every one of its modes, ``baseline`` and
    ``html2txt`` too, gives nothing, so a page of a ``<body>`` or a ``<p>`` alone, or one opened by a browser's
    "saved from" comment or an XML declaration and without a ``<head>``, was refused as holding no article text
    (docs/html_extraction.md). None where lxml reads no element either. Written here because trafilatura has no
    switch for that check; a page it takes is never passed through this."""
    from lxml import etree
    from lxml import html as lxml_html

    parser = lxml_html.HTMLParser(encoding="utf-8")  # bytes, as a str with an XML declaration is refused
    try:
        return etree.tostring(lxml_html.document_fromstring(html.encode("utf-8", "surrogatepass"), parser),
                              method="html", encoding="unicode")
    except (ValueError, etree.LxmlError):  # nothing lxml reads as an element (a comment alone, a blank page)
        return None


def as_block(parent, made: set) -> None:
    """Each run of loose text in ``parent`` (its text or a block child's tail, and the inline elements after it up
    to the next block child, ``BLOCK_TAGS``) that holds one of the ``<br>``s in ``made`` put in a ``<div>`` of its
    own, where ``parent`` holds a block child too. The extractor dropped what followed such a ``<br>`` in text loose
    after a ``<p>`` ("<p>Intro</p>More text<br><br>Last paragraph" gave "Intro\nMore text"); in a block of its own
    it keeps it, a line each."""
    from lxml import etree

    def block(el) -> bool:
        return isinstance(el.tag, str) and el.tag.lower() in BLOCK_TAGS

    kids = list(parent)
    if not any(block(kid) for kid in kids):
        return
    runs, run, owner = [], [], None  # owner: the block child whose tail opens the run (None: parent.text)
    for kid in [*kids, None]:
        if kid is None or block(kid):
            runs.append((owner, run))
            run, owner = [], kid
        else:
            run.append(kid)
    for owner, run in runs:
        if not any(d in made for el in run for d in el.iter()):
            continue
        div = etree.Element("div")
        if owner is None:
            div.text, parent.text = parent.text, None
            parent.insert(0, div)
        else:
            div.tail, div.text, owner.tail = None, owner.tail, None
            parent.insert(parent.index(owner) + 1, div)
        for el in run:
            div.append(el)  # moved with its tail


def with_blank_line_breaks(html: str) -> str:
    """A fragment of a page (a table row's CMS body, ``HTML_TEXT``) with each blank line in its text written as a
    paragraph break (``<br><br>``, which the extractor ends a line at), where some text holds one; else ``html`` as
    it is. A CMS export may mix tags with paragraphs written as plain text ("<p>Intro</p>\\n\\n# Heading\\n\\nNext
    paragraph"): the extractor reads HTML as a browser shows it, its blank lines as one space, and so ran the
    heading and the next paragraph into one sentence. Blank lines between tags alone, and inside ``<pre>``,
    ``<textarea>``, scripts and styles (``RAW_TEXT_TAGS``), are left; a whole page (``WHOLE_PAGE_TAGS``) is not
    passed through this, as its ``.html`` file would not be."""
    if not BLANK_LINES.search(html):
        return html
    from html import escape

    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.document_fromstring(html.encode("utf-8", "surrogatepass"),
                                             lxml_html.HTMLParser(encoding="utf-8"))
    except (ValueError, etree.LxmlError):  # nothing lxml reads as an element: the extractor says so its own way
        return html

    def raw(el) -> bool:
        return any(isinstance(a.tag, str) and a.tag.lower() in RAW_TEXT_TAGS for a in (el, *el.iterancestors()))

    def breaks(text: str) -> list[str]:  # the text's pieces between blank lines, where it holds one outside blanks
        return BLANK_LINES.split(text) if text and text.strip() and BLANK_LINES.search(text) else []

    # (element, its text's pieces, its tail's pieces), gathered before the tree is changed
    found = [(el, breaks(el.text) if isinstance(el.tag, str) and not raw(el) else [],
              breaks(el.tail) if el.getparent() is not None and not raw(el.getparent()) else [])
             for el in root.iter()]
    if not any(text or tail for _, text, tail in found):
        return html

    made: set = set()  # the <br>s written here (lxml keeps a proxy while it is held, so they are known by it)

    def pair(piece: str) -> list:  # <br><br> and the piece after them
        first, second = etree.Element("br"), etree.Element("br")
        second.tail = piece
        made.update((first, second))
        return [first, second]

    for el, text, tail in found:
        if text:
            el.text = text[0]
            for at, br in enumerate(br for piece in text[1:] for br in pair(piece)):
                el.insert(at, br)
        if tail:
            el.tail = tail[0]
            parent, at = el.getparent(), el.getparent().index(el) + 1
            for offset, br in enumerate(br for piece in tail[1:] for br in pair(piece)):
                parent.insert(at + offset, br)
    for parent in [el for el in root.iter() if isinstance(el.tag, str) and not raw(el)]:
        as_block(parent, made)
    body = root.find("body")
    if body is None or len(root) > 1:  # a head lxml gave it (a fragment opening with a <meta>): the page whole
        return etree.tostring(root, method="html", encoding="unicode")
    # a fragment as it came, not wrapped in <html><body>, which the extractor reads otherwise: it broke the line
    # before a <b> after a blank line ("Bold\n more text")
    return escape(body.text or "", quote=False) + "".join(etree.tostring(child, method="html", encoding="unicode")
                                                         for child in body)


def page_too_large(size: int, max_chars: int) -> str | None:
    """Why an HTML page of ``size`` bytes (an ``.html`` file's, a table row's page in UTF-8) is skipped before it
    is parsed, or None: over ``HTML_BYTES_PER_CHAR`` bytes for each character of ``max_chars`` or of
    ``MAX_ARTICLE_CHARS``, whichever is higher, lxml and trafilatura would spend minutes and gigabytes on it. A
    lowered cap is no reason to skip a page unparsed (its markup may be most of it): its text is measured after."""
    cap = max(max_chars, MAX_ARTICLE_CHARS)
    if size <= HTML_BYTES_PER_CHAR * cap:
        return None
    return (f"{size:,} bytes of HTML, more than the {HTML_BYTES_PER_CHAR * cap:,} a page is parsed from (ten for each "
            f"character of {option('max_article_chars', cap)}; scraped junk such as a site dump?); raise it to read "
            "the page")


# A layout table (an old or archived site's page laid out in ``<table>`` cells, nav in one, the article in another): one
# that holds a paragraph of LAYOUT_PARAGRAPH_WORDS words or more, or a cell of LAYOUT_CELL_WORDS words or more outside
# links (text run together with ``<br>``). A table of figures holds neither, nor does one whose cells wrap a figure
# in a ``<p>``.
LAYOUT_PARAGRAPH_WORDS = 12
LAYOUT_CELL_WORDS = 50


def _words_outside_links(el) -> int:
    return len(el.text_content().split()) - sum(len(a.text_content().split()) for a in el.iter("a"))


def layout_tables(tree) -> list:
    """The page's layout tables (``LAYOUT_PARAGRAPH_WORDS``, ``LAYOUT_CELL_WORDS``), outermost first; a table of
    figures inside one is none."""
    if tree is None:
        return []
    return [table for table in tree.iter("table")
            if any(len(p.text_content().split()) >= LAYOUT_PARAGRAPH_WORDS for p in table.iter("p"))
            or any(_words_outside_links(cell) >= LAYOUT_CELL_WORDS for cell in table.iter("td", "th"))]


def prose_outside(tables: list, text: str) -> bool:
    """Whether ``text`` (what the extractor kept without tables) holds ``LAYOUT_CELL_WORDS`` words or more of
    paragraphs (``LAYOUT_PARAGRAPH_WORDS`` words or more each) that stand on the page outside ``tables``: an article
    found beside them, so they are tables in or near it (a table of figures whose cells hold sentences), not its
    layout. Such a table had been read as blocks wherever it held more words than the article, its cells joined to
    the article's text."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if len(line.split()) >= LAYOUT_PARAGRAPH_WORDS]
    if sum(len(line.split()) for line in lines) < LAYOUT_CELL_WORDS:
        return False
    skipped = set(tables)  # the same proxies while held here, so the tables are known by them

    def outside(el) -> Iterator[str]:
        if isinstance(el.tag, str) and el.text:  # not a comment's
            yield el.text
        for child in el:
            if child not in skipped:
                yield from outside(child)
            if child.tail:
                yield child.tail

    page = " ".join("".join(outside(tables[0].getroottree().getroot())).split())
    return sum(len(line.split()) for line in lines if line in page) >= LAYOUT_CELL_WORDS


def without_layout_tables(tree, text: str) -> str | None:
    """The page written out with its layout tables (``layout_tables``) as ``<div>`` blocks, their rows and cells
    too, where they hold more words of prose than ``text`` (what the extractor kept without them): else None. The
    reader keeps tables out (``include_tables=False``: a table of figures is no prose), and so it kept nothing but
    the ``<title>`` of an article laid out in a table; with tables in, it joined the nav cell to the article (a table
    is kept whole). As blocks, each cell is judged as any ``<div>`` is: the nav cell's links go as navigation
    (docs/html_extraction.md). Written here because trafilatura has no rule for a layout table."""
    import copy

    from lxml import etree

    tables = layout_tables(tree)
    outer = [t for t in tables if not any(a in tables for a in t.iterancestors("table"))]
    if not outer or sum(_words_outside_links(t) for t in outer) <= len(text.split()) or prose_outside(outer, text):
        return None
    tree = copy.deepcopy(tree)
    for table in layout_tables(tree):
        for el in [table, *(el for el in table.iter("tbody", "thead", "tfoot", "tr", "td", "th")
                           if next(el.iterancestors("table")) is table)]:
            el.tag = "div"
    return etree.tostring(tree, method="html", encoding="unicode")


def html_to_text(html: str, shared_title: bool = False) -> tuple[str, dict]:
    """Main text and metadata of an HTML page, through trafilatura's extractor. The date comes from the page's
    markup (meta tags, <time>, structured data), never from a year the text happens to mention: extensive search
    dated a page that recalls "the 2014 crisis" 2014-01-01. Embedded social-media posts (``EMBEDS_XPATH``) are left
    out of the text; the page's words still count them. A title that is the site's name is no headline: the
    page's ``og:site_name`` (trafilatura's ``sitename``), or its ``<title>`` where
    ``shared_title`` says most of its outlet's pages share it (``shared_titles``); ``info["title"]`` is then None and
    the text does not open with it."""
    import trafilatura

    tree = trafilatura.load_html(html)  # parsed once for the date and both standfirst readers
    if tree is None and (whole := as_document(html)):  # a page its loader refuses outright, as not quite HTML
        html, tree = whole, trafilatura.load_html(whole)
    options = {"include_comments": False, "include_tables": False, "favor_precision": True,
               "prune_xpath": EMBEDS_XPATH}
    text = trafilatura.extract(html, **options) or ""
    if unwrapped := without_layout_tables(tree, text):  # an article laid out in a table
        text = trafilatura.extract(unwrapped, **options) or text
    meta = trafilatura.extract_metadata(html, extensive=False)
    info = {"page_words": len(trafilatura.html2txt(html).split())}  # what --explain sets beside the words kept
    body = structured_body(html)
    if len(body.split()) > 2 * len(text.split()):  # a page that shows its text only through a script
        text, info["page_words"] = body, info["page_words"] + len(body.split())
    if meta is not None:
        info.update(title=meta.title, date=meta.date, url=meta.url, sitename=meta.sitename)
        info["title"] = without_kicker(meta.title, html)
        if info["title"] and (_spaced(info["title"]) == _spaced(meta.sitename or "") or shared_title and
                              _spaced(info["title"]) == _spaced(page_title(html) or "")):
            info["title"], info["site_title"] = None, meta.title  # the site's name, every page's: no headline
        first, newline, rest = text.lstrip().partition("\n")
        if info["title"] != meta.title and " ".join(first.split()) == " ".join(meta.title.split()):
            text = info["title"] + newline + rest  # the headline as the text's first line, where it is
    if not info.get("date") and tree is not None:
        info["date"] = marked_date(tree)
    text = with_standfirst(text, standfirst(tree, text), info.get("title"))
    info["standfirst"] = standfirst_lines(tree, text, info.get("title"))
    return text, info


_ISO_DAY = re.compile(r"\d{4}-\d\d-\d\d")


def marked_date(tree) -> str | None:
    """The day a page's own date markup gives, read by ``normal_date``, where htmldate (through trafilatura) read
    none: htmldate reads month names in English, German and French only, so "3 марта 2022 г." or "3 de marzo de
    2022" in a meta tag left the page undated. The places, in htmldate's order: a meta tag that htmldate takes for
    the publication date (``article:published_time``, ``og:published_time``, ``date``, ``dc.date``, ...:
    its own ``DATE_ATTRIBUTES``; or ``itemprop="datePublished"``), JSON-LD's ``datePublished``, any other element
    marked ``itemprop="datePublished"``, a ``<time>`` element's ``datetime`` or text (the earliest where there
    are several, as htmldate takes for the original date), and the text of the first element whose class names a
    date (``_DATE_CLASS``: "date", "article-date"; not a modified or updated one, nor one in the page's furniture:
    a teaser card's date is another article's). A time after the date ("3 марта 2022, 14:05") is left off
    (``normal_date``). Never the body's free text (htmldate's extensive mode,
    left off: it dated a page that recalls "the 2014 crisis" 2014-01-01). A day outside htmldate's range (before
    1995, after today) is none, as it is none to htmldate. By hand: htmldate has no hook for a date parser of its
    own, and its dateparser fallback comes only with the extensive search."""
    import datetime
    import json

    try:  # htmldate's own lists (internals of htmldate 1.11), so that both read the same places
        from htmldate.core import DATE_ATTRIBUTES
        from htmldate.settings import MIN_DATE
    except ImportError:  # moved in another version: the common publication-date names, and htmldate's first day
        DATE_ATTRIBUTES = {"article:published_time", "og:published_time", "article.published", "date", "dc.date",
                           "dcterms.date", "dc.date.issued", "pubdate", "publishdate", "publish-date",
                           "published_time", "sailthru.date", "datepublished", "parsely-pub-date"}
        MIN_DATE = datetime.datetime(1995, 1, 1)

    def day(value) -> str | None:
        written, readable = normal_date(value) if isinstance(value, str) else (None, False)
        if not readable or not written or not _ISO_DAY.match(written):
            return None  # empty, unreadable or coarser than a day ("2022-03")
        return written[:10] if MIN_DATE.date().isoformat() <= written[:10] <= datetime.date.today().isoformat() \
            else None

    def published(data):  # each datePublished of a JSON-LD object, however deep (an @graph, a list), in order;
        stack = [data]      # a stack, not recursion: a page may nest its JSON as deep as the parser lets it
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                yield node.get("datePublished")
                stack.extend(reversed(node.values()))
            elif isinstance(node, list):
                stack.extend(reversed(node))

    for meta in tree.iterfind(".//meta[@content]"):
        names = {meta.get(key, "").strip().lower() for key in ("name", "property", "itemprop")}
        if names & DATE_ATTRIBUTES or "datepublished" in names or meta.get("pubdate", "").lower() == "pubdate":
            if found := day(meta.get("content")):
                return found
    for script in tree.iterfind('.//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "", strict=False)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
            continue
        for value in published(data):
            if found := day(value):
                return found
    for marked in tree.xpath('.//*[translate(@itemprop, "DATEPUBLISHED", "datepublished")="datepublished"]'):
        for value in (marked.get("datetime"), marked.get("content"), marked.text_content()):
            if found := day(value):
                return found
    times = [day(time.get("datetime")) or day(time.text_content()) for time in tree.iter("time")]
    if found := min((found for found in times if found), default=None):
        return found
    for marked in tree.iter():  # the first element a date class names, outside the page's furniture
        if isinstance(marked.tag, str) and _DATE_CLASS.search(marked.get("class", "")) \
                and not _NOT_PUBLISHED.search(marked.get("class", "")) and not _in_furniture(marked) \
                and (found := day(" ".join(marked.text_content().split())[:_LONGEST_DATE + 30])):
            return found
    return None


# a class that names an element's text its date ("date", "article-date", "publish_date"), and one that names another
# date than the publication's ("date-modified", "updated")
_DATE_CLASS = re.compile(r"(?:^|[\s_-])(?:date|pubdate|dateline|published)(?:$|[\s_-])", re.IGNORECASE)
_NOT_PUBLISHED = re.compile(r"modif|updat|edit", re.IGNORECASE)


_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_SITE_NAME = re.compile(r"\s+[-–—|:]\s+[^-–—|:]{1,40}$")  # " - DER SPIEGEL", " | Example Post"


def page_title(html: str) -> str | None:
    """The text of the page's ``<title>``, spaced as one line, or None."""
    from html import unescape

    found = _TITLE.search(html)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", found.group(1))).split()) if found else None


# A title shared by SHARED_TITLE_PAGES or more of an outlet's HTML pages, and more than half of them, is the site's
# name ("Daily News" on a site without <h1>), not a headline. Read from the first TITLE_BYTES of each page, up to
# the last ">" in them (an ASCII byte, never part of a UTF-8, Shift_JIS or GBK character: none is cut in two).
SHARED_TITLE_PAGES = 3
TITLE_BYTES = 1 << 16


def shared_titles(root: Path, files: list[Path], meta: dict[str, dict],
                  encoding: str | None = None) -> dict[str, str]:
    """The HTML pages of a folder whose ``<title>`` most of their outlet's pages share (``SHARED_TITLE_PAGES``), by
    path relative to ``root``, with that title. An outlet is a manifest's ``source`` (a page without one is an
    outlet of its own). Read before the pages are parsed, from their first bytes, so that the first page of an
    outlet is read as its last: a site that writes its name as every page's title gave every article the same
    headline (``html_to_text``'s ``shared_title``). The bytes are decoded as the page is (``decode``: UTF-8, else
    the charset its ``<meta>`` declares, else ``encoding``); they had been read as UTF-8, so the titles of
    windows-1251 pages of as many letters each were one title of U+FFFD, and each page lost its headline."""
    titles: dict[str, dict[str, list[str]]] = collections.defaultdict(lambda: collections.defaultdict(list))
    for path in files:
        relative = path.relative_to(root).as_posix()
        source = meta.get(relative, {}).get("source")
        if path.suffix.lower() not in HTML_SUFFIXES or not source or meta[relative].get("title"):
            continue
        try:
            with open(path, "rb") as handle:
                head = handle.read(TITLE_BYTES + 1)
        except OSError:  # read again, and skipped, in its turn
            continue
        if len(head) > TITLE_BYTES:
            head = head[:head.rfind(b">", 0, TITLE_BYTES) + 1]
        try:
            title = page_title(decode(head, encoding, html=True))
        except ValueError:  # not text: the page is skipped in its turn, named
            title = None
        titles[source][_spaced(title or "")].append(relative)
    shared = {}
    for by_title in titles.values():
        pages = sum(map(len, by_title.values()))
        for title, relatives in by_title.items():
            if title and len(relatives) >= SHARED_TITLE_PAGES and 2 * len(relatives) > pages:
                shared.update(dict.fromkeys(relatives, title))
    return shared


def without_kicker(title: str | None, html: str) -> str | None:
    """The headline less a kicker that the page writes in its ``<h1>`` before it ("Ukraine-Krieg Scholz sagt …",
    which trafilatura takes as the title): where the page's ``<title>``, less a site's name after a dash or bar, is
    the headline's last words and leaves one to three words before them, that ``<title>``; else ``title``. Written
    here because trafilatura's metadata prefers the ``<h1>`` and keeps no trace of its parts."""
    from html import unescape

    found = _TITLE.search(html)
    if not title or not found:
        return title
    page_title = " ".join(unescape(re.sub(r"<[^>]+>", "", found.group(1))).split())
    words = title.split()
    for candidate in (page_title, _SITE_NAME.sub("", page_title)):
        tail = candidate.split()
        if tail and 1 <= len(words) - len(tail) <= 3 and words[-len(tail):] == tail \
                and not re.search(r"[.!?]$", words[-len(tail) - 1]):
            return " ".join(tail)
    return title


# A standfirst, dek or key-points box: named so by a class, id or data attribute that holds one of these words
_STANDFIRST_WORDS = re.compile(r"(?:^|[^a-z])(?:standfirst|dek|deck|summary|desc|description|strapline|chapo|"
                               r"key-?points?)(?:$|[^a-z])", re.IGNORECASE)
# ... and not in a block of other stories, a promotion or the page's furniture
_NOT_STANDFIRST = re.compile(r"(?:^|[^a-z])(?:card|teaser|promo|related|trending|recommend\w*|newsletter|most|"
                             r"popular|more|sponsored|ad|advert\w*|subscribe|paywall|nav|menu|footer|sidebar|comments?|"
                             r"share|social|video|caption|meta|product|author|byline|bio|profile|contributor|"
                             r"credit|image|img|photo|picture|figure|gallery)(?:$|[^a-z])", re.IGNORECASE)
_NAMING_ATTRIBUTES = ("class", "id", "data-component", "data-gu-name", "data-testid", "itemprop")


def _spaced(text: str) -> str:
    return " ".join(text.split()).casefold()


def _named(el) -> str:
    """The names an element's markup gives it (class, id, data attributes), as one string."""
    return " ".join(el.get(a, "") for a in _NAMING_ATTRIBUTES)


def _in_furniture(el) -> bool:
    """Whether an element or a block around it is no standfirst's: a link, list item, nav, aside, footer, form or
    figure (a photo's caption, "image-desc", describes the picture), or a block named as furniture or an image."""
    around = [el, *el.iterancestors()]
    return any(a.tag in ("a", "li", "nav", "aside", "footer", "form", "figure", "figcaption", "picture")
               for a in around) or any(_NOT_STANDFIRST.search(_named(a)) for a in around)


def standfirst(tree, text: str) -> list[str]:
    """The paragraphs of a standfirst, dek or key-points box that the extractor left out (it sits outside the
    page's ``<article>``, or in its header): an element named so (``_STANDFIRST_WORDS``) that comes before the
    first paragraph of ``text`` in the page, is no ancestor of it, sits in no link, list item, nav, aside, footer,
    form or figure (a photo's caption, "image-desc") nor in a block named as furniture or as an image
    (``_NOT_STANDFIRST``), shares its name with no other element above the text (teaser cards repeat theirs), is
    not mostly link text, holds 4 to 120 words, and whose words are not already in ``text``. Written here because trafilatura has no rule for it: its precision mode drops such a box
    (outside the ``<article>``, in its header, or classed ``article__desc``). Measured in docs/html_extraction.md;
    the description meta, tried instead, let in a teaser. ``tree``: the page parsed (``trafilatura.load_html``)."""
    lines = [line for line in text.split("\n") if len(line.split()) >= 6 and re.search(r"[.!?][\"'”»]?$", line)]
    if tree is None or not lines:
        return []
    opening = _spaced(lines[0].removeprefix("- "))[:60]
    start = next((el for el in tree.iter("p", "div", "li", "td", "blockquote")
                  if _spaced(el.text_content()).startswith(opening)), None)
    if start is None:
        return []
    before: list = []
    for el in tree.iter():
        if el is start:
            break
        if isinstance(el.tag, str):
            before.append(el)
    names = [_named(el) for el in before]
    repeated = collections.Counter(names)
    kept_text, found, taken = _spaced(text), [], set()
    for el, name in zip(before, names):
        if not _STANDFIRST_WORDS.search(name) or repeated[name] > 1 or start in el.iterdescendants() \
                or any(a in taken for a in el.iterancestors()):
            continue
        if _in_furniture(el):
            continue
        words = el.text_content().split()
        links = sum(len(a.text_content().split()) for a in el.iter("a"))
        if not 4 <= len(words) <= 120 or links * 2 > len(words):
            continue
        points = [" ".join(li.text_content().split()) for li in el.iter("li")]
        pieces = [f"- {point}" for point in points if point] or [
            " ".join(p.text_content().split()) for p in el.iter("p") if p.text_content().strip()] or [" ".join(words)]
        pieces = [piece for piece in pieces if _spaced(piece.removeprefix("- ")) not in kept_text]
        if not pieces:
            continue
        found += pieces
        taken.add(el)
    return found


def standfirst_lines(tree, text: str, title: str | None) -> int:
    """How many of ``text``'s lines after its headline a standfirst, dek or key-points box of the page holds (one
    the extractor kept or one put back; named as ``standfirst`` finds them, not in furniture): the body begins after
    them, and a wire dateline ("KYIV, Ukraine (AP) —") opens the paragraph that follows. ``tree``: the page parsed."""
    from classifier.segment import same_title

    lines = [line for line in text.split("\n") if line.strip()]
    if lines and same_title(title, lines[0]):
        lines = lines[1:]
    if tree is None or not lines:
        return 0
    held = set()
    for el in tree.iter():
        if not isinstance(el.tag, str) or not _STANDFIRST_WORDS.search(_named(el)) or _in_furniture(el):
            continue
        held.update(_spaced(part.text_content()) for part in [el, *el.iter("p", "li")])
    count = 0
    for line in lines:
        if _spaced(line.removeprefix("- ")) not in held:
            break
        count += 1
    return count


def with_standfirst(text: str, pieces: list[str], title: str | None) -> str:
    """The text with its title first (``with_title``), then the standfirst's paragraphs."""
    from classifier.segment import same_title

    if not pieces:
        return with_title(text, title)
    first, _, rest = text.lstrip().partition("\n")
    if title and same_title(title, first):
        return "\n".join([first, *pieces, rest])
    return with_title("\n".join([*pieces, text]), title)


_JSON_LD = re.compile(r"<script[^>]*type\s*=\s*[\"']?application/ld\+json[^>]*>(.*?)</script>", re.IGNORECASE | re.DOTALL)


def structured_body(html: str) -> str:
    """The longest ``articleBody`` of the page's structured data (JSON-LD), or "". Precision mode leaves out what
    trafilatura's other modes take from there: a page whose text a script shows (a web app's "Loading…") gave only
    its headline. Written here because trafilatura's own JSON-LD walk is private, and its public ``baseline`` falls
    back to the whole page's text where no JSON body is found."""
    import json
    from html import unescape

    bodies: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("articleBody"), str):
                bodies.append(node["articleBody"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for block in _JSON_LD.findall(html):
        try:
            walk(json.loads(block, strict=False))
        except (ValueError, RecursionError):  # not JSON, or nested past Python's stack: no body there
            continue
    return max((unescape(re.sub(r"<[^>]+>", "", body)).strip() for body in bodies), key=len, default="")


def read_manifest(path: Path, root: Path, encoding: str | None = None) -> dict[str, dict]:
    """Manifest rows keyed by their file path relative to ``root``; paths outside root are refused. A Windows path
    ("RT\\a1.txt") reads as the same file; an ``outlet`` column is the ``source`` (the report's word for it); a
    column the manifest does not use is warned of."""
    rows: dict[str, dict] = {}
    root_resolved = root.resolve()
    warned = False
    if str(path) == STDIN:  # it said "-: cannot open (No such file or directory)"
        raise InputError(f"{option('manifest', str(path))}: a manifest is not read from standard input; give its path "
                         "(./- for a file called '-')")
    refuse_spreadsheet(path)
    for lineno, row in iter_csv(path, encoding):
        if "outlet" in row and "source" not in row:
            row["source"] = row.pop("outlet")
        if not warned:
            unused = [name for name in row if name not in MANIFEST_FIELDS]
            if unused:
                warn_caller(f"{path}: column{'s' if len(unused) > 1 else ''} {', '.join(map(repr, unused))} not "
                            f"read (a manifest has {', '.join(MANIFEST_FIELDS)}; 'outlet' is read as 'source')")
            warned = True
        if not row.get("file"):
            raise InputError(f"{path}:{lineno}: missing 'file' (columns: {', '.join(MANIFEST_FIELDS)})")
        row["file"] = row["file"].replace("\\", "/")
        target = (root / row["file"]).resolve()
        if Path(row["file"]).is_absolute() or not target.is_relative_to(root_resolved):
            raise InputError(f"{path}:{lineno}: file '{row['file']}' is outside the corpus folder {root}")
        relative = target.relative_to(root_resolved).as_posix()
        if relative in rows:
            raise InputError(f"{path}:{lineno}: file '{row['file']}' is listed twice (first on line "
                             f"{rows[relative]['_line']}); keep one row per article")
        rows[relative] = {**row, "_line": lineno}
    return rows


def check_not_read(out: str | Path, input_path: str | Path, manifest: str | Path | None = None,
                   *others: str | Path | None) -> None:
    """Refuse, before any work, an output that the run (or the next one) reads: the input, its manifest (given,
    or the folder's own), ``others`` (an actor catalogue), or an article file inside the corpus folder."""
    folder = Path(input_path)
    default = folder / MANIFEST_NAME if folder.is_dir() else None
    check_not_input(out, folder, manifest, default, *others)
    out = Path(out)
    if folder.is_dir() and out.suffix.lower() in TEXT_SUFFIXES + HTML_SUFFIXES \
            and out.resolve().is_relative_to(folder.resolve()):
        raise InputError(f"--out {out}: an article's name inside the corpus folder {folder}; it would overwrite or "
                         "join the articles (nothing was changed)")


@dataclass
class FolderFiles:
    """What one walk of a corpus folder found (hidden files and folders left out), each list sorted."""
    articles: list[Path]  # .txt/.md/.html files, and links named so (a link to nothing too: the reader names it)
    linked: list[Path]    # links to folders, not followed
    tables: list[Path]    # .csv/.jsonl/.parquet files


def visible_walk(root: Path) -> Iterator[tuple[Path, list[str], list[str]]]:
    """``os.walk(root)`` (each folder as a Path) that never enters a hidden folder: its ``dirs[:]`` pruning leaves
    one out before it is entered, as ``Path.rglob`` cannot (``Path.walk`` comes with Python 3.12). Hidden files
    are left to the caller; a link to a folder is listed in ``dirs`` and not entered."""
    for folder, dirs, names in os.walk(root):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        yield Path(folder), dirs, names


def folder_files(root: Path) -> FolderFiles:
    """The files under ``root`` that prepare reads or names, in one walk that never enters a hidden folder (a .git:
    two rglob walks, one for the articles and one for the tables, went through all its files to drop them;
    ``visible_walk``). A link to a folder is not entered, as rglob did not enter it."""
    articles, linked, tables = [], [], []
    for here, dirs, names in visible_walk(root):
        linked += [here / name for name in dirs if (here / name).is_symlink()]  # os.walk does not enter them
        for name in names:
            if name.startswith("."):
                continue
            path, suffix = here / name, Path(name).suffix.lower()
            if suffix in TEXT_SUFFIXES + HTML_SUFFIXES and (path.is_file() or path.is_symlink()):
                articles.append(path)
            elif table_suffix(name) in TABLE_SUFFIXES and path.is_file():  # x.jsonl.gz too
                tables.append(path)
    return FolderFiles(sorted(articles), sorted(linked), sorted(tables))


def article_files(root: Path, found: FolderFiles | None = None) -> list[Path]:
    """The article files under ``root`` (hidden ones left out), links to nothing among them (the reader names
    them); a link to a folder is not followed, and a warning says so. ``found``: ``folder_files(root)``, walked
    already."""
    found = found or folder_files(root)
    for path in found.linked:
        warn_caller(f"{path}: a link to a folder, not followed (copy or move its articles into the corpus folder "
                    "to read them)")
    return found.articles


# A table holding one of these fields, beside id and text, is one this toolkit wrote: an items file (prepare's
# --out: each sentence's actor and spans), a label file or predictions (classify's --out: stance or sentiment). A
# table of articles has none of them, and would be left out of a folder's articles without a word.
OWN_TABLE_FIELDS = ("actor", "spans", "stance", "sentiment")
_FIRST_LINE_BYTES = 1 << 20  # an item's line is a sentence long: a first line longer than this is no item


def own_output(path: Path) -> bool:
    """Whether the table at ``path`` is an items, label or predictions file (``OWN_TABLE_FIELDS``), by its field
    names alone: a Parquet file's schema (its footer), a CSV file's header, a JSONL file's first record; never the
    whole file. A table that cannot be read so is not one."""
    return {"id", "text"} <= set(names := field_names(path)) and any(name in names for name in OWN_TABLE_FIELDS)


def field_names(path: Path) -> list[str]:
    """A table's field names as its first bytes give them (``own_output``), or none where they cannot be read."""
    import json

    if table_suffix(path) == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            return pq.read_schema(path).names
        except (OSError, pa.ArrowException):
            return []
    try:
        with open_binary(path, compression_of(path)) as fh:
            first, read = b"", 0
            while not first.strip() and read < _FIRST_LINE_BYTES:  # blank lines before the first record
                first = fh.readline(_FIRST_LINE_BYTES)
                read += len(first) or _FIRST_LINE_BYTES
        text = first.decode("utf-8-sig")
        if table_suffix(path) == ".csv":  # the header, as iter_csv reads it
            return csv_header(path, io.StringIO(text))[0]
        record = json.loads(text)
    except (*DECOMPRESSION_ERRORS, ValueError, RecursionError, csv.Error, InputError):  # unreadable, not UTF-8,
        return []                                      # not JSON (or nested too deep), an empty header, cut off
    return list(record) if isinstance(record, dict) else []


def warn_unread_tables(tables: list[Path], manifests: set[Path]) -> None:
    """Name the tables (.csv, .jsonl, .parquet) a corpus folder holds besides its manifest and the toolkit's own
    outputs (``own_output``: ``stance prepare corpus/ --out corpus/items.jsonl`` is allowed): a folder's articles
    are its .txt/.md/.html files, and a table of articles put among them would otherwise be left out without a
    word. ``tables``: ``folder_files``'."""
    known = {manifest.resolve() for manifest in manifests}
    tables = [table for table in tables if table.resolve() not in known and not own_output(table)]
    if tables:
        named = ", ".join(str(table) for table in tables[:3])
        named += f" and {len(tables) - 3} more" if len(tables) > 3 else ""
        warn_caller(f"{named}: {'a table' if len(tables) == 1 else f'{len(tables)} tables'} in the corpus folder, "
                    "not read (a folder's articles are its .txt, .md and .html files); prepare a table of articles "
                    "on its own ('stance prepare TABLE --out ...') and join the items files")


def folded_names(root: Path) -> dict[str, str]:
    """Every path under ``root`` by its case-folded form (for the manifest's misses), none inside a hidden folder
    (``visible_walk``: rglob went through every file of a .git). Read anew at each call: a run reads it once
    (``folder_articles``), so a second run in one process (a notebook) sees files added or renamed since."""
    return {(here / name).relative_to(root).as_posix().casefold(): (here / name).relative_to(root).as_posix()
            for here, dirs, names in visible_walk(root) for name in dirs + names}


def why_not_listed(root: Path, relative: str, folded: Callable[[], dict[str, str]] | None = None) -> str:
    """Why a manifest's file is not among the articles: missing, hidden, or of a kind that is not read. ``folded``
    gives ``folded_names(root)`` (a run's, read once at its first miss); without it the folder is read."""
    path = root / relative
    if not path.exists():
        alike = (folded or (lambda: folded_names(root)))().get(relative.casefold())
        return f"which is not in {root}" + (f" (names differ in case: {alike})" if alike else "")
    if any(part.startswith(".") for part in Path(relative).parts):
        return "a hidden file, which is not read"
    return (f"which is not an article file ({', '.join(TEXT_SUFFIXES + HTML_SUFFIXES)})" if path.is_file() else
            "which is not a file")


def folder_articles(root: Path, files: list[Path], meta: dict[str, dict], manifest: Path | None,
                     encoding: str | None, skipped: list[Skipped], on_file,
                     max_chars: int = MAX_ARTICLE_CHARS, date_order: str | None = None) -> Iterator[Article]:
    """The folder's articles, one file read at a time; files that cannot be read, and articles over ``max_chars``
    characters, go to ``skipped`` as they are met (the manifest's entries for missing files at the end). A manifest
    date in numbers alone is read in ``date_order`` (``normal_date``)."""
    known, ids, root_resolved, dates = set(), set(), root.resolve(), DateCheck(date_order)
    real = {p.resolve(): p for p in files if not p.is_symlink()}
    # site_titles: (page, title) of the pages titled with the site's name
    shared, site_titles = shared_titles(root, files, meta, encoding), []
    for path in files:
        relative = path.relative_to(root).as_posix()
        known.add(relative)
        if path.is_symlink() and path.resolve() in real:  # one article, twice in the counts
            warn_caller(f"{path}: a link to {real[path.resolve()].relative_to(root).as_posix()}, which is read under "
                        "its own name; the link is not read again")
            if on_file:
                on_file()
            continue
        try:
            if not path.exists():
                raise ValueError("a link to a file that does not exist")
            if not path.resolve().is_relative_to(root_resolved):
                raise ValueError("a link to a file outside the corpus folder (not read)")
            html = path.suffix.lower() in HTML_SUFFIXES
            size = path.stat().st_size
            if html and (why := page_too_large(size, max_chars)):  # not parsed at all; its text is measured below
                skipped.append(Skipped(str(path), why, kind="too long"))
                if on_file:
                    on_file()
                continue
            if not html and size > TEXT_BYTES_PER_CHAR * max_chars:  # more bytes than its characters could take
                skip_too_long(skipped, str(path), size, max_chars, "bytes", on_file)
                continue
            text = decode(path.read_bytes(), encoding, html=html)
            info = {}
            if html:
                if limit := past_parser_limits(text):
                    raise ValueError(f"{limit}: the HTML parser stops there, so the text after it would be lost")
                text, info = html_to_text(text, shared_title=relative in shared)
                if info.get("site_title"):
                    site_titles.append((relative, info["site_title"]))
                if not text.strip():
                    raise ValueError("no article text found in the HTML")
            elif path.suffix.lower() == ".md":
                text = MARKDOWN_HEADING.sub(r"\1", text)
        except (ValueError, OSError) as exc:  # an OSError by its strerror: str() names the path again, with errno
            skipped.append(Skipped(str(path), f"cannot read ({exc.strerror})" if getattr(exc, "strerror", None)
                                   else str(exc)))
            if on_file:
                on_file()
            continue
        if len(text) > max_chars:
            skip_too_long(skipped, str(path), len(text), max_chars, on_file=on_file)
            continue
        row = meta.get(relative, {})
        html = path.suffix.lower() in HTML_SUFFIXES
        if row.get("title") and not html:
            text = with_title(text, row["title"])  # the manifest's headline is scored, as a table's title column is
        if why := no_article(text, info.get("title") if html else row.get("title")):  # a cookie wall, a 404, a
            skipped.append(Skipped(str(path), why, kind="no article"))           # block: skipped, no error
            if on_file:
                on_file()
            continue
        stem = relative.rsplit(".", 1)[0]
        article_id = stem if stem not in ids else relative  # x.md and x.txt: "x" and "x.txt"
        ids.add(article_id)
        date = dates.read(row.get("date") or info.get("date"), f"{manifest}:{row['_line']}" if row.get("date")
                          else str(path))
        yield Article(id=article_id, text=text, path=str(path), source=row.get("source") or stem,
                      title=row.get("title") or info.get("title"), date=date, url=row.get("url") or info.get("url"),
                      page_words=info.get("page_words"), language=row.get("language") or None,
                      standfirst=info.get("standfirst"))
        if on_file:
            on_file()
    dates.warn()
    if site_titles:
        many = len(site_titles) != 1
        warn_caller(f"{root}: {len(site_titles)} HTML page{'s' if many else ''} without a headline of "
                    f"{'their' if many else 'its'} own (first: {site_titles[0][0]}, titled '{site_titles[0][1]}'): "
                    "the title is the site's name "
                    f"(its og:site_name, or the <title> of most of an outlet's pages), so it is read as no headline")
    folded = functools.cache(lambda: folded_names(root))  # this run's listing, read at its first miss
    for relative, row in meta.items():
        if relative not in known:
            skipped.append(Skipped(f"{manifest}:{row['_line']}",
                                   f"lists '{relative}', {why_not_listed(root, relative, folded)}",
                                   kind="manifest row"))
    if manifest is None and len(ids) > 1:
        warn_no_manifest(root, sorted(ids))
    unlisted = [r for r in known if r not in meta] if meta else []
    blank = [r for r in known if r in meta and not meta[r].get("source")]
    if unlisted or blank:
        parts = ([f"{numeral(len(unlisted))} article file{'s are' if len(unlisted) != 1 else ' is'} not in it (e.g. "
                  f"{sorted(unlisted)[0]})"] if unlisted else []) + \
                ([f"{numeral(len(blank))} row{'s have' if len(blank) != 1 else ' has'} no source (e.g. "
                  f"{sorted(blank)[0]})"]
                 if blank else [])
        warn_caller(f"{manifest}: {' and '.join(parts)}: each such article is an outlet of its own, named by its "
                    "path")


def warn_no_manifest(root: Path, articles: list[str]) -> None:
    """Warn that a folder of several articles without a manifest makes each article an outlet of its own (its path
    less its extension): a researcher's pages saved as nyt/a.html, fox/b.html became one outlet per page, which the
    report then compared, with no word of it. The folders they sit in are named as what may be their outlets."""
    folders = sorted({name.split("/", 1)[0] for name in articles if "/" in name})
    hint = (f"; if the folders {', '.join(folders[:5])}{' …' if len(folders) > 5 else ''} are outlets, list each file "
            "with its folder's outlet there") if len(folders) > 1 else ""
    warn_caller(f"{root}: no {MANIFEST_NAME}, so each of the {numeral(len(articles))} articles is an outlet of its "
                f"own, named by its path (e.g. {articles[0]}): name their outlets in {root / MANIFEST_NAME} "
                f"(file,source; or --manifest FILE){hint}")


_RSS_DATE = re.compile(r"(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d\d(?::\d\d)?\s*"
                       r"(?:[A-Z]{1,5}|[+-]\d{4})?$")  # RFC 2822, as RSS writes it
_WRITTEN_DATES = ("%B %d, %Y", "%b %d, %Y", "%b. %d, %Y", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%A, %B %d, %Y")
# the languages whose month names a date may be written with ("3. März 2022", "3 марта 2022 г.")
MONTH_NAME_LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "pl", "ru", "uk")
# a day of one or two digits, a year of four, and no other number: the month is then a word, never a number
# whose place (day or month first?) would have to be guessed, and no time follows
_DAY_AND_YEAR = re.compile(r"\D*\d{1,2}\D+\d{4}\D*|\D*\d{4}\D+\d{1,2}\D*")
_LONGEST_DATE = 64  # "czwartek, 3 października 2022 r." has 33 characters
# A time after a written date ("March 3, 2022 14:05", "Mar 3, 2022, 2:05 PM EST", "3 mars 2022 à 10h",
# "3. März 2022, 14:05 Uhr", "3 марта 2022 г., 14:05 (МСК)"): left off, so that the date reads to the day the outlet
# printed, never moved by its zone. By hand: neither strptime nor dateparser's strict day parser takes a date with a
# time after it in every form, and dateparser would read the zone and move the day.
_TIME_AFTER = re.compile(r"(?:\s*[,|]\s*|\s+)(?:(?:at|à|um|в|o|alle|às|a las|a la|kl\.?|—|-|–)\s+)?"
                         r"\d{1,2}(?:[:.h]\d\d(?:[:.]\d\d)?|h)(?:\s*[AaPp]\.?\s?[Mm]\.?)?(?:\s*(?:Uhr|ч\.?))?"
                         r"(?:\s*\(?(?:[A-ZА-Я]{1,5}|(?:GMT|UTC)?[+-]\d{1,2}(?::?\d\d)?)\)?)?\s*$")


# the orders --date-order reads a date written in numbers alone in, named as dateparser's DATE_ORDER setting names them
DATE_ORDERS = ("DMY", "MDY", "YMD")
# a date written in numbers alone, one separator twice, a year of four digits first or last ("03.03.2022",
# "3/4/2022", "03-04-2022", "2022.3.4") or of two digits last ("03.03.22", "3/4/22"; group 2 is a last year):
# which number is the day is not guessed, but read in the order given; a four-digit year first (group 3) is read
# year, month, day without one: the order of ISO 8601 and of the countries that write the year first (China, Japan,
# Korea, Hungary, Sweden, Lithuania), not a guess between two in common use
_NUMERIC_DATE = re.compile(r"\d{1,2}([./-])\d{1,2}\1(\d{4}|\d\d)|\d{4}([./-])\d{1,2}\3\d{1,2}")
_NUMERIC_FORMS = {"DMY": ("%d", "%m", "%Y"), "MDY": ("%m", "%d", "%Y"), "YMD": ("%Y", "%m", "%d")}


def check_date_order(value: str | None) -> str | None:
    """``--date-order`` (``date_order=``) as one of ``DATE_ORDERS`` (in any case), None where not given."""
    if value is None:
        return None
    if isinstance(value, str) and value.strip().upper() in DATE_ORDERS:
        return value.strip().upper()
    raise InputError(f"{option('date_order', value)}: expected DMY (day first: 03.04.2022 is 3 April), MDY (month "
                     "first: 4 March) or YMD")


def full_year(two_digits: str, this_year: int) -> int:
    """A two-digit year as 20YY where that is not later than next year, else 19YY (in 2026: "27" is 2027, "28"
    1928). By hand: strptime's %y pivots at 69 whatever the year ("68" is 2068, decades after any news)."""
    latest = this_year + 1
    year = latest // 100 * 100 + int(two_digits)
    return year - 100 if year > latest else year


def numeric_date(text: str, order: str | None) -> str | None:
    """A date written in numbers alone (``_NUMERIC_DATE``: "03.03.2022", "3/4/2022", "03-04-2022", "03.03.22") read
    in ``order`` (``DATE_ORDERS``) as ISO 8601, or None: no order given, another shape, or no day in that order
    ("31.02.2022", "13/25/2022" read DMY). One with its four-digit year first ("2022/3/4", "2022.3.4") is read YMD
    whatever the order, given or not; one with a two-digit year last is read DMY or MDY (``full_year``: "03.03.22"
    is 2022-03-03), never YMD ("22.03.04": which two digits are the year would be guessed). strptime reads it; only
    the choice of its format is made here, by the order and the separator written (dateparser's DATE_ORDER would
    take text around the date too)."""
    import datetime

    shape = _NUMERIC_DATE.fullmatch(text)
    if shape is not None and shape.group(3):
        order = "YMD"
    if shape is None or order is None:
        return None
    if shape.group(2) and len(shape.group(2)) == 2:
        if order == "YMD":
            return None
        text = text[:-2] + str(full_year(shape.group(2), datetime.date.today().year))
    form = (shape.group(1) or shape.group(3)).join(_NUMERIC_FORMS[order])
    try:
        return datetime.datetime.strptime(text, form).date().isoformat()
    except ValueError:  # not this order's shape, or no such day
        return None


def numeric_part(text: str) -> str | None:
    """The date of ``text`` where it is written in numbers alone with its year last, a time after it or not
    ("03.03.2022 14:05": "03.03.2022"; "3/4/22"), else None: the dates whose order ``--date-order`` names. A year-first one
    ("2022/13/04") is read in its one order, and where it gives no day it is no date like any other."""
    text = text.strip()
    timed = _TIME_AFTER.search(text)
    day = text[:timed.start()] if timed and timed.start() > 0 else text
    shape = _NUMERIC_DATE.fullmatch(day)
    return day if shape is not None and not shape.group(3) else None


@functools.cache
def _month_name_parser():
    """dateparser's parser for a date with its month's name in ``MONTH_NAME_LANGUAGES``, a day and a year all
    required. dateparser comes with trafilatura (htmldate requires it) and knows each language's month names in
    every case (Russian "марта", Ukrainian "березня", Polish "marca"), abbreviated ("3 мар. 2022") or not."""
    from dateparser.date import DateDataParser

    return DateDataParser(languages=list(MONTH_NAME_LANGUAGES), try_previous_locales=False,
                          use_given_order=True, settings={"STRICT_PARSING": True, "PARSERS": ["absolute-time"],
                                                          "RETURN_AS_TIMEZONE_AWARE": False})


@functools.lru_cache(maxsize=1 << 16)  # a corpus repeats its dates
def month_name_date(text: str) -> str | None:
    """A date written with its month's name in one of ``MONTH_NAME_LANGUAGES`` ("3 de marzo de 2022",
    "3 березня 2022", "jeudi 3 mars 2022") as ISO 8601, or None. A date with more numbers than a day and a year
    ("03.03.2022", "3 mars 2022 à 10h") is none: which number is the month is not guessed, and a time is not read.
    Nor is a text longer than ``_LONGEST_DATE`` (dateparser takes a second over 10,000 characters)."""
    if len(text) > _LONGEST_DATE or not _DAY_AND_YEAR.fullmatch(text):
        return None
    day = _month_name_parser().get_date_data(text)
    return day.date_obj.date().isoformat() if day.date_obj is not None and day.period == "day" else None


def normal_date(value: str | None, order: str | None = None) -> tuple[str | None, bool]:
    """A date as the report reads it (``classifier.dates``: ISO 8601, kept as written), and whether it is one.
    Unambiguous other forms become ISO 8601: an RSS/e-mail date ("Thu, 03 Mar 2022 10:00:00 GMT", its time and
    offset kept) and a date with the month's name ("March 3, 2022", "3 Mar 2022", "3. März 2022", "3 mars 2022",
    "3 de marzo de 2022", "3 марта 2022 г.", "3 березня 2022": ``month_name_date``); such a date with a time after
    it ("March 3, 2022 14:05", "Mar 3, 2022, 2:05 PM EST", ``_TIME_AFTER``) becomes its day, as written, its zone
    left aside. A date in numbers alone with its four-digit year first ("2022/03/04, 14:05", "2022.3.4 14.05 Uhr")
    is read year, month, day, with a time or without; one with its year last, "03.03.2022" or "03/04/2022" (which
    day first?), is read in ``order`` (``numeric_date``: "DMY", "MDY" or "YMD", from --date-order); without one it
    stays as it is and is not a date; nor is a rewritten one the report leaves out ("January 1, 1970", "3 марта 1500":
    ``classifier.dates``)."""
    import datetime
    import email.utils

    from classifier.dates import is_date

    if value is None or not value.strip():
        return value, True
    text = value.strip()
    written = numeric_date(text, order)  # a year-first "2022/3/4" becomes "2022-03-04" with any order or none
    if written is None and is_date(text):
        return text, True
    if written is None and _RSS_DATE.match(text):
        try:
            written = email.utils.parsedate_to_datetime(text).isoformat()
        except (TypeError, ValueError, IndexError):
            pass
    for form in _WRITTEN_DATES if written is None else ():
        try:
            written = datetime.datetime.strptime(text, form).date().isoformat()
            break
        except ValueError:
            continue
    written = written or month_name_date(text)
    timed = _TIME_AFTER.search(text) if written is None else None
    if timed and timed.start() > 0:  # the date before the time, read to its day
        day, readable = normal_date(text[:timed.start()], order)
        written = day[:10] if readable and day and _ISO_DAY.match(day) else None
    # rewritten, it is still a placeholder ("January 1, 1970") or out of ``dates.YEARS`` ("3 марта 1500") for the
    # report: kept as written, and warned of
    return (written, True) if written is not None and is_date(written) else (value, False)


@dataclass
class DateCheck:
    """Dates read so far that are not dates the report can read: counted, the first named, warned of once."""
    order: str | None = None  # --date-order: how a date in numbers alone is read (``numeric_date``)
    unreadable: int = 0
    example: str | None = None
    numeric: int = 0  # of the unreadable, those written in numbers alone: no order given, or no day in it
    numeric_example: str | None = None

    def read(self, value: str | None, where: str) -> str | None:
        date, readable = normal_date(value, self.order)
        if not readable:
            self.unreadable += 1
            self.example = self.example or f"{value!r} at {where}"
            day = numeric_part(value)
            if day is not None and (self.order is None or numeric_date(day, self.order) is None):  # not read, or
                self.numeric += 1                                       # no day (not a placeholder such as 01.01.1970)
                self.numeric_example = self.numeric_example or f"{value!r} at {where}"
        return date

    def warn(self) -> None:
        if not self.unreadable:
            return
        numeric = ""
        if self.numeric:
            which = ("it is" if self.unreadable == 1 else "they are" if self.numeric == self.unreadable else
                     f"{numeral(self.numeric)} of them {'are' if self.numeric != 1 else 'is'}")
            named = "" if self.numeric_example == self.example else f" (e.g. {self.numeric_example})"
            numeric = (f"; {which} written in numbers{named}, whose order is not guessed: "
                       f"{option('date_order', 'DMY')} reads them day first (03.04.2022 is 3 April), MDY month first"
                       if self.order is None else
                       f"; {which} written in numbers{named} with the year last, which "
                       f"{option('date_order', self.order)} does not read (nor a two-digit year, which read year "
                       "first would be a guess): DMY reads them day first (03.04.22 is 3 April 2022), MDY month first"
                       if self.order == "YMD" else
                       f"; {which} written in numbers{named} with no day when read as "
                       f"{option('date_order', self.order)} (a 31 February, a month over 12, or another order)")
        warn_caller(f"{numeral(self.unreadable)} article{'s have' if self.unreadable != 1 else ' has'} a date the "
                    f"report cannot read (e.g. {self.example}: not ISO 8601, a placeholder such as 1970-01-01, or a "
                    "year outside 1600-2200): it counts them undated; write dates as 2022-03-03 (a time and "
                    f"offset may follow){numeric}", DateWarning)


def as_text(value, field: str, where: str) -> str | None:
    """A table cell as text: a whole float (what a numeric column with nulls gives) without its ``.0``, NaN
    as missing, a date or time (a DataFrame's datetime column, a Parquet timestamp) as ``dates.date_text`` writes
    it; pandas' NaT and NA (in a list of dicts) as missing; a numpy scalar as its Python value (np.int64 ids,
    np.datetime64 dates: a list of dicts made from arrays). A list (a numpy array too), an object or true/false is an
    InputError naming ``where`` and the field."""
    if type(value).__module__ == "numpy":
        import numpy as np

        if isinstance(value, np.ndarray):
            value = value.tolist()  # refused below as a list, not compared with "" element by element
        elif isinstance(value, np.datetime64):
            import pandas as pd

            value = pd.Timestamp(value)  # NaT: missing
        elif isinstance(value, np.generic):
            value = value.item()
    if type(value).__name__ in ("NaTType", "NAType") or value is None or value == "" \
            or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, datetime.date):  # a datetime, a pandas Timestamp
        from classifier.dates import date_text  # here, not at the top: it imports pandas

        return date_text(value)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        kind = {bool: "true/false", list: "a list", dict: "an object"}.get(type(value), type(value).__name__)
        raise InputError(f"{where}: '{field}' must be text or a number, not {kind}")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def with_title(text: str, title: str | None) -> str:
    """The text with its title as the first paragraph, where a table gives the title in a column of its own: the
    headline is scored (kind 'headline') as an HTML page's is. A text whose first line is its title, in any spelling
    (``segment.same_title``: curly quotes, case, a trailing " - Reuters"), is kept."""
    from classifier.segment import same_title

    title = " ".join((title or "").split())
    first_line = " ".join(text.lstrip().split("\n", 1)[0].split())
    if title and not same_title(title, first_line):
        return f"{title}\n\n{text}"
    return text


def iter_table_articles(path: Path, encoding: str | None = None, skipped: list[Skipped] | None = None,
                        max_chars: int = MAX_ARTICLE_CHARS, date_order: str | None = None,
                        columns: dict[str, str] | None = None) -> Iterator[Article]:
    """The table file's articles, a row at a time (``table_articles``), each row named by file:line. A compressed
    JSON lines file's line over its bound goes to ``skipped`` (kind "long line")."""
    fmt = format_of(path, default="")

    def long_line(lineno: int, why: str) -> None:  # a compressed JSON lines file's line past its bound
        skipped.append(Skipped(f"{path}:{lineno}", why, kind="long line"))

    rows = ((f"{path}:{lineno}", row) for lineno, row in iter_table(
        path, encoding=encoding, on_long_line=long_line if skipped is not None else None,
        keep_dates=True))  # a timestamp's text as a DataFrame's (``as_text``)
    yield from table_articles(rows, str(path), path.name, f"{path}:1" if fmt == "csv" else None, fmt == "jsonl",
                              skipped, max_chars, date_order, columns)


def memory_articles(data, skipped: list[Skipped] | None = None, max_chars: int = MAX_ARTICLE_CHARS,
                    date_order: str | None = None, columns: dict[str, str] | None = None) -> Iterator[Article]:
    """The articles of a table held in memory (``io.files.memory_table``: a DataFrame, a Dataset, a list of dicts),
    a row at a time, read as a table file's (``table_articles``), each row named as ``iter_memory_rows`` names it
    ("row 3 (index 'b')"), the columns by the table ("DataFrame: no column 'maintext' ..."); a list's dicts each
    hold their own keys, as JSON lines do."""
    kind = memory_table(data)
    yield from table_articles(iter_memory_rows(data), kind, f"the {kind}", None if kind == "list" else kind,
                              kind == "list", skipped, max_chars, date_order, columns)


MAX_WATCHED_COLUMNS = 1000  # ``table_articles``: the most column names of JSON records looked at for unread ones


def table_articles(rows: Iterable[tuple[str, dict]], table: str, named: str, header: str | None, records: bool,
                   skipped: list[Skipped] | None = None, max_chars: int = MAX_ARTICLE_CHARS,
                   date_order: str | None = None, columns: dict[str, str] | None = None) -> Iterator[Article]:
    """The articles of a table's ``rows`` (what a row is called in a message, the row), one at a time, whether read
    from a file (``iter_table_articles``) or held in memory (``memory_articles``); a bad row stops, named. A row
    with an empty text (a paywalled page in a scraped export) goes to ``skipped`` (the caller stops or warns), and
    so does one whose text is over ``max_chars`` characters (the caller warns; where ``skipped`` is None it is an
    error). A date in numbers alone is read in ``date_order`` (``normal_date``). ``columns`` (``check_columns``:
    field -> column) names the columns that hold the fields, checked against the first row, or where given against
    ``header`` (what names the columns: a CSV file's line 1). ``records``: each row holds its own keys (JSON lines,
    ``resolve_columns``). ``table`` (its path) and ``named`` (its name) name the table in an error for no rows.
    A column of a known name left unread (``unread_columns``) is warned of at the first row, and, of records, again at
    the first record that holds one more (a record may leave out its empty headline), naming that record; a record
    with no column the ones before lacked costs a comparison of its keys, and after ``MAX_WATCHED_COLUMNS`` names
    (records keyed by their data) no more are looked at."""
    seen, dates = set(), DateCheck(date_order)
    resolved = None
    met: dict | None = None  # records: the columns met so far, while they may yet show one not read
    for where, row in rows:
        if resolved is None:
            header = header or where
            resolved = resolve_columns(columns or {}, row, header, records=records)
            read = {field for field in ("id", "text") if field in resolved
                    or any(name.casefold() == field for name in row if isinstance(name, str))}
            if read == {"id", "text"}:  # else the error for the missing one names them all, in its --columns
                unread = unread_columns(row, resolved)
                if note := unread_columns_note(row, resolved, header):
                    warn_caller(note)
                met = dict.fromkeys(row) if records and len(unread) < len(OPTIONAL_FIELDS) else None
        elif met is not None and not row.keys() <= met.keys():  # a record with a column the ones before lacked
            met.update(dict.fromkeys(row))
            met = met if len(met) <= MAX_WATCHED_COLUMNS else None
            if met is not None and len(now := unread_columns(met, resolved)) > len(unread):
                warn_caller(unread_columns_note(met, resolved, where))
                unread = now
        row = article_row(row, where, resolved)
        if row.get("id") in (None, ""):
            raise InputError(f"{where}: missing field 'id' (an article row needs id and text)")
        if row.get("text") is None or (isinstance(row["text"], str) and not row["text"].strip()):
            if skipped is None:
                raise InputError(f"{where}: empty 'text' (an article row needs id and text)")
            skipped.append(Skipped(where, EMPTY_TEXT, kind="table row"))
            continue
        if not isinstance(row["text"], str):
            raise InputError(f"{where}: 'text' must be a string")
        if "\x00" in row["text"]:
            raise InputError(f"{where}: 'text' holds NUL bytes (binary data, not article text)")
        article_id = as_text(row["id"], "id", where)
        if article_id is None:
            raise InputError(f"{where}: missing field 'id' (an article row needs id and text)")
        if article_id in seen:
            raise InputError(f"{where}: duplicate article id '{article_id}'")
        seen.add(article_id)
        meta = {name: as_text(row.get(name), name, where) for name in ("source", "title", "date", "url", "language")}
        page = HTML_TEXT.match(row["text"])
        # a page's markup counts as a page file's bytes do, in UTF-8 (page_too_large); its extracted text as any text
        size = (len(row["text"]) if row["text"].isascii() else len(row["text"].encode("utf-8", "surrogatepass"))
                ) if page else 0
        if page and (why := page_too_large(size, max_chars)) or not page and len(row["text"]) > max_chars:
            why = f"'text' of {why if page else too_long(len(row['text']), max_chars)}"
            if skipped is None:
                raise InputError(f"{where}: {why}")
            skipped.append(Skipped(where, why, kind="too long"))
            continue
        info: dict = {}
        if page:  # a scraped export's HTML page: its main text, as an .html file's, not its markup and menus
            if limit := past_parser_limits(row["text"]):  # unreadable, as such an .html file is: stops or is skipped
                why = f"'text' {limit}: the HTML parser stops there, so the text after it would be lost"
                if skipped is None:
                    raise InputError(f"{where}: {why}")
                skipped.append(Skipped(where, why, kind="table row"))
                continue
            whole = page.group(1).lower().startswith(WHOLE_PAGE_TAGS)  # a fragment's blank lines are paragraphs
            text, info = html_to_text(row["text"] if whole else with_blank_line_breaks(row["text"]))
            if len(text) > max_chars:
                if skipped is None:
                    raise InputError(f"{where}: 'text' of {too_long(len(text), max_chars)}")
                skip_too_long(skipped, where, len(text), max_chars, what="'text' of ")
                continue
            text = with_title(text, meta["title"])  # the row's headline, scored as a text row's is
            meta = {**meta, **{name: meta[name] or info.get(name) for name in ("title", "date", "url")}}
            why = "no article text found in the HTML" if not text.strip() else no_article(text, meta["title"])
        else:
            text = with_title(row["text"], meta["title"])
            why = no_article(text, meta["title"])
        if why:  # a scraped row of a cookie wall, a 404, a block
            if skipped is None:
                raise InputError(f"{where}: {why}")
            skipped.append(Skipped(where, why, kind="no article"))
            continue
        meta["date"] = dates.read(meta["date"], where)
        yield Article(id=article_id, text=text, **{**meta, "source": meta["source"] or article_id}, path=where,
                      page_words=info.get("page_words"), standfirst=info.get("standfirst"))
    dates.warn()
    if not seen:
        empty = [problem for problem in skipped or [] if problem.kind == "table row" and problem.reason == EMPTY_TEXT]
        if empty:
            raise InputError(f"{empty[0].path}: empty 'text', as in every row of {named} ({len(empty)})")
        raise InputError(f"{table}: empty (no rows)")


@dataclass
class CorpusStream:
    """Articles read one at a time; ``skipped`` (files that cannot be read, and why) grows as the
    iteration meets them; ``files``: how many files a folder holds (None for a table); ``rows``: for a table, a
    function counting its rows (``io.files.table_rows``: a pass of its own, for a progress bar's total)."""

    articles: Iterator[Article]
    skipped: list[Skipped]
    files: int | None
    rows: Optional[Callable[[], Optional[int]]] = None


def stream_corpus(input_path, manifest: str | Path | None = None, encoding: str | None = None,
                  on_file=None, max_chars: int = MAX_ARTICLE_CHARS, date_order: str | None = None,
                  columns=None) -> CorpusStream:
    """Articles from a folder or a table file, or a table held in memory (a DataFrame, a Dataset, a list of dicts:
    ``memory_articles``), read one at a time. The input itself is checked at once; an article over ``max_chars``
    characters is skipped (``Skipped`` of kind "too long"); a manifest's or table's date in numbers alone is read in
    ``date_order`` ("DMY", "MDY", "YMD"; None: not read, warned of); ``columns`` ("text=maintext,date=date_publish"
    or a dict: ``check_columns``) names a table's columns for its fields."""
    kind = memory_table(input_path)
    path = Path(input_path) if kind is None else None
    skipped: list[Skipped] = []
    date_order = check_date_order(date_order)
    columns = check_columns(columns, path or "")
    if encoding:
        check_encoding(encoding)  # once, before any file: not a skip per file
    if isinstance(max_chars, bool) or not isinstance(max_chars, int) or max_chars < 1:
        raise InputError(f"{option('max_article_chars', max_chars)}: expected a whole number of characters, 1 or more")
    if path is None:
        for name, value in (("manifest", manifest), ("encoding", encoding)):  # refused, not ignored
            if value:
                raise InputError(f"{option(name, value)}: applies to files of articles, not to a {kind} of them")
        return CorpusStream(memory_articles(input_path, skipped, max_chars, date_order, columns), skipped, None,
                            lambda: len(input_path))
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    check_regular_input(path)  # a pipe: not "unsupported input" (/dev/fd/63 has no suffix), nor read twice
    if path.is_dir():
        if columns:  # a folder's fields come from its manifest's columns, named as MANIFEST_FIELDS
            raise InputError(f"{path}: {option('columns')} names the columns of a table of articles; a folder's "
                             f"articles take theirs from its manifest ({','.join(MANIFEST_FIELDS)})")
        default = path / MANIFEST_NAME
        manifest = Path(manifest) if manifest else (default if default.exists() else None)
        meta = read_manifest(manifest, path, encoding) if manifest else {}
        found = folder_files(path)  # one walk for the articles and the tables beside them
        files = article_files(path, found)
        warn_unread_tables(found.tables, {default, *([manifest] if manifest else [])})
        if not files:
            raise InputError(f"{path}: no .txt, .md or .html articles found")
        return CorpusStream(folder_articles(path, files, meta, manifest, encoding, skipped, on_file, max_chars,
                                            date_order), skipped, len(files))
    if table_suffix(path) in TABLE_SUFFIXES:  # compressed too: x.jsonl.gz (io.files.compression_of)
        if manifest:
            raise InputError(f"{manifest}: a manifest applies to a folder of articles, not to "
                             f"{Path(given_name(path)).name}")  # "-", not the file it was saved to
        return CorpusStream(iter_table_articles(path, encoding, skipped, max_chars, date_order, columns), skipped,
                            None, functools.partial(table_rows, path, encoding))
    refuse_spreadsheet(path)  # first: a workbook saved as "a.txt" is no article file
    refuse_tsv(path)  # x.tsv: rename it x.csv, not "unsupported input"
    refuse_article_file(path)
    raise InputError(f"{path}: unsupported input; expected a folder or a .jsonl/.csv/.parquet file (a .jsonl or .csv "
                     "file may be gzip, bz2, xz or zstd compressed: x.jsonl.gz)")


def refuse_article_file(path: Path) -> None:
    """One article file given where a corpus goes: say to pass its folder (not that it is malformed JSON)."""
    if path.suffix.lower() in TEXT_SUFFIXES + HTML_SUFFIXES and not path.is_dir():
        raise InputError(f"{path}: pass the folder that holds the article, not the file itself")

