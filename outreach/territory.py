"""Nearest branch for every area, catchments, covering radii and underserved areas.

Distances are geodesics on the WGS84 ellipsoid, the same quantity as `geopy.distance.geodesic`
(both are Karney's algorithm; pyproj's C implementation is used here because it is vectorised).

Exactness with speed. A k-d tree over unit vectors finds, for every area, the K branches with the
smallest great-circle distance on a sphere of radius R. Great-circle and ellipsoidal distances are
tied by a bound: mapping (latitude, longitude) from the ellipsoid onto the sphere stretches any length
by a factor between R/N_max and R/M_min, where M_min = a(1-e²) (meridional radius at the equator) and
N_max = a/√(1-e²) (at the poles). Hence for every pair of points, with s the spherical distance and g the
geodesic:   s·M_min/R ≤ g ≤ s·N_max/R.
So a branch that is not among the K candidates is at least s_K·M_min/R away, and when that exceeds the
second-smallest exact distance among the candidates, nothing outside can change the answer. The rare
areas for which the certificate fails are solved by a ball query that is certain to contain the answer.
Equal distances go to the branch listed first, as a scan of the list would decide; the certificate is
tested with ≤ so that a tie with a branch outside the candidates also goes to the ball query. Nothing
assumes the areas are near a branch: the bounds hold at any distance, up to antipodal points.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from pyproj import Geod
from scipy.spatial import cKDTree

from outreach.text import name_with_town

if TYPE_CHECKING:
    from outreach.model import Area, Branch  # the models are built only for callers that need them


WGS84 = Geod(ellps="WGS84")
SPHERE_RADIUS_KM = 6371.0088
_A, _E2 = 6378.137, 0.00669437999014
# margins of 1e-4 cover the rounding of the chord ↔ angle conversions
LOWER = _A * (1 - _E2) / SPHERE_RADIUS_KM - 1e-4
UPPER = _A / np.sqrt(1 - _E2) / SPHERE_RADIUS_KM + 1e-4
CANDIDATES = 8
UNDERSERVED_KM = 10.0


def geodesic_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Vectorised WGS84 geodesic distance in kilometres."""
    lat1, lon1, lat2, lon2 = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (lat1, lon1, lat2, lon2)))
    if lat1.size == 0:
        return np.zeros(lat1.shape)
    _, _, metres = WGS84.inv(lon1.ravel(), lat1.ravel(), lon2.ravel(), lat2.ravel())
    return np.asarray(metres).reshape(lat1.shape) / 1000.0


def unit_vectors(lat, lon) -> np.ndarray:
    phi, lam = np.radians(np.asarray(lat, dtype=float)), np.radians(np.asarray(lon, dtype=float))
    cos_phi = np.cos(phi)
    return np.column_stack((cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)))


def chord_to_km(chord):
    return 2.0 * np.arcsin(np.minimum(np.asarray(chord) / 2.0, 1.0)) * SPHERE_RADIUS_KM


def km_to_chord(km):
    return 2.0 * np.sin(np.minimum(np.asarray(km) / SPHERE_RADIUS_KM, np.pi) / 2.0)


@dataclass
class Nearest:
    """For each point: index and distance (km) of the nearest and second-nearest branch (-1/NaN if none)."""

    first: np.ndarray
    first_km: np.ndarray
    second: np.ndarray
    second_km: np.ndarray


class BranchIndex:
    """Spatial index over branch positions answering exact geodesic nearest-neighbour queries."""

    def __init__(self, lat, lon):
        self.lat = np.asarray(lat, dtype=float)
        self.lon = np.asarray(lon, dtype=float)
        if self.lat.size == 0:
            raise ValueError("no branch to index")
        self.tree = cKDTree(unit_vectors(self.lat, self.lon))

    @classmethod
    def of(cls, branches: list[Branch]) -> BranchIndex:
        return cls([b.lat for b in branches], [b.lon for b in branches])

    def _candidates(self, lat, lon) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The points as arrays, and for each its CANDIDATES nearest branches on the sphere (indices, and
        spherical distances in km, nearest first)."""
        lat, lon = np.atleast_1d(np.asarray(lat, dtype=float)), np.atleast_1d(np.asarray(lon, dtype=float))
        k = min(CANDIDATES, self.lat.size)
        chords, cand = self.tree.query(unit_vectors(lat, lon), k=k)
        return lat, lon, chord_to_km(chords.reshape(lat.size, k)), cand.reshape(lat.size, k)

    def _exact(self, lat, lon, cand, needed) -> np.ndarray:
        """Geodesic km from each point to its candidates where `needed`, infinity elsewhere."""
        exact = np.full(cand.shape, np.inf)
        rows, cols = np.nonzero(needed)
        exact[rows, cols] = geodesic_km(lat[rows], lon[rows], self.lat[cand[rows, cols]], self.lon[cand[rows, cols]])
        return exact

    def nearest(self, lat, lon) -> Nearest:
        lat, lon, spherical, cand = self._candidates(lat, lon)
        n_points, k = cand.shape
        n_branches = self.lat.size

        # Exact distances only for candidates that can still be first or second (see module docstring).
        upper = spherical * UPPER
        bound = np.partition(upper, 1, axis=1)[:, 1] if k > 1 else upper[:, 0]  # second-smallest upper bound
        needed = spherical * LOWER <= bound[:, None]
        exact = self._exact(lat, lon, cand, needed)

        # order by (distance, branch index) so that ties break the same way as a brute-force scan
        order = np.lexsort((cand, exact), axis=1)
        exact = np.take_along_axis(exact, order, axis=1)
        cand = np.take_along_axis(cand, order, axis=1)
        first, first_km = cand[:, 0].copy(), exact[:, 0].copy()
        second = cand[:, 1].copy() if k > 1 else np.full(n_points, -1)
        second_km = exact[:, 1].copy() if k > 1 else np.full(n_points, np.nan)

        if k < n_branches:
            # certificate: every branch outside the candidates is at least spherical[:, -1]·LOWER away
            uncertain = np.nonzero(spherical[:, -1] * LOWER <= second_km)[0]
            for i in uncertain:
                self._solve_one(i, lat, lon, second_km[i], first, first_km, second, second_km)
        return Nearest(first, first_km, second, second_km)

    def nearest_first(self, lat, lon) -> tuple[np.ndarray, np.ndarray]:
        """The nearest branch of each point and its distance (km): what `nearest` gives as `first` and
        `first_km`, without the second-nearest, whose exact distances and certificate a caller that only
        assigns points (the planner's catchments) would pay for nothing. Same bounds: a candidate is measured
        only when its lower bound does not exceed the smallest upper bound, and a point goes to the ball query
        when a branch outside the candidates could be as near as its nearest candidate."""
        lat, lon, spherical, cand = self._candidates(lat, lon)
        k, n_branches = cand.shape[1], self.lat.size
        needed = spherical * LOWER <= (spherical[:, :1] * UPPER)  # the tree's nearest has the smallest bound
        exact = self._exact(lat, lon, cand, needed)
        first_km = exact.min(axis=1)
        # equal distances go to the branch listed first, as in `nearest`
        first = np.where(exact == first_km[:, None], cand, n_branches).min(axis=1)
        if k < n_branches:
            uncertain = np.nonzero(spherical[:, -1] * LOWER <= first_km)[0]
            for i in uncertain:
                self._solve_one(i, lat, lon, first_km[i], first, first_km, None, None)
        return first, first_km

    def _solve_one(self, i, lat, lon, limit_km, first, first_km, second, second_km) -> None:
        """Exact answer for one point by scanning every branch that could beat `limit_km`."""
        point = unit_vectors(lat[i:i + 1], lon[i:i + 1])[0]
        ids = np.asarray(self.tree.query_ball_point(point, km_to_chord(limit_km / LOWER) + 1e-12), dtype=int)
        dist = geodesic_km(lat[i], lon[i], self.lat[ids], self.lon[ids])
        order = np.lexsort((ids, dist))
        first[i], first_km[i] = ids[order[0]], dist[order[0]]
        if len(order) > 1 and second is not None:
            second[i], second_km[i] = ids[order[1]], dist[order[1]]

    def within(self, lat: float, lon: float, km: float) -> list[tuple[int, float]]:
        """Branches within `km` of a point, nearest first, as (index, distance)."""
        ids = np.asarray(self.tree.query_ball_point(unit_vectors([lat], [lon])[0], km_to_chord(km / LOWER)),
                         dtype=int)
        if ids.size == 0:
            return []
        dist = geodesic_km(lat, lon, self.lat[ids], self.lon[ids])
        keep = dist <= km
        pairs = sorted(zip(dist[keep].tolist(), ids[keep].tolist(), strict=True))
        return [(i, d) for d, i in pairs]


def branch_near(branches: list[Branch]):
    """`(lat, lon, km) → id of the nearest branch within km, or None`: how readers place what has coordinates
    (sources.events) without depending on the territory."""
    if not branches:
        return None
    index = BranchIndex.of(branches)

    def near(lat: float, lon: float, km: float) -> str | None:
        found = index.within(lat, lon, km)
        return branches[found[0][0]].id if found else None

    return near


ASSIGNMENT_COLUMNS = ["area_code", "area_name", "branch_id", "branch_name", "distance_km",
                      "second_branch_id", "second_branch_name", "second_distance_km",
                      "population", "departement", "area_lat", "area_lon"]


def _columns(items: list | pd.DataFrame, names: tuple[str, ...]) -> dict[str, pd.Series]:
    """The named columns of a frame, or of a list of models (read attribute by attribute)."""
    if isinstance(items, pd.DataFrame):
        return {n: items[n].reset_index(drop=True) for n in names}
    return {n: pd.Series([getattr(x, n) for x in items], dtype=float if n in ("lat", "lon") else object)
            for n in names}


def _display_names(branches: list[Branch] | pd.DataFrame, names: pd.Series) -> pd.Series:
    """Each branch's name with its town (Branch.display_name), from models or from a frame's columns."""
    if not isinstance(branches, pd.DataFrame):
        return pd.Series([x.display_name for x in branches], dtype=object)
    if "city" not in branches:
        return names.reset_index(drop=True)
    cities = branches["city"].fillna("").astype(str).reset_index(drop=True)
    return pd.Series([name_with_town(n, c) for n, c in zip(names, cities, strict=True)], dtype=object)


def assign(branches: list[Branch] | pd.DataFrame, areas: list[Area] | pd.DataFrame,
           index: BranchIndex | None = None) -> pd.DataFrame:
    """One row per area: its nearest and second-nearest branch with the geodesic distances.

    `branches` and `areas` are models or frames with their columns (id, name, lat, lon; code, name,
    population, departement, lat, lon): a national run on frames builds no object per row, and the text
    columns are taken as they are stored (no conversion to Python strings and back)."""
    if len(areas) == 0:
        return pd.DataFrame(columns=ASSIGNMENT_COLUMNS)
    b = _columns(branches, ("id", "name", "lat", "lon"))
    a = _columns(areas, ("code", "name", "population", "departement", "lat", "lon"))
    index = index or BranchIndex(b["lat"].to_numpy(dtype=float), b["lon"].to_numpy(dtype=float))
    lat, lon = a["lat"].to_numpy(dtype=float), a["lon"].to_numpy(dtype=float)
    found = index.nearest(lat, lon)
    # position -1 (no second branch when there is only one) picks the trailing ""
    ids = pd.concat([b["id"], pd.Series([""], dtype=b["id"].dtype)], ignore_index=True)
    names = pd.concat([_display_names(branches, b["name"]), pd.Series([""], dtype=object)], ignore_index=True)
    second = np.where(found.second < 0, len(ids) - 1, found.second)
    return pd.DataFrame({
        "area_code": a["code"],
        "area_name": a["name"],
        "branch_id": ids.take(found.first).reset_index(drop=True),
        "branch_name": names.take(found.first).reset_index(drop=True),
        "distance_km": found.first_km,
        "second_branch_id": ids.take(second).reset_index(drop=True),
        "second_branch_name": names.take(second).reset_index(drop=True),
        "second_distance_km": found.second_km,
        "population": pd.array(a["population"], dtype="Int64"),
        "departement": a["departement"],
        "area_lat": lat,
        "area_lon": lon,
    })


def farthest_point_km(branch: Branch, area: Area) -> float:
    """Distance from the branch to the farthest point of the area (a polygon's farthest vertex)."""
    if area.geometry is None:
        return float(geodesic_km(branch.lat, branch.lon, area.lat, area.lon))
    coords = np.asarray(list(_positions(area.geometry["coordinates"])), dtype=float)
    return float(geodesic_km(branch.lat, branch.lon, coords[:, 1], coords[:, 0]).max())


def _positions(coords):
    if coords and isinstance(coords[0], (int, float)):
        yield coords[:2]
    else:
        for c in coords:
            yield from _positions(c)


CATCHMENT_COLUMNS = ["branch_id", "branch_name", "area_codes", "area_names", "n_areas", "population", "radius_km",
                     "max_distance_km"]


def catchments(branches: list[Branch], areas: list[Area], assignments: pd.DataFrame) -> pd.DataFrame:
    """Per branch: the areas it is nearest to, their population, and the radius covering them all.

    The covering radius reaches the farthest point of every area in the catchment (its polygon when it
    has one), so that a circle of that radius around the branch contains the whole catchment.
    """
    by_code = {a.code: a for a in areas}
    by_id = {b.id: b for b in branches}
    rows = []
    grouped = assignments.groupby("branch_id", sort=False)
    members = {bid: group for bid, group in grouped}
    for b in branches:
        group = members.get(b.id)
        if group is None:
            rows.append((b.id, b.display_name, [], [], 0, 0, 0.0, 0.0))
            continue
        codes = group["area_code"].tolist()
        radius = max(farthest_point_km(by_id[b.id], by_code[c]) for c in codes)
        population = int(group["population"].fillna(0).sum())
        names = [by_code[c].name for c in codes]  # what people read; the codes stay for files and joins
        rows.append((b.id, b.display_name, codes, names, len(codes), population, radius,
                     float(group["distance_km"].max())))
    frame = pd.DataFrame(rows, columns=CATCHMENT_COLUMNS)
    return frame.sort_values(["population", "branch_id"], ascending=[False, True], ignore_index=True)


def underserved(assignments: pd.DataFrame, threshold_km: float = UNDERSERVED_KM) -> pd.DataFrame:
    """Areas whose nearest branch is farther than the threshold, farthest first."""
    far = assignments[assignments["distance_km"] > threshold_km]
    return far.sort_values("distance_km", ascending=False, ignore_index=True)


@dataclass
class TerritoryReport:
    assignments: pd.DataFrame
    catchments: pd.DataFrame
    underserved: pd.DataFrame
    threshold_km: float


def analyse(branches: list[Branch], areas: list[Area], threshold_km: float = UNDERSERVED_KM) -> TerritoryReport:
    assignments = assign(branches, areas)
    return TerritoryReport(assignments, catchments(branches, areas, assignments),
                           underserved(assignments, threshold_km), threshold_km)
