"""Cached loading for the Thèmes page: the demonstration sample, its summaries, uploaded files matched.

Kept once per process (st.cache_resource, never copied: a rerun only redraws), keyed on the themes and on the
modification times of the shipped files (`state.data_version`)."""

from __future__ import annotations

import json
from datetime import date

import streamlit as st

from app import state
from app.state import data_version
from outreach.datasets import shipped_branches
from outreach.model import Theme, ThemeMatch, ThemeSummary
from outreach.sources import read_catalogue, read_events
from outreach.territory import branch_near
from outreach.themes import (
    DEMO_BRANCHES,
    LargeCatalogue,
    compile_themes,
    dump_themes,
    held_branches,
    load_shelf_map,
    match_events,
    match_items,
    measure_coverage,
    propose_shelf_map,
    roubaix_collection_labels,
    shipped_catalogue,
    shipped_events,
    summarise,
)


def _themes(dumped: tuple[str, ...]) -> list[Theme]:
    return [Theme.model_validate_json(t) for t in dumped]


def freeze(themes: list[Theme]) -> tuple[str, ...]:
    """Themes as a hashable cache key."""
    return tuple(t.model_dump_json() for t in themes)


def demo_summaries(themes_key: tuple[str, ...], today: date, shelves_key: str = "") -> dict[tuple[str, str], ThemeSummary]:
    """`shelves_key` (unused in the body) makes a saved shelf map compute the summaries again."""
    return _demo_summaries(themes_key, today, shelves_key, data_version())


def demo_matches(themes_key: tuple[str, ...], shelves_key: str = "") -> list[ThemeMatch]:
    return _demo_matches(themes_key, shelves_key, data_version())


@st.cache_resource(show_spinner=False, max_entries=64)
def themes_yaml(themes_key: tuple[str, ...], header: bool = True) -> str:
    """The themes file's text (or one theme's, without the header), written once per content: dumping YAML
    at every rerun was most of the page's rerun time."""
    return dump_themes(_themes(themes_key), header=header)


def shelf_key() -> str:
    """The shelf map in force, as a cache key: saving the map matches the loaded file again."""
    return json.dumps(load_shelf_map(), sort_keys=True)


@st.cache_resource(show_spinner=False, max_entries=4)
def _demo_summaries(themes_key: tuple[str, ...], today: date, shelves_key: str,
                    version: tuple) -> dict[tuple[str, str], ThemeSummary]:
    return summarise(shipped_catalogue(), shipped_events(today), _themes(themes_key), DEMO_BRANCHES, today)


@st.cache_resource(show_spinner=False, max_entries=4)
def _demo_matches(themes_key: tuple[str, ...], shelves_key: str, version: tuple) -> list[ThemeMatch]:
    return match_items(shipped_catalogue(), _themes(themes_key))


@st.cache_resource(show_spinner=False, max_entries=8)
def uploaded_catalogue(name: str, data: bytes, themes_key: tuple[str, ...], shelves_key: str):
    read = read_catalogue(name, data=data, name=name, collection_labels=roubaix_collection_labels())
    themes = _themes(themes_key)
    shelf_map = json.loads(shelves_key)
    matches = match_items(read.items, compile_themes([t for t in themes if t.kind != "event"], shelf_map=shelf_map))
    return read, matches, measure_coverage(read.items, matches, shelf_map), \
        propose_shelf_map(read.items, themes, shelf_map)


@st.cache_resource(show_spinner=False, max_entries=8)
def uploaded_agenda(name: str, data: bytes, themes_key: tuple[str, ...]):
    read = read_events(name, data=data, name=name, branches=list(shipped_branches()),
                       near=branch_near(list(shipped_branches())))
    return read, match_events(read.events, _themes(themes_key))


def branch_figures(themes_key: tuple[str, ...], today: date, shelves_key: str):
    """What the « Par bibliothèque » tab shows: the network's catalogue and agenda in force when a catalogue is
    loaded (its branches, their summaries, items and matches), else the demonstration sample. Returns
    (provenance, {branch id: Branch}, summaries, items, matches, demo)."""
    in_force = state.catalogue_in_force()
    if not in_force.loaded:
        branches = {b.id: b for b in shipped_branches()}
        return (in_force.provenance, {b: branches[b] for b in DEMO_BRANCHES}, demo_summaries(themes_key, today, shelves_key),
                shipped_catalogue(), demo_matches(themes_key, shelves_key), True)
    return _network_figures(themes_key, today, shelves_key, state.in_force_version(), in_force,
                            state.agenda_in_force())


@st.cache_resource(show_spinner=False, max_entries=4)
def _network_figures(themes_key, today, shelves_key, version, _in_force, _agenda):
    from outreach.datasets import national_branches

    themes = _themes(themes_key)
    known = {b.id: b for b in shipped_branches()}
    held = held_branches(_in_force.items) - {""}
    if held - set(known):  # a network outside the shipped départements: its branches are in the national list
        known.update({b.id: b for b in national_branches() if b.id in held})
    branches = {b: known[b] for b in sorted(held & set(known), key=lambda b: (known[b].city, known[b].name))}
    summaries = summarise(_in_force.items, _agenda.events, themes, list(branches), today)
    if isinstance(_in_force.items, LargeCatalogue):  # a harvested store: its matched rows, from the kept matches
        rows, matches = _in_force.items.matched_rows(themes)
    else:
        rows, matches = _in_force.items, match_items(_in_force.items, themes)
    return _in_force.provenance, branches, summaries, rows, matches, False


def shown_items(rows: list) -> list:
    """The items of rows that `branch_figures` gave, to show them whole (a harvested store's rows are light)."""
    in_force = state.catalogue_in_force()
    if isinstance(in_force.items, LargeCatalogue):
        return in_force.items.items_of(rows)
    return rows
