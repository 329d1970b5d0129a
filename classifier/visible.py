"""User text made safe to show anywhere a person reads it: the terminal, the report's pages, plots and tables.

Article text, ids, outlets, actors, annotators and model names come from users. A terminal obeys ANSI/OSC
escapes (window titles, clearing the screen) and bidi overrides in them, an SVG with a control character is not
well-formed XML, and ``cat report.md`` replays them. ``shown`` replaces each such character by a visible escape
(``\\x1b``, ``\\u202e``).
"""

from __future__ import annotations

import numbers
import unicodedata

_BIDI = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))


def _escape_of(code: int) -> str:
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_SEPARATORS = (0x2028, 0x2029)  # line and paragraph separators: line breaks to some terminals and editors
CONTROL_MAP = {code: _escape_of(code) for code in (*range(0x00, 0x20), *range(0x7F, 0xA0), *_BIDI, *_SEPARATORS)
               if chr(code) not in "\n\t"}


def shown(text) -> str:
    """``text`` with every control, format-override and bidi character replaced by a visible escape."""
    text = str(text)
    if text.isprintable():
        return text
    text = text.translate(CONTROL_MAP)
    return "".join(_escape_of(ord(ch)) if unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\n\t" else ch
                   for ch in text)


def one_line(text) -> str:
    """``shown`` for text that must stay on one line (an error or a warning): its line breaks shown as ``\\n``
    too, so that a file name or a value holding one cannot start a line that reads as the tool's own
    ("corpus/x\\nerror: forged.txt")."""
    return shown(text).replace("\n", "\\n")


def quoted(text) -> str:
    """``text`` (already made visible, its escapes written out) in quotes as ``repr`` chooses them, without its
    doubled backslashes: 'ana', "O'Neil"; in single quotes around a name with an apostrophe ('O'Neil\\x07') the name
    seemed to end at its apostrophe. A text with both kinds of quote is ``repr``'s ('O\\'Neil "Jr"')."""
    text = str(text)
    if "'" not in text:
        return f"'{text}'"
    return f'"{text}"' if '"' not in text else repr(text)


def shortened(text, width: int) -> str:
    """``text`` cut to ``width`` characters in the middle ("The Extremely Long…Edition 12"), so that names that
    differ only at their end stay apart; shorter text is kept whole."""
    text = str(text)
    if len(text) <= width:
        return text
    tail = (width - 1) // 3
    return text[:width - 1 - tail] + "…" + text[len(text) - tail:]


def numeral(n) -> str:
    """A count as a person reads it: "999", "1,000", "151,141" (a thousands separator from 1,000 up, as Python's
    ``,`` format gives it, whatever the locale). Anything but an integer (a float, a word) is written as ``str``
    writes it. Only for text people read: JSON, CSV and Parquet keep their numbers as numbers."""
    return f"{n:,}" if isinstance(n, numbers.Integral) and not isinstance(n, bool) else str(n)


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and ``noun`` in its number: "1 article", "2 articles", "0 articles", "1,000 articles"; ``plural`` where
    adding an s will not do ("1 file skipped" / "2 files skipped"). Written here, not taken from a library (inflect
    and the like are not dependencies), as every count a person reads goes through it or ``numeral``."""
    return f"{numeral(n)} {noun if n == 1 else plural or noun + 's'}"
