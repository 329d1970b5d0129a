"""``stance report``: framing table, corrected shares, outlet differences, plots, HTML and Markdown."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from classifier.cli.app import STDIN_HELP, app, handle_errors, out, show_progress, warn
from classifier.visible import numeral

SHOWN_ROWS = 40


@app.command("report")
@handle_errors
def report_cli(
    predictions: Path = typer.Argument(..., metavar="PREDICTIONS", help="Predictions file from 'stance classify' (JSONL, CSV or Parquet)." + STDIN_HELP),
    out_dir: Path = typer.Option(..., "--out", help="Directory for the tables, plots, report.html and report.md."),
    gold: Optional[Path] = typer.Option(None, "--gold", help="Predictions with gold labels (the same model on a "
                                        "labelled set), used to correct the shares for classifier error."),
    model_dir: Optional[Path] = typer.Option(None, "--model", help="Model directory whose model_card.json to show."),
    n_boot: int = typer.Option(1000, "--n-boot", min=0, help="Bootstrap resamples (by article)."),
    n_perm: int = typer.Option(2000, "--n-perm", min=1, help="Permutations for the outlet tests, --split-date and the time view's trend (articles shuffled); a test with p < 0.05 is drawn again with enough of them for Holm's correction to reach significance."),
    seed: int = typer.Option(0, "--seed", min=0, help="Seed of the bootstrap and permutation tests."),
    min_n: int = typer.Option(10, "--min-n", min=1, help="Cells with fewer mentions are flagged (†)."),
    examples: int = typer.Option(2, "--examples", min=0, help="Example sentences per cell and side."),
    max_actors: int = typer.Option(24, "--max-actors", min=1, help="Actors with their own charts and examples (most mentioned); the heatmap shows up to 30."),
    period: str = typer.Option("auto", "--period", help="Time view: auto (the finest of day, week, month or year that most dates are precise enough for, whose span gives 3 to 60 periods and where the median outlet has 5 articles a period; else the one of the most), day, week, month, year or none. Dates coarser than the period (2024, 2024-06) are left out and named."),
    compare: Optional[Path] = typer.Option(None, "--compare", help="An earlier predictions file of the same items (e.g. before retraining): how each cell moved, and whether beyond the bootstrap noise."),
    split_date: Optional[str] = typer.Option(None, "--split-date", help="A day (YYYY-MM-DD, e.g. 2022-02-24): per outlet x actor, net stance of the articles dated before it and of those dated on or after it, the change with a 95% interval (articles of each side resampled apart) and a permutation p-value (articles shuffled between the sides, Holm over these cells)."),
    kind: Optional[str] = typer.Option(None, "--kind", help="Only sentences of this kind: headline, subheading or body (default: all; the report also shows headlines against body)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar, framing table, notes or findings (they are in the report); warnings (with --compare, one where the files hold other items), errors and the closing 'report written to' line stay."),
) -> None:
    """Write the framing report: outlet x actor table, corrected shares, outlet differences, plots, HTML.

    For every outlet x actor: mentions, shares of favor/against/neutral, mean probabilities and
    net stance (favor - against) / n with a 95% interval by article (framing.csv, framing.parquet).
    Shares corrected for classifier error (ACC, PACC) with the gold labels of --gold or of the file.
    Which outlets differ from the others per actor: permutation test by article, Holm-corrected.
    With --split-date DAY: per outlet x actor, net stance before the day against on or after it, with the change.
    Plots (PNG and SVG), one self-contained report.html and its Markdown twin report.md.

    Example: stance report preds.jsonl --out reports/2024 --gold dev_preds.jsonl
    """
    from classifier.io.files import check_not_inside, check_not_stdout, check_predictions_exist, reads_once, \
        spooled_input
    from classifier.periods import check_period, day_of

    check_not_stdout(out_dir)  # before standard input is read, and before pandas, sklearn and the report load
    check_period(period)  # and the time options, read on their words alone
    if split_date is not None:
        day_of(split_date)
    if not (predictions.exists() or reads_once(predictions) or gold or compare or model_dir):
        # a missing PREDICTIONS named before pandas loads, where make_report names it first too: without another
        # file option (each refused before it), --out new and outside any folder with a report.json, and not the
        # folder that holds it (check_report_target's checks)
        check_not_inside(out_dir, predictions)
        if not out_dir.exists() and not any((folder / "report.json").exists() for folder in out_dir.absolute().parents):
            check_predictions_exist(predictions)
    from classifier.report import make_report
    from classifier.report import tables

    # "-" or a pipe: saved, read as a file, told by its content; "-" for two of them is refused (one stream)
    predictions = spooled_input(predictions, what="the predictions")
    gold = gold and spooled_input(gold, what="--gold")
    compare = compare and spooled_input(compare, what="--compare")

    result = make_report(predictions, out_dir, gold=gold, model_dir=model_dir, n_boot=n_boot, seed=seed,
                         min_n=min_n, examples=examples, max_actors=max_actors, n_perm=n_perm,
                         progress=show_progress(quiet), period=period, kind=kind, compare=compare,
                         split_date=split_date)
    say = (lambda *args, **kwargs: None) if quiet else out.print  # -q: as classify's, no table, notes or findings
    framing = result["framing_rows"]  # every cell, in framing.csv's order
    shown = tables.busiest(framing, result["table"]["n"].tolist(), SHOWN_ROWS)  # the busiest, in that order
    cells, left = len(framing[1]), len(framing[1]) - len(shown[1])
    more = (f": the {numeral(len(shown[1]))} with the most mentions, {numeral(left)} left out; all in framing.csv"
            if left else "")
    title = f"Framing table ({numeral(cells)} cell{'s' if cells != 1 else ''}{more})"
    say(tables.rich_table(shown, title, numeric_from=2))
    key = tables.terminal_key(shown, min_n, n_boot)  # † – ‡, each only where a shown cell has it
    if key:
        say(key)
    if result.get("models_warning"):
        warn(result["models_warning"])
    say(result["correction_note"])
    if result["correction"].get("warning"):
        warn(result["correction"]["warning"])
    say("[bold]Differences between outlets[/]", markup=True)
    for line in result["findings"] + result.get("power", []):
        say(f"- {line}")
    if result.get("wire_note"):
        warn(result["wire_note"])
    if result.get("compare"):
        say(result["compare"]["note"])
        if quiet and result["compare"].get("items_warning"):  # the note says it; -q prints no note, so warn of it
            warn(result["compare"]["items_warning"])
    if result.get("split_date"):
        from classifier.report.split import changed_lines

        say(result["split_date"]["note"])
        for line in changed_lines(result["split_date"]["cells"]):
            say(f"- {line}")
    from classifier.report.timeline import trend_lines

    for line in trend_lines(result.get("timeline", {}).get("trends", [])):
        say(f"- {line}")
    others = ", ".join(Path(path).name for key, path in result["files"].items() if key != "html")
    out.print(f"report written to {result['files']['html']} (and {others}, plots/)")
