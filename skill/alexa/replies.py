"""Build Alexa responses: SSML at the session's speed, reprompts, cards, and what to remember."""

from __future__ import annotations

from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from ..content import Topic
from ..service import Service
from ..ssml import DEFAULT_RATE, fit, fitted_ssml

from .state import CHOICES, MAX_REPROMPT_CHARS, OFFER, RATE, REPROMPT, SAID, TOPIC, URGENT_OFFER

#: Alexa's limits for a simple card: title and content together at most 8,000 characters.
MAX_CARD_TITLE, MAX_CARD_CONTENT = 200, 7000

__all__ = [
    "CHOICES", "OFFER", "RATE", "REPROMPT", "SAID", "TOPIC", "URGENT_OFFER", "answer_clarify", "answer_out_of_scope",
    "answer_topic", "answer_urgent", "reply", "session",
]


def session(handler_input: HandlerInput) -> dict[str, Any]:
    """The session's attributes; a request without a session (Amazon sends some) gets a throwaway dict."""
    if handler_input.request_envelope.session is None:
        return {}
    attributes = handler_input.attributes_manager.session_attributes
    return attributes if attributes is not None else {}


def is_one_shot(handler_input: HandlerInput) -> bool:
    """'Alexa, ask ... where breast cancer spreads': answer and end, as people expect of a one-shot."""
    envelope_session = handler_input.request_envelope.session
    return bool(envelope_session is not None and envelope_session.new)


def reply(
    handler_input: HandlerInput,
    text: str,
    reprompt: str | None = None,
    card: tuple[str, str] | None = None,
    end: bool = False,
    slow: bool = False,
) -> Response:
    """Speak `text`; keep the session open with `reprompt` unless `end`. An open microphone always follows a
    question (Alexa certification): speech that does not end with one gets the reprompt after it."""
    attributes = session(handler_input)
    rate = int(attributes.get(RATE, DEFAULT_RATE))
    tail = reprompt if reprompt is not None and not end and not text.rstrip().endswith("?") else ""
    builder = handler_input.response_builder.speak(fitted_ssml(text, tail, rate, slow=slow))
    if card:
        builder.set_card(SimpleCard(title=card[0][:MAX_CARD_TITLE], content=fit(card[1], MAX_CARD_CONTENT)))
    if end or reprompt is None:
        builder.set_should_end_session(True)
    else:
        builder.ask(fitted_ssml(reprompt, rate=rate)).set_should_end_session(False)
        attributes[SAID], attributes[REPROMPT] = fit(f"{text} {tail}".strip()), fit(reprompt, MAX_REPROMPT_CHARS)
    return builder.response


def answer_topic(service: Service, handler_input: HandlerInput, topic: Topic, full: bool = False) -> Response:
    """The short answer (or the full section), then an offer of more and of the next topic."""
    answers = service.answers
    text = answers.full(topic) if full else answers.short(topic)
    card = (topic.title, f"{text}\n\n{answers.message('card_footer')}")
    if is_one_shot(handler_input) and not full:
        return reply(handler_input, text, card=card, end=True)
    attributes = session(handler_input)
    attributes.pop(CHOICES, None)
    attributes[TOPIC], attributes[OFFER] = topic.id, topic.next
    follow = [] if full else [answers.message("offer_more")]
    if topic.next:
        offer = answers.message("offer_next", title=service.content.topic(topic.next).menu_label)
    else:
        offer = answers.message("reprompt")
    if full:
        text = f"{answers.full_intro(topic)} {text}"
    return reply(handler_input, " ".join([text, *follow, offer]), reprompt=offer, card=card)


def answer_urgent(service: Service, handler_input: HandlerInput, again: bool = False) -> Response:
    """An emergency or thoughts of self-harm: a human sentence, the numbers slowly, and an offer to hear them
    again. The session stays open: "yes" or "repeat" says the numbers again."""
    answers = service.answers
    text = answers.urgent_again() if again else answers.urgent_with_offer()
    attributes = session(handler_input)
    attributes.pop(TOPIC, None)
    attributes[OFFER] = URGENT_OFFER
    response = reply(handler_input, text, reprompt=answers.message("urgent_offer"),
                     card=("Get help now", answers.urgent()), slow=True)
    attributes[SAID] = answers.urgent_again()  # "repeat": the numbers, not the first sentence again
    return response


def answer_clarify(service: Service, handler_input: HandlerInput, topics: tuple[str, ...]) -> Response:
    """Words that could be about either of two topics: ask which. "Yes" takes the first (as offered), "the
    second one" or "two" the second, and a topic's name that topic."""
    attributes = session(handler_input)
    attributes[CHOICES] = list(topics[:2])
    attributes[OFFER] = topics[0]
    question = service.answers.clarify(topics)
    return reply(handler_input, question, reprompt=question)


def answer_out_of_scope(service: Service, handler_input: HandlerInput) -> Response:
    """Say honestly that the page does not answer this, what it can talk about, and the nurse line."""
    session(handler_input).pop(OFFER, None)
    reprompt = None if is_one_shot(handler_input) else service.answers.message("reprompt")
    return reply(handler_input, service.answers.message("out_of_scope"), reprompt=reprompt)
