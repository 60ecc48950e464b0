"""The one exception a user's mistake becomes.

An InputError says, in French, which file, which row or field, what is wrong and what to do. The CLI
prints it and exits 2; the app shows it beside the input that caused it.
"""

from __future__ import annotations

import re
from pathlib import Path

# Secrets in use, registered where they are read (secret_value below, and the Meta token, the SMTP password,
# the admin token, the app's password, a database URL's password): every message shown to a user or written
# to a log passes through mask_secrets, so an outside service that echoes the request (Meta's error texts do)
# cannot show them on screen, in a terminal or in a log file.
_SECRETS: set[str] = set()
_SECRET_PARAMETERS = re.compile(r"\b(access_token|appsecret_proof|client_secret|password)=[^&\s\"']+", re.I)
MASK = "•••"

# every secret the tool reads by name (environment, then the secrets file beside the settings)
SECRET_NAMES = ("META_ACCESS_TOKEN", "WORDPRESS_APP_PASSWORD", "MASTODON_TOKEN", "SMTP_PASSWORD", "APP_PASSWORD",
                "OUTREACH_ADMIN_TOKEN")


def register_secret(value: str | None) -> str | None:
    """Mask `value` in every message from now on; returns it, so a reader can register what it returns."""
    if value and len(value) >= 8:  # a short value would mask ordinary words
        _SECRETS.add(value)
    return value


def mask_secrets(text: str) -> str:
    """`text` with every registered secret, and any `access_token=…`-like parameter, replaced by •••: the one
    mask of the tool (messages, logs, the networks' error texts)."""
    for secret in _SECRETS:
        if secret in text:
            text = text.replace(secret, MASK)
    return _SECRET_PARAMETERS.sub(rf"\1={MASK}", text)


class InputError(Exception):
    def __init__(self, message: str, *, file: str | Path | None = None, where: str | None = None,
                 fix: str | None = None, field: str | None = None):
        self.message = mask_secrets(message)
        self.file = str(file) if file is not None else None
        self.where = where
        self.fix = fix
        self.field = field
        super().__init__(self.__str__())

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(f"{self.file}")
        if self.where:
            parts.append(self.where)
        head = " — ".join(parts)
        text = f"{head} : {self.message}" if head else self.message
        if self.fix:
            text += f" {self.fix}"
        return mask_secrets(text)


class InputErrors(InputError):
    """Several problems found in one file: all are reported at once so the user fixes them in one go."""

    MAX_SHOWN = 20

    def __init__(self, errors: list[InputError], *, file: str | Path | None = None):
        self.errors = errors
        shown = "\n".join(f"  - {e.where + ' : ' if e.where else ''}{e.message}"
                          f"{' ' + e.fix if e.fix else ''}" for e in errors[: self.MAX_SHOWN])
        more = len(errors) - self.MAX_SHOWN
        if more > 0:
            shown += f"\n  … et {more} autre(s) problème(s)."
        super().__init__(f"{len(errors)} problème(s) à corriger :\n{shown}", file=file)
