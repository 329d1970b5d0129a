"""``stance report``: the framing table, corrected shares, outlet differences, plots and one HTML page.

``make_report(predictions, out_dir)`` writes ``DIR/framing.csv``, ``framing.parquet``, ``outlet_tests.csv``,
``report.json``, ``plots/*.png|svg``, ``report.html`` and ``report.md`` and returns what it found;
``build_report`` is the same returning the path of ``report.html``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from classifier.errors import InputError, check_at_least, check_paths, option, warn_caller
from classifier.io.files import given_name, same_file, shared_path  # shared_path: how the report's files name a path
from classifier.periods import check_period, day_of
from classifier.evaluate import (SCORE_COLUMNS, TEXT_COLUMNS, UNSAID, articleless_note, check_option_files,
                                 compared_with_itself, distinct_models, evaluate_frame, frame_task,
                                 mixed_models_warning, read_labelled, warn_compared_with_itself)
from classifier.report import tables
from classifier.report.compare import compare_cell_rows
from classifier.report.framing import MAX_CONDITION, cell_frame, framing_analysis, holm_over
from classifier.report.timeline import (MIN_TREND_ARTICLES, MIN_TREND_PERIODS, TREND_COLUMNS, in_framing_order,
                                        timeline, timeline_chart, timeline_note, timeline_rows, trend_rows)
from classifier.report.gather import ReportInput, gather, most_confident, release_memory
from classifier.report.wire import text_keys, wire_note
from classifier.tasks import STANCE
from classifier.visible import counted, numeral, shortened

TITLE = "Stance framing report"
TEST_COLUMNS = ("outlet", "actor", "n", "n_others", "n_articles", "net", "net_others", "difference", "p_value",
                "p_holm", "significant", "small")


# -- inputs ---------------------------------------------------------------------------------------------

def choose_gold(own: pd.DataFrame, predictions: Path, gold: Path | None,
                shown: Callable[[Path], str] = str) -> tuple[pd.DataFrame | None, str]:
    """The gold set for the correction: ``--gold``, else ``own`` (the labelled rows of the predictions), else
    none. ``shown``: how the report names an input (:func:`shared_path`)."""
    if gold is not None:
        gold_frame = read_labelled(gold, drop=TEXT_COLUMNS).frame
        if gold_frame.empty:
            raise InputError(f"{gold}: no row has a gold 'label'; {option('gold')} needs predictions made on labelled "
                             "items")
        if frame_task(gold_frame) is not STANCE:  # its figures would be shown as this report's stance model's
            raise InputError(f"{gold}: sentence-sentiment predictions; {option('gold')} needs stance predictions on "
                             "gold-labelled items (stance classify LABELS --task stance)")
        return gold_frame, gold_set_name(predictions, gold, own, shown)  # the note says how many items and articles
    if not own.empty:
        return own, gold_set_name(predictions, gold, own, shown)
    return None, gold_set_name(predictions, gold, own, shown)


def gold_set_name(predictions: Path, gold: Path | None, own: pd.DataFrame | None, shown: Callable[[Path], str]) -> str:
    """How the correction note names its gold set (``choose_gold``'s): ``--gold``, else the predictions' own
    labelled rows (``own``), else none; each path as ``shown`` names it (the report's files: ``shared_path``; the
    caller: ``io.files.given_name``, as typed)."""
    if gold is not None:
        return shown(gold)
    if own is not None and not own.empty:
        return f"the gold-labelled rows of {shown(predictions)} itself"
    return "none"


def gold_overlap(gold: pd.DataFrame, prediction_ids: np.ndarray) -> int:
    """How many of the ``--gold`` set's items have an id among the predictions' (``gather``'s 64-bit id hashes, after
    --kind): a gold set of the very items predicted fits the correction in sample, as the predictions' own gold
    rows do."""
    from classifier.evaluate import id_hashes

    if gold is None or "id" not in gold or prediction_ids is None:
        return 0
    return int(np.isin(id_hashes(gold["id"].to_numpy()), prediction_ids).sum())


def warn_trained_gold(gold: Path, model_dir: Path | None, lists=None, said=UNSAID,
                      shown: Callable | None = None) -> tuple[dict | None, str | None]:
    """``--gold``'s items checked against the model's training data as ``evaluate`` checks them
    (``evaluate.check_training_data``): those ``--model`` or the checkout's ``models/NAME`` of the gold rows' model
    trained on (its ``trained_items.txt``, by sentence and actor) are warned of with their count (the correction's
    error rates measured there are the model's in-sample ones), which it returns (evaluate's ``trained_on``); where
    neither is found and no ``--model`` was given, that the items were not checked (before 2026-12-07 (5) report
    said nothing without ``--model``), whose words it returns second (``evaluate.not_checked``; None: checked).
    Said at the terminal, so both paths are named as given. The gold file is read a second time, for its text (a
    gold set is small). ``lists``: the report's ``TrainedLists`` of ``model_dir``
    (each model looked up once for all its files); ``said``: as ``evaluate.trained_counts``'; ``shown``: how the
    returned words name ``--model`` (the page's)."""
    from classifier.evaluate import TrainedLists, check_training_data

    lists = lists if lists is not None else TrainedLists(model_dir)
    rows = read_labelled(gold, drop=TEXT_COLUMNS, trained=lists)
    return check_training_data(rows, lists, model_dir, option("gold", given_name(gold)), said, shown)


def trained_gold(inputs: ReportInput, lists, model_dir: Path | None, name: str, own: bool = True,
                 said=UNSAID, shown: Callable | None = None) -> tuple[dict | None, str | None]:
    """The gold-labelled rows of a predictions file as ``gather`` read them (with ``lists``' flag columns) checked
    against the training data as ``evaluate`` checks them, ``name`` naming the file in the warnings: the
    predictions' (``own``) by ``evaluate.check_training_data``, a ``--compare`` file's by its models' own lists
    alone, as ``evaluate --compare`` counts the compared file's (``trained_counts``). Returns evaluate's
    ``trained_on`` (None: no gold row, or no model's list found) and why the rows were not checked, in the
    terminal's words (``evaluate.not_checked``; None: checked, no gold row, or ``own`` false), and takes the flag
    columns off ``inputs.labelled``, which the evaluation and the correction read. ``said``: as
    ``evaluate.trained_counts``'; ``shown``: as ``warn_trained_gold``'."""
    from classifier.evaluate import GIVEN_TRAINED, TRAINED, LabelledRows, check_training_data, trained_counts

    rows = LabelledRows(inputs.labelled, inputs.n, inputs.models, inputs.id_hashes)
    found = None, None
    if not inputs.labelled.empty:
        found = (check_training_data(rows, lists, model_dir, name, said, shown) if own
                 else (trained_counts(rows.frame, lists.entries(rows.models), name, said, shown), None))
    inputs.labelled = inputs.labelled.drop(columns=[TRAINED, GIVEN_TRAINED], errors="ignore")
    return found


def look_alike_names(sums: pd.DataFrame) -> list[str]:
    """A warning per set of outlet or actor names that differ only in case or spacing ("RT", "RT ", "rt"): they look
    alike on the page but are counted apart. Said at the terminal and, the same words, in the page's framing note
    (before 2026-12-07 (6) at the terminal alone)."""
    found = []
    for column, what in (("outlet", "outlets"), ("actor_name", "actors")):
        names = pd.Series(sums[column].dropna().unique(), dtype=object).astype(str)
        key = names.map(lambda name: " ".join(name.split()).casefold())
        for _, group in names.groupby(key):
            if len(group) > 1:
                found.append(f"the {what} {', '.join(repr(n) for n in sorted(group))} differ only in case or spacing "
                             "and are counted apart; give them one spelling if they are one")
    return found


def model_names(frame: pd.DataFrame) -> list[str]:
    return sorted(str(m) for m in frame["model"].unique())


def provenance(predictions: Path, gold: Path | None, compare: Path | None, model_dir: Path | None,
               options: dict, shown: Callable[[Path], str] = str) -> dict:
    """What a reader needs to cite and rerun the report: the toolkit's version, each input (named by ``shown``,
    :func:`shared_path`) with its SHA-256, and the options. No date: a rerun writes the same bytes (a report's date
    is its files')."""
    from classifier.io.files import file_sha256
    from classifier.models.card import toolkit_version  # as a model card records it

    inputs = {"predictions": predictions, "gold": gold, "compare": compare}
    rows = {"stance version": toolkit_version()}
    for name, path in inputs.items():
        if path is not None:
            rows[name] = f"{shown(path)} (sha256 {file_sha256(path)[:16]})"
    if model_dir is not None:
        rows["model folder"] = shown(model_dir)
    rows["options"] = ", ".join(f"{key} {value}" for key, value in options.items())
    return rows


def model_card(models: list[str], model_dir: Path | None,
               shown: Callable[[Path], str] = str) -> tuple[dict | None, str]:
    """The model card and a sentence saying where it came from (or why there is none; ``shown`` names the
    folder, :func:`shared_path`)."""
    if model_dir is None:  # never from a path the predictions name: they are user input
        return None, (f"No model card: pass --model DIR (the folder of {', '.join(models)}) to include its card.")
    directory = Path(model_dir)
    path = directory / "model_card.json"
    if not path.exists():
        return None, f"No model card: {shown(path)} does not exist."
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        return None, f"No model card: {shown(path)} could not be read ({type(exc).__name__})."
    if not isinstance(card, dict):
        return None, f"No model card: {shown(path)} is not a JSON object."
    note = f"From {shown(path)}."
    from classifier.models.stance_model import engine_of, model_hash

    digests = {engine_of(m)[0].split("@", 1)[1] for m in models if "@" in m}  # name@digest[:engine]
    if digests and (directory / "model.safetensors").exists():

        if model_hash(directory) not in digests:
            note += f" Warning: {CARD_MISMATCH}."
    return card, note


# said on the page (``model_card``) and, since 2026-12-07 (7), at the terminal too (``mismatch_words``): the README's
# own line, 'report predictions.jsonl --model models/default', run on a retrained model's predictions said it on the
# page alone
CARD_MISMATCH = "the weights in that directory do not match the hash in the predictions"


def mismatch_words(card_note: str, model_dir: str, models: list[str]) -> str | None:
    """The terminal's warning where ``--model`` (``model_dir``, as shown) is not the model whose hash the predictions
    name (``model_card``'s note says so), or None."""
    if CARD_MISMATCH not in card_note:
        return None
    return (f"--model {model_dir}: its weights are not those of the model that made the predictions "
            f"({', '.join(models)}), so the page shows another model's card and any gold items are checked against "
            "its training data; pass --model the folder of the model that made them")


# -- pieces ---------------------------------------------------------------------------------------------

def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:40].lower() or "actor"


# The most characters of a headline (and of an article id) an example names, cut in the middle: a headline is
# shorter; a column mapped as the title that holds the article's body put 1,500 characters after each quote.
EXAMPLE_FROM_CHARS = 150
_MIDNIGHT = re.compile(r"^(\d{4}-\d\d-\d\d)[T ]00:00(?::00(?:\.0+)?)?(?:Z|[+-]00:?00)?$")


def example_from(row: dict) -> str | None:
    """Where an example sentence comes from, as the report names it after the sentence: its article's headline
    ("article ID" where it has none; "the headline" where the sentence is the headline itself), then the article's
    date in brackets where it has one (a midnight timestamp, as a Parquet date column gives it, as its day); None for
    an item of no article and no headline."""
    def given(key):
        value = row.get(key)
        return None if value is None or pd.isna(value) or not str(value).strip() else " ".join(str(value).split())

    title, date = given("title"), given("date")
    if title is not None:
        name = "the headline" if title == " ".join(str(row["text"]).split()) else shortened(title, EXAMPLE_FROM_CHARS)
    else:
        name = f"article {shortened(given('article'), EXAMPLE_FROM_CHARS)}" if given("article") is not None else None
    date = shortened(_MIDNIGHT.sub(r"\1", date), 40) if date else None
    return None if name is None else name + (f" ({date})" if date else "")


def cell_examples(rows: pd.DataFrame, table: pd.DataFrame, k: int, actors: set[str],
                  articles: dict | None = None) -> list[dict]:
    """Per cell (in table order, for the given actors): the ``k`` most confident favor and against sentences, each
    sentence once; ``articles``: (outlet, actor, text key) -> in how many of the cell's articles it is
    (:func:`wire.cell_articles`), which an example carries as ``articles``."""
    chosen = rows.loc[most_confident(rows, k)]
    keys = chosen["text_key"] if "text_key" in chosen else text_keys(chosen["text"])
    cells = cell_frame(chosen.assign(text_key=keys), ("id", "text", "spans", "stance", "text_key", "article", "title",
                                                      "date", *SCORE_COLUMNS))
    top = {}  # side -> (outlet, actor) -> its k most confident rows, best first
    for side in ("favor", "against"):
        ranked = cells[cells["stance"] == side].sort_values(f"p_{side}", ascending=False, kind="stable")
        top[side] = {}
        for r in ranked.to_dict("records"):
            top[side].setdefault((r["outlet"], r["actor_name"]), []).append(
                {"id": r["id"], "text": r["text"], "spans": json.loads(r["spans"]), "p": float(r[f"p_{side}"]),
                 "articles": (articles or {}).get((r["outlet"], r["actor_name"], r["text_key"]), 1),
                 "from": example_from(r)})
    return [{"outlet": outlet, "actor": actor, **{side: top[side].get((outlet, actor), []) for side in top}}
            for outlet, actor in zip(table["outlet"], table["actor"]) if actor in actors]


def figures(table: pd.DataFrame, evaluation: dict | None, *, min_n: int, max_actors: int,
            view: dict | None = None, split: dict | None = None, kind: str | None = None,
            n_boot: int = 1000) -> tuple[list[dict], str]:
    """Every figure as PNG and SVG bytes with its file names, and a note on what was left out. ``kind`` (--kind):
    each chart's title and the page's name of it say which sentences it shows (a PNG is shared alone)."""
    from classifier.report import plots

    made = []
    gold_outlets = [g["group"] for g in evaluation["groups"]["source"]] if evaluation is not None else []
    # one look per outlet for the whole report: the predictions' outlets, most mentioned first, then a gold set's own
    by_mentions = table.groupby("outlet")["n"].sum().sort_values(ascending=False, kind="stable").index
    styles = plots.report_styles([*by_mentions, *gold_outlets])

    only = kind

    def add(kind: str, name: str, figure, title: str, caption: str, kinded: bool = True) -> None:
        title += f" in {only} sentences" if only and kinded else ""
        made.append({"kind": kind, "title": title, "caption": caption, "file": f"plots/{name}.png",
                     "svg": f"plots/{name}.svg", "png": plots.figure_bytes(figure, "png"),
                     "svg_bytes": plots.figure_bytes(figure, "svg")})

    add("heatmap", "net_stance_heatmap", plots.net_heatmap(table, max_actors=30, min_n=min_n, kind=only),
        "Net stance heatmap", "Net stance (favor − against) / n per outlet and actor, n in each cell; "
        "blue = favor, red = against, grey = no mentions.")
    spread = table.groupby("actor")["outlet"].nunique()
    totals = table.groupby("actor")["n"].sum().sort_values(ascending=False, kind="stable")
    chosen = [a for a in totals.index if spread[a] >= 2][:max_actors]
    for index, actor in enumerate(chosen):
        add("actor", f"actor_{index:02d}_{slug(actor)}", plots.actor_intervals(table, actor, min_n=min_n, kind=only,
                                                                             n_boot=n_boot),
            f"Net stance toward {actor}", f"{actor}: net stance per outlet with 95% CI by article.")
    several = int((spread >= 2).sum())
    note = ("Every actor is covered by one outlet only, so there are no per-actor comparisons." if several == 0
            else f"Charts for the {numeral(len(chosen))} most mentioned of {numeral(several)} actors covered by two "
                 "or more outlets."
            if several > len(chosen) else "")
    undrawn = plots.undrawn_names([*table["outlet"].unique(), *table["actor"].unique()])
    if undrawn:
        note += (" " if note else "") + (
            f"The charts' font has no letters for {numeral(len(undrawn))} outlet or actor "
            f"name{'s' if len(undrawn) > 1 else ''} ({', '.join(undrawn[:5])}{', …' if len(undrawn) > 5 else ''}), "
            "drawn there as boxes; the tables show them as written (for charts that do too, install a font for that "
            "script, such as Noto Sans CJK, and add it to matplotlib's font.family in a matplotlibrc).")
    if view is not None and view["period"] is not None:
        over_time = view["table"]
        periods = over_time.groupby("actor")["period"].nunique()
        mentions = over_time.groupby("actor")["n"].sum().sort_values(ascending=False, kind="stable")
        for index, actor in enumerate([a for a in mentions.index if periods[a] >= 2][:max_actors]):
            chart = timeline_chart(over_time, actor, view["period"], min_n=min_n, styles=styles, kind=only,
                                   n_boot=n_boot, split_date=split["date"] if split is not None else None)
            add("time", f"time_{index:02d}_{slug(actor)}", chart,
                f"{actor} over time", f"{actor}: net stance per {view['period']}, one line per outlet; the footer "
                "under the chart says which periods have a 95% CI by article and how it is drawn.")
    if split is not None and len(split["table"]):
        from classifier.report.split import changed_legend, split_chart

        cells = split["table"].assign(_n=split["table"]["n_before"] + split["table"]["n_after"])
        mentions = cells.groupby("actor")["_n"].sum().sort_values(ascending=False, kind="stable")
        for index, actor in enumerate(mentions.index[:max_actors]):
            legend = changed_legend(split["table"].loc[split["table"]["actor"] == actor, "changed"])
            add("split", f"split_{index:02d}_{slug(actor)}",
                split_chart(split["table"], actor, split["date"], min_n=min_n, styles=styles, kind=only,
                            n_boot=n_boot),
                f"{actor} before and after {split['date']}", f"{actor}: net stance per outlet before {split['date']} "
                "(squares) and on or after it (circles), 95% CI by article; beside each outlet, the change (after "
                "− before) with its Holm-adjusted p and whether it changed "
                f"(Holm-adjusted p < 0.05{f'; {legend}' if legend else ''}).")
    if evaluation is not None:
        curves = {"all items": evaluation["overall"]["calibration"]["reliability"]}
        outlets = [g for g in evaluation["groups"]["source"] if not g["small"]]
        curves.update({g["group"]: g["calibration"]["reliability"] for g in outlets})
        own = "gold" not in evaluation  # the predictions' own labelled rows: --kind kept only its kind of them
        add("reliability", "reliability", plots.reliability_diagram(curves, styles, kind=only if own else None),
            "Reliability diagram",
            f"Accuracy against confidence on gold-labelled items, overall (black) and for up to 6 of the largest "
            f"outlets with at least {min_n} gold items, each in its colour and line of the time charts (one outlet "
            "per colour), each point's marker area in proportion to the items in its bin (the key of sizes at the "
            "lower right: a small point is a bin of few items, weak evidence); below, the items in each confidence "
            "bin.", kinded=own)
    return made, note


BASIL_CHECK = ("Measured on BASIL on 2026-12-02 (Fox News, NYT and HuffPost on the same events; scripts/bench_suite.py, "
               "models/default, 6 outlet x person cells of 15 or more sentences on held-out events, the confusion "
               "fitted on other events), the mean absolute error of a cell's net stance was 0.06 raw, 0.19 with "
               "ACC and 0.25 with PACC: there the correction made outlet-level errors larger, not smaller.")


def in_sample_note(trained_on: dict | None, unchecked: str | None = None) -> str:
    """The sentence the page's evaluation, correction and compare notes end with where some gold items were in their
    model's training data (evaluate's ``trained_on``: one model's count, or ``models``, one each): the terminal's
    words (``in_sample_words``), one per model that trained on some; where they could not be checked
    (``unchecked``: ``evaluate.not_checked``'s words, report.json's ``not_checked``), the terminal's words for that
    (before 2026-12-07 (6) the page said nothing of it); "" where none did."""
    from classifier.models.card import in_sample_words

    counts = (trained_on or {}).get("models", [trained_on] if trained_on else [])
    return "".join(f" Warning: {in_sample_words(count['items'], count['of'], count['model'])}."
                   for count in counts if count["items"]) + (f" Warning: {unchecked}." if unchecked else "")


def correction_note(correction: dict) -> str:
    if not correction["possible"]:
        return correction["reason"][:1].upper() + correction["reason"][1:] + "."
    support = ", ".join(f"{label} {numeral(n)}" for label, n in correction["support"].items())
    unstable = (" Warning: on the gold set the classifier barely separates the classes (condition number of "
                f"P(predicted | true) {correction['condition_number']:.0f}), so the corrected shares are "
                "unstable and their intervals wide.") if correction["condition_number"] > MAX_CONDITION else ""
    flags = {label: reason for label, reason in (correction.get("class_flags") or {}).items() if reason}
    if flags:
        unstable += " Unstable: " + "; ".join(f"{label}: {reason}" for label, reason in flags.items()) + "."
    unstable += f" Warning: {correction['warning']}." if correction.get("warning") else ""
    unstable += (" Which figure to quote: the raw share with its interval"
                 + (", here for every class" if flags or correction["unstable"] else
                    ", or the corrected share beside it when the gold set comes from the same outlets and period")
                 + ". " + BASIL_CHECK)
    n_gold, n_articles = correction["n_gold"], correction["n_gold_articles"]
    # without --gold the confusion comes from the predictions' own labelled rows, which it then corrects: it read as
    # if from a gold set, "Both assume the classifier errs on these outlets as it does on the gold set" then true of
    # itself
    items, overlap = correction.get("fitted_on_items"), correction.get("gold_overlap")
    in_sample = (f" It is fitted on the same items it corrects (its {numeral(n_gold)} gold rows are among the "
                 f"{numeral(items)} items in the table), not on a labelled sample kept apart: pass --gold for that."
                 if items else "")
    if items and overlap:  # --gold holding the predictions' own items (the same ids)
        in_sample = (f" It is fitted on {'the same items' if overlap == n_gold else 'some of the items'} it corrects "
                     f"({numeral(overlap)} of its {numeral(n_gold)} gold items are among the {numeral(items)} items "
                     "in the table, the same ids), not on a labelled sample kept apart: pass --gold a set labelled "
                     "apart for that.")
    return (f"Corrected with the confusion matrix of {correction['gold']} ({numeral(n_gold)} "
            f"item{'s' if n_gold != 1 else ''} in {numeral(n_articles)} article{'s' if n_articles != 1 else ''}; "
            f"{support}).{in_sample} ACC (adjusted classify-and-count) solves P(predicted | true) × prevalence = "
            "predicted shares on the simplex; PACC does the same with mean probabilities. Intervals resample "
            "articles of both the predictions and the gold set (widened where either has few). Both assume the "
            "classifier errs on these outlets as it does on the gold set."
            + in_sample_note(correction.get("trained_on"), correction.get("not_checked")) + unstable)


def compare_input(inputs: ReportInput, other: Path, kind: str | None,
                  trained: Callable | None = None) -> ReportInput:
    """``other`` (--compare) read as the predictions were, refused where it shares no item with them.
    ``trained``: as ``gather``'s."""
    before = gather(other, 0, kind, wire=False, trained=trained)
    if not len(np.intersect1d(inputs.id_hashes, before.id_hashes)):
        raise InputError(f"{option('compare', other)}: shares no item ids with the predictions; compare two runs on "
                         "the same items")
    return before


def compare_section(inputs: ReportInput, other: Path, kind: str | None, *, n_boot: int, seed: int, min_n: int,
                    progress: bool, shown: Callable[[Path], str] = str, before: ReportInput | None = None,
                    cells: pd.DataFrame | None = None) -> dict:
    """Before / after: the cells of ``other`` (an earlier predictions file of the same items) against these,
    and both models on the gold labels the two files share (``shown`` names ``other`` in the report). ``before``:
    ``other`` as :func:`compare_input` read it; ``cells``: their ``compare_cells`` (``make_report`` makes them
    with the framing table, whose draws they share)."""
    from classifier.evaluate import compare_frames, comparison_verdict
    from classifier.report.compare import (MIN_ARTICLES, compare_cells, compare_note, in_compare_order, items_caveat,
                                           moved_rows, no_shared_cell)

    before = before if before is not None else compare_input(inputs, other, kind)
    common = np.intersect1d(inputs.id_hashes, before.id_hashes)
    # one order for the page's table, compare.csv and report.json: what moved, and the biggest moves, first
    cells = in_compare_order(cells) if cells is not None else compare_cells(inputs.sums, before.sums, n_boot=n_boot,
                                                                            seed=seed, min_n=min_n)
    only_new = int(len(np.setdiff1d(inputs.id_hashes, before.id_hashes)))
    only_old = int(len(np.setdiff1d(before.id_hashes, inputs.id_hashes)))
    changed = int(len(common) - len(np.intersect1d(inputs.item_hashes, before.item_hashes)))  # same id, other item
    paired, rows, eval_note = None, None, (
        "Neither file holds gold labels, so the two models are not compared on gold items here: classify a "
        "labelled set with both and run 'stance evaluate NEW --compare OLD'.")
    if not inputs.labelled.empty and not before.labelled.empty:
        try:
            paired = compare_frames(before.labelled, inputs.labelled, n_boot=n_boot, seed=seed, progress=progress)
        except InputError as exc:
            eval_note = f"Not compared on gold labels: {exc}."
        else:
            rows = tables.compare_rows(paired)
            verdict = comparison_verdict(paired, f"{Path(given_name(other)).name} ({', '.join(before.models)})",
                                         f"this file ({', '.join(inputs.models)})")  # not "these predictions (M)
            # scores": the sentence's verbs are singular; the note the verdict gives as its reason is not said twice
            how = (f"{paired['note']}." if paired["note"] and paired["note"] not in verdict
                   else "" if paired["note"] else "paired bootstrap by article.")
            eval_note = (f"Both models on the {numeral(paired['n_common'])} gold-labelled items the files share "
                         f"(first = {shown(other)}, second = this file); " + (f"{how} " if how else "") + verdict)
    rows_moved = moved_rows(cells, min_n, n_boot)
    return {"other": shown(other), "cells": cells, "rows": rows_moved,
            "legend": tables.verdict_legend(rows_moved, "moved", too_few=f"fewer than {MIN_ARTICLES} articles"),
            "note": compare_note(cells, shown(other), before.models, only_new, only_old, changed,
                                 new_sums=inputs.sums, old_sums=before.sums, n_boot=n_boot), "paired": paired,
            # -q prints no note: a comparison of no cell is warned of, as items the files do not share are
            "items_warning": ((no_shared_cell(inputs.sums, before.sums) if cells.empty else "")
                              + items_caveat(only_new, only_old, changed, new_sums=inputs.sums,
                                             old_sums=before.sums)).strip(),
            "evaluation": rows, "eval_note": eval_note}


TONE_EXAMPLE_P = 0.6  # the stance of the note's example is the model's confident call, not a likely error


def tone_example(examples: pd.DataFrame) -> dict | None:
    """Of the cells' example sentences whose favor or against the model gives at least ``TONE_EXAMPLE_P``, the one
    whose tone most contradicts its stance (a favourable sentence in a grim tone, or a hostile one in a bright
    tone), or None: the biggest clash over all sentences is most often a wrong stance, not a real one."""
    if "tone" not in examples or not examples["tone"].notna().any():
        return None
    rows = examples[examples["tone"].notna() & examples["stance"].isin(["favor", "against"])]
    confident = np.where(rows["stance"] == "favor", rows["p_favor"], rows["p_against"]) >= TONE_EXAMPLE_P
    rows = rows[confident]
    if rows.empty:
        return None
    clash = -(rows["p_favor"] - rows["p_against"]) * rows["tone"]
    best = rows.loc[clash.idxmax()]
    if clash.max() <= 0:
        return None
    return {"text": str(best["text"]), "outlet": str(best["source"]), "actor": str(best["actor"]),
            "stance": str(best["stance"]), "p": float(best[f"p_{best['stance']}"]), "tone": float(best["tone"])}


def tone_note(table: pd.DataFrame, example: dict | None, models: list[str] | None = None) -> str | None:
    """What the tone column is, which sentiment model gave it (``models``: two or more are said to be mixed), how
    it differs from stance, and one sentence of these predictions showing it."""
    if "n_tone" not in table or not (table["n_tone"] > 0).any():
        return None
    note = ("Tone is the sentence's own sentiment, P(positive) − P(negative) from the sentence-sentiment model, "
            "averaged over the sentences that mention the actor (−1 to +1, 95% CI by article). Stance is what the "
            "sentence says about the actor; tone is how it sounds. The two part ways often: a report of an attack "
            "on an actor is grim in tone and may still side with that actor, and praise of one actor can be "
            "cheerful while hostile to another. Quote stance for framing toward an actor, tone for the mood of "
            "the coverage.")
    models = distinct_models(models)  # one model on two engines is one model
    if len(models) == 1:
        note += f" Sentiment model: {models[0]}."
    elif models:
        note += (f" The tone mixes {len(models)} sentiment models ({', '.join(models)}), whose scores need not agree: "
                 "compare cells scored by one model, or classify again with one.")
    with_tone, mentions = int(table["n_tone"].sum()), int(table["n"].sum())
    if with_tone < mentions:  # predictions of several runs, some without --task both
        note += (f" Only {with_tone:,} of {mentions:,} mentions {'carries' if with_tone == 1 else 'carry'} a "
                 "sentiment (the others were classified without --task both): each tone is the mean over its cell's "
                 "mentions that do, and a cell without any shows –.")
    if example is not None:
        text = example["text"] if len(example["text"]) <= 240 else example["text"][:237] + "..."
        note += (f" From these predictions (both the model's, so read the sentence): “{text}” ({example['outlet']}, "
                 f"toward {example['actor']}): "
                 f"stance {example['stance']} (p {example['p']:.2f}), tone {example['tone']:+.2f}.")
    return note


def evaluation_section(inputs: ReportInput, gold: pd.DataFrame | None = None, gold_path: Path | None = None, *,
                       n_boot: int, seed: int, min_n: int, progress: bool,
                       shown: Callable[[Path], str] = str) -> dict | None:
    """The model against gold labels: those of the predictions themselves, else those of ``--gold`` (named by
    ``shown``)."""
    options = dict(by=["source"], n_boot=n_boot, seed=seed, min_n=min_n, progress=progress)
    if not inputs.labelled.empty:
        result = evaluate_frame(inputs.labelled, **options)
        other = (f" The correction uses --gold {shown(gold_path)} ({numeral(len(gold))} gold-labelled predictions) "
                 "instead: these figures are not the accuracy behind it." if gold_path is not None else "")
        return {**result, "n_predictions": inputs.n, "n_unlabelled": inputs.n - len(inputs.labelled),
                "models": inputs.models,
                "note": f"{numeral(len(inputs.labelled))} of {numeral(inputs.n)} predictions "
                        f"{'has' if len(inputs.labelled) == 1 else 'have'} a gold label.{other}"}
    if gold is None or gold.empty:
        return None
    result = evaluate_frame(gold, **options)
    return {**result, "gold": shown(gold_path),
            "note": f"The predictions hold no gold labels: evaluated on --gold {shown(gold_path)} ({len(gold)} "
                    f"gold-labelled predictions of {', '.join(model_names(gold))})."}


def counts_text(n: int, n_actors: int, n_outlets: int, n_boot: int, n_articles: int) -> str:
    """The page's opening counts, each noun in the number of its count ("1 actor in 1 outlet"), with the articles
    they come from: the unit every interval and test resamples (before, 530 mentions were counted and the 47
    articles behind them nowhere on the page)."""
    intervals = (f"Intervals are 95% bootstrap intervals resampled by article ({counted(n_boot, 'resample')}"
                 if n_boot > 0 else f"No intervals ({tables.NO_RESAMPLING}")
    return (f"{counted(n, 'mention')} (a mention: a sentence and an actor it names, however often) of "
            f"{counted(n_actors, 'actor')} in {counted(n_outlets, 'outlet')}, from {counted(n_articles, 'article')} "
            f"(an outlet's article; an item without one is its own). {intervals}")


def context(inputs, predictions, analysis, evaluation, figs, actors_note, examples, card, card_note, *,
            n_boot, n_perm, seed, min_n, view=None, kinds=None, kind=None) -> dict:
    table = analysis["table"]
    redrawn = max((t["n_perm"] for t in analysis["tests"]), default=0) if n_perm else 0
    redrawn = redrawn if redrawn > n_perm else 0
    n_tests = len(analysis["tests"])  # 0 where no actor has two outlets ("over 0 tests"), never 1
    view = view or {"period": None, "table": pd.DataFrame(), "undated": [], "n_dated_articles": 0}
    n_article_entries = int(inputs.sums[["outlet", "article", "lone"]].drop_duplicates().shape[0])
    trends = trend_rows(view["trends"]) if view["period"] and len(view.get("trends", [])) else None
    ctx = {"title": TITLE, "predictions": given_name(predictions), "models": inputs.models, "n": inputs.n,
           "n_outlets": int(table["outlet"].nunique()), "n_actors": int(table["actor"].nunique()),
           "counts": counts_text(inputs.n, int(table["actor"].nunique()), int(table["outlet"].nunique()), n_boot,
                                 n_article_entries),
           "n_boot": n_boot, "seed": seed, "min_n": min_n, "findings": analysis["findings"],
           "findings_tables": analysis.get("findings_tables"),
           "tests": tables.test_rows(analysis["tests"]), "framing": tables.framing_rows(table, min_n),
           "tests_legend": tables.verdict_legend(tables.test_rows(analysis["tests"]), "differs"),
           "framing_note": "Shares are of the predicted stance; net = share favor − share against; mean p is the "
                           "mean predicted probability of each class. "
                           + ("The 95% interval resamples articles, so a "
                              "cell from fewer than 5 articles has none (–): a handful of articles give a handful of "
                              "resamples and a falsely narrow interval. It is widened for their number (an expanded "
                              "percentile interval: tails of 0.1% from 5 articles, 1.9% from 30, 2.3% from 100). "
                              "The articles are resampled with two pseudo-articles, one of a favor mention and one "
                              "of an against mention, so that a stance few or no articles hold still widens it: "
                              "where favor or against is rare or nearly every mention (net stance near 0 or ±1), "
                              "the articles alone gave intervals that held the truth in as few as 23% of simulated "
                              "cells; with them, 88% to 100% (moderate shares: as wide from 10 articles)."
                              if n_boot > 0 else f"No cell has a 95% interval (–): {tables.NO_RESAMPLING}."),
           "corrected": tables.corrected_rows(table, min_n, analysis["correction"].get("class_flags"))
           if analysis["correction"]["possible"] else None,
           "correction_note": correction_note(analysis["correction"]), "figures": figs, "actors_note": actors_note,
           "tests_note": f"Each outlet is compared with the pooled other outlets covering the same actor: a "
                         "permutation test of the gap in net stance over its standard error, shuffling whole "
                         f"articles between outlets ({counted(n_perm, 'permutation')}"
                         + (f"; a test whose p is below 0.05 is drawn again with {redrawn}, so that Holm's correction "
                            "can reach 0.05" if redrawn else "") + "), "
                         f"Holm correction over {'all ' * (n_tests > 1)}{holm_over(analysis['tests'])}; "
                         "'differs' means Holm-adjusted p < 0.05.",
           "examples": examples, "card": card, "card_note": card_note, "evaluation": None,
           "power": analysis.get("power", []),
           "timeline": timeline_rows(view["table"], min_n) if view["period"] else None,
           "timeline_note": timeline_note(view, n_article_entries, min_n, n_boot),
           "timeline_trends": trends,
           "timeline_trends_legend": tables.verdict_legend(trends, "trend", too_few=f"fewer than {MIN_TREND_ARTICLES} "
                                                           f"dated articles or {MIN_TREND_PERIODS} periods"),
           "kinds": tables.kind_rows(kinds, min_n) if kinds is not None and not kinds.empty and not kind else None,
           "kinds_note": (f"Only sentences of kind {kind!r} (--kind), so there is no headline and body comparison."
                          if kind else
                          "Framing can differ between headlines and the text below them: the same outlet x actor cells "
                          "from headline sentences alone and from the rest (body and sub-headings), each with its "
                          + ("interval by article (none from fewer than 5), and the difference." if n_boot > 0 else
                             f"interval by article (none here: {tables.NO_RESAMPLING}), and the difference.")
                          if kinds is not None and not kinds.empty else
                          "No headline rows, so there is no headline view: no headline names an actor, or the "
                          "items carry no kind (prepare marks as headline the title of a table row or an HTML page, "
                          "and a file's first line where it reads as a heading)."),
           "kind_filter": kind,
           "wire_note": wire_note(inputs.wire_copy),
           "wire": tables.wire_rows(inputs.wire_copy) if wire_note(inputs.wire_copy) else None,
           "tone_note": tone_note(table, tone_example(inputs.examples), inputs.sentiment_models),
           "evaluation_note": "No gold labels in the predictions and no --gold, so there is no evaluation here; pass "
                              "--gold with predictions for a labelled set, or run 'stance evaluate' on them."}
    ctx["corrected_legend"] = tables.corrected_legend(ctx["corrected"])  # keys its "–" and its bare shares
    if evaluation is not None:
        overall = evaluation["overall"]
        ctx["evaluation"] = {
            "note": evaluation["note"],
            "overall": tables.overall_rows(overall), "per_class": tables.per_class_rows(overall),
            "confusion": tables.confusion_rows(overall),
            "groups": tables.group_rows("source", evaluation["groups"]["source"]),
            "groups_note": tables.group_note("source", evaluation["groups"]["source"])}
    return ctx


def split_context(split: dict, inputs: ReportInput, min_n: int, n_boot: int = 1000) -> dict:
    """The before-and-after view as the page shows it: the day, the note and the table."""
    from classifier.report.split import TOO_FEW_WHY, split_note, split_rows

    n_article_entries = int(inputs.sums[["outlet", "article", "lone"]].drop_duplicates().shape[0])
    rows = split_rows(split["table"], min_n) if len(split["table"]) else None
    return {"date": split["date"], "note": split_note(split, n_article_entries, n_boot), "rows": rows,
            "legend": tables.verdict_legend(rows, "changed", too_few=TOO_FEW_WHY)}


def json_safe(value):
    """NaN -> None recursively, numpy scalars -> Python, for strict JSON."""
    import math

    import numpy as np

    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# -- the API --------------------------------------------------------------------------------------------

def make_report(predictions: str | Path, out_dir: str | Path, *, gold: str | Path | None = None,
                model_dir: str | Path | None = None, n_boot: int = 1000, seed: int = 0, min_n: int = 10,
                examples: int = 2, max_actors: int = 24, n_perm: int = 2000, progress: bool = False,
                period: str | None = "auto", kind: str | None = None, compare: str | Path | None = None,
                split_date=None) -> dict:
    """Analyse a predictions file and write the report directory; returns what report.json holds, each of its
    tables (``tests``, ``headlines``, ``timeline["rows"]``, ``compare["cells"]``, ``split_date["cells"]``) as a pandas
    DataFrame, with the framing table (framing.csv) as ``table`` and the files written as ``files`` (``compare_csv``
    and ``split_date_csv`` where those sections are). ``evaluation`` is
    ``evaluate_predictions``'s dict, as there. ``period``: auto, day, week, month, year or none (the time view);
    ``kind``: only rows of that kind; ``compare``: an earlier predictions file of the same items (before / after);
    ``split_date``: a day (``"2022-02-24"`` or a ``datetime.date``): each outlet x actor's net stance before it and on
    or after it, the change with its interval and a permutation test (``split_date`` in report.json)."""
    from classifier.models.stance_model import model_folder

    check_paths(predictions=predictions, gold=gold, compare=compare)
    check_option_files(gold=gold, compare=compare)
    check_paths("a folder for the report", out_dir=out_dir)
    check_paths("a model folder", model_dir=model_dir)
    if kind is not None and not isinstance(kind, str):  # an int reached pyarrow's compare as a raw error
        raise InputError(f"{option('kind', kind)}: expected a kind of sentence, e.g. headline, subheading or body")
    predictions, out_dir = Path(predictions), Path(out_dir)
    check_at_least(n_boot=(n_boot, 0), seed=(seed, 0), min_n=(min_n, 1), examples=(examples, 0),
                   max_actors=(max_actors, 1), n_perm=(n_perm, 1))
    if model_dir is not None:  # the checkout's models/NAME from any directory; a folder that is not there is an error
        model_dir = model_folder(model_dir)
        if not model_dir.is_dir():
            raise InputError(f"{option('model_dir', model_dir, flag='--model')}: no such model folder (the model whose "
                             "card the report shows)")
    check_report_target(out_dir, predictions, gold, compare, model_dir)  # before the analysis
    warn_compared_with_itself(predictions, compare)
    check_period(period)
    if split_date is not None:
        day_of(split_date)  # a bad day is refused before any work
    from classifier.evaluate import TrainedLists

    # each file's gold rows checked against its model's training data as evaluate checks them (its trained_on): the
    # predictions' against --model's list too, --compare's against its own models' alone; each model looked up once
    found: dict = {}
    lists, compared_lists = None, TrainedLists()
    compared_lists.found = found

    def own_lists() -> TrainedLists:  # made where gold rows are read: a --model without a list is warned of there
        nonlocal lists
        if lists is None:
            lists = TrainedLists(model_dir)
            lists.found = found
        return lists

    inputs = gather(predictions, examples, kind, trained=own_lists)
    shown = lambda path: shared_path(path, out_dir)  # noqa: E731  (an input as the report's files name it)
    own_on, own_unchecked = trained_gold(inputs, lists, model_dir, given_name(predictions), shown=shown)
    articleless = articleless_note(int((inputs.sums["lone"] >= 0).sum()), inputs.n)
    look_alikes = look_alike_names(inputs.sums)  # said at the terminal now, on the page with the framing table
    for problem in (articleless, *look_alikes):
        if problem:
            warn_caller(problem)
    gold_frame, gold_name = choose_gold(inputs.labelled, predictions, Path(gold) if gold else None, shown)
    before = compare_input(inputs, Path(compare), kind, lambda: compared_lists) if compare else None  # its cells are
    # made with the framing table, whose draws they share
    # a file given twice (--compare or --gold the predictions themselves) is not warned of twice for one count
    checked = not inputs.labelled.empty  # the predictions' own gold rows were checked (and own_on said)
    twice = lambda path: own_on if checked and same_file(path, predictions) else UNSAID  # noqa: E731
    compared_on = trained_gold(before, compared_lists, None, option("compare", given_name(compare)),
                               own=False, said=twice(compare), shown=shown)[0] if before else None
    beside = [compare_cell_rows(inputs.sums, before.sums, n_boot=n_boot, seed=seed, min_n=min_n)] if before else []
    analysis = framing_analysis(inputs.sums, gold_frame, gold_name=gold_name, n_boot=n_boot, n_perm=n_perm,
                                seed=seed, min_n=min_n, progress=progress,
                                kinds=(inputs.headline_sums, inputs.body_sums), beside=beside)
    release_memory(inputs.n)  # each stage's freed memory given back, as after reading: kept, it added up to the peak
    if gold is None and gold_frame is not None:  # the predictions' own gold rows: the note says it is in-sample
        analysis["correction"]["fitted_on_items"] = inputs.n
    overlap = gold_overlap(gold_frame, inputs.id_hashes) if gold is not None else 0
    if overlap and analysis["correction"]["possible"]:  # --gold of the very items predicted: in-sample too
        # a terminal warning names --gold as given; shown() is how the report's files name it
        analysis["correction"].update(fitted_on_items=inputs.n, gold_overlap=overlap)
        warn_caller(f"{option('gold', gold)}: {numeral(overlap)} of its {numeral(len(gold_frame))} gold items are "
                    f"among the {numeral(inputs.n)} predictions (the same ids), so the correction is fitted on items "
                    "it corrects; a gold set kept apart gives an honest one")
    # --gold the --compare file: its count was said of --compare (report N --compare O --gold O said it twice)
    gold_on, gold_unchecked = None, None
    if gold is not None:
        gold_said = compared_on if compared_on is not None and same_file(gold, compare) else twice(gold)
        gold_on, gold_unchecked = warn_trained_gold(Path(gold), model_dir, own_lists(), gold_said, shown)
    # said at the terminal: the paths as given, not as shown()
    # the gold set the correction is fitted on: --gold, else the predictions' own rows; null without one, as
    # evaluation and compare are (the key was left out)
    analysis["correction"]["trained_on"] = gold_on if gold is not None else own_on
    # and why they were not checked, in the terminal's words (null where checked): the page says it too
    analysis["correction"]["not_checked"] = gold_unchecked if gold is not None else own_unchecked
    if gold is not None and distinct_models(model_names(gold_frame)) != distinct_models(inputs.models):
        analysis["correction"]["warning"] = (f"the gold predictions come from {', '.join(model_names(gold_frame))} "
                                             f"but the predictions from {', '.join(inputs.models)}; the "
                                             "correction assumes one model")
    evaluation = evaluation_section(inputs, gold_frame, Path(gold) if gold else None, n_boot=n_boot, seed=seed,
                                    min_n=min_n, progress=progress, shown=shown)
    if evaluation is not None:  # the gold set it scores: the predictions' own rows, else --gold's (as evaluate's)
        evaluation["trained_on"] = own_on if not inputs.labelled.empty else gold_on
        evaluation["not_checked"] = own_unchecked if not inputs.labelled.empty else gold_unchecked
        # the page says what the terminal warned
        evaluation["note"] += in_sample_note(evaluation["trained_on"], evaluation["not_checked"])
    table = analysis["table"]
    view = timeline(inputs.sums, period=period, n_boot=n_boot, seed=seed, min_n=min_n, progress=progress,
                    n_perm=n_perm)
    release_memory(inputs.n)
    view["table"] = in_framing_order(view["table"], table)  # the page, timeline.csv and report.json alike
    if "trends" in view:
        view["trends"] = in_framing_order(view["trends"].assign(period=""), table).drop(columns="period")
    before_after = compare_section(inputs, Path(compare), kind, n_boot=n_boot, seed=seed, min_n=min_n,
                                   progress=progress, shown=shown, before=before,
                                   cells=pd.DataFrame.from_records(analysis["beside"][0])) if compare else None
    if before_after is not None:  # as evaluate --compare's compare.trained_on: the compared file's model
        before_after["trained_on"] = compared_on
        # --compare the predictions themselves: warned at the terminal alone before; the page and report.json too
        before_after["warning"] = compared_with_itself(predictions, compare, shown)
        if before_after["paired"] is not None:  # the compared model scored on items it learnt: the page says so too
            before_after["eval_note"] += in_sample_note(compared_on)
    kinds = analysis["kinds"]  # made with the framing table, whose draws it mostly shares
    split = None
    if split_date is not None:
        from classifier.report.split import split_cells

        split = split_cells(inputs.sums, split_date, n_boot=n_boot, n_perm=n_perm, seed=seed, min_n=min_n,
                            progress=progress)
    figs, actors_note = figures(table, evaluation, min_n=min_n, max_actors=max_actors, view=view, split=split,
                                kind=kind, n_boot=n_boot)
    release_memory(inputs.n)
    top = set(table.groupby("actor")["n"].sum().sort_values(ascending=False, kind="stable").index[:max_actors])
    card, card_note = model_card(inputs.models, Path(model_dir) if model_dir else None, shown)
    mismatch = model_dir and mismatch_words(card_note, str(model_dir), inputs.models)
    if mismatch:
        warn_caller(mismatch)
    ctx = context(inputs, shown(predictions), analysis, evaluation, figs, actors_note,
                  cell_examples(inputs.examples, table, examples, top, inputs.example_articles), card, card_note,
                  n_boot=n_boot,
                  n_perm=n_perm, seed=seed, min_n=min_n, view=view, kinds=kinds, kind=kind)
    ctx["compare"] = before_after and {key: before_after[key] for key in ("warning", "rows", "legend", "note",
                                                                          "evaluation", "eval_note")}
    ctx["split"] = split and split_context(split, inputs, min_n, n_boot)
    # sections that hold only their note for want of an option: the page's line of links says so (html.with_contents)
    ctx["wanting"] = {heading: option for heading, option, empty in (
        ("Shares corrected for classifier error", "--gold", evaluation is None),
        ("Evaluation on gold labels", "--gold", evaluation is None), ("Model card", "--model", model_dir is None))
        if empty}
    if split is not None:  # the day asked about first among the page's findings, linked to its section
        from classifier.report.split import split_finding

        ctx["findings_tables"] = [f"Change at {split['date']}"] + list(ctx["findings_tables"]
                                                                       or [None] * len(ctx["findings"]))
        ctx["findings"] = [split_finding(split)] + list(ctx["findings"])
    # an interval of zero width is marked ‡ in the tables (tables.net_interval) and explained once, at the top
    shown_tables = (ctx["framing"], ctx["timeline"], ctx["kinds"], ctx["split"] and ctx["split"]["rows"],
                    ctx["compare"] and ctx["compare"]["rows"])
    ctx["no_spread_note"] = tables.NO_SPREAD_NOTE if tables.has_no_spread(*shown_tables) else None
    ctx["provenance"] = provenance(predictions, Path(gold) if gold else None, Path(compare) if compare else None,
                                   Path(model_dir) if model_dir else None,
                                   {"--n-boot": n_boot, "--n-perm": n_perm, "--seed": seed, "--min-n": min_n,
                                    "--period": period, "--kind": kind or "all", "--examples": examples,
                                    "--max-actors": max_actors,
                                    **({"--split-date": split["date"]} if split else {})}, shown)
    mixed = mixed_models_warning(inputs.models, "the cells, outlet tests and corrections")
    for problem in (mixed, articleless, *look_alikes):  # the terminal's warnings, on the page that is shared
        if problem:
            ctx["framing_note"] += f" Warning: {problem}."
    from classifier.io.files import staged_folder

    final = out_dir
    with staged_folder(final) as out_dir:
        summary = write_report_files(out_dir, table, analysis, figs, ctx, shown(predictions), inputs, evaluation,
                                     card_note, n_boot=n_boot, n_perm=n_perm, seed=seed, min_n=min_n,
                                     view=view, kinds=kinds, before_after=before_after, split=split)
    files = {key: final / name for key, name in REPORT_FILES.items()}
    # the optional sections' tables too, as they are written (they were left out of ``files``)
    files |= {key: final / name for key, name, part in (("compare_csv", "compare.csv", before_after),
                                                       ("split_date_csv", "split_date.csv", split)) if part is not None}
    # report.json's keys, each of its tables as a DataFrame (as the framing table under "table"), not a list of dicts
    frames = {"tests": pd.DataFrame.from_records(summary["tests"]) if summary["tests"] else
              pd.DataFrame(columns=list(TEST_COLUMNS)),
              "timeline": {**summary["timeline"], "rows": view["table"]}, "headlines": kinds}
    if before_after is not None:
        frames["compare"] = {**summary["compare"], "cells": before_after["cells"]}
    if split is not None:
        frames["split_date"] = {**summary["split_date"], "cells": split["table"]}
    return {**summary, **frames, "table": table, "wire_note": ctx["wire_note"],
            "framing_rows": tables.framing_rows(table, min_n, compact=True),
            # the caller's: --gold named as given (the report's files name it from the report folder, ../gold.jsonl);
            # without the in-sample and not-checked sentences, which the terminal's warnings said (it said them twice),
            # nor the one-model warning, which the command warns of after it, nor --gold's items among the
            # predictions, warned of above (both said twice before 2026-12-07 (7)); the predictions' own gold rows
            # are warned of nowhere else, so the note still says they are in-sample
            "correction_note": correction_note({**analysis["correction"], "gold": gold_set_name(
                predictions, Path(gold) if gold else None, inputs.labelled, given_name),
                "trained_on": None, "not_checked": None, "warning": None,
                **({"fitted_on_items": None, "gold_overlap": None} if overlap else {})}),
            "models_warning": mixed,
            "files": {k: str(v) for k, v in files.items()}, "out_dir": str(final)}


REPORT_FILES = {"framing_csv": "framing.csv", "framing_parquet": "framing.parquet", "tests_csv": "outlet_tests.csv",
                "timeline_csv": "timeline.csv", "headlines_csv": "headlines.csv",
                "json": "report.json", "html": "report.html", "markdown": "report.md"}


OWN_FILES = {*REPORT_FILES.values(), "compare.csv", "split_date.csv", "plots"}  # what a report folder holds, and nothing else


def earlier_report(report_json: Path) -> dict | None:
    """An earlier report's report.json as written (an object that lists its ``plots``); None when it is missing,
    unreadable or another tool's."""
    try:
        found = json.loads(report_json.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return found if isinstance(found, dict) and isinstance(found.get("plots"), list) else None


def report_plots(report_json: Path) -> set[str]:
    """The figures an earlier report says it drew (``plots/NAME``), PNG and SVG; none when it cannot be read."""
    found = earlier_report(report_json)
    return {name for name in found["plots"] if isinstance(name, str)} if found else set()


def is_report_folder(folder: Path) -> bool:
    """A folder this command wrote: its report.json lists its plots beside its report.html (another tool's
    report.json in a parent folder, a CI workspace or /tmp, is no report of ours)."""
    return (folder / REPORT_FILES["html"]).is_file() and earlier_report(folder / "report.json") is not None


def check_report_target(out_dir: Path, *inputs: str | Path | None) -> None:
    """The report folder may be new, empty, or an earlier report (it has report.json), which is replaced
    whole; never a file, a folder of other things, nor a folder that holds one of ``inputs`` or a file a
    report does not write (replacing the folder would delete it)."""
    from classifier.io.files import check_not_inside, check_parents

    out_dir = Path(out_dir)
    out = option("out_dir", out_dir, flag="--out")  # how the errors name it
    check_not_inside(out_dir, *inputs, option=option("out_dir", flag="--out"))
    for folder in (Path(p) for p in inputs[:3] if p is not None):  # predictions, gold, compare
        if folder.is_dir() and folder.resolve() in out_dir.resolve().parents:
            raise InputError(f"{out}: inside the predictions folder {folder}, whose every .parquet and "
                             ".jsonl file is read as predictions; name a folder outside it (nothing was written)")
    earlier = next((folder for folder in out_dir.absolute().parents if is_report_folder(folder)), None)
    if earlier is not None:  # it would stop that report from ever being replaced (a folder it does not write)
        raise InputError(f"{out}: inside the earlier report {earlier}; name a folder outside it (nothing "
                         "was written)")
    if out_dir.exists():
        if not out_dir.is_dir():
            raise InputError(f"{out}: a file; the report needs a folder (nothing was written)")
        if any(out_dir.iterdir()) and not (out_dir / "report.json").exists():
            raise InputError(f"{out}: a folder that is not an earlier report; name a new folder "
                             "(nothing was written)")
        plots = out_dir / "plots"
        drawn = report_plots(out_dir / "report.json")
        other = sorted([p.name for p in out_dir.iterdir() if p.name not in OWN_FILES] +
                       [f"plots/{p.name}" for p in (plots.iterdir() if plots.is_dir() else [])
                        if p.is_dir() or f"plots/{p.name}" not in drawn])
        if other:
            raise InputError(f"{out}: an earlier report that also holds {', '.join(other[:3])}"
                             f"{' and more' if len(other) > 3 else ''}, which replacing it would delete; move "
                             "them out or name a new folder (nothing was written)")
    check_parents(out_dir)


TIMELINE_COLUMNS = ("outlet", "actor", "period", "n", "n_articles", "small", "share_favor", "share_against",
                    "share_neutral", "net", "net_lo", "net_hi", *TREND_COLUMNS)


def write_table(path: Path, frame: pd.DataFrame, columns) -> None:
    """A CSV of the rows, or of the header alone when there are none (the file is always there)."""
    from classifier.io.files import spreadsheet_safe, write_records, write_text_atomic

    if len(frame):
        write_records(path, spreadsheet_safe(frame.to_dict("records")))
    else:
        write_text_atomic(path, ",".join(columns) + "\n")


def write_report_files(out_dir: Path, table, analysis, figs, ctx, predictions, inputs, evaluation, card_note, *,
                       n_boot: int, n_perm: int, seed: int, min_n: int, view: dict | None = None,
                       kinds: pd.DataFrame | None = None, before_after: dict | None = None,
                       split: dict | None = None) -> dict:
    from classifier.io.files import (spreadsheet_safe, write_bytes_atomic, write_json_atomic, write_records,
                                     write_text_atomic)
    from classifier.report.html import render_html, render_markdown

    files = {key: out_dir / name for key, name in REPORT_FILES.items()}
    records = table.to_dict("records")
    write_records(files["framing_csv"], spreadsheet_safe(records))
    write_records(files["framing_parquet"], records)
    if analysis["tests"]:
        write_records(files["tests_csv"], spreadsheet_safe(analysis["tests"]))
    else:
        write_text_atomic(files["tests_csv"], ",".join(TEST_COLUMNS) + "\n")
    view = view or {"period": None, "table": pd.DataFrame(), "undated": []}
    write_table(files["timeline_csv"], view["table"], TIMELINE_COLUMNS)
    kinds = kinds if kinds is not None else pd.DataFrame()
    write_table(files["headlines_csv"], kinds, ("outlet", "actor", "headline_n", "headline_net", "body_n", "body_net",
                                                "difference"))
    if before_after is not None:
        write_table(out_dir / "compare.csv", before_after["cells"], ("outlet", "actor", "n", "net_old", "net_new",
                                                                     "change", "change_lo", "change_hi", "moved"))
    if split is not None:
        from classifier.report.split import SPLIT_COLUMNS

        write_table(out_dir / "split_date.csv", split["table"], SPLIT_COLUMNS)
    for fig in figs:
        write_bytes_atomic(out_dir / fig["file"], fig["png"])
        write_bytes_atomic(out_dir / fig["svg"], fig["svg_bytes"])
    write_text_atomic(files["html"], render_html(ctx))
    write_text_atomic(files["markdown"], render_markdown(ctx))
    summary = {"predictions": given_name(predictions), "models": inputs.models,
               **({"sentiment_models": inputs.sentiment_models} if inputs.sentiment_models else {}), "n": inputs.n,
               "correction": analysis["correction"], "findings": analysis["findings"], "tests": analysis["tests"],
               "evaluation": evaluation, "model_card": card_note, "card": ctx["card"],
               "provenance": ctx.get("provenance"), "n_boot": n_boot, "n_perm": n_perm, "seed": seed,
               "min_n": min_n, "power": analysis.get("power", []),
               "timeline": {"period": view["period"], "undated_articles": view["undated"],
                            "unreadable_dates": view.get("unreadable", []),
                            "vaguely_dated_articles": view.get("vague", []),
                            "stray_dates": view.get("stray", []), "n_stray_dates": view.get("n_stray", 0),
                            "date_gaps": view.get("gaps", []),
                            "n_trend_tests": view.get("n_trend_tests", 0),
                            "trends": view["trends"].to_dict("records") if "trends" in view else [],
                            "rows": view["table"].to_dict("records")},
               "headlines": kinds.to_dict("records"), "wire_copy": inputs.wire_copy,
               "compare": None if before_after is None else {
                   "other": before_after["other"], "note": before_after["note"],
                   "items_warning": before_after["items_warning"], "warning": before_after["warning"],
                   "cells": before_after["cells"].to_dict("records"), "evaluation": before_after["paired"],
                   "trained_on": before_after["trained_on"]},
               "plots": [f["file"] for f in figs] + [f["svg"] for f in figs]}
    if split is not None:  # only when asked for: without --split-date report.json is as before
        summary["split_date"] = {"date": split["date"], "note": ctx["split"]["note"], "n_tests": split["n_tests"],
                                 "cells_one_sided": split["n_one_sided"],
                                 "one_sided_cells": split["one_sided"], "undated_articles": split["undated"],
                                 "straddling_articles": split["straddling"],
                                 "cells": split["table"].to_dict("records")}
    write_json_atomic(files["json"], json_safe(summary))
    return summary


def build_report(predictions: str | Path, out_dir: str | Path, **options) -> Path:
    """Write the report directory; returns the path of ``report.html``."""
    return Path(make_report(predictions, out_dir, **options)["files"]["html"])


__all__ = ["build_report", "make_report"]
