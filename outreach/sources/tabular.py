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
import warnings
from dataclasses import dataclass, field
from pathlib import Path

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
    sample = "\n".join(text.splitlines()[:20])
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
            frame = pd.read_csv(io.StringIO(text), sep=separator, dtype=str, keep_default_na=False,
                                skipinitialspace=True, index_col=False)
    except (pd.errors.ParserError, csv.Error) as exc:
        raise InputError(f"CSV illisible ({exc}).", file=label, fix=SAME_WIDTH_FIX) from exc
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
