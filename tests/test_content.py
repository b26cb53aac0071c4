"""The content file: what the real page gives us, and how a broken copy is reported (file, line, field)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from skill.content import DEFAULT_CONTENT_PATH, Content, load_content
from skill.errors import ContentError

FIXTURES = Path(__file__).parent / "fixtures" / "content"
SEED = Path(__file__).resolve().parent.parent / "content" / "source" / "cruk-what-is-secondary-breast-cancer.txt"

#: The topics the product promises a listener.
REQUIRED_TOPICS = [
    "what-is-it", "treatment-aims", "locally-advanced", "diagnosis-timing", "other-names", "where-it-spreads",
    "tests-and-scans", "feelings", "questions-for-doctor", "outlook", "support", "sources",
]

#: The reference list at the foot of Cancer Research UK's page, one line each.
REFERENCES = [
    "Cancer and its management (7th Edition) Tobias and Hochhauser Wiley Blackwell, 2015",
    "AJCC Cancer Staging Manual (8th edition) American Joint Committee on Cancer Springer, 2016",
    "Advanced breast cancer: diagnosis and treatment "
    "National Institute for Health and Care Excellence (NICE) 2009, Last updated: 2017",
    "4th ESO–ESMO International Consensus Guidelines for Advanced Breast Cancer "
    "F Cardoso and others Annals of Oncology, 2018. Volume 29, Pages 1634–1657,",
]


def squash(text: str) -> str:
    return " ".join(text.split())


def line_number(text: str, marker: str) -> int:
    """1-based line on which `marker` (which must occur once) starts."""
    assert text.count(marker) == 1, f"test data: {marker!r} should occur once"
    return text[: text.index(marker)].count("\n") + 1


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content()


# --- the real content ------------------------------------------------------------------------------


def test_the_real_content_has_every_promised_topic(content: Content) -> None:
    ids = [topic.id for topic in content.topics]
    assert set(REQUIRED_TOPICS) <= set(ids)
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("topic_id", REQUIRED_TOPICS)
def test_each_topic_has_enough_ways_of_asking_and_a_short_answer(content: Content, topic_id: str) -> None:
    topic = content.topic(topic_id)
    assert len(topic.samples) >= 20
    assert 0 < len(topic.short.split()) <= 60


def test_page_is_cancer_research_uks_with_its_review_dates(content: Content) -> None:
    page = content.page
    assert page.publisher == "Cancer Research UK"
    assert page.last_reviewed == date(2021, 2, 10)
    assert page.next_review_due == date(2024, 2, 10)
    seed = squash(SEED.read_text(encoding="utf-8"))
    assert "Last reviewed: 10 Feb 2021 Next review due: 10 Feb 2024" in seed


def test_references_are_the_four_the_page_gives(content: Content) -> None:
    assert [squash(reference) for reference in content.page.references] == REFERENCES
    seed = squash(SEED.read_text(encoding="utf-8"))
    for reference in REFERENCES:
        assert f"• {reference}" in seed


def test_nurse_line_is_the_number_and_hours_on_the_page(content: Content) -> None:
    nurse = content.page.nurse_line
    assert nurse.number == "0808 800 4040"
    assert nurse.hours == "Monday to Friday, 9am to 5pm"
    seed = squash(SEED.read_text(encoding="utf-8"))
    assert f"Cancer Research UK nurses on {nurse.number}, from {nurse.hours}." in seed


def test_the_page_file_named_in_the_content_is_the_seed_page(content: Content) -> None:
    assert content.page.source_file == SEED.resolve()


def test_every_topic_source_is_word_for_word_from_the_page(content: Content) -> None:
    seed = squash(SEED.read_text(encoding="utf-8"))
    not_on_page = [
        (topic.id, paragraph)
        for topic in content.topics
        for paragraph in (squash(p) for p in topic.source.split("\n\n"))
        if paragraph and paragraph not in seed
    ]
    assert not_on_page == []


# --- broken content: each fault named by file, line and field ----------------------------------------

# (old text in the real file, new text, the text whose first line holds the fault, field, part of the message)
# In `field`, {topic-id} stands for that topic's index in the real file.
BROKEN = {
    "missing field": (
        "    menu_label: where it spreads\n",
        "",
        "  - id: where-it-spreads\n",
        "topics[{where-it-spreads}]",
        "'menu_label' is a required property",
    ),
    "bad type": (
        "  nurse_line:\n    number: 0808 800 4040\n    hours: Monday to Friday, 9am to 5pm\n",
        "  nurse_line: 0808 800 4040\n",
        "  nurse_line: 0808 800 4040\n",
        "page.nurse_line",
        "is not of type 'object'",
    ),
    "date not in ISO form": (
        '  last_reviewed: "2021-02-10"\n',
        "  last_reviewed: 10 Feb 2021\n",
        "  last_reviewed: 10 Feb 2021\n",
        "page.last_reviewed",
        "is not a 'date'",
    ),
    "invalid YAML": (
        "  goodbye: Goodbye, and take care.\n",
        "  goodbye: Goodbye: and take care.\n",
        "  goodbye: Goodbye: and take care.\n",
        "",
        "not valid YAML",
    ),
    "duplicate topic id": (
        "  - id: outlook\n",
        "  - id: feelings\n",
        "  - id: feelings\n    title: Outlook\n",
        "topics[{outlook}].id",
        "topic id 'feelings' is used twice",
    ),
    "next pointing nowhere": (
        "    next: tests-and-scans\n",
        "    next: tests-and-scan\n",
        "    next: tests-and-scan\n",
        "topics[{where-it-spreads}].next",
        "no topic has the id 'tests-and-scan'",
    ),
    "sample in two topics": (
        "      - what is the outlook\n",
        "      - what is the outlook\n      - where does breast cancer spread\n",
        "      - where does breast cancer spread\n      - how long have i got\n",
        "topics[{outlook}].samples[1]",
        "is already a sample of 'where-it-spreads'",
    ),
    "sample with a question mark": (
        "      - what is the outlook\n",
        "      - what is the outlook?\n",
        "      - what is the outlook?\n",
        "topics[{outlook}].samples[0]",
        "'what is the outlook?' does not match",
    ),
    "sample with digits": (
        "      - stage four\n",
        "      - stage 4\n",
        "      - stage 4\n",
        "topics[{what-is-it}].samples[13]",
        "'stage 4' does not match",
    ),
    "missing required topic": (
        "  - id: sources\n",
        "  - id: references\n",
        "  - id: what-is-it\n",  # the list of topics starts here
        "topics",
        "required topics are missing: sources",
    ),
}


@pytest.mark.parametrize(("old", "new", "fault", "field", "message"), BROKEN.values(), ids=BROKEN.keys())
def test_broken_content_names_file_line_and_field(
    tmp_path: Path, content: Content, old: str, new: str, fault: str, field: str, message: str
) -> None:
    real = DEFAULT_CONTENT_PATH.read_text(encoding="utf-8")
    assert real.count(old) == 1, f"test data: {old!r} should occur once in the real content"
    broken = real.replace(old, new)
    path = tmp_path / "secondary-breast-cancer.yaml"
    path.write_text(broken, encoding="utf-8")
    field = _with_topic_indexes(field, content)
    line = line_number(broken, fault)

    with pytest.raises(ContentError) as caught:
        load_content(path)

    error = caught.value
    assert (error.file, error.line, error.field) == (str(path), line, field)
    assert str(error).startswith(f"{path}:{line}: {field + ': ' if field else ''}")
    assert message in str(error)


def _with_topic_indexes(field: str, content: Content) -> str:
    """'topics[{outlook}].next' -> 'topics[9].next', from where the topic sits in the real file."""
    for i, topic in enumerate(content.topics):
        field = field.replace("{" + topic.id + "}", str(i))
    return field


def test_invalid_yaml_file_is_reported_at_its_line() -> None:
    path = FIXTURES / "invalid-yaml.yaml"
    with pytest.raises(ContentError, match="not valid YAML") as caught:
        load_content(path)
    line = line_number(path.read_text(encoding="utf-8"), "  goodbye: Goodbye: and")
    assert str(caught.value).startswith(f"{path}:{line}: ")


def test_a_file_that_cannot_be_read_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    with pytest.raises(ContentError, match="cannot read the file") as caught:
        load_content(missing)
    assert str(caught.value).startswith(str(missing))
