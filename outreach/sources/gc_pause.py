"""The cyclic garbage collector paused while many short-lived, acyclic objects are made.

Reference counting frees records, rows, models and strings as soon as they are dropped; the cyclic collector
only adds full scans, set off by the number of allocations, of everything alive — in a process holding the
national lists (50,000 models) about 0.3–0.5 s of CPU per national plan, a tenth of it or more. Pausing it
for the duration of such work loses nothing: the few cycles made meanwhile are collected once it resumes.
Here in `sources/` because the readers (harvested pages) use it too and may import only from there and
the core modules.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Pause the cyclic collector inside the block; resume it after only if it was running before (nested
    blocks, or a caller that paused it itself, keep their own state)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
