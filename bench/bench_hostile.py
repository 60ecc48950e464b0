"""Benchmark: every hostile input of tests/support/hostile_cases.py, each read in its own process under a 1 GB cap.

    python bench/bench_hostile.py

Prints a Markdown table (input, size, peak memory of the reading process, time, result) for
docs/security.md. The peak is the child's maximum resident set, imports included (about 100 MB); the
time is the reader's call, including the imports it makes on first use (one to three seconds of it). The target: ≤ 1 GB and ≤ 30 s, or a French error.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_territory import machine  # noqa: E402
from tests.support.hostile_cases import CASES  # noqa: E402

MEMORY_CAP = 1 << 30

CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from tests.support.hostile_cases import read
from outreach.errors import InputError
data = open({path!r}, "rb").read()
started = time.perf_counter()
try:
    read({reader!r}, data, {file_name!r}, {tmp!r})
    result = "accepted"
except InputError as exc:
    result = "InputError: " + exc.message
elapsed = time.perf_counter() - started
print(json.dumps({{"seconds": elapsed, "result": result,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def _cap() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run_case(case) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "input.bin"
        data = case.build()
        source.write_bytes(data)
        work = Path(tmp) / "work"
        work.mkdir()
        code = CHILD.format(root=str(ROOT), path=str(source), reader=case.reader, file_name=case.file_name,
                            tmp=str(work))
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                             preexec_fn=_cap)
        if run.returncode != 0:
            return {"size": len(data), "seconds": float("nan"), "peak_mb": float("nan"),
                    "result": "FAILED: " + (run.stderr.strip().splitlines() or ["?"])[-1]}
        return {"size": len(data)} | json.loads(run.stdout.strip().splitlines()[-1])


def size_text(size: int) -> str:
    return f"{size:,} B" if size < 10_000 else f"{size / 1024:,.0f} kB" if size < 10 << 20 else f"{size / (1 << 20):,.0f} MB"


def main() -> None:
    print(f"Machine: {machine()}\n")
    print("| hostile input | size | peak memory | time | result |")
    print("|---|---|---|---|---|")
    for case in CASES:
        r = run_case(case)
        print(f"| {case.name} | {size_text(r['size'])} | {r['peak_mb']:.0f} MB | {r['seconds']:.2f} s "
              f"| {r['result'][:110]} |", flush=True)


if __name__ == "__main__":
    main()
