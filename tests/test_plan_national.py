"""The national plan's content, pinned: work on the speed of the planner, the overlap measure and the files
must not change an answer. Every geolocated library × 3 themes, with the budgets of `bench/bench_plan.py`
(small catchments merged) and `bench/bench_meta.py` (the Page's 250-ad limit).

The figures were taken from the planner before its hot paths were vectorised (issue #17). The fingerprint
covers what the plan decides — who is in which ad set, with what circle, budget, postcodes and exclusions —
and leaves the drafted ad copy aside, which the themes work words."""

import hashlib

import pytest

from bench.bench_plan import THEMES, campaign
from outreach.datasets import national_areas, national_branches
from outreach.meta import sheet
from outreach.meta.files import plan_campaign
from outreach.settings import NetworkSettings


@pytest.fixture(scope="module")
def national():
    branches, areas = list(national_branches()), list(national_areas())
    return branches, areas, [b.id for b in branches if b.open_to_public]


def fingerprint(plan) -> str:
    digest = hashlib.sha256()
    for a in plan.ad_sets:
        circles = ";".join(f"{loc.branch_id}@{loc.lat},{loc.lon}+{loc.radius_km}" for loc in a.locations)
        digest.update("|".join([a.ref, a.name, str(a.daily_budget_cents), str(a.population), f"{a.radius_km}",
                                circles, " ".join(a.area_codes), " ".join(a.postcodes),
                                " ".join(a.excluded_postcodes), a.visual.file_name if a.visual else ""]).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def summary(plan) -> dict:
    return {"ad_sets": len(plan.ad_sets), "daily_cents": sum(a.daily_budget_cents for a in plan.ad_sets),
            "population": plan.population, "merged": sum(len(a.locations) > 1 for a in plan.ad_sets),
            "most_circles": max(len(a.locations) for a in plan.ad_sets), "outside": len(plan.outside_areas),
            "overlap": round(plan.same_theme_overlap, 6), "fingerprint": fingerprint(plan)}


@pytest.mark.parametrize(("budget", "ad_limit", "floor", "expected"), [
    (60_000, 100_000, 1.0, "BENCH_PLAN"),
    (60_000, 250, None, "BENCH_META"),
], ids=["merged-catchments", "page-ad-limit"])
def test_national_plan_is_unchanged(national, budget, ad_limit, floor, expected):
    branches, areas, ids = national
    kwargs = {} if floor is None else {"min_daily_budget_eur": floor}
    plan, payloads = plan_campaign(campaign(ids, budget), branches=branches, areas=areas,
                                   settings=NetworkSettings(page_ad_limit=ad_limit), **kwargs)
    assert [a.theme_id for a in plan.ad_sets[:1]] == THEMES[:1]
    assert summary(plan) == EXPECTED[expected]
    # one row per ad in the Ads Manager sheet (the visuals, drawn once per process, are left out: slow to draw)
    assert len(sheet.rows(payloads)) == len(plan.ad_sets)


EXPECTED = {
    "BENCH_PLAN": {"ad_sets": 1320, "daily_cents": 193548, "population": 68348171, "merged": 1197, "most_circles": 186,
                   "outside": 2, "overlap": 0.0,
                   "fingerprint": "acf79335da1e084e0c81d5f5dc004e60d63bd0659e5aebaf79c39d3aac626c90"},
    "BENCH_META": {"ad_sets": 249, "daily_cents": 193548, "population": 68348171, "merged": 249, "most_circles": 165,
                   "outside": 2, "overlap": 0.0,
                   "fingerprint": "6607018609bf922221dadb4d421da0c432956477127ef4c37f46c9ab5b1a525b"},
}
