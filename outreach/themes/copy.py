"""French ad copy per theme × branch, built only from figures that the summary proves.

Every sentence is a template whose slots are true facts: the branch's name, the number of matched titles,
the next matched event and, when the caller knows it, the travel time. When a figure is missing the
template falls back to a variant that does not mention it; with no figure at all, the copy is generic and
claims nothing (`generic=True`). A count from the demonstration sample (`summary.demo`) is no figure, and an
event of the demonstration agenda (`event.demo`) no fact: both are true of no branch (see
`outreach.themes.provenance`).

Lengths follow Meta's limits for link ads: the headline is cut at 40 characters (Meta truncates beyond),
the description at 30, the primary text never beyond 500 (the templates give about 80 to 180 characters; Meta
shows about 125 before "… Voir plus", which is why the figures come first).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from outreach.model import AdCopy, Branch, LibraryEvent, Theme, ThemeSummary
from outreach.text import fold

HEADLINE_MAX = 40
DESCRIPTION_MAX = 30
PRIMARY_MAX = 500

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
# a branch name beginning with one of these (accents and case aside) already says what the place is
_LIBRARY_WORDS = {"mediatheque": "médiathèque", "bibliotheque": "bibliothèque", "ludotheque": "ludothèque",
                  "bm": "BM"}


def day_month(day: date | datetime) -> str:
    """'12 décembre', '1er mai'; an aware time is read in Paris, where the event takes place."""
    if isinstance(day, datetime):
        day = (day.astimezone(ZoneInfo("Europe/Paris")) if day.tzinfo else day).date()
    d = day
    return f"{'1er' if d.day == 1 else d.day} {MONTHS[d.month - 1]}"


def place(branch: Branch | str) -> str:
    """'à la médiathèque de la Canopée', 'au Merlan', 'à la bibliothèque Bonneveine'."""
    name = branch.name if isinstance(branch, Branch) else str(branch)
    name = " ".join(name.split())
    first, _, rest = name.partition(" ")
    # the ministry's names spell the first word in every way ("Médiatheque", "Mediathèque"): compare it folded
    kind = _LIBRARY_WORDS.get(fold(first))
    if kind:
        return f"à la {kind} {rest}".strip()
    for article, contracted in (("Le ", "au "), ("La ", "à la "), ("Les ", "aux "), ("L'", "à l'")):
        if name.startswith(article):
            return contracted + name[len(article):]
    return f"à la bibliothèque {name}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _cut(text: str, limit: int) -> str:
    """`text` within `limit` characters, ended after a whole word with "…"; "" when not one word fits."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if text[limit - 1] != " ":  # the limit falls inside a word: drop that word
        head = head.rsplit(" ", 1)[0] if " " in head else ""
    head = head.rstrip(" ,;:-")
    return head + "…" if head else ""


def _noun(theme: Theme, n: int) -> str:
    noun = theme.copy_noun or f"titres autour de « {theme.label} »"
    if n == 1 and noun.startswith("titres "):
        noun = "titre " + noun[len("titres "):]
    return noun


def _event_phrase(event: LibraryEvent) -> str:
    title = " ".join(event.title.split())
    title = _cut(title, 60) or title  # a title with no space to cut at stays whole (the text allows 500)
    return f"« {title} » le {day_month(event.start)}"


def where_with_town(branch: Branch | str, others: int = 0) -> str:
    """'à la bibliothèque Bonneveine, à Marseille': the branch and its town (unless its name already says
    it), then, for an ad set that merged neighbouring catchments, 'et dans 3 bibliothèques voisines'."""
    where = place(branch)
    city = branch.city.strip() if isinstance(branch, Branch) else ""
    if city and fold(city) not in fold(branch.name):
        where += f", à {city}"
    if others > 0:
        where += f", et dans {others} bibliothèque{'s' if others > 1 else ''} voisine{'s' if others > 1 else ''}"
    return where


def ad_copy(theme: Theme, branch: Branch | str, summary: ThemeSummary | None, *,
            distance_minutes: int | None = None, others: int = 0) -> AdCopy:
    """Primary text, headline and description for one theme at one branch (and its `others` neighbours
    when catchments were merged: the summary then counts what they hold together)."""
    where = where_with_town(branch, others)
    # the provenance rule: the demonstration sample's counts are true of no branch, the copy never states them
    n = summary.n_items if summary and not summary.demo else 0
    # nor an event of the demonstration agenda: it takes place at none of the network's branches
    event = next((e for e in summary.next_events if not e.demo), None) if summary else None
    near = f", à {distance_minutes} minutes de chez vous" if distance_minutes is not None and distance_minutes >= 0 \
        else ""
    facts = []
    if n > 0:
        facts.append(f"{n} {_noun(theme, n)}")
    if event is not None:
        facts.append(_event_phrase(event))
    if facts:
        primary = f"{_cap(where)}{near} : " + ", et ".join(facts) + "."
        generic = False
    else:
        primary = f"{theme.label} : passez {where}{near} et demandez conseil aux bibliothécaires."
        generic = True
    city = branch.city if isinstance(branch, Branch) else ""
    headlines = _headlines(theme, n, event, city)
    description = _cut(_description(branch), DESCRIPTION_MAX)
    primary = _cut(primary, PRIMARY_MAX)
    others_texts = [t for t in dict.fromkeys(_cut(v, PRIMARY_MAX) for v in _variations(theme, where, n, event))
                    if t and t != primary][:VARIATIONS - 1]
    return AdCopy(primary_text=primary, headline=headlines[0], description=description, generic=generic,
                  other_primary_texts=others_texts, other_headlines=headlines[1:VARIATIONS])


VARIATIONS = 5  # Meta's multiple text options: up to 5 primary texts and 5 headlines per ad


def _variations(theme: Theme, where: str, n: int, event: LibraryEvent | None) -> list[str]:
    """Other wordings of the same facts: each sentence says only what the first one says (the count of
    matched titles, the next matched event, the place), or nothing countable at all."""
    out = []
    if n > 0:
        out.append(f"{_cap(f'{n} {_noun(theme, n)}')} vous attend{'ent' if n > 1 else ''} {where}.")
        # « Envie de science-fiction ? », but « Envie de LSF ? »: an acronym keeps its capitals
        label = theme.label[:1].lower() + theme.label[1:] if theme.label[1:2].islower() else theme.label
        out.append(f"Envie de {label} ? {_cap(where)} : {n} {_noun(theme, n)} à découvrir.")
    if event is not None:
        out.append(f"{_cap(_event_phrase(event))}, {where}.")
    out.append(f"{theme.label} : passez {where} et demandez conseil aux bibliothécaires.")
    return out


def _headlines(theme: Theme, n: int, event: LibraryEvent | None, city: str = "") -> list[str]:
    """The headline first, then the other candidates that fit Meta's 40 characters."""
    first = _headline(theme, n, event, city)
    return list(dict.fromkeys([first, *(c for c in _headline_candidates(theme, n, event, city)
                                        if len(c) <= HEADLINE_MAX)]))


def _headline(theme: Theme, n: int, event: LibraryEvent | None, city: str = "") -> str:
    for text in _headline_candidates(theme, n, event, city):
        if len(text) <= HEADLINE_MAX:
            return text
    return _cut(theme.label, HEADLINE_MAX) or "À découvrir à la médiathèque"


def _headline_candidates(theme: Theme, n: int, event: LibraryEvent | None, city: str = "") -> list[str]:
    candidates = []
    if event is not None and (title := _cut(event.title, 25)):
        candidates.append(f"{title} le {day_month(event.start)}")
    if n > 0:
        candidates.append(f"{theme.label} : {n} titre{'s' if n > 1 else ''}")
    if city:
        candidates.append(f"{theme.label} à {city}")
    candidates.append(f"{theme.label} à la médiathèque")
    return candidates


def _description(branch: Branch | str) -> str:
    if isinstance(branch, Branch):
        return f"{branch.city}" if len(branch.name) > DESCRIPTION_MAX and branch.city else branch.name
    return str(branch)
