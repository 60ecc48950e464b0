"""Benchmark: the catalogue in force, from keeping an export to planning on it.

    python bench/bench_in_force.py [--repeat 3]

In a temporary network folder: keep the Roubaix UNIMARC export (2,383 records: read, saved, parsed items
cached), read the catalogue in force cold (its cache removed) and warm, then plan the example campaign
(`pipeline.plan_in_force`, as `outreach plan` and the Campagne page do) with and without it. Wall time and
CPU time (`time.process_time`) are printed side by side: on a shared machine the wall time measures the others.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_territory import machine  # noqa: E402
from outreach import paths, pipeline  # noqa: E402
from outreach.campaign import load_campaign  # noqa: E402
from outreach.datasets import example_campaign_path  # noqa: E402
from outreach.settings import NetworkSettings, save_settings  # noqa: E402
from outreach.themes import catalogue_in_force, forget_catalogue_file, keep_catalogue_file  # noqa: E402

EXPORT = ROOT / "data" / "samples" / "roubaix-unimarc-sample-2383.mrc"


def timed(what: str, action, repeat: int):
    best_wall, best_cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        result = action()
        best_wall, best_cpu = min(best_wall, time.perf_counter() - w), min(best_cpu, time.process_time() - c)
    print(f"{what:<58} {best_wall:7.2f} s wall {best_cpu:7.2f} s CPU")
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bench-in-force-"))
    try:
        paths.pass_to_child_processes("OUTREACH_SETTINGS", str(home / "network.yaml"))
        paths.pass_to_child_processes("OUTREACH_CACHE_DIR", str(home / "cache"))
        save_settings(NetworkSettings(catalogue_branches={"MED": "5425", "BUS": "5425"}))
        campaign = load_campaign(example_campaign_path())
        print(machine())
        timed("plan, nothing loaded (demonstration sample, generic copy)",
              lambda: pipeline.plan_in_force(campaign), args.repeat)
        data = EXPORT.read_bytes()

        def keep():
            forget_catalogue_file("roubaix-unimarc-sample-2383.mrc")
            shutil.rmtree(home / "cache", ignore_errors=True)
            return keep_catalogue_file(EXPORT.name, data)

        timed(f"keep {EXPORT.name} (read, save, cache)", keep, args.repeat)

        def cold():
            for cached in (home / "cache").glob("kept-catalogue-*.pickle"):
                cached.unlink()
            return catalogue_in_force()

        timed("catalogue in force, cold (parse the kept file)", cold, args.repeat)
        in_force = timed("catalogue in force, warm (parsed items from the cache)", catalogue_in_force, args.repeat)
        plan, _ = timed("plan on the kept catalogue", lambda: pipeline.plan_in_force(campaign), args.repeat)
        cited = sum(1 for a in plan.ad_sets if not a.generic_copy)
        print(f"{len(in_force.items)} records in force; {cited} of {len(plan.ad_sets)} ad sets state figures")
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
