"""The Thèmes page's harvest section: fetch the catalogue from the library system over OAI-PMH, with a
progress bar, into the same local store as `outreach catalogue fetch`, and show what it holds."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from app import state
from outreach.errors import InputError
from outreach.model import CatalogueProvenance, Theme
from outreach.paths import harvest_store_path
from outreach.themes import StoreMatcher, coverage_warnings, match_store, measure_store_coverage


@st.cache_data(show_spinner=False, max_entries=2)
def _stored(path: str, stamp: float, themes_key: tuple[str, ...]):
    """What the section shows of the store, without building its items (a store of 500,000 records read whole
    took 30 s and 4 GB): its size and notes, the matches it keeps (made as each page was harvested; items kept
    without them are matched and kept now, in this process), the titles of the matched items and the coverage
    measured by SQLite; `stamp` (the file's mtime) makes a new harvest read again."""
    from outreach.sources import kept_titles, store_overview

    records, notes = store_overview(path)
    themes = [Theme.model_validate_json(t) for t in themes_key]
    matcher = StoreMatcher(themes)  # compiled once: the matches and the titles are kept under its key
    found, _ = match_store(path, themes, workers=1, matcher=matcher)
    matches = list(found)
    coverage = measure_store_coverage(path, matches)
    return records, notes, matches, kept_titles(path, matcher.key), coverage


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
            records, notes, matches, titles, coverage = _stored(str(store), store.stat().st_mtime, themes_key)
        except InputError as exc:
            state.show_input_error(exc)
            return
        for note in notes:
            st.info(note, icon="ℹ️")
        st.metric("Notices moissonnées", records, help=str(store))
        # which catalogue the figures come from, and whether they will be low (shelf codes to map)
        state.catalogue_banner(CatalogueProvenance(label="catalogue moissonné", records=records,
                                                   as_of=date.fromtimestamp(store.stat().st_mtime)))
        for warning in coverage_warnings(coverage, "Catalogue moissonné"):
            st.warning(warning, icon="⚠️")
        st.dataframe(pd.DataFrame([{"Notice": i, "Titre": titles.get(i, ""), "Thème": t, "Score": s, "Pourquoi": r}
                                   for i, t, s, r in matches],
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
