"""Check that a request really comes from Alexa, as Amazon requires of web-service skills."""

from __future__ import annotations

import base64
import json
import logging
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from urllib.parse import unquote, urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .certificates import (
    SIGNING_CERT_DNS_NAME,
    CertificateCache,
    Clock,
    Fetch,
    VerificationError,
    as_utc,
    fetch_url,
    load_trusted_roots,
)

__all__ = [
    "CERT_URL_HEADER",
    "SIGNATURE_HEADER",
    "SIGNING_CERT_DNS_NAME",
    "AlexaRequestVerifier",
    "CertificateCache",
    "Clock",
    "Fetch",
    "HeaderItems",
    "VerificationError",
    "check_certificate_url",
    "fetch_url",
    "load_trusted_roots",
]

_LOGGER = logging.getLogger(__name__)

CERT_URL_HEADER = "SignatureCertChainUrl"
SIGNATURE_HEADER = "Signature-256"

_CERT_HOST = "s3.amazonaws.com"
_CERT_PATH_PREFIX = "/echo.api/"


class HeaderItems(Protocol):
    """Request headers: a dict, any Mapping, or Flask's ``request.headers``."""

    def items(self) -> Iterable[tuple[str, str]]: ...


def check_certificate_url(url: str) -> None:
    """Apply Amazon's rules to a ``SignatureCertChainUrl``; raise VerificationError if one is broken."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise VerificationError("certificate URL is malformed") from exc
    if parts.scheme.lower() != "https":
        raise VerificationError("certificate URL must use https")
    if parts.hostname != _CERT_HOST:  # urlsplit lower-cases the hostname
        raise VerificationError(f"certificate URL must be on {_CERT_HOST}")
    if port is not None and port != 443:
        raise VerificationError("certificate URL must use port 443")
    # Decode first so that /echo.api/%2e%2e/ cannot climb out either; the prefix is case-sensitive.
    if not posixpath.normpath(unquote(parts.path)).startswith(_CERT_PATH_PREFIX):
        raise VerificationError(f"certificate URL path must start with {_CERT_PATH_PREFIX}")


@dataclass
class AlexaRequestVerifier:
    """Checks a request's signing certificate, its body signature and its timestamp."""

    certificates: CertificateCache
    clock: Clock
    max_age: timedelta = timedelta(seconds=150)

    def verify(self, headers: HeaderItems, body: bytes) -> None:
        """Raise VerificationError unless ``body`` is a fresh request that Alexa signed."""
        try:
            self._verify(headers, body)
        except VerificationError as exc:
            _LOGGER.info("rejected a request that claims to come from Alexa: %s", exc)
            raise

    def _verify(self, headers: HeaderItems, body: bytes) -> None:
        # Flask's headers ignore case but a plain dict (as in Lambda) does not.
        # Cheap checks first: nothing is downloaded for a request that fails them.
        by_name = {name.lower(): value for name, value in headers.items()}
        cert_url = _required_header(by_name, CERT_URL_HEADER)
        check_certificate_url(cert_url)
        signature = _signature_bytes(_required_header(by_name, SIGNATURE_HEADER))
        sent = _request_timestamp(body)
        if abs(as_utc(self.clock()) - sent) > self.max_age:
            raise VerificationError("request timestamp is too old or in the future")
        _check_signature(self.certificates.get(cert_url), signature, body)


def _required_header(by_name: Mapping[str, str], name: str) -> str:
    value = by_name.get(name.lower())
    if not value:
        raise VerificationError(f"missing {name} header")
    return value


#: An RSA signature is as long as its key: 2048 to 8192 bits.
_SIGNATURE_BYTES = range(256, 1024 + 1)


def _signature_bytes(signature: str) -> bytes:
    """The header's base64, decoded; refused before any download if it cannot be an RSA signature."""
    try:
        raw = base64.b64decode(signature, validate=True)
    except ValueError as exc:  # binascii.Error is a ValueError
        raise VerificationError("request signature is not base64") from exc
    if len(raw) not in _SIGNATURE_BYTES:
        raise VerificationError("request signature has the wrong length")
    return raw


def _check_signature(leaf: x509.Certificate, signature: bytes, body: bytes) -> None:
    """``signature`` must be RSA PKCS#1 v1.5 with SHA-256 over the raw body bytes."""
    key = leaf.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise VerificationError("signing certificate does not hold an RSA key")
    try:
        key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())
    except (ValueError, InvalidSignature) as exc:
        raise VerificationError("request signature does not match") from exc


def _request_timestamp(body: bytes) -> datetime:
    """The body's ``request.timestamp``, an ISO 8601 time with a zone such as 2026-11-24T10:00:00Z."""
    try:
        envelope = json.loads(body)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError both are
        raise VerificationError("request body is not valid JSON") from exc
    request = envelope.get("request") if isinstance(envelope, dict) else None
    stamp = request.get("timestamp") if isinstance(request, dict) else None
    if stamp is None:
        raise VerificationError("request timestamp is missing")
    try:
        sent = datetime.fromisoformat(stamp)  # a non-string is a TypeError
    except (TypeError, ValueError) as exc:
        raise VerificationError("request timestamp is malformed") from exc
    if sent.tzinfo is None:
        raise VerificationError("request timestamp is malformed")
    return sent
