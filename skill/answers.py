"""Answers in plain words from content: short and full sections, and the fixed messages around them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from .content import Content, Topic
from .understand import Move, Route

#: A bulleted line in the page text, as the page writes them.
BULLET = re.compile(r"^\s*[•*\-]\s*")
_ENDS_SENTENCE = (".", "?", "!", ":")


def spoken_date(day: date) -> str:
    """10 February 2021: the British way, which both Alexa and gTTS read naturally."""
    return f"{day.day} {day:%B %Y}"


def speakable(source: str) -> str:
    """Page text as one spoken passage: headings end with a full stop, bullet lists become 'a, b and c.'."""
    sentences: list[str] = []
    items: list[str] = []
    for line in [" ".join(ln.split()).rstrip(",") for ln in source.splitlines()] + [""]:
        if BULLET.match(line):
            items.append(BULLET.sub("", line))
            continue
        if items:
            listed = ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else items[0]
            if sentences:  # "goes to the:" + the list
                sentences[-1] = f"{sentences[-1].rstrip(':')} {listed}."
            else:
                sentences.append(f"{listed[0].upper()}{listed[1:]}.")
            items = []
        if line:
            sentences.append(line if line.endswith(_ENDS_SENTENCE) else line + ".")
    return " ".join(sentences)


def without_heading(text: str, title: str) -> str:
    """Page text without a first line that only repeats the section's title (said once, not twice)."""
    first, _, rest = text.strip().partition("\n")
    return rest.strip() if first.strip() == title.strip() else text.strip()


def as_sentence(text: str) -> str:
    return text if text.endswith(_ENDS_SENTENCE) else text + "."


@dataclass(frozen=True)
class Answers:
    """Everything the service says, from content, for any channel."""

    content: Content
    today: Callable[[], date] = field(default=date.today)

    def fill(self, text: str, **values: str) -> str:
        """Content text with its placeholders filled: the nurse line, the review dates, the topic list."""
        nurse = self.content.page.nurse_line
        known = {"number": nurse.number, "hours": nurse.hours, "review": self.review_dates(),
                 "topics": self.topics_said()}
        return text.format(**{**known, **values})

    def message(self, name: str, **values: str) -> str:
        if name == "review":  # its own placeholders are the dates
            return self.review_dates()
        return self.fill(self.content.messages[name], **values)

    def review_dates(self) -> str:
        """One sentence for the welcomes: when the page was last reviewed, and when it was (or is) due."""
        page = self.content.page
        clause = "was due for review" if page.is_overdue(self.today()) else "is due for review"
        return self.content.messages["review"].format(
            reviewed=f"{page.last_reviewed:%B %Y}", due=f"{page.next_review_due:%B %Y}", due_clause=clause)

    def review_note(self) -> str:
        """Said with the sources, and wherever dates are read, once the page is past its review date."""
        page = self.content.page
        if not page.is_overdue(self.today()):
            return ""
        return self.message("review_overdue", due=spoken_date(page.next_review_due))

    def topics_said(self, topics: Iterable[Topic] | None = None) -> str:
        """"a, b, and c": the topics' menu labels (every topic unless told which), as a spoken list."""
        labels = [t.menu_label for t in (self.content.topics if topics is None else topics)]
        return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + ", and " + labels[-1]

    def short(self, topic: Topic) -> str:
        if topic.id == "sources":
            return f"{topic.short} {self.review_note()}".strip()
        if topic.ends_with:
            return f"{topic.short} {self.message(topic.ends_with)}"
        return topic.short

    def full(self, topic: Topic) -> str:
        """The whole section as it is spoken: typos put right, its heading not repeated."""
        text = speakable(without_heading(topic.text, topic.title))
        if topic.id == "sources":
            text = f"{self.short(topic)} The references are: {text}"
        return text

    def full_intro(self, topic: Topic) -> str:
        return as_sentence(self.message("full_intro", title=topic.title))

    def topic_list(self) -> str:
        return self.message("list_topics")

    def help(self, channel: Literal["speaker", "page", "phone", "assistant"]) -> str:
        """The help message with the topic list, and what to do next on this channel."""
        tail = self.fill(self.content.phone.help) if channel == "phone" else self.message(f"help_{channel}")
        return f"{self.message('help')} {tail}"

    def urgent(self) -> str:
        """The safety reply where it is read or heard once: a human sentence, then the numbers."""
        return f"{self.message('urgent')} {self.message('urgent_numbers')}"

    def urgent_with_offer(self) -> str:
        return f"{self.urgent()} {self.message('urgent_offer')}"

    def numbers_again(self) -> str:
        """"Here are the numbers again", and the numbers: the telephone's replay."""
        return f"{self.message('urgent_again')} {self.message('urgent_numbers')}"

    def urgent_again(self) -> str:
        return f"{self.numbers_again()} {self.message('urgent_offer')}"

    def urgent_recording(self) -> str:
        """For the telephone: the numbers said twice, so a caller can write them down."""
        return f"{self.urgent()} {self.numbers_again()}"

    def clarify(self, topics: tuple[str, ...]) -> str:
        """"Did you mean where it spreads, or the outlook?": two topics a question could be about."""
        first, second = (self.content.topic(t).menu_label for t in topics[:2])
        return self.message("clarify", first=first, second=second)

    def choice(self, topic_id: str, position: int) -> str:
        """The telephone's way to choose: "For the outlook, press 2." (position 1 or 2)."""
        phone = self.content.phone
        text = phone.choice_first if position == 1 else phone.choice_second
        return self.fill(text, label=self.content.topic(topic_id).menu_label)

    def for_move(self, move: Move) -> str:
        """Navigation words where nothing was said before (the page, `ask`): what each means there."""
        said = {
            "more": "no_more", "repeat": "nothing_to_repeat", "no": "no_thanks", "thanks": "thanks",
            "goodbye": "goodbye", "what_else": "list_topics", "slower": "speed_page", "faster": "speed_page",
        }
        name = said.get(move.action)
        return self.message(name) if name else self.help("page")

    def for_route(self, route: Route) -> str:
        """The first thing said for a question: the short answer, the honest decline, safety numbers, help."""
        if route.kind == "urgent":
            return self.urgent()
        if route.kind == "navigation" and route.move is not None:
            return self.for_move(route.move)
        if route.kind == "clarify" and len(route.topics) == 2:
            return self.clarify(route.topics)
        if route.kind == "out_of_scope" or route.topic is None:
            return self.message("out_of_scope")
        return self.short(self.content.topic(route.topic))
