"""The sentences every channel builds from the data: a theme's true figure, items to borrow, an event.

Shared by the posts (compose) and the LSF video brief (lsf); a sentence whose figure is missing is '' so that
the caller leaves it out.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from outreach.channels import french
from outreach.channels.inputs import ItemRef, ThemeOffer
from outreach.model import LibraryEvent

PARIS = ZoneInfo("Europe/Paris")


def figure_sentence(theme: ThemeOffer) -> str:
    """The theme's true figure: how many items, in how many branches ('' when there is none)."""
    stocked = theme.stocked
    if not stocked:
        return ""
    items = french.plural(theme.n_items, "document lié", "documents liés")
    if len(stocked) == 1:
        return f"{stocked[0].branch_name} : {items} au thème {french.quote(theme.label)}."
    return f"{items} au thème {french.quote(theme.label)} dans {len(stocked)} bibliothèques du réseau."


def item_title(item: ItemRef) -> str:
    return f"{french.quote(item.title)}" + (f" ({item.author})" if item.author else "")


def items_sentence(theme: ThemeOffer, n: int = 3) -> str:
    items = theme.top_items(n)
    return f"À emprunter : {french.join([item_title(i) for i in items])}." if items else ""


def place_of(theme: ThemeOffer, event: LibraryEvent) -> str:
    return event.location_name or theme.branch_name(event.branch_id)


def local(t: datetime) -> datetime:
    return t.replace(tzinfo=PARIS) if t.tzinfo is None else t.astimezone(PARIS)


def event_phrase(theme: ThemeOffer, event: LibraryEvent, *, short: bool = False) -> str:
    place = place_of(theme, event)
    return f"{french.quote(event.title)}, {french.when(local(event.start), short=short)}" + (f", {place}" if place else "")


def next_event_sentence(theme: ThemeOffer, events: list[LibraryEvent]) -> str:
    return f"Prochain rendez-vous : {event_phrase(theme, events[0])}." if events else ""
