"""Home Assistant Assist over Wyoming: a real `python -m skill serve-wyoming` process on loopback, spoken to the
way Home Assistant's Wyoming conversation agent speaks to it (the `wyoming` package's own client; a connection
per utterance; `context.conversation_id` across turns). The same hard-moment table as every other channel.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from skill.answers import Answers
from skill.audio.sentences import split_sentences
from skill.content import load_content
from skill.wyoming.info import version
from tests.support.wyoming_speaker import run, Speaker, WyomingService, describe, handled_text

TABLE = yaml.safe_load((Path(__file__).parent / "fixtures" / "sensitive.yaml").read_text(encoding="utf-8"))
CONTENT = load_content()
ANSWERS = Answers(CONTENT)
EMERGENCY = re.compile(r"\b999\b|Samaritans|116 123")
MARKUP = re.compile(r"<[^>]*>|&[a-z]+;")
AMBIGUOUS, FIRST, SECOND = "will the cancer kill me", "outlook", "treatment-aims"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WyomingService]:
    running = WyomingService.start(tmp_path_factory.mktemp("wyoming") / "serve-wyoming.log")
    yield running
    assert running.stop() == 0, running.log.read_text()


@pytest.fixture
def speaker(service: WyomingService, request: pytest.FixtureRequest) -> Speaker:
    """A new conversation for each test (its id from the test's name, so no two tests share one)."""
    return service.speaker(f"01JD{abs(hash(request.node.nodeid)):022d}"[:26])


def short(topic_id: str) -> str:
    return ANSWERS.short(CONTENT.topic(topic_id))


def offer_after(topic_id: str, full: bool = False) -> str:
    """What Alexa says after an answer, word for word: the offer of more, and the next topic."""
    topic = CONTENT.topic(topic_id)
    offer = (ANSWERS.message("offer_next", title=CONTENT.topic(topic.next).menu_label) if topic.next
             else ANSWERS.message("reprompt"))
    return offer if full else f"{ANSWERS.message('offer_more')} {offer}"


# --- what Home Assistant learns when it adds the service --------------------------------------------------


def test_describe_offers_one_installed_english_handle_program_named_and_attributed_honestly(
        service: WyomingService) -> None:
    info = run(describe(service.port))
    assert (info.asr, info.tts, info.intent, info.wake, info.satellite) == ([], [], [], [], None)
    (program,) = info.handle
    assert program.installed and program.name == "Secondary breast cancer guide"
    assert program.attribution.name.startswith("Based on Cancer Research UK's page")
    assert "not made by Cancer Research UK" in program.attribution.name
    assert program.version == version() != "unknown"
    assert program.description is not None and "not medical advice" in program.description
    (model,) = program.models
    assert model.installed and "en" in model.languages and "en-GB" in model.languages


# --- each topic, in words ----------------------------------------------------------------------------------


@pytest.mark.parametrize("topic", CONTENT.topics, ids=lambda t: t.id)
def test_each_topic_asked_in_words_gets_its_short_answer_then_the_offers_as_plain_text(
        speaker: Speaker, topic: Any) -> None:
    said = speaker.say(topic.samples[0])
    assert said == f"{short(topic.id)} {offer_after(topic.id)}"
    assert not MARKUP.search(said) and said.endswith("?")


def test_an_utterance_without_a_conversation_is_answered_and_remembered_nowhere(service: WyomingService) -> None:
    alone = service.speaker(conversation_id=None)
    assert alone.say("where does it spread").startswith(short("where-it-spreads"))
    assert alone.say("tell me more") == f"{ANSWERS.message('no_more')} {ANSWERS.message('reprompt')}"


# --- a conversation across turns ---------------------------------------------------------------------------


def test_tell_me_more_yes_and_repeat_follow_the_conversation(speaker: Speaker) -> None:
    spread = CONTENT.topic("where-it-spreads")
    speaker.say("where does breast cancer spread")
    full = speaker.say("tell me more")
    assert full == f"{ANSWERS.full_intro(spread)} {ANSWERS.full(spread)} {offer_after(spread.id, full=True)}"
    nxt = spread.next or ""
    assert speaker.say("yes") == f"{short(nxt)} {offer_after(nxt)}"
    assert speaker.say("repeat") == speaker.heard[-2]
    assert speaker.say("say that again") == speaker.heard[-3]


def test_two_conversations_at_once_do_not_mix(service: WyomingService) -> None:
    mine, yours = service.speaker("01JDMINE000000000000000000"), service.speaker("01JDYOURS00000000000000000")
    mine.say("what is the outlook")
    yours.say("how might i feel")
    assert mine.say("tell me more").startswith(ANSWERS.full_intro(CONTENT.topic("outlook")))
    assert yours.say("tell me more").startswith(ANSWERS.full_intro(CONTENT.topic("feelings")))


def test_slower_says_honestly_it_cannot_slow_the_voice_then_gives_the_answer_in_parts(speaker: Speaker) -> None:
    topic = "feelings"
    speaker.say("how might i feel")
    said = speaker.say("slower")
    assert said.startswith(ANSWERS.message("slower_assistant"))
    assert said.endswith(ANSWERS.message("go_on"))
    parts = [said.removeprefix(ANSWERS.message("slower_assistant")).removesuffix(ANSWERS.message("go_on")).strip()]
    while (said := speaker.say("yes")).endswith(ANSWERS.message("go_on")):
        parts.append(said.removesuffix(ANSWERS.message("go_on")).strip())
        assert len(split_sentences(parts[-1])) <= 2
    parts.append(said.removesuffix(offer_after(topic)).strip())
    assert len(parts) >= 3
    assert " ".join(parts) == short(topic)  # every word, in order, nothing added
    nxt = CONTENT.topic(topic).next or ""
    assert speaker.say("yes").startswith(short(nxt)[:40])  # after the last part, "yes" is the next topic
    assert speaker.say("faster") == f"{ANSWERS.message('faster_assistant')} {ANSWERS.message('reprompt')}"
    assert speaker.say("how might i feel") == f"{short(topic)} {offer_after(topic)}"


def test_no_in_the_middle_of_the_parts_stops_them(speaker: Speaker) -> None:
    speaker.say("slower")
    assert speaker.say("how might i feel").endswith(ANSWERS.message("go_on"))
    assert speaker.say("no") == CONTENT.messages["no_thanks"]
    assert speaker.say("yes") == ANSWERS.message("reprompt")


def test_what_else_lists_the_topics_not_yet_heard(speaker: Speaker) -> None:
    speaker.say("where does it spread")
    speaker.say("what is the outlook")
    said = speaker.say("what else")
    labels = {t.id: t.menu_label for t in CONTENT.topics}
    assert said.startswith("You can ask about: ") and said.endswith("Which would you like?")
    assert labels["where-it-spreads"] not in said and labels["outlook"] not in said
    assert all(label in said for topic_id, label in labels.items() if topic_id not in ("where-it-spreads", "outlook"))


def test_goodbye_ends_the_conversation_and_forgets_it(speaker: Speaker) -> None:
    speaker.say("what is the outlook")
    assert speaker.say("goodbye") == CONTENT.messages["goodbye"]
    assert speaker.say("repeat") == CONTENT.messages["nothing_to_repeat"]


def test_an_ambiguous_question_asks_which_and_takes_the_answer(speaker: Speaker) -> None:
    assert speaker.say(AMBIGUOUS) == ANSWERS.clarify((FIRST, SECOND))
    assert speaker.say("the second one").startswith(short(SECOND))
    assert speaker.say(AMBIGUOUS) == ANSWERS.clarify((FIRST, SECOND))
    assert speaker.say("yes").startswith(short(FIRST))


# --- beyond the page, help ------------------------------------------------------------------------------


@pytest.mark.parametrize("question", ["what's the weather tomorrow", "what dose of tamoxifen should i take",
                                      "play some music", "turn on the kitchen light"])
def test_a_question_beyond_the_page_is_declined_honestly_as_a_handled_reply(speaker: Speaker,
                                                                            question: str) -> None:
    said = speaker.say(question)
    assert said == f"{ANSWERS.message('out_of_scope')} {ANSWERS.message('reprompt')}"
    assert not EMERGENCY.search(said)


def test_help_lists_every_topic_and_says_what_slower_means_here(speaker: Speaker) -> None:
    said = speaker.say("what can i ask")
    assert said == ANSWERS.help("assistant")
    assert ANSWERS.topics_said() in said and "a little at a time" in said and "change my speed" not in said


# --- the hard-moment table every channel runs -------------------------------------------------------------


@pytest.mark.parametrize("row", TABLE["calm"], ids=[r["say"] for r in TABLE["calm"]])
def test_a_calm_question_gets_its_answer_never_the_emergency_numbers(speaker: Speaker, row: dict[str, str]) -> None:
    said = speaker.say(row["say"])
    assert said == f"{short(row['topic'])} {offer_after(row['topic'])}"
    assert not EMERGENCY.search(said)


@pytest.mark.parametrize("words", TABLE["urgent"])
def test_an_emergency_gets_a_kind_word_and_the_numbers_then_again_on_request(speaker: Speaker, words: str) -> None:
    said = speaker.say(words)
    assert said == ANSWERS.urgent_with_offer()
    assert split_sentences(said)[0] == CONTENT.messages["urgent"]
    assert speaker.say("yes") == ANSWERS.urgent_again()
    assert speaker.say("repeat") == ANSWERS.urgent_again()


def test_slower_after_the_numbers_never_splits_them(speaker: Speaker) -> None:
    speaker.say("slower")
    assert speaker.say("i want to kill myself") == ANSWERS.urgent_with_offer()


#: Just after the outlook's answer: what each navigation word leads to on this speaker.
AFTER_THE_OUTLOOK = {
    "help": lambda: ANSWERS.help("assistant"),
    "main_menu": lambda: ANSWERS.help("assistant"),
    "goodbye": lambda: CONTENT.messages["goodbye"],
    "no": lambda: CONTENT.messages["no_thanks"],
    "thanks": lambda: CONTENT.messages["thanks"],
    "yes": lambda: f"{short(CONTENT.topic('outlook').next or '')} {offer_after(CONTENT.topic('outlook').next or '')}",
    "more": lambda: (f"{ANSWERS.full_intro(CONTENT.topic('outlook'))} {ANSWERS.full(CONTENT.topic('outlook'))} "
                     f"{offer_after('outlook', full=True)}"),
    "key": lambda: ANSWERS.message("fallback"),
    "faster": lambda: f"{ANSWERS.message('faster_assistant')} {ANSWERS.message('reprompt')}",
}


@pytest.mark.parametrize("row", TABLE["navigation"], ids=[r["say"] for r in TABLE["navigation"]])
def test_each_navigation_word_does_what_it_says_after_an_answer(speaker: Speaker, row: dict[str, str]) -> None:
    answered = speaker.say("how long have i got")
    said = speaker.say(row["say"])
    action = row["action"]
    if action == "repeat":
        assert said == answered
    elif action == "slower":
        assert said.startswith(f"{ANSWERS.message('slower_assistant')} {short('outlook')[:30]}")
    elif action == "what_else":
        assert said.startswith("You can ask about: ") and CONTENT.topic("outlook").menu_label not in said
    else:
        assert said == AFTER_THE_OUTLOOK[action]()
    assert not EMERGENCY.search(said.replace(CONTENT.page.nurse_line.number, ""))


# --- nothing about the person is kept in the log ------------------------------------------------------------


def test_the_log_holds_neither_what_was_said_nor_the_conversation(tmp_path: Path) -> None:
    running = WyomingService.start(tmp_path / "log.txt")
    try:
        private = "my sister jacqueline has a lump near her collarbone"
        run(handled_text(running.port, private, "01JDPRIVATECONVERSATION000"))
        run(handled_text(running.port, "i want to die", "01JDPRIVATECONVERSATION000"))
    finally:
        assert running.stop() == 0
    log = running.log.read_text()
    assert "Serving Wyoming on" in log and "Stopped." in log
    assert "jacqueline" not in log and "collarbone" not in log and "die" not in log
    assert "01JDPRIVATE" not in log
