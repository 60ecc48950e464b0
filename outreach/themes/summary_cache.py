"""Theme summaries kept in memory and in the cache folder: every plan asks for the same ones again.

Matching a catalogue against the themes (the demonstration sample's 2,383 records: about 0.17 s of CPU, a
tenth of a national plan) gives the same summaries whenever the records, the agenda, the themes, the shelf
map, the branches, the day and the matching code are the same. They are kept under a hash of all of these,
which costs about 30 ms: a new process (`outreach plan`, the app after a restart) reads them back, and a
change to any of them, a record edited or the code updated, is a new key. Themes or records that cannot be
written as JSON (not the project's models) are matched every time. A harvested store
(`outreach.themes.stored`) is keyed on its version (its last harvest, its files' dates, the matcher's key and
the owner codes' placement), not on its items, which are never all read.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from datetime import date
from functools import cache
from pathlib import Path

from outreach import atomic
from outreach.paths import cache_dir
from outreach.themes.large import LargeCatalogue
from outreach.themes.summary import summarise

_KEPT: dict[str, dict] = {}  # a few recent answers of this process
_KEPT_MAX = 8


def summaries(items: list, events: list, themes: list, branches: list, today: date) -> dict:
    """`summarise(items, events, themes, branches, today)`, from the cache when the same question was asked."""
    key = _key(items, events, themes, branches, today)
    if key is None:
        return summarise(items, events, themes, branches, today)
    if key in _KEPT:
        return _KEPT[key]
    path = cache_dir() / f"theme-summaries-{key}.pickle"
    try:
        found = pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        found = summarise(items, events, themes, branches, today)
        atomic.keep_in_cache(path, pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL))
    if len(_KEPT) >= _KEPT_MAX:
        _KEPT.pop(next(iter(_KEPT)))
    _KEPT[key] = found
    return found


def _key(items, events, themes, branches, today: date) -> str | None:
    from outreach.themes.shelves import load_shelf_map

    large = isinstance(items, LargeCatalogue)  # a harvested store: its version stands for its items
    records = [*events, *themes] if large else [*items, *events, *themes]
    if not all(hasattr(r, "model_dump_json") for r in records):
        return None
    digest = hashlib.sha256(_code_key().encode())
    if large:
        digest.update(items.version.encode())
    for record in records:  # JSON: the same bytes in every process (a pickle holds sets, in no fixed order)
        digest.update(record.model_dump_json().encode())
        digest.update(b"\n")
    digest.update(json.dumps(load_shelf_map(), sort_keys=True).encode())
    digest.update(f"|{len(items)}|{len(events)}|{today.isoformat()}|".encode())
    digest.update(" ".join(b if isinstance(b, str) else b.id for b in branches).encode())
    return digest.hexdigest()[:24]


@cache
def _code_key() -> str:
    """Hash of the code that matches and summarises (the themes package, the text folding, the models)."""
    import outreach.model
    import outreach.text

    return atomic.source_digest([*sorted(Path(__file__).parent.glob("*.py")), outreach.text.__file__,
                                 outreach.model.__file__])
