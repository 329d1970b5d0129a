"""Atomic writes and record readers that name the file and line of every error."""

from __future__ import annotations

import contextlib
import contextvars
import csv
import datetime
import functools
import decimal
import errno
import glob
import io
import itertools
import json
import lzma
import math
import os
import re
import stat
import sys
import tempfile
import warnings
import zlib
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from classifier.errors import InputError, InputWarning, option

TABLE_FORMATS = ("jsonl", "csv", "parquet")


def file_sha256(path: str | Path) -> str:
    """Of a file's bytes, read a MiB at a time, or of a folder's files (names and bytes, in name order: a
    Hugging Face dataset folder)."""
    import hashlib

    path = Path(path)
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]:
        if path.is_dir():
            digest.update(str(file.relative_to(path)).encode() + b"\0")
        with open(file, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


PART_SUFFIXES = (".parquet", ".jsonl")  # the files of a folder of parts (--ray-data's input and output)


def folder_parts(folder: Path) -> list[Path]:
    """The .parquet / .jsonl files of a folder at any depth, in path order, hidden ones (and those of hidden
    folders) left out: what evaluate and report read of a folder of predictions."""
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in PART_SUFFIXES and p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def check_parents(path: Path) -> None:
    """No folder above ``path`` is a file, and the nearest that exists can be written to (a read-only folder or
    disk is named before any work, not after it); missing folders are fine (they are made when it is written)."""
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise InputError(f"{path}: cannot write here, {parent} is a file, not a folder")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise InputError(f"{path}: cannot write here, {parent} is read-only (nothing was written)")
            return


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether two paths are one file: the same path, a symlink to it, or a hard link (same inode)."""
    a, b = Path(a), Path(b)
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def check_given_once(paths: Sequence[str | Path], what: str, hint: str = "", *, apart_from: Sequence[str | Path] = (),
                     apart_what: str = "", apart_hint: str = "") -> None:
    """Refuse, before any work, a file given twice among ``paths`` (the same name, another path to it, a link: one
    file, ``same_file``): ``what`` names the list ("the label files"), ``hint`` says what to do instead. A file of
    ``paths`` that is one of ``apart_from`` too (``apart_what`` names that list; ``apart_hint`` says what to do) is
    refused the same way: a file is given to one role. Only files are compared across lists: a stream (standard input
    by any name, a pipe) for two roles is ``claim_input``'s to refuse, in its words. A path that names no file (nor
    standard input) is left to the reader's own check, "no such file": ``train x.jsonl x.jsonl`` of a missing
    x.jsonl said "given twice"."""
    for index, path in enumerate(paths):
        if not names_stdin(path) and not Path(path).exists():
            continue
        first = next((earlier for earlier in paths[:index] if same_file(earlier, path)), None)
        if first is not None:
            also = "" if str(first) == str(path) else f" (as {first} too)"
            raise InputError(f"{path}: given twice{also} among {what}; give each file once{hint}")

    def a_file(path: str | Path) -> bool:  # not standard input by any name, nor a pipe: claim_input's
        return Path(path).is_file() and stream_of(path) is None

    for path in paths:
        other = next((given for given in apart_from if a_file(path) and a_file(given) and same_file(given, path)),
                     None)
        if other is not None:
            also = "" if str(other) == str(path) else f" (as {other})"
            raise InputError(f"{path}: given among {what} and among {apart_what} too{also}; {apart_hint}")


def check_not_input(out: str | Path, *inputs: str | Path | None, option: str = "--out") -> None:
    """Refuse, before any work, an output that is one of the inputs (it would destroy what it reads), or "-"
    (``check_not_stdout``)."""
    check_not_stdout(out, option)
    for given in inputs:
        if given is not None and same_file(out, given):
            raise InputError(f"{option} {out}: that is the input file {given}; write to another file "
                             "(nothing was changed)")


def check_not_inside(folder: str | Path, *inputs: str | Path | None, option: str = "--out") -> None:
    """Refuse, before any work, an output folder that is replaced whole while it is, or holds, one of the inputs."""
    check_not_stdout(folder, option)
    target = Path(folder).resolve()
    for given in inputs:
        if given is None:
            continue
        where = Path(given).resolve()
        if where == target or target in where.parents:
            raise InputError(f"{option} {folder}: it holds the input {given}, which writing the folder would delete; "
                             "name another folder (nothing was changed)")


def check_writable(path: str | Path, option: str = "--out") -> Path:
    """``path`` can become a file: it is not "-" (``check_not_stdout``; ``option`` names it), a folder, a device, a
    pipe or a socket, and no folder above it is a file. A link is followed: the path returned is the file it points
    to, so that writing it in place (a new file moved over the old) updates the link's file and keeps the link."""
    check_not_stdout(path, option)
    path = Path(path)
    if path.is_symlink():
        path = path.resolve()
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give a file name")
    if path.exists() and not path.is_file():
        raise InputError(f"{path}: not a regular file (a device, a pipe or a socket); outputs are written as a new "
                         "file moved into place, which would replace it: give a file name")
    check_parents(path)
    return path


def check_regular_input(path: str | Path, pipe: bool = False) -> None:
    """Refuse, before it is opened, an input that is neither a regular file nor a folder: a named pipe (``mkfifo``, a
    shell's ``<(cat FILE)``), a device (``/dev/zero`` is read forever) or a socket. A table's readers open it more
    than once (its first bytes tell its compression, a workbook, its encoding, then it is read), so a pipe hung
    waiting for a second writer, or lost its first bytes to the look. ``pipe``: a pipe is read, as a file, where its
    reader reads it once from start to end (a JSON lines label file: ``labels.read_lines``). A missing path (or one
    that cannot be looked at) is left to the reader, which names the problem; a folder to the reader's own rule. A
    terminal (``/dev/stdin`` where nothing was redirected) is named as one (``is_terminal``): "a device" left the
    user to guess which."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode) or (pipe and stat.S_ISFIFO(mode)):
        return
    if stat.S_ISCHR(mode) and is_terminal(path):
        raise InputError(f"{path}: a terminal, not a file; redirect a file into it (< FILE) or give the file's path")
    kind = ("a pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device")
    raise InputError(f"{path}: not a regular file ({kind}); save it to a file first and give that")


TERMINAL_NAMES = ("/dev/tty", "/dev/pts/", "/dev/console")  # what a terminal's path resolves to (macOS: /dev/ttys001)


def is_terminal(path: str | Path) -> bool:
    """Whether the character device ``path`` is a terminal, told without opening it (opening a device can act: a
    watchdog is armed, a serial line's DTR resets the board on it): the standard stream it is (``/dev/stdin`` at a
    terminal), asked (``isatty``); else by the name it resolves to (``TERMINAL_NAMES``)."""
    try:
        device = os.stat(path)
    except (OSError, ValueError):
        return False
    if not stat.S_ISCHR(device.st_mode):
        return False
    for fd in (0, 1, 2):
        try:
            stream = os.fstat(fd)
        except OSError:
            continue
        if stat.S_ISCHR(stream.st_mode) and stream.st_rdev == device.st_rdev:
            return os.isatty(fd)
    return os.path.realpath(path).startswith(TERMINAL_NAMES)


def is_pipe(path: str | Path) -> bool:
    """Whether ``path`` is a pipe (``mkfifo``, a shell's ``<(cat FILE)`` as ``/dev/fd/63``, ``/dev/stdin`` piped
    into): its bytes can be read once only."""
    try:
        return stat.S_ISFIFO(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def read_once(path: str | Path, what: str) -> bytes:
    """The bytes of ``path`` read once, whole, for a reader that reads a pipe as a file (``what``: "the actor
    catalogue", for the error): a device, a socket or a terminal is refused first (``check_regular_input``). All that
    is told of the file (its compression: ``check_not_packed``; a workbook: ``refuse_spreadsheet``) is told from these
    bytes, never by opening it again: a pipe's first bytes, looked at, are gone for the read. "-": standard input
    (``STDIN``, within a session: ``names_stdin``), refused where it is a terminal. A stream given to another reader
    of the session is refused (``claim_input``)."""
    claim_input(path, what)  # one stream, one role: "-", /dev/stdin or a pipe given for two is refused
    if names_stdin(path):
        check_stdin()
        try:
            return sys.stdin.buffer.read()
        except OSError as exc:
            raise InputError(f"-: cannot read {what} from standard input ({exc.strerror or exc})") from None
    check_regular_input(path, pipe=True)
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read {what} ({exc.strerror or exc})") from None


def format_by_content(path: str | Path, head: str, accepts: Callable[[Iterable[str]], bool] | None = None,
                      wanted: str = "a header") -> str:
    """The format, "jsonl" or "csv", of a table whose name says none, told by ``head``, its first text (its first
    line whole, decoded: ``spooled_input``), as no name can tell it (a shell's ``<(cat a.csv)`` is ``/dev/fd/63``):
    JSON lines where its first character that is not blank is "{" (or "[", a JSON array, which the JSON lines reader
    names as one; or where it holds nothing), else a CSV table whose header ``accepts`` (``wanted`` names what it must
    hold, for the error). A CSV table whose first cell starts with "{" is one where its first line is no JSON and its
    header ``accepts``; a line of JSON cut off (a torn last line) is no such header, and stays JSON lines'. Without
    ``accepts`` (a reader that asks no column of the header) any header is a CSV table's, but a first line that
    opens with "{" is JSON lines, malformed: '{"bad' had been a CSV table's header, and its file 'empty'."""
    body = head.removeprefix("\ufeff").lstrip()
    if body[:1] in ("[", ""):
        return "jsonl"
    csv.field_size_limit(CSV_FIELD_LIMIT)  # a header cell of over 128 KB (a line with no comma) was a traceback
    if body[:1] == "{":
        try:
            json.loads(body.split("\n", 1)[0])
            return "jsonl"
        except (ValueError, RecursionError):
            if accepts is None:
                return "jsonl"
        try:
            names = csv_header(Path(path), io.StringIO(head, newline=""))[0]
        except (InputError, csv.Error):
            return "jsonl"
        return "csv" if accepts(names) else "jsonl"
    try:
        names = csv_header(Path(path), io.StringIO(head, newline=""))[0]
    except csv.Error as exc:
        raise InputError(f"{path}:1: read by its content (its name says no format): not JSON lines (its first "
                         f"character is not '{{'), nor a CSV table ({exc})") from None
    # each name cut short: a first line of binary bytes or of one long text is no header
    if accepts is not None and not accepts(names):
        shown = ", ".join(name if len(name) <= 40 else name[:40] + "..." for name in names[:8])
        shown += ", ..." if len(names) > 8 else ""
        raise InputError(f"{path}: read by its content (its name says no format): not JSON lines (its first character "
                         f"is not '{{'), nor a CSV table with {wanted} (its header: {shown})")
    return "csv"


# "-" given for an input: standard input, as Unix tools read it ("./-" names a file called "-")
STDIN = "-"
SPOOL_BLOCK_BYTES = 1 << 20
# the spools of the commands running, innermost last (``Spools``)
_SPOOLS: contextvars.ContextVar = contextvars.ContextVar("spools", default=())
# a spooled file's path (or ``stdout_table``'s) -> the name it was given as, for messages (``named_as_given``): for
# as long as the session that saved it lasts (``spooled_inputs``), whose end removes its entries
_GIVEN: dict[str, str] = {}


class Spools:
    """What one session (``spooled_inputs``) saved: the name given -> the file it was saved to (``saved``), the
    paths it entered in ``_GIVEN`` (``names``), and each stream read (``stream_of``: standard input, a pipe) -> what
    read it and the name it was first given as (``streams``: "a table" for ``spooled_input``, else the reader's
    ``what``), so that one stream given to two readers is refused (``claim_input``)."""

    def __init__(self, stdin: bool = True) -> None:
        self.dash_is_stdin = stdin  # "-" names standard input within it (``names_stdin``)
        self.saved: dict[str, Path] = {}
        self.names: list[str] = []
        self.streams: dict[object, tuple[str, str]] = {}


def given_as(saved: Path, given: str) -> None:
    """Messages name ``saved`` (and it with suffixes) ``given`` for as long as the outermost session lasts."""
    _GIVEN[str(saved)] = given
    sessions = _SPOOLS.get()
    if sessions:
        sessions[0].names.append(str(saved))


# the paths that open file descriptor 0, standard input (``opens_stdin``); /proc/PID/fd/0 of this process too
STDIN_PATHS = ("/dev/stdin", "/dev/fd/0", "/proc/self/fd/0")
STDIN_STREAM = "standard input"  # ``stream_of`` standard input, however it is named


def opens_stdin(path: str | Path) -> bool:
    """Whether ``path`` opens file descriptor 0, standard input, by a path: /dev/stdin, /dev/fd/0, /proc/self/fd/0,
    this process's /proc/PID/fd/0, or a link to one. Links are followed one at a time, each folder above resolved:
    the last link (descriptor 0's own) names the file or pipe behind it, which another name of it opens as well
    (``a.csv`` where standard input is ``< a.csv``: a file, read as often as its readers need)."""
    names = {*STDIN_PATHS, f"/proc/{os.getpid()}/fd/0"}
    try:
        current = os.path.abspath(path)
        for _ in range(40):  # a loop of links ends
            current = os.path.join(os.path.realpath(os.path.dirname(current)), os.path.basename(current))
            if current in names:
                return True
            if not os.path.islink(current):
                return False
            current = os.path.normpath(os.path.join(os.path.dirname(current), os.readlink(current)))
    except (OSError, ValueError):
        pass
    return False


def stream_of(path: str | Path) -> object:
    """The stream an input reads where its bytes can be read once, for ``claim_input``: ``STDIN_STREAM`` for "-"
    (``names_stdin``), a path that opens descriptor 0 (``opens_stdin``: /dev/stdin, /dev/fd/0, /proc/self/fd/0)
    or the pipe that descriptor 0 is; a pipe's (device, inode) for another pipe (``mkfifo``, a shell's
    ``<(cat FILE)``, the same by any name); None for a file, a folder or what cannot be looked at."""
    if names_stdin(path) or opens_stdin(path):
        return STDIN_STREAM
    try:
        found = os.stat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISFIFO(found.st_mode):
        return None
    with contextlib.suppress(OSError):
        if os.path.samestat(found, os.fstat(0)):
            return STDIN_STREAM
    return (found.st_dev, found.st_ino)


def claim_input(path: str | Path, what: str) -> str | None:
    """One stream, one role, the rule in one place: standard input (however named: "-", /dev/stdin, /dev/fd/0,
    /proc/self/fd/0) or a pipe (``stream_of``) given to a second reader of another role in one session (``what``:
    ``prepare - --actors -``, ``report /dev/stdin --gold /dev/stdin``, ``report - --gold /dev/stdin``) is refused in
    one line, where the second read the first one's bytes again (a saved copy, a link read in place) or nothing (a
    pipe read already). A stream given for one role twice is one file, read once (``spooled_input``): the name it was
    first given as is returned, else None (outside a session, or a file, which is read as often as needed)."""
    sessions = _SPOOLS.get()
    if not sessions:
        return None
    stream = stream_of(path)
    if stream is None:
        return None
    first, first_name = sessions[0].streams.setdefault(stream, (what, str(path)))
    if first != what:
        if stream == STDIN_STREAM:
            held, once = "standard input is", "it holds one file"
        else:
            held = "one pipe is" if first_name == str(path) else f"one pipe (as {first_name} too) is"
            once = "it can be read once"
        raise InputError(f"{path}: {held} given for both {first} and {what}, and {once}; give {what} by its path")
    return first_name


# "-" given for an output: standard output, where a command writes its table there (``stdout_table``)
STDOUT = "-"
STDOUT_FORMATS = ("jsonl", "csv")  # text; Parquet is binary, its footer written last


def writes_stdout(path: str | Path | None) -> bool:
    """Whether an output is "-": standard output (a file called "-" is given as ./-: ``command_line_path``)."""
    return path is not None and str(path) == STDOUT


def check_predictions_exist(path: str | Path) -> None:
    """A predictions file (or folder of parts) that is not there: one error, before any reader (or pandas) loads."""
    if not Path(path).exists():
        raise InputError(f"{path}: no such file; write predictions with 'stance classify'")


def check_not_stdout(path: str | Path | None, option: str = "--out") -> None:
    """The rule for "-" as an output, in one place: standard output takes the table of 'stance prepare' and
    'stance classify' (``stdout_table``, which hands none of the output checks a "-"); any other output (a report
    or model folder, a label file, metrics, a Label Studio file) is refused here, before any work, where it made a
    file called "-". ``check_writable``, ``check_not_input`` and ``check_not_inside`` ask it first."""
    if writes_stdout(path):
        raise InputError(f"{option} -: this output cannot go to standard output (only the items of 'stance prepare' "
                         "and the predictions of 'stance classify' without --ray-data can); give a path (./- for a "
                         "file called '-')")


def command_line_path(arg: str) -> str:
    """A command-line argument kept apart from "-": pathlib (and so typer) reads "./-" as "-", standard input or
    output, so an argument that names a file called "-" another way (./-, ./--out=./-'s value) is given as that
    file's absolute path; any other argument is left as it is."""
    if arg != STDIN and os.path.normpath(arg) == STDIN:
        return os.path.abspath(arg)
    return arg


@contextlib.contextmanager
def stdout_table(path: str | Path, fmt: str | None, refused: dict[str, bool] | None = None,
                 option: str = "--out") -> Iterator[tuple[Path, str | None]]:
    """(the output path, its --format) for a command that writes a table (prepare, classify): ``path`` and ``fmt``
    as given, unless ``path`` is "-" (``writes_stdout``). Then the command writes, checks, locks and journals a file
    in a temporary folder (removed when the block ends) as it does any output, JSON lines unless ``fmt`` is csv
    (Parquet is refused), and its bytes go to standard output only when the block ends without an error: nothing
    where it fails or is interrupted, as a file is written whole or not at all. While the block lasts, Python's
    standard output is standard error, so that no table, note or progress line of the command's lands among the
    records. ``refused``: flags that make no sense on standard output (--resume, --overwrite: no earlier run or
    file is there), each refused where it is set. Messages name the temporary file "-" (``named_as_given``)."""
    if not writes_stdout(path):
        yield Path(path), fmt
        return
    for flag, given in (refused or {}).items():
        if given:
            raise InputError(f"{flag}: not with {option} - (standard output holds no earlier run to resume or "
                             "file to replace); give --out a file to use it")
    if fmt is not None and fmt not in STDOUT_FORMATS:
        raise InputError(f"--format {fmt}: not with {option} - (standard output takes "
                         f"{' or '.join(STDOUT_FORMATS)}; Parquet is binary and written whole at its end: give --out "
                         "a .parquet file)")
    if sys.stdout is None:  # >&-: refused before any work, where it ran and then failed at the copy
        raise InputError(f"{option} -: standard output is closed (>&-); give {option} a file, or redirect standard "
                         "output to one")
    import shutil

    fmt = fmt or "jsonl"
    folder = Path(tempfile.mkdtemp(prefix="stance-output-", dir=os.path.realpath(tempfile.gettempdir())))
    stem = folder / "stdout"
    given_as(stem, STDOUT)
    stream = sys.stdout
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield stem.with_suffix(f".{fmt}"), fmt
        copy_to_stdout(stem.with_suffix(f".{fmt}"), stream)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def copy_to_stdout(path: Path, stream) -> None:
    """``path``'s bytes to the standard output ``stream``, a MiB at a time, every byte of each: an unbuffered
    standard output (``PYTHONUNBUFFERED=1``, ``python -u``) is a raw file whose write may take part of a block (a
    pipe whose reader ended, a disk filling up), and the rest was lost, exit 0. A reader that ended first
    (``| head``), a full disk or any other failed write is one line, not a traceback."""
    try:
        stream.flush()
        out = stream.buffer
        with open(path, "rb") as fh:
            while block := fh.read(SPOOL_BLOCK_BYTES):
                view = memoryview(block)
                while view:
                    written = out.write(view)
                    if written is None:  # a non-blocking standard output that is full: wait until it takes more
                        import select

                        select.select([], [out], [])
                        continue
                    view = view[written:]
        out.flush()
    except OSError as exc:
        with contextlib.suppress(OSError, ValueError):  # what is left in the buffer goes nowhere at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
        if isinstance(exc, BrokenPipeError):
            raise InputError("-: standard output was closed before the table was written whole (the command "
                             "reading it ended first)") from None
        raise InputError(f"-: cannot write the table to standard output ({exc.strerror or exc}); what it holds is "
                         "cut off") from None


def check_stdin() -> None:
    """Refuse "-" where standard input is closed or a terminal (nothing piped or redirected: a read would wait for
    typing), each named as what it is."""
    if sys.stdin is None:  # <&-
        raise InputError("-: standard input is closed (<&-); redirect a file into it (< FILE), pipe one in, or give "
                         "the file's path")
    if sys.stdin.isatty():
        raise InputError("-: standard input is a terminal, not a file; redirect a file into it (< FILE), pipe one in, "
                         "or give the file's path")


def names_stdin(path: str | Path) -> bool:
    """Whether ``path`` is "-" standing for standard input: within a session (``spooled_inputs``, which the CLI opens
    around each command; not one a reader opens for itself, ``stdin=False``) only, where a second reader is refused
    (``claim_input``). "-" is a command-line convention: in Python, outside such a session, it is a file called "-",
    to every reader (``read_records("-")`` read standard input where ``prepare_items("-")`` read the file, and a
    second ``read_records("-")`` found it empty: [])."""
    return str(path) == STDIN and any(session.dash_is_stdin for session in _SPOOLS.get())


def reads_once(path: str | Path) -> bool:
    """Whether an input's bytes can be read once only: "-" (standard input, piped or redirected: ``names_stdin``) or
    a pipe (``<(cat FILE)``, ``/dev/stdin`` piped into, ``mkfifo``)."""
    return names_stdin(path) or is_pipe(path)


def names_no_format(path: str | Path) -> bool:
    """Whether ``path`` is a regular file whose name has no suffix to tell its format (``/dev/stdin < a.csv``)."""
    return not Path(path).suffix and Path(path).is_file()


@contextlib.contextmanager
def spooled_inputs(stdin: bool = True) -> Iterator[None]:
    """While it lasts, ``spooled_input`` saves inputs that can be read once (``reads_once``) to files in a temporary
    folder, removed when it ends (an error or Ctrl-C too), and messages name them as given (``named_as_given``,
    which an InputError raised within is passed through), no longer once it ends (a long Python session calls
    it again and again). The CLI runs each command, and writes its error line, inside one
    (``cli.app.handle_errors``). ``stdin``: whether "-" names standard input within it (``names_stdin``); False for
    a session a reader opens for itself, where "-" stays the caller's: a file called "-" in Python."""
    session = Spools(stdin)
    token = _SPOOLS.set(_SPOOLS.get() + (session,))
    try:
        yield
    except InputError as exc:
        raise InputError(named_as_given(str(exc))) from None
    finally:
        _SPOOLS.reset(token)
        import shutil

        for saved in session.saved.values():
            shutil.rmtree(saved.parent, ignore_errors=True)
        for name in session.names:
            _GIVEN.pop(name, None)


def named_as_given(text: str) -> str:
    """``text`` (a message) with each spooled file's path (its suffixes too) replaced by the name it was given as
    ("-", /dev/fd/63)."""
    for saved, given in _GIVEN.items():
        if saved in text:
            text = re.sub(re.escape(saved) + r"(\.[a-z]+)*", lambda _: given, text)
    return text


def given_name(path: str | Path) -> str:
    """The name an input was given as: a spooled file's ("-", /dev/fd/63), else the path itself."""
    return named_as_given(str(path))


def shared_path(path: str | Path, out_dir: str | Path | None = None) -> str:
    """How a file meant to be shared (report.json and the report's page, evaluate --out's JSON, a model card) names
    a path (an input, a model folder), so that it does not show where its author keeps files (/home/alice/...):
    relative to the working directory where the path is inside it (unless that is the filesystem's root), else
    relative to the folder ``out_dir`` is in where the path is beside it (``../preds.jsonl``; a report's), else its
    name alone (``…/preds.jsonl``; a report's provenance still gives its SHA-256, a model id its digest). An input
    read from "-" or a pipe by the name it was given as (``given_name``), not the temporary file it was saved to.
    The one rule for every such file: the terminal names paths as given. A folder reached through a link is
    compared by its real path too (the working directory is known by its real path: "$PWD/preds.jsonl" in a shell
    whose $PWD is a link had been '…/preds.jsonl'); the file keeps the name it was given."""
    if given_name(path) != str(path):
        return given_name(path)
    here = Path.cwd()
    absolute = Path(os.path.abspath(path))  # abspath: no symlinks followed, ".." folded
    forms = dict.fromkeys([absolute, Path(os.path.realpath(absolute.parent)) / absolute.name])
    inside = next((form for form in forms if form.is_relative_to(here)), None)
    if here.parent != here and inside is not None:
        return inside.relative_to(here).as_posix()
    if out_dir is not None:
        folder = Path(os.path.abspath(out_dir)).parent
        for beside in dict.fromkeys([folder, Path(os.path.realpath(folder))]):
            form = next((form for form in forms if form.is_relative_to(beside)), None)
            if form is not None:
                return (Path("..") / form.relative_to(beside)).as_posix()
    return f"…/{absolute.name}"


def spooled_input(path: str | Path, accepts: Callable[[Iterable[str]], bool] | None = None,
                  wanted: str = "a header", encoding: str | None = None, what: str = "a table") -> Path:
    """The file to read a table from: ``path`` itself where it is a file (or a folder, or missing: its reader says
    so), else, where it can be read once only (``reads_once``: "-", a pipe) or its name says no format
    (``names_no_format``: ``/dev/stdin < a.csv``), its bytes saved, a MiB at a time, to a file in a temporary folder
    (never all in memory: a million-line JSON lines table; Parquet, whose footer is read first, needs a file) and
    named by its content as a file of its format would be (``STEM.jsonl``, ``.csv`` or ``.parquet``, ``.gz``, ``.bz2``,
    ``.xz`` or ``.zst`` after it where its bytes are compressed), so that every reader reads it as it reads such a
    file, decompressing it too, and as often as it needs (a first look, a count for the progress bar, --resume).
    Its format is told by its bytes, unpacked where they are compressed: Parquet by its magic number, else JSON lines
    or CSV (``format_by_content``: ``accepts`` and ``wanted``; its first line decoded as a file's text is read,
    ``encoding`` as --encoding: ``head_encoding``); a workbook or a ZIP archive is refused. A device, a
    socket or a terminal is refused unread (``check_regular_input``). The same name (or stream) given twice is read
    once; standard input or a pipe, by any of its names, given for two inputs of other roles (``what``: "the
    predictions" and "--gold") is refused (``claim_input``): one stream cannot be both. Within ``spooled_inputs``
    only (the folder's lifetime)."""
    given = str(path)
    if not (reads_once(path) or names_no_format(path)):
        return Path(path)
    sessions = _SPOOLS.get()
    if not sessions:
        raise RuntimeError("spooled_input is called within spooled_inputs()")
    stdin = names_stdin(given)  # not a file called "-" (a Python caller's)
    if stdin:
        check_stdin()
    # before the look for a saved copy: one stream saved for another role is refused; for this role, it is that copy
    first_name = claim_input(given, what) or given
    for session in sessions:
        for name in (given, first_name):
            if name in session.saved:
                return session.saved[name]
    session = sessions[0]  # saved for the outermost session: a command's, where a reader within it opens its own
    in_place = stdin_in_place(given)  # "-" or /dev/stdin < a regular file: linked, not copied
    if in_place:
        source = None
    elif stdin:
        source = contextlib.nullcontext(sys.stdin.buffer)
    else:
        check_regular_input(path, pipe=True)
        try:
            source = open(path, "rb")
        except OSError as exc:
            raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    folder = Path(tempfile.mkdtemp(prefix="stance-input-", dir=os.path.realpath(tempfile.gettempdir())))
    saved = folder / "input"
    session.saved[given] = saved  # removed with the folder when the session ends, whatever happens next
    given_as(saved, given)  # the file is named by its suffixes later: named_as_given names those too
    try:
        if in_place:
            os.symlink(in_place, saved)
        else:
            with source as stream, open(saved, "wb") as fh:
                while block := stream.read(SPOOL_BLOCK_BYTES):
                    fh.write(block)
    except OSError as exc:
        where = "standard input" if stdin else given
        raise InputError(f"{given}: cannot save {where} to a temporary file in {folder.parent} "
                         f"({exc.strerror or exc}); save it to a file first and give that, or set TMPDIR") from None
    named = saved.with_name(saved.name + told_suffix(saved, accepts, wanted, encoding))
    saved.rename(named)
    session.saved[given] = named
    return named


def stdin_in_place(given: str) -> str | None:
    """Where ``given`` ("-", or a name of standard input such as /dev/stdin) is standard input redirected from a
    regular file and not yet read (``stance classify - < big.jsonl``): a path that opens that file anew, from its
    start, as often as a reader needs, ``/proc/PID/fd/0`` (Linux; this process's id, not "self", so that any process
    reading it reads this one's file, the very file the shell opened even where its name was since replaced), for
    ``spooled_input`` to link to instead of copying the file. None where standard input is a pipe, a file read
    part-way (``{ head -1; stance prepare - ...; } < a.jsonl`` reads on from its offset, as a copy does), not this
    process's file descriptor 0 (a test runner's stream) or where there is no /proc (macOS's /dev/fd/0 shares the
    offset): then its bytes are copied."""
    try:
        if sys.stdin is None or sys.stdin.fileno() != 0:
            return None
        opened = os.fstat(0)
        if not stat.S_ISREG(opened.st_mode) or os.lseek(0, 0, os.SEEK_CUR) != 0:
            return None
        if not names_stdin(given) and not os.path.samestat(os.stat(given), opened):
            return None
    except (OSError, ValueError):  # io.UnsupportedOperation (a stream with no descriptor) is both
        return None
    path = f"/proc/{os.getpid()}/fd/0"
    return path if os.path.exists(path) else None


def told_suffix(saved: Path, accepts: Callable[[Iterable[str]], bool] | None, wanted: str,
                encoding: str | None = None) -> str:
    """The suffixes ``spooled_input`` names a saved input's bytes by: its format's (``.jsonl``, ``.csv``,
    ``.parquet``), then its compression's (``.gz``...), told by its bytes, unpacked where they are compressed, their
    first text decoded as the file's reader will decode it (``encoding``: --encoding; ``chosen_encoding``)."""
    import codecs

    with open(saved, "rb") as fh:
        compression = magic_compression(fh.read(10))
    kind, _ = archive_kind_of(saved)
    problem = kind_problem(kind)
    if problem:
        packed = f"{compression}-compressed, and inside it " if compression else ""
        raise InputError(f"{saved}: {packed}{problem}")
    try:
        with open_binary(saved, compression) as fh:
            head = fh.read(SPOOL_BLOCK_BYTES)
            if not head.startswith(b"PAR1") and b"\n" not in head:
                head += fh.readline(COMPRESSED_LINE_CHARS)  # the first line whole (a long article's JSON)
    except DECOMPRESSION_ERRORS as exc:
        raise damaged(saved, compression, 1, exc) from None
    packed = {"gzip": ".gz", "bz2": ".bz2", "xz": ".xz", "zstd": ".zst"}[compression] if compression else ""
    if head.startswith(b"PAR1"):
        return ".parquet" + packed

    def utf8() -> bool:
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head)  # a character cut off at its end is no error
        except UnicodeDecodeError:
            return False
        return True

    encoding = chosen_encoding(head[:4], encoding, utf8)
    packed_in = f"{compression}-compressed, and inside it " if compression else ""
    unmarked = not (bom_encoding(head[:4]) or wide_encoding(encoding))
    wide = unmarked and unmarked_utf16_problem(head[:BINARY_SAMPLE], TABLE_ENCODING_READERS)
    if wide:
        raise InputError(f"{saved}: {compression}-compressed, and what is inside it {wide}" if compression
                         else f"{saved}: {wide}")
    binary = unmarked and binary_bytes(head[:BINARY_SAMPLE], utf8)
    if binary:
        raise InputError(f"{saved}: {packed_in}binary data, not a table ({binary} in its first bytes); give a JSON "
                         "lines, CSV or Parquet table")
    text = codecs.getincrementaldecoder(encoding)("replace").decode(head)  # the reader names bytes that do not decode
    return "." + format_by_content(saved, text, accepts, wanted) + packed


BINARY_SAMPLE = 8192  # the first bytes ``binary_bytes`` looks at, of a table and of an article file (ingest.decode)
# bytes no text holds: C0 controls but tab, newline, vertical tab, form feed, carriage return and escape
CONTROL_BYTES = bytes(set(range(32)) - set(b"\t\n\x0b\x0c\r\x1b"))
DOS_END = b"\x1a"  # Ctrl-Z, the end-of-file mark DOS editors wrote after a text: not counted where it ends the bytes
# the fewest control bytes that make bytes that are not UTF-8 binary (with 1 in 100 of them): text in a legacy
# encoding holds none but a stray one or two (a pasted character), random bytes without NUL 1 in 10. Measured on
# 28,844 texts of /work/shared/data and seeds/ written out in cp1252 (7,278 of them not UTF-8): with one stray
# control byte each, 1 in 100 alone refused 1,193 of them, and with two 4,189; this minimum, none; every PNG, ZIP,
# gzip, bz2, xz, SQLite and PDF file made to check it holds NUL bytes, and random bytes without NUL of 50 bytes or
# more are refused still (the 50-byte one holds 4)
BINARY_CONTROLS = 3


def binary_bytes(sample: bytes, utf8: Callable[[], bool]) -> str | None:
    """Why ``sample``, the first bytes (``BINARY_SAMPLE``) of a table read by its content (``told_suffix``) or of an
    article file (``ingest.decode``), one rule for both, is binary data and no text, or None: NUL bytes, or, where
    it is not UTF-8 (``utf8``), ``BINARY_CONTROLS`` control bytes or more, and 1 of 100 or more (random bytes hold
    1 in 10; text in a legacy encoding, whose letters do not decode as UTF-8, none, but for a stray one or two, and
    the ``DOS_END`` that may end it, not counted).
    Each caller asks it after a byte-order mark or a UTF-16/32 encoding has had its say. Random bytes piped in as a
    table had been named "nor a CSV table (its header: ...)", the header their garbled first line; an article file
    of them, not UTF-8, was read with --encoding latin-1."""
    if b"\x00" in sample:
        return "NUL bytes"
    text = sample.rstrip(DOS_END)  # a sentence in cp1252 and its Ctrl-Z had been 1 control byte in 100: binary
    controls = len(text) - len(text.translate(None, CONTROL_BYTES))
    if controls >= BINARY_CONTROLS and controls * 100 >= len(sample) and not utf8():
        return "control bytes"
    return None


# UTF-16 without a byte-order mark is told by where its NULs fall (``unmarked_utf16``): the high bytes of ASCII and
# Latin-1 letters, at odd offsets in little-endian text, at even ones in big-endian. At least 1 character in
# UTF16_NUL_SHARE holds one, and at most 1 NUL in UTF16_STRAY_SHARE falls at the other offsets (a character such as
# U+4E00 whose low byte is NUL); UTF-32 text, whose NULs fall at both, and binary files' runs of NULs are neither.
# Text of one alphabet (Cyrillic, Greek, Arabic) holds NULs only in its spaces, digits and punctuation: at least 1
# character in UTF16_ALPHABET_NUL_SHARE, where the high bytes take at most UTF16_ALPHABET_HIGH_BYTES values (Russian:
# 0x00, 0x04, and 0x20 of a dash). CJK text (Chinese, Japanese, Korean), whose high bytes take many values and
# whose NULs are few (its line breaks, spaces and digits; U+3000, U+4E00 put one at the other offsets), is told by
# what it reads as: in one byte order, at least UTF16_CJK_SHARE in 100 of its characters are CJK ones or ASCII
# (``UTF16_CJK``); read in the other order, or from random bytes, about half are.
UTF16_NUL_SHARE = 4
UTF16_STRAY_SHARE = 10
UTF16_ALPHABET_NUL_SHARE = 20
UTF16_ALPHABET_HIGH_BYTES = 6
UTF16_CJK_SHARE = 95
# ASCII, CJK punctuation, kana, Bopomofo, Hangul letters, CJK Unified Ideographs (and extension A), Hangul syllables,
# compatibility ideographs, fullwidth forms
UTF16_CJK = re.compile("[\x00-\x7f\u3000-\u30ff\u3100-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3"
                       "\uf900-\ufaff\uff00-\uffef]")
# the commands whose --encoding a table is read with, named where a table's encoding is to be passed
TABLE_ENCODING_READERS = "prepare or classify"


def unmarked_utf16(sample: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" where ``sample``, the first bytes (``BINARY_SAMPLE``) of a file with no byte-order
    mark, is UTF-16 text mostly of ASCII or Latin-1 letters, or of one alphabet such as Cyrillic, told by the offsets
    of its NUL bytes (``UTF16_NUL_SHARE``, ``UTF16_STRAY_SHARE``, ``UTF16_ALPHABET_NUL_SHARE``), or of CJK, told by
    what it reads as (``cjk_utf16_text``); else None. A sample without NULs (CJK text without a line break or an
    ASCII character, and every legacy encoding: Shift_JIS, GBK, EUC-KR) is not told, and is binary or not UTF-8 as
    other bytes are; so is a sample that does not read as text in the byte order its NULs name (``utf16_text``).
    Russian text had been "binary"."""
    if b"\x00" not in sample:
        return None
    even, odd, characters = sample[0::2].count(0), sample[1::2].count(0), len(sample) // 2
    for nuls, stray, name, high in ((odd, even, "utf-16-le", sample[1::2]), (even, odd, "utf-16-be", sample[0::2])):
        if not nuls or stray * UTF16_STRAY_SHARE > nuls:
            continue
        if nuls * UTF16_NUL_SHARE >= characters:
            return name if utf16_text(sample, name) else None
        if (nuls >= BINARY_CONTROLS and nuls * UTF16_ALPHABET_NUL_SHARE >= characters
                and len(set(high)) <= UTF16_ALPHABET_HIGH_BYTES):
            return name if utf16_text(sample, name) else None
    for name in ("utf-16-le", "utf-16-be"):
        if cjk_utf16_text(sample, name):
            return name
    return None


def cjk_utf16_text(sample: bytes, name: str) -> bool:
    """Whether ``sample`` read as UTF-16 ``name`` is CJK text: text (``utf16_text``) of which ``UTF16_CJK_SHARE`` in
    100 characters or more are CJK or ASCII ones (``UTF16_CJK``), and some CJK. Chinese or Japanese UTF-16 without a
    byte-order mark had been "binary file (NUL bytes in its first bytes)", with no word of UTF-16."""
    text = sample[:len(sample) // 2 * 2].decode(name, "replace")
    told, ascii_ = len(UTF16_CJK.findall(text)), len(text.encode("ascii", "ignore"))
    return told * 100 >= UTF16_CJK_SHARE * len(text) and told > ascii_ and utf16_text(sample, name)


def utf16_text(sample: bytes, name: str) -> bool:
    """Whether ``sample`` read as UTF-16 ``name`` is text: a character or more, and no control character but those
    ``binary_bytes`` lets text hold (tab, line ends, ...). UTF-16 text is written by tools that write no other; a
    binary file of small 16-bit numbers (a NumPy int16 array, quiet PCM audio) has its NULs where UTF-16 text has
    them, but reads as U+0000 and control characters, and so does a short blob such as b"\\x00\\x01\\x02binary"; a
    lone NUL byte had been "UTF-16-BE text"."""
    text = sample[:len(sample) // 2 * 2].decode(name, "replace").rstrip(DOS_END.decode())
    return bool(text) and len(text.translate(dict.fromkeys(CONTROL_BYTES))) == len(text)


def unmarked_utf16_problem(sample: bytes, readers: str = "") -> str | None:
    """What to say of ``sample`` (``unmarked_utf16``) where it is UTF-16 text without a byte-order mark, or None:
    the one rule and words of a table given as a file or on standard input and of an article file, which are
    refused, not read as the encoding guessed: --encoding names it (``readers``: the commands that take it)."""
    name = unmarked_utf16(sample)
    if name is None:
        return None
    to = f" to {readers}" if readers else ""
    return (f"looks like {name.upper()} text without a byte-order mark: pass {option('encoding', name)}{to}, or "
            "re-save it as UTF-8")


# the fields 'stance classify' adds to an item: a row where any of them holds a value is a model's, not people's
SCORES = ("stance_scores", "sentiment_scores")  # the probabilities, which only predictions hold
SCORE_FIELDS = ("stance", "sentiment", *SCORES)


def has_value(value) -> bool:
    """A cell that holds something: not null, not an empty CSV cell, not a NaN (pandas' missing value)."""
    return value is not None and value != "" and not (isinstance(value, float) and math.isnan(value))


def model_output(row: Any) -> list[str]:
    """The fields 'stance classify' adds that hold a value in ``row`` (a record, a CSV row's cells, a Parquet row):
    a field that is there but null or empty (``"stance": null``, an empty CSV column) is no model output."""
    return [key for key in SCORE_FIELDS if isinstance(row, dict) and has_value(row.get(key))]


def is_predictions(row: Any) -> bool:
    """Whether ``row`` is a row of 'stance classify' predictions, told by the fields it writes: a model's scores
    (``stance_scores`` or ``sentiment_scores``) beside the model that made them (``model``, named), the scores
    present even where null, or scores with a value whoever made them, or the Python API's predicted label with its
    ``p_<label>`` columns (``probability_columns``). They take hours to make again: an output that
    would replace a file is refused where its first row is one, and no such row is an answer (``is_answer``). A
    first row whose scores are null is still predictions (it passed as items, and ``prepare --out`` replaced the
    file), while a row of people's labels with empty score columns and no model named (a spreadsheet) is not, nor an
    item with null optional fields. A label file whose first line has any model output (``model_output``, a model's
    label alone too) takes no answers (``labels.LabelStore.check_appendable``)."""
    if not isinstance(row, dict):
        return False
    return (any(key in SCORES for key in model_output(row))
            or (has_value(row.get("model")) and any(key in row for key in SCORES))
            or any(task.field in row and all(column in row for column in columns)
                   for task, columns in probability_columns()))


def probability_columns() -> list:
    """(task, its ``p_<label>`` columns) for each task: the Python API's scored frame (``StanceModel.predict`` on a
    DataFrame, saved with ``to_parquet``) holds the predicted label and these instead of ``stance_scores``; it is
    predictions all the same (``evaluate`` and ``report`` read it as such)."""
    from classifier.tasks import TASKS

    return [(task, tuple(f"p_{label}" for label in task.labels)) for task in TASKS.values()]


def answer_columns(names: Iterable[str]) -> bool:
    """Whether a table's columns (or a JSON record's keys) are those of a label file: a ``label`` and an
    ``annotator``; its rows then say which are people's answers (``is_answer``)."""
    names = set(names)
    return "label" in names and "annotator" in names


def is_label_file_row(row: Any) -> bool:
    """Whether ``row``, a file's first row, opens a label file: a label and an annotator, no model's scores (a
    pre-label or a skipped item may come first: they are no answers, but the file is a label file; a column of a
    model's labels beside people's, without its scores, is a spreadsheet someone made, kept as answers)."""
    return isinstance(row, dict) and answer_columns(row) and not is_predictions(row)


def is_answer(row: Any) -> bool:
    """Whether ``row`` is one of people's answers: a label, an annotator who is no model's pre-label
    (``model:NAME``, ``suggested``), and no model's scores (predictions made from a label file keep its annotator:
    ``is_predictions``)."""
    return (isinstance(row, dict) and row.get("label") is not None
            and isinstance(row.get("annotator"), str) and not row["annotator"].startswith("model:")
            and not row.get("suggested") and not is_predictions(row))


def people_answers(path: Path) -> tuple[int, list[str]]:
    """How many answers people gave in ``path`` and by whom, where it is a label file: JSON lines as 'stance label'
    writes them, or a table the label commands read (CSV, tab- or semicolon-separated under any name, or Parquet),
    whose first row opens a label file (``is_label_file_row``); each row counts where it is an answer
    (``is_answer``). (0, []) for any other file, told by its first JSON object (past a broken first line:
    ``first_json_object``), its header or a Parquet file's schema and first row (only a label file is read
    further, a table's label, annotator, suggested and score columns)."""
    try:
        with open(path, "rb") as fh:
            parquet = fh.read(4) == b"PAR1"
        with contextlib.closing(parquet_answer_rows(path) if parquet else text_answer_rows(path)) as rows:
            first = next(rows, None)
            if not is_label_file_row(first):
                return 0, []
            people = [r["annotator"] for r in (first, *rows) if is_answer(r)]
    except (*DECOMPRESSION_ERRORS, ValueError, csv.Error, InputError):  # unreadable, cut off, binary: no answers
        return 0, []
    return len(people), sorted(set(people))


# what a label table's rows are read for: ``model`` too, as ``is_predictions`` reads it beside the scores
ANSWER_CELLS = ("label", "annotator", "suggested", *SCORE_FIELDS, "model")


# how far the label checks look for a file's first JSON object past lines that are none (a stray header, a line cut
# off, a note): a label file is refused where its first line is broken, and a CSV table is read no further than this
ANSWER_SCAN_LINES = 100
ANSWER_SCAN_CHARS = 1 << 20


def first_json_object(fh, limit: int | None = None) -> dict | None:
    """The first line of the text file ``fh`` that is a JSON object, looked for past lines that are not (blank, a
    header, a line cut off) up to ``ANSWER_SCAN_LINES`` lines and ``ANSWER_SCAN_CHARS`` characters (a line that opens
    with "{" is read whole, however long, or up to ``limit`` more characters: a compressed file's
    ``COMPRESSED_LINE_CHARS``); ``fh`` is then at the line after it. None where there is none so far (a CSV table,
    or no table at all): ``fh`` is back at its start."""
    read = 0
    for _ in range(ANSWER_SCAN_LINES):
        line = fh.readline(ANSWER_SCAN_CHARS - read)
        read += len(line)
        if not line:
            break
        if line.lstrip().startswith("{"):  # only a line that may be an object is parsed: a CSV row is not
            if not line.endswith("\n"):  # cut by the limit: an object's line is read whole (a label of a 1 MB text)
                line += fh.readline(-1 if limit is None else limit)
            try:
                obj = json.loads(line)
            except (ValueError, RecursionError):  # cut off, or not JSON
                obj = None
            if isinstance(obj, dict):
                return obj
        if read >= ANSWER_SCAN_CHARS:
            break
    fh.seek(0)
    return None


def text_answer_rows(path: Path, read_table: Callable[[Iterable[str]], bool] = answer_columns) -> Iterator[dict]:
    """The records of a JSON lines file (None for a line that is no JSON, or a compressed file's line over
    ``COMPRESSED_LINE_CHARS``), or the label, annotator, suggested and score cells of each row of a CSV table whose
    columns ``read_table`` accepts (by default those of a label file, label and annotator; nothing for any other
    text file), read as ``sniffed_text`` reads it (compressed under any name too)."""
    fh, compression = sniffed_text(path)
    with fh:
        opening = first_json_object(fh, COMPRESSED_LINE_CHARS if compression else None)
        if opening is not None:  # JSON lines
            yield opening
            for line in bounded_lines(fh) if compression else fh:
                try:
                    yield None if line is None else json.loads(line)
                except ValueError:  # a line cut off by a kill, or not JSON at all: no answer
                    yield None
            return
        try:
            names, delimiter, before = csv_header(path, fh, COMPRESSED_LINE_CHARS if compression else None)
        except RowTooLong:
            return
        if not read_table(names):
            return
        wanted = [(name, names.index(name)) for name in ANSWER_CELLS if name in names]
        for row in sniffed_rows(fh, delimiter, compression, before):
            cells = {name: (row[i].strip() or None) if i < len(row) else None for name, i in wanted}
            cells["suggested"] = (cells.get("suggested") or "").casefold() in ("true", "1", "yes")  # as CSV holds it
            yield cells


def sniffed_text(path: Path):
    """(text file, its compression) of ``path`` for the checks that tell a file by its first rows (``first_row``,
    ``text_answer_rows``): decompressed where its bytes say it is gzip, bz2, xz or zstd, whatever its name, as every
    reader of a table reads it (``compression_of``; one named .gz whose bytes are not gzip is an InputError), in its
    ``text_encoding``, bytes that do not decode replaced."""
    compression = compression_of(path)
    return open_text(path, text_encoding(path), compression, errors="replace", newline=""), compression


def sniffed_rows(fh, delimiter: str, compression: str | None, before: int = 0) -> Iterator[list[str]]:
    """The rows after the header of the CSV text ``fh`` (at its start), as ``sniffed_text`` opened it, ``before``
    records before the header (``csv_header``'s): a compressed one's rows up to the first over
    ``COMPRESSED_LINE_CHARS`` characters (``RowBound``), where they stop."""
    csv.field_size_limit(CSV_FIELD_LIMIT)
    lines = RowBound(bounded_lines(fh)) if compression else fh
    rows = csv.reader(lines, delimiter=delimiter)
    try:
        for _ in range(before + 1):  # the header, and a spreadsheet's delimiter hint before it
            next(rows, None)
        while True:
            if compression:
                lines.chars = 0  # each row is bounded, not the rows together
            row = next(rows, None)
            if row is None:
                return
            yield row
    except RowTooLong:
        return


def parquet_answer_rows(path: Path, read_table: Callable[[Iterable[str]], bool] = answer_columns) -> Iterator[dict]:
    """The label, annotator, suggested and score values of each row of a Parquet table whose columns ``read_table``
    accepts (by default label and annotator; nothing for another table): the schema says which it is, and only
    those columns are read."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.ParquetFile(path)
        names = table.schema_arrow.names
        if not read_table(names):
            return
        check_not_bomb(path, table.metadata)
        wanted = [name for name in ANSWER_CELLS if name in names]
        for batch in table.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=wanted):
            yield from batch.to_pylist()
    except pa.ArrowException as exc:  # a cut-off or damaged file: read as no answers, as an unreadable text file
        raise ValueError(str(exc)) from None


def check_not_labels(path: str | Path, option: str = "--out") -> None:
    """Refuse, before any work, an output that would replace a label file holding people's answers: every other
    output can be made again by rerunning its command, those answers cannot (written over by a mistyped --out)."""
    path = Path(path)
    if not path.is_file():
        return
    check_not_workbook(path, option)
    n, people = people_answers(path)
    if n:
        shown = ", ".join(people[:3]) + (" and more" if len(people) > 3 else "")
        raise InputError(f"{option} {path}: a label file holding {n} answer{'s' if n != 1 else ''} by people "
                         f"({shown}), which writing it would replace; write to another file (nothing was changed)")


def check_not_workbook(path: Path, option: str = "--out") -> None:
    """Refuse an output that would replace a spreadsheet workbook, told by its bytes, unpacked where they are
    compressed, as the readers tell one (``archive_kind_of``), whatever its name: no command writes one, so it is
    someone's sheet (saved as "labels.csv"), perhaps of labels that no check can read."""
    kind, compression = archive_kind_of(path)  # one it cannot open: the writer names the problem
    if kind in SPREADSHEET_SUFFIXES:
        packed = f"{compression}-compressed, " if compression else ""
        raise InputError(f"{option} {path}: a spreadsheet workbook ({packed}{kind}, by its bytes), which writing it "
                         "would replace; write to another file (nothing was changed)")


def has_label_column(names: Iterable[str]) -> bool:
    return "label" in names


def has_labels(path: Path) -> bool:
    """Whether some row of ``path`` holds a label and no model's output, where its first row has a ``label`` field (a
    column) and no model's output: a gold set, labelled items, someone's labelled spreadsheet with or without an
    annotator column, told by its bytes as ``people_answers`` tells a label file. False for any other file (items,
    predictions, a file it cannot read): only such a file is read further, up to its first labelled row."""
    try:
        with open(path, "rb") as fh:
            parquet = fh.read(4) == b"PAR1"
        reader = parquet_answer_rows if parquet else text_answer_rows
        with contextlib.closing(reader(path, has_label_column)) as rows:
            first = next(rows, None)
            if not isinstance(first, dict) or "label" not in first or model_output(first):
                return False
            return any(isinstance(row, dict) and has_value(row.get("label")) and not model_output(row)
                       for row in itertools.chain([first], rows))
    except (*DECOMPRESSION_ERRORS, ValueError, csv.Error, InputError):  # unreadable, cut off, binary: none it can tell
        return False


def check_not_labelled(path: str | Path, option: str = "--out") -> None:
    """Refuse, before any work, an output of 'stance prepare' or 'stance classify' that would replace a file of
    people's labels without an annotator (``has_labels``: a gold set, labelled items, a labelled spreadsheet);
    a label file with annotators is ``check_not_labels``'. 'stance label gold' replaces a gold set by its own rule
    (the same rows, or --overwrite)."""
    path = Path(path)
    if path.is_file() and has_labels(path):  # told by its first labelled row: a million rows are not counted
        raise InputError(f"{option} {path}: a file of people's labels (rows with a label and no model's output: a "
                         "gold set, labelled items or a labelled spreadsheet), which writing it would replace; write "
                         "to another file (nothing was changed)")


def check_not_predictions(path: str | Path, option: str = "--out") -> None:
    """Refuse, before any work, an output of another command (items, a gold set) that would replace a file of
    'stance classify' predictions, told by its first row's scores: they can take hours to make again, and a
    mistyped --out (prepare's for classify's) would drop them. 'stance classify' replaces its own only with
    --overwrite. The file is told by what it holds, whatever its name or the --format asked for."""
    path = Path(path)
    if not path.is_file():
        return
    try:
        first = first_row(path)
    except (*DECOMPRESSION_ERRORS, InputError, ValueError, csv.Error):
        return  # unreadable or empty: not predictions anyone can use
    if is_predictions(first):
        model = f" by {first['model']}" if first.get("model") else ""
        raise InputError(f"{option} {path}: a file of predictions{model} (from 'stance classify' or the Python API's "
                         "predict), which writing it would replace; write to another file, or remove it first (nothing "
                         "was changed)")


def first_row(path: Path) -> dict | None:
    """The first row of a table told by its bytes, not its name: Parquet (its magic number; a decompression bomb
    is refused first), JSON lines (its first line that is a JSON object, ``first_json_object``) or CSV (a header
    and a row), compressed too (``sniffed_text``); None where it has none."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    with open(path, "rb") as fh:
        if fh.read(4) == b"PAR1":
            try:
                table = pq.ParquetFile(path)
                check_not_bomb(path, table.metadata)  # its first row group is unpacked whole to read one row
                batch = next(table.iter_batches(batch_size=1), None)
            except pa.ArrowException as exc:
                raise ValueError(str(exc)) from None
            return batch.to_pylist()[0] if batch is not None and batch.num_rows else None
    fh, compression = sniffed_text(path)
    with fh:
        limit = COMPRESSED_LINE_CHARS if compression else None
        first = first_json_object(fh, limit)  # past a broken first line: predictions whose first line was cut are kept
        if first is not None:
            return first
        try:
            names, delimiter, before = csv_header(path, fh, limit)
        except RowTooLong:
            return None
        row = next(sniffed_rows(fh, delimiter, compression, before), None)
        return dict(zip(names, row)) if row is not None else None


def output_format(path: str | Path, fmt: str | None = None, formats: Iterable[str] = TABLE_FORMATS,
                  has_option: bool = True, option: str = "--out") -> str:
    """The format of an output file, checked before any work is done: ``fmt`` (from ``--format``)
    or the extension, which must name one of ``formats``; the path must be writable as a file, and not a label file
    of people's answers (``option`` names it then). ``has_option``: whether the command has a ``--format`` to name
    in the error."""
    formats = tuple(formats)
    if Path(path).suffix.lower() in COMPRESSED_SUFFIXES:
        raise InputError(f"{option} {path}: outputs are not written compressed; name it without "
                         f"{Path(path).suffix} and compress it afterwards (gzip FILE) if you need to")
    check_writable(path, option)
    check_not_labels(path, option)
    named = format_of(path, default="")
    if fmt and named and fmt != named:
        warnings.warn(f"--format {fmt} writes {fmt.upper()} into {Path(path).name}, whose name says {named}",
                      InputWarning, stacklevel=2)
    chosen = fmt or named
    if chosen not in formats:
        suffixes = ", ".join(f".{f}" for f in formats)
        if fmt:
            raise InputError(f"--format {fmt}: expected one of {', '.join(formats)}")
        raise InputError(f"{path}: unknown output extension {Path(path).suffix or '(none)'!r}; "
                         f"use {suffixes}" + (" (or --format)" if has_option else ""))
    return chosen


def json_output(path: str | Path, option: str = "--out") -> Path:
    """A JSON output file (metrics, tasks), checked before any work is done (``option``: what named it)."""
    path = check_writable(path, option)
    if path.suffix.lower() != ".json":
        raise InputError(f"{path}: this output is JSON; give it a .json name")
    return path


@contextlib.contextmanager
def atomic_path(path: str | Path, keep: str | None = None,
                same: Callable[[Path, Path], bool] | None = None, replace_link: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place only if the block succeeds. ``keep``: the error
    raised, the file left as it was, where ``path`` exists and the new file's bytes differ from it (an output
    replaced only with --overwrite; the same bytes written again change nothing), unless ``same(new, old)`` says
    they hold the same content all the same (``same_rows``: a table's rows in another order). A link in ``path`` is
    followed (the file it points to is replaced, the link kept: ``check_writable``), unless ``replace_link``: then
    the link itself is replaced by the new file and what it points to left as it was (a hidden file of the tool's
    own, such as a label file's kept scores, which a link put there must never get written through)."""
    import filecmp

    if replace_link and Path(path).is_symlink():
        path = Path(path)
        check_parents(path)
    else:
        path = check_writable(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise InputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        if (keep is not None and path.is_file() and not filecmp.cmp(tmp_path, path, shallow=False)
                and not (same is not None and same(tmp_path, path))):
            raise InputError(keep)
        os.chmod(tmp_path, 0o666 & ~umask())  # mkstemp makes 0600; give the file the usual mode
        try:
            os.replace(tmp_path, path)
        except OSError as exc:
            raise InputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def lock_exclusively(fd: int) -> None:
    """Wait for an exclusive flock on an open file (dropped when it is closed); where there is none (Windows, or
    a network or FUSE mount that refuses locks: ENOLCK, EOPNOTSUPP), go on unlocked, as before locks were taken."""
    try:
        import fcntl
    except ImportError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError:  # not a full disk: the write still goes on
        return


@contextlib.contextmanager
def output_lock(path: str | Path, command: str = "run", wait: bool = False) -> Iterator[None]:
    """Hold an exclusive lock on ``path``'s output for the block: a second run writing the same file (two
    terminals, a job started twice) stops at once with one line instead of doing the work again into one journal.
    The lock is an ``flock`` on ``.NAME.lock`` beside it (the system drops it when the process ends, even killed),
    removed when the block ends (a link in its place is removed, and never written through). A run that locked the
    file another had just removed sees that its file is gone and locks the new one, so two runs never both hold it.
    Where POSIX has no flock (Windows), the block runs unlocked. ``wait``: wait for the other's block to end instead
    (a write of a moment, as a labelling session's kept scores), and where the mount has no locks go on unlocked
    (``lock_exclusively``)."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock
        yield
        return
    path = Path(path).absolute()
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.with_name(f".{path.name}.lock")
    while True:
        try:  # never through a link put in its place: the lock is truncated and written, and so would be its target
            handle = os.fdopen(os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o666), "r+")
        except OSError as exc:
            if exc.errno != errno.ELOOP:
                raise
            lock.unlink(missing_ok=True)  # the link, not what it points to; the next turn makes the lock file
            continue
        try:
            if wait:
                lock_exclusively(handle.fileno())
            else:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip()
            handle.close()
            raise InputError(f"{path}: another {command} is writing it{f' (process {holder})' if holder else ''}; "
                             "wait for it to end, or give another --out") from None
        try:
            current = os.stat(lock).st_ino
        except FileNotFoundError:
            current = None
        if current == os.fstat(handle.fileno()).st_ino:
            break
        handle.close()  # the file this run locked was removed by the run that held it: lock the one there now
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        lock.unlink(missing_ok=True)  # still locked: a run that opens it now finds it removed and starts again
        handle.close()


def usual_modes(folder: Path) -> None:
    """A folder and everything in it with the modes the umask gives (mkdtemp makes 0700, some writers 0600)."""
    for written in folder.rglob("*"):
        if written.is_symlink():  # a link staged_update kept: chmod would follow it out of the folder (or fail on
            continue              # a link to nothing); a link has no modes of its own on Linux
        if not written.is_dir() and written.stat().st_nlink > 1:  # a hard link (staged_update) to a file of the
            continue                                                # folder being replaced: its modes are its own
        written.chmod((0o777 if written.is_dir() else 0o666) & ~umask())
    folder.chmod(0o777 & ~umask())


def in_place_of(filename, temporary: Path, final: Path):
    """An OSError's ``filename`` with a file under the hidden ``temporary`` folder named as the path it stands for
    under ``final`` (the folder, or the output, the user asked for); any other filename as it was."""
    if not isinstance(filename, (str, os.PathLike)):
        return filename
    try:
        inside = Path(filename).absolute().relative_to(Path(temporary).absolute())
    except ValueError:
        return filename
    return str(final / inside) if inside.parts else str(final)


def os_error_in(exc: BaseException) -> OSError | None:
    """The OSError behind an error a library raised in its stead while it wrote a file (a full disk, ``ulimit -f``):
    torch.save's zip writer raises a RuntimeError ("unexpected pos 704 vs 598") whose context is the write's
    OSError; safetensors a SafetensorError whose words end "(os error 27)". None where it names none."""
    seen, depth = exc, 0
    while seen is not None and depth < 8:
        if isinstance(seen, OSError):
            return seen
        seen, depth = seen.__context__, depth + 1
    found = re.search(r"\(os error (\d+)\)", str(exc))
    if found:
        code = int(found.group(1))
        return OSError(code, os.strerror(code))
    return None


@contextlib.contextmanager
def staged_folder(final: str | Path) -> Iterator[Path]:
    """A hidden folder beside ``final`` to build a whole folder in (a model, a report), swapped into place
    when the block ends without an error: a kill or a full disk leaves the earlier folder as it was (a kill
    between the swap's two renames leaves it as ``.NAME.old.stage``, put back by the next write). Files get the
    usual modes (mkdtemp makes 0700, some writers 0600); stages a killed run left are removed."""
    import shutil

    final = Path(final).absolute()
    final.parent.mkdir(parents=True, exist_ok=True)
    backup = final.with_name(f".{final.name}.old.stage")
    if backup.is_dir() and not final.exists():  # a kill between the swap's two renames: the earlier folder, back
        backup.rename(final)
    for stale in final.parent.glob(f".{glob.escape(final.name)}.*.stage"):
        shutil.rmtree(stale, ignore_errors=True)
    try:
        stage = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".stage", dir=final.parent))
    except OSError as exc:  # name the folder asked for, not our hidden stage beside it
        raise InputError(f"{final}: cannot write a folder there ({exc.strerror or exc})") from None
    try:
        try:
            yield stage
        except OSError as exc:  # a full disk names the file asked for (REPORT/timeline.csv), not our hidden stage
            exc.filename = in_place_of(exc.filename, stage, final)
            raise
        except Exception as exc:  # noqa: BLE001  (a model's weights: safetensors says a full disk in its own error)
            found = os_error_in(exc)
            if found is None:
                raise
            found.filename = in_place_of(found.filename, stage, final) if found.filename else str(final)
            raise found from None
        usual_modes(stage)
        if final.exists():
            shutil.rmtree(backup, ignore_errors=True)
            final.rename(backup)
            stage.rename(final)
            shutil.rmtree(backup, ignore_errors=True)
        else:
            stage.rename(final)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


@contextlib.contextmanager
def staged_update(folder: str | Path) -> Iterator[Path]:
    """``staged_folder`` for changing a few files of an existing folder (a model's settings and card) as one step:
    the stage starts with the folder's files, hard links to them (copies where the filesystem has none, so that
    weights of hundreds of MB are not copied), and the whole is swapped into place when the block ends. A file
    changed in the stage must be replaced (``write_text_atomic``), never written in place: a link shares its file
    with the folder being replaced. A link to the folder stays one: the folder it points to is staged and
    replaced."""
    import shutil

    folder = Path(folder).resolve()

    def link_or_copy(source: str, target: str) -> None:  # shutil links or copies, never the one else the other
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)

    with staged_folder(folder) as stage:
        try:
            shutil.copytree(folder, stage, symlinks=True, dirs_exist_ok=True, copy_function=link_or_copy)
        except (OSError, shutil.Error) as exc:
            raise InputError(f"{folder}: cannot write beside it ({getattr(exc, 'strerror', None) or exc})") from None
        yield stage


def remove_stale_temporaries(path: str | Path, folders: tuple[str, ...] = (".parts",)) -> None:
    """Remove what a run writing ``path`` left beside it when it was killed: ``.NAME.*.tmp`` files (atomic
    writes) and ``.NAME.*SUFFIX`` folders for the suffixes in ``folders`` (``.parts``: Parquet parts).
    Only for an output no other run is writing."""
    import shutil

    path = Path(path)
    for stale in path.parent.glob(f".{glob.escape(path.name)}.*"):
        if stale.is_file() and stale.name.endswith(".tmp"):
            stale.unlink()
        elif stale.is_dir() and stale.name.endswith(folders):
            shutil.rmtree(stale)


def umask() -> int:
    """The process's file-creation mask (read without changing it)."""
    current = os.umask(0)
    os.umask(current)
    return current


@contextlib.contextmanager
def named_as(path: str | Path, tmp: Path) -> Iterator[None]:
    """An OSError of the block, which writes ``tmp`` (a full disk, a file-size limit), names ``path``, the file
    it stands for, where it names ``tmp`` or no file at all."""
    try:
        yield
    except OSError as exc:
        exc.filename = in_place_of(exc.filename, tmp, Path(path)) if exc.filename else str(path)
        raise


def write_text_atomic(path: str | Path, text: str) -> None:
    with atomic_path(path) as tmp, named_as(path, tmp):
        tmp.write_text(text, encoding="utf-8")


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    with atomic_path(path) as tmp, named_as(path, tmp):
        tmp.write_bytes(data)


def write_json_atomic(path: str | Path, obj: Any) -> None:
    write_text_atomic(path, json.dumps(obj, indent=2, ensure_ascii=False, default=str) + "\n")


# workbooks of Excel and LibreOffice: not read (openpyxl, xlrd or odfpy would be a dependency for what one "Save as"
# does, and a workbook's sheets, formulas and typed cells are not one table); named, so the error can say what to do
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


SAVE_AS_CSV = "save the sheet as CSV (UTF-8), or as Parquet, and give that file"
ZIP_MAGIC = b"PK\x03\x04"  # a ZIP archive's first local file header: .xlsx, .xlsm and .ods are ZIP archives
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a compound document: Excel 97-2003's .xls (or another Office file)
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# word-processor documents (Word's .docx, LibreOffice's .odt) are ZIP archives too: told apart so that an article
# saved from Word under a .txt name is told to be saved as plain text, not to be unzipped
DOCUMENT_SUFFIXES = (".docx", ".odt")
# a PDF's header, its first bytes: a PDF saved under an article's name (report.html) had been "binary file (NUL
# bytes ...; if it is UTF-16 text ..., pass --encoding utf-16-le)", or, with no NUL byte near its start, "not UTF-8
# text ... pass --encoding cp1252", whose advice read it as an article of its markup
PDF_MAGIC = b"%PDF-"


def archive_kind(fh) -> str | None:
    """What the binary file ``fh`` (seekable, at its start) is by its bytes, whatever its name: a spreadsheet
    workbook (".xlsx", ".xlsm", ".ods", ".xls"), a word-processor document (".docx", ".odt"), a PDF (".pdf", by its
    header), another ZIP archive ("zip"), or None for any other file. Only the ZIP directory (and an .ods's or
    .odt's ``mimetype`` entry) is read, never a sheet. By hand: no library tells a workbook without opening the
    whole of it (openpyxl, odfpy), and none is a dependency."""
    import zipfile

    start = fh.read(8)
    if start == OLE2_MAGIC:
        return ".xls"  # or a Word 97 .doc, rare where a table is given
    if start.startswith(PDF_MAGIC):
        return ".pdf"
    if not start.startswith(ZIP_MAGIC):
        return None
    try:
        fh.seek(0)
        with zipfile.ZipFile(fh) as archive:
            names = archive.namelist()
            mimetype = archive.open("mimetype").read(len(ODS_MIMETYPE) + 1) if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError):
        return "zip"  # cut off, damaged or encrypted: a ZIP archive all the same
    if "[Content_Types].xml" in names and any(name.startswith("xl/") for name in names):
        return ".xlsm" if "xl/vbaProject.bin" in names else ".xlsx"
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return ".docx"
    return {ODS_MIMETYPE: ".ods", ODT_MIMETYPE: ".odt"}.get(mimetype, "zip")


def archive_kind_of(path: str | Path) -> tuple[str | None, str | None]:
    """(``archive_kind``, compression) of the file ``path``: of its bytes, or where they are gzip, bz2, xz or zstd
    compressed (``compression_of``), of its unpacked bytes, with that compression; (None, None) for any other file
    and for one that cannot be opened or unpacked (its reader names the problem)."""
    try:
        with open(path, "rb") as fh:
            kind = archive_kind(fh)
    except OSError:
        return None, None
    if kind:
        return kind, None
    try:
        compression = compression_of(path)
        if compression:
            with open_binary(path, compression) as fh:
                return archive_kind(fh), compression
    except (*DECOMPRESSION_ERRORS, InputError):  # a name that says another compression, data cut off
        pass
    return None, None


def archive_problem(fh) -> str | None:
    """What is wrong with reading the binary file ``fh`` as text (``archive_kind``): a spreadsheet workbook saved
    under another name (a ``.csv`` that is an .xlsx), or a ZIP archive that is none; None for any other file."""
    return kind_problem(archive_kind(fh))


def kind_problem(kind: str | None) -> str | None:
    """``archive_problem``'s words for an ``archive_kind``."""
    if kind == "zip":
        return "a ZIP archive, not text or a table; unzip it and give the file it holds (JSON lines, CSV or Parquet)"
    if kind == ".pdf":
        return ("a PDF document (by its bytes) is not read; save its text as plain text (.txt, UTF-8), e.g. with "
                "'pdftotext FILE', and give that file")
    if kind in DOCUMENT_SUFFIXES:
        return (f"a word-processor document ({kind}, by its bytes) is not read; save it as plain text (.txt, UTF-8) "
                "and give that file")
    return kind and f"a spreadsheet workbook ({kind}, by its bytes) is not read; {SAVE_AS_CSV}"


def refuse_spreadsheet(path: str | Path, data: bytes | None = None) -> None:
    """A workbook given where a table, a label file or a manifest is read, named so (``SPREADSHEET_SUFFIXES``) or
    told by its bytes whatever its name (``archive_problem``; a ZIP archive that is no workbook too): one line
    saying to save it as CSV, where reading it as text would say it is not UTF-8. ``data``: a pipe's bytes, read
    once (``read_once``), told by those (not unpacked: compressed ones are refused as such)."""
    suffix = Path(path).suffix.lower()
    if suffix in SPREADSHEET_SUFFIXES:
        raise InputError(f"{path}: a spreadsheet workbook ({suffix}) is not read; {SAVE_AS_CSV}")
    if data is not None and not Path(path).is_file():
        problem = archive_problem(io.BytesIO(data))
        if problem:
            raise InputError(f"{path}: {problem}")
        return
    if not Path(path).is_file():  # a folder, a pipe: read by its own rule (a pipe's bytes could be read once only)
        return
    kind, compression = archive_kind_of(path)  # a workbook gzip'd (book.jsonl.gz) too, told by its unpacked bytes
    problem = kind_problem(kind)
    if problem:
        raise InputError(f"{path}: {compression}-compressed, and inside it {problem}" if compression
                         else f"{path}: {problem}")


# Compressed tables (articles.jsonl.gz, news dumps and Common Crawl-derived sets): read through the standard
# library's gzip, bz2 and lzma, and zstd through pyarrow's codec (``ZstdReader``: Python 3.11 has no zstd), a block
# at a time, never unpacked whole. Told by the file's first bytes (a compressed file under a plain name is read too);
# its name's suffix before the compression's names the format (x.jsonl.gz: JSON lines). Nothing is written
# compressed.
COMPRESSIONS = {".gz": "gzip", ".bz2": "bz2", ".xz": "xz", ".zst": "zstd", ".zstd": "zstd"}
COMPRESSED_SUFFIXES = tuple(COMPRESSIONS)
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
# a zstd skippable frame's magic number, 0x184D2A50 to 0x184D2A5F little-endian: ``pzstd`` (zstd's parallel tool)
# opens every file with one, which zstd and pyarrow's codec read past
ZSTD_SKIPPABLE = re.compile(rb"[\x50-\x5f]\x2a\x4d\x18")
BZ2_BLOCKS = (b"1AY&SY", b"\x17rE8P\x90")  # after "BZh" and the block size: a block, or the end of an empty stream


def magic_compression(start: bytes) -> str | None:
    """The compression a file's first 10 bytes show: "gzip", "bz2", "xz", "zstd" or None. bzip2's "BZh" counts
    only with its block size and block magic after it: a CSV header may start with those three letters. A zstd file
    may open with a skippable frame (``ZSTD_SKIPPABLE``, as ``pzstd`` writes), whose fourth byte, 0x18, no text
    holds."""
    if start.startswith(b"\x1f\x8b"):
        return "gzip"
    if start.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if start.startswith(ZSTD_MAGIC) or ZSTD_SKIPPABLE.match(start):
        return "zstd"
    if start[:3] == b"BZh" and start[3:4].isdigit() and start[4:10] in BZ2_BLOCKS:
        return "bz2"
    return None


UNPACK = {"gzip": "gunzip", "bz2": "bunzip2", "xz": "unxz", "zstd": "zstd -d"}  # the command that undoes each


def packed_as(path: str | Path) -> str | None:
    """The compression ``path``'s first bytes show (``magic_compression``), for a reader of plain text only; None
    for a file that is not compressed, is no regular file (a pipe's bytes can be read once only) or cannot be read
    (its reader names the problem)."""
    try:
        if Path(path).is_file():
            with open(path, "rb") as fh:
                return magic_compression(fh.read(10))
    except OSError:
        pass
    return None


def check_not_packed(path: str | Path, what: str, data: bytes | None = None) -> None:
    """Refuse, in one line saying how to undo it, a compressed file where ``what`` ("the actor catalogue") is read
    as plain text only: it had been "not UTF-8 text" or a decoder's message about byte 0x8b. ``data``: the bytes
    read once (``read_once``), where a pipe's are told by those (``packed_as`` looks at a regular file only)."""
    found = magic_compression(data[:10]) if data is not None else packed_as(path)
    if found:
        raise InputError(f"{path}: {found}-compressed; {what} is read as plain text: decompress it "
                         f"('{UNPACK[found]}') and give the file it holds")


def table_suffix(path: str | Path) -> str:
    """The suffix that names a table's format, lower case: the one before a compression's (``x.jsonl.gz``:
    ".jsonl"), else the last ("" for none)."""
    path = Path(path)
    if path.suffix.lower() in COMPRESSED_SUFFIXES:
        path = Path(path.stem)
    return path.suffix.lower()


def compression_of(path: str | Path) -> str | None:
    """How ``path`` is compressed ("gzip", "bz2", "xz", "zstd") or None, by its first bytes; a file whose name says
    one compression (``.gz``, ``.bz2``, ``.xz``, ``.zst``) and whose bytes say none or another is refused in one
    line. A file that cannot be opened is None: its reader names the problem."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            start = fh.read(10)
    except OSError:
        return None
    found, suffix = magic_compression(start), path.suffix.lower()
    named = COMPRESSIONS.get(suffix)
    if named and found != named:
        what = f"{found} data" if found else ("empty" if not start else "not compressed")
        raise InputError(f"{path}: named {suffix}, but it is {what} (not {named} data, by its bytes); rename it")
    return found


# what reading a cut-off or damaged compressed file raises: gzip.BadGzipFile and bz2's "Invalid data stream" are
# OSErrors without an errno (``is_damaged`` tells them from a disk's errors)
DECOMPRESSION_ERRORS = (EOFError, OSError, zlib.error, lzma.LZMAError)


def is_damaged(exc: BaseException, compression: str | None) -> bool:
    """Whether ``exc``, raised reading a file compressed as ``compression``, says its data is cut off or damaged."""
    if compression is None:
        return False
    return not isinstance(exc, OSError) or exc.errno is None


def damaged(path: str | Path, compression: str, line: int, exc: BaseException) -> InputError:
    """The one-line error for compressed data cut off or damaged, at the first line that could not be read whole."""
    return InputError(f"{path}:{line}: {compression} data cut off or damaged ({exc})")


def open_binary(path: str | Path, compression: str | None = None):
    """``path``'s bytes, decompressed as ``compression`` says (``compression_of``), streamed a block at a time."""
    if compression is None:
        return open(path, "rb")
    import bz2
    import gzip

    if compression == "zstd":
        return io.BufferedReader(ZstdReader(path))
    return {"gzip": gzip.open, "bz2": bz2.open, "xz": lzma.open}[compression](path, "rb")


class ZstdReader(io.RawIOBase):
    """A zstd file's bytes, unpacked a block at a time by pyarrow's zstd codec (a dependency already; Python 3.11's
    standard library has no zstd). Not the ``zstandard`` package: its reader ends a cut-off file without a word, as
    if the file ended there, where this raises an OSError without an errno, as gzip does (``is_damaged``); a
    checksum that fails too. It seeks as ``gzip`` does, by unpacking: forward by reading, back by opening it again
    from the start (the checks read a table's first lines, then read it again), to the end by reading through (a ZIP
    archive's directory: ``archive_kind``)."""

    def __init__(self, path: str | Path):
        super().__init__()
        self.path = path
        self._open()

    def _open(self) -> None:
        import pyarrow as pa

        self._stream, self._position = pa.input_stream(str(self.path), compression="zstd"), 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_END:
            while self._skip(1 << 20):
                pass
        target = offset + (0 if whence == io.SEEK_SET else self._position)
        if target < 0:
            raise ValueError(f"negative seek position {target}")
        if target < self._position:
            self._stream.close()
            self._open()
        while self._position < target and self._skip(min(target - self._position, 1 << 20)):
            pass
        return self._position

    def _skip(self, size: int) -> int:
        return self.readinto(bytearray(size))

    def readinto(self, buffer) -> int:
        import pyarrow as pa

        try:
            read = self._stream.readinto(buffer)
        except pa.ArrowException as exc:  # damaged data (an OSError already where it is cut off)
            raise OSError(str(exc)) from None
        self._position += read
        return read

    def close(self) -> None:
        if not self.closed:
            self._stream.close()
        super().close()


# The most characters one line (a JSON record, a CSV row) of a compressed table may unpack to: 200 KB of gzip can
# hold a 200 MB line, which reading whole took 600 MB of memory before --max-article-chars skipped its article.
# Eight times ingest.MAX_ARTICLE_CHARS (2,000,000), so an article at the cap fits even where its JSON escapes every
# letter (a "\\u042f" is 6 characters). A plain file's lines are not bounded: it is as large on disk as it reads,
# where a compressed one can unpack to a thousand times its size; decompressing a table reads its longer lines whole.
COMPRESSED_LINE_CHARS = 16_000_000


def long_line(compression: str, what: str = "line") -> str:
    """Why a line of a compressed table is not read: it unpacks to more than ``COMPRESSED_LINE_CHARS`` characters."""
    return (f"{what} of more than {COMPRESSED_LINE_CHARS:,} characters unpacked from {compression} data, not read (a "
            "decompression bomb, or an article far over --max-article-chars); decompress the file to read it whole")


def bounded_lines(fh) -> Iterator[str | None]:
    """The lines of the text file ``fh``, each read with at most ``COMPRESSED_LINE_CHARS`` characters held at once
    (``readline``'s limit); a longer line is read past a piece at a time and given as None. By hand: ``io`` bounds
    one read, not a line, and iterating a file reads each line whole."""
    limit = COMPRESSED_LINE_CHARS
    while line := fh.readline(limit + 1):
        if len(line) > limit and not line.endswith(("\n", "\r")):  # over the limit, its newline not reached
            while line and not line.endswith(("\n", "\r")):
                line = fh.readline(limit)
            yield None
        else:
            yield line


def open_text(path: str | Path, encoding: str, compression: str | None = None, **options):
    """``path`` as text (``open``'s ``errors`` and ``newline`` in ``options``), decompressed where it is."""
    if compression is None:
        return open(path, "r", encoding=encoding, **options)
    return io.TextIOWrapper(open_binary(path, compression), encoding=encoding, **options)


def refuse_tsv(path: str | Path) -> None:
    """A ``.tsv`` table (``x.tsv.gz`` too) given to be read: one line saying to name it ``.csv``, as which it is read
    (``csv_header`` tells a tab delimiter from the header). It is not read under its own name: a header with a comma
    in a column's name would be split at the comma, and a ``.tsv`` --out would be written comma-separated."""
    path = Path(path)
    if table_suffix(path) != ".tsv" or path.is_dir():
        return
    packed = path.suffix if path.suffix.lower() in COMPRESSED_SUFFIXES else ""
    renamed = Path(path.name[:len(path.name) - len(packed)]).with_suffix(".csv").name + packed
    raise InputError(f"{path}: a tab-separated table is read as CSV (the tab delimiter is told from its header): "
                     f"rename it {renamed}")


def format_of(path: str | Path, default: str = "jsonl") -> str:
    suffix = table_suffix(path).lstrip(".")
    if suffix in ("jsonl", "ndjson", "json"):
        return "jsonl"
    if suffix in ("csv", "parquet"):
        return suffix
    return default


def csv_cell(value) -> str:
    """One CSV cell, the same whichever rows share the file: lists and objects as JSON, missing values
    (None, NaN) empty, numbers and text as Python writes them."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class CsvRows:
    """Rows of CSV cells (``csv_cell``'s text) written so that every reader reads them back as written: by
    ``csv.writer``, its lines ending in "\\n", a cell quoted where it holds a comma, a quote or a line feed; and a row
    with a carriage return in a cell with every cell quoted. Python's csv module quotes only for the characters of
    its line terminator, so a lone carriage return ("a\\rb", a line break to Python's reader and to pandas) had been
    written bare, and the row read back as two broken ones. Every CSV the toolkit writes goes through it
    (``TableWriter``)."""

    def __init__(self, fh):
        self._plain = csv.writer(fh, lineterminator="\n")
        self._quoted = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_ALL)

    def writerow(self, cells: list[str]) -> None:
        (self._quoted if any("\r" in cell for cell in cells) else self._plain).writerow(cells)

    def writerows(self, rows: Iterable[list[str]]) -> None:
        for cells in rows:
            self.writerow(cells)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(records: list[dict]) -> list[dict]:
    """Text cells that a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``+cmd``, ``@SUM``, ``-2+3``)
    get a leading apostrophe, as OWASP advises for CSV meant to be opened in Excel or LibreOffice; numbers are
    left alone. For report tables only: data files (items, predictions) keep their text exactly."""
    return [{k: "'" + v if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v for k, v in r.items()}
            for r in records]


JSON_TEXT = {b"stance:json": b"1"}  # field metadata: this text column holds JSON


def arrow_table(records: list[dict]):
    """Records as an Arrow table; a column Arrow cannot type or Parquet cannot store (mixed kinds such
    as 1 and "two", empty objects, integers beyond 64 bits), or that would not read back as written (objects whose
    keys differ between rows: ``same_keys``), is stored as JSON text, as CSV stores nested fields, instead of
    failing the write; such a field carries the ``JSON_TEXT`` metadata."""
    import pyarrow as pa

    columns = list(dict.fromkeys(key for record in records for key in record))
    fields, arrays = [], []
    for column in columns:
        values = [record.get(column) for record in records]
        try:
            array = pa.array(values)
            if storable(array.type) and same_keys(values, array.type):
                fields.append(pa.field(column, array.type))
                arrays.append(array)
                continue
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
            pass
        fields.append(pa.field(column, pa.string(), metadata=JSON_TEXT))
        arrays.append(json_text(values))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def json_text(values: list):
    import pyarrow as pa

    return pa.array([None if v is None else json.dumps(v, ensure_ascii=False, default=str) for v in values],
                    type=pa.string())


def same_keys(values: list, kind) -> bool:
    """Whether every object in ``values``, typed ``kind`` by Arrow, has the keys of the others at its place (at any
    depth, in lists too): Arrow stores objects as a struct of every key any row has, so {"ana": "favor"} beside
    {"ana": "neutral", "cy": "favor"} read back as {"ana": "favor", "cy": None}, a key (gold's ``votes``: an annotator
    who voted) the row never had. Checked a place at a time, only where ``kind`` holds a struct (``has_struct``), so
    a column of 100,000 rows of 3 probabilities is one comparison of keys a row; a walk of each value of each row
    had tripled ``arrow_table``'s time on such a table."""
    import pyarrow as pa

    if not has_struct(kind):
        return True
    if pa.types.is_struct(kind):
        objects = [value for value in values if value is not None]
        keys = objects[0].keys() if objects else ()
        return (all(value.keys() == keys for value in objects)
                and all(same_keys([value.get(field.name) for value in objects], field.type)
                        for field in kind if has_struct(field.type)))
    if pa.types.is_map(kind):  # Arrow makes none of Python objects; a map's keys are its data
        return True
    return same_keys([item for value in values if value is not None for item in value], kind.value_type)


def storable(kind) -> bool:
    """Parquet can store it: no object without fields, at any depth."""
    import pyarrow as pa

    if pa.types.is_struct(kind):
        return kind.num_fields > 0 and all(storable(kind.field(i).type) for i in range(kind.num_fields))
    if pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind):
        return storable(kind.value_type)
    if pa.types.is_map(kind):
        return storable(kind.key_type) and storable(kind.item_type)
    return True


def same_rows(new: Path, old: Path, fmt: str) -> bool:
    """Whether two tables in ``fmt`` hold the same rows, in any order and with their columns in any order (a gold set
    made again from label files given in another order); an old file that cannot be read as one holds others."""
    readers = {"csv": iter_csv, "parquet": iter_parquet, "jsonl": iter_jsonl}

    def rows(path: Path) -> list[str]:
        return sorted(json.dumps(row, sort_keys=True, ensure_ascii=False, default=str) for _, row in readers[fmt](path))

    try:
        return rows(new) == rows(old)
    except (InputError, OSError, ValueError):  # not UTF-8, not JSON, not Parquet: not the same rows
        return False


def write_records(path: str | Path, records: Iterable[dict], fmt: str | None = None, keep: str | None = None) -> int:
    """Write records as JSONL, CSV or Parquet (by ``fmt`` or the extension), atomically; ``keep``: as
    :func:`atomic_path`'s, the error raised instead of replacing a file that holds other rows (``same_rows``: the
    same rows in another order are no others)."""
    records = list(records)
    with TableWriter(path, fmt, columns=list(dict.fromkeys(key for record in records for key in record)),
                     keep=keep) as writer:
        writer.write(records)
    return len(records)


PARQUET_PART_ROWS = 20_000  # rows gathered before a Parquet chunk is written (and a row group begins)


class TableWriter:
    """Write a table chunk by chunk, in constant memory, and move it into place only when the block ends
    without an error. CSV needs its ``columns`` up front; Parquet rows go to part files beside the
    output, ``PARQUET_PART_ROWS`` at a time, joined under one schema at the end (a column whose types
    disagree between parts is stored as JSON text)."""

    def __init__(self, path: str | Path, fmt: str | None = None, columns: list[str] | None = None,
                 keep: str | None = None):
        self.path, self.fmt = Path(path), fmt or format_of(path)
        if self.fmt not in TABLE_FORMATS:
            raise InputError(f"{path}: unknown output format {self.fmt!r}; use one of {', '.join(TABLE_FORMATS)}")
        if self.fmt == "csv" and columns is None:
            raise ValueError("a CSV table needs its columns before the first chunk")
        self.columns, self.rows, self._chunks = columns, 0, []
        self._pending: list[dict] = []  # Parquet rows not yet in a part
        self._atomic = atomic_path(self.path, keep, same=lambda new, old: same_rows(new, old, self.fmt))

    def __enter__(self) -> "TableWriter":
        self._tmp = self._atomic.__enter__()
        try:
            if self.fmt == "parquet":
                self._parts = tempfile.TemporaryDirectory(prefix=f".{self.path.name}.", suffix=".parts",
                                                          dir=self._tmp.parent)
            else:
                self._fh = open(self._tmp, "w", encoding="utf-8", newline="")
            if self.fmt == "csv":
                self._csv = CsvRows(self._fh)
                self._csv.writerow(self.columns)
        except BaseException:  # a full disk or a read-only folder at the start: the temporary goes too
            self._atomic.__exit__(*sys.exc_info())
            raise
        return self

    def write(self, records: list[dict]) -> None:
        try:
            self._write(records)
        except OSError as exc:  # a full disk says which file it filled
            exc.filename = exc.filename or str(self.path)
            raise

    def _write(self, records: list[dict]) -> None:
        if self.fmt == "jsonl":
            self._fh.write("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records))
        elif self.fmt == "csv":
            self._csv.writerows([csv_cell(record.get(column)) for column in self.columns] for record in records)
        else:
            self._pending += records
            if len(self._pending) >= PARQUET_PART_ROWS:
                self._write_part()
        self.rows += len(records)

    def _write_part(self) -> None:
        import pyarrow.parquet as pq

        part = Path(self._parts.name) / f"{len(self._chunks):08d}.parquet"
        if self._pending or not self.columns:
            table = arrow_table(self._pending)
        else:  # an empty table still has its columns
            import pyarrow as pa

            table = pa.table({column: pa.nulls(0) for column in self.columns})
        pq.write_table(table, part)
        self._chunks.append(part)
        self._pending = []

    def _close(self, commit: bool) -> None:
        if self.fmt != "parquet":
            self._fh.close()
            return
        try:
            if commit:
                if self._pending or not self._chunks:
                    self._write_part()
                join_parquet(self._chunks, self._tmp)
        finally:
            self._parts.cleanup()

    def __exit__(self, kind, value, traceback) -> bool:
        try:
            self._close(commit=kind is None)
        except OSError as exc:
            exc.filename = exc.filename or str(self.path)
            self._atomic.__exit__(*sys.exc_info())
            raise
        except BaseException:
            self._atomic.__exit__(*sys.exc_info())  # the temporary file goes; the error stands
            raise
        return bool(self._atomic.__exit__(kind, value, traceback))


def join_parquet(parts: list[Path], out: Path, drop: Sequence[str] = ()) -> None:
    """Parquet part files as one file, one part in memory at a time; ``drop``: columns left out."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if len(parts) == 1 and (not drop or not set(drop) & set(pq.read_schema(parts[0]).names)):
        os.replace(parts[0], out)
        return
    schema = pa.schema([field for field in joint_schema(parts) if field.name not in drop])
    with pq.ParquetWriter(out, schema) as writer:
        for part in parts:
            writer.write_table(conform(pq.read_table(part), schema))


def joint_schema(parts: list[Path]):
    """One schema for every part: columns in first-seen order; types promoted (null to any, int to
    float); a column whose types cannot be joined, whose values do not fit the joined type, or that
    is JSON text in some part, becomes JSON text in all."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    seen: dict[str, list] = {}
    for part in parts:
        for field in pq.read_schema(part):
            seen.setdefault(field.name, []).append((part, field))
    joined = []
    for name, fields in seen.items():
        kind = None
        if not any(is_json_text(field) for _, field in fields):
            try:
                kind = pa.unify_schemas([pa.schema([field.remove_metadata()]) for _, field in fields],
                                        promote_options="permissive").field(0).type
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
                pass
        structs = {struct_keys(field.type) for _, field in fields if has_struct(field.type)}
        if len(structs) > 1:  # parts whose objects have other keys: joined, each would gain the others' as None
            kind = None
        if kind is not None and all(fits(part, field, kind) for part, field in fields):
            joined.append(pa.field(name, kind))
        else:
            joined.append(pa.field(name, pa.string(), metadata=JSON_TEXT))
    return pa.schema(joined)


def has_struct(kind) -> bool:
    """An Arrow type that is or holds a struct (an object's keys), at any depth."""
    import pyarrow as pa

    if pa.types.is_struct(kind):
        return True
    if pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind):
        return has_struct(kind.value_type)
    if pa.types.is_map(kind):
        return has_struct(kind.key_type) or has_struct(kind.item_type)
    return False


def struct_keys(kind):
    """The keys of the objects an Arrow type holds, at any depth, without their values' types: parts whose objects
    have one shape join as one struct, a key's values promoted as other columns' are (1 beside 1.5, null beside 0.5,
    keys in another order). Comparing whole types had sent such parts to JSON text since 2026-12-07 (8)."""
    import pyarrow as pa

    if pa.types.is_struct(kind):
        return tuple(sorted((field.name, struct_keys(field.type)) for field in kind))
    if pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind):
        return ("list", struct_keys(kind.value_type))
    if pa.types.is_map(kind):
        return ("map", struct_keys(kind.key_type), struct_keys(kind.item_type))
    return None


def is_json_text(field) -> bool:
    return bool(field.metadata) and field.metadata.get(b"stance:json") == b"1"


def fits(part: Path, field, kind) -> bool:
    """The part's column casts to ``kind`` without loss (a 19-digit integer does not fit a float)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if field.type == kind or pa.types.is_null(field.type):
        return True
    try:
        pq.read_table(part, columns=[field.name]).column(0).cast(kind)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return False
    return True


def conform(table, schema):
    """A part's table under the joint schema: missing columns as nulls, the rest cast; a column that
    is JSON text in the joint schema but not in this part is written as JSON (text too, as one part's
    whole-table write would)."""
    import pyarrow as pa

    columns = []
    for field in schema:
        if field.name not in table.column_names:
            columns.append(pa.nulls(table.num_rows, field.type))
        elif is_json_text(field) and not is_json_text(table.schema.field(field.name)):
            columns.append(json_text(table.column(field.name).to_pylist()))
        else:
            columns.append(table.column(field.name).cast(field.type))
    return pa.Table.from_arrays(columns, schema=schema)


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # cheap test first: only such lines need _encodable


def _encodable(obj) -> bool:
    """JSON lets ``\\ud800`` stand alone; such a string cannot be written, tokenised or shown."""
    try:
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


ITEM_KEYS = ("id", "text", "actor", "label")  # named twice in one object, the last value would win silently
_KEY_MARKS = tuple(f'"{key}"' for key in ITEM_KEYS)


def _one_of_each(pairs: list) -> dict:
    """An object's pairs as a dict, refusing an item field named twice (linear in the pairs)."""
    seen = set()
    for key, _ in pairs:
        if key in seen and key in ITEM_KEYS:
            raise ValueError(f"field {key!r} appears twice")
        seen.add(key)
    return dict(pairs)


JSON_ARRAY_HINT = ("; the file looks like one JSON array, not JSON lines (one object per line); a Label Studio "
                   "export goes to 'stance label import'")


LINE_ARRAY_HINT = "; the line starts with '[': it is not a JSON object ({...}), which each line of the file must be"


def json_array_hint(line: str, *, first: bool) -> str:
    """The hint where a line that fails as a JSON object opens an array: on the file's ``first`` line (its first that
    is not blank) the file looks like one JSON array; a later line is one line that is not an object (a hand edit),
    where "the file looks like one JSON array" misled."""
    if not line.lstrip().startswith("["):
        return ""
    return JSON_ARRAY_HINT if first else LINE_ARRAY_HINT


CUT_OFF = "it looks cut off (truncated: a download or a copy that stopped part-way?)"


def cut_off_hint(exc: json.JSONDecodeError, line: str, *, last: bool = False) -> str:
    """The hint where a JSONL line that is no JSON ends unfinished: inside a string (the decoder's "Unterminated
    string", or "Invalid control character" at the line break), or, on the file's ``last`` line, before its object
    closes (the decoder stopped at the end of the text); "" otherwise. Said as "malformed JSON (Invalid control
    character, column 845)" alone, a truncated download read as a bad character."""
    ends_there = not line[exc.pos:].strip()  # the decoder stopped at the end of the line (its line break aside)
    if exc.msg.startswith("Unterminated string") or (exc.msg.startswith("Invalid control character") and ends_there):
        return f"; the line ends inside a string: {CUT_OFF}" + ("" if last else (  # a break after it: one written raw?
            ", or a line break was written raw inside a string (JSON writes it as \\n)"))
    if last and ends_there:
        return f"; the file's last line ends before its object closes: {CUT_OFF}"
    return ""


def json_object(line: str, where: str, *, first: bool = True, last: bool = False) -> dict:
    """One JSONL line as an object; an error names ``where`` (the file and line; ``first``: the file's first line that
    is not blank, where an array is the whole file's; ``last``: its last line, where an object left open is one cut
    off, ``cut_off_hint``). A line that names id, text, actor or label twice is refused (a cheap count first; the
    pairs are checked only then)."""
    try:
        if any(line.count(mark) > 1 for mark in _KEY_MARKS):
            try:
                obj = json.loads(line, object_pairs_hook=_one_of_each)
            except ValueError as exc:
                if isinstance(exc, json.JSONDecodeError):
                    raise
                raise InputError(f"{where}: {exc}") from None
        else:
            obj = json.loads(line)
    except json.JSONDecodeError as exc:
        problem = exc.msg.removesuffix(" at")  # "Invalid control character at"
        raise InputError(f"{where}: malformed JSON ({problem}, column {exc.colno})"
                         f"{json_array_hint(line, first=first) or cut_off_hint(exc, line, last=last)}") from None
    except RecursionError:
        raise InputError(f"{where}: JSON nested too deeply to read") from None
    if not isinstance(obj, dict):
        raise InputError(f"{where}: expected a JSON object, found {type(obj).__name__}"
                         f"{json_array_hint(line, first=first)}")
    if _SURROGATE_ESCAPE.search(line) and not _encodable(obj):
        raise InputError(f"{where}: a lone surrogate escape (\\ud800-\\udfff without its pair) is not Unicode text")
    return obj


def check_encoding(encoding: str) -> str:
    """A text encoding Python knows, as ``open`` takes it: UTF-8 as ``utf-8-sig``, so that the byte-order mark
    Windows tools write is dropped whether or not UTF-8 was named."""
    import codecs

    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise InputError(f"{option('encoding', encoding)}: not an encoding Python knows") from None
    if not getattr(info, "_is_text_encoding", True):  # rot13, hex, base64: codecs, not text encodings
        raise InputError(f"{option('encoding', encoding)}: not a text encoding")
    return "utf-8-sig" if info.name == "utf-8" else encoding


BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def bom_encoding(start: bytes) -> str | None:
    """The encoding a byte-order mark at the start of a file names (UTF-8 or UTF-16), else None."""
    return next((name for mark, name in BOMS if start.startswith(mark)), None)


# The encoding named to a user whose text is not UTF-8, where its bytes all decode as it: Windows' Western European,
# which Excel and Notepad write and browsers read a page declaring Latin-1 as (``ingest._AS_BROWSERS_READ``). Five
# bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D) are none of its characters: a file holding one is named no encoding.
LIKELY_ENCODING = "cp1252"


def likely_encoding(blocks: Iterable[bytes]) -> str | None:
    """``LIKELY_ENCODING`` where every block of a text that is not UTF-8 decodes as it (one byte a character, so
    the blocks may be cut anywhere), else None: the value an error names for --encoding."""
    import codecs

    decoder = codecs.getincrementaldecoder(LIKELY_ENCODING)()
    try:
        for block in blocks:
            decoder.decode(block)
    except UnicodeDecodeError:
        return None
    return LIKELY_ENCODING


def wide_encoding(encoding: str) -> bool:
    """UTF-16 or UTF-32: text whose bytes hold NULs, and that no UTF-8 check can stand in for."""
    import codecs

    return codecs.lookup(encoding).name.startswith(("utf-16", "utf-32"))


def is_utf8(path: Path, chunk: int = 1 << 20) -> bool:
    """Whether the whole file decodes as UTF-8 (read a chunk at a time, decompressed where it is compressed; a
    legacy file fails at its first accented letter)."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open_binary(path, compression_of(path)) as fh:
            while block := fh.read(chunk):
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    except (*DECOMPRESSION_ERRORS, InputError):
        return True  # the reader names the problem
    return True


def text_encoding(path: Path, encoding: str | None = None) -> str:
    """The encoding a text file (a table, a manifest) is read with: the one its byte-order mark names, else UTF-8
    where it is UTF-8 text, else the one asked for (``--encoding``, the encoding of the files that are not UTF-8:
    one folder may mix Excel's cp1252 manifest and UTF-8 articles). A compressed file's text is read for these.
    UTF-16 text without a byte-order mark, read as no UTF-16 encoding, is an InputError (``unmarked_utf16``)."""
    try:
        with open_binary(path, compression_of(path)) as fh:
            start = fh.read(BINARY_SAMPLE)
    except (*DECOMPRESSION_ERRORS, InputError):
        return "utf-8-sig"  # the reader names the problem
    chosen = chosen_encoding(start[:4], encoding, lambda: is_utf8(path))
    wide = not (bom_encoding(start[:4]) or wide_encoding(chosen)) and unmarked_utf16_problem(start,
                                                                                              TABLE_ENCODING_READERS)
    if wide:  # its NULs had been read as UTF-8 text: "missing fields (the row has 'i\x00d\x00'...)"
        raise InputError(f"{path}: {wide}")
    return chosen


def chosen_encoding(start: bytes, encoding: str | None, utf8: Callable[[], bool]) -> str:
    """``text_encoding``'s rule, for a file whose first bytes are ``start`` and which ``utf8`` says is UTF-8 text
    (asked only where it decides): its byte-order mark's, else UTF-8 without ``encoding`` (--encoding), where that is
    UTF-8, UTF-16 or UTF-32, or where the text is UTF-8, else ``encoding``."""
    marked = bom_encoding(start)
    if marked or not encoding:
        return marked or "utf-8-sig"
    encoding = check_encoding(encoding)
    if encoding == "utf-8-sig" or wide_encoding(encoding):
        return encoding
    return "utf-8-sig" if utf8() else encoding


def not_decodable(path: Path, encoding: str) -> InputError:
    if encoding == "utf-8-sig":
        hint = file_likely_encoding(path)  # the value to pass, where the bytes are cp1252's
        nor, named = (("", f"--encoding {hint}") if hint
                      else (f", nor {LIKELY_ENCODING}", "--encoding with its encoding"))
        return InputError(f"{path}:{first_undecodable_line(path)}: not UTF-8 text{nor} (re-save it as UTF-8, or pass "
                          f"{named} to prepare or classify)")
    return InputError(f"{path}: cannot be read as {encoding} text")


def iter_jsonl(path: str | Path, encoding: str | None = None,
               on_long_line: Callable[[int, str], None] | None = None, start: int = 1) -> Iterator[tuple[int, dict]]:
    """Yield (line number, object) for each non-blank line; errors name file and line. A gzip, bz2, xz or zstd file
    is read decompressed (``compression_of``), a block at a time, and a line of it over ``COMPRESSED_LINE_CHARS`` is
    an error, or is passed to ``on_long_line`` (its number and why) and skipped where that is given. ``start``: the
    first line parsed; the lines before it are read (decoded) but not parsed (``table_blocks`` gave their rows)."""
    path = Path(path)
    check_regular_input(path)
    compression = compression_of(path)
    encoding = text_encoding(path, encoding)
    try:
        fh = open_text(path, encoding, compression)
    except OSError as exc:
        raise InputError(f"{path}: cannot open ({exc.strerror})") from None
    with fh:
        lineno, first = 0, True
        try:
            for lineno, line in enumerate(bounded_lines(fh) if compression else fh, start=1):
                if lineno < start:
                    first = first and line is not None and not line.strip()
                    continue
                if line is None:
                    if on_long_line is None:
                        raise InputError(f"{path}:{lineno}: {long_line(compression)}")
                    on_long_line(lineno, long_line(compression))
                    first = False
                    continue
                if not line.strip():
                    continue
                # a line without its line break is the file's last (one cut off leaves none)
                yield lineno, json_object(line, f"{path}:{lineno}", first=first, last=not line.endswith("\n"))
                first = False
        except UnicodeError:
            raise not_decodable(path, encoding) from None
        except DECOMPRESSION_ERRORS as exc:
            if is_damaged(exc, compression):
                raise damaged(path, compression, lineno + 1, exc) from None
            if isinstance(exc, OSError):  # a disk's read error part-way (EIO): one line, as iter_csv's
                raise InputError(f"{path}:{lineno + 1}: cannot read ({exc.strerror or exc})") from None
            raise


# The most bytes ``first_undecodable_line`` holds of a line at once: a line of a compressed file may unpack to
# gigabytes (a decompression bomb), which reading it whole would hold in memory.
UNDECODABLE_PIECE_BYTES = 1 << 20


def file_likely_encoding(path: Path, chunk: int = 1 << 20) -> str | None:
    """``likely_encoding`` of a file's text (decompressed where it is compressed), read a chunk at a time."""
    def blocks():
        with open_binary(path, compression_of(path)) as fh:
            while block := fh.read(chunk):
                yield block

    try:
        return likely_encoding(blocks())
    except (*DECOMPRESSION_ERRORS, InputError):
        return None  # cut off or damaged: no guess


def first_undecodable_line(path: Path) -> int:
    """The line of the first byte that is not UTF-8 (text-mode reading decodes a block of lines at once, so
    the line it was on when it failed can be an earlier one). Each line is read ``UNDECODABLE_PIECE_BYTES`` at a time
    (``readline``'s limit) through one incremental decoder, which holds a character cut between two pieces."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = 0  # the lines read to their end
    try:
        with open_binary(path, compression_of(path)) as fh:
            while piece := fh.readline(UNDECODABLE_PIECE_BYTES):
                # no UTF-8 character holds the byte of a line break, so a bad byte is on the line being read
                decoder.decode(piece)
                lines += piece.endswith(b"\n")
            decoder.decode(b"", final=True)  # a character cut off at the end
    except UnicodeDecodeError:
        return lines + 1
    except DECOMPRESSION_ERRORS:  # cut off before a line that is not UTF-8: the line it got to
        return lines + 1
    return 1


CSV_FIELD_LIMIT = 1 << 30  # the csv module stops at 128 KB a field by default: an article can be longer
DELIMITERS = (",", ";", "\t")
# the text after a CSV header's first line read at a time to find where the header ends and how many fields the
# first rows have under each delimiter (``csv_header``, ``header_delimiter``): a bounded read, whatever the file
HEADER_LOOKAHEAD_CHARS = 1 << 16
HEADER_LOOKAHEAD_ROWS = 100


def csv_header(path: Path, fh, limit: int | None = None) -> tuple[list[str], str, int]:
    """The header's column names (spaces around them dropped), the delimiter it uses (``header_delimiter``) and the
    records before it (1 after a spreadsheet's delimiter hint ``sep=;``, ``excel_hint``, else 0: a reader of rows
    skips them and the header), from ``fh`` at its start, left there. The header is the first record as the csv
    module reads it: a quoted name may hold a line break. Read a bounded piece at a time: its first line, then
    ``HEADER_LOOKAHEAD_CHARS`` (then as much as read so far) until the header record ends, at most ``limit``
    characters in all (a compressed table's: ``COMPRESSED_LINE_CHARS``; a first line longer is ``RowTooLong``), or,
    without it, ``COMPRESSED_LINE_CHARS`` past the first line; a header record longer is an InputError (a quote
    never closed)."""
    first = fh.readline(-1 if limit is None else limit + 1)
    if limit is not None and len(first) > limit and not first.endswith(("\n", "\r")):
        raise RowTooLong
    hint = excel_hint(path, first)
    bound = limit if limit is not None else len(first) + COMPRESSED_LINE_CHARS
    head = first
    while True:
        if len(head) > bound:  # its first line ended: a quote of the header's never closes (a compressed table's
            fh.seek(0)          # too, where it had been a row of more than ... "a decompression bomb")
            of = " of its first line" if limit is None else ""
            raise InputError(f"{path}:1: the header does not end within {COMPRESSED_LINE_CHARS:,} characters{of} "
                             "(a quote opened and never closed?)")
        wanted = max(HEADER_LOOKAHEAD_CHARS, len(head))  # twice as much each time
        try:
            more, stopped = fh.read(wanted), False
        except (UnicodeError, *DECOMPRESSION_ERRORS):  # the table's reader names it where it meets it
            more, stopped = "", True
        head += more
        # fewer characters than asked: the table's end is read, its last row whole (it had been taken as cut off)
        if hint:  # the header is the record after the hint's line, split by the hint's delimiter
            lines = io.StringIO(head[len(first):], newline="")
            delimiter, names = hint, next(csv.reader(lines, delimiter=hint), [])
            closed = not more and not stopped or lines.tell() < len(head) - len(first)
        else:
            delimiter, names, closed = header_delimiter(head, not more and not stopped,
                                                        whole=len(more) < wanted and not stopped)
        if closed or not more:
            break
    fh.seek(0)
    names = [name.strip() for name in names]
    line = 2 if hint else 1
    if not names:
        raise InputError(f"{path}:{line}: empty CSV file (expected a header row)")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise InputError(f"{path}:{line}: column {repeated[0]!r} appears twice in the header")
    return names, delimiter, 1 if hint else 0


EXCEL_HINT = re.compile(r'"?sep=(.)"?(?:\r\n|\r|\n)?')  # Excel's delimiter hint, a CSV table's first line


def excel_hint(path: Path, first: str) -> str | None:
    """The delimiter a CSV table's ``first`` line names where it is a spreadsheet's delimiter hint (``sep=;``, as
    Excel writes it where a comma is no list separator, a byte-order mark before it dropped), else None; a hint for
    a delimiter other than those read (``DELIMITERS``) is an InputError. Read as a header it had been a column named
    'sep=', and the table's rows refused for more fields than the header has."""
    hint = EXCEL_HINT.fullmatch(first.removeprefix("\ufeff"))
    if not hint:
        return None
    if hint.group(1) not in DELIMITERS:
        raise InputError(f"{path}:1: {first.strip()!r} is a spreadsheet's delimiter hint for {hint.group(1)!r}, which "
                         "is not read (a comma, a semicolon or a tab is); save the table as CSV with one of them")
    return hint.group(1)


def header_delimiter(head: str, ended: bool, whole: bool = False) -> tuple[str, list[str], bool]:
    """(delimiter, header record, whether the header record ends within ``head``) of CSV text ``head``, the start of
    a table (``ended``: all of it; ``whole``: the table's end is in ``head``, its last row whole, a header whose
    quote never closes still not ended). The delimiter is the first of ``DELIMITERS`` that splits the header record,
    read as the csv module reads it (one inside quotes splits nothing: '"a,b";c' is two columns by ';'), a comma
    where none does. A spreadsheet's semicolon or tab must split one of the first ``HEADER_LOOKAHEAD_ROWS`` rows too,
    where rows follow, more than half of them (blank lines and lines of spaces aside): Python's csv writer quotes no
    ';' where ',' delimits, so a one-column table named 'a;b' is 'a;b' whole, and its rows hold a ';' only where their
    text does, where a spreadsheet's semicolon-delimited rows each hold one (an empty cell's too). One such row had
    been enough: a one-column table whose text held a ';' in one row was split there, the other rows' second cell
    empty; then each row was asked, and one short row (a footer "Total", a row of a space) made a spreadsheet's table
    one column named 'id;text;actor'."""
    for delimiter in DELIMITERS:
        lines = io.StringIO(head, newline="")
        records = csv.reader(lines, delimiter=delimiter)
        header = next(records, [])
        closed = ended or lines.tell() < len(head)  # lines follow the header's: it ended (the last line may be cut)
        if delimiter == ",":
            comma = header, closed
        if len(header) < 2:
            continue
        if delimiter == ",":
            return delimiter, header, closed
        rows = []
        try:
            rows = list(itertools.islice(records, HEADER_LOOKAHEAD_ROWS))
        except csv.Error:  # a row the table's reader names
            pass
        if rows and not (ended or whole) and lines.tell() >= len(head):
            rows.pop()  # cut off by the lookahead: its fields may not all be there
        rows = [row for row in rows if any(cell.strip() for cell in row)]  # blank lines, and lines of spaces
        if not rows or sum(len(row) > 1 for row in rows) * 2 > len(rows):
            return delimiter, header, closed
    return ",", *comma


def iter_csv(path: str | Path, encoding: str | None = None, begin: int = 1) -> Iterator[tuple[int, dict]]:
    """Yield (line number, row) from a CSV file with a header (comma, semicolon or tab delimited); the
    number is the line the record starts on. ``begin``: the first line a row given may start on; the rows before it
    are read (parsed, and their fields counted) but not given (``table_blocks`` gave them)."""
    path = Path(path)
    end = 0  # the last line read: a record (quoted line breaks span lines) starts after it
    csv.field_size_limit(CSV_FIELD_LIMIT)
    check_regular_input(path)
    compression = compression_of(path)
    encoding = text_encoding(path, encoding)
    try:
        with open_text(path, encoding, compression, newline="") as fh:
            names, delimiter, before = csv_header(path, fh, COMPRESSED_LINE_CHARS if compression else None)
            # a compressed table's rows are read a bounded line at a time, and a row (its quoted line breaks too)
            # is counted as it is read: over COMPRESSED_LINE_CHARS, it is an error (never skipped: past a line cut
            # inside a quoted cell, no later row could be told from the text around it)
            lines = RowBound(bounded_lines(fh)) if compression else fh
            # strict: an unclosed quote is an error, not the rest of the file
            reader = csv.reader(lines, delimiter=delimiter, strict=True)
            for _ in range(before + 1):  # the header, read above (and a spreadsheet's delimiter hint before it)
                next(reader)
            if compression:
                lines.chars = 0  # the header's characters are no part of the first row's
            end = reader.line_num
            for row in reader:
                if compression:
                    lines.chars = 0
                start, end = end + 1, reader.line_num
                if not row:
                    continue  # a blank line
                if len(row) > len(names):
                    raise InputError(f"{path}:{start}: more fields than the header has "
                                     f"({len(names)}: {', '.join(names)})")
                if start < begin:
                    continue
                yield start, {name: (row[i] or None) if i < len(row) else None for i, name in enumerate(names)}
    except UnicodeError:
        raise not_decodable(path, encoding) from None
    except DECOMPRESSION_ERRORS as exc:
        if is_damaged(exc, compression):
            raise damaged(path, compression, end + 1, exc) from None
        if isinstance(exc, OSError):
            raise InputError(f"{path}: cannot open ({exc.strerror})") from None
        raise
    except csv.Error as exc:
        raise InputError(f"{path}:{end + 1}: malformed CSV ({exc})") from None
    except RowTooLong:
        raise InputError(f"{path}:{end + 1}: {long_line(compression, what='row')}") from None


class RowTooLong(Exception):
    """A compressed CSV table's row is over ``COMPRESSED_LINE_CHARS`` (``RowBound``)."""


class RowBound:
    """The lines ``bounded_lines`` gives, for ``csv.reader``, with the characters of the row being read counted
    (``chars``: the reader of rows sets it to 0 at each row); a row over ``COMPRESSED_LINE_CHARS``, or a line over
    it (None), raises ``RowTooLong``. By hand: ``csv.field_size_limit`` bounds one cell, process-wide, not a row."""

    def __init__(self, lines: Iterator[str | None]):
        self.lines, self.limit, self.chars = lines, COMPRESSED_LINE_CHARS, 0

    def __iter__(self) -> "RowBound":
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        if line is not None:
            self.chars += len(line)
        if line is None or self.chars > self.limit:
            raise RowTooLong
        return line


PARQUET_BATCH_ROWS = 4096
PARQUET_SLICE_ROWS = 64  # a dictionary-encoded column can make 64 rows of 10 KB on disk into gigabytes of text
# a column chunk that unpacks to more than this many times its size on disk (text compresses 3 to 20 times; a run of
# one character 30,000 times) and to more than PARQUET_BOMB_BYTES is a decompression bomb, refused before it is read
PARQUET_BOMB_RATIO = 1000
PARQUET_BOMB_BYTES = 64 << 20


def check_not_bomb(path: str | Path, metadata) -> None:
    """Refuse a Parquet file whose column chunk would unpack to hundreds of megabytes from a few kilobytes (10 KB
    of zstd held 300 MB of one letter: gigabytes of memory and an hour of work), by the sizes its footer gives."""
    for group in range(metadata.num_row_groups):
        for index in range(metadata.num_columns):
            chunk = metadata.row_group(group).column(index)
            packed, unpacked = max(chunk.total_compressed_size, 1), chunk.total_uncompressed_size
            if unpacked > PARQUET_BOMB_BYTES and unpacked > PARQUET_BOMB_RATIO * packed:
                raise InputError(f"{path}: column '{chunk.path_in_schema}' of row group {group + 1} unpacks to "
                                 f"{unpacked / 2**20:.0f} MB from {packed / 1024:.0f} KB on disk, a decompression "
                                 "bomb (not read)")


def iter_parquet(path: str | Path, keep_dates: bool = False, start: int = 1) -> Iterator[tuple[int, dict]]:
    """Rows of a Parquet file, read a batch of rows at a time (a table larger than memory streams; one given as "-"
    or through a pipe is saved to a file first: ``spooled_input``). ``keep_dates``: a date or
    timestamp column's values as Python's ``date`` and ``datetime``, for the caller to write (the article reader,
    ``ingest.as_text``, as it writes a DataFrame's), not as ``plain``'s ISO 8601 text. ``start``: the first row
    given; the batches before it are read but not turned into rows (``table_blocks`` gave them)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    def unreadable(exc: Exception) -> InputError:
        return InputError(f"{path}: not a readable Parquet file ({exc})")

    check_regular_input(path)
    try:
        table = pq.ParquetFile(path)
        check_not_bomb(path, table.metadata)
        names = table.schema_arrow.names
        converted = [field.name for field in table.schema_arrow if not plain_type(field.type)
                     and not (keep_dates and (pa.types.is_timestamp(field.type) or pa.types.is_date(field.type)))]
        as_json = [field.name for field in table.schema_arrow if is_json_text(field)]  # written by arrow_table
        batches = table.iter_batches(batch_size=PARQUET_BATCH_ROWS)
    except (OSError, pa.ArrowException) as exc:
        raise unreadable(exc) from None
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:  # a row would keep the last column of the name, silently
        raise InputError(f"{path}: column {repeated[0]!r} appears twice")
    index = 0
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except (OSError, pa.ArrowException) as exc:
            raise unreadable(exc) from None
        for first in range(0, batch.num_rows, PARQUET_SLICE_ROWS):  # rows that share one dictionary value each
            if index + PARQUET_SLICE_ROWS < start:                   # become Python text a few at a time
                index += min(PARQUET_SLICE_ROWS, batch.num_rows - first)  # rows given before (start)
                continue
            try:
                rows = batch.slice(first, PARQUET_SLICE_ROWS).to_pylist()
            except UnicodeDecodeError:
                last = index + min(PARQUET_SLICE_ROWS, batch.num_rows - first)
                raise InputError(f"{path}: rows {index + 1} to {last}: a text column is not UTF-8") from None
            for row in rows:
                index += 1
                if index < start:
                    continue
                for name in as_json:
                    if isinstance(row[name], str):
                        try:
                            row[name] = json.loads(row[name])
                        except ValueError:
                            raise InputError(f"{path}: row {index}: column '{name}' is marked as JSON but is not "
                                             "JSON text") from None
                for name in converted:
                    try:
                        row[name] = plain(row[name])
                    except UnicodeDecodeError:
                        raise InputError(f"{path}: row {index}: column '{name}' holds bytes that are not UTF-8 "
                                         "text") from None
                yield index, row


def plain_type(kind) -> bool:
    """An Arrow type whose Python values JSON holds as they are (text, numbers, booleans, nulls)."""
    import pyarrow as pa

    return (pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_integer(kind)
            or pa.types.is_floating(kind) or pa.types.is_boolean(kind) or pa.types.is_null(kind)
            or (pa.types.is_dictionary(kind) and plain_type(kind.value_type)))


def plain(value):
    """A Parquet value as JSON can hold it: dates and times as ISO 8601 text, decimals as floats, bytes
    as text, so every column passes through to JSONL, CSV and the classify journal."""
    if isinstance(value, (datetime.date, datetime.time)):  # datetime is a date
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8")  # UnicodeDecodeError: iter_parquet names the row and column
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def table_rows(path: str | Path, encoding: str | None = None) -> int | None:
    """How many rows ``iter_table`` gives a JSONL, CSV or Parquet file, for a progress bar's total: a Parquet file's
    from its footer, a JSONL or CSV file's by a pass of its own (a CSV row may span lines; a compressed line over its
    bound counts as the row it is); None where the file cannot be read so (its reader then says why)."""
    if format_of(path, default="") == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            return pq.ParquetFile(path).metadata.num_rows
        except (OSError, pa.ArrowException):
            return None
    too_long: list[int] = []  # lines the reader passes over (the caller skips them as rows)
    try:
        rows = sum(1 for _ in iter_table(path, encoding=encoding, on_long_line=lambda line, why: too_long.append(line)))
    except InputError:
        return None
    return rows + len(too_long)


def memory_table(data) -> str | None:
    """What an in-memory table of rows is, as messages name it: "DataFrame" (pandas), "Dataset" (``datasets``),
    "list" (a list or tuple of dicts); None for anything else (a path, a string). A ``DatasetDict`` (a dataset's
    splits) is an InputError naming them."""
    pandas = sys.modules.get("pandas")  # a DataFrame's module is imported where there is one
    if pandas is not None and isinstance(data, pandas.DataFrame):
        return "DataFrame"
    if type(data).__module__.startswith("datasets"):
        if isinstance(data, dict):
            raise InputError(f"expected one Dataset; got a DatasetDict of splits {sorted(data)}: pass one split, e.g. "
                             f"data[{sorted(data)[0]!r}]")
        if hasattr(data, "column_names"):
            return "Dataset"
    if isinstance(data, (list, tuple)):
        return "list"
    return None


DATAFRAME_CHUNK_ROWS = 1000  # a DataFrame's rows turned into dicts at a time: a copy of a chunk, not of the frame


def frame_rows(frame) -> Iterator[dict]:
    """A DataFrame's rows as dicts, a chunk of rows at a time, with an empty cell (NaN, NA, NaT) as None: a table
    file's missing value; a column named otherwise than by text (0, 1 of a frame made from lists) by its text ('0',
    as to_csv and to_json name it, so that columns= can name it and messages list it). A column name written twice
    (0 and '0' too) is an InputError (a row would keep one of the two)."""
    names = [name if isinstance(name, str) else str(name) for name in frame.columns]
    repeated = [name for name in dict.fromkeys(names) if names.count(name) > 1]
    if repeated:
        raise InputError(f"DataFrame: column {repeated[0]!r} appears twice")
    for start in range(0, len(frame), DATAFRAME_CHUNK_ROWS):
        chunk = frame.iloc[start:start + DATAFRAME_CHUNK_ROWS]
        yield from chunk.astype(object).where(chunk.notna(), None).set_axis(names, axis=1).to_dict("records")


def iter_memory_rows(data) -> Iterator[tuple[str, dict]]:
    """The rows of an in-memory table (``memory_table``) as dicts, each with what a message calls it where a file
    would name its line: "row 3 (index 'b')" in a DataFrame (by its index's label too), "row 3" in a Dataset or a
    list. A list's row that is no dict is an InputError naming it."""
    if memory_table(data) == "DataFrame":
        labels = iter(data.index)
        for number, row in enumerate(frame_rows(data), start=1):
            yield f"row {number} (index {next(labels)!r})", row
        return
    if memory_table(data) == "Dataset":  # a ClassLabel column's names, as a saved dataset folder gives them
        from classifier.io.hf_datasets import dataset_records

        yield from ((f"row {number}", row) for number, row in enumerate(dataset_records(data), start=1))
        return
    for number, row in enumerate(data, start=1):
        if not isinstance(row, dict):
            raise InputError(f"row {number}: expected a dict of column to value; got {type(row).__name__} "
                             f"{str(row)[:40]!r}")
        yield f"row {number}", dict(row)


def table_format(path: str | Path, columns: dict[str, str] | None = None) -> str:
    """How ``iter_table`` reads ``path``: "dataset" (a Hugging Face dataset folder), "csv", "parquet" or "jsonl",
    after the checks that refuse a file before it is read (a workbook, a .tsv, an unknown extension, a compressed
    Parquet file; ``columns`` given for a file)."""
    from classifier.io.hf_datasets import is_dataset_folder

    if is_dataset_folder(path):
        return "dataset"
    if columns:
        raise InputError(f"{path}: --text-column, --actor-column and --label-column apply to a Hugging Face "
                         "dataset folder; rename the file's columns instead")
    refuse_spreadsheet(path)
    fmt = format_of(path, default="")
    if not fmt:
        refuse_tsv(path)
        # "x.tsv" read as JSONL would fail on its first line with a JSON error; "x.gz" names no format before .gz
        suffix = table_suffix(path) or Path(path).suffix.lower()
        if suffix:
            raise InputError(f"{path}: unknown input extension {suffix!r}; use .jsonl, .csv or .parquet (a tab-"
                             "separated file reads as .csv; each may be gzip, bz2, xz or zstd compressed)")
        fmt = "jsonl"
    if fmt == "parquet" and Path(path).is_file() and compression_of(path):
        raise InputError(f"{path}: a compressed Parquet file; Parquet compresses its columns itself, so give the "
                         "file decompressed")
    return fmt


def iter_table(path: str | Path, columns: dict[str, str] | None = None,
               encoding: str | None = None,
               on_long_line: Callable[[int, str], None] | None = None,
               keep_dates: bool = False, start: int = 1) -> Iterator[tuple[int, dict]]:
    """Rows of a JSONL, CSV or Parquet file (or a Hugging Face dataset folder), each with its line (or row)
    number; ``columns`` (item field -> column) renames a dataset's columns; ``encoding``: of a JSONL or CSV file
    (default UTF-8, or UTF-16 with its byte-order mark); ``on_long_line``: a compressed JSON lines file's line over
    ``COMPRESSED_LINE_CHARS`` is skipped and passed to it (``iter_jsonl``), where it is given; ``keep_dates``: a
    Parquet file's dates and times as Python's values (``iter_parquet``). A pipe or a device is refused by each
    reader before it is opened (``check_regular_input``). ``start``: the first line (a Parquet file's row) to give,
    of a JSONL, CSV or Parquet file, where ``table_blocks`` gave the rows before it."""
    from classifier.io.hf_datasets import iter_dataset

    fmt = table_format(path, columns)
    if fmt == "dataset" and start != 1:
        raise ValueError("start applies to a JSONL, CSV or Parquet file, not to a dataset folder")
    if fmt == "dataset":
        return iter_dataset(path, columns)
    if fmt == "csv":
        return iter_csv(path, encoding, start)
    if fmt == "parquet":
        return iter_parquet(path, keep_dates=keep_dates, start=start)
    return iter_jsonl(path, encoding, on_long_line, start)


# ``table_blocks``: a block of a JSON lines file is about this many bytes (its last line read whole), a Parquet block
# at most this many rows gathered from batches of PARQUET_BATCH_ROWS, and no more bytes than this once in Arrow
BLOCK_BYTES = 4 << 20
BLOCK_ROWS = 65_536
BLOCK_NESTING = 64  # a JSON value nested deeper is left to iter_jsonl (Python's parser stops at about 1,000 levels)
BLOCK_OPENINGS = 1000  # a line with this many brackets may nest as deep: never given to Arrow's parser


@functools.cache
def source_digest(*objects) -> str | None:
    """16 hex digits of the sha256 of the source of ``objects`` (functions, classes): the rules a column-at-a-time
    copy was written against (``table_blocks``, ``items.sure_items``, ``evaluate.prediction_block``), which each
    copy compares with its own ``..._SOURCE``, reading nothing a block at a time where they differ (one of the rules
    was edited since, and the copy not yet reviewed; tests/test_prediction_blocks.py fails until it is). None where
    the source cannot be read."""
    import hashlib
    import inspect

    try:
        source = "".join(inspect.getsource(thing) for thing in objects)
    except (OSError, TypeError):
        return None
    return hashlib.sha256(source.encode()).hexdigest()[:16]


# the per-row readers whose results table_blocks stands in for, as it was written for them (source_digest)
READERS_SOURCE = "95a602be8e30a7a4"


def readers_source() -> str | None:
    return source_digest(iter_jsonl, json_object, _one_of_each, bounded_lines, iter_csv, csv_header, RowBound,
                         iter_parquet, plain)


def table_blocks(path: str | Path, strings: Sequence[str] = ()) -> Iterator[tuple[int, Any]]:
    """A JSON lines, CSV or Parquet file as Arrow tables of many rows, each with the number ``iter_table`` gives its
    first row (its line; a Parquet file's row), for a reader that checks a block's columns at once instead of a
    row at a time. ``strings``: fields read as text from JSON (else Arrow guesses: "2024-01-02" would be a
    timestamp), where a line holding another kind of value makes its block uncertain; a CSV file's cells are all
    text. A JSON lines or CSV file may be compressed (gzip, bz2, xz, zstd: unpacked a block at a time, as its row
    reader reads it). A block holds only rows that ``iter_table`` reads to the same values without an error; at the
    first file or block where it might read otherwise or refuse (a byte-order mark in JSON lines, a line that is not
    one JSON object, text that is not UTF-8, a lone surrogate, a lone carriage return, a CSV quote that neither opens
    nor closes a cell, a CSV row of other than the header's cells, a line or row of a compressed file over
    ``COMPRESSED_LINE_CHARS`` bytes, compressed data cut off or damaged, a binary or a date column...),
    ``(number, None)`` comes instead and nothing after it: the caller reads the rest with ``iter_table(path,
    start=number)``, which says what is wrong where."""
    try:
        fmt = table_format(path) if readers_source() == READERS_SOURCE else "unreviewed"
        if fmt == "jsonl" and Path(path).is_file():
            yield from jsonl_blocks(path, strings)
            return
        if fmt == "csv" and Path(path).is_file():
            yield from csv_blocks(path)
            return
        if fmt == "parquet" and Path(path).is_file():
            yield from parquet_blocks(path)
            return
    except InputError:
        pass  # iter_table says it again
    yield 1, None


def jsonl_blocks(path: str | Path, strings: Sequence[str]) -> Iterator[tuple[int, Any]]:
    import pyarrow as pa

    schema = pa.schema([(name, pa.string()) for name in strings])
    try:
        compression = compression_of(path)
        fh = open_binary(path, compression)
    except (OSError, InputError):
        yield 1, None
        return
    # a compressed file's line over COMPRESSED_LINE_CHARS is iter_jsonl's to refuse: a block's last line is read
    # (bounded) to at most that many bytes past the block, and one longer than it leaves the rest to iter_jsonl
    limit = COMPRESSED_LINE_CHARS if compression else -1
    with fh:
        line = 1
        while True:
            try:
                block = fh.read(BLOCK_BYTES)
                if block and not block.endswith(b"\n"):
                    block += fh.readline(limit if limit < 0 else limit + 1)
            except DECOMPRESSION_ERRORS:  # a disk's read error, compressed data cut off: iter_jsonl names it
                yield line, None
                return
            if compression and longest_line(block) > limit:  # its bytes may be more characters than the limit
                yield line, None
                return
            if line == 1 and bom_encoding(block[:4]):
                yield 1, None
                return
            if not block:
                return
            table = jsonl_table(block, schema)
            if table is None:
                yield line, None
                return
            if table.num_rows:
                yield line, table
            line += block.count(b"\n")


def longest_line(block: bytes) -> int:
    """The bytes of the longest line of ``block``, its line break left out."""
    import numpy as np

    breaks = np.flatnonzero(np.frombuffer(block, np.uint8) == ord("\n"))
    edges = np.concatenate([[-1], breaks, [len(block)]])
    return int((np.diff(edges) - 1).max())


def jsonl_table(block: bytes, schema):
    """Whole lines of a JSON lines file as one Arrow table, or None where ``iter_jsonl`` might read them otherwise
    or refuse them. Arrow's reader takes a line ``null``, or two objects on one line, for rows (and a file of one
    ``null`` line, or a value nested 50,000 deep, crashes it), so only lines that open an object, or are blank, are
    given to it, each must give one row, and a line of ``BLOCK_OPENINGS`` brackets is not given at all. It refuses
    a lone surrogate escape, a repeated key and every malformed value that Python's json refuses, and reads numbers
    to the same floats (checked on 1.2 million values); its UTF-8 check is Python's (checked on 200,000 byte
    strings)."""
    import io

    import numpy as np
    import pyarrow as pa
    import pyarrow.json as pj

    try:
        whole = pa.Array.from_buffers(pa.large_string(), 1, [None, pa.py_buffer(np.array([0, len(block)], np.int64)),
                                                             pa.py_buffer(block)])
        whole.validate(full=True)  # UTF-8
    except pa.ArrowInvalid:
        return None
    byte = np.frombuffer(block, np.uint8)
    returns = np.flatnonzero(byte == ord("\r"))
    if len(returns) and (returns[-1] + 1 == len(byte) or (byte[returns + 1] != ord("\n")).any()):
        return None  # a lone \r: Python's text mode ends a line there too
    breaks = np.flatnonzero(byte == ord("\n"))
    starts, ends = np.concatenate([[0], breaks + 1]), np.append(breaks, len(byte))
    opens = (starts < ends) & (byte[np.minimum(starts, len(byte) - 1)] == ord("{"))
    if any(block[a:b].strip(b" \t\r") for a, b in zip(starts[~opens], ends[~opens])):
        return None  # neither an object nor blank
    if any(block.count(b"[", a, b) + block.count(b"{", a, b) >= BLOCK_OPENINGS
           for a, b in zip(starts[ends - starts >= BLOCK_OPENINGS], ends[ends - starts >= BLOCK_OPENINGS])):
        return None
    rows = int(opens.sum())
    if not rows:
        return pa.table({})
    try:
        table = pj.read_json(io.BytesIO(block), parse_options=pj.ParseOptions(
            explicit_schema=schema, unexpected_field_behavior="infer"))
    except (pa.ArrowException, ValueError):
        return None
    if table.num_rows != rows or any(nesting(field.type) > BLOCK_NESTING for field in table.schema):
        return None
    return table


def nesting(kind) -> int:
    """How deep an Arrow type nests lists and structs (a plain value: 0)."""
    return 1 + max((nesting(kind.field(i).type) for i in range(kind.num_fields)), default=0) if kind.num_fields \
        else 0


def csv_blocks(path: str | Path) -> Iterator[tuple[int, Any]]:
    """A CSV table (compressed too) as Arrow tables of text, each of whole records of about ``BLOCK_BYTES`` read by
    Arrow's CSV reader, with the line its first record starts on: the rows ``iter_csv`` gives, an empty cell as None
    (null). Only UTF-8 text (a spreadsheet's byte-order mark too) whose header is one line (``plain_quotes``), of
    two columns or more, and whose blocks ``csv_table`` takes; else ``(line, None)`` from that block on (see
    ``table_blocks``)."""
    import numpy as np

    try:
        compression = compression_of(path)
        if text_encoding(Path(path)) != "utf-8-sig":  # UTF-16 by its byte-order mark
            yield 1, None
            return
        with open_text(path, "utf-8-sig", compression, newline="") as fh:  # the header as iter_csv reads it
            names, delimiter, before = csv_header(Path(path), fh, COMPRESSED_LINE_CHARS if compression else None)
        fh = open_binary(path, compression)
    except (InputError, RowTooLong, UnicodeError, *DECOMPRESSION_ERRORS):
        yield 1, None
        return
    with fh:
        try:
            pending, ended = fh.read(BLOCK_BYTES), False
        except DECOMPRESSION_ERRORS:
            yield 1, None
            return
        pending = pending[3:] if pending.startswith(b"\xef\xbb\xbf") else pending
        hint = pending.find(b"\n") + 1 if before else 0  # a spreadsheet's delimiter hint: the line before the header
        header = pending.find(b"\n", hint) + 1
        if len(names) < 2 or not header or (before and not hint) or not plain_quotes(pending[hint:header], delimiter):
            yield 1, None  # a header whose quotes may hold a line break, or a lone carriage return
            return
        pending, line = pending[header:], 2 + before
        while True:
            # at least BLOCK_BYTES (or the rest of the file), cut after its last whole record
            while not ended and (len(pending) < BLOCK_BYTES or not len(record_ends(pending))):
                if len(pending) > COMPRESSED_LINE_CHARS and not len(record_ends(pending)):  # a record longer than
                    yield line, None                                                       # a compressed table's
                    return
                try:
                    piece = fh.read(BLOCK_BYTES)
                except DECOMPRESSION_ERRORS:  # a disk's read error, compressed data cut off: iter_csv names it
                    yield line, None
                    return
                ended, pending = not piece, pending + piece
            end = len(pending) if ended else int(record_ends(pending)[-1]) + 1
            block, pending = pending[:end], pending[end:]
            if not block:
                return
            if compression and np.diff(record_ends(block), prepend=-1, append=len(block) - 1).max() > \
                    COMPRESSED_LINE_CHARS:  # a record's bytes, never fewer than its characters (RowBound)
                yield line, None
                return
            table = csv_table(block, names, delimiter)
            if table is None:
                yield line, None
                return
            if table.num_rows:
                yield line, table
            line += block.count(b"\n")


def record_ends(data: bytes):
    """Where each line break of ``data`` that no quotes hold is (an even number of quotes before it)."""
    import numpy as np

    byte = np.frombuffer(data, np.uint8)
    quotes, breaks = np.flatnonzero(byte == ord('"')), np.flatnonzero(byte == ord("\n"))
    return breaks[np.searchsorted(quotes, breaks) % 2 == 0]


def plain_quotes(data: bytes, delimiter: str) -> bool:
    """Whether every quote of ``data`` (whole records of a CSV table) opens a field or closes it before a delimiter
    or a line break, or is doubled inside it, pairing the quotes in order (the first opens, the second closes...),
    and every carriage return ends a line before its line feed (a lone one is a line to Python, none to Arrow)."""
    import numpy as np

    byte = np.frombuffer(data, np.uint8)
    returns = np.flatnonzero(byte == ord("\r"))
    if len(returns) and (returns[-1] + 1 == len(byte) or (byte[returns + 1] != ord("\n")).any()):
        return False
    quotes = np.flatnonzero(byte == ord('"'))
    if len(quotes) % 2:
        return False
    opens, closes = quotes[0::2], quotes[1::2]
    split = [ord(delimiter), ord("\n"), ord('"')]  # a quote before an opening one is the closing one before it
    before = byte[opens[opens > 0] - 1]
    after = byte[closes[closes + 1 < len(byte)] + 1]
    return bool(np.isin(before, split).all() and np.isin(after, [*split, ord("\r")]).all())


def csv_table(block: bytes, names: list[str], delimiter: str):
    """Whole records of a CSV table (after its header) as an Arrow table of text, an empty cell null, or None where
    ``iter_csv`` (Python's csv reader, strict) might read them otherwise or refuse them. Arrow's reader and Python's
    agree on a quoted field that opens a field and closes before a delimiter or a line break, its quotes doubled,
    and on a field without quotes; Arrow reads on after a closing quote ('"a"b' is 'ab', an error to Python), so
    every quote must open, close or double such a field (``plain_quotes``); Python gives a row of fewer fields than
    the header, which fails Arrow's reader, as one of more does. The text must be UTF-8 (Python's check). Checked
    against iter_csv on random tables (tests/test_prediction_blocks.py)."""
    import io

    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pv

    try:
        whole = pa.Array.from_buffers(pa.large_string(), 1, [None, pa.py_buffer(np.array([0, len(block)], np.int64)),
                                                             pa.py_buffer(block)])
        whole.validate(full=True)  # UTF-8
    except pa.ArrowInvalid:
        return None
    if not plain_quotes(block, delimiter):
        return None
    try:
        table = pv.read_csv(io.BytesIO(block), read_options=pv.ReadOptions(
            column_names=names, block_size=len(block) + 1, use_threads=False), parse_options=pv.ParseOptions(
            delimiter=delimiter, quote_char='"', double_quote=True, escape_char=False, newlines_in_values=True,
            ignore_empty_lines=True), convert_options=pv.ConvertOptions(
            column_types={name: pa.string() for name in names}, strings_can_be_null=False,
            quoted_strings_can_be_null=False))
    except (pa.ArrowException, ValueError):
        return None
    empty = pa.scalar(None, pa.string())
    return pa.table({name: pc.if_else(pc.equal(table[name], ""), empty, table[name]) for name in names})


def parquet_blocks(path: str | Path) -> Iterator[tuple[int, Any]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        check_regular_input(path)
        file = pq.ParquetFile(path)
        check_not_bomb(path, file.metadata)
        schema = file.schema_arrow
        batches = file.iter_batches(batch_size=PARQUET_BATCH_ROWS)
    except (OSError, pa.ArrowException, InputError):
        yield 1, None
        return
    names = schema.names
    if len(set(names)) < len(names) or not all(sure_type(field.type) for field in schema) \
            or any(is_json_text(field) for field in schema):
        yield 1, None
        return
    row, held, size = 1, [], 0
    while True:
        try:
            batch = next(batches, None)
            if batch is not None:
                batch.validate(full=True)  # text that is not UTF-8
        except (OSError, pa.ArrowException):
            yield row, None
            return
        if batch is not None and batch.num_rows:
            held.append(batch)
            size += batch.nbytes
        rows = sum(b.num_rows for b in held)
        if held and (batch is None or rows >= BLOCK_ROWS or size >= BLOCK_BYTES):
            yield row, pa.Table.from_batches(held, schema=held[0].schema)
            row, held, size = row + rows, [], 0
        if batch is None:
            return


def sure_type(kind) -> bool:
    """An Arrow type whose values ``iter_parquet`` gives as Arrow holds them (``plain_type``; lists and structs of
    such values; no bytes, dates or decimals, which it converts), so a block of them is the same rows."""
    import pyarrow as pa

    if pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_struct(kind):
        return all(sure_type(kind.field(i).type) for i in range(kind.num_fields))
    return plain_type(kind) and not pa.types.is_dictionary(kind)
