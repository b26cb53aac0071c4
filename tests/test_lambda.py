"""The same skill code runs on AWS Lambda through ask-sdk-core's own handler."""

from __future__ import annotations

import pytest

from skill import lambda_function
from tests.support.alexa_conversation import envelope


@pytest.fixture(autouse=True)
def fresh_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lambda_function, "_handler", None)


def test_lambda_handler_answers_a_request_envelope() -> None:
    response = lambda_function.lambda_handler(envelope("where_it_spreads"), None)
    assert "liver, lungs, lymph nodes, brain or bones" in response["response"]["outputSpeech"]["ssml"]
    assert response["response"]["shouldEndSession"] is True


def test_lambda_handler_keeps_the_session_like_the_web_service() -> None:
    first = lambda_function.lambda_handler(envelope("launch"), None)
    assert first["response"]["shouldEndSession"] is False
    follow = envelope("outlook")
    follow["session"]["attributes"] = first["sessionAttributes"]
    reply = lambda_function.lambda_handler(follow, None)
    assert "different for each person" in reply["response"]["outputSpeech"]["ssml"]


def test_lambda_handler_refuses_another_skill_when_the_skill_id_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALEXA_SKILL_ID", "amzn1.ask.skill.mine")
    with pytest.raises(Exception, match="Skill ID Verification failed"):
        lambda_function.lambda_handler(envelope("launch"), None)
