"""The community's CSV exports, the same from the CLI (`outreach questionnaire export`) and the admin API
(`/api/exports/…`): members without token nor e-mail, proofs of consent that name no one (an opaque id)."""

from __future__ import annotations

import io
import json

from outreach import cells
from outreach.community.store import Store
from outreach.community.vocabulary import PURPOSES

COMMUNITY_COLUMNS = ["respondent_id", "created_at", "last_interaction_at", "postcode", "area_code", "branch_id",
                     "age_band", "interests", *PURPOSES, "notice_version"]
PROOF_COLUMNS = ["id", "consent_id", "ts_utc", "event", "purposes", "notice_version", "notice_hash", "language",
                 "mechanism", "page_url", "withdrawn_at", "withdrawal_channel"]


def community_rows(store: Store) -> list[dict]:
    """One row per member, pseudonymous: the token and the e-mail never leave the store this way."""
    return [{"respondent_id": m.id, "created_at": m.created_at.isoformat(),
             "last_interaction_at": m.last_interaction_at.isoformat(), "postcode": m.postcode,
             "area_code": m.area_code, "branch_id": m.branch_id, "age_band": m.age_band or "",
             "interests": " ".join(m.interests), **{p: int(m.consents[p]) for p in PURPOSES},
             "notice_version": m.notice_version} for m in store.members()]


def proof_rows(store: Store) -> list[dict]:
    return [r | {"purposes": json.dumps(r["purposes"], sort_keys=True)} for r in store.proofs()]


def csv_text(rows: list[dict], columns: list[str]) -> str:
    """The rows as CSV with these columns only (keys beyond them are left out)."""
    buffer = io.StringIO()
    writer = cells.dict_writer(buffer, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
