"""A local mail submission server (aiosmtpd on 127.0.0.1) as strict as a real one.

- STARTTLS (port 587 style) or implicit TLS (port 465 style), with a certificate made for 127.0.0.1;
- in STARTTLS mode nothing but EHLO, NOOP, QUIT and STARTTLS is accepted before TLS (RFC 3207), and AUTH is
  not even offered on a clear connection (RFC 4954 §4: a server should not allow plain passwords without it);
- AUTH is required before MAIL, with one user and password (535 otherwise);
- the envelope is checked: the sender must be the account's own address (553, as submission servers refuse
  to relay for another address), each recipient a syntactically valid address on a real-looking domain (550);
- the message is checked: headers with 8-bit bytes are refused unless the client asked for SMTPUTF8 (RFC 6531),
  a body with 8-bit bytes unless it said BODY=8BITMIME (RFC 6152), and a From that is not the sender (550).
What it accepted is kept in `received`, parsed.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import re
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER = "mediatheque"
PASSWORD = "smtp-Secret-81kQ"
SENDER = "ne-pas-repondre@ville.example.fr"
ADDRESS = re.compile(r"^[^@\s<>]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made with `cryptography` (a dependency of the tests' stack)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes


class StrictSmtp:
    def __init__(self, folder: Path, security: str = "starttls"):
        self.security = security
        self.received: list[Received] = []
        self.refused: list[str] = []
        cert, key = self_signed(folder)
        server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server_ctx.load_cert_chain(cert, key)
        self.client_context = ssl.create_default_context(cafile=str(cert))
        self.port = free_port()
        kwargs: dict = dict(auth_required=True, auth_require_tls=True, authenticator=self._authenticate,
                            enable_SMTPUTF8=True)
        if security == "starttls":
            kwargs |= dict(tls_context=server_ctx, require_starttls=True)
            self.controller = Controller(self, hostname="127.0.0.1", port=self.port, **kwargs)
        else:  # implicit TLS: the whole connection is encrypted from its first byte (aiosmtpd only knows of
            # TLS begun by STARTTLS, so its "AUTH needs TLS" rule would hide AUTH on this encrypted connection)
            kwargs["auth_require_tls"] = False
            self.controller = Controller(self, hostname="127.0.0.1", port=self.port, ssl_context=server_ctx,
                                         **kwargs)

    def __enter__(self) -> StrictSmtp:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    @staticmethod
    def _authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() \
            and auth_data.password == PASSWORD.encode()
        return AuthResult(success=ok, handled=False)

    def _refuse(self, reply: str) -> str:
        self.refused.append(reply)
        return reply

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if address != SENDER:
            return self._refuse(f"553 5.7.1 <{address}>: sender address not owned by user {USER}")
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if not ADDRESS.match(address):
            return self._refuse(f"550 5.1.3 <{address}>: bad recipient address syntax")
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or b""
        head, _, body = raw.partition(b"\r\n\r\n")
        options = {o.upper() for o in envelope.mail_options}
        if not envelope.smtp_utf8 and any(b > 127 for b in head):
            return self._refuse("554 5.6.7 8-bit header without SMTPUTF8: encode it (RFC 2047)")
        if any(b > 127 for b in body) and "BODY=8BITMIME" not in options and not envelope.smtp_utf8:
            return self._refuse("554 5.6.1 8-bit body without BODY=8BITMIME")
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        if [a for _, a in getaddresses([str(msg.get("From", ""))])] != [SENDER]:
            return self._refuse("550 5.7.1 From header does not match the authenticated sender")
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), msg, raw))
        return "250 2.0.0 OK: queued"
