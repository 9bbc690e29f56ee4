"""WhatsApp rendering: numbered choices, accents always kept, the verdict's headline in
``*bold*``, and each message at most about 1,000 characters (no SMS segment budget)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from . import catalog, sms

MAX_CHARS = 1000


@lru_cache(maxsize=4)
def headlines(lang: str) -> tuple[str, ...]:
    """Every verdict headline of ``lang``'s catalog, longest first."""
    found = {text for key, text in catalog.CATALOGS.get(lang, {}).items()
             if key.startswith("v.head.") and "{" not in text}
    return tuple(sorted(found, key=len, reverse=True))


def bold_headline(text: str) -> str:
    """``text`` with the verdict headline it holds (if any) wrapped in ``*...*``."""
    for lang in catalog.LANGS:
        for head in headlines(lang):
            if head in text:
                return text.replace(head, f"*{head.strip()}*", 1)
    return text


def render(reply: dict[str, Any]) -> list[str]:
    """The WhatsApp message(s) for one reply: its text, then its choices numbered."""
    labels = [c.get("label", "") for c in reply.get("choices") or []]
    body = sms.body(bold_headline(reply.get("text", "").replace("*", "")), labels).strip()
    return split(body)


def split(body: str, limit: int = MAX_CHARS) -> list[str]:
    """``body`` in pieces of at most ``limit`` characters, cut between lines or words."""
    out: list[str] = []
    while len(body) > limit:
        cut = max(body.rfind("\n", 0, limit), body.rfind(" ", 0, limit))
        cut = cut if cut > limit // 2 else limit
        out.append(body[:cut].rstrip())
        body = body[cut:].lstrip()
    if body:
        out.append(body)
    return out


def render_turn(replies: list[dict[str, Any]], limit: int = MAX_CHARS) -> list[str]:
    """A step's replies as WhatsApp messages: joined while they stay within ``limit``."""
    bodies: list[str] = []
    for reply in replies:
        for part in render(reply):
            if bodies and len(bodies[-1]) + 2 + len(part) <= limit:
                bodies[-1] = f"{bodies[-1]}\n\n{part}"
            else:
                bodies.append(part)
    return bodies
