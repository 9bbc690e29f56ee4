"""What a phone call says: the engine's replies worded for the ear (pure, no I/O).

The engine runs on channel ``voice`` (its ``.voice`` catalog keys say "say" and "press"
where text says "type" and "tap"); this module turns each step's replies into what is
spoken: phone numbers read in groups of digits, web addresses read out, lists as
sentences, choices as "Press 1 for..., 2 for.... Or say your answer." The bot's
``/voice`` webhook (``bot.voice``) wraps these in TwiML; ``clearline chat --channel
voice`` prints them; ``clearline flows check`` times the typical checks at 150 words a
minute.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import rules

from . import catalog, engine, sms, verdict

WORDS_PER_MINUTE = 150
SLOW = 0.85  # the verdict is read at this fraction of the usual speed
MAX_SECONDS = 240  # a typical check, spoken, within 4 minutes (issue 15)
LANG_CODES = {"en": "en-US", "es": "es-MX"}  # speech recognition and voice language
# The first message of a call: what pressing 1 or 2 at the language menu sends.
LANG_PICK = {"1": "english", "2": "español"}
LANG_OF_KEY = {"1": "en", "2": "es"}
ENDED = frozenset({"end", "erased", "stopped"})  # nodes after which the call hangs up
COUNTIES = tuple(rules.counties.county_names())  # speech hints where a county is asked
MAX_SMS = 1600

_PHONE = re.compile(r"(?<!\d)(?:\+?1[\s.-]?)?\(?(\d{3})\)?[\s.-]?(\d{3})[\s.-]?(\d{4})(?!\d)")
_SITE = re.compile(r"\b([\w-]+(?:\.[\w-]+)*)\.(org|gov|com|net|us)((?:/[\w./-]*)?)", re.ASCII)
_LIST = re.compile(r"\n\s*[-•]\s*")
_CITE = {
    "en": [(r"\bHS (?=\d)", "Health and Safety Code "), (r"\bPC (?=\d)", "Penal Code ")],
    "es": [(r"\bHS (?=\d)", "Código de Salud y Seguridad "), (r"\bPC (?=\d)", "Código Penal ")],
}
_DOT = {"en": "dot", "es": "punto"}
_OR_MORE = {"en": r"\1 or more", "es": r"\1 o más"}
_SUBSECTION = re.compile(r"(?<=[\d)])\(([a-z0-9]{1,2})\)")  # 11359(c)(2) -> 11359 c 2
_SLASH = {"en": "slash", "es": "barra"}


_KEY_WORDS = {w: str(n) for n, words in enumerate(
    [(), ("one", "uno"), ("two", "dos"), ("three", "tres"), ("four", "cuatro"),
     ("five", "cinco"), ("six", "seis"), ("seven", "siete"), ("eight", "ocho"),
     ("nine", "nueve")]) for w in words}


def key_said(speech: str) -> str | None:
    """The key a caller named by voice: "One." -> "1", "2" -> "2"; None for other words."""
    word = catalog.fold(re.sub(r"[^\w\s]", " ", speech)).strip()
    word = word.removeprefix("number ").removeprefix("numero ").strip()
    if word.isdigit() and len(word) == 1:
        return word
    return _KEY_WORDS.get(word)


_SENTENCE = re.compile(r"(?<=[a-záéíóúñ0-9).][.?!])\s+(?=[A-ZÁÉÍÓÚÑ¿¡0-9(])")


def sentences(text: str) -> list[str]:
    """``text`` cut into sentences for pauses ("U.S. citizen" and "EE. UU." stay whole)."""
    return [part for part in _SENTENCE.split(text) if part]


def digits(group: str) -> str:
    """A group of digits read one by one: ``"559"`` -> ``"5 5 9"``."""
    return " ".join(group)


def _phone(match: re.Match[str]) -> str:
    return ", ".join(digits(g) for g in match.groups())


def spoken(lang: str, text: str) -> str:
    """``text`` as it should be read aloud: phones in digit groups, sites spelled out."""
    text = _PHONE.sub(_phone, text)
    dot, slash = _DOT.get(lang, "dot"), _SLASH.get(lang, "slash")

    def site(m: re.Match[str]) -> str:
        name = f" {dot} ".join(m.group(1).removeprefix("www.").split("."))
        path = m.group(3).strip("/").replace("/", f" {slash} ")
        return f"{name} {dot} {m.group(2)}" + (f" {slash} {path}" if path else "")

    text = _SITE.sub(site, text)
    for pattern, words in _CITE.get(lang, []):
        text = re.sub(pattern, words, text)
    text = _LIST.sub(". ", text.replace("*", ""))
    text = re.sub(r"\bCR-(\d+)", lambda m: "C R " + m.group(1), text)
    text = _SUBSECTION.sub(r" \1", text)
    text = re.sub(r"\b(\d+)\+", _OR_MORE.get(lang, _OR_MORE["en"]), text)
    text = re.sub(r"([.?!:])\.", r"\1", text)
    text = " ".join(text.split())
    return text if not text or text[-1] in ".?!:" else text + "."


def choice_line(lang: str, choices: list[dict[str, Any]]) -> str:
    """"Press 1 for Yes, 2 for No, 3 for Don't know. Or say your answer." (empty: none)."""
    if not choices:
        return ""
    parts = [catalog.text(lang, "voice.press_first", n=1, label=choices[0]["label"])]
    parts += [catalog.text(lang, "voice.press_next", n=n, label=c["label"])
              for n, c in enumerate(choices[1:], 2)]
    return f'{", ".join(parts)}. {catalog.text(lang, "voice.or_say")}'


def hints(choices: list[dict[str, Any]], more: tuple[str, ...] = ()) -> str:
    """Speech hints for the recogniser: the choices' labels (and ``more``), comma-separated."""
    labels = [" ".join(re.sub(r"[,\n]", " ", c["label"]).split())[:100] for c in choices]
    return ", ".join(label for label in [*labels, *more] if label)


@dataclass
class Prompt:
    """One turn of a call: what to say, then (unless ``ended``) what to listen for."""

    lang: str
    said: list[str] = field(default_factory=list)  # sentences to say, in order
    slow: bool = False  # the verdict: read slowly, with pauses
    choices: list[dict[str, Any]] = field(default_factory=list)
    menu: bool = False  # after the verdict: 1 again, 2 by text, 3 another
    ended: bool = False  # hang up after saying it
    free: bool = False  # the question also takes a number of several digits (a year)
    listen_for: str = ""  # speech hints when they are not the choices (menus)
    places: bool = False  # the question asks for a county: its names are hints too

    @property
    def text(self) -> str:
        return " ".join(self.said)

    @property
    def hints(self) -> str:
        return self.listen_for or hints(self.choices, COUNTIES if self.places else ())

    @property
    def num_digits(self) -> int | None:
        """1 when a single key answers (choices only, or the menu), else None (any)."""
        if self.menu or (self.choices and len(self.choices) <= 9 and not self.free):
            return 1
        return None


def prompt(lang: str, replies: list[dict[str, Any]], node: str | None,
           free: bool = False) -> Prompt:
    """What to say for one engine step's ``replies`` when the person is now at ``node``.

    ``free``: the question also takes a number of several keys (a year), so the keypad
    is not cut after one key.
    """
    out = Prompt(lang, ended=node in ENDED, free=free, places=_asks_county(node))
    out.menu = node == "another"
    out.listen_for = catalog.text(lang, "voice.menu_hints") if out.menu else ""
    out.slow = out.menu and len(replies) > 1  # a verdict (not just the menu again)
    for reply in replies:
        out.said.append(spoken(lang, reply.get("text", "")))
    if replies and not out.ended and not out.menu:
        out.choices = list(replies[-1].get("choices") or [])
        line = choice_line(lang, out.choices)
        if line:
            out.said.append(line)
    return out


def intro() -> Prompt:
    """A new call's first words: welcome, privacy, and the language menu."""
    return Prompt("en", [catalog.text("en", "voice.intro"), catalog.text("en", "voice.lang_menu")],
                  menu=True, listen_for=catalog.text("en", "voice.intro_hints"))


def menu(lang: str, *first: str) -> Prompt:
    """After the verdict: "Press 1 to hear it again, 2 to get it by text message, 3..."."""
    return Prompt(lang, [*first, catalog.text(lang, "q.another.voice")], menu=True,
                  listen_for=catalog.text(lang, "voice.menu_hints"))


def simpler(lang: str, node: str | None, choices: list[dict[str, Any]],
            free: bool = False, *, unclear: bool = False) -> Prompt:
    """The question again in simpler words, after a silence (or, ``unclear``, an answer
    not understood)."""
    key = f"voice.simple.{node}"
    out = Prompt(lang, free=free, places=_asks_county(node))
    out.said.append(catalog.text(lang, "voice.sorry_unclear" if unclear else "voice.sorry"))
    question = engine.FLOW.nodes.get(node or "")
    if catalog.has("en", key):
        out.said.append(catalog.text(lang, key))
    elif question is not None and question.ask:  # no simpler words: the question itself
        out.said.append(spoken(lang, catalog.text(lang, question.ask)))
    out.choices = list(choices)
    if out.choices:
        out.said.append(choice_line(lang, out.choices))
    return out


def seconds(texts: list[str], rate: float = 1.0) -> float:
    """How long ``texts`` take to say at ``WORDS_PER_MINUTE`` (times ``rate``)."""
    words = sum(len(t.split()) for t in texts)
    return words * 60 / (WORDS_PER_MINUTE * rate)


def prompt_seconds(prompt: Prompt) -> float:
    """How long one prompt takes to say (the verdict at the slow rate)."""
    return seconds(prompt.said, SLOW if prompt.slow else 1.0)


def node_choices(state: dict[str, Any] | None, lang: str) -> list[dict[str, Any]]:
    """The choices of the question ``state`` is at, worded in ``lang``."""
    node = engine.FLOW.nodes.get((state or {}).get("node") or "")
    if node is None or node.type != "question":
        return []
    shown = node.for_kind(engine._offense_kind(state)).choices  # noqa: SLF001
    return [{"id": c.id, "label": catalog.text(lang, c.label)} for c in shown]


def _asks_county(node_id: str | None) -> bool:
    node = engine.FLOW.nodes.get(node_id or "")
    return bool(node and node.parse == "county")


def takes_number(state: dict[str, Any] | None) -> bool:
    """The current question takes a number of several keys (a year), not just a choice."""
    node = engine.FLOW.nodes.get((state or {}).get("node") or "")
    return bool(node and node.parse == "year")


def call(texts: list[str], lang: str) -> list[Prompt]:
    """A whole call: the intro, then each answer in ``texts``; every prompt said.

    ``texts[0]`` answers the language menu (``"1"``/``"2"`` or words).
    """
    said = [intro()]
    state: dict | None = None
    for n, text in enumerate(texts):
        text = LANG_PICK.get(text, text) if n == 0 else text
        state, replies = engine.step(state, {"text": text, "channel": "voice"})
        state, _, _ = engine.pop_signals(state)
        said.append(prompt(state.get("lang", lang), replies, state.get("node"),
                           takes_number(state)))
    return said


def typical_seconds(flow: Any = engine.FLOW) -> dict[str, dict[str, float]]:
    """Each typical check (``budgets.typical`` of the flow), spoken: seconds by language.

    The path's first message is replaced by the language menu's key; what is timed is
    everything the call says, from the intro through the verdict (at the slow rate) and
    its menu; not the caller's own answers.
    """
    out: dict[str, dict[str, float]] = {}
    for lang, paths in (flow.budgets.get("typical") or {}).items():
        pick = "2" if lang == "es" else "1"
        for name, texts in paths.items():
            prompts = call([pick, *list(texts)[1:]], lang)
            out.setdefault(lang, {})[name] = sum(map(prompt_seconds, prompts))
    return out


def summary_sms(state: dict[str, Any], today: date | None = None) -> str:
    """The result of the check a call is at, as one text message with its phones (under
    the SMS accent policy of ``dialogs.sms``)."""
    lang = state.get("lang") if state.get("lang") in catalog.LANGS else catalog.DEFAULT_LANG
    facts = state.get("facts") or {}
    assessment = rules.assess(facts, today=today).to_dict()
    county = rules.counties.normalize_county(facts.get("county") or "")
    messages = verdict.compose(lang, assessment, county,
                               ask=catalog.text(lang, "voice.sms_footer"), labels=[])
    body = "\n\n".join([catalog.text(lang, "voice.sms_header"), *messages])
    return sms.cheapest(body, [])[0][:MAX_SMS]  # the SMS accent policy: GSM-7 when it saves
