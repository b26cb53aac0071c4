"""What the page shows, from content: topic sections with their text blocks and audio, and answers to questions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ..answers import BULLET
from ..content import Topic
from ..service import Service
from .shelf import Shelf, Track

#: Telephone numbers as the content writes them: 999, NHS 111, 116 123, 0808 800 4040.
_PHONE_NUMBER = re.compile(r"(?<!\d)(?<!\d )(999|111|116 123|0\d{3} \d{3} \d{4})(?! ?\d)")
MAX_QUESTION = 300


@dataclass(frozen=True)
class Block:
    """A paragraph (its lines, usually one) or a bulleted list (its items)."""

    kind: Literal["paragraph", "list"]
    lines: tuple[str, ...]


@dataclass(frozen=True)
class TopicSection:
    topic: Topic
    short: str
    blocks: tuple[Block, ...]
    short_audio: Track | None
    full_audio: Track | None


@dataclass(frozen=True)
class WebAnswer:
    question: str
    kind: Literal["answer", "out_of_scope", "urgent", "navigation", "clarify"]
    text: str
    topic: Topic | None
    audio: Track | None
    #: Urgent: the numbers, one sentence each, shown first. Navigation ("help"): whether to list the topics.
    lines: tuple[str, ...] = ()
    list_topics: bool = False
    #: Clarify: the two topics the question could be about, the likelier first.
    choices: tuple[Topic, ...] = ()


def blocks(source: str, title: str = "") -> tuple[Block, ...]:
    """Page text -> blocks; a first paragraph that only repeats the section's heading is left out."""
    found: list[Block] = []
    for chunk in re.split(r"\n\s*\n", source.strip()):
        lines = [" ".join(line.split()) for line in chunk.splitlines() if line.strip()]
        bullets = [line for line in lines if BULLET.match(line)]
        if bullets and len(bullets) == len(lines):
            found.append(Block("list", tuple(BULLET.sub("", line) for line in lines)))
        elif bullets:  # "goes to the:" followed by its list, written without a blank line between
            found.append(Block("paragraph", tuple(line for line in lines if not BULLET.match(line))))
            found.append(Block("list", tuple(BULLET.sub("", line) for line in bullets)))
        elif lines:
            found.append(Block("paragraph", tuple(lines)))
    if found and found[0].lines == (title,):
        found.pop(0)
    return tuple(found)


def topic_sections(service: Service, shelf: Shelf) -> list[TopicSection]:
    sections = []
    for topic in service.content.topics:
        if topic.id == "sources":  # one reference per paragraph, each on its own lines
            text = tuple(Block("paragraph", tuple(ref.splitlines())) for ref in service.content.page.references)
        else:
            text = blocks(topic.text, topic.title)
        sections.append(TopicSection(topic, service.answers.short(topic), text,
                                     shelf.tracks.get(topic.id), shelf.tracks.get(f"{topic.id}-full")))
    return sections


def answer(service: Service, shelf: Shelf, question: str) -> WebAnswer:
    """The same router and the same words as the phone: the short answer, the honest decline, the safety
    numbers, or what a navigation word means on a page ("help": the help message and the topics)."""
    route = service.router.route(question)
    text = service.answers.for_route(route)
    if route.kind == "answer" and route.topic:
        topic = service.content.topic(route.topic)
        return WebAnswer(question, "answer", text, topic, shelf.tracks.get(topic.id))
    if route.kind == "urgent":
        numbers = tuple(sentences(service.answers.message("urgent_numbers")))
        return WebAnswer(question, "urgent", service.answers.message("urgent"), None, shelf.tracks.get("urgent"),
                         lines=numbers)
    if route.kind == "clarify" and len(route.topics) == 2:
        return WebAnswer(question, "clarify", text, None, None,
                         choices=tuple(service.content.topic(t) for t in route.topics))
    if route.kind == "navigation" and route.move is not None:
        action = route.move.action
        if action in ("slower", "faster") and shelf.empty:  # no recordings yet, so no speed buttons to point to
            action, text = "help", service.answers.help("page")
        listed = action in ("help", "main_menu", "key", "yes", "what_else")
        return WebAnswer(question, "navigation", text, None, None, list_topics=listed)
    return WebAnswer(question, "out_of_scope", text, None, shelf.tracks.get("out-of-scope"))


def sentences(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"(?<=[.?!])\s+", text) if part.strip()]


def clean_question(raw: str) -> str:
    """What was typed, on one line: control characters dropped, runs of spaces made one."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in raw).split())


def question_problem(question: str) -> str | None:
    """Why a typed question cannot be asked, in words for the person who typed it; None when it can."""
    if not question:
        return "Please type a question in the box, then press Get an answer."
    if len(question) > MAX_QUESTION:
        return (f"Your question is {len(question)} characters long. Please shorten it to "
                f"{MAX_QUESTION} characters or fewer.")
    return None


def tel_href(number: str) -> str:
    """0808 800 4040 -> tel:+448088004040; short numbers (999, 111, 116 123) are dialled as they are."""
    digits = re.sub(r"\D", "", number)
    if len(digits) == 11 and digits.startswith("0"):
        return f"tel:+44{digits[1:]}"
    return f"tel:{digits}"


def phone_number_spans(text: str) -> list[tuple[str, str | None]]:
    """Text -> pieces; each telephone number comes with the tel: link to dial it."""
    pieces: list[tuple[str, str | None]] = []
    last = 0
    for match in _PHONE_NUMBER.finditer(text):
        pieces.append((text[last:match.start()], None))
        pieces.append((match.group(1), tel_href(match.group(1))))
        last = match.end()
    pieces.append((text[last:], None))
    return [(piece, href) for piece, href in pieces if piece]
