"""The checked county directory: phones and pages per county, each with where it was read.

``data/contacts.csv`` is a copy of ``shared/domain/contacts.csv`` (one wide row a county,
with the researcher's notes). ``data/directory.csv`` is what the rules use: one row an
office, with the page the value was read on (``source``), the day (``read_on``) and how
far to trust it (``trust``):

- ``official``: read on the court's, county's or office's own site;
- ``confirmed``: read on another page and confirmed by a second page;
- ``lead``: one third-party page, an old reprint, or a line of another kind. Kept so an
  editor can re-check it; never sent to a person.

``cannabis`` marks an office with a documented cannabis-relief line.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Final

DATA: Final = Path(__file__).parent / "data"
SENDABLE: Final = frozenset({"official", "confirmed"})
# Which county phone to give first (issue 11): a documented cannabis-relief line, then the
# Public Defender, then the court's criminal clerk; the District Attorney last.
PHONE_ORDER: Final = ("public_defender", "court", "district_attorney")


@dataclass(frozen=True)
class Entry:
    """One office's phone and/or page in one county."""

    county: str
    office: str  # court | public_defender | district_attorney | legal_aid
    name: str
    phone: str
    url: str
    source: str
    read_on: str
    trust: str  # official | confirmed | lead | "" (a page only)
    cannabis: bool
    note: str

    @property
    def sendable(self) -> bool:
        """True when the phone may be given to a person."""
        return bool(self.phone) and self.trust in SENDABLE


def _load() -> dict[str, tuple[Entry, ...]]:
    found: dict[str, list[Entry]] = {}
    with (DATA / "directory.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            entry = Entry(
                county=row["county"], office=row["office"], name=row["name"],
                phone=row["phone"], url=row["url"], source=row["source"],
                read_on=row["read_on"], trust=row["trust"], cannabis=row["cannabis"] == "yes",
                note=row["note"],
            )
            found.setdefault(entry.county, []).append(entry)
    return {county: tuple(entries) for county, entries in found.items()}


DIRECTORY: Final[dict[str, tuple[Entry, ...]]] = _load()


def entries(county: str | None) -> tuple[Entry, ...]:
    """Everything the directory holds for one county (leads included)."""
    return DIRECTORY.get(county or "", ())


def entry(county: str | None, office: str) -> Entry | None:
    """The county's row for one office, if any."""
    return next((e for e in entries(county) if e.office == office), None)


def phones(county: str | None) -> list[Entry]:
    """The county's sendable phones, best first: cannabis line, PD, court, DA."""
    found = [e for e in entries(county) if e.sendable and e.office in PHONE_ORDER]
    return sorted(found, key=lambda e: (not e.cannabis, PHONE_ORDER.index(e.office)))


def county_phone(county: str | None) -> Entry | None:
    """The one county phone a verdict gives first, or None (statewide routes only)."""
    found = phones(county)
    return found[0] if found else None


def legal_aid(county: str | None) -> Entry | None:
    """The county's free legal-aid group with a sendable phone, if the directory has one."""
    found = entry(county, "legal_aid")
    return found if found is not None and found.sendable else None
