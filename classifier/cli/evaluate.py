"""``stance evaluate``: gold labels against predicted stance, overall and per group, with intervals by article."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from rich.text import Text

from classifier.cli.app import STDIN_HELP, app, handle_errors, out, show_progress, warn
from classifier.cli.display import shown
from classifier.visible import counted, numeral


class GroupBy(str, Enum):
    source = "source"
    outlet = "outlet"  # the report's word for source
    actor = "actor"
    article = "article"


def print_evaluation(result: dict, given: dict | None = None) -> None:
    """The result at the terminal; ``given``: the files as typed (``predictions``, ``first``, ``second``), where the
    result names them as a shared file does (``io.files.shared_path``)."""
    from classifier.report import tables

    overall = result["overall"]
    given = {"predictions": result["predictions"], **(given or {})}
    given = {key: result["compare"][key] for key in ("first", "second") if "compare" in result} | given
    out.print(Text.assemble((shown(given["predictions"]), "bold"),
                            f": {numeral(result['n_labelled'])} gold-labelled of "
                            f"{counted(result['n_predictions'], 'prediction')}; model {shown(', '.join(result['models']))}"))
    out.print(tables.rich_table(tables.overall_rows(overall), "Overall"))
    out.print(tables.rich_table(tables.per_class_rows(overall), "Per class"))
    out.print(tables.rich_table(tables.confusion_rows(overall), "Confusion matrix (rows gold, columns predicted)"))
    out.print(tables.rich_table(tables.reliability_rows(overall), "Reliability (top-class confidence)"))
    for note in overall["notes"]:
        warn(note)
    if result.get("models_warning"):
        warn(result["models_warning"])
    for key, groups in result["groups"].items():
        table = tables.rich_table(tables.terminal_group_rows(key, groups), f"By {key}", numeric_from=1)
        table.caption, table.caption_justify = tables.TERMINAL_GROUP_CAPTION, "left"
        out.print(table)
    if "compare" in result:
        compare = result["compare"]
        out.print(tables.rich_table(tables.compare_rows(compare),
                                    f"first = {given['first']} (--compare), second = {given['second']} "
                                    f"({numeral(compare['n_common'])} common gold items, "
                                    f"{numeral(compare['n_articles'])} articles)"))
        out.print(compare["verdict"], markup=False, highlight=False)
        for key in ("note", "warning"):
            # the verdict gives the too-few-articles note as its reason for no interval: not said twice
            if compare.get(key) and compare[key] not in compare["verdict"]:
                warn(compare[key])
        if compare["n_only_first"] or compare["n_only_second"]:
            warn(f"{numeral(compare['n_only_second'])} item(s) only in {given['second']} and "
                 f"{numeral(compare['n_only_first'])} only in {given['first']} were left out of the comparison")


@app.command("evaluate")
@handle_errors
def evaluate_cli(
    predictions: Path = typer.Argument(..., metavar="PREDICTIONS", help="Predictions file from 'stance classify' (JSONL, CSV or Parquet)." + STDIN_HELP),
    by: list[GroupBy] = typer.Option([], "--by", help="Also evaluate per group; repeat for several."),
    out_path: Optional[Path] = typer.Option(None, "--out", help="Write all metrics as JSON here."),
    compare: Optional[Path] = typer.Option(None, "--compare", help="An earlier model's predictions on the same items (OLD): differences are this file's model minus OLD's."),
    n_boot: int = typer.Option(1000, "--n-boot", min=0, help="Bootstrap resamples (by article)."),
    seed: int = typer.Option(0, "--seed", min=0, help="Seed of the bootstrap (0, as 'stance train' uses for its comparison)."),
    min_n: int = typer.Option(10, "--min-n", min=1, help="Groups with fewer gold items are flagged as too small."),
    bins: int = typer.Option(10, "--bins", min=2, help="Confidence bins for calibration (ECE, reliability)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar; the tables, warnings and --out's line stay."),
    model_dir: Optional[Path] = typer.Option(None, "--model", help="The model that made the predictions: gold items it trained on (its trained_items.txt) are counted and warned of. Default: the predictions' model where it is the checkout's models/NAME. Predictions of several models: each row is checked against its own model's (--model's where its digest is that model's)."),
) -> None:
    """Compare gold labels with predicted stance: F1, accuracy, calibration, overall and per group.

    Macro-F1, accuracy, F1 of favor+against, per-class precision/recall/F1, confusion matrix and
    calibration (ECE, reliability), with 95% bootstrap intervals that resample whole articles.
    --by source|actor|article evaluates each group too; small groups are flagged, not hidden.
    --compare OLD puts an earlier model beside it on the same gold items: differences are this file's model
    minus OLD's, with a paired bootstrap interval and p-value, and a sentence saying which scored higher.
    Gold items the model trained on (same sentence and actor) are counted, warned of and kept in --out's JSON;
    in predictions of several models, each row's own model's, per model.

    Example: stance evaluate preds.jsonl --by source --out metrics.json --compare other_preds.jsonl
    """
    from classifier.io.files import check_not_input, given_name, json_output, spooled_input, write_json_atomic

    if out_path is not None:  # before sklearn, pandas and the evaluation load (a second): a refusal is at once
        json_output(out_path)
        check_not_input(out_path, predictions, compare)
    from classifier.evaluate import evaluate_predictions

    # "-" or a pipe: saved, read as a file, told by its content; "-" for both is refused (one stream)
    predictions = spooled_input(predictions, what="the predictions")
    compare = compare and spooled_input(compare, what="--compare")
    result = evaluate_predictions(predictions, by=[b.value for b in by], compare=compare, n_boot=n_boot, seed=seed,
                                  min_n=min_n, n_bins=bins, progress=show_progress(quiet), model_dir=model_dir)
    print_evaluation(result, {"predictions": given_name(predictions), "second": given_name(predictions),
                              **({"first": given_name(compare)} if compare else {})})
    if out_path is not None:
        write_json_atomic(out_path, result)
        out.print(f"metrics written to {out_path}")
