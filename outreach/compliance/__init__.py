"""The GDPR / DSA checklist: rules as data, automatic checks, attestations, reports, and the export gate.

Public surface:
- `build_context(campaign, plan, payload, …)` → `CheckContext`; `evaluate(ctx, attestations)` → `Checklist`;
- `review(...)`: both, with the campaign's attestations, as a `Verdict` that says whether the export may go;
- `add_attestation`, `load_attestations`, `remove_attestation`, `attestations_path`;
- `write_checklist(checklist, ropa_entry, directory)`; `build_entry(ctx)` (GDPR art. 30 record);
- `load_rules()`, `load_lists()`.
"""

from outreach.compliance.attestations import (
    add_attestation,
    attestations_path,
    load_attestations,
    remove_attestation,
)
from outreach.compliance.community_facts import QuestionnaireFacts
from outreach.compliance.context import CheckContext, build_context
from outreach.compliance.evaluate import KIND_LABELS, SEVERITY_LABELS, STATUS_LABELS, Checklist, evaluate
from outreach.compliance.gate import EXIT_REFUSED
from outreach.compliance.reports import STATUS_SYMBOLS, write_checklist
from outreach.compliance.ropa import build_entry
from outreach.compliance.rules import load_rules
from outreach.compliance.sensitive import load_lists

__all__ = ["CheckContext", "minors", "Checklist", "EXIT_REFUSED", "KIND_LABELS", "QuestionnaireFacts",
           "SEVERITY_LABELS", "STATUS_LABELS", "STATUS_SYMBOLS", "add_attestation", "attestations_path",
           "build_context", "build_entry", "evaluate", "load_attestations", "load_lists", "load_rules",
           "remove_attestation", "write_checklist"]
