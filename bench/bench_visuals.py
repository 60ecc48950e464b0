"""Drawing one visual (theme × branch, 1080 × 1350 PNG for feeds, 1080 × 1920 for stories and reels): the
issue asks for < 100 ms each; and what the visuals
add to a plan that is written (`outreach plan`'s files), on a real département.

Each run draws a different text (the drawing cache would otherwise answer), with the shipped data's
real branch names, in the default network colours. The plan's visuals are drawn into an empty cache folder
(drawn images are kept there, `outreach.visuals._drawn`), then read back from it by a second write.

    .venv/bin/python -m bench.bench_visuals
"""

from __future__ import annotations

import statistics
import time

from outreach import datasets
from outreach.visuals import DRAWN_SIZE, DRAWN_STORY_SIZE, _draw, _drawn, check_image

THEMES = ["Science-fiction", "Mangas et bandes dessinées", "Street art", "Jeux vidéo", "Polars et romans noirs"]


def main(rounds: int = 60) -> None:
    branches = [b for b in datasets.shipped_branches() if b.city][:rounds]
    for label, size, placement in (("feed 4:5", DRAWN_SIZE, "feed"), ("story 9:16", DRAWN_STORY_SIZE, "story")):
        times, cpu = [], []
        for n, branch in enumerate(branches):
            theme = THEMES[n % len(THEMES)]
            start, start_cpu = time.perf_counter(), time.process_time()
            data = _draw(theme, branch.name, branch.city, "Réseau des médiathèques", "#1D3557", "#F4A261", size)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            check_image(data, label=branch.name, placement=placement)
        times.sort()
        print(f"{label}: {len(times)} visuals drawn")
        print(f"  draw one: median {statistics.median(times) * 1000:.1f} ms wall "
              f"({statistics.median(cpu) * 1000:.1f} ms CPU), p95 {times[int(len(times) * 0.95) - 1] * 1000:.1f} ms, "
              f"max {times[-1] * 1000:.1f} ms; PNG {len(data) / 1024:.0f} KiB (last one)")
    plan_written()


def plan_written() -> None:
    """The shipped example on the Bouches-du-Rhône with three themes and a budget that merges nothing
    (every branch its own ad set): planned, then written with and without its visuals."""
    import os
    import tempfile
    from pathlib import Path

    from outreach.campaign import load_campaign
    from outreach.meta.files import plan_campaign, write_plan_outputs
    from outreach.settings import NetworkSettings
    from outreach.visuals import visual_files

    example = load_campaign(datasets.example_campaign_path(), settings=NetworkSettings())
    campaign = example.model_copy(update={"themes": ["science-fiction", "manga", "jeux-video"],
                                          "budget_eur": 100_000})
    plan, payloads = plan_campaign(campaign, min_daily_budget_eur=1.0)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["OUTREACH_CACHE_DIR"] = str(Path(tmp) / "cache")  # nothing drawn before
        _drawn.cache_clear()
        start = time.perf_counter()
        images = visual_files(plan.ad_sets)
        drawing = time.perf_counter() - start
        _drawn.cache_clear()  # a new process: the images are in the cache folder only
        start = time.perf_counter()
        write_plan_outputs(plan, payloads, Path(tmp) / "out")
        written = time.perf_counter() - start
    print(f"plan of {len(plan.ad_sets)} ad sets: {len(images)} visuals drawn in {drawing:.2f} s "
          f"({drawing / len(images) * 1000:.0f} ms each); all its files written in {written:.2f} s by a new "
          "process, the visuals read from the cache folder")


if __name__ == "__main__":
    main()
