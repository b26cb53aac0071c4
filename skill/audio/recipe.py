"""What a file is made from (words as spoken, voice, formats) and where it goes: shared by the build and the page."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from ..files import read_or_none
from .engines import Engine
from .pronounce import Pronunciations
from .script import AudioItem

_LOGGER = logging.getLogger(__name__)
#: What was made, from what, and how it measured; published with the files, in the same step.
MANIFEST = "manifest.json"
#: The folder's layout (see `build.py`): each published name (`mp3`, `phone`, `manifest.json`, ...) is a symlink
#: `<name> -> .current/<name>`, and `.current -> .builds/<id>`, one complete build. Hidden, so never served.
CURRENT = ".current"
BUILDS = ".builds"

#: Everything that shapes the files besides the words and the voice. Change a value (or the version, when
#: the processing code changes) and every file is made again.
FORMATS: dict[str, Any] = {
    "version": 2,  # 2: spoken sentence by sentence (sentences.py)
    "sentences": {"pause_s": 0.3},
    "mp3": {"rate": 24000, "kbps": 48, "lufs": -19.0, "true_peak": -1.0},
    # part_s: full sections are also cut into telephone parts of about this many seconds (parts.py)
    "phone": {"rate": 8000, "bits": 16, "speech_level_dbov": -26.0, "part_s": 10.0},
}


def paths_for(item: AudioItem) -> dict[str, str]:
    return {
        "mp3": f"mp3/{item.name}.mp3",
        "wav": f"phone/{item.name}.wav",
        "alaw": f"phone/{item.name}.alaw",
        "ulaw": f"phone/{item.name}.ulaw",
    }


def engine_for(item: AudioItem, engine: Engine) -> Engine:
    """The engine that speaks `item`: the slower recordings are the same voice made to speak slowly."""
    return engine.slowly() if item.kind == "slow" else engine


def spoken_text(item: AudioItem, engine: Engine, pronunciations: Pronunciations) -> str:
    return pronunciations.apply(item.text, engine.name)


def source_hash(spoken: str, engine: Engine) -> str:
    """What the files are made from: the words as spoken, the engine and voice, and the format settings."""
    return recipe_hash(spoken, engine.name, engine.voice)


def recipe_hash(spoken: str, engine_name: str, voice: str) -> str:
    """`source_hash` from the names alone, for checking files someone else made (the manifest records both)."""
    recipe = json.dumps({"text": spoken, "engine": engine_name, "voice": voice, "formats": FORMATS},
                        sort_keys=True)
    return hashlib.sha256(recipe.encode("utf-8")).hexdigest()


def listed_parts(entry: Any) -> list[str]:
    """The telephone parts a full section's WAV entry lists (`parts.py`): none for a recording played whole,
    or for an entry that is not what the build writes."""
    parts = entry.get("parts") if isinstance(entry, dict) else None
    names = [part.get("name") for part in parts if isinstance(part, dict)] if isinstance(parts, list) else []
    good = [name for name in names if isinstance(name, str) and name]
    return good if isinstance(parts, list) and len(good) == len(parts) else []


def published_link(name: str) -> str:
    """Where the published name `name` points: through the one switch, so all names change together."""
    return f"{CURRENT}/{name}"


def read_manifest(out_dir: Path) -> dict[str, Any] | None:
    """The folder's manifest, or None when there is none or it is unreadable (logged: nothing there is trusted)."""
    data = read_or_none(out_dir / MANIFEST)
    if data is None:
        return None
    try:
        document = json.loads(data)
    except ValueError:
        _LOGGER.warning("%s is not valid JSON; none of the audio beside it is trusted", out_dir / MANIFEST)
        return None
    return document if isinstance(document, dict) else None
