"""The Thèmes page's harvest section: fetch the catalogue from the library system over OAI-PMH, with a
progress bar, into the same local store as `outreach catalogue fetch`, and show what it holds."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from app import state
from outreach.errors import InputError
from outreach.model import Theme, ThemeMatch
from outreach.paths import harvest_store_path
from outreach.themes import coverage_warnings, match_store, measure_coverage, provenance_of


@st.cache_data(show_spinner=False, max_entries=2)
def _stored(path: str, stamp: float, themes_key: tuple[str, ...]):
    """The store read, with the matches it keeps (made as each page was harvested; items kept without them
    are matched and kept now, in this process); `stamp` (the file's mtime) makes a new harvest read again."""
    from outreach.sources import read_store

    read = read_store(path)
    found, _ = match_store(path, [Theme.model_validate_json(t) for t in themes_key], workers=1)
    return read, [ThemeMatch(item_id=i, theme_id=t, score=s, reason=r) for i, t, s, r in found]


def harvest_section(themes_key: tuple[str, ...]) -> None:
    st.subheader("Moisson du catalogue (OAI-PMH)")
    st.caption("Koha, PMB, Decalog/Syracuse et Orphée exposent leurs notices en OAI-PMH : donnez l'adresse du "
               "serveur (pour Koha : https://…/cgi-bin/koha/oai.pl). La première moisson prend tout le "
               "catalogue, les suivantes seulement ce qui a changé.")
    store = harvest_store_path()
    with st.form("themes_harvest_form"):
        url = st.text_input("Adresse OAI-PMH du SIGB", key="themes_oai_url")
        full = st.checkbox("Tout moissonner à nouveau", key="themes_oai_full",
                           help="Sinon, seules les notices modifiées ou supprimées depuis la dernière moisson.")
        go = st.form_submit_button("Moissonner")
    if go:
        _fetch(url.strip(), store, full, themes_key)
    if store.exists():
        try:
            read, matches = _stored(str(store), store.stat().st_mtime, themes_key)
        except InputError as exc:
            state.show_input_error(exc)
            return
        for note in read.notes:
            st.info(note, icon="ℹ️")
        st.metric("Notices moissonnées", len(read.items), help=str(store))
        # which catalogue the figures come from, and whether they will be low (shelf codes to map)
        state.catalogue_banner(provenance_of(read.items, label="catalogue moissonné",
                                             when=date.fromtimestamp(store.stat().st_mtime)))
        for warning in coverage_warnings(measure_coverage(read.items, matches), "Catalogue moissonné"):
            st.warning(warning, icon="⚠️")
        titles = {i.id: i.title for i in read.items}
        st.dataframe(pd.DataFrame([{"Notice": m.item_id, "Titre": titles.get(m.item_id, ""), "Thème": m.theme_id,
                                    "Score": m.score, "Pourquoi": m.reason} for m in matches],
                                  columns=["Notice", "Titre", "Thème", "Score", "Pourquoi"]),
                     hide_index=True, width="stretch", key="themes_harvest_table")


def _fetch(url: str, store, full: bool, themes_key: tuple[str, ...]) -> None:
    from outreach.sources import fetch, identify
    from outreach.themes import StoreMatcher

    if not url:
        st.error("Indiquez l'adresse OAI-PMH du SIGB.", icon="⚠️")
        return
    bar = st.progress(0.0, text="Connexion au serveur…")

    def progress(done: int, total: int | None) -> None:
        share = min(1.0, done / total) if total else 0.0
        bar.progress(share, text=f"{done} notice(s) reçue(s)" + (f" sur {total}" if total else ""))

    try:
        repository = identify(url)
        # each page's items matched as they come, as `outreach catalogue fetch` does: the store keeps the
        # matches, which `themes match` and the next harvests then read instead of matching again
        matcher = StoreMatcher([Theme.model_validate_json(t) for t in themes_key])
        result = fetch(repository, store, prefix=repository.marc_prefix(), full=full, progress=progress,
                       match=matcher)
    except InputError as exc:
        bar.empty()
        state.show_input_error(exc)
        return
    bar.progress(1.0, text="Moisson terminée")
    scope = f"depuis le {result.since}" if result.since else "moisson complète"
    st.success(f"{repository.name or url} ({scope}) : {result.received} notice(s) reçue(s), {result.stored} "
               f"enregistrée(s), {result.deleted} supprimée(s), {len(result.skipped)} ignorée(s).", icon="✅")
