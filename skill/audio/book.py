"""The talking book's pages (XHTML): a title page, one page per topic with every sentence as heard, and the contents.

Each topic page shows the short answer and the full section with the very words of their recordings (the build's
audio items), cut into sentences by the splitter the recordings were made with, so sentence `s<n>` on a page is
one clip in its recording. `epub.py` ties the two together and packs the book.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from ..answers import Answers, spoken_date
from ..content import Topic
from .errors import AudioError
from .recipe import paths_for
from .script import audio_items
from .sentences import split_sentences

STYLESHEET = Path(__file__).with_name("book.css")
TITLE_PAGE, NAV, CSS = "title.xhtml", "nav.xhtml", "book.css"
#: The class a reading system puts on the sentence it is reading (media:active-class); book.css styles it.
ACTIVE_CLASS = "sentence-being-read"
#: The topic that holds the page's sources and references: the book's back matter.
BACK_MATTER = "sources"
_HEADINGS = {"short": "The short answer", "full": "The full section"}


@dataclass(frozen=True)
class Part:
    """One recording on a topic page: the short answer or the full section."""

    id: str  # "short" or "full": the section's id on the page
    mp3: str  # its path in the audio folder: "mp3/outlook.mp3"
    sentences: tuple[str, ...]
    times: tuple[tuple[float, float], ...]  # [start, end] seconds of each sentence in the recording
    duration: float

    @property
    def heading(self) -> str:
        return _HEADINGS[self.id]


@dataclass(frozen=True)
class Chapter:
    topic: Topic
    parts: tuple[Part, ...]

    @property
    def page(self) -> str:
        return f"{self.topic.id}.xhtml"


def chapters(answers: Answers, entries: dict[str, dict[str, Any]]) -> list[Chapter]:
    """Every topic in page order, with its recordings' words and sentence times from the manifest entries."""
    parts: dict[str, list[Part]] = {}
    for item in audio_items(answers):
        if item.topic is None or item.kind not in _HEADINGS:
            continue
        mp3 = paths_for(item)["mp3"]
        entry, sentences = entries.get(mp3) or {}, tuple(split_sentences(item.text))
        times = tuple((float(start), float(end)) for start, end in entry.get("sentences") or ())
        if len(times) != len(sentences):
            raise AudioError(f"{mp3} has times for {len(times)} sentences, but its words have {len(sentences)}. "
                             "Probable cause: it was made before sentence times were kept; build it again")
        parts.setdefault(item.topic, []).append(Part(item.kind, mp3, sentences, times, float(entry["duration"])))
    return [Chapter(topic, tuple(parts[topic.id])) for topic in answers.content.topics]


def topic_page(chapter: Chapter) -> bytes:
    """The topic's heading, then each part's heading and its sentences, each in a span the overlay points at."""
    topic, number, sections = chapter.topic, 0, []
    for part in chapter.parts:
        spans = []
        for sentence in part.sentences:
            number += 1
            spans.append(f'<span id="s{number}">{escape(sentence)}</span>')
        sections.append(f'<section id="{part.id}" aria-labelledby="{part.id}-title">\n'
                        f'<h2 id="{part.id}-title">{part.heading}</h2>\n<p>{" ".join(spans)}</p>\n</section>')
    kind = "appendix" if topic.id == BACK_MATTER else "chapter"
    body = (f'<section epub:type="{kind}" role="doc-{kind}" aria-labelledby="title">\n'
            f'<h1 id="title">{escape(topic.title)}</h1>\n' + "\n".join(sections) + "\n</section>")
    return _xhtml(topic.title, body)


def title_page(answers: Answers, book_title: str) -> bytes:
    """What the book is, where it comes from and when that was reviewed, and where to get help."""
    page, nurse = answers.content.page, answers.content.page.nurse_line
    note = answers.review_note()
    body = f"""<section aria-labelledby="title">
<h1 id="title">{escape(book_title)}</h1>
<p>A talking book based on {escape(page.publisher)}'s page “{escape(page.title)}”. It was not made by
{escape(page.publisher)}. Each section has a short answer, then the full section, and every sentence is
highlighted as it is read aloud.</p>
<p>This is general information, not medical advice. For questions about you, talk to your doctor or nurse,
or phone the {escape(page.publisher)} nurses on {escape(nurse.number)}, {escape(nurse.hours)}.</p>
<p>{escape(answers.message("urgent_numbers"))}</p>
<dl>
<dt>Last reviewed</dt><dd>{spoken_date(page.last_reviewed)}</dd>
<dt>Next review due</dt><dd>{spoken_date(page.next_review_due)}</dd>
</dl>
{f"<p>{escape(note)}</p>" if note else ""}
</section>"""
    return _xhtml(book_title, body)


def navigation(chapters: list[Chapter], book_title: str) -> bytes:
    """The contents (each topic, and its short answer and full section) and the landmarks."""
    items = [f'<li><a href="{TITLE_PAGE}">About this talking book</a></li>']
    for chapter in chapters:
        parts = "".join(f'<li><a href="{chapter.page}#{part.id}">{part.heading}</a></li>' for part in chapter.parts)
        items.append(f'<li><a href="{chapter.page}">{escape(chapter.topic.title)}</a><ol>{parts}</ol></li>')
    back = next(c for c in chapters if c.topic.id == BACK_MATTER)
    landmarks = [("titlepage", TITLE_PAGE, "Title page"), ("toc", f"{NAV}#toc", "Contents"),
                 ("bodymatter", chapters[0].page, "Start of the information"),
                 ("backmatter", back.page, escape(back.topic.title))]
    body = ('<nav epub:type="toc" role="doc-toc" id="toc" aria-labelledby="toc-title">\n'
            '<h1 id="toc-title">Contents</h1>\n<ol class="contents">\n' + "\n".join(items) + "\n</ol>\n</nav>\n"
            '<nav epub:type="landmarks" id="landmarks" aria-labelledby="landmarks-title" hidden="hidden">\n'
            '<h2 id="landmarks-title">Landmarks</h2>\n<ol>\n'
            + "\n".join(f'<li><a epub:type="{kind}" href="{href}">{text}</a></li>' for kind, href, text in landmarks)
            + "\n</ol>\n</nav>")
    return _xhtml(f"Contents: {book_title}", body)


def stylesheet() -> bytes:
    return STYLESHEET.read_bytes()


def _xhtml(title: str, body: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="en-GB" xml:lang="en-GB">
<head>
<meta charset="UTF-8"/>
<title>{escape(title)}</title>
<link rel="stylesheet" type="text/css" href={quoteattr(CSS)}/>
</head>
<body>
{body}
</body>
</html>
""".encode()
