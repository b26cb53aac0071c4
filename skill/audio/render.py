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
from .parts import with_parts
from .recipe import FORMATS, engine_for, paths_for, source_hash, spoken_text
from .script import AudioItem
from .sentences import speak_sentences, split_sentences


@dataclass(frozen=True)
class Rendered:
    """The files for one item (relative path -> bytes) and what the manifest says of each."""

    files: dict[str, bytes]
    entries: dict[str, dict[str, Any]]


def render(item: AudioItem, engine: Engine, pronunciations: Pronunciations, content: Content,
           track_total: int) -> Rendered:
    engine = engine_for(item, engine)  # the slower recordings: the engine itself speaks slowly
    spoken = spoken_text(item, engine, pronunciations)
    # Sentence by sentence, so the talking book knows where each one is (sentences.py says why).
    said = speak_sentences([pronunciations.apply(s, engine.name) for s in split_sentences(item.text)], engine)
    speech = said.audio
    listener = for_listeners(speech, trim=False)
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
               **({**_rounded(heard), "sentences": said.seconds()} if fmt == "mp3" else
                  {"duration": round(phone.duration, 3), "speech_level_dbov": phone_level})}
        for (fmt, path), data in zip(paths.items(), files.values())
    }
    if item.kind == "full":  # the telephone goes back and forward through it a part at a time
        with_parts(item.name, phone, files, entries, paths["wav"])
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
