"""Accueil: what the tool does, and the next step for the current campaign."""

import streamlit as st

from app import state

st.title("outreach — faire connaître la médiathèque")
st.markdown(
    "« Hé ho, la médiathèque existe ! Et elle a un lien avec votre passion ! » — cet outil aide le service "
    "communication d'un réseau de médiathèques à toucher les personnes qui ne la fréquentent pas, à partir de "
    "leurs centres d'intérêt et de la bibliothèque la plus proche de chez elles.")

st.header("Le parcours")
st.markdown(
    "1. **Territoire** — la bibliothèque la plus proche de chaque commune ou arrondissement, le bassin de chaque "
    "bibliothèque, les zones mal desservies.\n"
    "2. **Thèmes** — les centres d'intérêt (science-fiction, manga, street art, LSF…) reliés aux collections et "
    "aux animations réelles de chaque bibliothèque.\n"
    "3. **Campagne** — un ensemble de publicités Facebook/Instagram par bibliothèque et par thème, budget et "
    "textes compris.\n"
    "4. **RGPD** — la liste de contrôle RGPD / DSA, vérifiée automatiquement ou attestée par une personne nommée.\n"
    "5. **Exporter** — les fichiers pour Meta (API, Gestionnaire de publicités) et l'envoi, toujours en pause.\n"
    "6. **Multicanal, questionnaire, tableau de bord** — les publications par réseau, la communauté d'intérêt, "
    "la couverture obtenue.")

st.header("Prochaine étape")
current = state.settings()
missing = current.missing_for_launch()
if missing:
    st.info("Renseignez " + ", ".join(missing) + " dans les paramètres du réseau.", icon="⚙️")
    state.link("app/pages/parametres.py", "Ouvrir les paramètres", ":material/settings:")
campaign = st.session_state.get(state.CAMPAIGN)
if campaign is None:
    st.info("Regardez votre territoire, puis ouvrez ou créez une campagne (un exemple est fourni).", icon="🗺️")
    state.link("app/pages/territoire.py", "Voir le territoire", ":material/map:")
    state.link("app/pages/campagne.py", "Ouvrir une campagne", ":material/campaign:")
else:
    from outreach import pipeline
    from outreach.campaign import campaign_to_yaml
    from outreach.errors import InputError

    try:
        # the pages' shared cached plan, then the same review as every other page
        _, plan, payloads = state.planned(campaign_to_yaml(campaign))
        verdict = pipeline.prepare(campaign, campaign_path=st.session_state.get(state.CAMPAIGN_PATH),
                                   planned=(plan, payloads)).verdict
    except InputError as exc:
        state.show_input_error(exc)
        state.link("app/pages/campagne.py", "Corriger la campagne", ":material/campaign:")
    else:
        if verdict.export_allowed:
            st.success(f"Campagne « {campaign.name} » : la checklist RGPD est satisfaite, vous pouvez exporter.")
            state.link("app/pages/exporter.py", "Exporter et envoyer à Meta", ":material/download:")
        else:
            blockers = ", ".join(i.id for i in verdict.checklist.open_blockers)
            st.warning(f"Campagne « {campaign.name} » : points RGPD bloquants à régler ou attester : {blockers}.")
            state.link("app/pages/rgpd.py", "Ouvrir la checklist RGPD", ":material/shield:")
