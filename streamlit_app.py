"""Entry point of the app: page navigation and the sidebar showing where the user is, nothing else.

The sidebar's links are drawn here with st.page_link rather than by st.navigation's own menu: that menu
puts its section headers inside the list of links (a <header> in a <ul>), which screen readers announce
wrongly (axe: list, listitem). Each page gets its own document title, and the document says it is French.
"""

import streamlit as st

from app import french_widgets, state, warmup
from app.access_gate import require_access


def page(path: str, title: str, icon: str, url: str, default: bool = False):
    return st.Page(f"app/pages/{path}", title=title, icon=f":material/{icon}:", url_path=url, default=default)


sections = {
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
navigation = st.navigation([p for pages in sections.values() for p in pages], position="hidden")
st.set_page_config(page_title=f"{navigation.title} — outreach, médiathèques", page_icon="📚", layout="wide")
french_widgets.apply()
# a focus ring that shows where the keyboard is, distinct from the current page's grey marker
st.html("<style>:focus-visible { outline: 3px solid #0b57d0 !important; outline-offset: 2px !important; }</style>")
# Streamlit writes <html lang="en"> and has no setting for it: a script sets the page's language once loaded. It
# also names the file uploaders' buttons, whose English text app/french_widgets.py hides (axe: button-name).
# It runs in the page itself (st.html), not in a component's frame: a frame is one more document to load
french_widgets.set_language()
require_access()  # alone on 127.0.0.1, or logged in on a shared deployment; nothing below runs otherwise
with st.sidebar:
    for section, pages in sections.items():
        if section:
            st.markdown(f"**{section}**")
        for p in pages:
            st.page_link(p)
try:
    navigation.run()
finally:
    # after the page: the campaign it opened or saved is the one shown (also when the page stopped early)
    state.sidebar()
    # once the first page is drawn, what the others need loads in the background (app/warmup.py)
    warmup.start()
