"""A printable report for management: one self-contained HTML page (no script, no outside resource), laid
out for A4, with the key figures, reach per theme and branch as bar charts, the areas, the activity
before and after the campaign, and what the figures can and cannot say.
"""

from __future__ import annotations

import datetime as dt
from html import escape

import pandas as pd

from outreach.errors import InputError
from outreach.reporting import figures as reporting
from outreach.reporting.results_store import ReportStore
from outreach.text import french_date, number

CSS = """
@page { size: A4; margin: 16mm 14mm; }
body { font-family: "Marianne", "Helvetica Neue", Arial, sans-serif; color: #1e1e1e; font-size: 10.5pt;
       max-width: 190mm; margin: 0 auto; }
h1 { font-size: 19pt; margin: 0 0 2mm; } h2 { font-size: 13pt; margin: 7mm 0 2mm; border-bottom: 1px solid #ccc; }
.sub { color: #555; margin: 0 0 5mm; }
.kpis { display: flex; flex-wrap: wrap; gap: 3mm; }
.kpi { border: 1px solid #d0d0d0; border-radius: 2mm; padding: 2mm 3mm; min-width: 38mm; }
.kpi b { display: block; font-size: 15pt; } .kpi span { color: #555; font-size: 9pt; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0; page-break-inside: avoid; }
th, td { border-bottom: 1px solid #e2e2e2; padding: 1mm 1.5mm; text-align: right; }
th:first-child, td:first-child { text-align: left; } th { background: #f3f3f3; font-weight: 600; }
.notes { color: #444; font-size: 9pt; } .up { color: #18753c; } .down { color: #ce0500; }
svg { display: block; margin: 2mm 0; page-break-inside: avoid; }
section { page-break-inside: avoid; }
"""


def _bars(labels: list[str], values: list[float], marks: list[str], unit: str = "") -> str:
    """Horizontal bars as inline SVG: prints sharp, needs nothing."""
    if not values:
        return ""
    width, label_w, row_h = 680, 230, 20
    top = max(values) or 1
    height = row_h * len(values) + 6
    parts = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="diagramme en barres">']
    for i, (label, value, mark) in enumerate(zip(labels, values, marks, strict=True)):
        y = 3 + i * row_h
        w = (width - label_w - 90) * value / top
        text = escape(label if len(label) <= 34 else label[:33] + "…")
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" font-size="11" text-anchor="end">{text}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{row_h - 6}" fill="#000091" '
                     f'fill-opacity="{0.45 if mark else 0.85}"/>')
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 13}" font-size="11">'
                     f'{escape(mark + number(value) + unit)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _table(table: reporting.ReachTable, heading: str, limit: int | None = None) -> str:
    rows = table.frame.head(limit) if limit else table.frame
    head = (f"<tr><th>{escape(heading)}</th><th>Couverture</th><th>Impressions</th><th>Répétition</th>"
            "<th>Dépense (€)</th><th>Coût / 1 000 pers. (€)</th><th>Clics sur un lien</th><th>CTR (%)</th></tr>")
    body = []
    for r in rows.to_dict("records"):
        name = r["label"] if r["label"] == r["key"] else f"{r['label']} ({r['key']})"
        body.append(f"<tr><td>{escape(str(name))}</td><td>{escape(reporting.reach_shown(r))}"
                    f"</td><td>{number(r['impressions'])}</td><td>{number(r['frequency'], 2)}</td>"
                    f"<td>{number(r['spend'], 2)}</td><td>{number(r['cost_per_1000_reached'], 2)}</td>"
                    f"<td>{number(r['link_clicks'])}</td><td>{number(r['ctr'], 2)}</td></tr>")
    more = ""
    if limit and len(table.frame) > limit:
        more = f"<p class='notes'>… et {len(table.frame) - limit} autre(s) ligne(s).</p>"
    return f"<table>{head}{''.join(body)}</table>{more}"


def _kpis(total: dict) -> str:
    mark = reporting.reach_mark(total)
    items = [
        (mark + number(total["reach"]), "personnes touchées" + (" (au plus)" if mark == "≤ " else "")),
        (number(total["impressions"]), "impressions"),
        (number(total["frequency"], 2), "répétition moyenne"),
        (number(total["spend"], 2) + " €", "dépensés"),
        (number(total["cost_per_1000_reached"], 2) + " €", "pour 1 000 personnes touchées"),
        (number(total["link_clicks"]), "clics vers le site"),
        (number(total["ctr"], 2) + " %", "taux de clic"),
    ]
    return "<div class='kpis'>" + "".join(f"<div class='kpi'><b>{escape(v)}</b><span>{escape(label)}</span></div>"
                                          for v, label in items) + "</div>"


def _outcome(store: ReportStore, plan_ids, months: int) -> str:
    try:
        result = reporting.outcome(store, months, plan_ids)
    except InputError as exc:
        message = exc.message[:1].upper() + exc.message[1:]
        return f"<p class='notes'>{escape(message)} {escape(exc.fix or '')}</p>"
    if result.frame.empty:
        return "<p class='notes'>Aucune activité exploitable.</p>"
    f = result.frame.sort_values(["in_campaign", "branch_name", "metric"], ascending=[False, True, True])
    rows = []
    for r in f.to_dict("records"):
        change = r["change_pct"]
        cls = "" if pd.isna(change) else ("up" if change > 0 else "down")
        shown = "—" if pd.isna(change) else f"{change:+.1f} %".replace(".", ",")
        rows.append(f"<tr><td>{escape(str(r['branch_name']))}</td><td>{'oui' if r['in_campaign'] else 'non'}</td>"
                    f"<td>{escape(r['label'])}</td><td>{number(r['avant'], 1)}</td>"
                    f"<td>{number(r['pendant'], 1)}</td><td>{number(r['après'], 1)}</td>"
                    f"<td class='{cls}'>{shown}</td></tr>")
    control = ""
    if result.control:
        control = "<p>Bibliothèques non ciblées (témoins) : " + escape(" ; ".join(
            f"{reporting.OUTCOME_LABELS[m]} {v:+.1f} %".replace(".", ",") for m, v in result.control.items())) + ".</p>"
    span = result.start_month if result.start_month == result.end_month else \
        f"{result.start_month} → {result.end_month}"
    return (f"<p>Campagne : {escape(span)}. Moyennes mensuelles des {months} mois qui la précèdent, des mois où "
            f"elle a tourné, et des {months} mois qui la suivent.</p>"
            "<table><tr><th>Bibliothèque</th><th>Ciblée</th><th>Indicateur</th><th>Avant</th><th>Pendant</th>"
            f"<th>Après</th><th>Évolution</th></tr>{''.join(rows)}</table>{control}"
            + "".join(f"<p class='notes'>{escape(n)}</p>" for n in result.notes))


def management_report(store: ReportStore, plan_ids: list[int] | None = None, months: int = 3,
                      today: dt.date | None = None) -> str:
    if not store.has_results():
        raise InputError("aucun résultat importé : rien à présenter.",
                         fix="Importez d'abord un export du Gestionnaire de publicités (outreach report import).")
    plans = store.plans()
    if plan_ids is not None:
        plans = plans[plans["id"].isin(plan_ids)]
    names = ", ".join(plans["campaign_name"]) or "campagne sans plan importé"
    themes = reporting.reach_table(store, "theme", plan_ids)
    branches = reporting.reach_table(store, "branch", plan_ids)
    areas = reporting.reach_table(store, "area", plan_ids)
    total = themes.total
    period = f"du {french_date(total['start'])} au {french_date(total['stop'])}" if total.get("start") else ""
    notes = sorted({*themes.notes, *branches.notes, *areas.notes, f"Total : {total['reach_basis']}."})
    batches = store.batches()
    today = today or dt.date.today()

    def bars(table: reporting.ReachTable) -> str:
        f = table.frame
        return _bars([str(x) for x in f["label"]], f["reach"].astype(float).tolist(),
                     [reporting.reach_mark(r) for r in f.to_dict("records")])

    return f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Bilan de campagne — {escape(names)}</title>
<style>{CSS}</style></head><body>
<h1>Bilan de campagne</h1>
<p class="sub">{escape(names)} — {escape(period)} — établi le {french_date(today)}</p>
<section><h2>L'essentiel</h2>{_kpis(total)}</section>
<section><h2>Couverture par thème</h2>{bars(themes)}{_table(themes, "Thème")}</section>
<section><h2>Couverture par bibliothèque</h2>{bars(branches)}{_table(branches, "Bibliothèque")}</section>
<section><h2>Par zone (estimation)</h2>{_table(areas, "Zone", limit=25)}</section>
<section><h2>Et à la médiathèque ?</h2>{_outcome(store, plan_ids, months)}</section>
<section><h2>Méthode et limites</h2><ul class="notes">
<li>Couverture : nombre de personnes ayant vu au moins une publicité. « ≤ » : majorant (une même personne peut être
comptée plusieurs fois) ; « ≈ » : estimation.</li>
{"".join(f"<li>{escape(n)}</li>" for n in notes)}
<li>Données : {len(batches)} import(s) de résultats, le dernier le
{escape(str(batches["imported_at"].iloc[-1])[:16]) if len(batches) else "—"} (UTC).</li>
</ul></section>
</body></html>
"""
