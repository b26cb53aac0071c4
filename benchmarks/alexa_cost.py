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

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "alexa"
DEV_QUESTIONS = Path(__file__).resolve().parent / "dev_questions.tsv"


def bodies(kind: str) -> list[bytes]:
    """Request bodies as Alexa sends them: free questions (one per dev-set line), or topic intents."""
    if kind == "question":
        template = json.loads((FIXTURES / "ask_question.json").read_text())
        lines = DEV_QUESTIONS.read_text(encoding="utf-8").splitlines()[1:]
        out = []
        for line in lines:
            template["request"]["intent"]["slots"]["query"]["value"] = line.split("\t", 1)[1]
            out.append(json.dumps(template).encode())
        return out
    return [(FIXTURES / f"{name}.json").read_bytes() for name in ("where_it_spreads", "outlook", "help")]


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


def time_round(client: Any, requests: list[bytes], count: int) -> float:
    start = time.perf_counter()
    for i in range(count):
        reply = client.post("/alexa", data=requests[i % len(requests)], content_type="application/json")
    assert reply.status_code == 200, reply.get_data(as_text=True)
    return (time.perf_counter() - start) / count


def compare(apps: dict[str, Flask], requests: list[bytes], count: int, rounds: int = 10) -> dict[str, float]:
    """Rounds alternate between the apps, and each app's best round counts: on a shared machine the
    fastest round is the one least disturbed by other work."""
    clients = {name: app.test_client() for name, app in apps.items()}
    for client in clients.values():
        time_round(client, requests, 50)  # warm up
    best = {name: float("inf") for name in apps}
    for _ in range(rounds):
        for name, client in clients.items():
            best[name] = min(best[name], time_round(client, requests, count // rounds))
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    apps = {"bare": bare_app(), "ours": create_app({"ALEXA_VERIFY_SIGNATURES": False})}
    for kind, label in (("question", "free questions (AskQuestionIntent, routed)"),
                        ("intent", "topic intents and help (no routing)")):
        best = compare(apps, bodies(kind), args.requests)
        print(f"{label}:")
        print(f"  bare ask-sdk-core skill on Flask: {best['bare'] * 1e6:6.0f} us per request")
        print(f"  this skill:                       {best['ours'] * 1e6:6.0f} us per request")
        print(f"  ratio {best['ours'] / best['bare']:.2f} (target at most 1.25)")


if __name__ == "__main__":
    main()
