"""Benchmark: a national campaign planned and written (every geolocated library × 3 themes).

    python bench/bench_plan.py [--repeat 3] [--budget 60000] [--digest] [--same-folder]

Two budgets: one large enough for every catchment to get its own ad set (the most ad sets, the largest
files), and a realistic national budget where small catchments are merged. Each run does what
`outreach plan` does after loading the data: plan, payloads, meta-api.json, ads-manager.xlsx and .txt,
plan.csv, written all or nothing. Loading the national lists (read once, cached) is timed apart.
On a fresh cache folder the first run draws every visual (4:5 and 9:16) of both budgets: about 50,000
images for the large one, more than 10 minutes on the Intel Xeon; later runs read them back. `--budget 60000`
runs the national budget alone (1,320 ad sets, its 2,640 visuals). `--digest` prints a hash of each file
that must not change when the code is made faster (the plan's JSON, meta-api.json, the .txt sheet, the
workbook's sheet, plan.csv): compare it before and after a change.

Each run writes into a new folder, and the folders are removed after the last run, not between runs: on ext4
without a journal (this machine's disk), a file created within a minute or so of thousands of deletions
costs a scan of the deleted inodes in the kernel, so removing a run's 2,644 files before the next run made
that run's writing take 0.8-1.5 s of system time instead of about 0.1 s (docs/performance.md).
`--same-folder` writes every run into one folder instead, as planning a campaign again into its export
folder does (`outreach.atomic.write_files` leaves the images that are already there unchanged).
The drawn images are hard links to the visuals cache's files where the file system allows it
(`outreach.atomic.KeptBytes`): no inode is created for them, nor freed when a run's folder is removed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import outreach.themes as themes_module  # noqa: E402
from bench.bench_territory import machine  # noqa: E402
from outreach.campaign import campaign_from_dict  # noqa: E402
from outreach.datasets import national_areas, national_branches  # noqa: E402
from outreach.meta.files import plan_campaign, write_plan_outputs  # noqa: E402
from outreach.settings import NetworkSettings  # noqa: E402

THEMES = ["science-fiction", "manga", "polar"]


def campaign(branch_ids: list[str], budget_eur: float):
    return campaign_from_dict({
        "name": "Bench national", "themes": THEMES, "territory": {"branches": branch_ids},
        "period": {"start": "2027-03-01", "end": "2027-03-31"}, "budget_eur": budget_eur,
        "landing_url": "https://www.example.fr/", "advertiser": {"page_id": "1", "beneficiary": "Ville de Test",
                                                                 "payer": "Ville de Test"}},
        settings=NetworkSettings())


def digest(plan, out: Path) -> str:
    """Short hashes of what a faster planner must keep byte for byte (the workbook's zip container aside)."""
    with zipfile.ZipFile(out / "ads-manager.xlsx") as book:
        sheet = book.read("xl/worksheets/sheet1.xml")
    parts = {"plan": plan.model_dump_json().encode(), "meta-api.json": (out / "meta-api.json").read_bytes(),
             "ads-manager.txt": (out / "ads-manager.txt").read_bytes(), "sheet1.xml": sheet,
             "plan.csv": (out / "plan.csv").read_bytes()}
    return " ".join(f"{name} {hashlib.sha256(data).hexdigest()[:12]}" for name, data in parts.items())


def run(c, branches, areas, themes, items, events, out: Path, digests: list | None = None
        ) -> tuple[float, float, int, int, float, float]:
    """(wall, CPU) seconds, ad sets, bytes written, (user, system) CPU seconds; the visuals are drawn once and
    kept in the cache folder and in memory (outreach.visuals), so the first run of a budget draws them (or, in
    a new process, reads them from the cache folder) and the next ones take them from memory."""
    t0, c0, times0 = time.perf_counter(), time.process_time(), os.times()
    # a Page whose ad limit was raised (large advertisers): the Page's limit itself is in bench_meta.py
    plan, payloads = plan_campaign(c, branches=branches, areas=areas, themes=themes, items=items,
                                   events=events, min_daily_budget_eur=1.0,
                                   settings=NetworkSettings(page_ad_limit=100_000))
    write_plan_outputs(plan, payloads, out)
    elapsed, cpu, times = time.perf_counter() - t0, time.process_time() - c0, os.times()
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    if digests is not None:
        digests.append(digest(plan, out))
    return elapsed, cpu, len(plan.ad_sets), size, times.user - times0.user, times.system - times0.system


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--budget", type=int, action="append", help="only this budget in euros (repeatable)")
    parser.add_argument("--digest", action="store_true", help="print a hash of each file the plan writes")
    parser.add_argument("--same-folder", action="store_true", help="every run into one folder (planning again)")
    args = parser.parse_args()
    t0 = time.perf_counter()
    branches, areas = list(national_branches()), list(national_areas())
    themes, items = themes_module.load_themes(), themes_module.shipped_catalogue()
    events = themes_module.shipped_events() if hasattr(themes_module, "shipped_events") else []
    print(f"machine: {machine()}")
    print(f"loaded {len(branches)} libraries, {len(areas)} areas, {len(items)} items, {len(events)} events "
          f"in {time.perf_counter() - t0:.2f} s")
    ids = [b.id for b in branches if b.open_to_public]
    budgets = (("budget 3,000,000 € (hardly any merging)", 3_000_000), ("national budget 60,000 €", 60_000))
    for label, budget in [(f"budget {b:,} €", b) for b in args.budget] if args.budget else budgets:
        digests: list[str] | None = [] if args.digest else None
        with tempfile.TemporaryDirectory() as tmp:  # removed after the runs (see the docstring)
            runs = [run(campaign(ids, budget), branches, areas, themes, items, events,
                        Path(tmp) / ("out" if args.same_folder else f"out-{i}"), digests) for i in range(args.repeat)]
        _, first_cpu, n, size, _, _ = runs[0]
        later = runs[1:] or runs
        best = min(later, key=lambda r: r[1])
        print(f"{label}: {n} ad sets planned and written in {best[1]:.2f} s of CPU ({best[4]:.2f} s user, "
              f"{best[5]:.2f} s system), {min(r[0] for r in later):.2f} s wall (best of {len(later)} with the "
              f"visuals drawn{', into one folder' if args.same_folder else ''}; the first run, drawing them or "
              f"reading them from the cache folder: {first_cpu:.2f} s of CPU), {size / 2**20:.1f} MiB of files; "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
        if digests:
            print(f"  digest: {digests[0]}" + ("" if len(set(digests)) == 1 else " (runs differ!)"), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
