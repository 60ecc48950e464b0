"""Works, not rows: a title listed several times counts once, its loans summed; volumes stay apart."""

from __future__ import annotations

from datetime import date

from outreach.model import CatalogueItem
from outreach.sources.catalogue import read_catalogue
from outreach.themes import load_themes, summarise
from outreach.themes.works import isbn_key, merge_works
from tests.support import ROOT

PARIS = ROOT.parent / "shared" / "data" / "catalogue" / "paris-titres-les-plus-pretes-2018.csv"


def test_isbn_10_and_13_are_one_key():
    assert isbn_key("2-07-036822-X") == isbn_key("978-2-07-036822-8") == "9782070368228"
    assert isbn_key("not an isbn") == ""


def _row(rid, title, author="", isbn="", loans=None, branch="B1", genres=("Mangas",)):
    return CatalogueItem(id=rid, title=title, author=author, loans=loans, branch_id=branch, genres=list(genres),
                         extra={"isbn": isbn} if isbn else {})


def test_a_title_listed_once_a_year_counts_once_with_its_loans_summed():
    rows = [_row(f"{year}-1", "One Piece. 1", "Oda, Eiichirō", loans=loans) for year, loans in
            ((2016, 10), (2017, 12), (2018, None))]
    rows.append(_row("x", "ONE PIECE 1", "Eiichiro Oda", loans=5))  # another spelling of the same work
    rows.append(_row("y", "One Piece. 1", "Oda, Eiichirō", loans=3, branch="B2"))  # another branch: its own
    merged = merge_works(rows)
    assert [(m.id, m.branch_id, m.loans) for m in merged] == [("2016-1", "B1", 27), ("y", "B2", 3)]
    assert merged[0].extra["rows"] == ["2016-1", "2017-1", "2018-1", "x"]
    summaries = summarise(rows, [], [t for t in load_themes() if t.id == "manga"], ["B1", "B2"], date(2026, 1, 1))
    assert summaries[("manga", "B1")].n_items == 1 and summaries[("manga", "B1")].top_items[0].loans == 27


def test_volumes_with_their_own_isbn_and_bare_titles_stay_apart():
    rows = [_row("v1", "Naruto", "Kishimoto", isbn="978-2-07-036822-8"),
            _row("v2", "Naruto", "Kishimoto", isbn="978-2-87129-434-8"),
            _row("v1bis", "Naruto (réédition)", "Kishimoto", isbn="2-07-036822-X"),  # same ISBN as v1
            _row("p1", "Poèmes"), _row("p2", "Poèmes")]
    assert [m.id for m in merge_works(rows)] == ["v1", "v2", "p1", "p2"]


def test_the_paris_most_loaned_list_counts_its_repeated_titles_once():
    """Real data: the 825 rows of Paris' 2018 list hold three titles listed twice (same title and author)."""
    read = read_catalogue(PARIS)
    merged = merge_works(read.items)
    assert len(read.items) == 825 and len(merged) == 822
    twice = next(m for m in merged if m.title == "Le cimetière des autobus")
    assert twice.loans == 345 + 373 and len(twice.extra["rows"]) == 2
