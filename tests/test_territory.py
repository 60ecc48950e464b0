import numpy as np
import pytest
from geopy.distance import geodesic

from outreach.datasets import national_areas, national_branches, shipped_areas, shipped_branches
from outreach.model import Area, Branch
from outreach.territory import BranchIndex, analyse, assign, geodesic_km


@pytest.fixture(scope="module")
def shipped():
    branches = [b for b in shipped_branches() if b.open_to_public]
    areas = list(shipped_areas())
    return branches, areas, analyse(branches, areas)


def brute_force(branches, lat, lon):
    distances = sorted((geodesic((lat, lon), (b.lat, b.lon)).km, i) for i, b in enumerate(branches))
    return distances[0], distances[1]


def test_matches_brute_force_geopy_geodesic_on_every_shipped_area(shipped):
    branches, areas, report = shipped
    for area, row in zip(areas, report.assignments.itertuples(), strict=True):
        (d1, i1), (d2, i2) = brute_force(branches, area.lat, area.lon)
        assert row.branch_id == branches[i1].id, area.code
        assert row.distance_km == pytest.approx(d1, abs=1e-6)
        assert row.second_branch_id == branches[i2].id
        assert row.second_distance_km == pytest.approx(d2, abs=1e-6)


def test_matches_brute_force_at_national_scale_on_a_sample():
    branches = list(national_branches())
    areas = list(national_areas())
    result = assign(branches, areas)
    rng = np.random.default_rng(7)
    lat = np.array([b.lat for b in branches])
    lon = np.array([b.lon for b in branches])
    for i in rng.choice(len(areas), size=150, replace=False):
        d = geodesic_km(areas[i].lat, areas[i].lon, lat, lon)  # every library, no index
        j, j2 = np.lexsort((np.arange(len(d)), d))[:2]
        assert result.at[i, "branch_id"] == branches[j].id
        assert result.at[i, "distance_km"] == pytest.approx(d[j], abs=1e-9)
        assert result.at[i, "second_branch_id"] == branches[j2].id
        assert result.at[i, "second_distance_km"] == pytest.approx(d[j2], abs=1e-9)
    # and the vectorised geodesic agrees with geopy's
    assert geodesic_km(43.3, 5.4, 48.86, 2.35) == pytest.approx(geodesic((43.3, 5.4), (48.86, 2.35)).km, abs=1e-6)


def test_catchments_partition_the_population(shipped):
    _, areas, report = shipped
    assert report.catchments["population"].sum() == sum(a.population for a in areas)
    assert sorted(c for codes in report.catchments["area_codes"] for c in codes) == sorted(a.code for a in areas)
    # a covering radius reaches beyond the representative point of every area of the catchment
    assert (report.catchments["radius_km"] >= report.catchments["max_distance_km"]).all()


def test_covering_radius_reaches_every_vertex():
    branch = Branch(id="b", name="B", lat=43.30, lon=5.40)
    square = {"type": "Polygon", "coordinates": [[[5.40, 43.30], [5.50, 43.30], [5.50, 43.40], [5.40, 43.40],
                                                   [5.40, 43.30]]]}
    area = Area(code="a", name="A", lat=43.35, lon=5.45, population=10, geometry=square)
    report = analyse([branch], [area])
    expected = geodesic((43.30, 5.40), (43.40, 5.50)).km
    assert report.catchments.at[0, "radius_km"] == pytest.approx(expected, abs=1e-6)


def test_underserved_threshold(shipped):
    branches, areas, _ = shipped
    report = analyse(branches, areas, threshold_km=3)
    assert len(report.underserved) > 0
    assert (report.underserved["distance_km"] > 3).all()
    assert (report.assignments.loc[~report.assignments["area_code"].isin(report.underserved["area_code"]),
                                   "distance_km"] <= 3).all()


def test_one_branch_only_has_no_second():
    branch = Branch(id="b", name="B", lat=43.30, lon=5.40)
    area = Area(code="a", name="A", lat=43.35, lon=5.45)
    row = assign([branch], [area]).iloc[0]
    assert row["branch_id"] == "b" and row["second_branch_id"] == "" and np.isnan(row["second_distance_km"])


def test_within_finds_branches_near_a_point():
    branches = [b for b in shipped_branches()]
    canopee = next(b for b in branches if b.id == "17615")
    found = BranchIndex.of(branches).within(canopee.lat + 0.001, canopee.lon, 0.3)
    assert branches[found[0][0]].id == "17615" and found[0][1] == pytest.approx(0.111, abs=0.001)


def brute_force_indices(branches, lat, lon):
    """(first, second) branch indices and distances by geopy over every branch, ties to the lower index."""
    (d1, i1), (d2, i2) = brute_force(branches, lat, lon)
    return i1, d1, i2, d2


def ring(lat0, lon0, metres, azimuths):
    """Branches at the given geodesic distances and azimuths from a point."""
    from pyproj import Geod

    lons, lats, _ = Geod(ellps="WGS84").fwd([lon0] * len(metres), [lat0] * len(metres), azimuths, metres)
    return [Branch(id=f"b{i}", name=f"B{i}", lat=la, lon=lo) for i, (la, lo) in enumerate(zip(lats, lons, strict=True))]


def test_fallback_when_many_branches_are_almost_equally_far(monkeypatch):
    # 12 branches on a 5 km ring: the 8 nearest on the sphere cannot certify the answer, the ball query must
    metres = [5000.0] * 12
    metres[9], metres[4] = 4999.0, 4999.5
    branches = ring(43.3, 5.4, metres, [30.0 * i for i in range(12)])
    solved = []
    original = BranchIndex._solve_one
    monkeypatch.setattr(BranchIndex, "_solve_one", lambda self, i, *rest: (solved.append(i), original(self, i, *rest)))
    row = assign(branches, [Area(code="a", name="A", lat=43.3, lon=5.4)]).iloc[0]
    assert solved == [0]
    i1, d1, i2, d2 = brute_force_indices(branches, 43.3, 5.4)
    assert (row["branch_id"], row["second_branch_id"]) == (branches[i1].id, branches[i2].id) == ("b9", "b4")
    assert row["distance_km"] == pytest.approx(d1, abs=1e-9) and row["second_distance_km"] == pytest.approx(d2, abs=1e-9)


def test_ties_go_to_the_first_branch_of_the_list_as_in_a_scan():
    # ten branches in one building (more than the candidates the tree returns) and one farther away
    far = Branch(id="far", name="Loin", lat=43.5, lon=5.5)
    same = [Branch(id=f"s{i}", name=f"S{i}", lat=43.0, lon=5.0) for i in range(10)]
    for branches in ([far, *same], [*same[::-1], far]):
        row = assign(branches, [Area(code="a", name="A", lat=43.01, lon=5.0)]).iloc[0]
        i1, _, i2, _ = brute_force_indices(branches, 43.01, 5.0)
        assert (row["branch_id"], row["second_branch_id"]) == (branches[i1].id, branches[i2].id)
        assert row["distance_km"] == row["second_distance_km"]


def test_areas_far_from_every_branch_overseas_and_antipodal():
    branches = [b for b in shipped_branches() if b.open_to_public]
    areas = [Area(code="97411", name="Saint-Denis (La Réunion)", lat=-20.88, lon=55.45),
             Area(code="antipode", name="Antipode de Marseille", lat=-43.3, lon=-174.6)]
    report = analyse(branches, areas)
    for area, row in zip(areas, report.assignments.itertuples(), strict=True):
        i1, d1, i2, d2 = brute_force_indices(branches, area.lat, area.lon)
        assert (row.branch_id, row.second_branch_id) == (branches[i1].id, branches[i2].id), area.code
        assert row.distance_km == pytest.approx(d1, abs=1e-6) and row.second_distance_km == pytest.approx(d2, abs=1e-6)
    assert report.assignments["distance_km"].min() > 8000
    assert list(report.underserved["area_code"]) == ["antipode", "97411"]
