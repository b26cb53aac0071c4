"""Turn a transcribed question into plain tokens: the same text pipeline for every channel."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u02bc": "'"})
_NOT_WORD = re.compile(r"[^a-z0-9' ]+")
_SPACES = re.compile(r"\s+")
_DIGIT_WORDS = {"0": "zero", "1": "one", "2": "two", "3": "three", "4": "four", "5": "five",
                "6": "six", "7": "seven", "8": "eight", "9": "nine"}
_SUFFIXES = ("ingly", "ing", "able", "ness", "ed", "ly", "es", "s", "e")


def fold(text: str) -> str:
    """Lower case, ASCII letters, apostrophes kept, everything else a space."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = text.translate(_APOSTROPHES).lower().replace("-", " ")
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", text)).strip()


def drop_apostrophes(text: str) -> str:
    """`can't` and `cant` and `can t` must look the same; corrections then expand them."""
    return text.replace("'", " ")


@dataclass(frozen=True)
class Corrections:
    """Regex fixes for misheard or run-together words, applied in order."""

    rules: tuple[tuple[re.Pattern[str], str], ...]

    @classmethod
    def from_mapping(cls, mapping: dict[str, str]) -> Corrections:
        return cls(tuple((re.compile(pattern), replacement) for pattern, replacement in mapping.items()))

    def __call__(self, text: str) -> str:
        for pattern, replacement in self.rules:
            text = pattern.sub(replacement, text)
        return _SPACES.sub(" ", text).strip()


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


def features(words: Sequence[str]) -> dict[str, float]:
    """Stems, stem pairs and character 4-grams, weighted so whole words count most."""
    stems = [stem(word) for word in words]
    out: dict[str, float] = {}
    for s in stems:
        out["w:" + s] = out.get("w:" + s, 0.0) + 1.0
    for a, b in zip(stems, stems[1:]):
        out[f"b:{a}_{b}"] = out.get(f"b:{a}_{b}", 0.0) + 0.7
    for word in words:
        padded = f"<{word}>"
        for i in range(len(padded) - 3):
            gram = "c:" + padded[i:i + 4]
            out[gram] = out.get(gram, 0.0) + 0.15
    return out
