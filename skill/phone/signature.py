"""Twilio's X-Twilio-Signature: HMAC-SHA1 of the URL it called and the POST parameters, with the auth token."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit


def expected_signature(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """Twilio's recipe: the full URL, then each POST parameter name and value, sorted by name."""
    payload = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(auth_token.encode("utf-8"), payload.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def signature_matches(auth_token: str, url: str, params: list[tuple[str, str]], signature: str) -> bool:
    """Also accepts the URL without a default port, as Twilio signs the URL as it was configured."""
    candidates = {url, _without_default_port(url)}
    return any(hmac.compare_digest(expected_signature(auth_token, u, params), signature) for u in candidates)


def _without_default_port(url: str) -> str:
    parts = urlsplit(url)
    if (parts.scheme, parts.port) in (("https", 443), ("http", 80)):
        return urlunsplit(parts._replace(netloc=parts.hostname or ""))
    return url
