"""The web chat: ``GET /`` (the page), ``POST /`` (plain form posts, no JavaScript needed)
and ``POST /api/chat`` (JSON for the page's script).

Every message goes through :func:`bot.conversation.handle_message`, like SMS and Telegram.
The browser holds only a signed, HttpOnly, SameSite cookie with an opaque random id, the
referral code from the link, the page language and short status codes; no message text.
The conversation itself (and its transcript, :mod:`bot.history`) lives in Redis under a
keyed hash of that id, so a reload, a language switch or a browser without JavaScript
shows all of it. Posts carry a CSRF token (Flask-WTF); every page gets strict security
headers (see :func:`bot.shared.secure`). Also ``GET /privacy``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

import redis
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
from flask_wtf.csrf import generate_csrf

from bot import chatview, conversation, history
from bot.shared import (
    LANGS,
    asset,
    check_csrf,
    config,
    organisation,
    page_lang,
    secure,
    store,
)
from bot.stats import clean_ref
from bot.store import Group
from bot.wording import ui_strings

DEFAULT_MAX_TEXT = 1600  # MAX_TEXT_LENGTH: the same limit as SMS
MAX_BODY = 32 * 1024  # a JSON body: room for MAX_TEXT_LENGTH characters, escaped


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
    state.app.jinja_env.globals.setdefault("linkify", chatview.linkify)
    state.app.jinja_env.globals.setdefault("national", chatview.national)


bp.after_request(secure)


# --- the conversation --------------------------------------------------------------------


def sender_id() -> str:
    """This browser's random, opaque sender id (kept in the signed cookie): made once, on
    the first page or message, and reused by every later message of that browser."""
    if not isinstance(session.get("sid"), str):
        session["sid"] = secrets.token_urlsafe(18)
    return "web:" + session["sid"]


def session_limits() -> list[Any]:
    """How many new conversations may start in the sliding window: from this client's
    address (the real one, through ``PROXY_HOPS``) and from every client together."""
    cfg = current_app.config
    window = int(cfg.get("WEB_SESSIONS_WINDOW_SECONDS") or 600)
    return [Group(f"web:addr:{request.remote_addr or '-'}",
                  int(cfg.get("WEB_SESSIONS_PER_ADDRESS") or 0), window),
            Group("web:all", int(cfg.get("WEB_SESSIONS_GLOBAL") or 0), window)]


NOTICE_STATUSES = ("rate_limited", "throttled", "busy", "unavailable", "error")


@dataclass
class Turn:
    """What one message of the person's became: the transcript entries to show."""

    entries: list[dict] = field(default_factory=list)
    notice: str | None = None  # a notice (slow down, try later) that leaves the question
    card: bool = False  # a verdict card is among the entries


def max_text() -> int:
    """The longest message read (``MAX_TEXT_LENGTH``, the same as SMS)."""
    return int(current_app.config.get("MAX_TEXT_LENGTH") or DEFAULT_MAX_TEXT)


def converse(text: str, message_id: str | None, *, tapped: bool = False) -> Turn:
    """Send one message through the shared conversation path and keep the transcript.

    A message over ``max_text()`` is cut there and the person is told. The transcript
    (``bot.history``) gets what the person said (a choice's label, not its id) and the
    replies as the web shows them (``bot.chatview``). Also follows the conversation's
    language (the page switches with the bot) and, when the person erased their answers,
    forgets the transcript and this browser's session too.
    """
    limit = max_text()
    cut = len(text) > limit
    text = text[:limit]
    sender = sender_id()
    previous = _quietly(history.last, store(), sender)
    result = conversation.handle_message(
        store(),
        channel="web",
        sender=sender,
        text=text,
        message_id=message_id,
        ref=session.get("ref"),
        groups=session_limits(),
    )
    lang = result.lang if result.lang in LANGS else page_lang()
    if result.status == "duplicate":
        return Turn(entries=_since_last_message(_quietly(history.load, store(), sender) or []))
    if result.status in NOTICE_STATUSES:  # in the page's language (the state may be unread)
        session["notice"] = result.status
        return Turn(notice=notice_text(result.status, page_lang()))
    session.pop("ref", None)  # the session store recorded it with the first message
    if result.status == "opted_out":
        entries = [{"who": "bot", "text": ui_strings()[lang]["opted_out"], "choices": []}]
    else:
        entries = chatview.entries(lang, result.state, result.replies)
    if cut:
        note = ui_strings()[lang]["cut_note"].format(limit=f"{limit:,}")
        entries.insert(0, {"who": "bot", "text": note, "choices": [], "note": True})
    mine = {"who": "me", "text": shown_as(text, previous, tapped=tapped)}
    session["lang"] = lang
    if "erase" in result.effects:
        _quietly(history.erase, store(), sender)
        session.clear()
        session["lang"] = lang
        session["said"] = "erased"
    elif "opt_out" in result.effects:  # STOP forgets the conversation, keeps the notice
        _quietly(history.erase, store(), sender)
        _quietly(history.append, store(), sender, entries)
    elif result.status != "opted_out":  # after STOP nothing is kept
        _quietly(history.append, store(), sender, [mine, *entries])
    return Turn(entries=[mine, *entries], card=any(e.get("card") for e in entries))


def _quietly(action: Any, *args: Any) -> Any:
    """Run a transcript read or write; Redis trouble there never costs the reply."""
    try:
        return action(*args)
    except redis.RedisError:
        current_app.logger.warning("web chat: the transcript is out of reach")
        return None


def _since_last_message(entries: list[dict]) -> list[dict]:
    """The entries after the person's last message (what answered it)."""
    for i in range(len(entries) - 1, -1, -1):
        if entries[i].get("who") == "me":
            return entries[i:]
    return entries


def shown_as(text: str, previous: dict | None, *, tapped: bool = True) -> str:
    """What the person's message looks like on the page: a tapped choice's label, not its
    id (``previous``: the last entry of the transcript); typed text as it was typed."""
    for choice in ((previous or {}).get("choices") or []) if tapped else []:
        if choice.get("id") == text:
            return str(choice.get("label") or text)
    for strings in ui_strings().values():
        if text == strings["delete_text"]:
            return strings["delete"]
    switch = {"ENGLISH": "en", "ESPANOL": "es"}.get(text)
    if switch:
        strings = ui_strings()[switch]
        return strings["lang_name"] if previous else strings["start"]
    return text


def _message_error(text: Any) -> str | None:
    if not isinstance(text, str) or not text.strip():
        return "error_empty"
    return None


def transcript() -> list[dict]:
    """This browser's conversation so far ([] for a new browser or when Redis is away)."""
    if not isinstance(session.get("sid"), str):
        return []
    try:
        return history.load(store(), sender_id())
    except redis.RedisError:
        return []


def latest_turn(entries: list[dict]) -> int:
    """The index of the first reply to the person's last message (where to look first)."""
    for i in range(len(entries) - 1, -1, -1):
        if entries[i].get("who") == "me":
            return min(i + 1, len(entries) - 1)
    return 0


def page_state(entries: list[dict], lang: str) -> dict[str, Any]:
    """What the page shows below the conversation: choices and progress of the last reply."""
    bots = [e for e in entries if e.get("who") == "bot" and not e.get("note")]
    last = bots[-1] if bots else {}
    said = session.pop("said", None)
    extra = []
    if said == "erased":
        extra = [{"who": "bot", "text": chatview.web_text(lang, "erased"), "choices": []}]
    step = last.get("progress")
    return {
        "entries": entries + extra,
        "latest": latest_turn(entries) if entries else (0 if extra else -1),
        "choices": last.get("choices") or [],
        "progress": step if isinstance(step, list) and len(step) == 2 else None,
        "started": bool(entries),
    }


def render_entries(entries: list[dict], lang: str, latest: int = 0) -> str:
    """The ``<li>`` items of some transcript entries (the page and the script share them)."""
    return render_template("_entries.html", entries=entries, t=ui_strings()[lang],
                           latest=latest, lang=lang)


# --- routes ------------------------------------------------------------------------------


@bp.get("/")
def chat_page() -> Response:
    """The chat page: the start buttons, or the whole conversation and the answer box."""
    lang = page_lang()
    sender_id()  # this browser's id, made once and kept by every later request
    ref = clean_ref(request.args.get("ref"))
    entries = transcript()
    if ref and not entries:
        session["ref"] = ref
    error = session.pop("error", None)
    notice = session.pop("notice", None)
    view = page_state(entries, lang)
    return render_template(
        "chat.html",
        t=ui_strings()[lang],
        ui=ui_strings(),
        lang=lang,
        view=view,
        error=error,
        notice=notice_text(notice, lang),
        keep_days=config("SESSION_TTL_DAYS", "30"),
        org=organisation(),
        csrf_token=generate_csrf(),
        message_id=secrets.token_urlsafe(12),
        max_text=max_text(),
    )


def notice_text(status: Any, lang: str) -> str | None:
    """The words of a channel notice kept as a status code in the cookie."""
    if status not in NOTICE_STATUSES:
        return None
    return str(conversation.notice(status, lang)["text"])


@bp.post("/")
def chat_form() -> Response:
    """A plain form post (no JavaScript): answer, remember, then redirect back to the page."""
    size = request.content_length or 0
    if size > (current_app.config.get("MAX_CONTENT_LENGTH") or MAX_BODY):
        return Response(ui_strings()[page_lang()]["error_too_large"], status=413,
                        mimetype="text/plain")
    if not check_csrf(request.form.get("csrf_token")):  # a language switch too
        session["error"] = "error_expired"
        return redirect(url_for("web.chat_page") + "#answer", code=303)
    lang_switch = request.form.get("lang", "")
    if lang_switch in LANGS:
        session["lang"] = lang_switch
    text = request.form.get("text", "")
    error = _message_error(text)
    if error:
        session["error"] = error
        return redirect(url_for("web.chat_page") + "#answer", code=303)
    try:
        turn = converse(text.strip(), request.form.get("mid") or None,
                        tapped=request.form.get("via") == "choice")
    except Exception:
        current_app.logger.exception("web chat: the conversation failed")
        session["error"] = "error_server"
        return redirect(url_for("web.chat_page") + "#answer", code=303)
    if turn.notice:  # the question stays; the notice shows where errors do
        return redirect(url_for("web.chat_page") + "#answer", code=303)
    anchor = "#result" if turn.card else "#latest"
    return redirect(url_for("web.chat_page") + anchor, code=303)


@bp.post("/api/chat")
def chat_api() -> Response:
    """JSON: ``{"text": str, "id": optional message id}`` in, ``{"replies": [...]}`` out."""
    if (request.content_length or 0) > MAX_BODY:
        return _json_error(413, "too_large", "error_too_large")
    if not request.is_json:
        return _json_error(415, "json_required", "error_bad_request")
    if not check_csrf(request.headers.get("X-CSRF-Token")):
        return _json_error(403, "csrf", "error_expired", fresh_token=True)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _json_error(400, "bad_json", "error_bad_request")
    text = body.get("text")
    error = _message_error(text)
    if error:
        return _json_error(400, error, error)
    message_id = body.get("id") if isinstance(body.get("id"), str) else None
    try:
        turn = converse(text.strip(), (message_id or "")[:64] or None,
                        tapped=body.get("choice") is True)
    except Exception:
        current_app.logger.exception("web chat: the conversation failed")
        return _json_error(503, "unavailable", "error_server")
    lang = page_lang()
    if turn.notice:
        session.pop("notice", None)  # the script shows it at once
        return jsonify(replies=[{"text": turn.notice, "choices": []}], lang=lang, notice=True)
    bots = [e for e in turn.entries if e.get("who") == "bot"]
    last = bots[-1] if bots else {}
    return jsonify(
        replies=[_api_reply(e) for e in bots],
        lang=lang,
        notice=False,
        html=render_entries(bots, lang),
        choices=last.get("choices") or [],
        progress=_progress_text(last.get("progress"), lang),
    )


def _api_reply(entry: dict) -> dict:
    reply = {"text": entry.get("text", ""), "choices": entry.get("choices") or []}
    if entry.get("card"):
        card = entry["card"]
        reply["text"] = " ".join([card["title"], *card["steps"], *card["details"]])
        reply["card"] = card
    return reply


def _progress_text(step: Any, lang: str) -> str | None:
    if not isinstance(step, list) or len(step) != 2:
        return None
    return ui_strings()[lang]["progress"].format(n=step[0], total=step[1])


@bp.get("/privacy")
def privacy_page() -> Response:
    """What is kept, for how long, never sold, how to erase, and who runs the service."""
    lang = page_lang()
    return render_template(
        "privacy.html",
        t=ui_strings()[lang],
        lang=lang,
        org=organisation(),
        keep_days=config("SESSION_TTL_DAYS", "30"),
        stop_days=config("OPTOUT_TTL_DAYS", "365"),
        stats_days=config("STATS_TTL_DAYS", "400"),
        switch_url=url_for("web.privacy_page", lang=ui_strings()[lang]["switch_lang"]),
    )


def _json_error(status: int, code: str, key: str, *, fresh_token: bool = False) -> Response:
    """A JSON error: ``code`` for the script, ``message`` (the page wording ``key``) for the
    person, which the script shows where errors show."""
    payload: dict[str, Any] = {"error": code, "message": ui_strings()[page_lang()][key]}
    if fresh_token:
        payload["csrf_token"] = generate_csrf()
    response = jsonify(payload)
    response.status_code = status
    return response
