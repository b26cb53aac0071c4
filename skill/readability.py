"""How easy a spoken answer is: words, sentence lengths, Flesch reading ease, reading age, seconds."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Unhurried speech for people taking in hard news: about 150 words a minute.
WORDS_PER_SECOND = 2.5
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’]*")
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")


def syllables(word: str) -> int:
    """A vowel-group estimate; good enough to compare short passages."""
    word = word.lower().strip("'’")
    if word.isdigit():
        return 1  # numbers are read digit by digit, in short words
    count = len(_VOWEL_GROUPS.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(1, count)


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text.strip()) if _WORD.search(s)]


@dataclass(frozen=True)
class Readability:
    words: int
    sentences: int
    longest_sentence: int
    reading_ease: float
    grade: float

    @property
    def seconds(self) -> float:
        return self.words / WORDS_PER_SECOND

    @property
    def reading_age(self) -> float:
        """US grade + 5: the UK reading age a grade stands for."""
        return self.grade + 5


def measure(text: str) -> Readability:
    parts = sentences(text) or [text]
    words = _WORD.findall(text)
    n_words = max(1, len(words))
    n_syllables = sum(syllables(w) for w in words)
    per_sentence = n_words / len(parts)
    per_word = n_syllables / n_words
    return Readability(
        words=len(words),
        sentences=len(parts),
        longest_sentence=max(len(_WORD.findall(s)) for s in parts),
        reading_ease=206.835 - 1.015 * per_sentence - 84.6 * per_word,
        grade=0.39 * per_sentence + 11.8 * per_word - 15.59,
    )
