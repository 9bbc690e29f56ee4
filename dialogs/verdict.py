"""The verdict: an assessment from ``rules`` worded as a few short messages.

What probably happened and the relief, one line on why (with its citations), how to
confirm in the county, what to do if it was not done, and the caveats that matter.
Parts are packed into messages of at most two SMS segments each. Required warnings
(immigration, "unless...", county and case caveats) are always said; the least
important parts are left out first when space runs short.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rules import counties, sections

from . import catalog, sms

MAX_SEGMENTS = 2
MUST, SHOULD, MAY = 0, 1, 2
FIRST_RELIEF = ("petition_cr400_disqualifier", "petition_cr400", "destruction_on_request",
                "federal_pardon_2022")
LOCAL_KINDS = ("county_public_defender", "county_district_attorney", "court")
# Reasons that explain best, said first.
LEAD_REASONS = ("automatic_review", "record_destroyed", "federal_conviction",
                "other_jurisdiction", "after_prop64", "still_serving", "same_crime_today",
                "conduct_before_prop64")
UNSURE_REASONS = ("offense_unknown", "pre_1973_section", "if_cannabis_offense",
                  "date_in_future", "conduct_date_unknown", "concentrate_unknown")
# Other-relief codes worded together as one line when they come together.
EXPUNGEMENT = ("pc_1203_4", "pc_1203_4a", "pc_1203_41", "pc_1203_425")
# Caveats worth their space even when space is short.
KEY_CAVEATS = ("reduced_still_shows", "record_may_still_show", "court_assumed_california",
               "if_before_nov_2016", "serve_district_attorney", "if_same_crime_today")
# Warnings that must always be said (a third message is fine).
REQUIRED_CAVEATS = ("immigration", "immigration_if_noncitizen", "unless_disqualifiers",
                    "court_decides", "bulk_review_may_not_have_screened", "county_was_behind",
                    "pending_case_check", "la_found_more_cases", "read_pc_as_hs")
IMMIGRATION = ("immigration", "immigration_if_noncitizen")
SOFT_SEGMENTS = 5  # a verdict (with the question after it) grows past this only for musts


def _t(lang: str, key: str, **params: Any) -> str:
    return catalog.text(lang, key, **params)


def short_url(url: str) -> str:
    """A web address as people type it: no scheme, no ``www.``, no trailing slash."""
    url = re.sub(r"^https?://", "", url.strip())
    url = re.sub(r"^www\.", "", url)
    return url.rstrip("/")


def headline_key(assessment: dict[str, Any]) -> str:
    """The most specific headline the catalog has for this outcome."""
    outcome, relief = assessment.get("outcome", "unsure"), assessment.get("relief", "unknown")
    reasons = [r.get("code", "") for r in assessment.get("reasons") or []]
    candidates = [f"v.head.{outcome}.{code}" for code in reasons]
    candidates += [f"v.head.{outcome}.{relief}", f"v.head.{outcome}"]
    for key in candidates:
        if catalog.has("en", key):
            return key
    return "v.head.unsure"


def why(lang: str, assessment: dict[str, Any], limit: int = 2) -> str:
    """One line on why: the main reasons, worded, with their citations."""
    reasons = list(assessment.get("reasons") or [])
    lead = UNSURE_REASONS if assessment.get("outcome") == "unsure" else LEAD_REASONS
    reasons.sort(key=lambda r: r.get("code") not in lead)
    shown = reasons[:limit]
    if not shown:
        return ""
    words = " ".join(_t(lang, f"v.why.{r.get('code')}") for r in shown)
    cites = list(dict.fromkeys(r.get("citation") for r in shown if r.get("citation")))
    return f"{words} ({', '.join(cites)})" if cites else words


def _contact(step: dict[str, Any]) -> str:
    return step.get("phone") or short_url(step.get("url", ""))


def confirm_line(lang: str, step: dict[str, Any], county: str | None) -> str:
    """One way to confirm, with the office's phone or web site."""
    kind = step.get("kind", "")
    contact = _contact(step)
    where = _t(lang, "v.where", contact=contact) if contact else ""
    key = f"v.confirm.{kind}"
    if kind in {"county_public_defender", "county_district_attorney", "court"} and not county:
        key += ".nocounty"
    return _t(lang, key, county=county or "", where=where)


def relief_lines(lang: str, assessment: dict[str, Any]) -> list[str]:
    """Other ways forward, worded; the three expungement codes become one line."""
    codes = [o.get("code", "") for o in assessment.get("other_relief") or []]
    codes.sort(key=lambda code: code not in FIRST_RELIEF)
    lines: list[str] = []
    grouped = False
    for code in codes:
        if code in EXPUNGEMENT:
            if not grouped:
                grouped = True
                lines.append(_t(lang, "v.relief.expungement"))
            continue
        lines.append(_t(lang, f"v.relief.{code}"))
    return lines


def parts(
    lang: str, assessment: dict[str, Any], county: str | None, *, reasons: int = 2,
    skip: tuple[str, ...] = (),
) -> list[tuple[str, int]]:
    """Every part of the verdict in order, with its rank (``MUST``, ``SHOULD``, ``MAY``).

    Caveat codes in ``skip`` (the immigration line, once said) are left out.
    """
    out: list[tuple[str, int]] = [(_t(lang, headline_key(assessment)), MUST)]
    reason = why(lang, assessment, reasons)
    if reason:
        out.append((reason, MUST))
    steps = assessment.get("confirm") or []
    if steps:
        first = confirm_line(lang, steps[0], county)
        if steps[0].get("kind") != "legal_aid":  # legal help alone needs no intro
            intro = f"v.confirm.intro.{assessment.get('outcome')}"
            intro = intro if catalog.has("en", intro) else "v.confirm.intro"
            first = f"{_t(lang, intro)} {first}"
        out.append((first, MUST))
        if not _contact(steps[0]):  # an office with no phone or site: add one that has
            local = (s for s in steps[1:] if s.get("kind") in LOCAL_KINDS and _contact(s))
            reachable = next(local, None)
            if reachable is not None:
                out.append((confirm_line(lang, reachable, county), MUST))
        doj = next((s for s in steps[1:] if s.get("kind") == "doj_record_review"), None)
        if doj is not None:  # when unsure, the person's own record is the surest check
            rank = MUST if assessment.get("outcome") == "unsure" else SHOULD
            out.append((confirm_line(lang, doj, county), rank))
    relief = relief_lines(lang, assessment)
    out += [(line, MUST) for line in relief[:1]]  # what to do if it was not done
    caveats = [c for c in assessment.get("caveats") or [] if c not in skip]
    out += [(_t(lang, f"v.caveat.{c}"), MUST) for c in caveats if c in REQUIRED_CAVEATS]
    out += [(_t(lang, f"v.caveat.{c}"), SHOULD) for c in caveats if c in KEY_CAVEATS]
    out += [(line, SHOULD) for line in relief[1:]]
    for code in [c for c in caveats if c not in KEY_CAVEATS and c not in REQUIRED_CAVEATS]:
        out.append((_t(lang, f"v.caveat.{code}"), MAY))
    return out


def _fits(text: str, labels: list[str] | None = None) -> bool:
    body, folded = sms.cheapest(text, labels or [])
    return sms.segments(sms.body(body, folded)) <= MAX_SEGMENTS


def compose(lang: str, assessment: dict[str, Any], county: str | None, *, ask: str,
            labels: list[str], skip: tuple[str, ...] = ()) -> list[str]:
    """The verdict messages; the last one ends with ``ask`` (its choices are ``labels``).

    Every ``MUST`` part is said, in messages of at most two SMS segments. Other parts
    are added, in order of rank, only while they cost no extra segment or the whole
    stays within ``SOFT_SEGMENTS``. If giving two reasons costs more segments than
    giving one, one is given. Caveat codes in ``skip`` are left out.
    """
    key = (lang, json.dumps(assessment, sort_keys=True), county, ask, tuple(labels), skip)
    cached = _COMPOSED.get(key)
    if cached is None:
        cached = []
        for reasons in (2, 1):
            items = parts(lang, assessment, county, reasons=reasons, skip=skip)
            messages = _select(items, ask, labels)
            if not cached or _cost(messages, labels) < _cost(cached, labels):
                cached = messages
        if len(_COMPOSED) >= 2048:
            _COMPOSED.clear()
        _COMPOSED[key] = cached
    return list(cached)


_COMPOSED: dict[tuple, list[str]] = {}  # compose() results; the wording is fixed at import


def _cost(messages: list[str], labels: list[str]) -> int:
    last = len(messages) - 1
    return sum(sms.segments(sms.body(*sms.cheapest(m, labels if n == last else [])))
               for n, m in enumerate(messages))


def _select(items: list[tuple[str, int]], ask: str, labels: list[str]) -> list[str]:
    """Pack the musts, then add each other part (best rank first) if it is affordable."""
    keep = [rank == MUST for _, rank in items]
    best = _pack([t for (t, _), k in zip(items, keep, strict=True) if k], ask, labels)
    cost = _cost(best, labels)
    for rank in (SHOULD, MAY):
        for i, (_, r) in enumerate(items):
            if r != rank:
                continue
            keep[i] = True
            trial = _pack([t for (t, _), k in zip(items, keep, strict=True) if k], ask, labels)
            trial_cost = _cost(trial, labels)
            if trial_cost <= max(cost, SOFT_SEGMENTS):
                best, cost = trial, trial_cost
            else:
                keep[i] = False
    return best


def _pack(texts: list[str], ask: str, labels: list[str]) -> list[str]:
    messages: list[str] = []
    current = ""
    for text in texts:
        joined = f"{current} {text}".strip()
        if _fits(joined):
            current = joined
        else:
            messages.append(current)
            current = text
    closing = f"{current} {ask}".strip()
    if _fits(closing, labels):
        messages.append(closing)
    else:
        messages += [current, ask]
    return [m for m in messages if m]


# --- the end-of-session summary ----------------------------------------------------


def summary_entry(facts: dict[str, Any], assessment: dict[str, Any]) -> dict[str, Any]:
    """What the summary keeps of one checked conviction (a few short fields)."""
    offense = sections.normalize_offense(facts.get("offense") or "")
    return {
        "o": assessment.get("outcome"),
        "r": assessment.get("relief"),
        "k": offense.kind if offense else None,
        "c": counties.normalize_county(facts.get("county") or ""),
        "y": str(facts.get("conviction_date") or "")[:4] or None,
    }


def result_key(entry: dict[str, Any]) -> str:
    """The catalog key of one summary line's result."""
    for key in (f"s.{entry.get('o')}.{entry.get('r')}", f"s.{entry.get('o')}"):
        if catalog.has("en", key):
            return key
    return "s.unsure"


def summary(lang: str, done: list[dict[str, Any]]) -> list[str]:
    """All the convictions checked in this conversation, one short line each.

    Lines are packed into messages of at most two SMS segments.
    """
    lines = []
    for n, entry in enumerate(done, 1):
        kind = entry.get("k")
        known = isinstance(kind, str) and catalog.has("en", f"c.{kind}")
        bits = [_t(lang, f"c.{kind}") if known else _t(lang, "s.case")]
        county = entry.get("c")
        if isinstance(county, str) and county in counties.COUNTIES:
            bits.append(county)
        year = entry.get("y")
        if isinstance(year, str) and year.isdigit() and len(year) == 4:
            bits.append(year)
        lines.append(f"{n}. {', '.join(bits)}: {_t(lang, result_key(entry))}")
    messages = [_t(lang, "s.header")]
    for line in lines:
        joined = f"{messages[-1]}\n{line}"
        if _fits(joined):
            messages[-1] = joined
        else:
            messages.append(line)
    return messages
