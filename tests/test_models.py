"""The generated Alexa models: committed files match content, and what Alexa's build rejects is caught first."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from skill.content import Content, load_content
from skill.errors import ModelError
from skill.model_checks import check_models
from skill.models import (
    BUILT_IN_INTENTS, LOCALES, MANIFEST_PATH, build_models, model_path, render_models, stale_models, write_models,
)

COMMITTED = Path(__file__).resolve().parent.parent / "interaction_models"


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content()


@pytest.fixture(scope="module")
def models(content: Content) -> dict[str, dict[str, Any]]:
    return build_models(content)


def intents_of(models: dict[str, dict[str, Any]], locale: str) -> dict[str, dict[str, Any]]:
    intents = models[model_path(locale)]["interactionModel"]["languageModel"]["intents"]
    return {intent["name"]: intent for intent in intents}


def test_committed_models_match_the_content(content: Content) -> None:
    stale = stale_models(content, COMMITTED)
    assert not stale, (
        f"interaction_models/ is out of date with content/ ({', '.join(stale)}). "
        "Run: python -m skill build-models"
    )


def test_stale_models_names_a_file_edited_by_hand(content: Content, tmp_path: Path) -> None:
    write_models(content, tmp_path)
    (tmp_path / model_path("en-GB")).write_text("{}\n", encoding="utf-8")
    (tmp_path / MANIFEST_PATH).unlink()
    assert stale_models(content, tmp_path) == [model_path("en-GB"), MANIFEST_PATH]


@pytest.mark.parametrize("locale", LOCALES)
def test_each_locale_has_one_intent_per_topic_with_its_samples(
    models: dict[str, dict[str, Any]], content: Content, locale: str
) -> None:
    intents = intents_of(models, locale)
    assert models[model_path(locale)]["interactionModel"]["languageModel"]["invocationName"] == (
        content.skill.invocation_name
    )
    for topic in content.topics:
        assert intents[topic.intent_name]["samples"] == list(topic.samples)
    for name in BUILT_IN_INTENTS + ("TellMeMoreIntent", "ListTopicsIntent", "SlowerIntent", "FasterIntent"):
        assert name in intents
    assert len(intents) == len(models[model_path(locale)]["interactionModel"]["languageModel"]["intents"])


@pytest.mark.parametrize("locale", LOCALES)
def test_ask_question_has_a_search_query_slot_and_every_sample_has_a_carrier_phrase(
    models: dict[str, dict[str, Any]], content: Content, locale: str
) -> None:
    intent = intents_of(models, locale)["AskQuestionIntent"]
    assert intent["slots"] == [{"name": "query", "type": "AMAZON.SearchQuery"}]
    assert intent["samples"] == list(content.skill.carrier_phrases)
    for sample in intent["samples"]:
        assert "{query}" in sample
        assert sample.replace("{query}", "").strip(), f"{sample!r} has no carrier phrase"


def test_the_real_models_have_no_problems(models: dict[str, dict[str, Any]]) -> None:
    assert check_models(models) == []


def test_the_manifest_lists_every_locale_and_the_not_medical_advice_disclaimer(
    models: dict[str, dict[str, Any]], content: Content
) -> None:
    manifest = models[MANIFEST_PATH]["manifest"]
    listings = manifest["publishingInformation"]["locales"]
    assert list(listings) == list(LOCALES)
    # Only where 999, NHS 111 and Samaritans are the right numbers: the United Kingdom.
    assert manifest["publishingInformation"]["distributionCountries"] == ["GB"]
    assert manifest["publishingInformation"]["isAvailableWorldwide"] is False
    for locale, listing in listings.items():
        assert "not medical advice" in listing["description"], locale
        assert "For people in the United Kingdom" in listing["description"], locale
        assert "For the UK" in listing["summary"], locale
        assert listing["examplePhrases"][0] == f"Alexa, open {content.skill.invocation_name}"
        samples = {s for intent in intents_of(models, locale).values() for s in intent["samples"]}
        for phrase in listing["examplePhrases"][1:]:
            prefix = f"Alexa, ask {content.skill.invocation_name} "
            assert phrase.startswith(prefix) and phrase.removeprefix(prefix) in samples, phrase


def broken(*intents: dict[str, Any], invocation: str = "breast cancer guide") -> dict[str, dict[str, Any]]:
    """A one-locale model with these intents."""
    language_model = {"invocationName": invocation, "intents": list(intents), "types": []}
    return {model_path("en-GB"): {"interactionModel": {"languageModel": language_model}}}


def intent(name: str, *samples: str, query_slot: bool = False) -> dict[str, Any]:
    slots = [{"name": "query", "type": "AMAZON.SearchQuery"}] if query_slot else []
    return {"name": name, "slots": slots, "samples": list(samples)}


BROKEN_MODELS = [
    pytest.param(
        broken(intent("OutlookIntent", "what is the outlook"), intent("PrognosisIntent", "What is  the Outlook")),
        ['"What is  the Outlook"', "OutlookIntent and PrognosisIntent"],
        id="utterance-in-two-intents",
    ),
    pytest.param(
        broken(intent("AskQuestionIntent", "tell me about {query}", "{query}", query_slot=True)),
        ['"{query}"', "carrier phrase"],
        id="bare-search-query",
    ),
    pytest.param(
        broken(intent("WhatIsItIntent", "is it stage 4")),
        ["WhatIsItIntent", '"is it stage 4"', "'4'", "spell numbers as words"],
        id="digits-in-a-sample",
    ),
    pytest.param(
        broken(intent("OutlookIntent", "what is the outlook for {place}")),
        ["OutlookIntent", '"what is the outlook for {place}"', "{place}", "does not declare"],
        id="undeclared-slot",
    ),
    pytest.param(
        broken(intent("OutlookIntent", "what's the outlook?")),
        ["OutlookIntent", "'?'"],
        id="punctuation-in-a-sample",
    ),
    pytest.param(
        broken(intent("OutlookIntent", "outlook " * 30)),
        ["OutlookIntent", "240 characters", "limit is 200"],
        id="sample-too-long",
    ),
    pytest.param(broken(invocation="ask my guide"), ['"ask my guide"', 'launch word "ask"'], id="launch-word"),
    pytest.param(broken(invocation="talk to cancer guide"), ['launch word "talk to"'], id="launch-phrase"),
    pytest.param(broken(invocation="alexa helper"), ['"alexa helper"', 'the word "alexa"'], id="wake-word"),
    pytest.param(broken(invocation="cancer skill"), ['the word "skill"'], id="skill-word"),
    pytest.param(broken(invocation="guide"), ['"guide"', "two or more words"], id="one-word"),
    pytest.param(broken(invocation="Breast Guide"), ['"Breast Guide"', "lower-case letters"], id="capitals"),
    pytest.param(broken(invocation="the guide"), ['"the guide"', "only two words"], id="two-words-one-article"),
    pytest.param(
        broken(invocation="a very long invocation name about secondary breast cancer"),
        ["characters; the limit is 50"],
        id="invocation-too-long",
    ),
]


@pytest.mark.parametrize(("models", "expected"), BROKEN_MODELS)
def test_broken_models_produce_the_right_problem(models: dict[str, dict[str, Any]], expected: list[str]) -> None:
    problems = check_models(models)
    assert len(problems) == 1, problems
    for fragment in expected:
        assert fragment in problems[0]
    assert problems[0].endswith("(en-GB)")


def test_a_problem_shared_by_every_locale_is_reported_once_naming_them(models: dict[str, dict[str, Any]]) -> None:
    doubled = {path: model for path, model in models.items()}
    for locale in LOCALES:
        language_model = {"invocationName": "guide", "intents": [], "types": []}
        doubled[model_path(locale)] = {"interactionModel": {"languageModel": language_model}}
    assert check_models(doubled) == [
        'The invocation name "guide" needs two or more words unless it is a brand name. '
        "(en-AU, en-CA, en-GB, en-IN, en-US)"
    ]


def test_build_models_refuses_content_alexa_would_reject(content: Content) -> None:
    aims = content.topic("treatment-aims")
    clashing = replace(aims, samples=aims.samples + ("tell me more",))
    topics = tuple(clashing if topic.id == aims.id else topic for topic in content.topics)
    with pytest.raises(ModelError, match=r'(?s)1 problem.*"tell me more" is a sample of both TreatmentAimsIntent'):
        build_models(replace(content, topics=topics))


def test_files_are_pretty_json_with_a_trailing_newline(content: Content) -> None:
    for rel, text in render_models(content).items():
        assert text.endswith("\n") and not text.endswith("\n\n"), rel
        if rel.endswith(".json"):
            assert text.startswith('{\n  "'), rel
    assert "python -m skill build-models" in render_models(content)["README.md"]


def test_output_is_deterministic(content: Content) -> None:
    assert render_models(content) == render_models(load_content())


def test_write_models_writes_nothing_when_nothing_changed(content: Content, tmp_path: Path) -> None:
    first = write_models(content, tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in first) == sorted(render_models(content))
    old = 1_000_000_000_000_000_000
    for path in first:
        os.utime(path, ns=(old, old))

    assert write_models(content, tmp_path) == []
    assert all(path.stat().st_mtime_ns == old for path in first)
    assert stale_models(content, tmp_path) == []


def test_write_models_rewrites_only_the_changed_file_and_leaves_no_temp_files(
    content: Content, tmp_path: Path
) -> None:
    write_models(content, tmp_path)
    edited = tmp_path / model_path("en-US")
    edited.write_text("{}\n", encoding="utf-8")

    assert write_models(content, tmp_path) == [edited]
    assert edited.read_text(encoding="utf-8") == render_models(content)[model_path("en-US")]
    on_disk = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert on_disk == sorted(render_models(content))


def test_emergencies_and_questions_beyond_the_page_have_intents_of_their_own(models: dict) -> None:
    from skill.understand import RouterData

    data = RouterData.load()
    intents = {i["name"]: i for i in models[model_path("en-GB")]["interactionModel"]["languageModel"]["intents"]}
    assert intents["UrgentHelpIntent"]["samples"] == list(data.urgent_samples)
    assert intents["OutOfScopeIntent"]["samples"] == list(data.out_of_scope_samples)
