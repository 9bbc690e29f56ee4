"""The web chat: ``GET /`` (the page), ``POST /`` (plain form posts, no JavaScript needed)
and ``POST /api/chat`` (JSON for the page's script).

Every message goes through :func:`bot.conversation.handle_message`, like SMS and Telegram.
The browser holds only a signed, HttpOnly, SameSite cookie: a random sender id, the
referral code from the link, the page language, and the last exchange so a reload (or a
browser without JavaScript) shows where the person is. Posts carry a CSRF token
(Flask-WTF); every page gets strict security headers (see :func:`secure`).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from wtforms.validators import ValidationError

from bot.stats import clean_ref

HERE = Path(__file__).parent
LANGS = ("en", "es")
MAX_TEXT = 500
MAX_BODY = 8 * 1024
MAX_SHOWN_REPLIES = 6

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


class _Blueprint(Blueprint):
    """A blueprint whose versioned static files may be cached for a year."""

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        return 31536000 if request.args.get("v") else 300


bp = _Blueprint(
    "web",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)


# --- shared by the web, share and admin pages -------------------------------------------


@cache
def ui_strings() -> dict[str, dict[str, str]]:
    """The page wording, one dict per language (``templates/ui.yaml``)."""
    with open(HERE / "templates" / "ui.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


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


def config(name: str, default: str = "") -> str:
    """A setting from the app config (which ``create_app`` fills from the environment)."""
    value = current_app.config.get(name)
    if value in (None, ""):
        value = os.environ.get(name, default)
    return str(value)


@bp.record_once
def _configure(state: Any) -> None:
    """Cookie and CSRF settings the chat relies on (only where the app set none)."""
    cfg = state.app.config
    cfg.setdefault("SESSION_COOKIE_HTTPONLY", True)
    if not cfg.get("SESSION_COOKIE_SAMESITE"):
        cfg["SESSION_COOKIE_SAMESITE"] = "Lax"
    if str(cfg.get("PUBLIC_URL") or "").startswith("https://"):
        cfg["SESSION_COOKIE_SECURE"] = True  # served over HTTPS: never send it in clear
    cfg.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid for the cookie's life
    state.app.jinja_env.globals.setdefault("asset", asset)


bp.after_request(secure)


def check_csrf(token: str | None) -> bool:
    """True when the token matches this browser's session (Flask-WTF's check)."""
    try:
        validate_csrf(token)
    except (ValidationError, CSRFError):
        return False
    return True


# --- the conversation --------------------------------------------------------------------


def sender_id() -> str:
    """This browser's random, opaque sender id (kept in the signed cookie)."""
    if not isinstance(session.get("sid"), str):
        session["sid"] = secrets.token_urlsafe(18)
    return "web:" + session["sid"]


def store() -> Any:
    """The app's session store (``bot.store.SessionStore``)."""
    from bot.app import get_store

    return get_store(current_app)


NOTICE_STATUSES = ("rate_limited", "busy", "unavailable", "error")


def converse(text: str, message_id: str | None) -> tuple[list[dict], bool]:
    """Send one message through the shared conversation path.

    Returns the replies to show, and whether they are only a notice (slow down, try again
    later) that leaves the current question as it was. Also follows the conversation's
    language (the page switches with the bot) and, when the person erased their answers,
    forgets this browser's session too.
    """
    from bot import conversation

    result = conversation.handle_message(
        store(),
        channel="web",
        sender=sender_id(),
        text=text,
        message_id=message_id,
        ref=session.get("ref"),
    )
    lang = result.lang if result.lang in LANGS else page_lang()
    if result.status == "duplicate":
        return list((session.get("last") or {}).get("replies") or []), False
    if result.status in NOTICE_STATUSES:
        notice = result.replies or [conversation.notice(result.status, lang)]
        return [_clean_reply(r) for r in notice], True
    session.pop("ref", None)  # the session store recorded it with the first message
    replies = [_clean_reply(r) for r in result.replies]
    if result.status == "opted_out":
        replies = [{"text": ui_strings()[lang]["opted_out"], "choices": []}]
    if "erase" in result.effects:
        session.clear()
    session["lang"] = lang
    return replies, False


def _clean_reply(reply: dict) -> dict:
    choices = [
        {"id": str(c.get("id", "")), "label": str(c.get("label", ""))}
        for c in reply.get("choices") or []
        if isinstance(c, dict)
    ]
    return {"text": str(reply.get("text", "")), "choices": choices}


def shown_as(text: str) -> str:
    """What the person's message looks like on the page: a choice's label, not its id."""
    last = session.get("last") or {}
    replies = last.get("replies") or []
    for choice in (replies[-1].get("choices") or []) if replies else []:
        if choice.get("id") == text:
            return str(choice.get("label") or text)
    for strings in ui_strings().values():
        if text == strings["delete_text"]:
            return strings["delete"]
    switch = {"ENGLISH": "en", "ESPANOL": "es"}.get(text)
    if switch:
        strings = ui_strings()[switch]
        return strings["lang_name"] if last else strings["start"]
    return text


def remember(shown: str, replies: list[dict]) -> None:
    """Keep the last exchange in the cookie so a reload shows where the person is."""
    if not replies:
        return
    session["last"] = {"you": shown[:MAX_TEXT], "replies": replies[-MAX_SHOWN_REPLIES:]}


def _message_error(text: Any) -> str | None:
    if not isinstance(text, str) or not text.strip():
        return "error_empty"
    if len(text) > MAX_TEXT:
        return "error_too_long"
    return None


# --- routes ------------------------------------------------------------------------------


@bp.get("/")
def chat_page() -> Response:
    """The chat page: the start buttons, or the last exchange and the answer box."""
    lang = page_lang()
    ref = clean_ref(request.args.get("ref"))
    if ref and not session.get("last"):
        session["ref"] = ref
    error = session.pop("error", None)
    notice = session.pop("notice", None)
    return render_template(
        "chat.html",
        t=ui_strings()[lang],
        ui=ui_strings(),
        lang=lang,
        last=session.get("last"),
        error=error,
        notice=notice,
        keep_days=config("SESSION_TTL_DAYS", "30"),
        csrf_token=generate_csrf(),
        message_id=secrets.token_urlsafe(12),
    )


@bp.post("/")
def chat_form() -> Response:
    """A plain form post (no JavaScript): answer, remember, then redirect back to the page."""
    size = request.content_length or 0
    if size > (current_app.config.get("MAX_CONTENT_LENGTH") or MAX_BODY):
        return Response("Message too large.", status=413, mimetype="text/plain")  # not a person
    if size > MAX_BODY:  # a long paste: not read; say so in the page's language
        session["error"] = "error_too_long"
        return redirect(url_for("web.chat_page") + "#answer", code=303)
    lang_switch = request.form.get("lang", "")
    if lang_switch in LANGS:
        session["lang"] = lang_switch
    if not check_csrf(request.form.get("csrf_token")):
        session["error"] = "error_expired"
        return redirect(url_for("web.chat_page") + "#answer", code=303)
    text = request.form.get("text", "")
    error = _message_error(text)
    if error:
        session["error"] = error
        return redirect(url_for("web.chat_page") + "#answer", code=303)
    text = text.strip()
    shown = shown_as(text)
    try:
        replies, notice = converse(text, request.form.get("mid") or None)
    except Exception:
        current_app.logger.exception("web chat: the conversation failed")
        session["error"] = "error_server"
        return redirect(url_for("web.chat_page") + "#answer", code=303)
    if notice:  # the question stays; the notice shows where errors do
        session["notice"] = " ".join(r["text"] for r in replies)
        return redirect(url_for("web.chat_page") + "#answer", code=303)
    remember(shown, replies)
    return redirect(url_for("web.chat_page") + "#latest", code=303)


@bp.post("/api/chat")
def chat_api() -> Response:
    """JSON: ``{"text": str, "id": optional message id}`` in, ``{"replies": [...]}`` out."""
    if (request.content_length or 0) > MAX_BODY:
        return _json_error(413, "too_large", "The request is too large.")
    if not request.is_json:
        return _json_error(415, "json_required", "Send JSON with Content-Type application/json.")
    if not check_csrf(request.headers.get("X-CSRF-Token")):
        return _json_error(403, "csrf", "The CSRF token is missing or wrong.", fresh_token=True)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _json_error(400, "bad_json", 'Send a JSON object like {"text": "hi"}.')
    text = body.get("text")
    error = _message_error(text)
    if error:
        lang = page_lang()
        return _json_error(400, error, ui_strings()[lang][error])
    message_id = body.get("id") if isinstance(body.get("id"), str) else None
    text = text.strip()
    shown = shown_as(text)
    try:
        replies, notice = converse(text, (message_id or "")[:64] or None)
    except Exception:
        current_app.logger.exception("web chat: the conversation failed")
        return _json_error(503, "unavailable", ui_strings()[page_lang()]["error_server"])
    if not notice:
        remember(shown, replies)
    return jsonify(replies=replies, lang=page_lang(), notice=notice)


def _json_error(status: int, code: str, message: str, *, fresh_token: bool = False) -> Response:
    payload: dict[str, Any] = {"error": code, "message": message}
    if fresh_token:
        payload["csrf_token"] = generate_csrf()
    response = jsonify(payload)
    response.status_code = status
    return response
