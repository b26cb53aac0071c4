"""A real browser on a real server: the app under waitress on a free port, and Debian's Chromium via Playwright."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import axe_playwright_python
import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from waitress.server import create_server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
#: As root on a machine with no outside network: no sandbox, and no background calls home.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]
AXE_SOURCE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
#: WCAG 2.0, 2.1 and 2.2, levels A and AA.
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


class LiveServer:
    """The app served by waitress (what `serve` uses) in a background thread."""

    def __init__(self, app: Flask) -> None:
        self._server: Any = create_server(app, host="127.0.0.1", port=0, threads=4)
        self.url = f"http://127.0.0.1:{self._server.effective_port}"
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.close()
        self._thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser context (its own storage) at a laptop's size, in British English."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    yield ctx
    ctx.close()


def axe_violations(page: Page, tags: list[str] | None = None, rules: list[str] | None = None) -> list[str]:
    """Run axe-core in the page; one line per violation: rule, what it means, and where."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)  # through the DevTools protocol, so the page's CSP does not block it
    only = {"type": "tag", "values": tags} if tags else {"type": "rule", "values": rules}
    result = page.evaluate("async (only) => await axe.run(document, {runOnly: only, resultTypes: ['violations']})",
                           only)
    return [
        f"{v['id']}: {v['help']} at {', '.join(str(n['target']) for n in v['nodes'][:5])}"
        for v in result["violations"]
    ]
