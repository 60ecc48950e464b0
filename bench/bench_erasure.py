"""Benchmark: erasures under load, with a reader holding SQLite's log, and what stays on disk afterwards.

    python bench/bench_erasure.py [--members 400] [--erasures 200] [--clients 8]

Starts `outreach questionnaire serve` on 127.0.0.1 with a fresh SQLite database, stores --members answers
with an e-mail address, then, all at once: --clients threads keep submitting new answers, a reader opens
read transactions of 2 s on the database file one after the other (what a report or a backup does), and
--erasures erasures (DELETE /api/responses/{token}) are sent from 4 threads. Prints the erasure latency
(p50, p99; target p99 < 1 s), the submissions' throughput meanwhile, and checks, once the reader has stopped,
that no erased address is left in the database files (main file and write-ahead log).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_questionnaire import answers  # noqa: E402
from bench.bench_territory import machine  # noqa: E402
from bench.service_bench import Timings, percentile, running_service, timed_requests  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=400)
    parser.add_argument("--erasures", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-erasure-"))
    db_file = tmp / "community.sqlite"
    print(f"machine: {machine()}")
    with running_service(tmp, f"sqlite:///{db_file}") as service:
        # members with an address of their own, to look for on disk after their erasure
        bodies = [b | {"email": f"efface.{i:05d}@exemple.fr", "age_band": "25-34",
                       "consents": {"email_recommendations": True}} for i, b in enumerate(answers(args.members))]
        with httpx.Client(base_url=service.base, timeout=30) as client:
            tokens = [client.post("/api/responses", json=b).json()["token"] for b in bodies]
        doomed = list(zip(tokens[: args.erasures], bodies[: args.erasures], strict=True))

        stop = threading.Event()
        submitted = Timings()
        erased = Timings()
        lock = threading.Lock()

        def submitter(mine: list[dict]) -> None:
            def endless():
                i = 0
                while not stop.is_set():
                    yield "POST", "/api/responses", json.dumps(mine[i % len(mine)]).encode()
                    i += 1
            measured = timed_requests(service.port, endless())
            with lock:
                submitted.add(measured)

        def reader() -> None:
            db = sqlite3.connect(db_file)
            while not stop.is_set():
                db.execute("BEGIN")
                db.execute("SELECT count(*) FROM community_respondents").fetchone()
                time.sleep(2)  # a long read: a report, a backup
                db.execute("COMMIT")
            db.close()

        def eraser(mine) -> None:
            measured = timed_requests(service.port, [("DELETE", f"/api/responses/{token}", None)
                                                     for token, _body in mine], pause_s=0.02)
            with lock:
                erased.add(measured)

        background = [threading.Thread(target=submitter, args=(answers(200, seed=c),)) for c in range(args.clients)]
        background.append(threading.Thread(target=reader))
        for t in background:
            t.start()
        time.sleep(1)
        t0, cpu0 = time.perf_counter(), service.cpu_seconds()
        erasers = [threading.Thread(target=eraser, args=(doomed[i::4],)) for i in range(4)]
        for t in erasers:
            t.start()
        for t in erasers:
            t.join()
        elapsed, cpu = time.perf_counter() - t0, service.cpu_seconds() - cpu0
        stop.set()
        for t in background:
            t.join()
        time.sleep(2)  # the reader is gone: the scrub thread's next try empties the log
        disk = b"".join(p.read_bytes() for p in tmp.glob("community.sqlite*"))
        left = sum(1 for _token, body in doomed if body["email"].encode() in disk)
        failures = sum(n for status, n in erased.statuses.items() if status != 204)
        latencies = erased.latencies
        print(f"{len(latencies)} erasures in {elapsed:.1f} s wall (server CPU {cpu:.1f} s) with {args.clients} "
              f"clients submitting ({len(submitted.latencies) / elapsed:.0f} answers/s) and a reader holding the "
              "log 2 s at a time")
        print(f"erasure latency: p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
              f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms (target < 1 s); failures: {failures}")
        print(f"erased addresses still on disk: {left}")
        return 0 if not failures and left == 0 and percentile(latencies, 0.99) < 1 else 1


if __name__ == "__main__":
    sys.exit(main())
