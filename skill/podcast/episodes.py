"""One episode a topic: its short answer, a pause, then its full section, as one MP3 with chapters and a transcript.

Why one episode a topic, not two (short, full): podcast apps list episodes, and twenty-four entries where every
title comes twice read badly by ear; one entry a topic says what it is about once, and the chapters ("The short
answer", "The full section") let a listener skip straight to either. The two recordings are joined frame by
frame (`join.py`), so the episode is the very audio the page plays, and each chapter's time is exact.

GUIDs and dates stay put until what an episode says changes. The GUID is the topic id and a hash of the two
recordings' recipe hashes (the words as spoken, the voice and the format settings, as `recipe.py` and the
manifest have them): a rebuild that remakes nothing keeps every GUID; new words, a new voice or new format
settings make a new recording, and so a new episode that apps fetch again. Each GUID's date is kept in
`podcast/episodes.json` (published with the manifest, in the same switch) and carried from build to build; a
GUID first seen is dated then. The first build in a folder dates every episode the page's last review, so two
hosts building the same content publish the same feed. Within one build, episodes are dated a moment apart in
page order, so apps that sort by date list them as the page does.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

import numpy as np
from mutagen.mp3 import MPEGInfo

from ..answers import Answers
from ..audio.process import Audio, encode_mp3
from ..audio.recipe import FORMATS, paths_for
from ..audio.script import AudioItem, audio_items
from ..audio.sentences import split_sentences
from ..audio.tags import Mp3Tags, tag_mp3
from ..content import Topic
from .chapters import Chapter, Cue, chapters_json, webvtt, with_chapter_frames
from .join import join

FOLDER = "podcast"
#: GUIDs, first-published dates, sizes and durations: what the feed is made from, and the build's memory of dates.
RECORDS = f"{FOLDER}/episodes.json"
PAUSE_S = 1.0
SHORT, FULL = "The short answer", "The full section"
PODCAST_NAME = "Secondary breast cancer guide"


@dataclass(frozen=True)
class Episode:
    topic: str
    number: int  # place in the page, from 1
    guid: str
    published: datetime
    duration: float  # seconds, as mutagen reads the MP3 (as podcast apps do)
    size: int  # bytes
    sources: tuple[str, str]  # recipe hashes of the short and the full recording it joins

    @property
    def paths(self) -> dict[str, str]:
        return episode_paths(self.topic)

    def to_dict(self) -> dict[str, Any]:
        return {"topic": self.topic, "number": self.number, "guid": self.guid,
                "published": self.published.isoformat(), "duration": self.duration, "bytes": self.size,
                "sources": {"short": self.sources[0], "full": self.sources[1]}, **self.paths}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Episode:
        return cls(str(data["topic"]), int(data["number"]), str(data["guid"]),
                   datetime.fromisoformat(data["published"]), float(data["duration"]), int(data["bytes"]),
                   (str(data["sources"]["short"]), str(data["sources"]["full"])))


def episode_paths(topic: str) -> dict[str, str]:
    return {"mp3": f"{FOLDER}/{topic}.mp3", "transcript": f"{FOLDER}/{topic}.vtt",
            "chapters": f"{FOLDER}/{topic}.chapters.json"}


def read_records(data: bytes | None) -> list[Episode]:
    """The episodes a build recorded, in page order; none when there is no record or it is unreadable."""
    try:
        document = json.loads(data or b"{}")
        return [Episode.from_dict(one) for one in document.get("episodes", [])]
    except (ValueError, KeyError, TypeError, AttributeError):
        return []


def build_episodes(answers: Answers, entries: dict[str, dict[str, Any]], tracks: dict[str, bytes],
                   previous: bytes | None, now: datetime) -> dict[str, bytes]:
    """Every topic's episode files, and the records: built from the topic MP3s and their manifest entries."""
    dated = {episode.guid: episode.published for episode in read_records(previous)}
    topics = answers.content.topics
    parts = {item.name: item for item in audio_items(answers) if item.kind in ("short", "full")}
    gap = encode_mp3(Audio(np.zeros(round(PAUSE_S * FORMATS["mp3"]["rate"]), np.float32), FORMATS["mp3"]["rate"]),
                     FORMATS["mp3"]["kbps"])
    files: dict[str, bytes] = {}
    episodes = []
    for number, topic in enumerate(topics, 1):
        short, full = parts[topic.id], parts[f"{topic.id}-full"]
        sources = (entries[paths_for(short)["mp3"]]["source"], entries[paths_for(full)["mp3"]]["source"])
        guid = f"{topic.id}-{hashlib.sha256(''.join(sources).encode()).hexdigest()[:16]}"
        published = dated.get(guid) or _first_seen(answers, now, number, first_build=not dated)
        made = _episode_files(answers, topic, number, (short, full), entries, tracks, gap)
        mp3 = made[episode_paths(topic.id)["mp3"]]
        duration = round(MPEGInfo(io.BytesIO(mp3)).length, 3)
        episodes.append(Episode(topic.id, number, guid, published, duration, len(mp3), sources))
        files.update(made)
    records = {"generated_by": "python -m skill build-audio", "pause_s": PAUSE_S,
               "episodes": [episode.to_dict() for episode in episodes]}
    files[RECORDS] = (json.dumps(records, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    return files


def _first_seen(answers: Answers, now: datetime, number: int, first_build: bool) -> datetime:
    """The date of a GUID no build has published: see the module's docstring."""
    if first_build:
        return datetime.combine(answers.content.page.last_reviewed, time(), UTC) + timedelta(minutes=number)
    return now.astimezone(UTC).replace(microsecond=0) - timedelta(seconds=len(answers.content.topics) - number)


def _episode_files(answers: Answers, topic: Topic, number: int, items: tuple[AudioItem, AudioItem],
                   entries: dict[str, dict[str, Any]], tracks: dict[str, bytes], gap: bytes) -> dict[str, bytes]:
    short, full = (paths_for(item)["mp3"] for item in items)
    joined = join([tracks[short], gap, tracks[full]])
    (short_at, _), _, (full_at, _) = joined.spans
    chapters = [Chapter(SHORT, short_at, full_at), Chapter(FULL, full_at, joined.duration)]
    cues = [cue for item, path, span in zip(items, (short, full), joined.spans[::2])
            for cue in _cues(item, entries[path], span)]
    page = answers.content.page
    tags = Mp3Tags(title=topic.title, artist=page.publisher, album=page.title, track=number,
                   track_total=len(answers.content.topics), language="eng",
                   comment=f"From {page.publisher}'s page \"{page.title}\", last reviewed "
                           f"{page.last_reviewed:%d %B %Y}. Not medical advice.")
    paths = episode_paths(topic.id)
    return {
        paths["mp3"]: with_chapter_frames(tag_mp3(joined.data, tags), chapters),
        paths["transcript"]: webvtt(cues),
        paths["chapters"]: chapters_json(chapters, topic.title, PODCAST_NAME, paths["mp3"].rsplit("/", 1)[-1]),
    }


def _cues(item: AudioItem, entry: dict[str, Any], span: tuple[float, float]) -> list[Cue]:
    """A cue a sentence where the manifest has each sentence's times (the talking book's), else one cue a part."""
    offset, end = span
    sentences, times = split_sentences(item.text), entry.get("sentences")
    if isinstance(times, list) and len(times) == len(sentences):
        return [Cue(offset + begin, offset + finish, text) for text, (begin, finish) in zip(sentences, times)]
    return [Cue(offset, end, item.text)]
