"""The app and the CLI take the one path of outreach.pipeline: each divergence they had is pinned here."""

import hashlib

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from app import state
from outreach import pipeline
from outreach.datasets import example_campaign_path
from outreach.errors import InputError
from outreach.reporting import ReportStore
from outreach.reporting.results_store import activity_batches
from tests.support import ROOT
from tests.support.compliance_helpers import NETWORK_YAML, attested_copy
from tests.support.reporting_fixtures import simulated_meta, store_url, write_plan_dir  # noqa: F401

EXPORTER = str(ROOT / "app/pages/exporter.py")
DASHBOARD = str(ROOT / "app/pages/tableau_de_bord.py")


def ready_campaign(tmp_path, monkeypatch):
    settings = tmp_path / "network.yaml"
    settings.write_text(NETWORK_YAML, encoding="utf-8")
    monkeypatch.setenv("OUTREACH_SETTINGS", str(settings))
    monkeypatch.setenv("OUTREACH_OUTPUT_DIR", str(tmp_path / "sorties"))
    return attested_copy(example_campaign_path(), tmp_path / "campaigns")


def exporter(campaign_path) -> AppTest:
    at = AppTest.from_file(EXPORTER, default_timeout=90)
    at.session_state[state.CAMPAIGN_PATH] = str(campaign_path)
    return at.run()


def test_the_app_warns_about_an_earlier_push_in_its_folder_as_the_cli_does(tmp_path, monkeypatch):
    campaign = ready_campaign(tmp_path, monkeypatch)
    folder = tmp_path / "sorties" / "sf-pres-de-chez-vous-bouches-du-rhone"
    folder.mkdir(parents=True)
    (folder / "meta-ids.json").write_text('{"campagne": "120200000000001"}', encoding="utf-8")
    at = exporter(campaign)
    assert not at.exception
    assert any("meta-ids.json" in w.value and "ne les recréera" in w.value for w in at.warning)
    prepared = pipeline.prepare_file(campaign, out_dir=folder)
    assert any("meta-ids.json" in n for n in prepared.plan.notes)


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
