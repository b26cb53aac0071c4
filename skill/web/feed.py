"""`GET /feed.xml`: the podcast feed, its links absolute from PUBLIC_BASE_URL or the request's own address."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, request

from ..addresses import public_base
from ..files import read_or_none
from ..podcast.episodes import RECORDS, Episode, read_records
from ..podcast.feed import FEED, FeedSettings, podcast_feed
from ..service import Service
from .shelf import Shelf
from .views import SHELF

bp = Blueprint("feed", __name__)


def current_episodes(audio_dir: Path, shelf: Shelf) -> list[Episode]:
    """Episodes that say what the page says today (both their recordings are on the shelf) and are there whole."""
    episodes = []
    for episode in read_records(read_or_none(audio_dir / RECORDS)):
        parts = (shelf.tracks.get(episode.topic), shelf.tracks.get(f"{episode.topic}-full"))
        size = _size(audio_dir / episode.paths["mp3"])
        if all(parts) and size == episode.size:
            episodes.append(episode)
    return episodes


@bp.get(f"/{FEED}")
def feed() -> Response:
    config = current_app.config
    service: Service = current_app.extensions["voice_service"]
    episodes = current_episodes(Path(config["AUDIO_DIR"]), current_app.extensions[SHELF].current())
    if not episodes:
        abort(404, description="there are no recordings yet: run python -m skill build-audio")
    settings = FeedSettings(public_base(config["PUBLIC_BASE_URL"]), config["PODCAST_OWNER_EMAIL"],
                            config["PODCAST_IMAGE_URL"])
    response = Response(podcast_feed(service.answers, episodes, settings), mimetype="application/rss+xml")
    response.headers["Cache-Control"] = "no-cache"  # apps check again each time; the ETag makes that cheap
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.add_etag()
    response.make_conditional(request)
    return response


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
