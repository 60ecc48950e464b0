"""How a plan is drawn: the table of ad sets and the map of their circles.

Presentation only: the plan itself comes from outreach.planner.
"""

from __future__ import annotations

import base64
import html

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



SEE_MORE_AT = 125  # characters of primary text Meta shows in a feed before « … Voir plus »


def feed_post_html(ad_set, page_name: str, image: bytes) -> str:
    """One ad as people see it in a Facebook feed: the Page, « Sponsorisé », the primary text (cut where
    Meta cuts it), the visual with its alt text, then the link's domain, headline, description and button."""
    from urllib.parse import urlparse

    e = html.escape
    copy = ad_set.copy
    if len(copy.primary_text) > SEE_MORE_AT:
        shown = e(copy.primary_text[:SEE_MORE_AT].rstrip()) + "… <span style='color:#65676b'>Voir plus</span>"
    else:
        shown = e(copy.primary_text)
    kind = "image/png" if image[:4] == b"\x89PNG" else "image/jpeg"
    source = f"data:{kind};base64,{base64.b64encode(image).decode('ascii')}"
    domain = urlparse(ad_set.landing_url).netloc.removeprefix("www.").upper()
    alt = ad_set.visual.alt_text if ad_set.visual else ""
    return (
        "<div class='feed-post' style='max-width:440px;border:1px solid #dadde1;border-radius:8px;"
        "background:#fff;color:#1c1e21;font-family:system-ui,sans-serif;overflow:hidden'>"
        "<div style='display:flex;gap:8px;align-items:center;padding:12px'>"
        "<div style='width:40px;height:40px;border-radius:50%;background:#1d3557'></div>"
        f"<div><div style='font-weight:600'>{e(page_name)}</div>"
        "<div style='font-size:12px;color:#65676b'>Sponsorisé</div></div></div>"
        f"<div class='primary' style='padding:0 12px 12px;white-space:pre-wrap'>{shown}</div>"
        f"<img src='{source}' alt='{e(alt, quote=True)}' style='width:100%;display:block'>"
        "<div style='display:flex;justify-content:space-between;align-items:center;gap:8px;padding:10px 12px;"
        "background:#f0f2f5'><div style='min-width:0'>"
        f"<div style='font-size:12px;color:#65676b'>{e(domain)}</div>"
        f"<div class='headline' style='font-weight:600'>{e(copy.headline)}</div>"
        f"<div style='font-size:13px;color:#65676b'>{e(copy.description)}</div></div>"
        "<span class='cta' style='background:#e4e6eb;padding:8px 12px;border-radius:6px;font-weight:600;"
        "white-space:nowrap'>En savoir plus</span></div></div>")


def story_html(ad_set, page_name: str, image: bytes) -> str:
    """The same ad in a story or a reel: the 9:16 visual full height, the Page over its top, the button over
    its bottom (where stories put them, which is why the drawn visual keeps its text away from there)."""
    e = html.escape
    kind = "image/png" if image[:4] == b"\x89PNG" else "image/jpeg"
    source = f"data:{kind};base64,{base64.b64encode(image).decode('ascii')}"
    alt = ad_set.visual.alt_text if ad_set.visual else ""
    return (
        "<div class='story-post' style='position:relative;width:270px;border-radius:12px;overflow:hidden;"
        "font-family:system-ui,sans-serif;color:#fff;background:#000'>"
        f"<img src='{source}' alt='{e(alt, quote=True)}' style='width:100%;display:block'>"
        "<div style='position:absolute;top:10px;left:10px;right:10px;display:flex;gap:6px;align-items:center;"
        "text-shadow:0 1px 2px #000'><div style='width:24px;height:24px;border-radius:50%;background:#1d3557;"
        f"border:1px solid #fff'></div><div style='font-size:12px;font-weight:600'>{e(page_name)} · "
        "Sponsorisé</div></div>"
        "<div style='position:absolute;bottom:14px;left:0;right:0;text-align:center'>"
        "<span class='cta' style='background:#fff;color:#1c1e21;padding:6px 14px;border-radius:16px;"
        "font-size:13px;font-weight:600'>En savoir plus</span></div></div>")
