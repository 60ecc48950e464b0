"""Types shared by every module: what the readers produce and the engines consume.

Later capabilities (themes, campaigns, checklist…) add their types here so that every module speaks
the same language.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from outreach.text import name_with_town


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

    @property
    def display_name(self) -> str:
        """The name with its town (outreach.text.name_with_town)."""
        return name_with_town(self.name, self.city)


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




# --- Themes ---
# Interest themes and what the library offers for them: catalogue items, events, matches, summaries, copy.

from datetime import date, datetime  # noqa: E402  (kept with the types that use them)

Sensitivity = Literal["none", "flag", "block"]
ThemeKind = Literal["collection", "event", "both"]
NETWORKS = ("facebook", "instagram", "x", "mastodon", "youtube", "blog")


class MetaInterest(BaseModel):
    """A Meta interest term; `id` and `resolved_at` are filled when the name is resolved through the API."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    id: str | None = None
    resolved_at: date | None = None


class Theme(BaseModel):
    """An interest theme and the ways to recognise it in a catalogue or an agenda.

    `dewey` holds ranges written "741.5" (a class and everything under it) or "800-899" (inclusive
    bounds, each compared at its own precision). `genres` are genre/form terms (UNIMARC 608) and collection labels of the
    library system. `sensitivity` follows the checklist's SEN-02/03: `flag` themes may be promoted but
    not used as an ad target without review, `block` themes never.
    """

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9-]*$")
    label: str = Field(min_length=1)
    description: str = ""
    meta_interests: list[MetaInterest] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    rameau: list[str] = Field(default_factory=list)
    dewey: list[str] = Field(default_factory=list)
    genres: list[str] = Field(default_factory=list)
    hashtags: dict[str, list[str]] = Field(default_factory=dict)
    sensitivity: Sensitivity = "none"
    # publishers' series devoted to the theme ("Folio SF", "Série noire"), looked for in UNIMARC 225/410
    series: list[str] = Field(default_factory=list)
    # themes that share publishers' series with this one (SF and fantasy imprints publish both): a match
    # resting on a series alone yields to a rival whose match rests on the work itself
    rivals: list[str] = Field(default_factory=list)
    kind: ThemeKind = "both"
    # words that cancel a clue found in the same field (within a few words in a summary): "production et
    # réalisation" keeps a making-of out of science fiction
    exclude: list[str] = Field(default_factory=list)
    # how the copy names the matched titles after their number: "312 titres de science-fiction"
    copy_noun: str = ""
    sensitivity_note: str = ""
    # Meta's special ad category for ads about this theme (EMPLOYMENT for jobs and training): such a theme is
    # planned in a campaign of its own, under that category's rules
    special_ad_category: Literal["EMPLOYMENT", "HOUSING", "CREDIT"] | None = None


class CatalogueItem(BaseModel):
    """One bibliographic record (all its copies in one branch) as the matcher sees it."""

    id: str
    title: str
    author: str = ""
    year: int | None = None
    subjects: list[str] = Field(default_factory=list)
    genres: list[str] = Field(default_factory=list)
    dewey: str = ""
    branch_id: str = ""
    url: str = ""
    loans: int | None = None
    # how the library shelves it: call numbers of its copies ("R POL SIM", "BD M ONE", "641.5 CUI") and its
    # shelf, section or category codes (Koha 995$h/952$8, "cat 1", "localisation", "support"…)
    call_numbers: list[str] = Field(default_factory=list)
    shelves: list[str] = Field(default_factory=list)
    extra: dict = Field(default_factory=dict)


class LibraryEvent(BaseModel):
    """An event of the library's agenda (a reading club, a workshop, a screening…)."""

    id: str
    title: str
    description: str = ""
    start: datetime
    end: datetime | None = None
    branch_id: str | None = None
    location_name: str = ""
    lat: float | None = None
    lon: float | None = None
    url: str = ""
    keywords: list[str] = Field(default_factory=list)
    # the demonstration agenda's events (`outreach.themes.shipped_events`) are true of no branch: shown as
    # such on the Thèmes page, never announced by a draft, an ad or a post
    demo: bool = False


class ThemeMatch(BaseModel):
    """An item (or an event, id prefixed 'event:' in exports) recognised as belonging to a theme."""

    item_id: str
    theme_id: str
    score: float
    reason: str


class ThemeSummary(BaseModel):
    """What one branch offers for one theme: how many items, the most loaned ones, the next events.

    `demo` is set when the items come from the demonstration sample: its figures may be shown as such,
    never stated in an ad or a post."""

    theme_id: str
    branch_id: str
    n_items: int
    top_items: list[CatalogueItem] = Field(default_factory=list)
    next_events: list[LibraryEvent] = Field(default_factory=list)
    demo: bool = False


class CatalogueProvenance(BaseModel):
    """Which catalogue the figures come from: shown in a banner wherever figures are, and kept with a plan."""

    label: str
    records: int
    as_of: date | None = None  # the export's date, when known
    demo: bool = False


class AdCopy(BaseModel):
    """French ad text within Meta's lengths; `generic` when it claims no figure (missing or unproven)."""

    primary_text: str
    headline: str = Field(max_length=40)
    description: str
    generic: bool
    # other wordings of the same proven facts, which Meta rotates (multiple text options, 5 in all at most)
    other_primary_texts: list[str] = Field(default_factory=list, max_length=4)
    other_headlines: list[str] = Field(default_factory=list, max_length=4)


class Visual(BaseModel):
    """An ad's image: drawn by outreach (theme × branch) or given by the officer in the campaign file."""

    model_config = ConfigDict(frozen=True)

    file_name: str  # its name in the export's images/ folder, in Meta's image library and in the sheet
    source: Literal["drawn", "given"]
    alt_text: str  # French description for screen readers (the preview, the posts)
    path: str = ""  # the given file
    # the 9:16 image for stories and reels (drawn, or the officer's); empty: the feed image everywhere
    story_file_name: str = ""
    story_path: str = ""  # the given 9:16 file
    # what a drawn visual shows, and in which colours (the network's, from the settings)
    theme_label: str = ""
    branch_line: str = ""
    town: str = ""
    signature: str = ""
    primary: str = ""
    accent: str = ""


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
    # for an item the tool flags: the finding the person looked at; a different finding needs a new attestation
    about: str = ""


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
    attested_by: Literal["any", "dpo", "legal"] = "any"
    attestation: Attestation | None = None
    finding: str = ""  # what the check itself found (auto and semi items), without the attestation

    @property
    def blocks(self) -> bool:
        """A blocking item that is neither satisfied nor attested stops the export."""
        return self.severity == "blocking" and self.status not in ("pass", "attest")


# --- Meta identifiers: one rule for the settings, the campaign file, the push and the Insights import ---

def is_ad_account(value: str) -> bool:
    """`act_` then the account's digits, as Ads Manager shows it."""
    return value.startswith("act_") and value[4:].isdigit()


def meta_id_text(value) -> str | None:
    """A Page or Instagram id as text (YAML may read it as a number); ValueError unless digits only."""
    if value is None:
        return None
    text = str(value).strip()
    if text and not text.isdigit():
        raise ValueError(f"« {text} » n'est pas un identifiant Meta (que des chiffres)")
    return text


def ad_account_text(value) -> str:
    """An ad account as text, empty or `act_` then digits; ValueError otherwise."""
    text = str(value or "").strip()
    if text and not is_ad_account(text):
        raise ValueError(f"« {text} » n'est pas un compte publicitaire : il s'écrit act_ suivi de chiffres")
    return text
