"""The catalogue reader's decisions on small hand-made records and exports, and the French messages and notes
users read (issue 19's mutation testing). The shipped Roubaix sample is read by test_sources_catalogue.py."""

import pymarc
import pytest

import outreach.sources.catalogue as catalogue_module
from outreach.errors import InputError
from outreach.sources.catalogue import (
    dewey_of_call_number,
    is_iso2709,
    marc_items,
    no_marc_record,
    read_authorised_values,
    read_catalogue,
    read_catalogue_csv,
    read_marc,
    record_fields,
    record_item,
    skipped_notes,
)
from outreach.sources.marc_fields import fields_of_record


def field(tag, *pairs, indicators=(" ", " ")):
    """A data field from (code, value) pairs."""
    return pymarc.Field(tag=tag, indicators=pymarc.Indicators(*indicators),
                        subfields=[pymarc.Subfield(code, value) for code, value in pairs])


def record(*fields, leader="00000nam0 22000001i 4500", control=()):
    made = pymarc.Record(force_utf8=True)
    made.leader = pymarc.Leader(leader)
    for tag, data in control:
        made.add_field(pymarc.Field(tag=tag, data=data))
    for f in fields:
        made.add_field(f)
    return made.as_marc()


def read(*records, **kwargs):
    return read_catalogue("notices.mrc", data=b"".join(records), **kwargs)


EGAN = record(
    field("010", ("a", "2-207-24448-0")),
    field("099", ("t", "LIV")),
    field("100", ("a", "20240101d1996    m  y0frey50      ba")),
    field("200", ("a", "La cité des permutants"), ("e", "roman"), ("f", "Greg Egan")),
    field("210", ("a", "Paris"), ("d", "1996")),
    field("225", ("a", "Ailleurs et demain"), ("i", "Classiques")),
    field("330", ("a", "Un programme copie"), ("2", "x")),
    field("330", ("a", "des esprits.")),
    field("410", ("t", "Ailleurs et demain")),
    field("606", ("a", "Intelligence artificielle"), ("x", "Romans"), ("2", "rameau")),
    field("607", ("a", "Australie"), ("y", "Fiction")),
    field("600", ("a", "Turing"), ("b", "Alan"), ("3", "12345")),
    field("608", ("a", "Roman de science-fiction"), ("2", "rameau")),
    field("676", ("a", "823.914"), ("v", "23")),
    field("700", ("a", "Egan"), ("b", "Greg"), ("4", "070")),
    field("995", ("b", "MED"), ("h", "ALTIGSF"), ("k", "SF EGA"), ("e", "Adultes"), ("w", "40")),
    field("995", ("b", "MED"), ("h", "ALTIGSF"), ("k", "SF EGA 2"), ("e", "Adultes"), ("w", "3")),
    field("995", ("b", "ANX"), ("h", "JEUNES"), ("k", "J SF EGA"), ("e", "Jeunesse"), ("w", "beaucoup")),
    control=(("001", "11596"), ("003", "https://catalogue.example/KH11596")))


def test_a_unimarc_record_gives_every_field_the_matcher_reads():
    read_ = read(EGAN, collection_labels={"ALTIGSF": "ALT - SF"})
    assert read_.format == "UNIMARC" and read_.skipped == [] and read_.notes == []
    [egan] = read_.items
    assert egan.model_dump() == {
        "id": "11596", "title": "La cité des permutants : roman", "author": "Greg Egan", "year": 1996,
        "subjects": ["Turing -- Alan", "Intelligence artificielle -- Romans", "Australie -- Fiction"],
        "genres": ["Roman de science-fiction"], "dewey": "823.914", "branch_id": "MED",
        "url": "https://catalogue.example/KH11596", "loans": 43,
        "call_numbers": ["SF EGA", "SF EGA 2", "J SF EGA"], "shelves": ["ALTIGSF", "JEUNES", "Adultes", "Jeunesse"],
        "extra": {"format": "UNIMARC", "doc_type": "LIV", "series": ["Ailleurs et demain Classiques",
                                                                     "Ailleurs et demain"],
                  "summary": "Un programme copie des esprits.", "collections": ["ALT - SF", "JEUNES"],
                  "collection_codes": ["ALTIGSF", "JEUNES"], "call_numbers": ["SF EGA", "SF EGA 2", "J SF EGA"],
                  "locations": ["Adultes", "Jeunesse"], "isbn": "2-207-24448-0"}}
    # without labels the collections are the codes; a branch_of decides the branch from all the owners
    asked = []
    [plain] = read(EGAN, branch_of=lambda rid, owners: asked.append((rid, owners)) or owners[-1]).items
    assert plain.extra["collections"] == ["ALTIGSF", "JEUNES"] and plain.branch_id == "ANX"
    assert asked == [("11596", ["MED", "ANX"])]


def test_unimarc_authors_and_years_from_their_other_fields():
    def one(*fields, control=(("001", "1"),)):
        return read(record(*fields, control=control)).items[0]

    title = field("200", ("a", "Titre"), ("f", "Mention de responsabilité"))
    assert one(title, field("701", ("a", "Dupont"), ("b", "Anne")), field("710", ("a", "Collectif"))).author == (
        "Anne Dupont")
    assert one(title, field("710", ("a", "Médiathèque de Roubaix"))).author == "Médiathèque de Roubaix"
    assert one(title, field("700", ("a", "Sans prénom"))).author == "Sans prénom"
    assert one(title).author == "Mention de responsabilité"
    assert one(title, field("214", ("d", "P 2019"))).year == 2019
    assert one(title, field("210", ("d", "s.d.")), field("214", ("d", "2018"))).year == 2018
    assert one(title, field("100", ("a", "20240101d2003    m  y0frey50      ba"))).year == 2003
    assert one(title, field("100", ("a", "20240101d20"))).year is None
    assert one(title, field("210", ("d", "1499"))).year is None  # not a publishing year a library buys
    assert one(title, field("210", ("d", "2099"))).year == 2099
    # the id of a record without 001 from its 090$a (Koha's biblionumber)
    assert one(field("090", ("a", "  4242 ")), title, control=()).id == "4242"


def test_dewey_from_a_call_number_for_printed_text_only():
    def dewey(leader, *calls):
        fields = [field("200", ("a", "Titre"))] + [field("995", ("b", "MED"), ("k", c)) for c in calls]
        return read(record(*fields, leader=leader, control=(("001", "1"),))).items[0].dewey

    assert dewey("00000nam0 22000001i 4500", "R POL", "641.5 CUI", "709 ART") == "641.5"
    assert dewey("00000ngm0 22000001i 4500", "641.5 CUI") == ""  # a film: another classification
    assert dewey("00000njm0 22000001i 4500", "780 BEE") == ""  # a recording: PCDM, not Dewey
    assert dewey("00000nam0 22000001i 4500", "R POL") == ""


@pytest.mark.parametrize("call,expected", [("641.5 CUI", "641.5"), ("E/709 FET", "709"), ("e / 709", "709"),
                                           ("ABCD/843", "843"), ("ABCDE/843", ""), ("843", "843"),
                                           ("  843.914 EGA", "843.914"), ("8431 X", ""), ("84 X", ""),
                                           ("843.X", ""), ("", ""), (None, "")])
def test_the_dewey_number_a_call_number_begins_with(call, expected):
    assert dewey_of_call_number(call) == expected


FURTIFS = (
    field("020", ("a", "978-2-37022-000-0")),
    field("100", ("a", "Damasio, Alain"), indicators=("1", " ")),
    field("245", ("a", "Les furtifs :"), ("b", "roman /"), ("c", "Alain Damasio"), indicators=("1", "4")),
    field("264", ("c", "2019")),
    field("260", ("c", "2018")),
    field("490", ("a", "Volumes")),
    field("830", ("a", "Folio SF")),
    field("520", ("a", "Une société de contrôle.")),
    field("520", ("a", "Des êtres invisibles.")),
    field("600", ("a", "Deleuze, Gilles"), ("d", "1925-1995"), ("2", "x")),
    field("650", ("a", "Science-fiction française"), ("v", "Romans"), ("0", "(IdRef)123")),
    field("651", ("a", "France"), ("z", "Paris")),
    field("655", ("a", "Romans"), ("v", "Anticipation"), ("2", "rameau")),
    field("856", ("u", "https://catalogue.example/furtifs")),
    field("952", ("a", "17615"), ("8", "SF"), ("o", "SF DAM"), ("l", "12"), ("c", "ADULTE")),
    field("952", ("a", "5425"), ("8", "SF"), ("o", "SF DAM"), ("l", "")),
)


def test_a_marc21_record_gives_every_field_the_matcher_reads():
    data = record(*FURTIFS, leader="00000nam a2200000 a 4500",
                  control=(("001", "m21-1"), ("008", "240101s2021    fr            000 1 fre d")))
    read_ = read(data, collection_labels={"SF": "Science-fiction"})
    assert read_.format == "MARC21"
    assert read_.items[0].model_dump() == {
        "id": "m21-1", "title": "Les furtifs : roman", "author": "Damasio, Alain", "year": 2019,
        "subjects": ["Deleuze, Gilles -- 1925-1995", "Science-fiction française -- Romans", "France -- Paris"],
        "genres": ["Romans -- Anticipation"], "dewey": "", "branch_id": "17615",
        "url": "https://catalogue.example/furtifs", "loans": 12, "call_numbers": ["SF DAM"],
        "shelves": ["SF", "ADULTE"],
        "extra": {"format": "MARC21", "series": ["Volumes", "Folio SF"],
                  "summary": "Une société de contrôle. Des êtres invisibles.", "collections": ["Science-fiction"],
                  "collection_codes": ["SF"], "call_numbers": ["SF DAM", "SF DAM"], "isbn": "978-2-37022-000-0"}}


def test_marc21_ids_authors_years_and_dewey_from_their_other_fields():
    def one(*fields, control=(("001", "1"),)):
        return read(record(*fields, leader="00000nam a2200000 a 4500", control=control)).items[0]

    title = field("245", ("a", "Titre"))
    assert one(title, field("110", ("a", "Médiathèque"))).author == "Médiathèque"
    assert one(title, field("260", ("c", "c2015"))).year == 2015
    assert one(title, control=(("001", "1"), ("008", "240101s2021    fr"))).year == 2021
    assert one(field("999", ("c", "77")), title, control=()).id == "77"
    assert one(title, field("952", ("a", "MED"), ("o", "641.5 CUI"))).dewey == "641.5"
    assert one(title, field("082", ("a", "843")), field("952", ("a", "MED"), ("o", "641.5 CUI"))).dewey == "843"


def test_damaged_records_cost_only_themselves_with_their_reason_in_french():
    good = record(field("200", ("a", "Bon")), control=(("001", "1"),))
    wrong_length = b"99999" + good[5:]
    not_a_length = b"abcde" + good[5:]
    no_title = record(field("300", ("a", "Note")), control=(("001", "3"),))
    empty_title = record(field("200", ("a", " ")), control=(("001", "4"),))
    data = b"\r\n".join([good, wrong_length, not_a_length, no_title, empty_title, good]) + b"\n\n"
    read_ = read_catalogue("notices.mrc", data=data)
    assert [i.id for i in read_.items] == ["1", "1"]
    assert read_.skipped == [
        ("notice n° 2", f"notice tronquée ou mal délimitée (longueur annoncée 99999, lue {len(good)})"),
        ("notice n° 3", "longueur de notice illisible (les 5 premiers caractères ne sont pas un nombre)"),
        ("notice n° 4", "ni titre UNIMARC (200) ni titre MARC21 (245)"),
        ("notice n° 5", "titre vide (UNIMARC 200$a, MARC21 245$a)")]
    assert read_.notes == [
        "notices.mrc : 4 notice(s) illisible(s) ignorée(s) — notice n° 2 : notice tronquée ou mal délimitée "
        f"(longueur annoncée 99999, lue {len(good)}); notice n° 3 : longueur de notice illisible (les 5 premiers "
        "caractères ne sont pas un nombre); notice n° 4 : ni titre UNIMARC (200) ni titre MARC21 (245); notice "
        "n° 5 : titre vide (UNIMARC 200$a, MARC21 245$a)."]


def with_base_address(data: bytes, base: int) -> bytes:
    return data[:12] + b"%05d" % base + data[17:]


GOOD = record(field("200", ("a", "Bon")), control=(("001", "1"),))


@pytest.mark.parametrize("damaged,reason", [
    (with_base_address(GOOD, 0), "adresse de base absente"),
    (with_base_address(GOOD, 9999), "adresse de base invalide"),
    (with_base_address(GOOD, int(GOOD[12:17]) + 1), "répertoire de notice invalide"),
    (b"00026nam0 22000251i 4500\x1e\x1d", "aucune zone dans la notice"),
])
def test_a_record_pymarc_cannot_decode_is_skipped_with_the_reason_in_french(damaged, reason):
    read_ = read_catalogue("notices.mrc", data=GOOD + damaged)
    assert read_.skipped == [("notice n° 2", reason)]


def test_eleven_damaged_records_are_counted_and_the_first_ten_shown():
    good = record(field("200", ("a", "Bon")), control=(("001", "1"),))
    read_ = read_catalogue("notices.mrc", data=good + b"abcde\x1d" * 11)
    [note] = read_.notes
    assert note.startswith("notices.mrc : 11 notice(s) illisible(s) ignorée(s) — notice n° 2 : longueur")
    assert "notice n° 11 :" in note and "notice n° 12" not in note and note.endswith("nombre) ….")


def test_a_file_without_a_readable_record_is_refused_with_the_first_reason():
    with pytest.raises(InputError) as err:
        read_catalogue("notices.mrc", data=record(field("300", ("a", "Note")), control=(("001", "1"),)))
    assert str(err.value) == ("notices.mrc : aucune notice MARC lisible (notice n° 1 : ni titre UNIMARC (200) ni "
                              "titre MARC21 (245)). Vérifiez que le fichier est un export ISO 2709 (UNIMARC ou "
                              "MARC21) complet.")
    assert str(no_marc_record("gros.mrc", [("notice n° 9", "notice tronquée")])) == (
        "gros.mrc : aucune notice MARC lisible (notice n° 9 : notice tronquée). Vérifiez que le fichier est un "
        "export ISO 2709 (UNIMARC ou MARC21) complet.")
    assert str(no_marc_record("gros.mrc", [])).startswith("gros.mrc : aucune notice MARC lisible. Vérifiez")


def test_records_without_001_are_identified_and_the_note_says_how():
    data = (record(field("035", ("a", "(PMB)12")), field("200", ("a", "A")))
            + record(field("200", ("a", "B")), control=(("003", "https://cat/B"),))
            + record(field("200", ("a", "C"))))
    read_ = read_catalogue("pmb.mrc", data=data)
    assert [i.id for i in read_.items] == ["(PMB)12", "https://cat/B", "notice-3"]
    assert read_.notes == ["pmb.mrc : 3 notice(s) sans numéro 001, identifiée(s) par numéro 035 (1), identifiant "
                           "003 (1), position dans le fichier (1) ; ajoutez le 001 à l'export pour des identifiants "
                           "stables d'un import à l'autre."]


def test_a_file_mixing_unimarc_and_marc21_says_both():
    data = EGAN + record(*FURTIFS, leader="00000nam a2200000 a 4500", control=(("001", "m21-1"),))
    assert read(data).format == "MARC21 + UNIMARC"


def test_records_one_at_a_time_as_a_long_file_is_read_in_chunks():
    good = record(field("200", ("a", "Bon")), field("995", ("b", "MED")), control=(("001", "1"),))
    found = list(marc_items(good + b"abcde\x1d" + record(field("300", ("a", "x"))), first=101))
    assert [(where, item.id if item else None, said) for where, item, said in found] == [
        ("notice n° 101", "1", "UNIMARC"),
        ("notice n° 102", None, "longueur de notice illisible (les 5 premiers caractères ne sont pas un nombre)"),
        ("notice n° 103", None, "ni titre UNIMARC (200) ni titre MARC21 (245)")]
    assert found[0][1].branch_id == "MED"
    [(_, item, _)] = marc_items(good, branch_of=lambda rid, owners: f"{rid}@{owners[0]}")
    assert item.branch_id == "1@MED"
    assert [w for w, _, _ in marc_items(good)] == ["notice n° 1"]


def test_the_note_on_skipped_records_counts_them_all():
    skipped = [(f"notice n° {n}", "notice tronquée") for n in range(1, 4)]
    assert skipped_notes("gros.mrc", []) == []
    assert skipped_notes("gros.mrc", skipped) == [
        "gros.mrc : 3 notice(s) illisible(s) ignorée(s) — notice n° 1 : notice tronquée; notice n° 2 : notice "
        "tronquée; notice n° 3 : notice tronquée."]
    [note] = skipped_notes("gros.mrc", skipped, count=11)  # only the first ones were kept of a long file
    assert note.startswith("gros.mrc : 11 notice(s) illisible(s)") and note.endswith("tronquée ….")
    [note] = skipped_notes("gros.mrc", skipped * 4)
    assert note.startswith("gros.mrc : 12 notice(s)") and note.count("notice n°") == 10


@pytest.mark.parametrize("raw,expected", [
    (b"00026nam0 22000251i 4500\x1d", True),
    (b"00013nam0 22\x1d", False),  # shorter than a leader
    (b"0002xnam0 22000251i 4500\x1d", False),
    (b"00026nam0 x2000251i 4500\x1d", False),  # the indicator and subfield counts are digits
    (b"00026nam0 2x000251i 4500\x1d", False),
    (b"00026nam0 22000251i 4500", False),  # no record terminator
])
def test_what_is_taken_for_iso2709(raw, expected):
    assert is_iso2709(raw) is expected


MARCXML = ("<?xml version='1.0' encoding='UTF-8'?><collection xmlns='http://www.loc.gov/MARC21/slim'>"
           "<record><leader>00000nam0 22000001i 4500</leader><controlfield tag='001'>x1</controlfield>"
           "<datafield tag='200' ind1='1' ind2=' '><subfield code='a'>Dune</subfield></datafield>"
           "<datafield tag='995' ind1=' ' ind2=' '><subfield code='b'>MED</subfield></datafield></record>"
           "<record><leader>00000nam0 22000001i 4500</leader><controlfield tag='001'>x2</controlfield>"
           "</record></collection>")


def test_marcxml_records_are_read_like_iso2709_and_untitled_ones_skipped():
    read_ = read_catalogue("notices.xml", data=MARCXML.encode(), branch_of=lambda rid, owners: f"{rid}:{owners}")
    assert read_.format == "UNIMARC (XML)"
    assert [(i.id, i.title, i.branch_id) for i in read_.items] == [("x1", "Dune", "x1:['MED']")]
    assert read_.skipped == [("notice n° 2", "ni titre UNIMARC (200) ni titre MARC21 (245)")]
    only_untitled = MARCXML.replace("<subfield code='a'>Dune</subfield>", "")
    with pytest.raises(InputError) as err:
        read_catalogue("notices.xml", data=only_untitled.encode())
    assert str(err.value) == ("notices.xml : aucune notice MARC lisible (notice n° 1 : titre vide (UNIMARC 200$a, "
                              "MARC21 245$a)). Vérifiez que les notices ont un titre (UNIMARC 200$a, MARC21 245$a).")
    with pytest.raises(InputError) as err:
        read_catalogue("vide.xml", data=b"<collection xmlns='http://www.loc.gov/MARC21/slim'/>")
    assert str(err.value) == ("vide.xml : aucune notice (<record>) dans ce fichier XML. Exportez les notices en "
                              "MARCXML (<collection> de <record>) ou en MarcXchange.")


def test_csv_columns_under_their_other_names_and_what_is_kept_aside():
    data = ("Notice;Titre;Auteur;Année;Sujets;Forme;Indice;Site;Lien;Nombre de prêts;collection_lib;resume;"
            "collection_editoriale;Cote;Section;vide\n"
            "b1;Les furtifs;Damasio;©2019;SF || Anticipation;Roman | Poche;843.92 | 843;17615;https://cat/b1;12;"
            "ALT - SF | Poches;Une société;Folio SF;SF DAM;Adultes;\n").encode()
    [item] = read_catalogue_csv("export.csv", data=data).items
    assert item.model_dump() == {
        "id": "b1", "title": "Les furtifs", "author": "Damasio", "year": 2019, "subjects": ["SF", "Anticipation"],
        "genres": ["Roman", "Poche"], "dewey": "843.92", "branch_id": "17615", "url": "https://cat/b1", "loans": 12,
        "call_numbers": ["SF DAM"], "shelves": ["Adultes"],
        "extra": {"collection_lib": "ALT - SF | Poches", "resume": "Une société", "collection_editoriale": "Folio SF",
                  "Cote": "SF DAM", "Section": "Adultes", "collections": ["ALT - SF", "Poches"],
                  "summary": "Une société", "series": ["Folio SF"]}}
    [item] = read_catalogue_csv("export.csv", data=b"id,title,summary,series\n1,A,Court,Une | Deux\n").items
    assert (item.extra["summary"], item.extra["series"]) == ("Court", ["Une", "Deux"])


def test_csv_rows_get_the_default_branch_and_a_dewey_from_their_print_call_number():
    data = (b"id,title,cote,support,branch_id\n1,Cuisine,641.5 CUI,Livre,\n2,Film,641.5 CUI,DVD,\n"
            b"3,Cuisine,641.5 CUI,Livre,ANX\n")
    first, film, annex = read_catalogue_csv("export.csv", data=data, default_branch="MED").items
    assert (first.dewey, first.branch_id) == ("641.5", "MED")
    assert (film.dewey, film.branch_id) == ("", "MED")
    assert annex.branch_id == "ANX"
    [item] = read_catalogue_csv("e.csv", data=b"id,title,dewey,cote\n1,A,843,641.5 CUI\n").items
    assert item.dewey == "843"  # a Dewey column wins over the call number
    assert read_catalogue("e.csv", data=b"id,title\n1,A\n", default_branch="MED").items[0].branch_id == "MED"


def test_bad_csv_rows_are_told_by_line():
    data = b"id,title,loans,branch_id\n1,A,-2,MED\n1,B,,MED\n1,C,,ANX\n1,D,,MED\n2,E,1.5,\n2,F,,\n2,G,,\n"
    read_ = read_catalogue_csv("e.csv", data=data)
    assert [(i.id, i.title, i.branch_id) for i in read_.items] == [("1", "B", "MED"), ("1", "C", "ANX"),
                                                                   ("2", "F", "")]
    assert read_.skipped == [("ligne 2", "nombre de prêts « -2 » illisible (loans)"),
                             ("ligne 5", "identifiant « 1 » déjà vu ligne 3 pour la même bibliothèque"),
                             ("ligne 6", "nombre de prêts « 1.5 » illisible (loans)"),
                             ("ligne 8", "identifiant « 2 » déjà vu ligne 7")]
    assert read_.notes[-1] == (
        "e.csv : 4 ligne(s) ignorée(s) — ligne 2 : nombre de prêts « -2 » illisible (loans); ligne 5 : identifiant "
        "« 1 » déjà vu ligne 3 pour la même bibliothèque; ligne 6 : nombre de prêts « 1.5 » illisible (loans); "
        "ligne 8 : identifiant « 2 » déjà vu ligne 7. Corrigez-les dans l'export pour qu'elles comptent.")
    assert read_.format == "CSV (UTF-8, séparateur « , »)"
    zero = read_catalogue_csv("e.csv", data=b"id,title,loans\n1,A,0\n").items[0]
    assert zero.loans == 0


def test_eleven_bad_csv_rows_show_ten():
    data = b"id,title\n" + b"".join(b"%d,\n" % n for n in range(11)) + b"99,Bon\n"
    note = read_catalogue_csv("e.csv", data=data).notes[-1]
    assert note.startswith("e.csv : 11 ligne(s) ignorée(s) — ligne 2 : titre vide;")
    assert "ligne 11 : titre vide …. Corrigez-les" in note and "ligne 12" not in note


ROW_FIX = ("Chaque ligne doit avoir un titre (et un id, s'il y a une colonne id, unique par bibliothèque) ; les "
           "prêts sont un nombre entier ou vide.")


@pytest.mark.parametrize("data,message", [
    (b"id,title\n1,\n,B\n", f"e.csv : 2 problème(s) à corriger :\n  - ligne 2 : titre vide.\n  - ligne 3 : "
                             f"identifiant vide. {ROW_FIX}"),
    (b"id,title,loans\n1,A,x\n", f"e.csv — ligne 2 : aucune ligne lisible (nombre de prêts « x » illisible (loans)). "
                                 f"{ROW_FIX}"),
    (b"id,auteur\n1,A\n", "e.csv — ligne 1 (en-tête) : colonne(s) manquante(s) : title (colonnes trouvées : id, "
                          "auteur). Le catalogue doit avoir au moins une colonne title (ou titre) : "
                          "id,title,author,year,subjects,genre,dewey,branch_id."),
])
def test_a_csv_with_no_readable_row_is_refused_with_every_reason(data, message):
    with pytest.raises(InputError) as err:
        read_catalogue_csv("e.csv", data=data)
    assert str(err.value) == message


def test_a_list_of_titles_is_identified_by_line_and_says_so():
    read_ = read_catalogue_csv("top.csv", data=b"titre;prets\nDune;12\nSolaris;3\n")
    assert [(i.id, i.title, i.loans) for i in read_.items] == [("ligne-2", "Dune", 12), ("ligne-3", "Solaris", 3)]
    assert read_.notes == ["top.csv : pas de colonne id ; chaque notice est identifiée par son numéro de ligne."]


def test_koha_authorised_values_of_one_category(tmp_path):
    path = tmp_path / "authorised_values.csv"
    path.write_text("category,authorised_value,lib\nCOLLECTION,ALTIGSF,ALT - SF\nLOC,ALTIGSF,Autre\n"
                    "COLLECTION,JEU,Jeunesse\n", encoding="utf-8")
    assert read_authorised_values(path) == {"ALTIGSF": "ALT - SF", "JEU": "Jeunesse"}
    assert read_authorised_values(path, "LOC") == {"ALTIGSF": "Autre"}
    path.write_text("category,code\nCOLLECTION,A\n", encoding="utf-8")
    with pytest.raises(InputError, match="authorised_value, lib"):
        read_authorised_values(path)


# ---------------------------------------------------------------------- every heading tag and code, by format
# (the catalogue's mutation run, bench/mutation-survivors-catalogue.txt: each tag and subfield code counts)

def every_code(tag: str) -> pymarc.Field:
    """A field of `tag` with every lower-case code, an upper-case one and a digit one, valued after them."""
    return field(tag, *((code, f"{code}{tag}") for code in "abcdefghijklmnopqrstuvwxyzX23"))


def headings(tag_codes: dict[str, str]) -> list[str]:
    return [" -- ".join(f"{code}{tag}" for code in codes) for tag, codes in tag_codes.items()]


def test_unimarc_subjects_genres_and_series_take_their_tags_and_codes_only():
    subject_tags = ("600", "601", "602", "604", "605", "606", "607")
    data = record(field("200", ("a", "Titre")), *(every_code(tag) for tag in subject_tags), every_code("608"),
                  every_code("603"),  # no subject tag in UNIMARC
                  field("225", ("a", "Série"), ("v", "3"), ("i", "Partie"), ("a", "")),
                  control=(("001", "1"),))
    [item] = read(data).items
    assert item.subjects == headings({tag: "abcjtxyz" for tag in subject_tags})
    assert item.genres == headings({"608": "axyz"})
    assert item.extra["series"] == ["Série Partie"]  # $v (the volume) is not the series' name


def test_marc21_subjects_and_genres_take_their_tags_and_codes_only():
    subject_tags = ("600", "610", "611", "630", "648", "650", "651")
    data = record(field("245", ("a", "Malcolm X /")), *(every_code(tag) for tag in subject_tags),
                  every_code("655"), every_code("653"),  # uncontrolled terms: not read
                  leader="00000nam a2200000 a 4500", control=(("001", "1"), ("008", "240101s20212022fr")))
    [item] = read(data).items
    assert item.subjects == headings({tag: "abcdtvxyz" for tag in subject_tags})
    assert item.genres == headings({"655": "avxyz"})
    assert item.title == "Malcolm X"  # the ISBD's closing " /" goes, a title's own last letter stays
    assert item.year == 2021  # 008's first date, not its first date run into its second


def test_unimarc_author_and_year_edge_cases():
    def one(*fields):
        return read(record(field("200", ("a", "Titre")), *fields, control=(("001", "1"),))).items[0]

    # forename then surname: the first forename and the first surname, not a second surname after them
    assert one(field("700", ("a", "Dupont"), ("a", "Durand"), ("b", "Anne"))).author == "Anne Dupont"
    assert one(field("100", ("a", "20240101d2003"))).year == 2003  # 100$a just long enough for its date


def test_a_record_pymarc_cannot_read_costs_only_itself_among_others():
    good = record(field("200", ("a", "Bon")), control=(("001", "2"),))
    untitled = record(field("700", ("a", "Sans titre")), control=(("001", "1"),))
    read_ = read(untitled, good, good.replace(b"Bon", b"Vif").replace(b"2\x1e", b"3\x1e"))
    assert [i.title for i in read_.items] == ["Bon", "Vif"] and read_.skipped[0][0] == "notice n° 1"


def test_marcxml_collections_are_labelled_and_csv_keeps_its_file_name():
    labelled = MARCXML.replace("<subfield code='b'>MED</subfield>",
                               "<subfield code='b'>MED</subfield><subfield code='h'>ALTIGSF</subfield>")
    [item] = read_catalogue("notices.xml", data=labelled.encode(), collection_labels={"ALTIGSF": "ALT - SF"}).items
    assert item.extra["collections"] == ["ALT - SF"]
    read_ = read_catalogue("mon export.csv", data=b"id,title,author,url\n1,A,,\n")
    assert read_.path == "mon export.csv" and (read_.items[0].author, read_.items[0].url) == ("", "")
    with pytest.raises(InputError) as err:
        read_catalogue("vide.mrc", data=b"")
    assert err.value.file == "vide.mrc" and err.value.fix == "Choisissez un export du catalogue."


# ---------------------------------------------------------------------- the survivors of the second run
# (bench/mutation-survivors-catalogue.txt at 231984d; the equivalent ones are in bench/mutation-equivalent.tsv)

MARC21_LEADER = "00000nam a2200000 a 4500"  # leader/09 "a": the record says it is in UTF-8


def test_a_record_without_loans_or_copies_has_neither():
    words_only = record(field("200", ("a", "A")), field("995", ("b", "MED"), ("w", "beaucoup")), control=(("001", "1"),))
    no_copy = record(field("200", ("a", "B")), control=(("001", "2"),))
    assert [(i.loans, i.branch_id) for i in read(words_only, no_copy).items] == [(None, "MED"), (None, "")]


def test_a_700_written_as_a_control_field_leaves_the_author_to_200f():
    xml = ("<collection xmlns='http://www.loc.gov/MARC21/slim'><record><leader>00000nam0 22000001i 4500</leader>"
           "<controlfield tag='001'>x1</controlfield><controlfield tag='700'>Egan</controlfield>"
           "<datafield tag='200' ind1='1' ind2=' '><subfield code='a'>Axiomatique</subfield>"
           "<subfield code='f'>Greg Egan</subfield></datafield></record></collection>")
    [item] = read_catalogue("notices.xml", data=xml.encode()).items
    assert (item.title, item.author) == ("Axiomatique", "Greg Egan")


def damaged_utf8(rid: str) -> bytes:
    """A MARC21 record said to be in UTF-8 whose title has a valid « é » and then a byte UTF-8 has not."""
    good = record(field("245", ("a", "Cafés")), leader=MARC21_LEADER, control=(("001", rid),))
    return good.replace("Cafés".encode(), b"Caf\xc3\xa9\xff")  # same length: the directory stays right


def test_unreadable_characters_are_told_by_record_and_a_file_full_of_them_refused():
    good = record(field("245", ("a", "Bon")), leader=MARC21_LEADER, control=(("001", "1"),))
    read_ = read(good, damaged_utf8("2"))
    assert [i.title for i in read_.items] == ["Bon", "Café\ufffd"]
    assert read_.notes == ["notices.mrc : 1 caractère(s) illisible(s) remplacé(s) par « \ufffd » dans 1 notice(s) "
                           "(n° 2) ; corrigez-les dans le SIGB."]
    with pytest.raises(InputError) as err:
        read(damaged_utf8("1"), damaged_utf8("2"))
    assert err.value.file == "notices.mrc"
    assert str(err.value).startswith("notices.mrc : 2 notice(s) sur 2 contiennent des caractères illisibles")


def test_a_record_whose_bytes_fit_two_character_sets_takes_the_one_its_file_showed():
    # no 100: these UNIMARC records declare no character set; « \xc2e » is ISO 5426's é (accent before its
    # letter), which Latin-1 cannot be, and \xfa is œ in ISO 5426 but ú in Latin-1
    school = record(field("200", ("a", "Aecole")), control=(("001", "1"),)).replace(b"Aecole", b"\xc2ecole")
    heart = record(field("200", ("a", "Cxur")), control=(("001", "2"),)).replace(b"Cxur", b"C\xfaur")
    assert [i.title for i in read(school, heart).items] == ["école", "Cœur"]
    assert [i.title for i in read(heart).items] == ["Cúur"]  # alone, it is read as Latin-1


def test_ten_skipped_records_or_rows_are_all_shown_without_an_ellipsis():
    good = record(field("200", ("a", "Bon")), control=(("001", "1"),))
    [note] = read_catalogue("notices.mrc", data=good + b"abcde\x1d" * 10).notes
    assert note.startswith("notices.mrc : 10 notice(s)") and note.endswith("pas un nombre).")
    assert "notice n° 11 :" in note
    skipped = [(f"notice n° {n}", "notice tronquée") for n in range(1, 11)]
    assert skipped_notes("gros.mrc", skipped)[0].endswith("notice n° 10 : notice tronquée.")
    data = b"id,title\n" + b"".join(b"%d,\n" % n for n in range(10)) + b"99,Bon\n"
    note = read_catalogue_csv("e.csv", data=data).notes[-1]
    assert note.endswith("ligne 11 : titre vide. Corrigez-les dans l'export pour qu'elles comptent.")


def test_an_upload_is_named_by_its_file_name_not_by_its_temporary_path():
    good = record(field("200", ("a", "Bon")), control=(("001", "1"),))
    for data in (good, MARCXML.encode(), b"id,title\n1,A\n"):
        assert read_catalogue("/tmp/tmp8x2k1q", data=data, name="catalogue.dat").path == "catalogue.dat"
    with pytest.raises(InputError) as err:
        read_catalogue("/tmp/tmp8x2k1q", data=b"<collection><record>", name="notices.xml")
    assert err.value.file == "notices.xml" and str(err.value).startswith("notices.xml : XML illisible ligne 1")


def test_bytes_without_a_record_are_refused_as_read_marc_says_it():
    with pytest.raises(InputError) as err:
        read_marc(b"\r\n", "vide.mrc")
    assert str(err.value) == ("vide.mrc : aucune notice MARC lisible. Vérifiez que le fichier est un export ISO "
                              "2709 (UNIMARC ou MARC21) complet.")


def test_only_line_ends_and_spaces_between_records_are_passed_over():
    good = record(field("200", ("a", "Bon")), control=(("001", "1"),))
    read_ = read(good, b"\r\n " + good, b"\t" + good, b"X" + good)
    assert [i.id for i in read_.items] == ["1", "1"]
    assert read_.skipped == [(f"notice n° {n}", "longueur de notice illisible (les 5 premiers caractères ne "
                                                "sont pas un nombre)") for n in (3, 4)]


def test_a_first_record_pymarc_fails_on_in_its_own_way_costs_only_itself():
    good = record(field("200", ("a", "Bon")), control=(("001", "1"),))
    letter_in_base_address = good[:12] + b"x" + good[13:]  # still ISO 2709: leader/10-11 are digits
    read_ = read_catalogue("notices.mrc", data=letter_in_base_address + good)
    assert read_.skipped == [("notice n° 1", "notice illisible (ValueError)")]
    assert [i.title for i in read_.items] == ["Bon"]
    # a base address at the record's very end, not inside it (pymarc reads nothing past the terminator)
    read_ = read_catalogue("notices.mrc", data=good + with_base_address(good, len(good)))
    assert read_.skipped == [("notice n° 2", "adresse de base invalide")]


def test_a_record_terminator_is_looked_for_where_the_longest_record_can_end():
    head = b"99999nam0 22000251i 4500"
    assert is_iso2709(head + b" " * (99999 - 24) + b"\x1d")  # the terminator at byte 99,999 (from 0)
    assert not is_iso2709(head + b" " * (100000 - 24) + b"\x1d")  # at byte 100,000: past any record


def test_a_record_with_both_200_and_245_is_marc21():
    both = record(field("200", ("a", "Titre local")), field("245", ("a", "The title")), leader=MARC21_LEADER,
                  control=(("001", "1"),))
    read_ = read(both)
    assert (read_.format, read_.items[0].title) == ("MARC21", "The title")


def test_coded_dates_are_read_at_their_fixed_positions_only():
    # a stray space shifts the date by one: what is at the date's positions is no year, and none is made up
    shifted_008 = record(field("245", ("a", "T")), leader=MARC21_LEADER,
                         control=(("001", "1"), ("008", "240101s 2015    fr")))
    shifted_100 = record(field("100", ("a", "20240101d 1996    m  y0frey50      ba")), field("200", ("a", "T")),
                         control=(("001", "2"),))
    assert [i.year for i in read(shifted_008, shifted_100).items] == [None, None]


def test_records_one_at_a_time_keep_their_position_and_labels_and_go_on_after_an_untitled_one():
    untitled = record(field("300", ("a", "Note")))
    without_001 = record(field("200", ("a", "Sans numéro")), field("995", ("b", "MED"), ("h", "ALTIGSF")))
    found = list(marc_items(untitled + without_001, first=41, collection_labels={"ALTIGSF": "ALT - SF"}))
    assert [(where, item.id if item else None) for where, item, _ in found] == [
        ("notice n° 41", None), ("notice n° 42", "notice-42")]
    assert found[1][1].extra["collections"] == ["ALT - SF"]


def test_authorised_values_without_their_category_column_are_refused_in_french(tmp_path):
    path = tmp_path / "authorised_values.csv"
    path.write_text("authorised_value,lib\nALTIGSF,ALT - SF\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"colonne\(s\) manquante\(s\) : category "):
        read_authorised_values(path)


def test_a_csv_without_optional_columns_or_with_empty_cells_gives_empty_fields():
    read_ = read_catalogue("titres.csv", data=b"id,title,subjects,genre,dewey,editeur\n1,Dune,,,,Laffont\n")
    [item] = read_.items
    assert (item.author, item.url, item.branch_id, item.subjects, item.genres, item.dewey) == ("", "", "", [], [], "")
    assert item.extra == {"editeur": "Laffont"}  # no summary made up when the file has none


def test_a_marc_file_is_held_to_the_marc_size_limit(monkeypatch):
    # the limit is lowered below a record's size: a catalogue's limit (256 MB) is the one applied, not a
    # CSV's (64 MB), which a large UNIMARC export passes
    good = record(field("200", ("a", "Bon")), control=(("001", "1"),))
    monkeypatch.setattr(catalogue_module, "MAX_MARC_BYTES", len(good) - 1)
    with pytest.raises(InputError) as err:
        read_catalogue("notices.mrc", data=good)
    assert err.value.file == "notices.mrc"


def fields_of(data: bytes):
    return fields_of_record(pymarc.Record(data=data, to_unicode=True, force_utf8=True))


def test_a_harvested_record_without_001_keeps_its_server_identifier():
    without_001 = fields_of(record(field("200", ("a", "A")), field("995", ("b", "MED"))))
    made = record_fields(without_001, 7, None)
    assert (made.fields["id"], made.id_source, made.owners, made.fields["branch_id"]) == (
        "notice-7", "position", ["MED"], "MED")
    made = record_fields(without_001, 7, None, identifier="oai:koha:12")
    assert (made.fields["id"], made.fields["branch_id"]) == ("oai:koha:12", "MED")
    assert record_item(without_001, 7, None, identifier="oai:koha:12").item.id == "oai:koha:12"
    made = record_fields(fields_of(record(field("200", ("a", "A")), control=(("001", "5"),))), 7, None,
                         identifier="oai:koha:12")
    assert (made.fields["id"], made.id_source, made.owners) == ("5", "", [])
