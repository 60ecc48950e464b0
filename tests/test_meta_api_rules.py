"""What Meta refuses or limits in practice, against the local Graph server: interests by locale and by id,
budget floors per optimisation goal, rate limits, and the token kept out of every message."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from outreach.meta.client import MetaClient, MetaError
from tests.support.graph_server import TOKEN, graph_error
from tests.test_meta_client import beside, client, payloads, planned  # noqa: F401  (the shared small plan and its visuals)

# ------------------------------------------------------------------------------------------ interests

def test_graph_server_names_interests_in_the_locale_asked_for(graph):
    # the defect that stopped pushes: asked in fr_FR, Meta answers "Science-fiction", not "Science fiction"
    french = client().search_interests("Science", locale="fr_FR")
    assert "Science-fiction" in {r["name"] for r in french} and "Science fiction" not in {r["name"] for r in french}
    assert client().resolve_interests(["Science fiction"])["Science fiction"]["id"] == "9990000000001"


def test_interest_with_an_id_is_not_searched_but_checked_by_id(graph, payloads, tmp_path):  # noqa: F811
    with_ids = json.loads(json.dumps(payloads))
    for ad_set in with_ids["ad_sets"]:
        for interest in ad_set["targeting"]["flexible_spec"][0]["interests"]:
            interest["id"] = {"Science fiction": "9990000000001", "Science fiction film": "9990000000002",
                              "Science fiction books": "9990000000008"}[interest["name"]]
    client().push(with_ids, tmp_path)
    searches = [r["params"]["type"] for r in graph.calls("GET", "/search")]
    assert "adinterest" not in searches and searches.count("targetingoptionstatus") == 1
    # an id Meta has retired since is refused before anything is created
    graph.option_status["9990000000002"] = "DEPRECATING"
    with pytest.raises(MetaError, match="Science fiction film"):
        client().push(with_ids, beside(tmp_path, "again"))
    assert len(graph.created("campaign")) == 1


def test_a_miss_comes_back_with_suggestions_and_expires_after_a_day(graph, payloads, tmp_path):  # noqa: F811
    broken = json.loads(json.dumps(payloads))
    broken["ad_sets"][0]["targeting"]["flexible_spec"][0]["interests"].append({"name": "Science fiction novels"})
    with pytest.raises(MetaError) as err:
        client().push(broken, tmp_path)
    text = str(err.value)
    assert "Science fiction novels" in text and "Meta propose" in text
    assert "« Science fiction books » (id 9990000000008, 60,0 à 71,0 millions de personnes)" in text
    assert graph.objects == {}
    # a day later Meta has the interest: the miss is asked again rather than cached for good
    graph.interests.append({"id": "9990000000011", "name": "Science fiction novels", "path": ["Interests"],
                            "audience_size_lower_bound": 1000, "audience_size_upper_bound": 1200})
    later = client()
    assert later.resolve_interests(["Science fiction novels"])["Science fiction novels"] is None  # same day
    later.now = lambda: datetime.now(UTC) + timedelta(days=1, hours=1)
    assert later.resolve_interests(["Science fiction novels"])["Science fiction novels"]["id"] == "9990000000011"


# ------------------------------------------------------------------------------------------ budget floors

def test_floors_follow_the_optimisation_goal_and_are_cached_per_account(graph):
    c = client()
    assert c.floor_cents("REACH") == 100 and c.floor_cents("LINK_CLICKS") == 500
    assert c.minimum_budgets()["currency"] == "EUR"
    assert len(graph.calls("GET", "/minimum_budgets")) == 1  # cached
    MetaClient("act_999", sleep=lambda _s: None).floor_cents("REACH")
    assert len(graph.calls("GET", "/minimum_budgets")) == 2  # another account is asked on its own


# ------------------------------------------------------------------------------------------ rate limits

def test_rate_limit_waits_what_the_usage_header_says(graph, payloads, tmp_path):  # noqa: F811
    graph.throttle(code=80004, minutes=3, times=1)
    sleeps = []
    MetaClient("act_1234567", sleep=sleeps.append).push(payloads, tmp_path)
    assert sleeps == [180.0]  # 3 minutes from x-business-use-case-usage, not a few seconds
    graph.throttle(code=17, minutes=0, times=1)
    sleeps.clear()
    MetaClient("act_1234567", sleep=sleeps.append).push(payloads, beside(tmp_path, "b"))
    assert sleeps == [60.0]  # no estimate: at least a minute


def test_rate_limit_that_does_not_end_is_reported_in_french(graph, payloads, tmp_path):  # noqa: F811
    graph.throttle(code=613, minutes=1, times=10)
    with pytest.raises(MetaError, match="limite le nombre d'appels"):
        MetaClient("act_1234567", sleep=lambda _s: None, retries=2).push(payloads, tmp_path)


# ------------------------------------------------------------------------------------------ token

def test_token_is_scrubbed_when_meta_echoes_the_url(graph, payloads, tmp_path):  # noqa: F811
    echoed = f"{graph.url}/v26.0/act_1234567/campaigns?access_token={TOKEN}&name=x"
    graph.fail(r"/campaigns$", graph_error(f"Unsupported post request. URL: {echoed}", code=100,
                                           user_msg=f"Bad request {echoed} (token {TOKEN})"), method="POST")
    with pytest.raises(MetaError) as err:
        client().push(payloads, tmp_path)
    assert TOKEN not in str(err.value) and "access_token=•••" in str(err.value)


# ------------------------------------------------------------------------------------------ one identity per folder

def test_campaign_identity_is_written_into_a_file_that_has_none(tmp_path):
    from outreach.campaign import ensure_identity, load_campaign
    from outreach.settings import NetworkSettings
    from tests.support import ROOT

    text = (ROOT / "campaigns" / "exemple-sf-bouches-du-rhone.yaml").read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("id:")) + "\n"
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(text, encoding="utf-8")
    second.write_text(text, encoding="utf-8")  # the same name: the same slug, never the same identity
    a = ensure_identity(first, load_campaign(first, settings=NetworkSettings()))
    b = ensure_identity(second, load_campaign(second, settings=NetworkSettings()))
    assert a.id != b.id and a.id.startswith("sf-pres-de-chez-vous-bouches-du-rhone-")
    again = load_campaign(first, settings=NetworkSettings())
    assert again.id == a.id and ensure_identity(first, again) == again
    assert "# Nom de la campagne" in first.read_text(encoding="utf-8")  # comments kept


def test_folder_pushed_to_one_account_is_refused_for_another(graph, payloads, tmp_path):  # noqa: F811
    client().push(payloads, tmp_path)
    before = len(graph.objects)
    with pytest.raises(MetaError, match="act_1234567") as err:
        MetaClient("act_7654321", sleep=lambda _s: None).push(payloads, tmp_path)
    assert "--account act_1234567" in str(err.value) and len(graph.objects) == before


def test_folder_of_another_campaign_is_refused(graph, payloads, tmp_path):  # noqa: F811
    mine = dict(json.loads(json.dumps(payloads)), campaign_identity="bibliotheque-a-1234abcd")
    client().push(mine, tmp_path)
    other = dict(mine, campaign_identity="bibliotheque-b-5678ef01")
    with pytest.raises(MetaError, match="bibliotheque-a-1234abcd"):
        client().push(other, tmp_path)
    ids = json.loads((tmp_path / "meta-ids.json").read_text())
    assert ids["_campaign_identity"] == "bibliotheque-a-1234abcd" and ids["_account"] == "act_1234567"


# ------------------------------------------------------------------------------------------ batch API

def test_push_goes_through_batches_of_at_most_fifty(graph, payloads, tmp_path):  # noqa: F811
    many = json.loads(json.dumps(payloads))
    template = {k: many[k][0] for k in ("ad_sets", "creatives", "ads")}
    for key in ("ad_sets", "creatives", "ads"):
        many[key] = []
    for n in range(60):  # 60 ads: two batches per step
        ref = f"science-fiction--b{n}"
        many["ad_sets"].append(dict(template["ad_sets"], ref=ref, name=f"Ensemble {n}"))
        many["creatives"].append(dict(template["creatives"], ref=f"{ref}/creative", name=f"Visuel {n}"))
        many["ads"].append(dict(template["ads"], ref=f"{ref}/ad", name=f"Pub {n}", adset_id=f"ref:{ref}",
                                creative={"creative_id": f"ref:{ref}/creative"}))
    client().push(many, tmp_path)
    assert len(graph.created("ad")) == 60
    batches = [r for r in graph.requests if r["method"] == "POST" and r["path"].rstrip("/").count("/") == 1]
    sizes = [len(r["params"]["batch"]) for r in batches]
    assert max(sizes) <= 50 and len(batches) == 2 + 3 * 2 * 2  # campaign (validate, create) + 3 steps × 2 × 2


def test_graph_server_refuses_a_batch_of_more_than_fifty(graph):
    import requests

    calls = [{"method": "GET", "relative_url": "search?type=adinterest&q=manga"}] * 51
    answer = requests.post(f"{graph.url}/v26.0/", data={"access_token": TOKEN, "batch": json.dumps(calls)},
                           timeout=5)
    assert answer.status_code == 400 and "50" in answer.json()["error"]["message"]


def test_interrupted_batch_push_resumes_without_duplicates(graph, payloads, tmp_path):  # noqa: F811
    # the second ad's create is refused: the first ads' ids are kept, a re-run creates only what is missing
    graph.fail(r"/ads$", graph_error("Invalid parameter", code=100, subcode=1487901, user_msg="Bad link."),
               times=1, method="POST", real_only=True)
    with pytest.raises(MetaError):
        client().push(payloads, tmp_path)
    ids = json.loads((tmp_path / "meta-ids.json").read_text())
    kept = [k for k in ids if k.endswith("/ad")]
    assert len(kept) == len(graph.created("ad")) == len(payloads["ads"]) - 1
    client().push(payloads, tmp_path)
    assert len(graph.created("ad")) == len(payloads["ads"]) and len(graph.created("adset")) == len(payloads["ad_sets"])


# ------------------------------------------------------------------------------------------ themes file

def test_themes_resolve_writes_ids_and_dates_then_checks_by_id(graph, tmp_path, capsys):
    from datetime import date

    from outreach.cli import main
    from outreach.themes import load_themes
    from tests.support import ROOT

    path = tmp_path / "themes.yaml"
    path.write_text((ROOT / "data" / "themes.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    code = main(["themes", "resolve", "--themes", str(path), "--account", "act_1234567"])
    out = capsys.readouterr()
    sf = next(t for t in load_themes(path) if t.id == "science-fiction")
    assert [(i.name, i.id, i.resolved_at) for i in sf.meta_interests] == [
        ("Science fiction", "9990000000001", date.today()), ("Science fiction film", "9990000000002", date.today()),
        ("Science fiction books", "9990000000008", date.today())]
    assert "science-fiction\tScience fiction\t9990000000001\tactif\t310,0 à 364,0 millions de personnes" in out.out
    assert code == 1 and "Inconnu(s) de Meta" in out.err  # the stand-in knows a few interests only
    # the next run looks the ids up by id, not by name, and sees an interest Meta retired since
    graph.requests.clear()
    graph.option_status["9990000000002"] = "DEPRECATING"
    main(["themes", "resolve", "--themes", str(path), "--account", "act_1234567"])
    out = capsys.readouterr()
    searched = [r["params"].get("q") for r in graph.calls("GET", "/search") if r["params"]["type"] == "adinterest"]
    assert "Science fiction" not in searched
    assert "Science fiction film (en cours de retrait)" in out.err


# ------------------------------------------------------------------------------------------ plan changed after a push

def test_push_after_a_plan_change_brings_the_objects_in_line(graph, payloads, tmp_path):  # noqa: F811
    client().push(payloads, tmp_path)
    ids = json.loads((tmp_path / "meta-ids.json").read_text())
    before = len(graph.objects)
    changed = json.loads(json.dumps(payloads))
    first = changed["ad_sets"][0]
    first["daily_budget"] += 100
    first["end_time"] = "2027-04-15T23:59:00+0200"
    creative = changed["creatives"][1]  # a new wording, wherever this creative keeps it
    (creative["object_story_spec"].get("link_data") or creative["asset_feed_spec"]["bodies"][0])[
        "message" if "link_data" in creative["object_story_spec"] else "text"] = "Nouveau texte."
    extra = dict(changed["ad_sets"][0], ref="science-fiction--new", name="Nouvel ensemble")
    changed["ad_sets"].append(extra)
    graph.requests.clear()
    report = client().push(changed, tmp_path)
    # the ad set updated in place, with only what changed and never its status
    updated = graph.objects[ids[first["ref"]]]
    assert int(updated["params"]["daily_budget"]) == first["daily_budget"]  # form-encoded, as Meta receives it
    assert updated["updates"] == [{"daily_budget": str(first["daily_budget"]), "end_time": "2027-04-15T23:59:00+0200"}]
    # a creative cannot be edited at Meta: a new one, and its ad points to it
    new_creative = report.ids[changed["creatives"][1]["ref"]]
    assert new_creative != ids[changed["creatives"][1]["ref"]]
    ad = graph.objects[ids[changed["ads"][1]["ref"]]]
    assert ad["params"]["creative"] == {"creative_id": new_creative} and "status" not in ad["updates"][0]
    # the new ad set is created paused; nothing else was recreated
    assert graph.objects[report.ids["science-fiction--new"]]["params"]["status"] == "PAUSED"
    assert len(graph.objects) == before + 2
    assert not any("status" in r["params"] for r in graph.requests
                   if r["method"] == "POST" and r["path"].rstrip("/").count("/") == 2)  # POST /v26.0/{id}
    assert set(report.updated) == {first["ref"], changed["ads"][1]["ref"]}
    # nothing changed: nothing sent
    graph.requests.clear()
    again = client().push(changed, tmp_path)
    assert again.updated == [] and again.created == [] and not graph.calls("POST")


def test_push_refuses_a_change_meta_does_not_allow_on_an_existing_object(graph, payloads, tmp_path):  # noqa: F811
    client().push(payloads, tmp_path)
    changed = json.loads(json.dumps(payloads))
    changed["ad_sets"][0]["optimization_goal"] = "IMPRESSIONS"
    graph.requests.clear()
    with pytest.raises(MetaError, match="optimization_goal") as err:
        client().push(changed, tmp_path)
    assert "nouveau dossier" in str(err.value) and not graph.calls("POST")


def test_saving_a_campaign_again_keeps_its_identity(tmp_path):
    from outreach.campaign import load_campaign, save_campaign
    from outreach.settings import NetworkSettings
    from tests.support import ROOT

    campaign = load_campaign(ROOT / "campaigns" / "exemple-sf-bouches-du-rhone.yaml", settings=NetworkSettings())
    without = campaign.model_copy(update={"id": None})  # what the app's form gives back
    path = save_campaign(without, tmp_path / "c.yaml")
    first = load_campaign(path, settings=NetworkSettings()).id
    save_campaign(without.model_copy(update={"budget_eur": 400}), path)
    assert first and load_campaign(path, settings=NetworkSettings()).id == first
