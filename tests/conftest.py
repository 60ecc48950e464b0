"""Shared fixtures and hooks: paths to the shipped data, local stand-ins for outside services, the fuzz run."""

from __future__ import annotations

import pytest

from tests.support import fuzz_run
from tests.support.browser import browser  # noqa: F401  (the session's shared browser fixture)
from tests.support.meta_fixtures import example, graph  # noqa: F401  (the local Graph server, the example campaign)

FUZZ_SELECTED = pytest.StashKey[bool]()


def pytest_collection_finish(session):
    session.config.stash[FUZZ_SELECTED] = any(item.name == fuzz_run.TEST_NAME for item in session.items)


def pytest_runtest_setup(item):
    """The readers' fuzz run, when selected, runs beside the other tests (tests/support/fuzz_run.py): from the
    first one past the browser tests, which keep both cores busy (the app's server and Chromium) on their own."""
    if item.config.stash.get(FUZZ_SELECTED, False) and "e2e" not in item.path.parts:
        fuzz_run.start()


def pytest_sessionfinish(session):
    fuzz_run.stop()


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    """Keep every cache (geocoding, interests…) inside the test's temporary folder, and the network settings
    (with the Meta token stored beside them) too: a developer's own network.yaml or secrets never leak in."""
    monkeypatch.setenv("OUTREACH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("OUTREACH_SETTINGS", str(tmp_path / "settings" / "network.yaml"))


@pytest.fixture
def ban_server():
    from tests.support.servers import BanServer

    server = BanServer()
    server.start()
    yield server
    server.stop()

