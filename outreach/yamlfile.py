"""Reading the YAML files users edit (settings, campaigns, themes, channels, checklist…) with French errors.

Every file the user may open in an editor goes through `parse_yaml`/`read_yaml`, so a missing file, a file
not in UTF-8 and a syntax error always read the same way: the file, the line and column, what to do.
A document's cost is bounded before it is built: its size, and the number of nodes once its aliases are
expanded (a few hundred bytes of nested aliases would otherwise become billions of list items as soon as
anything walks the result).
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from outreach.bounds import MAX_YAML_BYTES, MAX_YAML_NODES, check_size
from outreach.errors import InputError

SYNTAX_FIX = "Corrigez la syntaxe à cet endroit (indentation, deux-points, guillemets)."


def parse_yaml(text: str | bytes, *, file: str | Path | None = None):
    """The YAML document in `text` (bytes are decoded as UTF-8, with or without BOM)."""
    label = str(file) if file is not None else "texte YAML"
    check_size(len(text), MAX_YAML_BYTES, label)
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError("le fichier n'est pas en UTF-8.", file=file,
                             fix="Enregistrez-le en UTF-8 depuis votre éditeur.") from exc
    try:
        # libyaml's parser when PyYAML was built with it: the same documents, ten times faster
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            if expanded_size(node) > MAX_YAML_NODES:
                raise InputError("trop d'alias imbriqués (« *nom ») : une fois développé, le document dépasserait "
                                 "un million d'éléments.", file=file,
                                 fix="Écrivez les valeurs en entier au lieu de les répéter par des alias.")
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"ligne {mark.line + 1}, colonne {mark.column + 1}" if mark else None
        raise InputError(f"YAML invalide ({yaml_problem(exc)}).", file=file, where=where, fix=SYNTAX_FIX) from exc


# The messages of libyaml (the C loader used when present) and of PyYAML's pure-Python one, in the
# officer's language, by their opening words; any other gets a neutral French text rather than English.
_YAML_PROBLEMS = (
    ("mapping values are not allowed", "« : » inattendu ; mettez la valeur entre guillemets ou revenez à la ligne"),
    ("expected <block end>", "indentation incohérente"),
    ("could not find expected ':'", "« : » manquant après une clé"),
    ("did not find expected key", "indentation incohérente ou clé manquante"),
    ("did not find expected '-'", "indentation incohérente ou « - » manquant dans une liste"),
    ("found a tab character", "tabulation : indentez avec des espaces"),
    ("found character '\\t'", "tabulation : indentez avec des espaces"),
    ("found character", "caractère qui ne peut pas commencer une valeur ; mettez-la entre guillemets"),
    ("found undefined alias", "alias « * » sans ancre « & » correspondante"),
    ("found unexpected end of stream", "guillemet non refermé"),
    ("found unknown escape character", "échappement « \\ » invalide ; utilisez des guillemets simples"),
    ("expected ',' or ']'", "« ] » manquant"),
    ("did not find expected ',' or ']'", "« ] » manquant"),
    ("expected ',' or '}'", "« } » manquant"),
    ("did not find expected ',' or '}'", "« } » manquant"),
    ("second occurrence", "ancre « & » définie deux fois"),
    ("could not determine a constructor", "étiquette « ! » non autorisée"),
    ("found duplicate key", "clé en double"),
)


def yaml_problem(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None) or ""
    return next((french for start, french in _YAML_PROBLEMS if problem.startswith(start)), "syntaxe incorrecte")


def expanded_size(root: yaml.Node) -> int:
    """Number of nodes of the document with every alias written out, each distinct node counted once.

    An alias is the same node object met again, so sizes are memoised by identity: the walk is linear in
    the composed document however large its expansion, and the result is capped just past the limit.
    A node that contains itself (a recursive alias) would expand forever: it counts as past the limit.
    """
    cap = MAX_YAML_NODES + 1
    sizes: dict[int, int] = {}
    visiting: set[int] = set()
    stack: list[yaml.Node] = [root]
    while stack:
        node = stack[-1]
        if id(node) in sizes:
            stack.pop()
            continue
        if isinstance(node, yaml.ScalarNode):
            sizes[id(node)] = 1
            stack.pop()
            continue
        children = [c for pair in node.value for c in pair] if isinstance(node, yaml.MappingNode) else node.value
        if id(node) in visiting:
            sizes[id(node)] = min(cap, 1 + sum(sizes.get(id(c), 1) for c in children))
            visiting.discard(id(node))
            stack.pop()
        else:
            visiting.add(id(node))
            if any(id(c) in visiting for c in children):
                return cap
            stack.extend(c for c in children if id(c) not in sizes)
    return sizes[id(root)]


def read_yaml(path: str | Path, *, missing_fix: str = "Vérifiez le chemin du fichier."):
    path = Path(path)
    try:
        check_size(path.stat().st_size, MAX_YAML_BYTES, str(path))
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError("fichier introuvable.", file=path, fix=missing_fix) from exc
    except IsADirectoryError as exc:
        raise InputError("c'est un dossier, pas un fichier.", file=path, fix=missing_fix) from exc
    except PermissionError as exc:
        raise InputError("lecture refusée par le système.", file=path,
                         fix="Vérifiez les droits du fichier.") from exc
    return parse_yaml(data, file=path)


def validation_error(exc: ValidationError, *, file: str | Path | None, fix: str, where: str | None = None) -> InputError:
    """The first problem pydantic found, as an InputError naming the field."""
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"])
    return InputError(f"valeur refusée pour « {field} » : {first['msg']}.", file=file, where=where, field=field,
                      fix=fix)
