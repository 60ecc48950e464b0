"""Benchmark: nearest-branch assignment at national scale, with an exactness check.

    python bench/bench_territory.py [--sample 50] [--repeat 5]

Every metropolitan commune (Paris, Marseille and Lyon by arrondissement) × every geolocated library of
the Ministry list. Prints the time and peak memory of the assignment, the end-to-end time of
`outreach nearest` on the national files, and checks a random sample against a brute-force scan with
geopy's geodesic.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

from geopy.distance import geodesic

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from outreach.datasets import national_areas, national_branches  # noqa: E402
from outreach.territory import assign  # noqa: E402


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {mem_gb:.0f} GiB, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sample", type=int, default=50, help="areas checked against brute force (about 1.2 s each)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    t0 = time.perf_counter()
    branches = list(national_branches())
    areas = [a for a in national_areas() if not a.departement.startswith("97")]
    load_s = time.perf_counter() - t0
    print(f"machine: {machine()}")
    print(f"loaded {len(areas)} metropolitan areas and {len(branches)} geolocated libraries in {load_s:.2f} s")

    timings = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        result = assign(branches, areas)
        timings.append(time.perf_counter() - t)
    tracemalloc.start()
    assign(branches, areas)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"assignment: best {min(timings):.3f} s, median {sorted(timings)[len(timings) // 2]:.3f} s "
          f"over {args.repeat} runs; peak Python allocations during it {peak / 2**20:.0f} MiB; "
          f"process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")

    rng = random.Random(2026)
    sample = rng.sample(range(len(areas)), args.sample)
    t = time.perf_counter()
    mismatches = 0
    for i in sample:
        a = areas[i]
        best = min(((geodesic((a.lat, a.lon), (b.lat, b.lon)).km, j) for j, b in enumerate(branches)))
        row = result.iloc[i]
        if row["branch_id"] != branches[best[1]].id or abs(row["distance_km"] - best[0]) > 1e-6:
            mismatches += 1
            print(f"  MISMATCH {a.code}: engine {row['branch_id']} {row['distance_km']:.6f} km, "
                  f"brute force {branches[best[1]].id} {best[0]:.6f} km")
    print(f"exactness: {args.sample - mismatches}/{args.sample} sampled areas identical to brute-force geopy "
          f"geodesic ({time.perf_counter() - t:.0f} s of brute force)")

    t = time.perf_counter()
    env = dict(os.environ)
    subprocess.run([sys.executable, "-m", "outreach", "nearest", "--branches", "data/national/bibliotheques.csv.gz",
                    "--areas", "data/national/communes.csv.gz", "--all-sites", "--out", os.devnull],
                   cwd=ROOT, check=True, env=env)
    print(f"outreach nearest on the national files, end to end: {time.perf_counter() - t:.2f} s")
    return 1 if mismatches else 0


if __name__ == "__main__":
    raise SystemExit(main())
