"""Cached loading for the Thèmes page: the demonstration sample, its summaries, uploaded files matched.

Kept once per process (st.cache_resource, never copied: a rerun only redraws), keyed on the themes and on the
modification times of the shipped files (`state.data_version`)."""

from __future__ import annotations

from datetime import date

import streamlit as st

from app.state import data_version
from outreach.datasets import shipped_branches
from outreach.model import Theme, ThemeMatch, ThemeSummary
from outreach.sources import read_catalogue, read_events
from outreach.territory import branch_near
from outreach.themes import (
    DEMO_BRANCHES,
    match_events,
    match_items,
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


def demo_summaries(themes_key: tuple[str, ...], today: date) -> dict[tuple[str, str], ThemeSummary]:
    return _demo_summaries(themes_key, today, data_version())


def demo_matches(themes_key: tuple[str, ...]) -> list[ThemeMatch]:
    return _demo_matches(themes_key, data_version())


@st.cache_resource(show_spinner=False, max_entries=4)
def _demo_summaries(themes_key: tuple[str, ...], today: date, version: tuple) -> dict[tuple[str, str], ThemeSummary]:
    return summarise(shipped_catalogue(), shipped_events(today), _themes(themes_key), DEMO_BRANCHES, today)


@st.cache_resource(show_spinner=False, max_entries=4)
def _demo_matches(themes_key: tuple[str, ...], version: tuple) -> list[ThemeMatch]:
    return match_items(shipped_catalogue(), _themes(themes_key))


@st.cache_resource(show_spinner=False, max_entries=8)
def uploaded_catalogue(name: str, data: bytes, themes_key: tuple[str, ...]):
    read = read_catalogue(name, data=data, name=name, collection_labels=roubaix_collection_labels())
    return read, match_items(read.items, _themes(themes_key))


@st.cache_resource(show_spinner=False, max_entries=8)
def uploaded_agenda(name: str, data: bytes, themes_key: tuple[str, ...]):
    read = read_events(name, data=data, name=name, branches=list(shipped_branches()),
                       near=branch_near(list(shipped_branches())))
    return read, match_events(read.events, _themes(themes_key))
