"""Streamlit's own English words, replaced by French ones for every page.

Streamlit writes its file uploader's texts itself (« Upload », « 200MB per file • CSV ») and offers no setting
for them, so a style sheet hides those texts and shows French ones in their place. The English words
disappear from the page's text (display: none), which is what the end-to-end test reads; the French ones are
generated content, which browsers also give to screen readers. Placeholders of selects are passed to each
widget instead (`placeholder=`).

An empty date field shows its segments' English placeholders (« dd/mm/yyyy »): their letters are shrunk to
nothing (the segments stay where they are, to be clicked and typed into) and the French ones (« jj/mm/aaaa »)
are drawn in their place. A missing value in a table shows as an empty cell (`placeholder=""`), never « None ».
"""

from __future__ import annotations

import streamlit as st

STYLE = """
<style>
[data-testid="stFileUploaderDropzoneInstructions"] * { display: none; }
[data-testid="stFileUploaderDropzoneInstructions"]::after { content: "Un fichier de 10 Mo au plus"; font-size: .875rem; }
[data-testid="stFileUploaderDropzone"] button > * { display: none; }
[data-testid="stFileUploaderDropzone"] button::after { content: "Choisir un fichier"; }
[data-testid="stDateInputField"] [role="spinbutton"][data-placeholder] { font-size: 0; }
[data-testid="stDateInputField"] [role="spinbutton"][data-placeholder]::after { font-size: .875rem; }
[data-testid="stDateInputField"] [data-type="day"][data-placeholder]::after { content: "jj"; }
[data-testid="stDateInputField"] [data-type="month"][data-placeholder]::after { content: "mm"; }
[data-testid="stDateInputField"] [data-type="year"][data-placeholder]::after { content: "aaaa"; }
</style>
"""


def apply() -> None:
    st.html(STYLE)
