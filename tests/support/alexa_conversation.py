"""Drive the real app as Alexa does: envelopes from tests/fixtures/alexa, signed, with session carried over."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from tests.support.alexa_pki import AlexaPKI
from tests.support.alexa_signing import NOW, alexa_timestamp, signed_headers

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "alexa"


def envelope(name: str, **slots: str) -> dict[str, Any]:
    """A request envelope kept as a file, with the request timestamp set to the test clock's now."""
    data = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    data["request"]["timestamp"] = alexa_timestamp(NOW)
    for slot, value in slots.items():
        data["request"]["intent"]["slots"][slot]["value"] = value
    return data


def speech(response: dict[str, Any]) -> str:
    """What the person hears, SSML included."""
    return response["response"].get("outputSpeech", {}).get("ssml", "")


def reprompt(response: dict[str, Any]) -> str:
    return response["response"].get("reprompt", {}).get("outputSpeech", {}).get("ssml", "")


def ends(response: dict[str, Any]) -> bool:
    return bool(response["response"].get("shouldEndSession", True))


@dataclass
class Conversation:
    """One Alexa session: each turn posts a signed envelope and keeps the session attributes, as Alexa does."""

    client: FlaskClient
    pki: AlexaPKI
    attributes: dict[str, Any] = field(default_factory=dict)
    turns: int = 0

    def post(self, data: dict[str, Any]) -> Any:
        body = json.dumps(data).encode("utf-8")
        return self.client.post("/alexa", data=body, headers=signed_headers(body, self.pki),
                                content_type="application/json")

    def say(self, name: str, **slots: str) -> dict[str, Any]:
        data = envelope(name, **slots)
        # The first request of a session is new (a launch, or a one-shot "ask ... where it spreads").
        data["session"]["new"] = self.turns == 0
        data["session"]["attributes"] = copy.deepcopy(self.attributes)
        reply = self.post(data)
        assert reply.status_code == 200, reply.get_data(as_text=True)
        payload = reply.get_json()
        self.attributes = payload.get("sessionAttributes") or {}
        self.turns += 1
        return payload
