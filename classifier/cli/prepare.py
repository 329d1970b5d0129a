"""``stance prepare`` and ``stance actors suggest``: articles in, actor-mention items out."""

from __future__ import annotations

import functools
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional

import typer
from rich.table import Table

from classifier.actors import Actor, Matcher, NameCounts, choose_catalogue
from classifier.article_columns import text_header
from classifier.clean import load_rules
from classifier.cli.app import (ACTORS_HELP, ACTORS_ONLY_HELP, COLUMNS_HELP, DATE_ORDER_HELP, ENCODING_HELP,
                                MAX_ARTICLE_CHARS_HELP, ONLY_ACTORS_HELP, STDIN_HELP, STDOUT_HELP, WORKERS_HELP, app,
                                console, fail, handle_errors, out, progress_bar, show_progress, warn)
from classifier.errors import DateWarning
from classifier.ingest import (ALWAYS_SKIPPED, EMPTY_TEXT, HTML_SUFFIXES, MAX_ARTICLE_CHARS, Article, Skipped,
                               SkipNames, check_not_read, stream_corpus)
from classifier.io.files import (TableWriter, check_not_labelled, check_not_predictions, output_format,
                                 given_name, remove_stale_temporaries, spooled_input, stdout_table)
from classifier.prepare import ITEM_FIELDS, ArticleReport, NotEnglish, ThinPages, count_names, iter_prepared
from classifier.visible import counted, numeral, one_line

PROGRESS_MIN_FILES = 5
actors_app = typer.Typer(help="Inspect and grow the actor catalogue.", no_args_is_help=True)
app.add_typer(actors_app, name="actors")


def read_articles(input_path: Path, manifest: Optional[Path], encoding: Optional[str], skip_unreadable: bool,
                  quiet: bool, task: str = "preparing", max_chars: int = MAX_ARTICLE_CHARS,
                  date_order: Optional[str] = None, columns: Optional[str] = None
                  ) -> tuple[Iterator[Article], list[Skipped]]:
    """The corpus's articles, one at a time behind a progress bar, and the files skipped so far. The
    input is checked at once; the first file that cannot be read is an error as the reading meets it
    (with ``skip_unreadable``, each is warned about and skipped), and a corpus without one readable
    article is an error at the end. An article over ``max_chars`` characters is warned about and skipped; a date in
    numbers alone is read in ``date_order`` (``ingest.normal_date``); ``columns`` (``--columns``) names a table's
    columns for the article's fields (``article_columns.check_columns``)."""
    advance = None  # the bar's, once it is up; a folder's bar counts files, a table's its rows

    def tick() -> None:
        if advance:
            advance()

    corpus = stream_corpus(input_path, manifest, encoding, on_file=tick, max_chars=max_chars, date_order=date_order,
                           columns=columns)
    skipped, files, names = corpus.skipped, corpus.files, SkipNames()

    def report(start: int) -> int:
        for problem in skipped[start:]:
            if not skip_unreadable and problem.kind not in ALWAYS_SKIPPED:
                fail(problem.refusal())
            if names.named(problem):
                warn(problem.warning())
            if files is None:  # a table's row passed over is a row done (a folder's files tick as they are read)
                tick()
        return len(skipped)

    def generate() -> Iterator[Article]:
        nonlocal advance
        reported, count = 0, 0
        with progress_bar(show_progress(quiet) and (files is None or files > PROGRESS_MIN_FILES)) as progress:
            if progress:
                bar = progress.add_task(task, total=files)
                if files is None:  # a table: its rows, counted first, give the bar its count and time left
                    progress.update(bar, total=corpus.rows())
                advance = functools.partial(progress.advance, bar)
            for article in corpus.articles:
                reported = report(reported)
                count += 1
                yield article
                if files is None:
                    tick()
            report(reported)
        for rest in names.rest():
            warn(rest)
        if not count:
            fail(f"{input_path}: no readable articles ({numeral(len(skipped))} skipped)")

    return generate(), skipped


def skipped_summary(skipped: list, table: bool = False) -> str:
    """'3 files skipped', and the manifest rows and table rows passed over where there were any ('0 files
    skipped' when nothing was; of a ``table`` of articles, '0 rows skipped')."""
    counts = {kind: sum(s.kind == kind for s in skipped)
              for kind in ("file", "manifest row", "table row", "long line", "too long", "no article")}
    if not skipped:
        return counted(0, "row skipped", "rows skipped") if table else counted(0, "file skipped", "files skipped")
    parts = [counted(counts["file"], "file skipped", "files skipped")] if counts["file"] else []
    if counts["manifest row"]:
        parts.append(counted(counts["manifest row"], "manifest row matched no article",
                             "manifest rows matched no article"))
    empty = sum(s.kind == "table row" and s.reason == EMPTY_TEXT for s in skipped)
    if empty:
        parts.append(counted(empty, "row without text skipped", "rows without text skipped"))
    if counts["table row"] > empty:  # a row whose HTML page is past the parser's limits
        parts.append(counted(counts["table row"] - empty, "unreadable row skipped", "unreadable rows skipped"))
    if counts["long line"]:
        parts.append(counted(counts["long line"], "compressed line too long to read skipped",
                             "compressed lines too long to read skipped"))
    if counts["too long"]:
        parts.append(counted(counts["too long"], "article over --max-article-chars skipped",
                             "articles over --max-article-chars skipped"))
    if counts["no article"]:  # a site's notice alone: a table's row, a folder's HTML page or text file
        pages = all(s.path.lower().endswith(HTML_SUFFIXES) for s in skipped if s.kind == "no article")
        what = "row" if table else "page" if pages else "file"  # "file" where one at least is a text file
        parts.append(counted(counts["no article"], f"{what} without an article skipped",
                             f"{what}s without an article skipped"))
    return "; ".join(parts)


ENGLISH_ONLY_HELP = ("Leave out the items of the articles that do not read as English (another script, few common "
                     "English words, or another language in a language column), which are otherwise written and "
                     "warned of: the catalogue and the bundled models are English.")
SKIP_UNREADABLE_HELP = ("Skip files that cannot be read (empty, binary, not UTF-8, a link out of the folder) with a "
                        "warning each, instead of stopping at the first with nothing written.")


def prepare_to_file(input_path: Path, out_path: Path, fmt: str, catalogue: list[Actor], manifest: Optional[Path],
                    encoding: Optional[str], skip_unreadable: bool, quiet: bool, keep_reports: bool = False,
                    max_chars: int = MAX_ARTICLE_CHARS, date_order: Optional[str] = None,
                    columns: Optional[str] = None, workers: int = 1,
                    english_only: bool = False) -> tuple["PrepareTotals", list[Skipped]]:
    """Prepare the corpus into an items file, an article at a time (memory does not grow with it), in ``workers``
    processes (``iter_prepared``); what counts across articles (the totals, the notes) is counted here, in order.
    ``english_only`` (``--english-only``): an article that does not read as English gives no items."""
    rules = load_rules()
    articles, skipped = read_articles(input_path, manifest, encoding, skip_unreadable, quiet, max_chars=max_chars,
                                      date_order=date_order, columns=columns)
    totals = PrepareTotals(not_english=NotEnglish(left_out=english_only))
    with TableWriter(out_path, fmt, list(ITEM_FIELDS)) as writer:
        for items, report in iter_prepared(articles, catalogue, rules, workers):
            if english_only and report.not_english:
                totals.items_left_out += len(items)
                items, report.items = [], 0
            writer.write(items)
            totals.add(items, report, keep_report=keep_reports)
    for note in (totals.not_english.note(), totals.thin_pages.note()):
        if note:
            warn(note)
    if totals.articles and not totals.items and not totals.items_left_out:
        warn(f"{input_path}: no actor of the catalogue is mentioned in its {counted(totals.articles, 'article')}, "
             f"so there is nothing to score; 'stance actors suggest {input_path}' lists the names they do mention")
    return totals, skipped


@dataclass
class PrepareTotals:
    articles: int = 0
    sentences: int = 0
    items: int = 0
    items_left_out: int = 0  # the items of articles that do not read as English, left out (--english-only)
    by_actor: Counter = field(default_factory=Counter)
    reports: list[ArticleReport] = field(default_factory=list)  # kept only for --explain
    not_english: NotEnglish = field(default_factory=NotEnglish)
    thin_pages: ThinPages = field(default_factory=ThinPages)
    undated_pages: int = 0  # HTML pages that neither their markup nor the manifest dated: the report counts them apart
    undated: int = 0  # the other articles without a date the report reads (none given, or one it cannot read)
    out_of_office: int = 0  # mentions dropped: a person out of office on the article's day
    kept_undated: int = 0  # mentions of people with terms of office kept, their article's day unknown

    def add(self, items: list[dict], report: ArticleReport, keep_report: bool) -> None:
        self.articles += 1
        self.sentences += report.sentences
        self.items += len(items)
        self.by_actor.update(item["actor"] for item in items)
        self.not_english.add(report)
        self.thin_pages.add(report)
        self.undated_pages += report.undated_page
        self.undated += report.undated
        self.out_of_office += len(report.out_of_office)
        self.kept_undated += report.kept_undated
        if keep_report:
            self.reports.append(report)


def tenure_note(totals: PrepareTotals) -> str | None:
    """One line on the catalogue's terms of office (``Actor.in_office``), where they touched a mention: those dropped
    as their person was out of office on the article's day, and those kept because their article is undated."""
    parts = []
    if totals.out_of_office:
        parts.append(f"{counted(totals.out_of_office, 'mention')} of people out of office on their article's day "
                     "dropped (--explain names each)")
    if totals.kept_undated:
        parts.append(f"{counted(totals.kept_undated, 'mention')} of people with terms of office kept where their "
                     "article's day is unknown (undated, or a month or year alone that spans a change of office)")
    return "terms of office: " + "; ".join(parts) if parts else None


def explain_table(reports) -> Table:
    """Per article: sentences, items, and what was dropped: lines by the cleaning rules, and for an HTML page the
    words the extractor left out (navigation, but also any list or box outside the page's main text)."""
    pages = any(report.page_words is not None for report in reports)
    table = Table(title="Lines dropped per article (page furniture)",
                  caption="page words kept: of an HTML page's visible words, those the extractor took as the "
                          "article's text" if pages else None)
    for column in ("article", "sentences", "items", *(("page words kept",) if pages else ()), "dropped", "by rule"):
        table.add_column(column)
    for report in reports:
        rules = ", ".join(f"{name} {numeral(count)}" for name, count in report.dropped.most_common())
        kept = () if not pages else ("-",) if report.page_words is None else (
            f"{numeral(report.words)} of {numeral(report.page_words)} "
            f"({report.words / max(report.page_words, 1):.0%})",)
        table.add_row(one_line(report.article), str(report.sentences), str(report.items), *kept,
                      str(sum(report.dropped.values())), rules or "-")
    return table


@app.command()
@handle_errors
def prepare(
    input_path: Path = typer.Argument(..., metavar="INPUT", help="Folder of .txt/.md/.html articles, or a .jsonl/.csv/.parquet file with id, text[, source, title, date, url, language] (named otherwise: --columns); .jsonl/.csv may be .gz, .bz2, .xz or .zst compressed." + STDIN_HELP),
    out_path: Path = typer.Option(..., "--out", "-o", help="Items file to write (.jsonl, .csv or .parquet)." + STDOUT_HELP),
    actors: Optional[Path] = typer.Option(None, "--actors", help=ACTORS_HELP),
    actors_only: Optional[Path] = typer.Option(None, "--actors-only", help=ACTORS_ONLY_HELP),
    only_actors: Optional[str] = typer.Option(None, "--only-actors", help=ONLY_ACTORS_HELP),
    manifest: Optional[Path] = typer.Option(None, "--manifest", help="CSV with file,source,title,date,url[,language] (default: INPUT/manifest.csv when present)."),
    fmt: Optional[str] = typer.Option(None, "--format", help="jsonl, csv or parquet (default: from the --out extension)."),
    encoding: Optional[str] = typer.Option(None, "--encoding", help=ENCODING_HELP),
    skip_unreadable: bool = typer.Option(False, "--skip-unreadable", help=SKIP_UNREADABLE_HELP),
    max_article_chars: int = typer.Option(MAX_ARTICLE_CHARS, "--max-article-chars", min=1, help=MAX_ARTICLE_CHARS_HELP),
    date_order: Optional[str] = typer.Option(None, "--date-order", help=DATE_ORDER_HELP),
    columns: Optional[str] = typer.Option(None, "--columns", help=COLUMNS_HELP),
    workers: int = typer.Option(1, "--workers", min=0, help=WORKERS_HELP),
    english_only: bool = typer.Option(False, "--english-only", help=ENGLISH_ONLY_HELP),
    strict: bool = typer.Option(False, "--strict", hidden=True, help="The default since 2026-12-05; kept so that scripts that pass it still run."),
    explain: bool = typer.Option(False, "--explain", help="Show per article which page-furniture lines were dropped "
                                 "and why, and the mentions of people out of office on its date."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars or summary; warnings and --explain's lines stay."),
) -> None:
    """Clean articles, split sentences, find actor mentions; write one item per (sentence, actor).

    Example: stance prepare seeds/ --out out/items.jsonl --explain
    """
    with stdout_table(out_path, fmt) as (out_path, fmt):  # --out -: to standard output, when written whole
        fmt = output_format(out_path, fmt)
        check_not_read(out_path, input_path, manifest, actors, actors_only)
        check_not_predictions(out_path)
        check_not_labelled(out_path)
        started = time.perf_counter()
        # "-" or a pipe: saved, told by its content
        input_path = spooled_input(input_path, *text_header(columns, input_path), encoding)
        catalogue = choose_catalogue(actors, actors_only, only_actors)
        remove_stale_temporaries(out_path)  # what a run killed with -9 left beside this output
        if strict and skip_unreadable:
            fail("--strict and --skip-unreadable contradict each other (stopping at an unreadable file is the default)")
        totals, skipped = prepare_to_file(input_path, out_path, fmt, catalogue, manifest, encoding, skip_unreadable,
                                          quiet, keep_reports=explain, max_chars=max_article_chars,
                                          date_order=date_order, columns=columns, workers=workers,
                                          english_only=english_only)
        seconds = time.perf_counter() - started
        if explain:
            out.print(explain_table(totals.reports))
            for report in totals.reports:  # an article's id is its file's name: kept on one line
                article = one_line(report.article)
                if report.not_english:
                    out.print(f"  {article}  [not English]  {report.not_english}", highlight=False)
                if report.thin_page:
                    out.print(f"  {article}  [thin page]  {numeral(report.words)} words of article text",
                              highlight=False)
                for rule, line in report.dropped_lines:
                    out.print(f"  {article}  [{rule}]  {line[:100]}")
                for written, why in report.out_of_office:
                    out.print(f"  {article}  [out of office]  {one_line(written)}: {one_line(why)[:200]}",
                              highlight=False)
        if not quiet:
            pages, other = totals.undated_pages, totals.undated
            console.print(
                f"{counted(totals.articles, 'article')}, {counted(totals.sentences, 'sentence')}, "
                f"{counted(totals.items, 'item')} ({counted(len(totals.by_actor), 'actor')}) -> "
                f"{one_line(given_name(out_path))}; {skipped_summary(skipped, table=not input_path.is_dir())}; "
                + (f"{counted(pages, 'HTML page')} without a date; " if pages else "")
                + (f"{counted(other, 'other article' if pages else 'article')} undated; " if other else "") +
                f"{seconds:.1f} s ({totals.articles / max(seconds, 1e-9):.1f} articles/s)", highlight=False)
            if totals.by_actor:
                console.print("mentions: " + ", ".join(f"{a} {numeral(n)}" for a, n in totals.by_actor.most_common()),
                              highlight=False)
            if note := tenure_note(totals):
                console.print(note, highlight=False)


@actors_app.command("suggest")
@handle_errors
def actors_suggest(
    input_path: Path = typer.Argument(..., metavar="INPUT", help="Folder or article table, as for prepare." + STDIN_HELP),
    actors: Optional[Path] = typer.Option(None, "--actors", help=ACTORS_HELP),
    actors_only: Optional[Path] = typer.Option(None, "--actors-only", help=ACTORS_ONLY_HELP),
    top: int = typer.Option(30, "--top", min=1, help="How many names to list."),
    manifest: Optional[Path] = typer.Option(None, "--manifest", help="CSV with file,source,title,date,url[,language] (default: INPUT/manifest.csv when present)."),
    encoding: Optional[str] = typer.Option(None, "--encoding", help=ENCODING_HELP),
    columns: Optional[str] = typer.Option(None, "--columns", help=COLUMNS_HELP),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar; the table and warnings stay."),
) -> None:
    """List frequent capitalised names that no actor in the catalogue covers.

    Example: stance actors suggest seeds/ --top 20
    """
    articles, _ = read_articles(spooled_input(input_path, *text_header(columns, input_path), encoding), manifest,
                                encoding, skip_unreadable=True, quiet=quiet, task="reading",
                                columns=columns)  # a look, no output: an unreadable file is warned of and skipped
    matcher, rules = Matcher(choose_catalogue(actors, actors_only, None)), load_rules()
    counts = NameCounts()
    with warnings.catch_warnings():  # the names alone are counted: a date the report cannot read is no concern here
        warnings.simplefilter("ignore", DateWarning)
        for article in articles:
            count_names(counts, article, matcher, rules)
    table = Table(title="Names no actor covers, by the articles they appear in (add them with --actors FILE)")
    table.add_column("name")
    table.add_column("articles", justify="right")
    table.add_column("mentions", justify="right")
    for name, n_articles, mentions in counts.ranked(top):
        table.add_row(name, str(n_articles), str(mentions))
    out.print(table)
    if agencies := counts.agencies():
        listed = ", ".join(f"{name} ({numeral(n)} article{'s' * (n != 1)})" for name, n, _ in agencies)
        out.print(f"News agencies, left out above: {listed}", highlight=False)


@actors_app.command("list")
@handle_errors
def actors_list(actors: Optional[Path] = typer.Option(None, "--actors", help=ACTORS_HELP),
                actors_only: Optional[Path] = typer.Option(None, "--actors-only", help=ACTORS_ONLY_HELP),
                only_actors: Optional[str] = typer.Option(None, "--only-actors", help=ONLY_ACTORS_HELP)) -> None:
    """Show the actor catalogue: each actor, its kind and the terms that map to it (a person's terms of office after
    their name).

    Example: stance actors list
    """
    table = Table(title="Actor catalogue")
    for column in ("actor", "kind", "terms"):
        table.add_column(column)
    for actor in choose_catalogue(actors, actors_only, only_actors):
        terms = [f"{t} ({', '.join(actor.in_office[t])})" if t in actor.in_office else t
                 for t in dict.fromkeys(actor.terms()[1:])]  # a name also listed under people: once
        table.add_row(actor.name, actor.kind, ", ".join(terms + [p + "-" for p in actor.prefixes]))
    out.print(table)
