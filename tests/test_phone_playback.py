"""On the telephone an answer can be stopped, skipped, gone back over and heard more slowly.

Answers play inside <Gather>, so a key or words stop them at once; a full section plays a part (about 10 s)
at a time, each in a <Gather> of its own whose action says which part: 4 goes back a part, 6 forward, 0 to the
menu. 7 after a short answer plays its slower recording. Driven through the call simulator, which follows
Twilio's documented <Gather> behaviour (keys during a nested <Play>, actionOnEmptyResult).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from flask import Flask

from skill.audio.parts import cut_points
from skill.audio.process import Audio
from skill.phone.sections import read_parts
from tests.support.call_simulator import CallFailed, CallSimulator, spoken_in
from tests.test_phone import PUBLIC, SAID, TOKEN, WORDS, make_app, write_tiny_wav

#: outlook is under two key presses (3, 2); its full section is cut into three parts in the fake build.
TO_OUTLOOK = ("3", "2")
PARTS = ["outlook-full-part1", "outlook-full-part2", "outlook-full-part3"]
WHOLE_SECTION = [*PARTS, "after-full"]


def fake_build(folder: Path, parts: list[str]) -> Path:
    """A telephone WAV for every prompt and answer, the parts named, and a manifest listing them as
    build-audio does (in the full section's WAV entry)."""
    for name in [*WORDS, *parts]:
        write_tiny_wav(folder / "phone" / f"{name}.wav")
    listing = [{"name": name, "offset": 9.9 * n, "duration": 9.9} for n, name in enumerate(parts)]
    files = {"phone/outlook-full.wav": {"item": "outlook-full", "kind": "full", "parts": listing}}
    (folder / "manifest.json").write_text(json.dumps({"files": files}))
    return folder


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return make_app(fake_build(tmp_path_factory.mktemp("audio"), PARTS))


@pytest.fixture(scope="module")
def app_without_audio(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return make_app(tmp_path_factory.mktemp("no-audio"))


def at_outlook(app: Flask, *keys: str) -> CallSimulator:
    call = CallSimulator(app.test_client(), TOKEN, PUBLIC)
    call.start()
    for key in (*TO_OUTLOOK, *keys):
        call.press(key)
    return call


def gathers(call: CallSimulator) -> list[tuple[list[str], dict[str, list[str]], dict[str, str]]]:
    """Each <Gather> of the last document: what plays in it, its action's place, and its attributes."""
    return [(spoken_in(g), parse_qs(urlsplit(g.get("action", "")).query), dict(g.attrib))
            for g in call.responses[-1].iter("Gather")]


# A full section, a part at a time


def test_a_full_section_plays_part_by_part_each_in_a_gather_saying_which_part(app: Flask) -> None:
    call = at_outlook(app, "1")
    assert call.heard == WHOLE_SECTION
    found = gathers(call)
    assert [names for names, _, _ in found] == [[name] for name in WHOLE_SECTION]
    assert [place.get("part") for _, place, _ in found] == [["0"], ["1"], ["2"], None]
    assert all(place["where"] == ["answer"] and place["name"] == ["outlook"] for _, place, _ in found)
    # A part ends in silence: on to the next one a second later, no request; the last brings silence back.
    assert [(a["timeout"], a.get("actionOnEmptyResult")) for _, _, a in found] == [("1", None)] * 3 + [("6", "true")]


@pytest.mark.parametrize("key, during, heard", [
    pytest.param("6", "outlook-full-part1", PARTS[1:] + ["after-full"], id="6 skips to the next part"),
    pytest.param("6", "outlook-full-part3", ["after-full"], id="6 in the last part goes to its end"),
    pytest.param("4", "outlook-full-part3", PARTS[1:] + ["after-full"], id="4 goes back a part"),
    pytest.param("4", "outlook-full-part1", WHOLE_SECTION, id="4 never goes before the first part"),
    pytest.param("0", "outlook-full-part2", ["menu-main"], id="0 goes to the main menu"),
    pytest.param("*", "outlook-full-part2", WHOLE_SECTION, id="star starts it again"),
    pytest.param("9", "outlook-full-part2", ["nurse-line", *PARTS[1:], "after-full"],
                 id="9 the nurse line, then the part again"),
    pytest.param("5", "outlook-full-part2", ["not-an-option", *PARTS[1:], "after-full"],
                 id="another key: not an option, then the part again"),
])
def test_keys_during_a_full_section_act_at_once_on_the_part_playing(app: Flask, key: str, during: str,
                                                                     heard: list[str]) -> None:
    call = at_outlook(app, "1")
    assert call.press(key, during=during) == heard
    assert call.cut_short == WHOLE_SECTION[WHOLE_SECTION.index(during):]  # stopped at once, the rest unheard


def test_after_the_end_4_plays_the_last_part_again_and_6_says_it_is_the_end(app: Flask) -> None:
    call = at_outlook(app, "1")
    assert call.press("4") == ["outlook-full-part3", "after-full"]
    assert call.press("6") == ["after-full"]


def test_silence_after_the_last_part_is_silence_after_an_answer(app: Flask) -> None:
    full, short = at_outlook(app, "1"), at_outlook(app)
    for prompt in [["not-heard"], [], ["goodbye"]]:
        after_full, after_short = full.silence(), short.silence()
        assert after_full == prompt + (["after-full"] if prompt != ["goodbye"] else [])
        assert after_short == prompt + (["after-answer"] if prompt != ["goodbye"] else [])
    assert full.ended and short.ended


def test_words_stop_a_part_at_once(app: Flask) -> None:
    call = at_outlook(app, "1")
    assert call.say("where does it spread", during="outlook-full-part2") == ["where-it-spreads", "after-answer"]
    call = at_outlook(app, "1")
    assert call.say("what dose of tamoxifen should i take", during="outlook-full-part2") == [
        "out-of-scope", *PARTS[1:], "after-full"]  # then the part that was playing, again


# Short answers, and slower


def test_a_short_answer_plays_in_the_same_gather_as_the_prompt_after_it_and_stops_at_a_key(app: Flask) -> None:
    call = at_outlook(app)
    assert call.heard == ["outlook", "after-answer"]
    assert [names for names, _, _ in gathers(call)] == [["outlook", "after-answer"]]
    assert call.press("0", during="outlook") == ["menu-main"]
    assert call.cut_short == ["outlook", "after-answer"]


@pytest.mark.parametrize("during", [None, "outlook"])
def test_7_after_or_during_a_short_answer_plays_it_more_slowly(app: Flask, during: str | None) -> None:
    call = at_outlook(app)
    assert call.press("7", during=during) == ["outlook-slow", "after-answer"]
    assert call.press("7", during="outlook-slow") == ["outlook-slow", "after-answer"]
    assert call.press("1") == WHOLE_SECTION


def test_without_recordings_the_slower_answer_is_said_slowly_with_ssml(app_without_audio: Flask) -> None:
    call = at_outlook(app_without_audio)
    assert call.press("7") == [SAID["outlook-slow"], SAID["after-answer"]]
    say = next(call.responses[-1].iter("Say"))
    assert [(child.tag, child.attrib) for child in say] == [("prosody", {"rate": "slow"})]


def test_without_parts_a_full_section_plays_whole_and_4_starts_it_again(app_without_audio: Flask) -> None:
    call = at_outlook(app_without_audio, "1")
    assert call.heard == [SAID["outlook-full"], SAID["after-full"]]
    assert call.press("4", during=SAID["outlook-full"]) == [SAID["outlook-full"], SAID["after-full"]]
    assert call.press("6", during=SAID["outlook-full"]) == [SAID["after-full"]]


# What cannot be interrupted, on purpose


@pytest.mark.parametrize("before, playing", [
    (["say i can't breathe"], "urgent"),  # the safety numbers are heard to the end
    (["press 3", "press 2", "press 9"], "nurse-line"),
])
def test_messages_outside_a_gather_cannot_be_interrupted(app: Flask, before: list[str], playing: str) -> None:
    call = CallSimulator(app.test_client(), TOKEN, PUBLIC)
    call.start()
    for action in before:
        verb, _, what = action.partition(" ")
        call.press(what) if verb == "press" else call.say(what)
    assert playing in call.heard
    with pytest.raises(CallFailed, match="outside any <Gather>"):
        call.press("0", during=playing)


# The part in the action URL is checked like every other field


@pytest.mark.parametrize("query", [
    "where=answer&name=outlook&full=1&part=3",  # there are three: 0, 1, 2
    "where=answer&name=outlook&full=1&part=-1",
    "where=answer&name=outlook&full=1&part=one",
    "where=answer&name=outlook&full=1&part=%C2%B2",  # a superscript two: a digit to str.isdigit
    "where=answer&name=outlook&full=1&part=" + "9" * 5000,
    "where=answer&name=outlook&full=0&part=0",  # parts belong to a full section
    "where=answer&name=sources&full=1&part=1",  # not cut in this build
    "where=menu&name=main&part=0",
    "where=answer&name=outlook&full=1&slow=1",  # only a short answer is read slowly
    "where=menu&name=main&slow=1",
])
@pytest.mark.parametrize("fields", [{"Digits": "6"}, {}], ids=["key", "silence"])
def test_a_tampered_part_starts_again_at_the_main_menu(app: Flask, query: str, fields: dict[str, Any]) -> None:
    call = CallSimulator(app.test_client(), TOKEN, PUBLIC)
    assert call.post_to(f"{PUBLIC}/phone/heard?{query}", **fields) == ["not-an-option", "menu-main"]


def test_a_good_part_in_the_action_url_is_taken(app: Flask) -> None:
    call = CallSimulator(app.test_client(), TOKEN, PUBLIC)
    heard = call.post_to(f"{PUBLIC}/phone/heard?where=answer&name=outlook&full=1&part=1&silences=0", Digits="6")
    assert heard == ["outlook-full-part3", "after-full"]


# Which parts there are: only what the build made and listed


@pytest.mark.parametrize("spoil", ["a part missing", "a part misnamed", "listing not a list"])
def test_a_section_whose_parts_are_not_all_there_plays_whole(tmp_path: Path, spoil: str) -> None:
    folder = fake_build(tmp_path, PARTS)
    if spoil == "a part missing":
        (folder / "phone" / "outlook-full-part2.wav").unlink()
    else:
        manifest = json.loads((folder / "manifest.json").read_text())
        entry = manifest["files"]["phone/outlook-full.wav"]
        entry["parts"] = "three" if spoil == "listing not a list" else [{"name": "../../secret"}] * 3
        (folder / "manifest.json").write_text(json.dumps(manifest))
    assert read_parts(folder) == {}
    call = CallSimulator(make_app(folder).test_client(), TOKEN, PUBLIC)
    call.start()
    for key in (*TO_OUTLOOK, "1"):
        call.press(key)
    assert call.heard == ["outlook-full", "after-full"]


# Where the cuts fall


def test_cuts_fall_in_the_pauses_between_sentences_not_in_the_gaps_inside_words() -> None:
    """Speech-like audio: 0.3 s syllables with 50 ms gaps inside words, 120 ms between words, and a 0.4 s
    pause after every sixth word; every cut must land in one of those pauses."""
    rate, rng = 8000, np.random.default_rng(1)
    pieces, pauses, at = [], [], 0
    for word in range(100):
        for syllable in range(2):
            noise = rng.normal(0, 0.1, int(0.3 * rate)).astype(np.float32)
            gap = 0.05 if syllable == 0 else (0.4 if word % 6 == 5 else 0.12)
            pieces += [noise, np.zeros(int(gap * rate), np.float32)]
            at += len(noise)
            if gap == 0.4:
                pauses.append((at, at + int(gap * rate)))
            at += int(gap * rate)
    audio = Audio(np.concatenate(pieces), rate)
    cuts = cut_points(audio)
    assert len(cuts) + 1 == round(audio.duration / 10)  # parts of about 10 s
    assert all(any(start < cut < end for start, end in pauses) for cut in cuts), cuts
    lengths = np.diff([0, *cuts, len(audio.samples)]) / rate
    assert all(6.0 <= length <= 14.0 for length in lengths), lengths
