"""The one headless Chromium of the test session (Debian's package, driven by Playwright).

A single Playwright instance serves every browser test: a second sync Playwright started while the first
is open fails ("Sync API inside the asyncio loop"). Without a browser the tests are skipped locally; in
CI (OUTREACH_REQUIRE_E2E=1) a missing browser fails them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.support import ROOT

CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 # WebGL (the pydeck maps) through the software renderer, there being no GPU
                 "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]


def unavailable(reason: str):
    if os.environ.get("OUTREACH_REQUIRE_E2E") == "1":
        pytest.fail(f"{reason} (OUTREACH_REQUIRE_E2E=1 : les tests dans le navigateur doivent tourner)")
    pytest.skip(reason)


def require_browser() -> None:
    if not CHROMIUM.exists():
        unavailable(f"Chromium introuvable ({CHROMIUM}) : apt-get install chromium")


@pytest.fixture(scope="session")
def browser():
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


ARTIFACTS = ROOT / "test-artifacts"


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    # Streamlit scrolls inside its own container: a tall viewport shows the whole page
    page.screenshot(path=str(path))
    return path
