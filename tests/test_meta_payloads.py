"""Plan → Marketing API params: the SDK's own names and enums, Meta's current rules."""

import json

import pytest
from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.adset import AdSet
from facebook_business.adobjects.campaign import Campaign as MetaCampaign
from facebook_business.api import FacebookAdsApi
from facebook_business.session import FacebookSession

from outreach.campaign import campaign_from_dict, load_campaign
from outreach.meta.payloads import API_VERSION, build_payloads, paris_time, without_ref
from outreach.planner import build_plan
from outreach.settings import NetworkSettings
from tests.support import ROOT

EXAMPLE = ROOT / "campaigns" / "exemple-sf-bouches-du-rhone.yaml"
SETTINGS = NetworkSettings()


def plan_of(**changes):
    base = load_campaign(EXAMPLE, settings=SETTINGS)
    campaign = campaign_from_dict(base.model_dump() | changes, settings=SETTINGS)
    return build_plan(campaign, min_daily_budget_eur=1.0)


@pytest.fixture(scope="module")
def payloads():
    return build_payloads(plan_of())


def test_file_shape_and_links(payloads):
    assert set(payloads) == {"api_version", "campaign_identity", "campaign", "ad_sets", "creatives", "ads"}
    assert payloads["api_version"] == API_VERSION == "v26.0"
    n = len(payloads["ad_sets"])
    assert len(payloads["creatives"]) == len(payloads["ads"]) == n
    refs = {o["ref"] for kind in ("ad_sets", "creatives", "ads") for o in payloads[kind]} | {"campaign"}
    assert len(refs) == 3 * n + 1
    for ad_set in payloads["ad_sets"]:
        assert ad_set["campaign_id"] == "ref:campaign"
    for ad in payloads["ads"]:
        assert ad["adset_id"].removeprefix("ref:") in refs
        assert ad["creative"]["creative_id"].removeprefix("ref:") in refs
    json.dumps(payloads)  # plain JSON


def test_campaign_params(payloads):
    c = payloads["campaign"]
    assert c[MetaCampaign.Field.objective] == MetaCampaign.Objective.outcome_awareness
    assert c[MetaCampaign.Field.status] == MetaCampaign.Status.paused
    assert c[MetaCampaign.Field.special_ad_categories] == []
    assert c[MetaCampaign.Field.is_adset_budget_sharing_enabled] is False
    assert "daily_budget" not in c and "lifetime_budget" not in c


def test_ad_set_params_follow_meta_rules(payloads):
    for a in payloads["ad_sets"]:
        assert (a["optimization_goal"], a["billing_event"]) == ("REACH", "IMPRESSIONS")
        assert a["status"] == "PAUSED" and a["bid_strategy"] == "LOWEST_COST_WITHOUT_CAP"
        assert isinstance(a["daily_budget"], int) and a["daily_budget"] >= 100
        assert a["start_time"] == "2027-03-01T00:00:00+0100"
        assert a["end_time"] == "2027-03-31T23:59:00+0200"  # summer time starts on 28 March 2027
        assert a["dsa_beneficiary"].startswith("Ville de") and a["dsa_payor"].startswith("Ville de")
        t = a["targeting"]
        assert t["age_min"] >= 18 and t["age_max"] == 65
        assert t["targeting_automation"] == {"advantage_audience": 0}
        circles = t["geo_locations"]["custom_locations"]
        assert circles and all(c["distance_unit"] == "kilometer" and 1 <= c["radius"] <= 80 for c in circles)
        assert set(circles[0]) == {"latitude", "longitude", "radius", "distance_unit"}
        assert "location_types" not in json.dumps(t)
        assert t["flexible_spec"][0]["interests"][0]["name"] == "Science fiction"
    # the whole stays within the campaign budget
    days = 31
    assert sum(a["daily_budget"] for a in payloads["ad_sets"]) * days <= 300 * 100


def test_creatives_and_ads(payloads):
    for creative in payloads["creatives"]:
        spec = creative["object_story_spec"]
        assert spec["page_id"] == "1234567890"
        assert "instagram_actor_id" not in json.dumps(creative) and "instagram_user_id" not in spec
        link = spec["link_data"]
        assert link["link"].startswith("https://")
        assert link["call_to_action"] == {"type": "LEARN_MORE", "value": {"link": link["link"]}}
        assert link["message"] and link["name"] and len(link["name"]) <= 40
        assert "utm_campaign=sf-pres-de-chez-vous-bouches-du-rhone" in creative["url_tags"]
    assert all(ad["status"] == "PAUSED" for ad in payloads["ads"])


def test_traffic_postcodes_instagram_and_custom_audiences():
    plan = plan_of(objective="traffic", geo="postcodes",
                   advertiser={"page_id": "1234567890", "instagram_user_id": "99990000000001",
                               "beneficiary": "Ville de Marseille", "payer": "Ville de Marseille"},
                   custom_audiences=[{"id": "99980000000001", "name": "Abonnés lettre", "source": "questionnaire"}])
    p = build_payloads(plan)
    assert p["campaign"]["objective"] == "OUTCOME_TRAFFIC"
    a = p["ad_sets"][0]
    assert (a["optimization_goal"], a["destination_type"]) == ("LINK_CLICKS", "WEBSITE")
    zips = a["targeting"]["geo_locations"]["zips"]
    assert zips and all(z["key"].startswith("FR:13") for z in zips)
    assert "custom_locations" not in a["targeting"]["geo_locations"]
    assert a["targeting"]["custom_audiences"] == [{"id": "99980000000001", "name": "Abonnés lettre"}]
    assert p["creatives"][0]["object_story_spec"]["instagram_user_id"] == "99990000000001"


def test_special_categories_bring_the_country():
    p = build_payloads(plan_of(special_ad_categories=["EMPLOYMENT"]))
    assert p["campaign"]["special_ad_categories"] == ["EMPLOYMENT"]
    assert p["campaign"]["special_ad_category_country"] == ["FR"]


def test_paris_time_offsets():
    from datetime import date, time

    assert paris_time(date(2027, 1, 15), time(0, 0)) == "2027-01-15T00:00:00+0100"
    assert paris_time(date(2027, 7, 15), time(23, 59)) == "2027-07-15T23:59:00+0200"


def test_params_are_what_the_sdk_sends(payloads, monkeypatch):
    """The SDK accepts every param (its type checker knows them) and sends them unchanged."""
    monkeypatch.setattr("facebook_business.api.FacebookAdsApi._default_api", None)
    api = FacebookAdsApi(FacebookSession(access_token="x"), API_VERSION)
    account = AdAccount("act_1", api=api)
    request = account.create_ad_set(params={**without_ref(payloads["ad_sets"][0]), "campaign_id": "1"},
                                    pending=True)
    sent = request.get_params()
    assert sent[AdSet.Field.targeting]["targeting_automation"] == {"advantage_audience": 0}
    assert sent[AdSet.Field.daily_budget] == payloads["ad_sets"][0]["daily_budget"]
    campaign_request = account.create_campaign(params=without_ref(payloads["campaign"]), pending=True)
    assert campaign_request.get_params()["objective"] == "OUTCOME_AWARENESS"
