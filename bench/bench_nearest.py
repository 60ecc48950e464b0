"""Benchmark: `outreach nearest` on the national files, end to end, against the naive script.

    python bench/bench_nearest.py [--repeat 5] [--instructions]

Both run as new processes (start-up, imports, reading, engine, CSV written), one after the other and
alternately on the same files in the same run, so that the machine's load weighs the same on each.
`bench/naive_nearest.py` is the yardstick of issue #17: pandas, a scipy k-d tree over 8 candidates and
pyproj's geodesics. The two outputs are compared: same nearest and second-nearest library, same distances.
Target: outreach ≤ 1.0 × the naive script. On a shared virtual machine the times of one run swing by 10 to
20 %; `--instructions` also counts the instructions of one run of each under valgrind's callgrind (both at
once, about 3 minutes), a figure no other job changes (threads' waiting and page faults are not in it).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.alternate import alternate  # noqa: E402
from bench.bench_territory import machine  # noqa: E402

BRANCHES = ROOT / "data" / "national" / "bibliotheques.csv.gz"
AREAS = ROOT / "data" / "national" / "communes.csv.gz"


def instructions(commands: dict[str, list[str]]) -> dict[str, int]:
    """Instructions executed by each command under callgrind, the commands run side by side."""
    runs = {name: subprocess.Popen(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
                                   cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            for name, argv in commands.items()}
    counts = {}
    for name, run in runs.items():
        report = run.communicate()[1]
        counts[name] = int(re.search(r"Collected : (\d+)", report)[1])
    return counts


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--instructions", action="store_true", help="also count instructions under callgrind")
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp())
    ours = [sys.executable, "-m", "outreach", "nearest", "--branches", str(BRANCHES), "--areas", str(AREAS),
            "--all-sites", "--out", str(out / "outreach.csv")]
    naive = [sys.executable, str(ROOT / "bench" / "naive_nearest.py"), str(BRANCHES), str(AREAS), str(out / "naive.csv")]
    times = alternate({"naive": naive, "outreach": ours}, args.repeat, ROOT)

    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
    for name, timing in times.items():
        print(timing.line(name))
    ours_t, naive_t = times["outreach"], times["naive"]
    print(f"ratio outreach / naive: wall {ours_t.wall_median / naive_t.wall_median:.2f}, "
          f"CPU {ours_t.cpu_median / naive_t.cpu_median:.2f} (target ≤ 1.0); of the best runs (the least "
          f"disturbed by other jobs): wall {min(ours_t.wall) / min(naive_t.wall):.2f}, "
          f"CPU {min(ours_t.cpu) / min(naive_t.cpu):.2f}")

    if args.instructions:
        counts = instructions({"naive": naive, "outreach": ours})
        print(f"instructions: naive {counts['naive'] / 1e9:.2f} × 10⁹, outreach {counts['outreach'] / 1e9:.2f} × 10⁹, "
              f"ratio {counts['outreach'] / counts['naive']:.3f}")

    a = pd.read_csv(out / "outreach.csv", dtype=str, keep_default_na=False)
    b = pd.read_csv(out / "naive.csv", dtype=str, keep_default_na=False)
    same = ["area_code", "branch_id", "distance_km", "second_branch_id", "second_distance_km"]
    differ = (a[same] != b[same]).any(axis=1)
    print(f"same answers: {len(a) - int(differ.sum())}/{len(a)} areas identical (nearest, second, distances)")
    return 1 if differ.any() or len(a) != len(b) else 0


if __name__ == "__main__":
    raise SystemExit(main())
