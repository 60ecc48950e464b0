"""Where catalogue figures come from, and the rule that keeps the demonstration sample's out of ads and posts.

The shipped sample is real Roubaix records spread over four branches of the shipped network for the
demonstration: its counts are true of no branch. Its items carry `extra["demo"]`; a summary built on them
is marked `demo`, the copy and the posts then state no figure, the plan records it and the checklist
flags it. Every page that shows figures says which catalogue they come from (`banner_text`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from outreach.model import CatalogueItem, CatalogueProvenance
from outreach.text import french_date, number
from outreach.themes.large import LargeCatalogue

DEMO_MARK = "demo"
# the most recent loan date in the sample's 995$y: the day the export was, at the latest, taken
SAMPLE_DATE = date(2024, 5, 19)
DEMO_LABEL = ("échantillon de démonstration (notices réelles de la médiathèque de Roubaix, réparties entre "
              "quatre bibliothèques du réseau livré)")


def is_demo(item: CatalogueItem) -> bool:
    return bool(item.extra.get(DEMO_MARK))


def provenance_of(items: Iterable[CatalogueItem], *, label: str = "catalogue chargé",
                  when: date | None = None) -> CatalogueProvenance:
    """The provenance of `items`: the demonstration sample as soon as one of them comes from it."""
    if isinstance(items, LargeCatalogue):  # a harvested store: never the sample, counted without reading it
        return CatalogueProvenance(label=label, records=len(items), as_of=when, demo=False)
    items = list(items)
    if any(is_demo(i) for i in items):
        return CatalogueProvenance(label=DEMO_LABEL, records=len(items), as_of=SAMPLE_DATE, demo=True)
    return CatalogueProvenance(label=label, records=len(items), as_of=when, demo=False)


def _records(n: int) -> str:
    return number(n) + (" notice" if n == 1 else " notices")


def banner_text(p: CatalogueProvenance) -> str:
    """The French line shown above figures: which catalogue, its date, its record count."""
    when = f" du {french_date(p.as_of)}" if p.as_of else ""
    if p.demo:
        return (f"Chiffres issus de l'{p.label}{when}, {_records(p.records)} : ils illustrent l'outil et ne "
                "décrivent aucune de vos bibliothèques. Les annonces et les publications n'en citent aucun ; "
                "chargez le catalogue de vos bibliothèques (page Thèmes, onglet « Vos fichiers »).")
    return f"Chiffres issus du {p.label}{when}, {_records(p.records)}."
