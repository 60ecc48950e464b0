"""Plan → the exact Marketing API parameters, spelled with the facebook-business SDK's own names.

`meta-api.json` holds `{"api_version", "campaign", "ad_sets", "creatives", "ads"}`; each object is the
`params` of the SDK's create call (`AdAccount.create_campaign`, `create_ad_set`, `create_ad_creative`,
`create_ad`) plus a `ref`. A child names its parent by the parent's ref, written `"ref:<ref>"` in the
field that will hold the parent's Meta id (`campaign_id`, `adset_id`, `creative.creative_id`); the push
replaces it with the id Meta returns.

Choices that follow Meta's current rules (see the Meta reference in the shared docs):
- only `OUTCOME_*` objectives; awareness → REACH billed on IMPRESSIONS, traffic → LINK_CLICKS;
- `special_ad_categories` on every campaign, `is_adset_budget_sharing_enabled` explicit (no campaign budget);
  the themes of a special ad category mixed with others get a campaign of their own (`special_campaigns`,
  ref `campaign/<category>`), whose ad sets follow the category's rules (outreach.planner);
- the campaign file's identity in the Meta campaign's name (`identity_tag`) and in `utm_campaign`, so that
  two campaigns named alike share neither objects nor statistics;
- everything PAUSED; budgets in cents; times in Europe/Paris with their offset;
- DSA beneficiary and payer on every ad set; `targeting_automation.advantage_audience = 0` so that the
  interests stay hard constraints; never `location_types` (rejected since 2024);
- `instagram_user_id`, never the retired `instagram_actor_id`;
- placements said explicitly (Facebook and Instagram feeds, stories and reels): left out, Meta places the
  ads automatically, Audience Network included; Audience Network only when the settings ask for it;
- on reach campaigns, `frequency_control_specs` (settings: 2 impressions per person per 7 days by default;
  Meta accepts it only when optimising for REACH or THRUPLAY).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from facebook_business.adobjects.ad import Ad
from facebook_business.adobjects.adcreative import AdCreative
from facebook_business.adobjects.adcreativelinkdata import AdCreativeLinkData
from facebook_business.adobjects.adcreativelinkdatacalltoaction import AdCreativeLinkDataCallToAction
from facebook_business.adobjects.adcreativeobjectstoryspec import AdCreativeObjectStorySpec
from facebook_business.adobjects.adset import AdSet
from facebook_business.adobjects.campaign import Campaign as MetaCampaign
from facebook_business.adobjects.targeting import Targeting
from facebook_business.adobjects.targetingautomation import TargetingAutomation
from facebook_business.adobjects.targetinggeolocation import TargetingGeoLocation
from facebook_business.adobjects.targetinggeolocationcustomlocation import TargetingGeoLocationCustomLocation

from outreach.campaign import Campaign
from outreach.planner import AdSetPlan, Plan

API_VERSION = "v26.0"
PARIS = ZoneInfo("Europe/Paris")
CAMPAIGN_REF = "campaign"
REF = "ref"
REF_PREFIX = "ref:"

OBJECTIVES = {
    "awareness": (MetaCampaign.Objective.outcome_awareness, AdSet.OptimizationGoal.reach,
                  AdSet.BillingEvent.impressions),
    "traffic": (MetaCampaign.Objective.outcome_traffic, AdSet.OptimizationGoal.link_clicks,
                AdSet.BillingEvent.impressions),
}


def paris_time(day: date, at: time) -> str:
    """`2027-03-01T00:00:00+0100`: the format Meta's examples use, with the offset of that day in Paris."""
    return datetime.combine(day, at, tzinfo=PARIS).strftime("%Y-%m-%dT%H:%M:%S%z")


def parent(ref: str) -> str:
    return f"{REF_PREFIX}{ref}"


def image_ref(file_name: str) -> str:
    """The ref of an uploaded image: the push records its hash under it in meta-ids.json."""
    return f"image/{file_name}"


def creative_ref(ad_set_ref: str) -> str:
    return f"{ad_set_ref}/creative"


def ad_ref(ad_set_ref: str) -> str:
    return f"{ad_set_ref}/ad"


def special_campaign_ref(category: str) -> str:
    return f"{CAMPAIGN_REF}/{category.lower()}"


def campaign_ref(plan: Plan, ad_set: AdSetPlan) -> str:
    """The ref of the Meta campaign an ad set goes into: its special category's own, or the main one."""
    c = plan.campaign_of(ad_set)
    return special_campaign_ref(c.special_ad_categories[0]) if c is not plan.campaign else CAMPAIGN_REF


def identity_tag(identity: str | None) -> str:
    """What of the campaign file's identity goes into Meta names: its random tail (`…-1a2b3c4d`), or the whole
    identity when written by hand; so that two campaigns named alike never share a name at Meta."""
    if not identity:
        return ""
    tail = identity.rsplit("-", 1)[-1]
    return tail if re.fullmatch(r"[0-9a-f]{8}", tail) else identity


def meta_campaign_name(c: Campaign, category: str | None = None) -> str:
    tag = identity_tag(c.id)
    return c.name + (f" — {category}" if category else "") + (f" [{tag}]" if tag else "")


def _campaign(c: Campaign, ref: str, name: str) -> dict:
    params = {
        REF: ref,
        MetaCampaign.Field.name: name,
        MetaCampaign.Field.objective: OBJECTIVES[c.objective][0],
        MetaCampaign.Field.status: MetaCampaign.Status.paused,
        MetaCampaign.Field.special_ad_categories: list(c.special_ad_categories),
        # budgets live on the ad sets: Meta now wants this said explicitly
        MetaCampaign.Field.is_adset_budget_sharing_enabled: False,
    }
    if c.special_ad_categories:
        params[MetaCampaign.Field.special_ad_category_country] = ["FR"]
    return params


def campaign_params(plan: Plan) -> dict:
    return _campaign(plan.campaign, CAMPAIGN_REF, meta_campaign_name(plan.campaign))


def special_campaign_params(plan: Plan) -> list[dict]:
    """The special category's own campaign, when the campaign file mixes its themes with others."""
    c = plan.special_campaign
    if c is None:
        return []
    category = c.special_ad_categories[0]
    return [_campaign(c, special_campaign_ref(category), meta_campaign_name(plan.campaign, category))]


def campaigns_of(payloads: dict) -> list[dict]:
    """Every Meta campaign of the payloads: the main one, then any special category's own."""
    return [payloads["campaign"], *(payloads.get("special_campaigns") or [])]


def targeting(plan: Plan, ad_set: AdSetPlan, circles: dict | None = None) -> dict:
    """`circles`: the custom locations already built for this plan, by their planned circles (see `_circles`)."""
    c = plan.campaign_of(ad_set)
    if c.geo == "postcodes" and ad_set.postcodes:
        geo = {TargetingGeoLocation.Field.zips: [{"key": f"FR:{p}"} for p in ad_set.postcodes]}
    else:
        geo = {TargetingGeoLocation.Field.custom_locations: _circles(ad_set, {} if circles is None else circles)}
    spec = {Targeting.Field.geo_locations: geo}
    if TargetingGeoLocation.Field.custom_locations in geo and ad_set.excluded_postcodes:
        # postcodes inside the circles that another ad set of the theme targets (no self-competition)
        spec[Targeting.Field.excluded_geo_locations] = {
            TargetingGeoLocation.Field.zips: [{"key": f"FR:{p}"} for p in ad_set.excluded_postcodes]}
    spec |= {
        Targeting.Field.age_min: c.audience.age_min,
        Targeting.Field.age_max: c.audience.age_max,
    }
    if ad_set.interests:
        spec[Targeting.Field.flexible_spec] = [{"interests": [
            {"id": i.id, "name": i.name} if i.id else {"name": i.name} for i in ad_set.interests]}]
    if c.custom_audiences:
        spec[Targeting.Field.custom_audiences] = [{"id": a.id, "name": a.name} if a.name else {"id": a.id}
                                                  for a in c.custom_audiences]
    spec.update(placements(plan))
    spec[Targeting.Field.targeting_automation] = {TargetingAutomation.Field.advantage_audience: 0}
    return spec


def _circles(ad_set: AdSetPlan, built: dict) -> list[dict]:
    """The ad set's custom locations. The ad sets of one group of catchments, one per theme, have the same
    circles (the same Location objects): they share one list, built once, which the sheet and meta-api.json
    then also write once per group (read-only, like all payloads: the push works on a copy)."""
    locations = ad_set.locations or [ad_set]
    key = tuple(map(id, locations))  # the plan holds its locations while its payloads are built
    if key not in built:
        L = TargetingGeoLocationCustomLocation.Field
        built[key] = [{L.latitude: round(loc.lat, 6), L.longitude: round(loc.lon, 6), L.radius: loc.radius_km,
                       L.distance_unit: "kilometer"} for loc in locations]
    return built[key]


FACEBOOK_POSITIONS = ["feed", "story", "facebook_reels"]
INSTAGRAM_POSITIONS = ["stream", "story", "reels"]
AUDIENCE_NETWORK_POSITIONS = ["classic"]


def placements(plan: Plan) -> dict:
    platforms = ["facebook", "instagram"] + (["audience_network"] if plan.delivery.audience_network else [])
    spec = {Targeting.Field.publisher_platforms: platforms,
            Targeting.Field.facebook_positions: list(FACEBOOK_POSITIONS),
            Targeting.Field.instagram_positions: list(INSTAGRAM_POSITIONS)}
    if plan.delivery.audience_network:
        spec[Targeting.Field.audience_network_positions] = list(AUDIENCE_NETWORK_POSITIONS)
    return spec


def frequency_specs(plan: Plan, goal: str) -> list[dict] | None:
    d = plan.delivery
    if d.frequency_max is None or goal not in (AdSet.OptimizationGoal.reach, AdSet.OptimizationGoal.thruplay):
        return None
    return [{"event": "IMPRESSIONS", "interval_days": d.frequency_days, "max_frequency": d.frequency_max}]


def ad_set_params(plan: Plan, ad_set: AdSetPlan, circles: dict | None = None) -> dict:
    c = plan.campaign_of(ad_set)
    _, goal, billing = OBJECTIVES[c.objective]
    params = {
        REF: ad_set.ref,
        AdSet.Field.name: ad_set.name,
        AdSet.Field.campaign_id: parent(campaign_ref(plan, ad_set)),
        AdSet.Field.daily_budget: ad_set.daily_budget_cents,
        AdSet.Field.billing_event: billing,
        AdSet.Field.optimization_goal: goal,
        AdSet.Field.bid_strategy: AdSet.BidStrategy.lowest_cost_without_cap,
        AdSet.Field.start_time: paris_time(c.period.start, time(0, 0)),
        AdSet.Field.end_time: paris_time(c.period.end, time(23, 59)),
        AdSet.Field.status: AdSet.Status.paused,
        AdSet.Field.dsa_beneficiary: c.advertiser.beneficiary,
        AdSet.Field.dsa_payor: c.advertiser.payer,
        AdSet.Field.targeting: targeting(plan, ad_set, circles),
    }
    if c.objective == "traffic":
        params[AdSet.Field.destination_type] = AdSet.DestinationType.website
    frequency = frequency_specs(plan, goal)
    if frequency:
        params[AdSet.Field.frequency_control_specs] = frequency
    return params


def creative_params(plan: Plan, ad_set: AdSetPlan) -> dict:
    c = plan.campaign_of(ad_set)
    S = AdCreativeObjectStorySpec.Field
    story = {S.page_id: c.advertiser.page_id}
    if c.advertiser.instagram_user_id:
        story[S.instagram_user_id] = c.advertiser.instagram_user_id
    params = {
        REF: creative_ref(ad_set.ref),
        AdCreative.Field.name: f"{ad_set.name} — visuel",
        AdCreative.Field.object_story_spec: story,
        AdCreative.Field.url_tags: ad_set.url_tags,
    }
    if ad_set.visual is not None and ad_set.visual.story_file_name:
        params[AdCreative.Field.asset_feed_spec] = placement_feed(ad_set, plan.delivery.audience_network)
        return params
    story[S.link_data] = _link_data(ad_set)
    params.update(text_options(plan, ad_set))
    return params


def _link_data(ad_set: AdSetPlan) -> dict:
    D = AdCreativeLinkData.Field
    link_data = {
        D.message: ad_set.copy.primary_text,
        D.link: ad_set.landing_url,
        D.name: ad_set.copy.headline,
        D.description: ad_set.copy.description,
        D.call_to_action: {AdCreativeLinkDataCallToAction.Field.type: AdCreativeLinkDataCallToAction.Type.learn_more,
                           AdCreativeLinkDataCallToAction.Field.value: {"link": ad_set.landing_url}},
    }
    if ad_set.visual is not None:
        # the push uploads the image (AdImage) first and puts the hash Meta returns in place of the ref
        link_data[D.image_hash] = parent(image_ref(ad_set.visual.file_name))
    return link_data


FEED_LABEL, STORY_LABEL, TEXT_LABEL = "fil", "story", "texte"
# the positions of each image: feeds (and the other positions that show a feed-like post) get the 4:5 or
# 1:1 image, stories and reels the 9:16 one (Meta's placement asset customization)
FEED_RULE = {"publisher_platforms": ["facebook", "instagram"], "facebook_positions": ["feed"],
             "instagram_positions": ["stream"]}
STORY_RULE = {"publisher_platforms": ["facebook", "instagram"], "facebook_positions": ["story", "facebook_reels"],
              "instagram_positions": ["story", "reels"]}


def placement_feed(ad_set: AdSetPlan, audience_network: bool = False) -> dict:
    """Placement asset customization: one ad whose feeds show the 4:5 (or 1:1) image and whose stories and
    reels show the 9:16 one. Each image carries a label (`adlabels`), each rule names the image label of its
    positions; the texts are the draft's first wording, labelled once and named by both rules. Meta's
    rotation of text options is a different optimisation of the asset feed (DEGREES_OF_FREEDOM, not
    PLACEMENT): an ad with a 9:16 visual shows its first wording only."""
    copy, visual = ad_set.copy, ad_set.visual
    label = [{"name": TEXT_LABEL}]
    feed_rule = dict(FEED_RULE)
    if audience_network:  # every position the ad set delivers to has its image
        feed_rule |= {"publisher_platforms": [*FEED_RULE["publisher_platforms"], "audience_network"],
                      "audience_network_positions": list(AUDIENCE_NETWORK_POSITIONS)}

    def rule(spec: dict, image: str, priority: int) -> dict:
        return {"customization_spec": dict(spec), "image_label": {"name": image}, "body_label": {"name": TEXT_LABEL},
                "title_label": {"name": TEXT_LABEL}, "link_url_label": {"name": TEXT_LABEL}, "priority": priority}

    return {
        "images": [{"hash": parent(image_ref(visual.file_name)), "adlabels": [{"name": FEED_LABEL}]},
                   {"hash": parent(image_ref(visual.story_file_name)), "adlabels": [{"name": STORY_LABEL}]}],
        "bodies": [{"text": copy.primary_text, "adlabels": label}],
        "titles": [{"text": copy.headline, "adlabels": label}],
        "descriptions": [{"text": copy.description}],  # one only: Meta does not customise it per placement
        "link_urls": [{"website_url": ad_set.landing_url, "adlabels": label}],
        "call_to_action_types": [AdCreativeLinkDataCallToAction.Type.learn_more],
        "ad_formats": ["SINGLE_IMAGE"],
        "optimization_type": "PLACEMENT",
        "asset_customization_rules": [rule(feed_rule, FEED_LABEL, 1), rule(STORY_RULE, STORY_LABEL, 2)],
    }


def creative_texts(creative: dict) -> dict:
    """What a creative says and shows, whichever its shape (link_data, or a placement-customised asset feed):
    message, name, description, link, call_to_action type, image_hash and story_image_hash."""
    link = (creative.get("object_story_spec") or {}).get("link_data")
    if link:
        return {"message": link.get("message", ""), "name": link.get("name", ""),
                "description": link.get("description", ""), "link": link.get("link", ""),
                "call_to_action": (link.get("call_to_action") or {}).get("type", ""),
                "image_hash": str(link.get("image_hash", "")), "story_image_hash": ""}
    feed = creative.get("asset_feed_spec") or {}

    def first(key: str, field: str) -> str:
        return str(((feed.get(key) or [{}])[0] or {}).get(field, ""))

    images = {(i.get("adlabels") or [{}])[0].get("name"): str(i.get("hash", "")) for i in feed.get("images") or []}
    return {"message": first("bodies", "text"), "name": first("titles", "text"),
            "description": first("descriptions", "text"), "link": first("link_urls", "website_url"),
            "call_to_action": (feed.get("call_to_action_types") or [""])[0],
            "image_hash": images.get(FEED_LABEL, ""), "story_image_hash": images.get(STORY_LABEL, "")}


def text_options(plan: Plan, ad_set: AdSetPlan) -> dict:
    """Meta's multiple text options: the draft's other wordings, which Meta rotates per person (up to 5
    primary texts and 5 headlines, the first ones being link_data's). Only Meta's rotation is asked for
    (TEXT_LIQUIDITY): no generated or rewritten text, so that the ad never says more than the facts.
    Left out for special ad categories, whose ads outreach keeps as plain as possible."""
    copy = ad_set.copy
    bodies = [copy.primary_text, *copy.other_primary_texts]
    titles = [copy.headline, *copy.other_headlines]
    if plan.campaign_of(ad_set).special_ad_categories or (len(bodies) < 2 and len(titles) < 2):
        return {}
    return {
        AdCreative.Field.asset_feed_spec: {
            "optimization_type": "DEGREES_OF_FREEDOM",
            "bodies": [{"text": t} for t in bodies],
            "titles": [{"text": t} for t in titles],
            "descriptions": [{"text": copy.description}],
            "link_urls": [{"website_url": ad_set.landing_url}],
            "call_to_action_types": [AdCreativeLinkDataCallToAction.Type.learn_more],
        },
        AdCreative.Field.degrees_of_freedom_spec: {
            "degrees_of_freedom_type": "USER_ENROLLED", "text_transformation_types": ["TEXT_LIQUIDITY"]},
    }


def ad_params(ad_set: AdSetPlan) -> dict:
    return {
        REF: ad_ref(ad_set.ref),
        Ad.Field.name: ad_set.name,
        Ad.Field.adset_id: parent(ad_set.ref),
        Ad.Field.creative: {"creative_id": parent(creative_ref(ad_set.ref))},
        Ad.Field.status: Ad.Status.paused,
    }


def image_params(plan: Plan) -> list[dict]:
    """One entry per image file: what the push uploads through `POST act_…/adimages` (not a Meta object's
    params: the file itself is sent, from the folder's images/)."""
    seen: dict[str, dict] = {}
    for a in plan.ad_sets:
        v = a.visual
        if v is not None and v.file_name not in seen:
            seen[v.file_name] = {REF: image_ref(v.file_name), "file": f"images/{v.file_name}", "source": v.source,
                                 "alt_text": v.alt_text}
            if v.story_file_name:  # the 9:16 one for stories and reels, checked as such before upload
                seen[v.story_file_name] = {REF: image_ref(v.story_file_name), "file": f"images/{v.story_file_name}",
                                           "source": v.source, "alt_text": v.alt_text, "placement": "story"}
    return list(seen.values())


def build_payloads(plan: Plan) -> dict:
    circles: dict = {}  # the custom locations of each group of catchments, shared by its ad sets (_circles)
    return {
        "api_version": API_VERSION,
        # the campaign file's identity: meta-ids.json records it, and a folder serves one campaign only
        "campaign_identity": plan.campaign.id,
        "campaign": campaign_params(plan),
        # present only when the campaign file mixes a special ad category's themes with others
        **({"special_campaigns": special} if (special := special_campaign_params(plan)) else {}),
        "images": image_params(plan),
        "ad_sets": [ad_set_params(plan, a, circles) for a in plan.ad_sets],
        "creatives": [creative_params(plan, a) for a in plan.ad_sets],
        "ads": [ad_params(a) for a in plan.ad_sets],
    }


def without_ref(params: dict) -> dict:
    """The params as sent to the SDK: the `ref` bookkeeping key removed."""
    return {k: v for k, v in params.items() if k != REF}
