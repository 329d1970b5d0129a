"""``stance label`` in a real pseudo-terminal: single keys, SIGKILL mid-session, restart, nothing lost."""

from __future__ import annotations

import json
import os
import signal
import sys
from collections import Counter
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

from classifier.labels import LabelStore, current_labels  # noqa: E402
from test_labels import make_items, write_items  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LAUNCH = "from classifier.cli.app import app; import classifier.cli.label; app(prog_name='stance')"


def spawn(items: Path, labels: Path, *extra: str, rows: int = 50, columns: int = 100):
    env = {**os.environ, "TERM": "xterm", "COLUMNS": str(columns), "LINES": str(rows), "OMP_NUM_THREADS": "1",
           "PYTHONPATH": str(ROOT)}
    return pexpect.spawn(sys.executable, ["-c", LAUNCH, "label", str(items), "--labels", str(labels),
                                          "--annotator", "ana", *extra],
                         cwd=str(ROOT), env=env, encoding="utf-8", timeout=30, dimensions=(rows, columns))


def answer(child, key: str, saved: str) -> None:
    """Press one key (no Enter) and wait until the answer is on disk and the next screen is up."""
    child.send(key)
    child.expect_exact(saved)
    child.expect_exact("answer: ")


def after_mention(item) -> str:
    """The sentence after its first mention (the mention itself is wrapped in colour codes)."""
    return item.text[item.spans[0][1]:]


def kill(child) -> None:
    child.kill(signal.SIGKILL)
    child.expect(pexpect.EOF)
    child.close()
    assert child.signalstatus == signal.SIGKILL


def test_kill_restart_resume_and_every_answer_on_disk_once(tmp_path):
    items = make_items()
    items_path = write_items(tmp_path / "items.jsonl", items)
    labels = tmp_path / "labels.jsonl"

    child = spawn(items_path, labels)
    child.expect_exact("0/6 done")
    child.expect_exact("answer: ")
    answer(child, "f", "favor (saved)")
    answer(child, "a", "against (saved)")
    child.send("z")  # an unknown key changes nothing
    child.expect_exact("unknown key 'z'")
    answer(child, "n", "neutral (saved)")
    kill(child)
    assert [r["label"] for r in LabelStore(labels).records()] == ["favor", "against", "neutral"]

    child = spawn(items_path, labels)
    child.expect_exact("resuming: 3 of 6")
    child.expect_exact(after_mention(items[3]))  # the first unanswered item
    child.expect_exact("answer: ")
    child.send("u")  # undo the last answer of the killed session: item 2 comes back
    child.expect_exact(f"undone: neutral for item {items[2].id}")
    child.expect_exact(after_mention(items[2]))
    child.expect_exact("answer: ")
    answer(child, "f", "favor (saved)")
    answer(child, "s", "skipped (saved)")
    child.send("?")
    child.expect_exact("meaning")
    answer(child, " ", after_mention(items[4]))  # any key goes back to the item
    answer(child, "a", "against (saved)")
    child.send("n")
    child.expect_exact("neutral (saved)")
    kill(child)  # killed right after the last answer was written

    child = spawn(items_path, labels)
    child.expect_exact("all items done: 6/6: 5 answered (2 against, 2 favor, 1 neutral), 1 skipped, by ana")
    child.expect(pexpect.EOF)

    records = LabelStore(labels).records()
    current = {key[0]: r["label"] for key, r in current_labels(records).items()}
    assert current == {items[0].id: "favor", items[1].id: "against", items[2].id: "favor",
                       items[4].id: "against", items[5].id: "neutral"}
    answers = Counter(r["id"] for r in records if r.get("retracts") is None)
    assert answers == {items[0].id: 1, items[1].id: 1, items[2].id: 2, items[3].id: 1, items[4].id: 1,
                       items[5].id: 1}  # item 2 answered twice (neutral, undone, favor); item 3 skipped
    assert sum(r.get("retracts") is not None for r in records) == 1
    assert all(line.endswith("}") for line in labels.read_text().splitlines())
    json.loads(labels.read_text().splitlines()[-1])


def test_ctrl_c_and_q_quit_cleanly_with_answers_kept(tmp_path):
    items_path = write_items(tmp_path / "items.jsonl", make_items())
    labels = tmp_path / "labels.jsonl"
    child = spawn(items_path, labels, "--keys", "favor=1,against=2,neutral=3")
    child.expect_exact("[1] favor")
    child.expect_exact("answer: ")
    answer(child, "1", "favor (saved)")
    child.send("\x03")  # Ctrl-C arrives as a byte in raw mode
    child.expect_exact("stopped: 1/6")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert [r["label"] for r in LabelStore(labels).records()] == ["favor"]


def test_a_restart_says_it_resumes_on_the_screen_it_clears(tmp_path):
    """The walk of 2026-12-07 (3): "resuming: 1 of 6 items already answered by ana" was printed before the first
    screen, whose clearing wiped it at once, so a restart at a terminal never said whose answers it went on from."""
    items_path = write_items(tmp_path / "items.jsonl", make_items())
    labels = tmp_path / "labels.jsonl"
    child = spawn(items_path, labels)
    child.expect_exact("answer: ")
    answer(child, "f", "favor (saved)")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()

    child = spawn(items_path, labels)
    child.expect_exact("\x1b[2J")  # the first screen clears the terminal
    child.expect_exact("1/6 done")
    assert child.expect_exact(["resuming: 1 of 6 items already answered by ana", "answer: "]) == 0, child.before
    child.expect_exact("answer: ")
    child.send("q")
    child.expect_exact("stopped: 1/6")
    child.expect(pexpect.EOF)


def test_keys_typed_faster_than_the_screen_and_non_ascii_keys_all_count(tmp_path):
    items_path = write_items(tmp_path / "items.jsonl", make_items())
    labels = tmp_path / "labels.jsonl"
    child = spawn(items_path, labels, "--keys", "favor=é,against=ж")
    child.expect_exact("answer: ")
    child.send("éжn\x1b[Aé")  # four answers and an arrow key, in one burst
    child.expect_exact("unknown key '\\x1b[A'")
    child.expect_exact("4/6 done")
    child.expect_exact("answer: ")
    child.send("q")
    child.expect(pexpect.EOF)
    assert [r["label"] for r in LabelStore(labels).records()] == ["favor", "against", "neutral", "favor"]


def test_split_keys_keeps_characters_and_escape_sequences_whole():
    from classifier.cli.label import split_keys

    assert split_keys("fé\x1b[1;5Cж\x1bOPq".encode()) == ["f", "é", "\x1b[1;5C", "ж", "\x1bOP", "q"]
    assert split_keys(b"\x1b") == ["\x1b"]



def test_quiet_at_a_terminal_shows_one_line_per_item_and_never_clears_it(tmp_path):
    """-q at a terminal drew every full screen, as without it: it shows each item on one line, then the prompt."""
    items_path = write_items(tmp_path / "items.jsonl", make_items())
    labels = tmp_path / "labels.jsonl"
    child = spawn(items_path, labels, "-q")
    child.expect_exact("answer: ")
    shown = child.before
    assert "a1-0-Russia" in shown and "praised the deal" in shown
    for noise in ("per outlet", "[f] favor", "done", "\x1b[2J", "\x1b[H"):  # no screen, never cleared
        assert noise not in shown, noise
    child.send("f")
    child.expect_exact("a1-0-China")
    child.expect_exact("answer: ")
    assert "(saved)" not in child.before
    child.send("q")
    child.expect_exact("stopped: 1/6")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0 and [r["label"] for r in LabelStore(labels).records()] == ["favor"]


def test_help_on_a_24_row_terminal_has_a_screen_of_its_own_and_then_the_item_comes_back(tmp_path):
    """The walk of 2026-12-07 (3): '?' printed the keys table under the item's screen, which pushed the item off the
    top of a 24-row terminal and left it there."""
    items = make_items()
    items_path = write_items(tmp_path / "items.jsonl", items)
    labels = tmp_path / "labels.jsonl"
    child = spawn(items_path, labels, rows=24, columns=80)
    child.expect_exact(after_mention(items[0]))
    child.expect_exact("answer: ")
    child.send("?")
    child.expect_exact("\x1b[2J", timeout=10)  # the help's own screen, cleared
    child.expect_exact("press any key to go back to the item")
    assert "meaning" in child.before and "answer: " not in child.before
    child.send("x")  # any key: back to the item, not an answer nor an unknown key
    child.expect_exact("\x1b[2J")
    child.expect_exact(after_mention(items[0]))
    child.expect_exact("answer: ")
    assert "meaning" not in child.before and "unknown key" not in child.before
    answer(child, "f", "favor (saved)")
    child.send("?")
    child.expect_exact("press any key to go back to the item")
    child.send("\x03")  # Ctrl-C on the help's screen quits, every answer kept
    child.expect_exact("stopped: 1/6")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert [(r["id"], r["label"]) for r in LabelStore(labels).records()] == [(items[0].id, "favor")]
