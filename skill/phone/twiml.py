"""A flow step -> TwiML: pre-made audio with <Play> when it exists, otherwise <Say> with the same words."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

from .flow import Place, Step, listen_prompts

VOICE = {"voice": "Polly.Amy", "language": "en-GB"}
GATHER_SECONDS = "6"


def place_query(place: Place) -> str:
    return urlencode({"where": place.where, "name": place.name, "full": int(place.full), "silences": place.silences})


def render(step: Step, texts: dict[str, str], audio_url: Callable[[str], str | None], action: str,
           hints: str) -> str:
    """`action` is the absolute URL of the webhook that hears the caller's key or words."""
    response = ET.Element("Response")
    for name in step.say:
        _speak(response, name, texts, audio_url)
    if step.then is None:
        ET.SubElement(response, "Hangup")
    else:
        url = f"{action}?{place_query(step.then)}"
        gather = ET.SubElement(response, "Gather", {
            "input": "dtmf speech", "action": url, "method": "POST", "numDigits": "1", "timeout": GATHER_SECONDS,
            "speechTimeout": "auto", "language": "en-GB", "hints": hints, "finishOnKey": "",
        })
        for prompt in listen_prompts(step.then):
            _speak(gather, prompt, texts, audio_url)
        ET.SubElement(response, "Redirect", {"method": "POST"}).text = url  # reached only on silence
    return '<?xml version="1.0" encoding="UTF-8"?>' + ET.tostring(response, encoding="unicode")


def _speak(parent: ET.Element, name: str, texts: dict[str, str], audio_url: Callable[[str], str | None]) -> None:
    url = audio_url(name)
    if url:
        ET.SubElement(parent, "Play").text = url
    else:
        ET.SubElement(parent, "Say", VOICE).text = texts[name]
