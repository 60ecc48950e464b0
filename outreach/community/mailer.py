"""Sending e-mail over SMTP: the confirmation links of the double opt-in and the digests.

The server, its port, its encryption (STARTTLS or implicit TLS), the user and the sender address are network
settings (Paramètres page); the password is a secret (SMTP_PASSWORD: the environment, else the secrets file
beside the settings, where the Paramètres page keeps it and never shows it again). A password is never sent
over an unencrypted connection: with security "none" the mailer does not log in at all.

Every failure becomes a French `MailError` that names the server and what to do, with any secret masked.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr

from outreach.errors import InputError
from outreach.settings import NetworkSettings

SMTP_PASSWORD = "SMTP_PASSWORD"
TIMEOUT_S = 30


class MailError(InputError):
    """The mail server could not be reached, refused to log in, or refused a message."""


def smtp_password() -> str | None:
    from outreach.secret_store import secret

    return secret(SMTP_PASSWORD)


def envelope_sender(sender: str) -> str:
    return parseaddr(sender)[1]


@dataclass
class Mailer:
    """One SMTP server as the settings describe it; `send` opens one connection for a batch of messages."""

    host: str
    port: int
    security: str  # "starttls" | "tls" | "none"
    user: str
    sender: str
    password: str | None = field(default=None, repr=False)
    # the certificates trusted: the system's by default (tests give the local server's own)
    ssl_context: ssl.SSLContext = field(default_factory=ssl.create_default_context, repr=False)

    @classmethod
    def from_settings(cls, settings: NetworkSettings, password: str | None = None, **kwargs) -> Mailer:
        return cls(settings.smtp_host, settings.smtp_port, settings.smtp_security, settings.smtp_user,
                   settings.smtp_sender, password if password is not None else smtp_password(), **kwargs)

    @property
    def configured(self) -> bool:
        return bool(self.host and self.sender)

    def _where(self) -> str:
        return f"serveur SMTP {self.host}:{self.port}"

    def _connect(self) -> smtplib.SMTP:
        if self.security == "tls":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT_S, context=self.ssl_context)
        else:
            conn = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_S)
        conn.ehlo()
        if self.security == "starttls":
            conn.starttls(context=self.ssl_context)
            conn.ehlo()
        if self.user and self.security != "none":
            conn.login(self.user, self.password or "")
        return conn

    def send(self, messages: Iterable[EmailMessage]) -> int:
        """Send each message (From set to the configured sender when missing); how many were accepted.

        smtplib writes the headers RFC 2047-encoded where they hold non-ASCII text and asks for SMTPUTF8 only
        for an address that needs it; the envelope sender is the configured address, which a submission
        server checks against the account."""
        sent = 0
        with self._session() as conn:
            for msg in messages:
                if "From" not in msg:
                    msg["From"] = self.sender
                conn.send_message(msg, from_addr=envelope_sender(self.sender))
                sent += 1
        return sent

    def check(self) -> None:
        """Connect, encrypt and log in as a send would, and send nothing (the Paramètres page's test)."""
        with self._session():
            pass

    @contextmanager
    def _session(self) -> Iterator[smtplib.SMTP]:
        """One connection to the server; whatever goes wrong becomes a French MailError."""
        if not self.configured:
            raise MailError("aucun serveur d'envoi d'e-mails n'est configuré.", where="SMTP",
                            fix="Renseignez le serveur SMTP et l'adresse d'expéditeur sur la page Paramètres, "
                                "rubrique « Envoi des e-mails ».")
        try:
            with self._connect() as conn:
                yield conn
        except smtplib.SMTPAuthenticationError as exc:
            raise MailError(f"identifiant ou mot de passe refusé ({exc.smtp_code}).", where=self._where(),
                            fix="Vérifiez l'utilisateur et le mot de passe SMTP (Paramètres).") from None
        except smtplib.SMTPNotSupportedError:
            raise MailError("le serveur refuse ce qui lui est demandé (authentification sans chiffrement, ou adresse "
                            "accentuée non acceptée).", where=self._where(),
                            fix="Choisissez STARTTLS ou TLS dans les Paramètres, comme l'indique votre "
                                "hébergeur de messagerie.") from None
        except smtplib.SMTPRecipientsRefused as exc:
            codes = sorted({code for code, _ in exc.recipients.values()})
            raise MailError(f"destinataire refusé par le serveur (code {codes}).", where=self._where(),
                            fix="Vérifiez l'adresse ; elle sera proposée à nouveau au prochain envoi.") from None
        except smtplib.SMTPSenderRefused as exc:
            raise MailError(f"adresse d'expéditeur refusée ({exc.smtp_code}).", where=self._where(),
                            fix="Utilisez une adresse que ce compte SMTP a le droit d'employer.") from None
        except smtplib.SMTPResponseException as exc:
            raise MailError(f"message refusé ({exc.smtp_code}).", where=self._where(),
                            fix="Réessayez plus tard ; si cela persiste, voyez avec votre hébergeur.") from None
        except ssl.SSLError as exc:
            raise MailError(f"connexion chiffrée impossible ({exc.reason or type(exc).__name__}).",
                            where=self._where(),
                            fix="Vérifiez le port et le chiffrement : 587 avec STARTTLS, 465 avec TLS.") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"serveur injoignable ou connexion interrompue ({type(exc).__name__}).",
                            where=self._where(),
                            fix="Vérifiez le nom du serveur, le port et la connexion, puis réessayez.") from None


def save_smtp_password(password: str) -> None:
    """Keep the SMTP password as the Meta token is kept: the secrets file, readable by its owner only."""
    from outreach.secret_store import save_secret

    password = password.strip("\n")
    if not password or any(c in password for c in "\"\\\r\n") or not password.isprintable():
        raise MailError("le mot de passe contient un guillemet, une barre oblique inverse ou un caractère "
                        "invisible.", where="mot de passe SMTP", field="smtp_password",
                        fix="Copiez-le à nouveau depuis votre hébergeur de messagerie, sans rien autour.")
    save_secret(SMTP_PASSWORD, password)
