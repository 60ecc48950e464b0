"""Exporter: the files for Meta and the checklist, and the push to Meta (validation first, always paused).

The campaign's file is what is exported, as `outreach plan` would: the same plan, the same GDPR gate, the same
bytes. The push writes the files to the campaign's output folder first, so that meta-ids.json remembers what
Meta created and a second push creates nothing twice.
"""

import io
import zipfile

import streamlit as st

from app import state
from outreach import pipeline
from outreach.campaign import campaign_to_yaml
from outreach.errors import InputError
from outreach.meta import META_API_FILE
from outreach.text import slug

st.title("Exporter")
st.caption("Les fichiers pour Meta (API Marketing, import du Gestionnaire de publicités), la checklist RGPD, "
           "et l'envoi à Meta : validation d'abord, création toujours en pause.")


try:
    campaign, path = state.current_campaign()
    campaign, plan, payloads = state.planned(campaign_to_yaml(campaign))
except InputError as exc:
    state.show_input_error(exc)
    st.stop()

st.markdown(f"**Campagne** : {campaign.name} — {len(plan.ad_sets)} ensemble(s) de publicités, "
            f"{plan.total_budget_eur:.2f} € au total.")
# the ads' texts go out in these files: which catalogue their figures come from, as on the Campagne page
state.catalogue_banner(plan.catalogue)
if path is None:
    st.warning("Cette campagne n'est pas enregistrée : enregistrez-la sur la page Campagne pour pouvoir "
               "l'attester et l'exporter.", icon="💾")

draft = st.toggle("Écrire des brouillons même si la checklist bloque", key="export_draft",
                  help="Les fichiers sont alors marqués BROUILLON (noms et contenus) et ne peuvent pas être envoyés.")
folder = pipeline.campaign_out_dir(campaign)
prepared = pipeline.prepare(campaign, campaign_path=path, draft=draft, planned=(plan, payloads), out_dir=folder)
verdict = prepared.verdict
for note in prepared.plan.notes[len(plan.notes):]:  # an earlier push in the same folder, as the CLI says
    st.warning(note, icon="⚠️")

if verdict.export_allowed:
    st.success("Checklist RGPD : aucun point bloquant ouvert, l'export est autorisé.", icon="✅")
else:
    st.error(verdict.message(), icon="⛔")
    state.link("app/pages/rgpd.py", "Ouvrir la checklist RGPD", ":material/shield:")

files = prepared.outputs()

st.header("Fichiers")
columns = st.columns(3)
for i, (name, data) in enumerate(sorted(files.items())):
    mime = "application/json" if name.endswith(".json") else (
        "text/html" if name.endswith(".html") else "application/octet-stream")
    columns[i % 3].download_button(name, data, file_name=name, mime=mime, key=f"download_{name}",
                                   width="stretch")
bundle = io.BytesIO()
with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as archive:
    for name, data in sorted(files.items()):
        archive.writestr(name, data)
st.download_button("Tout télécharger (.zip)", bundle.getvalue(), file_name=f"{slug(campaign.name)}.zip",
                   mime="application/zip", key="download_all", type="primary")

st.header("Envoyer à Meta")
if not verdict.export_allowed:
    st.info("L'envoi est possible une fois la checklist sans point bloquant ouvert (les brouillons ne s'envoient pas).")
    st.stop()

settings = state.settings()
account = settings.ad_account_id
if not account:
    st.warning("Aucun compte publicitaire choisi : connectez Meta et choisissez le compte sur la page "
               "Paramètres.", icon="⚙️")
    state.link("app/pages/parametres.py", "Ouvrir les paramètres", ":material/settings:")
    st.stop()
st.markdown(f"**Compte publicitaire** : {settings.ad_account_name or account} (choisi dans les Paramètres ; "
            "le jeton enregistré n'est jamais affiché).")
st.caption(f"Les fichiers envoyés et les identifiants créés par Meta sont gardés dans le dossier de sortie, "
           f"sous « {folder.name} » : un second envoi ne crée rien en double.")
validated_key = "push_validated_for"
fingerprint = (account, files.get(META_API_FILE, b""))


def push(dry_run: bool) -> None:
    label = "Validation par Meta (rien n'est créé)…" if dry_run else "Création chez Meta, en pause…"
    with st.status(label, expanded=True) as status:
        try:
            report = pipeline.export_and_push(prepared, folder, account, dry_run=dry_run, progress=status.write)
        except InputError as exc:
            status.update(label="Échec", state="error")
            st.error(str(exc), icon="⚠️")
            return
        for note in report.notes:
            status.write(note)
        if dry_run:
            st.session_state[validated_key] = fingerprint
            status.update(label=f"Validé par Meta : {len(report.validated)} objet(s), rien n'a été créé.",
                          state="complete")
        else:
            status.update(label=report.summary(), state="complete")


left, right = st.columns(2)
if left.button("1. Valider chez Meta (sans rien créer)", key="push_dry_run", width="stretch"):
    push(dry_run=True)
ready = st.session_state.get(validated_key) == fingerprint
if right.button("2. Créer chez Meta, en pause", key="push_create", type="primary", disabled=not ready,
                width="stretch", help=None if ready else "Validez d'abord : la création suit une validation réussie."):
    push(dry_run=False)
