"""The page without the internet: the manifest, the service worker, the offline page, and keeping the recordings on
the phone only when asked, checked with Flask's client and in headless Chromium with the network switched off."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import BrowserContext, Page

from skill.app import create_app
from skill.web.offline import BACKGROUND_COLOUR, THEME_COLOUR, KeepOffer
from tests.support.browser import WCAG_A_AA, LiveServer, axe_violations

SITE_CSS = Path(__file__).parent.parent / "skill" / "web" / "static" / "site.css"
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
KEEP = "Keep these recordings on this phone"
REMOVE = "Remove the recordings from this phone"


def make_app(audio_dir: Path) -> Flask:
    return create_app({"TESTING": True, "ALEXA_VERIFY_SIGNATURES": False, "PHONE_VERIFY_SIGNATURES": False,
                       "AUDIO_DIR": str(audio_dir)})


def html(client: FlaskClient, path: str) -> BeautifulSoup:
    response = client.get(path, headers=BROWSER)
    assert response.mimetype == "text/html"
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


@pytest.fixture(scope="module")
def with_audio(built_audio: Path) -> FlaskClient:
    return make_app(built_audio).test_client()


@pytest.fixture(scope="module")
def no_audio(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    return make_app(tmp_path_factory.mktemp("no-audio")).test_client()


# What the server sends


def test_the_manifest_names_the_guide_starts_at_the_page_and_uses_its_colours(no_audio: FlaskClient) -> None:
    response = no_audio.get("/manifest.webmanifest")
    assert (response.status_code, response.mimetype) == (200, "application/manifest+json")
    manifest = response.get_json(force=True)
    assert manifest["name"] == "Secondary breast cancer guide" and len(manifest["short_name"]) <= 12
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == ("/", "/", "standalone")
    light = SITE_CSS.read_text().split("@media (prefers-color-scheme: dark)")[0]
    assert f"--accent: {THEME_COLOUR};" in light and f"--page: {BACKGROUND_COLOUR};" in light
    assert (manifest["theme_color"], manifest["background_color"]) == (THEME_COLOUR, BACKGROUND_COLOUR)
    for icon in manifest["icons"]:
        with no_audio.get(icon["src"]) as served:  # files are streamed: close it
            assert served.status_code == 200 and served.mimetype == icon["type"] == "image/svg+xml"


def test_the_service_worker_is_served_from_the_root_as_javascript_never_stale(no_audio: FlaskClient) -> None:
    with no_audio.get("/sw.js") as response:
        assert response.status_code == 200 and response.mimetype == "text/javascript"
        assert response.headers["Cache-Control"] == "no-cache"
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/", "/offline", "/ask?q=outlook"])
def test_every_page_links_the_manifest_and_script_and_the_policy_still_forbids_inline_script(
        no_audio: FlaskClient, path: str) -> None:
    response = no_audio.get(path, headers=BROWSER)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "default-src 'self';" in policy  # workers and manifests: 'self'
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    doc = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert doc.select('head link[rel=manifest][href="/manifest.webmanifest"]')
    assert doc.select('head script[src="/static/offline.js"][data-service-worker="/sw.js"]')
    assert not doc.select("script:not([src])")


def test_the_offline_page_says_the_answer_needs_the_internet_and_phones_still_work(no_audio: FlaskClient) -> None:
    doc = html(no_audio, "/offline")
    assert doc.select_one("h1").get_text() == "No internet connection"  # type: ignore[union-attr]
    assert "need the internet" in doc.select_one("main").get_text()  # type: ignore[union-attr]
    hrefs = {a["href"] for a in doc.select('main a[href^="tel:"]')}
    assert {"tel:+448088004040", "tel:999", "tel:111", "tel:116123"} <= hrefs


def test_the_keep_button_offers_every_current_recording_with_its_size(
        with_audio: FlaskClient, built_audio: Path) -> None:
    keep = html(with_audio, "/").select_one("#offline #keep[hidden]")  # shown by the script, never without it
    assert keep is not None and keep.select_one("button").get_text() == KEEP  # type: ignore[union-attr]
    offered = json.loads(str(keep["data-recordings"]))
    manifest = json.loads((built_audio / "manifest.json").read_text())
    played = [str(audio["src"]) for audio in html(with_audio, "/").select("audio")]
    assert sorted(r["url"] for r in offered) == sorted(played)  # what this page plays, no phone menus
    for recording in offered:
        name = recording["url"].removeprefix("/audio/")
        assert recording["bytes"] == (built_audio / name).stat().st_size
        assert recording["source"] == manifest["files"][name]["source"]
    total = sum(r["bytes"] for r in offered)
    said = re.search(r"take (\d+\.\d) MB of space", " ".join(keep.get_text().split()))
    assert said and float(said.group(1)) == pytest.approx(total / 1e6, abs=0.05)


def test_without_recordings_there_is_nothing_to_keep(no_audio: FlaskClient) -> None:
    assert html(no_audio, "/").select("#keep, #keep-button") == []


@pytest.mark.parametrize("size, words", [(1, "0.1 MB"), (149_999, "0.1 MB"), (3_449_000, "3.4 MB"),
                                         (12_560_000, "12.6 MB")])
def test_the_space_needed_reads_in_megabytes(size: int, words: str) -> None:
    assert KeepOffer((), size).size_words == words.replace(" ", "\N{NO-BREAK SPACE}")


# In Chromium, with the network switched off


class Visits:
    """Every path the server was asked for: proof that, offline, nothing reached it."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.paths: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        self.paths.append(environ["PATH_INFO"])
        return self.app(environ, start_response)


@pytest.fixture(scope="module")
def served(built_audio: Path) -> Iterator[tuple[str, Visits]]:
    app = make_app(built_audio)
    visits = Visits(app.wsgi_app)
    app.wsgi_app = visits  # type: ignore[method-assign]
    with LiveServer(app) as server:
        yield server.url, visits


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text
            else None)
    yield page
    assert refused == [], "the page's own policy blocked something"


def open_controlled(page: Page, url: str) -> None:
    """Open the page and wait until its service worker answers its requests."""
    page.goto(url)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=10_000)


#: How many recordings the recordings cache holds; -1 when there is no such cache at all.
RECORDINGS_KEPT = """async () => (await caches.has('recordings'))
  ? (await (await caches.open('recordings')).keys()).length : -1"""


def press_keep(page: Page) -> None:
    page.get_by_role("button", name=KEEP).click()
    page.get_by_role("status").filter(has_text=re.compile(r"^Finished\.")).wait_for(timeout=20_000)


def test_nothing_is_kept_until_asked_then_the_page_and_recordings_work_offline(
        context: BrowserContext, page: Page, served: tuple[str, Visits], built_audio: Path) -> None:
    site, visits = served
    open_controlled(page, site + "/")
    count = len(json.loads(page.locator("#keep").get_attribute("data-recordings") or "[]"))
    page.wait_for_timeout(300)
    assert page.evaluate(RECORDINGS_KEPT) == -1, "recordings were kept without the button"
    assert not [path for path in visits.paths if path.startswith("/audio/")]
    assert page.get_by_role("button", name=REMOVE).is_hidden()

    press_keep(page)
    assert page.evaluate(RECORDINGS_KEPT) == count
    assert f"The {count} recordings are kept on this phone" in page.get_by_role("status").inner_text()
    assert page.get_by_role("button", name=KEEP).is_hidden()
    assert page.get_by_role("button", name=REMOVE).is_visible()
    assert axe_violations(page, tags=WCAG_A_AA) == []
    assert axe_violations(page, rules=["color-contrast-enhanced"]) == []

    context.set_offline(True)
    asked_before = len(visits.paths)
    page.reload()
    assert page.get_by_role("heading", level=1, name="Secondary breast cancer").is_visible()
    page.locator("h1").click()  # a person's click lets the page play sound
    played = page.locator("#where-it-spreads audio").first.evaluate("""a => new Promise((resolve, reject) => {
      a.addEventListener('error', () => reject(new Error('media error ' + (a.error && a.error.code))));
      a.play().then(() => setTimeout(() => resolve({time: a.currentTime, ready: a.readyState}), 600), reject);
    })""")
    assert played["time"] > 0.2 and played["ready"] >= 2
    sliced = page.evaluate("""async () => {
      const r = await fetch('/audio/mp3/outlook.mp3', {headers: {Range: 'bytes=100-199'}});
      const body = Array.from(new Uint8Array(await r.arrayBuffer()));
      return {status: r.status, range: r.headers.get('Content-Range'), body: body};
    }""")
    whole = (built_audio / "mp3" / "outlook.mp3").read_bytes()
    assert (sliced["status"], sliced["range"]) == (206, f"bytes 100-199/{len(whole)}")
    assert bytes(sliced["body"]) == whole[100:200]
    assert visits.paths[asked_before:] == [], "offline, yet the server was asked"

    page.get_by_label("Type your question").fill("where does breast cancer spread")
    page.get_by_role("button", name="Get an answer").click()
    assert page.get_by_role("heading", level=1, name="No internet connection").is_visible()
    assert axe_violations(page, tags=WCAG_A_AA) == []
    context.set_offline(False)


def test_remove_empties_the_recordings_and_offers_keep_again(page: Page, served: tuple[str, Visits]) -> None:
    site, _ = served
    open_controlled(page, site + "/")
    press_keep(page)
    page.get_by_role("button", name=REMOVE).click()
    page.get_by_role("status").filter(has_text="removed from this phone").wait_for()
    assert page.evaluate(RECORDINGS_KEPT) == -1
    assert page.get_by_role("button", name=KEEP).is_visible()
    assert page.evaluate("document.activeElement.textContent") == KEEP  # focus stays on a control


def test_a_kept_recording_that_no_longer_says_what_the_page_says_is_removed(
        page: Page, served: tuple[str, Visits]) -> None:
    site, _ = served
    open_controlled(page, site + "/")
    page.evaluate("""async () => {
      const cache = await caches.open('recordings');
      await cache.put('/audio/mp3/outlook.mp3', new Response('old words', {headers: {'X-Recording-Source': 'old'}}));
      await cache.put('/audio/mp3/no-longer-made.mp3', new Response('gone', {headers: {'X-Recording-Source': 'x'}}));
    }""")
    page.reload()
    page.get_by_role("status").filter(has_text="2 kept recordings no longer said what this page says").wait_for()
    assert page.evaluate(RECORDINGS_KEPT) == 0
    assert page.get_by_role("button", name=KEEP).is_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_offline_page_has_no_violations(page: Page, served: tuple[str, Visits], scheme: str) -> None:
    page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
    page.goto(served[0] + "/offline")
    assert axe_violations(page, tags=WCAG_A_AA) == []
    assert axe_violations(page, rules=["color-contrast-enhanced"]) == []
