"""Routing accuracy and cost on questions written apart from the samples.

Usage: python benchmarks/routing.py [--questions FILE.tsv] [--errors]
Prints in-scope top-1 accuracy, out-of-scope declined, urgent caught, and microseconds per question.
Targets (issue 2): >= 95 %, >= 95 %, 100 %, <= 2000 us.

Question sets (label<TAB>question), each written by someone who never saw the sample questions:
- dev_questions.tsv (255): the development set, used while building the router.
- check_questions.tsv (610): three sets first kept outside the repository as blind checks; each was run
  once blind (figures in the README) and has been looked at since, so it is development data now.
- check4_questions.tsv (300): a fourth set, run once blind in session 2 (97.7 % / 83.8 % / 97.5 %); only its
  one urgent miss was studied (a pattern added), so its in-scope and out-of-scope figures are still near-blind.
- safety_questions.tsv (1,300): emergencies and self-harm in lay words (`urgent`) and calm questions about dying,
  feelings and everyday words (`calm`: anything but the emergency numbers is right), from six writers who saw
  only the page (issue 9), in three rounds. Each round was run once blind (figures in the README), then studied: development data.

Every set also prints its false alarms: questions not labelled urgent that got the emergency numbers.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from skill.content import load_content  # noqa: E402
from skill.understand import Router  # noqa: E402


def read_questions(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    return [(label, question) for label, question in rows[1:]]


def predicted(route) -> str:
    return route.topic if route.kind == "answer" else route.kind


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=Path, default=Path(__file__).parent / "dev_questions.tsv")
    parser.add_argument("--errors", action="store_true", help="list every question routed wrongly")
    args = parser.parse_args()
    router = Router.from_content(load_content())
    rows = read_questions(args.questions)
    results = [(label, question, router.route(question)) for label, question in rows]
    groups = {"in scope": lambda l: l not in ("out_of_scope", "urgent", "calm"),
              "out of scope declined": lambda l: l == "out_of_scope",
              "urgent caught": lambda l: l == "urgent"}
    print(f"questions: {len(rows)} from {args.questions}")
    for name, belongs in groups.items():
        chosen = [(label, predicted(r)) for label, _, r in results if belongs(label)]
        if not chosen:
            continue
        right = sum(label == guess for label, guess in chosen)
        print(f"{name:>22}: {right}/{len(chosen)} = {100 * right / len(chosen):.1f} %")
    calm = [predicted(r) for label, _, r in results if label != "urgent"]
    alarmed = calm.count("urgent")
    print(f"{'false alarms':>22}: {alarmed}/{len(calm)} = {100 * alarmed / max(1, len(calm)):.1f} % of calm questions")
    rounds = 20
    start = time.perf_counter()
    for _ in range(rounds):
        for _, question in rows:
            router.route(question)
    per_question = (time.perf_counter() - start) / (rounds * len(rows))
    print(f"{'router cost':>22}: {per_question * 1e6:.0f} us per question (mean of {rounds * len(rows)})")
    if args.errors:
        for label, question, route in results:
            if predicted(route) != label and not (label == "calm" and predicted(route) != "urgent"):
                print(f"  expected {label:<22} got {predicted(route):<22} {route.score:.2f}  {question}")


if __name__ == "__main__":
    main()
