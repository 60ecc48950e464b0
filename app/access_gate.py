"""The app's door, run before any page: see outreach/access.py for the rules."""

from __future__ import annotations

import time
from collections.abc import Callable

import streamlit as st

from outreach.access import MIN_PASSWORD, PASSWORD_KEY, access_mode, password_ok

UNLOCKED = "app_unlocked"


def _secrets() -> dict:
    try:
        return {k: st.secrets[k] for k in st.secrets}
    except Exception:  # no secrets file at all: Streamlit raises its own error type
        return {}


def require_access(before_login: Callable[[], None] = lambda: None) -> None:
    """Let the page run, or show the login and stop. `before_login` draws, when the login is shown instead of a
    page, what every screen needs (the document's language, the tab's icon)."""
    secrets = _secrets()
    mode = access_mode(st.get_option("server.address"), secrets)
    if (mode == "local" or (mode == "oidc" and st.user.is_logged_in)
            or (mode == "password" and st.session_state.get(UNLOCKED))):
        return
    before_login()
    if mode == "refused":
        st.error("Cette application est ouverte sur le réseau sans connexion : elle refuse de s'afficher. "
                 "Configurez une connexion (section [auth] ou APP_PASSWORD dans .streamlit/secrets.toml) ou "
                 "relancez-la sur 127.0.0.1.", icon="🔒")
        st.stop()
    if mode == "weak_password":
        st.error(f"Le mot de passe partagé ({PASSWORD_KEY}) doit compter au moins {MIN_PASSWORD} caractères.",
                 icon="🔒")
        st.stop()
    if mode == "oidc":
        st.title("Connexion")
        st.button("Se connecter avec le compte de l'organisation", on_click=st.login)
        st.stop()
    st.title("Connexion")
    with st.form("login"):
        given = st.text_input("Mot de passe", type="password", key="app_password")
        sent = st.form_submit_button("Entrer")
    if sent:
        if password_ok(given, secrets[PASSWORD_KEY]):
            st.session_state[UNLOCKED] = True
            st.rerun()
        time.sleep(1)  # each wrong try costs a second
        st.error("Mot de passe incorrect.", icon="🔒")
    st.stop()
