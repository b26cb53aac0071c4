"""A real `python -m skill serve-wyoming` process, and Home Assistant's side of the conversation with it.

`Speaker.say` does what Home Assistant's Wyoming conversation agent does for every utterance: open a connection
with the `wyoming` package's own `AsyncTcpClient`, send a `transcript` with `context.conversation_id`, and read
events until `handled` or `not-handled` (wyoming's own classes throughout). `raw` sends bytes as a hostile
client would.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from wyoming.asr import Transcript
from wyoming.client import AsyncTcpClient
from wyoming.event import Event
from wyoming.handle import Handled, NotHandled
from wyoming.info import Describe, Info

from tests.support.ports import free_port

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 30
#: Home Assistant gives a Wyoming service one second to answer `describe` (homeassistant/components/wyoming).
HOME_ASSISTANT_INFO_TIMEOUT = 1.0


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio.run in a thread of its own: Playwright's sync API (the page's browser tests) leaves an event loop
    running in the main thread for the whole session, where asyncio.run refuses to start."""
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(asyncio.run, coroutine).result()


async def exchange(port: int, *events: Event, timeout: float = 10.0, host: str = "127.0.0.1") -> Event | None:
    """Connect, send `events`, return the first event back (None: the server closed the connection)."""
    async with AsyncTcpClient(host, port, connect_timeout=timeout, read_timeout=timeout) as client:
        for event in events:
            await client.write_event(event)
        return await client.read_event()


async def describe(port: int, host: str = "127.0.0.1") -> Info:
    """`describe` -> `info`, within the time Home Assistant allows."""
    event = await exchange(port, Describe().event(), timeout=HOME_ASSISTANT_INFO_TIMEOUT, host=host)
    assert event is not None and Info.is_type(event.type), event
    return Info.from_event(event)


async def handled_text(port: int, text: str, conversation_id: str | None) -> str:
    """What Home Assistant would speak: the `handled` event's text (`not-handled` fails the test)."""
    context = {"conversation_id": conversation_id} if conversation_id is not None else None
    event = await exchange(port, Transcript(text, context=context).event())
    assert event is not None, "the connection closed without a reply"
    assert not NotHandled.is_type(event.type), f"not-handled: {event.data}"
    assert Handled.is_type(event.type), event
    reply = Handled.from_event(event)
    assert reply.text is not None
    return reply.text


async def raw(port: int, data: bytes, read_timeout: float = 10.0) -> tuple[list[dict[str, Any]], bool]:
    """Send bytes as they are; the JSON header lines that came back, and whether the server closed the
    connection (rather than waiting for more)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    lines: list[dict[str, Any]] = []
    closed = False
    try:
        while True:
            line = await asyncio.wait_for(reader.readline(), timeout=read_timeout)
            if not line:
                closed = True
                break
            header = json.loads(line)
            if header.get("data_length"):
                header["data"] = json.loads(await reader.readexactly(header["data_length"]))
            lines.append(header)
    except TimeoutError:
        pass
    finally:
        writer.close()
    return lines, closed


@dataclass
class Speaker:
    """One conversation, as Home Assistant holds it: a conversation id and a new connection per utterance."""

    port: int
    conversation_id: str | None = "01JDSPEAKER00000000000000A"
    heard: list[str] = field(default_factory=list)

    def say(self, text: str) -> str:
        reply = run(handled_text(self.port, text, self.conversation_id))
        self.heard.append(reply)
        return reply


@dataclass
class WyomingService:
    """`python -m skill serve-wyoming` on a free port; its output kept in `log`."""

    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @classmethod
    def start(cls, log: Path, *args: str, port: int | None = None, host: str = "127.0.0.1") -> WyomingService:
        port = port or free_port()
        command = [sys.executable, "-m", "skill", "serve-wyoming", "--host", host, "--port", str(port), *args]
        with log.open("wb") as out:
            process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                       env={**os.environ, "PYTHONUNBUFFERED": "1"})
        service = cls(port, process, log)
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"serve-wyoming exited with {process.returncode}:\n{log.read_text()}")
            if "Serving Wyoming on" in log.read_text():
                return service
            time.sleep(0.05)
        service.stop()
        raise AssertionError(f"serve-wyoming not ready after {STARTUP_SECONDS} s:\n{log.read_text()}")

    def speaker(self, conversation_id: str | None = "01JDSPEAKER00000000000000A") -> Speaker:
        return Speaker(self.port, conversation_id)

    def stop(self) -> int:
        """SIGTERM, as systemd sends; the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode
