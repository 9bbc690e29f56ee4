"""The SMS size of every catalog message, worked out once at import.

A message's :class:`sms.Size` is the size of its fixed words plus the sizes of its
parameters' values (sizes add up), so a verdict is priced in every language without
wording each part twice. Built from the catalogs, which do not change while the process
runs: a table of the wording, like a compiled catalog, not a memo of anything a person
sent or was told.
"""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter
from typing import Final

from . import catalog, sms

Template = tuple[sms.Size, tuple[str, ...]]  # the fixed words' size, the placeholders in order


def template(raw: str) -> Template | None:
    """The size of ``raw``'s fixed words and its placeholders, or None when a placeholder
    is more than a plain name (a format spec, a conversion, an index) or the braces are
    malformed: such a message is sized by wording it."""
    if "{" not in raw:
        return (sms.measure(raw), ()) if "}" not in raw else None
    fixed: list[str] = []
    names: list[str] = []
    try:
        for literal, name, spec, conversion in Formatter().parse(raw):
            fixed.append(literal)
            if name is None:
                continue
            if not name.isidentifier() or spec or conversion:
                return None
            names.append(name)
    except ValueError:
        return None
    return sms.measure("".join(fixed)), tuple(names)


TEMPLATES: Final[dict[tuple[str, str], Template | None]] = {
    (lang, key): template(catalog.raw(lang, key))
    for lang in catalog.LANGS for key in {k for c in catalog.CATALOGS.values() for k in c}
}


def size(lang: str, key: str, params: Mapping[str, object] | None = None) -> sms.Size:
    """The size of ``catalog.text(lang, key, **params)``."""
    found = TEMPLATES.get((lang, key))
    if found is None:
        return sms.size(catalog.text(lang, key, **(params or {})))
    fixed, names = found
    for name in names:
        value = (params or {}).get(name, "")
        fixed = sms.plus(fixed, sms.size(value if isinstance(value, str) else str(value)))
    return fixed
