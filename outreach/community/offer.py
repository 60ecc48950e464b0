"""What the questionnaire offers and where an answer lands: the themes shown, the postcode's branch.

Only themes of sensitivity "none" are ever offered (SEN-04): a "flag" theme (large print, FLE…) may be
promoted, never asked about, because an answer would reveal Art. 9 data.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from outreach.community.config import QuestionnaireConfig
from outreach.errors import InputError
from outreach.model import Area, Branch, Theme
from outreach.territory import BranchIndex


@dataclass(frozen=True)
class Offer:
    themes: tuple[Theme, ...]

    @cached_property
    def ids(self) -> frozenset[str]:
        return frozenset(t.id for t in self.themes)

    def label(self, theme_id: str) -> str:
        return next((t.label for t in self.themes if t.id == theme_id), theme_id)

    def as_json(self) -> list[dict]:
        return [{"id": t.id, "label": t.label, "description": t.description} for t in self.themes]


def build_offer(themes: list[Theme] | tuple[Theme, ...], config: QuestionnaireConfig) -> Offer:
    """The offered themes, in catalogue order; a configured id that is unknown or sensitive is an error."""
    by_id = {t.id: t for t in themes}
    if not config.offered_themes:
        return Offer(tuple(t for t in themes if t.sensitivity == "none"))
    chosen = []
    for position, theme_id in enumerate(config.offered_themes):
        theme = by_id.get(theme_id)
        if theme is None:
            raise InputError(f"le thème « {theme_id} » n'existe pas dans le catalogue des thèmes.",
                             where=f"offered_themes[{position}]", field="offered_themes",
                             fix="Choisissez un thème de la liste ou laissez la liste vide (tous les thèmes non sensibles).")
        if theme.sensitivity != "none":
            raise InputError(f"le thème « {theme.label} » est sensible ({theme.sensitivity}) : il révélerait des "
                             "données de santé, de religion, d'opinion ou d'origine (RGPD art. 9).",
                             where=f"offered_themes[{position}]", field="offered_themes",
                             fix="Retirez-le du questionnaire (règle SEN-04).")
        chosen.append(theme)
    return Offer(tuple(chosen))


@dataclass(frozen=True)
class Placement:
    postcode: str
    area_code: str
    area_name: str
    branch_id: str
    branch_name: str
    distance_km: float


class PostcodeResolver:
    """Postcode → area → nearest open branch, exact (the territory engine), computed once.

    A postcode shared by several communes goes to the most populous one. Postcodes outside the shipped
    territory are looked up in the national list of communes, lazily, and still get the network's nearest
    branch: a neighbour of the network may join its community.
    """

    def __init__(self, branches: list[Branch] | tuple[Branch, ...], areas: list[Area] | tuple[Area, ...],
                 national: bool = True):
        self.branches = [b for b in branches if b.open_to_public]
        if not self.branches:
            raise InputError("aucune bibliothèque ouverte au public : impossible de rattacher un code postal.")
        self.index = BranchIndex.of(self.branches)
        self.national = national
        self._by_postcode = self._table(areas)
        self._national_by_postcode: dict[str, Placement] | None = None

    def _table(self, areas) -> dict[str, Placement]:
        best: dict[str, Area] = {}
        for area in areas:
            for postcode in area.postcodes:
                current = best.get(postcode)
                if current is None or (area.population or 0) > (current.population or 0):
                    best[postcode] = area
        if not best:
            return {}
        chosen = list(best.items())
        found = self.index.nearest([a.lat for _, a in chosen], [a.lon for _, a in chosen])
        table = {}
        for (postcode, area), i, km in zip(chosen, found.first, found.first_km, strict=True):
            branch = self.branches[int(i)]
            table[postcode] = Placement(postcode, area.code, area.name, branch.id, branch.name, round(float(km), 3))
        return table

    def resolve(self, postcode: str) -> Placement | None:
        found = self._by_postcode.get(postcode)
        if found is None and self.national:
            if self._national_by_postcode is None:
                from outreach.datasets import national_areas

                self._national_by_postcode = self._table(national_areas())
            found = self._national_by_postcode.get(postcode)
        return found

    def branch_name(self, branch_id: str) -> str:
        return next((b.name for b in self.branches if b.id == branch_id), branch_id)
