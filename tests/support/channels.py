"""The app with every channel and every check on, as the channel tests need it: Alexa signatures checked against
the test PKI through a stand-in certificate host, Twilio signatures with a test token, no audio built."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask

from skill.app import create_app
from tests.support.alexa_pki import AlexaPKI
from tests.support.alexa_signing import DEFAULT_CERT_URL, NOW, SKILL_ID, CertificateHost, fixed_clock

TWILIO_TOKEN = "test-twilio-auth-token"


@contextmanager
def every_channel_app(folder: Path, pki: AlexaPKI, **settings: Any) -> Iterator[Flask]:
    """Yields the app while its certificate host runs; `settings` override the defaults here."""
    roots = folder / "roots.pem"
    roots.write_bytes(pki.root_pem)
    host = CertificateHost()
    host.publish(DEFAULT_CERT_URL.rsplit("/", 1)[1], pki.valid_chain)
    host.start()
    try:
        yield create_app({
            "ALEXA_TRUSTED_ROOTS": str(roots), "ALEXA_CERT_FETCH": host.fetcher(), "ALEXA_CLOCK": fixed_clock(NOW),
            "ALEXA_SKILL_ID": SKILL_ID, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN, "AUDIO_DIR": str(folder / "no-audio"),
            **settings,
        })
    finally:
        host.stop()
