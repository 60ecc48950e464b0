"""`outreach questionnaire serve` as a child process, ready when yielded: the widget's browser test and the
questionnaire benches start it the same way."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def serving(folder: Path, port: int, env: dict, *, workers: int = 1, timeout_s: float = 30) -> Iterator[subprocess.Popen]:
    """Start the service on 127.0.0.1:`port`, wait for /healthz, stop it at the end whatever happens."""
    # the server's messages go to a file: a pipe nobody reads fills up, and every thread that logs then waits
    log_path = folder / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "outreach", "questionnaire", "serve", "--port", str(port),
                                    "--workers", str(workers)], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                   stderr=log)
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the service did not start: " + log_path.read_text(errors="replace")[-2000:])
                time.sleep(0.2)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
