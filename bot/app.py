"""The Flask application factory: ``create_app(config=None)``.

Configuration comes from the environment (see ``bot.config`` and the README); a mapping
passed to ``create_app`` overrides it (tests use this). The session store is shared by
every blueprint through ``current_app.extensions["clearline"].store`` (or
``bot.shared.get_store()``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import redis
from flask import Flask, Request, Response, jsonify, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from bot import admin, conversation, logs, share, sms, telegram, voice, web, whatsapp, wording
from bot import config as settings
from bot.shared import Clearline, get_store, secure
from bot.store import SessionStore
from bot.twilio_webhook import twiml

log = logging.getLogger("clearline.app")


class SafeRequest(Request):
    """A request whose JSON nested too deeply for the parser is a bad request (400 or,
    with ``silent``, None), not a RecursionError and a 500."""

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        try:
            return super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            if silent:
                return None
            raise BadRequest("JSON nested too deeply") from None


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer built once per secret
    key instead of on every request (webhooks, which never use a session, paid for it)."""

    _cached: tuple[tuple, Any] | None = None

    def get_signing_serializer(self, app: Flask) -> Any:
        if not app.secret_key:
            return None
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        cached = self._cached
        if cached is None or cached[0] != keys:
            cached = self._cached = (keys, super().get_signing_serializer(app))
        return cached[1]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the web process: SMS and Telegram webhooks, web chat, share kit, admin."""
    conf = settings.load(config)
    app = Flask("bot", instance_relative_config=False)
    app.request_class = SafeRequest
    app.session_interface = SessionInterface()
    app.config.update(conf)
    if not app.config.get("TESTING"):
        logs.setup(conf["LOG_LEVEL"])
    hops = conf["PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                x_port=hops, x_prefix=hops)
    app.extensions["clearline"] = Clearline(store=SessionStore.from_config(conf))

    app.register_blueprint(sms.bp)
    app.register_blueprint(telegram.bp)
    app.register_blueprint(voice.bp)
    app.register_blueprint(whatsapp.bp)
    # Outreach blueprints (web chat, share kit, admin) register here:
    app.register_blueprint(web.bp)
    app.register_blueprint(share.bp)
    app.register_blueprint(admin.bp)

    app.add_url_rule("/healthz", "healthz", healthz)
    app.after_request(_secure)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, unexpected_error)
    return app


WEBHOOKS = frozenset({"/sms", "/telegram"})  # answered to Twilio and Telegram, not browsers


def _secure(response: Response) -> Response:
    """The pages' security headers on every answer a browser may get (/healthz, static
    files, 404s), where a blueprint did not add them already; not on the webhooks."""
    if request.path in WEBHOOKS or "Content-Security-Policy" in response.headers:
        return response
    return secure(response)


def healthz() -> tuple[Response, int]:
    """200 ``{"status": "ok", "redis": "ok", "memory": {...}}`` when Redis answers and can
    take writes; 503 when it does not answer, or is full (``noeviction`` at its limit:
    nobody could be answered). ``memory.pressure`` is "high" well before that."""
    try:
        memory = get_store().memory()
    except redis.RedisError:
        return jsonify({"status": "unavailable", "redis": "down"}), 503
    full = memory["pressure"] == "full"
    body = {"status": "full" if full else "ok", "redis": "ok", "memory": memory}
    return jsonify(body), 503 if full else 200


def http_error(exc: HTTPException) -> Response:
    """HTTP errors as a short plain-text answer (``413 Request Entity Too Large``), to
    every caller: webhooks get no TwiML or Bot API method with them."""
    if request.path == "/sms" and exc.code == 413:
        logs.event(log, "sms_refused", logging.WARNING, reason="too_large")
    response = exc.get_response()
    response.set_data(f"{exc.code} {exc.name}\n")
    response.mimetype = "text/plain"
    return response


def unexpected_error(exc: Exception) -> Response | tuple[str, int]:
    """A bug: log it (without request data) and answer kindly, never a bare 500 page."""
    if isinstance(exc, HTTPException):
        return http_error(exc)
    log.exception("unhandled_error", extra={"fields": {"path": request.path}})
    if request.path == "/voice":
        return voice.spoken_notice("error")
    if request.path in ("/sms", "/whatsapp"):
        return twiml(sms.render([conversation.notice("error")]))
    return wording.notice("error", None)["text"] + "\n", 500  # the language is unknown
