"""Evaluation: every rule of the checklist applied to one campaign, with attestations taken into account.

Status of an item:
- `pass`: satisfied (or not applicable to this campaign, said in the detail);
- `fail`: the campaign breaks the rule; only changing the campaign (or the settings) fixes it;
- `flag`: the tool found something a person must decide; an attestation turns it into `attest`;
- `todo`: a manual item nobody has attested yet;
- `attest`: a named person attested it.
A blocking item that is not `pass` or `attest` stops the export.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from outreach.compliance.attestations import role_accepted
from outreach.compliance.checks import CHECKS
from outreach.compliance.context import CheckContext
from outreach.compliance.rules import Rule, load_rules
from outreach.model import Attestation, ChecklistItem

STATUS_LABELS = {"pass": "conforme", "fail": "non conforme", "flag": "à examiner", "attest": "attesté",
                 "todo": "à attester"}
SEVERITY_LABELS = {"blocking": "bloquant", "warning": "avertissement"}
ATTESTED_BY = {"any": "une personne nommée", "dpo": "le DPO", "legal": "le service juridique"}
KIND_LABELS = {"auto": "automatique", "semi": "semi-automatique", "manual": "manuel"}


class Checklist(BaseModel):
    campaign: str
    campaign_file: str = ""
    generated_at: datetime = Field(default_factory=lambda: datetime.now().replace(microsecond=0))
    draft: bool = False
    items: list[ChecklistItem]

    @property
    def failures(self) -> list[ChecklistItem]:
        """Blocking items the campaign breaks (status fail)."""
        return [i for i in self.items if i.severity == "blocking" and i.status == "fail"]

    @property
    def open_blockers(self) -> list[ChecklistItem]:
        """Blocking items that fail or wait for an attestation: while any remains, no export."""
        return [i for i in self.items if i.blocks]

    @property
    def export_allowed(self) -> bool:
        return not self.open_blockers

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for i in self.items if i.status == s) for s in STATUS_LABELS}

    def item(self, item_id: str) -> ChecklistItem:
        return next(i for i in self.items if i.id == item_id)


def _applies(rule: Rule, ctx: CheckContext) -> str | None:
    """None when the rule applies; otherwise the French reason why it does not."""
    if rule.applies == "profiled" and not ctx.profiled:
        return "la campagne ne cible ni centre d'intérêt ni audience personnalisée"
    if rule.applies == "questionnaire" and not ctx.uses_questionnaire:
        return "la campagne n'utilise pas le questionnaire"
    if rule.applies == "custom_audiences" and not ctx.custom_audiences():
        return "aucune audience personnalisée"
    return None


def _valid(attestation: Attestation | None, rule: Rule) -> Attestation | None:
    if attestation is None:
        return None
    if not role_accepted(rule.attested_by, attestation.role):
        return None
    return attestation


def _said(attestation: Attestation) -> str:
    note = f" — {attestation.note}" if attestation.note else ""
    return f"Attesté par {attestation.name} ({attestation.role}) le {attestation.date:%d/%m/%Y}{note}."


def evaluate_rule(rule: Rule, ctx: CheckContext, attestation: Attestation | None) -> ChecklistItem:
    attestation = _valid(attestation, rule)
    reason = _applies(rule, ctx)
    finding = ""
    if reason:
        status, detail, attestation = "pass", f"Sans objet : {reason}.", None
    elif rule.kind == "manual":
        if attestation:
            status, detail = "attest", _said(attestation)
        else:
            who = ATTESTED_BY[rule.attested_by]
            status, detail = "todo", f"À attester par {who}."
            attestation = None
    else:
        result = CHECKS[rule.check](ctx)
        status, detail, finding = result.status, result.detail, result.detail
        if status == "flag" and attestation and attestation.about and attestation.about != finding:
            detail = (f"{detail} L'attestation de {attestation.name} du {attestation.date:%d/%m/%Y} portait sur un "
                      "autre constat : à renouveler.")
            attestation = None
        elif status == "flag" and attestation:
            status, detail = "attest", f"{detail} {_said(attestation)}"
        elif status != "flag":
            attestation = None  # an attestation never overrides what the tool decides
    return ChecklistItem(id=rule.id, title=rule.title, status=status, detail=detail, source=rule.source,
                         section=rule.section, kind=rule.kind, severity=rule.severity, rule=rule.rule,
                         fix=rule.fix if status not in ("pass", "attest") else "", page=rule.where.page,
                         field=rule.where.field, attested_by=rule.attested_by,
                         attestation=attestation if status == "attest" else None, finding=finding)


def evaluate(ctx: CheckContext, attestations: list[Attestation] | None = None,
             rules: list[Rule] | None = None, *, draft: bool = False) -> Checklist:
    rules = rules if rules is not None else load_rules()
    by_item = {a.item: a for a in attestations or []}
    items = [evaluate_rule(rule, ctx, by_item.get(rule.id)) for rule in rules]
    return Checklist(campaign=ctx.name, campaign_file=str(ctx.campaign_path or ""), draft=draft, items=items)
