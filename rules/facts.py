"""Facts about one conviction, read leniently: anything malformed is simply unknown."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any, Final

from .counties import normalize_county
from .sections import Offense, normalize_offense

UNKNOWN: Final = object()

COURTS: Final = frozenset({"california", "federal", "other_state", "military", "tribal", "foreign"})
COURT_ALIASES: Final = {"dc": "federal", "d.c.": "federal", "district_of_columbia": "federal"}
LEVELS: Final = frozenset({"felony", "misdemeanor", "infraction"})
AMOUNTS: Final = frozenset({"small", "large"})
AGES: Final = frozenset({"under_18", "18_20", "21_plus"})
BOOLEAN_KEYS: Final = (
    "juvenile",
    "currently_serving",
    "prior_super_strike",
    "pc290_registrant",
    "sale_to_minor",
    "used_minor",
    "interstate",
    "environmental_harm",
    "noncitizen",
    "checked_not_cleared",
    "concentrate",
    "offense_before_prop64",
    "some_disqualifier",
)


class ConvictionDate:
    """A conviction date known to a year, a month or a day, with the first and the last
    day it can mean (worked out once: the rules ask for them often). Raises ValueError
    for a day that does not exist."""

    def __init__(self, year: int, month: int | None = None, day: int | None = None) -> None:
        self.year, self.month, self.day = year, month, day
        self.earliest = date(year, month or 1, day or 1)
        self.latest = _last_day(year, month, day)


def _last_day(year: int, month: int | None, day: int | None) -> date:
    if day:
        return date(year, month or 12, day)
    if month:
        nxt = date(year + (month == 12), month % 12 + 1, 1)
        return date.fromordinal(nxt.toordinal() - 1)
    return date(year, 12, 31)


class Facts:
    """One conviction's facts; None means unknown. (A plain class: compiled (setup.py),
    its fields are read without a lookup; made for every assessment.)"""

    court: str | None = None
    county: str | None = None
    offense: Offense | None = None
    level: str | None = None
    conviction_date: ConvictionDate | None = None
    age_at_offense: str | None = None
    amount: str | None = None
    prior_same_offense_convictions: int | None = None
    juvenile: bool | None = None
    currently_serving: bool | None = None
    prior_super_strike: bool | None = None
    pc290_registrant: bool | None = None
    sale_to_minor: bool | None = None
    used_minor: bool | None = None
    interstate: bool | None = None
    environmental_harm: bool | None = None
    noncitizen: bool | None = None
    checked_not_cleared: bool | None = None
    concentrate: bool | None = None  # concentrated cannabis (hash oil, wax): old 11357(a)
    offense_before_prop64: bool | None = None  # the act happened before 9 Nov 2016
    some_disqualifier: bool | None = None  # "one or more of these apply", not yet which
    conviction_date_future: bool = False  # a date after today was given (a typo): ask again

    def __init__(self, **found: Any) -> None:
        for key, value in found.items():
            setattr(self, key, value)


def _enum(value: Any, allowed: frozenset[str]) -> str | None:
    if isinstance(value, str):
        text = value.strip().lower().replace("-", "_").replace(" ", "_")
        return text if text in allowed else None
    return None


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in {"true", "yes", "y"}:
            return True
        if text in {"false", "no", "n"}:
            return False
    return None


def _count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= 1000 else None
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 4:
        return int(value.strip())
    return None


_DATE: Final = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*$")


def _read_date(value: Any) -> ConvictionDate | None:
    """A calendar date from "YYYY", "YYYY-MM", "YYYY-MM-DD" or an int year (from 1900)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        year, month, day = value, None, None
    elif isinstance(value, str) and len(value) == 4 and value.isdigit():  # "2005": most
        year, month, day = int(value), None, None
    elif isinstance(value, str) and (m := _DATE.match(value)):
        year = int(m.group(1))
        month = int(m.group(2)) if m.group(2) else None
        day = int(m.group(3)) if m.group(3) else None
    else:
        return None
    if not 1900 <= year <= 9998:
        return None
    try:
        return ConvictionDate(year, month, day)
    except ValueError:  # no such day or month
        return None


def _dated(value: Any, today: date) -> dict[str, Any]:
    """The conviction date as Facts fields: a date after today is a typo such as 2031, so it
    is no date and is flagged to be asked again."""
    when = _read_date(value)
    if when is None:
        return {}
    if when.earliest > today:
        return {"conviction_date_future": True}
    return {"conviction_date": when}


def _age(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        if 0 < value < 18:
            return "under_18"
        if 18 <= value <= 20:
            return "18_20"
        return "21_plus" if 21 <= value < 120 else None
    return _enum(value, AGES)


def _court(value: Any) -> str | None:
    if isinstance(value, str) and value.strip().lower() in COURT_ALIASES:
        return COURT_ALIASES[value.strip().lower()]
    return _enum(value, COURTS)


def _int_as_text(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _text(value: Any, normalize: Any) -> Any:
    return normalize(value) if isinstance(value, str) else None


def _offense(value: Any) -> Offense | None:
    return _text(_int_as_text(value), normalize_offense)


# How each fact key is read (the date keys, which need today, are read in parse_facts).
READERS: Final[dict[str, Any]] = {
    "court": _court,
    "county": lambda value: _text(value, normalize_county),
    "offense": _offense,
    "level": lambda value: _enum(value, LEVELS),
    "age_at_offense": _age,
    "amount": lambda value: _enum(value, AMOUNTS),
    "prior_same_offense_convictions": _count,
    **{key: _bool for key in BOOLEAN_KEYS},
}


def parse_facts(raw: Mapping[str, Any], today: date) -> Facts:
    """Read a facts mapping; unknown keys are ignored and malformed values are unknown.

    Only the keys given are read (an absent key, ``None`` and ``"unknown"`` are all unknown).
    """
    if not isinstance(raw, Mapping):
        return Facts()
    found: dict[str, Any] = {}
    for key, value in raw.items():
        if value is None or value == "unknown":
            continue
        if key == "conviction_date":
            found.update(_dated(value, today))
        elif (read := READERS.get(key)) is not None:
            found[key] = read(value)
    return Facts(**found)
