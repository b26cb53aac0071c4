"""What a file is made from (words as spoken, voice, formats) and where it goes: shared by the build and the page."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from .engines import Engine
from .pronounce import Pronunciations
from .script import AudioItem

#: Everything that shapes the files besides the words and the voice. Change a value (or the version, when
#: the processing code changes) and every file is made again.
FORMATS: dict[str, Any] = {
    "version": 1,
    "mp3": {"rate": 24000, "kbps": 48, "lufs": -19.0, "true_peak": -1.0},
    "phone": {"rate": 8000, "bits": 16, "speech_level_dbov": -26.0},
}


def paths_for(item: AudioItem) -> dict[str, str]:
    return {
        "mp3": f"mp3/{item.name}.mp3",
        "wav": f"phone/{item.name}.wav",
        "alaw": f"phone/{item.name}.alaw",
        "ulaw": f"phone/{item.name}.ulaw",
    }


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
