"""Measuring the matcher against a library's own shelving: precision and recall of one theme.

The ground truth is what librarians decided: a record belongs to the theme when one of its copies is in
one of the given collections (Koha 995$h codes). The measure is taken within a universe of records — e.g.
the adult fiction shelves, where a science-fiction novel could have been put — since a collection of
novels says nothing about films or comics, which the library shelves elsewhere whatever their genre.
`ignore` leaves fields out of the matching: without the collection labels, the figure is not circular.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from outreach.model import CatalogueItem, Theme
from outreach.themes.matching import compile_themes, match_items


@dataclass
class Quality:
    theme_id: str
    universe: int
    truth: int
    found: int
    true_positives: int
    false_positives: list[CatalogueItem] = field(default_factory=list)
    false_negatives: list[CatalogueItem] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.true_positives / self.found if self.found else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.truth if self.truth else 0.0


def in_collections(codes: Iterable[str]) -> Callable[[CatalogueItem], bool]:
    wanted = set(codes)
    return lambda item: bool(wanted & set(item.extra.get("collection_codes", ())))


def collection_prefix(*prefixes: str) -> Callable[[CatalogueItem], bool]:
    return lambda item: any(c.startswith(prefixes) for c in item.extra.get("collection_codes", ()))


def measure(items: Sequence[CatalogueItem], themes: Sequence[Theme], theme_id: str,
            truth: Callable[[CatalogueItem], bool], universe: Callable[[CatalogueItem], bool] = lambda i: True,
            ignore: Iterable[str] = ()) -> Quality:
    pool = [i for i in items if universe(i)]
    # matched over the whole file: an author's or a series' works outside the universe are clues to those inside
    inside = {i.id for i in pool}
    matched = {m.item_id for m in match_items(items, compile_themes(themes), ignore=ignore)
               if m.theme_id == theme_id and m.item_id in inside}
    positives = [i for i in pool if truth(i)]
    tp = sum(1 for i in positives if i.id in matched)
    return Quality(theme_id, len(pool), len(positives), len(matched), tp,
                   false_positives=[i for i in pool if i.id in matched and not truth(i)],
                   false_negatives=[i for i in positives if i.id not in matched])


def counts_per_theme(items: Sequence[CatalogueItem], themes: Sequence[Theme],
                     ignore: Iterable[str] = ()) -> Counter:
    """Number of distinct records matched by each theme."""
    pairs = {(m.theme_id, m.item_id) for m in match_items(items, compile_themes(themes), ignore=ignore)}
    return Counter(theme for theme, _ in pairs)


# ---------------------------------------------------------------- the labelled set of real public data
# Truth per theme from the Médiathèque de Roubaix's own collections (Koha 995$h codes, labels in
# roubaix-koha-authorised-values.csv). A manga is a comic: the manga shelves count for both themes.
ROUBAIX_TRUTH = {
    "science-fiction": ("ALTIGSF",),
    "fantasy": ("ALTIGFA",),
    "polar": ("ALTROPL", "JROPLZZ"),
    "manga": ("JBDMGZZ", "AAPBDMG"),
    "bande-dessinee": ("JBDZZZZ", "JBDSRZZ", "JBDPFZZ", "JBDMGZZ", "AAPBDZZ", "AAPBDSR", "AAPBDCM", "AAPBDMG"),
    "cinema": ("AAPCIFI", "AAPCITV"),
    "petite-enfance": ("JABPFAF", "JABPFEV"),
}
# Paris' most loaned titles of 2018: the document type is the only label ("Bande dessinée jeunesse"…)
PARIS_BD_TYPES = ("Bande dessinée jeunesse", "Bande dessinée pour adulte")


def held_out(item: CatalogueItem) -> bool:
    """One record in three, by a stable hash of its id, kept out of the tuning of the vocabulary and the
    shelf map: the figures on it are the ones that say how the matcher does on records it was not fitted to."""
    import zlib

    return zlib.crc32(item.id.encode("utf-8")) % 3 == 0
