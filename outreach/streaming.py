"""Work on a stream too long to hold in memory: records in, chunks to worker processes, results out in order.

A union catalogue holds some 15 million records. `stream_map` never holds more than a few chunks: it reads
the next chunk only when a worker is free to take it (at most `IN_FLIGHT` chunks per worker are queued), so
memory depends on the chunk size and the number of cores, not on the length of the stream. What a chunk
becomes is the caller's `work` function, so the readers and the matching rules plug in unchanged.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

IN_FLIGHT = 2  # chunks queued per worker: one being worked on, one waiting, so no worker idles


def chunked(records: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of `size` records (the last one shorter), read from `records` only when asked."""
    it = iter(records)
    while chunk := list(islice(it, size)):
        yield chunk


def stream_map(work: Callable[[list[T]], R], records: Iterable[T], *, workers: int | None = None,
               chunk_size: int = 2_000, initializer: Callable[..., None] | None = None, initargs: tuple = (),
               done: Callable[[int], None] | None = None) -> Iterator[R]:
    """`work(chunk)` for every chunk of `records`, in the stream's order, on `workers` processes (every core
    by default; 1 works in this process). `initializer(*initargs)` runs once per worker, before any chunk:
    the place to compile rules once rather than send them with every chunk. `done(n)` is told after each
    chunk how many records it held, for a progress bar."""
    workers = workers or os.cpu_count() or 1
    if workers == 1:
        if initializer:
            initializer(*initargs)
        for chunk in chunked(records, chunk_size):
            yield work(chunk)
            if done:
                done(len(chunk))
        return
    # fork where the system has it: the workers start at once and share the parent's modules
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(workers, mp_context=context, initializer=initializer, initargs=initargs) as pool:
        pending: deque = deque()
        for chunk in chunked(records, chunk_size):
            pending.append((len(chunk), pool.submit(work, chunk)))
            if len(pending) >= workers * IN_FLIGHT:  # wait for the oldest before reading further
                yield from _collect(pending.popleft(), done)
        while pending:
            yield from _collect(pending.popleft(), done)


def _collect(entry: tuple, done: Callable[[int], None] | None) -> Iterator:
    size, future = entry
    yield future.result()
    if done:
        done(size)
