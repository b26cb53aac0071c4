"""Genuine Alexa requests while hostile clients hammer `/alexa` with unsigned requests naming junk certificates.

Usage: python benchmarks/alexa_hostile.py [--hostile 64] [--seconds 10] [--delay 0.15]
The app is served by waitress with `serve`'s defaults (8 threads) on loopback. A stand-in for Amazon's
certificate host answers every download after `--delay` seconds. Hostile clients send well-formed requests
with a fresh timestamp, a signature of the right length and a new random certificate URL each time; one
genuine client sends signed requests (the real chain, cached after its first use) and another asks /healthz.
Prints the genuine requests' and /healthz's median and p99 latency, how many hostile requests were answered
and how many downloads they caused. Target (issue 11): genuine median under 50 ms with 64 hostile clients.
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from waitress.server import create_server  # noqa: E402

from skill.app import create_app  # noqa: E402
from tests.support.alexa_pki import build_pki  # noqa: E402
from tests.support.alexa_signing import (  # noqa: E402
    DEFAULT_CERT_URL, NOW, SKILL_ID, CertificateHost, alexa_timestamp, fixed_clock, launch_request, request_body,
    signed_headers,
)


def now() -> datetime:
    """The test PKI's moment: the app's clock is stopped there, so requests are always fresh."""
    return NOW


def hostile_body() -> bytes:
    return request_body(launch_request(alexa_timestamp(now()), request_id=f"amzn1.echo-api.request.{uuid.uuid4()}"))


def serve(app: Any, ports: Any) -> None:
    """Waitress with `serve`'s defaults (8 threads), in the process that calls this."""
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth is 52", many times
    server = create_server(app, host="127.0.0.1", port=0, threads=8)
    ports.put(server.effective_port)
    server.run()


def attack(base: str, clients: int, stop: Any, answered: Any) -> None:
    """In a process of its own: `clients` threads posting unsigned requests with new junk certificate URLs."""
    fake_signature = base64.b64encode(os.urandom(256)).decode()
    statuses: list[int] = []

    def hostile() -> None:
        with requests.Session() as session:
            while not stop.is_set():
                headers = {"Content-Type": "application/json", "Signature-256": fake_signature,
                           "SignatureCertChainUrl": f"https://s3.amazonaws.com/echo.api/{uuid.uuid4().hex}.pem"}
                try:
                    statuses.append(session.post(f"{base}/alexa", data=hostile_body(), headers=headers,
                                                 timeout=30).status_code)
                except requests.RequestException:
                    statuses.append(0)

    threads = [threading.Thread(target=hostile) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    answered.put(statuses)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hostile", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--delay", type=float, default=0.15)
    args = parser.parse_args()

    pki = build_pki()
    host = CertificateHost(delay=args.delay)
    host.publish(DEFAULT_CERT_URL.rsplit("/", 1)[1], pki.valid_chain)
    host.start()
    roots = Path(tempfile.mkdtemp()) / "roots.pem"
    roots.write_bytes(pki.root_pem)
    app = create_app({"ALEXA_TRUSTED_ROOTS": str(roots), "ALEXA_CERT_FETCH": host.fetcher(),
                      "ALEXA_SKILL_ID": SKILL_ID, "ALEXA_CLOCK": fixed_clock(NOW), "TWILIO_AUTH_TOKEN": "unused",
                      "AUDIO_DIR": str(roots.parent / "no-audio")})
    context = multiprocessing.get_context("fork")
    ports = context.Queue()
    # Its own process, as `serve` would be, so the clients here do not share its interpreter.
    serving = context.Process(target=serve, args=(app, ports), daemon=True)
    serving.start()
    base = f"http://127.0.0.1:{ports.get(timeout=30)}"

    stop = threading.Event()
    hostile_stop = context.Event()
    answered = context.Queue()
    attackers = context.Process(target=attack, args=(base, args.hostile, hostile_stop, answered), daemon=True)

    def timed(samples: list[float], call: object) -> None:
        with requests.Session() as session:
            while not stop.is_set():
                started = time.perf_counter()
                status = call(session)  # type: ignore[operator]
                samples.append(time.perf_counter() - started)
                assert status == 200, status
                time.sleep(0.02)

    def genuine_call(session: requests.Session) -> int:
        body = request_body(launch_request(alexa_timestamp(now())))
        return session.post(f"{base}/alexa", data=body, headers=signed_headers(body, pki), timeout=30).status_code

    genuine: list[float] = []
    health: list[float] = []
    requests.post(f"{base}/alexa", data=(b := request_body(launch_request(alexa_timestamp(now())))),
                  headers=signed_headers(b, pki), timeout=30).raise_for_status()  # the real chain, cached
    attackers.start()
    time.sleep(1.0)  # let the hostile clients get going
    threads = [threading.Thread(target=timed, args=(genuine, genuine_call)),
                threading.Thread(target=timed, args=(health, lambda s: s.get(f"{base}/healthz", timeout=30)
                                                     .status_code))]
    for thread in threads:
        thread.start()
    time.sleep(args.seconds)
    stop.set()
    hostile_stop.set()
    for thread in threads:
        thread.join()
    hostile_answers: list[int] = answered.get(timeout=60)
    attackers.join()
    serving.terminate()
    host.stop()

    def figures(samples: list[float]) -> str:
        ordered = sorted(samples)
        p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
        return f"median {1000 * statistics.median(ordered):.1f} ms, p99 {1000 * p99:.1f} ms ({len(ordered)} requests)"

    statuses = {code: hostile_answers.count(code) for code in sorted(set(hostile_answers))}
    print(f"{args.hostile} hostile clients, certificate host delay {1000 * args.delay:.0f} ms, {args.seconds:.0f} s")
    print(f"  genuine signed requests: {figures(genuine)}   (target: median under 50 ms)")
    print(f"  /healthz:                {figures(health)}")
    print(f"  hostile requests answered: {len(hostile_answers)} {json.dumps(statuses)}; "
          f"certificate downloads: {host.request_count}")


if __name__ == "__main__":
    main()
