"""SMS budgets over every kind of path, not only the typical checks.

Walks seeded random complete checks on the SMS channel (half starting in English, half in
Spanish), each answer picked at random from the question's choices and its sample free
text (``dialogs.measures.random_check``, as ``clearline flows check`` walks them), and
counts per check what ``clearline flows check`` counts for transcripts: the messages from
the person (the first "hi" included) and the SMS segments sent, up to the verdict or the
careful early answer. Then the same with no "don't know": a person who knows every answer.

    .venv/bin/python bench/paths.py                  # about 10 seconds
    .venv/bin/python bench/paths.py --every-county   # and every verdict in every county
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a fresh clone

import rules  # noqa: E402
from dialogs import catalog, checks, verdict  # noqa: E402
from dialogs.flow import MAIN  # noqa: E402
from dialogs.measures import random_check  # noqa: E402


def every_county() -> int:
    """Every verdict shape the paths reach, in each of the 58 counties, both languages,
    after a check and as the careful early answer: its required parts against
    ``verdict_floor`` (about 2 minutes). Returns how many go over."""
    shapes = {json.dumps({k: v for k, v in f.items() if k != "county"}, sort_keys=True)
              for f in checks.explore().verdict_facts.values() if f.get("county")}
    sizes: Counter[int] = Counter()
    for shape in sorted(shapes):
        for county in rules.counties.county_names():
            assessment = rules.assess({**json.loads(shape), "county": county}).to_dict()
            for then in ("another", "early_more"):
                node = MAIN.nodes[then]
                for lang in catalog.LANGS:
                    labels = [catalog.text(lang, c.label) for c in node.choices]
                    sizes[verdict.required_segments(lang, assessment, county,
                                                    catalog.text(lang, node.ask), labels)] += 1
    over = sum(n for size, n in sizes.items() if size > MAIN.verdict_floor)
    spread = ", ".join(f"{k}: {v}" for k, v in sorted(sizes.items()))
    print(f"{len(shapes)} verdict shapes x 58 counties x 2 questions x 2 languages = "
          f"{sum(sizes.values())} verdicts; required SMS segments: {spread}; "
          f"over {MAIN.verdict_floor}: {over}")
    return over


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--walks", type=int, default=1500, help="checks per language")
    parser.add_argument("--every-county", action="store_true",
                        help="also size every reachable verdict in all 58 counties")
    args = parser.parse_args(argv)
    if args.every_county and every_county():
        return 1
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
