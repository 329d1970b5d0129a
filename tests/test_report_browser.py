"""The HTML report in a real headless browser (Debian's chromium, driven over the DevTools pipe).

The page must load with no console error, no uncaught exception, no request beyond file:/data:, show its
tables and plots, keep hostile article text inert, and leave a screenshot. Skipped, with the fix, only where
chromium is not installed (``scripts/install_chromium.sh`` installs it as root).
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_evaluate import prediction_rows, write_jsonl  # noqa: E402

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
         "--disable-dev-shm-usage", "--mute-audio", "--remote-debugging-pipe"]
HOSTILE = ("Russia <script>document.title='pwned'; window.PWNED = 1</script>"
           "<img src=x onerror=\"window.PWNED = 2\"> said <b>hello</b> & left")
LOCAL_SCHEMES = ("file:", "data:", "about:")


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


class DevTools:
    """A minimal Chrome DevTools Protocol client over ``--remote-debugging-pipe`` (fd 3 in, fd 4 out)."""

    def __init__(self, binary: str, profile: Path):
        to_child, self.writer = os.pipe()
        self.reader, from_child = os.pipe()

        def remap():  # in the child: our pipe ends become fds 3 and 4
            read_end = fcntl.fcntl(to_child, fcntl.F_DUPFD_CLOEXEC, 10)
            write_end = fcntl.fcntl(from_child, fcntl.F_DUPFD_CLOEXEC, 10)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        self.log = profile.parent / "chromium.log"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen([binary, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                                            preexec_fn=remap, close_fds=False, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=log)
        os.close(to_child)
        os.close(from_child)
        self.buffer, self.next_id, self.events = b"", 0, []

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.writer, json.dumps(message).encode() + b"\0")
        return self.next_id

    def receive(self, timeout: float) -> dict | None:
        deadline = time.monotonic() + timeout
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or self.process.poll() is not None:
                return None
            ready, _, _ = select.select([self.reader], [], [], left)
            if ready:
                chunk = os.read(self.reader, 1 << 20)
                if not chunk:
                    return None
                self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        message = json.loads(raw)
        if "id" not in message:
            self.events.append(message)
        return message

    def call(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 30) -> dict:
        wanted = self.send(method, params, session)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = self.receive(deadline - time.monotonic())
            if message is None:
                break
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
        raise TimeoutError(f"no answer to {method}; chromium log: {self.log.read_text(errors='replace')[-2000:]}")

    def wait_for(self, event: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        if any(e.get("method") == event for e in self.events):
            return
        while time.monotonic() < deadline:
            message = self.receive(deadline - time.monotonic())
            if message is not None and message.get("method") == event:
                return
        raise TimeoutError(f"no {event} within {timeout} s")

    def drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self.receive(deadline - time.monotonic()) is not None:
            pass

    def close(self) -> None:
        try:
            self.send("Browser.close")
            self.process.wait(timeout=10)
        except Exception:
            self.process.kill()
            self.process.wait(timeout=10)
        finally:
            os.close(self.writer)
            os.close(self.reader)


def problems(events: list[dict]) -> list[str]:
    """Console errors, uncaught exceptions, error log entries, dialogs and non-local requests."""
    found = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            found.append(f"console.{params['type']}: {[a.get('value') for a in params.get('args', [])]}")
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            found.append(f"uncaught: {details.get('text')} {details.get('exception', {}).get('description', '')}")
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            found.append(f"log error: {params['entry'].get('text')}")
        elif method == "Page.javascriptDialogOpening":
            found.append(f"dialog: {params.get('message')}")
        elif method == "Network.requestWillBeSent" and not params["request"]["url"].startswith(LOCAL_SCHEMES):
            found.append(f"network request: {params['request']['url']}")
    return found


@pytest.fixture(scope="module")
def chromium() -> str:
    binary = find_chromium()
    if binary is None:
        pytest.skip("chromium is not installed, so the HTML report was not checked in a browser: run "
                    "scripts/install_chromium.sh as root (apt-get install -y chromium)")
    return binary


def open_session(browser) -> str:
    """A fresh page target with the Runtime, Log, Network and Page domains enabled; its session id."""
    target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Runtime", "Log", "Network", "Page"):
        browser.call(f"{domain}.enable", {}, session)
    return session


def load_page(browser, page: Path) -> str:
    """Open ``page`` in a fresh 1280 x 2000 tab and wait for it to load; the tab's session id."""
    session = open_session(browser)
    browser.call("Emulation.setDeviceMetricsOverride",
                 {"width": 1280, "height": 2000, "deviceScaleFactor": 1, "mobile": False}, session)
    browser.call("Page.navigate", {"url": page.resolve().as_uri()}, session)
    browser.wait_for("Page.loadEventFired")
    browser.drain(0.5)
    return session


def test_report_renders_in_headless_chromium(tmp_path, chromium):
    from classifier.report import build_report

    rows = prediction_rows(240)
    rows[0].update(text=HOSTILE + " " + "x" * 3000, spans=[[0, 6]], stance="favor",  # and a word wider than any page
                   stance_scores={"favor": 0.99, "against": 0.005, "neutral": 0.005})
    rows[1].update(actor="<img src=x onerror=alert(1)>", spans=[])
    for i, row in enumerate(rows):  # dated articles and headlines: the time view and the headline table
        row["date"] = f"2019-{1 + int(row['article'].rsplit('-', 1)[1]) % 12:02d}-15"
        row["kind"] = "headline" if i % 5 == 0 else "body"
    before = [dict(r, model="old@1", stance="neutral") if r["source"] == "Daily A" else dict(r, model="old@1")
              for r in rows]
    page = build_report(write_jsonl(tmp_path / "preds.jsonl", rows), tmp_path / "report", n_boot=50, n_perm=50,
                        compare=write_jsonl(tmp_path / "before.jsonl", before))

    browser = DevTools(chromium, tmp_path / "profile")
    try:
        session = load_page(browser, page)
        state = browser.call("Runtime.evaluate", {"returnByValue": True, "expression": """({
            title: document.title,
            pwned: window.PWNED === undefined ? null : window.PWNED,
            scripts: document.querySelectorAll('script').length,
            tables: document.querySelectorAll('table').length,
            framingRows: document.querySelectorAll('table')[0] ? document.querySelectorAll('table')[0].rows.length : 0,
            images: document.images.length,
            imagesShown: Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length,
            marks: document.querySelectorAll('mark').length,
            text: document.body.innerText,
            height: document.documentElement.scrollHeight })"""}, session)["result"]["value"]
        browser.call("Emulation.setDeviceMetricsOverride",
                     {"width": 1280, "height": min(int(state["height"]), 12000), "deviceScaleFactor": 1,
                      "mobile": False}, session)
        width = browser.call("Runtime.evaluate", {"returnByValue": True, "expression":
                             "document.documentElement.scrollWidth"}, session)["result"]["value"]
        shot = browser.call("Page.captureScreenshot", {"format": "png"}, session)["data"]
        browser.drain(0.2)
        events = list(browser.events)
    finally:
        browser.close()

    screenshot = tmp_path / "report.png"
    screenshot.write_bytes(base64.b64decode(shot))
    if os.environ.get("STANCE_SCREENSHOT_DIR"):
        shutil.copy(screenshot, Path(os.environ["STANCE_SCREENSHOT_DIR"]) / "report.png")
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and screenshot.stat().st_size > 20_000

    assert problems(events) == []
    assert width <= 1280  # long words wrap: the page never scrolls sideways (wide tables scroll in their box)
    assert state["title"] == "Stance framing report" and state["pwned"] is None and state["scripts"] == 0
    assert state["tables"] >= 6 and state["framingRows"] > 9
    assert state["images"] == 8 and state["imagesShown"] == 8  # heatmap, 3 actors, 3 over time, reliability
    assert state["marks"] > 10
    for heading in ("Framing table", "Differences between outlets", "Shares corrected for classifier error",
                    "Sentences that drive each cell", "Evaluation on gold labels", "Model card", "Over time",
                    "Headlines and body", "Before and after", "What these data can show"):
        assert heading in state["text"]
    assert "<script>document.title='pwned'; window.PWNED = 1</script>" in state["text"]  # shown as text
    assert "<img src=x onerror=alert(1)>" in state["text"]


def test_browser_check_catches_errors(tmp_path, chromium):
    """The checker itself: a page with a script error and a network image is reported, not passed."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><title>bad</title><p>x</p><script>console.error('boom'); missingFn();</script>"
                   "<img src='http://127.0.0.1:9/x.png'>")
    browser = DevTools(chromium, tmp_path / "profile")
    try:
        session = open_session(browser)
        browser.call("Page.navigate", {"url": bad.as_uri()}, session)
        browser.wait_for("Page.loadEventFired")
        browser.drain(0.3)
        found = problems(browser.events)
    finally:
        browser.close()
    assert any("boom" in p for p in found) and any("missingFn" in p for p in found)
    assert any(p.startswith("network request: http://127.0.0.1:9/") for p in found)


BASIL = Path(__file__).resolve().parents[2] / "shared" / "data" / "basil" / "train.jsonl"


@pytest.mark.skipif(not BASIL.exists(), reason="needs ../shared/data/basil (beside the checkout in CI)")
def test_basil_report_over_time_with_power_notes_and_before_after(tmp_path, chromium):
    """BASIL train (Fox, NYT and HuffPost on the same events, 2010-2019), its sentences about the six actors the page
    charts (the most mentioned: 1,020 of 2,271, eight of its ten years), scored by models/newsmtsc-v16 (before) and
    models/default (after): the page shows the three outlets over time, what the data can show, and how the cells
    moved."""
    from collections import Counter

    from typer.testing import CliRunner

    from classifier.cli.app import app
    from classifier.report import build_report

    models = Path(__file__).resolve().parents[1] / "models"
    runner = CliRunner()
    lines = BASIL.read_text(encoding="utf-8").splitlines()
    actors = [json.loads(line)["actor"] for line in lines]
    charted = {actor for actor, _ in Counter(actors).most_common(6)}  # max_actors=6 below
    basil = tmp_path / "basil.jsonl"
    basil.write_text("".join(f"{line}\n" for line, actor in zip(lines, actors) if actor in charted), encoding="utf-8")
    files = {}
    for name in ("newsmtsc-v16", "default"):
        files[name] = tmp_path / f"{name}.jsonl"
        result = runner.invoke(app, ["classify", str(basil), "--out", str(files[name]), "--model",
                                     str(models / name), "-q"])
        assert result.exit_code == 0, result.output
    page = build_report(files["default"], tmp_path / "report", n_boot=200, n_perm=500, max_actors=6,
                        compare=files["newsmtsc-v16"])
    browser = DevTools(chromium, tmp_path / "profile")
    try:
        session = load_page(browser, page)
        state = browser.call("Runtime.evaluate", {"returnByValue": True, "expression": """({
            text: document.body.innerText,
            timeCharts: Array.from(document.images).filter(i => i.src.includes('time_') || i.alt.includes('over time')).length,
            shown: Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length,
            images: document.images.length,
            top: (() => { const h = [...document.querySelectorAll('h2')].find(h => h.innerText == 'Over time');
                          return h ? h.getBoundingClientRect().top + window.scrollY : 0; })() })"""},
                             session)["result"]["value"]
        shot = browser.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                                       "clip": {"x": 0, "y": state["top"], "width": 1280,
                                                                "height": 1800, "scale": 1}}, session)["data"]
        events = list(browser.events)
    finally:
        browser.close()
    screenshot = tmp_path / "basil_over_time.png"
    screenshot.write_bytes(base64.b64decode(shot))
    if os.environ.get("STANCE_SCREENSHOT_DIR"):
        shutil.copy(screenshot, Path(os.environ["STANCE_SCREENSHOT_DIR"]) / screenshot.name)
    assert problems(events) == [] and state["shown"] == state["images"] and state["timeCharts"] >= 3
    assert screenshot.stat().st_size > 20_000
    text = state["text"]
    # the heading's own line: the findings at the top link to "Outlet tests" above it, and the line of links to each
    # section names "Over time" before them all
    start = text.index("\nOver time\n")
    over_time = text[start:text.index("Outlet tests", start)]
    assert "per year" in over_time and all(outlet in over_time for outlet in ("fox", "hpo", "nyt"))
    assert any(year in over_time for year in ("2010", "2011")) and "2019" in over_time
    assert "What these data can show" in text and "smallest difference in net stance" in text
    assert "Before and after" in text and " cells (" in text and "moved beyond the bootstrap noise" in text
