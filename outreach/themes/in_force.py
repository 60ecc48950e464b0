"""The catalogue and the agenda in force for the network: what the officer loaded, and from which source.

One answer for every face: `outreach plan` and the Campagne and Exporter pages (through `outreach.pipeline`),
the multichannel posts, the questionnaire's recommendations and the pages' banners all ask `catalogue_in_force`
and `agenda_in_force`, so that a figure in an ad, a post or a recommendation always comes from the same items.

The catalogue in force is the harvest store (`outreach catalogue fetch`, the Thèmes page) and the files kept
on the Thèmes page (saved in the network's catalogue folder with their name, date and record count). When
nothing is loaded, the items are None: the planner then shows the demonstration sample, whose figures never
reach copy or posts (`outreach.themes.provenance`). The agenda in force is the network's own files and feeds
(`agenda_sources` in the settings); the demonstration agenda never reaches copy, posts or recommendations.

Copies carry the library system's owner code (Koha 995$b…); `catalogue_branches` in the settings says which
branch of the network each code is.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import pickle
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from outreach import atomic
from outreach.errors import InputError
from outreach.model import CatalogueItem, CatalogueProvenance, LibraryEvent
from outreach.paths import cache_dir, harvest_store_path, network_agenda_dir, network_catalogue_dir
from outreach.text import number, slug
from outreach.themes.large import LargeCatalogue, owner_code_counts
from outreach.themes.provenance import provenance_of
from outreach.themes.stored import OWNER, placed

FILES_INDEX = "fichiers.yaml"
MAPPING_HINT = "reliez ces codes à vos bibliothèques (page Thèmes, onglet « Vos fichiers »)"


class KeptFile(BaseModel):
    """A catalogue file kept on the Thèmes page: the file in the catalogue folder, as the officer named it."""

    file: str  # its name in the network's catalogue folder
    name: str  # the name it was uploaded with
    loaded: date
    records: int = Field(ge=0)


_KEPT = TypeAdapter(list[KeptFile])


@dataclass
class CatalogueInForce:
    """`items` None: nothing loaded, the demonstration sample stands in (no figure of it reaches copy). A
    harvested store alone is a `LargeCatalogue` (`outreach.themes.stored`): its items are not all read."""

    items: list[CatalogueItem] | LargeCatalogue | None
    provenance: CatalogueProvenance
    sources: list[str] = field(default_factory=list)  # French names of what was read
    notes: list[str] = field(default_factory=list)

    @property
    def loaded(self) -> bool:
        return self.items is not None


@dataclass
class AgendaInForce:
    events: list[LibraryEvent]
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------------ kept files

def files_dir() -> Path:
    return network_catalogue_dir() / "fichiers"


def _index_path() -> Path:
    return network_catalogue_dir() / FILES_INDEX


def kept_files() -> list[KeptFile]:
    """The catalogue files kept for the network, oldest first."""
    from outreach.yamlfile import read_yaml

    path = _index_path()
    if not path.exists():
        return []
    try:
        return _KEPT.validate_python((read_yaml(path) or {}).get("files") or [])
    except (ValidationError, AttributeError) as exc:
        raise InputError("liste des catalogues gardés illisible.", file=path,
                         fix="Supprimez ce fichier, puis gardez à nouveau vos catalogues sur la page Thèmes.") from exc


def _write_index(files: list[KeptFile]) -> None:
    import yaml

    atomic.write_text(_index_path(), yaml.safe_dump({"files": [f.model_dump(mode="json") for f in files]},
                                                    allow_unicode=True, sort_keys=False))


def keep_catalogue_file(name: str, data: bytes, *, today: date | None = None) -> KeptFile:
    """Read an uploaded catalogue (refused, with the reader's French message, when unreadable), then save it in
    the network's catalogue folder; a file of the same name replaces the earlier one."""
    read = read_catalogue_file(name, data)
    kept = KeptFile(file=_safe_name(name, "catalogue"), name=name, loaded=today or date.today(),
                    records=len(read.items))
    atomic.write_bytes(files_dir() / kept.file, data)
    _cache_items(data, read.items)  # read once: the plans that follow take the parsed items
    _write_index([f for f in kept_files() if f.file != kept.file] + [kept])
    return kept


def _safe_name(name: str, default: str) -> str:
    """An uploaded file's name as a file name of ours: no folder, no character a file system refuses."""
    stem, _, ext = Path(name).name.rpartition(".")
    if not stem:
        stem, ext = ext, ""
    return (slug(stem) or default) + (f".{slug(ext)}" if slug(ext) else "")


def forget_catalogue_file(file: str) -> None:
    """Stop using a kept file: it leaves the catalogue in force and the folder."""
    _write_index([f for f in kept_files() if f.file != file])
    with contextlib.suppress(FileNotFoundError):
        (files_dir() / Path(file).name).unlink()


# ------------------------------------------------------------------------------------------ reading

def read_catalogue_file(name: str, data: bytes | None = None, path: Path | None = None):
    """A catalogue file read as the Thèmes page reads an upload; the harvest store's SQLite too."""
    from outreach.sources import is_store, read_catalogue, read_store
    from outreach.themes.samples import roubaix_collection_labels

    if path is not None and is_store(path):
        return read_store(path, name=name)
    return read_catalogue(path or name, data=data, name=name, collection_labels=roubaix_collection_labels())


def _read_cached(path: Path, name: str) -> list[CatalogueItem]:
    """The items of a kept file, from a cache keyed on its bytes and the readers' code (a plan, a page, a post
    reads the same file again: pymarc takes about a second for 2,000 records)."""
    data = path.read_bytes()
    with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, AttributeError):
        return pickle.loads(_cache_path(data).read_bytes())
    items = read_catalogue_file(name, data).items
    _cache_items(data, items)
    return items


def _cache_path(data: bytes) -> Path:
    from outreach.themes.samples import reader_code_key

    return cache_dir() / f"kept-catalogue-{hashlib.sha256(data).hexdigest()[:16]}-{reader_code_key()}.pickle"


def _cache_items(data: bytes, items: list[CatalogueItem]) -> None:
    atomic.keep_in_cache(_cache_path(data), pickle.dumps(items, protocol=pickle.HIGHEST_PROTOCOL))


def _settings(settings):
    if settings is not None:
        return settings
    from outreach.settings import load_settings

    return load_settings()


def _unknown_codes(codes: Counter) -> Counter:
    """The owner codes (with their record counts) that are no branch id of the ministry's list."""
    from outreach.datasets import national_branches, shipped_branches

    known = {b.id for b in shipped_branches()}
    # the ministry's ids are numbers: only a number outside the shipped network needs the national list (1 s)
    if any(c.isdigit() and c not in known for c in codes):
        known |= {b.id for b in national_branches()}
    return Counter({c: n for c, n in codes.items() if c not in known})


def catalogue_in_force(settings=None, *, files: Sequence[str | Path] = ()) -> CatalogueInForce:
    """The network's catalogue: the `files` named (`outreach plan --catalogue`), else the harvest store and the
    kept files; None items (the demonstration sample) when nothing is loaded. A harvested store read alone is
    not read whole (`outreach.themes.stored`); with other files, every item is read."""
    from outreach.sources import is_store
    from outreach.themes.samples import shipped_provenance

    read: list[tuple[str, list[CatalogueItem], date]] = []
    notes: list[str] = []
    mapping = _settings(settings).catalogue_branches
    if files:
        paths = [Path(f) for f in files]
        for path in paths:
            if not path.is_file():
                raise InputError("fichier introuvable.", file=path, where="--catalogue",
                                 fix="Donnez le chemin d'un export du catalogue (ISO 2709, MARCXML, CSV) ou de "
                                     "la base moissonnée (harvest.sqlite).")
        if len(paths) == 1 and is_store(paths[0]):
            with contextlib.suppress(InputError):  # e.g. read-only, missing matches: read whole below
                return _stored_in_force(paths[0], f"« {paths[0].name} »", mapping)
        for path in paths:
            read.append((f"« {path.name} »", read_catalogue_file(str(path), path=path).items,
                         date.fromtimestamp(path.stat().st_mtime)))
    else:
        store, kept = harvest_store_path(), kept_files()
        if store.is_file():
            try:
                if not kept:
                    # a store whose missing matches cannot be kept (read-only) is read whole below, as before
                    with contextlib.suppress(InputError):
                        return _stored_in_force(store, "moisson OAI-PMH", mapping)
                read.append(("moisson OAI-PMH", read_catalogue_file(str(store), path=store).items,
                             date.fromtimestamp(store.stat().st_mtime)))
            except InputError as exc:  # an empty or broken store: said, and the other sources still count
                notes.append(f"Catalogue moissonné laissé de côté : {exc}")
        for kept_file in kept:
            path = files_dir() / kept_file.file
            try:
                read.append((f"« {kept_file.name} »", _read_cached(path, kept_file.name), kept_file.loaded))
            except (InputError, OSError) as exc:
                notes.append(f"Catalogue « {kept_file.name} » laissé de côté : {exc}")
    if not any(items for _, items, _ in read):
        return CatalogueInForce(None, shipped_provenance(), [], notes)
    items = [placed(i, mapping) for _, found, _ in read for i in found]
    sources = [label for label, found, _ in read if found]
    notes += _unplaced_note(Counter(i.branch_id for i in items))
    provenance = provenance_of(items, label="catalogue du réseau (" + ", ".join(sources) + ")",
                               when=max(when for _, found, when in read if found))
    return CatalogueInForce(items, provenance, sources, notes)


def _stored_in_force(path: Path, label: str, mapping: dict[str, str]) -> CatalogueInForce:
    """A harvested store alone: its matched rows and counts, not every item (`outreach.themes.stored`)."""
    from outreach.themes.stored import stored_catalogue

    items = stored_catalogue(path, label=str(path), mapping=mapping)
    placed_counts: Counter = Counter()
    for code, n in items.owner_counts().items():
        placed_counts[mapping.get(code) or code] += n
    provenance = provenance_of(items, label=f"catalogue du réseau ({label})",
                               when=date.fromtimestamp(path.stat().st_mtime))
    return CatalogueInForce(items, provenance, [label], _unplaced_note(placed_counts))


def _unplaced_note(branch_counts: Counter) -> list[str]:
    """`branch_counts`: records per branch id, once the owner codes are placed."""
    codes = _unknown_codes(branch_counts)
    if not codes:
        return []
    named = ", ".join(f"« {c} » ({number(n)})" if c else f"sans code ({number(n)})" for c, n in _most_used(codes)[:6])
    return [f"{number(sum(codes.values()))} notice(s) du catalogue n'appartiennent à aucune bibliothèque connue "
            f"({named}) : elles ne comptent pour aucune ; {MAPPING_HINT}."]


def owner_codes(items: Sequence[CatalogueItem], settings=None) -> list[tuple[str, int, str]]:
    """(owner code, records, branch id it maps to or "") of the codes that are not branch ids, most used first:
    what the Thèmes page asks the officer to place."""
    mapping = _settings(settings).catalogue_branches
    counts = _unknown_codes(owner_code_counts(items, OWNER))
    return [(code, n, mapping.get(code, "")) for code, n in _most_used(counts)]


def _most_used(counts: Counter) -> list[tuple[str, int]]:
    """Most records first, then by code: the same order whether the items were read whole or counted in SQL."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


# ------------------------------------------------------------------------------------------ agenda

def keep_agenda_file(name: str, data: bytes, settings=None) -> Path:
    """Save an uploaded agenda in the network's agenda folder and add it to the settings' agenda sources."""
    from outreach.settings import save_settings

    read_agenda(name, data)  # refused now, with the reader's message, rather than at the next plan
    target = network_agenda_dir() / _safe_name(name, "agenda")
    atomic.write_bytes(target, data)
    current = _settings(settings)
    if str(target) not in current.agenda_sources:
        save_settings(current.model_copy(update={"agenda_sources": [*current.agenda_sources, str(target)]}))
    return target


def read_agenda(name: str, data: bytes | None = None):
    from outreach.datasets import shipped_branches
    from outreach.sources import read_events
    from outreach.territory import branch_near

    branches = list(shipped_branches())
    return read_events(name, data=data, name=name, branches=branches, near=branch_near(branches))


def agenda_in_force(settings=None) -> AgendaInForce:
    """The network's own events, from every file and feed of its settings; an unreadable one is said in a note
    and the others still count (a feed down for an hour must not stop a plan)."""
    events: dict[str, LibraryEvent] = {}
    sources, notes = [], []
    for source in _settings(settings).agenda_sources:
        try:
            read = read_agenda(source)  # a feed's address is fetched by the reader, within its bounds
        except InputError as exc:
            notes.append(f"Agenda laissé de côté : {exc}")
            continue
        sources.append(Path(source).name if "://" not in source else source)
        for e in read.events:
            events.setdefault(e.id, e)
    return AgendaInForce(sorted(events.values(), key=lambda e: (e.start.isoformat(), e.id)), sources, notes)


def in_force_version(settings=None) -> tuple:
    """What the catalogue and agenda in force depend on, as a cache key: the store's and the kept files' dates,
    the settings' mapping and sources (a feed's content is read again when this changes or the cache expires)."""
    current = _settings(settings)
    stamps = []
    for path in (harvest_store_path(), _index_path(), *(Path(s) for s in current.agenda_sources if "://" not in s)):
        try:
            stamps.append((str(path), path.stat().st_mtime_ns))
        except OSError:
            stamps.append((str(path), 0))
    # a harvested store's catalogue holds the matches of the themes and the shelf map in force
    from outreach.themes.catalogue import themes_file_key
    from outreach.themes.shelves import load_shelf_map

    try:
        shelves = json.dumps(load_shelf_map(), sort_keys=True)
    except InputError:  # said where the map is used
        shelves = ""
    return (tuple(stamps), tuple(sorted(current.catalogue_branches.items())), tuple(current.agenda_sources),
            themes_file_key(), shelves,
            datetime.now().strftime("%Y-%m-%d %H"))  # feeds: read again at least every hour
