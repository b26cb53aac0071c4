"""Cost of one utterance over Wyoming, as Home Assistant sends it, next to the router's own cost.

Usage: python benchmarks/wyoming_roundtrip.py [--requests 2000] [--clients 1 50] [--hostile 64]
Starts `python -m skill serve-wyoming` on a free loopback port (its own process), then for each request does what
Home Assistant's Wyoming conversation agent does: open a TCP connection with the `wyoming` package's client,
send a `transcript` with a conversation id, read the `handled` reply, close. Questions are the development set
(benchmarks/dev_questions.tsv), in turn. Prints the round trip's median and p99 for one client at a time and
for many at once, then one client again while `--hostile` others keep sending junk (malformed headers,
oversized events, events they abandon half-way), and the router's own median and p99 on the same questions.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from skill.service import Service  # noqa: E402
from tests.support.wyoming_speaker import WyomingService, handled_text  # noqa: E402

QUESTIONS = Path(__file__).resolve().parent / "dev_questions.tsv"


def questions() -> list[str]:
    with QUESTIONS.open(encoding="utf-8") as handle:
        return [row[-1] for row in list(csv.reader(handle, delimiter="\t"))[1:] if row]


def percentiles(times: list[float]) -> str:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"median {statistics.median(ordered) * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms (n={len(ordered)})"


async def round_trips(port: int, asked: list[str], requests: int, clients: int) -> tuple[list[float], float]:
    times: list[float] = []
    next_index = iter(range(requests))

    async def client(number: int) -> None:
        conversation_id = f"01JDBENCH{number:017d}"
        for i in next_index:
            start = time.perf_counter()
            await handled_text(port, asked[i % len(asked)], conversation_id)
            times.append(time.perf_counter() - start)

    began = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(clients)))
    return times, time.perf_counter() - began


JUNK = (b"not json at all\n", b'{"type": "transcript", "data_length": 999999999}\n', b'{"type": "transc',
        b'{"type": "audio-chunk", "data": {"rate": 16000}}\n', b"[" * 20000 + b"\n")


async def hostile(port: int, stop: Any, sent: Any) -> None:
    """Connect, send one kind of junk, drop the connection; again until told to stop."""
    while not stop.is_set():
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(JUNK[sent.value % len(JUNK)])
            await writer.drain()
            writer.close()
            with sent.get_lock():
                sent.value += 1
        except OSError:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0)


def attack(port: int, attackers: int, stop: Any, sent: Any) -> None:
    """In a process of its own, so the attackers do not slow the genuine client's side of the measurement."""
    async def run() -> None:
        await asyncio.gather(*(hostile(port, stop, sent) for _ in range(attackers)))

    asyncio.run(run())


def under_attack(port: int, asked: list[str], requests: int, attackers: int) -> tuple[list[float], int]:
    stop, sent = multiprocessing.Event(), multiprocessing.Value("l", 0)
    attackers_process = multiprocessing.Process(target=attack, args=(port, attackers, stop, sent))
    attackers_process.start()
    time.sleep(1.0)
    times, _ = asyncio.run(round_trips(port, asked, requests, 1))
    stop.set()
    attackers_process.join()
    return times, int(sent.value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 50])
    parser.add_argument("--hostile", type=int, default=64, help="Junk-sending clients during the last run.")
    args = parser.parse_args()
    asked = questions()

    router = Service.load().router
    own = []
    for i in range(args.requests):
        start = time.perf_counter()
        router.route(asked[i % len(asked)])
        own.append(time.perf_counter() - start)
    print(f"router alone (in process): {percentiles(own)}")

    with tempfile.TemporaryDirectory() as folder:
        service = WyomingService.start(Path(folder) / "serve-wyoming.log")
        try:
            asyncio.run(round_trips(service.port, asked, 50, 1))  # warm up
            for clients in args.clients:
                times, seconds = asyncio.run(round_trips(service.port, asked, args.requests, clients))
                print(f"transcript -> handled over loopback, {clients} client(s) at once: {percentiles(times)}; "
                      f"{len(times) / seconds:.0f} utterances/s")
            if args.hostile:
                times, junk = under_attack(service.port, asked, args.requests // 4, args.hostile)
                print(f"one genuine client while {args.hostile} hostile ones (another process) sent {junk} junk "
                      f"events: "
                      f"{percentiles(times)}; serving: {service.process.poll() is None}")
        finally:
            service.stop()


if __name__ == "__main__":
    main()
