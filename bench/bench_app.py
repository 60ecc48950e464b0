"""Benchmark: the app's cold start in a real browser and each page's script run time.

    python bench/bench_app.py [--no-browser] [--no-pages] [--cold 3] [--repeat 5] [--against CHECKOUT]

1. Cold start: time from launching `python -m app` to the first page's heading visible in
   headless Chromium (target < 2 s), and to the whole first page (its script run over), with the CPU of every
   process and the median start split into its steps (bench/app_cold_start.py). With --against, the cold
   starts of another checkout (e.g. `git archive main | tar -x -C /tmp/main`) take turns with this one's.
2. The app as a user walks it, timed with Streamlit's AppTest on the shipped data: the first page, then,
   once the background warm-up it starts is done (the user reads the page), every other page's first run
   and a rerun (targets: first run < 0.5 s, rerun < 100 ms). Wall and CPU time are printed: on a machine
   shared with other jobs, CPU time is the page's own cost.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.app_cold_start import cold_start  # noqa: E402
from bench.bench_territory import machine  # noqa: E402
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402  (the browser the end-to-end tests use)


def cold_starts(count: int, roots: dict[str, Path]) -> dict[str, tuple[list[dict], list[dict]]]:
    """`count` cold starts of the server of each checkout in `roots`, taking turns, in one headless Chromium
    launched beforehand, as a user's browser is already open: first in a browser that never saw the app (a new
    context each time, empty cache), then in one that did (one context per checkout kept, after one unmeasured
    start), as on any day after the first. By checkout name: (first visits, returning visits)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            first_visits: dict[str, list[dict]] = {name: [] for name in roots}
            for _ in range(count):
                for name, root in roots.items():
                    context = browser.new_context()
                    first_visits[name].append(cold_start(context, root=root))
                    context.close()
            returning = {name: browser.new_context() for name in roots}
            for name, root in roots.items():
                cold_start(returning[name], root=root)
            returns: dict[str, list[dict]] = {name: [] for name in roots}
            for _ in range(count):
                for name, root in roots.items():
                    returns[name].append(cold_start(returning[name], root=root))
            return {name: (first_visits[name], returns[name]) for name in roots}
        finally:
            browser.close()


def print_cold_starts(starts: list[dict], browser: str) -> None:
    """Totals over the starts (median, best), then the median start's parts: the timeline, the CPU of each
    process, what the page fetched and what Chromium's main thread did."""
    def summary(values: list[float]) -> str:
        return f"median {statistics.median(values):.2f} s, best {min(values):.2f} s"

    server = [s["cpu"].get("server", 0.0) for s in starts]
    print(f"cold start to the first page's heading in Chromium, {browser}, over {len(starts)} starts:")
    print(f"  wall {summary([s['wall'] for s in starts])}; to the whole first page (its script run over) "
          f"{summary([s['complete'] for s in starts])}")
    print(f"  CPU of the server {summary(server)}")
    # the app's own part (its script's run up to the heading, then the browser drawing it) apart from what comes
    # before it (Streamlit's start, then Chromium loading Streamlit's JavaScript), which the app does not run
    print(f"  from the websocket's opening to the heading (the app's script, then Chromium drawing the page): "
          f"{summary([s['timeline']['heading in the document'][0] - s['timeline']['websocket opened'][0] for s in starts])}")
    print(f"  CPU of the server, Chromium and Playwright together {summary([sum(s['cpu'].values()) for s in starts])}")
    median = sorted(starts, key=lambda s: s["wall"])[len(starts) // 2]
    print(f"the median start ({median['wall']:.2f} s), step by step (seconds after the launch; server CPU):")
    for event, (at, cpu) in median["timeline"].items():
        print(f"  {at:6.2f} s  {event:<40} {'' if cpu is None else f'{cpu:.2f} s'}")
    print("  CPU by process: " + ", ".join(f"{kind} {cpu:.2f} s" for kind, cpu in sorted(median["cpu"].items())))
    page = median["page"]
    print(f"  the page fetched {page['files']} files, {page['bytes'] / 1e6:.2f} MB "
          f"({page['script bytes'] / 1e6:.2f} MB of JavaScript); its main thread was busy {page['main thread busy']:.2f} s"
          f" (scripts {page['script']:.2f} s, layout and style {page['layout and style']:.2f} s), "
          f"{len(page['long tasks'])} long tasks, {sum(page['long tasks']) / 1000:.2f} s")


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
    from app.launch import skip_component_search

    skip_component_search()  # as `python -m app` starts the server (AppTest would search at its first run)
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
    parser.add_argument("--no-browser", action="store_true", help="skip the cold starts in Chromium")
    parser.add_argument("--no-pages", action="store_true", help="only the cold starts")
    parser.add_argument("--repeat", type=int, default=5, help="reruns timed per page")
    parser.add_argument("--cold", type=int, default=3, help="cold starts timed")
    parser.add_argument("--against", type=Path, metavar="CHECKOUT",
                        help="another checkout of the project (a git worktree of main, say): its cold starts "
                             "take turns with this one's, to compare two versions under the same load")
    args = parser.parse_args()
    os.environ.setdefault("OUTREACH_SETTINGS", tempfile.mktemp(suffix=".yaml"))
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
    if not args.no_browser:
        roots = {"this checkout": ROOT} | ({f"{args.against}": args.against.resolve()} if args.against else {})
        for name, (first_visits, returning) in cold_starts(args.cold, roots).items():
            print(f"== {name}")
            print_cold_starts(first_visits, "a browser that never saw the app (empty cache)")
            print_cold_starts(returning, "a browser that saw it before (Streamlit's files in its cache)")
        print(f"load average after the cold starts: {os.getloadavg()[0]:.1f}")
    if args.no_pages:
        return 0
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
