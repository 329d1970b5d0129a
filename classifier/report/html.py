"""One self-contained HTML page (and its Markdown twin) from the report's tables, figures and examples.

Article text is untrusted. The page is a Jinja template with autoescape on, so every value is escaped (and its
control characters shown as visible escapes, ``classifier.visible.shown``);
mention highlights are built from escaped segments (``highlight``) and only then marked safe; the page carries a Content-Security-Policy that allows no
script and no network (images only as ``data:`` URIs, inline CSS only).
"""

from __future__ import annotations

import base64
import functools
import html
import re
from typing import Iterable, Sequence

from classifier.report.tables import Rows
from classifier.visible import numeral, shown

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 2rem auto;
       max-width: 1200px; padding: 0 1rem; color: #1a1a1a; line-height: 1.45; overflow-wrap: break-word; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
h3 { font-size: 1.05rem; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.85rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: right; vertical-align: top; }
th { background: #f3f3f3; }
td:first-child, td:nth-child(2), th:first-child, th:nth-child(2) { text-align: left; overflow-wrap: anywhere; }
caption { text-align: left; font-weight: 600; padding: 0.2rem 0; }
.wide { overflow-x: auto; } figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto; }
figcaption, .note { color: #555; font-size: 0.85rem; } mark { background: #ffe38a; padding: 0 0.1em; }
blockquote { margin: 0.3rem 0 0.6rem 0; padding: 0.2rem 0.8rem; border-left: 4px solid #ccc; }
blockquote.favor { border-color: #2166ac; } blockquote.against { border-color: #b2182b; }
.findings li { margin: 0.3rem 0; } .warn { color: #8a4b00; }
nav.contents { font-size: 0.9rem; margin: 0.8rem 0; } nav.contents a { white-space: nowrap; }
"""


# The tables the findings at the top of the page speak of, by the name framing.difference_findings gives them: each
# finding links to its table's heading (before 2026-12-07 (7) "'cannot' in the table" named a table far down the
# page and linked to none)
TABLE_HEADINGS = {"tests": "Outlet tests", "framing": "Framing table"}


def anchor(heading: str) -> str:
    """The id of a heading, as GitHub makes it for a Markdown heading (lower case; every character but a letter,
    digit, space, hyphen or underscore dropped; each space a hyphen), so that report.md's links work there and
    report.html's ids are the same."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def linked(lines: Sequence[str], tables: Sequence[str | None] | None) -> list[tuple[str, str | None, str | None]]:
    """Each finding with the heading and id of the table it speaks of (``tables``, parallel to ``lines``: a key of
    :data:`TABLE_HEADINGS`, or a heading itself, as --split-date's "Change at DAY"), or None twice where it names
    none."""
    tables = list(tables or [])
    out = []
    for index, line in enumerate(lines):
        heading = TABLE_HEADINGS.get(tables[index], tables[index]) if index < len(tables) and tables[index] else None
        out.append((line, heading, anchor(heading) if heading else None))
    return out


def e(value) -> str:
    return html.escape(shown(value), quote=True)


def merged(spans: Iterable[Sequence[int]], length: int) -> list[tuple[int, int]]:
    """Spans clipped to the text, sorted and merged."""
    out: list[list[int]] = []
    for start, end in sorted((max(0, int(s)), min(length, int(t))) for s, t in spans):
        if start >= end:
            continue
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(s, t) for s, t in out]


def highlight(text: str, spans: Iterable[Sequence[int]], escape=e, open_tag: str = "<mark>",
              close_tag: str = "</mark>") -> str:
    """The text escaped piece by piece, with each mention wrapped in ``open_tag``/``close_tag``."""
    pieces, cursor = [], 0
    for start, end in merged(spans, len(text)):
        pieces += [escape(text[cursor:start]), open_tag, escape(text[start:end]), close_tag]
        cursor = end
    pieces.append(escape(text[cursor:]))
    return "".join(pieces)


def data_uri(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def fields(value) -> list[tuple]:
    """A card section's (name, value) pairs; a section of another shape (the card is the model folder's, not
    ours) has none."""
    return list(value.items()) if isinstance(value, dict) else []


# -- HTML -----------------------------------------------------------------------------------------------

def card_rows(card: dict | None) -> list[tuple[str, str]]:
    """The model card's flat fields as (name, value) rows for the page."""
    if not card:
        return []
    rows = [(key, ", ".join(map(str, card[key])) if isinstance(card[key], list) else card[key])
            for key in ("name", "created", "summary", "base", "input_description", "labels", "limitations")
            if card.get(key)]
    for section in ("data", "training"):
        rows += [(f"{section}: {key}", value) for key, value in fields(card.get(section))
                 if not isinstance(value, (dict, list))]
    for split, metrics in fields(card.get("evaluation")):
        rows += [(f"evaluation {split}: {key}", value)
                 for key, value in (metrics.items() if isinstance(metrics, dict) else []) if not isinstance(value, (dict, list))]
    # train's sentence on the figures above (which model scored higher), as the card's README has it
    if card.get("verdict") and not isinstance(card["verdict"], (dict, list)):
        rows.append(("evaluation: verdict", card["verdict"]))
    return rows


@functools.lru_cache(maxsize=1)
def page_template():
    """The page's Jinja template (classifier/resources/report.html.j2), autoescaping every value."""
    import jinja2
    from markupsafe import Markup

    from classifier.resources import resource_path

    def finalize(value):  # user text with its control characters as visible escapes; our Markup as it is
        return shown(value) if isinstance(value, str) and not isinstance(value, Markup) else value

    env = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             finalize=finalize)
    env.filters["data_uri"] = data_uri
    env.filters["anchor"] = anchor
    env.filters["highlight"] = lambda text, spans: Markup(highlight(text, spans))  # escaped piece by piece
    return env.from_string(resource_path("report.html.j2").read_text(encoding="utf-8"))


HEADING = re.compile(r'<h2 id="([^"]*)">(.*?)</h2>')


def with_contents(page: str, wanting: dict[str, str] | None = None) -> str:
    """The page with a line of links to each of its sections (its ``h2`` headings, as rendered: escaped already)
    before the first: before 2026-12-07 (9) a reader looking for "Change at DAY" scrolled past the time view's table
    (570 rows of a corpus of 5 outlets x 6 actors x 19 months) with no link to it. A section that holds only its note
    for want of an option (``wanting``: heading -> option, ``ctx["wanting"]``) says so after its link, "Model card
    (empty: no --model)", so that a reader does not follow it to find nothing."""
    sections = HEADING.findall(page)
    if len(sections) < 2:
        return page
    wanting = {html.escape(heading, quote=False): option for heading, option in (wanting or {}).items()}
    links = " · ".join(f'<a href="#{target}">{text}</a>'
                       + (f" (empty: no {wanting[text]})" if text in wanting else "") for target, text in sections)
    at = page.index("<h2 ")
    return f'{page[:at]}<nav class="contents">Sections: {links}</nav>\n{page[at:]}'


def render_html(ctx: dict) -> str:
    """The whole page as a string, with a line of links to its sections (:func:`with_contents`); nothing in it loads
    from the network or runs."""
    from markupsafe import Markup

    page = page_template().render(ctx=ctx, csp=Markup(CSP), style=Markup(STYLE),  # our own constants, verbatim
                                  card_rows=card_rows(ctx.get("card")),
                                  linked_findings=linked(ctx["findings"], ctx.get("findings_tables")),
                                  linked_power=linked(ctx.get("power") or [], ["tests"] * len(ctx.get("power") or [])))
    return with_contents(page, ctx.get("wanting"))


def md_linked(lines: Sequence[tuple[str, str | None, str | None]]) -> list[str]:
    """:func:`linked` findings as Markdown list items, each ending in a link to its table's heading."""
    return [f"- {md(line)}" + (f" ([{md(heading)}](#{target}))" if target else "") for line, heading, target in lines]


# -- Markdown -------------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~$])")  # $: "$x$" is math to GitHub, Jupyter, pandoc


def md(value) -> str:
    """Text safe inside Markdown (and the HTML a renderer may pass through): one line, specials escaped."""
    text = " ".join(shown(value).split())
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def md_inline(value) -> str:
    """``md`` for a piece of a line (the text between two highlighted mentions): one space kept at either end."""
    text = shown(value)
    lead = " " if text[:1].isspace() else ""
    trail = " " if text.strip() and text[-1:].isspace() else ""
    return lead + md(text) + trail


def md_table(rows: Rows) -> str:
    headers, body = rows
    lines = ["| " + " | ".join(md(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(md(cell) for cell in row) + " |" for row in body]
    return "\n".join(lines)


def render_markdown(ctx: dict) -> str:
    """The same report for pasting into a paper: pipe tables, figures as files under ``plots/``."""
    out = [f"# {md(ctx['title'])}", "",
           f"Predictions `{md(ctx['predictions'])}`, model {md(', '.join(ctx['models']))}: {md(ctx['counts'])}, "
           f"seed {ctx['seed']}); † marks cells with fewer than "
           f"{ctx['min_n']} mentions." + (f" {md(ctx['no_spread_note'])}" if ctx.get("no_spread_note") else ""), ""]
    out += [f"Only sentences of kind {md(ctx['kind_filter'])} (--kind).", ""] if ctx.get("kind_filter") else []
    out += ["## Differences between outlets", ""]
    out += md_linked(linked(ctx["findings"], ctx.get("findings_tables"))) + ["", md(ctx["tests_note"]), ""]
    if ctx.get("wire_note"):
        out += ["### Shared wire copy", "", md(ctx["wire_note"]), "", md_table(ctx["wire"]), ""]
    if ctx.get("power"):
        out += ["### What these data can show", ""] + md_linked(linked(ctx["power"], ["tests"] * len(ctx["power"])))
        out += [""]
    out += [f"![{md(f['title'])}]({f['file']})" for f in ctx["figures"] if f["kind"] == "heatmap"]
    out += ["", "## Framing table", "", md_table(ctx["framing"]), "", md(ctx["framing_note"]), ""]
    out += [md(ctx["tone_note"]), ""] if ctx.get("tone_note") else []
    out += ["## Headlines and body", "", md(ctx.get("kinds_note", "")), ""]
    out += [md_table(ctx["kinds"]), ""] if ctx.get("kinds") else []
    out += ["## Shares corrected for classifier error", "", md(ctx["correction_note"]), ""]
    if ctx["corrected"]:
        out += [md_table(ctx["corrected"]), ""]
        out += [md(ctx["corrected_legend"]), ""] if ctx.get("corrected_legend") else []
    out += ["## Net stance per actor", ""] + [f"![{md(f['title'])}]({f['file']})" for f in ctx["figures"]
                                               if f["kind"] == "actor"]
    out += ["", "## Over time", "", md(ctx.get("timeline_note", "")), ""]
    out += [f"![{md(f['title'])}]({f['file']})" for f in ctx["figures"] if f["kind"] == "time"]
    out += ["", md_table(ctx["timeline"]), ""] if ctx.get("timeline") else []
    out += ["", md_table(ctx["timeline_trends"]), ""] if ctx.get("timeline_trends") else []
    out += [md(ctx["timeline_trends_legend"]), ""] if ctx.get("timeline_trends") and ctx.get("timeline_trends_legend") \
        else []
    if ctx.get("split"):
        out += ["", f"## Change at {md(ctx['split']['date'])}", "", md(ctx["split"]["note"]), ""]
        out += [f"![{md(f['title'])}]({f['file']})" for f in ctx["figures"] if f["kind"] == "split"]
        out += ["", md_table(ctx["split"]["rows"]), ""] if ctx["split"]["rows"] else []
        out += [md(ctx["split"]["legend"]), ""] if ctx["split"]["rows"] and ctx["split"].get("legend") else []
    if ctx.get("compare"):
        out += ["", "## Before and after", ""]
        out += [md(f"Warning: {ctx['compare']['warning']}."), ""] if ctx["compare"].get("warning") else []
        out += [md(ctx["compare"]["note"]), "", md_table(ctx["compare"]["rows"]), ""]
        out += [md(ctx["compare"]["legend"]), ""] if ctx["compare"].get("legend") else []
        out += [md(ctx["compare"]["eval_note"]), ""]
        out += [md_table(ctx["compare"]["evaluation"]), ""] if ctx["compare"]["evaluation"] else []
    out += ["", "## Outlet tests", "", md_table(ctx["tests"]), ""]
    out += [md(ctx["tests_legend"]), ""] if ctx.get("tests_legend") else []
    out += ["## Sentences that drive each cell", "",
            "The most confident favor and against predictions per outlet and actor, each with the model's "
            "probability of that class (not a p-value), each sentence once (with the "
            "number of the cell's articles it is in where it is in more than one) and its article's headline and "
            "date; the actor mention is highlighted.",
            ""]
    for cell in ctx["examples"]:
        out += [f"### {md(cell['outlet'])} · {md(cell['actor'])}", ""]
        for side in ("favor", "against"):
            out += [f"> **{side} {x['p']:.2f}** {highlight(x['text'], x['spans'], md_inline, '**', '**')}"
                    + (f" (in {numeral(x['articles'])} articles)" if x.get("articles", 1) > 1 else "")
                    + (f" — {md(x['from'])}" if x.get("from") else "") + "\n"
                    for x in cell[side]]
        if not cell["favor"] and not cell["against"]:  # as report.html says it, not an empty heading
            out += ["No sentence predicted favor or against.", ""]
    out += ["## Evaluation on gold labels", ""]
    if ctx["evaluation"]:
        ev = ctx["evaluation"]
        out += [md(ev["note"]), ""] + [md_table(ev[key]) + "\n" for key in ("overall", "per_class", "confusion",
                                                                              "groups")]
        out += [md(ev["groups_note"]), ""]
        out += [f"![{md(f['title'])}]({f['file']})" for f in ctx["figures"] if f["kind"] == "reliability"] + [""]
    else:
        out += [md(ctx["evaluation_note"]), ""]
    out += ["## Model card", "", md(ctx["card_note"]), ""]
    out += [f"- {md(key)}: {md(value)}" for key, value in card_rows(ctx["card"])]
    if ctx.get("provenance"):
        out += ["", "## How this report was made", ""] + [f"- {md(k)}: {md(v)}" for k, v in ctx["provenance"].items()]
    return "\n".join(out) + "\n"
