"""Words the speech engines say wrongly, put right before speaking (the pronunciation table in content/)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..content import CONTENT_DIR
from ..errors import ContentError

DEFAULT_PRONUNCIATIONS = CONTENT_DIR / "pronunciations.yaml"


@dataclass(frozen=True)
class Pronunciations:
    """Phrase -> how to say it, for each engine; the longest phrase wins where two overlap."""

    by_engine: dict[str, dict[str, str]]

    @classmethod
    def load(cls, path: str | Path = DEFAULT_PRONUNCIATIONS) -> Pronunciations:
        path = Path(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            common = {str(k): str(v) for k, v in (data.get("all") or {}).items()}
            engines = {name: {**common, **{str(k): str(v) for k, v in (table or {}).items()}}
                       for name, table in data.items() if name != "all"}
        except (OSError, yaml.YAMLError, AttributeError) as exc:
            raise ContentError(str(path), 0, "", f"pronunciation table is unusable: {exc}") from exc
        return cls({"*": common, **engines})

    def apply(self, text: str, engine: str) -> str:
        table = self.by_engine.get(engine, self.by_engine["*"])
        if not table:
            return text
        phrases = sorted(table, key=len, reverse=True)
        pattern = re.compile("|".join(rf"(?<![\w]){re.escape(p)}(?![\w])" for p in phrases))
        return pattern.sub(lambda m: table[m.group(0)], text)
