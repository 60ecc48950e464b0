"""The push and the look-ups through the real facebook-business SDK, against the local Graph server."""

import json
import logging
import shutil
import sys

import pytest

from outreach.campaign import load_campaign
from outreach.errors import InputError
from outreach.meta.client import MetaClient, MetaError, access_token, streamlit_secret
from outreach.meta.files import IDS_FILE
from outreach.meta.payloads import build_payloads, creative_texts
from outreach.planner import build_plan
from outreach.settings import NetworkSettings
from outreach.visuals import visual_files
from tests.support import ROOT
from tests.support.graph_server import TOKEN, GraphServer, graph_error
from tests.support.meta_fixtures import EXAMPLE


@pytest.fixture(scope="module")
def planned():
    campaign = load_campaign(EXAMPLE, settings=NetworkSettings())
    # three neighbouring branches of Marseille keep the push small; the ids are the Ministry's
    campaign = campaign.model_copy(update={"territory": campaign.territory.model_copy(
        update={"departement": "13", "branches": []})})
    plan = build_plan(campaign, min_daily_budget_eur=1.0)
    small = plan.model_copy(update={"ad_sets": plan.ad_sets[:3]})
    # both kinds of creative: placement-customised (4:5 in feeds, 9:16 in stories and reels, the drawn
    # visuals' default) and, for an ad set with text options, a link ad with its feed image only (as an
    # officer's image without a 9:16 one gives)
    worded = next(a for a in small.ad_sets if a.copy.other_primary_texts or a.copy.other_headlines)
    worded.visual = worded.visual.model_copy(update={"story_file_name": ""})
    return build_payloads(small), visual_files(small.ad_sets)


@pytest.fixture
def payloads(planned, tmp_path):
    """The payloads, with their visuals in tmp_path/images/ as `outreach plan` writes them."""
    payloads, images = planned
    for name, data in images.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(data)
    return payloads


def beside(tmp_path, name: str):
    """Another pushed folder holding the same visuals (tmp_path/images/)."""
    folder = tmp_path / name
    shutil.copytree(tmp_path / "images", folder / "images", dirs_exist_ok=True)
    return folder


def client(**kwargs) -> MetaClient:
    return MetaClient("act_1234567", sleep=lambda _s: None, **kwargs)


def sent_params(server, edge):
    return [r["params"] for r in server.calls("POST", f"/{edge}") if r["path"].endswith(f"/{edge}")]


def test_push_validates_then_creates_everything_paused(graph, payloads, tmp_path):
    report = client().push(payloads, tmp_path)
    n = len(payloads["ad_sets"])
    assert len(graph.created("campaign")) == 1
    assert len(graph.created("adset")) == len(graph.created("creative")) == len(graph.created("ad")) == n
    # each object was sent twice, in batches: validate_only first, then for real
    for edge in ("campaigns", "adsets", "adcreatives", "ads"):
        params = sent_params(graph, edge)
        half = len(params) // 2
        assert [p.get("execution_options") for p in params] == [["validate_only"]] * half + [None] * half
        assert all(p.get("status", "PAUSED") == "PAUSED" for p in params)
    assert not any(b"ACTIVE" in r["body"] for r in graph.requests if not r["files"])
    # every ref is mapped to its Meta id in meta-ids.json, children linked to the created parents
    ids = json.loads((tmp_path / IDS_FILE).read_text())
    assert ids.pop("_account") == "act_1234567"  # the folder's objects live in that ad account
    assert ids.pop("_campaign_identity") == payloads["campaign_identity"] == "exemple-sf-bouches-du-rhone"
    assert set(ids) == {"campaign"} | {a["ref"] for a in payloads["ad_sets"]} | \
        {c["ref"] for c in payloads["creatives"]} | {a["ref"] for a in payloads["ads"]} | \
        {i["ref"] for i in payloads["images"]}
    # every visual uploaded once, as a file named as in the sheet, before the creatives that use its hash
    uploads = graph.calls("POST", "/adimages")
    assert sorted(name for r in uploads for name in r["files"]) == sorted(i["file"].removeprefix("images/")
                                                                         for i in payloads["images"])
    assert graph.requests.index(uploads[-1]) < graph.requests.index(graph.calls("POST", "/adcreatives")[0])
    library = graph.images["act_1234567"]
    shapes = set()
    for creative in graph.created("creative"):
        shown = creative_texts(creative)
        assert shown["image_hash"] in library and (shown["story_image_hash"] in library or not shown["story_image_hash"])
        shapes.add(bool(shown["story_image_hash"]))
    assert shapes == {True, False}
    assert ids == report.ids
    for ad_set in graph.created("adset"):
        assert ad_set["campaign_id"] == ids["campaign"]
    ad = graph.created("ad")[0]
    assert ad["adset_id"] in {ids[a["ref"]] for a in payloads["ad_sets"]}
    # interests resolved by their English name through the search, in locale en_US (Meta answers names in
    # the locale asked for: in fr_FR, "Science fiction" comes back as "Science-fiction" and would not match)
    searches = [r["params"] for r in graph.calls("GET", "/search") if r["params"]["type"] == "adinterest"]
    assert searches and all(s["locale"] == "en_US" for s in searches)
    sent = graph.created("adset")[0]["targeting"]["flexible_spec"][0]["interests"]
    assert all(i["id"].startswith("999") for i in sent)


def test_rerun_creates_no_duplicates(graph, payloads, tmp_path):
    client().push(payloads, tmp_path)
    before = len(graph.objects)
    report = client().push(payloads, tmp_path)
    assert len(graph.objects) == before and report.created == []
    assert len(report.reused) == before + len(payloads["images"])
    # uploaded together (several files to a request), once: the rerun sends none
    (upload,) = graph.calls("POST", "/adimages")
    assert sorted(upload["files"]) == sorted(i["file"].removeprefix("images/") for i in payloads["images"])


def test_failure_midway_then_rerun_finishes_without_duplicates(graph, payloads, tmp_path):
    graph.fail(r"/adcreatives$", graph_error("Invalid parameter", code=100, subcode=1487901,
                                             user_msg="The link must be a valid URL."), times=1, method="POST")
    with pytest.raises(MetaError):
        client().push(payloads, tmp_path)
    assert len(graph.created("creative")) == 0 and len(graph.created("adset")) == len(payloads["ad_sets"])
    client().push(payloads, tmp_path)
    assert len(graph.created("campaign")) == 1
    assert len(graph.created("adset")) == len(graph.created("creative")) == len(payloads["ad_sets"])


def test_lost_answer_after_create_is_found_by_name_not_recreated(graph, payloads, tmp_path):
    # the first real create of the campaign succeeds at Meta, but the answer is a 502
    graph.fail(r"/campaigns$", graph_error("An unexpected error has occurred.", code=2, transient=True),
               status=502, times=1, method="POST", after_create=True, real_only=True)
    sleeps = []
    report = MetaClient("act_1234567", sleep=sleeps.append).push(payloads, tmp_path)
    assert len(graph.created("campaign")) == 1
    assert report.ids["campaign"] == graph.created("campaign")[0]["id"]
    assert len(graph.calls("GET", "/campaigns")) == 1  # looked up by name after the lost answer
    assert sleeps == [1.0]


def test_lost_ad_set_answer_is_found_under_its_own_campaign(graph, payloads, tmp_path):
    # an earlier push of the same plan (another folder) left ad sets with the same names
    client().push(payloads, beside(tmp_path, "first"))
    graph.fail(r"/adsets$", graph_error("An unexpected error has occurred.", code=2, transient=True),
               status=500, times=1, method="POST", after_create=True, real_only=True)
    report = client().push(payloads, beside(tmp_path, "second"))
    first_ids = json.loads((tmp_path / "first" / IDS_FILE).read_text())
    assert report.ids["campaign"] != first_ids["campaign"]
    for ad_set in payloads["ad_sets"]:
        assert report.ids[ad_set["ref"]] != first_ids[ad_set["ref"]]
        assert graph.objects[report.ids[ad_set["ref"]]]["params"]["campaign_id"] == report.ids["campaign"]
    assert len(graph.created("adset")) == 2 * len(payloads["ad_sets"])
    lookups = [r["params"]["filtering"] for r in graph.calls("GET", "/adsets")]
    assert lookups and {"field": "campaign.id", "operator": "EQUAL", "value": report.ids["campaign"]} in lookups[0]


def test_backoff_grows_exponentially(graph, payloads, tmp_path):
    # the three ad sets travel in one batch: their three 503s are one failed round, waited once
    graph.fail(r"/adsets$", graph_error("Service temporarily unavailable", code=2, transient=True),
               status=503, times=3, method="POST")
    sleeps = []
    MetaClient("act_1234567", sleep=sleeps.append).push(payloads, tmp_path)
    assert sleeps == [1.0]
    assert len(graph.created("adset")) == len(payloads["ad_sets"])
    # one call failing round after round waits longer each time
    graph.fail(r"/campaigns$", graph_error("Service temporarily unavailable", code=2, transient=True),
               status=503, times=3, method="POST")
    sleeps.clear()
    MetaClient("act_1234567", sleep=sleeps.append).push(payloads, beside(tmp_path, "again"))
    assert sleeps == [1.0, 2.0, 4.0]


def test_transient_errors_are_retried_then_reported(graph, payloads, tmp_path):
    graph.fail(r"/search$", graph_error("Please reduce the amount of data", code=1, transient=True),
               status=500, times=10)
    with pytest.raises(MetaError, match="Meta"):
        client(retries=2).push(payloads, tmp_path)
    assert len(graph.calls("GET", "/search")) == 3


def test_dry_run_validates_only(graph, payloads, tmp_path):
    report = client().push(payloads, tmp_path, dry_run=True)
    assert graph.objects == {}
    assert "campaign" in report.validated
    # ad sets, creatives and ads cannot be validated before their campaign and images exist; uploading an
    # image would create it in the account's library, which a dry run never does
    assert not any(c["ref"] in report.validated for c in payloads["creatives"])
    assert graph.calls("POST", "/adimages") == [] and graph.images == {}
    assert report.notes and "images" in report.notes[0]
    assert not (tmp_path / IDS_FILE).exists()


@pytest.mark.parametrize(("field", "drop", "expected"), [
    ("dsa_beneficiary", "dsa_beneficiary", "advertiser.beneficiary"),
    ("dsa_payor", "dsa_payor", "advertiser.payer"),
    ("targeting_automation", "targeting_automation", "advantage_audience"),
])
def test_meta_refusals_become_french_messages_naming_the_field(graph, payloads, tmp_path, field, drop, expected):
    broken = json.loads(json.dumps(payloads))
    for ad_set in broken["ad_sets"]:
        if drop == "targeting_automation":
            ad_set["targeting"].pop(drop)
        else:
            ad_set[drop] = ""
    with pytest.raises(MetaError) as err:
        client().push(broken, tmp_path)
    assert expected in str(err.value)
    assert TOKEN not in str(err.value)


def test_goal_budget_and_retired_interest_errors(graph, payloads, tmp_path):
    broken = json.loads(json.dumps(payloads))
    broken["ad_sets"][0]["optimization_goal"] = "LINK_CLICKS"
    broken["ad_sets"][0]["daily_budget"] = 1000  # above the clicks floor: Meta then refuses the goal itself
    with pytest.raises(MetaError, match="optimisation"):
        client().push(broken, beside(tmp_path, "a"))
    graph.minimum_budgets["min_daily_budget_imp"] = 10_000_00
    with pytest.raises(MetaError, match="minimal") as err:
        client(cache_dir=tmp_path / "cache-b").push(payloads, beside(tmp_path, "b"))
    assert "budget_eur" in err.value.field and "10000.00 EUR" in str(err.value)
    graph.minimum_budgets["min_daily_budget_imp"] = 100
    graph.option_status["9990000000001"] = "NON_DELIVERABLE"
    with pytest.raises(MetaError, match="retiré") as err:
        client().push(payloads, beside(tmp_path, "c"))
    assert err.value.field == "interests"


def test_unknown_interest_name(graph, payloads, tmp_path):
    broken = json.loads(json.dumps(payloads))
    broken["ad_sets"][0]["targeting"]["flexible_spec"][0]["interests"].append({"name": "Astrologie quantique"})
    with pytest.raises(MetaError, match="Astrologie quantique"):
        client().push(broken, tmp_path)
    assert graph.objects == {}


def test_interest_cache_avoids_second_lookup(graph, tmp_path):
    first = client(cache_dir=tmp_path).resolve_interests(["Science fiction", "Manga", "Nope"])
    assert first["Manga"]["id"] == "9990000000003" and first["Nope"] is None
    n = len(graph.calls("GET", "/search"))
    again = client(cache_dir=tmp_path).resolve_interests(["science fiction", "Manga"])
    assert len(graph.calls("GET", "/search")) == n
    assert again["Manga"] == first["Manga"]


def test_delivery_estimates_keep_both_bounds(graph, payloads):
    estimates = client().estimates(payloads)
    assert set(estimates) == {a["ref"] for a in payloads["ad_sets"]}
    for lower, upper in estimates.values():
        assert 0 < lower < upper


def test_token_never_in_output_logs_or_files_and_crash_reporter_off(graph, payloads, tmp_path, capsys, caplog):
    hook = sys.excepthook
    caplog.set_level(logging.DEBUG)  # urllib3 logs each URL, token included, at this level
    client().push(payloads, tmp_path)
    assert sys.excepthook is hook
    out = capsys.readouterr()
    assert TOKEN not in out.out + out.err
    assert "/search?access_token=•••" in caplog.text and TOKEN not in caplog.text
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert TOKEN not in path.read_text(encoding="utf-8", errors="ignore")
    # the token travels only where Meta expects it
    assert all(r["query"].get("access_token") == TOKEN for r in graph.requests)


def test_bad_token_and_missing_token(graph, payloads, tmp_path, monkeypatch):
    with pytest.raises(MetaError, match="jeton") as err:
        MetaClient("act_1", token="wrong-secret-token", sleep=lambda s: None).push(payloads, tmp_path)
    assert "wrong-secret-token" not in str(err.value)
    monkeypatch.delenv("META_ACCESS_TOKEN")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(MetaError, match="page Paramètres"):
        access_token()
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text('META_ACCESS_TOKEN = "from-secrets"\n')
    assert streamlit_secret("META_ACCESS_TOKEN", [tmp_path]) == "from-secrets"


def test_bad_account_id():
    with pytest.raises(InputError, match="act_"):
        MetaClient("1234", token="x")


def test_graph_server_can_be_extended_by_subclassing(monkeypatch):
    """Other capabilities (reporting) add routes by overriding `route` and delegating the rest."""
    import requests

    class WithInsights(GraphServer):
        def route(self, request):
            if request["path"].endswith("/insights"):
                return 200, {"data": [{"adset_id": "1", "reach": "1234"}]}
            return super().route(request)

    server = WithInsights()
    server.start()
    try:
        base = f"{server.url}/v26.0"
        got = requests.get(f"{base}/act_1/insights", params={"access_token": TOKEN}, timeout=5).json()
        assert got["data"][0]["reach"] == "1234"
        search = requests.get(f"{base}/search", params={"access_token": TOKEN, "type": "adinterest", "q": "manga"},
                              timeout=5).json()
        assert search["data"][0]["name"] == "Manga"
        refused = requests.get(f"{base}/search", params={"access_token": "nope"}, timeout=5)
        assert refused.status_code == 400 and refused.json()["error"]["code"] == 190
    finally:
        server.stop()


@pytest.mark.parametrize("edge", ["campaign", "ad_sets", "ads"])
def test_hand_edited_active_status_is_refused_before_anything_is_sent(graph, payloads, tmp_path, edge):
    # a meta-api.json edited by hand to go live at once: the push never creates an ACTIVE object
    edited = json.loads(json.dumps(payloads))
    target = edited[edge] if edge == "campaign" else edited[edge][-1]
    target["status"] = "ACTIVE"
    with pytest.raises(MetaError, match="PAUSED") as err:
        client().push(edited, tmp_path)
    assert err.value.field == "status" and target["name"] in str(err.value)
    assert graph.objects == {} and not graph.calls("POST")


def test_object_without_status_is_created_paused(graph, payloads, tmp_path):
    edited = json.loads(json.dumps(payloads))
    for key in ("ad_sets", "ads"):
        for obj in edited[key]:
            obj.pop("status")
    edited["campaign"].pop("status")
    client().push(edited, tmp_path)
    for kind in ("campaign", "adset", "ad"):
        assert {o.get("status") for o in graph.created(kind)} == {"PAUSED"}


@pytest.mark.parametrize(("edit", "item"), [
    (lambda p: p["ad_sets"][0]["targeting"]["flexible_spec"][0]["interests"].append({"name": "LGBT culture"}),
     "SEN-02"),
    (lambda p: p["ad_sets"][-1]["targeting"].update(age_min=16), "MIN-01"),
    (lambda p: p["campaign"].update(special_ad_categories=["ISSUES_ELECTIONS_POLITICS"]), "AD-02"),
])
def test_push_refuses_payloads_the_checklist_blocks(graph, payloads, tmp_path, edit, item):
    # meta-api.json edited by hand after the gate let it out: the push checks the parameters again
    edited = json.loads(json.dumps(payloads))
    edit(edited)
    with pytest.raises(InputError, match=item) as err:
        client().push(edited, tmp_path)
    assert "meta-api.json" in str(err.value)
    assert graph.requests == [] and not (tmp_path / IDS_FILE).exists()


def test_estimates_refuse_blocked_interests_before_asking_meta(graph, payloads):
    edited = json.loads(json.dumps(payloads))
    edited["ad_sets"][0]["targeting"]["flexible_spec"][0]["interests"].append({"name": "Catholic Church"})
    with pytest.raises(InputError, match="SEN-02"):
        client().estimates(edited)
    assert graph.requests == []


@pytest.mark.parametrize(("user_msg", "field"), [
    ("Must specify True or False in is_adset_budget_sharing_enabled field", "is_adset_budget_sharing_enabled"),
    ("The daily budget is too low for this ad set.", "budget_eur (daily_budget)"),
    ("Please remove all values from the location_types field.", "targeting.geo_locations.location_types"),
])
def test_errors_without_subcode_are_named_by_their_words(user_msg, field):
    from facebook_business.exceptions import FacebookRequestError

    from outreach.meta.client import french_error

    body = json.dumps(graph_error("Invalid parameter", code=100, user_msg=user_msg))
    error = french_error(FacebookRequestError("x", {}, 400, {}, body), "l'ensemble « A »")
    assert error.field == field


def test_lost_campaign_answer_is_not_mistaken_for_an_older_campaign_of_the_same_name(graph, payloads, tmp_path):
    # the same plan pushed last month (another folder): a campaign of the same name already exists
    client().push(payloads, beside(tmp_path, "last-month"))
    old_id = json.loads((tmp_path / "last-month" / IDS_FILE).read_text())["campaign"]
    from datetime import UTC, datetime, timedelta

    graph.objects[old_id]["created_time"] = (datetime.now(UTC) - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%S%z")
    graph.fail(r"/campaigns$", graph_error("An unexpected error has occurred.", code=2, transient=True),
               status=502, times=1, method="POST", after_create=True, real_only=True)
    report = client().push(payloads, beside(tmp_path, "now"))
    new_campaigns = [c["id"] for c in graph.created("campaign") if c["id"] != old_id]
    assert report.ids["campaign"] != old_id and [report.ids["campaign"]] == new_campaigns


def test_link_ad_without_image_is_refused_as_meta_does(graph, payloads, tmp_path):
    """The defect of before: a creative with no visual. Meta answers 1487212 "Missing Image"."""
    broken = json.loads(json.dumps(payloads))
    broken["images"] = []
    for creative in broken["creatives"]:
        if "link_data" in creative["object_story_spec"]:
            del creative["object_story_spec"]["link_data"]["image_hash"]
        else:
            creative["asset_feed_spec"]["images"] = []
    with pytest.raises(MetaError) as err:
        client().push(broken, tmp_path)
    assert err.value.field == "images" and "sans visuel" in err.value.message
    assert graph.created("creative") == []


def test_unknown_image_hash_is_refused(graph, payloads, tmp_path):
    (tmp_path / IDS_FILE).write_text(json.dumps({i["ref"]: "0" * 32 for i in payloads["images"]}))
    with pytest.raises(MetaError, match="image_hash|hash"):
        client().push(payloads, tmp_path)
    assert graph.created("creative") == []


def test_image_replaced_by_hand_is_checked_before_anything_is_sent(graph, payloads, tmp_path):
    from PIL import Image

    first = tmp_path / payloads["images"][0]["file"]
    Image.new("RGB", (600, 600), "white").save(first, "PNG")
    with pytest.raises(InputError) as err:
        client().push(payloads, tmp_path)
    assert str(first) in str(err.value) and "1080" in str(err.value)
    assert graph.calls("POST") == []


def test_adimages_accepts_base64_bytes_as_meta_does(graph):
    import base64

    import requests

    data = (ROOT / "docs" / "screenshots" / "01-territoire.png").read_bytes()
    answer = requests.post(f"{graph.url}/v26.0/act_1/adimages", params={"access_token": TOKEN},
                           data={"bytes": base64.b64encode(data).decode()}, timeout=10).json()
    assert set(answer["images"]) == {"bytes"} and len(answer["images"]["bytes"]["hash"]) == 32
    refused = requests.post(f"{graph.url}/v26.0/act_1/adimages", params={"access_token": TOKEN},
                            files={"notes.txt": b"hello"}, timeout=10)
    assert refused.status_code == 400 and refused.json()["error"]["code"] == 100


def test_text_options_pass_and_more_than_five_are_refused(graph, payloads, tmp_path):
    assert any("degrees_of_freedom_spec" in c for c in payloads["creatives"])
    client().push(payloads, beside(tmp_path, "ok"))
    sent = [c for c in graph.created("creative") if "degrees_of_freedom_spec" in c]
    assert sent and all(len(c["asset_feed_spec"]["bodies"]) <= 5 for c in sent)
    too_many = json.loads(json.dumps(payloads))
    creative = next(c for c in too_many["creatives"] if "degrees_of_freedom_spec" in c)
    creative["asset_feed_spec"]["bodies"] = [{"text": f"Texte {i}"} for i in range(6)]
    with pytest.raises(MetaError, match="asset_feed_spec"):
        client().push(too_many, beside(tmp_path, "six"))


@pytest.mark.parametrize("status", [502, 200])
def test_an_html_page_instead_of_json_is_a_french_error(graph, status):
    """A proxy's « 502 Bad Gateway » page (or a portal's 200 page) is retried, then explained in French."""
    graph.fail(r"/search", b"<html><body><h1>502 Bad Gateway</h1></body></html>", status=status, times=10)
    with pytest.raises(MetaError, match="autre chose que du JSON") as refused:
        client(retries=2).search_interests("manga")
    assert f"HTTP {status}" in str(refused.value) and "META_GRAPH_URL" in str(refused.value)
    assert len(graph.calls("GET", "/search")) == 3  # retried like a connection failure


def test_the_token_is_masked_when_meta_echoes_the_request(graph):
    graph.fail(r"/search", graph_error(f"Invalid parameter: access_token={TOKEN}&q=manga",
                                       title=f"Valeur refusée {TOKEN}"), times=1)
    with pytest.raises(MetaError) as refused:
        client(retries=0).search_interests("manga")
    shown = str(refused.value)
    assert TOKEN not in shown and "•••" in shown and "Meta a refusé" in shown


def test_graph_server_refuses_placement_rules_that_name_no_uploaded_image(graph, payloads, tmp_path):
    """Meta's placement asset customization: each rule's image label must be an image of the feed, and each
    image one uploaded to the account; the stand-in refuses what Meta would."""
    breaks = {
        "label": lambda feed: feed["asset_customization_rules"][1].update(image_label={"name": "autre"}),
        "hash": lambda feed: feed["images"][1].update(hash="0123456789abcdef0123456789abcdef"),
        "one rule": lambda feed: feed["asset_customization_rules"].pop(),
        "position": lambda feed: feed["asset_customization_rules"][1]["customization_spec"].update(
            instagram_positions=["explore_home_feed"]),
    }
    for n, edit in enumerate(breaks.values()):
        broken = json.loads(json.dumps(payloads))
        creative = next(c for c in broken["creatives"] if "asset_customization_rules" in c.get("asset_feed_spec", {}))
        edit(creative["asset_feed_spec"])
        with pytest.raises(MetaError):
            client().push(broken, beside(tmp_path, f"broken{n}"))
