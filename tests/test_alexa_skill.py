"""The Alexa skill as a person meets it: real app, real ask-sdk-core, signed envelopes kept as files."""

from __future__ import annotations

import re

import pytest

from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.utils import get_slot
from ask_sdk_model import RequestEnvelope, Response
from flask.testing import FlaskClient

from skill.alexa.handlers import AskQuestion, Handler, intent_name
from skill.alexa.serializer import AlexaSerializer
from skill.alexa.skill import skill_builder
from skill.service import Service
from skill.understand.navigation import ACTIONS
from tests.support.alexa_conversation import Conversation, ends, envelope, reprompt, speech
from tests.support.alexa_pki import AlexaPKI

NURSE_NUMBER = '<say-as interpret-as="telephone">0808 800 4040</say-as>'


def test_launch_welcomes_says_where_the_information_is_from_and_keeps_listening(conversation: Conversation) -> None:
    reply = conversation.say("launch")
    said = speech(reply)
    assert "Cancer Research UK" in said
    assert "not medical advice" in said
    assert said.count("?") >= 2  # two example questions, then "what would you like to know?"
    assert reprompt(reply) and not ends(reply)


def test_full_dialogue_launch_question_yes_repeat_more_stop(conversation: Conversation) -> None:
    conversation.say("launch")

    answer = conversation.say("ask_question", query="how long have i got")
    assert "different for each person" in speech(answer)
    assert "tell me more" in speech(answer)
    assert "Would you like to hear about support and the nurse line?" in speech(answer)
    assert not ends(answer)

    accepted = conversation.say("yes")
    assert NURSE_NUMBER in speech(accepted)

    repeated = conversation.say("repeat")
    assert speech(repeated) == speech(accepted)

    more = conversation.say("tell_me_more")
    assert "Here is the full section: Information and support." in speech(more)
    assert "For information and support, you can phone" in speech(more)
    assert not ends(more)

    goodbye = conversation.say("stop")
    assert "Goodbye" in speech(goodbye) and ends(goodbye)


def test_no_declines_the_offer_and_asks_what_else(conversation: Conversation) -> None:
    conversation.say("launch")
    conversation.say("where_it_spreads")
    declined = conversation.say("no")
    assert "What else would you like to know?" in speech(declined)
    after_no = conversation.say("yes")  # nothing is on offer any more
    assert "liver" not in speech(after_no) and not ends(after_no)


def test_one_shot_question_answers_and_ends(conversation: Conversation) -> None:
    reply = conversation.say("where_it_spreads")
    assert "liver, lungs, lymph nodes, brain or bones" in speech(reply)
    assert ends(reply)
    assert reply["response"]["card"]["title"] == "Where breast cancer spreads"
    assert "Not medical advice" in reply["response"]["card"]["content"]


@pytest.mark.parametrize("query", ["i want to end it all", "my wife has collapsed and is not breathing"])
def test_urgent_words_get_a_kind_word_then_the_numbers_slowly(conversation: Conversation, query: str) -> None:
    conversation.say("launch")
    reply = conversation.say("ask_question", query=query)
    said = speech(reply)
    assert said.startswith("<speak>I'm so sorry you're going through this, and I want you to get help now. "
                           '<break time="600ms"/>If this is an emergency, call')
    for number in ("999", "111", "116 123"):
        assert f'<prosody rate="slow"><say-as interpret-as="telephone">{number}</say-as></prosody>' in said
    assert "hospital's 24-hour treatment helpline" in said
    assert "Cancer Research UK" not in said  # nothing else competes with the safety message
    assert said.endswith("Would you like to hear these numbers again?</speak>")
    assert not ends(reply)


def test_out_of_scope_question_is_declined_honestly_with_the_nurse_line(conversation: Conversation) -> None:
    conversation.say("launch")
    reply = conversation.say("ask_question", query="what dose of tamoxifen should i take")
    said = speech(reply)
    assert "can't answer that" in said
    assert "where it spreads" in said
    assert NURSE_NUMBER in said
    assert not ends(reply) and reprompt(reply)


def test_slower_and_faster_change_the_speed_for_the_rest_of_the_session(conversation: Conversation) -> None:
    conversation.say("launch")
    conversation.say("slower")
    slow = conversation.say("where_it_spreads")
    assert '<prosody rate="85%">' in speech(slow)
    conversation.say("faster")
    conversation.say("faster")
    fast = conversation.say("outlook")
    assert '<prosody rate="115%">' in speech(fast)


@pytest.mark.parametrize(("intent", "words"), [
    ("slower", "slow down"), ("slower", "you're talking too fast"), ("faster", "speed up"),
    ("list_topics", "what else"), ("list_topics", "what else can I ask?"),
])
def test_speed_and_what_else_said_as_a_question_do_what_alexas_own_intents_do(
    client: FlaskClient, alexa_pki: AlexaPKI, intent: str, words: str
) -> None:
    by_intent, by_words = Conversation(client, alexa_pki), Conversation(client, alexa_pki)
    for talk in (by_intent, by_words):
        talk.say("launch")
        talk.say("ask_question", query="how long have i got")
    assert by_words.say("ask_question", query=words)["response"] == by_intent.say(intent)["response"]
    assert by_words.attributes == by_intent.attributes  # the new speed, and the offer still open
    assert speech(by_words.say("outlook")) == speech(by_intent.say("outlook"))


def test_every_navigation_word_said_as_a_question_has_a_handler() -> None:
    assert set(AskQuestion(Service.load()).moves) == set(ACTIONS)


def test_speed_has_limits(conversation: Conversation) -> None:
    conversation.say("launch")
    for _ in range(10):
        reply = conversation.say("slower")
    rate = re.search(r'rate="(\d+)%"', speech(reply))
    assert rate and int(rate.group(1)) >= 70


@pytest.mark.parametrize(
    "request_name, expected",
    [
        ("help", "tell me more"),
        ("list_topics", "where it spreads"),
        ("fallback", "what can I ask?"),
        ("unknown_intent", "what can I ask?"),
        ("navigate_home", "Welcome"),
        ("tell_me_more", "Ask me about a topic first"),
        ("repeat", "Welcome"),
        ("ask_question_empty", "didn't hear a question"),
    ],
)
def test_every_open_answer_offers_a_next_step_and_a_reprompt(
    conversation: Conversation, request_name: str, expected: str
) -> None:
    conversation.say("launch")
    reply = conversation.say(request_name)
    assert expected in speech(reply)
    assert reprompt(reply) and not ends(reply)


def test_cancel_says_goodbye(conversation: Conversation) -> None:
    conversation.say("launch")
    reply = conversation.say("cancel")
    assert "Goodbye" in speech(reply) and ends(reply)


@pytest.mark.parametrize("request_name", ["session_ended", "session_ended_error", "exception_encountered"])
def test_requests_that_must_not_speak_get_an_empty_response(conversation: Conversation, request_name: str) -> None:
    reply = conversation.say(request_name)
    assert "outputSpeech" not in reply["response"]


def test_every_topic_intent_answers_with_its_short_answer(conversation: Conversation, app) -> None:
    service = app.extensions["voice_service"]
    conversation.say("launch")
    for topic in service.content.topics:
        data = conversation_request(topic.intent_name)
        reply = conversation.post(data).get_json()
        assert service.answers.short(topic).split(".")[0] in speech(reply).replace("&apos;", "'")
        assert len(speech(reply)) < 8000


def conversation_request(intent_name: str) -> dict:
    from tests.support.alexa_conversation import envelope

    data = envelope("outlook")
    data["request"]["intent"]["name"] = intent_name
    return data


def test_nothing_about_the_person_is_kept_between_sessions(conversation: Conversation, client, alexa_pki) -> None:
    conversation.say("launch")
    conversation.say("ask_question", query="where does it spread")
    fresh = Conversation(client, alexa_pki)
    reply = fresh.say("repeat")
    assert "liver" not in speech(reply)


def test_a_session_from_older_content_is_not_a_dead_end(conversation: Conversation) -> None:
    conversation.say("launch")
    conversation.attributes.update({"topic": "a-topic-since-removed", "offer": "another-removed-one"})
    more = conversation.say("tell_me_more")
    assert "Ask me about a topic first" in speech(more) and not ends(more)
    accepted = conversation.say("yes")
    assert reprompt(accepted) and not ends(accepted)


def test_session_attributes_of_the_wrong_type_or_size_are_ignored_not_an_error(conversation: Conversation) -> None:
    conversation.say("launch")
    conversation.attributes.update({"rate": "very fast", "topic": ["outlook"], "offer": 12, "said": "x" * 20000,
                                    "choices": ["outlook", "outlook"]})
    reply = conversation.say("outlook")
    assert "different for each person" in speech(reply) and "prosody" not in speech(reply)
    for rate, within_range in ((0, "70%"), (-500, "70%"), (10**9, "130%")):  # Alexa's range: 20 % to 200 %
        conversation.attributes["rate"] = rate
        assert f'<prosody rate="{within_range}">' in speech(conversation.say("outlook"))


class Broken(Handler):
    """A handler that fails with a message quoting what the person said, as a bug might."""

    intents = ("OutlookIntent", "AskQuestionIntent")

    def handle(self, handler_input: HandlerInput) -> Response:
        slot = get_slot(handler_input, "query") if intent_name(handler_input) == "AskQuestionIntent" else None
        raise ValueError(slot.value if slot else "outlook")


def broken_skill() -> CustomSkill:
    """The real skill with one broken handler put first, so the real apology handler meets a real failure."""
    service = Service.load()
    builder = skill_builder(service)
    chains = builder.runtime_configuration_builder.request_handler_chains
    builder.add_request_handler(Broken(service))
    chains.insert(0, chains.pop())
    return builder.create()


def invoke(skill: CustomSkill, name: str, attributes: dict[str, Any] | None = None, **slots: str) -> dict[str, Any]:
    data = envelope(name, **slots)
    data["session"]["attributes"] = attributes or {}
    request = AlexaSerializer().deserialize_parsed(data, RequestEnvelope)
    return AlexaSerializer().serialize(skill.invoke(request_envelope=request, context=None))


def test_anything_unexpected_gets_a_spoken_apology_and_a_fresh_start() -> None:
    reply = invoke(broken_skill(), "outlook", {"topic": "outlook", "rate": 85})
    assert "Sorry, something went wrong on my side" in speech(reply)
    assert reprompt(reply) and not ends(reply)
    assert reply.get("sessionAttributes", {}).keys() <= {"said", "reprompt"}  # topic and rate forgotten


def test_an_error_is_logged_without_what_was_said(caplog: pytest.LogCaptureFixture) -> None:
    invoke(broken_skill(), "ask_question", query="my name is jane")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Handler failed with ValueError" in logged
    assert "jane" not in logged


def test_an_emergency_alexa_recognises_itself_gets_the_numbers_and_an_offer_to_hear_them_again(
    conversation: Conversation,
) -> None:
    conversation.say("launch")
    reply = conversation.say("urgent_help")
    assert speech(reply).startswith("<speak>I'm so sorry you're going through this")
    assert "If this is an emergency, call" in speech(reply)
    assert reprompt(reply) == "<speak>Would you like to hear these numbers again?</speak>"
    assert not ends(reply)
    assert "999" in reply["response"]["card"]["content"]


def test_a_question_alexa_knows_is_beyond_the_page_is_declined_honestly(conversation: Conversation) -> None:
    conversation.say("launch")
    reply = conversation.say("out_of_scope")
    assert "can't answer that" in speech(reply)
    assert NURSE_NUMBER in speech(reply)
    assert reprompt(reply) and not ends(reply)
