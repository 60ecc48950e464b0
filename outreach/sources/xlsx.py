"""Opening the Excel workbooks users bring (Ads Manager templates and reports) within bounds.

A workbook is a zip of XML parts: a 1 MB file can hold a gigabyte of XML, and openpyxl parses parts lazily,
so a broken or hostile part fails while the rows are read, not when the file is opened. Both are handled
here once: the unpacked size is checked from the zip's directory before anything is parsed (zipfile
refuses a part longer than its directory says), and any error while opening or reading becomes the
caller's French InputError.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager

from outreach.bounds import (
    MAX_CELL_CHARS,
    MAX_XLSX_BYTES,
    MAX_XLSX_ROWS,
    MAX_XLSX_UNPACKED_BYTES,
    MB,
    check_size,
)
from outreach.errors import InputError


@contextmanager
def open_workbook(raw: bytes, label: str, fix: str) -> Iterator:
    """A read-only openpyxl workbook of `raw`; every failure inside the block is an InputError with `fix`."""
    from openpyxl import load_workbook

    check_size(len(raw), MAX_XLSX_BYTES, label)
    try:
        unpacked = sum(part.file_size for part in zipfile.ZipFile(io.BytesIO(raw)).infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise InputError("ce n'est pas un classeur Excel lisible (archive endommagée).", file=label, fix=fix) from exc
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise InputError(f"classeur trop volumineux une fois décompressé ({unpacked / MB:.0f} Mo pour "
                         f"{MAX_XLSX_UNPACKED_BYTES // MB} Mo au plus).", file=label,
                         fix="Exportez moins de lignes à la fois (une période plus courte), ou au format CSV.")
    book = None
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        yield book
    except InputError:
        raise
    except Exception as exc:  # openpyxl, zipfile and the XML parser raise many kinds for a damaged part
        raise InputError(f"classeur Excel illisible ({exc.__class__.__name__}).", file=label, fix=fix) from exc
    finally:
        if book is not None:
            book.close()


def rows(sheet, label: str, *, max_rows: int = MAX_XLSX_ROWS) -> Iterator[tuple]:
    """The values of a sheet's rows, refusing more than `max_rows` rows or a cell longer than Excel allows."""
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > max_rows:
            raise InputError(f"plus de {max_rows} lignes dans la feuille « {sheet.title} ».", file=label,
                             fix="Exportez une période plus courte, ou découpez le fichier.")
        for column, value in enumerate(row, start=1):
            if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                raise InputError(f"cellule de {len(value)} caractères ({MAX_CELL_CHARS} au plus dans Excel).",
                                 file=label, where=f"feuille « {sheet.title} », ligne {number}, colonne {column}",
                                 fix="Videz cette cellule ou exportez de nouveau le fichier.")
        yield row
