"""Is this about the page's subject at all? Asked before "which topic?", so an everyday request ("what time
does Tesco close") is declined even when it shares a word with a sample ("time", "close")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .normalise import cached_stem

#: A question with no word of the subject may still be one of the page's questions said without one
#: ("how long have i got"): it passes when a topic's sample is at least this close.
GATE_SIMILARITY = 0.5


@dataclass(frozen=True)
class SubjectGate:
    """Word stems that mark the page's subject: illness, the body, care, feelings, dying, the page itself."""

    stems: frozenset[str]
    #: Phrases whose words mean nothing alone ("all clear", "come back"), as stem tuples.
    phrases: frozenset[tuple[str, ...]] = frozenset()

    @classmethod
    def from_words(cls, words: Iterable[str]) -> SubjectGate:
        stems, phrases = set(), set()
        for entry in words:
            parts = tuple(cached_stem(word) for word in entry.split())
            if len(parts) == 1:
                stems.add(parts[0])
            elif parts:
                phrases.add(parts)
        return cls(frozenset(stems), frozenset(phrases))

    def on_subject(self, words: list[str]) -> bool:
        stems = [cached_stem(word) for word in words]
        if any(s in self.stems for s in stems):
            return True
        return any(tuple(stems[i:i + len(p)]) == p for p in self.phrases for i in range(len(stems) - len(p) + 1))

    def lets_through(self, words: list[str], topic_similarity: float) -> bool:
        return topic_similarity >= GATE_SIMILARITY or self.on_subject(words)
