"""Alexa request handlers: each says whether a request is its own, then answers it from the service."""

from __future__ import annotations

import logging
import traceback
from typing import Literal

from ask_sdk_core.dispatch_components import (
    AbstractExceptionHandler, AbstractRequestHandler, AbstractRequestInterceptor,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_slot, is_intent_name, is_request_type
from ask_sdk_model import IntentRequest, Response
from ask_sdk_model.ui import SsmlOutputSpeech

from ..content import Topic
from ..service import Service
from ..understand import MAX_QUESTION_CHARS, Route
from ..understand.navigation import Action
from ..ssml import DEFAULT_RATE, RATE_STEP, clamp_rate
from .replies import (
    CHOICES, OFFER, RATE, REPROMPT, SAID, TOPIC, URGENT_OFFER, answer_clarify, answer_out_of_scope, answer_topic,
    answer_urgent, reply, session,
)
from .state import SessionState

_LOGGER = logging.getLogger(__name__)


def intent_name(handler_input: HandlerInput) -> str | None:
    """The intent's name, or None when this is not an intent request."""
    request = handler_input.request_envelope.request
    if isinstance(request, IntentRequest) and request.intent is not None:
        return request.intent.name
    return None


class Handler(AbstractRequestHandler):
    """A handler with the shared service; subclasses name their intents or request types."""

    intents: tuple[str, ...] = ()
    request_types: tuple[str, ...] = ()

    def __init__(self, service: Service) -> None:
        self.service = service

    def can_handle(self, handler_input: HandlerInput) -> bool:
        name = intent_name(handler_input)
        if name is not None:
            return name in self.intents
        request = handler_input.request_envelope.request
        return request is not None and request.object_type in self.request_types

    def say(self, name: str, **values: str) -> str:
        return self.service.answers.message(name, **values)


class Launch(Handler):
    request_types = ("LaunchRequest",)
    intents = ("AMAZON.NavigateHomeIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        session(handler_input).pop(OFFER, None)
        return reply(handler_input, self.say("welcome"), reprompt=self.say("welcome_reprompt"))


class TopicIntent(Handler):
    """One intent per topic (`WhereItSpreadsIntent` ...), all answered the same way."""

    def _topic(self, handler_input: HandlerInput) -> Topic | None:
        return self.service.content.topic_for_intent(intent_name(handler_input) or "")

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return self._topic(handler_input) is not None

    def handle(self, handler_input: HandlerInput) -> Response:
        topic = self._topic(handler_input)
        if topic is None:  # can_handle made sure; kept for the type checker
            raise LookupError("no topic for this intent")
        return answer_topic(self.service, handler_input, topic)


class AskQuestion(Handler):
    """Free text from the `AMAZON.SearchQuery` slot, routed like every other channel's questions."""

    intents = ("AskQuestionIntent",)

    def __init__(self, service: Service) -> None:
        super().__init__(service)
        #: Navigation words heard as a question ("ask ... help", "question repeat") do what they say.
        self.moves: dict[Action, Handler] = {
            "help": Help(service), "main_menu": Help(service), "yes": Yes(service), "no": No(service),
            "thanks": Thanks(service), "goodbye": StopOrCancel(service), "repeat": Repeat(service),
            "more": TellMeMore(service), "slower": Speed(service, "slower"), "faster": Speed(service, "faster"),
            "what_else": ListTopics(service), "key": Fallback(service),
        }

    def handle(self, handler_input: HandlerInput) -> Response:
        slot = get_slot(handler_input, "query")
        query = ((slot.value if slot else None) or "")[:MAX_QUESTION_CHARS]  # bounded at the edge
        if not query.strip():
            return reply(handler_input, self.say("not_heard"), reprompt=self.say("welcome_reprompt"))
        route = self.service.router.route(query)
        if chosen := self._chosen(handler_input, route):
            return answer_topic(self.service, handler_input, self.service.content.topic(chosen))
        if route.kind == "navigation" and route.move is not None:
            response = self.moves[route.move.action].handle(handler_input)
            if response is None:  # every handler here answers; kept for the type checker
                raise LookupError(f"no reply for {route.move.action}")
            return response
        if route.kind == "answer" and route.topic:
            return answer_topic(self.service, handler_input, self.service.content.topic(route.topic))
        if route.kind == "urgent":
            return answer_urgent(self.service, handler_input)
        if route.kind == "clarify" and len(route.topics) == 2:
            return answer_clarify(self.service, handler_input, route.topics)
        return answer_out_of_scope(self.service, handler_input)

    def _chosen(self, handler_input: HandlerInput, route: Route) -> str | None:
        """After "did you mean A, or B?": "one", "the second", "two" pick from the two offered."""
        choices = session(handler_input).get(CHOICES)
        move = route.move
        if not (isinstance(choices, list) and len(choices) == 2 and move and move.action == "key"):
            return None
        chosen = {"1": choices[0], "2": choices[1]}.get(move.key or "")
        return chosen if chosen in self.service.content.topic_ids else None


class Urgent(Handler):
    """An emergency or thoughts of self-harm: the safety numbers, then an offer to say them again."""

    intents = ("UrgentHelpIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        return answer_urgent(self.service, handler_input)


class OutOfScope(Handler):
    """Something the page does not answer: say so, say what it can talk about, and give the nurse line."""

    intents = ("OutOfScopeIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        return answer_out_of_scope(self.service, handler_input)


class TellMeMore(Handler):
    intents = ("TellMeMoreIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        topic_id = session(handler_input).get(TOPIC)
        if topic_id not in self.service.content.topic_ids:
            return reply(handler_input, self.say("no_more"), reprompt=self.say("welcome_reprompt"))
        return answer_topic(self.service, handler_input, self.service.content.topic(topic_id), full=True)


class ListTopics(Handler):
    intents = ("ListTopicsIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        session(handler_input).pop(OFFER, None)
        return reply(handler_input, self.service.answers.help("speaker"), reprompt=self.say("welcome_reprompt"))


class Help(ListTopics):
    """"Help", "what can you do", "what can I ask": the help message with the topic list."""

    intents = ("AMAZON.HelpIntent",)


class Yes(Handler):
    intents = ("AMAZON.YesIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        offered = session(handler_input).get(OFFER)
        if offered == URGENT_OFFER:
            return answer_urgent(self.service, handler_input, again=True)
        if offered not in self.service.content.topic_ids:
            return reply(handler_input, self.say("reprompt"), reprompt=self.say("welcome_reprompt"))
        return answer_topic(self.service, handler_input, self.service.content.topic(offered))


class Thanks(Handler):
    """"Thank you" heard as a question: a reply in kind, and the conversation goes on."""

    def handle(self, handler_input: HandlerInput) -> Response:
        session(handler_input).pop(OFFER, None)
        return reply(handler_input, self.say("thanks"), reprompt=self.say("reprompt"))


class No(Handler):
    intents = ("AMAZON.NoIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        session(handler_input).pop(OFFER, None)
        session(handler_input).pop(CHOICES, None)
        return reply(handler_input, self.say("no_thanks"), reprompt=self.say("reprompt"))


class Repeat(Handler):
    intents = ("AMAZON.RepeatIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        attributes = session(handler_input)
        if attributes.get(OFFER) == URGENT_OFFER:
            return answer_urgent(self.service, handler_input, again=True)
        if not attributes.get(SAID):
            return reply(handler_input, self.say("nothing_to_repeat"), reprompt=self.say("welcome_reprompt"))
        return reply(handler_input, attributes[SAID], reprompt=attributes.get(REPROMPT) or self.say("reprompt"))


class Speed(Handler):
    """'Slower' / 'faster': the rate holds for the rest of the session, then is forgotten.

    Alexa's own SlowerIntent and FasterIntent name the direction; the same words heard as a free question
    ("ask ... slow down") come through the router, so AskQuestion makes one of these with the direction fixed.
    """

    intents = ("SlowerIntent", "FasterIntent")

    def __init__(self, service: Service, direction: Literal["slower", "faster"] | None = None) -> None:
        super().__init__(service)
        self.direction = direction

    def handle(self, handler_input: HandlerInput) -> Response:
        attributes = session(handler_input)
        slower = self.direction == "slower" if self.direction else is_intent_name("SlowerIntent")(handler_input)
        rate = int(attributes.get(RATE, DEFAULT_RATE)) + (-RATE_STEP if slower else RATE_STEP)
        attributes[RATE] = clamp_rate(rate)
        confirm = self.say("slower" if slower else "faster")
        follow = attributes.get(REPROMPT) or self.say("reprompt")
        return reply(handler_input, f"{confirm} {follow}", reprompt=follow)


class StopOrCancel(Handler):
    intents = ("AMAZON.StopIntent", "AMAZON.CancelIntent")

    def handle(self, handler_input: HandlerInput) -> Response:
        return reply(handler_input, self.say("goodbye"), end=True)


class SessionEnded(Handler):
    request_types = ("SessionEndedRequest",)

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.response


class Fallback(Handler):
    """AMAZON.FallbackIntent, and any intent or request this skill does not know."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        if not is_request_type("IntentRequest")(handler_input):
            return handler_input.response_builder.response  # e.g. System.ExceptionEncountered: no speech
        return reply(handler_input, self.say("fallback"), reprompt=self.say("welcome_reprompt"))


class Apology(AbstractExceptionHandler):
    """Anything unexpected: apologise in speech, log the error (never what the person said)."""

    def __init__(self, service: Service) -> None:
        self.service = service

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        # The stack and the error's type, not its message: a message could quote what the person said.
        stack = "".join(traceback.format_tb(exception.__traceback__))
        _LOGGER.error("Handler failed with %s at:\n%s", type(exception).__name__, stack)
        answers = self.service.answers
        try:
            session(handler_input).clear()  # start the conversation afresh rather than fail again next turn
            return reply(handler_input, answers.message("error"), reprompt=answers.message("welcome_reprompt"))
        except Exception as again:  # noqa: BLE001 - the last line of defence must not raise
            _LOGGER.error("The apology failed too, with %s", type(again).__name__)
            return Response(output_speech=SsmlOutputSpeech(ssml="<speak>Sorry, something went wrong.</speak>"),
                            should_end_session=True)


class CleanSession(AbstractRequestInterceptor):
    """Before any handler: the session's attributes replaced by their checked, typed copy (state.py)."""

    def __init__(self, service: Service) -> None:
        self.topic_ids = frozenset(service.content.topic_ids)

    def process(self, handler_input: HandlerInput) -> None:
        if handler_input.request_envelope.session is None:
            return
        attributes = handler_input.attributes_manager.session_attributes
        clean = SessionState.parse(attributes, self.topic_ids).attributes()
        if isinstance(attributes, dict):
            attributes.clear()
            attributes.update(clean)
        else:
            handler_input.attributes_manager.session_attributes = clean


#: In dispatch order: the first that can handle a request answers it.
HANDLERS: tuple[type[Handler], ...] = (
    Launch, TopicIntent, AskQuestion, Urgent, OutOfScope, TellMeMore, ListTopics, Help, Yes, No, Repeat, Speed,
    StopOrCancel, SessionEnded, Fallback,
)

