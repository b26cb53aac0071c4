"""How many telephone parts each full section was cut into, from the audio build's manifest (`audio/parts.py`).

The webhooks and the Asterisk export both play a full section part by part when the build cut it; a section
whose parts are not all there, or are not named as the build names them, is played whole.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..audio.recipe import MANIFEST, listed_parts, read_manifest
from ..audio.script import part_name

_FULL_WAV = re.compile(r"phone/([a-z]+(?:-[a-z]+)*)-full\.wav")


def read_parts(audio_dir: Path, check_files: bool = True) -> dict[str, int]:
    """Topic id -> the number of parts of its full section, for the sections cut into more than one.
    `check_files=False` trusts the manifest (the Asterisk export checks every file it copies itself)."""
    files = (read_manifest(audio_dir) or {}).get("files")
    found: dict[str, int] = {}
    for path, entry in files.items() if isinstance(files, dict) else ():
        topic = _FULL_WAV.fullmatch(path)
        names = listed_parts(entry) if topic else []
        expected = [part_name(f"{topic[1]}-full", n) for n in range(1, len(names) + 1)] if topic else []
        if topic and len(names) > 1 and names == expected and (not check_files or all(
                (audio_dir / "phone" / f"{name}.wav").is_file() for name in names)):
            found[topic[1]] = len(names)
    return found


class PartsCache:
    """Reads the manifest again only when a build is published or the telephone files change."""

    def __init__(self, audio_dir: str | Path) -> None:
        self.audio_dir = Path(audio_dir)
        self._key: tuple[tuple[int, int, int], ...] | None = None
        self._parts: dict[str, int] = {}

    def current(self) -> dict[str, int]:
        key = (_stamp(self.audio_dir / MANIFEST), _stamp(self.audio_dir / "phone"))
        if key != self._key:
            self._parts = read_parts(self.audio_dir)
            self._key = key
        return self._parts


def _stamp(path: Path) -> tuple[int, int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (0, 0, 0)
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)
