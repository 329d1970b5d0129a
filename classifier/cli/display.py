"""What the terminal shows of user text: never markup, never control sequences.

Article text, ids, outlets, actors, annotators and model names come from users. Rich would read ``[/]``
in them as markup (a crash) and ``[link=...]`` as a hyperlink, and a terminal would obey ANSI/OSC escapes
(window titles, clearing the screen) and bidi overrides in them. So every console of the CLI is a
``SafeConsole``: markup is off unless a call asks for it with text of our own, and every string it renders
has its control characters shown as visible escapes (``\\x1b``, ``\\u202e``). Text objects built from user
text go through ``shown`` first.
"""

from __future__ import annotations

import os

from rich.console import Console

from classifier.visible import shown  # noqa: F401  (commands import it from here)


class SafeConsole(Console):
    """A rich Console whose strings are literal (markup only where a call passes ``markup=True``) and
    free of control sequences."""

    PIPED_WIDTH = 140  # output to a file or a pipe: rich's 80 columns cut an actor's name into 7-letter pieces

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("markup", False)
        kwargs.setdefault("highlight", False)
        kwargs.setdefault("emoji", False)
        super().__init__(*args, **kwargs)
        if "width" not in kwargs and not self.is_terminal and not os.environ.get("COLUMNS"):
            self.width = self.PIPED_WIDTH

    def render_str(self, text: str, **kwargs):
        return super().render_str(shown(text), **kwargs)
