"""export-phone --format asterisk: the dialplan read back and run key by key against the call flow.

The audio folder is made here from tiny valid files (no speech engine needed), so a fresh clone can run it.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import wave
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from skill.audio.script import audio_items, part_name
from skill.cli import cli
from skill.phone import flow
from skill.phone.asterisk import ExportError, build_dialplan, export_asterisk
from skill.phone.flow import Place
from skill.phone_menu import MAIN_MENU, Phone
from skill.service import Service

SOUNDS = Path("sounds/en_GB/secondary-breast-cancer")
PREFIX = "secondary-breast-cancer/"
KEYS = list("0123456789*#")
#: The full sections the tiny build cuts into telephone parts, and how many; the others play whole.
PARTS = {"outlook": 3, "feelings": 2}

# --- a tiny audio build -----------------------------------------------------------------------------------


def tiny_wav(seed: int, rate: int = 8000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(bytes((seed + i) % 256 for i in range(160)))
    return buffer.getvalue()


def write_audio_build(folder: Path, service: Service) -> None:
    """phone/<name>.wav|.alaw|.ulaw for every audio item and every part of the full sections in PARTS, and a
    manifest listing them (the full sections' WAV entries listing their parts), as build-audio does."""
    entries: dict[str, dict[str, object]] = {}
    names = [item.name for item in audio_items(service.answers)]
    names += [part_name(f"{topic}-full", n) for topic, count in PARTS.items() for n in range(1, count + 1)]
    for seed, name in enumerate(names):
        files = {"wav": tiny_wav(seed), "alaw": bytes([seed % 256]) * 80, "ulaw": bytes([(seed + 1) % 256]) * 80}
        for fmt, data in files.items():
            path = f"phone/{name}.{fmt}"
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_bytes(data)
            entries[path] = {"item": name, "format": fmt, "sha256": hashlib.sha256(data).hexdigest()}
    for topic, count in PARTS.items():
        entries[f"phone/{topic}-full.wav"]["parts"] = [
            {"name": part_name(f"{topic}-full", n), "offset": 0.01 * (n - 1), "duration": 0.01}
            for n in range(1, count + 1)]
    manifest = {"generated_by": "tests/test_asterisk.py", "files": entries}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))


@pytest.fixture(scope="module")
def service() -> Service:
    return Service.load()


@pytest.fixture(scope="module")
def phone(service: Service) -> Phone:
    return service.content.phone


@pytest.fixture(scope="module")
def audio(tmp_path_factory: pytest.TempPathFactory, service: Service) -> Path:
    folder = tmp_path_factory.mktemp("audio")
    write_audio_build(folder, service)
    return folder


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, audio: Path) -> Path:
    out = tmp_path_factory.mktemp("asterisk")
    result = run("export-phone", "--format", "asterisk", "--out", str(out), "--audio", str(audio))
    assert result.exit_code == 0, result.output
    return out


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


# --- a tiny dialplan reader and runner ---------------------------------------------------------------------

App = tuple[str, str, str]  # (priority label, application, arguments)
Contexts = dict[str, dict[str, list[App]]]
GOTO_IF = re.compile(r'\$\["\$\{(\w+)\}" = "(\w+)"\]\?([\w-]+)')  # $["${VAR}" = "1"]?label
LINE = re.compile(r"^exten => ([^,]+),(1|n)(?:\(([\w-]+)\))?,(\w+)\((.*)\)$")


def parse(text: str) -> Contexts:
    contexts: Contexts = {}
    current: dict[str, list[App]] | None = None
    for line in text.splitlines():
        if not line.strip() or line.startswith(";"):
            continue
        if line.startswith("["):
            current = contexts.setdefault(line.strip("[]"), {})
            continue
        match = LINE.match(line)
        assert match and current is not None, f"not a dialplan line: {line!r}"
        key, priority, label, app, args = match.groups()
        assert (priority == "1") == (key not in current), f"priority 1 must come first, once: {line!r}"
        current.setdefault(key, []).append((label or "", app, args))
    return contexts


@dataclass
class Outcome:
    played: list[str] = field(default_factory=list)
    then: str | None = None  # the context listened at next; None: hung up
    variables: dict[str, str] = field(default_factory=dict)


def execute(contexts: Contexts, context: str, key: str, variables: dict[str, str]) -> Outcome:
    """Run one extension the way Asterisk would, up to its Goto or Hangup (a Background played to its end)."""
    apps = contexts[context][key]
    outcome, at = Outcome(variables=dict(variables)), 0
    while True:
        _, app, args = apps[at]
        at += 1
        if app == "Set":
            name, value = args.split("=", 1)
            outcome.variables[name] = value
        elif app in ("Playback", "Background"):
            assert args.startswith(PREFIX), args
            outcome.played.append(args.removeprefix(PREFIX))
        elif app == "GotoIf":
            condition = GOTO_IF.fullmatch(args)
            assert condition, f"unexpected condition {args!r}"
            name, value, label = condition.groups()
            if outcome.variables.get(name, "") == value:
                at = next(i for i, (lbl, _, _) in enumerate(apps) if lbl == label)
        elif app == "Goto":
            target, exten, priority = args.split(",")
            assert (exten, priority) == ("s", "1") and target in contexts, args
            outcome.then = target
            return outcome
        elif app == "Hangup":
            return outcome
        else:
            assert app in ("Answer", "Wait"), f"unexpected {app}({args}) in {context},{key}"


def press(contexts: Contexts, context: str, key: str, variables: dict[str, str]) -> Outcome:
    """A key Asterisk has no extension for goes to `i`."""
    return execute(contexts, context, key if key in contexts[context] else "i", variables)


def context_for(place: Place) -> str:
    if place.where == "menu":
        return f"sbc-menu-{place.name}"
    playing = "" if place.part is None else f"-part{place.part + 1}"
    return f"sbc-answer-{place.name}" + ("-full" if place.full else "") + ("-slow" if place.slow else "") + playing


def then_context(step: flow.Step) -> str | None:
    """Where the TwiML flow listens next, as the Asterisk context it should be; None: it hangs up."""
    return None if step.then is None else context_for(step.then)


def listening_places(service: Service) -> list[Place]:
    """Menus, and the places after each answer (short, slower, full) where the line waits for the caller."""
    menus = [Place("menu", menu.id) for menu in service.content.phone.menus]
    kinds = [(False, False), (False, True), (True, False)]  # (full, slow)
    answers = [Place("answer", topic.id, full, slow=slow) for topic in service.content.topics for full, slow in kinds]
    return menus + answers


def playing_places(service: Service) -> list[Place]:
    """Each answer while it plays: the short one, the slower one, and every part of the full section."""
    return [Place("answer", topic.id, full, slow=slow, part=part) for topic in service.content.topics
            for full, slow in [(False, False), (False, True), (True, False)]
            for part in range(PARTS.get(topic.id, 1) if full else 1)]


def every_place(service: Service) -> list[Place]:
    return listening_places(service) + playing_places(service)


@pytest.fixture(scope="module")
def dialplan(exported: Path) -> Contexts:
    return parse((exported / "extensions.conf").read_text())


# --- the tests ----------------------------------------------------------------------------------------------


def test_every_place_of_the_call_flow_has_a_context_and_nothing_else(dialplan: Contexts, service: Service) -> None:
    expected = {context_for(place) for place in every_place(service)} | {"secondary-breast-cancer"}
    assert set(dialplan) == expected
    assert {"sbc-menu-main", "sbc-answer-where-it-spreads", "sbc-answer-where-it-spreads-full",
            "sbc-answer-where-it-spreads-part1", "sbc-answer-where-it-spreads-slow-part1",
            "sbc-answer-outlook-full-part3", "sbc-answer-where-it-spreads-full-part1"} <= set(dialplan)
    assert "sbc-answer-where-it-spreads-full-part2" not in dialplan  # a section the build did not cut


def test_the_call_starts_with_the_welcome_then_the_main_menu(dialplan: Contexts) -> None:
    assert [app for _, app, _ in dialplan["secondary-breast-cancer"]["s"]][0] == "Answer"
    outcome = execute(dialplan, "secondary-breast-cancer", "s", {})
    start = flow.start()
    assert (tuple(outcome.played), outcome.then) == (start.say, then_context(start))
    assert outcome.then == "sbc-menu-main" and outcome.variables["SILENCES"] == "0"


def test_every_context_plays_its_prompt_and_waits_six_seconds(dialplan: Contexts, service: Service) -> None:
    for place in listening_places(service):
        listen = [(app, args) for _, app, args in dialplan[context_for(place)]["s"]]
        assert listen == [("Background", PREFIX + flow.listen_prompt(place)), ("WaitExten", "6")]
    assert flow.listen_prompt(Place("answer", "outlook", True)) == "after-full"
    assert flow.listen_prompt(Place("answer", "outlook", slow=True)) == "after-answer"


def test_an_answer_plays_with_background_so_a_key_stops_it_and_then_goes_where_the_flow_goes(
        dialplan: Contexts, service: Service) -> None:
    for place in playing_places(service):
        apps = dialplan[context_for(place)]["s"]
        assert apps[0][1:] == ("Background", PREFIX + flow.recording(place, PARTS)), place
        assert "WaitExten" not in [app for _, app, _ in apps] and "t" not in dialplan[context_for(place)]
        step = flow.on_silence(place, PARTS)
        outcome = execute(dialplan, context_for(place), "s", {})
        assert (tuple(outcome.played), outcome.then) == ((flow.recording(place, PARTS),), then_context(step))
    walked, context = [], "sbc-answer-outlook-full-part1"
    while context.startswith("sbc-answer-outlook-full-part"):
        outcome = execute(dialplan, context, "s", {})
        walked += outcome.played
        context = outcome.then or ""
    assert walked == ["outlook-full-part1", "outlook-full-part2", "outlook-full-part3"]
    assert context == "sbc-answer-outlook-full"


@pytest.mark.parametrize("context, key, then", [
    ("sbc-answer-outlook-full-part2", "6", "sbc-answer-outlook-full-part3"),
    ("sbc-answer-outlook-full-part2", "4", "sbc-answer-outlook-full-part1"),
    ("sbc-answer-outlook-full-part1", "4", "sbc-answer-outlook-full-part1"),  # never before the first part
    ("sbc-answer-outlook-full-part3", "6", "sbc-answer-outlook-full"),  # forward from the last: its end
    ("sbc-answer-outlook-full", "4", "sbc-answer-outlook-full-part3"),  # back from the end: the last part
    ("sbc-answer-outlook-full-part2", "0", "sbc-menu-main"),
    ("sbc-answer-outlook-full-part2", "*", "sbc-answer-outlook-full-part1"),
    ("sbc-answer-outlook-part1", "7", "sbc-answer-outlook-slow-part1"),
    ("sbc-answer-outlook", "7", "sbc-answer-outlook-slow-part1"),
    ("sbc-answer-outlook-slow-part1", "1", "sbc-answer-outlook-full-part1"),
])
def test_the_keys_while_an_answer_plays(dialplan: Contexts, context: str, key: str, then: str) -> None:
    assert press(dialplan, context, key, {}).then == then


@pytest.mark.parametrize("key", KEYS)
def test_every_key_leads_where_the_twiml_flow_leads(dialplan: Contexts, service: Service, key: str) -> None:
    for place in every_place(service):
        for silences in (0, 2):  # a key press also forgets the silences
            step = flow.on_key(service.content.phone, replace(place, silences=silences), key, PARTS)
            outcome = press(dialplan, context_for(place), key, {"SILENCES": str(silences)})
            assert (tuple(outcome.played), outcome.then) == (step.say, then_context(step)), (place, key)
            assert outcome.variables["SILENCES"] == "0"


def test_keys_without_an_option_are_not_an_option_and_replay_the_same_context(dialplan: Contexts) -> None:
    main = dialplan["sbc-menu-main"]
    assert "6" not in main and "#" not in main
    outcome = execute(dialplan, "sbc-menu-main", "i", {"SILENCES": "1"})
    assert (outcome.played, outcome.then, outcome.variables["SILENCES"]) == (["not-an-option"], "sbc-menu-main", "0")


def test_silence_twice_is_asked_again_then_goodbye_as_in_the_twiml_flow(dialplan: Contexts, service: Service) -> None:
    for place in listening_places(service):
        context = context_for(place)
        assert {"i", "t"} <= set(dialplan[context]), context
        variables = execute(dialplan, "secondary-breast-cancer", "s", {}).variables  # as a call arrives
        for silences in range(flow.SILENCES_BEFORE_GOODBYE + 1):
            step = flow.on_silence(replace(place, silences=silences))
            outcome = execute(dialplan, context, "t", variables)
            assert (tuple(outcome.played), outcome.then) == (step.say, then_context(step)), (place, silences)
            variables = outcome.variables
        assert outcome.then is None and outcome.played == ["goodbye"]
        assert dialplan[context]["t"][-1][1] == "Hangup"


def test_a_key_between_silences_starts_the_count_again(dialplan: Contexts) -> None:
    first = execute(dialplan, "sbc-menu-spread", "t", {"SILENCES": "0"})
    second = execute(dialplan, "sbc-menu-spread", "t", first.variables)
    nurse = press(dialplan, "sbc-menu-spread", "9", second.variables)
    again = execute(dialplan, "sbc-menu-spread", "t", nurse.variables)
    assert (nurse.played, again.played, again.then) == (["nurse-line"], ["not-heard"], "sbc-menu-spread")


def test_every_topic_is_within_two_key_presses_of_the_main_menu(dialplan: Contexts, service: Service) -> None:
    reached, frontier = {"sbc-menu-main": 0}, ["sbc-menu-main"]
    for presses in (1, 2, 3):
        outcomes = [press(dialplan, context, key, {}) for context in frontier for key in dialplan[context]
                    if key in KEYS]
        frontier = [outcome.then for outcome in outcomes if outcome.then]
        for context in frontier:
            reached.setdefault(context, presses)
    for topic in service.content.topics:  # an answer starts playing at once, in its context's part 1
        assert reached.get(f"sbc-answer-{topic.id}-part1", 9) <= 2, topic.id
        assert reached.get(f"sbc-answer-{topic.id}-full-part1", 9) <= 3, topic.id


def test_every_sound_the_dialplan_plays_is_exported_in_every_format(exported: Path, audio: Path) -> None:
    text = (exported / "extensions.conf").read_text()
    named = set(re.findall(r"(?:Background|Playback)\(secondary-breast-cancer/([\w-]+)\)", text))
    assert {"welcome", "menu-main", "after-answer", "after-full", "goodbye", "where-it-spreads-full",
            "where-it-spreads-slow", "outlook-full-part3"} <= named
    assert "outlook-full" not in named  # played in parts
    exported_names = {path.stem for path in (exported / SOUNDS).iterdir()}
    assert exported_names == named  # what it plays, and only that
    for name in named:
        for fmt in ("wav", "alaw", "ulaw"):
            source = (audio / "phone" / f"{name}.{fmt}").read_bytes()
            assert (exported / SOUNDS / f"{name}.{fmt}").read_bytes() == source


def test_the_files_say_they_are_generated_and_how_to_install(exported: Path) -> None:
    conf = (exported / "extensions.conf").read_text()
    readme = (exported / "README.txt").read_text()
    assert conf.startswith("; Generated by `python -m skill export-phone --format asterisk`")
    assert "no speech recognition" in conf.split("\n[")[0]
    assert "python -m skill export-phone --format asterisk" in readme.splitlines()[0]
    for part in ("/usr/share/asterisk/sounds/en_GB/", "#include", "secondary-breast-cancer,s,1"):
        assert part in readme


def test_export_again_changes_nothing_and_is_byte_for_byte_the_same(exported: Path, audio: Path,
                                                                     tmp_path: Path) -> None:
    again = run("export-phone", "--out", str(exported), "--audio", str(audio))
    assert again.exit_code == 0 and "wrote 0 file(s)" in again.output, again.output
    elsewhere = run("export-phone", "--out", str(tmp_path), "--audio", str(audio))
    assert elsewhere.exit_code == 0, elsewhere.output
    assert files(tmp_path) == files(exported)


def test_sounds_no_longer_played_are_removed(audio: Path, phone: Phone, tmp_path: Path) -> None:
    (tmp_path / SOUNDS).mkdir(parents=True)
    (tmp_path / SOUNDS / "old-topic.alaw").write_bytes(b"\x00")
    report = export_asterisk(phone, audio, tmp_path)
    assert report.removed == [f"{SOUNDS.as_posix()}/old-topic.alaw"]
    assert not (tmp_path / SOUNDS / "old-topic.alaw").exists()


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def break_manifest(folder: Path) -> None:
    (folder / "manifest.json").unlink()


def lose_a_file(folder: Path) -> None:
    (folder / "phone" / "menu-spread.ulaw").unlink()


def change_a_file(folder: Path) -> None:
    (folder / "phone" / "goodbye.alaw").write_bytes(b"\x01" * 10)


def wrong_rate(folder: Path) -> None:
    data = tiny_wav(0, rate=16000)
    (folder / "phone" / "welcome.wav").write_bytes(data)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"]["phone/welcome.wav"]["sha256"] = hashlib.sha256(data).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize("spoil, named", [
    (break_manifest, "no manifest.json"),
    (lose_a_file, "phone/menu-spread.ulaw is missing"),
    (change_a_file, "phone/goodbye.alaw has changed"),
    (wrong_rate, "phone/welcome.wav is not an 8 kHz"),
])
def test_missing_or_broken_audio_is_named_and_nothing_is_written(spoil: Callable[[Path], None], named: str,
                                                                 audio: Path, tmp_path: Path) -> None:
    copy = tmp_path / "audio"
    shutil.copytree(audio, copy)
    spoil(copy)
    out = tmp_path / "out"
    result = run("export-phone", "--format", "asterisk", "--out", str(out), "--audio", str(copy))
    assert result.exit_code == 1
    assert named in result.output and "python -m skill build-audio" in result.output
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    assert not out.exists()


def test_audio_never_built_fails_in_the_library_with_the_domain_error(phone: Phone, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="build-audio"):
        export_asterisk(phone, tmp_path / "no-audio", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_the_dialplan_is_the_same_every_time(phone: Phone) -> None:
    assert build_dialplan(phone).text() == build_dialplan(phone).text()
    assert build_dialplan(phone).contexts[1].name == f"sbc-menu-{MAIN_MENU}"
