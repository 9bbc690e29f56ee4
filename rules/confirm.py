"""How a person confirms an outcome: ordered steps, specific to the county when known.

Sources: shared/domain/confirm.md (ways 1-5), counties.csv and the checked directory
(``rules.contacts``). Every step carries ``source`` (the page its phone or address was
read on) and ``read_on`` (the day, or the month for counties.csv), so an editor can
re-check it. Only phones marked official or confirmed by a second page are given.
"""

from __future__ import annotations

from typing import Final

from . import contacts
from .counties import COUNTIES, County, get

# counties.csv (court, DA and PD web addresses): read in November 2026 (counties_sources.md).
COUNTIES_SOURCE: Final = "https://www4.courts.ca.gov/superiorcourts.htm (counties_sources.md)"
COUNTIES_READ_ON: Final = "2026-11"
DOJ_REVIEW: Final = {
    "kind": "doj_record_review",
    "name": "Your own California DOJ record: Record Review with Live Scan (form BCIA 8016RR); "
    "the $25 DOJ fee can be waived for low income",
    "url": "https://oag.ca.gov/fingerprints/record-review/fee-waiver",
    "source": "https://oag.ca.gov/fingerprints/record-review/fee-waiver",
    "read_on": "2026-12-01",
}
LEGAL_AID: Final = {
    "kind": "legal_aid",
    "name": "Free legal help near you (LawHelpCA)",
    "url": "https://lawhelpca.org",
    "source": "https://aapca2.org/?p=8778 (lists lawhelpca.org; confirm.md)",
    "read_on": "2026-12-01",
}
IMMIGRATION_HELP: Final = {
    "kind": "immigration_legal_help",
    "name": "Free immigration legal help (LawHelpCA, immigration)",
    "url": "https://www.lawhelpca.org/topic/immigration",
    "source": "https://aapca2.org/?p=8778",
    "read_on": "2026-12-01",
}
PARDON_ATTORNEY: Final = {
    "kind": "pardon_attorney",
    "name": "U.S. Office of the Pardon Attorney: certificate of pardon",
    "url": "https://www.justice.gov/pardon",
    "source": "https://www.justice.gov/pardon (links the certificate application: "
    "https://www.justice.gov/pardon/presidential-proclamation-marijuana-possession)",
    "read_on": "2026-12-01",
}
STATEWIDE_COURT: Final = {
    "kind": "court",
    "name": "The superior court in the county where you were convicted",
    "url": "https://courts.ca.gov/prop64.htm",
    "source": "https://courts.ca.gov/prop64.htm (law.md section 2)",
    "read_on": COUNTIES_READ_ON,
}
KINDS: Final = {"public_defender": "county_public_defender", "court": "court",
         "district_attorney": "county_district_attorney"}


def _step(kind: str, name: str, *, url: str = "", phone: str = "", source: str = "",
          read_on: str = "", line: str = "") -> dict[str, str]:
    step = {"kind": kind, "name": name}
    for key, value in (("url", url), ("phone", phone), ("source", source),
                       ("read_on", read_on), ("line", line)):
        if value:
            step[key] = value
    return step


def _name(county: County, office: str, entry: contacts.Entry | None) -> str:
    if entry is not None and entry.name:
        return entry.name
    return {"court": county.court_name,
            "public_defender": f"{county.name} County Public Defender",
            "district_attorney": f"{county.name} County District Attorney"}[office]


def _counties_url(county: County, office: str) -> str:
    return {"court": county.court_url, "public_defender": county.public_defender_url,
            "district_attorney": county.da_url}[office]


def _office_step(county: County, office: str) -> dict[str, str] | None:
    """The county's office as a step: its sendable phone, else its web page, else None."""
    entry = contacts.entry(county.name, office)
    name = _name(county, office, entry)
    if entry is not None and entry.sendable:
        return _step(KINDS[office], name, phone=entry.phone, url=entry.url or
                     _counties_url(county, office), source=entry.source, read_on=entry.read_on,
                     line="cannabis" if entry.cannabis else "")
    url = _counties_url(county, office)
    if url:
        return _step(KINDS[office], name, url=url, source=COUNTIES_SOURCE,
                     read_on=COUNTIES_READ_ON)
    if entry is not None and entry.url:
        return _step(KINDS[office], name, url=entry.url, source=entry.source,
                     read_on=entry.read_on)
    return None


def county_steps(county: County) -> list[dict[str, str]]:
    """The county's offices: those with a phone we may give first (cannabis-relief line,
    Public Defender, court, District Attorney), then those known only by a web page.

    Some small counties have no Public Defender office (confirm.md), so none is invented.
    """
    with_phone = [e.office for e in contacts.phones(county.name)]
    rest = [o for o in ("public_defender", "district_attorney", "court") if o not in with_phone]
    steps = (_office_step(county, office) for office in [*with_phone, *rest])
    return [step for step in steps if step is not None]


def statewide_steps() -> list[dict[str, str]]:
    """When the county is not known: who to ask, in words, and the courts' Prop 64 page."""
    return [
        _step("county_public_defender", "The Public Defender in the county of conviction"),
        _step("county_district_attorney", "The District Attorney in the county of conviction"),
        dict(STATEWIDE_COURT),
    ]


def legal_aid_step(county_name: str | None) -> dict[str, str]:
    """The county's free legal-aid group when the directory has a phone we may give,
    otherwise the statewide directory (LawHelpCA)."""
    entry = contacts.legal_aid(county_name)
    if entry is None:
        return dict(LEGAL_AID)
    return _step("legal_aid", entry.name, phone=entry.phone, url=entry.url,
                 source=entry.source, read_on=entry.read_on)


# The directory joined once, at import, for every county (the data files do not change
# while the process runs): a lookup per assessment, not a rebuild.
_OFFICES: Final = {c.name: tuple(county_steps(c)) for c in COUNTIES.values()}
_LEGAL_AID: Final = {c.name: legal_aid_step(c.name) for c in COUNTIES.values()}
_NO_COUNTY: Final = tuple(statewide_steps())
_NO_COUNTY_AID: Final = legal_aid_step(None)


def confirm_steps(county_name: str | None, outcome: str, *, local: bool = False) -> list[dict]:
    """Ordered steps to verify the outcome.

    ``not_covered`` gets legal aid only, unless ``local`` asks for the county's offices too
    (a case that may have been pending on 9 Nov 2016).
    """
    county = get(county_name)
    aid = dict(_LEGAL_AID[county.name] if county is not None else _NO_COUNTY_AID)
    if outcome == "not_covered" and not local:
        return [aid]
    steps = [dict(s) for s in (_NO_COUNTY if county is None else _OFFICES[county.name])]
    if outcome == "likely_destroyed":
        steps.sort(key=lambda step: step["kind"] != "court")  # the court destroys records
    return [*steps, dict(DOJ_REVIEW), aid]
