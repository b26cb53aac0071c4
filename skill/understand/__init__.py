"""Understanding what was said, the same for every channel: normalise -> repair -> gate -> match -> decide.

`Router.route(text)` gives a `Route`: a topic, two topics to choose from, out of scope, urgent, or navigation
words.
"""

from .data import DEFAULT_ROUTER_PATH, RouterData
from .decide import MAX_QUESTION_CHARS, Route, Router
from .navigation import Move

__all__ = ["DEFAULT_ROUTER_PATH", "MAX_QUESTION_CHARS", "Move", "Route", "Router", "RouterData"]
