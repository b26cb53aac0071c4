"""The talking book (EPUB 3 with Media Overlays) from the real offline build: checked by EPUBCheck and Ace by DAISY,
and every sentence's clip checked against its recording."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from itertools import pairwise
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pytest
from mutagen.mp3 import MP3

from skill.audio.book import chapters
from skill.audio.epub import EPUB, FEATURES, talking_book
from skill.audio.errors import AudioError
from skill.audio.process import Audio, decode
from skill.audio.script import audio_items
from skill.audio.sentences import PAUSE_S, split_sentences
from skill.service import Service
from tests.support.browser import CHROMIUM

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs Debian's espeak-ng")
ROOT = Path(__file__).resolve().parent.parent
EPUBCHECK = Path("/usr/share/java/epubcheck.jar")  # Debian's epubcheck package
ACE = ROOT / "tools" / "node_modules" / "@daisy" / "ace-cli" / "bin" / "ace.js"  # scripts/node-tools
NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "smil": "http://www.w3.org/ns/SMIL", "x": "http://www.w3.org/1999/xhtml"}
EPUB_NS = "{http://www.idpf.org/2007/ops}"
#: Ace reports these as missing when no outside body certified the book; the claim is the makers' own.
SELF_CERTIFIED = {"a11y:certifierCredential", "a11y:certifierReport"}


class Skip(str):
    """Why a checker cannot run on this machine."""


class Failed(str):
    """What a checker that ran but gave no report said."""


@pytest.fixture(scope="module")
def book(built_audio: Path) -> zipfile.ZipFile:
    return zipfile.ZipFile(built_audio / EPUB)


@pytest.fixture(scope="module")
def checkers(built_audio: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """EPUBCheck and Ace run side by side (each takes 10-20 s). Each gives its report, or why it could not run
    (`Skip`: the tool is not installed) or failed (`Failed`: it ran but wrote no report)."""
    out, epub = tmp_path_factory.mktemp("checkers"), built_audio / EPUB
    commands: dict[str, tuple[list[str], Path, dict[str, str]] | Skip] = {}
    if shutil.which("java") is None or not EPUBCHECK.exists():
        commands["epubcheck"] = Skip(f"EPUBCheck needs java and {EPUBCHECK} "
                                     "(scripts/system-packages --browser installs them)")
    else:
        commands["epubcheck"] = (["java", "-jar", str(EPUBCHECK), str(epub), "--json", str(out / "epubcheck.json")],
                                 out / "epubcheck.json", {})
    if shutil.which("node") is None or not ACE.exists():
        commands["ace"] = Skip(f"Ace by DAISY needs node and {ACE} (scripts/node-tools installs it)")
    elif not os.access(CHROMIUM, os.X_OK):
        commands["ace"] = Skip(f"Ace by DAISY needs Chromium at {CHROMIUM} (scripts/system-packages --browser)")
    else:  # Ace's Puppeteer starts Chromium with --no-sandbox and its own quiet defaults
        commands["ace"] = (["node", str(ACE), "--silent", "--force", "--outdir", str(out / "ace"), "--tempdir",
                            str(out / "ace-tmp"), str(epub)], out / "ace" / "report.json",
                           {"PUPPETEER_EXECUTABLE_PATH": CHROMIUM, "PUPPETEER_SKIP_DOWNLOAD": "1"})
    running = {name: (subprocess.Popen(command[0], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                       env={**os.environ, **command[2]}), command[1])
               for name, command in commands.items() if not isinstance(command, Skip)}
    reports: dict[str, Any] = {name: command for name, command in commands.items() if isinstance(command, Skip)}
    for name, (process, report) in running.items():
        try:
            output, _ = process.communicate(timeout=600)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        reports[name] = (json.loads(report.read_text()) if report.exists()
                         else Failed(f"{name} wrote no report (exit {process.returncode}): {output.decode()[-2000:]}"))
    return reports


def report_of(checkers: dict[str, Any], name: str) -> dict[str, Any]:
    report = checkers[name]
    if isinstance(report, Skip):
        pytest.skip(report)
    if isinstance(report, Failed):
        pytest.fail(report)
    return dict(report)


def test_epubcheck_finds_no_errors_and_no_warnings(checkers: dict[str, Any]) -> None:
    report = report_of(checkers, "epubcheck")
    found = [f"{m['severity']} {m['ID']}: {m['message']} at {m['locations'][:1]}" for m in report["messages"]]
    counts = {key: report["checker"][key] for key in ("nFatal", "nError", "nWarning")}
    assert counts == {"nFatal": 0, "nError": 0, "nWarning": 0}, (report["checker"]["checkerVersion"], found)


def test_ace_finds_no_violations_and_all_the_accessibility_metadata(checkers: dict[str, Any]) -> None:
    report = report_of(checkers, "ace")
    violations = [f"{document['earl:testSubject']['url']}: {check['earl:test']['dct:title']} "
                  f"({check['earl:test']['earl:impact']}) {check['earl:result'].get('dct:description', '')[:200]}"
                  for document in report["assertions"] for check in document.get("assertions", [])
                  if check["earl:result"]["earl:outcome"] == "fail"]
    assert violations == [] and report["earl:result"]["earl:outcome"] == "pass"
    assert set(report["a11y-metadata"]["missing"]) <= SELF_CERTIFIED, report["a11y-metadata"]
    assert "<li>Where this information comes from" in report["outlines"]["toc"]  # Ace read the contents


def test_the_zip_is_an_epub_container(built_audio: Path, book: zipfile.ZipFile) -> None:
    data = (built_audio / EPUB).read_bytes()
    first = book.infolist()[0]
    assert (first.filename, first.compress_type, first.extra, first.header_offset) == (
        "mimetype", zipfile.ZIP_STORED, b"", 0)
    assert data[30:58] == b"mimetypeapplication/epub+zip"
    assert "EPUB/package.opf" in book.read("META-INF/container.xml").decode()


def test_every_sentence_on_every_page_is_tied_to_its_clip_in_reading_order(book: zipfile.ZipFile) -> None:
    answers = Service.load().answers
    for topic in answers.content.topics:
        page = ElementTree.fromstring(book.read(f"EPUB/{topic.id}.xhtml"))
        spans = [(span.get("id"), span.text) for span in page.iter(f"{{{NS['x']}}}span")]
        heard = split_sentences(answers.short(topic)) + split_sentences(answers.full(topic))
        assert [text for _, text in spans] == heard, topic.id  # the words of the recordings, sentence by sentence
        overlay = ElementTree.fromstring(book.read(f"EPUB/{topic.id}.smil"))
        texts = [text.get("src") for text in overlay.iter(f"{{{NS['smil']}}}text")]
        assert texts == [f"{topic.id}.xhtml#{span_id}" for span_id, _ in spans]
        seqs = [seq.get(f"{EPUB_NS}textref") for seq in overlay.iter(f"{{{NS['smil']}}}seq")]
        assert seqs == [f"{topic.id}.xhtml#short", f"{topic.id}.xhtml#full"]  # skip by section


def clips(book: zipfile.ZipFile) -> dict[str, list[tuple[float, float]]]:
    """Every clip of every overlay, by the recording it plays (paths inside the EPUB)."""
    found: dict[str, list[tuple[float, float]]] = {}
    for name in sorted(n for n in book.namelist() if n.endswith(".smil")):
        for audio in ElementTree.fromstring(book.read(name)).iter(f"{{{NS['smil']}}}audio"):
            begin, end = (float(audio.get(key, "").removesuffix("s")) for key in ("clipBegin", "clipEnd"))
            found.setdefault(f"EPUB/{audio.get('src')}", []).append((begin, end))
    return found


def test_clips_are_in_order_without_gaps_and_within_each_recording(book: zipfile.ZipFile) -> None:
    found = clips(book)
    assert set(found) == {name for name in book.namelist() if name.endswith(".mp3")}
    for path, times in found.items():
        length = mp3_length(book.read(path))
        assert times[0][0] <= 0.2, path
        for (begin, end), (next_begin, _) in zip(times, times[1:] + [(length, length)]):
            assert begin < end <= length, (path, begin, end, length)
            assert end <= next_begin + 1e-9 and next_begin - end <= PAUSE_S, (path, end, next_begin)
        assert times[-1][1] >= length - 0.05, (path, times[-1][1], length)


def mp3_length(data: bytes) -> float:
    info = MP3(io.BytesIO(data)).info
    assert info is not None
    return float(info.length)


def test_sentence_times_in_the_manifest_fall_on_speech_and_the_pauses_are_silent(built_audio: Path) -> None:
    manifest = json.loads((built_audio / "manifest.json").read_text())
    for item in audio_items(Service.load().answers):
        entry = manifest["files"][f"mp3/{item.name}.mp3"]
        times = entry["sentences"]
        assert len(times) == len(split_sentences(item.text)), item.name
        audio = decode((built_audio / "mp3" / f"{item.name}.mp3").read_bytes())
        assert times[0][0] == 0.0 and abs(times[-1][1] - audio.duration) < 0.002, item.name
        for (start, end), (next_start, _) in pairwise(times):
            assert start < end < next_start, (item.name, end)
            assert level_dbfs(audio, end + 0.01, next_start - 0.01) < -60, (item.name, end)  # the pause
        assert all(level_dbfs(audio, start, end) > -35 for start, end in times), item.name


def level_dbfs(audio: Audio, start: float, end: float) -> float:
    samples = audio.samples[round(start * audio.rate):round(end * audio.rate)]
    return float(20 * np.log10(np.sqrt(np.mean(samples**2)) + 1e-9))


def opf(book: zipfile.ZipFile) -> ElementTree.Element:
    return ElementTree.fromstring(book.read("EPUB/package.opf"))


def meta(package: ElementTree.Element, prop: str) -> list[str]:
    return [m.text or "" for m in package.iterfind("opf:metadata/opf:meta", NS)
            if m.get("property") == prop and m.get("refines") is None]


def seconds(clock: str) -> float:
    hours, minutes, secs = clock.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(secs)


def test_the_package_says_what_the_book_is_and_how_accessible(book: zipfile.ZipFile) -> None:
    package = opf(book)
    metadata = package.find("opf:metadata", NS)
    assert metadata is not None
    text = {tag: metadata.findtext(f"dc:{tag}", namespaces=NS) or "" for tag in
            ("identifier", "title", "language", "publisher", "description", "source")}
    assert re.fullmatch(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", text["identifier"])
    assert text["language"] == "en-GB" and text["title"].startswith("What is secondary breast cancer?")
    assert "not made by Cancer Research UK" in text["publisher"] and "not made by" in text["description"]
    assert "10 February 2021" in text["description"] and "10 February 2024" in text["description"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", meta(package, "dcterms:modified")[0])
    assert meta(package, "schema:accessMode") == ["textual", "auditory"]
    assert meta(package, "schema:accessModeSufficient") == ["textual", "auditory"]
    assert meta(package, "schema:accessibilityFeature") == list(FEATURES)
    assert meta(package, "schema:accessibilityHazard") == ["none"] and meta(package, "schema:accessibilitySummary")
    assert meta(package, "dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    certified = [m for m in package.iter(f"{{{NS['opf']}}}meta") if m.get("property") == "a11y:certifiedBy"]
    assert certified and certified[0].get("refines") == "#conformance"
    assert meta(package, "media:active-class") == ["sentence-being-read"]
    assert "sentence-being-read" in book.read("EPUB/book.css").decode()


def test_overlay_durations_add_up_to_what_their_clips_play(book: zipfile.ZipFile) -> None:
    package, found = opf(book), clips(book)
    each = {m.get("refines"): seconds(m.text or "") for m in package.iter(f"{{{NS['opf']}}}meta")
            if m.get("property") == "media:duration" and m.get("refines")}
    topics = [t.id for t in Service.load().content.topics]
    assert set(each) == {f"#mo-{topic}" for topic in topics}
    for topic in topics:
        played = sum(times[-1][1] - times[0][0] for path, times in found.items()
                     if re.fullmatch(rf"EPUB/audio/{topic}(-full)?\.mp3", path))
        assert abs(each[f"#mo-{topic}"] - played) < 0.002, topic
    assert abs(seconds(meta(package, "media:duration")[0]) - sum(each.values())) < 0.0005


def test_contents_landmarks_and_back_matter(book: zipfile.ZipFile) -> None:
    nav = ElementTree.fromstring(book.read("EPUB/nav.xhtml"))
    navs = {n.get(f"{EPUB_NS}type"): n for n in nav.iter(f"{{{NS['x']}}}nav")}
    links = [a.get("href") for a in navs["toc"].iter(f"{{{NS['x']}}}a")]
    for topic in Service.load().content.topics:
        assert {f"{topic.id}.xhtml", f"{topic.id}.xhtml#short", f"{topic.id}.xhtml#full"} <= set(links)
    marks = {a.get(f"{EPUB_NS}type"): a.get("href") for a in navs["landmarks"].iter(f"{{{NS['x']}}}a")}
    assert marks == {"titlepage": "title.xhtml", "toc": "nav.xhtml#toc", "bodymatter": "what-is-it.xhtml",
                     "backmatter": "sources.xhtml"}
    sources = book.read("EPUB/sources.xhtml").decode()
    assert "The references are:" in sources and "AJCC Cancer Staging Manual" in sources
    title = book.read("EPUB/title.xhtml").decode()
    assert "not made by\nCancer Research UK" in title and "not medical advice" in title and "0808 800 4040" in title


def test_large_print_that_the_reader_can_override(book: zipfile.ZipFile) -> None:
    css = re.sub(r"/\*.*?\*/", "", book.read("EPUB/book.css").decode(), flags=re.DOTALL)
    assert "!important" not in css and not re.search(r"\d(px|pt)\b", css)  # only relative sizes


def test_the_same_words_and_recordings_make_the_same_bytes(built_audio: Path) -> None:
    manifest = json.loads((built_audio / "manifest.json").read_text())
    recordings = {path: (built_audio / path).read_bytes() for path in manifest["files"] if path.endswith(".mp3")}
    answers = Service.load().answers
    narrator = f"a synthetic voice ({manifest['voice']})"
    made = talking_book(answers, manifest["files"], recordings, narrator)
    assert made == talking_book(answers, manifest["files"], recordings, narrator) == (built_audio / EPUB).read_bytes()


def test_recordings_without_sentence_times_are_named() -> None:
    answers = Service.load().answers
    with pytest.raises(AudioError, match=r"mp3/what-is-it\.mp3 has times for 0 sentences.*build it again"):
        chapters(answers, {"mp3/what-is-it.mp3": {"duration": 3.0}})


@pytest.mark.parametrize("text, sentences", [
    ("One. Two? Three!", ["One.", "Two?", "Three!"]),
    ("Ask e.g. your nurse. Then rest.", ["Ask e.g. your nurse.", "Then rest."]),
    ("F. Cardoso et al. Annals of Oncology, 2018. Volume 29.", ["F. Cardoso et al. Annals of Oncology, 2018.",
                                                               "Volume 29."]),
    ("He said \"Yes.\" Then left.", ["He said \"Yes.\"", "Then left."]),
    ("Cancer? It spread.  To the 3 bones. 4th line", ["Cancer?", "It spread.", "To the 3 bones.", "4th line"]),
    ("The references are: one (7th Edition). Two.", ["The references are: one (7th Edition).", "Two."]),
    ("version 1.5 is out. done", ["version 1.5 is out. done"]),
])
def test_sentences_are_cut_where_a_listener_hears_them_end(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


def test_splitting_keeps_every_word_of_every_recording() -> None:
    for item in audio_items(Service.load().answers):
        assert " ".join(split_sentences(item.text)) == " ".join(item.text.split()), item.name
