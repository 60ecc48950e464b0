"""The shipped sample as if a network had loaded it as its own catalogue (no demonstration mark).

Tests of what the copy and the posts say with real figures use it; the shipped sample itself, marked as
demonstration data, must yield no figure in an ad or a post.
"""

from __future__ import annotations

from functools import cache

from outreach.model import CatalogueItem
from outreach.themes import shipped_catalogue
from outreach.themes.provenance import DEMO_MARK


@cache
def _loaded() -> tuple[CatalogueItem, ...]:
    return tuple(i.model_copy(update={"extra": {k: v for k, v in i.extra.items() if k != DEMO_MARK}})
                 for i in shipped_catalogue())


def loaded_sample() -> list[CatalogueItem]:
    return list(_loaded())
