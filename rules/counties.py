"""County data: the 58 California counties, their courts, offices and programs.

Loaded once at import from ``rules/data/`` (copied from ``shared/domain/counties.csv``
plus a small file of our own: what each county's program did). Phones are in the checked
directory, ``rules.contacts``.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

DATA: Final = Path(__file__).parent / "data"


@dataclass(frozen=True)
class County:
    """What we know about one county."""

    name: str
    court_name: str
    court_url: str
    court_phone: str
    da_url: str
    public_defender_url: str
    program_note: str
    program_source_url: str
    verified: str
    practice: str = "unknown"  # dismissed_all | dismissed_most | mixed | per_statute | unknown
    progress: str = "unknown"  # caught_up | behind | unknown


def _read_csv(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _load() -> dict[str, County]:
    programs = {row["county"]: row for row in _read_csv("programs.csv")}
    counties = {}
    for row in _read_csv("counties.csv"):
        name = row["county"]
        program = programs.get(name, {})
        counties[name] = County(
            name=name,
            court_name=row["court_name"],
            court_url=row["court_url"],
            court_phone=row["court_phone"],
            da_url=row["da_url"],
            public_defender_url=row["public_defender_url"],
            program_note=row["program_note"],
            program_source_url=row["program_source_url"],
            verified=row["verified"],
            practice=program.get("practice", "unknown"),
            progress=program.get("progress", "unknown"),
        )
    return counties


COUNTIES: Final[dict[str, County]] = _load()

# Common short forms and nicknames people use for a county.
ALIASES: Final[dict[str, str]] = {
    "la": "Los Angeles",
    "l a": "Los Angeles",
    "lac": "Los Angeles",
    "los angelos": "Los Angeles",
    "sf": "San Francisco",
    "s f": "San Francisco",
    "frisco": "San Francisco",
    "san fran": "San Francisco",
    "sd": "San Diego",
    "oc": "Orange",
    "orange county": "Orange",
    "san berdoo": "San Bernardino",
    "slo": "San Luis Obispo",
    "sac": "Sacramento",
    "sacto": "Sacramento",
    "sj": "San Joaquin",
    "santa clara valley": "Santa Clara",
    "cc": "Contra Costa",
    "contra costa county": "Contra Costa",
}

_PREFIX: Final = re.compile(
    r"^(?:(?:the )?superior court(?: of california)?(?: for| of)? ?|city and county of |county of "
    r"|condado de )+"
)
_SUFFIX: Final = re.compile(r"(?: (?:county|co|ca|california|calif|condado))+$")
_KEY: Final = {re.sub(r"[^a-z]", "", name.lower()): name for name in COUNTIES}


def county_names() -> list[str]:
    """The 58 county names, alphabetical."""
    return sorted(COUNTIES)


@lru_cache(maxsize=1024)
def normalize_county(text: object) -> str | None:
    """The county's canonical name for ``text``, or None if it names no county.

    Accepts any case, with or without "County" / "Co.", spaces or none, and short forms
    ("LA", "SF", "OC"). Typos are left to the dialog layer.
    """
    if not isinstance(text, str) or len(text) > 80:
        return None
    if text in COUNTIES:  # already canonical (what the dialog stores)
        return text
    plain = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    spaced = " ".join(re.sub(r"[^a-z ]", " ", plain).split())
    spaced = _PREFIX.sub("", spaced)
    spaced = _SUFFIX.sub("", spaced)
    if spaced in ALIASES:
        return ALIASES[spaced]
    return _KEY.get(spaced.replace(" ", ""))


def get(name: str | None) -> County | None:
    """The county record for a canonical name."""
    return COUNTIES.get(name) if name else None
