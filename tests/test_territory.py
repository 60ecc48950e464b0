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
        j = int(np.argmin(d))
        assert result.at[i, "branch_id"] == branches[j].id
        assert result.at[i, "distance_km"] == pytest.approx(d[j], abs=1e-9)
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
