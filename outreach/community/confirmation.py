"""The double opt-in's e-mail: the confirmation link sent to an address before any e-mail purpose uses it.

The link opens a page with one button; only pressing it (a POST) confirms. Mail filters that open every link
of a message to scan it must not confirm an address on the person's behalf.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from outreach.community.vocabulary import EMAIL_PURPOSES, PURPOSE_SHORT


class TooManyConfirmations(Exception):
    """The address had its share of confirmation e-mails for the hour: none is sent, the last link still works."""

    def __init__(self, wait_s: float):
        super().__init__(wait_s)
        self.wait_s = wait_s

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.wait_s))

    @property
    def message(self) -> str:
        minutes = max(1, math.ceil(self.wait_s / 60))
        return (f"Trop de liens de confirmation envoyés à cette adresse en une heure : réessayez dans {minutes} "
                f"minute{'s' if minutes > 1 else ''}. Le dernier lien envoyé reste valable.")


def confirmation_url(public_url: str, confirmation: str) -> str:
    return f"{public_url}/confirmation/{confirmation}"


def confirmation_email(to: str, consents: dict[str, bool], link: str, preferences: str, network: str,
                       valid_days: int, sender: str) -> EmailMessage:
    asked = [PURPOSE_SHORT[p].lower() for p in EMAIL_PURPOSES if consents.get(p)]
    msg = EmailMessage()
    msg["Subject"] = f"Confirmez votre adresse e-mail — {network}"
    msg["From"] = sender
    msg["To"] = to
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].rstrip(">") or "mediatheque.invalid")
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no automatic reply to this message
    msg.set_content(
        "Bonjour,\n\n"
        f"En répondant au questionnaire de {network}, quelqu'un a donné cette adresse e-mail et demandé : "
        f"{' ; '.join(asked)}.\n\n"
        f"Si c'est vous, confirmez votre adresse en ouvrant ce lien, valable {valid_days} jours, puis en "
        f"appuyant sur « Confirmer mon adresse » :\n{link}\n\n"
        "Tant que l'adresse n'est pas confirmée, elle ne sert à rien : aucun e-mail de recommandations, aucun "
        "rapprochement avec Facebook ou Instagram.\n\n"
        "Si ce n'est pas vous, ignorez ce message : l'adresse ne sera jamais utilisée. Vous pouvez aussi "
        f"l'effacer tout de suite depuis cette page :\n{preferences}\n\n"
        f"{network}\n")
    return msg
