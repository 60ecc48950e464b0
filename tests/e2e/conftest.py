"""End-to-end fixtures: the real app started as its users start it (`python -m app`), driven by the session's Chromium (tests/browser.py)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from outreach.datasets import example_campaign_path
from tests.support import ROOT
from tests.support.app_page import new_page
from tests.support.browser import require_browser
from tests.support.compliance_helpers import NETWORK_YAML, attested_copy


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    """`python -m app` (`streamlit run streamlit_app.py`, app/launch.py) on a free loopback port, with its own settings and caches."""
    yield from running_app(tmp_path_factory)


_CACHE = shutil.ignore_patterns("cache")


@pytest.fixture
def restored_home(app_server, tmp_path_factory):
    """The shared server's home, put back as it was once the test is over: a test that saves files (a campaign,
    a visual, a kept catalogue, the settings) leaves the others the state they expect, without the cold start of
    a server of its own. The server's caches are keyed on the files' contents or times, so they follow."""
    home = app_server["home"]
    kept = tmp_path_factory.mktemp("app-home-kept") / "home"
    shutil.copytree(home, kept, ignore=_CACHE)
    app_server["visited"] = True  # the walkthrough's cold-start timing then starts from its own visit
    yield home
    for entry in home.iterdir():
        if entry.name != "cache":  # written by the server as it goes, and only ever read back by content
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    shutil.copytree(kept, home, dirs_exist_ok=True)


def app_env(home, **extra) -> dict:
    """The server's environment: its folders in `home`, nothing of the developer's OUTREACH_* or META_* ones."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OUTREACH_", "META_"))}
    return env | dict(OUTREACH_CACHE_DIR=str(home / "cache"), OUTREACH_SETTINGS=str(home / "network.yaml"),
                      OUTREACH_CAMPAIGNS_DIR=str(home / "campaigns"), OUTREACH_OUTPUT_DIR=str(home / "sorties"),
                      STREAMLIT_BROWSER_GATHER_USAGE_STATS="false", **extra)


def running_app(tmp_path_factory):
    """The app's server for a fixture: started, yielded as {url, started, home}, stopped."""
    require_browser()
    home = tmp_path_factory.mktemp("app-home")
    # a network whose settings are filled and whose example campaign has its manual items attested, as a
    # communication officer and the DPO would have done before a launch
    (home / "network.yaml").write_text(NETWORK_YAML + 'network_name: "Bibliothèques de Marseille"\n',
                                       encoding="utf-8")
    attested_copy(example_campaign_path(), home / "campaigns")
    yield from run_app(app_env(home), home)


def run_app(env: dict, home):
    """Start the app as its users do (`python -m app`) with this environment, yield its address, stop it afterwards."""
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("python -m app n'a pas démarré en 60 s:\n" + proc.stdout.read().decode(errors="replace"))
    yield {"url": url, "started": started, "home": home}
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def page(browser):
    pg = new_page(browser, viewport={"width": 1400, "height": 2200}, accept_downloads=True)
    yield pg
    pg.context.close()


@pytest.fixture
def app_page(app_server, page):
    """The shared server's home page, opened and settled."""
    from tests.support.app_page import TIMEOUT, settle

    app_server["visited"] = True  # the walkthrough's cold-start timing then starts from its own visit
    page.goto(app_server["url"])
    page.get_by_role("heading", name="outreach — faire connaître la médiathèque").wait_for(timeout=TIMEOUT)
    settle(page)
    return page
