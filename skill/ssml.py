"""Plain answer text -> SSML for Alexa: escaping, telephone numbers, speaking rate, limits."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

#: Alexa rejects a response whose output speech is longer than this.
MAX_SPEECH_CHARS = 8000
#: Numbers people must be able to dial: spoken digit by digit, never as "nine hundred and ninety-nine".
PHONE_NUMBER = re.compile(r"\b(0\d{3} \d{3} \d{4}|116 123|999|111)\b")
ALLOWED_TAGS = frozenset({"speak", "say-as", "prosody", "break", "p", "s", "emphasis", "sub", "audio", "lang"})
DEFAULT_RATE = 100
RATE_STEP = 15
MIN_RATE, MAX_RATE = 70, 130


#: Between sentences of the safety numbers, so they can be written down.
SLOW_PAUSE = '<break time="600ms"/>'
_SENTENCE_END = re.compile(r"(?<=[.?!]) (?=[A-Z])")


def to_ssml(text: str, rate: int = DEFAULT_RATE, slow: bool = False) -> str:
    """Inner SSML (no `<speak>`: ask-sdk-core adds it) for a plain-text answer. `slow`: numbers said
    slowly, with a pause after each sentence (the safety numbers)."""
    number = r'<say-as interpret-as="telephone">\1</say-as>'
    if slow:
        number = f'<prosody rate="slow">{number}</prosody>'
    body = PHONE_NUMBER.sub(number, escape(text))
    if slow:
        body = _SENTENCE_END.sub(f" {SLOW_PAUSE}", body)
    if rate != DEFAULT_RATE:
        body = f'<prosody rate="{rate}%">{body}</prosody>'
    return body


def clamp_rate(rate: int) -> int:
    return max(MIN_RATE, min(MAX_RATE, rate))


def fit(text: str, limit: int = MAX_SPEECH_CHARS - 500) -> str:
    """Cut over-long speech at a sentence end, leaving room for markup."""
    if len(text) <= limit:
        return text
    cut = text.rfind(". ", 0, limit)
    return text[: cut + 1 if cut > 0 else limit]


def fitted_ssml(text: str, tail: str = "", rate: int = DEFAULT_RATE, slow: bool = False) -> str:
    """`text` (cut at a sentence end if need be) then `tail` (kept whole: the question that follows) as inner
    SSML that, wrapped in `<speak>`, stays within Alexa's limit whatever the markup adds."""
    limit = MAX_SPEECH_CHARS - 500 - len(tail)
    while True:
        spoken = fit(text, max(limit, 0))
        ssml = to_ssml(f"{spoken} {tail}".strip(), rate, slow)
        if len(ssml) + len("<speak></speak>") <= MAX_SPEECH_CHARS or limit <= 0:
            return ssml
        limit -= 500


def problems(ssml: str) -> list[str]:
    """What Alexa would refuse in this SSML: bad XML, unknown tags, too long."""
    found = []
    wrapped = ssml if ssml.startswith("<speak>") else f"<speak>{ssml}</speak>"
    if len(wrapped) > MAX_SPEECH_CHARS:
        found.append(f"speech is {len(wrapped)} characters; Alexa allows {MAX_SPEECH_CHARS}")
    try:
        root = ET.fromstring(wrapped)
    except ET.ParseError as exc:
        return [*found, f"not well-formed SSML: {exc}"]
    found.extend(f"tag <{el.tag}> is not SSML Alexa supports" for el in root.iter() if el.tag not in ALLOWED_TAGS)
    return found
