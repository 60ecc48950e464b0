"""The results store on a real PostgreSQL server (OUTREACH_TEST_POSTGRES_URL; `.ci/run` starts one).

Skipped when the variable is unset, locally only: CI sets it. The tests share the database with other
capabilities' tests, so they drop and recreate only the reporting tables.
"""

import os

import pytest
import sqlalchemy as sa

from outreach import db, reporting
from outreach.reporting import ReportStore, results_store
from tests.support.reporting_fixtures import (
    CAMPAIGN_ID,
    export_rows,
    period_figures,
    simulated_meta,
    write_csv,
    write_plan_dir,
)

URL = os.environ.get("OUTREACH_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(not URL, reason="OUTREACH_TEST_POSTGRES_URL is not set (CI sets it)")


@pytest.fixture
def pg():
    engine = sa.create_engine(URL)
    results_store.metadata.drop_all(engine)
    engine.dispose()
    db.forget(URL)
    yield ReportStore(URL)
    db.forget(URL)


def test_import_twice_and_corrections_on_postgres(tmp_path, pg):
    assert pg.engine.dialect.name == "postgresql"
    plan = write_plan_dir(tmp_path / "plan")
    path = write_csv(tmp_path / "r.csv", export_rows(period_figures()))
    reporting.import_reports(pg, [path], [plan])
    first = reporting.to_csv_frame(reporting.reach_table(pg, "theme"))
    [again] = reporting.import_reports(pg, [path])
    assert again.duplicate_of is not None
    [copy] = reporting.import_reports(pg, [write_csv(tmp_path / "c.csv", export_rows(period_figures()), separator=",")])
    assert copy.rows_replaced == 6 and copy.rows_identical == 6
    assert reporting.to_csv_frame(reporting.reach_table(pg, "theme")).equals(first)
    assert int(first["impressions"].sum()) == sum(f["impressions"] for f in period_figures())
    with pg.engine.connect() as conn:
        kept = conn.execute(sa.text("SELECT COUNT(*), COUNT(replaced_by) FROM report_results")).one()
    assert tuple(kept) == (12, 6)


def test_unmatched_then_relinked_on_postgres(tmp_path, pg):
    reporting.import_reports(pg, [write_csv(tmp_path / "r.csv", export_rows(period_figures()))])
    assert reporting.reach_table(pg, "branch").frame["key"].tolist() == [reporting.UNMATCHED]
    reporting.import_reports(pg, [], [write_plan_dir(tmp_path / "plan")])
    table = reporting.reach_table(pg, "area")
    assert reporting.UNMATCHED not in set(table.frame["key"])
    assert table.frame["spend"].sum() == pytest.approx(sum(f["spend"] for f in period_figures()))


def test_insights_daily_rows_and_campaign_reach_on_postgres(tmp_path, pg, monkeypatch):
    from outreach.meta.insights import InsightsQuery, fetch_insights

    with simulated_meta(monkeypatch, "act_9") as server:
        pg.register_plan(reporting.read_plan_dir(write_plan_dir(tmp_path / "plan")))
        span = dict(since="2026-12-01", until="2026-12-21")
        for q in (InsightsQuery("act_9", **span), InsightsQuery(CAMPAIGN_ID, level="campaign",
                                                                 time_increment=None, **span),
                  InsightsQuery(CAMPAIGN_ID, level="campaign", **span)):
            pg.import_rows(fetch_insights(q, sleep=lambda _s: None), kind="insights")
        table = reporting.reach_table(pg, "theme")
        assert table.total["reach"] == server.true_reach(campaign_id=CAMPAIGN_ID) and table.total["reach_exact"]
        days = reporting.reach_table(pg, "day")
        assert len(days.frame) == 21 and days.frame["reach_exact"].all()
        assert days.frame.loc[0, "reach"] == server.true_reach(campaign_id=CAMPAIGN_ID, since="2026-12-01",
                                                               until="2026-12-01")
