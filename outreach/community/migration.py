"""Bring a consent store made by an earlier version up to the current tables, on SQLite and PostgreSQL.

`create_all` makes missing tables but never changes an existing one. Two changes need more:
- proofs used to hold the person's e-mail digest, age band and respondent id; they now hold an opaque
  `consent_id`, whose only link to a person is the column of the same name in that person's row. Each
  person (present or erased) gets a fresh random id, the old columns are dropped, and SQLite's pages
  that held them are overwritten (secure_delete) and the log truncated;
- people whose answer granted no purpose used to be kept whole; they become counters per day, branch and
  theme, and their rows are deleted.
Each step checks the database's actual columns first, so running it again, or from several workers at
once (PostgreSQL locks the table for the length of the migration), does nothing more.
"""

from __future__ import annotations

import uuid
from collections import Counter

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

PROOFS = "community_consent_proofs"
RESPONDENTS = "community_respondents"
OLD_PROOF_COLUMNS = ("respondent_id", "email_sha256", "age_band")


def _columns(conn: Connection, table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(conn).get_columns(table)}


def _add_missing_columns(conn: Connection, table: sa.Table) -> None:
    present = _columns(conn, table.name)
    for column in table.columns:
        if column.name not in present:
            kind = column.type.compile(dialect=conn.dialect)
            conn.exec_driver_sql(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}')


def _add_missing_indexes(conn: Connection, table: sa.Table) -> None:
    for index in table.indexes:
        index.create(conn, checkfirst=True)


def _unlink_proofs(conn: Connection, metadata: sa.MetaData) -> None:
    """Give every person a random consent_id, carry it into their proofs, drop the personal columns."""
    respondents = metadata.tables[RESPONDENTS]
    ids: dict[str, str] = {}
    for (rid,) in conn.execute(sa.text(f"SELECT DISTINCT respondent_id FROM {PROOFS}")):
        ids[rid] = uuid.uuid4().hex
    for (rid,) in conn.execute(sa.select(respondents.c.id).where(respondents.c.consent_id.is_(None))):
        ids.setdefault(rid, uuid.uuid4().hex)
    for rid, consent_id in ids.items():
        conn.execute(sa.text(f"UPDATE {PROOFS} SET consent_id = :c WHERE respondent_id = :r"),
                     {"c": consent_id, "r": rid})
        conn.execute(sa.update(respondents).where(respondents.c.id == rid).values(consent_id=consent_id))
    for index in sa.inspect(conn).get_indexes(PROOFS):
        if set(index["column_names"]) & set(OLD_PROOF_COLUMNS):
            conn.exec_driver_sql(f'DROP INDEX "{index["name"]}"')
    for name in OLD_PROOF_COLUMNS:
        conn.exec_driver_sql(f'ALTER TABLE {PROOFS} DROP COLUMN "{name}"')


def _count_unconsented(conn: Connection, metadata: sa.MetaData) -> int:
    """People kept whole although they granted nothing: counted per day, branch and theme, then deleted."""
    respondents, interests = metadata.tables[RESPONDENTS], metadata.tables["community_interests"]
    counts = metadata.tables["community_answer_counts"]
    nothing = sa.and_(*(sa.not_(respondents.c[p]) for p in ("email_recommendations", "personalisation",
                                                            "meta_matching")))
    rows = conn.execute(sa.select(respondents.c.id, respondents.c.created_at, respondents.c.branch_id)
                        .where(nothing)).all()
    if not rows:
        return 0
    tally: Counter = Counter()
    for rid, created, branch in rows:
        tally[(created.date(), branch, "")] += 1
        for (theme,) in conn.execute(sa.select(interests.c.theme_id).where(interests.c.respondent_id == rid)):
            tally[(created.date(), branch, theme)] += 1
    for (day, branch, theme), n in tally.items():
        key = sa.and_(counts.c.day == day, counts.c.branch_id == branch, counts.c.theme_id == theme)
        if conn.execute(sa.update(counts).where(key).values(answers=counts.c.answers + n)).rowcount == 0:
            conn.execute(sa.insert(counts).values(day=day, branch_id=branch, theme_id=theme, answers=n))
    ids = [r[0] for r in rows]
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        conn.execute(sa.delete(interests).where(interests.c.respondent_id.in_(part)))
        conn.execute(sa.delete(respondents).where(respondents.c.id.in_(part)))
    return len(rows)


def migrate(engine: Engine, metadata: sa.MetaData) -> bool:
    """Bring the store's tables up to `metadata`; True when something was changed."""
    with engine.connect() as conn:
        if "respondent_id" not in _columns(conn, PROOFS) and "consent_id" in _columns(conn, RESPONDENTS):
            return False  # the common case, checked without a lock
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(f"LOCK TABLE {RESPONDENTS}, {PROOFS} IN ACCESS EXCLUSIVE MODE")
        old_proofs = "respondent_id" in _columns(conn, PROOFS)
        _add_missing_columns(conn, metadata.tables[RESPONDENTS])
        _add_missing_columns(conn, metadata.tables[PROOFS])
        if old_proofs:
            _unlink_proofs(conn, metadata)
        _add_missing_indexes(conn, metadata.tables[RESPONDENTS])
        _add_missing_indexes(conn, metadata.tables[PROOFS])
        _count_unconsented(conn, metadata)
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    elif engine.dialect.name == "postgresql":
        # PostgreSQL only hides a dropped column and deleted rows: rewriting the tables takes them off disk
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"VACUUM FULL {PROOFS}, {RESPONDENTS}")
    return True
