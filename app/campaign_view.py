"""How a plan is drawn: the table of ad sets and the map of their circles.

Presentation only: the plan itself comes from outreach.planner.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pydeck as pdk

from app.territory_view import CATCHMENT_PALETTE, DrawnDeck, zoom_for
from outreach.planner import Plan
from outreach.text import number


def plan_table(plan: Plan) -> pd.DataFrame:
    return pd.DataFrame([{
        "Ensemble de publicités": a.name,
        "Thème": a.theme_label or a.theme_id,
        "Bibliothèque": a.branch_name,
        "Bibliothèques": len(a.locations) or 1,
        "Zones": len(a.area_codes),
        "Population": a.population,
        "Rayon (km)": a.radius_km,
        "Budget / jour (€)": a.daily_budget_eur,
        "Centres d'intérêt": ", ".join(i.name for i in a.interests),
        "Texte générique": "oui" if a.generic_copy else "",
        "Réf.": a.ref,
    } for a in plan.ad_sets])


def circles_deck(plan: Plan, theme_id: str | None = None) -> pdk.Deck:
    """One circle per location of every ad set (of one theme), coloured by ad set."""
    rows = []
    ad_sets = [a for a in plan.ad_sets if theme_id is None or a.theme_id == theme_id]
    for n, a in enumerate(ad_sets):
        colour = CATCHMENT_PALETTE[n % len(CATCHMENT_PALETTE)]
        for loc in a.locations:
            rows.append({
                "lat": loc.lat, "lon": loc.lon, "radius_m": loc.radius_km * 1000, "colour": [*colour, 60],
                "line": [*colour, 220],
                # plain text (deck.gl would show tags of an HTML template as text)
                "tooltip": f"{loc.branch_name}\n{a.name}\nRayon : {number(loc.radius_km, 1)} km · "
                           f"{number(loc.population)} habitants\nBudget de l'ensemble : "
                           f"{number(a.daily_budget_eur, 2)} € / jour"})
    layers = [
        pdk.Layer("ScatterplotLayer", rows, get_position=["lon", "lat"], get_radius="radius_m",
                  get_fill_color="colour", get_line_color="line", stroked=True, filled=True,
                  line_width_min_pixels=1, pickable=True),
        pdk.Layer("ScatterplotLayer", rows, get_position=["lon", "lat"], get_fill_color=[20, 20, 20, 230],
                  get_radius=120, radius_min_pixels=3, radius_max_pixels=7),
    ]
    lats = [r["lat"] for r in rows] or [46.6]
    lons = [r["lon"] for r in rows] or [2.4]
    view = pdk.ViewState(latitude=float(np.mean(lats)), longitude=float(np.mean(lons)),
                         zoom=zoom_for(max(lats) - min(lats) + 0.3, max(lons) - min(lons) + 0.3))
    return DrawnDeck(layers=layers, initial_view_state=view, tooltip={"text": "{tooltip}"}, map_style="light")
