"""Paramètres: the Meta connection, the network, its DSA beneficiary and payer, GDPR contacts, defaults."""

import streamlit as st
from pydantic import ValidationError

from app import elections_view, meta_connection_view, smtp_view, state
from outreach.errors import InputError
from outreach.settings import NetworkSettings, save_settings

st.title("Paramètres du réseau")
st.caption("Les nouvelles campagnes reprennent ces valeurs : la Page, le compte Instagram, le payeur, le "
           "bénéficiaire et la page d'arrivée.")

meta_connection_view.show()

current = state.settings()
with st.form("settings"):
    st.header("Le réseau")
    name = st.text_input("Nom du réseau", current.network_name, key="network_name")
    website = st.text_input("Site web (page d'arrivée des publicités)", current.website, key="website",
                            placeholder="https://…")
    website_error = st.empty()
    blog_url = st.text_input("Adresse du blog (WordPress)", current.blog_url, key="blog_url", placeholder="https://…",
                             help="Les relais des réseaux renvoient vers les articles de ce blog.")
    blog_error = st.empty()
    agenda_url = st.text_input("Adresse de l'agenda (flux iCal ou export OpenAgenda)", current.agenda_url,
                               key="agenda_url", placeholder="https://…/agenda.ics",
                               help="Lue par « outreach themes match » quand aucun fichier d'agenda n'est donné.")
    agenda_error = st.empty()
    st.header("Identité des publicités")
    chosen = [f"Page Facebook : **{current.facebook_page_name or current.facebook_page_id or 'à choisir'}**",
              f"Instagram : **{current.instagram_username or current.instagram_user_id or 'aucun'}**",
              f"Compte publicitaire : **{current.ad_account_name or current.ad_account_id or 'à choisir'}**"]
    st.markdown(" — ".join(chosen))
    st.caption("Choisis dans les listes de Meta ci-dessus, après « Tester la connexion ».")
    with st.expander("Saisie manuelle des identifiants (sans connexion à Meta)"):
        c1, c2, c3 = st.columns(3)
        page_id = c1.text_input("Identifiant de la Page Facebook", current.facebook_page_id, key="facebook_page_id",
                                help="Chiffres seulement : Paramètres de la Page > Transparence de la Page.")
        page_error = c1.empty()
        ig = c2.text_input("Identifiant du compte Instagram (facultatif)", current.instagram_user_id,
                           key="instagram_user_id")
        ig_error = c2.empty()
        account = c3.text_input("Compte publicitaire", current.ad_account_id, key="ad_account_id",
                                placeholder="act_…")
        account_error = c3.empty()
    c4, c5 = st.columns(2)
    beneficiary = c4.text_input("Bénéficiaire des publicités (DSA)", current.dsa_beneficiary, key="dsa_beneficiary",
                                help="Au nom de qui la publicité est diffusée, affiché par Meta (DSA, art. 26).")
    payer = c5.text_input("Payeur des publicités (DSA)", current.dsa_payer, key="dsa_payer")
    c6, c7 = st.columns(2)
    budget = c6.number_input("Budget par défaut d'une campagne (€)", min_value=1.0, value=float(current.default_budget_eur),
                             step=50.0, key="default_budget_eur")
    min_daily = c7.number_input("Budget quotidien minimum par ensemble de publicités, notoriété (€)", min_value=0.5,
                                value=float(current.min_daily_budget_eur), step=0.5, key="min_daily_budget_eur",
                                help="Utilisé sans jeton Meta ; avec un jeton, outreach lit le minimum du compte.")
    c10, c11 = st.columns(2)
    min_traffic = c10.number_input("Budget quotidien minimum par ensemble de publicités, trafic (€)", min_value=0.5,
                                   value=float(current.min_daily_budget_traffic_eur), step=0.5,
                                   key="min_daily_budget_traffic_eur",
                                   help="Un clic coûte plus qu'une impression : le minimum de Meta est plus élevé.")
    ad_limit = c11.number_input("Publicités actives ou en examen au plus sur la Page", min_value=1, step=10,
                                value=int(current.page_ad_limit), key="page_ad_limit",
                                help="La limite de Meta est de 250 pour la plupart des Pages.")
    st.header("Diffusion des publicités")
    d1, d2 = st.columns(2)
    frequency_max = d1.number_input("Répétition au plus par personne (campagnes de notoriété)", min_value=1,
                                    max_value=90, step=1, value=int(current.frequency_max), key="frequency_max",
                                    help="Nombre d'affichages au plus pour une même personne sur la période choisie "
                                         "à côté : au-delà, Meta montre la publicité à d'autres personnes.")
    frequency_max_error = d1.empty()
    frequency_days = d2.number_input("Période de ce plafond (jours)", min_value=1, max_value=90, step=1,
                                     value=int(current.frequency_days), key="frequency_days",
                                     help="7 jours par défaut : « 2 affichages par personne et par semaine ».")
    frequency_days_error = d2.empty()
    audience_network = st.checkbox("Diffuser aussi sur Audience Network (applications et sites partenaires de Meta)",
                                   value=bool(current.audience_network), key="audience_network",
                                   help="Désactivé par défaut : les publicités restent dans les fils, stories et "
                                        "reels de Facebook et d'Instagram, là où la bibliothèque est reconnue.")
    audience_network_error = st.empty()
    st.header("Visuels des publicités")
    v1, v2 = st.columns(2)
    primary = v1.color_picker("Couleur de fond", current.colour_primary, key="colour_primary",
                              help="Le fond des visuels qu'outreach dessine quand une publicité n'a pas d'image ; "
                                   "le texte y prend le blanc ou le noir, selon ce qui se lit le mieux (WCAG AA).")
    accent = v2.color_picker("Couleur d'accent", current.colour_accent, key="colour_accent",
                             help="Le bandeau du nom du réseau et le filet sous le thème.")
    st.header("Protection des données")
    c8, c9 = st.columns(2)
    controller = c8.text_input("Responsable du traitement", current.controller_name, key="controller_name",
                               placeholder="Ville de …")
    dpo = c9.text_input("Contact du délégué à la protection des données (DPO)", current.dpo_contact, key="dpo_contact",
                        placeholder="dpo@ville-….fr")
    submitted = st.form_submit_button("Enregistrer", type="primary")
    save_error = st.empty()

if submitted:
    page_id, ig, account = page_id.strip(), ig.strip(), account.strip()
    values = current.model_dump() | dict(
        network_name=name, website=website.strip(), blog_url=blog_url.strip(), agenda_url=agenda_url.strip(),
        facebook_page_id=page_id, instagram_user_id=ig,
        ad_account_id=account, dsa_beneficiary=beneficiary, dsa_payer=payer, default_budget_eur=budget,
        min_daily_budget_eur=min_daily, min_daily_budget_traffic_eur=min_traffic, page_ad_limit=int(ad_limit),
        frequency_max=int(frequency_max), frequency_days=int(frequency_days), audience_network=bool(audience_network),
        colour_primary=primary, colour_accent=accent, controller_name=controller, dpo_contact=dpo)
    # a hand-typed id no longer matches the name Meta gave with the previous one
    for key, name_key in (("facebook_page_id", "facebook_page_name"), ("instagram_user_id", "instagram_username"),
                          ("ad_account_id", "ad_account_name")):
        if values[key] != getattr(current, key):
            values[name_key] = ""
    problems = []
    if page_id and not page_id.isdigit():
        problems.append((page_error, "L'identifiant de la Page Facebook ne contient que des chiffres."))
    if ig and not ig.isdigit():
        problems.append((ig_error, "L'identifiant du compte Instagram ne contient que des chiffres."))
    if account and not (account.startswith("act_") and account[4:].isdigit()):
        problems.append((account_error, "Le compte publicitaire s'écrit act_ suivi de chiffres."))
    if values["website"] and not values["website"].startswith("https://"):
        problems.append((website_error, "L'adresse du site commence par https:// (Meta refuse les autres liens)."))
    if values["agenda_url"] and not values["agenda_url"].lower().startswith(("https://", "http://", "webcal://")):
        problems.append((agenda_error, "L'adresse de l'agenda commence par https:// (ou webcal://)."))
    for slot, problem in problems:
        slot.error(problem, icon="⚠️")
    if not problems:
        try:
            updated = NetworkSettings(**values)
            save_settings(updated)
        except ValidationError as exc:
            # each refused field beside its input (the rules live in NetworkSettings)
            slots = {"facebook_page_id": page_error, "instagram_user_id": ig_error, "ad_account_id": account_error,
                     "website": website_error, "blog_url": blog_error, "agenda_url": agenda_error,
                     "frequency_max": frequency_max_error, "frequency_days": frequency_days_error,
                     "audience_network": audience_network_error}
            for error in exc.errors():
                where = slots.get(str(error["loc"][0]) if error["loc"] else "", save_error)
                where.error(f"Valeur refusée : {error['msg'].removeprefix('Value error, ')}.", icon="⚠️")
        except (InputError, OSError) as exc:
            save_error.error(f"Enregistrement impossible : {exc}", icon="⚠️")
        else:
            st.session_state[state.SETTINGS] = updated
            save_error.success("Paramètres enregistrés.")

smtp_view.show()
elections_view.show()
