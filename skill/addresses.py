"""The app's public address, for links that must work from elsewhere: the telephone's webhooks, the podcast feed."""

from __future__ import annotations

from flask import request


def public_base(configured: str | None) -> str:
    """The app's public root: `configured` (a setting) when given, else the request's as the proxy forwarded it.

    Under `serve`, waitress has already rewritten the request's scheme and host from its trusted proxy's
    X-Forwarded-Proto and -Host (and removed those headers when anyone else sent them), so either reading
    gives the same address. Under other servers (gunicorn, the test client) the headers are read here.
    """
    if configured:
        return str(configured).rstrip("/")
    proto = forwarded("X-Forwarded-Proto") or request.scheme
    host = forwarded("X-Forwarded-Host") or request.host
    return f"{proto}://{host}{request.script_root}"


def forwarded(header: str) -> str:
    """The first value of a forwarded header: what the proxy nearest the caller saw ("" when not sent)."""
    return request.headers.get(header, "").split(",")[0].strip()
