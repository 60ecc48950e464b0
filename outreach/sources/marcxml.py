"""MARCXML and MarcXchange (ISO 25577): one `<record>` or a `<collection>`, read with lxml.

Both formats have the same elements (leader, controlfield, datafield, subfield); MarcXchange adds a
`format` attribute (MARC21, UNIMARC) and its own namespace. A `<record>` of another namespace (an OAI-PMH
envelope around the records, for instance) is not a MARC record. Each record becomes the readers' table of
fields straight from its element (`marc_fields.fields_of_element`, as harvested pages do): pymarc's SAX
reader, which built every field as pymarc objects first, took three times as long as reading the same records
from ISO 2709. Records are read one after the other and their elements freed, so the tree never holds the file.
The reader is bounded: a document type declaration is refused before parsing (MARCXML has none, and it
is the door to entity expansion and to fetching outside files), and the parser fetches nothing.
"""

from __future__ import annotations

import io

from lxml import etree

from outreach.errors import InputError
from outreach.sources.marc_fields import MarcFields, fields_of_element

MARC_NAMESPACES = ("http://www.loc.gov/MARC21/slim", "info:lc/xmlns/marcxchange-v1", "info:lc/xmlns/marcxchange-v2")
RECORD_TAGS = ("record", *(f"{{{ns}}}record" for ns in MARC_NAMESPACES))


def is_xml(raw: bytes) -> bool:
    return raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<"  # BOM and blanks aside


def refuse_declarations(raw: bytes, label: str) -> None:
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise InputError("le fichier XML contient une déclaration de type de document (<!DOCTYPE>), refusée "
                         "par sécurité.", file=label,
                         fix="Exportez les notices en MARCXML ou MarcXchange simple, sans DOCTYPE ni entités.")


def parse_marcxml(raw: bytes, label: str) -> list[MarcFields]:
    """Every MARC record of a MARCXML or MarcXchange document (a bare record or a collection)."""
    refuse_declarations(raw, label)
    records = []
    events = etree.iterparse(io.BytesIO(raw), events=("end",), tag=RECORD_TAGS, resolve_entities=False,
                             no_network=True, load_dtd=False, huge_tree=True, collect_ids=False)
    try:
        for _, element in events:
            records.append(fields_of_element(element))
            element.clear()
            while element.getprevious() is not None:  # the records already read, kept by their parent
                del element.getparent()[0]
    except etree.XMLSyntaxError as exc:
        # libxml2's own record of the fault: iterparse's exception may only say « no element found », line 0
        last = exc.error_log.last_error
        line, column, message = (last.line, last.column, last.message) if last else (*exc.position, exc.msg)
        raise InputError(f"XML illisible ligne {line}, colonne {column} ({message}).", file=label,
                         fix="Regardez le fichier à cet endroit : un export tronqué, ou une entité HTML comme "
                             "&nbsp; (pas du XML) ; exportez-le à nouveau en MARCXML.") from exc
    return records
