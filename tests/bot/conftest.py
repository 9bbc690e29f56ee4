"""Fixtures for the channel tests: the app on the shared Redis (``tests/conftest.py``),
signed Twilio posts, a Bot API stand-in."""

from __future__ import annotations

import pytest
import twilio_client
from telegram_standin import TOKEN, WEBHOOK_SECRET, TelegramStandIn

SECRET = "test-secret-key"


@pytest.fixture()
def app_settings(redis_url, tmp_path):
    """The apps' settings on the test Redis (``make_app`` in tests/conftest.py)."""

    def settings(**overrides):
        config = {
            "REDIS_URL": redis_url,
            "SECRET_KEY": SECRET,
            "DATA_DIR": str(tmp_path / "var"),
            "TWILIO_AUTH_TOKEN": twilio_client.AUTH_TOKEN,
            "PUBLIC_URL": twilio_client.PUBLIC_URL,
            "TELEGRAM_BOT_TOKEN": "",
            "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "RATE_LIMIT_PER_MINUTE": 100,
        }
        config.update(overrides)
        return config

    return settings


@pytest.fixture()
def standin():
    """The local Telegram Bot API stand-in, over real HTTP."""
    server = TelegramStandIn().start()
    yield server
    server.stop()


@pytest.fixture()
def telegram_app(make_app, standin):
    return make_app(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=standin.base_url)


@pytest.fixture()
def live(make_app):
    """Start apps on real HTTP servers on 127.0.0.1: ``live(**settings) -> (app, server)``."""
    from live_server import LiveServer

    servers = []

    def start(**overrides):
        app = make_app(**overrides)
        server = LiveServer(app)
        servers.append(server)
        return app, server

    yield start
    for server in servers:
        server.stop()
