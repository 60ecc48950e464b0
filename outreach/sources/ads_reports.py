"""Readers of Meta Ads Manager report exports (CSV and XLSX, French or English interface).

Ads Manager names its columns in the language of the user's interface ("Couverture" or "Reach",
"Montant dépensé (EUR)" or "Amount spent (EUR)"…). One alias table maps every known header to a field;
a header that matches nothing is listed by name in the notes, never dropped silently. Numbers may be
written the French way ("1 234,56") or the English way ("1,234.56"); rows may be daily (a "Jour"/"Day"
column, or reporting start = end) or cover a whole period.

The result is a `ResultRows` frame, the same shape as what the Insights API gives
(`outreach.meta.insights`), so that the store does not care where the figures come from.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pacsv

from outreach.bounds import MAX_REPORT_BYTES
from outreach.errors import InputError, InputErrors
from outreach.sources.tabular import decode, input_bytes, sniff_separator
from outreach.sources.xlsx import open_workbook
from outreach.sources.xlsx import rows as sheet_rows

# The fields every result row carries, in this order (see `empty_rows`).
ID_COLUMNS = ["level", "campaign_id", "campaign_name", "adset_id", "adset_name", "date_start", "date_stop"]
METRIC_COLUMNS = ["reach", "impressions", "spend", "link_clicks", "clicks"]
ROW_COLUMNS = ID_COLUMNS + METRIC_COLUMNS

# Header (normalised: lower case, straight apostrophes, single spaces, currency suffix removed) → field.
# French headers are those of the French Ads Manager interface; add a line here when Meta renames one.
ALIASES: dict[str, tuple[str, ...]] = {
    "date_start": ("reporting starts", "début des rapports", "date de début", "date_start"),
    "date_stop": ("reporting ends", "fin des rapports", "date de fin", "date_stop"),
    "day": ("day", "jour", "date"),
    "campaign_name": ("campaign name", "nom de la campagne", "campaign_name"),
    "campaign_id": ("campaign id", "identifiant de la campagne", "id de la campagne", "campaign_id"),
    "adset_name": ("ad set name", "nom de l'ensemble de publicités", "adset_name"),
    "adset_id": ("ad set id", "identifiant de l'ensemble de publicités", "id de l'ensemble de publicités",
                 "adset_id"),
    "ad_name": ("ad name", "nom de la publicité", "ad_name"),
    "ad_id": ("ad id", "identifiant de la publicité", "id de la publicité", "ad_id"),
    "reach": ("reach", "couverture"),
    "impressions": ("impressions",),
    "spend": ("amount spent", "montant dépensé", "spend"),
    "link_clicks": ("link clicks", "clics sur un lien", "clics sur le lien", "inline_link_clicks"),
    "clicks": ("clicks (all)", "clics (tous)", "clicks"),
    "currency": ("currency", "devise", "account_currency"),
}
# Columns Ads Manager adds that are recognised but not stored: ratios and costs are recomputed from the
# stored counts, statuses and settings say nothing about results.
DERIVED_HEADERS = {
    "frequency", "répétition", "fréquence",
    "ctr (link click-through rate)", "ctr (taux de clics sur le lien)", "ctr (all)", "ctr (tous)",
    "cpm (cost per 1,000 impressions)", "cpm (coût pour 1 000 impressions)",
    "cpc (cost per link click)", "cpc (coût par clic sur un lien)", "cpc (all)", "cpc (tous)",
    "cost per 1,000 accounts center accounts reached", "coût pour 1 000 comptes de l'espace comptes touchés",
    "results", "résultats", "result indicator", "indicateur de résultats", "result type", "type de résultat",
    "cost per results", "cost per result", "coût par résultat", "coût par résultats",
    "ad set delivery", "diffusion de l'ensemble de publicités", "campaign delivery", "diffusion de la campagne",
    "ad delivery", "diffusion de la publicité", "delivery", "diffusion",
    "starts", "début", "ends", "fin", "attribution setting", "paramètre d'attribution",
    "budget", "budget type", "type de budget", "ad set budget", "budget de l'ensemble de publicités",
    "ad set budget type", "type de budget de l'ensemble de publicités", "bid", "enchère", "bid type",
    "type d'enchère", "quality ranking", "classement de qualité", "frequency (accounts center accounts)",
}
HEADER_TO_FIELD = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
FRENCH_HEADERS = {"début des rapports", "fin des rapports", "jour", "nom de la campagne", "couverture",
                  "montant dépensé", "nom de l'ensemble de publicités", "clics sur un lien", "devise"}
TEXT = pd.StringDtype("pyarrow")
CURRENCY_SUFFIX = re.compile(r"\s*\(([A-Za-z]{3})\)\s*$")
ACCOUNT_CURRENCY = "EUR"  # French public libraries pay in euros; the dashboards count in euros

FIELD_LABELS = {  # how a field is named to the user
    "reach": "couverture", "impressions": "impressions", "spend": "montant dépensé",
    "link_clicks": "clics sur un lien", "clicks": "clics (tous)", "date_start": "début des rapports",
    "date_stop": "fin des rapports", "day": "jour",
}


@dataclass
class ResultRows:
    """Rows of results read from one source, ready to be linked to a plan and stored."""

    source: str
    frame: pd.DataFrame  # ROW_COLUMNS; dates as ISO strings, reach/impressions int64, spend float64
    currency: str = ACCOUNT_CURRENCY
    notes: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    dropped_total_rows: int = 0

    @property
    def level(self) -> str:
        return str(self.frame["level"].iloc[0]) if len(self.frame) else "adset"

    @property
    def daily(self) -> bool:
        return bool(len(self.frame)) and bool((self.frame["date_start"] == self.frame["date_stop"]).all())


def empty_rows() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in ID_COLUMNS})
    for c in ("reach", "impressions"):
        frame[c] = pd.Series(dtype="int64")
    for c in ("spend", "link_clicks", "clicks"):
        frame[c] = pd.Series(dtype="float64")
    return frame


def normalise_header(header: str) -> tuple[str, str | None]:
    """(normalised header, currency named in it) — "Montant dépensé (EUR)" → ("montant dépensé", "EUR")."""
    text = unicodedata.normalize("NFC", str(header)).replace("\u2019", "'").replace("\xa0", " ")
    text = " ".join(text.strip().lower().split())
    match = CURRENCY_SUFFIX.search(text)
    if match and match.group(1).upper() not in ("ALL",):
        return text[: match.start()].strip(), match.group(1).upper()
    return text, None


# ---------------------------------------------------------------------------------------------- reading


def read_ads_report(path: str | Path, *, data: bytes | None = None, name: str | None = None) -> ResultRows:
    """Read an Ads Manager export (CSV or XLSX) into result rows, or raise an InputError saying what to fix."""
    label = name or str(path)
    raw = input_bytes(path, data, label,
                      empty_fix="Exportez à nouveau le rapport depuis le Gestionnaire de publicités.",
                      max_bytes=MAX_REPORT_BYTES)
    if raw[:4] == b"PK\x03\x04":  # a ZIP container: XLSX
        frame, typed = _xlsx_frame(raw, label), True
    else:
        frame, typed = _csv_frame(raw, label), False
    return _rows_from_frame(frame, label, typed)


def _csv_frame(raw: bytes, label: str) -> pd.DataFrame:
    """CSV → text columns, through Arrow's multithreaded reader (a million rows in a second or two)."""
    if raw.startswith(codecs.BOM_UTF8) or not (raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
                                               or (len(raw) >= 4 and raw[1] == 0 and raw[3] == 0)):
        # probably UTF-8: decode only the head to sniff; Arrow checks the rest while reading
        start = 3 if raw.startswith(codecs.BOM_UTF8) else 0
        try:
            return _arrow_csv(raw[start:] if start else raw, raw[start:start + 65536].decode("utf-8", "ignore"), label)
        except _NotUtf8:
            pass
    text, _encoding = decode(raw, label)
    return _arrow_csv(text.encode("utf-8"), text[:65536], label)


class _NotUtf8(Exception):
    pass


def _arrow_csv(data: bytes, head: str, label: str) -> pd.DataFrame:
    separator = sniff_separator(head)
    header = next(csv.reader(io.StringIO(head.splitlines()[0] if head else ""), delimiter=separator), [])
    names, seen = [], {}
    for i, h in enumerate(header):  # named as pandas would: "Unnamed: 3", "Reach.1"
        name = h.strip() or f"Unnamed: {i}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        names.append(name)
    try:
        table = pacsv.read_csv(
            io.BytesIO(data), read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pacsv.ParseOptions(delimiter=separator, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 strings_can_be_null=False))
    except pa.ArrowInvalid as exc:
        if "UTF8" in str(exc) or "utf8" in str(exc).lower():
            raise _NotUtf8() from exc
        raise _ragged_row_error(data, separator, len(names), label) from exc
    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
    frame.columns = names
    return frame


def _ragged_row_error(data: bytes, separator: str, width: int, label: str) -> InputError:
    """Arrow's own message is English and names no line: find the first row of another width with the
    csv module (only on this error path, so the fast path stays Arrow's)."""
    fix = "Vérifiez que chaque ligne a le même nombre de colonnes que l'en-tête, puis exportez à nouveau."
    rows = csv.reader(io.StringIO(data.decode("utf-8", errors="replace"), newline=""), delimiter=separator)
    next(rows, None)
    for line, row in enumerate(rows, start=2):
        if row and len(row) != width:
            return InputError(f"ligne {line} : {len(row)} colonne(s) au lieu de {width}.", file=label, fix=fix)
    return InputError("CSV illisible : les colonnes ne sont pas régulières.", file=label, fix=fix)


def _xlsx_frame(raw: bytes, label: str) -> pd.DataFrame:
    with open_workbook(raw, label, "Exportez à nouveau le rapport au format .xlsx ou .csv.") as book:
        for sheet in book.worksheets:
            rows = list(sheet_rows(sheet, label))
            # the header is the first row that names at least two known fields (a title may come first)
            for i, row in enumerate(rows[:20]):
                known = sum(1 for v in row if v is not None and normalise_header(v)[0] in HEADER_TO_FIELD)
                if known >= 2:
                    header = ["" if v is None else str(v) for v in row]
                    # each row indexed by its sheet row number minus 2, as CSV rows are by their line:
                    # messages say "ligne {index + 2}"
                    body = {n - 2: list(r) + [None] * (len(header) - len(r))
                            for n, r in enumerate(rows[i + 1:], start=i + 2) if any(v not in (None, "") for v in r)}
                    frame = pd.DataFrame([r[: len(header)] for r in body.values()], columns=header, dtype=object,
                                         index=list(body))
                    return frame.where(frame.notna(), "")
    raise InputError("aucune feuille du classeur n'a d'en-tête de rapport (Couverture, Impressions…).", file=label,
                     fix="Exportez le rapport depuis le Gestionnaire de publicités sans le modifier.")


def _rows_from_frame(frame: pd.DataFrame, label: str, typed: bool) -> ResultRows:
    columns: dict[str, str] = {}  # field → original header
    currencies: dict[str, str] = {}  # original header → currency it names
    unknown: list[str] = []
    twice: list[tuple[str, str, str]] = []  # (field, first header, second header)
    french = 0
    for header in frame.columns:
        norm, currency = normalise_header(header)
        if not norm or norm.startswith("unnamed:"):
            if frame[header].astype(str).str.strip().ne("").any():
                unknown.append(str(header) or "(sans nom)")
            continue
        if currency:
            currencies[header] = currency
        name = HEADER_TO_FIELD.get(norm)
        french += norm in FRENCH_HEADERS
        if name is None:
            if norm not in DERIVED_HEADERS:
                unknown.append(str(header))
            continue
        if name in columns:
            twice.append((name, columns[name], header))
            continue
        columns[name] = header
    notes: list[str] = []
    if unknown:
        notes.append(f"{label} : colonne(s) non reconnue(s), ignorée(s) : {', '.join(unknown)}.")

    currency = _file_currency(frame, columns, currencies, label)  # first: two spend columns may be two currencies
    if twice:
        name, first, second = twice[0]
        raise InputError(f"deux colonnes donnent « {FIELD_LABELS.get(name, name)} » : « {first} » et « {second} ».",
                         file=label, where="ligne 1 (en-tête)", fix="Supprimez l'une des deux colonnes.")
    _check_columns(columns, unknown, label)
    level = _level(frame, columns, label)

    # the frame's index stays the row's place in the file (line = index + 2) until the rows are returned,
    # so that every message names the line of the file even after a summary row is dropped
    ids = {name: _as_text(frame[columns[name]]) if name in columns else pd.Series("", index=frame.index)
           for name in ("campaign_id", "campaign_name", "adset_id", "adset_name")}
    for name in ("campaign_id", "adset_id"):  # ids exported through a spreadsheet may come back as 1.2e+16
        ids[name] = ids[name].str.replace(r"\.0$", "", regex=True)
    names_empty = (ids["campaign_id"] == "") & (ids["campaign_name"] == "") & (ids["adset_id"] == "") \
        & (ids["adset_name"] == "")
    if level == "adset":
        names_empty |= (ids["adset_id"] == "") & (ids["adset_name"] == "")
    # Ads Manager can add a summary row (all names empty): its totals are recomputed, never stored twice
    dropped = int(names_empty.sum())
    if dropped:
        lines = ", ".join(str(i + 2) for i in names_empty.index[names_empty.to_numpy()][:5])
        notes.append(f"{label} : {dropped} ligne(s) sans nom de campagne ni d'ensemble (ligne de total, "
                     f"ligne(s) {lines}) ignorée(s) : les totaux sont recalculés.")
    keep = ~names_empty
    frame = frame[keep]
    ids = {k: v[keep] for k, v in ids.items()}
    if frame.empty:
        raise InputError("aucune ligne de résultats (seulement une ligne de total ou des lignes vides).",
                         file=label, fix="Exportez le rapport avec une ligne par ensemble de publicités.")

    errors: list[InputError] = []
    decimal = _decimal_mark(frame, columns, french > 0, typed)
    out = pd.DataFrame({"level": level, **ids})
    out["date_start"], out["date_stop"] = _dates(frame, columns, french > 0, label, errors)
    for name in METRIC_COLUMNS:
        if name in columns:
            out[name] = _numbers(frame[columns[name]], name, columns[name], decimal, errors,
                                 integer=name in ("reach", "impressions", "link_clicks", "clicks"))
        else:
            out[name] = np.nan
    if errors:
        raise InputErrors(errors, file=label)
    out["reach"] = out["reach"].fillna(0).astype("int64")
    out["impressions"] = out["impressions"].fillna(0).astype("int64")
    out["spend"] = out["spend"].fillna(0.0).astype("float64")
    _check_consistency(out, label)
    _check_duplicates(out, label)
    if "link_clicks" not in columns:
        notes.append(f"{label} : pas de colonne « Clics sur un lien » : le CTR ne pourra pas être calculé.")
    return ResultRows(source=label, frame=out[ROW_COLUMNS].reset_index(drop=True), currency=currency, notes=notes, unknown_columns=unknown,
                      dropped_total_rows=dropped)


def _check_columns(columns: dict[str, str], unknown: list[str], label: str) -> None:
    wanted = {"reach": "Couverture (Reach)", "impressions": "Impressions", "spend": "Montant dépensé (EUR)"}
    missing = [shown for name, shown in wanted.items() if name not in columns]
    if not any(n in columns for n in ("adset_name", "adset_id", "campaign_name", "campaign_id")):
        missing.append("Nom de l'ensemble de publicités (Ad set name) ou Nom de la campagne")
    if "day" not in columns and not ("date_start" in columns and "date_stop" in columns):
        missing.append("Début des rapports et Fin des rapports (Reporting starts/ends), ou Jour")
    if missing:
        hint = f" Colonnes non reconnues : {', '.join(unknown)}." if unknown else ""
        raise InputError(f"colonne(s) manquante(s) : {'; '.join(missing)}.{hint}", file=label,
                         where="ligne 1 (en-tête)",
                         fix="Ajoutez ces colonnes au rapport dans le Gestionnaire de publicités (Colonnes → "
                             "Personnaliser) et exportez-le à nouveau, ou renommez l'en-tête correspondant.")


def _file_currency(frame: pd.DataFrame, columns: dict[str, str], currencies: dict[str, str], label: str) -> str:
    found: dict[str, str] = {}  # currency → where it was seen
    for header, currency in currencies.items():
        found.setdefault(currency, f"colonne « {header} »")
    if "currency" in columns:
        for i, value in _as_text(frame[columns["currency"]]).items():
            if value:
                found.setdefault(value.upper(), f"ligne {i + 2}")
    if len(found) > 1:
        shown = ", ".join(f"{c} ({where})" for c, where in found.items())
        raise InputError(f"plusieurs devises dans le même rapport : {shown}.", file=label,
                         fix="Les montants de devises différentes ne s'additionnent pas : exportez un rapport "
                             "par compte publicitaire, dans la devise du compte.")
    currency = next(iter(found), ACCOUNT_CURRENCY)
    if currency != ACCOUNT_CURRENCY:
        raise InputError(f"les montants sont en {currency} ; les tableaux de bord comptent en euros.", file=label,
                         fix="Exportez le rapport d'un compte publicitaire en EUR.")
    return currency


def _level(frame: pd.DataFrame, columns: dict[str, str], label: str) -> str:
    for name in ("ad_name", "ad_id"):
        if name in columns and _as_text(frame[columns[name]]).ne("").any():
            raise InputError("ce rapport est au niveau des publicités : la couverture ne s'additionne pas entre "
                             "publicités, elle ne peut pas être rapportée aux thèmes.", file=label,
                             where=f"colonne « {columns[name]} »",
                             fix="Exportez le rapport depuis l'onglet « Ensembles de publicités » (ou "
                                 "« Campagnes ») du Gestionnaire de publicités.")
    has_adset = any(n in columns and _as_text(frame[columns[n]]).ne("").any() for n in ("adset_name", "adset_id"))
    return "adset" if has_adset else "campaign"


def _as_text(series: pd.Series, strip: bool = True) -> pd.Series:
    """Cells as stripped Arrow-backed strings (vectorised: a million rows stay fast). CSV cells are text
    already; XLSX cells may be numbers or dates."""
    if series.dtype == object and not series.map(lambda v: isinstance(v, str)).all():
        series = series.map(_cell_text)
    if series.dtype != TEXT:
        series = series.astype(TEXT)
    series = series.fillna("")
    return series.str.strip() if strip else series


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    if hasattr(value, "date") and callable(value.date):  # datetime from a spreadsheet: the day is what counts
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


# ---------------------------------------------------------------------------------------------- numbers

_SPACES = re.compile(r"[\s\u00a0\u202f']")
_COMMA_DECIMAL = re.compile(r"^-?[\d\s\u00a0\u202f.]*\d,\d{1,2}\s*%?$|^-?\d+,\d{4,}$")
_POINT_DECIMAL = re.compile(r"^-?[\d,]*\d\.\d{1,2}\s*%?$|^-?\d+\.\d{4,}$")


def _decimal_mark(frame: pd.DataFrame, columns: dict[str, str], french: bool, typed: bool) -> str:
    """The file's decimal mark: ',' or '.'. Decided on the cells that can only be read one way ("12,5"
    or "1 234,56" → comma; "12.50" → point); when every cell is ambiguous or whole, the headers' language."""
    comma = point = 0
    for name in ("spend", "reach", "impressions", "link_clicks", "clicks"):
        if name not in columns:
            continue
        cells = frame[columns[name]]
        if typed:  # numbers typed in a spreadsheet carry no decimal mark: only its text cells tell
            cells = cells[cells.map(lambda v: isinstance(v, str))]
        sample = cells.head(5000).astype(str)
        comma += int(sample.str.match(_COMMA_DECIMAL).sum())
        point += int(sample.str.match(_POINT_DECIMAL).sum())
    if comma != point:
        return "," if comma > point else "."
    return "," if french else "."


def _numbers(cells: pd.Series, name: str, header: str, decimal: str, errors: list[InputError],
             integer: bool) -> pd.Series:
    text = _as_text(cells, strip=False)  # spaces are removed below anyway
    arr = pa.array(text)
    try:  # plain numbers ("1234.5"), as Ads Manager writes them in English: one pass
        values = pd.Series(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), index=cells.index)
        return _checked(values, text, name, header, errors, integer)
    except pa.ArrowInvalid:
        pass
    cleaned = arr
    for space in (" ", "\u00a0", "\u202f", "'", "\t"):  # thousands separators; literal passes beat a regex
        cleaned = pc.replace_substring(cleaned, space, "")
    cleaned = pc.utf8_rtrim(cleaned, characters="%")
    cleaned = pc.if_else(pc.is_in(cleaned, value_set=pa.array(["-", "—", "–"])), "", cleaned)
    if decimal == ",":  # "1 234,56" → "1234.56"; a cell without a comma keeps its point
        has_comma = pc.match_substring(cleaned, ",")
        cleaned = pc.if_else(has_comma, pc.replace_substring(pc.replace_substring(cleaned, ".", ""), ",", "."),
                             cleaned)
    else:  # "1,234.56" → "1234.56"
        cleaned = pc.replace_substring(cleaned, ",", "")
    empty = pc.equal(cleaned, "")
    try:  # the usual case: every cell is a number; the regex below is only needed to find the bad ones
        parsed = pc.cast(pc.if_else(empty, pa.scalar(None, pa.string()), cleaned), pa.float64())
        valid = pc.invert(empty)
    except pa.ArrowInvalid:
        valid = pc.match_substring_regex(cleaned, r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
        parsed = pc.cast(pc.if_else(valid, cleaned, pa.scalar(None, pa.string())), pa.float64())
    values = pd.Series(parsed.to_numpy(zero_copy_only=False), index=cells.index, dtype="float64")
    bad = ~valid.to_numpy(zero_copy_only=False) & ~empty.to_numpy(zero_copy_only=False)
    for i in np.flatnonzero(bad)[:20]:
        errors.append(InputError(f"« {text.iloc[i].strip()} » n'est pas un nombre.",
                                 where=f"ligne {text.index[i] + 2}, colonne « {header} »",
                                 fix="Écrivez un nombre (1 234,56 ou 1234.56), ou laissez la case vide."))
    return _checked(values, text, name, header, errors, integer, bad)


def _checked(values: pd.Series, text: pd.Series, name: str, header: str, errors: list[InputError], integer: bool,
             unreadable: np.ndarray | None = None) -> pd.Series:
    """Refuse what parsed but is no result; `unreadable` marks the cells already refused as not numbers."""
    # "inf", "nan" or "1e400" parse as floats but are no result: refused like any unreadable cell
    nonfinite = ~np.isfinite(values.to_numpy())
    if nonfinite.any():  # only those cells' text is looked at: a million rows stay fast
        nonfinite[nonfinite] = ~text[nonfinite].str.strip().isin(["", "-", "—", "–"]).to_numpy()
    if unreadable is not None:
        nonfinite &= ~unreadable
    for i in np.flatnonzero(nonfinite)[:20]:
        errors.append(InputError(f"« {text.iloc[i].strip()} » n'est pas un nombre.",
                                 where=f"ligne {text.index[i] + 2}, colonne « {header} »",
                                 fix="Écrivez un nombre (1 234,56 ou 1234.56), ou laissez la case vide."))
    negative = (values < 0).to_numpy()
    for i in np.flatnonzero(negative)[:20]:
        errors.append(InputError(f"valeur négative ({text.iloc[i]}).",
                                 where=f"ligne {text.index[i] + 2}, colonne « {header} »",
                                 fix="Les résultats ne peuvent pas être négatifs : vérifiez l'export."))
    if integer and (unreadable is None or not unreadable.any()):
        fractional = (values.notna() & (values != values.round())).to_numpy()
        for i in np.flatnonzero(fractional)[:20]:
            errors.append(InputError(f"« {text.iloc[i]} » n'est pas un nombre entier ({FIELD_LABELS[name]}).",
                                     where=f"ligne {text.index[i] + 2}, colonne « {header} »",
                                     fix="Un nombre de personnes ou de clics est entier : vérifiez le séparateur "
                                         "décimal de l'export."))
    return values


# ---------------------------------------------------------------------------------------------- dates


def _dates(frame: pd.DataFrame, columns: dict[str, str], french: bool, label: str,
           errors: list[InputError]) -> tuple[pd.Series, pd.Series]:
    if "day" in columns:
        day = _parse_dates(frame[columns["day"]], columns["day"], french, errors)
        return day, day.copy()
    start = _parse_dates(frame[columns["date_start"]], columns["date_start"], french, errors)
    stop = _parse_dates(frame[columns["date_stop"]], columns["date_stop"], french, errors)
    inverted = (start > stop) & (start != "") & (stop != "")
    for i in np.flatnonzero(inverted.to_numpy())[:20]:
        errors.append(InputError(f"la période finit ({stop.iloc[i]}) avant de commencer ({start.iloc[i]}).",
                                 where=f"ligne {start.index[i] + 2}", fix="Vérifiez les colonnes de début et de fin."))
    return start, stop


def _parse_dates(cells: pd.Series, header: str, french: bool, errors: list[InputError]) -> pd.Series:
    """ISO strings "YYYY-MM-DD". Slashed dates are read day first unless the column proves otherwise
    (a day-first reading fails) or the headers are English and nothing proves they are day first.
    Worked out once per distinct value: a year of daily rows has 365 of them, whatever the row count."""
    text = pa.array(_as_text(cells).str.slice(0, 10))
    distinct = pc.unique(text)
    parsed = pc.strptime(distinct, format="%Y-%m-%d", unit="s", error_is_null=True)
    missing = pc.and_(pc.is_null(parsed), pc.not_equal(distinct, ""))
    if pc.any(missing).as_py():
        slashed = pc.filter(distinct, pc.match_substring_regex(distinct, r"^\d{1,2}/\d{1,2}/\d{4}$"))
        bad_dm = pc.strptime(slashed, format="%d/%m/%Y", unit="s", error_is_null=True).null_count
        bad_md = pc.strptime(slashed, format="%m/%d/%Y", unit="s", error_is_null=True).null_count
        order = "%d/%m/%Y" if bad_dm < bad_md or (bad_dm == bad_md and french) else "%m/%d/%Y"
        for fmt in (order, "%d.%m.%Y", "%Y/%m/%d"):
            parsed = pc.coalesce(parsed, pc.strptime(distinct, format=fmt, unit="s", error_is_null=True))
    iso_distinct = pc.fill_null(pc.strftime(parsed, format="%Y-%m-%d"), "")
    iso = pc.take(iso_distinct, pc.index_in(text, value_set=distinct))
    result = pd.Series(pd.arrays.ArrowStringArray(iso.cast(pa.large_string())), index=cells.index)
    failed = (result == "").to_numpy()
    for i in np.flatnonzero(failed)[:20]:
        shown = text[int(i)].as_py() or "(vide)"
        errors.append(InputError(f"date illisible : « {shown} ».",
                                 where=f"ligne {result.index[i] + 2}, colonne « {header} »",
                                 fix="Écrivez la date au format AAAA-MM-JJ (2026-12-01) ou JJ/MM/AAAA."))
    return result


# ---------------------------------------------------------------------------------------------- checks


def _check_consistency(out: pd.DataFrame, label: str) -> None:
    # every person reached saw at least one impression: a reach above impressions means swapped columns
    wrong = out["reach"] > out["impressions"]
    if wrong.any():
        i = int(np.flatnonzero(wrong.to_numpy())[0])
        raise InputError(f"la couverture ({out['reach'].iloc[i]}) dépasse les impressions "
                         f"({out['impressions'].iloc[i]}) sur {int(wrong.sum())} ligne(s).", file=label,
                         where=f"ligne {out.index[i] + 2}",
                         fix="Les colonnes Couverture et Impressions semblent inversées.")


def _check_duplicates(out: pd.DataFrame, label: str) -> None:
    key = ["level", "campaign_id", "campaign_name", "adset_id", "adset_name", "date_start", "date_stop"]
    dup = out.duplicated(key, keep=False)
    if dup.any():
        lines = [str(i + 2) for i in out.index[dup.to_numpy()][:6]]
        name = out.loc[dup, "adset_name"].iloc[0] or out.loc[dup, "campaign_name"].iloc[0]
        raise InputError(f"plusieurs lignes pour le même ensemble « {name} » et la même période "
                         f"(lignes {', '.join(lines)}).", file=label,
                         fix="Exportez le rapport sans ventilation (âge, sexe, plateforme…) : une ligne par "
                             "ensemble de publicités et par jour ou par période.")
