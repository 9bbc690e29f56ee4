"""Understanding what people type: choices, synonyms, commands, years, counties, codes.

Everything here is lenient: case, accents, punctuation and extra words are ignored
where they can be, and anything not understood gives ``None`` (the engine re-asks).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import yaml

from rules import counties, sections

from . import catalog, reader
from .flow import Choice, Flow, Node

MAX_TEXT: Final = 300  # longer messages are read only this far


@dataclass(frozen=True)
class Answer:
    """What an answer means: the facts it sets and, for some, a follow-up node."""

    facts: dict[str, Any] = field(default_factory=dict)
    next: str | None = None
    choice: Choice | None = None
    note: str | None = None  # a county guessed from a typo, or a year read, to say back
    note_key: str = "understood_county"  # the message that says ``note`` back


_APOSTROPHES: Final = re.compile(r"['\u2019`´]")
_NOT_WORDS: Final = re.compile(r"[^\w+?]+")


# ASCII text, as bytes: letters lower case, apostrophes gone, all but [a-z0-9+?] a space.
_KEPT: Final = b"abcdefghijklmnopqrstuvwxyz0123456789+?"
_ASCII_WORDS: Final = bytes(n if bytes([n]) in _KEPT else n + 32 if 65 <= n <= 90 else 32
                     for n in range(256))


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """Lower case, no accents, no apostrophes, punctuation to spaces, spaces collapsed."""
    text = text[:MAX_TEXT]
    if text.isascii():  # the same, in one C pass over the bytes
        return " ".join(text.encode().translate(_ASCII_WORDS, b"'`").decode().split())
    text = catalog.fold(text)
    text = _APOSTROPHES.sub("", text)
    text = _NOT_WORDS.sub(" ", text)
    return " ".join(text.replace("_", " ").split())


@lru_cache(maxsize=512)
def _phrases(key: str) -> frozenset[str]:
    return frozenset(normalize(w) for w in catalog.words(key) if normalize(w))


def is_thanks(text: str) -> bool:
    """True for "thanks", "ok", "gracias" and their kin (the whole message)."""
    return normalize(text) in _phrases("syn.thanks")


def is_dont_know(text: str) -> bool:
    """True for "don't know", "no sé", "?" and their kin."""
    stripped = text.strip()
    if stripped and not stripped.strip("?¿"):
        return True
    return normalize(text) in _phrases("syn.dont_know")


# --- commands ------------------------------------------------------------------

COMMANDS: Final = (
    "help", "back", "restart", "repeat", "spanish", "english", "delete", "why", "result")


def command(text: str, flow: Flow) -> str | None:
    """The global command the whole message names, if any.

    Returns one of ``COMMANDS``, ``"opt_out"`` or ``"opt_in"``. Telegram-style
    ``/help`` works too.
    """
    norm = normalize(text.strip().lstrip("/"))
    if not norm or len(norm) > 40:
        return None
    if norm in flow.commands.get("carrier_opt_out", ()):
        return "opt_out"
    if norm in flow.commands.get("carrier_opt_in", ()):
        return "opt_in"
    return _command_phrases().get(norm)


@lru_cache(maxsize=1)
def _command_phrases() -> dict[str, str]:
    """Every command phrase, to its command (the first in ``COMMANDS`` wins a clash)."""
    return {phrase: name for name in reversed(COMMANDS) for phrase in _phrases(f"cmd.{name}")}


def looks_spanish(text: str) -> bool:
    """A first message that is plainly Spanish ("hola", "ayuda", "español")."""
    norm = normalize(text)
    first = norm.split()[:3]
    return bool(first) and (
        norm in _phrases("cmd.spanish") or any(w in _phrases("syn.spanish_start") for w in first)
    )


# --- choices -------------------------------------------------------------------


def _choice_phrases(choice: Choice) -> frozenset[str]:
    return _choice_phrases_by_key(choice.id, choice.label)


@lru_cache(maxsize=512)
def _choice_phrases_by_key(choice_id: str, label: str) -> frozenset[str]:
    found = set(_phrases(label)) | _phrases(f"syn.{choice_id}")
    found |= _phrases("syn." + label.removeprefix("c."))
    found.add(normalize(choice_id))
    if choice_id == "dont_know":
        found |= _phrases("syn.dont_know")
    return frozenset(p for p in found if p)


def match_choice(node: Node, text: str) -> Choice | None:
    """The choice ``text`` picks: its number, id, label (either language) or a synonym.

    When no whole answer matches, the choice with the longest phrase found inside the
    text wins ("I grew it" -> Grew it), unless two choices tie.
    """
    if not node.choices:
        return None
    if is_dont_know(text):
        return node.choice("dont_know")
    norm = normalize(text)
    if not norm:
        return None
    if norm.isdigit() and len(norm) <= 2:
        index = int(norm) - 1
        return node.choices[index] if 0 <= index < len(node.choices) else None
    best: list[tuple[int, Choice]] = []
    padded = f" {norm} "
    for choice in node.choices:
        phrases = _choice_phrases(choice)
        if norm in phrases:
            return choice
        inside = [len(p) for p in phrases if f" {p} " in padded]
        if inside:
            best.append((max(inside), choice))
    if not best:
        return None
    best.sort(key=lambda item: -item[0])
    if len(best) > 1 and best[0][0] == best[1][0] and best[0][1].id != best[1][1].id:
        return None
    return best[0][1]


# --- free-text readers ---------------------------------------------------------

_COUNTY_PREFIX: Final = re.compile(r"^(?:in |en |the |el |condado de |county of |condado )+")


_NAMES_LONGEST_FIRST: Final = sorted(counties.county_names(), key=len, reverse=True)
_NAME_PATTERNS: Final = [
    (re.compile(rf"\b{re.escape(normalize(n))}\b"), n) for n in _NAMES_LONGEST_FIRST]


@lru_cache(maxsize=2048)
def county_match(text: str) -> tuple[str, bool] | None:
    """The county ``text`` names and whether it was named exactly (not a typo guess).

    Exact names and short forms ("LA", "sanfrancisco"), a county named inside a sentence
    ("it was in Fresno"), then typos by close matching ("Los Angelos", "Sacremento").
    """
    norm = _COUNTY_PREFIX.sub("", normalize(text[:80]))
    norm = re.sub(r"\b(county|condado|ca|california|calif)\b", " ", norm).strip()
    if not norm:
        return None
    found = counties.normalize_county(norm)
    if found:
        return found, True
    for pattern, name in _NAME_PATTERNS:
        if pattern.search(norm):
            return name, True
    key = re.sub(r"[^a-z]", "", norm)
    if len(key) < 4:
        return None
    close = reader.closest_county(key)
    return (close, False) if close else None


def county(text: str) -> str | None:
    """The county ``text`` names, allowing for typos ("Los Angelos", "sanfrancisco")."""
    found = county_match(text)
    return found[0] if found else None


PLACES_FILE: Final = Path(__file__).parent / "data" / "places.yaml"


def _load_places(path: Path = PLACES_FILE) -> dict[str, tuple[int, str, str]]:
    """The places table by normalized name: (rank, kind, county); rank 0 is the longest
    name (a longer name wins: "west hollywood" over "hollywood")."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    table: dict[str, tuple[str, str]] = {}
    for name, county_name in (raw.get("cities") or {}).items():
        table[normalize(str(name))] = ("city", str(county_name))
    for kind in ("other_state", "foreign", "ask_nevada"):
        for name in raw.get(kind) or ():
            table[normalize(str(name))] = (kind, "")
    ordered = sorted(table.items(), key=lambda item: -len(item[0]))
    return {name: (rank, kind, value)
            for rank, (name, (kind, value)) in enumerate(ordered) if name}


PLACES: Final = _load_places()
PLACE_WORDS: Final = max(len(name.split()) for name in PLACES)  # the most words in a place name
COURT_OF_PLACE: Final = {"other_state": "other_state", "foreign": "foreign"}
_WORD: Final = re.compile(r"\w+")


@lru_cache(maxsize=2048)
def place(text: str) -> tuple[str, str] | None:
    """A city, another state or country, or "Nevada", named in ``text``: (kind, county).

    Every run of up to ``PLACE_WORDS`` whole words is looked up; the longest name wins.
    """
    norm = normalize(text[:80])
    spans = [m.span() for m in _WORD.finditer(norm)]
    best: tuple[int, str, str] | None = None
    for i, (start, _) in enumerate(spans):
        for _, end in spans[i:i + PLACE_WORDS]:
            hit = PLACES.get(norm[start:end])
            if hit is not None and (best is None or hit[0] < best[0]):
                best = hit
    return (best[1], best[2]) if best is not None else None


def read_county(node: Node, text: str, today: date) -> Answer | None:
    """A county name: sets the county (and, for the court question, a California court).

    A California city gives its county ("Oakland" -> Alameda), said back; another state
    or country sets that court; "Nevada" asks which one is meant. A name guessed from a
    typo is said back, so the person can go BACK if it is wrong.
    """
    where = place(text)
    if where is not None:
        kind, name = where
        if kind in COURT_OF_PLACE:
            return Answer({"court": COURT_OF_PLACE[kind]})
        if kind == "ask_nevada":
            return Answer({}, next="nevada_which")
        return Answer({"county": name, "court": "california"}, note=name)
    found = county_match(text)
    if not found:
        return None
    name, exact = found
    facts: dict[str, Any] = {"county": name}
    if node.fact == "court" or node.id == "court":
        facts["court"] = "california"
    return Answer(facts, note=None if exact else name)


_SECTION_IN_TEXT: Final = re.compile(
    r"(?:(?:h\s*&\s*s|hs|hsc|pc|vc|health\s*(?:and|&)\s*safety(?:\s*code)?|penal(?:\s*code)?)"
    r"\s*(?:code\s*)?(?:section\s*|sec\.?\s*|§\s*)?)?(?:664\s*/\s*)?§?\s*\d{4,6}(?:\.\d{1,2})?"
    r"(?:\s*\(\s*[a-z0-9]{1,4}\s*\))*(?:[a-z](?![a-z]))?",
    re.IGNORECASE,
)


def read_offense(node: Node, text: str, today: date) -> Answer | None:
    """A code section in any usual spelling ("11359", "HS 11357(b)", "H&S 11360")."""
    for match in _SECTION_IN_TEXT.finditer(text[:MAX_TEXT]):
        found = match.group(0).strip()
        if sections.normalize_offense(found) is not None:
            return Answer({"offense": found})
    return None


_DECADE_WORDS: Final = {
    "sixties": 1960, "seventies": 1970, "eighties": 1980, "nineties": 1990,
    "sesentas": 1960, "setentas": 1970, "ochentas": 1980, "noventas": 1990,
}


def _century(two: int, today: date) -> int:
    return 2000 + two if two <= today.year % 100 else 1900 + two


def _decade(start: int, text: str) -> int:
    if re.search(r"\b(early|principios|inicios)\b", text):
        return start + 2
    if re.search(r"\b(late|finales|fines)\b", text):
        return start + 8
    return start + 5


def year(text: str, today: date) -> tuple[int, bool] | None:
    """A year from "1998", "'98", "98", "around 2005", "the 90s", "los 90".

    Returns the year and whether it is only a decade (a guess at its middle).
    """
    norm = catalog.fold(text[:MAX_TEXT])
    if m := re.search(r"\b(19|20)(\d)0\s*'?s\b", norm):
        return _decade(int(m.group(1) + m.group(2) + "0"), norm), True
    if m := re.search(r"(?:\b|')(\d)0\s*'?s\b", norm) or re.search(
        r"\b(?:los|anos|años|decada de)\s+(\d)0\b", norm
    ):
        return _decade(_century(int(m.group(1)) * 10, today), norm), True
    for word, start in _DECADE_WORDS.items():
        if word in norm:
            return _decade(start, norm), True
    if m := re.search(r"\b(19\d\d|20\d\d)\b", norm):
        return int(m.group(1)), False
    if m := re.search(r"(?:^|[\s'‘’/-])(\d\d)(?:\b|$)", norm):
        return _century(int(m.group(1)), today), False
    return None


_AGO: Final = re.compile(r"\b(\d{1,2})\s*(?:years?|yrs?)\s*ago\b"
                  r"|\bhace\s+(?:como\s+|unos\s+|mas\s+de\s+|casi\s+)?(\d{1,2})\s*anos?\b")
_PROP64: Final = (
    r"(?:prop(?:osition|osicion)?\s*64|(?:november|noviembre)(?:\s*(?:of|de))?\s*2016|2016|"
    r"(?:the\s+|la\s+)?legaliz\w*)")
_BEFORE_64: Final = re.compile(rf"\b(?:before|antes\s+de(?:\s+la)?|antes\s+del)\s+{_PROP64}")
_AFTER_64: Final = re.compile(rf"\b(?:after|despues\s+de(?:\s+la)?|despues\s+del)\s+{_PROP64}")
_FULL_YEAR: Final = re.compile(r"\b(?:19|20)\d\d\b")
_AGE_TALK: Final = re.compile(
    r"\b(?:i was|when i|im|i am|age|aged|years? old|yrs? old|yo|tenia|edad|"
    r"cuando|anos de edad|tengo)\b|\b\d{1,2}\s*anos\b")


def read_year(node: Node, text: str, today: date) -> Answer | None:
    """A conviction year; the 2010s and 2016 itself need "before or after Nov 2016".

    Also "20 years ago" / "hace 20 años" (from today's year) and "before Prop 64" /
    "antes de 2016". An age ("when I was 19", "cuando tenía 19") is not a year: None.
    A year not typed in full is said back ("OK, about 2006.").
    """
    norm = normalize(text)
    if _BEFORE_64.search(norm):
        return Answer({"conviction_date": "2016-06"}, note="2016", note_key="understood_before")
    if _AFTER_64.search(norm):
        return Answer({"conviction_date": "2016-12"}, note="2016", note_key="understood_after")
    if m := _AGO.search(norm):
        value, about, decade = today.year - int(m.group(1) or m.group(2)), True, False
    else:
        if not _FULL_YEAR.search(norm) and _AGE_TALK.search(norm):
            return None
        found = year(text, today)
        if found is None:
            return None
        value, decade = found
        about = not decade and not _FULL_YEAR.search(norm)
    if not 1900 <= value <= today.year:
        return None
    note, key = (str(value), "understood_year_about") if m else (None, "understood_year")
    if decade:
        note, key = str(value - value % 10), "understood_decade"
    elif about and not m:
        note = str(value)
    if value == 2016 or (decade and 2010 <= value <= 2019):
        return Answer({}, next="year_split", note=note, note_key=key)
    return Answer({"conviction_date": str(value)}, note=note, note_key=key)


def read_age(node: Node, text: str, today: date) -> Answer | None:
    """An age in years ("19", "I was 17")."""
    m = re.search(r"\b(\d{1,3})\b", text[:MAX_TEXT])
    if not m:
        return None
    age = int(m.group(1))
    if 5 <= age < 18:
        return Answer({"age_at_offense": "under_18"})
    if 18 <= age <= 20:
        return Answer({"age_at_offense": "18_20"})
    if 21 <= age < 110:
        return Answer({"age_at_offense": "21_plus"})
    return None


PARSERS: Final[dict[str, Callable[[Node, str, date], Answer | None]]] = {
    "county": read_county,
    "offense": read_offense,
    "year": read_year,
    "age": read_age,
}


def understand(node: Node, text: str, today: date) -> Answer | None:
    """What ``text`` answers to the question ``node``, or None.

    In order: don't know, a choice's number, a whole choice (label, id or synonym), then
    free text read by the node's parser, then a choice named inside a sentence. A node
    with ``prefer: choices`` looks for a choice inside the sentence before the parser
    ("the federal court in San Francisco" is a federal case, not a county).
    """
    norm = normalize(text)
    numbered = norm.isdigit() and len(norm) <= 2 and int(norm) <= len(node.choices)
    if is_dont_know(text) or numbered:
        return _chosen(match_choice(node, text))
    whole = next((c for c in node.choices if norm in _choice_phrases(c)), None)
    if whole is not None:
        return _chosen(whole)
    parser = PARSERS.get(node.parse or "")
    inside = match_choice(node, text)
    parsed = parser(node, text, today) if parser is not None else None
    if inside is None or parsed is None:
        return parsed if parsed is not None else _chosen(inside)
    agrees = all(parsed.facts.get(k) == v for k, v in inside.set.items())
    elsewhere = parsed.facts.get("court") in COURT_OF_PLACE.values()
    if elsewhere and inside.id == "california":  # "Baja California" is in Mexico
        return parsed
    if node.prefer == "choices" and not agrees:
        return _chosen(inside)
    return parsed


def exact_answer(node: Node, text: str) -> Answer | None:
    """The whole message picks a choice: its number, "don't know", its id or a whole phrase.

    At the charge question only the choice's own label counts whole ("Had it to sell"):
    charge words typed freely ("selling") go through the reader, which checks the drug.
    """
    norm = normalize(text)
    if not norm or not node.choices:
        return None
    numbered = norm.isdigit() and len(norm) <= 2 and text.strip().isdigit() and norm[0] != "0"
    if is_dont_know(text) or numbered:  # "'01" or "01" is a year, not choice 1
        return _chosen(match_choice(node, text))
    for choice in node.choices:
        phrases = (_label_phrases(choice.id, choice.label) if node.id == "offense"
                   else _choice_phrases(choice))
        if norm in phrases:
            return _chosen(choice)
    return None


@lru_cache(maxsize=512)
def _label_phrases(choice_id: str, label: str) -> frozenset[str]:
    return frozenset(_phrases(label) | {normalize(choice_id)})


def _chosen(choice: Choice | None) -> Answer | None:
    return None if choice is None else Answer(dict(choice.set), next=choice.next, choice=choice)
