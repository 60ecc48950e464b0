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
import http.client
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_questionnaire import answers, free_port  # noqa: E402
from bench.bench_territory import machine  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=400)
    parser.add_argument("--erasures", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-erasure-"))
    db_file = tmp / "community.sqlite"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    (tmp / "network.yaml").write_text(yaml.safe_dump({"controller_name": "Ville (banc d'essai)",
                                                      "dpo_contact": "dpo@ville.example"}), encoding="utf-8")
    (tmp / "questionnaire.yaml").write_text(yaml.safe_dump({"public_url": base, "rate_limit_per_minute": 10**7}),
                                            encoding="utf-8")
    env = os.environ | {"OUTREACH_SETTINGS": str(tmp / "network.yaml"),
                        "OUTREACH_QUESTIONNAIRE": str(tmp / "questionnaire.yaml"),
                        "OUTREACH_DATABASE_URL": f"sqlite:///{db_file}"}
    print(f"machine: {machine()}")
    server = subprocess.Popen([sys.executable, "-m", "outreach", "questionnaire", "serve", "--port", str(port)],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                print(server.stderr.read().decode()[-2000:], file=sys.stderr)
                return 1
            time.sleep(0.2)
        # members with an address of their own, to look for on disk after their erasure
        bodies = [b | {"email": f"efface.{i:05d}@exemple.fr", "age_band": "25-34",
                       "consents": {"email_recommendations": True}} for i, b in enumerate(answers(args.members))]
        with httpx.Client(base_url=base, timeout=30) as client:
            tokens = [client.post("/api/responses", json=b).json()["token"] for b in bodies]
        doomed = list(zip(tokens[: args.erasures], bodies[: args.erasures], strict=True))

        stop = threading.Event()
        submitted = [0]

        def submitter(mine: list[dict]) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            i = 0
            while not stop.is_set():
                conn.request("POST", "/api/responses", body=json.dumps(mine[i % len(mine)]).encode(),
                             headers={"Content-Type": "application/json"})
                conn.getresponse().read()
                submitted[0] += 1
                i += 1
            conn.close()

        def reader() -> None:
            db = sqlite3.connect(db_file)
            while not stop.is_set():
                db.execute("BEGIN")
                db.execute("SELECT count(*) FROM community_respondents").fetchone()
                time.sleep(2)  # a long read: a report, a backup
                db.execute("COMMIT")
            db.close()

        latencies: list[float] = []
        failures: list[int] = []
        lock = threading.Lock()

        def eraser(mine) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            for token, _body in mine:
                t0 = time.perf_counter()
                conn.request("DELETE", f"/api/responses/{token}")
                response = conn.getresponse()
                response.read()
                with lock:
                    latencies.append(time.perf_counter() - t0)
                    if response.status != 204:
                        failures.append(response.status)
                time.sleep(0.02)
            conn.close()

        background = [threading.Thread(target=submitter, args=(answers(200, seed=c),)) for c in range(args.clients)]
        background.append(threading.Thread(target=reader))
        for t in background:
            t.start()
        time.sleep(1)
        t0 = time.perf_counter()
        erasers = [threading.Thread(target=eraser, args=(doomed[i::4],)) for i in range(4)]
        for t in erasers:
            t.start()
        for t in erasers:
            t.join()
        elapsed = time.perf_counter() - t0
        stop.set()
        for t in background:
            t.join()
        time.sleep(2)  # the reader is gone: the scrub thread's next try empties the log
        disk = b"".join(p.read_bytes() for p in tmp.glob("community.sqlite*"))
        left = sum(1 for _token, body in doomed if body["email"].encode() in disk)
        print(f"{len(latencies)} erasures in {elapsed:.1f} s with {args.clients} clients submitting "
              f"({submitted[0] / elapsed:.0f} answers/s) and a reader holding the log 2 s at a time")
        print(f"erasure latency: p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
              f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms (target < 1 s); failures: {len(failures)}")
        print(f"erased addresses still on disk: {left}")
        return 0 if not failures and left == 0 and percentile(latencies, 0.99) < 1 else 1
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    sys.exit(main())
