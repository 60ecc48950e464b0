"""The consent store: respondents, their interests, proofs of consent, and the notices shown.

SQLAlchemy 2 Core on SQLite (WAL) by default, PostgreSQL when OUTREACH_DATABASE_URL says so. Every change
is one transaction: an answer, its interests and its proof are stored together or not at all.

Times are naive UTC. Tokens are random (256 bits): a token is the capability to see, change and erase one
person's data, so it is never logged and never exported.

Proofs of consent hold no personal data: the notice's version and hash, the purposes, the mechanism, the time
and an opaque random `consent_id`. The only link from a proof to a person is the `consent_id` column of the
person's own row, which erasure deletes: after erasure a proof still shows that someone consented, when and
how, and no longer whose consent it was. Proofs are purged after `proof_retention_years`.

An answer that grants no purpose stores nothing about the person: only counters per day, theme and branch.

E-mail purposes (recommendations, Meta matching) are double opt-in: the address must be confirmed by a link
sent to it before either purpose is used (`Member.usable_consents`). Only the SHA-256 of the link's token
is stored, with the time it was sent, so that it expires.
"""

from __future__ import annotations

import enum
import hashlib
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from outreach import db, paths
from outreach.community.migration import migrate
from outreach.community.notice import Notice
from outreach.community.offer import Placement
from outreach.community.validation import Answer, PreferenceChange
from outreach.community.vocabulary import EMAIL_PURPOSES, PURPOSES
from outreach.errors import InputError

metadata = MetaData()

respondents = Table(
    "community_respondents", metadata,
    Column("id", String(32), primary_key=True),
    Column("token", String(64), nullable=False, unique=True),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("last_interaction_at", DateTime, nullable=False, index=True),
    Column("postcode", String(5), nullable=False),
    Column("area_code", String(16), nullable=False),
    Column("area_name", String(120), nullable=False),
    Column("branch_id", String(32), nullable=False, index=True),
    Column("age_band", String(16)),
    Column("email", String(254)),
    Column("email_sha256", String(64), index=True),
    Column("email_recommendations", Boolean, nullable=False),
    Column("personalisation", Boolean, nullable=False),
    Column("meta_matching", Boolean, nullable=False),
    Column("notice_version", String(32), nullable=False),
    Column("notice_hash", String(64), nullable=False),
    # the link to this person's proofs; nullable only so that a migration can add it to existing rows
    Column("consent_id", String(32), index=True),
    # double opt-in: when the address was confirmed, and the pending link (its digest, when it was sent)
    Column("email_confirmed_at", DateTime),
    Column("confirmation_sha256", String(64), index=True),
    Column("confirmation_sent_at", DateTime),
)

interests = Table(
    "community_interests", metadata,
    Column("respondent_id", String(32), ForeignKey("community_respondents.id", ondelete="CASCADE"),
           primary_key=True),
    Column("theme_id", String(64), primary_key=True),
    Index("ix_community_interests_theme", "theme_id"),
)

# one row per consent event (given, confirmed, changed, withdrawn, erased, purged): the proof (FORM-06)
proofs = Table(
    "community_consent_proofs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("consent_id", String(32), nullable=False, index=True),  # opaque; no foreign key: outlives erasure
    Column("ts_utc", DateTime, nullable=False),
    Column("event", String(16), nullable=False),
    Column("purposes", Text, nullable=False),  # JSON {purpose: "granted" | "refused"}
    Column("notice_version", String(32), nullable=False),
    Column("notice_hash", String(64), nullable=False),
    Column("language", String(8), nullable=False),
    Column("mechanism", String(200), nullable=False),
    Column("page_url", String(2000)),  # scrubbed of anything personal (validation.py)
    Column("withdrawn_at", DateTime),
    Column("withdrawal_channel", String(32)),
)

# the rate limit's token buckets, shared by every worker and instance that uses the database (limits.py)
rate_buckets = Table(
    "community_rate_buckets", metadata,
    Column("client", String(64), primary_key=True),
    Column("tokens", Float, nullable=False),
    Column("updated", Float, nullable=False, index=True),  # seconds since the epoch, as the workers' clocks say
    Column("allowed", Boolean, nullable=False),
)

BUCKETS_FULL_AFTER_S = 3600  # every bucket (a minute's or an hour's) is full again after this long

# answers that granted no purpose, counted and not kept: per day, branch and theme ("" counts the answers)
answer_counts = Table(
    "community_answer_counts", metadata,
    Column("day", Date, primary_key=True),
    Column("branch_id", String(32), primary_key=True),
    Column("theme_id", String(64), primary_key=True),
    Column("answers", Integer, nullable=False),
)
ANSWERS = ""  # the theme_id of the row counting the answers themselves

notices = Table(
    "community_notices", metadata,
    Column("version", String(32), primary_key=True),
    Column("hash", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("first_shown_at", DateTime, nullable=False),
)


INSERT_RESPONDENT = insert(respondents)
INSERT_INTEREST = insert(interests)
INSERT_PROOF = insert(proofs)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def normalise_email(email: str) -> str:
    """Meta's rule for e-mail matching keys: trimmed, lower case."""
    return email.strip().lower()


def email_sha256(email: str) -> str:
    return hashlib.sha256(normalise_email(email).encode("utf-8")).hexdigest()


def confirmation_limit_key(email: str) -> str:
    """The key of an address's bucket of confirmation e-mails (`limits.DatabaseBuckets`): its digest, hashed
    again under a label of its own. The bucket outlives an erasure by up to an hour (erasing and answering
    again must not give a fresh bucket), and this key is not the `email_sha256` that the audience file and
    the respondent's row carry, which an erasure removes everywhere."""
    return hashlib.sha256(f"confirmation-mails:{email_sha256(email)}".encode()).hexdigest()


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass
class Member:
    id: str
    token: str
    created_at: datetime
    last_interaction_at: datetime
    postcode: str
    area_code: str
    area_name: str
    branch_id: str
    age_band: str | None
    email: str | None
    email_sha256: str | None
    consents: dict[str, bool]
    notice_version: str
    interests: list[str]
    email_confirmed: bool = False

    @property
    def usable_consents(self) -> dict[str, bool]:
        """The consents that may be acted on: an e-mail purpose only once the address is confirmed."""
        return {p: granted and (p not in EMAIL_PURPOSES or (self.email_confirmed and bool(self.email)))
                for p, granted in self.consents.items()}

    @property
    def awaiting_confirmation(self) -> bool:
        return bool(self.email) and not self.email_confirmed and any(self.consents[p] for p in EMAIL_PURPOSES)

    def state(self, branch_name: str = "") -> PreferenceChange:
        placement = Placement(self.postcode, self.area_code, self.area_name, self.branch_id, branch_name, 0.0)
        return PreferenceChange(interests=list(self.interests), placement=placement, age_band=self.age_band,
                                email=self.email, consents=dict(self.consents))


@dataclass
class PurgeReport:
    respondents: int
    proofs: int
    cutoff: datetime
    proof_cutoff: datetime


def _purposes_json(consents: dict[str, bool]) -> str:
    return json.dumps({p: "granted" if consents.get(p) else "refused" for p in PURPOSES}, sort_keys=True)


class Confirmation(enum.Enum):
    CONFIRMED = "confirmed"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


class Store:
    def __init__(self, url: str | None = None):
        self.url = url or paths.database_url()
        self.engine = db.create_tables(self.url, metadata)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        migrate(self.engine, metadata)
        # erasures asked to be scrubbed from the log, and the latest one a checkpoint covered (see _scrub)
        self._scrub_lock = threading.Lock()
        self._scrub_wanted = self._scrub_done = 0
        self._scrub_running = False

    def dispose(self) -> None:
        db.forget(self.url)

    # --- notices ---------------------------------------------------------------------------------------

    def record_notice(self, notice: Notice) -> None:
        """Keep the exact text of every notice version; a changed text under the same version is refused."""
        with self.engine.begin() as conn:
            known = conn.execute(select(notices.c.hash).where(notices.c.version == notice.version)).scalar()
            if known is None:
                conn.execute(insert(notices).values(version=notice.version, hash=notice.hash, text=notice.text,
                                                    first_shown_at=utcnow()))
            elif known != notice.hash:
                raise InputError(f"le texte de la notice a changé mais sa version est toujours « {notice.version} ».",
                                 where="questionnaire", field="notice_version",
                                 fix="Donnez-lui un nouveau numéro de version : les consentements donnés sous "
                                     "l'ancienne notice restent prouvés par son texte exact (règle FORM-08).")

    def notice_text(self, version: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(select(notices.c.text).where(notices.c.version == version)).scalar()

    # --- answers -----------------------------------------------------------------------------------------

    def add_answer(self, answer: Answer, notice: Notice, now: datetime | None = None) -> str | None:
        """Store an answer with its proof in one transaction; returns the person's token.

        An answer that grants no purpose is only counted (per day, branch and theme) and returns None: there
        is no one to give a link to, since nothing about them is kept."""
        now = now or utcnow()
        if not any(answer.consents[k] for k in PURPOSES):
            self._count(answer, now)
            return None
        rid, token, consent_id = uuid.uuid4().hex, secrets.token_urlsafe(32), uuid.uuid4().hex
        digest = email_sha256(answer.email) if answer.email else None
        p = answer.placement
        mechanism = f"{answer.mechanism}:{','.join(answer.checkboxes)}"
        # statements built once with parameters passed apart: no per-call construct or cache-key work (hot path)
        with self.engine.begin() as conn:
            conn.execute(INSERT_RESPONDENT, dict(
                id=rid, token=token, created_at=now, updated_at=now, last_interaction_at=now,
                postcode=p.postcode, area_code=p.area_code, area_name=p.area_name, branch_id=p.branch_id,
                age_band=answer.age_band, email=answer.email, email_sha256=digest,
                notice_version=notice.version, notice_hash=notice.hash, consent_id=consent_id,
                email_confirmed_at=None, confirmation_sha256=None, confirmation_sent_at=None,
                **{k: answer.consents[k] for k in PURPOSES}))
            conn.execute(INSERT_INTEREST, [{"respondent_id": rid, "theme_id": t} for t in answer.interests])
            conn.execute(INSERT_PROOF, dict(
                consent_id=consent_id, ts_utc=now, event="given",
                purposes=_purposes_json(answer.consents), notice_version=notice.version, notice_hash=notice.hash,
                language="fr", mechanism=mechanism[:200], page_url=answer.page_url,
                withdrawn_at=None, withdrawal_channel=None))
        return token

    def _count(self, answer: Answer, now: datetime) -> None:
        """One more answer, and one more per theme chosen, for the day and the branch: nothing else."""
        keys = [ANSWERS, *answer.interests]
        rows = [dict(day=now.date(), branch_id=answer.placement.branch_id, theme_id=k, answers=1) for k in keys]
        upsert = (sqlite_insert if self.is_sqlite else postgresql_insert)(answer_counts)
        upsert = upsert.on_conflict_do_update(index_elements=["day", "branch_id", "theme_id"],
                                              set_={"answers": answer_counts.c.answers + 1})
        with self.engine.begin() as conn:
            conn.execute(upsert, rows)

    # --- double opt-in -----------------------------------------------------------------------------------

    def new_confirmation(self, token: str, now: datetime | None = None) -> tuple[Member, str] | None:
        """A fresh confirmation link's token for the person's address (the first one or a resend); the
        previous link stops working. None when there is nothing to confirm."""
        member = self.by_token(token)
        if member is None or not member.awaiting_confirmation:
            return None
        confirmation = secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            conn.execute(update(respondents).where(respondents.c.id == member.id).values(
                confirmation_sha256=token_sha256(confirmation), confirmation_sent_at=now or utcnow()))
        return member, confirmation

    def confirm(self, confirmation: str, valid_for: timedelta, now: datetime | None = None) -> Confirmation:
        """Follow a confirmation link: the address is confirmed and the e-mail purposes become usable."""
        now = now or utcnow()
        if not confirmation or len(confirmation) > 64:
            return Confirmation.UNKNOWN
        with self.engine.begin() as conn:
            row = conn.execute(select(respondents).where(
                respondents.c.confirmation_sha256 == token_sha256(confirmation)).with_for_update()).mappings().first()
            if row is None:
                return Confirmation.UNKNOWN
            if row["confirmation_sent_at"] is None or now - row["confirmation_sent_at"] > valid_for:
                return Confirmation.EXPIRED
            conn.execute(update(respondents).where(respondents.c.id == row["id"]).values(
                email_confirmed_at=now, confirmation_sha256=None, confirmation_sent_at=None,
                last_interaction_at=now))
            conn.execute(insert(proofs).values(
                consent_id=row["consent_id"], ts_utc=now, event="confirmed",
                purposes=_purposes_json({p: row[p] for p in PURPOSES}), notice_version=row["notice_version"],
                notice_hash=row["notice_hash"], language="fr", mechanism="double-opt-in:email"))
        return Confirmation.CONFIRMED

    def _member_rows(self, conn, where) -> list[Member]:
        rows = conn.execute(select(respondents).where(where)).mappings().all()
        if not rows:
            return []
        ids = [r["id"] for r in rows]
        themes: dict[str, list[str]] = {i: [] for i in ids}
        for chunk in range(0, len(ids), 500):
            part = ids[chunk:chunk + 500]
            for rid, theme in conn.execute(select(interests.c.respondent_id, interests.c.theme_id)
                                           .where(interests.c.respondent_id.in_(part))
                                           .order_by(interests.c.theme_id)):
                themes[rid].append(theme)
        return [Member(id=r["id"], token=r["token"], created_at=r["created_at"],
                       last_interaction_at=r["last_interaction_at"], postcode=r["postcode"],
                       area_code=r["area_code"], area_name=r["area_name"], branch_id=r["branch_id"],
                       age_band=r["age_band"], email=r["email"], email_sha256=r["email_sha256"],
                       consents={p: bool(r[p]) for p in PURPOSES}, notice_version=r["notice_version"],
                       interests=themes[r["id"]], email_confirmed=r["email_confirmed_at"] is not None)
                for r in rows]

    def by_token(self, token: str) -> Member | None:
        if not token or len(token) > 64:
            return None
        with self.engine.connect() as conn:
            found = self._member_rows(conn, respondents.c.token == token)
        return found[0] if found else None

    def touch(self, token: str, now: datetime | None = None) -> None:
        """An active contact (opening the preference page, a click): the retention clock starts again."""
        with self.engine.begin() as conn:
            conn.execute(update(respondents).where(respondents.c.token == token)
                         .values(last_interaction_at=now or utcnow()))

    def change(self, token: str, new: PreferenceChange, notice: Notice, channel: str,
               now: datetime | None = None) -> Member | None:
        """Apply a change of preferences; withdrawn purposes take effect at once and are proved."""
        now = now or utcnow()
        with self.engine.begin() as conn:
            row = conn.execute(select(respondents).where(respondents.c.token == token)
                               .with_for_update()).mappings().first()
            if row is None:
                return None
            rid = row["id"]
            before = {p: bool(row[p]) for p in PURPOSES}
            withdrawn = [p for p in PURPOSES if before[p] and not new.consents[p]]
            newly_granted = [p for p in PURPOSES if new.consents[p] and not before[p]]
            digest = email_sha256(new.email) if new.email else None
            values = dict(updated_at=now, last_interaction_at=now, age_band=new.age_band, email=new.email,
                          email_sha256=digest, **{p: new.consents[p] for p in PURPOSES})
            if digest != row["email_sha256"] or not new.email:
                # a new address (or none) is not confirmed, and a link sent to the old one no longer works
                values.update(email_confirmed_at=None, confirmation_sha256=None, confirmation_sent_at=None)
            if new.placement.postcode != row["postcode"]:
                values.update(postcode=new.placement.postcode, area_code=new.placement.area_code,
                              area_name=new.placement.area_name, branch_id=new.placement.branch_id)
            if newly_granted:
                # a purpose granted now is granted under the current notice (FORM-08)
                values.update(notice_version=notice.version, notice_hash=notice.hash)
            conn.execute(update(respondents).where(respondents.c.id == rid).values(**values))
            conn.execute(delete(interests).where(interests.c.respondent_id == rid))
            conn.execute(insert(interests), [{"respondent_id": rid, "theme_id": t} for t in new.interests])
            if withdrawn:
                self._mark_withdrawn(conn, row["consent_id"], now, channel)
            if withdrawn or newly_granted or digest != row["email_sha256"] or new.age_band != row["age_band"]:
                conn.execute(insert(proofs).values(
                    consent_id=row["consent_id"], ts_utc=now,
                    event="withdrawn" if withdrawn and not newly_granted else "changed",
                    purposes=_purposes_json(new.consents),
                    notice_version=values.get("notice_version", row["notice_version"]),
                    notice_hash=values.get("notice_hash", row["notice_hash"]), language="fr",
                    mechanism=f"preferences:{channel}",
                    withdrawal_channel=channel if withdrawn else None, withdrawn_at=now if withdrawn else None))
            found = self._member_rows(conn, respondents.c.id == rid)
        if (row["email"] and row["email"] != new.email) or row["postcode"] != new.placement.postcode:
            self._scrub()  # the old address (e-mail or postcode) must not stay in the log
        return found[0]

    @staticmethod
    def _mark_withdrawn(conn, consent_id: str, now: datetime, channel: str) -> None:
        conn.execute(update(proofs).where(proofs.c.consent_id == consent_id, proofs.c.withdrawn_at.is_(None))
                     .values(withdrawn_at=now, withdrawal_channel=channel))

    def withdraw_all(self, token: str, notice: Notice, channel: str, now: datetime | None = None) -> Member | None:
        member = self.by_token(token)
        if member is None:
            return None
        state = member.state()
        state.consents = dict.fromkeys(PURPOSES, False)
        state.email = None
        return self.change(token, state, notice, channel, now)

    def unsubscribe(self, token: str, notice: Notice, channel: str = "email", now: datetime | None = None) -> Member | None:
        """One click in an e-mail: no more e-mails; the address stays only if Meta matching is still granted."""
        member = self.by_token(token)
        if member is None:
            return None
        state = member.state()
        state.consents[EMAIL_PURPOSES[0]] = False
        state.consents["personalisation"] = False  # personalises the e-mails, which stop
        if not state.consents["meta_matching"]:
            state.email = None
        return self.change(token, state, notice, channel, now)

    def erase(self, token: str, channel: str = "preferences", now: datetime | None = None) -> bool:
        """Erase the person at once; the proofs stay, unlinked from anyone, and say when and how it happened."""
        now = now or utcnow()
        with self.engine.begin() as conn:
            row = conn.execute(select(respondents).where(respondents.c.token == token)).mappings().first()
            if row is None:
                return False
            self._erase_rows(conn, [row], now, channel, event_name="erased")
        self._scrub()
        return True

    SCRUB_WAIT_MS = 20  # how long a retry may hold back writers while it waits for readers
    SCRUB_RETRY_S = 0.25

    def _scrub(self) -> None:
        """After an erasure on SQLite: the write-ahead log still holds the old pages (e-mail, token) until
        it is checkpointed and truncated; truncating it makes the erasure real on disk.

        A checkpoint that waits for readers also holds back every writer, so the erasure tries once without
        waiting; when a reader holds the log, one background thread per store retries (waiting at most
        SCRUB_WAIT_MS each time) until the log is emptied after the latest erasure. No reader can make an
        erasure, or the answers arriving meanwhile, wait."""
        if not self.is_sqlite:
            return
        with self._scrub_lock:
            self._scrub_wanted += 1
            wanted, running = self._scrub_wanted, self._scrub_running
        if not running and self._checkpoint(0):
            return
        with self._scrub_lock:
            if self._scrub_running or self._scrub_done >= wanted:
                return
            self._scrub_running = True
        threading.Thread(target=self._scrub_later, name="outreach-scrub", daemon=True).start()

    def _checkpoint(self, wait_ms: int) -> bool:
        """True when the log was emptied (SQLite answers busy=0)."""
        with self._scrub_lock:
            wanted = self._scrub_wanted
        with self.engine.connect() as conn:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={int(wait_ms)}")
            try:
                busy = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()[0]
            finally:
                conn.exec_driver_sql("PRAGMA busy_timeout=30000")
        if busy == 0:
            with self._scrub_lock:
                self._scrub_done = max(self._scrub_done, wanted)
        return busy == 0

    def _scrub_later(self, attempts: int = 14400) -> None:
        try:
            for _ in range(attempts):  # an hour at most: a reader that long is a bug elsewhere
                time.sleep(self.SCRUB_RETRY_S)
                if self._checkpoint(self.SCRUB_WAIT_MS):
                    with self._scrub_lock:
                        if self._scrub_done >= self._scrub_wanted:
                            return  # nothing erased since this checkpoint began
        finally:
            with self._scrub_lock:
                self._scrub_running = False

    def _erase_rows(self, conn, rows, now: datetime, channel: str, event_name: str) -> None:
        ids = [r["id"] for r in rows]
        for r in rows:
            self._mark_withdrawn(conn, r["consent_id"], now, channel)
        conn.execute(insert(proofs), [dict(
            consent_id=r["consent_id"], ts_utc=now, event=event_name,
            purposes=_purposes_json({}), notice_version=r["notice_version"], notice_hash=r["notice_hash"],
            language="fr", mechanism=f"{event_name}:{channel}", withdrawn_at=now,
            withdrawal_channel=channel) for r in rows])
        conn.execute(delete(interests).where(interests.c.respondent_id.in_(ids)))
        conn.execute(delete(respondents).where(respondents.c.id.in_(ids)))

    # --- retention ---------------------------------------------------------------------------------------

    def purge(self, retention_months: int, proof_retention_years: int, now: datetime | None = None) -> PurgeReport:
        """RET-01: erase people without active contact for `retention_months`, and proofs past their time."""
        now = now or utcnow()
        cutoff = now - timedelta(days=round(retention_months * 30.4375))
        proof_cutoff = now - timedelta(days=round(proof_retention_years * 365.25))
        with self.engine.begin() as conn:
            rows = conn.execute(select(respondents).where(respondents.c.last_interaction_at < cutoff)).mappings().all()
            for start in range(0, len(rows), 500):
                self._erase_rows(conn, rows[start:start + 500], now, "retention", event_name="purged")
            # proofs of people who are gone, whose last event is older than the proof retention
            gone = select(proofs.c.consent_id).group_by(proofs.c.consent_id).having(
                func.max(proofs.c.ts_utc) < proof_cutoff)
            still_here = select(respondents.c.consent_id)
            result = conn.execute(delete(proofs).where(proofs.c.consent_id.in_(gone),
                                                       proofs.c.consent_id.not_in(still_here)))
            # rate buckets full again (an hour at most): nothing they hold is needed any more
            conn.execute(delete(rate_buckets).where(rate_buckets.c.updated < time.time() - BUCKETS_FULL_AFTER_S))
        if rows:
            self._scrub()
        return PurgeReport(respondents=len(rows), proofs=result.rowcount or 0, cutoff=cutoff,
                           proof_cutoff=proof_cutoff)

    # --- reading -----------------------------------------------------------------------------------------

    def members(self) -> list[Member]:
        with self.engine.connect() as conn:
            return self._member_rows(conn, respondents.c.id.is_not(None))

    def count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(respondents)).scalar_one()

    def stats(self) -> list[dict]:
        """Members per theme and branch, how many of them receive e-mails or are matched on Meta (address
        confirmed), and the answers counted without anything kept (no consent)."""
        confirmed = respondents.c.email_confirmed_at.is_not(None)
        query = (select(interests.c.theme_id, respondents.c.branch_id, func.count().label("members"),
                        func.sum(func.cast(respondents.c.email_recommendations & confirmed, Integer)).label("email"),
                        func.sum(func.cast(respondents.c.meta_matching & confirmed, Integer)).label("meta"))
                 .join(respondents, respondents.c.id == interests.c.respondent_id)
                 .group_by(interests.c.theme_id, respondents.c.branch_id))
        counted = (select(answer_counts.c.theme_id, answer_counts.c.branch_id, func.sum(answer_counts.c.answers))
                   .where(answer_counts.c.theme_id != ANSWERS)
                   .group_by(answer_counts.c.theme_id, answer_counts.c.branch_id))
        out: dict[tuple[str, str], dict] = {}

        def row(t: str, b: str) -> dict:
            return out.setdefault((t, b), {"theme_id": t, "branch_id": b, "members": 0, "email_recommendations": 0,
                                           "meta_matching": 0, "counted_only": 0})
        with self.engine.connect() as conn:
            for t, b, n, e, m in conn.execute(query):
                row(t, b).update(members=int(n), email_recommendations=int(e or 0), meta_matching=int(m or 0))
            for t, b, n in conn.execute(counted):
                row(t, b)["counted_only"] = int(n or 0)
        return [out[k] for k in sorted(out)]

    def counted_answers(self) -> int:
        """Answers that granted no purpose: counted, nothing kept."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.coalesce(func.sum(answer_counts.c.answers), 0))
                                    .where(answer_counts.c.theme_id == ANSWERS)).scalar_one())

    def counts_by_day(self) -> list[dict]:
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(select(answer_counts).order_by(
                answer_counts.c.day, answer_counts.c.branch_id, answer_counts.c.theme_id)).mappings()]

    def proofs(self) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(proofs).order_by(proofs.c.id)).mappings().all()
        return [dict(r) | {"purposes": json.loads(r["purposes"])} for r in rows]
