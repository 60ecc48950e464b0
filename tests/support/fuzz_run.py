"""The readers' fuzz run (tests/fuzz_readers.py): a child pytest whose address space is capped at 1 GB.

It needs one core for tens of seconds and nothing from the rest of the suite, so it starts as soon as the
session's other tests leave a core free (tests/conftest.py) and runs beside them; tests/test_fuzz_readers.py then only waits for its end and judges it. Its output goes to files, not to
pipes nobody reads while the suite goes on (a full pipe would stop the child).
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile

from tests.support import ROOT

MEMORY_CAP = 1 << 30  # the target: any input within 1 GB
TEST_NAME = "test_every_reader_fuzzed_under_a_memory_cap"
_run: dict = {}


def cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def start() -> None:
    """Start the child once per session (later calls do nothing)."""
    if _run:
        return
    # files that live as long as the session's run: read by result(), closed by stop()
    out, err = tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                             "-W", "ignore::DeprecationWarning", str(ROOT / "tests" / "fuzz_readers.py")],
                            cwd=ROOT, preexec_fn=cap_memory, stdout=out, stderr=err, text=True)
    _run.update(proc=proc, out=out, err=err)


def result(timeout: float = 900) -> tuple[int, str, str]:
    """(exit code, standard output, standard error) of the run, started now if it was not yet."""
    start()
    proc, out, err = _run["proc"], _run["out"], _run["err"]
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    out.seek(0)
    err.seek(0)
    return code, out.read(), err.read()


def stop() -> None:
    """At the session's end: a run nobody waited for (the suite stopped early) does not outlive it."""
    if _run:
        if _run["proc"].poll() is None:
            _run["proc"].kill()
            _run["proc"].wait()
        _run["out"].close()
        _run["err"].close()
        _run.clear()
