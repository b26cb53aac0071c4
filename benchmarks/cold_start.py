"""Cold start: a fresh Python process imports the package and creates the app (content, router, skill).

Usage: python benchmarks/cold_start.py [--runs 7]
Target (issue 2): create_app in a fresh process in at most 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROGRAM = """
import time
start = time.perf_counter()
from skill.app import create_app
app = create_app()
print(time.perf_counter() - start)
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    times = []
    for _ in range(args.runs):
        out = subprocess.run([sys.executable, "-c", PROGRAM], cwd=ROOT, check=True, capture_output=True, text=True)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    print(f"create_app in a fresh process (imports included), {args.runs} runs:")
    print(f"  median {statistics.median(times):.3f} s, worst {max(times):.3f} s (target at most 1 s)")


if __name__ == "__main__":
    main()
