"""Benchmark: the catalogue in force, from keeping an export to planning on it.

    python bench/bench_in_force.py [--repeat 3] [--store-records 500000]

In a temporary network folder: keep the Roubaix UNIMARC export (2,383 records: read, saved, parsed items
cached), read the catalogue in force cold (its cache removed) and warm, then plan the example campaign
(`pipeline.plan_in_force`, as `outreach plan` and the Campagne page do) with and without it. Wall time and
CPU time (`time.process_time`) are printed side by side: on a shared machine the wall time measures the others.

With --store-records N, a harvested store of N records instead: the 2,383 real Roubaix records harvested
from the local OAI-PMH server of the tests (matched by the harvest, as `outreach catalogue fetch` does), then
copied with new 001s and new ISBNs up to N records (a network's catalogue holds distinct works; copies of one
ISBN would be one work), their kept matches copied with them. Each way of reading it runs in a fresh process,
so that its peak RSS is its own: the store read whole (`read_store`, every item a CatalogueItem, as the
catalogue in force did before) and planned on, then the catalogue in force (`outreach.themes.stored`: the
kept matches, the rows that may take a theme from their kin or share a work, counts in SQL) and a plan on it.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_territory import machine  # noqa: E402
from outreach import paths, pipeline  # noqa: E402
from outreach.campaign import load_campaign  # noqa: E402
from outreach.datasets import example_campaign_path  # noqa: E402
from outreach.settings import NetworkSettings, save_settings  # noqa: E402
from outreach.themes import catalogue_in_force, forget_catalogue_file, keep_catalogue_file  # noqa: E402

EXPORT = ROOT / "data" / "samples" / "roubaix-unimarc-sample-2383.mrc"


def timed(what: str, action, repeat: int):
    best_wall, best_cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        result = action()
        best_wall, best_cpu = min(best_wall, time.perf_counter() - w), min(best_cpu, time.process_time() - c)
    print(f"{what:<58} {best_wall:7.2f} s wall {best_cpu:7.2f} s CPU")
    return result


def build_store(path: Path, records: int) -> None:
    """The real Roubaix records harvested into `path`, then copied up to `records` (see the module doc)."""
    import pymarc

    from outreach.sources.harvest_store import MATCHED_COLUMNS, fetch
    from outreach.sources.oai import identify
    from outreach.themes import StoreMatcher, load_themes
    from outreach.themes.store_matching import work_digests
    from tests.support.oai_server import OaiServer, served

    with EXPORT.open("rb") as f:
        real = list(pymarc.MARCReader(f, to_unicode=True, force_utf8=True))
    with OaiServer(served(real), page_size=1000) as server:
        fetch(identify(server.url), path, prefix="marcxml", match=StoreMatcher(load_themes()))
    with sqlite3.connect(path) as db:
        originals = db.execute(f"SELECT {', '.join(MATCHED_COLUMNS)} FROM matched ORDER BY identifier").fetchall()
        db.execute("CREATE TEMP TABLE originals (position INTEGER PRIMARY KEY, identifier TEXT)")
        db.executemany("INSERT INTO originals VALUES (?, ?)", ((n, r[0]) for n, r in enumerate(originals)))
        made, turn = len(originals), 0
        while made < records:
            turn += 1
            count = min(len(originals), records - made)
            # a copy: its 001 and OAI identifier suffixed, a new ISBN (979 and its number, 13 digits)
            db.execute("INSERT INTO items SELECT i.identifier || ?1, i.datestamp, json_set(i.item, '$.id', "
                       "json_extract(i.item, '$.id') || ?1, '$.extra.isbn', printf('979%010d', ?2 + o.position)) "
                       "FROM originals o JOIN items i USING (identifier) WHERE o.position < ?3",
                       (f"-{turn}", made, count))
            copies = []
            for n, row in enumerate(originals[:count]):
                isbn = f"979{made + n:010d}"
                work = work_digests(_Row(row[1], row[7], isbn))
                copies.append((row[0] + f"-{turn}", row[1] + f"-{turn}", *row[2:10], work))
            db.executemany(f"INSERT INTO matched VALUES ({', '.join('?' * len(MATCHED_COLUMNS))})", copies)
            db.commit()
            made += count


class _Row:
    """What `work_digests` reads of a copy: its ISBN (a row with an ISBN is grouped on it only)."""

    def __init__(self, item_id: str, branch: str, isbn: str):
        self.id, self.branch_id, self.extra, self.title, self.author = item_id, branch, {"isbn": isbn}, "", ""


def measure(way: str, home: Path) -> None:
    """In this fresh process: read the store `way` ("whole" or "stored"), then plan on it; print the figures."""
    paths.pass_to_child_processes("OUTREACH_SETTINGS", str(home / "network.yaml"))
    paths.pass_to_child_processes("OUTREACH_CACHE_DIR", str(home / "cache"))
    from outreach.meta.files import plan_campaign
    from outreach.settings import load_settings
    from outreach.sources import read_store
    from outreach.themes.stored import placed

    campaign = load_campaign(example_campaign_path())
    mapping = load_settings().catalogue_branches
    store = paths.harvest_store_path()
    shutil.rmtree(home / "cache", ignore_errors=True)
    w, c = time.perf_counter(), time.process_time()
    if way == "section":  # what the Thèmes page's harvest section reads (app/harvest_view.py), items never built
        from outreach.sources import kept_titles, store_overview
        from outreach.themes import StoreMatcher, load_themes, match_store, measure_store_coverage

        themes = load_themes()
        matcher = StoreMatcher(themes)
        records, _ = store_overview(store)
        found = list(match_store(store, themes, workers=1, matcher=matcher)[0])
        measure_store_coverage(store, found)
        kept_titles(store, matcher.key)
        read = time.perf_counter() - w, time.process_time() - c
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"records": records, "read": read, "rss_read": rss, "matches": len(found)}))
        return
    if way == "whole":
        items = [placed(i, mapping) for i in read_store(store).items]
        records = len(items)
    else:
        in_force = catalogue_in_force()
        items, records = in_force.items, len(in_force.items)
    read = time.perf_counter() - w, time.process_time() - c
    rss_read = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    w, c = time.perf_counter(), time.process_time()
    plan, _ = plan_campaign(campaign, items=items)
    planned = time.perf_counter() - w, time.process_time() - c
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cited = sum(1 for a in plan.ad_sets if not a.generic_copy)
    figures = sorted((a.name, a.copy.primary_text) for a in plan.ad_sets)
    print(json.dumps({"records": records, "read": read, "rss_read": rss_read, "plan": planned, "rss": rss,
                      "cited": cited, "ad_sets": len(plan.ad_sets), "copy": figures}))


def compare_store(records: int, home: Path) -> None:
    save_settings(NetworkSettings(catalogue_branches={"MED": "5425", "BUS": "5425"}))
    store = paths.harvest_store_path()
    w, c = time.perf_counter(), time.process_time()
    build_store(store, records)
    print(f"store of {records:,} records built in {time.perf_counter() - w:.1f} s wall, "
          f"{time.process_time() - c:.1f} s CPU ({store.stat().st_size / 2**20:.0f} MiB)")
    seen = {}
    for way, what in (("whole", "store read whole (read_store), as before"),
                      ("stored", "catalogue in force (outreach.themes.stored)")):
        out = subprocess.run([sys.executable, __file__, "--measure", way, "--home", str(home)], check=True,
                             capture_output=True, text=True).stdout
        seen[way] = figures = json.loads(out.strip().splitlines()[-1])
        print(f"{what}: {figures['records']:,} records in {figures['read'][0]:.1f} s wall, {figures['read'][1]:.1f} s "
              f"CPU, peak RSS {figures['rss_read']:,.0f} MiB; then a plan of the example campaign in "
              f"{figures['plan'][0]:.1f} s wall, {figures['plan'][1]:.1f} s CPU, peak RSS {figures['rss']:,.0f} MiB "
              f"({figures['cited']} of {figures['ad_sets']} ad sets state figures)")
    print("the two plans' ad copy is the same:", seen["whole"]["copy"] == seen["stored"]["copy"])
    out = subprocess.run([sys.executable, __file__, "--measure", "section", "--home", str(home)], check=True,
                         capture_output=True, text=True).stdout
    figures = json.loads(out.strip().splitlines()[-1])
    print(f"the Thèmes page's harvest section (size, kept matches, coverage, titles): {figures['read'][0]:.1f} s "
          f"wall, {figures['read'][1]:.1f} s CPU, peak RSS {figures['rss_read']:,.0f} MiB "
          f"({figures['matches']:,} matches)")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--store-records", type=int, help="plan on a harvested store of this many records")
    parser.add_argument("--measure", choices=("whole", "stored", "section"), help=argparse.SUPPRESS)  # the child processes
    parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure, args.home)
        return 0
    home = Path(tempfile.mkdtemp(prefix="bench-in-force-"))
    try:
        paths.pass_to_child_processes("OUTREACH_SETTINGS", str(home / "network.yaml"))
        paths.pass_to_child_processes("OUTREACH_CACHE_DIR", str(home / "cache"))
        save_settings(NetworkSettings(catalogue_branches={"MED": "5425", "BUS": "5425"}))
        campaign = load_campaign(example_campaign_path())
        print(machine())
        if args.store_records:
            compare_store(args.store_records, home)
            return 0
        timed("plan, nothing loaded (demonstration sample, generic copy)",
              lambda: pipeline.plan_in_force(campaign), args.repeat)
        data = EXPORT.read_bytes()

        def keep():
            forget_catalogue_file("roubaix-unimarc-sample-2383.mrc")
            shutil.rmtree(home / "cache", ignore_errors=True)
            return keep_catalogue_file(EXPORT.name, data)

        timed(f"keep {EXPORT.name} (read, save, cache)", keep, args.repeat)

        def cold():
            for cached in (home / "cache").glob("kept-catalogue-*.pickle"):
                cached.unlink()
            return catalogue_in_force()

        timed("catalogue in force, cold (parse the kept file)", cold, args.repeat)
        in_force = timed("catalogue in force, warm (parsed items from the cache)", catalogue_in_force, args.repeat)
        plan, _ = timed("plan on the kept catalogue", lambda: pipeline.plan_in_force(campaign), args.repeat)
        cited = sum(1 for a in plan.ad_sets if not a.generic_copy)
        print(f"{len(in_force.items)} records in force; {cited} of {len(plan.ad_sets)} ad sets state figures")
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
