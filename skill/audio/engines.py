"""What the audio build needs from a speech engine, and the error every engine raises."""

from __future__ import annotations

from typing import Protocol

from ..errors import SkillError


class Engine(Protocol):
    """Words in, audio out. Read-only members, so frozen dataclasses and properties both fit."""

    @property
    def name(self) -> str:
        """Which engine, e.g. "gtts"; the pronunciation table is keyed by it."""

    @property
    def voice(self) -> str:
        """The voice and every setting that changes the sound, e.g. "gtts:en:co.uk"; part of the cache hash."""

    @property
    def container(self) -> str:
        """What `synthesise` returns: "mp3" or "wav"."""

    def synthesise(self, text: str) -> bytes:
        """The whole of ``text`` spoken, as one file in ``container`` format."""

    def slowly(self) -> Engine:
        """The same voice made to speak more slowly by the engine itself, with a `voice` of its own."""


class SpeechEngineError(SkillError):
    """An engine made no audio. The message says what failed, the probable cause and what to do."""
