"""The demonstration sample shipped in data/samples/ (see data/SOURCES.md for what is real and what is arranged).

The catalogue is 2,383 real UNIMARC records of the Médiathèque de Roubaix. The shipped network is in
Bouches-du-Rhône and Paris, so, as a demonstration only, each record is given to one of four shipped
branches by a stable hash of its record id: the counts per branch are real counts of real records, but
which branch holds which record is arranged.
"""

from __future__ import annotations

import hashlib
import pickle
import zlib
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import outreach.themes.provenance
from outreach import atomic
from outreach.model import CatalogueItem, CatalogueProvenance, LibraryEvent
from outreach.paths import cache_dir, data_dir
from outreach.sources.catalogue import read_authorised_values, read_catalogue
from outreach.sources.events import read_events
from outreach.territory import branch_near
from outreach.themes.provenance import DEMO_MARK, provenance_of

# Médiathèque de la Canopée (Paris 1er), Marguerite Duras (Paris 20e), Le Merlan (Marseille 14e),
# Méjanes (Aix-en-Provence): ids of data/branches.geojson
DEMO_BRANCHES = ("17615", "10267", "5425", "19957")


def samples_dir() -> Path:
    return data_dir() / "samples"


def sample_catalogue_path() -> Path:
    return samples_dir() / "roubaix-unimarc-sample-2383.mrc"


def sample_authorised_values_path() -> Path:
    return samples_dir() / "roubaix-koha-authorised-values.csv"


def sample_events_path() -> Path:
    return samples_dir() / "agenda-demo.json"


def demo_branch(record_id: str, owners: list[str] | None = None) -> str:
    """The shipped branch a sample record is given to (stable from run to run)."""
    return DEMO_BRANCHES[zlib.crc32(record_id.encode("utf-8")) % len(DEMO_BRANCHES)]


@cache
def roubaix_collection_labels() -> dict[str, str]:
    return read_authorised_values(sample_authorised_values_path())


def _cache_key() -> str:
    """Hash of everything the parsed sample depends on: the files, and the code that reads and holds them
    (a reader fixed in an update must not be hidden behind the previous version's cached result)."""
    sources = (sample_catalogue_path(), sample_authorised_values_path(), Path(__file__),
               Path(outreach.themes.provenance.__file__))
    return hashlib.sha256(b"".join(p.read_bytes() for p in sources) + reader_code_key().encode()).hexdigest()[:16]


def reader_code_key() -> str:
    """Hash of the code that reads catalogue records into items: part of the key of every parsed-catalogue cache."""
    import outreach.model
    import outreach.sources.catalogue
    import outreach.sources.shelving

    return atomic.source_digest((outreach.sources.shelving.__file__, outreach.sources.catalogue.__file__,
                                 outreach.model.__file__))[:16]


@cache
def _shipped_catalogue() -> tuple[CatalogueItem, ...]:
    # Decoding 2,383 UNIMARC records takes about a second (pymarc); the parsed sample is kept in the cache
    # folder, keyed on the content of the files it comes from, so that only the first start pays for it.
    cached = cache_dir() / f"shipped-catalogue-{_cache_key()}.pickle"
    try:
        return pickle.loads(cached.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        pass
    read = read_catalogue(sample_catalogue_path(), branch_of=demo_branch,
                          collection_labels=roubaix_collection_labels())
    # marked as demonstration data: its figures are shown as such, never stated in an ad or a post
    items = tuple(i.model_copy(update={"extra": {**i.extra, DEMO_MARK: True}}) for i in read.items)
    atomic.keep_in_cache(cached, pickle.dumps(items, protocol=pickle.HIGHEST_PROTOCOL))
    return items


def shipped_catalogue() -> list[CatalogueItem]:
    """The Roubaix records, each assigned to one of the demonstration branches (marked as demonstration data)."""
    return list(_shipped_catalogue())


def shipped_provenance() -> CatalogueProvenance:
    """What the banner says of the demonstration sample."""
    return provenance_of(_shipped_catalogue())


@cache
def _sample_events() -> tuple[LibraryEvent, ...]:
    from outreach.datasets import shipped_branches

    branches = list(shipped_branches())
    read = read_events(sample_events_path(), branches=branches, near=branch_near(branches))
    return tuple(e.model_copy(update={"demo": True}) for e in read.events)


def shipped_events(today: date | None = None) -> list[LibraryEvent]:
    """The demonstration agenda: real OpenAgenda events, re-dated and placed at shipped branches, each marked
    `demo` (no draft, ad or post announces one).

    The file dates them from December 2026 on; once that is past, every event is moved forward by the same
    whole number of weeks so that the agenda still starts within a week of `today` (a demonstration must
    show upcoming events; weekdays and times of day are kept).
    """
    events = list(_sample_events())
    today = today or date.today()
    first = min(e.start.date() for e in events)
    if first >= today:
        return events
    shift = timedelta(weeks=-(-(today - first).days // 7))
    return [e.model_copy(update={"start": e.start + shift, "end": e.end + shift if e.end else None})
            for e in events]
