"""Catalogue readers: UNIMARC and MARC21 (ISO 2709) through pymarc, CSV exports in any encoding."""

from __future__ import annotations

import io

import pymarc
import pytest

from outreach.errors import InputError
from outreach.sources.catalogue import (
    dewey_of_call_number,
    read_authorised_values,
    read_catalogue,
    read_catalogue_csv,
)
from tests.support import DATA
from tests.support.readers import ReaderContract

MRC = DATA / "samples" / "roubaix-unimarc-sample-2383.mrc"
LABELS = DATA / "samples" / "roubaix-koha-authorised-values.csv"


@pytest.fixture(scope="module")
def roubaix():
    return read_catalogue(MRC, collection_labels=read_authorised_values(LABELS))


def test_unimarc_sample_is_read_whole(roubaix):
    assert roubaix.format == "UNIMARC"
    assert len(roubaix.items) == 2383 and not roubaix.skipped
    assert len({i.id for i in roubaix.items}) == 2383


def test_unimarc_fields(roubaix):
    by_id = {i.id: i for i in roubaix.items}
    egan = by_id["11596"]
    assert egan.title == "La cité des permutants" and egan.author == "Greg Egan" and egan.year == 1996
    assert egan.dewey.startswith("823.914")
    assert egan.extra["collections"] == ["ALT - SF"] and egan.extra["collection_codes"] == ["ALTIGSF"]
    assert "Ailleurs et demain" in egan.extra["series"]
    assert egan.loans == 43 and egan.branch_id == "MED"
    assert egan.url.endswith("KH11596")
    thor = by_id["307551"]
    assert thor.subjects == ["Films de science-fiction -- DVD -- Etats-Unis"]
    # 1,001 records carry RAMEAU subjects (606) in the source description; 600–607 are all read
    assert sum(1 for i in roubaix.items if i.subjects) >= 1001


def test_call_numbers_give_a_dewey_for_printed_text_only():
    assert dewey_of_call_number("641.5 CUI") == "641.5"
    assert dewey_of_call_number("E/709 FET") == "709"
    assert dewey_of_call_number("Mag 8/41 370") == ""
    assert dewey_of_call_number("SF/EGA") == ""


def test_unreadable_records_are_skipped_with_their_reason(tmp_path):
    raw = MRC.read_bytes()
    records = raw.split(b"\x1d")[:3]
    broken = records[1][:200]  # cut in the middle: the length in the leader no longer holds
    data = records[0] + b"\x1d" + b"xxxxx" + records[2][5:] + b"\x1d" + records[2] + b"\x1d" + broken
    read = read_catalogue("notices.mrc", data=data)
    assert len(read.items) == 2
    assert len(read.skipped) == 2
    reasons = " ".join(r for _, r in read.skipped)
    assert "longueur" in reasons and "tronquée" in reasons and "notice n° 2" in read.notes[0]
    assert read.notes and "2 notice(s) illisible(s)" in read.notes[0]


def test_a_csv_without_titles_is_an_input_error():  # an empty file: ReaderContract
    with pytest.raises(InputError, match="title"):
        read_catalogue("n.csv", data=b"foo,bar\n1,2\n")


def _marc21_record() -> bytes:
    record = pymarc.Record(force_utf8=True)
    record.leader = pymarc.Leader("00000nam a2200000 a 4500")
    record.add_field(pymarc.Field(tag="001", data="m21-1"))
    record.add_field(pymarc.Field(tag="008", data="240101s2021    fr            000 1 fre d"))
    record.add_field(pymarc.Field(tag="100", indicators=pymarc.Indicators("1", " "),
                                  subfields=[pymarc.Subfield("a", "Damasio, Alain")]))
    record.add_field(pymarc.Field(tag="245", indicators=pymarc.Indicators("1", "0"),
                                  subfields=[pymarc.Subfield("a", "Les furtifs /")]))
    record.add_field(pymarc.Field(tag="650", indicators=pymarc.Indicators(" ", "7"),
                                  subfields=[pymarc.Subfield("a", "Science-fiction française")]))
    record.add_field(pymarc.Field(tag="082", indicators=pymarc.Indicators("0", "4"),
                                  subfields=[pymarc.Subfield("a", "843.92")]))
    record.add_field(pymarc.Field(tag="952", indicators=pymarc.Indicators(" ", " "),
                                  subfields=[pymarc.Subfield("a", "17615"), pymarc.Subfield("8", "SF"),
                                             pymarc.Subfield("o", "SF DAM"), pymarc.Subfield("l", "12")]))
    return record.as_marc()


def test_marc21_with_koha_items():
    read = read_catalogue("m21.mrc", data=_marc21_record() * 1)
    assert read.format == "MARC21"
    [item] = read.items
    assert item.id == "m21-1" and item.title == "Les furtifs" and item.author == "Damasio, Alain"
    assert item.year == 2024 or item.year == 2021
    assert item.subjects == ["Science-fiction française"] and item.dewey == "843.92"
    assert item.branch_id == "17615" and item.loans == 12 and item.extra["collections"] == ["SF"]


CSV_TEXT = ("id,title,author,year,subjects,genre,dewey,branch_id,loans,cote\n"
            "b1,Le problème à trois corps,Liu Cixin,2016,Science-fiction chinoise,Romans,895.13,17615,31,SF LIU\n"
            "b2,Mes recettes végétariennes,,2020,Cuisine végétarienne | Légumes,,641.563,5425,,641.5 REC\n")


@pytest.mark.parametrize("encoding,sep", [("utf-8", ","), ("utf-8-sig", ";"), ("cp1252", ";"), ("utf-16", "\t")])
def test_csv_in_every_encoding(encoding, sep):
    data = CSV_TEXT.replace(",", sep).encode(encoding)
    read = read_catalogue("export.csv", data=data)
    assert read.format.startswith("CSV")
    b1, b2 = read.items
    assert b1.title == "Le problème à trois corps" and b1.year == 2016 and b1.loans == 31
    assert b1.subjects == ["Science-fiction chinoise"] and b1.genres == ["Romans"] and b1.branch_id == "17615"
    assert b2.subjects == ["Cuisine végétarienne", "Légumes"] and b2.loans is None and b2.author == ""
    assert b1.extra["cote"] == "SF LIU"  # unknown columns are kept


def test_bad_csv_rows_are_skipped_with_their_line_and_reason():
    read = read_catalogue_csv("e.csv", data=b"id,title,loans\n1,A,3\n2,B,beaucoup\n3,,1\n4,D,\n1,E,2\n")
    assert [i.id for i in read.items] == ["1", "4"]
    assert read.skipped == [("ligne 3", "nombre de prêts « beaucoup » illisible (loans)"), ("ligne 4", "titre vide"),
                            ("ligne 6", "identifiant « 1 » déjà vu ligne 2")]
    [note] = [n for n in read.notes if "ignorée" in n]
    assert note.startswith("e.csv : 3 ligne(s) ignorée(s) — ligne 3 : nombre de prêts")


def test_a_csv_file_is_refused_only_when_no_row_is_readable():
    with pytest.raises(InputError) as err:
        read_catalogue_csv("e.csv", data=b"id,title\n1,\n,B\n")
    text = str(err.value)
    assert "e.csv" in text and "ligne 2 : titre vide" in text and "ligne 3 : identifiant vide" in text
    with pytest.raises(InputError, match="ligne 2 : aucune ligne lisible \\(titre vide\\)"):
        read_catalogue_csv("e.csv", data=b"id,title\n1,\n")
    with pytest.raises(InputError) as err:
        read_catalogue_csv("e.csv", data=b"id,titre_oeuvre\n1,A\n")
    assert "title" in str(err.value) and "e.csv" in str(err.value)


def test_a_separator_alone_in_a_list_cell_is_an_empty_list():
    [item] = read_catalogue_csv("e.csv", data=b"id,title,dewey,subjects\n1,Dune,|,;\n").items
    assert (item.dewey, item.subjects) == ("", [])


def test_an_xml_file_without_records_is_named_even_after_a_byte_order_mark():
    with pytest.raises(InputError, match="aucune notice"):
        read_catalogue("notices.xml", data=b"\xef\xbb\xbf<?xml version='1.0'?><collection/>")


def test_a_list_of_titles_without_ids():
    # the shape of Paris's "titres les plus prêtés" open data: no id, accented headers, ";" separated
    data = "Rang;Type de document;Prêts;Titre;Auteur\n1;Livre adulte;1234;Les furtifs;Damasio\n".encode()
    read = read_catalogue_csv("paris.csv", data=data)
    [item] = read.items
    assert item.id == "ligne-2" and item.title == "Les furtifs" and item.loans == 1234 and item.author == "Damasio"
    assert any("numéro de ligne" in n for n in read.notes)


def test_the_flattened_roubaix_export_reads_as_csv(roubaix, tmp_path):
    # the same records as a spreadsheet export: the column names of roubaix-sample-2383-flat.csv
    header = "record_id,typedoc,title,responsibility,year,subjects_rameau,genre_form_608,dewey_676,collection_lib\n"
    row = '11596,LI,La cité des permutants,Greg Egan,1996,,,823.914 (oeuvre),ALT - SF\n'
    read = read_catalogue("flat.csv", data=(header + row).encode())
    [item] = read.items
    assert item.id == "11596" and item.extra["collections"] == ["ALT - SF"]
    assert io  # keep the import list honest


class TestReaderContract(ReaderContract):
    reader = staticmethod(read_catalogue)
    sample = DATA / "samples" / "roubaix-unimarc-sample-2383.mrc"
    attribute = "items"
