"""What the web chat shows for one turn: links in messages, the verdict as a result card,
and the progress through the questions.

The dialog engine words its replies for the web (``key.web`` in the catalogs); this module
only reshapes them for a page: phone numbers and web addresses become links, the verdict
messages become one card (heading, contacts, next steps, details) built from the same
assessment and wording, and each question carries "Question 3 of about 6", estimated from
what the rules still need.
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup, escape

import rules
from dialogs import catalog, verdict
from dialogs.flow import MAIN

WEB_SUFFIX = ".web"
VERDICT_NEXT = ("another", "early_more")  # the questions a verdict ends with
NOT_COUNTED = frozenset({*VERDICT_NEXT, "confirm_delete"})  # questions outside the check
# Forms the verdict names: linked to where each can be found.
FORM_LINKS = {
    "CR-400": "https://www.courts.ca.gov/documents/cr400.pdf",
    "BCIA 8016RR": "https://www.oag.ca.gov/fingerprints/record-review/ab1793",
}
_LINKS = re.compile(
    r"(?P<phone>(?<![\w+])(?:\+?1[ .-]?)?\(?[2-9]\d{2}\)?[ .-]?\d{3}[ .-]\d{4}(?!\d))"
    r"|(?P<url>(?<![\w@/.])(?:https?://)?(?:[a-z0-9-]+\.)+(?:gov|org|com|net|us|edu)"
    r"(?:/[^\s,;)]*[^\s,;).:])?(?![\w-]))"
    r"|(?P<form>" + "|".join(re.escape(f) for f in FORM_LINKS) + r")",
    re.IGNORECASE,
)


# --- wording ---------------------------------------------------------------------------


def web_text(lang: str, key: str) -> str:
    """A catalog message in the web's words (``key.web`` when the catalog has it), as the
    engine words it for the web channel."""
    web = f"{key}{WEB_SUFFIX}"
    return catalog.text(lang, web if catalog.has(catalog.DEFAULT_LANG, web) else key)


def linkify(text: str) -> Markup:
    """``text`` as HTML: phone numbers as ``tel:`` links, web addresses and form names as
    ``https:`` links; everything else escaped."""
    out: list[Markup] = []
    pos = 0
    for match in _LINKS.finditer(text):
        out.append(escape(text[pos:match.start()]))
        shown = match.group(0)
        if match.group("phone"):
            digits = re.sub(r"\D", "", shown)
            href = "tel:+" + (digits if len(digits) == 11 else "1" + digits)
        elif match.group("url"):
            href = shown if shown.lower().startswith("http") else "https://" + shown
        else:
            href = FORM_LINKS[next(f for f in FORM_LINKS if f.lower() == shown.lower())]
        out.append(_ANCHOR.format(href, shown))  # format() escapes both
        pos = match.end()
    out.append(escape(text[pos:]))
    return Markup("").join(out)


_ANCHOR = Markup('<a href="{0}">{1}</a>')


def national(number: str) -> str:
    """A US phone number as people read it, ``(415) 555-0100``; others unchanged."""
    digits = re.sub(r"\D", "", number or "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        return number
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


# --- progress --------------------------------------------------------------------------


def progress(state: dict | None) -> tuple[int, int] | None:
    """``(this question's number, about how many in all)`` for the check under way.

    Answered questions plus the questions for every fact the rules still miss (the same
    choice of question the engine makes); None outside a question of the check.
    """
    if not isinstance(state, dict):
        return None
    node = MAIN.nodes.get(state.get("node") or "")
    if node is None or node.type != "question" or node.id in NOT_COUNTED:
        return None
    facts = state.get("facts") if isinstance(state.get("facts"), dict) else {}
    answered = [h for h in state.get("hist") or [] if h in MAIN.nodes]
    try:
        missing = rules.assess(facts).to_dict()["missing"]
    except Exception:  # a progress line is never worth a failed reply
        return None
    ahead = {node.id}
    for fact in missing:
        if fact in facts:
            continue
        for candidate in MAIN.for_fact(fact):
            if candidate.id not in answered and candidate.when is None:
                ahead.add(candidate.id)
                break
    ahead -= set(answered)
    return len(answered) + 1, len(answered) + len(ahead)


# --- the verdict card ------------------------------------------------------------------


def _county(state: dict) -> str | None:
    return rules.counties.normalize_county(state.get("facts", {}).get("county") or "")


def _contact(lang: str, step: dict, county: str | None) -> dict:
    """One place to confirm: what to ask there, and its phone and web links."""
    bare = {k: v for k, v in step.items() if k not in ("phone", "url")}
    entry: dict[str, Any] = {"text": verdict.confirm_line(lang, bare, county)}
    if step.get("phone"):
        entry["phone"] = national(step["phone"])
        entry["tel"] = "tel:+1" + re.sub(r"\D", "", step["phone"])[-10:]
    url = step.get("url") or ""
    if url.startswith(("https://", "http://")):
        entry["url"] = url
        entry["url_text"] = verdict.short_url(url)
    return entry


def card(lang: str, state: dict) -> dict | None:
    """The verdict of the check in ``state`` as a card, or None when there is none."""
    facts = state.get("facts") if isinstance(state, dict) else None
    if not isinstance(facts, dict) or not facts:
        return None
    assessment = rules.assess(facts).to_dict()
    county = _county(state)
    why = verdict.why(lang, assessment)
    caveats = [catalog.text(lang, f"v.caveat.{c}") for c in assessment.get("caveats") or []]
    return {
        "outcome": assessment.get("outcome", "unsure"),
        "title": catalog.text(lang, verdict.headline_key(assessment)),
        "contacts": [_contact(lang, s, county) for s in assessment.get("confirm") or []],
        "steps": verdict.relief_lines(lang, assessment),
        "details": ([why] if why else []) + caveats,
    }


def _is_verdict_turn(lang: str, state: dict | None, replies: list[dict]) -> str | None:
    """The verdict's headline when these replies give a verdict, else None."""
    if not isinstance(state, dict) or state.get("node") not in VERDICT_NEXT:
        return None
    if not state.get("facts"):
        return None
    head = catalog.text(lang, verdict.headline_key(rules.assess(state["facts"]).to_dict()))
    return head if any(head in r.get("text", "") for r in replies) else None


def entries(lang: str, state: dict | None, replies: list[dict]) -> list[dict]:
    """The transcript entries of one turn's replies, as the web shows them.

    A verdict becomes: whatever came before its headline, the card, then the question
    after it with its choices. The last entry carries the progress, if any.
    """
    out: list[dict] = []
    head = _is_verdict_turn(lang, state, replies)
    if head and state is not None:
        ask = web_text(lang, MAIN.nodes[state["node"]].ask or "")
        first = next(i for i, r in enumerate(replies) if head in r.get("text", ""))
        for reply in replies[:first]:
            out.append(_bubble(reply))
        before = replies[first]["text"].split(head, 1)[0].strip()
        if before:
            out.append(_bubble({"text": before}))
        out.append({"who": "bot", "text": "", "choices": [], "card": card(lang, state)})
        out.append(_bubble({"text": ask, "choices": replies[-1].get("choices")}))
    else:
        out = [_bubble(r) for r in replies]
    step = progress(state)
    if out and step:
        out[-1]["progress"] = list(step)
    return out


def _bubble(reply: dict) -> dict:
    choices = [
        {"id": str(c.get("id", "")), "label": str(c.get("label", ""))}
        for c in reply.get("choices") or []
        if isinstance(c, dict)
    ]
    return {"who": "bot", "text": str(reply.get("text", "")), "choices": choices}
