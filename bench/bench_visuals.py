"""Drawing one visual (theme × branch, 1080 × 1350 PNG): the issue asks for < 100 ms.

Each run draws a different text (the drawing cache would otherwise answer), with the shipped example's
real branch names, in the default network colours.

    .venv/bin/python -m bench.bench_visuals
"""

from __future__ import annotations

import statistics
import time

from outreach import datasets
from outreach.meta.visuals import _draw, check_image

THEMES = ["Science-fiction", "Mangas et bandes dessinées", "Street art", "Jeux vidéo", "Polars et romans noirs"]


def main(rounds: int = 60) -> None:
    branches = [b for b in datasets.shipped_branches() if b.city][:rounds]
    times = []
    for n, branch in enumerate(branches):
        theme = THEMES[n % len(THEMES)]
        start = time.perf_counter()
        data = _draw(theme, branch.name, branch.city, "Réseau des médiathèques", "#1D3557", "#F4A261")
        times.append(time.perf_counter() - start)
        check_image(data, label=branch.name)
    times.sort()
    print(f"visuals drawn: {len(times)}")
    print(f"draw one visual: median {statistics.median(times) * 1000:.1f} ms, "
          f"p95 {times[int(len(times) * 0.95) - 1] * 1000:.1f} ms, max {times[-1] * 1000:.1f} ms")
    print(f"PNG size: {len(data) / 1024:.0f} KiB (last one)")


if __name__ == "__main__":
    main()
