"""Commands timed alternately, as new processes, so that the machine's load weighs the same on each.

Shared by the benchmarks that compare commands run side by side (`bench_nearest.py`, `bench_startup.py`).
Each command runs once unmeasured first (bytecode compiled, files in the page cache), then the commands
take turns `repeat` times. Wall time and CPU time (user + system of the child) are both kept: under a shared
machine's load, the CPU time is what the command itself spent.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Timing:
    """Seconds of each run of one command, in the order they ran."""

    wall: list[float]
    cpu: list[float]

    @property
    def wall_median(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)

    def line(self, name: str, width: int = 9, digits: int = 2) -> str:
        return (f"{name:<{width}} wall median {self.wall_median:.{digits}f} s (best {min(self.wall):.{digits}f} s), "
                f"CPU median {self.cpu_median:.{digits}f} s (best {min(self.cpu):.{digits}f} s) over "
                f"{len(self.wall)} runs")


def timed(argv: list[str], cwd: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of `argv`; its output is thrown away."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def alternate(commands: dict[str, list[str]], repeat: int, cwd: Path) -> dict[str, Timing]:
    """Every command once unmeasured, then all of them in turn `repeat` times; the timings by name."""
    for argv in commands.values():
        timed(argv, cwd)
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, argv in commands.items():
            runs[name].append(timed(argv, cwd))
    return {name: Timing([w for w, _ in r], [c for _, c in r]) for name, r in runs.items()}
