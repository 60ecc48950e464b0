"""Each field of the Marketing API params that a campaign's choices change, on hand-made ad sets
(issue 19's mutation survivors): circles, postcodes and their exclusions, interests, audiences, placements,
the frequency cap, visuals and the text options."""

import pytest

from outreach.meta.payloads import (
    ad_params,
    ad_set_params,
    build_payloads,
    campaign_params,
    creative_params,
    image_params,
    targeting,
    text_options,
    without_ref,
)
from outreach.planner import InterestRef, Location
from tests.test_meta_payloads import plan_of


@pytest.fixture(scope="module")
def plan():
    return plan_of()


def one_ad_set(plan, **changes):
    """The plan's first ad set with some fields changed (the plan itself is left as it is)."""
    return plan.ad_sets[0].model_copy(update=changes)


def location(branch_id, lat, lon, radius_km):
    return Location(branch_id=branch_id, branch_name=branch_id, lat=lat, lon=lon, radius_km=radius_km,
                    population=100, area_codes=[])


def test_circles_give_each_location_rounded_to_six_decimals_in_kilometres(plan):
    merged = one_ad_set(plan, locations=[location("a", 43.29650049, 5.36978051, 2.5),
                                         location("b", 43.2927, 5.5708, 7.0)], excluded_postcodes=[])
    assert targeting(plan, merged)["geo_locations"] == {"custom_locations": [
        {"latitude": 43.2965, "longitude": 5.369781, "radius": 2.5, "distance_unit": "kilometer"},
        {"latitude": 43.2927, "longitude": 5.5708, "radius": 7.0, "distance_unit": "kilometer"}]}
    single = one_ad_set(plan, locations=[], lat=43.1748004, lon=5.6045996, radius_km=4.2, excluded_postcodes=[])
    spec = targeting(plan, single)
    assert spec["geo_locations"] == {"custom_locations": [
        {"latitude": 43.1748, "longitude": 5.6046, "radius": 4.2, "distance_unit": "kilometer"}]}
    assert "excluded_geo_locations" not in spec


def test_postcodes_inside_another_ad_sets_circles_are_excluded_from_circles_only(plan):
    circles = one_ad_set(plan, excluded_postcodes=["13010", "13011"])
    assert targeting(plan, circles)["excluded_geo_locations"] == {"zips": [{"key": "FR:13010"},
                                                                           {"key": "FR:13011"}]}
    by_postcode = plan.model_copy(update={"campaign": plan.campaign.model_copy(update={"geo": "postcodes"})})
    spec = targeting(by_postcode, one_ad_set(plan, postcodes=["13001", "13002"], excluded_postcodes=["13010"]))
    assert spec["geo_locations"] == {"zips": [{"key": "FR:13001"}, {"key": "FR:13002"}]}
    assert "excluded_geo_locations" not in spec
    # an ad set left without a postcode of its own keeps its circle rather than targeting nothing
    fallback = targeting(by_postcode, one_ad_set(plan, postcodes=[], locations=[], excluded_postcodes=[]))
    assert list(fallback["geo_locations"]) == ["custom_locations"]
    # circles campaigns never target postcodes, even when the ad set knows them
    assert list(targeting(plan, one_ad_set(plan, postcodes=["13001"]))["geo_locations"]) == ["custom_locations"]


def test_interests_with_and_without_meta_ids_and_none(plan):
    ad_set = one_ad_set(plan, interests=[InterestRef(name="Science fiction", id="6003"),
                                         InterestRef(name="Fantasy")])
    spec = targeting(plan, ad_set)
    assert spec["flexible_spec"] == [{"interests": [{"id": "6003", "name": "Science fiction"},
                                                    {"name": "Fantasy"}]}]
    assert "flexible_spec" not in targeting(plan, one_ad_set(plan, interests=[]))
    assert (spec["age_min"], spec["age_max"]) == (plan.campaign.audience.age_min, plan.campaign.audience.age_max)
    assert spec["targeting_automation"] == {"advantage_audience": 0}


def test_custom_audiences_with_and_without_a_name():
    plan = plan_of(custom_audiences=[{"id": "1", "name": "Abonnés", "source": "questionnaire"},
                                     {"id": "2", "source": "questionnaire"}])
    assert targeting(plan, plan.ad_sets[0])["custom_audiences"] == [{"id": "1", "name": "Abonnés"}, {"id": "2"}]
    assert "custom_audiences" not in targeting(plan_of(), plan_of().ad_sets[0])


def test_placements_are_said_and_audience_network_only_on_request(plan):
    spec = targeting(plan, plan.ad_sets[0])
    assert spec["publisher_platforms"] == ["facebook", "instagram"]
    assert spec["facebook_positions"] == ["feed", "story", "facebook_reels"]
    assert spec["instagram_positions"] == ["stream", "story", "reels"]
    assert "audience_network_positions" not in spec
    wide = plan.model_copy(update={"delivery": plan.delivery.model_copy(update={"audience_network": True})})
    spec = targeting(wide, wide.ad_sets[0])
    assert spec["publisher_platforms"] == ["facebook", "instagram", "audience_network"]
    assert spec["audience_network_positions"] == ["classic"]


def test_the_frequency_cap_on_reach_only_and_only_when_set(plan):
    params = ad_set_params(plan, plan.ad_sets[0])
    assert params["frequency_control_specs"] == [{"event": "IMPRESSIONS", "interval_days": 7, "max_frequency": 2}]
    weekly3 = plan.model_copy(update={"delivery": plan.delivery.model_copy(update={"frequency_max": 3,
                                                                                   "frequency_days": 14})})
    assert ad_set_params(weekly3, weekly3.ad_sets[0])["frequency_control_specs"] == [
        {"event": "IMPRESSIONS", "interval_days": 14, "max_frequency": 3}]
    uncapped = plan.model_copy(update={"delivery": plan.delivery.model_copy(update={"frequency_max": None})})
    assert "frequency_control_specs" not in ad_set_params(uncapped, uncapped.ad_sets[0])
    traffic = plan_of(objective="traffic")
    assert "frequency_control_specs" not in ad_set_params(traffic, traffic.ad_sets[0])  # Meta refuses it there


def test_ad_set_params_name_budget_and_parent(plan):
    ad_set = plan.ad_sets[0]
    params = ad_set_params(plan, ad_set)
    assert params["ref"] == ad_set.ref and params["name"] == ad_set.name
    assert params["campaign_id"] == "ref:campaign"
    assert params["daily_budget"] == ad_set.daily_budget_cents
    assert "destination_type" not in params  # awareness sends no one anywhere
    assert params["targeting"] == targeting(plan, ad_set)


def test_campaign_params_without_special_categories_have_no_country(plan):
    params = campaign_params(plan)
    assert params["ref"] == "campaign"
    assert params["name"] == "SF près de chez vous — Bouches-du-Rhône [exemple-sf-bouches-du-rhone]"
    assert params["is_adset_budget_sharing_enabled"] is False
    assert "special_ad_category_country" not in params


def test_creatives_carry_the_visual_the_texts_and_the_tracking(plan):
    # a visual without its 9:16 version: one link ad (with one, see placement_feed in test_meta_payloads.py)
    first = plan.ad_sets[0]
    ad_set = one_ad_set(plan, visual=first.visual.model_copy(update={"story_file_name": None}))
    creative = creative_params(plan, ad_set)
    assert creative["ref"] == f"{ad_set.ref}/creative"
    assert creative["name"] == f"{ad_set.name} — visuel"
    assert creative["url_tags"] == ad_set.url_tags
    link = creative["object_story_spec"]["link_data"]
    assert link["image_hash"] == f"ref:image/{ad_set.visual.file_name}"
    assert (link["message"], link["name"], link["description"]) == (
        ad_set.copy.primary_text, ad_set.copy.headline, ad_set.copy.description)
    assert link["link"] == ad_set.landing_url
    assert list(creative["object_story_spec"]) == ["page_id", "link_data"]
    without_visual = creative_params(plan, one_ad_set(plan, visual=None))
    assert "image_hash" not in without_visual["object_story_spec"]["link_data"]


def test_text_options_only_when_the_draft_has_other_wordings(plan):
    ad_set = plan.ad_sets[0]
    copy = ad_set.copy
    options = text_options(plan, ad_set)
    assert options["asset_feed_spec"] == {
        "optimization_type": "DEGREES_OF_FREEDOM",
        "bodies": [{"text": t} for t in [copy.primary_text, *copy.other_primary_texts]],
        "titles": [{"text": t} for t in [copy.headline, *copy.other_headlines]],
        "descriptions": [{"text": copy.description}],
        "link_urls": [{"website_url": ad_set.landing_url}],
        "call_to_action_types": ["LEARN_MORE"],
    }
    assert options["degrees_of_freedom_spec"] == {"degrees_of_freedom_type": "USER_ENROLLED",
                                                  "text_transformation_types": ["TEXT_LIQUIDITY"]}
    single = copy.model_copy(update={"other_primary_texts": [], "other_headlines": []})
    assert text_options(plan, one_ad_set(plan, copy=single)) == {}
    bodies_only = copy.model_copy(update={"other_primary_texts": ["Autre texte."], "other_headlines": []})
    assert [b["text"] for b in text_options(plan, one_ad_set(plan, copy=bodies_only))["asset_feed_spec"]
            ["bodies"]] == [copy.primary_text, "Autre texte."]


def test_ads_link_their_ad_set_and_creative_paused(plan):
    ad_set = plan.ad_sets[0]
    assert ad_params(ad_set) == {"ref": f"{ad_set.ref}/ad", "name": ad_set.name, "adset_id": f"ref:{ad_set.ref}",
                                 "creative": {"creative_id": f"ref:{ad_set.ref}/creative"}, "status": "PAUSED"}


def test_images_once_per_file_with_their_description(plan):
    first = plan.ad_sets[0]
    twice = plan.model_copy(update={"ad_sets": [first, one_ad_set(plan, ref="autre"),
                                                one_ad_set(plan, ref="sans", visual=None)]})
    feed, story = first.visual.file_name, first.visual.story_file_name
    assert image_params(twice) == [
        {"ref": f"image/{feed}", "file": f"images/{feed}", "source": first.visual.source,
         "alt_text": first.visual.alt_text},
        {"ref": f"image/{story}", "file": f"images/{story}", "source": first.visual.source,
         "alt_text": first.visual.alt_text, "placement": "story"}]
    payloads = build_payloads(twice)
    assert payloads["campaign_identity"] == plan.campaign.id == "exemple-sf-bouches-du-rhone"
    assert [a["ref"] for a in payloads["ad_sets"]] == [first.ref, "autre", "sans"]
    assert [c["ref"] for c in payloads["creatives"]] == [f"{first.ref}/creative", "autre/creative", "sans/creative"]
    assert [a["ref"] for a in payloads["ads"]] == [f"{first.ref}/ad", "autre/ad", "sans/ad"]


def test_without_ref_removes_only_the_bookkeeping_key(plan):
    params = ad_params(plan.ad_sets[0])
    sent = without_ref(params)
    assert "ref" not in sent and sent == {k: v for k, v in params.items() if k != "ref"} and len(sent) == 4


def test_what_a_creative_says_read_back_from_either_shape(plan):
    """creative_texts feeds the Ads Manager sheet: the same texts and images from a link ad and from a
    placement-customised asset feed."""
    from outreach.meta.payloads import creative_texts

    first = plan.ad_sets[0]
    link_ad = creative_params(plan, one_ad_set(plan, visual=first.visual.model_copy(update={"story_file_name": None})))
    expected = {"message": first.copy.primary_text, "name": first.copy.headline,
                "description": first.copy.description, "link": first.landing_url, "call_to_action": "LEARN_MORE",
                "image_hash": f"ref:image/{first.visual.file_name}", "story_image_hash": ""}
    assert creative_texts(link_ad) == expected
    feed_ad = creative_params(plan, first)  # the example's visuals have their 9:16 version
    assert "link_data" not in feed_ad["object_story_spec"]
    assert creative_texts(feed_ad) == expected | {
        "image_hash": f"ref:image/{first.visual.file_name}",
        "story_image_hash": f"ref:image/{first.visual.story_file_name}"}
    assert creative_texts({}) == {"message": "", "name": "", "description": "", "link": "", "call_to_action": "",
                                  "image_hash": "", "story_image_hash": ""}


def test_the_link_ads_button_leads_to_the_landing_page(plan):
    ad_set = one_ad_set(plan, visual=plan.ad_sets[0].visual.model_copy(update={"story_file_name": None}))
    link = creative_params(plan, ad_set)["object_story_spec"]["link_data"]
    assert link["call_to_action"] == {"type": "LEARN_MORE", "value": {"link": ad_set.landing_url}}


def test_an_ad_of_a_special_category_keeps_to_its_first_wording():
    """Text options are left out of the special category's own campaign, even beside ordinary themes."""
    mixed = plan_of(themes=["science-fiction", "emploi-formation"], budget_eur=1000,
                    territory={"departement": "13", "branches": ["5424", "5425"]})
    jobs = next(a for a in mixed.ad_sets if a.theme_id == "emploi-formation")
    sf = next(a for a in mixed.ad_sets if a.theme_id == "science-fiction")
    worded = sf.copy.model_copy(update={"other_primary_texts": ["Autre texte."], "other_headlines": ["Autre titre"]})
    assert mixed.campaign.special_ad_categories == [] and mixed.special_campaign.special_ad_categories
    assert text_options(mixed, jobs.model_copy(update={"copy": worded})) == {}
    assert text_options(mixed, sf.model_copy(update={"copy": worded}))["asset_feed_spec"]["bodies"] == [
        {"text": worded.primary_text}, {"text": "Autre texte."}]


def test_what_a_creative_says_when_parts_of_it_are_missing():
    """An incomplete creative (a meta-api.json edited by hand, or written by an older version) reads as empty
    texts where its parts are missing, never as None."""
    from outreach.meta.payloads import creative_texts

    empty = dict.fromkeys(("message", "name", "description", "link", "call_to_action", "image_hash",
                           "story_image_hash"), "")
    link_only = {"object_story_spec": {"link_data": {"link": "https://exemple.fr"}}}
    assert creative_texts(link_only) == empty | {"link": "https://exemple.fr"}
    titled = {"object_story_spec": {"link_data": {"name": "Titre", "call_to_action": {"type": "LEARN_MORE"}}}}
    assert creative_texts(titled) == empty | {"name": "Titre", "call_to_action": "LEARN_MORE"}
    feed = {"asset_feed_spec": {"bodies": [], "titles": [{}], "descriptions": [None],
                                "link_urls": [{"website_url": "https://exemple.fr"}],
                                "images": [{"hash": "h1"}, {"adlabels": [{"name": "story"}], "hash": "h2"},
                                           {"adlabels": [{"name": "fil"}]}]}}
    assert creative_texts(feed) == empty | {"link": "https://exemple.fr", "story_image_hash": "h2"}


def test_with_audience_network_the_feed_image_serves_its_positions_too(plan):
    """Placement asset customization: every position the ad set delivers to has its image, Audience Network's
    included when the settings ask for it (with the feed image); without it, Facebook and Instagram only."""
    from outreach.meta.payloads import placement_feed

    ad_set = plan.ad_sets[0]

    def rules(feed):
        return [(r["image_label"]["name"], r["customization_spec"], r["priority"])
                for r in feed["asset_customization_rules"]]

    story = ("story", {"publisher_platforms": ["facebook", "instagram"],
                       "facebook_positions": ["story", "facebook_reels"], "instagram_positions": ["story", "reels"]}, 2)
    feeds = {"publisher_platforms": ["facebook", "instagram"], "facebook_positions": ["feed"],
             "instagram_positions": ["stream"]}
    assert rules(placement_feed(ad_set)) == [("fil", feeds, 1), story]
    wide = feeds | {"publisher_platforms": ["facebook", "instagram", "audience_network"],
                    "audience_network_positions": ["classic"]}
    assert rules(placement_feed(ad_set, True)) == [("fil", wide, 1), story]
    network = plan.model_copy(update={"delivery": plan.delivery.model_copy(update={"audience_network": True})})
    assert rules(creative_params(network, ad_set)["asset_feed_spec"]) == [("fil", wide, 1), story]
    assert rules(creative_params(plan, ad_set)["asset_feed_spec"]) == [("fil", feeds, 1), story]


def test_each_placement_rule_names_the_texts_the_feed_labels(plan):
    """Meta links a rule to its assets by label: each rule's body, title and link must name a label that the
    bodies, titles and links carry, or Meta refuses the creative."""
    from outreach.meta.payloads import placement_feed

    feed = placement_feed(plan.ad_sets[0])
    carried = {kind: {label["name"] for item in feed[kind] for label in item["adlabels"]}
               for kind in ("bodies", "titles", "link_urls")}
    assert carried == {"bodies": {"texte"}, "titles": {"texte"}, "link_urls": {"texte"}}
    for rule in feed["asset_customization_rules"]:
        assert rule["body_label"]["name"] in carried["bodies"]
        assert rule["title_label"]["name"] in carried["titles"]
        assert rule["link_url_label"]["name"] in carried["link_urls"]


def test_the_campaign_files_identity_in_meta_names(plan):
    """Meta names carry the identity's random tail, or the whole identity written by hand; no identity, no tag."""
    from outreach.meta.payloads import identity_tag, meta_campaign_name

    assert identity_tag("sf-ete-1a2b3c4d") == "1a2b3c4d"
    assert identity_tag("sf-ete-2027") == "sf-ete-2027"  # a tail that is not outreach's random one
    assert identity_tag("printemps2027") == "printemps2027"
    assert identity_tag(None) == identity_tag("") == ""
    c = plan.campaign.model_copy(update={"name": "SF", "id": "sf-1a2b3c4d"})
    assert meta_campaign_name(c) == "SF [1a2b3c4d]"
    assert meta_campaign_name(c, "EMPLOYMENT") == "SF — EMPLOYMENT [1a2b3c4d]"
    assert meta_campaign_name(c.model_copy(update={"id": None})) == "SF"
    assert meta_campaign_name(c.model_copy(update={"id": None}), "HOUSING") == "SF — HOUSING"
