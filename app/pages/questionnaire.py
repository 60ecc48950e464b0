"""Questionnaire & communauté: configure the questionnaire and its notice, copy the embed snippet, see the
community (counts only), run the retention purge. Every rule lives in outreach.community."""

import streamlit as st
import yaml
from pydantic import ValidationError

from app import state
from outreach import paths
from outreach.community import (
    QuestionnaireConfig,
    Store,
    build_offer,
    hosting,
    load_config,
    missing_fields,
    overview,
    render_notice,
    save_config,
    widget,
)
from outreach.datasets import shipped_branches
from outreach.errors import InputError
from outreach.settings import load_settings
from outreach.themes import load_themes

# the settings' names as this page labels them, for a refusal that names the field the user sees
FIELD_LABELS = {"title": "Titre du questionnaire", "intro": "Texte d'introduction",
                "offered_themes": "Centres d'intérêt proposés", "rights_contact": "Où exercer ses droits",
                "privacy_policy_url": "Politique de confidentialité de la commune",
                "notice_version": "Version de la notice", "public_url": "Adresse publique du service",
                "allowed_origins": "Sites de la commune autorisés", "retention_months": "Conservation (mois)",
                "proof_retention_years": "Conservation des preuves (ans)",
                "rate_limit_per_minute": "Requêtes par minute et par visiteur"}

st.title("Questionnaire & communauté")
st.caption("Un questionnaire facultatif sur les centres d'intérêt, à intégrer aux services en ligne de la commune, "
           "avec un consentement par usage ; la communauté qui en naît reçoit des recommandations.")

try:
    settings = load_settings()
    config = load_config()
    themes = load_themes()
    offer = build_offer(themes, config)
    store = Store(paths.database_url())
except InputError as exc:
    state.show_input_error(exc)
    st.stop()

notice = render_notice(config, settings)

missing = missing_fields(settings)
if missing:
    st.warning("Le questionnaire ne peut pas être ouvert : renseignez sur la page Paramètres "
               + ", ".join(missing) + ".", icon="⚠️")
if overview.notice_needs_new_version(store, notice):
    st.warning(f"Le texte de la notice a changé depuis sa version « {notice.version} » : donnez-lui un nouveau "
               "numéro de version avant de relancer le service (règle FORM-08).", icon="⚠️")

tab_config, tab_preview, tab_embed, tab_community, tab_purge = st.tabs(
    ["Réglages et notice", "Aperçu", "Intégration", "Communauté", "Conservation"])

with tab_config:
    sensitive = [t.label for t in themes if t.sensitivity != "none"]
    choices = [t.id for t in themes if t.sensitivity == "none"]
    labels = {t.id: t.label for t in themes}
    with st.form("questionnaire_config"):
        title = st.text_input("Titre du questionnaire", config.title, key="q_title")
        intro = st.text_area("Texte d'introduction", config.intro, key="q_intro")
        offered = st.multiselect("Centres d'intérêt proposés (vide : tous les thèmes non sensibles)", choices,
                                 default=[t for t in config.offered_themes if t in choices],
                                 format_func=labels.get, key="q_themes", placeholder="Tous les thèmes non sensibles")
        st.caption("Jamais proposés, car une réponse révélerait des données sensibles (règle SEN-04) : "
                   + (", ".join(sensitive) or "aucun") + ".")
        rights = st.text_input("Où exercer ses droits (vide : le DPO)", config.rights_contact, key="q_rights",
                               placeholder="Service des médiathèques, 1 place de la mairie — formulaire en ligne")
        policy = st.text_input("Politique de confidentialité de la commune (adresse)", config.privacy_policy_url,
                               key="q_policy", placeholder="https://www.ville.fr/donnees-personnelles")
        left, right = st.columns(2)
        version = left.text_input("Version de la notice", config.notice_version, key="q_version",
                                  help="À changer dès que le texte de la notice change.")
        public_url = right.text_input("Adresse publique du service", config.public_url, key="q_public_url")
        origins = st.text_area("Sites de la commune autorisés à intégrer le questionnaire (un par ligne)",
                               "\n".join(config.allowed_origins), key="q_origins",
                               placeholder="https://www.ville.fr")
        c1, c2, c3 = st.columns(3)
        retention = c1.number_input("Conservation après le dernier contact (mois)", 1, 36,
                                    config.retention_months, key="q_retention")
        proof_years = c2.number_input("Conservation des preuves de consentement (ans)", 1, 10,
                                      config.proof_retention_years, key="q_proof_years")
        rate = c3.number_input("Requêtes par minute et par visiteur", 1, 100_000, config.rate_limit_per_minute,
                               key="q_rate")
        submitted = st.form_submit_button("Enregistrer les réglages")
    if submitted:
        try:
            new = QuestionnaireConfig.model_validate(config.model_dump() | {
                "title": title, "intro": intro, "offered_themes": offered, "rights_contact": rights.strip(),
                "privacy_policy_url": policy.strip(), "notice_version": version.strip(),
                "public_url": public_url, "allowed_origins": [o for o in origins.splitlines() if o.strip()],
                "retention_months": int(retention), "proof_retention_years": int(proof_years),
                "rate_limit_per_minute": int(rate)})
            build_offer(themes, new)
            save_config(new)
            st.success("Réglages enregistrés. Redémarrez le service pour les appliquer.")
            config, notice = new, render_notice(new, settings)
        except InputError as exc:
            state.show_input_error(exc)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = FIELD_LABELS.get(str(first["loc"][0]) if first["loc"] else "", "un réglage")
            st.error(f"Réglage refusé pour « {field} » : {first['msg'].removeprefix('Value error, ')}.", icon="⚠️")
    st.header("Notice d'information affichée")
    st.caption(f"Version {notice.version} — empreinte du texte {notice.hash[:16]}… (enregistrée avec chaque "
               "consentement). Le responsable du traitement et le DPO viennent de la page Paramètres.")
    for heading, body in notice.sections:
        st.markdown(f"**{heading}** — {body}")

with tab_preview:
    st.markdown("Le questionnaire tel qu'il apparaîtra sur une page des services en ligne de la commune, avec les "
                "thèmes proposés et la notice enregistrés ici. Essayez-le à la souris ou au clavier : dans l'aperçu, "
                "rien n'est envoyé ni enregistré.")
    data = widget.questionnaire_data(config, settings, notice, offer)
    # the frame's title (read by screen readers and by the browser tests) is st.iframe's `alt`
    st.iframe(widget.preview_page(data, settings.controller_name), height=720, alt=widget.PREVIEW_FRAME_TITLE)

with tab_embed:
    st.markdown("Collez cette ligne dans la page du service en ligne de la commune : une invitation discrète "
                "apparaît en bas de page ; elle ne bloque jamais le service et « Non merci » la ferme.")
    try:
        hosting.public_host(config)
    except InputError as exc:  # never a snippet with a local or http address: it would not work on a public page
        st.warning("La ligne à coller apparaîtra ici une fois l'adresse publique https:// du questionnaire "
                   "renseignée (onglet Réglages). " + exc.message, icon="🔒")
    else:
        st.code(overview.embed_snippet(config), language="html")
        st.markdown(f"Le même formulaire en page : [{config.public_url}/questionnaire]"
                    f"({config.public_url}/questionnaire)")
        st.markdown("**Hébergement** — un dossier prêt pour le service informatique : le questionnaire, sa base "
                    "PostgreSQL et Caddy, qui obtient le certificat TLS de l'adresse publique. Sur le serveur, une "
                    "commande le démarre (mode d'emploi dans le fichier LISEZMOI.md du dossier).")
        if st.button("Préparer le dossier d'hébergement", key="q_hosting"):
            settings = state.settings()
            try:
                network = yaml.safe_dump(settings.model_dump(mode="json"), allow_unicode=True, sort_keys=False)
                st.session_state["q_hosting_zip"] = hosting.bundle_zip(config, network,
                                                                       paths.checkout() or paths.home())
            except InputError as exc:
                st.error(str(exc), icon="⚠️")
        if st.session_state.get("q_hosting_zip"):
            st.download_button("Télécharger le dossier (.zip)", st.session_state["q_hosting_zip"],
                               file_name="questionnaire-hebergement.zip", mime="application/zip",
                               key="q_hosting_download")

with tab_community:
    counts = overview.totals(store)
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Membres", counts["members"])
    m2.metric("Recommandations par e-mail", counts["email_recommendations"])
    m3.metric("Personnalisation", counts["personalisation"])
    m4.metric("Rapprochement Meta", counts["meta_matching"])
    st.caption(f"Consentements utilisables seulement : une adresse compte une fois confirmée par le lien reçu "
               f"({counts['awaiting_confirmation']} en attente de confirmation). {counts['counted_only']} réponse(s) "
               f"sans aucun consentement, comptée(s) sans rien garder. {counts['proofs']} preuve(s) de "
               "consentement conservée(s), sans donnée personnelle. Aucune adresse e-mail n'est affichée ici.")
    names = {b.id: b.name for b in shipped_branches()}
    table = overview.community_table(store, offer, names)
    if table.empty:
        st.info("Personne n'a encore répondu au questionnaire.", icon="ℹ️")
    else:
        st.dataframe(table, hide_index=True, width="stretch")

with tab_purge:
    st.markdown(f"Les personnes sans contact actif (réponse, clic, modification de leurs choix) depuis "
                f"**{config.retention_months} mois** sont effacées ; les preuves de consentement des personnes "
                f"parties sont supprimées après **{config.proof_retention_years} ans** (règle RET-01). "
                "Le service informatique peut la planifier chaque nuit (la commande est dans le guide "
                "d'hébergement).")
    if st.button("Lancer la purge maintenant", key="q_purge"):
        report = store.purge(config.retention_months, config.proof_retention_years)
        st.success(f"Purge faite : {report.respondents} personne(s) effacée(s), {report.proofs} preuve(s) "
                   "supprimée(s).")
