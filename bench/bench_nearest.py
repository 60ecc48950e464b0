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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
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
          f"CPU {ours_t.cpu_median / naive_t.cpu_median:.2f} (target ≤ 1.0)")

    a = pd.read_csv(out / "outreach.csv", dtype=str, keep_default_na=False)
    b = pd.read_csv(out / "naive.csv", dtype=str, keep_default_na=False)
    same = ["area_code", "branch_id", "distance_km", "second_branch_id", "second_distance_km"]
    differ = (a[same] != b[same]).any(axis=1)
    print(f"same answers: {len(a) - int(differ.sum())}/{len(a)} areas identical (nearest, second, distances)")
    return 1 if differ.any() or len(a) != len(b) else 0


if __name__ == "__main__":
    raise SystemExit(main())
