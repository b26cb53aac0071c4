"""Turn a transcribed question into plain tokens: the same text pipeline for every channel."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import re2  # type: ignore[import-untyped]

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u02bc": "'"})
_NOT_WORD = re.compile(r"[^a-z0-9' ]+")
_CAPTURING_GROUP = re.compile(r"(?<!\\)\((?!\?)")
_DIGIT_WORDS = {"0": "zero", "1": "one", "2": "two", "3": "three", "4": "four", "5": "five",
                "6": "six", "7": "seven", "8": "eight", "9": "nine"}
_SUFFIXES = ("ingly", "ing", "able", "ness", "ed", "ly", "es", "s", "e")


def fold(text: str) -> str:
    """Lower case, ASCII letters, apostrophes kept, everything else a space."""
    if not text.isascii():  # "naïve", curly quotes, non-breaking spaces
        text = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES)).encode("ascii", "ignore").decode()
    text = text.translate(_APOSTROPHES).lower().replace("-", " ")
    return " ".join(_NOT_WORD.sub(" ", text).split())


def drop_apostrophes(text: str) -> str:
    """`can't` and `cant` and `can t` must look the same; corrections then expand them."""
    return text.replace("'", " ")


@dataclass(frozen=True)
class Corrections:
    """Misheard words and phrases put right by dictionary look-up (longest first), then a few regexes."""

    phrases: dict[tuple[str, ...], tuple[str, ...]]
    #: For each word that starts a phrase, the longest such phrase: most words start none.
    starts: dict[str, int]
    patterns: tuple[tuple[re.Pattern[str], str], ...] = ()

    @classmethod
    def from_lists(cls, meant_heard: dict[str, list[str]], patterns: dict[str, str] | None = None) -> Corrections:
        phrases = {tuple(heard.split()): tuple(meant.split()) for meant, all_heard in meant_heard.items()
                   for heard in all_heard}
        starts: dict[str, int] = {}
        for heard in phrases:
            starts[heard[0]] = max(starts.get(heard[0], 0), len(heard))
        compiled = tuple((re.compile(p), r) for p, r in (patterns or {}).items())
        return cls(phrases, starts, compiled)

    def __call__(self, text: str) -> str:
        words, i = text.split(), 0
        out: list[str] = []
        while i < len(words):
            longest = self.starts.get(words[i], 0)
            for size in range(min(longest, len(words) - i), 0, -1):
                meant = self.phrases.get(tuple(words[i:i + size]))
                if meant is not None:
                    out.extend(meant)
                    i += size
                    break
            else:
                out.append(words[i])
                i += 1
        text = " ".join(out)
        for pattern, replacement in self.patterns:
            text = pattern.sub(replacement, text)
        return text


def any_of(patterns: Iterable[str]) -> re.Pattern[str]:
    """One regex matching where any of `patterns` would, compiled by RE2: it runs a long alternation
    as one automaton, twice as fast as Python's `re` here (measured: 7 us against 14 us a question)."""
    patterns = list(patterns)
    for pattern in patterns:
        re.compile(pattern)  # Python's errors name the pattern; RE2's do not
    # Only "is there a match?" is asked, so no group need capture (capturing makes RE2's wrapper slow).
    plain = [_CAPTURING_GROUP.sub("(?:", p) for p in patterns]
    return re2.compile("|".join(f"(?:{p})" for p in plain))  # type: ignore[no-any-return]


def stem(word: str) -> str:
    """A light suffix stripper: `spreading`, `spreads`, `spread` meet; good enough for short questions."""
    if word.isdigit():
        return " ".join(_DIGIT_WORDS[d] for d in word)
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith(("ss", "us", "is")):
            return word[: -len(suffix)]
    return word


def pipeline(*steps: Callable[[str], str]) -> Callable[[str], str]:
    """Compose text steps left to right."""
    def run(text: str) -> str:
        for step in steps:
            text = step(text)
        return text
    return run


def tokens(text: str, fillers: Iterable[str], synonyms: dict[str, str]) -> list[str]:
    """Words without fillers, with synonyms folded to one spelling."""
    skip = set(fillers)
    return [synonyms.get(word, word) for word in text.split() if word not in skip]


@lru_cache(maxsize=8192)
def cached_stem(word: str) -> str:
    return stem(word)


def features(words: Sequence[str]) -> dict[str, float]:
    """Word stems, and neighbouring stem pairs at half weight (pairs tell "come back" from "back")."""
    stems = [cached_stem(word) for word in words]
    out: dict[str, float] = {}
    for s in stems:
        out["w:" + s] = out.get("w:" + s, 0.0) + 1.0
    for a, b in zip(stems, stems[1:]):
        out[f"b:{a}_{b}"] = out.get(f"b:{a}_{b}", 0.0) + 0.5
    return out
