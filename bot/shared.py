"""What the app and its blueprints share: the session store accessor and the page helpers.

``bot.app`` builds the app and puts a :class:`Clearline` in ``app.extensions``; every
blueprint reaches the store through :func:`get_store` (or :func:`store`) and the settings
through :func:`config`. The web chat, share kit and admin pages share their language
(:func:`page_lang`), security headers (:func:`secure`), CSRF check and operator details
from here (their words from ``bot.wording``), so no blueprint imports another's module.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, request, session, url_for
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms.validators import ValidationError

from bot.store import SessionStore

HERE = Path(__file__).parent
LANGS = ("en", "es")

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


# --- the app's shared state ---------------------------------------------------------------


@dataclass
class Clearline:
    """What the blueprints share: the session store and, once used, the Telegram bridge."""

    store: SessionStore
    telegram: Any = None


def get_store(app: Flask | None = None) -> SessionStore:
    """The session store of ``app`` (default: the current app)."""
    return (app or current_app).extensions["clearline"].store


def store() -> SessionStore:
    """The current app's session store (``bot.store.SessionStore``)."""
    return get_store(current_app)


def config(name: str, default: str = "") -> str:
    """A setting of the current app as text (``create_app`` fills every one of
    ``bot.config.DEFAULTS``); ``default`` when it is unset or empty."""
    value = current_app.config.get(name)
    return default if value in (None, "") else str(value)


# --- the pages (web chat, share kit, admin) -------------------------------------------------


def page_lang() -> str:
    """The page language: ``?lang=``, then the cookie, then the browser's preference."""
    asked = request.args.get("lang", "")
    if asked in LANGS:
        session["lang"] = asked
        return asked
    if session.get("lang") in LANGS:
        return session["lang"]
    return request.accept_languages.best_match(LANGS, default="en") or "en"


@cache
def _static_version(filename: str) -> str:
    data = (HERE / "static" / filename).read_bytes()
    return hashlib.sha256(data).hexdigest()[:10]


def asset(filename: str) -> str:
    """The URL of a static file, versioned by its content so it can be cached long."""
    return url_for("web.static", filename=filename, v=_static_version(filename))


def secure(response: Response) -> Response:
    """Add the security headers every Clearline page carries."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if response.mimetype in ("text/html", "application/json", "text/csv"):
        headers.setdefault("Cache-Control", "no-store")
    return response


def check_csrf(token: str | None) -> bool:
    """True when the token matches this browser's session (Flask-WTF's check)."""
    try:
        validate_csrf(token)
    except (ValidationError, CSRFError):
        return False
    return True


def organisation() -> dict[str, str]:
    """Who runs this service (``ORG_NAME``, ``ORG_URL``, ``ORG_CONTACT``); {} when unset."""
    name = config("ORG_NAME").strip()
    if not name:
        return {}
    url = config("ORG_URL").strip()
    return {
        "name": name,
        "url": url if url.startswith(("https://", "http://")) else "",
        "contact": config("ORG_CONTACT").strip(),
    }
