"""SMS budgets over every kind of path, not only the typical checks.

Walks seeded random complete checks on the SMS channel (half starting in English, half in
Spanish), each answer picked at random from the question's choices and its sample free
text (``dialogs.measures.random_check``, as ``clearline flows check`` walks them), and
counts per check what ``clearline flows check`` counts for transcripts: the messages from
the person (the first "hi" included) and the SMS segments sent, up to the verdict or the
careful early answer. Then the same with no "don't know": a person who knows every answer.

    .venv/bin/python bench/paths.py            # about a minute
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a fresh clone

from dialogs.flow import MAIN  # noqa: E402
from dialogs.measures import random_check  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--walks", type=int, default=1500, help="checks per language")
    args = parser.parse_args(argv)
    most_in, most_seg = MAIN.check_budget
    for knows, seed in ((False, 4), (True, 5)):
        rng = random.Random(seed)
        runs = [random_check(rng, first, knows)
                for first in ("hi", "hola") for _ in range(args.walks)]
        segs = sorted(r["segments"] for r in runs)
        over_seg = sum(s > most_seg for s in segs)
        over_in = sum(r["received"] > most_in for r in runs)
        print(f"{'knows every answer' if knows else 'any answer'}: {len(runs)} checks; "
              f"over {most_seg} segments: {over_seg}; over {most_in} messages: {over_in}; "
              f"segments median {statistics.median(segs):g}, 95th percentile "
              f"{segs[int(0.95 * len(segs))]}, most {segs[-1]}; messages most "
              f"{max(r['received'] for r in runs)}; ended by the careful early answer (and "
              f"an offer to go on): {sum(r.get('early', 0) for r in runs)}")
        print("  segments per check: " + ", ".join(
            f"{k}: {v}" for k, v in sorted(Counter(segs).items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
