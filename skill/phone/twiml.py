"""A flow step -> TwiML: pre-made audio with <Play> when it exists, otherwise <Say> with the same words.

Answers play inside a <Gather>, so a key or words stop them at once. Each part of a full section has a
<Gather> of its own, whose action says which part was playing; a caller who says nothing goes on to the next
after a second (`PLAYING_SECONDS`, the shortest wait Twilio allows), no request made. The last <Gather> waits
`GATHER_SECONDS` and, with `actionOnEmptyResult`, brings silence back to the webhook; the <Redirect> after it
does the same on platforms that ignore that attribute.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

from .flow import WHOLE, Parts, Place, Step, plays_from

VOICE = {"voice": "Polly.Amy", "language": "en-GB"}
GATHER_SECONDS = "6"
PLAYING_SECONDS = "1"


def place_query(place: Place) -> str:
    fields: dict[str, str | int] = {"where": place.where, "name": place.name, "full": int(place.full)}
    if place.slow:
        fields["slow"] = 1
    if place.part is not None:
        fields["part"] = place.part
    return urlencode({**fields, "silences": place.silences})


def render(step: Step, texts: dict[str, str], audio_url: Callable[[str], str | None], action: str,
           hints: str, parts: Parts = WHOLE, slow: Collection[str] = ()) -> str:
    """`action` is the absolute URL of the webhook that hears the caller's key or words; `slow` names the
    recordings that <Say> reads slowly when they are not built."""
    response = ET.Element("Response")
    for name in step.say:
        _speak(response, name, texts, audio_url, slow)
    if step.then is None:
        ET.SubElement(response, "Hangup")
        return _document(response)
    heard = _merged(plays_from(step.then, parts))
    for number, (place, names) in enumerate(heard, start=1):
        last = number == len(heard)
        gather = ET.SubElement(response, "Gather", {
            "input": "dtmf speech", "action": f"{action}?{place_query(place)}", "method": "POST",
            "numDigits": "1", "timeout": GATHER_SECONDS if last else PLAYING_SECONDS, "speechTimeout": "auto",
            "language": "en-GB", "hints": hints, "finishOnKey": "", **({"actionOnEmptyResult": "true"} if last else {}),
        })
        for name in names:
            _speak(gather, name, texts, audio_url, slow)
    ET.SubElement(response, "Redirect", {"method": "POST"}).text = gather.get("action")  # silence, elsewhere
    return _document(response)


def _merged(heard: list[tuple[Place, tuple[str, ...]]]) -> list[tuple[Place, tuple[str, ...]]]:
    """One <Gather> for what plays in a row at one place (a short answer and the prompt after it)."""
    merged: list[tuple[Place, tuple[str, ...]]] = []
    for place, names in heard:
        if merged and merged[-1][0] == place:
            merged[-1] = (place, merged[-1][1] + names)
        else:
            merged.append((place, names))
    return merged


def _document(response: ET.Element) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>' + ET.tostring(response, encoding="unicode")


def _speak(parent: ET.Element, name: str, texts: dict[str, str], audio_url: Callable[[str], str | None],
           slow: Collection[str]) -> None:
    url = audio_url(name)
    if url:
        ET.SubElement(parent, "Play").text = url
    elif name in slow:  # SSML, which Twilio's Polly voices read: the same words, more slowly
        ET.SubElement(ET.SubElement(parent, "Say", VOICE), "prosody", {"rate": "slow"}).text = texts[name]
    else:
        ET.SubElement(parent, "Say", VOICE).text = texts[name]
