"""What the pages share: cached loading of the data, the current selection, error display.

Heavy work is cached (st.cache_data) on its inputs, so that a rerun after a widget change only redraws.
"""

from __future__ import annotations

import streamlit as st

from outreach import datasets
from outreach.errors import InputError
from outreach.territory import TerritoryReport, analyse

SHIPPED = "shipped"  # the network shipped in data/: Bouches-du-Rhône and Paris


def departement_choices() -> dict[str, str]:
    names = datasets.departement_names()
    choices = {SHIPPED: "Réseau livré : Bouches-du-Rhône et Paris"}
    for code in datasets.national_departements():
        choices[code] = f"{code} — {names.get(code, '')}"
    return choices


@st.cache_data(show_spinner=False, max_entries=16)
def territory(scope: str, threshold_km: float, branches_upload: tuple[str, bytes] | None = None,
              areas_upload: tuple[str, bytes] | None = None) -> tuple[datasets.TerritoryInput, TerritoryReport]:
    source = datasets.load_territory(branches_file=branches_upload, areas_file=areas_upload,
                                     departement=None if scope == SHIPPED else scope)
    return source, analyse(source.branches, source.areas, threshold_km)


def upload_of(widget_value) -> tuple[str, bytes] | None:
    return None if widget_value is None else (widget_value.name, widget_value.getvalue())


def show_input_error(exc: InputError, where=None) -> None:
    """An InputError in plain French, where the user acted (a column, a form) or at the top."""
    (where or st).error(str(exc), icon="⚠️")
