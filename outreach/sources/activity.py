"""Reader of the library's own activity per branch and month: registrations, loans, visits.

A simple CSV the library exports from its management system or types in a spreadsheet:

    branch_id;month;registrations;loans;visits
    5424;2026-11;42;1830;2950

French headers are accepted too (`bibliotheque` or `code_bib`, `mois`, `inscriptions`, `prets`,
`entrees` or `visites`). A month is `AAAA-MM`, `MM/AAAA` or a French month name with its year
("novembre 2026"). A figure left empty is unknown, not zero. At least one figure column is needed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from outreach.errors import InputError, InputErrors
from outreach.sources.tabular import parse_float, read_table
from outreach.text import fold

ALIASES = {
    "branch_id": ("branch_id", "bibliotheque", "code_bib", "id_bibliotheque", "etablissement", "branch"),
    "month": ("month", "mois", "periode"),
    "registrations": ("registrations", "inscriptions", "nouveaux_inscrits", "inscrits"),
    "loans": ("loans", "prets", "emprunts"),
    "visits": ("visits", "visites", "entrees", "frequentation"),
}
FIGURES = ("registrations", "loans", "visits")
FIGURE_LABELS = {"registrations": "inscriptions", "loans": "prêts", "visits": "entrées"}
MONTHS_FR = {"janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "aout": 8,
             "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12}


@dataclass
class ActivityRead:
    path: str
    frame: pd.DataFrame  # branch_id, month (YYYY-MM), registrations, loans, visits (float, NaN = unknown)
    notes: list[str] = field(default_factory=list)


def _plain(text: str) -> str:
    return "_".join(fold(text).split())


def parse_month(value: str) -> str | None:
    text = _plain(value)
    if m := re.fullmatch(r"(\d{4})_(\d{1,2})(?:_\d{1,2})?", text):  # 2026-11, 2026-11-01
        year, month = int(m.group(1)), int(m.group(2))
    elif m := re.fullmatch(r"(?:\d{1,2}_)?(\d{1,2})_(\d{4})", text):  # 11/2026, 01/11/2026
        year, month = int(m.group(2)), int(m.group(1))
    elif m := re.fullmatch(r"([a-z]+)_(\d{4})", text):  # novembre 2026
        year, month = int(m.group(2)), MONTHS_FR.get(m.group(1), 0)
    else:
        return None
    return f"{year:04d}-{month:02d}" if 1 <= month <= 12 and 1900 < year < 2200 else None


def read_activity(path: str | Path, *, data: bytes | None = None, name: str | None = None) -> ActivityRead:
    table = read_table(path, data=data, name=name)
    found: dict[str, str] = {}
    unknown = []
    for header in table.frame.columns:
        key = _plain(header)
        field_name = next((f for f, aliases in ALIASES.items() if key in aliases), None)
        if field_name and field_name not in found:
            found[field_name] = header
        else:
            unknown.append(header)
    missing = [f for f in ("branch_id", "month") if f not in found]
    if missing or not any(f in found for f in FIGURES):
        need = ", ".join(missing + ([] if any(f in found for f in FIGURES) else ["registrations/loans/visits"]))
        raise InputError(f"colonne(s) manquante(s) : {need} (colonnes trouvées : {', '.join(table.frame.columns)}).",
                         file=table.path, where="ligne 1 (en-tête)",
                         fix="En-tête attendu : branch_id;month;registrations;loans;visits "
                             "(ou bibliotheque;mois;inscriptions;prets;entrees).")
    errors: list[InputError] = []
    records = []
    seen: dict[tuple[str, str], int] = {}
    for i, row in enumerate(table.frame.to_dict("records")):
        where = table.row_label(i)
        branch = row[found["branch_id"]].removesuffix(".0")
        month = parse_month(row[found["month"]])
        if not branch:
            errors.append(InputError("bibliothèque vide.", where=where, fix="Donnez le code de la bibliothèque "
                                     "(code_bib du ministère, comme dans le plan)."))
        if month is None:
            errors.append(InputError(f"mois illisible : « {row[found['month']]} ».", where=where,
                                     fix="Écrivez le mois 2026-11, 11/2026 ou « novembre 2026 »."))
        rec = {"branch_id": branch, "month": month}
        for f in FIGURES:
            raw = row.get(found[f], "") if f in found else ""
            value = parse_float(raw) if raw else None
            if raw and (value is None or not math.isfinite(value) or value < 0 or not value.is_integer()):
                errors.append(InputError(f"{FIGURE_LABELS[f]} : « {raw} » n'est pas un nombre entier positif.",
                                         where=f"{where}, colonne « {found[f]} »",
                                         fix="Écrivez un nombre entier, ou laissez la case vide si inconnu."))
                value = None
            rec[f] = value
        if branch and month:
            if (branch, month) in seen:
                errors.append(InputError(f"la bibliothèque {branch} a déjà une ligne pour {month} "
                                         f"({table.row_label(seen[(branch, month)])}).", where=where,
                                         fix="Gardez une seule ligne par bibliothèque et par mois."))
            seen[(branch, month)] = i
        records.append(rec)
    if errors:
        raise InputErrors(errors, file=table.path)
    notes = list(table.notes)
    if unknown:
        notes.append(f"{table.path} : colonne(s) non reconnue(s), ignorée(s) : {', '.join(unknown)}.")
    frame = pd.DataFrame(records, columns=["branch_id", "month", *FIGURES])
    for f in FIGURES:
        frame[f] = frame[f].astype(float)
    return ActivityRead(path=table.path, frame=frame, notes=notes)
