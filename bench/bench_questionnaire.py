"""Load test of the questionnaire service on loopback: 2,000 submissions from 16 concurrent clients.

    python bench/bench_questionnaire.py [--submissions 2000] [--clients 16] [--database-url URL]

--database-url must name a throwaway database (e.g. a PostgreSQL database created for the run).

Starts `outreach questionnaire serve` (uvicorn, one process or --workers N) on 127.0.0.1 with a fresh SQLite database (or
the given URL), sends varied valid answers (interests, postcodes of the shipped territory, some with e-mail
and consents) over keep-alive connections, then checks that every answer is in the database: none lost.
Prints throughput, p50/p99 latency and the machine. Bounded: at most --submissions requests, and the run
stops after --timeout seconds whatever happens; the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
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

from bench.bench_territory import machine  # noqa: E402
from outreach.community.store import Store  # noqa: E402
from outreach.datasets import shipped_areas  # noqa: E402
from outreach.themes import load_themes  # noqa: E402

AGE_BANDS = ["18-24", "25-34", "35-49", "50-64", "65-plus"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(n: int, seed: int = 8) -> list[dict]:
    rng = random.Random(seed)
    themes = [t.id for t in load_themes() if t.sensitivity == "none"]
    postcodes = sorted({p for a in shipped_areas() for p in a.postcodes})
    out = []
    for i in range(n):
        body = {"interests": rng.sample(themes, rng.randint(1, 4)), "postcode": rng.choice(postcodes),
                "notice_version": "1", "page_url": "https://www.ville.example/demarches/inscription",
                "mechanism": "widget", "consents": {}}
        if i % 3:
            body["age_band"] = rng.choice(AGE_BANDS)
            body["email"] = f"lecteur{i}@example.fr"
            body["consents"] = {"email_recommendations": True, "personalisation": rng.random() < 0.5,
                                "meta_matching": rng.random() < 0.3}
        out.append(body)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--database-url", help="default: a fresh SQLite file (WAL)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (more than 1: PostgreSQL)")
    parser.add_argument("--timeout", type=float, default=180, help="stop the run after this many seconds")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-questionnaire-"))
    url = args.database_url or f"sqlite:///{tmp / 'community.sqlite'}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    (tmp / "network.yaml").write_text(yaml.safe_dump({"controller_name": "Ville (banc d'essai)",
                                                      "dpo_contact": "dpo@ville.example"}), encoding="utf-8")
    # one loopback address for 16 clients: the per-client limit is raised so that it measures the service
    (tmp / "questionnaire.yaml").write_text(yaml.safe_dump({"public_url": base, "rate_limit_per_minute": 10**7}),
                                            encoding="utf-8")
    env = os.environ | {"OUTREACH_SETTINGS": str(tmp / "network.yaml"),
                        "OUTREACH_QUESTIONNAIRE": str(tmp / "questionnaire.yaml"), "OUTREACH_DATABASE_URL": url}
    bodies = answers(args.submissions)
    print(f"machine: {machine()}")
    print(f"database: {url.split('://')[0]}; {args.workers} worker(s); {args.submissions} submissions from "
          f"{args.clients} clients")
    server = subprocess.Popen([sys.executable, "-m", "outreach", "questionnaire", "serve", "--port", str(port),
                               "--workers", str(args.workers)],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 300  # each worker imports the library and reads the themes
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
        store = Store(url)
        before = store.count()

        latencies: list[float] = []
        statuses: dict[int, int] = {}
        lock = threading.Lock()
        stop_at = time.monotonic() + args.timeout
        chunks = [bodies[i::args.clients] for i in range(args.clients)]
        barrier = threading.Barrier(args.clients + 1)

        def client(mine: list[dict]) -> None:
            # http.client over one keep-alive connection: a light load generator, so that the 2 cores
            # measure the service rather than the clients
            local, codes = [], {}
            payloads = [json.dumps(body).encode("utf-8") for body in mine]
            headers = {"Content-Type": "application/json"}
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/api/questionnaire")  # open the connection before the clock starts
            conn.getresponse().read()
            barrier.wait()
            for payload in payloads:
                if time.monotonic() > stop_at:
                    break
                t0 = time.perf_counter()
                try:
                    conn.request("POST", "/api/responses", body=payload, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                except (OSError, http.client.HTTPException):
                    status = 0
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                local.append(time.perf_counter() - t0)
                codes[status] = codes.get(status, 0) + 1
            conn.close()
            with lock:
                latencies.extend(local)
                for k, v in codes.items():
                    statuses[k] = statuses.get(k, 0) + v

        threads = [threading.Thread(target=client, args=(c,)) for c in chunks]
        for t in threads:
            t.start()
        barrier.wait()
        t0 = time.perf_counter()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - t0

        stored = store.count() - before
        latencies.sort()
        p50 = latencies[len(latencies) // 2] * 1000
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
        accepted = statuses.get(201, 0)
        print(f"sent {len(latencies)}, answers {dict(sorted(statuses.items()))}, stored {stored}, "
              f"lost {accepted - stored}")
        print(f"throughput: {accepted / elapsed:.0f} submissions/s over {elapsed:.2f} s "
              f"(target ≥ 300/s on SQLite)")
        print(f"latency: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
        store.dispose()
        ok = accepted == stored == args.submissions
        print("none lost" if ok else "SUBMISSIONS LOST OR REFUSED")
        return 0 if ok else 1
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    sys.exit(main())
