"""Make the SYNTHETIC demonstration results of data/samples/resultats-demo/ (no real Meta results exist).

    python scripts/make_demo_results.py [--plan data/samples/resultats-demo/plan] [--out data/samples/resultats-demo]

The plan is the one `outreach plan data/samples/resultats-demo/campagne.yaml` writes. For each ad set,
people are simulated: the adults of its catchment who use Facebook/Instagram (60 %), of whom a share
follows the theme; each day the ad set's budget buys impressions at a CPM drawn between 3.50 and 6.50 €,
shown to people drawn from that audience, so that reach over the month, across themes of the same
catchment and for the whole campaign is counted person by person, never added up. The library activity
is a seasonal monthly series per branch, with a rise after the campaign for targeted branches and none
for four Paris libraries that serve as the comparison group. Same seed, same files.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from outreach.reporting import read_plan_dir  # noqa: E402

FACEBOOK_ADULTS = 0.60
THEME_SHARE = {"science-fiction": 0.07, "manga": 0.05, "street-art": 0.03}
CONTROL_BRANCHES = {"17615": 1.3, "10215": 0.9, "10220": 0.8, "10216": 1.0}  # Paris (Canopée, André Malraux, Buffon, Batignolles): size factor
SEASON = {9: 1.25, 10: 1.1, 11: 1.0, 12: 0.8, 1: 1.05, 2: 0.95, 3: 1.0, 4: 0.95, 5: 0.9, 6: 0.85}
FR_HEADER = ["Début des rapports", "Fin des rapports", "Nom de la campagne", "Nom de l'ensemble de publicités",
             "Diffusion de l'ensemble de publicités", "Couverture", "Impressions", "Répétition",
             "Montant dépensé (EUR)", "Clics sur un lien", "CTR (taux de clics sur le lien)", "Résultats",
             "Indicateur de résultats"]
CAMPAIGN_HEADER = ["Début des rapports", "Fin des rapports", "Nom de la campagne", "Diffusion de la campagne",
                   "Couverture", "Impressions", "Répétition", "Montant dépensé (EUR)", "Clics sur un lien"]


def fr(value: float, decimals: int = 0) -> str:
    return f"{value:,.{decimals}f}".replace(",", "\u202f").replace(".", ",")


def days(start: str, end: str) -> list[str]:
    d, last, out = date.fromisoformat(start), date.fromisoformat(end), []
    while d <= last:
        out.append(d.isoformat())
        d += timedelta(days=1)
    return out


def simulate(plan, seed: int):
    """{(adset name, day): (people ids, impressions, spend, link clicks)} and the campaign's days."""
    rng = np.random.default_rng(seed)
    spaces: dict[str, tuple[int, int]] = {}  # branch → (first id, size) of its catchment's Facebook adults
    next_id = 0
    out = {}
    period = days(plan.start_date, plan.end_date)
    for a in plan.ad_sets:
        if a.branch_id not in spaces:
            size = int((a.population or 50000) * FACEBOOK_ADULTS)
            spaces[a.branch_id] = (next_id, size)
            next_id += size
        first, size = spaces[a.branch_id]
        # the theme's followers in this catchment: a fixed subset, overlapping other themes' by chance
        audience = first + rng.choice(size, int(size * THEME_SHARE.get(a.theme_id, 0.04)), replace=False)
        cpm = rng.uniform(3.5, 6.5)
        ctr = rng.uniform(0.004, 0.012)
        for day in period:
            impressions = int(a.daily_budget_eur / cpm * 1000 * rng.uniform(0.85, 1.1))  # Meta stays within budget on average
            reach = min(len(audience), int(impressions / rng.uniform(1.12, 1.4)))
            people = rng.choice(audience, reach, replace=False)
            spend = round(impressions * cpm / 1000, 2)
            out[(a.name, day)] = (people, impressions, spend, int(rng.binomial(impressions, ctr)))
    return out, period


def write_csv(path: Path, rows: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8-sig"))


def adset_rows(plan, sim, period, daily: bool) -> list[list]:
    rows = []
    spans = [(d, d) for d in period] if daily else [(period[0], period[-1])]
    for since, until in spans:
        for a in plan.ad_sets:
            cells = [sim[(a.name, d)] for d in period if since <= d <= until]
            reach = len(set().union(*(set(c[0].tolist()) for c in cells)))
            imp = sum(c[1] for c in cells)
            spend = sum(c[2] for c in cells)
            clicks = sum(c[3] for c in cells)
            rows.append([since, until, plan.campaign_name, a.name, "Terminée", reach, imp, imp / reach, spend,
                         clicks, 100 * clicks / imp, reach, "Couverture"])
    return rows


def campaign_rows(plan, sim, period) -> list[list]:
    rows = []
    for since, until in [*((d, d) for d in period), (period[0], period[-1])]:
        cells = [v for (name, d), v in sim.items() if since <= d <= until]
        reach = len(set().union(*(set(c[0].tolist()) for c in cells)))
        imp = sum(c[1] for c in cells)
        rows.append([since, until, plan.campaign_name, "Terminée", reach, imp, imp / reach,
                     sum(c[2] for c in cells), sum(c[3] for c in cells)])
    return rows


def french_cells(row: list, decimals: dict[int, int]) -> list[str]:
    return [fr(v, decimals.get(i, 0)) if isinstance(v, int | float | np.integer | np.floating) else v
            for i, v in enumerate(row)]


def write_xlsx(path: Path, header: list[str], rows: list[list]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Raw Data Report"
    sheet.append(header)
    for r in rows:
        sheet.append([date.fromisoformat(v) if i < 2 else (float(v) if isinstance(v, np.floating) else
                                                              int(v) if isinstance(v, np.integer) else v)
                      for i, v in enumerate(r)])
    for cell in sheet["A"][1:] + sheet["B"][1:]:
        cell.number_format = "yyyy-mm-dd"
    book.properties.creator = "outreach (données synthétiques)"
    book.properties.created = book.properties.modified = __import__("datetime").datetime(2027, 4, 2)
    book.save(path)


def activity_rows(plan, seed: int) -> list[list]:
    rng = random.Random(seed)
    targeted = {a.branch_id: (a.population or 50000) for a in plan.ad_sets}
    months = [f"2026-{m:02d}" for m in range(9, 13)] + [f"2027-{m:02d}" for m in range(1, 7)]
    start = plan.start_date[:7]
    rows = [["branch_id", "month", "registrations", "loans", "visits"]]
    # size: a neighbourhood library of ~80,000 inhabitants lends ~3,000 documents a month
    branches = [(b, min(p / 80000, 8), True) for b, p in targeted.items()] + \
        [(b, f * 6, False) for b, f in CONTROL_BRANCHES.items()]
    for branch, size, is_target in branches:
        for month in months:
            season = SEASON[int(month[5:])]
            lift = 1.0
            if month >= start:
                lift = rng.uniform(1.06, 1.16) if is_target else rng.uniform(0.98, 1.03)
            noise = rng.uniform(0.95, 1.05)
            rows.append([branch, month, round(12 * size * season * lift * noise),
                         round(420 * size * season * lift ** 0.5 * noise),
                         round(900 * size * season * lift * noise)])
    return rows


def main() -> int:
    parser = argparse.ArgumentParser()
    demo = ROOT / "data" / "samples" / "resultats-demo"
    parser.add_argument("--plan", default=str(demo / "plan"))
    parser.add_argument("--out", default=str(demo))
    parser.add_argument("--seed", type=int, default=2027)
    args = parser.parse_args()
    plan_dir, out = Path(args.plan), Path(args.out)
    payloads = json.loads((plan_dir / "meta-api.json").read_text(encoding="utf-8"))
    # synthetic Meta ids, as `outreach push` would have written them
    ids = {payloads["campaign"]["ref"]: "120210000000001"}
    ids.update({a["ref"]: str(120210000000100 + i) for i, a in enumerate(payloads["ad_sets"])})
    (plan_dir / "meta-ids.json").write_text(json.dumps(ids, indent=1) + "\n", encoding="utf-8")
    plan = read_plan_dir(plan_dir)
    sim, period = simulate(plan, args.seed)
    decimals = {7: 2, 8: 2, 10: 2}
    daily = adset_rows(plan, sim, period, daily=True)
    write_csv(out / "ensembles-par-jour.csv", [FR_HEADER] + [french_cells(r, decimals) for r in daily])
    write_xlsx(out / "ensembles-sur-la-periode.xlsx", FR_HEADER, adset_rows(plan, sim, period, daily=False))
    camp = campaign_rows(plan, sim, period)
    write_csv(out / "campagne-par-jour-et-periode.csv",
              [CAMPAIGN_HEADER] + [french_cells(r, {6: 2, 7: 2}) for r in camp])
    with open(out / "activite-bibliotheques.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";", lineterminator="\n").writerows(activity_rows(plan, args.seed))
    print(f"{len(daily)} lignes quotidiennes, {len(plan.ad_sets)} ensembles, couverture de la campagne "
          f"{camp[-1][4]} personnes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
