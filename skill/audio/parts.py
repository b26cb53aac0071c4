"""Full sections cut into telephone parts of about 10 seconds, each cut in the quietest moment near its mark.

TwiML cannot seek inside a recording, so the telephone line goes back and forward a part at a time (4 and 6)
and says which part is playing in its webhook's address. Each cut falls where the telephone audio is quietest
within a couple of seconds of its mark: a pause between sentences or phrases, never inside a word. The parts
are the full section's own samples, so joined they are the full recording again, sample for sample; the
manifest gives each part's offset and duration, and the full recording's entry lists its parts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np

from .process import Audio, encode_alaw, encode_ulaw, encode_wav, speech_level_dbov
from .recipe import FORMATS
from .script import part_name

PART_S: float = FORMATS["phone"]["part_s"]
#: How far a cut may move from its mark to find a pause, either way; and the shortest and longest part.
SEARCH_S, SHORTEST_S, LONGEST_S = 2.5, 6.0, 14.0
#: The stretch whose loudness decides a cut: longer than the gaps inside words (a stop consonant's closure),
#: so its quietest place is a real pause, and the cut falls in the pause's middle rather than at its edge.
WINDOW_S = 0.25
#: Between two equally quiet places, the one nearer its mark: dB of loudness a second of distance is worth.
_DB_PER_SECOND = 1.0
_FORMATS = ("wav", "alaw", "ulaw")
_ENCODE = {"wav": encode_wav, "alaw": encode_alaw, "ulaw": encode_ulaw}
_COPIED = ("item", "kind", "title", "topic", "source")


@dataclass(frozen=True)
class Part:
    name: str  # `outlook-full-part2`
    offset: int  # its first sample in the full recording
    audio: Audio


def part_count(seconds: float, every_s: float = PART_S) -> int:
    """About one part every `every_s`; never more than 12 s a part on average, so each can stay under 14."""
    count = max(1, round(seconds / every_s))
    return count + 1 if seconds / count > 1.2 * every_s else count


def cut_points(audio: Audio, every_s: float = PART_S) -> list[int]:
    """Where each part after the first starts (sample offsets); none for a recording too short to cut."""
    total, rate = len(audio.samples), audio.rate
    count = part_count(audio.duration, every_s)
    if count == 1:
        return []
    quiet = _loudness_db(audio.samples, round(WINDOW_S * rate))
    shortest, longest, reach = (round(s * rate) for s in (SHORTEST_S, LONGEST_S, SEARCH_S))
    cuts, start = [], 0
    for i in range(1, count):
        left = count - i  # parts still to come after this cut; the mark shares what remains out evenly
        mark = start + round((total - start) / (left + 1))
        low = max(mark - reach, start + shortest, total - left * longest)
        high = min(mark + reach, start + longest, total - left * shortest)
        if low > high:  # no room to move: cut on the mark
            low = high = mark
        places = np.arange(low, high + 1)
        cost = quiet[places] + _DB_PER_SECOND * np.abs(places - mark) / rate
        start = int(places[int(np.argmin(cost))])
        cuts.append(start)
    return cuts


def split(name: str, audio: Audio, every_s: float = PART_S) -> list[Part]:
    """`name`'s recording as parts (`name-part1`, ...); empty when it is short enough to play whole."""
    cuts = cut_points(audio, every_s)
    if not cuts:
        return []
    edges = [0, *cuts, len(audio.samples)]
    return [Part(part_name(name, n), start, Audio(audio.samples[start:end].copy(), audio.rate))
            for n, (start, end) in enumerate(pairwise(edges), start=1)]


def with_parts(name: str, phone: Audio, files: dict[str, bytes], entries: dict[str, dict[str, Any]],
               full_wav: str) -> None:
    """Add the parts of a full section's telephone recording to its files and manifest entries, and list
    them in the entry of its WAV (`full_wav`): name, offset and duration in seconds."""
    parts = split(name, phone)
    if not parts:
        return
    common = {key: entries[full_wav][key] for key in _COPIED}
    for number, part in enumerate(parts, start=1):
        placed = {"part": number, "of": len(parts),
                  "offset": round(part.offset / phone.rate, 3), "duration": round(part.audio.duration, 3)}
        level = round(speech_level_dbov(part.audio), 1)
        for fmt in _FORMATS:
            data = _ENCODE[fmt](part.audio)
            path = f"phone/{part.name}.{fmt}"
            files[path] = data
            entries[path] = {**common, "format": fmt, "sha256": hashlib.sha256(data).hexdigest(), **placed,
                             "speech_level_dbov": level}
    entries[full_wav]["parts"] = [
        {"name": part.name, "offset": round(part.offset / phone.rate, 3), "duration": round(part.audio.duration, 3)}
        for part in parts
    ]


def _loudness_db(samples: np.ndarray, width: int) -> np.ndarray:
    """Mean square in dB over `width` samples centred on each sample (edges padded with silence)."""
    squares = np.pad(np.square(samples, dtype=np.float64), (width // 2, width - width // 2))
    sums = np.concatenate(([0.0], np.cumsum(squares)))
    mean = (sums[width:] - sums[:-width])[:len(samples)] / width
    return np.asarray(10 * np.log10(np.maximum(mean, 1e-12)))
