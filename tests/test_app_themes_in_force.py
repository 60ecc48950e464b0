"""The Thèmes page keeps the network's catalogue and agenda: an upload kept for the campaigns, its owner codes
placed at branches, the « Par bibliothèque » tab then on the network's own figures, the agenda's sources."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from outreach.settings import load_settings
from outreach.themes import kept_files
from tests.support import ROOT

PAGE = str(ROOT / "app/pages/themes.py")
ROUBAIX = ROOT / "data" / "samples" / "roubaix-unimarc-sample-2383.mrc"
MERLAN = "5425"


def submit(at: AppTest, label: str) -> AppTest:
    [button] = [b for b in at.button if b.label == label]
    return button.click().run()


def test_an_upload_kept_on_the_page_becomes_the_networks_catalogue():
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception
    at.file_uploader(key="themes_catalogue_upload").set_value(
        (ROUBAIX.name, ROUBAIX.read_bytes(), "application/marc")).run()
    at.button(key="keep_catalogue").click().run()
    assert not at.exception, at.exception
    assert any(f"Catalogue « {ROUBAIX.name} » gardé" in s.value and "2\u202f383" in s.value for s in at.success)
    [kept] = kept_files()
    assert kept.name == ROUBAIX.name and kept.records == 2383
    # its owner codes are no branch ids: the page says so and asks where each belongs
    assert any("« MED »" in w.value and "n'appartiennent à aucune bibliothèque" in w.value for w in at.warning)
    assert any("Aucune notice du catalogue chargé" in w.value for w in at.warning)
    med = at.selectbox(key="owner_code_0")
    assert "« MED »" in med.label
    med.set_value(MERLAN)
    submit(at, "Enregistrer les codes")
    assert not at.exception, at.exception
    assert load_settings().catalogue_branches == {"MED": MERLAN}
    # the per-branch tab now shows the network's branch and figures, under the kept file's banner
    assert at.selectbox(key="themes_branch").value == MERLAN
    assert any("catalogue du réseau" in c.value and ROUBAIX.name in c.value for c in at.caption)
    table = at.dataframe[0].value
    assert table.loc[table["Thème"] == "Science-fiction", "Titres"].iloc[0] > 0


def test_the_agenda_sources_are_saved_in_the_settings(tmp_path):
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    at.text_area(key="agenda_sources_text").set_value("http://127.0.0.1:9/flux.ics\n\n")
    submit(at, "Enregistrer les agendas")
    assert not at.exception
    assert load_settings().agenda_sources == ["http://127.0.0.1:9/flux.ics"]
