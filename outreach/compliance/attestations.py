"""Attestations: a named person vouches for a manual (or flagged) item of one campaign.

They are kept beside the campaign file, in `<campaign>.attestations.yaml`, so that they travel with it and
stay readable by a person. An attestation names the person, their role and the date; items the checklist
reserves to the data protection officer need a role that says so.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml
from pydantic import ValidationError

from outreach import atomic
from outreach.compliance.rules import Rule, load_rules
from outreach.compliance.sensitive import normalise
from outreach.errors import InputError
from outreach.model import Attestation
from outreach.yamlfile import read_yaml

SUFFIX = ".attestations.yaml"
DPO_ROLES = ("dpo", "delegue a la protection des donnees", "delegue protection des donnees",
             "delegue a la protection de donnees", "data protection officer")


def attestations_path(campaign_path: str | Path) -> Path:
    path = Path(campaign_path)
    return path.with_name(path.stem + SUFFIX)


def load_attestations(campaign_path: str | Path) -> list[Attestation]:
    """The attestations of a campaign, one per item (the latest wins); none when the file does not exist."""
    path = attestations_path(campaign_path)
    if not path.exists():
        return []
    raw = read_yaml(path) or {}
    found: dict[str, Attestation] = {}
    for index, body in enumerate(raw.get("attestations") or [] if isinstance(raw, dict) else []):
        try:
            attestation = Attestation.model_validate(body)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"])
            raise InputError(f"« {field} » : valeur manquante ou invalide.", file=path,
                             where=f"attestations[{index}]", field=field,
                             fix="Chaque attestation a item, name, role et date (AAAA-MM-JJ).") from exc
        found[attestation.item] = attestation
    return list(found.values())


# the legal service clears the pre-election flag (AD-03): only a lawyer may judge a campaign's content
LEGAL_ROLES = ("service juridique", "juriste", "affaires juridiques", "direction juridique", "service du contentieux")


def _has_role(role: str, roles: tuple[str, ...]) -> bool:
    words = " " + " ".join(normalise(role)) + " "
    return any(f" {r} " in words for r in roles)


def is_dpo(role: str) -> bool:
    return _has_role(role, DPO_ROLES)


def is_legal(role: str) -> bool:
    return _has_role(role, LEGAL_ROLES)


def role_accepted(rule_attested_by: str, role: str) -> bool:
    """Whether a person of this role may attest an item reserved to the DPO, the legal service or anyone."""
    if rule_attested_by == "dpo":
        return is_dpo(role)
    if rule_attested_by == "legal":
        return is_legal(role)
    return True


def _rule(item_id: str, rules: list[Rule]) -> Rule:
    by_id = {r.id: r for r in rules}
    rule = by_id.get(item_id.strip().upper())
    if rule is None:
        raise InputError(f"élément « {item_id} » inconnu de la checklist.", field="item",
                         fix="Utilisez un identifiant de data/compliance.yaml (par ex. ROLE-01, DPIA-01).")
    if rule.kind == "auto":
        raise InputError(f"« {rule.id} » est vérifié automatiquement : il ne s'atteste pas.", field="item",
                         fix=rule.fix or "Corrigez la campagne.")
    return rule


def add_attestation(campaign_path: str | Path, item_id: str, *, name: str, role: str, on: date | None = None,
                    note: str = "", about: str = "", rules: list[Rule] | None = None) -> Attestation:
    """Record (or replace) the attestation of one item; the file is rewritten atomically.

    `about` is the finding attested, for an item the tool flags (ChecklistItem.finding): when the finding
    changes (another sensitive theme, another audience…), the attestation no longer counts.
    """
    campaign_path = Path(campaign_path)
    if not campaign_path.exists():
        raise InputError("fichier de campagne introuvable.", file=campaign_path,
                         fix="Enregistrez la campagne avant d'attester.")
    rule = _rule(item_id, rules if rules is not None else load_rules())
    name, role = (name or "").strip(), (role or "").strip()
    if not name:
        raise InputError("le nom de la personne qui atteste est vide.", field="name", fix="Indiquez prénom et nom.")
    if not role:
        raise InputError("la fonction de la personne qui atteste est vide.", field="role",
                         fix="Indiquez sa fonction (par ex. « Chargée de communication », « DPO »).")
    if rule.attested_by == "dpo" and not is_dpo(role):
        raise InputError(f"« {rule.id} » doit être attesté par le délégué à la protection des données "
                         f"(fonction donnée : « {role} »).", field="role",
                         fix="Faites attester par le DPO de la commune (fonction « DPO »).")
    if rule.attested_by == "legal" and not is_legal(role):
        raise InputError(f"« {rule.id} » doit être attesté par le service juridique (fonction donnée : « {role} »).",
                         field="role", fix="Faites attester par un juriste de la commune (fonction « service "
                                           "juridique »).")
    on = on or date.today()
    if on > date.today():
        raise InputError(f"date d'attestation dans le futur ({on.isoformat()}).", field="date",
                         fix="Une attestation porte la date du jour où elle est donnée.")
    attestation = Attestation(item=rule.id, name=name, role=role, date=on, note=note.strip(), about=about.strip())
    kept = [a for a in load_attestations(campaign_path) if a.item != rule.id] + [attestation]
    _write(campaign_path, kept)
    return attestation


def remove_attestation(campaign_path: str | Path, item_id: str) -> bool:
    current = load_attestations(campaign_path)
    kept = [a for a in current if a.item != item_id.strip().upper()]
    if len(kept) == len(current):
        return False
    _write(Path(campaign_path), kept)
    return True


def _write(campaign_path: Path, attestations: list[Attestation]) -> None:
    order = {r.id: i for i, r in enumerate(load_rules())}
    attestations = sorted(attestations, key=lambda a: order.get(a.item, len(order)))
    body = {"campaign": campaign_path.name,
            "attestations": [a.model_dump(mode="json") for a in attestations]}
    header = (f"# Attestations RGPD de la campagne {campaign_path.name} (écrites par « outreach attest » ou la "
              "page RGPD).\n# Une attestation engage la personne nommée : ne la modifiez pas à sa place.\n")
    atomic.write_text(attestations_path(campaign_path), header + yaml.safe_dump(body, allow_unicode=True,
                                                                                 sort_keys=False))
