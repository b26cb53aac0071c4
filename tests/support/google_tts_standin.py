"""A local stand-in for Google Translate's speech endpoint that speaks its batchexecute wire format.

gTTS posts ``f.req=<URL-encoded JSON>`` to /_/TranslateWebserverUi/data/batchexecute; Google answers with
the ``)]}'`` guard line, a blank line, then length-prefixed frames, one of them the ``wrb.fr`` line that
carries the MP3 in base64. This host does the same with a real MP3: a tone 0.02 s long per character of the
text (so tests can tell parts apart by length) at a pitch of the text's own. Requests can be scripted to
fail the ways Google fails: HTTP 429 or 5xx, no reply, a dropped connection, a page with no audio in it.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import socket
import threading
import zlib
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import lameenc  # type: ignore[import-not-found]  # a C extension without stubs
import numpy as np

_LOGGER = logging.getLogger(__name__)

PATH = "/_/TranslateWebserverUi/data/batchexecute"
RPC_ID = "jQ1olc"
SAMPLE_RATE = 24000
SECONDS_PER_CHARACTER = 0.02
#: What Google sends when it has had enough of us (shortened).
SORRY_PAGE = (b"<html><head><title>Sorry...</title></head>"
              b"<body>Our systems have detected unusual traffic from your computer network.</body></html>")
CONSENT_PAGE = b"<!DOCTYPE html><html><head><title>Before you continue to Google</title></head></html>"


@dataclass(frozen=True)
class Received:
    """One well-formed request, as unpacked from its ``f.req`` field."""

    text: str
    lang: str
    slow: bool
    user_agent: str


@dataclass(frozen=True)
class Scripted:
    """How to answer one request instead of with speech; use the constants and ``http_error`` below."""

    kind: str
    status: int = 200
    retry_after: str | None = None


def http_error(status: int, retry_after: str | None = None) -> Scripted:
    """Answer with HTTP ``status`` (and a Retry-After header when given) and Google's HTML error page."""
    return Scripted("status", status, retry_after)


#: Answer as usual, with speech (to let some requests through before a scripted failure).
SPEAK = Scripted("speak")
#: Read the request, then say nothing until the stand-in stops (or ``hang_seconds`` pass) and hang up.
HANG = Scripted("hang")
#: Read the request and close the connection without a reply.
DROP = Scripted("drop")
#: A 200 with an HTML page, as when Google redirects to its consent page.
HTML_PAGE = Scripted("html")
#: A 200 batchexecute reply with no jQ1olc line at all.
NO_AUDIO = Scripted("no_audio")
#: A 200 batchexecute reply whose jQ1olc line has null where the audio goes (Google's "no" to an RPC).
NULL_AUDIO = Scripted("null_audio")


@functools.lru_cache(maxsize=512)
def speech_for(text: str) -> bytes:
    """The MP3 the stand-in says ``text`` with: like Google's, MPEG-2 layer III, 24 kHz mono, 32 kb/s, CBR."""
    samples = np.arange(round(expected_seconds(text) * SAMPLE_RATE)) / SAMPLE_RATE
    pitch = 300 + zlib.crc32(text.encode("utf-8")) % 500
    pcm = (0.3 * 32767 * np.sin(2 * np.pi * pitch * samples)).astype("<i2")
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(32)
    encoder.set_in_sample_rate(SAMPLE_RATE)
    encoder.set_out_sample_rate(SAMPLE_RATE)
    encoder.set_channels(1)
    encoder.set_quality(7)
    return bytes(encoder.encode(pcm.tobytes())) + bytes(encoder.flush())


def expected_seconds(text: str) -> float:
    return SECONDS_PER_CHARACTER * len(text)


def batchexecute(*frames: str) -> bytes:
    """Google's framing: the guard line, a blank line, and each frame after its length in characters
    (the length counts the newline before the frame and the one after it)."""
    return (")]}'\n\n" + "".join(f"{len(frame) + 2}\n{frame}\n" for frame in frames)).encode("utf-8")


def speech_reply(audio: bytes | None) -> bytes:
    """The reply to one jQ1olc call: the base64 MP3 in a JSON list inside a JSON string; for None, null
    and an error code there instead, as Google answers a call it will not make."""
    if audio is None:
        call = f'[["wrb.fr","{RPC_ID}",null,null,null,[3],"generic"]'
    else:
        payload = json.dumps(json.dumps([base64.b64encode(audio).decode("ascii")]))
        call = f'[["wrb.fr","{RPC_ID}",{payload},null,null,null,"generic"]'
    frame = call + '\n,["di",54]\n,["af.httprm",53,"-5207467305397419063",21]\n]'
    return batchexecute(frame, f'[["e",4,null,null,{len(frame) + 64}]\n]')


def no_call_reply() -> bytes:
    """A well-framed reply that answers no call at all."""
    return batchexecute('[["di",12]\n,["af.httprm",12,"-5207467305397419063",3]\n]', '[["e",4,null,null,98]\n]')


def unpack(body: bytes) -> tuple[str, str, str, bool]:
    """(rpc id, text, language, slow) from a form body packed as gTTS's ``_package_rpc`` packs it."""
    try:
        (f_req,) = parse_qs(body.decode("ascii"))["f.req"]
        [[[rpc_id, parameter, _, _]]] = json.loads(f_req)
        text, lang, speed, _ = json.loads(parameter)
    except (KeyError, TypeError, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"not a batchexecute call: {exc}") from exc
    if not isinstance(text, str) or not isinstance(lang, str):
        raise ValueError("not a batchexecute call: text and language must be strings")
    return rpc_id, text, lang, speed is True


@dataclass
class RecordedSleeps:
    """A ``sleep`` that notes how long it was asked to wait, and returns at once."""

    delays: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@dataclass(frozen=True)
class _Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False
    drop: bool = False


@dataclass
class GoogleTTSStandIn:
    """translate.google.<tld> on 127.0.0.1: ``base_url`` goes to ``GTTSEngine(base_url=...)``.

    ``received`` lists well-formed requests in arrival order; ``request_count`` counts every POST.
    ``script(...)`` queues answers for the next requests; when the queue is empty it speaks.
    """

    hang_seconds: float = 5.0
    received: list[Received] = field(default_factory=list)
    request_count: int = 0
    _script: deque[Scripted] = field(default_factory=deque, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _stopping: threading.Event = field(default_factory=threading.Event, repr=False)
    _connections: set[socket.socket] = field(default_factory=set, repr=False)
    _server: _Server | None = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        assert self._server is not None, "the stand-in is not running"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def texts(self) -> list[str]:
        with self._lock:
            return [request.text for request in self.received]

    def script(self, *answers: Scripted) -> None:
        """Answer the next requests with ``answers``, one each, then speak again."""
        with self._lock:
            self._script.extend(answers)

    def start(self) -> GoogleTTSStandIn:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.standin = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Shut down and cut open connections: from now on connections are refused, as if Google were gone."""
        if self._server is None or self._thread is None:
            return
        self._stopping.set()
        self._server.shutdown()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._server.server_close()
        self._thread.join()
        self._thread = None

    def answer(self, path: str, body: bytes, user_agent: str) -> _Reply:
        with self._lock:
            self.request_count += 1
        if path.split("?")[0] != PATH:
            return _Reply(404, b"<html><body>Not Found</body></html>", "text/html; charset=utf-8")
        try:
            rpc_id, text, lang, slow = unpack(body)
        except ValueError as exc:
            return _Reply(400, str(exc).encode("utf-8"), "text/plain; charset=utf-8")
        if rpc_id != RPC_ID:
            return _Reply(400, f"unknown rpc id {rpc_id!r}".encode("utf-8"), "text/plain; charset=utf-8")
        with self._lock:
            self.received.append(Received(text, lang, slow, user_agent))
            scripted = self._script.popleft() if self._script else None
        if scripted is None or scripted == SPEAK:
            return _Reply(body=speech_reply(speech_for(text)))
        return _misbehave(scripted)

    def _track(self, connection: socket.socket, open_: bool) -> None:
        with self._lock:
            (self._connections.add if open_ else self._connections.discard)(connection)


def _misbehave(scripted: Scripted) -> _Reply:
    html = "text/html; charset=utf-8"
    if scripted.kind == "status":
        headers = {"Retry-After": scripted.retry_after} if scripted.retry_after is not None else {}
        return _Reply(scripted.status, SORRY_PAGE, html, headers)
    return {
        "hang": _Reply(hang=True),
        "drop": _Reply(drop=True),
        "html": _Reply(200, CONSENT_PAGE, html),
        "no_audio": _Reply(body=no_call_reply()),
        "null_audio": _Reply(body=speech_reply(None)),
    }[scripted.kind]


class _Server(ThreadingHTTPServer):
    standin: GoogleTTSStandIn


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive, as Google does

    def setup(self) -> None:
        super().setup()
        self.server.standin._track(self.connection, open_=True)

    def finish(self) -> None:
        self.server.standin._track(self.connection, open_=False)
        super().finish()

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        standin = self.server.standin
        reply = standin.answer(self.path, body, self.headers.get("User-Agent", ""))
        if reply.hang:
            standin._stopping.wait(standin.hang_seconds)
        if reply.hang or reply.drop:
            self.close_connection = True
            return
        self.send_response(reply.status)
        for name, value in {"Content-Type": reply.content_type, **reply.headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's naming
        _LOGGER.debug("google stand-in: " + format, *args)
