"""The router's language data (`content/router.yaml`), loaded and compiled once."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from ..content import CONTENT_DIR, FAST_LOADER, field_name, line_of
from ..errors import ContentError
from .gate import SubjectGate
from .navigation import Navigation
from .normalise import Corrections, any_of

DEFAULT_ROUTER_PATH = CONTENT_DIR / "router.yaml"
#: Beside the router data: everyday English words (scripts/make-common-words writes it).
COMMON_WORDS = "common_words.txt"
SCHEMA_PATH = CONTENT_DIR / "router.schema.json"


def _validate(path: Path, text: str, data: Any) -> None:
    """The schema, and every regular expression compiled: a mistake is named by file, line and field."""
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        where = list(error.absolute_path)
        root = yaml.compose(text, Loader=FAST_LOADER)
        line = line_of(root, where) if root is not None else 0
        raise ContentError(str(path), line, field_name(where), error.message[:160])
    for key in ("urgent", "out_of_scope_phrases"):
        for i, pattern in enumerate(data[key]):
            try:
                re.compile(pattern)
            except re.error as exc:
                root = yaml.compose(text, Loader=FAST_LOADER)
                raise ContentError(str(path), line_of(root, [key, i]) if root is not None else 0, f"{key}[{i}]",
                                   f"not a valid regular expression: {exc}") from exc


def _common_words(path: Path) -> frozenset[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


class _UniqueKeyLoader(FAST_LOADER):  # type: ignore[misc,valid-type]
    """YAML that refuses a key given twice: the second list would silently replace the first."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:  # type: ignore[override]
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"{key!r} is given twice: the second would silently replace the first",
                    key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


@dataclass(frozen=True)
class RouterData:
    corrections: Corrections
    subjects: Corrections
    fillers: frozenset[str]
    synonyms: dict[str, str]
    other_cancers: frozenset[str]
    other_cancer_words: frozenset[str]
    other_illnesses: re.Pattern[str]
    out_of_scope_words: frozenset[str]
    out_of_scope_phrases: re.Pattern[str]
    urgent: re.Pattern[str]
    out_of_scope_samples: tuple[str, ...]
    urgent_samples: tuple[str, ...]
    navigation: Navigation
    gate: SubjectGate
    gate_words: tuple[str, ...]
    #: Everyday English words, never put right by their sound (content/common_words.txt).
    common_words: frozenset[str]
    #: Words of emergencies a recogniser may split ("sea sure"): targets for sound repair.
    danger_words: tuple[str, ...]
    #: Words of danger, besides the subject's: a likeness to an urgent example needs one of them.
    danger: SubjectGate

    @classmethod
    def load(cls, path: str | Path = DEFAULT_ROUTER_PATH) -> RouterData:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
            data = yaml.load(text, Loader=_UniqueKeyLoader)  # a safe loader
            _validate(path, text, data)
            return cls(
                corrections=Corrections.from_lists(data["corrections"], data.get("patterns")),
                subjects=Corrections.from_lists(
                    {"it": data["subjects"], **{kept: [kept] for kept in data["keep_subjects"]}}
                ),
                fillers=frozenset(data["fillers"]),
                synonyms=dict(data["synonyms"]),
                other_cancers=frozenset(data["other_cancers"]),
                other_cancer_words=frozenset(data["other_cancer_words"]),
                other_illnesses=any_of(rf"\b{re.escape(name)}\b" for name in data["other_illnesses"]),
                out_of_scope_words=frozenset(data["out_of_scope_words"]),
                out_of_scope_phrases=any_of(data["out_of_scope_phrases"]),
                urgent=any_of(data["urgent"]),
                out_of_scope_samples=tuple(data["out_of_scope_samples"]),
                urgent_samples=tuple(data["urgent_samples"]),
                navigation=Navigation.from_lists(data["navigation"]),
                gate=SubjectGate.from_words(data["subject_words"]),
                gate_words=tuple(data["subject_words"]),
                common_words=_common_words(path.parent / COMMON_WORDS),
                danger_words=tuple(data["danger_words"]),
                danger=SubjectGate.from_words([*data["danger_cues"], *data["danger_words"]]),
            )
        except yaml.MarkedYAMLError as exc:
            line = exc.problem_mark.line + 1 if exc.problem_mark else 0
            raise ContentError(str(path), line, "", f"router data is unusable: {exc.problem}") from exc
        except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError, ValueError, re.error) as exc:
            raise ContentError(str(path), 0, "", f"router data is unusable: {exc!r}") from exc
