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
        first = timed(at.run)
        reruns = [timed(at.run) for _ in range(repeat)]
        failed = " (EXCEPTION)" if at.exception else ""
        results.append((page.stem + failed, first, (statistics.median(w for w, _ in reruns),
                                                     statistics.median(c for _, c in reruns))))
    return results


def timed(run) -> tuple[float, float]:
    """(wall, CPU) seconds: AppTest runs the page in a thread of this process, so the process's CPU time is
    the page's, the figure to trust when other jobs share the cores."""
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("OUTREACH_SETTINGS", tempfile.mktemp(suffix=".yaml"))
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
    if not args.no_browser:
        print(f"cold start to first page in Chromium: {cold_start():.2f} s")
    print(f"{'page':<24} {'first run (wall / CPU)':>24} {'rerun, median (wall / CPU)':>28}")
    for name, first, rerun in page_runs(args.repeat):
        print(f"{name:<24} {first[0] * 1000:>10.0f} / {first[1] * 1000:>5.0f} ms "
              f"{rerun[0] * 1000:>14.0f} / {rerun[1] * 1000:>5.0f} ms")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
