"""``stance label``: label items in the terminal, one key per answer; Label Studio, pre-labels, agreement.

``stance label ITEMS --labels LABELS.jsonl`` is short for ``stance label run ITEMS --labels ...``:
a first argument that is not a subcommand name goes to ``run``.
"""

from __future__ import annotations

import contextlib
import difflib
import getpass
import itertools
import json
import os
import select
import sys
import warnings
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

import typer
from rich.console import Console, Group
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from classifier.cli.app import (STDIN_HELP, DefaultRunGroup, app, console, handle_errors, out, progress_bar,
                                show_progress, warn)
from classifier.cli.display import SafeConsole
from classifier.io.files import check_not_input, check_not_packed, read_once
from classifier.cli.display import shown as visible
from classifier.visible import counted, numeral, one_line
from classifier.errors import InputError, InputWarning, failure, model_calls, model_failures
from classifier.items import Item, check_unique_ids, read_items
from classifier.labels import (ALL_LABELS, CONTEXT, MODEL_PREFIX, NO_ANNOTATOR, ORDERS, LabelSession, LabelStore,
                               SessionScores, agreement, article_context, check_file_task, check_same_items,
                               from_label_studio, kept_scores_path, label_studio_config, new_records, one_per_sentence,
                               order_items, read_records, suggestion_records, to_label_studio)
from classifier.tasks import STANCE, Task, get_task

COMMON_KEYS = {"skip": "s", "undo": "u", "help": "?", "quit": "q"}
LABEL_KEYS = {"stance": {"favor": "f", "against": "a", "neutral": "n"},
              "sentiment": {"positive": "p", "negative": "m", "neutral": "n"}}  # m: minus
TASK_HELP = "stance (favor / against / neutral toward the item's actor) or sentiment (positive / negative / neutral: the sentence's own tone; items need no actor)."
QUIT_BYTES = ("\x03", "\x04")  # Ctrl-C, Ctrl-D in raw mode


label_app = typer.Typer(
    cls=DefaultRunGroup, no_args_is_help=True,
    help=("Label items in the terminal (single keys; every answer fsync'd to LABELS.jsonl; restart resumes), "
          "and manage label files.\n\n"
          "Example: stance label items.jsonl --labels labels.jsonl --annotator ana --model models/default\n\n"
          "'stance label ITEMS ...' is short for 'stance label run ITEMS ...'."))
app.add_typer(label_app, name="label")


# -- keys ---------------------------------------------------------------------------------------
def parse_keys(spec: str, task: Task = STANCE) -> dict[str, str]:
    """``"favor=1,against=2"`` over the task's defaults -> {key: action}; one character per key, no clashes."""
    by_action = {**LABEL_KEYS[task.name], **COMMON_KEYS}
    actions = tuple(by_action)
    for part in filter(None, (p.strip() for p in spec.split(","))):
        action, _, key = part.partition("=")
        action = action.strip()
        if action not in actions:  # 'favour=1' was "not ACTION=KEY with one character", though its key was one
            close = difflib.get_close_matches(action.casefold(), actions, n=1)
            raise InputError(f"--keys: {part!r}: unknown action {action!r}"
                             + (f" (did you mean {close[0]!r}?)" if close else "")
                             + f"; the {task.name} actions: {', '.join(actions)}")
        if len(key) != 1 or key in QUIT_BYTES:
            raise InputError(f"--keys: {part!r}: a key is one character (not Ctrl-C or Ctrl-D); "
                             f"e.g. {action}={by_action[action]}")
        by_action[action] = key
    keys = {key: action for action, key in by_action.items()}
    if len(keys) != len(by_action):
        raise InputError(f"--keys: two actions share a key ({', '.join(f'{a}={k}' for a, k in by_action.items())})")
    return keys


def split_keys(data: bytes) -> list[str]:
    """Bytes read from a raw terminal -> keys, in order: each character one key (UTF-8, so 'é' and 'ж' are
    keys too), an escape sequence (an arrow, a function key) one key of its own."""
    text, keys, i = data.decode("utf-8", errors="replace"), [], 0
    while i < len(text):
        end = i + 1
        if text[i] == "\x1b" and end < len(text) and text[end] in "[O":  # CSI or SS3: up to its final byte
            end += 1
            while end < len(text) and not "@" <= text[end] <= "~":
                end += 1
            end += 1
        keys.append(text[i:end])
        i = end
    return keys


class KeyReader:
    """One key per answer: raw mode (termios) on a terminal, one line per answer otherwise. Keys typed faster
    than the screen redraws are kept, in order, for the next answers."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdin
        self.raw = self.stream.isatty()
        self.pending: list[str] = []

    def read(self) -> str:
        return self._read_key() if self.raw else self._read_line()

    def _read_line(self) -> str:
        line = self.stream.readline()
        if not line:
            return "\x04"
        return line.strip()  # a key, or an action's whole name ("negative": not "n", which is neutral)

    def _read_key(self) -> str:
        import termios
        import tty

        if self.pending:
            return self.pending.pop(0)
        fd = self.stream.fileno()
        saved = termios.tcgetattr(fd)
        try:
            tty.setraw(fd, termios.TCSANOW)  # not TCSAFLUSH: keys typed while the screen was drawn are kept
            data = os.read(fd, 1)
            while select.select([fd], [], [], 0.02)[0]:  # the rest of a character, an escape sequence, more keys
                data += os.read(fd, 64)
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
        if not data:
            return "\x04"
        self.pending = split_keys(data)
        return self.pending.pop(0)


# -- screen -------------------------------------------------------------------------------------
def plain_text(screen: Console) -> bool:
    """Whether ``screen`` shows no highlight: output to a file or a pipe, or colours turned off (NO_COLOR)."""
    return not screen.is_terminal or screen.color_system is None or screen.no_color


def plain_piece(text: str) -> str:
    """A piece of a sentence shown with its mentions in ``**``: a backslash or ``*`` of its own escaped, as
    report.md's Markdown escapes them, so that every ``**`` on the line marks a mention. Escaped before the control
    characters are made visible: after, the backslash of a shown ``\\x1b`` would be doubled too, as a ``\\`` of the
    sentence's own is."""
    return visible(text.replace("\\", "\\\\").replace("*", "\\*"))


def highlighted(item: Item, plain: bool = False) -> Text:
    """The sentence with its mentions highlighted; ``plain``: marked ``**Russia**`` as report.md marks them, for a
    screen that shows no highlight (answers piped in and the screen to a file)."""
    from classifier.models.inputs import merge_spans

    text, cursor = Text(), 0  # pieces made visible one by one, so the highlight stays on the mention
    piece = plain_piece if plain else visible
    for start, end in merge_spans(item.spans):
        text.append(piece(item.text[cursor:start]))
        if plain:
            text.append(f"**{piece(item.text[start:end])}**")
        else:
            text.append(visible(item.text[start:end]), style="bold black on yellow")
        cursor = end
    text.append(piece(item.text[cursor:]))
    return text


def suggestion_line(shown: dict | None) -> Text:
    if not shown:
        return Text("model: (no suggestion)", style="dim")
    scores = "  ".join(f"{label} {p:.2f}" for label, p in shown["scores"].items())
    return Text.assemble(("model suggests ", "dim"), (shown["label"], "bold"), (f"   ({scores})", "dim"))


def keys_line(keys: dict[str, str]) -> Text:
    return Text("  ".join(f"[{key}] {action}" for key, action in keys.items()), style="cyan")


def sentence_grid(before: list[str], item: Item, after: list[str], plain: bool = False) -> Table:
    """The sentence (mentions highlighted, or marked where ``plain``) between its neighbours, wrapped with a hanging
    indent."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=1)
    grid.add_column()
    for text in before:
        grid.add_row("", Text(visible(text), style="dim"))
    grid.add_row("▶", highlighted(item, plain))
    for text in after:
        grid.add_row("", Text(visible(text), style="dim"))
    return grid


def item_screen(item: Item, session: LabelSession, context: tuple[list[str], list[str]] | None,
                shown: dict | None, keys: dict[str, str], status: str = "", plain: bool = False,
                note: str = "") -> Group:
    """One item's screen; ``note``: a line under the progress rule (the first screen's "resuming: ...")."""
    extra = item.model_extra or {}
    where = f"outlet {item.source or '-'} · article {item.article or '-'}"
    if extra.get("sentence_index") is not None:
        where += f" · sentence {extra['sentence_index']}"
    before, after = context or ([], [])
    progress = session.progress()
    question = Text.assemble(("actor: ", "dim"), (visible(item.actor or "-"), "bold magenta")) \
        if session.task is STANCE else Text("the sentence's own tone: positive, negative or neutral", style="dim")
    parts = [Rule(progress.done_text()),  # skips apart: "8/131 done" counted 2 skipped among the answered
             *([Text(visible(note), style="green")] if note else []),
             *([Text(visible(f"last: {status}"), style="yellow" if "warning:" in status else "green")] if status else []),
             Text(visible(f"per outlet: {progress.outlets_text()}"), style="dim"), Text(visible(where), style="dim"),
             sentence_grid(before, item, after, plain), question, suggestion_line(shown), keys_line(keys)]
    return Group(*parts)


def item_line(item: Item, session: LabelSession, plain: bool = False) -> Text:
    """The item on one line for -q: its id, its actor (stance) and the sentence, mentions marked; what a script
    driving the labeller needs to answer, without the screen's progress, neighbours, suggestion and keys."""
    actor = [" · ", (visible(item.actor or "-"), "bold magenta")] if session.task is STANCE else []
    return Text.assemble((visible(item.id), "dim"), *actor, ": ", highlighted(item, plain))


def help_table(keys: dict[str, str], task: Task = STANCE) -> Table:
    meaning = {"favor": "the sentence portrays the actor positively (praise, success, cooperation)",
               "against": "negatively (criticism, blame, weakness, aggression)",
               "neutral": "factual or procedural, or mixed without a lean",
               "positive": "the sentence sounds good: success, gain, praise, relief (whoever it is about)",
               "negative": "it sounds bad: loss, failure, conflict, harm, blame",
               "skip": "pass for now (not shown again unless --revisit-skipped)",
               "undo": "take back the last answer (a retraction line is appended) and show that item again",
               "help": "this table", "quit": "stop; every answer so far is on disk, a restart resumes"}
    if task is not STANCE:
        meaning["neutral"] = "plain in tone: facts, schedules, figures without a good or bad turn"
    table = Table(title="keys")
    table.add_column("key")
    table.add_column("action")
    table.add_column("meaning")
    for key, action in keys.items():
        table.add_row(key, action, meaning[action])
    return table


# -- the loop -----------------------------------------------------------------------------------
def read_action(reader: KeyReader, screen: Console, keys: dict[str, str], quiet: bool = False) -> str:
    """The action of the next key typed, or line piped in. A piped line is not echoed: its "answer: " is written
    once it is read, before what it did ("answer: favor (saved)"), and none before the quit key or the end of the
    input, so a piped session ends on the summary line alone (it ended "answer: stopped: ..." after q, "answer:
    quit" and then the summary at the end of the input). ``quiet`` (-q), piped: no "answer: " at all, only what
    went wrong ("unknown key 'x'; ...")."""
    piped_prompt = not reader.raw and not quiet
    while True:
        if reader.raw:
            screen.print("answer: ", end="")
            sys.stdout.flush()
        key = reader.read()
        if key in QUIT_BYTES:
            if reader.raw:
                screen.print("quit")
            return "quit"
        action = keys.get(key)
        if action is None and not reader.raw and key.casefold() in keys.values():  # a line naming the action
            action = key.casefold()
        if action is not None:
            if reader.raw:
                screen.print(key)
            elif action != "quit" and piped_prompt:
                screen.print("answer: " + ("help" if action == "help" else ""), end="\n" if action == "help" else "")
            return action
        if piped_prompt:
            screen.print("answer: ", end="")
        screen.print(f"unknown key {key!r}; press {next(k for k, a in keys.items() if a == 'help')} for help")


@contextlib.contextmanager
def input_warnings() -> Iterator[list[str]]:
    """The InputWarnings raised in the block, as messages in the list it yields (filled when the block ends): the
    labeller shows them on its next screen, which would otherwise clear them at once."""
    said: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InputWarning)
        yield said
    said += [str(w.message) for w in caught if issubclass(w.category, InputWarning)]


def apply_action(session: LabelSession, item: Item, action: str, screen: Console, quiet: bool = False) -> str:
    """Do it, print what was done, and return that message for the next screen (with any warning the save
    gave, such as a cut-off line moved aside). ``quiet``: printed only where it warns, or the undo found nothing."""
    with input_warnings() as said:
        if action == "undo":
            target = session.undo()
            message = "nothing to undo" if target is None else \
                f"undone: {target.get('label') or 'skip'} for item {target['id']}"
        elif action == "skip":
            session.skip(item)
            message = "skipped (saved)"
        else:
            session.answer(item, action)
            message = f"{action} (saved)"
    message += "".join(f"; warning: {text}" for text in said)
    if not quiet or said or message == "nothing to undo":
        screen.print(message, style="green" if action in session.task.labels else None)
    return message


def show(screen: Console, screen_parts: Group) -> None:
    if screen.is_terminal:
        screen.clear()
    screen.print(screen_parts)


def run_session(session: LabelSession, reader: KeyReader, screen: Console, keys: dict[str, str],
                contexts: dict, status: str = "", quiet: bool = False, note: str = "",
                ahead: Callable[..., str] | None = None) -> bool:
    """Show items until all are answered (True) or the annotator quits (False); ``status`` starts the first
    screen's status line (what loading warned about, which clearing the screen would hide), ``note`` is a line of the
    first screen alone ("resuming: ...": printed before it, the terminal's clearing had wiped it). ``quiet`` (-q):
    each item as one line (:func:`item_line`), the screen never cleared, nothing said of an answer that went well (a
    piped -q session printed every full screen and "answer: favor (saved)" though -q promised no summary lines).
    ``ahead(item)``, before each item is shown, and ``ahead(item, shown=True)`` once it is: the model's suggestions
    of it and the items after it, made where there are none yet (:func:`scoring_ahead`); "" or a warning for the
    status line (with -q, which shows no status line, a warning line of its own). A model that fails to score them
    (a CUDA error, memory) is a warning, and the session goes on without its suggestions: it stopped on a traceback,
    the annotator's session with it."""
    scored = ahead_or_warning(ahead)
    item, late = session.next_item(), ""
    while item is not None:
        warned = "; ".join(filter(None, [late, scored(item)]))
        if warned and quiet:
            warn(warned)
        elif warned:
            status = "; ".join(filter(None, [status, f"warning: {warned}"]))
        suggestion = session.suggestions.get(item.id)
        shown = suggestion if suggestion and suggestion.get("shown", True) else None
        parts = None if quiet else item_screen(item, session, contexts.get(item.id), shown, keys, status,
                                                plain_text(screen), note)
        if parts is None:
            screen.print(item_line(item, session, plain_text(screen)), soft_wrap=True)  # one line, however long
        else:
            show(screen, parts)
        note = ""
        late = scored(item, shown=True)  # the next items, while this one is read
        action = read_action(reader, screen, keys, quiet)
        while action == "help":
            action = show_help(reader, screen, keys, session.task, parts, quiet)
        if action == "quit":
            return False
        status = apply_action(session, item, action, screen, quiet)
        item = session.next_item()
    return True


def ahead_or_warning(ahead: Callable[..., str] | None) -> Callable[..., str]:
    """``ahead`` (:func:`run_session`) for a session under way: where the model raises, its error as the warning,
    and nothing scored after it (each item would wait for the model to fail again)."""
    failed = []

    def scored(item: Item, shown: bool = False) -> str:
        if ahead is None or failed:
            return ""
        try:
            return ahead(item, shown=shown)
        except Exception as exc:  # noqa: BLE001  (torch raises RuntimeError, MemoryError, ...: any, mid-session)
            failed.append(exc)
            return (f"the model failed to score the next items ({failure(exc)}): the items not scored yet are shown "
                    "without its suggestion; the answers are saved")

    return scored


def show_help(reader: KeyReader, screen: Console, keys: dict[str, str], task: Task, item_parts: Group | None,
              quiet: bool = False) -> str:
    """Show the keys table and return the next action. Keys typed at a terminal, with the item's screen shown: the
    table on a screen of its own until any key is pressed (not taken as an answer; Ctrl-C and Ctrl-D still quit), then
    the item's screen again (printed under it, the table pushed the item off the top of a 24-row terminal). Else
    (answers piped in, -q, the screen to a file) the table under what is there, as a log of the session."""
    if item_parts is None or not (reader.raw and screen.is_terminal):
        screen.print(help_table(keys, task))
        return read_action(reader, screen, keys, quiet)
    show(screen, Group(help_table(keys, task), Text("press any key to go back to the item", style="cyan")))
    if reader.read() in QUIT_BYTES:
        screen.print("quit")
        return "quit"
    show(screen, item_parts)
    return read_action(reader, screen, keys, quiet)


def check_model_task(labels: list[str], task: Task, model_dir: Path) -> None:
    """Refuse a model of another task than the labelling's (by its labels)."""
    from classifier.tasks import task_of_labels

    found = task_of_labels(labels)
    if found is not task:
        advice = f"; pass --task {found.name} to label {found.name}" if task is STANCE else ""
        raise InputError(f"--model {model_dir}: a {found.name} model ({', '.join(labels)}); this "
                         f"labelling asks for {task.name} ({', '.join(task.labels)}){advice}")


def session_scores(model_dir: Path, items: list[Item], task: Task, kept: Path,
                   read_only: bool = False) -> SessionScores:
    """The model's scores of ``items`` for a labelling: those kept in ``kept`` (beside the label file) where they are
    this very model's of these items (by item, in any order or subset), so that a restart shows its first item at
    once; the rest scored as they are asked for (``SessionScores.need``) and kept there for the next start (unless
    ``read_only``). The model is loaded (and refused where it is another task's: its labels would be shown, stored
    and exported as answers to this task's question) only where some are to be scored, or where its folder holds no
    weights to name it by."""
    from classifier.models.stance_model import StanceModel, model_folder, saved_model_id

    loaded = []

    def model() -> StanceModel:
        if not loaded:
            loaded.append(StanceModel.load(model_dir))
            check_model_task(loaded[0].labels, task, model_dir)
        return loaded[0]

    def score(chosen: list[Item], on_batch: Callable[[int], None] | None = None):
        scorer = model()
        with model_calls(model_dir):  # what the model raises is marked its own, for model_failures' line
            return scorer.predict_proba(chosen, on_batch=on_batch), scorer.labels

    folder = model_folder(model_dir)
    model_id = saved_model_id(folder) if (folder / "model.safetensors").is_file() else model().model_id  # load says
    scores = SessionScores(kept, model_id, items, score, read_only)
    if scores.found:
        check_model_task(scores.labels, task, model_dir)
    return scores


# Items a model scores at a time ahead of the annotator, where the order needs no scores: 32 of the shipped model's
# take about 0.3 s on 2 cores, where every item scored before the first screen made the annotator wait (25 s for
# 1,372 items). The first screen waits for the model to load and score them (about 3 s).
SCORED_AHEAD = 32


def scoring_ahead(session: LabelSession, scores: SessionScores, hide: bool) -> Callable[..., str]:
    """For :func:`run_session`: ``ahead(item)``, before the item is shown, scores it where it has no suggestion
    yet, with the unanswered items after it in order (``SCORED_AHEAD`` in all); ``ahead(item, shown=True)``, once
    it is on the screen, scores the next ``SCORED_AHEAD`` items where one of the first half of them is not scored,
    so that they are scored while the annotator reads it (keys typed meanwhile wait in the terminal), not once the
    annotator reaches them. The items scored get their suggestions (``shown`` unless ``hide``); it returns "" or the
    warning that the scores could not be kept."""
    position = {item.id: i for i, item in enumerate(scores.items)}

    def ahead(item: Item, shown: bool = False) -> str:
        if shown:
            chunk = [position[upcoming.id] for upcoming in session.upcoming(item, SCORED_AHEAD + 1)[1:]]
            if not scores.missing(chunk[:SCORED_AHEAD // 2]):
                return ""
        elif item.id in session.suggestions:
            return ""
        else:
            chunk = [position[upcoming.id] for upcoming in session.upcoming(item, SCORED_AHEAD)]
        warned = scores.need(chunk)
        session.suggestions.update(scored_suggestions(scores, chunk, hide))
        return warned

    return ahead


def scored_suggestions(scores: SessionScores, indices: Iterable[int], hide: bool = False) -> dict[str, dict]:
    """{item id: the model's suggestion, ``shown`` unless ``hide``} of the items at ``indices`` that are scored."""
    indices = list(indices)
    unscored = set(scores.missing(indices))
    return {scores.items[i].id: {**scores.suggestion(i), "shown": not hide} for i in indices if i not in unscored}


def kept_by_list_line(scores: SessionScores, advice: str) -> str:
    """Why the scores kept of this model are not read (``scores.kept_by_list``: kept before 2026-12-07 (6), of a
    whole list of items, and these are another order or subset of it), in one line that export, run and suggest
    share; ``advice``: how to keep them by item (export, which writes none), or what this start does (run and
    suggest, whose scores by item replace them: they had scored every item again without a word)."""
    return (f"{one_line(scores.path)}: the scores of {scores.model_id} kept there are of the items in another order, "
            "kept before scores were kept by item (2026-12-07 (6)), so every item is scored again; "
            f"{advice} (docs/changes.md, 2026-12-07 (6))")


# What run and suggest say after kept_by_list_line: their first write keeps this model's scores by item, in place
# of those kept by list.
REKEPT_BY_ITEM = "this start keeps its scores by item in their place"


def score_all(scores: SessionScores, quiet: bool) -> str:
    """Every item scored (--order uncertain sorts them all by the model; suggest and export write them all), saying
    so; "" or the warning that the scores could not be kept."""
    missing = scores.missing(range(len(scores.items)))
    if show_progress(quiet) and missing:
        kept = len(scores.items) - len(missing)
        console.print(f"scoring {numeral(len(missing))} items with {scores.model_id}"
                      f"{f' ({kept} kept by an earlier start)' if kept else ''} …")
    elif show_progress(quiet):
        console.print(f"suggestions of {scores.model_id} for {counted(len(scores.items), 'item')}: kept in "
                      f"{one_line(scores.path)} by an earlier start")
    with progress_bar(show_progress(quiet) and bool(missing)) as progress:  # minutes on a corpus: a bar over them,
        bar = progress.add_task("scoring", total=len(missing)) if progress else None  # not one still line
        scores.need(range(len(scores.items)), on_batch=(lambda n: progress.advance(bar, n)) if progress else None)
    return scores.unkept


def check_annotator(name: str) -> str:
    """The name, trimmed; one with a control, bidi or line-breaking character (a pasted escape, a tab, a line break from
    $STANCE_ANNOTATOR) is refused: it had been stored and broke the summary line and agreement's tables in two, or
    showed as an escape there, another name than the one typed. So is one with another format character that shows as
    nothing (a zero-width space, a soft hyphen: ``labels.hidden_characters``), a name other than the one read."""
    from classifier.labels import check_name

    name = (name or "").strip()
    if not name:
        raise InputError("--annotator: give a name (it is stored with every label)")
    check_name(name, "--annotator", "give a name of printable characters on one line (it is stored with every label)")
    if name.startswith(MODEL_PREFIX) or name == NO_ANNOTATOR:
        raise InputError(f"--annotator: {NO_ANNOTATOR!r} and names starting with {MODEL_PREFIX!r} are reserved")
    return name


def label_file(path: Path, option: str) -> Path:
    """A label file to append to (``option`` names it): JSON lines, named so (a .csv name would mislead every later
    reader)."""
    from classifier.io.files import check_writable
    from classifier.labels import refuse_compressed

    check_writable(path, option)
    refuse_compressed(path)  # labels.jsonl.gz, or a gzip'd labels.jsonl: not "give it a .jsonl name"
    if path.suffix.lower() not in (".jsonl", ".ndjson"):
        raise InputError(f"{path}: label files are JSON lines; give it a .jsonl name")
    return path


def load_items(path: Path, task: Task = STANCE) -> list[Item]:
    """The items to label; for stance, an item without spans gets its actor's mentions found as classify finds
    them (the bundled catalogue, else the name), so that it is shown, suggested and stored as it will be scored.
    Sentence sentiment needs no actor, and asks once per sentence (``one_per_sentence``). "-" or a pipe is saved and
    read as a file, told by its content (``io.files.spooled_input``)."""
    from collections import Counter

    from classifier.actors import MentionFinder, found_spans_note
    from classifier.io.files import spooled_input
    from classifier.segment import ROWS_LOOKED_AT, holds_several_sentences

    path = spooled_input(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    stance = task is STANCE
    # a label the items already carry (a gold file, another task's) is not this labelling's answer: any is read
    items = list(read_items(path, need_actor=stance, find_spans=MentionFinder() if stance else None,
                            allowed_labels=None))
    if not stance:
        items = one_per_sentence(items)
        plain = itertools.islice((item for item in items if item.actor is None), ROWS_LOOKED_AT)  # as classify
        whole = next((item for item in plain if holds_several_sentences(item.text)), None)
        if whole is not None:  # a table of whole articles: asked whole, as classify --rows sentences scores them
            warnings.warn(f"{path}: item {whole.id!r} holds several sentences and is asked about whole; to label "
                          "the tone of each sentence, run stance prepare on the articles first and label its items",
                          InputWarning, stacklevel=2)
    note = found_spans_note(Counter(getattr(item, "spans_from", None) for item in items), len(items))
    if note:
        warn(note)
    if not items:
        raise InputError(f"{path}: no items")
    check_unique_ids(items, str(path))
    return items


@label_app.command("run")
@handle_errors
def run_command(
    items_path: Path = typer.Argument(..., metavar="ITEMS", help="Items to label (.jsonl/.csv/.parquet), e.g. from 'stance prepare'."),
    labels_path: Path = typer.Option(..., "--labels", "-l", help="Label file: every answer is appended and fsync'd here."),
    annotator: str = typer.Option(None, "--annotator", "-a", help="Your name, stored with each label (default: your login)."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help=(
        "Model whose suggestion is shown (and used for --order uncertain): a stance model, or a sentiment model with "
        "--task sentiment. --order uncertain scores every item first; the other orders score them 32 at a time as "
        "they come up. The scores are kept beside the label file, hidden (labels.jsonl: .labels.jsonl.scores.npz; "
        "the last 3 models', by item), so a restart with the same model scores only items it did not score before.")),
    task: str = typer.Option("stance", "--task", help=TASK_HELP),
    order: Optional[str] = typer.Option(None, "--order", help=f"{' | '.join(ORDERS)} (default: uncertain with --model, else file)."),
    seed: int = typer.Option(0, "--seed", help="Seed for --order random and source-balanced."),
    keys: str = typer.Option("", "--keys", help="Change keys, e.g. 'favor=1,against=2,neutral=3' (sentiment: positive p, negative m, neutral n)."),
    hide_suggestion: bool = typer.Option(False, "--hide-suggestion", help="Order by the model but do not show its suggestion."),
    revisit_skipped: bool = typer.Option(False, "--revisit-skipped", help="Show items you skipped before again."),
    context: int = typer.Option(CONTEXT, "--context", min=0, help="Neighbouring sentences shown before and after (a ties file's item: of those it carries, 'label gold --context')."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Each item as one line (id, actor, sentence) instead of its screen, and nothing said of an answer that went well: for a script driving the labeller. Errors, warnings and the closing summary line stay."),
) -> None:
    """Label ITEMS one by one with single keys: f favor, a against, n neutral, s skip, u undo, ? help, q quit
    (--task sentiment: p positive, m negative, n neutral). Answers piped in, not typed at a terminal, are read one
    per line: a key or the answer's name ("f" or "favor"; "negative", whose first letter is neutral's key).

    Example: stance label items.jsonl --labels labels.jsonl --annotator ana --model models/default
    """
    if sys.stdin is None:  # <&-: no answer can come; KeyReader and the piped-answers check would meet None
        raise InputError("standard input is closed (<&-); label reads the answers from it: run it at a terminal, or "
                         "pipe the answers in, one a line")
    chosen = get_task(task, "--task")
    keymap = parse_keys(keys, chosen)
    annotator = check_annotator(annotator or os.environ.get("STANCE_ANNOTATOR") or getpass.getuser())
    label_file(labels_path, "--labels")
    check_not_input(labels_path, items_path, option="--labels")
    LabelStore(labels_path).check_appendable("--labels")
    if str(items_path) == "-":
        raise InputError("-: standard input carries the answers of a labelling session (typed, or piped one a line); "
                         "give ITEMS as a file, or as <(cat FILE)")
    with input_warnings() as said_loading:  # kept for the first screen's status line, which clearing would hide
        items = load_items(items_path, chosen)
    contexts = article_context(items, context)  # a ties file's own neighbours checked before a model scores anything
    # piped answers written beforehand in the file's order went, one by one, to the items in the model's order
    piped = None if order or not model or sys.stdin.isatty() else (
        "answers piped in go to the items in the model's order (--order uncertain), not ITEMS' order: give --order "
        "file where they were written in the file's order (with -q each item's line names it)")
    order = order or ("uncertain" if model else "file")
    # the label file read and checked (its task, its items) before a model scores every item: a refused start had
    # scored them all first, and replaced the scores an earlier session had kept
    with input_warnings() as said:  # a cut-off last line: said on the first screen too
        session = LabelSession(items, range(len(items)), LabelStore(labels_path), annotator, {}, revisit_skipped,
                               task=chosen)
    kept, unkept, ahead, rekept = "", "", None, ""
    if model is not None:
        # a model that fails before the first screen stops the start (nothing asked, nothing saved): the annotator
        # finds out now that its suggestions and order are not to be had, where a session begun without them
        # would label items in another order than asked, unaided; mid-session it is a warning (ahead_or_warning)
        with model_failures(None, "nothing was asked or saved; run again once it is mended, or without --model"):
            scores = session_scores(model, items, chosen, kept_scores_path(labels_path))
            # said on the first screen (a line printed before it is wiped), not with -q: as export says it
            rekept = kept_by_list_line(scores, REKEPT_BY_ITEM) if scores.kept_by_list else ""
            if order == "uncertain":  # sorted by the model: every item scored first
                score_all(scores, quiet)
            session.set_order(order_items(items, order, probs=scores.probs, seed=seed))
            session.suggestions = scored_suggestions(scores, range(len(items)), hide_suggestion)
            ahead = scoring_ahead(session, scores, hide_suggestion)  # the others as the annotator comes to them
            first = session.next_item()
            if first is not None and first.id not in session.suggestions:
                if show_progress(quiet):
                    console.print(f"scoring the first items with {scores.model_id} (the others as they come up) …")
                ahead(first)
        unkept = scores.unkept
        kept = f"the model's scores are kept in {one_line(scores.path)} for the next start" if scores.written else ""
    else:
        session.set_order(order_items(items, order, seed=seed))
    said[:0] = said_loading + ([unkept] if unkept else []) + ([piped] if piped else [])
    for message in said:
        warn(message)
    finished = run_session(session, KeyReader(), SafeConsole(), keymap, contexts,
                           status="; ".join(f"warning: {message}" for message in said), quiet=quiet,
                           note="" if quiet else "; ".join(filter(None, [resuming_line(session, annotator), rekept,
                                                                         kept])),
                           ahead=ahead)
    out.print(summary_line(session, finished, annotator, labels_path))


def resuming_line(session: LabelSession, annotator: str) -> str:
    """"resuming: 8 of 131 items already answered by ana" ("... done by ana (6 answered, 2 skipped)"), for the first
    screen of a session that finds answers of its annotator; "" for one that starts afresh."""
    progress = session.progress()
    if not progress.done:
        return ""
    if not progress.skipped:
        return f"resuming: {numeral(progress.done)} of {numeral(progress.total)} items already answered by {annotator}"
    return (f"resuming: {numeral(progress.done)} of {numeral(progress.total)} items already done by {annotator} "
            f"({numeral(progress.done - progress.skipped)} answered, {numeral(progress.skipped)} skipped)")


def summary_line(session: LabelSession, finished: bool, annotator: str, labels_path: Path) -> str:
    """"stopped: 1/6 by ana (1 favor) in labels.jsonl"; where skips count among the done, they are set apart as the
    header sets them: "stopped: 3/6: 2 answered (1 against, 1 favor), 1 skipped, by ana in labels.jsonl" (it said
    "stopped: 3/6 by ana (...)" under a header of "3/6: 2 answered, 1 skipped", and "all items answered" with skips)."""
    progress, tally = session.progress(), session.tally()
    skipped = tally.pop("skipped", 0)
    labels = ", ".join(f"{numeral(count)} {name}" for name, count in sorted(tally.items()))
    if not skipped:
        return (f"{'all items answered' if finished else 'stopped'}: {progress.done}/{progress.total} "
                f"by {annotator} ({labels or 'none'}) in {labels_path}")
    answered = progress.done - skipped
    return (f"{'all items done' if finished else 'stopped'}: {progress.done}/{progress.total}: {answered} answered"
            f"{f' ({labels})' if labels else ''}, {numeral(skipped)} skipped, by {annotator} in {labels_path}")


# -- non-interactive helpers --------------------------------------------------------------------
@label_app.command("suggest")
@handle_errors
def suggest_command(
    items_path: Path = typer.Argument(..., metavar="ITEMS", help="Items file (.jsonl/.csv/.parquet), e.g. from 'stance prepare'." + STDIN_HELP),
    out_path: Path = typer.Option(..., "--out", "-o", help="Label file the pre-labels are appended to."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help="Model (default: models/default, or models/sentiment with --task sentiment). Its scores are kept beside --out as 'label run' keeps them: scores kept there of these items by this model are read, not scored again."),
    task: str = typer.Option("stance", "--task", help=TASK_HELP),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No 'scoring N items' line (nor the one saying why kept scores are not read); the closing line (how many pre-labels were appended) and warnings stay."),
) -> None:
    """Write model pre-labels, marked as such (annotator 'model:NAME', "suggested": true).

    Training refuses them unless 'stance train --allow-suggested'.
    Example: stance label suggest items.jsonl --out suggestions.jsonl --model models/default
    """
    from classifier.models.stance_model import default_model_path, default_sentiment_path

    chosen = get_task(task, "--task")
    label_file(out_path, "--out")
    check_not_input(out_path, items_path)
    LabelStore(out_path).check_appendable("--out")
    items = load_items(items_path, chosen)
    store = LabelStore(out_path)
    before = store.records()
    check_file_task(before, chosen, out_path)
    check_same_items(before, {item.id: item for item in items})  # before the model runs: as 'label run'
    default = default_model_path() if chosen is STANCE else default_sentiment_path()
    with model_failures(None, "no pre-label was appended"):
        scores = session_scores(model or default, items, chosen, kept_scores_path(out_path))
        if scores.kept_by_list and not quiet:  # why every item is scored again: as export says it
            console.print(kept_by_list_line(scores, REKEPT_BY_ITEM))
        unkept = score_all(scores, quiet)
    name = scores.model_id.rpartition("@")[0] or scores.model_id
    records = suggestion_records(items, scores.probs, scores.labels, scores.model_id, name, chosen.name)
    existing = {(r["id"], (r.get("suggestion") or {}).get("model")) for r in store.records()}  # as it is now
    fresh = [r for r in records if (r["id"], scores.model_id) not in existing]
    store.extend(fresh)
    out.print(f"{numeral(len(fresh))} pre-labels by {MODEL_PREFIX}{name} appended to {out_path} "
              f"({numeral(len(records) - len(fresh))} already there)")
    if unkept:
        warn(unkept)


@label_app.command("sample")
@handle_errors
def sample_command(
    items_path: Path = typer.Argument(..., metavar="ITEMS", help="Items file (.jsonl/.csv/.parquet), e.g. from 'stance prepare'." + STDIN_HELP),
    out_path: Path = typer.Option(..., "--out", "-o", help="Items file to write the sample to (.jsonl, .csv or .parquet): label it ('stance label run SAMPLE'); its gold set is kept apart from what 'stance train' learns from the rest."),
    n: int = typer.Option(300, "--n", min=1, help="About this many items: whole articles, as near N as their sizes allow, every stratum given one (a line says how many and why not N); more than ITEMS holds: all of them, with a warning."),
    by: list[str] = typer.Option(["source"], "--by", help="What gets an equal share of N: source (or outlet), or source,actor (comma-separated or repeated)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the draw: the same items and seed draw the same articles."),
    rest_path: Optional[Path] = typer.Option(None, "--rest", help="Also write the items of the articles not drawn here (.jsonl, .csv or .parquet): 'stance classify REST', reported with '--gold' from the labelled sample, or labelled to train on."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No table of the strata; the closing line (how many items were written, and where) and warnings stay."),
) -> None:
    """Draw the items to label, and keep them apart: whole articles, an equal share per outlet.

    Whole articles are drawn at random (never part of one: a split by item puts one article's sentences on both
    sides) until each outlet (--by source), or outlet and actor (--by source,actor), has an equal share of about N
    items: an outlet's accuracy is as sure as its own number of gold items makes it, so a small outlet gets as many
    as a large one where it has them (one with fewer gives all it has; the rest go to the others). An overall figure
    from such a sample weighs the small outlets up. Prints the articles and items drawn per stratum.

    Example: stance label sample items.jsonl --out sample.jsonl --n 300 --by source --rest rest.jsonl
    """
    from classifier.io.files import check_not_predictions, iter_table, output_format, spooled_input, write_records
    from classifier.items import article_of, item_record, parse_item
    from classifier.labels import sample_articles, sample_by

    fields = sample_by(by)
    fmt = output_format(out_path, has_option=False)
    check_not_input(out_path, items_path)
    check_not_predictions(out_path)
    if rest_path is not None:
        rest_fmt = output_format(rest_path, has_option=False, option="--rest")
        check_not_input(rest_path, items_path, option="--rest")
        check_not_predictions(rest_path, "--rest")
        if rest_path.resolve() == out_path.resolve():
            raise InputError(f"--rest {rest_path}: the same file as --out")
    path = spooled_input(items_path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    rows = []
    for lineno, record in iter_table(path):
        rows.append((record, parse_item(record, f"{path}:{lineno}")))
        rows[-1][1]._where = f"{path}:{lineno}"
    items = [item for _, item in rows]
    if not items:
        raise InputError(f"{path}: no items")
    check_unique_ids(items, str(path))
    drawn = sample_articles(items, n, fields, seed)
    if drawn.articleless:
        warn(f"{numeral(drawn.articleless)} of {numeral(len(items))} items have no 'article': each is taken as an "
             "article of its own, so sentences of one article can land in both the sample and the rest (give each "
             "item its article)")
    if n >= len(items):
        warn(f"--n {n}: {path} holds {counted(len(items), 'item')}; all of them are in the sample"
             + (f" and {rest_path} is empty" if rest_path is not None else ""))
    elif not drawn.rest:
        # a stratum of one article gives it whole to a share of any --n: a smaller --n cannot keep it apart
        single = all(row["sample_articles"] == 1 for row in drawn.strata.values())
        warn(f"--n {n}: all {numeral(drawn.articles)} articles were drawn, so none is kept apart"
             + (f" and {rest_path} is empty" if rest_path is not None else "")
             + (f" (each {', '.join(fields)} has one article, which a share of any --n draws whole: only more "
                "articles keep some apart)" if single else
                " (too few articles per stratum for shares of N: a smaller --n, or more articles)"))

    if rest_path is not None and drawn.rest:  # an outlet of few articles gives them all (its equal share)
        kept = {items[i].source or "" for i in drawn.rest}
        gone = sorted({item.source or "" for item in items} - kept)
        if gone:
            named = ", ".join(name or "(none)" for name in gone[:5]) + (f" and {len(gone) - 5} more"
                                                                        if len(gone) > 5 else "")
            one = len(gone) == 1
            warn(f"{counted(len(gone), 'outlet')} ({named}) {'has' if one else 'have'} every article in {out_path}, "
                 f"none in {rest_path}: a model trained on labels of {rest_path} learns nothing of "
                 f"{'its' if one else 'their'} sentences, and is tested on {'it' if one else 'them'} as on "
                 f"{'an outlet' if one else 'outlets'} it never saw")

    def records(indices: list[int]) -> list[dict]:  # as read: an item without spans is not written with spans: []
        return [{k: v for k, v in item_record(rows[i][1]).items() if k in rows[i][0]} for i in indices]

    write_records(out_path, records(drawn.sample), fmt)
    if rest_path is not None:
        write_records(rest_path, records(drawn.rest), rest_fmt)
    if not quiet:
        table = Table(title=f"{counted(len(drawn.sample), 'item')} of {numeral(len(items))} drawn, whole articles, "
                            f"by {', '.join(fields)} (seed {seed})")
        for name in fields:
            table.add_column(name)
        for column in ("articles drawn", "items drawn", "share", "items in all"):
            table.add_column(column, justify="right")
        for stratum, row in drawn.strata.items():
            table.add_row(*(value or "(none)" for value in stratum), str(row["sample_articles"]),
                          str(row["sample_items"]), str(row["share"]), str(row["items"]))
        out.print(table)
    if drawn.why() and n < len(items):  # --n past the corpus: warned of above
        out.print(drawn.why())
    sample_articles_n = len({article_of(rows[i][1]) for i in drawn.sample})
    out.print(f"{counted(len(drawn.sample), 'item')} ({counted(sample_articles_n, 'article')}) -> {out_path}"
              + (f"; the other {counted(len(drawn.rest), 'item')} ({numeral(drawn.articles - sample_articles_n)} "
                 f"articles) -> {rest_path}" if rest_path is not None else ""))


@label_app.command("export")
@handle_errors
def export_command(
    items_path: Path = typer.Argument(..., metavar="ITEMS", help="Items file (.jsonl/.csv/.parquet), e.g. from 'stance prepare'." + STDIN_HELP),
    out_path: Path = typer.Option(..., "--out", "-o", help="Label Studio tasks file (.json) to write."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help="Add this model's suggestions as pre-annotations (a model of --task). Where ITEMS is a label file, the scores 'label run' or 'label suggest' kept beside it are read for the items this model scored there (in any order), the others scored; export keeps none."),
    task: str = typer.Option("stance", "--task", help=TASK_HELP + " The config's Choices control is named after it."),
    config: Optional[Path] = typer.Option(None, "--config", help="Also write the Label Studio labelling config (XML) here."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No 'scoring N items' line (nor the one saying why kept scores are not read); the closing line (how many tasks were written, and where) and warnings stay."),
) -> None:
    """Export items as Label Studio tasks (JSON), with the model's predictions as pre-annotations.

    Example: stance label export items.jsonl --out tasks.json --model models/default --config stance.xml
    """
    from classifier.io.files import check_writable, json_output, write_json_atomic, write_text_atomic

    json_output(out_path)
    check_not_input(out_path, items_path)
    if config:
        check_writable(config, "--config")
        check_not_input(config, items_path, out_path, option="--config")
    chosen = get_task(task, "--task")
    items = load_items(items_path, chosen)
    suggestions = None
    if model:
        with model_failures(None, "nothing was written"):
            # ITEMS a label file (label run's --labels, suggest's --out): the scores kept beside it of its items by
            # this model (by item: a session's answers are in its order, not the items file's) are read, not made
            # again; none is written beside an input
            scores = session_scores(model, items, chosen, kept_scores_path(items_path), read_only=True)
            if scores.kept_by_list and not quiet:  # why every item is scored again, and how to keep them by item
                console.print(kept_by_list_line(scores, f"to rewrite them by item, start 'stance label ITEMS --labels "
                                                        f"{one_line(items_path)} --model {one_line(model)}' once with "
                                                        "the items file they were kept of, and quit"))
            score_all(scores, quiet)
        suggestions = {item.id: scores.suggestion(i) for i, item in enumerate(items)}
    write_json_atomic(out_path, to_label_studio(items, suggestions, chosen))
    if config:
        write_text_atomic(config, label_studio_config(chosen))
    out.print(f"{numeral(len(items))} tasks written to {out_path}"
              + (f", labelling config to {config}" if config else ""))


@label_app.command("import")
@handle_errors
def import_command(
    export_path: Path = typer.Argument(..., metavar="EXPORT", help="Label Studio JSON export (a list of tasks)." + STDIN_HELP),
    labels_path: Path = typer.Option(..., "--labels", "-l", help="Label file the annotations are appended to."),
    annotator: Optional[str] = typer.Option(None, "--annotator", "-a", help="Name for every annotation (default: label-studio:<user>); where two users answered one task, only the last answer then counts."),
    task: str = typer.Option("stance", "--task", help=TASK_HELP + " Answers are read from the Choices control of that name (or an unnamed one)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Taken as by the other label commands, so that a script can pass -q to each; this one prints no table or progress to drop: the closing line (how many labels were imported, how many were there already), warnings and errors stay."),
) -> None:
    """Append completed Label Studio annotations to LABELS (importing twice adds nothing).

    Example: stance label import project-1-export.json --labels labels.jsonl
    """
    label_file(labels_path, "--labels")
    check_not_input(labels_path, export_path, option="--labels")
    LabelStore(labels_path).check_appendable("--labels")
    if not export_path.exists():
        raise InputError(f"{export_path}: no such file")
    data = read_once(export_path, "the Label Studio export")  # a pipe is read as a file; /dev/zero is not
    check_not_packed(export_path, "a Label Studio export", data)  # a pipe of gzip's too, by the bytes read
    try:
        tasks = json.loads(data.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        lines = isinstance(exc, json.JSONDecodeError) and exc.msg == "Extra data" and exc.lineno > 1
        raise InputError(f"{export_path}: not a JSON file ({exc})" + (
            "; it holds JSON lines: an items or label file? Label Studio's JSON export (one list of tasks) is what "
            "this imports" if lines else "")) from None
    except RecursionError:
        raise InputError(f"{export_path}: nested too deeply to be a Label Studio export") from None
    chosen = get_task(task, "--task")
    incoming = from_label_studio(tasks, str(export_path), check_annotator(annotator) if annotator else None, chosen)
    store = LabelStore(labels_path)
    check_file_task(store.records(), chosen, labels_path)
    if not incoming:
        raise InputError(f"{export_path}: no completed annotation answers the '{chosen.name}' Choices control "
                         f"in its {numeral(len(tasks))} task{'s' if len(tasks) != 1 else ''}; nothing imported")
    fresh = new_records(store.records(), incoming, str(export_path))
    store.extend(fresh)
    out.print(f"{numeral(len(fresh))} labels imported into {labels_path} ({numeral(len(incoming) - len(fresh))} "
              "already there)")


UNDEFINED = "undefined (one label only)"


def with_interval(value: float, ci: list | None) -> str:
    """0.415 [0.21, 0.60]; a NaN figure is undefined, and an interval of a NaN-free figure only."""
    if value != value:
        return UNDEFINED
    return f"{value:.3f}" + (f" [{ci[0]:.2f}, {ci[1]:.2f}]" if ci else "")


def few_items_flag(report: dict) -> str:
    return f"n<{report['min_items']}"


def agreement_tables(report: dict, show: int) -> list:
    few = few_items_flag(report)
    caption = f"[ ]: {report['interval']}" + ("; none with fewer than 5 articles" if "resamples" in
                                              report["interval"] else "")
    if any(pair["few_items"] for pair in report["pairs"]):
        caption += f"; {few}: fewer than {report['min_items']} shared items, too few to say much"
    pairs = Table(title=f"Cohen's kappa per pair ({numeral(report['items_multiply_labelled'])} items with 2+ labels)",
                  caption=caption)
    for column in ("annotator A", "annotator B", "items", "agreement", "kappa [95% CI]"):
        pairs.add_column(column)
    for pair in report["pairs"]:
        pairs.add_row(*pair["annotators"], str(pair["n"]) + (f" {few}" if pair["few_items"] else ""),
                      f"{pair['agreement']:.3f}" if pair["n"] else "-",
                      with_interval(pair["kappa"], pair["kappa_ci"]) if pair["n"] else "no shared items")
    classes = [label for label in ALL_LABELS if any(label in pair["per_class"] for pair in report["pairs"])]
    per_class = Table(title="Kappa per class (that class against the others)",
                      caption="[ ]: as above; -: neither of the two gave that class"
                      + (f"; {few}: as above" if any(pair["few_items"] for pair in report["pairs"]) else ""))
    for column in ("annotator A", "annotator B", *classes):
        per_class.add_column(column)
    for pair in report["pairs"]:
        if pair["per_class"]:
            second = pair["annotators"][1] + (f" {few}" if pair["few_items"] else "")
            per_class.add_row(pair["annotators"][0], second, *(
                with_interval(pair["per_class"][label]["kappa"], pair["per_class"][label]["kappa_ci"])
                if label in pair["per_class"] else "-" for label in classes))
    rows = Table(title=f"Disagreements ({len(report['disagreements'])})")
    for column in ("id", "actor", "labels", "text"):
        rows.add_column(column, overflow="fold")  # ids often share a long prefix: wrap them, never cut them
    for case in report["disagreements"][:show]:
        rows.add_row(case["id"], case["actor"] or "-",
                     ", ".join(f"{a}: {lab}" for a, lab in case["labels"].items()), case["text"])
    return [pairs, per_class, rows] if show > 0 else [pairs, per_class]  # --show 0: the figures alone


def without_nan(obj):
    if isinstance(obj, float) and obj != obj:
        return None
    if isinstance(obj, dict):
        return {k: without_nan(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [without_nan(v) for v in obj]
    return obj


@label_app.command("agreement")
@handle_errors
def agreement_command(
    labels_paths: list[Path] = typer.Argument(..., metavar="LABELS...", help="One or more label files." + STDIN_HELP),
    json_path: Optional[Path] = typer.Option(None, "--json", help="Also write the figures and disagreements here."),
    include_suggested: bool = typer.Option(False, "--include-suggested", help="Count model pre-labels as an annotator."),
    show: int = typer.Option(50, "--show", min=0, help="How many disagreements to list (0: none, only the figures)."),
    n_boot: int = typer.Option(1000, "--n-boot", min=0, help="Bootstrap resamples (by article) for the 95% intervals; 0: none."),
    seed: int = typer.Option(0, "--seed", min=0, help="Seed of the resamples."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No tables (kappa per pair and per class, disagreements); the closing line (Krippendorff's alpha) and warnings stay."),
    judges_given: Optional[list[str]] = typer.Option(None, "--judge", help="Leave out this annotator: a third person who labelled only the others' ties (label gold --ties), whose labels on those items alone would move kappa and alpha. One name."),
) -> None:
    """Inter-annotator agreement: Cohen's kappa per pair and per class, Krippendorff's alpha, disagreements.

    Example: stance label agreement labels_ana.jsonl labels_ben.jsonl --json agreement.json
    """
    from classifier.io.files import json_output, write_json_atomic

    judge = one_judge(judges_given)
    if json_path:
        json_output(json_path, "--json")
    records = read_records(labels_paths)
    files = ", ".join(map(str, labels_paths))
    check_judge(records, judge, files, "no one is left out")
    report = agreement(records, include_suggested=include_suggested, n_boot=n_boot, seed=seed, judge=judge)
    warn_judges(report["judge_like"], "counted as an annotator of those items alone, which moves kappa and alpha; "
                                      "--judge NAME leaves them out")
    if len(report["annotators"]) < 2:
        found = ", ".join(repr(name) for name in report["annotators"]) or "none"
        raise InputError(f"{files}: agreement needs two or more annotators; found {found} (a label file written "
                         "without --annotator names its labeller by the login)")
    if not report["items_multiply_labelled"]:
        raise InputError(f"{files}: no item has labels from two annotators yet "
                         f"({', '.join(repr(name) for name in report['annotators'])} labelled other items)")
    for table in [] if quiet else agreement_tables(report, show):
        out.print(table)
    alpha_items = (f" over {counted(report['items_multiply_labelled'], 'item')} ({few_items_flag(report)})"
                   if report["few_items"] else "")
    no_interval = ""
    alpha = report["krippendorff_alpha"]
    if n_boot and report["krippendorff_alpha_ci"] is None and alpha == alpha:  # a NaN alpha is said undefined
        # the tables' caption says why ("none with fewer than 5 articles"); -q prints the alpha line alone
        from classifier.evaluate import MIN_RESAMPLED_ARTICLES

        no_interval = (f" (no interval: {counted(report['articles'], 'article')}, fewer than "
                       f"{MIN_RESAMPLED_ARTICLES})")
    out.print(f"Krippendorff's alpha (nominal, {numeral(len(report['annotators']))} annotators): "
              f"{with_interval(report['krippendorff_alpha'], report['krippendorff_alpha_ci'])}{alpha_items}"
              f"{no_interval}")
    few = [f"{' and '.join(pair['annotators'])} share {pair['n']}" for pair in report["pairs"] if pair["few_items"]]
    if report["few_items"]:
        few.append(f"alpha is over {report['items_multiply_labelled']}")
    if few:
        warn(f"agreement on fewer than {report['min_items']} items is too few to say much (one item more or less "
             f"moves it by a large step): {'; '.join(few)}; label more items in common")
    if json_path:
        write_json_atomic(json_path, without_nan(report))


def annotators_note(records: list[dict], name: str, shown: int = 5) -> str:
    """The annotators whose labels the files hold, a few of them, and the close name where one is: '--annotator
    bem' said "none by annotator 'bem'" and no more. A name that differs in case alone is the close one (difflib
    found none for '--judge CY' beside 'cy')."""
    from classifier.labels import current_labels

    names = sorted({key[1] for key in current_labels(records, include_suggested=True)} - {NO_ANNOTATOR})
    if not names:
        return ""
    listed = ", ".join(map(repr, names[:shown])) + (f" and {len(names) - shown} more" if len(names) > shown else "")
    close = [known for known in names if known.casefold() == name.casefold()] or difflib.get_close_matches(name, names,
                                                                                                          n=1)
    return f"; the files' annotators: {listed}" + (f" (did you mean {close[0]!r}?)" if close else "")


def one_judge(names: Optional[list[str]]) -> Optional[str]:
    """The one --judge given; a second is refused, not taken in the first's place as an option given twice is: two
    judges who label the same tie apart would leave it undecided, and one label name per judge keeps gold's
    decided_by and agreement's left-out annotator one person."""
    names = list(dict.fromkeys(names or []))
    if len(names) > 1:
        raise InputError(f"--judge {' --judge '.join(map(repr, names))}: give one judge; a tie is decided by one "
                         "person's label, so two judges who label it apart would leave it undecided (to split the "
                         "ties between two people, label them under one judge's name)")
    return names[0] if names else None


def check_judge(records: list[dict], judge: Optional[str], files: str, what: str) -> None:
    """Say so where the label files hold no label by --judge: a typo would leave every tie tied unsaid; a judge who
    has not labelled the ties yet (the first run of a script that names one) is no error."""
    from classifier.labels import current_labels

    if judge is not None and not any(name == judge for _, name in current_labels(records, include_suggested=True)):
        warn(f"{files}: --judge {judge!r} labelled none of these items (yet), so {what}"
             f"{annotators_note(records, judge)}")


def warn_judges(names: list[str], what: str) -> None:
    """Say which annotators labelled only items the others disagree on: a judge of ties, and what counting them does."""
    if names:
        warn(f"{', '.join(map(repr, names))} labelled only items the others disagree on, as a judge of ties does: "
             f"{what}")


@label_app.command("gold")
@handle_errors
def gold_command(
    labels_paths: list[Path] = typer.Argument(..., metavar="LABELS...", help="One or more label files." + STDIN_HELP),
    out_path: Path = typer.Option(..., "--out", "-o", help="Items file to write (.jsonl, .csv or .parquet)."),
    annotator: Optional[str] = typer.Option(None, "--annotator", "-a", help="One annotator's labels (default: majority)."),
    allow_suggested: bool = typer.Option(False, "--allow-suggested", help="Also use model pre-labels (for items no person labelled)."),
    ties_path: Optional[Path] = typer.Option(None, "--ties", help="Also write the tied items, with each annotator's vote and the sentences around each that the label files hold (shown by 'label run' as neighbours), to this .jsonl: label them again (a third person: 'stance label run TIES --labels judge.jsonl') and run gold with that file too."),
    context: int = typer.Option(CONTEXT, "--context", min=0, help="Sentences before and after each tied item that --ties writes with it (of its article, as the label files hold it): those 'label run TIES' shows at the same --context, its default too; a wider one here and there shows more."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace a file in --out that holds other items or labels (without it such a file is refused and left as it is; the same gold set written again is fine)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Taken as by the other label commands, so that a script can pass -q to each; this one prints no table or progress to drop: the closing line (how many items were written, and where), warnings (ties left out) and errors stay."),
    judges_given: Optional[list[str]] = typer.Option(None, "--judge", help="This annotator's label decides the items the others tie on (three ways too) and counts nowhere else; each gold row then records the votes that counted and decided_by (majority or judge). Ties the judge has not labelled stay in --ties. One name: a second is refused."),
) -> None:
    """Write the current labels as plain items, one per id (undos applied, majority of annotators; ties left out).

    A label file without undos or second annotators can go to 'stance classify' as it is; this makes any
    label file into such a file. Example: stance label gold labels_*.jsonl --out gold.jsonl --ties ties.jsonl
    """
    from classifier.io.files import check_not_predictions, output_format, write_records
    from classifier.items import item_record
    from classifier.labels import resolve_labels

    judge = one_judge(judges_given)
    fmt = output_format(out_path, has_option=False)
    if ties_path is not None:
        output_format(ties_path, formats=("jsonl",), has_option=False, option="--ties")
        check_not_input(ties_path, *labels_paths)
        if ties_path.resolve() == out_path.resolve():
            raise InputError(f"--ties {ties_path}: the same file as --out")
        check_not_predictions(ties_path, "--ties")
    check_not_input(out_path, *labels_paths)
    check_not_predictions(out_path)
    records = read_records(labels_paths)
    if judge is not None and annotator is not None:
        raise InputError("--judge decides ties between annotators; --annotator takes one person's labels: give one")
    check_judge(records, judge, ", ".join(map(str, labels_paths)), "every tie stays tied")
    items, counts = resolve_labels(records, annotator=annotator, allow_suggested=allow_suggested, context=context,
                                   judge=judge)
    if not items:
        if ties_path is not None:
            write_records(ties_path, counts["tied"], "jsonl")
        raise InputError(f"{', '.join(map(str, labels_paths))}: no labels to write ({numeral(len(records))} lines"
                         + (f", {numeral(counts['ties'])} ties" if counts["ties"] else "")
                         + (f", none by annotator {annotator!r}{annotators_note(records, annotator)}"
                            if annotator else "")
                         + (f"; no gold file was written, the ties are in {ties_path})" if ties_path and counts["ties"]
                            else "; nothing was written)"))
    # a gold set made from other label files, or mended by hand, cannot be made again from these: replaced if asked
    write_records(out_path, [item_record(item) for item in items], fmt,
                  keep=None if overwrite else f"--out {out_path}: already exists and differs from the "
                                              f"{counted(len(items), 'labelled item')} made now; add --overwrite to "
                                              "replace it, or write to another file (nothing was changed)")
    if ties_path is not None:
        write_records(ties_path, counts["tied"], "jsonl")
    out.print(f"{counted(counts['items'], 'labelled item')} -> {out_path}"
              + (f" ({numeral(counts['suggested'])} of them model suggestions)" if counts["suggested"] else "")
              + (f", {numeral(counts['judged'])} of them ties decided by {judge!r}" if judge else "")
              + (f"; no ties, so {ties_path} is empty" if ties_path and not counts["ties"] else ""))
    if counts["judge_unused"]:
        warn(f"{numeral(counts['judge_unused'])} of {judge!r}'s labels are on items the others did not tie on (or no "
             "one else labelled): a judge decides ties only, so they were not used")
    if annotator is None:  # a second judge beside --judge NAME too: counted as a vote, its decisions 'majority'
        from classifier.labels import current_labels, judges

        warn_judges([name for name in judges(current_labels(records)) if name != judge],
                    "counted as a third vote, which cannot break a tie it does not side with; --judge NAME lets that "
                    "label decide the ties" if judge is None else
                    f"counted as a third vote beside the judge {judge!r} (--judge takes one name): a tie it sided "
                    "with is 'majority', one it did not stays tied; give its labels under the judge's name to count "
                    "them as the judge's")
    if counts["ties"]:
        tied = [str(t["id"]) for t in counts["tied"]]
        listed = ", ".join(tied[:5]) + (f" and {len(tied) - 5} more" if len(tied) > 5 else "")
        where = f"written to {ties_path} to label again" if ties_path else "--ties FILE writes them to label again"
        warn(f"{counted(counts['ties'], 'tied item')} left out of the gold set ({listed}); {where}: leaving them out "
             "keeps the easy items, which flatters a model scored on the rest")
    if counts["alone"]:
        alone = sum(counts["alone"].values())
        by = ", ".join(f"{numeral(count)} by {name!r}" for name, count in counts["alone"].items())
        warn(f"gold items on one person's label alone: {numeral(alone)} of {numeral(counts['items'])} ({by}); no one "
             "else labelled them, so neither a majority nor 'label agreement' stands behind them: have another "
             "person label them, or give --annotator NAME for one person's gold set")
