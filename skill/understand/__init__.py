"""Understanding what was said, the same for every channel: normalise -> repair -> gate -> match -> decide.

`Router.route(text)` gives a `Route`: a topic, out of scope, urgent, or navigation words.
"""

from .data import DEFAULT_ROUTER_PATH, RouterData
from .decide import Route, Router
from .navigation import Move

__all__ = ["DEFAULT_ROUTER_PATH", "Move", "Route", "Router", "RouterData"]
