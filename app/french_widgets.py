"""Streamlit's own English words, replaced by French ones for every page.

Streamlit writes its file uploader's texts itself (« Upload », « 200MB per file • CSV ») and offers no setting
for them, so a style sheet hides those texts and shows French ones in their place. The English words
disappear from the page's text (display: none), which is what the end-to-end test reads; the French ones are
generated content, which browsers also give to screen readers. Placeholders of selects are passed to each
widget instead (`placeholder=`).
"""

from __future__ import annotations

import streamlit as st

STYLE = """
<style>
[data-testid="stFileUploaderDropzoneInstructions"] * { display: none; }
[data-testid="stFileUploaderDropzoneInstructions"]::after { content: "Un fichier de 10 Mo au plus"; font-size: .875rem; }
[data-testid="stFileUploaderDropzone"] button > * { display: none; }
[data-testid="stFileUploaderDropzone"] button::after { content: "Choisir un fichier"; }
</style>
"""


def apply() -> None:
    st.html(STYLE)
