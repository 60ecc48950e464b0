"""Reading the CSV files users bring: encoding and separator detected, headers normalised.

Exports from library systems and spreadsheets arrive in UTF-8 (with or without BOM), Windows-1252 or
UTF-16, separated by `;`, `,`, tabs or `|`. Everything is read as text: codes such as postcodes or INSEE
codes keep their leading zeros.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from outreach.bounds import MAX_CSV_BYTES, check_size, gunzip
from outreach.errors import InputError

SEPARATORS = ";,\t|"


@dataclass
class Table:
    """A CSV file read as text, with what was detected about it."""

    path: str
    frame: pd.DataFrame
    encoding: str
    separator: str
    notes: list[str] = field(default_factory=list)

    def require(self, *columns: str, fix: str = "") -> None:
        missing = [c for c in columns if c not in self.frame.columns]
        if missing:
            found = ", ".join(self.frame.columns) or "aucune"
            raise InputError(
                f"colonne(s) manquante(s) : {', '.join(missing)} (colonnes trouvées : {found}).",
                file=self.path, where="ligne 1 (en-tête)",
                fix=fix or "Ajoutez la colonne manquante ou renommez l'en-tête correspondant.")

    def column(self, *aliases: str) -> str | None:
        """The file's own name of the first column matching one of `aliases` (any case), None if none does."""
        lowered = {c.lower(): c for c in self.frame.columns}
        return next((lowered[a] for a in aliases if a in lowered), None)

    def row_label(self, index: int) -> str:
        """Human row number: the header is line 1, the first data row line 2."""
        return f"ligne {index + 2}"


def decode(raw: bytes, path: str) -> tuple[str, str]:
    """Decode bytes, returning (text, encoding name shown to the user)."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict"), "UTF-8 (BOM)"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "UTF-16"
    if len(raw) >= 4 and raw[1] == 0 and raw[3] == 0:  # UTF-16 LE without BOM: every other byte is 0
        return raw.decode("utf-16-le"), "UTF-16"
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        # Windows-1252 maps almost every byte: an undecodable file is more likely binary than text
        return raw.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as exc:
        raise InputError(
            "le fichier n'est pas un texte lisible (ni UTF-8, ni UTF-16, ni Windows-1252).",
            file=path, fix="Exportez-le au format CSV texte, de préférence en UTF-8.") from exc


def sniff_separator(text: str) -> str:
    sample = "\n".join(text[:65536].splitlines()[:20])  # the head only: splitting a whole file costs
    try:
        return csv.Sniffer().sniff(sample, delimiters=SEPARATORS).delimiter
    except csv.Error:
        header = text.splitlines()[0] if text else ""
        counts = {sep: header.count(sep) for sep in SEPARATORS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


SAME_WIDTH_FIX = "Vérifiez que chaque ligne a le même nombre de colonnes que l'en-tête."


def refuse_extra_fields(text: str, separator: str, label: str) -> None:
    """InputError on the first row with values beyond the header's columns (empty trailing fields are fine:
    spreadsheets often end every line with a separator)."""
    rows = csv.reader(io.StringIO(text), delimiter=separator, skipinitialspace=True)
    width = len(next(rows))
    for row in rows:
        if len(row) > width and any(value.strip() for value in row[width:]):
            raise InputError(f"{len(row)} champs pour {width} colonnes dans l'en-tête.", file=label,
                             where=f"ligne {rows.line_num}", fix=SAME_WIDTH_FIX)


def read_bytes(path: str | Path, max_bytes: int = MAX_CSV_BYTES) -> bytes:
    """The bytes of `path` (decompressed when it ends in .gz), refused past `max_bytes` before reading."""
    path = Path(path)
    try:
        check_size(path.stat().st_size, max_bytes, str(path))
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError("fichier introuvable.", file=path, fix="Vérifiez le chemin.") from exc
    except IsADirectoryError as exc:
        raise InputError("c'est un dossier, pas un fichier.", file=path, fix="Choisissez un fichier de ce dossier.") from exc
    except PermissionError as exc:
        raise InputError("lecture refusée par le système.", file=path,
                         fix="Vérifiez les droits du fichier, ou copiez-le dans un dossier à vous.") from exc
    if path.suffix == ".gz":
        raw = gunzip(raw, str(path), max_bytes)
    return raw


def input_bytes(path: str | Path, data: bytes | None, label: str, *, empty_fix: str,
                max_bytes: int = MAX_CSV_BYTES) -> bytes:
    """The bytes of an uploaded file (`data`) or of `path`, refusing an empty one with `empty_fix` and one
    larger than `max_bytes` (each reader passes the limit of its format, see outreach/bounds.py)."""
    if data is not None:
        check_size(len(data), max_bytes, label)
    raw = data if data is not None else read_bytes(path, max_bytes)
    if data is not None and str(label).endswith(".gz"):  # an upload is decompressed as a file on disk is
        raw = gunzip(raw, label, max_bytes)
    if not raw.strip():
        raise InputError("le fichier est vide.", file=label, fix=empty_fix)
    return raw


def read_table(path: str | Path, *, data: bytes | None = None, name: str | None = None) -> Table:
    """Read a CSV file (or uploaded bytes) into a text-only DataFrame with stripped headers."""
    label = name or str(path)
    raw = input_bytes(path, data, label, empty_fix="Choisissez un fichier qui contient des données.")
    text, encoding = decode(raw, label)
    separator = sniff_separator(text)
    try:
        with warnings.catch_warnings(record=True) as longer_rows:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            # index_col=False: a row longer than the header must not turn its first fields into an index
            # (every value would land one column off); pandas drops the extra fields and warns instead
            # UTF-8 goes to the parser as the bytes it is, rather than encoded again from the text
            utf8 = raw.removeprefix(codecs.BOM_UTF8) if encoding.startswith("UTF-8") else None
            frame = _parse_large(utf8, text, separator) if utf8 is not None else None
            if frame is None:
                source = io.BytesIO(utf8) if utf8 is not None else io.StringIO(text)
                frame = pd.read_csv(source, sep=separator, dtype=str, keep_default_na=False, encoding="utf-8",
                                    skipinitialspace=True, index_col=False)
    except (pd.errors.ParserError, csv.Error) as exc:
        raise InputError(f"CSV illisible ({_csv_problem(str(exc))}).", file=label, fix=SAME_WIDTH_FIX) from exc
    if longer_rows:
        refuse_extra_fields(text, separator, label)
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.apply(lambda col: col.str.strip())
    notes = []
    if encoding == "Windows-1252":
        notes.append(f"{label} : lu en Windows-1252 ; enregistrez-le en UTF-8 pour éviter toute ambiguïté.")
    if frame.empty:
        raise InputError("le fichier ne contient qu'un en-tête, aucune ligne de données.", file=label,
                         fix="Choisissez le fichier complet, avec une ligne par élément sous l'en-tête.")
    return Table(path=label, frame=frame, encoding=encoding, separator=separator, notes=notes)


def _csv_problem(message: str) -> str:
    """The C parser's English message, in French with the file's line number (its rows count from 0)."""
    if quote := re.search(r"EOF inside string starting at row (\d+)", message):
        return f"guillemet ouvert ligne {int(quote[1]) + 1} et jamais refermé"
    if width := re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message):
        return f"ligne {width[2]} : {width[3]} champs au lieu de {width[1]}"
    return "structure de fichier incorrecte"


LARGE = 1 << 20  # bytes from which a plain UTF-8 file goes to pyarrow's parser


def _parse_large(utf8: bytes, text: str, separator: str) -> pd.DataFrame | None:
    """A large plain file (national lists, catalogue exports) parsed by pyarrow, three times as fast as
    pandas' own parser; None (pandas' parser then decides, with its messages) for a small file, a header
    with blank or repeated names, or anything pyarrow refuses (a row of another width, a quote opened
    after a blank)."""
    if len(utf8) < LARGE:
        return None
    header = next(csv.reader(io.StringIO(text[:65536].partition("\n")[0]), delimiter=separator))
    names = [h.strip() for h in header]
    if any(not n or n != h for n, h in zip(names, header, strict=True)) or len(set(names)) != len(names):
        return None
    if blank_before_quote(text, separator):  # pandas skips those blanks
        return None
    try:
        return pd.read_csv(io.BytesIO(utf8), sep=separator, dtype=str, keep_default_na=False, engine="pyarrow")
    except Exception:  # noqa: BLE001 - pyarrow's errors are many; pandas' parser reads it or says why
        return None


def blank_before_quote(text: str, separator: str) -> bool:
    """Whether a field starts with blanks (spaces, tabs) then a quote: `(^|separator)[ \t]+"` in multi-line
    mode, found from the few places a blank stands before a quote (str.find, in C) rather than by that
    pattern, which tries every position of the file (0.12 s for the two national lists, on a 1.5 s run)."""
    for pair in (' "', '\t"'):
        at = text.find(pair)
        while at != -1:
            start = at  # text[start:at + 1] is a run of blanks before the quote
            while start > 0 and text[start - 1] not in (separator, "\n") and text[start - 1] in " \t":
                start -= 1
            if start == 0 or text[start - 1] in (separator, "\n"):
                return True
            at = text.find(pair, at + 1)
    return False


def parse_float(value: str) -> float | None:
    """Parse a number written the French or the English way ('43,29', '1 234,5', '43.29').

    'nan', 'inf' and numbers too large for a float are unreadable (None), like any other text."""
    text = (value or "").strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    if not text:
        return None
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    elif "," in text and "." in text:  # 1,234.5 or 1.234,5: the last one is the decimal mark
        text = text.replace(",", "") if text.rfind(".") > text.rfind(",") else text.replace(".", "").replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def parse_floats(values) -> np.ndarray:
    """`parse_float` over a column of text: a float array with NaN where a value is empty or unreadable.

    Plain numbers ('43.29', '-1e3') are converted in one step, with Python's own float(), so the result is
    the same as value by value; a column holding anything else (a French decimal comma, a thousands space,
    a word) is read value by value with parse_float."""
    text = np.asarray(values, dtype=object)
    try:
        numbers = np.where(text == "", "nan", text).astype(float)
    except (ValueError, TypeError):
        numbers = np.array([parse_float(v) if isinstance(v, str) else None for v in text], dtype=float)
    numbers[~np.isfinite(numbers)] = np.nan
    return numbers


def duplicates(keys: pd.Series, rows: np.ndarray) -> list[tuple[int, int]]:
    """(row, first row with the same key) for every repeated key, in row order; `rows` are the keys' rows."""
    repeated = keys.duplicated(keep="first").to_numpy(dtype=bool)
    if not repeated.any():
        return []
    first: dict = {}
    for key, row in zip(keys.tolist(), rows.tolist(), strict=True):
        first.setdefault(key, row)
    return [(row, first[key]) for key, row in zip(keys[repeated].tolist(), rows[repeated].tolist(), strict=True)]
