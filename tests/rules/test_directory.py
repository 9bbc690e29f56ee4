"""The checked county directory: where every phone was read, what is sent, what is a lead."""

import csv
import re
from pathlib import Path

import pytest

import rules
from dialogs import verdict
from rules import contacts, counties

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "rules" / "data"
PHONE = re.compile(r"^\(\d{3}\) \d{3}-\d{4}$")
DAY = re.compile(r"^20\d\d-\d\d-\d\d$")
PAGE = re.compile(r"https?://[^\s),;]+")
PHONE_SEEN = re.compile(r"\(?\d{3}\)?[ .-]*\d{3}-\d{4}")  # as a page writes it: 209-257-2605
STANDARD = {"court": "california", "offense": "11359", "conviction_date": "2009",
            "age_at_offense": "21_plus", "level": "felony", "currently_serving": False,
            "prior_super_strike": False, "pc290_registrant": False,
            "prior_same_offense_convictions": 0, "sale_to_minor": False, "used_minor": False}
# Counties where a standard check gives statewide routes only (and the court's web site):
# no phone was seen on an official page or confirmed by a second page. Each was searched
# (contacts.md and docs/phone-search.md say what was searched).
STATEWIDE_ONLY = ["Orange", "San Diego"]


def _digits(phone: str) -> str:
    """A phone's digits, however the page wrote it."""
    return re.sub(r"\D", "", phone)


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_every_phone_has_a_source_page_a_date_and_a_trust_mark():
    for row in _rows("directory.csv"):
        assert row["county"] in counties.COUNTIES, row
        assert row["office"] in {"court", "public_defender", "district_attorney", "legal_aid"}
        if row["phone"]:
            assert PHONE.match(row["phone"]), row
            assert row["source"].startswith("http"), row
            assert DAY.match(row["read_on"]), row
            assert row["trust"] in {"official", "confirmed", "lead"}, row
        else:
            assert row["trust"] == "", row


def test_no_phone_that_was_not_read_on_a_page():
    """Every phone in the directory is one the shared directory saw, for the same county,
    or one this project read on a page: its note quotes the words seen, and a phone read
    on a third-party page is sent only when the note names a second page with it."""
    seen = {(r["county"], v) for r in _rows("contacts.csv") for k, v in r.items()
            if k.endswith("_phone") and v}
    for row in _rows("directory.csv"):
        if row["phone"] and (row["county"], row["phone"]) not in seen:
            assert row["note"].startswith("Added by issue 11: '"), row
            quoted = PHONE_SEEN.findall(row["note"].split("'")[1])  # the words seen
            assert [_digits(p) for p in quoted].count(_digits(row["phone"])) == 1, row
            if row["trust"] == "confirmed":  # the second page that gives the same number
                assert [u for u in PAGE.findall(row["note"]) if u != row["source"]], row


def test_contacts_csv_is_the_shared_copy():
    shared = ROOT.parent / "shared" / "domain" / "contacts.csv"
    if not shared.exists():
        pytest.skip("shared/domain is not beside this checkout")
    assert (DATA / "contacts.csv").read_bytes() == shared.read_bytes()


def test_only_official_or_twice_confirmed_phones_reach_a_person():
    leads = {(r["county"], r["phone"]) for r in _rows("directory.csv") if r["trust"] == "lead"}
    assert ("Mono", "(760) 924-1710") in leads  # a victim-services line in a third-party reprint
    assert ("Orange", "(877) 872-2122") in leads  # official, but automated: no one to ask
    for name in counties.county_names():
        for outcome in ("likely_cleared", "petition", "not_eligible", "likely_destroyed"):
            for step in rules.confirm.confirm_steps(name, outcome):
                assert (name, step.get("phone")) not in leads, (name, step)
                if step.get("phone") or step.get("url"):
                    assert step.get("source") and step.get("read_on"), step


def test_the_order_cannabis_line_then_public_defender_then_court():
    assert contacts.county_phone("Los Angeles").phone == "(323) 760-6763"  # PD cannabis line
    assert contacts.county_phone("Marin").office == "district_attorney"  # Prop 64 line
    assert contacts.county_phone("Sacramento").office == "public_defender"
    assert contacts.county_phone("Fresno").office == "court"  # no PD phone seen
    assert contacts.county_phone("San Joaquin").office == "district_attorney"  # nothing else
    assert contacts.county_phone("Orange") is None


def test_a_standard_check_gives_a_county_phone_except_in_the_listed_counties():
    without = []
    for name in counties.county_names():
        assessment = rules.assess({**STANDARD, "county": name}).to_dict()
        text = " ".join(verdict.compose("en", assessment, name, ask="?", labels=[]))
        phone = contacts.county_phone(name)
        if phone is None:
            without.append(name)
            assert f"{name} County" in text and "BCIA 8016RR" in text  # statewide routes
        else:
            assert phone.phone in text, (name, text)
    assert without == STATEWIDE_ONLY
    assert 58 - len(without) == 56


def test_unknown_county_gives_statewide_routes_only():
    assessment = rules.assess({**STANDARD}).to_dict()
    assert not [s for s in assessment["confirm"] if s.get("phone")]
    text = " ".join(verdict.compose("en", assessment, None, ask="?", labels=[]))
    assert "Public Defender in the county where it happened" in text and "BCIA 8016RR" in text
