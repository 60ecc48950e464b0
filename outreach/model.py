"""Types shared by every module: what the readers produce and the engines consume.

Later capabilities (themes, campaigns, checklist…) add their types here so that every module speaks
the same language.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Branch(BaseModel):
    """A library branch (établissement) people can be sent to."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    address: str = ""
    postcode: str = ""
    city: str = ""
    insee: str = ""
    departement: str = ""
    status: str = ""
    address_type: str = ""
    open_to_public: bool = True
    surface_m2: float | None = None
    lat: float
    lon: float
    # filled by later work (network settings, scraping of the library's site…); present even when empty
    url: str = ""
    opening_hours: str = ""
    facebook_page_id: str = ""


AreaKind = Literal["commune", "arrondissement", "custom"]


class Area(BaseModel):
    """A place where people live: a commune, a municipal arrondissement or a user-defined zone.

    `lat`/`lon` is the representative point: the point itself for point areas, a point guaranteed to lie
    inside the polygon otherwise. `geometry` is the GeoJSON geometry when the area has one.
    """

    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    kind: AreaKind = "commune"
    departement: str = ""
    population: int | None = Field(default=None, ge=0)
    postcodes: tuple[str, ...] = ()
    lat: float
    lon: float
    geometry: dict | None = None


def departement_of(insee_code: str) -> str:
    """Département of an INSEE commune code: 2 characters, 3 overseas (971…976), 2A/2B in Corsica."""
    code = insee_code.strip()
    return code[:3] if code.startswith("97") else code[:2]


# --- Compliance ---
# The GDPR / DSA checklist evaluated on every campaign: its items, their status, and the attestations.

from datetime import date as _date  # noqa: E402  (kept with the types that use it)

ChecklistStatus = Literal["pass", "fail", "flag", "attest", "todo"]


class Attestation(BaseModel):
    """A named person vouches for one checklist item of one campaign (kept beside the campaign file)."""

    model_config = ConfigDict(extra="forbid")

    item: str
    name: str = Field(min_length=1)
    role: str = Field(min_length=1)
    date: _date
    note: str = ""


class ChecklistItem(BaseModel):
    """One rule of the checklist as it stands for one campaign."""

    id: str
    title: str
    status: ChecklistStatus
    detail: str
    source: str
    section: str = ""
    kind: Literal["auto", "semi", "manual"] = "auto"
    severity: Literal["blocking", "warning"] = "blocking"
    rule: str = ""
    fix: str = ""
    page: str = ""  # app page where it is fixed (Campagne, Paramètres, Questionnaire…)
    field: str = ""  # campaign or settings field to change
    attested_by: Literal["any", "dpo"] = "any"
    attestation: Attestation | None = None

    @property
    def blocks(self) -> bool:
        """A blocking item that is neither satisfied nor attested stops the export."""
        return self.severity == "blocking" and self.status not in ("pass", "attest")
