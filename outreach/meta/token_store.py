"""Where the Meta access token is kept once pasted on the Paramètres page (or given to `outreach meta token`):
the secrets file of outreach.secret_store, like every other secret. The token is never returned to a page for
display: the app only learns whether one is stored and where it comes from.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from outreach.errors import InputError
from outreach.secret_store import forget_secret, save_secret, stored_secret

TOKEN_KEY = "META_ACCESS_TOKEN"
TOKEN_ENV = TOKEN_KEY
# Meta's tokens are URL-safe letters and digits; anything else is a paste accident (a quote, a space, a line)
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_\-|.]{20,1024}")
SOURCE_ENV = "variable d'environnement META_ACCESS_TOKEN"
SOURCE_FILE = "jeton enregistré dans les Paramètres"


def stored_token() -> str | None:
    return stored_secret(TOKEN_KEY)


def token_source() -> str | None:
    """Where the token the tool would use comes from (the environment wins, as in access_token())."""
    if os.environ.get(TOKEN_ENV):
        return SOURCE_ENV
    try:
        return SOURCE_FILE if stored_token() else None
    except InputError:
        return None


def check_shape(token: str) -> str:
    token = (token or "").strip()
    if not token:
        raise InputError("le jeton est vide.", field="jeton", fix="Collez le jeton copié depuis le Business Manager.")
    if not TOKEN_SHAPE.fullmatch(token):
        raise InputError("ce texte n'a pas la forme d'un jeton Meta (lettres et chiffres, sans espace ni "
                         "guillemet).", field="jeton",
                         fix="Copiez à nouveau le jeton entier depuis le Business Manager, sans rien autour.")
    return token


def save_token(token: str) -> Path:
    return save_secret(TOKEN_KEY, check_shape(token))


def forget_token() -> bool:
    return forget_secret(TOKEN_KEY)
