"""``stance calibrate``: fit temperature scaling on gold-labelled dev items and store it with the model."""

from __future__ import annotations

from pathlib import Path

import typer

from classifier.cli.app import STDIN_HELP, app, handle_errors, out, warn
from classifier.errors import model_failures


@app.command("calibrate")
@handle_errors
def calibrate_cli(
    model_dir: Path = typer.Argument(..., metavar="MODEL_DIR", help="Model directory (from 'stance train')."),
    dev_items: Path = typer.Argument(..., metavar="DEV_ITEMS", help="Gold-labelled dev items (JSONL, CSV or Parquet), not the test set." + STDIN_HELP),
    batch_size: int = typer.Option(64, "--batch-size", min=1, help="Items per forward pass."),
    bins: int = typer.Option(10, "--bins", min=2, help="Confidence bins for the ECE."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Fit and print, but do not write stance.json."),
    force: bool = typer.Option(False, "--force", help="Write the temperature even when fitted on fewer than 100 dev items or outside 0.2 to 10 (refused without it)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No table of the fit (temperature, ECE and NLL before and after) or line of its interval; warnings, errors and the closing line (the accuracy, and where the temperature was written) stay."),
) -> None:
    """Fit temperature scaling on gold-labelled dev items and store it with the model.

    One temperature divides the logits, fitted by minimising the negative log-likelihood on the dev
    items and stored as "temperature" in MODEL_DIR/stance.json (the model applies it when loaded).
    Prints the expected calibration error and NLL before and after, and the temperature's 95% interval over
    resamples of the dev items' articles; accuracy does not change. A temperature fitted on fewer than 100 items, or
    outside 0.2 to 10, is not written unless --force.

    Example: stance calibrate models/default data/dev.jsonl
    """
    from classifier.io.files import has_label_column, spooled_input
    from classifier.models.calibrate import RefusedFit, calibrate_model
    from classifier.report.tables import num

    dev_items = spooled_input(dev_items, has_label_column, "a 'label' column")  # "-" or a pipe: saved, told by content
    try:
        with model_failures(None, "nothing was written"):  # a model that raises while it scores: one line
            result = calibrate_model(model_dir, dev_items, batch_size=batch_size, n_bins=bins, write=not dry_run,
                                     force=force)
    except RefusedFit as refused:  # the fit and its interval first, then the one line that says why
        if not quiet:
            show_fit(refused.result)
        raise
    if not quiet:  # -q: the warnings and the closing line below stay
        show_fit(result)
    if result["doubt"]:  # --dry-run, or --force: what a run would do with this fit, as the last line says
        warn(f"{result['doubt']}; " + ("written with --force" if result["written"] else
                                       "a run without --dry-run would write it, as --force is given" if force else
                                       "a run without --dry-run would refuse to write it unless --force"))
    out.print(f"accuracy {num(result['accuracy'])} (unchanged); "
              + ("not written (--dry-run)" if dry_run else f"temperature written to {model_dir}/stance.json"
                 + (f" (it was {round(result['temperature_before'], 6)}: its model card keeps it under "
                    "calibration, earlier)" if round(result["temperature_before"], 6) != 1.0 else "")))


def show_fit(result: dict) -> None:
    """The fit: temperature, ECE and NLL before and after, and the temperature's interval by article."""
    from rich.table import Table

    from classifier.models.calibrate import TEMPERATURE_RESAMPLES
    from classifier.report.tables import num

    table = Table(title=f"{result['model']}: temperature scaling on {result['items']} dev items",
                  title_justify="left", header_style="bold")
    for column in ("", "temperature", "ECE", "NLL"):
        table.add_column(column, justify="right" if column else "left")
    table.add_row("before", num(result["temperature_before"]), num(result["before"]["ece"]),
                  num(result["before"]["nll"]))
    table.add_row("after", num(result["temperature"]), num(result["after"]["ece"]), num(result["after"]["nll"]))
    out.print(table)
    interval = result["temperature_ci"]
    out.print(f"temperature {num(result['temperature'])}, 95% interval {num(interval[0])} to {num(interval[1])} over "
              f"{TEMPERATURE_RESAMPLES} resamples of the dev items' articles" if interval else
              "no interval: the dev items come from one article")
