"""Interest themes paired with the library's collections and events.

Public surface (import from here): the catalogue of themes (`load_themes`, `save_themes`,
`with_resolved_interests`), the matcher (`match_items`, `match_events`), summaries per theme × branch
(`summarise`), ad copy (`ad_copy`) and the shipped demonstration sample (`shipped_catalogue`,
`shipped_events`, `DEMO_BRANCHES`); a union catalogue streamed in bounded memory on every core
(`match_iso2709_file`).
"""

from outreach.themes.catalogue import (
    REQUIRED_IDS,
    dump_themes,
    load_themes,
    parse_themes,
    replace_theme,
    save_themes,
    themes_path,
    with_resolved_interests,
)
from outreach.themes.copy import HEADLINE_MAX, ad_copy
from outreach.themes.matching import compile_themes, match_events, match_items
from outreach.themes.samples import (
    DEMO_BRANCHES,
    roubaix_collection_labels,
    sample_catalogue_path,
    shipped_catalogue,
    shipped_events,
)
from outreach.themes.summary import summarise
from outreach.themes.union import iso2709_head, match_iso2709_file

__all__ = ["DEMO_BRANCHES", "HEADLINE_MAX", "REQUIRED_IDS", "ad_copy", "compile_themes", "dump_themes", "editor",
           "iso2709_head", "load_themes", "match_events", "match_iso2709_file", "match_items", "parse_themes",
           "replace_theme", "roubaix_collection_labels", "sample_catalogue_path", "save_themes", "shipped_catalogue",
           "shipped_events", "summarise", "themes_path",
           "with_resolved_interests"]
