"""A MARC record reduced to what the item readers look up: its leader and the fields of the tags they read.

The item readers (catalogue.py, shelving.py, marc_identity.py) ask a record for some forty tags. pymarc's
Record scans every field for each tag, and building pymarc objects for every field of a harvested record
(lxml element to pymarc) cost more than parsing it. Both paths now build this table once, keeping only the
tags of `READ_TAGS`: an ISO 2709 file from its pymarc records (`fields_of_record`), a harvested page or a
MARCXML file straight from its lxml elements (`fields_of_element`), so that all give the readers the same record.

A field is a `str` (a control field's data) or a list of (code, value) pairs (a data field's subfields), in
the record's order within its tag.
"""

from __future__ import annotations

import pymarc

# every tag an item reader looks at: UNIMARC, then MARC21 (a tag missing here reads as absent, in files and
# harvests alike, so the readers' tests fail rather than a harvest silently losing a field)
READ_TAGS = frozenset({
    "001", "003", "010", "035", "090", "099", "100", "200", "210", "214", "225", "245", "330", "410",
    "600", "601", "602", "604", "605", "606", "607", "608", "676", "686", "700", "701", "710", "995",
    "008", "020", "082", "084", "110", "260", "264", "490", "520", "610", "611", "630", "648", "650", "651",
    "655", "830", "852", "856", "952", "999",
})

Field = str | list[tuple[str, str]]


class MarcFields:
    """`leader` and, by tag, the fields the readers use (see the module doc)."""

    __slots__ = ("leader", "by_tag")

    def __init__(self, leader: str, by_tag: dict[str, list[Field]]):
        self.leader = leader
        self.by_tag = by_tag

    def has(self, tag: str) -> bool:
        return tag in self.by_tag

    def control(self, tag: str) -> str:
        """The data of the first field of `tag` when it is a control field, stripped; else ""."""
        found = self.by_tag.get(tag)
        return found[0].strip() if found and isinstance(found[0], str) else ""

    def data(self, tag: str) -> list[list[tuple[str, str]]]:
        """The data fields of `tag` (their subfield pairs), in the record's order."""
        return [f for f in self.by_tag.get(tag, ()) if not isinstance(f, str)]

    def subfields(self, tag: str, *codes: str) -> list[str]:
        """The values of these subfield codes in every field of `tag`, as written (empty ones left out)."""
        return [v for f in self.by_tag.get(tag, ()) if not isinstance(f, str) for c, v in f if c in codes and v]

    def values(self, tag: str, code: str) -> list[str]:
        """The values of one subfield code in every field of `tag`, stripped, blank ones left out."""
        return [s for f in self.by_tag.get(tag, ()) if not isinstance(f, str)
                for c, v in f if c == code and v and (s := v.strip())]

    def first(self, tag: str, code: str) -> str:
        for f in self.by_tag.get(tag, ()):
            if not isinstance(f, str):
                for c, v in f:
                    if c == code and v and (s := v.strip()):
                        return s
        return ""


def fields_of_record(record: pymarc.Record) -> MarcFields:
    """A pymarc record (ISO 2709, MARCXML file) as the readers' table."""
    by_tag: dict[str, list[Field]] = {}
    for f in record.fields:
        if f.tag in READ_TAGS:
            by_tag.setdefault(f.tag, []).append(
                (f.data or "") if f.is_control_field() else [(sf.code, sf.value) for sf in f.subfields])
    return MarcFields(str(record.leader), by_tag)


try:  # the same walk in C, built at install where a compiler is there (setup.py, _marc_walk.pyx)
    from outreach.sources import _marc_walk as native_walk
except ImportError:  # no compiler at install: the Python walk below does the same, slower
    native_walk = None


def fields_of_element(element) -> MarcFields:
    """A MARC record from its lxml element (MARCXML or MarcXchange, any namespace) as the readers' table:
    only the wanted data fields have their subfields read."""
    if native_walk is not None:
        fields = native_walk.fields_of_element(element, READ_TAGS, MarcFields)
        if fields is not None:
            return fields
    return python_fields_of_element(element)


_LOCAL: dict[str, str] = {}  # an element's qualified name ("{ns}datafield") → its local name, once per name


def python_fields_of_element(element) -> MarcFields:
    """`fields_of_element` in Python: where the compiled walk is missing or declines a record."""
    from lxml import etree

    leader, by_tag = " " * 24, {}
    for child in element.iterchildren(etree.Element):  # elements only: no comments or processing instructions
        tag = child.get("tag")
        if tag is not None and tag not in READ_TAGS:
            continue  # a field no reader reads (half of them; a leader has no tag): its name is not asked for
        name = _LOCAL.get(child.tag) or _LOCAL.setdefault(child.tag, child.tag.rpartition("}")[2])
        if name == "datafield":
            if tag is not None:
                # plain pairs: a pymarc.Subfield (a NamedTuple) costs five times as much to make
                by_tag.setdefault(tag, []).append([(sf.get("code", ""), sf.text or "")
                                                   for sf in child.iterchildren(etree.Element)])
        elif name == "controlfield":
            if tag is not None:
                by_tag.setdefault(tag, []).append(child.text or "")
        elif name == "leader":
            leader = (child.text or "").ljust(24)[:24]
    return MarcFields(leader, by_tag)
