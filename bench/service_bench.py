"""What the questionnaire service's benches share: a service started on loopback, timed request loops over
keep-alive connections, percentiles, and the CPU time the server used (the wall time on a shared machine
measures the other jobs as much as the service)."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tests.support.questionnaire_service import serving

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and all its descendants (uvicorn's workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rpartition(")")[2].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue  # a worker that just exited
    return total


@dataclass
class Service:
    base: str
    port: int
    folder: Path
    process: subprocess.Popen

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.process.pid)


@contextmanager
def running_service(folder: Path, database_url: str, workers: int = 1, settings: dict | None = None) -> Iterator[Service]:
    """`outreach questionnaire serve` on 127.0.0.1 with its own settings in `folder`, ready when yielded;
    stopped at the end whatever happens. The per-client rate limit is raised: every bench client shares
    one loopback address, and the bench measures the service, not its limit."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    (folder / "network.yaml").write_text(yaml.safe_dump({"controller_name": "Ville (banc d'essai)",
                                                         "dpo_contact": "dpo@ville.example"} | (settings or {})),
                                         encoding="utf-8")
    (folder / "questionnaire.yaml").write_text(yaml.safe_dump({"public_url": base, "rate_limit_per_minute": 10**7}),
                                               encoding="utf-8")
    env = os.environ | {"OUTREACH_SETTINGS": str(folder / "network.yaml"),
                        "OUTREACH_QUESTIONNAIRE": str(folder / "questionnaire.yaml"),
                        "OUTREACH_DATABASE_URL": database_url}
    # each worker imports the library and reads the themes: a slow start under load is not a failure
    with serving(folder, port, env, workers=workers, timeout_s=300) as process:
        yield Service(base, port, folder, process)


@dataclass
class Timings:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    def add(self, other: Timings) -> None:
        self.latencies += other.latencies
        for status, n in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + n


Request = tuple[str, str, bytes | None]  # method, path, JSON body


def timed_requests(port: int, requests: Iterable[Request], *, ready: Callable[[], None] | None = None,
                   stop_at: float | None = None, pause_s: float = 0.0) -> Timings:
    """Send each request over one keep-alive connection (http.client: a light client, so that the two cores
    measure the service) and time it; a broken connection counts as status 0 and is opened again.
    `ready` is called once the connection is open (a barrier: every client starts together)."""
    timings = Timings()
    headers = {"Content-Type": "application/json"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/healthz")  # open the connection before the clock starts
    conn.getresponse().read()
    if ready:
        ready()
    for method, path, body in requests:
        if stop_at is not None and time.monotonic() > stop_at:
            break
        t0 = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            status = 0
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        timings.latencies.append(time.perf_counter() - t0)
        timings.statuses[status] = timings.statuses.get(status, 0) + 1
        if pause_s:
            time.sleep(pause_s)
    conn.close()
    return timings
