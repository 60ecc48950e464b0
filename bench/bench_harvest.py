"""Benchmark: harvesting a catalogue over OAI-PMH into the local store, then matching it to every theme.

    python bench/bench_harvest.py [--records 500000] [--page-size 1000] [--workers 2]

A local OAI-PMH repository (tests/support/oai_server.py, in its own process, as the library system is another
machine) serves the 2,383 real Roubaix UNIMARC records as MARCXML, repeated with new 001s up to --records;
`outreach.sources.harvest_store.fetch` harvests them page by page into a SQLite store, `read_store` reads
the store back and `match_items` matches it to the themes of data/themes.yaml. Prints each step's wall and
CPU time (the repository's own work, in the other process, is not counted) and the machine.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_territory import machine  # noqa: E402
from outreach.sources.harvest_store import fetch, read_store  # noqa: E402
from outreach.sources.oai import identify  # noqa: E402
from outreach.themes import load_themes, match_items  # noqa: E402
from outreach.themes.samples import sample_catalogue_path  # noqa: E402


class Repeated:
    """The served records, made on demand: 500,000 MARCXML records would not fit in memory at once."""

    def __init__(self, records, count: int):
        from tests.support.oai_server import served

        self.base = served(records)
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.count))]
        from tests.support.oai_server import ServedRecord

        turn, n = divmod(index, len(self.base))
        r = self.base[n]
        if not turn:
            return r
        rid = r.identifier.rpartition(":")[2]
        xml = r.xml.replace(f'<controlfield tag="001">{rid}</controlfield>',
                            f'<controlfield tag="001">{rid}-{turn}</controlfield>', 1)
        return ServedRecord(f"{r.identifier}-{turn}", r.datestamp, xml)

    def __iter__(self):
        return (self[i] for i in range(self.count))


def serve(count: int, page_size: int, ready) -> None:
    import pymarc

    from tests.support.oai_server import OaiServer

    with sample_catalogue_path().open("rb") as f:
        records = list(pymarc.MARCReader(f, to_unicode=True, force_utf8=True))
    server = OaiServer([], page_size=page_size)
    server.records = Repeated(records, count)
    with server:
        ready.send(server.url)
        ready.recv()  # until the harvest is over


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=500_000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    here, there = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve, args=(args.records, args.page_size, there), daemon=True)
    server.start()
    url = here.recv()
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "harvest.sqlite"
        t0, c0 = time.perf_counter(), time.process_time()
        repository = identify(url)
        result = fetch(repository, store, prefix="marcxml")
        t1, c1 = time.perf_counter(), time.process_time()
        here.send("done")
        read = read_store(store)
        t2, c2 = time.perf_counter(), time.process_time()
        matches = match_items(read.items, load_themes(), workers=args.workers)
        t3 = time.perf_counter()
        size = store.stat().st_size
    server.join(timeout=10)
    print(f"harvested {result.received:,} records ({result.stored:,} stored, {len(result.skipped)} skipped) in "
          f"{t1 - t0:.1f} s wall, {c1 - c0:.1f} s CPU ({result.received / (c1 - c0):,.0f} records per CPU second); "
          f"store {size / 2**20:.0f} MiB")
    print(f"read the store back: {len(read.items):,} items in {t2 - t1:.1f} s wall, {c2 - c1:.1f} s CPU")
    print(f"matched to the themes with {args.workers} worker(s): {len(matches):,} matches in {t3 - t2:.1f} s")
    print(f"harvest + read + match: {t3 - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
