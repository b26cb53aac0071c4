"""What a test client never sends: malformed and oversized events, clients that vanish mid-event, fifty people
at once, silent connections, a flood of connections. Each gets an `error` event or a closed connection, and the
service goes on answering everyone else."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from wyoming.info import Describe
from wyoming.ping import Ping, Pong
from wyoming.server import AsyncTcpServer
from zeroconf import IPVersion
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

from skill.answers import Answers
from skill.content import load_content
from skill.service import Service
from skill.wyoming.events import MAX_EVENT_BYTES
from skill.wyoming.handler import Assistant, Connection
from tests.support.wyoming_speaker import run, ROOT, WyomingService, exchange, free_port, handled_text, raw

CONTENT = load_content()
ANSWERS = Answers(CONTENT)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WyomingService]:
    running = WyomingService.start(tmp_path_factory.mktemp("wyoming-edges") / "serve-wyoming.log")
    yield running
    assert running.stop() == 0, running.log.read_text()


def still_answers(service: WyomingService) -> None:
    said = run(handled_text(service.port, "where does it spread", None))
    assert said.startswith(ANSWERS.short(CONTENT.topic("where-it-spreads")))


def header(event_type: str, data: object = None, **extra: object) -> bytes:
    fields: dict[str, object] = {"type": event_type, **extra}
    if data is not None:
        fields["data"] = data
    return json.dumps(fields).encode() + b"\n"


# --- malformed events: an error event, then the connection closed ------------------------------------------


@pytest.mark.parametrize(("sent", "code"), [
    (b"this is not json\n", "bad-event"),
    (b"[1, 2, 3]\n", "bad-event"),
    (b'{"data": {"text": "no type"}}\n', "bad-event"),
    (b'{"type": 7}\n', "bad-event"),
    (b'{"type": "transcript", "data": "not an object"}\n', "bad-event"),
    (b'{"type": "transcript", "data_length": "ten"}\n', "bad-event"),
    (b'{"type": "transcript", "data": {"text": "x"}, "data_length": 5}\n[1,2]', "bad-event"),
    (b'{"type": "transcript", "data": ' + b"[" * 30000 + b"]" * 30000 + b"}\n", "bad-event"),
    (b"\xff\xfe not utf-8\n", "bad-event"),
])
def test_a_malformed_event_gets_an_error_and_the_connection_closes(service: WyomingService, sent: bytes,
                                                                   code: str) -> None:
    replies, closed = run(raw(service.port, sent))
    assert [r["type"] for r in replies] == ["error"] and replies[0]["data"]["code"] == code
    assert closed
    still_answers(service)


@pytest.mark.parametrize("sent", [
    header("transcript", data_length=50 * 1024 * 1024),  # announces 50 MB, sends none of it
    header("transcript", {"text": "hi"}, payload_length=MAX_EVENT_BYTES + 1),
    b'{"type": "transcript", "data": {"text": "' + b"a" * (2 * MAX_EVENT_BYTES) + b'"}}\n',
    b"x" * (4 * MAX_EVENT_BYTES),  # a line with no end
], ids=["data_length 50 MB", "payload too long", "header line too long", "no newline"])
def test_an_oversized_event_is_refused_without_being_read(service: WyomingService, sent: bytes) -> None:
    replies, closed = run(raw(service.port, sent))
    assert [(r["type"], r["data"]["code"]) for r in replies] == [("error", "too-large")]
    assert closed
    still_answers(service)


# --- well-formed but wrong: an error event, and the connection stays open -----------------------------------


@pytest.mark.parametrize(("sent", "code"), [
    (header("audio-chunk", {"rate": 16000, "width": 2, "channels": 1}), "unsupported-event"),
    (header("synthesize", {"text": "hello"}), "unsupported-event"),
    (header("transcript", {"text": 42}), "bad-transcript"),
    (header("transcript", {}), "bad-transcript"),
    (header("transcript", {"text": "hi", "context": {"conversation_id": "x" * 5000}}), "bad-transcript"),
    (header("transcript", {"text": "hi", "context": ["not", "an", "object"]}), "bad-transcript"),
])
def test_a_wrong_event_gets_an_error_and_the_connection_goes_on(service: WyomingService, sent: bytes,
                                                                code: str) -> None:
    replies, closed = run(raw(service.port, sent + header("describe"), read_timeout=2))
    assert [r["type"] for r in replies] == ["error", "info"] and replies[0]["data"]["code"] == code
    assert not closed


def test_a_huge_transcript_within_the_event_limit_is_answered_from_its_first_words(service: WyomingService) -> None:
    rambling = "where does breast cancer spread? " * 1500  # 48 kB: the first 500 characters are answered
    said = run(handled_text(service.port, rambling, None))
    assert said.startswith(ANSWERS.short(CONTENT.topic("where-it-spreads")))


def test_ping_is_answered_with_pong(service: WyomingService) -> None:
    event = run(exchange(service.port, Ping(text="are you there").event()))
    assert event is not None and Pong.is_type(event.type)


def test_many_events_on_one_connection_are_answered_in_order(service: WyomingService) -> None:
    sent = b"".join(header("transcript", {"text": q, "context": {"conversation_id": "01JDONECONNECTION000000000"}})
                    for q in ("what is the outlook", "tell me more", "repeat"))
    replies, _ = run(raw(service.port, sent, read_timeout=2))
    assert [r["type"] for r in replies] == ["handled"] * 3
    assert replies[1]["data"]["text"] == replies[2]["data"]["text"]
    assert replies[1]["data"]["text"].startswith(ANSWERS.full_intro(CONTENT.topic("outlook")))


# --- clients that vanish ----------------------------------------------------------------------------------


@pytest.mark.parametrize("sent", [
    header("transcript", data_length=100) + b'{"text": "wh',  # closes in the middle of the data
    b'{"type": "transcri',  # in the middle of the header
    header("transcript", {"text": "where does it spread"}),  # before reading the reply
])
def test_a_client_that_disconnects_mid_event_harms_no_one(service: WyomingService, sent: bytes) -> None:
    for _ in range(20):
        with socket.create_connection(("127.0.0.1", service.port)) as sock:
            sock.sendall(sent)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # reset
    still_answers(service)
    assert service.process.poll() is None


# --- fifty people at once -----------------------------------------------------------------------------------


async def conversation(port: int, topic_index: int) -> list[str]:
    topic = CONTENT.topics[topic_index % len(CONTENT.topics)]
    conversation_id = f"01JD{uuid.uuid4().hex[:22].upper()}"
    return [await handled_text(port, said, conversation_id) for said in (topic.samples[0], "tell me more", "repeat")]


def test_fifty_concurrent_conversations_each_get_their_own_answers(service: WyomingService) -> None:
    async def everyone() -> list[list[str]]:
        return await asyncio.gather(*(conversation(service.port, i) for i in range(50)))

    for i, (first, more, again) in enumerate(run(everyone())):
        topic = CONTENT.topics[i % len(CONTENT.topics)]
        assert first.startswith(ANSWERS.short(topic))
        assert more.startswith(ANSWERS.full_intro(topic)) and again == more


# --- silent and too many connections (the same Connection class, in this process, with small limits) ----------


def test_a_silent_connection_is_closed_and_a_flood_beyond_the_limit_is_turned_away() -> None:
    async def scenario() -> None:
        assistant = Assistant(Service.load(), idle_s=0.5, max_connections=3)
        port = free_port()
        server = AsyncTcpServer("127.0.0.1", port)
        await server.start(partial(Connection, assistant=assistant))
        try:
            silent = [await asyncio.open_connection("127.0.0.1", port) for _ in range(3)]
            await asyncio.sleep(0.1)
            turned_away = await exchange(port, Describe().event(), timeout=2)
            assert turned_away is not None and turned_away.type == "error"
            assert turned_away.data["code"] == "busy"
            for reader, writer in silent:  # closed by the server once idle, without a word
                assert await asyncio.wait_for(reader.read(), timeout=3) == b""
                writer.close()
            assert assistant.connections == 0
            served = await exchange(port, Describe().event(), timeout=2)
            assert served is not None and served.type == "info"
        finally:
            await server.stop()

    run(scenario())


# --- conversations are held in memory, bounded, and expire ---------------------------------------------------


def test_conversations_expire_and_are_bounded() -> None:
    from skill.wyoming.state import Conversations, Turn

    now = [0.0]
    memory = Conversations(expiry_s=300, max_conversations=3, clock=lambda: now[0])
    for name in "abcd":
        memory.put(name, Turn(topic="outlook"))
    assert len(memory) == 3 and memory.get("a") == Turn()  # the oldest made room
    now[0] = 299
    memory.put("b", Turn(topic="support"))
    now[0] = 301
    assert memory.get("c") == Turn() and memory.get("b").topic == "support"
    memory.put("b", None)
    assert len(memory) == 0


# --- announced on the local network; the command line's own errors -------------------------------------------


def test_zeroconf_announces_the_service_as_wyoming_services_do_and_withdraws_it(tmp_path: Path) -> None:
    name = f"sbc-test-{uuid.uuid4().hex[:8]}"
    running = WyomingService.start(tmp_path / "log.txt", "--zeroconf", name, host="0.0.0.0")

    async def lookup() -> AsyncServiceInfo | None:
        zeroconf = AsyncZeroconf(ip_version=IPVersion.V4Only)
        try:
            info = AsyncServiceInfo("_wyoming._tcp.local.", f"{name}._wyoming._tcp.local.")
            return info if await info.async_request(zeroconf.zeroconf, 3000) else None
        finally:
            await zeroconf.async_close()

    try:
        found = run(lookup())
        assert found is not None and found.port == running.port
        (address,) = found.parsed_addresses()
        info = run(exchange(running.port, Describe().event(), host=address))  # as Home Assistant would
        assert info is not None and info.type == "info"
    finally:
        assert running.stop() == 0
    assert run(lookup()) is None


def test_zeroconf_on_loopback_is_refused_with_a_reason() -> None:
    result = subprocess.run([sys.executable, "-m", "skill", "serve-wyoming", "--zeroconf"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "--host 0.0.0.0" in result.stderr and "Traceback" not in result.stderr


def test_a_port_in_use_is_a_clear_message(service: WyomingService) -> None:
    result = subprocess.run([sys.executable, "-m", "skill", "serve-wyoming", "--port", str(service.port)],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and f"cannot listen on 127.0.0.1:{service.port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_name_that_cannot_be_announced_is_a_clear_message() -> None:
    result = subprocess.run([sys.executable, "-m", "skill", "serve-wyoming", "--host", "0.0.0.0", "--port",
                             str(free_port()), "--zeroconf", "a name with spaces " * 5], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "cannot announce" in result.stderr and "Traceback" not in result.stderr
