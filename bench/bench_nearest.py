"""Benchmark: `outreach nearest` on the national files, end to end, against the naive script.

    python bench/bench_nearest.py [--repeat 5]

Both run as new processes (start-up, imports, reading, engine, CSV written), one after the other and
alternately on the same files in the same run, so that the machine's load weighs the same on each.
`bench/naive_nearest.py` is the yardstick of issue #17: pandas, a scipy k-d tree over 8 candidates and
pyproj's geodesics. The two outputs are compared: same nearest and second-nearest library, same distances.
Target: outreach ≤ 1.0 × the naive script.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_territory import machine  # noqa: E402

BRANCHES = ROOT / "data" / "national" / "bibliotheques.csv.gz"
AREAS = ROOT / "data" / "national" / "communes.csv.gz"


def timed(argv: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one run; CPU time (user + system) is what the command itself spent, the
    figure to trust when other jobs share the cores."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, check=True, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp())
    ours = [sys.executable, "-m", "outreach", "nearest", "--branches", str(BRANCHES), "--areas", str(AREAS),
            "--all-sites", "--out", str(out / "outreach.csv")]
    naive = [sys.executable, str(ROOT / "bench" / "naive_nearest.py"), str(BRANCHES), str(AREAS), str(out / "naive.csv")]
    timed(naive), timed(ours)  # warm the file cache and the bytecode, not counted
    times: dict[str, list[tuple[float, float]]] = {"outreach": [], "naive": []}
    for _ in range(args.repeat):
        times["naive"].append(timed(naive))
        times["outreach"].append(timed(ours))

    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
    medians = {}
    for name, runs in times.items():
        wall, cpu = [w for w, _ in runs], [c for _, c in runs]
        medians[name] = statistics.median(wall), statistics.median(cpu)
        print(f"{name:<9} wall median {medians[name][0]:.2f} s (best {min(wall):.2f} s), "
              f"CPU median {medians[name][1]:.2f} s (best {min(cpu):.2f} s) over {args.repeat} runs")
    print(f"ratio outreach / naive: wall {medians['outreach'][0] / medians['naive'][0]:.2f}, "
          f"CPU {medians['outreach'][1] / medians['naive'][1]:.2f} (target ≤ 1.0)")

    a = pd.read_csv(out / "outreach.csv", dtype=str, keep_default_na=False)
    b = pd.read_csv(out / "naive.csv", dtype=str, keep_default_na=False)
    same = ["area_code", "branch_id", "distance_km", "second_branch_id", "second_distance_km"]
    differ = (a[same] != b[same]).any(axis=1)
    print(f"same answers: {len(a) - int(differ.sum())}/{len(a)} areas identical (nearest, second, distances)")
    return 1 if differ.any() or len(a) != len(b) else 0


if __name__ == "__main__":
    raise SystemExit(main())
