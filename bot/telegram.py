"""Telegram through python-telegram-bot, used as the transport only.

The conversation itself is ours (``bot.conversation.handle_message``, state in Redis);
PTB receives updates and sends the replies, with the choices as keyboard buttons.

Two ways to receive updates, both through the same handlers:

- polling: ``clearline telegram`` (the Procfile's ``worker``) runs ``run_polling``;
- webhook: ``POST /telegram`` on the web process, checked against
  ``TELEGRAM_WEBHOOK_SECRET`` (Telegram's ``X-Telegram-Bot-Api-Secret-Token`` header).
  The web process never waits for the Bot API: the replies go back in the webhook's own
  answer, as one ``sendMessage`` call (the Bot API runs one method given there), and
  only replies too long for one message are sent from a background queue (``Outbox``)
  with short timeouts and a few retries. A slow or hung Bot API never holds a worker.

``TELEGRAM_API_BASE_URL`` (PTB's ``base_url``) points both at a self-hosted Bot API server,
or at the local stand-in the tests use.
"""

from __future__ import annotations

import asyncio
import hmac
import json
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
from telegram.constants import ParseMode
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, ApplicationBuilder, CommandHandler, ContextTypes, filters
from telegram.ext import MessageHandler as _MessageHandler

from bot import config as settings
from bot import links, logs, wording
from bot.conversation import clean_ref, handle_message
from bot.store import SessionStore

bp = Blueprint("telegram", __name__)
log = logging.getLogger("clearline.telegram")

ALLOWED_UPDATES = ["message"]
MAX_TEXT = 4096  # Telegram's limit for one message
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_DEEP_LINK = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

# What each command means to the dialog engine (its keywords work in both languages).
COMMAND_TEXT = {"help": "HELP", "stop": "STOP", "delete": "DELETE", "why": "WHY",
                "result": "MY RESULT"}
COMMAND_NAMES = ("start", *COMMAND_TEXT)  # the menu, in this order


def commands(lang: str) -> list[BotCommand]:
    """The command menu in ``lang`` (descriptions: ``telegram.command.<name>``)."""
    return [BotCommand(name, wording.text(lang, f"telegram.command.{name}"))
            for name in COMMAND_NAMES]


async def set_commands(bot: Any) -> None:
    """Set the command menu: English for everyone, and each other language for people whose
    Telegram is set to it (the Bot API's ``language_code``)."""
    await bot.set_my_commands(commands(wording.DEFAULT_LANG))
    for lang in wording.LANGS:
        if lang != wording.DEFAULT_LANG:
            await bot.set_my_commands(commands(lang), language_code=lang)


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
            # HTML so web addresses are https: links (Telegram links phone numbers itself;
            # its HTML allows no tel: links).
            await chat.send_message(str(links.to_html(piece, tel=False)), reply_markup=markup,
                                    parse_mode=ParseMode.HTML)


def message_of(update: Update) -> tuple[int, str, str | None] | None:
    """What an update says to the dialog: ``(chat id, text, referral code)``, or None for
    an update we do not answer (not a private chat's message, a service message).

    ``/start`` (or a deep link ``/start CODE``, which records the code) is START; ``/help``,
    ``/stop`` and ``/delete`` are the dialog's keywords; a sticker or photo is an empty
    message. Both the polling handlers and the webhook read updates through this."""
    message, chat = update.message, update.effective_chat
    if message is None or chat is None or chat.type != "private" or update.update_id is None:
        return None
    said = [t for t in (message.text, message.caption) if isinstance(t, str) and t]
    text = said[0] if said else ""
    if not said and _is_service(message):
        return None
    words = text.split()
    if words and words[0].startswith("/"):
        name = words[0].lstrip("/").split("@")[0].lower()
        if name == "start":
            payload = words[1] if len(words) > 1 else ""
            return chat.id, "START", clean_ref(payload) if _DEEP_LINK.match(payload) else None
        if name in COMMAND_TEXT:
            return chat.id, COMMAND_TEXT[name], None
    return chat.id, text, None


def _is_service(message: Any) -> bool:
    """A service message (someone joined, a title changed): nothing a person said."""
    return any(getattr(message, name, None) for name in (
        "new_chat_members", "left_chat_member", "new_chat_title", "pinned_message",
        "group_chat_created", "migrate_to_chat_id"))


def converse(store: Any, update: Update, max_text: int = 1600) -> tuple[int, list[dict]] | None:
    """Handle one update through ``handle_message``: the chat id and the replies to send."""
    said = message_of(update)
    if said is None:
        return None
    chat_id, text, ref = said
    user = update.effective_user
    result = handle_message(store, channel="telegram", sender=str(chat_id), text=text,
                            message_id=f"tg:{update.update_id}", ref=ref, max_text=max_text,
                            lang_hint=user.language_code if user is not None else None)
    return chat_id, result.replies


async def _converse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    bot_data = context.application.bot_data
    done = await asyncio.to_thread(converse, bot_data["store"], update,
                                   bot_data.get("max_text", 1600))
    if done:
        await send_replies(update, done[1])


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/start`` or a deep link ``/start CODE``: begin (or resume) and record the code."""
    await _converse(update, context)


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/help``, ``/stop``, ``/delete``, ``/why``, ``/result``: the dialog engine's keywords."""
    await _converse(update, context)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any other message: its text (a sticker or photo counts as an empty message)."""
    await _converse(update, context)


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
            await set_commands(app.bot)
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
        await set_commands(bot)
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


def one_message(chat_id: int, replies: list[dict]) -> dict | None:
    """The replies as one ``sendMessage`` call (the webhook's answer), when they fit in one
    Telegram message: joined by a blank line, with the keyboard of the last reply's
    choices. None when they do not fit (then the ``Outbox`` sends them)."""
    texts = [str(reply.get("text") or "") for reply in replies]
    text = "\n\n".join(t for t in texts if t) or "…"
    if len(text) > MAX_TEXT:
        return None
    markup = keyboard((replies[-1].get("choices") or []) if replies else [])
    # HTML so web addresses are https: links (Telegram links phone numbers itself)
    return {"method": "sendMessage", "chat_id": chat_id,
            "text": str(links.to_html(text, tel=False)), "parse_mode": ParseMode.HTML.value,
            "reply_markup": markup.to_dict()}


class Outbox:
    """Sends replies that do not fit in the webhook's answer, from a background thread:
    one PTB ``Bot`` on its own event loop, short timeouts, a few retries, a bounded queue.
    The web worker hands messages over and never waits for the Bot API."""

    MAX_PENDING = 200
    RETRIES = 2

    def __init__(self, config: Mapping[str, Any]) -> None:
        from telegram import Bot
        from telegram.request import HTTPXRequest

        self.pid = os.getpid()
        self.loop = asyncio.new_event_loop()
        request = HTTPXRequest(connect_timeout=3.0, read_timeout=5.0, write_timeout=5.0,
                               pool_timeout=1.0)
        self.bot = Bot(config["TELEGRAM_BOT_TOKEN"], base_url=config["TELEGRAM_API_BASE_URL"],
                       request=request)
        self.pending = 0
        self._lock = threading.Lock()
        self._started = False
        self._thread = threading.Thread(target=self._run, name="telegram-outbox", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def submit(self, chat_id: int, replies: list[dict]) -> bool:
        """Queue the replies for ``chat_id``; False (and a log line) when the queue is full."""
        with self._lock:
            if self.pending >= self.MAX_PENDING:
                logs.event(log, "telegram_outbox_full", logging.WARNING)
                return False
            self.pending += 1
        asyncio.run_coroutine_threadsafe(self._send(chat_id, replies), self.loop)
        return True

    async def _send(self, chat_id: int, replies: list[dict]) -> None:
        try:
            if not self._started:
                await self.bot.initialize()
                self._started = True
            for i, reply in enumerate(replies):
                pieces = chunks(str(reply.get("text") or "")) or ["…"]
                for j, piece in enumerate(pieces):
                    last = j == len(pieces) - 1 and (i == len(replies) - 1 or reply.get("choices"))
                    markup = keyboard(reply.get("choices") or []) if last else None
                    await self._send_one(chat_id, piece, markup)
        except TelegramError as exc:
            logs.event(log, "telegram_send_failed", logging.WARNING, error=type(exc).__name__)
        finally:
            with self._lock:
                self.pending -= 1

    async def _send_one(self, chat_id: int, text: str, markup: Any) -> None:
        from telegram.error import NetworkError, RetryAfter

        for attempt in range(self.RETRIES + 1):
            try:
                # HTML so web addresses are https: links (Telegram links phones itself)
                await self.bot.send_message(chat_id, str(links.to_html(text, tel=False)),
                                            reply_markup=markup, parse_mode=ParseMode.HTML)
                return
            except RetryAfter as exc:
                if attempt == self.RETRIES:
                    raise
                await asyncio.sleep(min(float(getattr(exc, "retry_after", 1) or 1), 5.0))
            except NetworkError:  # includes TimedOut; a BadRequest is not retried
                if attempt == self.RETRIES:
                    raise
                await asyncio.sleep(0.5 * (attempt + 1))

    def close(self) -> None:
        """Stop the loop (pending sends are dropped)."""
        async def shutdown() -> None:
            if self._started:
                await self.bot.shutdown()

        try:
            asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(2)
        except Exception:  # a hung Bot API: just stop
            pass
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=2)


_outbox_lock = threading.Lock()


def outbox() -> Outbox:
    """This process's outbox, started on first use (after gunicorn forks)."""
    ext = current_app.extensions["clearline"]
    with _outbox_lock:
        current = ext.telegram
        if current is None or current.pid != os.getpid():
            current = ext.telegram = Outbox(current_app.config)
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
        update = Update.de_json(data, None)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        logs.event(log, "telegram_bad_update", logging.WARNING, error=type(exc).__name__)
        return Response("Bad request: not a Telegram update\n", 400, mimetype="text/plain")
    done = converse(current_app.extensions["clearline"].store, update,
                    config.get("MAX_TEXT_LENGTH", 1600))
    if not done or not done[1]:
        return Response("{}", 200, mimetype="application/json")
    chat_id, replies = done
    answer = one_message(chat_id, replies)
    if answer is None:  # too long for one message: sent from the queue, in order
        outbox().submit(chat_id, replies)
        return Response("{}", 200, mimetype="application/json")
    return Response(json.dumps(answer, ensure_ascii=False), 200, mimetype="application/json")
