"""build-audio with the real offline engine: every file read back and checked, rebuilds, and builds killed at
every step of publishing (readers must find one whole build, never a mix)."""

from __future__ import annotations

import hashlib
import io
import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile
from click.testing import CliRunner
from mutagen.mp3 import MP3

from skill.audio.build import MANIFEST, AudioBuild
from skill.audio.espeak_engine import EspeakEngine
from skill.audio.process import decode, decode_alaw, decode_ulaw, loudness_lufs, read_tags, true_peak_dbtp
from skill.audio.pronounce import Pronunciations
from skill.audio.sentences import split_sentences
from skill.cli import cli
from skill.content import DEFAULT_CONTENT_PATH, load_content
from skill.errors import SkillError
from skill.files import exclusive
from skill.service import Service

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs Debian's espeak-ng")
ROOT = Path(__file__).resolve().parent.parent
#: What readers open, by the paths they always used: `manifest.json`, `mp3/<name>.mp3`, `phone/<name>.wav`, ...
PUBLISHED = ["README.txt", MANIFEST, "mp3", "offline-bundle.zip", "phone", "playlist.m3u8", "podcast",
             "secondary-breast-cancer.epub"]


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
    """Every file a reader can open by its usual path (links followed), with its bytes and time stamp."""
    found = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):  # .current, .builds: never served, never opened by readers
            continue
        for path in sorted(entry.iterdir()) if entry.is_dir() else [entry] if entry.is_file() else []:
            found[path.relative_to(folder).as_posix()] = (path.read_bytes(), path.stat().st_mtime_ns)
    return found


def published(folder: Path) -> dict[str, bytes]:
    return {path: data for path, (data, _) in files_and_times(folder).items()}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def assert_whole_build(folder: Path) -> dict[str, bytes]:
    """What a reader finds is one build: every file the manifest lists, matching its sha256, and no others."""
    found = published(folder)
    manifest = json.loads(found[MANIFEST])
    for path, entry in manifest["files"].items():
        assert sha256(found[path]) == entry["sha256"], f"{path} does not match the manifest"
    for name, entry in manifest["packages"].items():
        assert sha256(found[name]) == entry["sha256"], f"{name} does not match the manifest"
    assert {path for path in found if path.startswith(("mp3/", "phone/"))} == set(manifest["files"])
    return found


def copy_of(built: Path, out: Path) -> Path:
    shutil.copytree(built, out, symlinks=True)
    return out


def copy_in_the_old_layout(built: Path, out: Path) -> Path:
    """The folder as builds before `.current` left it: real folders and files, no links."""
    out.mkdir()
    for name in PUBLISHED:
        if (built / name).is_dir():
            shutil.copytree(built / name, out / name)
        else:
            shutil.copy2(built / name, out / name)
    return out


#: What `one_topic_edited` remakes: the short answer it changes, and its slower reading.
EDITED = ["where-it-spreads", "where-it-spreads-slow"]


@pytest.fixture
def one_topic_edited(tmp_path: Path) -> Path:
    """The content with one sentence of one topic ("where-it-spreads") changed."""
    edited = tmp_path / "content.yaml"
    text = DEFAULT_CONTENT_PATH.read_text()
    edited.write_text(text.replace("It most commonly goes to the liver", "It most often goes to the liver"))
    (tmp_path / "source").symlink_to(DEFAULT_CONTENT_PATH.parent / "source")
    return edited


def build_killed_at(stage: str, out: Path, content_path: Path) -> int | None:
    """Build in a child process that SIGKILLs itself the moment it reaches `stage`; the child's exit code."""
    def die_there(reached: str) -> None:
        if reached == stage:
            os.kill(os.getpid(), signal.SIGKILL)

    def child() -> None:
        replace(builder(out, content_path), checkpoint=die_there).run()

    process = multiprocessing.get_context("fork").Process(target=child)
    process.start()
    process.join(60)
    return process.exitcode


def only(names: Iterable[str]) -> str:
    (name,) = names
    return name


def leftovers(folder: Path) -> list[str]:
    """Builds other than the current one, and half-made names: what a stopped build could leave behind."""
    current = os.readlink(folder / ".current")
    builds = [f".builds/{b.name}" for b in (folder / ".builds").iterdir() if f".builds/{b.name}" != current]
    return builds + [p.name for p in folder.iterdir() if p.name.startswith((".tmp-", ".staging"))]


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
    assert_whole_build(built)
    for path, entry in manifest["files"].items():
        data = (built / path).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["format"] == path.rsplit(".", 1)[1] and entry["kind"] in ("short", "full", "slow", "prompt")
        assert entry["duration"] > 0.3 and len(entry["source"]) == 64
    assert manifest["files"]["mp3/outlook.mp3"]["topic"] == "outlook"
    assert "loudness" in manifest["files"]["mp3/outlook.mp3"]
    times = manifest["files"]["mp3/outlook.mp3"]["sentences"]  # [start, end] of each sentence, for the EPUB
    said = Service.load().answers.short(load_content().topic("outlook"))
    assert len(times) == len(split_sentences(said)) and times[-1][1] <= manifest["files"]["mp3/outlook.mp3"]["duration"]


def test_a_second_run_with_nothing_changed_makes_and_writes_nothing(built: Path, tmp_path: Path) -> None:
    out = copy_of(built, tmp_path / "audio")
    before, build = files_and_times(out), os.readlink(out / ".current")
    started = time.monotonic()
    report = builder(out).run()
    assert time.monotonic() - started < 3.0
    assert (report.made, report.written, report.removed) == ([], [], [])
    assert files_and_times(out) == before and os.readlink(out / ".current") == build


def test_changing_one_topic_remakes_only_its_files(built: Path, tmp_path: Path, one_topic_edited: Path) -> None:
    out = copy_of(built, tmp_path / "audio")
    before = files_and_times(out)
    report = builder(out, one_topic_edited).run()
    assert report.made == EDITED
    changed = {path for path, stamp in files_and_times(out).items() if before.get(path) != stamp}
    must = {f"{folder}/{name}.{fmt}" for name in EDITED
            for folder, fmt in [("mp3", "mp3"), ("phone", "wav"), ("phone", "alaw"), ("phone", "ulaw")]}
    must |= {"offline-bundle.zip", "secondary-breast-cancer.epub", MANIFEST}
    must |= {f"podcast/where-it-spreads.{ext}" for ext in ("mp3", "vtt", "chapters.json")} | {"podcast/episodes.json"}
    assert must <= changed <= must | {"playlist.m3u8"}  # the playlist only if the rounded length changed


def test_every_published_name_is_a_link_through_one_switch(built: Path) -> None:
    for name in PUBLISHED:
        assert os.readlink(built / name) == f".current/{name}"
    assert os.readlink(built / ".current") == f".builds/{only(p.name for p in (built / '.builds').iterdir())}"


@pytest.mark.parametrize("stage, readers_find", [
    ("written", "the previous build"),   # the new build is complete but not yet published
    ("switch", "the previous build"),    # the moment of publishing: everything is in place but the one rename
    ("switched", "the new build"),       # published; the previous build is not yet removed
])
def test_a_build_killed_at_any_step_leaves_one_whole_build_and_the_next_build_recovers(
        built: Path, tmp_path: Path, one_topic_edited: Path, stage: str, readers_find: str) -> None:
    out = copy_of(built, tmp_path / "audio")
    before = published(out)
    assert build_killed_at(stage, out, one_topic_edited) == -signal.SIGKILL
    after = assert_whole_build(out)
    assert (after == before) == (readers_find == "the previous build")
    report = builder(out, one_topic_edited).run()
    assert report.made == (EDITED if readers_find == "the previous build" else [])
    assert assert_whole_build(out) != before and leftovers(out) == []


@pytest.mark.parametrize("stage", [
    "adopt README.txt",  # the old files are hard-linked into a build of their own; no name swapped yet
    "adopt mp3",         # README.txt and manifest.json are links by now, mp3/ still a real folder
    "adopt phone",       # mp3/ has been swapped for its link in one step, phone/ not yet
    "switch",            # every name is a link; the new build is not yet published
])
def test_a_folder_from_before_the_links_is_adopted_without_a_mix_even_if_killed(
        built: Path, tmp_path: Path, one_topic_edited: Path, stage: str) -> None:
    out = copy_in_the_old_layout(built, tmp_path / "audio")
    before = published(out)
    assert build_killed_at(stage, out, one_topic_edited) == -signal.SIGKILL
    assert assert_whole_build(out) == before  # some names are links by now, all to the same bytes
    report = builder(out, one_topic_edited).run()
    assert report.made == EDITED and leftovers(out) == []
    assert assert_whole_build(out) != before
    assert all(os.readlink(out / name) == f".current/{name}" for name in PUBLISHED)


def test_a_reader_looking_at_every_step_sees_the_old_build_until_the_switch_then_the_new(
        built: Path, tmp_path: Path, one_topic_edited: Path) -> None:
    out = copy_in_the_old_layout(built, tmp_path / "audio")  # the most steps: six names to adopt, then the switch
    before, seen = published(out), list[tuple[str, bool]]()

    def reader(stage: str) -> None:
        seen.append((stage, assert_whole_build(out) == before))

    replace(builder(out, one_topic_edited), checkpoint=reader).run()
    assert [stage for stage, _ in seen] == ["written", *(f"adopt {name}" for name in PUBLISHED), "switch", "switched"]
    assert [saw_the_old for _, saw_the_old in seen] == [True] * (len(PUBLISHED) + 2) + [False]


def test_the_build_command_killed_at_an_unplanned_moment_leaves_the_old_or_the_new(
        built: Path, tmp_path: Path, one_topic_edited: Path) -> None:
    out = copy_of(built, tmp_path / "audio")
    before = published(out)
    command = [sys.executable, "-m", "skill", "build-audio", "--engine", "espeak-ng", "--out", str(out),
               "--content", str(one_topic_edited)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(list((out / ".builds").iterdir())) < 2 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)  # until the new build is being written, or the command is done
    process.send_signal(signal.SIGKILL)
    process.wait()
    found = assert_whole_build(out)
    builder(out, one_topic_edited).run()
    rebuilt = assert_whole_build(out)
    assert found in (before, rebuilt) and rebuilt != before and leftovers(out) == []


def test_a_build_that_cannot_write_says_why_and_changes_nothing(
        built: Path, tmp_path: Path, one_topic_edited: Path) -> None:
    out = copy_in_the_old_layout(built, tmp_path / "audio")
    (out / ".builds").write_text("a file where the builds should go")
    before = published(out)
    result = CliRunner().invoke(cli, ["build-audio", "--engine", "espeak-ng", "--out", str(out),
                                      "--content", str(one_topic_edited)])
    assert result.exit_code == 1 and result.exc_info is not None and result.exc_info[0] is SystemExit
    assert f"could not write the new audio in {out}" in result.output
    assert f"Nothing in {out} was changed" in result.output and published(out) == before


def test_only_one_build_at_a_time_writes_a_folder(built: Path, tmp_path: Path) -> None:
    out = copy_of(built, tmp_path / "audio")
    with exclusive(out), pytest.raises(SkillError, match="another build-audio is writing"):
        builder(out).run()


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


# The telephone's parts of each full section, and the slower short answers


def test_full_sections_are_cut_into_telephone_parts_of_6_to_14_s_that_join_back_into_them(built: Path) -> None:
    files = json.loads((built / MANIFEST).read_text())["files"]
    cut = 0
    for topic in load_content().topics:
        full = decode((built / "phone" / f"{topic.id}-full.wav").read_bytes())
        listed = files[f"phone/{topic.id}-full.wav"].get("parts", [])
        if full.duration > 14.0:
            assert len(listed) >= 2, f"{topic.id}: {full.duration:.1f} s in one piece"
        parts = [decode((built / "phone" / f"{part['name']}.wav").read_bytes()) for part in listed]
        if not parts:
            continue
        cut += 1
        assert [part["name"] for part in listed] == [f"{topic.id}-full-part{n}" for n in range(1, len(parts) + 1)]
        assert all(6.0 <= part.duration <= 14.0 for part in parts), [part.duration for part in parts]
        assert abs(sum(part["duration"] for part in listed) - full.duration) < 0.005
        assert (np.concatenate([part.samples for part in parts]) == full.samples).all()  # sample for sample
        offsets = np.cumsum([0.0] + [part.duration for part in parts[:-1]])
        assert [part["offset"] for part in listed] == pytest.approx(list(offsets), abs=0.001)
        for number, part in enumerate(listed, start=1):
            for fmt in ("wav", "alaw", "ulaw"):
                entry = files[f"phone/{part['name']}.{fmt}"]
                assert (entry["part"], entry["of"], entry["item"]) == (number, len(listed), f"{topic.id}-full")
    assert cut >= 5  # the longest, sources, in 7


def test_no_part_starts_or_ends_in_the_middle_of_speech(built: Path) -> None:
    files = json.loads((built / MANIFEST).read_text())["files"]
    for path, entry in files.items():
        if "part" not in entry or entry["format"] != "wav":
            continue
        samples = decode((built / path).read_bytes()).samples.astype(np.float64)
        edge = 200  # 25 ms at 8 kHz, either side of each cut (the recording's own start and end are not cuts)
        cuts = [samples[:edge]] if entry["part"] > 1 else []
        cuts += [samples[-edge:]] if entry["part"] < entry["of"] else []
        for end in cuts:
            level = 10 * np.log10(np.mean(end ** 2) + 1e-12)
            assert level < entry["speech_level_dbov"] - 30, f"{path}: {level:.0f} dB at a cut"


def test_every_short_answer_has_a_slower_reading_made_by_the_engine(built: Path) -> None:
    manifest = json.loads((built / MANIFEST).read_text())
    assert (manifest["voice"], manifest["slow_voice"]) == ("espeak-ng:en-gb:150", "espeak-ng:en-gb:112")
    for topic in load_content().topics:
        normal, slow = (manifest["files"][f"phone/{name}.wav"] for name in (topic.id, f"{topic.id}-slow"))
        assert slow["kind"] == "slow" and slow["source"] != normal["source"]
        assert slow["duration"] > 1.15 * normal["duration"], topic.id
        assert (built / "mp3" / f"{topic.id}-slow.mp3").stat().st_size > 1000
    lines = (built / "playlist.m3u8").read_text()
    assert "-slow" not in lines  # the playlist keeps to the page's order: short, then full
