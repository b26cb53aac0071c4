"""One audio item -> its files: speak it, then make the listener MP3 and the telephone versions."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ..content import Content
from .engines import Engine
from .process import (
    Mp3Tags, decode, encode_alaw, encode_mp3, encode_ulaw, encode_wav, for_listeners, for_phone, measure,
    speech_level_dbov, tag_mp3,
)
from .pronounce import Pronunciations
from .recipe import FORMATS, paths_for, source_hash, spoken_text
from .script import AudioItem


@dataclass(frozen=True)
class Rendered:
    """The files for one item (relative path -> bytes) and what the manifest says of each."""

    files: dict[str, bytes]
    entries: dict[str, dict[str, Any]]


def render(item: AudioItem, engine: Engine, pronunciations: Pronunciations, content: Content,
           track_total: int) -> Rendered:
    spoken = spoken_text(item, engine, pronunciations)
    speech = decode(engine.synthesise(spoken))
    listener = for_listeners(speech)
    phone = for_phone(speech)
    mp3 = tag_mp3(encode_mp3(listener, FORMATS["mp3"]["kbps"]), _tags(item, content, track_total))
    paths = paths_for(item)
    files = {paths["mp3"]: mp3, paths["wav"]: encode_wav(phone),
             paths["alaw"]: encode_alaw(phone), paths["ulaw"]: encode_ulaw(phone)}
    common = {"item": item.name, "kind": item.kind, "title": item.title, "topic": item.topic,
              "source": source_hash(spoken, engine)}
    heard = measure(decode(mp3))
    phone_level = round(speech_level_dbov(phone), 1)
    entries = {
        path: {**common, "format": fmt, "sha256": hashlib.sha256(data).hexdigest(),
               **(_rounded(heard) if fmt == "mp3" else
                  {"duration": round(phone.duration, 3), "speech_level_dbov": phone_level})}
        for (fmt, path), data in zip(paths.items(), files.values())
    }
    return Rendered(files, entries)


def _rounded(measured: dict[str, float]) -> dict[str, float]:
    return {key: round(value, 3 if key == "duration" else 2) for key, value in measured.items()}


def _tags(item: AudioItem, content: Content, track_total: int) -> Mp3Tags:
    page = content.page
    return Mp3Tags(
        title=item.title,
        artist=page.publisher,
        album=page.title,
        track=item.track or 0,
        track_total=track_total,
        language="eng",
        comment=f"From {page.publisher}'s page \"{page.title}\", last reviewed {page.last_reviewed:%d %B %Y}. "
                "Not medical advice.",
    )
