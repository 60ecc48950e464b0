from streamlit.testing.v1 import AppTest

from outreach.campaign import load_campaign
from tests.support import ROOT

PAGE = str(ROOT / "app/pages/multicanal.py")
EXAMPLE = ROOT / "campaigns/exemple-sf-bouches-du-rhone.yaml"
PREFIX = "channels_edit--sf-pres-de-chez-vous-bouches-du-rhone--"


def _metrics(at):
    return {m.label: m.value for m in at.metric}


def test_page_previews_every_channel_of_the_example_campaign():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Multicanal"
    assert "exemple-sf-bouches-du-rhone.yaml" in at.info[0].value
    assert [t.label.split(" ", 1)[1] for t in at.tabs][:7] == [
        "Blog (WordPress)", "Facebook", "Instagram", "X (Twitter)", "Mastodon", "YouTube", "Lettre d'information"]
    metrics = _metrics(at)
    assert metrics["Réseaux"] == "7" and metrics["À corriger"] == "0"
    assert int(metrics["Publications"]) == len(at.text_area)
    # 7 SF records in the two demonstration branches of the 13 (an SF imprint's fantasy is not counted)
    assert at.text_area(key=PREFIX + "x--science-fiction--relais").value.startswith("7 documents")
    assert any("/ 280** caractères — chaque lien compte pour 23" in m.value for m in at.markdown)
    labels = [b.proto.label for b in at.get("download_button")]
    assert {"Publications (posts.csv)", "Calendrier éditorial (calendar.ics)", "Brouillons WordPress (blog.wxr.xml)",
            "Tout (zip)", "Sous-titres (.srt)"} <= set(labels)


def test_editing_a_post_counts_checks_and_tags_its_links():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    key = PREFIX + "x--science-fiction--relais"
    at.text_area(key=key).set_value("Trop long " * 40).run()
    assert not at.exception
    assert _metrics(at)["À corriger"] == "1"
    assert any("399 caractères pour 280 au plus sur X (Twitter)" in e.value for e in at.error)
    assert "Publications (posts.csv)" not in [b.proto.label for b in at.get("download_button")]

    at.text_area(key=key).set_value("Nos romans de SF : https://www.bmvr.marseille.fr/sf #Conseil2bib").run()
    assert _metrics(at)["À corriger"] == "0"
    assert any("**55 / 280** caractères" in m.value for m in at.markdown)  # 19 + 23 for the link + 13
    # the link typed in got its UTM parameters; X shows it shortened, as X does
    assert any("www.bmvr.marseille.fr/sf?utm_…" in m.value for m in at.markdown)
    assert "Publications (posts.csv)" in [b.proto.label for b in at.get("download_button")]


def test_page_reads_the_campaign_open_in_the_session():
    campaign = load_campaign(EXAMPLE).model_copy(update={"name": "Manga à la Canopée", "themes": ["manga"]})
    campaign = campaign.model_copy(update={"territory": campaign.territory.model_copy(
        update={"departement": None, "branches": ["17615"]})})
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["campaign"] = campaign
    at.run()
    assert not at.exception
    assert "Manga à la Canopée" in at.info[0].value and "page Campagne" in at.info[0].value
    assert any(ta.key.startswith("channels_edit--manga-a-la-canopee--x--manga--") for ta in at.text_area)


def test_networks_are_connected_and_posts_scheduled_from_the_page(tmp_path, monkeypatch):
    import stat

    from outreach.settings import load_settings
    from tests.support.social_servers import MastodonServer

    server = MastodonServer()
    server.start()
    try:
        monkeypatch.setenv("OUTREACH_SETTINGS", str(tmp_path / "network.yaml"))
        monkeypatch.setenv("OUTREACH_OUTPUT_DIR", str(tmp_path / "sorties"))
        monkeypatch.delenv("MASTODON_TOKEN", raising=False)
        at = AppTest.from_file(PAGE, default_timeout=60).run()
        assert any("Aucun réseau connecté" in i.value for i in at.info)
        form = {w.label: w for w in at.text_input}
        form["Instance Mastodon"].set_value(server.url)
        form["Jeton Mastodon"].set_value(server.token)
        next(b for b in at.button if b.label == "Enregistrer").click().run()
        assert not at.exception
        assert load_settings().mastodon_instance == server.url
        secrets = tmp_path / ".streamlit" / "secrets.toml"
        assert stat.S_IMODE(secrets.stat().st_mode) == 0o600 and server.token in secrets.read_text()
        assert server.token not in str(at.text_input)  # never shown again

        at = AppTest.from_file(PAGE, default_timeout=60).run()
        button = next(b for b in at.button if b.label.startswith("Programmer"))
        n = int(button.label.split()[1])
        assert n >= 1 and not server.scheduled
        button.click().run()
        assert not at.exception and len(server.scheduled) == n
        assert any("Tout est à jour" in s.value for s in at.success)
        table = at.dataframe[-1].value
        assert set(table["État"]) == {"programmée"}
    finally:
        server.stop()
