"""OpenAgenda's spreadsheet exports (CSV and XLSX) read as they are downloaded, one event per row.

OpenAgenda writes its CSV and Excel exports from one table (its `flat-exports` package): one column per
field, headed by the field's French label, with « - FR », « - EN »… after the multilingual ones when the
agenda has several languages: Identifiant, Titre, Description, Description longue, Mots clés (joined by
« | »), Résumé horaires, Horaires ISO (every timing, « début -> fin », joined by « | »), Horaires détaillés,
Première date, Dernière date, Détail des conditions, Accessibilité, Identifiant du lieu, Nom du lieu,
Adresse, Code postal, Ville, Département, Région, Latitude, Longitude, Permalien, Statut (moderation), État
(the event's status: programmé, reporté, annulé…). Descriptions keep their line breaks inside quoted cells.
Exports re-published elsewhere name the same fields otherwise, and are read too: Opendatasoft's
(« Première date - Début », « Première date - Fin », `firstdate_begin`, `location_name`, `status` as JSON),
and « Lieu: Nom », « Lieu: Adresse », « Lieu: Code postal »… Sources: OpenAgenda's own labels
(github.com/OpenAgenda/oa-public, packages/labels/event/exportFieldNames.js) and its flattener
(packages/flat-exports/lib/transform/timings.js, multilingual.js).

This module only reads the table into `AgendaRow`s; outreach.sources.events turns them into events placed at
a branch, as it does for iCalendar and JSON.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from outreach.bounds import MAX_XLSX_ROWS
from outreach.errors import InputError
from outreach.sources.tabular import sniff_separator
from outreach.sources.xlsx import open_workbook
from outreach.sources.xlsx import rows as sheet_rows
from outreach.text import fold

# what each field of an event is called in the exports, folded (outreach.text.fold), language suffix removed
COLUMNS = {
    "uid": ("identifiant", "uid", "id"),
    "title": ("titre", "title", "title fr", "nom de l evenement"),
    "description": ("description", "description fr", "chapo"),
    "long_description": ("description longue", "longdescription fr"),
    "keywords": ("mots cles", "keywords fr", "keywords"),
    "timings": ("horaires iso", "timings"),
    "first_begin": ("premiere date debut", "firstdate begin", "date de debut", "debut"),
    "last_end": ("derniere date fin", "lastdate end", "date de fin", "fin"),
    "first_end": ("premiere date fin", "firstdate end"),
    "place_name": ("nom du lieu", "lieu nom", "location name", "lieu"),
    "address": ("adresse", "lieu adresse", "location address"),
    "postcode": ("code postal", "lieu code postal", "location postalcode"),
    "city": ("ville", "lieu ville", "location city", "commune"),
    "latitude": ("latitude", "lieu latitude"),
    "longitude": ("longitude", "lieu longitude"),
    "coordinates": ("coordonnees geographiques", "location coordinates", "geolocalisation"),
    "status": ("etat", "status", "statut de l evenement"),
    "url": ("permalien", "lien", "canonicalurl", "url"),
    "branch_id": ("branch id", "id bibliotheque", "bibliotheque id"),
}
_LANGUAGE = re.compile(r"\s+-\s+([A-Za-z]{2})\s*$")  # « Titre - FR »
_KEYWORD_SEPARATORS = re.compile(r"\s*[|;]\s*")
FIX = ("Exportez l'agenda depuis OpenAgenda (Exporter > CSV ou Excel) sans retirer les colonnes Titre et "
       "Horaires ISO (ou Première date - Début).")


@dataclass
class AgendaRow:
    """One row of a spreadsheet export, its fields as text (timings as (begin, end) texts)."""

    where: str
    uid: str = ""
    title: str = ""
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    timings: list[tuple[object, object]] = field(default_factory=list)
    place_name: str = ""
    address: str = ""
    postcode: str = ""
    city: str = ""
    latitude: str = ""
    longitude: str = ""
    status: str = ""
    url: str = ""
    branch_id: str = ""


def is_table(text: str) -> bool:
    """Whether a text looks like a CSV export of an agenda: a header naming a title column."""
    header = fold(text.lstrip("\ufeff").split("\n", 1)[0])
    return any(f" {name} " in f" {header} " for name in ("titre", "title", "title fr", "titre fr"))


def csv_rows(text: str, label: str) -> Iterator[tuple[int, list[str]]]:
    """(line where the row starts, its values) of a CSV text; quoted values may hold line breaks. A row the
    csv module cannot cut (a NUL character, a cell longer than 128 kB: an unclosed quote swallowing the rest
    of the file) stops the reading with its line."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=sniff_separator(text))
    line = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"ligne illisible ({exc}).", file=label, where=f"ligne {line}",
                             fix="Vérifiez les guillemets de cette ligne (un guillemet ouvert et jamais fermé "
                                 "avale la suite du fichier), ou exportez de nouveau l'agenda.") from exc
        yield line, values
        line = reader.line_num + 1


def xlsx_rows(raw: bytes, label: str) -> Iterator[tuple[int, list]]:
    """(row number, its values) of the first sheet of an Excel export."""
    with open_workbook(raw, label, FIX) as book:
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet_rows(sheet, label, max_rows=MAX_XLSX_ROWS), start=1):
            yield number, ["" if v is None else v for v in values]


def read_rows(numbered: Iterator[tuple[int, list]], label: str) -> list[AgendaRow]:
    """The export's rows as AgendaRows; InputError when its header names no title column."""
    first = next(numbered, None)
    if first is None:
        raise InputError("le fichier est vide.", file=label, fix=FIX)
    columns = _columns([str(h or "") for h in first[1]])
    if "title" not in columns:
        raise InputError("aucune colonne de titre (Titre, Titre - FR, title_fr) dans l'en-tête.", file=label,
                         where="ligne 1 (en-tête)", fix=FIX)
    out = []
    for line, values in numbered:
        if not any(str(v).strip() for v in values):
            continue  # blank lines between exports pasted together
        out.append(_row(f"ligne {line}", values, columns))
    return out


def _columns(header: list[str]) -> dict[str, int]:
    """Field name -> column index; among a field's language columns, the French one (or else the first)."""
    found: dict[str, tuple[int, int]] = {}  # field -> (preference, index)
    for index, name in enumerate(header):
        language = _LANGUAGE.search(name)
        base = fold(_LANGUAGE.sub("", name))
        preference = 0 if language is None or language.group(1).lower() == "fr" else 1
        for key, aliases in COLUMNS.items():
            if base in aliases and (key not in found or preference < found[key][0]):
                found[key] = (preference, index)
    return {key: index for key, (_, index) in found.items()}


def _row(where: str, values: list, columns: dict[str, int]) -> AgendaRow:
    def get(key: str):
        index = columns.get(key)
        value = values[index] if index is not None and index < len(values) else ""
        return value.strip() if isinstance(value, str) else value

    def text(key: str) -> str:
        value = get(key)
        return "" if value is None else str(value)

    description = "\n".join(t for t in (text("description"), text("long_description")) if t)
    latitude, longitude = text("latitude"), text("longitude")
    if not latitude and text("coordinates"):  # « 48.86, 2.35 »
        latitude, _, longitude = text("coordinates").partition(",")
    return AgendaRow(
        where=where, uid=text("uid"), title=text("title"), description=description,
        keywords=[k for k in _KEYWORD_SEPARATORS.split(text("keywords")) if k],
        timings=_timings(get("timings"), get("first_begin"), get("first_end"), get("last_end")),
        place_name=text("place_name"), address=text("address"), postcode=text("postcode"), city=text("city"),
        latitude=latitude.strip(), longitude=longitude.strip(), status=text("status"), url=text("url"),
        branch_id=text("branch_id"))


def _timings(iso, first_begin, first_end, last_end) -> list[tuple[object, object]]:
    """(begin, end) of every timing: « Horaires ISO » (« début -> fin | début -> fin »; Opendatasoft's
    `timings` JSON too), else the first begin and the last (or first) end."""
    if isinstance(iso, str) and iso.strip().startswith("["):
        try:
            listed = json.loads(iso)
        except json.JSONDecodeError as exc:
            raise ValueError("horaires illisibles (JSON attendu)") from exc
        return [(t.get("begin") or t.get("start"), t.get("end")) for t in listed if isinstance(t, dict)]
    if isinstance(iso, str) and iso.strip():
        out = []
        for timing in iso.split("|"):
            begin, _, end = timing.partition("->")
            out.append((begin.strip(), end.strip() or None))
        return out
    if first_begin not in (None, ""):
        return [(first_begin, last_end or first_end or None)]
    return []
