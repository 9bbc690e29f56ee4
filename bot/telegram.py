"""Telegram through python-telegram-bot, used as the transport only.

The conversation itself is ours (``bot.conversation.handle_message``, state in Redis);
PTB receives updates and sends the replies, with the choices as keyboard buttons.

Two ways to receive updates, both through the same handlers:

- polling: ``clearline telegram`` (the Procfile's ``worker``) runs ``run_polling``;
- webhook: ``POST /telegram`` on the web process, checked against
  ``TELEGRAM_WEBHOOK_SECRET`` (Telegram's ``X-Telegram-Bot-Api-Secret-Token`` header).
  Each web worker runs one PTB ``Application`` on an event loop in a background thread.

``TELEGRAM_API_BASE_URL`` (PTB's ``base_url``) points both at a self-hosted Bot API server,
or at the local stand-in the tests use.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import re
import sys
import threading
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, current_app, request
from telegram import (
    BotCommand,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, ApplicationBuilder, CommandHandler, ContextTypes, filters
from telegram.ext import MessageHandler as _MessageHandler

from bot import logs
from bot.conversation import clean_ref, handle_message

bp = Blueprint("telegram", __name__)
log = logging.getLogger("clearline.telegram")

ALLOWED_UPDATES = ["message"]
MAX_TEXT = 4096  # Telegram's limit for one message
WEBHOOK_TIMEOUT = 25.0  # seconds a webhook request waits for the replies to be sent
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_DEEP_LINK = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

# What each command means to the dialog engine (its keywords work in both languages).
COMMAND_TEXT = {"help": "HELP", "stop": "STOP", "delete": "DELETE"}
COMMANDS = [
    BotCommand("start", "Start a new check"),
    BotCommand("help", "What this bot does and how to use it"),
    BotCommand("stop", "Stop and forget this conversation"),
    BotCommand("delete", "Delete everything you told us"),
]


def keyboard(choices: list[dict]) -> ReplyKeyboardMarkup | ReplyKeyboardRemove:
    """The choices as reply-keyboard buttons (two a row when short); none: remove it."""
    labels = [str(c.get("label") or c.get("id") or "") for c in choices]
    labels = [label for label in labels if label]
    if not labels:
        return ReplyKeyboardRemove()
    width = 2 if all(len(label) <= 14 for label in labels) else 1
    rows = [
        [KeyboardButton(label) for label in labels[i : i + width]]
        for i in range(0, len(labels), width)
    ]
    return ReplyKeyboardMarkup(rows, one_time_keyboard=True, resize_keyboard=True)


def chunks(text: str, size: int = MAX_TEXT) -> list[str]:
    """``text`` in pieces Telegram accepts, split at line ends where possible."""
    pieces: list[str] = []
    while len(text) > size:
        cut = text.rfind("\n", 0, size)
        cut = cut if cut > size // 2 else size
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    if text:
        pieces.append(text)
    return pieces


async def send_replies(update: Update, replies: list[dict]) -> None:
    """Send the replies in order; the last one carries the keyboard of its choices."""
    chat = update.effective_chat
    if chat is None:
        return
    for i, reply in enumerate(replies):
        last = i == len(replies) - 1
        pieces = chunks(str(reply.get("text") or "")) or ["…"]
        for j, piece in enumerate(pieces):
            markup = None
            if j == len(pieces) - 1 and (last or reply.get("choices")):
                markup = keyboard(reply.get("choices") or [])
            await chat.send_message(piece, reply_markup=markup)


async def _converse(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str,
                    ref: str | None = None) -> None:
    chat = update.effective_chat
    if chat is None or update.update_id is None:
        return
    store = context.application.bot_data["store"]
    user = update.effective_user
    result = await asyncio.to_thread(
        handle_message,
        store,
        channel="telegram",
        sender=str(chat.id),
        text=text,
        message_id=f"tg:{update.update_id}",
        ref=ref,
        max_text=context.application.bot_data.get("max_text", 1600),
        lang_hint=user.language_code if user is not None else None,
    )
    await send_replies(update, result.replies)


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/start`` or a deep link ``/start CODE``: begin (or resume) and record the code."""
    payload = context.args[0] if context.args else ""
    ref = clean_ref(payload) if _DEEP_LINK.match(payload or "") else None
    await _converse(update, context, "START", ref=ref)


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/help``, ``/stop``, ``/delete``: the dialog engine's keywords."""
    text = (update.effective_message.text or "") if update.effective_message else ""
    name = text.split()[0].lstrip("/").split("@")[0].lower() if text.split() else ""
    await _converse(update, context, COMMAND_TEXT.get(name, text))


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any other message: its text (a sticker or photo counts as an empty message)."""
    message = update.effective_message
    await _converse(update, context, (message.text or message.caption or "") if message else "")


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log a failed update without its contents."""
    error = context.error
    logs.event(log, "telegram_error", logging.WARNING,
               error=type(error).__name__ if error else "unknown")


def build_application(config: Mapping[str, Any], store: Any) -> Application:
    """A PTB ``Application`` with our handlers, talking to ``TELEGRAM_API_BASE_URL``."""
    builder = (
        ApplicationBuilder()
        .token(config["TELEGRAM_BOT_TOKEN"])
        .base_url(config["TELEGRAM_API_BASE_URL"])
        .connect_timeout(5.0)
        .read_timeout(15.0)
        .write_timeout(10.0)
    )
    application = builder.build()
    application.bot_data["store"] = store
    application.bot_data["max_text"] = config.get("MAX_TEXT_LENGTH", 1600)
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("start", on_start, filters=private))
    application.add_handler(CommandHandler(list(COMMAND_TEXT), on_command, filters=private))
    application.add_handler(_MessageHandler(private & ~filters.StatusUpdate.ALL, on_text))
    application.add_error_handler(on_error)
    return application


def run_polling() -> int:
    """``clearline telegram``: fetch updates with long polling until stopped (SIGINT/TERM)."""
    from bot import config as settings
    from bot.store import SessionStore

    config = settings.load()
    logs.setup(config["LOG_LEVEL"])
    if not config["TELEGRAM_BOT_TOKEN"]:
        print("clearline telegram: set TELEGRAM_BOT_TOKEN (from @BotFather) first.",
              file=sys.stderr)
        return 2
    store = SessionStore.from_config(config)
    application = build_application(config, store)

    async def post_init(app: Application) -> None:
        try:
            await app.bot.set_my_commands(COMMANDS)
        except TelegramError as exc:
            logs.event(log, "set_commands_failed", logging.WARNING, error=type(exc).__name__)
        logs.event(log, "telegram_polling", bot=app.bot.username)

    application.post_init = post_init
    try:
        application.run_polling(allowed_updates=ALLOWED_UPDATES, close_loop=False)
    except InvalidToken:
        print("clearline telegram: Telegram refused TELEGRAM_BOT_TOKEN.", file=sys.stderr)
        return 1
    except TelegramError as exc:
        logs.event(log, "telegram_polling_failed", logging.ERROR, error=type(exc).__name__)
        print(f"clearline telegram: cannot reach the Bot API ({type(exc).__name__}).",
              file=sys.stderr)
        return 1
    logs.event(log, "telegram_polling_stopped")
    return 0


async def _set_webhook(config: Mapping[str, Any]) -> bool:
    from telegram import Bot

    bot = Bot(config["TELEGRAM_BOT_TOKEN"], base_url=config["TELEGRAM_API_BASE_URL"])
    async with bot:
        await bot.set_my_commands(COMMANDS)
        return await bot.set_webhook(
            url=f"{config['PUBLIC_URL']}/telegram",
            secret_token=config["TELEGRAM_WEBHOOK_SECRET"],
            allowed_updates=ALLOWED_UPDATES,
        )


def set_webhook(config: Mapping[str, Any]) -> bool:
    """Tell Telegram to post updates to ``PUBLIC_URL/telegram`` with our secret."""
    try:
        return asyncio.run(_set_webhook(config))
    except TelegramError as exc:
        logs.event(log, "set_webhook_failed", logging.WARNING, error=type(exc).__name__)
        return False


class WebhookBridge:
    """One PTB ``Application`` on an event loop in a daemon thread, fed by Flask requests."""

    def __init__(self, config: Mapping[str, Any], store: Any) -> None:
        self.pid = os.getpid()
        self.loop = asyncio.new_event_loop()
        self.application = build_application(config, store)
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="telegram-webhook", daemon=True)
        self._thread.start()
        try:
            self.call(self.application.initialize(), timeout=WEBHOOK_TIMEOUT)
        except BaseException:
            self.loop.call_soon_threadsafe(self.loop.stop)
            raise

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def call(self, coro: Any, timeout: float) -> Any:
        """Run ``coro`` on the bridge's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def process(self, data: dict) -> None:
        """Handle one update (already checked) and send the replies."""
        update = Update.de_json(data, self.application.bot)
        self.call(self.application.process_update(update), timeout=WEBHOOK_TIMEOUT)

    def close(self) -> None:
        """Shut the application down and stop the loop."""
        try:
            self.call(self.application.shutdown(), timeout=5)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=5)


_bridge_lock = threading.Lock()


def bridge() -> WebhookBridge:
    """This process's webhook bridge, started on first use (after gunicorn forks)."""
    ext = current_app.extensions["clearline"]
    with _bridge_lock:
        current = ext.telegram
        if current is None or current.pid != os.getpid():
            current = ext.telegram = WebhookBridge(current_app.config, ext.store)
    return current


@bp.post("/telegram")
def telegram_webhook() -> Response:
    """Telegram's webhook: 404 when Telegram is off, 403 on a wrong secret, else 200."""
    config = current_app.config
    if not config.get("TELEGRAM_BOT_TOKEN"):
        return Response("Not found\n", 404, mimetype="text/plain")
    secret = config.get("TELEGRAM_WEBHOOK_SECRET") or ""
    given = request.headers.get(SECRET_HEADER, "")
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        logs.event(log, "telegram_refused", logging.WARNING, reason="secret")
        return Response("Forbidden\n", 403, mimetype="text/plain")
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        return Response("Bad request: not a Telegram update\n", 400, mimetype="text/plain")
    try:
        bridge().process(data)
    except (TelegramError, TimeoutError) as exc:
        logs.event(log, "telegram_webhook_failed", logging.WARNING, error=type(exc).__name__)
        return Response("Unavailable\n", 503, mimetype="text/plain")
    except (KeyError, TypeError, ValueError) as exc:
        logs.event(log, "telegram_bad_update", logging.WARNING, error=type(exc).__name__)
        return Response("Bad request: not a Telegram update\n", 400, mimetype="text/plain")
    return Response("{}", 200, mimetype="application/json")
