"""Announcing the service on the local network as Wyoming services do: mDNS `_wyoming._tcp`, which Home
Assistant's Wyoming integration discovers and offers to add."""

from __future__ import annotations

import socket

from zeroconf import BadTypeInNameException, IPVersion, NamePartTooLongException, NonUniqueNameException
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

from ..errors import SkillError

SERVICE_TYPE = "_wyoming._tcp.local."
#: Where mDNS sends; connecting a UDP socket there (no packet is sent) shows which address faces the network.
_MDNS_GROUP = "224.0.0.251"


class AnnounceError(SkillError):
    """The service cannot be announced as asked (no network, or the name is taken or not allowed)."""


def local_address() -> str:
    """This machine's address on the local network, as Home Assistant would reach it."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect((_MDNS_GROUP, 5353))
            return str(probe.getsockname()[0])
    except OSError as exc:
        raise AnnounceError(f"cannot find this machine's address on the local network to announce ({exc}); "
                            "give it with --host") from exc


class Announcement:
    """`name._wyoming._tcp.local.` at `address:port` while registered; withdrawn (with goodbye packets) after."""

    def __init__(self, name: str, port: int, address: str) -> None:
        try:
            self.info = AsyncServiceInfo(SERVICE_TYPE, f"{name}.{SERVICE_TYPE}", port=port,
                                         addresses=[socket.inet_aton(address)], server=f"{name}.local.")
        except (BadTypeInNameException, NamePartTooLongException, OSError) as exc:
            raise AnnounceError(f"cannot announce {name!r} at {address}: use a short name of letters, digits "
                                "and hyphens, and an IPv4 address") from exc
        self._zeroconf: AsyncZeroconf | None = None

    async def start(self) -> None:
        self._zeroconf = AsyncZeroconf(ip_version=IPVersion.V4Only)
        try:
            await self._zeroconf.async_register_service(self.info)
        except NonUniqueNameException as exc:
            await self.stop()
            raise AnnounceError(f"another service on this network is already called {self.info.name}; "
                                "choose another name with --zeroconf NAME") from exc

    async def stop(self) -> None:
        if self._zeroconf is not None:
            zeroconf, self._zeroconf = self._zeroconf, None
            await zeroconf.async_unregister_all_services()
            await zeroconf.async_close()
