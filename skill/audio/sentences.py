"""Speech one sentence at a time: where each sentence starts and ends in a recording, for the talking book.

Every recording is made sentence by sentence: each sentence is spoken on its own, its silence trimmed, and the
sentences joined with a fixed pause. So where each one starts and ends is known to the sample, and stays true
through the loudness processing after the join (gain and a limiter, which move no sample). The same splitter
cuts the words on the talking book's pages, so sentence n on a page is sentence n in its recording.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from .engines import Engine
from .errors import AudioError
from .process import LISTENER_RATE, Audio, decode, resample, trim_silence
from .recipe import FORMATS

#: Silence put between two sentences; each also keeps trim_silence's 60 ms either side of its speech. A format
#: setting, so changing it remakes every file.
PAUSE_S: float = FORMATS["sentences"]["pause_s"]
#: Words ending in a full stop that do not end a sentence.
_ABBREVIATIONS = frozenset({"e.g.", "i.e.", "etc.", "al.", "dr.", "mr.", "mrs.", "ms.", "prof.", "st.", "no.",
                            "vol.", "approx.", "fig."})
#: A sentence ends at . ? or ! (and any closing quote or bracket) before a space and a capital, digit or opening.
_END = re.compile(r"(?<=[.?!])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, in order; joined by single spaces they give the text back (spaces normalised)."""
    words = " ".join(text.split())
    sentences, start = [], 0
    for end in _END.finditer(words):
        before = words[start:end.start() + len(end.group().rstrip())].rsplit(" ", 1)[-1]
        if before.lower() in _ABBREVIATIONS or re.fullmatch(r"[A-Z]\.", before):
            continue
        cut = end.start() + len(end.group().rstrip())
        sentences.append(words[start:cut])
        start = end.end()
    tail = words[start:]
    return sentences + [tail] if tail else sentences


@dataclass(frozen=True)
class Spoken:
    """Sentences spoken one after another at the listener rate, and each one's [first, last + 1) sample."""

    audio: Audio
    spans: tuple[tuple[int, int], ...]

    def seconds(self) -> list[list[float]]:
        """[start, end] of each sentence in seconds, rounded down to the millisecond (never past the end)."""
        return [[_floor_ms(start, self.audio.rate), _floor_ms(end, self.audio.rate)] for start, end in self.spans]


def speak_sentences(sentences: list[str], engine: Engine) -> Spoken:
    """Each sentence spoken on its own and trimmed, then all joined with `PAUSE_S` of silence between them."""
    if not sentences:
        raise AudioError("there are no sentences to speak. Probable cause: an audio item has no words")
    pause = np.zeros(round(PAUSE_S * LISTENER_RATE), dtype=np.float32)
    pieces: list[np.ndarray] = []
    spans: list[tuple[int, int]] = []
    at = 0
    for sentence in sentences:
        if pieces:
            pieces.append(pause)
            at += len(pause)
        samples = resample(trim_silence(decode(engine.synthesise(sentence))), LISTENER_RATE).samples
        pieces.append(samples)
        spans.append((at, at + len(samples)))
        at += len(samples)
    return Spoken(Audio(np.concatenate(pieces), LISTENER_RATE), tuple(spans))


def _floor_ms(sample: int, rate: int) -> float:
    return math.floor(sample * 1000 / rate) / 1000
