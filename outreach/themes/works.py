"""Works, not rows: the rows of one work in one branch counted once, with their loans summed.

Exports list a work several times: once a year in a loans report, once per copy in some systems. The copy
counts titles, so rows are grouped when they share an ISBN or, for rows without ISBN, the same title and
author (accents, case, punctuation and the order of the author's names aside). Rows with an ISBN
are grouped on it only, since the volumes of a series often share title and author ("Naruto", "One
piece"). A row without author and without ISBN stays alone: a bare title is too weak to merge on.
"""

from __future__ import annotations

from collections.abc import Iterable

from outreach.model import CatalogueItem
from outreach.text import fold


def isbn_key(text: str) -> str:
    """ISBN-13 digits of an ISBN written either way ("2-07-036822-X" → "9782070368228"), or ""."""
    raw = "".join(ch for ch in (text or "").upper() if ch.isdigit() or ch == "X")
    if len(raw) == 10 and raw[:9].isdigit():
        core = "978" + raw[:9]
        check = (10 - sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(core)) % 10) % 10
        return core + str(check)
    return raw if len(raw) == 13 and raw.isdigit() else ""


def title_author_key(item: CatalogueItem) -> str:
    author = " ".join(sorted(fold(item.author).split()))
    if not author:
        return ""
    # the whole title: a subtitle or a volume number ("One Piece : édition originale. 83") tells works apart
    return f"{fold(item.title)}|{author}"


def _isbns(item: CatalogueItem) -> list[str]:
    value = item.extra.get("isbn") or ""
    values = value if isinstance(value, list) else str(value).split("|")
    return [k for v in values if (k := isbn_key(v))]


def work_keys(item: CatalogueItem) -> list[str]:
    """What ties a row to the other rows of its work in its branch: its ISBNs, else its title and author; none
    for a row without ISBN nor author. `item` may be any object with CatalogueItem's attributes."""
    # rows with an ISBN are grouped on it only: the volumes of a series share title and author
    keys = [f"isbn:{k}" for k in _isbns(item)]
    if not keys and (ta := title_author_key(item)):
        keys.append(f"ta:{ta}")
    return keys


def merge_works(items: Iterable[CatalogueItem], *, heads: list[int] | None = None) -> list[CatalogueItem]:
    """One item per work and branch, in the order of first appearance.

    A merged item keeps the first row's id and fields, gains the subjects, genres, call numbers and shelves
    of the others, sums the loans that are known (None when none is) and lists the row ids in
    `extra["rows"]`. `heads`, when given, receives the position of each work's first row."""
    items = list(items)
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[tuple[str, str], int] = {}
    for index, item in enumerate(items):
        for k in work_keys(item):
            slot = (item.branch_id, k)
            if slot in first:
                a, b = root(first[slot]), root(index)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                first[slot] = index
    groups: dict[int, list[CatalogueItem]] = {}
    for index, item in enumerate(items):
        groups.setdefault(root(index), []).append(item)
    if heads is not None:
        heads.extend(groups)
    return [_merged(rows) if len(rows) > 1 else rows[0] for rows in groups.values()]


def _union(*lists: list[str]) -> list[str]:
    return list(dict.fromkeys(v for values in lists for v in values))


def _merged(rows: list[CatalogueItem]) -> CatalogueItem:
    head = rows[0]
    loans = [r.loans for r in rows if r.loans is not None]
    return head.model_copy(update={
        "loans": sum(loans) if loans else None,
        "year": max((r.year for r in rows if r.year), default=head.year),
        "subjects": _union(*(r.subjects for r in rows)), "genres": _union(*(r.genres for r in rows)),
        "call_numbers": _union(*(r.call_numbers for r in rows)), "shelves": _union(*(r.shelves for r in rows)),
        "dewey": head.dewey or next((r.dewey for r in rows if r.dewey), ""),
        "extra": {**head.extra, "rows": [r.id for r in rows]},
    })
