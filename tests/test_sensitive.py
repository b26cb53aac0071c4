"""Hard moments and navigation words on every channel: Alexa, the telephone, the page and `ask`.

Each line of tests/fixtures/sensitive.yaml goes through the real app as each channel's users meet it: signed
Alexa envelopes, the call simulator with signed Twilio webhooks, the page through the Flask client, and the
command line. Calm questions get calm answers, emergencies the numbers (warmly, and again on request), and
"help", "goodbye", "no" or "two" do what they say.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from bs4 import BeautifulSoup
from click.testing import CliRunner
from flask import Flask

from skill.answers import Answers
from skill.app import create_app
from skill.audio.pronounce import Pronunciations
from skill.audio.script import audio_items
from skill.cli import cli
from skill.content import load_content
from skill.ssml import DEFAULT_RATE, RATE_STEP
from tests.support.alexa_conversation import Conversation, ends, envelope, reprompt, speech
from tests.support.alexa_pki import AlexaPKI
from tests.support.alexa_signing import DEFAULT_CERT_URL, NOW, CertificateHost, fixed_clock, signed_headers
from tests.support.browser import LiveServer
from tests.support.call_simulator import CallSimulator

TABLE = yaml.safe_load((Path(__file__).parent / "fixtures" / "sensitive.yaml").read_text(encoding="utf-8"))
CALM: list[dict[str, str]] = TABLE["calm"]
URGENT: list[str] = TABLE["urgent"]
NAVIGATION: list[dict[str, str]] = TABLE["navigation"]
CONTENT = load_content()
ANSWERS = Answers(CONTENT)
TOKEN = "test-twilio-auth-token"
PUBLIC = "https://phone.example.org"
EMERGENCY = re.compile(r"\b999\b|nine nine nine|Samaritans|116 123")
NUMBERS = ("999", "111", "116 123")


def plain(ssml: str) -> str:
    """What Alexa says, without the markup."""
    return " ".join(re.sub(r"<[^>]+>", " ", ssml).split()).replace(" .", ".").replace(" ?", "?")


def first_sentence(text: str) -> str:
    return re.split(r"(?<=[.?!])\s", text, maxsplit=1)[0]


@pytest.fixture(scope="module")
def cert_host(alexa_pki: AlexaPKI) -> Iterator[CertificateHost]:
    host = CertificateHost()
    host.publish(DEFAULT_CERT_URL.rsplit("/", 1)[1], alexa_pki.valid_chain)
    host.start()
    yield host
    host.stop()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, alexa_pki: AlexaPKI, cert_host: CertificateHost) -> Flask:
    """Every channel on one app, with every check on: Alexa signatures and Twilio signatures; no audio built."""
    folder = tmp_path_factory.mktemp("sensitive")
    roots = folder / "roots.pem"
    roots.write_bytes(alexa_pki.root_pem)
    return create_app({
        "TESTING": True, "ALEXA_TRUSTED_ROOTS": str(roots), "ALEXA_CERT_FETCH": cert_host.fetcher(),
        "ALEXA_CLOCK": fixed_clock(NOW), "ALEXA_SKILL_ID": "amzn1.ask.skill.test",
        "TWILIO_AUTH_TOKEN": TOKEN, "AUDIO_DIR": str(folder / "no-audio"),
    })


@pytest.fixture
def alexa(app: Flask, alexa_pki: AlexaPKI) -> Conversation:
    talk = Conversation(app.test_client(), alexa_pki)
    talk.say("launch")
    return talk


@pytest.fixture
def call(app: Flask) -> CallSimulator:
    """A caller with the recordings not yet built: what they hear is the words, as the platform says them."""
    simulator = CallSimulator(app.test_client(), TOKEN, PUBLIC)
    simulator.start()
    return simulator


SAY = Pronunciations.load()


TEXTS = {item.name: item.text for item in audio_items(ANSWERS)}


def heard(*names: str) -> list[str]:
    """The <Say> words of prompts and answers by their recording names."""
    return [SAY.apply(TEXTS[name], "say") for name in names]


def asked(app: Flask, question: str) -> BeautifulSoup:
    response = app.test_client().get("/ask", query_string={"q": question})
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def jsonl(*questions: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(cli, ["ask", "--jsonl"], input="".join(f"{q}\n" for q in questions))
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


# --- calm questions: the answer, never the emergency script --------------------------------------------

CALM_IDS = [row["say"] for row in CALM]


@pytest.mark.parametrize("row", CALM, ids=CALM_IDS)
def test_ask_gives_a_calm_question_its_topic(row: dict[str, str]) -> None:
    (reply,) = jsonl(row["say"])
    assert (reply["kind"], reply["topic"]) == ("answer", row["topic"])
    assert not EMERGENCY.search(reply["speech"])


@pytest.mark.parametrize("row", CALM, ids=CALM_IDS)
def test_alexa_answers_a_calm_question_calmly(alexa: Conversation, row: dict[str, str]) -> None:
    reply = alexa.say("ask_question", query=row["say"])
    said = plain(speech(reply))
    assert said.startswith(first_sentence(ANSWERS.short(CONTENT.topic(row["topic"]))))
    assert not EMERGENCY.search(said.replace(CONTENT.page.nurse_line.number, ""))
    assert not ends(reply)


@pytest.mark.parametrize("row", CALM, ids=CALM_IDS)
def test_the_phone_plays_the_answer_to_a_calm_question(call: CallSimulator, row: dict[str, str]) -> None:
    assert call.say(row["say"]) == heard(row["topic"], "after-answer")


@pytest.mark.parametrize("row", CALM, ids=CALM_IDS)
def test_the_page_answers_a_calm_question_with_its_topic(app: Flask, row: dict[str, str]) -> None:
    answer = asked(app, row["say"]).select_one("section.answer")
    assert answer is not None and "answer-urgent" not in answer["class"]
    assert answer.h2 is not None and answer.h2.get_text() == CONTENT.topic(row["topic"]).title
    assert not EMERGENCY.search(answer.get_text())


# --- emergencies: a kind word, then the numbers; again on request -------------------------------------


def test_ask_catches_every_emergency_said_in_lay_words() -> None:
    replies = jsonl(*URGENT)
    assert [r["question"] for r in replies if r["kind"] != "urgent"] == []
    for reply in replies:
        assert reply["speech"] == ANSWERS.urgent()


@pytest.mark.parametrize("words", URGENT)
def test_alexa_says_the_numbers_slowly_and_keeps_listening(alexa: Conversation, words: str) -> None:
    reply = alexa.say("ask_question", query=words)
    said = plain(speech(reply))
    assert said == ANSWERS.urgent_with_offer()
    assert first_sentence(said) == CONTENT.messages["urgent"]
    assert not re.search(r"\d", first_sentence(said))  # the kind word first: no number, no claim
    assert speech(reply).count('<break time="600ms"/>') >= 4
    assert not ends(reply) and plain(reprompt(reply)) == CONTENT.messages["urgent_offer"]


@pytest.mark.parametrize("words", URGENT)
def test_the_phone_says_the_numbers_twice_then_offers_them_again(call: CallSimulator, words: str) -> None:
    assert call.say(words) == heard("urgent", "after-urgent")
    recording = ANSWERS.urgent_recording()
    for number in NUMBERS:
        assert recording.count(number) == 2


@pytest.mark.parametrize("words", URGENT)
def test_the_page_puts_the_numbers_first_as_links(app: Flask, words: str) -> None:
    page = asked(app, words)
    main = page.select_one("main")
    assert main is not None and main.h1 is not None and main.h1.get_text() == "Please get help now"
    first_section = main.find("section")
    assert first_section is not None and "answer-urgent" in first_section["class"]
    links = [a["href"] for a in first_section.select("ul.urgent-numbers a")]
    assert links == ["tel:999", "tel:111", "tel:116123"]
    lines = [" ".join(li.get_text().split()) for li in first_section.select("ul.urgent-numbers li")]
    assert " ".join(lines) == CONTENT.messages["urgent_numbers"]


@pytest.mark.parametrize("again", ["repeat", "yes", "say that again", "what were the numbers"])
def test_alexa_says_the_numbers_again_and_again(alexa: Conversation, again: str) -> None:
    alexa.say("ask_question", query="she's having a fit")
    for _ in range(2):
        reply = alexa.say("ask_question", query=again)
        assert plain(speech(reply)) == ANSWERS.urgent_again()
        assert not ends(reply)


@pytest.mark.parametrize("fixture", ["repeat", "yes"])
def test_alexas_own_repeat_and_yes_say_the_numbers_again(alexa: Conversation, fixture: str) -> None:
    alexa.say("urgent_help")
    for _ in range(2):
        reply = alexa.say(fixture)
        said = plain(speech(reply))
        assert said.startswith("Here are the numbers again. If this is an emergency, call 999 now.")
        assert not ends(reply)


def test_no_after_the_numbers_moves_on_gently(alexa: Conversation) -> None:
    alexa.say("urgent_help")
    reply = alexa.say("no")
    assert plain(speech(reply)) == CONTENT.messages["no_thanks"]
    assert not ends(reply)


def test_on_the_phone_star_or_repeat_says_the_numbers_again(call: CallSimulator) -> None:
    call.say("he's collapsed")
    assert call.press("*") == heard("urgent-again", "after-urgent")
    assert call.say("repeat") == heard("urgent-again", "after-urgent")
    assert call.say("yes") == heard("urgent-again", "after-urgent")
    assert call.press("0") == heard("menu-main")


def test_without_audio_the_phone_says_every_number_digit_by_digit(call: CallSimulator) -> None:
    said = " ".join(call.say("i want to kill myself"))
    assert "nine nine nine" in said and "N H S one one one" in said and "one one six, one two three" in said
    assert not re.search(r"\d{3}", said)
    said = " ".join(call.press("9"))
    assert "oh eight oh eight, eight oh oh, four oh four oh" in said


# --- navigation words ---------------------------------------------------------------------------------

NAV_IDS = [row["say"] for row in NAVIGATION]


@pytest.mark.parametrize("row", NAVIGATION, ids=NAV_IDS)
def test_ask_knows_navigation_words(row: dict[str, str]) -> None:
    (reply,) = jsonl(row["say"])
    assert (reply["kind"], reply["action"], reply.get("key")) == ("navigation", row["action"], row.get("key"))
    assert not EMERGENCY.search(reply["speech"])


#: On Alexa, just after the outlook's answer (which offers the next topic): what each word leads to.
ALEXA_AFTER_AN_ANSWER = {
    "help": lambda: ANSWERS.help("speaker"),
    "main_menu": lambda: ANSWERS.help("speaker"),
    "goodbye": lambda: CONTENT.messages["goodbye"],
    "no": lambda: CONTENT.messages["no_thanks"],
    "thanks": lambda: CONTENT.messages["thanks"],
    "yes": lambda: ANSWERS.short(CONTENT.topic(CONTENT.topic("outlook").next or "")),
    "more": lambda: f"{ANSWERS.full_intro(CONTENT.topic('outlook'))} {ANSWERS.full(CONTENT.topic('outlook'))}",
    "slower": lambda: CONTENT.messages["slower"],
    "faster": lambda: CONTENT.messages["faster"],
    "what_else": lambda: ANSWERS.help("speaker"),
    "key": lambda: ANSWERS.message("fallback"),
}
#: The speaking rate Alexa is asked for after each word, in percent: only "slower" and "faster" change it.
ALEXA_RATE_AFTER = {"slower": DEFAULT_RATE - RATE_STEP, "faster": DEFAULT_RATE + RATE_STEP}


@pytest.mark.parametrize("row", NAVIGATION, ids=NAV_IDS)
def test_alexa_does_what_a_navigation_word_says(alexa: Conversation, row: dict[str, str]) -> None:
    answered = alexa.say("ask_question", query="how long have i got")
    reply = alexa.say("ask_question", query=row["say"])
    said = plain(speech(reply))
    if row["action"] == "repeat":
        assert said == plain(speech(answered))
    else:
        assert said.startswith(ALEXA_AFTER_AN_ANSWER[row["action"]]())
    rates = [int(rate) for rate in re.findall(r'<prosody rate="(\d+)%">', speech(reply))]
    assert rates == ([ALEXA_RATE_AFTER[row["action"]]] if row["action"] in ALEXA_RATE_AFTER else [])
    assert ends(reply) == (row["action"] == "goodbye")
    assert not EMERGENCY.search(said.replace(CONTENT.page.nurse_line.number, ""))


#: On the phone, just after the outlook's answer.
PHONE_AFTER_AN_ANSWER = {
    "help": ["help", "menu-main"], "main_menu": ["menu-main"], "goodbye": ["goodbye"],
    "no": ["no-thanks", "menu-main"], "thanks": ["thanks", "menu-main"], "yes": ["outlook-full", "after-full"],
    "repeat": ["outlook", "after-answer"], "more": ["outlook-full", "after-full"],
    "slower": ["outlook-slow", "after-answer"], "faster": ["outlook", "after-answer"], "what_else": ["menu-main"],
}
PHONE_KEYS_AFTER_AN_ANSWER = {"1": ["outlook-full", "after-full"], "2": ["not-an-option", "after-answer"]}


@pytest.mark.parametrize("row", NAVIGATION, ids=NAV_IDS)
def test_the_phone_does_what_a_navigation_word_says(call: CallSimulator, row: dict[str, str]) -> None:
    call.say("how long have i got")
    names = PHONE_KEYS_AFTER_AN_ANSWER[row["key"]] if row["action"] == "key" else PHONE_AFTER_AN_ANSWER[row["action"]]
    assert call.say(row["say"]) == heard(*names)
    assert call.ended == (row["action"] == "goodbye")


@pytest.mark.parametrize(("words", "menu"), [("one", "menu-about"), ("press two", "menu-spread"),
                                             ("three", "menu-treatment")])
def test_in_a_menu_a_spoken_digit_is_its_key(call: CallSimulator, words: str, menu: str) -> None:
    assert call.say(words) == heard(menu)


@pytest.mark.parametrize("row", NAVIGATION, ids=NAV_IDS)
def test_the_page_answers_navigation_words_without_alarm(app: Flask, row: dict[str, str]) -> None:
    answer = asked(app, row["say"]).select_one("section.answer")
    assert answer is not None and "answer-navigation" in answer["class"]
    assert not EMERGENCY.search(answer.get_text())
    if row["action"] in ("help", "main_menu", "what_else", "slower", "faster"):
        assert [a["href"] for a in answer.select("ul.topic-links a")] == [f"/#{t.id}" for t in CONTENT.topics]
        assert ANSWERS.topics_said() in answer.get_text()
    if row["action"] in ("slower", "faster"):  # no recordings here, so no speed buttons: how to use the page
        short = answer.select_one("p.short")
        assert short is not None and " ".join(short.get_text().split()) == ANSWERS.help("page")


def test_slower_then_faster_on_the_phone_plays_the_slower_recording_then_the_usual_one(call: CallSimulator) -> None:
    call.say("how long have i got")
    assert call.say("slower") == heard("outlook-slow", "after-answer")
    assert call.say("faster") == heard("outlook", "after-answer")
    assert call.say("faster") == heard("outlook", "after-answer")  # no faster recording: it is said again


def test_what_else_lists_the_topics_on_every_channel(alexa: Conversation, call: CallSimulator) -> None:
    assert ANSWERS.topics_said() in plain(speech(alexa.say("ask_question", query="what else is there")))
    assert jsonl("what else is there")[0]["speech"] == ANSWERS.topic_list()
    assert call.say("what else is there") == heard("menu-main")


@pytest.mark.parametrize("words", ["help", "what can you do", "what can i ask"])
def test_help_lists_every_topic_on_every_channel(alexa: Conversation, call: CallSimulator, words: str) -> None:
    assert ANSWERS.topics_said() in plain(speech(alexa.say("ask_question", query=words)))
    assert ANSWERS.topics_said() in jsonl(words)[0]["speech"]
    assert call.say(words) == heard("help", "menu-main")
    assert ANSWERS.topics_said() in heard("help")[0]


# --- no one left stuck: an open microphone always follows a question -----------------------------------

#: Every request fixture that belongs in a conversation (those without a session are one-offs by nature).
ALEXA_FIXTURES = sorted(p.stem for p in (Path(__file__).parent / "fixtures" / "alexa").glob("*.json")
                        if "session" in json.loads(p.read_text(encoding="utf-8")))
BEFORE = {"just opened": [], "after an answer": ["outlook"], "after the numbers": ["urgent_help"],
          "after the full section": ["outlook", "tell_me_more"], "out of scope": ["out_of_scope"]}


@pytest.mark.parametrize("before", BEFORE, ids=list(BEFORE))
@pytest.mark.parametrize("fixture", ALEXA_FIXTURES)
def test_every_reply_that_keeps_the_microphone_open_ends_with_a_question(
    alexa: Conversation, before: str, fixture: str
) -> None:
    for name in BEFORE[before]:
        alexa.say(name)
    reply = alexa.say(fixture)
    if not ends(reply):
        assert plain(speech(reply)).endswith("?"), plain(speech(reply))
        assert plain(reprompt(reply)).endswith("?")


@pytest.mark.parametrize("query", ["what dose of tamoxifen should i take", "what is lung cancer"])
def test_a_question_beyond_the_page_mid_conversation_ends_with_a_question(alexa: Conversation,
                                                                          query: str) -> None:
    alexa.say("outlook")
    reply = alexa.say("ask_question", query=query)
    assert plain(speech(reply)).endswith(CONTENT.messages["reprompt"])
    assert not ends(reply)


def test_the_feelings_answer_ends_with_a_way_forward_and_the_nurse_line(alexa: Conversation) -> None:
    said = plain(speech(alexa.say("ask_question", query="how might i feel")))
    assert "Lots of information and support is there for you, your family and friends." in said
    assert f"You can phone the Cancer Research UK nurses on {CONTENT.page.nurse_line.number}" in said


def test_a_carer_whose_mum_is_dying_hears_where_support_is_and_the_nurse_line(alexa: Conversation) -> None:
    said = plain(speech(alexa.say("ask_question", query="my mum is dying what do i do")))
    assert said.startswith("Lots of help and information is there for you, your family and friends.")
    assert CONTENT.page.nurse_line.number in said


# --- the page's words, spoken and shown right -----------------------------------------------------------


def test_the_pages_typo_is_put_right_where_it_is_said_and_shown_but_kept_in_the_source(
    alexa: Conversation, app: Flask
) -> None:
    topic = CONTENT.topic("tests-and-scans")
    assert "find out how you how are feeling" in topic.source  # word for word, for the faithfulness checks
    alexa.say("ask_question", query="what tests will i have")
    said = plain(speech(alexa.say("tell_me_more")))
    assert "find out how you are feeling" in said and "how you how" not in said
    page = app.test_client().get("/").get_data(as_text=True)
    assert "find out how you are feeling" in page and "how you how" not in page


@pytest.mark.parametrize("topic", [t for t in CONTENT.topics if t.id != "sources"], ids=lambda t: t.id)
def test_the_full_section_names_its_title_once(alexa: Conversation, topic: Any) -> None:
    alexa.say("ask_question", query=topic.samples[0])
    said = plain(speech(alexa.say("tell_me_more")))
    assert said.startswith(f"Here is the full section: {topic.title}")
    assert said.count(topic.title) == 1, said


# --- honest about the source -----------------------------------------------------------------------------

#: How the service may name Cancer Research UK: as the page it is based on, or as the nurse line's owner.
HONEST = re.compile(r"based on Cancer Research UK's page|Cancer Research UK's page|Cancer Research UK nurses"
                    r"|not made by Cancer Research UK")


def dishonest_mentions(text: str) -> list[str]:
    mentions = [m.start() for m in re.finditer("Cancer Research UK", text)]
    honest = {m.start() + m.group(0).index("Cancer Research UK") for m in HONEST.finditer(text)}
    return [text[max(0, i - 30):i + 30] for i in mentions if i not in honest]


def test_nothing_suggests_cancer_research_uk_made_this_service(alexa: Conversation, call: CallSimulator) -> None:
    manifest = json.loads((Path(__file__).parent.parent / "interaction_models" / "skill-package" / "skill.json")
                          .read_text(encoding="utf-8"))["manifest"]
    listing = manifest["publishingInformation"]["locales"]["en-GB"]
    outlook = alexa.say("outlook")
    said = {
        "welcome": plain(speech(Conversation(alexa.client, alexa.pki).say("launch"))),
        "help": plain(speech(alexa.say("help"))),
        "card": outlook["response"]["card"]["content"],
        "summary": listing["summary"], "description": listing["description"],
        "phone welcome": heard("welcome")[0],
        **{f"message {name}": ANSWERS.message(name, title="Outlook", due="10 February 2024", first="the outlook",
                                                second="treatment aims")
           for name in CONTENT.messages},
    }
    assert {where: bad for where, text in said.items() if (bad := dishonest_mentions(text))} == {}
    assert "Based on Cancer Research UK's page" in said["card"]
    assert "not made by Cancer Research UK" in said["description"]


def test_the_welcomes_say_when_the_page_was_reviewed_and_when_it_was_due(alexa: Conversation) -> None:
    dates = "The page was last reviewed in February 2021, and was due for review in February 2024."
    assert dates in plain(speech(Conversation(alexa.client, alexa.pki).say("launch")))
    assert dates in heard("welcome")[0]


# --- the same over a served process, as Alexa and a browser meet it ---------------------------------------


def test_over_waitress_an_emergency_then_repeat_twice_says_the_numbers_each_time(app: Flask,
                                                                                  alexa_pki: AlexaPKI) -> None:
    attributes: dict[str, Any] = {}
    heard_back = []
    with LiveServer(app) as server:
        for turn, (name, slots) in enumerate([("launch", {}), ("ask_question", {"query": "he's collapsed"}),
                                              ("ask_question", {"query": "repeat"}), ("repeat", {})]):
            data = envelope(name, **slots)
            data["session"]["new"] = turn == 0
            data["session"]["attributes"] = copy.deepcopy(attributes)
            body = json.dumps(data).encode("utf-8")
            reply = requests.post(f"{server.url}/alexa", data=body, headers=signed_headers(body, alexa_pki),
                                  timeout=10)
            assert reply.status_code == 200, reply.text
            attributes = reply.json().get("sessionAttributes") or {}
            heard_back.append(plain(reply.json()["response"]["outputSpeech"]["ssml"]))
        page = requests.get(f"{server.url}/ask", params={"q": "help"}, timeout=10).text
    assert heard_back[1] == ANSWERS.urgent_with_offer()
    assert heard_back[2] == heard_back[3] == ANSWERS.urgent_again()
    assert "How to use this guide" in page and ANSWERS.topics_said() in page
