"""What the audio says: every topic's short and full answer, the short one read slowly, every telephone prompt."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..answers import Answers
from ..phone_menu import menu_prompt

Kind = Literal["short", "full", "slow", "prompt"]


@dataclass(frozen=True)
class AudioItem:
    name: str  # file stem: `where-it-spreads`, `where-it-spreads-full`, `where-it-spreads-slow`, `menu-main`
    kind: Kind
    title: str
    text: str
    topic: str | None = None
    track: int | None = None  # position in the listening order, for ID3 and the playlist


def audio_items(answers: Answers) -> list[AudioItem]:
    """Topics in page order (short, then full), each short answer read more slowly, then the phone prompts."""
    content = answers.content
    items: list[AudioItem] = []
    for topic in content.topics:
        track = len(items) + 1
        items.append(AudioItem(topic.id, "short", topic.title, answers.short(topic), topic.id, track))
        items.append(AudioItem(f"{topic.id}-full", "full", f"{topic.title} (full section)",
                               answers.full(topic), topic.id, track + 1))
    slower = [AudioItem(f"{topic.id}-slow", "slow", f"{topic.title} (read slowly)", answers.short(topic), topic.id)
              for topic in content.topics]
    return items + slower + prompt_items(answers)


def part_name(name: str, number: int) -> str:
    """A part of a full section's telephone recording (`outlook-full-part2`; numbered from 1). Topic ids have
    no digits, so no part is ever named like a topic's recording."""
    return f"{name}-part{number}"


def prompt_items(answers: Answers) -> list[AudioItem]:
    phone = answers.content.phone
    prompts = {
        "welcome": ("Welcome", answers.fill(phone.welcome)),
        "help": ("Help", answers.help("phone")),
        **{f"menu-{m.id}": (f"Menu: {m.id}", menu_prompt(phone, m.id)) for m in phone.menus},
        "after-answer": ("After an answer", phone.after_answer),
        "after-full": ("After a full section", phone.after_full),
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
