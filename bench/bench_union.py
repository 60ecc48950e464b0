"""Benchmark: matching a union catalogue as a stream, in bounded memory, on every core.

    python bench/bench_union.py [--copies 2000000] [--workers N] [--chunk 1000]

The records are synthetic copies of the 2,383 real UNIMARC records of data/samples: each copy is the real
record with a new identifier (001 = original id + "-" + a 9-digit copy number), everything else unchanged,
made as raw ISO 2709 bytes the way a union catalogue export delivers them. They go through
`outreach.themes.union.stream_matches`: chunks to worker processes that decode (pymarc, through the
catalogue reader) and match every theme. Before the run, the first cycle of copies is checked to match
exactly as the originals do.

Prints the throughput, the matches, the CPU time of the parent and the workers, the peak memory of the
whole process tree (sampled every chunk) and the time extrapolated to 15 million records.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import pymarc

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_territory import machine  # noqa: E402
from outreach.themes import load_themes  # noqa: E402
from outreach.themes.samples import roubaix_collection_labels, sample_catalogue_path  # noqa: E402
from outreach.themes.union import StreamSummary, iso2709_records, stream_matches  # noqa: E402

PLACEHOLDER = b"#########"
UNION_SIZE = 15_000_000


def templates() -> list[tuple[bytes, bytes, str]]:
    """(bytes before the copy number, bytes after it, original id) of every real record."""
    out = []
    for raw in iso2709_records(sample_catalogue_path()):
        record = pymarc.Record(data=raw, to_unicode=True, force_utf8=True, utf8_handling="replace")
        field = record.get_fields("001")[0]
        original = field.data
        field.data = f"{original}-{PLACEHOLDER.decode()}"
        before, after = record.as_marc().split(PLACEHOLDER)
        out.append((before, after, original))
    return out


def copies(parts: list[tuple[bytes, bytes, str]], n: int):
    for i in range(n):
        before, after, _ = parts[i % len(parts)]
        yield before + b"%09d" % i + after


def tree_pids() -> list[int]:
    """This process and its children (the workers)."""
    pids = [os.getpid()]
    try:
        for task in Path(f"/proc/{os.getpid()}/task").iterdir():
            pids += [int(p) for p in (task / "children").read_text().split()]
    except OSError:
        pass
    return pids


def workers_cpu_s() -> float:
    """CPU time (user + system) the live workers have spent so far: getrusage counts them only once they
    have exited, and a progress line must say it while they work."""
    total = 0
    for pid in tree_pids()[1:]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
        except (OSError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def tree_rss_mib() -> float:
    """Resident memory of this process and its children (the workers), MiB."""
    total = 0
    for pid in tree_pids():
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=2_000_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--chunk", type=int, default=1_000)
    args = parser.parse_args()
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}", flush=True)
    themes, labels = load_themes(), roubaix_collection_labels()
    parts = templates()

    # the copies match as the originals do (ids aside)
    originals = StreamSummary("originals")
    reference = [m[1:] for m in stream_matches(iso2709_records(sample_catalogue_path()), themes, label="originals",
                                               summary=originals, collection_labels=labels, workers=1)]
    check = StreamSummary("copies")
    copied = [m[1:] for m in stream_matches(copies(parts, len(parts)), themes, label="copies", summary=check,
                                            collection_labels=labels, workers=1)]
    print(f"first cycle of copies matches as the originals: {copied == reference} "
          f"({len(reference)} matches for {originals.items} records)", flush=True)

    state = {"done": 0, "peak": 0.0, "next": 0}
    started = time.perf_counter()

    def done(n: int) -> None:
        state["done"] += n
        state["peak"] = max(state["peak"], tree_rss_mib())
        if state["done"] >= state["next"]:
            elapsed, cpu = time.perf_counter() - started, workers_cpu_s()
            print(f"  {state['done']:>10,} records, {elapsed:7.0f} s, {state['done'] / elapsed:6.0f} records/s, "
                  f"workers {cpu:6.0f} s of CPU ({state['done'] / max(cpu, 1e-9):5.0f} records per CPU-second), "
                  f"process tree {state['peak']:.0f} MiB at most so far, load {os.getloadavg()[0]:.1f}", flush=True)
            state["next"] += 100_000

    summary = StreamSummary("synthetic")
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    n_matches = sum(1 for _ in stream_matches(copies(parts, args.copies), themes, label="synthetic", summary=summary,
                                              collection_labels=labels, workers=args.workers,
                                              chunk_size=args.chunk, done=done))
    wall = time.perf_counter() - started
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    parent_cpu = (me.ru_utime - cpu0.ru_utime) + (me.ru_stime - cpu0.ru_stime)
    workers_cpu = kids.ru_utime + kids.ru_stime
    rate = summary.items / wall
    print(f"{summary.items:,} synthetic records × {len(themes)} themes on {args.workers} worker(s), chunks of "
          f"{args.chunk}: {wall:.0f} s wall, {rate:,.0f} records/s, {n_matches:,} matches")
    print(f"CPU: parent {parent_cpu:.0f} s (reading, dispatching), workers {workers_cpu:.0f} s "
          f"({summary.items / max(workers_cpu, 1e-9):,.0f} records per CPU-second)")
    print(f"peak memory: process tree {state['peak']:.0f} MiB (sampled every chunk); parent max RSS "
          f"{me.ru_maxrss / 1024:.0f} MiB, largest worker max RSS {kids.ru_maxrss / 1024:.0f} MiB")
    print(f"extrapolated to {UNION_SIZE:,} records: {UNION_SIZE / rate / 60:.0f} min at this rate "
          f"({UNION_SIZE / (summary.items / max(workers_cpu, 1e-9)) / 3600:.1f} CPU-hours of workers)")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0 if state["peak"] < 2048 else 1


if __name__ == "__main__":
    raise SystemExit(main())
