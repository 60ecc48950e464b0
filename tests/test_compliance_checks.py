"""Every check of the checklist, passing and failing, on real campaign files planned by the real planner."""

from __future__ import annotations

import pytest

from outreach.compliance.checks import CHECKS, pre_election_window
from outreach.compliance.community_facts import ConsentOption
from outreach.compliance.rules import load_rules
from outreach.settings import NetworkSettings
from tests.support.compliance_cases import SETTINGS, checklist, facts


@pytest.fixture(autouse=True)
def network(tmp_path, monkeypatch):
    path = tmp_path / "network.yaml"
    path.write_text("min_daily_budget_eur: 1.0\n", encoding="utf-8")
    monkeypatch.setenv("OUTREACH_SETTINGS", str(path))


def radius(value):
    def edit(payloads):
        payloads["ad_sets"][0]["targeting"]["geo_locations"]["custom_locations"][0]["radius"] = value
    return edit


def move_centre(payloads):
    # 2 km north of the branch: no library there
    payloads["ad_sets"][0]["targeting"]["geo_locations"]["custom_locations"][0]["latitude"] += 0.018


def drop_payer(payloads):
    del payloads["ad_sets"][0]["dsa_payor"]


NO_DPO = NetworkSettings(controller_name="Ville de Marseille", min_daily_budget_eur=1.0, elections=[])
OTHER_PAGE = SETTINGS.model_copy(update={"facebook_page_id": "999888777", "facebook_page_name": "Médiathèques d'Aubagne",
                                         "dsa_payer": "Ville d'Aubagne"})

# check → (item, passing case, failing case); a case is (campaign file, options, expected status)
CASES = {
    "profiling_uses_consent": ("BASIS-01", ("conforme.yaml", {}, "pass"), ("questionnaire.yaml", {}, "flag")),
    "extra_interests_reviewed": ("TGT-01", ("conforme.yaml", {}, "pass"), ("interet-ajoute.yaml", {}, "flag")),
    "radius_at_least_1km": ("TGT-02", ("conforme.yaml", {}, "pass"),
                            ("conforme.yaml", {"edit": radius(0.5)}, "fail")),
    "no_lookalike_audience": ("TGT-03", ("audience-questionnaire.yaml", {}, "pass"), ("lookalike.yaml", {}, "fail")),
    "custom_audiences_from_questionnaire": ("CA-01", ("audience-questionnaire.yaml", {}, "pass"),
                                            ("fichier-lecteurs.yaml", {}, "fail")),
    "custom_audiences_used": ("CA-02", ("conforme.yaml", {}, "pass"), ("audience-questionnaire.yaml", {}, "flag")),
    "notice_names_meta": ("CA-03", ("audience-questionnaire.yaml", {}, "pass"),
                          ("audience-questionnaire.yaml",
                           {"questionnaire": facts(notice_text="Vos données restent à la médiathèque.")}, "fail")),
    "custom_audiences_not_from_service_files": ("CA-05", ("audience-questionnaire.yaml", {}, "pass"),
                                                ("fichier-lecteurs.yaml", {}, "fail")),
    "questionnaire_notice_complete": ("FORM-01", ("questionnaire.yaml", {}, "pass"),
                                      ("questionnaire.yaml", {"settings": NO_DPO}, "fail")),
    "questionnaire_consents_separate": ("FORM-02", ("questionnaire.yaml", {}, "pass"),
                                        ("questionnaire.yaml", {"questionnaire": facts(consents=[
                                            ConsentOption("email_recommendations"),
                                            ConsentOption("meta_matching", required=True)])}, "fail")),
    "questionnaire_consents_unticked": ("FORM-03", ("questionnaire.yaml", {}, "pass"),
                                        ("questionnaire.yaml", {"questionnaire": facts(consents=[
                                            ConsentOption("email_recommendations", default_checked=True)])},
                                         "fail")),
    "questionnaire_optional": ("FORM-04", ("questionnaire.yaml", {}, "pass"),
                               ("questionnaire.yaml", {"questionnaire": facts(dismissible=False)}, "fail")),
    "questionnaire_withdrawal_link": ("FORM-05", ("questionnaire.yaml", {}, "pass"),
                                      ("questionnaire.yaml",
                                       {"questionnaire": facts(withdrawal_url="http://127.0.0.1:8765/preferences")},
                                       "fail")),
    "questionnaire_fields_minimal": ("FORM-07", ("questionnaire.yaml", {}, "pass"),
                                     ("questionnaire.yaml", {"questionnaire": facts(
                                         fields=["interests", "postcode", "birth_date", "email"])}, "fail")),
    "no_blocked_theme": ("SEN-01", ("conforme.yaml", {}, "pass"), ("theme-bloque.yaml", {}, "fail")),
    "no_blocked_interest": ("SEN-02", ("conforme.yaml", {}, "pass"), ("lgbt.yaml", {}, "fail")),
    "flagged_topics_broad_only": ("SEN-03", ("conforme.yaml", {}, "pass"), ("interet-a-signaler.yaml", {}, "fail")),
    "questionnaire_interests_not_sensitive": ("SEN-04", ("questionnaire.yaml", {}, "pass"),
                                              ("questionnaire.yaml",
                                               {"questionnaire": facts(offered_themes=["manga", "lsf"])}, "fail")),
    "circles_centred_on_branches": ("SEN-05", ("conforme.yaml", {}, "pass"),
                                    ("conforme.yaml", {"edit": move_centre}, "flag")),
    "adults_only": ("MIN-01", ("conforme.yaml", {}, "pass"), ("mineurs.yaml", {}, "fail")),
    "questionnaire_min_age": ("MIN-02", ("questionnaire.yaml", {}, "pass"),
                              ("questionnaire.yaml", {"questionnaire": facts(min_age=13)}, "fail")),
    "youth_themes_reviewed": ("MIN-03", ("conforme.yaml", {}, "pass"), ("petite-enfance.yaml", {}, "flag")),
    "ropa_entry_complete": ("ROPA-01", ("conforme.yaml", {}, "pass"), ("conforme.yaml", {"settings": NO_DPO}, "fail")),
    "rights_contact_present": ("RIGHTS-01", ("conforme.yaml", {}, "pass"),
                               ("conforme.yaml", {"settings": NO_DPO}, "fail")),
    "dsa_beneficiary_and_payer": ("AD-01", ("conforme.yaml", {}, "pass"), ("payeur-a-completer.yaml", {}, "fail")),
    "no_political_category": ("AD-02", ("conforme.yaml", {}, "pass"), ("politique.yaml", {}, "fail")),
    "outside_pre_election_period": ("AD-03", ("apres-election.yaml", {}, "pass"), ("pre-electorale.yaml", {}, "flag")),
    "advertiser_matches_settings": ("AD-05", ("conforme.yaml", {}, "pass"), ("conforme.yaml", {"settings": OTHER_PAGE},
                                                                         "flag")),
    "teens_not_reachable": ("MIN-04", ("conforme.yaml", {}, "pass"), ("ados.yaml", {}, "flag")),
    "copy_not_political": ("AD-04", ("conforme.yaml", {}, "pass"), ("texte-politique.yaml", {}, "flag")),
}


def test_every_check_has_a_case_and_every_rule_a_known_check():
    assert set(CASES) == set(CHECKS)
    rules = {r.id: r for r in load_rules()}
    for name, (item, _, _) in CASES.items():
        assert rules[item].check == name


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("which", ["passing", "failing"])
def test_check(name, which):
    item, passing, failing = CASES[name]
    campaign, options, expected = passing if which == "passing" else failing
    result = checklist(campaign, **options).item(item)
    assert result.status == expected, result.detail
    assert result.detail and result.source


def test_blocked_interest_is_named_with_its_origin():
    item = checklist("lgbt.yaml").item("SEN-02")
    assert "LGBT culture" in item.detail and "extra_interests" in item.detail
    assert "meta-api.json" in item.detail  # the payload carries it too


def test_minor_audience_named_in_campaign_and_payloads():
    item = checklist("mineurs.yaml").item("MIN-01")
    assert "audience.age_min = 16" in item.detail and "age_min = 16" in item.detail.split(";")[-1]


def test_flag_theme_is_promoted_broadly_and_waits_for_the_dpo():
    lsf = checklist("lsf.yaml")
    assert lsf.item("SEN-03").status == "flag" and "lsf" in lsf.item("SEN-03").detail
    assert lsf.item("SEN-02").status == "pass"  # the planner gave the flag theme no interest
    assert lsf.item("BASIS-02").status == "pass" and "Sans objet" in lsf.item("BASIS-02").detail


def test_flag_theme_with_interests_in_the_payload_fails():
    def add_interest(payloads):
        payloads["ad_sets"][0]["targeting"]["flexible_spec"] = [{"interests": [{"name": "Deaf culture"}]}]
    item = checklist("lsf.yaml", edit=add_interest).item("SEN-03")
    assert item.status == "fail" and "Deaf culture" in item.detail


def test_payload_without_dsa_payer_fails():
    item = checklist("conforme.yaml", edit=drop_payer).item("AD-01")
    assert item.status == "fail" and "dsa_payor absent" in item.detail


def test_questionnaire_items_fail_when_the_questionnaire_is_not_configured():
    result = checklist("questionnaire.yaml", questionnaire=False)
    for item in ("FORM-01", "FORM-02", "FORM-03", "FORM-04", "FORM-05", "FORM-07", "SEN-04", "MIN-02"):
        assert result.item(item).status == "fail", item
    assert "pas configuré" in result.item("FORM-01").detail


def test_items_without_object_pass_and_say_so():
    result = checklist("conforme.yaml")
    for item in ("FORM-01", "CA-03", "SEC-01", "A11Y-01"):
        assert result.item(item).status == "pass" and result.item(item).detail.startswith("Sans objet")


def test_pre_election_window_follows_l52_1():
    # municipal elections of 15 March 2026: from 1 September 2025 to the second round
    opens, closes = pre_election_window(__import__("datetime").date(2026, 3, 15))
    assert (opens.isoformat(), closes.isoformat()) == ("2025-09-01", "2026-03-22")
    opens, _ = pre_election_window(__import__("datetime").date(2027, 6, 13))
    assert opens.isoformat() == "2026-12-01"


def test_settings_used_are_the_ones_given():
    assert SETTINGS.dpo_contact in checklist("conforme.yaml").item("RIGHTS-01").detail


def test_facts_of_the_community_questionnaire_when_installed(tmp_path, monkeypatch):
    pytest.importorskip("outreach.community")
    from outreach.compliance.community_facts import facts_from_community

    config = tmp_path / "questionnaire.yaml"
    config.write_text("public_url: https://questionnaire.mairie.example.fr\n", encoding="utf-8")
    monkeypatch.setenv("OUTREACH_QUESTIONNAIRE", str(config))
    found = facts_from_community(SETTINGS)
    assert found.min_age == 15 and not any(c.default_checked or c.required for c in found.consents)
    result = checklist("audience-questionnaire.yaml", questionnaire=found)
    for item in ("FORM-01", "FORM-02", "FORM-03", "FORM-04", "FORM-05", "FORM-07", "CA-03", "SEN-04", "MIN-02"):
        assert result.item(item).status == "pass", (item, result.item(item).detail)


def test_facts_are_read_from_the_community_capability():
    from outreach.community import load_config, render_notice
    from outreach.compliance.community_facts import facts_from_community

    found = facts_from_community(SETTINGS)
    assert found.notice_text == render_notice(load_config(), SETTINGS).text
    assert [c.purpose for c in found.consents] and not any(c.default_checked for c in found.consents)
