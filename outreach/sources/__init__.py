"""Readers of outside formats. Each turns a file into model types or raises an InputError.

They depend on nothing but the model, the errors, text and paths (tests/test_architecture.py). Each reader
is loaded on first use (PEP 562): importing one reader never loads the others' libraries (pymarc, icalendar,
geopy).
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from outreach.sources.activity import read_activity
    from outreach.sources.agenda_feed import is_url as is_agenda_url
    from outreach.sources.catalogue import is_iso2709, read_authorised_values, read_catalogue
    from outreach.sources.events import read_events
    from outreach.sources.gc_pause import no_cycle_collection
    from outreach.sources.geocoding import Geocoder
    from outreach.sources.harvest_store import fetch, is_store, kept_titles, read_store, store_overview
    from outreach.sources.oai import identify

_LAZY = {"is_agenda_url": ("agenda_feed", "is_url"), "is_iso2709": "catalogue", "read_activity": "activity", "read_authorised_values": "catalogue", "read_catalogue": "catalogue",
         "read_events": "events", "Geocoder": "geocoding", "is_store": "harvest_store", "read_store": "harvest_store",
         "fetch": "harvest_store", "identify": "oai", "kept_titles": "harvest_store", "store_overview": "harvest_store",
         "no_cycle_collection": "gc_pause"}

__all__ = ["Geocoder", "fetch", "identify", "is_agenda_url", "is_iso2709", "is_store", "kept_titles", "no_cycle_collection", "read_activity",
           "read_authorised_values", "read_catalogue", "read_events", "read_store", "store_overview"]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name] if isinstance(_LAZY[name], tuple) else (_LAZY[name], name)
        return getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
