"""Fixtures shared by the channel and fault tests.

Each of those folders' conftest provides ``make_app`` (an app factory on its own Redis,
with its own settings); these build on it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "bot"))  # the helper modules of tests/bot

import twilio_client  # noqa: E402


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
