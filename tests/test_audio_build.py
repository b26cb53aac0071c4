"""build-audio with the real offline engine: every file read back and checked, rebuilds, and a killed build."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import soundfile
from mutagen.mp3 import MP3

from skill.audio.build import MANIFEST, STAGING, AudioBuild
from skill.audio.espeak_engine import EspeakEngine
from skill.audio.process import decode, decode_alaw, decode_ulaw, loudness_lufs, read_tags, true_peak_dbtp
from skill.audio.pronounce import Pronunciations
from skill.content import DEFAULT_CONTENT_PATH, load_content
from skill.errors import SkillError
from skill.service import Service

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs Debian's espeak-ng")
ROOT = Path(__file__).resolve().parent.parent


def builder(out: Path, content_path: Path = DEFAULT_CONTENT_PATH) -> AudioBuild:
    service = Service.load(content_path)
    return AudioBuild(service.answers, EspeakEngine(), out, Pronunciations.load(), workers=2)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("audio")
    report = builder(out).run()
    assert report.made and not report.kept
    return out


def files_and_times(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def test_every_topic_has_a_short_and_a_full_recording_in_every_format(built: Path) -> None:
    for topic in load_content().topics:
        for name in (topic.id, f"{topic.id}-full"):
            assert (built / "mp3" / f"{name}.mp3").stat().st_size > 1000
            for ext in ("wav", "alaw", "ulaw"):
                assert (built / "phone" / f"{name}.{ext}").stat().st_size > 1000


@pytest.mark.parametrize("prompt", ["welcome", "menu-main", "menu-about", "not-an-option", "not-heard",
                                    "goodbye", "nurse-line", "urgent", "after-answer", "out-of-scope"])
def test_every_telephone_prompt_is_made(built: Path, prompt: str) -> None:
    assert (built / "phone" / f"{prompt}.wav").exists() and (built / "mp3" / f"{prompt}.mp3").exists()


def test_listener_mp3s_are_24khz_mono_48kbps_at_minus_19_lufs_under_minus_1_dbtp(built: Path) -> None:
    for path in sorted((built / "mp3").glob("*.mp3")):
        info = MP3(path).info
        assert (info.sample_rate, info.channels, round(info.bitrate / 1000)) == (24000, 1, 48), path.name
        audio = decode(path.read_bytes())
        if audio.duration > 1.0:  # loudness gating needs a little speech
            assert abs(loudness_lufs(audio) - (-19.0)) <= 1.0, path.name
        assert true_peak_dbtp(audio) <= -1.0 + 0.1, path.name


def test_recordings_start_and_end_without_long_silence(built: Path) -> None:
    audio = decode((built / "mp3" / "where-it-spreads.mp3").read_bytes())
    edge = int(0.25 * audio.rate)
    assert abs(audio.samples[:edge]).max() > 0.01 or abs(audio.samples[edge:2 * edge]).max() > 0.05
    assert abs(audio.samples[-2 * edge:]).max() > 0.01


def test_id3_tags_say_what_where_from_and_in_what_order(built: Path) -> None:
    content = load_content()
    first, sources = read_tags((built / "mp3" / "what-is-it.mp3").read_bytes()), None
    assert (first.title, first.artist, first.album, first.track) == (
        "What is secondary breast cancer?", "Cancer Research UK", "What is secondary breast cancer?", 1)
    assert first.language == "eng" and "10 February 2021" in first.comment
    tracks = [read_tags((built / "mp3" / f"{t.id}.mp3").read_bytes()).track for t in content.topics]
    assert tracks == sorted(tracks) and len(set(tracks)) == len(tracks)
    sources = read_tags((built / "mp3" / "sources-full.mp3").read_bytes())
    assert sources.track == sources.track_total == 2 * len(content.topics)


def test_phone_files_are_8khz_16bit_mono_with_matching_g711_versions(built: Path) -> None:
    levels = []
    for wav in sorted((built / "phone").glob("*.wav")):
        info = soundfile.info(wav)
        assert (info.samplerate, info.channels, info.subtype) == (8000, 1, "PCM_16"), wav.name
        samples, _ = soundfile.read(wav, dtype="float32")
        alaw = decode_alaw((built / "phone" / f"{wav.stem}.alaw").read_bytes())
        ulaw = decode_ulaw((built / "phone" / f"{wav.stem}.ulaw").read_bytes())
        assert len(alaw) == len(ulaw) == len(samples)
        manifest = json.loads((built / MANIFEST).read_text())
        levels.append(manifest["files"][f"phone/{wav.name}"]["speech_level_dbov"])
    assert max(levels) - min(levels) <= 3.0  # a consistent telephone level, prompt to prompt


def test_playlist_lists_every_topic_in_order_with_titles(built: Path) -> None:
    lines = (built / "playlist.m3u8").read_text().splitlines()
    assert lines[0] == "#EXTM3U"
    paths = [line for line in lines if line and not line.startswith("#")]
    expected = [f"mp3/{name}.mp3" for t in load_content().topics for name in (t.id, f"{t.id}-full")]
    assert paths == expected
    assert "#EXTINF:" in lines[2] and lines[2].endswith(",What is secondary breast cancer?")
    assert all((built / path).exists() for path in paths)


def test_offline_bundle_holds_the_mp3s_the_playlist_and_a_guide(built: Path) -> None:
    with zipfile.ZipFile(built / "offline-bundle.zip") as bundle:
        names = set(bundle.namelist())
        playlist = bundle.read("playlist.m3u8").decode()
        guide = bundle.read("README.txt").decode()
    listed = {line for line in playlist.splitlines() if line and not line.startswith("#")}
    assert listed <= names
    assert "0808 800 4040" in guide and "not medical advice" in guide and "999" in guide


def test_manifest_describes_every_file_truthfully(built: Path) -> None:
    manifest = json.loads((built / MANIFEST).read_text())
    on_disk = {p.relative_to(built).as_posix() for p in built.glob("*/*") if p.is_file()}
    assert set(manifest["files"]) == on_disk
    for path, entry in manifest["files"].items():
        data = (built / path).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["format"] == path.rsplit(".", 1)[1] and entry["kind"] in ("short", "full", "prompt")
        assert entry["duration"] > 0.3 and len(entry["source"]) == 64
    assert manifest["files"]["mp3/outlook.mp3"]["topic"] == "outlook"
    assert "loudness" in manifest["files"]["mp3/outlook.mp3"]


def test_a_second_run_with_nothing_changed_makes_and_writes_nothing(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "audio"
    shutil.copytree(built, out)
    before = files_and_times(out)
    started = time.monotonic()
    report = builder(out).run()
    assert time.monotonic() - started < 3.0
    assert (report.made, report.written, report.removed) == ([], [], [])
    assert files_and_times(out) == before


def test_changing_one_topic_remakes_only_its_files(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "audio"
    shutil.copytree(built, out)
    edited = tmp_path / "content.yaml"
    text = DEFAULT_CONTENT_PATH.read_text()
    edited.write_text(text.replace("It most commonly goes to the liver", "It most often goes to the liver"))
    (tmp_path / "source").symlink_to(DEFAULT_CONTENT_PATH.parent / "source")
    before = files_and_times(out)
    report = builder(out, edited).run()
    assert report.made == ["where-it-spreads"]
    changed = {path for path, stamp in files_and_times(out).items() if before.get(path) != stamp}
    must = {"mp3/where-it-spreads.mp3", "phone/where-it-spreads.wav", "phone/where-it-spreads.alaw",
            "phone/where-it-spreads.ulaw", "offline-bundle.zip", MANIFEST}
    assert must <= changed <= must | {"playlist.m3u8"}  # the playlist only if the rounded length changed


def test_a_build_killed_half_way_leaves_the_previous_audio_intact(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "audio"
    shutil.copytree(built, out)
    before = files_and_times(out)
    pronunciations = tmp_path / "changed.yaml"
    edited = (ROOT / "content" / "pronunciations.yaml").read_text().replace("lymph\": \"limf", "lymph\": \"lim f")
    pronunciations.write_text(edited + '\n  "the": "thee"\n')  # changes every item for espeak-ng
    command = [sys.executable, "-m", "skill", "build-audio", "--engine", "espeak-ng", "--out", str(out),
               "--workers", "1", "--pronunciations", str(pronunciations)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not any((out / STAGING).rglob("*.mp3")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert process.poll() is None, "the build finished before it could be stopped"
    process.send_signal(signal.SIGKILL)
    process.wait()
    after = {path: data for path, (data, _) in files_and_times(out).items() if not path.startswith(STAGING)}
    assert after == {path: data for path, (data, _) in before.items()}
    report = builder(out).run()  # and the next build carries on as if nothing happened
    assert report.made == [] and not (out / STAGING).exists()


def test_a_missing_offline_engine_is_explained(tmp_path: Path) -> None:
    service = Service.load()
    build = AudioBuild(service.answers, EspeakEngine(binary="espeak-ng-not-installed"), tmp_path,
                       Pronunciations.load(), workers=1)
    with pytest.raises(SkillError, match="apt-get install espeak-ng"):
        build.run()
    assert not any(tmp_path.iterdir())


def test_tags_are_readable_from_memory_too(built: Path) -> None:
    data = (built / "mp3" / "outlook.mp3").read_bytes()
    assert read_tags(io.BytesIO(data).getvalue()).title == "Outlook"
