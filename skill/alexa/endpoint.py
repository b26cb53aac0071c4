"""`POST /alexa`: size -> verify -> parse -> skill id -> ask-sdk-core -> JSON. Bad requests get a 400 with a reason."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from typing import Any

from ask_sdk_core.exceptions import AskSdkException
from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import Request, RequestEnvelope
from flask import Blueprint, Flask, Response, current_app, jsonify, request

from ..service import Service
from .certificates import CertificateCache, VerificationError, fetch_url, load_trusted_roots
from .limits import MAX_JSON_DEPTH, json_depth_exceeds
from .serializer import AlexaSerializer
from .skill import build_skill
from .verify import AlexaRequestVerifier

_LOGGER = logging.getLogger(__name__)
SKILL, VERIFIER = "alexa_skill", "alexa_verifier"

bp = Blueprint("alexa", __name__)


def init_app(app: Flask, service: Service) -> None:
    """Build the skill and (unless turned off) the verifier once, and register `/alexa`."""
    app.extensions[SKILL] = build_skill(service)
    if app.config["ALEXA_VERIFY_SIGNATURES"]:
        timeout = float(app.config["ALEXA_CERT_TIMEOUT"])
        fetch = app.config.get("ALEXA_CERT_FETCH") or (lambda url: fetch_url(url, timeout=timeout))
        clock = app.config.get("ALEXA_CLOCK") or _utc_now  # tests stop the clock
        roots = load_trusted_roots(app.config["ALEXA_TRUSTED_ROOTS"])
        app.extensions[VERIFIER] = AlexaRequestVerifier(CertificateCache(fetch, roots, clock, timeout=timeout), clock)
    else:
        _LOGGER.warning(
            "ALEXA_VERIFY_SIGNATURES is off: /alexa accepts requests without checking they come from "
            "Alexa. Amazon will not certify a skill hosted like this; use it only for local testing."
        )
        app.extensions[VERIFIER] = None
    app.register_blueprint(bp)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def bad_request(reason: str, status: int = 400) -> tuple[Response, int]:
    return jsonify(error=reason), status


@bp.post("/alexa")
def alexa() -> Any:
    body = request.get_data(cache=False)  # Flask has already refused bodies over MAX_CONTENT_LENGTH
    if json_depth_exceeds(body):
        return bad_request(f"body nests deeper than {MAX_JSON_DEPTH} levels")
    verifier: AlexaRequestVerifier | None = current_app.extensions[VERIFIER]
    if verifier is not None:
        try:
            verifier.verify(request.headers, body)
        except VerificationError as exc:
            return bad_request(str(exc))
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return bad_request("body is not JSON")
    if problem := envelope_problem(payload):
        return bad_request(problem)
    expected_id = current_app.config["ALEXA_SKILL_ID"]
    if expected_id and application_id(payload) != expected_id:
        return bad_request("request is for another skill")
    skill: CustomSkill = current_app.extensions[SKILL]
    serializer: AlexaSerializer = skill.serializer  # type: ignore[assignment]  # set by build_skill
    try:
        envelope = serializer.deserialize_parsed(payload, RequestEnvelope)
    except (AskSdkException, ValueError, TypeError, AttributeError, KeyError):
        if is_news_to_us(payload):
            return jsonify(NOTHING_TO_SAY)
        return bad_request(f"request of type {payload['request']['type']!r} could not be read")
    response = skill.invoke(request_envelope=envelope, context=None)
    return jsonify(skill.serializer.serialize(response))


#: A response with nothing in it: what Amazon's certification expects for requests a skill does not use.
NOTHING_TO_SAY: dict[str, Any] = {"version": "1.0", "response": {}}


def is_news_to_us(payload: dict[str, Any]) -> bool:
    """A request type the SDK's model does not know (Amazon adds them), or a SessionEndedRequest with a reason
    or error it does not know: answered 200 with nothing to say, as Amazon expects, rather than refused."""
    kind = payload["request"]["type"]
    return kind not in Request.discriminator_value_class_map or kind == "SessionEndedRequest"


def envelope_problem(payload: Any) -> str:
    """The fields every Alexa request carries; without them there is nothing to answer."""
    if not isinstance(payload, dict):
        return "body is not an Alexa request envelope"
    req = payload.get("request")
    if not isinstance(req, dict) or not isinstance(req.get("type"), str):
        return "request.type is missing"
    for field in ("requestId", "timestamp"):
        if not isinstance(req.get(field), str):
            return f"request.{field} is missing"
    if not application_id(payload):
        return "context.System.application.applicationId is missing"
    return ""


def application_id(payload: dict[str, Any]) -> str | None:
    for path in (("context", "System", "application", "applicationId"), ("session", "application", "applicationId")):
        node: Any = payload
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, str):
            return node
    return None
