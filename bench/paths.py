"""SMS budgets over every kind of path, not only the typical checks.

Walks seeded random complete checks on the SMS channel (half starting in English, half in
Spanish), each answer picked at random from the question's choices and its sample free
text (as ``clearline flows check`` walks them), and counts per check the messages from the
person (the first "hi" included) and the SMS segments sent. Then the same with no "don't
know" and no free text: a person who knows every answer.

    .venv/bin/python bench/paths.py            # about 10 seconds
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a fresh clone

from dialogs import engine, sms  # noqa: E402
from dialogs.checks import _answers  # noqa: E402
from dialogs.flow import MAIN  # noqa: E402


def walk(rng: random.Random, first: str, knows: bool) -> tuple[int, int]:
    """One complete check: (messages from the person, segments sent)."""
    state, replies = engine.step(None, {"text": first, "channel": "sms"})
    state, _, _ = engine.pop_signals(state)
    sent, person = sum(sms.segments(sms.render(r)) for r in replies), 1
    while MAIN.nodes[state["node"]].id != "another" and person < 40:
        node = MAIN.nodes[state["node"]]
        answers = [c.id for c in node.choices if c.id != "dont_know"] if knows else []
        state, replies = engine.step(state, {"text": rng.choice(answers or _answers(node)),
                                             "channel": "sms"})
        state, _, _ = engine.pop_signals(state)
        person += 1
        sent += sum(sms.segments(sms.render(r)) for r in replies)
    return person, sent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--walks", type=int, default=1500, help="checks per language")
    args = parser.parse_args(argv)
    most_in, most_seg = MAIN.check_budget
    for knows, seed in ((False, 4), (True, 5)):
        rng = random.Random(seed)
        runs = [walk(rng, first, knows) for first in ("hi", "hola") for _ in range(args.walks)]
        segs = sorted(s for _, s in runs)
        over_seg = sum(s > most_seg for _, s in runs)
        over_in = sum(p > most_in for p, _ in runs)
        print(f"{'knows every answer' if knows else 'any answer'}: {len(runs)} checks; "
              f"over {most_seg} segments: {over_seg} ({over_seg / len(runs):.0%}); over "
              f"{most_in} messages: {over_in} ({over_in / len(runs):.0%}); segments median "
              f"{statistics.median(segs):g}, 95th percentile {segs[int(0.95 * len(segs))]}, "
              f"most {segs[-1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
