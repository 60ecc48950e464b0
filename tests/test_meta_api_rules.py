"""What Meta refuses or limits in practice, against the local Graph server: interests by locale and by id,
budget floors per optimisation goal, rate limits, and the token kept out of every message."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from outreach.meta.client import MetaClient, MetaError
from tests.graph_server import TOKEN, GraphServer, graph_error
from tests.test_meta_client import client, payloads  # noqa: F401  (the shared small plan fixture)


@pytest.fixture
def graph(monkeypatch):
    server = GraphServer()
    server.start()
    monkeypatch.setenv("META_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("META_GRAPH_URL", server.url)
    yield server
    server.stop()


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
        client().push(with_ids, tmp_path / "again")
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
    MetaClient("act_1234567", sleep=sleeps.append).push(payloads, tmp_path / "b")
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
    assert TOKEN not in str(err.value) and "access_token=***" in str(err.value)
