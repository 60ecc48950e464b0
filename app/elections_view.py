"""The « Calendrier des élections » part of the Paramètres page: the shipped calendar, editable, saved in the
network's settings (outreach.elections holds the rule; this only edits the list)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import state
from outreach.elections import COLUMN_LABELS, RULE, Election, elections_from_rows
from outreach.errors import InputError
from outreach.settings import save_settings

COLUMNS = COLUMN_LABELS


def _table(elections: list[Election]) -> pd.DataFrame:
    rows = [{"type": e.type, "month": e.month, "first": e.rounds[0] if e.rounds else None,
             "second": e.rounds[1] if len(e.rounds) > 1 else None, "confirmed": e.confirmed, "source": e.source}
            for e in elections]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def show() -> None:
    current = state.settings()
    st.header("Calendrier des élections")
    st.caption(f"{RULE} : pas de campagne de promotion des réalisations ou de la gestion de la commune à partir du "
               "premier jour du sixième mois qui précède le mois de l'élection, jusqu'au dernier tour. Une campagne "
               "qui rencontre cette période est signalée sur la page RGPD ; le service juridique peut l'autoriser.")
    # the old single date, if any, shows as a row: saved into the calendar, it is not counted twice
    edited = st.data_editor(_table(current.election_calendar()),
                            num_rows="dynamic", hide_index=True, key="elections_table", width="stretch",
                            placeholder="",  # a round not yet dated is an empty cell, not « None »
                            column_config={
                                "type": st.column_config.TextColumn(COLUMNS["type"], required=True),
                                "month": st.column_config.TextColumn(COLUMNS["month"], required=True),
                                "first": st.column_config.DateColumn(COLUMNS["first"], format="DD/MM/YYYY"),
                                "second": st.column_config.DateColumn(COLUMNS["second"], format="DD/MM/YYYY"),
                                "confirmed": st.column_config.CheckboxColumn(COLUMNS["confirmed"]),
                                "source": st.column_config.TextColumn(COLUMNS["source"], width="large")})
    slot = st.empty()
    if st.button("Enregistrer le calendrier", key="elections_save"):
        try:
            elections = elections_from_rows(edited.to_dict("records"))
            updated = current.model_copy(update={"elections": elections, "election_date": None})
            save_settings(updated)
        except InputError as exc:
            slot.error(str(exc), icon="⚠️")
        except OSError as exc:
            slot.error(f"Enregistrement impossible ({exc.strerror or type(exc).__name__}).", icon="⚠️")
        else:
            st.session_state[state.SETTINGS] = updated
            slot.success(f"Calendrier enregistré : {len(elections)} élection(s).", icon="✅")
