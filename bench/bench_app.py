"""Benchmark: the app's cold start in a real browser and each page's script run time.

    python bench/bench_app.py [--no-browser]

1. Cold start: time from launching `streamlit run streamlit_app.py` to the first page's heading visible in
   headless Chromium (target < 5 s).
2. Every page of app/pages: the first script run (cold caches) and a rerun with warm caches, timed with
   Streamlit's AppTest on the shipped data (targets: every run < 1 s, a rerun after a widget change
   < 300 ms).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_territory import machine  # noqa: E402
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402  (the browser the end-to-end tests use)


def cold_start(port: int = 8611) -> float:
    from playwright.sync_api import sync_playwright

    home = tempfile.mkdtemp()
    env = dict(os.environ, OUTREACH_CACHE_DIR=f"{home}/cache", OUTREACH_SETTINGS=f"{home}/network.yaml")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless",
                                 "true", "--server.port", str(port)], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while True:
                try:
                    page.goto(f"http://127.0.0.1:{port}", timeout=2000)
                    break
                except Exception:  # noqa: BLE001 - server not listening yet
                    if time.perf_counter() - started > 60:
                        raise
                    time.sleep(0.05)
            page.locator("h1").first.wait_for(timeout=60_000)
            return time.perf_counter() - started
        finally:
            proc.terminate()
            proc.wait()
            browser.close()


def page_runs(repeat: int) -> list[tuple[str, float, float]]:
    from streamlit.testing.v1 import AppTest

    results = []
    for page in sorted((ROOT / "app" / "pages").glob("*.py")):
        at = AppTest.from_file(str(page), default_timeout=120)
        t = time.perf_counter()
        at.run()
        first = time.perf_counter() - t
        reruns = []
        for _ in range(repeat):
            t = time.perf_counter()
            at.run()
            reruns.append(time.perf_counter() - t)
        failed = " (EXCEPTION)" if at.exception else ""
        results.append((page.stem + failed, first, statistics.median(reruns)))
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("OUTREACH_SETTINGS", tempfile.mktemp(suffix=".yaml"))
    print(f"machine: {machine()}")
    if not args.no_browser:
        print(f"cold start to first page in Chromium: {cold_start():.2f} s")
    print(f"{'page':<24} {'first run':>10} {'rerun (median)':>15}")
    for name, first, rerun in page_runs(args.repeat):
        print(f"{name:<24} {first * 1000:>8.0f} ms {rerun * 1000:>12.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
