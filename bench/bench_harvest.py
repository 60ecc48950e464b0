"""Benchmark: harvesting a catalogue over OAI-PMH into the local store, then matching it to every theme.

    python bench/bench_harvest.py [--records 500000] [--page-size 1000] [--workers 2] [--python-walk | --lxml] [--keep PATH]

A local OAI-PMH repository (tests/support/oai_server.py, in its own process, as the library system is another
machine) serves the 2,383 real Roubaix UNIMARC records as MARCXML, repeated with new 001s up to --records.
Its pages are rendered to files before the clock starts, so that what is measured is the harvest, not the
stand-in server (which, on this machine, shares the two cores with the harvest): it only reads a file per
request, and still refuses what the protocol refuses. `outreach.sources.harvest_store.fetch` harvests the
pages into a SQLite store, parsing them and matching their items to the themes of data/themes.yaml on
--workers processes (`outreach.streaming.stream_map`, `outreach.themes.StoreMatcher`) while the main process
fetches the next ones and writes, as `outreach catalogue fetch` does; `match_store` then reads the kept
matches and adds the works that take their author's or series' theme, as `outreach themes match` does.
Prints each step's wall time and the CPU time of this process and of its workers (the repository's own
work, in its process, is not counted), the load average, and the machine.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import shutil
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_territory import machine  # noqa: E402
from outreach.sources import marc_fields, oai  # noqa: E402
from outreach.sources.harvest_store import fetch  # noqa: E402
from outreach.sources.oai import identify  # noqa: E402
from outreach.streaming import stream_map  # noqa: E402
from outreach.themes import StoreMatcher, load_themes  # noqa: E402
from outreach.themes.samples import sample_catalogue_path  # noqa: E402
from outreach.themes.union import match_store  # noqa: E402


def cpu() -> tuple[float, float]:
    """CPU seconds (user + system) of this process, and of its finished workers."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


class Volume:
    """The served list: `count` records, the real ones then copies with new 001s. Only its length and its
    earliest datestamp are asked for: the pages themselves are read from the files rendered beforehand."""

    def __init__(self, count: int, earliest: str):
        self.count, self.earliest = count, earliest

    def __len__(self) -> int:
        return self.count

    def __iter__(self):
        from tests.support.oai_server import ServedRecord

        yield ServedRecord("", self.earliest, None)  # what Identify reads (earliestDatestamp)


# Koha lists records by ascending biblionumber (Koha/OAI/Server/ListBase.pm: ORDER BY main.biblionumber) and
# names them repository:biblionumber; the Roubaix records' 001s are their biblionumbers (250 to 365,589), in
# that order. The copies continue the numbering, so that the identifiers arrive in the order a real Koha
# sends them (the store's index then grows at its end, not at random places: 2.6 times less CPU for SQLite).
BIBLIO_STEP = 1_000_000


def render(folder: Path, count: int, page_size: int, url: str) -> str:
    """Every ListRecords page of the full list, written to folder/<cursor>.xml; returns the earliest datestamp."""
    import pymarc

    from tests.support.oai_server import OaiServer, served

    with sample_catalogue_path().open("rb") as f:
        base = served(list(pymarc.MARCReader(f, to_unicode=True, force_utf8=True)))
    # each record's XML cut around its 001, so that a copy is three strings joined
    parts = []
    for r in base:
        rid = r.identifier.rpartition(":")[2]
        mark = f'<controlfield tag="001">{rid}</controlfield>'
        head, _, tail = r.xml.partition(mark)
        parts.append((r.identifier, rid, r.datestamp, head, tail))
    writer = OaiServer([])
    writer.httpd.server_close()
    for cursor in range(0, count, page_size):
        records = []
        for n in range(cursor, min(count, cursor + page_size)):
            identifier, rid, stamp, head, tail = parts[n % len(parts)]
            turn = n // len(parts)
            if turn:  # a copy is a new biblio: numbered as Koha numbers them, a million further per repetition
                rid = str(int(rid) + turn * BIBLIO_STEP)
                identifier = f"{identifier.rpartition(':')[0]}:{rid}"
            records.append(f"<record><header><identifier>{identifier}</identifier><datestamp>{stamp}"
                           f'</datestamp></header><metadata>{head}<controlfield tag="001">{rid}'
                           f"</controlfield>{tail}</metadata></record>")
        following = cursor + page_size
        if following < count:
            records.append(f'<resumptionToken completeListSize="{count}" cursor="{cursor}">p{following}'
                           "</resumptionToken>")
        elif cursor:
            records.append(f'<resumptionToken completeListSize="{count}" cursor="{cursor}"/>')
        arguments = {"metadataPrefix": "marcxml"} if not cursor else {"resumptionToken": f"p{cursor}"}
        text = writer._wrap("ListRecords", arguments, f"<ListRecords>{''.join(records)}</ListRecords>")
        (folder / f"{cursor}.xml").write_text(text.replace(writer.url, url), encoding="utf-8")
    return min(r.datestamp for r in base)


def serve(count: int, page_size: int, folder: str, ready) -> None:
    from tests.support.oai_server import OaiServer

    class Rendered(OaiServer):
        """The repository of the tests, its ListRecords pages of the full list read from the rendered files."""

        def _page(self, verb, args, selected, cursor):
            if verb != "ListRecords" or selected is not self.records:
                return super()._page(verb, args, selected, cursor)
            following = cursor + self.page_size
            if following < len(selected):
                self.tokens[f"p{following}"] = (selected, following)
            return (Path(folder) / f"{cursor}.xml").read_bytes()

    server = Rendered([], page_size=page_size)
    earliest = render(Path(folder), count, page_size, server.url)
    # the rendered pages (5.5 kB a record) stand for the library system's own disk: written out before the clock
    # starts, so that the kernel does not write them back during the harvest, beside the store's own writes
    os.sync()
    server.records = Volume(count, earliest)
    with server:
        start = sum(cpu())
        ready.send(server.url)
        ready.recv()  # until the harvest is over
        ready.send(sum(cpu()) - start)  # what serving the pages cost, on the same two cores


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=500_000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="copy the harvested store there (for other benchmarks)")
    parser.add_argument("--python-walk", action="store_true",
                        help="read the pages with lxml and walk them in Python even where the compiled readers are "
                             "built (to compare)")
    parser.add_argument("--lxml", action="store_true",
                        help="read the pages with lxml's tree and the compiled walk rather than expat (to compare)")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    # the workers are forked from this process: they inherit the switches
    if args.python_walk or args.lxml:
        oai.native_page = None
    if args.python_walk:
        oai.native_walk = marc_fields.native_walk = None
    print("pages read by: " + ("expat (outreach.sources._oai_page)" if oai.native_page else
                               "lxml, walked " + ("in C (outreach.sources._marc_walk)" if oai.native_walk else "in Python")))
    here, there = multiprocessing.Pipe()
    with tempfile.TemporaryDirectory() as pages, tempfile.TemporaryDirectory() as folder:
        server = multiprocessing.Process(target=serve, args=(args.records, args.page_size, pages, there),
                                         daemon=True)
        server.start()
        url = here.recv()  # the pages are rendered: the clock starts
        store = Path(folder) / "harvest.sqlite"
        load = os.getloadavg()[0]
        t0, c0 = time.perf_counter(), cpu()
        themes = load_themes()
        matcher = StoreMatcher(themes)
        repository = identify(url)
        result = fetch(repository, store, prefix="marcxml", match=matcher,
                       map_pages=partial(stream_map, workers=args.workers, chunk_size=1))
        t1, c1 = time.perf_counter(), cpu()
        here.send("done")
        served = here.recv()
        matches, summary = match_store(store, themes, workers=args.workers, matcher=matcher)
        n_matches = sum(1 for _ in matches)
        t2, c2 = time.perf_counter(), cpu()
        size = store.stat().st_size
        if args.keep:
            shutil.copyfile(store, args.keep)
        server.join(timeout=10)
    harvest, match = [b - a for a, b in zip(c0, c1, strict=True)], [b - a for a, b in zip(c1, c2, strict=True)]
    print(f"harvested {result.received:,} records ({result.stored:,} stored, {len(result.skipped)} skipped) in "
          f"{t1 - t0:.1f} s wall, {sum(harvest):.1f} s CPU (this process {harvest[0]:.1f} s, {args.workers} "
          f"worker(s) {harvest[1]:.1f} s; {result.received / sum(harvest):,.0f} records per CPU second); "
          f"store {size / 2**20:.0f} MiB")
    print(f"the local repository spent {served:.1f} s of CPU serving the pages (its own process, on the same cores)")
    print(f"read the matches kept in the store (kinship added): {summary.items:,} items, {n_matches:,} matches in "
          f"{t2 - t1:.1f} s wall, {sum(match):.1f} s CPU (this process {match[0]:.1f} s)")
    print(f"harvest + match: {t2 - t0:.1f} s wall, {sum(harvest) + sum(match):.1f} s CPU; on {args.workers} "
          f"idle cores at least {(sum(harvest) + sum(match)) / args.workers:.0f} s; load average "
          f"{load:.1f} before, {os.getloadavg()[0]:.1f} after ({os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
