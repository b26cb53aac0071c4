"""The call flow, channel-free: where a caller is, what they pressed or said -> what they hear next.

Shared by the TwiML webhooks and the Asterisk export, so both menus lead to the same places.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from ..phone_menu import MAIN_MENU, Phone
from ..router import Router

#: How many times silence is met with a prompt before the call ends politely: ask again, menu once more.
SILENCES_BEFORE_GOODBYE = 2
MORE, REPEAT, MAIN, NURSE = "1", "*", "0", "9"

Where = Literal["menu", "answer"]


@dataclass(frozen=True)
class Place:
    """Where the caller is: in a menu, or just after an answer (short or full) to a topic."""

    where: Where
    name: str  # menu id or topic id
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
    return f"menu-{place.name}" if place.where == "menu" else "after-answer"


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
    if key == REPEAT:
        return answer(place.name, place.full) if place.where == "answer" else Step((), fresh)
    if place.where == "answer":
        return answer(place.name, True) if key == MORE else Step(("not-an-option",), fresh)
    option = phone.menu(place.name).option(key)
    if option is None:
        return Step(("not-an-option",), fresh)
    if option.topic:
        return answer(option.topic)
    return Step((), Place("menu", option.menu or MAIN_MENU))


def on_speech(router: Router, place: Place, words: str) -> Step:
    """Words go through the same router as every other channel."""
    route = router.route(words)
    if route.kind == "urgent":
        return Step(("urgent",), Place("menu", MAIN_MENU))
    if route.kind == "answer" and route.topic:
        return answer(route.topic)
    return Step(("out-of-scope",), replace(place, silences=0))
