"""Announcing the service on the local network as Wyoming services do: mDNS `_wyoming._tcp`, which Home
Assistant's Wyoming integration discovers and offers to add."""

from __future__ import annotations

import socket

from zeroconf import IPVersion
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

SERVICE_TYPE = "_wyoming._tcp.local."
#: Where mDNS sends; connecting a UDP socket there (no packet is sent) shows which address faces the network.
_MDNS_GROUP = "224.0.0.251"


def local_address() -> str:
    """This machine's address on the local network, as Home Assistant would reach it."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect((_MDNS_GROUP, 5353))
        return str(probe.getsockname()[0])


class Announcement:
    """`name._wyoming._tcp.local.` at `address:port` while registered; withdrawn (with goodbye packets) after."""

    def __init__(self, name: str, port: int, address: str) -> None:
        self.info = AsyncServiceInfo(SERVICE_TYPE, f"{name}.{SERVICE_TYPE}", port=port,
                                     addresses=[socket.inet_aton(address)], server=f"{name}.local.")
        self._zeroconf: AsyncZeroconf | None = None

    async def start(self) -> None:
        self._zeroconf = AsyncZeroconf(ip_version=IPVersion.V4Only)
        await self._zeroconf.async_register_service(self.info)

    async def stop(self) -> None:
        if self._zeroconf is not None:
            await self._zeroconf.async_unregister_service(self.info)
            await self._zeroconf.async_close()
            self._zeroconf = None
