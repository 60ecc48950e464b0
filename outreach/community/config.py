"""The questionnaire's settings: what is offered, the notice's version, who may embed it, the limits.

Kept in `questionnaire.yaml` beside `network.yaml` (OUTREACH_QUESTIONNAIRE overrides the path) and edited on
the « Questionnaire & communauté » page. The controller and the DPO come from the network settings.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from outreach import atomic
from outreach.paths import questionnaire_path
from outreach.yamlfile import read_yaml, validation_error


class QuestionnaireConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = "Vos centres d'intérêt"
    intro: str = ("La médiathèque a sans doute des livres, des films, des jeux et des animations sur ce qui vous "
                  "passionne. Dites-nous ce qui vous intéresse : répondre est facultatif et ne change rien à "
                  "votre accès aux services de la commune.")
    # bump it whenever the notice's text changes: consents given under an older notice are not valid for a
    # new purpose (FORM-08), and the store refuses a changed text under an unchanged version
    notice_version: str = Field(default="1", min_length=1, max_length=32, pattern=r"^[A-Za-z0-9._-]+$")
    # where people exercise their rights when it is not the DPO (a service, a form); empty: the DPO
    rights_contact: str = Field(default="", max_length=300)
    # the commune's full privacy policy, linked from the notice (layered notice, TGT-04)
    privacy_policy_url: str = Field(default="", max_length=500)
    # theme ids offered; empty = every non-sensitive theme of the catalogue (SEN-04 applies either way)
    offered_themes: list[str] = Field(default_factory=list)
    # the public address of the service, for links in e-mails and the embed snippet
    public_url: str = "http://127.0.0.1:8765"
    # municipal sites allowed to embed the pop-up (CORS); e.g. https://www.marseille.fr
    allowed_origins: list[str] = Field(default_factory=list)
    # RET-01: 3 years from the last active contact (CNIL, by analogy), never more
    retention_months: int = Field(default=36, ge=1, le=36)
    # how long proofs of consent outlive the processing, to answer a claim; the DPO sets it
    proof_retention_years: int = Field(default=5, ge=1, le=10)
    # double opt-in: how long the confirmation link sent to an address stays valid
    confirmation_valid_days: int = Field(default=7, ge=1, le=30)
    # confirmation e-mails one address may receive in an hour (the first, resends, a change of address), whoever
    # asks: the per-client rate limit alone let anyone flood an address from many clients
    confirmation_mails_per_hour: int = Field(default=3, ge=1, le=60)
    rate_limit_per_minute: int = Field(default=30, ge=1)
    max_body_bytes: int = Field(default=16_384, ge=1_024, le=1_048_576)
    # behind a reverse proxy: read the client's address from X-Forwarded-For, as written by these proxies
    # (addresses or networks, e.g. 10.0.0.0/8); the rightmost address they did not add is the client
    trust_forwarded_for: bool = False
    trusted_proxies: list[str] = Field(default_factory=lambda: ["127.0.0.1", "::1"])

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("l'adresse publique doit commencer par https:// (ou http:// en local)")
        return value

    @field_validator("privacy_policy_url")
    @classmethod
    def _policy_url(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("l'adresse de la politique de confidentialité doit commencer par https://")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, values: list[str]) -> list[str]:
        for value in values:
            try:
                ipaddress.ip_network(value.strip(), strict=False)
            except ValueError:
                raise ValueError(f"« {value} » n'est ni une adresse IP ni un réseau (10.0.0.0/8)") from None
        return [v.strip() for v in values]

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, values: list[str]) -> list[str]:
        cleaned = []
        for value in values:
            value = value.strip().rstrip("/")
            if not value.startswith(("http://", "https://")) or value.count("/") > 2:
                raise ValueError(f"« {value} » n'est pas une origine (schéma et hôte, sans chemin : "
                                 "https://www.exemple.fr)")
            cleaned.append(value)
        return cleaned


def load_config(path: str | Path | None = None) -> QuestionnaireConfig:
    path = Path(path) if path else questionnaire_path()
    if not path.exists():
        return QuestionnaireConfig()
    try:
        return QuestionnaireConfig.model_validate(read_yaml(path) or {})
    except ValidationError as exc:
        raise validation_error(exc, file=path, fix="Corrigez-la sur la page « Questionnaire & communauté » ou "
                                                   "dans le fichier.") from exc


def save_config(config: QuestionnaireConfig, path: str | Path | None = None) -> Path:
    path = Path(path) if path else questionnaire_path()
    atomic.write_text(path, yaml.safe_dump(config.model_dump(mode="json"), allow_unicode=True, sort_keys=False))
    return path
