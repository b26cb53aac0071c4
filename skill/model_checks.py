"""Find what Alexa's model build would reject in generated interaction models, before uploading them."""

from __future__ import annotations

import re
from typing import Any

MAX_SAMPLE_CHARS = 200
MAX_INVOCATION_CHARS = 50
SEARCH_QUERY = "AMAZON.SearchQuery"
LAUNCH_WORDS = (
    "ask", "tell", "open", "launch", "begin", "load", "play", "resume", "run", "start", "talk to", "use", "enable",
)
WAKE_WORDS = ("alexa", "amazon", "echo", "computer", "skill", "app")
#: A two-word invocation name may not spend one of its words on these.
FILLER_WORDS = ("the", "a", "an", "for", "to", "of")

_SLOT_REF = re.compile(r"\{([^{}]*)\}")
_SAMPLE_TEXT = re.compile(r"[A-Za-z'. ]*")
_INVOCATION_TEXT = re.compile(r"[a-z'. ]*")


def check_models(models: dict[str, dict[str, Any]]) -> list[str]:
    """Every problem in the interaction models, once each, naming the locales it affects."""
    where: dict[str, list[str]] = {}
    for path, model in sorted(models.items()):
        language_model = model.get("interactionModel", {}).get("languageModel")
        if language_model is None:
            continue
        locale = path.rsplit("/", 1)[-1].removesuffix(".json")
        for problem in check_language_model(language_model):
            where.setdefault(problem, []).append(locale)
    return [f"{problem} ({', '.join(locales)})" for problem, locales in where.items()]


def check_language_model(language_model: dict[str, Any]) -> list[str]:
    """Problems in one `languageModel`: its invocation name, then its intents and their samples."""
    problems = check_invocation_name(language_model.get("invocationName", ""))
    owner: dict[str, str] = {}
    for intent in language_model.get("intents", []):
        name = intent["name"]
        slots = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
        seen_here: set[str] = set()
        for sample in intent.get("samples", []):
            problems += check_sample(name, sample, slots)
            key = " ".join(sample.lower().split())
            first = owner.setdefault(key, name)
            if first != name:
                problems.append(f'The utterance "{sample}" is a sample of both {first} and {name}.')
            elif key in seen_here:
                problems.append(f'{name}: the utterance "{sample}" appears twice.')
            seen_here.add(key)
    return problems


def check_sample(intent: str, sample: str, slots: dict[str, str]) -> list[str]:
    """Problems with one sample utterance of `intent`, whose declared slots are `slots` (name -> type)."""
    problems: list[str] = []
    refs = _SLOT_REF.findall(sample)
    bare = _SLOT_REF.sub(" ", sample)
    bad = sorted(set(_SAMPLE_TEXT.sub("", bare)))
    if bad:
        chars = " ".join(repr(c) for c in bad)
        hint = " (spell numbers as words)" if any(c.isdigit() for c in bad) else ""
        problems.append(
            f'{intent}: the utterance "{sample}" contains {chars}; samples may only hold letters, '
            f"apostrophes, periods, spaces and {{slot}} references{hint}."
        )
    for ref in refs:
        if ref not in slots:
            problems.append(
                f'{intent}: the utterance "{sample}" uses the slot {{{ref}}}, which {intent} does not declare.'
            )
        elif slots[ref] == SEARCH_QUERY and not bare.strip():
            problems.append(
                f'{intent}: the utterance "{sample}" is only the {SEARCH_QUERY} slot {{{ref}}}; '
                "it needs a carrier phrase around it."
            )
    if len(sample) > MAX_SAMPLE_CHARS:
        problems.append(
            f'{intent}: the utterance "{sample[:40]}..." is {len(sample)} characters; the limit is {MAX_SAMPLE_CHARS}.'
        )
    return problems


def check_invocation_name(name: str) -> list[str]:
    """Problems with an invocation name under Alexa's rules (brand exceptions cannot be known here)."""
    problems: list[str] = []
    words = name.split()
    plain = [word.strip(".").lower() for word in words]
    spaced = f" {' '.join(plain)} "
    if len(words) < 2:
        problems.append(f'The invocation name "{name}" needs two or more words unless it is a brand name.')
    if not _INVOCATION_TEXT.fullmatch(name):
        problems.append(
            f'The invocation name "{name}" may only hold lower-case letters, spaces, apostrophes and periods.'
        )
    for word in LAUNCH_WORDS:
        if f" {word} " in spaced:
            problems.append(f'The invocation name "{name}" contains the launch word "{word}".')
    for word in WAKE_WORDS:
        if word in plain:
            problems.append(f'The invocation name "{name}" contains the word "{word}", which Alexa reserves.')
    if len(words) == 2 and any(word in FILLER_WORDS for word in plain):
        problems.append(
            f'The invocation name "{name}" has only two words, so neither may be "the", "a", "an", "for", "to" or "of".'
        )
    if len(name) > MAX_INVOCATION_CHARS:
        problems.append(f'The invocation name "{name}" is {len(name)} characters; the limit is {MAX_INVOCATION_CHARS}.')
    return problems
