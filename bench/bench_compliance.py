"""Benchmark: the GDPR / DSA checklist of a national campaign (every geolocated library × 3 themes).

    python bench/bench_compliance.py [--repeat 3]

Times what `outreach plan` adds to planning: the evaluation of every rule on the campaign, the plan and the
Meta payloads (every interest against the sensitive lists, every circle against the branches…), and the
writing of checklist.json, checklist.md, checklist.html and registre-art30.md. Planning is timed apart.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_plan import campaign  # noqa: E402
from bench.bench_territory import machine  # noqa: E402
from outreach.compliance.gate import review, write_gated  # noqa: E402
from outreach.datasets import national_areas, national_branches  # noqa: E402
from outreach.meta.files import plan_campaign  # noqa: E402
from outreach.settings import NetworkSettings  # noqa: E402
from outreach.themes import load_themes, shipped_catalogue, shipped_events  # noqa: E402

SETTINGS = NetworkSettings(controller_name="Ville de Test", dpo_contact="dpo@example.fr")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    branches, areas = list(national_branches()), list(national_areas())
    themes, items, events = load_themes(), shipped_catalogue(), shipped_events()
    ids = [b.id for b in branches if b.open_to_public]
    c = campaign(ids, 3_000_000)
    t0 = time.perf_counter()
    plan, payloads = plan_campaign(c, branches=branches, areas=areas, themes=themes, items=items, events=events,
                                   min_daily_budget_eur=1.0)
    print(f"planned {len(plan.ad_sets)} ad sets in {time.perf_counter() - t0:.2f} s (not part of the figure)")
    review(c, plan, payloads, settings=SETTINGS, themes=themes)  # warm the caches (rules, lists)
    best = None
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            verdict = review(c, plan, payloads, settings=SETTINGS, themes=themes)
            write_gated(verdict, {}, Path(tmp) / "out")
            elapsed = time.perf_counter() - t0
        best = elapsed if best is None else min(best, elapsed)
    counts = verdict.checklist.counts()
    print(f"checklist of {len(verdict.checklist.items)} items on {len(plan.ad_sets)} ad sets evaluated and written "
          f"in {best:.2f} s (best of {args.repeat}); statuses {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
