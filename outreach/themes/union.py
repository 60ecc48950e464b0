"""Matching a union catalogue: millions of ISO 2709 records, in bounded memory, on every core.

The file is read block by block and cut on the record terminators; chunks of raw records go to worker
processes (`outreach.streaming`), each of which decodes them with the catalogue reader
(`outreach.sources.catalogue.marc_items`) and matches them with the themes it compiled once. Only the
matches come back, in the file's order; the caller writes them as they come. The result is the one
`read_catalogue` followed by `match_items` gives, damaged records reported the same way, except that the works
taking the theme of their author or series (`outreach.themes.kinship`) come after the others: the strongly
matched works are observed as the stream goes (memory grows with their authors and series, not with the file),
the works without match that have an author or a series wait in a temporary SQLite file on disk, and are
looked up once the stream is over.

A large harvested store (`outreach catalogue fetch`) keeps the matches of its items beside them
(`outreach.themes.store_matching`): `match_store` reads them, matches on every core only the items kept
without matches under these themes, then gives the works without match the theme of their author or series
(`outreach.themes.kinship`), in a second pass over the store.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from outreach.errors import InputError
from outreach.model import Theme
from outreach.sources.catalogue import marc_items, no_marc_record, skipped_notes
from outreach.streaming import stream_map
from outreach.themes.kinship import STRONG, Kinship, author_key, series_key
from outreach.themes.matching import ITEM_FIELDS, KINSHIP_FIELDS, Memo, compile_themes, match_item
from outreach.themes.store_matching import StoreMatcher, match_missing

BLOCK = 1 << 20  # bytes read at a time
CHUNK = 1_000  # records per chunk sent to a worker (about 1.5 MB of UNIMARC)
KEPT_SKIPS = 10  # damaged records named in the note (all are counted)

Match = tuple[str, str, float, str]  # item_id, theme_id, score, reason


@dataclass
class StreamSummary:
    """What a streamed match found besides the matches: counts and the notes on damaged records."""

    label: str
    records: int = 0
    items: int = 0
    kinds: set[str] = field(default_factory=set)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # the first KEPT_SKIPS only
    n_skipped: int = 0

    @property
    def format(self) -> str:
        return " + ".join(sorted(self.kinds))

    @property
    def notes(self) -> list[str]:
        return skipped_notes(self.label, self.skipped, self.n_skipped)


def iso2709_records(path: str | Path, *, read: Callable[[int], None] | None = None) -> Iterator[bytes]:
    """The raw records of an ISO 2709 file (.gz too), each with its terminator, read block by block;
    `read(n)` is told of every n bytes read (of the file as stored), for a progress bar."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with open(path, "rb") as raw_file, (opener(raw_file) if opener is gzip.open else raw_file) as f:
        rest = b""
        last = 0
        while block := f.read(BLOCK):
            if read:
                now = raw_file.tell()
                read(now - last)
                last = now
            parts = (rest + block).split(b"\x1d")
            rest = parts.pop()
            for part in parts:
                yield part + b"\x1d"
        if rest.strip():
            yield rest


# the state of a worker process: the compiled themes and the options, set once by _start
_WORKER: dict = {}


def _start(themes: list[Theme], collection_labels: dict[str, str] | None, ignore: frozenset[str],
           min_score: float) -> None:
    _WORKER.update(compiled=compile_themes([t for t in themes if t.kind != "event"]), labels=collection_labels,
                   ignore=set(ignore), min_score=min_score, kin=Kinship(ignore))


# what a chunk gives: its matches, the first skipped records, skipped count, items, formats, and for the
# kinship pass the strongly matched works (author, series, title, themes) and the works without match
# (item id, author, series)
Chunk = tuple[list[Match], list[tuple[str, str]], int, int, set[str], list[tuple], list[tuple]]


def _match_chunk(chunk: list[tuple[int, bytes]]) -> Chunk:
    """What a chunk of (position, raw record) pairs gives (see `Chunk`)."""
    # the chunk's records are consecutive: read together, they share the character set guessed for records
    # that declare none, as in a whole-file read
    raw = b"".join(record for _, record in chunk)
    return _match_decoded(marc_items(raw, first=chunk[0][0], collection_labels=_WORKER["labels"]))


def _match_decoded(decoded) -> Chunk:
    """What (where, item or None, format or reason) triples give (see `Chunk`)."""
    compiled, ignore, min_score, kin = _WORKER["compiled"], _WORKER["ignore"], _WORKER["min_score"], _WORKER["kin"]
    matches: list[Match] = []
    skipped: list[tuple[str, str]] = []
    observed: list[tuple] = []
    unmatched: list[tuple] = []
    n_skipped = n_items = 0
    kinds: set[str] = set()
    memo = Memo()
    for where, item, detail in decoded:
        if item is None:
            n_skipped += 1
            if len(skipped) < KEPT_SKIPS:
                skipped.append((where, detail))
            continue
        n_items += 1
        kinds.add(detail)
        found = match_item(compiled, item, ignore, memo)
        matches.extend((m.item_id, m.theme_id, m.score, m.reason) for m in found if m.score >= min_score)
        if not kin.active:
            continue
        # the keys as kinship.spread computes them for a file read whole
        author, series = author_key(item), series_key(item) if kin.use_series else ""
        if found:
            strong = {m.theme_id for m in found if m.score >= STRONG}
            if strong:
                observed.append((author, series, item.title, strong))
        elif author or series:
            unmatched.append((item.id, author if kin.use_author else "", series))
    return matches, skipped, n_skipped, n_items, kinds, observed, unmatched


def stream_matches(records: Iterable[bytes], themes: list[Theme], *, label: str, summary: StreamSummary,
                   collection_labels: dict[str, str] | None = None, ignore: Iterable[str] = (),
                   min_score: float = 0.0, workers: int | None = None, chunk_size: int = CHUNK,
                   done: Callable[[int], None] | None = None) -> Iterator[Match]:
    """The matches of a stream of raw ISO 2709 records, in order, on `workers` processes (every core by
    default). `summary` is filled as the stream goes; at the end, InputError if no record was readable."""
    skip = frozenset(ignore)
    unknown = skip - set(ITEM_FIELDS) - KINSHIP_FIELDS
    if unknown:
        raise ValueError(f"unknown item fields: {sorted(unknown)}")
    kin = Kinship(skip)
    with tempfile.TemporaryDirectory(prefix="outreach-kin-") as folder:
        waiting = sqlite3.connect(Path(folder) / "waiting.sqlite")  # the works without match, in file order
        waiting.execute("CREATE TABLE waiting (item_id TEXT, author TEXT, series TEXT)")
        try:
            # positions in the file, for the notes on damaged records
            for matches, skipped, n_skipped, n_items, kinds, observed, unmatched in stream_map(
                    _match_chunk, enumerate(records, start=1), workers=workers, chunk_size=chunk_size,
                    initializer=_start,
                    initargs=(list(themes), collection_labels, skip, min_score), done=done):
                summary.records += n_items + n_skipped
                summary.items += n_items
                summary.kinds |= kinds
                summary.n_skipped += n_skipped
                summary.skipped.extend(skipped[:KEPT_SKIPS - len(summary.skipped)])
                for work in observed:
                    kin.observe(*work)
                waiting.executemany("INSERT INTO waiting VALUES (?, ?, ?)", unmatched)
                yield from matches
            if not summary.items:
                raise no_marc_record(label, summary.skipped)
            if kin.by_author or kin.by_series:
                for item_id, author, series in waiting.execute("SELECT * FROM waiting ORDER BY rowid"):
                    m = kin.match(item_id, author, series)
                    if m is not None and m.score >= min_score:
                        yield m.item_id, m.theme_id, m.score, m.reason
        finally:
            waiting.close()


def match_iso2709_file(path: str | Path, themes: list[Theme], **kwargs) -> tuple[Iterator[Match], StreamSummary]:
    """`stream_matches` over a file; the summary is complete once the iterator is exhausted."""
    label = str(path)
    if not Path(path).is_file():
        raise InputError("fichier introuvable.", file=label, fix="Vérifiez le chemin.")
    summary = StreamSummary(label)
    read = kwargs.pop("read", None)
    return stream_matches(iso2709_records(path, read=read), themes, label=label, summary=summary,
                          **kwargs), summary


def match_store(path: str | Path, themes: list[Theme], *, ignore: Iterable[str] = (), min_score: float = 0.0,
                workers: int | None = None, chunk_size: int = CHUNK, done: Callable[[int], None] | None = None,
                matcher: StoreMatcher | None = None) -> tuple[Iterator[Match], StreamSummary]:
    """The matches of a harvested store's items, as `match_items` gives them for the same items read whole
    (kinship included): those kept at harvest time under the same themes are read, the others matched now on
    `workers` processes and kept. Items come in identifier order, the works that take the theme of their
    author or series after the others. The summary is complete once the iterator is exhausted."""
    summary = StreamSummary(str(path))
    matcher = matcher or StoreMatcher(themes, ignore=ignore)
    return _store_matches(path, matcher, set(ignore), min_score, summary, workers=workers, chunk_size=chunk_size,
                          done=done), summary


STORED = "OAI-PMH (base locale)"


def _store_matches(path, matcher: StoreMatcher, ignore: set[str], min_score: float, summary: StreamSummary,
                   **stream) -> Iterator[Match]:
    from outreach.sources.harvest_store import kept_count, kept_matches, unmatched_kin

    match_missing(path, matcher, **stream)  # items harvested before, or under other themes
    kin = Kinship(ignore)
    summary.items = kept_count(path, matcher.key)
    for item_id, found, author, series, title in kept_matches(path, matcher.key):
        found = json.loads(found)
        strong = {theme for theme, score, _ in found if score >= STRONG}
        if strong and kin.active:
            kin.observe(author, series, title, strong)
        yield from ((item_id, theme, score, reason) for theme, score, reason in found if score >= min_score)
    summary.records, summary.kinds = summary.items, {STORED} if summary.items else set()
    if not summary.items:
        raise no_marc_record(str(path), [])
    if not (kin.by_author or kin.by_series):
        return
    for item_id, author, series in unmatched_kin(path, matcher.key):
        m = kin.match(item_id, author, series)
        if m is not None and m.score >= min_score:
            yield m.item_id, m.theme_id, m.score, m.reason


def iso2709_head(path: str | Path, size: int = 100_000) -> bytes | None:
    """The first bytes of a file (uncompressed when .gz), enough to tell ISO 2709; None if it cannot be read
    (the reader then reports why)."""
    try:
        with (gzip.open if str(path).endswith(".gz") else open)(path, "rb") as f:
            return f.read(size)
    except (OSError, EOFError):
        return None
