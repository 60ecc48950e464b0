# cython: language_level=3, boundscheck=False, wraparound=False
"""The walk of parsed MARCXML (a harvested page, a MARCXML file) into the readers' table of fields, in C.

lxml parses a page in C, but reading it from Python makes an element object for every field and subfield
looked at: about 40 % of a harvest worker's instructions, as much again as the parse. This module reads
libxml2's nodes under lxml's elements directly (their layout comes from lxml's own headers), calling no
libxml2 function, and gives exactly what the Python walk of `marc_fields.fields_of_element` and
`oai.page_records` gives (tests/test_marc_walk.py compares them on the real records and on odd documents).
Where its answer could differ (a document type declaration, whose attribute defaults lxml reads; an
attribute value that is not one text node), it returns None and the caller takes the Python walk.

Built by setup.py when a C compiler is there (optional: without one the Python walk is used).
"""

from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.string cimport strcmp, strlen
from lxml.includes cimport tree
from lxml.includes.etreepublic cimport _Element, import_lxml__etree

import_lxml__etree()

cdef const char* OAI = b"http://www.openarchives.org/OAI/2.0/"


class _Unusual(Exception):
    """A node shape this walk does not read as lxml would: the caller takes the Python walk."""


cdef inline str _decode(const tree.xmlChar* s):
    return PyUnicode_DecodeUTF8(<const char*>s, strlen(<const char*>s), NULL)


cdef object _attribute(tree.xmlNode* node, const char* name):
    """The value of the attribute `name` without namespace (lxml's `get`), or None."""
    cdef tree.xmlAttr* a = node.properties
    cdef tree.xmlNode* t
    while a is not NULL:
        if a.ns is NULL and strcmp(<const char*>a.name, name) == 0:
            t = a.children
            if t is NULL:
                return ""
            if t.next is NULL and t.type == tree.XML_TEXT_NODE:
                return _decode(t.content)
            raise _Unusual()
        a = a.next
    return None


cdef object _text(tree.xmlNode* node):
    """lxml's `.text`: the text and CDATA nodes before the first other child, joined; None when there are none."""
    cdef tree.xmlNode* c = node.children
    cdef tree.xmlNode* second
    if c is NULL or (c.type != tree.XML_TEXT_NODE and c.type != tree.XML_CDATA_SECTION_NODE):
        return None
    second = c.next
    if second is NULL or (second.type != tree.XML_TEXT_NODE and second.type != tree.XML_CDATA_SECTION_NODE):
        return _decode(c.content)
    parts = []
    while c is not NULL and (c.type == tree.XML_TEXT_NODE or c.type == tree.XML_CDATA_SECTION_NODE):
        parts.append(_decode(c.content))
        c = c.next
    return "".join(parts)


cdef inline bint _is(tree.xmlNode* node, const char* name):
    return node.type == tree.XML_ELEMENT_NODE and strcmp(<const char*>node.name, name) == 0


cdef inline bint _is_oai(tree.xmlNode* node, const char* name):
    return _is(node, name) and node.ns is not NULL and strcmp(<const char*>node.ns.href, OAI) == 0


cdef tree.xmlNode* _first_oai(tree.xmlNode* parent, const char* name):
    cdef tree.xmlNode* c = parent.children
    while c is not NULL and not _is_oai(c, name):
        c = c.next
    return c


cdef object _fields(tree.xmlNode* record, frozenset read_tags, make_fields):
    cdef tree.xmlNode* child = record.children
    cdef tree.xmlNode* sf
    cdef dict by_tag = {}
    cdef list subfields
    leader = " " * 24
    while child is not NULL:
        if child.type == tree.XML_ELEMENT_NODE:
            tag = _attribute(child, "tag")
            if tag is None or tag in read_tags:
                if strcmp(<const char*>child.name, "datafield") == 0:
                    if tag is not None:
                        subfields = []
                        sf = child.children
                        while sf is not NULL:
                            if sf.type == tree.XML_ELEMENT_NODE:
                                code = _attribute(sf, "code")
                                text = _text(sf)
                                subfields.append(("" if code is None else code, "" if text is None else text))
                            sf = sf.next
                        by_tag.setdefault(tag, []).append(subfields)
                elif strcmp(<const char*>child.name, "controlfield") == 0:
                    if tag is not None:
                        text = _text(child)
                        by_tag.setdefault(tag, []).append("" if text is None else text)
                elif strcmp(<const char*>child.name, "leader") == 0:
                    text = _text(child)
                    leader = ("" if text is None else text).ljust(24)[:24]
        child = child.next
    return make_fields(leader, by_tag)


cdef bint _plain(_Element element):
    """No document type declaration: lxml's `get` would read attribute defaults from one."""
    return element._c_node.doc is NULL or element._c_node.doc.intSubset is NULL


def fields_of_element(_Element element, frozenset read_tags, make_fields):
    """`make_fields(leader, by_tag)` of a MARC record element, as `marc_fields.fields_of_element`; or None."""
    if not _plain(element):
        return None
    try:
        return _fields(element._c_node, read_tags, make_fields)
    except _Unusual:
        return None


cdef str _header_text(tree.xmlNode* header, const char* name):
    cdef tree.xmlNode* found = _first_oai(header, name)
    if found is NULL:
        return ""
    text = _text(found)
    return "" if text is None else text.strip()


def page_records(_Element listed, frozenset read_tags, make_fields, make_harvested):
    """`make_harvested(identifier, datestamp, deleted, fields or None)` for every OAI `record` child of a
    ListRecords element, as `oai.page_records`; or None."""
    cdef tree.xmlNode* record
    cdef tree.xmlNode* header
    cdef tree.xmlNode* metadata
    cdef tree.xmlNode* marc
    if not _plain(listed):
        return None
    out = []
    try:
        record = listed._c_node.children
        while record is not NULL:
            if _is_oai(record, "record"):
                header = _first_oai(record, "header")
                deleted = header is not NULL and _attribute(header, "status") == "deleted"
                identifier = _header_text(header, "identifier") if header is not NULL else ""
                datestamp = _header_text(header, "datestamp") if header is not NULL else ""
                metadata = _first_oai(record, "metadata")
                marc = metadata.children if metadata is not NULL else NULL
                while marc is not NULL and marc.type != tree.XML_ELEMENT_NODE:
                    marc = marc.next
                fields = _fields(marc, read_tags, make_fields) if marc is not NULL and not deleted else None
                out.append(make_harvested(identifier, datestamp, deleted, fields))
            record = record.next
    except _Unusual:
        return None
    return out
