"""Our faster serializer must produce exactly what ask-sdk-core's own would, for every response we give."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from skill.alexa.serializer import AlexaSerializer
from tests.support.alexa_conversation import FIXTURES


#: Fixtures of requests the SDK's model cannot read by design (types and reasons Amazon adds later).
BEYOND_THE_MODEL = {"session_ended_unknown_reason", "unknown_request_type"}


@pytest.mark.parametrize("fixture", sorted(p.stem for p in FIXTURES.glob("*.json") if p.stem not in BEYOND_THE_MODEL))
def test_requests_and_responses_serialise_as_the_sdk_does(app, fixture: str) -> None:
    skill = app.extensions["alexa_skill"]
    text = (FIXTURES / f"{fixture}.json").read_text()
    ours = AlexaSerializer().deserialize_parsed(json.loads(text), RequestEnvelope)
    theirs = DefaultSerializer().deserialize(text, RequestEnvelope)
    assert DefaultSerializer().serialize(ours) == DefaultSerializer().serialize(theirs)
    response = skill.invoke(request_envelope=theirs, context=None)
    assert AlexaSerializer().serialize(response) == DefaultSerializer().serialize(response)


def test_timestamps_are_read_as_aware_datetimes() -> None:
    envelope = AlexaSerializer().deserialize_parsed(
        json.loads((FIXTURES / "launch.json").read_text()), RequestEnvelope
    )
    assert envelope.request.timestamp.utcoffset() is not None


def test_odd_timestamps_fall_back_to_the_sdk_parser() -> None:
    data = json.loads(Path(FIXTURES / "launch.json").read_text())
    data["request"]["timestamp"] = "24 Nov 2026 10:00:00 UTC"
    envelope = AlexaSerializer().deserialize_parsed(data, RequestEnvelope)
    assert envelope.request.timestamp.year == 2026
