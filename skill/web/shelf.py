"""Which listener MP3s are built and still say what the page says: the page offers players only for those."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..answers import Answers
from ..audio.epub import EPUB
from ..audio.package import BUNDLE, PLAYLIST
from ..audio.pronounce import Pronunciations
from ..audio.recipe import MANIFEST, paths_for, read_manifest, recipe_hash
from ..audio.script import audio_items


@dataclass(frozen=True)
class Download:
    path: str  # under /audio/, e.g. "mp3/where-it-spreads.mp3"
    size: int  # bytes

    @property
    def size_words(self) -> str:
        """'80 KB', '2.4 MB': rounded the way people read file sizes."""
        if self.size < 1000 * 1000:
            return f"{max(1, round(self.size / 1000))} KB"
        megabytes = self.size / 1000 / 1000
        return f"{megabytes:.1f} MB" if megabytes < 10 else f"{round(megabytes)} MB"


@dataclass(frozen=True)
class Track(Download):
    seconds: float = 0.0
    source: str = ""  # the manifest's recipe hash: changes whenever what the recording says changes

    @property
    def duration_words(self) -> str:
        """'45 seconds', '1 minute 5 seconds', '2 minutes'."""
        total = max(1, round(self.seconds))
        minutes, seconds = divmod(total, 60)
        parts = []
        if minutes:
            parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
        if seconds:
            parts.append(f"{seconds} second{'s' if seconds != 1 else ''}")
        return " ".join(parts)


@dataclass(frozen=True)
class Shelf:
    tracks: dict[str, Track]  # audio item name ("where-it-spreads", "urgent") -> its MP3
    bundle: Download | None  # the offline zip and playlist, only when every topic track is current
    playlist: Download | None
    wanted: int  # how many items the page would like to play
    book: Download | None = None  # the talking book (EPUB 3), on the same terms as the bundle

    @property
    def empty(self) -> bool:
        return not self.tracks

    @property
    def complete(self) -> bool:
        return len(self.tracks) == self.wanted


NOTHING = Shelf({}, None, None, 0)


def read_shelf(audio_dir: str | Path, answers: Answers, pronunciations: Pronunciations) -> Shelf:
    """Tracks whose manifest entry matches today's words, voice and formats, and whose file is there."""
    folder = Path(audio_dir)
    manifest = read_manifest(folder)
    items = audio_items(answers)
    if manifest is None:
        return Shelf({}, None, None, len(items))
    files: dict[str, Any] = manifest.get("files") or {}
    engine, voice = str(manifest.get("engine", "")), str(manifest.get("voice", ""))
    slow_voice = str(manifest.get("slow_voice", ""))  # the slower short answers (kind "slow"), for the phone
    tracks: dict[str, Track] = {}
    for item in items:
        path = paths_for(item)["mp3"]
        entry = files.get(path) or {}
        spoken_by = slow_voice if item.kind == "slow" else voice
        wanted = recipe_hash(pronunciations.apply(item.text, engine), engine, spoken_by)
        size = _size(folder / path)
        if entry.get("source") == wanted and size:
            tracks[item.name] = Track(path, size, float(entry.get("duration") or 0.0), wanted)
    every_topic = all(item.name in tracks for item in items if item.track)
    bundle, playlist = (_download(folder, BUNDLE), _download(folder, PLAYLIST)) if every_topic else (None, None)
    book = _download(folder, EPUB) if every_topic else None
    return Shelf(tracks, bundle, playlist, len(items), book)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _stamp(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (0, 0)
    return (stat.st_mtime_ns, stat.st_size)


def _download(folder: Path, name: str) -> Download | None:
    size = _size(folder / name)
    return Download(name, size) if size else None


class ShelfCache:
    """Reads the shelf again only when the manifest changes (a rebuild), not on every page view."""

    def __init__(self, audio_dir: str | Path, answers: Answers, pronunciations: Pronunciations) -> None:
        self.audio_dir = Path(audio_dir)
        self.answers = answers
        self.pronunciations = pronunciations
        self._key: tuple[tuple[int, int], tuple[int, int]] | None = None
        self._shelf = NOTHING

    def current(self) -> Shelf:
        # A rebuild rewrites the manifest; a file added, deleted or replaced in mp3/ changes the folder's time.
        key = (_stamp(self.audio_dir / MANIFEST), _stamp(self.audio_dir / "mp3"))
        if key != self._key:
            self._shelf = read_shelf(self.audio_dir, self.answers, self.pronunciations)
            self._key = key
        return self._shelf
