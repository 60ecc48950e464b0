"""Readers of target areas: GeoJSON polygons, or CSV points `code,name,lat,lon[,population]`."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from outreach.errors import InputError, InputErrors
from outreach.sources.coordinates import check_points
from outreach.sources.geojson import checked_position, feature_label, first_property, load_features
from outreach.sources.insee import departement_of
from outreach.sources.tabular import Table, duplicates, parse_float, parse_floats, read_table

if TYPE_CHECKING:
    from outreach.model import Area

CODE_ALIASES = ("code", "code_insee", "insee", "c_arinsee", "code_commune")
NAME_ALIASES = ("name", "nom", "l_ar", "libelle", "nom_commune")
POPULATION_ALIASES = ("population", "population_municipale", "pop")
MAX_POPULATION = 100_000_000  # more than France: a typing mistake, or a number too large to count people


# An area frame has one column per field of Area (a test keeps them equal): the frames are made without
# loading the models, which `outreach nearest` never needs.
AREA_COLUMNS = ["code", "name", "kind", "departement", "population", "postcodes", "lat", "lon", "geometry"]


@dataclass
class AreasRead:
    """What a reader found: one row per area in `frame` (the columns of Area, `postcodes` as the file gives
    them); `areas`, the models, are built on first use only, since the nearest-branch engine works on the
    columns."""

    path: str
    frame: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @cached_property
    def areas(self) -> list[Area]:
        return areas_of(self.frame)


def areas_of(frame: pd.DataFrame) -> list[Area]:
    """The models of an area frame's rows (unknown population None, postcodes as a tuple), validated in one
    call (twice as fast as one model at a time, for the 35,000 of the national list)."""
    columns = {name: frame[name].tolist() for name in AREA_COLUMNS}
    columns["population"] = [None if p is pd.NA or p is None else int(p) for p in columns["population"]]
    columns["postcodes"] = [_postcodes(p) for p in columns["postcodes"]]
    columns["geometry"] = [g if isinstance(g, dict) else None for g in columns["geometry"]]
    return _area_list().validate_python([dict(zip(AREA_COLUMNS, values, strict=True))
                                         for values in zip(*columns.values(), strict=True)])


@cache
def _area_list():
    from pydantic import TypeAdapter

    from outreach.model import Area

    return TypeAdapter(list[Area])


def area_frame(areas) -> pd.DataFrame:
    """An area frame from models, or from dicts with the fields of Area."""
    rows = [a if isinstance(a, dict) else a.model_dump() for a in areas]
    frame = pd.DataFrame(rows, columns=AREA_COLUMNS)
    return frame.astype({"population": "Int64", "lat": float, "lon": float})


def _postcode(value) -> str:
    # a JSON number loses the leading zero of Ain's or Aisne's postcodes (1000 is 01000)
    return f"{value:05d}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _postcodes(value) -> tuple[str, ...]:
    if isinstance(value, int) and not isinstance(value, bool):
        return (_postcode(value),)
    if isinstance(value, (list, tuple)):
        return tuple(_postcode(v) for v in value)
    if isinstance(value, str) and value:
        return tuple(p.strip() for p in value.replace(",", ";").split(";") if p.strip())
    return ()


def _population(value, where: str, errors: list[InputError]) -> int | None:
    if value in (None, ""):
        return None
    number = parse_float(str(value))
    if number is None or number < 0 or number > MAX_POPULATION:
        errors.append(InputError(f"population illisible : « {value} ».", where=where,
                                 fix="Écrivez un nombre entier positif, ou laissez la case vide."))
        return None
    return int(number)


def _kind(code: str, declared) -> str:
    if declared in ("commune", "arrondissement", "custom"):
        return declared
    return "arrondissement" if code[:3] in ("751", "132", "693") and len(code) == 5 else "commune"


def _inside_point(geom, props: dict):
    """The point given in the properties (`lat`/`lon`: a town hall, say) if it lies in the polygon,
    else a point that is certain to (shapely's representative point)."""
    from shapely.geometry import Point

    lat, lon = parse_float(str(props.get("lat", ""))), parse_float(str(props.get("lon", "")))
    if lat is not None and lon is not None:
        given = Point(lon, lat)
        if geom.contains(given):
            return given
    return geom.representative_point()


def read_areas_geojson(path: str | Path, *, data: bytes | None = None, name: str | None = None) -> AreasRead:
    # shapely only for outlines: a CSV of points, the national list, does not load it
    import shapely
    from shapely.geometry import shape

    label = name or str(path)
    features = load_features(path, data=data, name=name)
    areas, errors = [], []
    seen: dict[str, str] = {}
    for i, feat in enumerate(features):
        where = feature_label(i, feat, CODE_ALIASES + NAME_ALIASES)
        props = feat.get("properties") or {}
        geometry = feat.get("geometry")
        try:
            checked_position(feat, label=label, where=where,
                             missing_fix="Dessinez le contour de la zone ou supprimez l'objet.")
        except InputError as exc:
            errors.append(exc)
            continue
        code = str(first_property(props, CODE_ALIASES) or "").strip()
        if not code:
            errors.append(InputError("code manquant.", where=where,
                                     fix="Ajoutez une propriété « code » (le code INSEE de la commune)."))
            continue
        if code in seen:
            errors.append(InputError(f"code {code} en double (déjà utilisé par {seen[code]}).", where=where,
                                     fix="Chaque zone doit avoir un code unique."))
            continue
        seen[code] = f"l'objet n°{i + 1}"
        try:
            geom = shape(geometry)
            if not geom.is_valid:
                geom = shapely.make_valid(geom)
            point = geom if geom.geom_type == "Point" else _inside_point(geom, props)
        except (ValueError, TypeError, shapely.errors.ShapelyError) as exc:
            errors.append(InputError(f"géométrie invalide ({exc}).", where=where,
                                     fix="Réparez la géométrie (QGIS : « Réparer les géométries »)."))
            continue
        population = _population(first_property(props, POPULATION_ALIASES), where, errors)
        areas.append(dict(
            code=code, name=str(first_property(props, NAME_ALIASES) or code), kind=_kind(code, props.get("kind")),
            departement=str(props.get("departement") or props.get("code_departement") or departement_of(code)),
            population=population, postcodes=_postcodes(props.get("postcodes") or props.get("codes_postaux")),
            lat=point.y, lon=point.x, geometry=None if geometry["type"] == "Point" else geometry))
    if errors:
        raise InputErrors(errors, file=label)
    return AreasRead(path=label, frame=area_frame(areas))


def areas_from_table(table: Table) -> AreasRead:
    """Column by column (35,000 communes): only the rows that fail a check are looked at one by one."""
    code_col, name_col = table.column(*CODE_ALIASES), table.column(*NAME_ALIASES)
    lat_col, lon_col = table.column("lat", "latitude"), table.column("lon", "lng", "longitude")
    missing = [n for n, c in (("code", code_col), ("name", name_col), ("lat", lat_col), ("lon", lon_col)) if c is None]
    if missing:
        table.require(*missing, fix="Ajoutez-les : un fichier de zones en CSV a les colonnes code,name,lat,lon et, "
                                    "en option, population.")
    pop_col, pc_col = table.column(*POPULATION_ALIASES), table.column("postcodes", "codes_postaux")
    dep_col, kind_col = table.column("departement", "code_departement"), table.column("kind")
    frame = table.frame
    errors: dict[int, InputError] = {}
    lat, lon = parse_floats(frame[lat_col]), parse_floats(frame[lon_col])
    for i in np.flatnonzero(np.isnan(lat) | np.isnan(lon)).tolist():
        errors[i] = InputError(f"coordonnées manquantes ou illisibles (lat « {frame[lat_col].iat[i]} », "
                               f"lon « {frame[lon_col].iat[i]} »).", where=table.row_label(i),
                               fix="Renseignez lat et lon en degrés décimaux.")

    def remaining(rows: np.ndarray) -> np.ndarray:
        return rows[~np.isin(rows, list(errors))] if errors else rows

    rows = remaining(np.arange(len(frame)))
    errors.update((int(rows[j]), exc) for j, exc in
                  check_points(lat[rows], lon[rows], file=table.path, where=lambda j: table.row_label(rows[j])))
    rows = remaining(rows)
    codes = frame[code_col]
    for i in rows[(codes.iloc[rows] == "").to_numpy(dtype=bool)].tolist():
        errors[i] = InputError("code vide.", where=table.row_label(i), fix="Renseignez le code INSEE de la zone.")
    rows = remaining(rows)
    for i, first in duplicates(codes.iloc[rows], rows):
        errors[i] = InputError(f"code {codes.iat[i]} en double (déjà en {table.row_label(first)}).",
                               where=table.row_label(i), fix="Chaque zone doit avoir un code unique.")
    rows = remaining(rows)
    kept = frame.iloc[rows].reset_index(drop=True)
    population = _population_column(kept[pop_col] if pop_col else None, rows, table, errors)
    if errors:
        raise InputErrors([errors[i] for i in sorted(errors)], file=table.path)

    code, name = kept[code_col], kept[name_col]
    departement = kept[dep_col].copy() if dep_col else pd.Series("", index=kept.index, dtype=object)
    no_dep = departement == ""
    if no_dep.any():
        departement[no_dep] = [departement_of(c) for c in code[no_dep]]
    out = pd.DataFrame({
        "code": code, "name": name.where(name != "", code),
        "kind": _kinds(code, kept[kind_col] if kind_col else None),
        "departement": departement, "population": population,
        "postcodes": kept[pc_col] if pc_col else "",
        "lat": lat[rows], "lon": lon[rows], "geometry": None,
    }, columns=AREA_COLUMNS)
    return AreasRead(path=table.path, frame=out, notes=table.notes)


def _population_column(values: pd.Series | None, rows: np.ndarray, table: Table,
                       errors: dict[int, InputError]) -> pd.arrays.IntegerArray:
    """`_population` over a column: whole numbers (truncated), NA when empty; errors for the others."""
    if values is None:
        return pd.array([None] * len(rows), dtype="Int64")
    number = parse_floats(values)
    given = (values != "").to_numpy()
    wrong = given & (np.isnan(number) | (number < 0) | (number > MAX_POPULATION))
    for j in np.flatnonzero(wrong).tolist():
        found: list[InputError] = []
        _population(values.iat[j], table.row_label(int(rows[j])), found)  # the same message as one by one
        errors[int(rows[j])] = found[0]
    return pd.array(np.where(given & ~wrong, np.trunc(np.nan_to_num(number)), np.nan), dtype="Int64")


def _kinds(codes: pd.Series, declared: pd.Series | None) -> pd.Series:
    """`_kind` over columns."""
    guessed = np.where(codes.str[:3].isin(("751", "132", "693")) & (codes.str.len() == 5), "arrondissement", "commune")
    if declared is None:
        return pd.Series(guessed, index=codes.index, dtype=object)
    return declared.where(declared.isin(("commune", "arrondissement", "custom")), guessed).astype(object)


def read_areas_csv(path: str | Path, *, data: bytes | None = None, name: str | None = None) -> AreasRead:
    return areas_from_table(read_table(path, data=data, name=name))


def read_areas(path: str | Path, *, data: bytes | None = None, name: str | None = None) -> AreasRead:
    label = (name or str(path)).lower()
    if label.endswith((".geojson", ".json")):
        return read_areas_geojson(path, data=data, name=name)
    if label.endswith((".csv", ".csv.gz", ".txt", ".tsv")):
        return read_areas_csv(path, data=data, name=name)
    raise InputError("format non reconnu pour des zones.", file=name or path,
                     fix="Fournissez un fichier .geojson (contours) ou .csv (code,name,lat,lon).")
