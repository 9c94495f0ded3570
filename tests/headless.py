"""A small headless Chromium driver for the page tests: the DevTools protocol over a pipe.

Chromium started with `--remote-debugging-pipe` reads protocol messages (JSON, each ended
by a NUL byte) on its file descriptor 3 and answers on 4, so no port, websocket library or
browser driver package is needed. Only what the tests use is here: open a page, wait for
it, run JavaScript, type, take a screenshot.

The browser is Debian's `chromium` (installed by .ci/chromium.sh) or the one named by the
CHROMIUM environment variable.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
    "--disable-dev-shm-usage", "--remote-debugging-pipe",
)


class BrowserError(RuntimeError):
    pass


def find_chromium() -> str | None:
    named = os.environ.get("CHROMIUM")
    if named:
        return shutil.which(named) or (named if Path(named).exists() else None)
    return next((found for found in map(shutil.which, CANDIDATES) if found), None)


def _high_fd(fd: int) -> int:
    """A copy of `fd` numbered 10 or more (so the child's 3 and 4 can be set without clashes)."""
    new = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return new


class Chromium:
    """One headless browser process; `Chromium.start()` raises BrowserError when it cannot run."""

    def __init__(self, binary: str, timeout: float = 60.0):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="abstracts-chromium-")
        cmd_r, self._cmd_w = (_high_fd(fd) for fd in os.pipe())
        self._out_r, out_w = (_high_fd(fd) for fd in os.pipe())
        self.log = open(Path(self.profile) / "stderr.log", "wb")
        # bash (dash takes only one-digit descriptors) puts the pipe ends on 3 and 4, then becomes chromium
        script = f'exec "$@" 3<&{cmd_r} 4>&{out_w} {cmd_r}<&- {out_w}>&-'
        args = [binary, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"]
        self.proc = subprocess.Popen([shutil.which("bash") or "/bin/bash", "-c", script, "chromium", *args], pass_fds=(cmd_r, out_w),
                                     stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        os.close(cmd_r)
        os.close(out_w)
        self._next_id = 0
        self._replies: dict[int, dict] = {}
        self._events: list[dict] = []
        self._cond = threading.Condition()
        self._closed = False
        threading.Thread(target=self._read, daemon=True).start()

    @classmethod
    def start(cls, binary: str | None = None, timeout: float = 60.0) -> Chromium:
        binary = binary or find_chromium()
        if not binary:
            raise BrowserError(f"no Chromium found (looked for {', '.join(CANDIDATES)}; set CHROMIUM)")
        browser = cls(binary, timeout)
        try:
            browser.version = browser.send("Browser.getVersion", timeout=30)["product"]
        except BrowserError as exc:
            browser.close()
            raise BrowserError(f"{binary} did not start: {exc}; {browser.stderr_tail()}") from None
        return browser

    # ------------------------------------------------------------------ protocol

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self._out_r, 1 << 20)
            except OSError:
                chunk = b""
            if not chunk:
                break
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            with self._cond:
                for raw in messages:
                    msg = json.loads(raw)
                    if "id" in msg:
                        self._replies[msg["id"]] = msg
                    else:
                        self._events.append(msg)
                self._cond.notify_all()
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout: float | None = None) -> dict:
        with self._cond:
            self._next_id += 1
            ident = self._next_id
        msg: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        try:
            os.write(self._cmd_w, json.dumps(msg).encode() + b"\0")
        except OSError as exc:
            raise BrowserError(f"{method}: browser pipe closed ({exc})") from None
        deadline = time.monotonic() + (timeout or self.timeout)
        with self._cond:
            while ident not in self._replies:
                left = deadline - time.monotonic()
                if self._closed or left <= 0:
                    raise BrowserError(f"{method}: {'browser exited' if self._closed else 'no answer in time'}")
                self._cond.wait(left)
            reply = self._replies.pop(ident)
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error'].get('message')}")
        return reply.get("result", {})

    def wait_event(self, method: str, session: str | None = None, timeout: float | None = None) -> dict:
        deadline = time.monotonic() + (timeout or self.timeout)
        with self._cond:
            while True:
                for i, ev in enumerate(self._events):
                    if ev.get("method") == method and (session is None or ev.get("sessionId") == session):
                        return self._events.pop(i).get("params", {})
                left = deadline - time.monotonic()
                if self._closed or left <= 0:
                    raise BrowserError(f"waiting for {method}: {'browser exited' if self._closed else 'timed out'}")
                self._cond.wait(left)

    def events(self, method: str, session: str | None = None) -> list[dict]:
        with self._cond:
            return [e.get("params", {}) for e in self._events if e.get("method") == method and e.get("sessionId") == session]

    # ------------------------------------------------------------------ pages

    def open(self, url: str, width: int = 1280, height: int = 900, timeout: float | None = None) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, target, session)
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable", session=session)
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=session)
        page.goto(url, timeout=timeout)
        return page

    def stderr_tail(self, lines: int = 5) -> str:
        try:
            text = (Path(self.profile) / "stderr.log").read_text(errors="replace")
        except OSError:
            return ""
        return " | ".join(text.strip().splitlines()[-lines:])

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                try:
                    self.send("Browser.close", timeout=5)
                except BrowserError:
                    pass
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=10)
        finally:
            for fd in (self._cmd_w, self._out_r):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self.log.close()
            shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    def __init__(self, browser: Chromium, target: str, session: str):
        self.browser, self.target, self.session = browser, target, session

    def send(self, method: str, params: dict | None = None, timeout: float | None = None) -> dict:
        return self.browser.send(method, params, session=self.session, timeout=timeout)

    def goto(self, url: str, timeout: float | None = None) -> None:
        self.send("Page.navigate", {"url": url})
        self.browser.wait_event("Page.loadEventFired", self.session, timeout=timeout)

    def js(self, expression: str, timeout: float | None = None) -> Any:
        """The value of a JavaScript expression (promises awaited); a thrown error raises."""
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True},
                           timeout=timeout)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise BrowserError(f"{expression[:80]!r}: {details.get('exception', {}).get('description') or details.get('text')}")
        return result.get("result", {}).get("value")

    def wait_for(self, expression: str, timeout: float = 30.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = self.js(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(f"timed out waiting for {expression!r}")
            time.sleep(0.05)

    def type_into(self, selector: str, text: str) -> None:
        """Focus an input and type `text` as keyboard input would (fires input events)."""
        self.js(f"document.querySelector({json.dumps(selector)}).focus()")
        self.send("Input.insertText", {"text": text})

    def select(self, selector: str, value: str) -> None:
        """Choose an option of a <select> as a user would (sets it, fires change)."""
        self.js(f"(function(s){{s.value={json.dumps(value)};s.dispatchEvent(new Event('change',{{bubbles:true}}));}})"
                f"(document.querySelector({json.dumps(selector)}))")

    def click(self, selector: str) -> None:
        """A real mouse click in the middle of the first element matching `selector`."""
        box = self.js(f"(function(e){{e.scrollIntoView({{block:'center'}});var r=e.getClientRects()[0];"
                      f"return [r.left+Math.min(r.width/2,4),r.top+r.height/2];}})(document.querySelector({json.dumps(selector)}))")
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": box[0], "y": box[1], "button": "left", "clickCount": 1})

    def exceptions(self) -> list[str]:
        return [e.get("exceptionDetails", {}).get("text", "?") for e in self.browser.events("Runtime.exceptionThrown", self.session)]

    def console_errors(self) -> list[str]:
        return [e["entry"].get("text", "") for e in self.browser.events("Log.entryAdded", self.session)
                if e.get("entry", {}).get("level") == "error"]

    def screenshot(self, path: str | Path, full_page: bool = False) -> Path:
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
        data = self.send("Page.captureScreenshot", params)["data"]
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        try:
            self.browser.send("Target.closeTarget", {"targetId": self.target}, timeout=10)
        except BrowserError:
            pass
