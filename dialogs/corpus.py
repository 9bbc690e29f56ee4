"""Scoring the message reader on the understanding corpus (``tests/dialogs/corpus.yaml``).

Each corpus entry lists the facts a careful reader takes from one message. The score
counts expected facts read right, and messages where the reader took a fact the person
did not say (a wrong fact is worse than a missed one: a missed fact is only asked again).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from . import reader

CORPUS_FILE = Path(__file__).resolve().parents[1] / "tests" / "dialogs" / "corpus.yaml"
TODAY = date(2026, 12, 1)  # the corpus's "10 years ago" counts from this day
READINGS = ("charge", "command", "question", "code_unknown", "split")  # besides facts
ASKS = {"county": "county", "conviction_date": "year", "age_at_offense": "age"}


@dataclass
class Score:
    """How the reader did on the corpus."""

    messages: int = 0
    expected: int = 0
    right: int = 0
    wrong_messages: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)

    @property
    def right_share(self) -> float:
        return self.right / self.expected if self.expected else 1.0

    @property
    def wrong_share(self) -> float:
        return len(self.wrong_messages) / self.messages if self.messages else 0.0


def load(path: Path = CORPUS_FILE) -> list[dict[str, Any]]:
    """The corpus entries (an empty list when the file is not there)."""
    if not path.exists():
        return []
    return list(yaml.safe_load(path.read_text(encoding="utf-8")) or [])


def read_entry(entry: dict[str, Any], today: date = TODAY) -> dict[str, Any]:
    """What the reader takes from one entry's message, as comparable keys and values."""
    got = reader.read(str(entry["text"]), today, bool(entry.get("cannabis")), entry.get("at"))
    out: dict[str, Any] = {k: str(v) if k == "conviction_date" else v for k, v in got.facts.items()}
    if out.get("court") == "california" and "county" in out:
        del out["court"]  # implied by a county
    for key in READINGS:
        value = getattr(got, key)
        if value:
            out[key] = value
    return out


def expected(entry: dict[str, Any]) -> dict[str, Any]:
    """The facts and readings an entry expects."""
    facts = entry.get("facts") or {}
    out = {k: str(v) if k == "conviction_date" else v for k, v in facts.items()}
    out.update({k: entry[k] for k in READINGS if entry.get(k)})
    return out


def score(entries: list[dict[str, Any]] | None = None, today: date = TODAY) -> Score:
    """Read every corpus message and compare with what it should give."""
    entries = load() if entries is None else entries
    result = Score()
    for entry in entries:
        want, got = expected(entry), read_entry(entry, today)
        result.messages += 1
        result.expected += len(want)
        result.right += sum(1 for k, v in want.items() if got.get(k) == v)
        result.missed += [f"{entry['text']!r}: {k}={v!r} (read {got.get(k)!r})"
                          for k, v in want.items() if got.get(k) != v]
        extra = {k: v for k, v in got.items() if k not in want or want[k] != v}
        if any(k not in want for k in extra):
            result.wrong_messages.append(f"{entry['text']!r}: read {extra}")
    return result
