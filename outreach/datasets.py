"""The data shipped in data/, and the choice between it, the national lists and the user's files."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from outreach.errors import InputError
from outreach.model import Area, Branch
from outreach.paths import campaigns_dir, data_dir, shipped_campaigns_dir
from outreach.sources.areas import read_areas
from outreach.sources.branches import read_branches, read_ministry_csv


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


@cache
def shipped_branches() -> tuple[Branch, ...]:
    return tuple(read_branches(shipped_branches_path()).branches)


@cache
def shipped_areas() -> tuple[Area, ...]:
    return tuple(read_areas(shipped_areas_path()).areas)


@cache
def national_branches() -> tuple[Branch, ...]:
    return tuple(read_ministry_csv(national_libraries_path()).branches)


@cache
def national_areas() -> tuple[Area, ...]:
    return tuple(read_areas(national_communes_path()).areas)


def departements_path() -> Path:
    return data_dir() / "national" / "departements.csv"


@cache
def departement_names() -> dict[str, str]:
    """Code → name of every département, as the Ministry list spells them (derived by scripts/build_data.py)."""
    import csv

    with open(departements_path(), encoding="utf-8", newline="") as f:
        return {row["code"]: row["name"] for row in csv.DictReader(f)}


def shipped_departements() -> list[str]:
    return sorted({a.departement for a in shipped_areas()})


def national_departements() -> list[str]:
    return sorted({a.departement for a in national_areas()})


@dataclass
class TerritoryInput:
    branches: list[Branch]
    areas: list[Area]
    branches_source: str
    areas_source: str
    notes: list[str] = field(default_factory=list)


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
    use_national = dep is not None and dep not in shipped_departements()
    if dep is not None and use_national and dep not in national_departements():
        raise InputError(f"département « {departement} » inconnu.",
                         fix="Donnez un code de département comme 13, 75, 2A ou 974.", field="departement")

    if branches_file:
        args, kwargs = _read_args(branches_file)
        read = read_branches(*args, **kwargs, geocoder=geocoder, progress=progress)
        branches, branches_source = read.branches, read.path
        notes += read.notes
    elif use_national:
        branches, branches_source = list(national_branches()), str(national_libraries_path())
    else:
        branches, branches_source = list(shipped_branches()), str(shipped_branches_path())
    if areas_file:
        args, kwargs = _read_args(areas_file)
        read_a = read_areas(*args, **kwargs)
        areas, areas_source = read_a.areas, read_a.path
        notes += read_a.notes
    elif use_national:
        areas, areas_source = list(national_areas()), str(national_communes_path())
    else:
        areas, areas_source = list(shipped_areas()), str(shipped_areas_path())

    if dep is not None:
        branches = [b for b in branches if b.departement == dep]
        areas = [a for a in areas if a.departement == dep]
    closed = [b for b in branches if not b.open_to_public]
    if closed and not include_closed:
        branches = [b for b in branches if b.open_to_public]
        notes.append(f"{len(closed)} site(s) fermé(s) au public écarté(s) : "
                     + ", ".join(b.name for b in closed[:5]) + ("…" if len(closed) > 5 else "") + ".")
    where = f" dans le département {dep}" if dep else ""
    if not branches:
        raise InputError(f"aucune bibliothèque{where}.", file=branches_source,
                         fix="Vérifiez le code de département ou le fichier de bibliothèques.")
    if not areas:
        raise InputError(f"aucune zone{where}.", file=areas_source,
                         fix="Vérifiez le code de département ou le fichier de zones.")
    return TerritoryInput(branches, areas, branches_source, areas_source, notes)
