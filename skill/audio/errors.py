"""The audio domain error: bytes or samples that cannot be decoded, processed or encoded as asked."""

from __future__ import annotations

from ..errors import SkillError


class AudioError(SkillError):
    """Audio that cannot be decoded, processed or encoded as asked; the message says why."""
