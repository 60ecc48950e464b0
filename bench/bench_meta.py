"""Benchmark: Meta campaigns at scale, under Meta's rules.

    python bench/bench_meta.py [--repeat 3]

- A national plan within the Page's ad limit (every geolocated library × 3 themes, 250 ads): the plan and
  its payloads, same-theme overlap measured, as `outreach plan` does after loading the data (timed apart).
- A push of 250 ads to the local Graph server (tests/support/graph_server.py, on 127.0.0.1) through the Batch API:
  validation then creation of the campaign, ad sets, creatives and ads, ids written after every batch.
- The same-theme overlap of a traffic campaign on the Bouches-du-Rhône (people targeted by two ad sets of
  one theme, over people targeted), with the exclusions outreach sends and without them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import outreach.themes as themes_module  # noqa: E402
from bench.bench_plan import THEMES, campaign  # noqa: E402
from bench.bench_territory import machine  # noqa: E402
from outreach.campaign import load_campaign  # noqa: E402
from outreach.datasets import national_areas, national_branches  # noqa: E402
from outreach.meta.files import plan_campaign  # noqa: E402
from outreach.overlap import same_theme_overlap  # noqa: E402
from outreach.settings import NetworkSettings  # noqa: E402
from outreach.visuals import visual_files  # noqa: E402
from tests.support.graph_server import TOKEN, GraphServer  # noqa: E402

SETTINGS = NetworkSettings()  # page_ad_limit 250, floors 1 € (awareness) and 5 € (traffic)
VISUALS: dict[str, bytes] = {}  # the national plan's visuals, written into each pushed folder


def national_plan(repeat: int):
    t0 = time.perf_counter()
    branches, areas = list(national_branches()), list(national_areas())
    themes, items = themes_module.load_themes(), themes_module.shipped_catalogue()
    events = themes_module.shipped_events()
    print(f"loaded {len(branches)} libraries and {len(areas)} areas in {time.perf_counter() - t0:.2f} s")
    ids = [b.id for b in branches if b.open_to_public]
    best, cpu, result = None, None, None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        result = plan_campaign(campaign(ids, 60_000), branches=branches, areas=areas, themes=themes, items=items,
                               events=events, settings=SETTINGS)
        elapsed, used = time.perf_counter() - t0, time.process_time() - c0
        best = elapsed if best is None else min(best, elapsed)
        cpu = used if cpu is None else min(cpu, used)
    plan, payloads = result
    global VISUALS
    VISUALS = visual_files(plan.ad_sets)  # drawn once, outside the push's timing, as `outreach plan` writes them
    print(f"national plan, {len(THEMES)} themes, 60,000 €: {len(plan.ad_sets)} ads (limit "
          f"{SETTINGS.page_ad_limit}), at most {max(len(a.locations) for a in plan.ad_sets)} circles per ad set, "
          f"same-theme overlap {plan.same_theme_overlap:.1%}, planned in {best:.2f} s ({cpu:.2f} s of CPU; "
          f"best of {repeat})")
    return payloads


def push(payloads: dict, repeat: int) -> None:
    from outreach.meta.client import MetaClient

    names = {i["name"] for a in payloads["ad_sets"] for g in a["targeting"].get("flexible_spec", [])
             for i in g.get("interests", [])}
    best, cpu, n_ads, n_requests = None, None, 0, 0
    for _ in range(repeat):
        server = GraphServer()
        for n, name in enumerate(sorted(names)):  # the plan's interests, known to the stand-in
            server.interests.append({"id": f"99900000{n:05d}", "name": name, "path": ["Interests"],
                                     "audience_size_lower_bound": 1000, "audience_size_upper_bound": 1200})
        server.start()
        os.environ.update(META_ACCESS_TOKEN=TOKEN, META_GRAPH_URL=server.url)
        try:
            with tempfile.TemporaryDirectory() as tmp:
                os.environ["OUTREACH_CACHE_DIR"] = tmp
                for name, data in VISUALS.items():  # the folder `outreach plan` writes: the visuals beside
                    (Path(tmp) / "out" / name).parent.mkdir(parents=True, exist_ok=True)
                    (Path(tmp) / "out" / name).write_bytes(data)
                t0, c0 = time.perf_counter(), time.process_time()
                MetaClient("act_1234567").push(payloads, Path(tmp) / "out")
                # client and server run in this process: its CPU time covers both
                elapsed, used = time.perf_counter() - t0, time.process_time() - c0
                n_ads = len([k for k in json.loads((Path(tmp) / "out" / "meta-ids.json").read_text())
                             if not k.startswith(("_", "image/", "campaign"))]) // 3
        finally:
            server.stop()
        n_requests = len([r for r in server.requests if not r.get("in_batch")])
        best = elapsed if best is None else min(best, elapsed)
        cpu = used if cpu is None else min(cpu, used)
    print(f"push of {len(payloads['ads'])} ads and their {len(payloads['images'])} images "
          f"({n_ads} ad sets + creatives + ads created) to the local Graph "
          f"server: {n_requests} HTTP requests (batches of ≤ 50), {best:.2f} s ({cpu:.2f} s of CPU; best of {repeat})")


def overlap_bouches_du_rhone() -> None:
    example = load_campaign(ROOT / "campaigns" / "exemple-sf-bouches-du-rhone.yaml", settings=SETTINGS)
    traffic = example.model_copy(update={"objective": "traffic", "budget_eur": 3000})
    plan, payloads = plan_campaign(traffic, settings=SETTINGS)
    bare = json.loads(json.dumps(payloads))
    for ad_set in bare["ad_sets"]:
        ad_set["targeting"].pop("excluded_geo_locations", None)
    print(f"Bouches-du-Rhône, traffic, 3,000 €: {len(plan.ad_sets)} ad sets; same-theme overlap "
          f"{plan.same_theme_overlap:.1%} (circles alone: {same_theme_overlap(bare):.1%})")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {machine()}, load average {os.getloadavg()[0]:.1f}")
    payloads = national_plan(args.repeat)
    push(payloads, args.repeat)
    overlap_bouches_du_rhone()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
