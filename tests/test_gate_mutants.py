"""The export gate's contract, pinned where mutation testing found it loose: what `review()` reads, the draft
switch and its default, the files a draft or a refusal leaves, and the French verdict the user reads."""

from __future__ import annotations

import copy
import json

import pytest

from outreach.cli import main
from outreach.compliance.gate import (
    DRAFT_CAMPAIGN_PREFIX,
    EXIT_REFUSED,
    PAYLOAD_CHECKS,
    refuse_unsafe_payloads,
    review,
    stale_outputs,
    write_gated,
)
from outreach.compliance.reports import DRAFT_WARNING
from outreach.errors import InputError
from outreach.settings import NetworkSettings
from tests.support.compliance_cases import (
    CASES,
    GOOD_QUESTIONNAIRE,
    SETTINGS,
    TODAY,
    facts,
    planned,
    shipped_themes,
    themes_with_blocked,
)
from tests.support.compliance_helpers import NETWORK_YAML, attested_copy

EXPORTS = ["ads-manager.txt", "ads-manager.xlsx", "meta-api.json", "plan.csv"]
CHECKLIST = ["checklist.html", "checklist.json", "checklist.md", "registre-art30.md"]
WAITING = ("5 point(s) bloquant(s) à attester (outreach attest CAMPAGNE.yaml ID --name … --role …) : "
           "ROLE-01, ROLE-02, BASIS-02, XFER-01, DPIA-01")
REFUSED = ("Export refusé : seuls la checklist et le registre ont été écrits (voir checklist.html ; "
           "--draft pour écrire des brouillons).")
DRAFTED = "Fichiers écrits en BROUILLON (préfixe « BROUILLON- ») : ne pas les diffuser."
ALLOWED = "Checklist RGPD : aucun point bloquant ouvert, export autorisé."
SEN_02 = ("  - SEN-02 Aucun centre d'intérêt de la liste de blocage : Intérêt de la liste de blocage : « LGBT "
          "culture » (terme « LGBT », orientation sexuelle et vie sexuelle ; extra_interests, plan : 3 ensembles, "
          "meta-api.json : 3 ensembles).")


@pytest.fixture(autouse=True)
def network(tmp_path, monkeypatch):
    path = tmp_path / "network.yaml"
    path.write_text(NETWORK_YAML, encoding="utf-8")
    monkeypatch.setenv("OUTREACH_SETTINGS", str(path))


def reviewed(name, tmp_path=None, *, payloads=None, plan=None, **options):
    """`review()` of a fixture campaign planned for real; attested beside a copy when `tmp_path` is given."""
    campaign, built_plan, built_payloads = planned(name)
    options = {"settings": SETTINGS, "themes": list(shipped_themes()), "questionnaire": GOOD_QUESTIONNAIRE,
               "today": TODAY, **options}
    if tmp_path is not None:
        options["campaign_path"] = attested_copy(CASES / name, tmp_path / "c")
    return review(campaign, plan or built_plan, payloads if payloads is not None else copy.deepcopy(built_payloads),
                  **options)


def names(folder):
    return sorted(p.name for p in folder.iterdir())


# --- what review() reads -----------------------------------------------------------------------------------
def test_review_reads_the_plan_and_the_payloads_it_is_given():
    # the finding names where it was seen: the campaign file, the plan, and the Meta payloads
    verdict = reviewed("lgbt.yaml")
    assert verdict.checklist.item("SEN-02").status == "fail"
    assert SEN_02 in verdict.message().splitlines()


def test_a_payload_edited_after_planning_is_refused_by_review(tmp_path):
    campaign, plan, payloads = planned("conforme.yaml")
    assert reviewed("conforme.yaml", tmp_path).exit_code == 0
    edited = copy.deepcopy(payloads)
    edited["ad_sets"][0]["targeting"]["geo_locations"]["custom_locations"][0]["radius"] = 0.5
    verdict = reviewed("conforme.yaml", tmp_path / "again", payloads=edited)
    assert verdict.checklist.item("TGT-02").status == "fail"
    assert verdict.exit_code == EXIT_REFUSED and not verdict.export_allowed and not verdict.writes_export


def test_review_uses_the_settings_themes_questionnaire_and_date_it_is_given(tmp_path):
    no_dpo = NetworkSettings(controller_name="Ville de Marseille", min_daily_budget_eur=1.0, elections=[])
    assert reviewed("conforme.yaml", settings=no_dpo).checklist.item("ROPA-01").status == "fail"
    assert reviewed("conforme.yaml").checklist.item("ROPA-01").status == "pass"
    assert reviewed("theme-bloque.yaml", themes=list(themes_with_blocked())).checklist.item("SEN-01").status == "fail"
    bad_form = facts(min_age=13)
    assert reviewed("questionnaire.yaml", questionnaire=bad_form).checklist.item("MIN-02").status == "fail"
    assert reviewed("questionnaire.yaml").checklist.item("MIN-02").status == "pass"
    assert reviewed("pre-electorale.yaml").checklist.item("AD-03").status == "flag"


def test_the_verdict_keeps_the_context_it_was_judged_on():
    verdict = reviewed("conforme.yaml")
    assert verdict.context.today == TODAY and verdict.context.name == "SF à Marseille — printemps 2027"
    assert verdict.context.settings is SETTINGS


def test_review_reads_the_attestations_beside_the_campaign_file(tmp_path):
    verdict = reviewed("conforme.yaml", tmp_path)
    assert verdict.checklist.item("DPIA-01").status == "attest"
    assert verdict.checklist.campaign_file.endswith("conforme.yaml")
    assert reviewed("conforme.yaml").checklist.item("DPIA-01").status == "todo"  # no file, no attestation
    assert verdict.ropa_entry and verdict.ropa_entry == reviewed("conforme.yaml", tmp_path / "b").ropa_entry


# --- draft switch ------------------------------------------------------------------------------------------
def test_draft_is_off_unless_asked():
    verdict = reviewed("conforme.yaml")
    assert verdict.draft_requested is False and verdict.is_draft is False and verdict.checklist.draft is False
    assert verdict.exit_code == EXIT_REFUSED and not verdict.writes_export
    assert verdict.export_files({"plan.csv": b"a\n"}) == {}
    assert verdict.message().splitlines() == [WAITING, REFUSED]


def test_draft_of_a_compliant_campaign_is_the_real_export(tmp_path):
    verdict = reviewed("conforme.yaml", tmp_path, draft=True)
    assert verdict.export_allowed and verdict.draft_requested and not verdict.is_draft
    assert verdict.exit_code == 0 and verdict.checklist.draft is False
    payloads = planned("conforme.yaml")[2]
    assert verdict.export_payloads(payloads) is payloads
    rendered = {"plan.csv": b"a\n", "meta-api.json": b'{"x": 1}'}
    assert verdict.export_files(rendered) == rendered
    assert verdict.message() == ALLOWED


def test_plan_draft_on_a_compliant_campaign_writes_the_real_files(tmp_path):
    campaign = attested_copy(CASES / "conforme.yaml", tmp_path / "c")
    out = tmp_path / "out"
    assert main(["plan", str(campaign), "--out", str(out), "--draft"]) == 0
    assert names(out) == sorted(EXPORTS + CHECKLIST + ["images"])
    payloads = json.loads((out / "meta-api.json").read_text(encoding="utf-8"))
    assert "draft" not in payloads and not payloads["campaign"]["name"].startswith(DRAFT_CAMPAIGN_PREFIX)
    assert json.loads((out / "checklist.json").read_text(encoding="utf-8"))["draft"] is False


def test_a_draft_leaves_the_callers_payloads_as_they_were():
    verdict = reviewed("lgbt.yaml", draft=True)
    assert verdict.is_draft and verdict.checklist.draft is True and verdict.exit_code == EXIT_REFUSED
    payloads = copy.deepcopy(planned("lgbt.yaml")[2])
    before = copy.deepcopy(payloads)
    marked = verdict.export_payloads(payloads)
    assert payloads == before
    assert marked["campaign"]["name"] == DRAFT_CAMPAIGN_PREFIX + before["campaign"]["name"]
    assert marked["ad_sets"] == before["ad_sets"]
    # marking twice never doubles the prefix
    assert verdict.export_payloads(marked)["campaign"]["name"] == marked["campaign"]["name"]
    # payloads without a campaign name are copied as they are
    assert verdict.export_payloads({"campaign": {"objective": "X"}}) == {"campaign": {"objective": "X"}}
    assert verdict.export_payloads({"ads": []}) == {"ads": []}


def test_a_draft_marks_the_special_campaigns_too():
    """A theme Meta puts in a special ad category has a campaign of its own beside the main one: a draft marks
    its name as well, or it would reach Ads Manager looking like a real campaign."""
    verdict = reviewed("lgbt.yaml", draft=True)
    payloads = {"campaign": {"name": "SF"}, "special_campaigns": [{"name": "Emploi", "special_ad_categories": ["EMPLOYMENT"]},
                                                                  {"objective": "X"}]}
    marked = verdict.export_payloads(payloads)
    assert [c.get("name") for c in marked["special_campaigns"]] == [DRAFT_CAMPAIGN_PREFIX + "Emploi", None]
    assert marked["campaign"]["name"] == DRAFT_CAMPAIGN_PREFIX + "SF"
    assert payloads["special_campaigns"][0]["name"] == "Emploi"


def test_draft_files_are_renamed_and_marked_inside():
    verdict = reviewed("conforme.yaml", draft=True)  # unattested: a draft, exit 0 (nothing fails)
    assert verdict.is_draft and verdict.exit_code == 0
    files = verdict.export_files({"plan.csv": b"adset_name\n", "meta-api.json": b'  {"campaign": {}}',
                                  "list.json": b"[1]", "images/a.png": b"PNG", "ads-manager.txt": b"t",
                                  "notes.txt": b"{x}"})
    assert sorted(files) == ["BROUILLON-ads-manager.txt", "BROUILLON-list.json", "BROUILLON-meta-api.json",
                             "BROUILLON-notes.txt", "BROUILLON-plan.csv", "images/a.png"]
    assert files["BROUILLON-notes.txt"] == b"{x}"  # only JSON gets the marker inside
    # the warning is written as French text, not as \u escapes
    assert f'"avertissement": "{DRAFT_WARNING}"'.encode() in files["BROUILLON-meta-api.json"]
    assert files["BROUILLON-plan.csv"] == f"# {DRAFT_WARNING}\nadset_name\n".encode()
    marked = json.loads(files["BROUILLON-meta-api.json"])
    assert list(marked) == ["draft", "avertissement", "campaign"] and marked["draft"] is True
    assert marked["avertissement"] == DRAFT_WARNING
    assert files["BROUILLON-list.json"] == b"[1]" and files["images/a.png"] == b"PNG"
    assert files["BROUILLON-ads-manager.txt"] == b"t"
    assert verdict.message().splitlines() == [WAITING, DRAFTED]


def test_with_draft_gives_a_new_verdict_and_leaves_the_first_alone():
    verdict = reviewed("conforme.yaml")
    draft = verdict.with_draft(True)
    assert draft.is_draft and draft.checklist.draft is True and draft.exit_code == 0
    assert not verdict.is_draft and verdict.checklist.draft is False and verdict.exit_code == EXIT_REFUSED
    back = draft.with_draft(False)
    assert not back.is_draft and back.checklist.draft is False and draft.checklist.draft is True


# --- the verdict in French ---------------------------------------------------------------------------------
def test_refusal_message_word_for_word():
    lines = reviewed("lgbt.yaml").message().splitlines()
    assert lines == ["Checklist RGPD : 1 point(s) bloquant(s) non conforme(s) :", SEN_02, WAITING, REFUSED]


def test_failure_with_a_draft_says_the_files_are_drafts(tmp_path):
    lines = reviewed("lgbt.yaml", tmp_path, draft=True).message().splitlines()
    assert lines == ["Checklist RGPD : 1 point(s) bloquant(s) non conforme(s) :", SEN_02, DRAFTED]


def test_cli_prints_the_verdict(tmp_path, capsys):
    campaign = attested_copy(CASES / "conforme.yaml", tmp_path / "c")
    assert main(["plan", str(campaign), "--out", str(tmp_path / "out")]) == 0
    assert ALLOWED in capsys.readouterr().err


# --- files left by earlier runs ----------------------------------------------------------------------------
def test_a_refused_run_removes_the_drafts_of_an_earlier_one(tmp_path):
    campaign = attested_copy(CASES / "lgbt.yaml", tmp_path / "c")
    out = tmp_path / "out"
    assert main(["plan", str(campaign), "--out", str(out), "--draft"]) == 3
    assert "BROUILLON-meta-api.json" in names(out)
    assert main(["plan", str(campaign), "--out", str(out)]) == 3
    assert names(out) == CHECKLIST  # no draft, no visual is left to be mistaken for this run's output


def test_a_draft_run_removes_the_real_export_of_an_earlier_one(tmp_path):
    campaign = attested_copy(CASES / "conforme.yaml", tmp_path / "c")
    out = tmp_path / "out"
    assert main(["plan", str(campaign), "--out", str(out)]) == 0
    campaign.write_text(campaign.read_text(encoding="utf-8").replace("extra_interests: []",
                                                                     "extra_interests: [Ramadan]"), encoding="utf-8")
    assert main(["plan", str(campaign), "--out", str(out), "--draft"]) == 3
    assert names(out) == sorted(CHECKLIST + ["images"] + [f"BROUILLON-{n}" for n in EXPORTS])
    sheet = (out / "BROUILLON-ads-manager.txt").read_text(encoding="utf-8")
    assert any(name in sheet for name in names(out / "images"))  # its visuals stay beside it


def test_stale_outputs_by_verdict(tmp_path):
    every = EXPORTS + [f"BROUILLON-{n}" for n in EXPORTS]
    assert stale_outputs(tmp_path / "absent", reviewed("conforme.yaml"), EXPORTS) == []
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert stale_outputs(tmp_path / "file", reviewed("conforme.yaml"), EXPORTS) == []
    for name in every:
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "BROUILLON-ads-manager.txt").unlink()
    (tmp_path / "meta-api.json").unlink()
    (tmp_path / "meta-api.json").mkdir()  # a folder is never removed
    refused, allowed = reviewed("conforme.yaml"), reviewed("conforme.yaml", tmp_path / "a")
    drafted = refused.with_draft(True)
    verdicts = {"refused": refused, "allowed": allowed, "drafted": drafted}
    found = {label: [p.name for p in stale_outputs(tmp_path, v, every)] for label, v in verdicts.items()}
    assert found == {
        "refused": ["BROUILLON-ads-manager.xlsx", "BROUILLON-meta-api.json", "BROUILLON-plan.csv",
                    "ads-manager.txt", "ads-manager.xlsx", "plan.csv"],
        "allowed": ["BROUILLON-ads-manager.xlsx", "BROUILLON-meta-api.json", "BROUILLON-plan.csv"],
        "drafted": ["ads-manager.txt", "ads-manager.xlsx", "plan.csv"],
    }


def test_write_gated_keeps_only_this_runs_images(tmp_path):
    allowed = reviewed("conforme.yaml", tmp_path / "a")
    out = tmp_path / "out"
    written = write_gated(allowed, {"plan.csv": b"a\n", "images/new.png": b"N"}, out, tuple(EXPORTS))
    assert sorted(p.relative_to(out).as_posix() for p in written) == sorted(["plan.csv", "images/new.png"] + CHECKLIST)
    (out / "images" / "old.png").write_bytes(b"O")
    (out / "images" / "keep").mkdir()  # not a file: left alone
    write_gated(allowed, {"plan.csv": b"b\n", "images/new.png": b"N"}, out, tuple(EXPORTS))
    assert names(out / "images") == ["keep", "new.png"]
    (out / "images" / "keep").rmdir()
    write_gated(reviewed("conforme.yaml"), {}, out, tuple(EXPORTS))
    assert names(out) == CHECKLIST  # refused: every visual goes, and the emptied folder with them


# --- the payload checks before a push ----------------------------------------------------------------------
def test_refuse_unsafe_payloads_names_each_failing_item(tmp_path):
    payloads = copy.deepcopy(planned("mineurs.yaml")[2])
    with pytest.raises(InputError) as caught:
        refuse_unsafe_payloads(payloads, file=tmp_path / "meta-api.json")
    sets = ("Cinq Avenues", "Castellane", "Bonneveine")
    assert caught.value.message == (
        "envoi refusé, la checklist RGPD bloque ces paramètres : MIN-01 Aucune publicité profilée vers les mineurs "
        ": âge minimum 18 ans : Des mineurs seraient ciblés : "
        + "; ".join(f"meta-api.json, « {s} (Marseille) | Science-fiction | 16-65 » : age_min = 16" for s in sets)
        + ".")
    assert str(caught.value.file) == str(tmp_path / "meta-api.json")
    assert caught.value.field
    assert caught.value.fix == ("Refaites le plan avec « outreach plan » à partir du fichier de campagne corrigé, "
                                "sans modifier meta-api.json à la main.")
    refuse_unsafe_payloads(copy.deepcopy(planned("conforme.yaml")[2]))  # a compliant file goes through
    both = copy.deepcopy(planned("mineurs.yaml")[2])
    both["ad_sets"][0]["targeting"]["geo_locations"]["custom_locations"][0]["radius"] = 0.5
    with pytest.raises(InputError, match=r"TGT-02 .* ; MIN-01 "):
        refuse_unsafe_payloads(both)
    assert set(PAYLOAD_CHECKS) == {"adults_only", "no_blocked_interest", "flagged_topics_broad_only",
                                   "radius_at_least_1km", "no_political_category"}


def test_refuse_unsafe_payloads_without_a_campaign_name():
    payloads = copy.deepcopy(planned("mineurs.yaml")[2])
    del payloads["campaign"]
    with pytest.raises(InputError, match="MIN-01"):
        refuse_unsafe_payloads(payloads)


def test_the_push_check_does_not_read_the_network_settings(tmp_path, monkeypatch):
    # a settings file the app would refuse must not stop the check of a meta-api.json before a push
    good, minors = (copy.deepcopy(planned(name)[2]) for name in ("conforme.yaml", "mineurs.yaml"))
    broken = tmp_path / "broken-network.yaml"
    broken.write_text("min_daily_budget_eur: beaucoup\n", encoding="utf-8")
    monkeypatch.setenv("OUTREACH_SETTINGS", str(broken))
    refuse_unsafe_payloads(good)
    with pytest.raises(InputError, match="MIN-01"):
        refuse_unsafe_payloads(minors)
