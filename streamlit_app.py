"""Entry point of the app: page navigation and the sidebar showing where the user is, nothing else.

The sidebar's links are drawn here with st.page_link rather than by st.navigation's own menu: that menu
puts its section headers inside the list of links (a <header> in a <ul>), which screen readers announce
wrongly (axe: list, listitem). Each page gets its own document title, and the document says it is French.
"""

import streamlit as st

from app import french_widgets, state, warmup
from app.access_gate import require_access


def page(path: str, title: str, icon: str, url: str, default: bool = False):
    """The page and its Material icon, shown beside its link in the sidebar (drawn with the font Streamlit
    serves). The icon is not given to st.Page: the current page's icon would become the tab's icon for a
    moment, an image the browser fetches from fonts.gstatic.com (Google) at every start."""
    return st.Page(f"app/pages/{path}", title=title, url_path=url, default=default), f":material/{icon}:"


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
home = sections[""][0][0]
navigation = st.navigation([p for pages in sections.values() for p, _ in pages], position="hidden")
st.set_page_config(page_title=f"{navigation.title} — outreach, médiathèques", layout="wide")
french_widgets.apply()
# a focus ring that shows where the keyboard is, distinct from the current page's grey marker
st.html("<style>:focus-visible { outline: 3px solid #0b57d0 !important; outline-offset: 2px !important; }</style>")


def identity() -> None:
    """The tab's icon and the document's language."""
    # an emoji: recognising one makes Streamlit load its table of every emoji and compile a pattern of them all
    # (0.1 s of CPU, once per process); a Material icon would be an image fetched from Google
    st.set_page_config(page_icon="📚")
    # Streamlit writes <html lang="en"> and has no setting for it: a script sets the page's language once loaded.
    # It also names the file uploaders' buttons, whose English text app/french_widgets.py hides (axe:
    # button-name). It runs in the page itself (st.html), not in a component's frame: one document fewer to load
    french_widgets.set_language()


# alone on 127.0.0.1, or logged in on a shared deployment; nothing below runs otherwise
require_access(before_login=identity)


def frame() -> None:
    """The tab's icon, the language script and the sidebar's links."""
    identity()
    with st.sidebar:
        for section, pages in sections.items():
            if section:
                st.markdown(f"**{section}**")
            for p, icon in pages:
                st.page_link(p, icon=icon)


# The first page's heading comes before the frame: a browser that has just opened the app loads the code of
# page links and of a scripted st.html only when the first of them arrives, and drew nothing of the page until
# then (0.15 s of the cold start, bench/bench_app.py); the sidebar looks the same whichever is sent first. The
# other pages draw it first: nothing is drawn after a page's st.stop(), and Accueil is the one that never stops.
if navigation is not home:
    frame()
try:
    navigation.run()
finally:
    if navigation is home:
        frame()
    # after the page: the campaign it opened or saved is the one shown
    state.sidebar()
    # once the first page is drawn, what the others need loads in the background (app/warmup.py)
    warmup.start()
