"""Benchmark: a national campaign planned and written (every geolocated library × 3 themes).

    python bench/bench_plan.py [--repeat 3]

Two budgets: one large enough for every catchment to get its own ad set (the most ad sets, the largest
files), and a realistic national budget where small catchments are merged. Each run does what
`outreach plan` does after loading the data: plan, payloads, meta-api.json, ads-manager.xlsx and .txt,
plan.csv, written all or nothing. Loading the national lists (read once, cached) is timed apart.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
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


def run(c, branches, areas, themes, items, events) -> tuple[float, int, int]:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        # a Page whose ad limit was raised (large advertisers): the Page's limit itself is in bench_meta.py
        plan, payloads = plan_campaign(c, branches=branches, areas=areas, themes=themes, items=items,
                                       events=events, min_daily_budget_eur=1.0,
                                       settings=NetworkSettings(page_ad_limit=100_000))
        write_plan_outputs(plan, payloads, Path(tmp) / "out")
        elapsed = time.perf_counter() - t0
        size = sum(p.stat().st_size for p in (Path(tmp) / "out").iterdir())
    return elapsed, len(plan.ad_sets), size


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    t0 = time.perf_counter()
    branches, areas = list(national_branches()), list(national_areas())
    themes, items = themes_module.load_themes(), themes_module.shipped_catalogue()
    events = themes_module.shipped_events() if hasattr(themes_module, "shipped_events") else []
    print(f"machine: {machine()}")
    print(f"loaded {len(branches)} libraries, {len(areas)} areas, {len(items)} items, {len(events)} events "
          f"in {time.perf_counter() - t0:.2f} s")
    ids = [b.id for b in branches if b.open_to_public]
    for label, budget in (("budget 3,000,000 € (hardly any merging)", 3_000_000), ("national budget 60,000 €", 60_000)):
        best = None
        for _ in range(args.repeat):
            elapsed, n, size = run(campaign(ids, budget), branches, areas, themes, items, events)
            best = elapsed if best is None else min(best, elapsed)
        print(f"{label}: {n} ad sets planned and written in {best:.2f} s (best of {args.repeat}), "
              f"{size / 2**20:.1f} MiB of files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
