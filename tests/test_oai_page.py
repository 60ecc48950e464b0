"""A harvested page read by expat (outreach/sources/_oai_page.pyx) gives what lxml's tree and walk give.

The expat reader must agree with the lxml path of `oai.page_records` on every real record (the 2,383 Roubaix
records served as one page), on pages shaped oddly, and decline (so that lxml reads the page, or says what is
wrong with it) where it could differ: a document type declaration, an encoding expat does not know, nesting
deeper than libxml2's limit, a document that is not OAI-PMH or not well formed, a resumption token that is not
the one the envelope carried.
"""

from __future__ import annotations

import os

import pymarc
import pytest

from outreach.errors import InputError
from outreach.sources import oai
from tests.support import DATA
from tests.support.oai_server import OaiServer, served
from tests.test_marc_walk import ODD_RECORDS, URL, listrecords_page, seen

native = oai.native_page
MRC = DATA / "samples" / "roubaix-unimarc-sample-2383.mrc"
OAI_OPEN = '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-11-30T00:00:00Z</responseDate>'


@pytest.fixture(autouse=True)
def compiled_reader():
    """Skipped where the install found no C compiler, except in CI (OUTREACH_REQUIRE_E2E=1) where it fails."""
    if native is None:
        reason = "outreach.sources._oai_page absent : pas de compilateur C à l'installation (pip install -e .)"
        if os.environ.get("OUTREACH_REQUIRE_E2E") == "1":
            pytest.fail(reason)
        pytest.skip(reason)


def read_both(monkeypatch, page: oai.Page) -> tuple[list, list]:
    """What the expat reader returns for the page (it must not decline), and what the lxml path reads."""
    direct = native.page_records(page.raw, oai.READ_TAGS, oai.MarcFields, oai.Harvested)
    assert direct is not None, "the expat reader declined a page it should read"
    assert direct[0] == page.token
    with monkeypatch.context() as m:
        m.setattr(oai, "native_page", None)
        through_lxml = oai.page_records(page, URL)
    return seen(direct[1]), seen(through_lxml)


def page_of(body: str, *, prolog: str = "", token: str | None = None) -> oai.Page:
    return oai.Page((prolog + OAI_OPEN + body + "</OAI-PMH>").encode(), token, 1)


def test_every_real_record_is_read_alike_by_expat_and_lxml(monkeypatch):
    with MRC.open("rb") as f:
        listed = served(list(pymarc.MARCReader(f, to_unicode=True, force_utf8=True)))
    listed[5].xml = None  # a deleted record among them
    server = OaiServer(listed, page_size=1000)
    server.httpd.server_close()
    raw = server._page("ListRecords", {"metadataPrefix": "marcxml"}, listed, 0).encode()
    page = oai.Page(raw, oai._token(raw)[0], 1)
    assert page.token  # a first page of three: its token is read and checked
    by_expat, by_lxml = read_both(monkeypatch, page)
    assert by_expat == by_lxml
    assert len(by_expat) == 1000 and by_expat[5][2] is True and by_expat[5][3] is None
    assert by_expat[0][3][1]["200"][0][0] == ("a", "Une Page d'histoire (1603)")


def test_odd_records_are_read_alike_by_expat_and_lxml(monkeypatch):
    by_expat, by_lxml = read_both(monkeypatch, listrecords_page(ODD_RECORDS))
    assert by_expat == by_lxml and len(by_expat) == 5


def test_odd_pages_are_read_alike_by_expat_and_lxml(monkeypatch):
    record = ('<header><identifier>oai:x:{n}</identifier><datestamp>2024</datestamp></header><metadata>'
              '<record><controlfield tag="001">{n}</controlfield></record></metadata>')
    body = (
        '<ListRecords>'
        # metadata before a header that says deleted; a second header, metadata, identifier: only the first counts
        '<record><metadata><record><controlfield tag="001">6</controlfield></record></metadata>'
        '<header status="deleted"><identifier>oai:x:6</identifier></header></record>'
        '<record><header><identifier><![CDATA[oai:x:]]>7<!-- c -->ignoré</identifier><identifier>non</identifier>'
        '<datestamp>\n 2024-01-07 </datestamp></header><header><identifier>non</identifier></header>'
        '<metadata><other/><record><controlfield tag="001">non</controlfield></record></metadata>'
        '<metadata><record><controlfield tag="001">non</controlfield></record></metadata></record>'
        # a MARC record in another element name, a leader with a tag, a tag of four digits, fields nested deeper
        '<record><header><identifier>oai:x:8</identifier></header><metadata><marc:notice xmlns:marc="urn:m">'
        '<marc:leader tag="001">avec tag</marc:leader><marc:controlfield tag="0010">long</marc:controlfield>'
        '<marc:datafield tag="606"><marc:subfield code="a">a<marc:subfield code="b">niché</marc:subfield>'
        '</marc:subfield><x:y xmlns:x="urn:x" code="c">autre nom</x:y></marc:datafield></marc:notice></metadata></record>'
        # a record element outside the OAI namespace and one nested in another element: not records of the page
        '<record xmlns="urn:autre"><header><identifier>non</identifier></header></record>'
        '<wrapper><record>' + record.format(n=9) + '</record></wrapper>'
        '<record>' + record.format(n=10) + '</record>'
        '<resumptionToken completeListSize="20" cursor="0"> jeton-1 </resumptionToken>'
        '<resumptionToken>second</resumptionToken>'
        '</ListRecords><ListRecords><record>' + record.format(n=11) + '</record></ListRecords>')
    # Koha's oai.pl puts a stylesheet instruction before the root
    page = page_of(body, prolog='<?xml version="1.0" encoding="UTF-8"?>\n<?xml-stylesheet type="text/xsl" '
                                'href="/opac-tmpl/xslt/OAI.xslt"?>\n', token="jeton-1")
    by_expat, by_lxml = read_both(monkeypatch, page)
    assert by_expat == by_lxml
    assert [r[0] for r in by_expat] == ["oai:x:6", "oai:x:7", "oai:x:8", "oai:x:10"]
    assert by_expat[0][2:] == (True, None)
    # the first element of its first metadata is its MARC record, here one without fields
    assert by_expat[1][:2] == ("oai:x:7", "2024-01-07") and by_expat[1][3] == (" " * 24, {})
    assert by_expat[2][3] == ("avec tag".ljust(24), {"606": [[("a", "a"), ("c", "autre nom")]]})


def test_a_latin1_page_is_read_alike_by_expat_and_lxml(monkeypatch):
    page = listrecords_page(ODD_RECORDS[:2])
    latin1 = page.raw.replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"').decode().encode("latin-1")
    by_expat, by_lxml = read_both(monkeypatch, oai.Page(latin1, None, 1))
    assert by_expat == by_lxml and by_expat[0][3][1]["200"][0][1] == ("e", "été")


def declined(page: oai.Page) -> bool:
    return native.page_records(page.raw, oai.READ_TAGS, oai.MarcFields, oai.Harvested) is None


def test_a_document_type_declaration_leaves_the_page_to_lxml():
    # lxml's get() reads an attribute's default from the declaration: the expat reader declines, lxml answers
    page = page_of('<ListRecords><record><metadata><record><datafield tag="200"><subfield>titre</subfield>'
                   '</datafield></record></metadata></record></ListRecords>',
                   prolog='<!DOCTYPE OAI-PMH [<!ATTLIST subfield code CDATA "z">]>')
    assert declined(page)
    assert oai.page_records(page, URL)[0].record.by_tag == {"200": [[("z", "titre")]]}


def test_an_encoding_expat_does_not_know_leaves_the_page_to_lxml():
    page = oai.Page(page_of('<ListRecords><record><header><identifier>oai:x:ŒUVRE</identifier></header></record>'
                            '</ListRecords>', prolog='<?xml version="1.0" encoding="windows-1252"?>').raw
                    .decode().encode("cp1252"), None, 1)
    assert declined(page)
    assert oai.page_records(page, URL)[0].identifier == "oai:x:ŒUVRE"


def test_nesting_deeper_than_libxml2_allows_by_default_leaves_the_page_to_lxml():
    deep = "<a>" * 300 + "</a>" * 300
    page = page_of(f'<ListRecords><record><metadata><record>{deep}</record></metadata></record></ListRecords>')
    assert declined(page)
    assert oai.page_records(page, URL)[0].record is not None  # lxml, allowed deeper by huge_tree, reads it


@pytest.mark.parametrize("raw", [
    b'<OAI-PMH xmlns="urn:autre"><ListRecords/></OAI-PMH>',  # not the OAI namespace
    (OAI_OPEN + '<GetRecord/></OAI-PMH>').encode(),  # no ListRecords
    (OAI_OPEN + '<ListRecords><record></ListRecords></OAI-PMH>').encode(),  # not well formed
    (OAI_OPEN + '<ListRecords><record>&inconnue;</record></ListRecords></OAI-PMH>').encode(),
])
def test_what_is_not_an_oai_page_is_left_to_lxml_which_says_so(raw):
    page = oai.Page(raw, None, 1)
    assert declined(page)
    with pytest.raises(InputError, match="OAI-PMH"):
        oai.page_records(page, URL)


def test_a_token_other_than_the_envelopes_is_refused_as_before():
    page = page_of('<ListRecords><resumptionToken>vrai</resumptionToken></ListRecords>', token="lu-ailleurs")
    assert native.page_records(page.raw, oai.READ_TAGS, oai.MarcFields, oai.Harvested)[0] == "vrai"
    with pytest.raises(InputError, match="jeton de reprise"):
        oai.page_records(page, URL)
