"""POST /alexa over HTTP: only genuine, fresh requests for this skill are answered; bad input gets a reason."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from skill.app import create_app
from tests.support.alexa_conversation import envelope
from tests.support.alexa_pki import AlexaPKI
from tests.support.alexa_signing import NOW, CertificateHost, alexa_timestamp, cert_url, signed_headers


def post(client: FlaskClient, data: dict[str, Any] | bytes, pki: AlexaPKI, **header_changes: str) -> Any:
    body = data if isinstance(data, bytes) else json.dumps(data).encode()
    headers = {**signed_headers(body, pki), **header_changes}
    return client.post("/alexa", data=body, headers=headers)


def test_a_signed_request_is_answered(client: FlaskClient, alexa_pki: AlexaPKI) -> None:
    reply = post(client, envelope("launch"), alexa_pki)
    assert reply.status_code == 200
    assert "Welcome" in reply.get_json()["response"]["outputSpeech"]["ssml"]


def test_the_certificate_is_fetched_once_not_per_request(
    client: FlaskClient, alexa_pki: AlexaPKI, alexa_cert_host: CertificateHost
) -> None:
    for _ in range(4):
        assert post(client, envelope("launch"), alexa_pki).status_code == 200
    assert alexa_cert_host.request_count == 1


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"Signature-256": ""}, "missing Signature-256 header"),
        ({"SignatureCertChainUrl": "http://s3.amazonaws.com/echo.api/echo-api-cert.pem"}, "https"),
        ({"SignatureCertChainUrl": "https://evil.example.com/echo.api/echo-api-cert.pem"}, "s3.amazonaws.com"),
        ({"SignatureCertChainUrl": cert_url("wrong-san")}, "echo-api.amazon.com"),
        ({"SignatureCertChainUrl": cert_url("expired")}, "expired"),
        ({"SignatureCertChainUrl": cert_url("untrusted")}, "not trusted"),
    ],
)
def test_requests_that_alexa_did_not_sign_are_refused_with_a_reason(
    client: FlaskClient, alexa_pki: AlexaPKI, change: dict[str, str], reason: str
) -> None:
    reply = post(client, envelope("launch"), alexa_pki, **change)
    assert reply.status_code == 400
    assert reason in reply.get_json()["error"]


def test_a_tampered_body_is_refused(client: FlaskClient, alexa_pki: AlexaPKI) -> None:
    body = json.dumps(envelope("launch")).encode()
    headers = signed_headers(body, alexa_pki)
    reply = client.post("/alexa", data=body.replace(b"LaunchRequest", b"IntentRequest"), headers=headers)
    assert reply.status_code == 400
    assert reply.get_json()["error"] == "request signature does not match"


@pytest.mark.parametrize("age", [timedelta(seconds=151), timedelta(minutes=10), -timedelta(seconds=200)])
def test_stale_or_replayed_requests_are_refused(client: FlaskClient, alexa_pki: AlexaPKI, age: timedelta) -> None:
    old = envelope("launch")
    old["request"]["timestamp"] = alexa_timestamp(NOW - age)
    reply = post(client, old, alexa_pki)  # validly signed, but not fresh
    assert reply.status_code == 400
    assert "timestamp" in reply.get_json()["error"]


def test_a_request_for_another_skill_is_refused(client: FlaskClient, alexa_pki: AlexaPKI) -> None:
    other = envelope("launch")
    other["context"]["System"]["application"]["applicationId"] = "amzn1.ask.skill.someone-else"
    reply = post(client, other, alexa_pki)
    assert reply.status_code == 400
    assert reply.get_json()["error"] == "request is for another skill"


@pytest.mark.parametrize(
    "body, reason",
    [
        (b"not json at all", "not valid JSON"),
        (b"[1, 2, 3]", "timestamp"),
        (json.dumps({"version": "1.0", "request": {"timestamp": alexa_timestamp(NOW)}}).encode(), "request.type"),
    ],
)
def test_malformed_bodies_get_a_400_with_a_reason(client: FlaskClient, alexa_pki: AlexaPKI, body: bytes, reason: str) -> None:
    reply = post(client, body, alexa_pki)
    assert reply.status_code == 400
    assert reason in reply.get_json()["error"]


def test_a_request_type_amazon_adds_later_gets_200_and_nothing_to_say(client: FlaskClient,
                                                                      alexa_pki: AlexaPKI) -> None:
    data = envelope("launch")
    data["request"]["type"] = "Alexa.Presentation.Future.Thing"
    reply = post(client, data, alexa_pki)
    assert reply.status_code == 200 and reply.get_json() == {"version": "1.0", "response": {}}


def test_a_known_request_type_that_cannot_be_read_gets_a_400_saying_so(client: FlaskClient,
                                                                      alexa_pki: AlexaPKI) -> None:
    data = envelope("ask_question")
    data["request"]["intent"] = ["not", "an", "intent"]
    reply = post(client, data, alexa_pki)
    assert reply.status_code == 400
    assert reply.get_json()["error"] == "request of type 'IntentRequest' could not be read"


def test_oversized_bodies_are_refused_before_reading(client: FlaskClient, alexa_pki: AlexaPKI) -> None:
    reply = post(client, b"{" + b" " * (128 * 1024 + 1) + b"}", alexa_pki)
    assert reply.status_code == 413
    assert "128 KiB" in reply.get_json()["error"]


def test_other_methods_and_paths_get_json_reasons(client: FlaskClient) -> None:
    assert client.get("/alexa").status_code == 405
    missing = client.get("/nowhere")
    assert missing.status_code == 404 and missing.get_json()["error"]


def test_health_check(client: FlaskClient) -> None:
    reply = client.get("/healthz")
    assert reply.status_code == 200 and reply.get_json()["status"] == "ok"


def test_turning_verification_off_is_explicit_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        app = create_app({"TESTING": True, "ALEXA_VERIFY_SIGNATURES": False})
    assert any("ALEXA_VERIFY_SIGNATURES is off" in r.getMessage() for r in caplog.records)
    reply = app.test_client().post("/alexa", json=envelope("launch"))
    assert reply.status_code == 200


def test_verification_is_on_by_default_and_set_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALEXA_VERIFY_SIGNATURES", "0")
    monkeypatch.setenv("ALEXA_SKILL_ID", "amzn1.ask.skill.from-env")
    app = create_app()
    assert app.config["ALEXA_VERIFY_SIGNATURES"] is False
    assert app.config["ALEXA_SKILL_ID"] == "amzn1.ask.skill.from-env"
    monkeypatch.delenv("ALEXA_VERIFY_SIGNATURES")
    unsigned = create_app().test_client().post("/alexa", json=envelope("launch"))
    assert unsigned.status_code == 400
    assert "SignatureCertChainUrl" in unsigned.get_json()["error"]


def test_the_person_s_words_are_not_logged(
    client: FlaskClient, alexa_pki: AlexaPKI, caplog: pytest.LogCaptureFixture
) -> None:
    data = envelope("ask_question", query="my name is jane smith where does it spread")
    with caplog.at_level(logging.DEBUG):
        assert post(client, data, alexa_pki).status_code == 200
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "jane" not in logged and "AEXAMPLEUSERIDNOTREAL" not in logged
