"""Shared fixtures: paths to the shipped data, local stand-ins for outside services."""

from __future__ import annotations

import pytest

from tests.support.browser import browser  # noqa: F401  (the session's shared browser fixture)
from tests.support.meta_fixtures import example, graph  # noqa: F401  (the local Graph server, the example campaign)


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

