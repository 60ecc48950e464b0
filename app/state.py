"""What the pages share: cached loading of the data, the current selection, error display.

Heavy work is cached (st.cache_data) on its inputs, so that a rerun after a widget change only redraws.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from outreach import datasets
from outreach.errors import InputError
from outreach.settings import NetworkSettings, load_settings
from outreach.territory import TerritoryReport, analyse

# st.session_state keys shared by the pages
CAMPAIGN = "campaign"  # the current Campaign (outreach.campaign), the source of truth being its file
CAMPAIGN_PATH = "campaign_path"  # the path of that file under campaigns/
SETTINGS = "network_settings"


def settings() -> NetworkSettings:
    """The network's settings, read once per session and after each save on the Paramètres page."""
    if SETTINGS not in st.session_state:
        try:
            st.session_state[SETTINGS] = load_settings()
        except InputError as exc:
            show_input_error(exc)
            st.session_state[SETTINGS] = NetworkSettings()
    return st.session_state[SETTINGS]


def sidebar() -> None:
    current = settings()
    campaign = st.session_state.get(CAMPAIGN)
    with st.sidebar:
        st.markdown(f"**Réseau** : {current.network_name}")
        if campaign is not None:
            st.markdown(f"**Campagne** : {campaign.name}")
            st.caption(str(st.session_state.get(CAMPAIGN_PATH, "non enregistrée")))
        else:
            st.markdown("**Campagne** : aucune ouverte")

def departement_choices() -> dict[str, str]:
    """Départements to choose from: the shipped network first (with commune outlines), then the others."""
    names = datasets.departement_names()
    shipped = datasets.shipped_departements()
    choices = {code: f"{code} — {names.get(code, '')} (réseau livré, contours des communes)" for code in shipped}
    for code, name in names.items():
        choices.setdefault(code, f"{code} — {name}")
    return choices


@st.cache_data(show_spinner=False, max_entries=16)
def territory(departement: str, threshold_km: float, branches_upload: tuple[str, bytes] | None = None,
              areas_upload: tuple[str, bytes] | None = None,
              _progress=None) -> tuple[datasets.TerritoryInput, TerritoryReport]:
    """`_progress(done, total)` follows the geocoding of uploaded addresses (not part of the cache key)."""
    source = datasets.load_territory(branches_file=branches_upload, areas_file=areas_upload,
                                     departement=departement, progress=_progress)
    return source, analyse(source.branches, source.areas, threshold_km)


def upload_of(widget_value) -> tuple[str, bytes] | None:
    return None if widget_value is None else (widget_value.name, widget_value.getvalue())


@st.cache_data(show_spinner=False, max_entries=8)
def _planned(campaign_yaml: str, settings_json: str):
    from outreach.campaign import campaign_from_yaml
    from outreach.meta import plan_campaign

    campaign = campaign_from_yaml(campaign_yaml)
    plan, payloads = plan_campaign(campaign)
    return campaign, plan, payloads


def planned(campaign_yaml: str):
    """(campaign, plan, payloads) of a campaign file's text, as `outreach plan` makes them.

    Cached on the text and on the network settings, which give the plan its defaults (the advertiser, the
    minimum daily budget): saving the Paramètres page plans again.
    """
    return _planned(campaign_yaml, settings().model_dump_json())


def current_campaign():
    """(campaign, its file or None): the one open on the Campagne page, else the shipped example."""
    from outreach.campaign import load_campaign

    campaign = st.session_state.get(CAMPAIGN)
    path = st.session_state.get(CAMPAIGN_PATH)
    if campaign is None:
        path = path or str(datasets.example_campaign_path())
        campaign = load_campaign(path)
    return campaign, Path(path) if path else None


def link(page_file: str, label: str, icon: str | None = None) -> None:
    """A link to another page; when a page runs alone (AppTest), a plain text hint instead."""
    try:
        st.page_link(page_file, label=label, icon=icon)
    except st.errors.StreamlitPageNotFoundError:
        st.caption(f"→ {label}")


def show_input_error(exc: InputError, where=None) -> None:
    """An InputError in plain French, where the user acted (a column, a form) or at the top."""
    (where or st).error(str(exc), icon="⚠️")
