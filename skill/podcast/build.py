"""What `build-audio` adds for podcast apps: every topic's episode, and `feed.xml` when the public address is known."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..answers import Answers
from .cover import COVER, cover_png
from .episodes import PODCAST_NAME, RECORDS, build_episodes, read_records
from .feed import FEED, FeedSettings, podcast_feed


def podcast_files(answers: Answers, entries: dict[str, dict[str, Any]], tracks: dict[str, bytes],
                  previous_records: bytes | None, settings: FeedSettings | None, now: datetime) -> dict[str, bytes]:
    """`podcast/...` from the topic MP3s; `feed.xml` too with `settings` (its URLs must be absolute)."""
    files = build_episodes(answers, entries, tracks, previous_records, now)
    files[COVER] = cover_png(PODCAST_NAME, f"Spoken answers based on {answers.content.page.publisher}'s page. "
                                           "Not medical advice.")
    if settings is not None:
        files[FEED] = podcast_feed(answers, read_records(files[RECORDS]), settings)
    return files
