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

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

import numpy as np
from scipy.spatial import cKDTree

from outreach.territory import km_to_chord, unit_vectors


@dataclass(frozen=True)
class Units:
    """People as points: one row per (commune, postcode), with the commune's population split evenly;
    `code` numbers the postcodes (index into `postcodes`) so that set operations stay in numpy."""

    area_code: np.ndarray
    postcode: np.ndarray
    population: np.ndarray
    tree: cKDTree
    postcodes: np.ndarray  # the distinct postcodes, sorted
    code: np.ndarray  # per unit, the index of its postcode in `postcodes`

    def codes_of(self, postcodes) -> np.ndarray:
        """Indices of these postcodes among the known ones (unknown ones left out)."""
        wanted = np.asarray(list(postcodes), dtype=self.postcodes.dtype)
        at = np.searchsorted(self.postcodes, wanted)
        at = np.minimum(at, len(self.postcodes) - 1)
        return at[self.postcodes[at] == wanted]


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
    postcode = frame["postcode"].fillna("").str.strip().to_numpy(dtype=str)
    distinct, code = np.unique(postcode, return_inverse=True)
    return Units(frame["code"].to_numpy(dtype=str), postcode, population.to_numpy(dtype=float),
                 cKDTree(unit_vectors(frame["lat"].astype(float), frame["lon"].astype(float))), distinct, code)


def inside(units: Units, circles: list[tuple[float, float, float]]) -> np.ndarray:
    """Indices of the units inside any of the circles (lat, lon, radius in km), in order."""
    return inside_each(units, [circles])[0]


def inside_each(units: Units, group_circles: list[list[tuple[float, float, float]]]) -> list[np.ndarray]:
    """`inside` for each group of circles, with one query of the tree for all the circles."""
    flat = [c for circles in group_circles for c in circles]
    if not flat:
        return [np.array([], dtype=int) for _ in group_circles]
    centres = unit_vectors([c[0] for c in flat], [c[1] for c in flat])
    hits = units.tree.query_ball_point(centres, km_to_chord(np.array([c[2] for c in flat])))
    out, at = [], 0
    for circles in group_circles:
        rows = hits[at:at + len(circles)]
        at += len(circles)
        out.append(np.unique(np.fromiter(chain.from_iterable(rows), dtype=int)))
    return out


def owners(units: Units, group_circles: list[list[tuple[float, float, float]]],
           group_areas: list[Iterable[str]], reached_units: list[np.ndarray] | None = None) -> dict[str, int]:
    """Postcode → the group that alone may target it.

    A postcode of the territory goes to the group whose catchments hold most of its people; a postcode
    outside it that circles reach goes to the group whose circles hold most of its people. `reached_units`:
    `inside_each(units, group_circles)` when the caller has it already."""
    import pandas as pd

    if reached_units is None:
        reached_units = inside_each(units, group_circles)
    area_group = {code: g for g, codes in enumerate(group_areas) for code in codes}
    in_scope = np.isin(units.area_code, list(area_group))
    scope_idx = np.flatnonzero(in_scope)
    scope = pd.DataFrame({"code": units.code[scope_idx], "pop": units.population[scope_idx],
                          "group": [area_group[c] for c in units.area_code[scope_idx].tolist()]})
    reached = []
    for g, idx in enumerate(reached_units):
        idx = idx[~in_scope[idx]]
        if len(idx):
            reached.append(pd.DataFrame({"code": units.code[idx], "pop": units.population[idx], "group": g}))
    chosen: dict[str, int] = {}
    # the territory's own people decide last, so that they win over people outside it
    for table in ([pd.concat(reached)] if reached else []) + [scope]:
        sums = table.groupby(["code", "group"], sort=True)["pop"].sum().reset_index()
        best = sums.sort_values(["code", "pop", "group"], ascending=[True, False, True]).drop_duplicates("code")
        names = units.postcodes[best["code"].to_numpy()].tolist()  # the postcodes at once, not one by one
        chosen.update({p: g for p, g in zip(names, best["group"].tolist(), strict=True) if p})
    return chosen


def _add(table: dict[str, dict[int, float]], postcode: str, group: int, people: float) -> None:
    by_group = table.setdefault(postcode, {})
    by_group[group] = by_group.get(group, 0.0) + people


def _largest(pops: dict[int, float]) -> int:
    return max(sorted(pops), key=lambda g: pops[g])


def exclusions(units: Units, group_circles: list[list[tuple[float, float, float]]],
               owner: dict[str, int], reached_units: list[np.ndarray] | None = None) -> list[list[str]]:
    """For each group, the postcodes its circles touch that another group owns."""
    if reached_units is None:
        reached_units = inside_each(units, group_circles)
    out = []
    for g, idx in enumerate(reached_units):
        touched = units.postcodes[np.unique(units.code[idx])].tolist()
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
    # the themes of a plan mostly share their places: each is looked at once, kept as the indices of the units
    # it targets, and a theme's count per unit is one bincount of them (not an addition over every unit per ad
    # set: 1,320 of them over 40,000 units in a national plan)
    seen: dict[tuple, np.ndarray] = {}
    for specs in by_theme.values():
        hits = []
        for spec in specs:
            key = _places(spec)
            if key not in seen:
                seen[key] = np.flatnonzero(_targeted(units, spec))
            hits.append(seen[key])
        count = np.bincount(np.concatenate(hits), minlength=len(units.population))
        reached += float(units.population[count >= 1].sum())
        overlapped += float(units.population[count >= 2].sum())
    return overlapped / reached if reached else 0.0


def _places(spec: dict) -> tuple:
    """What of a targeting decides whom `targeted` includes: its circles, postcodes and excluded postcodes.
    The circles are told apart by their list's identity, not its content: the ad sets of one group share
    one list (outreach.meta.payloads), and making a tuple per circle of every ad set cost a national plan
    about 25 ms; two equal lists that are not the same object are only measured twice. The lists live as
    long as the payloads, so no two of them share an identity meanwhile."""
    geo = spec.get("geo_locations", {})
    circles = geo.get("custom_locations")
    return (id(circles) if circles else None,
            tuple(str(z["key"]) for z in geo.get("zips", [])),
            tuple(str(z["key"]) for z in (spec.get("excluded_geo_locations") or {}).get("zips", [])))


def targeted(units: Units, spec: dict) -> np.ndarray:
    """1 for every unit this targeting includes, 0 elsewhere."""
    return _targeted(units, spec).astype(np.int32)


def _targeted(units: Units, spec: dict) -> np.ndarray:
    """Whether each unit is one this targeting includes."""
    geo = spec.get("geo_locations", {})
    hit = np.zeros(len(units.population), dtype=bool)
    circles = [(c["latitude"], c["longitude"], float(c["radius"]) * (1.609344 if c.get("distance_unit") == "mile"
                                                                      else 1.0))
               for c in geo.get("custom_locations", [])]
    hit[inside(units, circles)] = True
    zips = _postcode_mask(units, geo.get("zips", []))
    if zips is not None:
        hit |= zips[units.code]
    excluded = _postcode_mask(units, (spec.get("excluded_geo_locations") or {}).get("zips", []))
    if excluded is not None:
        hit &= ~excluded[units.code]
    return hit


def _postcode_mask(units: Units, zips: list[dict]) -> np.ndarray | None:
    """Per known postcode, whether it is among Meta's zip keys ("FR:13001"); None when there are none."""
    if not zips:
        return None
    mask = np.zeros(len(units.postcodes), dtype=bool)
    mask[units.codes_of(str(z["key"]).removeprefix("FR:") for z in zips)] = True
    return mask
