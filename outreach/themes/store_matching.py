"""Matching a harvested store's items where they are made: in the harvest's workers, kept beside the items.

A harvested record used to be parsed, turned into an item, written as JSON, then read back, decoded and
matched by `match_store`: the matching re-read what the harvest had just held. `StoreMatcher` matches each
page's items in the worker that made them; the store keeps, beside each item, its matches and the keys of
its author and series (for `outreach.themes.kinship`), labelled with the matcher's `key`. `match_store`
then reads those matches, and matches again only the items harvested before, or under other themes, shelf
map, ignored fields or matching rules (the key is a digest of all of them, the rules' source included).

Beside the matches, each row keeps what the catalogue in force needs of every item without reading it
(`outreach.themes.stored`): its branch code, loans and year, and digests of the keys that tie it to the other
rows of its work (`outreach.themes.works`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from hashlib import blake2b
from pathlib import Path

from outreach.model import CatalogueItem, Theme, ThemeMatch
from outreach.themes.kinship import author_key, series_key
from outreach.themes.matching import (
    ITEM_FIELDS,
    KINSHIP_FIELDS,
    CompiledThemes,
    Memo,
    compile_themes,
    item_found,
    match_item,
)
from outreach.themes.works import work_keys

# the code whose change changes the matches: its source is part of the key
_RULES = ("matching.py", "shelves.py", "dewey.py", "kinship.py", "works.py", "store_matching.py", "../text.py")
_COMPILED: dict[str, CompiledThemes] = {}  # key → compiled themes, once per process (forked workers inherit it)
_ITEMS = None  # TypeAdapter(list[CatalogueItem]), made on first use

# item id, key, matches as JSON, author key, series key, title, branch code, loans, year, work keys' digests (JSON)
Matched = tuple[str, str, str, str, str, str, str, int | None, int | None, str]


class StoreMatcher:
    """Picklable: a worker receives the themes and the shelf map, and compiles them once (unless forked
    from the process that made the matcher, which compiled them already)."""

    def __init__(self, themes: Sequence[Theme], *, ignore: Iterable[str] = (),
                 shelf_map: dict[str, list[str]] | None = None):
        from outreach.themes.shelves import load_shelf_map

        skip = frozenset(ignore)
        unknown = skip - set(ITEM_FIELDS) - KINSHIP_FIELDS
        if unknown:
            raise ValueError(f"unknown item fields: {sorted(unknown)}")
        self.ignore = skip - KINSHIP_FIELDS  # kinship is decided when the matches are read, not stored
        self.shelf_map = load_shelf_map() if shelf_map is None else shelf_map
        compiled = compile_themes([t for t in themes if t.kind != "event"], shelf_map=self.shelf_map)
        self.themes, self.reported = compiled.themes, compiled.reported  # rivals consulted included
        self.key = _digest(compiled, self.shelf_map, self.ignore)
        _COMPILED[self.key] = compiled

    def __getstate__(self) -> dict:
        return {"themes": self.themes, "reported": self.reported, "shelf_map": self.shelf_map,
                "ignore": self.ignore, "key": self.key}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    def _compiled(self) -> CompiledThemes:
        found = _COMPILED.get(self.key)
        if found is None:
            found = _COMPILED[self.key] = compile_themes(self.themes[:self.reported],
                                                         referees=self.themes[self.reported:],
                                                         shelf_map=self.shelf_map)
        return found

    def __call__(self, items: list[CatalogueItem]) -> list[Matched]:
        """For each item (a CatalogueItem, or any object with its attributes: a harvest's item fields): its id,
        this matcher's key, its matches ([theme, score, reason] as JSON), the keys of its author and series, its
        title (named by the works that take its theme), its branch code, loans and year, and its work keys'
        digests (see `Matched`)."""
        compiled, memo, ignore = self._compiled(), Memo(), set(self.ignore)
        out = []
        for item in items:
            found = item_found(compiled, item, ignore, memo)
            out.append((item.id, self.key, json.dumps(found, ensure_ascii=False) if found else "[]",
                        author_key(item), series_key(item), item.title, item.branch_id, item.loans, item.year,
                        work_digests(item)))
        return out

    def found(self, items: list[CatalogueItem]) -> list[list[ThemeMatch]]:
        """Each item's matches under this matcher's themes, as `match_item` gives them (kinship aside)."""
        compiled, memo, ignore = self._compiled(), Memo(), set(self.ignore)
        return [match_item(compiled, item, ignore, memo) for item in items]

    def match_stored(self, rows: list[tuple[str, str]]) -> list[tuple]:
        """(identifier, *Matched) for stored (identifier, item JSON) rows, read in one call."""
        global _ITEMS
        if _ITEMS is None:
            from pydantic import TypeAdapter

            _ITEMS = TypeAdapter(list[CatalogueItem])
        items = _ITEMS.validate_json("[" + ",".join(item for _, item in rows) + "]")
        return [(identifier, *found) for (identifier, _), found in zip(rows, self(items), strict=True)]


def match_missing(path: str | Path, matcher: StoreMatcher, **stream) -> None:
    """Match and keep the items of the store at `path` whose matches are not kept under `matcher.key` (harvested
    without a matcher, or under other themes), on `stream`'s workers (`outreach.streaming.stream_map`)."""
    from outreach.sources.harvest_store import matches_keeper, unmatched_items
    from outreach.streaming import stream_map

    with matches_keeper(path) as keep:
        for rows in stream_map(matcher.match_stored, unmatched_items(path, matcher.key), **stream):
            keep(rows)


def work_digests(item: CatalogueItem) -> str:
    """The digests of the keys that tie an item to the other rows of its work, separated by spaces: short, and
    enough to find the rows that may be one work (two keys sharing a digest only make `merge_works` look)."""
    return " ".join(blake2b(k.encode(), digest_size=8).hexdigest() for k in work_keys(item))


def _digest(compiled: CompiledThemes, shelf_map: dict, ignore: frozenset[str]) -> str:
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for name in _RULES:
        digest.update((here / name).read_bytes())
    digest.update(json.dumps({"themes": [t.model_dump(mode="json") for t in compiled.themes],
                              "reported": compiled.reported, "shelves": shelf_map, "ignore": sorted(ignore)},
                             sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()[:32]
