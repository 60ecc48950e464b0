import pytest

from outreach import reporting
from outreach.errors import InputError
from outreach.meta.client import MetaError
from outreach.meta.insights import InsightsQuery, fetch_insights, insights_api
from outreach.reporting import ReportStore
from tests.support import reporting_fixtures
from tests.support.graph_insights import InsightsGraphServer
from tests.support.graph_server import TOKEN, graph_error
from tests.support.reporting_fixtures import (
    CAMPAIGN,
    CAMPAIGN_ID,
    meta_adsets,
    planned_adsets,
    write_plan_dir,
)

store_url = reporting_fixtures.store_url  # fixture

ACCOUNT = "act_1234567"


@pytest.fixture(scope="module")
def graph_server():
    server = InsightsGraphServer()
    server.start()
    server.simulate(account=ACCOUNT, campaign_id=CAMPAIGN_ID, campaign_name=CAMPAIGN, adsets=meta_adsets(),
                    start="2026-12-01", end="2026-12-21")
    yield server
    server.stop()  # one server for the module: stopping one takes half a second


@pytest.fixture
def graph(graph_server, monkeypatch):
    server = graph_server
    server.requests.clear()
    server._faults.clear()
    server.async_step, server.failing_runs, server.currency = 40, False, "EUR"
    monkeypatch.setenv("META_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("META_GRAPH_URL", server.url)
    return server


def _no_sleep(_s):
    pass


def test_daily_adset_rows_across_pages(graph):
    rows = fetch_insights(InsightsQuery(ACCOUNT, level="adset", since="2026-12-01", until="2026-12-21",
                                        mode="sync"), sleep=_no_sleep)
    f = rows.frame
    assert len(f) == 6 * 21 and rows.daily and rows.level == "adset"
    assert set(f["adset_name"]) == {a["adset_name"] for a in planned_adsets()}
    # 126 rows with the server's default page of 25 would need 6 pages; the SDK asked for 500 at once,
    # so force small pages to check the cursor is followed
    assert f["impressions"].sum() == sum(d.impressions for d in graph.deliveries)
    assert f["spend"].sum() == pytest.approx(sum(d.spend for d in graph.deliveries))


def test_pagination_follows_after_cursors(graph, monkeypatch):
    monkeypatch.setattr("outreach.meta.insights.PAGE_SIZE", 20)
    rows = fetch_insights(InsightsQuery(ACCOUNT, since="2026-12-01", until="2026-12-21", mode="sync"),
                          sleep=_no_sleep)
    assert len(rows.frame) == 126
    pages = [r for r in graph.requests if r["path"].endswith("/insights")]
    assert len(pages) == 7 and "after" not in pages[0]["query"] and all("after" in p["query"] for p in pages[1:])
    assert not rows.frame.duplicated(["adset_id", "date_start"]).any()


def test_whole_period_reach_is_deduplicated(graph):
    rows = fetch_insights(InsightsQuery(ACCOUNT, level="adset", since="2026-12-01", until="2026-12-21",
                                        time_increment=None), sleep=_no_sleep)
    f = rows.frame.set_index("adset_id")
    first = str(120200000000200)
    assert f.loc[first, "reach"] == graph.true_reach(adset_id=first)
    daily_sum = sum(len(d.people) for d in graph.deliveries if d.adset_id == first)
    assert f.loc[first, "reach"] < daily_sum  # people come back on several days


def test_campaign_level_from_the_campaign_node(graph):
    rows = fetch_insights(InsightsQuery(CAMPAIGN_ID, level="campaign", since="2026-12-01", until="2026-12-21",
                                        time_increment=None), sleep=_no_sleep)
    assert rows.level == "campaign" and len(rows.frame) == 1
    assert rows.frame.loc[0, "reach"] == graph.true_reach(campaign_id=CAMPAIGN_ID)
    assert graph.requests[-1]["path"].endswith(f"/{CAMPAIGN_ID}/insights")


def test_asynchronous_report_for_maximum(graph):
    seen = []
    rows = fetch_insights(InsightsQuery(ACCOUNT, level="adset", date_preset="maximum"), sleep=_no_sleep,
                          progress=seen.append)
    assert len(rows.frame) == 126
    assert seen == [40, 80, 100]
    posts = [r for r in graph.requests if r["method"] == "POST"]
    assert len(posts) == 1 and posts[0]["path"].endswith(f"/{ACCOUNT}/insights")
    assert graph.requests[-1]["path"].endswith("/insights") and graph.requests[-1]["path"].split("/")[2] in graph.runs


def test_failed_report_run(graph):
    graph.failing_runs = True
    with pytest.raises(MetaError, match="asynchrone.*Job Failed"):
        fetch_insights(InsightsQuery(ACCOUNT, date_preset="maximum"), sleep=_no_sleep)


def test_report_run_timeout(graph):
    graph.async_step = 0
    with pytest.raises(MetaError, match="pas prêt"):
        fetch_insights(InsightsQuery(ACCOUNT, date_preset="maximum"), sleep=_no_sleep, poll_s=1, timeout_s=3)


def test_bad_token_message_never_shows_it(graph, monkeypatch):
    monkeypatch.setenv("META_ACCESS_TOKEN", "EAAB-secret-token-123")
    with pytest.raises(MetaError) as err:
        fetch_insights(InsightsQuery(ACCOUNT, since="2026-12-01", until="2026-12-02", mode="sync"),
                       sleep=_no_sleep)
    assert "jeton" in str(err.value) and "EAAB-secret-token-123" not in str(err.value)


def test_unreachable_server_message_never_shows_the_token(monkeypatch):
    monkeypatch.setenv("META_ACCESS_TOKEN", "EAAB-secret-token-456")
    monkeypatch.setenv("META_GRAPH_URL", "http://127.0.0.1:9")  # discard port: connection refused
    with pytest.raises(MetaError) as err:
        fetch_insights(InsightsQuery(ACCOUNT, since="2026-12-01", until="2026-12-02", mode="sync"),
                       sleep=_no_sleep, retries=1)
    assert "ne répond pas" in str(err.value) and "secret" not in str(err.value)
    assert err.value.__cause__ is None and err.value.__suppress_context__


def test_transient_errors_are_retried(graph):
    graph.fail(r"/insights$", graph_error("Service temporarily unavailable", code=2, transient=True), status=500,
               times=2)
    rows = fetch_insights(InsightsQuery(ACCOUNT, since="2026-12-01", until="2026-12-21", mode="sync"),
                          sleep=_no_sleep)
    assert len(rows.frame) == 126


def test_missing_token(monkeypatch):
    monkeypatch.delenv("META_ACCESS_TOKEN", raising=False)
    monkeypatch.chdir("/")
    monkeypatch.setenv("HOME", "/nonexistent")
    with pytest.raises(MetaError, match="aucun jeton"):
        insights_api()


@pytest.mark.parametrize("query, message", [
    (InsightsQuery("1234x"), "ni un compte"),
    (InsightsQuery(ACCOUNT, level="ad", since="2026-12-01", until="2026-12-02"), "niveau"),
    (InsightsQuery(ACCOUNT, since="2026-12-05", until="2026-12-02"), "finit"),
    (InsightsQuery(ACCOUNT, since="2026-12-05"), "incomplète"),
    (InsightsQuery(ACCOUNT, date_preset="lifetime"), "inconnue"),
])
def test_query_checked_before_any_call(query, message):
    with pytest.raises(InputError, match=message):
        query.check()


def test_other_currency_refused(graph):
    graph.currency = "USD"
    with pytest.raises(MetaError, match="USD"):
        fetch_insights(InsightsQuery(ACCOUNT, since="2026-12-01", until="2026-12-21", mode="sync"), sleep=_no_sleep)


def test_insights_into_the_store_with_exact_campaign_reach(graph, tmp_path, store_url):
    store = ReportStore()
    store.register_plan(reporting.read_plan_dir(write_plan_dir(tmp_path / "plan")))
    span = dict(since="2026-12-01", until="2026-12-21")
    for q in (InsightsQuery(ACCOUNT, level="adset", **span),  # daily: async (21 days is under a month: sync)
              InsightsQuery(ACCOUNT, level="adset", time_increment=None, **span),
              InsightsQuery(CAMPAIGN_ID, level="campaign", time_increment=None, **span)):
        summary = store.import_rows(fetch_insights(q, sleep=_no_sleep), kind="insights")
        assert summary.rows_unmatched == 0
    table = reporting.reach_table(store, "branch")
    assert table.total["reach"] == graph.true_reach(campaign_id=CAMPAIGN_ID) and table.total["reach_exact"]
    per_adset = reporting.object_figures(store)
    adsets = per_adset[per_adset["level"] == "adset"]
    assert adsets["reach_exact"].all()
    assert table.total["reach"] < adsets["reach"].sum()  # ad sets overlap: the campaign's reach is smaller
    # importing the same query again changes nothing
    before = reporting.to_csv_frame(table)
    store.import_rows(fetch_insights(InsightsQuery(ACCOUNT, level="adset", **span), sleep=_no_sleep),
                      kind="insights")
    assert reporting.to_csv_frame(reporting.reach_table(store, "branch")).equals(before)
