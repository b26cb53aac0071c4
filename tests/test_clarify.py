"""A question that could be about either of two topics gets a question back, on every channel.

"Will the cancer kill me?" is as much about the outlook as about what treatment can do. Rather than guess,
the service asks "Did you mean the outlook, or treatment aims?"; Alexa then takes "yes" (the first), "the
second one" or the topic's name, the phone "press 1 or 2" or words, and the page offers two links.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from flask import Flask

from skill.answers import Answers
from skill.audio.pronounce import Pronunciations
from skill.audio.script import audio_items, prompt_items
from skill.cli import cli
from skill.content import load_content
from tests.support.alexa_conversation import Conversation, ends, reprompt, speech
from tests.support.alexa_pki import AlexaPKI
from tests.support.channels import TWILIO_TOKEN, every_channel_app
from tests.support.call_simulator import CallSimulator

CONTENT = load_content()
ANSWERS = Answers(CONTENT)
TOKEN = TWILIO_TOKEN
PUBLIC = "https://phone.example.org"
#: Asked by a helper who saw only the page; as much about the outlook as about what treatment can do.
AMBIGUOUS = "will the cancer kill me"
FIRST, SECOND = "outlook", "treatment-aims"
SAY = Pronunciations.load()
TEXTS = {item.name: SAY.apply(item.text, "say") for item in audio_items(ANSWERS)}


def plain(ssml: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", ssml).split()).replace(" ?", "?").replace(" .", ".")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, alexa_pki: AlexaPKI) -> Iterator[Flask]:
    """Every channel, every check on; no audio built, so the phone says the words of each recording."""
    with every_channel_app(tmp_path_factory.mktemp("clarify"), alexa_pki, TESTING=True) as app:
        yield app


def asked_alexa(app: Flask, pki: AlexaPKI) -> tuple[Conversation, dict[str, Any]]:
    talk = Conversation(app.test_client(), pki)
    talk.say("launch")
    return talk, talk.say("ask_question", query=AMBIGUOUS)


def short_start(topic: str) -> str:
    return re.split(r"(?<=[.?!])\s", ANSWERS.short(CONTENT.topic(topic)), maxsplit=1)[0]


# --- ask --jsonl ------------------------------------------------------------------------------------------

def test_ask_jsonl_gives_kind_clarify_with_both_topics_and_a_question() -> None:
    result = CliRunner().invoke(cli, ["ask", "--jsonl"], input=f"{AMBIGUOUS}\n")
    assert result.exit_code == 0, result.output
    row = json.loads(result.output)
    assert (row["kind"], row["topics"]) == ("clarify", [FIRST, SECOND])
    assert row["speech"] == "Did you mean the outlook, or treatment aims?"


# --- Alexa ------------------------------------------------------------------------------------------------

def test_alexa_asks_which_and_keeps_listening(app: Flask, alexa_pki: AlexaPKI) -> None:
    _, reply = asked_alexa(app, alexa_pki)
    assert plain(speech(reply)) == "Did you mean the outlook, or treatment aims?"
    assert plain(reprompt(reply)) == "Did you mean the outlook, or treatment aims?"
    assert not ends(reply)


@pytest.mark.parametrize("then, intent, slots, topic", [
    ("yes", "yes", {}, FIRST),
    ("the first one", "ask_question", {"query": "the first one"}, FIRST),
    ("the second one", "ask_question", {"query": "the second one"}, SECOND),
    ("two", "ask_question", {"query": "two"}, SECOND),
    ("the topic's name", "ask_question", {"query": "can it be cured"}, SECOND),
])
def test_alexa_takes_yes_a_choice_or_the_topic_name(app: Flask, alexa_pki: AlexaPKI, then: str, intent: str,
                                                    slots: dict[str, str], topic: str) -> None:
    talk, _ = asked_alexa(app, alexa_pki)
    reply = talk.say(intent, **slots)
    assert plain(speech(reply)).startswith(short_start(topic)), then
    assert not ends(reply)


def test_alexa_no_drops_the_choice_and_asks_what_else(app: Flask, alexa_pki: AlexaPKI) -> None:
    talk, _ = asked_alexa(app, alexa_pki)
    assert plain(speech(talk.say("no"))).startswith(ANSWERS.message("no_thanks"))
    assert "choices" not in talk.attributes
    reply = talk.say("ask_question", query="two")  # no longer a choice: "two" is not a topic
    assert not plain(speech(reply)).startswith(short_start(SECOND))


# --- the telephone ----------------------------------------------------------------------------------------

@pytest.fixture
def call(app: Flask) -> CallSimulator:
    simulator = CallSimulator(app.test_client(), TOKEN, PUBLIC)
    simulator.start()
    return simulator


def test_the_phone_asks_which_and_offers_keys_1_and_2(call: CallSimulator) -> None:
    heard = call.say(AMBIGUOUS)
    assert heard == [TEXTS["clarify"], TEXTS[f"choice-1-{FIRST}"], TEXTS[f"choice-2-{SECOND}"]]
    assert heard[1] == "For the outlook, press 1."


@pytest.mark.parametrize("action, topic", [
    (("press", "1"), FIRST), (("press", "2"), SECOND), (("say", "the second one"), SECOND),
    (("say", "yes"), FIRST), (("say", "two"), SECOND),
])
def test_the_phone_plays_the_topic_chosen(call: CallSimulator, action: tuple[str, str], topic: str) -> None:
    call.say(AMBIGUOUS)
    verb, what = action
    heard = call.press(what) if verb == "press" else call.say(what)
    assert heard[0] == TEXTS[topic]


def test_on_the_phone_star_asks_again_and_other_keys_are_not_options(call: CallSimulator) -> None:
    call.say(AMBIGUOUS)
    assert call.press("*")[0] == TEXTS["clarify"]
    assert call.press("5")[0] == TEXTS["not-an-option"]
    assert call.press("0")[0] == TEXTS["menu-main"]


def test_a_forged_choice_in_the_action_url_starts_again_at_the_menu(app: Flask) -> None:
    for name in ("outlook outlook", "outlook nowhere", "outlook"):
        simulator = CallSimulator(app.test_client(), TOKEN, PUBLIC)
        simulator.start()
        heard = simulator.post_to(f"{PUBLIC}/phone/heard?where=choice&name={name.replace(' ', '+')}", Digits="1")
        assert heard[0] == TEXTS["not-an-option"], name


def test_every_choice_clip_is_built_for_every_topic() -> None:
    names = {item.name for item in prompt_items(ANSWERS)}
    assert {f"choice-{n}-{t.id}" for n in (1, 2) for t in CONTENT.topics} <= names


# --- the page ---------------------------------------------------------------------------------------------

def test_the_page_offers_two_links(app: Flask) -> None:
    response = app.test_client().get("/ask", query_string={"q": AMBIGUOUS})
    assert response.status_code == 200
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert soup.select_one("#answer-title").get_text(strip=True) == "Which did you mean?"
    links = [(a.get_text(strip=True), a["href"]) for a in soup.select("ul.choices a")]
    assert links == [(CONTENT.topic(FIRST).title, f"/#{FIRST}"), (CONTENT.topic(SECOND).title, f"/#{SECOND}")]
    assert "Did you mean the outlook, or treatment aims?" in soup.select_one("p.short").get_text()


def test_no_urgent_question_is_ever_clarified() -> None:
    questions = Path(__file__).resolve().parent.parent / "benchmarks" / "safety_questions.tsv"
    rows = [line.split("\t") for line in questions.read_text(encoding="utf-8").splitlines()[1:]]
    urgent = [row[-1] for row in rows if row[0] == "urgent"]
    result = CliRunner().invoke(cli, ["ask", "--jsonl"], input="".join(f"{q}\n" for q in urgent))
    kinds = {json.loads(line)["kind"] for line in result.output.splitlines()}
    assert "clarify" not in kinds
