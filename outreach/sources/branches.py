"""Readers of library branches: our GeoJSON, the Ministry of Culture's CSV, a user's CSV.

Every reader returns a `BranchesRead`: the branches and notes on what was skipped and why, so nothing is
lost silently. A mistake the user must fix raises an InputError.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from outreach.errors import InputError, InputErrors
from outreach.sources.coordinates import check_point, check_points
from outreach.sources.geojson import checked_position, feature_label, first_property, load_features
from outreach.sources.insee import departement_of
from outreach.sources.tabular import Table, duplicates, parse_float, parse_floats, read_table

if TYPE_CHECKING:
    from outreach.model import Branch
    from outreach.sources.geocoding import Geocoder

# Address types of the Ministry list where the public does not go: never a "nearest branch" to advertise.
NOT_OPEN_TO_PUBLIC = {
    "Lieu uniquement administratif",
    "Réserve de documents non ouverte au public",
    "Bibliothèque départementale",
    "Bibliobus",
}
MINISTRY_COLUMNS = ("code_bib", "nom_de_l_etablissement", "latitude", "longitude")

ID_ALIASES = ("id", "code_bib", "code", "identifiant")
NAME_ALIASES = ("name", "nom", "nom_de_l_etablissement", "libelle")
LAT_ALIASES = ("lat", "latitude", "y")
LON_ALIASES = ("lon", "lng", "long", "longitude", "x")
ADDRESS_ALIASES = ("address", "adresse")
POSTCODE_ALIASES = ("postcode", "code_postal", "cp")
CITY_ALIASES = ("city", "ville", "commune")


# A branch frame has one column per field of Branch (a test keeps them equal): the frames are made without
# loading the models, which `outreach nearest` never needs.
BRANCH_COLUMNS = ["id", "name", "address", "postcode", "city", "insee", "departement", "status", "address_type",
                  "open_to_public", "surface_m2", "lat", "lon", "url", "opening_hours", "facebook_page_id"]


@dataclass
class BranchesRead:
    """What a reader found: one row per branch in `frame` (the columns of Branch); `branches`, the models,
    are built on first use only, since the nearest-branch engine works on the columns."""

    path: str
    frame: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @cached_property
    def branches(self) -> list[Branch]:
        return branches_of(self.frame)


def branches_of(frame: pd.DataFrame) -> list[Branch]:
    """The models of a branch frame's rows (an unknown surface is None, not NaN), validated in one call
    (twice as fast as one model at a time, for the 15,000 of the national list)."""
    columns = {name: frame[name].tolist() for name in BRANCH_COLUMNS}
    columns["surface_m2"] = [None if s != s else s for s in columns["surface_m2"]]  # NaN is the one s != s
    return _branch_list().validate_python([dict(zip(BRANCH_COLUMNS, values, strict=True))
                                           for values in zip(*columns.values(), strict=True)])


@cache
def _branch_list():
    from pydantic import TypeAdapter

    from outreach.model import Branch

    return TypeAdapter(list[Branch])


# what a field left out of a row becomes, as Branch says (a surface left out stays unknown)
BRANCH_DEFAULTS = {name: "" for name in BRANCH_COLUMNS if name not in ("id", "name", "open_to_public", "surface_m2",
                                                                        "lat", "lon")} | {"open_to_public": True}


def branch_frame(branches) -> pd.DataFrame:
    """A branch frame from models, or from dicts holding some of the fields of Branch."""
    rows = [b if isinstance(b, dict) else b.model_dump() for b in branches]
    return with_defaults(pd.DataFrame(rows, columns=BRANCH_COLUMNS))


def with_defaults(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every empty cell of a field that has a default set to it, and the columns' types."""
    for name, default in BRANCH_DEFAULTS.items():
        column = frame[name].astype(object)
        frame[name] = column.where(column.notna(), default).astype(type(default))
    return frame.astype({"lat": float, "lon": float, "surface_m2": float})


def normalise_id(value) -> str:
    """'2.0' → '2': the Ministry writes its integer codes like floats."""
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        return text[:-2]
    return text


def normalise_ids(values: pd.Series) -> pd.Series:
    """`normalise_id` over a column of text."""
    text = values.astype(str).str.strip()
    floaty = text.str.endswith(".0") & text.str[:-2].str.isdigit()
    return text.where(~floaty, text.str[:-2])


def paris_arrondissement(postcode: str) -> str:
    """INSEE code of a Paris arrondissement from a postcode: 75001 → 75101, 75116 → 75116."""
    pc = postcode.strip()
    if pc == "75116":
        return "75116"
    if len(pc) == 5 and pc.startswith("750") and 1 <= int(pc[3:]) <= 20:
        return f"751{pc[3:]}"
    return ""


def open_flag(value) -> bool:
    """`open_to_public` as a file gives it: absent means open; "false", "non", "0" (any case) mean closed."""
    if value is None or value == "":
        return True
    if isinstance(value, str):
        return value.strip().lower() not in ("false", "faux", "non", "no", "0")
    return bool(value)


def insee_for(insee: str, postcode: str) -> str:
    if insee == "75056" or (not insee and postcode.startswith("75")):
        return paris_arrondissement(postcode) or insee
    return insee


def insee_column(insee: pd.Series, postcode: pd.Series) -> pd.Series:
    """`insee_for` over columns; only Paris rows (a few dozen) are looked at one by one."""
    paris = (insee == "75056") | ((insee == "") & postcode.str.startswith("75"))
    out = insee.copy()
    out[paris] = [insee_for(i, p) for i, p in zip(insee[paris], postcode[paris], strict=True)]
    return out


# The Ministry list gives Corsica's libraries neither a département code nor an INSEE code, only the name.
CORSICA = {"Corse-du-Sud": "2A", "Haute-Corse": "2B"}


def ministry_departement(row: dict, insee: str, postcode: str) -> str:
    return (row.get("code_departement") or CORSICA.get(row.get("departement", ""))
            or departement_of(insee or postcode))


def read_ministry_csv(path: str | Path, *, data: bytes | None = None, name: str | None = None) -> BranchesRead:
    """The Ministry of Culture's list: BOM, `;`, float-looking codes, some rows without coordinates."""
    table = read_table(path, data=data, name=name)
    return ministry_from_table(table)


def ministry_from_table(table: Table) -> BranchesRead:
    """Column by column (16,000 rows): only the rows that fail a check are looked at one by one."""
    table.require(*MINISTRY_COLUMNS, fix="Utilisez l'export « Adresses des bibliothèques publiques » de data.gouv.fr.")
    frame, notes = table.frame, list(table.notes)
    codes = normalise_ids(frame["code_bib"])
    lat, lon = parse_floats(frame["latitude"]), parse_floats(frame["longitude"])
    has_code = (codes != "").to_numpy(dtype=bool)
    located = has_code & ~np.isnan(lat) & ~np.isnan(lon)
    no_code, no_coords = int((~has_code).sum()), int((has_code & ~located).sum())

    def where(i: int) -> str:
        return f"{table.row_label(i)} (code_bib {codes.iat[i]})"

    rows = np.flatnonzero(located)
    errors = {int(rows[j]): exc for j, exc in check_points(lat[rows], lon[rows], file=table.path,
                                                           where=lambda j: where(rows[j]))}
    if errors:
        rows = rows[~np.isin(rows, list(errors))]
    for i, first in duplicates(codes.iloc[rows], rows):
        errors[i] = InputError(f"code_bib {codes.iat[i]} en double (déjà en {table.row_label(first)}).",
                               where=where(i), fix="Supprimez le doublon ou corrigez le code.")
    if errors:
        raise InputErrors([errors[i] for i in sorted(errors)], file=table.path)

    kept = frame.iloc[rows].reset_index(drop=True)

    def text(column: str) -> pd.Series:
        return kept[column] if column in kept.columns else pd.Series("", index=kept.index, dtype=object)

    ids, postcode, address_type = codes.iloc[rows].reset_index(drop=True), text("cp"), text("type_adresse")
    insee = insee_column(text("code_insee_commune"), postcode)
    departement = text("code_departement").copy()
    missing = departement == ""
    if missing.any():
        departement[missing] = [CORSICA.get(name) or departement_of(code or pc) for name, code, pc in
                                zip(text("departement")[missing], insee[missing], postcode[missing], strict=True)]
    names = text("nom_de_l_etablissement")
    out = pd.DataFrame({
        "id": ids, "name": names.where(names != "", "Bibliothèque " + ids),
        "address": (text("adresse") + " " + text("complement")).str.strip(),
        "postcode": postcode, "city": text("ville"), "insee": insee, "departement": departement,
        "status": text("statut"), "address_type": address_type,
        "open_to_public": ~address_type.isin(NOT_OPEN_TO_PUBLIC).to_numpy(dtype=bool),
        "surface_m2": parse_floats(text("surface")), "lat": lat[rows], "lon": lon[rows],
        "url": "", "opening_hours": "", "facebook_page_id": "",  # not in the Ministry's list
    }, columns=BRANCH_COLUMNS)
    if no_coords:
        notes.append(f"{table.path} : {no_coords} bibliothèque(s) sans coordonnées ignorée(s).")
    if no_code:
        notes.append(f"{table.path} : {no_code} ligne(s) sans code_bib ignorée(s).")
    return BranchesRead(path=table.path, frame=out, notes=notes)


def read_branches_geojson(path: str | Path, *, data: bytes | None = None, name: str | None = None) -> BranchesRead:
    label = name or str(path)
    features = load_features(path, data=data, name=name)
    branches, errors = [], []
    seen: dict[str, str] = {}
    for i, feat in enumerate(features):
        where = feature_label(i, feat, ID_ALIASES + NAME_ALIASES)
        props = feat.get("properties") or {}
        geometry = feat.get("geometry") or {}
        if geometry and geometry.get("type") != "Point":
            errors.append(InputError(f"géométrie de type {geometry.get('type')} : une bibliothèque est un point.",
                                     where=where, fix="Convertissez la couche en points (centroïdes)."))
            continue
        try:
            lon, lat = checked_position(feat, label=label, where=where,
                                        missing_fix="Placez la bibliothèque (un point) ou supprimez l'objet.")
        except InputError as exc:
            errors.append(exc)
            continue
        given_id = first_property(props, ID_ALIASES)
        branch_id = "" if given_id is None else normalise_id(given_id)
        if not branch_id:
            errors.append(InputError("identifiant manquant.", where=where,
                                     fix="Ajoutez une propriété « id » (par exemple le code_bib du ministère)."))
            continue
        if branch_id in seen:
            errors.append(InputError(f"identifiant {branch_id} en double (déjà utilisé par {seen[branch_id]}).",
                                     where=where, fix="Chaque bibliothèque doit avoir un identifiant unique."))
            continue
        seen[branch_id] = f"l'objet n°{i + 1}"
        postcode = str(props.get("postcode") or props.get("cp") or "")
        insee = insee_for(str(props.get("insee") or props.get("code_insee_commune") or ""), postcode)
        surface = props.get("surface_m2", props.get("surface"))
        branches.append(dict(
            id=branch_id, name=str(first_property(props, NAME_ALIASES) or f"Bibliothèque {branch_id}"),
            address=str(props.get("address") or props.get("adresse") or ""), postcode=postcode,
            city=str(props.get("city") or props.get("ville") or ""), insee=insee,
            departement=str(props.get("departement") or departement_of(insee or postcode)),
            status=str(props.get("status") or props.get("statut") or ""),
            address_type=str(props.get("address_type") or ""),
            open_to_public=open_flag(props.get("open_to_public")),
            surface_m2=parse_float(str(surface)) if surface not in (None, "") else None,
            lat=lat, lon=lon, url=str(props.get("url") or ""), opening_hours=str(props.get("opening_hours") or ""),
            facebook_page_id=str(props.get("facebook_page_id") or "")))
    if errors:
        raise InputErrors(errors, file=label)
    return BranchesRead(path=label, frame=branch_frame(branches))


def read_branches_csv(path: str | Path, *, data: bytes | None = None, name: str | None = None,
                      geocoder: Geocoder | str | None = None, progress=None) -> BranchesRead:
    """A user's CSV: id, name and either lat/lon or an address (geocoded by `geocoder`, or by the service
    it names: "ban" by default, "nominatim")."""
    table = read_table(path, data=data, name=name)
    if all(c in table.frame.columns for c in MINISTRY_COLUMNS):
        return ministry_from_table(table)
    id_col, name_col = table.column(*ID_ALIASES), table.column(*NAME_ALIASES)
    lat_col, lon_col = table.column(*LAT_ALIASES), table.column(*LON_ALIASES)
    address_col = table.column(*ADDRESS_ALIASES)
    postcode_col, city_col = table.column(*POSTCODE_ALIASES), table.column(*CITY_ALIASES)
    if id_col is None:
        table.require("id", fix="Ajoutez une colonne « id » qui identifie chaque bibliothèque.")
    if name_col is None:
        table.require("name", fix="Ajoutez une colonne « name » (ou « nom ») avec le nom de la bibliothèque.")
    if (lat_col is None or lon_col is None) and address_col is None:
        table.require("lat", "lon", fix="Ajoutez les colonnes lat et lon (degrés WGS84) ou une colonne « adresse » à géocoder.")

    rows = table.frame.to_dict("records")
    positions: dict[int, tuple[float, float]] = {}
    errors: list[InputError] = []
    to_geocode: dict[int, str] = {}
    for i, row in enumerate(rows):
        lat = parse_float(row[lat_col]) if lat_col else None
        lon = parse_float(row[lon_col]) if lon_col else None
        if lat is not None and lon is not None:
            positions[i] = (lat, lon)
        elif address_col and row[address_col]:
            parts = [row[address_col], row[postcode_col] if postcode_col else "", row[city_col] if city_col else ""]
            to_geocode[i] = " ".join(p for p in parts if p)
        elif (lat_col and row[lat_col]) or (lon_col and row[lon_col]):
            errors.append(InputError(f"coordonnées illisibles (lat « {row[lat_col] if lat_col else ''} », "
                                     f"lon « {row[lon_col] if lon_col else ''} »).", where=table.row_label(i),
                                     fix="Écrivez lat et lon en degrés décimaux, par exemple 43,2965 et 5,3698."))
        else:
            errors.append(InputError("ni coordonnées ni adresse.", where=table.row_label(i),
                                     fix="Renseignez lat et lon, ou l'adresse."))
    if to_geocode:
        if geocoder is None or isinstance(geocoder, str):
            # geopy (and its HTTP stack) only for a file with addresses to geocode; `geocoder` names the service
            from outreach.sources.geocoding import Geocoder
            geocoder = Geocoder(geocoder or "ban")
        try:
            found = geocoder.geocode_many(list(to_geocode.values()), progress=progress)
        except InputError as exc:  # the service is down or refuses: say which file was being geocoded
            raise type(exc)(exc.message, file=table.path, where=exc.where, fix=exc.fix, field=exc.field) from exc
        for i, query in to_geocode.items():
            if found.get(query):
                positions[i] = found[query]
            else:
                errors.append(InputError(f"adresse introuvable : « {query} ».", where=table.row_label(i),
                                         fix="Complétez l'adresse (numéro, voie, code postal, commune) ou donnez lat et lon."))

    branches: list[dict] = []
    seen: dict[str, str] = {}
    for i, row in enumerate(rows):
        if i not in positions:
            continue
        where = table.row_label(i)
        lat, lon = positions[i]
        try:
            check_point(lat, lon, file=table.path, where=where)
        except InputError as exc:
            errors.append(exc)
            continue
        branch_id = normalise_id(row[id_col])
        if not branch_id:
            errors.append(InputError("identifiant vide.", where=where, fix="Renseignez la colonne id."))
            continue
        if branch_id in seen:
            errors.append(InputError(f"identifiant {branch_id} en double (déjà en {seen[branch_id]}).", where=where,
                                     fix="Chaque bibliothèque doit avoir un identifiant unique."))
            continue
        seen[branch_id] = where
        postcode = row[postcode_col] if postcode_col else ""
        insee = insee_for(row.get("insee", ""), postcode)
        branches.append(dict(id=branch_id, name=row[name_col] or f"Bibliothèque {branch_id}",
                               address=row[address_col] if address_col else "", postcode=postcode,
                               city=row[city_col] if city_col else "", insee=insee,
                               departement=row.get("departement") or departement_of(insee or postcode),
                               lat=lat, lon=lon, url=row.get("url", ""), facebook_page_id=row.get("facebook_page_id", "")))
    if errors:
        raise InputErrors(errors, file=table.path)
    return BranchesRead(path=table.path, frame=branch_frame(branches), notes=table.notes)


def read_branches(path: str | Path, *, data: bytes | None = None, name: str | None = None, **kwargs) -> BranchesRead:
    """Any accepted branch file, chosen by its extension."""
    label = (name or str(path)).lower()
    if label.endswith((".geojson", ".json")):
        return read_branches_geojson(path, data=data, name=name)
    if label.endswith((".csv", ".csv.gz", ".txt", ".tsv")):
        return read_branches_csv(path, data=data, name=name, **kwargs)
    raise InputError("format non reconnu pour une liste de bibliothèques.", file=name or path,
                     fix="Fournissez un fichier .geojson ou .csv.")
