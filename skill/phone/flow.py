"""The call flow, channel-free: where a caller is, what they pressed or said -> what they hear next.

Shared by the TwiML webhooks and the Asterisk export, so both menus lead to the same places.

An answer plays while the line listens, so a key or words stop it at once. A full section longer than about
14 seconds is played as parts of about 10 seconds (`skill/audio/parts.py`): the place says which part is
playing, so 4 goes back a part and 6 forward, as audiobook lines do. 7 after a short answer plays its slower
recording.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Literal

from ..audio.script import part_name
from ..phone_menu import MAIN_MENU, Phone
from ..understand import Move, Router

#: How many times silence is met with a prompt before the call ends politely: ask again, menu once more.
SILENCES_BEFORE_GOODBYE = 2
MORE, REPEAT, MAIN, NURSE = "1", "*", "0", "9"
BACK, FORWARD, SLOWER = "4", "6", "7"
#: Topic id -> how many parts its full section is played in: what the audio build cut (1 when not cut).
Parts = Mapping[str, int]
WHOLE: Parts = MappingProxyType({})

Where = Literal["menu", "answer", "urgent", "choice"]
#: The one place after the safety numbers: star or "repeat" says them again.
URGENT = "numbers"


@dataclass(frozen=True)
class Place:
    """Where the caller is: in a menu, at an answer (short, slower or full) to a topic, or after the numbers.

    At an answer, `part` is the part of its recording playing (0 first; a short answer has one), None once it
    has ended and the line listens after it.
    """

    where: Where
    name: str  # menu id, topic id, or for a choice its two topic ids with a space between
    full: bool = False
    silences: int = 0
    slow: bool = False
    part: int | None = None


@dataclass(frozen=True)
class Step:
    """What to play (prompt and answer names, in order), then where to listen next (None: hang up)."""

    say: tuple[str, ...]
    then: Place | None


def start() -> Step:
    return Step(("welcome",), Place("menu", MAIN_MENU))


def listen_prompt(place: Place, parts: Parts = WHOLE) -> str:
    """What plays while waiting for a key or words at `place`: a prompt, or the part of an answer playing."""
    if place.where == "urgent":
        return "after-urgent"
    if place.where == "menu":
        return f"menu-{place.name}"
    if place.part is not None:
        return recording(place, parts)
    return "after-full" if place.full else "after-answer"


def listen_prompts(place: Place, parts: Parts = WHOLE) -> tuple[str, ...]:
    """What plays while listening: for a choice between two topics, one clip for each ("For ..., press 1.")."""
    if place.where == "choice":
        first, second = place.name.split()
        return (f"choice-1-{first}", f"choice-2-{second}")
    return (listen_prompt(place, parts),)


def recording(place: Place, parts: Parts = WHOLE) -> str:
    """The answer playing at `place`: the short answer, its slower reading, or a part of the full section."""
    if not place.full:
        return f"{place.name}-slow" if place.slow else place.name
    count = part_count(place.name, parts)
    return part_name(f"{place.name}-full", (place.part or 0) + 1) if count > 1 else f"{place.name}-full"


def part_count(topic: str, parts: Parts) -> int:
    return max(1, parts.get(topic, 1))


def acts_as(place: Place) -> Place:
    """Where keys and words act while `place` plays: during a short answer, as after it (only a full section
    has parts to move between)."""
    if place.where == "answer" and place.part is not None and not place.full:
        return replace(place, part=None)
    return place


def plays_from(place: Place, parts: Parts = WHOLE) -> list[tuple[Place, tuple[str, ...]]]:
    """What a caller who does nothing hears from `place` on: each recording still to play, then the prompt of
    the place that waits for them, each with the place that keys and words act at meanwhile."""
    heard = []
    while place.part is not None:
        heard.append((acts_as(place), listen_prompts(place, parts)))
        place = _played(place, parts)
    return [*heard, (place, listen_prompts(place, parts))]


def choose(topics: tuple[str, ...]) -> Step:
    """Words that could be about either of two topics: ask which, by key (1 or 2) or by saying it."""
    return Step(("clarify",), Place("choice", " ".join(topics[:2])))


def answer(topic: str, full: bool = False, slow: bool = False) -> Step:
    """The answer plays from its start while the line listens (a full section from its first part)."""
    return Step((), Place("answer", topic, full, slow=slow and not full, part=0))


def on_silence(place: Place, parts: Parts = WHOLE) -> Step:
    """Nothing heard: after a part of an answer, the next; else say so and ask again; the menu once more; goodbye."""
    if place.part is not None:
        return Step((), _played(place, parts))
    if place.silences >= SILENCES_BEFORE_GOODBYE:
        return Step(("goodbye",), None)
    heard_nothing = ("not-heard",) if place.silences == 0 else ()
    return Step(heard_nothing, replace(place, silences=place.silences + 1))


def _played(place: Place, parts: Parts) -> Place:
    """Where a caller is once the part playing at `place` has ended: the next part, or after the answer."""
    more = place.full and place.part is not None and place.part + 1 < part_count(place.name, parts)
    return replace(place, part=(place.part or 0) + 1 if more else None)


def on_key(phone: Phone, place: Place, key: str, parts: Parts = WHOLE) -> Step:
    key, place = key[:1], acts_as(place)
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
        return answer(place.name, place.full, place.slow) if place.where == "answer" else Step((), fresh)
    if place.where == "urgent":
        return Step(("not-an-option",), fresh)
    if place.where == "answer":
        return _answer_key(fresh, key, parts)
    option = phone.menu(place.name).option(key)
    if option is None:
        return Step(("not-an-option",), fresh)
    if option.topic:
        return answer(option.topic)
    return Step((), Place("menu", option.menu or MAIN_MENU))


def _answer_key(place: Place, key: str, parts: Parts) -> Step:
    """1 more and 7 slower after a short answer; 4 back and 6 forward through a full section, a part at a time
    (never before its first part; forward from the last is its end). Any other key: not an option, and the
    part playing starts again."""
    if not place.full:
        if key in (MORE, SLOWER):
            return answer(place.name, full=key == MORE, slow=key == SLOWER)
        return Step(("not-an-option",), place)
    last = part_count(place.name, parts) - 1
    if key == BACK:
        return Step((), replace(place, part=last if place.part is None else max(0, place.part - 1)))
    if key == FORWARD:
        return Step((), place if place.part is None else _played(place, parts))
    return Step(("not-an-option",), place)


def urgent(again: bool = False) -> Step:
    """The safety numbers (twice in the recording), then listen for star or "repeat"."""
    return Step(("urgent-again" if again else "urgent",), Place("urgent", URGENT))


def on_speech(router: Router, phone: Phone, place: Place, words: str, parts: Parts = WHOLE) -> Step:
    """Words go through the same router as every other channel; navigation words act like their keys. Words
    the line cannot answer during a full section: say so, then the part that was playing again."""
    route, place = router.route(words), acts_as(place)
    if route.kind == "navigation" and route.move is not None:
        return on_move(phone, place, route.move, parts)
    if route.kind == "urgent":
        return urgent()
    if route.kind == "answer" and route.topic:
        return answer(route.topic)
    if route.kind == "clarify" and len(route.topics) == 2:
        return choose(route.topics)
    return Step(("out-of-scope",), replace(place, silences=0))


def on_move(phone: Phone, place: Place, move: Move, parts: Parts = WHOLE) -> Step:
    """"Repeat", "main menu", "two", "yes", "goodbye"... said instead of pressed. "Slower" is 7; "faster" the
    normal-speed answer again after a slower one, and elsewhere star, as the recordings have only two speeds."""
    place = acts_as(place)
    fresh = replace(place, silences=0)
    if move.action == "key" and move.key:
        return on_key(phone, place, move.key, parts)
    if move.action == "repeat":
        return on_key(phone, place, REPEAT, parts)
    if move.action in ("main_menu", "what_else"):
        return on_key(phone, place, MAIN, parts)  # the main menu is the list of what else there is
    if move.action == "slower":
        return on_key(phone, place, SLOWER, parts)  # the slower recording where 7 plays it
    if move.action == "faster":
        if place.where == "answer" and place.slow:
            return answer(place.name)  # the same answer at its normal speed
        return on_key(phone, place, REPEAT, parts)  # only one speed is faster than slow: the usual one
    if move.action == "yes" and place.where == "choice":
        return on_key(phone, place, "1")  # "did you mean A, or B?" - "yes": the first, as offered
    if move.action in ("more", "yes"):
        if place.where == "answer" and not place.full:
            return on_key(phone, place, MORE, parts)  # "to hear more, press 1"
        return on_key(phone, place, REPEAT) if move.action == "yes" and place.where == "urgent" else Step((), fresh)
    if move.action == "goodbye":
        return Step(("goodbye",), None)
    if move.action in ("no", "thanks"):
        return Step(("thanks" if move.action == "thanks" else "no-thanks",), Place("menu", MAIN_MENU))
    return Step(("help",), Place("menu", MAIN_MENU))
