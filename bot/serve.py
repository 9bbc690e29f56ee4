"""``clearline serve``: the web process on gunicorn, with the embedded Redis by default.

It starts the embedded Redis once (unless ``REDIS_URL`` is set) and hands its socket URL
to the gunicorn workers, prints the local URLs, and, when ``TELEGRAM_BOT_TOKEN`` is set,
either registers the webhook (``PUBLIC_URL`` and ``TELEGRAM_WEBHOOK_SECRET`` set) or runs
the polling worker (``clearline telegram``) beside the web process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from gunicorn.app.base import BaseApplication

from bot import config as settings
from bot import logs, redis_embedded, telegram
from bot.app import create_app


def _urls(host: str, port: int) -> str:
    wildcard = ("0.0.0.0", "::", "")  # nosec B104  # compared to show a URL, not bound to
    shown = "127.0.0.1" if host in wildcard else host
    return f"http://{shown}:{port}"


def banner(base: str, conf: dict, telegram_mode: str) -> str:
    """What ``clearline serve`` prints once it listens."""
    redis_where = "REDIS_URL" if conf.get("REDIS_URL_GIVEN") else (
        f"embedded, data in {os.path.join(conf['DATA_DIR'], 'redis')}/"
    )
    sms_note = "" if conf.get("TWILIO_AUTH_TOKEN") else "  (set TWILIO_AUTH_TOKEN to accept Twilio)"
    admin_note = "" if conf.get("ADMIN_TOKEN") else "  (set ADMIN_TOKEN to open it)"
    telegram = {
        "webhook": f"webhook at {conf.get('PUBLIC_URL')}/telegram",
        "polling": "polling worker running",
        "off": "off (set TELEGRAM_BOT_TOKEN to turn it on)",
    }[telegram_mode]
    return "\n".join([
        "",
        "Clearline is running:",
        f"  Web chat      {base}/",
        f"  Share kit     {base}/share",
        f"  Admin         {base}/admin{admin_note}",
        f"  SMS webhook   {base}/sms{sms_note}",
        f"  Voice webhook {base}/voice{sms_note}",
        f"  WhatsApp      {base}/whatsapp{sms_note}",
        f"  Health        {base}/healthz",
        f"  Telegram      {telegram}",
        f"  Redis         {redis_where}",
        "Press Ctrl+C to stop.",
        "",
    ])


def _telegram_mode(conf: dict) -> str:
    if not conf.get("TELEGRAM_BOT_TOKEN"):
        return "off"
    if conf.get("PUBLIC_URL") and conf.get("TELEGRAM_WEBHOOK_SECRET"):
        return "webhook"
    return "polling"


def main(host: str | None, port: int | None) -> int:
    """Run the web process until Ctrl+C; return the exit code."""
    try:
        conf = settings.load()
    except settings.ConfigError as exc:
        print(f"clearline serve: {exc}", file=sys.stderr)
        return 2
    host = host or conf["HOST"]
    port = port or conf["PORT"]
    logs.setup(conf["LOG_LEVEL"])
    conf["REDIS_URL_GIVEN"] = bool(conf["REDIS_URL"])
    if not conf["REDIS_URL"]:
        settings.hand_down({"REDIS_URL": redis_embedded.url(conf["DATA_DIR"])})
    settings.hand_down({"SECRET_KEY": conf["SECRET_KEY"]}, replace=False)
    mode = _telegram_mode(conf)
    poller: subprocess.Popen | None = None
    if mode == "webhook" and not telegram.set_webhook(conf):
        print("clearline serve: could not register the Telegram webhook", file=sys.stderr)
    base = _urls(host, port)

    class Server(BaseApplication):
        def load_config(self) -> None:
            options: dict[str, Any] = {
                "bind": f"{host}:{port}",
                "workers": conf["WEB_CONCURRENCY"],
                "threads": conf["GUNICORN_THREADS"],
                "timeout": 30,
                "graceful_timeout": 10,  # Ctrl+C: a worker that does not stop is ended then
                "logger_class": "bot.logs.GunicornLogger",
                "when_ready": lambda _arbiter: print(banner(base, conf, mode), flush=True),
            }
            if "control_socket_disable" in self.cfg.settings:  # gunicorn 27+: not needed
                options["control_socket_disable"] = True
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return create_app()

    try:
        if mode == "polling":
            poller = subprocess.Popen([sys.executable, "-m", "bot.cli", "telegram"])
        Server().run()
    except SystemExit as exc:
        return int(exc.code or 0)
    finally:
        if poller is not None and poller.poll() is None:
            poller.terminate()
            try:
                poller.wait(timeout=10)
            except subprocess.TimeoutExpired:
                poller.kill()
        if not conf["REDIS_URL_GIVEN"]:  # the last process out stops it, not the first
            redis_embedded.leave(conf["DATA_DIR"])
    return 0
