"""Load test of the questionnaire service on loopback: 2,000 submissions from 16 concurrent clients.

    python bench/bench_questionnaire.py [--submissions 2000] [--clients 16] [--database-url URL]

--database-url must name a throwaway database (e.g. a PostgreSQL database created for the run).

Starts `outreach questionnaire serve` (uvicorn, one process or --workers N) on 127.0.0.1 with a fresh SQLite database (or
the given URL), sends varied valid answers (interests, postcodes of the shipped territory, some with e-mail
and consents) over keep-alive connections, then checks that every answer is in the database (kept, or
counted when it grants nothing): none lost.
Prints throughput, p50/p99 latency and the machine. Bounded: at most --submissions requests, and the run
stops after --timeout seconds whatever happens; the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_territory import machine  # noqa: E402
from bench.service_bench import Timings, percentile, running_service, timed_requests  # noqa: E402
from outreach.community.store import Store  # noqa: E402
from outreach.datasets import shipped_areas  # noqa: E402
from outreach.themes import load_themes  # noqa: E402

AGE_BANDS = ["18-24", "25-34", "35-49", "50-64", "65-plus"]


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
    bodies = answers(args.submissions)
    print(f"machine: {machine()}")
    print(f"database: {url.split('://')[0]}; {args.workers} worker(s); {args.submissions} submissions from "
          f"{args.clients} clients")
    with running_service(tmp, url, workers=args.workers) as service:
        store = Store(url)
        # answers that grant nothing are only counted: kept ones and counted ones together make the total
        before = store.count() + store.counted_answers()
        timings = Timings()
        lock = threading.Lock()
        stop_at = time.monotonic() + args.timeout
        barrier = threading.Barrier(args.clients + 1)

        def client(mine: list[dict]) -> None:
            requests = [("POST", "/api/responses", json.dumps(body).encode("utf-8")) for body in mine]
            measured = timed_requests(service.port, requests, ready=barrier.wait, stop_at=stop_at)
            with lock:
                timings.add(measured)

        threads = [threading.Thread(target=client, args=(bodies[i::args.clients],)) for i in range(args.clients)]
        for t in threads:
            t.start()
        barrier.wait()
        t0, cpu0 = time.perf_counter(), service.cpu_seconds()
        for t in threads:
            t.join()
        elapsed, cpu = time.perf_counter() - t0, service.cpu_seconds() - cpu0

        stored = store.count() + store.counted_answers() - before
        accepted = timings.statuses.get(201, 0)
        print(f"sent {len(timings.latencies)}, answers {dict(sorted(timings.statuses.items()))}, stored {stored}, "
              f"lost {accepted - stored}")
        print(f"throughput: {accepted / elapsed:.0f} submissions/s over {elapsed:.2f} s wall, server CPU "
              f"{cpu:.2f} s ({accepted / max(cpu, 1e-9):.0f} submissions per CPU second) (target ≥ 300/s on SQLite)")
        print(f"latency: p50 {percentile(timings.latencies, 0.5) * 1000:.1f} ms, "
              f"p99 {percentile(timings.latencies, 0.99) * 1000:.1f} ms")
        store.dispose()
        ok = accepted == stored == args.submissions
        print("none lost" if ok else "SUBMISSIONS LOST OR REFUSED")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
