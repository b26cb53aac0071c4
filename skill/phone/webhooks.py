"""`/phone/...`: Twilio (or any TwiML platform) webhooks. Signed requests only; nothing about callers is kept."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request

from .. import addresses
from ..audio.pronounce import Pronunciations
from ..audio.script import audio_items
from ..phone_menu import MAIN_MENU
from ..service import Service
from ..understand import MAX_QUESTION_CHARS
from . import flow
from .sections import PartsCache
from .signature import signature_matches
from .twiml import render

_LOGGER = logging.getLogger(__name__)
STATE = "phone_state"
#: The pronunciation table's section for the platform's `<Say>` voice: none of its own, so the common one.
SAY_ENGINE = "say"

bp = Blueprint("phone", __name__, url_prefix="/phone")


class PhoneState:
    """Built once: the words of every prompt and answer, the speech hints, and where to read the full
    sections' telephone parts from."""

    def __init__(self, service: Service, pronunciations: Pronunciations, audio_dir: str | Path) -> None:
        self.service = service
        items = audio_items(service.answers)
        # Said by the platform's voice until the audio is built: numbers digit by digit, as the recordings say them.
        self.texts = {item.name: pronunciations.apply(item.text, SAY_ENGINE) for item in items}
        self.slow = frozenset(item.name for item in items if item.kind == "slow")
        self.parts = PartsCache(audio_dir)
        content = service.content
        labels = [o.label for m in content.phone.menus for o in m.options] + [t.menu_label for t in content.topics]
        self.hints = ", ".join(dict.fromkeys(labels))


def init_app(app: Flask, service: Service) -> None:
    app.extensions[STATE] = PhoneState(service, Pronunciations.load(app.config["PRONUNCIATIONS_PATH"]),
                                       app.config["AUDIO_DIR"])
    if not app.config["PHONE_VERIFY_SIGNATURES"]:
        _LOGGER.warning("PHONE_VERIFY_SIGNATURES is off: /phone accepts requests without checking they come "
                        "from Twilio. Use it only for local testing.")
    elif not app.config["TWILIO_AUTH_TOKEN"]:
        _LOGGER.warning("TWILIO_AUTH_TOKEN is not set: the /phone webhooks will refuse every request.")
    app.register_blueprint(bp)


def public_base() -> str:
    """The app's public root as Twilio calls it: PHONE_PUBLIC_BASE_URL, or the request's (`addresses.py`)."""
    return addresses.public_base(current_app.config["PHONE_PUBLIC_BASE_URL"])


def public_url() -> str:
    """The URL the platform called, as it signed it."""
    return public_base() + request.full_path.rstrip("?")


@bp.before_request
def verify() -> Any:
    config = current_app.config
    if not config["PHONE_VERIFY_SIGNATURES"]:
        return None
    token = config["TWILIO_AUTH_TOKEN"]
    if not token:
        return {"error": "phone webhooks are not configured: set TWILIO_AUTH_TOKEN"}, 403
    signature = request.headers.get("X-Twilio-Signature", "")
    params = [(k, v) for k, values in request.form.lists() for v in values]
    if not signature or not signature_matches(token, public_url(), params, signature):
        return {"error": "missing or invalid X-Twilio-Signature"}, 403
    return None


def twiml(step: flow.Step, parts: flow.Parts = flow.WHOLE) -> Response:
    state: PhoneState = current_app.extensions[STATE]
    base = public_base()
    xml = render(step, state.texts, lambda name: _audio_url(base, name), f"{base}/phone/heard", state.hints,
                 parts, state.slow)
    return Response(xml, mimetype="text/xml")


def _audio_url(base: str, name: str) -> str | None:
    folder = Path(current_app.config["AUDIO_DIR"])
    if (folder / "phone" / f"{name}.wav").is_file():
        return f"{base}/audio/phone/{name}.wav"
    return None


@bp.post("/voice")
def voice() -> Response:
    return twiml(flow.start())


@bp.post("/heard")
def heard() -> Any:
    state: PhoneState = current_app.extensions[STATE]
    parts = state.parts.current()
    place = _place(state, parts)
    if place is None:
        return twiml(flow.Step(("not-an-option",), flow.Place("menu", MAIN_MENU)), parts)
    digits = request.form.get("Digits", "").strip()
    words = request.form.get("SpeechResult", "")[:MAX_QUESTION_CHARS].strip()  # bounded at the edge
    phone = state.service.content.phone
    if digits:
        return twiml(flow.on_key(phone, place, digits, parts), parts)
    if words:
        return twiml(flow.on_speech(state.service.router, phone, place, words, parts), parts)
    return twiml(flow.on_silence(place, parts), parts)  # also actionOnEmptyResult: Twilio sends no Digits


def _place(state: PhoneState, parts: flow.Parts) -> flow.Place | None:
    """The caller's place from the action URL; anything unknown starts again at the main menu."""
    args = request.args
    where, name = args.get("where", ""), args.get("name", "")
    content = state.service.content
    known = {"menu": {m.id for m in content.phone.menus}, "answer": set(content.topic_ids), "urgent": {flow.URGENT}}
    if where == "choice":  # two different topics
        pair = name.split(" ")
        if len(pair) != 2 or pair[0] == pair[1] or not known["answer"].issuperset(pair):
            return None
    elif where not in known or name not in known[where]:
        return None
    try:
        silences = max(0, min(int(args.get("silences", "0")), flow.SILENCES_BEFORE_GOODBYE))
    except ValueError:
        silences = 0
    full, slow, part = args.get("full") == "1", args.get("slow") == "1", args.get("part")
    if slow and (where != "answer" or full or part is not None):
        return None  # a slower reading is of a short answer
    if part is not None and not (where == "answer" and full and part.isascii() and part.isdigit()
                                 and len(part) <= 3 and int(part) < flow.part_count(name, parts)):
        return None  # the part of a full section playing: 0 to its last
    return flow.Place(where, name, full, silences, slow,  # type: ignore[arg-type]
                      None if part is None else int(part))
