"""Benchmark: importing a million daily ad-set rows, and asking for the reach per theme.

    python bench/bench_reporting.py [--adsets 2740] [--days 365] [--repeat 5] [--database URL]

A plan of 2,740 ad sets (914 real libraries of the Ministry list × 3 themes) and an Ads Manager daily
export of 2,740 × 365 = 1,000,100 rows in the French format ("1 234,56", `;`, UTF-8 with BOM) are written
to a temporary folder. Timed: reading, checking, linking and storing the file into a fresh SQLite
database (`outreach report import` does exactly this), the same file again (recognised, nothing
stored twice), a corrected re-export of the last 30 days (rows replaced, history kept), and the by-theme,
by-branch and by-area tables (best of --repeat).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_territory import machine  # noqa: E402
from outreach import reporting  # noqa: E402
from outreach.datasets import national_branches  # noqa: E402
from outreach.reporting import ReportStore  # noqa: E402

THEMES = ["science-fiction", "manga", "street-art"]
HEADER = ["Début des rapports", "Fin des rapports", "Nom de la campagne", "Nom de l'ensemble de publicités",
          "Couverture", "Impressions", "Montant dépensé (EUR)", "Clics sur un lien"]
CAMPAIGN = "Banc d'essai — un an, 2 740 ensembles"


def write_plan(folder: Path, n_adsets: int) -> list[str]:
    branches = [b for b in national_branches() if b.open_to_public][: (n_adsets + len(THEMES) - 1) // len(THEMES)]
    rows, names = [], []
    for b in branches:
        for theme in THEMES:
            if len(rows) == n_adsets:
                break
            name = f"{b.name} [{b.id}] | {theme} | 18-65"
            names.append(name)
            rows.append({"adset_name": name, "branch_id": b.id, "branch_name": b.name, "theme_id": theme,
                         "areas": b.insee or "", "population": 10000, "radius_km": 5, "daily_budget_eur": 2.0,
                         "interests": theme})
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(folder / "plan.csv", index=False)
    return names


def fr_numbers(values: np.ndarray, decimals: int) -> pd.Series:
    """French formatting, vectorised: thousands with a narrow no-break space, decimal comma."""
    text = pd.Series(values).map(lambda v: f"{v:,.{decimals}f}")
    return text.str.replace(",", "\u202f", regex=False).str.replace(".", ",", regex=False)


def write_export(path: Path, names: list[str], days: int, seed: int, factor: float = 1.0,
                 last_days: int | None = None) -> int:
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2026-01-01", periods=days, freq="D").strftime("%Y-%m-%d").to_numpy()
    if last_days:
        dates = dates[-last_days:]
    n = len(names) * len(dates)
    reach = rng.integers(50, 4000, n)
    impressions = (reach * rng.uniform(1.1, 1.6, n)).astype(int)
    frame = pd.DataFrame({
        HEADER[0]: np.tile(dates, len(names)), HEADER[1]: np.tile(dates, len(names)), HEADER[2]: CAMPAIGN,
        HEADER[3]: np.repeat(np.array(names, dtype=object), len(dates)),
        HEADER[4]: fr_numbers((reach * factor).astype(int), 0),
        HEADER[5]: fr_numbers((impressions * factor).astype(int), 0),
        HEADER[6]: fr_numbers(np.round(impressions * factor * 0.005, 2), 2),
        HEADER[7]: rng.integers(0, 40, n)})
    frame.to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    return n


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--adsets", type=int, default=2740)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database", help="database URL (default: a fresh SQLite file in a temporary folder)")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        names = write_plan(tmp / "plan", args.adsets)
        n = write_export(tmp / "export.csv", names, args.days, seed=1)
        size_mb = (tmp / "export.csv").stat().st_size / 2**20
        print(f"export: {n:,} daily rows, {len(names):,} ad sets, {size_mb:.0f} MiB")
        store = ReportStore(args.database or f"sqlite:///{tmp / 'bench.sqlite'}")

        def first_import():
            read = reporting.read_reports([tmp / "export.csv"], [tmp / "plan"])
            return reporting.store_reports(store, read)

        [summary], seconds = timed(first_import)
        assert summary.rows_read == n and summary.rows_unmatched == 0, summary.describe()
        print(f"import of {n:,} rows (read, check, link, store): {seconds:.2f} s   [target < 10 s]")
        _, seconds = timed(lambda: reporting.import_reports(store, [tmp / "export.csv"]))
        print(f"same file again (recognised, nothing stored): {seconds:.2f} s")
        m = write_export(tmp / "corrected.csv", names, args.days, seed=2, factor=1.1, last_days=30)
        [fixed], seconds = timed(lambda: reporting.import_reports(store, [tmp / "corrected.csv"]))
        assert fixed.rows_replaced == m
        print(f"corrected re-export, {m:,} rows replacing older ones: {seconds:.2f} s")

        for by in ("theme", "branch", "area"):
            timings = []
            for _ in range(args.repeat):
                table, seconds = timed(lambda by=by: reporting.reach_table(store, by))
                timings.append(seconds)
            target = "   [target < 200 ms]" if by == "theme" else ""
            print(f"reach by {by}: {len(table.frame)} rows, best {min(timings) * 1000:.0f} ms, "
                  f"median {sorted(timings)[len(timings) // 2] * 1000:.0f} ms{target}")
        total = reporting.reach_table(store, "theme").frame["impressions"].sum()
        print(f"check: impressions by theme add up to {total:,.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
