"""What the terminal shows of user text: never markup, never control sequences.

Article text, ids, outlets, actors, annotators and model names come from users. Rich would read ``[/]``
in them as markup (a crash) and ``[link=...]`` as a hyperlink, and a terminal would obey ANSI/OSC escapes
(window titles, clearing the screen) and bidi overrides in them. So every console of the CLI is a
``SafeConsole``: markup is off unless a call asks for it with text of our own, and every string it renders
has its control characters shown as visible escapes (``\\x1b``, ``\\u202e``). Text objects built from user
text go through ``shown`` first.
"""

from __future__ import annotations

import unicodedata

from rich.console import Console

_BIDI = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))


def _escape_of(code: int) -> str:
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


CONTROL_MAP = {code: _escape_of(code) for code in (*range(0x00, 0x20), *range(0x7F, 0xA0), *_BIDI)
               if chr(code) not in "\n\t"}


def shown(text) -> str:
    """``text`` with every control, format-override and bidi character replaced by a visible escape."""
    text = str(text)
    if text.isprintable():
        return text
    text = text.translate(CONTROL_MAP)
    return "".join(_escape_of(ord(ch)) if unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\n\t" else ch
                   for ch in text)


class SafeConsole(Console):
    """A rich Console whose strings are literal (markup only where a call passes ``markup=True``) and
    free of control sequences."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("markup", False)
        kwargs.setdefault("highlight", False)
        kwargs.setdefault("emoji", False)
        super().__init__(*args, **kwargs)

    def render_str(self, text: str, **kwargs):
        return super().render_str(shown(text), **kwargs)
