"""Page « Questionnaire & communauté »: renders, saves the settings, shows the community, runs the purge."""

from __future__ import annotations

from datetime import timedelta

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from outreach.community.config import load_config
from outreach.community.store import utcnow
from tests.support import ROOT
from tests.support import community_support as cs

PAGE = str(ROOT / "app/pages/questionnaire.py")


@pytest.fixture
def env(tmp_path, monkeypatch):
    store = cs.configured(tmp_path, monkeypatch)
    cs.add_confirmed(store, cs.with_email(meta_matching=True))
    for body, age in ((cs.answer(postcode="13014"), 0), (cs.answer(postcode="75011"), 40 * 30),
                      (cs.with_email(email="pas-confirme@example.fr", meta_matching=True), 0),
                      (cs.unconsented(postcode="13014"), 0)):
        cs.add(store, body, now=utcnow() - timedelta(days=age))
    return tmp_path, store


def test_page_shows_the_community_and_the_snippet(env):
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    # usable consents only: the unconfirmed address is a member, not a Meta match (double opt-in)
    assert metrics["Membres"] == "4" and metrics["Rapprochement Meta"] == "1"
    assert any("1 en attente de confirmation" in c.value and "1 réponse(s) sans aucun consentement" in c.value
               for c in at.caption)
    # a local address gives no snippet to paste, only what to fill in (the issue saw http://127.0.0.1 pasted)
    assert not any("widget.js" in c.value for c in at.code)
    assert any("https://" in w.value for w in at.warning)
    frame = at.dataframe[0].value
    first = next(t.label for t in cs.themes() if t.id == cs.offered_ids()[0])
    assert frame.loc[frame["Thème"] == first, "Membres"].sum() == 4 and "@" not in frame.to_csv()
    assert frame.loc[frame["Thème"] == first, "Réponses sans consentement"].sum() == 1
    assert len(set(frame["Bibliothèque"])) == 3  # Marseille 1er, Marseille 14e, Paris 11e: three branches
    # the flagged themes are named as never offered
    flagged = next(t.label for t in cs.themes() if t.sensitivity != "none")
    assert any("SEN-04" in c.value and flagged in c.value for c in at.caption)


def test_saving_settings_and_a_bad_origin(env):
    tmp, _ = env
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.text_input(key="q_public_url").set_value("https://questionnaire.ville.fr")
    at.text_area(key="q_origins").set_value("https://www.marseille.fr\nhttps://demarches.marseille.fr")
    at.multiselect(key="q_themes").set_value(["science-fiction", "manga"])
    at.text_input(key="q_policy").set_value("https://www.marseille.fr/donnees-personnelles")
    at.text_input(key="q_version").set_value("2")
    at.button[0].click().run()  # the form's submit button
    assert not at.exception and at.success
    # the notice preview shows the new text, under its new version
    assert any("https://www.marseille.fr/donnees-personnelles" in m.value for m in at.markdown)
    assert any("Version 2" in c.value for c in at.caption)
    saved = load_config()
    assert saved.allowed_origins == ["https://www.marseille.fr", "https://demarches.marseille.fr"]
    assert saved.offered_themes == ["science-fiction", "manga"]
    assert any("https://questionnaire.ville.fr/widget.js" in c.value for c in at.code)
    at.button(key="q_hosting").click().run()  # the hosting folder, made from that public address
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "q_hosting_download" in {d.key for d in at.get("download_button")}

    at.text_area(key="q_origins").set_value("https://www.marseille.fr/page")
    at.button[0].click().run()
    assert not at.exception and any("allowed_origins" in e.value for e in at.error)
    assert load_config().allowed_origins == ["https://www.marseille.fr", "https://demarches.marseille.fr"]


def test_purge_button(env):
    _, store = env
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.button(key="q_purge").click().run()
    assert not at.exception
    assert any("1 personne(s) effacée(s)" in s.value for s in at.success)
    assert store.count() == 3


def test_missing_dpo_is_said(env):
    tmp, _ = env
    (tmp / "network.yaml").write_text(yaml.safe_dump({"controller_name": "Ville de Marseille"}), encoding="utf-8")
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception and any("dpo_contact" in w.value for w in at.warning)


@pytest.mark.parametrize("url", ["nosuchdriver://somewhere/base", "sqlite:////proc/absent/x.sqlite",
                                 "postgresql+psycopg://outreach@127.0.0.1:1/absent"])
def test_a_wrong_database_url_is_said_in_french(env, monkeypatch, url):
    monkeypatch.setenv("OUTREACH_DATABASE_URL", url)
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    assert any("OUTREACH_DATABASE_URL" in e.value and "base de données" in e.value for e in at.error)
