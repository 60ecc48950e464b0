"""Shared fixtures and hooks: paths to the shipped data, local stand-ins for outside services, the fuzz run,
and the split of the suite over pytest-xdist's workers (README: `-n auto --dist loadgroup`)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.support import fuzz_run
from tests.support.browser import browser  # noqa: F401  (the session's shared browser fixture)
from tests.support.meta_fixtures import example, graph  # noqa: F401  (the local Graph server, the example campaign)

FUZZ_SELECTED = pytest.StashKey[bool]()
RUN_HOME = pytest.StashKey[Path]()
BROWSER_GROUP = "browser"


def pytest_configure(config):
    """The caches and settings of the whole run in a folder of its own: module- and session-scoped fixtures run
    before `isolated_cache` and would otherwise read the developer's network.yaml and write to ~/.cache/outreach.
    Under pytest-xdist each worker also gets a PostgreSQL database of its own: the stores' tests drop and create
    their tables, and two workers sharing one database would remove each other's rows mid-test."""
    run_home = Path(tempfile.mkdtemp(prefix="outreach-tests-"))
    config.stash[RUN_HOME] = run_home
    os.environ["OUTREACH_CACHE_DIR"] = str(run_home / "cache")
    os.environ["OUTREACH_SETTINGS"] = str(run_home / "settings" / "network.yaml")
    # the app's pages under AppTest start as `python -m app` starts the server: without Streamlit's search of
    # every installed package's metadata, which AppTest repeats for each of the suite's app tests (0.2 s each)
    from app.launch import skip_component_search

    skip_component_search()
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = os.environ.get("OUTREACH_TEST_POSTGRES_URL")
    if worker and url:
        os.environ["OUTREACH_TEST_POSTGRES_URL"] = _worker_database(url, worker)


def _worker_database(url: str, worker: str) -> str:
    import sqlalchemy as sa

    base = sa.engine.make_url(url)
    name = f"{base.database}_{worker}"
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first() is None:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def pytest_collection_modifyitems(items):
    """The browser tests run one after the other on one worker (`--dist loadgroup`): they share one app server
    and one Chromium, and each keeps both of its processes busy; the other worker takes the rest meanwhile."""
    for item in items:
        if "e2e" in item.path.parts:
            item.add_marker(pytest.mark.xdist_group(BROWSER_GROUP))


def pytest_collection_finish(session):
    session.config.stash[FUZZ_SELECTED] = any(item.name == fuzz_run.TEST_NAME for item in session.items)


def pytest_runtest_setup(item):
    """The readers' fuzz run, when selected, runs beside the other tests (tests/support/fuzz_run.py): from the
    first one past the browser tests, which keep both cores busy (the app's server and Chromium) on their own.
    Under pytest-xdist the other worker already runs beside it: the fuzz test runs it in the foreground then, once
    (each worker would otherwise start a run of its own)."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    if item.config.stash.get(FUZZ_SELECTED, False) and "e2e" not in item.path.parts:
        fuzz_run.start()


def pytest_sessionfinish(session):
    fuzz_run.stop()


def pytest_unconfigure(config):
    run_home = config.stash.get(RUN_HOME, None)
    if run_home is not None:
        shutil.rmtree(run_home, ignore_errors=True)


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

