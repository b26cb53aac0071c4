"""Settings: defaults, then environment variables of the same names, then a test override."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .audio.pronounce import DEFAULT_PRONUNCIATIONS
from .content import DEFAULT_CONTENT_PATH
from .understand import DEFAULT_ROUTER_PATH

AUDIO_DIR = DEFAULT_CONTENT_PATH.parent.parent / "audio"

DEFAULTS: dict[str, Any] = {
    "CONTENT_PATH": str(DEFAULT_CONTENT_PATH),
    "ROUTER_PATH": str(DEFAULT_ROUTER_PATH),
    # Alexa: verification is on unless explicitly turned off; the skill id is checked when set.
    "ALEXA_VERIFY_SIGNATURES": True,
    "ALEXA_SKILL_ID": None,
    "ALEXA_TRUSTED_ROOTS": None,  # a PEM bundle; None means certifi's
    "ALEXA_CERT_TIMEOUT": 5.0,
    # Telephone: Twilio's webhook signatures are checked with this token; without it /phone refuses to run
    # unless PHONE_VERIFY_SIGNATURES is 0. The public base URL, when set, is used for signatures and audio URLs.
    "TWILIO_AUTH_TOKEN": None,
    "PHONE_VERIFY_SIGNATURES": True,
    "PHONE_PUBLIC_BASE_URL": None,
    "AUDIO_DIR": str(AUDIO_DIR),
    # The podcast feed (/feed.xml) links its episodes by absolute URL: from this root when set, else from the
    # request. The owner's address goes in itunes:owner and podcast:locked; the image (a square JPEG or PNG,
    # 1400 to 3000 px, which Apple Podcasts requires to list the show) in itunes:image. The project has none.
    "PUBLIC_BASE_URL": None,
    "PODCAST_OWNER_EMAIL": None,
    "PODCAST_IMAGE_URL": None,
    # The table the audio was built with (`build-audio --pronunciations`): the page checks recordings against it.
    "PRONUNCIATIONS_PATH": str(DEFAULT_PRONUNCIATIONS),
    # Pretend today is this ISO date (to preview how the review-date warning reads); None is today.
    "TODAY": None,
    # Alexa never sends more; anything larger is refused before it is read.
    "MAX_CONTENT_LENGTH": 128 * 1024,
}

_FALSE = {"0", "false", "no", "off", ""}


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Environment values for the known keys, typed like their defaults."""
    found: dict[str, Any] = {}
    for key, default in DEFAULTS.items():
        if key not in environ:
            continue
        raw = environ[key].strip()
        if isinstance(default, bool):
            found[key] = raw.lower() not in _FALSE
        elif isinstance(default, int):
            found[key] = int(raw)
        elif isinstance(default, float):
            found[key] = float(raw)
        else:
            found[key] = raw or None
    return found
