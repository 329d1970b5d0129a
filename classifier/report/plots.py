"""Figures for the report: matplotlib's object API on the Agg canvas, no pyplot and no global state.

A diverging, colour-blind-safe palette (RdBu: red = against, blue = favor) centred on zero (white) with
symmetric limits: [-1, 1] in the per-actor charts; in the heatmap, the data's largest |net stance| rounded up to 0.25,
0.5 or 1 (:func:`net_limit`), said on its colour bar, so that differences of 0.2 are not pale tints.
"""

from __future__ import annotations

import io
import textwrap
import warnings
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from matplotlib import colormaps, rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from classifier.report.tables import no_spread  # the charts mark what the tables mark ‡
from classifier.visible import numeral, shortened, shown

PALETTE = "RdBu"
MISSING = "#e6e6e6"
NET_LABEL = "net stance = (favor − against) / n"
ALL_ITEMS = "#000000"  # the reliability diagram's line for all items
# The outlets' colours: eight hues that are not the stance colours (no red, no blue: an outlet drawn dark red or blue
# would be read as against or favor, as petroff10's red and blue outlets were before 2026-12-07 (6)), chosen for
# normal vision and for deuteranopia and protanopia (Machado et al. 2009, severity 1.0), under which RdBu runs blue
# to olive: from every RdBu colour of a net stance of 0.2 or more at least 30 CIELAB units (normal) and 18 (either
# deficiency), and from each other 34 and 20 (orange, teal, violet, brown, green, plum, orchid, indigo; picked from
# an sRGB grid by max-min distance, lines no lighter than L* 78 on the white page). Before 2026-12-07 (7) purple,
# brown and olive were 7.8, 9.8 and 12.1 units from a stance colour under deuteranopia, bluish green 5.8 under
# protanopia (tests/test_report.py simulates both). A dichromat sees every hue as a blue or a yellow of some
# lightness and strength, so there the violet and indigo lines are blues apart from RdBu's by strength and
# lightness, not by hue, and the line styles and markers still help. Eight, so that a chart draws eight outlets;
# with the line styles below, thirty-two outlets each get a look of their own.
OUTLET_COLOURS = ("#ff7800", "#4bb4a5", "#8700ff", "#a55a00", "#78d24b", "#693c5a", "#d278ff", "#4b0096")
OUTLET_LINES = (("-", "o"), ("--", "s"), (":", "^"), ("-.", "v"))  # no "D": open diamonds mark small cells


def plain(text: str) -> str:
    """Text for a matplotlib label: ``$`` would start mathtext, so it is escaped; control characters (which
    no font draws and no SVG may hold) become visible escapes."""
    return shown(text).replace("$", r"\$")


LABEL_CHARS = 40  # an actor's name in a chart's title, on one line; the tables and files keep it whole
LABEL_WIDTH = 30  # the characters of a line of a name on a tick or in a legend, of two lines at most


def of_kind(kind: str | None) -> str:
    """What a chart's title adds under ``--kind``: " in headline sentences", so that a chart shared alone says it
    shows headlines only; nothing without it."""
    return f" in {plain(kind)} sentences" if kind else ""


NO_SPREAD = "‡ every resample gave the same value: no spread to draw, not certainty"
NO_INTERVAL = "hollow: fewer than 5 articles, no interval"
NOT_RESAMPLED = "hollow: no interval, --n-boot 0 asked for no resampling"


def no_interval(n_boot: int) -> str:
    """What a chart's footer says of its hollow markers: with ``--n-boot 0`` no point has an interval because none
    was asked for, not because its articles are few."""
    return NO_INTERVAL if n_boot > 0 else NOT_RESAMPLED


def label_text(name) -> str:
    """A name short enough for a title's one line: a longer one is cut in the middle, marked with an ellipsis."""
    return shortened(name, LABEL_CHARS)


def cut_between(text: str, width: int) -> str:
    """``text`` in ``width`` characters, cut between words: its last words (up to two thirds of the width: the end
    of a long name, "(Weekend Edition)", is what tells it from its neighbours), "…", and as many of its first
    words as fit; a word longer than its share is cut within."""
    if len(text) <= width:
        return text
    words = text.split(" ")
    tail = ""
    for word in reversed(words):
        if len(word) + len(tail) + bool(tail) > (2 * width) // 3:
            break
        tail = f"{word} {tail}" if tail else word
    tail = tail or text[-((2 * width) // 3):]
    head = ""
    for word in words:
        if len(head) + bool(head) + len(word) > width - 1 - len(tail):
            break
        head = f"{head} {word}" if head else word
    head = head or text[:width - 1 - len(tail)]
    return f"{head}…{tail}"


def wrapped(name, width: int = LABEL_WIDTH, whole: bool = False) -> str:
    """A name for a tick or a legend entry: on one line of ``width`` characters, or two broken between words; a name
    longer than two lines keeps its first line and its second is cut between words (:func:`cut_between`). Before
    2026-12-07 (9) a name was cut to one line of 40 characters in the middle ("The International Herald o…kend
    Edition)"), dropping what told two long names apart, and the labels took half a dot chart's width. ``whole``:
    every line, none cut."""
    lines = textwrap.wrap(shown(name), width, break_on_hyphens=False) or [shown(name)]
    if whole or len(lines) <= 2:
        return "\n".join(lines)
    return f"{lines[0]}\n{cut_between(' '.join(lines[1:]), width)}"


def label_texts(names, width: int = LABEL_WIDTH) -> dict[str, str]:
    """Each of ``names`` as :func:`wrapped` writes it, unique: two names cut alike (a 40-character prefix and an
    end in common) are both written whole, and any still alike (names apart only in their spacing) numbered."""
    names = list(dict.fromkeys(map(str, names)))
    labels = {name: wrapped(name, width) for name in names}
    seen: dict[str, list[str]] = {}
    for name, label in labels.items():
        seen.setdefault(label, []).append(name)
    for alike in (group for group in seen.values() if len(group) > 1):
        for name in alike:
            labels[name] = wrapped(name, width, whole=True)
    alike = {label for label in labels.values() if list(labels.values()).count(label) > 1}
    counts: dict[str, int] = {}
    for name, label in labels.items():
        if label in alike:
            counts[label] = counts.get(label, 0) + 1
            labels[name] = f"{label} [{counts[label]}]"
    return labels


def longest_line(labels) -> int:
    """The characters of the longest line of ``labels``: what a chart leaves room for."""
    return max((len(line) for label in labels for line in str(label).split("\n")), default=0)


LINE_INCHES = 0.17  # a line of a tick label: 10 points at matplotlib's line spacing of 1.2, and a little


def row_inches(labels, least: float) -> float:
    """The height of a chart's row: ``least``, which holds a name of two lines, or room for the most lines of
    ``labels`` (a name :func:`label_texts` wrote whole, as two names alike but in their middle are, runs to seven
    lines at 200 characters): before 2026-12-07 (9) such names overlapped their neighbours' in the dot and split
    charts."""
    lines = max((str(label).count("\n") + 1 for label in labels), default=1)
    return max(least, round(LINE_INCHES * lines + 0.08, 2))


# the heatmap's colour ranges, ± each: the smallest that holds every cell; none below 0.25, so that a heatmap of
# differences of 0.05 does not draw them as strong as a real split
NET_LIMITS = (0.25, 0.5, 0.75, 1.0)


def net_limit(values) -> float:
    """The heatmap's colour range, ± this: the largest |net stance| of ``values`` (NaN: no cell) as its cell shows
    it (two decimals: a cell reading +0.25 needs no ±0.5) rounded up to one of :data:`NET_LIMITS`, so that the
    strongest cell is drawn strong and none is clipped by more than its rounding; before 2026-12-07 (9)
    always 1, so that the typical differences of 0.1 to 0.3 showed as pale tints and the numbers carried the
    message."""
    values = np.abs(np.asarray(values, float))
    most = round(float(values[np.isfinite(values)].max(initial=0.0)), 2)
    return next((limit for limit in NET_LIMITS if most <= limit), NET_LIMITS[-1])


def net_norm(limit: float = 1.0) -> TwoSlopeNorm:
    """Net stance to colour, zero white, ± ``limit`` the strongest red and blue."""
    return TwoSlopeNorm(vmin=-limit, vcenter=0.0, vmax=limit)


def new_figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def figure_bytes(figure: Figure, fmt: str, dpi: int = 110) -> bytes:
    """PNG or SVG bytes; SVG without a date and with fixed element ids (matplotlib draws them at random unless
    ``svg.hashsalt`` is set), so reruns give the same file."""
    buffer = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else None
    with rc_context({"svg.hashsalt": "stance-report"}), warnings.catch_warnings():
        # a glyph the font lacks, a layout that does not fit: the figure is still drawn, and the terminal is
        # no place for matplotlib's file paths
        warnings.filterwarnings("ignore", category=UserWarning)  # matplotlib names its caller as the source
        figure.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata)
    return buffer.getvalue()


@lru_cache(maxsize=1)
def chart_characters() -> frozenset[int]:
    """The characters the charts' fonts can draw: those of the font each entry of matplotlib's ``font.family``
    resolves to (it falls back from one entry to the next; the default, "sans-serif", is one font, DejaVu Sans)."""
    from matplotlib import font_manager, rcParams
    from matplotlib.ft2font import FT2Font

    families = rcParams["font.family"]
    paths = {font_manager.findfont(font_manager.FontProperties(family=[family]))
             for family in ([families] if isinstance(families, str) else families)}
    return frozenset(code for path in paths for code in FT2Font(path).get_charmap())


def undrawn_names(names) -> list[str]:
    """The names with a letter no chart font draws (Chinese with matplotlib's own DejaVu Sans alone): the charts
    show boxes where the tables show the name."""
    drawable = chart_characters()
    return [name for name in dict.fromkeys(map(str, names)) if any(ord(c) not in drawable for c in name.strip())]


def heatmap_order(table: pd.DataFrame, max_actors: int, max_outlets: int = 40) -> tuple[list[str], list[str]]:
    """Actors by mentions (most first, at most ``max_actors``), outlets by mean net stance over those actors, each
    actor's cell alike (most favorable first; at most ``max_outlets``, those with the most mentions)."""
    actors = table.groupby("actor")["n"].sum().sort_values(ascending=False, kind="stable").index[:max_actors]
    shown = table[table["actor"].isin(actors)]
    busiest = shown.groupby("outlet")["n"].sum().sort_values(ascending=False, kind="stable").index[:max_outlets]
    shown = shown[shown["outlet"].isin(busiest)]
    outlets = shown.groupby("outlet")["net"].mean().sort_values(ascending=False, kind="stable").index
    return list(outlets), list(actors)


def net_heatmap(table: pd.DataFrame, *, max_actors: int = 30, min_n: int = 10, kind: str | None = None) -> Figure:
    """Outlet x actor heatmap of net stance with the number of mentions in each cell; its colours span ± the
    largest |net stance| rounded up (:func:`net_limit`), said on the colour bar, zero white; the outlets in
    :func:`heatmap_order`'s order, said on the axis; names wrapped (:func:`label_texts`)."""
    outlets, actors = heatmap_order(table, max_actors)
    cells = table.set_index(["outlet", "actor"])
    values = np.full((len(outlets), len(actors)), np.nan)
    for i, outlet in enumerate(outlets):
        for j, actor in enumerate(actors):
            if (outlet, actor) in cells.index:
                values[i, j] = cells.loc[(outlet, actor), "net"]
    actor_labels, outlet_labels = label_texts(actors), label_texts(outlets)
    label_room = 0.08 * longest_line(actor_labels.values())  # the ticks show wrapped names
    row = row_inches(outlet_labels.values(), 0.55)  # an outlet written whole over several lines has room
    across = 3.0 + 1.0 * len(actors) + 0.08 * longest_line(outlet_labels.values())  # the outlets' names beside
    figure = new_figure(min(across, 26), min(max(3.6, 1.8 + row * len(outlets) + label_room), 30))
    axes = figure.add_subplot()
    cmap = colormaps[PALETTE].with_extremes(bad=MISSING)
    limit = net_limit(values)
    image = axes.imshow(np.ma.masked_invalid(values), cmap=cmap, norm=net_norm(limit), aspect="auto")
    for i, outlet in enumerate(outlets):
        for j, actor in enumerate(actors):
            if (outlet, actor) not in cells.index:
                axes.text(j, i, "–", ha="center", va="center", color="#777777", fontsize=8)
                continue
            n = int(cells.loc[(outlet, actor), "n"])
            flag = "†" if n < min_n else ""
            colour = "white" if abs(values[i, j]) > 0.55 * limit else "black"
            axes.text(j, i, f"{values[i, j]:+.2f}\nn={numeral(n)}{flag}", ha="center", va="center", color=colour,
                      fontsize=8)
    axes.set_xticks(range(len(actors)), [plain(actor_labels[a]) for a in actors], rotation=35, ha="right")
    axes.set_yticks(range(len(outlets)), [plain(outlet_labels[o]) for o in outlets])
    n_actors, n_outlets = table["actor"].nunique(), table["outlet"].nunique()
    axes.set_xlabel("actor (most mentioned first"
                    + (f"; {numeral(len(actors))} of {numeral(n_actors)})" if len(actors) < n_actors else ")"))
    # the order said in full: "most favorable first" did not say over what
    axes.set_ylabel("outlet, by mean net stance over the actors shown\n(most favorable first"
                    + (f"; the {numeral(len(outlets))} of {numeral(n_outlets)} most mentioned)"
                       if len(outlets) < n_outlets else ")"))
    axes.set_title(f"Net stance by outlet and actor{of_kind(kind)} († fewer than {min_n} mentions)")
    scale = (f"colours from {-limit:+.2f} to {limit:+.2f}" + (" (the data's range)" if limit < 1 else ""))
    figure.colorbar(image, ax=axes, label=f"{NET_LABEL}\n{scale}", shrink=0.9, ticks=np.linspace(-limit, limit, 5),
                    format=FuncFormatter(lambda x, _: f"{x:+g}" if x else "0"))
    return figure


def actor_intervals(table: pd.DataFrame, actor: str, *, min_n: int = 10, kind: str | None = None,
                    n_boot: int = 1000) -> Figure:
    """One actor: net stance per outlet as a dot with its 95% interval, sorted, zero marked; a cell without an
    interval (fewer than 5 articles, or ``n_boot`` 0) as a hollow dot, one whose resamples all agree
    (:func:`no_spread`) marked ‡."""
    rows = table[table["actor"] == actor].sort_values("net", kind="stable")
    labels = label_texts(rows["outlet"])
    longest = longest_line(labels.values()) + 8  # " (n=1234†)"
    figure = new_figure(max(7.0, 4.5 + 0.075 * longest),  # room for the outlet labels, across and down
                        1.3 + row_inches(labels.values(), 0.42) * len(rows))
    axes = figure.add_subplot()
    cmap, norm = colormaps[PALETTE], net_norm()
    axes.axvline(0, color="#555555", linewidth=0.8, linestyle="--")
    marks = []
    for y, row in enumerate(rows.itertuples()):
        small = row.n < min_n
        flat = bool(no_spread(row.net_lo, row.net_hi))
        if np.isfinite(row.net_lo) and not flat:
            axes.hlines(y, row.net_lo, row.net_hi, color="#999999" if small else "#333333", linewidth=1.6,
                        linestyle=":" if small else "-")
        if flat:
            axes.annotate("‡", (row.net, y), xytext=(7, 4), textcoords="offset points", fontsize=9)
            marks.append(NO_SPREAD)
        if small:
            axes.plot([row.net], [y], "D", markersize=7, markeredgecolor="#555555", markerfacecolor="none")
        elif not np.isfinite(row.net_lo):  # no interval: not the solid dot of a cell that has one
            axes.plot([row.net], [y], "o", markersize=9, markeredgecolor="black", markerfacecolor="none")
            marks.append(no_interval(n_boot))
        else:
            axes.plot([row.net], [y], "o", markersize=9, markeredgecolor="black", markerfacecolor=cmap(norm(row.net)))
    axes.set_yticks(range(len(rows)), [f"{plain(labels[o])} (n={numeral(n)}{'†' if n < min_n else ''})"
                                       for o, n in zip(rows["outlet"], rows["n"])])
    axes.set_xlim(-1.05, 1.05)
    axes.set_ylim(-0.6, len(rows) - 0.4)
    axes.set_xlabel("\n".join([f"{NET_LABEL}; 95% CI resampled by article", *dict.fromkeys(marks)]))
    # centred on the figure, not the axes
    figure.suptitle(f"{plain(label_text(actor))}: net stance by outlet{of_kind(kind)}\n"
                    f"(open diamond, dotted interval: fewer than {min_n} mentions)", fontsize=10)
    axes.grid(axis="x", color="#dddddd", linewidth=0.6)
    return figure


@dataclass(frozen=True)
class OutletStyle:
    colour: str
    line: str  # matplotlib linestyle
    marker: str


def report_styles(outlets_by_mentions) -> dict[str, OutletStyle]:
    """One look per outlet for every chart of a report, so that a reader can follow an outlet from chart to chart:
    the i-th outlet (most mentioned first) gets colour i mod 8 (:data:`OUTLET_COLOURS`, none red or blue), and the
    (i div 8)-th line style and marker, so that outlets that share a colour differ in line and marker (repeating
    after thirty-two outlets, where the legend alone tells them apart). A chart never draws two outlets of one
    colour (:func:`chart_outlets`)."""
    n = len(OUTLET_COLOURS)
    return {outlet: OutletStyle(OUTLET_COLOURS[i % n], *OUTLET_LINES[(i // n) % len(OUTLET_LINES)])
            for i, outlet in enumerate(dict.fromkeys(outlets_by_mentions))}


def with_styles(outlets, styles: dict[str, OutletStyle] | None) -> dict[str, OutletStyle]:
    """``styles`` with a look for each of ``outlets`` it lacks, ranked after those it has."""
    styles = styles or {}
    return report_styles([*styles, *(o for o in outlets if o not in styles)])


def chart_outlets(candidates, styles: dict[str, OutletStyle], limit: int = len(OUTLET_COLOURS)) -> list[str]:
    """The outlets one chart draws, from ``candidates`` (the chart's most important first): each in turn unless an
    outlet already chosen has its colour, at most ``limit``; so no two lines of a chart share a colour, and each
    keeps the colour it has in every other chart of the report."""
    chosen, taken = [], set()
    for outlet in candidates:
        colour = styles[outlet].colour
        if colour not in taken and len(chosen) < limit:
            chosen.append(outlet)
            taken.add(colour)
    return chosen


RELIABILITY_AREA = 320.0  # points^2 of the marker of the bin with the most items; the others in proportion
# points^2 of the smallest marker, a bin's of 1 item among thousands (a dot 5 points across, 1/13 of the largest):
# in proportion alone, one of 1,000 items' was 0.32 (half a point across), hidden under its curve's line, and the
# key's "1 item" too; a bin's marker is in proportion to its items above this
RELIABILITY_MIN_AREA = 25.0


def bin_sizes(counts: list[int]) -> list[int]:
    """The item counts the reliability diagram's size key shows: 1, one between and the most, of those distinct."""
    most = max(counts, default=0)
    if most <= 0:
        return []
    middle = int(float(f"{most / 4:.1g}")) if most >= 8 else 0  # a round number, a quarter of the most
    return sorted({1, middle, most} - {0})


def reliability_diagram(curves: dict[str, list[dict]], styles: dict[str, OutletStyle] | None = None,
                        max_outlets: int = 6, kind: str | None = None) -> Figure:
    """Accuracy against confidence per bin, one line per curve (overall first, in black; then outlets in their
    report-wide look, ``styles``, at most ``max_outlets`` of different colours, in the order given), diagonal =
    perfect calibration; each point's marker area in proportion to its bin's items, no smaller than
    ``RELIABILITY_MIN_AREA`` (a key of sizes beside the legend), so that a point of one item does not read as
    evidence (before 2026-12-07 (7) every point was alike and only the overall curve's counts were shown); below,
    how many items of the first curve fall in each bin."""
    from matplotlib.lines import Line2D

    figure = new_figure(6.0, 6.2)
    axes, counts = figure.subplots(2, 1, sharex=True, height_ratios=[4, 1])
    axes.plot([0, 1], [0, 1], linestyle="--", color="#888888", linewidth=1, label="perfectly calibrated")
    names = list(curves)
    drawn = [name for name in names[1:] if any(b["n"] for b in curves[name])]
    styles = with_styles(drawn, styles)
    shown = names[:1] + chart_outlets(drawn, styles, max_outlets)
    labels = label_texts(shown)
    most = max((b["n"] for name in shown for b in curves[name]), default=0)

    def area(n) -> np.ndarray:
        return np.maximum(RELIABILITY_AREA * np.asarray(n, float) / max(most, 1), RELIABILITY_MIN_AREA)

    for index, name in enumerate(shown):
        points = [(b["confidence"], b["accuracy"], b["n"]) for b in curves[name] if b["n"]]
        if not points:
            continue
        x, y, n = zip(*points)
        look = OutletStyle(ALL_ITEMS, "-", "o") if index == 0 else styles[name]
        axes.plot(x, y, marker=look.marker, linestyle=look.line, color=look.colour, markersize=0,
                  linewidth=2.2 if index == 0 else 1.2, label=plain(labels[name]))
        axes.scatter(x, y, s=area(n), marker=look.marker, color=look.colour, alpha=0.8, edgecolors="white",
                     linewidths=0.5, zorder=3)
    handles, labels = axes.get_legend_handles_labels()
    for handle in handles[1:]:  # the curves' legend keys with a marker of a middling size, not the 0 drawn
        handle.set_markersize(6)
    sizes = [Line2D([], [], marker="o", linestyle="none", color="#777777", markersize=float(np.sqrt(area(n))),
                    label=f"{numeral(n)} item{'s' if n != 1 else ''}") for n in bin_sizes([most])]
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    axes.set_ylabel("accuracy")
    axes.set_title(f"Reliability on gold-labelled items{of_kind(kind)}")
    curves_key = axes.legend(handles, labels, loc="center left", fontsize=8)  # confidence is never below 1/3: empty
    if sizes:  # the marker areas' key, in its own corner: the curves' legend keeps its place
        axes.add_artist(curves_key)
        axes.legend(handles=sizes, loc="lower right", fontsize=8, title="items in the bin", title_fontsize=8,
                    labelspacing=1.2, borderpad=0.9, frameon=True)
    first = curves[names[0]] if names else []
    lower = [b["lower"] for b in first]
    widths = [b["upper"] - b["lower"] for b in first]
    heights = [b["n"] for b in first]
    bars = counts.bar(lower, heights, width=widths, align="edge", color="#bbbbbb", edgecolor="#555555", linewidth=0.6)
    counts.bar_label(bars, labels=[str(n) if n else "" for n in heights], fontsize=7, padding=1)
    counts.set_ylim(0, max(heights, default=0) * 1.35 + 1)
    counts.set_ylabel("items", fontsize=8)
    counts.set_xlabel("confidence (top-class probability)")
    return figure
