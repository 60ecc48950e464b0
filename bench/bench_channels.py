"""Benchmark: a campaign's posts for every network, calendar and WordPress export.

    python bench/bench_channels.py

Two campaigns on the shipped data: the example (science fiction, Bouches-du-Rhône, March 2027) and a
large one (every theme, Paris, the three months of the demonstration agenda). Prints, for each, the time
to build the brief (themes matched against the shipped catalogue and agenda), to compose the posts, and to
render the files (CSV, iCalendar, WXR, LSF briefs), with the number of posts.
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_territory import machine  # noqa: E402
from outreach.campaign import load_campaign  # noqa: E402
from outreach.channels import compose  # noqa: E402
from outreach.channels.campaign import campaign_brief  # noqa: E402
from outreach.channels.exports import render_files  # noqa: E402
from outreach.themes import load_themes, shipped_catalogue, shipped_events  # noqa: E402


def run(label: str, campaign) -> None:
    t0 = time.perf_counter()
    brief = campaign_brief(campaign, site_url="https://blog.exemple.fr")
    t1 = time.perf_counter()
    pack = compose(brief)
    t2 = time.perf_counter()
    files = render_files(pack, site_url=brief.blog_site)
    t3 = time.perf_counter()
    size = sum(len(b) for b in files.values())
    print(f"{label}: {len(brief.themes)} thème(s), {len(brief.themes[0].branches)} bibliothèque(s), "
          f"{len(pack.posts)} publications, {len(pack.blogs)} articles — brief {t1 - t0:.2f} s, "
          f"composition {t2 - t1:.3f} s, fichiers {t3 - t2:.3f} s ({size / 1024:.0f} Kio)")


def main() -> None:
    print(f"Machine : {machine()}")
    shipped_catalogue(), shipped_events()  # read once: the readers are benchmarked elsewhere
    example = load_campaign(ROOT / "campaigns/exemple-sf-bouches-du-rhone.yaml")
    run("Exemple SF 13", example)
    large = example.model_copy(update={
        "name": "Tous les thèmes à Paris", "themes": [t.id for t in load_themes()],
        "territory": example.territory.model_copy(update={"departement": "75"}),
        "period": example.period.model_copy(update={"start": date(2026, 12, 1), "end": date(2027, 2, 28)})})
    run("Tous les thèmes, Paris, 3 mois", large)


if __name__ == "__main__":
    main()
