"""Recommendations: for each member, the items and upcoming events of their themes at their branch, ranked.

Built on the themes' summaries (theme × branch → most loaned items, next events). A member who granted
`personalisation` gets their own themes; one who did not gets the branch's news across every offered theme
(their declared interests are then not used to choose what they receive). When their branch has nothing
for a theme, the nearest branch of the network that has something takes its place, and says so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from outreach.community.offer import Offer
from outreach.community.store import Member
from outreach.model import Branch, ThemeSummary
from outreach.territory import geodesic_km
from outreach.themes import agenda_in_force, as_items, catalogue_in_force, held_branches, summarise

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
    branch_id: str
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


class Recommender:
    def __init__(self, summaries: dict[tuple[str, str], ThemeSummary], offer: Offer, branches: list[Branch],
                 max_events: int = 4, max_items: int = 6):
        self.summaries = summaries
        self.offer = offer
        self.branches = {b.id: b for b in branches}
        self.max_events, self.max_items = max_events, max_items
        self._with_content: dict[str, list[str]] = defaultdict(list)
        for (theme_id, branch_id), s in summaries.items():
            if s.top_items or s.next_events:
                self._with_content[theme_id].append(branch_id)
        self._fallback: dict[tuple[str, str], str | None] = {}

    def source_branch(self, theme_id: str, branch_id: str) -> str | None:
        """The member's branch when it has something for the theme, else the nearest one that has."""
        s = self.summaries.get((theme_id, branch_id))
        if s and (s.top_items or s.next_events):
            return branch_id
        key = (theme_id, branch_id)
        if key not in self._fallback:
            here = self.branches.get(branch_id)
            candidates = [self.branches[b] for b in self._with_content.get(theme_id, []) if b in self.branches]
            if here is None or not candidates:
                self._fallback[key] = None
            else:
                km = geodesic_km([here.lat] * len(candidates), [here.lon] * len(candidates),
                                 [c.lat for c in candidates], [c.lon for c in candidates])
                self._fallback[key] = min(zip(km.tolist(), [c.id for c in candidates], strict=True))[1]
        return self._fallback[key]

    def rank(self, theme_ids: list[str], branch_id: str) -> list[Recommendation]:
        """Events first (soonest first), then items taken in turn from each theme (most loaned first)."""
        sources = [(t, self.source_branch(t, branch_id)) for t in theme_ids]
        sources = [(t, b) for t, b in sources if b is not None]
        events, seen_events = [], set()
        for theme_id, source in sources:
            for event in self.summaries[(theme_id, source)].next_events:
                if event.id not in seen_events:
                    seen_events.add(event.id)
                    events.append((event.start, event.id, theme_id, source, event))
        events.sort(key=lambda e: (e[0], e[1]))
        out: list[Recommendation] = []
        for start, _, theme_id, source, event in events[:self.max_events]:
            out.append(Recommendation(len(out) + 1, "animation", theme_id, self.offer.label(theme_id), event.title,
                                      _event_detail(event), event.url, source, start))
        queues = [[(theme_id, source, item) for item in self.summaries[(theme_id, source)].top_items]
                  for theme_id, source in sources]
        seen_items: set[str] = set()
        n_items = 0
        while n_items < self.max_items and any(queues):
            for queue in queues:
                while queue:
                    theme_id, source, item = queue.pop(0)
                    if item.id not in seen_items:
                        seen_items.add(item.id)
                        out.append(Recommendation(len(out) + 1, "document", theme_id, self.offer.label(theme_id),
                                                  item.title, _item_detail(item), item.url, source))
                        n_items += 1
                        break
                if n_items >= self.max_items:
                    break
        return out

    def recommend(self, member: Member) -> list[Recommendation]:
        return self.rank(themes_for(member, self.offer), member.branch_id)


def segments(members: list[Member], offer: Offer) -> dict[tuple[str, str], list[Member]]:
    """Members who receive e-mails, per (theme, branch); those without personalisation per (toutes, branch)."""
    out: dict[tuple[str, str], list[Member]] = defaultdict(list)
    for m in members:
        if not (m.usable_consents["email_recommendations"] and m.email):
            continue
        if m.consents["personalisation"]:
            for theme_id in themes_for(m, offer):
                out[(theme_id, m.branch_id)].append(m)
        else:
            out[(ALL_THEMES, m.branch_id)].append(m)
    return dict(sorted(out.items()))


def build_recommender(offer: Offer, branches: list[Branch], member_branches: list[str], today: date,
                      items=None, events=None) -> Recommender:
    """Summaries for the offered themes at the members' branches and every branch that has a catalogue or
    events (candidates for the fallback), from the network's catalogue and agenda in force by default
    (`outreach.themes.in_force`). The demonstration sample's titles are held by none of the network's branches:
    with no catalogue loaded, no document is recommended, and the demonstration agenda never is."""
    if items is None:
        items = catalogue_in_force().items or []
    if events is None:
        events = agenda_in_force().events
    items, events = as_items(items), list(events)  # a harvested store is not read whole
    branch_ids = set(member_branches) | (held_branches(items) - {""}) | {e.branch_id for e in events if e.branch_id}
    summaries = summarise(items, events, list(offer.themes), sorted(branch_ids), today)
    return Recommender(summaries, offer, branches)
