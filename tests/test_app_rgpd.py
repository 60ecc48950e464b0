"""The RGPD page: the checklist of the current campaign, what to fix, and attestations through the form."""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from outreach.campaign import load_campaign
from outreach.compliance import load_attestations
from tests.support import ROOT
from tests.support.compliance_cases import CASES
from tests.support.compliance_helpers import NETWORK_YAML

PAGE = str(ROOT / "app/pages/rgpd.py")


@pytest.fixture(autouse=True)
def network(tmp_path, monkeypatch):
    path = tmp_path / "network.yaml"
    path.write_text(NETWORK_YAML, encoding="utf-8")
    monkeypatch.setenv("OUTREACH_SETTINGS", str(path))


def page_for(campaign_file):
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["campaign_path"] = str(campaign_file)
    at.session_state["campaign"] = load_campaign(campaign_file)
    return at


def test_renders_the_shipped_example_by_default():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "RGPD"
    assert at.header[0].value == "SF près de chez vous — Bouches-du-Rhône"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["☐ À attester"] == "12" and metrics["✘ Non conforme"] == "0"
    assert "DPIA-01" in at.error[0].value and "PIX-01" not in at.error[0].value  # warnings never block
    assert at.radio(key="rgpd_show").value == "à traiter"
    assert at.text_input(key="rgpd_name") is not None


def test_failing_campaign_shows_the_item_and_where_to_fix(tmp_path):
    campaign = tmp_path / "lgbt.yaml"
    shutil.copyfile(CASES / "lgbt.yaml", campaign)
    at = page_for(campaign).run()
    assert not at.exception
    assert "SEN-02" in at.error[0].value
    expander = next(e for e in at.expander if e.label.startswith("✘ SEN-02"))
    texts = " ".join(m.value for m in expander.markdown)
    assert "Campagne" in texts and "extra_interests" in texts


def test_attesting_through_the_form(tmp_path):
    campaign = tmp_path / "conforme.yaml"
    shutil.copyfile(CASES / "conforme.yaml", campaign)
    at = page_for(campaign).run()
    at.selectbox(key="rgpd_item").set_value("ROLE-01")
    at.text_input(key="rgpd_name").set_value("Claire Martin")
    at.text_input(key="rgpd_role").set_value("Chargée de communication")
    at.button[0].click().run()
    assert not at.exception
    assert [a.item for a in load_attestations(campaign)] == ["ROLE-01"]
    # the DPO's items refuse anyone else, with the message beside the form
    at.selectbox(key="rgpd_item").set_value("DPIA-01")
    at.text_input(key="rgpd_name").set_value("Claire Martin")
    at.text_input(key="rgpd_role").set_value("Chargée de communication")
    at.button[0].click().run()
    assert not at.exception
    assert any("délégué à la protection des données" in e.value for e in at.error)
    assert [a.item for a in load_attestations(campaign)] == ["ROLE-01"]
    at.radio(key="rgpd_show").set_value("tous").run()
    assert not at.exception


def test_dpo_signs_off_a_flagged_theme(tmp_path):
    campaign = tmp_path / "lsf.yaml"
    shutil.copyfile(CASES / "lsf.yaml", campaign)
    at = page_for(campaign).run()
    assert "SEN-03" in at.error[0].value
    at.selectbox(key="rgpd_item").set_value("SEN-03")
    at.text_input(key="rgpd_name").set_value("Paul Durand")
    at.text_input(key="rgpd_role").set_value("Délégué à la protection des données")
    at.button[0].click().run()
    assert not at.exception
    (attestation,) = load_attestations(campaign)
    assert attestation.item == "SEN-03" and "lsf" in attestation.about
    assert "SEN-03" not in at.error[0].value


def test_meta_files_only_once_allowed_or_as_drafts(tmp_path):
    from tests.support.compliance_helpers import attested_copy

    campaign = tmp_path / "conforme.yaml"
    shutil.copyfile(CASES / "conforme.yaml", campaign)
    at = page_for(campaign).run()
    labels = {d.label for d in at.get("download_button")}
    assert "Télécharger checklist.html" in labels and not any("meta-api" in label for label in labels)
    at.checkbox(key="rgpd_draft").check().run()
    assert not at.exception
    labels = {d.label for d in at.get("download_button")}
    assert "Télécharger BROUILLON-meta-api.json" in labels and "Télécharger meta-api.json" not in labels
    attested = attested_copy(CASES / "conforme.yaml", tmp_path / "attested")
    at = page_for(attested).run()
    labels = {d.label for d in at.get("download_button")}
    assert "Télécharger meta-api.json" in labels and "Télécharger ads-manager.xlsx" in labels
    assert any("export est autorisé" in s.value for s in at.success)
