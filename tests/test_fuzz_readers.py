"""Runs the readers' fuzz tests (tests/fuzz_readers.py) in a child process capped at 1 GB of address space."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEMORY_CAP = 1 << 30  # the target: any input within 1 GB


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def test_every_reader_fuzzed_under_a_memory_cap():
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                          "-W", "ignore::DeprecationWarning", str(ROOT / "tests" / "fuzz_readers.py")],
                         cwd=ROOT, preexec_fn=_cap_memory, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "failed" not in run.stdout


def test_the_cap_bites():
    """A child allocating 2 GB under the same cap fails: the cap is real, so the fuzz run proves something."""
    run = subprocess.run([sys.executable, "-c", "b = bytearray(2 << 30)"], preexec_fn=_cap_memory,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode != 0 and "MemoryError" in run.stderr
