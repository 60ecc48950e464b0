"""RGPD: the GDPR / DSA checklist of the current campaign, what to fix and where, and the attestations.

The campaign comes from st.session_state["campaign"] / ["campaign_path"] (the Campagne page), or the shipped
example. Evaluation, attestations and files all come from outreach.compliance, as in `outreach plan`.
"""


from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from app import state
from outreach import pipeline
from outreach.campaign import campaign_to_yaml
from outreach.compliance import (
    KIND_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    STATUS_SYMBOLS,
    add_attestation,
    load_attestations,
    remove_attestation,
)
from outreach.errors import InputError

APP_ROOT = Path(__file__).resolve().parents[2]  # where streamlit_app.py and app/ are
PAGE_FILES = {"Campagne": "app/pages/campagne.py", "Paramètres": "app/pages/parametres.py",
              "Thèmes": "app/pages/themes.py", "Questionnaire": "app/pages/questionnaire.py",
              "RGPD": "app/pages/rgpd.py"}
TO_HANDLE = ("fail", "flag", "todo")

st.title("RGPD")
st.caption("Checklist RGPD / DSA de la campagne : vérifiée automatiquement quand les données le permettent, "
           "attestée par une personne nommée sinon. Tant qu'un point bloquant est ouvert, l'export est refusé.")


def link_to(page: str, field: str) -> None:
    label = f"Corriger sur la page {page}" + (f" (champ « {field} »)" if field else "")
    target = PAGE_FILES.get(page)
    if target and (APP_ROOT / target).exists():
        try:
            st.page_link(target, label=label, icon="✏️")
            return
        except StreamlitAPIException:  # the page is not in the navigation (a page run on its own)
            pass
    st.markdown(f"✏️ {label}")


try:
    campaign, path = state.current_campaign()
    campaign, plan, payloads = state.planned(campaign_to_yaml(campaign))
    prepared = pipeline.prepare(campaign, campaign_path=path, planned=(plan, payloads))
    verdict = prepared.verdict
except InputError as exc:
    state.show_input_error(exc)
    st.stop()

checklist = verdict.checklist
st.header(checklist.campaign)
st.caption(f"Fichier « {Path(path).name} »" if path else "Campagne non enregistrée : enregistrez-la sur la page Campagne "
                                            "pour pouvoir attester.")

counts = checklist.counts()
columns = st.columns(len(counts))
for column, (status, count) in zip(columns, counts.items(), strict=True):
    column.metric(f"{STATUS_SYMBOLS[status]} {STATUS_LABELS[status].capitalize()}", count)

if verdict.export_allowed:
    st.success("Aucun point bloquant ouvert : l'export est autorisé.", icon="✅")
else:
    blockers = ", ".join(i.id for i in checklist.open_blockers)
    st.error(f"Export refusé tant que ces points bloquants sont ouverts : {blockers}.", icon="⛔")

# ------------------------------------------------------------------------------------------ the list

show = st.radio("Afficher", ["à traiter", "tous"], horizontal=True, key="rgpd_show")
items = [i for i in checklist.items if show == "tous" or i.status in TO_HANDLE]
table = pd.DataFrame([{"Point": i.id, "Statut": f"{STATUS_SYMBOLS[i.status]} {STATUS_LABELS[i.status]}",
                       "Gravité": SEVERITY_LABELS[i.severity], "Type": KIND_LABELS[i.kind], "Titre": i.title,
                       "Constat": i.detail} for i in items])
if items:
    st.dataframe(table, hide_index=True, width="stretch")
else:
    st.info("Rien à traiter.")

for item in (i for i in items if i.status in TO_HANDLE):
    with st.expander(f"{STATUS_SYMBOLS[item.status]} {item.id} — {item.title}", expanded=item.status == "fail"):
        st.markdown(f"**{STATUS_LABELS[item.status].capitalize()}** ({SEVERITY_LABELS[item.severity]}, "
                    f"{KIND_LABELS[item.kind]})")
        st.write(item.detail)
        if item.fix:
            st.markdown(f"**À faire :** {item.fix}")
        if item.page and item.page != "RGPD":
            link_to(item.page, item.field)
        st.caption(f"Règle : {item.rule}  \nSource : {item.source}")

# ------------------------------------------------------------------------------------------ attestations

ROLE_MARKS = {"any": "", "dpo": " (DPO)", "legal": " (service juridique)"}

st.header("Attestations")
attestable = [i for i in checklist.items if i.kind != "auto" and i.status in ("todo", "flag", "attest")]
if path is None:
    st.info("Enregistrez la campagne sur la page Campagne pour attester ses points.")
else:
    with st.form("rgpd_attest"):
        st.markdown("Une attestation engage la personne nommée ; les points marqués « DPO » doivent être attestés "
                    "par le délégué à la protection des données, ceux marqués « service juridique » par un juriste "
                    "de la commune.")
        choice = st.selectbox("Point à attester", [i.id for i in attestable], key="rgpd_item",
                              format_func=lambda i: f"{i} — {checklist.item(i).title}"
                              + ROLE_MARKS[checklist.item(i).attested_by])
        name = st.text_input("Prénom et nom", key="rgpd_name")
        role = st.text_input("Fonction", key="rgpd_role", placeholder="Chargée de communication, DPO, service juridique…")
        note = st.text_input("Précision (facultatif)", key="rgpd_note",
                             placeholder="référence de l'AIPD, date de vérification…")
        submitted = st.form_submit_button("Attester")
    if submitted:
        try:
            add_attestation(path, choice, name=name, role=role, note=note, about=checklist.item(choice).finding)
            st.rerun()
        except InputError as exc:
            state.show_input_error(exc)

    attestations = load_attestations(path)
    if attestations:
        st.dataframe(pd.DataFrame([{"Point": a.item, "Nom": a.name, "Fonction": a.role,
                                    "Date": a.date.strftime("%d/%m/%Y"), "Précision": a.note}
                                   for a in attestations]), hide_index=True, width="stretch")
        withdraw = st.selectbox("Retirer une attestation", [""] + [a.item for a in attestations], key="rgpd_remove")
        if withdraw and st.button(f"Retirer l'attestation {withdraw}", key="rgpd_remove_button"):
            remove_attestation(path, withdraw)
            st.rerun()

# ------------------------------------------------------------------------------------------ files

st.header("Documents")
draft = False
if not verdict.export_allowed:
    draft = st.checkbox("Télécharger aussi les fichiers Meta en BROUILLON (ne pas diffuser)", key="rgpd_draft")
    prepared = prepared.with_draft(draft)
    verdict = prepared.verdict
files = prepared.outputs()
document_columns = st.columns(4)
for column, (name, mime) in zip(document_columns, [("checklist.html", "text/html"),
                                                   ("checklist.md", "text/markdown"),
                                                   ("checklist.json", "application/json"),
                                                   ("registre-art30.md", "text/markdown")], strict=True):
    column.download_button(f"Télécharger {name}", files[name], file_name=name, mime=mime, key=f"rgpd_{name}")

meta_files = [name for name in files if name not in verdict.checklist_files()]
if meta_files:
    st.header("Fichiers pour Meta" + (" — BROUILLON" if verdict.is_draft else ""))
    meta_columns = st.columns(len(meta_files))
    for column, name in zip(meta_columns, meta_files, strict=True):
        column.download_button(f"Télécharger {name}", files[name], file_name=name, key=f"rgpd_{name}")
elif not verdict.export_allowed:
    st.caption("Les fichiers pour Meta (meta-api.json, ads-manager.xlsx…) sont disponibles une fois les points "
               "bloquants réglés.")
