"""Download, validate and cache the certificate chain Alexa signs its requests with."""

from __future__ import annotations

import http.client
import logging
import posixpath
import re
import threading
import time
import urllib.error
import urllib.request
import warnings
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import unquote, urlsplit

import certifi
from cryptography import x509
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509 import verification

from ..errors import SkillError

_LOGGER = logging.getLogger(__name__)

#: The DNS name Amazon's signing certificate must carry in its subjectAltName.
SIGNING_CERT_DNS_NAME = "echo-api.amazon.com"

_PEM_CERTIFICATE = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)

Fetch = Callable[[str], bytes]
Clock = Callable[[], datetime]


class VerificationError(SkillError):
    """A request failed Alexa's verification; ``str(error)`` is a short reason fit for an HTTP 400."""


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def fetch_url(url: str, timeout: float = 5.0, max_bytes: int = 256 * 1024) -> bytes:
    """Download ``url`` (at most ``max_bytes``); any failure is a VerificationError."""
    failure = VerificationError("could not download the signing certificate")
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise failure
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - scheme checked
            body: bytes = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        exc.close()  # it holds the response open; unclosed it leaks a socket
        _LOGGER.warning("downloading %s failed: HTTP %s", url, exc.code)
        raise failure from exc
    except (OSError, ValueError, http.client.HTTPException) as exc:
        _LOGGER.warning("downloading %s failed: %s", url, exc)
        raise failure from exc
    if len(body) > max_bytes:
        _LOGGER.warning("downloading %s failed: more than %d bytes", url, max_bytes)
        raise failure
    return body


def load_trusted_roots(path: str | None = None) -> list[x509.Certificate]:
    """Read a PEM bundle of trusted root certificates; by default certifi's copy of Mozilla's."""
    with open(path or certifi.where(), "rb") as bundle:
        data = bundle.read()
    blocks = _PEM_CERTIFICATE.findall(data)
    roots = [cert for block in blocks if (cert := _load_root(block)) is not None]
    if not roots:
        raise ValueError(f"no certificates in {path or certifi.where()}")
    return roots


def _load_root(pem: bytes) -> x509.Certificate | None:
    with warnings.catch_warnings():
        # Mozilla still trusts a few old roots with serial number 0; cryptography warns about them.
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        try:
            return x509.load_pem_x509_certificate(pem)
        except ValueError as exc:
            _LOGGER.debug("skipping a root certificate cryptography cannot load: %s", exc)
            return None


#: A URL whose download or checks failed is refused without another download for this long (seconds).
FAILURE_MEMORY = 60.0
#: At most this many downloads of certificate URLs not yet known to be good, per minute: junk URLs cannot keep
#: the service busy fetching. A URL that once held a valid chain may always be fetched again.
NEW_URLS_PER_MINUTE = 10


@dataclass
class _Download:
    """One download in progress; callers asking for the same URL wait for it and share its result."""

    done: threading.Event = field(default_factory=threading.Event)
    leaf: x509.Certificate | None = None
    error: VerificationError | None = None

    @classmethod
    def finished(cls, leaf: x509.Certificate | None = None, error: VerificationError | None = None) -> _Download:
        download = cls(leaf=leaf, error=error)
        download.done.set()
        return download


def canonical_url(url: str) -> str:
    """One key for every spelling of an Amazon certificate URL: host lower-cased, default port and dot
    segments dropped, escapes decoded ("https://S3.amazonaws.com:443/echo.api/../echo.api/c.pem" ->
    "https://s3.amazonaws.com/echo.api/c.pem"). Call only on a URL that passed check_certificate_url."""
    parts = urlsplit(url)
    return f"https://{parts.hostname}{posixpath.normpath(unquote(parts.path))}"


class CertificateCache:
    """Validated signing certificates by URL: each chain is fetched and checked once, then kept until its
    leaf expires (at most ``max_entries`` URLs, least recently used first out).

    Built so that hostile requests cannot stall genuine ones: no lock is held while downloading; one
    download at a time per URL, with other callers waiting for its result; a failed URL is remembered for
    FAILURE_MEMORY seconds; and URLs never seen to be good are fetched at most NEW_URLS_PER_MINUTE times a
    minute. Only chains that validate enter the cache, so junk URLs never push out the one in use."""

    def __init__(
        self, fetch: Fetch, roots: Sequence[x509.Certificate], clock: Clock, max_entries: int = 16,
        timeout: float = 5.0, monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if not roots:
            raise ValueError("at least one trusted root certificate is needed")
        self._fetch = fetch
        self._store = verification.Store(list(roots))
        self._clock = clock
        self._max_entries = max_entries
        self._timeout = timeout
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._leaves: OrderedDict[str, x509.Certificate] = OrderedDict()
        self._failures: OrderedDict[str, tuple[float, VerificationError]] = OrderedDict()
        self._downloads: dict[str, _Download] = {}
        self._good: OrderedDict[str, None] = OrderedDict()  # URLs that once held a valid chain
        self._new_fetches: deque[float] = deque()
        self._last_refusal_logged = float("-inf")

    def __len__(self) -> int:
        with self._lock:
            return len(self._leaves)

    def get(self, url: str) -> x509.Certificate:
        """The validated leaf certificate at ``url``; raises VerificationError if it isn't valid."""
        key = canonical_url(url)
        now = as_utc(self._clock())
        with self._lock:
            download, mine = self._claim(key, now)
        if mine:
            self._download(key, now, download)
        elif not download.done.wait(self._timeout + 1.0):
            raise VerificationError("could not download the signing certificate")
        if download.leaf is None:
            raise download.error or VerificationError("could not download the signing certificate")
        return download.leaf

    def _claim(self, key: str, now: datetime) -> tuple[_Download, bool]:
        """Under the lock: a finished result, another caller's download to wait for, or a new one of ours."""
        leaf = self._leaves.get(key)
        if leaf is not None and _is_current(leaf, now):
            self._leaves.move_to_end(key)
            return _Download.finished(leaf=leaf), False
        failed = self._failures.get(key)
        if failed is not None and failed[0] > self._monotonic():
            return _Download.finished(error=failed[1]), False
        if key in self._downloads:
            return self._downloads[key], False
        if key not in self._good and not self._may_fetch_new():
            if self._monotonic() - self._last_refusal_logged >= 60.0:  # one line a minute, not one a request
                self._last_refusal_logged = self._monotonic()
                _LOGGER.warning("refusing certificate downloads for a while: more than %d new URLs a minute "
                                "(requests naming unknown certificates)", NEW_URLS_PER_MINUTE)
            error = VerificationError("too many certificate downloads; try again later")
            return _Download.finished(error=error), False
        download = self._downloads[key] = _Download()
        return download, True

    def _may_fetch_new(self) -> bool:
        tick = self._monotonic()
        while self._new_fetches and self._new_fetches[0] <= tick - 60.0:
            self._new_fetches.popleft()
        if len(self._new_fetches) >= NEW_URLS_PER_MINUTE:
            return False
        self._new_fetches.append(tick)
        return True

    def _download(self, key: str, now: datetime, download: _Download) -> None:
        """Fetch and check ``key`` with no lock held, then publish the result to everyone waiting."""
        try:
            download.leaf = self._validate(self._fetch(key), now)
        except VerificationError as exc:
            download.error = exc
        except Exception as exc:  # a fetch function must not leave its waiters hanging
            _LOGGER.error("certificate download failed with %s", type(exc).__name__)
            download.error = VerificationError("could not download the signing certificate")
        with self._lock:
            self._downloads.pop(key, None)
            if download.leaf is not None:
                self._remember_good(key, download.leaf)
            elif download.error is not None and key not in self._good:  # Amazon's own URL: try again next time
                self._failures[key] = (self._monotonic() + FAILURE_MEMORY, download.error)
                self._failures.move_to_end(key)
                while len(self._failures) > 64 * self._max_entries:
                    self._failures.popitem(last=False)
        download.done.set()

    def _remember_good(self, key: str, leaf: x509.Certificate) -> None:
        self._failures.pop(key, None)
        self._leaves[key] = leaf
        self._leaves.move_to_end(key)
        while len(self._leaves) > self._max_entries:
            self._leaves.popitem(last=False)
        self._good[key] = None
        self._good.move_to_end(key)
        while len(self._good) > 4 * self._max_entries:
            self._good.popitem(last=False)

    def _validate(self, pem: bytes, now: datetime) -> x509.Certificate:
        leaf, *intermediates = _parse_chain(pem)
        if not _is_current(leaf, now):
            raise VerificationError("certificate has expired or is not yet valid")
        if SIGNING_CERT_DNS_NAME not in _dns_names(leaf):
            raise VerificationError(f"certificate is not for {SIGNING_CERT_DNS_NAME}")
        verifier = (
            verification.PolicyBuilder()
            .store(self._store)
            .time(now)
            .build_server_verifier(x509.DNSName(SIGNING_CERT_DNS_NAME))
        )
        try:
            verifier.verify(leaf, intermediates)
        except (verification.VerificationError, ValueError) as exc:
            _LOGGER.warning("rejected the signing certificate chain: %s", exc)
            raise VerificationError("certificate chain is not trusted") from exc
        return leaf


def _parse_chain(pem: bytes) -> list[x509.Certificate]:
    """Every certificate in a PEM body, leaf first."""
    try:
        return x509.load_pem_x509_certificates(pem)
    except ValueError as exc:
        raise VerificationError("signing certificate could not be read") from exc


def _is_current(cert: x509.Certificate, now: datetime) -> bool:
    return cert.not_valid_before_utc <= now <= cert.not_valid_after_utc


def _dns_names(cert: x509.Certificate) -> set[str]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, ValueError):
        return set()
    return {name.lower() for name in san.get_values_for_type(x509.DNSName)}
