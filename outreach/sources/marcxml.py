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
