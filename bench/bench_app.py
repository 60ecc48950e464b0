"""Benchmark: the app's cold start in a real browser and each page's script run time.

    python bench/bench_app.py [--no-browser] [--cold 3] [--repeat 5]

1. Cold start: time from launching `streamlit run streamlit_app.py` to the first page's heading visible in
   headless Chromium (target < 2 s).
2. The app as a user walks it, timed with Streamlit's AppTest on the shipped data: the first page, then,
   once the background warm-up it starts is done (the user reads the page), every other page's first run
   and a rerun (targets: first run < 0.5 s, rerun < 100 ms). Wall and CPU time are printed: on a machine
   shared with other jobs, CPU time is the page's own cost.
"""

from __future__ import annotations

import argparse
import contextlib
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


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu(root: int) -> float:
    """CPU seconds used so far by the live descendants of process `root` (the server, Chromium's processes)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0.0, list(children.get(root, []))
    while todo:
        pid = todo.pop()
        with contextlib.suppress(OSError):  # gone meanwhile
            total += process_cpu(pid)
        todo.extend(children.get(pid, []))
    return total


def cold_start(port: int = 8611) -> tuple[float, float, float]:
    """(wall, CPU of the server process, CPU of the server and Chromium together) from `streamlit run` to the
    first page's heading in Chromium: under load, the wall time mostly measures the other jobs."""
    from playwright.sync_api import sync_playwright

    home = tempfile.mkdtemp()
    env = dict(os.environ, OUTREACH_CACHE_DIR=f"{home}/cache", OUTREACH_SETTINGS=f"{home}/network.yaml")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        started, browser_cpu = time.perf_counter(), tree_cpu(os.getpid())
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
            wall = time.perf_counter() - started
            return wall, process_cpu(proc.pid), tree_cpu(os.getpid()) - browser_cpu
        finally:
            proc.terminate()
            proc.wait()
            browser.close()


def share_script_cache() -> None:
    """The server keeps one bytecode cache per process (a page is compiled once, on its first run); AppTest
    makes a new one at every run, so without this each rerun would also pay for compiling its page."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared


def page_runs(repeat: int) -> tuple[list[tuple[str, tuple, tuple]], float]:
    """Like a user: the app opens on its first page, the user reads it while the warm-up (app/warmup.py)
    loads what the other pages need, then opens every page in turn. Returns each page's first run and
    median rerun, (wall, CPU), and how long the warm-up took after the first page."""
    from streamlit.testing.v1 import AppTest

    from app import warmup

    share_script_cache()
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    results = [("accueil (first page)", timed(at.run), None)]
    started = time.perf_counter()
    warmup.done.wait(120)
    warm = time.perf_counter() - started
    results[0] = (results[0][0], results[0][1], _reruns(at, repeat))
    for page in sorted((ROOT / "app" / "pages").glob("*.py")):
        if page.stem == "accueil":
            continue
        at.switch_page(f"app/pages/{page.name}")
        first = timed(at.run)
        failed = " (EXCEPTION)" if at.exception else ""
        results.append((page.stem + failed, first, _reruns(at, repeat)))
    return results, warm


def _reruns(at, repeat: int) -> tuple[float, float]:
    runs = [timed(at.run) for _ in range(repeat)]
    return statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)


def timed(run) -> tuple[float, float]:
    """(wall, CPU) seconds: AppTest runs the page in a thread of this process, so the process's CPU time is
    the page's, the figure to trust when other jobs share the cores."""
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--repeat", type=int, default=5, help="reruns timed per page")
    parser.add_argument("--cold", type=int, default=3, help="cold starts timed")
    args = parser.parse_args()
    os.environ.setdefault("OUTREACH_SETTINGS", tempfile.mktemp(suffix=".yaml"))
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
    if not args.no_browser:
        starts = [cold_start() for _ in range(args.cold)]
        for name, column in (("wall", 0), ("CPU of the server", 1), ("CPU of the server and Chromium", 2)):
            values = [start[column] for start in starts]
            print(f"cold start to first page in Chromium, {name}: median {statistics.median(values):.2f} s, "
                  f"best {min(values):.2f} s over {len(values)} starts")
    results, warm = page_runs(args.repeat)
    print(f"{'page':<24} {'first run (wall / CPU)':>24} {'rerun, median (wall / CPU)':>28}")
    for name, first, rerun in results:
        print(f"{name:<24} {first[0] * 1000:>10.0f} / {first[1] * 1000:>5.0f} ms "
              f"{rerun[0] * 1000:>14.0f} / {rerun[1] * 1000:>5.0f} ms")
    print(f"background warm-up after the first page: {warm:.1f} s")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
