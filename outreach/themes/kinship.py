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
_DIGIT = re.compile(r"\d")
_VOLUME = re.compile(r"\s*[.,:;\-–]\s*(?:t\.|tome|vol\.?|volume|n°|no)?\s*\d{1,3}\b", re.IGNORECASE)


@lru_cache(maxsize=65536)
def _author(text: str) -> str:
    return " ".join(sorted(fold(text).split()))


def author_key(item: CatalogueItem) -> str:
    """"Simenon, Georges" and "Georges Simenon" are one author."""
    return _author(item.author) if item.author else ""


def series_key(item: CatalogueItem) -> str:
    """The series a numbered volume belongs to (its title before the number, with its author), or ""."""
    if not item.title or not _DIGIT.search(item.title):  # the common case, decided in C
        return ""
    m = _VOLUME.search(item.title)
    name = fold(item.title[:m.start()]) if m else ""
    return f"{name}|{author_key(item)}" if len(name) >= 3 and not name.isdigit() else ""


def _short(title: str, limit: int = 60) -> str:
    title = " ".join(title.split())
    return title if len(title) <= limit else title[: limit - 1] + "…"


class Kinship:
    """What the strongly matched works say of their authors and series (`observe`), and the theme a work
    without match takes from them (`match`). Its memory grows with the authors and series of the strongly
    matched works, not with the catalogue: a store of millions of records is observed as a stream, then its
    works without match are looked up (`outreach.themes.union.match_store`)."""

    def __init__(self, ignore: set[str] | frozenset[str] = frozenset()):
        self.use_series, self.use_author = "same_series" not in ignore, "same_author" not in ignore
        self.by_author: dict[str, Counter] = defaultdict(Counter)  # author → theme → strongly matched works
        self.author_works: Counter = Counter()  # author → strongly matched works (any theme)
        self.by_series: dict[str, Counter] = defaultdict(Counter)
        self.example: dict[tuple[str, str, str], str] = {}  # (kind, key, theme) → a title named in reasons

    @property
    def active(self) -> bool:
        return self.use_series or self.use_author

    def observe(self, author: str, series: str, title: str, strong: set[str]) -> None:
        """A work strongly matched to the themes `strong`, by its author and series keys."""
        series = series if self.use_series else ""
        if author:
            self.author_works[author] += 1
            self.by_author[author].update(strong)
        if series:
            self.by_series[series].update(strong)
        for theme in strong:  # the first title in alphabetical order: the same reason in whatever order the
            for key in (("a", author, theme), ("s", series, theme)):  # works come (a file, a store)
                known = self.example.get(key)
                if known is None or title < known:
                    self.example[key] = title

    def match(self, item_id: str, author: str, series: str) -> ThemeMatch | None:
        """The theme of its series, else of its author, for a work without match of its own; or None."""
        s = series if self.use_series else ""
        if s and len(self.by_series.get(s, ())) == 1:
            [theme] = self.by_series[s]
            return ThemeMatch(item_id=item_id, theme_id=theme, score=SERIES_SCORE,
                              reason=f"même série que « {_short(self.example[('s', s, theme)])} »")
        a = author if self.use_author else ""
        if not a or a not in self.by_author:
            return None
        theme, n = self.by_author[a].most_common(1)[0]
        if n >= MIN_AUTHOR_WORKS and n >= AUTHOR_SHARE * self.author_works[a]:
            return ThemeMatch(item_id=item_id, theme_id=theme, score=AUTHOR_SCORE,
                              reason=f"même auteur que « {_short(self.example[('a', a, theme)])} »")
        return None


def strong_themes(found: list[ThemeMatch]) -> set[str]:
    """The themes of a work's matches strong enough to be spread."""
    return {m.theme_id for m in found if m.score >= STRONG}


def spread(items: list[CatalogueItem], per_item: list[list[ThemeMatch]], ignore: set[str] = frozenset(), *,
           keys: list[tuple[str, str]] | None = None) -> None:
    """Give the works without match the theme of their series or author, in place (see the module doc).
    `keys`: each item's (author key, series key) when known already (a store keeps them), else computed."""
    kin = Kinship(ignore)
    if not kin.active:
        return
    if keys is None:
        keys = [(author_key(item), series_key(item) if kin.use_series else "") for item in items]
    for item, found, (author, series) in zip(items, per_item, keys, strict=True):
        strong = strong_themes(found)
        if strong:
            kin.observe(author, series if kin.use_series else "", item.title, strong)
    for index, (item, found, (author, series)) in enumerate(zip(items, per_item, keys, strict=True)):
        if found:
            continue
        if not (kin.by_series or kin.by_author):
            break
        m = kin.match(item.id, author if kin.use_author else "", series if kin.use_series else "")
        if m is not None:
            per_item[index] = [m]
