"""Authors and series within the catalogue: works without clues take their author's or series' theme."""

from __future__ import annotations

from outreach.model import CatalogueItem
from outreach.themes import load_themes
from outreach.themes.matching import match_items


def _item(rid, title, author="", **kw):
    return CatalogueItem(id=rid, title=title, author=author, **kw)


def _found(items, **kw):
    return {(m.item_id, m.theme_id): m for m in match_items(items, load_themes(), **kw)}


def test_the_other_volumes_of_a_series_and_works_of_an_author_follow():
    items = [
        _item("op1", "One Piece. 1", "Oda, Eiichirō", call_numbers=["BD M ODA 1"]),
        _item("op2", "One Piece. 2", "Oda, Eiichirō", call_numbers=["BD M ODA 2"]),
        _item("op3", "One Piece. 3", "Oda, Eiichirō", call_numbers=["ODA 3"]),  # no clue of its own
        _item("s1", "La nuit du carrefour", "Simenon, Georges", call_numbers=["R POL SIM"]),
        _item("s2", "Le chien jaune", "Georges Simenon", genres=["Romans policiers"]),
        _item("s3", "Pietr-le-Letton", "SIMENON, Georges", call_numbers=["R SIM"]),
    ]
    found = _found(items)
    series = found[("op3", "manga")]
    assert series.score < 0.8 and series.reason == "même série que « One Piece. 1 »"
    author = found[("s3", "polar")]
    assert author.score < series.score and author.reason == "même auteur que « La nuit du carrefour »"
    # measured without the spreading, the works without clues have no theme
    bare = _found(items, ignore={"same_author", "same_series"})
    assert ("op3", "manga") not in bare and ("s3", "polar") not in bare


def test_a_prolific_author_in_several_genres_spreads_nothing():
    items = [
        _item("k1", "Shining", "King, Stephen", genres=["Romans fantastiques"]),
        _item("k2", "Mr Mercedes", "King, Stephen", call_numbers=["R POL KIN"]),
        _item("k3", "Ça", "King, Stephen", genres=["Fantasy"]),
        _item("k4", "Billy Summers", "King, Stephen", call_numbers=["R KIN"]),
        # one strongly matched work is not enough either
        _item("d1", "Le ventre de l'Atlantique", "Diome, Fatou", call_numbers=["R POL DIO"]),
        _item("d2", "Celles qui attendent", "Diome, Fatou"),
    ]
    found = _found(items)
    assert not any(item_id in ("k4", "d2") for item_id, _ in found)

