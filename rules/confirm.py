"""How a person confirms an outcome: ordered steps, specific to the county when known.

Sources: shared/domain/confirm.md (ways 1-5) and counties.csv.
"""

from __future__ import annotations

from .counties import Contact, County, get

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


def _contact(county: County, kind: str) -> Contact | None:
    return next((c for c in county.contacts if c.kind == kind), None)


def _office(county: County, kind: str, default_name: str, url: str) -> dict[str, str]:
    """The county's office of this kind, with the best contact the data has."""
    contact = _contact(county, kind)
    if contact:
        return _step(kind, contact.name, contact.url or url, contact.phone)
    return _step(kind, default_name, url)


def county_steps(county: County) -> list[dict[str, str]]:
    """The county's Public Defender (where the data knows one), District Attorney and court.

    Some small counties have no Public Defender office (confirm.md), so none is invented.
    """
    steps = []
    if county.public_defender_url or _contact(county, "county_public_defender"):
        steps.append(_office(county, "county_public_defender", f"{county.name} County Public "
                             "Defender", county.public_defender_url))
    steps.append(_office(county, "county_district_attorney",
                         f"{county.name} County District Attorney", county.da_url))
    steps.append(_step("court", county.court_name, county.court_url, county.court_phone))
    return steps


def confirm_steps(county_name: str | None, outcome: str, *, local: bool = False) -> list[dict]:
    """Ordered steps to verify the outcome.

    ``not_covered`` gets legal aid only, unless ``local`` asks for the county's offices too
    (a case that may have been pending on 9 Nov 2016).
    """
    if outcome == "not_covered" and not local:
        return [dict(LEGAL_AID)]
    county = get(county_name)
    if county is None:
        steps = [
            _step("county_public_defender", "The Public Defender in the county of conviction"),
            _step("county_district_attorney", "The District Attorney in the county of conviction"),
            dict(STATEWIDE_COURT),
        ]
    else:
        steps = county_steps(county)
    if outcome == "likely_destroyed":
        steps.sort(key=lambda step: step["kind"] != "court")  # the court destroys records
    return [*steps, dict(DOJ_REVIEW), dict(LEGAL_AID)]
