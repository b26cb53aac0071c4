"""One utterance in, plain speakable text out: the speaker's conversation, with the same words as Alexa's.

`respond(service, turn, text)` routes `text` through the shared router and answers it from the shared answers,
as the Alexa skill does (short answer, "to hear the full section, say tell me more", the next topic offered;
the safety numbers and "would you like to hear these numbers again?"), in plain text for Home Assistant's own
voice. Only "slower" differs: this speaker's voice and speed are Home Assistant's, so "slower" here says so and
gives every answer a few sentences at a time, each followed by "Shall I go on?".
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..audio.sentences import split_sentences
from ..content import Topic
from ..service import Service
from ..understand import MAX_QUESTION_CHARS, Move, Route
from .state import URGENT_OFFER, Turn

#: A part, after "slower": at most this many sentences, and no more words than this unless one sentence has more.
PART_SENTENCES, PART_WORDS = 2, 35


@dataclass(frozen=True)
class Reply:
    """What to say, and the conversation afterwards (None: forget it, as after "goodbye")."""

    text: str
    turn: Turn | None


def respond(service: Service, turn: Turn, text: str) -> Reply:
    """The reply to one utterance in the conversation `turn`; the words are bounded here, at the edge."""
    words = text[:MAX_QUESTION_CHARS]
    if not words.strip():
        return _say(service, turn, service.answers.message("not_heard"))
    route = service.router.route(words)
    if chosen := _chosen(turn, route):
        return answer(service, turn, service.content.topic(chosen))
    if route.kind == "navigation" and route.move is not None:
        return on_move(service, turn, route.move)
    if route.kind == "urgent":
        return urgent(service, turn)
    if route.kind == "answer" and route.topic:
        return answer(service, turn, service.content.topic(route.topic))
    if route.kind == "clarify" and len(route.topics) == 2:
        first, second = route.topics[:2]
        question = service.answers.clarify((first, second))
        return Reply(question, replace(_fresh(turn), choices=(first, second), offer=first, said=question))
    return _say(service, _fresh(turn), service.answers.message("out_of_scope"))


def answer(service: Service, turn: Turn, topic: Topic, full: bool = False) -> Reply:
    """The short answer (or the full section), an offer of more, and the next topic offered."""
    answers = service.answers
    body = f"{answers.full_intro(topic)} {answers.full(topic)}" if full else answers.short(topic)
    offer = (answers.message("offer_next", title=service.content.topic(topic.next).menu_label) if topic.next
             else answers.message("reprompt"))
    follow = offer if full else f"{answers.message('offer_more')} {offer}"
    after = replace(_fresh(turn), topic=topic.id, full=full, heard=turn.heard | {topic.id})
    parts = _parts(body) if turn.in_parts else [body]
    if len(parts) == 1:
        text = f"{body} {follow}"
        return Reply(text, replace(after, offer=topic.next, said=text))
    rest = (*parts[1:-1], f"{parts[-1]} {follow}")
    return _next_part(service, replace(after, rest=rest, offer_after_rest=topic.next, offer=None), parts[0])


def urgent(service: Service, turn: Turn, again: bool = False) -> Reply:
    """A kind sentence and the numbers; "yes" or "repeat" says the numbers again. Never in parts."""
    answers = service.answers
    text = answers.urgent_again() if again else answers.urgent_with_offer()
    return Reply(text, replace(_fresh(turn), offer=URGENT_OFFER, said=answers.urgent_again()))


def on_move(service: Service, turn: Turn, move: Move) -> Reply:
    """Words about the conversation: what each means on a speaker, given the turn before."""
    answers, action = service.answers, move.action
    if action in ("repeat", "yes") and turn.offer == URGENT_OFFER:
        return urgent(service, turn, again=True)
    if action in ("more", "yes") and turn.rest:
        return _next_part(service, turn, turn.rest[0], rest=turn.rest[1:])
    if action == "yes" and turn.offer in service.content.topic_ids:
        return answer(service, turn, service.content.topic(turn.offer))
    if action == "more":
        if turn.topic is None:
            return _say(service, turn, answers.message("no_more"))
        return answer(service, turn, service.content.topic(turn.topic), full=True)
    if action == "repeat":
        return Reply(turn.said, turn) if turn.said else _say(service, turn, answers.message("nothing_to_repeat"))
    if action == "goodbye":
        return Reply(answers.message("goodbye"), None)
    if action in ("no", "thanks", "yes"):
        name = {"no": "no_thanks", "thanks": "thanks", "yes": "reprompt"}[action]
        return _say(service, _fresh(turn), answers.message(name))
    if action == "slower":
        return _slower(service, turn)
    if action == "faster":
        return _say(service, replace(turn, in_parts=False), answers.message("faster_assistant"))
    if action == "what_else":
        return _what_else(service, turn)
    if action == "key":
        return _say(service, turn, answers.message("fallback"))
    return _say(service, _fresh(turn), answers.help("assistant"))


def _chosen(turn: Turn, route: Route) -> str | None:
    """After "did you mean A, or B?": "one"/"the first" is A, "two"/"the second" is B."""
    move = route.move
    if turn.choices is None or move is None or move.action != "key":
        return None
    return {"1": turn.choices[0], "2": turn.choices[1]}.get(move.key or "")


def _slower(service: Service, turn: Turn) -> Reply:
    """Say honestly that the voice is not ours to slow; then the last answer again, a little at a time."""
    answers = service.answers
    slower = replace(turn, in_parts=True)
    if turn.topic is None or turn.offer == URGENT_OFFER:
        return _say(service, slower, answers.message("slower_assistant"))
    again = answer(service, slower, service.content.topic(turn.topic), full=turn.full)
    if again.turn is None:  # answer() always keeps the conversation; kept for the type checker
        return again
    text = f"{answers.message('slower_assistant')} {again.text}"
    return Reply(text, replace(again.turn, said=text))


def _what_else(service: Service, turn: Turn) -> Reply:
    """The topics not yet heard in this conversation (all of them, once every one has been)."""
    topics = service.content.topics
    listed = service.answers.topics_said([t for t in topics if t.id not in turn.heard] or topics)
    return _say(service, _fresh(turn), service.answers.message("list_topics", topics=listed))


def _next_part(service: Service, turn: Turn, part: str, rest: tuple[str, ...] | None = None) -> Reply:
    """One part of an answer; "Shall I go on?" after every part but the last."""
    rest = turn.rest if rest is None else rest
    if rest:
        text = f"{part} {service.answers.message('go_on')}"
        return Reply(text, replace(turn, rest=rest, said=text))
    return Reply(part, replace(turn, rest=(), offer=turn.offer_after_rest, offer_after_rest=None, said=part))


def _parts(text: str) -> list[str]:
    """`text` in parts of a few sentences, in order; joined with spaces they give the text back."""
    parts: list[list[str]] = []
    for sentence in split_sentences(text):
        last = parts[-1] if parts else None
        if last and len(last) < PART_SENTENCES and len(" ".join([*last, sentence]).split()) <= PART_WORDS:
            last.append(sentence)
        else:
            parts.append([sentence])
    return [" ".join(part) for part in parts] or [text]


def _fresh(turn: Turn) -> Turn:
    """The turn with nothing offered or pending: what "yes" meant before no longer holds."""
    return replace(turn, offer=None, choices=None, rest=(), offer_after_rest=None)


def _say(service: Service, turn: Turn, text: str) -> Reply:
    """A message; one that does not end with a question gets the usual "What else would you like to know?"."""
    if not text.rstrip().endswith("?"):
        text = f"{text} {service.answers.message('reprompt')}"
    return Reply(text, replace(turn, said=text))
