"""The library network's settings: who it is, its Meta identities, its GDPR contacts, its defaults.

Kept in `network.yaml` (OUTREACH_SETTINGS overrides the path) and edited on the Paramètres page. Campaign
files take their defaults from here (advertiser, budget); the questionnaire's notice and the GDPR
checklist read the controller and DPO from here.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from outreach import atomic
from outreach.paths import settings_path
from outreach.yamlfile import read_yaml, validation_error


class NetworkSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    network_name: str = "Réseau des médiathèques"
    departements: list[str] = Field(default_factory=lambda: ["13", "75"])
    website: str = ""
    # Meta
    facebook_page_id: str = ""
    instagram_user_id: str = ""
    ad_account_id: str = ""  # act_…
    dsa_beneficiary: str = ""  # who the ads are for (DSA art. 26): the commune or its libraries
    dsa_payer: str = ""  # who pays for them
    default_budget_eur: float = Field(default=300, gt=0)
    min_daily_budget_eur: float = Field(default=1.0, gt=0)  # per ad set; Meta's floor depends on the account
    # GDPR
    controller_name: str = ""  # the commune (or EPCI), controller of the processing
    dpo_contact: str = ""  # e-mail or postal address of the data protection officer
    election_date: date | None = None  # next general election: pre-election period rules (Code électoral L.52-1)


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
