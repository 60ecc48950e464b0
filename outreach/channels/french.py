"""French wording of what the posts say: dates in words, times, lists, quotes (figures: outreach.text.number)."""

from __future__ import annotations

from datetime import date, datetime

from outreach.text import number

DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
NBSP = "\u00a0"  # no-break space: inside guillemets, so that a line never starts with a lone »


def quote(text: str) -> str:
    """« text », with no-break spaces so that the quotes stay glued to their words."""
    return f"«{NBSP}{text.strip()}{NBSP}»"


def day(d: date | datetime) -> str:
    """'mercredi 12 mars 2027' ('1er' for the first of the month)."""
    n = "1er" if d.day == 1 else str(d.day)
    return f"{DAYS[d.weekday()]} {n} {MONTHS[d.month - 1]} {d.year}"


def short_day(d: date | datetime) -> str:
    """'mer. 12 mars' for tight posts."""
    n = "1er" if d.day == 1 else str(d.day)
    return f"{DAYS[d.weekday()][:3]}. {n} {MONTHS[d.month - 1]}"


def time(t: datetime) -> str:
    """'18 h' or '18 h 30'."""
    return f"{t.hour} h" if t.minute == 0 else f"{t.hour} h {t.minute:02d}"


def has_time(t: datetime) -> bool:
    """Whether an event's start carries a time of day (all-day events start at midnight)."""
    return (t.hour, t.minute) != (0, 0)


def when(t: datetime, *, short: bool = False) -> str:
    text = short_day(t) if short else day(t)
    return f"{text} à {time(t)}" if has_time(t) else text


def join(parts: list[str]) -> str:
    parts = [p for p in parts if p]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " et " + parts[-1]


def plural(n: int, one: str, many: str) -> str:
    return f"{number(n)} {one if n == 1 else many}"
