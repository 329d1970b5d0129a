"""Tables as (headers, rows of strings), built once and rendered as rich tables, HTML or Markdown."""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd
from rich.table import Table

from classifier.evaluate import MIN_RESAMPLED_ARTICLES, apart, p_text
from classifier.items import LABELS
from classifier.visible import numeral, shortened

Rows = tuple[list[str], list[list[str]]]


def num(value, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{value:.{digits}f}"


def signed(value, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{value:+.{digits}f}"


def bound(value, digits: int = 2) -> str:
    """A signed interval bound, with more decimals (:func:`~classifier.evaluate.apart`, up to 6) where ``digits``
    would print a bound that is not zero as ±0.00: the --compare table's "moved" [-0.15, -0.00] and "not moved"
    [-0.13, +0.00] (before 2026-12-07 (9)) showed 0 at the edge with opposite verdicts; they read [-0.15, -0.003]
    and [-0.13, +0.002], and "+0.00" is a bound of exactly zero."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return signed(value + 0.0, apart(abs(value), 0.0, digits=digits) if value else digits)  # + 0.0: no "-0.00"


def interval(ci, digits: int = 3, sign: bool = False) -> str:
    """``[lo, hi]`` in ``digits`` decimals; signed (``sign``), a bound near zero keeps the side it is on
    (:func:`bound`)."""
    if not ci or any(v is None or not math.isfinite(v) for v in ci):
        return "–"
    if sign:
        return f"[{bound(ci[0], digits)}, {bound(ci[1], digits)}]"
    return f"[{num(ci[0], digits)}, {num(ci[1], digits)}]"


def net_interval(lo, hi) -> str:
    """A net stance's (a tone's, a change's) 95% interval, "[+0.10, +0.42]"; marked ‡ where it has no width: every
    resample gave the same value (a change every article's mentions make alike; before framing.net_interval's
    pseudo-articles, a cell's mentions all of one stance), which the page explains once (:data:`NO_SPREAD_NOTE`)
    rather than let it read as certainty."""
    text = interval((lo, hi), 2, sign=True)
    return text + "‡" if bool(no_spread(lo, hi)) else text


def no_spread(lo, hi) -> np.ndarray:
    """Where an interval has no width: every resample gave the same value (a tone or a change the articles all
    share; a net stance's has width since framing.net_interval's pseudo-articles). The resampling is honest, but a
    zero-width interval reads as certainty: the tables mark it ‡ (``net_interval``), and the charts draw no bar for
    it and mark the point ‡ instead."""
    lo, hi = np.asarray(lo, float), np.asarray(hi, float)
    return np.isfinite(lo) & np.isfinite(hi) & (lo == hi)


NO_SPREAD_NOTE = ("‡ marks an interval of zero width: every resample gave the same value. For a tone, the articles' "
                  "sentences score alike; for a change against --compare, every article's mentions change alike in "
                  "the two files (such as not at all). The articles do not vary, which is no certainty about the "
                  "outlet's stance.")


NO_RESAMPLING = "--n-boot 0 asked for no resampling"  # the notes' reason where no table shows an interval

# The words a verdict column (the outlet tests' 'differs', the trend's 'trend', --split-date's 'changed', --compare's
# 'moved') gives where it gives no yes or no, each meaning one thing wherever it appears: on the page, in the CSVs
# and in report.json. Before 2026-12-07 (7) --split-date's 'cannot' also named an untested cell ('too few' in the
# trend's) and --compare's page said 'too few articles' for what the trend called 'too few'.
TOO_FEW = "too few"
CANNOT = "cannot"
VERDICT_MEANINGS = {
    TOO_FEW: "no verdict computed: too few articles or periods for a test or an interval",
    CANNOT: "tested, but the smallest p-value the test can give stays above 0.05 after Holm's correction, whatever "
            "the difference: no verdict either way",
    "no interval": f"{NO_RESAMPLING}, so no interval to judge by",
}


def verdict_words(words, **why: str) -> str | None:
    """The meanings of those of ``words`` that :data:`VERDICT_MEANINGS` keys ("'too few': ...; 'cannot': ..."), in
    its order, each with the table's own reason where ``why`` gives one (``too_few="a side of fewer than 5
    articles"``); None where ``words`` holds none of them."""
    said = [f"'{word}': {meaning}" + (f" ({why[word.replace(' ', '_')]})" if word.replace(" ", "_") in why else "")
            for word, meaning in VERDICT_MEANINGS.items() if word in set(words)]
    return "; ".join(said) if said else None


def verdict_legend(rows: Rows | None, column: str, **why: str) -> str | None:
    """The legend line under a table whose verdict ``column`` shows a word of :data:`VERDICT_MEANINGS`:
    "differs: 'cannot': tested, but ...". None where it shows none (or there is no table)."""
    if not rows or column not in rows[0]:
        return None
    index = rows[0].index(column)
    words = verdict_words([row[index] for row in rows[1]], **why)
    return f"{column}: {words}." if words else None


def has_no_spread(*tables) -> bool:
    """Whether any of the rendered tables (``Rows``, or None) shows a ‡ interval."""
    return any(cell.endswith("‡") for rows in tables if rows for row in rows[1] for cell in row)


def terminal_key(rows: Rows, min_n: int, n_boot: int) -> str | None:
    """One line under the terminal's framing table keying the marks its shown cells hold, each only where one does:
    † (fewer than ``min_n`` mentions), – in the interval column (no interval: fewer than 5 articles, or ``n_boot``
    0) and ‡ (zero width), briefly: the page's :data:`NO_SPREAD_NOTE` also speaks of an articles column, tones and
    --compare, none of them in that table (a net stance's interval has width since framing.net_interval's
    pseudo-articles: ‡ is there only from a handful of resamples). Before 2026-12-07 (5) it printed that paragraph
    alone, keying neither † nor –."""
    headers, body = rows
    interval = headers.index("95% CI")
    said = [f"† fewer than {min_n} mentions"] if any(row[2].endswith("†") for row in body) else []
    if any(row[interval] == "–" for row in body):
        why = f"fewer than {MIN_RESAMPLED_ARTICLES} articles" if n_boot > 0 else NO_RESAMPLING
        said.append(f"– no interval ({why})")
    if has_no_spread(rows):
        said.append("‡ zero width: every resample gave the same value, which is no certainty")
    return "; ".join(said) if said else None


def pct(value) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{100 * value:.0f}%"


# -- evaluate -----------------------------------------------------------------------------------------

def polar_name(labels: Sequence[str]) -> str:
    """What ``f1_favor_against`` is called for a task: "F1 favor+against", "F1 positive+negative"."""
    return f"F1 {labels[0]}+{labels[1]}"


def overall_rows(result: dict) -> Rows:
    ci = result["ci"]
    rows = [[name, num(result[key]), interval(ci.get(key))]
            for key, name in (("macro_f1", "macro-F1"), ("accuracy", "accuracy"),
                              ("f1_favor_against", polar_name(result["labels"])))]
    calibration = result["calibration"]
    rows += [["ECE (top label)", num(calibration["ece"]), ""], ["NLL", num(calibration["nll"]), ""],
             ["items", numeral(result["n"]), ""], ["articles", numeral(result["n_articles"]), ""]]
    return ["metric", "value", "95% CI (by article)"], rows


def per_class_rows(result: dict) -> Rows:
    """Each class's precision, recall and F1 with its 95% interval by article (none from fewer than 5 articles);
    "–" where the figure is undefined (precision with no item predicted as the class, recall with no gold item of
    it, F1 with neither), which scikit-learn's zero_division=0 reports as 0."""
    cis = result.get("per_class_ci") or {}
    # predicted items per class: the confusion matrix's columns (rows gold, columns predicted)
    matrix = result.get("confusion_matrix")
    predicted = dict(zip(result.get("labels", []), map(sum, zip(*matrix)))) if matrix else {}

    def with_ci(label: str, name: str, m: dict) -> str:
        n_predicted = predicted.get(label)
        if n_predicted is not None and {"precision": n_predicted == 0, "recall": m["support"] == 0,
                                        "f1": n_predicted == 0 and m["support"] == 0}[name]:
            return "–"
        ci = cis.get(label, {}).get(name)
        return num(m[name]) + (f" {interval(ci)}" if ci else "")

    rows = [[label] + [with_ci(label, name, m) for name in ("precision", "recall", "f1")] + [numeral(m["support"])]
            for label, m in result["per_class"].items()]
    return ["class", "precision [95% CI]", "recall [95% CI]", "F1 [95% CI]", "support"], rows


def confusion_rows(result: dict) -> Rows:
    labels = result["labels"]
    rows = [[f"gold {label}"] + [numeral(v) for v in counts]
            for label, counts in zip(labels, result["confusion_matrix"])]
    return [""] + [f"pred {label}" for label in labels], rows


def reliability_rows(result: dict) -> Rows:
    rows = [[f"{b['lower']:.1f}–{b['upper']:.1f}", numeral(b["n"]), num(b["confidence"]), num(b["accuracy"])]
            for b in result["calibration"]["reliability"] if b["n"]]
    return ["confidence bin", "n", "mean confidence", "accuracy"], rows


def short_interval(ci) -> str:
    """An interval of two decimals, "[0.39, 0.58]", in :func:`interval`'s form, the page's one form (before
    2026-12-07 (7) "0.39–0.58" in the per-source table beside "[0.394, 0.551]" in the overall one)."""
    return interval(ci, 2)


def group_rows(key: str, groups: Sequence[dict]) -> Rows:
    rows = [[g["group"], numeral(g["n"]), numeral(g["n_articles"])]
            + [cell for name in ("macro_f1", "accuracy", "f1_favor_against")
               for cell in (num(g[name], 2), short_interval(g["ci"][name]))]
            + [num(g["calibration"]["ece"], 2), ", ".join(g["flags"])] for g in groups]
    labels = groups[0]["labels"] if groups else ("favor", "against")
    return [key, "n", "art.", "F1m", "95% CI", "acc.", "95% CI", f"F1 {labels[0][0]}+{labels[1][0]}", "95% CI", "ECE",
            "flags"], rows


def terminal_group_rows(key: str, groups: Sequence[dict]) -> Rows:
    """``group_rows`` for a terminal: each figure with its interval in one cell ("0.49 [0.39, 0.58]"; the "95% CI" of
    the headers goes to ``TERMINAL_GROUP_CAPTION``) and each flag on a line of its own, so that a narrow terminal
    wraps a cell between its parts. The eleven columns of ``group_rows`` took 76 characters before the group's
    name and its flags: at 80 columns rich cut "few gold ag" to a letter or two a line, or left the names out."""
    headers, rows = group_rows(key, groups)
    joined = [[row[0], row[1], row[2]] + [row[i] + ("" if row[i + 1] == "–" else f" {row[i + 1]}") for i in (3, 5, 7)]
              + [row[9], row[10].replace(", ", "\n")] for row in rows]
    return [headers[0], "n", "art.", "F1m", "acc.", headers[7], "ECE", "flags"], joined


TERMINAL_GROUP_CAPTION = "each figure with its 95% interval by article, where one could be drawn"


def group_note(key: str, groups: Sequence[dict]) -> str:
    """What ``group_rows``' short headers and flags mean, for the page under the table: it showed "F1m", "F1 f+a"
    and "few gold fav" with no word on them, and the flags' sentences (each group's ``notes``) nowhere."""
    labels = groups[0]["labels"] if groups else ("favor", "against")
    note = (f"Per {key}: n gold items, art. their articles, F1m macro-F1, acc. accuracy, "
            f"F1 {labels[0][0]}+{labels[1][0]} the mean F1 of {labels[0]} and {labels[1]}, "
            f"{TERMINAL_GROUP_CAPTION} (none from fewer than {MIN_RESAMPLED_ARTICLES} articles: –); ECE the expected "
            "calibration error of the top label.")
    flagged = [f"{g['group']}: {'; '.join(g['notes'])}" for g in groups if g.get("notes")]
    return note + (f" Flags: {'. '.join(flagged)}." if flagged else "")


def compare_rows(compare: dict) -> Rows:
    names = {"macro_f1": "macro-F1", "accuracy": "accuracy",
             "f1_favor_against": polar_name(compare.get("metrics_first", {}).get("labels", ("favor", "against")))}
    def with_ci(value, ci) -> str:  # each model's own figure with its interval (same resamples as the difference)
        return num(value) + (f" {interval(ci)}" if ci else "")

    rows = [[names.get(name, name), with_ci(m["first"], m.get("first_ci")), with_ci(m["second"], m.get("second_ci")),
             signed(m["difference"], 3), interval(m["ci"], sign=True), p_text(m["p_value"])]
            for name, m in compare["metrics"].items()]
    return ["metric", "first [95% CI]", "second [95% CI]", "second − first", "95% CI", "p (paired bootstrap)"], rows


# -- report -------------------------------------------------------------------------------------------

def framing_rows(table: pd.DataFrame, min_n: int, *, compact: bool = False) -> Rows:
    """The framing table; ``compact`` (for the terminal) leaves out articles and mean probabilities."""
    headers = ["outlet", "actor", "n"] + ([] if compact else ["articles"]) + list(LABELS) + ["net", "95% CI"]
    headers += [] if compact else [f"mean p {label}" for label in LABELS]
    with_tone = "n_tone" in table and bool((table["n_tone"] > 0).any())
    headers += ["tone", "tone 95% CI"] if with_tone and not compact else ["tone"] if with_tone else []
    rows = []
    for row in table.to_dict("records"):
        cells = [row["outlet"], row["actor"], f"{numeral(row['n'])}{'†' if row['n'] < min_n else ''}"]
        cells += [] if compact else [numeral(row["n_articles"])]
        cells += [pct(row[f"share_{label}"]) for label in LABELS]
        cells += [signed(row["net"]), net_interval(row["net_lo"], row["net_hi"])]
        cells += [] if compact else [num(row[f"mean_p_{label}"], 2) for label in LABELS]
        if with_tone:
            cells.append(signed(row["tone"]) if row["n_tone"] else "–")
            cells += [] if compact else [net_interval(row["tone_lo"], row["tone_hi"])]  # ‡ as for net stance
        rows.append(cells)
    return headers, rows


def busiest(rows: Rows, mentions: Sequence[int], limit: int) -> Rows:
    """The ``limit`` rows with the most ``mentions`` (one count a row: the framing table's ``n``), in their order;
    of rows with as many, the earlier."""
    headers, body = rows
    most = sorted(range(len(body)), key=lambda index: -mentions[index])[:limit]
    return headers, [body[index] for index in sorted(most)]


def corrected_rows(table: pd.DataFrame, min_n: int, flags: dict | None = None) -> Rows:
    """Raw shares beside ACC and PACC with their intervals, "55% [40%, 70%]". A class flagged unstable says so in
    its header and shows "–" for its corrected shares, the figure with its interval (its resamples pile up at 0% or
    100% and give a falsely narrow one, such as [100%, 100%]; the figure alone is no finding: quote the raw share,
    as the note says; framing.csv keeps it). A share with no interval (fewer than 5 articles, ``--n-boot 0``) is the
    figure alone, as the per-class and terminal per-group tables write one. Before 2026-12-07 (7) both read
    "100% [–]", where every other table writes no interval as a bare "–" (``corrected_legend`` keys both)."""
    headers = ["outlet", "actor", "n"]
    for label in LABELS:
        mark = " (unstable)" if (flags or {}).get(label) else ""
        headers += [f"{label} raw", f"{label} ACC{mark} [95% CI]", f"{label} PACC{mark} [95% CI]"]
    rows = []
    for row in table.to_dict("records"):
        cells = [row["outlet"], row["actor"], f"{numeral(row['n'])}{'†' if row['n'] < min_n else ''}"]
        for label in LABELS:
            for method in ("acc", "pacc"):
                if method == "acc":
                    cells.append(pct(row[f"share_{label}"]))
                if (flags or {}).get(label):
                    cells.append("–")
                    continue
                ci = (row[f"{method}_{label}_lo"], row[f"{method}_{label}_hi"])
                bounds = f" [{pct(ci[0])}, {pct(ci[1])}]" if all(math.isfinite(v) for v in ci) else ""
                cells.append(pct(row[f"{method}_{label}"]) + bounds)  # as interval(): [40%, 70%]
        rows.append(cells)
    return headers, rows


def corrected_legend(rows: Rows | None) -> str | None:
    """The line under the corrected shares keying what its cells show where there is no interval, each only where
    a cell does: "–" in an unstable class's columns, a share without "[low, high]" elsewhere. None where neither."""
    if not rows:
        return None
    headers, body = rows
    said = []
    unstable = [i for i, name in enumerate(headers) if "(unstable)" in name]
    if unstable and body:
        said.append("– in an (unstable) column: the class is unstable (the note says why), so its corrected share, "
                    "whose interval cannot be trusted, is not shown: quote the raw share (framing.csv keeps it)")
    if any(i >= 3 and (i - 3) % 3 and i not in unstable and cell != "–" and "[" not in cell
           for row in body for i, cell in enumerate(row)):
        said.append(f"a share without [low, high]: no interval (fewer than {MIN_RESAMPLED_ARTICLES} articles, or "
                    "--n-boot 0)")
    return "; ".join(said).join(("", ".")) if said else None


def detectable_text(mdd) -> str:
    """A detectable difference or change in net stance: net stance spans -1 to +1, so a gap above 2 cannot exist
    and none is detectable."""
    return "none (> 2)" if mdd is not None and mdd > 2 else num(mdd, 2)


def test_rows(tests: Sequence[dict]) -> Rows:
    """The outlet tests; n marked † where the cell has fewer than --min-n mentions, as in the framing table."""
    def differs(t: dict) -> str:
        return "yes" if t["significant"] else "no" if t.get("reachable", True) else CANNOT

    def needed(t: dict) -> str:
        return "–" if t.get("articles_for_0.2") is None else numeral(t["articles_for_0.2"])

    rows = [[t["outlet"], t["actor"], f"{numeral(t['n'])}{'†' if t.get('small') else ''}",
             numeral(t.get("n_articles", "")),
             signed(t["net"]),
             signed(t["net_others"]), signed(t["difference"]), p_text(t["p_value"]), p_text(t["p_holm"]), differs(t),
             f"{t['p_min']:.2g}" if "p_min" in t else "–", detectable_text(t.get("mdd")), needed(t)] for t in tests]
    return ["outlet", "actor", "n", "articles", "net", "net others", "difference", "p", "p (Holm)", "differs",
            "smallest p", "detectable", "articles for 0.2"], rows


def kind_rows(table: pd.DataFrame, min_n: int) -> Rows:
    """Headlines against the rest, per outlet x actor."""
    headers = ["outlet", "actor", "headline n", "headline net", "95% CI", "body n", "body net", "95% CI",
               "headline − body"]
    rows = []
    for row in table.to_dict("records"):
        body_n = row.get("body_n")
        has_body = body_n is not None and math.isfinite(body_n)
        rows.append([row["outlet"], row["actor"], f"{row['headline_n']}{'†' if row['headline_n'] < min_n else ''}",
                     signed(row["headline_net"]), net_interval(row["headline_net_lo"], row["headline_net_hi"]),
                     f"{int(body_n)}{'†' if body_n < min_n else ''}" if has_body else "0",
                     signed(row.get("body_net")) if has_body else "–",
                     net_interval(row.get("body_net_lo"), row.get("body_net_hi")) if has_body else "–",
                     signed(row.get("difference")) if has_body else "–"])
    return headers, rows


def wire_rows(summary: dict) -> Rows:
    """Shared wire copy per outlet (those sharing any sentence, most shared first, at most ``SHOWN_OUTLETS``)."""
    from classifier.report.wire import SHOWN_OUTLETS

    rows = [[r["outlet"], str(r["n"]), str(r["n_shared"]), pct(r["share"]),
             f"{r['most_with']} ({r['most_with_sentences']})" if r["most_with"] is not None else "–"]
            for r in summary["outlets"] if r["n_shared"]][:SHOWN_OUTLETS]
    return ["outlet", "mentions", "of these shared", "share", "shares most sentences with (sentences)"], rows


# -- rendering ----------------------------------------------------------------------------------------

def rich_table(rows: Rows, title: str | None = None, *, numeric_from: int = 1) -> Table:
    headers, body = rows
    table = Table(title=title, title_justify="left", header_style="bold")
    for index, header in enumerate(headers):
        numeric = 0 < index and index >= numeric_from and header != "flags"
        # Every cell may wrap at its spaces ("0.903 [0.799, 1.000]", "1 art.\nfew gold ag"), so that a narrow
        # terminal narrows the widest columns first. Numbers that could not wrap left rich no way to fit but to
        # squeeze the names and flags to a letter a line or to nothing, and a minimum width for the names, which
        # rich applies after fitting the rest, made the table wider than the terminal (evaluate --by at 80 columns)
        table.add_column(header, justify="right" if numeric else "left", overflow="fold")
    for row in body:  # literal: the CLI's consoles render no markup; a name of pages is cut (the files hold it all)
        table.add_row(*[shortened(cell, TERMINAL_CELL) for cell in row])
    return table


TERMINAL_CELL = 60  # characters of a cell in a terminal table
