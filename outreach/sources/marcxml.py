"""MARCXML and MarcXchange (ISO 25577): one `<record>` or a `<collection>`, through pymarc's SAX reader.

Both formats have the same elements (leader, controlfield, datafield, subfield); MarcXchange adds a
`format` attribute (MARC21, UNIMARC) and its own namespace. Elements of other namespaces (an OAI-PMH
envelope around the records, for instance) are ignored.
The reader is bounded: a document type declaration is refused before parsing (MARCXML has none, and it
is the door to entity expansion and to fetching outside files), and the parser fetches nothing.
"""

from __future__ import annotations

import io
import xml.sax
from xml.sax.handler import feature_external_ges, feature_external_pes, feature_namespaces

import pymarc
from pymarc.marcxml import XmlHandler

from outreach.errors import InputError

MARC_NAMESPACES = {
    None, "", "http://www.loc.gov/MARC21/slim", "info:lc/xmlns/marcxchange-v1", "info:lc/xmlns/marcxchange-v2",
}
_MARC_ELEMENTS = {"collection", "record", "leader", "controlfield", "datafield", "subfield"}


def is_xml(raw: bytes) -> bool:
    return raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<"  # BOM and blanks aside


class _MarcHandler(XmlHandler):
    """pymarc's handler, limited to the MARC namespaces (an OAI `<record>` is not a MARC record)."""

    def _ours(self, name) -> bool:
        return name[0] in MARC_NAMESPACES and name[1] in _MARC_ELEMENTS

    def startElementNS(self, name, qname, attrs):
        if self._ours(name):
            super().startElementNS(name, qname, attrs)

    def endElementNS(self, name, qname):
        if self._ours(name):
            super().endElementNS(name, qname)


def refuse_declarations(raw: bytes, label: str) -> None:
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise InputError("le fichier XML contient une déclaration de type de document (<!DOCTYPE>), refusée "
                         "par sécurité.", file=label,
                         fix="Exportez les notices en MARCXML ou MarcXchange simple, sans DOCTYPE ni entités.")


def parse_marcxml(raw: bytes, label: str) -> list[pymarc.Record]:
    """Every MARC record of a MARCXML or MarcXchange document (a bare record or a collection)."""
    refuse_declarations(raw, label)
    handler = _MarcHandler()
    parser = xml.sax.make_parser()
    parser.setFeature(feature_namespaces, True)
    parser.setFeature(feature_external_ges, False)
    parser.setFeature(feature_external_pes, False)
    parser.setContentHandler(handler)
    try:
        parser.parse(io.BytesIO(raw))
    except xml.sax.SAXParseException as exc:
        raise InputError(f"XML illisible ligne {exc.getLineNumber()}, colonne {exc.getColumnNumber()} "
                         f"({exc.getMessage()}).", file=label,
                         fix="Vérifiez que l'export est complet (fichier non tronqué) ; sinon exportez-le à "
                             "nouveau en MARCXML.") from exc
    except (KeyError, ValueError) as exc:  # a field without its tag or code attribute
        raise InputError(f"élément MARCXML incomplet ({exc}).", file=label,
                         fix="Chaque controlfield et datafield doit avoir un attribut tag, chaque subfield un "
                             "attribut code.") from exc
    return handler.records


class HarvestedField:
    """A field of a harvested record, with the part of pymarc.Field's interface the item readers use."""

    __slots__ = ("tag", "data", "subfields", "indicators")

    def __init__(self, tag: str, data: str | None = None, subfields: list | None = None, indicators=("", "")):
        self.tag, self.data, self.subfields, self.indicators = tag, data, subfields or [], indicators

    def is_control_field(self) -> bool:
        return self.data is not None

    def get_subfields(self, *codes: str) -> list[str]:
        return [value for code, value in self.subfields if code in codes]

    def value(self) -> str:
        return self.data if self.data is not None else " ".join(value for _, value in self.subfields)


class HarvestedRecord:
    """A MARC record read from an lxml element, its fields indexed by tag, each built when first asked for.

    The item readers ask a record for some thirty tags; pymarc.Record scans every field for each, and building
    pymarc objects for every field costs more than reading the record (a Koha record carries one 995 per
    copy). Harvests of hundreds of thousands of records use this instead; files keep pymarc. Walking the
    elements is done once, by tag; a data field's subfields are read from its element on first use. It offers
    what the readers use: `leader`, `fields`, `get_fields`, `record[tag]`."""

    __slots__ = ("leader", "_by_tag", "_order")

    def __init__(self, leader: str, by_tag: dict[str, list], order: list[str]):
        self.leader = leader
        self._by_tag = by_tag  # tag -> its fields, HarvestedField or (until first asked for) lxml elements
        self._order = order  # the tags in the order of the record, for `fields`

    def _fields(self, tag: str) -> list[HarvestedField]:
        found = self._by_tag.get(tag)
        if not found:
            return []
        if not isinstance(found[0], HarvestedField):
            found = self._by_tag[tag] = [_data_field(tag, element) for element in found]
        return found

    @property
    def fields(self) -> list[HarvestedField]:
        seen, out = set(), []
        for tag in self._order:
            if tag not in seen:
                seen.add(tag)
                out.extend(self._fields(tag))
        return out

    def get_fields(self, *tags: str) -> list[HarvestedField]:
        """The fields of these tags, in the record's order. The readers never change the list they get: with
        one tag it is the record's own (copying it cost a tenth of reading a harvested record)."""
        if len(tags) == 1:
            found = self._by_tag.get(tags[0])
            if not found:
                return []
            return found if isinstance(found[0], HarvestedField) else self._fields(tags[0])
        if not tags:
            return self.fields
        wanted, taken, out = set(tags), {}, []
        for tag in self._order:  # in the order of the record, as pymarc gives them
            if tag in wanted:
                n = taken.get(tag, 0)
                out.append(self._fields(tag)[n])
                taken[tag] = n + 1
        return out

    def __getitem__(self, tag: str) -> HarvestedField:
        found = self._fields(tag)
        if not found:
            raise KeyError(tag)
        return found[0]


def _data_field(tag: str, element) -> HarvestedField:
    from lxml import etree

    # plain (code, value) pairs: a pymarc.Subfield (a NamedTuple) costs five times as much to make
    return HarvestedField(tag, subfields=[(sf.get("code", ""), sf.text or "") for sf in element.iterchildren(etree.Element)],
                          indicators=(element.get("ind1", " "), element.get("ind2", " ")))


def record_of_element(element) -> HarvestedRecord:
    """A MARC record from its lxml element (MARCXML or MarcXchange), for harvested pages already parsed by
    lxml: walking the tree is many times faster than serialising it again for the SAX reader."""
    from lxml import etree

    leader, by_tag, order = " " * 24, {}, []
    for child in element.iterchildren(etree.Element):  # elements only: no comments or processing instructions
        name = child.tag.rpartition("}")[2]
        if name == "datafield":
            tag = child.get("tag", "")
            by_tag.setdefault(tag, []).append(child)
            order.append(tag)
        elif name == "controlfield":
            tag = child.get("tag", "")
            by_tag.setdefault(tag, []).append(HarvestedField(tag, data=child.text or ""))
            order.append(tag)
        elif name == "leader":
            leader = (child.text or "").ljust(24)[:24]
    return HarvestedRecord(leader, by_tag, order)
