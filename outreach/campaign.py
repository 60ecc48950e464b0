"""The campaign file (`campaigns/*.yaml`): what to promote, where, when, for how much, and for whom.

The file is the source of truth: the app edits it, the CLI reads it, and both plan from it alone. Keys
the file leaves out (the advertiser's Page and DSA names) are taken from the network settings
(`network.yaml`), so that a communication officer writes them once.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from outreach import atomic
from outreach.errors import InputError, InputErrors
from outreach.model import meta_id_text
from outreach.text import hidden_characters
from outreach.yamlfile import parse_yaml, read_yaml

MIN_AGE_EU = 18  # Meta no longer shows ads to minors in the EU/EEA/CH
META_MIN_AGE = 13  # the lowest age Meta's targeting accepts at all
MAX_AGE = 65  # Meta's 65 means "65 and over"


class CampaignTerritory(BaseModel):
    """Where: a département, and/or chosen branches (Ministry ids), and/or chosen areas (INSEE codes)."""

    model_config = ConfigDict(extra="forbid")

    departement: str | None = None
    branches: list[str] = Field(default_factory=list)
    areas: list[str] = Field(default_factory=list)

    @field_validator("departement", mode="before")
    @classmethod
    def _departement_as_text(cls, value):
        # YAML reads 13 as an integer and 01 as 1: keep the code as written
        if isinstance(value, int):
            return f"{value:02d}"
        return value.strip().upper() if isinstance(value, str) and value.strip() else None

    @field_validator("branches", "areas", mode="before")
    @classmethod
    def _codes_as_text(cls, value):
        if value is None:
            return []
        if isinstance(value, (str, int)):
            value = [value]
        return [str(v).strip() for v in value]

    @model_validator(mode="after")
    def _something(self):
        if not (self.departement or self.branches or self.areas):
            raise ValueError("indiquez un département, des bibliothèques ou des zones")
        return self


class Period(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self):
        if self.end < self.start:
            raise ValueError(f"la fin ({self.end.isoformat()}) est avant le début ({self.start.isoformat()})")
        return self

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class Audience(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Meta's own floor is 13; below 18 the file loads and the GDPR checklist refuses it by name (MIN-01)
    age_min: int = Field(default=MIN_AGE_EU, ge=META_MIN_AGE, le=MAX_AGE)
    age_max: int = Field(default=MAX_AGE, ge=META_MIN_AGE, le=MAX_AGE)

    @model_validator(mode="after")
    def _ordered(self):
        if self.age_max < self.age_min:
            raise ValueError(f"l'âge maximum ({self.age_max}) est inférieur à l'âge minimum ({self.age_min})")
        return self


class Advertiser(BaseModel):
    """Who speaks (the Facebook Page, the Instagram account) and, for the DSA, for whom and paid by whom."""

    model_config = ConfigDict(extra="forbid")

    page_id: str = ""
    instagram_user_id: str | None = None
    beneficiary: str = ""
    payer: str = ""

    @field_validator("page_id", "instagram_user_id", mode="before")
    @classmethod
    def _ids_as_text(cls, value):
        return meta_id_text(value)

    @field_validator("instagram_user_id")
    @classmethod
    def _no_empty_instagram(cls, value):
        return value or None


class CustomAudience(BaseModel):
    """A Meta custom audience added to the targeting; the compliance checklist asks where it comes from."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str = ""
    source: str = ""  # e.g. "questionnaire", "fichier lecteurs": what the people consented to

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value):
        return str(value).strip()


class CopyEdit(BaseModel):
    """The officer's rewrite of one ad set's copy (keyed by the ad set's `ref` in `copy_overrides`)."""

    model_config = ConfigDict(extra="forbid")

    primary_text: str | None = None
    headline: str | None = None
    description: str | None = None


class ImageChoice(BaseModel):
    """An image the officer gives: its file (relative to the campaign file's folder) and its alt text."""

    model_config = ConfigDict(extra="forbid")

    file: str = Field(min_length=1)
    alt: str = ""  # what the image shows, for screen readers; outreach cannot guess it
    # the same visual in 9:16 (1080 × 1920) for stories and reels; without it, the feed image is shown there too
    story: str = ""

    @model_validator(mode="before")
    @classmethod
    def _path_alone(cls, value):
        return {"file": value} if isinstance(value, str) else value


class CampaignImages(BaseModel):
    """The officer's images, by theme id, by branch id or by ad set ref; the most precise one wins, and an
    ad set with none gets a visual drawn by outreach (theme, branch, town, in the network's colours)."""

    model_config = ConfigDict(extra="forbid")

    themes: dict[str, ImageChoice] = Field(default_factory=dict)
    branches: dict[str, ImageChoice] = Field(default_factory=dict)
    ad_sets: dict[str, ImageChoice] = Field(default_factory=dict)

    @field_validator("themes", "branches", "ad_sets", mode="before")
    @classmethod
    def _keys_as_text(cls, value):
        return {} if value is None else {str(k).strip(): v for k, v in dict(value).items()}

    def for_ad_set(self, ref: str, branch_id: str, theme_id: str) -> tuple[str, ImageChoice] | None:
        """(where it was given, the choice) for one ad set, or None: an ad set's image, else its branch's,
        else its theme's."""
        for scope, key in (("ad_sets", ref), ("branches", branch_id), ("themes", theme_id)):
            choice = getattr(self, scope).get(key)
            if choice is not None:
                return f"images.{scope}.{key}", choice
        return None

    def __bool__(self) -> bool:
        return bool(self.themes or self.branches or self.ad_sets)


def _special_ad_categories() -> set[str]:
    """The SDK's own enum: a misspelt category is refused here rather than by Meta at push time."""
    from facebook_business.adobjects.campaign import Campaign as MetaCampaign

    return {v for k, v in vars(MetaCampaign.SpecialAdCategories).items() if not k.startswith("_")} - {"NONE"}


def _https(url: str, where: str) -> str:
    parsed = urlparse(url.strip())
    if parsed.scheme != "https" or not parsed.netloc:
        raise ValueError(f"{where} « {url} » doit être une adresse https:// complète")
    return url.strip()


IDENTITY_PATTERN = r"^[a-z0-9][a-z0-9-]{5,79}$"


def new_identity(name: str) -> str:
    """A campaign's identity: its name's slug (readable in folder names) and 8 random hex digits, so that two
    campaigns whose names give the same slug never share an output folder or a Meta campaign."""
    import uuid

    from outreach.text import slug

    stem = slug(name)[:40].strip("-") or "campagne"
    return f"{stem}-{uuid.uuid4().hex[:8]}"


class Campaign(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # stable identity, written into the file the first time it is planned or saved: output folders and
    # pushed Meta objects follow it (never the name, which two campaigns may share)
    id: str | None = Field(default=None, pattern=IDENTITY_PATTERN)
    name: str = Field(min_length=1)
    themes: list[str] = Field(min_length=1)
    territory: CampaignTerritory
    period: Period
    budget_eur: float = Field(gt=0)
    objective: Literal["awareness", "traffic"] = "awareness"
    audience: Audience = Field(default_factory=Audience)
    extra_interests: list[str] = Field(default_factory=list)
    advertiser: Advertiser = Field(default_factory=Advertiser)
    landing_url: str
    # overrides of landing_url: by branch id, by theme id (a branch's page wins over a theme's)
    branch_landing_urls: dict[str, str] = Field(default_factory=dict)
    theme_landing_urls: dict[str, str] = Field(default_factory=dict)
    geo: Literal["radius", "postcodes"] = "radius"
    # read by the compliance checklist
    custom_audiences: list[CustomAudience] = Field(default_factory=list)
    special_ad_categories: list[str] = Field(default_factory=list)
    uses_questionnaire: bool = False
    election_date: date | None = None
    # copy rewritten by hand, by ad set ref (e.g. "science-fiction--17615"); the drafts fill the rest
    copy_overrides: dict[str, CopyEdit] = Field(default_factory=dict)
    # the officer's own visuals (see CampaignImages); paths are relative to the campaign file's folder
    images: CampaignImages = Field(default_factory=CampaignImages)
    # where the file was read from: relative image paths start there (the campaigns folder when unknown)
    _source_dir: Path | None = PrivateAttr(default=None)

    @field_validator("name")
    @classmethod
    def _name_stripped(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("le nom de la campagne est vide")
        hidden = hidden_characters(value.strip())
        if hidden:
            raise ValueError(f"le nom contient un retour à la ligne ou un caractère invisible ({', '.join(hidden[:3])}) "
                             "; écrivez-le sur une seule ligne")
        return value.strip()

    @field_validator("themes", "extra_interests", mode="before")
    @classmethod
    def _list_of_text(cls, value):
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        return [str(v).strip() for v in value if str(v).strip()]

    @field_validator("themes")
    @classmethod
    def _unique_themes(cls, value: list[str]) -> list[str]:
        seen: list[str] = []
        for theme in value:
            if theme not in seen:
                seen.append(theme)
        return seen

    @field_validator("landing_url")
    @classmethod
    def _landing_https(cls, value: str) -> str:
        return _https(value, "l'adresse")

    @field_validator("branch_landing_urls", "theme_landing_urls", mode="before")
    @classmethod
    def _overrides_https(cls, value):
        if value is None:
            return {}
        return {str(k).strip(): _https(str(v), f"l'adresse pour « {k} »") for k, v in dict(value).items()}

    @field_validator("special_ad_categories", mode="before")
    @classmethod
    def _categories(cls, value):
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        categories = [str(v).strip().upper() for v in value if str(v).strip() and str(v).strip().upper() != "NONE"]
        known = _special_ad_categories()
        unknown = [c for c in categories if c not in known]
        if unknown:
            raise ValueError(f"catégorie(s) inconnue(s) de Meta : {', '.join(unknown)} ; admises : "
                             + ", ".join(sorted(known)))
        return categories

    @property
    def utm_campaign(self) -> str:
        """The value of `utm_campaign` in every link of the campaign, its Meta ads' and its posts' alike, so that
        web analytics count them as one campaign: the file's identity when it has one (two campaigns whose
        names slug alike never share statistics), else the name's slug."""
        from outreach.text import slug

        return self.id or slug(self.name)[:60]

    def landing_url_for(self, branch_id: str, theme_id: str) -> str:
        return self.branch_landing_urls.get(branch_id) or self.theme_landing_urls.get(theme_id) or self.landing_url

    def __eq__(self, other) -> bool:
        # the same campaign wherever its file was read from (pydantic would compare _source_dir too)
        return isinstance(other, Campaign) and self.model_dump() == other.model_dump()

    __hash__ = None  # mutable, like every pydantic model

    @property
    def images_dir(self) -> Path:
        """The folder relative image paths start from."""
        if self._source_dir is not None:
            return self._source_dir
        from outreach import paths

        return paths.campaigns_dir()

    def with_source_dir(self, folder: str | Path | None) -> Campaign:
        self._source_dir = Path(folder) if folder is not None else None
        return self


# French names of the keys, so that a message can say what the field is as well as where it is
FIELD_LABELS = {
    "id": "identité de la campagne (écrite par outreach)",
    "name": "nom de la campagne",
    "themes": "thèmes",
    "territory": "territoire",
    "period": "période",
    "period.start": "date de début",
    "period.end": "date de fin",
    "budget_eur": "budget (€)",
    "objective": "objectif (awareness ou traffic)",
    "audience.age_min": "âge minimum",
    "audience.age_max": "âge maximum",
    "advertiser.page_id": "identifiant de la Page Facebook",
    "advertiser.beneficiary": "bénéficiaire (DSA)",
    "advertiser.payer": "payeur (DSA)",
    "landing_url": "adresse de destination",
    "geo": "ciblage géographique (radius ou postcodes)",
}


def _field_of(loc: tuple) -> str:
    return ".".join(str(p) for p in loc if not str(p).startswith("function-"))


def french_validation_error(error: dict) -> str:
    """One pydantic error in French (pydantic's own messages are English)."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "missing":
        return "valeur manquante"
    if kind == "extra_forbidden":
        return "clé inconnue"
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error["msg"])).removeprefix("Value error, ")
    if kind == "greater_than":
        return f"doit être supérieur à {ctx.get('gt')}"
    if kind == "greater_than_equal":
        return f"doit être au moins {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"doit être au plus {ctx.get('le')}"
    if kind == "literal_error":
        return f"valeur refusée, attendu : {ctx.get('expected')}"
    if kind.startswith("date"):
        return "date invalide, attendu AAAA-MM-JJ"
    if kind in ("float_parsing", "int_parsing", "float_type", "int_type"):
        return "nombre attendu"
    if kind in ("too_short", "string_too_short"):
        return "ne doit pas être vide"
    if kind == "string_too_long":
        return f"{ctx.get('max_length')} caractères au plus"
    return error["msg"]


def campaign_from_dict(raw: dict, *, file: str | Path | None = None, settings=None) -> Campaign:
    """Validate a campaign mapping; missing advertiser identities come from the network settings."""
    if not isinstance(raw, dict):
        raise InputError("le fichier doit décrire une campagne (des clés name, themes, territory…).", file=file)
    raw = dict(raw)
    raw["advertiser"] = _with_advertiser_defaults(raw.get("advertiser"), settings)
    if raw.get("budget_eur") is None and settings is not None:
        raw["budget_eur"] = settings.default_budget_eur
    if not raw.get("landing_url"):  # the network's site, as for the advertiser
        from outreach.settings import load_settings

        raw["landing_url"] = (settings or load_settings()).website or raw.get("landing_url")
    try:
        campaign = Campaign.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = _field_of(error["loc"])
            label = FIELD_LABELS.get(field)
            where = f"{field} ({label})" if label else field
            problems.append(InputError(french_validation_error(error), file=file, where=where or None, field=field or None,
                                       fix=_fix_for(field)))
        if len(problems) == 1:
            raise problems[0] from exc
        raise InputErrors(problems, file=file) from exc
    missing = [InputError("valeur manquante.", file=file, where=f"advertiser.{key} ({FIELD_LABELS[f'advertiser.{key}']})",
                          field=f"advertiser.{key}", fix=_fix_for(f"advertiser.{key}"))
               for key in ("page_id", "beneficiary", "payer") if not getattr(campaign.advertiser, key)]
    if len(missing) == 1:
        raise missing[0]
    if missing:
        raise InputErrors(missing, file=file)
    if file is not None and Path(file).suffix.lower() in (".yaml", ".yml"):
        campaign.with_source_dir(Path(file).resolve().parent)
    return campaign


def _with_advertiser_defaults(advertiser, settings) -> dict:
    given = {} if advertiser is None else dict(advertiser) if isinstance(advertiser, dict) else advertiser
    if not isinstance(given, dict):
        return given
    if settings is None:
        from outreach.settings import load_settings

        settings = load_settings()
    defaults = {"page_id": settings.facebook_page_id, "instagram_user_id": settings.instagram_user_id or None,
                "beneficiary": settings.dsa_beneficiary, "payer": settings.dsa_payer}
    for key, value in defaults.items():
        if given.get(key) in (None, "") and value:
            given[key] = value
    return given


FIXES = {
    "advertiser.beneficiary": "Le DSA exige le nom de la personne ou de l'organisme pour qui la publicité est "
                              "diffusée (par ex. « Ville de Marseille — Bibliothèques ») : renseignez-le dans "
                              "le fichier ou sur la page Paramètres.",
    "advertiser.payer": "Le DSA exige le nom de qui paie la publicité (par ex. « Ville de Marseille ») : "
                        "renseignez-le dans le fichier ou sur la page Paramètres.",
    "advertiser.page_id": "Donnez l'identifiant numérique de la Page Facebook de la médiathèque "
                          "(Paramètres de la Page → Transparence de la Page).",
    "period.end": "Mettez une date de fin postérieure ou égale à la date de début (AAAA-MM-JJ).",
    "period.start": "Écrivez la date au format AAAA-MM-JJ.",
    "landing_url": "Donnez l'adresse complète d'une page du site de la médiathèque, en https://.",
    "audience.age_min": "Meta n'autorise plus la publicité vers les mineurs dans l'UE : 18 ans au minimum.",
    "budget_eur": "Donnez le budget total de la campagne en euros (par ex. 300).",
    "themes": "Donnez au moins un thème du catalogue (par ex. science-fiction).",
}


def _fix_for(field: str) -> str | None:
    if field.startswith(("branch_landing_urls", "theme_landing_urls")):
        return FIXES["landing_url"]
    return FIXES.get(field)


def load_campaign(path: str | Path, *, settings=None) -> Campaign:
    raw = read_yaml(path, missing_fix="Vérifiez le chemin du fichier de campagne.")
    return campaign_from_dict(raw or {}, file=path, settings=settings)


def campaign_from_yaml(text: str, *, file: str | Path | None = None, settings=None) -> Campaign:
    return campaign_from_dict(parse_yaml(text, file=file) or {}, file=file, settings=settings)


def campaign_to_yaml(campaign: Campaign) -> str:
    data = campaign.model_dump(mode="json")
    if data.get("id") is None:
        data.pop("id")
    # keep the file short: leave optional keys out while they hold their defaults
    for key, default in (("branch_landing_urls", {}), ("theme_landing_urls", {}), ("custom_audiences", []),
                         ("special_ad_categories", []), ("uses_questionnaire", False), ("election_date", None),
                         ("extra_interests", []), ("copy_overrides", {}), ("images", {})):
        if data.get(key) == default:
            data.pop(key)
    if "copy_overrides" in data:
        data["copy_overrides"] = {ref: {k: v for k, v in edit.items() if v is not None}
                                  for ref, edit in data["copy_overrides"].items()}
    if "images" in data:
        # a path alone when that is all there is; else the keys that say something (alt text, 9:16 image)
        data["images"] = {scope: {key: {k: v for k, v in choice.items() if v}
                                  if choice.get("alt") or choice.get("story") else choice["file"]
                                  for key, choice in choices.items()}
                          for scope, choices in data["images"].items() if choices}
        if not data["images"]:
            data.pop("images")
    territory = {k: v for k, v in data["territory"].items() if v}
    data["territory"] = territory
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


CAMPAIGN_SUFFIXES = (".yaml", ".yml")
# the keys the Campagne page's form edits; every other key of an open campaign is kept as it is
FORM_FIELDS = frozenset({"name", "themes", "territory", "period", "budget_eur", "objective", "audience",
                         "extra_interests", "advertiser", "landing_url", "geo"})


def campaign_from_form(form: dict, previous: Campaign | None = None, *, settings=None) -> Campaign:
    """The campaign the form describes; what the form does not show (overrides, compliance keys, copy edits,
    and any key added later) is taken from the campaign it was opened on."""
    unknown = set(form) - FORM_FIELDS
    if unknown:
        raise ValueError(f"not form fields: {sorted(unknown)}")  # a developer's mistake, not the user's
    kept = previous.model_dump(exclude=set(FORM_FIELDS)) if previous is not None else {}
    return campaign_from_dict(kept | form, file="formulaire", settings=settings)


def campaign_file_in(folder: str | Path, typed: str | Path) -> Path:
    """Where the app may save a campaign file typed by the user: a .yaml file inside `folder` (the
    campaigns folder), a relative name being taken from there. `..`, an absolute path elsewhere or a
    symbolic link that leads out are refused, so that whatever is typed, the app writes only there."""
    root = Path(folder).resolve()
    text = str(typed).strip()
    hidden = hidden_characters(text)
    if not text or hidden:
        raise InputError("nom de fichier vide ou contenant un caractère invisible.", file=text or None,
                         fix="Donnez un nom comme « ma-campagne.yaml ».")
    path = Path(text)
    target = (path if path.is_absolute() else root / path).resolve()
    if not target.is_relative_to(root) or target == root:
        raise InputError("l'application n'enregistre les campagnes que dans le dossier des campagnes.", file=text,
                         fix=f"Donnez un nom de fichier dans {root} (par exemple « ma-campagne.yaml »), sans « .. ».")
    if target.suffix not in (".yaml", ".yml"):
        raise InputError("le fichier de campagne doit finir par .yaml.", file=text,
                         fix="Ajoutez « .yaml » à la fin du nom.")
    return target


def save_campaign(campaign: Campaign, path: str | Path) -> Path:
    """Write the campaign file, only as .yaml (the campaigns folder lists those), all or nothing; a campaign
    without identity keeps the one its file already has, or gets a new one."""
    path = Path(path)
    if path.suffix.lower() not in CAMPAIGN_SUFFIXES:
        raise InputError("le fichier de campagne doit finir par .yaml.", file=path, field="path",
                         fix=f"Enregistrez-le sous {path.with_suffix('.yaml').name}.")
    if campaign.id is None:
        campaign = campaign.model_copy(update={"id": _identity_in(path) or new_identity(campaign.name)})
    atomic.write_text(path, campaign_to_yaml(campaign))
    return path


def _identity_in(path: Path) -> str | None:
    """The identity already written in a campaign file, if any (None for a missing or unreadable file)."""
    import re

    try:
        raw = read_yaml(path)
    except (InputError, OSError):
        return None
    value = raw.get("id") if isinstance(raw, dict) else None
    return value if isinstance(value, str) and re.fullmatch(IDENTITY_PATTERN, value) else None


def ensure_identity(path: str | Path, campaign: Campaign) -> Campaign:
    """The campaign with its identity; when the file has none yet, one is written into it (a line `id: …`
    before `name:`, so that the officer's comments and layout stay as they are)."""
    if campaign.id is not None:
        return campaign
    path = Path(path)
    identity = new_identity(campaign.name)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next((i for i, line in enumerate(lines) if line.startswith("name:")), len(lines))
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    if lines and at == len(lines) and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline
    lines.insert(at, f"id: {identity}{newline}")
    atomic.write_text(path, "".join(lines))
    return campaign.model_copy(update={"id": identity})
