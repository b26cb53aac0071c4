"""The page's building blocks: page text into paragraphs and lists, telephone links, sizes and lengths in words."""

from __future__ import annotations

import pytest

from skill.content import Topic, load_content
from skill.web.page import Block, blocks, clean_question, phone_number_spans, question_problem, tel_href
from skill.web.shelf import Download, Track

CONTENT = load_content()


def test_a_bulleted_list_becomes_a_list_after_its_lead_in() -> None:
    topic = CONTENT.topic("where-it-spreads")
    assert blocks(topic.source, topic.title) == (
        Block("paragraph", ("Breast cancer can spread anywhere but most commonly goes to the:",)),
        Block("list", ("liver", "lungs", "lymph nodes", "brain", "bones")),
    )


def test_a_list_written_straight_after_its_lead_in_is_still_a_list() -> None:
    assert blocks("Ask about:\n• one\n• two") == (
        Block("paragraph", ("Ask about:",)), Block("list", ("one", "two")),
    )


@pytest.mark.parametrize("topic", CONTENT.topics, ids=lambda t: t.id)
def test_every_word_of_the_source_is_kept_except_a_repeated_heading(topic: Topic) -> None:
    shown = " ".join(" ".join(b.lines) for b in blocks(topic.source, topic.title))
    source = topic.source.removeprefix(topic.title + "\n")
    assert shown.split() == source.replace("•", " ").split()


@pytest.mark.parametrize(("number", "href"), [
    ("0808 800 4040", "tel:+448088004040"), ("999", "tel:999"), ("111", "tel:111"), ("116 123", "tel:116123"),
])
def test_telephone_numbers_dial_from_a_mobile(number: str, href: str) -> None:
    assert tel_href(number) == href


def test_numbers_in_the_urgent_message_become_links_and_nothing_else_does() -> None:
    urgent = CONTENT.messages["urgent_numbers"]
    assert [href for _, href in phone_number_spans(urgent) if href] == ["tel:999", "tel:111", "tel:116123"]
    assert "".join(piece for piece, _ in phone_number_spans(urgent)) == urgent
    references = " ".join(CONTENT.page.references)
    assert [href for _, href in phone_number_spans(references) if href] == []


@pytest.mark.parametrize(("typed", "asked"), [
    ("  where does it\tspread \n", "where does it spread"), ("bones\x00?", "bones ?"), ("\x1b[31mred", "[31mred"),
])
def test_typed_questions_are_cleaned_of_control_characters(typed: str, asked: str) -> None:
    assert clean_question(typed) == asked


@pytest.mark.parametrize(("question", "problem"), [
    ("", "Please type a question"),
    ("x" * 301, "Please shorten it to 300 characters or fewer"),
    ("x" * 300, None),
])
def test_questions_that_cannot_be_asked_say_why(question: str, problem: str | None) -> None:
    found = question_problem(question)
    assert (found is None) if problem is None else (problem in (found or ""))


@pytest.mark.parametrize(("size", "words"), [(1, "1 KB"), (45_400, "45 KB"), (2_430_000, "2.4 MB"), (24_100_000, "24 MB")])
def test_download_sizes_read_the_way_people_say_them(size: int, words: str) -> None:
    assert Download("x.mp3", size).size_words == words


@pytest.mark.parametrize(("seconds", "words"), [
    (0.2, "1 second"), (7.4, "7 seconds"), (60.0, "1 minute"), (65.2, "1 minute 5 seconds"), (150, "2 minutes 30 seconds"),
])
def test_lengths_read_the_way_people_say_them(seconds: float, words: str) -> None:
    assert Track("x.mp3", 1, seconds).duration_words == words
