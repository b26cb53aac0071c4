"""The page in a real browser (headless Chromium): accessibility rules, keyboard, zoom, dark mode, no JavaScript."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from skill.app import create_app
from skill.content import load_content
from tests.support.browser import WCAG_A_AA, LiveServer, axe_violations

CONTENT = load_content()
Scheme = Literal["light", "dark"]
ANSWER_PAGE = "/ask?q=where+does+breast+cancer+spread"
#: Every page a person can land on: the topics, an answer, urgent help, a decline, a form with an error, help,
#: and a clarifying question ("which did you mean?").
PAGES = [
    "/", ANSWER_PAGE, "/ask?q=i+want+to+end+it+all", "/ask?q=what+dose+of+tamoxifen+should+i+take", "/ask?q=",
    "/ask?q=help", "/ask?q=will+the+cancer+kill+me",
    "/no-such-page",
]


def make_server(audio_dir: Path) -> LiveServer:
    app = create_app({"TESTING": True, "ALEXA_VERIFY_SIGNATURES": False, "PHONE_VERIFY_SIGNATURES": False,
                      "AUDIO_DIR": str(audio_dir)})
    return LiveServer(app)


@pytest.fixture(scope="module")
def site(built_audio: Path) -> Iterator[str]:
    with make_server(built_audio) as server:
        yield server.url


@pytest.fixture(scope="module")
def site_without_audio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with make_server(tmp_path_factory.mktemp("no-audio")) as server:
        yield server.url


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def open_all_details(page: Page) -> None:
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")


# Accessibility rules (axe-core)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_no_wcag_a_or_aa_violations(page: Page, site: str, path: str, scheme: Scheme) -> None:
    page.emulate_media(color_scheme=scheme)
    page.goto(site + path)
    open_all_details(page)
    assert axe_violations(page, tags=WCAG_A_AA) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["/", ANSWER_PAGE, "/ask?q="])
def test_all_text_has_aaa_contrast_of_7_to_1(page: Page, site: str, path: str, scheme: Scheme) -> None:
    page.emulate_media(color_scheme=scheme)
    page.goto(site + path)
    open_all_details(page)
    assert axe_violations(page, rules=["color-contrast-enhanced"]) == []


def test_page_without_audio_has_no_violations_and_no_players(page: Page, site_without_audio: str) -> None:
    page.goto(site_without_audio + "/")
    assert page.locator("audio").count() == 0
    assert page.get_by_text("The recordings have not been made yet").is_visible()
    assert axe_violations(page, tags=WCAG_A_AA) == []


def test_axe_finds_what_it_should(page: Page) -> None:
    """The checker itself works here: a page with known faults fails it."""
    page.set_content('<html><body><img src="x.png"><a href="/"></a><p style="color:#777">grey</p></body></html>')
    found = " ".join(axe_violations(page, tags=WCAG_A_AA))
    for rule in ("image-alt", "link-name", "html-has-lang", "color-contrast"):
        assert rule in found


# Keyboard


FOCUSABLE = """() => {
  const selector = 'a[href], button, input, select, textarea, summary, audio[controls], [tabindex]:not([tabindex="-1"])';
  const folded = el => { const closed = el.closest('details:not([open])');
                         return closed !== null && !closed.querySelector(':scope > summary').contains(el); };
  const shown = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden' && !folded(el);
  const all = Array.from(document.querySelectorAll(selector)).filter(shown);
  all.forEach((el, i) => { el.dataset.kb = String(i); });
  return all.map(el => el.tagName.toLowerCase() + ' ' + (el.getAttribute('href') || el.textContent.trim().slice(0, 40)));
}"""
ACTIVE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  return {kb: el.dataset.kb === undefined ? -1 : Number(el.dataset.kb), outline: style.outlineStyle,
          width: parseFloat(style.outlineWidth), tag: el.tagName.toLowerCase()};
}"""


def tab_through(page: Page, limit: int) -> list[dict[str, Any]]:
    """Press Tab until focus leaves the page; one entry per element reached (a player's own buttons count once)."""
    reached: list[dict[str, Any]] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        active = page.evaluate(ACTIVE)
        if active is None:
            break
        if not reached or reached[-1]["kb"] != active["kb"]:
            reached.append(active)
    return reached


@pytest.mark.parametrize("path", ["/", ANSWER_PAGE])
def test_tab_reaches_skip_link_first_then_every_control_in_order_with_focus_visible(
        page: Page, site: str, path: str) -> None:
    page.goto(site + path)
    expected = page.evaluate(FOCUSABLE)
    reached = tab_through(page, limit=len(expected) * 6 + 10)
    assert expected[0] == "a #main"
    assert [r["kb"] for r in reached] == list(range(len(expected))), "Tab skipped or reordered controls"
    for entry in reached:
        assert entry["outline"] != "none" and entry["width"] >= 3, f"focus not visible on {expected[entry['kb']]}"


def test_skip_link_moves_focus_to_the_main_content(page: Page, site: str) -> None:
    page.goto(site + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    assert page.locator(".skip-link").is_visible(), "the skip link must show when it has focus"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_full_section_opens_from_the_keyboard(page: Page, site: str) -> None:
    page.goto(site + "/")
    summary = page.locator("#where-it-spreads summary")
    summary.focus()
    assert not page.locator("#where-it-spreads li", has_text="lymph nodes").is_visible()
    page.keyboard.press("Enter")
    assert page.locator("#where-it-spreads li", has_text="lymph nodes").is_visible()


# Zoom, reflow and text spacing


TEXT_SPACING = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""


def sideways_overflow(page: Page) -> list[str]:
    """Elements wider than the window, or clipping their own text; empty when nothing scrolls sideways."""
    return page.evaluate("""() => {
      const width = document.documentElement.clientWidth;
      const out = [];
      if (document.documentElement.scrollWidth > width) out.push('page ' + document.documentElement.scrollWidth);
      for (const el of document.querySelectorAll('main *, header *, footer *')) {
        const box = el.getBoundingClientRect();
        if (box.width === 0 || el.closest('.visually-hidden')) continue;
        if (box.right > width + 1) out.push(el.tagName + ' ends at ' + Math.round(box.right));
        if (['BUTTON', 'A', 'SUMMARY'].includes(el.tagName) && el.scrollWidth > el.clientWidth + 1)
          out.push(el.tagName + ' clips its text');
      }
      return out.slice(0, 10);
    }""")


@pytest.mark.parametrize("spacing", [False, True], ids=["default", "text-spacing-overrides"])
@pytest.mark.parametrize("path", PAGES)
def test_reflows_at_320_css_pixels_without_scrolling_sideways(
        browser: Browser, site: str, path: str, spacing: bool) -> None:
    # 320 CSS px is a 1280 px window at 400 % zoom; the override stylesheet needs the page's CSP set aside.
    ctx = browser.new_context(viewport={"width": 320, "height": 640}, bypass_csp=spacing)
    try:
        page = ctx.new_page()
        page.goto(site + path)
        open_all_details(page)
        if spacing:
            page.add_style_tag(content=TEXT_SPACING)
        assert sideways_overflow(page) == []
    finally:
        ctx.close()


# Large print


def test_text_is_large_with_generous_line_height_and_short_lines(page: Page, site: str) -> None:
    page.goto(site + "/")
    open_all_details(page)
    measures = page.evaluate("""() => Array.from(document.querySelectorAll('main p, main li, main label, main dd'))
      .filter(el => el.getClientRects().length && !el.closest('.visually-hidden'))
      .map(el => {
        const style = getComputedStyle(el);
        const tops = new Map();
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        const range = document.createRange();
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          for (let i = 0; i < node.length; i++) {
            range.setStart(node, i); range.setEnd(node, i + 1);
            const box = range.getBoundingClientRect();
            if (box.width === 0) continue;
            const key = Math.round(box.top / 4);
            tops.set(key, (tops.get(key) || 0) + 1);
          }
        }
        return {text: el.textContent.trim().slice(0, 30), size: parseFloat(style.fontSize),
                line: parseFloat(style.lineHeight), longest: Math.max(0, ...tops.values())};
      })""")
    assert measures
    for m in measures:
        assert m["size"] >= 18, m
        assert m["line"] >= 1.5 * m["size"] - 0.5, m
        assert m["longest"] <= 70, m


TARGETS = "button, input, summary, audio, .nav-list a, .contents a, a.action, .skip-link"


@pytest.mark.parametrize("path", ["/", ANSWER_PAGE])
def test_controls_are_at_least_44_by_44_css_pixels(page: Page, site: str, path: str) -> None:
    page.goto(site + path)
    page.keyboard.press("Tab")  # shows the skip link
    open_all_details(page)
    sizes = page.evaluate(f"""() => Array.from(document.querySelectorAll('{TARGETS}'))
      .filter(el => el.getClientRects().length)
      .map(el => {{ const b = el.getBoundingClientRect();
                    return {{what: el.tagName + ' ' + el.textContent.trim().slice(0, 30), w: b.width, h: b.height}}; }})""")
    small = [s for s in sizes if s["w"] < 44 or s["h"] < 44]
    assert sizes and small == []


def test_dark_mode_and_reduced_motion_are_honoured(page: Page, site: str) -> None:
    page.emulate_media(color_scheme="dark", reduced_motion="reduce")
    page.goto(site + "/")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(17, 17, 17)"
    assert page.evaluate("getComputedStyle(document.documentElement).scrollBehavior") == "auto"
    page.emulate_media(color_scheme="light", reduced_motion="no-preference")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    assert page.evaluate("getComputedStyle(document.documentElement).scrollBehavior") == "smooth"


# Audio


def test_nothing_plays_or_downloads_by_itself(page: Page, site: str) -> None:
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(site + "/")
    page.wait_for_timeout(500)
    assert page.evaluate("Array.from(document.querySelectorAll('audio')).every(a => a.paused && !a.autoplay)")
    assert [url for url in fetched if "/audio/" in url] == []


def test_players_load_the_built_mp3s(page: Page, site: str, built_audio: Path) -> None:
    manifest = json.loads((built_audio / "manifest.json").read_text())
    page.goto(site + "/")
    player = page.locator("#where-it-spreads audio").first
    assert page.evaluate("document.createElement('audio').canPlayType('audio/mpeg')") != ""
    duration = player.evaluate("""a => new Promise((resolve, reject) => {
      a.addEventListener('loadedmetadata', () => resolve(a.duration)); a.addEventListener('error', reject);
      a.preload = 'metadata'; a.load(); })""")
    assert duration == pytest.approx(manifest["files"]["mp3/where-it-spreads.mp3"]["duration"], abs=0.2)


def test_speed_buttons_change_every_player(page: Page, site: str) -> None:
    page.goto(site + "/")
    group = page.get_by_role("group", name="Playback speed for all recordings")
    assert group.is_visible()
    group.get_by_role("button", name="1.5x", exact=True).click()
    assert page.evaluate("Array.from(document.querySelectorAll('audio')).every(a => a.playbackRate === 1.5)")
    assert group.get_by_role("button", name="1.5x", exact=True).get_attribute("aria-pressed") == "true"
    assert group.get_by_role("button", name="1x (normal)", exact=True).get_attribute("aria-pressed") == "false"


def test_starting_one_recording_pauses_the_one_playing(page: Page, site: str) -> None:
    page.goto(site + "/")
    page.locator("h1").click()  # a person's click lets the page play sound
    first, second = page.locator("#what-is-it audio").first, page.locator("#outlook audio").first
    first.evaluate("a => a.play()")
    page.wait_for_function("() => !document.querySelector('#what-is-it audio').paused")
    second.evaluate("a => a.play()")
    page.wait_for_function("() => { const a = document.querySelector('#what-is-it audio'); return a.paused && !a.ended; }",
                           timeout=3000)
    assert not second.evaluate("a => a.paused")


# Without JavaScript


@pytest.fixture
def no_js_page(browser: Browser) -> Iterator[Page]:
    ctx = browser.new_context(java_script_enabled=False)
    yield ctx.new_page()
    ctx.close()


def test_asking_a_question_works_without_javascript(no_js_page: Page, site: str) -> None:
    page = no_js_page
    page.goto(site + "/")
    page.get_by_label("Type your question").fill("where does breast cancer spread")
    page.get_by_role("button", name="Get an answer").click()
    page.wait_for_url("**/ask?q=where+does+breast+cancer+spread")
    topic = CONTENT.topic("where-it-spreads")
    assert page.get_by_role("heading", level=2, name=topic.title).is_visible()
    assert page.get_by_text(topic.short).is_visible()
    assert page.locator("audio[src$='/audio/mp3/where-it-spreads.mp3']").count() == 1


def test_without_javascript_the_full_sections_open_and_no_speed_buttons_show(no_js_page: Page, site: str) -> None:
    page = no_js_page
    page.goto(site + "/")
    assert page.get_by_role("group", name="Playback speed for all recordings").count() == 0
    page.locator("#outlook summary").click()
    assert page.locator("#outlook .full").get_by_text("You can also talk to your specialist nurse.").is_visible()


def test_a_question_with_an_error_keeps_the_typed_text(no_js_page: Page, site: str) -> None:
    page = no_js_page
    long_question = "where does it spread " * 20
    page.goto(site + "/")
    page.get_by_label("Type your question").fill(long_question)
    page.get_by_role("button", name="Get an answer").click()
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_label("Type your question").input_value() == " ".join(long_question.split())
