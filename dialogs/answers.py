"""Answers to the questions people ask along the way ("who do I call?", "what does it cost?").

Each answer is a catalog message (``a.<topic>``), at most two SMS segments, filled with the
person's county and the contacts the rules give for their case.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

import rules

from . import catalog, verdict

LOCAL: Final = (
    "county_cannabis_line", "county_public_defender", "court", "county_district_attorney")


def _t(lang: str, key: str, **params: Any) -> str:
    return catalog.text(lang, key, **params)


def _assessment(facts: dict[str, Any], today: date) -> dict[str, Any]:
    return rules.assess(facts, today=today).to_dict()


def contact(lang: str, facts: dict[str, Any], today: date) -> str:
    """The first local office to ask, with its phone (or web site), or "" when none."""
    steps = _assessment(facts, today).get("confirm") or []
    county = rules.counties.normalize_county(str(facts.get("county") or ""))
    ranked = sorted((s for s in steps if s.get("kind") in LOCAL),
                    key=lambda s: (not s.get("phone"), LOCAL.index(s["kind"])))
    for step in ranked:
        if county and (step.get("phone") or step.get("url")):
            return verdict.confirm_line(lang, step, county)
    return ""


def answer(lang: str, topic: str, facts: dict[str, Any], today: date,
           done: list[dict[str, Any]] | None = None) -> str:
    """The answer to one question topic, using the person's county and case."""
    county = rules.counties.normalize_county(str(facts.get("county") or ""))
    if not county and done:
        county = done[-1].get("c") if isinstance(done[-1], dict) else None
        facts = {"county": county, "court": "california"} if county else facts
    if topic in {"phone", "lawyer"}:
        found = contact(lang, facts, today)
        key = f"a.{topic}" if found else f"a.{topic}.none"
        return _t(lang, key, contact=found, county=county or "")
    if topic == "certificate" and facts.get("court") == "federal":
        return _t(lang, "a.certificate.federal")
    return _t(lang, f"a.{topic}", county=county or "")

