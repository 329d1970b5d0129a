"""One self-contained HTML page (and its Markdown twin) from the report's tables, figures and examples.

Article text is untrusted. Every quoted string goes through ``html.escape``; mention highlights are
inserted after escaping, segment by segment; the page carries a Content-Security-Policy that allows no
script and no network (images only as ``data:`` URIs, inline CSS only).
"""

from __future__ import annotations

import base64
import html
import re
from typing import Iterable, Sequence

from classifier.report.tables import Rows

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 2rem auto;
       max-width: 1200px; padding: 0 1rem; color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
h3 { font-size: 1.05rem; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.85rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: right; vertical-align: top; }
th { background: #f3f3f3; }
td:first-child, td:nth-child(2), th:first-child, th:nth-child(2) { text-align: left; }
caption { text-align: left; font-weight: 600; padding: 0.2rem 0; }
.wide { overflow-x: auto; } figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto; }
figcaption, .note { color: #555; font-size: 0.85rem; } mark { background: #ffe38a; padding: 0 0.1em; }
blockquote { margin: 0.3rem 0 0.6rem 0; padding: 0.2rem 0.8rem; border-left: 4px solid #ccc; }
blockquote.favor { border-color: #2166ac; } blockquote.against { border-color: #b2182b; }
.findings li { margin: 0.3rem 0; } .warn { color: #8a4b00; }
"""


def e(value) -> str:
    return html.escape(str(value), quote=True)


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


# -- HTML -----------------------------------------------------------------------------------------------

def html_table(rows: Rows, caption: str | None = None) -> str:
    headers, body = rows
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    lines = "".join("<tr>" + "".join(f"<td>{e(cell)}</td>" for cell in row) + "</tr>" for row in body)
    cap = f"<caption>{e(caption)}</caption>" if caption else ""
    return f'<div class="wide"><table>{cap}<thead><tr>{head}</tr></thead><tbody>{lines}</tbody></table></div>'


def html_figure(figure: dict) -> str:
    return (f'<figure><img src="{data_uri(figure["png"])}" alt="{e(figure["title"])}">'
            f'<figcaption>{e(figure["caption"])} (also <code>{e(figure["svg"])}</code>)</figcaption></figure>')


def html_examples(examples: Sequence[dict]) -> str:
    parts = []
    for cell in examples:
        parts.append(f"<h3>{e(cell['outlet'])} · {e(cell['actor'])}</h3>")
        for side in ("favor", "against"):
            for example in cell[side]:
                parts.append(f'<blockquote class="{side}"><strong>{side} p={example["p"]:.2f}</strong> '
                             f'{highlight(example["text"], example["spans"])}</blockquote>')
        if not cell["favor"] and not cell["against"]:
            parts.append('<p class="note">No sentence predicted favor or against.</p>')
    return "\n".join(parts)


def html_card(card: dict | None, note: str) -> str:
    if not card:
        return f'<p class="note">{e(note)}</p>'
    fields = [(key, card[key]) for key in ("name", "summary", "base", "input_description", "labels", "limitations")
              if card.get(key)]
    rows = "".join(f"<tr><td>{e(k)}</td><td>{e(', '.join(v) if isinstance(v, list) else v)}</td></tr>"
                   for k, v in fields)
    for section in ("data", "training"):
        for key, value in (card.get(section) or {}).items():
            if not isinstance(value, (dict, list)):
                rows += f"<tr><td>{e(section)}: {e(key)}</td><td>{e(value)}</td></tr>"
    for split, metrics in (card.get("evaluation") or {}).items():
        for key, value in (metrics.items() if isinstance(metrics, dict) else []):
            if not isinstance(value, (dict, list)):
                rows += f"<tr><td>evaluation {e(split)}: {e(key)}</td><td>{e(value)}</td></tr>"
    return f'<p class="note">{e(note)}</p><div class="wide"><table><tbody>{rows}</tbody></table></div>'


def render_html(ctx: dict) -> str:
    """The whole page as a string; nothing in it loads from the network or runs."""
    parts = [f"<h1>{e(ctx['title'])}</h1>",
             f"<p>Predictions <code>{e(ctx['predictions'])}</code>, model {e(', '.join(ctx['models']))}: "
             f"{ctx['n']} mentions of {ctx['n_actors']} actors in {ctx['n_outlets']} outlets. "
             f"Intervals are 95% bootstrap intervals resampled by article ({ctx['n_boot']} resamples, seed "
             f"{ctx['seed']}); † marks cells with fewer than {ctx['min_n']} mentions.</p>"]
    if ctx.get("kind_filter"):
        parts.append(f'<p class="note">Only sentences of kind {e(ctx["kind_filter"])} (--kind).</p>')
    parts += ["<h2>Differences between outlets</h2>",
              '<ul class="findings">' + "".join(f"<li>{e(line)}</li>" for line in ctx["findings"]) + "</ul>",
              f'<p class="note">{e(ctx["tests_note"])}</p>']
    parts += ["<h3>What these data can show</h3>",
              '<ul class="findings">' + "".join(f"<li>{e(line)}</li>" for line in ctx["power"]) + "</ul>"
              ] if ctx.get("power") else []
    parts += [html_figure(f) for f in ctx["figures"] if f["kind"] == "heatmap"]
    parts += ["<h2>Framing table</h2>", html_table(ctx["framing"]), f'<p class="note">{e(ctx["framing_note"])}</p>']
    if ctx.get("tone_note"):
        parts.append(f'<p class="note">{e(ctx["tone_note"])}</p>')
    parts += ["<h2>Headlines and body</h2>", f'<p class="note">{e(ctx.get("kinds_note", ""))}</p>']
    if ctx.get("kinds"):
        parts.append(html_table(ctx["kinds"]))
    parts += ["<h2>Shares corrected for classifier error</h2>", f'<p class="note">{e(ctx["correction_note"])}</p>']
    if ctx["corrected"]:
        parts.append(html_table(ctx["corrected"]))
    parts += ["<h2>Net stance per actor</h2>"] + [html_figure(f) for f in ctx["figures"] if f["kind"] == "actor"]
    if ctx.get("actors_note"):
        parts.append(f'<p class="note">{e(ctx["actors_note"])}</p>')
    parts += ["<h2>Over time</h2>", f'<p class="note">{e(ctx.get("timeline_note", ""))}</p>']
    parts += [html_figure(f) for f in ctx["figures"] if f["kind"] == "time"]
    if ctx.get("timeline"):
        parts.append(html_table(ctx["timeline"]))
    if ctx.get("compare"):
        parts += ["<h2>Before and after</h2>", f'<p class="note">{e(ctx["compare"]["note"])}</p>',
                  html_table(ctx["compare"]["rows"]), f'<p class="note">{e(ctx["compare"]["eval_note"])}</p>']
        if ctx["compare"]["evaluation"]:
            parts.append(html_table(ctx["compare"]["evaluation"], "gold labels, both models"))
    parts += ["<h2>Outlet tests</h2>", html_table(ctx["tests"])]
    parts += ["<h2>Sentences that drive each cell</h2>",
              '<p class="note">The most confident favor and against predictions per outlet and actor; the actor '
              "mention is highlighted.</p>", html_examples(ctx["examples"])]
    parts.append("<h2>Evaluation on gold labels</h2>")
    if ctx["evaluation"]:
        ev = ctx["evaluation"]
        parts += [f'<p class="note">{e(ev["note"])}</p>', html_table(ev["overall"], "overall"),
                  html_table(ev["per_class"], "per class"), html_table(ev["confusion"], "confusion matrix"),
                  html_table(ev["groups"], "per source")]
        parts += [html_figure(f) for f in ctx["figures"] if f["kind"] == "reliability"]
    else:
        parts.append(f'<p class="note">{e(ctx["evaluation_note"])}</p>')
    parts += ["<h2>Model card</h2>", html_card(ctx["card"], ctx["card_note"])]
    body = "\n".join(parts)
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{e(ctx['title'])}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


# -- Markdown -------------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md(value) -> str:
    """Text safe inside Markdown (and the HTML a renderer may pass through): one line, specials escaped."""
    text = " ".join(str(value).split())
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def md_table(rows: Rows) -> str:
    headers, body = rows
    lines = ["| " + " | ".join(md(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(md(cell) for cell in row) + " |" for row in body]
    return "\n".join(lines)


def render_markdown(ctx: dict) -> str:
    """The same report for pasting into a paper: pipe tables, figures as files under ``plots/``."""
    out = [f"# {md(ctx['title'])}", "",
           f"Predictions `{md(ctx['predictions'])}`, model {md(', '.join(ctx['models']))}: {ctx['n']} mentions of "
           f"{ctx['n_actors']} actors in {ctx['n_outlets']} outlets. Intervals are 95% bootstrap intervals "
           f"resampled by article ({ctx['n_boot']} resamples, seed {ctx['seed']}); † marks cells with fewer than "
           f"{ctx['min_n']} mentions.", ""]
    out += [f"Only sentences of kind {md(ctx['kind_filter'])} (--kind).", ""] if ctx.get("kind_filter") else []
    out += ["## Differences between outlets", ""]
    out += [f"- {md(line)}" for line in ctx["findings"]] + ["", md(ctx["tests_note"]), ""]
    if ctx.get("power"):
        out += ["### What these data can show", ""] + [f"- {md(line)}" for line in ctx["power"]] + [""]
    out += [f"![{md(f['title'])}]({f['file']})" for f in ctx["figures"] if f["kind"] == "heatmap"]
    out += ["", "## Framing table", "", md_table(ctx["framing"]), "", md(ctx["framing_note"]), ""]
    out += [md(ctx["tone_note"]), ""] if ctx.get("tone_note") else []
    out += ["## Headlines and body", "", md(ctx.get("kinds_note", "")), ""]
    out += [md_table(ctx["kinds"]), ""] if ctx.get("kinds") else []
    out += ["## Shares corrected for classifier error", "", md(ctx["correction_note"]), ""]
    if ctx["corrected"]:
        out += [md_table(ctx["corrected"]), ""]
    out += ["## Net stance per actor", ""] + [f"![{md(f['title'])}]({f['file']})" for f in ctx["figures"]
                                               if f["kind"] == "actor"]
    out += ["", "## Over time", "", md(ctx.get("timeline_note", "")), ""]
    out += [f"![{md(f['title'])}]({f['file']})" for f in ctx["figures"] if f["kind"] == "time"]
    out += ["", md_table(ctx["timeline"]), ""] if ctx.get("timeline") else []
    if ctx.get("compare"):
        out += ["", "## Before and after", "", md(ctx["compare"]["note"]), "", md_table(ctx["compare"]["rows"]), "",
                md(ctx["compare"]["eval_note"]), ""]
        out += [md_table(ctx["compare"]["evaluation"]), ""] if ctx["compare"]["evaluation"] else []
    out += ["", "## Outlet tests", "", md_table(ctx["tests"]), "", "## Sentences that drive each cell", ""]
    for cell in ctx["examples"]:
        out += [f"### {md(cell['outlet'])} · {md(cell['actor'])}", ""]
        for side in ("favor", "against"):
            out += [f"> **{side} p={x['p']:.2f}** {highlight(x['text'], x['spans'], md, '**', '**')}\n"
                    for x in cell[side]]
    out += ["## Evaluation on gold labels", ""]
    if ctx["evaluation"]:
        ev = ctx["evaluation"]
        out += [md(ev["note"]), ""] + [md_table(ev[key]) + "\n" for key in ("overall", "per_class", "confusion",
                                                                              "groups")]
    else:
        out += [md(ctx["evaluation_note"]), ""]
    out += ["## Model card", "", md(ctx["card_note"]), ""]
    if ctx["card"]:
        out += [f"- {md(k)}: {md(ctx['card'][k])}" for k in ("name", "summary", "base", "limitations")
                if ctx["card"].get(k)]
    return "\n".join(out) + "\n"
