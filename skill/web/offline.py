"""The page without the internet: the app manifest, the service worker at the site's root, the page shown when a
question cannot be sent, and the offer to keep the recordings on the phone (which files, and how much space)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    send_from_directory,
    url_for,
)

from ..service import Service
from .page import TopicSection
from .views import SECURITY_HEADERS, _render

bp = Blueprint("offline", __name__)
STATIC = Path(__file__).parent / "static"
NAME = "Secondary breast cancer guide"
SHORT_NAME = "Cancer guide"  # under a phone's icon: about 12 characters fit
#: site.css's light scheme: the accent for the browser's bar, the page's white behind the opening screen.
THEME_COLOUR = "#00367a"
BACKGROUND_COLOUR = "#ffffff"


@dataclass(frozen=True)
class KeepOffer:
    """The recordings the page plays today, for the "Keep these recordings on this phone" button."""

    recordings: tuple[dict[str, Any], ...]  # {"url", "bytes", "source"}; source says which words it records
    total: int  # bytes

    @property
    def size_words(self) -> str:
        """'3.4 MB': one figure, always in megabytes, so the space asked for reads the same way each time."""
        return f"{max(0.1, round(self.total / 1000 / 1000, 1)):.1f}\N{NO-BREAK SPACE}MB"  # never split


@bp.app_template_global()
def keep_offer(sections: Iterable[TopicSection]) -> KeepOffer | None:
    """The recordings of the topics page (the one page that opens offline); None when there are none to keep."""
    tracks = [track for section in sections for track in (section.short_audio, section.full_audio) if track]
    if not tracks:
        return None
    recordings = tuple({"url": url_for("audio.audio", name=track.path), "bytes": track.size, "source": track.source}
                       for track in tracks)
    return KeepOffer(recordings, sum(track.size for track in tracks))


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    service: Service = current_app.extensions["voice_service"]
    response = jsonify({
        "name": NAME, "short_name": SHORT_NAME, "description": service.content.skill.summary,
        "lang": "en-GB", "dir": "ltr",
        "start_url": url_for("web.index"), "scope": url_for("web.index"), "display": "standalone",
        "theme_color": THEME_COLOUR, "background_color": BACKGROUND_COLOUR,
        "icons": [{"src": url_for("web.static", filename="icon.svg"), "sizes": "any", "type": "image/svg+xml",
                   "purpose": "any"}],
    })
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/sw.js")
def service_worker() -> Response:
    # At the root, so its scope is the whole site; never kept stale by the HTTP cache, so fixes reach phones.
    response = send_from_directory(STATIC, "sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    response.headers.update(SECURITY_HEADERS)  # a worker's policy is the one sent with its script
    return response


@bp.get("/offline")
def offline_page() -> Response:
    """What the service worker shows when a page (an answer) needs the internet and there is none."""
    response = _render("offline.html")
    response.headers["Cache-Control"] = "no-cache"
    return response
