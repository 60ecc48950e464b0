"""The themes' Meta interests checked with Meta: ids and resolution dates kept in the themes file.

Names are resolved in English (`MetaClient.resolve_interests`, locale en_US); an interest that already has an
id is checked by id (`targetingoptionstatus`), since Meta renames interests and recommends keeping ids. The
result serves `outreach themes resolve` and the Thèmes page (status and audience size of each interest).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

STATUS_FR = {"NORMAL": "actif", "DEPRECATING": "en cours de retrait", "NON_DELIVERABLE": "retiré, ne diffuse plus",
             "DELIVERABLE": "actif"}


@dataclass
class InterestCheck:
    theme_id: str
    name: str
    id: str | None
    status: str  # Meta's word (NORMAL, DEPRECATING, …) or "UNKNOWN" for a name Meta does not know
    audience: str = ""  # Meta's range, in French
    suggestions: list[dict] = field(default_factory=list)

    @property
    def status_fr(self) -> str:
        return "inconnu de Meta" if self.status == "UNKNOWN" else STATUS_FR.get(self.status, self.status.lower())


def check_themes(client, themes) -> tuple[list, list[InterestCheck]]:
    """(themes with the ids Meta gave and today's date, one check per interest of every theme)."""
    from outreach.meta.client import audience_fr
    from outreach.themes import with_resolved_interests

    names = sorted({i.name for t in themes for i in t.meta_interests if not i.id}, key=str.casefold)
    resolved = client.resolve_interests(names) if names else {}
    hits = {n: r["id"] for n, r in resolved.items() if r}
    updated = with_resolved_interests(list(themes), hits, date.today())
    ids = sorted({i.id for t in updated for i in t.meta_interests if i.id})
    status = client.interest_status(ids) if ids else {}
    sizes = {r["id"]: r for r in resolved.values() if r}
    checks = []
    for theme in updated:
        for interest in theme.meta_interests:
            if interest.id:
                checks.append(InterestCheck(theme.id, interest.name, interest.id,
                                            status.get(interest.id, "NON_DELIVERABLE"),
                                            audience_fr(sizes[interest.id]) if interest.id in sizes else ""))
            else:
                checks.append(InterestCheck(theme.id, interest.name, None, "UNKNOWN",
                                            suggestions=client.cached_suggestions(interest.name)))
    return updated, checks


def meta_account_for_checks() -> str | None:
    """The ad account to ask Meta with, when a token is set (environment or Streamlit secrets) and the
    settings name an account; None otherwise (the Thèmes page then says what is missing)."""
    import os

    from outreach.meta.client import TOKEN_ENV, streamlit_secret
    from outreach.settings import load_settings

    if not (os.environ.get(TOKEN_ENV) or streamlit_secret(TOKEN_ENV)):
        return None
    return load_settings().ad_account_id or None


def checks_table(checks: list[InterestCheck]) -> list[dict]:
    """Rows for the Thèmes page, in French."""
    from outreach.meta.client import audience_fr

    rows = []
    for c in checks:
        hint = "; ".join(f"{r['name']} ({r['id']}, {audience_fr(r)})" for r in c.suggestions[:3])
        rows.append({"Centre d'intérêt": c.name, "Identifiant Meta": c.id or "—", "Statut": c.status_fr,
                     "Audience (Meta)": c.audience or "—", "Suggestions de Meta": hint or "—"})
    return rows
