"""SQL persistence of campaign results (SQLAlchemy 2): a SQLite file by default, any database by URL.

`OUTREACH_DATABASE_URL` chooses the database (e.g. `postgresql+psycopg://user@host/outreach`); without it
the results live in `outreach.sqlite` beside `network.yaml` (see outreach.paths); the engine comes from
outreach.db, shared with the consent store.

Every import is a batch (`report_batches`): nothing is ever overwritten. A result row is identified by the
object it measures (a planned ad set or campaign, or the id/name Meta gave it when it matches no plan) and
its date range; when a later batch brings the same row again, the older one is marked `replaced_by` the
new batch and kept as history. Totals only ever count current rows, so importing the same export twice
(or a corrected re-export) never doubles anything. A file whose bytes were already imported is recorded
as such and changes nothing.

Per-object sums of the daily rows are kept up to date in `report_object_totals`, so that a by-theme
question reads a few hundred rows instead of millions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa

from outreach import db, paths
from outreach.reporting.plan_link import LinkIndex, PlanLink, link_rows
from outreach.sources.ads_reports import ResultRows

metadata = sa.MetaData()

plans = sa.Table(
    "report_plans", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("campaign_name", sa.String(400), nullable=False, unique=True),
    sa.Column("campaign_ref", sa.String(200), nullable=False, default=""),
    sa.Column("campaign_meta_id", sa.String(40), nullable=False, default=""),
    sa.Column("directory", sa.Text, nullable=False, default=""),
    sa.Column("start_date", sa.String(10)),
    sa.Column("end_date", sa.String(10)),
    sa.Column("registered_at", sa.DateTime, nullable=False),
)

plan_adsets = sa.Table(
    "report_plan_adsets", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("plan_id", sa.Integer, sa.ForeignKey("report_plans.id"), nullable=False),
    sa.Column("name", sa.String(400), nullable=False),
    sa.Column("ref", sa.String(200), nullable=False, default=""),
    sa.Column("meta_id", sa.String(40), nullable=False, default=""),
    sa.Column("branch_id", sa.String(40), nullable=False),
    sa.Column("branch_name", sa.String(400), nullable=False),
    sa.Column("theme_id", sa.String(100), nullable=False),
    sa.Column("population", sa.BigInteger),
    sa.Column("radius_km", sa.Float),
    sa.Column("daily_budget_eur", sa.Float),
    sa.UniqueConstraint("plan_id", "name"),
)

plan_areas = sa.Table(
    "report_plan_areas", metadata,
    sa.Column("adset_id", sa.Integer, sa.ForeignKey("report_plan_adsets.id"), primary_key=True),
    sa.Column("area_code", sa.String(20), primary_key=True),
)

batches = sa.Table(
    "report_batches", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64)),
    sa.Column("kind", sa.String(20), nullable=False),  # file | insights
    sa.Column("imported_at", sa.DateTime, nullable=False),
    sa.Column("level", sa.String(20)),
    sa.Column("rows_read", sa.Integer, nullable=False, default=0),
    sa.Column("rows_replaced", sa.Integer, nullable=False, default=0),
    sa.Column("rows_identical", sa.Integer, nullable=False, default=0),
    sa.Column("rows_unmatched", sa.Integer, nullable=False, default=0),
    sa.Column("date_min", sa.String(10)),
    sa.Column("date_max", sa.String(10)),
    sa.Column("currency", sa.String(3)),
    sa.Column("duplicate_of", sa.Integer),
)

objects = sa.Table(
    "report_objects", metadata,  # what a result row measures: one ad set or one campaign
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("object_key", sa.String(900), nullable=False, unique=True),
    sa.Column("level", sa.String(20), nullable=False),
    sa.Column("campaign_id", sa.String(40), nullable=False),
    sa.Column("campaign_name", sa.String(400), nullable=False),
    sa.Column("adset_id", sa.String(40), nullable=False),
    sa.Column("adset_name", sa.String(400), nullable=False),
    sa.Column("plan_adset_id", sa.Integer),
    sa.Column("plan_id", sa.Integer),
)

results = sa.Table(
    "report_results", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("report_batches.id"), nullable=False),
    sa.Column("replaced_by", sa.Integer),  # batch that brought this row again; NULL = current
    sa.Column("object_id", sa.Integer, sa.ForeignKey("report_objects.id"), nullable=False),
    sa.Column("date_start", sa.String(10), nullable=False),  # ISO days: portable, ordered as text
    sa.Column("date_stop", sa.String(10), nullable=False),
    sa.Column("reach", sa.BigInteger, nullable=False),
    sa.Column("impressions", sa.BigInteger, nullable=False),
    sa.Column("spend", sa.Float, nullable=False),
    sa.Column("link_clicks", sa.BigInteger),
    sa.Column("clicks", sa.BigInteger),
    # the one index: every lookup is by object and day; an index on batch_id would tempt SQLite's planner
    # into scanning a whole batch for each older row when superseding
    sa.Index("ix_report_results_key", "object_id", "date_start", "date_stop"),
    # whole-period rows are few among daily ones: found without reading the million others
    sa.Index("ix_report_results_period", "object_id",
             sqlite_where=sa.text("date_start <> date_stop"), postgresql_where=sa.text("date_start <> date_stop")),
)

object_totals = sa.Table(
    "report_object_totals", metadata,  # sums of each object's current daily rows
    sa.Column("object_id", sa.Integer, primary_key=True),
    sa.Column("days", sa.Integer, nullable=False),
    sa.Column("first_day", sa.String(10), nullable=False),
    sa.Column("last_day", sa.String(10), nullable=False),
    sa.Column("reach_sum", sa.BigInteger, nullable=False),
    sa.Column("impressions", sa.BigInteger, nullable=False),
    sa.Column("spend", sa.Float, nullable=False),
    sa.Column("link_clicks", sa.BigInteger),
    sa.Column("clicks", sa.BigInteger),
)

activity_batches = sa.Table(
    "report_activity_batches", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64)),
    sa.Column("imported_at", sa.DateTime, nullable=False),
    sa.Column("rows_read", sa.Integer, nullable=False),
    sa.Column("rows_replaced", sa.Integer, nullable=False, default=0),
)

activity = sa.Table(
    "report_activity", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("report_activity_batches.id"), nullable=False),
    sa.Column("replaced_by", sa.Integer),
    sa.Column("branch_id", sa.String(40), nullable=False),
    sa.Column("month", sa.String(7), nullable=False),  # YYYY-MM
    sa.Column("registrations", sa.BigInteger),
    sa.Column("loans", sa.BigInteger),
    sa.Column("visits", sa.BigInteger),
    sa.Index("ix_report_activity_key", "branch_id", "month"),
)

RESULT_INSERT_COLUMNS = ["batch_id", "object_id", "date_start", "date_stop", "reach", "impressions", "spend",
                         "link_clicks", "clicks"]
IDENTITY = ["level", "campaign_id", "campaign_name", "adset_id", "adset_name"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


# ---------------------------------------------------------------------------------------------- imports


@dataclass
class ImportSummary:
    batch_id: int
    source: str
    rows_read: int
    rows_replaced: int = 0
    rows_identical: int = 0
    rows_unmatched: int = 0
    unmatched_names: list[str] = field(default_factory=list)
    duplicate_of: int | None = None
    duplicate_at: dt.datetime | None = None
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """One French sentence for the user."""
        if self.duplicate_of is not None:
            when = self.duplicate_at.strftime("%d/%m/%Y %H:%M") if self.duplicate_at else "?"
            return (f"{self.source} : déjà importé (lot n° {self.duplicate_of}, le {when} UTC) : "
                    f"rien n'a changé.")
        text = f"{self.source} : {self.rows_read} ligne(s) importée(s) (lot n° {self.batch_id})"
        if self.rows_replaced:
            text += (f", dont {self.rows_replaced} remplaçant des lignes déjà présentes "
                     f"({self.rows_identical} identiques)")
        text += "."
        if self.rows_unmatched:
            names = ", ".join(f"« {n} »" for n in self.unmatched_names[:8])
            more = "…" if len(self.unmatched_names) > 8 else ""
            text += (f" {self.rows_unmatched} ligne(s) ne correspondent à aucun plan ({names}{more}) : "
                     f"elles sont conservées et comptées à part (« non rattaché »).")
        return text


class ReportStore:
    """The results database: plans, import batches, result rows, library activity."""

    def __init__(self, url: str | None = None):
        self.url = url or paths.database_url()
        self.engine = db.create_tables(self.url, metadata)

    # -- plans ------------------------------------------------------------------------------------

    def register_plan(self, plan: PlanLink) -> int:
        """Store (or update) a plan's campaign and ad sets; link rows that were waiting for it."""
        with self.engine.begin() as conn:
            existing = conn.execute(sa.select(plans.c.id).where(plans.c.campaign_name == plan.campaign_name)).scalar()
            values = dict(campaign_ref=plan.campaign_ref, campaign_meta_id=plan.campaign_meta_id,
                          directory=plan.directory, start_date=plan.start_date, end_date=plan.end_date,
                          registered_at=_now())
            if existing is None:
                plan_id = conn.execute(plans.insert().values(campaign_name=plan.campaign_name, **values)) \
                    .inserted_primary_key[0]
            else:
                plan_id = existing
                conn.execute(plans.update().where(plans.c.id == plan_id).values(**values))
            known = dict(conn.execute(sa.select(plan_adsets.c.name, plan_adsets.c.id)
                                      .where(plan_adsets.c.plan_id == plan_id)).all())
            values = [dict(ref=a.ref, meta_id=a.meta_id, branch_id=a.branch_id, branch_name=a.branch_name,
                           theme_id=a.theme_id, population=a.population, radius_km=a.radius_km,
                           daily_budget_eur=a.daily_budget_eur) for a in plan.ad_sets]
            # many statements at once: a network-wide plan has thousands of ad sets
            new = [dict(v, plan_id=plan_id, name=a.name) for a, v in zip(plan.ad_sets, values, strict=True)
                   if a.name not in known]
            if new:
                conn.execute(plan_adsets.insert(), new)
            old = [dict(v, _id=known[a.name]) for a, v in zip(plan.ad_sets, values, strict=True) if a.name in known]
            if old:
                conn.execute(plan_adsets.update().where(plan_adsets.c.id == sa.bindparam("_id")), old)
                conn.execute(plan_areas.delete().where(plan_areas.c.adset_id.in_([v["_id"] for v in old])))
            ids = dict(conn.execute(sa.select(plan_adsets.c.name, plan_adsets.c.id)
                                    .where(plan_adsets.c.plan_id == plan_id)).all())
            areas = [{"adset_id": ids[a.name], "area_code": c} for a in plan.ad_sets for c in a.areas]
            if areas:
                conn.execute(plan_areas.insert(), areas)
            self._relink(conn)
            self._rebuild_totals(conn)
        return plan_id

    def link_index(self, conn=None) -> LinkIndex:
        index = LinkIndex()
        own = conn is None
        conn = conn or self.engine.connect()
        try:
            rows = conn.execute(sa.select(plans.c.id, plans.c.campaign_name, plans.c.campaign_meta_id)).all()
            names = {}
            for pid, name, meta_id in rows:
                index.add_campaign(("campaign", pid), name, meta_id)
                names[pid] = name
            for aid, pid, name, meta_id in conn.execute(sa.select(
                    plan_adsets.c.id, plan_adsets.c.plan_id, plan_adsets.c.name, plan_adsets.c.meta_id)).all():
                index.add_adset(("adset", aid, pid), names[pid], name, meta_id)
        finally:
            if own:
                conn.close()
        return index

    # -- results ----------------------------------------------------------------------------------

    def import_rows(self, rows: ResultRows, *, sha256: str | None = None, kind: str = "file") -> ImportSummary:
        """Store one source's rows as a new batch, in one transaction."""
        frame = rows.frame
        with self.engine.begin() as conn:
            if sha256:
                seen = conn.execute(sa.select(batches.c.id, batches.c.imported_at)
                                    .where(batches.c.sha256 == sha256, batches.c.duplicate_of.is_(None))
                                    .order_by(batches.c.id)).first()
                if seen is not None:
                    batch_id = self._new_batch(conn, rows, sha256, kind, duplicate_of=seen.id)
                    return ImportSummary(batch_id, rows.source, len(frame), duplicate_of=seen.id,
                                         duplicate_at=seen.imported_at, notes=list(rows.notes))
            batch_id = self._new_batch(conn, rows, sha256, kind)
            combos, codes = self._identities(frame, self.link_index(conn))
            combos["object_id"] = self._object_ids(conn, combos)
            self._insert_results(conn, frame, combos["object_id"].to_numpy()[codes], batch_id)
            replaced, identical = self._supersede(conn, batch_id, combos["object_id"].tolist())
            unmatched_combos = combos[combos["plan_id"].isna()]
            counts = np.bincount(codes, minlength=len(combos))
            unmatched = int(counts[unmatched_combos.index.to_numpy()].sum())
            names = sorted({n or c for n, c in zip(unmatched_combos["adset_name"], unmatched_combos["campaign_name"],
                                                   strict=True)})
            conn.execute(batches.update().where(batches.c.id == batch_id).values(
                rows_replaced=replaced, rows_identical=identical, rows_unmatched=unmatched))
            self._rebuild_totals(conn)
        return ImportSummary(batch_id, rows.source, len(frame), rows_replaced=replaced, rows_identical=identical,
                             rows_unmatched=unmatched, unmatched_names=names, notes=list(rows.notes))

    def _new_batch(self, conn, rows: ResultRows, sha256, kind, duplicate_of=None) -> int:
        frame = rows.frame
        return conn.execute(batches.insert().values(
            source=rows.source, sha256=sha256, kind=kind, imported_at=_now(), level=rows.level,
            rows_read=len(frame), date_min=frame["date_start"].min() if len(frame) else None,
            date_max=frame["date_stop"].max() if len(frame) else None, currency=rows.currency,
            duplicate_of=duplicate_of)).inserted_primary_key[0]

    @staticmethod
    def _identities(frame: pd.DataFrame, index: LinkIndex) -> tuple[pd.DataFrame, np.ndarray]:
        """The distinct objects the rows measure, with their plan links and keys, and each row's object
        number: a million daily rows name a few thousand ad sets at most."""
        codes = frame.groupby(IDENTITY, sort=False, dropna=False).ngroup().to_numpy()
        first = np.unique(codes, return_index=True)[1]
        combos = frame.iloc[first][IDENTITY].reset_index(drop=True).astype(object)
        link = link_rows(combos, index)
        kinds = link.map(lambda k: k[0] if k else None)
        combos["plan_adset_id"] = link.map(lambda k: k[1] if k and k[0] == "adset" else None).astype(object)
        combos["plan_id"] = link.map(lambda k: (k[2] if k[0] == "adset" else k[1]) if k else None).astype(object)
        combos["object_key"] = _object_keys(combos, kinds)
        return combos, codes

    @staticmethod
    def _object_ids(conn, combos: pd.DataFrame) -> list[int]:
        """Ids of the objects, created when new."""
        keys = combos["object_key"].tolist()
        known: dict[str, int] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            known.update(conn.execute(sa.select(objects.c.object_key, objects.c.id)
                                      .where(objects.c.object_key.in_(chunk))).all())
        new = combos[~combos["object_key"].isin(known)].drop_duplicates("object_key")
        if len(new):
            records = [{c: (None if c in ("plan_adset_id", "plan_id") and (v is None or pd.isna(v))
                            else int(v) if c in ("plan_adset_id", "plan_id") else v)
                        for c, v in row.items()}
                       for row in new[["object_key", *IDENTITY, "plan_adset_id", "plan_id"]].to_dict("records")]
            conn.execute(objects.insert(), records)
            for start in range(0, len(records), 500):
                chunk = [r["object_key"] for r in records[start:start + 500]]
                known.update(conn.execute(sa.select(objects.c.object_key, objects.c.id)
                                          .where(objects.c.object_key.in_(chunk))).all())
        return [known[k] for k in keys]

    def _insert_results(self, conn, frame: pd.DataFrame, object_ids: np.ndarray, batch_id: int) -> None:
        columns = [[batch_id] * len(frame), object_ids.astype("int64").tolist(), frame["date_start"].tolist(),
                   frame["date_stop"].tolist(), frame["reach"].astype("int64").tolist(),
                   frame["impressions"].astype("int64").tolist(), frame["spend"].astype(float).tolist()]
        for name in ("link_clicks", "clicks"):  # whole numbers, or NULL when the export had no such column
            values = frame[name].to_numpy(dtype=float)
            known = ~np.isnan(values)
            cells = np.full(len(values), None, dtype=object)
            cells[known] = values[known].astype("int64").astype(object)
            columns.append(cells.tolist())
        if conn.dialect.name == "sqlite":
            # the DBAPI's executemany on tuples: several times faster than bound dicts for a million rows
            sql = (f"INSERT INTO report_results ({', '.join(RESULT_INSERT_COLUMNS)}) "
                   f"VALUES ({', '.join('?' * len(RESULT_INSERT_COLUMNS))})")
            conn.connection.driver_connection.executemany(sql, zip(*columns, strict=True))
        else:
            records = [dict(zip(RESULT_INSERT_COLUMNS, values, strict=True)) for values in zip(*columns, strict=True)]
            for start in range(0, len(records), 20000):
                conn.execute(results.insert(), records[start:start + 20000])

    @staticmethod
    def _supersede(conn, batch_id: int, object_ids: list[int]) -> tuple[int, int]:
        """Mark the current rows this batch brings again as replaced; (replaced, identical to the new one)."""
        older = sa.select(sa.func.count()).select_from(results).where(
            results.c.replaced_by.is_(None), results.c.batch_id != batch_id)
        if len(object_ids) <= 500:
            older = older.where(results.c.object_id.in_(sorted(set(object_ids))))
        if not conn.execute(older).scalar():
            return 0, 0
        new, old = results.alias("new"), results.alias("old")
        same_key = sa.and_(old.c.object_id == new.c.object_id, old.c.date_start == new.c.date_start,
                           old.c.date_stop == new.c.date_stop)
        # from the new rows to the older ones through the key index: one lookup per new row
        older_ids = sa.select(old.c.id).select_from(new.join(old, same_key)).where(
            new.c.batch_id == batch_id, old.c.batch_id != batch_id, old.c.replaced_by.is_(None))
        replaced = conn.execute(results.update().where(results.c.id.in_(older_ids))
                                .values(replaced_by=batch_id)).rowcount
        identical = conn.execute(sa.select(sa.func.count()).select_from(new.join(old, same_key)).where(
            new.c.batch_id == batch_id, old.c.replaced_by == batch_id, old.c.reach == new.c.reach,
            old.c.impressions == new.c.impressions, sa.func.abs(old.c.spend - new.c.spend) < 0.005,
            sa.func.coalesce(old.c.link_clicks, -1) == sa.func.coalesce(new.c.link_clicks, -1))).scalar()
        return replaced, identical

    def _relink(self, conn) -> None:
        """Give objects that matched no plan their plan, now that one is known. When the plan's object
        already has rows (from another source), the rows move to it and the newest row of each day wins."""
        waiting = pd.DataFrame(conn.execute(sa.select(objects.c.id, *(objects.c[c] for c in IDENTITY))
                                            .where(objects.c.plan_id.is_(None))).all(),
                               columns=["id", *IDENTITY])
        if waiting.empty:
            return
        combos, _ = self._identities(waiting[IDENTITY], self.link_index(conn))
        combos["id"] = waiting["id"].to_numpy()
        moved = False
        for row in combos[combos["plan_id"].notna()].itertuples(index=False):
            target = conn.execute(sa.select(objects.c.id).where(objects.c.object_key == row.object_key)).scalar()
            if target is None:
                conn.execute(objects.update().where(objects.c.id == row.id).values(
                    object_key=row.object_key, plan_id=int(row.plan_id),
                    plan_adset_id=None if pd.isna(row.plan_adset_id) else int(row.plan_adset_id)))
            else:
                conn.execute(results.update().where(results.c.object_id == row.id).values(object_id=target))
                conn.execute(objects.delete().where(objects.c.id == row.id))
                moved = True
        if moved:
            dup = conn.execute(sa.select(results.c.object_id, results.c.date_start, results.c.date_stop,
                                         sa.func.max(results.c.batch_id))
                               .where(results.c.replaced_by.is_(None))
                               .group_by(results.c.object_id, results.c.date_start, results.c.date_stop)
                               .having(sa.func.count() > 1)).all()
            for object_id, start, stop, newest in dup:
                conn.execute(results.update().where(
                    results.c.replaced_by.is_(None), results.c.object_id == object_id,
                    results.c.date_start == start, results.c.date_stop == stop,
                    results.c.batch_id != newest).values(replaced_by=newest))

    @staticmethod
    def _rebuild_totals(conn) -> None:
        conn.execute(object_totals.delete())
        r = results.c
        daily = sa.select(
            r.object_id, sa.func.count(), sa.func.min(r.date_start), sa.func.max(r.date_stop), sa.func.sum(r.reach),
            sa.func.sum(r.impressions), sa.func.sum(r.spend), sa.func.sum(r.link_clicks), sa.func.sum(r.clicks),
        ).where(r.replaced_by.is_(None), r.date_start == r.date_stop).group_by(r.object_id)
        conn.execute(object_totals.insert().from_select(
            ["object_id", "days", "first_day", "last_day", "reach_sum", "impressions", "spend", "link_clicks",
             "clicks"], daily))

    # -- reading ----------------------------------------------------------------------------------

    def read_frame(self, query) -> pd.DataFrame:
        with self.engine.connect() as conn:
            result = conn.execute(query)
            columns = list(result.keys())
            return pd.DataFrame.from_records([tuple(row) for row in result.all()], columns=columns)

    _OBJECT_COLUMNS = (objects.c.object_key, objects.c.level, objects.c.plan_adset_id, objects.c.plan_id,
                       objects.c.campaign_name, objects.c.adset_name)

    def daily_totals(self, plan_ids: list[int] | None = None) -> pd.DataFrame:
        t = object_totals.c
        q = sa.select(*self._OBJECT_COLUMNS, t.days, t.first_day, t.last_day, t.reach_sum, t.impressions, t.spend,
                      t.link_clicks, t.clicks).select_from(object_totals.join(objects, objects.c.id == t.object_id))
        if plan_ids is not None:
            q = q.where(objects.c.plan_id.in_(plan_ids))
        return self.read_frame(q)

    def period_rows(self, plan_ids: list[int] | None = None) -> pd.DataFrame:
        r = results.c
        q = sa.select(*self._OBJECT_COLUMNS, r.date_start, r.date_stop, r.reach, r.impressions, r.spend,
                      r.link_clicks, r.clicks, r.batch_id) \
            .select_from(results.join(objects, objects.c.id == r.object_id)) \
            .where(sa.text("report_results.date_start <> report_results.date_stop"), r.replaced_by.is_(None))
        if plan_ids is not None:
            q = q.where(objects.c.plan_id.in_(plan_ids))
        return self.read_frame(q)

    def daily_rows_by_day(self, plan_ids: list[int] | None = None) -> pd.DataFrame:
        """Daily sums per (level, plan, day): the input of the by-day view."""
        r, o = results.c, objects.c
        q = sa.select(o.level, o.plan_id, r.date_start.label("day"), sa.func.count().label("objects"),
                      sa.func.sum(r.reach).label("reach"), sa.func.sum(r.impressions).label("impressions"),
                      sa.func.sum(r.spend).label("spend"), sa.func.sum(r.link_clicks).label("link_clicks"),
                      sa.func.count(r.link_clicks).label("link_clicks_known")) \
            .select_from(results.join(objects, o.id == r.object_id)) \
            .where(r.replaced_by.is_(None), r.date_start == r.date_stop) \
            .group_by(o.level, o.plan_id, r.date_start)
        if plan_ids is not None:
            q = q.where(o.plan_id.in_(plan_ids))
        return self.read_frame(q)

    def planned_adsets(self) -> pd.DataFrame:
        q = sa.select(plan_adsets.c.id.label("plan_adset_id"), plan_adsets.c.plan_id, plan_adsets.c.name,
                      plan_adsets.c.branch_id, plan_adsets.c.branch_name, plan_adsets.c.theme_id,
                      plan_adsets.c.population, plan_adsets.c.daily_budget_eur)
        return self.read_frame(q)

    def planned_areas(self) -> pd.DataFrame:
        return self.read_frame(sa.select(plan_areas.c.adset_id.label("plan_adset_id"), plan_areas.c.area_code))

    def plans(self) -> pd.DataFrame:
        return self.read_frame(sa.select(plans).order_by(plans.c.id))

    def batches(self) -> pd.DataFrame:
        return self.read_frame(sa.select(batches).order_by(batches.c.id))

    def version(self) -> str:
        """Changes whenever something is imported or a plan registered: a cache key for the app."""
        with self.engine.connect() as conn:
            parts = [conn.execute(sa.select(sa.func.max(batches.c.id))).scalar(),
                     conn.execute(sa.select(sa.func.max(activity_batches.c.id))).scalar(),
                     conn.execute(sa.select(sa.func.max(plans.c.registered_at), sa.func.count(plan_adsets.c.id))
                                  .select_from(plans.outerjoin(plan_adsets))).one()]
        return repr(parts)

    def has_results(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(results.c.id).limit(1)).first() is not None

    # -- activity ---------------------------------------------------------------------------------

    def import_activity(self, frame: pd.DataFrame, source: str, sha256: str | None = None) -> tuple[int, int]:
        """Store monthly activity rows (branch_id, month, registrations, loans, visits); (batch, replaced)."""
        with self.engine.begin() as conn:
            batch_id = conn.execute(activity_batches.insert().values(
                source=source, sha256=sha256, imported_at=_now(), rows_read=len(frame))).inserted_primary_key[0]
            records = []
            for row in frame.to_dict("records"):
                rec = {"batch_id": batch_id, "branch_id": row["branch_id"], "month": row["month"]}
                for name in ("registrations", "loans", "visits"):
                    value = row.get(name)
                    rec[name] = None if value is None or pd.isna(value) else int(value)
                records.append(rec)
            replaced = 0
            for start in range(0, len(records), 500):
                chunk = records[start:start + 500]
                keys = [sa.and_(activity.c.branch_id == r["branch_id"], activity.c.month == r["month"]) for r in chunk]
                replaced += conn.execute(activity.update().where(
                    activity.c.replaced_by.is_(None), sa.or_(*keys)).values(replaced_by=batch_id)).rowcount
            if records:
                conn.execute(activity.insert(), records)
            conn.execute(activity_batches.update().where(activity_batches.c.id == batch_id)
                         .values(rows_replaced=replaced))
        return batch_id, replaced

    def activity(self) -> pd.DataFrame:
        a = activity.c
        return self.read_frame(sa.select(a.branch_id, a.month, a.registrations, a.loans, a.visits)
                               .where(a.replaced_by.is_(None)).order_by(a.branch_id, a.month))


def _object_keys(frame: pd.DataFrame, kinds: pd.Series) -> pd.Series:
    """What a row measures: the planned object when linked, else the id Meta gave it, else its names."""
    level = frame["level"].astype(str)
    linked_adset = "plan-adset:" + frame["plan_adset_id"].map(lambda v: "" if v is None or pd.isna(v) else str(int(v)))
    linked_campaign = "plan-campaign:" + frame["plan_id"].map(lambda v: "" if v is None or pd.isna(v) else str(int(v)))
    own_id = np.where(level == "adset", frame["adset_id"].astype(str), frame["campaign_id"].astype(str))
    by_id = level + ":id:" + pd.Series(own_id, index=frame.index)
    by_name = level + ":name:" + frame["campaign_name"].astype(str) + "\x1f" + \
        np.where(level == "adset", frame["adset_name"].astype(str), "")
    key = np.where(kinds == "adset", linked_adset,
                   np.where(kinds == "campaign", linked_campaign, np.where(pd.Series(own_id) != "", by_id, by_name)))
    return pd.Series(key, index=frame.index, dtype=object)
