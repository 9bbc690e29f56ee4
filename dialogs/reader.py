"""The message reader: every fact a message carries, read at any question.

One pass over the words finds the phrases of the lexicons (``locale/<lang>/lexicon.yaml``),
the places table and the county names, longest phrase first; numbers are then read as
code sections, years or ages from the words around them. Deterministic and explainable:
each fact keeps the words it came from. When two readings of one fact conflict
("2004 ... 2005", "Fresno or Kern"), the fact is left out, so the question is asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import yaml
from rapidfuzz import fuzz, process

from rules import counties, sections

from . import catalog

MAX_TEXT: Final = 1600  # a message is read this far: the longest message a channel passes on
LEXICON_FILE: Final = "lexicon.yaml"
PLACES_FILE: Final = Path(__file__).parent / "data" / "places.yaml"
KINDS: Final = ("possession_for_sale", "sale_transport", "cultivation", "possession")
ROLES: Final = ("conspiracy", "accessory")
TOPICS: Final = ("phone", "confirm", "cr400", "cost", "job_forms", "immigration", "expungement",
          "meanings", "privacy", "lawyer", "certificate")
FIRST_TOPICS: Final = ("immigration", "meanings", "cr400")  # these win whatever else is asked
CANNABIS_SECTIONS: Final = frozenset(sections.KIND_BY_SECTION) | sections.PRE_1973
SHORT_ALIAS: Final = 3  # county short forms this short ("la", "sf") need a cue in a sentence
PLACE_CUES: Final = frozenset({
    "in", "en", "from", "de", "del", "of", "near", "out", "was", "era", "fue",
                        "por"})
SPANISH_CUES: Final = frozenset({"en", "de", "del", "por", "era", "fue"})
NOT_WORDS: Final = frozenset({"not", "no", "nor", "nunca", "never"})
CORRECTING: Final = frozenset({"but", "actually", "pero", "sorry", "perdon", "wait", "says", "dice",
                        "mean", "meant", "digo", "mejor", "no", "not", "era", "fue"})
EITHER: Final = frozenset({"or", "o", "u"})
END_WORDS: Final = frozenset({"finished", "completed", "ended", "ends", "off", "done", "released",
                       "termine", "acabe", "sali", "cumpli", "discharged", "expired"})
NOW_AGE: Final = frozenset({"tengo", "im", "i m", "ahora", "now", "today", "hoy", "currently"})


class Found:
    """One phrase found: what it means and where it was (word positions). (A plain class:
    compiled (setup.py), its fields are read without a lookup.)"""

    def __init__(self, cat: str, value: Any, start: int, end: int) -> None:
        self.cat, self.value, self.start, self.end = cat, value, start, end

    def __repr__(self) -> str:
        return f"Found({self.cat!r}, {self.value!r}, {self.start}, {self.end})"


@dataclass(init=False)  # __init__ below: the generated one runs uncompiled (setup.py)
class Reading:
    """What one message says."""

    facts: dict[str, Any]
    guessed: set[str]  # facts read from a typo: say back as a question
    year_note: tuple[str, str] | None  # (catalog key, year) to say back, for short forms
    split: bool  # a decade of the 2010s, or 2016: before or after Prop 64?
    charge: str | None  # a charge kind named with no drug: "was it marijuana?"
    cannabis: bool  # the message names cannabis or a cannabis section
    nevada: bool  # "Nevada": the county or the state?
    mislabel: str | None  # a section written "PC" that is the HS cannabis section
    command: str | None
    question: str | None
    code_unknown: bool
    found: list[Found]

    def __init__(self, *, found: list[Found] | None = None, mislabel: str | None = None,
                 command: str | None = None, question: str | None = None,
                 code_unknown: bool = False) -> None:
        self.facts, self.guessed, self.year_note = {}, set(), None
        self.split = self.cannabis = self.nevada = False
        self.charge = None
        self.mislabel, self.command, self.question = mislabel, command, question
        self.code_unknown = code_unknown
        self.found = found if found is not None else []

    @property
    def empty(self) -> bool:
        """True when the message carries no fact to record."""
        return not self.facts and not self.split and not self.charge and not self.nevada


# --- the tables ---------------------------------------------------------------------


_WORD: Final = re.compile(r"[a-z0-9]+")
_PAUSE: Final = re.compile(r"[,.;:!?()]")
_TOKEN: Final = re.compile(r"[a-z0-9]+|[,.;:!?()]")


def _clean(text: str) -> str:
    """Folded, apostrophes dropped: what words and pauses are read from."""
    return catalog.fold(text).replace("'", "").replace("\u2019", "").replace("`", "")


def _words(text: str) -> tuple[str, ...]:
    """Folded words: lower case, no accents, apostrophes dropped, punctuation as spaces."""
    return tuple(_WORD.findall(_clean(text)))


def _scan(text: str) -> tuple[tuple[str, ...], frozenset[int]]:
    """The words of ``text`` (as ``_words``) and the positions of those followed by a
    comma, full stop or other pause, in one pass."""
    cleaned = _clean(text)
    if not _PAUSE.search(cleaned):
        return tuple(_WORD.findall(cleaned)), frozenset()
    words: list[str] = []
    pauses: set[int] = set()
    for token in _TOKEN.findall(cleaned):
        if token[0].isalnum():
            words.append(token)
        elif words:
            pauses.add(len(words) - 1)
    return tuple(words), frozenset(pauses)


def _entries(raw: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(category, value, phrase) for every phrase of one lexicon."""
    out: list[tuple[str, Any, Any]] = []
    plain = {"cannabis": True, "other_drug": True, "code_unknown": True, "question_words": True}
    for cat, value in plain.items():
        out += [(cat, value, p) for p in raw.get(cat) or ()]
    groups = {"charge": "charge", "role": "role", "level": "level", "court": "court",
              "juvenile": "juvenile", "currently_serving": "serving", "commands": "cmd",
              "questions": "q", "year": "year", "age": "age"}  # (cues: see CUES)
    for key, cat in groups.items():
        for sub, phrases in (raw.get(key) or {}).items():
            out += [(cat, str(sub), p) for p in phrases or ()]
    return out


def load_lexicons() -> dict[str, list[tuple[str, Any, Any]]]:
    """Every language's lexicon entries, by language."""
    out = {}
    for lang in catalog.LANGS:
        path = catalog.LOCALE_DIR / lang / LEXICON_FILE
        out[lang] = _entries(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return out


def load_places(
    path: Path = PLACES_FILE,
) -> tuple[list[tuple[str, Any, Any]], frozenset[str], frozenset[str]]:
    """Place entries (cities, states, countries, Nevada, the 58 counties), the names that
    need a cue in a sentence, and those that are also everyday Spanish."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out: list[tuple[str, Any, Any]] = []
    for name in counties.county_names():
        out.append(("place", ("county", name), name))
    for alias, name in counties.ALIASES.items():
        out.append(("place", ("county", name), alias))
    for name, county_name in (raw.get("cities") or {}).items():
        out.append(("place", ("city", str(county_name)), str(name)))
    for kind in ("other_state", "foreign", "ask_nevada"):
        out += [("place", (kind, ""), str(name)) for name in raw.get(kind) or ()]
    needs_cue = frozenset(" ".join(_words(str(w))) for w in raw.get("needs_cue") or ())
    spanish = frozenset(" ".join(_words(str(w))) for w in raw.get("spanish_words") or ())
    return out, needs_cue, spanish


def _syn_entries() -> list[tuple[str, Any, Any]]:
    return [("dont_know", True, p) for p in catalog.words("syn.dont_know")]


@dataclass
class Table:
    """Phrases by their words, with the longest phrase length per first word."""

    phrases: dict[tuple[str, ...], tuple[str, Any]] = field(default_factory=dict)
    longest: dict[str, int] = field(default_factory=dict)
    clashes: list[str] = field(default_factory=list)

    def add(self, cat: str, value: Any, phrase: object) -> None:
        words = _words(str(phrase))
        if not words:
            return
        old = self.phrases.get(words)
        if old is not None and old != (cat, value):
            if old[0] != "place" and cat != "place":
                self.clashes.append(f"'{phrase}' means {old} and {(cat, value)}")
            if cat == "place" and old[0] != "place":  # a word beats a place name
                return
        self.phrases[words] = (cat, value)
        self.longest[words[0]] = max(self.longest.get(words[0], 0), len(words))


def build_table() -> tuple[Table, frozenset[str], frozenset[str]]:
    """The one table the reader looks phrases up in."""
    table = Table()
    places, needs_cue, spanish = load_places()
    for entry in places:
        table.add(*entry)
    for entries in load_lexicons().values():
        for entry in entries:
            table.add(*entry)
    for entry in _syn_entries():
        if _words(entry[2]) not in table.phrases:
            table.add(*entry)
    return table, needs_cue, spanish


TABLE, NEEDS_CUE, SPANISH_NAMES = build_table()


SPANISH_WORDS: Final = frozenset({"el", "la", "los", "las", "en", "de", "del", "que", "por", "para",
    "con", "fue", "era", "mi", "me", "una", "un", "yo", "tenia", "anos", "cuando", "pero", "y",
    "se", "es", "le", "lo", "mota", "hace", "unos", "tuve", "vendia"})
ENGLISH_WORDS: Final = frozenset({
    "the", "in", "i", "was", "for", "my", "and", "it", "of", "with", "at",
    "when", "got", "had", "a", "an", "is", "back", "weed", "years", "ago", "im"})


def guess_lang(text: str) -> str | None:
    """"es" or "en" when the words plainly say which (a first message that is a sentence)."""
    words = _words(text[:MAX_TEXT])
    es = sum(w in SPANISH_WORDS for w in words)
    en = sum(w in ENGLISH_WORDS for w in words)
    if es >= 2 and es > en:
        return "es"
    if en >= 2 and en > es:
        return "en"
    return None


# --- finding phrases ----------------------------------------------------------------


def find_phrases(words: tuple[str, ...]) -> list[Found]:
    """Every phrase in the words, longest first at each position, without overlaps."""
    found: list[Found] = []
    i, n = 0, len(words)
    phrases, longest = TABLE.phrases, TABLE.longest
    while i < n:
        top = longest.get(words[i])
        if top is None:  # no phrase starts with this word
            i += 1
            continue
        for size in range(min(top, n - i), 0, -1):
            hit = phrases.get(words[i:i + size])
            if hit is not None and (size > 1 or len(words[i]) > 1 or n == 1):  # "f" alone only
                found.append(Found(hit[0], hit[1], i, i + size))
                i += size
                break
        else:
            i += 1
    return found


# --- numbers: sections, years, ages ------------------------------------------------------

_SECTION_IN_TEXT: Final = re.compile(
    r"(?<![\d.])(?:(?:h\s*&\s*s|hs|hsc|pc|vc|bp|health\s*(?:and|&)\s*safety(?:\s*code)?|"
    r"penal(?:\s*code)?)\s*(?:code\s*)?(?:section\s*|sec\.?\s*|§\s*)?)?(?:664\s*/\s*)?§?\s*"
    r"(?P<num>\d{5}(?:\.\d{1,2})?)(?:\s*\(\s*[a-z0-9]{1,4}\s*\))*(?:[a-z](?![a-z]))?"
    r"(?:\s*(?P<tail>pc|hs|h&s|bp)\b)?",
    re.IGNORECASE,
)
_FIVE_DIGITS: Final = re.compile(r"\d{5}")
_MISLABEL: Final = re.compile(r"\b(?:pc|penal(?:\s*code)?)\b", re.IGNORECASE)


def read_section(text: str) -> tuple[str | None, str | None, list[tuple[int, int]]]:
    """The cannabis-or-other code section named, a "PC" mislabel said back, and the spans."""
    offense: str | None = None
    mislabel: str | None = None
    spans: list[tuple[int, int]] = []
    if not _FIVE_DIGITS.search(text):
        return offense, mislabel, spans
    for m in _SECTION_IN_TEXT.finditer(text):
        raw = m.group(0).strip()
        num = m.group("num").split(".")[0]
        if num in sections.KIND_BY_SECTION and _MISLABEL.search(raw):
            fixed = _MISLABEL.sub("HS", raw)  # the Penal Code has no 11357-11360 (issue 14)
            mislabel = "HS " + re.sub(r"^\D*", "", fixed).replace("HS", "").strip()
            raw = fixed
        found = sections.normalize_offense(raw)
        if found is None:
            continue
        spans.append(m.span())
        if offense is None:
            offense = found.label if found.section else found.kind
    return offense, mislabel, spans


def _century(two: int, today: date) -> int:
    return 2000 + two if two <= today.year % 100 else 1900 + two


_NUMBER: Final = re.compile(r"(\d{1,4})(s)?")
_DIGIT: Final = re.compile(r"\d")
_DECADE_WORDS: Final = {"sixties": 1960, "seventies": 1970, "eighties": 1980, "nineties": 1990,
                 "sesentas": 1960, "setentas": 1970, "ochentas": 1980, "noventas": 1990}
_EARLY: Final = frozenset({"early", "principios", "inicios"})
_LATE: Final = frozenset({"late", "finales", "fines"})
_DECADE_CUES: Final = frozenset({
    "the", "los", "las", "decada", "early", "late", "mid", "principios",
                          "finales", "fines", "inicios"})


@dataclass(init=False)  # __init__ below: the generated one runs uncompiled (setup.py)
class Numbers:
    """Years and ages read from the words left over after the phrases."""

    years: list[tuple[int, str, int]]  # (year, how, position)
    ages: list[tuple[int, int]]  # (age, position)
    age_cues: set[int]  # word positions of "i was", "tenía"...

    def __init__(self) -> None:
        self.years, self.ages, self.age_cues = [], [], set()


def _cue_words(lang_key: str, sub: str) -> frozenset[tuple[str, ...]]:
    out: set[tuple[str, ...]] = set()
    for lang in catalog.LANGS:
        raw = yaml.safe_load((catalog.LOCALE_DIR / lang / LEXICON_FILE).read_text("utf-8")) or {}
        out |= {_words(str(p)) for p in ((raw.get(lang_key) or {}).get(sub) or ())}
    return frozenset(w for w in out if w)


CUES: Final = {name: _cue_words(key, sub) for name, (key, sub) in {
    "age_before": ("cues", "age_before"), "age_after": ("cues", "age_after"),
    "ago": ("cues", "years_ago"), "hace": ("cues", "years_ago_before"),
    "two_digit": ("cues", "two_digit_year"),
    "weak": ("cues", "possession_weak"),
}.items()}


FILLERS: Final = frozenset({
    "like", "about", "around", "maybe", "only", "just", "como", "unos", "apenas"})


def _before(words: tuple[str, ...], i: int, cue: str) -> int:
    """How many words before position ``i`` make the cue (0: none); "i was like 30" counts."""
    for end in (i, i - 1):
        if end < i and (end < 0 or words[end] not in FILLERS):
            continue
        for size in (3, 2, 1):
            if end - size >= 0 and words[end - size:end] in CUES[cue]:
                return size + (i - end)
    return 0


def _after(words: tuple[str, ...], i: int, cue: str) -> bool:
    return any(words[i + 1:i + 1 + size] in CUES[cue] for size in (1, 2, 3))


def read_numbers(words: tuple[str, ...], taken: set[int], raw: str, today: date,
                 expect: str | None) -> Numbers:
    """Years and ages from the numbers, using the cue words around them."""
    out = Numbers()
    if _DECADE_WORDS.keys().isdisjoint(words) and not _DIGIT.search(" ".join(words)):
        return out  # no number and no decade word: nothing to read
    only = len(words) <= 2
    for i, word in enumerate(words):
        if not word[0].isdigit() and word not in _DECADE_WORDS or i in taken:
            continue
        if word in _DECADE_WORDS:
            year = _decade(_DECADE_WORDS[word], words[max(0, i - 3):i])
            out.years.append((year, "decade", i))
            continue
        m = _NUMBER.fullmatch(word)
        if m:
            _number(out, words, i, m, raw, today, expect, only)
    return out


def _number(out: Numbers, words: tuple[str, ...], i: int, m: re.Match[str], raw: str,
            today: date, expect: str | None, only: bool) -> None:
    """One number: a year (full, short, decade, N years ago), an age, or nothing."""
    num = m.group(1)
    plural = bool(m.group(2)) or (i + 1 < len(words) and words[i + 1] == "s")
    value, prev = int(num), words[i - 1] if i else ""
    before = words[max(0, i - 3):i]
    if value < 100 and (_after(words, i, "ago") or _before(words, i, "hace")):
        out.years.append((today.year - value, "ago", i))
    elif len(num) == 4 and (plural or (num.endswith("0") and prev in _DECADE_CUES)):
        out.years.append((_decade(value - value % 10, before), "decade", i))
    elif len(num) == 2 and num.endswith("0") and (plural or prev in _DECADE_CUES):
        out.years.append((_decade(_century(value, today), before), "decade", i))
    elif len(num) == 4:
        if value >= 1900:
            out.years.append((value, "full", i))
    elif (size := _before(words, i, "age_before")) or _after(words, i, "age_after"):
        if _age_now(words, i):
            return  # "tengo 50 años", "I'm 45 now": today's age, not then
        if 5 <= value < 100:
            out.ages.append((value, i))
            out.age_cues.update(range(i - size, i))
    elif len(num) == 2 and (_apostrophe_before(raw, num) or _before(words, i, "two_digit")
                            or num.startswith("0")):
        out.years.append((_century(value, today), "short", i))
    elif only and len(num) <= 2 and expect == "age_at_offense" and 5 <= value < 100:
        out.ages.append((value, i))
    elif only and len(num) == 2 and expect == "conviction_date":
        out.years.append((_century(value, today), "short", i))
    elif len(num) == 2 and value >= 60 and not _age_now(words, i):
        out.years.append((_century(value, today), "short", i))  # "ventura, 98"


def _age_now(words: tuple[str, ...], i: int) -> bool:
    """Today's age ("tengo 50 años", "I'm 45 now", "I am 72"), not the age back then."""
    after = set(words[i + 1:i + 2]) & {"now", "ahora", "today", "hoy"}
    return bool(NOW_AGE & set(words[max(0, i - 2):i])) or bool(after) or \
        words[max(0, i - 2):i] == ("i", "am")


def negated(words: tuple[str, ...], pauses: frozenset[int], pos: int, reach: int = 2) -> bool:
    """A "not" (or "no", "nunca") within ``reach`` words before ``pos``, with no pause between.

    "not a felony", "no era en Kern" (reach 3) are negated; "no, it was a felony" and
    "crack, not weed. Compton" are not.
    """
    for back in range(1, reach + 1):
        at = pos - back
        if at < 0 or at in pauses:
            return False
        if words[at] in NOT_WORDS:
            return True
    return False


def choose(mentions: list[tuple[Any, int]], words: tuple[str, ...],
           pauses: frozenset[int] = frozenset()) -> Any:
    """One value from several mentions: a correction takes the last; "2001 or 2003" none.

    A mention right after "not" does not count ("a misdemeanor, not a felony").
    """
    if not mentions:
        return None
    kept = [(v, p) for v, p in mentions if not negated(words, pauses, p)]
    values = {v for v, _ in kept}
    if len(values) <= 1:
        return values.pop() if values else None
    kept.sort(key=lambda item: item[1])
    last = kept[-1]
    before = next(m for m in kept[::-1] if m[0] != last[0])
    between = set(words[before[1] + 1:last[1]])
    if between & EITHER or not between & CORRECTING:
        return None
    return last[0]


DETERMINERS: Final = frozenset({
    "a", "an", "some", "like", "about", "un", "una", "unos", "unas", "la",
                         "lo", "algo", "de", "poquita", "poquito", "lil", "little", "small",
                         "tiny", "few", "couple", "bit", "of"})
AMOUNT_WORDS: Final = frozenset({"gram", "grams", "oz", "ounce", "ounces", "bag", "baggie", "joint",
                          "joints", "zip", "qp", "pound", "pounds", "lb", "lbs", "plants",
                          "gramos", "gramo", "onza", "onzas", "bolsa", "bolsita", "libra",
                          "libras", "churro", "matas", "plantas"})
CASE_WORDS: Final = frozenset({"case", "charge", "conviction", "felony", "misdemeanor", "ticket",
                        "record", "caso", "cargo", "condena", "delito", "multa", "problema"})


def _weak(f: Found, words: tuple[str, ...], found: list[Found]) -> bool:
    """ "had", "tenía" alone: possession only before a drug or an amount, not a case
    ("I had a weed case" is not possession; "had some weed", "tenía mota" are)."""
    if f.cat != "charge" or words[f.start:f.end] not in CUES["weak"]:
        return False
    at = f.end
    while at < len(words) and words[at] in DETERMINERS:
        at += 1
    drug = next((g for g in found if g.start == at and g.cat in {"cannabis", "other_drug"}), None)
    if drug is not None:
        return drug.end < len(words) and words[drug.end] in CASE_WORDS
    return not (at < len(words) and words[at] in AMOUNT_WORDS)


def _apostrophe_before(raw: str, num: str) -> bool:
    """"'01", "’98": a year written short."""
    return any(f"{mark}{num}" in raw or f"{mark} {num}" in raw for mark in "'\u2019‘`´")


def _decade(start: int, before: tuple[str, ...]) -> int:
    if _EARLY.intersection(before):
        return start + 2
    if _LATE.intersection(before):
        return start + 8
    return start + 5


# --- putting it together --------------------------------------------------------------


@lru_cache(maxsize=4096)
def read(text: str, today: date, cannabis_known: bool = False,
         expect: str | None = None) -> Reading:
    """Every fact, command and question in one message.

    ``cannabis_known``: the conversation so far named cannabis (a charge word then counts).
    ``expect``: the fact the current question asks (a bare "16" is then that fact).
    """
    raw = text[:MAX_TEXT]
    folded = catalog.fold(raw)
    offense, mislabel, spans = read_section(folded)
    for start, end in reversed(spans):
        folded = folded[:start] + " " + folded[end:]
    words, pauses = _scan(folded)
    found = find_phrases(words)
    found += _typo_levels(words, found)
    r = Reading(found=found, mislabel=mislabel)
    cats: dict[str, list[Found]] = {}
    for f in found:
        cats.setdefault(f.cat, []).append(f)
    r.cannabis = "cannabis" in cats or _cannabis_section(offense)
    r.command = cats["cmd"][0].value if "cmd" in cats else None
    r.code_unknown = "code_unknown" in cats
    _read_place(r, cats.get("place", []), words, pauses, raw)
    nums = read_numbers(words, {i for f in found for i in range(f.start, f.end)}, raw, today,
                        expect)
    if nums.age_cues:  # "tenía 17": "tenía" was the age, not "I had it"
        cats["charge"] = [f for f in cats.get("charge", []) if f.start not in nums.age_cues]
    cats["charge"] = [f for f in cats.get("charge", []) if not _weak(f, words, found)]
    _read_offense(r, cats, offense, cannabis_known)
    _read_when(r, cats, nums, words, pauses, today)
    _read_simple(r, cats, words, pauses)
    _read_question(r, cats, raw, words)
    return r


def _read_question(r: Reading, cats: dict[str, list[Found]], raw: str,
                   words: tuple[str, ...]) -> None:
    """The topic of a question; "what does felony mean?" is a question, not a fact."""
    asked = cats.get("q") or []
    if not asked or not _is_question(raw, words):
        return
    topics = {f.value for f in asked}
    first = next((t for t in FIRST_TOPICS if t in topics), None)
    if first in {"meanings", "cr400"} and set(r.facts) <= {"level", "offense"}:
        r.facts.clear()  # the word asked about is not a fact ("what does infraction mean")
        r.charge = None
    if not r.empty:
        return
    best = max(asked, key=lambda f: (f.end - f.start, -TOPICS.index(f.value)))
    r.question = first or best.value
    if r.command == "help":
        r.command = None  # "what does sealed mean? I don't understand": answer the question


def _cannabis_section(offense: str | None) -> bool:
    found = sections.normalize_offense(offense) if offense else None
    return found is not None and found.section in CANNABIS_SECTIONS


QUESTION_WORDS: Final = frozenset(
    _words(str(p))[0] for entries in load_lexicons().values()
    for cat, _, p in entries if cat == "question_words" and _words(str(p))
)


def _is_question(raw: str, words: tuple[str, ...]) -> bool:
    """A question mark, a question word among the first three words, or a short message."""
    if "?" in raw or "¿" in raw:
        return True
    return bool(QUESTION_WORDS.intersection(words[:3])) or len(words) <= 5


def _read_place(r: Reading, places: list[Found], words: tuple[str, ...], pauses: frozenset[int],
                raw: str) -> None:
    """The county (or city, state, country) named: sure only when named plainly."""
    picked: list[tuple[str, str]] = []
    for f in places:
        name = " ".join(words[f.start:f.end])
        if not _place_ok(f, name, words, raw):
            continue
        if negated(words, pauses, f.start, reach=3):
            continue  # "not Fresno", "no era en Merced"
        picked.append(f.value)
    kinds = {kind for kind, _ in picked}
    names = {county for kind, county in picked if kind in {"county", "city"}}
    if kinds & {"other_state", "foreign"} and not names:
        r.facts["court"] = "other_state" if "other_state" in kinds else "foreign"
    elif len(names) == 1:
        r.facts["county"] = names.pop()
        if any(kind == "city" for kind, _ in picked):
            r.guessed.add("city")
    elif not names and "ask_nevada" in kinds:
        r.nevada = True
    elif not picked:
        guess = _typo_county(words)
        if guess:
            r.facts["county"] = guess
            r.guessed.add("county")


def _place_ok(f: Found, name: str, words: tuple[str, ...], raw: str) -> bool:
    """Short forms ("la") and names that are also words ("orange") need a cue."""
    short = len(name.replace(" ", "")) <= SHORT_ALIAS
    whole = f.end - f.start == len(words) or (len(words) <= 2 and not short)
    if not (short or name in NEEDS_CUE or name in SPANISH_NAMES) or whole:
        return True
    before = words[f.start - 1] if f.start > 0 else ""
    after = words[f.end] if f.end < len(words) else ""
    if after in {"county", "condado", "co", "city"}:
        return True
    if name in SPANISH_NAMES:
        capital = re.search(r"\b" + r"\s+".join(w.capitalize() for w in name.split()), raw)
        return capital is not None or (before in PLACE_CUES and before not in SPANISH_CUES)
    if short:
        upper = re.search(rf"\b{re.escape(name.upper().replace(' ', ''))}\b", raw) is not None
        return upper or (before in PLACE_CUES and before not in SPANISH_CUES)
    return before in PLACE_CUES


_COUNTY_KEYS: Final = {re.sub(r"[^a-z]", "", n.lower()): n for n in counties.county_names()}
_COUNTY_KEYS.update({re.sub(r"[^a-z]", "", a): n for a, n in counties.ALIASES.items()})
# Cities for typos too, only long names ("mamoth lakes"): a short one is too easily a word.
_CITY_KEYS: Final = {"".join(words): value[1] for words, (cat, value) in TABLE.phrases.items()
              if cat == "place" and value[0] == "city" and len("".join(words)) >= 8
              and " ".join(words) not in NEEDS_CUE | SPANISH_NAMES}
_CITIES_BY_START: Final[dict[str, dict[str, str]]] = {}  # typos seldom touch the first two letters
for _key, _county in _CITY_KEYS.items():
    _CITIES_BY_START.setdefault(_key[:2], {})[_key] = _county
_TYPO_CUES: Final = frozenset({"in", "en", "county", "condado", "of", "de"})


def _typo_county(words: tuple[str, ...]) -> str | None:
    """A county guessed from a typo: the whole short message, or the words after "in"."""
    spots: list[tuple[str, ...]] = []
    if len(words) <= 3:
        spots.append(words)
    for i, word in enumerate(words if not _TYPO_CUES.isdisjoint(words) else ()):
        if word in _TYPO_CUES:
            spots += [words[i + 1:i + 1 + n] for n in (1, 2, 3) if i + n < len(words) + 0]
            if word in {"county", "condado"} and i > 0:
                spots += [words[max(0, i - n):i] for n in (1, 2)]
    for spot in spots:
        key = "".join(w for w in spot if w not in _TYPO_CUES)
        if len(key) >= 5 and (name := closest_county(key)):
            return name
        if len(key) >= 8 and (name := closest(key, _CITIES_BY_START.get(key[:2], {}), 88)):
            return name
    return None


# Level words for typos ("misdameanor", "felany"): the one-word ones of six letters or more.
_LEVEL_KEYS: Final = {words[0]: value for words, (cat, value) in TABLE.phrases.items()
               if cat == "level" and len(words) == 1 and len(words[0]) >= 6}
_LEVEL_STARTS: Final = frozenset(key[:2] for key in _LEVEL_KEYS)  # typos seldom touch the first two
_LEVEL_LIKE: Final = re.compile(rf"\b(?:{'|'.join(sorted(_LEVEL_STARTS))})[a-z0-9]{{4}}")


def _typo_levels(words: tuple[str, ...], found: list[Found]) -> list[Found]:
    """A felony or misdemeanor word misspelled (85% alike), where no phrase was found."""
    if not _LEVEL_LIKE.search(" ".join(words)):
        return []  # no word of six letters or more starts like a level word
    taken = {i for f in found for i in range(f.start, f.end)}
    out = []
    for i, word in enumerate(words):
        if i in taken or len(word) < 6 or word[:2] not in _LEVEL_STARTS \
                or not word.isalpha() or word in TABLE.longest:
            continue
        if (value := closest(word, _LEVEL_KEYS, 85)) is not None:
            out.append(Found("level", value, i, i + 1))
    return out


def closest_county(key: str) -> str | None:
    """The county whose name (letters only) ``key`` is a typo of: 80% alike, and clearly
    closer than the next one (rapidfuzz's Indel ratio, as difflib's but in C)."""
    return closest(key, _COUNTY_KEYS, 80)


def closest(key: str, names: dict[str, str], cutoff: int) -> str | None:
    """The county of the name in ``names`` that ``key`` is a typo of: ``cutoff``% alike,
    and clearly closer than the next one unless both are in the same county."""
    close = process.extract(key, list(names), scorer=fuzz.ratio, limit=2, score_cutoff=cutoff)
    if not close or (len(close) > 1 and close[0][1] - close[1][1] < 5
                     and names[close[0][0]] != names[close[1][0]]):
        return None
    return names[close[0][0]]


def _read_offense(r: Reading, cats: dict[str, list[Found]], offense: str | None,
                  cannabis_known: bool) -> None:
    """The charge: only cannabis is cannabis; another drug is "other"; a role is careful."""
    roles = [f.value for f in cats.get("role", [])]
    if roles:  # careful whatever the drug: never the automatic review
        r.facts["offense"] = "conspiracy" if "conspiracy" in roles else "accessory"
    elif "other_drug" in cats and not _cannabis_section(offense):
        r.facts["offense"] = "other"
    elif offense:
        r.facts["offense"] = offense
    else:
        kind = _kind({f.value for f in cats.get("charge", [])})
        if kind and (r.cannabis or cannabis_known):
            r.facts["offense"] = kind
        elif kind:
            r.charge = kind


def _kind(kinds: set[str]) -> str | None:
    """One charge kind from the words; a grow and a sale together is a conflict (ask)."""
    if "possession_for_sale" in kinds:
        return "possession_for_sale"
    strong = kinds - {"possession"}
    if len(strong) > 1:
        return None
    return strong.pop() if strong else ("possession" if kinds else None)


def _read_when(r: Reading, cats: dict[str, list[Found]], nums: Numbers, words: tuple[str, ...],
               pauses: frozenset[int], today: date) -> None:
    """The conviction year (or before/after Prop 64) and the age."""
    if not (nums.years or nums.ages or "year" in cats or "age" in cats):
        return  # nothing said about when
    marks = {f.value for f in cats.get("year", [])}
    if "before_prop64" in marks and "after_prop64" not in marks:
        r.facts["conviction_date"] = "2016-06"
        r.year_note = ("understood_before", "2016")
    elif "after_prop64" in marks and "before_prop64" not in marks:
        r.facts["conviction_date"] = "2016-12"
        r.year_note = ("understood_after", "2016")
    else:
        past = [item for item in nums.years if item[0] <= today.year
                and not END_WORDS.intersection(words[max(0, item[2] - 4):item[2]])]
        year = choose([(y, p) for y, _, p in past], words, pauses)
        if year is not None:
            _set_year(r, next(item for item in past if item[0] == year), today)
    age = choose([(_age_bucket(a), p) for a, p in nums.ages], words, pauses)
    if age is not None:
        r.facts["age_at_offense"] = age
    groups = {f.value for f in cats.get("age", []) if f.value in {"under_18", "18_20", "21_plus"}}
    if len(groups) == 1 and "age_at_offense" not in r.facts:
        r.facts["age_at_offense"] = groups.pop()


def _set_year(r: Reading, item: tuple[int, str, int], today: date) -> None:
    value, how, _ = item
    if value == 2016 or (how == "decade" and 2010 <= value <= 2019):
        r.split = True
        note = str(value - value % 10) if how == "decade" else None
        r.year_note = ("understood_decade", note) if note else None
        return
    r.facts["conviction_date"] = str(value)
    if how == "decade":
        r.year_note = ("understood_decade", str(value - value % 10))
    elif how == "ago":
        r.year_note = ("understood_year_about", str(value))
    elif how == "short":
        r.year_note = ("understood_year", str(value))


def _age_bucket(age: int) -> str:
    if age < 18:
        return "under_18"
    return "18_20" if age <= 20 else "21_plus"


_SIMPLE: Final = {"level": "level", "court": "court", "juvenile": "juvenile",
           "serving": "currently_serving"}  # phrase category: fact key


def _read_simple(r: Reading, cats: dict[str, list[Found]], words: tuple[str, ...],
                 pauses: frozenset[int]) -> None:
    """Level, court, juvenile and still serving: one value each (a correction takes the last)."""
    for cat, key in () if cats.keys().isdisjoint(_SIMPLE) else _SIMPLE.items():
        if cat not in cats:
            continue
        mentions = [(_negated(f, words, pauses), f.start) for f in cats[cat]]
        value = choose(mentions, words, pauses) if cat in {"level", "court"} else _one(mentions)
        if value is None:
            continue
        if key in {"juvenile", "currently_serving"}:
            r.facts[key] = value == "yes"
        elif key == "court":
            r.facts["court"] = value
            if value != "california":
                r.facts.pop("county", None)
        else:
            r.facts[key] = value
    if "county" in r.facts and "court" not in r.facts:
        r.facts["court"] = "california"


def _one(mentions: list[tuple[Any, int]]) -> Any:
    values = {v for v, _ in mentions}
    return values.pop() if len(values) == 1 else None


def _negated(f: Found, words: tuple[str, ...], pauses: frozenset[int]) -> Any:
    """A yes/no reading said with "no" or "not" just before it means the opposite."""
    if f.value not in {"yes", "no"}:
        return f.value
    if negated(words, pauses, f.start, reach=1) or \
            words[max(0, f.start - 2):f.start] == ("no", "longer"):
        return "no" if f.value == "yes" else "yes"
    return f.value
