"""MARC formats on the real Roubaix records: MARCXML and MarcXchange, records without 001, character sets
(UTF-8, ISO 5426, MARC-8, Latin-1) and the refusal of a garbled file."""

from __future__ import annotations

import copy
import re
import unicodedata

import pymarc
import pytest

from outreach.errors import InputError
from outreach.sources.catalogue import read_catalogue
from outreach.sources.marc_charsets import _ISO5426_MARKS, _ISO5426_SPACING, decode_iso5426, guess
from tests.support import DATA

MRC = DATA / "samples" / "roubaix-unimarc-sample-2383.mrc"
SLIM = "http://www.loc.gov/MARC21/slim"


@pytest.fixture(scope="module")
def records() -> list[pymarc.Record]:
    with MRC.open("rb") as f:
        return list(pymarc.MARCReader(f, to_unicode=True, force_utf8=True))


@pytest.fixture(scope="module")
def reference():
    return {i.id: i for i in read_catalogue(MRC).items}


def _collection(records, namespace=SLIM, attrs="") -> bytes:
    body = b"".join(pymarc.record_to_xml(r, namespace=False) for r in records).decode()
    body = body.replace("<record>", f"<record{attrs}>")
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="{namespace}">{body}</collection>'
            ).encode()


# ---------- MARCXML / MarcXchange ----------

def test_a_marcxml_collection_reads_like_the_iso2709_file(records, reference):
    read = read_catalogue("roubaix.xml", data=b"\xef\xbb\xbf" + _collection(records))
    assert read.format == "UNIMARC (XML)" and not read.skipped
    assert len(read.items) == 2383
    for item in read.items:
        same = reference[item.id]
        assert (item.title, item.author, item.subjects, item.dewey, item.loans, item.branch_id) == (
            same.title, same.author, same.subjects, same.dewey, same.loans, same.branch_id)


def test_a_single_marcxchange_record_in_its_namespace(records, reference):
    xml = pymarc.record_to_xml(records[10], namespace=False).decode()
    xml = xml.replace("<record>", '<record xmlns="info:lc/xmlns/marcxchange-v2" format="UNIMARC" '
                                  'type="Bibliographic">')
    [item] = read_catalogue("une-notice.xml", data=xml.encode()).items
    assert item.title == reference[item.id].title


def test_an_oai_pmh_envelope_is_not_taken_for_a_record(records):
    inner = pymarc.record_to_xml(records[0], namespace=True).decode()
    xml = ('<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords><record><header>'
           f'<identifier>oai:x:1</identifier></header><metadata>{inner}</metadata></record></ListRecords>'
           '</OAI-PMH>')
    read = read_catalogue("oai.xml", data=xml.encode())
    assert [i.id for i in read.items] == ["250"]


def test_entity_declarations_are_refused_before_parsing():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            b'<collection><record><datafield tag="200"><subfield code="a">&b;</subfield></datafield>'
            b'</record></collection>')
    with pytest.raises(InputError, match="DOCTYPE"):
        read_catalogue("bombe.xml", data=bomb)


def test_a_truncated_xml_file_names_its_line(records):
    data = _collection(records[:3])
    with pytest.raises(InputError, match=r"XML illisible ligne \d+"):
        read_catalogue("coupe.xml", data=data[: len(data) // 2])
    with pytest.raises(InputError, match="aucune notice"):
        read_catalogue("vide.xml", data=b'<collection xmlns="http://www.loc.gov/MARC21/slim"/>')


def test_an_xml_fault_is_named_once_with_its_place():
    undefined = b'<collection xmlns="http://www.loc.gov/MARC21/slim">\n<record>&nbsp;</record></collection>'
    with pytest.raises(InputError) as caught:
        read_catalogue("entite.xml", data=undefined)
    assert "XML illisible ligne 2, colonne 15 (Entity 'nbsp' not defined)." in str(caught.value)
    with pytest.raises(InputError) as caught:
        read_catalogue("codage.xml", data=b'<?xml version="1.0" encoding="ebcdic-x"?><collection/>')
    assert str(caught.value).count("ligne") == 1 and "ebcdic-x" in str(caught.value)


# ---------- records without 001 ----------

def _without(record: pymarc.Record, *tags: str) -> pymarc.Record:
    copy = pymarc.Record(data=record.as_marc(), to_unicode=True, force_utf8=True)
    for tag in tags:
        copy.remove_fields(tag)
    return copy


def test_records_without_001_are_identified_and_noted(records):
    with_035 = next(r for r in records if r.get_fields("035"))
    without_035 = next(r for r in records if not r.get_fields("035"))
    data = b"".join([
        _without(with_035, "001", "090").as_marc(),
        _without(without_035, "001", "090").as_marc(),
        _without(without_035, "001", "090", "003").as_marc(),
        records[5].as_marc(),
    ])
    read = read_catalogue("sans-001.mrc", data=data)
    ids = [i.id for i in read.items]
    assert ids[0] == with_035["035"]["a"] and ids[1] == without_035["003"].data and ids[2] == "notice-3"
    assert ids[3] == records[5]["001"].data and not read.skipped
    [note] = [n for n in read.notes if "001" in n]
    assert "3 notice(s) sans numéro 001" in note and "numéro 035 (1)" in note and "position dans le fichier (1)" in note


def test_a_record_without_title_is_skipped_with_the_right_reason(records):
    data = _without(records[1], "200").as_marc() + records[2].as_marc()
    read = read_catalogue("sans-titre.mrc", data=data)
    assert len(read.items) == 1
    assert read.skipped[0][0] == "notice n° 1" and "200" in read.skipped[0][1]
    assert "001" not in read.skipped[0][1]  # the old message blamed the identifier


# ---------- character sets ----------

_TO_ISO5426 = {mark: byte for byte, mark in _ISO5426_MARKS.items() if byte != 0xC9}
_TO_ISO5426_SPACING = {char: byte for byte, char in _ISO5426_SPACING.items()}


def _iso5426(text: str) -> bytes:
    """Test-side encoder: the diacritic byte before its letter, as ISO 5426 writes it."""
    out = bytearray()
    for char in text:
        if ord(char) < 0x80:
            out.append(ord(char))
        elif char in _TO_ISO5426_SPACING:
            out.append(_TO_ISO5426_SPACING[char])
        else:
            base, *marks = unicodedata.normalize("NFD", char)
            out.extend(_TO_ISO5426[m] for m in marks)
            out.extend(base.encode("ascii"))
    return bytes(out)


def _reencoded(record: pymarc.Record, encode, g0g1: str | None, leader9: str = " ") -> bytes:
    """The record's ISO 2709 bytes with every value in another character set (and 100$a/26-29 set)."""
    copy = pymarc.Record(data=record.as_marc(), to_unicode=True, force_utf8=True)
    for f in copy.fields:
        if f.tag == "100" and g0g1 is not None:
            f.subfields = [pymarc.Subfield(sf.code, sf.value[:26] + g0g1 + sf.value[30:]) if sf.code == "a"
                           else sf for sf in f.subfields]
        if f.is_control_field():
            f.data = encode(f.data).decode("latin-1")
        else:
            f.subfields = [pymarc.Subfield(sf.code, encode(sf.value).decode("latin-1")) for sf in f.subfields]
    copy.leader = pymarc.Leader(str(copy.leader)[:9] + " " + str(copy.leader)[10:])
    copy.force_utf8 = copy.to_unicode = False  # else as_marc writes UTF-8 and marks leader/09
    raw = copy.as_marc()  # Latin-1 text, written byte for byte
    return raw[:9] + leader9.encode() + raw[10:]


def _encodable(record: pymarc.Record) -> bool:
    try:
        for f in record.fields:
            text = f.data if f.is_control_field() else f.value()
            text.encode("cp1252")
            _iso5426(text)
    except (UnicodeEncodeError, KeyError):
        return False
    return True


def _accented(records) -> list[pymarc.Record]:
    """50 records with accents in their title, in Latin script (what Latin-1 and ISO 5426 can write)."""
    return [r for r in records if any(ord(c) > 127 for f in r.get_fields("200") for c in f.value())
            and _encodable(r)][:50]


def test_iso5426_declared_in_100_reads_like_unicode(records, reference):
    sample = _accented(records)
    data = b"".join(_reencoded(r, _iso5426, "0103") for r in sample)
    assert b"\xc2e" in data  # "é" written the ISO 5426 way
    read = read_catalogue("iso5426.mrc", data=data)
    assert [i.title for i in read.items] == [reference[i.id].title for i in read.items]
    assert any("ISO 5426 (50 notice(s))" in n for n in read.notes)


def test_iso5426_without_declaration_is_recognised(records, reference):
    sample = _accented(records)
    data = b"".join(_reencoded(r, _iso5426, "    ") for r in sample)
    read = read_catalogue("iso5426.mrc", data=data)
    assert [i.title for i in read.items] == [reference[i.id].title for i in read.items]


def test_latin1_under_a_unicode_label_falls_back_and_says_so(records, reference):
    sample = _accented(records)
    data = b"".join(_reencoded(r, lambda t: t.encode("cp1252"), None, leader9="a") for r in sample)
    read = read_catalogue("latin1.mrc", data=data)
    assert [i.title for i in read.items] == [reference[i.id].title for i in read.items]
    assert any("déclarée(s) en UTF-8 mais lue(s) en Latin-1" in n for n in read.notes)


def test_marc8_from_the_marc21_leader():
    record = pymarc.Record()
    record.leader = pymarc.Leader("00000nam  2200000 a 4500")  # leader/09 blank: MARC-8
    record.add_field(pymarc.Field(tag="001", data="m8"))
    # MARC-8 writes the combining acute (0xE2) before its letter
    record.add_field(pymarc.Field(tag="245", indicators=pymarc.Indicators("1", "0"),
                                  subfields=[pymarc.Subfield("a", "Les mis\xe2erables")]))
    record.to_unicode = False  # else as_marc writes UTF-8 and marks leader/09
    [item] = read_catalogue("marc8.mrc", data=record.as_marc()).items
    assert item.title == "Les misérables"


def test_a_few_unreadable_characters_are_counted_and_many_refuse_the_file(records):
    def damage(text: str) -> bytes:
        return text.encode("utf-8").replace("é".encode(), b"\xff", 1)

    damaged = [r for r in records if "é" in r["200"].value()]
    one = [_reencoded(damaged[0], damage, None, leader9="a")]
    healthy = [r.as_marc() for r in records if r not in damaged[:30]]
    read = read_catalogue("un-abime.mrc", data=b"".join(one + healthy[:500]))
    assert len(read.items) == 501
    assert any(re.search(r"\d caractère\(s\) illisible\(s\) remplacé\(s\) .* dans 1 notice\(s\) \(n° 1\)", n)
               for n in read.notes)
    many = [_reencoded(r, damage, None, leader9="a") for r in damaged[:30]]
    with pytest.raises(InputError, match=r"\d+ notice\(s\) sur 530 contiennent des caractères illisibles") as err:
        read_catalogue("abime.mrc", data=b"".join(many + healthy[:500]))
    assert "UTF-8" in err.value.fix


def test_iso5426_decoder_counts_bytes_without_character():
    assert decode_iso5426(b"Caf\xc2e cr\xc1eme \xd0ca") == ("Café crème ça", 0)
    text, bad = decode_iso5426(b"a\x85b\xc2")
    assert text == "a\ufffdb\ufffd" and bad == 2


def test_a_record_whose_bytes_fit_both_sets_takes_the_set_of_the_files_clear_records(records):
    # "Œuvres" in ISO 5426 is 0xEA, which Latin-1 reads "ê": nothing in that record tells the two apart
    plain = next(r for r in records if r["200"] and r["200"]["a"] and all(
        (f.data if f.is_control_field() else f.value()).isascii() for f in r.fields))
    ambiguous = copy.deepcopy(plain)
    ambiguous["200"]["a"] = "Œ" + plain["200"]["a"][1:]
    ambiguous_bytes = _reencoded(ambiguous, _iso5426, "    ")
    assert b"\xea" in ambiguous_bytes and guess(ambiguous_bytes) is None
    after_iso5426 = b"".join(_reencoded(r, _iso5426, "    ") for r in _accented(records)[:3]) + ambiguous_bytes
    assert read_catalogue("iso5426.mrc", data=after_iso5426).items[-1].title.startswith("Œ")
    after_latin1 = b"".join(_reencoded(r, lambda t: t.encode("cp1252"), "    ")
                            for r in _accented(records)[:3]) + ambiguous_bytes
    assert read_catalogue("latin1.mrc", data=after_latin1).items[-1].title.startswith("ê")
