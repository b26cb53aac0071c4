"""The call flow, channel-free: where a caller is, what they pressed or said -> what they hear next.

Shared by the TwiML webhooks and the Asterisk export, so both menus lead to the same places.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from ..phone_menu import MAIN_MENU, Phone
from ..understand import Move, Router

#: How many times silence is met with a prompt before the call ends politely: ask again, menu once more.
SILENCES_BEFORE_GOODBYE = 2
MORE, REPEAT, MAIN, NURSE = "1", "*", "0", "9"

Where = Literal["menu", "answer", "urgent", "choice"]
#: The one place after the safety numbers: star or "repeat" says them again.
URGENT = "numbers"


@dataclass(frozen=True)
class Place:
    """Where the caller is: in a menu, just after an answer (short or full) to a topic, or after the numbers."""

    where: Where
    name: str  # menu id, topic id, or for a choice its two topic ids with a space between
    full: bool = False
    silences: int = 0


@dataclass(frozen=True)
class Step:
    """What to play (prompt and answer names, in order), then where to listen next (None: hang up)."""

    say: tuple[str, ...]
    then: Place | None


def start() -> Step:
    return Step(("welcome",), Place("menu", MAIN_MENU))


def listen_prompt(place: Place) -> str:
    """The prompt played while waiting for a key or words at `place`."""
    if place.where == "urgent":
        return "after-urgent"
    return f"menu-{place.name}" if place.where == "menu" else "after-answer"


def listen_prompts(place: Place) -> tuple[str, ...]:
    """What plays while listening: for a choice between two topics, one clip for each ("For ..., press 1.")."""
    if place.where == "choice":
        first, second = place.name.split()
        return (f"choice-1-{first}", f"choice-2-{second}")
    return (listen_prompt(place),)


def choose(topics: tuple[str, ...]) -> Step:
    """Words that could be about either of two topics: ask which, by key (1 or 2) or by saying it."""
    return Step(("clarify",), Place("choice", " ".join(topics[:2])))


def answer(topic: str, full: bool = False) -> Step:
    return Step((f"{topic}-full" if full else topic,), Place("answer", topic, full))


def on_silence(place: Place) -> Step:
    """Nothing heard: say so and ask again; then the menu once more; then goodbye."""
    if place.silences >= SILENCES_BEFORE_GOODBYE:
        return Step(("goodbye",), None)
    heard_nothing = ("not-heard",) if place.silences == 0 else ()
    return Step(heard_nothing, replace(place, silences=place.silences + 1))


def on_key(phone: Phone, place: Place, key: str) -> Step:
    key = key[:1]
    fresh = replace(place, silences=0)
    if key == MAIN:
        return Step((), Place("menu", MAIN_MENU))
    if key == NURSE:
        return Step(("nurse-line",), fresh)
    if place.where == "choice":
        offered = place.name.split()
        if key in ("1", "2"):
            return answer(offered[int(key) - 1])
        return Step(("clarify",) if key == REPEAT else ("not-an-option",), fresh)
    if key == REPEAT:
        if place.where == "urgent":
            return urgent(again=True)
        return answer(place.name, place.full) if place.where == "answer" else Step((), fresh)
    if place.where == "urgent":
        return Step(("not-an-option",), fresh)
    if place.where == "answer":
        return answer(place.name, True) if key == MORE else Step(("not-an-option",), fresh)
    option = phone.menu(place.name).option(key)
    if option is None:
        return Step(("not-an-option",), fresh)
    if option.topic:
        return answer(option.topic)
    return Step((), Place("menu", option.menu or MAIN_MENU))


def urgent(again: bool = False) -> Step:
    """The safety numbers (twice in the recording), then listen for star or "repeat"."""
    return Step(("urgent-again" if again else "urgent",), Place("urgent", URGENT))


def on_speech(router: Router, phone: Phone, place: Place, words: str) -> Step:
    """Words go through the same router as every other channel; navigation words act like their keys."""
    route = router.route(words)
    if route.kind == "navigation" and route.move is not None:
        return on_move(phone, place, route.move)
    if route.kind == "urgent":
        return urgent()
    if route.kind == "answer" and route.topic:
        return answer(route.topic)
    if route.kind == "clarify" and len(route.topics) == 2:
        return choose(route.topics)
    return Step(("out-of-scope",), replace(place, silences=0))


def on_move(phone: Phone, place: Place, move: Move) -> Step:
    """"Repeat", "main menu", "two", "yes", "goodbye"... said instead of pressed."""
    fresh = replace(place, silences=0)
    if move.action == "key" and move.key:
        return on_key(phone, place, move.key)
    if move.action == "repeat":
        return on_key(phone, place, REPEAT)
    if move.action == "main_menu":
        return on_key(phone, place, MAIN)
    if move.action == "yes" and place.where == "choice":
        return on_key(phone, place, "1")  # "did you mean A, or B?" - "yes": the first, as offered
    if move.action in ("more", "yes"):
        if place.where == "answer" and not place.full:
            return on_key(phone, place, MORE)  # "to hear more, press 1"
        return on_key(phone, place, REPEAT) if move.action == "yes" and place.where == "urgent" else Step((), fresh)
    if move.action == "goodbye":
        return Step(("goodbye",), None)
    if move.action in ("no", "thanks"):
        return Step(("thanks" if move.action == "thanks" else "no-thanks",), Place("menu", MAIN_MENU))
    return Step(("help",), Place("menu", MAIN_MENU))
