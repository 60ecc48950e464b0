"""Regenerate the derived files of data/ from the original open data.

Usage: python scripts/build_data.py [--source ../shared/data] [--out data]

Inputs (see data/SOURCES.md for origin and licence):
  libraries/adresses-des-bibliotheques-publiques_2024.csv   Ministry of Culture list
  communes/communes-population-postcodes.csv                 COG 2025 populations and postcodes
  communes/communes-points.csv                               IGN points per commune
  communes/communes-13.geojson                               polygons of Bouches-du-Rhône
  communes/arrondissements-paris-marseille-lyon.geojson      polygons of the PLM arrondissements

Outputs:
  branches.geojson            geolocated libraries of Bouches-du-Rhône (13) and Paris (75)
  areas.geojson               their target areas (communes, Marseille and Paris arrondissements)
  national/bibliotheques.csv.gz   the Ministry list as published, gzipped
  national/communes.csv.gz        every commune as a point (arrondissements in place of Paris,
                                  Marseille and Lyon), with current population and postcodes
  national/departements.csv       code and name of every département

The output is deterministic: running the script twice gives byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shapely.geometry import Point, shape  # noqa: E402

from outreach.sources.branches import ministry_departement, read_ministry_csv  # noqa: E402
from outreach.sources.coordinates import in_france  # noqa: E402

DEFAULT_DEPARTEMENTS = ("13", "75")
# The three communes split into municipal arrondissements: areas use the arrondissements instead.
PLM_COMMUNES = {"75056", "13055", "69123"}
COORD_DIGITS = 6  # about 10 cm: more would only grow the files


def load_population_and_postcodes(source: Path) -> dict[str, dict]:
    with open(source / "communes/communes-population-postcodes.csv", encoding="utf-8") as f:
        return {row["code_insee"]: row for row in csv.DictReader(f)}


def round_coords(coords):
    if isinstance(coords[0], (int, float)):
        return [round(coords[0], COORD_DIGITS), round(coords[1], COORD_DIGITS)]
    return [round_coords(c) for c in coords]


def load_points(source: Path) -> dict[str, dict]:
    with open(source / "communes/communes-points.csv", encoding="utf-8") as f:
        return {row["code_insee"]: row for row in csv.DictReader(f) if row["type"] in ("COM", "ARM")}


def people_point(row: dict) -> tuple[str, str] | None:
    """Where the people of a commune are: its town hall (the historical centre), else an interior point.

    A few town-hall points of the source are broken (latitude copied into longitude, Guadeloupe with a
    positive longitude): a point outside France is skipped for the next candidate.
    """
    for lat_key, lon_key in (("mairie_lat", "mairie_lon"), ("interior_point_lat", "interior_point_lon"),
                             ("centroid_lat", "centroid_lon")):
        lat, lon = row.get(lat_key), row.get(lon_key)
        if lat and lon and in_france(float(lat), float(lon)):
            return lat, lon
    return None


def area_feature(code: str, name: str, kind: str, geometry: dict, cog: dict, points: dict) -> dict:
    row = cog[code]
    lat, lon = people_point(points[code]) or (0, 0)
    polygon = shape(geometry)
    if not polygon.contains(Point(float(lon), float(lat))):
        # the reader would not trust a point outside the polygon: fall back to one that is inside
        inside = polygon.representative_point()
        lat, lon = f"{inside.y:.6f}", f"{inside.x:.6f}"
    return {
        "type": "Feature",
        "properties": {
            "code": code,
            "name": name,
            "kind": kind,
            "departement": row["code_departement"],
            "population": int(row["population"]),
            "postcodes": row["codes_postaux"].split(";") if row["codes_postaux"] else [],
            "lat": float(lat),
            "lon": float(lon),
        },
        "geometry": {"type": geometry["type"], "coordinates": round_coords(geometry["coordinates"])},
    }


def build_areas(source: Path, cog: dict) -> dict:
    points = load_points(source)
    features = []
    communes_13 = json.loads((source / "communes/communes-13.geojson").read_text(encoding="utf-8"))
    plm = json.loads(
        (source / "communes/arrondissements-paris-marseille-lyon.geojson").read_text(encoding="utf-8")
    )
    for feat in communes_13["features"]:
        props = feat["properties"]
        if props["type"] == "COM" and props["code_insee"] not in PLM_COMMUNES:
            features.append(area_feature(props["code_insee"], cog[props["code_insee"]]["nom"], "commune",
                                         feat["geometry"], cog, points))
    for feat in plm["features"]:
        props = feat["properties"]
        if props["code_departement"] in DEFAULT_DEPARTEMENTS:
            features.append(area_feature(props["code_insee"], cog[props["code_insee"]]["nom"],
                                         "arrondissement", feat["geometry"], cog, points))
    features.sort(key=lambda f: f["properties"]["code"])
    return {"type": "FeatureCollection", "features": features}


def build_branches(source: Path) -> dict:
    ministry = source / "libraries/adresses-des-bibliotheques-publiques_2024.csv"
    branches = read_ministry_csv(ministry).branches
    features = []
    for b in sorted(branches, key=lambda b: int(b.id)):
        if b.departement not in DEFAULT_DEPARTEMENTS:
            continue
        props = b.model_dump(exclude={"lat", "lon"})
        features.append({
            "type": "Feature",
            "properties": props,
            "geometry": {"type": "Point", "coordinates": [b.lon, b.lat]},
        })
    return {"type": "FeatureCollection", "features": features}


def build_national_communes(source: Path, cog: dict) -> str:
    """One row per commune (or PLM arrondissement) with an interior point, population, postcodes."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", "name", "kind", "departement", "population", "postcodes", "lat", "lon"])
    for code, row in sorted(load_points(source).items()):
        if code in PLM_COMMUNES or code not in cog:
            continue
        point = people_point(row)
        if point is None:
            continue  # a handful of communes have no usable point at all in the source
        lat, lon = point
        info = cog[code]
        writer.writerow([code, info["nom"], "commune" if row["type"] == "COM" else "arrondissement",
                         info["code_departement"], info["population"], info["codes_postaux"], lat, lon])
    return out.getvalue()


def departement_names_from_ministry(path: Path) -> dict[str, str]:
    """Code → name from the Ministry list (the Corsican and a few other rows carry only the name)."""
    import pandas as pd

    columns = ["code_departement", "departement", "code_insee_commune", "cp"]
    frame = pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str, usecols=columns,
                        keep_default_na=False).drop_duplicates()
    names: dict[str, str] = {}
    for row in frame.to_dict("records"):
        code = ministry_departement(row, row["code_insee_commune"], row["cp"])
        if code and row["departement"]:
            names.setdefault(code, row["departement"])
    return dict(sorted(names.items()))


def write_gzip(path: Path, data: bytes) -> None:
    # mtime=0 keeps the archive byte-identical from one run to the next
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write(data)


def dump_geojson(obj: dict) -> str:
    # one feature per line: readable diffs, modest size
    lines = ",\n".join(json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in obj["features"])
    return '{"type":"FeatureCollection","features":[\n' + lines + "\n]}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT.parent / "shared/data")
    parser.add_argument("--out", type=Path, default=ROOT / "data")
    args = parser.parse_args(argv)
    cog = load_population_and_postcodes(args.source)
    (args.out / "national").mkdir(parents=True, exist_ok=True)

    branches = build_branches(args.source)
    (args.out / "branches.geojson").write_text(dump_geojson(branches), encoding="utf-8")
    areas = build_areas(args.source, cog)
    (args.out / "areas.geojson").write_text(dump_geojson(areas), encoding="utf-8")
    with open(args.source / "libraries/adresses-des-bibliotheques-publiques_2024.csv", "rb") as f:
        write_gzip(args.out / "national/bibliotheques.csv.gz", f.read())
    write_gzip(args.out / "national/communes.csv.gz", build_national_communes(args.source, cog).encode("utf-8"))
    names = departement_names_from_ministry(args.out / "national/bibliotheques.csv.gz")
    with open(args.out / "national/departements.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["code", "name"])
        writer.writerows(names.items())
    print(f"{len(branches['features'])} bibliothèques, {len(areas['features'])} zones écrites dans {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
