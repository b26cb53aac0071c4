"""The large-print page and its question form, read as a browser and a screen reader would read them."""

from __future__ import annotations

import io
import json
import logging
import re
import shutil
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, NavigableString, Tag
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from skill.answers import Answers
from skill.app import create_app
from skill.audio.script import audio_items
from skill.content import Topic, load_content
from skill.phone.flow import Place, on_speech, recording
from skill.service import Service

CONTENT = load_content()
TOPICS = [topic.id for topic in CONTENT.topics]
#: What each recording says, dated today like `built_audio` (so apps that play it leave TODAY unset).
WORDS = {item.name: item.text for item in audio_items(Answers(CONTENT))}
SIZE = re.compile(r"\b\d+(\.\d)? (KB|MB)\b")
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def make_app(audio_dir: Path, **config: Any) -> Flask:
    return create_app({"TESTING": True, "ALEXA_VERIFY_SIGNATURES": False, "PHONE_VERIFY_SIGNATURES": False,
                       "AUDIO_DIR": str(audio_dir), **config})


def html(response: TestResponse) -> BeautifulSoup:
    assert response.mimetype == "text/html"
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def fetch(client: FlaskClient, path: str) -> tuple[int, str, bytes]:
    """Status, type and body of a file, closed afterwards (files are streamed)."""
    with client.get(path) as response:
        return response.status_code, response.mimetype or "", response.data


def one(node: Tag, css: str) -> Tag:
    found = node.select_one(css)
    assert found is not None, f"nothing matches {css}"
    return found


def attr(tag: Tag, name: str) -> str:
    value = tag.get(name)
    assert isinstance(value, str), f"<{tag.name}> has no {name}"
    return value


def text(node: Tag) -> str:
    """The words as read aloud: a line break is a space; a link inside a sentence adds none."""
    pieces = [" " if isinstance(piece, Tag) else str(piece) for piece in node.descendants
              if isinstance(piece, NavigableString) or (isinstance(piece, Tag) and piece.name == "br")]
    return words("".join(pieces))


def words(said: str) -> str:
    return " ".join(said.split())


def players(node: Tag) -> list[str]:
    return [attr(audio, "src") for audio in node.select("audio")]


def asked(client: FlaskClient, question: str) -> BeautifulSoup:
    return html(client.get("/ask", query_string={"q": question}))


@pytest.fixture(scope="module")
def no_audio(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    return make_app(tmp_path_factory.mktemp("no-audio")).test_client()


@pytest.fixture(scope="module")
def with_audio(built_audio: Path) -> FlaskClient:
    return make_app(built_audio).test_client()


@pytest.fixture(scope="module")
def page(with_audio: FlaskClient) -> BeautifulSoup:
    return html(with_audio.get("/"))


# 1. The page, as a screen reader meets it

@pytest.mark.parametrize("path, status", [
    ("/", 200), ("/ask?q=where+does+breast+cancer+spread", 200), ("/ask?q=", 400), ("/no-such-page", 404),
])
def test_every_page_has_one_h1_headings_in_order_landmarks_and_a_skip_link(
        with_audio: FlaskClient, path: str, status: int) -> None:
    response = with_audio.get(path, headers=BROWSER)
    assert response.status_code == status
    doc = html(response)
    assert attr(one(doc, "html"), "lang") == "en-GB"
    levels = [int(heading.name[1]) for heading in doc.select("h1, h2, h3, h4, h5, h6")]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(after - before <= 1 for before, after in zip(levels, levels[1:])), levels
    for landmark in ("header", "nav", "main", "footer"):
        one(doc, landmark)
    first_link = one(doc, "body a")
    assert text(first_link) == "Skip to main content" and attr(first_link, "href") == "#main"
    one(doc, "main#main")


@pytest.mark.parametrize("topic", CONTENT.topics, ids=TOPICS)
def test_every_topic_has_its_title_short_answer_and_full_text_to_open(page: BeautifulSoup, topic: Topic) -> None:
    part = one(page, f"section#{topic.id}")
    assert text(one(part, "h3")) == topic.title
    assert text(one(part, "p.short")) == words(Answers(CONTENT).short(topic))
    one(part, "details > summary")
    full = text(one(part, "details"))
    assert "how you how are" not in full  # the page's typo, put right as content/ records
    for line in topic.text.splitlines():
        line = words(re.sub(r"^\s*[•*-]\s*", "", line))
        if line and line != topic.title:
            assert line in full


def test_a_list_on_the_source_page_is_a_list_on_this_page(page: BeautifulSoup) -> None:
    bullets = [text(li) for li in page.select("#where-it-spreads details li")]
    assert bullets == ["liver", "lungs", "lymph nodes", "brain", "bones"]


# 2. With the recordings built

@pytest.mark.parametrize("topic", TOPICS)
def test_every_topic_has_a_short_and_full_recording_to_play_or_download(
        page: BeautifulSoup, with_audio: FlaskClient, built_audio: Path, topic: str) -> None:
    part = one(page, f"#{topic}")
    assert players(part) == [f"/audio/mp3/{topic}.mp3", f"/audio/mp3/{topic}-full.mp3"]
    assert players(one(part, "details")) == [f"/audio/mp3/{topic}-full.mp3"]
    for figure in part.select("figure:has(audio)"):
        audio, download = one(figure, "audio[controls][preload=none]"), one(figure, "a[download]")
        src = attr(audio, "src")
        assert attr(download, "href") == src and "MP3" in text(download) and SIZE.search(text(download))
        on_disk = (built_audio / src.removeprefix("/audio/")).read_bytes()
        assert fetch(with_audio, src) == (200, "audio/mpeg", on_disk)


def test_nothing_plays_by_itself(page: BeautifulSoup) -> None:
    assert page.select("audio") and not page.select("[autoplay]")


def test_listen_offline_offers_the_whole_set_and_the_playlist(
        page: BeautifulSoup, with_audio: FlaskClient, built_audio: Path) -> None:
    assert {attr(a, "href") for a in page.select("#offline a")} == {
        "/audio/offline-bundle.zip", "/audio/playlist.m3u8", "/audio/secondary-breast-cancer.epub", "/feed.xml"}
    status, kind, book = fetch(with_audio, "/audio/secondary-breast-cancer.epub")
    assert (status, kind) == (200, "application/epub+zip") and book[:58].endswith(b"mimetypeapplication/epub+zip")
    status, kind, playlist = fetch(with_audio, "/audio/playlist.m3u8")
    assert (status, kind) == (200, "audio/x-mpegurl")
    status, kind, bundle = fetch(with_audio, "/audio/offline-bundle.zip")
    assert (status, kind) == (200, "application/zip")
    with zipfile.ZipFile(io.BytesIO(bundle)) as kept:
        assert kept.read("playlist.m3u8") == playlist
        for name in [f"mp3/{t}.mp3" for t in TOPICS] + [f"mp3/{t}-full.mp3" for t in TOPICS]:
            assert kept.read(name) == (built_audio / name).read_bytes()


# 3 and 4. Without recordings, or with some that no longer say what the page says

def test_without_recordings_the_page_says_so_and_offers_none(no_audio: FlaskClient) -> None:
    doc = html(no_audio.get("/"))
    assert not doc.select("audio") and not doc.select('a[href^="/audio/"]')
    assert "The recordings have not been made yet" in text(one(doc, "#topics"))
    assert "not ready" in text(one(doc, "#offline"))


def out_of_date(folder: Path) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"]["mp3/outlook.mp3"]["source"] = "0" * 64  # recorded from words the page no longer has
    (folder / "manifest.json").write_text(json.dumps(manifest))


def deleted(folder: Path) -> None:
    (folder / "mp3" / "outlook.mp3").unlink()


@pytest.mark.parametrize("break_it", [out_of_date, deleted])
def test_a_recording_that_no_longer_matches_is_not_offered(
        built_audio: Path, tmp_path: Path, break_it: Callable[[Path], None]) -> None:
    folder = tmp_path / "audio"
    shutil.copytree(built_audio, folder)
    client = make_app(folder).test_client()
    assert "/audio/mp3/outlook.mp3" in players(html(client.get("/")))  # seen once while all was well
    break_it(folder)
    doc = html(client.get("/"))
    assert "/audio/mp3/outlook.mp3" not in players(one(doc, "#outlook"))
    assert "being updated" in text(one(doc, "#outlook"))
    for topic in (t for t in TOPICS if t != "outlook"):
        assert players(one(doc, f"#{topic}")) == [f"/audio/mp3/{topic}.mp3", f"/audio/mp3/{topic}-full.mp3"]
        assert "being updated" not in text(one(doc, f"#{topic}"))
    assert not doc.select("#offline a") and "not ready" in text(one(doc, "#offline"))


def test_a_full_section_recording_out_of_date_says_so_inside_the_section(built_audio: Path, tmp_path: Path) -> None:
    folder = tmp_path / "audio"
    shutil.copytree(built_audio, folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"]["mp3/outlook-full.mp3"]["source"] = "0" * 64
    (folder / "manifest.json").write_text(json.dumps(manifest))
    section = one(html(make_app(folder).test_client().get("/")), "#outlook")
    assert players(section) == ["/audio/mp3/outlook.mp3"]
    assert "full section is being updated" in text(one(section, "details"))


def test_recordings_made_with_another_pronunciation_table_are_not_offered(built_audio: Path, tmp_path: Path) -> None:
    table = tmp_path / "pronunciations.yaml"
    table.write_text("all:\n  brain: brane\n")  # the build said "brain" as written
    doc = html(make_app(built_audio, PRONUNCIATIONS_PATH=str(table)).test_client().get("/"))
    assert players(one(doc, "#where-it-spreads")) == []  # its short answer names the brain
    assert players(one(doc, "#outlook")) == ["/audio/mp3/outlook.mp3", "/audio/mp3/outlook-full.mp3"]


def test_an_unreadable_manifest_gives_a_page_without_players(built_audio: Path, tmp_path: Path) -> None:
    folder = tmp_path / "audio"
    shutil.copytree(built_audio, folder)
    (folder / "manifest.json").write_text("{ this is not json")
    response = make_app(folder).test_client().get("/")
    assert response.status_code == 200 and not html(response).select("audio")


# 5. Asking a question: the same router and the same words as the phone line

@pytest.mark.parametrize("question, heard", [
    ("where does breast cancer spread", "where-it-spreads"),
    ("what is the outlook", "outlook"),
    ("how might i feel", "feelings"),
    ("where does this information come from", "sources"),
    ("what dose of tamoxifen should i take", "out-of-scope"),
    ("i want to end it all", "urgent"),
    ("i can't breathe", "urgent"),
])
def test_a_question_gets_what_the_phone_would_say_and_its_recording(
        with_audio: FlaskClient, question: str, heard: str) -> None:
    service = Service.load()
    step = on_speech(service.router, service.content.phone, Place("menu", "main"), question)
    playing = (recording(step.then),) if step.then and step.then.part is not None else ()  # an answer, at once
    assert step.say + playing == (heard,)
    response = with_audio.get("/ask", query_string={"q": question})
    assert response.status_code == 200
    answer = one(html(response), "section.answer")
    if heard == "urgent":  # the numbers first, each a line of its own; the recording says them twice
        numbers = [text(li) for li in answer.select("ul.urgent-numbers li")]
        assert " ".join(numbers) == words(Answers(CONTENT).message("urgent_numbers"))
        assert text(one(answer, "p.short")) == words(Answers(CONTENT).message("urgent"))
        assert WORDS["urgent"] == Answers(CONTENT).urgent_recording()
    else:
        assert text(one(answer, "p.short")) == words(WORDS[heard])
    assert players(answer) == [f"/audio/mp3/{heard}.mp3"]
    to_section = [attr(a, "href") for a in answer.select('a[href^="/#"]')]
    if heard in TOPICS:
        assert text(one(answer, "h2")) == CONTENT.topic(heard).title and to_section == [f"/#{heard}"]
    else:
        assert to_section == []


@pytest.mark.parametrize("question, message", [
    ("what dose of tamoxifen should i take", "out_of_scope"), ("i can't breathe", "urgent"),
])
def test_declines_and_safety_numbers_are_the_shared_messages(no_audio: FlaskClient, question: str,
                                                             message: str) -> None:
    answer = one(asked(no_audio, question), "section.answer")
    assert text(one(answer, "p.short")) == words(Answers(CONTENT).message(message))
    assert not answer.select("audio")


@pytest.mark.parametrize("question", ["slower", "speak faster", "you're talking too fast"])
def test_asking_for_slower_or_faster_points_to_the_speed_buttons_where_there_are_recordings(
        with_audio: FlaskClient, no_audio: FlaskClient, question: str) -> None:
    doc = asked(with_audio, question)
    assert text(one(doc, "section.answer p.short")) == words(Answers(CONTENT).message("speed_page"))
    assert doc.select("#speed-slot.speed"), "listen.js puts the buttons here"
    doc = asked(no_audio, question)  # no recordings, so no buttons: how to use the page instead
    assert text(one(doc, "section.answer p.short")) == words(Answers(CONTENT).help("page"))
    assert not doc.select("#speed-slot")


@pytest.mark.parametrize("path, where, numbers", [
    ("/ask?q=i+can%27t+breathe", "section.answer", {"tel:999", "tel:111", "tel:116123"}),
    ("/ask?q=what+dose+of+tamoxifen+should+i+take", "section.answer", {"tel:+448088004040"}),
    ("/", "#help .urgent", {"tel:999", "tel:111", "tel:116123"}),
])
def test_telephone_numbers_in_the_text_can_be_dialled(no_audio: FlaskClient, path: str, where: str,
                                                      numbers: set[str]) -> None:
    words_with_links = one(html(no_audio.get(path)), where)
    assert {attr(a, "href") for a in words_with_links.select('a[href^="tel:"]')} == numbers


@pytest.mark.parametrize("query", [{}, {"q": ""}, {"q": "   \t "}], ids=["no q", "empty", "spaces"])
def test_an_empty_question_is_pointed_out_on_the_box(no_audio: FlaskClient, query: dict[str, str]) -> None:
    response = no_audio.get("/ask", query_string=query)
    assert response.status_code == 400
    doc = html(response)
    box = one(doc, "input#q")
    assert attr(box, "aria-invalid") == "true" and "q-error" in attr(box, "aria-describedby").split()
    assert "Please type a question" in text(one(doc, "#q-error"))
    one(doc, '[role=alert] a[href="#q"]')


def test_a_long_question_is_kept_in_the_box_with_a_request_to_shorten_it(no_audio: FlaskClient) -> None:
    question = ("where does it spread " * 15)[:301]
    response = no_audio.get("/ask", query_string={"q": question})
    assert response.status_code == 400
    doc = html(response)
    assert "shorten it to 300 characters" in text(one(doc, "#q-error"))
    assert attr(one(doc, "input#q"), "value") == question
    assert no_audio.get("/ask", query_string={"q": question[:300]}).status_code == 200


@pytest.mark.parametrize("padding", [0, 300], ids=["answered", "too long"])
def test_html_in_a_question_is_shown_as_text_never_run(no_audio: FlaskClient, padding: int) -> None:
    question = '"><script>alert(1)</script><b>bold</b>' + " x" * (padding // 2)
    doc = asked(no_audio, question)
    assert not doc.select("script:not([src])") and not doc.select("b")
    shown = text(one(doc, ".asked")) if padding == 0 else attr(one(doc, "input#q"), "value")
    assert "<script>alert(1)</script>" in shown


# 6. Help, sources and review dates

def test_the_nurse_line_can_be_dialled_and_says_when_it_is_open(page: BeautifulSoup) -> None:
    assert "0808 800 4040" in text(one(page, '#help a[href="tel:+448088004040"]'))
    assert "Monday to Friday, 9am to 5pm" in text(one(page, "#help"))


def test_the_page_says_it_is_not_medical_advice(page: BeautifulSoup) -> None:
    assert "not medical advice" in text(one(page, "main")) and "not medical advice" in text(one(page, "footer"))


@pytest.mark.parametrize("today, overdue", [("2025-01-01", True), ("2023-01-01", False)])
def test_the_review_dates_and_an_overdue_warning(tmp_path: Path, today: str, overdue: bool) -> None:
    doc = html(make_app(tmp_path, TODAY=today).test_client().get("/"))
    assert "10 February 2021" in text(one(doc, "#about")) and "10 February 2021" in text(one(doc, "#sources"))
    note = Answers(CONTENT, lambda: date(2025, 1, 1)).review_note()
    assert note and (words(note) in text(doc)) is overdue
    assert ("due to be checked" in text(doc)) is overdue


# 7. Headers, and nothing inline for the security policy to block

@pytest.mark.parametrize("path", ["/", "/ask?q=what+is+the+outlook", "/ask?q=", "/no-such-page"])
def test_pages_send_security_headers_and_nothing_inline(no_audio: FlaskClient, path: str) -> None:
    response = no_audio.get(path, headers=BROWSER)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    doc = html(response)
    assert not doc.select("script:not([src])") and not doc.select("[style], style")
    if path.startswith("/ask"):
        assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path, kind", [("/static/site.css", "text/css"), ("/static/listen.js", "javascript")])
def test_the_stylesheet_and_script_are_served(no_audio: FlaskClient, path: str, kind: str) -> None:
    status, mimetype, _ = fetch(no_audio, path)
    assert status == 200 and kind in mimetype
    assert html(no_audio.get("/")).select(f'head link[href="{path}"], head script[src="{path}"]')


# 8. Errors: a page for people, JSON for machines

def test_a_browser_lost_on_the_site_gets_a_page_with_a_way_home(no_audio: FlaskClient) -> None:
    response = no_audio.get("/no-such-page", headers=BROWSER)
    assert response.status_code == 404
    doc = html(response)
    assert "Page not found" in text(one(doc, "h1")) and doc.select('main a[href="/"]')


@pytest.mark.parametrize("method, path, accept, status", [
    ("GET", "/no-such-page", "*/*", 404),
    ("GET", "/alexa", "text/html", 405),
    ("GET", "/alexa/no-such-page", "text/html", 404),
    ("POST", "/", "*/*", 405),
])
def test_machines_get_json_errors(no_audio: FlaskClient, method: str, path: str, accept: str, status: int) -> None:
    response = no_audio.open(path, method=method, headers={"Accept": accept})
    assert response.status_code == status and response.is_json and response.get_json()["error"]


@pytest.mark.parametrize("path", ["/", "/ask"])
def test_posting_to_the_page_is_refused_not_a_crash(no_audio: FlaskClient, path: str) -> None:
    response = no_audio.post(path, data={"q": "outlook"}, headers=BROWSER)
    assert response.status_code == 405 and "Content-Security-Policy" in response.headers


# 9. Privacy

def test_a_question_is_never_logged(with_audio: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for question in ["does quillberry-zanzibar spread to my liver", "quillberry-zanzibar " + "x" * 300,
                     "i can't breathe quillberry-zanzibar", "what dose of quillberry-zanzibar"]:
        with_audio.get("/ask", query_string={"q": question})
    logged = [f"{record.getMessage()} {record.args!r} {record.exc_text or ''}" for record in caplog.records]
    assert not [line for line in logged if "quillberry" in line or "zanzibar" in line]
