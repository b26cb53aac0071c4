"""What is said: short and full answers from the content, and the SSML Alexa reads them from."""

from __future__ import annotations

from datetime import date

import pytest

from skill.answers import Answers, speakable, spoken_date
from skill.content import Content, load_content
from skill.readability import sentences
from skill.understand import Route
from skill.ssml import DEFAULT_RATE, MAX_RATE, MIN_RATE, clamp_rate, problems, to_ssml

AFTER_REVIEW_DUE = date(2026, 11, 24)


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content()


@pytest.fixture(scope="module")
def answers(content: Content) -> Answers:
    return Answers(content, today=lambda: AFTER_REVIEW_DUE)


def telephone(number: str) -> str:
    return f'<say-as interpret-as="telephone">{number}</say-as>'


# --- SSML --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "number"),
    [
        ("support", "0808 800 4040"),
        ("out_of_scope", "0808 800 4040"),
        ("nurse_line", "0808 800 4040"),
        ("urgent_numbers", "999"),
        ("urgent_numbers", "111"),
        ("urgent_numbers", "116 123"),
    ],
)
def test_numbers_to_dial_are_read_as_telephone_numbers(
    answers: Answers, content: Content, where: str, number: str
) -> None:
    text = answers.short(content.topic(where)) if where == "support" else answers.message(where)
    ssml = to_ssml(text)
    assert telephone(number) in ssml
    assert problems(ssml) == []


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("Call 999 now, or NHS 111.", ["999", "111"]),
        ("Samaritans: 116 123, any time.", ["116 123"]),
        ("Phone 0808 800 4040 on weekdays.", ["0808 800 4040"]),
        ("Annals of Oncology, 2018. Volume 29, Pages 1634–1657.", []),  # years and pages are not phone numbers
        ("In 1999 and 2111 nothing was dialled.", []),
    ],
)
def test_only_whole_phone_numbers_become_telephone_markup(text: str, numbers: list[str]) -> None:
    ssml = to_ssml(text)
    assert ssml.count("<say-as") == len(numbers)
    for number in numbers:
        assert telephone(number) in ssml


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("Fish & chips", "Fish &amp; chips"),
        ("If 5 < 6 then", "If 5 &lt; 6 then"),
        ("Q&A: <b>bold</b> & more", "Q&amp;A: &lt;b&gt;bold&lt;/b&gt; &amp; more"),
        ("Call 999 & say <where>", f"Call {telephone('999')} &amp; say &lt;where&gt;"),
    ],
)
def test_markup_characters_in_text_are_escaped_into_well_formed_ssml(text: str, escaped: str) -> None:
    ssml = to_ssml(text)
    assert ssml == escaped
    assert problems(ssml) == []


@pytest.mark.parametrize(
    "ssml",
    ["Fish & chips", "a <b>bold</b> claim", "<prosody rate='90%'>unclosed", "x" * 8000],
)
def test_problems_finds_what_alexa_would_refuse(ssml: str) -> None:
    assert problems(ssml) != []


@pytest.mark.parametrize("rate", [MIN_RATE, DEFAULT_RATE - 15, DEFAULT_RATE + 15, MAX_RATE])
def test_a_changed_rate_wraps_the_speech_in_prosody(answers: Answers, content: Content, rate: int) -> None:
    text = answers.short(content.topic("support"))
    ssml = to_ssml(text, rate=rate)
    assert ssml == f'<prosody rate="{rate}%">{to_ssml(text)}</prosody>'
    assert problems(ssml) == []


def test_the_usual_rate_adds_no_prosody(answers: Answers, content: Content) -> None:
    assert "<prosody" not in to_ssml(answers.short(content.topic("support")), rate=DEFAULT_RATE)


@pytest.mark.parametrize(
    ("asked", "used"), [(10, MIN_RATE), (MIN_RATE, MIN_RATE), (DEFAULT_RATE, DEFAULT_RATE), (500, MAX_RATE)]
)
def test_speaking_rate_stays_within_limits(asked: int, used: int) -> None:
    assert clamp_rate(asked) == used


# --- the sources answer and the review date -----------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "overdue"),
    [
        (date(2023, 1, 1), False),
        (date(2024, 2, 9), False),
        (date(2024, 2, 10), False),  # due that day, not yet past it
        (date(2024, 2, 11), True),
        (AFTER_REVIEW_DUE, True),
    ],
)
def test_sources_answer_names_the_publisher_and_dates_and_warns_once_past_review(
    content: Content, today: date, overdue: bool
) -> None:
    said = Answers(content, today=lambda: today).short(content.topic("sources"))
    assert "Cancer Research UK" in said
    assert f"last reviewed on {spoken_date(content.page.last_reviewed)}" in said
    assert "10 February 2021" in said
    past_review = "due to be checked again by 10 February 2024" in said and "out of date" in said
    assert past_review == overdue


def test_full_sources_answer_reads_out_the_references(answers: Answers, content: Content) -> None:
    said = answers.full(content.topic("sources"))
    assert said.startswith(answers.short(content.topic("sources")))
    for reference in content.page.references:
        assert reference.splitlines()[0] in said


# --- full sections ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("topic", "spoken_list"),
    [
        ("where-it-spreads", "most commonly goes to the liver, lungs, lymph nodes, brain and bones."),
        ("other-names", "are also called advanced cancers, metastases and metastatic cancer."),
        ("questions-for-doctor", "to understand what your diagnosis means, what is likely to happen, "
                                 "what treatment is available and how treatment can help you."),
    ],
)
def test_full_section_reads_a_bullet_list_as_a_spoken_list(
    answers: Answers, content: Content, topic: str, spoken_list: str
) -> None:
    assert spoken_list in answers.full(content.topic(topic))


@pytest.mark.parametrize(
    ("source", "spoken"),
    [
        ("Talk to:\n\n  • a\n  • b\n  • c\n\nThen rest", "Talk to a, b and c. Then rest."),
        ("Heading\n\nOnly one:\n  • item", "Heading. Only one item."),
        ("  • first\n  • second", "First and second."),
        ("Ends well.\nAsks why?", "Ends well. Asks why?"),
        ("Wiley Blackwell, 2015,", "Wiley Blackwell, 2015."),
    ],
)
def test_speakable_turns_page_layout_into_sentences(source: str, spoken: str) -> None:
    assert speakable(source) == spoken


@pytest.mark.parametrize("topic_id", [t.id for t in load_content().topics])
def test_every_answer_is_speakable_and_valid_ssml(answers: Answers, content: Content, topic_id: str) -> None:
    topic = content.topic(topic_id)
    for said in (answers.short(topic), answers.full(topic)):
        assert "•" not in said
        assert problems(to_ssml(said)) == []


@pytest.mark.parametrize("topic_id", [t.id for t in load_content().topics])
def test_every_short_answer_is_said_in_sentences_under_25_words(
    answers: Answers, content: Content, topic_id: str
) -> None:
    long_sentences = [s for s in sentences(answers.short(content.topic(topic_id))) if len(s.split()) >= 25]
    assert long_sentences == []


# --- the first thing said for a route -----------------------------------------------------------------


def test_each_kind_of_route_gets_its_own_first_words(answers: Answers, content: Content) -> None:
    assert answers.for_route(Route("answer", "outlook")) == content.topic("outlook").short
    first, numbers = answers.for_route(Route("urgent")).split(". ", 1)
    assert first == "I'm so sorry you're going through this, and I want you to get help now"  # no claim, no number
    assert numbers.startswith("If this is an emergency, call 999 now.")
    declined = answers.for_route(Route("out_of_scope"))
    assert "Sorry, I can't answer that." in declined
    assert f"{content.page.nurse_line.number}, {content.page.nurse_line.hours}" in declined


def test_topic_list_names_every_topic_in_order(answers: Answers, content: Content) -> None:
    said = answers.topic_list()
    where = [said.index(topic.menu_label) for topic in content.topics]
    assert where == sorted(where)
    assert f"and {content.topics[-1].menu_label}." in said
