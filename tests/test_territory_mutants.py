"""The territory engine on small networks built to reach each of its decisions (issue 19's mutation survivors):
two branches, near-ties, ties outside the tree's candidates, the ball query's edge, catchments and their order."""

import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

from outreach.model import Area, Branch
from outreach.territory import (
    CATCHMENT_COLUMNS,
    BranchIndex,
    analyse,
    assign,
    branch_near,
    catchments,
    geodesic_km,
    underserved,
)

GEOD = Geod(ellps="WGS84")


def at(lat0, lon0, metres, azimuth):
    """The point at a geodesic distance and azimuth from another, as (lat, lon)."""
    lon, lat, _ = GEOD.fwd(lon0, lat0, azimuth, metres)
    return lat, lon


def branch(bid, lat, lon, **more):
    return Branch(id=bid, name=f"Médiathèque {bid}", lat=lat, lon=lon, **more)


def scan(branches, lat, lon):
    """First and second branch by a scan of the list: nearest first, equal distances to the earlier one
    (pyproj's geodesic straight, not the engine's own helper, so that a fault there cannot hide)."""
    _, _, metres = GEOD.inv([lon] * len(branches), [lat] * len(branches), [b.lon for b in branches],
                            [b.lat for b in branches])
    d = np.asarray(metres) / 1000.0
    i, j = np.lexsort((np.arange(len(d)), d))[:2]
    return (branches[i].id, float(d[i])), (branches[j].id, float(d[j]))


def test_two_branch_network_keeps_the_other_branch_as_second():
    # Aubagne and La Ciotat: with two branches the second-nearest is the other one, never missing
    aubagne, ciotat = branch("aubagne", 43.2927, 5.5708), branch("ciotat", 43.1748, 5.6046)
    areas = [Area(code="13005", name="Aubagne", lat=43.2950, lon=5.5650),
             Area(code="13028", name="La Ciotat", lat=43.1770, lon=5.6100)]
    rows = assign([aubagne, ciotat], areas)
    assert list(rows["branch_id"]) == ["aubagne", "ciotat"]
    assert list(rows["area_code"]) == ["13005", "13028"] and list(rows["area_name"]) == ["Aubagne", "La Ciotat"]
    assert list(rows["second_branch_id"]) == ["ciotat", "aubagne"]
    assert list(rows["second_branch_name"]) == ["Médiathèque ciotat", "Médiathèque aubagne"]
    for area, row in zip(areas, rows.itertuples(), strict=True):
        (_, d1), (_, d2) = scan([aubagne, ciotat], area.lat, area.lon)
        assert row.distance_km == pytest.approx(d1, abs=1e-9)
        assert row.second_distance_km == pytest.approx(d2, abs=1e-9)
        assert row.distance_km < row.second_distance_km


@pytest.mark.parametrize("count", [3, 8, 9, 20])
def test_networks_of_every_size_around_the_candidate_count_match_a_scan(count):
    # below, at and above the number of candidates the tree returns, with areas spread between the branches
    rng = np.random.default_rng(count)
    branches = [branch(f"b{i}", 43.2 + rng.uniform(0, 0.3), 5.3 + rng.uniform(0, 0.4)) for i in range(count)]
    areas = [Area(code=f"a{i}", name=f"A{i}", lat=43.2 + rng.uniform(0, 0.3), lon=5.3 + rng.uniform(0, 0.4))
             for i in range(30)]
    rows = assign(branches, areas)
    for area, row in zip(areas, rows.itertuples(), strict=True):
        (b1, d1), (b2, d2) = scan(branches, area.lat, area.lon)
        assert (row.branch_id, row.second_branch_id) == (b1, b2)
        assert (row.distance_km, row.second_distance_km) == pytest.approx((d1, d2), abs=1e-9)


def test_a_near_tie_goes_to_the_nearer_branch_whatever_the_order_of_the_list():
    # two branches one millimetre apart in distance: the exact geodesic decides, not the list or the sphere
    far, near = (branch(bid, *at(43.3, 5.4, metres, azimuth))
                 for bid, metres, azimuth in (("loin", 3000.001, 0.0), ("pres", 3000.0, 90.0)))
    for branches in ([far, near], [near, far]):
        row = assign(branches, [Area(code="a", name="A", lat=43.3, lon=5.4)]).iloc[0]
        assert (row["branch_id"], row["second_branch_id"]) == ("pres", "loin")
        assert row["second_distance_km"] - row["distance_km"] == pytest.approx(1e-6, abs=1e-8)


def test_an_area_on_a_site_shared_by_more_branches_than_candidates_gets_the_first_two_listed():
    # the area's point is the building itself: every branch of it is at 0 km, a tie that reaches beyond the
    # tree's candidates; a scan of the list gives the first two
    site = (43.2965, 5.3698)
    shared = [branch(f"s{i}", *site) for i in range(12)]
    others = [branch(f"o{i}", *at(*site, 2000.0, 40.0 * i)) for i in range(3)]
    for branches in ([*others, *shared[::-1]], [*shared, *others], [*shared[5:], *others, *shared[:5]]):
        row = assign(branches, [Area(code="a", name="A", lat=site[0], lon=site[1])]).iloc[0]
        (b1, _), (b2, _) = scan(branches, *site)
        assert (row["branch_id"], row["second_branch_id"]) == (b1, b2)
        assert row["distance_km"] == row["second_distance_km"] == 0.0


def test_the_ball_query_finds_branches_the_sphere_puts_beyond_the_candidates():
    # Near the equator (Cayenne) the sphere overstates north–south distances and understates east–west ones.
    # Ten branches 5.01 km east and west look nearer on the sphere than the two 5.000 and 5.001 km north and
    # south, so the tree's candidates miss the true answer; the ball query must reach them.
    cayenne = (4.9372, -52.3260)
    east_west = [branch(f"eo{i}", *at(*cayenne, 5010.0 + i, 90.0 if i % 2 else 270.0)) for i in range(10)]
    north, south = branch("nord", *at(*cayenne, 5000.0, 0.0)), branch("sud", *at(*cayenne, 5001.0, 180.0))
    branches = [*east_west, south, north]
    index = BranchIndex.of(branches)
    found = index.nearest(*cayenne)
    assert [branches[found.first[0]].id, branches[found.second[0]].id] == ["nord", "sud"]
    assert found.first_km[0] == pytest.approx(5.0, abs=1e-9)
    assert found.second_km[0] == pytest.approx(5.001, abs=1e-9)


def test_within_keeps_a_branch_exactly_at_the_radius_and_one_just_inside_at_the_equator():
    cayenne = (4.9372, -52.3260)
    north = branch("nord", *at(*cayenne, 3000.0, 0.0))  # 3 km north: about 3.017 km on the sphere
    west = branch("ouest", *at(*cayenne, 2500.0, 270.0))
    far = branch("loin", *at(*cayenne, 9000.0, 45.0))
    index = BranchIndex.of([far, north, west])
    exact = float(geodesic_km(*cayenne, north.lat, north.lon))
    assert index.within(*cayenne, exact) == [(2, pytest.approx(2.5, abs=1e-9)), (1, exact)]
    assert index.within(*cayenne, exact - 1e-9) == [(2, pytest.approx(2.5, abs=1e-9))]  # one hit
    assert index.within(*cayenne, 1.0) == []
    # beyond half the Earth's circumference every branch is within reach
    assert [i for i, _ in index.within(*cayenne, 20_100.0)] == [2, 1, 0]


def test_branch_near_places_a_point_at_its_nearest_branch_within_the_radius():
    aubagne, ciotat = branch("aubagne", 43.2927, 5.5708), branch("ciotat", 43.1748, 5.6046)
    near = branch_near([ciotat, aubagne])
    assert near(43.2930, 5.5700, 1.0) == "aubagne"
    assert near(43.2000, 5.6000, 1.0) is None  # La Ciotat is 2.8 km away, Aubagne 10
    assert near(43.2000, 5.6000, 5.0) == "ciotat"
    assert branch_near([]) is None


def test_an_index_needs_a_branch():
    with pytest.raises(ValueError):
        BranchIndex([], [])


def test_no_area_gives_the_columns_and_no_row():
    rows = assign([branch("b", 43.3, 5.4)], [])
    assert rows.empty and list(rows.columns)[:5] == ["area_code", "area_name", "branch_id", "branch_name",
                                                    "distance_km"]


def test_frames_give_the_same_rows_as_models_with_the_town_in_the_branch_name():
    branches = [branch("aix", 43.5297, 5.4474, city="Aix-en-Provence"),
                Branch(id="m", name="Bibliothèque de Marseille", city="Marseille", lat=43.2965, lon=5.3698)]
    areas = [Area(code="13001", name="Aix-en-Provence", lat=43.53, lon=5.45, population=147_000, departement="13"),
             Area(code="13055", name="Marseille", lat=43.30, lon=5.37, population=None, departement="13")]
    from_models = assign(branches, areas)
    frame_b = pd.DataFrame([b.model_dump() for b in branches])
    frame_a = pd.DataFrame([a.model_dump() for a in areas])
    from_frames = assign(frame_b, frame_a)
    pd.testing.assert_frame_equal(from_models, from_frames, check_dtype=False)  # frames may hold str dtypes
    assert list(from_models["branch_name"]) == ["Médiathèque aix (Aix-en-Provence)", "Bibliothèque de Marseille"]
    assert from_models["population"].tolist() == [147_000, pd.NA]
    assert list(from_models["departement"]) == ["13", "13"]
    assert from_models["area_lat"].tolist() == [43.53, 43.30] and from_models["area_lon"].tolist() == [5.45, 5.37]
    # a town left empty in the frame adds nothing to the name
    no_town = assign(frame_b.assign(city=[None, "Marseille"]), frame_a)
    assert list(no_town["branch_name"]) == ["Médiathèque aix", "Bibliothèque de Marseille"]
    # a frame without towns shows the names as they are
    plain = assign(frame_b.drop(columns="city"), frame_a)
    assert list(plain["branch_name"]) == ["Médiathèque aix", "Bibliothèque de Marseille"]


def square_around(lat, lon, half):
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half], [lon - half, lat + half],
            [lon - half, lat - half]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_catchments_ordered_by_population_then_branch_with_an_empty_one_last():
    # "c" and "b" serve as many people: the tie goes to the branch id; "z" is nearest to no area
    b = branch("b", 43.30, 5.40)
    c = branch("c", 43.60, 5.40)
    a = branch("a", 43.30, 5.90)
    z = branch("z", 44.50, 6.50)
    areas = [Area(code="1", name="Un", lat=43.31, lon=5.40, population=100),
             Area(code="2", name="Deux", lat=43.61, lon=5.40, population=60),
             Area(code="3", name="Trois", lat=43.62, lon=5.40, population=40),
             Area(code="4", name="Quatre", lat=43.30, lon=5.91, population=500)]
    report = analyse([z, c, b, a], areas)
    table = report.catchments
    assert list(table.columns) == CATCHMENT_COLUMNS
    assert list(table["branch_id"]) == ["a", "b", "c", "z"]
    assert list(table.index) == [0, 1, 2, 3]  # numbered in the order shown
    assert table["population"].tolist() == [500, 100, 100, 0]
    assert table["n_areas"].tolist() == [1, 1, 2, 0]
    c_row = table.iloc[2]
    assert c_row["area_codes"] == ["2", "3"] and c_row["area_names"] == ["Deux", "Trois"]
    assert c_row["branch_name"] == "Médiathèque c"
    empty = table.iloc[3]
    assert (empty["area_codes"], empty["area_names"], empty["radius_km"], empty["max_distance_km"]) == ([], [], 0, 0)


def test_catchment_radius_of_areas_without_polygons_is_the_distance_to_their_points():
    b = branch("b", 43.30, 5.40)
    points = [Area(code="1", name="Un", lat=43.33, lon=5.40, population=None),
              Area(code="2", name="Deux", lat=43.30, lon=5.43, population=7)]
    row = analyse([b], points).catchments.iloc[0]
    farthest = float(geodesic_km(43.30, 5.40, 43.33, 5.40))
    assert row["radius_km"] == pytest.approx(farthest, abs=1e-9)
    assert row["max_distance_km"] == pytest.approx(farthest, abs=1e-9)
    assert row["population"] == 7  # an unknown population counts for nobody


def test_catchment_radius_reaches_the_farthest_vertex_of_a_multipolygon_beside_a_point_area():
    b = branch("b", 43.30, 5.40)
    islands = {"type": "MultiPolygon", "coordinates": [square_around(43.31, 5.41, 0.005)["coordinates"],
                                                       square_around(43.20, 5.40, 0.01)["coordinates"]]}
    areas = [Area(code="1", name="Îles", lat=43.31, lon=5.41, population=10, geometry=islands),
             Area(code="2", name="Point", lat=43.32, lon=5.40, population=5)]
    row = analyse([b], areas).catchments.iloc[0]
    assert row["radius_km"] == pytest.approx(float(geodesic_km(43.30, 5.40, 43.19, 5.39)), abs=1e-9)
    # the representative points are nearer than the outline
    assert row["max_distance_km"] < row["radius_km"]


def test_underserved_is_strictly_beyond_the_threshold_farthest_first():
    b = branch("b", 43.30, 5.40)
    areas = [Area(code=str(km), name=f"À {km} km", lat=at(43.30, 5.40, km * 1000.0, 0.0)[0],
                  lon=at(43.30, 5.40, km * 1000.0, 0.0)[1]) for km in (4, 12, 8, 20)]
    rows = assign([b], areas)
    threshold = float(rows.loc[rows["area_code"] == "8", "distance_km"].iloc[0])
    far = underserved(rows, threshold)
    assert list(far["area_code"]) == ["20", "12"] and list(far.index) == [0, 1]
    assert list(underserved(rows)["area_code"]) == ["20", "12"]  # 10 km by default
    report = analyse([b], areas, threshold_km=5)
    assert report.threshold_km == 5 and list(report.underserved["area_code"]) == ["20", "12", "8"]


def test_catchments_of_a_network_with_a_branch_nearest_to_no_area_keep_every_area_once():
    branches = [branch("b", 43.30, 5.40), branch("vide", 43.30, 5.41), branch("c", 43.50, 5.40)]
    areas = [Area(code=str(i), name=str(i), lat=43.30 + 0.02 * i, lon=5.38, population=i) for i in range(10)]
    assignments = assign(branches, areas)
    table = catchments(branches, areas, assignments)
    assert table.set_index("branch_id").at["vide", "n_areas"] == 0
    assert sorted(c for codes in table["area_codes"] for c in codes) == sorted(a.code for a in areas)


def test_chords_and_kilometres_on_the_sphere_convert_both_ways():
    # the certificate and the ball query turn kilometres into chords of unit vectors and back
    from outreach.territory import SPHERE_RADIUS_KM, chord_to_km, km_to_chord

    km = np.array([0.0, 0.3, 10.0, 1000.0, 15_000.0])
    assert chord_to_km(km_to_chord(km)) == pytest.approx(km, rel=1e-12, abs=1e-9)
    assert km_to_chord(np.pi * SPHERE_RADIUS_KM) == pytest.approx(2.0)  # antipodes: the diameter
    assert km_to_chord(30_000.0) == pytest.approx(2.0)  # no farther than the antipodes
    assert chord_to_km(2.0 + 1e-15) == pytest.approx(np.pi * SPHERE_RADIUS_KM)


def test_a_network_of_one_branch_names_no_second_branch():
    row = assign([branch("seule", 43.30, 5.40)], [Area(code="a", name="A", lat=43.31, lon=5.40)]).iloc[0]
    assert (row["second_branch_id"], row["second_branch_name"]) == ("", "")
    assert np.isnan(row["second_distance_km"])


def test_a_small_network_where_the_sphere_and_the_ellipsoid_disagree_on_the_order():
    # at Cayenne, branches 5.010 and 5.015 km east and west look nearer on the sphere than one 5.000 km north:
    # every branch is a candidate, and the exact distances must still be computed for the northern one
    cayenne = (4.9372, -52.3260)
    branches = [branch("est", *at(*cayenne, 5010.0, 90.0)), branch("ouest", *at(*cayenne, 5015.0, 270.0)),
                branch("nord", *at(*cayenne, 5000.0, 0.0))]
    row = assign(branches, [Area(code="97302", name="Cayenne", lat=cayenne[0], lon=cayenne[1])]).iloc[0]
    assert (row["branch_id"], row["second_branch_id"]) == ("nord", "est")
    assert (row["distance_km"], row["second_distance_km"]) == pytest.approx((5.0, 5.01), abs=1e-9)


def test_an_area_on_a_site_shared_by_two_branches_of_a_small_network():
    site = (43.2965, 5.3698)
    branches = [branch("a", *site), branch("b", *site), branch("loin", *at(*site, 3000.0, 45.0))]
    row = assign(branches, [Area(code="a", name="A", lat=site[0], lon=site[1])]).iloc[0]
    assert (row["branch_id"], row["second_branch_id"]) == ("a", "b")
    assert row["distance_km"] == row["second_distance_km"] == 0.0


def test_a_single_branch_index_says_there_is_no_second():
    found = BranchIndex([43.30], [5.40]).nearest([43.31, 43.32], [5.40, 5.41])
    assert found.first.tolist() == [0, 0] and found.second.tolist() == [-1, -1]
    assert np.isnan(found.second_km).all() and (found.first_km > 0).all()


def test_geodesic_distances_of_no_point_are_an_empty_array():
    assert geodesic_km([], [], [], []).shape == (0,)
    assert geodesic_km(43.3, 5.4, [43.3, 43.4], [5.4, 5.4]).tolist()[0] == 0.0


def test_the_nearest_alone_is_the_first_of_nearest_on_ties_shared_sites_and_the_ball_query():
    # the planner's search without the second-nearest: the same branch and distance on random networks
    # around the candidate count, on a site shared by more branches than candidates (the first listed wins)
    # and where the tree's candidates miss the true nearest (Cayenne, above)
    rng = np.random.default_rng(7)
    cayenne = (4.9372, -52.3260)
    cases = [([(43.2 + rng.uniform(0, 0.3), 5.3 + rng.uniform(0, 0.4)) for _ in range(count)],
              (43.2 + rng.uniform(0, 0.3, 40), 5.3 + rng.uniform(0, 0.4, 40))) for count in (1, 3, 8, 9, 20)]
    cases.append(([(45.0, 4.0)] * 12 + [(45.001, 4.0)], (np.array([45.0, 45.0005]), np.array([4.0, 4.0]))))
    cases.append(([at(*cayenne, 5010.0 + i, 90.0 if i % 2 else 270.0) for i in range(10)]
                  + [at(*cayenne, 5001.0, 180.0), at(*cayenne, 5000.0, 0.0)], ([cayenne[0]], [cayenne[1]])))
    for sites, (lat, lon) in cases:
        index = BranchIndex([s[0] for s in sites], [s[1] for s in sites])
        found = index.nearest(lat, lon)
        first, first_km = index.nearest_first(lat, lon)
        assert first.tolist() == found.first.tolist()
        assert first_km.tolist() == found.first_km.tolist()
    assert first.tolist() == [11]  # the branch 5.000 km north, beyond the sphere's candidates
