"""Put a word the samples never use right, when it is a near-miss of one they do (misheard, misspelt)."""

from __future__ import annotations

from collections.abc import Iterable

#: How alike two words' letter triples must be (Dice coefficient) before one stands in for the other.
MIN_LIKENESS = 0.6
MIN_LENGTH = 4
_CACHE_LIMIT = 20_000


def trigrams(word: str) -> frozenset[str]:
    padded = f"<{word}>"
    return frozenset(padded[i:i + 3] for i in range(len(padded) - 2))


class SpellingCorrector:
    """Nearest known word by shared letter triples; answers are cached, since people reuse words."""

    def __init__(self, known_words: Iterable[str]) -> None:
        self._known = frozenset(known_words)
        self._grams = {word: trigrams(word) for word in self._known if len(word) >= MIN_LENGTH - 1}
        self._index: dict[str, list[str]] = {}
        for word, grams in self._grams.items():
            for gram in grams:
                self._index.setdefault(gram, []).append(word)
        self._cache: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        if word in self._known or len(word) < MIN_LENGTH or not word.isalpha():
            return word
        if word not in self._cache:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[word] = self._nearest(word)
        return self._cache[word]

    def _nearest(self, word: str) -> str:
        grams = trigrams(word)
        shared: dict[str, int] = {}
        for gram in grams:
            for candidate in self._index.get(gram, ()):
                shared[candidate] = shared.get(candidate, 0) + 1
        best, likeness = word, MIN_LIKENESS
        for candidate, count in shared.items():
            score = 2 * count / (len(grams) + len(self._grams[candidate]))
            if score > likeness or (score == likeness and best != word and candidate < best):
                best, likeness = candidate, score
        return best
