"""outreach.pipeline, the one path of the app and the CLI (the pages' side is in tests/test_app_*.py)."""

import hashlib

import pytest
import sqlalchemy as sa

from outreach import pipeline
from outreach.datasets import example_campaign_path
from outreach.errors import InputError
from outreach.reporting import ReportStore
from outreach.reporting.results_store import activity_batches
from tests.support import ROOT
from tests.support.reporting_fixtures import store_url  # noqa: F401


def test_a_draft_verdict_is_a_new_verdict(tmp_path, monkeypatch):
    monkeypatch.setenv("OUTREACH_SETTINGS", str(tmp_path / "network.yaml"))  # no DPO: blocked
    prepared = pipeline.prepare_file(example_campaign_path())
    draft = prepared.with_draft(True)
    assert draft.verdict.is_draft and not prepared.verdict.is_draft and not prepared.verdict.checklist.draft
    assert "BROUILLON-meta-api.json" in draft.outputs() and "meta-api.json" not in prepared.outputs()


def test_an_uploaded_activity_file_keeps_its_sha256_and_a_bad_file_stores_nothing(tmp_path, store_url):  # noqa: F811
    """The dashboard passes the upload as (name, bytes), the CLI a path: both get the sha256 recorded (the page
    did not record it); a bad second file stops the import before the first is stored."""
    sample = ROOT / "data/samples/resultats-demo/activite-bibliotheques.csv"
    store = ReportStore(store_url)
    bad = (tmp_path / "vide.csv")
    bad.write_text("branch_id;month;loans\n", encoding="utf-8")
    with pytest.raises(InputError):
        pipeline.import_activity(store, [(sample.name, sample.read_bytes()), bad])
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(activity_batches)).scalar() == 0
    [done] = pipeline.import_activity(store, [(sample.name, sample.read_bytes())])
    [again] = pipeline.import_activity(store, [sample])
    with store.engine.connect() as conn:
        shas = conn.execute(sa.select(activity_batches.c.sha256).order_by(activity_batches.c.id)).scalars().all()
    assert shas == [hashlib.sha256(sample.read_bytes()).hexdigest()] * 2 and done.rows == again.rows > 0
