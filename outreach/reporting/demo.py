"""The demonstration results shipped in data/samples/resultats-demo/: SYNTHETIC figures (no real Meta
results exist for these libraries), for trying the dashboard before a campaign has run.

They belong to the plan that `outreach plan campaigns/exemple-sf-bouches-du-rhone.yaml` writes (copied in
`plan/`), and are made by `scripts/make_demo_results.py` (people simulated day by day, so that reach
behaves as Meta's). They are loaded into a separate database, never into the user's.
"""

from __future__ import annotations

from pathlib import Path

from outreach import db
from outreach.paths import cache_dir, data_dir
from outreach.reporting.figures import import_reports
from outreach.reporting.results_store import ReportStore
from outreach.sources.activity import read_activity

EXPORTS = ("ensembles-par-jour.csv", "ensembles-sur-la-periode.xlsx", "campagne-par-jour-et-periode.csv")
ACTIVITY = "activite-bibliotheques.csv"


def demo_dir() -> Path:
    return data_dir() / "samples" / "resultats-demo"


def demo_database_path() -> Path:
    return cache_dir() / "demo-resultats.sqlite"


def demo_store() -> ReportStore:
    """A fresh database holding the demonstration plan, results and activity."""
    path = demo_database_path()
    url = f"sqlite:///{path}"
    db.forget(url)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    store = ReportStore(url)
    folder = demo_dir()
    import_reports(store, [folder / name for name in EXPORTS], [folder / "plan"])
    activity = read_activity(folder / ACTIVITY)
    store.import_activity(activity.frame, activity.path)
    return store
