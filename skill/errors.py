"""Domain errors; the edges (HTTP, speech, CLI) turn them into messages people can act on."""

from __future__ import annotations


class SkillError(Exception):
    """Base class for errors this package raises on purpose."""


class ContentError(SkillError):
    """The content file is unreadable or breaks its schema."""

    def __init__(self, file: str, line: int, field: str, message: str) -> None:
        self.file, self.line, self.field, self.message = file, line, field, message
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {field + ': ' if field else ''}{message}")


class ModelError(SkillError):
    """A generated interaction model would be rejected by Alexa's build."""
