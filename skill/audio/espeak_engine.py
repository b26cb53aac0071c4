"""The offline engine: Debian's espeak-ng, for tests and for building audio without the internet."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, replace

from .engines import SpeechEngineError

#: The slower recordings: espeak-ng's own rate (`-s`), three quarters of the usual, pauses lengthened with it.
SLOWER = 0.75


@dataclass(frozen=True)
class EspeakEngine:
    """`espeak-ng -v en-gb --stdout`: WAV at 22050 Hz. Robotic, but always there."""

    voice_name: str = "en-gb"
    words_per_minute: int = 150
    binary: str = "espeak-ng"
    timeout: float = 60.0
    name: str = "espeak-ng"
    container: str = "wav"

    @property
    def voice(self) -> str:
        return f"espeak-ng:{self.voice_name}:{self.words_per_minute}"

    def slowly(self) -> EspeakEngine:
        return replace(self, words_per_minute=round(self.words_per_minute * SLOWER))

    def synthesise(self, text: str) -> bytes:
        executable = shutil.which(self.binary)
        if executable is None:
            raise SpeechEngineError(
                f"{self.binary} is not installed. Probable cause: the offline speech engine is missing; "
                "on Debian or Ubuntu run: sudo apt-get install espeak-ng"
            )
        command = [executable, "-v", self.voice_name, "-s", str(self.words_per_minute), "--stdout"]
        try:
            done = subprocess.run(command, input=text.encode("utf-8"), capture_output=True,
                                  timeout=self.timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise SpeechEngineError(f"{self.binary} took longer than {self.timeout:.0f} s") from exc
        if done.returncode != 0 or not done.stdout.startswith(b"RIFF"):
            detail = done.stderr.decode("utf-8", "replace").strip()[:200] or f"exit code {done.returncode}"
            raise SpeechEngineError(f"{self.binary} failed: {detail}")
        return done.stdout
