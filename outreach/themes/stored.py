"""A harvested store as the catalogue in force, without reading every item.

Reading a store of 500,000 records whole (`read_store`) builds 500,000 `CatalogueItem`s: about 20 s of CPU
and 3 GB, in every process that plans. What the plans, posts, recommendations and the Thèmes page need is
much less: the theme summaries per branch (works counted, the most loaned ones), the matched rows, the
branches that hold something and the owner codes. The store keeps, beside each item, its matches under the
themes in force and the few fields those need (`outreach.themes.store_matching`). `stored_catalogue` makes
the missing ones (items harvested before, or under other themes), then reads only:

- the rows with a match, as light `StoredRow`s (id, branch, title, loans, year, author and series keys);
- the rows without match whose author or series has a strongly matched work: they may take its theme
  (`outreach.themes.kinship`), whichever themes a plan chooses;
- whole, the rows that may be one work with another row of their branch (same ISBN, or same title and
  author: `outreach.themes.works`), merged into works as when the items are read whole;

and counts the records and owner codes in SQL. The items of the few works a summary names are read when it
is made.

Why the results are those of the items read whole: a theme's matches of an item do not depend on the other
themes compiled beside it (a theme's rivals are always consulted), so the matches kept under every theme,
restricted to a plan's themes, are what that plan's matching gives; kinship is made again for each choice of
themes, over rows that hold every strongly matched work and every work that may take a theme from one. When
a plan's themes are not the ones the matches were kept under (edited since), or the shelf map has changed,
the items are read whole and matched as before.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

from pydantic import TypeAdapter

from outreach.model import CatalogueItem, LibraryEvent, Theme, ThemeSummary
from outreach.themes.kinship import STRONG, author_key, series_key, spread
from outreach.themes.large import LargeCatalogue, RowMatch
from outreach.themes.store_matching import StoreMatcher, match_missing
from outreach.themes.summary import summarise, summarise_matches
from outreach.themes.works import merge_works

OWNER = "owner_code"  # in an item's extra: the library system's owner code, when the settings placed it
_ITEMS = TypeAdapter(list[CatalogueItem])
_NO_EXTRA: dict = {}


@dataclass(slots=True)
class StoredRow:
    """What summaries and kinship read of a stored item: the item itself is read only when shown."""

    identifier: str  # the store's key (the OAI identifier)
    id: str
    branch_id: str  # placed in the network's branches
    title: str
    loans: int | None
    year: int | None
    author_key: str
    series_key: str
    found_json: str  # its kept matches as the store has them: their reasons are decoded only when shown

    @property
    def extra(self) -> dict:  # a harvested item is never the demonstration sample's (`is_demo`)
        return _NO_EXTRA


def placed(item: CatalogueItem, mapping: dict[str, str]) -> CatalogueItem:
    """The item in the branch its owner code is placed in by the settings, the code kept in its extra."""
    branch = mapping.get(item.branch_id)
    if not branch:
        return item
    return item.model_copy(update={"branch_id": branch, "extra": {**item.extra, OWNER: item.branch_id}})


class Found(NamedTuple):
    """A kept match of a row ([theme, score, reason] in the store): what summaries and kinship read of a
    ThemeMatch, made by the hundred thousand (a model each would cost seconds)."""

    theme_id: str
    score: float
    reason: str


def _found(found_json: str) -> list[Found]:
    return [Found(*m) for m in json.loads(found_json)] if found_json != "[]" else []


# a kept match's theme and score, as `StoreMatcher` writes them (json.dumps: `["polar", 0.9, "…"]`); inside a
# reason a quote is escaped, so the pattern never starts there
_HIT = re.compile(r'\["([a-z0-9-]+)", (\d+(?:\.\d+)?), "')


def _hits(found_json: str) -> list[Found]:
    """The themes and scores of kept matches, their reasons left in the JSON: decoding every matched row's
    reasons took most of the time of reading a large store."""
    if found_json == "[]":
        return []
    hits = _HIT.findall(found_json)
    if len(hits) != found_json.count('["'):  # each match, and only a match, opens with `["`: should the pattern
        return _found(found_json)  # miss one, the JSON is decoded
    return [Found(theme, float(score), "") for theme, score in hits]


class StoredCatalogue(LargeCatalogue):
    """See the module doc. Its rows and works are in identifier order, as `read_store` gives the items."""

    def __init__(self, path: Path, matcher: StoreMatcher, mapping: dict[str, str], records: int,
                 codes: dict[str, int], rows: list, found: list[list[Found]], stamp: str):
        self.path, self.matcher, self.mapping = path, matcher, dict(mapping)
        self.records, self.codes, self._stamp = records, Counter(codes), stamp
        self.rows, self.found = rows, found  # StoredRow or (a row that may share its work) CatalogueItem
        self.keys = [(r.author_key, r.series_key) if isinstance(r, StoredRow) else (author_key(r), series_key(r))
                     for r in rows]
        self.works, self.work_found, self.work_keys = self._works()

    def _works(self) -> tuple[list, list[list[Found]], list[tuple[str, str]]]:
        """The works, in the order of their first row: light rows alone, whole rows merged (`merge_works`)."""
        whole = [i for i, r in enumerate(self.rows) if not isinstance(r, StoredRow)]
        at, fresh_found = _merged_works([self.rows[i] for i in whole], self.matcher)
        at = {whole[h]: w for h, w in at.items()}
        works, found, keys = [], [], []
        for i, row in enumerate(self.rows):
            if isinstance(row, StoredRow):
                works.append(row)
                found.append(self.found[i])
                keys.append(self.keys[i])
            elif i in at:
                work = at[i]
                works.append(work)
                found.append(self.found[i] if work is row else fresh_found[id(work)])
                keys.append(self.keys[i] if work is row else (author_key(work), series_key(work)))
        return works, found, keys

    # ------------------------------------------------------------------ LargeCatalogue

    @property
    def version(self) -> str:
        return f"{self.path}|{self._stamp}|{self.matcher.key}|{sorted(self.mapping.items())}"

    def __len__(self) -> int:
        return self.records

    def __getitem__(self, index):
        return self._whole[index]

    def __iter__(self):
        return iter(self._whole)

    @cached_property
    def _whole(self) -> list[CatalogueItem]:
        """Every item, placed: only for a consumer that really needs each one (or themes edited since)."""
        from outreach.sources.harvest_store import all_items_json, store_reader

        with store_reader(self.path) as db:
            items = _ITEMS.validate_json("[" + ",".join(all_items_json(db)) + "]")
        return [placed(i, self.mapping) for i in items]

    def branch_ids(self) -> set[str]:
        return {self.mapping.get(code) or code for code in self.codes}

    def owner_counts(self) -> Counter:
        return Counter(self.codes)

    def _kept_for(self, themes: Sequence[Theme]) -> set[str] | None:
        """The ids of `themes` (event themes aside) when their matches are those kept, else None."""
        from outreach.themes.catalogue import shipped_themes
        from outreach.themes.shelves import load_shelf_map

        if load_shelf_map() != self.matcher.shelf_map:
            return None
        kept = {t.id: t for t in self.matcher.themes[:self.matcher.reported]}
        chosen = [t for t in themes if t.kind != "event"]
        ids = {t.id for t in chosen}
        rivals = {r for t in chosen for r in t.rivals} - ids
        # rivals missing from the themes are consulted as the themes file has them (`compile_themes`)
        consulted = [*chosen, *(t for t in shipped_themes() if t.id in rivals)] if rivals else chosen
        if any(kept.get(t.id) != t for t in consulted):
            return None
        return ids

    def summarise(self, events: Iterable[LibraryEvent], themes: Sequence[Theme], branches: Iterable, today: date, *,
                  top: int, next_events: int) -> dict[tuple[str, str], ThemeSummary]:
        ids = self._kept_for(themes)
        if ids is None:
            return summarise(self._whole, events, themes, branches, today, top=top, next_events=next_events)
        per_work = [[m for m in found if m.theme_id in ids] for found in self.work_found]
        spread(self.works, per_work, keys=self.work_keys)
        return summarise_matches(self.works, per_work, events, themes, branches, today, top=top,
                                 next_events=next_events, complete=self.items_of)

    def matched_rows(self, themes: Sequence[Theme]) -> tuple[list, list[RowMatch]]:
        ids = self._kept_for(themes)
        if ids is None:
            from outreach.themes.matching import match_items

            matches = [RowMatch(m.item_id, m.theme_id, m.score, m.reason) for m in match_items(self._whole, themes)]
            matched = {m.item_id for m in matches}
            return [i for i in self._whole if i.id in matched], matches
        per_row = [[m for m in found if m.theme_id in ids] for found in self.found]
        spread(self.rows, per_row, keys=self.keys)
        out = []
        for row, found in zip(self.rows, per_row, strict=True):
            if found and isinstance(row, StoredRow) and isinstance(found[0], Found):  # reasons still in the JSON
                reasons = {theme: reason for theme, _, reason in json.loads(row.found_json)}
                found = [m._replace(reason=reasons[m.theme_id]) for m in found]
            out += [RowMatch(row.id, m.theme_id, m.score, m.reason) for m in found]
        return [r for r, found in zip(self.rows, per_row, strict=True) if found], out

    def items_of(self, rows: list) -> list[CatalogueItem]:
        from outreach.sources.harvest_store import items_json, store_reader

        light = [r.identifier for r in rows if isinstance(r, StoredRow)]
        if not light:
            return list(rows)
        with store_reader(self.path) as db:
            found = items_json(db, light)
        items = dict(zip(found, _ITEMS.validate_json("[" + ",".join(found.values()) + "]"), strict=True))
        return [placed(items[r.identifier], self.mapping) if isinstance(r, StoredRow) else r for r in rows]


def stored_catalogue(path: Path, *, label: str, mapping: dict[str, str], themes: Sequence[Theme] | None = None,
                     workers: int | None = None) -> StoredCatalogue:
    """The store at `path` as the catalogue in force (owner codes placed by `mapping`); the items whose
    matches are not kept under the themes in force are matched first and their matches kept (on `workers`
    processes, every core by default). InputError for an empty or unreadable store."""
    from outreach.sources.harvest_store import (
        branch_code_counts,
        kept_count,
        kin_rows,
        last_harvest_of_store,
        matched_rows,
        refuse_empty_store,
        store_reader,
        store_size,
        work_sharers,
    )
    from outreach.themes.catalogue import shipped_themes

    matcher = StoreMatcher(list(themes) if themes is not None else list(shipped_themes()))
    with store_reader(path) as db:
        records = store_size(db)
    refuse_empty_store(records, label)
    missing = records - kept_count(path, matcher.key)
    if missing:
        match_missing(path, matcher, workers=1 if missing < 20_000 else workers)
    with store_reader(path) as db:
        last = last_harvest_of_store(db)
        codes = branch_code_counts(db, matcher.key)
        whole = _whole_rows(db, work_sharers(db, matcher.key, mapping), mapping)
        light = [_light(row, mapping) for row in matched_rows(db, matcher.key) if row[0] not in whole]
        # the works without match that may take the theme of a strongly matched work of their author or series
        # (one merged from rows read whole may be strongly matched where none of its rows is)
        authors, series = _strong_keys(light, list(whole.values()), matcher)
        light += [_light(row, mapping) for row in kin_rows(db, matcher.key, authors, series) if row[0] not in whole]
    rows = light + list(whole.values())
    rows.sort(key=lambda r: r[0])
    return StoredCatalogue(Path(path), matcher, mapping, records, codes, [r for _, r, _ in rows],
                           [f for _, _, f in rows], _stamp(Path(path), last))


def _merged_works(items: list[CatalogueItem], matcher: StoreMatcher) -> tuple[dict[int, CatalogueItem], dict]:
    """The works of rows read whole, by the position of their first row, and the matches (under `matcher`) of
    those merged from several rows, by `id()` of the work."""
    heads: list[int] = []
    merged = merge_works(items, heads=heads)
    works = dict(zip(heads, merged, strict=True))
    fresh = [w for h, w in works.items() if w is not items[h]]
    found = [[Found(m.theme_id, m.score, m.reason) for m in matches] for matches in matcher.found(fresh)]
    return works, dict(zip(map(id, fresh), found, strict=True))


def _strong_keys(light: list[tuple], whole: list[tuple], matcher: StoreMatcher) -> tuple[set[str], set[str]]:
    """The author and series keys of the light rows, the rows read whole and their merged works strongly
    matched under every theme: whichever themes are chosen, the works strongly matched are among these, so
    the works that may take their theme are those without match that share one of these keys."""
    authors, series = set(), set()

    def observe(author: str, serie: str, found: list) -> None:
        if any(m.score >= STRONG for m in found):
            authors.add(author)
            series.add(serie)

    for _, row, found in light:
        observe(row.author_key, row.series_key, found)
    for _, item, found in whole:
        observe(author_key(item), series_key(item), found)
    works, fresh_found = _merged_works([item for _, item, _ in whole], matcher)
    for work in works.values():
        if id(work) in fresh_found:
            observe(author_key(work), series_key(work), fresh_found[id(work)])
    return authors - {""}, series - {""}


def _light(row: tuple, mapping: dict[str, str]) -> tuple[str, StoredRow, list[Found]]:
    identifier, item_id, found, author, series, title, code, loans, year = row
    return identifier, StoredRow(identifier, item_id, mapping.get(code) or code, title, loans, year, author,
                                 series, found), _hits(found)


def _whole_rows(db, identifiers: set[str], mapping: dict[str, str]) -> dict[str, tuple[str, CatalogueItem, str]]:
    """identifier → (identifier, item placed, kept matches JSON) of the rows read whole."""
    if not identifiers:
        return {}
    from outreach.sources.harvest_store import items_json, kept_found

    texts = items_json(db, sorted(identifiers))
    items = _ITEMS.validate_json("[" + ",".join(texts.values()) + "]")
    found = kept_found(db, list(texts))
    return {identifier: (identifier, placed(item, mapping), _found(found[identifier]))
            for identifier, item in zip(texts, items, strict=True)}


def _stamp(path: Path, last) -> str:
    """What changes when the store's items do: its last harvest and its files' sizes and dates."""
    parts = [str(last)]
    for p in (path, path.with_name(path.name + "-wal")):
        try:
            st = p.stat()
            parts.append(f"{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            parts.append("-")
    return "|".join(parts)
