"""Where the tool keeps the secrets pasted into the app (the Meta token, the blog's application password, the
Mastodon token, the SMTP password…).

They go into Streamlit's secrets file, `.streamlit/secrets.toml`, in the folder of the network's settings
(`network.yaml`): by default the project folder, which is where Streamlit itself reads its secrets when the
app starts. The file is created readable and writable by its owner only (0600) and written atomically; the
other keys a municipal IT team may have put there are kept as they were. A secret is never returned to a page
for display, and every secret read is registered for masking (outreach.errors.mask_secrets).
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from pathlib import Path

from outreach.errors import InputError, register_secret
from outreach.paths import settings_path


def secrets_file() -> Path:
    return settings_path().parent / ".streamlit" / "secrets.toml"


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError("fichier de secrets illisible.", file=path,
                         fix="Corrigez-le (format TOML) ou supprimez-le, puis collez à nouveau le secret.") from exc


def stored_secret(key: str) -> str | None:
    """A secret kept in the file (the Meta token, the blog's application password, the Mastodon token…)."""
    value = _read(secrets_file()).get(key)
    return register_secret(str(value)) if value else None


def secret(key: str) -> str | None:
    """A secret the tool uses by name: the environment first, else the secrets file; masked from then on."""
    return register_secret(os.environ.get(key)) or stored_secret(key)


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
