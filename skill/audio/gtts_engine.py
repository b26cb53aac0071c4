"""Google's British English voice through gTTS, sent by us so that failures retry and explain themselves.

gTTS splits the text and packs each part exactly as Google's Translate page does; this module only sends
those requests: with a timeout, retrying what may pass (HTTP 429, 5xx, dropped connections, timeouts) with
exponential backoff, and reading the audio out of each reply with gTTS's own pattern.
"""

from __future__ import annotations

import base64
import binascii
import logging
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
from gtts import gTTS  # type: ignore[import-untyped]

from .engines import SpeechEngineError

_LOGGER = logging.getLogger(__name__)

#: gTTS's own pattern (gtts/tts.py, ``gTTS.stream``) for the base64 MP3 in a batchexecute reply line.
_AUDIO = re.compile(r'jQ1olc","\[\\"(.*)\\"]')
#: Worth another try: the connection failed, timed out or broke off mid-reply.
_TRANSIENT = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)
#: A Retry-After longer than this is Google saying "not today": stop and say so rather than sit waiting.
MAX_RETRY_AFTER = 60.0
_OFFLINE = "To build the audio offline, use --engine espeak-ng."


@dataclass(frozen=True)
class GTTSEngine:
    """Google Translate's voice. ``retries`` is the number of tries after the first; ``sleep`` is injectable.

    Safe to share between threads: each thread gets its own ``requests.Session``. Google rate-limits
    eagerly, so the build runs at most 3 items at once with this engine. Call ``close`` when done.
    """

    lang: str = "en"
    tld: str = "co.uk"
    base_url: str | None = None
    timeout: float = 10.0
    retries: int = 4
    backoff: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    name: str = field(default="gtts", init=False)
    container: str = field(default="mp3", init=False)
    _local: threading.local = field(default_factory=threading.local, init=False, repr=False, compare=False)
    _sessions: list[requests.Session] = field(default_factory=list, init=False, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.retries < 0 or self.timeout <= 0 or self.backoff < 0:
            raise ValueError("retries and backoff must be 0 or more, timeout more than 0")

    @property
    def voice(self) -> str:
        return f"gtts:{self.lang}:{self.tld}"

    def slowly(self) -> SlowGTTS:
        return SlowGTTS(self)

    def synthesise(self, text: str, slow: bool = False) -> bytes:
        """``slow``: Google's own slower reading (gTTS's ``slow=True``), not the audio stretched afterwards."""
        parts = [self._send(request) for request in self.prepare(text, slow)]
        _LOGGER.debug("gTTS: %d part(s), %d bytes for %d characters", len(parts), sum(map(len, parts)), len(text))
        return b"".join(parts)

    def prepare(self, text: str, slow: bool = False) -> list[requests.PreparedRequest]:
        """The requests gTTS would send for ``text``, one per part of at most 100 characters, in order."""
        try:
            speech = gTTS(text, lang=self.lang, tld=self.tld, slow=slow) if text.strip() else None
            prepared = speech._prepare_requests() if speech else []
        except ValueError as exc:
            raise SpeechEngineError(f"gTTS cannot speak {self.lang!r} ({exc}). Probable cause: a language "
                                    "code gTTS does not know; `gtts-cli --all` lists those it does.") from exc
        except AssertionError:  # gTTS checks its input with assert: here, nothing left after cleaning
            prepared = []
        if not prepared:
            raise SpeechEngineError(f"Nothing to speak in {text[:40]!r}. Probable cause: the text is empty "
                                    "or only punctuation once the pronunciation table has been applied.")
        if self.base_url:
            for request in prepared:
                request.url = self.base_url.rstrip("/") + urlsplit(request.url).path
        return prepared

    def close(self) -> None:
        """Close every thread's session."""
        with self._lock:
            sessions, self._sessions[:] = list(self._sessions), []
        for session in sessions:
            session.close()

    def __enter__(self) -> GTTSEngine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _send(self, request: requests.PreparedRequest) -> bytes:
        attempts, attempt = self.retries + 1, 0
        while True:
            attempt += 1
            outcome = self._try(request)
            if isinstance(outcome, bytes):
                return outcome
            delay = self._delay(attempt, outcome)
            if attempt == attempts or delay is None:
                raise _gave_up(outcome, attempt, _host(request), self.timeout)
            _LOGGER.warning("gTTS: %s; trying again in %.1f s (attempt %d of %d)",
                            _describe(outcome, self.timeout), delay, attempt + 1, attempts)
            self.sleep(delay)

    def _try(self, request: requests.PreparedRequest) -> bytes | requests.Response | requests.RequestException:
        """The audio, or what went wrong if it may pass; raises at once when trying again will not help."""
        session = self._session()
        settings = session.merge_environment_settings(request.url or "", {}, None, None, None)  # proxies, CAs
        try:
            response = session.send(request, timeout=self.timeout, **settings)
        except _TRANSIENT as exc:
            return exc
        except requests.RequestException as exc:
            raise SpeechEngineError(f"Could not send the request to {_host(request)} ({exc}). "
                                    f"Probable cause: a malformed base URL or proxy setting. {_OFFLINE}") from exc
        if response.status_code == 429 or response.status_code >= 500:
            return response
        if response.status_code != 200:
            raise SpeechEngineError(_refused(response, self.tld))
        return _audio_in(response)

    def _delay(self, attempt: int, outcome: requests.Response | requests.RequestException) -> float | None:
        """Seconds to wait before the next try (``backoff`` doubling each time, plus up to 10 % jitter),
        or None when the reply's Retry-After is too long to wait for."""
        wait = self.backoff * 2.0 ** (attempt - 1)
        if isinstance(outcome, requests.Response):
            asked = _retry_after(outcome)
            if asked is not None and asked > MAX_RETRY_AFTER:
                return None
            wait = wait if asked is None else asked
        return wait * (1 + random.uniform(0, 0.1))

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            with self._lock:
                self._sessions.append(session)
        return session


@dataclass(frozen=True)
class SlowGTTS:
    """Google's voice reading slowly: the same engine (its sessions, retries and limits), a voice of its own."""

    engine: GTTSEngine

    @property
    def name(self) -> str:
        return self.engine.name

    @property
    def container(self) -> str:
        return self.engine.container

    @property
    def voice(self) -> str:
        return f"{self.engine.voice}:slow"

    def slowly(self) -> SlowGTTS:
        return self

    def synthesise(self, text: str) -> bytes:
        return self.engine.synthesise(text, slow=True)


def _audio_in(response: requests.Response) -> bytes:
    """The MP3 in a 200 reply, read line by line as gTTS does: every line naming the RPC must carry audio."""
    lines = (line.decode("utf-8", "replace") for line in response.content.splitlines())
    parts = [_base64(_AUDIO.search(line)) for line in lines if "jQ1olc" in line]
    if parts and None not in parts:
        return b"".join(part for part in parts if part)
    start = response.text[:80].strip().replace("\n", " ")
    raise SpeechEngineError(
        f"Google's reply had no audio in it (HTTP {response.status_code}, "
        f"{response.headers.get('Content-Type', 'no content type')}, starting {start!r}). Probable cause: "
        "Google sent a page instead of speech (a consent or 'unusual traffic' page) or changed its reply "
        f"format; try again later or update gTTS. {_OFFLINE}"
    )


def _base64(match: re.Match[str] | None) -> bytes | None:
    if match is None:
        return None
    try:
        return base64.b64decode(match.group(1).encode("ascii"), validate=True) or None
    except (binascii.Error, UnicodeEncodeError):
        return None


def _retry_after(response: requests.Response) -> float | None:
    """A numeric Retry-After header in seconds; the HTTP-date form is left to the backoff."""
    value: str = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _gave_up(outcome: requests.Response | requests.RequestException, attempts: int, host: str,
             timeout: float) -> SpeechEngineError:
    what = f"{_describe(outcome, timeout)}, {attempts} attempt{'s' if attempts > 1 else ''}"
    if isinstance(outcome, requests.RequestException):
        return SpeechEngineError(
            f"Could not reach Google's text-to-speech service ({host}: {what}). Probable cause: no internet "
            f"connection, or Google is blocking requests. {_OFFLINE}")
    if outcome.status_code == 429:
        asked = _retry_after(outcome)
        wait = f"Google asked for a wait of {asked:.0f} s. " if asked else ""
        return SpeechEngineError(
            f"Google's text-to-speech service is rate-limiting these requests ({host}: {what}). Probable cause: "
            f"too many requests in a short time. {wait}Wait a while and run the build again, "
            "or use --engine espeak-ng to build offline.")
    return SpeechEngineError(
        f"Google's text-to-speech service kept failing ({host}: {what}). Probable cause: a fault at Google's "
        f"end; try again later. {_OFFLINE}")


def _refused(response: requests.Response, tld: str) -> str:
    causes = {403: "Google changed its API or is refusing this client; updating gTTS may help",
              404: f"translate.google.{tld} does not offer this service; try another tld"}
    cause = causes.get(response.status_code, "Google changed what it accepts; updating gTTS may help")
    return (f"Google's text-to-speech service refused the request ({_host(response.request)}: "
            f"HTTP {response.status_code} {response.reason}). Probable cause: {cause}. {_OFFLINE}")


def _describe(outcome: requests.Response | requests.RequestException, timeout: float) -> str:
    if isinstance(outcome, requests.Response):
        return f"HTTP {outcome.status_code} {outcome.reason}".strip()
    if isinstance(outcome, requests.Timeout):
        return f"no reply within {timeout:g} s"
    errno = re.search(r"\[Errno -?\d+\][^')\"]*", str(outcome))
    return errno.group(0).strip() if errno else f"connection failed ({type(outcome).__name__})"


def _host(request: requests.PreparedRequest) -> str:
    return urlsplit(request.url or "").netloc
