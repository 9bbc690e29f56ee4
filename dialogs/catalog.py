"""The wording: one gettext catalog per language, read once at import through Babel.

Message ids are keys (``q.county``, ``c.yes``); the ``msgstr`` is the text people
read. Placeholders use Python's ``{name}`` format. A key missing from a language
falls back to English, and ``clearline flows check`` reports it.
"""

from __future__ import annotations

import re
import string
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Final

from babel.messages.pofile import read_po

LOCALE_DIR: Final = Path(__file__).parent / "locale"
LANGS: Final[tuple[str, ...]] = ("en", "es")
DEFAULT_LANG: Final = "en"


def po_path(lang: str) -> Path:
    """Where the catalog of ``lang`` lives."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


def load_po(lang: str) -> dict[str, str]:
    """Every translated, non-fuzzy message of one language, by key."""
    with po_path(lang).open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    return {
        str(msg.id): str(msg.string)
        for msg in catalog
        if msg.id and isinstance(msg.string, str) and msg.string and not msg.fuzzy
    }


CATALOGS: Final[dict[str, dict[str, str]]] = {lang: load_po(lang) for lang in LANGS}


class _Blank(dict):
    """Leave an unknown placeholder empty instead of failing mid-conversation."""

    def __missing__(self, key: str) -> str:
        return ""


def raw(lang: str, key: str) -> str:
    """The message ``key`` in ``lang`` as the catalog holds it, placeholders unfilled
    (English when missing; the key itself when no catalog has it)."""
    return CATALOGS.get(lang, {}).get(key) or CATALOGS[DEFAULT_LANG].get(key, key)


def text(lang: str, key: str, **params: object) -> str:
    """The message ``key`` in ``lang`` (English when missing), placeholders filled."""
    raw = CATALOGS.get(lang, {}).get(key) or CATALOGS[DEFAULT_LANG].get(key, key)
    if "{" not in raw and (not params or "}" not in raw):
        return raw  # nothing to fill
    return raw.format_map(_Blank(params))


def in_every_language(key: str, sep: str = " / ") -> str:
    """The message ``key`` in every language, English first, for when the person's language
    is not known (e.g. Redis is down)."""
    return sep.join(text(lang, key) for lang in LANGS)


def has(lang: str, key: str) -> bool:
    """True when ``lang`` has its own wording for ``key``."""
    return key in CATALOGS.get(lang, {})


def placeholders(message: str) -> set[str]:
    """The ``{name}`` placeholders of one message."""
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


def fold(value: str) -> str:
    """Lower case without accents, for matching what people type."""
    if value.isascii():
        return value.lower()
    value = unicodedata.normalize("NFKD", value.casefold())
    return _NOT_ASCII.sub(_uncombined, value)  # ASCII is never a combining mark


_NOT_ASCII: Final = re.compile(r"[^\x00-\x7f]")


def _uncombined(found: re.Match[str]) -> str:
    """The character found, or nothing when it is a combining mark (an accent)."""
    return "" if unicodedata.combining(found.group()) else found.group()


@lru_cache(maxsize=512)
def words(key: str) -> tuple[str, ...]:
    """The ``|``-separated alternatives of ``key`` in every language, folded."""
    found: list[str] = []
    for lang in LANGS:
        raw = CATALOGS[lang].get(key, "")
        found.extend(w.strip() for w in raw.split("|") if w.strip())
    return tuple(dict.fromkeys(found))
