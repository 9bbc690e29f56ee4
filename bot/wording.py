"""The words people see around the conversation, read from the dialog's own catalogs.

One wording store: ``dialogs/locale/<lang>/LC_MESSAGES/messages.po`` holds the dialog's
messages and, under their own key families, the page text (``ui.*``), the channel notices
(``notice.*``) and the Telegram command descriptions (``telegram.command.*``).
``clearline flows check`` checks them with the rest (every key in every language, the same
placeholders, each notice within one SMS segment).
"""

from __future__ import annotations

from functools import cache

from dialogs import catalog

LANGS = catalog.LANGS
DEFAULT_LANG = catalog.DEFAULT_LANG
NOTICE_KINDS = ("unavailable", "rate_limited", "throttled", "busy", "error")


def text(lang: str, key: str, **params: object) -> str:
    """The message ``key`` in ``lang`` (English when missing), placeholders filled."""
    return catalog.text(lang, key, **params)


def lang_of(code: str | None) -> str:
    """Our language for a channel's language code (Telegram's ``es-MX`` is ``es``);
    English when it is not one of ours."""
    lang = (code or "").split("-")[0].lower()
    return lang if lang in LANGS else DEFAULT_LANG


def other_lang(lang: str) -> str:
    """The language the page's switch offers (the other one of the two)."""
    return next(code for code in LANGS if code != lang)


@cache
def ui_strings() -> dict[str, dict[str, str]]:
    """The page wording by language: every ``ui.*`` message without its prefix (templates
    read ``t.title``), and ``switch_lang``, the language the page's switch offers."""
    english = catalog.CATALOGS[DEFAULT_LANG]
    keys = [key for key in english if key.startswith("ui.")]
    # unformatted: the templates fill the placeholders ({days}, {code}...)
    return {lang: {**{key[3:]: catalog.CATALOGS[lang].get(key) or english[key] for key in keys},
                   "switch_lang": other_lang(lang)}
            for lang in LANGS}


def notice(kind: str, lang: str | None = "en") -> dict:
    """A channel notice (``notice.<kind>``) as a reply in ``lang``; ``None`` (the language
    is not known, e.g. Redis is down): every language, English first, in one message."""
    key = f"notice.{kind}"
    words = catalog.in_every_language(key) if lang is None else catalog.text(lang, key)
    return {"text": words, "choices": []}
