"""Quality figures of the theme matcher on the real Roubaix UNIMARC sample (quoted in docs/themes.md).

    python bench/quality_themes.py

Science fiction against the library's own SF collection (Koha 995$h = ALTIGSF, « ALT - SF »), in three
universes and with or without the collection labels as a matching field; then the number of records
matched by each theme, with and without the collection labels.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from outreach.themes import load_themes, shipped_catalogue  # noqa: E402
from outreach.themes.quality import collection_prefix, counts_per_theme, in_collections, measure  # noqa: E402


def main() -> int:
    items, themes = shipped_catalogue(), load_themes()
    truth = in_collections({"ALTIGSF"})
    universes = [("adult literature shelves (ALT…)", collection_prefix("ALT")),
                 ("printed books (099$t = LI)", lambda i: i.extra.get("doc_type") == "LI"),
                 ("whole catalogue", lambda i: True)]
    print("| universe | records | collection labels used | found | true positives | precision | recall |")
    print("|---|---|---|---|---|---|---|")
    for name, universe in universes:
        for ignore, used in (((), "yes (circular)"), (("collection",), "no")):
            q = measure(items, themes, "science-fiction", truth, universe, ignore)
            print(f"| {name} | {q.universe} | {used} | {q.found} | {q.true_positives}/{q.truth} | "
                  f"{q.precision:.2f} | {q.recall:.2f} |")
    print("\nother shelves of the adult literature collections (ALT…), as | theme | shelf | labels | found | "
          "true positives | precision | recall |")
    for theme_id, code in (("polar", "ALTROPL"), ("fantasy", "ALTIGFA")):
        for ignore, used in (((), "yes (circular)"), (("collection",), "no")):
            q = measure(items, themes, theme_id, in_collections({code}), collection_prefix("ALT"), ignore)
            print(f"| {theme_id} | {code} | {used} | {q.found} | {q.true_positives}/{q.truth} | "
                  f"{q.precision:.2f} | {q.recall:.2f} |")
    q = measure(items, themes, "science-fiction", truth, ignore={"collection"})
    print("\nwhole catalogue, without labels — disagreements:")
    for i in q.false_positives:
        print(f"  matched, not in ALT - SF: {i.id} {i.title} [{', '.join(i.extra['collections'])}]")
    for i in q.false_negatives:
        print(f"  in ALT - SF, not matched: {i.id} {i.title}")
    with_labels, without = counts_per_theme(items, themes), counts_per_theme(items, themes, ignore={"collection"})
    print("\n| theme | records matched | without collection labels |")
    print("|---|---|---|")
    for t in themes:
        print(f"| {t.id} | {with_labels[t.id]} | {without[t.id]} |")
    print(f"| any theme | {len(_ids(items, themes, ()))} | {len(_ids(items, themes, ('collection',)))} |")
    return 0


def _ids(items, themes, ignore):
    from outreach.themes import match_items

    return {m.item_id for m in match_items(items, themes, ignore=ignore)}


if __name__ == "__main__":
    raise SystemExit(main())
