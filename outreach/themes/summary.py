"""What each branch offers for each theme: item counts, the most loaned items, the next events."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from outreach.model import Branch, CatalogueItem, LibraryEvent, Theme, ThemeMatch, ThemeSummary
from outreach.themes.large import LargeCatalogue
from outreach.themes.matching import compile_themes, match_each, match_events
from outreach.themes.provenance import is_demo
from outreach.themes.works import merge_works

PARIS = ZoneInfo("Europe/Paris")
TOP_ITEMS = 5
NEXT_EVENTS = 3


def _wall_clock(moment: datetime) -> datetime:
    """Paris wall-clock time, naive: events from different sources (aware or not) sort together."""
    return moment.astimezone(PARIS).replace(tzinfo=None) if moment.tzinfo else moment


def _event_day(event: LibraryEvent) -> date:
    return _wall_clock(event.start).date()


def summarise(items: Iterable[CatalogueItem], events: Iterable[LibraryEvent], themes: Sequence[Theme],
              branches: Iterable[Branch | str], today: date, *, top: int = TOP_ITEMS,
              next_events: int = NEXT_EVENTS) -> dict[tuple[str, str], ThemeSummary]:
    """One summary per (theme id, branch id), for every theme and every given branch, even when empty.

    `n_items` counts works (see `outreach.themes.works`), not rows.

    `top_items` are the most loaned items when loans are known (ties and unknown loans: most recent first),
    `next_events` the events of that branch starting today or later, soonest first.

    A large catalogue (a harvested store, `outreach.themes.large`) summarises itself from the matches it keeps.
    """
    if isinstance(items, LargeCatalogue):
        return items.summarise(events, themes, branches, today, top=top, next_events=next_events)
    compiled = compile_themes([t for t in themes if t.kind != "event"])
    # works, not rows: a title listed once a year, or once per copy, counts once, with its loans summed
    # a record held by several branches is one item per branch; an author's or a series' works without
    # clues count with the theme they were given (outreach.themes.kinship)
    works, per_item = match_each(merge_works(items), compiled)
    return summarise_matches(works, per_item, events, themes, branches, today, top=top, next_events=next_events)


def summarise_matches(works: Sequence, per_work: Sequence[Sequence[ThemeMatch]], events: Iterable[LibraryEvent],
                      themes: Sequence[Theme], branches: Iterable[Branch | str], today: date, *, top: int = TOP_ITEMS,
                      next_events: int = NEXT_EVENTS,
                      complete: Callable[[list], list[CatalogueItem]] | None = None) -> dict[tuple[str, str], ThemeSummary]:
    """`summarise` once the works are matched, kinship included: `per_work` holds each work's matches. A work
    needs only `id`, `branch_id`, `loans`, `year` and `extra` (a store's light rows, `outreach.themes.stored`):
    `complete(works)` turns the few named in the summaries into their items."""
    events = list(events)
    branch_ids = [b.id if isinstance(b, Branch) else str(b) for b in branches]
    matched: dict[tuple[str, str], list] = defaultdict(list)
    for item, found in zip(works, per_work, strict=True):
        for m in found:
            matched[(m.theme_id, item.branch_id)].append(item)
    upcoming = {e.id: e for e in events if e.branch_id and _event_day(e) >= today}
    matched_events: dict[tuple[str, str], list[LibraryEvent]] = defaultdict(list)
    for m in match_events(upcoming.values(), themes):
        e = upcoming[m.item_id]
        matched_events[(m.theme_id, e.branch_id)].append(e)

    ranked: dict[tuple[str, str], list] = {}
    for theme in themes:
        for branch in branch_ids:
            k = (theme.id, branch)
            found = matched.get(k, [])
            ranked[k] = sorted(found, key=lambda i: (-(i.loans if i.loans is not None else -1), -(i.year or 0),
                                                     i.id))[:top]
    if complete is not None:  # every top work read at once
        named = [w for tops in ranked.values() for w in tops]
        full = dict(zip(map(id, named), complete(named), strict=True))
        ranked = {k: [full[id(w)] for w in tops] for k, tops in ranked.items()}
    out = {}
    for (theme_id, branch), tops in ranked.items():
        found = matched.get((theme_id, branch), [])
        evs = sorted(matched_events.get((theme_id, branch), []), key=lambda e: (_wall_clock(e.start), e.id))
        out[(theme_id, branch)] = ThemeSummary(theme_id=theme_id, branch_id=branch, n_items=len(found),
                                               top_items=tops, next_events=evs[:next_events],
                                               demo=any(is_demo(i) for i in found))
    return out
