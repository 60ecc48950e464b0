"""The local store of a harvested catalogue: one SQLite file that the CLI and the app read in seconds.

A record is kept as its `CatalogueItem` (JSON), keyed by its OAI identifier, with its datestamp; a deleted
record is removed. Each page of the harvest is one transaction (one executemany), so an interrupted harvest
leaves whole pages only; a harvest is marked complete at its end, and the next incremental harvest starts from the
last complete one. Python's own sqlite3 is used rather than the SQLAlchemy engine of the results store:
this is a local cache of many small rows, written in bulk, never a shared database.

Parsing a page and turning its records into items is most of a harvest's work: `fetch` hands each page to
`map_pages`, which by default does it here, one page after the other; the CLI passes a map that does it on
every core (`outreach.streaming.stream_map`), results coming back in the pages' order.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from types import SimpleNamespace

from pydantic import TypeAdapter
from pydantic_core import to_json

from outreach.errors import InputError
from outreach.model import CatalogueItem
from outreach.sources.catalogue import BranchOf, CatalogueRead, record_fields
from outreach.sources.gc_pause import no_cycle_collection
from outreach.sources.oai import Harvest, Page, Repository, page_records

SQLITE_MAGIC = b"SQLite format 3\x00"
_ITEMS = TypeAdapter(list[CatalogueItem])

SCHEMA = """
CREATE TABLE IF NOT EXISTS items (identifier TEXT PRIMARY KEY, datestamp TEXT NOT NULL, item TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS harvests (
    url TEXT NOT NULL, prefix TEXT NOT NULL, set_spec TEXT NOT NULL, response_date TEXT NOT NULL,
    finished_at TEXT NOT NULL, received INTEGER NOT NULL, deleted INTEGER NOT NULL, skipped INTEGER NOT NULL,
    full INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS matched (
    identifier TEXT PRIMARY KEY, item_id TEXT NOT NULL, themes TEXT NOT NULL, found TEXT NOT NULL,
    author TEXT NOT NULL, series TEXT NOT NULL, title TEXT NOT NULL, branch TEXT NOT NULL, loans INTEGER,
    year INTEGER, work TEXT NOT NULL);
"""
# the columns of `matched`: a store made before a column was added has its matches made again (they are a cache)
MATCHED_COLUMNS = ("identifier", "item_id", "themes", "found", "author", "series", "title", "branch", "loans",
                   "year", "work")


def is_store(path: str | Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(16) == SQLITE_MAGIC
    except OSError:
        return False


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")  # with WAL: a crash may lose the last pages, never corrupt the store
    db.executescript(SCHEMA)
    if tuple(r[1] for r in db.execute("PRAGMA table_info(matched)")) != MATCHED_COLUMNS:
        with db:
            db.execute("DROP TABLE matched")
        db.executescript(SCHEMA)
    return db


@dataclass
class HarvestResult:
    received: int
    stored: int
    deleted: int
    skipped: list[tuple[str, str]]
    response_date: str
    since: str | None
    total_in_store: int


def last_harvest(path: Path, url: str, prefix: str, set_spec: str | None) -> str | None:
    """The response date of the last complete harvest of this server, format and set, or None."""
    if not path.exists():
        return None
    with sqlite3.connect(path) as db:
        db.executescript(SCHEMA)
        row = db.execute("SELECT response_date FROM harvests WHERE url=? AND prefix=? AND set_spec=? "
                         "ORDER BY finished_at DESC LIMIT 1", (url, prefix, set_spec or "")).fetchone()
    return row[0] if row else None


def fetch(repository: Repository, path: Path, *, prefix: str, set_spec: str | None = None,
          since: datetime | None = None, full: bool = False, branch_of: BranchOf | None = None,
          collection_labels: dict[str, str] | None = None,
          progress: Callable[[int, int | None], None] | None = None,
          map_pages: PageMap | None = None, match: PageMatch | None = None) -> HarvestResult:
    """Harvest into the store at `path`: from `since`, else from the last complete harvest, else everything
    (`full` forces everything and, without a set, forgets the records that the server no longer lists: the
    store does not know which set a record came from). `map_pages(work, pages)` runs `work` on lists of
    pages and yields its results in order (`stream_map` with chunks of one page: `branch_of` must then be
    picklable). `match(items)`, when given, matches each page's items where they are made, and the store
    keeps the matches beside them (`outreach.themes.store_matching.StoreMatcher`, picklable)."""
    if since is None and not full:
        last = last_harvest(path, repository.url, prefix, set_spec)
        since = datetime.fromisoformat(last.replace("Z", "+00:00")) if last else None
    harvest = Harvest(repository, prefix, set_spec=set_spec, since=since)
    db = _connect(path)
    try:
        if full:
            db.execute("CREATE TEMP TABLE seen (identifier TEXT PRIMARY KEY)")
        work = partial(page_rows, url=repository.url, branch_of=branch_of, collection_labels=collection_labels,
                       match=match)
        counts = _store(db, harvest, (map_pages or _in_process)(work, harvest.pages()),
                        full=full, progress=progress)
        if full and not set_spec:  # a full harvest of the whole catalogue: what it did not list is gone
            db.execute("DELETE FROM items WHERE identifier NOT IN (SELECT identifier FROM seen)")
            db.execute("DELETE FROM matched WHERE identifier NOT IN (SELECT identifier FROM seen)")
        db.execute("INSERT INTO harvests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (repository.url, prefix, set_spec or "", harvest.response_date, datetime.now().isoformat(),
                    counts["received"], counts["deleted"], len(counts["skipped"]), int(full or since is None)))
        db.commit()
        total = db.execute("SELECT count(*) FROM items").fetchone()[0]
    finally:
        db.close()
    return HarvestResult(counts["received"], counts["stored"], counts["deleted"], counts["skipped"],
                         harvest.response_date, repository.stamp(since) if since else None, total)


# (work, pages) -> work's result for each list of consecutive pages, in order
PageMap = Callable[[Callable[[list[Page]], list], Iterable[Page]], Iterator[list]]
# items (CatalogueItems, or their fields as attributes) -> for each: (item id, matcher key, matches JSON,
# author key, series key, title, branch code, loans, year, work keys' digests), see StoreMatcher
PageMatch = Callable[[list[CatalogueItem]], list[tuple]]
# ("u", identifier, datestamp, item JSON, matched row or None) | ("d", identifier, deleted) | ("s", identifier, reason)
Row = tuple


def _in_process(work, pages):
    return (work([page]) for page in pages)


def page_rows(pages: list[Page], *, url: str, branch_of: BranchOf | None,
              collection_labels: dict[str, str] | None, match: PageMatch | None = None) -> list[list[Row]]:
    """What to write for each page: its records parsed and turned into items (JSON) and, with `match`, their
    matches; or their deletions."""
    out = []
    for page in pages:
        with no_cycle_collection():
            rows: list[Row] = []
            items: list[tuple[int, SimpleNamespace]] = []  # (row, item): the page's items, matched together
            for position, h in enumerate(page_records(page, url), start=1):
                if h.deleted or h.record is None:
                    rows.append(("d", h.identifier, h.deleted))
                    continue
                # a record without 001 keeps the server's identifier: stable from one harvest to the next
                made = record_fields(h.record, position, collection_labels, branch_of=branch_of,
                                     identifier=h.identifier)
                if made.fields is None:
                    rows.append(("s", h.identifier, made.reason))
                    continue
                # no CatalogueItem built: its fields written as its JSON, and matched as attributes (building
                # the model cost more than writing and matching together)
                if match is not None:
                    items.append((len(rows), SimpleNamespace(**made.fields)))
                rows.append(("u", h.identifier, h.datestamp, to_json(made.fields).decode(), None))
            if items:
                for (row, _), matched in zip(items, match([item for _, item in items]), strict=True):
                    rows[row] = (*rows[row][:4], (rows[row][1], *matched))
        out.append(rows)
    return out


def _store(db: sqlite3.Connection, harvest: Harvest, results: Iterator[list[list[Row]]], *, full: bool,
           progress) -> dict:
    counts = {"received": 0, "stored": 0, "deleted": 0, "skipped": []}
    for pages in results:
        for rows in pages:
            upserts = [r[1:4] for r in rows if r[0] == "u"]
            matched = [r[4] for r in rows if r[0] == "u" and r[4] is not None]
            # an item stored without its matches loses those of its previous version
            stale = [(r[1],) for r in rows if r[0] == "d" or (r[0] == "u" and r[4] is None)]
            deletions = [(r[1],) for r in rows if r[0] == "d"]
            counts["received"] += len(rows)
            counts["stored"] += len(upserts)
            counts["deleted"] += sum(1 for r in rows if r[0] == "d" and r[2])
            counts["skipped"] += [(r[1], r[2]) for r in rows if r[0] == "s"]
            with db:  # one transaction per page: a harvest cut short keeps the whole pages it received
                db.executemany("INSERT INTO items VALUES (?, ?, ?) ON CONFLICT(identifier) DO UPDATE SET "
                               "datestamp=excluded.datestamp, item=excluded.item", upserts)
                db.executemany("DELETE FROM items WHERE identifier=?", deletions)
                db.executemany("DELETE FROM matched WHERE identifier=?", stale)
                db.executemany(_SAVE_MATCHED, matched)
                if full:
                    db.executemany("INSERT OR IGNORE INTO seen VALUES (?)", [(u[0],) for u in upserts])
            if progress:
                progress(counts["received"], harvest.total)
    return counts


_SAVE_MATCHED = f"INSERT OR REPLACE INTO matched VALUES ({', '.join('?' * len(MATCHED_COLUMNS))})"
_UNREADABLE_FIX = "Relancez « outreach catalogue fetch --full » pour la reconstruire."


@contextmanager
def _matches_db(path: str | Path):
    """The store opened to read and keep matches: InputErrors for a damaged or read-only store."""
    try:
        db = _connect(Path(path))
    except sqlite3.DatabaseError as exc:
        raise InputError(f"base de notices moissonnées illisible ({exc}).", file=str(path), fix=_UNREADABLE_FIX) from exc
    try:
        yield db
    except sqlite3.OperationalError as exc:
        if "readonly" in str(exc):
            raise InputError("base de notices moissonnées en lecture seule : les correspondances ne peuvent y "
                             "être gardées.", file=str(path),
                             fix="Donnez le droit d'écrire dans la base et dans son dossier, ou copiez-la "
                                 "ailleurs.") from exc
        raise InputError(f"base de notices moissonnées illisible ({exc}).", file=str(path), fix=_UNREADABLE_FIX) from exc
    except sqlite3.DatabaseError as exc:
        raise InputError(f"base de notices moissonnées illisible ({exc}).", file=str(path), fix=_UNREADABLE_FIX) from exc
    finally:
        db.close()


def unmatched_items(path: str | Path, key: str) -> Iterator[tuple[str, str]]:
    """(identifier, item JSON) of the items whose matches are not kept under the matcher `key` (harvested
    without a matcher, or under other themes), in identifier order."""
    with _matches_db(path) as db:
        yield from db.execute("SELECT i.identifier, i.item FROM items i LEFT JOIN matched m ON "
                              "m.identifier = i.identifier AND m.themes = ? WHERE m.identifier IS NULL "
                              "ORDER BY i.identifier", (key,))


@contextmanager
def matches_keeper(path: str | Path):
    """A function that keeps matched rows ((identifier, *StoreMatcher's row): see MATCHED_COLUMNS),
    one transaction per call. It writes on its own connection, while `unmatched_items` reads on another."""
    with _matches_db(path) as db:
        def keep(rows: list[tuple]) -> None:
            with db:
                db.executemany(_SAVE_MATCHED, rows)
        yield keep


def kept_matches(path: str | Path, key: str) -> Iterator[tuple[str, str, str, str, str]]:
    """(item id, matches JSON, author key, series key, title) of every item with a match, as kept under `key`
    (the others, two in three in a public library's catalogue, are not read: `kept_count` counts them)."""
    with _matches_db(path) as db:
        yield from db.execute("SELECT item_id, found, author, series, title FROM matched WHERE themes = ? "
                              "AND found <> '[]' ORDER BY identifier", (key,))


def kept_count(path: str | Path, key: str) -> int:
    """How many items have their matches kept under `key` (with or without a match)."""
    with _matches_db(path) as db:
        return db.execute("SELECT count(*) FROM matched WHERE themes = ?", (key,)).fetchone()[0]


def unmatched_kin(path: str | Path, key: str) -> Iterator[tuple[str, str, str]]:
    """(item id, author key, series key) of the items without match under `key` that have an author or a
    series: those that may take the theme of their kin (`outreach.themes.kinship`)."""
    with _matches_db(path) as db:
        yield from db.execute("SELECT item_id, author, series FROM matched WHERE themes = ? AND found = '[]' "
                              "AND (author <> '' OR series <> '') ORDER BY identifier", (key,))


def read_store(path: str | Path, *, name: str | None = None) -> CatalogueRead:
    """The harvested catalogue as items, with the date and the size of its last harvest in the notes."""
    label = name or str(path)
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            rows = [r[0] for r in db.execute("SELECT item FROM items ORDER BY identifier")]
            last = last_harvest_of_store(db)
    except sqlite3.DatabaseError as exc:
        raise InputError(f"base de notices moissonnées illisible ({exc}).", file=label, fix=_UNREADABLE_FIX) from exc
    refuse_empty_store(len(rows), label)
    items = _ITEMS.validate_json("[" + ",".join(rows) + "]")
    return CatalogueRead(label, items, "OAI-PMH (base locale)", notes=[_size_note(label, len(items), last)])


def store_overview(path: str | Path) -> tuple[int, list[str]]:
    """(records, notes) of a store, as `read_store` gives them, without reading its items."""
    label = str(path)
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            records, last = store_size(db), last_harvest_of_store(db)
    except sqlite3.DatabaseError as exc:
        raise InputError(f"base de notices moissonnées illisible ({exc}).", file=label, fix=_UNREADABLE_FIX) from exc
    refuse_empty_store(records, label)
    return records, [_size_note(label, records, last)]


def refuse_empty_store(records: int, label: str) -> None:
    """InputError for a store without any item (nothing harvested yet), with what to do."""
    if not records:
        raise InputError("aucune notice dans la base moissonnée.", file=label,
                         fix="Lancez d'abord « outreach catalogue fetch URL » (serveur OAI-PMH du SIGB).")


def _size_note(label: str, records: int, last: tuple[str, str] | None) -> str:
    return (f"{label} : {records} notice(s) moissonnée(s)"
            + (f" depuis {last[0]}, à jour au {last[1]}" if last else "") + ".")


# what the coverage of a catalogue reads of each item (outreach.themes.coverage), in the order of COVERAGE_FIELDS:
# one json_extract of several paths parses each item's JSON once (SQLite 3.40 keeps no parse between calls)
COVERAGE_FIELDS = ("subjects", "genres", "dewey", "extra.series", "extra.collections", "call_numbers", "shelves")
_COVERAGE_SQL = ("SELECT json_extract(item, " + ", ".join(f"'$.{f}'" for f in COVERAGE_FIELDS) + ") FROM items")


def coverage_rows(path: str | Path) -> Iterator[str]:
    """For each stored item, the JSON array of its COVERAGE_FIELDS' values (null where absent), without
    building the items."""
    with _matches_db(path) as db:
        for (values,) in db.execute(_COVERAGE_SQL):
            yield values


def kept_titles(path: str | Path, key: str) -> dict[str, str]:
    """Item id → title of the items that have a match kept under `key`, or that may take one from their kin."""
    with _matches_db(path) as db:
        return dict(db.execute("SELECT item_id, title FROM matched WHERE themes = ? AND (found <> '[]' OR "
                               "author <> '' OR series <> '') ORDER BY identifier", (key,)))


# ------------------------------------------------------------------------------------------ the catalogue in force
# What `outreach.themes.stored` reads of a store whose items are all matched under `key`: a few columns of the
# rows that matter, never every item.

@contextmanager
def store_reader(path: str | Path):
    """A connection to read the kept matches (temporary tables included): InputErrors as `kept_matches`."""
    with _matches_db(path) as db:
        yield db


ROW_COLUMNS = "identifier, item_id, found, author, series, title, branch, loans, year"


def store_size(db: sqlite3.Connection) -> int:
    return db.execute("SELECT count(*) FROM items").fetchone()[0]


def last_harvest_of_store(db: sqlite3.Connection) -> tuple[str, str] | None:
    """(server address, response date) of the store's last harvest."""
    return db.execute("SELECT url, response_date FROM harvests ORDER BY finished_at DESC LIMIT 1").fetchone()


def branch_code_counts(db: sqlite3.Connection, key: str) -> dict[str, int]:
    """Records per owner code (the branch code of the library system)."""
    return dict(db.execute("SELECT branch, count(*) FROM matched WHERE themes = ? GROUP BY branch", (key,)))


def matched_rows(db: sqlite3.Connection, key: str) -> Iterator[tuple]:
    """ROW_COLUMNS of the items with a match, in no order (sorting them in Python costs less than walking the
    identifiers' index)."""
    yield from db.execute(f"SELECT {ROW_COLUMNS} FROM matched WHERE themes = ? AND found <> '[]'", (key,))


def kin_rows(db: sqlite3.Connection, key: str, authors: Iterable[str], series: Iterable[str]) -> Iterator[tuple]:
    """ROW_COLUMNS of the items without match whose author or series key is one of those given, in no order."""
    db.executescript("DROP TABLE IF EXISTS temp.kin_author; DROP TABLE IF EXISTS temp.kin_series;"
                     "CREATE TEMP TABLE kin_author (a TEXT PRIMARY KEY); CREATE TEMP TABLE kin_series (s TEXT PRIMARY KEY);")
    db.executemany("INSERT OR IGNORE INTO kin_author VALUES (?)", ((a,) for a in authors if a))
    db.executemany("INSERT OR IGNORE INTO kin_series VALUES (?)", ((s,) for s in series if s))
    yield from db.execute(f"SELECT {ROW_COLUMNS} FROM matched WHERE themes = ? AND found = '[]' AND "
                          "(author IN (SELECT a FROM kin_author) OR series IN (SELECT s FROM kin_series))", (key,))


def work_sharers(db: sqlite3.Connection, key: str, placed: dict[str, str]) -> set[str]:
    """The identifiers of the items that share a work key's digest with another item of the same branch, once
    the owner codes are placed (`placed`: code → branch): those that may be one work with another row."""
    # counted in Python: grouping 500,000 strings costs SQLite twice as much (it sorts them)
    counts = Counter(w for (w,) in db.execute("SELECT work FROM matched WHERE themes = ? AND work <> ''", (key,)))
    several = [w for w in counts if " " in w]  # the rows of several ISBNs
    for w in several:
        n = counts.pop(w)
        for k in w.split():
            counts[k] += n
    wanted = {k for k, n in counts.items() if n > 1}
    if not wanted:
        return set()
    db.executescript("DROP TABLE IF EXISTS temp.wanted; CREATE TEMP TABLE wanted (work TEXT PRIMARY KEY);")
    db.executemany("INSERT INTO wanted VALUES (?)",
                   [(k,) for k in wanted] + [(w,) for w in several if not wanted.isdisjoint(w.split())])
    holders: dict[tuple[str, str], set[str]] = {}
    for identifier, code, work in db.execute("SELECT identifier, branch, work FROM matched WHERE themes = ? AND "
                                             "work IN (SELECT work FROM wanted)", (key,)):
        for k in work.split():
            holders.setdefault((placed.get(code) or code, k), set()).add(identifier)
    return {i for group in holders.values() if len(group) > 1 for i in group}


def items_json(db: sqlite3.Connection, identifiers: Iterable[str]) -> dict[str, str]:
    """identifier → item JSON of the items named."""
    wanted = list(dict.fromkeys(identifiers))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 500):  # under SQLite's limit of bound values
        part = wanted[start:start + 500]
        found.update(db.execute(f"SELECT identifier, item FROM items WHERE identifier IN ({','.join('?' * len(part))})",
                                part))
    return found


def kept_found(db: sqlite3.Connection, identifiers: list[str]) -> dict[str, str]:
    """identifier → kept matches (JSON) of the items named."""
    return dict(db.execute("SELECT identifier, found FROM matched WHERE identifier IN (SELECT value FROM "
                           "json_each(?))", (json.dumps(identifiers),)))


def all_items_json(db: sqlite3.Connection) -> Iterator[str]:
    """Every item's JSON, in identifier order."""
    for (item,) in db.execute("SELECT item FROM items ORDER BY identifier"):
        yield item
