"""`python -m skill build-audio` as a person runs it: the default Google voice (through the local stand-in),
and what happens when Google cannot be reached."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from skill.cli import cli
from tests.support.google_tts_standin import GoogleTTSStandIn


def test_build_audio_with_the_default_google_voice(google_tts: GoogleTTSStandIn, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GTTS_BASE_URL", google_tts.base_url)
    result = CliRunner().invoke(cli, ["build-audio", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["engine"] == "gtts" and manifest["voice"] == "gtts:en:co.uk"
    assert (tmp_path / "mp3" / "where-it-spreads.mp3").exists()
    spoken = " ".join(google_tts.texts)
    for group in ("oh eight oh eight", "eight oh oh", "four oh four oh"):  # said as a phone number
        assert group in spoken
    assert "0808" not in spoken
    again = CliRunner().invoke(cli, ["build-audio", "--out", str(tmp_path)])
    assert "made 0" in again.output and "wrote 0" in again.output


def test_when_google_cannot_be_reached_it_says_how_to_build_offline(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "manifest.json").write_text("{}")
    monkeypatch.setenv("GTTS_BASE_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("GTTS_RETRIES", "1")
    monkeypatch.setenv("GTTS_BACKOFF", "0.01")
    result = CliRunner().invoke(cli, ["build-audio", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "--engine espeak-ng" in result.output
    assert "Nothing in" in result.output and "was changed" in result.output
    assert result.exc_info is not None and result.exc_info[0] is SystemExit  # a message, not a traceback
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json"]


def test_a_broken_pronunciation_table_is_named(tmp_path: Path) -> None:
    table = tmp_path / "pronunciations.yaml"
    table.write_text("all: [this is not a table\n")
    result = CliRunner().invoke(cli, ["build-audio", "--engine", "espeak-ng", "--out", str(tmp_path / "a"),
                                      "--pronunciations", str(table)])
    assert result.exit_code == 1 and str(table) in result.output
