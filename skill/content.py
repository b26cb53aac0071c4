"""Load the page's content file, check it against its schema, and hand out typed topics."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from .errors import ContentError
from .phone_menu import Phone, build_phone, phone_problems

#: libyaml's parser where PyYAML was built with it (as its wheels are): five times faster at start-up.
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
DEFAULT_CONTENT_PATH = CONTENT_DIR / "secondary-breast-cancer.yaml"
SCHEMA_PATH = CONTENT_DIR / "schema.json"

#: Topics the product promises; content may add more but never lose these.
REQUIRED_TOPICS = (
    "what-is-it", "treatment-aims", "locally-advanced", "diagnosis-timing", "other-names",
    "where-it-spreads", "tests-and-scans", "feelings", "questions-for-doctor", "outlook",
    "support", "sources",
)


@dataclass(frozen=True)
class NurseLine:
    number: str
    hours: str


@dataclass(frozen=True)
class Page:
    title: str
    publisher: str
    source_file: Path
    references: tuple[str, ...]
    last_reviewed: date
    next_review_due: date
    nurse_line: NurseLine

    def is_overdue(self, today: date) -> bool:
        return today > self.next_review_due


@dataclass(frozen=True)
class SkillInfo:
    name: str
    invocation_name: str
    summary: str
    description: str
    carrier_phrases: tuple[str, ...]


@dataclass(frozen=True)
class Correction:
    """A typo on the page (`page`) and what is spoken and shown instead (`say`)."""

    page: str
    say: str
    why: str


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    menu_label: str
    source: str  # the page's words, exactly: the faithfulness checks read this
    short: str
    samples: tuple[str, ...]
    next: str | None
    line: int = 0
    #: The page's words with its recorded typos put right: what is spoken and shown.
    text: str = ""
    #: A message said after the short answer (the way forward after "how you might feel").
    ends_with: str | None = None

    @property
    def intent_name(self) -> str:
        """`where-it-spreads` -> `WhereItSpreadsIntent`."""
        return "".join(part.capitalize() for part in self.id.split("-")) + "Intent"


@dataclass(frozen=True)
class Content:
    path: Path
    page: Page
    skill: SkillInfo
    messages: dict[str, str]
    topics: tuple[Topic, ...]
    phone: Phone
    corrections: tuple[Correction, ...] = ()

    @cached_property
    def _by_id(self) -> dict[str, Topic]:
        return {t.id: t for t in self.topics}

    @cached_property
    def _by_intent(self) -> dict[str, Topic]:
        return {t.intent_name: t for t in self.topics}

    @property
    def topic_ids(self) -> dict[str, Topic]:
        """Topics by id, for `in` checks."""
        return self._by_id

    def topic(self, topic_id: str) -> Topic:
        return self._by_id[topic_id]

    def topic_for_intent(self, intent_name: str) -> Topic | None:
        return self._by_intent.get(intent_name)


def load_content(path: str | Path = DEFAULT_CONTENT_PATH) -> Content:
    """Read, validate and type the content file; `ContentError` names file, line and field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ContentError(str(path), 0, "", f"cannot read the file ({exc.strerror})") from exc
    try:
        root = yaml.compose(text, Loader=FAST_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        raise ContentError(str(path), line, "", f"not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    if root is None:
        raise ContentError(str(path), 1, "", "the file is empty")
    data = _plain(root)
    _validate_schema(path, root, data)
    content = _build(path, root, data)
    _validate_links(content, root)
    return content


def _plain(node: yaml.Node) -> Any:
    """YAML nodes to plain values; every scalar stays a string (no YAML 1.1 surprises like `no` -> False)."""
    if isinstance(node, yaml.MappingNode):
        return {_plain(k): _plain(v) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item) for item in node.value]
    if node.tag == "tag:yaml.org,2002:null":
        return None
    return node.value


def line_of(root: yaml.Node, field_path: list[str | int]) -> int:
    """1-based line of the deepest node along `field_path` that exists."""
    node = root
    for key in field_path:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            child = node.value[key]
        if child is None:
            break
        node = child
    return node.start_mark.line + 1


def field_name(field_path: list[str | int]) -> str:
    """['topics', 3, 'short'] -> 'topics[3].short'."""
    out = ""
    for key in field_path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out


def _validate_schema(path: Path, root: yaml.Node, data: Any) -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        where = list(error.absolute_path)
        raise ContentError(str(path), line_of(root, where), field_name(where), _schema_message(error))


def _schema_message(error: jsonschema.exceptions.ValidationError) -> str:
    """jsonschema's message, without pasting a whole list into it."""
    if error.validator == "uniqueItems" and isinstance(error.instance, list):
        seen: set[str] = set()
        for item in error.instance:
            if item in seen:
                return f"{item!r} is listed twice"
            seen.add(item)
    if error.validator == "minItems" and isinstance(error.instance, list):
        return f"has {len(error.instance)} items; at least {error.validator_value} are needed"
    message = error.message
    return message if len(message) <= 160 else message[:157] + "..."


def _build(path: Path, root: yaml.Node, data: dict[str, Any]) -> Content:
    page = data["page"]
    try:
        reviewed = date.fromisoformat(page["last_reviewed"])
        due = date.fromisoformat(page["next_review_due"])
    except ValueError as exc:
        raise ContentError(str(path), line_of(root, ["page"]), "page", str(exc)) from exc
    corrections = tuple(Correction(c["page"], c["say"], c["why"]) for c in data.get("corrections") or ())
    topics = tuple(
        Topic(
            id=t["id"], title=t["title"], menu_label=t["menu_label"], source=t["source"].strip(),
            short=" ".join(t["short"].split()), samples=tuple(t["samples"]), next=t["next"],
            line=line_of(root, ["topics", i]), text=corrected(t["source"].strip(), corrections),
            ends_with=t.get("ends_with"),
        )
        for i, t in enumerate(data["topics"])
    )
    skill = data["skill"]
    return Content(
        path=path,
        page=Page(
            title=page["title"], publisher=page["publisher"],
            source_file=(path.parent / page["source_file"]).resolve(),
            references=tuple(r.strip() for r in page["references"]),
            last_reviewed=reviewed, next_review_due=due,
            nurse_line=NurseLine(**page["nurse_line"]),
        ),
        skill=SkillInfo(
            name=skill["name"], invocation_name=skill["invocation_name"], summary=skill["summary"],
            description=" ".join(skill["description"].split()),
            carrier_phrases=tuple(skill["carrier_phrases"]),
        ),
        messages={k: " ".join(v.split()) for k, v in data["messages"].items()},
        topics=topics,
        phone=build_phone(data["phone"]),
        corrections=corrections,
    )


def corrected(source: str, corrections: tuple[Correction, ...]) -> str:
    """The page's words with its recorded typos put right."""
    for correction in corrections:
        source = source.replace(correction.page, correction.say)
    return source


def _validate_links(content: Content, root: yaml.Node) -> None:
    """What a schema cannot say: ids unique, required topics present, `next` points somewhere real."""
    fail = lambda where, msg: ContentError(  # noqa: E731 - a local shorthand
        str(content.path), line_of(root, where), field_name(where), msg
    )
    ids = [t.id for t in content.topics]
    for i, topic_id in enumerate(ids):
        if topic_id in ids[:i]:
            raise fail(["topics", i, "id"], f"topic id {topic_id!r} is used twice")
    missing = [t for t in REQUIRED_TOPICS if t not in ids]
    if missing:
        raise fail(["topics"], f"required topics are missing: {', '.join(missing)}")
    for where, problem in phone_problems(content.phone, ids):
        raise fail(where, problem)
    for i, correction in enumerate(content.corrections):
        if not any(correction.page in topic.source for topic in content.topics):
            raise fail(["corrections", i, "page"], f"{correction.page!r} is not in any topic's source")
    seen: dict[str, str] = {}
    for i, topic in enumerate(content.topics):
        if topic.next is not None and topic.next not in ids:
            raise fail(["topics", i, "next"], f"no topic has the id {topic.next!r}")
        if topic.ends_with is not None and topic.ends_with not in content.messages:
            raise fail(["topics", i, "ends_with"], f"no message is called {topic.ends_with!r}")
        for j, sample in enumerate(topic.samples):
            other = seen.setdefault(" ".join(sample.split()), topic.id)
            if other != topic.id:
                raise fail(["topics", i, "samples", j], f"{sample!r} is already a sample of {other!r}")
