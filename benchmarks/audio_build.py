"""Audio build times with the offline engine: a full build into an empty folder, then a rebuild with
nothing changed (target: under 3 s, nothing made, nothing written).

Usage: python benchmarks/audio_build.py [--workers N]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from skill.audio.build import AudioBuild  # noqa: E402
from skill.audio.espeak_engine import EspeakEngine  # noqa: E402
from skill.audio.pronounce import Pronunciations  # noqa: E402
from skill.service import Service  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    service = Service.load()
    with tempfile.TemporaryDirectory() as folder:
        build = AudioBuild(service.answers, EspeakEngine(), Path(folder), Pronunciations.load(), args.workers)
        started = time.monotonic()
        full = build.run()
        full_seconds = time.monotonic() - started
        started = time.monotonic()
        again = build.run()
        again_seconds = time.monotonic() - started
        size = sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
    print(f"full offline build: {len(full.made)} items, {len(full.written)} files, {size / 1e6:.1f} MB "
          f"in {full_seconds:.1f} s ({args.workers} workers)")
    print(f"rebuild, nothing changed: made {len(again.made)}, wrote {len(again.written)} files "
          f"in {again_seconds:.2f} s (target under 3 s)")


if __name__ == "__main__":
    main()
