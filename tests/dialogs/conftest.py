"""Fixtures of the dialog tests."""

from __future__ import annotations

import pytest

from dialogs import checks


@pytest.fixture(scope="session")
def exploration() -> checks.Exploration:
    """The walk through the flow that `clearline flows check` makes (every short path, then
    seeded random ones: the same result each run), made once for the session: the flows
    check and the verdict tests both read it (about 40 s a walk on a busy 2-core machine)."""
    return checks.explore()
