"""The parts every channel shares, built once per process: content, router and answers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .answers import Answers
from .content import DEFAULT_CONTENT_PATH, Content, load_content
from .understand import DEFAULT_ROUTER_PATH, Router


@dataclass(frozen=True)
class Service:
    content: Content
    router: Router
    answers: Answers

    @classmethod
    def load(
        cls,
        content_path: str | Path = DEFAULT_CONTENT_PATH,
        router_path: str | Path = DEFAULT_ROUTER_PATH,
        today: Callable[[], date] = date.today,
    ) -> Service:
        content = load_content(content_path)
        return cls(content, Router.from_content(content, router_path), Answers(content, today))
