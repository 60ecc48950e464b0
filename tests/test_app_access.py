"""The app's door: open on 127.0.0.1, a login when served on another address, nothing shown without one."""

from __future__ import annotations

import tomllib

import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from outreach.access import access_mode, password_ok
from tests.support import ROOT

APP = str(ROOT / "streamlit_app.py")
PASSWORD = "cheval-agrafe-batterie"


def test_the_shipped_config_listens_on_loopback_only_with_a_small_upload_cap():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "127.0.0.1"
    assert config["server"]["maxUploadSize"] <= 10 and config["server"]["enableXsrfProtection"] is True


@pytest.mark.parametrize(("address", "secrets", "mode"), [
    ("127.0.0.1", {}, "local"), ("localhost", {}, "local"), ("0.0.0.0", {}, "refused"), ("", {}, "refused"),
    ("0.0.0.0", {"APP_PASSWORD": PASSWORD}, "password"), ("0.0.0.0", {"APP_PASSWORD": "court"}, "weak_password"),
    ("0.0.0.0", {"auth": {"redirect_uri": "https://outils.exemple.fr/oauth2callback", "cookie_secret": "x" * 32,
                          "client_id": "a", "client_secret": "b",
                          "server_metadata_url": "https://idp.exemple.fr/.well-known/openid-configuration"}}, "oidc"),
    # a password set also applies on 127.0.0.1 (a shared machine)
    ("127.0.0.1", {"APP_PASSWORD": PASSWORD}, "password"),
])
def test_access_mode(address, secrets, mode):
    assert access_mode(address, secrets) == mode


def test_password_comparison():
    assert password_ok(PASSWORD, PASSWORD) and not password_ok(PASSWORD[:-1], PASSWORD) and not password_ok("", PASSWORD)


@pytest.fixture
def served_on_network():
    before = st_config.get_option("server.address")
    st_config.set_option("server.address", "0.0.0.0")
    yield
    st_config.set_option("server.address", before)


def test_on_the_network_without_login_nothing_is_shown(served_on_network):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert at.error and "sans connexion" in at.error[0].value
    assert not at.title or at.title[0].value != "Accueil"


def test_on_the_network_with_a_password(served_on_network):
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["APP_PASSWORD"] = PASSWORD
    at.run()
    assert not at.exception and at.title[0].value == "Connexion"
    at.text_input(key="app_password").set_value("mauvais")
    at.button[0].click().run()
    assert at.error and "incorrect" in at.error[0].value and at.title[0].value == "Connexion"
    at.text_input(key="app_password").set_value(PASSWORD)
    at.button[0].click().run()
    assert not at.exception and at.session_state["app_unlocked"] is True
    assert at.title[0].value != "Connexion"


def test_the_login_screen_is_a_french_document(served_on_network):
    """Accueil sets the document's language after its heading; the login shown instead of it sets it too."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["APP_PASSWORD"] = PASSWORD
    at.run()
    assert at.title[0].value == "Connexion"
    assert any("documentElement.lang = 'fr'" in html.proto.body for html in at.get("html"))
