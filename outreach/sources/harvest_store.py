"""The local store of a harvested catalogue: one SQLite file that the CLI and the app read in seconds.

A record is kept as its `CatalogueItem` (JSON), keyed by its OAI identifier, with its datestamp; a deleted
record is removed. Each page of the harvest is one transaction, so an interrupted harvest leaves whole
records only; a harvest is marked complete at its end, and the next incremental harvest starts from the
last complete one. Python's own sqlite3 is used rather than the SQLAlchemy engine of the results store:
this is a local cache of many small rows, written in bulk, never a shared database.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pydantic import TypeAdapter

from outreach.errors import InputError
from outreach.model import CatalogueItem
from outreach.sources.catalogue import BranchOf, CatalogueRead, _first_branch, record_item
from outreach.sources.oai import Harvest, Harvested, Repository

SQLITE_MAGIC = b"SQLite format 3\x00"
PAGE = 2000  # records per transaction
_ITEMS = TypeAdapter(list[CatalogueItem])

SCHEMA = """
CREATE TABLE IF NOT EXISTS items (identifier TEXT PRIMARY KEY, datestamp TEXT NOT NULL, item TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS harvests (
    url TEXT NOT NULL, prefix TEXT NOT NULL, set_spec TEXT NOT NULL, response_date TEXT NOT NULL,
    finished_at TEXT NOT NULL, received INTEGER NOT NULL, deleted INTEGER NOT NULL, skipped INTEGER NOT NULL,
    full INTEGER NOT NULL);
"""


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
          progress: Callable[[int, int | None], None] | None = None) -> HarvestResult:
    """Harvest into the store at `path`: from `since`, else from the last complete harvest, else everything
    (`full` forces everything and, without a set, forgets the records that the server no longer lists: the
    store does not know which set a record came from)."""
    if since is None and not full:
        last = last_harvest(path, repository.url, prefix, set_spec)
        since = datetime.fromisoformat(last.replace("Z", "+00:00")) if last else None
    harvest = Harvest(repository, prefix, set_spec=set_spec, since=since)
    db = _connect(path)
    try:
        if full:
            db.execute("CREATE TEMP TABLE seen (identifier TEXT PRIMARY KEY)")
        counts = _store(db, harvest, full=full, branch_of=branch_of, collection_labels=collection_labels,
                        progress=progress)
        if full and not set_spec:  # a full harvest of the whole catalogue: what it did not list is gone
            db.execute("DELETE FROM items WHERE identifier NOT IN (SELECT identifier FROM seen)")
        db.execute("INSERT INTO harvests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (repository.url, prefix, set_spec or "", harvest.response_date, datetime.now().isoformat(),
                    counts["received"], counts["deleted"], len(counts["skipped"]), int(full or since is None)))
        db.commit()
        total = db.execute("SELECT count(*) FROM items").fetchone()[0]
    finally:
        db.close()
    return HarvestResult(counts["received"], counts["stored"], counts["deleted"], counts["skipped"],
                         harvest.response_date, repository.stamp(since) if since else None, total)


def _store(db: sqlite3.Connection, harvested: Iterable[Harvested], *, full: bool, branch_of: BranchOf | None,
           collection_labels: dict[str, str] | None, progress) -> dict:
    assign = branch_of or _first_branch
    counts = {"received": 0, "stored": 0, "deleted": 0, "skipped": []}
    upserts, deletions = [], []

    def flush():
        db.executemany("INSERT INTO items VALUES (?, ?, ?) ON CONFLICT(identifier) DO UPDATE SET "
                       "datestamp=excluded.datestamp, item=excluded.item", upserts)
        db.executemany("DELETE FROM items WHERE identifier=?", deletions)
        if full:
            db.executemany("INSERT OR IGNORE INTO seen VALUES (?)", [(u[0],) for u in upserts])
        db.commit()
        upserts.clear()
        deletions.clear()
        if progress:
            progress(counts["received"], getattr(harvested, "total", None))

    try:
        for h in harvested:
            counts["received"] += 1
            if h.deleted or h.record is None:
                counts["deleted"] += h.deleted
                deletions.append((h.identifier,))
            else:
                made = record_item(h.record, counts["received"], collection_labels)
                if made.item is None:
                    counts["skipped"].append((h.identifier, made.reason))
                else:
                    # a record without 001 keeps the server's identifier: stable from one harvest to the next
                    item = made.item.model_copy(update={
                        "id": h.identifier if made.id_source else made.item.id,
                        "branch_id": assign(made.item.id, made.owners)})
                    upserts.append((h.identifier, h.datestamp, item.model_dump_json()))
                    counts["stored"] += 1
            if len(upserts) + len(deletions) >= PAGE:
                flush()
    finally:  # a harvest cut short keeps the whole records it received (it is not marked complete)
        flush()
    return counts


def read_store(path: str | Path, *, name: str | None = None) -> CatalogueRead:
    """The harvested catalogue as items, with the date and the size of its last harvest in the notes."""
    label = name or str(path)
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            rows = [r[0] for r in db.execute("SELECT item FROM items ORDER BY identifier")]
            last = db.execute("SELECT url, response_date FROM harvests ORDER BY finished_at DESC LIMIT 1").fetchone()
    except sqlite3.DatabaseError as exc:
        raise InputError(f"base de notices moissonnées illisible ({exc}).", file=label,
                         fix="Relancez « outreach catalogue fetch --full » pour la reconstruire.") from exc
    if not rows:
        raise InputError("aucune notice dans la base moissonnée.", file=label,
                         fix="Lancez d'abord « outreach catalogue fetch URL » (serveur OAI-PMH du SIGB).")
    items = _ITEMS.validate_json("[" + ",".join(rows) + "]")
    notes = [f"{label} : {len(items)} notice(s) moissonnée(s)"
             + (f" depuis {last[0]}, à jour au {last[1]}" if last else "") + "."]
    return CatalogueRead(label, items, "OAI-PMH (base locale)", notes=notes)
