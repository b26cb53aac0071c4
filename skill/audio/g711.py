"""ITU-T G.711 A-law and mu-law in numpy (the standard library's audioop is deprecated and gone in 3.13).

The segment arithmetic follows the reference coder of G.711 Appendix I / Sun's g711.c: A-law codes the
top 13 bits of a 16-bit sample, mu-law the top 14, and both invert bits on the line.
"""

from __future__ import annotations

import numpy as np

_ALAW_SEGMENT_ENDS = np.array([0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF])
_ULAW_SEGMENT_ENDS = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF])
_ULAW_BIAS = 0x84
_ULAW_CLIP = 8159


def pcm16(samples: np.ndarray) -> np.ndarray:
    """Float samples (-1..1) as 16-bit integers, rounded and clipped rather than wrapped."""
    return np.clip(np.round(samples * 32768.0), -32768, 32767).astype(np.int16)


def alaw_encode(pcm: np.ndarray) -> bytes:
    """16-bit samples as A-law bytes, one per sample."""
    value = pcm.astype(np.int32) >> 3
    negative = value < 0
    value = np.where(negative, -value - 1, value)  # 0..4095: int16 never reaches a ninth segment
    segment = np.searchsorted(_ALAW_SEGMENT_ENDS, value)
    mantissa = (value >> np.maximum(segment, 1)) & 0x0F
    code = (segment << 4) | mantissa
    return (code ^ np.where(negative, 0x55, 0xD5)).astype(np.uint8).tobytes()


def alaw_decode(data: bytes) -> np.ndarray:
    """A-law bytes as 16-bit samples."""
    code = np.frombuffer(data, dtype=np.uint8).astype(np.int32) ^ 0x55
    segment = (code & 0x70) >> 4
    step = (code & 0x0F) << 4
    magnitude = np.where(segment == 0, step + 8, (step + 0x108) << np.maximum(segment - 1, 0))
    return np.where(code & 0x80, magnitude, -magnitude).astype(np.int16)


def ulaw_encode(pcm: np.ndarray) -> bytes:
    """16-bit samples as mu-law bytes, one per sample."""
    value = pcm.astype(np.int32) >> 2
    negative = value < 0
    value = np.minimum(np.abs(value), _ULAW_CLIP) + (_ULAW_BIAS >> 2)
    segment = np.searchsorted(_ULAW_SEGMENT_ENDS, value)
    code = np.where(segment >= 8, 0x7F, (segment << 4) | ((value >> (segment + 1)) & 0x0F))
    return (code ^ np.where(negative, 0x7F, 0xFF)).astype(np.uint8).tobytes()


def ulaw_decode(data: bytes) -> np.ndarray:
    """Mu-law bytes as 16-bit samples."""
    code = ~np.frombuffer(data, dtype=np.uint8).astype(np.int32) & 0xFF
    magnitude = (((code & 0x0F) << 3) + _ULAW_BIAS) << ((code & 0x70) >> 4)
    return np.where(code & 0x80, _ULAW_BIAS - magnitude, magnitude - _ULAW_BIAS).astype(np.int16)
