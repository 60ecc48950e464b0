"""The plan under Meta's rules: the floor of the campaign's objective, the Page's ad limit, no ad set of a theme
competing with another, placements and the frequency cap; the payloads pass the local Graph server."""

import json

import pytest

from outreach.errors import InputError
from outreach.meta import sheet
from outreach.meta.client import MetaClient, MetaError
from outreach.meta.files import plan_campaign
from outreach.meta.payloads import build_payloads
from outreach.overlap import same_theme_overlap
from outreach.planner import build_plan
from outreach.settings import NetworkSettings
from tests.support.meta_fixtures import SETTINGS, variant


@pytest.fixture(scope="module")
def traffic13(example):
    """A traffic campaign on the Bouches-du-Rhône with budget for a dozen ad sets at the 5 € floor."""
    return plan_campaign(variant(example, objective="traffic", budget_eur=3000), settings=SETTINGS)


def with_visuals(folder, plan):
    """A folder holding the plan's visuals, as `outreach plan` writes them beside meta-api.json."""
    from outreach.visuals import visual_files

    for name, data in visual_files(plan.ad_sets).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


# ------------------------------------------------------------------------------------------ floors

def test_traffic_plan_meets_the_clicks_floor_offline_and_says_so(traffic13, example):
    plan, _ = traffic13
    assert all(a.daily_budget_eur >= 5.0 for a in plan.ad_sets) and len(plan.ad_sets) > 5
    assert any("(trafic) : 5.00 €" in n and "sans jeton" in n for n in plan.notes)
    awareness = build_plan(variant(example, budget_eur=3000), settings=SETTINGS)
    assert len(awareness.ad_sets) > len(plan.ad_sets)  # 1 € a day: fewer merges
    assert any("(notoriété) : 1.00 €" in n for n in awareness.notes)


def test_plan_reads_the_account_floor_when_a_token_is_set(graph, example):
    graph.minimum_budgets["min_daily_budget_high_freq"] = 800
    settings = NetworkSettings(ad_account_id="act_555")
    plan, payloads = plan_campaign(variant(example, objective="traffic", budget_eur=3000), settings=settings)
    assert all(a["daily_budget"] >= 800 for a in payloads["ad_sets"])
    assert any("lu chez Meta pour le compte act_555 (LINK_CLICKS)" in n for n in plan.notes)
    assert graph.calls("GET", "/act_555/minimum_budgets")


def test_traffic_plan_on_the_old_single_floor_is_refused_by_the_graph_server(graph, example, tmp_path):
    # the defect: a traffic campaign planned at 1 € per ad set; Meta's clicks floor refuses it
    plan = build_plan(variant(example, objective="traffic", budget_eur=3000), settings=SETTINGS,
                      min_daily_budget_eur=1.0)
    payloads = build_payloads(plan)
    with pytest.raises(MetaError, match="minimal"):
        MetaClient("act_1234567", sleep=lambda _s: None).push(payloads, tmp_path)
    assert graph.objects == {}


# ------------------------------------------------------------------------------------------ ad limit

def test_page_ad_limit_merges_catchments(example):
    limited = NetworkSettings(page_ad_limit=6)
    plan = build_plan(variant(example, themes=["science-fiction", "manga"], budget_eur=100_000), settings=limited)
    assert len(plan.ad_sets) <= 6
    assert any("limite de 6 publicités de la Page" in n for n in plan.notes)
    assert sum(a.population for a in plan.ad_sets if a.theme_id == "manga") == \
        sum(a.population for a in plan.ad_sets if a.theme_id == "science-fiction")  # nobody dropped


def test_page_ad_limit_refuses_with_the_numbers_when_merging_cannot_help(example):
    with pytest.raises(InputError, match="3 thèmes demandent au moins 3 publicités") as err:
        build_plan(variant(example, themes=["science-fiction", "manga", "fantasy"]),
                   settings=NetworkSettings(page_ad_limit=2))
    assert err.value.field == "themes"


# ------------------------------------------------------------------------------------------ no self-competition

def test_same_theme_overlap_on_a_departement_is_at_most_five_percent(traffic13):
    plan, payloads = traffic13
    assert plan.same_theme_overlap is not None and plan.same_theme_overlap <= 0.05
    assert any("même thème" in n for n in plan.notes)
    # the defect it fixes: the same circles without the exclusions overlap for a large share of people
    bare = json.loads(json.dumps(payloads))
    for ad_set in bare["ad_sets"]:
        ad_set["targeting"].pop("excluded_geo_locations", None)
    assert same_theme_overlap(bare) > 0.3


def test_postcode_targeting_gives_each_postcode_to_one_ad_set(example):
    plan, payloads = plan_campaign(variant(example, objective="traffic", budget_eur=3000, geo="postcodes"),
                                   settings=SETTINGS)
    seen: dict[str, str] = {}
    for ad_set in payloads["ad_sets"]:
        for z in ad_set["targeting"]["geo_locations"].get("zips", []):
            assert z["key"] not in seen, f"{z['key']} in {seen.get(z['key'])} and {ad_set['name']}"
            seen[z["key"]] = ad_set["name"]
    assert seen and plan.same_theme_overlap <= 0.05


# ------------------------------------------------------------------------------------------ placements, frequency

def test_placements_and_frequency_cap(traffic13, example):
    _, traffic = traffic13
    spec = traffic["ad_sets"][0]["targeting"]
    assert spec["publisher_platforms"] == ["facebook", "instagram"]  # Audience Network off
    assert spec["facebook_positions"] == ["feed", "story", "facebook_reels"]
    assert spec["instagram_positions"] == ["stream", "story", "reels"]
    assert "frequency_control_specs" not in traffic["ad_sets"][0]  # Meta takes it with REACH only
    reach = build_payloads(build_plan(example, settings=NetworkSettings(frequency_max=3, frequency_days=14)))
    assert reach["ad_sets"][0]["frequency_control_specs"] == [
        {"event": "IMPRESSIONS", "interval_days": 14, "max_frequency": 3}]
    network = build_payloads(build_plan(example, settings=NetworkSettings(audience_network=True)))
    assert "audience_network" in network["ad_sets"][0]["targeting"]["publisher_platforms"]


def test_graph_server_accepts_the_plan_and_refuses_a_cap_on_clicks(graph, traffic13, tmp_path):
    plan, payloads = traffic13
    small = dict(payloads, ad_sets=payloads["ad_sets"][:2], creatives=payloads["creatives"][:2],
                 ads=payloads["ads"][:2])
    MetaClient("act_1234567", sleep=lambda _s: None).push(small, with_visuals(tmp_path / "ok", plan))
    sent = graph.created("adset")[0]["targeting"]
    assert sent["excluded_geo_locations"]["zips"] and sent["publisher_platforms"] == ["facebook", "instagram"]
    capped = json.loads(json.dumps(small))
    capped["ad_sets"][0]["frequency_control_specs"] = [{"event": "IMPRESSIONS", "interval_days": 7,
                                                        "max_frequency": 2}]
    with pytest.raises(MetaError, match="plafond de fréquence") as err:
        MetaClient("act_1234567", sleep=lambda _s: None).push(capped, with_visuals(tmp_path / "capped", plan))
    assert err.value.field == "frequency_control_specs"


# ------------------------------------------------------------------------------------------ special ad categories

def test_employment_theme_gets_a_campaign_under_metas_rules(graph, example, tmp_path):
    narrowed = variant(example, themes=["emploi-formation"], audience={"age_min": 25, "age_max": 45},
                       geo="postcodes", budget_eur=600)
    plan, payloads = plan_campaign(narrowed, settings=SETTINGS)
    assert payloads["campaign"]["special_ad_categories"] == ["EMPLOYMENT"]
    assert payloads["campaign"]["special_ad_category_country"] == ["FR"]
    for ad_set in payloads["ad_sets"]:
        t = ad_set["targeting"]
        assert (t["age_min"], t["age_max"]) == (18, 65) and "flexible_spec" not in t
        assert "zips" not in t["geo_locations"] and "excluded_geo_locations" not in t
        assert all(c["radius"] >= 24.2 for c in t["geo_locations"]["custom_locations"])
    assert len(payloads["ad_sets"]) == 1  # the département's circles together: no self-competition
    text = " ".join(plan.notes)
    assert "EMPLOYMENT" in text and "25–45 remplacés par 18–65+" in text and "codes postaux remplacé" in text
    MetaClient("act_1234567", sleep=lambda _s: None).push(payloads, with_visuals(tmp_path / "ok", plan))
    # the defect: the same theme planned as an ordinary campaign would send what Meta refuses in the category
    ordinary = json.loads(json.dumps(payloads))
    ordinary["ad_sets"][0]["targeting"]["geo_locations"]["custom_locations"][0]["radius"] = 5.0
    with pytest.raises(MetaError, match="catégorie spéciale"):
        MetaClient("act_1234567", sleep=lambda _s: None).push(ordinary, with_visuals(tmp_path / "refused", plan))


def test_employment_theme_mixed_with_others_gets_a_meta_campaign_of_its_own(graph, example, tmp_path):
    mixed = variant(example, themes=["science-fiction", "emploi-formation"], audience={"age_min": 25, "age_max": 45},
                    geo="postcodes", budget_eur=3000, objective="traffic")
    plan, payloads = plan_campaign(mixed, settings=SETTINGS)
    main, = [payloads["campaign"]]
    special, = payloads["special_campaigns"]
    assert main["special_ad_categories"] == [] and "special_ad_category_country" not in main
    assert special["special_ad_categories"] == ["EMPLOYMENT"] and special["special_ad_category_country"] == ["FR"]
    assert special["ref"] == "campaign/employment" and "EMPLOYMENT" in special["name"]
    assert special["objective"] == main["objective"] == "OUTCOME_TRAFFIC"
    by_theme = {}
    for ad_set in payloads["ad_sets"]:
        by_theme.setdefault(ad_set["ref"].split("--")[0], []).append(ad_set)
    for ad_set in by_theme["emploi-formation"]:
        t = ad_set["targeting"]
        assert ad_set["campaign_id"] == "ref:campaign/employment"
        assert (t["age_min"], t["age_max"]) == (18, 65) and "flexible_spec" not in t
        assert "zips" not in t["geo_locations"] and "excluded_geo_locations" not in t
        assert all(c["radius"] >= 24.2 for c in t["geo_locations"]["custom_locations"])
    for ad_set in by_theme["science-fiction"]:  # the other theme keeps the campaign file's targeting
        t = ad_set["targeting"]
        assert ad_set["campaign_id"] == "ref:campaign" and (t["age_min"], t["age_max"]) == (25, 45)
        assert t["geo_locations"].get("zips") and t.get("flexible_spec")
    # the budget is shared per theme, as in a single campaign
    spent = {theme: sum(a["daily_budget"] for a in sets) for theme, sets in by_theme.items()}
    assert abs(spent["emploi-formation"] - spent["science-fiction"]) <= len(payloads["ad_sets"])
    text = " ".join(plan.notes)
    assert "campagne Meta à part" in text and "25–45 remplacés par 18–65+" in text
    # Ads Manager's sheet names each ad's own campaign and category
    rows = {r["Ad Set Name"]: r for r in sheet.rows(payloads)}
    for ad_set in payloads["ad_sets"]:
        row = rows[ad_set["name"]]
        employment = ad_set["campaign_id"] == "ref:campaign/employment"
        assert row["Campaign Name"] == (special if employment else main)["name"]
        assert row["Special Ad Categories"] == ("EMPLOYMENT" if employment else "None")
    # both campaigns pushed, each ad set under its own; a second push creates nothing and updates in place
    folder = with_visuals(tmp_path / "mixed", plan)
    client = MetaClient("act_1234567", sleep=lambda _s: None)
    report = client.push(payloads, folder)
    ids = json.loads((folder / "meta-ids.json").read_text(encoding="utf-8"))
    assert {"campaign", "campaign/employment"} <= set(ids) and ids["_campaign_identity"] == mixed.id
    campaigns = {c["id"]: c for c in graph.created("campaign")}
    assert campaigns[ids["campaign/employment"]]["special_ad_categories"] == ["EMPLOYMENT"]
    for ad_set in payloads["ad_sets"]:
        assert graph.objects[report.ids[ad_set["ref"]]]["params"]["campaign_id"] == \
            ids[ad_set["campaign_id"].removeprefix("ref:")]
    before = len(graph.objects)
    changed = json.loads(json.dumps(payloads))
    changed["special_campaigns"][0]["name"] += " (bis)"
    again = client.push(changed, folder)
    assert len(graph.objects) == before and again.updated == ["campaign/employment"]


def test_a_category_the_campaign_file_declares_itself_gets_metas_rules_and_passes_the_graph_server(
        graph, example, tmp_path):
    """`special_ad_categories: [EMPLOYMENT]` in the file, on an ordinary theme: the whole campaign is in that
    category at Meta, so its ad sets follow the category's rules (the plan used to keep ages, interests and
    small circles, which Meta refuses)."""
    declared = variant(example, themes=["science-fiction"], special_ad_categories=["EMPLOYMENT"],
                       territory={"departement": "13", "branches": ["5425", "5424"]})
    plan, payloads = plan_campaign(declared, settings=SETTINGS)
    assert plan.special_campaign is None and payloads["campaign"]["special_ad_categories"] == ["EMPLOYMENT"]
    for ad_set in payloads["ad_sets"]:
        t = ad_set["targeting"]
        assert (t["age_min"], t["age_max"]) == (18, 65) and "flexible_spec" not in t and "zips" not in t["geo_locations"]
        assert all(c["radius"] >= 24.2 for c in t["geo_locations"]["custom_locations"])
    assert any(n.startswith("Catégorie spéciale de publicité EMPLOYMENT (déclarée dans le fichier de campagne) : ")
               for n in plan.notes)
    MetaClient("act_1234567", sleep=lambda _s: None).push(payloads, with_visuals(tmp_path, plan))


def test_graph_server_refuses_what_meta_refuses_in_a_special_category(graph, example, tmp_path):
    plan, payloads = plan_campaign(variant(example, themes=["science-fiction", "emploi-formation"]), settings=SETTINGS)
    employment = next(a for a in payloads["ad_sets"] if a["campaign_id"] == "ref:campaign/employment")
    breaks = {
        "age": lambda t: t.update(age_min=25),
        "postcodes": lambda t: t["geo_locations"].update(zips=[{"key": "FR:13001"}]),
        "small radius": lambda t: t["geo_locations"]["custom_locations"][0].update(radius=10),
        "interests": lambda t: t.update(flexible_spec=[{"interests": [{"id": "9990000000001", "name": "x"}]}]),
        "excluded interests": lambda t: t.update(exclusions={"interests": [{"id": "9990000000001", "name": "x"}]}),
    }
    for n, edit in enumerate(breaks.values()):
        broken = json.loads(json.dumps(payloads))
        target = next(a for a in broken["ad_sets"] if a["ref"] == employment["ref"])
        edit(target["targeting"])
        folder = with_visuals(tmp_path / f"broken{n}", plan)
        with pytest.raises(MetaError, match="catégorie spéciale"):
            MetaClient("act_1234567", sleep=lambda _s: None).push(broken, folder)
