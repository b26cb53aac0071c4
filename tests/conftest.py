"""Shared fixtures: the real app with signature checks on, trusting a local test PKI."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from skill.app import create_app
from tests.support.alexa_conversation import Conversation
from tests.support.alexa_pki import AlexaPKI
from tests.support.alexa_signing import NOW, CertificateHost, fixed_clock

pytest_plugins = [
    "tests.support.alexa_fixtures", "tests.support.audio_fixtures", "tests.support.browser",
    "tests.support.google_tts_fixtures",
]


@pytest.fixture
def app(tmp_path: Path, alexa_pki: AlexaPKI, alexa_cert_host: CertificateHost) -> Flask:
    roots = tmp_path / "roots.pem"
    roots.write_bytes(alexa_pki.root_pem)
    return create_app({
        "TESTING": True,
        "ALEXA_TRUSTED_ROOTS": str(roots),
        "ALEXA_CERT_FETCH": alexa_cert_host.fetcher(),
        "ALEXA_CLOCK": fixed_clock(NOW),
        "ALEXA_SKILL_ID": "amzn1.ask.skill.test",
    })


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def conversation(client: FlaskClient, alexa_pki: AlexaPKI) -> Conversation:
    return Conversation(client, alexa_pki)
