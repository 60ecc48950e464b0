import json
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from outreach.campaign import load_campaign
from tests.support import ROOT
from tests.support.compliance_helpers import NETWORK_YAML, attested_copy

PAGE = str(ROOT / "app/pages/campagne.py")
EXAMPLE = str(ROOT / "campaigns" / "exemple-sf-bouches-du-rhone.yaml")


@pytest.fixture(autouse=True)
def network(tmp_path, monkeypatch):
    path = tmp_path / "network.yaml"
    path.write_text(NETWORK_YAML, encoding="utf-8")  # with the controller and DPO the checklist needs
    monkeypatch.setenv("OUTREACH_SETTINGS", str(path))


def page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state["campaign_path"] = EXAMPLE
    return at.run()


def attested_page(tmp_path, monkeypatch) -> tuple[AppTest, object]:
    """The page on a copy of the example whose blocking items are attested (the export is allowed)."""
    attested = attested_copy(ROOT / "campaigns" / "exemple-sf-bouches-du-rhone.yaml", tmp_path / "c")
    monkeypatch.setenv("OUTREACH_CAMPAIGNS_DIR", str(tmp_path / "c"))
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state["campaign_path"] = str(attested)
    return at.run(), attested


def test_example_renders_plan_table_map_and_downloads(tmp_path):
    at = page()
    assert not at.exception
    assert at.title[0].value == "Campagne"
    assert at.selectbox(key="campaign_file").value == EXAMPLE
    campaign = at.session_state["campaign"]
    assert campaign.name.startswith("SF près de chez vous")
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Ensembles de publicités"]) >= 1
    assert len(at.dataframe) >= 1
    assert at.text_input(key="c_name").value == campaign.name
    assert any("regroupés" in i.value for i in at.info)
    (chart,) = at.get("deck_gl_json_chart")
    deck = json.loads(chart.proto.json)
    circles = deck["layers"][0]["data"]
    assert len(circles) == sum(len(a.locations) for a in at.session_state["campaign_plan"].ad_sets)
    assert all(1000 <= c["radius_m"] <= 80000 for c in circles)
    # the example is not attested: the files for Meta do not leave the tool, the checklist does
    labels = {d.label for d in at.get("download_button")}
    assert "meta-api.json" not in labels and {"Tout (zip)", "checklist.html", "campagne.yaml"} <= labels
    # the same file gives the same plan in the app and in the CLI
    from outreach.cli import main

    out = tmp_path / "cli"
    # (a copy of the example whose checklist items are attested, so that the export is allowed)
    assert main(["plan", str(attested_copy(ROOT / "campaigns" / "exemple-sf-bouches-du-rhone.yaml", tmp_path / "c")),
                 "--out", str(out)]) == 0
    cli_payloads = json.loads((out / "meta-api.json").read_text(encoding="utf-8"))
    assert at.session_state["campaign_payloads"] == cli_payloads


def test_attested_campaign_offers_the_cli_files(tmp_path, monkeypatch):
    at, attested = attested_page(tmp_path, monkeypatch)
    assert not at.exception
    downloads = {d.label: d for d in at.get("download_button")}
    assert {"meta-api.json", "ads-manager.xlsx", "plan.csv"} <= set(downloads)
    from outreach.cli import main

    out = tmp_path / "cli"
    assert main(["plan", str(attested), "--out", str(out)]) == 0
    assert json.loads((out / "meta-api.json").read_text(encoding="utf-8")) == at.session_state["campaign_payloads"]


def test_form_error_is_shown_beside_the_form():
    at = page()
    at.text_input(key="c_landing").set_value("http://pas-https.fr")
    next(b for b in at.button if b.label == "Construire le plan").click().run()
    assert not at.exception
    assert any("https://" in e.value for e in at.error)


def page_in(folder, monkeypatch) -> AppTest:
    """The page with `folder` as the campaigns folder, on a copy of the example there."""
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / Path(EXAMPLE).name
    shutil.copy(EXAMPLE, copy)
    monkeypatch.setenv("OUTREACH_CAMPAIGNS_DIR", str(folder))
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state["campaign_path"] = str(copy)
    return at.run()


def test_form_changes_the_plan_and_copy_edit_goes_into_the_file(tmp_path, monkeypatch):
    at = page_in(tmp_path / "campagnes", monkeypatch)
    before = int({m.label: m.value for m in at.metric}["Ensembles de publicités"])
    at.number_input(key="c_budget").set_value(3000.0)
    submit = next(b for b in at.button if b.label == "Construire le plan")
    submit.click().run()
    assert not at.exception
    assert at.session_state["campaign"].budget_eur == 3000.0
    after = int({m.label: m.value for m in at.metric}["Ensembles de publicités"])
    assert after > before
    ref = at.selectbox(key="c_copy_ref").value
    at.text_input(key=f"copy_headline_{ref}").set_value("La SF près de chez vous")
    next(b for b in at.button if b.label == "Enregistrer le texte").click().run()
    assert not at.exception
    campaign = at.session_state["campaign"]
    assert campaign.copy_overrides[ref].headline == "La SF près de chez vous"
    target = tmp_path / "campagnes" / "ma-campagne.yaml"
    at.text_input(key="c_save_path").set_value(str(target))
    next(b for b in at.button if b.label == "Enregistrer le fichier").click().run()
    assert not at.exception
    saved = load_campaign(target)
    assert saved.budget_eur == 3000.0 and saved.copy_overrides[ref].headline == "La SF près de chez vous"
    assert at.session_state["campaign_path"] == str(target)


def test_new_campaign_then_switching_files_refills_the_form():
    at = AppTest.from_file(PAGE, default_timeout=90).run()
    at.selectbox(key="campaign_file").set_value("__new__").run()
    assert not at.exception
    assert at.text_input(key="c_name").value == ""
    assert any("Construire le plan" in i.value for i in at.info)
    # an incomplete form: the missing fields are named, nothing crashes
    next(b for b in at.button if b.label == "Construire le plan").click().run()
    assert not at.exception and at.error
    at.selectbox(key="campaign_file").set_value(EXAMPLE).run()
    assert at.text_input(key="c_name").value.startswith("SF près de chez vous")


def test_new_campaign_does_not_borrow_the_previous_files_attestations_or_path(tmp_path, monkeypatch):
    # an attested file allows the export; a new campaign typed afterwards has no attestation of its own
    (tmp_path / "network.yaml").write_text(NETWORK_YAML + "facebook_page_id: '1234567890'\n", encoding="utf-8")
    at, attested = attested_page(tmp_path, monkeypatch)
    assert "meta-api.json" in {d.label for d in at.get("download_button")}
    at.selectbox(key="campaign_file").set_value("__new__").run()
    from datetime import date

    at.text_input(key="c_name").set_value("Manga à Marseille")
    at.text_input(key="c_landing").set_value("https://bibliotheques.example.fr/manga")
    at.text_input(key="c_beneficiary").set_value("Ville de Marseille")
    at.text_input(key="c_payer").set_value("Ville de Marseille")
    at.multiselect(key="c_themes").set_value(["science-fiction"])
    at.date_input(key="c_start").set_value(date(2027, 3, 1))
    at.date_input(key="c_end").set_value(date(2027, 3, 31))
    next(b for b in at.button if b.label == "Construire le plan").click().run()
    assert not at.exception and not at.error
    assert at.session_state["campaign"].name == "Manga à Marseille"
    assert "meta-api.json" not in {d.label for d in at.get("download_button")}
    assert at.text_input(key="c_save_path").value != str(attested)


@pytest.mark.parametrize("typed", ["../../hors-du-dossier.yaml", "{tmp}/ailleurs.yaml", "lien/evasion.yaml",
                                   "campagne.txt", "sous\u202edossier.yaml"])
def test_the_page_saves_only_inside_the_campaigns_folder(tmp_path, monkeypatch, typed):
    folder = tmp_path / "campagnes"
    at = page_in(folder, monkeypatch)
    (folder / "lien").symlink_to(tmp_path)  # a link that leads out of the folder
    at.text_input(key="c_save_path").set_value(typed.format(tmp=tmp_path))
    next(b for b in at.button if b.label == "Enregistrer le fichier").click().run()
    assert not at.exception and at.error
    assert sorted(p.name for p in tmp_path.rglob("*.yaml")) == [Path(EXAMPLE).name, "network.yaml"]
    at.text_input(key="c_save_path").set_value("copie.yaml")  # a plain name goes into the folder
    next(b for b in at.button if b.label == "Enregistrer le fichier").click().run()
    assert not at.exception and (folder / "copie.yaml").is_file()


def test_a_new_campaign_starts_from_the_network_settings_not_from_the_example(tmp_path, monkeypatch):
    (tmp_path / "network.yaml").write_text(NETWORK_YAML + SETTINGS_ADVERTISER, encoding="utf-8")
    at = page()
    at.selectbox(key="campaign_file").set_value("__new__").run()
    assert at.text_input(key="c_payer").value == "Ville d'Aubagne"
    assert at.text_input(key="c_beneficiary").value == "Ville d'Aubagne — Médiathèques"
    assert at.text_input(key="c_landing").value == "https://mediatheques.aubagne.example.fr/"
    assert at.number_input(key="c_budget").value == 450
    assert "Médiathèques d'Aubagne" in at.selectbox(key="c_page").format_func(at.selectbox(key="c_page").value)
    from datetime import date

    at.text_input(key="c_name").set_value("Manga à Aubagne")
    at.multiselect(key="c_themes").set_value(["manga"])
    at.date_input(key="c_start").set_value(date(2027, 6, 1))
    at.date_input(key="c_end").set_value(date(2027, 6, 30))
    next(b for b in at.button if b.label == "Construire le plan").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    advertiser = at.session_state["campaign"].advertiser
    assert (advertiser.page_id, advertiser.payer) == ("1098765432", "Ville d'Aubagne")


def test_the_example_s_marseille_advertiser_is_flagged_against_another_network(tmp_path, monkeypatch):
    from outreach.pipeline import prepare_file

    (tmp_path / "network.yaml").write_text(NETWORK_YAML + SETTINGS_ADVERTISER, encoding="utf-8")
    verdict = prepare_file(EXAMPLE).verdict
    item = verdict.checklist.item("AD-05")
    assert item.status == "flag" and item.blocks
    assert "Médiathèques d'Aubagne" in item.detail and "Ville de Marseille" in item.detail


SETTINGS_ADVERTISER = ("facebook_page_id: '1098765432'\nfacebook_page_name: Médiathèques d'Aubagne\n"
                       "dsa_payer: Ville d'Aubagne\ndsa_beneficiary: Ville d'Aubagne — Médiathèques\n"
                       "website: https://mediatheques.aubagne.example.fr/\ndefault_budget_eur: 450\n")


def test_each_ad_is_previewed_as_a_feed_post_with_its_visual():
    import base64
    import io
    import re

    from PIL import Image

    at = page()
    assert not at.exception
    plan = at.session_state["campaign_plan"]
    ref = at.selectbox(key="c_copy_ref").value
    ad_set = next(a for a in plan.ad_sets if a.ref == ref)
    (preview,) = [h for h in at.get("html") if "feed-post" in h.proto.body]
    body = preview.proto.body
    assert "Sponsorisé" in body and "En savoir plus" in body
    assert html_text(ad_set.copy.headline) in body and html_text(ad_set.copy.primary_text[:60]) in body
    # the visual itself, with its alt text, as the export and the push carry it
    source = re.search(r"src='data:image/png;base64,([^']+)'", body).group(1)
    assert Image.open(io.BytesIO(base64.b64decode(source))).size == (1080, 1350)
    assert f"alt='{html_text(ad_set.visual.alt_text)}'" in body
    # and in a story or a reel, with its 9:16 visual
    (story,) = [h for h in at.get("html") if "story-post" in h.proto.body]
    source = re.search(r"src='data:image/png;base64,([^']+)'", story.proto.body).group(1)
    assert Image.open(io.BytesIO(base64.b64decode(source))).size == (1080, 1920)
    assert "En savoir plus" in story.proto.body and html_text(ad_set.visual.alt_text) in story.proto.body
    # another ad set, another preview
    other = next(a for a in plan.ad_sets if a.ref != ref)
    at.selectbox(key="c_copy_ref").set_value(other.ref).run()
    (preview,) = [h for h in at.get("html") if "feed-post" in h.proto.body]
    assert html_text(other.visual.alt_text) in preview.proto.body


def html_text(text: str) -> str:
    import html

    return html.escape(text, quote=True)
