"""The telephone line end to end, driven as Twilio drives it: signed webhooks, TwiML followed verb by verb."""

from __future__ import annotations

import logging
import random
import re
import wave
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import pytest
from flask import Flask
from flask.testing import FlaskClient

from skill.answers import Answers
from skill.audio.pronounce import Pronunciations
from skill.app import create_app
from skill.audio.script import audio_items, prompt_items
from skill.content import load_content
from tests.support.call_simulator import (
    CallFailed,
    CallSimulator,
    TlsProxy,
    call_params,
    heard_as,
    twilio_signature,
)

TOKEN = "test-twilio-auth-token"
TODAY = "2025-01-15"
PUBLIC = "https://phone.example.org"
CONTENT = load_content()
TOPICS = [topic.id for topic in CONTENT.topics]
#: Every prompt and answer the audio build makes, by file name: the words the line must say without audio.
WORDS = {item.name: item.text for item in audio_items(Answers(CONTENT, lambda: date.fromisoformat(TODAY)))}
#: ...as the platform's voice says them before the audio is built: numbers digit by digit, as recorded.
SAID = {name: Pronunciations.load().apply(text, "say") for name, text in WORDS.items()}
#: Keys a menu option may use; 0 (main menu), 9 (nurse line), * (repeat) and # are for finding your way.
OPTION_KEYS = "12345678"
NAVIGATION_KEYS = "09*#"


# The line under test


def make_app(audio_dir: Path, **config: Any) -> Flask:
    return create_app({
        "TESTING": True, "TODAY": TODAY, "ALEXA_VERIFY_SIGNATURES": False, "TWILIO_AUTH_TOKEN": TOKEN,
        "PHONE_VERIFY_SIGNATURES": True, "PHONE_PUBLIC_BASE_URL": None, "AUDIO_DIR": str(audio_dir), **config,
    })


def write_tiny_wav(path: Path) -> None:
    """10 ms of silence in the build's telephone format: 8 kHz, 16-bit, mono."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * 80)


@pytest.fixture(scope="module")
def audio_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built audio folder: a telephone WAV for every prompt and answer, plus files that must stay private."""
    folder = tmp_path_factory.mktemp("audio")
    for name in WORDS:
        write_tiny_wav(folder / "phone" / f"{name}.wav")
    write_tiny_wav(folder / ".hidden.wav")
    write_tiny_wav(folder / "phone" / ".hidden.wav")
    (folder / "phone" / "notes.txt").write_text("not audio")
    (folder / "manifest.json").write_text("{}")
    return folder


@pytest.fixture(scope="module")
def app_with_audio(audio_dir: Path) -> Flask:
    return make_app(audio_dir)


@pytest.fixture(scope="module")
def app_without_audio(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return make_app(tmp_path_factory.mktemp("no-audio"))


@pytest.fixture
def app(app_with_audio: Flask) -> Flask:
    """The phone line with its recordings (instead of conftest's Alexa-ready app)."""
    return app_with_audio


@pytest.fixture
def call(app: Flask) -> CallSimulator:
    return CallSimulator(app.test_client(), TOKEN, PUBLIC)


@dataclass(frozen=True)
class Line:
    """A phone line under test, and how a prompt or answer sounds on it: a recording's name, or the words said."""

    app: Flask
    with_audio: bool

    def sounds(self, *names: str) -> list[str]:
        return list(names) if self.with_audio else [SAID[name] for name in names]

    def call(self, **options: Any) -> CallSimulator:
        return CallSimulator(self.app.test_client(), TOKEN, PUBLIC, **options)


@pytest.fixture(params=["with audio", "without audio"])
def line(request: pytest.FixtureRequest, app_with_audio: Flask, app_without_audio: Flask) -> Line:
    with_audio = request.param == "with audio"
    return Line(app_with_audio if with_audio else app_without_audio, with_audio)


def act(call: CallSimulator, action: str) -> list[str]:
    """`press 2`, `say where does it spread` or `silence`."""
    verb, _, rest = action.partition(" ")
    if verb == "press":
        return call.press(rest)
    if verb == "say":
        return call.say(rest)
    assert action == "silence", action
    return call.silence()


def started(line: Line, *actions: str) -> CallSimulator:
    call = line.call()
    call.start()
    for action in actions:
        act(call, action)
    return call


def spoken(responses: list[ET.Element]) -> list[ET.Element]:
    return [verb for root in responses for verb in root.iter() if verb.tag in ("Play", "Say")]


# Welcome and menus


def test_the_welcome_says_it_is_based_on_cancer_research_uks_page_its_dates_and_not_medical_advice(
    app_without_audio: Flask,
) -> None:
    call = CallSimulator(app_without_audio.test_client(), TOKEN, PUBLIC)
    welcome, menu = call.start()
    assert "based on Cancer Research UK's page" in welcome
    assert "information from Cancer Research UK" not in welcome  # they did not make this line
    assert ("The page was last reviewed in February 2021, and was due for review in February 2024."
            in welcome)
    assert "not medical advice" in welcome
    assert menu == SAID["menu-main"]


def test_with_audio_the_welcome_is_the_recording_then_the_main_menu(call: CallSimulator) -> None:
    assert call.start() == ["welcome", "menu-main"]
    assert [verb.text for verb in spoken(call.responses)][0] == f"{PUBLIC}/audio/phone/welcome.wav"


@pytest.mark.parametrize("menu", [name for name in WORDS if name.startswith("menu-")])
def test_a_menu_reads_out_at_most_five_options(menu: str) -> None:
    keys = re.findall(r"For [^,]+, press (\S)\.", WORDS[menu])
    options = [key for key in keys if key not in NAVIGATION_KEYS]
    assert 1 <= len(options) <= 5, WORDS[menu]


def explore(call: CallSimulator, path: tuple[str, ...] = (), depth: int = 2) -> dict[str, tuple[str, ...]]:
    """Press every option key in the menu the caller is in, and in the menus those lead to, `depth` deep.

    Topic -> the keys that played its answer.
    """
    found: dict[str, tuple[str, ...]] = {}
    prompt = call.heard[-1]
    for key in OPTION_KEYS:
        heard = call.press(key)
        if heard[-1] == "after-answer":
            found.setdefault(heard[0], (*path, key))
        elif heard[-1].startswith("menu-") and heard[-1] != prompt and depth > 1:
            for topic, keys in explore(call, (*path, key), depth - 1).items():
                found.setdefault(topic, keys)
        if call.heard[-1] != prompt:  # back to the menu being explored
            call.press("0")
            for step in path:
                call.press(step)
    return found


@pytest.fixture(scope="module")
def keys_to(app_with_audio: Flask) -> dict[str, tuple[str, ...]]:
    """Topic -> keys that reach its answer from the main menu, found by pressing keys as a caller would."""
    call = CallSimulator(app_with_audio.test_client(), TOKEN, PUBLIC)
    call.start()
    return explore(call)


@pytest.mark.parametrize("topic", TOPICS)
def test_every_topic_is_at_most_two_key_presses_from_the_main_menu(
    line: Line, keys_to: dict[str, tuple[str, ...]], topic: str
) -> None:
    assert topic in keys_to, "not reachable with two key presses"
    call = started(line, *(f"press {key}" for key in keys_to[topic]))
    assert call.heard == line.sounds(topic, "after-answer")


# After an answer


@pytest.mark.parametrize(
    "actions, heard",
    [
        pytest.param(["press 1"], ["outlook-full", "after-full"], id="1 plays the full section"),
        pytest.param(["press *"], ["outlook", "after-answer"], id="star repeats the answer"),
        pytest.param(["press 7"], ["outlook-slow", "after-answer"], id="7 plays it more slowly"),
        pytest.param(["press 7", "press *"], ["outlook-slow", "after-answer"], id="star repeats it slowly"),
        pytest.param(["press 7", "press 1"], ["outlook-full", "after-full"], id="after it slowly 1 is more"),
        pytest.param(["press 1", "press *"], ["outlook-full", "after-full"], id="star repeats the full section"),
        pytest.param(["press 1", "press 7"], ["not-an-option", "after-full"], id="no slower full section"),
        pytest.param(["press 0"], ["menu-main"], id="0 returns to the main menu"),
        pytest.param(["press 9"], ["nurse-line", "after-answer"], id="9 plays the nurse line and keeps listening"),
        pytest.param(["press 9", "press 1"], ["outlook-full", "after-full"], id="after the nurse line 1 is more"),
        pytest.param(["press 2"], ["not-an-option", "after-answer"], id="a key with no option"),
        pytest.param(["press 4"], ["not-an-option", "after-answer"], id="no going back in a short answer"),
        pytest.param(["press 91"], ["nurse-line", "after-answer"], id="one key is taken at a time"),
        pytest.param(["say where does it spread"], ["where-it-spreads", "after-answer"], id="speech is a question"),
        pytest.param(["say slow down"], ["outlook-slow", "after-answer"], id="slower said is 7"),
        pytest.param(["press 7", "say faster"], ["outlook", "after-answer"], id="faster after slower is usual speed"),
        pytest.param(["press 7", "press 9", "say faster"], ["outlook", "after-answer"],
                     id="faster after slower and the nurse line is usual speed"),
        pytest.param(["say faster"], ["outlook", "after-answer"], id="faster at usual speed plays it again"),
        pytest.param(["press 1", "say slower"], ["not-an-option", "after-full"], id="no slower full section said"),
        pytest.param(["press 1", "say faster"], ["outlook-full", "after-full"], id="faster repeats the full section"),
        pytest.param(["say what else is there"], ["menu-main"], id="what else is the main menu"),
    ],
)
def test_after_an_answer(line: Line, keys_to: dict[str, tuple[str, ...]], actions: list[str],
                         heard: list[str]) -> None:
    call = started(line, *(f"press {key}" for key in keys_to["outlook"]))
    for action in actions:
        act(call, action)
    assert call.heard == line.sounds(*heard)


# Speech


@pytest.mark.parametrize(
    "before, words, heard",
    [
        ([], "where does it spread", ["where-it-spreads", "after-answer"]),
        ([], "how long have i got", ["outlook", "after-answer"]),
        ([], "what dose of tamoxifen should i take", ["out-of-scope", "menu-main"]),
        (["press 2"], "what dose of tamoxifen should i take", ["out-of-scope", "menu-spread"]),
        ([], "i can't breathe", ["urgent", "after-urgent"]),
        (["press 2"], "i can't breathe", ["urgent", "after-urgent"]),
    ],
)
def test_what_the_caller_says_goes_to_the_router(line: Line, before: list[str], words: str,
                                                 heard: list[str]) -> None:
    call = started(line, *before)
    assert call.say(words) == line.sounds(*heard)


@pytest.mark.parametrize("before", [[], ["press 2"], ["say i can't breathe"], ["say will the cancer kill me"]],
                         ids=["main menu", "a menu", "after the numbers", "a choice"])
def test_away_from_a_short_answer_slower_does_what_7_does_and_faster_what_star_does(
    line: Line, before: list[str]
) -> None:
    assert started(line, *before).say("slower") == started(line, *before).press("7")
    assert started(line, *before).say("faster") == started(line, *before).press("*")


# Silence and keys with no option


@pytest.mark.parametrize(
    "before, listening_for",
    [([], "menu-main"), (["press 2"], "menu-spread"), (["press 5"], "after-answer")],
)
def test_silence_asks_again_then_reads_the_menu_once_more_then_says_goodbye(
    line: Line, before: list[str], listening_for: str
) -> None:
    call = started(line, *before)
    assert call.silence() == line.sounds("not-heard", listening_for)
    assert call.silence() == line.sounds(listening_for)
    assert call.silence() == line.sounds("goodbye")
    assert call.ended
    assert [verb.tag for verb in call.responses[-1]] == [("Play" if line.with_audio else "Say"), "Hangup"]


def test_a_key_after_silence_starts_the_count_again(line: Line) -> None:
    call = started(line, "silence", "silence", "press 7")
    assert call.silence() == line.sounds("not-heard", "menu-main")


@pytest.mark.parametrize(
    "before, key, menu",
    [
        ([], "6", "menu-main"),
        (["press 2"], "5", "menu-spread"),
        (["press 5"], "3", "after-answer"),
        # Twilio would take a lone # as "no input" (its default finishOnKey); the <Gather> turns that off.
        ([], "#", "menu-main"),
        (["press 5"], "#", "after-answer"),
    ],
)
def test_a_key_with_no_option_says_so_then_reads_the_same_menu(line: Line, before: list[str], key: str,
                                                               menu: str) -> None:
    call = started(line, *before)
    assert call.press(key) == line.sounds("not-an-option", menu)


@pytest.mark.parametrize("before, menu", [([], "menu-main"), (["press 2"], "menu-spread")])
def test_star_in_a_menu_reads_it_again(line: Line, before: list[str], menu: str) -> None:
    assert started(line, *before).press("*") == line.sounds(menu)


def way_on(root: ET.Element) -> str:
    """How a TwiML document lets the call go on: it listens (with a redirect for silence), or says goodbye.

    Listening may take several <Gather>s in a row (an answer's parts, each with its own action): silence goes
    from each to the next without a request, and after the last back to the webhook, by actionOnEmptyResult
    or, where a platform ignores it, the <Redirect>.
    """
    verbs = list(root)
    tags = [verb.tag for verb in verbs]
    if "Gather" in tags:
        gathers = verbs[tags.index("Gather"):-1]
        assert tags[-1] == "Redirect" and {g.tag for g in gathers} == {"Gather"}, tags
        *playing, last = gathers
        assert verbs[-1].text == last.get("action"), "silence must go back to the same place"
        assert last.get("actionOnEmptyResult") == "true" and last.get("timeout") == "6"
        assert all(g.get("actionOnEmptyResult") is None and g.get("timeout") == "1" for g in playing), \
            "a part that ends in silence goes straight on to the next"
        assert [v for v in last if v.tag in ("Play", "Say")], "the caller is told what they can do"
        assert all(g.get("numDigits") == "1" for g in gathers), "a key acts at once, without waiting"
        return "listens"
    assert tags[-1:] == ["Hangup"], f"dead end: {tags}"
    assert heard_as(verbs[-2]) in ("goodbye", WORDS["goodbye"]), "never a hang-up without goodbye"
    return "says goodbye"


CALLER_WORDS = ["where does it spread", "how long have i got", "what dose of tamoxifen should i take",
                "i can't breathe", "blah blah", "tell me more", "main menu", "nurse", "help", "goodbye", "no",
                "yes", "repeat", "thank you", "two", "star", "more", "slower", "faster", "what else"]


@pytest.mark.parametrize("seed", range(6))
def test_random_calls_never_reach_a_dead_end(line: Line, seed: int) -> None:
    chance = random.Random(seed)
    calls = [line.call()]
    calls[0].start()
    for _ in range(40):
        call = calls[-1]
        if call.ended:
            calls.append(line.call())
            calls[-1].start()
            continue
        choice = chance.random()
        if choice < 0.6:
            call.press(chance.choice("0123456789*#"))
        elif choice < 0.8:
            call.say(chance.choice(CALLER_WORDS))
        else:
            call.silence()
    ways = [way_on(root) for call in calls for root in call.responses]
    assert set(ways) <= {"listens", "says goodbye"}


# Audio


#: How a caller comes to hear each telephone prompt (keys as the content's phone menus set them out).
HOW_TO_HEAR: dict[str, list[str]] = {
    "welcome": [],
    "menu-main": [],
    "menu-about": ["press 1"],
    "menu-spread": ["press 2"],
    "menu-treatment": ["press 3"],
    "menu-support": ["press 4"],
    "after-answer": ["press 5"],
    "after-full": ["press 5", "press 1"],
    "not-an-option": ["press 8"],
    "not-heard": ["silence"],
    "out-of-scope": ["say what dose of tamoxifen should i take"],
    "nurse-line": ["press 9"],
    "urgent": ["say i can't breathe"],
    "after-urgent": ["say i can't breathe"],
    "urgent-again": ["say i can't breathe", "press *"],
    "help": ["say help"],
    "no-thanks": ["press 5", "say no thanks"],
    "thanks": ["press 5", "say thank you"],
    "goodbye": ["silence", "silence", "silence"],
    "clarify": ["say will the cancer kill me"],
    "choice-1-outlook": ["say will the cancer kill me"],
    "choice-2-treatment-aims": ["say will the cancer kill me"],
}


def test_the_table_covers_every_prompt_the_audio_build_makes() -> None:
    """Every prompt, and one pair of the choice clips ("For the outlook, press 1."): test_clarify covers the
    rest, which differ only in the topic they name."""
    made = {item.name for item in prompt_items(Answers(CONTENT))}
    choices = {name for name in made if name.startswith("choice-")}
    assert set(HOW_TO_HEAR) == (made - choices) | (set(HOW_TO_HEAR) & choices)


@pytest.mark.parametrize("prompt", HOW_TO_HEAR)
def test_with_audio_every_prompt_is_played_from_the_public_https_address(app: Flask, prompt: str) -> None:
    call = started(Line(app, True), *HOW_TO_HEAR[prompt])
    assert prompt in call.heard
    verbs = spoken(call.responses)
    assert {verb.tag for verb in verbs} == {"Play"}
    assert all(re.fullmatch(rf"{PUBLIC}/audio/phone/[a-z0-9-]+\.wav", verb.text or "") for verb in verbs)


@pytest.mark.parametrize("prompt", HOW_TO_HEAR)
def test_without_audio_every_prompt_is_said_by_polly_amy_with_the_words_of_the_content(
    app_without_audio: Flask, prompt: str
) -> None:
    call = started(Line(app_without_audio, False), *HOW_TO_HEAR[prompt])
    assert SAID[prompt] in call.heard
    verbs = spoken(call.responses)
    assert {verb.tag for verb in verbs} == {"Say"}
    assert all(verb.attrib == {"voice": "Polly.Amy", "language": "en-GB"} for verb in verbs)


@pytest.mark.parametrize(
    "public_base, proxy, caller_dials",
    [
        pytest.param(None, None, PUBLIC, id="the address the platform called"),
        pytest.param(None, TlsProxy(forwards=True), PUBLIC, id="behind a proxy, from X-Forwarded-Proto and -Host"),
        pytest.param("https://calls.example.net/", TlsProxy(forwards=False), "https://calls.example.net",
                     id="from PHONE_PUBLIC_BASE_URL"),
        pytest.param("https://example.org/voice", TlsProxy(forwards=False, strips="/voice"),
                     "https://example.org/voice", id="from PHONE_PUBLIC_BASE_URL with a path"),
    ],
)
def test_audio_and_actions_use_the_public_https_address(
    audio_dir: Path, public_base: str | None, proxy: TlsProxy | None, caller_dials: str
) -> None:
    app = make_app(audio_dir, PHONE_PUBLIC_BASE_URL=public_base)
    call = CallSimulator(app.test_client(), TOKEN, caller_dials, proxy=proxy)
    call.start()
    call.press("2")  # the simulator only follows actions on the public address
    assert call.press("1") == ["where-it-spreads", "after-answer"]
    urls = [verb.text or "" for verb in spoken(call.responses)]
    urls += [verb.get("action", "") for root in call.responses for verb in root.iter("Gather")]
    urls += [verb.text or "" for root in call.responses for verb in root.iter("Redirect")]
    assert all(url.startswith(f"{caller_dials}/") for url in urls), urls


def test_behind_a_proxy_that_hides_the_public_address_calls_are_refused_not_misdirected(app: Flask) -> None:
    call = CallSimulator(app.test_client(), TOKEN, PUBLIC, proxy=TlsProxy(forwards=False))
    with pytest.raises(CallFailed, match="403"):
        call.start()


def test_a_played_recording_is_served_as_cacheable_wav(call: CallSimulator, app: Flask) -> None:
    call.start()
    call.press("5")
    urls = [verb.text or "" for verb in spoken(call.responses)]
    assert len(urls) == 4
    for url in urls:
        with app.test_client().get(urlsplit(url).path) as reply:  # closes the file it streams from
            assert reply.status_code == 200
            assert reply.mimetype == "audio/wav"
            assert re.search(r"max-age=\d+", reply.headers["Cache-Control"])
            assert reply.get_data()[:4] == b"RIFF"


@pytest.mark.parametrize(
    "path",
    ["/audio/phone/notes.txt", "/audio/manifest.json", "/audio/.hidden.wav", "/audio/phone/.hidden.wav",
     "/audio/phone/welcome", "/audio/phone/no-such-prompt.wav"],
)
def test_only_audio_files_are_served(client: FlaskClient, path: str) -> None:
    with client.get(path) as reply:
        assert reply.status_code == 404


# Signatures


VOICE = f"{PUBLIC}/phone/voice"


def post_voice(client: FlaskClient, signature: str | None, params: dict[str, str] | None = None,
               **headers: str) -> Any:
    sent = {"X-Twilio-Signature": signature} if signature is not None else {}
    return client.post(VOICE, data=params or call_params(), headers={**sent, **headers})


@pytest.mark.parametrize(
    "signature, status",
    [
        pytest.param(lambda: twilio_signature(TOKEN, VOICE, call_params()), 200, id="valid"),
        pytest.param(lambda: None, 403, id="missing"),
        pytest.param(lambda: "", 403, id="empty"),
        pytest.param(lambda: twilio_signature("someone-elses-token", VOICE, call_params()), 403, id="wrong token"),
        pytest.param(lambda: twilio_signature(TOKEN, VOICE, call_params(From="+447700900999")), 403,
                     id="made for other form fields"),
        pytest.param(lambda: twilio_signature(TOKEN, f"{PUBLIC}/phone/heard", call_params()), 403,
                     id="made for another URL"),
    ],
)
def test_only_requests_signed_with_the_auth_token_are_answered(
    client: FlaskClient, signature: Callable[[], str | None], status: int
) -> None:
    reply = post_voice(client, signature())
    assert reply.status_code == status
    if status == 403:
        assert reply.get_json() == {"error": "missing or invalid X-Twilio-Signature"}


def test_a_key_press_cannot_be_changed_after_signing(client: FlaskClient) -> None:
    heard = f"{PUBLIC}/phone/heard?where=menu&name=main&full=0&silences=0"
    signature = twilio_signature(TOKEN, heard, call_params(Digits="1"))
    reply = client.post(heard, data=call_params(Digits="2"), headers={"X-Twilio-Signature": signature})
    assert reply.status_code == 403


@pytest.mark.parametrize("signed_for, status", [("https", 200), ("http", 403)])
def test_behind_a_tls_proxy_the_signature_is_checked_against_the_https_address(
    client: FlaskClient, signed_for: str, status: int
) -> None:
    params = call_params()
    signature = twilio_signature(TOKEN, f"{signed_for}://phone.example.org/phone/voice", params)
    reply = client.post("/phone/voice", base_url="http://phone.example.org", data=params,
                        headers={"X-Twilio-Signature": signature, "X-Forwarded-Proto": "https"})
    assert reply.status_code == status


def test_without_an_auth_token_every_request_is_refused_with_a_reason(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="skill.phone.webhooks"):
        app = make_app(tmp_path, TWILIO_AUTH_TOKEN=None)
    assert "TWILIO_AUTH_TOKEN is not set" in caplog.text
    reply = post_voice(app.test_client(), twilio_signature("", VOICE, call_params()))
    assert reply.status_code == 403
    assert "set TWILIO_AUTH_TOKEN" in reply.get_json()["error"]


def test_with_phone_verify_signatures_0_unsigned_requests_are_answered_and_a_warning_is_logged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("PHONE_VERIFY_SIGNATURES", "0")
    with caplog.at_level(logging.WARNING, logger="skill.phone.webhooks"):
        app = create_app({"TESTING": True, "ALEXA_VERIFY_SIGNATURES": False, "AUDIO_DIR": str(tmp_path)})
    assert any(record.levelno == logging.WARNING and "PHONE_VERIFY_SIGNATURES is off" in record.getMessage()
               for record in caplog.records)
    assert post_voice(app.test_client(), None).status_code == 200


# Privacy


def test_the_callers_number_and_words_never_reach_the_logs(
    call: CallSimulator, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    number = call_params()["From"]
    words = ["where does it spread", "what dose of tamoxifen should i take", "i can't breathe", "my name is jo"]
    caplog.set_level(logging.DEBUG)
    call.start()
    for said in words:
        call.say(said)
    call.press("8")
    call.silence()
    post_voice(client, "forged")  # refusals too
    logged = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
    for secret in [number, number.lstrip("+"), number[-10:], *words]:
        assert secret not in logged


# Tampered action URLs


@pytest.mark.parametrize(
    "query",
    ["where=menu&name=nowhere&full=0&silences=0", "where=answer&name=no-such-topic&full=0&silences=0",
     "where=basement&name=main", "where=answer&name=menu-main", "name=main", ""],
)
@pytest.mark.parametrize("fields", [{"Digits": "1"}, {"SpeechResult": "where does it spread"}, {}],
                         ids=["key", "speech", "silence"])
def test_a_tampered_action_url_starts_again_at_the_main_menu(
    line: Line, query: str, fields: dict[str, str]
) -> None:
    call = line.call()
    heard = call.post_to(f"{PUBLIC}/phone/heard?{query}".rstrip("?"), **fields)
    assert heard == line.sounds("not-an-option", "menu-main")
    assert call.press("5") == line.sounds("sources", "after-answer")


@pytest.mark.parametrize("silences", ["lots", "-3", "1e9"])
def test_a_nonsense_silence_count_is_taken_as_none(call: CallSimulator, silences: str) -> None:
    heard = call.post_to(f"{PUBLIC}/phone/heard?where=menu&name=main&full=0&silences={silences}")
    assert heard == ["not-heard", "menu-main"]


def test_a_silence_count_past_the_limit_says_goodbye(call: CallSimulator) -> None:
    assert call.post_to(f"{PUBLIC}/phone/heard?where=menu&name=main&full=0&silences=99") == ["goodbye"]
    assert call.ended


# A public base URL with a path of its own (a proxy that strips a prefix)


@pytest.mark.parametrize("public_base", ["https://example.org/phone", "https://example.org/lines/phone"])
def test_a_public_base_url_whose_path_holds_phone_keeps_its_path(audio_dir: Path, public_base: str) -> None:
    app = make_app(audio_dir, PHONE_PUBLIC_BASE_URL=public_base)
    proxy = TlsProxy(forwards=False, strips=urlsplit(public_base).path)
    call = CallSimulator(app.test_client(), TOKEN, public_base, proxy=proxy)
    call.start()
    assert call.press("5") == ["sources", "after-answer"]
