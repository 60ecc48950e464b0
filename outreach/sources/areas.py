"""Readers of target areas: GeoJSON polygons, or CSV points `code,name,lat,lon[,population]`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import shapely
from shapely.geometry import Point, shape

from outreach.errors import InputError, InputErrors
from outreach.model import Area, departement_of
from outreach.sources.coordinates import check_point
from outreach.sources.geojson import checked_position, feature_label, first_property, load_features
from outreach.sources.tabular import Table, parse_float, read_table

CODE_ALIASES = ("code", "code_insee", "insee", "c_arinsee", "code_commune")
NAME_ALIASES = ("name", "nom", "l_ar", "libelle", "nom_commune")
POPULATION_ALIASES = ("population", "population_municipale", "pop")
MAX_POPULATION = 100_000_000  # more than France: a typing mistake, or a number too large to count people


@dataclass
class AreasRead:
    path: str
    areas: list[Area]
    notes: list[str] = field(default_factory=list)


def _postcodes(value) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(v) for v in value)
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
    lat, lon = parse_float(str(props.get("lat", ""))), parse_float(str(props.get("lon", "")))
    if lat is not None and lon is not None:
        given = Point(lon, lat)
        if geom.contains(given):
            return given
    return geom.representative_point()


def read_areas_geojson(path: str | Path, *, data: bytes | None = None, name: str | None = None) -> AreasRead:
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
        areas.append(Area(
            code=code, name=str(first_property(props, NAME_ALIASES) or code), kind=_kind(code, props.get("kind")),
            departement=str(props.get("departement") or props.get("code_departement") or departement_of(code)),
            population=population, postcodes=_postcodes(props.get("postcodes") or props.get("codes_postaux")),
            lat=point.y, lon=point.x, geometry=None if geometry["type"] == "Point" else geometry))
    if errors:
        raise InputErrors(errors, file=label)
    return AreasRead(path=label, areas=areas)


def areas_from_table(table: Table) -> AreasRead:
    code_col, name_col = table.column(*CODE_ALIASES), table.column(*NAME_ALIASES)
    lat_col, lon_col = table.column("lat", "latitude"), table.column("lon", "lng", "longitude")
    missing = [n for n, c in (("code", code_col), ("name", name_col), ("lat", lat_col), ("lon", lon_col)) if c is None]
    if missing:
        table.require(*missing, fix="Ajoutez-les : un fichier de zones en CSV a les colonnes code,name,lat,lon et, "
                                    "en option, population.")
    pop_col, pc_col = table.column(*POPULATION_ALIASES), table.column("postcodes", "codes_postaux")
    dep_col, kind_col = table.column("departement", "code_departement"), table.column("kind")
    areas, errors = [], []
    seen: dict[str, str] = {}
    for i, row in enumerate(table.frame.to_dict("records")):
        where = table.row_label(i)
        lat, lon = parse_float(row[lat_col]), parse_float(row[lon_col])
        if lat is None or lon is None:
            errors.append(InputError(f"coordonnées manquantes ou illisibles (lat « {row[lat_col]} », lon « {row[lon_col]} »).",
                                     where=where, fix="Renseignez lat et lon en degrés décimaux."))
            continue
        try:
            check_point(lat, lon, file=table.path, where=where)
        except InputError as exc:
            errors.append(exc)
            continue
        code = row[code_col]
        if not code:
            errors.append(InputError("code vide.", where=where, fix="Renseignez le code INSEE de la zone."))
            continue
        if code in seen:
            errors.append(InputError(f"code {code} en double (déjà en {seen[code]}).", where=where,
                                     fix="Chaque zone doit avoir un code unique."))
            continue
        seen[code] = where
        areas.append(Area(code=code, name=row[name_col] or code, kind=_kind(code, row[kind_col] if kind_col else None),
                          departement=(row[dep_col] if dep_col else "") or departement_of(code),
                          population=_population(row[pop_col] if pop_col else None, where, errors),
                          postcodes=_postcodes(row[pc_col] if pc_col else ""), lat=lat, lon=lon))
    if errors:
        raise InputErrors(errors, file=table.path)
    return AreasRead(path=table.path, areas=areas, notes=table.notes)


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
