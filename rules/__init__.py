"""Eligibility rules for old California cannabis convictions: facts in, a cited assessment out.

Pure: no I/O at call time (county data loads once at import). See docs/rules.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Final

from . import codes, contacts, counties, sections
from .assessment import ASK_ORDER, Assessment
from .confirm import IMMIGRATION_HELP, PARDON_ATTORNEY, confirm_steps
from .decide import RULES, decide
from .facts import parse_facts

__all__ = ["ASK_ORDER", "Assessment", "RULES", "assess", "codes", "contacts", "counties",
           "sections"]


OPEN_OUTCOMES: Final = frozenset({"likely_cleared", "likely_destroyed", "petition", "unsure"})


def assess(facts: Mapping[str, Any], *, today: date | None = None) -> Assessment:
    """Assess one conviction. Never raises on malformed facts: they count as unknown."""
    today = today or date.today()
    parsed = parse_facts(facts if isinstance(facts, Mapping) else {}, today)
    result = decide(parsed, today)
    pending = "pending_case_check" in result.caveats
    result.confirm = confirm_steps(parsed.county, result.outcome, local=pending)
    if "doj_record_review" in [step.get("kind") for step in result.confirm]:
        result.caveat("record_review_out_of_state")  # BCIA 8705 with FD-258 cards
    if result.outcome in OPEN_OUTCOMES and parsed.county is None:
        result.ask("county")
    if "federal_pardon_2022" in [o["code"] for o in result.other_relief]:
        result.confirm.append(dict(PARDON_ATTORNEY))
    if parsed.noncitizen:
        result.caveat("immigration")
    elif parsed.noncitizen is None:
        result.caveat("immigration_if_noncitizen")
    if parsed.noncitizen is not False:
        result.confirm.append(dict(IMMIGRATION_HELP))
    return result
