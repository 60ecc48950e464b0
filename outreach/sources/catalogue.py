"""Catalogue records: UNIMARC and MARC21 (ISO 2709) through pymarc, and CSV exports.

One record becomes one `CatalogueItem`. What the matcher reads:
  UNIMARC  200 title, 700/710 author, 210/214$d year, 600–607 subjects (RAMEAU), 608 genre/form, 676 Dewey,
           225/410 series, 330 summary, 003 permalink, 995 items: $b owner, $h collection code (label from
           the Koha authorised values when given), $k call number, $e location, $w issues.
  MARC21   245 title, 100/110 author, 260/264$c year, 600–651 subjects, 655 genre, 082 Dewey, 490/830
           series, 520 summary, 856$u link, 952 Koha items: $a home branch, $8 collection, $o call number,
           $l total checkouts.
MARCXML and MarcXchange go through the same item readers (marcxml.py); ISO 2709 records are decoded in their
own character set (marc_charsets.py); a record without 001 is identified by 035, 003 or its position
(marc_identity.py). A record that cannot be read is skipped; the count and the reason of each are kept in
`skipped`.
CSV exports need `id,title` and may have `author,year,subjects,genre,dewey,branch_id,url,loans`; several
subjects or genres in one cell are separated by "|" (or " || "); every other column is kept in `extra`. A bad
row is skipped with its line and reason; the file is refused only when no row is readable.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from outreach.bounds import MAX_MARC_BYTES
from outreach.errors import InputError, InputErrors
from outreach.model import CatalogueItem
from outreach.sources.marc_charsets import CharsetReport, decode_record
from outreach.sources.marc_fields import MarcFields, fields_of_record
from outreach.sources.marc_identity import identified_note, identify
from outreach.sources.marcxml import is_xml, parse_marcxml
from outreach.sources.shelving import (
    csv_shelving,
    dewey_in_call_numbers,
    folded_headers,
    is_text,
    marc_shelving,
)
from outreach.sources.tabular import Table, input_bytes, read_table
from outreach.text import fold

CSV_ALIASES = {
    "id": ("id", "record_id", "biblionumber", "numero", "notice", "identifiant"),
    "title": ("title", "titre"),
    "author": ("author", "auteur", "responsibility", "responsabilite"),
    "year": ("year", "annee", "date", "date_publication"),
    "subjects": ("subjects", "sujets", "subjects_rameau", "sujet", "rameau", "matieres"),
    "genre": ("genre", "genres", "genre_form_608", "forme", "type_de_document", "type_document"),
    "dewey": ("dewey", "dewey_676", "indice", "cote_dewey"),
    "branch_id": ("branch_id", "branch", "bibliotheque", "site", "code_bib"),
    "url": ("url", "lien", "permalink"),
    "loans": ("loans", "prets", "issues", "sum_995w_issues", "nb_prets", "nombre_de_prets"),
}
_CALL_NUMBER_DEWEY = re.compile(r"^(?:[A-Za-z]{1,4}\s*/\s*)?(\d{3}(?:\.\d+)?)(?:\s|$)")
_YEAR = re.compile(r"(?:1[5-9]|20)\d\d")
_SPLIT = re.compile(r"\s*\|\|\s*|\s*\|\s*|\s*;\s*")

BranchOf = Callable[[str, list[str]], str]
"""(record id, owner codes of its copies) → branch id. The default keeps the first owner code."""


@dataclass
class CatalogueRead:
    path: str
    items: list[CatalogueItem]
    format: str
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (where, reason)
    notes: list[str] = field(default_factory=list)


def dewey_of_call_number(call_number: str) -> str:
    """The Dewey number a call number begins with ('641.5 CUI', 'E/709 FET'), or ''."""
    m = _CALL_NUMBER_DEWEY.match((call_number or "").strip())
    return m.group(1) if m else ""


def _first_branch(record_id: str, owners: list[str]) -> str:
    return owners[0] if owners else ""


def is_iso2709(raw: bytes) -> bool:
    """ISO 2709 begins with a 5-digit record length and ends its records with 0x1D."""
    head = raw[:24]
    return len(head) == 24 and head[:5].isdigit() and b"\x1d" in raw[:100000] and head[10:12].isdigit()


def read_catalogue(path: str | Path, *, data: bytes | None = None, name: str | None = None,
                   branch_of: BranchOf | None = None, collection_labels: dict[str, str] | None = None,
                   default_branch: str = "") -> CatalogueRead:
    """Read a catalogue file whatever its format (ISO 2709, MARCXML / MarcXchange or CSV)."""
    label = name or str(path)
    raw = input_bytes(path, data, label, empty_fix="Choisissez un export du catalogue.", max_bytes=MAX_MARC_BYTES)
    if is_iso2709(raw):
        return read_marc(raw, label, branch_of=branch_of, collection_labels=collection_labels)
    if is_xml(raw):
        return read_marcxml(raw, label, branch_of=branch_of, collection_labels=collection_labels)
    return read_catalogue_csv(path, data=raw, name=label, default_branch=default_branch)


# ---------- ISO 2709 ----------

def _heading(f: list[tuple[str, str]], codes: str) -> str:
    parts = [v.strip() for c, v in f if c in codes and v and v.strip()]
    return " -- ".join(parts)


def _year(*candidates: str) -> int | None:
    for text in candidates:
        if text:  # most candidates are empty: no regex run (each one allocates its state)
            m = _YEAR.search(text)
            if m:
                return int(m.group())
    return None


def _int(text: str) -> int | None:
    try:
        return int(text.strip())
    except (ValueError, AttributeError):
        return None


@dataclass
class Copies:
    """What a record's item fields (UNIMARC 995, Koha MARC21 952) say about its copies."""

    owners: list[str]
    codes: list[str]  # collection codes, each once
    call_numbers: list[str]
    locations: list[str]
    loans: int | None  # None when no copy gives its number of loans

    def dewey(self, record: MarcFields) -> str:
        """The Dewey number the first call number begins with, for printed text only: record and film call
        numbers use other classifications (PCDM…) that look alike."""
        if record.leader[6:7] != "a":
            return ""
        return next((d for c in self.call_numbers if (d := dewey_of_call_number(c))), "")

    def extra(self, collection_labels: dict[str, str] | None) -> dict:
        labels = [collection_labels.get(c, c) for c in self.codes] if collection_labels else list(self.codes)
        return {"collections": labels, "collection_codes": list(self.codes), "call_numbers": self.call_numbers}


def _copies(record: MarcFields, tag: str, *, owner: str, collection: str, call_number: str, loans: str,
            location: str = "") -> Copies:
    # one pass over the copies' subfields, the values of each code wanted kept in the record's order
    found: dict[str, list[str]] = {code: [] for code in (owner, collection, call_number, loans, location) if code}
    for f in record.by_tag.get(tag, ()):
        if not isinstance(f, str):
            for c, v in f:
                if v and c in found:
                    found[c].append(v)
    counts = [n for v in found[loans] if (n := _int(v)) is not None]
    return Copies(owners=list(dict.fromkeys(found[owner])), codes=list(dict.fromkeys(found[collection])),
                  call_numbers=found[call_number],
                  locations=list(dict.fromkeys(found[location])) if location else [],
                  loans=sum(counts) if counts else None)


def is_unimarc(record: MarcFields) -> bool:
    return record.has("200") and not record.has("245")


def _first_field_pairs(record: MarcFields, *tags: str) -> list[tuple[str, str]] | None:
    """The subfields of the first field of the first of `tags` the record has (none for a control field)."""
    for tag in tags:
        found = record.by_tag.get(tag)
        if found:
            return [] if isinstance(found[0], str) else found[0]
    return None


def unimarc_item(record: MarcFields, collection_labels: dict[str, str] | None) -> tuple[dict, list[str]]:
    """The item's fields (CatalogueItem's keyword arguments) and the owner codes of the copies."""
    rid = record.control("001") or record.first("090", "a")
    title = record.first("200", "a")
    subtitle = record.first("200", "e")
    author = ""
    first = _first_field_pairs(record, "700", "701", "710")
    if first is not None:  # "b" (forename) before "a" (surname), as a reader writes the name
        author = " ".join(v for v in ([v for c, v in first if c == "b"] + [v for c, v in first if c == "a"])[:2]
                          if v).strip()
    author = author or record.first("200", "f")
    date_100 = record.first("100", "a")
    year = _year(record.first("210", "d"), record.first("214", "d"), date_100[9:13] if len(date_100) > 12 else "")
    subjects = [h for tag in ("600", "601", "602", "604", "605", "606", "607")
                for f in record.data(tag) if (h := _heading(f, "abcxyzjt"))]
    genres = [h for f in record.data("608") if (h := _heading(f, "axyz"))]
    dewey = record.first("676", "a")
    series = [" ".join(v for c, v in f if c in ("a", "i") and v) for f in record.data("225")]
    series += record.values("410", "t")
    summary = " ".join(record.values("330", "a"))
    copies = _copies(record, "995", owner="b", collection="h", call_number="k", loans="w", location="e")
    extra = {"format": "UNIMARC", "doc_type": record.first("099", "t"), "series": series, "summary": summary,
             **copies.extra(collection_labels), "locations": copies.locations, "isbn": record.first("010", "a")}
    return {"id": rid, "title": f"{title} : {subtitle}" if subtitle else title, "author": author, "year": year,
            "subjects": subjects, "genres": genres, "dewey": dewey or copies.dewey(record),
            "url": record.control("003"), "loans": copies.loans, "extra": extra}, copies.owners


def marc21_item(record: MarcFields, collection_labels: dict[str, str] | None) -> tuple[dict, list[str]]:
    """The item's fields (CatalogueItem's keyword arguments) and the owner codes of the copies."""
    rid = record.control("001") or record.first("999", "c")
    title = " ".join(filter(None, [record.first("245", "a"), record.first("245", "b")])).strip(" /:;")
    author = record.first("100", "a") or record.first("110", "a")
    year = _year(record.first("264", "c"), record.first("260", "c"), record.control("008")[7:11])
    subjects = [h for tag in ("600", "610", "611", "630", "648", "650", "651")
                for f in record.data(tag) if (h := _heading(f, "abcdtvxyz"))]
    genres = [h for f in record.data("655") if (h := _heading(f, "avxyz"))]
    dewey = record.first("082", "a")
    series = record.values("490", "a") + record.values("830", "a")
    summary = " ".join(record.values("520", "a"))
    copies = _copies(record, "952", owner="a", collection="8", call_number="o", loans="l")
    extra = {"format": "MARC21", "series": series, "summary": summary, **copies.extra(collection_labels),
             "isbn": record.first("020", "a")}
    return {"id": rid, "title": title, "author": author, "year": year, "subjects": subjects, "genres": genres,
            "dewey": dewey or copies.dewey(record), "url": record.first("856", "u"), "loans": copies.loans,
            "extra": extra}, copies.owners


_REASONS = {
    "TruncatedRecord": "notice tronquée",
    "RecordLengthInvalid": "longueur de notice illisible",
    "EndOfRecordNotFound": "fin de notice absente",
    "BaseAddressInvalid": "adresse de base invalide",
    "BaseAddressNotFound": "adresse de base absente",
    "RecordDirectoryInvalid": "répertoire de notice invalide",
    "NoFieldsFound": "aucune zone dans la notice",
}


def _records(raw: bytes, first: int = 1):
    """(position, record or None, reason) for each record, resynchronising on the 0x1D terminators.

    pymarc's stream reader stops at the first record whose length is wrong; cutting the file on the record
    terminator first means one damaged record costs only itself.
    `first` is the position of the first record of `raw` in its file (a part of a long file read in chunks).
    """
    chunks = raw.split(b"\x1d")
    guessed: dict = {}  # the character set guessed for records that declare none, kept across the file
    if chunks and not chunks[-1].strip():
        chunks.pop()
    for position, chunk in enumerate(chunks, start=first):
        chunk = chunk.lstrip(b"\r\n ")
        head = chunk[:5]
        if not head.isdigit():
            yield position, None, "longueur de notice illisible (les 5 premiers caractères ne sont pas un nombre)"
            continue
        if int(head) != len(chunk) + 1:
            yield position, None, f"notice tronquée ou mal délimitée (longueur annoncée {int(head)}, lue {len(chunk) + 1})"
            continue
        try:
            decoded = decode_record(chunk + b"\x1d", guessed)
        except Exception as exc:  # pymarc raises many kinds on a malformed directory or leader
            yield position, None, _REASONS.get(type(exc).__name__, f"notice illisible ({type(exc).__name__})")
            continue
        yield position, decoded, ""


def read_marc(raw: bytes, label: str, *, branch_of: BranchOf | None = None,
              collection_labels: dict[str, str] | None = None) -> CatalogueRead:
    """Read ISO 2709 bytes (UNIMARC or MARC21, decided record by record, each in its character set)."""
    return _read_records(_records(raw), label, branch_of=branch_of, collection_labels=collection_labels,
                         fix="Vérifiez que le fichier est un export ISO 2709 (UNIMARC ou MARC21) complet.")


def read_marcxml(raw: bytes, label: str, *, branch_of: BranchOf | None = None,
                 collection_labels: dict[str, str] | None = None) -> CatalogueRead:
    """Read MARCXML or MarcXchange bytes: one record or a collection (XML says its own encoding)."""
    records = parse_marcxml(raw, label)
    if not records:
        raise InputError("aucune notice (<record>) dans ce fichier XML.", file=label,
                         fix="Exportez les notices en MARCXML (<collection> de <record>) ou en MarcXchange.")
    read = _read_records(((n, r, "") for n, r in enumerate(records, start=1)), label,
                         branch_of=branch_of, collection_labels=collection_labels,
                         fix="Vérifiez que les notices ont un titre (UNIMARC 200$a, MARC21 245$a).")
    read.format += " (XML)"
    return read


@dataclass
class RecordItem:
    """One MARC record as an item, or the reason it is skipped."""

    item: CatalogueItem | None
    owners: list[str] = field(default_factory=list)
    kind: str = ""  # UNIMARC or MARC21
    id_source: str = ""  # where the id came from when the record has no 001 ("035", "003", "position")
    reason: str = ""
    fields: dict | None = None  # the item's fields, every one of CatalogueItem's (see `record_fields`)


ITEM_FIELD_NAMES = tuple(CatalogueItem.model_fields)


def record_fields(record: MarcFields, position: int, collection_labels: dict[str, str] | None, *,
                  branch_of: BranchOf | None = None, identifier: str = "") -> RecordItem:
    """The fields of one record's item (`fields`, in CatalogueItem's order, no model built: a harvest's
    worker writes them as JSON and matches them as they are), its branch given by `branch_of` (record id,
    owner codes). A record without 001 is identified by `identifier` when given (a harvested record's OAI
    identifier: stable from one harvest to the next), else by 035, 003 or its position (`marc_identity`)."""
    try:
        if is_unimarc(record):
            fields, owners = unimarc_item(record, collection_labels)
            kind = "UNIMARC"
        elif record.has("245"):
            fields, owners = marc21_item(record, collection_labels)
            kind = "MARC21"
        else:
            return RecordItem(None, reason="ni titre UNIMARC (200) ni titre MARC21 (245)")
    except (ValueError, AttributeError, IndexError) as exc:  # malformed fields inside a readable record
        return RecordItem(None, reason=f"zone illisible ({exc})")
    if not fields["title"]:
        return RecordItem(None, reason="titre vide (UNIMARC 200$a, MARC21 245$a)")
    source = ""
    # call numbers and shelf codes, for the shelf map (a file read or a harvest alike)
    fields.update(marc_shelving(record))
    if not fields["id"]:
        fields["id"], source = identify(record, position)
    fields["branch_id"] = (branch_of or _first_branch)(fields["id"], owners)
    if source and identifier:
        fields["id"] = identifier
    return RecordItem(None, owners, kind, source, fields={name: fields[name] for name in ITEM_FIELD_NAMES})


def record_item(record: MarcFields, position: int, collection_labels: dict[str, str] | None, *,
                branch_of: BranchOf | None = None, identifier: str = "") -> RecordItem:
    """`record_fields`, with the item built."""
    made = record_fields(record, position, collection_labels, branch_of=branch_of, identifier=identifier)
    if made.fields is not None:
        # built without validation: every field has its type already, and validating cost a tenth of a record
        made.item = CatalogueItem.model_construct(**made.fields)
    return made


def _read_records(records, label: str, *, branch_of: BranchOf | None, collection_labels: dict[str, str] | None,
                  fix: str) -> CatalogueRead:
    """Catalogue items of (position, record or None, reason) triples, a record being an ISO 2709 one decoded
    (`Decoded`) or an XML one's fields (`MarcFields`, XML says its own encoding): unreadable or untitled records
    are skipped with their reason, records without 001 are identified otherwise, character sets reported."""
    items, skipped, kinds, identified, charsets = [], [], set(), [], CharsetReport()
    for position, decoded, reason in records:
        where = f"notice n° {position}"
        if decoded is None:
            skipped.append((where, reason))
            continue
        xml = isinstance(decoded, MarcFields)
        fields = decoded if xml else fields_of_record(decoded.record)
        made = record_item(fields, position, collection_labels, branch_of=branch_of)
        if made.item is None:
            skipped.append((where, made.reason))
            continue
        kinds.add(made.kind)
        if made.id_source:
            identified.append(made.id_source)
        if not xml:
            charsets.add(decoded, position)
        items.append(made.item)
    if not items:
        detail = f" ({skipped[0][0]} : {skipped[0][1]})" if skipped else ""
        raise InputError(f"aucune notice MARC lisible{detail}.", file=label, fix=fix)
    charsets.refuse_if_garbled(label, len(items))
    notes = charsets.notes(label) + identified_note(label, identified)
    if skipped:
        shown = "; ".join(f"{w} : {r}" for w, r in skipped[:10])
        notes.append(f"{label} : {len(skipped)} notice(s) illisible(s) ignorée(s) — {shown}"
                     + (" …" if len(skipped) > 10 else "") + ".")
    return CatalogueRead(label, items, " + ".join(sorted(kinds)), skipped, notes)


def marc_items(raw: bytes, *, first: int = 1, branch_of: BranchOf | None = None,
               collection_labels: dict[str, str] | None = None):
    """(where, item or None, format or reason) for each record of ISO 2709 bytes, as `read_marc` reads them,
    one at a time: for a reader of a long file in chunks (`outreach.themes.union`). `first`: see `_records`.
    The notes on character sets and on records identified without 001 are `read_marc`'s only."""
    for position, decoded, reason in _records(raw, first):
        where = f"notice n° {position}"
        if decoded is None:
            yield where, None, reason
            continue
        made = record_item(fields_of_record(decoded.record), position, collection_labels, branch_of=branch_of)
        if made.item is None:
            yield where, None, made.reason
            continue
        yield where, made.item, made.kind


def no_marc_record(label: str, skipped: list[tuple[str, str]]) -> InputError:
    """The error of a file without one readable record, as `read_marc` raises it."""
    detail = f" ({skipped[0][0]} : {skipped[0][1]})" if skipped else ""
    return InputError(f"aucune notice MARC lisible{detail}.", file=label,
                      fix="Vérifiez que le fichier est un export ISO 2709 (UNIMARC ou MARC21) complet.")


def skipped_notes(label: str, skipped: list[tuple[str, str]], count: int | None = None) -> list[str]:
    """The note on skipped records, as `read_marc` writes it: how many (`count` when only the first ones were
    kept) and the first ten."""
    if not skipped:
        return []
    shown = "; ".join(f"{w} : {r}" for w, r in skipped[:10])
    total = len(skipped) if count is None else count
    return [f"{label} : {total} notice(s) illisible(s) ignorée(s) — {shown}" + (" …" if total > 10 else "") + "."]


# ---------- CSV ----------

def _column(table: Table, role: str) -> str | None:
    """The column playing `role`, its header compared without case, accents or punctuation ("Prêts")."""
    columns = {fold(c).replace(" ", "_"): c for c in table.frame.columns}
    for alias in CSV_ALIASES[role]:
        if alias in columns:
            return columns[alias]
    return None


def _split(cell: str) -> list[str]:
    return [v for v in _SPLIT.split(cell or "") if v]


def read_catalogue_csv(path: str | Path, *, data: bytes | None = None, name: str | None = None,
                       default_branch: str = "") -> CatalogueRead:
    table = read_table(path, data=data, name=name)
    cols = {role: _column(table, role) for role in CSV_ALIASES}
    if cols["title"] is None:
        table.require("title", fix="Le catalogue doit avoir au moins une colonne title (ou titre) : "
                                   "id,title,author,year,subjects,genre,dewey,branch_id.")
    notes = list(table.notes)
    if cols["id"] is None:  # a list of titles (most loaned, new acquisitions…): the line number identifies
        notes.append(f"{table.path} : pas de colonne id ; chaque notice est identifiée par son numéro de ligne.")
    used = {c for c in cols.values() if c}
    headers = folded_headers(table.frame.columns)
    skipped: list[tuple[str, str]] = []  # (line, reason): a bad row costs only itself, as a bad MARC record
    items: list[CatalogueItem] = []
    seen: dict[tuple[str, str], int] = {}
    for index, row in enumerate(table.frame.to_dict("records")):
        where = table.row_label(index)
        rid = row[cols["id"]] if cols["id"] else f"ligne-{index + 2}"
        title = row[cols["title"]]
        if not rid or not title:
            skipped.append((where, "titre vide" if rid else "identifiant vide"))
            continue
        loans = None
        if cols["loans"] and row[cols["loans"]]:
            loans = _int(row[cols["loans"]])
            if loans is None or loans < 0:
                skipped.append((where, f"nombre de prêts « {row[cols['loans']]} » illisible (loans)"))
                continue
        branch = (row[cols["branch_id"]] if cols["branch_id"] else "") or default_branch
        if (rid, branch) in seen:
            skipped.append((where, f"identifiant « {rid} » déjà vu {table.row_label(seen[(rid, branch)])}"
                                   f"{' pour la même bibliothèque' if branch else ''}"))
            continue
        seen[(rid, branch)] = index
        extra = {c: v for c, v in row.items() if c not in used and v}
        if "collection_lib" in extra:
            extra["collections"] = _split(extra["collection_lib"])
        if "summary" in extra or "resume" in extra:
            extra["summary"] = extra.get("summary") or extra.get("resume")
        if "series" in extra or "collection_editoriale" in extra:
            extra["series"] = _split(extra.get("series") or extra.get("collection_editoriale"))
        items.append(CatalogueItem(
            id=rid, title=title, author=row[cols["author"]] if cols["author"] else "",
            year=_year(row[cols["year"]]) if cols["year"] else None,
            subjects=_split(row[cols["subjects"]]) if cols["subjects"] else [],
            genres=_split(row[cols["genre"]]) if cols["genre"] else [],
            dewey=next(iter(_split(row[cols["dewey"]])), "") if cols["dewey"] else "",
            branch_id=branch, url=row[cols["url"]] if cols["url"] else "", loans=loans, extra=extra))
        items[-1] = _with_shelving(items[-1], row, headers)
    if not items:
        raise csv_rows_refused(table.path, skipped)
    if skipped:
        notes.append(skipped_rows_note(table.path, skipped))
    return CatalogueRead(table.path, items, f"CSV ({table.encoding}, séparateur « {table.separator} »)",
                         skipped=skipped, notes=notes)


CSV_ROW_FIX = ("Chaque ligne doit avoir un titre (et un id, s'il y a une colonne id, unique par bibliothèque) ; "
               "les prêts sont un nombre entier ou vide.")


def csv_rows_refused(label: str, skipped: list[tuple[str, str]]) -> InputError:
    """The error of a CSV file none of whose rows is readable: every reason, by line."""
    errors = [InputError(f"{reason}.", where=where) for where, reason in skipped]
    if len(errors) == 1:
        return InputError(f"aucune ligne lisible ({skipped[0][1]}).", file=label, where=skipped[0][0], fix=CSV_ROW_FIX)
    refused = InputErrors(errors, file=label)
    refused.fix = CSV_ROW_FIX
    return refused


def skipped_rows_note(label: str, skipped: list[tuple[str, str]]) -> str:
    shown = "; ".join(f"{w} : {r}" for w, r in skipped[:10])
    return (f"{label} : {len(skipped)} ligne(s) ignorée(s) — {shown}" + (" …" if len(skipped) > 10 else "")
            + ". Corrigez-les dans l'export pour qu'elles comptent.")


def _with_shelving(item: CatalogueItem, row: dict, headers: dict[str, str]) -> CatalogueItem:
    """The row's call numbers and shelf codes; the Dewey number of a print call number when no column gives one."""
    shelving = csv_shelving(row, headers)
    if not item.dewey and is_text(shelving["shelves"]):
        shelving["dewey"] = dewey_in_call_numbers(shelving["call_numbers"])
    return item.model_copy(update=shelving)


def read_authorised_values(path: str | Path, category: str = "COLLECTION") -> dict[str, str]:
    """Koha authorised values of one category: code → label (e.g. ALTIGSF → "ALT - SF")."""
    table = read_table(path)
    table.require("category", "authorised_value", "lib")
    frame = table.frame[table.frame["category"] == category]
    return dict(zip(frame["authorised_value"], frame["lib"], strict=True))
