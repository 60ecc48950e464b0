"""Sanity checks on coordinates: catch the usual mistakes before they put a library in the sea.

The data are French: a point is plausible when it falls in metropolitan France or an overseas
territory. Two mistakes are common enough to be named: latitude and longitude swapped, and projected
coordinates (Lambert-93, EPSG:2154, in metres) given where degrees are expected.
"""

from __future__ import annotations

import numpy as np

from outreach.errors import InputError

# (south, west, north, east) boxes, generous by a few kilometres
FRANCE_BOXES = (
    (41.2, -5.6, 51.2, 9.8),  # metropolitan France and Corsica
    (15.8, -61.9, 18.2, -60.7),  # Guadeloupe, Martinique, Saint-Martin, Saint-Barthélemy
    (14.3, -61.3, 14.9, -60.7),  # Martinique
    (2.0, -54.7, 5.9, -51.5),  # Guyane
    (-21.5, 55.1, -20.8, 55.9),  # La Réunion
    (-13.1, 44.9, -12.6, 45.4),  # Mayotte
    (46.7, -56.5, 47.2, -56.0),  # Saint-Pierre-et-Miquelon
    (-22.8, 163.5, -19.5, 168.2),  # Nouvelle-Calédonie
    (-28.0, -154.8, -7.8, -134.4),  # Polynésie française
    (-14.4, -178.3, -13.1, -176.0),  # Wallis-et-Futuna
)

SWAP_FIX = "Inversez les deux valeurs : en GeoJSON l'ordre est [longitude, latitude] ; dans un CSV, vérifiez les colonnes lat et lon."
LAMBERT_FIX = ("Ces valeurs ressemblent à du Lambert-93 (mètres, EPSG:2154) : reprojetez le fichier en WGS84 "
               "(degrés, EPSG:4326), par exemple avec QGIS (« Exporter > Sauvegarder sous », SCR EPSG:4326).")


def in_france(lat: float, lon: float) -> bool:
    return any(s <= lat <= n and w <= lon <= e for s, w, n, e in FRANCE_BOXES)


def check_point(lat: float, lon: float, *, file: str, where: str) -> None:
    """Raise an InputError if (lat, lon) is not a plausible French location in degrees."""
    if abs(lat) > 90 or abs(lon) > 180:
        if abs(lat) > 1000 or abs(lon) > 1000:
            raise InputError(f"coordonnées ({lon:g}, {lat:g}) en mètres, pas en degrés.",
                             file=file, where=where, fix=LAMBERT_FIX)
        raise InputError(f"coordonnées impossibles : latitude {lat:g}, longitude {lon:g}.",
                         file=file, where=where, fix="La latitude doit être entre -90 et 90, la longitude entre -180 et 180.")
    if in_france(lat, lon):
        return
    if in_france(lon, lat):
        raise InputError(f"latitude et longitude inversées (latitude {lat:g}, longitude {lon:g}).",
                         file=file, where=where, fix=SWAP_FIX)
    raise InputError(f"le point (latitude {lat:g}, longitude {lon:g}) est hors de France.",
                     file=file, where=where,
                     fix="Vérifiez les coordonnées : elles doivent être en degrés WGS84 (EPSG:4326).")


def check_points(lat: np.ndarray, lon: np.ndarray, *, file: str, where) -> list[tuple[int, InputError]]:
    """`check_point` over whole columns: (row, error) for every implausible point, in row order.

    The plausible case is decided column-wise; only the rows that fail it go through `check_point`, which
    names the mistake. `where(row)` gives the row's label."""
    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    plausible = np.zeros(lat.shape, dtype=bool)
    for s, w, n, e in FRANCE_BOXES:
        plausible |= (lat >= s) & (lat <= n) & (lon >= w) & (lon <= e)
    found = []
    for row in np.flatnonzero(~plausible).tolist():
        try:
            check_point(float(lat[row]), float(lon[row]), file=file, where=where(row))
        except InputError as exc:
            found.append((row, exc))
    return found
