"""The gTTS engine against a local stand-in that answers as Google does: audio, splitting, retries, failures."""

from __future__ import annotations

import io
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from gtts import gTTS  # type: ignore[import-untyped]
from mutagen.mp3 import MP3

from skill.audio.engines import Engine, SpeechEngineError
from skill.audio.gtts_engine import GTTSEngine
from skill.errors import SkillError
from tests.support.google_tts_standin import (
    DROP, HANG, HTML_PAGE, NO_AUDIO, NULL_AUDIO, SPEAK, GoogleTTSStandIn, RecordedSleeps, Scripted,
    expected_seconds, http_error, speech_for, speech_reply,
)

# Until tests/conftest.py lists this plugin; loading it twice is harmless.

SHORT = "Secondary breast cancer is cancer that has spread."
LONG = (
    "Secondary breast cancer means the cancer has spread from the breast to another part of the body, "
    "such as the bones, lungs, liver or brain. It is also called metastatic or advanced breast cancer. "
    "Treatment can often control it for some time, and there is support for you and your family."
)


def mp3_seconds(audio: bytes) -> float:
    info: Any = MP3(io.BytesIO(audio)).info  # type: ignore[no-untyped-call]
    assert (info.sample_rate, info.channels) == (24000, 1)
    return float(info.length)


def assert_offline_advice(error: pytest.ExceptionInfo[SpeechEngineError]) -> None:
    assert "--engine espeak-ng" in str(error.value)
    assert "Probable cause" in str(error.value)


# Speaking


def test_speaks_text_as_an_mp3_as_long_as_the_text(google_tts_engine: GTTSEngine) -> None:
    audio = google_tts_engine.synthesise(SHORT)
    assert mp3_seconds(audio) == pytest.approx(expected_seconds(SHORT), abs=0.1)


def test_asks_for_british_english_from_google_co_uk() -> None:
    engine = GTTSEngine()
    (request,) = engine.prepare(SHORT)
    assert request.url == "https://translate.google.co.uk/_/TranslateWebserverUi/data/batchexecute"
    assert (engine.name, engine.voice, engine.container) == ("gtts", "gtts:en:co.uk", "mp3")
    (f_req,) = parse_qs(str(request.body))["f.req"]
    assert json.loads(json.loads(f_req)[0][0][1])[:2] == [SHORT, "en"]


def test_the_request_google_receives_is_for_english_at_normal_speed(
    google_tts_engine: GTTSEngine, google_tts: GoogleTTSStandIn
) -> None:
    google_tts_engine.synthesise(SHORT)
    (received,) = google_tts.received
    assert (received.text, received.lang, received.slow) == (SHORT, "en", False)


def test_long_text_goes_in_parts_of_at_most_100_characters_and_comes_back_in_order(
    google_tts_engine: GTTSEngine, google_tts: GoogleTTSStandIn
) -> None:
    audio = google_tts_engine.synthesise(LONG)
    parts = google_tts.texts
    assert len(parts) >= 3 and all(len(part) <= 100 for part in parts)
    positions = [LONG.index(part) for part in parts]
    assert positions == sorted(positions)
    assert audio == b"".join(speech_for(part) for part in parts)
    assert mp3_seconds(audio) == pytest.approx(sum(map(expected_seconds, parts)), abs=0.1 * len(parts))


def test_three_threads_share_one_engine_and_each_gets_its_own_words(
    google_tts_engine: GTTSEngine, google_tts: GoogleTTSStandIn
) -> None:
    texts = [f"Answer number {n} about secondary breast cancer." for n in range(9)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        audio = list(pool.map(google_tts_engine.synthesise, texts))
    assert audio == [speech_for(text) for text in texts]
    assert sorted(google_tts.texts) == sorted(texts)


def test_the_engine_fits_the_interface_the_build_uses(google_tts_engine: GTTSEngine) -> None:
    engine: Engine = google_tts_engine
    assert engine.synthesise("Hello.").startswith(b"\xff\xf3")  # an MPEG-2 layer III frame, as Google sends


@pytest.mark.parametrize("text", ["", "   ", "... !"])
def test_nothing_to_say_is_an_error_and_sends_nothing(
    google_tts_engine: GTTSEngine, google_tts: GoogleTTSStandIn, text: str
) -> None:
    with pytest.raises(SpeechEngineError):
        google_tts_engine.synthesise(text)
    assert google_tts.request_count == 0


def test_an_unknown_language_is_an_error_before_anything_is_sent(google_tts: GoogleTTSStandIn) -> None:
    with pytest.raises(SpeechEngineError, match="language code"):
        GTTSEngine(lang="xx", base_url=google_tts.base_url).synthesise(SHORT)
    assert google_tts.request_count == 0


# The stand-in is faithful


def test_the_stand_in_frames_its_replies_as_google_does() -> None:
    reply = speech_reply(b"ID3 audio").decode("utf-8")
    assert reply.startswith(")]}'\n\n")
    rest, frames = reply.removeprefix(")]}'\n\n"), []
    while rest:
        length, rest = rest.split("\n", 1)  # the length counts that newline, the frame and the next newline
        frames.append(json.loads(rest[: int(length) - 1]))
        rest = rest[int(length) - 1:]
    call = frames[0][0]
    assert call[:2] == ["wrb.fr", "jQ1olc"] and call[-1] == "generic"
    assert json.loads(call[2]) == ["SUQzIGF1ZGlv"]
    assert frames[-1][0][0] == "e"


def test_gtts_itself_reads_the_stand_ins_replies(google_tts: GoogleTTSStandIn) -> None:
    class LocalGTTS(gTTS):  # type: ignore[misc]  # gTTS as released, sent to the stand-in
        def _prepare_requests(self) -> list[requests.PreparedRequest]:
            prepared: list[requests.PreparedRequest] = super()._prepare_requests()
            for request in prepared:
                request.url = google_tts.base_url + urlsplit(str(request.url)).path
            return prepared

    audio = b"".join(LocalGTTS(LONG, lang="en", tld="co.uk").stream())
    assert audio == b"".join(speech_for(part) for part in google_tts.texts)


# Trying again


def test_rate_limited_once_waits_as_long_as_google_asks_then_speaks(
    google_tts_engine: GTTSEngine, google_tts: GoogleTTSStandIn, google_tts_sleeps: RecordedSleeps
) -> None:
    google_tts.script(http_error(429, retry_after="7"))
    assert google_tts_engine.synthesise(SHORT) == speech_for(SHORT)
    assert google_tts.request_count == 2
    (delay,) = google_tts_sleeps.delays
    assert 7.0 <= delay <= 7.7


@pytest.mark.parametrize("answer", [http_error(429), http_error(429, retry_after="soon"), http_error(500),
                                    http_error(503), HANG, DROP], ids=repr)
def test_a_passing_failure_is_tried_again_after_the_backoff(
    google_tts_engine: GTTSEngine, google_tts: GoogleTTSStandIn, google_tts_sleeps: RecordedSleeps,
    answer: Scripted
) -> None:
    google_tts.script(answer)
    assert google_tts_engine.synthesise(SHORT) == speech_for(SHORT)
    assert google_tts.request_count == 2
    (delay,) = google_tts_sleeps.delays
    assert 1.0 <= delay <= 1.1


def test_waits_double_each_time(
    google_tts_engine: GTTSEngine, google_tts: GoogleTTSStandIn, google_tts_sleeps: RecordedSleeps
) -> None:
    google_tts.script(http_error(503), http_error(503))
    google_tts_engine.synthesise(SHORT)
    first, second = google_tts_sleeps.delays
    assert 1.0 <= first <= 1.1 and 2.0 <= second <= 2.2


@pytest.mark.parametrize("status", [400, 403, 404])
def test_a_refusal_is_not_tried_again(
    google_tts_engine: GTTSEngine, google_tts: GoogleTTSStandIn, google_tts_sleeps: RecordedSleeps, status: int
) -> None:
    google_tts.script(http_error(status))
    with pytest.raises(SpeechEngineError, match=f"refused the request .*HTTP {status}") as error:
        google_tts_engine.synthesise(SHORT)
    assert google_tts.request_count == 1 and google_tts_sleeps.delays == []
    assert_offline_advice(error)


# Giving up


@pytest.mark.parametrize("answer", [HTML_PAGE, NO_AUDIO, NULL_AUDIO], ids=repr)
def test_a_reply_without_audio_is_an_error_that_says_so(
    google_tts_engine: GTTSEngine, google_tts: GoogleTTSStandIn, answer: Scripted
) -> None:
    google_tts.script(answer)
    with pytest.raises(SpeechEngineError, match="Google's reply had no audio in it") as error:
        google_tts_engine.synthesise(SHORT)
    assert google_tts.request_count == 1
    assert_offline_advice(error)


def test_google_out_of_reach_says_to_build_offline(
    google_tts_engine: GTTSEngine, google_tts: GoogleTTSStandIn, google_tts_sleeps: RecordedSleeps
) -> None:
    google_tts.stop()
    with pytest.raises(SpeechEngineError, match="Could not reach Google's text-to-speech service") as error:
        google_tts_engine.synthesise(SHORT)
    assert "no internet connection" in str(error.value) and "refused" in str(error.value)
    assert len(google_tts_sleeps.delays) == google_tts_engine.retries
    assert_offline_advice(error)
    assert isinstance(error.value, SkillError)


def test_no_reply_after_every_try_says_to_build_offline(google_tts: GoogleTTSStandIn) -> None:
    google_tts.script(HANG, HANG)
    engine = GTTSEngine(base_url=google_tts.base_url, timeout=0.2, retries=1, sleep=lambda seconds: None)
    with engine, pytest.raises(SpeechEngineError, match=r"Could not reach .*no reply within 0.2 s, 2 attempts") as err:
        engine.synthesise(SHORT)
    assert google_tts.request_count == 2
    assert_offline_advice(err)


def test_rate_limited_on_every_try_says_to_wait_or_build_offline(
    google_tts_engine: GTTSEngine, google_tts: GoogleTTSStandIn, google_tts_sleeps: RecordedSleeps
) -> None:
    tries = google_tts_engine.retries + 1
    google_tts.script(*[http_error(429)] * tries)
    with pytest.raises(SpeechEngineError, match="rate-limiting") as error:
        google_tts_engine.synthesise(SHORT)
    assert google_tts.request_count == tries and len(google_tts_sleeps.delays) == tries - 1
    assert "Wait a while" in str(error.value)
    assert_offline_advice(error)


def test_a_retry_after_too_long_to_wait_for_gives_up_at_once(
    google_tts_engine: GTTSEngine, google_tts: GoogleTTSStandIn, google_tts_sleeps: RecordedSleeps
) -> None:
    google_tts.script(http_error(429, retry_after="3600"))
    with pytest.raises(SpeechEngineError, match="Google asked for a wait of 3600 s"):
        google_tts_engine.synthesise(SHORT)
    assert google_tts.request_count == 1 and google_tts_sleeps.delays == []


def test_failing_on_every_try_says_google_is_at_fault(
    google_tts_engine: GTTSEngine, google_tts: GoogleTTSStandIn
) -> None:
    google_tts.script(*[http_error(503)] * (google_tts_engine.retries + 1))
    with pytest.raises(SpeechEngineError, match="kept failing .*HTTP 503") as error:
        google_tts_engine.synthesise(SHORT)
    assert_offline_advice(error)


def test_a_failure_midway_through_a_long_text_fails_the_whole_text(
    google_tts_engine: GTTSEngine, google_tts: GoogleTTSStandIn
) -> None:
    google_tts.script(SPEAK, http_error(403))
    with pytest.raises(SpeechEngineError, match="HTTP 403"):
        google_tts_engine.synthesise(LONG)
    assert google_tts.request_count == 2
