"""The Assessment: what the rules concluded, and on which provisions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

# Fact keys in the order the dialog should ask them: most decisive first.
ASK_ORDER: Final = (
    "court",
    "offense",
    "conviction_date",
    "offense_before_prop64",
    "county",
    "level",
    "concentrate",
    "age_at_offense",
    "juvenile",
    "currently_serving",
    "prior_super_strike",
    "pc290_registrant",
    "prior_same_offense_convictions",
    "sale_to_minor",
    "interstate",
    "used_minor",
    "environmental_harm",
    "amount",
)

_RANK: Final = {key: i for i, key in enumerate(ASK_ORDER)}


def _ask_rank(key: str) -> int:
    return _RANK.get(key, len(_RANK))


@dataclass(init=False)  # __init__ below: the generated one runs uncompiled (setup.py)
class Assessment:
    """The result of ``rules.assess``; built step by step by the decision list."""

    outcome: str
    relief: str
    citations: list[str]
    reasons: list[dict[str, str]]
    missing: list[str]
    confirm: list[dict[str, str]]
    other_relief: list[dict[str, str]]
    caveats: list[str]

    def __init__(self) -> None:
        self.outcome, self.relief = "unsure", "unknown"
        self.citations, self.reasons, self.missing = [], [], []
        self.confirm, self.other_relief, self.caveats = [], [], []

    def conclude(self, outcome: str, relief: str) -> None:
        """Set the outcome and relief."""
        self.outcome, self.relief = outcome, relief

    def because(self, code: str, citation: str) -> None:
        """Add a reason and its citation ("" when it rests on no section)."""
        self.reasons.append({"code": code, "citation": citation})
        self.cite(citation)

    def cite(self, citation: str) -> None:
        """Add a citation once."""
        if citation and citation not in self.citations:
            self.citations.append(citation)

    def ask(self, key: str) -> None:
        """Note a fact whose answer could change the assessment."""
        if key not in self.missing:
            self.missing.append(key)

    def caveat(self, code: str) -> None:
        """Add a caveat once."""
        if code not in self.caveats:
            self.caveats.append(code)

    def suggest(self, code: str, citation: str) -> None:
        """Add another way forward once."""
        item = {"code": code, "citation": citation}
        if item not in self.other_relief:
            self.other_relief.append(item)

    def missing_in_order(self) -> list[str]:
        """The facts still missing, most decisive first (``ASK_ORDER``)."""
        return sorted(self.missing, key=_ask_rank)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (the contract other parts rely on)."""
        return {
            "outcome": self.outcome,
            "relief": self.relief,
            "citations": list(self.citations),
            "reasons": [dict(r) for r in self.reasons],
            "missing": self.missing_in_order(),
            "confirm": [dict(step) for step in self.confirm],
            "other_relief": [dict(o) for o in self.other_relief],
            "caveats": list(self.caveats),
        }
