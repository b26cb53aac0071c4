"""Put a word the samples never use right, when it is a near-miss of one they do: by spelling (misspelt) or
by sound (misheard)."""

from __future__ import annotations

from collections.abc import Iterable

import jellyfish

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


#: A word must be at least this long to be put right by its sound (short words sound like too many others).
MIN_SOUND_LENGTH = 4
#: Words run together ("prog nose is") must sound like one of the subject's words at least this long.
MIN_JOINED_LENGTH = 6
#: ...and be spelt at least this like it (Jaro-Winkler), so "will die" does not become "wildly".
MIN_SPELLING_LIKENESS = 0.75


class SoundRepair:
    """Put right what a recogniser wrote by how it sounds (Metaphone).

    - A rare word the samples never use becomes a word of the subject (`targets`) that sounds the same:
      "bleating" -> "bleeding", "feinted" -> "fainted". Everyday words (`common`) are never changed:
      "calling" is not "killing".
    - Two or three words, one of them never used by the samples, that together sound like one long word of
      the subject (`targets`) become it:
      "help lion" -> "helpline", "term in all" -> "terminal", "dock tore" -> "doctor". Only the subject's
      words are targets, so "do not" never becomes "donate".
    """

    def __init__(self, known: Iterable[str], common: Iterable[str], targets: Iterable[str]) -> None:
        self._known = frozenset(known)
        self._common = frozenset(common)
        targets = set(targets)
        self._singles = _by_sound(w for w in targets if len(w) >= MIN_SOUND_LENGTH)
        self._joins = _by_sound(w for w in targets if len(w) >= MIN_JOINED_LENGTH)

    def __call__(self, words: list[str]) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(words):
            for size in (3, 2):
                run = words[i:i + size]
                # Only a run with a word the samples never use: "spread to" is not "supported".
                heard_new = len(run) == size and any(w not in self._known for w in run)
                joined = self._match("".join(run), self._joins) if heard_new else None
                if joined and joined not in run:
                    out.append(joined)
                    i += size
                    break
            else:
                word = words[i]
                rare = word not in self._known and word not in self._common and len(word) >= MIN_SOUND_LENGTH
                out.append((self._match(word, self._singles) if rare else None) or word)
                i += 1
        return out

    @staticmethod
    def _match(heard: str, by_sound: dict[str, list[str]]) -> str | None:
        """The target that sounds like `heard`: the same Metaphone code, or one a sound apart ("blad her")."""
        if not heard.isalpha():
            return None
        code = jellyfish.metaphone(heard)
        candidates = by_sound.get(code, [])
        if not candidates and len(code) >= 4:
            candidates = [w for variant in _one_sound_less(code) for w in by_sound.get(variant, [])]
        if not candidates:
            return None
        best = max(candidates, key=lambda w: (jellyfish.jaro_winkler_similarity(heard, w), w))
        return best if jellyfish.jaro_winkler_similarity(heard, best) >= MIN_SPELLING_LIKENESS else None


def _by_sound(words: Iterable[str]) -> dict[str, list[str]]:
    """Metaphone code -> words."""
    found: dict[str, list[str]] = {}
    for word in sorted(set(words)):
        if word.isalpha():
            code = jellyfish.metaphone(word)
            found.setdefault(code, []).append(word)
    return found


def _one_sound_less(code: str) -> list[str]:
    """A split word keeps the h it should lose ("blad her": BLTHR finds bladder: BLTR)."""
    return [code[:i] + code[i + 1:] for i in range(1, len(code)) if code[i] == "H"]
