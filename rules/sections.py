"""Offense sections: from whatever spelling a person or a record uses to one Offense.

"11359", "HS 11359(b)", "H&S 11357(c)", "664/11360" (an attempt), "11357b", or a plain
kind ("possession", "cultivation", "possession_for_sale", "sale_transport", "other").
The code's name may come first or last ("4149 BP", "11360(a) PC"). State records often
label the cannabis sections "PC" ("11357(A)PC", "11358 PC"); the Penal Code has no
cannabis offense at 11357-11360, so those are read as the HS section (``read_as_hs``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

# Current numbering of the four sections Prop 64 relief reaches (HS 11361.8(a), (e)).
KIND_BY_SECTION: Final[dict[str, str]] = {
    "11357": "possession",
    "11358": "cultivation",
    "11359": "possession_for_sale",
    "11360": "sale_transport",
}
SECTION_BY_KIND: Final = {kind: section for section, kind in KIND_BY_SECTION.items()}
# A role in a cannabis crime rather than the crime itself (see rules.decide.role_in_offense).
ROLE_KINDS: Final = frozenset({"conspiracy", "accessory"})
PLAIN_KINDS: Final = frozenset(SECTION_BY_KIND) | {"other"} | ROLE_KINDS

# Marijuana sections numbered before the 1972-73 renumbering (former HS 11530-11532).
PRE_1973: Final[frozenset[str]] = frozenset({"11530", "11530.5", "11531", "11532"})

# Ways records and people write the code's name, folded to "hs" (or "pc", ...) first.
_CODE_NAMES: Final = (
    (r"cal(?:ifornia|\.)?\s*", ""),
    (r"health\s*(?:and|&)\s*safety\s*(?:code)?", " hs "),
    (r"\bh\s*[&/.]?\s*(?:and\s*)?s\s*\.?\s*c(?![a-z])\.?", " hs "),
    (r"\bh\s*[&/.]\s*s(?![a-z])\.?", " hs "),
    (r"\bh\s*and\s*s(?![a-z])", " hs "),
    (r"\bhsc(?![a-z])", " hs "),
    (r"penal\s*(?:code)?", " pc "),
    (r"\bp\s*\.\s*c\b\.?", " pc "),  # "P.C."
    (r"\bb\s*&\s*p\b", " bp "),
    (r"\bv\.?\s*c\b\.?", " vc "),
    (r"\b(?:code\s*)?(?:section|sec\.?)\s*|§", " "),
    (r"\((?:[a-z]{5,}[^)]*)\)", " "),  # "(felony)", "(misdemeanor)"
    (r"(?<=\d),(?=\d{3})", ""),  # 11,359
)
_FOLD: Final = [(re.compile(pattern), repl) for pattern, repl in _CODE_NAMES]
_SECTION: Final = re.compile(
    r"^(?P<code>hs|pc|vc|bp)?[\s-]*"
    r"(?P<attempt>664\s*(?:\(\s*[a-z]\s*\))?\s*[/.\-]?\s*)?"
    r"(?P<num>\d{3,6}(?:\.\d{1,2})?)"
    r"[\s.-]*(?P<sub>(?:\(\s*[a-z0-9]{1,4}\s*\)\s*)*|[a-z](?![a-z]))"
    r"\s*(?P<code2>hs|pc|vc|bp)?\s*\.?$"
)
_PLAIN: Final = {
    "sale/transport": "sale_transport",
    "sale_or_transport": "sale_transport",
    "possession/sale": "possession_for_sale",
}


@dataclass(frozen=True)
class Offense:
    """A normalised offense: its kind, and the section and subsection when known."""

    kind: str  # possession | cultivation | possession_for_sale | sale_transport | other | pre1973
    # | conspiracy | accessory
    section: str | None = None  # "11357".."11360", a pre-1973 number, or another section
    subsection: str | None = None  # "b", "a2", ...
    attempt: bool = False
    read_as_hs: bool = False  # written "PC 11358": read as the HS section

    @property
    def covered(self) -> bool:
        """True for the four sections HS 11361.8 reaches."""
        return self.kind in SECTION_BY_KIND

    @property
    def label(self) -> str:
        """A short citation-style label, e.g. "HS 11357(b)"."""
        if not self.section:
            return self.kind
        sub = "".join(f"({c})" for c in (self.subsection or ""))
        return ("664/" if self.attempt else "") + f"HS {self.section}{sub}"


def _fold(text: str) -> str:
    """Lower case, with every spelling of a code's name folded to a short token."""
    folded = text.strip().lower()
    for pattern, repl in _FOLD:
        folded = pattern.sub(repl, folded)
    return " ".join(folded.split())


@lru_cache(maxsize=4096)
def normalize_offense(text: object) -> Offense | None:
    """The Offense that ``text`` names, or None when it cannot be read."""
    if not isinstance(text, str) or not text.strip() or len(text) > 100:
        return None
    plain = text.strip().lower().replace(" ", "_").replace("-", "_")
    plain = _PLAIN.get(plain, plain)
    if plain in PLAIN_KINDS:
        return Offense(kind=plain, section=SECTION_BY_KIND.get(plain))
    match = _SECTION.match(_fold(text))
    if not match:
        return None
    code = match.group("code") or match.group("code2")
    num = match.group("num")
    if code is None and len(num.split(".")[0]) < 5:
        return None  # a bare "2005" or "148" is more likely a year or another code: ask
    code = code or "hs"
    sub = re.sub(r"[^a-z0-9]", "", match.group("sub") or "") or None
    read_as_hs = code == "pc" and num in KIND_BY_SECTION  # no cannabis offense in the PC there
    if code != "hs" and not read_as_hs:
        return Offense(kind="other", section=num, subsection=sub)
    if num in PRE_1973:
        return Offense(kind="pre1973", section=num, subsection=sub)
    kind = KIND_BY_SECTION.get(num, "other")
    return Offense(kind=kind, section=num, subsection=sub, attempt=bool(match.group("attempt")),
                   read_as_hs=read_as_hs)
