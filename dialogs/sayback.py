"""Saying back what a message told us, in one short line ("Got it: Kern County, 2005.")."""

from __future__ import annotations

from typing import Any, Final

from rules import sections

from . import catalog
from .reader import Reading

ORDER: Final = (
    "court", "county", "offense", "conviction_date", "level", "age_at_offense", "juvenile",
         "currently_serving")


def _t(lang: str, key: str, **params: Any) -> str:
    return catalog.text(lang, key, **params)


def part(lang: str, key: str, value: Any, reading: Reading) -> str:
    """One fact, worded plainly ("Kern County", "selling", "felony")."""
    if key == "county":
        return "" if value == "unknown" else _t(lang, "got.county", county=value)
    if key == "court":
        return "" if value in {"california", "unknown"} else _t(lang, f"got.court.{value}")
    if key == "offense":
        if reading.mislabel:
            return _t(lang, "got.mislabel", section=reading.mislabel)
        found = sections.normalize_offense(value)
        if found is not None and found.section and value not in sections.PLAIN_KINDS:
            return found.label
        return _t(lang, f"got.offense.{value}") if value in sections.PLAIN_KINDS else ""
    if key == "conviction_date":
        return _year(lang, str(value), reading)
    if key in {"juvenile", "currently_serving"}:
        return _t(lang, f"got.{key}.{'yes' if value else 'no'}")
    if key in {"level", "age_at_offense"}:
        return _t(lang, f"got.{key}.{value}")
    return ""


def _year(lang: str, value: str, reading: Reading) -> str:
    if value == "2016-06":
        return _t(lang, "got.year.before")
    if value == "2016-12":
        return _t(lang, "got.year.after")
    note = reading.year_note
    if note and note[0] == "understood_decade":
        return _t(lang, "got.year.decade", year=note[1])
    if note and note[0] == "understood_year_about":
        return _t(lang, "got.year.about", year=value)
    return value


def line(lang: str, facts: dict[str, Any], reading: Reading) -> str:
    """"Got it: ..." for the facts this message set; a guessed county is asked back."""
    parts = [part(lang, key, facts[key], reading) for key in ORDER if key in facts]
    parts = [p for p in parts if p]
    if not parts and reading.split and reading.year_note:
        parts = [_t(lang, "got.year.decade", year=reading.year_note[1])]
    if not parts:
        return ""
    if "county" in reading.guessed and "county" in facts:
        rest = [p for p in parts if p != part(lang, "county", facts["county"], reading)]
        guess = _t(lang, "got.guess", county=facts["county"])
        return f"{guess} {_t(lang, 'got', facts=', '.join(rest))}" if rest else guess
    return _t(lang, "got", facts=", ".join(parts))
