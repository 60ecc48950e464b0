"""What the app shows about the community: totals, members per theme × branch, the embed snippet, and
whether the notice changed without a new version. No personal data leaves here: counts only."""

from __future__ import annotations

from html import escape

import pandas as pd

from outreach.community.config import QuestionnaireConfig
from outreach.community.notice import Notice
from outreach.community.offer import Offer
from outreach.community.store import Store
from outreach.community.vocabulary import PURPOSES


def embed_snippet(config: QuestionnaireConfig) -> str:
    return f'<script src="{escape(config.public_url)}/widget.js" defer></script>'


def totals(store: Store) -> dict[str, int]:
    members = store.members()
    out = {"members": len(members), "with_email": sum(1 for m in members if m.email)}
    # usable consents only: an e-mail purpose counts once its address is confirmed (double opt-in)
    out |= {p: sum(1 for m in members if m.usable_consents[p]) for p in PURPOSES}
    out["awaiting_confirmation"] = sum(1 for m in members if m.awaiting_confirmation)
    out["counted_only"] = store.counted_answers()
    out["proofs"] = len(store.proofs())
    return out


def community_table(store: Store, offer: Offer, branch_names: dict[str, str]) -> pd.DataFrame:
    """Members per theme and branch, labelled in French, largest groups first."""
    rows = [{"Thème": offer.label(r["theme_id"]), "Bibliothèque": branch_names.get(r["branch_id"], r["branch_id"]),
             "Membres": r["members"], "Reçoivent des e-mails": r["email_recommendations"],
             "Rapprochement Meta": r["meta_matching"], "Réponses sans consentement": r["counted_only"]}
            for r in store.stats()]
    frame = pd.DataFrame(rows, columns=["Thème", "Bibliothèque", "Membres", "Reçoivent des e-mails",
                                        "Rapprochement Meta", "Réponses sans consentement"])
    return frame.sort_values(["Membres", "Thème"], ascending=[False, True], ignore_index=True)


def notice_needs_new_version(store: Store, notice: Notice) -> bool:
    """True when a notice of this version was already shown with another text (FORM-08)."""
    known = store.notice_text(notice.version)
    return known is not None and known != notice.text
