"""Sign requests the way Alexa does: signatures, request bodies, and a local certificate host.

The test PKI lives in ``alexa_pki`` and is re-exported here, so tests need only this module.
"""

from __future__ import annotations

import base64
import json
import posixpath
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from skill.alexa.verify import fetch_url
from tests.support.alexa_pki import (
    ALEXA_DNS_NAME,
    NOW,
    AlexaPKI,
    CertificateAuthority,
    build_pki,
    pem,
    self_signed_leaf,
)

__all__ = [
    "ALEXA_DNS_NAME", "CERT_URL_PREFIX", "DEFAULT_CERT_URL", "NOW", "SKILL_ID",
    "AlexaPKI", "CertificateAuthority", "CertificateHost",
    "alexa_timestamp", "build_pki", "cert_url", "fixed_clock", "launch_request", "launch_request_body",
    "local_fetcher", "pem", "request_body", "self_signed_leaf", "sign", "signed_headers",
]

SKILL_ID = "amzn1.ask.skill.test"
CERT_URL_PREFIX = "https://s3.amazonaws.com/echo.api/"
#: Where the stand-in host serves the good chain, as Amazon serves echo-api-cert-*.pem.
DEFAULT_CERT_URL = CERT_URL_PREFIX + "echo-api-cert.pem"


def fixed_clock(at: datetime = NOW) -> Callable[[], datetime]:
    """A clock that always says ``at``."""

    def clock() -> datetime:
        return at

    return clock


def cert_url(variant: str) -> str:
    """The Amazon-style URL the stand-in host serves chain ``variant`` at."""
    return f"{CERT_URL_PREFIX}{variant}.pem"


def sign(body: bytes, key: rsa.RSAPrivateKey) -> str:
    """The ``Signature-256`` header value for ``body``: base64 of RSA PKCS#1 v1.5 over SHA-256."""
    return base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode("ascii")


def signed_headers(
    body: bytes, pki: AlexaPKI, cert_url: str = DEFAULT_CERT_URL, key: rsa.RSAPrivateKey | None = None
) -> dict[str, str]:
    """Headers Alexa would send with ``body``, signed with ``key`` (default: the PKI's leaf key)."""
    return {
        "Content-Type": "application/json; charset=utf-8",
        "SignatureCertChainUrl": cert_url,
        "Signature-256": sign(body, key or pki.key),
    }


def alexa_timestamp(moment: datetime) -> str:
    """``moment`` as Alexa writes it, e.g. 2026-11-24T10:00:00Z."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def launch_request(timestamp: datetime | str = NOW, request_id: str = "amzn1.echo-api.request.test-1"
                   ) -> dict[str, Any]:
    """A LaunchRequest envelope as Alexa sends it (``timestamp`` may be a ready-made string)."""
    stamp = timestamp if isinstance(timestamp, str) else alexa_timestamp(timestamp)
    application = {"applicationId": SKILL_ID}
    user = {"userId": "amzn1.ask.account.test-user"}
    return {
        "version": "1.0",
        "session": {"new": True, "sessionId": "amzn1.echo-api.session.test-1",
                    "application": application, "attributes": {}, "user": user},
        "context": {"System": {
            "application": application, "user": user,
            "device": {"deviceId": "amzn1.ask.device.test", "supportedInterfaces": {}},
            "apiEndpoint": "https://api.eu.amazonalexa.com", "apiAccessToken": "test-token",
        }},
        "request": {"type": "LaunchRequest", "requestId": request_id, "timestamp": stamp,
                    "locale": "en-GB", "shouldLinkResultBeReturned": False},
    }


def request_body(envelope: Mapping[str, Any]) -> bytes:
    return json.dumps(envelope, separators=(",", ":")).encode("utf-8")


def launch_request_body(timestamp: datetime | str = NOW) -> bytes:
    """The raw bytes of a LaunchRequest sent at ``timestamp``."""
    return request_body(launch_request(timestamp))


@dataclass(eq=False)
class CertificateHost:
    """A local stand-in for Amazon's certificate host: serves PEM files under /echo.api/ on
    127.0.0.1 and counts the GETs it receives (all of them, 404s included)."""

    files: dict[str, bytes] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    #: Seconds to wait before answering each GET, as a distant host would.
    delay: float = 0.0
    _server: _Server | None = field(default=None, init=False, repr=False)
    _thread: threading.Thread | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self.requests)

    @property
    def port(self) -> int:
        assert self._server is not None, "the certificate host is not running"
        return self._server.server_address[1]

    def publish(self, name: str, body: bytes) -> None:
        """Serve ``body`` at /echo.api/``name``."""
        self.files[name] = body

    def withdraw(self, name: str) -> None:
        self.files.pop(name, None)

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()

    def start(self) -> CertificateHost:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.host = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Shut down; afterwards downloads fail as if the host were unreachable."""
        if self._server is not None and self._thread is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._thread = None

    def fetcher(self) -> Callable[[str], bytes]:
        return local_fetcher(self.port)

    def _record(self, path: str) -> bytes | None:
        with self._lock:
            self.requests.append(path)
        directory, name = posixpath.split(posixpath.normpath(unquote(urlsplit(path).path)))
        return self.files.get(name) if directory == "/echo.api" else None


def local_fetcher(port: int, timeout: float = 2.0) -> Callable[[str], bytes]:
    """A fetch function that sends https://s3.amazonaws.com/echo.api/<name> to the local host
    on ``port`` instead, downloading with the real ``fetch_url``."""

    def fetch(url: str) -> bytes:
        parts = urlsplit(url)
        return fetch_url(urlunsplit(("http", f"127.0.0.1:{port}", parts.path, parts.query, "")), timeout)

    return fetch


class _Server(ThreadingHTTPServer):
    host: CertificateHost


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        time.sleep(self.server.host.delay)
        body = self.server.host._record(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/x-pem-file")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature is fixed
        """Keep test output quiet."""
