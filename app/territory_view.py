"""How the territory is drawn: colours for catchments and distances, the pydeck layers, the legends.

Presentation only: which branch serves which area is decided in outreach.territory.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import pydeck as pdk

from outreach.model import Area, Branch
from outreach.territory import BranchIndex
from outreach.text import number

# Okabe & Ito's palette (2008), distinguishable with the common colour-vision deficiencies; black is kept
# for the branches themselves.
CATCHMENT_PALETTE = [
    (230, 159, 0), (86, 180, 233), (0, 158, 115), (240, 228, 66),
    (0, 114, 178), (213, 94, 0), (204, 121, 167), (153, 153, 153),
]
# viridis, sampled: readable in grey scale and by colour-blind readers
DISTANCE_BINS = [(0, 2, (253, 231, 37)), (2, 5, (94, 201, 98)), (5, 10, (33, 145, 140)),
                 (10, 20, (59, 82, 139)), (20, float("inf"), (68, 1, 84))]


class DrawnDeck(pdk.Deck):
    """A map whose JSON is made once: Streamlit asks for it at every rerun, and the deck never changes."""

    def to_json(self) -> str:
        if "_json" not in self.__dict__:
            self.__dict__["_json"] = super().to_json()
        return self.__dict__["_json"]


def branch_colours(branches: list[Branch]) -> dict[str, tuple[int, int, int]]:
    """Give each branch a palette colour different from its nearest neighbours' (greedy colouring)."""
    if not branches:
        return {}
    index = BranchIndex.of(branches)
    k = min(len(CATCHMENT_PALETTE), len(branches))
    _, neighbours = index.tree.query(index.tree.data, k=k)
    neighbours = np.asarray(neighbours).reshape(len(branches), k)
    colours: dict[int, int] = {}
    for i in range(len(branches)):
        taken = {colours[j] for j in neighbours[i, 1:] if j in colours}
        colours[i] = next((c for c in range(len(CATCHMENT_PALETTE)) if c not in taken), i % len(CATCHMENT_PALETTE))
    return {b.id: CATCHMENT_PALETTE[colours[i]] for i, b in enumerate(branches)}


def distance_colour(km: float) -> tuple[int, int, int]:
    return next(colour for low, high, colour in DISTANCE_BINS if low <= km < high)


def deck(branches: list[Branch], areas: list[Area], assignments: pd.DataFrame, colour_by: str,
         colours: dict[str, tuple[int, int, int]]) -> pdk.Deck:
    rows = assignments.set_index("area_code")
    area_layer_data = []
    for a in areas:
        row = rows.loc[a.code]
        colour = colours.get(row["branch_id"], (200, 200, 200)) if colour_by == "branch" else distance_colour(row["distance_km"])
        # plain text: deck.gl escapes the values it puts into an HTML template, so tags would show as text
        tooltip = (f"{a.name} ({a.code})\nPopulation : {_int(a.population)}\n"
                   f"Bibliothèque la plus proche : {row['branch_name']}\n"
                   f"Distance : {number(row['distance_km'], 1)} km")
        area_layer_data.append({"geometry": a.geometry, "lat": a.lat, "lon": a.lon, "colour": [*colour, 150],
                                "tooltip": tooltip, "population": a.population or 0})
    layers = []
    polygons = [d for d in area_layer_data if d["geometry"]]
    points = [d for d in area_layer_data if not d["geometry"]]
    if polygons:
        layers.append(pdk.Layer(
            "GeoJsonLayer",
            {"type": "FeatureCollection",
             "features": [{"type": "Feature", "geometry": d["geometry"],
                           "properties": {"colour": d["colour"], "tooltip": d["tooltip"]}} for d in polygons]},
            get_fill_color="properties.colour", get_line_color=[255, 255, 255, 200], line_width_min_pixels=1,
            pickable=True, stroked=True, filled=True))
    if points:
        layers.append(pdk.Layer("ScatterplotLayer", points, get_position=["lon", "lat"], get_fill_color="colour",
                                get_radius=600, radius_min_pixels=3, radius_max_pixels=12, pickable=True))
    layers.append(pdk.Layer(
        "ScatterplotLayer",
        [{"lat": b.lat, "lon": b.lon, "tooltip": f"{b.display_name}\n{b.address} {b.postcode} {b.city}".strip()}
         for b in branches],
        get_position=["lon", "lat"], get_fill_color=[20, 20, 20, 230], get_line_color=[255, 255, 255],
        line_width_min_pixels=1, stroked=True, get_radius=150, radius_min_pixels=4, radius_max_pixels=9,
        pickable=True))
    lats = [a.lat for a in areas] + [b.lat for b in branches]
    lons = [a.lon for a in areas] + [b.lon for b in branches]
    view = pdk.ViewState(latitude=float(np.mean(lats)), longitude=float(np.mean(lons)),
                         zoom=zoom_for(max(lats) - min(lats), max(lons) - min(lons)))
    return DrawnDeck(layers=layers, initial_view_state=view, tooltip={"text": "{tooltip}"}, map_style="light")


def zoom_for(dlat: float, dlon: float) -> float:
    span = max(dlat, dlon * 0.7, 0.01)
    return float(np.clip(np.log2(360 / span) - 0.3, 4, 13))


def _int(value) -> str:
    return number(value)


def swatch(colour: tuple[int, int, int]) -> str:
    return f"<span style='display:inline-block;width:1em;height:1em;background:rgb{colour};" \
           f"border:1px solid #333;vertical-align:middle;margin-right:.3em'></span>"


def distance_legend() -> str:
    items = []
    for low, high, colour in DISTANCE_BINS:
        label = f"plus de {low:g} km" if high == float("inf") else f"{low:g} à {high:g} km"
        items.append(f"{swatch(colour)}{label}")
    return "Distance à la bibliothèque la plus proche : " + " &nbsp; ".join(items) + \
        " &nbsp; ● bibliothèque"


def catchment_legend(catchments: pd.DataFrame, colours: dict[str, tuple[int, int, int]], limit: int = 12) -> str:
    top = catchments.head(limit)
    items = [f"{swatch(colours[r.branch_id])}{html.escape(r.branch_name)}" for r in top.itertuples()]
    more = len(catchments) - len(top)
    tail = f" &nbsp; … et {more} autres (voir le tableau des bassins)" if more > 0 else ""
    return "Bassin de chaque bibliothèque (couleurs réutilisées entre bassins éloignés) : " + \
        " &nbsp; ".join(items) + tail + " &nbsp; ● bibliothèque"
