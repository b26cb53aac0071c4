"""Limits on what Alexa requests may hold, checked before anything is parsed or trusted."""

from __future__ import annotations

import re

#: Alexa's envelopes nest about eight deep (context.System.device.supportedInterfaces...); this leaves room
#: for session attributes while keeping Python's JSON parser (recursive) far from its limit.
MAX_JSON_DEPTH = 32
#: The characters that matter for nesting: brackets, and the quotes and escapes that hide brackets in strings.
_STRUCTURE = re.compile(rb'[\[\]{}"\\]')


def json_depth_exceeds(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``body`` nests arrays and objects deeper than ``limit``; brackets inside strings do not count.
    A linear scan of the raw bytes, so a 2 kB body nested a thousand deep costs microseconds, not a crash."""
    depth = 0
    in_string = False
    escaped_at = -1  # the position of the character a backslash escapes
    for match in _STRUCTURE.finditer(body):
        char, at = match.group(), match.start()
        if in_string:
            if at == escaped_at:
                continue
            if char == b"\\":
                escaped_at = at + 1
            elif char == b'"':
                in_string = False
        elif char == b'"':
            in_string = True
        elif char in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif char in (b"]", b"}"):
            depth -= 1
    return False
