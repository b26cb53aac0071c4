"""How `serve` runs waitress: which peer's X-Forwarded-* headers to believe, and from whom to drop them."""

from __future__ import annotations

import ipaddress
from typing import TypedDict

#: The usual reverse proxy runs on the same machine (deploy/Caddyfile).
DEFAULT_TRUSTED_PROXY = "127.0.0.1"
#: What the proxy says about the request it received: the public scheme, the public host, the caller's address.
FORWARDED_HEADERS = frozenset({"x-forwarded-proto", "x-forwarded-host", "x-forwarded-for"})
#: Believe no proxy at all (`--trusted-proxy none`).
NO_PROXY = "none"
#: Waitress's word for "any peer": only for a port that nothing but the proxy can reach.
ANY_PEER = "*"


class WaitressOptions(TypedDict, total=False):
    host: str
    port: int
    threads: int
    trusted_proxy: str
    trusted_proxy_count: int
    trusted_proxy_headers: set[str]
    clear_untrusted_proxy_headers: bool


def trusted_proxy(value: str) -> str | None:
    """`--trusted-proxy`: an IP address (in the form waitress compares with the peer's), `*`, or none.

    Raises ValueError for anything else: waitress compares addresses as text, so a host name would never match.
    """
    value = value.strip()
    if value.lower() == NO_PROXY:
        return None
    if value == ANY_PEER:
        return ANY_PEER
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise ValueError(f"{value!r} is not an IP address; give the proxy's address (e.g. 127.0.0.1), "
                         f"'{ANY_PEER}' or '{NO_PROXY}'") from None


def waitress_options(host: str, port: int, threads: int, proxy: str | None) -> WaitressOptions:
    """Keyword arguments for `waitress.serve`.

    From the trusted proxy, waitress rewrites the request (https scheme, public host, caller's address) before
    the app sees it; from any other peer, it removes X-Forwarded-* and Forwarded, so they cannot be forged.
    """
    options: WaitressOptions = {"host": host, "port": port, "threads": threads, "clear_untrusted_proxy_headers": True}
    if proxy is not None:
        options["trusted_proxy"] = proxy
        options["trusted_proxy_count"] = 1  # one proxy: only the address it saw connect is believed
        options["trusted_proxy_headers"] = set(FORWARDED_HEADERS)
    return options


def describe(proxy: str | None) -> str:
    """One line for the log: whose forwarded headers are believed."""
    if proxy is None:
        return "X-Forwarded-* headers are ignored (--trusted-proxy none)"
    peer = "any peer" if proxy == ANY_PEER else proxy
    return f"X-Forwarded-Proto, -Host and -For are believed from {peer} only"
