"""Reading Wyoming events with wyoming's own reader, but bounded: no event larger than a limit is ever held.

`wyoming.event.async_read_event` reads a JSON header line, then `data_length` and `payload_length` bytes, as
the header asks. From a stranger that could be gigabytes, or a header that is not an object; this module hands
that reader a stream that refuses sizes over the limit, and turns every way an event can be malformed into one
`BadEvent` the handler answers with an `error` event.
"""

from __future__ import annotations

import asyncio

from wyoming.event import Event, async_read_event

#: A transcript event is a few hundred bytes; Home Assistant's largest (info) a few kilobytes. Header, data and
#: payload are each held to this.
MAX_EVENT_BYTES = 64 * 1024


class BadEvent(Exception):
    """An event this service cannot read; `code` is the `error` event's machine-readable code."""

    def __init__(self, text: str, code: str = "bad-event") -> None:
        super().__init__(text)
        self.code = code


class _TooLarge(Exception):
    """Not a ValueError on purpose: wyoming's reader swallows those (and reports the end of the stream)."""


class BoundedReader:
    """The two calls wyoming's reader makes on a stream, refusing any line or block over `limit` bytes."""

    def __init__(self, reader: asyncio.StreamReader, limit: int = MAX_EVENT_BYTES) -> None:
        self._reader = reader
        self.limit = limit
        #: Whether the event being read had any bytes: None from wyoming's reader then means "malformed".
        self.started = False

    async def readline(self) -> bytes:
        try:
            line = await self._reader.readline()
        except ValueError as exc:  # the stream's own limit: a line with no end in sight
            raise _TooLarge from exc
        self.started = self.started or bool(line)
        if len(line) > self.limit:
            raise _TooLarge
        return line

    async def readexactly(self, n: int) -> bytes:
        if n > self.limit:
            raise _TooLarge
        return await self._reader.readexactly(n)


async def read_event(reader: BoundedReader) -> Event | None:
    """The next event, or None when the client has closed the connection between events. Raises BadEvent for
    anything else that is not a well-formed event, and asyncio.IncompleteReadError when the client goes away
    in the middle of one."""
    reader.started = False
    try:
        event = await async_read_event(reader)  # type: ignore[arg-type]  # it needs only these two calls
    except _TooLarge as exc:
        raise BadEvent(f"event larger than {reader.limit} bytes", "too-large") from exc
    except asyncio.IncompleteReadError:
        raise
    except (AttributeError, KeyError, TypeError, RecursionError, UnicodeDecodeError) as exc:
        raise BadEvent(f"not a Wyoming event ({type(exc).__name__})") from exc
    if event is None:
        if reader.started:
            raise BadEvent("not a Wyoming event: a header line must be a JSON object")
        return None
    if not isinstance(event.type, str) or not isinstance(event.data, dict):
        raise BadEvent("not a Wyoming event: type must be a string and data an object")
    return event
