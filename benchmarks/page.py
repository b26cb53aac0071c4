"""The large-print page: time to serve `GET /` and an answer page, and how many bytes a reader downloads.

Usage: python benchmarks/page.py [--runs 200] [--audio-dir audio]
No target is set by the issue; a page should reach a slow phone connection quickly, so the figures to watch
are the HTML size (gzip-able text) and the server time per page.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import time
from pathlib import Path

from skill.app import create_app

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--audio-dir", default=str(ROOT / "audio"))
    args = parser.parse_args()
    app = create_app({"ALEXA_VERIFY_SIGNATURES": False, "PHONE_VERIFY_SIGNATURES": False,
                      "AUDIO_DIR": args.audio_dir})
    client = app.test_client()
    players = client.get("/").data.count(b"<audio ")
    print(f"audio folder {args.audio_dir}: {players} players on the page")
    for path in ["/", "/ask?q=where+does+breast+cancer+spread", "/ask?q=i+want+to+end+it+all",
                 "/static/site.css", "/static/listen.js"]:
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - start)
        body = response.data
        print(f"GET {path}: median {statistics.median(times) * 1000:.2f} ms, worst {max(times) * 1000:.2f} ms; "
              f"{len(body) / 1000:.1f} kB, {len(gzip.compress(body)) / 1000:.1f} kB gzipped")


if __name__ == "__main__":
    main()
