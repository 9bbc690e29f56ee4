"""A local stand-in of the Telegram Bot API, served over real HTTP on 127.0.0.1.

It answers the methods our bot uses with Telegram's JSON shapes (``{"ok": true,
"result": ...}``): getMe, getUpdates (long polling over a queue of updates the test
pushes), sendMessage, setWebhook, deleteWebhook, getWebhookInfo, setMyCommands,
logOut/close. python-telegram-bot talks to it through ``base_url``.

Like Telegram, it runs the one method a webhook's answer may carry (``{"method":
"sendMessage", ...}`` in the response body): ``deliver`` does it, and ``execute`` does it
for an answer a test got another way. ``stall`` (seconds) makes every method hang that
long first, as a Bot API that does not answer.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

TOKEN = "123456789:TEST-stand-in-token_abcdefghijklmno"
WEBHOOK_SECRET = "test-webhook-secret_123"  # what the channel tests register the webhook with
BOT_USER = {"id": 123456789, "is_bot": True, "first_name": "Clearline",
            "username": "clearline_test_bot", "can_join_groups": False,
            "can_read_all_group_messages": False, "supports_inline_queries": False}


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # the paths carry the bot token
        pass


class TelegramStandIn:
    """The stand-in server; ``base_url`` is what ``TELEGRAM_API_BASE_URL`` should be."""

    def __init__(self) -> None:
        self.updates: list[dict] = []
        self.sent: list[dict] = []  # every sendMessage, parsed
        self.calls: list[str] = []  # method names, in order
        self.webhook: dict = {}
        self.commands: dict[str, list[dict]] = {}  # setMyCommands, by language_code
        self.stall = 0.0  # seconds every method waits before answering
        self._cond = threading.Condition()
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(1)
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True,
                                   request_handler=_Quiet)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def start(self) -> TelegramStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()

    # --- what a test does -------------------------------------------------------------
    def make_update(self, chat_id: int, text: str, update_id: int | None = None,
                    language_code: str | None = None) -> dict:
        """A Telegram ``Update`` with a private text message (commands get an entity)."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Test"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Test"},
            "text": text,
        }
        if language_code:
            message["from"]["language_code"] = language_code
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return {"update_id": update_id or next(self._update_ids), "message": message}

    def push(self, update: dict) -> None:
        """Queue an update for getUpdates."""
        with self._cond:
            self.updates.append(update)
            self._cond.notify_all()

    def deliver(self, update: dict, timeout: float = 30.0) -> int:
        """Post ``update`` to the registered webhook, as Telegram does; return the status."""
        request = urllib.request.Request(
            self.webhook["url"], data=json.dumps(update).encode(), method="POST",
            headers={"Content-Type": "application/json",
                     "X-Telegram-Bot-Api-Secret-Token": self.webhook.get("secret_token", "")},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                self.execute(response.read())
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def execute(self, body: bytes | str | dict | None) -> Any:
        """Run the method a webhook's answer carries, as Telegram does (else nothing)."""
        if isinstance(body, bytes | str):
            try:
                body = json.loads(body or "null")
            except ValueError:
                return None
        if not isinstance(body, dict) or not isinstance(body.get("method"), str):
            return None
        params = {k: v for k, v in body.items() if k != "method"}
        method = body["method"]
        with self._cond:
            self.calls.append(method)
        handler = getattr(self, f"_m_{method.lower()}", None)
        return handler(params) if handler else None

    def sent_to(self, chat_id: int) -> list[dict]:
        with self._cond:
            return [m for m in self.sent if int(m["chat_id"]) == chat_id]

    def wait_sent(self, chat_id: int, count: int, timeout: float = 10.0) -> list[dict]:
        """Wait until ``count`` messages went to ``chat_id``; return them."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [m for m in self.sent if int(m["chat_id"]) == chat_id]
                if len(found) >= count or time.monotonic() > deadline:
                    return found
                self._cond.wait(0.05)

    # --- the Bot API --------------------------------------------------------------------
    def _wsgi(self, environ, start_response):
        request = Request(environ)
        path = request.path
        prefix = f"/bot{TOKEN}/"
        if not path.startswith(prefix):
            body = {"ok": False, "error_code": 401, "description": "Unauthorized"}
            return Response(json.dumps(body), 401, mimetype="application/json")(
                environ, start_response)
        method = path[len(prefix):]
        params = self._params(request)
        if self.stall:
            time.sleep(self.stall)
        with self._cond:
            self.calls.append(method)
        handler = getattr(self, f"_m_{method.lower()}", None)
        if handler is None:
            body = {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
            status = 404
        else:
            body, status = {"ok": True, "result": handler(params)}, 200
        return Response(json.dumps(body), status, mimetype="application/json")(
            environ, start_response)

    @staticmethod
    def _params(request: Request) -> dict:
        if request.is_json:
            return request.get_json() or {}
        params: dict[str, Any] = {}
        for key, value in request.form.items():
            try:
                params[key] = json.loads(value)
            except ValueError:
                params[key] = value
        return params

    def _m_getme(self, params: dict) -> dict:
        return BOT_USER

    def _m_getupdates(self, params: dict) -> list[dict]:
        offset = int(params.get("offset") or 0)
        wait = min(float(params.get("timeout") or 0), 1.0)
        deadline = time.monotonic() + wait
        with self._cond:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            while not self.updates and time.monotonic() < deadline:
                self._cond.wait(deadline - time.monotonic())
            return list(self.updates[:100])

    def _m_sendmessage(self, params: dict) -> dict:
        with self._cond:
            self.sent.append(params)
            self._cond.notify_all()
        return {"message_id": next(self._message_ids), "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "from": BOT_USER, "text": params.get("text", "")}

    def _m_setwebhook(self, params: dict) -> bool:
        self.webhook = params
        return True

    def _m_deletewebhook(self, params: dict) -> bool:
        self.webhook = {}
        return True

    def _m_getwebhookinfo(self, params: dict) -> dict:
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                "pending_update_count": 0}

    def _m_setmycommands(self, params: dict) -> bool:
        with self._cond:  # the command menu by language_code ("": the default menu)
            self.commands[params.get("language_code") or ""] = params.get("commands")
        return True

    def _m_close(self, params: dict) -> bool:
        return True

    def _m_logout(self, params: dict) -> bool:
        return True
