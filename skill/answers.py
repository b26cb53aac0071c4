"""Answers in plain words from content: short and full sections, and the fixed messages around them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from .content import Content, Topic
from .router import Route

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


@dataclass(frozen=True)
class Answers:
    """Everything the service says, from content, for any channel."""

    content: Content
    today: Callable[[], date] = field(default=date.today)

    def message(self, name: str, **values: str) -> str:
        nurse = self.content.page.nurse_line
        return self.content.messages[name].format(number=nurse.number, hours=nurse.hours, **values)

    def review_note(self) -> str:
        """Said with the sources, and wherever dates are read, once the page is past its review date."""
        page = self.content.page
        if not page.is_overdue(self.today()):
            return ""
        return self.message("review_overdue", due=spoken_date(page.next_review_due))

    def short(self, topic: Topic) -> str:
        if topic.id == "sources":
            return f"{topic.short} {self.review_note()}".strip()
        return topic.short

    def full(self, topic: Topic) -> str:
        text = speakable(topic.source)
        if topic.id == "sources":
            text = f"{self.short(topic)} The references are: {text}"
        return text

    def topic_list(self) -> str:
        labels = [t.menu_label for t in self.content.topics]
        return self.message("list_topics", topics=", ".join(labels[:-1]) + ", and " + labels[-1])

    def for_route(self, route: Route) -> str:
        """The first thing said for a question: the short answer, or the honest decline, or safety numbers."""
        if route.kind == "urgent":
            return self.message("urgent")
        if route.kind == "out_of_scope" or route.topic is None:
            return self.message("out_of_scope")
        return self.short(self.content.topic(route.topic))
