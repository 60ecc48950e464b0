"""Recommendations: for each member, the items and upcoming events of their themes at their branch, ranked.

Built on the themes' summaries (theme × branch → most loaned items, next events). A member who granted
`personalisation` gets their own themes; one who did not gets the branch's news across every offered theme
(their declared interests are then not used to choose what they receive).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from outreach.community.offer import Offer
from outreach.community.store import Member
from outreach.model import ThemeSummary

ALL_THEMES = "toutes"  # segment of the members who did not grant personalisation


@dataclass(frozen=True)
class Recommendation:
    rank: int
    kind: str  # "animation" | "document"
    theme_id: str
    theme_label: str
    title: str
    detail: str
    url: str
    when: datetime | None = None


def themes_for(member: Member, offer: Offer) -> list[str]:
    if member.consents["personalisation"]:
        return [t for t in member.interests if t in offer.ids]
    return [t.id for t in offer.themes]


def _event_detail(event) -> str:
    when = event.start.strftime("%d/%m/%Y à %Hh%M") if isinstance(event.start, datetime) else str(event.start)
    return f"{when}{' — ' + event.location_name if event.location_name else ''}"


def _item_detail(item) -> str:
    return ", ".join(p for p in (item.author, str(item.year) if item.year else "") if p)


def rank(theme_ids: list[str], branch_id: str, summaries: dict[tuple[str, str], ThemeSummary], offer: Offer,
         max_events: int = 4, max_items: int = 6) -> list[Recommendation]:
    """Events first (soonest first), then items taken in turn from each theme (most loaned first)."""
    events, seen_events = [], set()
    for theme_id in theme_ids:
        summary = summaries.get((theme_id, branch_id))
        for event in summary.next_events if summary else []:
            if event.id not in seen_events:
                seen_events.add(event.id)
                events.append((event.start, event.id, theme_id, event))
    events.sort(key=lambda e: (e[0], e[1]))
    out: list[Recommendation] = []
    for start, _, theme_id, event in events[:max_events]:
        out.append(Recommendation(len(out) + 1, "animation", theme_id, offer.label(theme_id), event.title,
                                  _event_detail(event), event.url, start))
    queues = [[(theme_id, item) for item in (summaries[(theme_id, branch_id)].top_items
                                             if (theme_id, branch_id) in summaries else [])]
              for theme_id in theme_ids]
    seen_items: set[str] = set()
    n_items = 0
    while n_items < max_items and any(queues):
        for queue in queues:
            while queue:
                theme_id, item = queue.pop(0)
                if item.id not in seen_items:
                    seen_items.add(item.id)
                    out.append(Recommendation(len(out) + 1, "document", theme_id, offer.label(theme_id),
                                              item.title, _item_detail(item), item.url))
                    n_items += 1
                    break
            if n_items >= max_items:
                break
    return out


def recommend(member: Member, summaries: dict[tuple[str, str], ThemeSummary], offer: Offer,
              **limits) -> list[Recommendation]:
    return rank(themes_for(member, offer), member.branch_id, summaries, offer, **limits)


def segments(members: list[Member], offer: Offer) -> dict[tuple[str, str], list[Member]]:
    """Members who receive e-mails, per (theme, branch); those without personalisation per (toutes, branch)."""
    out: dict[tuple[str, str], list[Member]] = defaultdict(list)
    for m in members:
        if not (m.consents["email_recommendations"] and m.email):
            continue
        if m.consents["personalisation"]:
            for theme_id in themes_for(m, offer):
                out[(theme_id, m.branch_id)].append(m)
        else:
            out[(ALL_THEMES, m.branch_id)].append(m)
    return dict(sorted(out.items()))


def build_summaries(offer: Offer, branch_ids: list[str], today: date, items=None, events=None):
    """The themes' summaries for the offered themes at the given branches, from the shipped catalogue by default."""
    from outreach.themes import shipped_catalogue, shipped_events, summarise

    items = shipped_catalogue() if items is None else items
    events = shipped_events() if events is None else events
    return summarise(items, events, list(offer.themes), sorted(set(branch_ids)), today)
