"""The theme editor form of the Thèmes page: a theme as form fields (one value per line) and back.

Whatever the form gives goes through the same validation as the themes file (`parse_themes`), so that a
mistake gets the same French message naming the theme and the field; Meta interests keep the id Meta gave
them while their name is unchanged (an unchanged interest needs no new look-up).
"""

from __future__ import annotations

from collections.abc import Iterable

from outreach.model import NETWORKS, Theme
from outreach.themes.catalogue import parse_themes

# list fields of a theme, in the order and with the French labels of the form
LIST_FIELDS = {
    "keywords": "Mots-clés (un par ligne)",
    "rameau": "Vedettes RAMEAU (une par ligne)",
    "dewey": "Indices Dewey (un par ligne : « 741.5 » ou « 800-899 »)",
    "genres": "Genres, collections et rayons du catalogue (un par ligne)",
    "series": "Collections éditoriales (une par ligne)",
    "exclude": "Mots qui annulent un indice (un par ligne)",
}
SENSITIVITIES = {"none": "aucune", "flag": "à surveiller (ciblage large, sans centre d'intérêt)",
                 "block": "interdit au ciblage"}
EDITOR_SOURCE = "formulaire du thème"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def to_form(theme: Theme) -> dict[str, str]:
    """The form's values for a theme: plain text, lists one item per line, hashtags per network."""
    form = {"label": theme.label, "description": theme.description, "sensitivity": theme.sensitivity,
            "meta_interests": "\n".join(i.name for i in theme.meta_interests)}
    form |= {key: "\n".join(getattr(theme, key)) for key in LIST_FIELDS}
    # hashtags are separated by spaces; the blog's tags may hold spaces, so commas separate them
    form |= {f"hashtags_{n}": (", " if n == "blog" else " ").join(theme.hashtags.get(n, [])) for n in NETWORKS}
    return form


def from_form(theme: Theme, form: dict[str, str], other_ids: Iterable[str] = ()) -> Theme:
    """The theme with the form's values, validated as the themes file is (InputError naming the field)."""
    raw = theme.model_dump(mode="json", exclude_none=True)
    raw["label"] = form.get("label", "").strip()
    raw["description"] = form.get("description", "").strip()
    raw["sensitivity"] = form.get("sensitivity", theme.sensitivity)
    for key in LIST_FIELDS:
        raw[key] = _lines(form.get(key, ""))
    known = {i.name.casefold(): i.model_dump(mode="json", exclude_none=True) for i in theme.meta_interests}
    raw["meta_interests"] = [known.get(name.casefold(), {"name": name}) for name in _lines(form.get("meta_interests"))]
    hashtags = {}
    for network in NETWORKS:
        text = form.get(f"hashtags_{network}", "")
        if network == "blog":  # WordPress tags: written without #, separated by commas
            tags = [t.strip() for t in text.split(",") if t.strip()]
        else:
            tags = [t if t.startswith("#") else f"#{t}" for t in text.split()]
        if tags:
            hashtags[network] = tags
    raw["hashtags"] = hashtags
    [edited] = parse_themes([raw], EDITOR_SOURCE, other_ids=[i for i in other_ids if i != theme.id])
    return edited
