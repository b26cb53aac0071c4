"""The command line as a person uses it: real content, real router, output read as text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from skill.cli import cli
from skill.content import DEFAULT_CONTENT_PATH, Content, load_content
from skill.readability import WORDS_PER_SECOND

FIXTURES = Path(__file__).parent / "fixtures" / "content"
SEED = DEFAULT_CONTENT_PATH.parent / "source" / "cruk-what-is-secondary-breast-cancer.txt"


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content()


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin)


def assert_no_traceback(result: Result) -> None:
    """CliRunner swallows tracebacks, so look at what ended the command: only click's own exit is fine."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


def line_number(text: str, marker: str) -> int:
    assert text.count(marker) == 1, f"test data: {marker!r} should occur once"
    return text[: text.index(marker)].count("\n") + 1


# --- ask ----------------------------------------------------------------------------------------------


def test_ask_prints_the_short_answer(content: Content) -> None:
    result = run("ask", "where", "does", "breast", "cancer", "spread")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == content.topic("where-it-spreads").short
    for place in ("liver", "lungs", "bones"):
        assert place in result.output


@pytest.mark.parametrize("question", ["i can't breathe properly", "i want to end my life"])
def test_ask_with_an_urgent_question_gives_the_emergency_numbers(question: str) -> None:
    result = run("ask", question)
    assert result.exit_code == 0, result.output
    for number in ("999", "111", "116 123"):
        assert number in result.output


def test_ask_jsonl_answers_one_json_object_per_question_and_skips_blank_lines(content: Content) -> None:
    stdin = "where does breast cancer spread to\n\nwhat is prostate cancer\n   \ni can't catch my breath\nthe outlook\n"
    result = run("ask", "--jsonl", stdin=stdin)
    assert result.exit_code == 0, result.output

    rows = [json.loads(line) for line in result.output.splitlines()]
    assert all(set(row) == {"question", "kind", "topic", "speech"} for row in rows)
    assert [(row["question"], row["kind"], row["topic"]) for row in rows] == [
        ("where does breast cancer spread to", "answer", "where-it-spreads"),
        ("what is prostate cancer", "out_of_scope", None),
        ("i can't catch my breath", "urgent", None),
        ("the outlook", "answer", "outlook"),
    ]
    assert rows[0]["speech"] == content.topic("where-it-spreads").short
    assert content.page.nurse_line.number in rows[1]["speech"]
    assert "999" in rows[2]["speech"]


def test_ask_without_a_question_is_a_usage_error() -> None:
    result = run("ask")
    assert result.exit_code == 2
    assert "Usage:" in result.output
    assert "Give a question" in result.output
    assert_no_traceback(result)


# --- check --------------------------------------------------------------------------------------------


def topic_rows(output: str) -> dict[str, tuple[int, int]]:
    """`topic  words  seconds ...` rows of the check table, as {topic: (words, seconds)}."""
    rows = re.findall(r"^([a-z-]+)\s+(\d+)\s+(\d+)s\s", output, flags=re.MULTILINE)
    return {topic: (int(words), int(seconds)) for topic, words, seconds in rows}


def test_check_passes_and_shows_length_and_time_for_every_topic(content: Content) -> None:
    result = run("check")
    assert result.exit_code == 0, result.output
    assert re.search(r"^topic\s+words\s+seconds\b", result.output, flags=re.MULTILINE)
    rows = topic_rows(result.output)
    assert list(rows) == [topic.id for topic in content.topics]
    for words, seconds in rows.values():
        assert 0 < words
        assert abs(seconds - words / WORDS_PER_SECOND) <= 0.5


# The page's next review was due on 10 February 2024.
@pytest.mark.parametrize(
    ("today", "past_review"),
    [
        ([], True),  # the real today, which is after that
        (["--today", "2025-06-01"], True),
        (["--today", "2024-02-10"], False),
        (["--today", "2023-01-01"], False),
    ],
)
def test_check_warns_when_the_page_is_past_its_review_date(today: list[str], past_review: bool) -> None:
    result = run("check", *today)
    assert result.exit_code == 0, result.output
    assert ("warning: The page is past its review date" in result.output) == past_review
    assert ("10 February 2024" in result.output) == past_review


def broken_copy(tmp_path: Path) -> tuple[Path, int]:
    """The real content with one topic's `next` pointing at a topic that does not exist."""
    text = DEFAULT_CONTENT_PATH.read_text(encoding="utf-8")
    assert text.count("    next: tests-and-scans\n") == 1
    text = text.replace("    next: tests-and-scans\n", "    next: scans-and-tests\n")
    path = tmp_path / "secondary-breast-cancer.yaml"
    path.write_text(text, encoding="utf-8")
    return path, line_number(text, "    next: scans-and-tests\n")


def invalid_yaml() -> tuple[Path, int]:
    path = FIXTURES / "invalid-yaml.yaml"
    return path, line_number(path.read_text(encoding="utf-8"), "  goodbye: Goodbye: and")


@pytest.mark.parametrize("command", [["check"], ["ask", "where does it spread"], ["build-models", "--check"]])
@pytest.mark.parametrize("broken", ["next pointing nowhere", "invalid YAML"])
def test_broken_content_is_an_error_naming_file_and_line_without_a_traceback(
    tmp_path: Path, command: list[str], broken: str
) -> None:
    path, line = broken_copy(tmp_path) if broken == "next pointing nowhere" else invalid_yaml()
    result = run(*command, "--content", str(path))
    assert result.exit_code == 1
    assert f"Error: {path}:{line}: " in result.output
    assert_no_traceback(result)


def test_check_accepts_a_section_that_begins_with_a_bullet_list(tmp_path: Path) -> None:
    lead_in = "      Cancers that have spread to another part of the body are also called:\n\n"
    text = DEFAULT_CONTENT_PATH.read_text(encoding="utf-8")
    assert text.count(lead_in) == 1
    path = tmp_path / "secondary-breast-cancer.yaml"
    path.write_text(text.replace(lead_in, ""), encoding="utf-8")
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / SEED.name).write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")

    result = run("check", "--content", str(path))

    assert_no_traceback(result)
    assert result.exit_code == 0, result.output
    assert "other-names" in topic_rows(result.output)
