import yaml
from streamlit.testing.v1 import AppTest

from tests.support import ROOT


def test_accueil_points_to_the_settings_when_they_are_empty(tmp_path, monkeypatch):
    monkeypatch.setenv("OUTREACH_SETTINGS", str(tmp_path / "network.yaml"))
    at = AppTest.from_file(str(ROOT / "app/pages/accueil.py"), default_timeout=60).run()
    assert not at.exception
    assert any("page Facebook" in i.value for i in at.info)


def test_parametres_saves_the_settings(tmp_path, monkeypatch):
    path = tmp_path / "network.yaml"
    monkeypatch.setenv("OUTREACH_SETTINGS", str(path))
    at = AppTest.from_file(str(ROOT / "app/pages/parametres.py"), default_timeout=60).run()
    assert not at.exception
    at.text_input(key="network_name").input("Médiathèques d'Aubagne")
    at.text_input(key="facebook_page_id").input("1234567890")
    at.text_input(key="dsa_payer").input("Ville d'Aubagne")
    next(b for b in at.button if b.label == "Enregistrer").click().run()
    assert not at.error, [e.value for e in at.error]
    saved = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert saved["network_name"] == "Médiathèques d'Aubagne" and saved["facebook_page_id"] == "1234567890"


def test_parametres_refuses_a_page_id_with_letters(tmp_path, monkeypatch):
    path = tmp_path / "network.yaml"
    monkeypatch.setenv("OUTREACH_SETTINGS", str(path))
    at = AppTest.from_file(str(ROOT / "app/pages/parametres.py"), default_timeout=60).run()
    at.text_input(key="facebook_page_id").input("ma-page")
    next(b for b in at.button if b.label == "Enregistrer").click().run()
    assert any("chiffres" in e.value for e in at.error)
    assert not path.exists()


def test_the_whole_app_starts_on_accueil(tmp_path, monkeypatch):
    monkeypatch.setenv("OUTREACH_SETTINGS", str(tmp_path / "network.yaml"))
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value.startswith("outreach")
    assert any("Réseau" in m.value for m in at.sidebar.markdown)


def test_accueil_sends_an_open_campaign_to_the_checklist(tmp_path, monkeypatch):
    from outreach.campaign import load_campaign
    from outreach.datasets import example_campaign_path

    monkeypatch.setenv("OUTREACH_SETTINGS", str(tmp_path / "network.yaml"))
    at = AppTest.from_file(str(ROOT / "app/pages/accueil.py"), default_timeout=60)
    at.session_state["campaign"] = load_campaign(example_campaign_path())
    at.session_state["campaign_path"] = str(example_campaign_path())
    at.run()
    assert not at.exception
    # without a DPO in the settings and without attestations, the checklist blocks: the next step says which
    assert any("RIGHTS-01" in w.value and "ROLE-01" in w.value for w in at.warning)


def test_a_page_that_stops_still_says_where_the_user_is(tmp_path, monkeypatch):
    """The questionnaire page stops on an unreachable database: the sidebar still names the network and the
    campaign (it was drawn after the page only, and nothing is drawn after st.stop)."""
    from outreach.campaign import load_campaign
    from outreach.datasets import example_campaign_path

    monkeypatch.setenv("OUTREACH_SETTINGS", str(tmp_path / "network.yaml"))
    monkeypatch.setenv("OUTREACH_DATABASE_URL", "postgresql+psycopg://outreach@127.0.0.1:1/absent")
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=90).run()
    at.session_state["campaign"] = load_campaign(example_campaign_path())
    at.switch_page("app/pages/questionnaire.py").run()
    assert not at.exception and any("OUTREACH_DATABASE_URL" in e.value for e in at.error)
    shown = [m.value for m in at.sidebar.markdown]
    assert "**Réseau** : Réseau des médiathèques" in shown
    assert f"**Campagne** : {at.session_state['campaign'].name}" in shown
    assert sum(1 for m in shown if m.startswith("**Réseau**")) == 1  # drawn again in its place, not twice
