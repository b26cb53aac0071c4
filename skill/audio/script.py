"""What the audio says: every topic's short and full answer, and every telephone prompt, in order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..answers import Answers
from ..phone_menu import menu_prompt

Kind = Literal["short", "full", "prompt"]


@dataclass(frozen=True)
class AudioItem:
    name: str  # file stem: `where-it-spreads`, `where-it-spreads-full`, `menu-main`
    kind: Kind
    title: str
    text: str
    topic: str | None = None
    track: int | None = None  # position in the listening order, for ID3 and the playlist


def audio_items(answers: Answers) -> list[AudioItem]:
    """Topics in page order (short, then full), then the phone prompts."""
    content = answers.content
    items: list[AudioItem] = []
    for topic in content.topics:
        track = len(items) + 1
        items.append(AudioItem(topic.id, "short", topic.title, answers.short(topic), topic.id, track))
        items.append(AudioItem(f"{topic.id}-full", "full", f"{topic.title} (full section)",
                               answers.full(topic), topic.id, track + 1))
    return items + prompt_items(answers)


def prompt_items(answers: Answers) -> list[AudioItem]:
    phone = answers.content.phone
    prompts = {
        "welcome": ("Welcome", answers.fill(phone.welcome)),
        "help": ("Help", answers.help("phone")),
        **{f"menu-{m.id}": (f"Menu: {m.id}", menu_prompt(phone, m.id)) for m in phone.menus},
        "after-answer": ("After an answer", phone.after_answer),
        "after-urgent": ("After the numbers", phone.after_urgent),
        "no-thanks": ("Okay", answers.message("no_thanks")),
        "thanks": ("You're welcome", answers.message("thanks")),
        "not-an-option": ("Not an option", phone.not_an_option),
        "not-heard": ("Nothing heard", phone.not_heard),
        "out-of-scope": ("Not on this page", answers.message("out_of_scope")),
        "nurse-line": ("The nurse line", answers.message("nurse_line")),
        "urgent": ("Urgent help", answers.urgent_recording()),
        "urgent-again": ("The numbers again", answers.numbers_again()),
        "goodbye": ("Goodbye", answers.message("goodbye")),
        "clarify": ("Which did you mean?", answers.fill(phone.clarify)),
        # Two topics a caller's words could be about: one clip per topic and place in the choice.
        **{f"choice-{n}-{t.id}": (f"Choice {n}: {t.menu_label}", answers.choice(t.id, n))
           for n in (1, 2) for t in answers.content.topics},
    }
    return [AudioItem(name, "prompt", title, text) for name, (title, text) in prompts.items()]
