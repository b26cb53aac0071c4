"""The Wyoming handle service's process: listen, optionally announce, answer until stopped."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from functools import partial

from wyoming.server import AsyncTcpServer

from ..service import Service
from .announce import Announcement, local_address
from .handler import Assistant, Connection

_LOGGER = logging.getLogger(__name__)

DEFAULT_PORT = 10700
#: The mDNS instance name used when --zeroconf is given without one.
DEFAULT_ZEROCONF_NAME = "secondary-breast-cancer"


def announced_address(host: str) -> str:
    """The address to announce for a service listening on `host` (all interfaces: this machine's LAN address)."""
    return local_address() if host in ("0.0.0.0", "") else host


async def serve(service: Service, host: str, port: int, zeroconf_name: str | None = None,
                home_url: str = "", ready: Callable[[str], None] | None = None) -> None:
    """Answer Wyoming clients on host:port until SIGTERM or SIGINT; `ready` hears the address once listening.
    Raises OSError when the address cannot be used (in use, not this machine's)."""
    assistant = Assistant(service, home_url=home_url)
    server = AsyncTcpServer(host, port)
    announcement = Announcement(zeroconf_name, port, announced_address(host)) if zeroconf_name else None
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    await server.start(partial(Connection, assistant=assistant))
    try:
        if announcement is not None:
            await announcement.start()
            _LOGGER.info("Announced as %s on the local network", announcement.info.name)
        if ready is not None:
            ready(f"tcp://{host}:{port}")
        await stopping.wait()
    finally:
        await server.stop()
        if announcement is not None:
            await announcement.stop()


def run(service: Service, host: str, port: int, zeroconf_name: str | None = None, home_url: str = "",
        ready: Callable[[str], None] | None = None) -> None:
    asyncio.run(serve(service, host, port, zeroconf_name, home_url, ready))
