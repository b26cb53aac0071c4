"""Where things are in an episode, told three ways: ID3 chapter frames in the MP3 (players that read the file),
Podcasting 2.0 JSON chapters and a WebVTT transcript (apps that read the feed)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

from mutagen.id3 import CHAP, CTOC, ID3, TIT2, CTOCFlags

#: ID3's "no byte offset given": players seek by the times.
_NO_OFFSET = 0xFFFFFFFF
#: Podcasting 2.0 JSON chapters, https://github.com/Podcastindex-org/podcast-namespace/blob/main/chapters/jsonChapters.md
CHAPTERS_VERSION = "1.2.0"
CHAPTERS_TYPE = "application/json+chapters"
TRANSCRIPT_TYPE = "text/vtt"


@dataclass(frozen=True)
class Chapter:
    title: str
    start: float  # seconds
    end: float


@dataclass(frozen=True)
class Cue:
    """Words and the seconds they are heard between."""

    start: float
    end: float
    text: str


def with_chapter_frames(mp3: bytes, chapters: list[Chapter]) -> bytes:
    """The tagged MP3 with a CHAP frame per chapter and an ordered top-level CTOC listing them (ID3v2.3)."""
    id3 = ID3(io.BytesIO(mp3))
    ids = [f"chp{n}" for n in range(len(chapters))]
    id3.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=ids,
                 sub_frames=[TIT2(encoding=3, text=["Chapters"])]))
    for element, chapter in zip(ids, chapters):
        id3.add(CHAP(element_id=element, start_time=_ms(chapter.start), end_time=_ms(chapter.end),
                     start_offset=_NO_OFFSET, end_offset=_NO_OFFSET,
                     sub_frames=[TIT2(encoding=3, text=[chapter.title])]))
    buffer = io.BytesIO(mp3)
    id3.save(buffer, v2_version=3)
    return buffer.getvalue()


def chapters_json(chapters: list[Chapter], title: str, podcast_name: str, file_name: str) -> bytes:
    document = {
        "version": CHAPTERS_VERSION,
        "title": title,
        "podcastName": podcast_name,
        "fileName": file_name,
        "chapters": [{"startTime": round(c.start, 3), "endTime": round(c.end, 3), "title": c.title} for c in chapters],
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def webvtt(cues: list[Cue]) -> bytes:
    lines = ["WEBVTT", ""]
    for number, cue in enumerate(cues, 1):
        lines += [str(number), f"{_timestamp(cue.start)} --> {_timestamp(cue.end)}", _cue_text(cue.text), ""]
    return "\n".join(lines).encode("utf-8")


def _cue_text(text: str) -> str:
    """One line; `&`, `<` and `>` escaped, so no cue text can end a cue or open a tag."""
    line = " ".join(text.split())
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _timestamp(seconds: float) -> str:
    total = _ms(seconds)
    hours, rest = divmod(total, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def _ms(seconds: float) -> int:
    return max(0, round(seconds * 1000))
