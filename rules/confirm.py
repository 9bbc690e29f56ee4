"""How a person confirms an outcome: ordered steps, specific to the county when known.

Sources: shared/domain/confirm.md (ways 1-5) and counties.csv.
"""

from __future__ import annotations

from .counties import County, get

DOJ_REVIEW = {
    "kind": "doj_record_review",
    "name": "Your own California DOJ record (Record Review: form BCIA 8016RR and Live Scan)",
    "url": "https://www.oag.ca.gov/fingerprints/record-review/ab1793",
}
LEGAL_AID = {
    "kind": "legal_aid",
    "name": "Free legal help near you (LawHelpCA)",
    "url": "https://lawhelpca.org",
}
STATEWIDE_COURT = {
    "kind": "court",
    "name": "The superior court in the county where you were convicted",
    "url": "https://courts.ca.gov/prop64.htm",
}


def _step(kind: str, name: str, url: str = "", phone: str = "") -> dict[str, str]:
    step = {"kind": kind, "name": name}
    if url:
        step["url"] = url
    if phone:
        step["phone"] = phone
    return step


def _office(county: County, kind: str, default_name: str, url: str) -> dict[str, str]:
    """The county's office of this kind, with the best contact the data has."""
    for contact in county.contacts:
        if contact.kind == kind:
            return _step(kind, contact.name, contact.url or url, contact.phone)
    return _step(kind, default_name, url)


def county_steps(county: County) -> list[dict[str, str]]:
    """Public Defender, District Attorney and court of one county."""
    return [
        _office(
            county,
            "county_public_defender",
            f"{county.name} County Public Defender",
            county.public_defender_url,
        ),
        _office(
            county,
            "county_district_attorney",
            f"{county.name} County District Attorney",
            county.da_url,
        ),
        _step("court", county.court_name, county.court_url, county.court_phone),
    ]


def confirm_steps(county_name: str | None, outcome: str) -> list[dict[str, str]]:
    """Ordered steps to verify the outcome (empty only for not_covered)."""
    if outcome == "not_covered":
        return [dict(LEGAL_AID)]
    county = get(county_name)
    if county is None:
        local = [
            _step("county_public_defender", "The Public Defender in the county of conviction"),
            _step("county_district_attorney", "The District Attorney in the county of conviction"),
            dict(STATEWIDE_COURT),
        ]
    else:
        local = county_steps(county)
    if outcome in {"likely_destroyed", "petition"}:
        local = [local[2], local[0], local[1]]  # the court acts on these: ask it first
    return [*local, dict(DOJ_REVIEW), dict(LEGAL_AID)]
