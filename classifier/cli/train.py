"""``stance train``: fine-tune a stance model on label files, compare it with the starting model.

The steps are ``classifier.training.train_model``'s (``classifier.train_model``); here the options, the progress
bar, the held-out table and the exit status."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from classifier.cli.app import STDIN_HELP, app, console, handle_errors, out, progress_bar, show_progress
from classifier.tasks import STANCE, Task
from classifier.training import COMPARED, absent_note, comparison_words
from classifier.visible import counted

PROMOTE_REFUSED = 3  # exit status of a --promote run whose model was saved but, not shown better, not promoted


def compare_table(comparison: dict, names: dict[str, str], task: Task = STANCE) -> Table:
    from classifier.evaluate import METRIC_NAMES
    from classifier.report.tables import p_text, polar_name

    articles = comparison["n_articles"]
    table = Table(title=f"held-out test: {counted(comparison['n'], 'item')}, {counted(articles, 'article')}")
    table.add_column("metric")
    for key in comparison["models"]:
        table.add_column(names[key] + (" [95% CI]" if comparison.get("ci") else ""), justify="right")
    if comparison.get("paired"):
        table.add_column("new - " + ("start" if names.get("reference", "").startswith("start") else "default")
                         + " [95% CI]", justify="right")
        table.add_column("p", justify="right")
    for metric in COMPARED:
        # named as evaluate --compare and the report name them ("macro-F1", "F1 favor+against"), not by their keys
        shown_name = polar_name(task.labels) if metric == "f1_favor_against" else METRIC_NAMES.get(metric, metric)
        cis = comparison.get("ci") or {}
        row = [shown_name] + [f"{comparison['metrics'][key][metric]:.3f}" + (
            f" [{cis[key][metric][0]:.3f}, {cis[key][metric][1]:.3f}]" if cis.get(key, {}).get(metric) else "")
            for key in comparison["models"]]
        paired = (comparison.get("paired") or {}).get(metric)
        if paired:
            ci = paired.get("ci")
            row += [f"{paired['difference']:+.3f}" + (f" [{ci[0]:+.3f}, {ci[1]:+.3f}]" if ci else ""),
                    p_text(paired["p_value"]) if paired.get("p_value") is not None else "-"]
        table.add_row(*row)
    if comparison.get("paired"):
        table.caption = ("interval and p: paired bootstrap by article (both models scored on the same resampled "
                         "articles); the interval is a percentile one, the p-value a centred test, so near 0.05 "
                         "they can disagree")
    if comparison.get("paired_warning"):
        table.caption = f"the interval may be too narrow: {comparison['paired_warning']}"
    if "reference" in comparison["models"] and not comparison.get("paired"):
        note = comparison.get("paired_note")
        table.caption = (f"no paired bootstrap: {note} (hold out more with --test-fraction or --test)" if note else
                         "no paired bootstrap (--n-boot 0)")
    said = absent_note(comparison, task)
    if said:  # a model right on every item had shown accuracy 1.000 beside macro-F1 0.667, unexplained
        table.caption = f"{said}; {table.caption}" if table.caption else said
    return table




@app.command("train")
@handle_errors
def train_command(
    labels: list[Path] = typer.Argument(..., metavar="LABELS...", help="Label files (from 'stance label') or labelled item files (JSONL, CSV, Parquet): stance (favor/against/neutral, with actor) or sentence sentiment (positive/negative/neutral, actor not needed)." + STDIN_HELP),
    out_dir: Path = typer.Option(..., "--out", "-o", help="Directory for the new model, e.g. models/ours-v1."),
    base: Optional[str] = typer.Option(None, "--base", help="Start from: a model dir (default models/default, or models/sentiment for sentiment labels), or an encoder (HF name, path, 'minilm')."),
    test: Optional[list[Path]] = typer.Option(None, "--test", help="Held-out label file(s); default: hold out --test-fraction of the articles."),
    test_fraction: float = typer.Option(0.2, "--test-fraction", min=0.0, max=0.9, help="Share of articles held out as the test split when no --test is given."),
    dev_fraction: Optional[float] = typer.Option(None, "--dev-fraction", min=0.0, max=0.9, help="Articles held out for early stopping (default: none below 500 labels outside the test split, where training on every label did better; else 0.2)."),
    epochs: Optional[int] = typer.Option(None, "--epochs", min=1, help="Most epochs (default 5 without a dev split; 8 with one, early stopping picks the best)."),
    learning_rate: Optional[float] = typer.Option(None, "--lr", help="Learning rate (default 1e-4, chosen by scripts/seed_cv.py on the seed labels)."),
    batch_size: Optional[int] = typer.Option(None, "--batch-size", min=1, help="Items per training step (default 16)."),
    patience: Optional[int] = typer.Option(None, "--patience", min=0, help="Stop after this many epochs without a better dev macro-F1 (default 3; 0 never)."),
    class_weighting: Optional[str] = typer.Option(None, "--class-weighting", help="none | balanced | sqrt"),
    pooling: Optional[str] = typer.Option(None, "--pooling", help="cls | mention (a second head on the marked mention tokens; default: the starting model's, else cls)."),
    teacher: Optional[Path] = typer.Option(None, "--teacher", help="Distil from this (larger) stance model: learn its scores beside your labels."),
    distill_weight: Optional[float] = typer.Option(None, "--distill-weight", min=0.0, max=1.0, help="Share of the teacher's scores in the loss (default 0.5)."),
    sampling_alpha: float = typer.Option(1.0, "--sampling-alpha", min=0.0, max=1.0, help="Several label files: draw file f in proportion to weight * items**alpha (1: by size; 0.5 lifts small files; 0: equal shares)."),
    file_weight: Optional[list[str]] = typer.Option(None, "--file-weight", help="PATH=WEIGHT: a sampling weight for one label file (repeatable; others 1)."),
    unmarked_share: Optional[float] = typer.Option(None, "--unmarked-share", min=0.0, max=1.0, help="Share of items with marked mentions also shown as target text only (spans: []), so stance is learnt from the target, not the markers."),
    text_column: Optional[str] = typer.Option(None, "--text-column", help="A Hugging Face dataset folder's column holding the text."),
    actor_column: Optional[str] = typer.Option(None, "--actor-column", help="A Hugging Face dataset folder's column holding the actor (target)."),
    label_column: Optional[str] = typer.Option(None, "--label-column", help="A Hugging Face dataset folder's column holding the label (favor/against/neutral)."),
    seed: int = typer.Option(13, "--seed", min=0, help="Seed of the split, data order and new weights."),
    device: str = typer.Option("cpu", "--device", help="cpu, cuda or auto (cuda when torch sees one); cuda trains in bf16."),
    annotator: Optional[str] = typer.Option(None, "--annotator", help="Use this annotator's labels only (default: majority of human annotators)."),
    allow_suggested: bool = typer.Option(False, "--allow-suggested", help="Also train on model pre-labels ('stance label suggest')."),
    n_boot: int = typer.Option(1000, "--n-boot", min=0, help="Paired bootstrap resamples for the comparison (0: none)."),
    promote: bool = typer.Option(False, "--promote", help="Also replace models/default (models/sentiment for sentiment labels) with the new model (atomically), but only where it is better on the held-out items than the starting model and than the model it would replace beyond the paired 95% interval (its macro-F1 difference's interval above 0): else the new model is saved, the default kept, and the exit status is 3."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace a finished model already in --out (it stays as it is until the new one is saved); without it such a folder is refused before training."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress lines or bar; the comparison table, its verdict, warnings and the closing 'saved' (and 'promoted') lines stay."),
) -> None:
    """Fine-tune on your labels (split by article; early stopping from 500 labels); compare with the starting model on held-out items.

    Example: stance train data/labels.jsonl --out models/ours-v1 --test data/seed_labels.jsonl
    """
    from classifier.training import train_model

    log = (lambda s: None) if quiet else (lambda s: console.print(s, markup=False, highlight=False))
    bar = {}

    @contextlib.contextmanager
    def training_bar():  # an epoch of a few hundred labels is minutes on a CPU
        with progress_bar(show_progress(quiet)) as progress:
            # the bar says what is being done: it said "training steps 0/?" while the model loaded, and kept
            # "training steps" after early stopping while the held-out items were scored
            loading = "loading the starting model" + (" and scoring with the teacher" if teacher is not None else "")
            if progress:
                bar.update(progress=progress, task=progress.add_task(loading, total=None))
            yield

    def on_step(step: int, total: int) -> None:
        bar["progress"].update(bar["task"], completed=step, total=total, description="training steps")

    def on_scoring() -> None:  # both models score the held-out items: a bar without a count (rich cannot
        bar["progress"].update(bar["task"], visible=False)  # take a task's total back), not the steps early
        bar["progress"].add_task("scoring the held-out items", total=None)  # stopping cut

    def on_compared(comparison: dict, names: dict, task: Task) -> None:  # before the model is saved
        out.print(compare_table(comparison, names, task))
        if comparison["verdict"]:
            out.print(comparison_words(comparison, names, after_table=True), markup=False, highlight=False)

    shown = show_progress(quiet)
    result = train_model(
        labels, out_dir, base=base, test=test, test_fraction=test_fraction, dev_fraction=dev_fraction, epochs=epochs,
        lr=learning_rate, batch_size=batch_size, patience=patience, class_weighting=class_weighting,
        pooling=pooling, teacher=teacher, distill_weight=distill_weight, sampling_alpha=sampling_alpha,
        file_weights=file_weight, unmarked_share=unmarked_share, text_column=text_column, actor_column=actor_column,
        label_column=label_column, seed=seed, device=device, annotator=annotator, allow_suggested=allow_suggested,
        n_boot=n_boot, promote=promote, overwrite=overwrite, log=None if quiet else log, say=out.print,
        on_step=on_step if shown else None, on_scoring=on_scoring if shown else None, around_training=training_bar,
        on_compared=on_compared, command="stance " + " ".join(sys.argv[1:]))
    if result.promote_refused:  # saved for inspection, not promoted: a script running --promote must be able to tell
        raise typer.Exit(PROMOTE_REFUSED)
