"""A consent store made by the previous version is brought up to date, on SQLite and PostgreSQL: proofs lose
the e-mail digest, age band and respondent id, and answers without any consent become counts."""

from __future__ import annotations

import os
from datetime import datetime

import pytest
import sqlalchemy as sa

from outreach import db
from outreach.community.store import Store, metadata
from tests.support import community_support as cs

OLD = sa.MetaData()
sa.Table("community_respondents", OLD,
         sa.Column("id", sa.String(32), primary_key=True), sa.Column("token", sa.String(64), unique=True),
         sa.Column("created_at", sa.DateTime), sa.Column("updated_at", sa.DateTime),
         sa.Column("last_interaction_at", sa.DateTime), sa.Column("postcode", sa.String(5)),
         sa.Column("area_code", sa.String(16)), sa.Column("area_name", sa.String(120)),
         sa.Column("branch_id", sa.String(32)), sa.Column("age_band", sa.String(16)),
         sa.Column("email", sa.String(254)), sa.Column("email_sha256", sa.String(64), index=True),
         sa.Column("email_recommendations", sa.Boolean), sa.Column("personalisation", sa.Boolean),
         sa.Column("meta_matching", sa.Boolean), sa.Column("notice_version", sa.String(32)),
         sa.Column("notice_hash", sa.String(64)))
sa.Table("community_interests", OLD,
         sa.Column("respondent_id", sa.String(32), sa.ForeignKey("community_respondents.id", ondelete="CASCADE"),
                   primary_key=True), sa.Column("theme_id", sa.String(64), primary_key=True))
sa.Table("community_consent_proofs", OLD,
         sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
         sa.Column("respondent_id", sa.String(32), nullable=False, index=True),
         sa.Column("email_sha256", sa.String(64)), sa.Column("ts_utc", sa.DateTime, nullable=False),
         sa.Column("event", sa.String(16), nullable=False), sa.Column("purposes", sa.Text, nullable=False),
         sa.Column("notice_version", sa.String(32), nullable=False),
         sa.Column("notice_hash", sa.String(64), nullable=False), sa.Column("language", sa.String(8), nullable=False),
         sa.Column("mechanism", sa.String(200), nullable=False), sa.Column("page_url", sa.String(2000)),
         sa.Column("age_band", sa.String(16)), sa.Column("withdrawn_at", sa.DateTime),
         sa.Column("withdrawal_channel", sa.String(32)))

DAY = datetime(2026, 10, 5, 9, 30)


def person(rid, email, granted, branch="5425"):
    return dict(id=rid, token=f"jeton-{rid}", created_at=DAY, updated_at=DAY, last_interaction_at=DAY,
                postcode="13014", area_code="13214", area_name="Marseille 14e", branch_id=branch, age_band="35-49",
                email=email, email_sha256=f"{rid:0>64}" if email else None, email_recommendations=granted,
                personalisation=False, meta_matching=False, notice_version="1", notice_hash="h" * 64)


def proof(rid, email_digest):
    return dict(respondent_id=rid, email_sha256=email_digest, ts_utc=DAY, event="given", purposes="{}",
                notice_version="1", notice_hash="h" * 64, language="fr", mechanism="widget", page_url=None,
                age_band="35-49")


def old_store(kind, tmp_path) -> str:
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    else:
        url = os.environ.get(cs.POSTGRES_ENV)
        if not url:
            pytest.skip(f"PostgreSQL tests need {cs.POSTGRES_ENV}")
    engine = db.engine(url)
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table.name}" + (" CASCADE" if kind != "sqlite" else ""))
    OLD.create_all(engine)
    with engine.begin() as conn:
        t = OLD.tables
        conn.execute(sa.insert(t["community_respondents"]), [
            person("a1", "kept@exemple.fr", True), person("n1", None, False), person("n2", None, False, "5426")])
        conn.execute(sa.insert(t["community_interests"]), [
            dict(respondent_id="a1", theme_id="sciences"), dict(respondent_id="n1", theme_id="sciences"),
            dict(respondent_id="n2", theme_id="sciences"), dict(respondent_id="n2", theme_id="cuisine")])
        conn.execute(sa.insert(t["community_consent_proofs"]), [
            proof("a1", "a1".rjust(64, "0")), proof("gone", "gone".rjust(64, "0")), proof("n1", None)])
    return url


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_an_old_store_is_migrated(kind, tmp_path):
    url = old_store(kind, tmp_path)
    store = Store(url)
    try:
        columns = {c["name"] for c in sa.inspect(store.engine).get_columns("community_consent_proofs")}
        assert not columns & {"respondent_id", "email_sha256", "age_band"} and "consent_id" in columns
        [kept] = store.members()
        assert kept.email == "kept@exemple.fr" and not kept.email_confirmed  # to be confirmed like any other
        ids = {p["consent_id"] for p in store.proofs()}
        assert len(ids) == 3 and all(len(i) == 32 for i in ids)  # one random id per person, erased ones too
        with store.engine.connect() as conn:
            linked = conn.execute(sa.text("SELECT consent_id FROM community_respondents")).scalar_one()
        assert linked in ids and linked not in ("a1", "gone")
        # the two people who granted nothing are now counts, per day, branch and theme
        counts = {(r["branch_id"], r["theme_id"]): r["answers"] for r in store.counts_by_day()}
        assert counts == {("5425", ""): 1, ("5425", "sciences"): 1, ("5426", ""): 1, ("5426", "sciences"): 1,
                          ("5426", "cuisine"): 1}
        assert all(r["day"] == DAY.date() for r in store.counts_by_day())
        # a second start changes nothing
        store.dispose()
        store = Store(url)
        assert store.counted_answers() == 2 and len(store.proofs()) == 3
        if kind == "sqlite":
            disk = b"".join(p.read_bytes() for p in tmp_path.glob("old.sqlite*"))
            assert "gone".rjust(64, "0").encode() not in disk  # the dropped digests are overwritten
    finally:
        store.dispose()
