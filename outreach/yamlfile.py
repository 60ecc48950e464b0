"""Reading the YAML files users edit (settings, campaigns, themes, channels, checklist…) with French errors.

Every file the user may open in an editor goes through `parse_yaml`/`read_yaml`, so a missing file, a file
not in UTF-8 and a syntax error always read the same way: the file, the line and column, what to do.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from outreach.errors import InputError

SYNTAX_FIX = "Corrigez la syntaxe à cet endroit (indentation, deux-points, guillemets)."


def parse_yaml(text: str | bytes, *, file: str | Path | None = None):
    """The YAML document in `text` (bytes are decoded as UTF-8, with or without BOM)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError("le fichier n'est pas en UTF-8.", file=file,
                             fix="Enregistrez-le en UTF-8 depuis votre éditeur.") from exc
    try:
        # libyaml's parser when PyYAML was built with it: the same documents, ten times faster
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"ligne {mark.line + 1}, colonne {mark.column + 1}" if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"YAML invalide ({problem}).", file=file, where=where, fix=SYNTAX_FIX) from exc


def read_yaml(path: str | Path, *, missing_fix: str = "Vérifiez le chemin du fichier."):
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError("fichier introuvable.", file=path, fix=missing_fix) from exc
    return parse_yaml(data, file=path)


def validation_error(exc: ValidationError, *, file: str | Path | None, fix: str, where: str | None = None) -> InputError:
    """The first problem pydantic found, as an InputError naming the field."""
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"])
    return InputError(f"valeur refusée pour « {field} » : {first['msg']}.", file=file, where=where, field=field,
                      fix=fix)
