"""The « Envoi des e-mails » part of the Paramètres page: the mail server of the confirmation links (double
opt-in) and the digests. The password goes straight from the masked field to the private secrets file and
is never shown again; the test connects and logs in as a send would, and sends nothing."""

from __future__ import annotations

import streamlit as st
from pydantic import ValidationError

from app import state
from outreach.community import Mailer, MailError, save_smtp_password, smtp_password
from outreach.errors import InputError
from outreach.settings import NetworkSettings, save_settings

SECURITY = {"starttls": "STARTTLS (port 587, le plus courant)", "tls": "TLS dès la connexion (port 465)",
            "none": "Aucun (relais sur cette machine seulement ; aucun mot de passe n'est envoyé)"}


def show() -> None:
    current = state.settings()
    st.header("Envoi des e-mails")
    st.caption("Le serveur qui envoie les liens de confirmation des adresses (double validation : une adresse ne "
               "sert à rien tant que la personne n'a pas confirmé) et les e-mails de recommandations. Votre "
               "service informatique ou votre hébergeur de messagerie vous donne ces valeurs.")
    stored = _stored_password()
    with st.form("smtp"):
        c1, c2 = st.columns([3, 1])
        host = c1.text_input("Serveur SMTP", current.smtp_host, placeholder="smtp.ville-….fr", key="smtp_host")
        port = c2.number_input("Port", min_value=1, max_value=65535, value=int(current.smtp_port), step=1,
                               key="smtp_port")
        security = st.selectbox("Chiffrement", list(SECURITY), index=list(SECURITY).index(current.smtp_security),
                                format_func=SECURITY.get, key="smtp_security")
        c3, c4 = st.columns(2)
        user = c3.text_input("Identifiant", current.smtp_user, key="smtp_user")
        password = c4.text_input("Mot de passe", type="password", key="smtp_password",
                                 placeholder="déjà enregistré" if stored else "",
                                 help="Gardé sur cet ordinateur, lisible par vous seul ; jamais réaffiché.")
        sender = st.text_input("Adresse d'expéditeur", current.smtp_sender, key="smtp_sender",
                               placeholder="Médiathèques de … <ne-pas-repondre@ville-….fr>")
        saved = st.form_submit_button("Enregistrer l'envoi des e-mails")
        where = st.empty()
    if saved:
        try:
            updated = NetworkSettings(**(current.model_dump() | dict(
                smtp_host=host, smtp_port=int(port), smtp_security=security, smtp_user=user.strip(),
                smtp_sender=sender)))
            if password:
                save_smtp_password(password)
            save_settings(updated)
        except ValidationError as exc:
            for error in exc.errors():
                where.error(f"Valeur refusée : {error['msg'].removeprefix('Value error, ')}.", icon="⚠️")
        except (InputError, OSError) as exc:
            where.error(f"Enregistrement impossible : {exc}", icon="⚠️")
        else:
            st.session_state[state.SETTINGS] = updated
            current = updated
            where.success("Envoi des e-mails enregistré.")
    if st.button("Tester le serveur d'e-mails", key="smtp_test", disabled=not (current.smtp_host and current.smtp_sender)):
        try:
            Mailer.from_settings(current).check()
        except MailError as exc:
            state.show_input_error(exc)
        else:
            st.success("Connexion réussie : le serveur accepte ce compte.", icon="✅")


def _stored_password() -> bool:
    try:
        return bool(smtp_password())
    except InputError:
        return False
