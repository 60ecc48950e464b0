"""Where the Meta access token is kept once pasted on the Paramètres page (or given to `outreach meta token`).

It goes into Streamlit's secrets file, `.streamlit/secrets.toml`, in the folder of the network's settings
(`network.yaml`): by default the project folder, which is where Streamlit itself reads its secrets when the
app starts. The file is created readable and writable by its owner only (0600) and written atomically; the
other keys a municipal IT team may have put there are kept as they were. The token is never returned to a
page for display: the app only learns whether one is stored and where it comes from.
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from pathlib import Path

from outreach.errors import InputError, register_secret
from outreach.paths import settings_path

TOKEN_KEY = "META_ACCESS_TOKEN"
TOKEN_ENV = TOKEN_KEY
# Meta's tokens are URL-safe letters and digits; anything else is a paste accident (a quote, a space, a line)
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_\-|.]{20,1024}")
SOURCE_ENV = "variable d'environnement META_ACCESS_TOKEN"
SOURCE_FILE = "jeton enregistré dans les Paramètres"


def secrets_file() -> Path:
    return settings_path().parent / ".streamlit" / "secrets.toml"


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError("fichier de secrets illisible.", file=path,
                         fix="Corrigez-le (format TOML) ou supprimez-le, puis collez à nouveau le jeton.") from exc


def stored_secret(key: str) -> str | None:
    """A secret kept in the file (the Meta token, the blog's application password, the Mastodon token…)."""
    value = _read(secrets_file()).get(key)
    return register_secret(str(value)) if value else None


def secret(key: str) -> str | None:
    """A secret the tool uses by name: the environment first, else the secrets file; masked from then on."""
    return register_secret(os.environ.get(key)) or stored_secret(key)


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


def _without_key(text: str, key: str) -> str:
    """The file's text without the top-level line of `key` (other keys and tables untouched)."""
    kept, in_table = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            in_table = True
        if not in_table and re.match(rf"{re.escape(key)}\s*=", stripped):
            continue
        kept.append(line)
    return "\n".join(kept).strip("\n")


def _write_private(path: Path, text: str) -> None:
    """Atomic write of a file only its owner can read, from its first byte on disk."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # mkstemp: mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_secret(key: str, value: str) -> Path:
    """Keep `value` under `key` (a checked secret: no quote, no line break), the file's other keys as they were."""
    path = secrets_file()
    _read(path)  # an unreadable file is reported, not overwritten
    rest = _without_key(path.read_text(encoding="utf-8"), key) if path.exists() else ""
    # a top-level key must come before the first [table]: put it first
    text = f'{key} = "{value}"\n' + (rest + "\n" if rest else "")
    _write_private(path, text)
    return path


def forget_secret(key: str) -> bool:
    path = secrets_file()
    if not path.exists() or key not in _read(path):
        return False
    rest = _without_key(path.read_text(encoding="utf-8"), key)
    _write_private(path, rest + "\n" if rest else "")
    return True


def save_token(token: str) -> Path:
    return save_secret(TOKEN_KEY, check_shape(token))


def forget_token() -> bool:
    return forget_secret(TOKEN_KEY)
