"""Entry point of the app: page navigation and the sidebar showing where the user is, nothing else."""

import streamlit as st

from app import state
from app.access_gate import require_access

st.set_page_config(page_title="outreach — médiathèques", page_icon="📚", layout="wide")
require_access()  # alone on 127.0.0.1, or logged in on a shared deployment


def page(path: str, title: str, icon: str, url: str, default: bool = False):
    return st.Page(f"app/pages/{path}", title=title, icon=f":material/{icon}:", url_path=url, default=default)


pages = {
    "": [page("accueil.py", "Accueil", "home", "accueil", default=True)],
    "Préparer": [
        page("territoire.py", "Territoire", "map", "territoire"),
        page("themes.py", "Thèmes", "interests", "themes"),
        page("campagne.py", "Campagne", "campaign", "campagne"),
        page("rgpd.py", "RGPD", "shield", "rgpd"),
        page("multicanal.py", "Multicanal", "share", "multicanal"),
    ],
    "Diffuser": [
        page("exporter.py", "Exporter", "download", "exporter"),
        page("questionnaire.py", "Questionnaire & communauté", "forum", "questionnaire"),
    ],
    "Mesurer": [page("tableau_de_bord.py", "Tableau de bord", "monitoring", "tableau-de-bord")],
    "Réglages": [page("parametres.py", "Paramètres", "settings", "parametres")],
}
navigation = st.navigation(pages)
try:
    navigation.run()
finally:
    # after the page: the campaign it opened or saved is the one shown (also when the page stopped early)
    state.sidebar()
