"""Audio processing, checked by reading every result back: levels, peaks, durations, formats, tags."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable

import numpy as np
import pytest
import soundfile
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from skill.audio.process import (
    Audio, AudioError, Mp3Tags, decode, decode_alaw, decode_ulaw, encode_alaw, encode_mp3, encode_ulaw,
    encode_wav, for_listeners, for_phone, loudness_lufs, measure, normalise, read_tags, resample,
    speech_level_dbov, tag_mp3, trim_silence, true_peak_dbtp,
)
from skill.errors import SkillError

ENGINE_RATE = 22050  # espeak-ng's rate; gTTS gives 24 kHz
LEAD, TAIL = 0.3, 0.4  # seconds of silence around the synthetic speech
PAD = 0.06  # what trim_silence keeps either side


def speech_like(seconds: float = 2.4, rate: int = ENGINE_RATE, level: float = 0.3, seed: int = 1) -> np.ndarray:
    """Syllables at 3.5 Hz in words of 0.62 s: a gliding 130 Hz buzz with hiss, the way voices look."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    t = np.arange(n) / rate
    syllables = np.clip(np.sin(2 * np.pi * 3.5 * t), 0, None) ** 1.5 * ((t % 0.8) < 0.62)
    phase = 2 * np.pi * np.cumsum(130 + 20 * np.sin(2 * np.pi * 0.7 * t)) / rate
    voiced = sum(np.sin(k * phase) / k for k in range(1, 20))
    spectrum = np.fft.rfft(rng.standard_normal(n))
    frequency = np.fft.rfftfreq(n, 1 / rate)
    hiss = np.fft.irfft(spectrum * ((frequency > 1500) & (frequency < 6000)), n)
    mix = 0.8 * voiced / np.abs(voiced).max() + 0.4 * hiss / np.abs(hiss).max()
    return (level * syllables * mix).astype(np.float32)


def padded(samples: np.ndarray, rate: int = ENGINE_RATE) -> Audio:
    silence = [np.zeros(int(seconds * rate), dtype=np.float32) for seconds in (LEAD, TAIL)]
    return Audio(np.concatenate([silence[0], samples, silence[1]]), rate)


def with_clicks(samples: np.ndarray) -> np.ndarray:
    clicked = samples * 0.2
    for second in (0.3, 0.75, 1.2, 1.65, 2.1):
        start = int(second * ENGINE_RATE)
        clicked[start:start + 3] = [0.99, -0.99, 0.99]
    return clicked


Encode = Callable[[Audio], bytes]
Decode = Callable[[bytes], np.ndarray]
SPEECH = speech_like()
CLIPS = {
    "ordinary": SPEECH,
    "hot and clipped": np.clip(SPEECH * 6, -1.0, 1.0),
    "quiet": SPEECH * 0.003,
    "quiet with full-scale clicks": with_clicks(SPEECH),
}
SPEECH_SECONDS = 2.0 + 1 / 7  # SPEECH from its first syllable to the end of its last (word 3, syllable 2)


def tone(frequency: float, seconds: float, amplitude: float, rate: int = 24000) -> Audio:
    t = np.arange(int(seconds * rate)) / rate
    ramp = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01)  # 10 ms fades: no edge overshoot
    return Audio((amplitude * ramp * np.sin(2 * np.pi * frequency * t + np.pi / 4)).astype(np.float32), rate)


def snr_db(reference: np.ndarray, decoded: np.ndarray) -> float:
    return float(10 * np.log10(np.sum(reference.astype(np.float64) ** 2) / np.sum((reference - decoded) ** 2)))


@pytest.fixture(scope="module")
def espeak_wav() -> bytes:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng); the real-voice check needs it")
    done = subprocess.run(["espeak-ng", "-v", "en-gb", "--stdout", "Breast cancer can spread anywhere."],
                          capture_output=True, check=True, timeout=30)
    return done.stdout


# decoding

def test_wav_bytes_decode_to_mono_float_at_their_own_rate() -> None:
    stereo = np.stack([SPEECH, np.zeros_like(SPEECH)], axis=1)
    buffer = io.BytesIO()
    soundfile.write(buffer, stereo, ENGINE_RATE, format="WAV", subtype="PCM_16")
    audio = decode(buffer.getvalue())
    assert (audio.rate, audio.samples.ndim, audio.samples.dtype) == (ENGINE_RATE, 1, np.float32)
    assert audio.duration == pytest.approx(len(SPEECH) / ENGINE_RATE)
    assert np.allclose(audio.samples, SPEECH / 2, atol=1e-4)  # the two channels averaged


@pytest.mark.parametrize("data, shown", [
    (b"<!DOCTYPE html><html><body>503 Service Unavailable</body></html>", "<!DOCTYPE html>"),
    (b"", "0 bytes"),
    (b"RIFF\x00\x00\x00\x00WAVEjunk", "RIFF"),
])
def test_bytes_that_are_not_audio_are_refused_with_the_probable_cause(data: bytes, shown: str) -> None:
    with pytest.raises(AudioError, match="not WAV or MP3 audio") as refused:
        decode(data)
    assert shown in str(refused.value) and "Probable cause: the speech engine" in str(refused.value)
    assert isinstance(refused.value, SkillError)


# trimming and resampling

def test_leading_and_trailing_silence_is_trimmed_to_a_short_pad() -> None:
    trimmed = trim_silence(padded(SPEECH))
    assert trimmed.duration == pytest.approx(SPEECH_SECONDS + 2 * PAD, abs=0.02)
    edge = int(PAD * ENGINE_RATE)
    lead = np.flatnonzero(np.abs(trimmed.samples) > 1e-3)
    assert edge - 0.02 * ENGINE_RATE < lead[0] <= edge + 0.005 * ENGINE_RATE
    assert len(trimmed.samples) - 1 - lead[-1] == pytest.approx(edge, abs=0.02 * ENGINE_RATE)


def test_a_silent_clip_has_nothing_to_trim_to_and_is_refused() -> None:
    with pytest.raises(AudioError, match="silent"):
        trim_silence(Audio(np.zeros(ENGINE_RATE, dtype=np.float32), ENGINE_RATE))


def test_resampling_keeps_duration_and_pitch() -> None:
    audio = resample(tone(1000.0, 1.0, 0.5, rate=ENGINE_RATE), 8000)
    spectrum = np.abs(np.fft.rfft(audio.samples))
    assert audio.rate == 8000 and audio.duration == pytest.approx(1.0, abs=1e-3)
    assert np.fft.rfftfreq(len(audio.samples), 1 / 8000)[spectrum.argmax()] == pytest.approx(1000, abs=2)


# measuring

def test_loudness_of_a_reference_sine_follows_bs1770() -> None:
    assert loudness_lufs(tone(997.0, 3.0, 10 ** (-20 / 20))) == pytest.approx(-23.0, abs=0.1)


def test_a_clip_shorter_than_a_gating_block_is_measured_like_a_long_one() -> None:
    short, long = tone(440.0, 0.2, 0.3), tone(440.0, 3.0, 0.3)
    assert loudness_lufs(short) == pytest.approx(loudness_lufs(long), abs=0.3)


def test_true_peak_sees_the_peak_between_samples() -> None:
    audio = tone(6000.0, 1.0, 1.0)  # a quarter of the rate, 45 degrees off: samples miss every crest
    assert 20 * np.log10(np.abs(audio.samples).max()) == pytest.approx(-3.0, abs=0.1)
    assert true_peak_dbtp(audio) == pytest.approx(0.0, abs=0.1)


def test_measure_reports_duration_loudness_and_true_peak() -> None:
    measured = measure(tone(997.0, 2.0, 0.1))
    assert set(measured) == {"duration", "loudness", "true_peak"}
    assert measured["duration"] == pytest.approx(2.0) and measured["loudness"] == pytest.approx(-23.0, abs=0.1)
    assert measured["true_peak"] == pytest.approx(-20.0, abs=0.1)


# listeners: MP3 at 24 kHz, -19 LUFS, true peak at most -1 dBTP

@pytest.mark.parametrize("name", CLIPS)
def test_listener_mp3_is_at_minus_19_lufs_under_minus_1_dbtp_when_read_back(name: str) -> None:
    listener = for_listeners(padded(CLIPS[name]))
    heard = decode(encode_mp3(listener))
    assert heard.rate == 24000
    assert loudness_lufs(heard) == pytest.approx(-19.0, abs=0.5)
    assert true_peak_dbtp(heard) <= -1.0
    assert heard.duration == pytest.approx(SPEECH_SECONDS + 2 * PAD, abs=0.05)


def test_listener_mp3_is_24khz_mono_48kbps_and_as_long_as_its_audio() -> None:
    listener = for_listeners(padded(SPEECH))
    data = encode_mp3(listener)
    info = MP3(io.BytesIO(data)).info
    assert (info.sample_rate, info.channels, round(info.bitrate / 1000)) == (24000, 1, 48)
    assert info.length == pytest.approx(listener.duration, abs=1e-3)  # the gapless header is honoured
    assert len(decode(data).samples) == len(listener.samples)


def test_the_limiter_turns_loud_passages_down_instead_of_clipping_them() -> None:
    quiet, loud = tone(440.0, 2.0, 0.02), tone(440.0, 0.5, 1.0)
    limited = normalise(Audio(np.concatenate([quiet.samples, loud.samples]), 24000))
    assert true_peak_dbtp(limited) <= -1.5 + 0.05
    burst = limited.samples[int(2.2 * 24000):int(2.4 * 24000)]  # steady part of the limited burst
    spectrum = np.abs(np.fft.rfft(burst * np.hanning(len(burst))))
    frequency = np.fft.rfftfreq(len(burst), 1 / 24000)
    fundamental = spectrum[np.abs(frequency - 440) < 20].max()
    harmonics = max(spectrum[np.abs(frequency - k * 440) < 20].max() for k in (2, 3, 5))
    assert 20 * np.log10(harmonics / fundamental) < -40  # clipping would leave odd harmonics near -20 dB


@pytest.mark.parametrize("rate, kbps, problem", [(96000, 48, "cannot carry 96000 Hz"),
                                                 (24000, 320, "allows")])
def test_mp3_refuses_rates_and_bitrates_it_cannot_carry(rate: int, kbps: int, problem: str) -> None:
    with pytest.raises(AudioError, match=problem):
        encode_mp3(Audio(np.zeros(rate, dtype=np.float32), rate), kbps)


# telephones: 8 kHz, telephone band, -26 dBov active speech level

@pytest.mark.parametrize("name", CLIPS)
def test_phone_audio_has_its_speech_at_minus_26_dbov_and_peaks_under_minus_3(name: str) -> None:
    phone = for_phone(padded(CLIPS[name]))
    assert phone.rate == 8000
    assert speech_level_dbov(phone) == pytest.approx(-26.0, abs=1.0)
    assert 20 * np.log10(np.abs(phone.samples).max()) <= -3.0
    assert phone.duration == pytest.approx(SPEECH_SECONDS + 2 * PAD, abs=0.05)


def test_phone_wav_is_8khz_mono_16bit_and_keeps_its_level() -> None:
    phone = for_phone(padded(SPEECH))
    data = encode_wav(phone)
    info = soundfile.info(io.BytesIO(data))
    assert (info.samplerate, info.channels, info.subtype, info.frames) == (8000, 1, "PCM_16", len(phone.samples))
    assert speech_level_dbov(decode(data)) == pytest.approx(-26.0, abs=1.0)


def test_phone_audio_keeps_only_the_telephone_band() -> None:
    t = np.arange(3 * ENGINE_RATE) / ENGINE_RATE
    hum_and_voice = (0.3 * np.sin(2 * np.pi * 60 * t) + 0.1 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    phone = for_phone(Audio(hum_and_voice, ENGINE_RATE))
    spectrum = np.abs(np.fft.rfft(phone.samples))
    frequency = np.fft.rfftfreq(len(phone.samples), 1 / 8000)
    hum, voice = (spectrum[np.abs(frequency - f) < 5].max() for f in (60, 1000))
    assert 20 * np.log10(hum / voice) < -40


def test_active_speech_level_ignores_pauses() -> None:
    talk = speech_like(seconds=2.0)
    with_pauses = np.concatenate([talk, np.zeros(4 * ENGINE_RATE, dtype=np.float32), talk])
    assert speech_level_dbov(Audio(with_pauses, ENGINE_RATE)) == pytest.approx(
        speech_level_dbov(Audio(talk, ENGINE_RATE)), abs=0.5)


# G.711

@pytest.mark.parametrize("encode, samples, expected", [
    (encode_alaw, [0.0, 1.0, -1.0], b"\xd5\xaa\x2a"),
    (encode_ulaw, [0.0, 1.0, -1.0], b"\xff\x80\x00"),
])
def test_g711_codes_match_the_standard(encode: Encode, samples: list[float], expected: bytes) -> None:
    assert encode(Audio(np.array(samples, dtype=np.float32), 8000)) == expected


@pytest.mark.parametrize("decode_g711, code, value", [
    (decode_alaw, 0xD5, 8), (decode_alaw, 0xAA, 32256), (decode_alaw, 0x2A, -32256),
    (decode_ulaw, 0xFF, 0), (decode_ulaw, 0x80, 32124), (decode_ulaw, 0x00, -32124),
])
def test_g711_decodes_to_the_standard_values(decode_g711: Decode, code: int, value: int) -> None:
    assert decode_g711(bytes([code]))[0] * 32768 == value


@pytest.mark.parametrize("encode, decode_g711, zero_twin", [(encode_alaw, decode_alaw, None),
                                                           (encode_ulaw, decode_ulaw, 0x7F)])
def test_every_g711_code_survives_a_round_trip(encode: Encode, decode_g711: Decode, zero_twin: int | None
                                               ) -> None:
    codes = bytes(code for code in range(256) if code != zero_twin)  # mu-law has a "negative zero"
    assert encode(Audio(decode_g711(codes), 8000)) == codes


@pytest.mark.parametrize("encode, decode_g711", [(encode_alaw, decode_alaw), (encode_ulaw, decode_ulaw)])
def test_g711_round_trip_is_one_byte_a_sample_and_clean(encode: Encode, decode_g711: Decode) -> None:
    phone = for_phone(padded(SPEECH))
    data = encode(phone)
    assert len(data) == len(phone.samples)
    assert snr_db(phone.samples, decode_g711(data)) > 30


def test_g711_needs_telephone_rate_audio() -> None:
    with pytest.raises(AudioError, match="8000 Hz only"):
        encode_alaw(Audio(SPEECH, ENGINE_RATE))


# tags

TAGS = Mp3Tags(title="Where it spreads", artist="Cancer Research UK", album="Secondary breast cancer",
               track=3, track_total=20, language="eng",
               comment="From Cancer Research UK's page. Not medical advice. Ünïcode too.")


def test_tags_read_back_equal_and_the_audio_is_untouched() -> None:
    listener = for_listeners(padded(SPEECH))
    mp3 = encode_mp3(listener)
    tagged = tag_mp3(mp3, TAGS)
    assert read_tags(tagged) == TAGS
    assert np.array_equal(decode(tagged).samples, decode(mp3).samples)
    assert MP3(io.BytesIO(tagged)).info.length == pytest.approx(listener.duration, abs=1e-3)
    frames = ID3(io.BytesIO(tagged))
    assert str(frames["TRCK"]) == "3/20" and str(frames["TLAN"]) == "eng"
    assert frames.getall("COMM")[0].lang == "eng"


def test_tagging_twice_replaces_the_tags() -> None:
    mp3 = encode_mp3(for_listeners(padded(SPEECH)))
    retagged = tag_mp3(tag_mp3(mp3, TAGS), Mp3Tags("Outlook", "CRUK", "SBC", 4, 20, "eng", "Again"))
    assert read_tags(retagged).title == "Outlook"
    assert len(ID3(io.BytesIO(retagged)).getall("TIT2")) == 1


def test_untagged_mp3_and_bad_language_codes_are_refused() -> None:
    mp3 = encode_mp3(for_listeners(padded(SPEECH)))
    with pytest.raises(AudioError, match="no ID3 tags"):
        read_tags(mp3)
    with pytest.raises(AudioError, match="ISO 639-2"):
        tag_mp3(mp3, Mp3Tags("t", "a", "b", 1, 1, "en", "c"))


# a real voice

def test_a_real_espeak_clip_meets_every_target(espeak_wav: bytes) -> None:
    speech = decode(espeak_wav)
    trimmed = trim_silence(speech)
    heard = decode(tag_mp3(encode_mp3(for_listeners(speech)), TAGS))
    phone = for_phone(speech)
    assert speech.rate == ENGINE_RATE and trimmed.duration < speech.duration
    assert loudness_lufs(heard) == pytest.approx(-19.0, abs=0.5) and true_peak_dbtp(heard) <= -1.0
    assert heard.duration == pytest.approx(trimmed.duration, abs=0.05)
    assert speech_level_dbov(phone) == pytest.approx(-26.0, abs=1.0)
    assert phone.duration == pytest.approx(trimmed.duration, abs=0.05)
