"""Words about the conversation itself ("help", "repeat", "slower", "goodbye", "two"): known before any topic.

Only a whole utterance counts, so "help" is navigation while "help me, I can't breathe" still reaches the
urgent rules; each channel then does what the word means where the person is (Alexa, the phone, the page).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

Action = Literal["help", "main_menu", "yes", "no", "thanks", "goodbye", "repeat", "more", "slower", "faster",
                 "what_else", "key"]
#: "key" stays last: it is built in, never listed in router.yaml.
ACTIONS: tuple[Action, ...] = ("help", "main_menu", "yes", "no", "thanks", "goodbye", "repeat", "more", "slower",
                               "faster", "what_else", "key")

#: Telephone keys as people say them; "key" carries which one.
KEY_WORDS: dict[str, str] = {
    "zero": "0", "nought": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9", "star": "*", "hash": "#", "pound": "#",
    **{d: d for d in "0123456789"},
}
_KEY_LEADS = ("", "press ", "number ", "option ", "press number ", "i press ", "key ")
#: Homophones recognisers write for a lone digit ("to", "for"); said alone they can only be a key.
_KEY_SOUNDALIKES = {"won": "1", "to": "2", "too": "2", "tree": "3", "for": "4", "fore": "4", "ate": "8"}

#: Picking from two offered choices ("did you mean A, or B?"): the same as pressing 1 or 2.
_CHOICE_WORDS = {
    **{f"{the}{nth}{one}": key for the in ("", "the ") for one in ("", " one")
       for nth, key in (("first", "1"), ("second", "2"))},
    "the other one": "2", "the other": "2", "the last one": "2", "the former": "1", "the latter": "2",
}


@dataclass(frozen=True)
class Move:
    action: Action
    key: str | None = None


@dataclass(frozen=True)
class Navigation:
    """Whole utterances -> what they ask the conversation to do."""

    moves: Mapping[str, Move]

    @classmethod
    def from_lists(cls, phrases: Mapping[str, Iterable[str]]) -> Navigation:
        moves: dict[str, Move] = {}
        for action, said in phrases.items():
            if action not in ACTIONS or action == "key":
                raise ValueError(f"unknown navigation action {action!r}; known: {', '.join(ACTIONS[:-1])}")
            for text in said:
                moves[" ".join(text.split())] = Move(action)  # type: ignore[arg-type]
        for word, key in {**KEY_WORDS, **_KEY_SOUNDALIKES}.items():
            for lead in _KEY_LEADS:
                moves.setdefault(f"{lead}{word}", Move("key", key))
        for words, key in _CHOICE_WORDS.items():
            moves.setdefault(words, Move("key", key))
        return cls(moves)

    def __call__(self, text: str, fillers: frozenset[str]) -> Move | None:
        """`text` is normalised; fillers ("okay", "please", "alexa") around the words do not count."""
        move = self.moves.get(text)
        if move is None:
            kept = " ".join(word for word in text.split() if word not in fillers)
            move = self.moves.get(kept) if kept else None
        return move
