"""Helpers for tests that run `outreach plan` through the GDPR checklist gate.

A campaign passes the gate when its automatic items pass and its blocking manual items are attested; these
helpers give the network settings the checklist needs (controller, DPO contact) and copy a campaign file
with its attestations into a temporary folder, never beside the shipped example.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from outreach.compliance import add_attestation

# what ROPA-01 and RIGHTS-01 need; example.fr is a reserved, illustrative domain
NETWORK_YAML = ("min_daily_budget_eur: 1.0\n"
                "controller_name: \"Ville de Marseille\"\n"
                "dpo_contact: \"dpo@mairie.example.fr\"\n")

# every blocking item a person attests (manual, or semi when flagged); attesting one that is not open is
# harmless: the checklist ignores it
BLOCKING_ATTESTABLE = ("ROLE-01", "ROLE-02", "BASIS-01", "BASIS-02", "CA-02", "CA-04", "CA-06", "FORM-06",
                       "SEN-03", "XFER-01", "DPIA-01", "SEC-01")


def attested_copy(campaign: Path, folder: Path, items=BLOCKING_ATTESTABLE) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / campaign.name
    shutil.copyfile(campaign, copy)
    for item in items:
        add_attestation(copy, item, name="Camille Test", role="DPO", on=date(2026, 11, 1))
    if "AD-03" not in items:
        # a campaign in the pre-election period of an election of the shipped calendar: cleared by the lawyer
        add_attestation(copy, "AD-03", name="Dominique Test", role="Service juridique", on=date(2026, 11, 1))
    return copy
