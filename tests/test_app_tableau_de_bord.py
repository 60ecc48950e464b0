from streamlit.testing.v1 import AppTest

from outreach import reporting
from outreach.reporting import ReportStore, demo_dir
from outreach.sources.ads_reports import read_ads_report
from tests.support import ROOT, reporting_fixtures
from tests.support.reporting_fixtures import export_rows, period_figures, write_csv, write_plan_dir

PAGE = str(ROOT / "app/pages/tableau_de_bord.py")
store_url = reporting_fixtures.store_url  # fixture


def _metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


def test_empty_database_invites_to_import(store_url):
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    assert any("Aucun résultat" in i.value for i in at.info)
    assert at.button(key="dash_import").disabled
    assert at.button(key="dash_demo") is not None


def test_demo_loads_and_tabs_work(store_url):
    at = AppTest.from_file(PAGE, default_timeout=90).run()
    at.button(key="dash_demo").click().run()
    assert not at.exception
    assert any("SYNTHÉTIQUES" in w.value for w in at.warning)
    metrics = _metrics(at)
    # the demonstration imports the campaign's own reach: the total is exact (no ≤), and is that of the file
    campaign = read_ads_report(demo_dir() / "campagne-par-jour-et-periode.csv").frame
    whole = campaign[campaign["date_start"] != campaign["date_stop"]].iloc[0]
    assert metrics["Personnes touchées"] == f"{whole['reach']:,}".replace(",", "\u202f")
    assert metrics["Dépense"] == f"{whole['spend']:,.2f} €".replace(",", "\u202f").replace(".", ",")
    assert len(at.tabs) == 6
    assert len(at.get("vega_lite_chart")) >= 5  # theme, spend/reach, map, days, outcome
    at.radio(key="dash_metric").set_value("visits").run()
    at.slider(key="dash_months").set_value(2).run()
    assert not at.exception
    assert any("témoins" in c.value for c in at.caption)
    # the user's own database was not touched
    assert not ReportStore(store_url).has_results()
    at.button(key="dash_back").click().run()
    assert any("Aucun résultat" in i.value for i in at.info)


def test_user_results_and_campaign_choice(tmp_path, store_url):
    store = ReportStore(store_url)
    reporting.import_reports(store, [write_csv(tmp_path / "r.csv", export_rows(period_figures()))],
                             [write_plan_dir(tmp_path / "plan")])
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    total = sum(f["reach"] for f in period_figures())
    assert _metrics(at)["Personnes touchées"] == "≤ " + f"{total:,}".replace(",", "\u202f")
    choice = at.selectbox(key="dash_campaign")
    assert choice.options == ["Toutes les campagnes", reporting_fixtures.CAMPAIGN]
    choice.set_value(1).run()
    assert not at.exception and _metrics(at)["Impressions"] == f"{sum(f['impressions'] for f in period_figures()):,}" \
        .replace(",", "\u202f")
    # no activity imported: said beside the outcome chart, in French, no traceback
    assert any("aucune activité importée" in e.value for e in at.error)


def _uploader(at, key):
    return next(u for u in at.get("file_uploader") if u.proto.id.endswith(key) or key in u.proto.id)


def test_upload_export_and_plan_files(tmp_path, store_url):
    plan = write_plan_dir(tmp_path / "plan")
    good = write_csv(tmp_path / "rapport.csv", export_rows(period_figures())).read_bytes()
    bad_rows = export_rows(period_figures())
    bad_rows[2][4] = "beaucoup"
    bad = write_csv(tmp_path / "mauvais.csv", bad_rows).read_bytes()

    at = AppTest.from_file(PAGE, default_timeout=60).run()
    _uploader(at, "dash_reports").set_value([("mauvais.csv", bad, "text/csv")])
    at.run()
    at.button(key="dash_import").click().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "mauvais.csv" in errors and "ligne 3" in errors and "beaucoup" in errors
    assert not ReportStore(store_url).has_results()

    _uploader(at, "dash_reports").set_value([("rapport.csv", good, "text/csv")])
    _uploader(at, "dash_plan_files").set_value(
        [(name, (plan / name).read_bytes(), "application/octet-stream")
         for name in ("plan.csv", "meta-api.json", "meta-ids.json")])
    at.run()
    at.button(key="dash_import").click().run()
    assert not at.exception
    assert any("6 ligne(s) importée(s)" in s.value for s in at.success)
    total = sum(f["impressions"] for f in period_figures())
    assert _metrics(at)["Impressions"] == f"{total:,}".replace(",", "\u202f")
    assert reporting.reach_table(ReportStore(store_url), "branch").frame["key"].tolist() != [reporting.UNMATCHED]


def test_unreachable_database_is_said_in_french(monkeypatch):
    monkeypatch.setenv("OUTREACH_DATABASE_URL", "nosuchdriver://somewhere/base")
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    assert any("OUTREACH_DATABASE_URL" in e.value or "base de données" in e.value for e in at.error)


def fetch_from_meta(tmp_path, account: str) -> AppTest:
    """The page's « Lire les résultats chez Meta » for the fixture campaign's three weeks, with its plan."""
    import datetime as dt

    at = AppTest.from_file(PAGE, default_timeout=90).run()
    at.text_input(key="dash_plan_dir").set_value(str(write_plan_dir(tmp_path / "plan")))
    at.text_input(key="dash_meta_object").set_value(account)
    at.date_input(key="dash_meta_since").set_value(dt.date(2026, 12, 1))
    at.date_input(key="dash_meta_until").set_value(dt.date(2026, 12, 21)).run()
    return at.button(key="dash_meta_fetch").click().run()


def test_read_results_from_meta(tmp_path, store_url, monkeypatch):
    from tests.support.graph_server import TOKEN
    from tests.support.reporting_fixtures import CAMPAIGN_ID, simulated_meta

    with simulated_meta(monkeypatch, "act_77") as server:
        at = fetch_from_meta(tmp_path, "act_77")
        assert not at.exception
        assert sum("importée(s)" in s.value for s in at.success) == 3
        total = server.true_reach(campaign_id=CAMPAIGN_ID)
        assert _metrics(at)["Personnes touchées"] == f"{total:,}".replace(",", "\u202f")
        assert TOKEN not in str([e.value for e in at.error])
        # a wrong account id is refused in French before any call
        at.text_input(key="dash_meta_object").set_value("compte 77").run()
        at.button(key="dash_meta_fetch").click().run()
        assert any("ni un compte publicitaire" in e.value for e in at.error)


def test_a_failing_insights_query_stores_nothing(tmp_path, store_url, monkeypatch):
    """The page used to store each query as it came: a failure on the last left a partial import."""
    from tests.support.graph_server import graph_error
    from tests.support.reporting_fixtures import simulated_meta

    with simulated_meta(monkeypatch, "act_77") as server:
        compute = server._compute
        # the campaign-level query, asked last, fails: the ad-set queries fetched before must not be stored
        monkeypatch.setattr(server, "_compute", lambda node, params: graph_error(
            "(#100) Unsupported request", code=100) if params.get("level") == "campaign" else compute(node, params))
        at = fetch_from_meta(tmp_path, "act_77")
        assert not at.exception and at.error
        assert not ReportStore(store_url).has_results()
