"""What a real Alexa endpoint meets besides the happy path, over a served process (waitress), signed.

Bodies nested a thousand deep, requests without a session, request types Amazon adds later, session attributes
of any shape, and a few thousand randomly broken envelopes: a clear 400 or a 200, never a 500, and the
skill's own replies always within Alexa's limits.
"""

from __future__ import annotations

import copy
import json
import random
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from skill.answers import Answers
from skill.content import load_content
from skill.ssml import MAX_SPEECH_CHARS, MIN_RATE, fitted_ssml, problems
from tests.support.alexa_conversation import FIXTURES, envelope
from tests.support.alexa_pki import AlexaPKI
from tests.support.alexa_signing import signed_headers
from tests.support.browser import LiveServer
from tests.support.channels import every_channel_app

CONTENT = load_content()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, alexa_pki: AlexaPKI) -> Iterator[str]:
    """The app under waitress with signature checks on, and a stand-in for Amazon's certificate host."""
    with every_channel_app(tmp_path_factory.mktemp("edges"), alexa_pki) as app, LiveServer(app) as server:
        yield server.url


def post(url: str, pki: AlexaPKI, body: bytes) -> requests.Response:
    return requests.post(f"{url}/alexa", data=body, headers=signed_headers(body, pki), timeout=30)


def post_json(url: str, pki: AlexaPKI, data: Any) -> requests.Response:
    return post(url, pki, json.dumps(data).encode("utf-8"))


def said(response: requests.Response) -> str:
    return str(response.json()["response"].get("outputSpeech", {}).get("ssml", ""))


def test_a_body_nested_a_thousand_deep_gets_a_400_with_its_reason(served: str, alexa_pki: AlexaPKI) -> None:
    reply = post(served, alexa_pki, b'{"a":' * 1000 + b"1" + b"}" * 1000)
    assert reply.status_code == 400 and reply.json() == {"error": "body nests deeper than 32 levels"}


def test_session_attributes_nested_five_hundred_deep_get_a_400(served: str, alexa_pki: AlexaPKI) -> None:
    data = envelope("outlook")
    nested: dict[str, Any] = {}
    data["session"]["attributes"] = {"said": nested}
    for _ in range(500):
        nested["a"] = {}
        nested = nested["a"]
    assert post_json(served, alexa_pki, data).status_code == 400


@pytest.mark.parametrize("name", ["launch_without_session", "ask_question_without_session"])
def test_a_request_without_a_session_is_answered(served: str, alexa_pki: AlexaPKI, name: str) -> None:
    reply = post_json(served, alexa_pki, envelope(name, **({"query": "where does it spread"} if "ask" in name else {})))
    assert reply.status_code == 200
    assert "Sorry, something went wrong" not in said(reply) and said(reply).startswith("<speak>")


@pytest.mark.parametrize("name", ["session_ended_unknown_reason", "unknown_request_type"])
def test_requests_amazon_adds_later_get_200_and_nothing_to_say(served: str, alexa_pki: AlexaPKI, name: str) -> None:
    reply = post_json(served, alexa_pki, envelope(name))
    assert reply.status_code == 200 and reply.json() == {"version": "1.0", "response": {}}


@pytest.mark.parametrize("rate", [0, -500, 10**9, "fast", None, [130], 99.5])
def test_a_speaking_rate_from_the_session_is_kept_within_alexas_range(served: str, alexa_pki: AlexaPKI,
                                                                      rate: Any) -> None:
    data = envelope("outlook")
    data["session"]["attributes"] = {"rate": rate}
    speech = said(post_json(served, alexa_pki, data))
    rates = [int(found) for found in re.findall(r'<prosody rate="(\d+)%">', speech)]
    assert all(MIN_RATE <= found <= 200 for found in rates) and "different for each person" in speech


def test_every_full_section_at_the_slowest_rate_is_well_formed_and_within_the_limit() -> None:
    answers = Answers(CONTENT)
    for topic in CONTENT.topics:
        ssml = fitted_ssml(answers.full(topic), "Would you like to hear more?", MIN_RATE, slow=True)
        assert problems(ssml) == [], topic.id


def test_speech_too_long_for_alexa_is_cut_at_a_sentence_and_keeps_its_question() -> None:
    text = " ".join(f"Call 0808 800 4040 or 999, line {n}." for n in range(600))  # numbers grow in SSML
    ssml = fitted_ssml(text, "What else would you like to know?", slow=True)
    assert len(f"<speak>{ssml}</speak>") <= MAX_SPEECH_CHARS and problems(ssml) == []
    assert re.search(r"line \d+\. (<break time=\"600ms\"/>)?What else would you like to know\?$", ssml)


VALUES: list[Any] = [None, 0, -1, 10**12, 1.5, True, "", "x" * 5000, "outlook", "urgent-numbers", "\u0000",
                     "<speak>", [], {}, [1, 2], {"a": 1}]
ATTRIBUTES = ("rate", "topic", "offer", "said", "reprompt", "choices")


def broken(data: Any, rnd: random.Random) -> Any:
    """One to four fields of an envelope replaced by a value of another type, or removed."""
    places = list(_places(data))
    for _ in range(rnd.randint(1, 4)):
        path = rnd.choice(places)
        node = data
        for key in path[:-1]:
            node = node[key] if isinstance(node, (dict, list)) and _has(node, key) else None
        if not isinstance(node, (dict, list)) or not _has(node, path[-1]):
            continue
        if isinstance(node, dict) and rnd.random() < 0.3:
            node.pop(path[-1])
        else:
            node[path[-1]] = copy.deepcopy(rnd.choice(VALUES))
    if rnd.random() < 0.3 and isinstance(data.get("session"), dict):
        data["session"]["attributes"] = {key: copy.deepcopy(rnd.choice(VALUES)) for key in ATTRIBUTES}
    return data


def _has(node: dict[str, Any] | list[Any], key: Any) -> bool:
    return key in node if isinstance(node, dict) else isinstance(key, int) and key < len(node)


def _places(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else []
    for key, value in items:
        yield (*prefix, key)
        yield from _places(value, (*prefix, key))


def test_a_thousand_randomly_broken_envelopes_never_get_a_500_or_an_apology(served: str,
                                                                             alexa_pki: AlexaPKI) -> None:
    rnd = random.Random(11)
    templates = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(FIXTURES.glob("*.json"))]
    outcomes: Counter[tuple[int, bool]] = Counter()
    with requests.Session() as session:
        for _ in range(1000):
            data = broken(copy.deepcopy(rnd.choice(templates)), rnd)
            if isinstance(data.get("request"), dict):
                data["request"]["timestamp"] = envelope("launch")["request"]["timestamp"]
            body = json.dumps(data).encode("utf-8")
            reply = session.post(f"{served}/alexa", data=body, headers=signed_headers(body, alexa_pki), timeout=30)
            apology = reply.status_code == 200 and "Sorry, something went wrong" in said(reply)
            outcomes[reply.status_code, apology] += 1
            if reply.status_code == 400:
                assert reply.json()["error"], "a 400 says why"
    assert set(outcomes) <= {(200, False), (400, False)}, outcomes
    assert outcomes[200, False] > 300, outcomes  # most breakages leave a request the skill can still answer


def test_fixture_files_are_what_alexa_sends() -> None:
    """The new fixtures keep the shape of the others: a request with a type, an id and a timestamp."""
    for name in ("launch_without_session", "session_ended_unknown_reason", "unknown_request_type"):
        data = json.loads((Path(FIXTURES) / f"{name}.json").read_text(encoding="utf-8"))
        assert {"type", "requestId", "timestamp"} <= set(data["request"])


def test_an_enormous_free_question_gets_an_ordinary_reply(served: str, alexa_pki: AlexaPKI) -> None:
    reply = post_json(served, alexa_pki, envelope("ask_question", query="where does it spread " + "x" * 100_000))
    assert reply.status_code == 200
    assert "Sorry, something went wrong" not in said(reply) and len(said(reply)) <= MAX_SPEECH_CHARS
