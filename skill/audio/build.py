"""`build-audio`: make what changed, keep what did not, and change nothing in place until all is made."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..answers import Answers
from ..files import read_or_none, write_atomic, write_if_changed
from .engines import Engine
from .package import BUNDLE, GUIDE, PLAYLIST, bundle, guide, playlist
from .pronounce import Pronunciations
from .recipe import FORMATS, MANIFEST, paths_for, read_manifest, source_hash, spoken_text
from .render import Rendered, render
from .script import AudioItem, audio_items

#: New files wait here until every item is made; a build that stops early leaves the old audio in place.
STAGING = ".staging"


@dataclass
class BuildReport:
    made: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass(frozen=True)
class AudioBuild:
    answers: Answers
    engine: Engine
    out_dir: Path
    pronunciations: Pronunciations
    workers: int = 3

    def plan(self) -> tuple[list[AudioItem], list[AudioItem], dict[str, dict[str, Any]]]:
        """(items to make, items to keep, the manifest entries of the kept ones)."""
        old = (read_manifest(self.out_dir) or {}).get("files", {})
        make, keep, entries = [], [], {}
        for item in audio_items(self.answers):
            wanted = source_hash(spoken_text(item, self.engine, self.pronunciations), self.engine)
            paths = paths_for(item).values()
            if all(self._intact(path, old.get(path), wanted) for path in paths):
                keep.append(item)
                entries.update({path: old[path] for path in paths})
            else:
                make.append(item)
        return make, keep, entries

    def _intact(self, path: str, entry: dict[str, Any] | None, wanted: str) -> bool:
        if not entry or entry.get("source") != wanted:
            return False
        data = read_or_none(self.out_dir / path)
        return data is not None and hashlib.sha256(data).hexdigest() == entry.get("sha256")

    def run(self, progress: Callable[[AudioItem], None] = lambda item: None) -> BuildReport:
        started = time.monotonic()
        report = BuildReport()
        make, keep, entries = self.plan()
        report.kept = [item.name for item in keep]
        staging = self.out_dir / STAGING
        shutil.rmtree(staging, ignore_errors=True)  # left by a build that was stopped
        try:
            for rendered in self._render_all(make, progress):
                for path, data in rendered.files.items():
                    write_atomic(staging / path, data)
                entries.update(rendered.entries)
            report.made = [item.name for item in make]
            report.written += self._move_into_place(staging)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        report.removed = self._remove_obsolete(entries)
        report.written += self._write_packages(entries)
        report.seconds = time.monotonic() - started
        return report

    def _render_all(self, items: list[AudioItem], progress: Callable[[AudioItem], None]) -> list[Rendered]:
        content = self.answers.content
        tracks = sum(1 for item in audio_items(self.answers) if item.track)

        def one(item: AudioItem) -> Rendered:
            rendered = render(item, self.engine, self.pronunciations, content, tracks)
            progress(item)
            return rendered

        with ThreadPoolExecutor(max_workers=max(1, self.workers)) as pool:
            futures = [pool.submit(one, item) for item in items]
            try:
                return [future.result() for future in futures]
            except BaseException:
                for future in futures:
                    future.cancel()
                raise

    def _move_into_place(self, staging: Path) -> list[str]:
        moved = []
        for path in sorted(p for p in staging.rglob("*") if p.is_file() and not p.name.startswith(".")):
            relative = path.relative_to(staging).as_posix()
            (self.out_dir / relative).parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, self.out_dir / relative)
            moved.append(relative)
        return moved

    def _remove_obsolete(self, entries: dict[str, dict[str, Any]]) -> list[str]:
        old = (read_manifest(self.out_dir) or {}).get("files", {})
        gone = [path for path in old if path not in entries]
        for path in gone:
            (self.out_dir / path).unlink(missing_ok=True)
        return gone

    def _write_packages(self, entries: dict[str, dict[str, Any]]) -> list[str]:
        items = audio_items(self.answers)
        listed = playlist(items, entries)
        readme = guide(self.answers)
        tracks = {f"mp3/{i.name}.mp3": (self.out_dir / f"mp3/{i.name}.mp3").read_bytes() for i in items if i.track}
        packages = {PLAYLIST: listed, GUIDE: readme, BUNDLE: bundle({**tracks, PLAYLIST: listed, GUIDE: readme})}
        written = [name for name, data in packages.items() if write_if_changed(self.out_dir / name, data)]
        manifest = self._manifest(entries, packages)
        if write_if_changed(self.out_dir / MANIFEST, manifest):
            written.append(MANIFEST)
        return written

    def _manifest(self, entries: dict[str, dict[str, Any]], packages: dict[str, bytes]) -> bytes:
        page = self.answers.content.page
        document = {
            "generated_by": "python -m skill build-audio",
            "engine": self.engine.name,
            "voice": self.engine.voice,
            "formats": FORMATS,
            "page": {"title": page.title, "publisher": page.publisher,
                     "last_reviewed": page.last_reviewed.isoformat()},
            "files": dict(sorted(entries.items())),
            "packages": {name: {"sha256": hashlib.sha256(data).hexdigest()} for name, data in packages.items()},
        }
        return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

