"""Cached figures of the Tableau de bord page: recomputed only when the database changes (its version)
or the selection does, so that moving a slider only redraws."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from outreach import reporting
from outreach.errors import InputError
from outreach.reporting import ReportStore, management_report


@dataclass
class Figures:
    themes: reporting.ReachTable
    branches: reporting.ReachTable
    days: reporting.ReachTable
    adsets: pd.DataFrame
    areas_geojson: dict
    branch_points: pd.DataFrame


@st.cache_data(show_spinner=False, max_entries=16)
def figures(url: str, version: str, plan_ids: tuple[int, ...] | None) -> Figures:
    store = ReportStore(url)
    ids = list(plan_ids) if plan_ids is not None else None
    geojson, points = reporting.reach_map_data(store, ids)
    return Figures(themes=reporting.reach_table(store, "theme", ids),
                   branches=reporting.reach_table(store, "branch", ids),
                   days=reporting.reach_table(store, "day", ids), adsets=reporting.adset_figures(store, ids),
                   areas_geojson=geojson, branch_points=points)


@st.cache_data(show_spinner=False, max_entries=32)
def outcome(url: str, version: str, plan_ids: tuple[int, ...] | None, months: int
            ) -> tuple[reporting.Outcome | None, str | None]:
    """(outcome, None) or (None, the French message of what is missing)."""
    try:
        return reporting.outcome(ReportStore(url), months, list(plan_ids) if plan_ids is not None else None), None
    except InputError as exc:
        return None, str(exc)


@st.cache_data(show_spinner=False, max_entries=16)
def report_html(url: str, version: str, plan_ids: tuple[int, ...] | None, months: int) -> str:
    return management_report(ReportStore(url), list(plan_ids) if plan_ids is not None else None, months=months)


@st.cache_data(show_spinner=False)
def theme_labels() -> dict[str, str]:
    """Theme id → its French label, for charts (ids are for files, people read labels)."""
    from outreach.errors import InputError
    from outreach.themes import load_themes

    try:
        return {t.id: t.label for t in load_themes()}
    except InputError:
        return {}
