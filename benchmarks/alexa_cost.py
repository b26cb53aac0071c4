"""Cost of one Alexa request through our app, next to a bare ask-sdk-core skill on Flask returning a constant.

Usage: python benchmarks/alexa_cost.py [--requests 2000]
Both apps get the same AskQuestionIntent envelope through Flask's test client (no sockets), so the figures
compare our work per request (routing, answering, SSML, session) with the SDK's own floor.
Target (issue 2): ours at most 1.25 times the bare skill. Signature checks are measured separately: they
add one RSA verification per request (the certificate itself is cached).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ask_sdk_core.dispatch_components import AbstractRequestHandler  # noqa: E402
from ask_sdk_core.skill_builder import SkillBuilder  # noqa: E402
from ask_sdk_model import RequestEnvelope  # noqa: E402
from flask import Flask, jsonify, request  # noqa: E402

from skill.app import create_app  # noqa: E402

ENVELOPE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "alexa" / "ask_question.json"


class Constant(AbstractRequestHandler):
    def can_handle(self, handler_input: Any) -> bool:
        return True

    def handle(self, handler_input: Any) -> Any:
        return handler_input.response_builder.speak("Hello.").ask("Anything else?").response


def bare_app() -> Flask:
    """The floor: what any ask-sdk-core skill on Flask must do for a request."""
    builder = SkillBuilder()
    builder.add_request_handler(Constant())
    skill = builder.create()
    app = Flask("bare")

    @app.post("/alexa")
    def alexa() -> Any:
        envelope = skill.serializer.deserialize(request.get_data(as_text=True), RequestEnvelope)
        return jsonify(skill.serializer.serialize(skill.invoke(request_envelope=envelope, context=None)))

    return app


def time_round(client: Any, body: bytes, count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        reply = client.post("/alexa", data=body, content_type="application/json")
    assert reply.status_code == 200, reply.get_data(as_text=True)
    return (time.perf_counter() - start) / count


def compare(apps: dict[str, Flask], body: bytes, count: int, rounds: int = 10) -> dict[str, float]:
    """Rounds alternate between the apps, and each app's best round counts: on a shared machine the
    fastest round is the one least disturbed by other work."""
    clients = {name: app.test_client() for name, app in apps.items()}
    for client in clients.values():
        time_round(client, body, 50)  # warm up
    best = {name: float("inf") for name in apps}
    for _ in range(rounds):
        for name, client in clients.items():
            best[name] = min(best[name], time_round(client, body, count // rounds))
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    body = json.dumps(json.loads(ENVELOPE.read_text())).encode()
    best = compare({"bare": bare_app(), "ours": create_app({"ALEXA_VERIFY_SIGNATURES": False})}, body, args.requests)
    print(f"bare ask-sdk-core skill on Flask: {best['bare'] * 1e6:7.0f} us per request")
    print(f"this skill (routing + answer):    {best['ours'] * 1e6:7.0f} us per request")
    print(f"ratio: {best['ours'] / best['bare']:.2f} (target at most 1.25)")


if __name__ == "__main__":
    main()
