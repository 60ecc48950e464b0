"""The library network's settings: who it is, its Meta identities, its GDPR contacts, its defaults.

Kept in `network.yaml` (OUTREACH_SETTINGS overrides the path) and edited on the Paramètres page. Campaign
files take their defaults from here (advertiser, budget); the questionnaire's notice and the GDPR
checklist read the controller and DPO from here.
"""

from __future__ import annotations

import re
from datetime import date
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.utils import parseaddr
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from outreach import atomic
from outreach.elections import Election, shipped_calendar, single_date
from outreach.model import ad_account_text, meta_id_text
from outreach.paths import settings_path
from outreach.yamlfile import read_yaml, validation_error


class NetworkSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    network_name: str = "Réseau des médiathèques"
    departements: list[str] = Field(default_factory=lambda: ["13", "75"])
    website: str = ""
    blog_url: str = ""  # the WordPress blog's own address: drafts, bridges and the WXR file point there
    wordpress_user: str = ""  # its application password is a secret (WORDPRESS_APP_PASSWORD), never kept here
    wordpress_schedule: bool = False  # False: articles arrive as drafts; True: scheduled at their calendar slot
    mastodon_instance: str = ""  # https://… ; its token is a secret (MASTODON_TOKEN)
    # the network's agenda as it publishes it: a portal's iCalendar feed or an OpenAgenda export link
    # (https://… or webcal://…), read by `themes match` when no --events file is given
    agenda_url: str = ""
    # Meta
    facebook_page_id: str = ""
    instagram_user_id: str = ""
    ad_account_id: str = ""  # act_…
    # the names Meta gave with those ids when they were chosen on the Paramètres page (shown instead of ids)
    facebook_page_name: str = ""
    instagram_username: str = ""
    ad_account_name: str = ""
    dsa_beneficiary: str = ""  # who the ads are for (DSA art. 26): the commune or its libraries
    dsa_payer: str = ""  # who pays for them
    default_budget_eur: float = Field(default=300, gt=0)
    # per ad set and per day, when no token lets outreach read the account's own floors (act_…/minimum_budgets):
    # Meta's floor depends on the optimisation goal, clicks costing several times impressions
    min_daily_budget_eur: float = Field(default=1.0, gt=0)  # awareness (reach, billed on impressions)
    min_daily_budget_traffic_eur: float = Field(default=5.0, gt=0)  # traffic (link clicks)
    # delivery: Facebook and Instagram feeds, stories and reels; Audience Network only when asked for
    audience_network: bool = False
    # at most this many impressions per person and per period, on reach (awareness) campaigns
    frequency_max: int = Field(default=2, ge=1, le=90)
    frequency_days: int = Field(default=7, ge=1, le=90)
    # ads running or in review at once on the Page (Meta: 250 for most Pages)
    page_ad_limit: int = Field(default=250, ge=1)
    # the network's colours for the visuals outreach draws: the background and the accent band (#RRGGBB)
    colour_primary: str = "#1D3557"
    colour_accent: str = "#F4A261"
    # the mail server that sends the confirmation links (double opt-in) and the digests; its password is a
    # secret (SMTP_PASSWORD), never kept here. security: "starttls" (port 587), "tls" (implicit, port 465)
    # or "none" (a relay on the same machine only: no password is ever sent without encryption)
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_user: str = ""
    smtp_sender: str = ""  # From of every e-mail: "Médiathèques de … <ne-pas-repondre@ville.fr>"
    # GDPR
    controller_name: str = ""  # the commune (or EPCI), controller of the processing
    dpo_contact: str = ""  # e-mail or postal address of the data protection officer
    election_date: date | None = None  # older single date of the next election; still counted (L.52-1)
    # the calendar of general elections as edited on the Paramètres page; None: the shipped one
    elections: list[Election] | None = None
    # the network's own catalogue and agenda (outreach.themes.in_force): which branch of the network each owner
    # code of the library system's copies is (Koha 995$b, 952$a…; a code that is already a branch id needs
    # none), and the agenda's files or feed addresses (iCalendar, OpenAgenda export)
    catalogue_branches: dict[str, str] = Field(default_factory=dict)
    agenda_sources: list[str] = Field(default_factory=list)

    def election_calendar(self) -> list[Election]:
        """Every election the pre-election rule looks at: the edited (or shipped) calendar, and the old date."""
        found = list(self.elections) if self.elections is not None else shipped_calendar()
        if self.election_date:
            found.append(single_date(self.election_date))
        return found

    @field_validator("smtp_host")
    @classmethod
    def _smtp_host(cls, value: str) -> str:
        value = value.strip()
        if value and not re.fullmatch(r"[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\]", value):
            raise ValueError(f"« {value} » n'est pas un nom de serveur (smtp.exemple.fr, sans https://)")
        return value

    @field_validator("smtp_sender")
    @classmethod
    def _smtp_sender(cls, value: str) -> str:
        value = value.strip()
        if not value:
            return value
        _name, address = parseaddr(value)
        local, _, domain = address.rpartition("@")
        try:
            Address(addr_spec=address)  # refuses what a mail server would
        except (ValueError, HeaderParseError):
            local = ""
        if not local or "." not in domain or any(c in value for c in "\r\n"):
            raise ValueError(f"« {value} » n'est pas une adresse d'expéditeur (Nom <adresse@ville.fr>)")
        return value

    @field_validator("colour_primary", "colour_accent")
    @classmethod
    def _hex_colour(cls, value: str) -> str:
        match = re.fullmatch(r"#?([0-9a-fA-F]{6})", str(value).strip())
        if not match:
            raise ValueError(f"« {value} » n'est pas une couleur #RRVVBB")
        return "#" + match.group(1).upper()

    @field_validator("facebook_page_id", "instagram_user_id", mode="before")
    @classmethod
    def _meta_ids(cls, value):
        return meta_id_text(value) or ""

    @field_validator("ad_account_id", mode="before")
    @classmethod
    def _ad_account(cls, value):
        return ad_account_text(value)

    def missing_for_launch(self) -> list[str]:
        """What a campaign needs from these settings and is not filled in, in French (the Accueil page)."""
        return [label for label, value in (("la page Facebook", self.facebook_page_id),
                                           ("le bénéficiaire (DSA)", self.dsa_beneficiary),
                                           ("le payeur (DSA)", self.dsa_payer),
                                           ("le contact du DPO", self.dpo_contact)) if not value]


def load_settings(path: str | Path | None = None) -> NetworkSettings:
    path = Path(path) if path else settings_path()
    if not path.exists():
        return NetworkSettings()
    try:
        return NetworkSettings.model_validate(read_yaml(path) or {})
    except ValidationError as exc:
        raise validation_error(exc, file=path, fix="Corrigez-la sur la page Paramètres ou dans le fichier.") from exc


def save_settings(settings: NetworkSettings, path: str | Path | None = None) -> Path:
    path = Path(path) if path else settings_path()
    data = settings.model_dump(mode="json")
    atomic.write_text(path, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return path


def min_daily_budget_eur(settings: NetworkSettings, objective: str) -> float:
    """The offline floor for an ad set of a campaign with this objective."""
    return settings.min_daily_budget_traffic_eur if objective == "traffic" else settings.min_daily_budget_eur
