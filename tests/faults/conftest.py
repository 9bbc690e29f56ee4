"""Fixtures for the fault and abuse tests: real Redis servers, the app, signed webhooks.

The helpers of ``tests/helpers`` (Twilio signer, redis-server process, live HTTP server,
Telegram Bot API stand-in) are reused, not copied; ``procfile_server`` runs gunicorn with
the Procfile's settings for the tests that need several worker processes.
"""

from __future__ import annotations

import logging
import re

import pytest
import twilio_client
from procfile_server import Gunicorn
from redis_process import RedisProcess

SECRET = "faults-secret-key"
WEBHOOK_SECRET = "faults-webhook-secret_42"


@pytest.fixture(scope="session")
def redis_server():
    """The fault tests' Redis (in place of tests/conftest.py's): durable, so a test can
    kill it with SIGKILL and bring it back with its data; ``redis_url`` empties it."""
    server = RedisProcess(durable=True).start()
    yield server
    server.close()


@pytest.fixture()
def durable_redis(redis_server):
    return redis_server


def settings(redis_url: str, data_dir: str, **overrides) -> dict:
    config = {
        "REDIS_URL": redis_url,
        "SECRET_KEY": SECRET,
        "DATA_DIR": data_dir,
        "TWILIO_AUTH_TOKEN": twilio_client.AUTH_TOKEN,
        "PUBLIC_URL": twilio_client.PUBLIC_URL,
        "TELEGRAM_BOT_TOKEN": "",
        "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "RATE_LIMIT_PER_MINUTE": 100,
    }
    config.update(overrides)
    return config


@pytest.fixture()
def session_store(durable_redis):
    """A session store keyed like the apps of these tests (to find their keys)."""
    from bot.store import SessionStore

    return SessionStore(durable_redis.client(), secret_key=SECRET)


@pytest.fixture()
def app_settings(redis_url, tmp_path):
    """The apps' settings on the durable Redis (``make_app`` in tests/conftest.py)."""
    return lambda **overrides: settings(redis_url, str(tmp_path / "var"), **overrides)


@pytest.fixture()
def gunicorn(redis_url, tmp_path):
    """Start the real app under gunicorn with the Procfile's settings (2 workers, 4
    threads each) on 127.0.0.1: ``gunicorn(**settings) -> server`` (``.url``,
    ``.log_text()``)."""
    servers = []

    def start(**overrides):
        env = {k: str(v) for k, v in settings(redis_url, str(tmp_path / "var"),
                                               **overrides).items()}
        env["LOG_LEVEL"] = "INFO"
        server = Gunicorn("bot.app:create_app()", env)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()
        lines = server.log_text().splitlines()
        server.log_path.unlink(missing_ok=True)
        assert not leaks_in(lines), leaks_in(lines)[:5]


@pytest.fixture()
def standin():
    from telegram_standin import TelegramStandIn

    server = TelegramStandIn().start()
    yield server
    server.stop()


@pytest.fixture()
def telegram_app(make_app, standin):
    from telegram_standin import TOKEN

    return make_app(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=standin.base_url)


# What every key we write looks like: a keyed hash (never a number, chat id or word a
# person sent), a kind letter; the shared weekly stats; the SMS-pumping counters.
KEY_SHAPES = re.compile(
    r"^clearline:\{[0-9a-f]{32}\}:[srxt]$"
    r"|^clearline:\{stats\}:\d{4}-W\d{2}:[a-z_]+$"
    r"|^clearline:\{g[0-9a-f]{16}\}:p\d+$"
)
# Words people sent in these tests: none may reach a log line.
SENT_WORDS = ("Fresno", "Humboldt", "Los Angeles", "Had it", "Grew it", "Misdemeanor",
              "21 or older", "你好", "مرحبا", "Ω", "🙂")
LONG_NUMBER = re.compile(r"\d{6,}")
PROCESS_IDS = re.compile(r"pid:? \d+|\[\d+\]|\"pid\": \d+")


def leaks_in(lines: list[str]) -> list[str]:
    """Log lines holding a long number (a phone number, a chat id) or a word people sent."""
    found = []
    for line in lines:
        plain = PROCESS_IDS.sub("", line)  # gunicorn names its processes: not a person
        if LONG_NUMBER.search(plain) or any(word in plain for word in SENT_WORDS):
            found.append(line)
    return found


@pytest.fixture()
def leak_finder():
    return leaks_in


@pytest.fixture(autouse=True)
def nothing_kept_or_logged(request, caplog):
    """After each test: every Redis key has a TTL and a hashed name; the log lines, as the
    app's JSON formatter writes them, hold no phone number, chat id or message text."""
    from bot.logs import JsonFormatter

    caplog.set_level(logging.INFO)
    yield
    formatter = JsonFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    lines = [re.sub(r'"ts": "[^"]*", ', "", line) for line in lines]  # the time is no leak
    assert not leaks_in(lines), leaks_in(lines)[:5]
    if "redis_server" not in request.fixturenames:
        return
    server = request.getfixturevalue("redis_server")
    if server.proc is None:
        return
    client = server.client()
    for key in client.scan_iter(count=1000):
        name = key.decode("utf-8", "replace")
        assert KEY_SHAPES.match(name), name
        assert client.ttl(key) > 0, name


@pytest.fixture()
def all_logs(caplog):
    """Every log record of the test, at DEBUG and up."""
    caplog.set_level(logging.DEBUG)
    return caplog
