"""`build-audio`: make what changed, keep what did not, and publish the whole result in one atomic step.

Why the folder is laid out as it is: readers open fixed paths in it. The page and `GET /audio/...` read
`manifest.json` and `mp3/<name>.mp3`, the phone plays `phone/<name>.wav`, `export-phone` reads both. So a build
writes a complete new tree in `.builds/<id>/` (files it did not remake are hard-linked from the current build:
no bytes copied, time stamps kept), and every published name is a symlink through one switch::

    manifest.json -> .current/manifest.json      .current -> .builds/<id>
    mp3 -> .current/mp3    phone -> .current/phone    (and playlist.m3u8, README.txt, offline-bundle.zip)

Publishing is one `rename(2)` of a new `.current` link over the old one, which POSIX makes atomic. Wherever a
build is killed, every path resolves in the old build or the new one, each build's files match its manifest. The
next build removes what a stopped one left (builds that are not current, `.tmp-*` names); a lock on the folder
keeps to one build at a time. Ruled out: moving files into place one by one with a journal
(`manifest.next.json`) to roll forward or back, which mends the folder afterwards but lets readers see new
files beside the old manifest meanwhile; and content-addressed file names, because the phone and the links
people keep use fixed names.

A folder from before this layout (a real `mp3/`, `manifest.json`, ...) is adopted when a build first
publishes into it: its files are hard-linked into a build of their own, `.current` points there, then each
real name is swapped for its symlink (`exchange`), so readers see the same bytes all along.

What one switch cannot do: a reader that reads the manifest and, after a switch, opens a file by its path
gets the new file. To read one build throughout, resolve `.current` once (`os.path.realpath`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..answers import Answers
from ..files import (
    TEMPORARY, exclusive, fsync_dir, link_files, read_or_none, remove_path, replace_symlink, replace_with_symlink,
    visible_files, write_atomic,
)
from ..podcast.build import podcast_files
from ..podcast.episodes import RECORDS
from ..podcast.feed import FeedSettings
from .engines import Engine
from .epub import EPUB, talking_book
from .errors import AudioError
from .package import BUNDLE, GUIDE, PLAYLIST, bundle, guide, playlist
from .pronounce import Pronunciations
from .recipe import (
    BUILDS, CURRENT, FORMATS, MANIFEST, engine_for, listed_parts, paths_for, published_link, read_manifest,
    source_hash, spoken_text,
)
from .render import Rendered, render
from .script import AudioItem, audio_items

_LOGGER = logging.getLogger(__name__)
#: Where builds before this layout staged their files; removed if one of them was stopped.
_OLD_STAGING = ".staging"


def _no_checkpoint(stage: str) -> None:
    """The default `AudioBuild.checkpoint`: does nothing."""


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
    #: Called just before each step that changes what readers could see: "written" (the new build is complete
    #: and unseen), "adopt <name>" and "link <name>" (a published name becomes its symlink), "switch" (the one
    #: step that publishes) and "switched" (before old builds are removed). A seam for the tests, which kill a
    #: build at exactly these points; it does nothing unless one is given.
    checkpoint: Callable[[str], None] = _no_checkpoint
    #: Where the site is published, for `feed.xml` (its URLs are absolute); without it no feed.xml is written.
    feed: FeedSettings | None = None

    def plan(self) -> tuple[list[AudioItem], list[AudioItem], dict[str, dict[str, Any]]]:
        """(items to make, items to keep, the manifest entries of the kept ones)."""
        old = (read_manifest(self.out_dir) or {}).get("files", {})
        make, keep, entries = [], [], {}
        for item in audio_items(self.answers):
            engine = engine_for(item, self.engine)
            wanted = source_hash(spoken_text(item, engine, self.pronunciations), engine)
            paths = [*paths_for(item).values(), *_part_paths(old.get(paths_for(item)["wav"]))]
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
        with ExitStack() as stack:
            self._take_folder(stack)
            report = self._build(progress)
        report.seconds = time.monotonic() - started
        return report

    def _take_folder(self, stack: ExitStack) -> None:
        """One build at a time in a folder, starting from what the last one published."""
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            stack.enter_context(exclusive(self.out_dir))
            _remove_leftovers(self.out_dir)
        except BlockingIOError as exc:
            raise AudioError(f"another build-audio is writing {self.out_dir}: let it finish, then try again") from exc
        except OSError as exc:
            raise AudioError(f"cannot write in {self.out_dir} ({exc}). Probable cause: this user may not write "
                             "there.") from exc

    def _build(self, progress: Callable[[AudioItem], None]) -> BuildReport:
        make, keep, entries = self.plan()
        rendered = self._render_all(make, progress)
        made = {path: data for one in rendered for path, data in one.files.items()}
        for one in rendered:
            entries.update(one.entries)
        packages = {**self._packages(entries, made), **self._podcast(entries, made)}
        tree = {**made, **packages, MANIFEST: self._manifest(entries, packages)}
        old = (read_manifest(self.out_dir) or {}).get("files", {})
        report = BuildReport(made=[item.name for item in make], kept=[item.name for item in keep],
                             removed=sorted(set(old) - set(entries)))
        report.written = [path for path, data in tree.items()
                          if path in made or read_or_none(self.out_dir / path) != data]
        if report.written or report.removed:
            fresh = {path: tree[path] for path in report.written}
            self._publish(fresh, sorted({*entries, *tree} - set(fresh)))
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

    def _publish(self, fresh: dict[str, bytes], same: list[str]) -> None:
        """Write the new build where no reader looks, then make it the current one in a single step."""
        build = self.out_dir / BUILDS / f"{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}"
        try:
            for path, data in fresh.items():
                write_atomic(build / path, data)
            link_files(self.out_dir, build, same)
            self.checkpoint("written")
            names = sorted({path.split("/")[0] for path in [*fresh, *same]})
            self._adopt(names)
            self._link(names)
            self.checkpoint("switch")
            replace_symlink(self.out_dir / CURRENT, f"{BUILDS}/{build.name}")
        except OSError as exc:
            with suppress(OSError):
                _remove_leftovers(self.out_dir)
            raise AudioError(f"could not write the new audio in {self.out_dir} ({exc}). Probable cause: the disk "
                             "is full, or this user may not write there.") from exc
        self.checkpoint("switched")
        try:
            fsync_dir(self.out_dir)
            _remove_leftovers(self.out_dir)
        except OSError as exc:  # published already; what is left is removed by the next build
            _LOGGER.warning("the new audio is published, but tidying %s failed: %s", self.out_dir, exc)

    def _adopt(self, names: list[str]) -> None:
        """Put published names that are not yet our symlinks (a folder from before this layout) behind the switch."""
        foreign = [name for name in names if os.path.lexists(self.out_dir / name) and not self._ours(name)]
        if not foreign:
            return
        shown = sorted({*names, *(entry.name for entry in self.out_dir.iterdir() if _is_link_of_ours(entry))})
        snapshot = self.out_dir / BUILDS / f"adopted-{secrets.token_hex(3)}"
        link_files(self.out_dir, snapshot, visible_files(self.out_dir, shown))
        replace_symlink(self.out_dir / CURRENT, f"{BUILDS}/{snapshot.name}")  # the very bytes readers see now
        for name in foreign:
            self.checkpoint(f"adopt {name}")
            replace_with_symlink(self.out_dir / name, published_link(name))

    def _link(self, names: list[str]) -> None:
        """Names this build adds point through the switch before it is made, so they appear with the build."""
        for name in names:
            if not os.path.lexists(self.out_dir / name):
                self.checkpoint(f"link {name}")
                replace_symlink(self.out_dir / name, published_link(name))

    def _ours(self, name: str) -> bool:
        path = self.out_dir / name
        return path.is_symlink() and os.readlink(path) == published_link(name)

    def _packages(self, entries: dict[str, dict[str, Any]], made: dict[str, bytes]) -> dict[str, bytes]:
        items = audio_items(self.answers)
        listed = playlist(items, entries)
        readme = guide(self.answers)
        mp3s = [paths_for(item)["mp3"] for item in items if item.track]
        tracks = {path: made[path] if path in made else (self.out_dir / path).read_bytes() for path in mp3s}
        book = talking_book(self.answers, entries, tracks, narrator=f"a synthetic voice ({self.engine.voice})")
        return {PLAYLIST: listed, GUIDE: readme, BUNDLE: bundle({**tracks, PLAYLIST: listed, GUIDE: readme}),
                EPUB: book}

    def _podcast(self, entries: dict[str, dict[str, Any]], made: dict[str, bytes]) -> dict[str, bytes]:
        """Episodes for podcast apps (`skill/podcast/`), dated from the records the current build keeps."""
        mp3s = [paths_for(item)["mp3"] for item in audio_items(self.answers) if item.kind in ("short", "full")]
        tracks = {path: made[path] if path in made else (self.out_dir / path).read_bytes() for path in mp3s}
        return podcast_files(self.answers, entries, tracks, read_or_none(self.out_dir / RECORDS), self.feed,
                             datetime.now(UTC))

    def _manifest(self, entries: dict[str, dict[str, Any]], packages: dict[str, bytes]) -> bytes:
        page = self.answers.content.page
        document = {
            "generated_by": "python -m skill build-audio",
            "engine": self.engine.name,
            "voice": self.engine.voice,
            "slow_voice": self.engine.slowly().voice,  # the voice of the slower recordings (kind "slow")
            "formats": FORMATS,
            "page": {"title": page.title, "publisher": page.publisher,
                     "last_reviewed": page.last_reviewed.isoformat()},
            "files": dict(sorted(entries.items())),
            "packages": {name: {"sha256": hashlib.sha256(data).hexdigest()} for name, data in packages.items()},
        }
        return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _part_paths(full_wav: Any) -> list[str]:
    """The files of the telephone parts a full section's WAV entry lists (parts.py): kept or remade with it."""
    return [f"phone/{name}.{fmt}" for name in listed_parts(full_wav) for fmt in ("wav", "alaw", "ulaw")]


def _remove_leftovers(folder: Path) -> None:
    """What stopped builds left: builds that are not current, half-made names, links to names no build has."""
    builds = folder / BUILDS
    current = _current_build(folder)
    for build in sorted(builds.iterdir()) if builds.is_dir() else []:
        if build.name != current:
            shutil.rmtree(build)
    for entry in folder.iterdir():
        if entry.name.startswith(TEMPORARY) or entry.name == _OLD_STAGING:
            remove_path(entry)
        elif _is_link_of_ours(entry) and not entry.exists():
            entry.unlink()
    if builds.is_dir() and not any(builds.iterdir()):
        builds.rmdir()


def _current_build(folder: Path) -> str | None:
    try:
        return Path(os.readlink(folder / CURRENT)).name
    except OSError:
        return None


def _is_link_of_ours(entry: Path) -> bool:
    return entry.is_symlink() and os.readlink(entry) == published_link(entry.name)
