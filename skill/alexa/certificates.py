"""Download, validate and cache the certificate chain Alexa signs its requests with."""

from __future__ import annotations

import http.client
import logging
import re
import threading
import urllib.error
import urllib.request
import warnings
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from urllib.parse import urlsplit

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


class CertificateCache:
    """Validated signing certificates by URL: each chain is fetched and checked once, then kept
    until its leaf expires. Only successes are cached, and at most ``max_entries`` URLs."""

    def __init__(
        self, fetch: Fetch, roots: Sequence[x509.Certificate], clock: Clock, max_entries: int = 16
    ) -> None:
        if not roots:
            raise ValueError("at least one trusted root certificate is needed")
        self._fetch = fetch
        self._store = verification.Store(list(roots))
        self._clock = clock
        self._max_entries = max_entries
        self._lock = threading.Lock()
        self._leaves: OrderedDict[str, x509.Certificate] = OrderedDict()

    def __len__(self) -> int:
        with self._lock:
            return len(self._leaves)

    def get(self, url: str) -> x509.Certificate:
        """The validated leaf certificate at ``url``; raises VerificationError if it isn't valid."""
        now = as_utc(self._clock())
        # Held while fetching too, so a burst of first requests downloads the chain only once.
        with self._lock:
            leaf = self._leaves.get(url)
            if leaf is not None and _is_current(leaf, now):
                self._leaves.move_to_end(url)
                return leaf
            self._leaves.pop(url, None)
            leaf = self._validate(self._fetch(url), now)
            self._leaves[url] = leaf
            while len(self._leaves) > self._max_entries:
                self._leaves.popitem(last=False)
            return leaf

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
