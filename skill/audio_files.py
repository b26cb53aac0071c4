"""`GET /audio/...`: the pre-made audio, with the right content types and caching headers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, send_from_directory

#: The podcast's chapters (Podcasting 2.0 JSON): served by this longer ending, so other JSON (the manifest) is not.
CHAPTERS = "chapters.json"
TYPES = {"mp3": "audio/mpeg", "wav": "audio/wav", "alaw": "audio/basic", "ulaw": "audio/basic",
         "m3u8": "audio/x-mpegurl", "zip": "application/zip", "vtt": "text/vtt", "epub": "application/epub+zip",
         "png": "image/png", CHAPTERS: "application/json+chapters"}
#: An hour: new audio reaches listeners soon after a rebuild; ETags make the re-check cheap.
MAX_AGE = 3600

bp = Blueprint("audio", __name__)


@bp.get("/audio/<path:name>")
def audio(name: str) -> Any:
    extension = CHAPTERS if name.endswith(f".{CHAPTERS}") else name.rsplit(".", 1)[-1]
    if extension not in TYPES or name.startswith(".") or "/." in name:
        abort(404)
    response = send_from_directory(current_app.config["AUDIO_DIR"], name, mimetype=TYPES[extension],
                                   max_age=MAX_AGE, conditional=True)
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response
