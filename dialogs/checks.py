"""``clearline flows check``: every check on the flows and catalogs, and the budgets.

Structure (targets, actions, facts, the don't-know rule), catalogs (every key in every
language, same placeholders), wording for every rules code, paths (every node reached,
every path ends in a verdict), each message's SMS encoding and segments, the typical
complete checks' messages and segments, and the English reading level.
"""

from __future__ import annotations

import itertools
import json
import random
import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import rules
from rules import codes
from rules.facts import READERS, parse_facts

from . import catalog, engine, measures, sms, verdict, voice
from .flow import ACTIONS, ASSESS, CONDITIONS, NODE_TYPES, Flow, Node
from .understand import COMMANDS, PARSERS

FLOW = engine.FLOW

@dataclass
class Report:
    """Findings of one check run, printed as plain text."""

    lines: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def section(self, title: str) -> None:
        self.lines += ["", f"== {title}"]

    def info(self, text: str) -> None:
        self.lines.append(text)

    def error(self, text: str) -> None:
        self.errors.append(text)
        self.lines.append(f"ERROR {text}")

    @property
    def ok(self) -> bool:
        return not self.errors

    def text(self) -> str:
        verdict_line = "flows check: OK" if self.ok else f"flows check: {len(self.errors)} error(s)"
        return "\n".join([*self.lines, "", verdict_line]).strip()


FACT_KEYS = frozenset(READERS) | {"conviction_date"}  # every fact rules read
ENGINE_KEYS = (
    "welcome", "help", "back_first", "restarted", "lang_switched", "stale", "stopped",
    "still_stopped", "opted_in", "erased", "next_check", "goodbye", "e.not_understood",
    "e.not_understood_choices", "e.no_county", "e.bad_year", "e.future_year", "e.help_offer",
    "understood_county",
    "understood_year", "understood_year_about", "understood_decade", "thanks_reply",
    "next_check_in", "already_erased", "understood_before", "understood_after",
)
CONFIRM_KINDS = ("county_public_defender", "county_district_attorney", "court",
                 "doj_record_review", "legal_aid")
# Words around the conversation, used by bot/ (bot/wording.py): page text, channel notices,
# Telegram command descriptions.
AROUND = ("ui.", "notice.", "telegram.")


def flow_keys(flow: Flow) -> set[str]:
    """Message keys the flow itself names."""
    keys: set[str] = set()
    for node in flow.nodes.values():
        keys.update(k for k in (node.ask, node.say) if k)
        keys.update(c.label for c in node.choices)
    return keys


def code_keys() -> set[str]:
    """Message keys for every code the rules can emit."""
    keys = {f"v.head.{outcome}" for outcome in codes.OUTCOMES}
    keys |= {f"v.why.{code}" for code in codes.REASONS}
    keys |= {f"v.caveat.{code}" for code in codes.CAVEATS}
    keys |= {f"v.relief.{code}" for code in codes.OTHER_RELIEF}
    keys |= {f"s.{outcome}" for outcome in codes.OUTCOMES}
    keys |= {f"v.confirm.{kind}" for kind in CONFIRM_KINDS}
    keys |= {f"v.confirm.{kind}.nocounty" for kind in CONFIRM_KINDS[:3]}
    return keys


def required_keys(flow: Flow = FLOW) -> set[str]:
    """Every message key the conversation can use."""
    keys = flow_keys(flow) | set(ENGINE_KEYS) | code_keys()
    keys |= {f"cmd.{name}" for name in COMMANDS}
    keys |= {"syn.yes", "syn.no", "syn.dont_know", "syn.thanks", "v.confirm.intro", "v.where",
             "v.relief.expungement", "s.header", "s.case", "v.confirm.intro.not_eligible",
             "v.cite", "v.checked", "why.header", "why.none", "result.header", "no_result",
             "v.next.likely_cleared.dismissed", "v.next.petition",
             "v.next.petition.juvenile_adjudication", "v.next.likely_cleared.reduced",
             "v.next.likely_cleared.dismissed_or_reduced"}
    keys |= {f"s.k.{kind}" for kind in ("possession", "cultivation", "possession_for_sale",
                                        "sale_transport")}
    keys |= {f"v.call.{kind}{line}" for kind in CONFIRM_KINDS[:3]
             for line in ("", ".cannabis") if (kind, line) != ("court", ".cannabis")}
    keys |= {k for k in catalog.CATALOGS["en"]  # wordings by kind of case (key.kind)
             if any(k.startswith(f"{base}.") for base in flow_keys(flow) if base.startswith("q."))}
    return keys


def check_structure(flow: Flow, report: Report) -> None:
    """Node types, targets, actions, parsers, facts and the don't-know rule."""
    report.section(f"Flow '{flow.name}' version {flow.version}: structure")
    if flow.start not in flow.nodes:
        report.error(f"start node '{flow.start}' does not exist")
    for node in flow.nodes.values():
        where = f"node '{node.id}'"
        if node.type not in NODE_TYPES:
            report.error(f"{where}: unknown type '{node.type}'")
        targets = [node.next] + [c.next for c in node.choices]
        for target in targets:
            if target and target != ASSESS and target not in flow.nodes:
                report.error(f"{where}: goes to unknown node '{target}'")
        for choice in node.choices:
            if choice.do and choice.do not in ACTIONS:
                report.error(f"{where}: choice '{choice.id}' has unknown action '{choice.do}'")
            for key, value in choice.set.items():
                if key not in FACT_KEYS:
                    report.error(f"{where}: choice '{choice.id}' sets unknown fact '{key}'")
                elif value != "unknown" and not _fact_value_ok(key, value):
                    report.error(f"{where}: '{key}: {value!r}' is not a value rules understand")
        if node.when and node.when not in CONDITIONS:
            report.error(f"{where}: unknown condition '{node.when}'")
        if node.parse and node.parse not in PARSERS:
            report.error(f"{where}: unknown parser '{node.parse}'")
        if node.type == "question" and node.asks and not node.choice("dont_know"):
            report.error(f"{where}: has no dont_know choice")
        ids = [c.id for c in node.choices]
        if len(ids) != len(set(ids)):
            report.error(f"{where}: two choices share an id")
    for key in rules.ASK_ORDER:
        if not flow.for_fact(key):
            report.error(f"rules may ask '{key}' but no question node asks it")
    report.info(f"{len(flow.nodes)} nodes; every fact rules may ask has a question.")


def _fact_value_ok(key: str, value: Any) -> bool:
    """True when rules read ``value`` for ``key`` as a known fact."""
    parsed = parse_facts({key: value}, date.today())
    return getattr(parsed, key, None) is not None


def check_catalogs(flow: Flow, report: Report) -> None:
    """Every key in every language, the same placeholders, no fuzzy or empty entries."""
    report.section("Catalogs")
    needed = required_keys(flow)
    english = catalog.CATALOGS["en"]
    for lang in catalog.LANGS:
        have = catalog.CATALOGS[lang]
        missing = sorted(k for k in needed | set(english) if k not in have)
        for key in missing:
            report.error(f"{lang}: message '{key}' is missing (or fuzzy or empty)")
        for key, text in have.items():
            if key in english and catalog.placeholders(text) != catalog.placeholders(english[key]):
                report.error(f"{lang}: '{key}' placeholders differ from English")
        dynamic = ("syn.", "v.head.", "s.", *AROUND)  # by outcome, relief or reason; bot/
        unused = sorted(k for k in have if k not in needed and not k.startswith(dynamic))
        if unused:
            report.info(f"{lang}: {len(unused)} keys not used by the flow: {', '.join(unused)}")
        report.info(f"{lang}: {len(have)} messages, {len(missing)} missing")


def check_codes(report: Report) -> None:
    """Every outcome, reason, caveat and other-relief code rules can emit is worded."""
    report.section("Rules codes worded")
    for lang in catalog.LANGS:
        absent = sorted(k for k in code_keys() if not catalog.has(lang, k))
        for key in absent:
            report.error(f"{lang}: no wording for rules code '{key}'")
    count = len(codes.REASONS) + len(codes.CAVEATS) + len(codes.OTHER_RELIEF)
    report.info(f"{len(codes.OUTCOMES)} outcomes, {count} reason/caveat/relief codes, "
                f"in {len(catalog.LANGS)} languages")


# --- exploring every path ------------------------------------------------------------------

SAMPLES = measures.SAMPLES  # free text tried besides every choice


@dataclass
class Exploration:
    """What walking every answer of every question found."""

    states: int = 0
    visited: set[str] = field(default_factory=set)
    outcomes: set[str] = field(default_factory=set)
    verdicts: dict[str, set[str]] = field(default_factory=dict)  # lang -> verdict messages
    verdict_facts: dict[str, dict] = field(default_factory=dict)  # the facts of each verdict
    max_depth: int = 0
    dead_ends: list[str] = field(default_factory=list)
    truncated: bool = False


def _answers(node: Node) -> list[str]:
    return [c.id for c in node.choices] + list(SAMPLES.get(node.parse or "", ()))


def explore(flow: Flow = FLOW, *, limit: int = 12000, max_depth: int = 25,
            walks: int = 1500) -> Exploration:
    """Answer every question every way (each choice, sample free text) from the welcome.

    Breadth first over distinct states up to ``limit`` (every short path, all of them),
    then ``walks`` random complete paths (seeded, so runs repeat): each must reach a
    verdict within ``max_depth`` answers.
    """
    found = Exploration()
    start, replies = engine.step(None, {"text": "", "channel": "sms"})
    start, _, _ = engine.pop_signals(start)
    queue: deque[tuple[dict, int]] = deque([(start, 0)])
    seen: set[str] = set()
    while queue:
        state, depth = queue.popleft()
        key = json.dumps([state["node"], state["facts"], sorted(state["hist"])], sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        found.states += 1
        found.max_depth = max(found.max_depth, depth)
        node = flow.nodes[state["node"]]
        found.visited.add(node.id)
        if node.id in {"another", "early_more"}:  # a verdict, or the careful early answer
            found.verdict_facts.setdefault(json.dumps(state["facts"], sort_keys=True),
                                           dict(state["facts"]))
        if node.id == "another":
            continue
        if depth >= max_depth:
            found.dead_ends.append(f"{node.id} after {depth} answers: {state['facts']}")
            continue
        if found.states >= limit:
            found.truncated = True
            break
        answers = _answers(node)
        if not answers:
            found.dead_ends.append(f"{node.id}: no way to answer")
        for text in answers:
            new, replies = engine.step(state, {"text": text, "channel": "sms"})
            new, _, events = engine.pop_signals(new)
            for event in events:
                if event["type"] == "verdict":
                    found.outcomes.add(event["outcome"])
                    for reply in replies:
                        found.verdicts.setdefault("en", set()).add(sms.render(reply))
            queue.append((new, depth + 1))
    _random_walks(flow, start, found, walks, max_depth)
    return found


# Answers the random walks lean to, and how often: they lead to the questions asked
# only after them (a careful answer's "go on", then each disqualifier one by one).
WALK_LEANS = {"early_more": ("yes", 0.8), "which_disqualifier": ("dont_know", 0.7)}


def _random_walks(flow: Flow, start: dict, found: Exploration, walks: int, max_depth: int) -> None:
    rng = random.Random(4)
    for _ in range(walks):
        state = start
        checks = 1 + (rng.random() < 0.3)  # some walks go on to a second conviction
        for depth in range(max_depth * checks + 1):
            node = flow.nodes[state["node"]]
            found.visited.add(node.id)
            if node.id == "early_more":
                found.verdict_facts.setdefault(json.dumps(state["facts"], sort_keys=True),
                                               dict(state["facts"]))
            if node.id == "another":
                found.verdict_facts.setdefault(json.dumps(state["facts"], sort_keys=True),
                                               dict(state["facts"]))
                checks -= 1
                if not checks:
                    break
                state, _ = engine.step(state, {"text": "yes"})
                state, _, _ = engine.pop_signals(state)
                continue
            answers = _answers(node)
            if not answers or depth == max_depth * 2:
                found.dead_ends.append(f"{node.id} after {depth} answers: {state['facts']}")
                break
            leaning = WALK_LEANS.get(node.id)
            if leaning and rng.random() < leaning[1]:
                answers = [leaning[0]]
            state, _ = engine.step(state, {"text": rng.choice(answers)})
            state, _, events = engine.pop_signals(state)
            found.outcomes.update(e["outcome"] for e in events if e["type"] == "verdict")


def _sample_facts() -> Iterable[dict[str, Any]]:
    """A spread of fact sets reaching every outcome and most reasons and caveats."""
    grid = itertools.product(
        ("california", "federal", "other_state", None),
        ("possession", "cultivation", "possession_for_sale", "sale_transport", "other",
         "11530", "11360(b)", None),
        ("2009", "1970", "2018", "2016-12", None),
        ("Los Angeles", "Alpine", "Fresno", None),
        ("felony", "misdemeanor", None),
        (True, False, None),
        (True, False, None),
    )
    for court, offense, when, county, level, serving, flag in grid:
        yield {
            "court": court, "offense": offense, "conviction_date": when, "county": county,
            "level": level, "currently_serving": serving, "sale_to_minor": flag,
            "prior_super_strike": flag, "juvenile": flag is False and serving is None,
            "noncitizen": flag, "age_at_offense": "21_plus" if flag else None,
            "amount": "small" if flag else None,
        }


def verdict_messages() -> dict[str, dict[str, str]]:
    """Every distinct verdict SMS (rendered) for a spread of assessments, by language.

    Maps each language to {rendered body: "outcome/relief"}.
    """
    out: dict[str, dict[str, str]] = {lang: {} for lang in catalog.LANGS}
    another = FLOW.nodes["another"]
    seen: set[str] = set()
    for facts in _sample_facts():
        assessment = rules.assess(facts).to_dict()
        key = json.dumps([assessment, facts.get("county")], sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        county = rules.counties.normalize_county(facts.get("county") or "")
        tag = f"{assessment['outcome']}/{assessment['relief']}"
        for lang in catalog.LANGS:
            labels = [catalog.text(lang, c.label) for c in another.choices]
            texts = verdict.compose(lang, assessment, county,
                                    ask=catalog.text(lang, another.ask or ""), labels=labels)
            for n, text in enumerate(texts):
                choices = [{"label": x} for x in labels] if n == len(texts) - 1 else []
                out[lang][sms.render({"text": text, "choices": choices})] = tag
    return out


def check_paths(flow: Flow, report: Report) -> Exploration:
    """Every node reachable; every path of answers ends in a verdict."""
    report.section("Paths (every answer to every question, from the welcome)")
    found = explore(flow)
    command_nodes = {"confirm_delete", "erased", "end", "welcome", "verdict"}
    for node_id in flow.nodes:
        if node_id not in found.visited and node_id not in command_nodes:
            report.error(f"node '{node_id}' is never reached")
    for dead in found.dead_ends[:10]:
        report.error(f"path does not end in a verdict: {dead}")
    outcomes = ", ".join(sorted(found.outcomes))
    report.info(f"{found.states} distinct states explored breadth first (every path of up to "
                f"{found.max_depth - 1} answers), then 1500 random complete paths (some on to "
                f"a second conviction); every one ends in a verdict. Outcomes: {outcomes}")
    report.info("reached through global commands: confirm_delete (DELETE/BORRAR), erased, "
                "end (No at 'check another')")
    missing = set(codes.OUTCOMES) - found.outcomes
    if missing:
        report.error(f"outcomes no path reaches: {', '.join(sorted(missing))}")
    return found


def check_verdict_floor(flow: Flow, report: Report, found: Exploration) -> None:
    """Every reachable verdict's required parts fit in the flow's ``verdict_floor``: the
    engine asks a question only while such a verdict still fits in the check's budget."""
    floor = flow.verdict_floor
    report.section(f"Every reachable verdict's required parts (budget {floor} SMS segments, "
                   f"with the question after it)")
    most, seen = 0, 0
    for facts in found.verdict_facts.values():
        assessment = rules.assess(facts).to_dict()
        county = rules.counties.normalize_county(facts.get("county") or "")
        for then in ("another", "early_more"):
            node = flow.nodes[then]
            for lang in catalog.LANGS:
                key = f"{node.ask}.sms" if catalog.has(lang, f"{node.ask}.sms") else node.ask
                labels = [catalog.text(lang, c.label) for c in node.choices]
                cost = verdict.required_segments(lang, assessment, county,
                                                 catalog.text(lang, key or ""), labels)
                seen, most = seen + 1, max(most, cost)
                if cost > floor:
                    report.error(f"{lang} {then}: {cost} segments required for {facts}")
    report.info(f"{seen} verdicts (every fact set the paths reached, each language, after a "
                f"check and as the careful early answer): the most {most} segments")


# --- SMS budget -----------------------------------------------------------------------------

SAMPLE_PARAMS = {"county": "San Bernardino", "contact": "(323) 760-6763",
                 "where": ": (323) 760-6763"}


def standalone_messages(flow: Flow) -> list[tuple[str, list[str] | None]]:
    """Messages sent as whole SMS: (key, choice label keys or None)."""
    found: dict[str, list[str] | None] = {}
    for node in flow.nodes.values():
        key = node.ask or node.say
        if key:
            found[key] = [c.label for c in node.choices]
            for variant in catalog.CATALOGS["en"]:  # wordings by kind of case (key.kind)
                if variant.startswith(f"{key}."):
                    found[variant] = [c.label for c in node.choices]
    for key in ENGINE_KEYS:
        found.setdefault(key, None)
    for key in catalog.CATALOGS["en"]:  # answers to questions, channel wordings
        if key.startswith("a.") or key.endswith(".sms"):
            found.setdefault(key, None)
    return list(found.items())


def _row(lang: str, key: str, labels: list[str] | None) -> tuple[str, sms.Encoded, str]:
    text = catalog.text(lang, key, **SAMPLE_PARAMS)
    words = [catalog.text(lang, label) for label in labels or []]
    raw = sms.encode_info(sms.body(text, words))
    sent = sms.encode_info(sms.render({"text": text, "choices": [{"label": w} for w in words]}))
    note = "accents kept" if raw == sent else f"{raw.encoding} {raw.segments} seg -> folded"
    return text, sent, note


def check_sms(flow: Flow, report: Report) -> None:
    """Each message's encoding and segments as sent by SMS; none over the budget."""
    budget = int(flow.budgets.get("sms_segments_per_message", 2))
    report.section(f"SMS: every message as sent (budget {budget} segments a message)")
    report.info(f"Policy: {sms.POLICY}")
    report.info(f"{'key':34} {'lang':4} {'encoding':8} {'units':>5} {'seg':>3}  note")
    for key, labels in standalone_messages(flow):
        for lang in catalog.LANGS:
            _, sent, note = _row(lang, key, labels)
            report.info(f"{key:34} {lang:4} {sent.encoding:8} {sent.units:5} {sent.segments:3}  "
                        f"{note}")
            if sent.segments > budget:
                report.error(f"{lang}: '{key}' takes {sent.segments} segments")
    for lang, bodies in verdict_messages().items():
        worst = max(bodies, key=lambda b: sms.segments(b))
        encodings = sorted({sms.encode_info(b).encoding for b in bodies})
        report.info(f"{'verdict messages':34} {lang:4} {'/'.join(encodings):8} "
                    f"{sms.encode_info(worst).units:5} {sms.segments(worst):3}  "
                    f"{len(bodies)} distinct verdict messages; the longest shown")
        for body, tag in bodies.items():
            if sms.segments(body) > budget:
                report.error(f"{lang}: a verdict message ({tag}) takes {sms.segments(body)} "
                             f"segments: {body[:60]!r}")


# Spanish words whose SMS-folded form (á í ó ú without the accent) is another word or a
# misspelling people notice (shared/domain/spanish-review.md, rules for SMS). They must not
# appear in Spanish text people read: the catalog says it another way (docs/flows.md).
FOLD_TRAPS = {
    "más": "mas (but)", "tenía": "tenia (tapeworm)", "tenían": "tenian", "público": "publico "
    "(I publish)", "cómo": "como (like, I eat)", "escríbanos": "escribanos (notaries)",
    "límite": "limite (I limit)", "aún": "aun (even)", "está": "esta (this)", "están": "estan",
    "anuló": "anulo (I annul)", "bajó": "bajo (low, I go down)", "borró": "borro (I erase)",
    "pasó": "paso (I pass)", "compró": "compro (I buy)", "actualizó": "actualizo (I update)",
    "trató": "trato (I try)", "perdón": "perdon", "entendí": "entendi", "todavía": "todavia",
    "quizás": "quizas", "pídalo": "pidalo", "debió": "debio", "vendió": "vendio (I sell)",
    "recibió": "recibio", "encontró": "encontro",
}


VOICE_TEXTED = ("voice.link_sms", "voice.sms_header", "voice.sms_footer")  # sent by SMS


def check_folding(report: Report) -> None:
    """No Spanish message people read uses a word that folding turns into another."""
    report.section("Spanish SMS folding: words that would change or read as mistakes")
    report.info("watched: " + ", ".join(f"{w} -> {f}" for w, f in FOLD_TRAPS.items()))
    for key, text in sorted(catalog.CATALOGS["es"].items()):
        if key.startswith(("syn.", "cmd.", "ui.", "telegram.")) or key.endswith((".web",
                                                                               ".telegram")):
            continue  # what people type is read without accents; web and Telegram never fold
        if (key.endswith(".voice") or key.startswith("voice.")) and key not in VOICE_TEXTED:
            continue  # said on a call, never folded
        words = {w.lower() for w in re.findall(r"\w+", text)}
        for word in sorted(words & set(FOLD_TRAPS)):
            report.error(f"es: '{key}' uses '{word}', which SMS folding makes "
                         f"'{FOLD_TRAPS[word]}'")


# --- the words around the conversation (bot/wording.py) ---------------------------------

NOTICE_SEGMENTS = 1  # a notice (slow down, try later) costs one SMS segment
UNKNOWN_LANG_NOTICES = ("notice.unavailable",)  # Redis is down: sent in every language
TELEGRAM_DESCRIPTION = (1, 256)  # the Bot API's bounds for a command's description


def check_around(report: Report) -> None:
    """Page text, notices and Telegram commands: counted by family; each notice within one
    SMS segment as sent (alone, and in every language when the language is not known);
    each Telegram command description within the Bot API's bounds. Every key in every
    language with the same placeholders is :func:`check_catalogs`' part."""
    report.section("Words around the conversation (ui.*, notice.*, telegram.command.*)")
    english = catalog.CATALOGS[catalog.DEFAULT_LANG]
    for family in AROUND:
        report.info(f"{family}*: {sum(k.startswith(family) for k in english)} messages")
    for key in sorted(k for k in english if k.startswith("notice.")):
        bodies = {lang: catalog.text(lang, key) for lang in catalog.LANGS}
        if key in UNKNOWN_LANG_NOTICES:
            bodies["all"] = catalog.in_every_language(key)
        for lang, text in bodies.items():
            sent = sms.encode_info(sms.render({"text": text, "choices": []}))
            report.info(f"{key:34} {lang:4} {sent.encoding:8} {sent.units:5} {sent.segments:3}")
            if sent.segments > NOTICE_SEGMENTS:
                report.error(f"{lang}: '{key}' takes {sent.segments} SMS segments, "
                             f"not {NOTICE_SEGMENTS}")
    low, high = TELEGRAM_DESCRIPTION
    for key in sorted(k for k in english if k.startswith("telegram.command.")):
        for lang in catalog.LANGS:
            if not low <= len(catalog.text(lang, key)) <= high:
                report.error(f"{lang}: '{key}' must be {low} to {high} characters (Bot API)")


# --- typical complete checks ---------------------------------------------------------------


def run_path(texts: list[str], channel: str = "sms") -> dict[str, Any]:
    """Send ``texts``; count what was sent back.

    ``segments`` counts each reply as its own SMS; ``joined_segments`` counts the replies
    of each step joined into one body (as a channel that sends one SMS a step does).
    """
    state: dict | None = None
    out: dict[str, Any] = {"replies": 0, "segments": 0, "joined_segments": 0, "verdicts": 0}
    for text in texts:
        state, replies = engine.step(state, {"text": text, "channel": channel})
        state, _, events = engine.pop_signals(state)
        out["verdicts"] += sum(e["type"] == "verdict" for e in events)
        bodies = [sms.render(r) for r in replies]
        out["replies"] += len(replies)
        out["segments"] += sum(sms.segments(b) for b in bodies)
        out["joined_segments"] += sms.segments("\n\n".join(bodies))
    out["state"] = state
    return out


def typical_numbers(flow: Flow = FLOW) -> dict[str, dict[str, dict[str, int]]]:
    """For each language and typical path: messages from the person, replies, segments."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    for lang, paths in (flow.budgets.get("typical") or {}).items():
        for name, texts in paths.items():
            run = run_path(list(texts))
            out.setdefault(lang, {})[name] = {
                "received": len(texts), "replies": run["replies"], "segments": run["segments"],
                "joined_segments": run["joined_segments"], "verdicts": run["verdicts"],
            }
    return out


def check_typical(flow: Flow, report: Report) -> None:
    """A complete single-conviction check: messages and segments, each language."""
    most_in, most_seg = flow.check_budget
    report.section(f"Typical complete checks (budget: {most_in} messages from the person, "
                   f"{most_seg} segments sent)")
    for lang, paths in typical_numbers(flow).items():
        for name, n in paths.items():
            report.info(f"{lang} {name:32} person {n['received']} msgs; bot {n['replies']} "
                        f"replies, {n['segments']} segments ({n['joined_segments']} if each "
                        f"step's replies go as one SMS)")
            if not n["verdicts"]:
                report.error(f"{lang} {name}: the path does not reach a verdict")
            worst = max(n["segments"], n["joined_segments"])
            if n["received"] > most_in or worst > most_seg:
                report.error(f"{lang} {name}: over budget ({n['received']} msgs, {worst} seg)")


def check_voice(flow: Flow, report: Report) -> None:
    """Each typical check as a phone call: its estimated spoken length, each language."""
    most = voice.MAX_SECONDS
    report.section(f"Typical checks by voice (budget: {most} s spoken, at "
                   f"{voice.WORDS_PER_MINUTE} words a minute)")
    for lang, paths in voice.typical_seconds(flow).items():
        for name, secs in paths.items():
            report.info(f"{lang} {name:32} {secs:.0f} s ({secs / 60:.1f} min) said by the call, "
                        f"welcome to verdict and menu, the verdict at {voice.SLOW:.0%} speed")
            if secs > most:
                report.error(f"{lang} {name}: {secs:.0f} s spoken, over {most} s")


# --- reading level ---------------------------------------------------------------------------


def english_texts(flow: Flow = FLOW) -> dict[str, str]:
    """Every English message people read (not synonyms or commands), placeholders filled."""
    skip = ("syn.", "cmd.", "c.", "v.where", "s.")
    return {
        key: catalog.text("en", key, **SAMPLE_PARAMS)
        for key in catalog.CATALOGS["en"]
        if not key.startswith(skip)
    }


def reading_grade(flow: Flow = FLOW) -> tuple[float, float, list[tuple[float, str]]]:
    """Flesch-Kincaid grade and Flesch reading ease of all English text; hardest messages."""
    import textstat

    # "en-US" makes textstat count syllables with Pyphen's US English dictionary; plain
    # "en" wants NLTK's CMU dictionary, a download that fresh (offline) machines lack.
    textstat.set_lang("en-US")
    texts = english_texts(flow)
    whole = " ".join(texts.values())
    hardest = sorted(
        ((textstat.flesch_kincaid_grade(t), k) for k, t in texts.items() if len(t.split()) >= 8),
        reverse=True,
    )[:5]
    return textstat.flesch_kincaid_grade(whole), textstat.flesch_reading_ease(whole), hardest


def check_reading(flow: Flow, report: Report) -> None:
    """English at about a 6th-grade reading level."""
    limit = float(flow.budgets.get("max_reading_grade", 7.0))
    report.section(f"English reading level (budget: grade {limit})")
    try:
        grade, ease, hardest = reading_grade(flow)
    except ImportError:  # a run install (./run.sh) has no textstat: the rest still checks
        report.info("skipped: textstat is not installed (it comes with the test extra: "
                    ".venv/bin/python -m pip install -e '.[test]')")
        return
    report.info(f"Flesch-Kincaid grade {grade:.1f}; Flesch reading ease {ease:.0f} "
                f"(textstat, all {len(english_texts(flow))} English messages)")
    report.info("hardest messages: " + "; ".join(f"{k} {g:.1f}" for g, k in hardest))
    if grade > limit:
        report.error(f"English reading grade {grade:.1f} is above {limit}")


def check_flows() -> tuple[bool, str]:
    """Run every check; return whether all passed and the report to print."""
    report = Report()
    for flow in [FLOW]:
        check_structure(flow, report)
        check_catalogs(flow, report)
        check_codes(report)
        check_verdict_floor(flow, report, check_paths(flow, report))
        check_sms(flow, report)
        check_folding(report)
        check_around(report)
        check_typical(flow, report)
        check_voice(flow, report)
        measures.check_transcripts(flow, report)
        measures.check_every_path(flow, report)
        measures.check_lexicons(report)
        measures.check_understanding(report)
        check_reading(flow, report)
    return report.ok, report.text()
