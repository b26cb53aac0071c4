"""Session attributes read as a typed value: known keys only, each checked, with defaults and bounds.

Attributes come back from Alexa on every turn. They are ours (signed requests only), but a value of the wrong
type or size must never turn into a spoken apology, a `<prosody rate="1000000000%">` or an over-long reply:
every request starts from this cleaned copy.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from ..ssml import DEFAULT_RATE, MAX_RATE, MAX_SPEECH_CHARS, MIN_RATE

# Session attribute names. State lives only in the Alexa session; nothing about the user is stored.
TOPIC, OFFER, SAID, REPROMPT, RATE, CHOICES = "topic", "offer", "said", "reprompt", "rate", "choices"
#: What OFFER holds after the safety numbers: "yes" then says them again.
URGENT_OFFER = "urgent-numbers"
#: A reprompt is one or two sentences.
MAX_REPROMPT_CHARS = 1000


@dataclass(frozen=True)
class SessionState:
    topic: str | None = None
    offer: str | None = None
    said: str = ""
    reprompt: str = ""
    rate: int = DEFAULT_RATE
    choices: tuple[str, str] | None = None

    @classmethod
    def parse(cls, raw: Any, topic_ids: Collection[str]) -> SessionState:
        """Whatever came back -> a state; anything unknown, mistyped or out of range is dropped."""
        if not isinstance(raw, dict):
            return cls()
        topic = raw.get(TOPIC)
        offer = raw.get(OFFER)
        choices = raw.get(CHOICES)
        return cls(
            topic=topic if isinstance(topic, str) and topic in topic_ids else None,
            offer=offer if isinstance(offer, str) and (offer in topic_ids or offer == URGENT_OFFER) else None,
            said=_text(raw.get(SAID), MAX_SPEECH_CHARS),
            reprompt=_text(raw.get(REPROMPT), MAX_REPROMPT_CHARS),
            rate=_rate(raw.get(RATE)),
            choices=_choices(choices, topic_ids),
        )

    def attributes(self) -> dict[str, Any]:
        """The state as session attributes, without the keys that hold nothing."""
        out: dict[str, Any] = {TOPIC: self.topic, OFFER: self.offer, SAID: self.said or None,
                               REPROMPT: self.reprompt or None, CHOICES: list(self.choices) if self.choices else None}
        if self.rate != DEFAULT_RATE:
            out[RATE] = self.rate
        return {key: value for key, value in out.items() if value is not None}


def _text(value: Any, limit: int) -> str:
    return value if isinstance(value, str) and len(value) <= limit else ""


def _rate(value: Any) -> int:
    """A whole percentage within what the skill offers; anything else is the normal rate."""
    if isinstance(value, bool) or not isinstance(value, int):
        return DEFAULT_RATE
    return max(MIN_RATE, min(MAX_RATE, value))


def _choices(value: Any, topic_ids: Collection[str]) -> tuple[str, str] | None:
    if not (isinstance(value, list) and len(value) == 2):
        return None
    first, second = value
    if not (isinstance(first, str) and isinstance(second, str)) or first == second:
        return None
    return (first, second) if first in topic_ids and second in topic_ids else None
