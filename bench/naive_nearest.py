"""The yardstick of issue #17: nearest and second-nearest library per commune, in the fewest lines.

    python bench/naive_nearest.py BIBLIOTHEQUES.csv.gz COMMUNES.csv.gz OUT.csv
"""
import sys

import numpy as np
import pandas as pd
from pyproj import Geod
from scipy.spatial import cKDTree

branches_file, areas_file, out = sys.argv[1:4]
b = pd.read_csv(branches_file, sep=";", dtype={"code_bib": str}).dropna(subset=["code_bib", "latitude", "longitude"])
a = pd.read_csv(areas_file, dtype={"code": str, "departement": str})


def xyz(lat, lon):
    phi, lam = np.radians(np.asarray(lat)), np.radians(np.asarray(lon))
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


_, cand = cKDTree(xyz(b.latitude, b.longitude)).query(xyz(a.lat, a.lon), k=8)
_, _, m = Geod(ellps="WGS84").inv(np.repeat(a.lon.to_numpy(), 8), np.repeat(a.lat.to_numpy(), 8),
                                  b.longitude.to_numpy()[cand.ravel()], b.latitude.to_numpy()[cand.ravel()])
km = m.reshape(-1, 8) / 1000
order = np.lexsort((cand, km), axis=1)  # nearest first, ties to the library listed first
cand, km = np.take_along_axis(cand, order, 1), np.take_along_axis(km, order, 1)
ids, names = b.code_bib.str.removesuffix(".0").to_numpy(), b.nom_de_l_etablissement.to_numpy()
pd.DataFrame({"area_code": a.code, "area_name": a.name, "branch_id": ids[cand[:, 0]], "branch_name": names[cand[:, 0]],
              "distance_km": km[:, 0], "second_branch_id": ids[cand[:, 1]], "second_branch_name": names[cand[:, 1]],
              "second_distance_km": km[:, 1], "population": a.population, "departement": a.departement},
             ).to_csv(out, index=False, float_format="%.3f")
