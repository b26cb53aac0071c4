"""The talking book: EPUB 3 with Media Overlays, so reading apps highlight each sentence as its recording plays.

`book.py` writes the pages; here each page gets a SMIL overlay (one `<par>` per sentence: the sentence's span and
its clip), the package document gets the EPUB Accessibility 1.1 metadata, and everything is zipped. The same words
and recordings always give the same bytes: fixed zip times and order, an identifier made from a hash of the rest
of the book, and `dcterms:modified` set to the page's last-reviewed date rather than the time of the build.
"""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from datetime import UTC, datetime, time
from typing import Any
from xml.sax.saxutils import escape

from ..answers import Answers, spoken_date
from .book import (
    ACTIVE_CLASS, BACK_MATTER, CSS, NAV, TITLE_PAGE, Chapter, Part, chapters, navigation, stylesheet, title_page,
    topic_page,
)

EPUB = "secondary-breast-cancer.epub"
_ROOT = "EPUB"
_ZIP_TIME = (2021, 2, 10, 0, 0, 0)
_CONTAINER = f"""<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="{_ROOT}/package.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>
"""
_TYPES = {"xhtml": "application/xhtml+xml", "smil": "application/smil+xml", "mp3": "audio/mpeg", "css": "text/css"}
FEATURES = ("synchronizedAudioText", "structuralNavigation", "tableOfContents", "readingOrder",
            "displayTransformability")


def talking_book(answers: Answers, entries: dict[str, dict[str, Any]], recordings: dict[str, bytes],
                 narrator: str = "a synthetic voice") -> bytes:
    """The EPUB's bytes, from the topic recordings (path -> MP3 bytes) and their manifest entries."""
    page = answers.content.page
    title = f"{page.title} A talking book"
    found = chapters(answers, entries)
    files = {f"{_ROOT}/{TITLE_PAGE}": title_page(answers, title), f"{_ROOT}/{NAV}": navigation(found, title),
             f"{_ROOT}/{CSS}": stylesheet()}
    for chapter in found:
        files[f"{_ROOT}/{chapter.page}"] = topic_page(chapter)
        files[f"{_ROOT}/{_overlay_name(chapter)}"] = overlay(chapter)
        for part in chapter.parts:
            files[f"{_ROOT}/{_audio_name(part)}"] = recordings[part.mp3]
    files[f"{_ROOT}/package.opf"] = package(answers, found, title, narrator, _identifier(files))
    return _zip({"META-INF/container.xml": _CONTAINER.encode("utf-8"), **files})


def overlay(chapter: Chapter) -> bytes:
    """SMIL: a `<seq>` for each part (so readers can skip by section), a `<par>` for each of its sentences.

    A clip runs from its sentence's start to the next one's, so the pause after a sentence plays with it and
    the recording is heard without gaps; the last clip runs to the end of the recording.
    """
    number, seqs = 0, []
    for part in chapter.parts:
        starts = [start for start, _ in part.times]
        ends = starts[1:] + [part.times[-1][1]]
        pars = []
        for start, end in zip(starts, ends):
            number += 1
            pars.append(f'<par id="p{number}"><text src="{chapter.page}#s{number}"/>'
                        f'<audio src="{_audio_name(part)}" clipBegin="{start:.3f}s" clipEnd="{end:.3f}s"/></par>')
        seqs.append(f'<seq id="{part.id}" epub:textref="{chapter.page}#{part.id}">\n' + "\n".join(pars) + "\n</seq>")
    return ("""<?xml version="1.0" encoding="UTF-8"?>
<smil xmlns="http://www.w3.org/ns/SMIL" xmlns:epub="http://www.idpf.org/2007/ops" version="3.0">
<body>
""" + "\n".join(seqs) + "\n</body>\n</smil>\n").encode("utf-8")


def overlay_ms(chapter: Chapter) -> int:
    """How long the overlay plays, in milliseconds: each recording from its first clip to its last."""
    return sum(round(part.times[-1][1] * 1000) - round(part.times[0][0] * 1000) for part in chapter.parts)


def package(answers: Answers, found: list[Chapter], title: str, narrator: str, identifier: str) -> bytes:
    """The package document: metadata (accessibility included), every file, and the reading order."""
    page = answers.content.page
    items = [f'<item id="nav" href="{NAV}" media-type="{_TYPES["xhtml"]}" properties="nav"/>',
             f'<item id="title-page" href="{TITLE_PAGE}" media-type="{_TYPES["xhtml"]}"/>',
             f'<item id="css" href="{CSS}" media-type="{_TYPES["css"]}"/>']
    spine = ['<itemref idref="title-page"/>', '<itemref idref="nav"/>']
    durations = []
    for chapter in found:
        topic = chapter.topic.id
        items.append(f'<item id="{topic}" href="{chapter.page}" media-type="{_TYPES["xhtml"]}" '
                     f'media-overlay="mo-{topic}"/>')
        items.append(f'<item id="mo-{topic}" href="{_overlay_name(chapter)}" media-type="{_TYPES["smil"]}"/>')
        items += [f'<item id="audio-{part.id}-{topic}" href="{_audio_name(part)}" media-type="{_TYPES["mp3"]}"/>'
                  for part in chapter.parts]
        spine.append(f'<itemref idref="{topic}"/>')
        durations.append(f'<meta property="media:duration" refines="#mo-{topic}">{_clock(overlay_ms(chapter))}</meta>')
    total = _clock(sum(overlay_ms(chapter) for chapter in found))
    modified = datetime.combine(page.last_reviewed, time(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    metadata = _metadata(answers, title, narrator, identifier, modified) + [
        f'<meta property="media:duration">{total}</meta>', *durations,
        f'<meta property="media:active-class">{ACTIVE_CLASS}</meta>']
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid" xml:lang="en-GB">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
{chr(10).join(metadata)}
</metadata>
<manifest>
{chr(10).join(items)}
</manifest>
<spine>
{chr(10).join(spine)}
</spine>
</package>
""".encode()


def _metadata(answers: Answers, title: str, narrator: str, identifier: str, modified: str) -> list[str]:
    page = answers.content.page
    made_by = answers.content.skill.name
    based_on = (f"Based on {page.publisher}'s page “{page.title}”; not made by {page.publisher}. "
                f"The page was last reviewed on {spoken_date(page.last_reviewed)} and was due for review on "
                f"{spoken_date(page.next_review_due)}. General information, not medical advice, for the "
                "United Kingdom.")
    summary = (f"Every sentence of every section is read aloud by {narrator}, and highlighted as it is read "
               "(media overlays): you can read, listen, or both, and move by section or by sentence. Headings, a "
               "table of contents and landmarks give the structure; the text can be resized and restyled. The "
               "title page and the contents are text only; when the page was reviewed, and its references, are "
               f"read aloud in “{answers.content.topic(BACK_MATTER).title}”.")
    return [
        f'<dc:identifier id="uid">{identifier}</dc:identifier>',
        f"<dc:title>{escape(title)}</dc:title>",
        "<dc:language>en-GB</dc:language>",
        f"<dc:creator>{escape(made_by)}</dc:creator>",
        (f"<dc:publisher>{escape(made_by)} (based on {escape(page.publisher)}'s page; not made by "
         f"{escape(page.publisher)})</dc:publisher>"),
        f"<dc:description>{escape(based_on)}</dc:description>",
        (f"<dc:source>{escape(page.publisher)}, “{escape(page.title)}”, last reviewed "
         f"{spoken_date(page.last_reviewed)}</dc:source>"),
        f'<meta property="dcterms:modified">{modified}</meta>',
        f'<meta property="media:narrator">{escape(narrator)}</meta>',
        '<meta property="schema:accessMode">textual</meta>',
        '<meta property="schema:accessMode">auditory</meta>',
        '<meta property="schema:accessModeSufficient">textual</meta>',
        '<meta property="schema:accessModeSufficient">auditory</meta>',
        *(f'<meta property="schema:accessibilityFeature">{feature}</meta>' for feature in FEATURES),
        '<meta property="schema:accessibilityHazard">none</meta>',
        f'<meta property="schema:accessibilitySummary">{escape(summary)}</meta>',
        '<meta property="dcterms:conformsTo" id="conformance">EPUB Accessibility 1.1 - WCAG 2.1 Level AA</meta>',
        (f'<meta property="a11y:certifiedBy" refines="#conformance">{escape(made_by)}, checked with EPUBCheck '
         "and Ace by DAISY</meta>"),
    ]


def _identifier(files: dict[str, bytes]) -> str:
    """A urn:uuid from a hash of the book's pages, overlays and recordings: the same book, the same id."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode("utf-8") + b"\0" + hashlib.sha256(files[name]).digest())
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'urn:sha256:' + digest.hexdigest())}"


def _overlay_name(chapter: Chapter) -> str:
    return f"{chapter.topic.id}.smil"


def _audio_name(part: Part) -> str:
    return f"audio/{part.mp3.rsplit('/', 1)[-1]}"


def _clock(ms: int) -> str:
    """A SMIL full clock value: 0:02:05.250."""
    return f"{ms // 3_600_000}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def _zip(files: dict[str, bytes]) -> bytes:
    """OCF: `mimetype` first, stored, with no extra field; then the rest in a fixed order with fixed times."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in [("mimetype", b"application/epub+zip"), *sorted(files.items())]:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" or name.endswith(".mp3") \
                else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()
