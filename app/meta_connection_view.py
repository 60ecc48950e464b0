"""The « Connexion à Meta » part of the Paramètres page: paste the token, test it, choose from Meta's lists.

The token goes straight from the masked field to the private secrets file (outreach.meta.token_store) and is
never written back to a widget. What Meta answered (the status, the lists) is kept in the session so that a
rerun does not call Meta again; only ids and labels are kept, never the token.
"""

from __future__ import annotations

import streamlit as st

from app import state
from outreach.errors import InputError
from outreach.meta import connection, token_store
from outreach.settings import save_settings

STATUS = "meta_connection_status"
CHOICES = "meta_connection_choices"  # {"accounts": [...], "pages": [...]}
INSTAGRAM = "meta_connection_instagram"  # account id → [Choice]
NO_INSTAGRAM = ""

GUIDE = """
Un **jeton d'utilisateur système** n'expire pas et n'est lié à aucune personne : c'est celui qu'il faut pour
un service. Il se crée une fois, dans le Business Manager de la commune (compte administrateur requis).

1. Ouvrez **business.facebook.com**, puis **Paramètres de l'entreprise**.
2. Dans **Utilisateurs → Utilisateurs système**, cliquez sur **Ajouter**, donnez un nom (par exemple
   « Médiathèques — campagnes ») et le rôle **Employé**.
3. Sur cet utilisateur système, cliquez sur **Ajouter des éléments** : choisissez le **compte publicitaire**
   (contrôle total) et la **Page Facebook** des médiathèques (créer du contenu, publicités).
4. Dans **Comptes → Applications**, vérifiez qu'une application de la commune est reliée à l'entreprise
   (sinon, créez-en une de type « Entreprise » sur developers.facebook.com).
5. Revenez sur l'utilisateur système et cliquez sur **Générer un nouveau jeton** : choisissez l'application,
   l'expiration **Jamais**, et cochez les autorisations **ads_management**, **ads_read**,
   **pages_read_engagement** et **pages_show_list**.
6. Copiez le jeton affiché (il ne sera plus montré), collez-le ci-dessus, puis **Tester la connexion**.

Le jeton donne accès au compte publicitaire : ne l'envoyez pas par e-mail et ne le collez nulle part
ailleurs. S'il a fuité, supprimez-le dans le Business Manager et générez-en un autre.
"""


def _remember(status: connection.ConnectionStatus) -> None:
    st.session_state[STATUS] = status
    st.session_state.pop(CHOICES, None)
    st.session_state.pop(INSTAGRAM, None)
    if status.ready:
        st.session_state[CHOICES] = {"accounts": connection.ad_accounts(), "pages": connection.pages()}


def token_part() -> None:
    with st.form("meta_token_form", clear_on_submit=True):
        pasted = st.text_input("Jeton d'accès Meta", type="password", key="meta_token",
                               placeholder="Collez le jeton ici", autocomplete="off",
                               help="Enregistré sur ce poste, lisible par votre seul compte ; jamais réaffiché.")
        saved = st.form_submit_button("Enregistrer le jeton")
        if saved:
            try:
                token_store.save_token(pasted)
            except (InputError, OSError) as exc:
                st.error(str(exc) if isinstance(exc, InputError) else
                         f"Enregistrement impossible ({exc.strerror or type(exc).__name__}).", icon="⚠️")
            else:
                st.session_state.pop(STATUS, None)
                st.session_state.pop(CHOICES, None)
                st.success("Jeton enregistré. Testez maintenant la connexion.", icon="✅")
    source = token_store.token_source()  # after the form: a token saved just now counts
    if source:
        st.success(f"Un jeton est en place ({source}). Il n'est jamais affiché.", icon="🔑")
    else:
        st.info("Aucun jeton enregistré : collez-le ci-dessus (guide en bas de cette rubrique).", icon="🔑")
    left, right = st.columns(2)
    if left.button("Tester la connexion", key="meta_test", type="primary", disabled=source is None):
        try:
            with st.spinner("Question à Meta…"):
                _remember(connection.check())
        except InputError as exc:
            st.session_state.pop(STATUS, None)
            st.error(str(exc), icon="⚠️")
    if right.button("Oublier le jeton enregistré", key="meta_forget", disabled=source != token_store.SOURCE_FILE):
        token_store.forget_token()
        st.session_state.pop(STATUS, None)
        st.session_state.pop(CHOICES, None)
        st.rerun()
    status = st.session_state.get(STATUS)
    if status is not None:
        lines = status.lines()
        show = st.success if status.ready else st.error
        show(lines[0], icon="✅" if status.ready else "⛔")
        for line in lines[1:]:
            st.markdown(("✅ " if "accordé" in line else "❌ ") + line)
        if status.valid and status.missing:
            st.warning("Il manque des autorisations : générez un nouveau jeton en les cochant (guide ci-dessous).",
                       icon="⚠️")


def _pick(label: str, choices: list[connection.Choice], current: str, key: str, optional: bool = False):
    options = ([NO_INSTAGRAM] if optional else []) + [c.id for c in choices]
    labels = {c.id: c.label for c in choices} | {NO_INSTAGRAM: "Aucun (Facebook seulement)"}
    index = options.index(current) if current in options else 0
    return st.selectbox(label, options, index=index, key=key, format_func=labels.get) if options else None


def choices_part() -> None:
    found = st.session_state.get(CHOICES)
    if not found:
        return
    current = state.settings()
    accounts, pages = found["accounts"], found["pages"]
    if not accounts or not pages:
        st.warning("Meta ne donne " + ("aucun compte publicitaire" if not accounts else "aucune Page")
                   + " à ce jeton : ajoutez-le à l'utilisateur système (étape 3 du guide).", icon="⚠️")
        return
    st.markdown("**Choisissez ce que les campagnes utiliseront** (listes données par Meta)")
    account = _pick("Compte publicitaire", accounts, current.ad_account_id, "meta_pick_account")
    chosen_account = next(c for c in accounts if c.id == account)
    if not chosen_account.usable:
        st.warning("Ce compte n'est pas actif chez Meta : les campagnes y seraient refusées.", icon="⚠️")
    page = _pick("Page Facebook", pages, current.facebook_page_id, "meta_pick_page")
    known = st.session_state.setdefault(INSTAGRAM, {})
    if account not in known:
        try:
            known[account] = connection.instagram_accounts(account)
        except InputError as exc:
            st.error(str(exc), icon="⚠️")
            known[account] = []
    instagram = _pick("Compte Instagram", known[account], current.instagram_user_id or NO_INSTAGRAM,
                      "meta_pick_instagram", optional=True)
    if st.button("Utiliser ces comptes", key="meta_use_choices", type="primary"):
        by_id = {c.id: c for c in accounts + pages + known[account]}
        updated = current.model_copy(update={
            "ad_account_id": account, "ad_account_name": by_id[account].label,
            "facebook_page_id": page, "facebook_page_name": by_id[page].label,
            "instagram_user_id": instagram or "", "instagram_username": by_id[instagram].label if instagram else ""})
        try:
            save_settings(updated)
        except (InputError, OSError) as exc:
            st.error(f"Enregistrement impossible : {exc}", icon="⚠️")
        else:
            st.session_state[state.SETTINGS] = updated
            # the manual fields of the settings form below (drawn later in this run) show the chosen ids, so
            # that saving that form keeps them instead of writing back what the fields held before
            for key in ("facebook_page_id", "instagram_user_id", "ad_account_id"):
                st.session_state[key] = getattr(updated, key)
            st.success(f"Les campagnes utiliseront « {by_id[page].label} » et le compte « {by_id[account].label} ».",
                       icon="✅")


def show() -> None:
    st.header("Connexion à Meta (Facebook et Instagram)")
    token_part()
    choices_part()
    with st.expander("Guide : obtenir un jeton durable (utilisateur système)"):
        st.markdown(GUIDE)
