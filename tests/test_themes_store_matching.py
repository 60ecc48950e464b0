"""A harvested store matched where its items are made (the harvest's workers) and read back by `match_store`:
the same matches as the same records read from a file and matched whole, author and series kinship included;
matches kept under other themes are made again."""

from __future__ import annotations

import copy
import json
import sqlite3

import pymarc
import pytest

from outreach.model import CatalogueItem
from outreach.sources.catalogue import read_catalogue
from outreach.sources.harvest_store import fetch
from outreach.sources.oai import identify
from outreach.themes import StoreMatcher, load_themes, match_items
from outreach.themes.union import match_store
from tests.support import DATA
from tests.support.oai_server import OaiServer, served

MRC = DATA / "samples" / "roubaix-unimarc-sample-2383.mrc"
# where a UNIMARC record gives clues: subjects, genre, Dewey, local class, series, summary, the copies' shelving
CLUE_TAGS = ("600", "601", "602", "604", "605", "606", "607", "608", "676", "686", "225", "410", "330")


def _without_clues(record: pymarc.Record, new_id: str, title: str | None = None) -> pymarc.Record:
    """Another work of the record's author (or another volume of its series) that carries no clue."""
    other = _renamed(record, new_id, title)
    other.remove_fields(*CLUE_TAGS)
    for f in other.get_fields("995"):
        for code in "hke":
            f.delete_subfield(code)
    return other


def _renamed(record: pymarc.Record, new_id: str, title: str | None = None) -> pymarc.Record:
    other = copy.deepcopy(record)
    other["001"].data = new_id
    if title is not None:
        other["200"]["a"] = title
    return other


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory) -> tuple[list[pymarc.Record], object]:
    """Real Roubaix records, and works without clues beside them: two more of Kate Sedley's (two of her
    novels are shelved as crime fiction), one of Mr Tan's (two comics), and a Rosinski series whose first
    volume is a shelved comic and whose next one has no clue."""
    with MRC.open("rb") as f:
        records = list(pymarc.MARCReader(f, to_unicode=True, force_utf8=True))
    by_id = {r["001"].data: r for r in records}
    records += [
        _without_clues(by_id["60547"], "kin-sedley-1"), _without_clues(by_id["149309"], "kin-sedley-2"),
        _without_clues(by_id["285733"], "kin-tan-1"),
        _renamed(by_id["11296"], "kin-thorgal-8", "Thorgal. 8"),
        _without_clues(by_id["11296"], "kin-thorgal-9", "Thorgal. 9"),
    ]
    path = tmp_path_factory.mktemp("kin") / "catalogue.mrc"
    with path.open("wb") as f:
        for r in records:
            f.write(r.as_marc())
    return records, path


def _harvested(records: list[pymarc.Record], tmp_path) -> tuple[list, object, StoreMatcher]:
    """(the themes, the store, its matcher): the records harvested from the local repository, matched as they come."""
    themes = load_themes()
    store = tmp_path / "h.sqlite"
    matcher = StoreMatcher(themes)
    with OaiServer(served(records), page_size=1000) as server:
        fetch(identify(server.url), store, prefix="marcxml", match=matcher)
    return themes, store, matcher


def _triples(matches) -> set[tuple[str, str, float]]:
    return {(i, t, round(s, 6)) for i, t, s, _ in matches}


def test_a_store_matched_at_harvest_time_gets_the_file_matches_kinship_included(catalogue, tmp_path):
    records, path = catalogue
    themes = load_themes()
    items = read_catalogue(path).items
    whole = [(m.item_id, m.theme_id, m.score, m.reason) for m in match_items(items, themes)]
    kin = {(i, t): r for i, t, _, r in whole if r.startswith("même ")}
    assert kin == {("kin-sedley-1", "polar"): "même auteur que « La corde au cou »",
                   ("kin-sedley-2", "polar"): "même auteur que « La corde au cou »",
                   ("kin-tan-1", "bande-dessinee"): "même auteur que « Mortelle Adèle »",
                   ("kin-thorgal-9", "bande-dessinee"): "même série que « Thorgal. 8 »"}
    store = tmp_path / "h.sqlite"
    matcher = StoreMatcher(themes)
    with OaiServer(served(records), page_size=500) as server:
        fetch(identify(server.url), store, prefix="marcxml", match=matcher)
    with sqlite3.connect(store) as db:  # every item was matched by the harvest itself
        assert db.execute("SELECT count(*) FROM matched WHERE themes = ?", (matcher.key,)).fetchone()[0] == len(records)
    matches, summary = match_store(store, themes, workers=1)
    streamed = list(matches)
    assert _triples(streamed) == _triples(whole) and summary.items == len(records)
    assert {(i, t): r for i, t, _, r in streamed if r.startswith("même ")} == kin
    # without kinship, the works without clues have no theme, as in a file
    bare, _ = match_store(store, themes, workers=1, ignore={"same_author", "same_series"})
    without = match_items(items, themes, ignore={"same_author", "same_series"})
    assert _triples(bare) == _triples((m.item_id, m.theme_id, m.score, m.reason) for m in without)
    assert not any(i.startswith("kin-") and i != "kin-thorgal-8" for i, *_ in _triples(bare))


def test_a_store_harvested_without_matches_or_under_other_themes_is_matched_again_and_kept(catalogue, tmp_path):
    records, _ = catalogue
    themes = load_themes()
    store = tmp_path / "h.sqlite"
    with OaiServer(served(records[:200] + records[-5:]), page_size=100) as server:
        fetch(identify(server.url), store, prefix="marcxml")  # no matcher: matched by the first match_store
    few = [t for t in themes if t.id in ("polar", "bande-dessinee", "manga")]
    for chosen in (themes, few):
        reference = match_items(read_catalogue_items(records[:200] + records[-5:], tmp_path), chosen)
        first, _ = match_store(store, chosen, workers=1, chunk_size=64)
        assert _triples(first) == _triples((m.item_id, m.theme_id, m.score, m.reason) for m in reference)
        key = StoreMatcher(chosen).key
        with sqlite3.connect(store) as db:  # kept: the next match reads them
            assert db.execute("SELECT count(*) FROM matched WHERE themes = ?", (key,)).fetchone()[0] == 205


def read_catalogue_items(records: list[pymarc.Record], folder):
    path = folder / "part.mrc"
    path.write_bytes(b"".join(r.as_marc() for r in records))
    return read_catalogue(path).items


def test_a_harvested_store_keeps_the_files_items_and_matches_field_for_field_and_reason_for_reason(catalogue,
                                                                                                   tmp_path):
    """The harvest's workers build no CatalogueItem: each record's fields are written as JSON and matched as
    they are. The real Roubaix records harvested give the items of the same file read whole, every field,
    and the matches made for each, reasons included (kinship aside: it is added when the store is read)."""
    records, path = catalogue
    themes, store, matcher = _harvested(records, tmp_path)
    items = read_catalogue(path).items
    with sqlite3.connect(store) as db:
        stored = {CatalogueItem.model_validate_json(j).id: CatalogueItem.model_validate_json(j)
                  for (j,) in db.execute("SELECT item FROM items")}
        kept = {i: json.loads(found) for i, found in db.execute("SELECT item_id, found FROM matched")}
    assert len(stored) == len(items) == len(records)
    assert all(stored[i.id].model_dump() == i.model_dump() for i in items)
    by_item: dict[str, list] = {i.id: [] for i in items}
    for m in match_items(items, themes, ignore={"same_author", "same_series"}):
        by_item[m.item_id].append([m.theme_id, m.score, m.reason])
    assert kept == by_item
    assert sum(1 for found in kept.values() if found) > 700  # a real share of the records is matched


def test_a_stores_coverage_and_titles_are_those_of_its_items_read_whole(catalogue, tmp_path):
    # the Thèmes page's harvest section measures them with SQLite, without building the items
    from dataclasses import asdict

    from outreach.sources.harvest_store import kept_titles, read_store, store_overview
    from outreach.themes import measure_coverage, measure_store_coverage

    themes, store, matcher = _harvested(catalogue[0], tmp_path)
    read = read_store(store)
    matches = list(match_store(store, themes, workers=1)[0])
    assert store_overview(store) == (len(read.items), read.notes)
    # the shipped shelf map, then one that knows the call numbers of the crime novels ("R POL …")
    for shelf_map in (None, {"R POL": ["polar"], "BD": ["bande-dessinee"]}):
        whole = measure_coverage(read.items, matches, shelf_map)
        assert asdict(measure_store_coverage(store, matches, shelf_map)) == asdict(whole)
    assert whole.shelving_mapped > 0 and whole.with_clue < whole.records  # the map counts, and not every record
    titles = kept_titles(store, matcher.key)
    assert {i for i, *_ in matches} <= set(titles)
    assert all(titles[i.id] == i.title for i in read.items if i.id in titles)
