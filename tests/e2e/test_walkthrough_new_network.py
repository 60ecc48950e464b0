"""(Named to run after test_walkthrough.py: its cold-start timing counts from the shared server's start.)

A new network's whole first campaign, in a real browser, with nothing edited by hand and no token in the
environment: Paramètres (paste the token, test it, choose the accounts from Meta's lists, fill the network)
→ Thèmes → Campagne (a new campaign, from the settings) → RGPD (attestations) → Exporter (validation, then
creation, paused, on the local Graph server) → Tableau de bord (Insights read from that server).

The environment only isolates the run (OUTREACH_* folders in a temporary home) and points the SDK at the
local Graph server (META_GRAPH_URL): no META_ACCESS_TOKEN, no network.yaml, no campaign file beforehand.
Every page visited is also read for English words of Streamlit or of developers (tests/support/french_screen.py;
tests/e2e/test_pages_in_french.py reads every page with its tabs and expanders open).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import app_env, run_app
from tests.support import ROOT
from tests.support.app_page import TIMEOUT, go, settle
from tests.support.browser import require_browser, screenshot
from tests.support.french_screen import english_words, screen_text
from tests.support.graph_insights import InsightsGraphServer
from tests.support.graph_server import TOKEN

# the network's catalogue, as its library system exports it (Roubaix's UNIMARC sample, data/SOURCES.md)
CATALOGUE_EXPORT = "roubaix-unimarc-sample-2383.mrc"


@pytest.fixture
def new_network(tmp_path):
    require_browser()
    graph = InsightsGraphServer(today="2027-07-15")
    graph.start()
    home = tmp_path / "home"
    home.mkdir()
    env = app_env(home, OUTREACH_DATABASE_URL=f"sqlite:///{home / 'resultats.sqlite'}", META_GRAPH_URL=graph.url)
    app = run_app(env, home)
    try:
        yield next(app) | {"graph": graph}
    finally:
        next(app, None)
        graph.stop()


def fill(page, label: str, value: str) -> None:
    field = page.get_by_label(label, exact=True)
    field.fill(value)
    field.press("Tab")


def type_date(page, label: str, digits: str) -> None:
    """Streamlit's date field is made of segments (day, month, year) that advance as digits are typed."""
    page.get_by_label(label, exact=True).get_by_role("spinbutton").first.click()
    page.keyboard.type(digits)
    page.keyboard.press("Escape")  # the calendar that opened with the field would cover the next one


def choose(page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option).first.click()
    settle(page)


def click(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    settle(page)


def see(page, text: str) -> None:
    try:
        page.get_by_text(text).first.wait_for(timeout=TIMEOUT)
    except Exception:  # say what the page shows instead
        pytest.fail(f"« {text} » n'apparaît pas ; la page montre :\n"
                    + page.locator("[data-testid='stMain']").inner_text()[-2500:])


def check_french(page, where: str) -> None:
    found = english_words(screen_text(page))
    assert not found, f"{where} : mots anglais ou de développeur à l'écran : {found}"


def test_a_new_network_runs_its_first_campaign_without_it(new_network, page):
    graph = new_network["graph"]
    page.goto(new_network["url"])
    page.get_by_role("heading", name="outreach — faire connaître la médiathèque").wait_for(timeout=TIMEOUT)
    settle(page)
    check_french(page, "Accueil")

    # -- Paramètres: the token, its test, the accounts from Meta's lists, the network ------------------
    go(page, "Paramètres", "Paramètres du réseau")
    check_french(page, "Paramètres")
    page.get_by_label("Jeton d'accès Meta", exact=True).fill(TOKEN)
    click(page, "Enregistrer le jeton")
    see(page, "Jeton enregistré")
    assert TOKEN not in page.content()
    click(page, "Tester la connexion")
    see(page, "Jeton valide")
    choose(page, "Page Facebook", "Médiathèques de la Ville")
    choose(page, "Compte Instagram", "@mediatheques_ville")
    click(page, "Utiliser ces comptes")
    see(page, "Les campagnes utiliseront")
    fill(page, "Nom du réseau", "Médiathèques de la Ville")
    fill(page, "Site web (page d'arrivée des publicités)", "https://mediatheques.example.fr/")
    fill(page, "Bénéficiaire des publicités (DSA)", "Ville de Marseille — Médiathèques")
    fill(page, "Payeur des publicités (DSA)", "Ville de Marseille")
    fill(page, "Responsable du traitement", "Ville de Marseille")
    fill(page, "Contact du délégué à la protection des données (DPO)", "dpo@ville.example.fr")
    click(page, "Enregistrer")
    see(page, "Paramètres enregistrés")
    check_french(page, "Paramètres")
    screenshot(page, "10-parametres")

    # -- Thèmes: the network's catalogue export (a real UNIMARC file) matched to the themes --------------
    go(page, "Thèmes", "Thèmes")
    check_french(page, "Thèmes")
    page.get_by_role("tab", name="Vos fichiers").click()
    uploader = page.locator("[data-testid='stFileUploader']").filter(has_text="Catalogue").first
    uploader.locator("input[type=file]").set_input_files(str(ROOT / "data" / "samples" / CATALOGUE_EXPORT))
    see(page, "Notices lues")
    settle(page)
    read = page.locator("[data-testid='stMetric']").filter(has_text="Notices lues").inner_text()
    assert int(re.sub(r"\D", "", read.split("Notices lues")[1])) > 2000, read
    see(page, CATALOGUE_EXPORT)  # the banner names the catalogue the figures come from
    check_french(page, "Thèmes (catalogue chargé)")
    screenshot(page, "10b-themes-catalogue")

    # -- Campagne: a new campaign starts from the settings -------------------------------------------
    go(page, "Campagne", "Campagne")
    expect(page.get_by_label("Payeur (DSA)", exact=True)).to_have_value("Ville de Marseille", timeout=TIMEOUT)
    expect(page.get_by_label("Page d'arrivée (https://…)", exact=True)).to_have_value(
        "https://mediatheques.example.fr/", timeout=TIMEOUT)
    fill(page, "Nom de la campagne", "Science-fiction en juin")
    page.get_by_label("Thèmes", exact=True).click()
    page.get_by_role("option", name="Science-fiction").first.click()
    page.keyboard.press("Escape")
    type_date(page, "Début", "01062027")
    type_date(page, "Fin", "30062027")
    click(page, "Construire le plan")
    see(page, "Ensembles de publicités")
    click(page, "Enregistrer le fichier")
    see(page, "Campagne enregistrée")
    check_french(page, "Campagne")
    screenshot(page, "11-campagne")

    # -- RGPD: the manual items attested by named people -------------------------------------------------
    go(page, "RGPD", "RGPD")
    for item in ("ROLE-01", "ROLE-02", "XFER-01", "BASIS-02", "DPIA-01"):
        page.get_by_label("Point à attester", exact=True).click()
        page.get_by_role("option", name=re.compile(rf"^{item} ")).first.click()
        fill(page, "Prénom et nom", "Camille Martin")
        fill(page, "Fonction", "DPO")
        click(page, "Attester")  # settles once the page has run again after writing it (st.rerun)
    see(page, "Aucun point bloquant ouvert")
    check_french(page, "RGPD")

    # -- Exporter: validation, then creation, paused -----------------------------------------------------
    go(page, "Exporter", "Exporter")
    see(page, "l'export est autorisé")
    click(page, "1. Valider chez Meta (sans rien créer)")
    see(page, "Validé par Meta")
    assert graph.objects == {}
    click(page, "2. Créer chez Meta, en pause")
    see(page, "créé(s) en pause")
    check_french(page, "Exporter")
    screenshot(page, "12-exporter")
    campaigns, ad_sets = graph.created("campaign"), graph.created("adset")
    assert len(campaigns) == 1 and ad_sets
    assert all(o["params"].get("status") == "PAUSED" for o in graph.objects.values() if o["kind"] != "creative")
    assert {a["dsa_payor"] for a in ad_sets} == {"Ville de Marseille"}
    assert {c["object_story_spec"]["page_id"] for c in graph.created("creative")} == {"104857600000001"}
    assert {c["object_story_spec"].get("instagram_user_id") for c in graph.created("creative")} == {"17841400000000001"}

    # -- Tableau de bord: what Meta delivered, read through Insights ----------------------------------
    graph.simulate(account="act_1234567890", campaign_id=campaigns[0]["id"], campaign_name=campaigns[0]["name"],
                   adsets=[(a["id"], a["name"]) for a in ad_sets], start="2027-06-01", end="2027-06-10")
    go(page, "Tableau de bord", "Tableau de bord")
    dropzone = page.locator("[data-testid='stFileUploaderDropzone']").first
    dropzone.wait_for(timeout=TIMEOUT)  # Streamlit's uploader, its English words hidden and French ones shown
    assert "Upload" not in dropzone.inner_text() and "per file" not in dropzone.inner_text()
    check_french(page, "Tableau de bord")
    click(page, "Lire les résultats chez Meta")
    see(page, "importée(s)")
    check_french(page, "Tableau de bord")
    screenshot(page, "13-tableau-de-bord")
    assert TOKEN not in page.content()
