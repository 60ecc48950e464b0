"""`outreach plan` through the checklist gate, `outreach attest`, `outreach checklist`, and the files written."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from outreach.cli import main
from outreach.compliance import add_attestation, load_attestations
from outreach.errors import InputError
from outreach.pipeline import prepare_file
from outreach.settings import NetworkSettings
from tests.support import ROOT
from tests.support.compliance_cases import CASES
from tests.support.compliance_helpers import NETWORK_YAML, attested_copy

EXAMPLE = ROOT / "campaigns" / "exemple-sf-bouches-du-rhone.yaml"
EXPORTS = ["ads-manager.txt", "ads-manager.xlsx", "meta-api.json", "plan.csv"]
CHECKLIST = ["checklist.html", "checklist.json", "checklist.md", "registre-art30.md"]


@pytest.fixture(autouse=True)
def network(tmp_path, monkeypatch):
    path = tmp_path / "network.yaml"
    path.write_text(NETWORK_YAML, encoding="utf-8")
    monkeypatch.setenv("OUTREACH_SETTINGS", str(path))


def copy(name, tmp_path):
    target = tmp_path / "campaigns" / name
    target.parent.mkdir(exist_ok=True)
    shutil.copyfile(CASES / name, target)
    return target


def names(folder):
    return sorted(p.name for p in folder.iterdir())


def test_shipped_example_passes_its_automatic_items():
    prepared = prepare_file(EXAMPLE)
    verdict, plan = prepared.verdict, prepared.plan
    auto = [i for i in verdict.checklist.items if i.kind == "auto"]
    assert len(auto) >= 15 and plan.ad_sets
    assert [(i.id, i.detail) for i in auto if i.status != "pass"] == []
    # what it still needs is only people's attestations: manual items, and the legal service's opinion on
    # March 2027, in the pre-election period of the presidential election (shipped calendar)
    assert {i.status for i in verdict.checklist.open_blockers} == {"todo", "flag"}
    assert [i.id for i in verdict.checklist.open_blockers if i.status == "flag"] == ["AD-03"]


@pytest.mark.parametrize(("name", "item", "words"), [
    ("lgbt.yaml", "SEN-02", "LGBT culture"),
    ("mineurs.yaml", "MIN-01", "audience.age_min = 16"),
])
def test_refused_with_the_item_named(name, item, words, tmp_path, capsys):
    campaign = attested_copy(CASES / name, tmp_path / "c")
    out = tmp_path / "out"
    assert main(["plan", str(campaign), "--out", str(out)]) == 3
    err = capsys.readouterr().err
    assert item in err and words in err and "Traceback" not in err
    assert names(out) == CHECKLIST  # the checklist says why; nothing for Meta
    report = json.loads((out / "checklist.json").read_text(encoding="utf-8"))
    assert report["campaign"] == "SF à Marseille — printemps 2027" and report["export_allowed"] is False
    failing = {i["id"] for i in report["items"] if i["status"] == "fail"}
    assert failing == {item}
    assert set(report["items"][0]) >= {"id", "title", "status", "detail", "source"}


def test_unattested_campaign_refused_then_exported_once_attested(tmp_path, capsys):
    campaign = copy("conforme.yaml", tmp_path)
    out = tmp_path / "out"
    assert main(["plan", str(campaign), "--out", str(out)]) == 3
    err = capsys.readouterr().err
    assert "à attester" in err and "DPIA-01" in err and "ROLE-01" in err
    assert names(out) == CHECKLIST
    for item in ("ROLE-01", "ROLE-02", "XFER-01"):
        add_attestation(campaign, item, name="Claire Martin", role="Chargée de communication")
    for item in ("BASIS-02", "DPIA-01"):
        add_attestation(campaign, item, name="Paul Durand", role="Délégué à la protection des données")
    add_attestation(campaign, "AD-03", name="Dominique Leroy", role="Service juridique")  # April 2027
    assert main(["plan", str(campaign), "--out", str(out)]) == 0
    assert names(out) == sorted(EXPORTS + CHECKLIST)
    report = json.loads((out / "checklist.json").read_text(encoding="utf-8"))
    assert report["export_allowed"] and report["blocking"] == []
    attested = {i["id"]: i for i in report["items"] if i["status"] == "attest"}
    assert set(attested) == {"ROLE-01", "ROLE-02", "XFER-01", "BASIS-02", "DPIA-01", "AD-03"}
    assert attested["DPIA-01"]["attestation"]["name"] == "Paul Durand"
    # the campaign changes and breaks a rule: the earlier export must not stay beside the refusal
    campaign.write_text(campaign.read_text(encoding="utf-8").replace("extra_interests: []",
                                                                     "extra_interests: [Ramadan]"), encoding="utf-8")
    assert main(["plan", str(campaign), "--out", str(out)]) == 3
    assert names(out) == CHECKLIST


def test_draft_writes_marked_files_and_still_exits_3_when_an_item_fails(tmp_path):
    campaign = attested_copy(CASES / "lgbt.yaml", tmp_path / "c")
    out = tmp_path / "out"
    assert main(["plan", str(campaign), "--out", str(out), "--draft"]) == 3
    assert names(out) == sorted(CHECKLIST + [f"BROUILLON-{n}" for n in EXPORTS])
    payloads = json.loads((out / "BROUILLON-meta-api.json").read_text(encoding="utf-8"))
    assert payloads["draft"] is True and payloads["campaign"]["name"].startswith("[BROUILLON] ")
    assert "BROUILLON" in payloads["avertissement"]
    lines = (out / "BROUILLON-plan.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# BROUILLON") and lines[1].startswith("adset_name,")
    rows = list(load_workbook(out / "BROUILLON-ads-manager.xlsx", read_only=True).active.iter_rows(values_only=True))
    assert rows[1][list(rows[0]).index("Campaign Name")].startswith("[BROUILLON] ")
    assert json.loads((out / "checklist.json").read_text(encoding="utf-8"))["draft"] is True
    assert "BROUILLON" in (out / "checklist.html").read_text(encoding="utf-8")
    assert "BROUILLON" in (out / "registre-art30.md").read_text(encoding="utf-8")
    # once fixed and exported for real, the drafts go
    campaign.write_text(campaign.read_text(encoding="utf-8").replace("- LGBT culture", "- Space exploration"),
                        encoding="utf-8")
    assert main(["plan", str(campaign), "--out", str(out)]) == 0
    assert names(out) == sorted(EXPORTS + CHECKLIST)
    assert json.loads((out / "checklist.json").read_text(encoding="utf-8"))["draft"] is False


def test_draft_of_an_unattested_campaign_exits_0(tmp_path):
    campaign = copy("conforme.yaml", tmp_path)
    out = tmp_path / "out"
    assert main(["plan", str(campaign), "--out", str(out), "--draft"]) == 0
    assert "BROUILLON-meta-api.json" in names(out) and "meta-api.json" not in names(out)


def test_bad_input_still_exit_2_and_nothing_written(tmp_path):
    campaign = copy("conforme.yaml", tmp_path)
    campaign.write_text(campaign.read_text(encoding="utf-8").replace("age_min: 18", "age_min: 12"), encoding="utf-8")
    assert main(["plan", str(campaign), "--out", str(tmp_path / "out")]) == 2
    assert not (tmp_path / "out").exists()


def test_attest_command(tmp_path, capsys):
    campaign = copy("lsf.yaml", tmp_path)
    assert main(["attest", str(campaign), "ROLE-01", "XFER-01", "--name", "Claire Martin",
                 "--role", "Chargée de communication", "--date", "2026-11-15", "--note", "liste DPF vérifiée"]) == 0
    assert "ROLE-01 attesté par Claire Martin" in capsys.readouterr().out
    assert (tmp_path / "campaigns" / "lsf.attestations.yaml").exists()
    # SEN-03 needs the DPO
    assert main(["attest", str(campaign), "SEN-03", "--name", "Claire Martin", "--role", "Communication"]) == 2
    assert "délégué à la protection des données" in capsys.readouterr().err
    assert main(["attest", str(campaign), "sen-03", "--name", "Paul Durand", "--role", "DPO"]) == 0
    capsys.readouterr()
    assert main(["attest", str(campaign)]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].split("\t")[:4] == ["ROLE-01", "Claire Martin", "Chargée de communication", "2026-11-15"]
    assert [line.split("\t")[0] for line in listed] == ["ROLE-01", "SEN-03", "XFER-01"]
    assert main(["attest", str(campaign), "XFER-01", "--remove"]) == 0
    assert [a.item for a in load_attestations(campaign)] == ["ROLE-01", "SEN-03"]
    # mistakes: exit 2 with the fix
    assert main(["attest", str(campaign), "ROLE-02", "--role", "DPO"]) == 2
    assert "--name" in capsys.readouterr().err
    assert main(["attest", str(campaign), "SEN-02", "--name", "A B", "--role", "DPO"]) == 2
    assert "automatiquement" in capsys.readouterr().err
    assert main(["attest", str(campaign), "ZZZ-01", "--name", "A B", "--role", "DPO"]) == 2
    assert main(["attest", str(campaign), "ROLE-02", "--name", "A B", "--role", "DPO", "--date", "01/02/2027"]) == 2


def test_attestation_in_the_future_refused(tmp_path):
    campaign = copy("conforme.yaml", tmp_path)
    with pytest.raises(InputError) as err:
        add_attestation(campaign, "ROLE-01", name="A B", role="DPO", on=date.today() + timedelta(days=2))
    assert err.value.field == "date"


def test_flag_attested_by_the_dpo_turns_to_attest(tmp_path):
    campaign = copy("lsf.yaml", tmp_path)
    add_attestation(campaign, "SEN-03", name="Paul Durand", role="DPO")
    verdict = prepare_file(campaign).verdict
    item = verdict.checklist.item("SEN-03")
    assert item.status == "attest" and "Paul Durand" in item.detail and item.attestation.role == "DPO"


def test_hand_edited_attestation_by_a_non_dpo_does_not_count(tmp_path):
    campaign = copy("conforme.yaml", tmp_path)
    (tmp_path / "campaigns" / "conforme.attestations.yaml").write_text(
        "attestations:\n- {item: DPIA-01, name: X Y, role: Stagiaire, date: 2026-11-01}\n", encoding="utf-8")
    verdict = prepare_file(campaign).verdict
    assert verdict.checklist.item("DPIA-01").status == "todo"


def test_checklist_into_an_exported_folder_removes_the_export_it_now_refuses(tmp_path):
    campaign = attested_copy(CASES / "conforme.yaml", tmp_path / "campaigns")
    out = tmp_path / "out"
    assert main(["plan", str(campaign), "--out", str(out)]) == 0
    assert names(out) == sorted(EXPORTS + CHECKLIST)
    # an attestation is withdrawn: the checklist says no, so the folder must not keep files ready to push
    assert main(["attest", str(campaign), "DPIA-01", "--remove"]) == 0
    assert main(["checklist", str(campaign), "--out", str(out)]) == 3
    assert names(out) == CHECKLIST


def test_checklist_command(tmp_path, capsys):
    campaign = copy("politique.yaml", tmp_path)
    assert main(["checklist", str(campaign), "--out", str(tmp_path / "out")]) == 3
    out = capsys.readouterr().out
    assert "AD-02" in out and "ISSUES_ELECTIONS_POLITICS" in out
    assert names(tmp_path / "out") == CHECKLIST


def test_reports_content(tmp_path):
    campaign = copy("conforme.yaml", tmp_path)
    campaign.write_text(campaign.read_text(encoding="utf-8").replace(
        "name: \"SF à Marseille — printemps 2027\"", "name: \"SF <b>à</b> Marseille\""), encoding="utf-8")
    out = tmp_path / "out"
    main(["plan", str(campaign), "--out", str(out)])
    html = (out / "checklist.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in html and "&lt;b&gt;à&lt;/b&gt;" in html and "<b>à</b>" not in html
    assert "@media print" in html and "Délégué(e) à la protection des données" in html
    md = (out / "checklist.md").read_text(encoding="utf-8")
    assert "# Checklist RGPD / DSA" in md and "### ☐ DPIA-01" in md and "Export refusé" in md
    ropa = (out / "registre-art30.md").read_text(encoding="utf-8")
    for words in ("Ville de Marseille", "dpo@mairie.example.fr", "Meta Platforms Ireland", "2023/1795",
                  "Science-fiction", "art. 30(1)(g)"):
        assert words in ropa
    assert "À RENSEIGNER" not in ropa


def test_ropa_says_what_is_missing(tmp_path, monkeypatch):
    settings = tmp_path / "empty.yaml"
    settings.write_text("min_daily_budget_eur: 1.0\n", encoding="utf-8")
    monkeypatch.setenv("OUTREACH_SETTINGS", str(settings))
    campaign = copy("conforme.yaml", tmp_path)
    out = tmp_path / "out"
    assert main(["plan", str(campaign), "--out", str(out)]) == 3
    assert "À RENSEIGNER" in (out / "registre-art30.md").read_text(encoding="utf-8")
    with open(out / "checklist.json", encoding="utf-8") as f:
        items = {i["id"]: i for i in json.load(f)["items"]}
    assert items["ROPA-01"]["status"] == "fail" and items["ROPA-01"]["page"] == "Paramètres"
    assert NetworkSettings().dpo_contact == ""


def test_plan_csv_unchanged_when_allowed(tmp_path):
    campaign = attested_copy(CASES / "conforme.yaml", tmp_path / "c")
    out = tmp_path / "out"
    assert main(["plan", str(campaign), "--out", str(out)]) == 0
    rows = list(csv.reader((out / "plan.csv").read_text(encoding="utf-8").splitlines()))
    assert rows[0][0] == "adset_name" and len(rows) > 1


def test_push_refuses_a_draft_renamed_by_hand(tmp_path, capsys):
    campaign = copy("conforme.yaml", tmp_path)
    out = tmp_path / "out"
    assert main(["plan", str(campaign), "--out", str(out), "--draft"]) == 0
    (out / "BROUILLON-meta-api.json").rename(out / "meta-api.json")
    assert main(["push", str(out), "--account", "act_1234567", "--dry-run"]) == 2
    assert "BROUILLON" in capsys.readouterr().err


def test_library_names_are_not_political():
    from outreach.compliance.checks import _POLITICAL

    assert _POLITICAL.matches("Bibliothèques municipales de Marseille : la SF près de chez vous") == []
    assert _POLITICAL.matches("Rencontre avec le Maire")[0].term.text == "maire"


def test_a_flag_attested_for_one_finding_does_not_cover_another(tmp_path, capsys):
    campaign = copy("lsf.yaml", tmp_path)
    assert main(["attest", str(campaign), "SEN-03", "--name", "Paul Durand", "--role", "DPO"]) == 0
    assert "lsf" in load_attestations(campaign)[0].about
    verdict = prepare_file(campaign).verdict
    assert verdict.checklist.item("SEN-03").status == "attest"
    # a second flagged theme joins the campaign: the DPO's sign-off was about LSF only
    campaign.write_text(campaign.read_text(encoding="utf-8").replace("- lsf", "- lsf\n- langues"), encoding="utf-8")
    verdict = prepare_file(campaign).verdict
    item = verdict.checklist.item("SEN-03")
    assert item.status == "flag" and "à renouveler" in item.detail and "langues" in item.detail
    # nothing to attest on a semi item that passes, and a failure cannot be attested
    other = copy("conforme.yaml", tmp_path)
    assert main(["attest", str(other), "MIN-03", "--name", "A B", "--role", "DPO"]) == 2
    assert "rien à attester" in capsys.readouterr().err
    flagged = copy("interet-a-signaler.yaml", tmp_path)
    assert main(["attest", str(flagged), "SEN-03", "--name", "A B", "--role", "DPO"]) == 2
    assert "ne peut pas le couvrir" in capsys.readouterr().err


def test_broken_attestations_file_is_a_clear_error(tmp_path, capsys):
    campaign = copy("conforme.yaml", tmp_path)
    (tmp_path / "campaigns" / "conforme.attestations.yaml").write_text(
        "attestations:\n- {item: ROLE-01, name: X Y, date: 2026-11-01}\n", encoding="utf-8")
    assert main(["plan", str(campaign), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "conforme.attestations.yaml" in err and "role" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()
