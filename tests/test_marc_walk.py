"""The compiled walk of MARCXML (outreach/sources/_marc_walk.pyx) gives what the Python walk gives.

Both walks read lxml's parsed pages into the readers' table of fields. The compiled one must agree with the
Python one on every real record (the 2,383 Roubaix records served as OAI-PMH pages), on documents shaped
oddly (comments, CDATA, entities, namespaces, missing attributes), and must decline what it does not read as
lxml does (a document type declaration with attribute defaults), so that the Python walk answers instead.
"""

from __future__ import annotations

import os

import pymarc
import pytest
from lxml import etree

from outreach.sources import marc_fields, oai
from outreach.sources.marcxml import parse_marcxml
from tests.support import DATA
from tests.support.oai_server import OaiServer, served

native = marc_fields.native_walk


@pytest.fixture(autouse=True)
def compiled_walk(monkeypatch):
    """Skipped where the install found no C compiler, except in CI (OUTREACH_REQUIRE_E2E=1) where it fails.
    Pages go through lxml's tree here, whose walks this file compares (expat's reader: test_oai_page.py)."""
    monkeypatch.setattr(oai, "native_page", None)
    if native is None:
        reason = "outreach.sources._marc_walk absent : pas de compilateur C à l'installation (pip install -e .)"
        if os.environ.get("OUTREACH_REQUIRE_E2E") == "1":
            pytest.fail(reason)
        pytest.skip(reason)

MRC = DATA / "samples" / "roubaix-unimarc-sample-2383.mrc"
URL = "http://127.0.0.1:1/oai"


def seen(harvested: list[oai.Harvested]) -> list[tuple]:
    return [(h.identifier, h.datestamp, h.deleted, h.record and (h.record.leader, h.record.by_tag)) for h in harvested]


def in_python(monkeypatch, read):
    """`read()` with the compiled walk switched off."""
    with monkeypatch.context() as m:
        m.setattr(oai, "native_walk", None)
        m.setattr(marc_fields, "native_walk", None)
        return read()


def listrecords_page(records_xml: list[str]) -> oai.Page:
    body = "".join(f"<record>{r}</record>" for r in records_xml)
    raw = ('<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
           f"<responseDate>2026-11-30T00:00:00Z</responseDate><request>{URL}</request>"
           f"<ListRecords>{body}</ListRecords></OAI-PMH>").encode()
    return oai.Page(raw, None, 1)


def test_every_real_record_is_read_alike_by_both_walks(monkeypatch):
    with MRC.open("rb") as f:
        listed = served(list(pymarc.MARCReader(f, to_unicode=True, force_utf8=True)))
    listed[5].xml = None  # a deleted record among them
    server = OaiServer(listed, page_size=len(listed))
    server.httpd.server_close()
    raw = server._page("ListRecords", {"metadataPrefix": "marcxml"}, listed, 0).encode()
    page = oai.Page(raw, None, 1)
    compiled = seen(oai.page_records(page, URL))
    assert compiled == seen(in_python(monkeypatch, lambda: oai.page_records(page, URL)))
    assert len(compiled) == 2383 and compiled[5][2] is True and compiled[5][3] is None
    assert compiled[0][3][1]["200"][0][0] == ("a", "Une Page d'histoire (1603)")
    titles = [t for *_, r in compiled if r for f in r[1].get("200", []) for c, t in f if c == "a"]
    assert sum(1 for t in titles if "é" in t) > 100  # accents read as such


ODD_RECORDS = [
    # a comment and a processing instruction between fields, CDATA and entities in values, a prefixed namespace
    '<header><identifier> oai:x:1 </identifier><datestamp>2024-01-02</datestamp></header><metadata>'
    '<m:record xmlns:m="http://www.loc.gov/MARC21/slim"><m:leader>00000nam</m:leader><!-- note -->'
    '<m:controlfield tag="001">A&amp;1</m:controlfield><?pi x?>'
    '<m:datafield tag="200" ind1="1" ind2=" "><m:subfield code="a"><![CDATA[Tom & <Jerry>]]> suite</m:subfield>'
    '<m:subfield code="&#101;">&#233;t&#xE9;</m:subfield><m:subfield>sans code</m:subfield>'
    '<m:subfield code="f"/></m:datafield></m:record></metadata>',
    # text cut by a child element or a comment (lxml's .text stops there), a tag in another namespace,
    # a field without tag, an unread tag, an element of another name with a read tag
    '<header><identifier>oai:x:2</identifier><datestamp>2024-01-03</datestamp></header><metadata>'
    '<record xmlns="http://www.loc.gov/MARC21/slim" xmlns:o="urn:other"><leader>short</leader>'
    '<datafield tag="606"><subfield code="a">avant<b>gras</b>après</subfield>'
    '<subfield code="x">un<!-- c -->deux</subfield></datafield>'
    '<datafield o:tag="700"><subfield code="a">sans tag</subfield></datafield>'
    '<datafield tag="999"><subfield code="a">lu</subfield></datafield>'
    '<datafield tag="091"><subfield code="a">pas lu</subfield></datafield>'
    '<note tag="200">autre élément</note><controlfield tag="008"></controlfield></record></metadata>',
    # no metadata, a deleted record with metadata, no header
    '<header><identifier>oai:x:3</identifier><datestamp>2024-01-04</datestamp></header>',
    '<header status="deleted"><identifier>oai:x:4</identifier><datestamp>2024-01-05</datestamp></header>'
    '<metadata><record><controlfield tag="001">4</controlfield></record></metadata>',
    '<metadata><record><controlfield tag="001">5</controlfield></record></metadata>',
]


def test_odd_documents_are_read_alike_by_both_walks(monkeypatch):
    page = listrecords_page(ODD_RECORDS)
    compiled = seen(oai.page_records(page, URL))
    assert compiled == seen(in_python(monkeypatch, lambda: oai.page_records(page, URL)))
    first, second, no_metadata, deleted, no_header = compiled
    assert first[:2] == ("oai:x:1", "2024-01-02")
    assert first[3][0] == "00000nam".ljust(24)
    assert first[3][1] == {"001": ["A&1"], "200": [[("a", "Tom & <Jerry> suite"), ("e", "été"), ("", "sans code"),
                                                     ("f", "")]]}
    assert second[3][0] == "short".ljust(24)
    assert second[3][1] == {"606": [[("a", "avant"), ("x", "un")]], "999": [[("a", "lu")]], "008": [""]}
    assert no_metadata[3] is None and deleted[2:] == (True, None) and no_header[:3] == ("", "", False)
    assert no_header[3][1] == {"001": ["5"]}


def test_a_marcxml_file_is_read_alike_by_both_walks(monkeypatch):
    raw = ('<collection xmlns="http://www.loc.gov/MARC21/slim">'
           + "".join(r.split("<metadata>")[1].split("</metadata>")[0] for r in ODD_RECORDS[:2])
           + "</collection>").encode()
    compiled = [(r.leader, r.by_tag) for r in parse_marcxml(raw, "notices.xml")]
    assert compiled == [(r.leader, r.by_tag) for r in in_python(monkeypatch, lambda: parse_marcxml(raw, "x.xml"))]
    assert len(compiled) == 2 and compiled[1][1]["999"] == [[("a", "lu")]]


def test_a_document_type_declaration_leaves_the_walk_to_python():
    # lxml's get() reads an attribute's default from the declaration: the compiled walk does not, so it declines
    raw = (b'<!DOCTYPE record [<!ATTLIST subfield code CDATA "z">]>'
           b'<record><datafield tag="200"><subfield>titre</subfield></datafield></record>')
    element = etree.fromstring(raw, oai._parser())
    assert native.fields_of_element(element, marc_fields.READ_TAGS, marc_fields.MarcFields) is None
    assert marc_fields.fields_of_element(element).by_tag == {"200": [[("z", "titre")]]}
    assert marc_fields.python_fields_of_element(element).by_tag == {"200": [[("z", "titre")]]}
