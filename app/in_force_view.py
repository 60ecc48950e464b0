"""The Thèmes page's « catalogue du réseau » section: keep an uploaded catalogue or agenda for the network's
campaigns, see and drop what is kept, and say which branch each owner code of the library system is.

What is kept here is what `outreach plan`, the Campagne, Exporter and Multicanal pages and the questionnaire's
recommendations draw from (`outreach.themes.in_force`)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import state
from outreach.errors import InputError
from outreach.settings import save_settings
from outreach.text import french_date, number
from outreach.themes import (
    forget_catalogue_file,
    keep_agenda_file,
    keep_catalogue_file,
    kept_files,
    owner_codes,
)

NO_BRANCH = ""


def keep_button(kind: str, name: str, data: bytes, where) -> None:
    """« Garder … pour les campagnes »: the uploaded file saved in the network's folder, then every figure again."""
    label = "Garder ce catalogue pour les campagnes" if kind == "catalogue" else "Garder cet agenda pour les campagnes"
    if not where.button(label, key=f"keep_{kind}", type="primary"):
        return
    try:
        if kind == "catalogue":
            kept = keep_catalogue_file(name, data)
            message = f"Catalogue « {kept.name} » gardé : {number(kept.records)} notice(s), utilisées par les campagnes."
        else:
            keep_agenda_file(name, data, state.settings())
            message = f"Agenda « {name} » gardé : ses événements nourrissent les annonces et les publications."
    except InputError as exc:
        state.show_input_error(exc, where)
        return
    _saved(message)


def _saved(message: str) -> None:
    st.session_state.in_force_saved = message
    st.session_state.pop(state.SETTINGS, None)  # the settings on disk changed (agenda, codes): read them again
    st.rerun()


def network_branches() -> dict[str, str]:
    """Branch id → « name (town) » of the network's départements, for placing owner codes."""
    from outreach.datasets import national_branches, shipped_branches, shipped_departements

    departements = set(state.settings().departements)
    found = {b.id: b for b in shipped_branches() if b.departement in departements}
    if departements - set(shipped_departements()):  # only then the national list (a second to read)
        try:
            found.update({b.id: b for b in national_branches() if b.departement in departements})
        except InputError as exc:
            state.show_input_error(exc)
    return {i: f"{b.name} ({b.city})" for i, b in sorted(found.items(), key=lambda kv: (kv[1].city, kv[1].name))}


def section() -> None:
    st.subheader("Catalogue et agenda du réseau")
    if "in_force_saved" in st.session_state:
        st.success(st.session_state.pop("in_force_saved"), icon="💾")
    st.caption("Ce qui est gardé ici (et le catalogue moissonné ci-dessous) est ce que citent les annonces, les "
               "publications et les recommandations du questionnaire ; sans catalogue, leurs textes restent "
               "génériques.")
    try:
        in_force = state.catalogue_in_force()
        files = kept_files()
    except InputError as exc:
        state.show_input_error(exc)
        return
    state.catalogue_banner(in_force.provenance)
    for note in in_force.notes:
        st.warning(note, icon="⚠️")
    if files:
        st.dataframe(pd.DataFrame([{"Fichier": f.name, "Gardé le": french_date(f.loaded), "Notices": f.records}
                                   for f in files]), hide_index=True, width="stretch", key="kept_files_table")
        drop = st.selectbox("Retirer un catalogue", [""] + [f.file for f in files], key="kept_files_drop",
                            format_func=lambda f: {k.file: k.name for k in files}.get(f, "—"))
        if drop and st.button("Retirer ce catalogue", key="kept_files_drop_button"):
            try:
                forget_catalogue_file(drop)
            except InputError as exc:
                state.show_input_error(exc)
                return
            _saved("Catalogue retiré : les campagnes ne le citent plus.")
    if in_force.items:
        codes_form(in_force.items)
    agenda_sources()


def codes_form(items) -> None:
    """Each owner code of the copies that is not a branch id: which branch of the network it is."""
    codes = owner_codes(items, state.settings())
    if not codes:
        return
    branches = network_branches()
    choices = [NO_BRANCH, *branches]
    st.markdown("**Codes de bibliothèque du catalogue** : à quelle bibliothèque du réseau appartiennent les "
                "exemplaires de chaque code (Koha 995$b, 952$a…) ?")
    with st.form("owner_codes_form"):
        picked = {}
        for i, (code, n, current) in enumerate(codes[:12]):
            label = f"Code « {code} »" if code else "Exemplaires sans code de bibliothèque"
            picked[code] = st.selectbox(f"{label} ({number(n)} notice(s))", choices,
                                        index=choices.index(current) if current in choices else 0,
                                        format_func=lambda b: branches.get(b, "— aucune —"), key=f"owner_code_{i}")
        saved = st.form_submit_button("Enregistrer les codes")
    if saved:
        current = state.settings()
        mapping = {**current.catalogue_branches, **{c: b for c, b in picked.items() if b}}
        for code in [c for c, b in picked.items() if not b]:
            mapping.pop(code, None)
        try:
            save_settings(current.model_copy(update={"catalogue_branches": mapping}))
        except (InputError, OSError) as exc:
            st.error(f"Enregistrement impossible : {exc}", icon="⚠️")
            return
        _saved("Codes de bibliothèque enregistrés : les chiffres des campagnes en tiennent compte.")


def agenda_sources() -> None:
    """The agenda's files and feed addresses (one a line), kept in the settings."""
    current = state.settings()
    with st.form("agenda_sources_form"):
        text = st.text_area("Agendas du réseau (un fichier ou une adresse de flux iCalendar ou OpenAgenda par ligne)",
                            "\n".join(current.agenda_sources), height=100, key="agenda_sources_text")
        saved = st.form_submit_button("Enregistrer les agendas")
    if saved:
        sources = [line.strip() for line in text.splitlines() if line.strip()]
        try:
            save_settings(current.model_copy(update={"agenda_sources": sources}))
        except (InputError, OSError) as exc:
            st.error(f"Enregistrement impossible : {exc}", icon="⚠️")
            return
        _saved(f"{len(sources)} agenda(s) enregistré(s).")
