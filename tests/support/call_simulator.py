"""Behave like Twilio on one call: signed webhooks, TwiML followed verb by verb, and what the caller heard.

The signature is made here with Twilio's documented recipe, not with `skill.phone.signature`, so a mistake in
the app's check cannot be hidden by the same mistake in the test.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree as ET

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

INCOMING_CALL = Path(__file__).resolve().parent.parent / "fixtures" / "phone" / "incoming_call.json"
#: Twilio gives up on a document that only redirects; so does the simulator, long before Twilio would.
MAX_REDIRECTS = 10


class CallFailed(AssertionError):
    """What a caller would meet as "an application error has occurred", silence, or a dropped call."""


def twilio_signature(token: str, url: str, params: Mapping[str, str] | Iterable[tuple[str, str]]) -> str:
    """base64(HMAC-SHA1(token, url + each POST parameter's name and value, sorted by name))."""
    pairs = sorted(params.items() if isinstance(params, Mapping) else params)
    payload = url + "".join(name + value for name, value in pairs)
    return base64.b64encode(hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()).decode()


def call_params(**changes: str) -> dict[str, str]:
    """The form fields Twilio sends with every request of an incoming call (from the fixture file)."""
    params: dict[str, str] = json.loads(INCOMING_CALL.read_text(encoding="utf-8"))
    return {**params, **changes}


def heard_as(verb: ET.Element) -> str:
    """A <Play> is heard as the name of the file it plays (`menu-main`); a <Say> as its words."""
    if verb.tag == "Play":
        return PurePosixPath(urlsplit(verb.text or "").path).stem
    return verb.text or ""


@dataclass(frozen=True)
class TlsProxy:
    """A reverse proxy in front of the app: the platform calls https://public-host, the app hears plain http.

    `forwards` says whether it passes on X-Forwarded-Proto and X-Forwarded-Host; `strips` is a path prefix it
    takes off (the app published at https://example.org/voice/ and served at the internal root).
    """

    forwards: bool = True
    strips: str = ""
    internal_base: str = "http://app.internal:8000"


@dataclass
class CallSimulator:
    """One incoming call. `heard` is what the caller heard since their last action."""

    client: FlaskClient
    token: str
    base_url: str = "https://phone.example.org"
    proxy: TlsProxy | None = None
    caller: dict[str, str] = field(default_factory=call_params)
    heard: list[str] = field(default_factory=list, init=False)
    ended: bool = field(default=False, init=False)
    #: Every TwiML document of the call, in order, for checks on the markup itself.
    responses: list[ET.Element] = field(default_factory=list, init=False)
    _gather: ET.Element | None = field(default=None, init=False, repr=False)
    _after_gather: list[ET.Element] = field(default_factory=list, init=False, repr=False)
    _url: str = field(default="", init=False, repr=False)

    # What the caller does

    def start(self) -> list[str]:
        return self.post_to(f"{self.base_url}/phone/voice", CallStatus="ringing")

    def press(self, digits: str) -> list[str]:
        """Keys pressed while the platform listens.

        Twilio passes on at most `numDigits` keys, stops at `finishOnKey` (# unless set), and takes that key
        pressed before any other as no input at all: it carries on as after silence.
        """
        gather = self._listening("dtmf")
        finish = gather.get("finishOnKey", "#")
        if finish:
            digits = digits.split(finish, 1)[0]
        digits = digits[:int(gather.get("numDigits") or len(digits) or 1)]
        if not digits:
            return self.silence()
        return self.post_to(self._action(gather), Digits=digits)

    def say(self, words: str, confidence: float = 0.9) -> list[str]:
        gather = self._listening("speech")
        return self.post_to(self._action(gather), SpeechResult=words, Confidence=str(confidence))

    def silence(self) -> list[str]:
        """The <Gather> times out: the platform carries on with the verbs after it (the <Redirect>)."""
        self._listening()
        rest = self._after_gather
        self._begin_action()
        self._run(rest)
        return self.heard

    # What the platform does

    def post_to(self, url: str, **fields: str) -> list[str]:
        """Request `url` now, as if TwiML had sent the platform there, and carry on from its answer."""
        self._begin_action()
        self._run(self._request(url, **fields))
        return self.heard

    def _begin_action(self) -> None:
        if self.ended:
            raise CallFailed("the call has ended")
        self.heard = []
        self._gather, self._after_gather = None, []

    def _listening(self, needs: str = "") -> ET.Element:
        """The <Gather> waiting for the caller; it must listen for `needs` (dtmf or speech)."""
        if self.ended:
            raise CallFailed("the call has ended")
        if self._gather is None:
            raise CallFailed("nothing is listening for the caller")
        if needs and needs not in self._gather.get("input", "dtmf").split():
            raise CallFailed(f"the <Gather> does not listen for {needs}")
        return self._gather

    def _action(self, gather: ET.Element) -> str:
        if gather.get("method", "POST").upper() != "POST":
            raise CallFailed("the simulator only follows POST webhooks")
        return urljoin(self._url, gather.get("action") or self._url)

    def _request(self, url: str, **fields: str) -> list[ET.Element]:
        """POST to `url` as the platform would, signed; the TwiML verbs of the answer."""
        if not url.startswith(self.base_url + "/"):
            raise CallFailed(f"the platform cannot reach {url}: the app is at {self.base_url}")
        params = {**self.caller, "CallStatus": "in-progress", **fields}
        reply = self._send(url, params, {"X-Twilio-Signature": twilio_signature(self.token, url, params)})
        body = reply.get_data(as_text=True)
        if reply.status_code != 200:
            raise CallFailed(f"POST {url} -> {reply.status_code}: {body}")
        if reply.mimetype not in ("text/xml", "application/xml"):
            raise CallFailed(f"POST {url} -> {reply.mimetype}, not TwiML")
        root = ET.fromstring(body)
        if root.tag != "Response":
            raise CallFailed(f"POST {url} -> <{root.tag}>, not <Response>")
        self.responses.append(root)
        self._url = url
        return list(root)

    def _send(self, url: str, params: dict[str, str], headers: dict[str, str]) -> TestResponse:
        """Straight to the app, or through the proxy as it would pass the request on."""
        parts = urlsplit(url)
        base, path = f"{parts.scheme}://{parts.netloc}", parts.path
        if self.proxy:
            base = self.proxy.internal_base
            if self.proxy.forwards:
                headers = {**headers, "X-Forwarded-Proto": parts.scheme, "X-Forwarded-Host": parts.netloc}
            if self.proxy.strips and path.startswith(self.proxy.strips + "/"):
                path = path.removeprefix(self.proxy.strips)
        target = path + (f"?{parts.query}" if parts.query else "")
        return self.client.post(target, base_url=base, data=params, headers=headers)

    def _run(self, verbs: list[ET.Element]) -> None:
        for _ in range(MAX_REDIRECTS):
            for position, verb in enumerate(verbs):
                if verb.tag in ("Play", "Say"):
                    self.heard.append(heard_as(verb))
                elif verb.tag == "Gather":
                    self.heard.extend(heard_as(v) for v in verb if v.tag in ("Play", "Say"))
                    self._gather, self._after_gather = verb, verbs[position + 1:]
                    return
                elif verb.tag == "Hangup":
                    self.ended = True
                    return
                elif verb.tag == "Redirect":
                    verbs = self._request(urljoin(self._url, (verb.text or "").strip()))
                    break
                elif verb.tag != "Pause":
                    raise CallFailed(f"unexpected TwiML verb <{verb.tag}>")
            else:
                raise CallFailed(f"dead end: nothing to listen for, no <Redirect>, no <Hangup/> after {self.heard}")
        raise CallFailed(f"more than {MAX_REDIRECTS} redirects in a row")
