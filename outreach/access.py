"""Who may use the app: one person on this machine, or people who log in on a shared deployment.

The app listens on 127.0.0.1 (.streamlit/config.toml): only the machine's own user reaches it. Served on
another address for colleagues, it asks for a login, either through the organisation's identity provider
(Streamlit's st.login, OpenID Connect, configured by an [auth] section in .streamlit/secrets.toml) or with
a shared password (APP_PASSWORD in the same file). Served on another address with neither, it refuses to
show anything: an open app could read the campaigns, push to Meta with the stored token and save files.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Literal

from outreach.errors import register_secret

LOOPBACK = {"127.0.0.1", "::1", "localhost"}
PASSWORD_KEY = "APP_PASSWORD"
MIN_PASSWORD = 12  # a shared password shorter than this is refused (guessable by trying)

Mode = Literal["local", "oidc", "password", "refused", "weak_password"]


def access_mode(server_address: str | None, secrets: Mapping) -> Mode:
    """How the app must be entered, from the address it listens on and the secrets it was given."""
    auth = secrets.get("auth")
    if isinstance(auth, Mapping) and auth.get("redirect_uri") and auth.get("cookie_secret"):
        return "oidc"
    password = register_secret(str(secrets.get(PASSWORD_KEY) or "")) or None
    if password:
        return "password" if len(str(password)) >= MIN_PASSWORD else "weak_password"
    if (server_address or "") in LOOPBACK:
        return "local"
    return "refused"


def password_ok(given: str, expected: str) -> bool:
    """Constant-time comparison: the time taken says nothing about how much of the password was right."""
    return hmac.compare_digest(given.encode("utf-8"), str(expected).encode("utf-8"))
