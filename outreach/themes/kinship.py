"""Authors and series within the catalogue: a work without clues takes the theme of its author or series.

A plain export describes few works, but it lists them all: when the volumes 1 and 2 of a series are
shelved as manga, volume 3 is a manga too; when Simenon's novels that carry a clue are crime novels, his
others probably are. Such a match gets a lower score and says why (« même auteur que … », « même série
que … »).

Guards: only works with no match of their own are given a theme; only strong matches (score ≥ 0.8: a
shelf, a genre, a subject…) are spread; an author's theme is spread only when at least two of the
author's strongly matched works have it and it covers three quarters of them, so that a prolific author
writing in several genres spreads nothing; a series is spread only when its matched volumes agree on
one theme.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache

from outreach.model import CatalogueItem, ThemeMatch
from outreach.text import fold

STRONG = 0.8
AUTHOR_SCORE = 0.55
SERIES_SCORE = 0.6
MIN_AUTHOR_WORKS = 2
AUTHOR_SHARE = 0.75
# "One Piece. 83", "Les Légendaires, 18", "Naruto : tome 3", "Blacksad - 2": the name before the number
_VOLUME = re.compile(r"\s*[.,:;\-–]\s*(?:t\.|tome|vol\.?|volume|n°|no)?\s*\d{1,3}\b", re.IGNORECASE)


@lru_cache(maxsize=65536)
def _author(text: str) -> str:
    return " ".join(sorted(fold(text).split()))


def author_key(item: CatalogueItem) -> str:
    """"Simenon, Georges" and "Georges Simenon" are one author."""
    return _author(item.author) if item.author else ""


def series_key(item: CatalogueItem) -> str:
    """The series a numbered volume belongs to (its title before the number, with its author), or ""."""
    if not item.title or not any(ch.isdigit() for ch in item.title):  # the common case, decided in C
        return ""
    m = _VOLUME.search(item.title)
    name = fold(item.title[:m.start()]) if m else ""
    return f"{name}|{author_key(item)}" if len(name) >= 3 and not name.isdigit() else ""


def _short(title: str, limit: int = 60) -> str:
    title = " ".join(title.split())
    return title if len(title) <= limit else title[: limit - 1] + "…"


def spread(items: list[CatalogueItem], per_item: list[list[ThemeMatch]], ignore: set[str] = frozenset()) -> None:
    """Give the works without match the theme of their series or author, in place (see the module doc)."""
    use_series, use_author = "same_series" not in ignore, "same_author" not in ignore
    if not (use_series or use_author):
        return
    by_author: dict[str, Counter] = defaultdict(Counter)  # author → theme → strongly matched works
    author_works: Counter = Counter()  # author → strongly matched works (any theme)
    by_series: dict[str, Counter] = defaultdict(Counter)
    example: dict[tuple[str, str, str], str] = {}  # (kind, key, theme) → a title that has the theme
    for item, found in zip(items, per_item, strict=True):
        strong = {m.theme_id for m in found if m.score >= STRONG}
        if not strong:
            continue
        a, s = author_key(item), series_key(item) if use_series else ""
        if a:
            author_works[a] += 1
            by_author[a].update(strong)
        if s:
            by_series[s].update(strong)
        for theme in strong:
            example.setdefault(("a", a, theme), item.title)
            example.setdefault(("s", s, theme), item.title)
    for index, (item, found) in enumerate(zip(items, per_item, strict=True)):
        if found:
            continue
        s = series_key(item) if use_series else ""
        if s and len(by_series.get(s, ())) == 1:
            [theme] = by_series[s]
            per_item[index] = [ThemeMatch(item_id=item.id, theme_id=theme, score=SERIES_SCORE,
                                          reason=f"même série que « {_short(example[('s', s, theme)])} »")]
            continue
        a = author_key(item) if use_author else ""
        if not a or a not in by_author:
            continue
        theme, n = by_author[a].most_common(1)[0]
        if n >= MIN_AUTHOR_WORKS and n >= AUTHOR_SHARE * author_works[a]:
            per_item[index] = [ThemeMatch(item_id=item.id, theme_id=theme, score=AUTHOR_SCORE,
                                          reason=f"même auteur que « {_short(example[('a', a, theme)])} »")]
