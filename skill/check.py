"""`check`: is the content faithful to the page, easy to hear, valid SSML, and still in date?"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from .answers import Answers, spoken_date
from .content import Content, Topic
from .understand.normalise import stem
from .readability import measure
from .ssml import problems as ssml_problems
from .ssml import to_ssml

MAX_SHORT_WORDS = 60
MAX_SENTENCE_WORDS = 25
MIN_READING_EASE = 40.0
_CONTENT_WORD = re.compile(r"[a-z][a-z']+")
#: Small words and navigation words a short answer may use though the page does not.
_ALLOWED_NEW_WORDS = frozenset(
    "a an the and or but so it its it's is are was be has have had this that they them their there you your "
    "can can't may also just too to of in on at by for from with into near about what how who which when "
    "ask say said sadly help means mean called other names first found lines open keep up "
    "january february march april may june july august september october november december".split()
)


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _squash(text: str) -> str:
    return " ".join(text.replace("’", "'").split())


def check_content(content: Content, today: date) -> Report:
    report = Report()
    answers = Answers(content, lambda: today)
    seed = _squash(content.page.source_file.read_text(encoding="utf-8"))
    report.lines.append(f"{'topic':<22} {'words':>5} {'seconds':>7} {'ease':>5} {'age':>4} {'longest':>7}  ssml")
    for topic in content.topics:
        _check_topic(report, answers, topic, seed)
    for name, text in content.messages.items():
        for problem in ssml_problems(to_ssml(text)):
            report.errors.append(f"message {name}: {problem}")
    page = content.page
    if page.is_overdue(today):
        report.warnings.append(
            f"The page is past its review date: next review was due {spoken_date(page.next_review_due)} "
            f"(last reviewed {spoken_date(page.last_reviewed)}). Check it against Cancer Research UK's "
            "current page; the sources answer tells listeners it may be out of date."
        )
    return report


def _check_topic(report: Report, answers: Answers, topic: Topic, seed: str) -> None:
    short = answers.short(topic)
    stats = measure(short)
    ssml_issues = ssml_problems(to_ssml(short)) + ssml_problems(to_ssml(answers.full(topic)))
    report.lines.append(
        f"{topic.id:<22} {stats.words:>5} {stats.seconds:>6.0f}s {stats.reading_ease:>5.0f} "
        f"{stats.reading_age:>4.0f} {stats.longest_sentence:>7}  {'ok' if not ssml_issues else 'INVALID'}"
    )
    report.errors.extend(f"{topic.id}: {issue}" for issue in ssml_issues)
    for paragraph in (p for p in topic.source.split("\n\n") if p.strip()):
        if _squash(paragraph) not in seed:
            report.errors.append(f"{topic.id}: source is not word for word from the page: {paragraph[:60]!r}")
    # The limit is for the written short answer; a signpost said after it (`ends_with`) is not counted.
    written = measure(topic.short).words
    if written > MAX_SHORT_WORDS:
        report.warnings.append(f"{topic.id}: short answer has {written} words (aim for {MAX_SHORT_WORDS} or fewer)")
    if stats.longest_sentence >= MAX_SENTENCE_WORDS:
        report.warnings.append(f"{topic.id}: a sentence has {stats.longest_sentence} words (keep under {MAX_SENTENCE_WORDS})")
    if stats.reading_ease < MIN_READING_EASE:
        report.warnings.append(f"{topic.id}: reading ease {stats.reading_ease:.0f} is hard going")
    # The sources answer speaks about the page itself, so any word of the page may appear in it.
    own_source = seed if topic.id == "sources" else _squash(topic.source)
    source_stems = {stem(w) for w in _CONTENT_WORD.findall(own_source.lower())}
    new = sorted(
        w for w in set(_CONTENT_WORD.findall(topic.short.lower()))
        if stem(w.removesuffix("'s")) not in source_stems and w not in _ALLOWED_NEW_WORDS
    )
    if new:
        report.warnings.append(f"{topic.id}: short answer uses words the source does not: {', '.join(new)}")
