"""Cells that a spreadsheet reads as text, never as a formula (CSV and formula injection).

Excel, LibreOffice and Google Sheets run a cell that starts with =, +, -, @ (or a tab or carriage return
before one of them) as a formula: a campaign named `=HYPERLINK("https://…","Ouvrir")` or an e-mail address
typed as `=cmd|…` in the questionnaire would become a live link or command in the file a colleague opens.
Every CSV export writes through `writer`/`dict_writer` or `safe_frame`, which put an apostrophe in front
of such a value (the spreadsheets' own « text » marker, OWASP's advice); numbers written as text ("-12,5")
are left alone. The XLSX exports type their cells as text instead, which keeps the value exact.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"[+-]?\d[\d\s\u202f\xa0]*([.,]\d+)?([eE][+-]?\d+)?%?")


def safe(value):
    """`value`, with an apostrophe in front when a spreadsheet would run it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_row(values: Iterable) -> list:
    return [safe(v) for v in values]


class _SafeWriter:
    def __init__(self, inner, buffer=None):
        self._inner = inner
        d = inner.dialect if buffer is not None else None
        # A row of plain text (no quote, no line break, no delimiter inside a field) is the fields joined by the
        # delimiter, quoted nowhere: written so here, it skips the csv module's scan character by character
        # (three calls per character, a tenth of a national plan's CPU for its .txt sheet and plan.csv). Any
        # other row, or another dialect, goes through the csv module.
        plain = buffer is not None and d.quoting == csv.QUOTE_MINIMAL and d.quotechar == '"' and d.doublequote \
            and d.escapechar is None and d.delimiter in ("\t", ",", ";")
        self._plain = (buffer.write, d.delimiter, d.lineterminator, '"\r\n' + d.lineterminator) if plain else None

    def writerow(self, row):
        row = safe_row(row)
        if self._plain is not None and len(row) > 1 and all(type(v) is str for v in row):
            write, delimiter, end, special = self._plain
            line = delimiter.join(row)
            if line.count(delimiter) == len(row) - 1 and not any(ch in line for ch in special):
                return write(line + end)
        return self._inner.writerow(row)

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


class _SafeDictWriter(_SafeWriter):
    def writeheader(self):
        return self._inner.writeheader()

    def writerow(self, row: dict):
        return self._inner.writerow({k: safe(v) for k, v in row.items()})


def writer(buffer, **kwargs) -> _SafeWriter:
    """csv.writer whose every value goes through `safe`."""
    return _SafeWriter(csv.writer(buffer, **kwargs), buffer)


def dict_writer(buffer, fieldnames, **kwargs) -> _SafeDictWriter:
    """csv.DictWriter whose every value goes through `safe`."""
    return _SafeDictWriter(csv.DictWriter(buffer, fieldnames=fieldnames, **kwargs))


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text columns go through `safe` (numbers and dates are left as they are)."""
    import pandas as pd

    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(safe)
    return out
