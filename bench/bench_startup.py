"""Benchmark: how long the `outreach` command takes to start.

    python bench/bench_startup.py [--repeat 10]

Times `outreach --help` and `outreach nearest --help` (new processes, wall and CPU time, median), beside a
bare `python -c pass` for reference: the interpreter's own start-up is part of every figure.
Target: `outreach --help` < 0.3 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_territory import machine  # noqa: E402


def timed(argv: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
    cases = {"python -c pass": [sys.executable, "-c", "pass"],
             "outreach --help": [sys.executable, "-m", "outreach", "--help"],
             "outreach nearest --help": [sys.executable, "-m", "outreach", "nearest", "--help"]}
    for argv in cases.values():
        timed(argv)  # bytecode compiled, files cached
    results = {name: [] for name in cases}
    for _ in range(args.repeat):
        for name, argv in cases.items():  # alternately, so that the load weighs the same on each
            results[name].append(timed(argv))
    for name, runs in results.items():
        print(f"{name:<26} wall median {statistics.median(w for w, _ in runs):.3f} s, "
              f"CPU median {statistics.median(c for _, c in runs):.3f} s over {args.repeat} runs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
