"""What an MP3 says about itself: ID3v2 tags (title, track, language) and LAME's gapless "Info" header."""

from __future__ import annotations

import io
import logging
import re
import struct
from dataclasses import dataclass

from mutagen import MutagenError
from mutagen.id3 import COMM, ID3, TALB, TIT2, TLAN, TPE1, TRCK, ID3NoHeaderError

from .errors import AudioError

_LOGGER = logging.getLogger(__name__)

#: Layer III bitrates (kbps) by header index: MPEG-1, then MPEG-2 and 2.5.
_KBPS = {1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
         2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)}
#: Sample rates by the header's version bits (3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5).
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
#: LAME's encoder delay (ENCDELAY); decoders add their own 529 samples on top.
LAME_ENCODER_DELAY = 576


@dataclass(frozen=True)
class Mp3Tags:
    """The ID3 tags a listener's player shows."""

    title: str
    artist: str
    album: str
    track: int
    track_total: int
    language: str  # ISO 639-2, e.g. "eng"
    comment: str


def tag_mp3(data: bytes, tags: Mp3Tags) -> bytes:
    """The MP3 with these ID3v2.3 tags in place of any it had (v2.3: the version every player reads)."""
    if not re.fullmatch(r"[a-z]{3}", tags.language):
        raise AudioError(f"ID3 language must be an ISO 639-2 code such as 'eng', not {tags.language!r}")
    id3 = ID3()
    id3.add(TIT2(encoding=3, text=tags.title))
    id3.add(TPE1(encoding=3, text=tags.artist))
    id3.add(TALB(encoding=3, text=tags.album))
    id3.add(TRCK(encoding=3, text=f"{tags.track}/{tags.track_total}"))
    id3.add(TLAN(encoding=3, text=tags.language))
    id3.add(COMM(encoding=3, lang=tags.language, desc="", text=tags.comment))
    buffer = io.BytesIO(data)
    id3.save(buffer, v2_version=3)
    return buffer.getvalue()


def read_tags(data: bytes) -> Mp3Tags:
    """The ID3 tags of an MP3 held in memory."""
    try:
        id3 = ID3(io.BytesIO(data))
    except ID3NoHeaderError as exc:
        raise AudioError("the MP3 has no ID3 tags. Probable cause: it was not made by tag_mp3") from exc
    except MutagenError as exc:
        raise AudioError(f"the MP3's ID3 tags are unreadable: {exc}") from exc
    track, _, total = _text(id3, "TRCK").partition("/")
    comments = [frame for frame in id3.getall("COMM") if frame.desc == ""]
    return Mp3Tags(
        title=_text(id3, "TIT2"), artist=_text(id3, "TPE1"), album=_text(id3, "TALB"),
        track=int(track) if track.isdigit() else 0, track_total=int(total) if total.isdigit() else 0,
        language=_text(id3, "TLAN"), comment=str(comments[0].text[0]) if comments else "",
    )


def _text(id3: ID3, frame_id: str) -> str:
    frame = id3.get(frame_id)
    return str(frame.text[0]) if frame is not None and frame.text else ""


def mp3_bitrates(rate: int) -> tuple[int, ...]:
    """The Layer III bitrates (kbps) an MP3 at this sample rate may use; empty if MP3 cannot carry the rate."""
    for version, rates in _RATES.items():
        if rate in rates:
            return _KBPS[1 if version == 3 else 2][1:]
    return ()


def with_gapless_header(stream: bytes, samples: int) -> bytes:
    """LAME's CBR frames behind a Xing "Info" frame that tells decoders the encoder delay and padding.

    Without it every decoder plays ~50 ms of LAME's delay first and up to a frame of padding last. LAME
    itself leaves the tag out when a frame is too small for a seek table (48 kbps at 24 kHz is); a
    constant-bitrate stream needs no seek table, so this one has none.
    """
    header = bytearray(stream[:4])
    frames, per_frame = _count_frames(stream), 1152 if _version(header) == 3 else 576
    header[1] |= 0x01  # no CRC
    header[2] &= 0xFD  # no padding slot
    size, mono = _frame_bytes(header), header[3] >> 6 == 3
    xing = 4 + ((17 if mono else 32) if _version(header) == 3 else (9 if mono else 17))
    padding = frames * per_frame - samples - LAME_ENCODER_DELAY
    if xing + 52 > size or not 0 <= padding < 4096:
        _LOGGER.debug("no gapless header: %d-byte frames, padding %d", size, padding)
        return stream
    frame = bytearray(size)
    frame[:4] = header
    frame[xing:xing + 16] = b"Info" + struct.pack(">III", 0x03, frames, size + len(stream))
    lame = xing + 16
    frame[lame:lame + 10] = b"LAME3.100\x01"  # tag revision 0, method 1 = CBR
    delay = LAME_ENCODER_DELAY
    frame[lame + 21:lame + 24] = bytes([delay >> 4, (delay & 0x0F) << 4 | padding >> 8, padding & 0xFF])
    frame[lame + 28:lame + 32] = struct.pack(">I", size + len(stream))
    frame[lame + 34:lame + 36] = struct.pack(">H", _crc16(frame[:lame + 34]))
    return bytes(frame) + stream


def _count_frames(stream: bytes) -> int:
    position, frames = 0, 0
    while position + 4 <= len(stream):
        position, frames = position + _frame_bytes(stream[position:position + 4]), frames + 1
    return frames


def _version(header: bytes | bytearray) -> int:
    return (header[1] >> 3) & 0x03


def _frame_bytes(header: bytes | bytearray) -> int:
    if (header[0] != 0xFF or header[1] & 0xE6 != 0xE2 or _version(header) == 1 or header[2] >> 4 in (0, 15)
            or header[2] & 0x0C == 0x0C):
        raise AudioError(f"LAME produced an unexpected MP3 frame header {bytes(header).hex()}")
    version = _version(header)
    kbps = _KBPS[1 if version == 3 else 2][header[2] >> 4]
    rate = _RATES[version][(header[2] >> 2) & 0x03]
    return (144 if version == 3 else 72) * kbps * 1000 // rate + ((header[2] >> 1) & 0x01)


def _crc16(data: bytes | bytearray) -> int:
    """CRC-16/ARC, as LAME uses for its tag."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc
