"""`coder serve` in a real headless Chromium: the page opens on the overview and a key press in
the browser codes an answer (checked in the project).

Chromium is driven over its DevTools protocol (aiohttp's websocket client, already a dependency
of textual-serve), so no browser driver package is needed. Without Chromium the test skips,
except under CI, where it fails.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from coder.services.overview import question_rows_at
from coder.store import open_project
from tests.tui.conftest import code_id

REPO = Path(__file__).resolve().parents[2]
Q2 = "q2_barriers"
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI"):
        pytest.fail("Chromium is missing (CI is set): apt-get install -y chromium")
    pytest.skip("Chromium is not installed (apt-get install -y chromium)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"process ended early: {process.stderr.read().decode()}")  # type: ignore[union-attr]
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"nothing listens on port {port}")


@pytest.fixture
def served(demo_project: Path, tmp_path: Path) -> Iterator[int]:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "coder", "serve", str(demo_project), "--port", str(port),
         "--coder", "alice"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        cwd=tmp_path)
    try:
        _wait_for_port(port, server)
        yield port
    finally:
        server.terminate()
        server.wait(10)


class Page:
    """One Chromium tab over the DevTools protocol; keeps what the app's websocket sent."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.next_id = 0
        self.screen_bytes = bytearray()
        self.replies: dict[int, Any] = {}

    async def send(self, method: str, **params: Any) -> Any:
        self.next_id += 1
        wanted = self.next_id
        await self.ws.send_json({"id": wanted, "method": method, "params": params})
        while wanted not in self.replies:
            await self.pump(5)
        return self.replies.pop(wanted)

    async def pump(self, seconds: float) -> None:
        message = await self.ws.receive(timeout=seconds)
        data = json.loads(message.data)
        if "id" in data:
            self.replies[data["id"]] = data.get("result")
        elif data.get("method") == "Network.webSocketFrameReceived":
            frame = data["params"]["response"]
            payload = frame["payloadData"]
            self.screen_bytes += base64.b64decode(payload) if frame["opcode"] == 2 \
                else payload.encode()

    async def wait_for_text(self, text: str, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while text not in self.text():
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never shown; last output: {self.text()[-500:]!r}")
            with contextlib.suppress(TimeoutError):
                await self.pump(1)

    def text(self) -> str:
        return _ANSI.sub("", self.screen_bytes.decode("utf-8", "replace"))

    async def press(self, key: str, code: str, key_code: int, text: str = "") -> None:
        for kind in ("keyDown", "keyUp"):
            params: dict[str, Any] = {"type": kind, "key": key, "code": code,
                                      "windowsVirtualKeyCode": key_code}
            if text and kind == "keyDown":
                params["text"] = text
            await self.send("Input.dispatchKeyEvent", **params)
        await asyncio.sleep(0.3)


def test_the_served_app_opens_on_the_overview_and_codes_from_the_browser(
        served: int, demo_project: Path, tmp_path: Path) -> None:
    chromium = _chromium()
    debug_port = _free_port()
    browser = subprocess.Popen(
        [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--remote-debugging-port={debug_port}", f"--user-data-dir={tmp_path / 'profile'}",
         "--window-size=1400,1000", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rows = [r.question_id for r in question_rows_at(demo_project, 0)]  # the overview's order
    try:
        _wait_for_port(debug_port, browser)
        asyncio.run(_drive(debug_port, served, rows.index(Q2)))
    finally:
        browser.terminate()
        browser.wait(10)
    with open_project(demo_project) as store:
        alice = store.coder("alice", create=False)
        codings = store.codings(coder_id=alice.id)
        first = [a.id for a in store.answers(Q2) if not a.is_blank][0]
        assert [(c.answer_id, c.code_id) for c in codings] == [(first, code_id(store, Q2, 201))]


async def _drive(debug_port: int, app_port: int, q2_row: int) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as http:
        for _ in range(50):
            try:
                async with http.get(f"http://127.0.0.1:{debug_port}/json") as reply:
                    targets = await reply.json()
                pages = [t for t in targets if t.get("type") == "page"]
                if pages:
                    break
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
        async with http.ws_connect(pages[0]["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            page = Page(ws)
            await page.send("Network.enable")
            await page.send("Page.enable")
            await page.send("Page.navigate", url=f"http://127.0.0.1:{app_port}/")
            await page.wait_for_text("coder: alice", 60)  # the app started, as alice
            await page.wait_for_text("q2_barriers")  # the overview lists the questions
            await page.wait_for_text("open questions")  # the overview's summary line
            await page.send("Runtime.evaluate",  # keys go to the terminal, as after a click
                            expression="document.querySelector('.xterm-helper-textarea').focus()")
            for _ in range(q2_row):
                await page.press("ArrowDown", "ArrowDown", 40)
            await page.press("Enter", "Enter", 13, "\r")
            await page.wait_for_text("Find code")  # the coding screen's footer
            await page.press("3", "Digit3", 51, "3")
            await page.wait_for_text("added 201 No suitable local schools")
