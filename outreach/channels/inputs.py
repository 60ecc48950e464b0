"""What the channel composer needs to know about a campaign, and how to get it from the other capabilities.

The composer works on these small types only: the campaign's name, period and links, and per theme what
each branch really offers (how many items, the best ones, the agenda's `LibraryEvent`s). `theme_offer` builds
them from the themes capability's `Theme` and `ThemeSummary`; `campaign_brief` from a campaign file.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator

from outreach.model import LibraryEvent
from outreach.text import slug


class ItemRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    title: str
    author: str = ""
    year: int | None = None


class BranchOffer(BaseModel):
    """What one branch has for one theme: true figures only."""

    branch_id: str
    branch_name: str
    city: str = ""
    n_items: int = Field(ge=0)
    top_items: list[ItemRef] = Field(default_factory=list)
    events: list[LibraryEvent] = Field(default_factory=list)  # the themes' own events, read from the agenda
    landing_url: str = ""


class ThemeOffer(BaseModel):
    theme_id: str
    label: str
    description: str = ""
    kind: str = ""
    hashtags: dict[str, list[str]] = Field(default_factory=dict)
    branches: list[BranchOffer] = Field(default_factory=list)
    landing_url: str = ""

    @field_validator("hashtags", mode="before")
    @classmethod
    def _tags_without_hash(cls, value):
        return {k: [str(t).strip().lstrip("#") for t in (v or []) if str(t).strip()] for k, v in (value or {}).items()}

    @property
    def n_items(self) -> int:
        return sum(b.n_items for b in self.branches)

    @property
    def stocked(self) -> list[BranchOffer]:
        """Branches holding at least one item of the theme, the best stocked first."""
        return sorted((b for b in self.branches if b.n_items > 0), key=lambda b: (-b.n_items, b.branch_name))

    def events(self, start: date | None = None, end: date | None = None) -> list[LibraryEvent]:
        """Events of every branch, each once, in date order, optionally within [start, end]."""
        seen: dict[str, LibraryEvent] = {}
        for b in self.branches:
            for e in b.events:
                if (start is None or e.start.date() >= start) and (end is None or e.start.date() <= end):
                    seen.setdefault(e.id, e)
        return sorted(seen.values(), key=lambda e: (e.start, e.title))

    def top_items(self, n: int = 3) -> list[ItemRef]:
        """The first items of the best stocked branches, each title once."""
        out: list[ItemRef] = []
        for b in self.stocked:
            for item in b.top_items:
                if all(i.title.casefold() != item.title.casefold() for i in out):
                    out.append(item)
                if len(out) >= n:
                    return out
        return out

    def branch_name(self, branch_id: str) -> str:
        return next((b.branch_name for b in self.branches if b.branch_id == branch_id), "")


class CampaignBrief(BaseModel):
    name: str
    start: date
    end: date
    landing_url: str
    site_url: str = ""  # the blog's own address; none: no article address to link to
    themes: list[ThemeOffer]
    visual_urls: dict[str, str] = Field(default_factory=dict)  # theme id → address of its published visual
    # the campaign's `utm_campaign` (`Campaign.utm_campaign`, as its Meta ads carry it); none: the name's slug
    utm_campaign: str = ""

    @property
    def slug(self) -> str:
        return slug(self.name)

    @property
    def blog_site(self) -> str:
        return self.site_url.strip().rstrip("/")


# ------------------------------------------------------------------------- adapters to the other capabilities

def _text(obj, name: str, default: str = "") -> str:
    value = getattr(obj, name, default)
    return "" if value is None else str(value)


def item_ref(item) -> ItemRef:
    """A catalogue item (themes' `CatalogueItem`, or anything with title/author/year) as the composer needs it."""
    year = getattr(item, "year", None)
    try:
        year = int(year) if year not in (None, "") else None
    except (TypeError, ValueError):
        year = None
    return ItemRef(title=_text(item, "title").strip(), author=_text(item, "author").strip(), year=year)


def theme_offer(theme, summaries, branches: dict, landing_url_for=None) -> ThemeOffer:
    """A theme and its per-branch summaries (themes' `ThemeSummary`) as one `ThemeOffer`.

    `branches` maps branch id → Branch; `landing_url_for(branch_id, theme_id)` gives each branch's page.
    """
    offers = []
    for s in summaries:
        if s.theme_id != theme.id:
            continue
        branch = branches.get(s.branch_id)
        # the demonstration sample's titles and counts, and the demonstration agenda's events, are true of no
        # branch: a post states none of them
        demo = bool(getattr(s, "demo", False))
        offers.append(BranchOffer(
            branch_id=s.branch_id, branch_name=branch.name if branch else s.branch_id,
            city=branch.city if branch else "", n_items=0 if demo else int(s.n_items),
            top_items=[] if demo else [item_ref(i) for i in (s.top_items or []) if _text(i, "title").strip()],
            events=[e for e in s.next_events or [] if not getattr(e, "demo", False)],
            landing_url=landing_url_for(s.branch_id, theme.id) if landing_url_for else ""))
    return ThemeOffer(theme_id=theme.id, label=theme.label, description=getattr(theme, "description", "") or "",
                      kind=str(getattr(theme, "kind", "") or ""), hashtags=dict(getattr(theme, "hashtags", {}) or {}),
                      branches=sorted(offers, key=lambda b: b.branch_id),
                      landing_url=landing_url_for("", theme.id) if landing_url_for else "")
