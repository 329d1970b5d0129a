"""``stance prepare`` and ``stance actors suggest``: articles in, actor-mention items out."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from classifier.actors import Matcher, load_catalogue, suggest_actors
from classifier.clean import clean_text, load_rules
from classifier.cli.app import app, console, fail, handle_errors, out, progress_bar, show_progress, warn
from classifier.ingest import count_files, read_corpus
from classifier.io.files import output_format, write_records
from classifier.prepare import prepare_articles
from classifier.segment import segment

PROGRESS_MIN_FILES = 5
actors_app = typer.Typer(help="Inspect and grow the actor catalogue.", no_args_is_help=True)
app.add_typer(actors_app, name="actors")


def load_articles(input_path: Path, manifest: Optional[Path], encoding: Optional[str], strict: bool, quiet: bool):
    """Read the corpus with a progress bar; warn about (or, with strict, refuse) skipped files."""
    total = count_files(input_path)
    with progress_bar(show_progress(quiet) and total > PROGRESS_MIN_FILES) as progress:
        task = progress.add_task("reading", total=total) if progress else None
        advance = (lambda: progress.advance(task)) if progress else None
        corpus = read_corpus(input_path, manifest, encoding, on_file=advance)
    for skipped in corpus.skipped:
        if strict:
            fail(f"{skipped.path}: {skipped.reason} (--strict)")
        warn(f"skipped {skipped.path}: {skipped.reason}")
    if not corpus.articles:
        fail(f"{input_path}: no readable articles ({len(corpus.skipped)} skipped)")
    return corpus


def prepare_corpus(input_path: Path, actors: Optional[Path], manifest: Optional[Path], encoding: Optional[str],
                   strict: bool, quiet: bool):
    corpus = load_articles(input_path, manifest, encoding, strict, quiet)
    catalogue, rules = load_catalogue(actors), load_rules()
    with progress_bar(show_progress(quiet) and len(corpus.articles) > PROGRESS_MIN_FILES) as progress:
        task = progress.add_task("segmenting", total=len(corpus.articles)) if progress else None
        advance = (lambda: progress.advance(task)) if progress else None
        items, reports = prepare_articles(corpus.articles, catalogue, rules, on_article=advance)
    return corpus, items, reports


def explain_table(reports) -> Table:
    table = Table(title="Lines dropped per article (page furniture)")
    for column in ("article", "sentences", "items", "dropped", "by rule"):
        table.add_column(column)
    for report in reports:
        rules = ", ".join(f"{name} {count}" for name, count in report.dropped.most_common())
        table.add_row(report.article, str(report.sentences), str(report.items),
                      str(sum(report.dropped.values())), rules or "-")
    return table


@app.command()
@handle_errors
def prepare(
    input_path: Path = typer.Argument(..., metavar="INPUT", help="Folder of .txt/.md/.html articles, or a .jsonl/.csv/.parquet file with id, text[, source, title, date, url]."),
    out_path: Path = typer.Option(..., "--out", "-o", help="Items file to write (.jsonl, .csv or .parquet)."),
    actors: Optional[Path] = typer.Option(None, "--actors", help="Actor catalogue YAML (default: data/actors.yaml)."),
    manifest: Optional[Path] = typer.Option(None, "--manifest", help="CSV with file,source,title,date,url (default: INPUT/manifest.csv when present)."),
    fmt: Optional[str] = typer.Option(None, "--format", help="jsonl, csv or parquet (default: from the --out extension)."),
    encoding: Optional[str] = typer.Option(None, "--encoding", help="Decode text files with this encoding instead of UTF-8."),
    strict: bool = typer.Option(False, "--strict", help="Stop at the first unreadable file instead of skipping it."),
    explain: bool = typer.Option(False, "--explain", help="Show per article which page-furniture lines were dropped and why."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars or summary."),
) -> None:
    """Clean articles, split sentences, find actor mentions; write one item per (sentence, actor).

    Example: stance prepare seeds/ --out out/items.jsonl --explain
    """
    fmt = output_format(out_path, fmt)
    started = time.perf_counter()
    corpus, items, reports = prepare_corpus(input_path, actors, manifest, encoding, strict, quiet)
    write_records(out_path, items, fmt)
    seconds = time.perf_counter() - started
    if explain:
        out.print(explain_table(reports))
        for report in reports:
            for rule, line in report.dropped_lines:
                out.print(f"  {report.article}  [{rule}]  {line[:100]}", markup=False)
    if not quiet:
        by_actor = Counter(item["actor"] for item in items)
        sentences = sum(r.sentences for r in reports)
        console.print(
            f"{len(corpus.articles)} articles, {sentences} sentences, {len(items)} items "
            f"({len(by_actor)} actors) -> {out_path}; {len(corpus.skipped)} files skipped; "
            f"{seconds:.1f} s ({len(corpus.articles) / max(seconds, 1e-9):.1f} articles/s)", highlight=False)
        if by_actor:
            console.print("mentions: " + ", ".join(f"{a} {n}" for a, n in by_actor.most_common()), highlight=False)


@actors_app.command("suggest")
@handle_errors
def actors_suggest(
    input_path: Path = typer.Argument(..., metavar="INPUT", help="Folder or article table, as for prepare."),
    actors: Optional[Path] = typer.Option(None, "--actors", help="Actor catalogue YAML (default: data/actors.yaml)."),
    top: int = typer.Option(30, "--top", help="How many names to list."),
    manifest: Optional[Path] = typer.Option(None, "--manifest"),
    encoding: Optional[str] = typer.Option(None, "--encoding"),
) -> None:
    """List frequent capitalised names that no actor in the catalogue covers.

    Example: stance actors suggest seeds/ --top 20
    """
    corpus = load_articles(input_path, manifest, encoding, strict=False, quiet=True)
    matcher, rules = Matcher(load_catalogue(actors)), load_rules()
    counts: Counter[str] = Counter()
    for article in corpus.articles:
        cleaned = clean_text(article.text, rules)
        sentences = [s.text for s in segment(cleaned.paragraphs, article.title)]
        counts.update(dict(suggest_actors(sentences, matcher.for_article(cleaned.text), top=10**6)))
    table = Table(title="Names no actor covers (add them to the catalogue with --actors FILE)")
    table.add_column("name")
    table.add_column("mentions", justify="right")
    for name, count in counts.most_common(top):
        table.add_row(name, str(count))
    out.print(table)


@actors_app.command("list")
@handle_errors
def actors_list(actors: Optional[Path] = typer.Option(None, "--actors")) -> None:
    """Show the actor catalogue: each actor, its kind and how many terms map to it.

    Example: stance actors list
    """
    table = Table(title="Actor catalogue")
    for column in ("actor", "kind", "terms"):
        table.add_column(column)
    for actor in load_catalogue(actors):
        table.add_row(actor.name, actor.kind, ", ".join(actor.terms()[1:] + [p + "-" for p in actor.prefixes]))
    out.print(table)
