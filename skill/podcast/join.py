"""MP3s played one after another as one file: their frames end to end, behind one new gapless header.

Nothing is decoded or encoded again, so nothing is lost and it takes no time. It is sound because every part is
a constant-bitrate LAME stream with the same settings (`encode_mp3`), and each stream's first frame starts its
own bit reservoir, so a frame never reaches back into another part. Each part keeps its encoder delay (576
samples, 24 ms at 24 kHz) and its end padding; the new header cuts only the first part's delay and the last
part's padding, as a gapless player expects, so what stays in between is a few milliseconds of silence.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

from mutagen import MutagenError
from mutagen.mp3 import MPEGInfo

from ..audio.errors import AudioError
from ..audio.tags import LAME_ENCODER_DELAY, _count_frames, _frame_bytes, with_gapless_header

_GAPLESS_TAGS = (b"Info", b"Xing")


@dataclass(frozen=True)
class Part:
    """One MP3's audio frames (no ID3 tag, no gapless header) and what its header said about them."""

    frames: bytes
    count: int
    padding: int  # samples of silence LAME added after the end
    rate: int
    per_frame: int  # samples a frame holds: 576 for MPEG-2 (24 kHz), 1152 for MPEG-1
    shape: tuple[int, int, int]  # sample rate, bitrate, channels: parts must agree to be joined

    @property
    def samples(self) -> int:
        """What a gapless player plays of it."""
        return self.count * self.per_frame - LAME_ENCODER_DELAY - self.padding


@dataclass(frozen=True)
class Joined:
    data: bytes  # untagged
    spans: tuple[tuple[float, float], ...]  # each part's [start, end) in seconds, as a gapless player plays it

    @property
    def duration(self) -> float:
        return self.spans[-1][1]


def read_part(mp3: bytes) -> Part:
    try:
        info = MPEGInfo(io.BytesIO(mp3))
    except MutagenError as exc:
        raise AudioError(f"cannot join an MP3 that is not one: {exc}") from exc
    start = _id3_size(mp3)
    first = _frame_bytes(mp3[start:start + 4])
    tag = next((mp3.find(name, start, start + first) for name in _GAPLESS_TAGS
                if mp3.find(name, start, start + first) >= 0), -1)
    if tag < 0:
        raise AudioError("cannot join an MP3 without LAME's gapless header. Probable cause: it was not made by "
                         "encode_mp3")
    per_frame = 1152 if info.version == 1 else 576
    frames = mp3[start + first:]
    return Part(frames, _count_frames(frames), _padding(mp3, tag), info.sample_rate, per_frame,
                (info.sample_rate, info.bitrate, info.channels))


def join(parts: list[bytes]) -> Joined:
    """The parts in order as one MP3 (untagged), and where each one is heard in it."""
    read = [read_part(mp3) for mp3 in parts]
    if not read or len({part.shape for part in read}) != 1:
        raise AudioError(f"only MP3s with the same rate, bitrate and channels can be joined: {[p.shape for p in read]}")
    rate, spans, frames = read[0].rate, [], 0
    for part in read:
        start = frames * part.per_frame  # its own encoder delay comes first, as the first part's is cut
        spans.append((start / rate, (start + part.samples) / rate))
        frames += part.count
    stream = b"".join(part.frames for part in read)
    data = with_gapless_header(stream, frames * read[0].per_frame - LAME_ENCODER_DELAY - read[-1].padding)
    return Joined(data, tuple(spans))


def _id3_size(mp3: bytes) -> int:
    """Bytes of the ID3v2 tag at the start (0 when there is none)."""
    if mp3[:3] != b"ID3" or len(mp3) < 10:
        return 0
    size = 0
    for byte in mp3[6:10]:  # syncsafe: seven bits a byte
        size = size << 7 | byte & 0x7F
    footer = 10 if mp3[5] & 0x10 else 0
    return 10 + size + footer


def _padding(mp3: bytes, tag: int) -> int:
    """The end padding in LAME's tag, which follows the Xing/Info fields the flags say are there."""
    (flags,) = struct.unpack(">I", mp3[tag + 4:tag + 8])
    lame = tag + 8 + 4 * bool(flags & 1) + 4 * bool(flags & 2) + 100 * bool(flags & 4) + 4 * bool(flags & 8)
    if mp3[lame:lame + 4] != b"LAME":
        raise AudioError("the MP3's gapless header has no LAME tag, so its padding is unknown")
    return (mp3[lame + 22] & 0x0F) << 8 | mp3[lame + 23]
