"""The checklist's rules, read from `data/compliance.yaml` (one place to read and amend them)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from outreach.campaign import french_validation_error
from outreach.compliance.checks import CHECKS
from outreach.errors import InputError
from outreach.paths import data_dir
from outreach.yamlfile import read_yaml

Applies = Literal["always", "profiled", "questionnaire", "custom_audiences"]


class Where(BaseModel):
    model_config = ConfigDict(extra="forbid")

    page: str = ""
    field: str = ""


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[A-Z0-9]+-\d\d$")
    section: str
    title: str = Field(min_length=1)
    rule: str = Field(min_length=1)
    source: str = Field(min_length=1)
    kind: Literal["auto", "semi", "manual"]
    severity: Literal["blocking", "warning"]
    check: str | None = None
    applies: Applies = "always"
    attested_by: Literal["any", "dpo", "legal"] = "any"
    fix: str = ""
    where: Where = Field(default_factory=Where)

    @model_validator(mode="after")
    def _check_named(self):
        if self.kind in ("auto", "semi") and not self.check:
            raise ValueError(f"l'élément {self.id} ({self.kind}) doit nommer sa vérification (check)")
        if self.kind == "manual" and self.check:
            raise ValueError(f"l'élément {self.id} est manuel : il ne peut pas avoir de vérification")
        return self


def default_path() -> Path:
    return data_dir() / "compliance.yaml"


def load_rules(path: str | Path | None = None) -> list[Rule]:
    path = Path(path) if path else default_path()
    return list(_load(str(path), path.stat().st_mtime_ns if path.exists() else 0))


@lru_cache(maxsize=8)
def _load(path_text: str, _mtime: int) -> tuple[Rule, ...]:
    path = Path(path_text)
    raw = read_yaml(path, missing_fix="Restaurez data/compliance.yaml depuis le dépôt.") or {}
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, body in enumerate(raw.get("items") or []):
        where = f"items[{index}]" + (f" ({body.get('id')})" if isinstance(body, dict) and body.get("id") else "")
        try:
            rule = Rule.model_validate(body)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"])
            raise InputError(f"« {field} » : {french_validation_error(first)}.", file=path, where=where, field=field,
                             fix="Voir l'en-tête du fichier pour les valeurs admises.") from exc
        if rule.id in seen:
            raise InputError(f"identifiant en double « {rule.id} ».", file=path, where=where,
                             fix="Chaque élément a un identifiant unique.")
        if rule.check and rule.check not in CHECKS:
            raise InputError(f"vérification inconnue « {rule.check} ».", file=path, where=where,
                             fix="Utilisez une des vérifications de outreach/compliance/checks.py : "
                                 + ", ".join(sorted(CHECKS)) + ".")
        seen.add(rule.id)
        rules.append(rule)
    if not rules:
        raise InputError("aucun élément dans la liste.", file=path, fix="Restaurez le fichier depuis le dépôt.")
    return tuple(rules)
