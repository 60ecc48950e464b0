"""One cold start of the app in headless Chromium, timed end to end and split into its parts (bench_app.py).

The server is `python -m app` (`streamlit run` in a checkout older than it) started through bench/app_server_timed.py, which writes when
Python, Streamlit, the listening socket, the session and the script run were ready. The browser's side comes
from its performance timeline: the page's navigation timing, the static files fetched (count and size), the
long tasks of its main thread, when its websocket opened and got its first messages, when the first page's
heading entered the document, and Chromium's own metrics (script and layout time). CPU seconds are read
from /proc for every process: the server, each kind of Chromium process, Playwright's driver.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Installed before the page's own scripts: the heading's arrival, the websocket's life, the long tasks.
PROBE = """
window.__coldStart = {socket: {}, longTasks: []};
new PerformanceObserver(list => list.getEntries().forEach(
    task => __coldStart.longTasks.push(task.duration))).observe({type: 'longtask', buffered: true});
const NativeSocket = window.WebSocket;
window.WebSocket = function (...args) {
  const ws = new NativeSocket(...args), times = __coldStart.socket;
  times.created = performance.now();
  ws.addEventListener('open', () => { times.opened = performance.now(); });
  ws.addEventListener('message', () => { times.firstMessage ??= performance.now(); });
  return ws;
};
window.WebSocket.prototype = NativeSocket.prototype;
Object.assign(window.WebSocket, NativeSocket);
new MutationObserver((changes, observer) => {
  __coldStart.heading ??= document.querySelector('h1') ? performance.now() : undefined;
  // the whole first page: its heading is there and Streamlit says the script run is over
  if (__coldStart.heading && document.querySelector('[data-testid=stApp][data-test-script-state=notRunning]')) {
    __coldStart.complete = performance.now();
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
"""

TIMELINE = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const files = performance.getEntriesByType('resource');
  return {origin: performance.timeOrigin, probe: window.__coldStart,
          responseEnd: nav.responseEnd, domContentLoaded: nav.domContentLoadedEventEnd,
          files: files.length, bytes: files.reduce((sum, f) => sum + f.decodedBodySize, 0),
          scriptBytes: files.filter(f => f.name.endsWith('.js')).reduce((sum, f) => sum + f.decodedBodySize, 0),
          lastFile: Math.max(...files.map(f => f.responseEnd))};
}"""


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_by_kind(root: int) -> dict[str, float]:
    """CPU seconds used so far by the live descendants of `root`, by kind: the server, Chromium's browser,
    renderer, GPU and utility processes, Playwright's driver."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):  # gone meanwhile
            children.setdefault(int(stat.read_text().rsplit(")", 1)[1].split()[1]), []).append(int(stat.parent.name))
    totals: dict[str, float] = {}
    todo = list(children.get(root, []))
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        with contextlib.suppress(OSError):
            kind = _kind(Path(f"/proc/{pid}/cmdline").read_bytes())
            totals[kind] = totals.get(kind, 0.0) + process_cpu(pid)
    return totals


def _kind(command: bytes) -> str:
    # Chromium rewrites its children's command lines as one string: look for the words, not the arguments
    if b"app_server_timed" in command:
        return "server"
    if chromium_type := re.search(rb"--type=([a-z-]+)", command):
        return f"Chromium {chromium_type[1].decode()}"
    return "Chromium browser" if b"chrom" in command.split(b"\0")[0] else "Playwright driver"


def wait_listening(port: int, started: float, limit: float = 60) -> None:
    """Like a user opening the address once the server prints it: poll the port, not the browser (a page
    load refused would have Chromium draw an error page each time, counted as its CPU)."""
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if time.perf_counter() - started > limit:
                raise
            time.sleep(0.02)


def cold_start(context, port: int = 8611, root: Path = ROOT) -> dict:
    """Launch the server, open the app in a new page of the browser `context`, wait for the first page's
    heading. A new context is a browser that never saw the app; one kept from an earlier start has Streamlit's
    files in its cache, as a user's own browser has them after the first day (they are served as immutable).
    `root` is the checkout whose streamlit_app.py is started (another one than this, to compare two versions).
    Returns the wall time to the heading and to the whole first page (its script run over), the CPU seconds by
    kind of process up to the heading, and the timeline (seconds after the launch)."""
    home = tempfile.mkdtemp()
    log = Path(home, "timeline.jsonl")
    env = dict(os.environ, OUTREACH_CACHE_DIR=f"{home}/cache", OUTREACH_SETTINGS=f"{home}/network.yaml")
    page = context.new_page()
    page.add_init_script(PROBE)
    chromium = page.context.new_cdp_session(page)
    chromium.send("Performance.enable")
    before = cpu_by_kind(os.getpid())
    launched, started = time.time(), time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / "app_server_timed.py"), str(log), "streamlit_app.py",
                             "--server.headless", "true", "--server.port", str(port)], cwd=root, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_listening(port, started)
        page.goto(f"http://127.0.0.1:{port}")
        page.locator("h1").first.wait_for(timeout=60_000)
        wall = time.perf_counter() - started
        after = cpu_by_kind(os.getpid())
        page.wait_for_function("() => window.__coldStart.complete", timeout=60_000)
        complete = time.perf_counter() - started
        browser_side = page.evaluate(TIMELINE)
        metrics = {m["name"]: m["value"] for m in chromium.send("Performance.getMetrics")["metrics"]}
    finally:
        proc.terminate()
        proc.wait()
        page.close()
    cpu = {kind: after[kind] - before.get(kind, 0.0) for kind in after}
    return {"wall": wall, "complete": complete, "cpu": cpu, "timeline": _timeline(log, launched, browser_side),
            "page": {"files": browser_side["files"], "bytes": browser_side["bytes"],
                     "script bytes": browser_side["scriptBytes"], "long tasks": browser_side["probe"]["longTasks"],
                     "script": metrics.get("ScriptDuration", 0.0), "layout and style":
                     metrics.get("LayoutDuration", 0.0) + metrics.get("RecalcStyleDuration", 0.0),
                     "main thread busy": metrics.get("TaskDuration", 0.0)}}


def _timeline(log: Path, launched: float, browser_side: dict) -> dict[str, tuple[float, float | None]]:
    """Each event: (seconds after the launch, the server's CPU seconds by then, or None for the browser's)."""
    events: dict[str, tuple[float, float | None]] = {}
    for line in log.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        events.setdefault(event["event"], (event["wall"] - launched, event["cpu"]))

    def browser_time(ms: float | None) -> tuple[float, None] | None:
        return None if ms is None else ((browser_side["origin"] + ms) / 1000 - launched, None)

    probe = browser_side["probe"]
    for name, ms in (("page requested", 0.0), ("page's HTML received", browser_side["responseEnd"]),
                     ("page's scripts run (DOMContentLoaded)", browser_side["domContentLoaded"]),
                     ("static files all received", browser_side["lastFile"]),
                     ("websocket opened", probe["socket"].get("opened")),
                     ("first message received", probe["socket"].get("firstMessage")),
                     ("heading in the document", probe.get("heading")),
                     ("first page complete (script run over)", probe.get("complete"))):
        if (at := browser_time(ms)) is not None:
            events[name] = at
    return dict(sorted(events.items(), key=lambda item: item[1][0]))
