"""Benchmark: the CPU time a harvest's worker spends per record, stage by stage, in one process.

    python bench/bench_harvest_stages.py [--records 20000] [--page-size 1000] [--profile FILE]

The pages of bench_harvest.py (the real Roubaix records as MARCXML, repeated with new 001s) are rendered
in memory, then each stage of `harvest_store.page_rows` runs over all of them in turn: parsing the page
(expat where the compiled reader is built, else lxml and its walk), reading the headers and the records'
field tables (lxml's tree alone is timed too, for comparison), building the items, writing them as
JSON, matching them to the themes of data/themes.yaml (`StoreMatcher`); then `page_rows` itself, whole, as
the workers run it. CPU time (`time.process_time`) is printed beside the wall time: on a shared machine
the CPU time is what the work itself spent. `--profile FILE` writes a cProfile of `page_rows` over the pages.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

from pydantic_core import to_json

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_harvest import render  # noqa: E402
from bench.bench_territory import machine  # noqa: E402
from outreach.sources import oai  # noqa: E402
from outreach.sources.catalogue import record_fields  # noqa: E402
from outreach.sources.harvest_store import page_rows  # noqa: E402
from outreach.themes import StoreMatcher, load_themes  # noqa: E402

URL = "http://127.0.0.1:1/cgi-bin/koha/oai.pl"


def pages(count: int, page_size: int) -> list[oai.Page]:
    with tempfile.TemporaryDirectory() as folder:
        render(Path(folder), count, page_size, URL)
        out = []
        for number, cursor in enumerate(range(0, count, page_size), start=1):
            raw = (Path(folder) / f"{cursor}.xml").read_bytes()
            out.append(oai.Page(raw, oai._token(raw)[0], number))
    return out


def timed(name: str, records: int, work):
    gc.collect()
    t0, c0 = time.perf_counter(), time.process_time()
    result = work()
    t1, c1 = time.perf_counter(), time.process_time()
    print(f"{name:<34} {(c1 - c0) / records * 1e6:7.1f} µs CPU/record ({c1 - c0:6.2f} s CPU, {t1 - t0:6.2f} s wall)")
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--profile")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    listed = pages(args.records, args.page_size)
    matcher = StoreMatcher(load_themes())
    n = args.records
    gc.disable()  # as page_rows does
    # lxml's tree alone, for comparison: the pages are read by expat where _oai_page is built
    timed("lxml tree (to compare)", n, lambda: [len(oai.etree.fromstring(p.raw, oai._parser())) for p in listed])
    reader = "expat" if oai.native_page else "lxml"
    harvested = timed(f"page read ({reader}): headers + fields", n,
                      lambda: [h for p in listed for h in oai.page_records(p, URL)])
    fields = timed("item fields", n, lambda: [record_fields(h.record, i, None, identifier=h.identifier).fields
                                              for i, h in enumerate(harvested)])
    timed("items as JSON", n, lambda: [to_json(f).decode() for f in fields])
    items = [SimpleNamespace(**f) for f in fields]
    timed("match", n, lambda: [matcher(items[i:i + args.page_size]) for i in range(0, n, args.page_size)])
    gc.enable()
    harvested = fields = items = None  # freed before the whole run
    timed("page_rows, whole", n, lambda: [page_rows([p], url=URL, branch_of=None, collection_labels=None,
                                                    match=matcher) for p in listed])
    if args.profile:
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
        for p in listed:
            page_rows([p], url=URL, branch_of=None, collection_labels=None, match=matcher)
        profile.disable()
        profile.dump_stats(args.profile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
