"""OpenAgenda spreadsheet exports (CSV, XLSX) of real events, laid out as OpenAgenda writes them.

No OpenAgenda CSV or Excel file could be downloaded for the tests (they never use the network, and no
public repository kept one with a licence); the records are real (tests/data/openagenda-paris-extract.json,
from OpenAgenda's public events dataset) and this module writes them in the layout of OpenAgenda's own
exporter (github.com/OpenAgenda/oa-public, packages/flat-exports): French labels from
packages/labels/event/exportFieldNames.js, « - FR » after multilingual columns when an agenda has several
languages, keywords joined by « | », timings as « début -> fin » joined by « | » (lib/transform/timings.js),
long descriptions with their line breaks. What is real: every value; what is written here: the file.
"""

from __future__ import annotations

import csv
import io
import json

# (label, multilingual, value of an Opendatasoft record's fields)
COLUMNS = [
    ("Identifiant", False, lambda f: f["uid"]),
    ("Titre", True, lambda f: f.get("title_fr", "")),
    ("Description", True, lambda f: f.get("description_fr", "")),
    ("Description longue", True, lambda f: f.get("longdescription_fr", "")),
    ("Mots clés", True, lambda f: " | ".join(k for k in (f.get("keywords_fr") or "").split(";") if k)),
    ("Résumé horaires", True, lambda f: f.get("daterange_fr", "")),
    ("Horaires ISO", False, lambda f: " | ".join(f"{t['begin']} -> {t['end']}" for t in json.loads(f["timings"]))),
    ("Détail des conditions", True, lambda f: f.get("conditions_fr", "")),
    ("Identifiant du lieu", False, lambda f: f.get("location_uid", "")),
    ("Nom du lieu", False, lambda f: f.get("location_name", "")),
    ("Adresse", False, lambda f: f.get("location_address", "")),
    ("Code postal", False, lambda f: f.get("location_postalcode", "")),
    ("Ville", False, lambda f: f.get("location_city", "")),
    ("Département", False, lambda f: f.get("location_department", "")),
    ("Région", False, lambda f: f.get("location_region", "")),
    ("Latitude", False, lambda f: f["location_coordinates"][0] if f.get("location_coordinates") else ""),
    ("Longitude", False, lambda f: f["location_coordinates"][1] if f.get("location_coordinates") else ""),
    ("Permalien", False, lambda f: f.get("canonicalurl", "")),
    ("État", False, lambda f: json.loads(f["status"])["label"]["fr"] if f.get("status") else ""),
]


def export_table(records: list[dict], *, languages: tuple[str, ...] = ("fr",)) -> list[list]:
    """Header and rows of the export; with several languages, multilingual columns get « - FR », « - EN »
    (the other languages' columns empty: these records are in French only)."""
    header, getters = [], []
    for label, multilingual, get in COLUMNS:
        if multilingual and len(languages) > 1:
            for language in languages:
                header.append(f"{label} - {language.upper()}")
                getters.append(get if language == "fr" else (lambda f: ""))
        else:
            header.append(label)
            getters.append(get)
    fields = [r.get("fields", r) for r in records]
    return [header] + [[get(f) for get in getters] for f in fields]


def export_csv(records: list[dict], *, separator: str = ",", bom: bool = False, **kwargs) -> bytes:
    """The CSV export (OpenAgenda's exporter: « , » and « " »; a spreadsheet saving it again: « ; », BOM)."""
    out = io.StringIO()
    csv.writer(out, delimiter=separator, lineterminator="\r\n").writerows(export_table(records, **kwargs))
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def export_xlsx(records: list[dict], **kwargs) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in export_table(records, **kwargs):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
