"""The planner on small hand-made networks (issue 19's mutation testing of outreach/planner.py): the scope, the
catchments and their circles, the budget's split to the cent, the merging of small catchments, the Page's ad
limit, the special ad categories, the copy, and the French messages and notes the officer reads."""

import math
from datetime import date, datetime

import pytest

from outreach.errors import InputError
from outreach.model import Area, Branch, CatalogueItem, LibraryEvent, MetaInterest, Theme
from outreach.planner import (
    AdSetPlan,
    InterestRef,
    Location,
    Plan,
    _Catchment,
    _fit_limit,
    _merge_small,
    _split_cents,
    _trusted,
    build_plan,
)
from outreach.settings import NetworkSettings
from tests.support.meta_fixtures import SETTINGS, example, variant  # noqa: F401  (example is a fixture)

SF = Theme(id="sf", label="Science-fiction", keywords=["science-fiction"],
           meta_interests=[MetaInterest(name="Science fiction", id="6003"), MetaInterest(name="Space opera")])
MANGA = Theme(id="manga", label="Manga", keywords=["manga"], meta_interests=[MetaInterest(name="Manga")])
HEALTH = Theme(id="sante", label="Santé", keywords=["santé"], sensitivity="flag",
               meta_interests=[MetaInterest(name="Health")])
JOBS = Theme(id="emploi", label="Emploi", keywords=["emploi"], special_ad_category="EMPLOYMENT",
             meta_interests=[MetaInterest(name="Jobs")])
AGENDA = Theme(id="ateliers", label="Ateliers", keywords=["atelier"], kind="event")
THEMES = [SF, MANGA, HEALTH, JOBS, AGENDA]
START = date(2027, 3, 1)  # the example's period: 31 days


def branch(i, lon, *, lat=43.5, **fields):
    return Branch(id=f"b{i}", name=f"Médiathèque {i}", city=f"Ville{i}", lat=lat, lon=lon, departement="13",
                  **fields)


def area(code, lon, population, *, lat=43.5, postcodes=(), **fields):
    return Area(code=code, name=f"Commune {code}", lat=lat, lon=lon, population=population, departement="13",
                postcodes=postcodes, **fields)


def plan(campaign, branches, areas, *, themes=THEMES, items=(), events=(), settings=SETTINGS, floor=1.0, **kwargs):
    return build_plan(campaign, branches=branches, areas=areas, themes=themes, items=list(items), events=list(events),
                      settings=settings, min_daily_budget_eur=floor, **kwargs)


@pytest.fixture(scope="module")
def sf(example):  # noqa: F811
    """The example campaign on the theme `sf` alone: 31 days, awareness, 18–65, circles."""
    return variant(example, themes=["sf"], budget_eur=310, territory={"departement": "13"})


# two branches 40 km apart, each nearest to one commune; the second commune has three times the people
TWO = [branch(1, 5.0), branch(2, 5.5)]
TWO_AREAS = [area("13001", 5.01, 1000), area("13002", 5.49, 3000)]


# ------------------------------------------------------------------------------------------ scope


def test_only_open_branches_and_areas_of_the_departement_are_planned(sf):
    closed = branch(3, 5.25, open_to_public=False)
    elsewhere = Branch(id="b4", name="Ailleurs", lat=43.5, lon=5.26, departement="84")
    far_area = Area(code="84001", name="Vaucluse", lat=43.5, lon=5.25, population=500, departement="84")
    p = plan(sf, [*TWO, closed, elsewhere], [*TWO_AREAS, far_area])
    assert sorted(a.branch_id for a in p.ad_sets) == ["b1", "b2"]
    assert sorted(c for a in p.ad_sets for c in a.area_codes) == ["13001", "13002"]
    # without a département, the whole given network is planned: the branch in the Vaucluse gets its commune
    anywhere = variant(sf, territory={"branches": ["b1", "b2", "b4"]})
    p = plan(anywhere, [*TWO, closed, elsewhere], [*TWO_AREAS, far_area])
    assert {a.branch_id: a.area_codes for a in p.ad_sets} == {"b1": ["13001"], "b2": ["13002"], "b4": ["84001"]}


def test_corsican_area_codes_are_sorted_as_texts(sf):
    # INSEE codes are texts: the Corsican 2A and 2B are no numbers
    p = plan(sf, TWO, [area("2B033", 5.02, 500), area("2A004", 5.01, 1000), TWO_AREAS[1]])
    assert {a.branch_id: a.area_codes for a in p.ad_sets} == {"b1": ["2A004", "2B033"], "b2": ["13002"]}


def test_missing_branches_and_areas_are_listed_ten_at_most(sf):
    wanted = [f"x{i}" for i in range(11)]
    with pytest.raises(InputError) as err:
        plan(variant(sf, territory={"branches": ["b1", *wanted]}), TWO, TWO_AREAS)
    assert err.value.message == "11 bibliothèque(s) introuvable(s) : x0, x1, x2, x3, x4, x5, x6, x7, x8, x9 …."
    assert err.value.field == err.value.where == "territory.branches"
    assert err.value.fix == "Utilisez les identifiants du ministère (code_bib), visibles sur la page Territoire."
    with pytest.raises(InputError) as err:  # ten are all shown
        plan(variant(sf, territory={"branches": wanted[:10]}), TWO, TWO_AREAS)
    assert err.value.message == "10 bibliothèque(s) introuvable(s) : x0, x1, x2, x3, x4, x5, x6, x7, x8, x9."
    with pytest.raises(InputError) as err:
        plan(variant(sf, territory={"areas": ["13001", "99998", "99999"]}), TWO, TWO_AREAS)
    assert err.value.message == "2 code(s) de zone introuvable(s) : 99998, 99999."
    assert err.value.field == err.value.where == "territory.areas"
    assert err.value.fix == "Utilisez les codes INSEE des communes ou arrondissements (par ex. 13055 ou 13201)."


def test_chosen_branches_and_areas_keep_their_order_and_nearest_branch(sf):
    p = plan(variant(sf, territory={"areas": ["13002"]}), TWO, TWO_AREAS)
    assert [(a.branch_id, a.area_codes) for a in p.ad_sets] == [("b2", ["13002"])]
    p = plan(variant(sf, territory={"branches": ["b2"]}), TWO, TWO_AREAS)
    assert [(a.branch_id, a.area_codes) for a in p.ad_sets] == [("b2", ["13002"])]


def test_unknown_theme_names_the_known_ones(sf):
    with pytest.raises(InputError) as err:
        plan(variant(sf, themes=["sf", "polar", "bd"]), TWO, TWO_AREAS)
    assert err.value.message == "thème inconnu : polar, bd."
    assert err.value.field == err.value.where == "themes"
    assert err.value.fix == "Choisissez parmi : ateliers, emploi, manga, sante, sf."
    # themes given by id, as the catalogue file holds them
    p = plan(sf, TWO, TWO_AREAS, themes={t.id: t for t in THEMES})
    assert {a.theme_label for a in p.ad_sets} == {"Science-fiction"}


def test_no_open_branch_and_no_inhabited_area_are_refused(sf):
    with pytest.raises(InputError) as err:
        plan(sf, [branch(1, 5.0, open_to_public=False)], TWO_AREAS)
    assert (err.value.message, err.value.field, err.value.where) == (
        "aucune bibliothèque ouverte au public dans ce territoire.", "territory", "territory")
    with pytest.raises(InputError) as err:
        plan(sf, TWO, [area("13001", 5.01, 0), area("13002", 5.49, None)])
    assert err.value.message == "aucune zone habitée n'a pour plus proche une des bibliothèques choisies."
    assert err.value.field == err.value.where == "territory"
    assert err.value.fix == "Élargissez le territoire (département, bibliothèques ou zones)."
    # the chosen branch is nearest to no area at all
    with pytest.raises(InputError, match="aucune zone habitée"):
        plan(variant(sf, territory={"branches": ["b2"]}), TWO, [area("13001", 5.01, 1000)])


def test_an_unknown_departement_is_told_on_its_field(sf):
    with pytest.raises(InputError) as err:
        build_plan(variant(sf, territory={"departement": "1000"}), themes=THEMES, settings=SETTINGS,
                   min_daily_budget_eur=1.0)
    assert err.value.field == err.value.where.split(" ")[0] == "territory.departement"
    assert err.value.where == "territory.departement (territoire)"
    assert err.value.message == "département « 1000 » inconnu."
    assert err.value.fix == "Donnez un code de département comme 13, 75, 2A ou 974."


def test_given_branches_with_the_shipped_areas(sf):
    """Only the branches given: the areas are the département's shipped ones, nearest to those branches."""
    merlan = Branch(id="m", name="Le Merlan", city="Marseille", lat=43.3297, lon=5.4072, departement="13")
    p = plan(sf, [merlan], None)
    codes = [c for a in p.ad_sets for c in a.area_codes]
    assert "13213" in codes and "13055" not in codes and all(c.startswith("13") for c in codes)
    assert len(codes) > 100  # every commune of the Bouches-du-Rhône goes to the only branch
    assert [a.branch_id for a in p.ad_sets] == ["m"]


# ------------------------------------------------------------------------------------------ catchments


def test_a_circle_covers_its_catchment_rounded_up_to_a_tenth_within_metas_bounds():
    def radius(covering):
        return _Catchment(TWO[0], [TWO_AREAS[0]], [covering]).radius_km

    assert [radius(k) for k in (0.0, 0.5, 1.0, 1.01, 2.0, 2.04, 79.95, 80.0, 80.01, 300.0)] == \
        [1.0, 1.0, 1.0, 1.1, 2.0, 2.1, 80.0, 80.0, 80.0, 80.0]
    # several areas: the farthest decides; none: the smallest circle
    assert _Catchment(TWO[0], TWO_AREAS, [3.2, 7.71]).radius_km == 7.8
    empty = _Catchment(TWO[0], [], [])
    assert (empty.radius_km, empty.covering_km, empty.population) == (1.0, 0.0, 0)
    # an area of unknown population counts for nobody
    assert _Catchment(TWO[0], [area("1", 5.0, None), area("2", 5.0, 12)], [1, 1]).population == 12


def test_each_ad_set_circle_and_location_describe_its_catchment(sf):
    # the communes 10 km and 20 km east of the first branch; both nearest to it
    near = [area("13001", 5.124, 1000), area("13003", 5.248, 500)]
    p = plan(variant(sf, budget_eur=31_000), [branch(1, 5.0), branch(2, 5.8)], [*near, area("13002", 5.79, 2000)])
    first = next(a for a in p.ad_sets if a.branch_id == "b1")
    assert first.area_codes == ["13001", "13003"] and first.population == 1500
    assert 20.0 <= first.radius_km <= 20.2
    assert first.locations == [Location(branch_id="b1", branch_name="Médiathèque 1 (Ville1)", lat=43.5, lon=5.0,
                                        radius_km=first.radius_km, population=1500,
                                        area_codes=["13001", "13003"])]
    assert (first.lat, first.lon, first.branch_name) == (43.5, 5.0, "Médiathèque 1 (Ville1)")
    # an ad set of one branch is named after it alone, its theme and ages (a merged one adds « + N »)
    assert first.name == "Médiathèque 1 (Ville1) | Science-fiction | 18-65"
    assert p.outside_areas == []


def test_areas_beyond_80_km_are_reported_with_their_distance_and_people(sf):
    # a commune 100 km east of the only branch: its circle stops at Meta's 80 km
    p = plan(sf, [branch(1, 5.0)], [area("13001", 5.01, 1000), area("13099", 6.24, 250)])
    (ad_set,) = p.ad_sets
    assert ad_set.radius_km == 80.0 and ad_set.population == 1250
    (outside,) = p.outside_areas
    assert outside.model_dump() == {"area_code": "13099", "area_name": "Commune 13099", "branch_id": "b1",
                                    "branch_name": "Médiathèque 1 (Ville1)", "farthest_km": 100.3,
                                    "population": 250}
    assert ("1 zone(s) dépassent le rayon maximal de Meta (80 km) autour de leur bibliothèque : elles ne sont que "
            "partiellement couvertes.") in p.notes
    # an area whose population is unknown is reported with none
    p = plan(sf, [branch(1, 5.0)], [area("13001", 5.01, 1000), area("13099", 6.24, None)])
    assert [(o.area_code, o.population) for o in p.outside_areas] == [("13099", 0)]
    # an area exactly within reach is not reported
    p = plan(sf, [branch(1, 5.0)], [area("13001", 5.01, 1000), area("13098", 5.98, 250)])
    assert p.outside_areas == [] and not any("rayon maximal" in n for n in p.notes)


def test_an_outline_is_covered_to_its_farthest_point(sf):
    # a square commune whose centre is 10 km east of the branch and whose far edge is about 15 km away
    square = {"type": "Polygon", "coordinates": [[[5.06, 43.45], [5.185, 43.45], [5.185, 43.55], [5.06, 43.55],
                                                  [5.06, 43.45]]]}
    p = plan(sf, [branch(1, 5.0)], [area("13001", 5.124, 1000, geometry=square)])
    assert 15.0 < p.ad_sets[0].radius_km < 17.0


# ------------------------------------------------------------------------------------------ budget


def test_budget_split_by_population_to_the_cent_within_the_total():
    assert _split_cents(1000, [1, 3]) == [250, 750]
    assert _split_cents(100, [1, 1, 1]) == [34, 33, 33]  # the leftover cent to the first of equals
    assert _split_cents(10, [1, 2]) == [3, 7]  # 3.33 and 6.67: the larger remainder gets the cent
    assert _split_cents(7, [5]) == [7]
    assert sum(_split_cents(99_999, [3, 7, 11, 13])) == 99_999


def test_ad_sets_share_the_daily_budget_by_population(sf):
    p = plan(variant(sf, budget_eur=1000), TWO, TWO_AREAS)  # 1000 € over 31 days: 32.25 € a day
    assert [(a.branch_id, a.daily_budget_eur, a.daily_budget_cents) for a in p.ad_sets] == \
        [("b2", 24.19, 2419), ("b1", 8.06, 806)]
    assert p.daily_budget_eur == 32.25 and p.days == 31 and p.total_budget_eur == 999.75
    assert p.population == 4000
    assert ("Budget quotidien minimal par ensemble de publicités (notoriété) : 1.00 €, valeur par défaut des "
            "paramètres (sans jeton Meta).") in p.notes
    # the floor read from Meta says where it comes from
    read = plan(variant(sf, budget_eur=1000), TWO, TWO_AREAS, floor=2.5, floor_source="lu chez Meta")
    assert "Budget quotidien minimal par ensemble de publicités (notoriété) : 2.50 €, lu chez Meta." in read.notes


def test_the_offline_floor_depends_on_the_objective(sf):
    settings = NetworkSettings(min_daily_budget_eur=2.0, min_daily_budget_traffic_eur=6.0)
    awareness = build_plan(variant(sf, budget_eur=1000), branches=TWO, areas=TWO_AREAS, themes=THEMES, items=[],
                           settings=settings)
    assert "(notoriété) : 2.00 €" in awareness.notes[0]
    traffic = build_plan(variant(sf, budget_eur=1000, objective="traffic"), branches=TWO, areas=TWO_AREAS,
                         themes=THEMES, items=[], settings=settings)
    assert "(trafic) : 6.00 €" in traffic.notes[0]
    assert all(a.daily_budget_eur >= 6.0 for a in traffic.ad_sets)


def test_a_budget_too_small_says_what_is_needed(sf):
    with pytest.raises(InputError) as err:
        plan(variant(sf, budget_eur=45.5, themes=["sf", "manga"]), TWO, TWO_AREAS)
    assert err.value.message == (
        "budget trop faible : 45.5 € sur 31 jour(s) et 2 thème(s) donnent 0.73 € par jour et par thème, sous le "
        "minimum de Meta de 1.00 € par jour et par ensemble de publicités.")
    assert (err.value.field, err.value.where) == ("budget_eur", "budget_eur (budget)")
    assert err.value.fix == "Prévoyez au moins 62 €, raccourcissez la période ou retirez des thèmes."
    # past 100 €: a 5 € floor for 31 days asks for 155 €
    with pytest.raises(InputError) as err:
        plan(variant(sf, budget_eur=150), TWO, TWO_AREAS, floor=5.0)
    assert err.value.fix == "Prévoyez au moins 155 €, raccourcissez la période ou retirez des thèmes."
    # exactly the floor per theme is enough: 62 € are 2.00 € a day, 1.00 € for each theme
    p = plan(variant(sf, budget_eur=62, themes=["sf", "manga"]), TWO, TWO_AREAS)
    assert [a.daily_budget_eur for a in p.ad_sets] == [1.0, 1.0]
    assert not any("sous le minimum" in n for n in p.notes)


def test_small_catchments_are_merged_so_that_each_gets_the_floor_and_it_is_said(sf):
    # 2.00 € a day for 1000 + 3000 people: b1's share (0.50 €) is below 1 €, so the two go together
    p = plan(variant(sf, budget_eur=62), TWO, TWO_AREAS)
    (ad_set,) = p.ad_sets
    assert ad_set.branch_id == "b2" and ad_set.branch_ids == ["b2", "b1"] and ad_set.population == 4000
    assert ad_set.name == "Médiathèque 2 (Ville2) + 1 | Science-fiction | 18-65"
    assert ad_set.daily_budget_eur == 2.0
    assert ("2 petits bassins regroupés en 1 ensemble(s) de publicités pour que chacun ait au moins 1.00 € par "
            "jour.") in p.notes
    assert "Regroupe les bassins de : Médiathèque 1 (Ville1), Médiathèque 2 (Ville2)." in ad_set.notes
    # 4.00 € a day: b1's 1.00 € is exactly the floor, so each branch keeps its own ad set
    p = plan(variant(sf, budget_eur=124), TWO, TWO_AREAS)
    assert [(a.branch_id, a.daily_budget_eur) for a in p.ad_sets] == [("b2", 3.0), ("b1", 1.0)]
    assert not any("regroupés" in n for n in p.notes)


def test_merging_never_goes_past_the_threshold_needed():
    def catchment(i, lon, population):
        return _Catchment(branch(i, lon), [area(f"a{i}", lon, population)], [0.5])

    row = [catchment(i, 5.0 + 0.05 * i, p) for i, p in enumerate([500, 600, 700, 5000])]
    assert _merge_small(row, 500) == [[c] for c in row]  # everyone at the threshold already
    groups = _merge_small(row, 1000)
    assert [[c.branch.id for c in g] for g in groups] == [["b0", "b1"], ["b2", "b3"]]
    assert _merge_small(row[:1], 10_000) == [row[:1]]  # one catchment alone stays as it is
    assert [[c.branch.id for c in g] for g in _merge_small(row, 10_000)] == [["b0", "b1", "b2", "b3"]]
    # a group lists its catchments by branch id, whatever order they were given in
    given = [catchment(2, 5.0, 10), catchment(10, 5.05, 10)]
    assert [[c.branch.id for c in g] for g in _merge_small(given, 1000)] == [["b10", "b2"]]


def test_merging_reaches_past_the_twelve_nearest_when_they_are_full():
    """A group already holding Meta's 200 circles takes no more: the small catchment looks farther."""
    def catchment(i, lat, lon, population):
        return _Catchment(branch(i, lon, lat=lat), [area(f"a{i}", lon, population, lat=lat)], [0.5])

    # 200 catchments on a tight grid, a lone one beside them, and another far off
    grid = [catchment(i, 43.0 + 0.001 * (i // 20), 5.0 + 0.001 * (i % 20), 10) for i in range(200)]
    lone, far = catchment(900, 43.0, 4.99, 1), catchment(901, 44.0, 5.0, 10_000)
    groups = _merge_small([*grid, lone, far], threshold_population=1000)
    sizes = sorted(len(g) for g in groups)
    assert sizes[-1] <= 200
    with_lone = next(g for g in groups if lone in g)
    assert far in with_lone  # the only group left with room


def test_a_small_neighbour_is_preferred_only_when_at_most_twice_as_far_and_still_small():
    def catchment(i, lon, population):
        return _Catchment(branch(i, lon, lat=45.0), [area(f"a{i}", lon, population, lat=45.0)], [0.5])

    def merged(*catchments, threshold=600):
        return sorted(sorted(c.branch.id for c in g) for g in _merge_small(list(catchments), threshold))

    big = catchment(1, 5.0, 100_000)
    # a small catchment 10 km from a big one: a small neighbour 14 km away is preferred; one 25 km away is not,
    # and then goes to the big one's group too
    assert merged(big, catchment(2, 5.127, 300), catchment(3, 5.305, 400)) == [["b1"], ["b2", "b3"]]
    assert merged(big, catchment(2, 5.127, 300), catchment(3, 5.445, 400)) == [["b1", "b2", "b3"]]
    # a neighbour with the threshold's people is not small any more
    assert merged(big, catchment(2, 5.127, 300), catchment(3, 5.305, 600)) == [["b1", "b2"], ["b3"]]


def test_a_merged_pair_looks_for_the_nearest_neighbour_of_either_member():
    """A group of two takes the neighbour nearest to any of its members, not the nearest to the first one."""
    def catchment(i, lon, population):
        return _Catchment(branch(i, lon), [area(f"a{i}", lon, population)], [0.5])

    # b1 and b2 (3 people together) merge first; b3 is 12 km from b1 (16 km from b2), b4 14 km from b2: b2's own
    # list of neighbours has b4 first, but b3 is the nearer to the pair; b4 then joins the big b5 beside it
    pair = [catchment(1, 5.0, 1), catchment(2, 5.05, 2)]
    west, east, big = catchment(3, 4.85, 10), catchment(4, 5.22, 10), catchment(5, 5.30, 100)
    groups = _merge_small([*pair, west, east, big], 13)
    assert [[c.branch.id for c in g] for g in groups] == [["b1", "b2", "b3"], ["b4", "b5"]]


def test_a_small_neighbour_past_the_twelve_nearest_is_not_looked_for_when_a_neighbour_has_room():
    """The search widens only when no neighbour can take the catchment: eleven big neighbours within 1.1 km
    win over a small one 1.5 km away, which joins its own big neighbour."""
    km_lat, km_lon = 1 / 111.2, 1 / (111.2 * math.cos(math.radians(43.5)))

    def catchment(i, east_km, north_km, population):
        lat, lon = 43.5 + north_km * km_lat, 5.0 + east_km * km_lon
        return _Catchment(branch(i, lon, lat=lat), [area(f"a{i}", lon, population, lat=lat)], [0.5])

    small = catchment(0, 0, 0, 1)
    ring = [catchment(i, (1 + 0.01 * i) * math.cos(math.radians(-60 + 12 * i)),
                      (1 + 0.01 * i) * math.sin(math.radians(-60 + 12 * i)), 1000) for i in range(1, 12)]
    west, beside = catchment(20, -1.5, 0, 10), catchment(21, -1.8, 0, 1000)
    groups = _merge_small([small, *ring, west, beside], 100)
    assert sorted(sorted(c.branch.id for c in g) for g in groups if len(g) > 1) == [["b0", "b1"], ["b20", "b21"]]


def test_a_catchment_at_the_threshold_stays_alone_and_a_group_stops_at_200_circles():
    def catchment(i, lon, population, lat=43.5):
        return _Catchment(branch(i, lon, lat=lat), [area(f"a{i}", lon, population, lat=lat)], [0.5])

    # the small one (300) joins its nearest neighbour; the one with exactly the threshold's people is left alone
    row = [catchment(0, 5.0, 1000), catchment(1, 5.3, 300), catchment(2, 5.32, 5000)]
    assert [[c.branch.id for c in g] for g in _merge_small(row, 1000)] == [["b0"], ["b1", "b2"]]
    # however small, groups take up to Meta's 200 circles and no more
    cluster = [catchment(i, 5.0 + 0.0005 * (i % 20), 1, lat=43.0 + 0.0005 * (i // 20)) for i in range(200)]
    far = catchment(999, 6.0, 1)
    assert sorted(len(g) for g in _merge_small([*cluster[:199], far], 10**6)) == [200]
    sizes = [len(g) for g in _merge_small([*cluster, far], 10**6)]
    assert len(sizes) == 2 and max(sizes) <= 200 and sum(sizes) == 201
    # a full group that no neighbour can take is left as is, and the merging goes on for the others
    pair = [catchment(900, 7.0, 300), catchment(901, 7.01, 300)]
    groups = _merge_small([*cluster, *pair], 1000)
    assert sorted(len(g) for g in groups) == [2, 200] and pair in groups


def test_a_lone_catchment_whose_nearest_are_full_looks_farther_step_by_step():
    """A catchment whose 12 nearest are in a group of 200 circles widens its search to its 48, then 192 nearest,
    then all 243 (4 times more each time, up to all): past 240 neighbours, it sees a small catchment not twice as
    far as the big one it would otherwise join. Beside a group of 199, it takes the one circle left there."""
    km_lat, km_lon = 1 / 111.2, 1 / (111.2 * math.cos(math.radians(43.5)))

    def catchment(i, east_km, north_km, population):
        lat, lon = 43.5 + north_km * km_lat, 5.0 + east_km * km_lon
        return _Catchment(branch(i, lon, lat=lat), [area(f"a{i}", lon, population, lat=lat)], [0.5])

    lone, small = catchment(300, 0, 0, 150), catchment(302, 10, 0, 400)  # small: 10 km east, the big one 6 km

    def group_of_lone(cluster_size, *others):
        # the cluster, 1.1 km west (1 person each), merges into one group first; then the lone one looks around
        cluster = [catchment(i, -3 + 0.1 * (i % 20), -0.5 + 0.1 * (i // 20), 1) for i in range(cluster_size)]
        big = catchment(301, 6, 0, 10_000)
        fillers = [catchment(400 + j, 6.5 + 0.02 * j, 0.5, 10_000) for j in range(40)]  # big ones past it
        groups = _merge_small([*cluster, lone, big, *fillers, small, *others], 1000)
        return sorted(c.branch.id for c in next(g for g in groups if lone in g))

    # the nearest big one, 6 km away, is its 201st nearest catchment; the small one, 10 km away, its 242nd;
    # together they then join their nearest neighbour, the last of the big ones past the first
    assert group_of_lone(200) == ["b300", "b302", "b439"]
    # a small neighbour 1.15 km east, among its 12 nearest, comes after the group of 199 just nearer
    assert group_of_lone(199, catchment(303, 1.15, 0, 160)) == sorted([f"b{i}" for i in range(199)] + ["b300"])


def test_a_group_takes_the_first_of_two_neighbours_at_the_same_distance_in_the_order_of_its_members():
    """Equal distances keep the order of the group's members (a stable sort of their neighbours): mirror images
    either side of the Greenwich meridian are exactly as far from each other, so the pair's two big neighbours
    due north of its two members tie, and the first member's one is joined."""
    def catchment(name, lat, lon, population):
        return _Catchment(Branch(id=name, name=f"Médiathèque {name}", lat=lat, lon=lon, departement="33"),
                          [Area(code=f"a-{name}", name=name, lat=lat, lon=lon, population=population)], [0.5])

    # « e » (first by id) joins « w », 1.6 km away: the pair lists w's neighbours, then e's
    west, east = catchment("w", 44.8, -0.01, 1), catchment("e", 44.8, 0.01, 1)
    north_west, north_east = catchment("nw", 44.81, -0.01, 5000), catchment("ne", 44.81, 0.01, 5000)  # 1.1 km
    far = [catchment(f"f{j:02d}", 45.5 + 0.01 * j, 1.0 + 0.01 * j, 5000) for j in range(12)]  # 24 distances sorted
    groups = _merge_small([west, east, north_west, north_east, *far], 100)
    assert [sorted(c.branch.id for c in g) for g in groups if len(g) > 1] == [["e", "nw", "w"]]


def test_the_page_ad_limit_shares_neighbouring_catchments_out(sf):
    # six branches in two clusters, rich enough for six ad sets, but the Page allows two per theme
    six = [branch(i, lon) for i, lon in enumerate([5.0, 5.02, 5.04, 6.0, 6.02, 6.04])]
    areas = [area(f"130{i:02d}", b.lon + 0.001, 1000 * (i + 1)) for i, b in enumerate(six)]
    p = plan(variant(sf, budget_eur=31_000), six, areas, settings=NetworkSettings(page_ad_limit=2))
    assert sorted(sorted(a.branch_ids) for a in p.ad_sets) == [["b0", "b1", "b2"], ["b3", "b4", "b5"]]
    assert ("6 petits bassins regroupés en 2 ensemble(s) de publicités pour que chacun ait au moins 1.00 € par "
            "jour et que la campagne tienne dans la limite de 2 publicités de la Page (2 par thème).") in p.notes


def test_floor_groups_as_many_as_the_page_allows_are_kept_as_they_are(sf):
    # the small b1 joins its nearest neighbour b0 for the floor: two groups, as many as the Page allows; the
    # catchments are not shared out again (which would put b1 with b2, its other side)
    three = [branch(0, 5.0), branch(1, 5.2), branch(2, 5.5)]
    areas = [area("13000", 5.0, 10_000), area("13001", 5.2, 100), area("13002", 5.5, 10_000)]
    p = plan(variant(sf, budget_eur=310), three, areas, settings=NetworkSettings(page_ad_limit=2))
    assert sorted(a.branch_ids for a in p.ad_sets) == [["b0", "b1"], ["b2"]]
    assert ("2 petits bassins regroupés en 1 ensemble(s) de publicités pour que chacun ait au moins 1.00 € par "
            "jour.") in p.notes


def test_fit_limit_cuts_along_the_longer_side_in_proportion_to_the_groups():
    # a row west-east at 43.5° and a column south-north: each cut follows the longer side
    row = [[_Catchment(branch(i, 5.0 + 0.1 * i), [], [])] for i in range(8)]
    assert _fit_limit(row, 8) is row
    halves = _fit_limit(row, 2)
    assert [[c.branch.id for c in g] for g in halves] == [["b0", "b1", "b2", "b3"], ["b4", "b5", "b6", "b7"]]
    thirds = _fit_limit(row, 3)
    assert [len(g) for g in thirds] == [2, 3, 3]
    assert [len(g) for g in _fit_limit(row[:5], 4)] == [1, 1, 1, 2]  # two groups are still cut in two
    column = [[_Catchment(branch(i, 5.0 + 0.001 * i, lat=43.0 + 0.1 * (7 - i)), [], [])] for i in range(8)]
    assert [[c.branch.id for c in g] for g in _fit_limit(column, 2)] == \
        [["b7", "b6", "b5", "b4"], ["b3", "b2", "b1", "b0"]]
    # a merged group counts for its circles: the cut balances circles, not groups
    heavy = [[_Catchment(branch(0, 5.0), [], []), _Catchment(branch(9, 5.0), [], []),
              _Catchment(branch(8, 5.0), [], [])], *row[1:4]]
    assert [len(g) for g in _fit_limit(heavy, 2)] == [3, 3]
    east = [*row[:3], [_Catchment(branch(i, 5.3), [], []) for i in (3, 8, 9)]]
    assert [len(g) for g in _fit_limit(east, 2)] == [3, 3]
    # wider than high, at different latitudes: cut west and east, not south and north
    wide = [[_Catchment(branch(i, lon, lat=lat), [], [])]
            for i, (lat, lon) in enumerate([(43.5, 5.0), (43.6, 5.1), (43.4, 5.2), (43.55, 5.3)])]
    assert [[c.branch.id for c in g] for g in _fit_limit(wide, 2)] == [["b0", "b1"], ["b2", "b3"]]
    # at 60° north a degree of longitude is half a degree of latitude: 1.5° wide is narrower than 1° high
    north = [[_Catchment(branch(i, lon, lat=lat), [], [])]
             for i, (lat, lon) in enumerate([(60.0, 5.0), (60.0, 6.5), (61.0, 5.0), (61.0, 6.5)])]
    assert [[c.branch.id for c in g] for g in _fit_limit(north, 2)] == [["b0", "b1"], ["b2", "b3"]]
    # equal positions are cut by branch id, whatever the order given
    same = [[_Catchment(branch(i, 5.0), [], [])] for i in (3, 1, 2, 0)]
    assert [[c.branch.id for c in g] for g in _fit_limit(same, 2)] == [["b0", "b1"], ["b2", "b3"]]


def test_too_many_circles_for_the_page_limit_are_refused_in_circles_mode(sf):
    many = [branch(i, 5.0 + 0.002 * i) for i in range(201)]
    areas = [area(f"{i:05d}", b.lon, 10) for i, b in enumerate(many)]
    with pytest.raises(InputError) as err:
        plan(variant(sf, budget_eur=31_000), many, areas, settings=NetworkSettings(page_ad_limit=1))
    assert err.value.message == (
        "201 bassins en 1 ensembles de publicités par thème (1 thème(s), limite de 1 publicités de la Page) : un "
        "ensemble aurait 201 cercles, au-delà des 200 que Meta accepte.")
    assert err.value.field == err.value.where == "territory"
    assert err.value.fix == "Retirez des thèmes, réduisez le territoire, ou passez en codes postaux (geo: postcodes)."
    # 200 circles fit
    p = plan(variant(sf, budget_eur=31_000), many[:200], areas[:200], settings=NetworkSettings(page_ad_limit=1))
    assert len(p.ad_sets[0].locations) == 200
    # 201 small catchments and a floor that asks them to merge: two groups of 86 and 115 that Meta's cap of 200
    # circles keeps apart; 1.75 € a day gives them 0.75 € and exactly the floor, 1.00 €: one is below, and said
    tiny = [area(f"{i:05d}", b.lon, 1) for i, b in enumerate(many)]
    capped = plan(variant(sf, budget_eur=54.25), many, tiny)
    assert sorted((a.daily_budget_eur, len(a.locations)) for a in capped.ad_sets) == [(0.75, 86), (1.0, 115)]
    assert ("1 ensemble(s) de publicités « Science-fiction » sous le minimum de 1.00 € par jour : Meta pourrait les "
            "refuser.") in capped.notes
    # a special category's 201 circles go in two ad sets, which target and exclude no postcode (Meta forbids it)
    areas = [area(f"{i:05d}", b.lon, 10, postcodes=(f"13{i % 10}00",)) for i, b in enumerate(many)]
    jobs = plan(variant(sf, themes=["emploi"], budget_eur=31_000), many, areas)
    assert sorted(len(a.locations) for a in jobs.ad_sets) == [100, 101]
    assert all(a.excluded_postcodes == [] for a in jobs.ad_sets)


def test_more_themes_than_the_page_allows_are_refused(sf):
    with pytest.raises(InputError) as err:
        plan(variant(sf, themes=["sf", "manga", "ateliers"]), TWO, TWO_AREAS,
             settings=NetworkSettings(page_ad_limit=2))
    assert err.value.message == ("3 thèmes demandent au moins 3 publicités, plus que la limite de 2 publicités de "
                                 "la Page.")
    assert err.value.fix == "Retirez des thèmes, ou faites plusieurs campagnes successives."
    assert err.value.field == err.value.where == "themes"
    p = plan(variant(sf, themes=["sf", "manga"], budget_eur=1000), TWO, TWO_AREAS,
             settings=NetworkSettings(page_ad_limit=2))
    assert [a.theme_id for a in p.ad_sets] == ["sf", "manga"]


# ------------------------------------------------------------------------------------------ ad sets and their copy


def sf_items(*branch_ids):
    return [CatalogueItem(id=f"i{n}", title=f"Dune {n}", subjects=["science-fiction"], branch_id=b)
            for n, b in enumerate(branch_ids)]


def test_each_ad_set_speaks_of_what_its_branch_holds_and_is_tagged(sf):
    p = plan(variant(sf, budget_eur=1000), TWO, TWO_AREAS, items=sf_items("b1", "b1", "b2", "b2", "b2"))
    b2, b1 = p.ad_sets
    assert b1.copy.primary_text == "À la médiathèque 1, à Ville1 : 2 titres autour de « Science-fiction »."
    assert b2.copy.primary_text == "À la médiathèque 2, à Ville2 : 3 titres autour de « Science-fiction »."
    assert not b1.generic_copy and b1.notes == [] and p.notes[1:] == []
    assert (b1.ref, b1.theme_id, b1.theme_label) == ("sf--b1", "sf", "Science-fiction")
    assert b1.url_tags == ("utm_source=meta&utm_medium=paid_social&utm_campaign=exemple-sf-bouches-du-rhone"
                           "&utm_content=sf--b1&utm_term=sf")
    assert b1.landing_url == "https://www.bmvr.marseille.fr/"
    # a theme's own page, unless the branch has one
    themed = plan(variant(sf, budget_eur=1000, theme_landing_urls={"sf": "https://exemple.fr/sf"},
                          branch_landing_urls={"b2": "https://exemple.fr/b2"}), TWO, TWO_AREAS)
    assert [(a.branch_id, a.landing_url) for a in themed.ad_sets] == [
        ("b2", "https://exemple.fr/b2"), ("b1", "https://exemple.fr/sf")]
    assert p.catalogue.model_dump() == {"label": "catalogue chargé", "records": 5, "as_of": None, "demo": False}


def test_a_merged_ad_set_counts_what_its_branches_hold_together(sf):
    events = [LibraryEvent(id="e2", title="Atelier science-fiction", start=datetime(2027, 3, 20, 15),
                           branch_id="b1", keywords=["science-fiction"]),
              LibraryEvent(id="e1", title="Club science-fiction", start=datetime(2027, 3, 10, 18), branch_id="b2",
                           keywords=["science-fiction"])]
    p = plan(variant(sf, budget_eur=62), TWO, TWO_AREAS, items=sf_items("b1", "b1", "b2", "b2", "b2"),
             events=events)
    (merged,) = p.ad_sets
    assert merged.copy.primary_text.startswith("À la médiathèque 2, à Ville2, et dans 1 bibliothèque voisine : "
                                               "5 titres autour de « Science-fiction »")
    assert "10 mars" in merged.copy.primary_text  # the soonest event of the two branches
    assert not merged.generic_copy
    # no branch of the group holds anything: the generic text still counts the neighbours
    p = plan(variant(sf, budget_eur=62), TWO, TWO_AREAS)
    (merged,) = p.ad_sets
    assert merged.copy.primary_text == ("Science-fiction : passez à la médiathèque 2, à Ville2, et dans 1 "
                                        "bibliothèque voisine et demandez conseil aux bibliothécaires.")
    assert "Aucun document « Science-fiction » repéré dans ces bibliothèques : texte générique." in merged.notes
    assert ("1 ensemble(s) de publicités sans document du thème dans la bibliothèque : texte générique, qui "
            "n'annonce aucun chiffre.") in p.notes


def test_the_lead_of_a_merged_ad_set_is_its_most_populated_branch_then_the_first_id(sf):
    # 61 € over 31 days: 1.96 € a day, under 1 € for either of two equal catchments
    equal = [area("13001", 5.01, 2000), area("13002", 5.49, 2000)]
    (merged,) = plan(variant(sf, budget_eur=61), TWO, equal).ad_sets
    assert merged.branch_id == "b1" and merged.branch_ids == ["b1", "b2"]
    assert (merged.lat, merged.lon) == (43.5, 5.0) and merged.ref == "sf--b1"
    assert merged.locations[0].population == merged.locations[1].population == 2000
    (merged,) = plan(variant(sf, budget_eur=61), TWO, [area("13001", 5.01, 2001), equal[1]]).ad_sets
    assert merged.branch_id == "b1"
    (merged,) = plan(variant(sf, budget_eur=61), TWO, [equal[0], area("13002", 5.49, 2001)]).ad_sets
    assert merged.branch_id == "b2" and merged.area_codes == ["13001", "13002"] and merged.population == 4001
    # tied, « b1 » comes before « b10 » (whose id it begins): it leads, and its circle is the first
    (merged,) = plan(variant(sf, budget_eur=61), [TWO[0], branch(10, 5.5)], equal).ad_sets
    assert merged.branch_id == "b1" and merged.branch_ids == ["b1", "b10"]
    # the lead's own page and circle
    by_branch = variant(sf, budget_eur=61, branch_landing_urls={"b2": "https://exemple.fr/b2"})
    (merged,) = plan(by_branch, TWO, [equal[0], area("13002", 5.49, 2001)]).ad_sets
    assert merged.landing_url == "https://exemple.fr/b2" and merged.radius_km == merged.locations[0].radius_km


def test_ad_sets_in_theme_order_then_largest_first_with_the_postcodes_of_their_areas(sf):
    three = [*TWO, branch(3, 6.0)]
    areas = [area("13001", 5.01, 1000, postcodes=("13100", "13090")), area("13002", 5.49, 3000, postcodes=("13200",)),
             area("13003", 6.01, 3000, postcodes=("13300",)), area("13004", 5.02, 10, postcodes=("13090",))]
    p = plan(variant(sf, themes=["manga", "sf"], budget_eur=31_000), three, areas)
    assert [(a.theme_id, a.branch_id) for a in p.ad_sets] == [
        ("manga", "b2"), ("manga", "b3"), ("manga", "b1"), ("sf", "b2"), ("sf", "b3"), ("sf", "b1")]
    assert p.population == 7010
    first = next(a for a in p.ad_sets if a.branch_id == "b1")
    assert first.postcodes == ["13090", "13100"] and first.population == 1010


def test_campaign_without_identity_tags_its_links_with_its_name(sf):
    unnamed = variant(sf, id=None, name="Été des sciences " + "à la médiathèque " * 5, budget_eur=1000)
    tags = plan(unnamed, TWO, TWO_AREAS).ad_sets[0].url_tags
    assert tags.startswith("utm_source=meta&utm_medium=paid_social&utm_campaign="
                           "ete-des-sciences-a-la-mediatheque-a-la-mediatheque-a-la-medi&utm_content=sf--b2&utm_term=sf")


# ------------------------------------------------------------------------------------------ interests and notes


def test_interests_of_the_theme_then_the_campaigns_each_once(sf):
    p = plan(variant(sf, budget_eur=1000, extra_interests=["science FICTION", "Lecture", "lecture"]), TWO, TWO_AREAS)
    assert [i.model_dump() for i in p.ad_sets[0].interests] == [
        {"name": "Science fiction", "id": "6003"}, {"name": "Space opera", "id": None},
        {"name": "Lecture", "id": None}]
    # one id known: nothing to say about ids still to resolve
    assert not any("identifiants Meta" in n for n in p.notes)
    manga = plan(variant(sf, themes=["manga"], budget_eur=1000), TWO, TWO_AREAS)
    assert [i.model_dump() for i in manga.ad_sets[0].interests] == [{"name": "Manga", "id": None}]
    assert "Les identifiants Meta des centres d'intérêt seront résolus à l'envoi à Meta." in manga.notes


def test_a_sensitive_theme_is_promoted_without_interests_and_it_is_said(sf):
    p = plan(variant(sf, themes=["sante", "manga"], budget_eur=2000, extra_interests=["Lecture"]), TWO, TWO_AREAS)
    assert all(a.interests == [] for a in p.ad_sets if a.theme_id == "sante")
    assert all([i.name for i in a.interests] == ["Manga", "Lecture"] for a in p.ad_sets if a.theme_id == "manga")
    assert ("Thème(s) sensible(s) sans ciblage par centres d'intérêt (audience large du territoire) : Santé."
            in p.notes)
    assert not any("sensible" in n for n in plan(variant(sf, budget_eur=1000), TWO, TWO_AREAS).notes)
    # no interest at all (a sensitive theme alone): no ids to resolve, nothing said about them
    alone = plan(variant(sf, themes=["sante"], budget_eur=1000), TWO, TWO_AREAS)
    assert all(a.interests == [] for a in alone.ad_sets)
    assert not any("identifiants Meta" in n for n in alone.notes)
    # two sensitive themes are listed together
    faith = Theme(id="foi", label="Religions", keywords=["religion"], sensitivity="flag")
    two = plan(variant(sf, themes=["sante", "foi"], budget_eur=2000), TWO, TWO_AREAS, themes=[*THEMES, faith])
    assert ("Thème(s) sensible(s) sans ciblage par centres d'intérêt (audience large du territoire) : Santé, "
            "Religions.") in two.notes


def test_an_agenda_theme_without_event_is_not_called_generic_in_the_plans_notes(sf):
    p = plan(variant(sf, themes=["ateliers"], budget_eur=1000), TWO, TWO_AREAS)
    assert all(a.generic_copy for a in p.ad_sets)
    assert not any("sans document du thème" in n for n in p.notes)


def test_postcode_targeting_says_which_ad_sets_have_no_postcode(sf):
    areas = [area("13001", 5.01, 1000), area("13002", 5.49, 3000, postcodes=("13200",))]
    p = plan(variant(sf, geo="postcodes"), [branch(2, 5.5)], areas)
    assert p.ad_sets[0].postcodes == ["13200"]
    assert not any("sans code postal" in n for n in p.notes)
    p = plan(variant(sf, geo="postcodes"), [branch(1, 5.0)], areas[:1])
    assert ("1 ensemble(s) de publicités sans code postal connu pour leurs zones : ciblés par rayon autour de la "
            "bibliothèque.") in p.notes
    p = plan(sf, [branch(1, 5.0)], areas[:1])  # circles: postcodes are never needed
    assert not any("sans code postal" in n for n in p.notes)


def test_delivery_follows_the_settings_and_caps_frequency_on_reach_only(sf):
    settings = NetworkSettings(audience_network=True, frequency_max=3, frequency_days=14)
    p = plan(variant(sf, budget_eur=1000), TWO, TWO_AREAS, settings=settings)
    assert p.delivery.model_dump() == {"audience_network": True, "frequency_max": 3, "frequency_days": 14}
    p = plan(variant(sf, budget_eur=1000, objective="traffic"), TWO, TWO_AREAS, settings=settings, floor=5.0)
    assert p.delivery.model_dump() == {"audience_network": True, "frequency_max": None, "frequency_days": 14}


# ------------------------------------------------------------------------------------------ the officer's texts


def test_the_officers_text_replaces_the_draft_field_by_field(sf):
    items = sf_items("b1", "b2")
    base = plan(variant(sf, budget_eur=1000), TWO, TWO_AREAS, items=items).ad_sets[1]
    assert base.ref == "sf--b1" and base.copy.other_primary_texts and base.copy.other_headlines
    edited = variant(sf, budget_eur=1000, copy_overrides={"sf--b1": {"description": "Ouvert le dimanche",
                                                                     "headline": ""}})
    ad_set = plan(edited, TWO, TWO_AREAS, items=items).ad_sets[1]
    assert ad_set.copy.description == "Ouvert le dimanche"
    assert ad_set.copy.headline == base.copy.headline  # an empty field keeps the draft
    assert ad_set.copy.other_primary_texts == base.copy.other_primary_texts
    assert ad_set.copy.other_headlines == base.copy.other_headlines
    edited = variant(sf, budget_eur=1000, copy_overrides={"sf--b1": {"primary_text": "Venez lire."}})
    ad_set = plan(edited, TWO, TWO_AREAS, items=items).ad_sets[1]
    assert ad_set.copy.primary_text == "Venez lire." and ad_set.copy.other_primary_texts == []
    assert ad_set.copy.other_headlines == base.copy.other_headlines
    edited = variant(sf, budget_eur=1000, copy_overrides={"sf--b1": {"headline": "Lire ici"}})
    ad_set = plan(edited, TWO, TWO_AREAS, items=items).ad_sets[1]
    assert ad_set.copy.headline == "Lire ici" and ad_set.copy.other_headlines == []
    assert ad_set.copy.other_primary_texts == base.copy.other_primary_texts
    # the officer's text on a generic draft is no longer generic; the other ad set keeps its draft
    edited = variant(sf, budget_eur=1000, copy_overrides={"sf--b1": {"description": "Ouvert le dimanche"}})
    generic = plan(edited, TWO, TWO_AREAS)
    assert generic.ad_sets[1].generic_copy is False and generic.ad_sets[1].copy.generic is False
    assert generic.ad_sets[0].generic_copy and generic.ad_sets[0].copy.generic


def test_the_officers_text_too_long_or_for_no_ad_set_is_refused_in_french(sf):
    with pytest.raises(InputError) as err:
        plan(variant(sf, budget_eur=1000, copy_overrides={"sf--b1": {"headline": "x" * 41}}), TWO, TWO_AREAS)
    assert err.value.message == "texte refusé : 40 caractères au plus."
    assert err.value.field == err.value.where == "copy_overrides.sf--b1.headline"
    assert err.value.fix == "Raccourcissez le texte (titre : 40 caractères au plus)."
    with pytest.raises(InputError) as err:
        plan(variant(sf, budget_eur=1000, copy_overrides={"sf--b9": {"headline": "x"}, "manga--b1": {"headline": "y"},
                                                          "sf--b1": {"headline": "Lire"}}), TWO, TWO_AREAS)
    assert err.value.message == ("texte(s) modifié(s) pour des ensembles de publicités absents du plan : manga--b1, "
                                 "sf--b9.")
    assert err.value.field == err.value.where == "copy_overrides"
    assert err.value.fix == "Retirez-les du fichier, ou remettez le thème ou la bibliothèque correspondants."


# ------------------------------------------------------------------------------------------ special ad categories


def test_a_special_category_campaign_follows_metas_rules_and_says_what_changed(sf):
    jobs = variant(sf, themes=["emploi"], budget_eur=1000, audience={"age_min": 25, "age_max": 50}, geo="postcodes",
                   extra_interests=["Lecture"])
    p = plan(jobs, TWO, [area("13001", 5.01, 1000, postcodes=("13100",)), TWO_AREAS[1]])
    c = p.campaign
    assert (c.special_ad_categories, c.audience.age_min, c.audience.age_max, c.geo, c.extra_interests) == \
        (["EMPLOYMENT"], 18, 65, "radius", [])
    assert p.notes[:3] == [
        "Catégorie spéciale de publicité EMPLOYMENT (thème « Emploi ») : campagne marquée EMPLOYMENT pour la France, "
        "centres d'intérêt retirés (ciblage détaillé restreint), rayons d'au moins 24.2 km (15 miles).",
        "Âges 25–50 remplacés par 18–65+ : Meta ne permet pas de les restreindre en catégorie EMPLOYMENT.",
        "Ciblage par codes postaux remplacé par des cercles : Meta l'interdit en catégorie EMPLOYMENT."]
    # no postcode exclusions allowed: the two catchments go together, in circles of 24.2 km at least
    assert ("2 bassins réunis en 1 ensemble(s) de publicités : sans exclusion de codes postaux, c'est ce qui évite "
            "que deux ensembles du thème ciblent les mêmes personnes.") in p.notes
    (ad_set,) = p.ad_sets
    assert ad_set.interests == [] and ad_set.excluded_postcodes == []
    assert [loc.radius_km for loc in ad_set.locations] == [24.2, 24.2] and ad_set.radius_km == 24.2
    assert p.special_campaign is None and p.campaign_of(ad_set) is p.campaign
    # one catchment alone: nothing to put together, nothing said of it
    alone = plan(variant(sf, themes=["emploi"], budget_eur=1000), TWO[:1], TWO_AREAS[:1])
    assert len(alone.ad_sets) == 1 and not any("bassins" in n for n in alone.notes)
    # already 18–65 on circles: only the category is said
    plain = plan(variant(sf, themes=["emploi"], budget_eur=1000), TWO, TWO_AREAS)
    assert [n for n in plain.notes if "EMPLOYMENT" in n] == [plain.notes[0]]
    # its catchments are merged for the missing postcode exclusions, said once: not for the Page's ad limit
    assert [n for n in plain.notes if "bassins" in n] == [
        "2 bassins réunis en 1 ensemble(s) de publicités : sans exclusion de codes postaux, c'est ce qui évite "
        "que deux ensembles du thème ciblent les mêmes personnes."]
    # an ordinary theme keeps its audience, its postcodes and its small circles
    ordinary = plan(variant(sf, budget_eur=1000, audience={"age_min": 25, "age_max": 50}), TWO, TWO_AREAS)
    assert ordinary.campaign.special_ad_categories == [] and ordinary.campaign.audience.age_min == 25
    assert [a.radius_km for a in ordinary.ad_sets] == [1.0, 1.0]


def test_a_special_category_mixed_with_others_gets_a_campaign_of_its_own(sf):
    mixed = variant(sf, themes=["sf", "emploi", "manga"], budget_eur=3100, extra_interests=["Lecture"])
    p = plan(mixed, TWO, TWO_AREAS)
    assert p.campaign == mixed and p.special_campaign.themes == ["emploi"]
    assert p.special_campaign.special_ad_categories == ["EMPLOYMENT"] and p.special_campaign.budget_eur == 1033.33
    assert p.notes[0] == (
        "Thème(s) « Emploi » dans une campagne Meta à part, « SF près de chez vous — Bouches-du-Rhône — EMPLOYMENT », "
        "marquée EMPLOYMENT : Meta fixe la catégorie spéciale pour toute une campagne, et les autres thèmes gardent "
        "leur ciblage. Budget partagé par thème : 1033.33 € pour celle-ci, 2066.67 € pour les autres.")
    # the notes of both parts, each once
    assert len(p.notes) == len(set(p.notes)) and any(n.startswith("Catégorie spéciale") for n in p.notes)
    assert [(a.theme_id, a.branch_id) for a in p.ad_sets] == [
        ("sf", "b2"), ("sf", "b1"), ("emploi", "b2"), ("manga", "b2"), ("manga", "b1")]
    jobs = p.ad_sets[2]
    assert p.campaign_of(jobs) is p.special_campaign and p.campaign_of(p.ad_sets[0]) is p.campaign
    assert jobs.interests == [] and jobs.radius_km == 24.2 and jobs.daily_budget_eur == 33.33
    assert [i.name for i in p.ad_sets[0].interests] == ["Science fiction", "Space opera", "Lecture"]
    assert p.daily_budget_eur == 99.99 == round(sum(a.daily_budget_eur for a in p.ad_sets), 2)
    assert p.total_budget_eur == 3099.69


def test_a_category_declared_by_the_campaign_file_rules_every_theme_of_it(sf):
    # the file marks the campaign EMPLOYMENT itself: an ordinary theme follows Meta's rules too, and is said so
    declared = plan(variant(sf, budget_eur=1000, audience={"age_min": 25, "age_max": 50},
                            special_ad_categories=["EMPLOYMENT"], extra_interests=["Lecture"]), TWO, TWO_AREAS)
    c = declared.campaign
    assert (c.special_ad_categories, c.audience.age_min, c.audience.age_max, c.extra_interests) == \
        (["EMPLOYMENT"], 18, 65, [])
    assert declared.notes[:2] == [
        "Catégorie spéciale de publicité EMPLOYMENT (déclarée dans le fichier de campagne) : campagne marquée "
        "EMPLOYMENT pour la France, centres d'intérêt retirés (ciblage détaillé restreint), rayons d'au moins 24.2 km "
        "(15 miles).",
        "Âges 25–50 remplacés par 18–65+ : Meta ne permet pas de les restreindre en catégorie EMPLOYMENT."]
    (ad_set,) = declared.ad_sets
    assert ad_set.interests == [] and ad_set.radius_km == 24.2
    # with a theme of that category and an ordinary one: one campaign, no split, since the file marks it whole
    both = plan(variant(sf, themes=["sf", "emploi"], budget_eur=1000, special_ad_categories=["EMPLOYMENT"]),
                TWO, TWO_AREAS)
    assert both.special_campaign is None and [a.theme_id for a in both.ad_sets] == ["sf", "emploi"]
    assert all(a.interests == [] and a.radius_km == 24.2 for a in both.ad_sets)
    assert both.notes[0].startswith("Catégorie spéciale de publicité EMPLOYMENT (thème « Emploi ») : ")
    # a theme of another category than the one declared: refused, since Meta allows one per campaign
    with pytest.raises(InputError) as err:
        plan(variant(sf, themes=["emploi"], budget_eur=1000, special_ad_categories=["HOUSING"]), TWO, TWO_AREAS)
    assert (err.value.field, err.value.where, err.value.message) == (
        "special_ad_categories", "special_ad_categories",
        "catégorie spéciale HOUSING déclarée pour une campagne dont un thème relève de EMPLOYMENT.")
    assert err.value.fix == "Faites une campagne par catégorie : Meta fixe la catégorie spéciale pour toute une campagne."
    # a category that restricts no targeting (political ads, which the gate refuses anyway) changes nothing here
    political = plan(variant(sf, budget_eur=1000, audience={"age_min": 25, "age_max": 50},
                             special_ad_categories=["ISSUES_ELECTIONS_POLITICS"]), TWO, TWO_AREAS)
    assert political.campaign.audience.age_min == 25 and not any("Catégorie spéciale" in n for n in political.notes)
    assert len(political.ad_sets) == 2  # its circles are not put together as a restricted category's are
    assert all(a.interests and a.radius_km == 1.0 for a in political.ad_sets)


def test_the_special_campaign_takes_its_own_texts_and_images_and_shares_the_page_limit(sf, tmp_path):
    from PIL import Image

    for name in ("emploi.png", "sf.png"):
        Image.new("RGB", (1080, 1080), (20, 60, 120)).save(tmp_path / name, "PNG")
    mixed = variant(sf, themes=["emploi", "sf"], budget_eur=3100,
                    copy_overrides={"emploi--b2": {"headline": "Trouver un emploi"}, "sf--b1": {"headline": "Lire"}},
                    images={"themes": {"emploi": "emploi.png"}, "ad_sets": {"sf--b1": "sf.png"}})
    p = plan(mixed.with_source_dir(tmp_path), TWO, TWO_AREAS)
    assert p.special_campaign.copy_overrides.keys() == {"emploi--b2"}
    assert p.special_campaign.images.themes.keys() == {"emploi"} and p.special_campaign.images.ad_sets == {}
    assert p.special_campaign.images_dir == tmp_path
    assert {a.ref: a.visual.source for a in p.ad_sets} == {"emploi--b2": "given", "sf--b2": "drawn",
                                                           "sf--b1": "given"}
    assert {a.ref: a.copy.headline for a in p.ad_sets}.keys() == {"emploi--b2", "sf--b2", "sf--b1"}
    assert next(a for a in p.ad_sets if a.ref == "emploi--b2").copy.headline == "Trouver un emploi"
    assert next(a for a in p.ad_sets if a.ref == "sf--b1").copy.headline == "Lire"
    # the special campaign's ad set takes one of the Page's two ads: the other theme gets the one left
    limited = plan(variant(mixed, copy_overrides={}, images={}), TWO, TWO_AREAS,
                   settings=NetworkSettings(page_ad_limit=2))
    assert [(a.theme_id, len(a.locations)) for a in limited.ad_sets] == [("emploi", 2), ("sf", 2)]
    with pytest.raises(InputError, match="limite de 0 publicités de la Page"):
        plan(variant(mixed, copy_overrides={}, images={}), TWO, TWO_AREAS, settings=NetworkSettings(page_ad_limit=1))


def test_plan_helpers():
    ad_set = AdSetPlan.model_construct(branch_id="b1", locations=[], daily_budget_eur=12.346, theme_id="sf")
    assert ad_set.branch_ids == ["b1"] and ad_set.daily_budget_cents == 1235
    assert Plan.model_construct(daily_budget_eur=3.33, days=31).total_budget_eur == 103.23


def test_the_shipped_datas_answers_are_kept_eight_at_most_the_oldest_forgotten_first(monkeypatch):
    """The summaries of the shipped catalogue are kept for the last eight questions (app reruns), no more."""
    from outreach import planner

    asked = []
    monkeypatch.setattr(planner, "_compute_summaries", lambda themes, branches, items, events, today:
                        asked.append(today) or {("sf", "b1"): today})
    monkeypatch.setattr(planner, "_SHIPPED_SUMMARIES", {})
    days = [date(2027, 3, d) for d in range(1, 10)]
    for day in days[:8]:
        assert planner._summaries([SF], TWO, None, None, day, cacheable=True) == {("sf", "b1"): day}
    planner._summaries([SF], TWO, None, None, days[0], cacheable=True)  # known: not computed again
    assert asked == days[:8] and len(planner._SHIPPED_SUMMARIES) == 8
    planner._summaries([SF], TWO, None, None, days[8], cacheable=True)  # a ninth: the first one asked goes
    assert len(planner._SHIPPED_SUMMARIES) == 8
    assert [key[-1] for key in planner._SHIPPED_SUMMARIES] == days[1:]
    # the caller's own items are never kept
    planner._summaries([SF], TWO, [], None, days[0], cacheable=False)
    assert asked == [*days, days[0]] and len(planner._SHIPPED_SUMMARIES) == 8


# ------------------------------------------------------------------------------------------ what the copy knows


def test_a_branch_with_an_event_but_no_item_announces_its_event(sf):
    event = LibraryEvent(id="e1", title="Club science-fiction", start=datetime(2027, 3, 10, 18), branch_id="b1",
                         keywords=["science-fiction"])
    p = plan(variant(sf, budget_eur=1000), TWO, TWO_AREAS, events=[event])
    b2, b1 = p.ad_sets
    assert "10 mars" in b1.copy.primary_text and not b1.generic_copy
    assert b2.generic_copy
    # the same with a theme of a special category beside it: both campaigns read the given agenda and catalogue
    mixed = plan(variant(sf, themes=["sf", "emploi"], budget_eur=1000), TWO, TWO_AREAS, events=[event],
                 items=sf_items("b2"))
    sf_b2, sf_b1 = (a for a in mixed.ad_sets if a.theme_id == "sf")
    assert "10 mars" in sf_b1.copy.primary_text
    assert sf_b2.copy.primary_text == "À la médiathèque 2, à Ville2 : 1 titre autour de « Science-fiction »."
    assert mixed.catalogue.demo is False
    # and the day the plan is made, the account's floor and where it was read: the day after the event, no event;
    # a 2 € floor read from the account, said for both parts
    later = plan(variant(sf, themes=["sf", "emploi"], budget_eur=1000), TWO, TWO_AREAS, events=[event],
                 today=date(2027, 3, 11), floor=2.0, floor_source="lu sur le compte publicitaire")
    assert not any("10 mars" in a.copy.primary_text for a in later.ad_sets)
    assert ("Budget quotidien minimal par ensemble de publicités (notoriété) : 2.00 €, lu sur le compte "
            "publicitaire.") in later.notes
    assert not any("1.00 €" in n or "valeur par défaut" in n for n in later.notes)


def test_the_shipped_data_answer_each_question_with_its_own_themes_and_branches(example):  # noqa: F811
    """The summaries of the shipped catalogue are kept for the app's reruns: a kept answer serves only the same
    themes and branches. Le Merlan (5425) holds part of the demonstration sample, La Grognarde (5424) none."""
    demo = "Catalogue de démonstration : le texte n'annonce aucun nombre de documents."
    for themes, branches, merlan in ((["manga"], ["5424"], None), (["manga"], ["5425", "5424"], demo),
                                     (["science-fiction"], ["5425", "5424"], demo)):
        campaign = variant(example, themes=themes, budget_eur=1000,
                           territory={"departement": "13", "branches": branches})
        notes = {a.branch_id: a.notes for a in build_plan(campaign, settings=SETTINGS, min_daily_budget_eur=1.0).ad_sets}
        assert notes.get("5425", [None]) == [merlan]
        assert notes["5424"][0].startswith("Aucun document") and "La Grognarde (Marseille)" in notes["5424"][0]


def test_only_the_shipped_themes_and_catalogue_without_agenda_are_kept(sf, monkeypatch):
    """A kept answer serves the shipped data alone: given themes or a given agenda are read each time. (The
    shipped catalogue is replaced by two titles here, and the kept answers start empty, to stay fast.)"""
    import outreach.themes as themes_module
    from outreach import planner

    monkeypatch.setattr(themes_module, "shipped_catalogue", lambda: sf_items("b1"))
    monkeypatch.setattr(planner, "_SHIPPED_SUMMARIES", {})

    def text(themes, events=None, theme_id="inconnu"):
        p = build_plan(variant(sf, themes=[theme_id], budget_eur=1000), branches=TWO[:1], areas=TWO_AREAS[:1],
                       themes=themes, events=events, settings=SETTINGS, min_daily_budget_eur=1.0)
        return p.ad_sets[0].copy.primary_text

    assert "1 titre" in text([Theme(id="inconnu", label="Inconnu", keywords=["science-fiction"])])
    # the shipped catalogue is the demonstration sample: the plan says so, and what to do
    p = build_plan(variant(sf, budget_eur=1000), branches=TWO[:1], areas=TWO_AREAS[:1], themes=THEMES,
                   settings=SETTINGS, min_daily_budget_eur=1.0)
    assert p.catalogue.demo and ("Catalogue : échantillon de démonstration ; les textes n'annoncent aucun nombre de "
                                 "documents. Chargez le catalogue de vos bibliothèques pour qu'ils citent ce qu'elles "
                                 "proposent.") in p.notes
    # the same theme id, other keywords: nothing of it in the catalogue
    assert "titre" not in text([Theme(id="inconnu", label="Inconnu", keywords=["zzyzx"])])
    # the shipped themes with an agenda: its event is announced
    event = LibraryEvent(id="e1", title="Club science-fiction", start=datetime(2027, 3, 10, 18), branch_id="b1",
                         keywords=["science-fiction"])
    assert "10 mars" in text(None, [event], "science-fiction")


def test_given_areas_with_the_shipped_branches_and_their_notes(sf):
    """Only the areas given: the branches are the département's shipped ones, and what the network's reading
    said (a closed site set aside) is in the plan's notes."""
    louvre = Area(code="75101", name="Paris 1er", lat=48.8626, lon=2.3363, population=16_000, departement="75")
    p = plan(variant(sf, territory={"departement": "75"}), None, [louvre])
    (ad_set,) = p.ad_sets
    assert ad_set.area_codes == ["75101"] and ad_set.branch_id.isdigit()
    assert p.notes[0] == "1 site(s) fermé(s) au public écarté(s) : Réserve centrale."


TRAINING = Theme(id="formation", label="Formation", keywords=["formation"], special_ad_category="EMPLOYMENT")
HOUSING = Theme(id="logement", label="Logement", keywords=["logement"], special_ad_category="HOUSING")


def test_two_themes_of_a_special_category_share_its_campaign_and_its_budget(sf):
    themes = [*THEMES, TRAINING]
    mixed = variant(sf, themes=["sf", "emploi", "formation"], budget_eur=3100)
    p = plan(mixed, TWO, TWO_AREAS, themes=themes)
    assert p.notes[0].startswith("Thème(s) « Emploi », « Formation » dans une campagne Meta à part")
    assert p.notes[0].endswith("Budget partagé par thème : 2066.66 € pour celle-ci, 1033.34 € pour les autres.")
    assert p.special_campaign.themes == ["emploi", "formation"] and p.special_campaign.budget_eur == 2066.66
    # the special campaign's own themes are held to the Page's limit too
    with pytest.raises(InputError) as err:
        plan(mixed, TWO, TWO_AREAS, themes=themes, settings=NetworkSettings(page_ad_limit=1))
    assert err.value.message == "2 thèmes demandent au moins 2 publicités, plus que la limite de 1 publicités de la Page."


def test_themes_of_two_special_categories_are_refused(sf):
    with pytest.raises(InputError) as err:
        plan(variant(sf, themes=["sf", "emploi", "logement"]), TWO, TWO_AREAS, themes=[*THEMES, HOUSING])
    assert err.value.message == ("thèmes de catégories spéciales de publicité différentes (EMPLOYMENT, HOUSING) dans "
                                 "une même campagne.")
    assert err.value.field == err.value.where == "themes"
    assert err.value.fix == "Faites une campagne par catégorie : Meta fixe la catégorie spéciale pour toute une campagne."


def test_two_ad_sets_of_a_theme_share_no_postcode_and_exclude_the_others(sf):
    """Marseille 1er and 8e: the 8e's circle reaches the 1er (its catchment runs 7 km south), so the 1er's
    postcode is the 1er's ad set's alone, and the 8e's circle excludes it."""
    first = Branch(id="b1", name="Alcazar", city="Marseille", lat=43.2999, lon=5.3841, departement="13")
    eighth = Branch(id="b2", name="Bonneveine", city="Marseille", lat=43.2420, lon=5.3770, departement="13")
    areas = [Area(code="13201", name="Marseille 1er", lat=43.2999, lon=5.3841, population=40_000,
                  postcodes=("13001",), departement="13"),
             Area(code="13208", name="Marseille 8e", lat=43.2420, lon=5.3770, population=80_000,
                  postcodes=("13008",), departement="13"),
             # a place of the network's own list, unknown to the national one: its postcode stays with its ad set
             Area(code="13299", name="Calanques", lat=43.1790, lon=5.3800, population=100, postcodes=("13999",),
                  departement="13")]
    p = plan(variant(sf, budget_eur=1000), [first, eighth], areas)
    by_branch = {a.branch_id: a for a in p.ad_sets}
    assert by_branch["b2"].radius_km >= 7.0
    assert by_branch["b1"].postcodes == ["13001"] and by_branch["b1"].excluded_postcodes == []
    assert by_branch["b2"].postcodes == ["13008", "13999"]
    assert "13001" in by_branch["b2"].excluded_postcodes and "13008" not in by_branch["b2"].excluded_postcodes


def test_a_trusted_model_is_the_one_pydantic_would_build(monkeypatch):
    # as in a new process, where the first model of each class makes the set of names its class shares
    monkeypatch.setattr("outreach.planner._ALL_FIELDS", {})
    values = {"branch_id": "b1", "branch_name": "Médiathèque 1 (Ville1)", "lat": 43.5, "lon": 5.0, "radius_km": 2.5,
              "population": 1200, "area_codes": ["13001", "13002"]}
    made = _trusted(Location, dict(reversed(values.items())))  # the given order does not matter
    assert made == Location(**values) and made.model_dump_json() == Location(**values).model_dump_json()
    assert list(vars(made)) == list(values) and made.model_fields_set == set(values)
    assert made.__pydantic_extra__ is None and made.__pydantic_private__ is None
    made.radius_km = 3.0  # an ordinary model, changed as any other
    assert made.radius_km == 3.0 and made.model_copy(update={"population": 1}).population == 1
    # the models of a class share one set of field names, which neither the assignment nor a copy changes
    other = _trusted(Location, values)
    assert other.model_fields_set is made.model_fields_set and other.model_fields_set == set(values)
    assert made.model_copy(update={"population": 1}).model_fields_set is not made.model_fields_set
    assert _trusted(InterestRef, {"id": None, "name": "Manga"}).model_fields_set == {"name", "id"}  # its own class's
    with pytest.raises(KeyError, match="area_codes"):  # every field given, no default filled in
        _trusted(Location, {k: v for k, v in values.items() if k != "area_codes"})
    with pytest.raises(ValueError, match=r"Location has no field \['rayon'\]"):
        _trusted(Location, values | {"rayon": 3.0})
