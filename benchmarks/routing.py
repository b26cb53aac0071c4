"""Routing accuracy and cost on questions written apart from the samples.

Usage: python benchmarks/routing.py [--questions FILE.tsv ...] [--errors]
Prints, per set and per group: in-scope top-1, out-of-scope declined, urgent caught, false alarms (calm questions
given the emergency numbers), the clarify rate, and the router's cost per question (median and p99).
Targets (issue 10): in scope >= 97 %, out of scope >= 95 % (everyday 100 %), urgent 100 %, false alarms
<= 0.5 %, clarified <= 5 % of in-scope questions, p99 <= 2 ms.

Files are `label<TAB>question` or `label<TAB>group<TAB>question`; a label is a topic id, `out_of_scope`,
`urgent`, or `calm` (anything but the emergency numbers is right). A clarifying question counts as right when
one of its two topics is. The sets:
- dev_questions.tsv (255): the development set, used while building the router.
- check_questions.tsv (610), check4_questions.tsv (300): earlier blind sets, looked at since: development data.
- safety_questions.tsv (1,300): emergencies and calm questions from six writers who saw only the page (issue 9),
  in three rounds, each run once blind (figures in the README), then studied: development data.
- understanding_dev.tsv: issue 10's development questions (two writers who saw only the page), for thresholds.
The blind test questions of issue 10 are kept outside the repository, so they stay unseen.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from skill.content import load_content  # noqa: E402
from skill.understand import Route, Router  # noqa: E402

HERE = Path(__file__).parent
DEFAULT_SETS = [HERE / name for name in ("dev_questions.tsv", "check_questions.tsv", "check4_questions.tsv",
                                          "safety_questions.tsv", "understanding_dev.tsv")]
NOT_TOPICS = ("out_of_scope", "urgent", "calm")


def read_questions(path: Path) -> list[tuple[str, str, str]]:
    """(label, group, question); a two-column file's group is its label's kind."""
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))[1:]
    out = []
    for row in rows:
        label, group, question = (row[0], row[1], row[2]) if len(row) >= 3 else (row[0], "", row[1])
        out.append((label, group or ("in_scope" if label not in NOT_TOPICS else label), question))
    return out


def right(label: str, route: Route) -> bool:
    if label == "calm":
        return route.kind != "urgent"
    if label in ("out_of_scope", "urgent"):
        return route.kind == label
    if route.kind == "clarify":  # a clarifying question is right when one of its two topics is
        return label in getattr(route, "topics", ())
    return route.kind == "answer" and route.topic == label


def said(route: Route) -> str:
    if route.kind == "clarify":
        return "clarify:" + "|".join(getattr(route, "topics", ()))
    return route.topic if route.kind == "answer" and route.topic else route.kind


def report(router: Router, path: Path, errors: bool) -> None:
    rows = read_questions(path)
    results = [(label, group, question, router.route(question)) for label, group, question in rows]
    print(f"\n{path.name}: {len(rows)} questions")
    kinds = {"in scope top-1": lambda l: l not in NOT_TOPICS, "out of scope declined": lambda l: l == "out_of_scope",
             "urgent caught": lambda l: l == "urgent"}
    for name, belongs in kinds.items():
        chosen = [right(label, r) for label, _, _, r in results if belongs(label)]
        if chosen:
            print(f"  {name:>26}: {sum(chosen)}/{len(chosen)} = {100 * sum(chosen) / len(chosen):.1f} %")
    calm = [r.kind == "urgent" for label, _, _, r in results if label != "urgent"]
    print(f"  {'false alarms':>26}: {sum(calm)}/{len(calm)} = {100 * sum(calm) / max(1, len(calm)):.1f} %")
    topical = [r.kind == "clarify" for label, _, _, r in results if label not in NOT_TOPICS]
    if topical:
        share = 100 * sum(topical) / len(topical)
        print(f"  {'clarified (in scope)':>26}: {sum(topical)}/{len(topical)} = {share:.1f} %")
    groups: dict[str, list[bool]] = defaultdict(list)
    for label, group, _, r in results:
        groups[group].append(right(label, r))
    if len(groups) > 1:
        for group, marks in sorted(groups.items()):
            print(f"  {'group ' + group:>26}: {sum(marks)}/{len(marks)} = {100 * sum(marks) / len(marks):.1f} %")
    if errors:
        for label, group, question, r in results:
            if not right(label, r):
                print(f"    expected {label:<20} got {said(r):<30} [{group}] {question}")


def cost(router: Router, questions: list[str]) -> None:
    times = []
    for _ in range(5):
        for question in questions:
            start = time.perf_counter()
            router.route(question)
            times.append(time.perf_counter() - start)
    times.sort()
    p99 = times[int(0.99 * (len(times) - 1))]
    print(f"\nrouter cost: median {statistics.median(times) * 1e6:.0f} us, p99 {p99 * 1e6:.0f} us "
          f"({len(times)} questions)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=Path, nargs="+", default=[p for p in DEFAULT_SETS if p.exists()])
    parser.add_argument("--errors", action="store_true", help="list every question routed wrongly")
    args = parser.parse_args()
    router = Router.from_content(load_content())
    for path in args.questions:
        report(router, path, args.errors)
    cost(router, [q for path in args.questions for _, _, q in read_questions(path)])


if __name__ == "__main__":
    main()
