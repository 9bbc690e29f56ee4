"""``clearline flows check``, part two: the lexicons, the reader on the corpus, and the
budgets over every transcript (not only the typical paths).
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import yaml

from . import corpus, engine, reader, sms
from .flow import Flow
from .understand import command

TRANSCRIPTS = Path(__file__).resolve().parents[1] / "tests" / "transcripts"
MIN_RIGHT, MAX_WRONG = 0.95, 0.01  # issue 10's budgets for the reader
TODAY = corpus.TODAY
SAMPLES: dict[str, tuple[str, ...]] = {  # free text tried besides every choice
    "county": ("Los Angeles", "Nevada"),
    "year": ("1974", "2010", "2016"),
    "offense": ("11360(b)", "HS 11530", "selling", "conspiracy to sell weed"),
    "age": (),
}


class Reporter:  # the part of checks.Report used here
    def section(self, title: str) -> None: ...
    def info(self, text: str) -> None: ...
    def error(self, text: str) -> None: ...


def check_lexicons(report: Reporter) -> None:
    """No phrase means two things; every phrase reads as words."""
    report.section("Lexicons (dialogs/locale/*/lexicon.yaml)")
    for clash in reader.TABLE.clashes:
        report.error(f"lexicon: {clash}")
    report.info(f"{len(reader.TABLE.phrases)} phrases (lexicons, places and counties), "
                f"{sum(len(c) for c in reader.CUES.values())} cue phrases")


def check_understanding(report: Reporter) -> None:
    """The reader on the understanding corpus: facts right, and messages with a wrong fact."""
    report.section("Understanding corpus (tests/dialogs/corpus.yaml)")
    entries = corpus.load()
    if not entries:
        report.info("corpus not found (it lives in the repository's tests/): skipped")
        return
    score = corpus.score(entries)
    report.info(f"{score.messages} messages, {score.expected} expected facts: "
                f"{score.right} read right ({score.right_share:.1%}); a fact the person did not "
                f"say read from {len(score.wrong_messages)} messages ({score.wrong_share:.1%})")
    for line in score.missed[:10]:
        report.info(f"  missed {line}")
    if score.right_share < MIN_RIGHT:
        report.error(f"the reader gets {score.right_share:.1%} of facts (budget {MIN_RIGHT:.0%})")
    if score.wrong_share >= MAX_WRONG:
        for line in score.wrong_messages:
            report.error(f"wrong fact: {line}")


def _aside(before: dict[str, Any] | None, after: dict[str, Any], text: str) -> bool:
    """A message beside the check itself: a command, a question, or one not understood.

    The person chose to send it (HELP, BACK, REPEAT, "who do I call?"), so it and its
    answer are not counted against the check's budget.
    """
    if command(text, engine.FLOW) is not None:
        return True
    reading = reader.read(text, TODAY)
    if reading.empty and (reading.command or reading.question):
        return True
    if before is None:
        return False
    same = before.get("node") == after.get("node") and before.get("facts") == after.get("facts")
    return same and after.get("node") not in {"another", "end"}


def _changed(before: dict[str, Any] | None, after: dict[str, Any]) -> set[str]:
    old = (before or {}).get("facts") or {}
    return {k for k, v in (after.get("facts") or {}).items() if old.get(k) != v}


class CheckCounter:
    """Per check that reaches a verdict: messages from the person and SMS segments sent.

    A message beside the check (``_aside``), or one that only gives again a fact this
    check already had (a correction, or an answer after BACK), is the person's own
    detour, counted aside like HELP or a question. A verdict, or the careful early
    answer, ends a check.
    """

    def __init__(self) -> None:
        self.checks: list[dict[str, int]] = []
        self.current = {"received": 0, "segments": 0, "asides": 0}
        self.seen: set[str] = set()

    def feed(self, before: dict[str, Any] | None, text: str, state: dict[str, Any],
             replies: list[dict], events: list[dict]) -> None:
        """Count one step: the state before, the text sent, and what came of it."""
        if not replies:
            return  # a double send, taken once: nothing sent
        changed = _changed(before, state)
        again = bool(changed) and changed <= self.seen
        self.seen |= changed
        ends = any(e["type"] == "verdict" for e in events) or (
            state.get("node") == "early_more" and (before or {}).get("node") != "early_more")
        if not ends and (again or _aside(before, state, text)):
            self.current["asides"] += 1
            return
        self.current["received"] += 1
        self.current["segments"] += sum(sms.segments(sms.render(r)) for r in replies)
        if ends:
            self.current["early"] = int(state.get("node") == "early_more")
            self.checks.append(self.current)
            self.current = {"received": 0, "segments": 0, "asides": 0}
            self.seen = set()


def checks_in(doc: dict[str, Any]) -> list[dict[str, int]]:
    """Run one transcript; per check that reaches a verdict: messages in, SMS segments out."""
    channel = doc.get("channel", "sms")
    state, counter = doc.get("state"), CheckCounter()
    for turn in doc.get("turns") or []:
        before = state
        event = {"text": str(turn["send"]), "channel": channel}
        event.update({k: turn[k] for k in ("time", "lang") if k in turn})
        state, replies = engine.step(state, event)
        state, _, events = engine.pop_signals(state)
        counter.feed(before, str(turn["send"]), state, replies, events)
    return counter.checks


def random_check(rng: random.Random, first: str, knows: bool = False) -> dict[str, int]:
    """One complete check on SMS from ``first``, each answer picked at random from the
    question's choices and sample free text (or, when ``knows``, any choice but "don't
    know"); its count, as ``CheckCounter`` counts it."""
    state, counter, text = None, CheckCounter(), first
    for _ in range(60):
        before = state
        state, replies = engine.step(state, {"text": text, "channel": "sms"})
        state, _, events = engine.pop_signals(state)
        counter.feed(before, text, state, replies, events)
        if counter.checks:
            return counter.checks[0]
        shown = [c["id"] for c in replies[-1]["choices"]]  # the choices the person sees
        sure = [c for c in shown if c != "dont_know"] if knows else []
        parse = engine.FLOW.nodes[state["node"]].parse
        text = rng.choice(sure or shown + list(SAMPLES.get(parse or "", ())))
    raise RuntimeError(f"no verdict after 60 messages from {first!r}")


def check_every_path(flow: Flow, report: Reporter, walks: int = 300) -> None:
    """Random complete checks in both languages keep the budgets (not only the typical)."""
    most_in, most_seg = flow.check_budget
    report.section(f"Random complete checks, {walks} a language, half knowing every answer "
                   f"(budget: {most_in} messages, {most_seg} segments)")
    rng = random.Random(6)
    runs = [random_check(rng, first, knows=n % 2 == 1)
            for first in ("hi", "hola") for n in range(walks)]
    segs = sorted(r["segments"] for r in runs)
    over = [r for r in runs if r["received"] > most_in or r["segments"] > most_seg]
    report.info(f"{len(runs)} checks: segments median {segs[len(segs) // 2]}, most {segs[-1]}; "
                f"messages from the person most {max(r['received'] for r in runs)}")
    for r in over[:5]:
        report.error(f"a random check over budget: {r['received']} messages, "
                     f"{r['segments']} segments")


def check_transcripts(flow: Flow, report: Reporter) -> None:
    """Every check that reaches a verdict in every transcript keeps the budgets."""
    most_in, most_seg = flow.check_budget
    report.section(f"Every transcript's checks (budget: {most_in} messages from the person, "
                   f"{most_seg} SMS segments sent, per check)")
    files = sorted(TRANSCRIPTS.glob("*.yaml"))
    if not files:
        report.info("transcripts not found (they live in the repository's tests/): skipped")
        return
    checks = worst_in = worst_seg = asides = 0
    for path in files:
        for n, check in enumerate(checks_in(yaml.safe_load(path.read_text("utf-8"))), 1):
            checks += 1
            asides += check["asides"]
            worst_in = max(worst_in, check["received"])
            worst_seg = max(worst_seg, check["segments"])
            if check["received"] > most_in or check["segments"] > most_seg:
                report.error(f"{path.name} check {n}: {check['received']} messages, "
                             f"{check['segments']} segments")
    report.info(f"{len(files)} transcripts, {checks} checks reaching a verdict; the most: "
                f"{worst_in} messages from the person, {worst_seg} segments sent (not counted: "
                f"{asides} messages the person sent aside: HELP, BACK, REPEAT, a question, one "
                f"not understood, or a fact given again, and the answers to them)")
