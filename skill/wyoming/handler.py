"""One Wyoming connection: `describe` -> `info`, `transcript` -> `handled`, `ping` -> `pong`; anything else an
`error` event. Nothing a client sends can stop the service answering others.

Home Assistant connects once per utterance and sends one event; other clients may keep a connection and send
many. A connection that says nothing for `idle_s` is closed, as is one whose event cannot be read (too large or
malformed: an `error` event first); beyond `max_connections` at once, a newcomer gets an `error` and is closed.
Nothing about the person is logged: not the words, not the conversation id.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from wyoming.asr import Transcript
from wyoming.error import Error
from wyoming.event import Event
from wyoming.handle import Handled
from wyoming.info import Describe
from wyoming.ping import Ping, Pong
from wyoming.server import AsyncEventHandler

from ..service import Service
from .dialogue import respond
from .events import BadEvent, BoundedReader, read_event
from .info import describe
from .state import MAX_CONVERSATION_ID_CHARS, Conversations

_LOGGER = logging.getLogger(__name__)

#: Seconds a connection may wait between events (and to finish one), and to take a reply.
DEFAULT_IDLE_S, WRITE_TIMEOUT_S = 30.0, 10.0
DEFAULT_MAX_CONNECTIONS = 256


@dataclass
class Assistant:
    """What every connection shares: the service, the conversations, the info and the limits."""

    service: Service
    conversations: Conversations = field(default_factory=Conversations)
    home_url: str = ""
    idle_s: float = DEFAULT_IDLE_S
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    connections: int = 0

    def __post_init__(self) -> None:
        self.info = describe(self.service, self.home_url).event()

    def handled(self, transcript: Transcript, conversation_id: str | None) -> Handled:
        """The reply to one utterance; the conversation's turn is read and kept here."""
        turn = self.conversations.get(conversation_id)
        reply = respond(self.service, turn, transcript.text)
        self.conversations.put(conversation_id, reply.turn)
        context = {"conversation_id": conversation_id} if conversation_id is not None else None
        return Handled(text=reply.text, context=context)


class Connection(AsyncEventHandler):
    """A client's connection, read with bounds and answered event by event."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, assistant: Assistant) -> None:
        super().__init__(reader, writer)
        self.assistant = assistant
        self.bounded = BoundedReader(reader)

    async def run(self) -> None:
        assistant = self.assistant
        if assistant.connections >= assistant.max_connections:
            await self._send(Error(text="too many connections; try again shortly", code="busy").event())
            await self._close()
            return
        assistant.connections += 1
        try:
            await self._serve()
        finally:
            assistant.connections -= 1
            await self._close()

    async def _serve(self) -> None:
        while True:
            try:
                event = await asyncio.wait_for(read_event(self.bounded), timeout=self.assistant.idle_s)
            except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
                return  # silent too long, or gone mid-event: nothing to answer
            except BadEvent as exc:
                await self._send(Error(text=str(exc), code=exc.code).event())
                return  # the stream cannot be trusted to be at an event boundary any more
            if event is None or not await self.handle_event(event):
                return

    async def handle_event(self, event: Event) -> bool:
        """A flat chain of "is it mine?": each known event answered, anything else an error."""
        if Transcript.is_type(event.type):
            return await self._send(self._reply(event))
        if Describe.is_type(event.type):
            return await self._send(self.assistant.info)
        if Ping.is_type(event.type):
            return await self._send(Pong(text=_text_or_none(event.data.get("text"))).event())
        return await self._send(Error(text=f"unsupported event {event.type[:40]!r}: this service answers "
                                           "transcript, describe and ping", code="unsupported-event").event())

    def _reply(self, event: Event) -> Event:
        text = event.data.get("text")
        if not isinstance(text, str):
            return Error(text="a transcript's text must be a string", code="bad-transcript").event()
        try:
            conversation_id = _conversation_id(event.data.get("context"))
        except ValueError as exc:
            return Error(text=str(exc), code="bad-transcript").event()
        try:
            return self.assistant.handled(Transcript(text=text), conversation_id).event()
        except Exception as exc:  # noqa: BLE001 - the person still hears an apology; the service goes on
            _LOGGER.error("Answering failed with %s", type(exc).__name__)  # the type only: never the words
            return Handled(text=self.assistant.service.answers.message("error")).event()

    async def _send(self, event: Event) -> bool:
        """Write one event; False (close) when the client has gone or will not read."""
        try:
            await asyncio.wait_for(self.write_event(event), timeout=WRITE_TIMEOUT_S)
        except (TimeoutError, ConnectionError):
            return False
        return True

    async def _close(self) -> None:
        self.writer.close()
        try:
            await asyncio.wait_for(self.writer.wait_closed(), timeout=WRITE_TIMEOUT_S)
        except (TimeoutError, ConnectionError):
            pass


def _conversation_id(context: Any) -> str | None:
    """The id from a transcript's `context` (None when there is none); ValueError when it is not a sensible id."""
    value = context.get("conversation_id") if isinstance(context, dict) else context
    if value is None or value == "":
        return None
    if not isinstance(context, dict) or not isinstance(value, str) or len(value) > MAX_CONVERSATION_ID_CHARS:
        raise ValueError(f"context must be an object whose conversation_id is a string of at most "
                         f"{MAX_CONVERSATION_ID_CHARS} characters")
    return value


def _text_or_none(value: Any) -> str | None:
    return value[:200] if isinstance(value, str) else None
