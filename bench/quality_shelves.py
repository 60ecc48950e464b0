"""Precision and recall per theme on a labelled set of real public data, with and without shelf codes.

    python bench/quality_shelves.py

Roubaix: the 2,383 real UNIMARC records of the demonstration sample; the truth of each theme is the
library's own collections (995$h, see `outreach.themes.quality.ROUBAIX_TRUTH`), which the matcher is not
shown (`collection` ignored). "With shelf codes" lets it read the call numbers (995$k) through the shipped
shelf map; "without" leaves them out too. One record in three (`held_out`) was kept out of the tuning:
its figures come first. Paris: the 825 most loaned titles of 2018 (822 works), labelled by their document
type only; the held-out third is stripped to title and author, to measure what the authors and series of
the other works bring (see `paris_table`).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from outreach.sources.catalogue import read_catalogue  # noqa: E402
from outreach.themes import load_themes, shipped_catalogue  # noqa: E402
from outreach.themes.quality import PARIS_BD_TYPES, ROUBAIX_TRUTH, held_out, in_collections, measure  # noqa: E402
from outreach.themes.works import merge_works  # noqa: E402

PARIS = ROOT.parent / "shared" / "data" / "catalogue" / "paris-titres-les-plus-pretes-2018.csv"
WITH_SHELVES = frozenset({"collection"})
WITHOUT_SHELVES = frozenset({"collection", "shelf"})


def _cell(q) -> str:
    return f"{q.precision:.2f} / {q.recall:.2f} ({q.true_positives}/{q.truth}, {q.found} found)"


def roubaix_table() -> list[str]:
    items, themes = shipped_catalogue(), load_themes()
    lines = ["| theme | subset | records | with shelf codes: P / R | without: P / R |", "|---|---|---|---|---|"]
    for theme_id, codes in ROUBAIX_TRUTH.items():
        truth = in_collections(codes)
        for name, universe in (("held out", held_out), ("tuning", lambda i: not held_out(i))):
            with_q = measure(items, themes, theme_id, truth, universe, WITH_SHELVES)
            without_q = measure(items, themes, theme_id, truth, universe, WITHOUT_SHELVES)
            lines.append(f"| {theme_id} | {name} | {with_q.universe} | {_cell(with_q)} | {_cell(without_q)} |")
    return lines


def paris_table() -> list[str]:
    """The held-out third of the works is stripped to title and author; the other works keep their
    document type as a shelf value ("Bande dessinée jeunesse", read through the shelf map). What the
    stripped works get back comes from their authors and series only."""
    works = merge_works(read_catalogue(PARIS).items)
    truth = {w.id for w in works if w.genres and w.genres[0] in PARIS_BD_TYPES}
    mixed = [w.model_copy(update={"genres": [], "extra": {}, "shelves": [] if held_out(w) else w.shelves})
             for w in works]
    themes = load_themes()
    lines = ["| theme | held-out works | clues used | P / R |", "|---|---|---|---|"]
    for clues, ignore in (("title, and the author's or series' labelled works", ()),
                          ("title only", ("same_author", "same_series"))):
        q = measure(mixed, themes, "bande-dessinee", lambda i: i.id in truth, held_out, ignore=ignore)
        lines.append(f"| bande-dessinee | {q.universe} | {clues} | {_cell(q)} |")
    return lines


def main() -> int:
    print("Roubaix (truth: the library's collections; P / R (true positives/truth, found)):\n")
    print("\n".join(roubaix_table()))
    print("\nParis, most loaned titles 2018 (truth: document type):\n")
    print("\n".join(paris_table()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
