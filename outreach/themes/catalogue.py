"""The theme catalogue: `data/themes.yaml`, validated, with errors that name the theme and the field."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from outreach import atomic
from outreach.errors import InputError, InputErrors
from outreach.model import Theme
from outreach.paths import data_dir
from outreach.yamlfile import parse_yaml, read_yaml

REQUIRED_IDS = ("science-fiction", "fantasy", "polar", "manga", "bande-dessinee", "street-art",
                "musiques-urbaines", "jeux-video", "makers-numerique", "cinema-animation", "cinema", "lsf",
                "jeux-de-societe", "cuisine", "jardinage", "photographie", "histoire-locale", "langues",
                "petite-enfance", "emploi-formation")

FIELD_LABELS = {
    "id": "identifiant", "label": "libellé", "description": "description", "meta_interests": "intérêts Meta",
    "keywords": "mots-clés", "rameau": "vedettes RAMEAU", "dewey": "indices Dewey", "genres": "genres",
    "hashtags": "hashtags", "sensitivity": "sensibilité", "kind": "type", "exclude": "exclusions",
    "copy_noun": "nom dans les annonces", "sensitivity_note": "note de sensibilité",
}


def themes_path() -> Path:
    return data_dir() / "themes.yaml"


def themes_file_key() -> tuple[str, int]:
    """The catalogue file and its modification time: a cache key that changes when the app edits it."""
    path = themes_path()
    return str(path), path.stat().st_mtime_ns if path.exists() else 0


def shipped_themes() -> tuple[Theme, ...]:
    """The theme catalogue (`data/themes.yaml`), read again only when its file changes (the app edits it)."""
    return _shipped_themes(themes_file_key())


@lru_cache(maxsize=4)
def _shipped_themes(file_key: tuple[str, int]) -> tuple[Theme, ...]:
    return tuple(load_themes(file_key[0]))


def _explain(error: dict) -> tuple[str, str]:
    """(field path in French, message in French) for one pydantic error."""
    loc = [str(p) for p in error["loc"]]
    field = ".".join(loc)
    if loc and loc[0] in FIELD_LABELS:
        field = f"{loc[0]} ({FIELD_LABELS[loc[0]]})" + ("." + ".".join(loc[1:]) if len(loc) > 1 else "")
    kind = error["type"]
    if kind == "literal_error" and loc and loc[0] == "sensitivity":
        return field, (f"sensibilité inconnue « {error.get('input')} » ; valeurs possibles : none, flag, block")
    if kind == "literal_error":
        return field, f"valeur « {error.get('input')} » non reconnue ({error['msg']})"
    if kind == "missing":
        return field, "champ obligatoire absent"
    if kind == "extra_forbidden":
        return field, "champ inconnu (faute de frappe ?)"
    if kind == "string_pattern_mismatch":
        return field, (f"« {error.get('input')} » n'est pas un identifiant valide : minuscules, chiffres et tirets, "
                       "par exemple science-fiction")
    if kind in ("string_type", "list_type", "dict_type"):
        expected = {"string_type": "un texte", "list_type": "une liste", "dict_type": "un dictionnaire"}[kind]
        return field, f"{expected} est attendu, pas « {error.get('input')} »"
    if kind == "string_too_short":
        return field, "ne doit pas être vide"
    return field, error["msg"]


def parse_themes(raw: object, label: str, *, other_ids: Iterable[str] = ()) -> list[Theme]:
    """Validate the parsed YAML document; every problem is reported at once.

    Rivals must name themes of the document or of `other_ids` (the rest of the catalogue when one theme is
    edited on its own)."""
    entries = raw.get("themes") if isinstance(raw, dict) else raw
    if not isinstance(entries, list) or not entries:
        raise InputError("aucune liste de thèmes trouvée.", file=label,
                         fix="Le fichier doit contenir une clé « themes: » suivie d'une liste de thèmes.")
    errors: list[InputError] = []
    themes: list[Theme] = []
    seen: dict[str, int] = {}
    for position, entry in enumerate(entries, start=1):
        name = entry.get("id") if isinstance(entry, dict) else None
        where = f"thème « {name} »" if name else f"thème n° {position}"
        if not isinstance(entry, dict):
            errors.append(InputError("chaque thème doit être un dictionnaire (id, label, …).", where=where))
            continue
        try:
            theme = Theme.model_validate(entry)
        except ValidationError as exc:
            for err in exc.errors():
                field, message = _explain(err)
                errors.append(InputError(f"{message}.", where=f"{where}, champ {field}",
                                         field=str(err["loc"][0]) if err["loc"] else None))
            continue
        if theme.id in seen:
            errors.append(InputError(
                f"identifiant en double (déjà utilisé par le thème n° {seen[theme.id]}).", where=where, field="id",
                fix="Donnez un identifiant unique à chaque thème."))
            continue
        unknown = sorted(set(theme.hashtags) - {"facebook", "instagram", "x", "mastodon", "youtube", "blog"})
        if unknown:
            errors.append(InputError(
                f"réseau inconnu dans les hashtags : {', '.join(unknown)}.", where=f"{where}, champ hashtags",
                field="hashtags", fix="Réseaux possibles : facebook, instagram, x, mastodon, youtube, blog."))
            continue
        for rng in theme.dewey:
            if not _valid_dewey(rng):
                errors.append(InputError(
                    f"indice Dewey « {rng} » illisible.", where=f"{where}, champ dewey", field="dewey",
                    fix="Écrivez un indice (741.5) ou un intervalle (800-899)."))
        seen[theme.id] = position
        themes.append(theme)
    known_elsewhere = set(other_ids)
    for theme in themes:  # a misspelt rival would silently stop deciding the series-only matches
        unknown = [r for r in theme.rivals if r not in seen and r not in known_elsewhere]
        if unknown:
            errors.append(InputError(
                f"thème rival inconnu : {', '.join(unknown)}.", where=f"thème « {theme.id} », champ rivals",
                field="rivals", fix="Donnez l'identifiant d'un autre thème du fichier."))
    if len(errors) == 1:
        only = errors[0]
        raise InputError(only.message, file=label, where=only.where, fix=only.fix, field=only.field)
    if errors:
        raise InputErrors(errors, file=label)
    return themes


def _valid_dewey(text: str) -> bool:
    from outreach.themes.dewey import parse_range

    return parse_range(text) is not None


def load_themes(path: str | Path | None = None, *, data: bytes | str | None = None,
                name: str | None = None) -> list[Theme]:
    """Themes from a YAML file (default `data/themes.yaml`) or from uploaded text."""
    source = Path(path) if path is not None else themes_path()
    label = name or str(source)
    raw = read_yaml(source) if data is None else parse_yaml(data, file=label)
    return parse_themes(raw, label)


THEMES_HEADER = """\
# Interest themes of the library network: edit freely (or in the app, page « Thèmes »), then check with
# `outreach themes list`.
#
# Each theme ties an interest that people state on Meta to the ways a catalogue or an agenda reveals it:
#   meta_interests  names of Meta interests; `id` and `resolved_at` are filled once resolved through the API
#   keywords   French words or phrases looked for in titles, series, summaries and event texts
#              (accents, case and plurals do not matter; a phrase matches whole words only)
#   rameau     RAMEAU subject headings (UNIMARC 606): a heading matches when it begins with the term
#   dewey      Dewey classes: "741.5" = that class and everything under it; "800-899" = an inclusive range
#   genres     genre/form terms (UNIMARC 608) and collection labels of the library system (Koha), compared
#              whole, accents and case aside
#   series     publishers' series devoted to the theme ("Folio SF", "Série noire")
#   rivals     themes sharing the same publishers' series: a match resting on a series alone yields to a
#              rival described by the work itself
#   exclude    words that cancel a clue found in the same field (within a few words in a summary)
#   hashtags   per network: facebook, instagram, x, mastodon, youtube, blog
#   sensitivity  none | flag | block, after the GDPR checklist (SEN-02 block list, SEN-03 flag list):
#              "flag" themes may be promoted, but with broad targeting and no interest criteria
#   kind       collection | event | both: what the theme is matched against
#   copy_noun  how the ad copy names the matched titles after their number ("312 titres de science-fiction");
#              it must stay true whatever the mix of books, films and records it counts
#   special_ad_category  EMPLOYMENT (or HOUSING, CREDIT) when Meta puts ads about the theme in a special ad
#              category: the theme is then planned in a campaign of its own, under that category's rules

"""


class _ThemesDumper(yaml.SafeDumper):
    """Lists of plain values on one line (wrapped), as a person would write them."""


def _represent_list(dumper: yaml.SafeDumper, data: list):
    flow = all(isinstance(v, str | int | float) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_ThemesDumper.add_representer(list, _represent_list)


def dump_themes(themes: list[Theme], *, header: bool = True) -> str:
    """YAML text of the themes with the explanatory header (used to save the file and by the app's editor)."""
    entries = [t.model_dump(mode="json", exclude_none=True) for t in themes]
    body = yaml.dump({"themes": entries}, Dumper=_ThemesDumper, allow_unicode=True, sort_keys=False, width=110)
    return (THEMES_HEADER if header else "") + body


def replace_theme(themes: list[Theme], theme_id: str, edited_yaml: str) -> list[Theme]:
    """The catalogue with theme `theme_id` replaced by the one theme the YAML text describes (the Thèmes page's
    edit box): one theme at a time, under an id no other theme has."""
    label = "thème modifié"
    entries = parse_yaml(edited_yaml, file=label)
    others = [t.id for t in themes if t.id != theme_id]
    parsed = parse_themes(entries if isinstance(entries, list) else [entries], label, other_ids=others + [theme_id])
    if len(parsed) != 1:
        raise InputError(f"{len(parsed)} thèmes dans la zone de modification.", file=label,
                         fix="Modifiez un seul thème à la fois ; ajoutez les autres au fichier des thèmes.")
    [new] = parsed
    if new.id in others:
        raise InputError(f"l'identifiant « {new.id} » est déjà pris.", file=label, field="id",
                         fix="Choisissez un identifiant qu'aucun autre thème n'a.")
    return [new if t.id == theme_id else t for t in themes]


def save_themes(themes: list[Theme], path: str | Path | None = None) -> Path:
    """Write the themes atomically after checking that they read back identically."""
    target = Path(path) if path is not None else themes_path()
    text = dump_themes(themes)
    parse_themes(yaml.safe_load(text), str(target))
    atomic.write_text(target, text)
    return target


def with_resolved_interests(themes: list[Theme], resolved: dict[str, str], when: date) -> list[Theme]:
    """Themes whose Meta interests named in `resolved` (name → Meta id) get that id and the date.

    Names are compared case-insensitively; an interest already resolved to the same id keeps its date, so
    that the file only changes when Meta's answer does. Unknown names are left unresolved.
    """
    by_name = {name.casefold(): interest_id for name, interest_id in resolved.items()}
    out = []
    for theme in themes:
        interests = []
        for interest in theme.meta_interests:
            new_id = by_name.get(interest.name.casefold())
            if new_id and new_id != interest.id:
                interest = interest.model_copy(update={"id": new_id, "resolved_at": when})
            interests.append(interest)
        out.append(theme.model_copy(update={"meta_interests": interests}))
    return out
