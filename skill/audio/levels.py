"""Level helpers for process.py: the look-ahead peak limiter, the P.56 speech envelope, the telephone band."""

from __future__ import annotations

import numpy as np
import soxr

OVERSAMPLE = 4
#: How many times the limiter looks again for peaks still over the ceiling.
_PASSES = 6
_ATTACK_DB_PER_S, _HOLD_S, _RELEASE_S, _SMOOTH_S = 1500.0, 0.01, 0.05, 0.002
_P56_TIME_CONSTANT_S, _P56_HANGOVER_S, _P56_MARGIN_DB = 0.03, 0.2, 15.9
_BAND_HZ, _BAND_TAPS = (200.0, 3400.0), 255


def limit(samples: np.ndarray, rate: int, ceiling_db: float) -> np.ndarray:
    """Look-ahead limiter: a smooth gain envelope from the 4x-oversampled peaks, no clipping."""
    out = samples.astype(np.float64)
    for _ in range(_PASSES):
        over_db = db_array(peak_envelope(out, rate)) - ceiling_db
        if over_db.max(initial=0.0) <= 0:
            break
        # aim a hair under the ceiling, so the next look finds nothing over it
        out = out * 10 ** (-gain_reduction(np.maximum(over_db + 0.01, 0.0), rate) / 20)
    return out


def gain_reduction(over_db: np.ndarray, rate: int) -> np.ndarray:
    """dB to take off each sample: ramps in before every over, holds, decays after, never under the over."""
    index = np.arange(len(over_db), dtype=np.float64)
    attack = _ATTACK_DB_PER_S / rate
    # linear look-ahead ramp: reduction(n) = max over later k of over(k) - attack * (k - n)
    ramped = np.maximum.accumulate((over_db - index * attack)[::-1])[::-1] + index * attack
    # exponential release: reduction(n) = max over earlier k of ramped(k) * exp(-(n - k) / T), in logs
    decay = index / (_RELEASE_S * rate)
    released = np.exp(np.maximum.accumulate(np.log(np.maximum(ramped, 1e-6)) + decay) - decay)
    half, hold = max(1, round(_SMOOTH_S * rate / 2)), round(_HOLD_S * rate)
    # a moving mean over a moving max that reaches at least as far: rounds corners, never dips under
    held = np.pad(window_max(released, hold, half), half, mode="edge")
    sums = np.concatenate(([0.0], np.cumsum(held)))
    return (sums[2 * half + 1:] - sums[:-2 * half - 1]) / (2 * half + 1)


def peak_envelope(samples: np.ndarray, rate: int) -> np.ndarray:
    """For each sample, the largest magnitude of the 4x-oversampled signal from it to the next sample."""
    peaks = np.abs(samples.astype(np.float64))
    if len(samples):
        up = np.abs(soxr.resample(samples.astype(np.float64), rate, rate * OVERSAMPLE, quality="HQ"))
        for phase in range(OVERSAMPLE):
            column = up[phase::OVERSAMPLE][:len(peaks)]
            np.maximum(peaks[:len(column)], column, out=peaks[:len(column)])
    return peaks


def window_max(values: np.ndarray, before: int, after: int) -> np.ndarray:
    """max(values[n - before : n + after + 1]) for every n, in linear time (van Herk / Gil-Werman)."""
    width = before + after + 1
    padded = np.pad(values, (before, after + (-(len(values) + width - 1) % width)), mode="edge")
    blocks = padded.reshape(-1, width)
    forward = np.maximum.accumulate(blocks, axis=1).ravel()
    backward = np.maximum.accumulate(blocks[:, ::-1], axis=1)[:, ::-1].ravel()
    start = np.arange(len(values))
    return np.maximum(backward[start], forward[start + width - 1])


def p56_envelope(magnitude: np.ndarray, rate: int) -> np.ndarray:
    """P.56's two cascaded 30 ms one-pole smoothers, applied as one FFT convolution."""
    pole = np.exp(-1.0 / (rate * _P56_TIME_CONSTANT_S))
    n = np.arange(round(rate * _P56_TIME_CONSTANT_S * 20))
    kernel = (1 - pole) ** 2 * (n + 1) * pole**n
    size = 1 << int(len(magnitude) + len(kernel) - 2).bit_length()
    return np.fft.irfft(np.fft.rfft(magnitude, size) * np.fft.rfft(kernel, size), size)[:len(magnitude)]


def telephone_band(samples: np.ndarray, rate: int) -> np.ndarray:
    """Linear-phase FIR band-pass over the telephone band (windowed sinc, Hamming)."""
    taps = np.arange(_BAND_TAPS) - _BAND_TAPS // 2
    low, high = (2 * edge / rate * np.sinc(2 * edge / rate * taps) for edge in _BAND_HZ)
    filtered = np.convolve(samples.astype(np.float64), (high - low) * np.hamming(_BAND_TAPS))
    return filtered[_BAND_TAPS // 2:_BAND_TAPS // 2 + len(samples)].astype(np.float32)


def gain(db: float) -> float:
    return float(10 ** (db / 20))


def db(amplitude: float) -> float:
    return 20 * float(np.log10(amplitude)) if amplitude > 0 else float("-inf")


def db_array(amplitudes: np.ndarray) -> np.ndarray:
    return np.asarray(20 * np.log10(np.maximum(amplitudes, 1e-12)))
