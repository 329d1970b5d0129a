"""``stance calibrate``: fit temperature scaling on gold-labelled dev items and store it with the model."""

from __future__ import annotations

from pathlib import Path

import typer

from classifier.cli.app import app, handle_errors, out, warn

FEW_DEV_ITEMS = 100  # below this a fitted temperature moves a lot with each item


@app.command("calibrate")
@handle_errors
def calibrate_cli(
    model_dir: Path = typer.Argument(..., help="Model directory (from 'stance train')."),
    dev_items: Path = typer.Argument(..., help="Gold-labelled dev items (JSONL, CSV or Parquet), not the test set."),
    batch_size: int = typer.Option(64, "--batch-size", min=1, help="Items per forward pass."),
    bins: int = typer.Option(10, "--bins", min=2, help="Confidence bins for the ECE."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Fit and print, but do not write stance.json."),
) -> None:
    """Fit temperature scaling on gold-labelled dev items and store it with the model.

    One temperature divides the logits, fitted by minimising the negative log-likelihood on the dev
    items and stored as "temperature" in MODEL_DIR/stance.json (the model applies it when loaded).
    Prints the expected calibration error and NLL before and after; accuracy does not change.

    Example: stance calibrate models/default data/dev.jsonl
    """
    from rich.table import Table

    from classifier.models.calibrate import calibrate_model
    from classifier.report.tables import num

    result = calibrate_model(model_dir, dev_items, batch_size=batch_size, n_bins=bins, write=not dry_run)
    table = Table(title=f"{result['model']}: temperature scaling on {result['items']} dev items",
                  title_justify="left", header_style="bold")
    for column in ("", "temperature", "ECE", "NLL"):
        table.add_column(column, justify="right" if column else "left")
    table.add_row("before", num(result["temperature_before"]), num(result["before"]["ece"]),
                  num(result["before"]["nll"]))
    table.add_row("after", num(result["temperature"]), num(result["after"]["ece"]), num(result["after"]["nll"]))
    out.print(table)
    if result["items"] < FEW_DEV_ITEMS:
        warn(f"only {result['items']} dev items: the temperature is a rough fit; a few hundred labelled items "
             "give a stable one")
    out.print(f"accuracy {num(result['accuracy'])} (unchanged); "
              + ("not written (--dry-run)" if dry_run else f"temperature written to {model_dir}/stance.json"
                 + (f" (it was {round(result['temperature_before'], 6)}: its model card keeps it under "
                    "calibration, earlier)" if round(result["temperature_before"], 6) != 1.0 else "")))
