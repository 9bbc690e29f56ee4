"""Phone numbers and web addresses in the bot's text as links: ``tel:`` and ``https:``.

The dialog layer writes phones as ``(323) 760-6763`` and pages as people type them
(``lawhelpca.org/topic/immigration``). The web page and Telegram show them as links;
SMS sends the plain text (phones and addresses are linked by the phone itself).
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

PHONE = re.compile(r"\((\d{3})\) (\d{3})-(\d{4})")
ADDRESS = re.compile(
    r"(?<![\w@/.])((?:https?://)?(?:[a-z0-9-]+\.)+(?:gov|org|com|us|net|edu)"
    r"(?:/[\w./%?=&#-]*[\w/#=-])?)(?![\w@])",
    re.IGNORECASE,
)
LINK = re.compile(f"{PHONE.pattern}|{ADDRESS.pattern}", re.IGNORECASE)


def https(address: str) -> str:
    """A web address as a full ``https:`` link."""
    return address if re.match(r"https?://", address, re.I) else f"https://{address}"


def to_html(text: str, *, tel: bool = True) -> Markup:
    """``text`` escaped, with addresses as ``https:`` links and, when ``tel``, phones as
    ``tel:`` links (Telegram's HTML allows no ``tel:``: it links phone numbers itself)."""
    out: list[Markup] = []
    end = 0
    for match in LINK.finditer(text):
        out.append(escape(text[end:match.start()]))
        found = match.group(0)
        if match.group(1) and tel:  # a phone
            digits = "".join(match.group(i) for i in (1, 2, 3))
            out.append(Markup('<a href="tel:+1{}">{}</a>').format(digits, found))
        elif match.group(1):
            out.append(escape(found))
        else:
            out.append(Markup('<a href="{}">{}</a>').format(https(found), found))
        end = match.end()
    out.append(escape(text[end:]))
    return Markup("").join(out)
