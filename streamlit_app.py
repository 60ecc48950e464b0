"""Entry point of the app: page navigation, nothing else."""

import streamlit as st

st.set_page_config(page_title="outreach — médiathèques", page_icon="📚", layout="wide")

pages = {
    "Préparer": [
        st.Page("app/pages/territoire.py", title="Territoire", icon="🗺️", default=True),
        st.Page("app/pages/themes.py", title="Thèmes", icon="🏷️"),
        st.Page("app/pages/campagne.py", title="Campagne", icon="📣"),
    ],
    "Mesurer": [
        st.Page("app/pages/tableau_de_bord.py", title="Tableau de bord", icon="📊"),
    ],
}
st.navigation(pages).run()
