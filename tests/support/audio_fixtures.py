"""The real offline audio build (espeak-ng), made once per test session for the tests that play it."""

from __future__ import annotations

from pathlib import Path

import pytest

from skill.audio.build import AudioBuild
from skill.audio.espeak_engine import EspeakEngine
from skill.audio.pronounce import Pronunciations
from skill.service import Service


@pytest.fixture(scope="session")
def built_audio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`build-audio --engine espeak-ng` into a folder of its own; dated today, like an app with TODAY unset."""
    out = tmp_path_factory.mktemp("built-audio")
    service = Service.load()
    AudioBuild(service.answers, EspeakEngine(), out, Pronunciations.load(), workers=2).run()
    return out
