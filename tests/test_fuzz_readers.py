"""Runs the readers' fuzz tests (tests/fuzz_readers.py) in a child process capped at 1 GB of address space
(tests/support/fuzz_run.py: started once collection is over, so that it runs beside the other tests)."""

from __future__ import annotations

import subprocess
import sys

from tests.support import fuzz_run


def test_every_reader_fuzzed_under_a_memory_cap():
    code, out, err = fuzz_run.result()
    assert code == 0, out[-4000:] + err[-2000:]
    assert " passed" in out and "failed" not in out


def test_the_cap_bites():
    """A child allocating 2 GB under the same cap fails: the cap is real, so the fuzz run proves something."""
    run = subprocess.run([sys.executable, "-c", "b = bytearray(2 << 30)"], preexec_fn=fuzz_run.cap_memory,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode != 0 and "MemoryError" in run.stderr
