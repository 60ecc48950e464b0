"""Dewey classes and ranges.

A range is written "741.5" (that class and everything under it: 741.5, 741.59, 741.595…) or "800-899"
(inclusive bounds compared at the precision of each bound: "621.381-621.399" holds 621.3815 and 621.39).
Numbers are compared as digit strings without the dot, so that 741.5 never equals 741.50x by rounding.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"^\s*(\d{3})(?:\.(\d+))?")


def digits(dewey: str) -> str | None:
    """'823.914 (oeuvre)' → '823914'; None when the text does not begin with a Dewey number."""
    m = _NUMBER.match(dewey or "")
    if not m:
        return None
    return m.group(1) + (m.group(2) or "")


def parse_range(text: str) -> tuple[str, str] | None:
    """'800-899' → ('800', '899'); '741.5' → ('7415', '7415'); None when unreadable."""
    parts = [p.strip() for p in str(text).split("-")]
    if len(parts) == 1:
        d = digits(parts[0])
        return (d, d) if d and parts[0].strip().replace(".", "").isdigit() else None
    if len(parts) == 2:
        lo, hi = digits(parts[0]), digits(parts[1])
        if lo and hi and all(p.replace(".", "").isdigit() for p in parts) and lo[:len(hi)] <= hi:
            return lo, hi
    return None


def in_range(number: str, rng: tuple[str, str]) -> bool:
    """Whether a Dewey digit string falls in a parsed range (each bound compared at its own precision)."""
    lo, hi = rng
    return number[:len(lo)] >= lo and number[:len(hi)] <= hi
