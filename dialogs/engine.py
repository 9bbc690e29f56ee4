"""The dialog engine: a pure ``step(state, event) -> (state, replies)``.

State is a small JSON-ready dict (see ``docs/flows.md``). Each step reads the event's
text, applies a global command or answers the current question, asks ``rules`` what
is still missing, and returns the replies. Signals for the channel (``effects``,
``events``) ride in the returned state for this step only; ``pop_signals`` takes them.
"""

from __future__ import annotations

import re
import zlib
from datetime import date
from typing import Any, Final

import rules

from . import answers, catalog, reader, sayback, sms, verdict
from .flow import ASSESS, MAIN, Node
from .understand import command, exact_answer, is_thanks, looks_spanish, read_county, understand

FLOW: Final = MAIN
VERSION: Final = FLOW.version
MAX_DONE: Final = 5  # convictions kept for the end-of-session summary
SIGNAL_KEYS: Final = ("effects", "events")
FOLLOW_UPS: Final = frozenset(  # follow-up questions whose choices set facts (BACK can undo them)
    n.id for n in FLOW.nodes.values()
    if n.type == "question" and not n.asks and any(x.set for x in n.choices)
)
_REF: Final = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_NODES: Final = frozenset(FLOW.nodes) | {"stopped", "welcome"}
ESSENTIALS: Final = ("county", "conviction_date", "offense")  # two don't-knows here: answer early
DOUBLE_SEND_SECONDS: Final = 10  # the same text again this soon is a double tap: taken once
MAX_UNDO: Final = 8
SEGMENTS_PER_CHECK: Final = FLOW.check_budget[1]  # SMS segments a check may send, verdict included
# Questions inside a check, which must leave room for a verdict (see ``_affordable``).
_IN_CHECK: Final = frozenset(n.id for n in FLOW.nodes.values() if n.type == "question") - {
    "another", "early_more", "confirm_delete"}
_NODE_IDS: Final = frozenset(FLOW.nodes)
_PENDING: Final = (None, *rules.sections.SECTION_BY_KIND)  # compared, not hashed
_FRESH: Final = ("welcome", "erased")  # nodes where the next message starts a new conversation
_NOT_STALE: Final = (None, *_FRESH)  # a state at these nodes (or none) is not a stale one
_BY_KIND: Final = frozenset(  # questions worded by kind of case too (q.disqualifiers.cultivation)
    n.ask for n in FLOW.nodes.values()
    if n.ask and any(k.startswith(f"{n.ask}.") for k in catalog.CATALOGS[catalog.DEFAULT_LANG])
)


CHANNEL_WORDS: dict[str | None, dict[str, str]] = {  # channel -> {key: "key.channel"}
    channel: {k.rsplit(".", 1)[0]: k for k in catalog.CATALOGS[catalog.DEFAULT_LANG]
              if k.endswith(f".{channel}")}
    for channel in ("sms", "telegram", "web", "voice", "whatsapp")
}
CHANNEL_WORDS["cli"] = CHANNEL_WORDS["sms"]  # `clearline chat` numbers choices as SMS does
# WhatsApp shows numbered choices like SMS: the SMS words, unless it has its own.
CHANNEL_WORDS["whatsapp"] = {**CHANNEL_WORDS["sms"], **CHANNEL_WORDS["whatsapp"]}


def _worded(lang: str, channel: str | None) -> dict[str, str]:
    """Every message with nothing to fill, as ``Turn.t`` words it in ``lang`` on ``channel``
    (made once at import from the fixed catalogs: a lookup per message, not a format)."""
    words = CHANNEL_WORDS.get(channel, {})
    keys = {k for catalog_keys in catalog.CATALOGS.values() for k in catalog_keys}
    return {key: text for key in keys
            if "{" not in (text := catalog.raw(lang, words.get(key, key))) and "}" not in text}


WORDED: Final = {(lang, channel): _worded(lang, channel)
          for lang in catalog.LANGS for channel in (None, *CHANNEL_WORDS)}
# Each question's choices as worded, by language, channel, node and kind of case (made at
# import: see ``_choice_table``).
CHOICES: Final[dict[tuple[str, str | None, str, str | None], tuple[tuple[str, str], ...]]] = {}


class Turn:
    """What one step produces: replies, effects and stat events."""

    def __init__(self, state: dict[str, Any], today: date, channel: str | None = None) -> None:
        self.state = state
        self.today = today
        self.channel = channel
        self.replies: list[dict[str, Any]] = []
        self.effects: list[str] = []
        self.events: list[dict[str, Any]] = []

    @property
    def lang(self) -> str:
        return self.state.get("lang", catalog.DEFAULT_LANG)

    def key(self, key: str) -> str:
        """``key``, or its channel's own variant when the catalog has one (``key.sms``)."""
        return CHANNEL_WORDS.get(self.channel, {}).get(key, key)

    def t(self, key: str, **params: Any) -> str:
        """The message ``key``, in the channel's own words when it has them (``key.sms``)."""
        lang = self.state.get("lang", catalog.DEFAULT_LANG)
        worded = WORDED.get((lang, self.channel if self.channel in CHANNEL_WORDS else None))
        found = worded.get(key) if worded is not None else None
        return found if found is not None else catalog.text(lang, self.key(key), **params)

    def say(self, text: str, choices: list[dict[str, str]] | None = None,
            kind: str | None = None) -> None:
        reply: dict[str, Any] = {"text": text, "choices": choices or []}
        if kind:
            reply["kind"] = kind  # "cite": small print the web shows under the verdict
        self.replies.append(reply)

    def choices(self, node: Node) -> list[dict[str, str]]:
        kind = _offense_kind(self.state)
        made = CHOICES.get((self.lang, self.channel, node.id, kind))
        if made is None:
            shown = node.for_kind(kind).choices
            return [{"id": c.id, "label": self.t(c.label)} for c in shown]
        return [{"id": choice_id, "label": label} for choice_id, label in made]


# --- state ---------------------------------------------------------------------


def new_state(lang: str = catalog.DEFAULT_LANG, ref: str | None = None) -> dict[str, Any]:
    """A fresh conversation's state."""
    state: dict[str, Any] = {"v": VERSION, "lang": lang, "node": "welcome", "facts": {},
                             "hist": [], "done": [], "miss": 0}
    if ref:
        state["ref"] = ref
    return state


def is_valid(state: Any) -> bool:
    """True for a state this version of the engine can continue."""
    if not isinstance(state, dict) or state.get("v") != VERSION:
        return False
    hist, done, undo = state.get("hist", []), state.get("done", []), state.get("undo", [])
    return (
        state.get("lang") in catalog.LANGS
        and state.get("node") in _NODES
        and isinstance(state.get("facts", {}), dict)
        and isinstance(hist, list) and _NODE_IDS.issuperset(hist)
        and isinstance(done, list) and all(isinstance(d, dict) for d in done)
        and isinstance(state.get("miss", 0), int)
        and isinstance(state.get("seg", 0), int)
        and isinstance(undo, list) and all(_undo_ok(u) for u in undo)
        and state.get("pend") in _PENDING
    )


def _undo_ok(entry: Any) -> bool:
    """One BACK record: the node and the facts it replaced."""
    return isinstance(entry, dict) and isinstance(entry.get("f"), dict) \
        and isinstance(entry.get("n"), str)


def _copy(state: dict[str, Any]) -> dict[str, Any]:
    """A copy deep enough that the caller's state is never changed."""
    out = _without_signals(state)
    out["facts"] = dict(state.get("facts", {}))
    out["hist"] = list(state.get("hist", []))
    out["done"] = [dict(d) for d in state.get("done", [])]
    if isinstance(state.get("undo"), list):
        out["undo"] = [{"n": u.get("n"), "f": dict(u.get("f") or {})}
                       for u in state["undo"] if isinstance(u, dict)]
    if isinstance(state.get("last"), list):
        out["last"] = list(state["last"])
    out.setdefault("miss", 0)
    return out


def _without_signals(state: dict[str, Any]) -> dict[str, Any]:
    """A shallow copy of ``state`` without this step's signals."""
    out = dict(state)
    for key in SIGNAL_KEYS:
        out.pop(key, None)
    return out


def pop_signals(state: dict[str, Any]) -> tuple[dict[str, Any], list[str], list[dict]]:
    """Split a returned state into what to save, the effects and the stat events."""
    clean = _without_signals(state)
    return clean, list(state.get("effects") or []), list(state.get("events") or [])


# --- the step ------------------------------------------------------------------


def step(state: Any, event: Any) -> tuple[dict, list[dict]]:
    """Advance one conversation by one incoming message. Pure; never raises on input."""
    event = event if isinstance(event, dict) else {}
    text = event.get("text")
    text = text[:4000] if isinstance(text, str) else ""
    channel = event.get("channel") if isinstance(event.get("channel"), str) else None
    ref = event.get("ref") if isinstance(event.get("ref"), str) else None
    when = event.get("time") if isinstance(event.get("time"), int | float) else None
    today = date.today()

    if isinstance(state, dict) and is_valid(state) and state.get("node") not in _FRESH:
        turn = Turn(_copy(state), today, channel)
        double = _double_send(state, text, when)
        if double:
            _reprompt(turn)  # taken once: the question waiting is said again, nothing changes
        else:
            _continue(turn, text)
    else:
        double = False
        old_lang = state.get("lang") if isinstance(state, dict) else None
        stale = isinstance(state, dict) and state.get("node") not in _NOT_STALE
        lang = old_lang if old_lang in catalog.LANGS else _hinted_lang(event.get("lang"))
        turn = Turn(new_state(lang, ref if ref and _REF.match(ref) else None), today, channel)
        _begin(turn, text, stale)
    if when is not None and not double:
        turn.state["last"] = [_fingerprint(text), int(when)]

    if channel == "sms":
        turn.replies = sms.fold_turn(turn.replies, WORDING_SIZES)
    out = turn.state
    out["effects"] = turn.effects
    out["events"] = turn.events
    return out, turn.replies


def _hinted_lang(hint: object) -> str:
    """The language a channel says the person uses (Telegram's ``language_code``)."""
    if isinstance(hint, str) and hint.lower().startswith("es"):
        return "es"
    return catalog.DEFAULT_LANG


def _fingerprint(text: str) -> int:
    """A short checksum of a message (the text itself is never kept)."""
    return zlib.crc32(" ".join(text.casefold().split()).encode("utf-8"))


def _double_send(state: dict[str, Any], text: str, when: float | None) -> bool:
    """The same text from the same person again within a few seconds: a double tap."""
    last = state.get("last")
    if when is None or not isinstance(last, list) or len(last) != 2 or not text.strip():
        return False
    return last[0] == _fingerprint(text) and 0 <= when - last[1] < DOUBLE_SEND_SECONDS


def _begin(turn: Turn, text: str, stale: bool) -> None:
    """A new conversation (or one that cannot go on): welcome, then the first question."""
    reading = reader.read(text, turn.today)
    cmd = command(text, FLOW) or (reading.command if reading.empty else None)
    if cmd == "opt_out":
        _stop(turn)
        return
    if cmd == "spanish" or (cmd != "english" and (looks_spanish(text)
                                                  or reader.guess_lang(text) == "es")):
        turn.state["lang"] = "es"
    elif cmd == "english":
        turn.state["lang"] = "en"
    if cmd == "opt_in":
        turn.effects.append("opt_in")
    turn.events.append({"type": "started"})
    if stale:
        _say_counted(turn, turn.t("stale"))
    _say_counted(turn, turn.t("welcome"))
    if not reading.empty:  # a first message that already says what happened
        turn.state["node"] = "court"
        _take_facts(turn, FLOW.nodes["court"], reading)
        return
    if reading.question:  # "is this free?" as the very first message
        turn.say(answers.answer(turn.lang, reading.question, {}, turn.today))
    _go(turn, ASSESS)


def _continue(turn: Turn, text: str) -> None:
    st = turn.state
    cmd = command(text, FLOW)
    if st["node"] == "stopped":
        if cmd == "opt_in":  # only START / UNSTOP: "yes" must not re-subscribe (carrier rules)
            turn.effects.append("opt_in")
            lang = st["lang"]
            turn.state = new_state(lang, st.get("ref"))
            turn.events.append({"type": "started"})
            _say_counted(turn, f'{turn.t("opted_in")} {turn.t("welcome")}')
            _go(turn, ASSESS)
        elif cmd == "help":  # carriers expect HELP to be answered even after STOP
            turn.say(f'{turn.t("help")} {turn.t("still_stopped")}')
        elif cmd == "delete":  # STOP kept nothing of the answers
            turn.say(f'{turn.t("already_erased")} {turn.t("still_stopped")}')
        else:
            turn.say(turn.t("still_stopped"))
        return
    if cmd is not None:
        _command(turn, cmd)
        return
    node = FLOW.nodes[st["node"]].for_kind(_offense_kind(st))
    exact = exact_answer(node, text)
    if exact is not None:
        _answered(turn, node, exact)
        return
    reading = reader.read(text, turn.today, _cannabis_known(st), _expects(node))
    if reading.command and (reading.empty or reading.command in {"english", "spanish"}):
        _command(turn, reading.command)
        if reading.empty:
            return
        turn.replies.clear()
        turn.say(turn.t("lang_switched"))
        node = FLOW.nodes[turn.state["node"]]
    if not reading.empty and _adds_nothing(st, reading):  # "i dont remember, maybe possession"
        if any(f.cat == "dont_know" for f in reading.found) and node.choice("dont_know"):
            _answered(turn, node, _dont_know(node))
            return
        reading = reader.Reading(command=reading.command, question=reading.question,
                                 code_unknown=reading.code_unknown)
    if not reading.empty:
        if node.id in {"another", "end"} and set(reading.facts) <= {"county", "court"} and \
                _after_check(turn, text):
            return
        if node.id in {"another", "end"}:
            _close_check(turn)
            st.pop("thx", None)
        _take_facts(turn, node, reading, leading=_leading_choice(node, text))
        return
    if reading.code_unknown and node.id == "offense":
        _reprompt(turn, turn.t("offense_plain"))
        return
    if reading.question:
        _answer_question(turn, reading.question)
        return
    answer = understand(node, text, turn.today)
    if answer is None and node.id in {"another", "end"} and _after_check(turn, text):
        return
    if answer is None and st["lang"] == "en" and not st["hist"] and looks_spanish(text):
        st["lang"] = "es"  # "hola" after an English welcome (a web page opened first)
        _reprompt(turn, turn.t("lang_switched"))
        return
    if answer is None:
        _miss(turn, node, text)
        return
    kind = answer.facts.get("offense") if node.id == "offense" else None
    if kind in rules.sections.SECTION_BY_KIND and not _cannabis_known(st):
        st["pend"] = kind  # a charge word in a sentence, no drug named: ask once
        _go(turn, "cannabis_check")
        return
    _answered(turn, node, answer)


def _adds_nothing(state: dict[str, Any], reading: reader.Reading) -> bool:
    """Every fact the message carries is one we already have (and nothing else to ask)."""
    known = state["facts"]
    return (all(known.get(k) == v for k, v in reading.facts.items())
            and not reading.charge and not reading.split and not reading.nevada)


def _dont_know(node: Node) -> Any:
    return exact_answer(node, "?")


def _answered(turn: Turn, node: Node, answer: Any) -> None:
    """Apply an answer to the current question (a choice, or its parser's reading)."""
    st = turn.state
    st["miss"] = 0
    if node.asks or node.id in FOLLOW_UPS:
        _record(turn, node.id, answer.facts)
        st["hist"].append(node.id)
        if node.id == "cannabis_check" and answer.choice and answer.choice.id == "yes":
            _record(turn, node.id, {"offense": st.get("pend") or "unknown"})
        st.pop("pend", None) if node.id == "cannabis_check" else None
        if _count_dont_know(turn, node, answer.facts):
            return
    action = answer.choice.do if answer.choice else None
    if action == "new_check":
        _close_check(turn)
        _say_counted(turn, turn.t("next_check"))
        _go(turn, ASSESS)
    elif action == "finish":
        _close_check(turn)
        _finish(turn)
    elif action == "erase":
        _erase(turn)
    elif action == "same_place":
        _record(turn, node.id, {"court": "california", "county": _last_county(st)})
        _go(turn, ASSESS)
    elif action == "resume":
        st["node"] = st.pop("prev", None) or "welcome"
        _reprompt(turn)
    else:
        note = answer.note
        prefix = turn.t(answer.note_key, county=note, year=note) if note else ""
        _go(turn, answer.next or node.next or ASSESS, prefix)


# --- facts from sentences ---------------------------------------------------------


def _cannabis_known(state: dict[str, Any]) -> bool:
    """The conversation so far named cannabis (or a cannabis section, or a cannabis kind)."""
    if state.get("cann"):
        return True
    kind = _offense_kind(state)
    return kind in rules.sections.SECTION_BY_KIND


def _expects(node: Node) -> str | None:
    """The fact a bare number answers at this question."""
    return {"year": "conviction_date", "age": "age_at_offense"}.get(node.parse or "")


def _leading_choice(node: Node, text: str) -> Any:
    """A yes/no said first ("no, and it was a felony"), as an answer to this question."""
    first = text.strip().split(maxsplit=1)
    if len(first) < 2 or not node.choices:
        return None
    return exact_answer(node, first[0].strip(",.!;:"))


def _record(turn: Turn, node_id: str, facts: dict[str, Any]) -> None:
    """Set facts, remembering what they replaced so BACK can undo this message."""
    st = turn.state
    changed = {k: st["facts"].get(k) for k, v in facts.items() if st["facts"].get(k) != v}
    if not changed:
        return
    st["facts"].update(facts)
    undo = st.setdefault("undo", [])
    undo.append({"n": node_id, "f": changed})
    del undo[:-MAX_UNDO]


def _take_facts(turn: Turn, node: Node, reading: reader.Reading, leading: Any = None) -> None:
    """Record every fact a message carried, say them back, then ask what is still missing."""
    st = turn.state
    st["miss"] = 0
    if reading.cannabis:
        st["cann"] = 1
    known = st["facts"]
    corrects = any(k in known and known[k] != v for k, v in reading.facts.items())
    facts = dict(reading.facts)
    if leading is not None and not corrects and not (set(node.asks) & set(facts)):
        facts = {**leading.facts, **facts}
        st["hist"].append(node.id)
    new = {k: v for k, v in facts.items() if known.get(k) != v}
    _record(turn, node.id, facts)
    if set(node.asks) & set(facts) and node.id not in st["hist"]:
        st["hist"].append(node.id)
    asked = set(node.asks) | {"court"} | ({"county"} if node.parse == "county" else set())
    careful = new.get("offense") in {"other", "conspiracy", "accessory"}  # say why
    plain = set(new) <= asked and not (reading.guessed or reading.year_note or reading.mislabel
                                       or careful)
    prefix = "" if plain else sayback.line(turn.lang, new, reading)  # a plain answer: no echo
    if reading.charge and "offense" not in known:
        st["pend"] = reading.charge
        _go(turn, "cannabis_check", prefix)
    elif reading.split and "conviction_date" not in facts:
        _go(turn, "year_split", prefix)
    elif reading.nevada and "county" not in known:
        _go(turn, "nevada_which", prefix)
    else:
        _go(turn, ASSESS, prefix)


def _count_dont_know(turn: Turn, node: Node, facts: dict[str, Any]) -> bool:
    """After two don't-knows on where, when and what: the careful answer now (True)."""
    st = turn.state
    if not any(facts.get(k) == "unknown" for k in ESSENTIALS) or st.get("early"):
        return False
    st["dk"] = st.get("dk", 0) + 1
    if st["dk"] < 2:
        return False
    _answer_early(turn, rules.assess(st["facts"], today=turn.today).to_dict())
    return True


def _answer_early(turn: Turn, assessment: dict[str, Any], prefix: str = "") -> None:
    """The careful answer from what is known so far, then an offer to go on."""
    turn.state["early"] = 1
    _verdict(turn, assessment, prefix, stats=False, then=FLOW.nodes["early_more"])


def _answer_question(turn: Turn, topic: str) -> None:
    """Answer a question asked in the middle of a check, then carry on where we were."""
    st = turn.state
    turn.say(answers.answer(turn.lang, topic, st["facts"], turn.today, st.get("done")))
    node = FLOW.nodes.get(st["node"])
    if node is not None and node.id in {"another", "end"}:
        turn.say(turn.t("a.then"), turn.choices(node))
        return
    _reprompt(turn)


def _after_check(turn: Turn, text: str) -> bool:
    """After a verdict or the goodbye: thanks and a county name (True when handled).

    "Thanks" after a verdict ends the session; after the goodbye it gets one short
    answer, then silence (each reply is a paid SMS). A county name starts the next
    check there.
    """
    st = turn.state
    if is_thanks(text):
        if st["node"] == "another":
            _close_check(turn)
            _finish(turn)
        elif not st.get("thx"):
            st["thx"] = 1
            turn.say(turn.t("thanks_reply"))
        return True
    found = read_county(FLOW.nodes["county"], text, turn.today)
    name = found.facts.get("county") if found else None
    if not name or found is None or found.facts.get("court", "california") != "california":
        return False
    _close_check(turn)
    st.pop("thx", None)
    _record(turn, "county", {"court": "california", "county": name})
    _go(turn, ASSESS, turn.t("next_check_in", county=name))
    return True


# --- moving through the flow ----------------------------------------------------


def _go(turn: Turn, target: str, prefix: str = "") -> None:
    """Move to ``target`` (a node id, or ``assess``) and ask it."""
    assessment = None
    st = turn.state
    if target == ASSESS and not st["facts"] and not st["hist"] and not st["done"]:
        target = FIRST_QUESTION  # a new check with nothing known: always this question
    if target == ASSESS:
        assessment = rules.assess(st["facts"], today=turn.today)
        node = _next_question(st, assessment.missing_in_order())
        if node is None:
            _verdict(turn, assessment.to_dict(), prefix)
            return
        target = node.id
    node = FLOW.nodes[target]
    messages = _question(turn, node, prefix)
    cost = sum(segments for _, _, segments in messages)
    if node.id in _IN_CHECK and not _affordable(turn.state, cost):
        assessment = assessment or rules.assess(turn.state["facts"], today=turn.today)
        _answer_early(turn, assessment.to_dict(), prefix)
        return
    turn.state["node"] = node.id
    if node.type == "question":
        turn.events.append({"type": "asked", "node": node.id})
    turn.state["seg"] = turn.state.get("seg", 0) + cost
    for text, choices, _ in messages:
        turn.say(text, choices)


def _affordable(state: dict[str, Any], cost: int) -> bool:
    """A question of ``cost`` SMS segments still leaves room in the check for a verdict.

    Every verdict's required parts fit in the flow's ``verdict_floor`` (checked by
    ``clearline flows check``), so asking only while this holds keeps every check,
    whatever path it takes, within ``SEGMENTS_PER_CHECK``.
    """
    return state.get("seg", 0) + cost + FLOW.verdict_floor <= SEGMENTS_PER_CHECK


def _segments(text: str, choices: list[dict[str, str]] | None = None) -> int:
    """SMS segments a message takes as sent (its cheapest form, choices numbered)."""
    labels = tuple(c["label"] for c in choices or ())
    found = QUESTION_SIZES.get((text, labels))
    return sms.cost(found) if found is not None else sms.price(text, labels)


def _joined_segments(prefix: str, body: str, choices: list[dict[str, str]]) -> int:
    """``_segments`` of ``prefix``, a space, then ``body`` with its choices (a question's
    size from the table, the say-back's worked out: sizes add up)."""
    labels = tuple(c["label"] for c in choices)
    found = QUESTION_SIZES.get((body, labels))
    if found is None:
        return sms.price(f"{prefix} {body}", labels)
    return sms.cost(sms.plus(sms.size(prefix), sms.plus(sms.SEPARATOR, found)))


def _kinds() -> tuple[str | None, ...]:
    """No kind of case yet, then every kind the questions may be worded for."""
    return (None, *sorted(rules.sections.PLAIN_KINDS))


def _choice_table() -> dict[tuple[str, str | None, str, str | None], tuple[tuple[str, str], ...]]:
    """Every question's choices as worded in each language, channel and kind of case."""
    out = {}
    for lang in catalog.LANGS:
        for channel in (None, *CHANNEL_WORDS):
            turn = Turn(new_state(lang), date.today(), channel)
            for node in (n for n in FLOW.nodes.values() if n.type in {"question", "end"}):
                for kind in _kinds():
                    turn.state["facts"] = {"offense": kind} if kind else {}
                    out[(lang, channel, node.id, kind)] = tuple(
                        (c["id"], c["label"]) for c in turn.choices(node))
    return out


def _question_sizes() -> dict[tuple[str, tuple[str, ...]], sms.Size]:
    """The SMS size of every question as worded with no say-back before it, with its
    choices, in each language, channel and kind of case: a table of the fixed wording
    made at import."""
    out: dict[tuple[str, tuple[str, ...]], sms.Size] = {}
    for lang in catalog.LANGS:
        for channel in CHANNEL_WORDS:
            turn = Turn(new_state(lang), date.today(), channel)
            for node in (n for n in FLOW.nodes.values() if n.type in {"question", "end"}):
                for kind in _kinds():
                    turn.state["facts"] = {"offense": kind} if kind else {}
                    body = _question_body(turn, node)
                    labels = tuple(c["label"] for c in turn.choices(node))
                    out[(body, labels)] = sms.message_size(body, labels)
            for key in ("welcome", "stale", "next_check"):
                out[(turn.t(key), ())] = sms.size(turn.t(key))
    return out


def _say_counted(turn: Turn, text: str) -> None:
    """Say a message that is part of the check, counting its SMS segments."""
    turn.state["seg"] = turn.state.get("seg", 0) + _segments(text)
    turn.say(text)


def _next_question(state: dict[str, Any], missing: list[str]) -> Node | None:
    """The question for the first missing fact not yet answered (even with don't know)."""
    facts, answered = state["facts"], state["hist"]
    for key in missing:
        if key in facts:
            continue
        for node in FLOW.for_fact(key):
            if node.id not in answered and _holds(node.when, state):
                return node
    return None


def _holds(condition: str | None, state: dict[str, Any]) -> bool:
    """Whether a node's ``when`` condition holds."""
    if condition is None:
        return True
    if condition == "after_a_check_with_county":
        return bool(_last_county(state))
    return False


def _last_county(state: dict[str, Any]) -> str | None:
    done = state.get("done") or []
    return done[-1].get("c") if done and isinstance(done[-1], dict) else None


def _offense_kind(state: dict[str, Any]) -> str | None:
    offense = state["facts"].get("offense")
    found = rules.sections.normalize_offense(offense) if isinstance(offense, str) else None
    return found.kind if found else None


def _ask(turn: Turn, node: Node, prefix: str = "") -> None:
    """Ask ``node``'s question again (after help, a miss...); see ``_question``."""
    for text, choices, _ in _question(turn, node, prefix):
        turn.say(text, choices)


def _question_body(turn: Turn, node: Node) -> str:
    """``node``'s question in the person's language and channel, for this kind of case."""
    key = node.ask or node.say or ""
    kind = _offense_kind(turn.state) if key in _BY_KIND else None
    if kind and catalog.has("en", f"{key}.{kind}"):  # a wording for this kind of case
        key = f"{key}.{kind}"
    return turn.t(key, county=_last_county(turn.state) or "")


def _question(turn: Turn, node: Node, prefix: str = "") -> list[tuple[str, list[dict], int]]:
    """``node``'s question as messages, each with its SMS segments; a prefix that would
    push it past 2 SMS goes on its own."""
    body, choices = _question_body(turn, node), turn.choices(node)
    if not prefix:
        return [(body, choices, _segments(body, choices))]
    joined = f"{prefix} {body}".strip()
    exact = prefix == prefix.strip() and body == body.strip()  # joined is prefix, " ", body
    segments = _joined_segments(prefix, body, choices) if exact else _segments(joined, choices)
    if segments > 2:
        return [(prefix, [], _segments(prefix)), (body, choices, _segments(body, choices))]
    return [(joined, choices, segments)]


def _verdict(
    turn: Turn, assessment: dict[str, Any], prefix: str = "", *, stats: bool = True,
    then: Node | None = None,
) -> None:
    """The verdict, then ``then``'s question (by default: check another conviction?)."""
    st = turn.state
    county = rules.counties.normalize_county(st["facts"].get("county") or "")
    if stats:
        turn.events.append({"type": "verdict", "outcome": assessment["outcome"], "county": county})
        if not st.get("ok"):
            st["ok"] = 1
            turn.events.append({"type": "completed"})
    another = then or FLOW.nodes["another"]
    ask_key = turn.key(another.ask or "")
    ask = turn.t(another.ask or "")
    room = SEGMENTS_PER_CHECK - st.get("seg", 0)
    label_keys = [turn.key(c.label) for c in another.choices]
    messages = verdict.compose(
        turn.lang, assessment, county, ask_key=ask_key, label_keys=label_keys, room=room,
        question=ASKS.get((ask_key, tuple(label_keys))),
    )
    if prefix:
        joined = f"{prefix} {messages[0]}"
        if _segments(joined) <= 2 and len(messages) > 1:
            messages[0] = joined
        elif _segments(prefix) + _verdict_cost(turn, messages, another) <= room:
            messages.insert(0, prefix)  # else the check has no room for the say-back
    st["seg"] = 0  # a verdict ends the check: the next one counts afresh
    if turn.channel == "web":  # the date checked and the law, in small type, then the ask
        last = messages[-1].removesuffix(ask).strip()
        messages[-1:] = [last] if last else []
        for text in messages:
            turn.say(text)
        turn.say(verdict.citations_line(turn.lang, assessment, turn.today.isoformat()),
                 kind="cite")
        turn.say(ask, turn.choices(another))
    else:
        for text in messages[:-1]:
            turn.say(text)
        turn.say(messages[-1], turn.choices(another))
    st["node"] = another.id


def _verdict_cost(turn: Turn, messages: list[str], then: Node) -> int:
    """SMS segments of the verdict's messages, the last with ``then``'s choices."""
    *body, last = messages
    return sum(map(_segments, body)) + _segments(last, turn.choices(then))


def _reprompt(turn: Turn, prefix: str = "", *, full: bool = False) -> None:
    """Say the current question again (after help, a language switch, a miss...)."""
    st = turn.state
    node = FLOW.nodes.get(st["node"])
    if node is None or node.type not in {"question", "end"}:
        _go(turn, ASSESS, prefix)
        return
    if node.id == "another" and full:
        assessment = rules.assess(st["facts"], today=turn.today).to_dict()
        _verdict(turn, assessment, prefix, stats=False)
        return
    _ask(turn, node, prefix)


def _future_year(text: str, today: date) -> bool:
    """True when every year typed in ``text`` is after this year (a typo such as 2031)."""
    years = [int(y) for y in re.findall(r"(?<!\d)(\d{4})(?!\d)", text)]
    return bool(years) and all(year > today.year for year in years)


def _miss(turn: Turn, node: Node, text: str = "") -> None:
    st = turn.state
    st["miss"] = st.get("miss", 0) + 1
    if st["miss"] >= 3:
        st["miss"] = 0
        turn.say(turn.t("e.help_offer"))
        _reprompt(turn)
        return
    key = {"county": "e.no_county", "year": "e.bad_year"}.get(node.parse or "")
    if key == "e.bad_year" and _future_year(text, turn.today):
        key = "e.future_year"  # said kindly, then the question again (issue 14 item 5)
    if key is None:
        key = "e.not_understood_choices" if len(node.choices) > 1 else "e.not_understood"
    _reprompt(turn, turn.t(key))


def _close_check(turn: Turn) -> None:
    """File the current conviction in the session summary and clear its facts."""
    st = turn.state
    if st["facts"]:
        assessment = rules.assess(st["facts"], today=turn.today).to_dict()
        older = [{k: v for k, v in d.items() if k != "w"} for d in st["done"]]  # WHY: last only
        st["done"] = (older + [verdict.summary_entry(st["facts"], assessment)])[-MAX_DONE:]
    st["facts"], st["hist"] = {}, []


def _finish(turn: Turn) -> None:
    st = turn.state
    if len(st["done"]) > 1:
        for text in verdict.summary(turn.lang, st["done"]):
            turn.say(text)
    st["node"] = "end"
    _ask(turn, FLOW.nodes["end"])


def _erase(turn: Turn) -> None:
    turn.effects.append("erase")
    lang = turn.state["lang"]
    turn.state = {"v": VERSION, "lang": lang, "node": "erased", "facts": {}, "hist": [],
                  "done": [], "miss": 0}
    turn.say(turn.t("erased"))


def _stop(turn: Turn) -> None:
    turn.effects.append("opt_out")
    turn.state = {"v": VERSION, "lang": turn.state["lang"], "node": "stopped", "facts": {},
                  "hist": [], "done": [], "miss": 0}
    turn.say(turn.t("stopped"))


# --- global commands -------------------------------------------------------------


def _command(turn: Turn, cmd: str) -> None:
    st = turn.state
    if cmd == "opt_out":
        _stop(turn)
    elif cmd == "opt_in":
        turn.effects.append("opt_in")
        _reprompt(turn)
    elif cmd == "help":
        turn.say(turn.t("help"))
        _reprompt(turn)
    elif cmd == "repeat":
        _reprompt(turn, full=True)
    elif cmd in {"spanish", "english"}:
        st["lang"] = "es" if cmd == "spanish" else "en"
        _reprompt(turn, turn.t("lang_switched"), full=True)
    elif cmd == "restart":
        lang, ref = st["lang"], st.get("ref")
        turn.state = new_state(lang, ref)
        turn.state["ok"] = st.get("ok", 0)
        _go(turn, ASSESS, turn.t("restarted"))
    elif cmd == "back":
        _back(turn)
    elif cmd in {"why", "result"}:
        _last_result(turn, cmd)
    elif cmd == "delete":
        if st["node"] != "confirm_delete":
            st["prev"] = st["node"]
        st["node"] = "confirm_delete"
        _ask(turn, FLOW.nodes["confirm_delete"])


def _asker(node_id: str, removed: list[str]) -> str:
    """The question to ask again after BACK: the one the message answered, or the one
    that asks the first fact it gave beside ("actually it was a misdemeanor")."""
    if set(FLOW.nodes[node_id].asks) & set(removed) or not removed:
        return node_id
    for key in rules.ASK_ORDER:
        if key in removed and FLOW.for_fact(key):
            return FLOW.for_fact(key)[0].id
    return node_id


def _last_result(turn: Turn, cmd: str) -> None:
    """WHY: the last result's reasons with citations; MY RESULT: its summary and phones.

    The last result is the verdict just given (at "check another?"), else the last
    conviction filed in the summary. Then the current question again.
    """
    st = turn.state
    entry = None
    if st["node"] in {"another", "early_more"} and st["facts"]:
        assessment = rules.assess(st["facts"], today=turn.today).to_dict()
        entry = verdict.summary_entry(st["facts"], assessment)
    elif st.get("done"):
        entry = st["done"][-1]
    if entry is None:
        turn.say(turn.t("no_result"))
    else:
        make = verdict.why_messages if cmd == "why" else verdict.result_messages
        for text in make(turn.lang, entry):
            turn.say(text)
    _reprompt(turn)


def _back(turn: Turn) -> None:
    """Undo the last message's answers (all the facts it carried) and ask again."""
    st = turn.state
    if st["node"] == "confirm_delete":
        st["node"] = st.pop("prev", None) or "welcome"
        _reprompt(turn)
        return
    undo = st.get("undo") or []
    if not undo and not st["hist"]:
        _reprompt(turn, "" if st["node"] == "end" else turn.t("back_first"))
        return
    if undo:
        last = undo.pop()
        for key, old in last["f"].items():
            if old is None:
                st["facts"].pop(key, None)
            else:
                st["facts"][key] = old
        node_id = last["n"] if last["n"] in FLOW.nodes else "court"
        if st["hist"] and st["hist"][-1] == node_id:
            st["hist"].pop()
        node_id = _asker(node_id, [k for k, old in last["f"].items() if old is None])
    else:
        node_id = st["hist"].pop()
        for key in FLOW.nodes[node_id].sets:
            st["facts"].pop(key, None)
    node = FLOW.nodes[node_id]
    if node.type != "question" or (node.asks and all(k in st["facts"] for k in node.asks)):
        _go(turn, ASSESS)
        return
    st["node"] = node.id
    _ask(turn, node)


CHOICES.update(_choice_table())
QUESTION_SIZES: Final = _question_sizes()
# The questions after a verdict, sized in every language (``verdict.Ask``), by catalog keys.
ASKS: Final = {(key, keys): verdict.Ask.make(None, None, key, keys)
        for node in (FLOW.nodes["another"], FLOW.nodes["early_more"])
        for channel in (None, *CHANNEL_WORDS)
        for key, keys in [(CHANNEL_WORDS.get(channel, {}).get(node.ask or "", node.ask or ""),
                           tuple(CHANNEL_WORDS.get(channel, {}).get(c.label, c.label)
                                 for c in node.choices))]}
# The SMS size of the fixed wording (``sms.fold_turn`` need not measure it again).
WORDING_SIZES: Final = {
    text: sms.size(text)
    for text in (*(t for w in WORDED.values() for t in w.values()),
                 *(label for made in CHOICES.values() for _, label in made),
                 *(body for body, _ in QUESTION_SIZES))}


# What a new check with nothing known asks first (what ``_go`` would find for it).
FIRST_QUESTION: Final = (_next_question(new_state(), rules.assess({}).missing_in_order())
                  or FLOW.nodes["county"]).id
