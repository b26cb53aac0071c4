"""Speech as numpy: decode, trim, resample, measure, level for listeners and telephones, encode."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass

import lameenc
import numpy as np
import pyloudnorm
import soundfile
import soxr

from . import g711
from .errors import AudioError
from .levels import db, gain, limit, p56_envelope, peak_envelope, telephone_band, window_max
from .tags import Mp3Tags, mp3_bitrates, read_tags, tag_mp3, with_gapless_header

__all__ = [
    "Audio", "AudioError", "Mp3Tags", "decode", "decode_alaw", "decode_ulaw", "encode_alaw", "encode_mp3",
    "encode_ulaw", "encode_wav", "for_listeners", "for_phone", "loudness_lufs", "measure", "normalise",
    "normalise_phone", "read_tags", "resample", "speech_level_dbov", "tag_mp3", "trim_silence",
    "true_peak_dbtp",
]

_LOGGER = logging.getLogger(__name__)

LISTENER_RATE, _LISTENER_LUFS, _LISTENER_TRUE_PEAK = 24000, -19.0, -1.0
PHONE_RATE = 8000
_SILENT_DBFS = -80.0  # a clip that never gets louder than this has nothing in it
_MP3_MARGIN_DB = 0.5  # MP3 coding moves peaks, so the limiter aims this far under the limit

#: LAME's CBR/ABR presets scale the input by this (presets.c, abr_switch_map) to leave decoders headroom;
#: encode_mp3 undoes it so that the MP3 plays at the level it was given. 0.95 below 192 kbps.
_LAME_PRESET_SCALE = {192: 0.97, 224: 0.98, 256: 1.0, 320: 1.0}
_GATE_BLOCK_S = 0.4  # BS.1770 gating block
_AIM_TOLERANCE_DB, _PASSES = 0.05, 6
_P56_TIME_CONSTANT_S, _P56_HANGOVER_S, _P56_MARGIN_DB = 0.03, 0.2, 15.9


@dataclass(frozen=True)
class Audio:
    """Mono float32 samples in -1..1 at a sample rate."""

    samples: np.ndarray
    rate: int

    @property
    def duration(self) -> float:
        return len(self.samples) / self.rate


def decode(data: bytes) -> Audio:
    """WAV or MP3 bytes as mono audio at their own rate."""
    try:
        samples, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except soundfile.SoundFileError as exc:
        reason = getattr(exc, "error_string", str(exc))
        raise AudioError(
            f"{len(data)} bytes starting {data[:24]!r} are not WAV or MP3 audio ({reason}). Probable cause: "
            "the speech engine sent an error page or an empty reply instead of audio") from exc
    if not len(samples):
        raise AudioError("the audio holds no samples. Probable cause: the speech engine was given no words")
    return Audio(np.ascontiguousarray(samples.mean(axis=1), dtype=np.float32), int(rate))


def trim_silence(audio: Audio, threshold_db: float = -45.0, pad_ms: int = 60) -> Audio:
    """Leading and trailing silence cut where 10 ms RMS stays `threshold_db` under the peak, keeping a pad."""
    peak = _require_sound(audio)
    width = 2 * max(1, audio.rate // 200) + 1
    squares = np.pad(np.square(audio.samples, dtype=np.float64), width // 2)
    sums = np.concatenate(([0.0], np.cumsum(squares)))
    loud = np.flatnonzero(sums[width:] - sums[:-width] >= width * (peak * gain(threshold_db)) ** 2)
    pad = round(audio.rate * pad_ms / 1000)
    start, end = max(0, loud[0] - pad), min(len(audio.samples), loud[-1] + 1 + pad)
    return Audio(audio.samples[start:end].copy(), audio.rate)


def resample(audio: Audio, rate: int) -> Audio:
    """The audio at another sample rate (soxr, high quality)."""
    if rate == audio.rate:
        return audio
    return Audio(soxr.resample(audio.samples, audio.rate, rate, quality="HQ").astype(np.float32), rate)


def loudness_lufs(audio: Audio) -> float:
    """Integrated loudness, ITU-R BS.1770-4 (pyloudnorm); -inf when there is nothing to hear."""
    samples = audio.samples.astype(np.float64)
    if not len(samples):
        return float("-inf")
    block = int(np.ceil(_GATE_BLOCK_S * audio.rate)) + 1
    if len(samples) < block:  # shorter than one gating block: loop it, as silence would dilute its level
        samples = np.tile(samples, -(-block // len(samples)))
    return float(pyloudnorm.Meter(audio.rate).integrated_loudness(samples))


def true_peak_dbtp(audio: Audio) -> float:
    """True peak in dBTP: the largest sample of the signal oversampled four times."""
    return db(float(np.max(peak_envelope(audio.samples, audio.rate), initial=0.0)))


def normalise(audio: Audio, target_lufs: float = -19.0, true_peak_limit: float = -1.0) -> Audio:
    """Gain to the loudness target; a look-ahead limiter keeps the true peak 0.5 dB under the limit."""
    ceiling = true_peak_limit - _MP3_MARGIN_DB
    return Audio(_level_then_limit(audio, loudness_lufs, target_lufs, ceiling), audio.rate)


def speech_level_dbov(audio: Audio) -> float:
    """Active speech level (ITU-T P.56 method B): energy while speech is active, in dB re full scale."""
    samples = audio.samples.astype(np.float64)
    if not np.any(samples):
        return float("-inf")
    envelope = p56_envelope(np.abs(samples), audio.rate)
    held = np.sort(window_max(envelope, round(_P56_HANGOVER_S * audio.rate), 0))
    thresholds_db = np.arange(-100.0, 0.01, 0.25)
    active = len(held) - np.searchsorted(held, 10 ** (thresholds_db / 20))
    energy, heard = float(np.sum(samples**2)), active > 0
    level_db = 10 * np.log10(energy / active[heard])
    excess = level_db - thresholds_db[heard]  # falls as the threshold rises; the level is where it meets 15.9
    crossing = int(np.argmax(excess <= _P56_MARGIN_DB))
    if crossing == 0:
        return db(float(np.sqrt(energy / len(samples))))
    before, after = excess[crossing - 1], excess[crossing]
    share = (before - _P56_MARGIN_DB) / (before - after)
    return float(level_db[crossing - 1] + share * (level_db[crossing] - level_db[crossing - 1]))


def normalise_phone(audio: Audio, target_dbov: float = -26.0, peak_limit_db: float = -3.0) -> Audio:
    """Telephone band (200-3400 Hz) at 8 kHz, active speech level at the target, (true) peaks limited."""
    narrow = telephone_band(resample(audio, PHONE_RATE).samples, PHONE_RATE)
    return Audio(_level_then_limit(Audio(narrow, PHONE_RATE), speech_level_dbov, target_dbov, peak_limit_db),
                 PHONE_RATE)


def for_listeners(audio: Audio, mp3_kbps: int = 48, trim: bool = True) -> Audio:
    """What phones, browsers and Alexa play: trimmed, 24 kHz, -19 LUFS, true peak at most -1 dBTP.

    The peak limit is checked in the MP3 itself (LAME is deterministic, so the build's MP3 is this one):
    at 48 kbps coding noise can lift a peak by more than the limiter's margin, and then it limits harder.
    `trim=False` keeps every sample where it is (audio trimmed already, with sentence times to keep true).
    """
    ready, limit = resample(trim_silence(audio) if trim else audio, LISTENER_RATE), _LISTENER_TRUE_PEAK
    for _ in range(_PASSES):
        listener = normalise(ready, _LISTENER_LUFS, limit)
        excess = true_peak_dbtp(decode(encode_mp3(listener, mp3_kbps))) - _LISTENER_TRUE_PEAK
        if excess <= 0:
            return listener
        limit -= excess + 0.1
    raise AudioError(f"the MP3 stays {excess:.2f} dB over {_LISTENER_TRUE_PEAK} dBTP however hard it is limited")


def for_phone(audio: Audio) -> Audio:
    """What telephone systems play: trimmed, telephone band at 8 kHz, -26 dBov active speech level."""
    return normalise_phone(trim_silence(audio))


def measure(audio: Audio) -> dict[str, float]:
    """Duration (s), integrated loudness (LUFS) and true peak (dBTP)."""
    return {"duration": audio.duration, "loudness": loudness_lufs(audio), "true_peak": true_peak_dbtp(audio)}


def encode_mp3(audio: Audio, bitrate_kbps: int = 48) -> bytes:
    """Mono constant-bitrate MP3 (LAME) at the audio's own rate and level, with a gapless header."""
    allowed = mp3_bitrates(audio.rate)
    if not allowed:
        raise AudioError(f"MP3 cannot carry {audio.rate} Hz audio; resample it first (e.g. to {LISTENER_RATE} Hz)")
    if bitrate_kbps not in allowed:
        raise AudioError(f"MP3 at {audio.rate} Hz allows {allowed} kbps, not {bitrate_kbps}")
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(bitrate_kbps)
    encoder.set_in_sample_rate(audio.rate)
    encoder.set_out_sample_rate(audio.rate)
    encoder.set_channels(1)
    encoder.set_quality(2)
    samples = audio.samples / _LAME_PRESET_SCALE.get(bitrate_kbps, 0.95)
    stream = bytes(encoder.encode(g711.pcm16(samples).tobytes()) + encoder.flush())
    return with_gapless_header(stream, len(audio.samples))


def encode_wav(audio: Audio) -> bytes:
    """16-bit PCM mono WAV at the audio's own rate."""
    buffer = io.BytesIO()
    soundfile.write(buffer, g711.pcm16(audio.samples), audio.rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def encode_alaw(audio: Audio) -> bytes:
    """Headerless G.711 A-law, one byte a sample; needs 8 kHz audio, the only rate G.711 has."""
    return g711.alaw_encode(g711.pcm16(_require_phone_rate(audio).samples))


def encode_ulaw(audio: Audio) -> bytes:
    """Headerless G.711 mu-law, one byte a sample; needs 8 kHz audio, the only rate G.711 has."""
    return g711.ulaw_encode(g711.pcm16(_require_phone_rate(audio).samples))


def decode_alaw(data: bytes) -> np.ndarray:
    """A-law bytes as float32 samples in -1..1."""
    return (g711.alaw_decode(data) / 32768.0).astype(np.float32)


def decode_ulaw(data: bytes) -> np.ndarray:
    """Mu-law bytes as float32 samples in -1..1."""
    return (g711.ulaw_decode(data) / 32768.0).astype(np.float32)


def _require_phone_rate(audio: Audio) -> Audio:
    if audio.rate != PHONE_RATE:
        raise AudioError(f"G.711 is {PHONE_RATE} Hz only; this audio is {audio.rate} Hz (use for_phone first)")
    return audio


def _require_sound(audio: Audio) -> float:
    peak = float(np.max(np.abs(audio.samples), initial=0.0))
    if peak < gain(_SILENT_DBFS):
        raise AudioError(f"the audio is silent (peak {db(peak):.0f} dBFS over {audio.duration:.2f} s). "
                         "Probable cause: the speech engine produced no speech for this text")
    return peak


def _level_then_limit(audio: Audio, level: Callable[[Audio], float], target: float, ceiling_db: float
                      ) -> np.ndarray:
    """Samples gained so `level` reads `target` with peaks limited to `ceiling_db`, re-aimed after limiting."""
    start = audio.samples / _require_sound(audio)  # at full scale, even a whisper is over the gates
    gain_db = target - level(Audio(start, audio.rate))
    for _ in range(_PASSES):
        out = limit(start * gain(gain_db), audio.rate, ceiling_db)
        miss = target - level(Audio(out, audio.rate))
        if not np.isfinite(miss):
            raise AudioError("the audio is too sparse to measure its level; it needs some continuous sound")
        if abs(miss) <= _AIM_TOLERANCE_DB:
            break
        gain_db += miss
    else:
        _LOGGER.warning("level %.2f dB short of %.1f: the peaks need more limiting than the target allows",
                        miss, target)
    return out.astype(np.float32)
