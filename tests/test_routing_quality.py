"""Routing quality on the question sets in benchmarks/: a content or router edit must not make it worse."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from skill.content import load_content
from skill.understand import Router, RouterData

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
SETS = ["dev_questions.tsv", "check_questions.tsv"]
#: Safety is checked on every set, including check4 (blind out-of-scope figures there are in the README).
ALL_SETS = [*SETS, "check4_questions.tsv", "safety_questions.tsv"]
#: Calm questions that may get the emergency numbers, at most: the safety set is made of calm questions that
#: share an emergency's words ("i don't want to die", "out of breath on the stairs"), so it is held to less.
FALSE_ALARMS = {"safety_questions.tsv": 0.02}


@pytest.fixture(scope="module")
def router() -> Router:
    return Router.from_content(load_content())


def questions(name: str) -> list[tuple[str, str]]:
    with (BENCHMARKS / name).open(encoding="utf-8") as handle:
        return [(row[0], row[1]) for row in list(csv.reader(handle, delimiter="\t"))[1:]]


def answered_as(router: Router, question: str) -> str:
    """The topic answered, or offered first by a clarifying question; else the route's kind."""
    route = router.route(question)
    return route.topic if route.kind in ("answer", "clarify") and route.topic else route.kind


@pytest.mark.parametrize("name", ALL_SETS)
def test_every_urgent_question_gets_the_emergency_numbers(router: Router, name: str) -> None:
    missed = [q for label, q in questions(name) if label == "urgent" and answered_as(router, q) != "urgent"]
    assert missed == []


@pytest.mark.parametrize("name", ALL_SETS)
def test_nothing_harmless_is_mistaken_for_an_emergency_too_often(router: Router, name: str) -> None:
    calm = [q for label, q in questions(name) if label != "urgent"]
    alarmed = [q for q in calm if answered_as(router, q) == "urgent"]
    assert len(alarmed) <= FALSE_ALARMS.get(name, 0.02) * len(calm), alarmed


@pytest.mark.parametrize("name", SETS)
def test_at_least_95_percent_of_questions_about_the_page_find_their_topic(router: Router, name: str) -> None:
    in_scope = [(label, q) for label, q in questions(name) if label not in ("urgent", "out_of_scope")]
    wrong = [(label, q) for label, q in in_scope if answered_as(router, q) != label]
    assert len(wrong) <= 0.05 * len(in_scope), wrong


@pytest.mark.parametrize("name", SETS)
def test_at_least_90_percent_of_questions_beyond_the_page_are_declined(router: Router, name: str) -> None:
    beyond = [q for label, q in questions(name) if label == "out_of_scope"]
    guessed = [q for q in beyond if answered_as(router, q) != "out_of_scope"]
    assert len(guessed) <= 0.10 * len(beyond), guessed


def test_alexa_and_the_router_agree_on_every_sample(router: Router) -> None:
    """The interaction model is made from the same samples: each intent's samples must reach the same place
    through the router, so no calm question sits in UrgentHelpIntent and no navigation word in OutOfScopeIntent."""
    content = load_content()
    data = RouterData.load()
    elsewhere = [(s, answered_as(router, s)) for s in data.urgent_samples if answered_as(router, s) != "urgent"]
    elsewhere += [(s, answered_as(router, s)) for s in data.out_of_scope_samples
                  if answered_as(router, s) != "out_of_scope"]
    elsewhere += [(s, answered_as(router, s)) for t in content.topics for s in t.samples
                  if answered_as(router, s) != t.id]
    assert elsewhere == []


@pytest.mark.parametrize("question", [
    "what's on telly tonight", "set a timer for ten minutes", "how do i grow tomatoes", "what's the weather tomorrow",
    "play some music", "what time does the post office shut", "how far is it to cardiff", "wake me up at seven",
])
def test_everyday_requests_are_declined_not_answered_with_cancer_content(router: Router, question: str) -> None:
    assert answered_as(router, question) == "out_of_scope"


def grouped(name: str) -> list[tuple[str, str, str]]:
    with (BENCHMARKS / name).open(encoding="utf-8") as handle:
        return [(row[0], row[1], row[2]) for row in list(csv.reader(handle, delimiter="\t"))[1:]]


def test_issue_10s_development_questions_keep_their_figures(router: Router) -> None:
    """The thresholds were chosen on these (two writers who saw only the page): a change must not undo them."""
    rows = grouped("understanding_dev.tsv")
    topical = [(label, q) for label, _, q in rows if label not in ("urgent", "out_of_scope")]
    beyond = [q for label, _, q in rows if label == "out_of_scope"]
    everyday = [q for label, group, q in rows if group == "everyday"]
    urgent = [q for label, _, q in rows if label == "urgent"]
    calm = [q for label, _, q in rows if label != "urgent"]
    assert sum(answered_as(router, q) == label for label, q in topical) >= 0.95 * len(topical)
    assert sum(answered_as(router, q) == "out_of_scope" for q in beyond) >= 0.97 * len(beyond)
    assert [q for q in everyday if answered_as(router, q) != "out_of_scope"] == []
    assert [q for q in urgent if answered_as(router, q) != "urgent"] == []
    assert len([q for q in calm if answered_as(router, q) == "urgent"]) <= 0.005 * len(calm)
