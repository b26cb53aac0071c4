"""Fixtures for the Google speech stand-in; load with ``pytest_plugins = ["tests.support.google_tts_fixtures"]``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from skill.audio.gtts_engine import GTTSEngine
from tests.support.google_tts_standin import GoogleTTSStandIn, RecordedSleeps

#: Short enough that a request the stand-in never answers costs the test run little.
TEST_TIMEOUT = 0.3
TEST_RETRIES = 2


@pytest.fixture
def google_tts() -> Iterator[GoogleTTSStandIn]:
    """A running stand-in for translate.google.<tld>, with nothing scripted and nothing received."""
    standin = GoogleTTSStandIn().start()
    yield standin
    standin.stop()


@pytest.fixture
def google_tts_sleeps() -> RecordedSleeps:
    """The waits ``google_tts_engine`` asked for between tries."""
    return RecordedSleeps()


@pytest.fixture
def google_tts_engine(google_tts: GoogleTTSStandIn, google_tts_sleeps: RecordedSleeps) -> Iterator[GTTSEngine]:
    """The real engine sent to ``google_tts``: British English, a 0.3 s timeout, 2 retries after the first
    try, backoff 1 s (recorded in ``google_tts_sleeps``, not waited)."""
    with GTTSEngine(base_url=google_tts.base_url, timeout=TEST_TIMEOUT, retries=TEST_RETRIES, backoff=1.0,
                    sleep=google_tts_sleeps) as engine:
        yield engine
