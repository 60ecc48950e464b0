"""No self-competition: one inhabitant is targeted by at most one ad set of a theme.

Circles around neighbouring branches overlap (a circle must reach the farthest point of its catchment), so
people living between two branches would sit in two ad sets of the same theme: the campaign bids against
itself, and the farther branch gets named to some of them. Each postcode is given to one group of catchments
(`owners`), the one holding most of its people; every circle then excludes the postcodes it touches that
belong to another group (`excluded_geo_locations`), and in postcode targeting each postcode is sent once.

`same_theme_overlap` measures the result independently of how it was obtained: the people of every commune
and arrondissement of France (national list, spread evenly over their postcodes), and, for each theme, the
ad sets whose targeting includes them — inside one of its circles and not in its excluded postcodes, or in
its postcodes. The share is the population targeted by two ad sets or more, over the population targeted.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.spatial import cKDTree

from outreach.territory import km_to_chord, unit_vectors


@dataclass(frozen=True)
class Units:
    """People as points: one row per (commune, postcode), with the commune's population split evenly."""

    area_code: np.ndarray
    postcode: np.ndarray
    population: np.ndarray
    tree: cKDTree


@lru_cache(maxsize=1)
def national_units() -> Units:
    """The national list of communes and arrondissements (shipped, INSEE populations), read straight with
    pandas: a measure over 35,000 places must not cost the plan seconds."""
    import pandas as pd

    from outreach.datasets import national_communes_path

    frame = pd.read_csv(national_communes_path(), dtype={"code": str, "postcodes": str},
                        usecols=["code", "population", "postcodes", "lat", "lon"], keep_default_na=False)
    postcodes = frame["postcodes"].str.replace(",", ";").str.split(";")
    frame = frame.assign(share=postcodes.str.len().clip(lower=1), postcode=postcodes).explode("postcode")
    population = pd.to_numeric(frame["population"], errors="coerce").fillna(0) / frame["share"]
    return Units(frame["code"].to_numpy(dtype=str), frame["postcode"].fillna("").str.strip().to_numpy(dtype=str),
                 population.to_numpy(dtype=float), cKDTree(unit_vectors(frame["lat"].astype(float),
                                                                        frame["lon"].astype(float))))


def inside(units: Units, circles: list[tuple[float, float, float]]) -> np.ndarray:
    """Indices of the units inside any of the circles (lat, lon, radius in km)."""
    if not circles:
        return np.array([], dtype=int)
    centres = unit_vectors([c[0] for c in circles], [c[1] for c in circles])
    hits = units.tree.query_ball_point(centres, km_to_chord(np.array([c[2] for c in circles])))
    found = {i for row in hits for i in row}
    return np.fromiter(sorted(found), dtype=int, count=len(found))


def owners(units: Units, group_circles: list[list[tuple[float, float, float]]],
           group_areas: list[set[str]]) -> dict[str, int]:
    """Postcode → the group that alone may target it.

    A postcode of the territory goes to the group whose catchments hold most of its people; a postcode
    outside it that circles reach goes to the group whose circles hold most of its people."""
    area_group = {code: g for g, codes in enumerate(group_areas) for code in codes}
    scope_pop: dict[str, dict[int, float]] = {}
    reach_pop: dict[str, dict[int, float]] = {}
    for g, circles in enumerate(group_circles):
        for i in inside(units, circles).tolist():
            postcode = str(units.postcode[i])
            if postcode and str(units.area_code[i]) not in area_group:
                _add(reach_pop, postcode, g, float(units.population[i]))
    for i in np.flatnonzero(np.isin(units.area_code, list(area_group))).tolist():
        postcode = str(units.postcode[i])
        if postcode:
            _add(scope_pop, postcode, area_group[str(units.area_code[i])], float(units.population[i]))
    chosen = {p: _largest(pops) for p, pops in reach_pop.items()}
    chosen.update({p: _largest(pops) for p, pops in scope_pop.items()})  # the territory's own people first
    return chosen


def _add(table: dict[str, dict[int, float]], postcode: str, group: int, people: float) -> None:
    by_group = table.setdefault(postcode, {})
    by_group[group] = by_group.get(group, 0.0) + people


def _largest(pops: dict[int, float]) -> int:
    return max(sorted(pops), key=lambda g: pops[g])


def exclusions(units: Units, group_circles: list[list[tuple[float, float, float]]],
               owner: dict[str, int]) -> list[list[str]]:
    """For each group, the postcodes its circles touch that another group owns."""
    out = []
    for g, circles in enumerate(group_circles):
        touched = {str(units.postcode[i]) for i in inside(units, circles).tolist()}
        out.append(sorted(p for p in touched if p and owner.get(p, g) != g))
    return out


def same_theme_overlap(payloads: dict, units: Units | None = None) -> float:
    """Share of the people targeted whom two ad sets or more of one theme target (0 to 1), read from the
    payloads themselves (what Meta would be sent)."""
    units = units or national_units()
    by_theme: dict[str, list[dict]] = {}
    for ad_set in payloads["ad_sets"]:
        # refs are "<theme>--<lead branch>" (outreach.planner)
        by_theme.setdefault(str(ad_set.get("ref", "")).split("--")[0], []).append(ad_set["targeting"])
    reached = overlapped = 0.0
    postcode_keys = np.char.add("FR:", units.postcode.astype(str))
    for specs in by_theme.values():
        count = np.zeros(len(units.population), dtype=np.int32)
        for spec in specs:
            count += targeted(units, spec, postcode_keys)
        reached += float(units.population[count >= 1].sum())
        overlapped += float(units.population[count >= 2].sum())
    return overlapped / reached if reached else 0.0


def targeted(units: Units, spec: dict, postcode_keys: np.ndarray) -> np.ndarray:
    """1 for every unit this targeting includes, 0 elsewhere."""
    geo = spec.get("geo_locations", {})
    hit = np.zeros(len(units.population), dtype=bool)
    circles = [(c["latitude"], c["longitude"], float(c["radius"]) * (1.609344 if c.get("distance_unit") == "mile"
                                                                      else 1.0))
               for c in geo.get("custom_locations", [])]
    hit[inside(units, circles)] = True
    zips = [z["key"] for z in geo.get("zips", [])]
    if zips:
        hit |= np.isin(postcode_keys, zips)
    excluded = [z["key"] for z in (spec.get("excluded_geo_locations") or {}).get("zips", [])]
    if excluded:
        hit &= ~np.isin(postcode_keys, excluded)
    return hit.astype(np.int32)
