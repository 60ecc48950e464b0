"""Loading GeoJSON files with messages a user can act on."""

from __future__ import annotations

import json
from pathlib import Path

from outreach.bounds import MAX_GEOJSON_BYTES, parse_json
from outreach.errors import InputError, InputErrors
from outreach.sources.coordinates import check_point
from outreach.sources.tabular import input_bytes


def load_features(path: str | Path, *, data: bytes | None = None, name: str | None = None) -> list[dict]:
    label = name or str(path)
    raw = input_bytes(path, data, label, empty_fix="Choisissez un fichier GeoJSON qui contient des objets.", max_bytes=MAX_GEOJSON_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("le fichier n'est pas en UTF-8 comme l'exige GeoJSON.", file=label,
                         fix="Réenregistrez-le en UTF-8.") from exc
    doc = parse_json(text, label, fix="Corrigez la syntaxe (un validateur JSON en ligne ou QGIS aide à la trouver).")
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        features = doc.get("features") or []
    elif isinstance(doc, dict) and doc.get("type") == "Feature":
        features = [doc]
    else:
        raise InputError("ce n'est pas une FeatureCollection GeoJSON.", file=label,
                         fix="Exportez la couche au format GeoJSON (par exemple depuis QGIS).")
    if not isinstance(features, list):
        raise InputError("« features » n'est pas une liste d'objets.", file=label, where="features",
                         fix="Exportez la couche au format GeoJSON (par exemple depuis QGIS).")
    if not features:
        raise InputError("la FeatureCollection ne contient aucun objet.", file=label,
                         fix="Choisissez un fichier qui contient au moins un objet.")
    crs = doc.get("crs")
    if crs and "4326" not in json.dumps(crs) and "CRS84" not in json.dumps(crs):
        shown = json.dumps(crs.get("properties", crs) if isinstance(crs, dict) else crs, ensure_ascii=False)
        raise InputError(f"système de coordonnées {shown} non géré.",
                         file=label, fix="Exportez le fichier en WGS84 (EPSG:4326), comme l'exige GeoJSON.")
    malformed = [InputError("ce n'est pas un objet GeoJSON (« properties » et « geometry » doivent être des objets).",
                            where=f"objet n°{i + 1}", fix="Corrigez cet objet ou exportez de nouveau la couche.")
                 for i, feature in enumerate(features) if not is_feature(feature)]
    if malformed:
        raise InputErrors(malformed, file=label)
    return features


def is_feature(feature) -> bool:
    """A Feature whose members the readers can look into (null properties and geometry are allowed)."""
    return (isinstance(feature, dict) and isinstance(feature.get("properties") or {}, dict)
            and isinstance(feature.get("geometry") or {}, dict))


def feature_label(index: int, feature: dict, id_keys: tuple[str, ...]) -> str:
    props = feature.get("properties") or {}
    for key in id_keys:
        if props.get(key) not in (None, ""):
            return f"objet n°{index + 1} ({key} = {props[key]})"
    return f"objet n°{index + 1}"


def first_property(props: dict, aliases: tuple[str, ...]):
    """The value of the first of `aliases` that the feature's properties fill, None if none does."""
    return next((props[k] for k in aliases if props.get(k) not in (None, "")), None)


def first_position(geometry: dict) -> tuple[float, float] | None:
    """First (lon, lat) of any geometry: enough to check units and axis order."""
    coords = geometry.get("coordinates")
    while isinstance(coords, list) and coords and isinstance(coords[0], list):
        coords = coords[0]
    if isinstance(coords, list) and len(coords) >= 2 and all(
            isinstance(c, (int, float)) and not isinstance(c, bool) for c in coords[:2]):
        return float(coords[0]), float(coords[1])
    return None


def checked_position(feature: dict, *, label: str, where: str, missing_fix: str) -> tuple[float, float]:
    """(lon, lat) of a feature's first position, after the checks every reader needs; InputError otherwise."""
    geometry = feature.get("geometry")
    if not geometry:
        raise InputError("objet sans géométrie.", where=where, fix=missing_fix)
    position = first_position(geometry)
    if position is None:
        raise InputError("coordonnées absentes ou illisibles.", where=where,
                         fix="Donnez des positions [longitude, latitude] en nombres, comme l'exige GeoJSON.")
    check_point(position[1], position[0], file=label, where=where)
    return position
