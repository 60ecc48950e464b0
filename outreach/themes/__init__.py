"""Interest themes paired with the library's collections and events.

Public surface (import from here): the catalogue of themes (`load_themes`, `save_themes`,
`with_resolved_interests`), the matcher (`match_items`, `match_events`), summaries per theme × branch
(`summarise`), ad copy (`ad_copy`) and the shipped demonstration sample (`shipped_catalogue`,
`shipped_events`, `DEMO_BRANCHES`); the shelf map (`load_shelf_map`, `save_shelf_map`, `propose_shelf_map`…),
the coverage of a file (`measure_coverage`, `coverage_warnings`…), the provenance of figures
(`provenance_of`, `shipped_provenance`, `banner_text`), the catalogue and agenda in force for the network
(`catalogue_in_force`, `agenda_in_force`, `keep_catalogue_file`…: what every plan, post and recommendation
draws from; a harvested store alone is a `LargeCatalogue`, answered from its kept matches without reading
every item) and a union catalogue streamed in bounded memory on every
core (`match_iso2709_file`).
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
from outreach.themes.coverage import measure_coverage, measure_store_coverage
from outreach.themes.coverage import summary_line as coverage_summary
from outreach.themes.coverage import theme_line as coverage_by_theme
from outreach.themes.coverage import warnings as coverage_warnings
from outreach.themes.in_force import (
    agenda_in_force,
    catalogue_in_force,
    forget_catalogue_file,
    in_force_version,
    keep_agenda_file,
    keep_catalogue_file,
    kept_files,
    owner_codes,
)
from outreach.themes.large import LargeCatalogue, as_items, held_branches
from outreach.themes.matching import compile_themes, match_events, match_items
from outreach.themes.provenance import banner_text, provenance_of
from outreach.themes.samples import (
    DEMO_BRANCHES,
    roubaix_collection_labels,
    sample_catalogue_path,
    shipped_catalogue,
    shipped_events,
    shipped_provenance,
)
from outreach.themes.shelves import (
    dump_shelf_map,
    load_shelf_map,
    network_entries,
    network_shelf_map_path,
    parse_shelf_map,
    propose_shelf_map,
    save_shelf_map,
)
from outreach.themes.store_matching import StoreMatcher
from outreach.themes.summary import summarise
from outreach.themes.union import iso2709_head, match_iso2709_file, match_store

__all__ = ["DEMO_BRANCHES", "LargeCatalogue", "StoreMatcher", "as_items", "held_branches", "HEADLINE_MAX", "REQUIRED_IDS", "ad_copy", "agenda_in_force", "banner_text",
           "catalogue_in_force", "compile_themes", "coverage_by_theme", "coverage_summary", "coverage_warnings",
           "dump_shelf_map", "dump_themes", "editor", "forget_catalogue_file", "in_force_version",
           "iso2709_head", "keep_agenda_file", "keep_catalogue_file", "kept_files", "owner_codes", "load_shelf_map", "load_themes", "match_events", "match_iso2709_file", "match_items",
           "match_store",
           "measure_coverage", "measure_store_coverage", "network_entries", "network_shelf_map_path", "parse_shelf_map", "parse_themes",
           "propose_shelf_map", "provenance_of", "replace_theme", "roubaix_collection_labels",
           "sample_catalogue_path", "save_shelf_map", "save_themes", "shipped_catalogue", "shipped_events",
           "shipped_provenance", "summarise", "themes_path", "with_resolved_interests"]
