"""Coverage: how many records of a file carry any clue the matcher can use, and a warning when few do.

A record carries a clue when it has a subject heading, a genre, a Dewey number, a publisher's series, a
collection label, or a call number or shelf code that the shelf map knows. A plain CSV export often has
none of these but the call number: until its codes are mapped, the figures per theme stay low, and the
officer is told so, with what to do, on the Thèmes page and on `outreach themes match`'s stderr.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from outreach.model import CatalogueItem, Theme, ThemeMatch
from outreach.themes import shelves

LOW_SHARE = 0.5  # below half of the records with a clue, the figures per theme are low
UNMAPPED_SHARE = 0.5  # half of the records have a call number or shelf code the map does not know


@dataclass
class Coverage:
    records: int
    with_clue: int
    by_clue: Counter = field(default_factory=Counter)  # clue kind → records carrying it
    with_shelving: int = 0  # records with a call number or a shelf code
    shelving_mapped: int = 0  # … of which the shelf map knows one
    per_theme: Counter = field(default_factory=Counter)  # theme id → records matched

    @property
    def share(self) -> float:
        return self.with_clue / self.records if self.records else 0.0


CLUE_NAMES = {"subject": "sujet", "genre": "genre", "dewey": "Dewey", "series": "collection éditoriale",
              "collection": "collection", "shelf": "cote ou rayon reconnu"}


def _clues(item: CatalogueItem) -> set[str]:
    """The clue kinds of an item, the shelf codes aside (they count when the shelf map knows one)."""
    found = set()
    if item.subjects:
        found.add("subject")
    if item.genres:
        found.add("genre")
    if item.dewey:
        found.add("dewey")
    if item.extra.get("series"):
        found.add("series")
    if item.extra.get("collections"):
        found.add("collection")
    return found


def measure_coverage(items: Sequence[CatalogueItem], matches: Sequence[ThemeMatch],
                     shelf_map: dict[str, list[str]] | None = None) -> Coverage:
    return _measure(((shelves.shelf_values(i), _clues(i)) for i in items), matches, shelf_map)


def measure_store_coverage(path: str | Path, matches: Iterable, shelf_map: dict[str, list[str]] | None = None
                           ) -> Coverage:
    """`measure_coverage` of a harvested store's items, read by SQLite without building them (a store of
    500,000 records read whole takes 30 s and 4 GB); `matches` are (item id, theme id, …) tuples."""
    from outreach.sources.harvest_store import coverage_rows

    def entries():
        for values in coverage_rows(path):
            # in the order of harvest_store.COVERAGE_FIELDS
            subjects, genres, dewey, series, collections, calls, shelved = json.loads(values)
            clues = {kind for kind, value in (("subject", subjects), ("genre", genres), ("dewey", dewey),
                                              ("series", series), ("collection", collections)) if value}
            yield [*(calls or ()), *(shelved or ())], clues

    return _measure(entries(), matches, shelf_map)


def _measure(entries: Iterable[tuple[list[str], set[str]]], matches: Iterable,
             shelf_map: dict[str, list[str]] | None) -> Coverage:
    """Coverage of (shelf values, other clue kinds) per record, and of the matches (ThemeMatch or tuples)."""
    entries_map = shelves.load_shelf_map() if shelf_map is None else shelf_map
    known = {shelves.code_words(code) for code, ids in entries_map.items() if ids}
    is_mapped: dict[str, bool] = {}  # per value: call numbers and shelf codes repeat from record to record
    cov = Coverage(records=0, with_clue=0)
    for values, clues in entries:
        cov.records += 1
        mapped = False
        for v in values:
            known_here = is_mapped.get(v)
            if known_here is None:
                known_here = is_mapped[v] = bool(shelves.find_code(shelves.code_words(v), known))
            if known_here:
                mapped = True
                break
        if values:
            cov.with_shelving += 1
            cov.shelving_mapped += mapped
        if mapped:
            clues = clues | {"shelf"}
        cov.by_clue.update(clues)
        cov.with_clue += bool(clues)
    pairs = {(m.theme_id, m.item_id) if isinstance(m, ThemeMatch) else (m[1], m[0]) for m in matches}
    for theme_id, _ in pairs:
        cov.per_theme[theme_id] += 1
    return cov


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole) if whole else 0} %"


def summary_line(cov: Coverage, label: str) -> str:
    kinds = ", ".join(f"{CLUE_NAMES[k]} {n}" for k, n in cov.by_clue.most_common())
    return (f"{label} : {cov.with_clue} notice(s) sur {cov.records} ({_percent(cov.with_clue, cov.records)}) "
            f"portent un indice de thème" + (f" ({kinds})" if kinds else "") + ".")


def theme_line(cov: Coverage, themes: Sequence[Theme]) -> str:
    labels = {t.id: t.label for t in themes}
    found = [f"{labels.get(t, t)} {n}" for t, n in sorted(cov.per_theme.items(), key=lambda kv: (-kv[1], kv[0]))]
    return "Notices par thème : " + ("; ".join(found) if found else "aucune") + "."


def warnings(cov: Coverage, label: str) -> list[str]:
    """French warnings, each with what to do, when the figures per theme will be low."""
    out = []
    if cov.records and cov.share < LOW_SHARE:
        out.append(
            f"{label} : seules {_percent(cov.with_clue, cov.records)} des notices portent un indice de thème "
            "(sujet, genre, Dewey, collection, cote reconnue) : les chiffres par thème seront bas et "
            "sous-estimeront vos collections. "
            + ("Associez vos cotes et rayons aux thèmes (page Thèmes, onglet « Cotes et rayons », ou le fichier "
               "shelf-map.yaml à côté des réglages du réseau)."
               if cov.with_shelving else
               "Exportez le catalogue avec les cotes, sections ou catégories des exemplaires, ou avec les sujets "
               "et genres des notices."))
    elif cov.with_shelving and cov.shelving_mapped < (1 - UNMAPPED_SHARE) * cov.with_shelving:
        out.append(
            f"{label} : {cov.with_shelving - cov.shelving_mapped} notice(s) ont une cote ou un rayon que la carte "
            "des cotes ne connaît pas : associez vos codes les plus fréquents aux thèmes (page Thèmes, onglet "
            "« Cotes et rayons »).")
    return out

