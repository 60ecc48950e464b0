"""The Thèmes page: browse and edit themes, matches per branch with their reason, uploads matched."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from outreach.paths import harvest_store_path
from outreach.themes import load_themes
from tests.support import DATA, ROOT

PAGE = str(ROOT / "app/pages/themes.py")


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A private data folder, so that saving themes never touches the shipped file."""
    target = tmp_path / "data"
    target.mkdir()
    for name in ("themes.yaml", "branches.geojson", "areas.geojson"):
        shutil.copy(DATA / name, target / name)
    (target / "samples").symlink_to(DATA / "samples")
    # the shipped files are cached on their path and modification time: this folder's are read anew
    monkeypatch.setenv("OUTREACH_DATA_DIR", str(target))
    return target


def page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=90)
    return at.run()


def test_page_renders_with_its_widgets():
    at = page()
    assert not at.exception
    assert at.title[0].value == "Thèmes"
    assert len(at.tabs) == 4
    # the figures of the per-branch tab are said to come from the demonstration sample, with date and count
    assert any("échantillon de démonstration" in w.value and "2\u202f383 notices" in w.value and "19/05/2024" in w.value
               for w in at.warning)
    assert at.selectbox(key="themes_pick").value == "science-fiction"
    assert at.selectbox(key="themes_branch").value == "17615"
    assert any("Brouillon d'annonce" in m.value for m in at.markdown)
    table = at.dataframe[0].value
    assert len(table) == len(load_themes()) and {"Thème", "Titres"} <= set(table.columns)


def test_matches_per_branch_show_their_reason():
    at = page()
    at.selectbox(key="themes_branch").set_value("19957").run()
    at.selectbox(key="themes_branch_theme").set_value("science-fiction").run()
    assert not at.exception
    detail = at.dataframe[1].value
    assert len(detail) > 0 and detail["Pourquoi"].str.len().min() > 5
    assert any("Science-fiction" in i.value or "science-fiction" in i.value for i in at.info)


def test_sensitive_theme_is_flagged():
    at = page()
    at.selectbox(key="themes_pick").set_value("lsf").run()
    assert any("Sensibilité" in w.value for w in at.warning)


def test_editing_a_theme(data_copy):
    at = page()
    area = at.text_area(key="themes_yaml_science-fiction")
    entries = yaml.safe_load(area.value)
    entries[0]["label"] = "Science-fiction et anticipation"
    area.set_value(yaml.safe_dump(entries, allow_unicode=True)).run()
    at.button(key="themes_check").click().run()
    assert not at.exception and at.success
    at.button(key="themes_save").click().run()
    assert not at.exception
    saved = load_themes(data_copy / "themes.yaml")
    assert saved[0].label == "Science-fiction et anticipation"
    assert len(saved) == len(load_themes(DATA / "themes.yaml"))


def test_a_bad_edit_is_shown_not_raised():
    at = page()
    area = at.text_area(key="themes_yaml_science-fiction")
    area.set_value(area.value.replace("sensitivity: none", "sensitivity: peut-être")).run()
    at.button(key="themes_check").click().run()
    assert not at.exception
    assert any("sensibilité inconnue" in e.value for e in at.error)


def test_an_edit_holding_two_themes_or_broken_yaml_is_explained_in_french():
    at = page()
    area = at.text_area(key="themes_yaml_science-fiction")
    entries = yaml.safe_load(area.value)
    area.set_value(yaml.safe_dump(entries + [{**entries[0], "id": "sf-bis"}], allow_unicode=True)).run()
    at.button(key="themes_check").click().run()
    assert not at.exception
    assert any("2 thèmes dans la zone de modification" in e.value for e in at.error)
    area.set_value("id: [science-fiction\nlabel: x").run()
    at.button(key="themes_check").click().run()
    assert any("YAML invalide" in e.value and "ligne" in e.value for e in at.error)


def test_date_moves_the_next_events():
    at = page()
    at.date_input(key="themes_today").set_value(date(2026, 11, 22)).run()
    at.selectbox(key="themes_branch").set_value("17615").run()
    table = at.dataframe[0].value
    row = table[table["Thème"] == "Jeux vidéo"].iloc[0]
    assert row["Prochain rendez-vous"].startswith("Play Paris 13")


def test_uploading_a_catalogue_and_an_agenda():
    at = page()
    csv = "id;titre;sujets\nb1;Le problème à trois corps;Science-fiction chinoise\nb2;Mes recettes;Cuisine\n"
    at.file_uploader(key="themes_catalogue_upload").set_value(("export.csv", csv.encode("cp1252"), "text/csv")).run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "Pourquoi" in d.value.columns and "Notice" in d.value.columns
                 and set(d.value["Notice"]) <= {"b1", "b2"})
    assert dict(zip(table["Notice"], table["Thème"], strict=True)) == {"b1": "Science-fiction", "b2": "Cuisine"}
    agenda = (DATA / "samples" / "agenda-demo.json").read_bytes()
    at.file_uploader(key="themes_agenda_upload").set_value(("agenda.json", agenda, "application/json")).run()
    assert not at.exception
    assert any(m.label == "Événements lus" and m.value == "20" for m in at.metric)


def test_uploading_an_openagenda_spreadsheet_export():
    import json

    from tests.support.agenda_exports import export_xlsx

    records = json.loads((ROOT / "tests" / "data" / "openagenda-paris-extract.json").read_text("utf-8"))["records"]
    at = page()
    at.file_uploader(key="themes_agenda_upload").set_value(
        ("export.xlsx", export_xlsx(records), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")).run()
    assert not at.exception and not at.error
    assert any(m.label == "Événements lus" and m.value == "28" for m in at.metric)  # one per timing


def test_a_bad_upload_is_an_error_beside_the_input():
    at = page()
    at.file_uploader(key="themes_catalogue_upload").set_value(("export.csv", b"id,auteur\n1,X\n", "text/csv")).run()
    assert not at.exception
    assert any("title" in e.value for e in at.error)


LOCAL_EXPORT = """Titre;Auteur;Cote;Section
Le Horla;Maupassant, Guy de;R MAU;Fantastique
La Morte amoureuse;Gautier, Théophile;R GAU;Fantastique
Carmilla;Le Fanu, Sheridan;R LEF;Fantastique
Le ventre de l'Atlantique;Diome, Fatou;R DIO;Romans
"""


def test_a_loaded_file_warns_proposes_its_codes_and_the_confirmed_map_is_saved(tmp_path, monkeypatch):
    monkeypatch.setenv("OUTREACH_SETTINGS", str(tmp_path / "network.yaml"))
    at = page()
    at.file_uploader(key="themes_catalogue_upload").set_value(
        ("export.csv", LOCAL_EXPORT.encode("utf-8"), "text/csv")).run()
    assert not at.exception
    # the loaded file's own banner, and the coverage warning with what to do
    assert any("catalogue chargé « export.csv »" in c.value and "4 notices" in c.value for c in at.caption)
    assert any("portent un indice" in w.value and "Cotes et rayons" in w.value for w in at.warning)
    # its most frequent codes are proposed with their counts, themes by their label and no empty ("None") cell
    [proposal] = [e.value for e in at.get("data_editor") if "Code" in e.value.columns]
    assert proposal.notna().all().all()
    assert set(proposal["Thème"]) == {"Fantasy", "(aucun : code ignoré)"}
    # the officer keeps the proposal and saves it
    at.button(key="shelf_proposal_save").click().run()
    assert not at.exception
    saved = yaml.safe_load((tmp_path / "shelf-map.yaml").read_text(encoding="utf-8"))["shelves"]
    assert saved == {"Fantastique": "fantasy"}
    table = next(d.value for d in at.dataframe if {"Pourquoi", "Notice", "Thème"} <= set(d.value.columns))
    assert sorted(table.loc[table["Thème"] == "Fantasy", "Titre"]) == ["Carmilla", "La Morte amoureuse", "Le Horla"]
    assert not any("portent un indice" in w.value for w in at.warning)


def test_the_network_shelf_map_is_edited_on_its_tab(tmp_path, monkeypatch):
    monkeypatch.setenv("OUTREACH_SETTINGS", str(tmp_path / "network.yaml"))
    at = page()
    at.text_area(key="shelf_map_yaml").set_value("shelves:\n  RNOIR: polar\n  BD: []\n").run()
    at.button(key="shelf_map_save").click().run()
    assert not at.exception and any("Carte des cotes enregistrée" in m.value for m in at.success)
    saved = yaml.safe_load((tmp_path / "shelf-map.yaml").read_text(encoding="utf-8"))["shelves"]
    assert saved == {"BD": [], "RNOIR": "polar"}
    at.text_area(key="shelf_map_yaml").set_value("shelves:\n  RNOIR: policier\n").run()
    at.button(key="shelf_map_save").click().run()
    assert any("policier" in e.value and "RNOIR" in e.value for e in at.error)
    assert yaml.safe_load((tmp_path / "shelf-map.yaml").read_text(encoding="utf-8"))["shelves"]["RNOIR"] == "polar"


def harvest_button(at):
    """The harvest form's submit button (it has no key: found by its label)."""
    return next(b for b in at.button if b.label == "Moissonner")


def test_the_form_edits_a_theme_without_yaml(data_copy):
    at = page()
    at.text_input(key="tf_label_science-fiction").set_value("Science-fiction et anticipation")
    at.text_area(key="tf_keywords_science-fiction").set_value("science-fiction\nanticipation\nspace opera")
    at.text_input(key="tf_tags_instagram_science-fiction").set_value("scifi #anticipation")
    next(b for b in at.button if b.label == "Appliquer").click().run()
    assert not at.exception and any("vérifié" in s.value for s in at.success), [e.value for e in at.error]
    at.button(key="themes_save").click().run()
    saved = {t.id: t for t in load_themes(data_copy / "themes.yaml")}["science-fiction"]
    assert saved.label == "Science-fiction et anticipation" and "space opera" in saved.keywords
    assert saved.hashtags["instagram"] == ["#scifi", "#anticipation"]


def test_a_bad_value_in_the_form_is_named_beside_it(data_copy):
    at = page()
    at.text_area(key="tf_dewey_science-fiction").set_value("science")
    next(b for b in at.button if b.label == "Appliquer").click().run()
    assert not at.exception
    # under the Dewey field, in words: neither the form's name nor the field's id
    assert [e.value for e in at.error] == ["Indice Dewey « science » illisible. Écrivez un indice (741.5) ou un "
                                           "intervalle (800-899)."]
    at.text_input(key="tf_label_science-fiction").set_value("")
    next(b for b in at.button if b.label == "Appliquer").click().run()
    assert [e.value for e in at.error] == ["Ne doit pas être vide."]  # under the name, the first problem


def test_with_a_token_the_page_shows_each_interest_status_and_audience(data_copy, tmp_path, monkeypatch):
    from tests.support.graph_server import TOKEN, GraphServer

    server = GraphServer()
    server.start()
    try:
        settings = tmp_path / "network.yaml"
        settings.write_text("ad_account_id: act_1234567\n", encoding="utf-8")
        monkeypatch.setenv("OUTREACH_SETTINGS", str(settings))
        monkeypatch.setenv("META_ACCESS_TOKEN", TOKEN)
        monkeypatch.setenv("META_GRAPH_URL", server.url)
        at = page()
        at.button(key="themes_meta_science-fiction").click().run()
        assert not at.exception
        table = at.dataframe[0].value
        row = table[table["Centre d'intérêt"] == "Science fiction"].iloc[0]
        assert row["Identifiant Meta"] == "9990000000001" and row["Statut"] == "actif"
        assert row["Audience (Meta)"] == "310,0 à 364,0 millions de personnes"
        saved = next(t for t in load_themes(data_copy / "themes.yaml") if t.id == "science-fiction")
        assert saved.meta_interests[0].id == "9990000000001" and saved.meta_interests[0].resolved_at == date.today()
    finally:
        server.stop()


def test_harvesting_the_catalogue_from_the_page(data_copy):
    import pymarc

    from tests.support.oai_server import OaiServer, served

    with (DATA / "samples" / "roubaix-unimarc-sample-2383.mrc").open("rb") as f:
        records = [r for _, r in zip(range(120), pymarc.MARCReader(f, to_unicode=True, force_utf8=True), strict=False)]
    at = page()
    with OaiServer(served(records), page_size=50) as server:
        at.text_input(key="themes_oai_url").set_value(server.url)
        harvest_button(at).click().run()
    assert not at.exception
    assert any("moisson complète" in s.value and "120 notice(s) reçue(s)" in s.value for s in at.success)
    assert any(m.label == "Notices moissonnées" and m.value == "120" for m in at.metric)
    # the harvested catalogue's own banner: its figures are the network's, with their date and count
    assert any("catalogue moissonné" in c.value and "120 notices" in c.value for c in at.caption)
    assert harvest_store_path().is_file()  # the network's catalogue folder, beside its settings
    # matched as harvested, under the themes in force, as the CLI's harvest does: nothing left to match
    from outreach.sources.harvest_store import kept_count, unmatched_items
    from outreach.themes import StoreMatcher

    key = StoreMatcher(load_themes()).key
    assert kept_count(harvest_store_path(), key) == 120
    assert not list(unmatched_items(harvest_store_path(), key))
    # the table shows the kept matches: those of the same items matched whole
    from outreach.sources import read_store
    from outreach.themes import match_items

    table = next(d.value for d in at.dataframe if {"Thème", "Pourquoi"} <= set(d.value.columns))
    whole = match_items(read_store(harvest_store_path()).items, load_themes())
    assert sorted(zip(table["Notice"], table["Thème"], table["Pourquoi"], strict=True)) == sorted(
        (m.item_id, m.theme_id, m.reason) for m in whole) and whole
    at.text_input(key="themes_oai_url").set_value("http://127.0.0.1:9/oai")
    harvest_button(at).click().run()
    assert any("injoignable" in e.value for e in at.error)
