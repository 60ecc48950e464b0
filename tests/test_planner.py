"""The plan on the shipped network (Bouches-du-Rhône and Paris) and the shipped themes."""

import re

import pytest

from outreach.campaign import load_campaign
from outreach.datasets import load_territory, shipped_areas, shipped_branches
from outreach.errors import InputError
from outreach.planner import MAX_RADIUS_KM, build_plan
from outreach.territory import analyse
from tests.support.meta_fixtures import EXAMPLE, SETTINGS, variant


@pytest.fixture(scope="module")
def territory13():
    t = load_territory(departement="13")
    return t, analyse(t.branches, t.areas)


def test_example_plans_cleanly_within_budget(example, territory13):
    t, report = territory13
    plan = build_plan(example, min_daily_budget_eur=1.0)
    assert plan.ad_sets and plan.days == 31
    # every ad set funded at Meta's minimum or more, and the whole stays within the budget
    assert all(a.daily_budget_eur >= 1.0 for a in plan.ad_sets)
    assert plan.total_budget_eur <= example.budget_eur
    assert plan.total_budget_eur > example.budget_eur - 31 * 0.01 * len(plan.ad_sets) - 1
    # every inhabited area of the département is in exactly one ad set
    codes = [c for a in plan.ad_sets for c in a.area_codes]
    inhabited = {a.code for a in t.areas if (a.population or 0) > 0}
    assert sorted(codes) == sorted(inhabited)
    assert sum(a.population for a in plan.ad_sets) == sum(a.population or 0 for a in t.areas)
    # circles within Meta's bounds, refs unique, links tagged per ad set
    assert all(1 <= loc.radius_km <= MAX_RADIUS_KM for a in plan.ad_sets for loc in a.locations)
    assert len({a.ref for a in plan.ad_sets}) == len(plan.ad_sets)
    assert all(f"utm_content={a.ref}" in a.url_tags and "utm_source=" in a.url_tags for a in plan.ad_sets)
    # 300 € for 31 days cannot fund one ad set per catchment: small ones are merged, and it is said
    n_catchments = int((report.catchments["population"] > 0).sum())
    assert len(plan.ad_sets) < n_catchments
    assert any("regroupés" in n for n in plan.notes)
    assert sum(len(a.locations) for a in plan.ad_sets) == n_catchments


def test_same_file_same_plan(example):
    first = build_plan(example, min_daily_budget_eur=1.0)
    again = build_plan(load_campaign(EXAMPLE, settings=SETTINGS), min_daily_budget_eur=1.0)
    assert first.model_dump() == again.model_dump()


def test_enough_budget_gives_one_ad_set_per_catchment_split_by_population(example, territory13):
    t, report = territory13
    rich = variant(example, budget_eur=400_000, themes=["science-fiction", "manga"])
    plan = build_plan(rich, min_daily_budget_eur=1.0)
    inhabited = report.catchments[report.catchments["population"] > 0]
    assert len(plan.ad_sets) == 2 * len(inhabited)
    assert {a.theme_id for a in plan.ad_sets} == {"science-fiction", "manga"}
    # the people reached are counted once, not once per theme
    assert plan.population == int(inhabited["population"].sum())
    sf = [a for a in plan.ad_sets if a.theme_id == "science-fiction"]
    assert all(len(a.locations) == 1 for a in sf)
    # the radius covers the catchment: it is the territory's covering radius, rounded up to 0.1 km
    by_branch = inhabited.set_index("branch_id")
    for a in sf:
        covering = by_branch.loc[a.branch_id, "radius_km"]
        assert min(covering, MAX_RADIUS_KM) <= a.radius_km <= max(1.0, covering + 0.1)
        assert a.population == by_branch.loc[a.branch_id, "population"]
    # budget in proportion to population (to the cent)
    total = sum(a.daily_budget_eur for a in sf)
    population = sum(a.population for a in sf)
    for a in sf:
        assert abs(a.daily_budget_eur - total * a.population / population) <= 0.011


def test_chosen_branches_keep_their_network_catchment(example):
    # Vaugirard (Paris 15e) and La Grognarde (Marseille): each reaches the areas it is nearest to
    plan = build_plan(variant(example, territory={"branches": ["10262", "5424"]}, budget_eur=1000),
                      min_daily_budget_eur=1.0)
    assert {a.branch_id for a in plan.ad_sets} == {"10262", "5424"}
    network = [b for b in shipped_branches() if b.open_to_public]
    assignments = analyse(network, list(shipped_areas())).assignments
    for a in plan.ad_sets:
        expected = sorted(assignments.loc[assignments["branch_id"] == a.branch_id, "area_code"])
        assert a.area_codes == expected


def test_chosen_areas_go_to_their_nearest_branch(example):
    plan = build_plan(variant(example, territory={"areas": ["13201", "13202", "75101"]}, budget_eur=1000),
                      min_daily_budget_eur=1.0)
    assert sorted(c for a in plan.ad_sets for c in a.area_codes) == ["13201", "13202", "75101"]


def test_areas_beyond_80_km_are_reported(example):
    marseille = next(b for b in shipped_branches() if b.id == "5424")
    plan = build_plan(variant(example, territory={"branches": ["5424"]}, budget_eur=1000),
                      branches=[marseille], areas=list(shipped_areas()), min_daily_budget_eur=1.0)
    (ad_set,) = plan.ad_sets
    assert ad_set.radius_km == MAX_RADIUS_KM
    outside = {o.area_code for o in plan.outside_areas}
    assert {"75101", "75120"} <= outside and "13201" not in outside
    assert all(o.farthest_km > MAX_RADIUS_KM for o in plan.outside_areas)
    assert any("80 km" in n for n in plan.notes)


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"themes": ["science-fiction", "astrologie"]}, "themes", "astrologie"),
    ({"territory": {"areas": ["13201", "99999"]}}, "territory.areas", "99999"),
    ({"territory": {"branches": ["nope"]}}, "territory.branches", "nope"),
    ({"budget_eur": 20}, "budget_eur", "minimum"),
    ({"territory": {"departement": "1000"}}, "territory.departement", "inconnu"),
])
def test_bad_input_is_named(example, changes, field, words):
    with pytest.raises(InputError) as err:
        build_plan(variant(example, **changes), min_daily_budget_eur=1.0)
    assert err.value.field == field and words in str(err.value)


def test_budget_error_says_how_much_is_needed(example):
    with pytest.raises(InputError, match="au moins 62 €"):
        build_plan(variant(example, budget_eur=40, themes=["science-fiction", "manga"]), min_daily_budget_eur=1.0)


def test_interests_of_the_theme_plus_extra(example):
    plan = build_plan(variant(example, extra_interests=["Comics", "science fiction"]), min_daily_budget_eur=1.0)
    names = [i.name for i in plan.ad_sets[0].interests]
    assert names[-1] == "Comics" and len([n for n in names if n.casefold() == "science fiction"]) == 1


def test_copy_overrides_apply_and_are_checked(example):
    plan = build_plan(example, min_daily_budget_eur=1.0)
    ref = plan.ad_sets[0].ref
    edited = variant(example, copy_overrides={ref: {"headline": "La SF vous attend"}})
    again = build_plan(edited, min_daily_budget_eur=1.0)
    assert again.ad_sets[0].copy.headline == "La SF vous attend"
    assert again.ad_sets[0].copy.primary_text == plan.ad_sets[0].copy.primary_text
    with pytest.raises(InputError) as err:
        build_plan(variant(example, copy_overrides={ref: {"headline": "x" * 60}}), min_daily_budget_eur=1.0)
    assert err.value.field.startswith(f"copy_overrides.{ref}")
    assert "40 caractères au plus" in str(err.value) and "String" not in str(err.value)
    with pytest.raises(InputError, match="absents du plan"):
        build_plan(variant(example, copy_overrides={"manga--1": {"headline": "x"}}), min_daily_budget_eur=1.0)


def test_minimum_comes_from_network_settings(example, tmp_path, monkeypatch):
    path = tmp_path / "network.yaml"
    path.write_text("min_daily_budget_eur: 5\n", encoding="utf-8")
    monkeypatch.setenv("OUTREACH_SETTINGS", str(path))
    plan = build_plan(example)
    assert all(a.daily_budget_eur >= 5 for a in plan.ad_sets)
    assert len(plan.ad_sets) <= 300 / 31 / 5


def test_generic_copy_where_the_branch_has_nothing_for_the_theme(example):
    from outreach.themes import load_themes, shipped_events, summarise
    from tests.support.catalogue_fixtures import loaded_sample

    # the network's own catalogue (the sample, unmarked): the copy may state its figures
    plan = build_plan(variant(example, budget_eur=400_000), min_daily_budget_eur=1.0, items=loaded_sample())
    assert plan.catalogue is not None and not plan.catalogue.demo and plan.catalogue.records == 2383
    themes = [t for t in load_themes() if t.id == "science-fiction"]
    branches = [b for b in shipped_branches() if b.id in {a.branch_id for a in plan.ad_sets}]
    summaries = summarise(loaded_sample(), shipped_events(), themes, branches, example.period.start)
    for a in plan.ad_sets:
        summary = summaries[("science-fiction", a.branch_id)]
        n = summary.n_items
        assert a.generic_copy == (n == 0 and not summary.next_events)
        if n:
            assert str(n) in a.copy.primary_text
        else:
            assert any("texte générique" in note for note in a.notes)
    # Le Merlan holds part of the demonstration catalogue: its ad speaks of what it really has
    assert not next(a for a in plan.ad_sets if a.branch_id == "5425").generic_copy
    assert any("texte générique" in n for n in plan.notes)


def test_the_demonstration_sample_never_gives_the_copy_a_figure(example):
    """Without a catalogue of its own, the plan says so and no ad states a count of documents."""
    plan = build_plan(variant(example, budget_eur=400_000), min_daily_budget_eur=1.0)
    assert plan.catalogue.demo and plan.catalogue.records == 2383
    assert any("échantillon de démonstration" in n for n in plan.notes)
    merlan = next(a for a in plan.ad_sets if a.branch_id == "5425")  # holds part of the sample
    assert "titre" not in merlan.copy.primary_text and "titre" not in merlan.copy.headline
    assert any("Catalogue de démonstration" in n for n in merlan.notes)
    assert not any(re.search(r"\d+ titres?", a.copy.primary_text + a.copy.headline) for a in plan.ad_sets)


def test_merged_ad_sets_speak_of_the_branches_together(example):
    plan = build_plan(example, min_daily_budget_eur=1.0)
    merged = [a for a in plan.ad_sets if len(a.locations) > 1]
    assert merged
    for a in merged:
        # the lead branch by name, then its neighbours counted: « …, et dans 3 bibliothèques voisines »
        others = len(a.locations) - 1
        assert a.copy.primary_text.lower().count(f"et dans {others} bibliothèque") == 1
        # the name without the town Branch.display_name adds in brackets: the copy says « à Marseille »
        assert a.locations[0].branch_name.split(" (")[0].split()[-1].lower() in a.copy.primary_text.lower()
        assert a.branch_id == a.locations[0].branch_id  # the lead is the most populated catchment
        assert a.population == sum(loc.population for loc in a.locations)


def test_every_ad_set_names_its_branch_and_town(example):
    from outreach.datasets import shipped_branches

    towns = {b.id: b.city for b in shipped_branches()}
    plan = build_plan(example, min_daily_budget_eur=1.0)
    for a in plan.ad_sets:
        text = a.copy.primary_text
        assert f"à {towns[a.branch_id]}" in text or towns[a.branch_id] in a.branch_name, text
        assert a.branch_name.split(" (")[0].split()[-1] in text, text


def test_national_departement_respects_meta_location_cap(example):
    # the Nord has hundreds of libraries: a small budget merges them, never beyond 200 circles per ad set
    plan = build_plan(variant(example, territory={"departement": "59"}, budget_eur=150), min_daily_budget_eur=1.0)
    assert all(len(a.locations) <= 200 for a in plan.ad_sets)
    assert sum(len(a.locations) for a in plan.ad_sets) > 200
    assert all(a.daily_budget_eur >= 1.0 for a in plan.ad_sets)
    assert all(c.startswith("59") for a in plan.ad_sets for c in a.area_codes)


def test_small_catchments_merge_with_small_neighbours_first():
    from outreach.model import Area, Branch
    from outreach.planner import _Catchment, _merge_small

    def catchment(i, lon, population):
        branch = Branch(id=str(i), name=f"B{i}", lat=45.0, lon=lon)
        area = Area(code=f"A{i}", name=f"A{i}", lat=45.0, lon=lon, population=population)
        return _Catchment(branch, [area], [0.5])

    # a big catchment at 0, a small one 10 km east of it, another small one 14 km further east
    big, small1, small2 = catchment(1, 5.0, 100_000), catchment(2, 5.127, 300), catchment(3, 5.305, 400)
    groups = _merge_small([big, small1, small2], threshold_population=600)
    assert sorted(sorted(c.branch.id for c in g) for g in groups) == [["1"], ["2", "3"]]


def test_ad_set_names_are_unique_even_for_homonymous_branches(example):
    # many communes call their library « Bibliothèque municipale »
    plan = build_plan(variant(example, territory={"departement": "59"}, budget_eur=1_000_000), min_daily_budget_eur=1.0)
    names = [a.name for a in plan.ad_sets]
    assert len(set(names)) == len(names)
    # two « Bibliotheque Municipale Louis Aragon »: their towns tell them apart, as people do
    aragon = {n.split(" | ")[0] for n in names if n.startswith("Bibliotheque Municipale Louis Aragon")}
    assert len(aragon) == 2 and all("(" in n for n in aragon) and not any("[" in n for n in names)


def test_same_name_in_the_same_town_gets_the_branch_id():
    from outreach.planner import AdSetPlan, _unique_names

    twins = [AdSetPlan.model_construct(name="Médiathèque (Lille) | Manga | 18-65", branch_id=i) for i in ("1", "2")]
    _unique_names(twins)
    assert [a.name for a in twins] == ["Médiathèque (Lille) [1] | Manga | 18-65", "Médiathèque (Lille) [2] | Manga | 18-65"]
