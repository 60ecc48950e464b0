"""Paramètres: the network, its Facebook page and ad account, DSA beneficiary and payer, GDPR contacts, defaults."""

import streamlit as st
from pydantic import ValidationError

from app import state
from outreach.errors import InputError
from outreach.paths import settings_path
from outreach.settings import NetworkSettings, save_settings

st.title("Paramètres du réseau")
st.caption(f"Enregistrés dans `{settings_path()}`. Les nouvelles campagnes en reprennent les valeurs.")

current = state.settings()
with st.form("settings"):
    st.header("Le réseau")
    name = st.text_input("Nom du réseau", current.network_name, key="network_name")
    website = st.text_input("Site web", current.website, key="website", placeholder="https://…")
    blog_url = st.text_input("Adresse du blog (WordPress)", current.blog_url, key="blog_url", placeholder="https://…",
                             help="Les relais des réseaux renvoient vers les articles de ce blog.")
    st.header("Meta (Facebook et Instagram)")
    c1, c2, c3 = st.columns(3)
    page_id = c1.text_input("Identifiant de la page Facebook", current.facebook_page_id, key="facebook_page_id",
                            help="Chiffres seulement : Paramètres de la page > Transparence de la page.")
    ig = c2.text_input("Identifiant du compte Instagram (facultatif)", current.instagram_user_id, key="instagram_user_id")
    account = c3.text_input("Compte publicitaire", current.ad_account_id, key="ad_account_id", placeholder="act_…")
    c4, c5 = st.columns(2)
    beneficiary = c4.text_input("Bénéficiaire des publicités (DSA)", current.dsa_beneficiary, key="dsa_beneficiary",
                                help="Au nom de qui la publicité est diffusée, affiché par Meta (DSA, art. 26).")
    payer = c5.text_input("Payeur des publicités (DSA)", current.dsa_payer, key="dsa_payer")
    c6, c7 = st.columns(2)
    budget = c6.number_input("Budget par défaut d'une campagne (€)", min_value=1.0, value=float(current.default_budget_eur),
                             step=50.0, key="default_budget_eur")
    min_daily = c7.number_input("Budget quotidien minimum par ensemble de publicités (€)", min_value=0.5,
                                value=float(current.min_daily_budget_eur), step=0.5, key="min_daily_budget_eur",
                                help="Le minimum de Meta dépend du compte ; vérifiez-le dans le Gestionnaire de publicités.")
    st.header("Protection des données")
    c8, c9 = st.columns(2)
    controller = c8.text_input("Responsable du traitement", current.controller_name, key="controller_name",
                               placeholder="Ville de …")
    dpo = c9.text_input("Contact du délégué à la protection des données (DPO)", current.dpo_contact, key="dpo_contact",
                        placeholder="dpo@ville-….fr")
    election = st.date_input("Date de la prochaine élection générale (facultatif)", current.election_date,
                             key="election_date", format="DD/MM/YYYY",
                             help="Période préélectorale : pas de campagne de promotion des réalisations de la "
                                  "commune dans les 6 mois qui précèdent (Code électoral, art. L.52-1).")
    submitted = st.form_submit_button("Enregistrer", type="primary")

if submitted:
    values = dict(network_name=name, website=website, blog_url=blog_url.strip(), facebook_page_id=page_id.strip(),
                  instagram_user_id=ig.strip(),
                  ad_account_id=account.strip(), dsa_beneficiary=beneficiary, dsa_payer=payer,
                  default_budget_eur=budget, min_daily_budget_eur=min_daily, controller_name=controller,
                  dpo_contact=dpo, election_date=election, departements=current.departements)
    try:
        updated = NetworkSettings(**values)
        path = save_settings(updated)
    except ValidationError as exc:
        for error in exc.errors():  # each field refused, beside the form (the rules live in NetworkSettings)
            st.error(f"Valeur refusée : {error['msg'].removeprefix('Value error, ')}.", icon="⚠️")
    except (InputError, OSError) as exc:
        st.error(f"Enregistrement impossible : {exc}", icon="⚠️")
    else:
        st.session_state[state.SETTINGS] = updated
        st.success(f"Paramètres enregistrés dans {path}.")
