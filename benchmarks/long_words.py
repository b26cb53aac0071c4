"""Memory while callers send one enormous "word" each: the router must not keep them.

Usage: python benchmarks/long_words.py [--posts 1000] [--word-kb 100]
Posts `--posts` phone webhooks (SpeechResult = one word of `--word-kb` kB, different each time) and as many
Alexa free questions to the app through Flask (signature checks off: only the understanding is measured), then
prints the process's resident memory before and after. Target (issue 11): flat, not 86 MB -> 277 MB.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import string
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from skill.app import create_app  # noqa: E402

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "alexa"


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--word-kb", type=int, default=100)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    app = create_app({"ALEXA_VERIFY_SIGNATURES": False, "PHONE_VERIFY_SIGNATURES": False})
    client = app.test_client()
    template = json.loads((FIXTURES / "ask_question.json").read_text(encoding="utf-8"))
    rnd = random.Random(1)
    client.post("/phone/heard?where=menu&name=main", data={"SpeechResult": "where does it spread"})
    before = resident_mb()
    statuses: dict[int, int] = {}
    for _ in range(args.posts):
        word = "".join(rnd.choices(string.ascii_lowercase, k=args.word_kb * 1024))
        reply = client.post("/phone/heard?where=menu&name=main", data={"SpeechResult": word})
        statuses[reply.status_code] = statuses.get(reply.status_code, 0) + 1
        template["request"]["intent"]["slots"]["query"]["value"] = word[:100_000]
        reply = client.post("/alexa", data=json.dumps(template), content_type="application/json")
        statuses[reply.status_code] = statuses.get(reply.status_code, 0) + 1
    after = resident_mb()
    print(f"{args.posts} phone posts and {args.posts} Alexa questions, each one {args.word_kb} kB word: "
          f"resident memory {before:.0f} MB -> {after:.0f} MB; statuses {statuses}")


if __name__ == "__main__":
    main()
