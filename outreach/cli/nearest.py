"""`outreach nearest`: the nearest branch of every area, as CSV."""

from __future__ import annotations

import sys

COLUMNS = ["area_code", "area_name", "branch_id", "branch_name", "distance_km",
           "second_branch_id", "second_branch_name", "second_distance_km", "population", "departement"]


def register(sub) -> None:
    p = sub.add_parser("nearest", help="bibliothèque la plus proche de chaque zone (CSV)",
                       description="Pour chaque zone (commune, arrondissement), la bibliothèque la plus proche "
                                   "et la distance géodésique en km.")
    p.add_argument("--branches", metavar="FICHIER", help="bibliothèques : GeoJSON, CSV du ministère, ou CSV "
                   "id,name,lat,lon / id,name,adresse (défaut : données livrées)")
    p.add_argument("--areas", metavar="FICHIER", help="zones : GeoJSON (contours) ou CSV code,name,lat,lon[,population]")
    p.add_argument("--departement", metavar="CODE", help="garder un seul département des deux côtés")
    p.add_argument("--out", metavar="FICHIER", help="fichier CSV de sortie (défaut : sortie standard)")
    p.add_argument("--all-sites", action="store_true",
                   help="inclure les sites fermés au public (administration, réserves, bibliobus)")
    p.add_argument("--geocoder", choices=["ban", "nominatim"], default="ban",
                   help="service de géocodage des adresses (défaut : ban, la Base Adresse Nationale)")
    p.set_defaults(func=run)


def geocoding_progress(done: int, total: int) -> None:
    print(f"\rGéocodage : {done}/{total} adresses", end="\n" if done == total else "", file=sys.stderr)


def run(args) -> int:
    from outreach.sources import no_cycle_collection

    # the libraries' imports and the columns make no garbage cycles worth looking for: the cyclic collector's
    # passes were 5 % of a national run's instructions (callgrind)
    with no_cycle_collection():
        return _run(args)


def _run(args) -> int:
    # imported here, not at the top: `outreach --help` and the other sub-commands do not pay for them
    from outreach.cli.common import csv_text, emit_text, print_notes
    from outreach.datasets import load_territory
    from outreach.territory import assign

    # the service's name: the geocoder (geopy and its HTTP stack) is made only if addresses need it
    territory = load_territory(branches_file=args.branches, areas_file=args.areas, departement=args.departement,
                               include_closed=args.all_sites, geocoder=args.geocoder, progress=geocoding_progress)
    print_notes(territory.notes)
    frame = assign(territory.branch_frame, territory.area_frame)[COLUMNS]  # columns only: no model per row
    emit_text(csv_text(frame, float_format="%.3f"), args.out)
    return 0
