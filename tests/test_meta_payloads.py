"""Plan → Marketing API params: the SDK's own names and enums, Meta's current rules."""

import json

import pytest
from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.adset import AdSet
from facebook_business.adobjects.campaign import Campaign as MetaCampaign
from facebook_business.api import FacebookAdsApi
from facebook_business.session import FacebookSession

from outreach.campaign import campaign_from_dict, load_campaign
from outreach.meta.payloads import API_VERSION, build_payloads, creative_texts, paris_time, without_ref
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
    assert set(payloads) == {"api_version", "campaign_identity", "campaign", "images", "ad_sets", "creatives", "ads"}
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
    # every creative has a visual (Meta refuses a link ad without one): an image the push uploads first
    images = {i["ref"]: i for i in payloads["images"]}
    for creative in payloads["creatives"]:
        shown = creative_texts(creative)
        assert shown["image_hash"].removeprefix("ref:") in images
        # the drawn visuals come in 9:16 too, for stories and reels
        assert images[shown["story_image_hash"].removeprefix("ref:")]["placement"] == "story"
    assert all(i["file"] == "images/" + i["ref"].removeprefix("image/") and i["alt_text"]
               for i in images.values())
    json.dumps(payloads)  # plain JSON


def test_two_campaigns_named_alike_share_no_meta_name_nor_statistics():
    # two networks (or two seasons) both call their campaign « SF » : their identities differ
    first, second = (plan_of(name="SF", id=identity, territory={"departement": "13", "branches": ["5423"]})
                     for identity in ("sf-1a2b3c4d", "sf-9f8e7d6c"))
    a, b = build_payloads(first), build_payloads(second)
    assert a["campaign"]["name"] == "SF [1a2b3c4d]" and b["campaign"]["name"] == "SF [9f8e7d6c]"
    tags = [{p.split("=")[0]: p.split("=")[1] for p in c["url_tags"].split("&")} for c in (a, b)
            for c in [c["creatives"][0]]]
    assert tags[0]["utm_campaign"] == "sf-1a2b3c4d" and tags[1]["utm_campaign"] == "sf-9f8e7d6c"
    # an identity written by hand, without the random tail, goes in whole
    assert build_payloads(plan_of(id="bibliotheques-2027"))["campaign"]["name"].endswith("[bibliotheques-2027]")


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
        link = creative_texts(creative)
        assert link["link"].startswith("https://") and link["call_to_action"] == "LEARN_MORE"
        assert link["message"] and link["name"] and len(link["name"]) <= 40
        # the campaign file's identity, not its name's slug (outreach.campaign.new_identity)
        assert "utm_campaign=exemple-sf-bouches-du-rhone&" in creative["url_tags"]
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


def feed_only(plan):
    """The plan with its visuals in their feed format alone, as an officer's image without a 9:16 one."""
    for a in plan.ad_sets:
        a.visual = a.visual.model_copy(update={"story_file_name": ""})
    return plan


def test_feeds_get_the_4_5_visual_and_stories_and_reels_the_9_16_one(payloads):
    """Meta's placement asset customization: labelled images, and one rule per group of positions."""
    for creative in payloads["creatives"]:
        feed = creative["asset_feed_spec"]
        assert "link_data" not in creative["object_story_spec"] and "degrees_of_freedom_spec" not in creative
        assert feed["optimization_type"] == "PLACEMENT" and feed["ad_formats"] == ["SINGLE_IMAGE"]
        by_label = {i["adlabels"][0]["name"]: i["hash"] for i in feed["images"]}
        rules = {r["image_label"]["name"]: r["customization_spec"] for r in feed["asset_customization_rules"]}
        assert rules["fil"]["facebook_positions"] == ["feed"] and rules["fil"]["instagram_positions"] == ["stream"]
        assert set(rules["story"]["facebook_positions"]) == {"story", "facebook_reels"}
        assert set(rules["story"]["instagram_positions"]) == {"story", "reels"}
        assert by_label["story"].endswith("-9x16.png") and not by_label["fil"].endswith("-9x16.png")
        assert len(feed["descriptions"]) == 1


def test_text_options_rotate_the_drafts_wordings_only():
    plan = feed_only(plan_of())
    p = build_payloads(plan)
    with_options = [c for c in p["creatives"] if "asset_feed_spec" in c]
    for creative, ad_set in zip(p["creatives"], plan.ad_sets, strict=True):
        spec = creative.get("asset_feed_spec")
        if spec is None:
            continue
        link = creative["object_story_spec"]["link_data"]
        assert spec["bodies"][0]["text"] == link["message"] and spec["titles"][0]["text"] == link["name"]
        assert max(len(spec["bodies"]), len(spec["titles"])) >= 2 and len(spec["bodies"]) <= 5
        assert [b["text"] for b in spec["bodies"][1:]] == ad_set.copy.other_primary_texts
        assert spec["link_urls"] == [{"website_url": link["link"]}]
        # only Meta's rotation of our own texts: nothing generated
        assert creative["degrees_of_freedom_spec"]["text_transformation_types"] == ["TEXT_LIQUIDITY"]
    assert with_options
    # no text options for a special ad category, nor once the officer rewrote the text
    assert not any("asset_feed_spec" in c for c in build_payloads(feed_only(plan_of(
        special_ad_categories=["EMPLOYMENT"])))["creatives"])
    ref = plan.ad_sets[0].ref
    edited = plan_of(copy_overrides={ref: {"primary_text": "Notre texte.", "headline": "Notre titre"}})
    first = next(a for a in edited.ad_sets if a.ref == ref)
    assert first.copy.other_primary_texts == [] and first.copy.other_headlines == []
