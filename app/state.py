"""What the pages share: cached loading of the data, the current selection, error display.

Heavy data and results are kept once per process (st.cache_resource: shared by every session, never copied,
so a rerun after a widget change only redraws), keyed on their inputs and on the modification times of the
files they come from (`data_version`): a file changed on disk is read again. What is cached is never
modified by the pages.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from outreach.errors import InputError

if TYPE_CHECKING:  # the data modules are imported by the functions that use them: the first page needs none
    from outreach.datasets import TerritoryInput
    from outreach.settings import NetworkSettings
    from outreach.territory import TerritoryReport

# st.session_state keys shared by the pages
CAMPAIGN = "campaign"  # the current Campaign (outreach.campaign), the source of truth being its file
CAMPAIGN_PATH = "campaign_path"  # the path of that file under campaigns/
SETTINGS = "network_settings"


def settings() -> NetworkSettings:
    """The network's settings, read once per session and after each save on the Paramètres page."""
    if SETTINGS not in st.session_state:
        # imported here, not with this module: the first page's heading is sent before pydantic and YAML load
        from outreach.settings import NetworkSettings, load_settings

        try:
            st.session_state[SETTINGS] = load_settings()
        except InputError as exc:
            show_input_error(exc)
            st.session_state[SETTINGS] = NetworkSettings()
    return st.session_state[SETTINGS]


def sidebar(slot=None) -> None:
    """The network and the open campaign, in the sidebar or in `slot` (an st.empty of it, drawn again)."""
    current = settings()
    campaign = st.session_state.get(CAMPAIGN)
    with slot.container() if slot is not None else st.sidebar:
        st.markdown(f"**Réseau** : {current.network_name}")
        if campaign is not None:
            st.markdown(f"**Campagne** : {campaign.name}")
            st.caption("enregistrée" if st.session_state.get(CAMPAIGN_PATH) else "non enregistrée")
        else:
            st.markdown("**Campagne** : aucune ouverte")

def departement_choices() -> dict[str, str]:
    """Départements to choose from: the shipped network first (with commune outlines), then the others."""
    from outreach import datasets

    names = datasets.departement_names()
    shipped = datasets.shipped_departements()
    choices = {code: f"{code} — {names.get(code, '')} (réseau livré, contours des communes)" for code in shipped}
    for code, name in names.items():
        choices.setdefault(code, f"{code} — {name}")
    return choices


def files_version(*paths: Path | str) -> tuple[tuple[str, int], ...]:
    """(path, modification time) of each file, 0 when missing: a cache key that changes with the files."""
    found = []
    for path in paths:
        try:
            found.append((str(path), Path(path).stat().st_mtime_ns))
        except OSError:
            found.append((str(path), 0))
    return tuple(found)


def data_version() -> tuple[tuple[str, int], ...]:
    """The shipped files every page reads: the network, the national lists, the themes, the samples."""
    from outreach import datasets
    from outreach.themes import sample_catalogue_path, themes_path

    return files_version(datasets.shipped_branches_path(), datasets.shipped_areas_path(),
                         datasets.national_libraries_path(), datasets.national_communes_path(), themes_path(),
                         sample_catalogue_path())


def territory(departement: str, threshold_km: float, branches_upload: tuple[str, bytes] | None = None,
              areas_upload: tuple[str, bytes] | None = None,
              _progress=None) -> tuple[TerritoryInput, TerritoryReport]:
    """`_progress(done, total)` follows the geocoding of uploaded addresses (not part of the cache key)."""
    return _territory(departement, threshold_km, branches_upload, areas_upload, data_version(), _progress)


@st.cache_resource(show_spinner=False, max_entries=16)
def _territory(departement, threshold_km, branches_upload, areas_upload, version, _progress):
    from outreach import datasets
    from outreach.territory import analyse

    source = datasets.load_territory(branches_file=branches_upload, areas_file=areas_upload,
                                     departement=departement, progress=_progress)
    return source, analyse(source.branches, source.areas, threshold_km)


_DERIVED: dict = {}  # (id of a cached object, name) → (the object, what was derived from it); once per process
_DERIVED_MAX = 64


def derived(owner, name: str, build):
    """What a page draws from a cached object (a map, a table, a file to download), built once per object
    rather than at every rerun. `name` says which view, with the widget values it depends on."""
    key = (id(owner), name)
    hit = _DERIVED.get(key)
    if hit is None or hit[0] is not owner:  # an id can be reused once its object is gone
        if len(_DERIVED) >= _DERIVED_MAX:
            _DERIVED.pop(next(iter(_DERIVED)))
        hit = _DERIVED[key] = (owner, build())
    return hit[1]


def upload_of(widget_value) -> tuple[str, bytes] | None:
    return None if widget_value is None else (widget_value.name, widget_value.getvalue())


@st.cache_resource(show_spinner=False, max_entries=8)
def _planned(campaign_yaml: str, settings_json: str, version: tuple, in_force: tuple):
    from outreach import pipeline
    from outreach.campaign import campaign_from_yaml

    campaign = campaign_from_yaml(campaign_yaml)
    plan, payloads = pipeline.plan_in_force(campaign)
    return campaign, plan, payloads


def planned(campaign_yaml: str):
    """(campaign, plan, payloads) of a campaign file's text, as `outreach plan` makes them, on the catalogue and
    the agenda in force.

    Cached on the text, on the network settings, which give the plan its defaults (the advertiser, the
    minimum daily budget): saving the Paramètres page plans again, on the shipped files, and on the catalogue
    and agenda in force (a file kept on the Thèmes page, a new harvest).
    """
    return _planned(campaign_yaml, settings().model_dump_json(), data_version(), in_force_version())


def in_force_version() -> tuple:
    from outreach.themes import in_force_version as version

    return version()


@st.cache_resource(show_spinner=False, max_entries=4)
def _catalogue_in_force(version: tuple):
    from outreach.themes import catalogue_in_force as read

    return read()


def catalogue_in_force():
    """The network's catalogue in force (`outreach.themes.in_force`), read once per change of its sources."""
    return _catalogue_in_force(in_force_version())


@st.cache_resource(show_spinner=False, max_entries=4)
def _agenda_in_force(version: tuple):
    from outreach.themes import agenda_in_force as read

    return read()


def agenda_in_force():
    """The network's own agenda (its files and feeds), read once per change of its sources and at most hourly."""
    return _agenda_in_force(in_force_version())


def posts(campaign_yaml: str, site_url: str):
    """(blog address, posts) of a campaign, as `outreach channels` makes them, cached on the campaign file's
    text, the blog's address and the catalogue and agenda in force."""
    return _posts(campaign_yaml, site_url, in_force_version())


@st.cache_resource(show_spinner=False, max_entries=8)
def _posts(campaign_yaml: str, site_url: str, in_force: tuple):
    from outreach.campaign import campaign_from_yaml
    from outreach.channels import campaign_brief, compose

    brief = campaign_brief(campaign_from_yaml(campaign_yaml), site_url=site_url)
    return brief.blog_site, compose(brief)


def current_campaign():
    """(campaign, its file or None): the one open on the Campagne page, else the shipped example."""
    from outreach import datasets
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


def show_errors_beside(exc: InputError, slots: dict, fallback=None) -> None:
    """Each problem of `exc` in the slot (an st.empty under a form's input) of its field: the slot named by the
    longest prefix of the problem's field (`period` takes `period.end`), else `fallback`. The message names no
    file nor field id: it stands under the input it is about."""
    problems = getattr(exc, "errors", None) or [exc]
    shown: dict[int, tuple] = {}  # by the slot's id: a slot is not meant as a dict key
    for problem in problems:
        field = problem.field or ""
        key = max((k for k in slots if field == k or field.startswith(k + ".")), key=len, default=None)
        text = problem.message[:1].upper() + problem.message[1:].rstrip(".") + "." + (
            f" {problem.fix}" if problem.fix else "")
        if key is None:
            text = str(problem) if problem is exc else f"{problem.where} : {text}" if problem.where else text
        slot = slots[key] if key else (fallback or st)
        shown.setdefault(id(slot), (slot, []))[1].append(text)
    for slot, texts in shown.values():
        slot.error("\n\n".join(texts), icon="⚠️")


def catalogue_banner(provenance, where=None) -> None:
    """Which catalogue the figures below come from, with its date and record count; a warning when it is
    the demonstration sample (its figures describe none of the network's branches)."""
    from outreach.themes import banner_text

    if provenance is None:
        return
    box = where or st
    if provenance.demo:
        box.warning(banner_text(provenance), icon="📚")
    else:
        box.caption(banner_text(provenance))
