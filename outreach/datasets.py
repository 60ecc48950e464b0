"""The data shipped in data/, and the choice between it, the national lists and the user's files."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from outreach.errors import InputError
from outreach.paths import campaigns_dir, data_dir, shipped_campaigns_dir
from outreach.sources.areas import AreasRead, areas_of, read_areas
from outreach.sources.branches import BranchesRead, branches_of, read_branches, read_ministry_csv

if TYPE_CHECKING:
    from outreach.model import Area, Branch  # the models are built only for callers that need them


def campaign_files() -> list[Path]:
    """The campaign files of the campaigns folder (the attestations kept beside them are not campaigns)."""
    return sorted(p for p in campaigns_dir().glob("*.yaml") if not p.name.endswith(".attestations.yaml"))


def example_campaign_path() -> Path:
    """The annotated example campaign: in the campaigns folder when it was copied there, else the shipped one."""
    name = "exemple-sf-bouches-du-rhone.yaml"
    local = campaigns_dir() / name
    return local if local.exists() else shipped_campaigns_dir() / name


def shipped_branches_path() -> Path:
    return data_dir() / "branches.geojson"


def shipped_areas_path() -> Path:
    return data_dir() / "areas.geojson"


def national_libraries_path() -> Path:
    return data_dir() / "national" / "bibliotheques.csv.gz"


def national_communes_path() -> Path:
    return data_dir() / "national" / "communes.csv.gz"


# The shipped files are read once per process and again only when one changes: each read is cached on the
# file's path and modification time. The reads keep their frames; the models are built on first use.

def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0  # the reader reports the missing file


@cache
def _branches_file(path: Path, mtime_ns: int, ministry: bool) -> BranchesRead:
    return read_ministry_csv(path) if ministry else read_branches(path)


@cache
def _areas_file(path: Path, mtime_ns: int) -> AreasRead:
    return read_areas(path)


def shipped_branches_read() -> BranchesRead:
    return _branches_file(shipped_branches_path(), _mtime(shipped_branches_path()), False)


def shipped_areas_read() -> AreasRead:
    return _areas_file(shipped_areas_path(), _mtime(shipped_areas_path()))


def national_branches_read() -> BranchesRead:
    return _branches_file(national_libraries_path(), _mtime(national_libraries_path()), True)


def national_areas_read() -> AreasRead:
    return _areas_file(national_communes_path(), _mtime(national_communes_path()))


def shipped_branches() -> tuple[Branch, ...]:
    return tuple(shipped_branches_read().branches)


def shipped_areas() -> tuple[Area, ...]:
    return tuple(shipped_areas_read().areas)


def national_branches() -> tuple[Branch, ...]:
    return tuple(national_branches_read().branches)


def national_areas() -> tuple[Area, ...]:
    return tuple(national_areas_read().areas)


def departements_path() -> Path:
    return data_dir() / "national" / "departements.csv"


@cache
def departement_names() -> dict[str, str]:
    """Code → name of every département, as the Ministry list spells them (derived by scripts/build_data.py)."""
    import csv

    with open(departements_path(), encoding="utf-8", newline="") as f:
        return {row["code"]: row["name"] for row in csv.DictReader(f)}


def shipped_departements() -> list[str]:
    return sorted(set(shipped_areas_read().frame["departement"]))


def national_departements() -> list[str]:
    return sorted(set(national_areas_read().frame["departement"]))


@dataclass
class TerritoryInput:
    """Branches and areas of one job, as frames (the columns of Branch and Area); the models are built on
    first use, for the callers that need them (`outreach nearest` works on the columns only)."""

    branch_frame: pd.DataFrame
    area_frame: pd.DataFrame
    branches_source: str
    areas_source: str
    notes: list[str] = field(default_factory=list)

    @cached_property
    def branches(self) -> list[Branch]:
        return branches_of(self.branch_frame)

    @cached_property
    def areas(self) -> list[Area]:
        return areas_of(self.area_frame)


FileArg = str | Path | tuple[str, bytes]  # a path, or (name, content) for an upload


def _read_args(file: FileArg) -> tuple[tuple, dict]:
    if isinstance(file, tuple):
        return (file[0],), {"data": file[1], "name": file[0]}
    return (file,), {}


def load_territory(*, branches_file: FileArg | None = None, areas_file: FileArg | None = None,
                   departement: str | None = None, include_closed: bool = False,
                   geocoder=None, progress=None) -> TerritoryInput:
    """Branches and areas for one job.

    Without files, the shipped network (Bouches-du-Rhône and Paris) is used; a département it does not
    cover comes from the national lists. Sites closed to the public (administrative offices, stores,
    bibliobus depots) are left out unless `include_closed`: nobody can be sent there.
    """
    notes: list[str] = []
    dep = departement.strip().upper().zfill(2) if departement else None
    # with both files given the shipped and national lists play no part (and are not even read)
    use_national = dep is not None and not (branches_file and areas_file) and dep not in shipped_departements()
    if use_national and dep not in national_departements():
        raise InputError(f"département « {departement} » inconnu.",
                         fix="Donnez un code de département comme 13, 75, 2A ou 974.", field="departement")

    if branches_file:
        args, kwargs = _read_args(branches_file)
        read = read_branches(*args, **kwargs, geocoder=geocoder, progress=progress)
        notes += read.notes
    else:
        read = national_branches_read() if use_national else shipped_branches_read()
    branches, branches_source = read.frame, read.path
    if areas_file:
        args, kwargs = _read_args(areas_file)
        read_a = read_areas(*args, **kwargs)
        notes += read_a.notes
    else:
        read_a = national_areas_read() if use_national else shipped_areas_read()
    areas, areas_source = read_a.frame, read_a.path

    if dep is not None:
        branches = branches[branches["departement"] == dep]
        areas = areas[areas["departement"] == dep]
    closed = branches[~branches["open_to_public"]]
    if len(closed) and not include_closed:
        branches = branches[branches["open_to_public"]]
        names = closed["name"].tolist()
        notes.append(f"{len(names)} site(s) fermé(s) au public écarté(s) : "
                     + ", ".join(names[:5]) + ("…" if len(names) > 5 else "") + ".")
    where = f" dans le département {dep}" if dep else ""
    if branches.empty:
        raise InputError(f"aucune bibliothèque{where}.", file=branches_source,
                         fix="Vérifiez le code de département ou le fichier de bibliothèques.")
    if areas.empty:
        raise InputError(f"aucune zone{where}.", file=areas_source,
                         fix="Vérifiez le code de département ou le fichier de zones.")
    return TerritoryInput(branches.reset_index(drop=True), areas.reset_index(drop=True), branches_source,
                          areas_source, notes)
