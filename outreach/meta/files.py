"""The files of a plan: meta-api.json, the Ads Manager sheet (.xlsx and .txt) and plan.csv.

Shared by the CLI (`outreach plan`) and the app (Campagne page), so that both write the same bytes.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from outreach import atomic, cells
from outreach.campaign import Campaign
from outreach.meta import sheet
from outreach.meta.names import IDS_FILE, META_API_FILE  # noqa: F401  (IDS_FILE: imported from here too)
from outreach.meta.payloads import build_payloads
from outreach.planner import Plan, build_plan
from outreach.sources.gc_pause import no_cycle_collection
from outreach.visuals import visual_files

PLAN_CSV_COLUMNS = ["adset_name", "branch_id", "branch_name", "theme_id", "areas", "population", "radius_km",
                    "daily_budget_eur", "interests"]
XLSX_FILE = "ads-manager.xlsx"
TXT_FILE = "ads-manager.txt"
PLAN_CSV_FILE = "plan.csv"
EXPORT_FILES = (META_API_FILE, XLSX_FILE, TXT_FILE, PLAN_CSV_FILE)


def plan_campaign(campaign: Campaign, **kwargs) -> tuple[Plan, dict]:
    """The plan and its payloads; with a Meta token and an ad account, on the account's own budget floor."""
    # tens of thousands of circles, ad sets and payload objects, none in a cycle: no collector scans meanwhile
    with no_cycle_collection():
        return _plan_campaign(campaign, **kwargs)


def _plan_campaign(campaign: Campaign, **kwargs) -> tuple[Plan, dict]:
    if "min_daily_budget_eur" not in kwargs:
        from outreach.meta.budgets import account_floor
        from outreach.settings import load_settings

        settings = kwargs.setdefault("settings", load_settings())
        floor, source = account_floor(campaign.objective, settings)
        kwargs.update(min_daily_budget_eur=floor, floor_source=source)
    plan = build_plan(campaign, **kwargs)
    payloads = build_payloads(plan)
    if len(plan.ad_sets) > len(campaign.themes):  # one ad set per theme cannot compete with itself
        from outreach.overlap import same_theme_overlap

        plan.same_theme_overlap = same_theme_overlap(payloads)
        plan.notes.append(f"Part des personnes touchées que deux ensembles de publicités d'un même thème ciblent "
                          f"à la fois : {f'{plan.same_theme_overlap * 100:.1f}'.replace('.', ',')} %.")
    return plan, payloads


def plan_csv(plan: Plan) -> bytes:
    buffer = io.StringIO()
    writer = cells.writer(buffer, lineterminator="\n")
    writer.writerow(PLAN_CSV_COLUMNS)
    for a in plan.ad_sets:
        writer.writerow([a.name, a.branch_id, a.branch_name, a.theme_id, " ".join(a.area_codes), a.population,
                         f"{a.radius_km:g}", f"{a.daily_budget_eur:.2f}", "; ".join(i.name for i in a.interests)])
    return buffer.getvalue().encode("utf-8")


def payloads_json(payloads: dict) -> str:
    """meta-api.json with one Meta object per line: readable, diffable, and fast to write for a national
    plan (json's C encoder only runs without indentation)."""
    dump = json.JSONEncoder(ensure_ascii=False).encode
    circles: dict[int, str] = {}
    parts = [f'{{"api_version": {dump(payloads["api_version"])},']
    if payloads.get("campaign_identity"):
        parts.append(f' "campaign_identity": {dump(payloads["campaign_identity"])},')
    parts.append(f' "campaign": {dump(payloads["campaign"])},')
    keys = [k for k in ("special_campaigns", "images", "ad_sets", "creatives", "ads") if k in payloads]
    for n, key in enumerate(keys):
        objects = payloads[key]
        parts.append(f' "{key}": [' + ("" if objects else "]" + ("," if n < len(keys) - 1 else "")))
        for i, obj in enumerate(objects):
            last = i == len(objects) - 1
            closing = ("]" + ("," if n < len(keys) - 1 else "")) if last else ","
            parts.append(f"  {_ad_set_json(obj, dump, circles) if key == 'ad_sets' else dump(obj)}{closing}")
    parts.append("}")
    return "\n".join(parts) + "\n"


_NO_CIRCLES = '"custom_locations": []'


def _ad_set_json(ad_set: dict, dump, circles: dict[int, str]) -> str:
    """An ad set's JSON, its circles encoded once per list: the ad sets of one group share their list of
    custom locations (`outreach.meta.payloads._circles`), the bulk of a national plan's meta-api.json. The ad
    set is encoded with an empty list in its place, then the list's JSON put there: a key and its `": `
    cannot occur inside a JSON string (its quotes are escaped), so the first match is the key itself."""
    geo = ad_set.get("targeting", {}).get("geo_locations", {})
    shared = geo.get("custom_locations")
    if not shared:
        return dump(ad_set)
    if id(shared) not in circles:
        circles[id(shared)] = dump(shared)
    hollow = {**ad_set, "targeting": {**ad_set["targeting"], "geo_locations": {**geo, "custom_locations": []}}}
    return dump(hollow).replace(_NO_CIRCLES, f'"custom_locations": {circles[id(shared)]}', 1)


def render_outputs(plan: Plan, payloads: dict, template_columns: list[str] | None = None) -> dict[str, bytes]:
    """Every file of the export by name; the visuals under images/, beside the sheet that names them."""
    with no_cycle_collection():  # a cell, a row, a string per value of the sheet: no cycle among them
        return _render_outputs(plan, payloads, template_columns)


def _render_outputs(plan: Plan, payloads: dict, template_columns: list[str] | None) -> dict[str, bytes]:
    rows = sheet.rows(payloads, sheet.formats_of(template_columns))
    return {
        META_API_FILE: payloads_json(payloads).encode("utf-8"),
        XLSX_FILE: sheet.to_xlsx(rows, template_columns),
        TXT_FILE: sheet.to_txt(rows, template_columns),
        PLAN_CSV_FILE: plan_csv(plan),
        **visual_files(plan.ad_sets),
    }


def write_plan_outputs(plan: Plan, payloads: dict, out_dir: str | Path, extra_files: dict[str, bytes] | None = None,
                       *, template_columns: list[str] | None = None) -> list[str]:
    """Write the plan's files (and any extra ones, e.g. a checklist) into `out_dir`, all or nothing; their
    names in it (a Path per file would cost a national plan's 2,644 files about 40 ms)."""
    files = render_outputs(plan, payloads, template_columns)
    files.update(extra_files or {})
    atomic.write_files(out_dir, files)
    return list(files)
