"""Engine benchmark: dialog steps, complete conversations and ``rules.assess`` calls a second.

Runs on one core (pinned when the OS allows), in this process, with no I/O: the numbers
are what the pure layers cost, before any channel or Redis. The conversations are the
flow's own typical complete checks (``budgets.typical`` in ``dialogs/flows/check.yaml``),
in English and Spanish, stepped exactly as the SMS channel steps them (state through
``pop_signals`` and a JSON round trip, as the session store saves it).

    .venv/bin/python bench/engine.py            # about 20 seconds, one core
    .venv/bin/python bench/engine.py --seconds 2 --json
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a fresh clone

import dialogs  # noqa: E402
import rules  # noqa: E402
from dialogs.flow import MAIN  # noqa: E402

GOAL_STEPS = 20_000
GOAL_COLD_STEPS = 10_000  # issue 10: over the corpus and transcripts, caches cleared
ROOT = Path(__file__).resolve().parent.parent


def idle_ticks() -> dict[int, int]:
    """Idle time so far of each CPU, from /proc/stat (Linux); empty elsewhere."""
    out = {}
    try:
        for line in Path("/proc/stat").read_text().splitlines():
            name, *fields = line.split()
            if name.startswith("cpu") and name[3:].isdigit():
                out[int(name[3:])] = int(fields[3]) + int(fields[4])  # idle + iowait
    except (OSError, ValueError, IndexError):
        return {}
    return out


def pin_one_core() -> str:
    """Pin this process to the CPU that was most idle over a quarter second (Linux)."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity)"
    allowed = os.sched_getaffinity(0)
    before = idle_ticks()
    time.sleep(0.25)
    after = idle_ticks()
    idle = {cpu: after[cpu] - before.get(cpu, 0) for cpu in after if cpu in allowed}
    cpu = max(idle, key=idle.get) if idle else min(allowed)
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}, the most idle"


def fact_sets() -> list[dict]:
    """A spread of facts for ``rules.assess``: every court, offense form, era, county kind,
    level and flag combination below (a few thousand), complete and partial."""
    grid = itertools.product(
        ("california", "federal", "other_state", None),
        ("possession", "cultivation", "possession_for_sale", "sale_transport", "other",
         "11357", "11360(b)", None),
        ("2009", "1975", "2018", "2016-12", None),
        ("Los Angeles", "Alpine", "Fresno", "SF", None),
        ("felony", "misdemeanor", None),
        (True, False, None),
        (True, False, None),
    )
    return [{"court": court, "offense": offense, "conviction_date": when, "county": county,
             "level": level, "currently_serving": serving, "prior_super_strike": flag,
             "sale_to_minor": flag, "noncitizen": flag,
             "age_at_offense": "21_plus" if flag else None}
            for court, offense, when, county, level, serving, flag in grid]


def conversations() -> list[tuple[str, list[str]]]:
    """The flow's typical complete checks: (language/name, the person's messages)."""
    typical = MAIN.budgets.get("typical") or {}
    return [(f"{lang}/{name}", list(texts)) for lang, paths in typical.items()
            for name, texts in paths.items()]


def converse(texts: list[str], stored: bool = False, channel: str = "sms") -> int:
    """One complete conversation as ``channel`` steps it; return the steps taken.

    ``stored``: also put the state through JSON between steps, as the session store does.
    """
    state: dict | None = None
    verdicts = 0
    for text in texts:
        state, _ = dialogs.step(state, {"text": text, "channel": channel})
        state, _, events = dialogs.pop_signals(state)
        verdicts += sum(e.get("type") == "verdict" for e in events)
        if stored:
            state = json.loads(json.dumps(state, ensure_ascii=False, separators=(",", ":")))
    if not verdicts:
        raise SystemExit(f"benchmark path did not reach a verdict: {texts}")
    return len(texts)


def corpus_conversations() -> list[list[str]]:
    """Conversations made of what people write: every transcript's messages, and every
    understanding-corpus message sent after a greeting (the corpus: tests/dialogs/)."""
    import yaml

    out = []
    for path in sorted((ROOT / "tests" / "transcripts").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        out.append([str(t["send"]) for t in doc.get("turns") or []])
    entries = yaml.safe_load((ROOT / "tests" / "dialogs" / "corpus.yaml").read_text("utf-8"))
    out += [["hi", str(e["text"])] for e in entries]
    return out


# Caches keyed by the wording's own keys (built once from the catalogs, like a compiled
# table): kept. Every cache keyed by what a person typed, or by the replies, is cleared.
WORDING_CACHES = {"words", "_phrases", "_choice_phrases_by_key", "_label_phrases",
                  "_command_phrases"}


def message_caches() -> list[Callable[[], None]]:
    """Every memo cache of the dialog and rules layers that holds a message, a reply or a
    reading of one (found once: the modules' lru_cache functions, less the wording's)."""
    found = []
    for module in list(sys.modules.values()):
        name = getattr(module, "__name__", "")
        if not name.startswith(("dialogs", "rules")):
            continue
        for key, value in list(vars(module).items()):
            if isinstance(value, type) or key in WORDING_CACHES:
                continue
            if callable(getattr(value, "cache_clear", None)):
                found.append(value.cache_clear)
    return found


CLEARS: list[Callable[[], None]] = []


def clear_caches() -> None:
    """A cold start for each conversation: no reading of a message is reused."""
    if not CLEARS:
        CLEARS.extend(message_caches())
    for clear in CLEARS:
        clear()


def converse_cold(texts: list[str]) -> int:
    """One conversation on the SMS channel after clearing every cache; the steps taken."""
    clear_caches()
    state: dict | None = None
    for text in texts:
        state, _ = dialogs.step(state, {"text": text, "channel": "sms"})
        state, _, _ = dialogs.pop_signals(state)
    return len(texts)


def measure(work: Callable[[], int], seconds: float, rounds: int = 7) -> dict:
    """Call ``work`` (returns units done) in ``rounds`` timed rounds over about ``seconds``.

    Returns the best round's rate (as ``timeit`` does: the least disturbed by other
    processes on the machine), the median round's rate, and the units done in all.
    """
    for _ in range(20):  # warm caches (catalogs, lru caches, county tables)
        work()
    gc.collect()
    rates: list[float] = []
    total = 0
    for _ in range(rounds):
        done = 0
        start = time.perf_counter()
        deadline = start + seconds / rounds
        while time.perf_counter() < deadline:
            for _ in range(10):
                done += work()
        rates.append(done / (time.perf_counter() - start))
        total += done
    rates.sort()
    return {"best": rates[-1], "median": rates[len(rates) // 2], "units": total}


def run(seconds: float) -> dict:
    paths = conversations()
    cycle = itertools.cycle(paths)
    steps_per_conv = sum(len(t) for _, t in paths) / len(paths)
    steps = measure(lambda: converse(next(cycle)[1]), seconds)
    stored = measure(lambda: converse(next(cycle)[1], stored=True), seconds / 2)
    web = measure(lambda: converse(next(cycle)[1], channel="web"), seconds / 2)
    per_path = {}
    for name, texts in paths:
        rate = measure(lambda t=texts: converse(t), max(seconds / 8, 0.5), rounds=3)["best"]
        per_path[name] = {"steps": len(texts), "steps_per_s": round(rate),
                          "conversations_per_s": round(rate / len(texts))}
    facts = fact_sets()
    fact_cycle = itertools.cycle(facts)

    def one_assessment() -> int:
        rules.assess(next(fact_cycle))
        return 1

    assessed = measure(one_assessment, seconds / 2)
    people = corpus_conversations()
    people_cycle = itertools.cycle(people)
    cold = measure(lambda: converse_cold(next(people_cycle)), seconds)
    return {
        "steps_per_s_cold_corpus": round(cold["best"]),
        "steps_per_s_cold_corpus_median": round(cold["median"]),
        "cold_corpus_conversations": len(people),
        "cold_corpus_steps": sum(len(c) for c in people),
        "goal_cold_steps_per_s": GOAL_COLD_STEPS,
        "meets_cold_goal": cold["best"] >= GOAL_COLD_STEPS,
        "steps_per_s": round(steps["best"]),
        "steps_per_s_median": round(steps["median"]),
        "conversations_per_s": round(steps["best"] / steps_per_conv),
        "conversations_per_s_median": round(steps["median"] / steps_per_conv),
        "steps_per_conversation": round(steps_per_conv, 2),
        "steps_measured": steps["units"],
        "steps_per_s_with_json_state": round(stored["best"]),
        "steps_per_s_web_channel": round(web["best"]),
        "assess_per_s": round(assessed["best"]),
        "assess_per_s_median": round(assessed["median"]),
        "assess_fact_sets": len(facts),
        "per_path": per_path,
        "goal_steps_per_s": GOAL_STEPS,
        "meets_goal": steps["best"] >= GOAL_STEPS,
    }


def compiled_modules() -> str:
    """Which of the dialog and rules modules run compiled (setup.py builds them with mypyc)."""
    ours = [m for name, m in sys.modules.items() if name.startswith(("dialogs", "rules"))]
    built = [m for m in ours if str(getattr(m, "__file__", "")).endswith((".so", ".pyd"))]
    if not built:
        return "plain Python (not compiled: no build, or CLEARLINE_PURE=1)"
    return f"{len(built)} of {len(ours)} dialog and rules modules compiled with mypyc"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="time for the main run")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    pinned = pin_one_core()
    result = run(args.seconds)
    result["machine"] = machine()
    result["pinning"] = pinned
    result["code"] = compiled_modules()
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"Engine benchmark ({result['machine']}; {pinned}; best and median of 7 rounds)")
    print(f"  code: {result['code']}")
    print(f"  dialog steps/s            {result['steps_per_s']:>8,}  (median "
          f"{result['steps_per_s_median']:,})  goal >= {GOAL_STEPS:,}: "
          f"{'MET' if result['meets_goal'] else 'NOT MET'}")
    print(f"  complete conversations/s  {result['conversations_per_s']:>8,}  (median "
          f"{result['conversations_per_s_median']:,}; {result['steps_per_conversation']} "
          f"steps each, the typical checks EN+ES)")
    print(f"  rules.assess calls/s      {result['assess_per_s']:>8,}  (median "
          f"{result['assess_per_s_median']:,}; {result['assess_fact_sets']} fact sets cycled)")
    print(f"  steps/s, state through JSON between steps (as stored): "
          f"{result['steps_per_s_with_json_state']:,}; on the web channel (no SMS "
          f"rendering): {result['steps_per_s_web_channel']:,}")
    print(f"  dialog steps/s, what people write, caches cleared before each conversation: "
          f"{result['steps_per_s_cold_corpus']:,} (median "
          f"{result['steps_per_s_cold_corpus_median']:,}; {result['cold_corpus_conversations']} "
          f"conversations, {result['cold_corpus_steps']} messages: every transcript and every "
          f"corpus message)  goal >= {GOAL_COLD_STEPS:,}: "
          f"{'MET' if result['meets_cold_goal'] else 'NOT MET'}")
    print("  per typical check:")
    for name, row in result["per_path"].items():
        print(f"    {name:40} {row['steps']} steps  {row['steps_per_s']:>7,} steps/s  "
              f"{row['conversations_per_s']:>6,} conversations/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
