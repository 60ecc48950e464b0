"""Plan directories and Ads Manager exports for the reporting tests, built on the shipped network.

The plan directory follows the format `outreach plan` writes: `plan.csv` (adset_name, branch_id,
branch_name, theme_id, areas — INSEE codes joined by spaces —, population, radius_km, daily_budget_eur,
interests), `meta-api.json` (campaign and ad sets with their `ref`) and, after a push, `meta-ids.json`
(ref → Meta id). Branches and areas are real: the three Marseille libraries of the shipped data whose
catchments are the most populated, with the arrondissements nearest to them.
"""

from __future__ import annotations

import csv
import io
import json
from contextlib import contextmanager
from pathlib import Path

import pytest

from outreach.datasets import shipped_areas, shipped_branches
from outreach.territory import assign

CAMPAIGN = "Médiathèques Marseille — SF et manga — décembre 2026"
BRANCH_IDS = ("5424", "5423", "5426")  # La Grognarde, Cinq Avenues, Le Panier
THEMES = ("science-fiction", "manga")
THEME_LABELS = {"science-fiction": "Science-fiction", "manga": "Manga"}
START, END = "2026-12-01", "2026-12-21"
CAMPAIGN_ID = "120200000000100"  # the campaign's id at the simulated Meta; its ad sets are 120200000000200 + i


def planned_adsets() -> list[dict]:
    branches = [b for b in shipped_branches() if b.departement == "13" and b.open_to_public]
    areas = [a for a in shipped_areas() if a.departement == "13"]
    nearest = assign(branches, areas)
    rows = []
    for branch_id in BRANCH_IDS:
        mine = nearest[nearest["branch_id"] == branch_id]
        name = mine["branch_name"].iloc[0]
        for theme in THEMES:
            rows.append({
                "adset_name": f"{name} | {THEME_LABELS[theme]} | 18-65", "branch_id": branch_id,
                "branch_name": name, "theme_id": theme, "areas": " ".join(sorted(mine["area_code"])),
                "population": int(mine["population"].sum()), "radius_km": 4.5, "daily_budget_eur": 5.0,
                "interests": "Science fiction" if theme == "science-fiction" else "Manga"})
    return rows


def write_plan_dir(directory: Path, adsets: list[dict] | None = None, *, campaign: str = CAMPAIGN,
                   pushed: bool = True) -> Path:
    adsets = adsets if adsets is not None else planned_adsets()
    directory.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=["adset_name", "branch_id", "branch_name", "theme_id", "areas",
                                             "population", "radius_km", "daily_budget_eur", "interests"],
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows(adsets)
    (directory / "plan.csv").write_text(buf.getvalue(), encoding="utf-8")
    api = {"api_version": "v25.0",
           "campaign": {"name": campaign, "objective": "OUTCOME_AWARENESS", "status": "PAUSED",
                        "special_ad_categories": [], "ref": "campaign"},
           "ad_sets": [{"name": a["adset_name"], "ref": f"adset-{i + 1}", "daily_budget": 500,
                        "start_time": f"{START}T08:00:00+0100", "end_time": f"{END}T22:00:00+0100"}
                       for i, a in enumerate(adsets)],
           "creatives": [], "ads": []}
    (directory / "meta-api.json").write_text(json.dumps(api, ensure_ascii=False, indent=1), encoding="utf-8")
    if pushed:
        ids = {"campaign": "120200000000100"}
        ids.update({f"adset-{i + 1}": str(120200000000200 + i) for i in range(len(adsets))})
        (directory / "meta-ids.json").write_text(json.dumps(ids), encoding="utf-8")
    return directory


def fr_number(value: float, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")


FR_HEADER = ["Début des rapports", "Fin des rapports", "Nom de la campagne", "Nom de l'ensemble de publicités",
             "Couverture", "Impressions", "Répétition", "Montant dépensé (EUR)", "Clics sur un lien",
             "CTR (taux de clics sur le lien)"]
EN_HEADER = ["Reporting starts", "Reporting ends", "Campaign name", "Ad set name", "Reach", "Impressions",
             "Frequency", "Amount spent (EUR)", "Link clicks", "CTR (link click-through rate)"]


def period_figures() -> list[dict]:
    """Whole-period figures per ad set: deterministic and different for each one."""
    out = []
    for i, a in enumerate(planned_adsets()):
        reach = 4000 + 1500 * i
        impressions = int(reach * (2.1 + 0.1 * i))
        out.append({"adset_name": a["adset_name"], "reach": reach, "impressions": impressions,
                    "spend": round(90 + 7.35 * i, 2), "link_clicks": 40 + 9 * i})
    return out


def export_rows(figures: list[dict], *, french: bool = True, start: str = START, end: str = END,
                campaign: str = CAMPAIGN) -> list[list[str]]:
    rows = [FR_HEADER if french else EN_HEADER]
    for f in figures:
        freq = f["impressions"] / f["reach"] if f["reach"] else 0
        ctr = 100 * f["link_clicks"] / f["impressions"] if f["impressions"] else 0
        if french:
            rows.append([start, end, campaign, f["adset_name"], fr_number(f["reach"]), fr_number(f["impressions"]),
                         fr_number(freq, 2), fr_number(f["spend"], 2), fr_number(f["link_clicks"]),
                         fr_number(ctr, 2) + " %"])
        else:
            rows.append([start, end, campaign, f["adset_name"], f"{f['reach']:,}", f"{f['impressions']:,}",
                         f"{freq:.2f}", f"{f['spend']:.2f}", str(f["link_clicks"]), f"{ctr:.2f}%"])
    return rows


def write_csv(path: Path, rows: list[list[str]], separator: str = ";", encoding: str = "utf-8-sig") -> Path:
    buf = io.StringIO()
    csv.writer(buf, delimiter=separator, lineterminator="\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list], title: str | None = None) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Raw Data Report"
    if title:
        sheet.append([title])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.fixture
def store_url(tmp_path, monkeypatch):
    """A fresh SQLite results database in the test's folder, also the default for the CLI."""
    from outreach import db

    url = f"sqlite:///{tmp_path / 'results.sqlite'}"
    monkeypatch.setenv("OUTREACH_DATABASE_URL", url)
    yield url
    db.forget(url)


@pytest.fixture
def plan_dir(tmp_path):
    return write_plan_dir(tmp_path / "plan")


def meta_adsets() -> list[tuple[str, str]]:
    """(Meta id, name) of the planned ad sets, as the simulated Meta knows them."""
    return [(str(120200000000200 + i), a["adset_name"]) for i, a in enumerate(planned_adsets())]


@contextmanager
def simulated_meta(monkeypatch, account: str):
    """A local Graph server that ran the fixture campaign (21 days) under `account`, with META_ACCESS_TOKEN
    and META_GRAPH_URL pointing at it; stopped on the way out."""
    from tests.support.graph_insights import InsightsGraphServer
    from tests.support.graph_server import TOKEN

    server = InsightsGraphServer()
    server.start()
    try:
        server.simulate(account=account, campaign_id=CAMPAIGN_ID, campaign_name=CAMPAIGN, adsets=meta_adsets(),
                        start=START, end=END)
        monkeypatch.setenv("META_ACCESS_TOKEN", TOKEN)
        monkeypatch.setenv("META_GRAPH_URL", server.url)
        yield server
    finally:
        server.stop()
