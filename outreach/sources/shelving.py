"""How a library shelves a record: call numbers and shelf, section or category codes, as exports write them.

A public library's shelving is the strongest clue to what a work is: a librarian put it under "R POL" or
"BD M". This module reads that shelving out of MARC records and CSV rows, under the names real exports
use; `outreach.themes.shelves` maps it to themes.

  UNIMARC  995$k call number; 995$h collection, 995$e location (Koha); 686$a local classification
  MARC21   952$o call number; 952$8 collection, 952$c location (Koha); 852$k$h$i call number, 852$c
           shelving location; 084$a other classification
  CSV      call number: cote, call_number, itemcallnumber…; shelves: section, genre, catégorie, cat 1,
           cat 2, localisation, emplacement, rayon, support, type de document, collection, ccode, itype…
"""

from __future__ import annotations

import re

from outreach.sources.marc_fields import MarcFields
from outreach.text import fold

CALL_NUMBER_COLUMNS = ("cote", "cotes", "cote_995k", "call_number", "call_numbers", "call_numbers_995k",
                       "itemcallnumber", "cote_exemplaire", "cote_document")
SHELF_COLUMNS = ("section", "genre", "genres", "categorie", "categories", "cat_1", "cat_2", "cat1", "cat2",
                 "categorie_1", "categorie_2", "localisation", "location", "location_995e", "emplacement", "rayon",
                 "support", "type_de_document", "type_document", "typedoc_lib", "collection", "collection_995h",
                 "code_collection", "ccode", "itype", "bnf_686", "classe")
# what a document-type or support column says of music and films, whose call numbers carry the PCDM
# classification and other numbers that look like Dewey classes
_NOT_TEXT = ("disque", "cd", "dvd", "blu ray", "vinyle", "microsillon", "cassette", "vhs", "video", "musique",
             "film", "partition", "jeu video", "cd rom")
_DEWEY_IN_CALL = re.compile(r"(?:^|[\s/])(\d{3}(?:\.\d+)?)(?=$|[\s/])")
_SPLIT = re.compile(r"\s*\|\|\s*|\s*\|\s*|\s*;\s*")


def _unique(values) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))


def marc_shelving(record: MarcFields) -> dict[str, list[str]]:
    """`call_numbers` and `shelves` of a UNIMARC or MARC21 record (every copy, each value once)."""
    if record.has("200") and not record.has("245"):  # UNIMARC
        calls = record.subfields("995", "k")
        shelves = record.subfields("995", "h") + record.subfields("995", "e") + record.subfields("686", "a")
    else:
        calls = record.subfields("952", "o")
        for f in record.data("852"):  # prefix, classification part, item part: one call number
            call = " ".join(v for code in "khi" for c, v in f if c == code and v)
            if call.strip():
                calls.append(call)
        shelves = (record.subfields("952", "8") + record.subfields("952", "c") + record.subfields("852", "c")
                   + record.subfields("084", "a"))
    return {"call_numbers": _unique(calls), "shelves": _unique(shelves)}


def csv_shelving(row: dict[str, str], headers: dict[str, str]) -> dict[str, list[str]]:
    """`call_numbers` and `shelves` of one CSV row; `headers` maps folded header names (fold, spaces as "_")
    to the file's own column names."""
    calls = [v for name in CALL_NUMBER_COLUMNS if name in headers for v in _SPLIT.split(row.get(headers[name]) or "")]
    shelves = [v for name in SHELF_COLUMNS if name in headers for v in _SPLIT.split(row.get(headers[name]) or "")]
    return {"call_numbers": _unique(calls), "shelves": _unique(shelves)}


def folded_headers(columns) -> dict[str, str]:
    """Folded header name → the file's column name ("Cat 1" → "cat_1", "Type de document" → "type_de_document")."""
    return {fold(str(c)).replace(" ", "_"): str(c) for c in columns}


def is_text(shelves: list[str]) -> bool:
    """False when a shelf or support value says music, film or another medium than print."""
    for value in shelves:
        words = f" {fold(value)} "
        if any(f" {w} " in words for w in _NOT_TEXT):
            return False
    return True


def dewey_in_call_numbers(call_numbers: list[str]) -> str:
    """The first Dewey number standing as a word of a call number ("641.5 CUI", "J 741.5 TIN", "EXT E/577"),
    or "". The caller checks that the record is print (see `is_text`)."""
    for call in call_numbers:
        m = _DEWEY_IN_CALL.search(call.strip())
        if m:
            return m.group(1)
    return ""
