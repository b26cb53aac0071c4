"""Behave like Twilio on one call: signed webhooks, TwiML followed verb by verb, and what the caller heard.

The signature is made here with Twilio's documented recipe, not with `skill.phone.signature`, so a mistake in
the app's check cannot be hidden by the same mistake in the test.

Time, as Twilio documents it for <Gather>: the <Say> and <Play> nested in a <Gather> play while it listens,
and a key (or words, unless `bargeIn="false"`) stops them at once and goes to its `action`; its `timeout`
starts only when they have all played. A <Gather> that hears nothing carries on with the next verb, or with
`actionOnEmptyResult="true"` requests its `action` with neither Digits nor SpeechResult. Verbs outside a
<Gather> cannot be interrupted. The simulator lets the caller wait through <Gather>s that go straight on to
another one (the parts of a recording, each listening on its own), so an action happens at the last of them
unless it names, with `during=`, the recording it interrupts.
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
    """A <Play> is heard as the name of the file it plays (`menu-main`); a <Say> as its words (SSML included)."""
    if verb.tag == "Play":
        return PurePosixPath(urlsplit(verb.text or "").path).stem
    return "".join(verb.itertext())


def spoken_in(verb: ET.Element) -> list[str]:
    return [heard_as(v) for v in verb if v.tag in ("Play", "Say")]


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
    #: What the caller's last action stopped: the recording it interrupted, and all that would have followed.
    cut_short: list[str] = field(default_factory=list, init=False)
    #: The <Gather>s listening one after another (each nested part's own), the last waiting for the caller.
    _stretch: list[ET.Element] = field(default_factory=list, init=False, repr=False)
    _after_gather: list[ET.Element] = field(default_factory=list, init=False, repr=False)
    _url: str = field(default="", init=False, repr=False)

    # What the caller does

    def start(self) -> list[str]:
        return self.post_to(f"{self.base_url}/phone/voice", CallStatus="ringing")

    def press(self, digits: str, during: str | None = None) -> list[str]:
        """Keys pressed while the platform listens: once all has played, or `during` the recording named.

        Twilio passes on at most `numDigits` keys, stops at `finishOnKey` (# unless set), and takes that key
        pressed before any other as no input at all: it carries on as after silence.
        """
        gather, cut = self._listening("dtmf", during)
        finish = gather.get("finishOnKey", "#")
        if finish:
            digits = digits.split(finish, 1)[0]
        digits = digits[:int(gather.get("numDigits") or len(digits) or 1)]
        if not digits:
            if gather is not self._stretch[-1]:
                raise CallFailed("the simulator does not model finishOnKey ending a <Gather> before the last")
            return self.silence()
        return self._act(gather, cut, Digits=digits)

    def say(self, words: str, confidence: float = 0.9, during: str | None = None) -> list[str]:
        gather, cut = self._listening("speech", during)
        if cut and gather.get("bargeIn", "true") == "false":
            raise CallFailed(f"bargeIn is off: words do not stop {during}")
        return self._act(gather, cut, SpeechResult=words, Confidence=str(confidence))

    def silence(self) -> list[str]:
        """The last <Gather> times out: it requests its action if `actionOnEmptyResult` is true, else the
        platform carries on with the verbs after it (the <Redirect>)."""
        gather, _ = self._listening()
        if gather.get("actionOnEmptyResult", "false") == "true":
            return self.post_to(self._action(gather))  # neither Digits nor SpeechResult
        rest = self._after_gather
        self._begin_action()
        self._run(rest)
        return self.heard

    def _act(self, gather: ET.Element, cut: list[str], **fields: str) -> list[str]:
        self.post_to(self._action(gather), **fields)
        self.cut_short = cut
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
        self.heard, self.cut_short = [], []
        self._stretch, self._after_gather = [], []

    def _listening(self, needs: str = "", during: str | None = None) -> tuple[ET.Element, list[str]]:
        """The <Gather> that hears the caller, and what their action cuts short. It must listen for `needs`
        (dtmf or speech). Without `during` it is the last one, everything played; with it, the <Gather> the
        recording `during` plays in, which stops at once, with all that would have followed it."""
        if self.ended:
            raise CallFailed("the call has ended")
        if not self._stretch:
            raise CallFailed("nothing is listening for the caller")
        gather, cut = self._stretch[-1], list[str]()
        if during is not None:
            gather, cut = self._interrupted(during)
        if needs and needs not in gather.get("input", "dtmf").split():
            raise CallFailed(f"the <Gather> does not listen for {needs}")
        return gather, cut

    def _interrupted(self, during: str) -> tuple[ET.Element, list[str]]:
        playing = [(gather, name) for gather in self._stretch for name in spoken_in(gather)]
        names = [name for _, name in playing]
        if during not in names:
            where = "plays outside any <Gather>, so Twilio hears nothing until it ends" if during in self.heard \
                else "is not playing"
            raise CallFailed(f"{during!r} {where}")
        at = names.index(during)
        return playing[at][0], names[at:]

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
                    self.heard.extend(spoken_in(verb))
                    self._stretch.append(verb)
                    rest = verbs[position + 1:]
                    if verb.get("actionOnEmptyResult", "false") != "true" and rest and rest[0].tag == "Gather":
                        continue  # silence goes straight on to the next <Gather>: the caller listens on
                    self._after_gather = rest
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
