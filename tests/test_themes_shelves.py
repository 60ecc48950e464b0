"""Shelf codes and call numbers: read under the names real exports use, mapped to themes by the shelf map."""

from __future__ import annotations

import io

import pymarc
import pytest

from outreach.errors import InputError
from outreach.model import CatalogueItem
from outreach.sources.catalogue import read_catalogue
from outreach.themes import load_themes, match_items
from outreach.themes.shelves import (
    load_shelf_map,
    network_entries,
    propose_shelf_map,
    read_shelf_map,
    save_shelf_map,
)
from tests.support import ROOT

ROUBAIX_FLAT = ROOT.parent / "shared" / "data" / "catalogue" / "roubaix-sample-2383-flat.csv"


@pytest.fixture(autouse=True)
def own_settings(tmp_path, monkeypatch):
    """The network's shelf map lives beside its settings: each test gets its own folder."""
    monkeypatch.setenv("OUTREACH_SETTINGS", str(tmp_path / "network.yaml"))


@pytest.fixture(scope="module")
def themes():
    return load_themes()


def _themes_of(items, themes, **kw):
    out: dict[str, set[str]] = {}
    for m in match_items(items, themes, **kw):
        out.setdefault(m.item_id, set()).add(m.theme_id)
    return out


EXPORT = """Numéro;Titre;Auteur;Cote;Section;Cat 1;Cat 2;Type de document;Prêts
1;La nuit du carrefour;Simenon, Georges;R POL SIM;Adulte;;;Livre;12
2;One piece. 1;Oda, Eiichirō;J BD M ODA 1;Jeunesse;;;Livre;40
3;Le ventre de l'Atlantique;Diome, Fatou;R DIO;Adulte;;;Livre;3
4;Les recettes de Lulu;Peyraud, Lulu;641.5 PEY;Adulte;;;Livre;7
5;Le grand atelier;;641.5 GRA;Adulte;;;DVD;2
6;Dune;Herbert, Frank;R HER;Adulte;SF;;Livre;9
7;Blacksad. 1;Díaz Canales, Juan;BDA DIA;Adulte;;;Livre;5
"""


def test_a_plain_export_is_matched_by_its_call_numbers_and_categories(themes):
    read = read_catalogue("export.csv", data=EXPORT.encode("utf-8"), name="export.csv")
    by_id = {i.id: i for i in read.items}
    assert by_id["1"].call_numbers == ["R POL SIM"]
    assert "SF" in by_id["6"].shelves and "Livre" in by_id["6"].shelves
    # the Dewey number of a book's call number is read; a DVD's number is not taken for a Dewey class
    assert by_id["4"].dewey == "641.5" and by_id["5"].dewey == ""
    found = _themes_of(read.items, themes)
    assert found["1"] == {"polar"}
    assert found["2"] == {"manga"}  # "BD M" after the audience mark J, not plain "BD"
    assert "3" not in found  # "R" alone says "novel", nothing more
    assert "cuisine" in found["4"] and "5" not in found
    assert found["6"] == {"science-fiction"} and found["7"] == {"bande-dessinee"}
    # the reason names the code and the call number it was read in
    reason = next(m.reason for m in match_items(read.items, themes) if m.item_id == "1")
    assert reason == "rayon « R POL » (cote « R POL SIM »)"
    # measured without the shelving, the same file finds only what the titles say
    assert "1" not in _themes_of(read.items, themes, ignore={"shelf"})


def test_roubaix_call_numbers_find_its_manga_and_comics_shelves(themes):
    """The real Roubaix export: "E BD/MANGAS …" and "BD/SERIES …" are its own shelving."""
    read = read_catalogue(ROUBAIX_FLAT)
    manga_shelved = [i for i in read.items if any(c.upper().startswith(("E BD/MANGAS", "BD/MANGAS"))
                                                  for c in i.call_numbers)]
    assert len(manga_shelved) >= 20
    found = _themes_of(read.items, themes)
    assert all("manga" in found.get(i.id, ()) for i in manga_shelved)
    without = _themes_of(read.items, themes, ignore={"shelf", "collection"})
    assert sum("manga" in without.get(i.id, ()) for i in manga_shelved) < len(manga_shelved)


def _marc21_bytes() -> bytes:
    record = pymarc.Record(force_utf8=True)
    record.leader = pymarc.Leader("00000nam a2200000 a 4500")
    record.add_field(pymarc.Field(tag="001", data="m21-1"))
    record.add_field(pymarc.Field(tag="245", indicators=["1", "0"], subfields=[
        pymarc.Subfield("a", "Le chien jaune")]))
    record.add_field(pymarc.Field(tag="852", indicators=[" ", " "], subfields=[
        pymarc.Subfield("c", "Adultes"), pymarc.Subfield("k", "R"), pymarc.Subfield("h", "POL"),
        pymarc.Subfield("i", "SIM")]))
    record.add_field(pymarc.Field(tag="952", indicators=[" ", " "], subfields=[
        pymarc.Subfield("a", "BIB1"), pymarc.Subfield("8", "RPOL"), pymarc.Subfield("o", "RP SIM")]))
    out = io.BytesIO()
    out.write(record.as_marc())
    return out.getvalue()


def test_marc21_852_and_koha_952_give_call_numbers_and_shelves(themes):
    read = read_catalogue("m.mrc", data=_marc21_bytes(), name="m.mrc")
    [item] = read.items
    assert item.call_numbers == ["RP SIM", "R POL SIM"]
    assert item.shelves == ["RPOL", "Adultes"]
    assert _themes_of(read.items, themes) == {"m21-1": {"polar"}}


def test_the_network_map_adds_codes_and_switches_defaults_off(tmp_path, themes):
    items = [CatalogueItem(id="a", title="Sans indice", call_numbers=["BD TIN"]),
             CatalogueItem(id="b", title="Autre", call_numbers=["RNOIR MAN"])]
    assert _themes_of(items, themes) == {"a": {"bande-dessinee"}}
    save_shelf_map({"BD": [], "RNOIR": ["polar"]}, theme_ids=[t.id for t in themes])
    assert network_entries() == {"BD": [], "RNOIR": ["polar"]}
    assert load_shelf_map()["BD"] == [] and load_shelf_map()["R POL"] == ["polar"]
    assert _themes_of(items, themes) == {"b": {"polar"}}


def test_a_bad_shelf_map_is_refused_with_the_file_and_the_code(tmp_path, themes):
    bad = tmp_path / "shelf-map.yaml"
    original = "shelves:\n  R POL: policier\n  BD: bande-dessinee\n"
    bad.write_text(original, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_shelf_map(bad, theme_ids=[t.id for t in themes])
    text = str(err.value)
    assert "shelf-map.yaml" in text and "R POL" in text and "policier" in text
    with pytest.raises(InputError):  # nothing half-written: the file on disk is left as it was
        save_shelf_map({"R POL": ["policier"], "RP": ["polar"]}, theme_ids=[t.id for t in themes])
    assert bad.read_text(encoding="utf-8") == original


def test_a_loaded_file_gets_a_proposed_map_of_its_most_frequent_codes(themes):
    read = read_catalogue(ROUBAIX_FLAT)
    proposal = {p.code: p for p in propose_shelf_map(read.items, themes, load_shelf_map(), limit=60)}
    manga = next(p for p in proposal.values() if p.code.upper().startswith("BD/MANGAS"))
    assert manga.themes == ("manga",) and manga.source == "carte" and manga.records >= 20
    # counts are records, most frequent first
    counts = [p.records for p in proposal.values()]
    assert counts == sorted(counts, reverse=True)
