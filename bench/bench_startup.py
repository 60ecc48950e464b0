"""Benchmark: how long the `outreach` command takes to start.

    python bench/bench_startup.py [--repeat 10]

Times `outreach --help` and `outreach nearest --help` (new processes, wall and CPU time, median), beside a
bare `python -c pass` for reference: the interpreter's own start-up is part of every figure.
Target: `outreach --help` < 0.3 s.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.alternate import alternate  # noqa: E402
from bench.bench_territory import machine  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
    cases = {"python -c pass": [sys.executable, "-c", "pass"],
             "outreach --help": [sys.executable, "-m", "outreach", "--help"],
             "outreach nearest --help": [sys.executable, "-m", "outreach", "nearest", "--help"]}
    for name, timing in alternate(cases, args.repeat, ROOT).items():
        print(timing.line(name, width=26, digits=3))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
