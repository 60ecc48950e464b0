"""A catalogue too large to hold as items: the interface of a harvested store used as the catalogue in force.

The catalogue in force is most often a list of `CatalogueItem`s (the files kept on the Thèmes page). A harvested
network of 500,000 records would be 3 GB of items in each process, read in 20 s: `outreach.themes.stored`
answers instead, from the matches the store keeps, what the plans, posts, recommendations and the Thèmes page
ask of a catalogue. The functions that take a catalogue's items (`summarise`, `provenance_of`, the planner, the
recommendations) ask a `LargeCatalogue` first; as a sequence, it reads every item (slowly), for a consumer that
really needs each one.
"""

from __future__ import annotations

from abc import abstractmethod
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from typing import NamedTuple

from outreach.model import CatalogueItem, LibraryEvent, Theme, ThemeSummary


class RowMatch(NamedTuple):
    """A ThemeMatch's fields, without the model: a large catalogue's matched rows are many."""

    item_id: str
    theme_id: str
    score: float
    reason: str


class LargeCatalogue(Sequence):
    """A catalogue that summarises itself; `len` is its record count, its items are read only when iterated."""

    demo = False  # a harvested catalogue is never the demonstration sample

    @property
    @abstractmethod
    def version(self) -> str:
        """A key that changes whenever the catalogue's items, their placement or the kept matches would."""

    @abstractmethod
    def summarise(self, events: Iterable[LibraryEvent], themes: Sequence[Theme], branches: Iterable, today: date, *,
                  top: int, next_events: int) -> dict[tuple[str, str], ThemeSummary]:
        """What `outreach.themes.summary.summarise` gives for the same items read whole."""

    @abstractmethod
    def branch_ids(self) -> set[str]:
        """The branch ids of the items ("" for items without branch), as read whole."""

    @abstractmethod
    def owner_counts(self) -> Counter:
        """Records per owner code of the library system (before the settings place them in branches)."""

    @abstractmethod
    def matched_rows(self, themes: Sequence[Theme]) -> tuple[list, list[RowMatch]]:
        """The rows that have a match and every match, as `match_items` gives them for the items read whole
        (kinship included); a row has the `id`, `branch_id`, `title`, `loans` and `year` of its item
        (`items_of` reads the rest)."""

    @abstractmethod
    def items_of(self, rows: list) -> list[CatalogueItem]:
        """The items of rows given by `matched_rows`, in their order."""


def as_items(items: Iterable[CatalogueItem] | None):
    """Items to read more than once: a list, unless a large catalogue (which is never read whole for that)."""
    if items is None or isinstance(items, LargeCatalogue):
        return items
    return list(items)


def held_branches(items: Iterable[CatalogueItem]) -> set[str]:
    """The branch ids of a catalogue's items."""
    if isinstance(items, LargeCatalogue):
        return items.branch_ids()
    return {i.branch_id for i in items}


def owner_code_counts(items: Iterable[CatalogueItem], owner_key: str) -> Counter:
    """Records per owner code: the code the settings placed (kept in `extra[owner_key]`), else the branch id."""
    if isinstance(items, LargeCatalogue):
        return items.owner_counts()
    return Counter(i.extra.get(owner_key, i.branch_id) for i in items)
